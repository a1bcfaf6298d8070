/* ordinal.h — ordinal heads beyond the softmax: CORAL, CORN and a
 * cumulative-link (proportional-odds) head, their losses, and the class
 * probabilities every family exposes. Included by nn.h; do not include
 * directly.
 *
 * Each head ends in K − 1 logits z (B, K − 1), one per threshold "y > k",
 * k = 0 … K − 2, for K ordered classes 0 … K − 1:
 *
 *   family     head                          z_k means                     loss
 *   CORAL      nn_coral_head (shared w, b_k)  P(y > k) = σ(z_k)             nn_coral_loss
 *   CORN       nn_dense(h, K − 1)             P(y > k | y > k − 1) = σ(z_k) nn_corn_loss
 *   cum. link  nn_clm_thresholds(score)       P(y > k) = σ(z_k), z_k = s − θ_k  nn_clm_loss
 *
 * nn_ordinal_probs turns z into class probabilities (B, K), so E[X], σ, the
 * median and every metric read the same on each family (nn_expectation and
 * nn_variance accept its output like a softmax's).
 *
 * Usage (CORAL with 5 grades)
 * -----
 *     int z = nn_coral_head(g, h, 5, NN_INIT_XAVIER);     // (B, 4) logits of P(y > k)
 *     nn_coral_loss(g, z, y, NULL);                       // Σ_k BCE, mean over samples
 *     int p = nn_ordinal_probs(g, z, NN_ORDINAL_CUMULATIVE); // (B, 5)
 *     int mu = nn_expectation(g, p, NULL);                // (B, 1) E[X]
 *
 * Derivations: docs/ordinal_heads.md. Losses take nn_loss_options (reduction,
 * coef, sample weights); `mode` does not apply (no softmax).
 */
#ifndef NN_ORDINAL_H
#define NN_ORDINAL_H

/* ------------------------------------------------------------- heads */

/* CORAL head (Cao, Mirjalili & Raschka, 2020): z_k = ⟨w, h⟩ + b_k with one
 * weight vector w (n_in) shared by the K − 1 tasks and K − 1 biases b.
 * h (B, n_in) → z (B, K − 1). Parameters, in this order: w (n_in), b (K − 1).
 * init applies to w like nn_dense (NN_INIT_HE, NN_INIT_XAVIER with
 * n_out = 1, NN_INIT_ZERO); b starts at log((K − 1 − k)/(k + 1)), the biases
 * for which ⟨w, h⟩ = 0 gives every class probability 1/K. n_classes ≥ 2. */
int nn_coral_head(nn_graph *g, int h, int n_classes, nn_init init);

/* Ordered thresholds of a cumulative-link model: z_k = s − θ_k for a score
 * node s (B, 1), with θ_0 = t and θ_k = θ_{k−1} + softplus(r_k), so
 * θ_0 < θ_1 < … < θ_{K−2} whatever the parameters. s (B, 1) → z (B, K − 1).
 * Parameters: t, r_1 … r_{K−2} (K − 1 in all); they start at
 * θ_k = log((k + 1)/(K − 1 − k)), where s = 0 gives every class 1/K.
 * n_classes ≥ 2. */
int nn_clm_thresholds(nn_graph *g, int score, int n_classes);

/* What the K − 1 logits mean. */
typedef enum {
    NN_ORDINAL_CUMULATIVE, /* P(y > k) = σ(z_k): CORAL, cumulative link */
    NN_ORDINAL_CONDITIONAL /* P(y > k | y > k − 1) = σ(z_k), chained: CORN */
} nn_ordinal_logits;

/* Class probabilities p (B, K) from logits z (B, K − 1) read as `kind`:
 *   cumulative   p_0 = 1 − c_0, p_k = c_{k−1} − c_k, p_{K−1} = c_{K−2} with
 *                c_k = min_{j ≤ k} σ(z_j), the running minimum that keeps p ≥ 0
 *                when CORAL's biases are not (yet) ordered; a no-op for
 *                ordered z (always so for nn_clm_thresholds);
 *   conditional  c_k = Π_{j ≤ k} σ(z_j), the same differences.
 * Has a backward, so losses and heads on p train through it. */
int nn_ordinal_probs(nn_graph *g, int logits, nn_ordinal_logits kind);

/* The kind of an nn_ordinal_probs node, or −1 for any other node (so a
 * program holding a model can find its threshold logits: input 0). */
int nn_ordinal_probs_kind(const nn_graph *g, int node);

/* The same for one row: p (K) from z (K − 1). */
void nn_ordinal_probs_row(nn_real *p, const nn_real *z, int K, nn_ordinal_logits kind);

/* The rank rule of CORAL and CORN: Σ_k [P(y > k) > ½] for one row z (K − 1),
 * with P(y > k) = σ(z_k) (cumulative) or Π_{j ≤ k} σ(z_j) (conditional). */
int nn_ordinal_rank_row(const nn_real *z, int K, nn_ordinal_logits kind);

/* ------------------------------------------------------------ losses */

/* Each takes logits z (B, K − 1) and a labels node with K classes; per-sample
 * values are below, and MEAN divides by Σ_b s_b n_b. */

/* CORAL: l = Σ_{k=0}^{K−2} BCE(σ(z_k), [y > k]), n_b = 1 (the mean over
 * samples of the summed task losses, as coral-pytorch's coral_loss). */
int nn_coral_loss(nn_graph *g, int logits, int labels, const nn_loss_options *lo);

/* CORN (Shi, Cao & Raschka, 2021): task k is trained on the samples with
 * y ≥ k (those for which "y > k − 1" holds) with target [y > k]:
 *   l = Σ_{k=0}^{min(y, K−2)} BCE(σ(z_k), [y > k]),  n_b = min(y + 1, K − 1),
 * so MEAN divides by the number of (sample, task) pairs, as the paper's code. */
int nn_corn_loss(nn_graph *g, int logits, int labels, const nn_loss_options *lo);

/* Cumulative link, negative log-likelihood l = −log P(y | s) with
 * P(y = k) = F(θ_k − s) − F(θ_{k−1} − s), F logistic (θ_{−1} = −∞,
 * θ_{K−1} = +∞). `thresholds` must be an nn_clm_thresholds node: the gaps
 * θ_k − θ_{k−1} are read from it exactly (docs/ordinal_heads.md). n_b = 1. */
int nn_clm_loss(nn_graph *g, int thresholds, int labels, const nn_loss_options *lo);

#endif
