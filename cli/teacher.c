/* teacher.c — a teacher's logits as per-sample targets (see teacher.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "teacher.h"

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

static int logits_into(const char *cmd, const char *path, nn_model *teacher, nn_dataset *d) {
    int K = teacher->arch.sizes[teacher->arch.n_sizes - 1], F = d->n_features;
    nn_error err;
    int *column = malloc((size_t)(F > 0 ? F : 1) * sizeof *column);
    d->targets = malloc((size_t)d->n * K * sizeof *d->targets);
    if (!column || !d->targets) {
        free(column);
        cli_error(cmd, "out of memory for the teacher's logits");
        return 0;
    }
    d->target_width = K;
    int ok = match_columns(cmd, path, teacher, d, column), same_order = 1;
    for (int j = 0; ok && j < F; j++) same_order &= column[j] == j;
    nn_dataset view = *d; /* d's rows in the teacher's column order; owns nothing */
    nn_real *x = NULL; /* (n, F) */
    if (ok && !same_order) {
        if (!(x = malloc((size_t)d->n * F * sizeof *x))) {
            cli_error(cmd, "out of memory for the teacher's columns");
            ok = 0;
        }
        for (size_t r = 0; x && r < (size_t)d->n; r++)
            for (int j = 0; j < F; j++) x[r * F + j] = d->x_real[r * F + column[j]];
        view.x_real = x;
    }
    if (ok && nn_model_run(teacher, &view, teacher->logits, d->targets, &err)) {
        cli_error(cmd, "%s", err.msg);
        ok = 0;
    }
    free(x);
    free(column);
    return ok;
}

int attach_teacher(const char *cmd, const char *path, const nn_arch *a, nn_dataset *train,
                   nn_dataset *val) {
    nn_model t;
    nn_error err;
    if (nn_model_load(&t, path, 256, 0, &err)) {
        cli_error(cmd, "--teacher: %s", err.msg);
        return 0;
    }
    int F = a->sizes[0], K = a->sizes[a->n_sizes - 1], ok = 0;
    int tF = t.arch.sizes[0], tK = t.arch.sizes[t.arch.n_sizes - 1];
    if (tF != F || tK != K)
        cli_error(cmd, "--teacher %s takes %d inputs and predicts %d classes; the student %d and %d",
                  path, tF, tK, F, K);
    else if (!same_classes(&t.data, train))
        cli_error(cmd, "--teacher %s was trained on other class names than %s", path, "the data");
    else
        ok = logits_into(cmd, path, &t, train) && (val->n == 0 || logits_into(cmd, path, &t, val));
    nn_model_free(&t);
    return ok;
}
