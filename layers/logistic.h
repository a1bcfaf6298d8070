/* logistic.h — the logistic function and softplus, computed so that no
 * argument overflows exp or takes log(0); shared by the ordinal heads
 * (layers/coral_head.c, clm_thresholds.c, ordinal_probs.c) and their losses
 * (losses/coral.c, corn.c, clm.c).
 *
 *   σ(x)        = 1 / (1 + e^−x)                 (split by sign)
 *   softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^−|x|)
 *   log σ(x)    = −softplus(−x)   log(1 − σ(x)) = log σ(−x) = −softplus(x)
 *
 * At x = ±1e4 these give 1 or 0, 1e4 or 0, and never NaN.
 */
#ifndef NN_LOGISTIC_H
#define NN_LOGISTIC_H

#include <math.h>

static inline double nn_logistic(double x) {
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

static inline double nn_softplus(double x) {
    return (x > 0 ? x : 0) + log1p(exp(-fabs(x)));
}

#endif
