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
#include "infer.h"
#include "model_data.h"
#include "teacher.h"
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

/* --limit as one process applies it to the training set (nn_dataset_limit:
 * the first c->limit rows after a shuffle with --limit-seed, in that order),
 * on the global training rows, the same on every rank; cuts this rank's
 * training rows and the shard to them. */
static nn_status limit_rows(const train_config *c, nn_dataset *train, train_shard *shard, nn_error *err) {
    if (!c->limit) return NN_OK;
    if (c->limit > shard->n)
        return nn_set_error(err, NN_ERR_ARG, "--limit %d: the training set has %d samples", c->limit, shard->n);
    int *perm = malloc((size_t)shard->n * sizeof *perm);     /* (shard->n) global training rows, shuffled */
    int *row = malloc((size_t)c->limit * sizeof *row);       /* (limit) the new shard->row */
    int *take = malloc((size_t)(train->n + 1) * sizeof *take); /* this rank's rows kept, in order */
    nn_status st = perm && row && take ? NN_OK : nn_set_error(err, NN_ERR_NOMEM, "--limit: out of memory");
    /* nn_dataset_limit shuffles as nn_dataset_split does, i.e. nn_split_order
     * (nn/data.h); the fraction only sets n_val, which is not used here */
    int n_val;
    nn_error why;
    if (!st && shard->n == 1) perm[0] = 0;
    else if (!st && (st = nn_split_order(shard->n, 0.5, c->limit_seed, perm, &n_val, &why)))
        nn_set_error(err, st, "--limit: %s", why.msg);
    int m = 0;
    for (int j = 0; !st && j < c->limit; j++) {
        int r = shard->row[perm[j]];
        row[j] = r >= 0 ? m : -1;
        if (r >= 0) take[m++] = r;
    }
    nn_dataset kept;
    if (!st && !(st = nn_dataset_subset(train, take, m, &kept, err))) {
        nn_dataset_free(train);
        *train = kept;
        free(shard->row);
        shard->row = row, row = NULL;
        shard->n = c->limit;
    }
    free(perm);
    free(row);
    free(take);
    return st;
}

int prepare_shard(const train_config *c, const data_options *d, const double *values,
                  int n_values, const nn_arch *a, nn_dataset *train, nn_dataset *val,
                  train_shard *shard) {
    int K = a->sizes[a->n_sizes - 1];
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
        nn_dataset_free(&local); /* loaded here, failed elsewhere (freeing twice is safe) */
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
    /* the teacher's logits for this rank's rows: a model teacher runs on
     * them, a .npy file of every row gives rows [first, first + local.n) */
    if (!train_ranks_ready(!c->teacher || attach_teacher_rows(CMD, c->teacher, a, &local, first, n_all))) {
        nn_dataset_free(&local);
        return 0;
    }
    if (n_all < 1 || n_all > INT32_MAX)
        st = nn_set_error(&err, NN_ERR_FORMAT, "%s: %ld samples", c->data, n_all);
    if (!st) st = split_rows(c, &local, first, n_all, train, val, shard, &err);
    if (!st) st = limit_rows(c, train, shard, &err); /* after the split, as in one process */
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

int train_ranks_ready(int ok) {
    nn_error err = {0};
    if (!ok) snprintf(err.msg, sizeof err.msg, "%s", cli_last_error());
    if (!dist_agree(ok ? NN_OK : NN_ERR_ARG, &err)) return 1;
    if (ok) cli_error(CMD, "%s", err.msg); /* another rank's failure: rank 0 has not said it */
    return 0;
}

void train_share_state(nn_model *m, nn_optimizer *opt, nn_checkpoint_info *ck) {
    if (dist_size() == 1) return;
    size_t bytes = nn_graph_n_params(m->g) * sizeof(nn_real);
    dist_broadcast(nn_graph_params(m->g), bytes);
    for (int i = 0; i < nn_optimizer_n_state(opt); i++)
        dist_broadcast(nn_optimizer_state(opt, i, NULL), bytes);
    long steps = nn_optimizer_steps(opt);
    dist_broadcast(&steps, sizeof steps);
    nn_optimizer_set_steps(opt, steps);
    const char *history = ck->history; /* a buffer of this rank's, kept */
    dist_broadcast(ck, sizeof *ck);
    ck->history = history;
}

void train_reduce_stats(nn_epoch_stats *s) {
    if (dist_size() == 1) return;
    /* sums of per-row quantities; correct counts are integers, exact in a double */
    double rows = (double)s->rows;
    double sum[4] = {rows ? s->loss * rows : 0, rows ? round(s->train_acc * rows) : 0, rows, (double)s->clamped};
    dist_sum(sum, 4);
    s->clamped = (long)sum[3];
    s->rows = (long)sum[2];
    s->loss = sum[0] / sum[2];
    s->train_acc = sum[1] / sum[2];
}

int train_load_test(nn_dataset *test, const train_config *c, const nn_model *m) {
    memset(test, 0, sizeof *test);
    int ranks = dist_size();
    int ok = load_data_for_model_part(test, CMD, c->test, m, 0, c->skip_bad, ranks > 1 ? dist_rank() : 0,
                                      ranks > 1 ? ranks : 0);
    return train_ranks_ready(ok);
}

nn_status train_evaluate_part(nn_trainer *t, const nn_graph *g, const nn_dataset *d, nn_eval_stats *v,
                              nn_status st, nn_error *err) {
    if (dist_size() == 1) return st ? st : nn_trainer_evaluate(t, d, v, err);
    nn_eval_stats mine = {0};
    if (!st && d->n) st = nn_trainer_evaluate(t, d, &mine, err);
    double sum[NN_EVAL_N_SUMS] = {0}; /* a rank that failed, or holds no row, adds nothing */
    if (!st) memcpy(sum, &mine.sums, sizeof sum);
    dist_sum(sum, (int)NN_EVAL_N_SUMS);
    memcpy(&mine.sums, sum, sizeof sum);
    *v = nn_eval_stats_from_sums(g, &mine.sums);
    return st;
}

int train_all_labels(const nn_dataset *train, const train_shard *shard, nn_dataset *all) {
    *all = *train;
    if (!shard) return 1;
    all->x_u8 = NULL, all->x_real = NULL, all->targets = NULL; /* labels only */
    all->n = shard->n;
    all->labels = calloc((size_t)shard->n, sizeof *all->labels);
    if (!all->labels) cli_error(CMD, "out of memory for %d labels", shard->n);
    if (!train_ranks_ready(all->labels != NULL)) {
        free(all->labels);
        all->labels = NULL;
        return 0;
    }
    for (int j = 0; j < shard->n; j++) /* each row is held by one rank; the others add 0 */
        if (shard->row[j] >= 0) all->labels[j] = train->labels[shard->row[j]];
    dist_sum_ints(all->labels, (size_t)shard->n);
    return 1;
}

void train_all_labels_free(nn_dataset *all, const train_shard *shard) {
    if (shard) free(all->labels);
    all->labels = NULL;
}

nn_status train_ordinal_scores(nn_model *m, const nn_dataset *val, double *mae, double *qwk,
                               nn_status st, nn_error *err) {
    if (dist_size() == 1) {
        if (!st && !infer_ordinal_scores(m, val, mae, qwk))
            st = nn_set_error(err, NN_ERR_NOMEM, "out of memory for the validation metrics");
        return st;
    }
    /* MAE and QWK from sums over rows (nn_quadratic_weighted_kappa's), which
     * add up exactly over the ranks */
    int K = m->arch.sizes[m->arch.n_sizes - 1], n = st ? 0 : val->n;
    nn_real *probs = n ? infer_probs(m, val) : NULL;
    int32_t *pred = n ? malloc((size_t)n * sizeof *pred) : NULL;
    double sum[7] = {0}; /* n, n · MAE, Σ (p − y)², Σ y, Σ y², Σ p, Σ p² */
    nn_predict_rule rule = (nn_predict_rule)model_rule(m, NULL);
    int from_logits = n && probs && pred && rule == NN_RULE_RANK ? infer_rank(m, val, pred) : 0;
    if (n && (!probs || !pred || from_logits < 0)) {
        st = nn_set_error(err, NN_ERR_NOMEM, "out of memory for the validation metrics");
        n = 0;
    }
    if (n) { /* as infer_ordinal_scores reads the classes */
        if (from_logits == 0) nn_predict_classes(pred, probs, n, K, m->data.values, rule);
        sum[0] = n;
        sum[1] = n * nn_mae_expected(probs, val->labels, n, K, m->data.values);
        for (int b = 0; b < n; b++) {
            double y = val->labels[b], p = pred[b];
            sum[2] += (p - y) * (p - y), sum[3] += y, sum[4] += y * y, sum[5] += p, sum[6] += p * p;
        }
    }
    free(probs);
    free(pred);
    dist_sum(sum, 7);
    double N = sum[0], expected = sum[4] + sum[6] - 2 * sum[3] * sum[5] / N;
    *mae = N ? sum[1] / N : NAN;
    *qwk = N && expected > 0 ? 1 - sum[2] / expected : NAN;
    return st;
}

nn_status train_check_ranks_agree(nn_graph *g, int epoch, nn_error *err) {
    if (dist_size() == 1) return NN_OK;
    /* a checksum of the parameters: position-weighted, so a swap shows too */
    const nn_real *p = nn_graph_params(g);
    double sum = 0;
    for (size_t i = 0, n = nn_graph_n_params(g); i < n; i++) sum += (double)p[i] * (double)(i % 1024 + 1);
    if (dist_any(!dist_same(sum)))
        return nn_set_error(err, NN_ERR_NUMERIC,
                            "after epoch %d the ranks hold different parameters (the allreduce did not "
                            "give every rank the same sum)", epoch);
    return NN_OK;
}
