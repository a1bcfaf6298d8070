/* cross_entropy.c — l = −Σ_i y_i log p_i, p = softmax(z / T).
 *
 * Targets y: a hard label c (y = one-hot(c)), or a row of probabilities
 * (soft targets, Σ y = 1), optionally smoothed: y ← (1 − ε) y + ε / K.
 *
 * Derivation: docs/cross_entropy.md (tests: tests/test_cross_entropy.c).
 *   jacobian mode    ∂l/∂p_i = −y_i / p_i
 *   simplified mode  ∂l/∂z_j = Σ_i (∂l/∂p_i)(∂p_i/∂z_j)
 *                           = Σ_i (−y_i/p_i) p_i (δ_ij − p_j) / T
 *                           = (−y_j + p_j Σ_i y_i) / T = (p_j − y_j) / T
 * The loss value uses log p from log-softmax of the logits, never log(p):
 * it stays finite when p_i underflows (logits of ±1e4).
 */
#include <math.h>
#include <stdlib.h>

#include "loss.h"

typedef struct {
    double smoothing; /* ε in [0, 1) */
} ce_config;

/* Tolerance on Σ y = 1 for soft targets (float rows of K ≤ 1e4 values). */
#define NN_TARGET_SUM_TOL 1e-3

/* y_i for this row, after smoothing. */
static double target_prob(const ce_config *c, const nn_loss_row *r, int i) {
    double y = r->target ? (double)r->target[i] : (i == r->label ? 1.0 : 0.0);
    return (1.0 - c->smoothing) * y + c->smoothing / r->K;
}

static double ce_value(const void *cfg, const nn_loss_row *r) {
    const ce_config *c = cfg;
    if (!r->target && c->smoothing == 0) return -(double)r->logp[r->label];
    double l = 0;
    for (int i = 0; i < r->K; i++) {
        double y = target_prob(c, r, i);
        if (y != 0) l -= y * r->logp[i]; /* 0 · log p = 0, even if p = 0 */
    }
    return l;
}

/* from l = −Σ y_i log p_i:  ∂l/∂p_i = −y_i / p_i (p clamped at NN_PROB_MIN) */
static void ce_grad_p(const void *cfg, const nn_loss_row *r, nn_real *d) {
    for (int i = 0; i < r->K; i++) {
        double y = target_prob(cfg, r, i);
        nn_real p = r->p[i] > NN_PROB_MIN ? r->p[i] : NN_PROB_MIN;
        d[i] = (nn_real)(y != 0 ? -y / p : 0);
    }
}

/* closed form: T·∂l/∂z_j = p_j − y_j */
static void ce_grad_z(const void *cfg, const nn_loss_row *r, nn_real *d) {
    for (int i = 0; i < r->K; i++) d[i] = (nn_real)(r->p[i] - target_prob(cfg, r, i));
}

static const char *ce_check(const void *cfg, const nn_loss_row *r) {
    (void)cfg;
    if (!r->target) return NULL;
    double s = 0;
    for (int i = 0; i < r->K; i++) {
        if (!isfinite(r->target[i])) return "soft target holds a NaN or infinity";
        if (r->target[i] < 0) return "soft target holds a negative probability";
        s += r->target[i];
    }
    if (fabs(s - 1) > NN_TARGET_SUM_TOL) return "soft target does not sum to 1";
    return NULL;
}

static const nn_loss_ops ce_ops = {
    .name = "cross_entropy",
    .needs_softmax = 1,
    .value = ce_value,
    .grad_input = ce_grad_p,
    .grad_logits = ce_grad_z,
    .check = ce_check,
};

int nn_cross_entropy_ex(nn_graph *g, int p, int target, double smoothing,
                        const nn_loss_options *o) {
    if (!nn_graph_check_node(g, p, "cross_entropy") ||
        !nn_graph_check_node(g, target, "cross_entropy"))
        return -1;
    int K = nn_node_width(g, p), TW = nn_node_width(g, target);
    if (TW != K) {
        nn_graph_fail(g, "cross_entropy: the prediction has %d classes but the target (%s) has %d",
                      K, nn_node_kind(g, target), TW);
        return -1;
    }
    if (!(smoothing >= 0 && smoothing < 1)) {
        nn_graph_fail(g, "cross_entropy: label smoothing must be in [0, 1), got %g", smoothing);
        return -1;
    }
    ce_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "cross_entropy: out of memory");
        return -1;
    }
    c->smoothing = smoothing;
    return nn_loss_add(g, &ce_ops, p, target, o, c);
}

int nn_cross_entropy(nn_graph *g, int p, int labels, const nn_loss_options *o) {
    return nn_cross_entropy_ex(g, p, labels, 0.0, o);
}
