/* graph.c — the layer graph: nodes in creation order, one parameter buffer,
 * one gradient buffer, activations allocated once for the largest batch.
 *
 * forward runs nodes 0..n-1, backward runs n-1..0. Because a node may only
 * take earlier nodes as inputs, creation order is a topological order and no
 * sorting or tape is needed.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h"

/* Mixed into the compile seed for the graph's own generator. */
#define NN_GRAPH_RNG_SALT 0x9e3779b97f4a7c15ULL

nn_graph *nn_graph_create(int max_batch) {
    if (max_batch < 1) return NULL;
    nn_graph *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->max_batch = max_batch;
    g->training = 1;
    return g;
}

void nn_graph_free(nn_graph *g) {
    if (!g) return;
    for (int i = 0; i < g->n_nodes; i++) {
        nn_node *n = &g->nodes[i];
        if (n->ops->free_config) n->ops->free_config(n->config);
        else free(n->config);
    }
    free(g->nodes);
    free(g->params);
    free(g->grads);
    free(g->arena);
    free(g->grad_arena);
    free(g->label_arena);
    free(g);
}

void nn_graph_fail(nn_graph *g, const char *fmt, ...) {
    if (!g || g->error[0]) return; /* keep the first error: later ones follow from it */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->error, sizeof g->error, fmt, ap);
    va_end(ap);
}

const char *nn_graph_error(const nn_graph *g) {
    if (!g) return "no graph: nn_graph_create failed (max_batch < 1 or out of memory)";
    return g->error[0] ? g->error : NULL;
}

void nn_graph_run_fail(nn_graph *g, const char *fmt, ...) {
    if (g->run_error[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->run_error, sizeof g->run_error, fmt, ap);
    va_end(ap);
}

const char *nn_graph_run_error(const nn_graph *g) {
    return g->run_error[0] ? g->run_error : NULL;
}

int nn_graph_check_node(nn_graph *g, int x, const char *who) {
    if (!g || g->error[0]) return 0; /* a NULL graph: nn_graph_compile says so */
    if (g->compiled) {
        nn_graph_fail(g, "%s: the graph is already compiled", who);
        return 0;
    }
    if (x < 0 || x >= g->n_nodes) {
        nn_graph_fail(g, "%s: input node %d does not exist (graph has %d nodes)",
                      who, x, g->n_nodes);
        return 0;
    }
    return 1;
}

int nn_graph_check_real_input(nn_graph *g, int x, const char *who) {
    if (!nn_graph_check_node(g, x, who)) return 0;
    if (nn_is_labels(g, x)) {
        nn_graph_fail(g, "%s: node %d holds class labels, not real values", who, x);
        return 0;
    }
    return 1;
}

int nn_graph_add_node(nn_graph *g, const nn_node_ops *ops, const int *inputs,
                      int n_inputs, int width, void *config) {
    if (!g || g->error[0]) goto fail; /* a NULL graph: nn_graph_compile says so */
    if (g->compiled) {
        nn_graph_fail(g, "%s: the graph is already compiled", ops->kind);
        goto fail;
    }
    if (width < 1) {
        nn_graph_fail(g, "%s: width must be at least 1, got %d", ops->kind, width);
        goto fail;
    }
    if (n_inputs < 0 || n_inputs > NN_MAX_INPUTS) {
        nn_graph_fail(g, "%s: %d inputs; a node takes 0 to %d", ops->kind, n_inputs,
                      NN_MAX_INPUTS);
        goto fail;
    }
    for (int i = 0; i < n_inputs; i++)
        if (!nn_graph_check_node(g, inputs[i], ops->kind)) goto fail;
    if (g->n_nodes == g->cap_nodes) {
        if (g->cap_nodes > INT_MAX / 2) {
            nn_graph_fail(g, "%s: too many nodes (%d)", ops->kind, g->n_nodes);
            goto fail;
        }
        int cap = g->cap_nodes ? 2 * g->cap_nodes : 16;
        nn_node *nodes = realloc(g->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes) {
            nn_graph_fail(g, "%s: out of memory", ops->kind);
            goto fail;
        }
        g->nodes = nodes;
        g->cap_nodes = cap;
    }
    nn_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->ops = ops;
    n->name = ops->kind;
    n->n_inputs = n_inputs;
    for (int i = 0; i < NN_MAX_INPUTS; i++) n->inputs[i] = i < n_inputs ? inputs[i] : -1;
    n->width = width;
    n->config = config;
    n->loss_coef = 1.0;
    return g->n_nodes++;
fail:
    if (ops->free_config) ops->free_config(config);
    else free(config);
    return -1;
}

/* Adds `len` to `*total` unless it would overflow; returns 0 on overflow. */
static int add_size(size_t *total, size_t len) {
    if (len > SIZE_MAX / sizeof(nn_real) - *total) return 0;
    *total += len;
    return 1;
}

/* needs_grad of every node: it has parameters, it is an input whose gradient
 * was asked for, or it reads such a node. Returns the reals of all dout. */
static size_t mark_needs_grad(nn_graph *g) {
    size_t B = (size_t)g->max_batch, len = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        nn_node *n = &g->nodes[i];
        n->needs_grad = n->n_params > 0 || n->requires_grad;
        for (int k = 0; k < n->n_inputs; k++)
            n->needs_grad |= g->nodes[n->inputs[k]].needs_grad;
        if (n->needs_grad) len += B * (size_t)n->width; /* compile checked the sum */
    }
    return len;
}

/* Points every needs_grad node's dout into da (the grad arena). */
static void point_grads(nn_graph *g, nn_real *da) {
    size_t B = (size_t)g->max_batch;
    for (int i = 0; i < g->n_nodes; i++) {
        nn_node *n = &g->nodes[i];
        n->dout = n->needs_grad ? da : NULL;
        if (n->needs_grad) da += B * (size_t)n->width;
    }
}

/* An input whose gradient was asked for must lie on a path a loss
 * differentiates: a loss sends its gradient into its prediction (input 0)
 * only, not into its target or weights, and every other node into all of
 * its inputs. Otherwise its gradient would read as a silent 0. */
static nn_status check_requires_grad(const nn_graph *g, nn_error *err) {
    int *reached = calloc((size_t)g->n_nodes, sizeof *reached);
    if (!reached) return nn_set_error(err, NN_ERR_NOMEM, "compile: out of memory");
    nn_status st = NN_OK;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        const nn_node *n = &g->nodes[i];
        if (n->is_loss) reached[n->inputs[0]] = 1;
        else if (reached[i])
            for (int k = 0; k < n->n_inputs; k++) reached[n->inputs[k]] = 1;
    }
    for (int i = 0; i < g->n_nodes && !st; i++)
        if (g->nodes[i].requires_grad && !reached[i])
            st = nn_set_error(err, NN_ERR_ARG,
                              "input node %d requires its gradient, but no loss depends on it "
                              "(a loss differentiates its prediction only, not its target or weights)",
                              i);
    free(reached);
    return st;
}

nn_status nn_input_requires_grad(nn_graph *g, int input, nn_error *err) {
    if (!g) return nn_set_error(err, NN_ERR_ARG, "input_requires_grad: no graph");
    if (!nn_is_input(g, input))
        return nn_set_error(err, NN_ERR_ARG,
                            "input_requires_grad: node %d is not an nn_input node%s", input,
                            nn_is_labels(g, input) ? " (class labels have no gradient)" : "");
    nn_node *n = &g->nodes[input];
    if (n->requires_grad) return NN_OK;
    n->requires_grad = 1;
    if (!g->compiled) return NN_OK; /* nn_graph_compile lays the buffers out */
    /* Compiled: check, then lay out every dout again in a new grad arena. */
    nn_status st = check_requires_grad(g, err);
    size_t len = st ? 0 : mark_needs_grad(g);
    nn_real *da = st ? NULL : calloc(len, sizeof *da);
    if (!st && !da) st = nn_set_error(err, NN_ERR_NOMEM, "input_requires_grad: out of memory");
    if (st) {
        n->requires_grad = 0;
        mark_needs_grad(g);
        return st;
    }
    free(g->grad_arena);
    g->grad_arena = da;
    g->grad_arena_len = len;
    point_grads(g, da);
    return NN_OK;
}

nn_status nn_graph_compile(nn_graph *g, uint64_t seed, nn_error *err) {
    if (!g) return nn_set_error(err, NN_ERR_NOMEM, "%s", nn_graph_error(g));
    if (g->error[0]) return nn_set_error(err, NN_ERR_SHAPE, "%s", g->error);
    if (g->compiled) return nn_set_error(err, NN_ERR_ARG, "graph already compiled");
    if (g->n_nodes == 0) return nn_set_error(err, NN_ERR_ARG, "graph has no nodes");
    nn_status st = check_requires_grad(g, err);
    if (st) return st;

    size_t B = (size_t)g->max_batch, n_params = 0, acts = 0, grads = 0, labels = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        nn_node *n = &g->nodes[i];
        n->n_params = n->ops->n_params ? n->ops->n_params(n) : 0;
        size_t rows = B * (size_t)n->width, scratch = n->ops->scratch ? n->ops->scratch(n, g->max_batch) : 0;
        if (!add_size(&n_params, n->n_params) || !add_size(&acts, rows) ||
            !add_size(&acts, scratch) || !add_size(&grads, rows))
            return nn_set_error(err, NN_ERR_NOMEM, "graph too large: size overflow at node %d", i);
        if (nn_is_labels(g, i)) labels += B;
    }
    grads = mark_needs_grad(g); /* ≤ the sum of all rows, checked above */
    /* A failed compile may be retried: free what an earlier attempt got. */
    free(g->params), free(g->grads), free(g->arena), free(g->grad_arena), free(g->label_arena);
    g->n_params = n_params;
    g->params = calloc(n_params ? n_params : 1, sizeof(nn_real));
    g->grads = calloc(n_params ? n_params : 1, sizeof(nn_real));
    g->arena = calloc(acts, sizeof(nn_real));
    g->grad_arena = calloc(grads ? grads : 1, sizeof(nn_real));
    g->label_arena = calloc(labels ? labels : 1, sizeof(int32_t));
    if (!g->params || !g->grads || !g->arena || !g->grad_arena || !g->label_arena) {
        free(g->params), free(g->grads), free(g->arena), free(g->grad_arena), free(g->label_arena);
        g->params = g->grads = g->arena = g->grad_arena = NULL;
        g->label_arena = NULL;
        return nn_set_error(err, NN_ERR_NOMEM,
                            "out of memory allocating %zu parameters and %zu activations",
                            n_params, acts + grads);
    }
    g->grad_arena_len = grads;
    point_grads(g, g->grad_arena);

    nn_real *p = g->params, *dp = g->grads, *a = g->arena;
    int32_t *lab = g->label_arena;
    nn_rng rng;
    nn_rng_seed(&rng, seed);
    /* The graph's own generator (dropout masks): a stream apart from the
     * initialisation's, so adding a dropout layer changes no initial weight. */
    nn_rng_seed(&g->rng, seed ^ NN_GRAPH_RNG_SALT);
    for (int i = 0; i < g->n_nodes; i++) {
        nn_node *n = &g->nodes[i];
        size_t rows = B * (size_t)n->width;
        n->out = a, a += rows;
        if (n->ops->scratch) {
            n->scratch = a;
            a += n->ops->scratch(n, g->max_batch);
        }
        if (nn_is_labels(g, i)) n->labels = lab, lab += B;
        if (n->n_params) {
            n->params = p, p += n->n_params;
            n->dparams = dp, dp += n->n_params;
            if (n->ops->init) n->ops->init(n, &rng);
        }
    }
    g->compiled = 1;
    return NN_OK;
}

double nn_graph_forward(nn_graph *g, int B) {
    double total = 0;
    g->run_error[0] = '\0';
    if (!g->compiled || B < 1 || B > g->max_batch) {
        nn_graph_run_fail(g, "forward: batch of %d rows (graph %s, max_batch %d)", B,
                          g->compiled ? "compiled" : "not compiled", g->max_batch);
        return NAN;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        nn_node *n = &g->nodes[i];
        if (n->ops->forward) n->ops->forward(g, n, B);
        if (n->is_loss) total += n->loss_coef * n->loss_value;
    }
    return g->run_error[0] ? NAN : total;
}

void nn_graph_zero_grad(nn_graph *g) {
    if (!g->compiled) return; /* no buffers yet */
    memset(g->grads, 0, g->n_params * sizeof(nn_real));
    memset(g->grad_arena, 0, g->grad_arena_len * sizeof(nn_real));
}

nn_status nn_graph_backward(nn_graph *g, int B) {
    /* After a failed forward (bad B, invalid target) there is nothing valid to
     * differentiate, and a bad B would index past the buffers: do nothing. */
    if (!g->compiled || B < 1 || B > g->max_batch || g->run_error[0]) {
        nn_graph_run_fail(g, "backward: no valid forward pass of %d rows to differentiate", B);
        return NN_ERR_ARG;
    }
    /* No dout anywhere: no parameter and no input asked for its gradient. */
    if (g->grad_arena_len == 0) {
        nn_graph_run_fail(g, "backward: nothing to differentiate: the graph has no parameter "
                             "and no input marked with nn_input_requires_grad");
        return NN_ERR_ARG;
    }
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        nn_node *n = &g->nodes[i];
        /* A loss pushes its gradient into its inputs; other nodes only matter
         * when a parameter or an input requiring its gradient lies upstream. */
        if (n->ops->backward && (n->is_loss || n->needs_grad)) n->ops->backward(g, n, B);
    }
    return NN_OK;
}

void nn_graph_set_training(nn_graph *g, int training) { g->training = training != 0; }
int  nn_graph_training(const nn_graph *g) { return g->training; }
nn_rng *nn_graph_rng(nn_graph *g) { return &g->rng; }

/* ------------------------------------------------------------- accessors */

static const nn_node *node_at(const nn_graph *g, int id) {
    return (g && id >= 0 && id < g->n_nodes) ? &g->nodes[id] : NULL;
}

int nn_graph_n_nodes(const nn_graph *g) { return g->n_nodes; }
int nn_graph_max_batch(const nn_graph *g) { return g->max_batch; }
size_t nn_graph_n_params(const nn_graph *g) { return g->n_params; }
nn_real *nn_graph_params(nn_graph *g) { return g->params; }
nn_real *nn_graph_grads(nn_graph *g) { return g->grads; }

const char *nn_node_kind(const nn_graph *g, int id) {
    const nn_node *n = node_at(g, id);
    return n ? n->name : NULL;
}
int nn_node_width(const nn_graph *g, int id) {
    const nn_node *n = node_at(g, id);
    return n ? n->width : -1;
}
int nn_node_input(const nn_graph *g, int id, int i) {
    const nn_node *n = node_at(g, id);
    return (n && i >= 0 && i < n->n_inputs) ? n->inputs[i] : -1;
}
const nn_real *nn_output(const nn_graph *g, int id) {
    const nn_node *n = node_at(g, id);
    return n ? n->out : NULL;
}
const nn_real *nn_output_grad(const nn_graph *g, int id) {
    const nn_node *n = node_at(g, id);
    return n ? n->dout : NULL;
}
nn_real *nn_input_data(nn_graph *g, int id) {
    return g && nn_is_input(g, id) ? g->nodes[id].out : NULL;
}
int32_t *nn_label_data(nn_graph *g, int id) {
    const nn_node *n = node_at(g, id);
    return n ? n->labels : NULL;
}
nn_real *nn_node_params(nn_graph *g, int id, size_t *count) {
    const nn_node *n = node_at(g, id);
    if (count) *count = n ? n->n_params : 0;
    return n ? n->params : NULL;
}
nn_real *nn_node_param_grads(nn_graph *g, int id, size_t *count) {
    const nn_node *n = node_at(g, id);
    if (count) *count = n ? n->n_params : 0;
    return n ? n->dparams : NULL;
}
double nn_loss_value(const nn_graph *g, int id) {
    const nn_node *n = node_at(g, id);
    return (n && n->is_loss) ? n->loss_value : NAN;
}
double nn_loss_coef(const nn_graph *g, int id) {
    const nn_node *n = node_at(g, id);
    return (n && n->is_loss) ? n->loss_coef : NAN;
}
long nn_loss_clamped(const nn_graph *g, int id) {
    const nn_node *n = node_at(g, id);
    return (n && n->is_loss) ? n->clamped : -1;
}
long nn_graph_clamped(const nn_graph *g) {
    long total = 0;
    for (int i = 0; g && i < g->n_nodes; i++)
        if (g->nodes[i].is_loss) total += g->nodes[i].clamped;
    return total;
}
