/* Small helpers of the simulator: timestamps as the API prints them, object uids, and a
 * per-cluster random generator (xorshift; clusters never share one across threads). */
#include "misc.h"
#include "base/clock.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <time.h>

void ks_now_rfc3339(char *out, size_t len)
{
    clock_rfc3339(wall_ms(), 0, out, len);
}

uint64_t ks_rand(struct ks_cluster *cl)
{
    if (cl->rng == 0) {
        if (RAND_bytes((unsigned char *)&cl->rng, sizeof(cl->rng)) != 1 || cl->rng == 0)
            cl->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)cl;
    }
    uint64_t x = cl->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    cl->rng = x;
    return x;
}

void ks_new_uid(struct ks_cluster *cl, char *out, size_t len)
{
    uint64_t a = ks_rand(cl), b = ks_rand(cl);
    snprintf(out, len, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)((b >> 48) & 0x3fff) | 0x8000, (unsigned long long)(b & 0xffffffffffffull));
}
