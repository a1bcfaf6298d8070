/* loss.h — the one mechanism every loss plugs into (internal).
 *
 * A loss family supplies per-sample formulas; losses/loss.c does the rest:
 * it builds the row view (the input row, its log-softmax from the logits,
 * the target), reduces the per-sample values over the batch (mean, sum,
 * batchmean, with optional weights), and sends the gradient back in the mode
 * the user chose:
 *
 *   jacobian:   d = ∂l/∂p   added into the softmax OUTPUT's gradient; the
 *               softmax backward then applies Jᵀ.
 *   simplified: d = T·∂l/∂z (the closed form at T = 1) added, divided by T,
 *               into the softmax INPUT's gradient, bypassing the softmax
 *               backward for this loss's share.
 *
 * Inputs that are not a softmax (a μ head, a dense output) use grad_input only.
 */
#ifndef NN_LOSS_H
#define NN_LOSS_H

#include "nn/graph_internal.h"

/* NN_PROB_MIN, the clamp of jacobian-mode gradients that divide by a
 * probability, is public (nn/losses.h): ∂l/∂p_i = −y_i / max(p_i, NN_PROB_MIN),
 * taken with nn_loss_clamp_prob so every engaged clamp is counted. */

/* Reverse KL floors a probability target inside log: log max(t_i, this).
 * The same in both precisions: it sets the value of a target's zeros. */
#define NN_TARGET_PROB_FLOOR 1e-30

/* Tolerance on Σ t = 1 for probability targets (float rows of K ≤ 1e4 values). */
#define NN_TARGET_SUM_TOL 1e-3

typedef struct {
    int            K;            /* width of the loss input */
    const nn_real *p;            /* (K) input row: probabilities, or any node's row */
    const nn_real *logp;         /* (K) log-softmax of the logits; NULL iff not on a softmax */
    double         T;            /* softmax temperature; 1 off a softmax */
    int32_t        label;        /* hard target, or -1 */
    const nn_real *target;       /* (target_width) real target row, or NULL; for a
                                    logit target, the driver's softmax(t / T_t) */
    const nn_real *target_logp;  /* (K) log of that softmax for a logit target, else NULL */
    int            target_width;
    long          *clamped;      /* backward: entries where the jacobian-mode clamp
                                    engaged are counted here (nn_loss_clamp_prob) */
} nn_loss_row;

/* max(p_i, NN_PROB_MIN), for a jacobian-mode gradient −u/p_i of a class with
 * target mass u ≠ 0; counts the entry in *r->clamped when the clamp engages,
 * because then the whole row's gradient is wrong (docs/losses.md). */
static inline double nn_loss_clamp_prob(const nn_loss_row *r, int i) {
    if (!(r->p[i] < NN_PROB_MIN)) return r->p[i]; /* a NaN stays NaN, and is not counted */
    if (r->clamped) ++*r->clamped;
    return NN_PROB_MIN;
}

typedef struct {
    const char *name;
    int needs_softmax; /* 1: the input must be a softmax node */
    /* per-sample value l_b, class weights included */
    double (*value)(const void *cfg, const nn_loss_row *r);
    /* ∂l/∂(input row) into d (K), overwriting (jacobian mode) */
    void (*grad_input)(const void *cfg, const nn_loss_row *r, nn_real *d);
    /* T·∂l/∂z into d (K), overwriting (simplified mode); NULL if none */
    void (*grad_logits)(const void *cfg, const nn_loss_row *r, nn_real *d);
    /* the row's share n_b of MEAN's denominator Σ_b s_b n_b (s_b = sample
     * weight); NULL means 1. Class-weighted CE with hard labels returns the
     * label's class weight here, as PyTorch normalises. It does not scale the
     * value: value and gradients already carry any class weights. */
    double (*weight)(const void *cfg, const nn_loss_row *r);
    /* NULL if the row is valid, else a message (target not a distribution...) */
    const char *(*check)(const void *cfg, const nn_loss_row *r);
    void (*free_config)(void *cfg);
} nn_loss_ops;

/* Adds a loss node on `input` with `target` (a labels node, a real node, or
 * -1 for none). target_T > 0 declares the target node's rows to be logits:
 * the driver hands the loss t = softmax(row / target_T) and log t (rows must
 * then be finite, and as wide as the input). target_T = 0: rows as given.
 * Validates options; takes ownership of cfg. */
int nn_loss_add(nn_graph *g, const nn_loss_ops *ops, int input, int target, double target_T,
                const nn_loss_options *o, void *cfg);

/* NULL if t (K) is a probability vector (finite, ≥ 0, Σ = 1 within
 * NN_TARGET_SUM_TOL), else a message saying what is wrong. */
const char *nn_loss_check_distribution(const nn_real *t, int K);

#endif
