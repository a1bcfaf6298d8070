/* normal.h — the standard normal distribution for the probit link of the
 * cumulative-link head (layers/clm_thresholds.c, ordinal_probs.c,
 * losses/clm.c), computed so that no argument overflows, underflows to a
 * log(0) or cancels: at x = ±1e4 (and ±1e30) every function is finite.
 *
 *   Φ(x) = ½ erfc(−x/√2)          φ(x) = e^{−x²/2}/√(2π)
 *   erfcx(t) = e^{t²} erfc(t)     (scaled: ≈ 1/(t√π) for large t, never 0)
 *   log Φ(x) = log(½ erfcx(t)) − t²,  t = −x/√2, for x < 0
 *   M(x) = φ(x)/Φ(x) = √(2/π)/erfcx(t) for x < 0  (the inverse Mills ratio)
 *
 * Internal; derivation in docs/ordinal_heads.md#the-probit-link. */
#ifndef NN_NORMAL_H
#define NN_NORMAL_H

/* e^{t²} erfc(t) for t ≥ 0, to a few ulp. */
double nn_erfcx(double t);

/* Φ(x), φ(x), log Φ(x) and M(x) = φ(x)/Φ(x) = ∂ log Φ(x)/∂x. */
double nn_norm_cdf(double x);
double nn_norm_pdf(double x);
double nn_norm_logcdf(double x);
double nn_norm_mills(double x);

/* log(Φ(b) − Φ(a)) for a < b, with d = b − a > 0 given separately (the exact
 * gap, which b − a need not reproduce when a and b are large), and the two
 * ratios *ga = φ(a)/(Φ(b) − Φ(a)), *gb = φ(b)/(Φ(b) − Φ(a)) — the gradient of
 * −log(Φ(b) − Φ(a)) is (∂/∂a, ∂/∂b) = (*ga, −*gb). Stable when a and b are in
 * the same tail (no difference of two numbers near 0 or near 1 is formed)
 * and when d is tiny. */
double nn_norm_log_diff(double a, double b, double d, double *ga, double *gb);

/* Φ⁻¹(q) for 0 < q < 1 (bisection to the last bit; for initialisation). */
double nn_norm_quantile(double q);

#endif
