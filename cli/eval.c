/* eval.c — `nn eval MODEL --data PATH`: accuracy and the confusion matrix;
 * for ordinal models (with category values) also the ordinal metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "infer.h"
#include "model_data.h"

#define CMD "eval"

typedef struct {
    int      n, K;
    long    *confusion; /* (K, K): [true · K + predicted] */
    double   accuracy;
} eval_result;

static int argmax(const nn_real *row, int K) {
    int best = 0;
    for (int k = 1; k < K; k++)
        if (row[k] > row[best]) best = k;
    return best;
}

static void print_text(const nn_model *m, const char *path, const eval_result *r) {
    char buf[64];
    printf("%s: %d samples, %d classes\naccuracy %.2f%%\n", path, r->n, r->K, 100 * r->accuracy);
    printf("confusion matrix (rows: true class, columns: predicted)\n%12s", "");
    for (int k = 0; k < r->K; k++) printf(" %8.8s", class_name(m, k, buf, sizeof buf));
    printf("\n");
    for (int t = 0; t < r->K; t++) {
        printf("%12.12s", class_name(m, t, buf, sizeof buf));
        for (int k = 0; k < r->K; k++) printf(" %8ld", r->confusion[(size_t)t * r->K + k]);
        printf("\n");
    }
}

static void print_json(const nn_model *m, const eval_result *r) {
    char buf[64];
    printf("{\"samples\": %d, \"classes\": [", r->n);
    for (int k = 0; k < r->K; k++) {
        printf(k ? ", " : "");
        json_string(stdout, class_name(m, k, buf, sizeof buf));
    }
    printf("], \"accuracy\": %.17g, \"confusion\": [", r->accuracy);
    for (int t = 0; t < r->K; t++) {
        printf(t ? ", [" : "[");
        for (int k = 0; k < r->K; k++) printf(k ? ", %ld" : "%ld", r->confusion[(size_t)t * r->K + k]);
        printf("]");
    }
    printf("]}\n");
}

int cmd_eval(int argc, char **argv) {
    const char *data = NULL;
    int json = 0, skip_bad = 0;
    arg_option opts[] = {
        OPT_STRING("--data", &data, "PATH", "evaluation data: CSV, image folder or IDX (t10k-*) (required)"),
        OPT_FLAG("--json", &json, "print the results as one JSON object"),
        OPT_FLAG("--skip-bad", &skip_bad, "images: skip undecodable files with a warning"),
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
    eval_result res = {.n = d.n, .K = m.arch.sizes[m.arch.n_sizes - 1]};
    nn_real *probs = infer_probs(&m, &d);
    res.confusion = calloc((size_t)res.K * res.K, sizeof *res.confusion);
    if (!probs || !res.confusion) {
        cli_error(CMD, "out of memory");
    } else {
        long correct = 0;
        for (int i = 0; i < d.n; i++) {
            int p = argmax(probs + (size_t)i * res.K, res.K);
            res.confusion[(size_t)d.labels[i] * res.K + p]++;
            correct += p == d.labels[i];
        }
        res.accuracy = (double)correct / d.n;
        if (json) print_json(&m, &res);
        else print_text(&m, data, &res);
        status = 0;
    }
    free(probs);
    free(res.confusion);
    nn_dataset_free(&d);
    nn_model_free(&m);
    return status;
}
