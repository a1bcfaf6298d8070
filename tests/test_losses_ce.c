/* test_losses_ce.c — cross-entropy options: class weights (PyTorch's
 * normalisation), smoothing, soft and logit targets, reductions; golden
 * values from tests/golden/losses_ref.py; edge cases. Derivation:
 * docs/losses.md#cross-entropy. */
#include "loss_check.h"

static void build_ce(logit_net *n, nn_grad_mode mode, void *ctx) {
    const golden_case *c = ctx;
    nn_loss_options lo = golden_setup(n, c, mode);
    int p = nn_softmax(n->g, n->z, c->T);
    nn_ce_options co = nn_ce_defaults();
    co.smoothing = c->smoothing;
    co.class_weights = c->class_weights;
    co.target_temperature = c->target_T;
    int id = nn_cross_entropy_ex(n->g, p, n->nodes[0], &co, &lo);
    ck_assert_msg(id >= 0, "%s", nn_graph_error(n->g));
    n->nodes[3] = id;
}

START_TEST(test_ce_golden) {
    const char *names[] = {"ce_hard",           "ce_hard_T",         "ce_weighted_smooth",
                           "ce_soft_weighted",  "ce_teacher_logits", "ce_sample_weights",
                           "ce_sum"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_golden(names[i], build_ce, 1);
}
END_TEST

/* Logits of ±1e4: the value stays exact (log-softmax), simplified mode gives
 * p − y exactly. Jacobian mode divides by max(p, 1e-30): on a label whose p
 * underflowed to 0 it loses that class's pull (documented), but stays finite. */
START_TEST(test_ce_extreme_logits) {
    check_golden("ce_extreme", build_ce, 0);
    const golden_case *c = golden_find("ce_extreme");
    double dz[8];
    logit_net n;
    net_make(&n, c->B, c->K, c->logits, NN_GRAD_JACOBIAN, build_ce, golden_fill, (void *)c);
    double L = net_grad(&n, dz);
    ck_assert_close(L, c->total, 1e-9, 1e-9);
    for (int i = 0; i < 8; i++) ck_assert_msg(isfinite(dz[i]), "dz[%d] = %g", i, dz[i]);
    /* row 0: label 1 has p = 0 exactly; the simplified −1/B is lost */
    ck_assert_close(c->grad[1], -0.5, 1e-12, 0);
    ck_assert_close(dz[1], 0.0, 1e-12, 0);
    nn_graph_free(n.g);
}
END_TEST

/* random labels for a case description */
static void random_labels(int32_t *lab, int B, int K, uint64_t seed) {
    nn_rng r;
    nn_rng_seed(&r, seed);
    for (int b = 0; b < B; b++) lab[b] = (int32_t)nn_rng_below(&r, (uint32_t)K);
}

static void check_shape(int B, int K, double T, double smoothing) {
    double *z = malloc((size_t)B * K * sizeof *z);
    int32_t *lab = malloc((size_t)B * sizeof *lab);
    ck_assert(z && lab);
    nn_rng r;
    nn_rng_seed(&r, (uint64_t)(B * 7919 + K));
    for (int i = 0; i < B * K; i++) z[i] = 1.5 * nn_rng_normal(&r);
    random_labels(lab, B, K, 5);
    golden_case c = {.B = B, .K = K, .T = T, .labels = lab, .reduction = "mean",
                     .smoothing = smoothing};
    check_loss(B, K, z, build_ce, golden_fill, &c, 64, MODES_AGREE, NULL);
    free(z);
    free(lab);
}

START_TEST(test_ce_shapes) {
    check_shape(1, 2, 1.0, 0.0);     /* batch of one, K = 2 */
    check_shape(4, 2, 20.0, 0.1);    /* T = 20 */
    check_shape(2, 1000, 1.0, 0.0);  /* K = 1000 */
    check_shape(1, 1000, 3.0, 0.05);
}
END_TEST

/* PyTorch's weighted mean: with hard labels a uniform class weight cancels
 * (Σ w l / Σ w); with soft targets it scales the loss (Σ w l / B). */
START_TEST(test_ce_weight_normalisation) {
    const golden_case *c = golden_find("ce_hard");
    const double w3[4] = {3, 3, 3, 3};
    golden_case hard = *c, soft = *golden_find("ce_soft_weighted"), soft_plain = soft;
    hard.class_weights = w3;
    soft.class_weights = w3;
    soft_plain.class_weights = NULL;
    double dz[12], L[3];
    const golden_case *cases[3] = {&hard, &soft, &soft_plain};
    for (int k = 0; k < 3; k++) {
        logit_net n;
        net_make(&n, 3, 4, cases[k]->logits, NN_GRAD_SIMPLIFIED, build_ce, golden_fill,
                 (void *)cases[k]);
        L[k] = net_grad(&n, dz);
        nn_graph_free(n.g);
    }
    ck_assert_close(L[0], c->total, 1e-12, 1e-6);
    ck_assert_close(L[1], 3 * L[2], 1e-12, 1e-6);
}
END_TEST

/* Data errors are run errors naming the loss and row: never a silent NaN. */
static double run_soft(const double *t, const char **why) {
    const golden_case *c = golden_find("ce_soft_weighted");
    golden_case d = *c;
    d.target = t;
    d.class_weights = NULL;
    logit_net n;
    net_make(&n, 3, 4, c->logits, NN_GRAD_SIMPLIFIED, build_ce, golden_fill, &d);
    double L = nn_graph_forward(n.g, 3);
    static char msg[512];
    snprintf(msg, sizeof msg, "%s", nn_graph_run_error(n.g) ? nn_graph_run_error(n.g) : "");
    *why = msg;
    nn_graph_free(n.g);
    return L;
}

START_TEST(test_ce_bad_targets) {
    const char *why;
    double good[12] = {1, 0, 0, 0, 0.5, 0.5, 0, 0, 0.25, 0.25, 0.25, 0.25};
    ck_assert(isfinite(run_soft(good, &why)));
    ck_assert_str_eq(why, "");
    double sum[12] = {1, 0, 0, 0, 0.5, 0.6, 0, 0, 0.25, 0.25, 0.25, 0.25};
    ck_assert(isnan(run_soft(sum, &why)));
    ck_assert_msg(strstr(why, "cross_entropy") && strstr(why, "row 1") &&
                      strstr(why, "sum to 1"), "%s", why);
    double neg[12] = {1, 0, 0, 0, 0.5, 0.5, 0, 0, 0.5, 0.25, 0.5, -0.25};
    ck_assert(isnan(run_soft(neg, &why)));
    ck_assert_msg(strstr(why, "row 2") && strstr(why, "negative"), "%s", why);
    double nan_t[12] = {NAN, 0, 0, 1, 0.5, 0.5, 0, 0, 0.25, 0.25, 0.25, 0.25};
    ck_assert(isnan(run_soft(nan_t, &why)));
    ck_assert_msg(strstr(why, "row 0") && strstr(why, "NaN"), "%s", why);
}
END_TEST

START_TEST(test_ce_bad_teacher_logits) {
    golden_case d = *golden_find("ce_teacher_logits");
    double t[12];
    for (int i = 0; i < 12; i++) t[i] = d.target[i];
    t[5] = INFINITY;
    d.target = t;
    logit_net n;
    net_make(&n, 3, 4, d.logits, NN_GRAD_SIMPLIFIED, build_ce, golden_fill, &d);
    ck_assert(isnan(nn_graph_forward(n.g, 3)));
    ck_assert_msg(strstr(nn_graph_run_error(n.g), "row 1"), "%s", nn_graph_run_error(n.g));
    nn_graph_free(n.g);
}
END_TEST

START_TEST(test_ce_build_errors) {
    nn_graph *g = nn_graph_create(2);
    int z = nn_input(g, 3), y = nn_labels(g, 3), p = nn_softmax(g, z, 1);
    const double w[3] = {1, -1, 1};
    nn_ce_options co = nn_ce_defaults();
    co.class_weights = w;
    ck_assert_int_eq(nn_cross_entropy_ex(g, p, y, &co, NULL), -1);
    ck_assert_msg(strstr(nn_graph_error(g), "class weight 1"), "%s", nn_graph_error(g));
    nn_graph_free(g);

    g = nn_graph_create(2);
    z = nn_input(g, 3), y = nn_labels(g, 3), p = nn_softmax(g, z, 1);
    co = nn_ce_defaults();
    co.target_temperature = 2;
    ck_assert_int_eq(nn_cross_entropy_ex(g, p, y, &co, NULL), -1);
    ck_assert_msg(strstr(nn_graph_error(g), "logits"), "%s", nn_graph_error(g));
    nn_graph_free(g);
}
END_TEST

/* A zero sample weight removes its row entirely (even a NaN-free extreme
 * row); all-zero weights give 0 with no gradient. */
START_TEST(test_ce_zero_weights) {
    golden_case d = *golden_find("ce_sample_weights");
    const double s0[3] = {0, 0, 0};
    d.sample_weights = s0;
    double dz[12];
    logit_net n;
    net_make(&n, 3, 4, d.logits, NN_GRAD_SIMPLIFIED, build_ce, golden_fill, &d);
    ck_assert_close(net_grad(&n, dz), 0.0, 0, 0);
    for (int i = 0; i < 12; i++) ck_assert_close(dz[i], 0.0, 0, 0);
    nn_graph_free(n.g);
}
END_TEST

Suite *test_losses_ce_suite(void) {
    Suite *s = suite_create("losses_ce");
    TCase *tc = tcase_create("cross_entropy");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ce_golden);
    tcase_add_test(tc, test_ce_extreme_logits);
    tcase_add_test(tc, test_ce_shapes);
    tcase_add_test(tc, test_ce_weight_normalisation);
    tcase_add_test(tc, test_ce_bad_targets);
    tcase_add_test(tc, test_ce_bad_teacher_logits);
    tcase_add_test(tc, test_ce_build_errors);
    tcase_add_test(tc, test_ce_zero_weights);
    suite_add_tcase(s, tc);
    return s;
}
