/* teacher.c — a teacher's logits as per-sample targets (see teacher.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "teacher.h"

typedef enum { TEACHER_MODEL, TEACHER_NPY, TEACHER_NEITHER } teacher_kind;

/* By the first bytes: "\x93NUMPY" starts a .npy file; a safetensors file
 * (an nn model) has an 8-byte header length and then its JSON header '{'. */
static teacher_kind sniff(const char *path, char *why, size_t len) {
    unsigned char head[9] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return TEACHER_MODEL; /* let the model loader name the error */
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n >= 6 && memcmp(head, "\x93NUMPY", 6) == 0) return TEACHER_NPY;
    if (n == sizeof head && head[8] == '{') return TEACHER_MODEL;
    snprintf(why, len, "%zu byte%s, starting %02x %02x %02x %02x", n, n == 1 ? "" : "s", head[0], head[1],
             head[2], head[3]);
    return TEACHER_NEITHER;
}

static int same_classes(const nn_dataset *t, const nn_dataset *s) {
    if (!t->label_names || !s->label_names) return 1; /* nothing to compare */
    for (int k = 0; k < s->n_classes; k++)
        if (strcmp(t->label_names[k], s->label_names[k]) != 0) return 0;
    return 1;
}

/* The teacher's columns in d, by name: column[j] is the index in d of the
 * teacher's feature j. Images and unnamed columns keep their positions. A
 * teacher column d lacks is an error naming every such column. */
static int match_columns(const char *cmd, const char *path, const nn_model *teacher, const nn_dataset *d,
                         int *column) {
    const nn_dataset *t = &teacher->data;
    int F = d->n_features;
    for (int j = 0; j < F; j++) column[j] = j;
    if (!t->feature_names || !d->feature_names) return 1;
    char missing[400] = "";
    int n_missing = 0;
    for (int j = 0; j < F; j++) {
        column[j] = -1;
        for (int i = 0; i < F && column[j] < 0; i++)
            if (strcmp(t->feature_names[j], d->feature_names[i]) == 0) column[j] = i;
        if (column[j] < 0) {
            size_t len = strlen(missing);
            snprintf(missing + len, sizeof missing - len, "%s'%s'", n_missing++ ? ", " : "", t->feature_names[j]);
        }
    }
    if (n_missing)
        cli_error(cmd, "--teacher %s reads column%s %s, which the student's features do not include",
                  path, n_missing > 1 ? "s" : "", missing);
    return n_missing == 0;
}

/* The teacher's logits (d->n, K) on d, given d's columns in the teacher's
 * order (by name). */
static int run_by_name(const char *cmd, const char *path, nn_model *teacher, const nn_dataset *d, nn_real *out) {
    int F = d->n_features, ok = 1, same_order = 1;
    int *column = malloc((size_t)(F > 0 ? F : 1) * sizeof *column);
    if (!column) {
        cli_error(cmd, "out of memory for the teacher's columns");
        return 0;
    }
    ok = match_columns(cmd, path, teacher, d, column);
    for (int j = 0; ok && j < F; j++) same_order &= column[j] == j;
    nn_dataset view = *d; /* d's rows in the teacher's column order; owns nothing */
    nn_real *x = NULL;    /* (n, F) */
    if (ok && !same_order) {
        if (!(x = malloc((size_t)d->n * F * sizeof *x))) {
            cli_error(cmd, "out of memory for the teacher's columns");
            ok = 0;
        }
        for (size_t r = 0; x && r < (size_t)d->n; r++)
            for (int j = 0; j < F; j++) x[r * F + j] = d->x_real[r * F + column[j]];
        view.x_real = x;
    }
    nn_error err;
    if (ok && nn_model_run(teacher, &view, teacher->logits, out, &err)) {
        cli_error(cmd, "--teacher: %s", err.msg);
        ok = 0;
    }
    free(x);
    free(column);
    return ok;
}

static int model_logits(const char *cmd, const char *path, const nn_arch *a, nn_dataset *d) {
    nn_model t;
    nn_error err;
    if (nn_model_load(&t, path, 256, 0, &err)) {
        cli_error(cmd, "--teacher: %s", err.msg);
        return 0;
    }
    int F = a->sizes[0], K = a->sizes[a->n_sizes - 1], ok = 0;
    int tF = t.arch.sizes[0], tK = t.arch.sizes[t.arch.n_sizes - 1];
    if (tF != F || tK != K) {
        cli_error(cmd, "--teacher %s takes %d inputs and predicts %d classes; the student %d and %d",
                  path, tF, tK, F, K);
    } else if (!same_classes(&t.data, d)) {
        cli_error(cmd, "--teacher %s was trained on other class names than %s", path, "the data");
    } else if (!(d->targets = malloc((size_t)d->n * K * sizeof *d->targets))) {
        cli_error(cmd, "out of memory for the teacher's logits");
    } else {
        d->target_width = K;
        ok = run_by_name(cmd, path, &t, d, d->targets);
    }
    nn_model_free(&t);
    return ok;
}

/* The logits of rows [first, first + d->n) of a .npy file of n_all rows
 * (only those rows are kept; every value is checked). */
static int npy_logits(const char *cmd, const char *path, const nn_arch *a, nn_dataset *d, long first,
                      long n_all) {
    nn_error err;
    nn_real *t; /* (d->n, K) */
    int rows, cols, K = a->sizes[a->n_sizes - 1];
    nn_status st = nn_load_npy_rows(path, first, d->n, &t, &rows, &cols, &err);
    if (rows && (rows != n_all || cols != K)) { /* the shape first: a short file is this error */
        cli_error(cmd, "--teacher %s holds %d x %d logits; the data have %ld samples and the student %d classes",
                  path, rows, cols, n_all, K);
        free(t);
        return 0;
    }
    if (st) {
        cli_error(cmd, "--teacher: %s", err.msg);
        return 0;
    }
    free(d->targets);
    d->targets = t;
    d->target_width = K;
    return 1;
}

int attach_teacher(const char *cmd, const char *path, const nn_arch *a, nn_dataset *d) {
    return attach_teacher_rows(cmd, path, a, d, 0, d->n);
}

int attach_teacher_rows(const char *cmd, const char *path, const nn_arch *a, nn_dataset *d, long first,
                        long n_all) {
    char why[96];
    switch (sniff(path, why, sizeof why)) {
    case TEACHER_NPY: return npy_logits(cmd, path, a, d, first, n_all);
    case TEACHER_MODEL: return model_logits(cmd, path, a, d);
    default:
        cli_error(cmd, "--teacher %s is neither an nn model (safetensors) nor a .npy file of logits (%s)", path,
                  why);
        return 0;
    }
}
