/* corn.c — the CORN loss (Shi, Cao & Raschka, 2021): conditional training of
 * K − 1 binary tasks on logits z (B, K − 1), z_k = logit P(y > k | y > k − 1).
 *
 * Task k sees only the samples for which its condition holds, y > k − 1,
 * i.e. y ≥ k (task 0: every sample), with target [y > k]. So a sample of
 * class y takes part in tasks 0 … min(y, K − 2):
 *   l = Σ_{k < y} softplus(−z_k) + [y ≤ K − 2] softplus(z_y)
 *   ∂l/∂z_k = −σ(−z_k) (k < y),  σ(z_y) (k = y ≤ K − 2),  0 (k > y)
 * and its share of MEAN's denominator is n_b = min(y + 1, K − 1), so MEAN is
 * the paper's sum over every (sample, task) pair divided by their number.
 *
 * Derivation: docs/ordinal_heads.md#corn. Tests: tests/test_losses_ordinal_heads.c.
 */
#include "layers/logistic.h"
#include "loss.h"
#include "ordinal_logits.h"

static double corn_value(const void *cfg, const nn_loss_row *r) {
    (void)cfg;
    double l = 0;
    int y = r->label;
    for (int k = 0; k < y && k < r->K; k++) l += nn_softplus(-(double)r->p[k]); /* y > k */
    if (y < r->K) l += nn_softplus(r->p[y]); /* task y, target y > y false */
    return l;
}

static void corn_grad(const void *cfg, const nn_loss_row *r, nn_real *d) {
    (void)cfg;
    int y = r->label;
    /* from l = Σ_{k<y} softplus(−z_k) + softplus(z_y): ∂l/∂z_k = −σ(−z_k), σ(z_y) */
    for (int k = 0; k < r->K; k++)
        d[k] = (nn_real)(k < y ? -nn_logistic(-(double)r->p[k]) : k == y ? nn_logistic(r->p[k])
                                                                         : 0);
}

/* the number of tasks this sample takes part in */
static double corn_tasks(const void *cfg, const nn_loss_row *r) {
    (void)cfg;
    return r->label + 1 < r->K ? r->label + 1 : r->K;
}

static const nn_loss_ops corn_ops = {
    .name = "corn", .value = corn_value, .grad_input = corn_grad, .weight = corn_tasks,
};

int nn_corn_loss(nn_graph *g, int logits, int labels, const nn_loss_options *lo) {
    if (!nn_ordinal_loss_inputs_ok(g, "corn", logits, labels)) return -1;
    return nn_loss_add(g, &corn_ops, logits, labels, 0, lo, NULL);
}
