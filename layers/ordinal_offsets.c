/* ordinal_offsets.c — K − 1 threshold logits from one score:
 * z_0 = a, z_k = a + b_k (k = 1 … K − 2).
 *
 * With a = ⟨w, h⟩ + c from a dense layer of width 1, this is CORAL's head
 * z_k = ⟨w, h⟩ + β_k (Cao et al., 2020) with β_0 = c and β_k = c + b_k: the
 * same function and the same number of parameters (n_in + K − 1), stored as
 * a dense layer and K − 2 offsets, which is how a model file keeps it.
 *
 * Parameters: b_1 … b_{K−2}. Shapes: a (B, 1) → z (B, K − 1).
 * Backward, for dz (B, K − 1):
 *   da_b += Σ_k dz_bk        db_k += Σ_b dz_bk
 *
 * Derivation: docs/ordinal_heads.md#the-coral-head. Tests:
 * tests/test_ordinal_heads.c, tests/test_input_grad.c.
 */
#include <math.h>
#include <stdlib.h>

#include "nn/graph_internal.h"

typedef struct {
    int K;
} offsets_config;

static size_t offsets_n_params(const nn_node *n) {
    return (size_t)(((const offsets_config *)n->config)->K - 2);
}

/* b_k = β_k − β_0 for CORAL's initial biases β_k = log((K − 1 − k)/(k + 1))
 * (nn_coral_head): at a = β_0 every class has probability 1/K. */
static void offsets_init(nn_node *n, nn_rng *rng) {
    (void)rng;
    int K = ((const offsets_config *)n->config)->K;
    double beta0 = log((double)(K - 1));
    for (int k = 1; k < K - 1; k++) n->params[k - 1] = (nn_real)(log((double)(K - 1 - k) / (k + 1)) - beta0);
}

static void offsets_forward(nn_graph *g, nn_node *n, int B) {
    int M = n->width;
    const nn_real *a = nn_graph_node(g, n->inputs[0])->out; /* (B, 1) */
    for (int r = 0; r < B; r++) {
        nn_real *z = n->out + (size_t)r * M; /* (K − 1) */
        z[0] = a[r];                                             /* z_0 = a */
        for (int k = 1; k < M; k++) z[k] = a[r] + n->params[k - 1]; /* z_k = a + b_k */
    }
}

static void offsets_backward(nn_graph *g, nn_node *n, int B) {
    int M = n->width;
    nn_node *in = nn_graph_node(g, n->inputs[0]);
    for (int r = 0; r < B; r++) {
        const nn_real *dz = n->dout + (size_t)r * M; /* (K − 1) */
        double e = 0;
        for (int k = 0; k < M; k++) {
            e += dz[k];                                  /* from z_k = a + …: ∂L/∂a += dz_k */
            if (k > 0) n->dparams[k - 1] += dz[k];       /* from z_k = a + b_k: ∂L/∂b_k += dz_k */
        }
        if (in->dout) in->dout[r] += (nn_real)e;
    }
}

static const nn_node_ops offsets_ops = {
    .kind = "ordinal_offsets",
    .n_params = offsets_n_params,
    .init = offsets_init,
    .forward = offsets_forward,
    .backward = offsets_backward,
};

int nn_ordinal_offsets(nn_graph *g, int score, int n_classes) {
    if (!nn_graph_check_real_input(g, score, "ordinal_offsets")) return -1;
    if (nn_graph_node(g, score)->width != 1) {
        nn_graph_fail(g, "ordinal_offsets: the score must have width 1, but node %d is a %s of "
                      "width %d", score, nn_node_kind(g, score), nn_graph_node(g, score)->width);
        return -1;
    }
    if (n_classes < 2) {
        nn_graph_fail(g, "ordinal_offsets: needs at least 2 classes, got %d", n_classes);
        return -1;
    }
    offsets_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "ordinal_offsets: out of memory");
        return -1;
    }
    c->K = n_classes;
    return nn_graph_add_node(g, &offsets_ops, &score, 1, n_classes - 1, c);
}
