/* test_losses_soft_targets.c — SORD and DLDL soft ordinal targets: golden
 * rows from PyTorch, normalisation, peak and symmetry, stability far from the
 * values, errors, and use as CE / KL targets.
 * Definitions: docs/losses.md#soft-ordinal-targets. */
#include "loss_check.h"

static nn_status make(const golden_soft_case *c, nn_real *out, nn_error *err) {
    if (strcmp(c->kind, "dldl") == 0)
        return nn_dldl_targets(out, c->y, c->n, c->K, c->values, c->param, err);
    nn_sord_distance phi =
        strcmp(c->kind, "sord_squared") == 0 ? NN_SORD_SQUARED : NN_SORD_ABSOLUTE;
    return nn_sord_targets(out, c->y, c->n, c->K, c->values, phi, c->param, err);
}

START_TEST(test_soft_targets_golden) {
    nn_real out[64];
    for (size_t k = 0; k < N_GOLDEN_SOFT_CASES; k++) {
        const golden_soft_case *c = &golden_soft_cases[k];
        nn_error err;
        ck_assert_int_eq(make(c, out, &err), NN_OK);
        for (int i = 0; i < c->n * c->K; i++)
            ck_assert_msg(close_enough(out[i], c->out[i], 1e-12, REAL_TOL * 10),
                          "%s[%d] = %.15g, PyTorch %.15g", c->name, i, (double)out[i],
                          c->out[i]);
    }
}
END_TEST

/* Rows sum to 1, peak at the value nearest y, are symmetric around a y on a
 * value (default values), and DLDL(σ) = SORD squared with scale 1/(2σ²). */
START_TEST(test_soft_targets_shape) {
    enum { K = 9 };
    const double y[3] = {4, 0.2, 7.6};
    nn_real t[3 * K], s[3 * K];
    ck_assert_int_eq(nn_dldl_targets(t, y, 3, K, NULL, 1.5, NULL), NN_OK);
    ck_assert_int_eq(nn_sord_targets(s, y, 3, K, NULL, NN_SORD_SQUARED, 1 / (2 * 1.5 * 1.5),
                                     NULL), NN_OK);
    const int nearest[3] = {4, 0, 8};
    for (int b = 0; b < 3; b++) {
        double sum = 0;
        for (int i = 0; i < K; i++) sum += t[b * K + i];
        ck_assert_close(sum, 1, 0, REAL_TOL);
        for (int i = 0; i < K; i++) {
            ck_assert(t[b * K + i] <= t[b * K + nearest[b]]);
            ck_assert_close(t[b * K + i], s[b * K + i], 0, REAL_TOL);
        }
    }
    for (int i = 0; i < K; i++) ck_assert_close(t[i], t[K - 1 - i], 0, REAL_TOL);
    /* absolute distance decays geometrically: t_{i+1}/t_i = e^{−scale} away from y */
    ck_assert_int_eq(nn_sord_targets(s, y, 1, K, NULL, NN_SORD_ABSOLUTE, 0.7, NULL), NN_OK);
    for (int i = 4; i < K - 1; i++) ck_assert_close(s[i + 1] / s[i], exp(-0.7), 0, REAL_TOL);
}
END_TEST

/* SORD with squared distance and scale s is DLDL with σ = 1/√(2s), for any
 * scale, values and targets (what nn train --help and docs/losses.md say). */
START_TEST(test_sord_is_dldl) {
    enum { K = 6 };
    const double v[K] = {-1, 0, 0.5, 2, 3.5, 10}, y[3] = {0.3, 3.9, -4};
    const double scales[4] = {0.05, 0.5, 1, 8};
    nn_real t[3 * K], s[3 * K];
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(nn_sord_targets(s, y, 3, K, v, NN_SORD_SQUARED, scales[k], NULL), NN_OK);
        ck_assert_int_eq(nn_dldl_targets(t, y, 3, K, v, 1 / sqrt(2 * scales[k]), NULL), NN_OK);
        for (int i = 0; i < 3 * K; i++)
            ck_assert_msg(fabs(s[i] - t[i]) <= REAL_TOL, "scale %g, entry %d: SORD %g, DLDL %g",
                          scales[k], i, (double)s[i], (double)t[i]);
    }
}
END_TEST

/* A y far outside the values, or a tiny σ, gives a one-hot row (nearest
 * category), not 0/0. */
START_TEST(test_soft_targets_far_and_sharp) {
    const double y[2] = {1e6, -3.2};
    nn_real t[10];
    ck_assert_int_eq(nn_dldl_targets(t, y, 2, 5, NULL, 1e-3, NULL), NN_OK);
    for (int i = 0; i < 5; i++) ck_assert_close(t[i], i == 4, 0, 0);
    for (int i = 0; i < 5; i++) ck_assert_close(t[5 + i], i == 0, 0, 0);
    ck_assert_int_eq(nn_sord_targets(t, y, 2, 5, NULL, NN_SORD_ABSOLUTE, 1e3, NULL), NN_OK);
    for (int i = 0; i < 10; i++) ck_assert(isfinite(t[i]));
}
END_TEST

START_TEST(test_soft_targets_errors) {
    nn_real t[8];
    const double y[2] = {1, NAN}, ok[2] = {1, 2}, dec[4] = {0, 1, 1, 3};
    nn_error err;
    ck_assert_int_eq(nn_dldl_targets(t, ok, 2, 4, NULL, 0, &err), NN_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "sigma"), "%s", err.msg);
    ck_assert_int_eq(nn_sord_targets(t, ok, 2, 4, NULL, NN_SORD_SQUARED, -1, &err), NN_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "scale"), "%s", err.msg);
    ck_assert_int_eq(nn_sord_targets(t, ok, 2, 4, NULL, (nn_sord_distance)7, 1, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_dldl_targets(t, y, 2, 4, NULL, 1, &err), NN_ERR_NUMERIC);
    ck_assert_msg(strstr(err.msg, "target 1"), "%s", err.msg);
    ck_assert_int_eq(nn_dldl_targets(t, ok, 2, 4, dec, 1, &err), NN_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "value 2"), "%s", err.msg);
    ck_assert_int_eq(nn_dldl_targets(t, ok, 2, 0, NULL, 1, &err), NN_ERR_ARG);
    const double huge[1] = {1e300};
    ck_assert_int_eq(nn_dldl_targets(t, huge, 1, 4, NULL, 1, &err), NN_ERR_NUMERIC);
}
END_TEST

/* DLDL targets are valid probability targets for KL and CE (they pass the
 * Σ = 1 check), and both losses' gradients hold on them. */
static void build_soft(logit_net *n, nn_grad_mode mode, void *ctx) {
    const golden_case *c = ctx;
    nn_loss_options lo = golden_setup(n, c, mode);
    int p = nn_softmax(n->g, n->z, c->T);
    int id = c->reverse ? nn_kl_div(n->g, p, n->nodes[0], NULL, &lo)
                        : nn_cross_entropy_ex(n->g, p, n->nodes[0], NULL, &lo);
    ck_assert_msg(id >= 0, "%s", nn_graph_error(n->g));
}

START_TEST(test_soft_targets_train_ce_kl) {
    enum { B = 3, K = 6 };
    const double y[B] = {0.5, 2, 4.9};
    nn_real t[B * K];
    ck_assert_int_eq(nn_dldl_targets(t, y, B, K, NULL, 1.0, NULL), NN_OK);
    double td[B * K], z[B * K];
    for (int i = 0; i < B * K; i++) td[i] = t[i];
    nn_rng r;
    nn_rng_seed(&r, 3);
    for (int i = 0; i < B * K; i++) z[i] = nn_rng_normal(&r);
    for (int kl = 0; kl < 2; kl++) {
        golden_case d = {.B = B, .K = K, .T = 1, .logits = z, .target = td, .target_width = K,
                         .reduction = "mean", .reverse = kl};
        check_loss(B, K, z, build_soft, golden_fill, &d, 64, MODES_AGREE, NULL);
    }
}
END_TEST

Suite *test_losses_soft_targets_suite(void) {
    Suite *s = suite_create("losses_soft_targets");
    TCase *tc = tcase_create("soft_targets");
    tcase_add_test(tc, test_soft_targets_golden);
    tcase_add_test(tc, test_soft_targets_shape);
    tcase_add_test(tc, test_sord_is_dldl);
    tcase_add_test(tc, test_soft_targets_far_and_sharp);
    tcase_add_test(tc, test_soft_targets_errors);
    tcase_add_test(tc, test_soft_targets_train_ce_kl);
    suite_add_tcase(s, tc);
    return s;
}
