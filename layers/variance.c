/* variance.c — the variance head σ²_b = Σ_i p_bi (v_i − μ_b)², μ_b = Σ_i v_i p_bi.
 *
 * Shapes: p (B, K) a softmax output → σ² (B, 1), one per sample (reduced over
 * the class axis only). Computed in two passes, so it is never negative.
 *
 * Backward, for dσ² = ∂L/∂σ² (B, 1), from that two-pass line:
 *   ∂L/∂p_bi += dσ²_b · (v_i − μ_b)²
 * (the μ-dependence drops out because Σ_i p_i (v_i − μ) = 0; see
 * nn_variance_grad_add). Through the softmax:
 *   ∂σ²/∂z_j = p_j ((v_j − μ)² − σ²) / T   (docs/losses.md#expectation-heads).
 */
#include "category_values.h"

static void variance_forward(nn_graph *g, nn_node *n, int B) {
    const nn_head_config *c = n->config;
    const nn_node *in = nn_graph_node(g, n->inputs[0]);
    int K = in->width;
    for (int b = 0; b < B; b++) {
        double mu, var;
        nn_category_moments(&mu, &var, in->out + (size_t)b * K, K, c->values);
        n->out[b] = (nn_real)var;
    }
}

static void variance_backward(nn_graph *g, nn_node *n, int B) {
    const nn_head_config *c = n->config;
    nn_node *in = nn_graph_node(g, n->inputs[0]);
    if (!in->dout) return;
    int K = in->width;
    for (int b = 0; b < B; b++) {
        const nn_real *p = in->out + (size_t)b * K; /* (K) */
        double mu, var;
        nn_category_moments(&mu, &var, p, K, c->values);
        /* from σ² = Σ p_i (v_i − μ)²:  ∂L/∂p_i += dσ² · (v_i − μ)² */
        nn_variance_grad_add(in->dout + (size_t)b * K, n->dout[b], c->values, mu, K);
    }
}

static const nn_node_ops variance_ops = {
    .kind = "variance",
    .forward = variance_forward,
    .backward = variance_backward,
    .free_config = nn_head_free,
};

int nn_variance(nn_graph *g, int p, const double *values) {
    return nn_head_add(g, &variance_ops, p, values);
}
