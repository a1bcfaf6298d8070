/* test_clip_grad.c — gradient-norm clipping (nn/clip_grad.c) as
 * torch.nn.utils.clip_grad_norm_: the norm over every layer's gradients
 * together, the scale max_norm / (n + 1e-6), nothing changed below the
 * bound, and the argument checks. */
#include <string.h>

#include "testutil.h"

/* Two dense layers: 3·4 + 4 + 4·2 + 2 = 26 parameters in two nodes. */
static nn_graph *two_layers(void) {
    nn_graph *g = nn_graph_create(2);
    int x = nn_input(g, 3);
    nn_dense(g, nn_dense(g, x, 4, NN_INIT_HE), 2, NN_INIT_HE);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    ck_assert_uint_eq(nn_graph_n_params(g), 26);
    return g;
}

START_TEST(test_clip_grad_norm_scales) {
    nn_graph *g = two_layers();
    nn_real *dw = nn_graph_grads(g);
    memset(dw, 0, 26 * sizeof *dw);
    dw[0] = 3, dw[5] = -4, dw[25] = 12; /* first and second layer: ‖g‖ = 13 */
    ck_assert_double_eq_tol(nn_grad_norm(g), 13, 1e-12);
    double n = nn_clip_grad_norm(g, 6.5);
    ck_assert_double_eq_tol(n, 13, 1e-12);
    double c = 6.5 / (13 + 1e-6); /* torch: clip_coef = max_norm / (total_norm + 1e-6) */
    ck_assert_close(dw[0], 3 * c, 0, REAL_TOL);
    ck_assert_close(dw[5], -4 * c, 0, REAL_TOL);
    ck_assert_close(dw[25], 12 * c, 0, REAL_TOL);
    ck_assert_close(nn_grad_norm(g), 13 * c, 0, REAL_TOL); /* 6.5 · 13/(13 + 1e-6) */
    for (int i = 0; i < 26; i++)
        if (i != 0 && i != 5 && i != 25) ck_assert(dw[i] == 0);
    nn_graph_free(g);
}
END_TEST

START_TEST(test_clip_grad_norm_below_bound) {
    nn_graph *g = two_layers();
    nn_real *dw = nn_graph_grads(g), keep[26];
    fill_uniform(dw, 26, -0.1, 0.1, 4);
    memcpy(keep, dw, sizeof keep);
    double n = nn_clip_grad_norm(g, 10);
    ck_assert(n > 0 && n < 10);
    ck_assert(memcmp(keep, dw, sizeof keep) == 0);
    /* bad bounds: NaN, nothing changes */
    ck_assert(isnan(nn_clip_grad_norm(g, 0)));
    ck_assert(isnan(nn_clip_grad_norm(g, -1)));
    ck_assert(isnan(nn_clip_grad_norm(g, INFINITY)));
    ck_assert(memcmp(keep, dw, sizeof keep) == 0);
    /* a non-finite norm is reported and left for the caller's check */
    dw[3] = (nn_real)INFINITY;
    ck_assert(isinf(nn_clip_grad_norm(g, 1)));
    ck_assert(dw[0] == keep[0]);
    nn_graph_free(g);
}
END_TEST

Suite *test_clip_grad_suite(void) {
    Suite *s = suite_create("clip_grad");
    TCase *tc = tcase_create("clip_grad");
    tcase_add_test(tc, test_clip_grad_norm_scales);
    tcase_add_test(tc, test_clip_grad_norm_below_bound);
    suite_add_tcase(s, tc);
    return s;
}
