/* dense.c — fully connected layer, y = x Wᵀ + b.
 *
 * Parameters, in the order torch.nn.Linear stores them:
 *   W (n_out, n_in), b (n_out)
 * Shapes:  x (B, n_in)  →  y (B, n_out)
 *
 * Backward, for dy = ∂L/∂y (B, n_out):
 *   dW += dyᵀ x      (n_out, n_in)
 *   db += Σ_b dy     (n_out)
 *   dx += dy W       (B, n_in), skipped when nothing upstream needs it
 * All three are sgemm calls (or plain sums), so the layer runs at BLAS speed.
 *
 * Derivation: docs/dense.md. Tests: tests/test_layers.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/blas.h"
#include "nn/graph_internal.h"

typedef struct {
    int n_in, n_out;
    nn_init init;
} dense_config;

static size_t dense_n_params(const nn_node *n) {
    const dense_config *c = n->config;
    return (size_t)c->n_out * (size_t)c->n_in + (size_t)c->n_out;
}

/* He: N(0, 2/n_in), for ReLU (He et al., 2015).
 * Xavier: U(±sqrt(6/(n_in+n_out))) (Glorot & Bengio, 2010). Biases start at 0. */
static void dense_init(nn_node *n, nn_rng *rng) {
    const dense_config *c = n->config;
    nn_real *W = n->params;                              /* (n_out, n_in) */
    nn_real *b = n->params + (size_t)c->n_out * c->n_in; /* (n_out) */
    size_t nw = (size_t)c->n_out * c->n_in;
    if (c->init == NN_INIT_HE) {
        double sd = sqrt(2.0 / c->n_in);
        for (size_t i = 0; i < nw; i++) W[i] = (nn_real)(sd * nn_rng_normal(rng));
    } else if (c->init == NN_INIT_XAVIER) {
        double a = sqrt(6.0 / (c->n_in + c->n_out));
        for (size_t i = 0; i < nw; i++) W[i] = (nn_real)(a * (2.0 * nn_rng_uniform(rng) - 1.0));
    } else {
        memset(W, 0, nw * sizeof *W);
    }
    memset(b, 0, (size_t)c->n_out * sizeof *b);
}

/* y = x Wᵀ + b */
static void dense_forward_kernel(nn_real *y,        /* (B, n_out) */
                                 const nn_real *x,  /* (B, n_in) */
                                 const nn_real *W,  /* (n_out, n_in) */
                                 const nn_real *b,  /* (n_out) */
                                 int B, int n_in, int n_out) {
    /* y = b (broadcast over rows), then y += x Wᵀ */
    for (int r = 0; r < B; r++) memcpy(y + (size_t)r * n_out, b, (size_t)n_out * sizeof *y);
    nn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, n_out, n_in,
            1, x, n_in, W, n_in, 1, y, n_out);
}

/* dx += dy W, dW += dyᵀ x, db += Σ_rows dy; dx may be NULL (not needed) */
static void dense_backward_kernel(nn_real *dx,       /* (B, n_in) or NULL */
                                  nn_real *dW,       /* (n_out, n_in) */
                                  nn_real *db,       /* (n_out) */
                                  const nn_real *dy, /* (B, n_out) */
                                  const nn_real *x,  /* (B, n_in) */
                                  const nn_real *W,  /* (n_out, n_in) */
                                  int B, int n_in, int n_out) {
    /* from y = x Wᵀ:  ∂L/∂W = dyᵀ x */
    nn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n_in, B,
            1, dy, n_out, x, n_in, 1, dW, n_in);
    /* from y += b (every row):  ∂L/∂b = Σ_rows dy */
    for (int r = 0; r < B; r++) {
        const nn_real *row = dy + (size_t)r * n_out;
        for (int o = 0; o < n_out; o++) db[o] += row[o];
    }
    /* from y = x Wᵀ:  ∂L/∂x = dy W */
    if (dx)
        nn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n_in, n_out,
                1, dy, n_out, W, n_in, 1, dx, n_in);
}

/* The node's parameters are W (n_out, n_in) then b (n_out), in one block. */
static void dense_forward(nn_graph *g, nn_node *n, int B) {
    const dense_config *c = n->config;
    const nn_real *W = n->params, *b = W + (size_t)c->n_out * c->n_in;
    dense_forward_kernel(n->out, nn_graph_node(g, n->inputs[0])->out, W, b, B, c->n_in,
                         c->n_out);
}

static void dense_backward(nn_graph *g, nn_node *n, int B) {
    const dense_config *c = n->config;
    const nn_node *in = nn_graph_node(g, n->inputs[0]);
    nn_real *dW = n->dparams, *db = dW + (size_t)c->n_out * c->n_in;
    dense_backward_kernel(in->dout, dW, db, n->dout, in->out, n->params, B, c->n_in, c->n_out);
}

static const nn_node_ops dense_ops = {
    .kind = "dense",
    .n_params = dense_n_params,
    .init = dense_init,
    .forward = dense_forward,
    .backward = dense_backward,
};

int nn_dense(nn_graph *g, int x, int n_out, nn_init init) {
    if (!nn_graph_check_real_input(g, x, "dense")) return -1;
    if (n_out < 1) {
        nn_graph_fail(g, "dense: n_out must be at least 1, got %d", n_out);
        return -1;
    }
    if (init != NN_INIT_HE && init != NN_INIT_XAVIER && init != NN_INIT_ZERO) {
        nn_graph_fail(g, "dense: unknown initialisation %d", (int)init);
        return -1;
    }
    dense_config *c = malloc(sizeof *c);
    if (!c) {
        nn_graph_fail(g, "dense: out of memory");
        return -1;
    }
    c->n_in = nn_graph_node(g, x)->width;
    c->n_out = n_out;
    c->init = init;
    return nn_graph_add_node(g, &dense_ops, &x, 1, n_out, c);
}
