/* input.c — the two leaf node kinds: real-valued inputs and class labels.
 * They have no forward (the caller fills their buffers) and no backward. */
#include "nn/graph_internal.h"

static const nn_node_ops input_ops = {.kind = "input"};
static const nn_node_ops labels_ops = {.kind = "labels"};

int nn_input(nn_graph *g, int n_features) {
    if (n_features < 1) {
        nn_graph_fail(g, "input: n_features must be at least 1, got %d", n_features);
        return -1;
    }
    return nn_graph_add_node(g, &input_ops, NULL, 0, n_features, NULL);
}

/* The node's width is the number of classes, so losses can check it against
 * the prediction; its data lives in n->labels (max_batch). */
int nn_labels(nn_graph *g, int n_classes) {
    if (n_classes < 1) {
        nn_graph_fail(g, "labels: n_classes must be at least 1, got %d", n_classes);
        return -1;
    }
    return nn_graph_add_node(g, &labels_ops, NULL, 0, n_classes, NULL);
}

int nn_is_input(const nn_graph *g, int node) {
    return node >= 0 && node < g->n_nodes && g->nodes[node].ops == &input_ops;
}

int nn_is_labels(const nn_graph *g, int node) {
    return node >= 0 && node < g->n_nodes && g->nodes[node].ops == &labels_ops;
}
