/* testutil.h — helpers shared by the Check suites.
 *
 * Finite differences. Gradients are checked with central differences
 *   (L(θ + h) − L(θ − h)) / 2h
 * against the analytic gradient, on every parameter (or an evenly spaced
 * sample of them), with an explicit guard that the analytic gradient is not
 * trivially zero — a backward that writes nothing must fail.
 *
 * Tolerances depend on the precision the suite was built with:
 *   double (make REAL=double): h = 1e-6, |a − n| ≤ 1e-6 + 1e-5·max(|a|, |n|).
 *     Truncation error ~h² and rounding ~1e-16/h are both far below that.
 *   float  (make REAL=float):  h = 1e-2, |a − n| ≤ 2e-3 + 3e-2·max(|a|, |n|).
 *     Float rounding of a loss of order 1 is ~6e-8, so rounding error in the
 *     difference quotient is ~1e-5 and truncation ~h² ~1e-4: the tolerance
 *     is loose enough for that yet still fails on a wrong sign, a missing
 *     factor (T, 1/B, 2) or a dropped term.
 */
#ifndef NN_TESTUTIL_H
#define NN_TESTUTIL_H

#include <check.h>
#include <math.h>
#include <stdio.h>

#include "nn/nn.h"

#ifdef NN_DOUBLE
#define GC_H 1e-6
#define GC_ATOL 1e-6
#define GC_RTOL 1e-5
#define REAL_TOL 1e-12 /* two routes computing the same value */
#else
#define GC_H 1e-2
#define GC_ATOL 2e-3
#define GC_RTOL 3e-2
#define REAL_TOL 1e-5
#endif

/* |a − b| within atol + rtol·max(|a|, |b|) */
static inline int close_enough(double a, double b, double atol, double rtol) {
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= atol + rtol * m;
}

#define ck_assert_close(a, b, atol, rtol)                                                  \
    do {                                                                                   \
        double a_ = (a), b_ = (b);                                                         \
        ck_assert_msg(close_enough(a_, b_, (atol), (rtol)), "%s = %.10g but %s = %.10g",   \
                      #a, a_, #b, b_);                                                     \
    } while (0)

/* Central difference (L(v + h) − L(v − h)) / 2h of the total loss of a
 * forward pass over B rows, perturbing the one real *v (a parameter or an
 * input value) and restoring it. */
static inline double central_difference(nn_graph *g, int B, nn_real *v) {
    nn_real keep = *v;
    *v = (nn_real)(keep + GC_H);
    double lp = nn_graph_forward(g, B);
    *v = (nn_real)(keep - GC_H);
    double lm = nn_graph_forward(g, B);
    *v = keep;
    return (lp - lm) / (2 * GC_H);
}

/* Checks d(total loss)/d(every parameter) against central differences.
 * At most max_checks parameters, evenly spaced, are perturbed.
 * Returns the number of parameters whose analytic gradient was non-zero. */
static inline int gradcheck_params(nn_graph *g, int B, int max_checks) {
    size_t n = nn_graph_n_params(g);
    nn_real *w = nn_graph_params(g), *dw = nn_graph_grads(g);
    nn_graph_zero_grad(g);
    nn_graph_forward(g, B);
    nn_graph_backward(g, B);
    size_t step = n > (size_t)max_checks ? n / (size_t)max_checks : 1;
    int nonzero = 0, checked = 0;
    for (size_t i = 0; i < n; i += step, checked++) {
        double analytic = dw[i], numeric = central_difference(g, B, &w[i]);
        ck_assert_msg(close_enough(analytic, numeric, GC_ATOL, GC_RTOL),
                      "parameter %zu: analytic %.10g, finite difference %.10g", i, analytic,
                      numeric);
        nonzero += fabs(analytic) > 10 * GC_ATOL;
    }
    ck_assert_msg(checked > 0, "no parameter was checked");
    return nonzero;
}

/* Checks d(total loss)/d(input data) of node `x` (an nn_input) against
 * central differences, given the analytic gradient `dx` (B, width) the caller
 * obtained by other means (e.g. from a leading dense layer's input). */
static inline void gradcheck_values(nn_graph *g, int B, nn_real *x, const nn_real *dx,
                                    size_t len) {
    int nonzero = 0;
    for (size_t i = 0; i < len; i++) {
        double numeric = central_difference(g, B, &x[i]);
        ck_assert_msg(close_enough(dx[i], numeric, GC_ATOL, GC_RTOL),
                      "value %zu: analytic %.10g, finite difference %.10g", i, (double)dx[i],
                      numeric);
        nonzero += fabs(dx[i]) > 10 * GC_ATOL;
    }
    ck_assert_msg(nonzero > 0, "every analytic gradient is ~0: backward wrote nothing");
}

/* Fills n values with a deterministic pattern in [lo, hi). */
static inline void fill_uniform(nn_real *v, size_t n, double lo, double hi, uint64_t seed) {
    nn_rng r;
    nn_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) v[i] = (nn_real)(lo + (hi - lo) * nn_rng_uniform(&r));
}

#endif
