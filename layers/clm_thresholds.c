/* clm_thresholds.c — the ordered thresholds of a cumulative-link model:
 * z_k = s − θ_k, so P(y ≤ k) = F(θ_k − s) and P(y > k) = F(z_k), with F the
 * logistic function σ (logit link, proportional odds) or the standard normal
 * Φ (probit link). The link only changes the initial thresholds here; the
 * loss (losses/clm.c) and the probabilities (ordinal_probs.c) apply F.
 *
 * Thresholds are kept ordered by construction:
 *   θ_0 = t,   θ_k = θ_{k−1} + d_k,   d_k = softplus(r_k) > 0,
 * so any parameter values give θ_0 < … < θ_{K−2} and no class gets a
 * negative probability.
 *
 * Parameters: t, r_1 … r_{K−2} (K − 1 values, r stored after t).
 * Shapes: s (B, 1) → z (B, K − 1). Scratch: θ (K − 1), d (K − 1).
 *
 * Backward, for dz = ∂L/∂z (B, K − 1):
 *   ds_b += Σ_k dz_bk
 *   dθ_k  = −Σ_b dz_bk,   G_k = Σ_{m ≥ k} dθ_m
 *   dt   += G_0,          dr_k += σ(r_k) G_k      (softplus′ = σ)
 *
 * Derivation: docs/ordinal_heads.md#the-cumulative-link-head. Tests:
 * tests/test_ordinal_heads.c.
 */
#include <math.h>
#include <stdlib.h>

#include "clm_thresholds.h"
#include "logistic.h"
#include "normal.h"

typedef struct {
    int K; /* classes: K − 1 thresholds */
    nn_clm_link link;
} clm_config;

static size_t clm_n_params(const nn_node *n) {
    return (size_t)(((const clm_config *)n->config)->K - 1);
}

static size_t clm_scratch(const nn_node *n, int max_batch) {
    (void)max_batch;
    return 2 * clm_n_params(n);
}

/* θ_k = F⁻¹((k + 1)/K): logit((k + 1)/K) = log((k + 1)/(K − 1 − k)), or
 * Φ⁻¹((k + 1)/K); at s = 0, P(y ≤ k) = (k + 1)/K, every class 1/K.
 * r_k = softplus⁻¹(d_k) = log(expm1(d_k)). */
static double initial_threshold(const clm_config *c, int k) {
    if (c->link == NN_LINK_PROBIT) return nn_norm_quantile((double)(k + 1) / c->K);
    return log((double)(k + 1) / (c->K - 1 - k));
}

static void clm_init(nn_node *n, nn_rng *rng) {
    (void)rng;
    const clm_config *c = n->config;
    nn_real *t = n->params, *r = n->params + 1; /* t, then r_1 … r_{K−2} */
    double prev = initial_threshold(c, 0);
    t[0] = (nn_real)prev;
    for (int k = 1; k < c->K - 1; k++) {
        double theta = initial_threshold(c, k);
        r[k - 1] = (nn_real)log(expm1(theta - prev));
        prev = theta;
    }
}

static void clm_forward(nn_graph *g, nn_node *n, int B) {
    int M = ((const clm_config *)n->config)->K - 1;
    const nn_real *s = nn_graph_node(g, n->inputs[0])->out; /* (B, 1) */
    const nn_real *t = n->params, *r = n->params + 1;      /* t, r (K − 2) */
    nn_real *theta = n->scratch, *d = n->scratch + M;       /* (K − 1) each */
    theta[0] = t[0]; /* θ_0 = t */
    d[0] = 0;
    for (int k = 1; k < M; k++) {
        d[k] = (nn_real)nn_softplus(r[k - 1]);     /* d_k = softplus(r_k) */
        theta[k] = theta[k - 1] + d[k];            /* θ_k = θ_{k−1} + d_k */
    }
    for (int b = 0; b < B; b++)
        for (int k = 0; k < M; k++) n->out[(size_t)b * M + k] = s[b] - theta[k]; /* z_k = s − θ_k */
}

static void clm_backward(nn_graph *g, nn_node *n, int B) {
    int M = ((const clm_config *)n->config)->K - 1;
    nn_node *in = nn_graph_node(g, n->inputs[0]);
    const nn_real *r = n->params + 1;                        /* (K − 2) */
    nn_real *dt = n->dparams, *dr = n->dparams + 1;          /* 1, (K − 2) */
    double G = 0; /* G_k = Σ_{m ≥ k} dθ_m, built from the top down */
    for (int k = M - 1; k >= 0; k--) {
        /* from z_bk = s_b − θ_k:  ∂L/∂θ_k = −Σ_b dz_bk */
        for (int b = 0; b < B; b++) G -= n->dout[(size_t)b * M + k];
        /* from θ_k = θ_{k−1} + softplus(r_k):  ∂L/∂r_k += σ(r_k) Σ_{m ≥ k} ∂L/∂θ_m */
        if (k > 0) dr[k - 1] += (nn_real)(nn_logistic(r[k - 1]) * G);
    }
    dt[0] += (nn_real)G; /* from θ_0 = t (every θ_k contains t) */
    if (in->dout)
        for (int b = 0; b < B; b++) { /* from z_bk = s_b − θ_k:  ∂L/∂s_b += Σ_k dz_bk */
            double e = 0;
            for (int k = 0; k < M; k++) e += n->dout[(size_t)b * M + k];
            in->dout[b] += (nn_real)e;
        }
}

static const nn_node_ops clm_ops = {
    .kind = "clm_thresholds",
    .n_params = clm_n_params,
    .init = clm_init,
    .forward = clm_forward,
    .backward = clm_backward,
    .scratch = clm_scratch,
};

int nn_clm_thresholds(nn_graph *g, int score, int n_classes) {
    return nn_clm_thresholds_link(g, score, n_classes, NN_LINK_LOGIT);
}

int nn_clm_thresholds_link(nn_graph *g, int score, int n_classes, nn_clm_link link) {
    if (!nn_graph_check_real_input(g, score, "clm_thresholds")) return -1;
    if (nn_graph_node(g, score)->width != 1) {
        nn_graph_fail(g, "clm_thresholds: the score must have width 1, but node %d is a %s of "
                      "width %d", score, nn_node_kind(g, score), nn_graph_node(g, score)->width);
        return -1;
    }
    if (n_classes < 2) {
        nn_graph_fail(g, "clm_thresholds: needs at least 2 classes, got %d", n_classes);
        return -1;
    }
    if (link != NN_LINK_LOGIT && link != NN_LINK_PROBIT) {
        nn_graph_fail(g, "clm_thresholds: unknown link %d (NN_LINK_LOGIT or NN_LINK_PROBIT)", (int)link);
        return -1;
    }
    clm_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "clm_thresholds: out of memory");
        return -1;
    }
    c->K = n_classes;
    c->link = link;
    return nn_graph_add_node(g, &clm_ops, &score, 1, n_classes - 1, c);
}

int nn_is_clm_thresholds(const nn_graph *g, int node) {
    return node >= 0 && node < g->n_nodes && g->nodes[node].ops == &clm_ops;
}

const nn_real *nn_clm_gaps(const nn_graph *g, int node) {
    int M = ((const clm_config *)g->nodes[node].config)->K - 1;
    return g->nodes[node].scratch + M;
}

nn_clm_link nn_clm_link_of(const nn_graph *g, int node) {
    return ((const clm_config *)g->nodes[node].config)->link;
}
