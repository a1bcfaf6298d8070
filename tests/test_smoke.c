/* test_smoke.c — a graph builds, compiles, runs forward and backward. */
#include "alloc_hook.h"
#include "testutil.h"

START_TEST(test_tiny_graph_trains) {
    nn_graph *g = nn_graph_create(4);
    int x = nn_input(g, 3), y = nn_labels(g, 2);
    int p = nn_softmax(g, nn_dense(g, nn_relu(g, nn_dense(g, x, 5, NN_INIT_HE)), 2, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(g, p, y, &lo);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 7, &err), NN_OK);
    fill_uniform(nn_input_data(g, x), 12, -1, 1, 3);
    int32_t *lab = nn_label_data(g, y);
    lab[0] = 0, lab[1] = 1, lab[2] = 1, lab[3] = 0;
    ck_assert(gradcheck_params(g, 4, 100) > 0);
    nn_graph_free(g);
}
END_TEST

Suite *test_smoke_suite(void) {
    Suite *s = suite_create("smoke");
    TCase *tc = tcase_create("graph");
    tcase_add_test(tc, test_tiny_graph_trains);
    suite_add_tcase(s, tc);
    return s;
}
