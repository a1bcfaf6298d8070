/* train.c — the training loop: shuffled mini-batches, one optimizer step per
 * batch, evaluation after each epoch.
 *
 * Everything the loop needs (the index permutation) is allocated before the
 * first step; a step itself allocates nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "nn/finite.h"
#include "nn/ftz.h"
#include "nn/threads.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Number of rows b in [0, B) whose argmax of probs (B, K) equals labels[b]. */
static int count_correct(const nn_real *probs, int K, const int32_t *labels, int B) {
    int correct = 0;
    for (int b = 0; b < B; b++) {
        const nn_real *row = probs + (size_t)b * K;
        int best = 0;
        for (int k = 1; k < K; k++)
            if (row[k] > row[best]) best = k;
        correct += best == labels[b];
    }
    return correct;
}

static void progress_bar(int epoch, int done, int total, double loss) {
    const int width = 30;
    int filled = (int)((long)width * done / total);
    printf("\repoch %3d [", epoch);
    for (int i = 0; i < width; i++) putchar(i < filled ? '=' : (i == filled ? '>' : ' '));
    printf("] %5.1f%%  loss %.4f", 100.0 * done / total, loss);
    fflush(stdout);
}

static nn_status check_nodes(nn_graph *g, const nn_train_nodes *nodes, const nn_dataset *d,
                             const char *which, nn_error *err) {
    if (!nn_input_data(g, nodes->x))
        return nn_set_error(err, NN_ERR_ARG, "train: node %d is not an input node", nodes->x);
    if (!nn_label_data(g, nodes->labels))
        return nn_set_error(err, NN_ERR_ARG, "train: node %d is not a labels node", nodes->labels);
    if (nodes->probs < 0 || nodes->probs >= g->n_nodes)
        return nn_set_error(err, NN_ERR_ARG, "train: prediction node %d does not exist", nodes->probs);
    if (nn_node_width(g, nodes->x) != d->n_features)
        return nn_set_error(err, NN_ERR_SHAPE,
                            "train: the %s data have %d features but the input node takes %d",
                            which, d->n_features, nn_node_width(g, nodes->x));
    if (d->targets && (!nn_input_data(g, nodes->targets) || nodes->targets == nodes->x ||
                       nn_node_width(g, nodes->targets) != d->target_width))
        return nn_set_error(err, NN_ERR_SHAPE,
                            "train: the %s data have targets of width %d but node %d is not a "
                            "separate input node of that width", which, d->target_width, nodes->targets);
    if (d->n_classes > nn_node_width(g, nodes->labels))
        return nn_set_error(err, NN_ERR_SHAPE,
                            "train: the %s data have %d classes but the network predicts %d",
                            which, d->n_classes, nn_node_width(g, nodes->labels));
    return NN_OK;
}

double nn_evaluate_accuracy(nn_graph *g, const nn_train_nodes *nodes, const nn_dataset *d) {
    int B = g->max_batch, correct = 0, K = nn_node_width(g, nodes->probs);
    int idx[256];
    int was_training = g->training; /* restored below: the caller's mode */
    nn_graph_set_training(g, 0);
    for (int start = 0, n = 0; start < d->n; start += n) { /* start + n <= d->n: no overflow */
        n = d->n - start < B ? d->n - start : B;
        for (int done = 0; done < n; done += 256) { /* gather without allocating */
            int m = n - done < 256 ? n - done : 256;
            for (int i = 0; i < m; i++) idx[i] = start + done + i;
            nn_dataset_gather(d, idx, m, nn_input_data(g, nodes->x) + (size_t)done * d->n_features,
                              nn_label_data(g, nodes->labels) + done);
            if (d->targets)
                nn_dataset_gather_targets(d, idx, m, nn_input_data(g, nodes->targets) +
                                                         (size_t)done * d->target_width);
        }
        nn_graph_forward(g, n);
        correct += count_correct(nn_output(g, nodes->probs), K, nn_label_data(g, nodes->labels), n);
    }
    nn_graph_set_training(g, was_training);
    return d->n ? (double)correct / d->n : NAN; /* no samples: no accuracy */
}

static nn_status train_epochs(nn_graph *g, nn_optimizer *opt, const nn_train_nodes *nodes,
                              const nn_dataset *train, const nn_dataset *test,
                              const nn_train_options *o, nn_epoch_callback cb, void *user,
                              nn_thread_gov *gov, nn_error *err) {
    nn_status st;
    if (!g || !g->compiled) return nn_set_error(err, NN_ERR_ARG, "train: compile the graph first");
    if (o->batch < 1 || o->batch > g->max_batch)
        return nn_set_error(err, NN_ERR_ARG, "train: batch %d outside 1..%d (the graph's max_batch)",
                            o->batch, g->max_batch);
    if (o->epochs < 0) return nn_set_error(err, NN_ERR_ARG, "train: epochs must be >= 0");
    if (train->n < 1) return nn_set_error(err, NN_ERR_ARG, "train: the training set is empty");
    if ((st = check_nodes(g, nodes, train, "training", err))) return st;
    if (test && (st = check_nodes(g, nodes, test, "test", err))) return st;
    if ((st = nn_train_check_inputs(g, train, test, err))) return st; /* finite.c */

    int *perm = malloc((size_t)train->n * sizeof *perm);
    if (!perm) return nn_set_error(err, NN_ERR_NOMEM, "train: out of memory");
    nn_rng own, *rng = o->rng;
    if (!rng) nn_rng_seed(rng = &own, o->seed);
    int bar = o->progress && isatty(STDOUT_FILENO);
    int K = nn_node_width(g, nodes->probs);
    int n_batches = train->n / o->batch + (train->n % o->batch != 0); /* no n + batch overflow */

    for (int epoch = o->first_epoch > 0 ? o->first_epoch : 1; epoch <= o->epochs; epoch++) {
        double t0 = now_seconds(), loss_sum = 0;
        long correct = 0, used = 0; /* samples in the steps taken */
        int skipped = 0;
        for (int i = 0; i < train->n; i++) perm[i] = i;
        for (int i = train->n - 1; i > 0; i--) { /* Fisher-Yates */
            int j = (int)nn_rng_below(rng, (uint32_t)i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int bi = 0; bi < n_batches; bi++) {
            int start = bi * o->batch;
            int B = train->n - start < o->batch ? train->n - start : o->batch;
            nn_thread_gov_step_begin(gov); /* threads.c */
            nn_dataset_gather(train, perm + start, B, nn_input_data(g, nodes->x),
                              nn_label_data(g, nodes->labels));
            if (train->targets)
                nn_dataset_gather_targets(train, perm + start, B, nn_input_data(g, nodes->targets));
            nn_graph_zero_grad(g);
            double loss = nn_graph_forward(g, B);
            if (isfinite(loss)) nn_graph_backward(g, B);
            if (!isfinite(loss) || !nn_all_finite(g->grads, g->n_params)) { /* finite.c */
                if ((st = nn_train_nonfinite(g, B, loss, o->on_nonfinite, epoch, bi + 1, err))) {
                    free(perm);
                    return st;
                }
                skipped++;
                continue;
            }
            nn_optimizer_step(opt);
            nn_thread_gov_step_end(gov);
            used += B;
            loss_sum += loss * B;
            correct += count_correct(nn_output(g, nodes->probs), K, nn_label_data(g, nodes->labels), B);
            if (bar && (bi % 16 == 0 || bi == n_batches - 1))
                progress_bar(epoch, bi + 1, n_batches, used ? loss_sum / used : NAN);
        }
        if ((st = nn_train_check_epoch(g, epoch, skipped, n_batches, err))) { /* finite.c */
            free(perm);
            return st;
        }
        nn_epoch_stats s = {.epoch = epoch,
                            .loss = loss_sum / used,
                            .train_acc = (double)correct / used,
                            .seconds = now_seconds() - t0,
                            .test_acc = -1,
                            .skipped = skipped};
        if (test) s.test_acc = nn_evaluate_accuracy(g, nodes, test);
        if (bar) printf("\r\033[K");
        if (o->verbose) {
            printf("epoch %3d  loss %.4f  train acc %.4f", epoch, s.loss, s.train_acc);
            if (skipped) printf("  (%d non-finite steps skipped)", skipped);
            if (test) printf("  test acc %.4f", s.test_acc);
            printf("  (%.2f s)\n", s.seconds);
            fflush(stdout);
        }
        if (cb) cb(&s, user);
    }
    free(perm);
    return NN_OK;
}

nn_status nn_train(nn_graph *g, nn_optimizer *opt, const nn_train_nodes *nodes,
                   const nn_dataset *train, const nn_dataset *test, const nn_train_options *o,
                   nn_epoch_callback cb, void *user, nn_error *err) {
    /* Denormals flushed to zero while training (ftz.c), the caller's mode
     * back afterwards. The callback runs with flushing on. */
    unsigned fp_mode = nn_fp_mode_save();
    nn_enable_flush_to_zero();
    /* With adapt_threads, OpenBLAS's thread count is chosen by timing steps
     * (threads.c) and given back afterwards. */
    nn_thread_gov gov;
    nn_thread_gov_init(&gov, o && o->adapt_threads);
    nn_status st = train_epochs(g, opt, nodes, train, test, o, cb, user, &gov, err);
    nn_thread_gov_finish(&gov);
    nn_fp_mode_restore(fp_mode);
    return st;
}
