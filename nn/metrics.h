/* metrics.h — accuracy, confusion matrix, ordinal and distillation metrics.
 * Included by nn.h; do not include directly.
 *
 * Pure functions on arrays: probs (n, K) are rows of class probabilities (or
 * any scores whose argmax is the prediction), labels (n) class ids in 0..K−1,
 * values (K) category values (NULL = 0..K−1). A metric that is undefined —
 * n < 1, a label outside 0..K−1, NULL arrays — returns NaN.
 */
#ifndef NN_METRICS_H
#define NN_METRICS_H

/* Index of the largest entry of row (K); the first one on ties. */
int    nn_argmax(const nn_real *row, int K);
/* pred[b] = argmax of row b of probs (n, K). */
void   nn_argmax_rows(int32_t *pred, const nn_real *probs, int n, int K);
/* μ = Σ_i v_i p_i and σ² = Σ_i p_i (v_i − μ)² of one probability row p (K)
 * over category values v (K; NULL: 0..K−1); var may be NULL. σ² is two-pass:
 * never negative, and without the cancellation of Σ v_i² p_i − μ² for values
 * far from 0. The one E[X] of nn: the heads, losses, metrics and the nn
 * program all call it. */
void   nn_category_moments(double *mu, double *var, const nn_real *p, int K, const double *values);
/* mu[b] = Σ_i v_i probs[b, i], the expected value of each row. */
void   nn_expected_values(double *mu, const nn_real *probs, int n, int K, const double *values);

/* Fraction of rows whose argmax equals the label. */
double nn_accuracy(const nn_real *probs, const int32_t *labels, int n, int K);
/* cm (K, K): cm[true * K + predicted] = count; returns NN_ERR_ARG on a bad label. */
nn_status nn_confusion_matrix(int64_t *cm, const nn_real *probs, const int32_t *labels,
                              int n, int K, nn_error *err);

/* Ordinal metrics, in value units. */
double nn_mae_expected(const nn_real *probs, const int32_t *labels, int n, int K,
                       const double *values); /* mean |μ_b − v_{y_b}| */
double nn_mae_argmax(const nn_real *probs, const int32_t *labels, int n, int K,
                     const double *values);   /* mean |v_{argmax_b} − v_{y_b}| */
double nn_rmse_expected(const nn_real *probs, const int32_t *labels, int n, int K,
                        const double *values); /* √(mean (μ_b − v_{y_b})²) */
/* Fraction of rows with |argmax_b − y_b| ≤ 1 (label positions). */
double nn_off_by_one_accuracy(const nn_real *probs, const int32_t *labels, int n, int K);
/* Quadratic weighted kappa on label positions 0..K−1 of predictions pred (n)
 * (e.g. nn_argmax_rows, or rounded μ): 1 − Σ w O / Σ w E with
 * w_ij = (i − j)² / (K − 1)². NaN when Σ w E = 0 (one category only). */
double nn_quadratic_weighted_kappa(const int32_t *pred, const int32_t *labels, int n, int K);

/* ------------------------------------------- class predictions by a rule */

/* How a distribution over ordered classes becomes one class.
 *   argmax    the most probable class (minimises 0-1 error)
 *   median    the smallest k with P(y ≤ k) ≥ ½ (minimises expected |error|
 *             in value units, for any increasing values)
 *   expected  the class whose value is nearest E[X] (ties: the lower one)
 *   rank      CORAL/CORN's Σ_k [P(y > k) > ½]; on probabilities this is the
 *             median (up to ties at ½), and nn_ordinal_rank_row computes it
 *             from the logits as the papers do */
typedef enum { NN_RULE_ARGMAX, NN_RULE_MEDIAN, NN_RULE_EXPECTED, NN_RULE_RANK } nn_predict_rule;

/* "argmax", "median", "expected", "rank" (NULL for an unknown rule), and back
 * (−1 for an unknown name). */
const char *nn_predict_rule_name(nn_predict_rule r);
int         nn_predict_rule_parse(const char *name);

/* The median class of one probability row (K). */
int  nn_median_class(const nn_real *row, int K);
/* pred[b] = the class of row b of probs (n, K) under rule (values for
 * NN_RULE_EXPECTED; NULL = 0..K−1). */
void nn_predict_classes(int32_t *pred, const nn_real *probs, int n, int K,
                        const double *values, nn_predict_rule rule);

/* Metrics of class predictions pred (n) against labels (n), K classes. */
double nn_accuracy_pred(const int32_t *pred, const int32_t *labels, int n, int K);
/* mean |v_{pred_b} − v_{y_b}| (values NULL = 0..K−1) */
double nn_mae_pred(const int32_t *pred, const int32_t *labels, int n, int K,
                   const double *values);
/* mean over the true classes present of the per-class MAE: the MAE for
 * imbalanced ordinal data (every class counts the same) */
double nn_macro_mae_pred(const int32_t *pred, const int32_t *labels, int n, int K,
                         const double *values);
/* fraction with |pred_b − y_b| ≤ 1 (label positions) */
double nn_off_by_one_pred(const int32_t *pred, const int32_t *labels, int n, int K);
/* recall (K): for each class c, the fraction of rows of class c predicted c;
 * NaN for a class with no rows. NN_ERR_ARG on bad arguments. */
nn_status nn_per_class_recall(double *recall, const int32_t *pred, const int32_t *labels,
                              int n, int K, nn_error *err);
/* cm (K, K): cm[true * K + predicted] = count. */
nn_status nn_confusion_matrix_pred(int64_t *cm, const int32_t *pred, const int32_t *labels,
                                   int n, int K, nn_error *err);

/* Spearman's rank correlation of a (n) and b (n): Pearson's correlation of
 * their ranks, ties given their average rank. NaN when n < 2 or either is
 * constant or not finite. Allocates its work space (NaN without memory). */
double nn_spearman(const double *a, const double *b, int n);

/* Distillation metrics. */
/* Fraction of rows where the student's and the teacher's argmax agree. */
double nn_top1_agreement(const nn_real *student, const nn_real *teacher, int n, int K);
/* Mean over rows of KL(teacher ‖ student) for probability rows (n, K):
 * 0·log 0 = 0; +inf where the teacher has mass and the student has none. */
double nn_mean_kl(const nn_real *teacher, const nn_real *student, int n, int K);
/* The same from logits (n, K), both softened at temperature T > 0 and
 * computed with log-softmax, so it stays finite. */
double nn_mean_kl_logits(const nn_real *teacher_logits, const nn_real *student_logits,
                         int n, int K, double T);

#endif
