/* teacher.c — a teacher's logits as per-sample targets (see teacher.h). */
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

static int logits_into(const char *cmd, nn_model *teacher, nn_dataset *d) {
    int K = teacher->arch.sizes[teacher->arch.n_sizes - 1];
    nn_error err;
    d->targets = malloc((size_t)d->n * K * sizeof *d->targets);
    if (!d->targets) {
        cli_error(cmd, "out of memory for the teacher's logits");
        return 0;
    }
    d->target_width = K;
    if (nn_model_run(teacher, d, teacher->logits, d->targets, &err)) {
        cli_error(cmd, "%s", err.msg);
        return 0;
    }
    return 1;
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
        ok = logits_into(cmd, &t, train) && (val->n == 0 || logits_into(cmd, &t, val));
    nn_model_free(&t);
    return ok;
}
