/* ordinal.c — expected-value losses for ordered categories with values v_i.
 *
 * On a softmax p = softmax(z / T), per sample:
 *   μ = Σ_i v_i p_i            σ² = Σ_i p_i (v_i − μ)²
 *   squared   l = ½ (μ − y)²
 *   absolute  l = |μ − y|      (gradient 0 at μ = y, like sign(0))
 *   variance  l = σ²
 * with y = v_c for a label c, or a real target (B, 1).
 *
 * Derivation (docs/losses.md#ordinal-expected-value-losses). With
 * ∂μ/∂p_i = v_i and ∂σ²/∂p_i = (v_i − μ)² (from the two-pass σ², since
 * Σ p_i (v_i − μ) = 0; see nn_variance_grad_add):
 *   jacobian mode    squared  ∂l/∂p_i = (μ − y) v_i
 *                    absolute ∂l/∂p_i = sign(μ − y) v_i
 *                    variance ∂l/∂p_i = (v_i − μ)²
 *   simplified mode  T·∂μ/∂z_j  = Σ_i v_i p_i (δ_ij − p_j) = p_j (v_j − μ)
 *                    T·∂σ²/∂z_j = Σ_i (v_i − μ)² p_i (δ_ij − p_j)
 *                               = p_j ((v_j − μ)² − σ²)
 *                    so T·∂l/∂z_j = (μ − y) p_j (v_j − μ), sign(μ − y) p_j (v_j − μ),
 *                    p_j ((v_j − μ)² − σ²).
 *
 * On a node of width 1 (an nn_expectation or nn_variance head, or a
 * regression output x) the same losses read μ = x (or σ² = x) directly and
 * send ∂l/∂x = μ − y, sign(μ − y) or 1 back; a head then applies its own
 * ∂μ/∂p. Labels then map to values through `values`, one per class of the
 * labels node.
 */
#include <math.h>
#include <stdlib.h>

#include "layers/category_values.h"
#include "loss.h"

typedef enum { EV_SQUARED, EV_ABSOLUTE, EV_VARIANCE } ev_kind;

typedef struct {
    ev_kind kind;
    double *values; /* (K) on a softmax, (n_labels) for a width-1 input with
                       labels, else NULL */
} ev_config;

static void ev_free(void *p) {
    ev_config *c = p;
    if (c) free(c->values);
    free(c);
}

/* The target y of this row, in value units. */
static double target_value(const ev_config *c, const nn_loss_row *r) {
    return r->target ? (double)r->target[0] : c->values[r->label];
}

/* μ and σ² of the row: from p on a softmax, or the width-1 input itself. */
static void row_moments(const ev_config *c, const nn_loss_row *r, double *mu, double *var) {
    if (r->logp) {
        nn_category_moments(mu, var, r->p, r->K, c->values);
    } else {
        *mu = r->p[0];
        *var = r->p[0];
    }
}

static double sign(double x) { return (x > 0) - (x < 0); }

static double ev_value(const void *cfg, const nn_loss_row *r) {
    const ev_config *c = cfg;
    double mu, var;
    row_moments(c, r, &mu, &var);
    switch (c->kind) {
    case EV_SQUARED: return 0.5 * (mu - target_value(c, r)) * (mu - target_value(c, r));
    case EV_ABSOLUTE: return fabs(mu - target_value(c, r));
    case EV_VARIANCE: return var;
    }
    return NAN;
}

/* ∂l/∂μ (∂l/∂σ² = 1 for the variance) */
static double outer_grad(const ev_config *c, const nn_loss_row *r, double mu) {
    switch (c->kind) {
    case EV_SQUARED: return mu - target_value(c, r);   /* from ½ (μ − y)² */
    case EV_ABSOLUTE: return sign(mu - target_value(c, r)); /* from |μ − y| */
    case EV_VARIANCE: return 1;                        /* from l = σ² */
    }
    return NAN;
}

static void ev_grad_p(const void *cfg, const nn_loss_row *r, nn_real *d) {
    const ev_config *c = cfg;
    double mu, var;
    row_moments(c, r, &mu, &var);
    double g = outer_grad(c, r, mu);
    if (!r->logp) { /* the input is μ (or σ²) itself */
        d[0] = (nn_real)g;
        return;
    }
    if (c->kind == EV_VARIANCE) { /* from σ² = Σ p_i (v_i − μ)²: ∂σ²/∂p_i = (v_i − μ)² */
        for (int i = 0; i < r->K; i++) d[i] = 0;
        nn_variance_grad_add(d, 1, c->values, mu, r->K);
        return;
    }
    /* from μ = Σ v_i p_i:  ∂l/∂p_i = ∂l/∂μ · v_i */
    for (int i = 0; i < r->K; i++) d[i] = (nn_real)(g * c->values[i]);
}

/* closed forms: T·∂μ/∂z_j = p_j (v_j − μ),  T·∂σ²/∂z_j = p_j ((v_j − μ)² − σ²) */
static void ev_grad_z(const void *cfg, const nn_loss_row *r, nn_real *d) {
    const ev_config *c = cfg;
    double mu, var;
    row_moments(c, r, &mu, &var);
    double g = outer_grad(c, r, mu);
    for (int i = 0; i < r->K; i++) {
        double dv = c->values[i] - mu;
        d[i] = (nn_real)(c->kind == EV_VARIANCE ? r->p[i] * (dv * dv - var)
                                                : g * r->p[i] * dv);
    }
}

static const char *ev_check(const void *cfg, const nn_loss_row *r) {
    (void)cfg;
    if (r->target && !isfinite(r->target[0])) return "target value is NaN or infinite";
    return NULL;
}

static const nn_loss_ops ev_ops[3] = {
    [EV_SQUARED] = {.name = "ev_squared", .value = ev_value, .grad_input = ev_grad_p,
                    .grad_logits = ev_grad_z, .check = ev_check, .free_config = ev_free},
    [EV_ABSOLUTE] = {.name = "ev_absolute", .value = ev_value, .grad_input = ev_grad_p,
                     .grad_logits = ev_grad_z, .check = ev_check, .free_config = ev_free},
    [EV_VARIANCE] = {.name = "ev_variance", .value = ev_value, .grad_input = ev_grad_p,
                     .grad_logits = ev_grad_z, .check = ev_check, .free_config = ev_free},
};

static int ev_add(nn_graph *g, ev_kind kind, int x, int target, const double *values,
                  const nn_loss_options *lo) {
    const char *who = ev_ops[kind].name;
    if (!nn_graph_check_node(g, x, who) || (target >= 0 && !nn_graph_check_node(g, target, who)))
        return -1;
    if (kind != EV_VARIANCE && target < 0) {
        nn_graph_fail(g, "%s: a target node is required, got %d", who, target);
        return -1;
    }
    int on_softmax = nn_is_softmax(g, x), K = nn_node_width(g, x);
    int labels = nn_is_labels(g, target);
    if (!on_softmax && K != 1) {
        nn_graph_fail(g, "%s: the input must be a softmax node or have width 1 (a μ head), "
                      "but node %d is a %s of width %d", who, x, nn_node_kind(g, x), K);
        return -1;
    }
    if (target >= 0 && !labels && nn_node_width(g, target) != 1) {
        nn_graph_fail(g, "%s: the target must be a labels node or a real node (B, 1), got a "
                      "%s of width %d", who, nn_node_kind(g, target), nn_node_width(g, target));
        return -1;
    }
    if (labels && on_softmax && nn_node_width(g, target) != K) {
        nn_graph_fail(g, "%s: the softmax has %d classes but the labels node has %d", who, K,
                      nn_node_width(g, target));
        return -1;
    }
    /* the values: one per class of the softmax, or of the labels when x is μ */
    int n_values = on_softmax ? K : labels ? nn_node_width(g, target) : 0;
    if (values && n_values == 0) {
        nn_graph_fail(g, "%s: category values were given but nothing uses them (the input "
                      "has width 1 and the target is real)", who);
        return -1;
    }
    ev_config *c = calloc(1, sizeof *c);
    if (!c) {
        nn_graph_fail(g, "%s: out of memory", who);
        return -1;
    }
    c->kind = kind;
    if (n_values > 0 && !(c->values = nn_category_values(g, who, values, n_values))) {
        free(c);
        return -1;
    }
    return nn_loss_add(g, &ev_ops[kind], x, target, 0, lo, c);
}

int nn_ev_squared(nn_graph *g, int x, int target, const double *values,
                  const nn_loss_options *lo) {
    return ev_add(g, EV_SQUARED, x, target, values, lo);
}

int nn_ev_absolute(nn_graph *g, int x, int target, const double *values,
                   const nn_loss_options *lo) {
    return ev_add(g, EV_ABSOLUTE, x, target, values, lo);
}

int nn_ev_variance(nn_graph *g, int x, const double *values, const nn_loss_options *lo) {
    return ev_add(g, EV_VARIANCE, x, -1, values, lo);
}

nn_mean_variance_options nn_mean_variance_defaults(void) {
    return (nn_mean_variance_options){.lambda1 = 0.2, .lambda2 = 0.05, .values = NULL};
}

int nn_mean_variance(nn_graph *g, int p, int labels, const nn_mean_variance_options *mo,
                     const nn_loss_options *lo, nn_mean_variance_nodes *out) {
    nn_mean_variance_nodes ids = {-1, -1, -1};
    if (out) *out = ids;
    nn_mean_variance_options m = mo ? *mo : nn_mean_variance_defaults();
    if (!nn_graph_check_node(g, p, "mean_variance") ||
        !nn_graph_check_node(g, labels, "mean_variance"))
        return -1;
    if (!out) {
        nn_graph_fail(g, "mean_variance: the output struct must not be NULL");
        return -1;
    }
    if (!nn_is_softmax(g, p) || !nn_is_labels(g, labels)) {
        nn_graph_fail(g, "mean_variance: needs a softmax node and a labels node, got a %s and "
                      "a %s", nn_node_kind(g, p), nn_node_kind(g, labels));
        return -1;
    }
    if (!isfinite(m.lambda1) || !isfinite(m.lambda2) || m.lambda1 < 0 || m.lambda2 < 0) {
        nn_graph_fail(g, "mean_variance: lambda1 and lambda2 must be finite and >= 0, got %g "
                      "and %g", m.lambda1, m.lambda2);
        return -1;
    }
    nn_loss_options o = lo ? *lo : nn_loss_defaults(), om = o, ov = o;
    om.coef *= m.lambda1;
    ov.coef *= m.lambda2;
    nn_ce_options co = nn_ce_defaults();
    co.class_weights = m.class_weights;
    ids.cross_entropy = nn_cross_entropy_ex(g, p, labels, &co, &o);
    ids.mean = nn_ev_squared(g, p, labels, m.values, &om);
    ids.variance = nn_ev_variance(g, p, m.values, &ov);
    if (ids.cross_entropy < 0 || ids.mean < 0 || ids.variance < 0) return -1;
    *out = ids;
    return ids.cross_entropy;
}
