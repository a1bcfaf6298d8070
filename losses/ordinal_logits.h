/* ordinal_logits.h — the checks shared by the losses on K − 1 ordinal logits
 * (losses/coral.c, corn.c, clm.c; internal). */
#ifndef NN_ORDINAL_LOGITS_H
#define NN_ORDINAL_LOGITS_H

#include "nn/graph_internal.h"

/* 1 if `logits` is a real node of width K − 1 ≥ 1 and `labels` a labels node
 * of K classes; else records an error naming `who` and returns 0. */
static inline int nn_ordinal_loss_inputs_ok(nn_graph *g, const char *who, int logits,
                                            int labels) {
    if (!nn_graph_check_real_input(g, logits, who) || !nn_graph_check_node(g, labels, who))
        return 0;
    if (!nn_is_labels(g, labels)) {
        nn_graph_fail(g, "%s: the target must be a labels node, got a %s", who,
                      nn_node_kind(g, labels));
        return 0;
    }
    int M = nn_node_width(g, logits), K = nn_node_width(g, labels);
    if (K != M + 1) {
        nn_graph_fail(g, "%s: %d classes need %d logits (one per threshold), but node %d (a "
                      "%s) has %d", who, K, K - 1, logits, nn_node_kind(g, logits), M);
        return 0;
    }
    return 1;
}

#endif
