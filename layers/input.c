/* input.c — the two leaf node kinds: real-valued inputs and class labels.
 * They have no forward (the caller fills their buffers) and no backward; their
 * ops say what they hold, which is all the graph core asks of them. An input
 * marked with nn_input_requires_grad gets a gradient buffer that the nodes
 * reading it fill (nn/graph.c). */
#include "nn/graph_internal.h"

static const nn_node_ops input_ops = {.kind = "input", .holds = NN_HOLDS_INPUT};
static const nn_node_ops labels_ops = {.kind = "labels", .holds = NN_HOLDS_LABELS};

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
