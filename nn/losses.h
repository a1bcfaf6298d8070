/* losses.h — the loss library: expectation heads, cross-entropy options,
 * KL divergence, distillation, ordinal expected-value losses, Gaussian KL and
 * soft ordinal targets. Included by nn.h; do not include directly.
 *
 * Usage (an ordinal classifier with K = 5 grades)
 * -----
 *     int z  = nn_dense(g, h, 5, NN_INIT_XAVIER);          // (B, 5) logits
 *     int p  = nn_softmax(g, z, 1.0);                      // (B, 5)
 *     int mu = nn_expectation(g, p, NULL);                 // (B, 1) E[X], values 0..4
 *     int sd = nn_stddev(g, p, NULL);                      // (B, 1) spread
 *     nn_loss_options lo = nn_loss_defaults();
 *     nn_mean_variance_nodes mv;
 *     nn_mean_variance(g, p, y, NULL, &lo, &mv);           // CE + 0.2·½(μ−y)² + 0.05·σ²
 *     ... after nn_graph_forward: nn_output(g, mu)[b], nn_loss_value(g, mv.mean)
 *
 * Usage (distillation at T = 4)
 * -----
 *     int t = nn_input(g, 10);                             // (B, 10) teacher logits
 *     nn_distill_options d = {.alpha = 0.9, .temperature = 4};
 *     nn_distill_nodes dn;
 *     nn_distillation(g, z, t, y, &d, &lo, &dn);
 *     ... nn_loss_value(g, dn.soft_loss), nn_loss_value(g, dn.hard_loss)
 *
 * Conventions (shared by every loss)
 * -----------
 * - Every loss is a node whose output (B, 1) holds the per-sample values l_b
 *   (class weights included); nn_loss_value() is their reduction (see
 *   nn_reduction) before the loss's coef. The total returned by
 *   nn_graph_forward adds coef · value over all losses.
 * - Every builder takes an nn_loss_options (NULL = nn_loss_defaults(): mean
 *   over samples, simplified gradients, coef 1, no sample weights): last, or
 *   just before the output struct of a builder that creates several nodes.
 * - Losses "on a softmax" take the softmax node p = softmax(z/T), read T from
 *   it, and honour lo->mode (simplified: closed-form ∂L/∂z; jacobian: ∂L/∂p
 *   through the softmax). Both give the same gradient; docs/losses.md derives
 *   each pair.
 * - Category values `values` (K): any strictly increasing finite numbers,
 *   copied by the builder; NULL means 0, 1, …, K−1.
 * - Invalid data found while running (a target that is not a distribution,
 *   NaN, a label out of range) makes nn_graph_forward return NaN with
 *   nn_graph_run_error() saying which loss, row and problem — never a silent
 *   NaN.
 * - Builders that create several nodes fill a struct of node ids and return
 *   the id of the first loss they create, or −1 (struct then all −1).
 */
#ifndef NN_LOSSES_H
#define NN_LOSSES_H

/* ------------------------------------------ the jacobian mode's clamp */

/* Jacobian-mode gradients that divide by a probability (cross-entropy and
 * forward KL: ∂l/∂p_i = −y_i / p_i) use max(p_i, NN_PROB_MIN), so that a p_i
 * that underflowed to 0 gives no 0·∞ = NaN. The clamp fits the precision:
 * 1e-30 in float, 1e-300 in double, so jacobian mode is exact down to
 * p ≈ 1e-30 (float) or 1e-300 (double). Below it the WHOLE ROW's gradient is
 * wrong, not only class i's: the softmax's backward subtracts ⟨g, p⟩ from
 * every class, and with p_i clamped ⟨g, p⟩ is too small by the factor
 * p_i/NN_PROB_MIN (a hard label at p ≈ 0 gets a zero gradient). Simplified
 * mode never divides and stays exact; docs/losses.md derives both. */
#ifdef NN_DOUBLE
#define NN_PROB_MIN 1e-300
#else
#define NN_PROB_MIN 1e-30f
#endif

/* Entries (row, class) where that clamp engaged in the last backward of
 * loss node `loss` (0 in simplified mode, which never divides; −1 for a
 * node that is not a loss). Each one means its row's gradient is wrong. */
long nn_loss_clamped(const nn_graph *g, int loss);
/* The same summed over every loss node of the graph. */
long nn_graph_clamped(const nn_graph *g);

/* ------------------------------------------------- expectation heads */

/* (B, 1) nodes on a softmax node p (B, K), reduced over the class axis only
 * (one value per sample, never over the batch). Their backward adds into p's
 * gradient, so they coexist with any loss on the same softmax. */
int nn_expectation(nn_graph *g, int p, const double *values); /* μ_b = Σ_i v_i p_bi */
int nn_variance(nn_graph *g, int p, const double *values);    /* σ²_b = Σ_i p_bi (v_i − μ_b)² */
int nn_stddev(nn_graph *g, int p, const double *values);      /* σ_b = √σ²_b (gradient 0 at σ = 0) */

/* ------------------------------------------------------ cross-entropy */

/* l = −Σ_i w_i ỹ_i log p_i with ỹ = (1 − ε) y + ε/K. */
typedef struct {
    double smoothing;             /* ε in [0, 1); default 0 */
    const double *class_weights;  /* (K) w_i ≥ 0, copied; NULL = all 1.
                                     MEAN divides by Σ_b w_{y_b} for hard labels,
                                     by B for soft targets (as PyTorch does) */
    double target_temperature;    /* > 0: the target node holds logits t and the
                                     target is softmax(t / this); 0: labels or
                                     probabilities (default) */
} nn_ce_options;

nn_ce_options nn_ce_defaults(void); /* no smoothing, no weights, target as given */

/* Cross-entropy on softmax node p with `target`: a labels node, a real node
 * (B, K) of probabilities, or (with target_temperature) of logits.
 * nn_cross_entropy(g, p, labels, lo) is this with co = NULL. */
int nn_cross_entropy_ex(nn_graph *g, int p, int target, const nn_ce_options *co,
                        const nn_loss_options *lo);

/* ------------------------------------------------------ KL divergence */

typedef enum {
    NN_KL_FORWARD, /* KL(target ‖ model) = Σ t_i (log t_i − log q_i); terms with t_i = 0 are 0 */
    NN_KL_REVERSE  /* KL(model ‖ target) = Σ q_i (log q_i − log t_i); log t_i floored at log 1e-30
                      (in both precisions) */
} nn_kl_direction;

typedef struct {
    nn_kl_direction direction;  /* default NN_KL_FORWARD */
    double target_temperature;  /* > 0: target holds logits, t = softmax(logits / this);
                                   0: target holds probabilities (default) */
    int scale_t2;               /* 1: the loss enters the total as coef·T²·KL with T the
                                   model softmax's temperature (Hinton et al.); the
                                   node's nn_loss_value stays the plain KL */
} nn_kl_options;

nn_kl_options nn_kl_defaults(void); /* forward, probabilities, no T² */

/* KL divergence between softmax node p (B, K) = q and `target` (B, K).
 * Probability targets must be ≥ 0, finite and sum to 1 within 1e-3 (else a
 * run error). Where the target has mass and q underflows to 0, the value is
 * still finite and exact (log q comes from log-softmax of the logits) and the
 * simplified gradient q − t is exact; the jacobian mode divides by
 * max(q_i, NN_PROB_MIN), which spoils the row's gradient and is counted
 * (nn_loss_clamped; docs/losses.md). */
int nn_kl_div(nn_graph *g, int p, int target, const nn_kl_options *ko,
              const nn_loss_options *lo);

/* ------------------------------------------------------- distillation */

typedef struct {
    double alpha;       /* weight of the soft term, in [0, 1] */
    double temperature; /* T > 0 for the soft term */
    const double *class_weights; /* (K) of the hard CE term (nn_ce_options), or NULL */
} nn_distill_options;

typedef struct {
    int soft_probs; /* softmax(s / T) (B, K) */
    int probs;      /* softmax(s) (B, K): the student's predictions */
    int soft_loss;  /* KL(softmax(t/T) ‖ softmax(s/T)), enters the total as α·T²·value */
    int hard_loss;  /* CE(y, softmax(s)), enters the total as (1 − α)·value */
} nn_distill_nodes;

/* L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(y, softmax(s)) from
 * student logits s (B, K), teacher logits t (B, K, any node, receives no
 * gradient) and a labels node. lo (reduction, mode, weights) applies to both
 * terms and lo->coef multiplies both. Returns out->soft_loss or −1. */
int nn_distillation(nn_graph *g, int student_logits, int teacher_logits, int labels,
                    const nn_distill_options *d, const nn_loss_options *lo,
                    nn_distill_nodes *out);

/* -------------------------------------------- ordinal expected-value losses */

/* Input `x`: a softmax node p (B, K), from which μ = Σ v_i p_i (and σ²) is
 * computed with the category values (one per class), or any node of width 1
 * (an nn_expectation / nn_variance head, a regression output) used as μ (σ²)
 * directly. Target: a labels node (label c means the value v_c; for a width-1
 * x, `values` has one entry per class of the labels node) or a real node
 * (B, 1) in value units (values must then be NULL for a width-1 x). */
int nn_ev_squared(nn_graph *g, int x, int target, const double *values,
                  const nn_loss_options *lo); /* l = ½(μ − y)² */
int nn_ev_absolute(nn_graph *g, int x, int target, const double *values,
                   const nn_loss_options *lo); /* l = |μ − y|, gradient 0 at μ = y */
/* l = σ² of softmax node p (or x itself if x has width 1): a spread penalty. */
int nn_ev_variance(nn_graph *g, int x, const double *values, const nn_loss_options *lo);

typedef struct {
    double lambda1;       /* weight of ½(μ − y)²; default 0.2 */
    double lambda2;       /* weight of σ²; default 0.05 */
    const double *values; /* (K) category values, copied; NULL = 0..K−1 */
    const double *class_weights; /* (K) of the CE term (nn_ce_options), or NULL */
} nn_mean_variance_options;

nn_mean_variance_options nn_mean_variance_defaults(void);

typedef struct {
    int cross_entropy; /* CE(y, p), coef 1 */
    int mean;          /* ½(μ − v_y)², coef λ₁ */
    int variance;      /* σ², coef λ₂ */
} nn_mean_variance_nodes;

/* Mean-variance loss (Pan et al., CVPR 2018) on softmax node p and a labels
 * node: CE + λ₁·½(μ − v_y)² + λ₂·σ², as three loss nodes so each term can be
 * read with nn_loss_value (each times lo->coef). mo = NULL: defaults.
 * Returns out->cross_entropy or −1. */
int nn_mean_variance(nn_graph *g, int p, int labels, const nn_mean_variance_options *mo,
                     const nn_loss_options *lo, nn_mean_variance_nodes *out);

/* ------------------------------------------------------- Gaussian KL */

/* KL(N(m, e^s) ‖ N(0, 1)) = ½ Σ_d (m_d² + e^{s_d} − 1 − s_d) for x (B, 2D)
 * split into means m = x[:, :D] and log-variances s = x[:, D:] (the VAE
 * latent loss). x is any node of even width; lo->mode does not apply. */
int nn_gaussian_kl(nn_graph *g, int x, const nn_loss_options *lo);

/* ------------------------------------------------- soft ordinal targets */

typedef enum {
    NN_SORD_SQUARED, /* φ(v, y) = (v − y)² */
    NN_SORD_ABSOLUTE /* φ(v, y) = |v − y| */
} nn_sord_distance;

/* SORD (Díaz & Marathe, CVPR 2019): out[b, i] = softmax_i(−scale·φ(v_i, y_b))
 * for n targets y (n) in value units; out (n, K). scale > 0. */
nn_status nn_sord_targets(nn_real *out, const double *y, int n, int K, const double *values,
                          nn_sord_distance phi, double scale, nn_error *err);

/* DLDL (Gao et al., 2017): out[b, i] ∝ exp(−(v_i − y_b)² / 2σ²), normalised
 * over i (a discretised Gaussian of width σ > 0 around y_b); out (n, K). */
nn_status nn_dldl_targets(nn_real *out, const double *y, int n, int K, const double *values,
                          double sigma, nn_error *err);

#endif
