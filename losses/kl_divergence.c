/* kl_divergence.c — KL divergence between a target distribution t and the
 * model q = softmax(z / T), in either direction.
 *
 * Forward  KL(t ‖ q) = Σ_i t_i (log t_i − log q_i),  terms with t_i = 0 are 0
 * Reverse  KL(q ‖ t) = Σ_i q_i (log q_i − log t_i)
 *
 * t comes as probabilities (validated: finite, ≥ 0, Σ = 1 ± 1e-3) or as
 * teacher logits that the driver turns into softmax(logits / T_t) and its exact
 * log (target_temperature). log q always comes from log-softmax of the model
 * logits, so the value is finite even where q underflows to 0.
 *
 * Derivation (docs/losses.md#kl-divergence), S = Σ_i t_i (1 for a valid target):
 *   forward   ∂l/∂q_i = −t_i / q_i
 *             T·∂l/∂z_j = Σ_i (−t_i/q_i) q_i (δ_ij − q_j) = q_j S − t_j
 *   reverse   ∂l/∂q_i = log q_i − log t_i + 1
 *             T·∂l/∂z_j = q_j (log q_j − log t_j + 1 − Σ_i q_i (log q_i − log t_i + 1))
 *                       = q_j (log q_j − log t_j − l)
 *
 * Where the model has no mass. Forward KL with t_i > 0 and q_i = 0 is +inf in
 * probability space; here log q_i is the log-softmax (finite, e.g. −2e4), so
 * the value is exact and large, and the simplified gradient q − t is exact.
 * The jacobian mode divides by max(q_i, NN_PROB_MIN): ⟨g, q⟩ is then wrong,
 * and the softmax's Jᵀ subtracts it from every class, so the whole row's
 * gradient is wrong (the clamp is counted: nn_loss_clamped).
 * Reverse KL with a probability target t_i = 0 where q_i > 0 is +inf too; the
 * library floors log t_i at log NN_TARGET_PROB_FLOOR ≈ −69, a large finite penalty
 * (a teacher given as logits never needs the floor).
 */
#include <math.h>
#include <stdlib.h>

#include "loss.h"

typedef struct {
    nn_kl_direction direction;
} kl_config;

/* log t_i: exact from a logit target; floored at log NN_TARGET_PROB_FLOOR
 * otherwise. */
static double log_target(const nn_loss_row *r, int i) {
    if (r->target_logp) return r->target_logp[i];
    double t = r->target[i];
    return log(t > NN_TARGET_PROB_FLOOR ? t : NN_TARGET_PROB_FLOOR);
}

static double kl_value(const void *cfg, const nn_loss_row *r) {
    const kl_config *c = cfg;
    double l = 0;
    for (int i = 0; i < r->K; i++) {
        if (c->direction == NN_KL_FORWARD) {
            double t = r->target[i];
            if (t != 0) l += t * (log_target(r, i) - r->logp[i]); /* 0·log 0 = 0 */
        } else {
            double q = r->p[i];
            if (q != 0) l += q * (r->logp[i] - log_target(r, i));
        }
    }
    return l;
}

static void kl_grad_q(const void *cfg, const nn_loss_row *r, nn_real *d) {
    const kl_config *c = cfg;
    for (int i = 0; i < r->K; i++) {
        if (c->direction == NN_KL_FORWARD) {
            /* from l = Σ t_i (log t_i − log q_i):  ∂l/∂q_i = −t_i / q_i */
            double t = r->target[i];
            d[i] = (nn_real)(t != 0 ? -t / nn_loss_clamp_prob(r, i) : 0);
        } else {
            /* from l = Σ q_i (log q_i − log t_i):  ∂l/∂q_i = log q_i − log t_i + 1 */
            d[i] = (nn_real)(r->logp[i] - log_target(r, i) + 1);
        }
    }
}

static void kl_grad_z(const void *cfg, const nn_loss_row *r, nn_real *d) {
    const kl_config *c = cfg;
    if (c->direction == NN_KL_FORWARD) { /* T·∂l/∂z_j = q_j S − t_j */
        double S = 0;
        for (int i = 0; i < r->K; i++) S += r->target[i];
        for (int i = 0; i < r->K; i++) d[i] = (nn_real)(r->p[i] * S - r->target[i]);
    } else { /* T·∂l/∂z_j = q_j (log q_j − log t_j − l) */
        double l = kl_value(cfg, r);
        for (int i = 0; i < r->K; i++)
            d[i] = (nn_real)(r->p[i] * (r->logp[i] - log_target(r, i) - l));
    }
}

static const char *kl_check(const void *cfg, const nn_loss_row *r) {
    (void)cfg;
    if (r->target_logp) return NULL; /* the driver's softmax of finite logits */
    return nn_loss_check_distribution(r->target, r->K);
}

static const nn_loss_ops kl_ops = {
    .name = "kl_div",
    .needs_softmax = 1,
    .value = kl_value,
    .grad_input = kl_grad_q,
    .grad_logits = kl_grad_z,
    .check = kl_check,
};

nn_kl_options nn_kl_defaults(void) { return (nn_kl_options){.direction = NN_KL_FORWARD}; }

int nn_kl_div(nn_graph *g, int p, int target, const nn_kl_options *ko,
              const nn_loss_options *lo) {
    nn_kl_options opt = ko ? *ko : nn_kl_defaults();
    nn_loss_options o = lo ? *lo : nn_loss_defaults();
    if (!nn_graph_check_node(g, p, "kl_div") || !nn_graph_check_node(g, target, "kl_div"))
        return -1;
    if (opt.direction != NN_KL_FORWARD && opt.direction != NN_KL_REVERSE) {
        nn_graph_fail(g, "kl_div: unknown direction %d", (int)opt.direction);
        return -1;
    }
    if (!nn_is_softmax(g, p)) {
        nn_graph_fail(g, "kl_div: input node %d is a %s, but this loss needs a softmax node", p,
                      nn_node_kind(g, p));
        return -1;
    }
    int K = nn_node_width(g, p);
    if (nn_is_labels(g, target) || nn_node_width(g, target) != K) {
        nn_graph_fail(g, "kl_div: the target must be a real node (B, %d) of probabilities or "
                      "logits, got a %s of width %d (for hard labels use cross_entropy)",
                      K, nn_node_kind(g, target), nn_node_width(g, target));
        return -1;
    }
    if (opt.scale_t2 != 0 && opt.scale_t2 != 1) {
        nn_graph_fail(g, "kl_div: scale_t2 must be 0 or 1, got %d", opt.scale_t2);
        return -1;
    }
    if (opt.scale_t2) { /* Hinton et al.: T² keeps the soft gradient's scale as T grows */
        double T = nn_softmax_temperature(g, p);
        o.coef *= T * T;
    }
    kl_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "kl_div: out of memory");
        return -1;
    }
    c->direction = opt.direction;
    return nn_loss_add(g, &kl_ops, p, target, opt.target_temperature, &o, c);
}
