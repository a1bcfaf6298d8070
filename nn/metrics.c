/* metrics.c — evaluation metrics as pure functions on arrays (nn/metrics.h).
 *
 * Nothing here allocates except nn_spearman (its rank work space). A metric that is undefined for its input (no rows,
 * a label outside 0..K−1, NULL arrays) returns NaN rather than a number that
 * looks valid.
 *
 * Quadratic weighted kappa. With observed counts O (K × K), expected counts
 * E_ij = (Σ_k O_ik)(Σ_k O_kj) / n and weights w_ij = (i − j)² / (K − 1)²,
 *   κ = 1 − Σ w O / Σ w E.
 * The (K − 1)² cancels, and both sums reduce to sums over the samples:
 *   Σ_ij (i − j)² O_ij = Σ_b (p_b − y_b)²
 *   Σ_ij (i − j)² E_ij = Σ_b y_b² + Σ_b p_b² − 2 (Σ_b y_b)(Σ_b p_b) / n
 * (expand (i − j)² = i² − 2ij + j² and use the row and column sums of O), so
 * κ needs no K × K table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h" /* nn_set_error */

static int labels_ok(const int32_t *labels, int n, int K) {
    if (!labels || n < 1 || K < 1) return 0;
    for (int b = 0; b < n; b++)
        if (labels[b] < 0 || labels[b] >= K) return 0;
    return 1;
}

static double value_of(const double *values, int i) { return values ? values[i] : i; }

int nn_argmax(const nn_real *row, int K) {
    int best = 0;
    for (int i = 1; i < K; i++)
        if (row[i] > row[best] || (isnan(row[best]) && !isnan(row[i]))) best = i;
    return best;
}

void nn_argmax_rows(int32_t *pred, const nn_real *probs, int n, int K) {
    for (int b = 0; b < n; b++) pred[b] = nn_argmax(probs + (size_t)b * K, K);
}

void nn_category_moments(double *mu, double *var, const nn_real *p, int K, const double *values) {
    double m = 0, s = 0;
    for (int i = 0; i < K; i++) m += value_of(values, i) * p[i];
    for (int i = 0; var && i < K; i++) s += p[i] * (value_of(values, i) - m) * (value_of(values, i) - m);
    *mu = m;
    if (var) *var = s;
}

void nn_expected_values(double *mu, const nn_real *probs, int n, int K, const double *values) {
    for (int b = 0; b < n; b++) nn_category_moments(&mu[b], NULL, probs + (size_t)b * K, K, values);
}

double nn_accuracy(const nn_real *probs, const int32_t *labels, int n, int K) {
    if (!probs || !labels_ok(labels, n, K)) return NAN;
    int hits = 0;
    for (int b = 0; b < n; b++) hits += nn_argmax(probs + (size_t)b * K, K) == labels[b];
    return (double)hits / n;
}

nn_status nn_confusion_matrix(int64_t *cm, const nn_real *probs, const int32_t *labels,
                              int n, int K, nn_error *err) {
    if (!cm || !probs || !labels || n < 0 || K < 1)
        return nn_set_error(err, NN_ERR_ARG, "confusion_matrix: need cm, probs and labels, "
                            "n >= 0 and K >= 1 (got n = %d, K = %d)", n, K);
    for (int b = 0; b < n; b++)
        if (labels[b] < 0 || labels[b] >= K)
            return nn_set_error(err, NN_ERR_ARG, "confusion_matrix: label %d of row %d is "
                                "outside 0..%d", (int)labels[b], b, K - 1);
    memset(cm, 0, (size_t)K * K * sizeof *cm);
    for (int b = 0; b < n; b++) cm[(size_t)labels[b] * K + nn_argmax(probs + (size_t)b * K, K)]++;
    return NN_OK;
}

/* mean over rows of |e|^power, e = prediction − v_{y_b}; prediction μ_b or
 * the value of the argmax. */
static double mean_error(const nn_real *probs, const int32_t *labels, int n, int K,
                         const double *values, int use_argmax, int power) {
    if (!probs || !labels_ok(labels, n, K)) return NAN;
    double sum = 0;
    for (int b = 0; b < n; b++) {
        const nn_real *p = probs + (size_t)b * K;
        double pred;
        if (use_argmax) pred = value_of(values, nn_argmax(p, K));
        else nn_expected_values(&pred, p, 1, K, values);
        double e = fabs(pred - value_of(values, labels[b]));
        sum += power == 1 ? e : e * e;
    }
    return sum / n;
}

double nn_mae_expected(const nn_real *probs, const int32_t *labels, int n, int K,
                       const double *values) {
    return mean_error(probs, labels, n, K, values, 0, 1);
}

double nn_mae_argmax(const nn_real *probs, const int32_t *labels, int n, int K,
                     const double *values) {
    return mean_error(probs, labels, n, K, values, 1, 1);
}

double nn_rmse_expected(const nn_real *probs, const int32_t *labels, int n, int K,
                        const double *values) {
    return sqrt(mean_error(probs, labels, n, K, values, 0, 2));
}

double nn_off_by_one_accuracy(const nn_real *probs, const int32_t *labels, int n, int K) {
    if (!probs || !labels_ok(labels, n, K)) return NAN;
    int hits = 0;
    for (int b = 0; b < n; b++) hits += abs(nn_argmax(probs + (size_t)b * K, K) - labels[b]) <= 1;
    return (double)hits / n;
}

double nn_quadratic_weighted_kappa(const int32_t *pred, const int32_t *labels, int n, int K) {
    if (!labels_ok(pred, n, K) || !labels_ok(labels, n, K)) return NAN;
    double observed = 0, sy = 0, sy2 = 0, sp = 0, sp2 = 0;
    for (int b = 0; b < n; b++) {
        double y = labels[b], p = pred[b];
        observed += (p - y) * (p - y);  /* Σ (i − j)² O_ij */
        sy += y, sy2 += y * y, sp += p, sp2 += p * p;
    }
    double expected = sy2 + sp2 - 2 * sy * sp / n; /* Σ (i − j)² E_ij */
    return expected > 0 ? 1 - observed / expected : NAN;
}

double nn_top1_agreement(const nn_real *student, const nn_real *teacher, int n, int K) {
    if (!student || !teacher || n < 1 || K < 1) return NAN;
    int hits = 0;
    for (int b = 0; b < n; b++)
        hits += nn_argmax(student + (size_t)b * K, K) == nn_argmax(teacher + (size_t)b * K, K);
    return (double)hits / n;
}

double nn_mean_kl(const nn_real *teacher, const nn_real *student, int n, int K) {
    if (!student || !teacher || n < 1 || K < 1) return NAN;
    double sum = 0;
    for (size_t i = 0; i < (size_t)n * K; i++) {
        double t = teacher[i], s = student[i];
        if (!(t >= 0) || !(s >= 0)) return NAN; /* negative or NaN entries */
        if (t == 0) continue;                    /* 0 · log 0 = 0 */
        sum += s == 0 ? INFINITY : t * (log(t) - log(s));
    }
    return sum / n;
}

double nn_mean_kl_logits(const nn_real *teacher_logits, const nn_real *student_logits,
                         int n, int K, double T) {
    if (!teacher_logits || !student_logits || n < 1 || K < 1 || !(T > 0) || !isfinite(T))
        return NAN;
    double sum = 0;
    for (int b = 0; b < n; b++) {
        const nn_real *tz = teacher_logits + (size_t)b * K, *sz = student_logits + (size_t)b * K;
        for (int i = 0; i < K; i++)
            if (!isfinite(tz[i]) || !isfinite(sz[i])) return NAN;
        double lt = nn_logsumexp_row(tz, K, T), ls = nn_logsumexp_row(sz, K, T);
        for (int i = 0; i < K; i++) {
            double logt = tz[i] / T - lt, logs = sz[i] / T - ls, t = exp(logt);
            if (t > 0) sum += t * (logt - logs);
        }
    }
    return sum / n;
}

/* ------------------------------------------- class predictions by a rule */

static const char *const RULE_NAMES[] = {"argmax", "median", "expected", "rank"};

const char *nn_predict_rule_name(nn_predict_rule r) {
    return r >= NN_RULE_ARGMAX && r <= NN_RULE_RANK ? RULE_NAMES[r] : NULL;
}

int nn_predict_rule_parse(const char *name) {
    for (int r = NN_RULE_ARGMAX; name && r <= NN_RULE_RANK; r++)
        if (strcmp(name, RULE_NAMES[r]) == 0) return r;
    return -1;
}

int nn_median_class(const nn_real *row, int K) {
    double cum = 0;
    for (int k = 0; k < K - 1; k++)
        if ((cum += row[k]) >= 0.5) return k;
    return K - 1;
}

/* position of the value nearest x; the lower one on ties */
static int nearest_value(double x, const double *values, int K) {
    int best = 0;
    for (int k = 1; k < K; k++)
        if (fabs(value_of(values, k) - x) < fabs(value_of(values, best) - x)) best = k;
    return best;
}

void nn_predict_classes(int32_t *pred, const nn_real *probs, int n, int K,
                        const double *values, nn_predict_rule rule) {
    for (int b = 0; b < n; b++) {
        const nn_real *p = probs + (size_t)b * K; /* (K) */
        if (rule == NN_RULE_ARGMAX) {
            pred[b] = nn_argmax(p, K);
        } else if (rule == NN_RULE_EXPECTED) {
            double mu;
            nn_category_moments(&mu, NULL, p, K, values);
            pred[b] = nearest_value(mu, values, K);
        } else { /* median; the rank rule on probabilities */
            pred[b] = nn_median_class(p, K);
        }
    }
}

static int preds_ok(const int32_t *pred, const int32_t *labels, int n, int K) {
    return pred && labels_ok(pred, n, K) && labels_ok(labels, n, K);
}

double nn_accuracy_pred(const int32_t *pred, const int32_t *labels, int n, int K) {
    if (!preds_ok(pred, labels, n, K)) return NAN;
    int hits = 0;
    for (int b = 0; b < n; b++) hits += pred[b] == labels[b];
    return (double)hits / n;
}

double nn_mae_pred(const int32_t *pred, const int32_t *labels, int n, int K,
                   const double *values) {
    if (!preds_ok(pred, labels, n, K)) return NAN;
    double s = 0;
    for (int b = 0; b < n; b++) s += fabs(value_of(values, pred[b]) - value_of(values, labels[b]));
    return s / n;
}

double nn_macro_mae_pred(const int32_t *pred, const int32_t *labels, int n, int K,
                         const double *values) {
    if (!preds_ok(pred, labels, n, K)) return NAN;
    double total = 0;
    int classes = 0;
    for (int c = 0; c < K; c++) {
        double s = 0;
        int count = 0;
        for (int b = 0; b < n; b++)
            if (labels[b] == c) {
                s += fabs(value_of(values, pred[b]) - value_of(values, c));
                count++;
            }
        if (count) total += s / count, classes++;
    }
    return total / classes; /* classes ≥ 1 since n ≥ 1 */
}

double nn_off_by_one_pred(const int32_t *pred, const int32_t *labels, int n, int K) {
    if (!preds_ok(pred, labels, n, K)) return NAN;
    int hits = 0;
    for (int b = 0; b < n; b++) hits += abs(pred[b] - labels[b]) <= 1;
    return (double)hits / n;
}

static nn_status check_preds(const char *who, const int32_t *pred, const int32_t *labels, int n,
                             int K, nn_error *err) {
    if (!pred || !labels || n < 0 || K < 1)
        return nn_set_error(err, NN_ERR_ARG, "%s: need pred and labels, n >= 0 and K >= 1 "
                            "(got n = %d, K = %d)", who, n, K);
    for (int b = 0; b < n; b++)
        if (labels[b] < 0 || labels[b] >= K || pred[b] < 0 || pred[b] >= K)
            return nn_set_error(err, NN_ERR_ARG, "%s: row %d has label %d and prediction %d; "
                                "both must be in 0..%d", who, b, (int)labels[b], (int)pred[b],
                                K - 1);
    return NN_OK;
}

nn_status nn_per_class_recall(double *recall, const int32_t *pred, const int32_t *labels,
                              int n, int K, nn_error *err) {
    nn_status st = check_preds("per_class_recall", pred, labels, n, K, err);
    if (st || !recall)
        return st ? st : nn_set_error(err, NN_ERR_ARG, "per_class_recall: recall is NULL");
    for (int c = 0; c < K; c++) {
        int count = 0, hits = 0;
        for (int b = 0; b < n; b++)
            if (labels[b] == c) count++, hits += pred[b] == c;
        recall[c] = count ? (double)hits / count : NAN;
    }
    return NN_OK;
}

nn_status nn_confusion_matrix_pred(int64_t *cm, const int32_t *pred, const int32_t *labels,
                                   int n, int K, nn_error *err) {
    nn_status st = check_preds("confusion_matrix", pred, labels, n, K, err);
    if (st || !cm) return st ? st : nn_set_error(err, NN_ERR_ARG, "confusion_matrix: cm is NULL");
    memset(cm, 0, (size_t)K * K * sizeof *cm);
    for (int b = 0; b < n; b++) cm[(size_t)labels[b] * K + pred[b]]++;
    return NN_OK;
}

/* Spearman ranks: sort (value, index) pairs, give each tie group its mean rank. */
typedef struct {
    double v;
    int i;
} ranked;

static int by_value(const void *a, const void *b) {
    double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
    return (x > y) - (x < y);
}

static void average_ranks(double *rank, const double *v, ranked *work, int n) {
    for (int i = 0; i < n; i++) work[i] = (ranked){v[i], i};
    qsort(work, (size_t)n, sizeof *work, by_value);
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && work[j + 1].v == work[i].v) j++;
        for (int k = i; k <= j; k++) rank[work[k].i] = 0.5 * (i + j) + 1; /* ranks 1..n */
        i = j + 1;
    }
}

double nn_spearman(const double *a, const double *b, int n) {
    if (!a || !b || n < 2) return NAN;
    for (int i = 0; i < n; i++)
        if (!isfinite(a[i]) || !isfinite(b[i])) return NAN;
    double *ra = malloc((size_t)n * sizeof *ra), *rb = malloc((size_t)n * sizeof *rb);
    ranked *work = malloc((size_t)n * sizeof *work);
    double rho = NAN;
    if (ra && rb && work) {
        average_ranks(ra, a, work, n);
        average_ranks(rb, b, work, n);
        double m = 0.5 * (n + 1), sab = 0, saa = 0, sbb = 0; /* both rank means are (n+1)/2 */
        for (int i = 0; i < n; i++) {
            sab += (ra[i] - m) * (rb[i] - m);
            saa += (ra[i] - m) * (ra[i] - m);
            sbb += (rb[i] - m) * (rb[i] - m);
        }
        if (saa > 0 && sbb > 0) rho = sab / sqrt(saa * sbb);
    }
    free(ra), free(rb), free(work);
    return rho;
}
