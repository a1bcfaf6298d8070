/* soft_targets.c — soft ordinal targets: a distribution over the K ordered
 * categories that puts most mass near the true value y and decays with the
 * distance, for training with cross-entropy or KL instead of a one-hot label.
 *
 *   SORD (Díaz & Marathe, CVPR 2019)  t_i = softmax_i(−scale · φ(v_i, y)),
 *        φ(v, y) = (v − y)² or |v − y|
 *   DLDL (Gao et al., 2017)           t_i ∝ exp(−(v_i − y)² / (2σ²)),
 *        a Gaussian of width σ discretised at the values and normalised:
 *        SORD with φ squared and scale 1/(2σ²).
 *
 * Both are computed as a softmax: the largest exponent (the category nearest
 * to y) is subtracted first, so a y far outside the values or a tiny σ gives
 * a one-hot row, never 0/0.
 */
#include <math.h>

#include "layers/category_values.h"
#include "loss.h"

/* out (n, K) = softmax(−scale · φ(v, y_b)) row by row; arguments checked. */
static nn_status soft_rows(nn_real *out, const double *y, int n, int K, const double *values,
                           int squared, double scale, const char *who, nn_error *err) {
    if (!out || !y || n < 0 || K < 1)
        return nn_set_error(err, NN_ERR_ARG, "%s: need out and y arrays, n >= 0 and K >= 1 "
                            "(got n = %d, K = %d)", who, n, K);
    int bad = values ? nn_category_values_invalid(values, K) : -1;
    if (bad >= 0)
        return nn_set_error(err, NN_ERR_ARG, "%s: category value %d (%g) is not finite or not "
                            "above the previous one", who, bad, values[bad]);
    for (int b = 0; b < n; b++) {
        if (!isfinite(y[b]))
            return nn_set_error(err, NN_ERR_NUMERIC, "%s: target %d is %g", who, b, y[b]);
        nn_real *t = out + (size_t)b * K; /* (K) */
        double best = INFINITY;           /* min φ: the largest exponent */
        for (int i = 0; i < K; i++) {
            double d = (values ? values[i] : i) - y[b];
            double phi = squared ? d * d : fabs(d);
            best = phi < best ? phi : best;
        }
        if (!isfinite(best))
            return nn_set_error(err, NN_ERR_NUMERIC, "%s: target %d (%g) is too far from the "
                                "category values for a finite distance", who, b, y[b]);
        double sum = 0;
        for (int i = 0; i < K; i++) {
            double d = (values ? values[i] : i) - y[b];
            double phi = squared ? d * d : fabs(d);
            double e = exp(-scale * (phi - best)); /* ≤ 1, and 1 at the nearest value */
            t[i] = (nn_real)e;
            sum += e;
        }
        for (int i = 0; i < K; i++) t[i] = (nn_real)(t[i] / sum); /* sum ≥ 1 */
    }
    return NN_OK;
}

nn_status nn_sord_targets(nn_real *out, const double *y, int n, int K, const double *values,
                          nn_sord_distance phi, double scale, nn_error *err) {
    if (phi != NN_SORD_SQUARED && phi != NN_SORD_ABSOLUTE)
        return nn_set_error(err, NN_ERR_ARG, "sord_targets: unknown distance %d", (int)phi);
    if (!(scale > 0) || !isfinite(scale))
        return nn_set_error(err, NN_ERR_ARG, "sord_targets: scale must be a positive finite "
                            "number, got %g", scale);
    return soft_rows(out, y, n, K, values, phi == NN_SORD_SQUARED, scale, "sord_targets", err);
}

nn_status nn_dldl_targets(nn_real *out, const double *y, int n, int K, const double *values,
                          double sigma, nn_error *err) {
    if (!(sigma > 0) || !isfinite(sigma))
        return nn_set_error(err, NN_ERR_ARG, "dldl_targets: sigma must be a positive finite "
                            "number, got %g", sigma);
    double scale = 1 / (2 * sigma * sigma);
    if (!isfinite(scale))
        return nn_set_error(err, NN_ERR_ARG, "dldl_targets: sigma %g is too small", sigma);
    return soft_rows(out, y, n, K, values, 1, scale, "dldl_targets", err);
}
