/* test_ordinal_heads.c — CORAL, CORN and the cumulative-link head
 * (layers/coral_head.c, clm_thresholds.c, ordinal_probs.c; losses/coral.c,
 * corn.c, clm.c): values, input and parameter gradients and class
 * probabilities against PyTorch float64 (tests/golden/ordinal_heads_ref.py),
 * every gradient against central differences, logits of ±1e4, K = 2 and
 * K = 100, a batch of one, the rank rule, and the builders' errors; the
 * probit link (layers/normal.c against mpmath in its tails) and CORAL's
 * task weights (against coral-pytorch's importance_weights and the paper's
 * code for auto).
 * Derivation: docs/ordinal_heads.md. */
#include <stdlib.h>
#include <string.h>

#include "alloc_hook.h"
#include "layers/normal.h"
#include "tests/golden/ordinal_heads_ref.h"
#include "testutil.h"

#ifdef NN_DOUBLE
#define GOLDEN_TOL 1e-9
#else
#define GOLDEN_TOL 2e-5
#endif

typedef struct {
    nn_graph *g;
    int x, id;         /* input (B, F) and an identity dense layer: its dout is ∂L/∂x */
    int head;          /* the node whose parameters the case gives, or -1 */
    int logits;        /* (B, K − 1) */
    int probs;         /* (B, K) */
    int labels, target, weights;
    nn_ordinal_logits kind;
} ordinal_net;

static const ordinal_golden *find_case(const char *name) {
    for (size_t i = 0; i < N_ORDINAL_GOLDEN; i++)
        if (strcmp(ordinal_golden_cases[i].name, name) == 0) return &ordinal_golden_cases[i];
    ck_abort_msg("no golden case %s", name);
    return NULL;
}

static int family_is(const ordinal_golden *c, const char *f) { return strcmp(c->family, f) == 0; }

/* Builds the case's net (see ordinal_heads_ref.py), compiles it and fills
 * parameters and data. The caller frees n->g. */
static void net_build(ordinal_net *n, const ordinal_golden *c) {
    memset(n, 0, sizeof *n);
    n->head = n->labels = n->target = n->weights = -1;
    nn_graph *g = n->g = nn_graph_create(c->B);
    ck_assert_ptr_nonnull(g);
    n->x = nn_input(g, c->F);
    n->id = nn_dense(g, n->x, c->F, NN_INIT_ZERO);
    nn_loss_options lo = nn_loss_defaults();
    if (c->sample_weights) lo.weights = n->weights = nn_input(g, 1);
    if (strcmp(c->reduction, "sum") == 0) lo.reduction = NN_REDUCE_SUM;
    if (c->labels) n->labels = nn_labels(g, c->K);
    int loss;
    if (family_is(c, "coral")) {
        n->head = n->logits = nn_coral_head(g, n->id, c->K, NN_INIT_XAVIER);
        n->kind = NN_ORDINAL_CUMULATIVE;
        loss = c->task_weights ? nn_coral_loss_weighted(g, n->logits, n->labels, c->task_weights, &lo)
                               : nn_coral_loss(g, n->logits, n->labels, &lo);
        n->probs = nn_ordinal_probs(g, n->logits, n->kind);
    } else if (family_is(c, "corn")) {
        n->logits = n->id;
        n->kind = NN_ORDINAL_CONDITIONAL;
        loss = nn_corn_loss(g, n->logits, n->labels, &lo);
        n->probs = nn_ordinal_probs(g, n->logits, n->kind);
    } else if (family_is(c, "clm") || family_is(c, "clm_probit")) {
        int probit = family_is(c, "clm_probit");
        n->head = n->logits = probit ? nn_clm_thresholds_link(g, n->id, c->K, NN_LINK_PROBIT)
                                     : nn_clm_thresholds(g, n->id, c->K);
        n->kind = probit ? NN_ORDINAL_PROBIT : NN_ORDINAL_CUMULATIVE;
        loss = nn_clm_loss(g, n->logits, n->labels, &lo);
        n->probs = nn_ordinal_probs(g, n->logits, n->kind);
    } else { /* probabilities → E[X] → ½(μ − target)² */
        n->logits = n->id;
        n->kind = family_is(c, "probs_conditional") ? NN_ORDINAL_CONDITIONAL
                  : family_is(c, "probs_probit")    ? NN_ORDINAL_PROBIT
                                                    : NN_ORDINAL_CUMULATIVE;
        n->probs = nn_ordinal_probs(g, n->logits, n->kind);
        n->target = nn_input(g, 1);
        loss = nn_ev_squared(g, nn_expectation(g, n->probs, NULL), n->target, NULL, &lo);
    }
    ck_assert_msg(loss >= 0, "%s: %s", c->name, nn_graph_error(g));
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 7, &err) == NN_OK, "%s: %s", c->name, err.msg);
    size_t count;
    nn_real *W = nn_node_params(g, n->id, &count); /* (F, F) then bias (F) */
    for (int i = 0; i < c->F; i++) W[(size_t)i * c->F + i] = 1;
    if (n->head >= 0) {
        nn_real *p = nn_node_params(g, n->head, &count);
        ck_assert_int_eq((int)count, c->n_params);
        for (size_t i = 0; i < count; i++) p[i] = (nn_real)c->params[i];
    }
    nn_real *x = nn_input_data(g, n->x);
    for (int i = 0; i < c->B * c->F; i++) x[i] = (nn_real)c->x[i];
    if (n->labels >= 0)
        for (int b = 0; b < c->B; b++) nn_label_data(g, n->labels)[b] = c->labels[b];
    if (n->target >= 0)
        for (int b = 0; b < c->B; b++) nn_input_data(g, n->target)[b] = (nn_real)c->target[b];
    if (n->weights >= 0)
        for (int b = 0; b < c->B; b++)
            nn_input_data(g, n->weights)[b] = (nn_real)c->sample_weights[b];
}

static double max_abs(const double *v, int n) {
    double m = 0;
    for (int i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
    return m;
}

/* a (n) against the reference r (n), relative to r's largest entry */
static void check_array(const char *name, const char *what, const nn_real *a, const double *r,
                        int n) {
    double big = max_abs(r, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(fabs(a[i] - r[i]) <= GOLDEN_TOL * (big > 1 ? big : 1),
                      "%s: %s[%d] = %.15g, PyTorch %.15g", name, what, i, (double)a[i], r[i]);
}

/* Value, gradients, probabilities and rank against PyTorch; then, unless the
 * inputs are extreme, every parameter and input gradient against central
 * differences. */
static void check_case(const char *name) {
    const ordinal_golden *c = find_case(name);
    ordinal_net n;
    net_build(&n, c);
    nn_graph *g = n.g;
    nn_graph_zero_grad(g);
    double L = nn_graph_forward(g, c->B);
    ck_assert_msg(!nn_graph_run_error(g), "%s: %s", name, nn_graph_run_error(g));
    nn_graph_backward(g, c->B);
    ck_assert_msg(close_enough(L, c->total, 1e-12, GOLDEN_TOL), "%s: total %.15g, PyTorch %.15g",
                  name, L, c->total);
    check_array(name, "dL/dx", nn_output_grad(g, n.id), c->dx, c->B * c->F);
    if (n.head >= 0) {
        size_t count;
        check_array(name, "dL/dparams", nn_node_param_grads(g, n.head, &count), c->dparams,
                    c->n_params);
    }
    check_array(name, "probs", nn_output(g, n.probs), c->probs, c->B * c->K);
    for (int b = 0; b < c->B; b++) {
        const nn_real *z = nn_output(g, n.logits) + (size_t)b * (c->K - 1);
        ck_assert_msg(nn_ordinal_rank_row(z, c->K, n.kind) == c->rank[b],
                      "%s: rank of row %d is %d, PyTorch %d", name, b,
                      nn_ordinal_rank_row(z, c->K, n.kind), c->rank[b]);
    }
    int extreme = strstr(name, "extreme") != NULL;
    if (!extreme) {
        /* the identity dense's input gradient is ∂L/∂x; copy it, FD changes it */
        size_t len = (size_t)c->B * c->F;
        nn_real *dx = malloc(len * sizeof *dx);
        ck_assert_ptr_nonnull(dx);
        memcpy(dx, nn_output_grad(g, n.id), len * sizeof *dx);
        gradcheck_values(g, c->B, nn_input_data(g, n.x), dx, len);
        free(dx);
        ck_assert_msg(gradcheck_params(g, c->B, 1000) > 0, "%s: no parameter gradient", name);
    }
    nn_graph_free(g);
}

#define GOLDEN_TEST(case_name) \
    START_TEST(test_##case_name) { check_case(#case_name); } END_TEST

GOLDEN_TEST(coral_K5_B4)
GOLDEN_TEST(coral_K2_B3)
GOLDEN_TEST(coral_K100_B3)
GOLDEN_TEST(coral_K7_B1)
GOLDEN_TEST(coral_unordered_sum)
GOLDEN_TEST(coral_extreme)
GOLDEN_TEST(corn_K5_B6)
GOLDEN_TEST(corn_K2_B3)
GOLDEN_TEST(corn_K100_B3)
GOLDEN_TEST(corn_K6_B1)
GOLDEN_TEST(corn_sample_weights)
GOLDEN_TEST(corn_extreme)
GOLDEN_TEST(clm_K5_B5)
GOLDEN_TEST(clm_K2_B3)
GOLDEN_TEST(clm_K100_B3)
GOLDEN_TEST(clm_K6_B1)
GOLDEN_TEST(clm_extreme)
GOLDEN_TEST(probs_cumulative_K5_B4)
GOLDEN_TEST(probs_cumulative_K2_B3)
GOLDEN_TEST(probs_cumulative_K100_B2)
GOLDEN_TEST(probs_cumulative_K6_B1)
GOLDEN_TEST(probs_cumulative_extreme)
GOLDEN_TEST(probs_conditional_K5_B4)
GOLDEN_TEST(probs_conditional_K2_B3)
GOLDEN_TEST(probs_conditional_K100_B2)
GOLDEN_TEST(probs_conditional_K6_B1)
GOLDEN_TEST(probs_conditional_extreme)
GOLDEN_TEST(clm_probit_K5_B5)
GOLDEN_TEST(clm_probit_K2_B3)
GOLDEN_TEST(clm_probit_K100_B3)
GOLDEN_TEST(clm_probit_K6_B1)
GOLDEN_TEST(clm_probit_extreme)
GOLDEN_TEST(clm_probit_tails_extreme)
GOLDEN_TEST(clm_probit_gaps_extreme)
GOLDEN_TEST(probs_probit_K5_B4)
GOLDEN_TEST(probs_probit_K100_B2)
GOLDEN_TEST(probs_probit_extreme)
GOLDEN_TEST(coral_task_weights)
GOLDEN_TEST(coral_task_weights_sum)
GOLDEN_TEST(coral_task_weights_K2_B1)

/* Every golden case is run by one test above: a case added to the script
 * without a test here fails. */
START_TEST(test_every_case_has_a_test) { ck_assert_int_eq((int)N_ORDINAL_GOLDEN, 40); }
END_TEST

/* log(Φ(b) − Φ(a)) and its two ratios φ(a)/P, φ(b)/P against mpmath on both
 * sides of every switch of layers/normal.c (double arithmetic in both builds). */
START_TEST(test_normal_log_diff) {
    for (size_t i = 0; i < N_LOG_DIFF_GOLDEN; i++) {
        const double *r = log_diff_golden[i];
        double got[3];
        got[0] = nn_norm_log_diff(r[0] - r[1], r[0], r[1], &got[1], &got[2]);
        for (int j = 0; j < 3; j++)
            ck_assert_msg(fabs(got[j] - r[2 + j]) <= 1e-13 * fabs(r[2 + j]),
                          "b = %g, d = %g: value %d is %.17g, mpmath %.17g", r[0], r[1], j, got[j],
                          r[2 + j]);
    }
    /* erfcx on both sides of its switch to the series, and Φ⁻¹ inverts Φ */
    for (size_t i = 0; i < N_ERFCX_GOLDEN; i++)
        ck_assert_msg(fabs(nn_erfcx(erfcx_golden[i][0]) / erfcx_golden[i][1] - 1) < 1e-15,
                      "erfcx(%g) = %.17g, mpmath %.17g", erfcx_golden[i][0], nn_erfcx(erfcx_golden[i][0]),
                      erfcx_golden[i][1]);
    for (double q = 0.01; q < 1; q += 0.07)
        ck_assert_double_eq_tol(nn_norm_cdf(nn_norm_quantile(q)), q, 1e-15);
}
END_TEST

/* CORAL's auto task weights are those of the paper's code on the same labels. */
START_TEST(test_coral_auto_weights) {
    double w[CORAL_AUTO_K];
    nn_error err;
    ck_assert_int_eq(nn_coral_task_weights(w, coral_auto_labels, CORAL_AUTO_N, CORAL_AUTO_K, &err), NN_OK);
    for (int k = 0; k < CORAL_AUTO_K - 1; k++) ck_assert_double_eq_tol(w[k], coral_auto_weights[k], 1e-15);
    const int32_t bad[2] = {0, 6};
    ck_assert_int_eq(nn_coral_task_weights(w, bad, 2, CORAL_AUTO_K, &err), NN_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "label 6 of row 1 is not in 0..5"), "%s", err.msg);
    ck_assert_int_eq(nn_coral_task_weights(w, bad, 0, CORAL_AUTO_K, &err), NN_ERR_ARG);
}
END_TEST

/* The weighted loss refuses negative, non-finite and all-zero weights. */
static int coral_weights(nn_graph *g, const double *w) {
    return nn_coral_loss_weighted(g, nn_input(g, 3), nn_labels(g, 4), w, NULL);
}
static int coral_negative(nn_graph *g) { return coral_weights(g, (const double[]){1, -1, 1}); }
static int coral_nan(nn_graph *g) { return coral_weights(g, (const double[]){1, NAN, 1}); }
static int coral_zero(nn_graph *g) { return coral_weights(g, (const double[]){0, 0, 0}); }

/* Logits of ±1e4 and beyond (1e30 in the float build's range) give finite
 * values, gradients and probabilities for every family and label. */
START_TEST(test_extreme_every_label) {
    const double zs[] = {1e4, -1e4, 1e30, -1e30, 0};
#ifndef NN_DOUBLE
    /* the probit loss's gradient grows like |z| (the logistic's is at most 1):
     * at z = 1e30 a weight's is z·x = 1e60, past float's range; ±1e4 here */
    const size_t probit_cases = 2;
#else
    const size_t probit_cases = 5;
#endif
    for (int fam = 0; fam < 4; fam++) /* coral, corn, clm, clm with the probit link */
        for (int y = 0; y < 4; y++)
            for (size_t i = 0; i < (fam == 3 ? probit_cases : sizeof zs / sizeof zs[0]); i++) {
                nn_graph *g = nn_graph_create(1);
                int x = nn_input(g, fam == 1 ? 3 : 1), lab = nn_labels(g, 4);
                int z = fam == 0   ? nn_coral_head(g, x, 4, NN_INIT_XAVIER)
                        : fam == 1 ? nn_dense(g, x, 3, NN_INIT_XAVIER)
                                   : nn_clm_thresholds_link(g, nn_dense(g, x, 1, NN_INIT_XAVIER), 4,
                                                            fam == 3 ? NN_LINK_PROBIT : NN_LINK_LOGIT);
                int loss = fam == 0   ? nn_coral_loss(g, z, lab, NULL)
                           : fam == 1 ? nn_corn_loss(g, z, lab, NULL)
                                      : nn_clm_loss(g, z, lab, NULL);
                int p = nn_ordinal_probs(g, z, fam == 1   ? NN_ORDINAL_CONDITIONAL
                                               : fam == 3 ? NN_ORDINAL_PROBIT
                                                          : NN_ORDINAL_CUMULATIVE);
                ck_assert_int_ge(loss, 0);
                nn_error err;
                ck_assert_int_eq(nn_graph_compile(g, 3, &err), NN_OK);
                for (int j = 0; j < nn_node_width(g, x); j++)
                    nn_input_data(g, x)[j] = (nn_real)(j % 2 ? -zs[i] : zs[i]);
                nn_label_data(g, lab)[0] = y;
                nn_graph_zero_grad(g);
                double L = nn_graph_forward(g, 1);
                nn_graph_backward(g, 1);
                ck_assert_msg(isfinite(L) && L >= 0, "family %d, y %d, z %g: loss %g", fam, y,
                              zs[i], L);
                ck_assert_msg(nn_all_finite(nn_graph_grads(g), nn_graph_n_params(g)),
                              "family %d, y %d, z %g: a gradient is not finite", fam, y, zs[i]);
                double s = 0;
                for (int k = 0; k < 4; k++) {
                    ck_assert(nn_output(g, p)[k] >= 0);
                    s += nn_output(g, p)[k];
                }
                ck_assert_close(s, 1, 1e-6, 0);
                nn_graph_free(g);
            }
}
END_TEST

/* Probabilities are a distribution for any logits (the running minimum
 * handles CORAL logits that are not ordered), and on ordered logits the rank
 * rule Σ_k [P(y > k) > ½] is the median of that distribution. */
START_TEST(test_probs_distribution_and_median) {
    nn_rng r;
    nn_rng_seed(&r, 11);
    for (int trial = 0; trial < 200; trial++) {
        int K = 2 + (int)nn_rng_below(&r, 9);
        nn_ordinal_logits kind = trial % 2 ? NN_ORDINAL_CONDITIONAL : NN_ORDINAL_CUMULATIVE;
        nn_real z[10], p[11];
        for (int k = 0; k < K - 1; k++) z[k] = (nn_real)(4 * nn_rng_normal(&r));
        int ordered = trial % 4 == 0;
        if (ordered && kind == NN_ORDINAL_CUMULATIVE) /* sort descending */
            for (int a = 0; a < K - 1; a++)
                for (int b = a + 1; b < K - 1; b++)
                    if (z[b] > z[a]) { nn_real t = z[a]; z[a] = z[b]; z[b] = t; }
        nn_ordinal_probs_row(p, z, K, kind);
        double s = 0;
        for (int k = 0; k < K; k++) {
            ck_assert_msg(p[k] >= 0, "trial %d: p[%d] = %g", trial, k, (double)p[k]);
            s += p[k];
        }
        ck_assert_close(s, 1, 1e-6, 0);
        if (kind == NN_ORDINAL_CONDITIONAL || ordered) {
            double cum = 0;
            int median = 0;
            while (median < K - 1 && (cum += p[median]) < 0.5) median++;
            int rank = nn_ordinal_rank_row(z, K, kind);
            ck_assert_msg(rank == median || fabs(cum - 0.5) < 1e-6,
                          "trial %d: rank %d, median %d", trial, rank, median);
        }
    }
}
END_TEST

/* θ stays strictly increasing for any parameters, and the CLM's
 * probabilities are then exactly the differences F(θ_k − s) − F(θ_{k−1} − s). */
START_TEST(test_clm_thresholds_ordered) {
    nn_graph *g = nn_graph_create(2);
    int s = nn_input(g, 1), z = nn_clm_thresholds(g, s, 6);
    int p = nn_ordinal_probs(g, z, NN_ORDINAL_CUMULATIVE);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    size_t count;
    nn_real *par = nn_node_params(g, z, &count);
    ck_assert_int_eq((int)count, 5);
    /* the initial thresholds give every class 1/K at s = 0 */
    nn_input_data(g, s)[0] = 0, nn_input_data(g, s)[1] = 1.5;
    nn_graph_forward(g, 2);
    for (int k = 0; k < 6; k++) ck_assert_close(nn_output(g, p)[k], 1.0 / 6, 1e-6, 0);
    {   /* so do the probit link's, θ_k = Φ⁻¹((k + 1)/K) */
        nn_graph *h = nn_graph_create(1);
        int sp = nn_input(h, 1), zp = nn_clm_thresholds_link(h, sp, 6, NN_LINK_PROBIT);
        int pp = nn_ordinal_probs(h, zp, NN_ORDINAL_PROBIT);
        ck_assert_int_eq(nn_graph_compile(h, 1, &err), NN_OK);
        nn_input_data(h, sp)[0] = 0;
        nn_graph_forward(h, 1);
        for (int k = 0; k < 6; k++) ck_assert_close(nn_output(h, pp)[k], 1.0 / 6, 1e-6, 0);
        nn_graph_free(h);
    }
    const double raw[5] = {2.0, -8.0, 5.0, -3.0, 0.5}; /* gap softplus(−8) ≈ 3e-4 */
    for (int i = 0; i < 5; i++) par[i] = (nn_real)raw[i];
    nn_graph_forward(g, 2);
    const nn_real *zz = nn_output(g, z) + 5; /* row 1: s = 1.5 */
    double theta = raw[0];
    for (int k = 0; k < 5; k++) {
        if (k > 0) theta += log1p(exp(raw[k]));
        if (k > 0) ck_assert(zz[k] < zz[k - 1]);
        ck_assert_close(zz[k], 1.5 - theta, 1e-5, 1e-6);
    }
    nn_graph_free(g);
}
END_TEST

/* E[X] and σ read ordinal probabilities like a softmax's. */
START_TEST(test_heads_on_ordinal_probs) {
    nn_graph *g = nn_graph_create(1);
    int z = nn_input(g, 3), p = nn_ordinal_probs(g, z, NN_ORDINAL_CONDITIONAL);
    int mu = nn_expectation(g, p, NULL), sd = nn_stddev(g, p, NULL);
    ck_assert_msg(mu >= 0 && sd >= 0, "%s", nn_graph_error(g));
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    const nn_real zv[3] = {1.0, -0.5, 2.0};
    for (int k = 0; k < 3; k++) nn_input_data(g, z)[k] = zv[k];
    nn_graph_forward(g, 1);
    double m = 0, v = 0;
    for (int k = 0; k < 4; k++) m += k * nn_output(g, p)[k];
    for (int k = 0; k < 4; k++) v += (k - m) * (k - m) * nn_output(g, p)[k];
    ck_assert_close(nn_output(g, mu)[0], m, REAL_TOL, 1e-5);
    ck_assert_close(nn_output(g, sd)[0], sqrt(v), REAL_TOL, 1e-5);
    nn_graph_free(g);
}
END_TEST

static void expect_build_error(const char *what, int (*build)(nn_graph *g), const char *msg) {
    nn_graph *g = nn_graph_create(2);
    ck_assert_msg(build(g) < 0, "%s: builder accepted it", what);
    const char *e = nn_graph_error(g);
    ck_assert_msg(e && strstr(e, msg), "%s: error '%s' does not say '%s'", what, e ? e : "",
                  msg);
    nn_graph_free(g);
}
static int wrong_label_count(nn_graph *g) {
    int z = nn_input(g, 4);
    return nn_coral_loss(g, z, nn_labels(g, 4), NULL);
}
static int clm_on_dense(nn_graph *g) {
    int z = nn_input(g, 4);
    return nn_clm_loss(g, z, nn_labels(g, 5), NULL);
}
static int one_class(nn_graph *g) { return nn_coral_head(g, nn_input(g, 3), 1, NN_INIT_ZERO); }
static int wide_score(nn_graph *g) { return nn_clm_thresholds(g, nn_input(g, 2), 4); }
static int head_on_logits(nn_graph *g) { return nn_expectation(g, nn_input(g, 4), NULL); }
static int corn_real_target(nn_graph *g) {
    return nn_corn_loss(g, nn_input(g, 4), nn_input(g, 1), NULL);
}

START_TEST(test_builder_errors) {
    expect_build_error("labels", wrong_label_count, "4 classes need 3 logits");
    expect_build_error("clm input", clm_on_dense, "needs an nn_clm_thresholds node");
    expect_build_error("one class", one_class, "at least 2 classes");
    expect_build_error("score width", wide_score, "score must have width 1");
    expect_build_error("head", head_on_logits, "needs class probabilities");
    expect_build_error("target", corn_real_target, "must be a labels node");
    expect_build_error("negative task weight", coral_negative, "task weight 1 is -1; weights are finite and >= 0");
    expect_build_error("NaN task weight", coral_nan, "task weight 1 is nan");
    expect_build_error("zero task weights", coral_zero, "every task weight is 0");
}
END_TEST

/* A label outside 0..K−1 is a run error naming the loss and the row. */
START_TEST(test_label_out_of_range) {
    nn_graph *g = nn_graph_create(2);
    int z = nn_input(g, 3), y = nn_labels(g, 4);
    ck_assert_int_ge(nn_corn_loss(g, nn_dense(g, z, 3, NN_INIT_XAVIER), y, NULL), 0);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    nn_label_data(g, y)[0] = 1, nn_label_data(g, y)[1] = 4;
    ck_assert(isnan(nn_graph_forward(g, 2)));
    const char *e = nn_graph_run_error(g);
    ck_assert_msg(e && strstr(e, "corn") && strstr(e, "row 1"), "run error '%s'", e ? e : "");
    nn_graph_free(g);
}
END_TEST

/* Training steps through all three heads (the cumulative link with both links) (and probabilities with an E[X]
 * loss on them) allocate nothing. No ck_assert inside the counted loop. */
START_TEST(test_steps_allocate_nothing) {
    enum { B = 6, F = 5, K = 4 };
    nn_graph *g = nn_graph_create(B);
    int x = nn_input(g, F), y = nn_labels(g, K);
    int h = nn_relu(g, nn_dense(g, x, 8, NN_INIT_HE));
    int zc = nn_coral_head(g, h, K, NN_INIT_XAVIER), zn = nn_dense(g, h, K - 1, NN_INIT_XAVIER);
    int zl = nn_clm_thresholds(g, nn_dense(g, h, 1, NN_INIT_XAVIER), K);
    int zp = nn_clm_thresholds_link(g, nn_dense(g, h, 1, NN_INIT_XAVIER), K, NN_LINK_PROBIT);
    nn_coral_loss_weighted(g, zc, y, (const double[]){0.5, 1, 2}, NULL);
    nn_corn_loss(g, zn, y, NULL);
    nn_clm_loss(g, zl, y, NULL);
    nn_clm_loss(g, zp, y, NULL);
    ck_assert_int_ge(nn_ordinal_probs(g, zp, NN_ORDINAL_PROBIT), 0);
    int p = nn_ordinal_probs(g, zn, NN_ORDINAL_CONDITIONAL);
    ck_assert_int_ge(nn_ev_squared(g, nn_expectation(g, p, NULL), y, NULL, NULL), 0);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 5, &err), NN_OK);
    nn_optimizer *opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_SGD,
                                                                      .lr = 0.05}, &err);
    ck_assert_ptr_nonnull(opt);
    fill_uniform(nn_input_data(g, x), (size_t)B * F, -1, 1, 9);
    for (int b = 0; b < B; b++) nn_label_data(g, y)[b] = b % K;
    double first = 0, last = 0;
    long before = 0;
    for (int s = 0; s < 8; s++) {
        if (s == 2) before = test_alloc_count();
        nn_graph_zero_grad(g);
        last = nn_graph_forward(g, s % 2 ? B : B - 1);
        nn_graph_backward(g, s % 2 ? B : B - 1);
        nn_optimizer_step(opt);
        if (s == 2) first = last;
    }
    long during = test_alloc_count() - before;
    ck_assert_msg(during == 0, "training steps made %ld allocations", during);
    ck_assert(isfinite(last) && last != first);
    nn_optimizer_free(opt);
    nn_graph_free(g);
}
END_TEST

Suite *test_ordinal_heads_suite(void) {
    Suite *s = suite_create("ordinal_heads");
    TCase *tg = tcase_create("golden");
    tcase_add_test(tg, test_coral_K5_B4);
    tcase_add_test(tg, test_coral_K2_B3);
    tcase_add_test(tg, test_coral_K100_B3);
    tcase_add_test(tg, test_coral_K7_B1);
    tcase_add_test(tg, test_coral_unordered_sum);
    tcase_add_test(tg, test_coral_extreme);
    tcase_add_test(tg, test_corn_K5_B6);
    tcase_add_test(tg, test_corn_K2_B3);
    tcase_add_test(tg, test_corn_K100_B3);
    tcase_add_test(tg, test_corn_K6_B1);
    tcase_add_test(tg, test_corn_sample_weights);
    tcase_add_test(tg, test_corn_extreme);
    tcase_add_test(tg, test_clm_K5_B5);
    tcase_add_test(tg, test_clm_K2_B3);
    tcase_add_test(tg, test_clm_K100_B3);
    tcase_add_test(tg, test_clm_K6_B1);
    tcase_add_test(tg, test_clm_extreme);
    tcase_add_test(tg, test_probs_cumulative_K5_B4);
    tcase_add_test(tg, test_probs_cumulative_K2_B3);
    tcase_add_test(tg, test_probs_cumulative_K100_B2);
    tcase_add_test(tg, test_probs_cumulative_K6_B1);
    tcase_add_test(tg, test_probs_cumulative_extreme);
    tcase_add_test(tg, test_probs_conditional_K5_B4);
    tcase_add_test(tg, test_probs_conditional_K2_B3);
    tcase_add_test(tg, test_probs_conditional_K100_B2);
    tcase_add_test(tg, test_probs_conditional_K6_B1);
    tcase_add_test(tg, test_probs_conditional_extreme);
    tcase_add_test(tg, test_clm_probit_K5_B5);
    tcase_add_test(tg, test_clm_probit_K2_B3);
    tcase_add_test(tg, test_clm_probit_K100_B3);
    tcase_add_test(tg, test_clm_probit_K6_B1);
    tcase_add_test(tg, test_clm_probit_extreme);
    tcase_add_test(tg, test_clm_probit_tails_extreme);
    tcase_add_test(tg, test_clm_probit_gaps_extreme);
    tcase_add_test(tg, test_probs_probit_K5_B4);
    tcase_add_test(tg, test_probs_probit_K100_B2);
    tcase_add_test(tg, test_probs_probit_extreme);
    tcase_add_test(tg, test_coral_task_weights);
    tcase_add_test(tg, test_coral_task_weights_sum);
    tcase_add_test(tg, test_coral_task_weights_K2_B1);
    tcase_add_test(tg, test_every_case_has_a_test);
    suite_add_tcase(s, tg);
    TCase *tp = tcase_create("properties");
    tcase_add_test(tp, test_normal_log_diff);
    tcase_add_test(tp, test_coral_auto_weights);
    tcase_add_test(tp, test_extreme_every_label);
    tcase_add_test(tp, test_probs_distribution_and_median);
    tcase_add_test(tp, test_clm_thresholds_ordered);
    tcase_add_test(tp, test_heads_on_ordinal_probs);
    tcase_add_test(tp, test_builder_errors);
    tcase_add_test(tp, test_label_out_of_range);
    tcase_add_test(tp, test_steps_allocate_nothing);
    suite_add_tcase(s, tp);
    return s;
}
