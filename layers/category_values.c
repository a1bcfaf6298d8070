/* category_values.c — validated category values, the moments of a row, and
 * the shared builder of the expectation heads. */
#include <math.h>
#include <stdlib.h>

#include "category_values.h"

int nn_category_values_invalid(const double *values, int K) {
    for (int i = 0; i < K; i++)
        if (!isfinite(values[i]) || (i > 0 && !(values[i] > values[i - 1]))) return i;
    return -1;
}

double *nn_category_values(nn_graph *g, const char *who, const double *values, int K) {
    int bad = values ? nn_category_values_invalid(values, K) : -1;
    if (bad >= 0) {
        if (!isfinite(values[bad]))
            nn_graph_fail(g, "%s: category value %d is %g; values must be finite", who, bad,
                          values[bad]);
        else
            nn_graph_fail(g, "%s: category values must be strictly increasing, but value %d "
                          "(%g) <= value %d (%g)", who, bad, values[bad], bad - 1,
                          values[bad - 1]);
        return NULL;
    }
    double *v = malloc((size_t)K * sizeof *v);
    if (!v) {
        nn_graph_fail(g, "%s: out of memory", who);
        return NULL;
    }
    for (int i = 0; i < K; i++) v[i] = values ? values[i] : i;
    return v;
}

void nn_variance_grad_add(nn_real *dp, double dvar, const double *v, double mu, int K) {
    /* from σ² = Σ p_i (v_i − μ)²:  ∂L/∂p_i += ∂L/∂σ² · (v_i − μ)² */
    for (int i = 0; i < K; i++) dp[i] += (nn_real)(dvar * (v[i] - mu) * (v[i] - mu));
}

void nn_head_free(void *config) {
    nn_head_config *c = config;
    if (c) free(c->values);
    free(c);
}

int nn_head_add(nn_graph *g, const nn_node_ops *ops, int p, const double *values) {
    if (!nn_graph_check_node(g, p, ops->kind)) return -1;
    if (!nn_is_softmax(g, p) && !nn_is_ordinal_probs(g, p)) {
        nn_graph_fail(g, "%s: input node %d is a %s, but the head needs class probabilities "
                      "(a softmax or an ordinal_probs node)",
                      ops->kind, p, nn_node_kind(g, p));
        return -1;
    }
    nn_head_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "%s: out of memory", ops->kind);
        return -1;
    }
    c->values = nn_category_values(g, ops->kind, values, nn_node_width(g, p));
    if (!c->values) {
        free(c);
        return -1;
    }
    return nn_graph_add_node(g, ops, &p, 1, 1, c);
}
