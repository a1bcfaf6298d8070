/* graph_internal.h — what a layer or loss implementation sees of the graph.
 *
 * Not installed: users include nn/nn.h only. Each file in layers/ and losses/
 * defines one nn_node_ops table and a public builder that calls
 * nn_graph_add_node().
 */
#ifndef NN_GRAPH_INTERNAL_H
#define NN_GRAPH_INTERNAL_H

#include "nn/nn.h"

#define NN_MAX_INPUTS 4

typedef struct nn_node nn_node;

/* What a node's output holds. The graph core asks this of a node's ops, so it
 * needs no knowledge of the leaf kinds (layers/input.c). */
typedef enum {
    NN_HOLDS_RESULT = 0, /* values its forward computes (every layer and loss) */
    NN_HOLDS_INPUT,      /* real values the caller fills (nn_input) */
    NN_HOLDS_LABELS      /* class ids the caller fills, in n->labels (nn_labels) */
} nn_node_holds;

/* The verbs every node kind implements. forward/backward act on the first B
 * rows. backward ADDS into the gradients of its inputs (+=): a node may feed
 * several consumers and each adds its share. */
typedef struct {
    const char *kind;
    nn_node_holds holds;
    size_t (*n_params)(const nn_node *n);
    void   (*init)(nn_node *n, nn_rng *rng);          /* may be NULL */
    void   (*forward)(nn_graph *g, nn_node *n, int B);
    void   (*backward)(nn_graph *g, nn_node *n, int B); /* may be NULL */
    size_t (*scratch)(const nn_node *n, int max_batch);  /* reals, may be NULL */
    void   (*free_config)(void *config);              /* may be NULL */
} nn_node_ops;

struct nn_node {
    const nn_node_ops *ops;
    const char *name;    /* what nn_node_kind reports; ops->kind by default */
    int      inputs[NN_MAX_INPUTS];
    int      n_inputs;
    int      width;      /* columns of out / dout */
    nn_real *out;        /* (max_batch, width) */
    nn_real *dout;       /* (max_batch, width) dL/d(out), NULL if not needed */
    int32_t *labels;     /* (max_batch) for label nodes, else NULL */
    nn_real *params;     /* into the graph's parameter buffer, or NULL */
    nn_real *dparams;    /* into the graph's gradient buffer, or NULL */
    size_t   n_params;
    nn_real *scratch;    /* per-node work space, ops->scratch reals */
    int      needs_grad; /* 1 if a parameter or an input requiring its gradient
                            lies upstream (or is this node): dout exists */
    int      requires_grad; /* inputs: the caller asked for dL/dx (nn_input_requires_grad) */
    int      is_loss;    /* loss nodes: out is (max_batch, 1) per-sample loss */
    double   loss_value; /* losses: reduced value of the last forward */
    double   loss_coef;  /* losses: weight of this loss in the total */
    long     clamped;    /* losses: jacobian-mode clamps engaged in the last backward */
    void    *config;     /* kind-specific settings, owned by the node */
};

struct nn_graph {
    nn_node *nodes;      /* (n_nodes) in creation (= topological) order */
    int      n_nodes, cap_nodes;
    int      max_batch;
    int      compiled;
    int      training;   /* 1 in training mode (nn_graph_set_training) */
    nn_rng   rng;        /* dropout masks (nn_graph_rng), seeded by compile */
    nn_real *params;     /* (n_params) all parameters, contiguous */
    nn_real *grads;      /* (n_params) their gradients, same layout */
    size_t   n_params;
    nn_real *arena;      /* every node's out (max_batch, width) and scratch, one block */
    nn_real *grad_arena; /* (grad_arena_len) every dout, one block, zeroed per step */
    size_t   grad_arena_len;
    int32_t *label_arena; /* (n_labels_nodes, max_batch) the labels nodes' data */
    char     error[512]; /* first builder error, "" if none */
    char     run_error[512]; /* first error seen by forward (bad target...) */
};

/* Records a builder error (printf-style) unless one is already recorded. */
void nn_graph_fail(nn_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records an error found while running (a NaN target, ...): forward then
 * returns NaN and nn_graph_run_error() tells why. */
void nn_graph_run_fail(nn_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Checks that `x` names an existing node; records an error naming `who`. */
int nn_graph_check_node(nn_graph *g, int x, const char *who);

/* As nn_graph_check_node, and also rejects labels nodes (layers compute on
 * real values; class ids are only a loss target). */
int nn_graph_check_real_input(nn_graph *g, int x, const char *who);

/* Appends a node; returns its id or -1. Takes ownership of config (freed with
 * ops->free_config, or free() when that is NULL) even on failure. */
int nn_graph_add_node(nn_graph *g, const nn_node_ops *ops, const int *inputs,
                      int n_inputs, int width, void *config);

static inline nn_node *nn_graph_node(nn_graph *g, int id) { return &g->nodes[id]; }

/* What `node` holds, by its ops (0 for an id out of range): class ids
 * (n->labels) or real data the caller fills. */
static inline int nn_is_labels(const nn_graph *g, int node) {
    return node >= 0 && node < g->n_nodes && g->nodes[node].ops->holds == NN_HOLDS_LABELS;
}
static inline int nn_is_input(const nn_graph *g, int node) {
    return node >= 0 && node < g->n_nodes && g->nodes[node].ops->holds == NN_HOLDS_INPUT;
}

/* 1 if `node` is a softmax (losses check their input with it). */
int nn_is_softmax(const nn_graph *g, int node);
/* An nn_ordinal_probs node: class probabilities (B, K) like a softmax's. */
int nn_is_ordinal_probs(const nn_graph *g, int node);
double nn_softmax_temperature(const nn_graph *g, int node);

#endif
