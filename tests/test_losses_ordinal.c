/* test_losses_ordinal.c — expected-value losses ½(μ − y)², |μ − y|, σ² and
 * the mean-variance loss: golden values from PyTorch, both modes against
 * finite differences, custom values, real and label targets, shapes,
 * temperatures, extreme logits and errors. Derivation:
 * docs/losses.md#ordinal-expected-value-losses. */
#include "loss_check.h"

enum { SQUARED, ABSOLUTE, VARIANCE, MEAN_VARIANCE };

static void build_kind(logit_net *n, nn_grad_mode mode, const golden_case *c, int kind) {
    nn_loss_options lo = golden_setup(n, c, mode);
    int p = nn_softmax(n->g, n->z, c->T), id = -1;
    switch (kind) {
    case SQUARED: id = nn_ev_squared(n->g, p, n->nodes[0], c->values, &lo); break;
    case ABSOLUTE: id = nn_ev_absolute(n->g, p, n->nodes[0], c->values, &lo); break;
    case VARIANCE: id = nn_ev_variance(n->g, p, c->values, &lo); break;
    case MEAN_VARIANCE: {
        nn_mean_variance_options mo = nn_mean_variance_defaults();
        mo.values = c->values;
        mo.class_weights = c->class_weights;
        nn_mean_variance_nodes mv;
        id = nn_mean_variance(n->g, p, n->nodes[0], &mo, &lo, &mv);
        ck_assert_int_eq(id, mv.cross_entropy);
        n->nodes[4] = mv.cross_entropy, n->nodes[5] = mv.mean, n->nodes[6] = mv.variance;
        break;
    }
    }
    ck_assert_msg(id >= 0, "%s", nn_graph_error(n->g));
    n->nodes[3] = id;
}
static void build_squared(logit_net *n, nn_grad_mode m, void *c) { build_kind(n, m, c, SQUARED); }
static void build_absolute(logit_net *n, nn_grad_mode m, void *c) { build_kind(n, m, c, ABSOLUTE); }
static void build_variance(logit_net *n, nn_grad_mode m, void *c) { build_kind(n, m, c, VARIANCE); }
static void build_mv(logit_net *n, nn_grad_mode m, void *c) { build_kind(n, m, c, MEAN_VARIANCE); }
static const net_build_fn builders[4] = {build_squared, build_absolute, build_variance, build_mv};

START_TEST(test_ordinal_golden) {
    check_golden("ev_squared_labels", build_squared, 1);
    check_golden("ev_squared_real", build_squared, 1);
    check_golden("ev_absolute", build_absolute, 1);
    check_golden("ev_variance", build_variance, 1);
    check_golden("mean_variance", build_mv, 1);
    check_golden("mean_variance_weighted", build_mv, 1); /* class weights in its CE */
}
END_TEST

/* μ and σ² of row b (K) under values v (NULL = 0..K−1), in double */
static void moments(const double *z, int K, double T, const double *v, double *mu, double *var) {
    double m = -INFINITY, s = 0, p[1000];
    for (int i = 0; i < K; i++) m = fmax(m, z[i] / T);
    for (int i = 0; i < K; i++) s += (p[i] = exp(z[i] / T - m));
    *mu = 0, *var = 0;
    for (int i = 0; i < K; i++) *mu += (v ? v[i] : i) * p[i] / s;
    for (int i = 0; i < K; i++) *var += p[i] / s * ((v ? v[i] : i) - *mu) * ((v ? v[i] : i) - *mu);
}

/* The mean-variance terms read separately, and the total as their weighted sum. */
START_TEST(test_mean_variance_terms) {
    const golden_case *c = golden_find("mean_variance");
    logit_net n;
    net_make(&n, c->B, c->K, c->logits, NN_GRAD_SIMPLIFIED, build_mv, golden_fill, (void *)c);
    double total = nn_graph_forward(n.g, c->B);
    double ce = nn_loss_value(n.g, n.nodes[4]), mean = nn_loss_value(n.g, n.nodes[5]),
           var = nn_loss_value(n.g, n.nodes[6]);
    double want_mean = 0, want_var = 0;
    for (int b = 0; b < c->B; b++) {
        double mu, s2;
        moments(c->logits + b * c->K, c->K, 1, c->values, &mu, &s2);
        double y = c->values[c->labels[b]];
        want_mean += 0.5 * (mu - y) * (mu - y) / c->B;
        want_var += s2 / c->B;
    }
    ck_assert_close(mean, want_mean, 1e-12, GOLDEN_RTOL);
    ck_assert_close(var, want_var, 1e-12, GOLDEN_RTOL);
    ck_assert_close(total, ce + 0.2 * mean + 0.05 * var, 1e-12, 1e-12);
    ck_assert_close(total, c->total, 1e-12, GOLDEN_RTOL);
    nn_graph_free(n.g);
}
END_TEST

/* Shapes and temperatures, for each loss: K = 2 and K = 1000, a batch of one,
 * T = 1 and T = 20, default and custom values, label and real targets. */
START_TEST(test_ordinal_shapes) {
    static double z[2 * 1000], v[1000], y[2];
    static int32_t lab[2];
    const int shapes[4][2] = {{1, 2}, {2, 2}, {2, 1000}, {1, 1000}};
    const double temps[2] = {1, 20};
    for (int s = 0; s < 4; s++)
        for (int k = 0; k < 2; k++)
            for (int kind = 0; kind < 4; kind++) {
                int B = shapes[s][0], K = shapes[s][1];
                nn_rng r;
                nn_rng_seed(&r, (uint64_t)(1000 * s + 10 * k + kind));
                /* logits scaled with T: the same p at every T, so only the 1/T of
                 * the gradient changes (and gradients stay above float's noise) */
                for (int i = 0; i < B * K; i++) z[i] = (K > 100 ? 2 : 1) * temps[k] * nn_rng_normal(&r);
                /* values spanning ~10 for K = 1000 (the loss stays moderate and
                 * central differences keep their precision), ~T for K = 2 (the
                 * gradients, which carry 1/T, stay above float noise) */
                double gap = K > 100 ? 10.0 / K : temps[k];
                v[0] = -3;
                for (int i = 1; i < K; i++) v[i] = v[i - 1] + gap * (0.5 + nn_rng_uniform(&r));
                for (int b = 0; b < B; b++) {
                    lab[b] = (int32_t)nn_rng_below(&r, (uint32_t)K);
                    y[b] = v[0] + (v[K - 1] - v[0]) * nn_rng_uniform(&r);
                }
                int real = kind < 2 && (s + k) % 2; /* real targets for half the cases */
                golden_case d = {.B = B, .K = K, .T = temps[k], .logits = z,
                                 .labels = real || kind == VARIANCE ? NULL : lab,
                                 .target = real ? y : NULL, .target_width = real,
                                 .reduction = "mean",
                                 .values = s % 2 || K > 100 ? v : NULL};
                check_loss(B, K, z, builders[kind], golden_fill, &d, 40, MODES_AGREE, NULL);
            }
}
END_TEST

/* Logits of ±1e4: p is one-hot to working precision, μ is the value of the
 * winning class, σ² = 0; values and gradients are finite (no NaN), and the
 * simplified gradient p_j (v_j − μ)(μ − y) is exactly 0. */
START_TEST(test_ordinal_extreme_logits) {
    const double z[8] = {1e4, -1e4, 0, 5e3, -1e4, -1e4, 1e4, 1e4};
    const int32_t lab[2] = {3, 0};
    for (int kind = 0; kind < 4; kind++) {
        golden_case d = {.B = 2, .K = 4, .T = 1, .logits = z,
                         .labels = kind == VARIANCE ? NULL : lab, .reduction = "mean"};
        for (int m = 0; m < 2; m++) {
            double dz[8];
            logit_net n;
            net_make(&n, 2, 4, z, m ? NN_GRAD_JACOBIAN : NN_GRAD_SIMPLIFIED, builders[kind],
                     golden_fill, &d);
            double L = net_grad(&n, dz);
            ck_assert_msg(isfinite(L), "kind %d: loss %g", kind, L);
            for (int i = 0; i < 8; i++) ck_assert_msg(isfinite(dz[i]), "dz[%d] = %g", i, dz[i]);
            if (kind == SQUARED) /* row 0: μ = 0, y = 3; row 1: μ = 2.5, y = 0 */
                ck_assert_close(L, (0.5 * 9 + 0.5 * 6.25) / 2, 1e-9, 1e-9);
            if (kind == VARIANCE) /* row 1 is split between classes 2 and 3 */
                ck_assert_close(L, 0.25 / 2, 1e-9, 1e-6);
            nn_graph_free(n.g);
        }
    }
}
END_TEST

/* A batch-reduction bug (μ averaged over the batch) would give every row the
 * same loss; here each row's value must be its own ½(μ_b − y_b)². */
START_TEST(test_ordinal_per_sample_values) {
    const golden_case *c = golden_find("ev_squared_labels");
    logit_net n;
    net_make(&n, c->B, c->K, c->logits, NN_GRAD_SIMPLIFIED, build_squared, golden_fill,
             (void *)c);
    nn_graph_forward(n.g, c->B);
    const nn_real *l = nn_output(n.g, n.nodes[3]); /* (B, 1) */
    for (int b = 0; b < c->B; b++) {
        double mu, var, y = c->values[c->labels[b]];
        moments(c->logits + b * c->K, c->K, 1, c->values, &mu, &var);
        ck_assert_close(l[b], 0.5 * (mu - y) * (mu - y), 1e-12, GOLDEN_RTOL);
    }
    ck_assert(fabs(l[0] - l[1]) > 0.1);
    nn_graph_free(n.g);
}
END_TEST

static const char *build_error(int case_id) {
    static char msg[512];
    nn_graph *g = nn_graph_create(2);
    int z = nn_input(g, 4), p = nn_softmax(g, z, 1), y = nn_labels(g, 4);
    int yr = nn_input(g, 1), y5 = nn_labels(g, 5);
    const double dec[4] = {0, 1, 1, 2}, nanv[4] = {0, NAN, 2, 3};
    switch (case_id) {
    case 0: nn_ev_squared(g, p, y, dec, NULL); break;       /* not increasing */
    case 1: nn_ev_absolute(g, p, y, nanv, NULL); break;     /* NaN value */
    case 2: nn_ev_squared(g, z, y, NULL, NULL); break;      /* logits, not p */
    case 3: nn_ev_squared(g, p, y5, NULL, NULL); break;     /* 5 labels, 4 classes */
    case 4: nn_ev_squared(g, p, z, NULL, NULL); break;      /* target of width 4 */
    case 5: nn_ev_squared(g, yr, yr, dec, NULL); break;     /* values unused */
    case 6: nn_ev_squared(g, p, -1, NULL, NULL); break;     /* no target */
    case 7: {
        nn_mean_variance_nodes mv;
        nn_mean_variance(g, p, yr, NULL, NULL, &mv);        /* real target */
        break;
    }
    case 8: {
        nn_mean_variance_options mo = nn_mean_variance_defaults();
        mo.lambda2 = -1;
        nn_mean_variance_nodes mv;
        nn_mean_variance(g, p, y, &mo, NULL, &mv);
        break;
    }
    }
    snprintf(msg, sizeof msg, "%s", nn_graph_error(g) ? nn_graph_error(g) : "");
    nn_graph_free(g);
    return msg;
}

START_TEST(test_ordinal_build_errors) {
    const char *want[9] = {"strictly increasing", "finite", "softmax", "has 5",
                           "width 4", "values were given", "target node is required",
                           "labels node", "lambda"};
    for (int k = 0; k < 9; k++) {
        const char *why = build_error(k);
        ck_assert_msg(strstr(why, want[k]), "case %d: '%s'", k, why);
    }
}
END_TEST

START_TEST(test_ordinal_run_errors) {
    const golden_case *c = golden_find("ev_squared_real");
    double y[4] = {0.3, NAN, 2, 1};
    golden_case d = *c;
    d.target = y;
    logit_net n;
    net_make(&n, 4, 5, c->logits, NN_GRAD_SIMPLIFIED, build_squared, golden_fill, &d);
    ck_assert(isnan(nn_graph_forward(n.g, 4)));
    ck_assert_msg(strstr(nn_graph_run_error(n.g), "row 1"), "%s", nn_graph_run_error(n.g));
    nn_graph_free(n.g);
    const golden_case *cl = golden_find("ev_squared_labels");
    int32_t lab[4] = {0, 1, 5, 2};
    d = *cl;
    d.labels = lab;
    net_make(&n, 4, 5, cl->logits, NN_GRAD_SIMPLIFIED, build_squared, golden_fill, &d);
    ck_assert(isnan(nn_graph_forward(n.g, 4)));
    ck_assert_msg(strstr(nn_graph_run_error(n.g), "label 5 of row 2"), "%s",
                  nn_graph_run_error(n.g));
    nn_graph_free(n.g);
}
END_TEST

Suite *test_losses_ordinal_suite(void) {
    Suite *s = suite_create("losses_ordinal");
    TCase *tc = tcase_create("ordinal");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ordinal_golden);
    tcase_add_test(tc, test_mean_variance_terms);
    tcase_add_test(tc, test_ordinal_shapes);
    tcase_add_test(tc, test_ordinal_extreme_logits);
    tcase_add_test(tc, test_ordinal_per_sample_values);
    tcase_add_test(tc, test_ordinal_build_errors);
    tcase_add_test(tc, test_ordinal_run_errors);
    suite_add_tcase(s, tc);
    return s;
}
