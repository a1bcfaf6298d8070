/* test_loss_coef.c — nn_loss_coef: the weight each loss node enters the
 * total with. Distillation's terms carry α·T² and (1 − α), times the
 * caller's coef; the total of a forward pass is Σ coef · nn_loss_value; a
 * node that is not a loss has NaN. */
#include "testutil.h"

START_TEST(test_loss_coef_of_distillation) {
    nn_graph *g = nn_graph_create(2);
    int s = nn_input(g, 3), t = nn_input(g, 3), y = nn_labels(g, 3);
    nn_loss_options lo = nn_loss_defaults();
    lo.coef = 0.5;
    nn_distill_options d = {.alpha = 0.25, .temperature = 2};
    nn_distill_nodes dn;
    ck_assert_int_ge(nn_distillation(g, s, t, y, &d, &lo, &dn), 0);
    nn_error err;
    ck_assert_int_eq(nn_input_requires_grad(g, s, &err), NN_OK);
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    ck_assert_double_eq_tol(nn_loss_coef(g, dn.soft_loss), 0.5 * 0.25 * 4, 1e-15);
    ck_assert_double_eq_tol(nn_loss_coef(g, dn.hard_loss), 0.5 * 0.75, 1e-15);
    ck_assert(isnan(nn_loss_coef(g, dn.probs)));
    ck_assert(isnan(nn_loss_coef(g, s)));
    ck_assert(isnan(nn_loss_coef(g, 99)));
    const nn_real rows[6] = {1, -2, 0.5, 0.3, 0.1, -1};
    for (int i = 0; i < 6; i++) nn_input_data(g, s)[i] = rows[i], nn_input_data(g, t)[i] = rows[5 - i];
    nn_label_data(g, y)[0] = 2, nn_label_data(g, y)[1] = 0;
    double total = nn_graph_forward(g, 2);
    double sum = nn_loss_coef(g, dn.soft_loss) * nn_loss_value(g, dn.soft_loss) +
                 nn_loss_coef(g, dn.hard_loss) * nn_loss_value(g, dn.hard_loss);
    ck_assert(nn_loss_value(g, dn.soft_loss) > 0 && nn_loss_value(g, dn.hard_loss) > 0);
    ck_assert_double_eq_tol(total, sum, 1e-6 * fabs(sum));
    nn_graph_free(g);
}
END_TEST

Suite *test_loss_coef_suite(void) {
    Suite *s = suite_create("loss_coef");
    TCase *tc = tcase_create("coef");
    tcase_add_test(tc, test_loss_coef_of_distillation);
    suite_add_tcase(s, tc);
    return s;
}
