// GNU extensions that `import Glibc` does not expose to Swift, and the CPU's CRC-32C instruction.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <malloc.h>

void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
void *memrchr(const void *s, int c, size_t n);

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Whether the m - 1 bytes after the first match (a short compare, inlined).
static inline int mclog_rest_equal(const unsigned char *p, const unsigned char *q, size_t m) {
    for (size_t k = 1; k < m; k++) {
        if (p[k] != q[k]) return 0;
    }
    return 1;
}

/// First occurrence of needle[0..<m] in h[0..<n], or NULL. Long haystacks (whole pages) go to memchr (one byte)
/// or memmem. Short ones (a field of a line, found over and over) are scanned in place, 16 candidate positions
/// at a time with SSE2 where available, so that no call or setup is paid per search.
static inline const void *mclog_find(const void *h, size_t n, const void *needle, size_t m) {
    const unsigned char *q = (const unsigned char *)needle;
    if (m == 0) return h;
    if (m > n) return NULL;
    if (n > 512) return m == 1 ? memchr(h, q[0], n) : memmem(h, n, needle, m);
    const unsigned char *p = (const unsigned char *)h;
    const unsigned char *last = p + (n - m);  /* the last position a match can start at */
#if defined(__SSE2__)
    const __m128i first = _mm_set1_epi8((char)q[0]);
    while (last - p >= 15) {  /* p .. p+15 are all candidate positions inside the haystack */
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), first));
        while (mask != 0) {
            unsigned i = (unsigned)__builtin_ctz(mask);
            if (mclog_rest_equal(p + i, q, m)) return p + i;
            mask &= mask - 1;
        }
        p += 16;
    }
#endif
    for (; p <= last; p++) {
        if (*p == q[0] && mclog_rest_equal(p, q, m)) return p;
    }
    return NULL;
}

#if defined(__x86_64__)


/// Whether this CPU has SSE 4.2 (the crc32 instruction).
static inline int mclog_has_crc32c(void) { return __builtin_cpu_supports("sse4.2"); }

/// CRC-32C of `n` bytes, continuing from the raw (pre-inverted) state `crc`. Only call when
/// mclog_has_crc32c() is true.
__attribute__((target("sse4.2")))
static inline uint32_t mclog_crc32c_update(uint32_t crc, const unsigned char *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p++);
        n--;
    }
    return c32;
}
#else
static inline int mclog_has_crc32c(void) { return 0; }
static inline uint32_t mclog_crc32c_update(uint32_t crc, const unsigned char *p, size_t n) { (void)p; (void)n; return crc; }
#endif
