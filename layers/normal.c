/* normal.c — see normal.h. The formulas are derived in
 * docs/ordinal_heads.md#the-probit-link; tests: tests/test_ordinal_heads.c
 * (against PyTorch float64 and mpmath at 50 digits). */
#include <math.h>

#include "normal.h"

#define SQRT2          1.41421356237309504880 /* √2 */
#define SQRT_PI        1.77245385090551602730 /* √π */
#define SQRT_2_OVER_PI 0.79788456080286535588 /* √(2/π) */
#define LOG_SQRT_2PI   0.91893853320467274178 /* log √(2π) */

/* Above this t, erfc(t) is below 1e-293 and near its underflow (26.55):
 * erfcx switches to its asymptotic series, whose 8 terms are then exact to
 * a relative 1e-19 (the first term left out is 17!!/(2t²)⁹ < 1e-22). */
#define ERFCX_ASYMPTOTIC 26.0

/* (|m| + 1)·d below this: log(Φ(b) − Φ(a)) by the midpoint series, whose
 * first term left out is below 3e-16 there. */
#define SMALL_GAP 1e-2

double nn_erfcx(double t) {
    if (t < ERFCX_ASYMPTOTIC) {
        /* e^{t²} with t² = hi + lo split exactly (fma), so the rounding of
         * t·t (up to 6e-14 of the exponent at t = 26) is not amplified */
        double hi = t * t, lo = fma(t, t, -hi);
        return erfc(t) * exp(hi) * (1 + lo);
    }
    /* erfcx(t) = 1/(t√π) Σ_n (−1)ⁿ (2n − 1)!!/(2t²)ⁿ */
    double v = 1 / (2 * t * t), term = 1, sum = 1;
    for (int n = 1; n <= 8; n++) {
        term *= -(2 * n - 1) * v;
        sum += term;
    }
    return sum / (t * SQRT_PI);
}

double nn_norm_cdf(double x) { return 0.5 * erfc(-x / SQRT2); }

double nn_norm_pdf(double x) { return exp(-0.5 * x * x - LOG_SQRT_2PI); }

double nn_norm_logcdf(double x) {
    if (x >= 0) return log1p(-0.5 * erfc(x / SQRT2)); /* log(1 − Φ(−x)) */
    double t = -x / SQRT2;
    /* Φ(x) = ½ erfc(t) = ½ erfcx(t) e^{−t²} */
    return t < ERFCX_ASYMPTOTIC ? log(0.5 * erfc(t)) : log(0.5 * nn_erfcx(t)) - t * t;
}

double nn_norm_mills(double x) {
    if (x >= 0) return nn_norm_pdf(x) / nn_norm_cdf(x); /* Φ ≥ ½ */
    /* φ(x)/Φ(x) = (e^{−t²}/√(2π)) / (½ erfcx(t) e^{−t²}) */
    return SQRT_2_OVER_PI / nn_erfcx(-x / SQRT2);
}

/* a = b − d < b ≤ 0: both in the lower tail. With t_a = −a/√2 > t_b = −b/√2,
 *   Δ = log Φ(a) − log Φ(b) = −(t_a² − t_b²) + log(erfcx(t_a)/erfcx(t_b)),
 *   t_a² − t_b² = (t_a − t_b)(t_a + t_b) = (d/√2)(t_a + t_b)
 *   log(Φ(b) − Φ(a)) = log Φ(b) + log(1 − e^Δ)
 *   φ(b)/P = M(b)/(1 − e^Δ),   φ(a)/P = M(a) e^Δ/(1 − e^Δ) = M(a)/(e^{−Δ} − 1) */
static double lower_tail(double b, double d, double *ga, double *gb) {
    double tb = -b / SQRT2, ta = tb + d / SQRT2;
    double ea = nn_erfcx(ta), eb = nn_erfcx(tb);
    double delta = -(d / SQRT2) * (ta + tb) + log(ea / eb);
    double one_minus = -expm1(delta); /* 1 − Φ(a)/Φ(b) */
    *gb = SQRT_2_OVER_PI / eb / one_minus;
    *ga = SQRT_2_OVER_PI / ea / expm1(-delta);
    return log(0.5 * eb) - tb * tb + log(one_minus);
}

double nn_norm_log_diff(double a, double b, double d, double *ga, double *gb) {
    double m = 0.5 * a + 0.5 * b;
    if ((fabs(m) + 1) * d < SMALL_GAP) {
        /* P = ∫_{m−h}^{m+h} φ = φ(m)·d·S with h = d/2 and
         *   S = 1 + (m² − 1)h²/6 + (m⁴ − 6m² + 3)h⁴/120 + (m⁶ − 15m⁴ + 45m² − 15)h⁶/5040,
         * written in u = mh, v = h² so that a huge m with a tiny d cannot overflow */
        double h = 0.5 * d, u = m * h, v = h * h, u2 = u * u;
        double c = (u2 - v) / 6 + (u2 * u2 - 6 * u2 * v + 3 * v * v) / 120 +
                   (u2 * u2 * u2 - 15 * u2 * u2 * v + 45 * u2 * v * v - 15 * v * v * v) / 5040;
        double dS = d * (1 + c);
        /* φ(m ∓ h)/φ(m) = e^{±mh − h²/2} */
        *ga = exp(u - 0.5 * v) / dS;
        *gb = exp(-u - 0.5 * v) / dS;
        return -0.5 * m * m - LOG_SQRT_2PI + log(d) + log1p(c);
    }
    a = b - d; /* the exact gap decides; a and b may carry rounding of a large score */
    if (b <= 0) return lower_tail(b, d, ga, gb);
    if (a >= 0) /* both upper: Φ(b) − Φ(a) = Φ(−a) − Φ(−b), the lower tail mirrored */
        return lower_tail(-a, d, gb, ga);
    /* a < 0 < b: Φ(b) − Φ(a) = ½(erf(b/√2) + erf(−a/√2)), a sum of positives,
     * = 1 − Φ(a) − Φ(−b); the log of the latter by log1p when it is near 1 */
    double P = 0.5 * (erf(b / SQRT2) + erf(-a / SQRT2)), out = nn_norm_cdf(a) + nn_norm_cdf(-b);
    *ga = nn_norm_pdf(a) / P;
    *gb = nn_norm_pdf(b) / P;
    return out < 0.5 ? log1p(-out) : log(P);
}

double nn_norm_quantile(double q) {
    double lo = -40, hi = 40; /* Φ(−40) < 1e-300 */
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi) break;
        if (nn_norm_cdf(mid) < q) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}
