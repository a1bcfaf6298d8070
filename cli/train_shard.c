/* train_shard.c — the data of one rank of `nn-mpi train`.
 *
 * Rank r of N reads part r of --data (data_source.c: IDX files and image
 * folders decode only those rows, a CSV file is read whole and cut), so the
 * memory per rank falls with N. The rows of all ranks, in rank order, are
 * the rows one process would read; the validation split and the
 * standardisation are computed on that whole, so every rank agrees with a
 * single process on which row is a training row and on the statistics. The
 * training loop then shuffles all training rows with the same generator on
 * every rank, and each rank takes, of every global batch, the rows it holds
 * (shard.row).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "dist.h"
#include "train.h"

#define CMD "train"

/* Every rank fails or none does: rank 0 prints the first failure. */
static int agreed(nn_status st, nn_error *err) {
    if (dist_agree(st, err)) {
        cli_error(CMD, "%s", err->msg);
        return 0;
    }
    return 1;
}

static double value_at(const nn_dataset *d, size_t i) {
    return d->x_u8 ? d->x_u8[i] * d->x_scale : (double)d->x_real[i];
}

/* Standardisation fitted on the training rows of all ranks (two passes, as
 * nn_dataset_fit_standardization does on one process), set on train and
 * val. */
static nn_status fit_standardization(nn_dataset *train, nn_dataset *val, long n_train,
                                     nn_error *err) {
    size_t F = (size_t)train->n_features;
    double *mean = calloc(F, sizeof *mean), *sd = calloc(F, sizeof *sd);
    nn_status st = NN_OK;
    if (!mean || !sd) st = nn_set_error(err, NN_ERR_NOMEM, "standardise: out of memory");
    if (dist_agree(st, err)) {
        free(mean);
        free(sd);
        return err->code;
    }
    for (size_t r = 0; r < (size_t)train->n; r++)
        for (size_t j = 0; j < F; j++) mean[j] += value_at(train, r * F + j);
    dist_sum(mean, (int)F);
    for (size_t j = 0; j < F; j++) mean[j] /= (double)n_train;
    for (size_t r = 0; r < (size_t)train->n; r++)
        for (size_t j = 0; j < F; j++) {
            double dev = value_at(train, r * F + j) - mean[j];
            sd[j] += dev * dev;
        }
    dist_sum(sd, (int)F);
    for (size_t j = 0; j < F; j++) {
        sd[j] = sqrt(sd[j] / (double)n_train); /* population std, as on one process */
        if (!(sd[j] >= NN_STD_MIN)) sd[j] = 1.0;
    }
    st = nn_dataset_set_standardization(train, mean, sd, err);
    if (!st) st = nn_dataset_set_standardization(val, mean, sd, err);
    free(mean);
    free(sd);
    return st;
}

/* Splits this rank's rows (global rows [first, first + local->n) of n_all)
 * into train and val as nn_dataset_split splits all of them, and fills
 * shard->row. */
static nn_status split_rows(const train_config *c, const nn_dataset *local, long first, long n_all,
                            nn_dataset *train, nn_dataset *val, train_shard *shard, nn_error *err) {
    int *perm = malloc((size_t)n_all * sizeof *perm), n_val = 0;
    int *take = malloc((size_t)(local->n + 1) * sizeof *take);
    shard->n = 0;
    shard->row = NULL;
    nn_status st = NN_OK;
    if (!perm || !take) st = nn_set_error(err, NN_ERR_NOMEM, "out of memory for %ld rows", n_all);
    if (!st && c->val_fraction > 0) {
        nn_error why;
        if ((st = nn_split_order((int)n_all, c->val_fraction, c->seed, perm, &n_val, &why)))
            nn_set_error(err, st, "--val-fraction: %s", why.msg);
    } else if (!st) {
        for (long i = 0; i < n_all; i++) perm[i] = (int)i;
    }
    if (!st) {
        shard->n = (int)(n_all - n_val);
        if (!(shard->row = malloc((size_t)shard->n * sizeof *shard->row)))
            st = nn_set_error(err, NN_ERR_NOMEM, "out of memory for %ld rows", n_all);
    }
    int m = 0;
    for (int j = 0; !st && j < n_val; j++) /* validation rows: their order does not matter */
        if (perm[j] >= first && perm[j] < first + local->n) take[m++] = (int)(perm[j] - first);
    if (!st) st = nn_dataset_subset(local, take, m, val, err);
    m = 0;
    for (int j = 0; !st && j < shard->n; j++) {
        long g = perm[n_val + j];
        shard->row[j] = g >= first && g < first + local->n ? m : -1;
        if (shard->row[j] >= 0) take[m++] = (int)(g - first);
    }
    if (!st) st = nn_dataset_subset(local, take, m, train, err);
    free(perm);
    free(take);
    return st;
}

int prepare_shard(const train_config *c, const data_options *d, const double *values,
                  int n_values, int K, nn_dataset *train, nn_dataset *val, train_shard *shard) {
    nn_error err;
    nn_dataset local;
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    memset(shard, 0, sizeof *shard);
    data_options mine = *d;
    mine.part = dist_rank();
    mine.n_parts = dist_size();
    nn_status st = load_data(&local, c->data, &mine, NULL, &err);
    if (!st && (st = train_set_values(&local, c->data, values, n_values, K, &err)))
        nn_dataset_free(&local);
    if (!agreed(st, &err)) {
        if (!st) nn_dataset_free(&local);
        return 0;
    }
    long *counts = malloc((size_t)dist_size() * sizeof *counts), first = 0, n_all = 0;
    if (!counts) st = nn_set_error(&err, NN_ERR_NOMEM, "out of memory");
    if (!agreed(st, &err)) {
        nn_dataset_free(&local);
        return 0;
    }
    dist_gather(local.n, counts);
    for (int r = 0; r < dist_size(); r++) {
        if (r < dist_rank()) first += counts[r];
        n_all += counts[r];
    }
    free(counts);
    if (n_all < 1 || n_all > INT32_MAX)
        st = nn_set_error(&err, NN_ERR_FORMAT, "%s: %ld samples", c->data, n_all);
    if (!st) st = split_rows(c, &local, first, n_all, train, val, shard, &err);
    nn_dataset_free(&local);
    int csv = !train->x_u8; /* tabular data: standardised unless told otherwise */
    if (agreed(st, &err) && (!(c->standardize || (csv && !c->no_standardize)) ||
                             agreed(fit_standardization(train, val, shard->n, &err), &err)))
        return 1;
    nn_dataset_free(train);
    nn_dataset_free(val);
    free(shard->row);
    shard->row = NULL;
    return 0;
}
