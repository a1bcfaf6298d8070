/* test_losses_heads.c — the expectation heads μ, σ², σ (layers/expectation.c,
 * variance.c, stddev.c): per-sample values (reduced over the class axis, not
 * the batch), gradients through the heads against finite differences and
 * against the direct losses, coexistence with cross-entropy on the same
 * softmax, σ = 0, errors. Derivation: docs/losses.md#expectation-heads. */
#include "loss_check.h"

enum { HEAD_MU, HEAD_VAR, HEAD_SD };

/* p = softmax(z/T) → head → ev_squared(head, target) (ev_variance for σ²
 * without target); n->nodes[4] = head. With c->alpha = 1 a cross-entropy on
 * the same softmax is added (labels required). */
static void build_head(logit_net *n, nn_grad_mode mode, const golden_case *c, int kind) {
    nn_loss_options lo = golden_setup(n, c, mode);
    int p = nn_softmax(n->g, n->z, c->T);
    int h = kind == HEAD_MU ? nn_expectation(n->g, p, c->values)
            : kind == HEAD_VAR ? nn_variance(n->g, p, c->values)
                               : nn_stddev(n->g, p, c->values);
    int id = n->nodes[0] >= 0
                 ? nn_ev_squared(n->g, h, n->nodes[0], c->labels ? c->values : NULL, &lo)
                 : nn_ev_variance(n->g, h, NULL, &lo);
    if (c->alpha == 1) nn_cross_entropy(n->g, p, n->nodes[0], &lo);
    ck_assert_msg(id >= 0, "%s", nn_graph_error(n->g));
    n->nodes[3] = id, n->nodes[4] = h, n->nodes[5] = p;
}
static void build_mu(logit_net *n, nn_grad_mode m, void *c) { build_head(n, m, c, HEAD_MU); }
static void build_var(logit_net *n, nn_grad_mode m, void *c) { build_head(n, m, c, HEAD_VAR); }
static void build_sd(logit_net *n, nn_grad_mode m, void *c) { build_head(n, m, c, HEAD_SD); }

/* the same losses directly on the softmax */
static void build_direct(logit_net *n, nn_grad_mode mode, void *ctx) {
    const golden_case *c = ctx;
    nn_loss_options lo = golden_setup(n, c, mode);
    int p = nn_softmax(n->g, n->z, c->T);
    int id = n->nodes[0] >= 0 ? nn_ev_squared(n->g, p, n->nodes[0], c->values, &lo)
                              : nn_ev_variance(n->g, p, c->values, &lo);
    if (c->alpha == 1) nn_cross_entropy(n->g, p, n->nodes[0], &lo);
    ck_assert_msg(id >= 0, "%s", nn_graph_error(n->g));
}

static double run(const golden_case *c, net_build_fn build, nn_grad_mode m, double *dz) {
    logit_net n;
    net_make(&n, c->B, c->K, c->logits, m, build, golden_fill, (void *)c);
    double L = net_grad(&n, dz);
    nn_graph_free(n.g);
    return L;
}

/* The heads give one value per sample: each row's μ, σ², σ computed by hand
 * from that row alone. A head that reduced over the batch as well would give
 * every row the same number and fail here. */
START_TEST(test_heads_per_sample) {
    const golden_case *c = golden_find("ev_squared_labels"); /* B = 4, K = 5, custom values */
    nn_graph *g = nn_graph_create(4);
    int z = nn_input(g, 5), p = nn_softmax(g, z, 1);
    int mu = nn_expectation(g, p, c->values), var = nn_variance(g, p, c->values),
        sd = nn_stddev(g, p, c->values), mu0 = nn_expectation(g, p, NULL);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    nn_real *x = nn_input_data(g, z);
    for (int i = 0; i < 20; i++) x[i] = (nn_real)c->logits[i];
    nn_graph_forward(g, 4);
    for (int b = 0; b < 4; b++) {
        double e[5], s = 0, m = 0, m0 = 0, v = 0;
        for (int i = 0; i < 5; i++) s += (e[i] = exp(c->logits[b * 5 + i]));
        for (int i = 0; i < 5; i++) m += c->values[i] * e[i] / s, m0 += i * e[i] / s;
        for (int i = 0; i < 5; i++) v += e[i] / s * (c->values[i] - m) * (c->values[i] - m);
        ck_assert_close(nn_output(g, mu)[b], m, 1e-12, REAL_TOL);
        ck_assert_close(nn_output(g, mu0)[b], m0, 1e-12, REAL_TOL);
        ck_assert_close(nn_output(g, var)[b], v, 1e-12, REAL_TOL);
        ck_assert_close(nn_output(g, sd)[b], sqrt(v), 1e-12, REAL_TOL);
    }
    const nn_real *m = nn_output(g, mu);
    ck_assert(fabs(m[0] - m[1]) > 0.1 && fabs(m[1] - m[2]) > 0.1);
    /* changing row 0 leaves the other rows' μ alone */
    double keep[3] = {m[1], m[2], m[3]};
    for (int i = 0; i < 5; i++) x[i] = (nn_real)(i == 4 ? 5 : 0);
    nn_graph_forward(g, 4);
    for (int b = 1; b < 4; b++) ck_assert_close(nn_output(g, mu)[b], keep[b - 1], 0, 0);
    nn_graph_free(g);
}
END_TEST

/* ½(μ − y)² on a μ head equals ½(μ − y)² on the softmax, in value and in the
 * logits gradient: the head's v_i then the softmax's Jᵀ is the jacobian
 * route; the direct loss in simplified mode is the closed form. Per-row
 * targets differ, so a μ mixed across the batch gives wrong gradients. */
START_TEST(test_head_mu_matches_direct) {
    const char *names[2] = {"ev_squared_labels", "ev_squared_real"};
    for (int k = 0; k < 2; k++) {
        const golden_case *c = golden_find(names[k]);
        double dh[20], dd[20];
        double Lh = run(c, build_mu, NN_GRAD_SIMPLIFIED, dh);
        double Ld = run(c, build_direct, NN_GRAD_SIMPLIFIED, dd);
        ck_assert_close(Lh, c->total, 1e-12, GOLDEN_RTOL);
        ck_assert_close(Lh, Ld, 1e-12, REAL_TOL);
        for (int i = 0; i < 20; i++) ck_assert_close(dh[i], c->grad[i], 1e-12, GOLDEN_RTOL);
        for (int i = 0; i < 20; i++) ck_assert_close(dh[i], dd[i], 1e-12, MODES_AGREE * 10);
        check_loss(c->B, c->K, c->logits, build_mu, golden_fill, (void *)c, 64, MODES_AGREE,
                   NULL);
    }
}
END_TEST

/* σ² as a loss through the variance head equals ev_variance on the softmax. */
START_TEST(test_head_var_matches_direct) {
    const golden_case *c = golden_find("ev_variance");
    double dh[20], dd[20];
    ck_assert_close(run(c, build_var, NN_GRAD_SIMPLIFIED, dh), c->total, 1e-12, GOLDEN_RTOL);
    run(c, build_direct, NN_GRAD_SIMPLIFIED, dd);
    for (int i = 0; i < 20; i++) ck_assert_close(dh[i], c->grad[i], 1e-12, GOLDEN_RTOL);
    for (int i = 0; i < 20; i++) ck_assert_close(dh[i], dd[i], 1e-12, MODES_AGREE * 10);
    check_loss(c->B, c->K, c->logits, build_var, golden_fill, (void *)c, 64, MODES_AGREE, NULL);
}
END_TEST

/* A loss on σ: ½(σ − y)², checked against finite differences. */
START_TEST(test_head_sd_gradient) {
    const golden_case *c = golden_find("ev_squared_real");
    golden_case d = *c;
    const double y[4] = {0.2, 1.5, 0.9, 0.4};
    d.target = y;
    check_loss(d.B, d.K, d.logits, build_sd, golden_fill, &d, 64, MODES_AGREE, NULL);
}
END_TEST

/* σ = 0 (a one-hot softmax from logits ±1e4): no derivative there; the head
 * passes 0, and nothing is NaN. */
START_TEST(test_head_sd_at_zero) {
    const double z[4] = {1e4, -1e4, -1e4, -1e4}, y[1] = {1};
    golden_case d = {.B = 1, .K = 4, .T = 1, .logits = z, .target = y, .target_width = 1,
                     .reduction = "mean"};
    double dz[4];
    double L = run(&d, build_sd, NN_GRAD_SIMPLIFIED, dz);
    ck_assert_close(L, 0.5, 0, 1e-12); /* ½(0 − 1)² */
    for (int i = 0; i < 4; i++) ck_assert_msg(dz[i] == 0, "dz[%d] = %g", i, dz[i]);
}
END_TEST

/* A cross-entropy (simplified: straight into the logits) and a μ head
 * (through the softmax's Jᵀ) on one softmax: the gradients add, and equal
 * CE + the direct ½(μ − y)². */
START_TEST(test_heads_coexist_with_ce) {
    const golden_case *c = golden_find("ev_squared_labels");
    golden_case d = *c;
    d.alpha = 1; /* add the CE */
    double dh[20], dd[20];
    double Lh = run(&d, build_mu, NN_GRAD_SIMPLIFIED, dh);
    double Ld = run(&d, build_direct, NN_GRAD_SIMPLIFIED, dd);
    ck_assert_close(Lh, Ld, 1e-12, REAL_TOL);
    for (int i = 0; i < 20; i++) ck_assert_close(dh[i], dd[i], 1e-12, MODES_AGREE * 10);
    check_loss(d.B, d.K, d.logits, build_mu, golden_fill, &d, 64, MODES_AGREE, NULL);
}
END_TEST

/* Category values far from 0 (years, say 10000 + i): ∂σ²/∂p must not carry
 * v_i² − 2μv_i ≈ −10⁸, whose differences the softmax's Jᵀ would then take
 * (in float all digits cancel). The σ², σ heads and ev_variance in jacobian
 * mode must give the closed form T·∂σ²/∂z_j = p_j((v_j − μ)² − σ²) (over 2σ
 * for σ) to working precision, as the simplified mode does. */
START_TEST(test_heads_large_values) {
    enum { K = 10 };
    double z[K], v[K], p[K], s = 0, mu = 0, var = 0;
    for (int i = 0; i < K; i++) z[i] = 2 * sin(1.3 * i), v[i] = 1e4 + i;
    for (int i = 0; i < K; i++) s += (p[i] = exp(z[i]));
    for (int i = 0; i < K; i++) p[i] /= s, mu += p[i] * v[i];
    for (int i = 0; i < K; i++) var += p[i] * (v[i] - mu) * (v[i] - mu);
    golden_case d = {.B = 1, .K = K, .T = 1, .logits = z, .values = v, .reduction = "mean"};
    const net_build_fn builds[3] = {build_direct, build_var, build_sd};
#ifdef NN_DOUBLE
    const double tol = 1e-9;
#else
    const double tol = 2e-3; /* μ itself is only good to ~1e4·eps */
#endif
    for (int k = 0; k < 3; k++)
        for (int m = 0; m < 2; m++) {
            double dz[K], want[K], big = 0;
            for (int j = 0; j < K; j++) {
                want[j] = p[j] * ((v[j] - mu) * (v[j] - mu) - var) / (k == 2 ? 2 * sqrt(var) : 1);
                big = fmax(big, fabs(want[j]));
            }
            run(&d, builds[k], m ? NN_GRAD_JACOBIAN : NN_GRAD_SIMPLIFIED, dz);
            for (int j = 0; j < K; j++)
                ck_assert_msg(fabs(dz[j] - want[j]) <= tol * big,
                              "build %d, mode %d: dz[%d] = %.10g, closed form %.10g", k, m, j,
                              dz[j], want[j]);
        }
}
END_TEST

START_TEST(test_heads_errors) {
    const double dec[3] = {0, 2, 1};
    for (int k = 0; k < 3; k++) {
        nn_graph *g = nn_graph_create(2);
        int z = nn_input(g, 3), p = nn_softmax(g, z, 1);
        int (*head[3])(nn_graph *, int, const double *) = {nn_expectation, nn_variance,
                                                           nn_stddev};
        ck_assert_int_eq(head[k](g, z, NULL), -1);
        ck_assert_msg(strstr(nn_graph_error(g), "softmax"), "%s", nn_graph_error(g));
        nn_graph_free(g);
        g = nn_graph_create(2);
        z = nn_input(g, 3), p = nn_softmax(g, z, 1);
        ck_assert_int_eq(head[k](g, p, dec), -1);
        ck_assert_msg(strstr(nn_graph_error(g), "increasing"), "%s", nn_graph_error(g));
        nn_graph_free(g);
    }
}
END_TEST

Suite *test_losses_heads_suite(void) {
    Suite *s = suite_create("losses_heads");
    TCase *tc = tcase_create("heads");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_heads_per_sample);
    tcase_add_test(tc, test_head_mu_matches_direct);
    tcase_add_test(tc, test_head_var_matches_direct);
    tcase_add_test(tc, test_head_sd_gradient);
    tcase_add_test(tc, test_head_sd_at_zero);
    tcase_add_test(tc, test_heads_coexist_with_ce);
    tcase_add_test(tc, test_heads_large_values);
    tcase_add_test(tc, test_heads_errors);
    suite_add_tcase(s, tc);
    return s;
}
