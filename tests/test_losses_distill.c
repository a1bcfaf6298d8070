/* test_losses_distill.c — the distillation builder: golden value and
 * gradient against PyTorch, the soft and hard terms read separately, the
 * α = 0 and α = 1 ends, temperatures, shapes and errors. Derivation:
 * docs/losses.md#distillation. */
#include "loss_check.h"

/* the distillation ctx: a golden_case with labels, teacher logits as
 * target, T and alpha */
static void build_distill(logit_net *n, nn_grad_mode mode, void *ctx) {
    const golden_case *c = ctx;
    nn_loss_options lo = golden_setup(n, c, mode); /* nodes[0] = labels */
    n->nodes[2] = nn_input(n->g, c->K);             /* teacher logits */
    nn_distill_options d = {.alpha = c->alpha, .temperature = c->T, .class_weights = c->class_weights};
    nn_distill_nodes dn;
    int id = nn_distillation(n->g, n->z, n->nodes[2], n->nodes[0], &d, &lo, &dn);
    ck_assert_msg(id >= 0, "%s", nn_graph_error(n->g));
    ck_assert_int_eq(id, dn.soft_loss);
    n->nodes[3] = dn.soft_loss, n->nodes[4] = dn.hard_loss;
    n->nodes[5] = dn.soft_probs, n->nodes[6] = dn.probs;
}

START_TEST(test_distill_golden) {
    check_golden("distill", build_distill, 1);
    check_golden("distill_weighted", build_distill, 1); /* class weights in the hard term */
}
END_TEST

/* log softmax(z/T) of a row, in double */
static void log_softmax(double *lp, const double *z, int K, double T) {
    double m = -INFINITY, s = 0;
    for (int i = 0; i < K; i++) m = fmax(m, z[i] / T);
    for (int i = 0; i < K; i++) s += exp(z[i] / T - m);
    for (int i = 0; i < K; i++) lp[i] = z[i] / T - m - log(s);
}

/* The two terms, read with nn_loss_value, are the plain KL at T and the CE
 * at T = 1, and the total is α·T²·soft + (1 − α)·hard. */
START_TEST(test_distill_terms) {
    const golden_case *c = golden_find("distill");
    logit_net n;
    net_make(&n, c->B, c->K, c->logits, NN_GRAD_SIMPLIFIED, build_distill, golden_fill,
             (void *)c);
    double total = nn_graph_forward(n.g, c->B);
    double soft = nn_loss_value(n.g, n.nodes[3]), hard = nn_loss_value(n.g, n.nodes[4]);
    double kl = 0, ce = 0;
    for (int b = 0; b < c->B; b++) {
        double lq[4], lt[4], l1[4];
        log_softmax(lq, c->logits + b * 4, 4, c->T);
        log_softmax(lt, c->target + b * 4, 4, c->T);
        log_softmax(l1, c->logits + b * 4, 4, 1);
        for (int i = 0; i < 4; i++) kl += exp(lt[i]) * (lt[i] - lq[i]) / c->B;
        ce -= l1[c->labels[b]] / c->B;
    }
    ck_assert_close(soft, kl, 1e-12, GOLDEN_RTOL);
    ck_assert_close(hard, ce, 1e-12, GOLDEN_RTOL);
    ck_assert_close(total, c->alpha * c->T * c->T * soft + (1 - c->alpha) * hard, 1e-12,
                    1e-12);
    ck_assert_close(total, c->total, 1e-12, GOLDEN_RTOL);
    /* the two softmaxes are the ones asked for */
    const nn_real *q1 = nn_output(n.g, n.nodes[6]);
    double lp[4];
    log_softmax(lp, c->logits, 4, 1);
    for (int i = 0; i < 4; i++) ck_assert_close(q1[i], exp(lp[i]), 1e-7, 1e-5);
    nn_graph_free(n.g);
}
END_TEST

/* α = 0 is the hard CE alone; α = 1 is T²·KL alone (the other term still
 * reports its value but adds nothing, to the loss or the gradient). */
START_TEST(test_distill_alpha_ends) {
    const golden_case *c = golden_find("distill");
    const golden_case *ce = golden_find("ce_hard");
    golden_case d = *c;
    d.alpha = 0;
    double dz[12];
    logit_net n;
    net_make(&n, 3, 4, c->logits, NN_GRAD_SIMPLIFIED, build_distill, golden_fill, &d);
    ck_assert_close(net_grad(&n, dz), ce->total, 1e-12, GOLDEN_RTOL);
    for (int i = 0; i < 12; i++) ck_assert_close(dz[i], ce->grad[i], 1e-12, GOLDEN_RTOL);
    ck_assert(nn_loss_value(n.g, n.nodes[3]) > 0);
    nn_graph_free(n.g);
    d.alpha = 1;
    check_loss(3, 4, c->logits, build_distill, golden_fill, &d, 64, MODES_AGREE, NULL);
}
END_TEST

START_TEST(test_distill_temperatures_and_shapes) {
    static double z[1000], t[1000];
    static int32_t lab[2];
    const int shapes[3][2] = {{1, 2}, {2, 7}, {1, 1000}};
    const double temps[3] = {1, 4, 20};
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < 3; k++) {
            int B = shapes[s][0], K = shapes[s][1];
            nn_rng r;
            nn_rng_seed(&r, (uint64_t)(31 * s + k));
            for (int i = 0; i < B * K; i++) z[i] = 2 * nn_rng_normal(&r);
            for (int i = 0; i < B * K; i++) t[i] = 3 * nn_rng_normal(&r);
            for (int b = 0; b < B; b++) lab[b] = (int32_t)nn_rng_below(&r, (uint32_t)K);
            golden_case d = {.B = B, .K = K, .T = temps[k], .logits = z, .labels = lab,
                             .target = t, .target_width = K, .reduction = "mean",
                             .alpha = 0.5};
            check_loss(B, K, z, build_distill, golden_fill, &d, 48, MODES_AGREE, NULL);
        }
}
END_TEST

START_TEST(test_distill_errors) {
    nn_distill_options bad[3] = {{.alpha = 1.5, .temperature = 2},
                                 {.alpha = 0.5, .temperature = 0},
                                 {.alpha = NAN, .temperature = 2}};
    const char *what[3] = {"alpha", "temperature", "alpha"};
    for (int k = 0; k < 3; k++) {
        nn_graph *g = nn_graph_create(2);
        int s = nn_input(g, 3), t = nn_input(g, 3), y = nn_labels(g, 3);
        nn_distill_nodes dn;
        ck_assert_int_eq(nn_distillation(g, s, t, y, &bad[k], NULL, &dn), -1);
        ck_assert_int_eq(dn.soft_loss, -1);
        ck_assert_msg(strstr(nn_graph_error(g), what[k]), "%s", nn_graph_error(g));
        nn_graph_free(g);
    }
    nn_graph *g = nn_graph_create(2);
    int s = nn_input(g, 3), t = nn_input(g, 4), y = nn_labels(g, 3);
    nn_distill_nodes dn;
    nn_distill_options d = {.alpha = 0.5, .temperature = 2};
    ck_assert_int_eq(nn_distillation(g, s, t, y, &d, NULL, &dn), -1);
    ck_assert_msg(strstr(nn_graph_error(g), "teacher has 4"), "%s", nn_graph_error(g));
    nn_graph_free(g);
}
END_TEST

Suite *test_losses_distill_suite(void) {
    Suite *s = suite_create("losses_distill");
    TCase *tc = tcase_create("distillation");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_distill_golden);
    tcase_add_test(tc, test_distill_terms);
    tcase_add_test(tc, test_distill_alpha_ends);
    tcase_add_test(tc, test_distill_temperatures_and_shapes);
    tcase_add_test(tc, test_distill_errors);
    suite_add_tcase(s, tc);
    return s;
}
