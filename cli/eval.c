/* eval.c — `nn eval MODEL --data PATH`: accuracy, the confusion matrix and
 * per-class recall of the class the model's prediction rule reads off its
 * probabilities; for ordinal models (with category values or an ordinal
 * loss) also MAE, macro-averaged MAE, off-by-one and QWK of that class, and
 * MAE, RMSE and Spearman's ρ of E[X].
 *
 * Rows whose label the model does not know are counted, reported on stderr
 * and left out ("3 rows have labels the model does not know: '9' ..."),
 * unless --strict makes them an error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "finite_rows.h"
#include "paths.h"
#include "infer.h"
#include "model_data.h"
#include "signals.h"

#define CMD "eval"

typedef struct {
    int      n, K;
    nn_predict_rule rule;
    int      ordinal;   /* the model has category values or an ordinal loss */
    int      unknown;   /* rows left out: labels the model does not know */
    int      skipped;   /* rows left out with --skip-bad: non-finite inputs or probabilities */
    int64_t *confusion; /* (K, K): [true · K + predicted] */
    double  *recall;    /* (K), NaN for a class without rows */
    double   accuracy, mae_class, macro_mae, off_by_one, qwk;
    double   mae_expected, rmse_expected, spearman, mae_argmax;
} eval_result;

static int compute(nn_model *m, const nn_real *probs, const nn_dataset *d, eval_result *r) {
    nn_error err;
    const double *v = m->data.values;
    int n = d->n, K = r->K;
    r->confusion = calloc((size_t)K * K, sizeof *r->confusion);
    r->recall = malloc((size_t)K * sizeof *r->recall);
    int32_t *pred = malloc((size_t)n * sizeof *pred);
    double *mu = malloc((size_t)n * sizeof *mu), *truth = malloc((size_t)n * sizeof *truth);
    int ok = r->confusion && r->recall && pred && mu && truth;
    if (ok) { /* the rank rule from threshold logits; elsewhere it is the median */
        int from_logits = r->rule == NN_RULE_RANK ? infer_rank(m, d, pred) : 0;
        if (from_logits == 0) nn_predict_classes(pred, probs, n, K, v, r->rule);
        ok = from_logits >= 0 &&
             !nn_confusion_matrix_pred(r->confusion, pred, d->labels, n, K, &err) &&
             !nn_per_class_recall(r->recall, pred, d->labels, n, K, &err);
    }
    if (ok) {
        r->accuracy = nn_accuracy_pred(pred, d->labels, n, K);
        r->mae_class = nn_mae_pred(pred, d->labels, n, K, v);
        r->macro_mae = nn_macro_mae_pred(pred, d->labels, n, K, v);
        r->off_by_one = nn_off_by_one_pred(pred, d->labels, n, K);
        r->qwk = nn_quadratic_weighted_kappa(pred, d->labels, n, K);
        r->mae_expected = nn_mae_expected(probs, d->labels, n, K, v);
        r->rmse_expected = nn_rmse_expected(probs, d->labels, n, K, v);
        r->mae_argmax = nn_mae_argmax(probs, d->labels, n, K, v);
        nn_expected_values(mu, probs, n, K, v);
        for (int i = 0; i < n; i++) truth[i] = v ? v[d->labels[i]] : d->labels[i];
        r->spearman = nn_spearman(mu, truth, n);
    }
    free(pred), free(mu), free(truth);
    return ok;
}

static void print_text(const nn_model *m, const char *path, const eval_result *r) {
    char buf[64];
    printf("%s: %d samples, %d classes; class = %s of the predicted distribution\n", path, r->n,
           r->K, nn_predict_rule_name(r->rule));
    if (r->skipped) printf("(%d more rows skipped: non-finite inputs or probabilities)\n", r->skipped);
    const nn_model_training *t = &m->trained;
    if (t->monitor[0])
        printf("model: the weights of epoch %d of %d, the best by %s (%.6g)\n", t->epoch, t->epochs, t->monitor,
               t->value);
    else if (t->epochs)
        printf("model: the weights of epoch %d of %d\n", t->epoch, t->epochs);
    printf("accuracy %.2f%%\n", 100 * r->accuracy);
    printf("confusion matrix (rows: true class, columns: predicted)\n%12s", "");
    for (int k = 0; k < r->K; k++) printf(" %8.8s", class_name(m, k, buf, sizeof buf));
    printf("\n");
    for (int t = 0; t < r->K; t++) {
        printf("%12.12s", class_name(m, t, buf, sizeof buf));
        for (int k = 0; k < r->K; k++) printf(" %8lld", (long long)r->confusion[(size_t)t * r->K + k]);
        printf("\n");
    }
    printf("%12s", "recall");
    for (int k = 0; k < r->K; k++)
        isnan(r->recall[k]) ? printf(" %8s", "-") : printf(" %8.3f", r->recall[k]);
    printf("\n");
    if (r->ordinal) {
        printf("ordinal: MAE of E[X] %.4g, RMSE %.4g (value units), Spearman's rho %.4f\n",
               r->mae_expected, r->rmse_expected, r->spearman);
        printf("class (%s): MAE %.4g, macro-averaged MAE %.4g, off-by-one accuracy %.2f%%, "
               "QWK %.4f\n", nn_predict_rule_name(r->rule), r->mae_class, r->macro_mae,
               100 * r->off_by_one, r->qwk);
    }
}

/* NaN (QWK with one class, recall of an absent class, accuracy of no rows)
 * and infinity are not JSON: null */
static void json_number(const char *key, double x) {
    printf(", \"%s\": ", key);
    json_real(stdout, x);
}

static void print_json(const nn_model *m, const eval_result *r) {
    char buf[64];
    printf("{\"samples\": %d, \"unknown_label_rows\": %d, \"skipped\": %d, \"rule\": \"%s\", \"classes\": [", r->n,
           r->unknown, r->skipped, nn_predict_rule_name(r->rule));
    for (int k = 0; k < r->K; k++) {
        printf(k ? ", " : "");
        json_string(stdout, class_name(m, k, buf, sizeof buf));
    }
    printf("]");
    if (m->trained.epochs) printf(", \"epochs_trained\": %d, \"weights_epoch\": %d", m->trained.epochs, m->trained.epoch);
    if (m->trained.monitor[0]) {
        printf(", \"monitor\": \"%s\"", m->trained.monitor);
        json_number("monitor_value", m->trained.value);
    }
    json_number("accuracy", r->accuracy);
    printf(", \"confusion\": [");
    for (int t = 0; t < r->K; t++) {
        printf(t ? ", [" : "[");
        for (int k = 0; k < r->K; k++)
            printf(k ? ", %lld" : "%lld", (long long)r->confusion[(size_t)t * r->K + k]);
        printf("]");
    }
    printf("], \"recall\": [");
    for (int k = 0; k < r->K; k++) {
        printf(k ? ", " : "");
        json_real(stdout, r->recall[k]);
    }
    printf("]");
    if (r->ordinal) {
        json_number("mae_expected", r->mae_expected);
        json_number("rmse_expected", r->rmse_expected);
        json_number("spearman", r->spearman);
        json_number("mae_class", r->mae_class);
        json_number("macro_mae", r->macro_mae);
        json_number("mae_argmax", r->mae_argmax);
        json_number("off_by_one", r->off_by_one);
        json_number("qwk", r->qwk);
    }
    printf("}\n");
}

int cmd_eval(int argc, char **argv) {
    const char *data = NULL, *rule = NULL;
    int json = 0, skip_bad = 0, strict = 0;
    arg_option opts[] = {
        OPT_STRING("--data", &data, "PATH", "evaluation data: CSV, image folder or IDX (t10k-*) (required)"),
        OPT_STRING("--rule", &rule, "RULE", "how a class is read off the probabilities: argmax, "
                   "median, expected (E[X] rounded to the nearest class) or rank; default: the "
                   "model's loss's rule (README)"),
        OPT_FLAG("--strict", &strict, "rows with labels the model does not know are an error, "
                 "not left out with a warning"),
        OPT_FLAG("--json", &json, "print the results as one JSON object"),
        OPT_FLAG("--skip-bad", &skip_bad, "skip undecodable images and rows with non-finite outputs, with a warning"),
        OPT_END,
    };
    const char *pos[1];
    int n_pos;
    int r = args_parse(CMD, "MODEL --data PATH [--rule RULE] [--strict] [--json]", opts, argc,
                       argv, pos, 1, &n_pos);
    if (r) return ARGS_EXIT(r);
    if (n_pos != 1 || !data) {
        cli_error(CMD, "%s (see nn eval --help)", n_pos != 1 ? "needs one MODEL file" : "--data is required");
        return EXIT_USAGE;
    }
    if (rule && nn_predict_rule_parse(rule) < 0) {
        cli_error(CMD, "--rule: '%s' is not one of argmax, median, expected, rank", rule);
        return EXIT_USAGE;
    }
    const cli_path inputs[] = {{"MODEL", pos[0], 0}, {"--data", data, 1}};
    if (!paths_check(CMD, NULL, 0, inputs, 2)) return EXIT_USAGE; /* stdout into an input */
    char what[8400];
    snprintf(what, sizeof what, "evaluating %s on --data %s", pos[0], data);
    signals_stop_at_once(CMD, what, 1); /* until the results are printed */
    nn_model m;
    nn_error err;
    if (nn_model_load(&m, pos[0], 256, 0, &err)) {
        cli_error(CMD, "%s", err.msg);
        return 1;
    }
    nn_dataset d;
    unknown_labels u;
    if (!load_data_for_model_lenient(&d, CMD, data, &m, skip_bad, &u)) {
        nn_model_free(&m);
        return 1;
    }
    if (u.rows) {
        char msg[1024];
        unknown_labels_describe(&u, msg, sizeof msg);
        if (strict || d.n == 0) {
            cli_error(CMD, "%s: %s%s", data, msg, strict ? "" : "; no row is left to evaluate");
            nn_dataset_free(&d);
            nn_model_free(&m);
            return 1;
        }
        cli_warn("eval", "%s: %s; they are left out (--strict: an error)", data, msg);
    }
    eval_result res = {.n = d.n, .K = m.arch.sizes[m.arch.n_sizes - 1], .unknown = u.rows,
                       .ordinal = model_is_ordinal(&m),
                       .rule = (nn_predict_rule)model_rule(&m, rule)};
    int status = 1;
    nn_real *probs = infer_probs(&m, &d);
    unsigned char *bad = probs ? calloc((size_t)(d.n ? d.n : 1), 1) : NULL;
    int n_bad = bad ? finite_rows_check(CMD, data, &m, &d, probs, skip_bad, bad) : -1;
    if (n_bad > 0 && skip_bad) {
        finite_rows_drop(&d, probs, res.K, bad);
        res.skipped = n_bad;
    }
    res.n = d.n;
    if (n_bad > 0 && !skip_bad) {
        /* reported */
    } else if (n_bad > 0 && d.n == 0) {
        cli_error(CMD, "%s: every row was skipped; nothing to evaluate", data);
    } else if (n_bad < 0 || !compute(&m, probs, &d, &res)) {
        cli_error(CMD, "out of memory");
    } else {
        signals_catch(); /* the results are printed whole */
        if (json) print_json(&m, &res);
        else print_text(&m, data, &res);
        status = 0;
    }
    free(probs), free(bad);
    free(res.confusion), free(res.recall);
    nn_dataset_free(&d);
    nn_model_free(&m);
    return status;
}
