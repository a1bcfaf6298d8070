/* test_jacobian_clamp.c — the jacobian mode's clamp NN_PROB_MIN is counted,
 * spoils the whole row when it engages, and fits the precision.
 *
 * The net is   z (B, K) input, requires grad → softmax → loss
 * so dL/dz is nn_output_grad(g, z) in both modes (docs/losses.md, "Where the
 * two modes differ").
 */
#include <string.h>

#include "testutil.h"

enum { B = 4, K = 3 };

/* A probability far below the clamp, and one far above it but tiny: as logit
 * gaps e^−gap. Float: e^−80 ≈ 2e-35 < 1e-30 and e^−46 ≈ 1e-20. Double:
 * e^−720 ≈ 3e-313 < 1e-300 and e^−460 ≈ 1e-200. */
#ifdef NN_DOUBLE
#define GAP_BELOW 720.0
#define GAP_TINY 460.0
#else
#define GAP_BELOW 80.0
#define GAP_TINY 46.0
#endif

typedef enum { HARD, SOFT, KL } target_kind;

typedef struct {
    nn_graph *g;
    int z, y, t, loss;
} clamp_net;

static clamp_net make(target_kind kind, nn_grad_mode mode) {
    clamp_net n = {.g = nn_graph_create(B)};
    n.z = nn_input(n.g, K);
    n.y = nn_labels(n.g, K);
    n.t = nn_input(n.g, K);
    nn_error err;
    ck_assert_int_eq(nn_input_requires_grad(n.g, n.z, &err), NN_OK);
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    int p = nn_softmax(n.g, n.z, 1.0);
    n.loss = kind == HARD ? nn_cross_entropy(n.g, p, n.y, &lo)
           : kind == SOFT ? nn_cross_entropy_ex(n.g, p, n.t, NULL, &lo)
                          : nn_kl_div(n.g, p, n.t, NULL, &lo);
    ck_assert_msg(nn_graph_compile(n.g, 1, &err) == NN_OK, "%s", err.msg);
    return n;
}

/* One step; copies dL/dz (B, K) into dz. */
static void step(clamp_net *n, double *dz) {
    nn_graph_zero_grad(n->g);
    ck_assert(isfinite(nn_graph_forward(n->g, B)));
    ck_assert_int_eq(nn_graph_backward(n->g, B), NN_OK);
    const nn_real *d = nn_output_grad(n->g, n->z);
    for (int i = 0; i < B * K; i++) dz[i] = d[i];
}

/* Row 0: the label's logit GAP_BELOW under the others (clamped); row 1:
 * ordinary; row 2: label at p = 0 exactly (gap 2e4, clamped); row 3: the
 * label is the largest logit (p ≈ 1). Soft targets and KL put mass 0.5 on
 * classes 0 and 1 of each row instead: rows 0 and 2 then have two classes
 * far below (clamped twice each). */
static void fill(clamp_net *n) {
    const double z[B][K] = {{-GAP_BELOW, 0, 0.5}, {0.3, -0.2, 0.1}, {-2e4, -2e4, 0}, {2, 0, -1}};
    const int32_t y[B] = {0, 1, 0, 0};
    nn_real *x = nn_input_data(n->g, n->z), *t = nn_input_data(n->g, n->t);
    for (int b = 0; b < B; b++) {
        nn_label_data(n->g, n->y)[b] = y[b];
        for (int i = 0; i < K; i++) {
            x[b * K + i] = (nn_real)z[b][i];
            t[b * K + i] = (nn_real)(i < 2 ? 0.5 : 0);
        }
    }
    x[1] = (nn_real)-GAP_BELOW; /* row 0: class 1 far below too (soft, KL) */
}

START_TEST(test_clamp_count_on_a_constructed_batch) {
    const target_kind kinds[3] = {HARD, SOFT, KL};
    const long want[3] = {2, 4, 4}; /* hard: rows 0 and 2; soft: two classes each */
    for (int k = 0; k < 3; k++) {
        clamp_net s = make(kinds[k], NN_GRAD_SIMPLIFIED), j = make(kinds[k], NN_GRAD_JACOBIAN);
        fill(&s), fill(&j);
        double ds[B * K], dj[B * K];
        step(&s, ds);
        step(&j, dj);
        ck_assert_int_eq(nn_loss_clamped(s.g, s.loss), 0); /* simplified never divides */
        ck_assert_int_eq(nn_loss_clamped(j.g, j.loss), want[k]);
        ck_assert_int_eq(nn_graph_clamped(j.g), want[k]);
        ck_assert_int_eq(nn_loss_clamped(j.g, j.z), -1); /* not a loss */
        /* unclamped rows agree; in a clamped row EVERY class is wrong, not
         * only the clamped one: ⟨g, p⟩ is subtracted from all of them. Class
         * 2 holds no target mass and p ≈ 1 there, yet its gradient is lost. */
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < K; i++) {
                double a = ds[b * K + i], c = dj[b * K + i];
                if (b == 1 || b == 3)
                    ck_assert_msg(close_enough(a, c, REAL_TOL, 100 * REAL_TOL),
                                  "kind %d row %d class %d: %g vs %g", k, b, i, a, c);
                else if (fabs(a) > 0.05 || i == 2)
                    ck_assert_msg(fabs(a) > 0.05 && fabs(c) < 1e-3 * fabs(a),
                                  "kind %d row %d class %d: simplified %g, jacobian %g "
                                  "(expected the clamped row's gradient ~lost)", k, b, i, a, c);
            }
        }
        /* the count is per step: a batch with no tiny p counts 0 again */
        nn_real *x = nn_input_data(j.g, j.z);
        for (int i = 0; i < B * K; i++) x[i] = (nn_real)(0.1 * i);
        step(&j, dj);
        ck_assert_int_eq(nn_graph_clamped(j.g), 0);
        nn_graph_free(s.g);
        nn_graph_free(j.g);
    }
}
END_TEST

/* Above the clamp the modes agree however small p is: p ≈ 1e-200 in double
 * (the clamp is 1e-300 there), p ≈ 1e-20 in float. */
START_TEST(test_tiny_p_above_the_clamp_is_exact) {
    clamp_net s = make(HARD, NN_GRAD_SIMPLIFIED), j = make(HARD, NN_GRAD_JACOBIAN);
    clamp_net *both[2] = {&s, &j};
    double d[2][B * K];
    for (int k = 0; k < 2; k++) {
        nn_real *x = nn_input_data(both[k]->g, both[k]->z);
        for (int b = 0; b < B; b++) {
            nn_label_data(both[k]->g, both[k]->y)[b] = b % K;
            for (int i = 0; i < K; i++) x[b * K + i] = (nn_real)(i == b % K ? -GAP_TINY : 0.1 * b);
        }
        step(both[k], d[k]);
    }
    const nn_real *p = nn_output(j.g, 3); /* the softmax (node 3) */
    ck_assert_msg(p[0] > NN_PROB_MIN && p[0] < 1e-19, "p_y = %g", (double)p[0]);
    ck_assert_int_eq(nn_graph_clamped(j.g), 0);
    for (int i = 0; i < B * K; i++)
        ck_assert_msg(close_enough(d[0][i], d[1][i], REAL_TOL, 100 * REAL_TOL),
                      "z[%d]: simplified %.17g, jacobian %.17g", i, d[0][i], d[1][i]);
    ck_assert_close(d[0][0], (p[0] - 1) / B, REAL_TOL, REAL_TOL); /* p_y − 1 */
    nn_graph_free(s.g);
    nn_graph_free(j.g);
}
END_TEST

static void keep_stats(const nn_epoch_stats *s, void *user) {
    nn_epoch_stats *all = user;
    all[s->epoch - 1] = *s;
}

/* nn_train for `epochs` epochs on 4 rows, 2 of them confidently wrong
 * (logits ±1000 with W = I: p_y = e^−2000 = 0, clamped), one step per epoch,
 * a learning rate too small to move them, the cross-entropy (jacobian mode)
 * scaled by coef. Fills s[epoch − 1] (may be NULL) and *clamped with the
 * last backward's count; returns nn_train's status. */
static nn_status train_wrong_rows(double coef, int epochs, nn_epoch_stats *s, long *clamped,
                                  nn_error *err) {
    nn_graph *g = nn_graph_create(4);
    int x = nn_input(g, 2), y = nn_labels(g, 2), z = nn_dense(g, x, 2, NN_INIT_ZERO);
    int p = nn_softmax(g, z, 1.0);
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = NN_GRAD_JACOBIAN;
    lo.coef = coef;
    nn_cross_entropy(g, p, y, &lo);
    ck_assert_int_eq(nn_graph_compile(g, 1, err), NN_OK);
    nn_real *w = nn_node_params(g, z, NULL); /* (2, 2) then bias (2) */
    w[0] = w[3] = 1;
    nn_optimizer *opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 1e-12}, err);
    ck_assert_ptr_nonnull(opt);
    nn_real xs[8] = {1000, -1000, 1000, -1000, -1000, 1000, -1000, 1000};
    int32_t labels[4] = {1, 0, 0, 1}; /* rows 0 and 2: p_y = e^−2000 = 0 */
    nn_dataset d = {.n = 4, .n_features = 2, .n_classes = 2, .x_real = xs, .labels = labels};
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = p, .targets = -1};
    nn_train_options o = {.epochs = epochs, .batch = 4, .seed = 1};
    nn_status st = nn_train(g, opt, &nodes, &d, NULL, &o, s ? keep_stats : NULL, s, err);
    *clamped = nn_graph_clamped(g);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    return st;
}

/* nn_train adds up the count per epoch. */
START_TEST(test_epoch_stats_carry_the_count) {
    nn_epoch_stats s[2] = {{0}};
    long clamped;
    nn_error err;
    ck_assert_msg(train_wrong_rows(1, 2, s, &clamped, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(s[0].clamped, 2);
    ck_assert_int_eq(s[1].clamped, 2);
}
END_TEST

/* A clamped −y/NN_PROB_MIN (1e30 in float, 1e300 in double) times a loss
 * coefficient of 1e10 overflows to inf: the step's non-finite check stops
 * training and its message names the clamp and the count; with the
 * coefficient 1 the same batch trains (the count alone, as above). */
START_TEST(test_clamp_overflow_is_named) {
    long clamped;
    nn_error err;
    ck_assert_msg(train_wrong_rows(1, 1, NULL, &clamped, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(clamped, 2);
    ck_assert_int_eq(train_wrong_rows(1e10, 1, NULL, &clamped, &err), NN_ERR_NUMERIC);
    ck_assert_int_eq(clamped, 2);
    ck_assert_msg(strstr(err.msg, "train: epoch 1, batch 1: non-finite gradient"), "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "the jacobian-mode clamp NN_PROB_MIN engaged on 2 entries of this batch"),
                  "%s", err.msg);
}
END_TEST

Suite *test_jacobian_clamp_suite(void) {
    Suite *s = suite_create("jacobian_clamp");
    TCase *tc = tcase_create("clamp");
    tcase_add_test(tc, test_clamp_count_on_a_constructed_batch);
    tcase_add_test(tc, test_tiny_p_above_the_clamp_is_exact);
    tcase_add_test(tc, test_epoch_stats_carry_the_count);
    tcase_add_test(tc, test_clamp_overflow_is_named);
    suite_add_tcase(s, tc);
    return s;
}
