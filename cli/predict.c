/* predict.c — `nn predict MODEL FILE...`: for each image file (or each data
 * row of a CSV file, counted from 1 after the header as in parse errors) the
 * class the model's rule reads (argmax, median, rounded E[X] or rank), its
 * probability and all probabilities; for ordinal models also the cumulative
 * P(y > k), E[X] and its standard deviation, the median, the argmax and, for
 * threshold heads (CORAL, CORN, cumulative link), the rank rule. Every input
 * is read and run before anything is printed, so a bad file yields an error
 * and no partial output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "commands.h"
#include "finite_rows.h"
#include "paths.h"
#include "infer.h"
#include "model_data.h"
#include "nn/text.h"

#define CMD "predict"

/* Enough digits to read back the exact nn_real. */
#ifdef NN_DOUBLE
#define REAL_G "%.17g"
#else
#define REAL_G "%.9g"
#endif

typedef struct {
    char    *name;  /* the file */
    int      row;   /* CSV: data row from 1; 0 for an image */
    nn_real *probs; /* (K) */
    int      rank;  /* the rank rule from the threshold logits, or −1 */
} prediction;

typedef struct {
    prediction *items;
    int         n, cap;
} prediction_list;

static int add(prediction_list *l, const char *name, int row, const nn_real *probs, int K,
               int rank) {
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        prediction *grown = realloc(l->items, (size_t)cap * sizeof *grown);
        if (!grown) return 0;
        l->items = grown;
        l->cap = cap;
    }
    prediction *p = &l->items[l->n];
    p->name = strdup(name);
    p->probs = malloc((size_t)K * sizeof *p->probs);
    if (!p->name || !p->probs) {
        free(p->name);
        free(p->probs);
        return 0;
    }
    memcpy(p->probs, probs, (size_t)K * sizeof *probs);
    p->row = row;
    p->rank = rank;
    l->n++;
    return 1;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Every row of a CSV file. */
/* Rows with non-finite inputs or probabilities are an error, or skipped
 * with skip_bad. */
static int predict_csv(nn_model *m, const char *path, prediction_list *out, int skip_bad) {
    nn_dataset d;
    if (!load_data_for_model(&d, CMD, path, m, 1, 0)) return 0;
    int K = m->arch.sizes[m->arch.n_sizes - 1], ok = 1;
    nn_real *probs = infer_probs(m, &d);
    int32_t *rank = malloc((size_t)(d.n ? d.n : 1) * sizeof *rank);
    int has_rank = probs && rank ? infer_rank(m, &d, rank) : -1;
    unsigned char *bad = has_rank >= 0 ? calloc((size_t)(d.n ? d.n : 1), 1) : NULL;
    int n_bad = bad ? finite_rows_check(CMD, path, m, &d, probs, skip_bad, bad) : -1;
    ok = n_bad >= 0;
    for (int i = 0; ok && (n_bad == 0 || skip_bad) && i < d.n; i++)
        ok = bad[i] || add(out, path, i + 1, probs + (size_t)i * K, K, has_rank ? rank[i] : -1);
    if (!ok) cli_error(CMD, "out of memory");
    free(probs), free(rank), free(bad);
    nn_dataset_free(&d);
    return ok && (n_bad == 0 || skip_bad);
}

/* One image file. */
static int predict_image(nn_model *m, const char *path, prediction_list *out, int skip_bad) {
    const int *shape = m->data.image_shape;
    if (!shape[0]) {
        cli_error(CMD, "%s: the model was not trained on images (give a .csv file)", path);
        return 0;
    }
    nn_error err;
    nn_real *x = nn_input_data(m->g, m->x); /* (1, F) */
    if (nn_load_image(x, path, shape[1], shape[0], shape[2], &err)) {
        cli_error(CMD, "%s", err.msg);
        return 0;
    }
    int F = m->arch.sizes[0];
    nn_real *raw = malloc((size_t)F * sizeof *raw); /* (F) as read, for the reason of a bad input */
    if (!raw) {
        cli_error(CMD, "out of memory");
        return 0;
    }
    memcpy(raw, x, (size_t)F * sizeof *raw);
    if (m->data.feature_mean)
        nn_standardize_rows(x, 1, m->data.n_features, m->data.feature_mean, m->data.feature_std);
    nn_graph_set_training(m->g, 0);
    nn_graph_forward(m->g, 1);
    int kind = nn_ordinal_probs_kind(m->g, m->probs), K = m->arch.sizes[m->arch.n_sizes - 1];
    int rank = kind < 0 ? -1 : nn_ordinal_rank_row(nn_output(m->g, nn_node_input(m->g, m->probs, 0)),
                                                   K, (nn_ordinal_logits)kind);
    char reason[400];
    int ok = 1;
    if (!finite_row_ok(m, raw, nn_output(m->g, m->probs), reason, sizeof reason)) {
        if (skip_bad) cli_warn(CMD, "skipped %s: %s", path, reason);
        else cli_error(CMD, "%s: %s (--skip-bad skips such inputs)", path, reason);
        ok = skip_bad;
    } else if (!add(out, path, 0, nn_output(m->g, m->probs), K, rank)) {
        cli_error(CMD, "out of memory");
        ok = 0;
    }
    free(raw);
    return ok;
}

/* P(y > k) = Σ_{j > k} p_j, summed from the top so small tails keep their digits. */
static double above(const nn_real *p, int K, int k) {
    double s = 0;
    for (int j = K - 1; j > k; j--) s += p[j];
    return s;
}

/* What one prediction says, in the model's terms. */
typedef struct {
    int    cls, argmax, median;
    double mu, sd;
} reading;

static reading read_item(const nn_model *m, const prediction *p, nn_predict_rule rule, int K) {
    reading r;
    r.argmax = nn_argmax(p->probs, K);
    r.median = nn_median_class(p->probs, K);
    int32_t c;
    nn_predict_classes(&c, p->probs, 1, K, m->data.values, rule);
    r.cls = rule == NN_RULE_RANK && p->rank >= 0 ? p->rank : c;
    double var;
    nn_category_moments(&r.mu, &var, p->probs, K, m->data.values);
    r.sd = sqrt(var);
    return r;
}

static void print_json_item(const nn_model *m, const prediction *p, nn_predict_rule rule,
                            int first) {
    int K = m->arch.sizes[m->arch.n_sizes - 1];
    reading r = read_item(m, p, rule, K);
    char buf[64];
    printf("%s{\"input\": ", first ? "" : ",\n ");
    json_string(stdout, p->name);
    if (p->row) printf(", \"row\": %d", p->row);
    printf(", \"class\": ");
    json_string(stdout, class_name(m, r.cls, buf, sizeof buf));
    printf(", \"index\": %d, \"rule\": \"%s\", \"probability\": " REAL_G
           ", \"expected\": ", r.cls, nn_predict_rule_name(rule), (double)p->probs[r.cls]);
    json_real(stdout, r.mu); /* the probabilities are finite (checked); E[X] may still overflow */
    printf(", \"std\": ");
    json_real(stdout, r.sd);
    printf(", \"argmax\": %d, \"median\": %d, \"rank\": ", r.argmax, r.median);
    printf(p->rank >= 0 ? "%d" : "null", p->rank);
    printf(", \"probabilities\": [");
    for (int k = 0; k < K; k++) printf(k ? ", " REAL_G : REAL_G, (double)p->probs[k]);
    printf("], \"cumulative\": ["); /* P(y > k), k = 0 … K − 2 */
    for (int k = 0; k < K - 1; k++) printf(k ? ", %.9g" : "%.9g", above(p->probs, K, k));
    printf("]}");
}

static void print_text_item(const nn_model *m, const prediction *p, nn_predict_rule rule) {
    int K = m->arch.sizes[m->arch.n_sizes - 1];
    reading r = read_item(m, p, rule, K);
    char buf[64];
    char shown[4 * 4096]; /* one line, whatever bytes the file name holds */
    nn_escape_line(shown, sizeof shown, p->name);
    if (p->row) printf("%s data row %d", shown, p->row);
    else printf("%s", shown);
    printf(": %s (p = %.4f)  E[X] = %.4g  std = %.4g", class_name(m, r.cls, buf, sizeof buf),
           (double)p->probs[r.cls], r.mu, r.sd);
    if (model_is_ordinal(m)) {
        printf("  [%s; argmax %s", nn_predict_rule_name(rule), class_name(m, r.argmax, buf, sizeof buf));
        printf(", median %s", class_name(m, r.median, buf, sizeof buf));
        if (p->rank >= 0) printf(", rank %s", class_name(m, p->rank, buf, sizeof buf));
        printf("]");
    }
    printf("\n  ");
    for (int k = 0; k < K; k++) printf("%s%s %.4f", k ? ", " : "", class_name(m, k, buf, sizeof buf), (double)p->probs[k]);
    printf("\n");
    if (model_is_ordinal(m)) {
        printf("  P(y > k):");
        for (int k = 0; k < K - 1; k++)
            printf("%s >%s %.4f", k ? "," : "", class_name(m, k, buf, sizeof buf), above(p->probs, K, k));
        printf("\n");
    }
}

int cmd_predict(int argc, char **argv) {
    int json = 0, skip_bad = 0;
    const char *rule_name = NULL;
    arg_option opts[] = {
        OPT_FLAG("--json", &json, "print a JSON array, one object per input"),
        OPT_FLAG("--skip-bad", &skip_bad, "skip inputs that overflow or give non-finite probabilities, with a warning"),
        OPT_STRING("--rule", &rule_name, "RULE", "the class to report: argmax, median, expected "
                   "(E[X] rounded to the nearest class) or rank; default: the model's loss's rule"),
        OPT_END,
    };
    const char **pos = malloc((size_t)(argc > 1 ? argc : 1) * sizeof *pos);
    int n_pos;
    if (!pos) return 1;
    int r = args_parse(CMD, "MODEL FILE... [--json]   (image files, or CSV files: one prediction per row)",
                       opts, argc, argv, pos, argc, &n_pos);
    if (r || n_pos < 2) {
        if (!r) cli_error(CMD, "needs a MODEL and at least one FILE (see nn predict --help)");
        free(pos);
        return r ? ARGS_EXIT(r) : EXIT_USAGE;
    }
    if (rule_name && nn_predict_rule_parse(rule_name) < 0) {
        cli_error(CMD, "--rule: '%s' is not one of argmax, median, expected, rank", rule_name);
        free(pos);
        return EXIT_USAGE;
    }
    cli_path *inputs = malloc((size_t)n_pos * sizeof *inputs);
    for (int i = 0; inputs && i < n_pos; i++) inputs[i] = (cli_path){i ? "FILE" : "MODEL", pos[i], 0};
    if (!inputs) cli_error(CMD, "out of memory");
    int clash = !inputs || !paths_check(CMD, NULL, 0, inputs, n_pos); /* stdout into an input */
    free(inputs);
    if (clash) {
        free(pos);
        return EXIT_USAGE;
    }
    nn_model m;
    nn_error err;
    if (nn_model_load(&m, pos[0], 256, 0, &err)) {
        cli_error(CMD, "%s", err.msg);
        free(pos);
        return 1;
    }
    nn_predict_rule rule = (nn_predict_rule)model_rule(&m, rule_name);
    prediction_list list = {0};
    int ok = 1;
    for (int i = 1; ok && i < n_pos; i++)
        ok = ends_with(pos[i], ".csv") ? predict_csv(&m, pos[i], &list, skip_bad)
                                       : predict_image(&m, pos[i], &list, skip_bad);
    if (ok) {
        if (json) printf("[");
        for (int i = 0; i < list.n; i++)
            json ? print_json_item(&m, &list.items[i], rule, i == 0)
                 : print_text_item(&m, &list.items[i], rule);
        if (json) printf("]\n");
    }
    for (int i = 0; i < list.n; i++) {
        free(list.items[i].name);
        free(list.items[i].probs);
    }
    free(list.items);
    nn_model_free(&m);
    free(pos);
    return ok ? 0 : 1;
}
