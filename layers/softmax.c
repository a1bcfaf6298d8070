/* softmax.c — p = softmax(z / T), row by row, and its backward.
 *
 * Forward (stable): m = max_j z_j,  e_i = exp((z_i − m)/T),  p_i = e_i / Σ_j e_j.
 * Subtracting m changes nothing mathematically (it cancels in the ratio) but
 * keeps every exponent ≤ 0, so nothing overflows even at z = ±1e4.
 *
 * Jacobian: ∂p_i/∂z_j = p_i (δ_ij − p_j) / T, i.e. J = (diag(p) − p pᵀ)/T.
 * J is symmetric and every column sums to zero (Σ_i p_i(δ_ij − p_j) = p_j − p_j).
 * So "the derivative of softmax" summed over an axis is a vector of zeros,
 * not a gradient: the gradient is a product Jᵀ g with the incoming g.
 *
 * Backward, for g = ∂L/∂p (B, K):
 *   VJP route (default), O(K) per row:  dz_i += p_i (g_i − ⟨g, p⟩) / T
 *   explicit route (teaching), O(K²):   build J, dz += Jᵀ g
 * Both compute the same vector; the tests check they agree.
 *
 * Derivation: docs/softmax.md. Tests: tests/test_softmax.c, tests/test_layers.c.
 */
#include <math.h>
#include <stdlib.h>

#include "nn/graph_internal.h"

/* The explicit route keeps one K×K matrix; past this K it would cost more
 * memory (16 MB in float) than it teaches. */
#define NN_SOFTMAX_EXPLICIT_MAX_K 2048

typedef struct {
    double T;
    nn_softmax_route route;
    nn_real *jacobian; /* (K, K) work space of the explicit route; allocated
                          when that route is chosen, else NULL */
} softmax_config;

static void softmax_free(void *config) {
    softmax_config *c = config;
    if (c) free(c->jacobian);
    free(c);
}

static nn_real row_max(const nn_real *z, int K) {
    nn_real m = z[0];
    for (int i = 1; i < K; i++) m = z[i] > m ? z[i] : m;
    return m;
}

/* log Σ_j exp((z_j − m)/T) for m = max_j z_j: every term ≤ 1 and the max
 * term is exactly 1, so the sum is in [1, K] and its log is finite. */
static double log_sum_exp_shifted(const nn_real *z, int K, double T, nn_real m) {
    double sum = 0;
    for (int i = 0; i < K; i++) sum += exp(((double)z[i] - m) / T);
    return log(sum);
}

double nn_logsumexp_row(const nn_real *z, int K, double T) {
    nn_real m = row_max(z, K);
    return (double)m / T + log_sum_exp_shifted(z, K, T, m);
}

void nn_softmax_row(nn_real *p, const nn_real *z, int K, double T) {
    nn_real m = row_max(z, K);
    double sum = 0;
    for (int i = 0; i < K; i++) {
        p[i] = (nn_real)exp(((double)z[i] - m) / T);
        sum += p[i];
    }
    double inv = 1.0 / sum; /* sum ≥ 1: the max term is exp(0) */
    for (int i = 0; i < K; i++) p[i] = (nn_real)(p[i] * inv);
}

double nn_log_softmax_row(nn_real *logp, const nn_real *z, int K, double T) {
    /* log p_i = (z_i − m)/T − log Σ_j exp((z_j − m)/T): finite even when p_i
     * underflows to 0, which is why losses use it instead of log(p_i). */
    nn_real m = row_max(z, K);
    double lse = log_sum_exp_shifted(z, K, T, m);
    for (int i = 0; i < K; i++) logp[i] = (nn_real)(((double)z[i] - m) / T - lse);
    return (double)m / T + lse;
}

void nn_softmax_jacobian(nn_real *J, const nn_real *p, int K, double T) {
    for (int i = 0; i < K; i++)
        for (int j = 0; j < K; j++)
            J[(size_t)i * K + j] = (nn_real)(((i == j ? p[i] : 0) - (double)p[i] * p[j]) / T);
}

void nn_softmax_vjp(nn_real *dz, const nn_real *p, const nn_real *g, int K, double T) {
    double gp = 0; /* ⟨g, p⟩ */
    for (int i = 0; i < K; i++) gp += (double)g[i] * p[i];
    for (int i = 0; i < K; i++) dz[i] += (nn_real)(p[i] * (g[i] - gp) / T);
}

static void softmax_forward(nn_graph *g, nn_node *n, int B) {
    const softmax_config *c = n->config;
    const nn_real *z = nn_graph_node(g, n->inputs[0])->out; /* (B, K) */
    int K = n->width;
    for (int r = 0; r < B; r++)
        nn_softmax_row(n->out + (size_t)r * K, z + (size_t)r * K, K, c->T);
}

static void softmax_backward(nn_graph *g, nn_node *n, int B) {
    const softmax_config *c = n->config;
    nn_real *dz = nn_graph_node(g, n->inputs[0])->dout; /* (B, K) */
    if (!dz) return;
    int K = n->width;
    for (int r = 0; r < B; r++) {
        const nn_real *p = n->out + (size_t)r * K;  /* (K) */
        const nn_real *gp = n->dout + (size_t)r * K; /* (K) ∂L/∂p */
        nn_real *dzr = dz + (size_t)r * K;           /* (K) ∂L/∂z */
        if (c->route == NN_SOFTMAX_VJP) {
            nn_softmax_vjp(dzr, p, gp, K, c->T);
        } else {
            nn_real *J = c->jacobian; /* (K, K) */
            nn_softmax_jacobian(J, p, K, c->T);
            for (int j = 0; j < K; j++) { /* dz_j += Σ_i J_ij g_i  (Jᵀ g) */
                double s = 0;
                for (int i = 0; i < K; i++) s += (double)J[(size_t)i * K + j] * gp[i];
                dzr[j] += (nn_real)s;
            }
        }
    }
}

static const nn_node_ops softmax_ops = {
    .kind = "softmax",
    .forward = softmax_forward,
    .backward = softmax_backward,
    .free_config = softmax_free,
};

int nn_softmax(nn_graph *g, int z, double temperature) {
    if (!nn_graph_check_real_input(g, z, "softmax")) return -1;
    if (!(temperature > 0) || !isfinite(temperature)) {
        nn_graph_fail(g, "softmax: temperature must be a positive finite number, got %g",
                      temperature);
        return -1;
    }
    softmax_config *c = calloc(1, sizeof *c);
    if (!c) {
        nn_graph_fail(g, "softmax: out of memory");
        return -1;
    }
    c->T = temperature;
    c->route = NN_SOFTMAX_VJP;
    return nn_graph_add_node(g, &softmax_ops, &z, 1, nn_graph_node(g, z)->width, c);
}

int nn_is_softmax(const nn_graph *g, int node) {
    return node >= 0 && node < g->n_nodes && g->nodes[node].ops == &softmax_ops;
}

double nn_softmax_temperature(const nn_graph *g, int node) {
    return ((const softmax_config *)g->nodes[node].config)->T;
}

nn_status nn_softmax_set_route(nn_graph *g, int node, nn_softmax_route r) {
    if (!g || !nn_is_softmax(g, node)) return NN_ERR_ARG;
    if (r != NN_SOFTMAX_VJP && r != NN_SOFTMAX_EXPLICIT) return NN_ERR_ARG;
    softmax_config *c = g->nodes[node].config;
    size_t K = (size_t)g->nodes[node].width;
    if (r == NN_SOFTMAX_EXPLICIT && !c->jacobian) {
        if (K > NN_SOFTMAX_EXPLICIT_MAX_K) return NN_ERR_ARG;
        c->jacobian = malloc(K * K * sizeof *c->jacobian);
        if (!c->jacobian) return NN_ERR_NOMEM;
    }
    c->route = r;
    return NN_OK;
}
