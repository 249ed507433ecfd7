// GNU extensions that `import Glibc` does not expose to Swift, and the CPU's CRC-32C instruction.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <malloc.h>

void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
void *memrchr(const void *s, int c, size_t n);

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
