/* cross_entropy.c — l = −Σ_i w_i ỹ_i log p_i, p = softmax(z / T).
 *
 * Targets y: a hard label c (y = one-hot(c)), a row of probabilities (soft
 * targets, Σ y = 1), or a row of logits turned into probabilities by the
 * driver (target_temperature). Optionally smoothed: ỹ = (1 − ε) y + ε / K.
 * Optional class weights w_i (all 1 by default); write u_i = w_i ỹ_i.
 *
 * Derivation: docs/cross_entropy.md and docs/losses.md (tests:
 * tests/test_cross_entropy.c, tests/test_losses_*.c):
 *   value            l = −Σ_i u_i log p_i
 *   jacobian mode    ∂l/∂p_i = −u_i / p_i
 *   simplified mode  ∂l/∂z_j = Σ_i (∂l/∂p_i)(∂p_i/∂z_j)
 *                           = Σ_i (−u_i/p_i) p_i (δ_ij − p_j) / T
 *                           = (p_j Σ_i u_i − u_j) / T
 *                           = (p_j − y_j) / T   without weights (Σ u = 1)
 * The loss value uses log p from log-softmax of the logits, never log(p):
 * it stays finite when p_i underflows (logits of ±1e4).
 *
 * Batch mean with class weights, as PyTorch: hard labels divide by
 * Σ_b w_{y_b} (the driver's normaliser share, ce_weight), soft targets by B.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"

typedef struct {
    double smoothing; /* ε in [0, 1) */
    double *class_weights; /* (K) or NULL */
} ce_config;

static void ce_free(void *p) {
    ce_config *c = p;
    if (c) free(c->class_weights);
    free(c);
}

/* u_i = w_i ỹ_i for this row. */
static double target_mass(const ce_config *c, const nn_loss_row *r, int i) {
    double y = r->target ? (double)r->target[i] : (i == r->label ? 1.0 : 0.0);
    double u = (1.0 - c->smoothing) * y + c->smoothing / r->K;
    return c->class_weights ? c->class_weights[i] * u : u;
}

static double ce_value(const void *cfg, const nn_loss_row *r) {
    const ce_config *c = cfg;
    if (!r->target && c->smoothing == 0) /* l = −w_c log p_c */
        return -(c->class_weights ? c->class_weights[r->label] : 1.0) * r->logp[r->label];
    double l = 0;
    for (int i = 0; i < r->K; i++) {
        double u = target_mass(c, r, i);
        if (u != 0) l -= u * r->logp[i]; /* 0 · log p = 0, even if p = 0 */
    }
    return l;
}

/* from l = −Σ u_i log p_i:  ∂l/∂p_i = −u_i / p_i (p clamped at NN_PROB_MIN,
 * and counted where the clamp engages) */
static void ce_grad_p(const void *cfg, const nn_loss_row *r, nn_real *d) {
    for (int i = 0; i < r->K; i++) {
        double u = target_mass(cfg, r, i);
        d[i] = (nn_real)(u != 0 ? -u / nn_loss_clamp_prob(r, i) : 0);
    }
}

/* closed form: T·∂l/∂z_j = p_j Σ_i u_i − u_j  (= p_j − y_j unweighted) */
static void ce_grad_z(const void *cfg, const nn_loss_row *r, nn_real *d) {
    double su = 0;
    for (int i = 0; i < r->K; i++) su += target_mass(cfg, r, i);
    for (int i = 0; i < r->K; i++) d[i] = (nn_real)(r->p[i] * su - target_mass(cfg, r, i));
}

/* MEAN's normaliser share: the label's class weight for hard labels. */
static double ce_weight(const void *cfg, const nn_loss_row *r) {
    const ce_config *c = cfg;
    return (c->class_weights && !r->target) ? c->class_weights[r->label] : 1.0;
}

static const char *ce_check(const void *cfg, const nn_loss_row *r) {
    (void)cfg;
    if (!r->target || r->target_logp) return NULL; /* labels, or the driver's softmax */
    return nn_loss_check_distribution(r->target, r->K);
}

/* With class weights a row's share of MEAN's normaliser is its label's
 * weight (ce_weight); without, every row counts 1 and the mean is over the
 * rows (nn_graph_losses_average_rows). */
#define CE_OPS(normaliser_share)                                               \
    {.name = "cross_entropy", .needs_softmax = 1, .value = ce_value, .grad_input = ce_grad_p, \
     .grad_logits = ce_grad_z, .weight = normaliser_share, .check = ce_check, .free_config = ce_free}
static const nn_loss_ops ce_ops = CE_OPS(NULL), ce_weighted_ops = CE_OPS(ce_weight);

nn_ce_options nn_ce_defaults(void) { return (nn_ce_options){0}; }

int nn_cross_entropy_ex(nn_graph *g, int p, int target, const nn_ce_options *co,
                        const nn_loss_options *o) {
    nn_ce_options opt = co ? *co : nn_ce_defaults();
    if (!nn_graph_check_node(g, p, "cross_entropy") ||
        !nn_graph_check_node(g, target, "cross_entropy"))
        return -1;
    int K = nn_node_width(g, p), TW = nn_node_width(g, target);
    if (TW != K) {
        nn_graph_fail(g, "cross_entropy: the prediction has %d classes but the target (%s) has %d",
                      K, nn_node_kind(g, target), TW);
        return -1;
    }
    if (!(opt.smoothing >= 0 && opt.smoothing < 1)) {
        nn_graph_fail(g, "cross_entropy: label smoothing must be in [0, 1), got %g",
                      opt.smoothing);
        return -1;
    }
    ce_config *c = calloc(1, sizeof *c);
    if (!c) {
        nn_graph_fail(g, "cross_entropy: out of memory");
        return -1;
    }
    c->smoothing = opt.smoothing;
    if (opt.class_weights) {
        for (int i = 0; i < K; i++)
            if (!(opt.class_weights[i] >= 0) || !isfinite(opt.class_weights[i])) {
                nn_graph_fail(g, "cross_entropy: class weight %d is %g; weights must be "
                              "finite and >= 0", i, opt.class_weights[i]);
                ce_free(c);
                return -1;
            }
        c->class_weights = malloc((size_t)K * sizeof *c->class_weights);
        if (!c->class_weights) {
            nn_graph_fail(g, "cross_entropy: out of memory");
            ce_free(c);
            return -1;
        }
        memcpy(c->class_weights, opt.class_weights, (size_t)K * sizeof *c->class_weights);
    }
    return nn_loss_add(g, c->class_weights ? &ce_weighted_ops : &ce_ops, p, target, opt.target_temperature, o, c);
}

int nn_cross_entropy(nn_graph *g, int p, int labels, const nn_loss_options *o) {
    return nn_cross_entropy_ex(g, p, labels, NULL, o);
}
