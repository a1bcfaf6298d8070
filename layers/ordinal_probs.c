/* ordinal_probs.c — class probabilities p (B, K) from K − 1 ordinal logits
 * z (B, K − 1), for CORAL and the cumulative link (cumulative logits) and
 * for CORN (conditional logits).
 *
 * Cumulative, P(y > k) = σ(z_k):
 *   ẑ_k = min(ẑ_{k−1}, z_k)  (ẑ_0 = z_0)  — running minimum, a no-op when
 *         z is non-increasing; it keeps p ≥ 0 when CORAL's biases are not
 *         ordered (its paper proves they are at the optimum, not during training)
 *   p_0 = σ(−ẑ_0),  p_k = σ(ẑ_{k−1}) − σ(ẑ_k),  p_{K−1} = σ(ẑ_{K−2})
 *   The difference is taken between the two small numbers: as
 *   σ(−ẑ_k) − σ(−ẑ_{k−1}) when ẑ_k ≥ 0 (both σ near 1), directly otherwise.
 * Probit, P(y > k) = Φ(z_k): the same with Φ for σ (Φ(−x) = 1 − Φ(x) too).
 * Conditional, P(y > k | y > k − 1) = σ(z_k), so P(y > k) = Π_{j ≤ k} σ(z_j):
 *   log p_k = Σ_{j < k} log σ(z_j) + [k < K − 1] log σ(−z_k)
 *   with log σ(x) = −softplus(−x): no product underflows on the way.
 *
 * Backward, for dp = ∂L/∂p (B, K):
 *   cumulative   dẑ_j = σ′(ẑ_j) (dp_{j+1} − dp_j), σ′ = σ(ẑ)σ(−ẑ), added to
 *                dz at the index the running minimum took ẑ_j from
 *   probit       the same with Φ′ = φ, the normal density
 *   conditional  dz_j = σ(−z_j) Σ_{k > j} dp_k p_k − σ(z_j) dp_j p_j
 *
 * Derivation: docs/ordinal_heads.md#class-probabilities. Tests:
 * tests/test_ordinal_heads.c.
 */
#include <stdlib.h>

#include "nn/graph_internal.h"
#include "logistic.h"
#include "normal.h"

#define LOG_HALF (-0.69314718055994530942) /* log ½ */

typedef struct {
    nn_ordinal_logits kind;
} probs_config;

/* F(x) = P(y > k) at x = z_k, and its derivative F′: σ and σ(x)σ(−x), or Φ and φ */
typedef double (*cdf_fn)(double);
static double logistic_density(double x) { return nn_logistic(x) * nn_logistic(-x); }

static void cumulative_row(nn_real *p, const nn_real *z, int K, cdf_fn F) {
    double zh = z[0]; /* ẑ_0 */
    p[0] = (nn_real)F(-zh);
    for (int k = 1; k < K - 1; k++) {
        double prev = zh;
        zh = z[k] < zh ? z[k] : zh; /* ẑ_k = min(ẑ_{k−1}, z_k) */
        p[k] = (nn_real)(zh >= 0 ? F(-zh) - F(-prev) : F(prev) - F(zh));
    }
    p[K - 1] = (nn_real)F(zh);
}

static void conditional_row(nn_real *p, const nn_real *z, int K) {
    double logc = 0; /* log P(y > k − 1) = Σ_{j < k} log σ(z_j) */
    for (int k = 0; k < K - 1; k++) {
        p[k] = (nn_real)exp(logc - nn_softplus(z[k])); /* log σ(−z_k) = −softplus(z_k) */
        logc -= nn_softplus(-(double)z[k]);            /* log σ(z_k) = −softplus(−z_k) */
    }
    p[K - 1] = (nn_real)exp(logc);
}

void nn_ordinal_probs_row(nn_real *p, const nn_real *z, int K, nn_ordinal_logits kind) {
    if (kind == NN_ORDINAL_CONDITIONAL) conditional_row(p, z, K);
    else cumulative_row(p, z, K, kind == NN_ORDINAL_PROBIT ? nn_norm_cdf : nn_logistic);
}

int nn_ordinal_rank_row(const nn_real *z, int K, nn_ordinal_logits kind) {
    int rank = 0;
    double logc = 0;
    for (int k = 0; k < K - 1; k++) {
        if (kind != NN_ORDINAL_CONDITIONAL) {
            rank += z[k] > 0; /* σ(z_k) > ½ ⇔ Φ(z_k) > ½ ⇔ z_k > 0 */
        } else {
            logc -= nn_softplus(-(double)z[k]); /* log P(y > k) */
            rank += logc > LOG_HALF;            /* P(y > k) > ½ */
        }
    }
    return rank;
}

static void probs_forward(nn_graph *g, nn_node *n, int B) {
    const probs_config *c = n->config;
    const nn_real *z = nn_graph_node(g, n->inputs[0])->out; /* (B, K − 1) */
    int K = n->width;
    for (int b = 0; b < B; b++)
        nn_ordinal_probs_row(n->out + (size_t)b * K, z + (size_t)b * (K - 1), K, c->kind);
}

/* dz (K − 1) += the cumulative backward of row z (K − 1) for dp (K) */
static void cumulative_backward(nn_real *dz, const nn_real *z, const nn_real *dp, int K,
                                cdf_fn density) {
    int src = 0; /* the index ẑ_j was taken from */
    for (int j = 0; j < K - 1; j++) {
        if (z[j] < z[src]) src = j;
        /* from p_j = … − F(ẑ_j) and p_{j+1} = F(ẑ_j) − …:
         *   ∂L/∂ẑ_j = F′(ẑ_j) (dp_{j+1} − dp_j) */
        dz[src] += (nn_real)(density(z[src]) * ((double)dp[j + 1] - dp[j]));
    }
}

/* dz (K − 1) += the conditional backward of row z (K − 1), output p (K), dp (K) */
static void conditional_backward(nn_real *dz, const nn_real *z, const nn_real *p,
                                 const nn_real *dp, int K) {
    /* from log p_k = Σ_{j<k} log σ(z_j) + [k < K−1] log σ(−z_k):
     *   ∂p_k/∂z_j = p_k (σ(−z_j) [j < k] − σ(z_j) [j = k]) */
    double above = (double)dp[K - 1] * p[K - 1]; /* Σ_{k > j} dp_k p_k */
    for (int j = K - 2; j >= 0; j--) {
        dz[j] += (nn_real)(nn_logistic(-(double)z[j]) * above -
                           nn_logistic(z[j]) * dp[j] * p[j]);
        above += (double)dp[j] * p[j];
    }
}

static void probs_backward(nn_graph *g, nn_node *n, int B) {
    const probs_config *c = n->config;
    nn_node *in = nn_graph_node(g, n->inputs[0]);
    if (!in->dout) return;
    int K = n->width;
    for (int b = 0; b < B; b++) {
        const nn_real *z = in->out + (size_t)b * (K - 1); /* (K − 1) */
        nn_real *dz = in->dout + (size_t)b * (K - 1);     /* (K − 1) */
        const nn_real *p = n->out + (size_t)b * K;        /* (K) */
        const nn_real *dp = n->dout + (size_t)b * K;      /* (K) */
        if (c->kind == NN_ORDINAL_CONDITIONAL) conditional_backward(dz, z, p, dp, K);
        else cumulative_backward(dz, z, dp, K,
                                 c->kind == NN_ORDINAL_PROBIT ? nn_norm_pdf : logistic_density);
    }
}

static const nn_node_ops probs_ops = {
    .kind = "ordinal_probs",
    .forward = probs_forward,
    .backward = probs_backward,
};

int nn_ordinal_probs(nn_graph *g, int logits, nn_ordinal_logits kind) {
    if (!nn_graph_check_real_input(g, logits, "ordinal_probs")) return -1;
    if (kind != NN_ORDINAL_CUMULATIVE && kind != NN_ORDINAL_CONDITIONAL && kind != NN_ORDINAL_PROBIT) {
        nn_graph_fail(g, "ordinal_probs: unknown kind of logits %d", (int)kind);
        return -1;
    }
    probs_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "ordinal_probs: out of memory");
        return -1;
    }
    c->kind = kind;
    return nn_graph_add_node(g, &probs_ops, &logits, 1, nn_graph_node(g, logits)->width + 1, c);
}

int nn_is_ordinal_probs(const nn_graph *g, int node) {
    return node >= 0 && node < g->n_nodes && g->nodes[node].ops == &probs_ops;
}

int nn_ordinal_probs_kind(const nn_graph *g, int node) {
    if (!g || !nn_is_ordinal_probs(g, node)) return -1;
    return (int)((const probs_config *)g->nodes[node].config)->kind;
}
