/* test_losses_graph.c — every loss and head of the library in one graph:
 * no allocation during a training step, each loss's value readable, and the
 * parameter gradients of the whole network against finite differences. */
#include "alloc_hook.h"
#include "testutil.h"

START_TEST(test_all_losses_one_graph) {
    enum { B = 5, F = 4, K = 6 };
    nn_graph *g = nn_graph_create(B);
    int x = nn_input(g, F), y = nn_labels(g, K), t = nn_input(g, K), yr = nn_input(g, 1);
    int h = nn_tanh(g, nn_dense(g, x, 8, NN_INIT_XAVIER));
    int z = nn_dense(g, h, K, NN_INIT_XAVIER);
    int lat = nn_dense(g, h, 4, NN_INIT_XAVIER);
    int p = nn_softmax(g, z, 1.0);
    const double v[K] = {0, 1, 2, 4, 8, 16};
    int mu = nn_expectation(g, p, v), sd = nn_stddev(g, p, v);
    (void)nn_variance(g, p, v);
    nn_loss_options lo = nn_loss_defaults(), lj = lo;
    lj.mode = NN_GRAD_JACOBIAN;
    nn_distill_options d = {.alpha = 0.6, .temperature = 3};
    nn_distill_nodes dn;
    nn_mean_variance_nodes mv;
    nn_mean_variance_options mo = nn_mean_variance_defaults();
    mo.values = v;
    nn_kl_options ko = nn_kl_defaults();
    ko.direction = NN_KL_REVERSE;
    ko.target_temperature = 2;
    int losses[] = {
        nn_distillation(g, z, t, y, &d, &lj, &dn),
        nn_mean_variance(g, p, y, &mo, &lo, &mv),
        nn_kl_div(g, p, t, &ko, &lj),
        nn_ev_absolute(g, mu, yr, NULL, &lo),
        nn_ev_squared(g, sd, yr, NULL, &lj),
        nn_gaussian_kl(g, lat, &lo),
    };
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 3, &err) == NN_OK, "%s", err.msg);
    fill_uniform(nn_input_data(g, x), B * F, -1, 1, 1);
    fill_uniform(nn_input_data(g, t), B * K, -2, 2, 2);
    fill_uniform(nn_input_data(g, yr), B, 0, 6, 3);
    int32_t *lab = nn_label_data(g, y);
    for (int b = 0; b < B; b++) lab[b] = (b * 7) % K;

    long before = test_alloc_count();
    nn_graph_zero_grad(g);
    double L = nn_graph_forward(g, B);
    nn_graph_backward(g, B);
    ck_assert_int_eq(test_alloc_count() - before, 0);
    ck_assert_msg(isfinite(L), "%s", nn_graph_run_error(g) ? nn_graph_run_error(g) : "");
    for (size_t i = 0; i < sizeof losses / sizeof losses[0]; i++) {
        ck_assert_int_ge(losses[i], 0);
        ck_assert(isfinite(nn_loss_value(g, losses[i])) && nn_loss_value(g, losses[i]) > 0);
    }
    ck_assert(gradcheck_params(g, B, 150) > 10);
    nn_graph_free(g);
}
END_TEST

Suite *test_losses_graph_suite(void) {
    Suite *s = suite_create("losses_graph");
    TCase *tc = tcase_create("graph");
    tcase_add_test(tc, test_all_losses_one_graph);
    suite_add_tcase(s, tc);
    return s;
}
