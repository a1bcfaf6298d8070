/* clm_thresholds.h — what the cumulative-link loss (losses/clm.c) reads from
 * an nn_clm_thresholds node (internal). */
#ifndef NN_CLM_THRESHOLDS_H
#define NN_CLM_THRESHOLDS_H

#include "nn/graph_internal.h"

/* 1 if `node` is an nn_clm_thresholds node. */
int nn_is_clm_thresholds(const nn_graph *g, int node);

/* The gaps d_k = θ_k − θ_{k−1} = softplus(r_k) (K − 1; d_0 unused, 0) of the
 * last forward, computed from the parameters, not by subtracting z's. */
const nn_real *nn_clm_gaps(const nn_graph *g, int node);

/* The link the node was made with. */
nn_clm_link nn_clm_link_of(const nn_graph *g, int node);

#endif
