/* test_ftz.c — denormals are flushed to zero while nn_train trains, and the
 * caller's floating-point mode is back when it returns.
 *
 * Why it matters: with momentum, velocities of weights that stop receiving
 * gradient (blank pixels, dead ReLUs) decay geometrically into the denormal
 * range, where x86 arithmetic can be many times slower (nn/ftz.c, README,
 * "Performance"). The test observes the arithmetic itself, not only the
 * control register: inside the epoch callback, which nn_train calls on the
 * training thread, a product that lands below FLT_MIN must come out as 0
 * (flush-to-zero) and a denormal operand must read as 0 (denormals-are-zero).
 *
 * On a machine without these modes nn_enable_flush_to_zero() returns 0 and
 * the test has nothing to check.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "nn/ftz.h"
#include "testutil.h"

enum { F = 4, K = 2, N = 48, BATCH = 8 };

/* FTZ: FLT_MIN · 0.5 = 2^-127 is denormal; flushed, it is 0. */
static int flushes_results(void) {
    volatile float tiny = FLT_MIN, half = 0.5f;
    volatile float product = tiny * half;
    return product == 0.0f;
}

/* DAZ: the smallest denormal 2^-149 times 2^100 is a normal 2^-49, unless
 * the denormal operand is read as 0. */
static int zeroes_operands(void) {
    uint32_t bits = 1;
    float smallest;
    memcpy(&smallest, &bits, sizeof smallest);
    volatile float denormal = smallest, big = 0x1p100f;
    volatile float product = denormal * big;
    return product == 0.0f;
}

typedef struct {
    int calls, flushed, zeroed; /* epochs seen, and how many had each mode on */
} seen;

static void on_epoch(const nn_epoch_stats *s, void *user) {
    (void)s;
    seen *v = user;
    v->calls++;
    v->flushed += flushes_results();
    v->zeroed += zeroes_operands();
}

/* Trains x (N, F) → dense 8 → relu → dense K → softmax → CE for 3 epochs of
 * SGD with momentum, recording the mode in each epoch callback. */
static void train_small(seen *v) {
    nn_dataset d = {.n = N, .n_features = F, .n_classes = K};
    d.x_real = malloc((size_t)N * F * sizeof *d.x_real);
    d.labels = malloc((size_t)N * sizeof *d.labels);
    ck_assert(d.x_real && d.labels);
    nn_rng r;
    nn_rng_seed(&r, 11);
    for (int i = 0; i < N; i++) {
        d.labels[i] = (int32_t)nn_rng_below(&r, K);
        for (int j = 0; j < F; j++)
            d.x_real[i * F + j] = (nn_real)(nn_rng_normal(&r) + (j == d.labels[i] ? 2 : 0));
    }
    nn_graph *g = nn_graph_create(BATCH);
    int x = nn_input(g, F), y = nn_labels(g, K);
    int h = nn_relu(g, nn_dense(g, x, 8, NN_INIT_HE));
    int p = nn_softmax(g, nn_dense(g, h, K, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(g, p, y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 3, &err) == NN_OK, "%s", err.msg);
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.05, .momentum = 0.9}, &err);
    ck_assert(opt);
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = p};
    nn_train_options o = {.epochs = 3, .batch = BATCH, .seed = 5};
    ck_assert_msg(nn_train(g, opt, &nodes, &d, NULL, &o, on_epoch, v, &err) == NN_OK, "%s",
                  err.msg);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    nn_dataset_free(&d);
}

/* 1 if this machine has the modes; leaves them off either way. */
static int have_ftz(void) {
    int on = nn_enable_flush_to_zero();
    nn_fp_mode_restore(0);
    return on;
}

START_TEST(test_ftz_on_while_training_then_restored) {
    if (!have_ftz()) return; /* nothing to check on this machine */
    /* Off to start with: the checks below can tell the two modes apart. */
    nn_fp_mode_restore(0);
    ck_assert_msg(!flushes_results() && !zeroes_operands(),
                  "denormals should survive with flush-to-zero off");
    seen v = {0};
    train_small(&v);
    ck_assert_int_eq(v.calls, 3);
    ck_assert_msg(v.flushed == 3, "flush-to-zero on in %d of 3 epochs", v.flushed);
    ck_assert_msg(v.zeroed == 3, "denormals-are-zero on in %d of 3 epochs", v.zeroed);
    /* The caller had both off, and gets both off back. */
    ck_assert_msg(!flushes_results() && !zeroes_operands(),
                  "nn_train left flush-to-zero on in the caller's thread");
}
END_TEST

START_TEST(test_ftz_callers_mode_kept) {
    if (!have_ftz()) return;
    /* A caller who turned the modes on keeps them after training. */
    ck_assert(nn_enable_flush_to_zero());
    seen v = {0};
    train_small(&v);
    ck_assert_int_eq(v.flushed, 3);
    ck_assert(flushes_results() && zeroes_operands());
    nn_fp_mode_restore(0);
}
END_TEST

Suite *test_ftz_suite(void) {
    Suite *s = suite_create("ftz");
    TCase *tc = tcase_create("training");
    tcase_add_test(tc, test_ftz_on_while_training_then_restored);
    tcase_add_test(tc, test_ftz_callers_mode_kept);
    suite_add_tcase(s, tc);
    return s;
}
