/* split.c — a seeded train/validation split, and seeded subsets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/data_internal.h"

/* Copies rows idx[0..n) of d into a new dataset with d's descriptions. */
static nn_status take_rows(const nn_dataset *d, const int *idx, int n, nn_dataset *out,
                           nn_error *err) {
    memset(out, 0, sizeof *out);
    nn_status st = nn_dataset_copy_meta(out, d, err);
    if (st) {
        nn_dataset_free(out);
        return st;
    }
    size_t F = (size_t)d->n_features;
    out->labels = malloc((size_t)n * sizeof *out->labels);
    if (d->x_u8) out->x_u8 = malloc((size_t)n * F);
    else out->x_real = malloc((size_t)n * F * sizeof *out->x_real);
    if (d->targets) {
        out->target_width = d->target_width;
        out->targets = malloc((size_t)n * (size_t)d->target_width * sizeof *out->targets);
    }
    if (!out->labels || (!out->x_u8 && !out->x_real) || (d->targets && !out->targets)) {
        nn_dataset_free(out);
        return nn_set_error(err, NN_ERR_NOMEM, "split: out of memory for %d rows", n);
    }
    for (int i = 0; i < n; i++) {
        size_t r = (size_t)idx[i];
        if (d->x_u8) memcpy(out->x_u8 + (size_t)i * F, d->x_u8 + r * F, F);
        else memcpy(out->x_real + (size_t)i * F, d->x_real + r * F, F * sizeof *out->x_real);
        out->labels[i] = d->labels[r];
    }
    if (d->targets) nn_dataset_gather_targets(d, idx, n, out->targets);
    out->n = n;
    return NN_OK;
}

/* A permutation (n) of 0..n−1, shuffled with seed (Fisher-Yates), or NULL. */
static int *shuffled(int n, uint64_t seed) {
    int *perm = malloc((size_t)(n ? n : 1) * sizeof *perm);
    if (!perm) return NULL;
    for (int i = 0; i < n; i++) perm[i] = i;
    nn_rng rng;
    nn_rng_seed(&rng, seed);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)nn_rng_below(&rng, (uint32_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    return perm;
}

nn_status nn_dataset_limit(const nn_dataset *d, int n, uint64_t seed, nn_dataset *out,
                           nn_error *err) {
    memset(out, 0, sizeof *out);
    if (n < 1 || n > d->n)
        return nn_set_error(err, NN_ERR_ARG, "limit: %d samples asked for, but the data have %d", n, d->n);
    int *perm = shuffled(d->n, seed);
    if (!perm) return nn_set_error(err, NN_ERR_NOMEM, "limit: out of memory");
    nn_status st = take_rows(d, perm, n, out, err);
    free(perm);
    return st;
}

nn_status nn_dataset_split(const nn_dataset *d, double val_fraction, uint64_t seed,
                           nn_dataset *train, nn_dataset *val, nn_error *err) {
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    if (!(val_fraction > 0 && val_fraction < 1))
        return nn_set_error(err, NN_ERR_ARG, "split: the validation fraction %g is not in (0, 1)",
                            val_fraction);
    int n_val = (int)lround(d->n * val_fraction);
    if (n_val < 1 || n_val >= d->n)
        return nn_set_error(err, NN_ERR_ARG,
                            "split: a fraction %g of %d samples leaves %d for validation and %d "
                            "for training; both need at least one",
                            val_fraction, d->n, n_val, d->n - n_val);
    int *perm = shuffled(d->n, seed);
    if (!perm) return nn_set_error(err, NN_ERR_NOMEM, "split: out of memory");
    nn_status st = take_rows(d, perm, n_val, val, err);
    if (!st) st = take_rows(d, perm + n_val, d->n - n_val, train, err);
    if (st) nn_dataset_free(val);
    free(perm);
    return st;
}
