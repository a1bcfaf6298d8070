/* coral.c — the CORAL loss (Cao, Mirjalili & Raschka, 2020): K − 1 binary
 * cross-entropies, one per task "y > k", on logits z (B, K − 1).
 *
 * Per sample, with t_k = [y > k] and log σ(x) = −softplus(−x):
 *   l = −Σ_k [t_k log σ(z_k) + (1 − t_k) log σ(−z_k)]
 *     = Σ_{k < y} softplus(−z_k) + Σ_{k ≥ y} softplus(z_k)
 *   ∂l/∂z_k = σ(z_k) − t_k
 * MEAN is the mean over samples of the summed tasks (coral-pytorch's
 * coral_loss with reduction="mean"). Finite at z = ±1e4: softplus never
 * takes log(0).
 *
 * Derivation: docs/ordinal_heads.md#coral. Tests: tests/test_losses_ordinal_heads.c.
 */
#include "layers/logistic.h"
#include "loss.h"
#include "ordinal_logits.h"

static double coral_value(const void *cfg, const nn_loss_row *r) {
    (void)cfg;
    double l = 0;
    for (int k = 0; k < r->K; k++) /* r->K = K − 1 tasks */
        l += k < r->label ? nn_softplus(-(double)r->p[k]) : nn_softplus(r->p[k]);
    return l;
}

static void coral_grad(const void *cfg, const nn_loss_row *r, nn_real *d) {
    (void)cfg;
    /* from l = Σ_{k<y} softplus(−z_k) + Σ_{k≥y} softplus(z_k), softplus′ = σ:
     *   ∂l/∂z_k = σ(z_k) − [y > k] */
    for (int k = 0; k < r->K; k++)
        d[k] = (nn_real)(k < r->label ? -nn_logistic(-(double)r->p[k]) : nn_logistic(r->p[k]));
}

static const nn_loss_ops coral_ops = {
    .name = "coral", .value = coral_value, .grad_input = coral_grad,
};

int nn_coral_loss(nn_graph *g, int logits, int labels, const nn_loss_options *lo) {
    if (!nn_ordinal_loss_inputs_ok(g, "coral", logits, labels)) return -1;
    return nn_loss_add(g, &coral_ops, logits, labels, 0, lo, NULL);
}
