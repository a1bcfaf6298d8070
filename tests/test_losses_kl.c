/* test_losses_kl.c — KL divergence, forward and reverse, probability and
 * logit targets, zeros in the target, mass where the model has none, T² and
 * temperatures, golden values from PyTorch. Derivation:
 * docs/losses.md#kl-divergence. */
#include "loss_check.h"

static void build_kl(logit_net *n, nn_grad_mode mode, void *ctx) {
    const golden_case *c = ctx;
    nn_loss_options lo = golden_setup(n, c, mode);
    int p = nn_softmax(n->g, n->z, c->T);
    nn_kl_options ko = nn_kl_defaults();
    ko.direction = c->reverse ? NN_KL_REVERSE : NN_KL_FORWARD;
    ko.target_temperature = c->target_T;
    ko.scale_t2 = c->scale_t2;
    int id = nn_kl_div(n->g, p, n->nodes[0], &ko, &lo);
    ck_assert_msg(id >= 0, "%s", nn_graph_error(n->g));
    n->nodes[3] = id;
}

START_TEST(test_kl_golden) {
    const char *names[] = {"kl_probs_zeros", "kl_logits_T4_t2", "kl_reverse_logits",
                           "kl_reverse_probs", "kl_batchmean_weighted"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_golden(names[i], build_kl, 1);
}
END_TEST

/* Loss value and gradient of one graph built from case d in mode m. */
static double run(const golden_case *d, nn_grad_mode m, double *dz) {
    logit_net n;
    net_make(&n, d->B, d->K, d->logits, m, build_kl, golden_fill, (void *)d);
    double L = net_grad(&n, dz);
    nn_graph_free(n.g);
    return L;
}

/* KL(one-hot(c) ‖ q) = −log q_c: a one-class-certain teacher given as
 * probabilities is cross-entropy with label c, in value and gradient, and the
 * zeros contribute exactly 0 (no NaN from 0·log 0). */
START_TEST(test_kl_one_hot_is_cross_entropy) {
    const golden_case *ce = golden_find("ce_hard");
    double onehot[12] = {0};
    for (int b = 0; b < 3; b++) onehot[b * 4 + ce->labels[b]] = 1;
    golden_case d = {.B = 3, .K = 4, .T = 1, .logits = ce->logits, .target = onehot,
                     .target_width = 4, .reduction = "mean"};
    double dz[12];
    for (int m = 0; m < 2; m++) {
        double L = run(&d, m ? NN_GRAD_JACOBIAN : NN_GRAD_SIMPLIFIED, dz);
        ck_assert_close(L, ce->total, 1e-12, GOLDEN_RTOL);
        for (int i = 0; i < 12; i++) ck_assert_close(dz[i], ce->grad[i], 1e-12, GOLDEN_RTOL);
    }
    check_loss(3, 4, ce->logits, build_kl, golden_fill, &d, 64, MODES_AGREE, NULL);
}
END_TEST

/* A teacher certain of one class, given as logits (1e4 apart): its softmax
 * underflows to exact zeros, log t stays exact, nothing is NaN, and at T = 1
 * the loss is the CE on that class. */
START_TEST(test_kl_certain_teacher_logits) {
    const golden_case *ce = golden_find("ce_hard");
    double tl[12] = {0};
    for (int b = 0; b < 3; b++) tl[b * 4 + ce->labels[b]] = 1e4;
    golden_case d = {.B = 3, .K = 4, .T = 1, .logits = ce->logits, .target = tl,
                     .target_width = 4, .target_T = 1, .reduction = "mean"};
    double dz[12];
    double L = run(&d, NN_GRAD_SIMPLIFIED, dz);
    ck_assert_close(L, ce->total, 1e-12, GOLDEN_RTOL);
    for (int i = 0; i < 12; i++) ck_assert_close(dz[i], ce->grad[i], 1e-12, GOLDEN_RTOL);
    check_loss(3, 4, ce->logits, build_kl, golden_fill, &d, 64, MODES_AGREE, NULL);
    /* reverse KL to the same teacher: finite, gradient checked */
    d.reverse = 1;
    L = run(&d, NN_GRAD_SIMPLIFIED, dz);
    ck_assert(isfinite(L) && L > 0);
    check_loss(3, 4, ce->logits, build_kl, golden_fill, &d, 64, MODES_AGREE, NULL);
}
END_TEST

/* Reverse KL to a probability target with zeros: log t is floored at
 * log 1e-30, so the value is a large finite penalty and both modes agree. */
START_TEST(test_kl_reverse_target_zeros) {
    const golden_case *c = golden_find("kl_probs_zeros");
    golden_case d = *c;
    d.reverse = 1;
    double dz[12];
    double L = run(&d, NN_GRAD_SIMPLIFIED, dz);
    double want = 0; /* Σ_b Σ_i q_i (log q_i − log max(t_i, 1e-30)) / B */
    for (int b = 0; b < 3; b++) {
        double lp[4], m = -INFINITY, s = 0;
        for (int i = 0; i < 4; i++) m = fmax(m, c->logits[b * 4 + i]);
        for (int i = 0; i < 4; i++) s += exp(c->logits[b * 4 + i] - m);
        for (int i = 0; i < 4; i++) lp[i] = c->logits[b * 4 + i] - m - log(s);
        for (int i = 0; i < 4; i++)
            want += exp(lp[i]) * (lp[i] - log(fmax(c->target[b * 4 + i], 1e-30))) / 3;
    }
    ck_assert(want > 10); /* the floor's penalty dominates */
    ck_assert_close(L, want, 1e-9, 1e-6);
    check_loss(3, 4, c->logits, build_kl, golden_fill, &d, 64, MODES_AGREE, NULL);
}
END_TEST

/* Target mass where the model has none: q_1 = 0 exactly (logit −1e4) but
 * t_1 = 0.5. The value is finite and exact (log q from log-softmax), the
 * simplified gradient is q − t exactly; jacobian mode stays finite but loses
 * the pull on class 1 (its clamp, NN_PROB_MIN, is documented). */
START_TEST(test_kl_mass_where_model_has_none) {
    const double z[4] = {0, -1e4, 0, 0};
    const double t[4] = {0.25, 0.5, 0.25, 0};
    golden_case d = {.B = 1, .K = 4, .T = 1, .logits = z, .target = t, .target_width = 4,
                     .reduction = "mean"};
    double dz[4], dj[4];
    double L = run(&d, NN_GRAD_SIMPLIFIED, dz);
    /* q = (1/3, 0, 1/3, 1/3), log q_1 = −1e4 − log 3 */
    double want = 0.25 * log(0.25 * 3) * 2 + 0.5 * (log(0.5) + 1e4 + log(3.0));
    ck_assert_close(L, want, 1e-9, 1e-6);
    const double grad[4] = {1.0 / 3 - 0.25, -0.5, 1.0 / 3 - 0.25, 1.0 / 3};
    for (int i = 0; i < 4; i++) ck_assert_close(dz[i], grad[i], 1e-7, 1e-6);
    double Lj = run(&d, NN_GRAD_JACOBIAN, dj);
    ck_assert_close(Lj, L, 0, 1e-12);
    for (int i = 0; i < 4; i++) ck_assert_msg(isfinite(dj[i]), "dz[%d] = %g", i, dj[i]);
    ck_assert_close(dj[1], 0.0, 1e-12, 0); /* the lost pull */
}
END_TEST

static void random_case(golden_case *d, double *z, double *t, int B, int K, double zscale,
                        double tscale, uint64_t seed) {
    nn_rng r;
    nn_rng_seed(&r, seed);
    for (int i = 0; i < B * K; i++) z[i] = zscale * nn_rng_normal(&r);
    for (int i = 0; i < B * K; i++) t[i] = tscale * nn_rng_normal(&r);
    *d = (golden_case){.B = B, .K = K, .T = 1, .logits = z, .target = t, .target_width = K,
                       .target_T = 1, .reduction = "mean"};
}

/* T = 1 and T = 20, K = 2 and K = 1000, a batch of one, both directions. */
START_TEST(test_kl_shapes_and_temperatures) {
    static double z[2 * 1000], t[2 * 1000];
    const int shapes[4][2] = {{1, 2}, {5, 2}, {2, 1000}, {1, 1000}};
    const double temps[2] = {1, 20};
    for (int s = 0; s < 4; s++)
        for (int k = 0; k < 2; k++)
            for (int dir = 0; dir < 2; dir++) {
                golden_case d;
                random_case(&d, z, t, shapes[s][0], shapes[s][1], 2.0, 2.0,
                            (uint64_t)(100 * s + 10 * k + dir));
                d.T = d.target_T = temps[k];
                d.scale_t2 = 1; /* keeps T = 20 gradients of order one */
                d.reverse = dir;
                check_loss(d.B, d.K, z, build_kl, golden_fill, &d, 48, MODES_AGREE, NULL);
            }
}
END_TEST

/* Hinton's T²: the soft gradient ∂(T²·KL)/∂z = T (q − t) tends to
 * ((z − z̄) − (t − t̄)) / K as T grows, so its norm stays of the same order;
 * without T² it shrinks like 1/T². A temperature applied forward but
 * forgotten backward would make the scaled norm grow like T. */
START_TEST(test_kl_t2_keeps_gradient_scale) {
    enum { B = 4, K = 6 };
    static double z[B * K], t[B * K], dz[B * K];
    golden_case d;
    random_case(&d, z, t, B, K, 0.5, 0.5, 77);
    const double temps[5] = {1, 2, 5, 10, 20};
    double norm1 = 0, plain1 = 0;
    for (int k = 0; k < 5; k++) {
        d.T = d.target_T = temps[k];
        double norm[2];
        for (int s = 0; s < 2; s++) {
            d.scale_t2 = s;
            run(&d, NN_GRAD_SIMPLIFIED, dz);
            norm[s] = 0;
            for (int i = 0; i < B * K; i++) norm[s] += dz[i] * dz[i];
            norm[s] = sqrt(norm[s]);
        }
        if (k == 0) norm1 = norm[1], plain1 = norm[0];
        ck_assert_msg(norm[1] > 0.5 * norm1 && norm[1] < 2 * norm1,
                      "T = %g: |grad| = %g vs %g at T = 1", temps[k], norm[1], norm1);
        ck_assert_close(norm[0] * temps[k] * temps[k], norm[1], 1e-12, REAL_TOL);
        if (k == 4) ck_assert(norm[0] < plain1 / 100);
    }
    /* the large-T limit itself: T (q − t) → ((z − z̄) − (t − t̄)) / (K B) */
    d.T = d.target_T = 1e3;
    d.scale_t2 = 1;
    run(&d, NN_GRAD_SIMPLIFIED, dz);
    for (int b = 0; b < B; b++) {
        double zm = 0, tm = 0;
        for (int i = 0; i < K; i++) zm += z[b * K + i] / K, tm += t[b * K + i] / K;
        for (int i = 0; i < K; i++)
            ck_assert_close(dz[b * K + i], ((z[b * K + i] - zm) - (t[b * K + i] - tm)) / (K * B),
                            1e-4, 2e-2);
    }
}
END_TEST

START_TEST(test_kl_bad_targets) {
    const golden_case *c = golden_find("kl_probs_zeros");
    const double *bad[3] = {(const double[]){0.5, 0.5, 0, 0, 0.2, 0.2, 0.2, 0.2, 1, 0, 0, 0},
                            (const double[]){0.5, 0.5, 0, 0, 1, 0, 0, 0, 1.5, -0.5, 0, 0},
                            (const double[]){NAN, 0.5, 0, 0.5, 1, 0, 0, 0, 1, 0, 0, 0}};
    const char *what[3] = {"row 1: target probabilities do not sum to 1",
                           "row 2: target probabilities hold a negative entry",
                           "row 0: target probabilities hold a NaN"};
    for (int k = 0; k < 3; k++)
        for (int dir = 0; dir < 2; dir++) {
            golden_case d = *c;
            d.target = bad[k];
            d.reverse = dir;
            logit_net n;
            net_make(&n, 3, 4, c->logits, NN_GRAD_SIMPLIFIED, build_kl, golden_fill, &d);
            ck_assert(isnan(nn_graph_forward(n.g, 3)));
            const char *why = nn_graph_run_error(n.g);
            ck_assert_msg(why && strstr(why, "kl_div") && strstr(why, what[k]), "%s", why);
            ck_assert(isnan(nn_loss_value(n.g, n.nodes[3])));
            nn_graph_free(n.g);
        }
}
END_TEST

START_TEST(test_kl_build_errors) {
    nn_graph *g = nn_graph_create(2);
    int z = nn_input(g, 3), y = nn_labels(g, 3), p = nn_softmax(g, z, 1);
    ck_assert_int_eq(nn_kl_div(g, p, y, NULL, NULL), -1);
    ck_assert_msg(strstr(nn_graph_error(g), "cross_entropy"), "%s", nn_graph_error(g));
    nn_graph_free(g);
    g = nn_graph_create(2);
    z = nn_input(g, 3);
    int t = nn_input(g, 3);
    ck_assert_int_eq(nn_kl_div(g, z, t, NULL, NULL), -1);
    ck_assert_msg(strstr(nn_graph_error(g), "softmax"), "%s", nn_graph_error(g));
    nn_graph_free(g);
}
END_TEST

Suite *test_losses_kl_suite(void) {
    Suite *s = suite_create("losses_kl");
    TCase *tc = tcase_create("kl_div");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_kl_golden);
    tcase_add_test(tc, test_kl_one_hot_is_cross_entropy);
    tcase_add_test(tc, test_kl_certain_teacher_logits);
    tcase_add_test(tc, test_kl_reverse_target_zeros);
    tcase_add_test(tc, test_kl_mass_where_model_has_none);
    tcase_add_test(tc, test_kl_shapes_and_temperatures);
    tcase_add_test(tc, test_kl_t2_keeps_gradient_scale);
    tcase_add_test(tc, test_kl_bad_targets);
    tcase_add_test(tc, test_kl_build_errors);
    suite_add_tcase(s, tc);
    return s;
}
