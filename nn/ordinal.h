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
 *   cum. link  nn_clm_thresholds(score)       P(y > k) = F(z_k), z_k = s − θ_k  nn_clm_loss
 *              F = σ (logit link) or Φ (probit link, nn_clm_thresholds_link)
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

/* The link F of a cumulative-link model, P(y ≤ k) = F(θ_k − s). */
typedef enum {
    NN_LINK_LOGIT, /* F = σ, the logistic function: proportional odds */
    NN_LINK_PROBIT /* F = Φ, the standard normal distribution function */
} nn_clm_link;

/* nn_clm_thresholds with a link: the thresholds start at θ_k = F⁻¹((k + 1)/K)
 * (every class 1/K at s = 0), and nn_clm_loss on the node uses F. The
 * probabilities of a probit model are nn_ordinal_probs(…, NN_ORDINAL_PROBIT). */
int nn_clm_thresholds_link(nn_graph *g, int score, int n_classes, nn_clm_link link);

/* What the K − 1 logits mean. */
typedef enum {
    NN_ORDINAL_CUMULATIVE,  /* P(y > k) = σ(z_k): CORAL, cumulative link (logit) */
    NN_ORDINAL_CONDITIONAL, /* P(y > k | y > k − 1) = σ(z_k), chained: CORN */
    NN_ORDINAL_PROBIT       /* P(y > k) = Φ(z_k): cumulative link (probit) */
} nn_ordinal_logits;

/* Class probabilities p (B, K) from logits z (B, K − 1) read as `kind`:
 *   cumulative   p_0 = 1 − c_0, p_k = c_{k−1} − c_k, p_{K−1} = c_{K−2} with
 *                c_k = min_{j ≤ k} σ(z_j), the running minimum that keeps p ≥ 0
 *                when CORAL's biases are not (yet) ordered; a no-op for
 *                ordered z (always so for nn_clm_thresholds);
 *   probit       the same with Φ(z_j) in place of σ(z_j);
 *   conditional  c_k = Π_{j ≤ k} σ(z_j), the same differences.
 * Has a backward, so losses and heads on p train through it. */
int nn_ordinal_probs(nn_graph *g, int logits, nn_ordinal_logits kind);

/* The kind of an nn_ordinal_probs node, or −1 for any other node (so a
 * program holding a model can find its threshold logits: input 0). */
int nn_ordinal_probs_kind(const nn_graph *g, int node);

/* The same for one row: p (K) from z (K − 1). */
void nn_ordinal_probs_row(nn_real *p, const nn_real *z, int K, nn_ordinal_logits kind);

/* The rank rule of CORAL and CORN: Σ_k [P(y > k) > ½] for one row z (K − 1),
 * with P(y > k) = σ(z_k) (cumulative), Φ(z_k) (probit) or Π_{j ≤ k} σ(z_j)
 * (conditional). */
int nn_ordinal_rank_row(const nn_real *z, int K, nn_ordinal_logits kind);

/* ------------------------------------------------------------ losses */

/* Each takes logits z (B, K − 1) and a labels node with K classes; per-sample
 * values are below, and MEAN divides by Σ_b s_b n_b. */

/* CORAL: l = Σ_{k=0}^{K−2} BCE(σ(z_k), [y > k]), n_b = 1 (the mean over
 * samples of the summed task losses, as coral-pytorch's coral_loss). */
int nn_coral_loss(nn_graph *g, int logits, int labels, const nn_loss_options *lo);

/* CORAL with task importance weights λ (K − 1, copied; NULL: all 1):
 *   l = Σ_k λ_k BCE(σ(z_k), [y > k])
 * as coral-pytorch's coral_loss(…, importance_weights). The weights must be
 * finite and ≥ 0, not all 0 (a graph error otherwise). */
int nn_coral_loss_weighted(nn_graph *g, int logits, int labels, const double *task_weights,
                           const nn_loss_options *lo);

/* The task importance weights of the CORAL paper's code (task_importance_weights
 * in coral-cnn) from n labels in 0..K−1: m_k = √max(n_{y>k}, n − n_{y>k}),
 * w_k = m_k / max_j m_j (K − 1 values in (0, 1]). The same as that code's
 * when every class occurs in the labels (it counts thresholds from the
 * smallest label present). */
nn_status nn_coral_task_weights(double *w, const int32_t *labels, int n, int K, nn_error *err);

/* CORN (Shi, Cao & Raschka, 2021): task k is trained on the samples with
 * y ≥ k (those for which "y > k − 1" holds) with target [y > k]:
 *   l = Σ_{k=0}^{min(y, K−2)} BCE(σ(z_k), [y > k]),  n_b = min(y + 1, K − 1),
 * so MEAN divides by the number of (sample, task) pairs, as the paper's code. */
int nn_corn_loss(nn_graph *g, int logits, int labels, const nn_loss_options *lo);

/* Cumulative link, negative log-likelihood l = −log P(y | s) with
 * P(y = k) = F(θ_k − s) − F(θ_{k−1} − s), F the node's link, σ or Φ
 * (θ_{−1} = −∞, θ_{K−1} = +∞). `thresholds` must be an nn_clm_thresholds
 * node: the link and the gaps θ_k − θ_{k−1} are read from it, the gaps
 * exactly (docs/ordinal_heads.md). n_b = 1. */
int nn_clm_loss(nn_graph *g, int thresholds, int labels, const nn_loss_options *lo);

#endif
