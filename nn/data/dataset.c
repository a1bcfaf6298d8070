/* dataset.c — compact sample storage, batch gathering, and the optional
 * descriptions (classes, names, standardisation) a dataset carries. */
#include <stdlib.h>
#include <string.h>

#include "nn/data/data_internal.h"

static void free_strings(char **s, int n) {
    if (!s) return;
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

/* How many rows ahead the gather prefetches (64-byte lines). Measured on
 * Fashion-MNIST (784-byte rows, 47 MB of images): 2 to 4 rows halve the
 * gather time; 8 or more help less. */
#define NN_GATHER_AHEAD 4

void nn_dataset_free(nn_dataset *d) {
    if (!d) return;
    free(d->x_u8);
    free(d->x_real);
    free(d->labels);
    free(d->values);
    free_strings(d->label_names, d->n_classes);
    free_strings(d->feature_names, d->n_features);
    free(d->label_column);
    free(d->feature_mean);
    free(d->feature_std);
    free(d->targets);
    free_strings(d->row_files, d->n);
    memset(d, 0, sizeof *d);
}

void nn_standardize_rows(nn_real *x, int B, int F, const double *mean, const double *std) {
    for (size_t r = 0; r < (size_t)B; r++) {
        nn_real *row = x + r * (size_t)F; /* (F) */
        for (int j = 0; j < F; j++) row[j] = (nn_real)(((double)row[j] - mean[j]) / std[j]);
    }
}

void nn_dataset_gather(const nn_dataset *d, const int *idx, int B, nn_real *x,
                       int32_t *labels) {
    const size_t F = (size_t)d->n_features;
    for (int b = 0; b < B; b++) {
        size_t row = (size_t)idx[b];
        nn_real *restrict dst = x + (size_t)b * F; /* (F) */
        if (d->x_u8) {
            const uint8_t *restrict src = d->x_u8 + row * F; /* (F) */
            /* Rows are shuffled, so the hardware cannot guess the next one:
             * ask for the row NN_GATHER_AHEAD places ahead while this one is
             * converted. */
            if (b + NN_GATHER_AHEAD < B) {
                const uint8_t *ahead = d->x_u8 + (size_t)idx[b + NN_GATHER_AHEAD] * F;
                for (size_t j = 0; j < F; j += 64) __builtin_prefetch(ahead + j);
            }
            const nn_real scale = (nn_real)d->x_scale;
            for (size_t j = 0; j < F; j++) dst[j] = (nn_real)src[j] * scale;
        } else {
            memcpy(dst, d->x_real + row * F, F * sizeof *dst);
        }
        if (labels) labels[b] = d->labels[row];
    }
    /* the same arithmetic as a caller standardising a row it read itself */
    if (d->feature_mean) nn_standardize_rows(x, B, (int)F, d->feature_mean, d->feature_std);
}

void nn_dataset_gather_targets(const nn_dataset *d, const int *idx, int B, nn_real *t) {
    const size_t W = (size_t)d->target_width;
    for (int b = 0; b < B; b++) memcpy(t + (size_t)b * W, d->targets + (size_t)idx[b] * W, W * sizeof *t);
}

char **nn_strings_copy(char *const *src, int n) {
    if (!src) return NULL;
    char **dst = calloc((size_t)(n > 0 ? n : 1), sizeof *dst);
    if (!dst) return NULL;
    for (int i = 0; i < n; i++)
        if (!(dst[i] = strdup(src[i]))) {
            free_strings(dst, i);
            return NULL;
        }
    return dst;
}

void nn_strings_free(char **s, int n) { free_strings(s, n); }

static void *copy_reals(const double *src, int n) {
    if (!src) return NULL;
    double *dst = malloc((size_t)(n > 0 ? n : 1) * sizeof *dst);
    if (dst) memcpy(dst, src, (size_t)n * sizeof *dst);
    return dst;
}

nn_status nn_dataset_copy_meta(nn_dataset *dst, const nn_dataset *src, nn_error *err) {
    dst->n_features = src->n_features;
    dst->n_classes = src->n_classes;
    dst->x_scale = src->x_scale;
    memcpy(dst->image_shape, src->image_shape, sizeof dst->image_shape);
    dst->values = copy_reals(src->values, src->n_classes);
    dst->label_names = nn_strings_copy(src->label_names, src->n_classes);
    dst->feature_names = nn_strings_copy(src->feature_names, src->n_features);
    dst->label_column = src->label_column ? strdup(src->label_column) : NULL;
    dst->feature_mean = copy_reals(src->feature_mean, src->n_features);
    dst->feature_std = copy_reals(src->feature_std, src->n_features);
    if ((src->values && !dst->values) || (src->label_names && !dst->label_names) ||
        (src->feature_names && !dst->feature_names) ||
        (src->label_column && !dst->label_column) ||
        (src->feature_mean && !dst->feature_mean) || (src->feature_std && !dst->feature_std))
        return nn_set_error(err, NN_ERR_NOMEM, "dataset: out of memory copying its descriptions");
    return NN_OK;
}
