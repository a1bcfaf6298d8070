/* predict.c — `nn predict MODEL FILE...`: for each image file (or each row of
 * a CSV file) the predicted class, its probability, all probabilities, and
 * E[X] and the standard deviation over the category values. Every input is
 * read and run before anything is printed, so a bad file yields an error and
 * no partial output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "commands.h"
#include "finite_rows.h"
#include "infer.h"
#include "model_data.h"

#define CMD "predict"

/* Enough digits to read back the exact nn_real. */
#ifdef NN_DOUBLE
#define REAL_G "%.17g"
#else
#define REAL_G "%.9g"
#endif

typedef struct {
    char    *name;  /* "file" or "file:row" */
    nn_real *probs; /* (K) */
} prediction;

typedef struct {
    prediction *items;
    int         n, cap;
} prediction_list;

static int add(prediction_list *l, const char *name, const nn_real *probs, int K) {
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
    l->n++;
    return 1;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Every row of a CSV file; rows with non-finite probabilities are an error,
 * or skipped with skip_bad. */
static int predict_csv(nn_model *m, const char *path, prediction_list *out, int skip_bad) {
    nn_dataset d;
    if (!load_data_for_model(&d, CMD, path, m, 1, 0)) return 0;
    int K = m->arch.sizes[m->arch.n_sizes - 1], ok = 1;
    nn_real *probs = infer_probs(m, &d);
    unsigned char *bad = probs ? calloc((size_t)(d.n ? d.n : 1), 1) : NULL;
    int n_bad = bad ? finite_rows_check(CMD, path, m, &d, probs, skip_bad, bad) : -1;
    if (n_bad > 0 && !skip_bad) ok = 0; /* reported */
    for (int i = 0; ok && n_bad >= 0 && i < d.n; i++) {
        char name[4200];
        snprintf(name, sizeof name, "%s:%d", path, i + 1);
        if (!bad[i] && !add(out, name, probs + (size_t)i * K, K)) n_bad = -1;
    }
    if (n_bad < 0) cli_error(CMD, "out of memory");
    free(bad);
    free(probs);
    nn_dataset_free(&d);
    return ok && n_bad >= 0;
}

/* One image file. */
static int predict_image(nn_model *m, const char *path, prediction_list *out, int skip_bad) {
    const int *shape = m->data.image_shape;
    if (!shape[0]) {
        cli_error(CMD, "%s: the model was not trained on images (give a .csv file)", path);
        return 0;
    }
    nn_error err;
    int F = m->arch.sizes[0], K = m->arch.sizes[m->arch.n_sizes - 1];
    nn_real *x = nn_input_data(m->g, m->x); /* (1, F) */
    if (nn_load_image(x, path, shape[1], shape[0], shape[2], &err)) {
        cli_error(CMD, "%s", err.msg);
        return 0;
    }
    nn_real *raw = malloc((size_t)F * sizeof *raw); /* (F) as read, for the reason of a bad row */
    if (!raw) {
        cli_error(CMD, "out of memory");
        return 0;
    }
    memcpy(raw, x, (size_t)F * sizeof *raw);
    if (m->data.feature_mean)
        nn_standardize_rows(x, 1, m->data.n_features, m->data.feature_mean, m->data.feature_std);
    nn_graph_set_training(m->g, 0);
    nn_graph_forward(m->g, 1);
    const nn_real *p = nn_output(m->g, m->probs); /* (1, K) */
    int ok = 1;
    char reason[400];
    if (!finite_row_ok(m, raw, p, reason, sizeof reason)) {
        if (skip_bad) fprintf(stderr, "nn %s: warning: skipped %s: %s\n", CMD, path, reason);
        else cli_error(CMD, "%s: %s (--skip-bad skips such inputs)", path, reason);
        ok = skip_bad;
    } else if (!add(out, path, p, K)) {
        cli_error(CMD, "out of memory");
        ok = 0;
    }
    free(raw);
    return ok;
}

static void print_item(const nn_model *m, const prediction *p, int json, int first) {
    int K = m->arch.sizes[m->arch.n_sizes - 1];
    int best = nn_argmax(p->probs, K); /* NaN-aware, as nn eval and the trainer count */
    double mu, sd;
    expected_value(p->probs, K, m->data.values, &mu, &sd);
    char buf[64];
    if (json) {
        printf("%s{\"input\": ", first ? "" : ",\n ");
        json_string(stdout, p->name);
        printf(", \"class\": ");
        json_string(stdout, class_name(m, best, buf, sizeof buf));
        printf(", \"index\": %d, \"probability\": " REAL_G ", \"expected\": ", best, (double)p->probs[best]);
        json_number(stdout, mu); /* the probabilities are finite (checked); E[X] may still overflow */
        printf(", \"std\": ");
        json_number(stdout, sd);
        printf(", \"probabilities\": [");
        for (int k = 0; k < K; k++) printf(k ? ", " REAL_G : REAL_G, (double)p->probs[k]);
        printf("]}");
        return;
    }
    printf("%s: %s (p = %.4f)  E[X] = %.4g  std = %.4g\n  ", p->name, class_name(m, best, buf, sizeof buf),
           (double)p->probs[best], mu, sd);
    for (int k = 0; k < K; k++) printf("%s%s %.4f", k ? ", " : "", class_name(m, k, buf, sizeof buf), (double)p->probs[k]);
    printf("\n");
}

int cmd_predict(int argc, char **argv) {
    int json = 0, skip_bad = 0;
    arg_option opts[] = {
        OPT_FLAG("--json", &json, "print a JSON array, one object per input"),
        OPT_FLAG("--skip-bad", &skip_bad, "skip inputs whose probabilities are not finite, with a warning"),
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
    nn_model m;
    nn_error err;
    if (nn_model_load(&m, pos[0], 256, 0, &err)) {
        cli_error(CMD, "%s", err.msg);
        free(pos);
        return 1;
    }
    prediction_list list = {0};
    int ok = 1;
    for (int i = 1; ok && i < n_pos; i++)
        ok = ends_with(pos[i], ".csv") ? predict_csv(&m, pos[i], &list, skip_bad)
                                       : predict_image(&m, pos[i], &list, skip_bad);
    if (ok) {
        if (json) printf("[");
        for (int i = 0; i < list.n; i++) print_item(&m, &list.items[i], json, i == 0);
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
