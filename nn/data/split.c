/* split.c — a seeded train/validation split, and seeded subsets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/data_internal.h"

nn_status nn_dataset_subset(const nn_dataset *d, const int *idx, int n, nn_dataset *out,
                           nn_error *err) {
    memset(out, 0, sizeof *out);
    nn_status st = nn_dataset_copy_meta(out, d, err);
    if (st) {
        nn_dataset_free(out);
        return st;
    }
    size_t F = (size_t)d->n_features;
    size_t rows = n > 0 ? (size_t)n : 1; /* a subset may be empty */
    out->labels = malloc(rows * sizeof *out->labels);
    if (d->x_u8) out->x_u8 = malloc(rows * F);
    else out->x_real = malloc(rows * F * sizeof *out->x_real);
    if (d->targets) {
        out->target_width = d->target_width;
        out->targets = malloc(rows * (size_t)d->target_width * sizeof *out->targets);
    }
    if (d->row_files) out->row_files = calloc(rows, sizeof *out->row_files);
    if (!out->labels || (!out->x_u8 && !out->x_real) || (d->targets && !out->targets) ||
        (d->row_files && !out->row_files)) {
        nn_dataset_free(out);
        return nn_set_error(err, NN_ERR_NOMEM, "dataset: out of memory for %d rows", n);
    }
    for (int i = 0; i < n; i++) {
        size_t r = (size_t)idx[i];
        if (d->x_u8) memcpy(out->x_u8 + (size_t)i * F, d->x_u8 + r * F, F);
        else memcpy(out->x_real + (size_t)i * F, d->x_real + r * F, F * sizeof *out->x_real);
        out->labels[i] = d->labels[r];
        if (d->row_files && !(out->row_files[i] = strdup(d->row_files[r]))) {
            out->n = i; /* the names copied so far are freed */
            nn_dataset_free(out);
            return nn_set_error(err, NN_ERR_NOMEM, "dataset: out of memory for %d rows", n);
        }
    }
    if (d->targets) nn_dataset_gather_targets(d, idx, n, out->targets);
    out->n = n;
    return NN_OK;
}

/* perm (n) <- 0..n−1 shuffled with seed (Fisher-Yates). */
static void shuffle(int *perm, int n, uint64_t seed) {
    for (int i = 0; i < n; i++) perm[i] = i;
    nn_rng rng;
    nn_rng_seed(&rng, seed);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)nn_rng_below(&rng, (uint32_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

nn_status nn_split_order(int n, double val_fraction, uint64_t seed, int *perm, int *n_val,
                         nn_error *err) {
    if (!(val_fraction > 0 && val_fraction < 1))
        return nn_set_error(err, NN_ERR_ARG, "split: the validation fraction %g is not in (0, 1)",
                            val_fraction);
    *n_val = (int)lround(n * val_fraction);
    if (*n_val < 1 || *n_val >= n)
        return nn_set_error(err, NN_ERR_ARG,
                            "split: a fraction %g of %d samples leaves %d for validation and %d "
                            "for training; both need at least one",
                            val_fraction, n, *n_val, n - *n_val);
    shuffle(perm, n, seed);
    return NN_OK;
}

nn_status nn_dataset_limit(const nn_dataset *d, int n, uint64_t seed, nn_dataset *out,
                           nn_error *err) {
    memset(out, 0, sizeof *out);
    if (n < 1 || n > d->n)
        return nn_set_error(err, NN_ERR_ARG, "limit: %d samples asked for, but the data have %d", n, d->n);
    int *perm = malloc((size_t)d->n * sizeof *perm);
    if (!perm) return nn_set_error(err, NN_ERR_NOMEM, "limit: out of memory");
    shuffle(perm, d->n, seed);
    nn_status st = nn_dataset_subset(d, perm, n, out, err);
    free(perm);
    return st;
}

nn_status nn_dataset_split(const nn_dataset *d, double val_fraction, uint64_t seed,
                           nn_dataset *train, nn_dataset *val, nn_error *err) {
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    int *perm = malloc((size_t)(d->n > 0 ? d->n : 1) * sizeof *perm), n_val;
    if (!perm) return nn_set_error(err, NN_ERR_NOMEM, "split: out of memory");
    nn_status st = nn_split_order(d->n, val_fraction, seed, perm, &n_val, err);
    if (!st) st = nn_dataset_subset(d, perm, n_val, val, err);
    if (!st) st = nn_dataset_subset(d, perm + n_val, d->n - n_val, train, err);
    if (st) nn_dataset_free(val);
    free(perm);
    return st;
}
