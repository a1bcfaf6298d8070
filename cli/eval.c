/* eval.c — `nn eval MODEL --data PATH`: accuracy and the confusion matrix;
 * for ordinal models (with category values) also the ordinal metrics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "finite_rows.h"
#include "infer.h"
#include "model_data.h"

#define CMD "eval"

typedef struct {
    int      n, K;
    int      skipped;   /* rows left out with --skip-bad: non-finite probabilities */
    int64_t *confusion; /* (K, K): [true · K + predicted] */
    double   accuracy;
    int      ordinal;   /* the model has category values or an ordinal loss */
    double   mae_expected, mae_argmax, off_by_one, qwk;
} eval_result;

static int is_ordinal(const nn_model *m) {
    static const char *const losses[] = {"ev-sq", "ev-abs", "mean-variance", "sord", "dldl"};
    for (size_t i = 0; i < sizeof losses / sizeof *losses; i++)
        if (strcmp(m->arch.loss, losses[i]) == 0) return 1;
    return m->data.values != NULL;
}

/* Accuracy, confusion matrix and, for ordinal models, MAE of E[X] and of the
 * argmax (in value units), off-by-one accuracy and QWK (on label positions). */
static int compute(const nn_model *m, const nn_real *probs, const nn_dataset *d, eval_result *r) {
    nn_error err;
    const double *v = m->data.values;
    r->confusion = calloc((size_t)r->K * r->K, sizeof *r->confusion);
    int32_t *pred = malloc((size_t)d->n * sizeof *pred);
    int ok = r->confusion && pred && !nn_confusion_matrix(r->confusion, probs, d->labels, d->n, r->K, &err);
    if (ok) {
        r->accuracy = nn_accuracy(probs, d->labels, d->n, r->K);
        r->ordinal = is_ordinal(m);
        nn_argmax_rows(pred, probs, d->n, r->K);
        r->mae_expected = nn_mae_expected(probs, d->labels, d->n, r->K, v);
        r->mae_argmax = nn_mae_argmax(probs, d->labels, d->n, r->K, v);
        r->off_by_one = nn_off_by_one_accuracy(probs, d->labels, d->n, r->K);
        r->qwk = nn_quadratic_weighted_kappa(pred, d->labels, d->n, r->K);
    }
    free(pred);
    return ok;
}

static void print_text(const nn_model *m, const char *path, const eval_result *r) {
    char buf[64];
    printf("%s: %d samples, %d classes", path, r->n, r->K);
    if (r->skipped) printf(" (%d more skipped: non-finite probabilities)", r->skipped);
    printf("\naccuracy %.2f%%\n", 100 * r->accuracy);
    printf("confusion matrix (rows: true class, columns: predicted)\n%12s", "");
    for (int k = 0; k < r->K; k++) printf(" %8.8s", class_name(m, k, buf, sizeof buf));
    printf("\n");
    for (int t = 0; t < r->K; t++) {
        printf("%12.12s", class_name(m, t, buf, sizeof buf));
        for (int k = 0; k < r->K; k++) printf(" %8lld", (long long)r->confusion[(size_t)t * r->K + k]);
        printf("\n");
    }
    if (r->ordinal)
        printf("ordinal: MAE of E[X] %.4g, MAE of the argmax %.4g (value units), "
               "off-by-one accuracy %.2f%%, QWK %.4f\n",
               r->mae_expected, r->mae_argmax, 100 * r->off_by_one, r->qwk);
}

/* Every number through json_number: NaN (accuracy of no rows, QWK with one
 * class) is not JSON, so it is null. */
static void print_json(const nn_model *m, const eval_result *r) {
    char buf[64];
    printf("{\"samples\": %d, \"skipped\": %d, \"classes\": [", r->n, r->skipped);
    for (int k = 0; k < r->K; k++) {
        printf(k ? ", " : "");
        json_string(stdout, class_name(m, k, buf, sizeof buf));
    }
    printf("], \"accuracy\": ");
    json_number(stdout, r->accuracy);
    printf(", \"confusion\": [");
    for (int t = 0; t < r->K; t++) {
        printf(t ? ", [" : "[");
        for (int k = 0; k < r->K; k++)
            printf(k ? ", %lld" : "%lld", (long long)r->confusion[(size_t)t * r->K + k]);
        printf("]");
    }
    printf("]");
    if (r->ordinal) {
        const char *keys[] = {"mae_expected", "mae_argmax", "off_by_one", "qwk"};
        const double vals[] = {r->mae_expected, r->mae_argmax, r->off_by_one, r->qwk};
        for (int i = 0; i < 4; i++) {
            printf(", \"%s\": ", keys[i]);
            json_number(stdout, vals[i]);
        }
    }
    printf("}\n");
}

int cmd_eval(int argc, char **argv) {
    const char *data = NULL;
    int json = 0, skip_bad = 0;
    arg_option opts[] = {
        OPT_STRING("--data", &data, "PATH", "evaluation data: CSV, image folder or IDX (t10k-*) (required)"),
        OPT_FLAG("--json", &json, "print the results as one JSON object"),
        OPT_FLAG("--skip-bad", &skip_bad, "skip undecodable images and rows with non-finite outputs, with a warning"),
        OPT_END,
    };
    const char *pos[1];
    int n_pos;
    int r = args_parse(CMD, "MODEL --data PATH [--json]", opts, argc, argv, pos, 1, &n_pos);
    if (r) return ARGS_EXIT(r);
    if (n_pos != 1 || !data) {
        cli_error(CMD, "%s (see nn eval --help)", n_pos != 1 ? "needs one MODEL file" : "--data is required");
        return EXIT_USAGE;
    }
    nn_model m;
    nn_error err;
    if (nn_model_load(&m, pos[0], 256, 0, &err)) {
        cli_error(CMD, "%s", err.msg);
        return 1;
    }
    nn_dataset d;
    int status = 1;
    if (!load_data_for_model(&d, CMD, data, &m, 0, skip_bad)) {
        nn_model_free(&m);
        return 1;
    }
    eval_result res = {.K = m.arch.sizes[m.arch.n_sizes - 1]};
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
        if (json) print_json(&m, &res);
        else print_text(&m, data, &res);
        status = 0;
    }
    free(probs);
    free(bad);
    free(res.confusion);
    nn_dataset_free(&d);
    nn_model_free(&m);
    return status;
}
