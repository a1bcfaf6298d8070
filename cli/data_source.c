/* data_source.c — resolves `--data PATH` to a loader (see data_source.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "data_source.h"
#include "args.h"

static nn_status fail(nn_error *err, nn_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static nn_status fail(nn_error *err, nn_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

int path_is_file(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

int path_is_dir(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* "P-KIND-idxN-ubyte" with or without .gz, whichever exists. */
static int idx_file(char *out, size_t len, const char *prefix, const char *kind) {
    snprintf(out, len, "%s-%s-ubyte.gz", prefix, kind);
    if (path_is_file(out)) return 1;
    snprintf(out, len, "%s-%s-ubyte", prefix, kind);
    return path_is_file(out);
}

static nn_status load_idx_prefix(nn_dataset *d, const char *prefix, int part, int n_parts,
                                 nn_error *err) {
    char images[4096], labels[4096];
    if (!idx_file(images, sizeof images, prefix, "images-idx3"))
        return fail(err, NN_ERR_IO, "%s-images-idx3-ubyte[.gz]: no such file", prefix);
    if (!idx_file(labels, sizeof labels, prefix, "labels-idx1"))
        return fail(err, NN_ERR_IO, "%s-labels-idx1-ubyte[.gz]: no such file", prefix);
    return nn_load_idx_part(d, images, labels, part, n_parts, err);
}

static int has_idx(const char *dir, const char *split) {
    char prefix[4096], file[4200];
    snprintf(prefix, sizeof prefix, "%s/%s", dir, split);
    return idx_file(file, sizeof file, prefix, "images-idx3");
}

static void warn(void *user, const char *message) {
    cli_warn((const char *)user, "%s", message);
}

/* An IDX dataset checked against the model's classes. */
static nn_status check_idx_classes(nn_dataset *d, const char *path, const nn_class_set *classes,
                                   nn_error *err) {
    if (classes && classes->n > 0 && d->n_classes > classes->n) {
        nn_status st = fail(err, NN_ERR_FORMAT, "%s: labels go up to %d but the model has %d classes",
                                    path, d->n_classes - 1, classes->n);
        nn_dataset_free(d);
        return st;
    }
    return NN_OK;
}

/* Keeps rows [n·part/n_parts, n·(part + 1)/n_parts) of a dataset read whole. */
static nn_status cut_part(nn_dataset *d, int part, int n_parts, nn_error *err) {
    if (n_parts == 1) return NN_OK;
    int lo = (int)((long long)d->n * part / n_parts), hi = (int)((long long)d->n * (part + 1) / n_parts);
    int *idx = malloc((size_t)(hi - lo + 1) * sizeof *idx);
    if (!idx) {
        nn_dataset_free(d);
        return fail(err, NN_ERR_NOMEM, "out of memory");
    }
    for (int i = lo; i < hi; i++) idx[i - lo] = i;
    nn_dataset part_rows;
    nn_status st = nn_dataset_subset(d, idx, hi - lo, &part_rows, err);
    free(idx);
    nn_dataset_free(d);
    if (!st) *d = part_rows;
    return st;
}

/* Why path, which is neither a regular file nor a folder nor an IDX
 * prefix, cannot be read: what it is instead (a device, a pipe ...), or
 * that it cannot be looked up, or that nothing is there. */
static nn_status not_data(const char *path, nn_error *err) {
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) return fail(err, NN_ERR_IO, "%s: no such file, folder or IDX prefix", path);
        return fail(err, NN_ERR_IO, "%s: cannot look it up: %s", path, strerror(errno));
    }
    const char *what = S_ISCHR(sb.st_mode)    ? "a character device"
                       : S_ISBLK(sb.st_mode)  ? "a block device"
                       : S_ISFIFO(sb.st_mode) ? "a pipe"
                       : S_ISSOCK(sb.st_mode) ? "a socket"
                                              : "not a regular file";
    return fail(err, NN_ERR_IO, "%s: is %s, not a data file or folder (a .csv file, an image "
                "folder or IDX files)", path, what);
}

nn_status load_data(nn_dataset *d, const char *path, const data_options *o,
                    const nn_class_set *classes, nn_error *err) {
    memset(d, 0, sizeof *d);
    int n_parts = o->n_parts ? o->n_parts : 1;
    nn_class_set none = {0};
    if (!classes) classes = &none;
    if (path_is_dir(path)) {
        const char *split = o->test_split ? "t10k" : "train";
        if (has_idx(path, split) || has_idx(path, o->test_split ? "train" : "t10k")) {
            char prefix[4096];
            snprintf(prefix, sizeof prefix, "%s/%s", path, split);
            nn_status st = load_idx_prefix(d, prefix, o->part, n_parts, err);
            return st ? st : check_idx_classes(d, path, classes, err);
        }
        nn_image_options io = {.width = o->width, .height = o->height, .channels = o->channels,
                               .skip_bad = o->skip_bad, .warn = warn, .warn_user = (void *)o->cmd,
                               .classes = *classes, .part = o->part, .n_parts = n_parts};
        return nn_load_image_folder(d, path, &io, err);
    }
    if (path_is_file(path) && ends_with(path, ".csv")) {
        nn_csv_options co = {.label = o->label, .features = o->features, .no_label = o->no_label,
                             .classes = *classes};
        nn_status st = nn_load_csv(d, path, &co, err);
        return st ? st : cut_part(d, o->part, n_parts, err);
    }
    const char *marker = strstr(path, "-images-idx3-ubyte");
    if (path_is_file(path) && marker) {
        char prefix[4096];
        snprintf(prefix, sizeof prefix, "%.*s", (int)(marker - path), path);
        nn_status st = load_idx_prefix(d, prefix, o->part, n_parts, err);
        return st ? st : check_idx_classes(d, path, classes, err);
    }
    char probe[4200];
    if (!path_is_file(path) && idx_file(probe, sizeof probe, path, "images-idx3")) {
        nn_status st = load_idx_prefix(d, path, o->part, n_parts, err);
        return st ? st : check_idx_classes(d, path, classes, err);
    }
    if (path_is_file(path))
        return fail(err, NN_ERR_ARG,
                            "%s: cannot tell the format (expected a .csv file, an image folder or IDX files)",
                            path);
    return not_data(path, err);
}

int data_options_for_model(data_options *o, const nn_model *m) {
    const nn_dataset *d = &m->data;
    if (d->image_shape[0]) {
        o->height = d->image_shape[0];
        o->width = d->image_shape[1];
        o->channels = d->image_shape[2];
    }
    if (d->label_column) o->label = d->label_column;
    if (!d->feature_names) return 1;
    size_t len = 1;
    for (int j = 0; j < d->n_features; j++) len += strlen(d->feature_names[j]) + 1;
    free(o->owned);
    if (!(o->owned = malloc(len))) return 0;
    o->owned[0] = '\0';
    for (int j = 0; j < d->n_features; j++) {
        if (j) strcat(o->owned, ",");
        strcat(o->owned, d->feature_names[j]);
    }
    o->features = o->owned;
    return 1;
}

void data_options_free(data_options *o) {
    free(o->owned);
    o->owned = NULL;
}
