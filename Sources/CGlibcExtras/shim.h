// GNU extensions that `import Glibc` does not expose to Swift, and the CPU's CRC-32C instruction.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <malloc.h>

void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
void *memrchr(const void *s, int c, size_t n);

/// First occurrence of needle[0..<m] in h[0..<n], or NULL. One byte: memchr. In a short haystack (a line) the
/// first needle byte is found with memchr and the rest compared in place, which beats memmem's per-call setup;
/// long haystacks (whole pages) go to memmem.
static inline const void *mclog_find(const void *h, size_t n, const void *needle, size_t m) {
    const unsigned char *q = (const unsigned char *)needle;
    if (m == 0) return h;
    if (m > n) return NULL;
    if (m == 1) return memchr(h, q[0], n);
    if (n > 512) return memmem(h, n, needle, m);
    const unsigned char *p = (const unsigned char *)h;
    const unsigned char *last = p + (n - m);
    while (p <= last) {
        p = (const unsigned char *)memchr(p, q[0], (size_t)(last - p) + 1);
        if (p == NULL) return NULL;
        if (memcmp(p + 1, q + 1, m - 1) == 0) return p;
        p++;
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
