/* test_trainer.c — the per-epoch trainer (nn_trainer in nn/nn.h): nn_train
 * is exactly a loop over it, a run resumed from the saved generator repeats
 * the uninterrupted one, the step callback and the gradient-reduce hook run
 * where the header says, the set-up happens once per trainer, and training
 * and evaluation count accuracy with the same NaN-aware argmax.
 *
 * Data: K = 3 Gaussian blobs in F = 6 dimensions (blobs.h).
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "nn/ftz.h"
#include "nn/graph_internal.h" /* the training flag */
#include "blobs.h"
#include "testutil.h"

enum { F = 6, K = 3, N = 60, MAX_B = 16 };

static nn_dataset blobs(int n, uint64_t seed) { return test_blobs(n, F, K, seed); }

typedef struct {
    nn_graph *g;
    nn_optimizer *opt;
    nn_train_nodes nodes;
} net;

/* x → dense 8 → relu → dense K → softmax → CE, plain SGD (lr) or with
 * momentum; `targets_width` > 0 adds an input node t of that width that no
 * loss reads (nodes.targets). */
static net make_net(double lr, double momentum, int targets_width) {
    net m;
    m.g = nn_graph_create(MAX_B);
    int x = nn_input(m.g, F), y = nn_labels(m.g, K);
    int t = targets_width > 0 ? nn_input(m.g, targets_width) : -1;
    int h = nn_relu(m.g, nn_dense(m.g, x, 8, NN_INIT_HE));
    int p = nn_softmax(m.g, nn_dense(m.g, h, K, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(m.g, p, y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(m.g, 7, &err) == NN_OK, "%s", err.msg);
    m.opt = nn_optimizer_create(
        m.g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = lr, .momentum = momentum}, &err);
    ck_assert_msg(m.opt != NULL, "%s", err.msg);
    m.nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p, .targets = t};
    return m;
}

static void free_net(net *m) {
    nn_optimizer_free(m->opt);
    nn_graph_free(m->g);
}

static int same_params(net *a, net *b) {
    size_t n = nn_graph_n_params(a->g);
    return n == nn_graph_n_params(b->g) &&
           memcmp(nn_graph_params(a->g), nn_graph_params(b->g), n * sizeof(nn_real)) == 0;
}

static nn_trainer *make_trainer(net *m, const nn_dataset *d, const nn_trainer_options *o) {
    nn_error err;
    nn_trainer *t = nn_trainer_create(m->g, m->opt, &m->nodes, d, o, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    return t;
}

static void epoch_ok(nn_trainer *t, nn_epoch_stats *s) {
    nn_error err;
    ck_assert_msg(nn_trainer_epoch(t, s, &err) == NN_OK, "%s", err.msg);
}

/* nn_train's callback, recording what it saw. */
typedef struct {
    nn_epoch_stats s[4];
    int n;
} history;

static void record(const nn_epoch_stats *s, void *user) {
    history *h = user;
    if (h->n < 4) h->s[h->n] = *s;
    h->n++;
}

/* nn_train is a loop over the trainer: same parameters bit for bit, same
 * statistics, and its test accuracy is nn_trainer_evaluate's. */
START_TEST(test_train_is_a_trainer_loop) {
    nn_dataset train = blobs(N, 1), test = blobs(30, 2);
    net a = make_net(0.05, 0.9, 0), b = make_net(0.05, 0.9, 0);
    nn_error err;
    history h = {0};
    nn_train_options o = {.epochs = 3, .batch = 8, .seed = 5};
    ck_assert_msg(nn_train(a.g, a.opt, &a.nodes, &train, &test, &o, record, &h, &err) == NN_OK,
                  "%s", err.msg);
    nn_trainer *t = make_trainer(&b, &train, &(nn_trainer_options){.batch = 8, .seed = 5});
    for (int e = 1; e <= 3; e++) {
        nn_epoch_stats s;
        nn_eval_stats v;
        ck_assert_int_eq(nn_trainer_next_epoch(t), e);
        epoch_ok(t, &s);
        ck_assert_int_eq(nn_trainer_evaluate(t, &test, &v, &err), NN_OK);
        ck_assert_int_eq(s.epoch, e);
        ck_assert_int_eq(s.steps, (N + 7) / 8);
        ck_assert_int_eq(s.skipped, 0);
        ck_assert(s.clamped == 0);
        ck_assert(s.test_acc == -1); /* the trainer does not evaluate by itself */
        ck_assert(s.loss == h.s[e - 1].loss && s.train_acc == h.s[e - 1].train_acc);
        ck_assert(v.accuracy == h.s[e - 1].test_acc);
        ck_assert_int_eq(v.n, 30);
    }
    ck_assert_int_eq(h.n, 3);
    ck_assert(same_params(&a, &b));
    ck_assert(h.s[2].loss < h.s[0].loss); /* it learns, so the comparison is not of no-ops */
    nn_trainer_free(t);
    free_net(&a);
    free_net(&b);
    nn_dataset_free(&train);
    nn_dataset_free(&test);
}
END_TEST

/* A run stopped after epoch 2 and resumed with a new trainer (first_epoch 3
 * and the generator saved after epoch 2) ends with the parameters of an
 * uninterrupted 4-epoch run; a trainer with another generator does not. */
START_TEST(test_resume_from_saved_generator) {
    nn_dataset train = blobs(N, 3);
    net a = make_net(0.05, 0.9, 0), b = make_net(0.05, 0.9, 0), c = make_net(0.05, 0.9, 0);
    nn_trainer_options o = {.batch = 8, .seed = 11};
    nn_epoch_stats s;
    nn_trainer *t = make_trainer(&a, &train, &o);
    for (int e = 0; e < 4; e++) epoch_ok(t, &s);
    nn_trainer_free(t);

    t = make_trainer(&b, &train, &o);
    epoch_ok(t, &s);
    epoch_ok(t, &s);
    nn_rng saved = nn_trainer_rng(t);
    nn_trainer_free(t);
    nn_trainer_options later = o;
    later.first_epoch = 3;
    later.seed = 999; /* overridden by the saved generator */
    t = make_trainer(&b, &train, &later);
    nn_trainer_set_rng(t, saved);
    ck_assert_int_eq(nn_trainer_next_epoch(t), 3);
    epoch_ok(t, &s);
    ck_assert_int_eq(s.epoch, 3);
    epoch_ok(t, &s);
    nn_trainer_free(t);
    ck_assert(same_params(&a, &b));

    t = make_trainer(&c, &train, &o); /* the same, without restoring the generator */
    epoch_ok(t, &s);
    epoch_ok(t, &s);
    nn_trainer_free(t);
    t = make_trainer(&c, &train, &later);
    epoch_ok(t, &s);
    epoch_ok(t, &s);
    nn_trainer_free(t);
    ck_assert(!same_params(&a, &c));
    free_net(&a);
    free_net(&b);
    free_net(&c);
    nn_dataset_free(&train);
}
END_TEST

/* The step callback: once per batch, steps 1..n_steps, and at the last step
 * the running loss is the epoch's loss. */
typedef struct {
    int calls, last_step, n_steps, epoch, in_order;
    double last_loss;
} steps_seen;

static void on_step(const nn_step_info *s, void *user) {
    steps_seen *v = user;
    v->in_order &= s->step == v->last_step + 1;
    v->calls++;
    v->last_step = s->step;
    v->n_steps = s->n_steps;
    v->epoch = s->epoch;
    v->last_loss = s->loss;
}

START_TEST(test_step_callback) {
    nn_dataset train = blobs(N, 4);
    net m = make_net(0.05, 0.9, 0);
    steps_seen v = {.in_order = 1};
    nn_trainer *t = make_trainer(&m, &train, &(nn_trainer_options){
        .batch = 16, .seed = 1, .first_epoch = 7, .on_step = on_step, .step_user = &v});
    nn_epoch_stats s;
    epoch_ok(t, &s);
    ck_assert_int_eq(v.calls, 4); /* 60 rows in batches of 16: 16, 16, 16, 12 */
    ck_assert_int_eq(v.n_steps, 4);
    ck_assert_int_eq(v.last_step, 4);
    ck_assert(v.in_order);
    ck_assert_int_eq(v.epoch, 7);
    ck_assert_int_eq(s.epoch, 7);
    ck_assert(v.last_loss == s.loss);
    nn_trainer_free(t);
    free_net(&m);
    nn_dataset_free(&train);
}
END_TEST

/* A fake reducer standing for two processes of which the other contributed
 * a zero gradient: the global mean is half the local one. With plain SGD,
 * training at lr with it must equal training at lr/2 without it, bit for bit
 * (both scalings are by a power of two) — so the hook runs after backward
 * and the optimizer uses what it returns. It sees the whole gradient buffer
 * and the batch's rows, short last batch included. */
typedef struct {
    nn_graph *g;
    int calls, bad_buffer, rows_total;
    int fail_at;  /* call number at which to return an error, or 0 */
    int nan_at;   /* call number at which to write a NaN, or 0 */
} reducer;

static nn_status halve(nn_real *grads, size_t n, int local, int global, void *user, nn_error *err) {
    reducer *r = user;
    r->calls++;
    r->bad_buffer |= grads != nn_graph_grads(r->g) || n != nn_graph_n_params(r->g) || local != global;
    r->rows_total += local;
    if (r->fail_at == r->calls) return nn_set_error(err, NN_ERR_IO, "reduce: the peer went away");
    for (size_t i = 0; i < n; i++) grads[i] *= (nn_real)0.5;
    if (r->nan_at == r->calls) grads[n / 2] = (nn_real)NAN;
    return NN_OK;
}

START_TEST(test_reduce_hook) {
    nn_dataset train = blobs(N, 5);
    net a = make_net(0.1, 0, 0), b = make_net(0.05, 0, 0);
    reducer r = {.g = a.g};
    nn_trainer *ta = make_trainer(&a, &train, &(nn_trainer_options){
        .batch = 16, .seed = 2, .reduce_grads = halve, .reduce_user = &r});
    nn_trainer *tb = make_trainer(&b, &train, &(nn_trainer_options){.batch = 16, .seed = 2});
    nn_epoch_stats s;
    for (int e = 0; e < 2; e++) {
        epoch_ok(ta, &s);
        epoch_ok(tb, &s);
    }
    ck_assert_int_eq(r.calls, 8);
    ck_assert_int_eq(r.rows_total, 2 * N);
    ck_assert(!r.bad_buffer);
    ck_assert(same_params(&a, &b));
    nn_trainer_free(ta);
    nn_trainer_free(tb);

    /* A reduced gradient that is not finite is checked like a local one:
     * skipped under SKIP, an error under STOP. */
    reducer skip = {.g = a.g, .nan_at = 2};
    ta = make_trainer(&a, &train, &(nn_trainer_options){.batch = 16, .seed = 2,
        .on_nonfinite = NN_NONFINITE_SKIP, .reduce_grads = halve, .reduce_user = &skip});
    epoch_ok(ta, &s);
    ck_assert_int_eq(s.skipped, 1);
    ck_assert_int_eq(s.steps, 3);
    nn_trainer_free(ta);
    reducer stop = {.g = a.g, .nan_at = 2};
    ta = make_trainer(&a, &train, &(nn_trainer_options){.batch = 16, .seed = 2,
        .reduce_grads = halve, .reduce_user = &stop});
    nn_error err;
    ck_assert_int_eq(nn_trainer_epoch(ta, &s, &err), NN_ERR_NUMERIC);
    ck_assert_msg(strstr(err.msg, "epoch 1, batch 2") != NULL, "%s", err.msg);
    ck_assert_int_eq(nn_trainer_next_epoch(ta), 1); /* a failed epoch does not count */
    nn_trainer_free(ta);

    /* The hook's error stops the epoch with its status and message. */
    reducer fail = {.g = a.g, .fail_at = 3};
    ta = make_trainer(&a, &train, &(nn_trainer_options){.batch = 16, .seed = 2,
        .reduce_grads = halve, .reduce_user = &fail});
    ck_assert_int_eq(nn_trainer_epoch(ta, &s, &err), NN_ERR_IO);
    ck_assert_str_eq(err.msg, "reduce: the peer went away");
    ck_assert_int_eq(fail.calls, 3);
    nn_trainer_free(ta);
    free_net(&a);
    free_net(&b);
    nn_dataset_free(&train);
}
END_TEST

/* Set up once, undone at free: flush-to-zero is on from create to free, in
 * epochs and between them, and the caller's mode is back afterwards. The
 * training flag is 1 during an epoch and the caller's afterwards. */
typedef struct {
    nn_graph *g;
    int calls, flushed, training;
} mode_seen;

static void see_mode(const nn_step_info *s, void *user) {
    (void)s;
    mode_seen *v = user;
    volatile float tiny = FLT_MIN, half = 0.5f;
    volatile float product = tiny * half; /* 0 when flushed */
    v->calls++;
    v->flushed += product == 0.0f;
    v->training += v->g->training;
}

START_TEST(test_set_up_once) {
    unsigned before = nn_fp_mode_save();
    if (!nn_enable_flush_to_zero()) return; /* no such mode on this machine: nothing to check */
    nn_fp_mode_restore(before);
    nn_dataset train = blobs(N, 6);
    net m = make_net(0.05, 0.9, 0);
    mode_seen v = {.g = m.g};
    nn_graph_set_training(m.g, 0);
    nn_trainer *t = make_trainer(&m, &train, &(nn_trainer_options){
        .batch = 16, .seed = 1, .on_step = see_mode, .step_user = &v});
    nn_epoch_stats s;
    epoch_ok(t, &s);
    ck_assert_int_eq(m.g->training, 0); /* the caller's mode is back */
    unsigned between = nn_fp_mode_save(); /* still flushing between epochs */
    epoch_ok(t, &s);
    nn_trainer_free(t);
    ck_assert_int_eq(v.calls, 8);
    ck_assert_int_eq(v.flushed, 8);
    ck_assert_int_eq(v.training, 8);
    ck_assert_uint_ne(between, before);
    ck_assert_uint_eq(nn_fp_mode_save(), before);
    free_net(&m);
    nn_dataset_free(&train);
}
END_TEST

/* One argmax: a row of probabilities with a NaN (here, a prediction node fed
 * with data, so the row reaches both counts unchanged) counts the same in
 * training, in nn_trainer_evaluate and in nn_accuracy (nn eval). The row
 * [NaN, 0.2, 0.9] has label 2: an argmax that starts at the NaN and only
 * compares with > keeps index 0 and calls it wrong. */
START_TEST(test_nan_row_same_accuracy) {
    enum { R = 4 };
    nn_dataset d = blobs(R, 7);
    static const double rows[R][K] = {{NAN, 0.2, 0.9}, {0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}, {0.3, NAN, 0.6}};
    static const int32_t labels[R] = {2, 0, 1, 2};
    d.targets = malloc(sizeof(nn_real) * R * K);
    ck_assert(d.targets);
    d.target_width = K;
    for (int i = 0; i < R; i++) {
        d.labels[i] = labels[i];
        for (int k = 0; k < K; k++) d.targets[i * K + k] = (nn_real)rows[i][k];
    }
    net m = make_net(0.05, 0.9, K);
    m.nodes.probs = m.nodes.targets; /* predictions read straight from the rows above */
    nn_trainer *t = make_trainer(&m, &d, &(nn_trainer_options){.batch = R, .seed = 1});
    nn_epoch_stats s;
    nn_eval_stats v;
    nn_error err;
    epoch_ok(t, &s);
    ck_assert_int_eq(s.steps, 1); /* the loss does not read the rows: the step is taken */
    ck_assert_int_eq(nn_trainer_evaluate(t, &d, &v, &err), NN_OK);
    double eval = nn_accuracy(d.targets, d.labels, R, K);
    ck_assert(eval == 1.0); /* NaN-aware: every row's largest number is its label */
    ck_assert(s.train_acc == eval);
    ck_assert(v.accuracy == eval);
    ck_assert(nn_evaluate_accuracy(m.g, &m.nodes, &d) == eval);
    nn_trainer_free(t);
    free_net(&m);
    nn_dataset_free(&d);
}
END_TEST

/* Evaluation: loss and accuracy match a hand computation over the batches;
 * data without the targets the loss reads has no loss (NaN), only accuracy;
 * and bad data are errors naming what is wrong. */
START_TEST(test_evaluate) {
    nn_dataset train = blobs(N, 8), test = blobs(37, 9); /* 37: a short last batch */
    net m = make_net(0.05, 0.9, 0);
    nn_trainer *t = make_trainer(&m, &train, &(nn_trainer_options){.batch = 16, .seed = 1});
    nn_epoch_stats s;
    epoch_ok(t, &s);
    nn_eval_stats v;
    nn_error err;
    ck_assert_int_eq(nn_trainer_evaluate(t, &test, &v, &err), NN_OK);
    /* by hand: forward over rows [0,16), [16,32), [32,37) */
    double loss = 0;
    int idx[MAX_B], hits = 0;
    nn_graph_set_training(m.g, 0);
    for (int start = 0; start < test.n; start += MAX_B) {
        int n = test.n - start < MAX_B ? test.n - start : MAX_B;
        for (int i = 0; i < n; i++) idx[i] = start + i;
        nn_dataset_gather(&test, idx, n, nn_input_data(m.g, m.nodes.x), nn_label_data(m.g, m.nodes.labels));
        loss += nn_graph_forward(m.g, n) * n;
        for (int i = 0; i < n; i++)
            hits += nn_argmax(nn_output(m.g, m.nodes.probs) + (size_t)i * K, K) == test.labels[start + i];
    }
    nn_graph_set_training(m.g, 1);
    ck_assert_int_eq(v.n, 37);
    ck_assert_close(v.loss, loss / 37, 1e-12, 1e-12);
    ck_assert(v.accuracy == hits / 37.0);
    ck_assert(v.loss > 0 && v.accuracy > 0.5);

    nn_dataset wide = blobs(5, 1);
    wide.n_features = F - 1;
    ck_assert_int_eq(nn_trainer_evaluate(t, &wide, &v, &err), NN_ERR_SHAPE);
    ck_assert_str_eq(err.msg, "evaluate: the data have 5 features but the input node takes 6");
    test.x_real[3 * F + 2] = (nn_real)NAN;
    ck_assert_int_eq(nn_trainer_evaluate(t, &test, &v, &err), NN_ERR_NUMERIC);
    ck_assert_str_eq(err.msg, "evaluate: the data: sample 3, feature 2 is NaN (counting from 0)");
    nn_trainer_free(t);
    free_net(&m);
    nn_dataset_free(&wide);
    nn_dataset_free(&test);

    /* A graph whose loss reads targets (soft-target CE on input t), data
     * without targets: accuracy, no loss. */
    nn_graph *g = nn_graph_create(MAX_B);
    int x = nn_input(g, F), y = nn_labels(g, K), tg = nn_input(g, K);
    int p = nn_softmax(g, nn_dense(g, x, K, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy_ex(g, p, tg, NULL, &lo); /* soft targets: a real node (B, K) */
    ck_assert_msg(nn_graph_compile(g, 1, &err) == NN_OK, "%s", err.msg);
    nn_optimizer *opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1}, &err);
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = p, .targets = tg};
    nn_dataset soft = blobs(20, 10);
    soft.targets = calloc((size_t)20 * K, sizeof *soft.targets);
    ck_assert(soft.targets);
    soft.target_width = K;
    for (int i = 0; i < 20; i++) soft.targets[i * K + soft.labels[i]] = 1;
    t = nn_trainer_create(g, opt, &nodes, &soft, &(nn_trainer_options){.batch = 10, .seed = 1}, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    epoch_ok(t, &s);
    ck_assert_int_eq(nn_trainer_evaluate(t, &soft, &v, &err), NN_OK);
    ck_assert(isfinite(v.loss));
    double with_targets = v.accuracy;
    nn_real *keep = soft.targets;
    soft.targets = NULL;
    soft.target_width = 0;
    ck_assert_int_eq(nn_trainer_evaluate(t, &soft, &v, &err), NN_OK);
    ck_assert(isnan(v.loss));
    ck_assert(v.accuracy == with_targets);
    soft.targets = keep;
    soft.target_width = K;
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    nn_dataset_free(&soft);
    nn_dataset_free(&train);
}
END_TEST

/* Create refuses what it cannot train, with a reason, and returns NULL. */
START_TEST(test_create_errors) {
    nn_dataset train = blobs(N, 11), empty = {.n = 0, .n_features = F, .n_classes = K};
    net m = make_net(0.05, 0.9, 0);
    nn_error err;
    nn_trainer_options o = {.batch = MAX_B + 1};
    ck_assert_ptr_null(nn_trainer_create(m.g, m.opt, &m.nodes, &train, &o, &err));
    ck_assert_str_eq(err.msg, "train: batch 17 outside 1..16 (the graph's max_batch)");
    o.batch = 8;
    ck_assert_ptr_null(nn_trainer_create(m.g, NULL, &m.nodes, &train, &o, &err));
    ck_assert_str_eq(err.msg, "train: no optimizer");
    ck_assert_ptr_null(nn_trainer_create(m.g, m.opt, &m.nodes, &empty, &o, &err));
    ck_assert_str_eq(err.msg, "train: the training set is empty");
    train.labels[4] = K;
    ck_assert_ptr_null(nn_trainer_create(m.g, m.opt, &m.nodes, &train, &o, &err));
    ck_assert_int_eq(err.code, NN_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "train: the training data: sample 4 has label 3") != NULL, "%s", err.msg);
    nn_trainer_free(NULL);
    free_net(&m);

    /* A graph without parameters trains nothing: the first step says so. */
    nn_graph *g = nn_graph_create(MAX_B);
    int x = nn_input(g, F), y = nn_labels(g, K);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(g, nn_softmax(g, nn_input(g, K), 1.0), y, &lo);
    ck_assert_msg(nn_graph_compile(g, 1, &err) == NN_OK, "%s", err.msg);
    nn_optimizer *opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1}, &err);
    ck_assert_msg(opt != NULL, "%s", err.msg);
    train.labels[4] = 0;
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = nn_graph_n_nodes(g) - 2};
    nn_trainer *t = nn_trainer_create(g, opt, &nodes, &train, &o, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    nn_epoch_stats s;
    ck_assert_int_eq(nn_trainer_epoch(t, &s, &err), NN_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "train: epoch 1, batch 1: backward: nothing to differentiate") != NULL,
                  "%s", err.msg);
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    nn_dataset_free(&train);
}
END_TEST

Suite *test_trainer_suite(void) {
    Suite *s = suite_create("trainer");
    TCase *tc = tcase_create("trainer");
    tcase_add_test(tc, test_train_is_a_trainer_loop);
    tcase_add_test(tc, test_resume_from_saved_generator);
    tcase_add_test(tc, test_step_callback);
    tcase_add_test(tc, test_reduce_hook);
    tcase_add_test(tc, test_set_up_once);
    tcase_add_test(tc, test_nan_row_same_accuracy);
    tcase_add_test(tc, test_evaluate);
    tcase_add_test(tc, test_create_errors);
    suite_add_tcase(s, tc);
    return s;
}
