/* model_data.c — data shaped for a trained model (see model_data.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "args.h"
#include "model_data.h"

static int ends_with_csv(const char *s) {
    size_t n = strlen(s);
    return n >= 4 && strcasecmp(s + n - 4, ".csv") == 0;
}

/* Images for an image model, CSV for a CSV model: said before anything is
 * read, not as the first label or column that fails to match. */
static int data_fits_model(const char *cmd, const char *path, const nn_model *m) {
    struct stat sb;
    if (stat(path, &sb) != 0) return 1; /* load_data says why */
    const int *shape = m->data.image_shape;
    if (shape[0] && S_ISREG(sb.st_mode) && ends_with_csv(path)) {
        cli_error(cmd, "%s: a CSV file, but the model was trained on %dx%d %s images: give an "
                  "image folder or IDX files", path, shape[1], shape[0], shape[2] == 3 ? "RGB" : "gray");
        return 0;
    }
    if (!shape[0] && S_ISDIR(sb.st_mode)) {
        cli_error(cmd, "%s: a folder (images or IDX), but the model was trained on CSV columns: "
                  "give a .csv file", path);
        return 0;
    }
    return 1;
}

/* The checks and the standardisation every loaded set gets. */
static int fit_to_model(nn_dataset *d, const char *cmd, const char *path, const nn_model *m) {
    int F = m->arch.sizes[0], K = m->arch.sizes[m->arch.n_sizes - 1];
    const char *problem = NULL;
    if (d->n_features != F) problem = "features";
    else if (d->n_classes > K) problem = "classes";
    nn_error err;
    if (problem) {
        cli_error(cmd, "%s has %d %s but the model takes %d", path,
                  problem[0] == 'f' ? d->n_features : d->n_classes, problem,
                  problem[0] == 'f' ? F : K);
    } else if (nn_dataset_set_standardization(d, m->data.feature_mean, m->data.feature_std, &err)) {
        cli_error(cmd, "%s", err.msg);
    } else {
        return 1;
    }
    nn_dataset_free(d);
    return 0;
}

int load_data_for_model(nn_dataset *d, const char *cmd, const char *path, const nn_model *m,
                        int no_label, int skip_bad) {
    return load_data_for_model_part(d, cmd, path, m, no_label, skip_bad, 0, 0);
}

int load_data_for_model_part(nn_dataset *d, const char *cmd, const char *path, const nn_model *m,
                             int no_label, int skip_bad, int part, int n_parts) {
    if (!data_fits_model(cmd, path, m)) return 0;
    data_options o = {.no_label = no_label, .skip_bad = skip_bad, .test_split = 1, .part = part,
                      .n_parts = n_parts, .cmd = cmd};
    if (!data_options_for_model(&o, m)) {
        cli_error(cmd, "out of memory");
        return 0;
    }
    nn_class_set classes = nn_model_classes(m);
    int known = m->data.label_names || m->data.values;
    nn_error err;
    nn_status st = load_data(d, path, &o, known ? &classes : NULL, &err);
    data_options_free(&o);
    if (st) {
        cli_error(cmd, "%s", err.msg);
        return 0;
    }
    return fit_to_model(d, cmd, path, m);
}

/* The model class that data class c (named `name`) stands for, or −1: by
 * value when the model has values and the name is a number, else by name,
 * else (a model with neither: IDX) the class id itself. */
static int model_class(const nn_model *m, int K, const char *name, int c) {
    char *end;
    double v = strtod(name, &end);
    int numeric = end != name && *end == '\0';
    for (int k = 0; k < K; k++) {
        if (m->data.values && numeric) {
            if (m->data.values[k] == v) return k;
        } else if (m->data.label_names) {
            if (strcmp(m->data.label_names[k], name) == 0) return k;
        }
    }
    return m->data.values || m->data.label_names ? -1 : c < K ? c : -1;
}

/* Replaces d's class descriptions by copies of the model's. */
static int take_model_classes(nn_dataset *d, const nn_model *m, int K) {
    if (d->label_names)
        for (int c = 0; c < d->n_classes; c++) free(d->label_names[c]);
    free(d->label_names), free(d->values);
    d->label_names = NULL, d->values = NULL;
    d->n_classes = K;
    if (m->data.values) {
        if (!(d->values = malloc((size_t)K * sizeof *d->values))) return 0;
        memcpy(d->values, m->data.values, (size_t)K * sizeof *d->values);
    }
    if (m->data.label_names) {
        if (!(d->label_names = calloc((size_t)K, sizeof *d->label_names))) return 0;
        for (int k = 0; k < K; k++)
            if (!(d->label_names[k] = strdup(m->data.label_names[k]))) return 0;
    }
    return 1;
}

int load_data_for_model_lenient(nn_dataset *d, const char *cmd, const char *path,
                                const nn_model *m, int skip_bad, unknown_labels *u) {
    memset(u, 0, sizeof *u);
    if (!data_fits_model(cmd, path, m)) return 0;
    data_options o = {.skip_bad = skip_bad, .test_split = 1, .cmd = cmd};
    if (!data_options_for_model(&o, m)) {
        cli_error(cmd, "out of memory");
        return 0;
    }
    nn_error err;
    nn_status st = load_data(d, path, &o, NULL, &err); /* the data's own classes */
    data_options_free(&o);
    if (st) {
        cli_error(cmd, "%s", err.msg);
        return 0;
    }
    int K = m->arch.sizes[m->arch.n_sizes - 1];
    int *to = malloc((size_t)d->n_classes * sizeof *to);            /* data class → model class */
    int *keep = malloc((size_t)(d->n ? d->n : 1) * sizeof *keep);   /* rows kept */
    int ok = to && keep, n_keep = 0;
    for (int c = 0; ok && c < d->n_classes; c++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%d", c);
        const char *name = d->label_names ? d->label_names[c] : buf;
        if ((to[c] = model_class(m, K, name, c)) >= 0) continue;
        if (u->n_names < UNKNOWN_MAX_NAMES)
            snprintf(u->names[u->n_names++], sizeof u->names[0], "%s", name);
        else
            u->more_names++;
    }
    u->csv = d->label_column != NULL;
    for (int i = 0; ok && i < d->n; i++) {
        if (to[d->labels[i]] >= 0) {
            keep[n_keep++] = i;
        } else if (u->rows++ == 0) {
            u->first_row = i + 1;
            if (d->row_files) snprintf(u->first_file, sizeof u->first_file, "%s", d->row_files[i]);
        }
    }
    nn_dataset kept = {0};
    if (!ok) {
        cli_error(cmd, "out of memory");
    } else if (nn_dataset_subset(d, keep, n_keep, &kept, &err)) {
        cli_error(cmd, "%s", err.msg);
        ok = 0;
    } else {
        for (int i = 0; i < n_keep; i++) kept.labels[i] = to[kept.labels[i]];
        if (!(ok = take_model_classes(&kept, m, K))) cli_error(cmd, "out of memory");
    }
    free(to), free(keep);
    nn_dataset_free(d);
    *d = kept;
    if (!ok) {
        nn_dataset_free(d);
        return 0;
    }
    return fit_to_model(d, cmd, path, m);
}

void unknown_labels_describe(const unknown_labels *u, char *buf, size_t len) {
    size_t at = (size_t)snprintf(buf, len, "%d row%s %s labels the model does not know:", u->rows,
                                 u->rows == 1 ? "" : "s", u->rows == 1 ? "has a" : "have");
    for (int i = 0; i < u->n_names && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s '%s'", i ? "," : "", u->names[i]);
    if (u->more_names && at < len)
        at += (size_t)snprintf(buf + at, len - at, " and %d more", u->more_names);
    if (at < len && u->first_file[0])
        snprintf(buf + at, len - at, " (the first is %s)", u->first_file);
    else if (at < len && u->csv)
        snprintf(buf + at, len - at, " (the first is data row %d, counting from 1 after the header)",
                 u->first_row);
    else if (at < len)
        snprintf(buf + at, len - at, " (the first is row %d, counting from 1)", u->first_row);
}
