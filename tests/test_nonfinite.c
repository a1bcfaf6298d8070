/* test_nonfinite.c — no silent NaN (nn/finite.c and its use in nn_train).
 *
 * A NaN or infinity is made to appear at a known place — the input data, a
 * parameter, an overflowing layer, a gradient written by a test-only
 * "poison" node at a chosen step — and the checks must report the step and
 * name that place; nn_train must stop there (or skip the step, by option)
 * without ever applying a non-finite update.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h"
#include "testutil.h"

#ifdef NN_DOUBLE
#define REAL_MAX DBL_MAX
#else
#define REAL_MAX FLT_MAX
#endif

#define ck_assert_has(msg, needle) \
    ck_assert_msg(strstr((msg), (needle)), "message '%s' lacks '%s'", (msg), (needle))

/* ------------------------------------------------------------ nn_all_finite */

START_TEST(test_all_finite_every_position) {
    nn_real x[200] = {0};
    const nn_real bad[3] = {(nn_real)NAN, (nn_real)INFINITY, (nn_real)-INFINITY};
    for (size_t n = 0; n <= 200; n += 7) { /* block-sized and tail paths */
        for (size_t i = 0; i < n; i++) x[i] = (nn_real)((i % 5) - 2.0);
        if (n > 3) x[1] = (nn_real)-0.0, x[2] = (nn_real)REAL_MAX, x[3] = (nn_real)1e-40;
        ck_assert_int_eq(nn_all_finite(x, n), 1);
        for (size_t i = 0; i < n; i++)
            for (int b = 0; b < 3; b++) {
                nn_real keep = x[i];
                x[i] = bad[b];
                ck_assert_msg(nn_all_finite(x, n) == 0, "n %zu, position %zu, kind %d", n, i, b);
                x[i] = keep;
            }
    }
}
END_TEST

/* ---------------------------------------------------------- nn_dataset_validate */

START_TEST(test_validate_names_sample_and_feature) {
    nn_real x[4 * 3] = {0};
    int32_t y[4] = {0, 1, 0, 1};
    nn_dataset d = {.n = 4, .n_features = 3, .n_classes = 2, .x_real = x, .labels = y};
    nn_error err;
    ck_assert_int_eq(nn_dataset_validate(&d, "data.csv", &err), NN_OK);
    x[2 * 3 + 1] = (nn_real)NAN;
    ck_assert_int_eq(nn_dataset_validate(&d, "data.csv", &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "data.csv: sample 2, feature 1 is NaN");
    x[2 * 3 + 1] = 0;
    x[3 * 3 + 2] = (nn_real)-INFINITY;
    ck_assert_int_eq(nn_dataset_validate(&d, "data.csv", &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "sample 3, feature 2 is -inf");
    x[3 * 3 + 2] = 0;
    y[1] = 2;
    ck_assert_int_eq(nn_dataset_validate(&d, "data.csv", &err), NN_ERR_ARG);
    ck_assert_has(err.msg, "sample 1 has label 2 outside 0..1");
    y[1] = 1;
    uint8_t bytes[12] = {0};
    d.x_u8 = bytes;
    ck_assert_int_eq(nn_dataset_validate(&d, "data.csv", &err), NN_ERR_ARG);
    ck_assert_has(err.msg, "exactly one of");
}
END_TEST

/* ----------------------------------------------------- graph-level checks */

/* x(0) y(1) dense(2) relu(3) dense(4) softmax(5) cross-entropy(6) */
typedef struct {
    nn_graph *g;
    int x, y, d1, d2, p;
} net;

static void build(net *n, int B) {
    n->g = nn_graph_create(B);
    n->x = nn_input(n->g, 3);
    n->y = nn_labels(n->g, 2);
    n->d1 = nn_dense(n->g, n->x, 4, NN_INIT_HE);
    n->d2 = nn_dense(n->g, nn_relu(n->g, n->d1), 2, NN_INIT_XAVIER);
    n->p = nn_softmax(n->g, n->d2, 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(n->g, n->p, n->y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(n->g, 3, &err) == NN_OK, "%s", err.msg);
    fill_uniform(nn_input_data(n->g, n->x), (size_t)B * 3, 0.5, 1, 5);
    for (int b = 0; b < B; b++) nn_label_data(n->g, n->y)[b] = b % 2;
}

START_TEST(test_forward_names_input_data) {
    net n;
    build(&n, 4);
    nn_input_data(n.g, n.x)[1 * 3 + 2] = (nn_real)NAN;
    double loss = nn_graph_forward(n.g, 4);
    ck_assert(!isfinite(loss));
    nn_error err;
    ck_assert_int_eq(nn_graph_check_forward(n.g, 4, loss, "step 7", &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "step 7: the loss is NaN");
    ck_assert_has(err.msg, "node 0 (input), row 1, column 2 is NaN");
    ck_assert_has(err.msg, "input data are not finite");
    nn_graph_free(n.g);
}
END_TEST

START_TEST(test_forward_names_bad_parameter) {
    net n;
    build(&n, 4);
    size_t count;
    nn_node_params(n.g, n.d1, &count)[5] = (nn_real)INFINITY;
    double loss = nn_graph_forward(n.g, 4);
    ck_assert(!isfinite(loss));
    nn_error err;
    ck_assert_int_eq(nn_graph_check_forward(n.g, 4, loss, NULL, &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "node 2 (dense)");
    ck_assert_has(err.msg, "its parameter 5 is +inf");
    ck_assert_int_eq(nn_graph_check_params(n.g, "model.safetensors", &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "model.safetensors: node 2 (dense); its parameter 5 is +inf");
    nn_graph_free(n.g);
}
END_TEST

/* Finite weights and inputs whose dot product overflows: the layer itself. */
/* A NaN entering a ReLU must come out of it, not become 0. */
START_TEST(test_relu_propagates_nan) {
    net n;
    build(&n, 4);
    nn_input_data(n.g, n.x)[0] = (nn_real)NAN;
    nn_graph_forward(n.g, 4);
    const nn_real *h = nn_output(n.g, n.d1 + 1); /* the relu, (4, 4) */
    for (int j = 0; j < 4; j++) ck_assert(isnan(h[j]));
    for (int j = 4; j < 16; j++) ck_assert(!isnan(h[j]));
    nn_graph_free(n.g);
}
END_TEST

START_TEST(test_forward_names_overflowing_layer) {
    net n;
    build(&n, 4);
    size_t count;
    nn_real *W = nn_node_params(n.g, n.d1, &count); /* (4, 3) */
    for (int j = 0; j < 3; j++) W[j] = (nn_real)(REAL_MAX / 2);
    nn_real *x = nn_input_data(n.g, n.x);
    for (int i = 0; i < 12; i++) x[i] = 1;
    double loss = nn_graph_forward(n.g, 4);
    ck_assert(!isfinite(loss));
    nn_error err;
    ck_assert_int_eq(nn_graph_check_forward(n.g, 4, loss, NULL, &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "node 2 (dense), row 0, column 0 is +inf");
    ck_assert_has(err.msg, "inputs and parameters are finite, so this dense layer produced it");
    ck_assert_int_eq(nn_graph_check_params(n.g, NULL, &err), NN_OK);
    nn_graph_free(n.g);
}
END_TEST

START_TEST(test_forward_finite_is_ok) {
    net n;
    build(&n, 4);
    double loss = nn_graph_forward(n.g, 4);
    nn_error err;
    ck_assert_int_eq(nn_graph_check_forward(n.g, 4, loss, NULL, &err), NN_OK);
    nn_graph_backward(n.g, 4);
    ck_assert_int_eq(nn_graph_check_backward(n.g, 4, NULL, &err), NN_OK);
    nn_graph_free(n.g);
}
END_TEST

/* ------------------------------------------- a node that poisons gradients */

/* Identity forward. Backward passes dy through, except at the steps whose bit
 * is set in `when` (bit k: the k-th backward, from 0), where it writes NaN
 * into its input's gradient at row 0, column 0, and keeps a copy of the
 * graph's parameters as they were when the bad step began. */
typedef struct {
    unsigned long when;
    int step;
    nn_real snapshot[64]; /* the parameters at the first poisoned step */
    int has_snapshot;
} poison_config;

static void poison_forward(nn_graph *g, nn_node *n, int B) {
    const nn_real *x = nn_graph_node(g, n->inputs[0])->out; /* (B, width) */
    memcpy(n->out, x, (size_t)B * n->width * sizeof *x);
}

static void poison_backward(nn_graph *g, nn_node *n, int B) {
    poison_config *c = n->config;
    nn_real *dx = nn_graph_node(g, n->inputs[0])->dout; /* (B, width) */
    /* from y = x:  dx += dy */
    for (size_t i = 0; i < (size_t)B * n->width; i++) dx[i] += n->dout[i];
    int step = c->step++;
    if (step < 64 && (c->when >> step & 1)) {
        dx[0] = (nn_real)NAN;
        if (!c->has_snapshot && g->n_params <= 64) {
            memcpy(c->snapshot, g->params, g->n_params * sizeof *g->params);
            c->has_snapshot = 1;
        }
    }
}

static const nn_node_ops poison_ops = {
    .kind = "poison", .forward = poison_forward, .backward = poison_backward};

/* x(0) y(1) dense(2) poison(3) relu(4) dense(5) softmax(6) cross-entropy(7),
 * 32 samples in 8 batches of 4. */
typedef struct {
    nn_graph *g;
    nn_optimizer *opt;
    nn_train_nodes nodes;
    nn_dataset data;
    nn_real x[32 * 3];
    int32_t y[32];
    int skipped, epochs_seen;
    poison_config *poison;
} poisoned;

static void build_poisoned(poisoned *t, unsigned long when) {
    memset(t, 0, sizeof *t);
    t->g = nn_graph_create(4);
    int x = nn_input(t->g, 3), y = nn_labels(t->g, 2);
    int d1 = nn_dense(t->g, x, 4, NN_INIT_HE);
    poison_config *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    c->when = when;
    t->poison = c;
    int pz = nn_graph_add_node(t->g, &poison_ops, &d1, 1, 4, c);
    int p = nn_softmax(t->g, nn_dense(t->g, nn_relu(t->g, pz), 2, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(t->g, p, y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(t->g, 11, &err) == NN_OK, "%s", err.msg);
    t->opt = nn_optimizer_create(t->g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1},
                                 &err);
    ck_assert_ptr_nonnull(t->opt);
    t->nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p};
    fill_uniform(t->x, 32 * 3, -1, 1, 9);
    for (int i = 0; i < 32; i++) t->y[i] = t->x[i * 3] > 0;
    t->data = (nn_dataset){.n = 32, .n_features = 3, .n_classes = 2, .x_real = t->x,
                           .labels = t->y};
}

static void free_poisoned(poisoned *t) {
    nn_optimizer_free(t->opt);
    nn_graph_free(t->g);
}

static void count_skips(const nn_epoch_stats *s, void *user) {
    poisoned *t = user;
    t->skipped += s->skipped;
    t->epochs_seen++;
}

static nn_status train(poisoned *t, int epochs, nn_nonfinite_policy policy, nn_error *err) {
    nn_train_options o = {.epochs = epochs, .batch = 4, .seed = 1, .on_nonfinite = policy};
    return nn_train(t->g, t->opt, &t->nodes, &t->data, NULL, &o, count_skips, t, err);
}

/* The 11th step (epoch 2, batch 3) poisons the gradient: training stops there
 * naming the dense layer whose output gradient went bad, and the parameters
 * are exactly those the bad step started from — it was not applied. */
START_TEST(test_train_stops_at_poisoned_step) {
    poisoned t;
    nn_error err;
    build_poisoned(&t, 1ul << 10);
    ck_assert_int_eq(train(&t, 3, NN_NONFINITE_STOP, &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "train: epoch 2, batch 3: non-finite gradient");
    ck_assert_has(err.msg, "at the output of node 2 (dense), row 0, column 0 is NaN");
    ck_assert_int_eq(t.epochs_seen, 1);
    ck_assert(t.poison->has_snapshot);
    ck_assert_int_eq(memcmp(t.poison->snapshot, nn_graph_params(t.g),
                            nn_graph_n_params(t.g) * sizeof(nn_real)), 0);
    free_poisoned(&t);
}
END_TEST

/* Skipping leaves the parameters as the bad step found them, and the next
 * good step moves them again. */
START_TEST(test_train_skip_does_not_apply_step) {
    poisoned t;
    nn_error err;
    build_poisoned(&t, 1ul << 7); /* the last batch of epoch 1 */
    ck_assert_msg(train(&t, 1, NN_NONFINITE_SKIP, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(t.skipped, 1);
    ck_assert_int_eq(memcmp(t.poison->snapshot, nn_graph_params(t.g),
                            nn_graph_n_params(t.g) * sizeof(nn_real)), 0);
    ck_assert_msg(train(&t, 1, NN_NONFINITE_SKIP, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_ne(memcmp(t.poison->snapshot, nn_graph_params(t.g),
                            nn_graph_n_params(t.g) * sizeof(nn_real)), 0);
    free_poisoned(&t);
}
END_TEST

START_TEST(test_train_skip_drops_only_bad_steps) {
    poisoned t;
    nn_error err;
    build_poisoned(&t, 1ul << 2 | 1ul << 9);
    ck_assert_msg(train(&t, 3, NN_NONFINITE_SKIP, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(t.epochs_seen, 3);
    ck_assert_int_eq(t.skipped, 2);
    ck_assert_int_eq(nn_graph_check_params(t.g, NULL, &err), NN_OK);
    free_poisoned(&t);
}
END_TEST

START_TEST(test_train_skip_stops_when_every_step_is_bad) {
    poisoned t;
    nn_error err;
    build_poisoned(&t, ~0ul);
    ck_assert_int_eq(train(&t, 3, NN_NONFINITE_SKIP, &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "epoch 1: all 8 steps had a non-finite loss or gradient");
    free_poisoned(&t);
}
END_TEST

/* A learning rate that makes the first step blow the weights up: the second
 * step's forward overflows and training stops there; skipping cannot help
 * either, and stops within an epoch. */
START_TEST(test_train_divergence_stops) {
    for (int policy = NN_NONFINITE_STOP; policy <= NN_NONFINITE_SKIP; policy++) {
        poisoned t;
        nn_error err;
        build_poisoned(&t, 0);
        nn_optimizer_set_lr(t.opt, REAL_MAX / 8);
        nn_status st = train(&t, 2, (nn_nonfinite_policy)policy, &err);
        ck_assert_int_eq(st, NN_ERR_NUMERIC);
        if (policy == NN_NONFINITE_STOP) {
            ck_assert_has(err.msg, "train: epoch 1, batch 2: the loss is");
            ck_assert_has(err.msg, "(dense)");
        } else { /* every later step overflows: skipped until a whole epoch is */
            ck_assert_has(err.msg, "all 8 steps had a non-finite loss or gradient");
        }
        free_poisoned(&t);
    }
}
END_TEST

START_TEST(test_train_rejects_nonfinite_data_and_model) {
    poisoned t;
    nn_error err;
    build_poisoned(&t, 0);
    t.x[5 * 3 + 1] = (nn_real)INFINITY;
    ck_assert_int_eq(train(&t, 1, NN_NONFINITE_STOP, &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "train: the training data: sample 5, feature 1 is +inf");
    t.x[5 * 3 + 1] = 0;
    /* A NaN weight whose output the ReLU would mask: caught before step 1. */
    size_t count;
    nn_node_params(t.g, 2, &count)[0] = (nn_real)NAN;
    ck_assert_int_eq(train(&t, 1, NN_NONFINITE_SKIP, &err), NN_ERR_NUMERIC);
    ck_assert_has(err.msg, "train: before the first step: node 2 (dense); its parameter 0 is NaN");
    ck_assert_int_eq(t.epochs_seen, 0);
    free_poisoned(&t);
}
END_TEST

Suite *test_nonfinite_suite(void) {
    Suite *s = suite_create("nonfinite");
    TCase *tc = tcase_create("checks");
    tcase_add_test(tc, test_all_finite_every_position);
    tcase_add_test(tc, test_validate_names_sample_and_feature);
    tcase_add_test(tc, test_forward_names_input_data);
    tcase_add_test(tc, test_forward_names_bad_parameter);
    tcase_add_test(tc, test_forward_names_overflowing_layer);
    tcase_add_test(tc, test_relu_propagates_nan);
    tcase_add_test(tc, test_forward_finite_is_ok);
    suite_add_tcase(s, tc);
    tc = tcase_create("nn_train");
    tcase_add_test(tc, test_train_stops_at_poisoned_step);
    tcase_add_test(tc, test_train_skip_drops_only_bad_steps);
    tcase_add_test(tc, test_train_skip_does_not_apply_step);
    tcase_add_test(tc, test_train_skip_stops_when_every_step_is_bad);
    tcase_add_test(tc, test_train_divergence_stops);
    tcase_add_test(tc, test_train_rejects_nonfinite_data_and_model);
    suite_add_tcase(s, tc);
    return s;
}
