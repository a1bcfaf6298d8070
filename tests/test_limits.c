/* test_limits.c — resource limits: allocation failure is reported, never
 * dereferenced; absurd sizes are refused; size arithmetic does not wrap.
 *
 * The test binary's allocator (alloc_hook.c) can fail the n-th allocation
 * from now. Walking n = 0, 1, 2, … over a whole build → compile → optimizer
 * → train sequence makes every allocation in it fail once, in turn: each
 * failure must come back as an error (and, under `make asan` / `make
 * valgrind`, leak nothing), and the walk ends with a run where no injected
 * failure was reached.
 */
#include <limits.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "alloc_hook.h"
#include "testutil.h"

#define ck_assert_has(msg, needle) \
    ck_assert_msg(strstr((msg), (needle)), "message '%s' lacks '%s'", (msg), (needle))

static void reset_hook(void) {
    test_alloc_fail_after(-1);
    test_alloc_set_limit(SIZE_MAX);
}

/* Injection off first: Check itself may allocate when an assertion fails. */
static void expect_nomem(const char *msg) {
    test_alloc_fail_after(-1);
    ck_assert_has(msg, "out of memory");
}

/* 20 samples of 5 features in 3 classes: static, so the test allocates none. */
static nn_real data_x[20 * 5];
static int32_t data_y[20];

/* Returns 1 if some step reported a failure (after checking that it said
 * "out of memory"), 0 if everything succeeded. */
static int build_compile_train(void) {
    nn_error err = {0};
    nn_graph *g = nn_graph_create(8);
    int x = nn_input(g, 5), y = nn_labels(g, 3);
    int h = nn_relu(g, nn_dense(g, x, 7, NN_INIT_HE));
    int p = nn_softmax(g, nn_dense(g, h, 3, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(g, p, y, &lo);
    if (nn_graph_compile(g, 1, &err) != NN_OK) {
        expect_nomem(err.msg);
        nn_graph_free(g);
        return 1;
    }
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_ADAM, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}, &err);
    if (!opt) {
        expect_nomem(err.msg);
        ck_assert_int_eq(err.code, NN_ERR_NOMEM);
        nn_graph_free(g);
        return 1;
    }
    for (int i = 0; i < 20; i++) {
        for (int j = 0; j < 5; j++) data_x[i * 5 + j] = (nn_real)((i * 7 + j * 3) % 11) / 11;
        data_y[i] = i % 3;
    }
    nn_dataset d = {.n = 20, .n_features = 5, .n_classes = 3, .x_real = data_x, .labels = data_y};
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = p};
    nn_train_options o = {.epochs = 2, .batch = 8, .seed = 1};
    int failed = 0;
    if (nn_train(g, opt, &nodes, &d, &d, &o, NULL, NULL, &err) != NN_OK) {
        expect_nomem(err.msg);
        ck_assert_int_eq(err.code, NN_ERR_NOMEM);
        failed = 1;
    }
    nn_optimizer_free(opt);
    nn_graph_free(g);
    return failed;
}

START_TEST(test_every_allocation_failure_is_reported) {
    long n;
    for (n = 0; n < 1000; n++) {
        test_alloc_fail_after(n);
        int failed = build_compile_train();
        int reached = !test_alloc_failure_pending();
        test_alloc_fail_after(-1);
        ck_assert_msg(failed == reached, "allocation %ld failed but %s", n,
                      reached ? "nothing reported it" : "a failure was reported anyway");
        if (!reached) break;
    }
    ck_assert_msg(n >= 10 && n < 1000, "walked %ld allocations", n);
}
END_TEST

/* The same walk over nn_load_idx (files written before injection starts). */
START_TEST(test_idx_allocation_failure_is_reported) {
    char dir[] = "/tmp/nn-limits-XXXXXX", images[64], labels[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(images, sizeof images, "%s/images", dir);
    snprintf(labels, sizeof labels, "%s/labels", dir);
    const uint8_t img[16 + 8] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t lab[8 + 2] = {0, 0, 8, 1, 0, 0, 0, 2, 1, 0};
    FILE *f = fopen(images, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(img, 1, sizeof img, f);
    fclose(f);
    f = fopen(labels, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(lab, 1, sizeof lab, f);
    fclose(f);
    long n;
    for (n = 0; n < 1000; n++) {
        nn_dataset d;
        nn_error err = {0};
        test_alloc_fail_after(n);
        nn_status st = nn_load_idx(&d, images, labels, &err);
        int reached = !test_alloc_failure_pending();
        test_alloc_fail_after(-1);
        if (!reached) {
            ck_assert_msg(st == NN_OK, "%s", err.msg);
            ck_assert_int_eq(d.n, 2);
            nn_dataset_free(&d);
            break;
        }
        /* zlib's own allocations fail as "cannot open" or a zlib message */
        ck_assert_msg(st != NN_OK, "allocation %ld failed but nn_load_idx succeeded", n);
        ck_assert_ptr_null(d.x_u8);
        ck_assert_ptr_null(d.labels);
    }
    ck_assert_msg(n >= 3 && n < 1000, "walked %ld allocations", n);
    unlink(images);
    unlink(labels);
    rmdir(dir);
}
END_TEST

/* nn_graph_create failing (or max_batch < 1) gives NULL; a network written
 * without checking each line must still end in a reported error. */
START_TEST(test_null_graph_is_reported) {
    nn_graph *g = nn_graph_create(0);
    ck_assert_ptr_null(g);
    int x = nn_input(g, 4);
    ck_assert_int_eq(x, -1);
    ck_assert_int_eq(nn_dense(g, x, 3, NN_INIT_HE), -1);
    ck_assert_int_eq(nn_softmax(g, 1, 1.0), -1);
    nn_error err = {0};
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_ERR_NOMEM);
    ck_assert_has(err.msg, "nn_graph_create failed");
    ck_assert_ptr_null(nn_optimizer_create(g, &(nn_optimizer_options){.lr = 0.1}, &err));
    nn_train_nodes nodes = {.x = 0, .labels = 1, .probs = 2};
    nn_train_options o = {.epochs = 1, .batch = 1};
    nn_dataset d = {0};
    ck_assert_int_eq(nn_train(g, NULL, &nodes, &d, NULL, &o, NULL, NULL, &err), NN_ERR_ARG);
    ck_assert_ptr_null(nn_input_data(g, 0));
    nn_graph_free(g);
}
END_TEST

/* Sizes whose sum no size_t can hold: refused before any allocation. */
START_TEST(test_graph_size_overflow_refused) {
    nn_graph *g = nn_graph_create(INT_MAX);
    ck_assert_ptr_nonnull(g);
    int x = nn_input(g, INT_MAX);
    int h = nn_dense(g, nn_dense(g, x, INT_MAX, NN_INIT_ZERO), INT_MAX, NN_INIT_ZERO);
    nn_dense(g, h, INT_MAX, NN_INIT_ZERO);
    nn_error err = {0};
    test_alloc_reset_max();
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_ERR_NOMEM);
    ck_assert_has(err.msg, "size overflow");
    ck_assert_uint_le(test_alloc_max_request(), 1024);
    nn_graph_free(g);
}
END_TEST

/* 2^31 × 2^20 weights fit a size_t but no machine: calloc's NULL (here a
 * 1 GiB limit standing in for the machine) comes back as an error. */
START_TEST(test_huge_graph_reports_nomem) {
    test_alloc_set_limit((size_t)1 << 30);
    nn_graph *g = nn_graph_create(1);
    int x = nn_input(g, INT_MAX);
    nn_dense(g, x, 1 << 20, NN_INIT_ZERO);
    nn_error err = {0};
    nn_status st = nn_graph_compile(g, 1, &err);
    /* a failed compile may be retried without leaking (valgrind, LSan) */
    nn_status again = nn_graph_compile(g, 1, &err);
    test_alloc_set_limit(SIZE_MAX);
    ck_assert_int_eq(st, NN_ERR_NOMEM);
    ck_assert_int_eq(again, NN_ERR_NOMEM);
    ck_assert_has(err.msg, "out of memory allocating");
    nn_graph_free(g);
}
END_TEST

Suite *test_limits_suite(void) {
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("allocation");
    tcase_add_checked_fixture(tc, reset_hook, reset_hook);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_allocation_failure_is_reported);
    tcase_add_test(tc, test_idx_allocation_failure_is_reported);
    tcase_add_test(tc, test_null_graph_is_reported);
    tcase_add_test(tc, test_graph_size_overflow_refused);
    tcase_add_test(tc, test_huge_graph_reports_nomem);
    suite_add_tcase(s, tc);
    return s;
}
