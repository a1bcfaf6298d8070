/* test_cross_entropy.c — cross-entropy on a softmax, in both gradient modes.
 * Derivation: docs/cross_entropy.md.
 *
 * Every graph here is
 *
 *   x (B, K) → z = dense(K→K) with W = I, b = 0 → p = softmax(z/T) → CE
 *
 * so the logits z equal the input data x exactly, nn_output_grad(z) is
 * ∂L/∂z, and central differences on x measure that same derivative (see
 * tests/test_layers.c). The expected values are computed here by hand in
 * double from the logits, independently of the library's kernels.
 * Gradient-check tolerances: tests/testutil.h (tight in double, justified
 * looser ones in float; `make test` runs both builds).
 */
#include <float.h>
#include <string.h>

#include "losses/loss.h" /* NN_PROB_MIN */
#include "testutil.h"

enum { K = 4, MAX_B = 6, B = 5 };

typedef enum { TGT_LABELS, TGT_SOFT } target_kind;

typedef struct {
    nn_graph *g;
    int x, z, p, t, w, loss;
    target_kind tk;
} ce_net;

/* Builds the graph; `weights` adds a (B, 1) input of per-sample weights. */
static ce_net make_net(double T, target_kind tk, double smoothing, nn_reduction red,
                       nn_grad_mode mode, int weights) {
    ce_net n = {.tk = tk, .w = -1};
    n.g = nn_graph_create(MAX_B);
    n.x = nn_input(n.g, K);
    n.t = tk == TGT_LABELS ? nn_labels(n.g, K) : nn_input(n.g, K);
    if (weights) n.w = nn_input(n.g, 1);
    n.z = nn_dense(n.g, n.x, K, NN_INIT_ZERO);
    n.p = nn_softmax(n.g, n.z, T);
    nn_loss_options lo = nn_loss_defaults();
    lo.reduction = red;
    lo.mode = mode;
    lo.weights = n.w;
    n.loss = nn_cross_entropy_ex(n.g, n.p, n.t, &(nn_ce_options){.smoothing = smoothing}, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(n.g, 1, &err) == NN_OK, "%s", err.msg);
    size_t np;
    nn_real *W = nn_node_params(n.g, n.z, &np); /* W (K, K), b (K) */
    memset(W, 0, np * sizeof *W);
    for (int i = 0; i < K; i++) W[i * K + i] = 1;
    /* well-conditioned data: logits in [-2, 2], every class present */
    fill_uniform(nn_input_data(n.g, n.x), (size_t)B * K, -2, 2, 17);
    if (tk == TGT_LABELS) {
        for (int b = 0; b < B; b++) nn_label_data(n.g, n.t)[b] = (b * 3 + 1) % K;
    } else { /* soft targets: normalised positive rows */
        nn_real *y = nn_input_data(n.g, n.t);
        fill_uniform(y, (size_t)B * K, 0.05, 1, 23);
        for (int b = 0; b < B; b++) {
            double s = 0;
            for (int i = 0; i < K; i++) s += y[b * K + i];
            for (int i = 0; i < K; i++) y[b * K + i] = (nn_real)(y[b * K + i] / s);
        }
    }
    if (weights) {
        nn_real *w = nn_input_data(n.g, n.w);
        for (int b = 0; b < B; b++) w[b] = (nn_real)(0.5 + 0.75 * b);
    }
    return n;
}

/* The target distribution of row b, smoothed, by hand. */
static void target_row(const ce_net *n, int b, double smoothing, double *y) {
    for (int i = 0; i < K; i++) {
        double yi = n->tk == TGT_LABELS ? (i == nn_label_data(n->g, n->t)[b])
                                        : (double)nn_input_data(n->g, n->t)[b * K + i];
        y[i] = (1 - smoothing) * yi + smoothing / K;
    }
}

/* p = softmax(z/T) of row b, and −Σ y log p, by hand in double. */
static double hand_row(const ce_net *n, int b, double T, double smoothing, double *p) {
    const nn_real *z = nn_input_data(n->g, n->x) + b * K;
    double y[K], m = z[0], s = 0, l = 0;
    for (int i = 1; i < K; i++) m = fmax(m, z[i]);
    for (int i = 0; i < K; i++) s += exp((z[i] - m) / T);
    target_row(n, b, smoothing, y);
    for (int i = 0; i < K; i++) {
        double logp = (z[i] - m) / T - log(s);
        if (p) p[i] = exp(logp);
        if (y[i] != 0) l -= y[i] * logp;
    }
    return l;
}

/* The reduced loss by hand. */
static double hand_loss(const ce_net *n, double T, double smoothing, nn_reduction red) {
    double sum = 0, wsum = 0;
    for (int b = 0; b < B; b++) {
        double w = n->w >= 0 ? nn_input_data(n->g, n->w)[b] : 1;
        sum += w * hand_row(n, b, T, smoothing, NULL);
        wsum += w;
    }
    return red == NN_REDUCE_SUM ? sum : red == NN_REDUCE_MEAN ? sum / wsum : sum / B;
}

/* zero_grad, forward, backward; returns the loss. */
static double step(ce_net *n) {
    nn_graph_zero_grad(n->g);
    double l = nn_graph_forward(n->g, B);
    ck_assert_msg(isfinite(l), "forward: %s", nn_graph_run_error(n->g));
    nn_graph_backward(n->g, B);
    return l;
}

/* ∂L/∂z from the graph against central differences on x (= z). */
static void check_logits_grad(ce_net *n) {
    step(n);
    nn_real dz[B * K];
    memcpy(dz, nn_output_grad(n->g, n->z), sizeof dz);
    gradcheck_values(n->g, B, nn_input_data(n->g, n->x), dz, (size_t)B * K);
}

START_TEST(test_value_by_hand) {
    const double T[] = {1, 3};
    for (int t = 0; t < 2; t++) {
        ce_net n = make_net(T[t], TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
        double l = nn_graph_forward(n.g, B);
        ck_assert_close(l, hand_loss(&n, T[t], 0, NN_REDUCE_MEAN), REAL_TOL, 10 * REAL_TOL);
        ck_assert_close(nn_loss_value(n.g, n.loss), l, 0, 0);
        for (int b = 0; b < B; b++) /* per-sample values l_b in the loss's output */
            ck_assert_close(nn_output(n.g, n.loss)[b], hand_row(&n, b, T[t], 0, NULL), REAL_TOL,
                            10 * REAL_TOL);
        nn_graph_free(n.g);
    }
    /* one row written out: z = (0, 0, ln 3, 0), label 2 → p_2 = 3/6, l = ln 2 */
    ce_net n = make_net(1, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
    nn_real *x = nn_input_data(n.g, n.x);
    memset(x, 0, K * sizeof *x);
    x[2] = (nn_real)log(3.0);
    nn_label_data(n.g, n.t)[0] = 2;
    ck_assert_close(nn_graph_forward(n.g, 1), log(2.0), REAL_TOL, REAL_TOL);
    nn_graph_free(n.g);
}
END_TEST

/* Both modes match finite differences and each other, at T = 1 and 3, for
 * hard labels, soft targets and label smoothing. */
START_TEST(test_modes_agree_and_match_fd) {
    const double T[] = {1, 3};
    const struct { target_kind tk; double eps; } cases[] = {
        {TGT_LABELS, 0}, {TGT_SOFT, 0}, {TGT_LABELS, 0.1}, {TGT_SOFT, 0.2}};
    for (int t = 0; t < 2; t++) {
        for (int c = 0; c < 4; c++) {
            ce_net s = make_net(T[t], cases[c].tk, cases[c].eps, NN_REDUCE_MEAN,
                                NN_GRAD_SIMPLIFIED, 0);
            ce_net j = make_net(T[t], cases[c].tk, cases[c].eps, NN_REDUCE_MEAN,
                                NN_GRAD_JACOBIAN, 0);
            ck_assert_close(step(&s), step(&j), 0, 0); /* same value */
            const nn_real *gs = nn_output_grad(s.g, s.z), *gj = nn_output_grad(j.g, j.z);
            int nonzero = 0;
            for (int i = 0; i < B * K; i++) {
                ck_assert_msg(close_enough(gs[i], gj[i], REAL_TOL, 100 * REAL_TOL),
                              "T = %g case %d: dL/dz[%d] simplified %.10g, jacobian %.10g",
                              T[t], c, i, (double)gs[i], (double)gj[i]);
                nonzero += gs[i] != 0;
            }
            ck_assert_int_eq(nonzero, B * K);
            /* the closed form (p − y)/(T·B) by hand */
            for (int b = 0; b < B; b++) {
                double p[K], y[K];
                hand_row(&s, b, T[t], cases[c].eps, p);
                target_row(&s, b, cases[c].eps, y);
                for (int i = 0; i < K; i++)
                    ck_assert_close(gs[b * K + i], (p[i] - y[i]) / (T[t] * B), REAL_TOL,
                                    100 * REAL_TOL);
            }
            check_logits_grad(&s);
            check_logits_grad(&j);
            ck_assert(gradcheck_params(s.g, B, 100) > 0);
            ck_assert(gradcheck_params(j.g, B, 100) > 0);
            nn_graph_free(s.g);
            nn_graph_free(j.g);
        }
    }
}
END_TEST

/* Logits of ±1e4: the value (from log-softmax) is finite and exact, and the
 * simplified gradient is the exact (p − y)/(T·B). The loss is linear in z
 * there (p is exactly one-hot), so a wide difference step h = 0.5 has no
 * truncation error and is far above float's spacing at 1e4 (~1e-3). */
START_TEST(test_large_logits_simplified) {
    const double T[] = {1, 3};
    for (int t = 0; t < 2; t++) {
        ce_net n = make_net(T[t], TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
        nn_real *x = nn_input_data(n.g, n.x);
        for (int i = 0; i < B * K; i++) x[i] = (nn_real)((i * 7) % 3 == 0 ? 1e4 : -1e4);
        double l = step(&n);
        ck_assert_close(l, hand_loss(&n, T[t], 0, NN_REDUCE_MEAN), 0, 1e-6);
        ck_assert(l > 1e3); /* some labels sit on a −1e4 logit: a huge but finite loss */
        const nn_real *dz = nn_output_grad(n.g, n.z);
        nn_real dzc[B * K];
        memcpy(dzc, dz, sizeof dzc);
        for (int b = 0; b < B; b++) {
            double p[K], y[K];
            hand_row(&n, b, T[t], 0, p);
            target_row(&n, b, 0, y);
            for (int i = 0; i < K; i++) {
                ck_assert(isfinite(dzc[b * K + i]));
                ck_assert_close(dzc[b * K + i], (p[i] - y[i]) / (T[t] * B), REAL_TOL, REAL_TOL);
            }
        }
        const double h = 0.5;
        for (int i = 0; i < B * K; i++) {
            nn_real keep = x[i];
            x[i] = (nn_real)(keep + h);
            double lp = nn_graph_forward(n.g, B);
            x[i] = (nn_real)(keep - h);
            double lm = nn_graph_forward(n.g, B);
            x[i] = keep;
            ck_assert_close(dzc[i], (lp - lm) / (2 * h), 1e-3, 1e-3);
        }
        nn_graph_free(n.g);
    }
}
END_TEST

/* Jacobian mode divides by p, clamped at NN_PROB_MIN (losses/loss.h):
 * ∂l/∂p_y = −1/max(p_y, NN_PROB_MIN). When p_y is below the clamp the
 * product p_y · ∂l/∂p_y is p_y/NN_PROB_MIN instead of 1, and the logits
 * gradient shrinks towards 0: the sample's gradient is lost (but finite —
 * without the clamp it would be 0 · ∞ = NaN). Simplified mode never divides
 * and stays exact. Above the clamp, both modes still agree. */
START_TEST(test_jacobian_mode_underflow) {
    /* gap: z_y − z_max. e^−30 ≈ 9e-14 is above the clamp, e^−80 ≈ 2e-35 below
     * it, and e^−2e4 underflows to exactly 0. */
    const double gaps[] = {-30, -80, -2e4};
    for (int c = 0; c < 3; c++) {
        ce_net s = make_net(1, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
        ce_net j = make_net(1, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_JACOBIAN, 0);
        ce_net *both[2] = {&s, &j};
        for (int k = 0; k < 2; k++) {
            nn_real *x = nn_input_data(both[k]->g, both[k]->x);
            memset(x, 0, (size_t)B * K * sizeof *x);
            for (int b = 0; b < B; b++) {
                nn_label_data(both[k]->g, both[k]->t)[b] = 0;
                x[b * K] = (nn_real)gaps[c]; /* the label's logit is far below the rest */
            }
        }
        double ls = step(&s), lj = step(&j);
        ck_assert(isfinite(ls) && ls == lj); /* the value never divides by p */
        ck_assert_close(ls, -gaps[c] + log(K - 1 + exp(gaps[c])), 0, 1e-6);
        const nn_real *p = nn_output(j.g, j.p);
        const nn_real *dp = nn_output_grad(j.g, j.p), *dzj = nn_output_grad(j.g, j.z);
        const nn_real *dzs = nn_output_grad(s.g, s.z);
        double py = exp(gaps[c]) / (K - 1 + exp(gaps[c]));
        for (int b = 0; b < B; b++) {
            /* simplified: exactly p − y, i.e. ≈ −1 for the label */
            ck_assert_close(dzs[b * K], (py - 1) / B, REAL_TOL, REAL_TOL);
            ck_assert(isfinite(dp[b * K]) && isfinite(dzj[b * K]));
            double p_used = fmax(p[b * K], NN_PROB_MIN);
            ck_assert_close(dp[b * K], -1.0 / (p_used * B), 0, 1e-6);
            if (py > NN_PROB_MIN) { /* above the clamp: the modes agree */
                ck_assert_close(dzj[b * K], dzs[b * K], REAL_TOL, 100 * REAL_TOL);
            } else { /* below it: jacobian mode has lost the gradient */
                ck_assert_msg(fabs(dzj[b * K]) < 1e-4 / B,
                              "gap %g: jacobian dL/dz_y = %g, expected ~%g (lost)", gaps[c],
                              (double)dzj[b * K], p[b * K] / (double)NN_PROB_MIN / B);
                for (int i = 0; i < K; i++) ck_assert(isfinite(dzj[b * K + i]));
            }
        }
        nn_graph_free(s.g);
        nn_graph_free(j.g);
    }
}
END_TEST

START_TEST(test_reductions_and_weights) {
    const nn_reduction reds[] = {NN_REDUCE_MEAN, NN_REDUCE_SUM, NN_REDUCE_BATCHMEAN};
    for (int r = 0; r < 3; r++) {
        for (int weighted = 0; weighted < 2; weighted++) {
            for (int mode = 0; mode < 2; mode++) {
                ce_net n = make_net(1.5, TGT_LABELS, 0, reds[r],
                                    mode ? NN_GRAD_JACOBIAN : NN_GRAD_SIMPLIFIED, weighted);
                double l = nn_graph_forward(n.g, B);
                ck_assert_close(l, hand_loss(&n, 1.5, 0, reds[r]), REAL_TOL, 10 * REAL_TOL);
                check_logits_grad(&n);
                nn_graph_free(n.g);
            }
        }
    }
    /* without weights, mean and batchmean coincide; sum is B times them */
    ce_net m = make_net(1, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
    ce_net bm = make_net(1, TGT_LABELS, 0, NN_REDUCE_BATCHMEAN, NN_GRAD_SIMPLIFIED, 0);
    ce_net s = make_net(1, TGT_LABELS, 0, NN_REDUCE_SUM, NN_GRAD_SIMPLIFIED, 0);
    double lm = nn_graph_forward(m.g, B);
    ck_assert_close(nn_graph_forward(bm.g, B), lm, REAL_TOL, REAL_TOL);
    ck_assert_close(nn_graph_forward(s.g, B), B * lm, REAL_TOL, REAL_TOL);
    nn_graph_free(m.g);
    nn_graph_free(bm.g);
    nn_graph_free(s.g);
}
END_TEST

/* A zero-weight sample contributes nothing; all weights zero gives 0 and no
 * gradient (a documented choice: PyTorch would give NaN). */
START_TEST(test_zero_weights) {
    ce_net n = make_net(1, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 1);
    nn_real *w = nn_input_data(n.g, n.w);
    w[1] = 0;
    step(&n);
    for (int i = 0; i < K; i++) ck_assert(nn_output_grad(n.g, n.z)[K + i] == 0);
    ck_assert(nn_output_grad(n.g, n.z)[0] != 0);
    for (int b = 0; b < B; b++) w[b] = 0;
    ck_assert(step(&n) == 0);
    for (int i = 0; i < B * K; i++) ck_assert(nn_output_grad(n.g, n.z)[i] == 0);
    nn_graph_free(n.g);
}
END_TEST

/* Soft targets: value −Σ y log p, and a one-hot soft target equals the label.
 * Label smoothing ε: y = (1 − ε)·onehot + ε/K (PyTorch's label_smoothing). */
START_TEST(test_soft_targets_and_smoothing) {
    ce_net soft = make_net(2, TGT_SOFT, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
    ck_assert_close(nn_graph_forward(soft.g, B), hand_loss(&soft, 2, 0, NN_REDUCE_MEAN), REAL_TOL,
                    10 * REAL_TOL);
    ce_net lab = make_net(2, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
    nn_real *y = nn_input_data(soft.g, soft.t);
    memset(y, 0, (size_t)B * K * sizeof *y);
    for (int b = 0; b < B; b++) y[b * K + nn_label_data(lab.g, lab.t)[b]] = 1;
    ck_assert_close(step(&soft), step(&lab), REAL_TOL, REAL_TOL);
    for (int i = 0; i < B * K; i++)
        ck_assert_close(nn_output_grad(soft.g, soft.z)[i], nn_output_grad(lab.g, lab.z)[i],
                        REAL_TOL, REAL_TOL);
    nn_graph_free(soft.g);
    nn_graph_free(lab.g);

    ce_net sm = make_net(1, TGT_LABELS, 0.1, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
    double l = nn_graph_forward(sm.g, B);
    ck_assert_close(l, hand_loss(&sm, 1, 0.1, NN_REDUCE_MEAN), REAL_TOL, 10 * REAL_TOL);
    /* smoothing changes the value: it is not silently ignored */
    ce_net plain = make_net(1, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
    ck_assert(fabs(l - nn_graph_forward(plain.g, B)) > 1e-3);
    nn_graph_free(sm.g);
    nn_graph_free(plain.g);
}
END_TEST

/* Forward returns NaN and says why; a later good forward clears the error. */
static void expect_run_error(ce_net *n, const char *needle) {
    double l = nn_graph_forward(n->g, B);
    ck_assert_msg(isnan(l), "forward returned %g, expected NaN", l);
    const char *why = nn_graph_run_error(n->g);
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strstr(why, needle) && strstr(why, "cross_entropy"),
                  "message \"%s\" lacks \"%s\"", why, needle);
}

START_TEST(test_invalid_targets) {
    ce_net n = make_net(1, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 0);
    int32_t *lab = nn_label_data(n.g, n.t);
    lab[2] = K;
    expect_run_error(&n, "label 4 of row 2");
    lab[2] = -1;
    expect_run_error(&n, "label -1 of row 2");
    lab[2] = 0;
    ck_assert(isfinite(nn_graph_forward(n.g, B)));
    ck_assert_ptr_null(nn_graph_run_error(n.g));
    lab[B] = 99; /* a row beyond B is not looked at */
    ck_assert(isfinite(nn_graph_forward(n.g, B)));
    nn_graph_free(n.g);

    ce_net w = make_net(1, TGT_LABELS, 0, NN_REDUCE_MEAN, NN_GRAD_SIMPLIFIED, 1);
    nn_input_data(w.g, w.w)[3] = -1;
    expect_run_error(&w, "row 3: sample weight -1 is not a finite number");
    nn_input_data(w.g, w.w)[3] = (nn_real)INFINITY;
    expect_run_error(&w, "row 3: sample weight inf is not a finite number >= 0");
    nn_input_data(w.g, w.w)[3] = 0;
    ck_assert(isfinite(nn_graph_forward(w.g, B)));
    nn_graph_free(w.g);

    ce_net s = make_net(1, TGT_SOFT, 0, NN_REDUCE_MEAN, NN_GRAD_JACOBIAN, 0);
    nn_real *y = nn_input_data(s.g, s.t);
    nn_real keep = y[K + 1];
    y[K + 1] += (nn_real)0.1;
    expect_run_error(&s, "do not sum to 1");
    y[K + 1] = (nn_real)NAN;
    expect_run_error(&s, "NaN");
    y[K + 1] = -keep;
    expect_run_error(&s, "negative entry");
    y[K + 1] = keep;
    ck_assert(isfinite(nn_graph_forward(s.g, B)));
    nn_graph_free(s.g);
}
END_TEST

Suite *test_cross_entropy_suite(void) {
    Suite *s = suite_create("cross_entropy");
    TCase *tc = tcase_create("cross_entropy");
    tcase_add_test(tc, test_value_by_hand);
    tcase_add_test(tc, test_modes_agree_and_match_fd);
    tcase_add_test(tc, test_large_logits_simplified);
    tcase_add_test(tc, test_jacobian_mode_underflow);
    tcase_add_test(tc, test_reductions_and_weights);
    tcase_add_test(tc, test_zero_weights);
    tcase_add_test(tc, test_soft_targets_and_smoothing);
    tcase_add_test(tc, test_invalid_targets);
    suite_add_tcase(s, tc);
    return s;
}
