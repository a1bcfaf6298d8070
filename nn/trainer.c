/* trainer.c — the training loop, one epoch per call (nn_trainer in nn.h).
 *
 * Everything a step needs is set up by nn_trainer_create: the data and the
 * nodes are checked, the index permutation is allocated, flush-to-zero is
 * turned on and the thread tuning starts. A step allocates nothing; it reads
 * the next rows of the epoch's permutation and runs
 *
 *   gather → zero_grad → forward → backward → reduce hook → finite? → clip →
 *   scheduled lr → optimizer
 *
 * nn_trainer_free undoes the set-up. The trainer prints nothing: a driver
 * draws its progress from the step callback and its epoch lines from
 * nn_epoch_stats.
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "nn/finite.h"
#include "nn/ftz.h"
#include "nn/threads.h"
#include "nn/trainer.h"

struct nn_trainer {
    nn_graph          *g;
    nn_optimizer      *opt;
    const nn_dataset  *train;
    nn_train_nodes     nodes;
    nn_trainer_options o;
    nn_rng             rng;         /* the shuffles */
    int                next_epoch;  /* number of the next epoch */
    int                n_batches;   /* per epoch */
    int                K;           /* columns of nodes.probs */
    int               *perm;        /* (n_rows) sample order of the epoch */
    int                n_rows;      /* rows of the whole training set: train->n, or shard->n */
    int               *local;       /* (batch) with a shard: the rows of `train` in a step */
    int                n_losses;    /* loss nodes of g */
    double            *norms;       /* (n_losses) their normalisers, when reduce_norms is
                                       called (not every loss averages rows); else NULL */
    unsigned           fp_mode;     /* the thread's denormal mode before create */
    nn_thread_gov      gov;
};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Number of rows b in [0, B) whose argmax (nn_argmax, NaN-aware) of
 * probs (B, K) equals labels[b]. */
static long count_correct(const nn_real *probs, int K, const int32_t *labels, int B) {
    long correct = 0;
    for (int b = 0; b < B; b++) correct += nn_argmax(probs + (size_t)b * K, K) == labels[b];
    return correct;
}

/* 1 if the graph reads targets from an input node of its own (nodes.targets
 * other than x), so that data without targets cannot give its loss. */
static int reads_targets(nn_graph *g, const nn_train_nodes *nodes) {
    return nodes->targets != nodes->x && nn_input_data(g, nodes->targets) != NULL;
}

/* The nodes against d's shape; messages start with `name` ("train: the
 * training data"). */
static nn_status check_nodes(nn_graph *g, const nn_train_nodes *nodes, const nn_dataset *d,
                             const char *name, nn_error *err) {
    if (!nn_input_data(g, nodes->x))
        return nn_set_error(err, NN_ERR_ARG, "train: node %d is not an input node", nodes->x);
    if (!nn_label_data(g, nodes->labels))
        return nn_set_error(err, NN_ERR_ARG, "train: node %d is not a labels node", nodes->labels);
    if (nodes->probs < 0 || nodes->probs >= g->n_nodes)
        return nn_set_error(err, NN_ERR_ARG, "train: prediction node %d does not exist", nodes->probs);
    if (nn_node_width(g, nodes->x) != d->n_features)
        return nn_set_error(err, NN_ERR_SHAPE, "%s have %d features but the input node takes %d",
                            name, d->n_features, nn_node_width(g, nodes->x));
    if (d->targets && (!nn_input_data(g, nodes->targets) || nodes->targets == nodes->x ||
                       nn_node_width(g, nodes->targets) != d->target_width))
        return nn_set_error(err, NN_ERR_SHAPE,
                            "%s have targets of width %d but node %d is not a separate input "
                            "node of that width", name, d->target_width, nodes->targets);
    if (d->n_classes > nn_node_width(g, nodes->labels))
        return nn_set_error(err, NN_ERR_SHAPE, "%s have %d classes but the network predicts %d",
                            name, d->n_classes, nn_node_width(g, nodes->labels));
    return NN_OK;
}

nn_status nn_trainer_check_data(nn_trainer *t, const nn_dataset *d, const char *name,
                                nn_error *err) {
    if (!d) return nn_set_error(err, NN_ERR_ARG, "%s: none given", name);
    nn_status st = check_nodes(t->g, &t->nodes, d, name, err);
    return st ? st : nn_dataset_validate(d, name, err);
}

/* Copies rows idx[0..B) of d into the graph's input, label and (when d has
 * them) target buffers. */
static void feed(nn_graph *g, const nn_train_nodes *nodes, const nn_dataset *d,
                 const int *idx, int B) {
    nn_dataset_gather(d, idx, B, nn_input_data(g, nodes->x), nn_label_data(g, nodes->labels));
    if (d->targets) nn_dataset_gather_targets(d, idx, B, nn_input_data(g, nodes->targets));
}

/* The ordinal sums of a batch into s; values (K) or NULL (0..K−1). They
 * stream, so nothing is allocated. */
static void add_ordinal(nn_eval_sums *s, const double *values, const nn_real *probs, int K,
                        const int32_t *labels, int B) {
    for (int b = 0; b < B; b++) {
        const nn_real *row = probs + (size_t)b * K; /* (K) */
        double mu = 0;
        for (int k = 0; k < K; k++) mu += (values ? values[k] : k) * (double)row[k];
        int y = labels[b], p = nn_argmax(row, K);
        s->abs_err += fabs(mu - (values ? values[y] : y));
        s->sq_diff += (double)(p - y) * (p - y);
        s->sy += y, s->sy2 += (double)y * y, s->sp += p, s->sp2 += (double)p * p;
    }
}

/* Forward passes over d in batches of max_batch, in evaluation mode. Adds
 * to *sums (when not NULL) the losses' parts (nn_graph_loss_norms) and the
 * ordinal sums (values: (K) or NULL), and returns the rows whose argmax is
 * right. Stops at the first forward that reports a data error when
 * `run_err` is not NULL (copying the message there). */
static long eval_batches(nn_graph *g, const nn_train_nodes *nodes, const nn_dataset *d,
                         nn_eval_sums *sums, const double *values, const char **run_err) {
    enum { CHUNK = 256 }; /* indices gathered per call, on the stack */
    int B = g->max_batch, K = nn_node_width(g, nodes->probs), idx[CHUNK];
    long correct = 0;
    int was_training = g->training; /* restored below: the caller's mode */
    nn_graph_set_training(g, 0);
    for (int start = 0, n = 0; start < d->n; start += n) { /* start + n <= d->n: no overflow */
        n = d->n - start < B ? d->n - start : B;
        for (int done = 0; done < n; done += CHUNK) {
            int m = n - done < CHUNK ? n - done : CHUNK;
            for (int i = 0; i < m; i++) idx[i] = start + done + i;
            nn_dataset_gather(d, idx, m, nn_input_data(g, nodes->x) + (size_t)done * d->n_features,
                              nn_label_data(g, nodes->labels) + done);
            if (d->targets)
                nn_dataset_gather_targets(d, idx, m, nn_input_data(g, nodes->targets) +
                                                         (size_t)done * d->target_width);
        }
        nn_graph_forward(g, n);
        if (run_err && nn_graph_run_error(g)) {
            *run_err = nn_graph_run_error(g);
            break;
        }
        correct += count_correct(nn_output(g, nodes->probs), K, nn_label_data(g, nodes->labels), n);
        if (sums) {
            double norm[NN_EVAL_MAX_LOSSES], sum[NN_EVAL_MAX_LOSSES];
            int n_losses = nn_graph_loss_norms(g, norm, sum, NN_EVAL_MAX_LOSSES);
            for (int i = 0; i < n_losses && i < NN_EVAL_MAX_LOSSES; i++)
                sums->loss_sum[i] += sum[i], sums->loss_norm[i] += norm[i];
            add_ordinal(sums, values, nn_output(g, nodes->probs), K, nn_label_data(g, nodes->labels), n);
        }
    }
    nn_graph_set_training(g, was_training);
    return correct;
}

double nn_evaluate_accuracy(nn_graph *g, const nn_train_nodes *nodes, const nn_dataset *d) {
    long correct = eval_batches(g, nodes, d, NULL, NULL, NULL);
    return d->n ? (double)correct / d->n : NAN; /* no samples: no accuracy */
}

static nn_status check_options(nn_graph *g, const nn_trainer_options *o, const nn_dataset *train,
                               nn_error *err) {
    if (!g || !g->compiled) return nn_set_error(err, NN_ERR_ARG, "train: compile the graph first");
    if (!o) return nn_set_error(err, NN_ERR_ARG, "train: no options");
    if (o->batch < 1 || o->batch > g->max_batch)
        return nn_set_error(err, NN_ERR_ARG, "train: batch %d outside 1..%d (the graph's max_batch)",
                            o->batch, g->max_batch);
    if (o->first_epoch < 0)
        return nn_set_error(err, NN_ERR_ARG, "train: first epoch %d is negative", o->first_epoch);
    if (o->shard) {
        if (!train || o->shard->n < 1 || !o->shard->row)
            return nn_set_error(err, NN_ERR_ARG, "train: the shard describes no rows");
        for (int i = 0; i < o->shard->n; i++)
            if (o->shard->row[i] < -1 || o->shard->row[i] >= train->n)
                return nn_set_error(err, NN_ERR_ARG,
                                    "train: shard row %d is %d, outside -1..%d (this process's rows)",
                                    i, o->shard->row[i], train->n - 1);
    } else if (!train || train->n < 1) { /* a shard may hold no row of its own */
        return nn_set_error(err, NN_ERR_ARG, "train: the training set is empty");
    } else if (o->reduce_norms) {
        return nn_set_error(err, NN_ERR_ARG, "train: reduce_norms goes with a shard");
    }
    if (!(o->clip_grad_norm >= 0) || !isfinite(o->clip_grad_norm))
        return nn_set_error(err, NN_ERR_ARG, "train: clip_grad_norm must be >= 0 and finite, got %g",
                            o->clip_grad_norm);
    if (o->schedule) {
        nn_status st = nn_lr_schedule_check(o->schedule, err);
        if (st) return st;
    }
    return NN_OK;
}

nn_trainer *nn_trainer_create(nn_graph *g, nn_optimizer *opt, const nn_train_nodes *nodes,
                              const nn_dataset *train, const nn_trainer_options *o,
                              nn_error *err) {
    if (check_options(g, o, train, err)) return NULL;
    if (!opt) {
        nn_set_error(err, NN_ERR_ARG, "train: no optimizer");
        return NULL;
    }
    if (!nodes) {
        nn_set_error(err, NN_ERR_ARG, "train: no nodes");
        return NULL;
    }
    if (check_nodes(g, nodes, train, "train: the training data", err) ||
        nn_train_check_inputs(g, train, err)) /* finite.c */
        return NULL;
    int n_losses = nn_graph_loss_norms(g, NULL, NULL, 0);
    if (n_losses > NN_EVAL_MAX_LOSSES) { /* nn_eval_sums holds each loss's parts */
        nn_set_error(err, NN_ERR_ARG, "train: the graph has %d losses; a trainer takes at most %d "
                     "(NN_EVAL_MAX_LOSSES)", n_losses, NN_EVAL_MAX_LOSSES);
        return NULL;
    }
    nn_trainer *t = calloc(1, sizeof *t);
    int n_rows = o->shard ? o->shard->n : train->n;
    int *perm = malloc((size_t)n_rows * sizeof *perm);
    int *local = o->shard ? malloc((size_t)o->batch * sizeof *local) : NULL;
    int share = o->reduce_norms && !nn_graph_losses_average_rows(g); /* else rows weigh exactly */
    double *norms = share ? malloc((size_t)(n_losses + 1) * sizeof *norms) : NULL;
    if (!t || !perm || (o->shard && !local) || (share && !norms)) {
        free(t);
        free(perm);
        free(local);
        free(norms);
        nn_set_error(err, NN_ERR_NOMEM, "train: out of memory");
        return NULL;
    }
    *t = (nn_trainer){.g = g, .opt = opt, .train = train, .nodes = *nodes, .o = *o, .perm = perm,
                        .n_rows = n_rows, .local = local, .n_losses = n_losses, .norms = norms};
    nn_rng_seed(&t->rng, o->seed);
    t->next_epoch = o->first_epoch > 0 ? o->first_epoch : 1;
    t->K = nn_node_width(g, nodes->probs);
    t->n_batches = n_rows / o->batch + (n_rows % o->batch != 0); /* no n + batch overflow */
    /* Denormals flushed to zero while the trainer lives (ftz.c); with
     * adapt_threads, OpenBLAS's thread count chosen by timing steps
     * (threads.c). Both are given back by nn_trainer_free. */
    t->fp_mode = nn_fp_mode_save();
    nn_enable_flush_to_zero();
    nn_thread_gov_init(&t->gov, o->adapt_threads);
    return t;
}

void nn_trainer_free(nn_trainer *t) {
    if (!t) return;
    nn_thread_gov_finish(&t->gov);
    nn_fp_mode_restore(t->fp_mode);
    free(t->perm);
    free(t->local);
    free(t->norms);
    free(t);
}

nn_rng nn_trainer_rng(const nn_trainer *t) { return t->rng; }
void   nn_trainer_set_rng(nn_trainer *t, nn_rng rng) { t->rng = rng; }
int    nn_trainer_next_epoch(const nn_trainer *t) { return t->next_epoch; }

/* Fisher-Yates over the identity, so the order depends only on the
 * generator's state. */
static void shuffle(int *perm, int n, nn_rng *rng) {
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)nn_rng_below(rng, (uint32_t)i + 1);
        int tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
}

/* reduce_norms (see nn_trainer_options): each loss's normaliser summed over
 * the processes — this one's B rows give nothing when it has none or its
 * loss is not finite (its gradient is poisoned) — and, scaled by
 * B / global_B, set for backward, so that reduce_grads' weighting by
 * B / global_B leaves Σ_local ∂(s_b l_b) / D_global: this process's part of
 * the global batch's mean. *loss becomes the loss with those normalisers. */
static nn_status share_norms(nn_trainer *t, int B, int global_B, double *loss, nn_error *err) {
    int live = B > 0 && isfinite(*loss);
    if (live) nn_graph_loss_norms(t->g, t->norms, NULL, t->n_losses);
    else
        for (int i = 0; i < t->n_losses; i++) t->norms[i] = 0;
    nn_status st = t->o.reduce_norms(t->norms, t->n_losses, t->o.reduce_user, err);
    if (st || !live) return st;
    *loss = nn_graph_set_loss_norms(t->g, t->norms, t->n_losses, (double)B / global_B);
    return NN_OK;
}

/* Fills the gradient buffer with NaN: what a process whose loss is not
 * finite hands the reduce hook, so that every process skips or stops. */
static void poison_grads(nn_graph *g) {
    for (size_t i = 0; i < g->n_params; i++) g->grads[i] = (nn_real)NAN;
}

nn_status nn_trainer_epoch(nn_trainer *t, nn_epoch_stats *out, nn_error *err) {
    nn_graph *g = t->g;
    const nn_dataset *train = t->train;
    const nn_train_nodes *nodes = &t->nodes;
    const nn_trainer_options *o = &t->o;
    int epoch = t->next_epoch, skipped = 0, steps = 0;
    long clamped = 0; /* jacobian-mode clamps engaged, over the epoch's backward passes */
    double t0 = now_seconds(), loss_sum = 0;
    long correct = 0, used = 0; /* rows in the steps taken */
    nn_status st = NN_OK;
    int was_training = g->training;
    nn_graph_set_training(g, 1);
    shuffle(t->perm, t->n_rows, &t->rng);
    for (int bi = 0; bi < t->n_batches; bi++) {
        int start = bi * o->batch;
        int global_B = t->n_rows - start < o->batch ? t->n_rows - start : o->batch;
        const int *rows = t->perm + start; /* (B) rows of `train` in this step */
        int B = global_B;
        if (o->shard) { /* the rows of the global batch this process holds */
            B = 0;
            for (int i = 0; i < global_B; i++) {
                int r = o->shard->row[t->perm[start + i]];
                if (r >= 0) t->local[B++] = r;
            }
            rows = t->local;
        }
        nn_thread_gov_step_begin(&t->gov); /* threads.c */
        nn_graph_zero_grad(g);
        double loss = 0; /* no rows here: a zero gradient, weighted 0 by the hook */
        if (B > 0) {
            feed(g, nodes, train, rows, B);
            loss = nn_graph_forward(g, B);
        }
        if (t->norms && (st = share_norms(t, B, global_B, &loss, err))) break;
        if (B > 0 && isfinite(loss)) {
            if (nn_graph_backward(g, B)) { /* nothing to differentiate */
                st = nn_set_error(err, NN_ERR_ARG, "train: epoch %d, batch %d: %s", epoch, bi + 1,
                                  nn_graph_run_error(g));
                break;
            }
            clamped += nn_graph_clamped(g);
        }
        if (o->reduce_grads) {
            if (!isfinite(loss)) poison_grads(g);
            if ((st = o->reduce_grads(g->grads, g->n_params, B, global_B, o->reduce_user, err)))
                break;
        }
        if (!isfinite(loss) || !nn_all_finite(g->grads, g->n_params)) { /* finite.c */
            if ((st = nn_train_nonfinite(g, B, loss, o->on_nonfinite, epoch, bi + 1, err))) break;
            skipped++;
        } else {
            if (o->clip_grad_norm > 0) nn_clip_grad_norm(g, o->clip_grad_norm); /* clip_grad.c */
            if (o->schedule) /* schedule.c: the rate of this step, from the steps taken */
                nn_optimizer_set_lr(t->opt, nn_lr_schedule_at(o->schedule, nn_optimizer_steps(t->opt)));
            nn_optimizer_step(t->opt);
            nn_thread_gov_step_end(&t->gov);
            steps++;
            used += B;
            loss_sum += loss * B;
            if (B > 0)
                correct += count_correct(nn_output(g, nodes->probs), t->K, nn_label_data(g, nodes->labels), B);
        }
        if (o->on_step)
            o->on_step(&(nn_step_info){.epoch = epoch, .step = bi + 1, .n_steps = t->n_batches,
                                       .loss = used ? loss_sum / used : NAN},
                       o->step_user);
    }
    nn_graph_set_training(g, was_training);
    if (!st) st = nn_train_check_epoch(g, epoch, skipped, t->n_batches, err); /* finite.c */
    if (st) return st;
    t->next_epoch++;
    if (out)
        *out = (nn_epoch_stats){.epoch = epoch,
                                .loss = loss_sum / used,
                                .train_acc = (double)correct / used,
                                .test_acc = -1,
                                .seconds = now_seconds() - t0,
                                .skipped = skipped,
                                .steps = steps,
                                .rows = used,
                                .clamped = clamped};
    return NN_OK;
}

nn_status nn_trainer_evaluate(nn_trainer *t, const nn_dataset *d, nn_eval_stats *out,
                              nn_error *err) {
    nn_status st = nn_trainer_check_data(t, d, "evaluate: the data", err);
    if (st) return st;
    const char *run_err = NULL;
    int has_loss = d->targets || !reads_targets(t->g, &t->nodes);
    nn_eval_sums s = {.rows = d->n, .no_loss = has_loss ? 0 : d->n};
    s.correct = (double)eval_batches(t->g, &t->nodes, d, &s, t->o.values, has_loss ? &run_err : NULL);
    if (run_err) return nn_set_error(err, NN_ERR_ARG, "evaluate: %s", run_err);
    if (out) *out = nn_eval_stats_from_sums(t->g, &s);
    return NN_OK;
}

nn_eval_stats nn_eval_stats_from_sums(const nn_graph *g, const nn_eval_sums *s) {
    double n = s->rows, expected = s->sy2 + s->sp2 - 2 * s->sy * s->sp / (n > 0 ? n : 1); /* as metrics.c */
    int n_losses = nn_graph_loss_norms(g, NULL, NULL, 0);
    double loss = nn_graph_loss_from_parts(g, s->loss_sum, s->loss_norm,
                                           n_losses < NN_EVAL_MAX_LOSSES ? n_losses : NN_EVAL_MAX_LOSSES);
    return (nn_eval_stats){.n = (int)n,
                           .loss = n > 0 && s->no_loss == 0 ? loss : NAN,
                           .accuracy = n > 0 ? s->correct / n : NAN,
                           .mae = n > 0 ? s->abs_err / n : NAN,
                           .qwk = n > 0 && expected > 0 ? 1 - s->sq_diff / expected : NAN,
                           .sums = *s};
}
