/* blobs.h — a small synthetic classification set for the training tests:
 * K Gaussian blobs in F ≥ K dimensions, the centre of class c 4 along axis
 * c, unit spread, so a linear classifier separates them almost perfectly
 * (Bayes accuracy > 99%). The caller frees it with nn_dataset_free. */
#ifndef NN_TEST_BLOBS_H
#define NN_TEST_BLOBS_H

#include <stdlib.h>

#include "testutil.h"

static inline nn_dataset test_blobs(int n, int F, int K, uint64_t seed) {
    nn_dataset d = {.n = n, .n_features = F, .n_classes = K};
    d.x_real = malloc((size_t)n * F * sizeof *d.x_real);
    d.labels = malloc((size_t)n * sizeof *d.labels);
    ck_assert(d.x_real && d.labels);
    nn_rng r;
    nn_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        int c = (int)nn_rng_below(&r, (uint32_t)K);
        d.labels[i] = c;
        for (int j = 0; j < F; j++) /* centre of class c: 4 along axis c */
            d.x_real[i * F + j] = (nn_real)((j == c ? 4.0 : 0.0) + nn_rng_normal(&r));
    }
    return d;
}

#endif
