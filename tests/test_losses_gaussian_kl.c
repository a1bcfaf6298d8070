/* test_losses_gaussian_kl.c — KL(N(m, e^s) ‖ N(0, 1)) on a (B, 2D) input:
 * golden value and gradient against PyTorch, finite differences, the zero at
 * the prior, odd widths rejected. Derivation: docs/losses.md#gaussian-kl. */
#include "loss_check.h"

static void build_gkl(logit_net *n, nn_grad_mode mode, void *ctx) {
    const golden_case *c = ctx;
    nn_loss_options lo = golden_setup(n, c, mode);
    int id = nn_gaussian_kl(n->g, n->z, &lo);
    ck_assert_msg(id >= 0, "%s", nn_graph_error(n->g));
    n->nodes[3] = id;
}

START_TEST(test_gaussian_kl_golden) { check_golden("gaussian_kl", build_gkl, 1); }
END_TEST

/* Per-sample values by hand, a batch of one with D = 1, and the minimum 0 at
 * m = 0, s = 0 (the prior itself) with a zero gradient there. */
START_TEST(test_gaussian_kl_values) {
    const double x[4] = {0.5, -1.0, 0.3, 0.8}; /* D = 2: m = (0.5, −1), s = (0.3, 0.8) */
    golden_case d = {.B = 1, .K = 4, .T = 1, .logits = x, .reduction = "mean"};
    double dz[4];
    logit_net n;
    net_make(&n, 1, 4, x, NN_GRAD_SIMPLIFIED, build_gkl, NULL, &d);
    double L = net_grad(&n, dz);
    double want = 0.5 * (0.25 + exp(0.3) - 1 - 0.3 + 1 + exp(0.8) - 1 - 0.8);
    ck_assert_close(L, want, 1e-12, REAL_TOL);
    ck_assert_close(dz[0], 0.5, 1e-12, REAL_TOL);
    ck_assert_close(dz[1], -1.0, 1e-12, REAL_TOL);
    ck_assert_close(dz[2], 0.5 * (exp(0.3) - 1), 1e-12, REAL_TOL);
    ck_assert_close(dz[3], 0.5 * (exp(0.8) - 1), 1e-12, REAL_TOL);
    net_gradcheck(&n, dz, 4);
    nn_graph_free(n.g);

    const double zero[2] = {0, 0};
    golden_case d1 = {.B = 1, .K = 2, .T = 1, .logits = zero, .reduction = "mean"};
    net_make(&n, 1, 2, zero, NN_GRAD_SIMPLIFIED, build_gkl, NULL, &d1);
    ck_assert_close(net_grad(&n, dz), 0.0, 0, 0);
    ck_assert(dz[0] == 0 && dz[1] == 0);
    nn_graph_free(n.g);
}
END_TEST

START_TEST(test_gaussian_kl_odd_width) {
    nn_graph *g = nn_graph_create(2);
    int x = nn_input(g, 5);
    ck_assert_int_eq(nn_gaussian_kl(g, x, NULL), -1);
    ck_assert_msg(strstr(nn_graph_error(g), "even width"), "%s", nn_graph_error(g));
    nn_graph_free(g);
    /* class ids are a target, never a loss's input (their buffer is unused) */
    g = nn_graph_create(2);
    int y = nn_labels(g, 4);
    ck_assert_int_eq(nn_gaussian_kl(g, y, NULL), -1);
    ck_assert_msg(strstr(nn_graph_error(g), "holds class labels"), "%s", nn_graph_error(g));
    nn_graph_free(g);
}
END_TEST

Suite *test_losses_gaussian_kl_suite(void) {
    Suite *s = suite_create("losses_gaussian_kl");
    TCase *tc = tcase_create("gaussian_kl");
    tcase_add_test(tc, test_gaussian_kl_golden);
    tcase_add_test(tc, test_gaussian_kl_values);
    tcase_add_test(tc, test_gaussian_kl_odd_width);
    suite_add_tcase(s, tc);
    return s;
}
