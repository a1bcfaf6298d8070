/* dropout.c — inverted dropout (Srivastava et al., 2014), as torch.nn.Dropout.
 *
 * In training mode each value is kept with probability 1 − p and scaled by
 * 1/(1 − p), or set to 0; in evaluation mode (nn_graph_set_training(g, 0))
 * the layer is the identity. The scaling at training time keeps E[y] = x,
 * so nothing changes at evaluation.
 *   forward   m_i = [u_i ≥ p] / (1 − p),  u_i uniform in [0, 1)
 *             y_i = x_i · m_i
 *   backward  dx_i += dy_i · m_i
 * Shapes: x (B, W) → y (B, W); the mask m (max_batch, W) is the node's
 * scratch, allocated once by nn_graph_compile. The draws come from the
 * graph's generator (nn_graph_rng), one 32-bit number per value, so a run is
 * repeated exactly by restoring that generator (checkpoints keep it).
 *
 * Derivation: docs/dropout.md. Tests: tests/test_dropout.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h"

typedef struct {
    double   p;         /* drop probability in [0, 1) */
    uint32_t threshold; /* keep iff a uniform u32 >= threshold: P(keep) = 1 − p (to 2⁻³²) */
    nn_real  scale;     /* 1 / (1 − p) */
    int      masked;    /* 1 if the last forward applied a mask (training, p > 0) */
} dropout_config;

/* One step of PCG32, the same as nn_rng_u32 (rng.c) — inlined here, since a
 * call per value would cost more than the rest of the layer (the test checks
 * the masks against nn_rng_u32's draws). */
static inline uint32_t pcg32_next(uint64_t *state, uint64_t inc) {
    uint64_t old = *state;
    *state = old * 6364136223846793005ULL + inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

static size_t dropout_scratch(const nn_node *n, int max_batch) {
    return (size_t)max_batch * (size_t)n->width; /* the mask (max_batch, W) */
}

static void dropout_forward(nn_graph *g, nn_node *n, int B) {
    dropout_config *c = n->config;
    const nn_real *x = nn_graph_node(g, n->inputs[0])->out; /* (B, W) */
    nn_real *y = n->out, *m = n->scratch;                  /* (B, W) */
    size_t len = (size_t)B * n->width;
    c->masked = g->training && c->p > 0;
    if (!c->masked) { /* evaluation, or p = 0: y = x, no draws */
        memcpy(y, x, len * sizeof *y);
        return;
    }
    const uint32_t t = c->threshold;
    const nn_real scale = c->scale;
    uint64_t state = g->rng.state; /* in a register for the loop, stored back below */
    const uint64_t inc = g->rng.inc;
    for (size_t i = 0; i < len; i++) m[i] = pcg32_next(&state, inc) >= t ? scale : 0;
    g->rng.state = state;
    for (size_t i = 0; i < len; i++) y[i] = x[i] * m[i];
}

/* from y_i = x_i · m_i:  dx_i += dy_i · m_i  (m = 1 when no mask was applied) */
static void dropout_backward(nn_graph *g, nn_node *n, int B) {
    const dropout_config *c = n->config;
    nn_real *dx = nn_graph_node(g, n->inputs[0])->dout; /* (B, W) */
    if (!dx) return;
    const nn_real *dy = n->dout, *m = n->scratch; /* (B, W) */
    size_t len = (size_t)B * n->width;
    if (c->masked)
        for (size_t i = 0; i < len; i++) dx[i] += dy[i] * m[i];
    else
        for (size_t i = 0; i < len; i++) dx[i] += dy[i];
}

static const nn_node_ops dropout_ops = {
    .kind = "dropout",
    .forward = dropout_forward,
    .backward = dropout_backward,
    .scratch = dropout_scratch,
};

int nn_dropout(nn_graph *g, int x, double p) {
    if (!nn_graph_check_real_input(g, x, "dropout")) return -1;
    if (!(p >= 0 && p < 1)) {
        nn_graph_fail(g, "dropout: the drop probability must be in [0, 1), got %g", p);
        return -1;
    }
    dropout_config *c = calloc(1, sizeof *c);
    if (!c) {
        nn_graph_fail(g, "dropout: out of memory");
        return -1;
    }
    c->p = p;
    double t = ldexp(p, 32); /* p · 2³², below 2³² since p < 1 */
    c->threshold = t >= 4294967295.0 ? UINT32_MAX : (uint32_t)llround(t);
    c->scale = (nn_real)(1.0 / (1.0 - p));
    return nn_graph_add_node(g, &dropout_ops, &x, 1, nn_graph_node(g, x)->width, c);
}

double nn_dropout_rate(const nn_graph *g, int node) {
    if (!g || node < 0 || node >= g->n_nodes || g->nodes[node].ops != &dropout_ops) return NAN;
    return ((const dropout_config *)g->nodes[node].config)->p;
}
