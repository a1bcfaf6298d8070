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

#include "../nn/graph_internal.h"

/* Clamp used by jacobian-mode gradients that divide by a probability:
 * ∂l/∂p_i = −y_i / max(p_i, NN_PROB_MIN). Where the true p_i is below it (or
 * has underflowed to 0), jacobian mode loses that sample's gradient while
 * simplified mode, which never divides, stays exact. */
#define NN_PROB_MIN ((nn_real)1e-30)

typedef struct {
    int            K;            /* width of the loss input */
    const nn_real *p;            /* (K) input row: probabilities, or any node's row */
    const nn_real *logp;         /* (K) log-softmax of the logits; NULL off a softmax */
    double         T;            /* softmax temperature; 1 off a softmax */
    int32_t        label;        /* hard target, or -1 */
    const nn_real *target;       /* (target_width) real target row, or NULL */
    int            target_width;
} nn_loss_row;

typedef struct {
    const char *name;
    int needs_softmax; /* 1: the input must be a softmax node */
    /* per-sample value l_b */
    double (*value)(const void *cfg, const nn_loss_row *r);
    /* ∂l/∂(input row) into d (K), overwriting (jacobian mode) */
    void (*grad_input)(const void *cfg, const nn_loss_row *r, nn_real *d);
    /* T·∂l/∂z into d (K), overwriting (simplified mode); NULL if none */
    void (*grad_logits)(const void *cfg, const nn_loss_row *r, nn_real *d);
    /* per-sample factor from the loss itself (class weights); NULL means 1 */
    double (*weight)(const void *cfg, const nn_loss_row *r);
    /* NULL if the row is valid, else a message (target not a distribution...) */
    const char *(*check)(const void *cfg, const nn_loss_row *r);
    void (*free_config)(void *cfg);
} nn_loss_ops;

/* Adds a loss node on `input` with `target` (a labels node, a real node, or
 * -1 for none). Validates options; takes ownership of cfg. */
int nn_loss_add(nn_graph *g, const nn_loss_ops *ops, int input, int target,
                const nn_loss_options *o, void *cfg);

#endif
