/* stddev.c — the spread head σ_b = √σ²_b, σ²_b = Σ_i p_bi (v_i − μ_b)².
 *
 * Shapes: p (B, K) a softmax output → σ (B, 1), one per sample (reduced over
 * the class axis only).
 *
 * Backward, for dσ = ∂L/∂σ (B, 1), from σ = √σ² and the two-pass σ²:
 *   ∂L/∂p_bi += dσ_b · (v_i − μ_b)² / (2 σ_b)
 * At σ = 0 (a one-hot p, to the precision of nn_real) √ has no derivative;
 * like |x| at 0, the head passes 0 there. Near 0 the gradient with respect to
 * p is large, but through the softmax it becomes
 *   ∂σ/∂z_j = p_j ((v_j − μ)² − σ²) / (2 σ T),
 * whose numerator is of order σ²: ∂σ/∂z is of order σ, small and finite.
 */
#include <math.h>

#include "category_values.h"

static void stddev_forward(nn_graph *g, nn_node *n, int B) {
    const nn_head_config *c = n->config;
    const nn_node *in = nn_graph_node(g, n->inputs[0]);
    int K = in->width;
    for (int b = 0; b < B; b++) {
        double mu, var;
        nn_category_moments(&mu, &var, in->out + (size_t)b * K, K, c->values);
        n->out[b] = (nn_real)sqrt(var);
    }
}

static void stddev_backward(nn_graph *g, nn_node *n, int B) {
    const nn_head_config *c = n->config;
    nn_node *in = nn_graph_node(g, n->inputs[0]);
    if (!in->dout) return;
    int K = in->width;
    for (int b = 0; b < B; b++) {
        const nn_real *p = in->out + (size_t)b * K; /* (K) */
        double mu, var;
        nn_category_moments(&mu, &var, p, K, c->values);
        if (!(var > 0)) continue; /* no derivative at σ = 0: pass 0 */
        /* from σ = √σ²:  ∂L/∂σ² = dσ / (2σ) */
        double dvar = n->dout[b] / (2 * sqrt(var));
        /* from σ² = Σ p_i (v_i − μ)²:  ∂L/∂p_i += ∂L/∂σ² · (v_i − μ)² */
        nn_variance_grad_add(in->dout + (size_t)b * K, dvar, c->values, mu, K);
    }
}

static const nn_node_ops stddev_ops = {
    .kind = "stddev",
    .forward = stddev_forward,
    .backward = stddev_backward,
    .free_config = nn_head_free,
};

int nn_stddev(nn_graph *g, int p, const double *values) {
    return nn_head_add(g, &stddev_ops, p, values);
}
