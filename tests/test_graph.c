/* test_graph.c — the graph mechanics: fan-out accumulates gradients, a batch
 * smaller than max_batch works and ignores the rows past it, and bad
 * builders give compile errors with a message (the first one, sticky).
 */
#include <string.h>

#include "testutil.h"

enum { F = 3, K = 4, MAX_B = 6 };

/* ------------------------------------------------------------- fan-out */

/* x → dense → softmax p, and p feeds two cross-entropy losses with
 * coefficients c1, c2 (either may be absent: coefficient 0 = not built). */
static nn_graph *two_losses(double c1, nn_grad_mode m1, double c2, nn_grad_mode m2, int *z) {
    nn_graph *g = nn_graph_create(MAX_B);
    int x = nn_input(g, F), y1 = nn_labels(g, K), y2 = nn_labels(g, K);
    *z = nn_dense(g, x, K, NN_INIT_XAVIER);
    int p = nn_softmax(g, *z, 1.5);
    nn_loss_options lo = nn_loss_defaults();
    if (c1 != 0) {
        lo.coef = c1, lo.mode = m1;
        nn_cross_entropy(g, p, y1, &lo);
    }
    if (c2 != 0) {
        lo.coef = c2, lo.mode = m2;
        nn_cross_entropy(g, p, y2, &lo);
    }
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 9, &err) == NN_OK, "%s", err.msg);
    fill_uniform(nn_input_data(g, x), MAX_B * F, -2, 2, 1);
    for (int b = 0; b < MAX_B; b++) {
        nn_label_data(g, y1)[b] = b % K;
        nn_label_data(g, y2)[b] = (b + 2) % K; /* different targets */
    }
    return g;
}

static double run(nn_graph *g, int B) {
    nn_graph_zero_grad(g);
    double l = nn_graph_forward(g, B);
    ck_assert(isfinite(l));
    nn_graph_backward(g, B);
    return l;
}

START_TEST(test_fan_out_accumulates) {
    const double c1 = 0.3, c2 = 1.7;
    const nn_grad_mode modes[][2] = {{NN_GRAD_SIMPLIFIED, NN_GRAD_SIMPLIFIED},
                                     {NN_GRAD_JACOBIAN, NN_GRAD_JACOBIAN},
                                     {NN_GRAD_SIMPLIFIED, NN_GRAD_JACOBIAN},
                                     {NN_GRAD_JACOBIAN, NN_GRAD_SIMPLIFIED}};
    for (int m = 0; m < 4; m++) {
        int z;
        nn_graph *both = two_losses(c1, modes[m][0], c2, modes[m][1], &z);
        nn_graph *one = two_losses(c1, modes[m][0], 0, 0, &z);
        nn_graph *two = two_losses(0, 0, c2, modes[m][1], &z);
        double lb = run(both, MAX_B), l1 = run(one, MAX_B), l2 = run(two, MAX_B);
        ck_assert_close(lb, l1 + l2, REAL_TOL, REAL_TOL);
        size_t n = nn_graph_n_params(both);
        const nn_real *gb = nn_graph_grads(both), *g1 = nn_graph_grads(one), *g2 = nn_graph_grads(two);
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(close_enough(gb[i], g1[i] + g2[i], REAL_TOL, 100 * REAL_TOL),
                          "modes %d: grad %zu: both %.10g, sum of each alone %.10g", m, i,
                          (double)gb[i], (double)(g1[i] + g2[i]));
            /* each loss alone contributes: neither share is dropped */
            ck_assert(fabs(g1[i]) > 1e-6 && fabs(g2[i]) > 1e-6);
        }
        /* the logits' gradient is the sum too */
        for (int i = 0; i < MAX_B * K; i++)
            ck_assert_close(nn_output_grad(both, z)[i],
                            nn_output_grad(one, z)[i] + nn_output_grad(two, z)[i], REAL_TOL,
                            100 * REAL_TOL);
        ck_assert(gradcheck_params(both, MAX_B, 100) > 0);
        nn_graph_free(both);
        nn_graph_free(one);
        nn_graph_free(two);
    }
}
END_TEST

/* A hidden dense node feeding two heads: its input gradient is the sum of
 * both heads' shares (checked by finite differences on every parameter,
 * including those of the shared layer, which see both heads). */
START_TEST(test_fan_out_hidden_node) {
    nn_graph *g = nn_graph_create(MAX_B);
    int x = nn_input(g, F), y = nn_labels(g, K);
    int h = nn_tanh(g, nn_dense(g, x, 5, NN_INIT_XAVIER));
    int pa = nn_softmax(g, nn_dense(g, h, K, NN_INIT_XAVIER), 1);
    int pb = nn_softmax(g, nn_dense(g, h, K, NN_INIT_XAVIER), 2);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(g, pa, y, &lo);
    lo.mode = NN_GRAD_JACOBIAN;
    lo.coef = 0.5;
    nn_cross_entropy(g, pb, y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 2, &err) == NN_OK, "%s", err.msg);
    fill_uniform(nn_input_data(g, x), MAX_B * F, -2, 2, 3);
    for (int b = 0; b < MAX_B; b++) nn_label_data(g, y)[b] = b % K;
    ck_assert(gradcheck_params(g, MAX_B, 1000) > 20);
    nn_graph_free(g);
}
END_TEST

/* --------------------------------------------------------- small batch */

/* B < max_batch: same value and gradients as a graph whose max_batch is B,
 * and rows past B — filled with NaN here — are never read. */
START_TEST(test_smaller_last_batch) {
    const int B = 4;
    for (int mode = 0; mode < 2; mode++) {
        nn_graph *gs[2];
        int xs[2], ys[2], zs[2];
        for (int k = 0; k < 2; k++) {
            nn_graph *g = gs[k] = nn_graph_create(k == 0 ? 10 : B);
            xs[k] = nn_input(g, F);
            ys[k] = nn_labels(g, K);
            zs[k] = nn_dense(g, nn_relu(g, nn_dense(g, xs[k], 5, NN_INIT_HE)), K, NN_INIT_XAVIER);
            nn_loss_options lo = nn_loss_defaults();
            lo.mode = mode ? NN_GRAD_JACOBIAN : NN_GRAD_SIMPLIFIED;
            nn_cross_entropy(g, nn_softmax(g, zs[k], 1), ys[k], &lo);
            nn_error err;
            ck_assert_msg(nn_graph_compile(g, 5, &err) == NN_OK, "%s", err.msg);
            fill_uniform(nn_input_data(g, xs[k]), (size_t)B * F, -1, 1, 8);
            for (int b = 0; b < B; b++) nn_label_data(g, ys[k])[b] = b % K;
        }
        /* first a full batch on the big graph, leaving its buffers dirty */
        nn_real *xb = nn_input_data(gs[0], xs[0]);
        fill_uniform(xb + B * F, (size_t)(10 - B) * F, -1, 1, 9);
        for (int b = B; b < 10; b++) nn_label_data(gs[0], ys[0])[b] = 1;
        run(gs[0], 10);
        for (int i = B * F; i < 10 * F; i++) xb[i] = (nn_real)NAN;
        for (int b = B; b < 10; b++) nn_label_data(gs[0], ys[0])[b] = 99;
        double l0 = run(gs[0], B), l1 = run(gs[1], B);
        ck_assert_close(l0, l1, 0, 0);
        size_t n = nn_graph_n_params(gs[0]);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(nn_graph_grads(gs[0])[i] == nn_graph_grads(gs[1])[i],
                          "grad %zu: %g vs %g", i, (double)nn_graph_grads(gs[0])[i],
                          (double)nn_graph_grads(gs[1])[i]);
        ck_assert(gradcheck_params(gs[0], B, 100) > 0);
        nn_graph_free(gs[0]);
        nn_graph_free(gs[1]);
    }
}
END_TEST

/* ------------------------------------------------------ builder errors */

/* Compiles g, expects failure with `needle` in the message, frees g. */
static void expect_compile_error(nn_graph *g, const char *needle) {
    nn_error err = {0};
    nn_status st = nn_graph_compile(g, 1, &err);
    ck_assert_msg(st != NN_OK, "compile succeeded; expected an error about \"%s\"", needle);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", err.msg,
                  needle);
    ck_assert_ptr_nonnull(nn_graph_error(g));
    nn_graph_free(g);
}

START_TEST(test_builder_errors) {
    nn_graph *g;
    int x, y, z, p;
    nn_loss_options lo = nn_loss_defaults();

    g = nn_graph_create(2); /* wrong input ids */
    nn_input(g, 3);
    ck_assert_int_eq(nn_dense(g, 7, 2, NN_INIT_HE), -1);
    expect_compile_error(g, "input node 7 does not exist");
    g = nn_graph_create(2);
    ck_assert_int_eq(nn_relu(g, -1), -1);
    expect_compile_error(g, "relu: input node -1 does not exist");

    g = nn_graph_create(2); /* class labels are a target, not a layer input */
    y = nn_labels(g, 3);
    ck_assert_int_eq(nn_dense(g, y, 2, NN_INIT_HE), -1);
    expect_compile_error(g, "dense: node 0 holds class labels, not real values");

    g = nn_graph_create(2); /* label width ≠ K */
    x = nn_input(g, 3), y = nn_labels(g, 5);
    p = nn_softmax(g, nn_dense(g, x, 4, NN_INIT_HE), 1);
    ck_assert_int_eq(nn_cross_entropy(g, p, y, &lo), -1);
    expect_compile_error(g, "the prediction has 4 classes but the target (labels) has 5");

    g = nn_graph_create(2); /* CE on a non-softmax */
    x = nn_input(g, 3), y = nn_labels(g, 4);
    z = nn_dense(g, x, 4, NN_INIT_HE);
    ck_assert_int_eq(nn_cross_entropy(g, z, y, &lo), -1);
    expect_compile_error(g, "is a dense, but this loss needs a softmax");

    const double bad_T[] = {0, -1, NAN, INFINITY};
    for (int i = 0; i < 4; i++) {
        g = nn_graph_create(2);
        x = nn_input(g, 3);
        ck_assert_int_eq(nn_softmax(g, x, bad_T[i]), -1);
        expect_compile_error(g, "temperature must be a positive finite number");
    }

    g = nn_graph_create(2); /* sizes */
    ck_assert_int_eq(nn_input(g, 0), -1);
    expect_compile_error(g, "n_features must be at least 1");
    g = nn_graph_create(2);
    ck_assert_int_eq(nn_labels(g, 0), -1);
    expect_compile_error(g, "n_classes must be at least 1");
    g = nn_graph_create(2);
    ck_assert_int_eq(nn_dense(g, nn_input(g, 3), 0, NN_INIT_HE), -1);
    expect_compile_error(g, "n_out must be at least 1");
    g = nn_graph_create(2);
    ck_assert_int_eq(nn_dense(g, nn_input(g, 3), 2, (nn_init)42), -1);
    expect_compile_error(g, "unknown initialisation 42");

    /* loss options */
    const struct { double smoothing; nn_loss_options o; const char *msg; } bad[] = {
        {1.0, nn_loss_defaults(), "label smoothing must be in [0, 1)"},
        {-0.1, nn_loss_defaults(), "label smoothing must be in [0, 1)"},
        {NAN, nn_loss_defaults(), "label smoothing must be in [0, 1)"},
        {0, {.reduction = 9, .mode = NN_GRAD_SIMPLIFIED, .coef = 1, .weights = -1},
         "unknown reduction 9"},
        {0, {.reduction = NN_REDUCE_MEAN, .mode = 5, .coef = 1, .weights = -1},
         "unknown gradient mode 5"},
        {0, {.reduction = NN_REDUCE_MEAN, .coef = NAN, .weights = -1}, "coef must be finite"},
        {0, {.reduction = NN_REDUCE_MEAN, .coef = 1, .weights = 0}, "weights node must have width 1"},
        {0, {.reduction = NN_REDUCE_MEAN, .coef = 1, .weights = 1}, "weights node 1 is a labels node"},
        {0, {.reduction = NN_REDUCE_MEAN, .coef = 1, .weights = 50}, "input node 50 does not exist"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        g = nn_graph_create(2);
        x = nn_input(g, 3);            /* node 0, width 3: not a weights node */
        y = nn_labels(g, 1);           /* node 1, width 1, but labels, not reals */
        int y4 = nn_labels(g, 4);
        p = nn_softmax(g, nn_dense(g, x, 4, NN_INIT_HE), 1);
        ck_assert_int_eq(nn_cross_entropy_ex(g, p, y4, &(nn_ce_options){.smoothing = bad[i].smoothing}, &bad[i].o), -1);
        expect_compile_error(g, bad[i].msg);
    }
}
END_TEST

/* The first error is kept; later builders fail quietly and return -1. */
START_TEST(test_sticky_first_error) {
    nn_graph *g = nn_graph_create(2);
    int x = nn_input(g, 3);
    int h = nn_dense(g, x, 0, NN_INIT_HE); /* first error */
    ck_assert_int_eq(h, -1);
    ck_assert_int_eq(nn_relu(g, h), -1);
    ck_assert_int_eq(nn_softmax(g, x, -1), -1); /* a second, different error */
    ck_assert_int_eq(nn_input(g, 5), -1);     /* even a valid builder */
    ck_assert_int_eq(nn_graph_n_nodes(g), 1);
    ck_assert_ptr_nonnull(strstr(nn_graph_error(g), "dense: n_out must be at least 1"));
    expect_compile_error(g, "dense: n_out must be at least 1");
}
END_TEST

START_TEST(test_lifecycle_errors) {
    ck_assert_ptr_null(nn_graph_create(0));
    ck_assert_ptr_null(nn_graph_create(-3));

    nn_error err = {0};
    nn_graph *g = nn_graph_create(2);
    ck_assert_int_ne(nn_graph_compile(g, 1, &err), NN_OK); /* empty */
    ck_assert_ptr_nonnull(strstr(err.msg, "no nodes"));
    nn_graph_zero_grad(g); /* harmless before compile */
    ck_assert(isnan(nn_graph_forward(g, 1)));
    ck_assert_ptr_nonnull(strstr(nn_graph_run_error(g), "not compiled"));
    nn_graph_backward(g, 1); /* nothing to do, no crash */

    int x = nn_input(g, 3);
    int p = nn_softmax(g, nn_dense(g, x, 2, NN_INIT_HE), 1);
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    ck_assert_int_ne(nn_graph_compile(g, 1, &err), NN_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "already compiled"));

    /* bad batch sizes: NaN and a reason; backward then does nothing */
    const int bad_B[] = {0, -1, 3};
    for (int i = 0; i < 3; i++) {
        nn_graph_zero_grad(g);
        ck_assert(isnan(nn_graph_forward(g, bad_B[i])));
        ck_assert_ptr_nonnull(strstr(nn_graph_run_error(g), "batch of"));
        nn_graph_backward(g, bad_B[i]);
    }
    ck_assert(isfinite(nn_graph_forward(g, 2)));
    ck_assert_ptr_null(nn_graph_run_error(g));
    ck_assert_int_eq(nn_node_width(g, p), 2);

    /* builder after compile: -1 and a message; the compiled graph still runs */
    ck_assert_int_eq(nn_relu(g, p), -1);
    ck_assert_ptr_nonnull(strstr(nn_graph_error(g), "already compiled"));
    ck_assert_int_eq(nn_input(g, 2), -1);
    ck_assert_int_eq(nn_graph_n_nodes(g), 3);
    ck_assert(isfinite(nn_graph_forward(g, 2)));

    /* accessors on ids that do not exist */
    ck_assert_ptr_null(nn_output(g, 99));
    ck_assert_ptr_null(nn_output_grad(g, -1));
    ck_assert_ptr_null(nn_node_kind(g, 3));
    ck_assert_int_eq(nn_node_width(g, 3), -1);
    ck_assert_ptr_null(nn_input_data(g, p)); /* not an input node */
    ck_assert_ptr_null(nn_label_data(g, x)); /* not a labels node */
    size_t count = 1;
    ck_assert_ptr_null(nn_node_params(g, 42, &count));
    ck_assert_uint_eq(count, 0);
    ck_assert(isnan(nn_loss_value(g, p)));  /* a softmax has no loss value */
    ck_assert(isnan(nn_loss_value(g, 99))); /* nor does a missing node */
    nn_graph_free(g);
    nn_graph_free(NULL);
}
END_TEST

Suite *test_graph_suite(void) {
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("graph");
    tcase_add_test(tc, test_fan_out_accumulates);
    tcase_add_test(tc, test_fan_out_hidden_node);
    tcase_add_test(tc, test_smaller_last_batch);
    tcase_add_test(tc, test_builder_errors);
    tcase_add_test(tc, test_sticky_first_error);
    tcase_add_test(tc, test_lifecycle_errors);
    suite_add_tcase(s, tc);
    return s;
}
