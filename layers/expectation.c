/* expectation.c — the expected-value head μ_b = Σ_i v_i p_bi.
 *
 * Shapes: p (B, K) a softmax output → μ (B, 1). The sum runs over the class
 * axis i only: one μ per sample. (Summing over the batch too would give every
 * sample the same μ; the tests check each row separately.)
 *
 * Backward, for dμ = ∂L/∂μ (B, 1), from μ_b = Σ_i v_i p_bi:
 *   ∂L/∂p_bi += dμ_b · v_i
 * added into the softmax output's gradient, which the softmax's backward then
 * maps to the logits with Jᵀ: ∂μ/∂z_j = p_j (v_j − μ) / T (docs/losses.md).
 * Adding (+=) is what lets a cross-entropy and several heads share one p.
 */
#include "category_values.h"

static void expectation_forward(nn_graph *g, nn_node *n, int B) {
    const nn_head_config *c = n->config;
    const nn_node *in = nn_graph_node(g, n->inputs[0]);
    int K = in->width;
    for (int b = 0; b < B; b++) {
        double mu;
        nn_category_moments(&mu, NULL, in->out + (size_t)b * K, K, c->values); /* p (K) */
        n->out[b] = (nn_real)mu;
    }
}

static void expectation_backward(nn_graph *g, nn_node *n, int B) {
    const nn_head_config *c = n->config;
    nn_node *in = nn_graph_node(g, n->inputs[0]);
    if (!in->dout) return;
    int K = in->width;
    for (int b = 0; b < B; b++) {
        nn_real *dp = in->dout + (size_t)b * K; /* (K) */
        double dmu = n->dout[b];
        /* from μ = Σ v_i p_i:  ∂L/∂p_i += dμ · v_i */
        for (int i = 0; i < K; i++) dp[i] += (nn_real)(dmu * c->values[i]);
    }
}

static const nn_node_ops expectation_ops = {
    .kind = "expectation",
    .forward = expectation_forward,
    .backward = expectation_backward,
    .free_config = nn_head_free,
};

int nn_expectation(nn_graph *g, int p, const double *values) {
    return nn_head_add(g, &expectation_ops, p, values);
}
