/* rng.c — PCG32 (O'Neill, 2014): small, fast, and reproducible everywhere.
 * The state lives in a caller-owned nn_rng; there is no global generator. */
#include <math.h>

#include "nn/nn.h"

uint32_t nn_rng_u32(nn_rng *r) {
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

void nn_rng_seed(nn_rng *r, uint64_t seed) {
    r->state = 0;
    r->inc = (seed << 1u) | 1u;
    nn_rng_u32(r);
    r->state += seed ^ 0x853c49e6748fea9bULL;
    nn_rng_u32(r);
}

double nn_rng_uniform(nn_rng *r) {
    /* 53 random bits (27 + 26) scaled by 2⁻⁵³: every double in [0, 1) that
     * is a multiple of 2⁻⁵³, equally likely */
    uint64_t hi = nn_rng_u32(r) >> 5, lo = nn_rng_u32(r) >> 6;
    return (double)((hi << 26) | lo) * 0x1p-53;
}

double nn_rng_normal(nn_rng *r) {
    /* Box-Muller; u1 in (0, 1] so log(u1) is finite. */
    double u1 = 1.0 - nn_rng_uniform(r), u2 = nn_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint32_t nn_rng_below(nn_rng *r, uint32_t n) {
    if (n == 0) return 0; /* an empty range: nothing to draw, and % 0 would trap */
    /* Rejection: drop the lowest 2³² mod n values, which would bias the modulus. */
    uint32_t threshold = (uint32_t)(-n) % n;
    for (;;) {
        uint32_t x = nn_rng_u32(r);
        if (x >= threshold) return x % n;
    }
}
