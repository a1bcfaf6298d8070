/* test_softmax.c — the softmax Jacobian and its two backward routes.
 * Derivation: docs/softmax.md.
 *
 * For p = softmax(z/T), J_ij = ∂p_i/∂z_j = p_i (δ_ij − p_j)/T. The tests show:
 * - every column and every row of J sums to zero, so "J.sum(axis)" is the
 *   zero vector and not a gradient, while the real gradient Jᵀg is not zero;
 * - J is symmetric;
 * - the O(K) vector-Jacobian product equals the explicit Jᵀg, and both equal
 *   central finite differences of f(z) = ⟨g, softmax(z/T)⟩, for several T;
 * - in a graph, the VJP and explicit routes give the same parameter
 *   gradients;
 * - softmax and log-softmax stay finite at logits of ±1e4.
 */
#include <string.h>

#include "testutil.h"

enum { K = 5 };

static const double temps[] = {0.5, 1.0, 2.5};

static void some_logits(nn_real *z, uint64_t seed) { fill_uniform(z, K, -2, 2, seed); }

START_TEST(test_jacobian_sums_to_zero) {
    for (int t = 0; t < 3; t++) {
        double T = temps[t];
        nn_real z[K], p[K], J[K * K], g[K], vjp[K] = {0};
        some_logits(z, 1 + t);
        nn_softmax_row(p, z, K, T);
        nn_softmax_jacobian(J, p, K, T);
        double biggest = 0;
        for (int i = 0; i < K * K; i++) biggest = fmax(biggest, fabs(J[i]));
        ck_assert_msg(biggest > 0.02, "J is ~0 everywhere: nothing to test");
        /* J.sum(axis=0) and J.sum(axis=1): both the zero vector */
        for (int i = 0; i < K; i++) {
            double col = 0, row = 0;
            for (int j = 0; j < K; j++) {
                col += J[j * K + i];
                row += J[i * K + j];
            }
            ck_assert_msg(fabs(col) < REAL_TOL && fabs(row) < REAL_TOL,
                          "T = %g: column %d of J sums to %g, row to %g (should be 0)", T, i, col,
                          row);
        }
        /* ...whereas the gradient of the scalar ⟨g, p⟩ is Jᵀg, which is not. */
        fill_uniform(g, K, -1, 1, 7);
        nn_softmax_vjp(vjp, p, g, K, T);
        double norm = 0;
        for (int i = 0; i < K; i++) norm += fabs(vjp[i]);
        ck_assert_msg(norm > 0.05, "T = %g: Jᵀg is ~0 (|Jᵀg|₁ = %g)", T, norm);
    }
}
END_TEST

START_TEST(test_jacobian_symmetric) {
    for (int t = 0; t < 3; t++) {
        nn_real z[K], p[K], J[K * K];
        some_logits(z, 10 + t);
        nn_softmax_row(p, z, K, temps[t]);
        nn_softmax_jacobian(J, p, K, temps[t]);
        for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++) ck_assert(J[i * K + j] == J[j * K + i]);
        /* and the diagonal is p_i(1 − p_i)/T */
        for (int i = 0; i < K; i++)
            ck_assert_close(J[i * K + i], p[i] * (1 - p[i]) / temps[t], REAL_TOL, REAL_TOL);
    }
}
END_TEST

/* f(z) = ⟨g, softmax(z/T)⟩, so ∂f/∂z = Jᵀg. */
static double f_of_z(const nn_real *z, const nn_real *g, double T) {
    nn_real p[K];
    nn_softmax_row(p, z, K, T);
    double f = 0;
    for (int i = 0; i < K; i++) f += (double)g[i] * p[i];
    return f;
}

START_TEST(test_vjp_equals_explicit_and_finite_differences) {
    for (int t = 0; t < 3; t++) {
        double T = temps[t];
        nn_real z[K], p[K], J[K * K], g[K], vjp[K], explicit[K];
        some_logits(z, 20 + t);
        fill_uniform(g, K, -1, 1, 30 + t);
        nn_softmax_row(p, z, K, T);
        nn_softmax_jacobian(J, p, K, T);
        for (int i = 0; i < K; i++) vjp[i] = 0.5; /* the VJP adds (+=) into dz */
        nn_softmax_vjp(vjp, p, g, K, T);
        for (int j = 0; j < K; j++) {
            double s = 0;
            for (int i = 0; i < K; i++) s += (double)J[i * K + j] * g[i];
            explicit[j] = (nn_real)s;
        }
        int nonzero = 0;
        for (int j = 0; j < K; j++) {
            ck_assert_close(vjp[j] - 0.5, explicit[j], REAL_TOL, REAL_TOL);
            nn_real keep = z[j];
            z[j] = (nn_real)(keep + GC_H);
            double fp = f_of_z(z, g, T);
            z[j] = (nn_real)(keep - GC_H);
            double fm = f_of_z(z, g, T);
            z[j] = keep;
            double numeric = (fp - fm) / (2 * GC_H);
            ck_assert_msg(close_enough(explicit[j], numeric, GC_ATOL, GC_RTOL),
                          "T = %g, z_%d: Jᵀg = %.10g, finite difference %.10g", T, j,
                          (double)explicit[j], numeric);
            nonzero += fabs(explicit[j]) > 1e-3;
        }
        ck_assert_int_ge(nonzero, K - 1);
    }
}
END_TEST

/* x → dense → softmax(T) → dense → softmax → CE (jacobian mode), so the
 * tested softmax's backward carries every gradient of the first dense. */
static nn_graph *route_graph(double T, nn_softmax_route route, int *sm) {
    nn_graph *g = nn_graph_create(4);
    int x = nn_input(g, 3), y = nn_labels(g, K);
    *sm = nn_softmax(g, nn_dense(g, x, K, NN_INIT_XAVIER), T);
    int p = nn_softmax(g, nn_dense(g, *sm, K, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = NN_GRAD_JACOBIAN;
    nn_cross_entropy(g, p, y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 3, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(nn_softmax_set_route(g, *sm, route), NN_OK);
    ck_assert_int_eq(nn_softmax_set_route(g, p, route), NN_OK);
    fill_uniform(nn_input_data(g, x), 12, -2, 2, 4);
    for (int b = 0; b < 4; b++) nn_label_data(g, y)[b] = (b * 3) % K;
    nn_real *w = nn_graph_params(g); /* spread the logits out a little */
    for (size_t i = 0; i < nn_graph_n_params(g); i++) w[i] *= 3;
    nn_graph_zero_grad(g);
    ck_assert(isfinite(nn_graph_forward(g, 4)));
    nn_graph_backward(g, 4);
    return g;
}

START_TEST(test_graph_routes_agree) {
    for (int t = 0; t < 3; t++) {
        int sm;
        nn_graph *a = route_graph(temps[t], NN_SOFTMAX_VJP, &sm);
        nn_graph *b = route_graph(temps[t], NN_SOFTMAX_EXPLICIT, &sm);
        ck_assert_str_eq(nn_node_kind(a, sm), "softmax");
        size_t n = nn_graph_n_params(a);
        const nn_real *ga = nn_graph_grads(a), *gb = nn_graph_grads(b);
        int nonzero = 0;
        for (size_t i = 0; i < n; i++) {
            ck_assert_close(ga[i], gb[i], REAL_TOL, 100 * REAL_TOL);
            nonzero += fabs(ga[i]) > 1e-4;
        }
        ck_assert_int_ge(nonzero, (int)n / 2);
        /* the first dense's gradients flow only through the tested softmax */
        ck_assert(gradcheck_params(b, 4, 200) > 0);
        nn_graph_free(a);
        nn_graph_free(b);
    }
}
END_TEST

START_TEST(test_set_route_rejects) {
    nn_graph *g = nn_graph_create(1);
    int x = nn_input(g, 3);
    ck_assert_int_eq(nn_softmax_set_route(g, x, NN_SOFTMAX_EXPLICIT), NN_ERR_ARG);
    int p = nn_softmax(g, x, 1);
    ck_assert_int_eq(nn_softmax_set_route(g, p, (nn_softmax_route)7), NN_ERR_ARG);
    ck_assert_int_eq(nn_softmax_set_route(g, 99, NN_SOFTMAX_VJP), NN_ERR_ARG);
    int wide = nn_softmax(g, nn_input(g, 2049), 1); /* a K×K Jacobian of 2049² */
    ck_assert_int_eq(nn_softmax_set_route(g, wide, NN_SOFTMAX_EXPLICIT), NN_ERR_ARG);
    ck_assert_int_eq(nn_softmax_set_route(g, wide, NN_SOFTMAX_VJP), NN_OK);
    nn_graph_free(g);
}
END_TEST

/* The route may be chosen before compile too. */
START_TEST(test_set_route_before_compile) {
    nn_graph *g = nn_graph_create(2);
    int x = nn_input(g, 3), y = nn_labels(g, K);
    int p = nn_softmax(g, nn_dense(g, x, K, NN_INIT_XAVIER), 1.5);
    ck_assert_int_eq(nn_softmax_set_route(g, p, NN_SOFTMAX_EXPLICIT), NN_OK);
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = NN_GRAD_JACOBIAN;
    nn_cross_entropy(g, p, y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 3, &err) == NN_OK, "%s", err.msg);
    fill_uniform(nn_input_data(g, x), 6, -2, 2, 5);
    nn_label_data(g, y)[0] = 1, nn_label_data(g, y)[1] = 3;
    ck_assert(gradcheck_params(g, 2, 100) > 0);
    nn_graph_free(g);
}
END_TEST

START_TEST(test_finite_at_large_logits) {
    const double big[][4] = {
        {1e4, -1e4, 0, 1e4}, {-1e4, -1e4, -1e4, -1e4}, {1e4, 1e4, 1e4, 1e4}, {-1e4, 0, 5, 1e4}};
    for (int c = 0; c < 4; c++) {
        for (int t = 0; t < 3; t++) {
            double T = temps[t];
            nn_real z[4], p[4], logp[4];
            for (int i = 0; i < 4; i++) z[i] = (nn_real)big[c][i];
            nn_softmax_row(p, z, 4, T);
            double lse = nn_log_softmax_row(logp, z, 4, T);
            double s = 0, m = z[0];
            for (int i = 0; i < 4; i++) {
                ck_assert_msg(isfinite(p[i]) && p[i] >= 0 && p[i] <= 1, "p[%d] = %g", i,
                              (double)p[i]);
                ck_assert_msg(isfinite(logp[i]) && logp[i] <= 0, "logp[%d] = %g", i,
                              (double)logp[i]);
                s += p[i];
                m = fmax(m, z[i]);
            }
            ck_assert_close(s, 1, REAL_TOL, 0);
            ck_assert(isfinite(lse));
            /* exact values: the largest logits share the mass, the others
             * have log p = (z_i − max)/T − log(#max) */
            int n_max = 0;
            for (int i = 0; i < 4; i++) n_max += z[i] == m;
            for (int i = 0; i < 4; i++) {
                double expect = (z[i] - m) / T - log(n_max);
                if (z[i] - m < -1e3) ck_assert_close(logp[i], expect, 0, 1e-6);
                if (z[i] == m) ck_assert_close(p[i], 1.0 / n_max, REAL_TOL, 0);
            }
            ck_assert_close(lse, m / T + log(n_max), 0, 1e-6);
            ck_assert(nn_logsumexp_row(z, 4, T) == lse);
        }
    }
}
END_TEST

/* softmax and log-softmax against the textbook formula where it is safe. */
START_TEST(test_values) {
    for (int t = 0; t < 3; t++) {
        double T = temps[t];
        nn_real z[K], p[K], logp[K];
        some_logits(z, 40 + t);
        nn_softmax_row(p, z, K, T);
        double lse = nn_log_softmax_row(logp, z, K, T);
        double sum = 0;
        for (int i = 0; i < K; i++) sum += exp(z[i] / T);
        ck_assert_close(lse, log(sum), REAL_TOL, REAL_TOL);
        ck_assert_close(nn_logsumexp_row(z, K, T), log(sum), REAL_TOL, REAL_TOL);
        for (int i = 0; i < K; i++) {
            ck_assert_close(p[i], exp(z[i] / T) / sum, REAL_TOL, 10 * REAL_TOL);
            ck_assert_close(logp[i], z[i] / T - log(sum), REAL_TOL, 10 * REAL_TOL);
        }
    }
}
END_TEST

Suite *test_softmax_suite(void) {
    Suite *s = suite_create("softmax");
    TCase *tc = tcase_create("jacobian");
    tcase_add_test(tc, test_jacobian_sums_to_zero);
    tcase_add_test(tc, test_jacobian_symmetric);
    tcase_add_test(tc, test_vjp_equals_explicit_and_finite_differences);
    tcase_add_test(tc, test_graph_routes_agree);
    tcase_add_test(tc, test_set_route_rejects);
    tcase_add_test(tc, test_set_route_before_compile);
    suite_add_tcase(s, tc);
    TCase *tn = tcase_create("numerics");
    tcase_add_test(tn, test_finite_at_large_logits);
    tcase_add_test(tn, test_values);
    suite_add_tcase(s, tn);
    return s;
}
