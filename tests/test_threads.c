/* test_threads.c — the choice between one OpenBLAS thread and several
 * (nn/threads.c, nn_train_options.adapt_threads).
 *
 * The policy is checked with made-up step durations fed to
 * nn_thread_gov_record, so the test is deterministic and takes no time: a
 * machine where two threads are faster must end up on two threads; when
 * another job takes a core and two threads become slow, it must fall back to
 * one within a few blocks and then spend few steps probing; when the core is
 * free again it must return to two. Whatever it chose, training gives
 * OpenBLAS back the thread count it had.
 */
#include <stdlib.h>

#include "nn/blas.h"
#include "nn/threads.h"
#include "testutil.h"

/* Seconds per step on an imagined machine: `one` with one thread, `many`
 * with more. */
typedef struct {
    double one, many;
} machine;

/* Runs n steps; returns how many ran with more than one thread and adds
 * the seconds they took to *seconds (if not NULL). */
static int run_steps_timed(nn_thread_gov *gov, machine m, int n, double *seconds) {
    int many = 0;
    for (int i = 0; i < n; i++) {
        double t = gov->current > 1 ? m.many : m.one;
        many += gov->current > 1;
        if (seconds) *seconds += t;
        nn_thread_gov_record(gov, t);
    }
    return many;
}

static int run_steps(nn_thread_gov *gov, machine m, int n) {
    return run_steps_timed(gov, m, n, NULL);
}

START_TEST(test_threads_follow_the_faster_count) {
    openblas_set_num_threads(2);
    nn_thread_gov gov;
    nn_thread_gov_init(&gov, 1);
    ck_assert_int_eq(gov.max, 2);

    const machine quiet = {.one = 650e-6, .many = 400e-6}; /* a free second core */
    const machine busy = {.one = 650e-6, .many = 2000e-6}; /* another job holds it */

    run_steps(&gov, quiet, 64);
    ck_assert_int_eq(gov.best, 2);
    ck_assert_int_eq(gov.current, 2);
    /* steady: the probes grow rare, nearly every step uses both threads */
    int many = run_steps(&gov, quiet, 20000);
    ck_assert_msg(many > 19000, "only %d of 20000 steps on two threads", many);

    /* a job takes the core: one block runs slow, then probes choose one
     * thread; within a few blocks of 8 steps */
    run_steps(&gov, busy, 3 * 8);
    ck_assert_int_eq(gov.best, 1);
    ck_assert_int_eq(gov.current, 1);
    /* and while it stays busy, few steps pay for probing two threads */
    many = run_steps(&gov, busy, 20000);
    ck_assert_msg(many < 500, "%d of 20000 steps probed two threads on a busy machine", many);

    /* very busy (a step on two threads as long as 30 on one): the probes
     * stop early, and the run costs within 2% of one thread throughout */
    const machine very_busy = {.one = 650e-6, .many = 30 * 650e-6};
    double seconds = 0;
    run_steps_timed(&gov, very_busy, 20000, &seconds);
    ck_assert_msg(seconds < 1.02 * 20000 * very_busy.one,
                  "%.3f s for 20000 steps, one thread would take %.3f s", seconds,
                  20000 * very_busy.one);

    /* the core is free again: found at the next probe, at most
     * 256 blocks (the longest interval) plus two probe blocks later */
    run_steps(&gov, quiet, (256 + 2) * 8);
    ck_assert_int_eq(gov.best, 2);

    nn_thread_gov_finish(&gov);
    ck_assert_int_eq(openblas_get_num_threads(), 2);
}
END_TEST

START_TEST(test_threads_off_keeps_the_count) {
    /* not enabled: nothing changes however the steps go */
    openblas_set_num_threads(2);
    nn_thread_gov gov;
    nn_thread_gov_init(&gov, 0);
    run_steps(&gov, (machine){.one = 1e-4, .many = 1e-2}, 1000);
    ck_assert_int_eq(gov.switches, 0);
    ck_assert_int_eq(openblas_get_num_threads(), 2);
    nn_thread_gov_finish(&gov);
    ck_assert_int_eq(openblas_get_num_threads(), 2);

    /* one thread configured: nothing to choose */
    openblas_set_num_threads(1);
    nn_thread_gov_init(&gov, 1);
    run_steps(&gov, (machine){.one = 1e-2, .many = 1e-4}, 1000);
    ck_assert_int_eq(gov.switches, 0);
    nn_thread_gov_finish(&gov);
    ck_assert_int_eq(openblas_get_num_threads(), 1);
}
END_TEST

/* nn_train with adapt_threads gives OpenBLAS its thread count back. */
START_TEST(test_threads_restored_after_training) {
    enum { F = 3, K = 2, N = 64 };
    nn_dataset d = {.n = N, .n_features = F, .n_classes = K};
    d.x_real = malloc((size_t)N * F * sizeof *d.x_real);
    d.labels = malloc((size_t)N * sizeof *d.labels);
    ck_assert(d.x_real && d.labels);
    nn_rng r;
    nn_rng_seed(&r, 2);
    for (int i = 0; i < N; i++) {
        d.labels[i] = (int32_t)nn_rng_below(&r, K);
        for (int j = 0; j < F; j++) d.x_real[i * F + j] = (nn_real)nn_rng_normal(&r);
    }
    nn_graph *g = nn_graph_create(4);
    int x = nn_input(g, F), y = nn_labels(g, K);
    int p = nn_softmax(g, nn_dense(g, x, K, NN_INIT_XAVIER), 1.0);
    nn_cross_entropy(g, p, y, NULL);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 1, &err) == NN_OK, "%s", err.msg);
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1}, &err);
    ck_assert(opt);
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = p};
    /* 16 steps per epoch, 8 epochs: several probe blocks and switches */
    nn_train_options o = {.epochs = 8, .batch = 4, .seed = 3, .adapt_threads = 1};
    openblas_set_num_threads(2);
    ck_assert_msg(nn_train(g, opt, &nodes, &d, NULL, &o, NULL, NULL, &err) == NN_OK, "%s",
                  err.msg);
    ck_assert_int_eq(openblas_get_num_threads(), 2);
    openblas_set_num_threads(1);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    nn_dataset_free(&d);
}
END_TEST

Suite *test_threads_suite(void) {
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("governor");
    tcase_add_test(tc, test_threads_follow_the_faster_count);
    tcase_add_test(tc, test_threads_off_keeps_the_count);
    tcase_add_test(tc, test_threads_restored_after_training);
    suite_add_tcase(s, tc);
    return s;
}
