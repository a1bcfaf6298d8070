/* coral_head.c — the CORAL head: K − 1 logits sharing one weight vector,
 * z_k = ⟨w, h⟩ + b_k (Cao, Mirjalili & Raschka, Pattern Recognition Letters
 * 2020). With w shared, z_k − z_j = b_k − b_j for every input, so ordered
 * biases give ordered P(y > k) = σ(z_k): the rank consistency of the paper.
 *
 * Parameters: w (n_in), b (K − 1).
 * Shapes: h (B, n_in) → z (B, K − 1).
 *
 * Backward, for dz = ∂L/∂z (B, K − 1), with a_b = ⟨w, h_b⟩ and e_b = Σ_k dz_bk:
 *   dw += Σ_b e_b h_b      (n_in)   — the one weight vector collects every task
 *   db += Σ_b dz_b          (K − 1)
 *   dh += e_b w            (B, n_in)
 *
 * Derivation: docs/ordinal_heads.md#the-coral-head. Tests:
 * tests/test_ordinal_heads.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h"

typedef struct {
    int n_in, K; /* K classes: K − 1 outputs */
    nn_init init;
} coral_config;

static size_t coral_n_params(const nn_node *n) {
    const coral_config *c = n->config;
    return (size_t)c->n_in + (size_t)(c->K - 1);
}

/* w as nn_dense with n_out = 1; b_k = log((K − 1 − k)/(k + 1)) so that
 * ⟨w, h⟩ = 0 gives P(y > k) = (K − 1 − k)/K: every class 1/K. */
static void coral_init(nn_node *n, nn_rng *rng) {
    const coral_config *c = n->config;
    nn_real *w = n->params;          /* (n_in) */
    nn_real *b = n->params + c->n_in; /* (K − 1) */
    if (c->init == NN_INIT_HE) {
        double sd = sqrt(2.0 / c->n_in);
        for (int i = 0; i < c->n_in; i++) w[i] = (nn_real)(sd * nn_rng_normal(rng));
    } else if (c->init == NN_INIT_XAVIER) {
        double a = sqrt(6.0 / (c->n_in + 1));
        for (int i = 0; i < c->n_in; i++) w[i] = (nn_real)(a * (2.0 * nn_rng_uniform(rng) - 1.0));
    } else {
        memset(w, 0, (size_t)c->n_in * sizeof *w);
    }
    for (int k = 0; k < c->K - 1; k++) b[k] = (nn_real)log((double)(c->K - 1 - k) / (k + 1));
}

static void coral_forward(nn_graph *g, nn_node *n, int B) {
    const coral_config *c = n->config;
    const nn_real *h = nn_graph_node(g, n->inputs[0])->out; /* (B, n_in) */
    const nn_real *w = n->params;                           /* (n_in) */
    const nn_real *b = n->params + c->n_in;                 /* (K − 1) */
    int M = c->K - 1;
    for (int r = 0; r < B; r++) {
        const nn_real *hr = h + (size_t)r * c->n_in; /* (n_in) */
        nn_real *z = n->out + (size_t)r * M;         /* (K − 1) */
        double a = 0;                                /* a = ⟨w, h⟩ */
        for (int i = 0; i < c->n_in; i++) a += (double)w[i] * hr[i];
        for (int k = 0; k < M; k++) z[k] = (nn_real)(a + b[k]); /* z_k = a + b_k */
    }
}

static void coral_backward(nn_graph *g, nn_node *n, int B) {
    const coral_config *c = n->config;
    nn_node *in = nn_graph_node(g, n->inputs[0]);
    const nn_real *w = n->params;     /* (n_in) */
    nn_real *dw = n->dparams;         /* (n_in) */
    nn_real *db = n->dparams + c->n_in; /* (K − 1) */
    int M = c->K - 1;
    for (int r = 0; r < B; r++) {
        const nn_real *dz = n->dout + (size_t)r * M;      /* (K − 1) */
        const nn_real *hr = in->out + (size_t)r * c->n_in; /* (n_in) */
        double e = 0;
        /* from z_k = a + b_k:  ∂L/∂b_k += dz_k,  ∂L/∂a = Σ_k dz_k */
        for (int k = 0; k < M; k++) {
            db[k] += dz[k];
            e += dz[k];
        }
        /* from a = ⟨w, h⟩:  ∂L/∂w += ∂L/∂a · h,  ∂L/∂h += ∂L/∂a · w */
        for (int i = 0; i < c->n_in; i++) dw[i] += (nn_real)(e * hr[i]);
        if (in->dout) {
            nn_real *dh = in->dout + (size_t)r * c->n_in; /* (n_in) */
            for (int i = 0; i < c->n_in; i++) dh[i] += (nn_real)(e * w[i]);
        }
    }
}

static const nn_node_ops coral_ops = {
    .kind = "coral_head",
    .n_params = coral_n_params,
    .init = coral_init,
    .forward = coral_forward,
    .backward = coral_backward,
};

int nn_coral_head(nn_graph *g, int h, int n_classes, nn_init init) {
    if (!nn_graph_check_real_input(g, h, "coral_head")) return -1;
    if (n_classes < 2) {
        nn_graph_fail(g, "coral_head: needs at least 2 classes, got %d", n_classes);
        return -1;
    }
    if (init != NN_INIT_HE && init != NN_INIT_XAVIER && init != NN_INIT_ZERO) {
        nn_graph_fail(g, "coral_head: unknown initialisation %d", (int)init);
        return -1;
    }
    coral_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "coral_head: out of memory");
        return -1;
    }
    c->n_in = nn_graph_node(g, h)->width;
    c->K = n_classes;
    c->init = init;
    return nn_graph_add_node(g, &coral_ops, &h, 1, n_classes - 1, c);
}
