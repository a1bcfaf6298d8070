/* test_metrics.c — every metric on small cases computed by hand (the
 * arithmetic is in the comments), plus the undefined cases (NaN). */
#include "testutil.h"

#include <string.h>

/* 4 rows, K = 4; argmax = 1, 2, 2, 0 (row 3 ties 0 and 3: the first wins) */
static const nn_real P[16] = {0.1f, 0.6f, 0.2f, 0.1f,  0.0f, 0.25f, 0.5f, 0.25f,
                              0.3f, 0.1f, 0.4f, 0.2f,  0.4f, 0.1f, 0.1f, 0.4f};
static const int32_t Y[4] = {1, 3, 2, 2};

START_TEST(test_accuracy_and_confusion) {
    ck_assert_close(nn_accuracy(P, Y, 4, 4), 0.5, 0, 0); /* rows 0 and 2 */
    int64_t cm[16];
    ck_assert_int_eq(nn_confusion_matrix(cm, P, Y, 4, 4, NULL), NN_OK);
    int64_t want[16] = {0};
    want[1 * 4 + 1] = 1, want[3 * 4 + 2] = 1, want[2 * 4 + 2] = 1, want[2 * 4 + 0] = 1;
    for (int i = 0; i < 16; i++) ck_assert_int_eq(cm[i], want[i]);
    int32_t bad[4] = {1, 4, 2, 2};
    nn_error err;
    ck_assert_int_eq(nn_confusion_matrix(cm, P, bad, 4, 4, &err), NN_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "label 4 of row 1"), "%s", err.msg);
    ck_assert(isnan(nn_accuracy(P, bad, 4, 4)));
    ck_assert(isnan(nn_accuracy(P, Y, 0, 4)));
    int32_t pred[4];
    nn_argmax_rows(pred, P, 4, 4);
    ck_assert(pred[0] == 1 && pred[1] == 2 && pred[2] == 2 && pred[3] == 0);
}
END_TEST

/* values v = (1, 2, 4, 8).
 * μ: row 0  .1 + 1.2 + .8 + .8   = 2.9,  y = v1 = 2 → |e| = 0.9
 *    row 1  0 + .5 + 2 + 2       = 4.5,  y = v3 = 8 → 3.5
 *    row 2  .3 + .2 + 1.6 + 1.6  = 3.7,  y = v2 = 4 → 0.3
 *    row 3  .4 + .2 + .4 + 3.2   = 4.2,  y = v2 = 4 → 0.2
 * MAE(μ) = 4.9 / 4 = 1.225; RMSE(μ) = √((.81 + 12.25 + .09 + .04)/4) = √3.2975
 * argmax values 2, 4, 4, 1 vs 2, 8, 4, 4 → MAE = (0 + 4 + 0 + 3)/4 = 1.75
 * off-by-one on positions: |1−1|, |2−3|, |2−2|, |0−2| → 3 of 4 */
START_TEST(test_ordinal_metrics) {
    const double v[4] = {1, 2, 4, 8};
    ck_assert_close(nn_mae_expected(P, Y, 4, 4, v), 1.225, 1e-6, 1e-6);
    ck_assert_close(nn_rmse_expected(P, Y, 4, 4, v), sqrt(3.2975), 1e-6, 1e-6);
    ck_assert_close(nn_mae_argmax(P, Y, 4, 4, v), 1.75, 0, 1e-12);
    ck_assert_close(nn_off_by_one_accuracy(P, Y, 4, 4), 0.75, 0, 0);
    /* default values 0..3: μ = 1.3, 2, 1.5, 1.5 vs 1, 3, 2, 2 → (.3 + 1 + .5 + .5)/4 */
    ck_assert_close(nn_mae_expected(P, Y, 4, 4, NULL), 2.3 / 4, 1e-6, 1e-6);
    double mu[4];
    nn_expected_values(mu, P, 4, 4, v);
    ck_assert_close(mu[1], 4.5, 1e-6, 1e-6);
    ck_assert(isnan(nn_mae_argmax(P, (int32_t[4]){1, 3, -1, 2}, 4, 4, v)));
}
END_TEST

/* κ = 1 − Σ(p − y)² / (Σy² + Σp² − 2 Σy Σp / n) (see nn/metrics.c):
 *   y = 0 1 2 3, p = 0 2 2 3: 1 − 1 / (14 + 17 − 2·6·7/4) = 1 − 1/10 = 0.9
 *   y = 0 1 2,   p = 2 1 0:   1 − 8 / (5 + 5 − 2·3·3/3)  = 1 − 8/4 = −1
 *   y = 0 0 1 1 2 2 3 4, p = 0 1 1 1 2 3 3 2:
 *     1 − 6 / (35 + 29 − 2·13·13/8) = 1 − 6/21.75 = 0.72413793…
 * (the last agrees with the K × K weighted-matrix definition). */
START_TEST(test_qwk) {
    ck_assert_close(nn_quadratic_weighted_kappa((int32_t[]){0, 2, 2, 3}, (int32_t[]){0, 1, 2, 3},
                                                4, 4), 0.9, 1e-12, 0);
    ck_assert_close(nn_quadratic_weighted_kappa((int32_t[]){2, 1, 0}, (int32_t[]){0, 1, 2}, 3, 3),
                    -1.0, 1e-12, 0);
    ck_assert_close(nn_quadratic_weighted_kappa((int32_t[]){0, 1, 1, 1, 2, 3, 3, 2},
                                                (int32_t[]){0, 0, 1, 1, 2, 2, 3, 4}, 8, 5),
                    1 - 6 / 21.75, 1e-12, 0);
    const int32_t y[5] = {4, 0, 2, 2, 1};
    ck_assert_close(nn_quadratic_weighted_kappa(y, y, 5, 5), 1.0, 0, 0);
    /* one category only: no expected disagreement, κ undefined */
    ck_assert(isnan(nn_quadratic_weighted_kappa((int32_t[]){2, 2}, (int32_t[]){2, 2}, 2, 3)));
    ck_assert(isnan(nn_quadratic_weighted_kappa((int32_t[]){0, 5}, (int32_t[]){0, 1}, 2, 3)));
}
END_TEST

/* teacher rows (.5, .5, 0) and (.2, .3, .5); student (.25, .5, .25) and
 * (.1, .6, .3). argmax: teacher 0, 2; student 1, 1 → agreement 0 of 2.
 * KL row 0 = .5 log(.5/.25) + .5 log(1) + 0 = .5 log 2
 * KL row 1 = .2 log 2 + .3 log .5 + .5 log(5/3) = −.1 log 2 + .5 log(5/3) */
START_TEST(test_distillation_metrics) {
    const nn_real t[6] = {0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f};
    const nn_real s[6] = {0.25f, 0.5f, 0.25f, 0.1f, 0.6f, 0.3f};
    ck_assert_close(nn_top1_agreement(s, t, 2, 3), 0.0, 0, 0);
    ck_assert_close(nn_top1_agreement(t, t, 2, 3), 1.0, 0, 0);
    double want = (0.5 * log(2) - 0.1 * log(2) + 0.5 * log(5.0 / 3)) / 2;
    ck_assert_close(nn_mean_kl(t, s, 2, 3), want, 1e-6, 1e-6);
    ck_assert_close(nn_mean_kl(t, t, 2, 3), 0.0, 1e-12, 0);
    /* the teacher has mass where the student has none: +inf, not NaN */
    const nn_real s0[6] = {1, 0, 0, 0.1f, 0.6f, 0.3f};
    ck_assert(isinf(nn_mean_kl(t, s0, 2, 3)));
    const nn_real neg[6] = {1.5f, -0.5f, 0, 0.2f, 0.3f, 0.5f};
    ck_assert(isnan(nn_mean_kl(neg, s, 2, 3)));
    /* from logits: log of the probabilities above (softmax of log p is p) */
    nn_real tl[6], sl[6];
    const nn_real t1[6] = {0.5f, 0.5f, 1e-30f, 0.2f, 0.3f, 0.5f};
    for (int i = 0; i < 6; i++) tl[i] = (nn_real)log(t1[i]), sl[i] = (nn_real)log(s[i]);
    ck_assert_close(nn_mean_kl_logits(tl, sl, 2, 3, 1.0), want, 1e-6, 1e-5);
    /* at T = 2 both are softened: compare with the probabilities of z/2 */
    nn_real pt[6], ps[6];
    nn_softmax_row(pt, tl, 3, 2), nn_softmax_row(pt + 3, tl + 3, 3, 2);
    nn_softmax_row(ps, sl, 3, 2), nn_softmax_row(ps + 3, sl + 3, 3, 2);
    ck_assert_close(nn_mean_kl_logits(tl, sl, 2, 3, 2.0), nn_mean_kl(pt, ps, 2, 3), 1e-6, 1e-5);
    /* logits ±1e4: the probability form is +inf, the logit form finite */
    const nn_real tz[2] = {0, 0}, sz[2] = {1e4f, -1e4f};
    ck_assert_close(nn_mean_kl_logits(tz, sz, 1, 2, 1.0), 0.5 * (log(0.5) + 2e4 + log(0.5)),
                    1e-3, 1e-6);
    ck_assert(isnan(nn_mean_kl_logits(tz, sz, 1, 2, 0)));
}
END_TEST

/* The one E[X]: μ and the two-pass σ² of a row, values or 0..K−1; the same μ
 * through nn_expected_values and the expectation head. */
START_TEST(test_category_moments) {
    const nn_real p[4] = {0.1, 0.2, 0.3, 0.4};
    const double v[4] = {1e4, 1e4 + 1, 1e4 + 2, 1e4 + 4};
    double mu, var, mu_batch;
    nn_category_moments(&mu, &var, p, 4, NULL);
    ck_assert_close(mu, 2.0, 1e-6, 1e-6);    /* 0.2 + 0.6 + 1.2 */
    ck_assert_close(var, 1.0, 1e-6, 1e-6);   /* 0.4 + 0.2 + 0 + 0.4 */
    nn_category_moments(&mu, &var, p, 4, v); /* far from 0: two-pass keeps every digit */
    ck_assert_close(mu, 1e4 + 2.4, 1e-9 * 1e4, 1e-6);
    ck_assert_close(var, 0.1 * 5.76 + 0.2 * 1.96 + 0.3 * 0.16 + 0.4 * 2.56, 1e-6, 1e-5);
    nn_category_moments(&mu, NULL, p, 4, v);
    nn_expected_values(&mu_batch, p, 1, 4, v);
    ck_assert_double_eq(mu, mu_batch);
    nn_graph *g = nn_graph_create(1);
    int z = nn_input(g, 4), e = nn_expectation(g, nn_softmax(g, z, 1.0), v);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    nn_real *x = nn_input_data(g, z), q[4];
    for (int i = 0; i < 4; i++) x[i] = (nn_real)(0.3 * i - 0.5);
    nn_graph_forward(g, 1);
    nn_softmax_row(q, x, 4, 1.0);
    nn_category_moments(&mu, NULL, q, 4, v);
    ck_assert_double_eq(nn_output(g, e)[0], (nn_real)mu);
    nn_graph_free(g);
}
END_TEST

Suite *test_metrics_suite(void) {
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, test_accuracy_and_confusion);
    tcase_add_test(tc, test_ordinal_metrics);
    tcase_add_test(tc, test_qwk);
    tcase_add_test(tc, test_distillation_metrics);
    tcase_add_test(tc, test_category_moments);
    suite_add_tcase(s, tc);
    return s;
}
