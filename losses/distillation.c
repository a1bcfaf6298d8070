/* distillation.c — knowledge distillation (Hinton et al., 2015) as two
 * ordinary loss nodes on two softmaxes of the same student logits s:
 *
 *   L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(y, softmax(s))
 *
 * The soft term is nn_kl_div with the teacher logits t as target at
 * temperature T and T² scaling; the hard term is nn_cross_entropy at T = 1.
 * Both honour the caller's mode, reduction and weights, and each keeps its own
 * value (nn_loss_value), so the soft and hard terms can be logged apart.
 *
 * Gradient (docs/losses.md#distillation), simplified mode, per sample:
 *   ∂L/∂s = α·T²·(q_T − t_T)/T + (1 − α)·(q_1 − onehot(y))
 *         = α·T·(q_T − t_T)  + (1 − α)·(q_1 − onehot(y))
 * The T² cancels the 1/T from the soft softmax twice over (once from ∂/∂s of
 * s/T, once from q_T − t_T ≈ (s − t)/(T·K) at large T), which is why the soft
 * gradient keeps its scale as T grows.
 */
#include <math.h>

#include "loss.h"

int nn_distillation(nn_graph *g, int student_logits, int teacher_logits, int labels,
                    const nn_distill_options *d, const nn_loss_options *lo,
                    nn_distill_nodes *out) {
    nn_distill_nodes ids = {-1, -1, -1, -1};
    if (out) *out = ids;
    if (!nn_graph_check_node(g, student_logits, "distillation") ||
        !nn_graph_check_node(g, teacher_logits, "distillation") ||
        !nn_graph_check_node(g, labels, "distillation"))
        return -1;
    if (!d || !out) {
        nn_graph_fail(g, "distillation: options and the output struct must not be NULL");
        return -1;
    }
    if (!(d->alpha >= 0 && d->alpha <= 1)) {
        nn_graph_fail(g, "distillation: alpha must be in [0, 1], got %g", d->alpha);
        return -1;
    }
    if (!(d->temperature > 0) || !isfinite(d->temperature)) {
        nn_graph_fail(g, "distillation: temperature must be a positive finite number, got %g",
                      d->temperature);
        return -1;
    }
    int K = nn_node_width(g, student_logits);
    if (nn_node_width(g, teacher_logits) != K) {
        nn_graph_fail(g, "distillation: the student has %d logits but the teacher has %d", K,
                      nn_node_width(g, teacher_logits));
        return -1;
    }
    nn_loss_options soft_o = lo ? *lo : nn_loss_defaults(), hard_o = soft_o;
    soft_o.coef *= d->alpha;       /* × T², added by scale_t2 below */
    hard_o.coef *= 1 - d->alpha;
    nn_kl_options ko = nn_kl_defaults();
    ko.target_temperature = d->temperature; /* the teacher softened at the same T */
    ko.scale_t2 = 1;

    ids.soft_probs = nn_softmax(g, student_logits, d->temperature);
    ids.probs = nn_softmax(g, student_logits, 1.0);
    ids.soft_loss = nn_kl_div(g, ids.soft_probs, teacher_logits, &ko, &soft_o);
    nn_ce_options co = nn_ce_defaults();
    co.class_weights = d->class_weights; /* the hard term only, as F.cross_entropy(weight=) */
    ids.hard_loss = nn_cross_entropy_ex(g, ids.probs, labels, &co, &hard_o);
    if (ids.soft_probs < 0 || ids.probs < 0 || ids.soft_loss < 0 || ids.hard_loss < 0)
        return -1;
    *out = ids;
    return ids.soft_loss;
}
