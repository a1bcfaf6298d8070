/* test_metrics_ordinal.c — prediction rules (argmax, median, rounded E[X],
 * rank) and the metrics of class predictions: accuracy, MAE, macro-averaged
 * MAE, off-by-one, per-class recall, confusion matrix, Spearman's ρ. Small
 * cases computed by hand (arithmetic in the comments; probabilities are
 * exact binary fractions, so float and double agree exactly). */
#include <string.h>

#include "testutil.h"

/* K = 4                      argmax  median (cum ≥ ½)     E[X] (0..3) → nearest
 * r0  .5   .25  .125 .125    0       0 (.5)               .875  → 1
 * r1  .125 .125 .25  .5      3       2 (.125 .25 .5)      2.125 → 2
 * r2  .375 0    0    .625    3       3 (.375 .375 .375)   1.875 → 2
 * r3  .25  .5   .25  0       1       1 (.25 .75)          1     → 1 */
static const nn_real Q[16] = {0.5, 0.25, 0.125, 0.125, 0.125, 0.125, 0.25, 0.5,
                              0.375, 0, 0, 0.625, 0.25, 0.5, 0.25, 0};
static const int32_t Y[4] = {0, 3, 0, 2};

START_TEST(test_rules) {
    int32_t pred[4];
    const int32_t want[4][4] = {{0, 3, 3, 1}, {0, 2, 3, 1}, {1, 2, 2, 1}, {0, 2, 3, 1}};
    for (int r = NN_RULE_ARGMAX; r <= NN_RULE_RANK; r++) {
        nn_predict_classes(pred, Q, 4, 4, NULL, (nn_predict_rule)r);
        for (int b = 0; b < 4; b++)
            ck_assert_msg(pred[b] == want[r][b], "rule %s, row %d: %d, want %d",
                          nn_predict_rule_name((nn_predict_rule)r), b, pred[b], want[r][b]);
        ck_assert_int_eq(nn_predict_rule_parse(nn_predict_rule_name((nn_predict_rule)r)), r);
    }
    /* values (1, 2, 4, 8): E[X] = 2.5, 5.375, 5.375, 2.25 → nearest 2, 4, 4, 2 */
    const double v[4] = {1, 2, 4, 8};
    nn_predict_classes(pred, Q, 4, 4, v, NN_RULE_EXPECTED);
    ck_assert(pred[0] == 1 && pred[1] == 2 && pred[2] == 2 && pred[3] == 1);
    /* E[X] exactly between two values takes the lower: (½, ½, 0) → 0.5 → 0 */
    const nn_real half[3] = {0.5, 0.5, 0};
    nn_predict_classes(pred, half, 1, 3, NULL, NN_RULE_EXPECTED);
    ck_assert_int_eq(pred[0], 0);
    ck_assert_int_eq(nn_predict_rule_parse("mode"), -1);
    ck_assert_ptr_null(nn_predict_rule_name((nn_predict_rule)7));
}
END_TEST

/* median predictions 0 2 3 1 against labels 0 3 0 2:
 *   accuracy 1/4; MAE (positions) (0 + 1 + 3 + 1)/4 = 1.25;
 *   MAE (values 1 2 4 8) (0 + 4 + 7 + 2)/4 = 3.25;
 *   macro MAE: class 0 rows r0, r2: (0 + 3)/2 = 1.5; class 2: 1; class 3: 1;
 *              class 1 has no rows → (1.5 + 1 + 1)/3;
 *   off-by-one: 3 of 4; recall 1/2, NaN, 0, 0. */
START_TEST(test_prediction_metrics) {
    const int32_t pred[4] = {0, 2, 3, 1};
    const double v[4] = {1, 2, 4, 8};
    ck_assert_close(nn_accuracy_pred(pred, Y, 4, 4), 0.25, 0, 0);
    ck_assert_close(nn_mae_pred(pred, Y, 4, 4, NULL), 1.25, 0, 1e-15);
    ck_assert_close(nn_mae_pred(pred, Y, 4, 4, v), 3.25, 0, 1e-15);
    ck_assert_close(nn_macro_mae_pred(pred, Y, 4, 4, NULL), 3.5 / 3, 0, 1e-15);
    ck_assert_close(nn_off_by_one_pred(pred, Y, 4, 4), 0.75, 0, 0);
    double recall[4];
    ck_assert_int_eq(nn_per_class_recall(recall, pred, Y, 4, 4, NULL), NN_OK);
    ck_assert(recall[0] == 0.5 && isnan(recall[1]) && recall[2] == 0 && recall[3] == 0);
    int64_t cm[16], want[16] = {0};
    want[0 * 4 + 0] = want[3 * 4 + 2] = want[0 * 4 + 3] = want[2 * 4 + 1] = 1;
    ck_assert_int_eq(nn_confusion_matrix_pred(cm, pred, Y, 4, 4, NULL), NN_OK);
    for (int i = 0; i < 16; i++) ck_assert_int_eq(cm[i], want[i]);
    /* a prediction or label outside 0..K−1: NaN, or an error naming the row */
    const int32_t bad[4] = {0, 2, 4, 1};
    ck_assert(isnan(nn_mae_pred(bad, Y, 4, 4, NULL)));
    ck_assert(isnan(nn_macro_mae_pred(pred, bad, 4, 4, NULL)));
    ck_assert(isnan(nn_off_by_one_pred(pred, Y, 0, 4)));
    nn_error err;
    ck_assert_int_eq(nn_per_class_recall(recall, bad, Y, 4, 4, &err), NN_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "row 2"), "%s", err.msg);
}
END_TEST

/* Macro MAE weighs classes equally: 9 right answers in class 0 and one wrong
 * by 2 in class 1 give MAE 0.2 but macro MAE (0 + 2)/2 = 1. */
START_TEST(test_macro_mae_imbalanced) {
    int32_t y[10] = {0}, p[10] = {0};
    y[9] = 1, p[9] = 3;
    ck_assert_close(nn_mae_pred(p, y, 10, 4, NULL), 0.2, 0, 1e-15);
    ck_assert_close(nn_macro_mae_pred(p, y, 10, 4, NULL), 1.0, 0, 1e-15);
}
END_TEST

/* Spearman's ρ with ties, against scipy.stats.spearmanr:
 *   a = 3.1 1.2 1.2 5.0 2.2 2.2 2.2 0.1, b = 1 0 1 2 1 2 0 0 → 0.6495698024616309 */
START_TEST(test_spearman) {
    const double a[8] = {3.1, 1.2, 1.2, 5.0, 2.2, 2.2, 2.2, 0.1};
    const double b[8] = {1, 0, 1, 2, 1, 2, 0, 0};
    ck_assert_close(nn_spearman(a, b, 8), 0.6495698024616309, 0, 1e-12);
    ck_assert_close(nn_spearman(b, a, 8), 0.6495698024616309, 0, 1e-12);
    const double up[4] = {1, 5, 9, 100}, sq[4] = {1, 25, 81, 1e4}, down[4] = {3, 2, 1, 0};
    ck_assert_close(nn_spearman(up, sq, 4), 1, 0, 1e-15);  /* any increasing map */
    ck_assert_close(nn_spearman(up, down, 4), -1, 0, 1e-15);
    const double flat[4] = {2, 2, 2, 2}, nan4[4] = {1, NAN, 2, 3};
    ck_assert(isnan(nn_spearman(up, flat, 4)));
    ck_assert(isnan(nn_spearman(up, nan4, 4)));
    ck_assert(isnan(nn_spearman(up, sq, 1)));
}
END_TEST

Suite *test_metrics_ordinal_suite(void) {
    Suite *s = suite_create("metrics_ordinal");
    TCase *tc = tcase_create("metrics_ordinal");
    tcase_add_test(tc, test_rules);
    tcase_add_test(tc, test_prediction_metrics);
    tcase_add_test(tc, test_macro_mae_imbalanced);
    tcase_add_test(tc, test_spearman);
    suite_add_tcase(s, tc);
    return s;
}
