/* clm.c — negative log-likelihood of a cumulative-link model, on the logits
 * z (B, K − 1) of an nn_clm_thresholds node: z_k = s − θ_k,
 * P(y ≤ k) = F(θ_k − s) = F(−z_k), F = σ (logit link: proportional odds) or
 * F = Φ (probit link), as the node says.
 *
 * Logit link.
 *
 * P(y = k) = σ(−z_k) − σ(−z_{k−1}), a difference of two probabilities that
 * loses every digit in the tails. Its log is taken without the difference:
 * with d_k = θ_k − θ_{k−1} = z_{k−1} − z_k > 0,
 *   σ(−z_k) − σ(−z_{k−1}) = σ(−z_k) σ(z_{k−1}) (1 − e^{−d_k})
 * so, per sample of class y (the gap term only where 0 < y < K − 1),
 *   l = [y < K−1] softplus(z_y) + [y > 0] softplus(−z_{y−1}) − log(−expm1(−d_y))
 * The gap d_y is read from the thresholds node, where it is softplus(r_y)
 * (exact), not z_{y−1} − z_y (which keeps few digits when |s| ≫ d in float).
 * It is floored at NN_CLM_MIN_GAP so that a gap underflowed to 0 gives a
 * large finite loss (−log(1 − e^{−1e-30}) ≈ 69) instead of +inf.
 *
 * Gradient with respect to z (the thresholds node maps it to s and θ), using
 * ∂d_y/∂z_{y−1} = 1, ∂d_y/∂z_y = −1 and ∂ log(1 − e^{−d})/∂d = 1/expm1(d) = c:
 *   ∂l/∂z_y     = σ(z_y) + c          (y < K − 1; c only for y > 0)
 *   ∂l/∂z_{y−1} = −σ(−z_{y−1}) − c    (y > 0;     c only for y < K − 1)
 *
 * Probit link. With a = −z_{y−1} = θ_{y−1} − s and b = −z_y = θ_y − s,
 *   l = −log(Φ(b) − Φ(a))     (Φ(a) = 0 for y = 0, Φ(b) = 1 for y = K − 1)
 * is computed by nn_norm_log_diff from b and the exact gap d_y = b − a: in
 * the tails through erfcx, never as a difference of two numbers near 0 or 1
 * (layers/normal.c). With P = Φ(b) − Φ(a), ∂P/∂b = φ(b), ∂P/∂a = −φ(a):
 *   ∂l/∂z_y = φ(b)/P,   ∂l/∂z_{y−1} = −φ(a)/P
 * and for the end classes l = −log Φ(−z_0), ∂l/∂z_0 = M(−z_0), and
 * l = −log Φ(z_{K−2}), ∂l/∂z_{K−2} = −M(z_{K−2}), M(x) = φ(x)/Φ(x).
 *
 * Derivation: docs/ordinal_heads.md#cumulative-link-nll. Tests:
 * tests/test_losses_ordinal_heads.c.
 */
#include <math.h>
#include <stdlib.h>

#include "layers/clm_thresholds.h"
#include "layers/logistic.h"
#include "layers/normal.h"
#include "loss.h"
#include "ordinal_logits.h"

/* Smallest gap the loss uses (see the header). */
#define NN_CLM_MIN_GAP 1e-30

typedef struct {
    const nn_graph *g; /* the graph and the thresholds node the gaps come from */
    int thresholds;
    nn_clm_link link;  /* the node's */
} clm_config;

static double gap(const clm_config *c, int y) {
    double d = nn_clm_gaps(c->g, c->thresholds)[y];
    return d > NN_CLM_MIN_GAP ? d : NN_CLM_MIN_GAP;
}

/* Probit: l and, when d is not NULL, ∂l/∂z (K − 1). */
static double probit_row(const clm_config *c, const nn_loss_row *r, nn_real *d) {
    int y = r->label, M = r->K;
    double l, g_lo = 0, g_hi = 0; /* ∂l/∂z_{y−1}, ∂l/∂z_y */
    if (y == 0) { /* l = −log Φ(−z_0) */
        l = -nn_norm_logcdf(-(double)r->p[0]);
        g_hi = nn_norm_mills(-(double)r->p[0]);
    } else if (y == M) { /* l = −log Φ(z_{K−2}) */
        l = -nn_norm_logcdf(r->p[M - 1]);
        g_lo = -nn_norm_mills(r->p[M - 1]);
    } else { /* l = −log(Φ(b) − Φ(a)), a = −z_{y−1}, b = −z_y */
        double ga, gb;
        l = -nn_norm_log_diff(-(double)r->p[y - 1], -(double)r->p[y], gap(c, y), &ga, &gb);
        g_lo = -ga; /* ∂l/∂a = φ(a)/P, ∂a/∂z_{y−1} = −1 */
        g_hi = gb;  /* ∂l/∂b = −φ(b)/P, ∂b/∂z_y = −1 */
    }
    if (d) {
        for (int k = 0; k < M; k++) d[k] = 0;
        if (y > 0) d[y - 1] = (nn_real)g_lo;
        if (y < M) d[y] = (nn_real)g_hi;
    }
    return l;
}

static double clm_value(const void *cfg, const nn_loss_row *r) {
    const clm_config *c = cfg;
    if (c->link == NN_LINK_PROBIT) return probit_row(c, r, NULL);
    int y = r->label, M = r->K; /* M = K − 1 thresholds */
    double l = 0;
    if (y < M) l += nn_softplus(r->p[y]);                 /* −log σ(−z_y) */
    if (y > 0) l += nn_softplus(-(double)r->p[y - 1]);    /* −log σ(z_{y−1}) */
    if (y > 0 && y < M) l -= log(-expm1(-gap(c, y)));     /* −log(1 − e^{−d_y}) */
    return l;
}

static void clm_grad(const void *cfg, const nn_loss_row *r, nn_real *d) {
    const clm_config *c = cfg;
    if (c->link == NN_LINK_PROBIT) {
        probit_row(c, r, d);
        return;
    }
    int y = r->label, M = r->K;
    /* from −log(1 − e^{−d}), d = z_{y−1} − z_y:  ∂/∂d = −1/expm1(d) = −cg */
    double cg = y > 0 && y < M ? 1.0 / expm1(gap(c, y)) : 0;
    for (int k = 0; k < M; k++) d[k] = 0;
    /* from softplus(z_y):  σ(z_y);  from the gap:  +cg */
    if (y < M) d[y] = (nn_real)(nn_logistic(r->p[y]) + cg);
    /* from softplus(−z_{y−1}):  −σ(−z_{y−1});  from the gap:  −cg */
    if (y > 0) d[y - 1] = (nn_real)(-nn_logistic(-(double)r->p[y - 1]) - cg);
}

static const nn_loss_ops clm_ops = {
    .name = "clm", .value = clm_value, .grad_input = clm_grad,
};

int nn_clm_loss(nn_graph *g, int thresholds, int labels, const nn_loss_options *lo) {
    if (!nn_ordinal_loss_inputs_ok(g, "clm", thresholds, labels)) return -1;
    if (!nn_is_clm_thresholds(g, thresholds)) {
        nn_graph_fail(g, "clm: input node %d is a %s, but this loss needs an nn_clm_thresholds "
                      "node (it reads the ordered gaps from it)", thresholds,
                      nn_node_kind(g, thresholds));
        return -1;
    }
    clm_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "clm: out of memory");
        return -1;
    }
    c->g = g;
    c->thresholds = thresholds;
    c->link = nn_clm_link_of(g, thresholds);
    return nn_loss_add(g, &clm_ops, thresholds, labels, 0, lo, c);
}
