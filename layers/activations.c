/* activations.c — element-wise ReLU, sigmoid and tanh.
 *
 * Each backward is written in terms of the forward OUTPUT y, which the node
 * keeps, so no input needs to be stored:
 *   relu:    y = max(x, 0)      dx += dy · [y > 0]
 *   sigmoid: y = 1/(1 + e^−x)   dx += dy · y (1 − y)
 *   tanh:    y = tanh x         dx += dy · (1 − y²)
 * Shapes: x (B, W) → y (B, W).
 *
 * Derivation: docs/activations.md. Tests: tests/test_layers.c.
 */
#include <math.h>
#include <stddef.h>

#include "nn/graph_internal.h"

/* ------------------------------------------------ kernels, on n values */

static void relu_forward(nn_real *y, const nn_real *x, size_t n) {
    /* written so that NaN passes through, as in PyTorch: `x > 0 ? x : 0`
     * would turn it into 0 and hide it from the non-finite checks */
    for (size_t i = 0; i < n; i++) y[i] = x[i] < 0 ? 0 : x[i];
}

/* from y = max(x, 0):  dx += dy · [y > 0] */
static void relu_backward(nn_real *dx, const nn_real *dy, const nn_real *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        nn_real d = dy[i]; /* loaded unconditionally: the select vectorizes */
        dx[i] += y[i] > 0 ? d : 0;
    }
}

static void sigmoid_forward(nn_real *y, const nn_real *x, size_t n) {
    /* split by sign so exp never overflows */
    for (size_t i = 0; i < n; i++) {
        if (x[i] >= 0) {
            y[i] = (nn_real)(1.0 / (1.0 + exp(-(double)x[i])));
        } else {
            double e = exp((double)x[i]);
            y[i] = (nn_real)(e / (1.0 + e));
        }
    }
}

/* from y = 1/(1 + e^−x):  dx += dy · y (1 − y) */
static void sigmoid_backward(nn_real *dx, const nn_real *dy, const nn_real *y, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
}

static void tanh_forward(nn_real *y, const nn_real *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = (nn_real)tanh((double)x[i]);
}

/* from y = tanh x:  dx += dy · (1 − y²) */
static void tanh_backward(nn_real *dx, const nn_real *dy, const nn_real *y, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
}

/* ------------------------------------------------------------ the nodes */

typedef enum { ACT_RELU, ACT_SIGMOID, ACT_TANH } act_kind;

static act_kind kind_of(const nn_node *n);

static void act_forward(nn_graph *g, nn_node *n, int B) {
    const nn_real *x = nn_graph_node(g, n->inputs[0])->out; /* (B, W) */
    nn_real *y = n->out;                                    /* (B, W) */
    size_t len = (size_t)B * n->width;
    switch (kind_of(n)) {
    case ACT_RELU: relu_forward(y, x, len); break;
    case ACT_SIGMOID: sigmoid_forward(y, x, len); break;
    case ACT_TANH: tanh_forward(y, x, len); break;
    }
}

static void act_backward(nn_graph *g, nn_node *n, int B) {
    nn_real *dx = nn_graph_node(g, n->inputs[0])->dout; /* (B, W) */
    if (!dx) return;
    const nn_real *y = n->out, *dy = n->dout; /* (B, W) */
    size_t len = (size_t)B * n->width;
    switch (kind_of(n)) {
    case ACT_RELU: relu_backward(dx, dy, y, len); break;
    case ACT_SIGMOID: sigmoid_backward(dx, dy, y, len); break;
    case ACT_TANH: tanh_backward(dx, dy, y, len); break;
    }
}

static const nn_node_ops relu_ops = {.kind = "relu", .forward = act_forward, .backward = act_backward};
static const nn_node_ops sigmoid_ops = {.kind = "sigmoid", .forward = act_forward, .backward = act_backward};
static const nn_node_ops tanh_ops = {.kind = "tanh", .forward = act_forward, .backward = act_backward};

static act_kind kind_of(const nn_node *n) {
    return n->ops == &relu_ops ? ACT_RELU : n->ops == &sigmoid_ops ? ACT_SIGMOID : ACT_TANH;
}

static int add_activation(nn_graph *g, int x, const nn_node_ops *ops) {
    if (!nn_graph_check_real_input(g, x, ops->kind)) return -1;
    return nn_graph_add_node(g, ops, &x, 1, nn_graph_node(g, x)->width, NULL);
}

int nn_relu(nn_graph *g, int x) { return add_activation(g, x, &relu_ops); }
int nn_sigmoid(nn_graph *g, int x) { return add_activation(g, x, &sigmoid_ops); }
int nn_tanh(nn_graph *g, int x) { return add_activation(g, x, &tanh_ops); }
