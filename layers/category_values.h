/* category_values.h — the category values v (K) of an ordinal softmax, shared
 * by the expectation heads (layers/) and the ordinal losses (losses/).
 *
 *   μ  = Σ_i v_i p_i                 (expected value)
 *   σ² = Σ_i p_i (v_i − μ)²          (variance, two-pass: never negative)
 *
 * Both come from nn_category_moments (nn/metrics.h), the one E[X] of nn. The
 * two-pass σ² equals Σ v_i² p_i − μ² when Σ p = 1, without the cancellation
 * of the one-pass form when the values are large; its gradient
 * (nn_variance_grad_add) avoids that cancellation too.
 */
#ifndef NN_CATEGORY_VALUES_H
#define NN_CATEGORY_VALUES_H

#include "nn/graph_internal.h"

/* −1 if values (K) are all finite and strictly increasing, else the index of
 * the first value that is not. */
int nn_category_values_invalid(const double *values, int K);

/* A new copy of `values` (K), or 0..K−1 when values is NULL. The values must
 * be finite and strictly increasing; otherwise, or when out of memory, records
 * a graph error naming `who` and returns NULL. The caller frees. */
double *nn_category_values(nn_graph *g, const char *who, const double *values, int K);

/* dp (K) += dvar · ∂σ²/∂p_i for the row whose mean is μ, with
 * ∂σ²/∂p_i = (v_i − μ)², the derivative of the two-pass
 * σ² = Σ_i p_i (v_i − μ)² on the simplex:
 *   ∂σ²/∂p_j = (v_j − μ)² − 2 (∂μ/∂p_j) Σ_i p_i (v_i − μ),
 * and Σ_i p_i (v_i − μ) = μ − μ Σ p = 0 when Σ p = 1.
 * (The one-pass form Σ v_i² p_i − μ² gives v_j² − 2μ v_j, the same up to the
 * constant μ² that the softmax's Jᵀ removes — but of size v², whose
 * differences cancel catastrophically for values far from 0.) */
void nn_variance_grad_add(nn_real *dp, double dvar, const double *v, double mu, int K);

/* The expectation heads (layers/expectation.c, variance.c, stddev.c): (B, 1)
 * nodes on class probabilities (a softmax or ordinal_probs node), whose config is their values. */
typedef struct {
    double *values; /* (K) */
} nn_head_config;

/* Validates that p is a softmax or ordinal_probs node, copies the values, adds the head node with
 * `ops` (whose free_config must be nn_head_free); returns its id or -1. */
int  nn_head_add(nn_graph *g, const nn_node_ops *ops, int p, const double *values);
void nn_head_free(void *config);

#endif
