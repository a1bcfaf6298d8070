/* loss.c — the shared driver for every loss: row views, batch reduction,
 * and the two gradient modes (see loss.h for the contract).
 *
 * Forward, for rows b = 0..B−1 with sample weight s_b (1 without a weights
 * node) and normaliser share n_b (ops->weight: the label's class weight for
 * class-weighted CE, else 1):
 *   l_b   = ops->value(row b)               stored in out (B, 1)
 *   value = Σ s_b l_b / D,  D = Σ s_b n_b (mean), 1 (sum) or B (batchmean)
 * Backward of `value` (times the loss's coef):
 *   ∂value/∂l_b = s_b / D, and each row's gradient is that factor times the
 *   per-sample gradient from ops, routed by the mode.
 * A target node declared as logits (target_T > 0) is turned into
 * t = softmax(row / target_T) and log t (log-softmax, exact where t
 * underflows) before the rows are formed; the loss sees probabilities.
 */
#include <math.h>
#include <stdlib.h>

#include "loss.h"

typedef struct {
    const nn_loss_ops *ops;
    void *cfg;          /* the family's own settings */
    nn_loss_options opt;
    int simplified;     /* resolved: 1 if gradients go to the logits */
    int on_softmax;     /* the input is a softmax node */
    int K;              /* width of the input */
    int target;         /* target node or -1 */
    int n_labels;       /* classes of a labels target (its width), else 0 */
    double target_T;    /* > 0: the target rows are logits at this temperature */
    int weights;        /* per-sample weights node (B, 1) or -1 */
    double denom;       /* D of the last forward (or nn_graph_set_loss_norms's) */
    double sum;         /* Σ s_b l_b of the last forward */
} loss_node;

static void loss_node_free(void *p) {
    loss_node *L = p;
    if (!L) return;
    if (L->ops->free_config) L->ops->free_config(L->cfg);
    else free(L->cfg);
    free(L);
}

/* Scratch layout, in reals:
 *   logp (max_batch, K)        when on a softmax
 *   t, log t (max_batch, K) ×2 when the target is logits
 *   s (max_batch)              sample weights of the last forward
 *   d (K)                      one gradient row */
static size_t logp_len(const loss_node *L, int max_batch) {
    return L->on_softmax ? (size_t)max_batch * L->K : 0;
}
static size_t target_len(const loss_node *L, int max_batch) {
    return L->target_T > 0 ? (size_t)max_batch * L->K : 0;
}
static nn_real *target_probs(const loss_node *L, nn_real *scratch, int max_batch) {
    return scratch + logp_len(L, max_batch);
}
static nn_real *target_logs(const loss_node *L, nn_real *scratch, int max_batch) {
    return scratch + logp_len(L, max_batch) + target_len(L, max_batch);
}
static nn_real *sample_weights(const loss_node *L, nn_real *scratch, int max_batch) {
    return scratch + logp_len(L, max_batch) + 2 * target_len(L, max_batch);
}
static nn_real *grad_row(const loss_node *L, nn_real *scratch, int max_batch) {
    return sample_weights(L, scratch, max_batch) + max_batch;
}

static size_t loss_scratch(const nn_node *n, int max_batch) {
    const loss_node *L = n->config;
    return logp_len(L, max_batch) + 2 * target_len(L, max_batch) + (size_t)max_batch +
           (size_t)L->K;
}

static void row_view(nn_graph *g, nn_node *n, int b, nn_loss_row *r) {
    const loss_node *L = n->config;
    const nn_node *in = nn_graph_node(g, n->inputs[0]);
    int K = L->K;
    r->K = K;
    r->p = in->out + (size_t)b * K;
    r->logp = L->on_softmax ? n->scratch + (size_t)b * K : NULL;
    r->T = L->on_softmax ? nn_softmax_temperature(g, n->inputs[0]) : 1.0;
    r->label = -1;
    r->target = NULL;
    r->target_logp = NULL;
    r->target_width = 0;
    r->clamped = NULL;
    if (L->target >= 0) {
        const nn_node *t = nn_graph_node(g, L->target);
        if (t->labels) {
            r->label = t->labels[b];
        } else if (L->target_T > 0) {
            r->target = target_probs(L, n->scratch, g->max_batch) + (size_t)b * K;
            r->target_logp = target_logs(L, n->scratch, g->max_batch) + (size_t)b * K;
            r->target_width = K;
        } else {
            r->target = t->out + (size_t)b * t->width;
            r->target_width = t->width;
        }
    }
}

const char *nn_loss_check_distribution(const nn_real *t, int K) {
    double s = 0;
    for (int i = 0; i < K; i++) {
        if (!isfinite(t[i])) return "target probabilities hold a NaN or infinity";
        if (t[i] < 0) return "target probabilities hold a negative entry";
        s += t[i];
    }
    if (fabs(s - 1) > NN_TARGET_SUM_TOL) return "target probabilities do not sum to 1";
    return NULL;
}

/* Turns logit target rows into t = softmax(row/T_t) and log t; 0 on a
 * non-finite logit (after recording the run error). */
static int convert_logit_targets(nn_graph *g, nn_node *n, int B) {
    const loss_node *L = n->config;
    const nn_node *t = nn_graph_node(g, L->target);
    int K = L->K;
    nn_real *tp = target_probs(L, n->scratch, g->max_batch);  /* (B, K) */
    nn_real *tl = target_logs(L, n->scratch, g->max_batch);   /* (B, K) */
    for (int b = 0; b < B; b++) {
        const nn_real *row = t->out + (size_t)b * K;
        for (int i = 0; i < K; i++)
            if (!isfinite(row[i])) {
                nn_graph_run_fail(g, "%s: row %d: target logits hold a NaN or infinity",
                                  L->ops->name, b);
                return 0;
            }
        nn_log_softmax_row(tl + (size_t)b * K, row, K, L->target_T);
        nn_softmax_row(tp + (size_t)b * K, row, K, L->target_T);
    }
    return 1;
}

static void loss_forward(nn_graph *g, nn_node *n, int B) {
    loss_node *L = n->config;
    const nn_node *in = nn_graph_node(g, n->inputs[0]);
    int K = L->K;
    nn_real *s = sample_weights(L, n->scratch, g->max_batch); /* (B) */
    const nn_node *wn = L->weights >= 0 ? nn_graph_node(g, L->weights) : NULL;

    n->loss_value = NAN; /* until every row has passed its checks */
    if (L->on_softmax) { /* log p from the logits z: exact where p underflows */
        const nn_node *z = nn_graph_node(g, in->inputs[0]);
        double T = nn_softmax_temperature(g, n->inputs[0]);
        for (int b = 0; b < B; b++)
            nn_log_softmax_row(n->scratch + (size_t)b * K, z->out + (size_t)b * K, K, T);
    }
    if (L->target_T > 0 && !convert_logit_targets(g, n, B)) return;
    double sum = 0, norm = 0;
    for (int b = 0; b < B; b++) {
        nn_loss_row r;
        row_view(g, n, b, &r);
        if (r.label >= L->n_labels || (r.label < 0 && L->target >= 0 && !r.target)) {
            nn_graph_run_fail(g, "%s: label %d of row %d is outside 0..%d", L->ops->name,
                              (int)r.label, b, L->n_labels - 1);
            return;
        }
        const char *bad = L->ops->check ? L->ops->check(L->cfg, &r) : NULL;
        if (bad) {
            nn_graph_run_fail(g, "%s: row %d: %s", L->ops->name, b, bad);
            return;
        }
        double sb = wn ? wn->out[b] : 1.0;
        if (!(sb >= 0) || !isfinite(sb)) {
            nn_graph_run_fail(g, "%s: row %d: sample weight %g is not a finite number >= 0",
                              L->ops->name, b, sb);
            return;
        }
        double nb = L->ops->weight ? L->ops->weight(L->cfg, &r) : 1.0;
        double l = L->ops->value(L->cfg, &r);
        n->out[b] = (nn_real)l;
        s[b] = (nn_real)sb;
        if (sb != 0) sum += sb * l; /* a zero-weight row never contributes, even if l = inf */
        norm += sb * nb;
    }
    switch (L->opt.reduction) {
    case NN_REDUCE_MEAN: L->denom = norm; break;
    case NN_REDUCE_SUM: L->denom = 1; break;
    case NN_REDUCE_BATCHMEAN: L->denom = B; break;
    }
    /* All weights zero: nothing to average. The value is 0 with no gradient
     * (PyTorch returns NaN here; a NaN would stop training for no reason). */
    L->sum = sum;
    n->loss_value = L->denom != 0 ? sum / L->denom : 0.0;
}

static void loss_backward(nn_graph *g, nn_node *n, int B) {
    loss_node *L = n->config;
    const nn_node *in = nn_graph_node(g, n->inputs[0]);
    int K = L->K;
    const nn_real *s = sample_weights(L, n->scratch, g->max_batch); /* (B) */
    nn_real *d = grad_row(L, n->scratch, g->max_batch);                /* (K) */
    /* simplified: into ∂L/∂z (the softmax's input); jacobian: into ∂L/∂p */
    nn_real *dst = L->simplified ? nn_graph_node(g, in->inputs[0])->dout : in->dout;
    n->clamped = 0;
    if (!dst || L->denom == 0) return;
    /* from value = Σ s_b l_b / D:  ∂value/∂l_b = s_b / D */
    double scale = n->loss_coef / L->denom;
    for (int b = 0; b < B; b++) {
        nn_loss_row r;
        row_view(g, n, b, &r);
        r.clamped = &n->clamped; /* jacobian-mode clamps engaged, this step */
        double f = scale * s[b];
        if (f == 0) continue;
        if (L->simplified) {
            L->ops->grad_logits(L->cfg, &r, d); /* T·∂l/∂z */
            f /= r.T;
        } else {
            L->ops->grad_input(L->cfg, &r, d);  /* ∂l/∂p */
        }
        nn_real *row = dst + (size_t)b * K;
        for (int i = 0; i < K; i++) row[i] += (nn_real)(f * d[i]);
    }
}

static const nn_node_ops loss_ops = {
    .kind = "loss",
    .forward = loss_forward,
    .backward = loss_backward,
    .scratch = loss_scratch,
    .free_config = loss_node_free,
};

int nn_graph_loss_norms(const nn_graph *g, double *norms, double *sums, int cap) {
    int k = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const nn_node *n = &g->nodes[i];
        if (n->ops != &loss_ops) continue;
        const loss_node *L = n->config;
        if (k < cap && norms) norms[k] = L->opt.reduction == NN_REDUCE_SUM ? 0 : L->denom;
        if (k < cap && sums) sums[k] = L->sum;
        k++;
    }
    return k;
}

double nn_graph_loss_from_parts(const nn_graph *g, const double *sums, const double *norms, int n_parts) {
    double total = 0;
    for (int i = 0, k = 0; i < g->n_nodes && k < n_parts; i++) {
        const nn_node *n = &g->nodes[i];
        if (n->ops != &loss_ops) continue;
        const loss_node *L = n->config;
        /* value = Σ s_b l_b / D, as loss_forward; a sum has no D */
        double value = L->opt.reduction == NN_REDUCE_SUM ? sums[k] : norms[k] != 0 ? sums[k] / norms[k] : 0.0;
        total += n->loss_coef * value;
        k++;
    }
    return total;
}

double nn_graph_set_loss_norms(nn_graph *g, const double *norms, int n_norms, double scale) {
    double total = 0;
    for (int i = 0, k = 0; i < g->n_nodes; i++) {
        nn_node *n = &g->nodes[i];
        if (!n->is_loss) continue;
        if (n->ops == &loss_ops && k < n_norms) {
            loss_node *L = n->config;
            /* value = Σ s_b l_b / D with the new D (a failed forward keeps its NaN);
             * a sum's D over the whole batch is 1 */
            if (!isnan(n->loss_value)) {
                L->denom = scale * (L->opt.reduction == NN_REDUCE_SUM ? 1.0 : norms[k]);
                n->loss_value = L->denom != 0 ? L->sum / L->denom : 0.0;
            }
            k++;
        }
        total += n->loss_coef * n->loss_value;
    }
    return total;
}

int nn_graph_losses_average_rows(const nn_graph *g) {
    for (int i = 0; i < g->n_nodes; i++) {
        const nn_node *n = &g->nodes[i];
        if (n->ops != &loss_ops) continue;
        const loss_node *L = n->config;
        /* D = Σ s_b n_b is the row count only with s_b = n_b = 1 */
        int rows = L->opt.reduction == NN_REDUCE_BATCHMEAN ||
                   (L->opt.reduction == NN_REDUCE_MEAN && L->weights < 0 && !L->ops->weight);
        if (!rows) return 0;
    }
    return 1;
}

nn_loss_options nn_loss_defaults(void) {
    return (nn_loss_options){.reduction = NN_REDUCE_MEAN, .mode = NN_GRAD_SIMPLIFIED,
                             .coef = 1.0, .weights = -1};
}

int nn_loss_add(nn_graph *g, const nn_loss_ops *ops, int input, int target, double target_T,
                const nn_loss_options *o, void *cfg) {
    nn_loss_options opt = o ? *o : nn_loss_defaults();
    loss_node *L = calloc(1, sizeof *L);
    if (!L) {
        nn_graph_fail(g, "%s: out of memory", ops->name);
        if (ops->free_config) ops->free_config(cfg);
        else free(cfg);
        return -1;
    }
    L->ops = ops;
    L->cfg = cfg;
    L->opt = opt;
    L->target = target;
    L->weights = opt.weights;
    L->target_T = target_T;
    /* The node's inputs: the prediction, then the target and weights if any. */
    int inputs[3] = {input}, n_inputs = 1;
    if (target >= 0) inputs[n_inputs++] = target;
    if (opt.weights >= 0) inputs[n_inputs++] = opt.weights;
    if (!nn_graph_check_real_input(g, input, ops->name) ||
        (target >= 0 && !nn_graph_check_node(g, target, ops->name)) ||
        (opt.weights >= 0 && !nn_graph_check_node(g, opt.weights, ops->name)))
        goto fail;
    L->K = nn_graph_node(g, input)->width;
    L->on_softmax = nn_is_softmax(g, input);
    if (target >= 0 && nn_is_labels(g, target))
        L->n_labels = nn_graph_node(g, target)->width;
    if (opt.reduction != NN_REDUCE_MEAN && opt.reduction != NN_REDUCE_SUM &&
        opt.reduction != NN_REDUCE_BATCHMEAN) {
        nn_graph_fail(g, "%s: unknown reduction %d", ops->name, (int)opt.reduction);
        goto fail;
    }
    if (opt.mode != NN_GRAD_SIMPLIFIED && opt.mode != NN_GRAD_JACOBIAN) {
        nn_graph_fail(g, "%s: unknown gradient mode %d", ops->name, (int)opt.mode);
        goto fail;
    }
    if (!isfinite(opt.coef)) {
        nn_graph_fail(g, "%s: coef must be finite, got %g", ops->name, opt.coef);
        goto fail;
    }
    if (!(target_T >= 0) || !isfinite(target_T)) {
        nn_graph_fail(g, "%s: target temperature must be 0 (target as given) or positive, got %g",
                      ops->name, target_T);
        goto fail;
    }
    if (target_T > 0 && (target < 0 || nn_is_labels(g, target) ||
                         nn_graph_node(g, target)->width != L->K)) {
        nn_graph_fail(g, "%s: a target given as logits must be a real node of width %d",
                      ops->name, L->K);
        goto fail;
    }
    if (ops->needs_softmax && !L->on_softmax) {
        nn_graph_fail(g, "%s: input node %d is a %s, but this loss needs a softmax node",
                      ops->name, input, nn_node_kind(g, input));
        goto fail;
    }
    if (opt.weights >= 0 && nn_is_labels(g, opt.weights)) {
        nn_graph_fail(g, "%s: the weights node %d is a labels node; weights must be real values",
                      ops->name, opt.weights);
        goto fail;
    }
    if (opt.weights >= 0 && nn_graph_node(g, opt.weights)->width != 1) {
        nn_graph_fail(g, "%s: the weights node must have width 1, got %d", ops->name,
                      nn_graph_node(g, opt.weights)->width);
        goto fail;
    }
    L->simplified = opt.mode == NN_GRAD_SIMPLIFIED && L->on_softmax && ops->grad_logits;
    int id = nn_graph_add_node(g, &loss_ops, inputs, n_inputs, 1, L);
    if (id >= 0) {
        nn_graph_node(g, id)->is_loss = 1;
        nn_graph_node(g, id)->name = ops->name;
        nn_graph_node(g, id)->loss_coef = opt.coef;
    }
    return id;
fail:
    loss_node_free(L);
    return -1;
}
