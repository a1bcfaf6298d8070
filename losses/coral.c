/* coral.c — the CORAL loss (Cao, Mirjalili & Raschka, 2020): K − 1 binary
 * cross-entropies, one per task "y > k", on logits z (B, K − 1), each
 * weighted by its task's importance λ_k (1 unless given).
 *
 * Per sample, with t_k = [y > k] and log σ(x) = −softplus(−x):
 *   l = −Σ_k λ_k [t_k log σ(z_k) + (1 − t_k) log σ(−z_k)]
 *     = Σ_{k < y} λ_k softplus(−z_k) + Σ_{k ≥ y} λ_k softplus(z_k)
 *   ∂l/∂z_k = λ_k (σ(z_k) − t_k)
 * MEAN is the mean over samples of the summed tasks (coral-pytorch's
 * coral_loss with importance_weights and reduction="mean"). Finite at
 * z = ±1e4: softplus never takes log(0).
 *
 * The importance weights of the paper's code (coral-cnn, task_importance_weights):
 *   m_k = √max(n_{y>k}, n − n_{y>k}),   λ_k = m_k / max_j m_j
 * (nn_coral_task_weights), a task whose two sides are unbalanced weighing more.
 *
 * Derivation: docs/ordinal_heads.md#coral. Tests: tests/test_ordinal_heads.c.
 */
#include <math.h>
#include <stdlib.h>

#include "layers/logistic.h"
#include "loss.h"
#include "ordinal_logits.h"

typedef struct {
    int    weighted;   /* 0: every λ_k = 1 */
    double lambda[];   /* (K − 1) */
} coral_config;

static double coral_value(const void *cfg, const nn_loss_row *r) {
    const coral_config *c = cfg;
    double l = 0;
    for (int k = 0; k < r->K; k++) { /* r->K = K − 1 tasks */
        double bce = k < r->label ? nn_softplus(-(double)r->p[k]) : nn_softplus(r->p[k]);
        l += c->weighted ? c->lambda[k] * bce : bce;
    }
    return l;
}

static void coral_grad(const void *cfg, const nn_loss_row *r, nn_real *d) {
    const coral_config *c = cfg;
    /* from l = Σ_{k<y} λ_k softplus(−z_k) + Σ_{k≥y} λ_k softplus(z_k), softplus′ = σ:
     *   ∂l/∂z_k = λ_k (σ(z_k) − [y > k]) */
    for (int k = 0; k < r->K; k++) {
        double g = k < r->label ? -nn_logistic(-(double)r->p[k]) : nn_logistic(r->p[k]);
        d[k] = (nn_real)(c->weighted ? c->lambda[k] * g : g);
    }
}

static const nn_loss_ops coral_ops = {
    .name = "coral", .value = coral_value, .grad_input = coral_grad,
};

int nn_coral_loss(nn_graph *g, int logits, int labels, const nn_loss_options *lo) {
    return nn_coral_loss_weighted(g, logits, labels, NULL, lo);
}

int nn_coral_loss_weighted(nn_graph *g, int logits, int labels, const double *task_weights,
                           const nn_loss_options *lo) {
    if (!nn_ordinal_loss_inputs_ok(g, "coral", logits, labels)) return -1;
    int M = nn_node_width(g, logits); /* K − 1 */
    double total = 0;
    for (int k = 0; task_weights && k < M; k++) {
        if (!(task_weights[k] >= 0) || !isfinite(task_weights[k])) {
            nn_graph_fail(g, "coral: task weight %d is %g; weights are finite and >= 0", k, task_weights[k]);
            return -1;
        }
        total += task_weights[k];
    }
    if (task_weights && !(total > 0)) {
        nn_graph_fail(g, "coral: every task weight is 0, so nothing would be trained");
        return -1;
    }
    coral_config *c = malloc(sizeof *c + (size_t)M * sizeof *c->lambda);
    if (!c) {
        nn_graph_fail(g, "coral: out of memory");
        return -1;
    }
    c->weighted = task_weights != NULL;
    for (int k = 0; k < M; k++) c->lambda[k] = task_weights ? task_weights[k] : 1;
    return nn_loss_add(g, &coral_ops, logits, labels, 0, lo, c);
}

nn_status nn_coral_task_weights(double *w, const int32_t *labels, int n, int K, nn_error *err) {
    if (K < 2) return nn_set_error(err, NN_ERR_ARG, "coral task weights: need at least 2 classes, got %d", K);
    if (n < 1) return nn_set_error(err, NN_ERR_ARG, "coral task weights: no labels to count");
    for (int k = 0; k < K - 1; k++) w[k] = 0; /* n_{y>k} */
    for (int i = 0; i < n; i++) {
        if (labels[i] < 0 || labels[i] >= K)
            return nn_set_error(err, NN_ERR_ARG, "coral task weights: label %d of row %d is not in 0..%d",
                                (int)labels[i], i, K - 1);
        for (int k = 0; k < labels[i] && k < K - 1; k++) w[k] += 1;
    }
    double top = 0;
    for (int k = 0; k < K - 1; k++) { /* m_k = √max(n_{y>k}, n − n_{y>k}) ≥ √(n/2) > 0 */
        w[k] = sqrt(w[k] > n - w[k] ? w[k] : n - w[k]);
        top = w[k] > top ? w[k] : top;
    }
    for (int k = 0; k < K - 1; k++) w[k] /= top; /* λ_k = m_k / max_j m_j */
    return NN_OK;
}
