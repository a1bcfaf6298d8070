/* model_file.c — models to and from safetensors files (layout in model.h).
 *
 * Everything a graph needs is in __metadata__; everything read from there is
 * validated (counts against the architecture, finite numbers, positive
 * standard deviations) before a model is handed back.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/data_internal.h"
#include "nn/model/model_internal.h"

#define NN_MODEL_FORMAT "nn-model/1"

/* ---------------------------------------------------------------- writing */

#define MAX_META 48 /* every key model.h lists, with a checkpoint's */

typedef struct {
    const char *pair[MAX_META][2];
    char       *owned[MAX_META];
    int         n, failed;
} meta_list;

static void meta_add(meta_list *l, const char *key, char *value /* malloc'd, taken */) {
    if (!value || l->n == MAX_META) {
        free(value);
        l->failed = 1;
        return;
    }
    l->pair[l->n][0] = key;
    l->pair[l->n][1] = l->owned[l->n] = value;
    l->n++;
}

static char *text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *text(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* JSON array text of n doubles (exact: %.17g) or n strings. */
static char *real_list(const double *v, int n) {
    nn_buf b = {0};
    nn_buf_printf(&b, "[");
    for (int i = 0; i < n; i++) nn_buf_printf(&b, i ? ",%.17g" : "%.17g", v[i]);
    nn_buf_printf(&b, "]");
    if (b.failed) nn_buf_free(&b);
    return b.data;
}

static char *string_list(char *const *s, int n) {
    nn_buf b = {0};
    nn_buf_printf(&b, "[");
    for (int i = 0; i < n; i++) {
        if (i) nn_buf_printf(&b, ",");
        nn_buf_json_string(&b, s[i]);
    }
    nn_buf_printf(&b, "]");
    if (b.failed) nn_buf_free(&b);
    return b.data;
}

int nn_model_tensors(const nn_model *m, nn_st_out *out) {
    for (int i = 0; i < m->n_tensors; i++) {
        const nn_model_tensor *t = &m->tensors[i];
        out[i] = (nn_st_out){.data = nn_node_params(m->g, t->node, NULL) + t->offset, .d0 = t->d0,
                             .d1 = t->d1};
        snprintf(out[i].name, sizeof out[i].name, "%s", t->name);
    }
    return m->n_tensors;
}

nn_status nn_model_write(const nn_model *m, const char *format, const nn_st_out *extra, int n_extra,
                         const char *const (*extra_meta)[2], int n_extra_meta, const char *path,
                         nn_error *err) {
    const nn_arch *a = &m->arch;
    const nn_dataset *d = &m->data;
    char sizes[256];
    nn_arch_format_sizes(a, sizes, sizeof sizes);
    meta_list l = {0};
    meta_add(&l, "format", text("%s", format));
    meta_add(&l, "arch", text("%s", sizes));
    meta_add(&l, "activation", text("%s", a->activation));
    meta_add(&l, "loss", text("%s", a->loss));
    meta_add(&l, "grad", text("%s", a->grad == NN_GRAD_JACOBIAN ? "jacobian" : "simplified"));
    if (a->dropout > 0) meta_add(&l, "dropout", text("%.17g", a->dropout)); /* absent: none */
    const nn_loss_info *loss = nn_loss_find(a->loss);
    meta_add(&l, "rule", text("%s", a->rule[0] ? a->rule : nn_predict_rule_name(loss ? loss->rule : NN_RULE_ARGMAX)));
    for (int i = 0; loss && loss->settings[i]; i++) { /* the settings the loss reads; a choice by name */
        int k = nn_loss_setting_index(loss->settings[i]);
        const char *choice = nn_loss_setting_choice_name(nn_loss_settings(k), a->setting[k]);
        meta_add(&l, loss->settings[i], choice ? text("%s", choice) : text("%.17g", a->setting[k]));
    }
    int F = a->sizes[0], K = a->sizes[a->n_sizes - 1];
    if (d->values) meta_add(&l, "values", real_list(d->values, K));
    if (d->label_names) meta_add(&l, "label_names", string_list(d->label_names, K));
    if (d->feature_names) meta_add(&l, "feature_names", string_list(d->feature_names, F));
    if (d->label_column) meta_add(&l, "label_column", text("%s", d->label_column));
    if (d->feature_mean) {
        meta_add(&l, "feature_mean", real_list(d->feature_mean, F));
        meta_add(&l, "feature_std", real_list(d->feature_std, F));
    }
    if (d->image_shape[0])
        meta_add(&l, "image_shape", text("[%d,%d,%d]", d->image_shape[0], d->image_shape[1],
                                         d->image_shape[2]));
    const nn_model_training *tr = &m->trained;
    if (tr->epochs > 0) { /* which epoch of which run the weights are */
        meta_add(&l, "epochs_trained", text("%d", tr->epochs));
        meta_add(&l, "weights_epoch", text("%d", tr->epoch));
        if (tr->monitor[0]) {
            meta_add(&l, "monitor", text("%s", tr->monitor));
            meta_add(&l, "monitor_value", text("%.17g", tr->value));
        }
    }
    for (int i = 0; i < n_extra_meta; i++) meta_add(&l, extra_meta[i][0], text("%s", extra_meta[i][1]));

    int n = m->n_tensors + n_extra;
    nn_st_out *t = malloc((size_t)n * sizeof *t);
    nn_status st;
    if (l.failed || !t) {
        st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    } else {
        int k = nn_model_tensors(m, t);
        if (n_extra) memcpy(t + k, extra, (size_t)n_extra * sizeof *t);
        st = nn_st_write(path, t, n, (const char *const(*)[2])l.pair, l.n, err);
    }
    free(t);
    for (int i = 0; i < l.n; i++) free(l.owned[i]);
    return st;
}

nn_status nn_model_save(const nn_model *m, const char *path, nn_error *err) {
    return nn_model_write(m, NN_MODEL_FORMAT, NULL, 0, NULL, 0, path, err);
}

/* ---------------------------------------------------------------- reading */

static nn_status meta_required(const nn_st_file *f, const char *key, const char **out,
                               nn_error *err) {
    *out = nn_st_meta(f, key);
    if (!*out) return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ lacks '%s'", f->path, key);
    return NN_OK;
}

/* A number in metadata `key`; when absent, *out keeps its default. */
static nn_status meta_number(const nn_st_file *f, const char *key, double *out, nn_error *err) {
    const char *s = nn_st_meta(f, key);
    nn_status st = NN_OK;
    if (s && nn_parse_number(s, strlen(s), out))
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ '%s' = '%s' is not a finite number",
                          f->path, key, s);
    return st;
}

/* Parses the JSON array in metadata `key` (absent: *out = NULL) and checks
 * it has n elements of `type`. */
static nn_status meta_list_of(const nn_st_file *f, const char *key, int n, nn_json_type type,
                              nn_json **out, nn_error *err) {
    *out = NULL;
    const char *s = nn_st_meta(f, key);
    if (!s) return NN_OK;
    char why[200];
    nn_json *v = nn_json_parse(s, strlen(s), why, sizeof why);
    if (!v) return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ '%s' is not JSON (%s)", f->path, key, why);
    int ok = v->type == NN_JSON_ARRAY && v->n_children == n;
    for (const nn_json *e = v->child; ok && e; e = e->next) ok = e->type == type;
    if (!ok) {
        nn_json_free(v);
        return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ '%s' is not a list of %d %s",
                            f->path, key, n, type == NN_JSON_STRING ? "strings" : "numbers");
    }
    *out = v;
    return NN_OK;
}

static nn_status read_reals(const nn_st_file *f, const char *key, int n, double **out, nn_error *err) {
    nn_json *v;
    nn_status st = meta_list_of(f, key, n, NN_JSON_NUMBER, &v, err);
    if (st || !v) return st;
    if (!(*out = malloc((size_t)n * sizeof **out))) st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", f->path);
    int i = 0;
    for (const nn_json *e = v->child; e && !st; e = e->next) (*out)[i++] = e->num;
    nn_json_free(v);
    return st;
}

static nn_status read_strings(const nn_st_file *f, const char *key, int n, char ***out, nn_error *err) {
    nn_json *v;
    nn_status st = meta_list_of(f, key, n, NN_JSON_STRING, &v, err);
    if (st || !v) return st;
    char **s = calloc((size_t)n, sizeof *s);
    int i = 0;
    for (const nn_json *e = v->child; s && e; e = e->next) s[i++] = e->str;
    *out = s ? nn_strings_copy(s, n) : NULL;
    free(s);
    nn_json_free(v);
    if (!*out) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", f->path);
    return NN_OK;
}

/* The keys of __metadata__ besides the loss settings (nn_loss_settings());
 * any other key is refused, naming it. */
static const struct {
    const char *key;
    int         checkpoint; /* only in checkpoints */
} file_keys[] = {
    {"format", 0}, {"arch", 0}, {"activation", 0}, {"loss", 0}, {"grad", 0}, {"rule", 0}, {"dropout", 0},
    {"values", 0}, {"label_names", 0}, {"feature_names", 0}, {"label_column", 0},
    {"feature_mean", 0}, {"feature_std", 0}, {"image_shape", 0},
    {"data_checksum", 0}, /* CRC-32 of the tensor data: written and checked in safetensors.c */
    {"epochs_trained", 0}, {"weights_epoch", 0}, {"monitor", 0}, {"monitor_value", 0}, /* nn_model_training */
    {"optimizer", 1}, {"optimizer_steps", 1}, {"epoch", 1}, {"rng_state", 1}, {"rng_inc", 1},
    {"graph_rng_state", 1}, {"graph_rng_inc", 1}, /* dropout masks */
    {"run", 1}, {"history", 1},
    {"best_monitor", 1}, {"best_epoch", 1}, {"best_value", 1}, {"best_bad", 1}, {"best_last", 1}, /* early stopping */
};

static nn_status check_keys(const nn_st_file *f, int checkpoint, nn_error *err) {
    for (const nn_json *e = f->metadata ? f->metadata->child : NULL; e; e = e->next) {
        int known = nn_loss_setting_index(e->key) >= 0;
        for (size_t i = 0; !known && i < sizeof file_keys / sizeof *file_keys; i++)
            known = strcmp(e->key, file_keys[i].key) == 0 && (checkpoint || !file_keys[i].checkpoint);
        if (!known)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: unknown __metadata__ key '%s'", f->path, e->key);
    }
    return NN_OK;
}

static nn_status read_arch(const nn_st_file *f, nn_arch *a, nn_error *err) {
    *a = nn_arch_defaults();
    const char *sizes, *act, *loss, *grad;
    nn_status st;
    if ((st = meta_required(f, "arch", &sizes, err)) || (st = meta_required(f, "activation", &act, err)) ||
        (st = meta_required(f, "loss", &loss, err)) || (st = meta_required(f, "grad", &grad, err)))
        return st;
    /* Every setting present is read and range-checked, the loss's own or not:
     * files written before the registry carry every loss's settings. */
    for (int i = 0; nn_loss_settings(i); i++) {
        const char *key = nn_loss_settings(i)->key;
        double v = a->setting[i];
        nn_error why;
        const nn_loss_setting *s = nn_loss_settings(i);
        const char *choice = s->choices ? nn_st_meta(f, key) : NULL; /* a choice, by name */
        if (choice && (v = nn_loss_setting_choice(s, choice)) < 0) {
            char names[200] = "";
            for (int c = 0; s->choices[c]; c++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", c ? ", " : "", s->choices[c]);
            return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ '%s' = '%s' is not one of %s",
                                f->path, key, choice, names);
        }
        if (!choice && (st = meta_number(f, key, &v, err))) return st;
        if (nn_arch_set(a, key, v, &why))
            return nn_set_error(err, NN_ERR_FORMAT, "%s: %s", f->path, why.msg);
    }
    double p = 0;
    if ((st = meta_number(f, "dropout", &p, err))) return st;
    if (!(p >= 0 && p < 1))
        return nn_set_error(err, NN_ERR_FORMAT, "%s: dropout %g is not in [0, 1)", f->path, p);
    a->dropout = p;
    nn_error why;
    if (nn_arch_parse_sizes(a, sizes, &why))
        return nn_set_error(err, NN_ERR_FORMAT, "%s: %s", f->path, why.msg);
    if (strcmp(act, "relu") && strcmp(act, "sigmoid") && strcmp(act, "tanh"))
        return nn_set_error(err, NN_ERR_FORMAT, "%s: unknown activation '%s'", f->path, act);
    if (strlen(loss) >= sizeof a->loss)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: loss name too long", f->path);
    strcpy(a->activation, act);
    strcpy(a->loss, loss);
    const char *rule = nn_st_meta(f, "rule"); /* absent in files before it was recorded */
    if (rule && nn_predict_rule_parse(rule) < 0)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: rule '%s' is not one of argmax, median, "
                            "expected, rank", f->path, rule);
    if (rule) strcpy(a->rule, rule); /* the names are shorter than a->rule */
    if (!nn_model_loss_entry(a, &why)) return nn_set_error(err, NN_ERR_FORMAT, "%s: %s", f->path, why.msg);
    if (strcmp(grad, "simplified") == 0) a->grad = NN_GRAD_SIMPLIFIED;
    else if (strcmp(grad, "jacobian") == 0) a->grad = NN_GRAD_JACOBIAN;
    else return nn_set_error(err, NN_ERR_FORMAT, "%s: unknown gradient mode '%s'", f->path, grad);
    return NN_OK;
}

static nn_status read_image_shape(const nn_st_file *f, int F, int *shape, nn_error *err) {
    nn_json *v;
    nn_status st = meta_list_of(f, "image_shape", 3, NN_JSON_NUMBER, &v, err);
    if (st || !v) return st;
    int i = 0;
    long long product = 1;
    for (const nn_json *e = v->child; e; e = e->next, i++) {
        shape[i] = e->is_uint && e->uint <= (1u << 24) ? (int)e->uint : 0;
        product *= shape[i];
    }
    nn_json_free(v);
    if (product != F || (shape[2] != 1 && shape[2] != 3))
        return nn_set_error(err, NN_ERR_FORMAT,
                            "%s: image_shape [%d,%d,%d] does not describe %d gray or RGB inputs",
                            f->path, shape[0], shape[1], shape[2], F);
    return NN_OK;
}

/* The data description (no samples) of a model with architecture a. */
static nn_status read_description(const nn_st_file *f, const nn_arch *a, nn_dataset *d,
                                  nn_error *err) {
    int F = a->sizes[0], K = a->sizes[a->n_sizes - 1];
    d->n_features = F;
    d->n_classes = K;
    nn_status st;
    if ((st = read_reals(f, "values", K, &d->values, err)) ||
        (st = read_strings(f, "label_names", K, &d->label_names, err)) ||
        (st = read_strings(f, "feature_names", F, &d->feature_names, err)) ||
        (st = read_reals(f, "feature_mean", F, &d->feature_mean, err)) ||
        (st = read_reals(f, "feature_std", F, &d->feature_std, err)) ||
        (st = read_image_shape(f, F, d->image_shape, err)))
        return st;
    const char *column = nn_st_meta(f, "label_column");
    if (column && !(d->label_column = strdup(column)))
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", f->path);
    if (!d->feature_mean != !d->feature_std)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: feature_mean and feature_std come together",
                            f->path);
    for (int j = 0; d->feature_std && j < F; j++)
        if (!(d->feature_std[j] > 0))
            return nn_set_error(err, NN_ERR_FORMAT, "%s: feature_std[%d] = %g is not positive",
                                f->path, j, d->feature_std[j]);
    return NN_OK;
}

nn_status nn_meta_uint(const nn_st_file *f, const char *key, unsigned long long max, unsigned long long *out,
                       nn_error *err) {
    const char *s = nn_st_meta(f, key);
    if (!s) return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ lacks '%s'", f->path, key);
    unsigned long long v = 0;
    int ok = *s != '\0';
    for (const char *p = s; ok && *p; p++) {
        unsigned d = (unsigned)(*p - '0'); /* v·10 + d ≤ max, without overflow (d ≤ max first) */
        ok = *p >= '0' && *p <= '9' && d <= max && v <= (max - d) / 10;
        v = v * 10 + d;
    }
    if (!ok)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ '%s' = '%s' is not an integer in 0..%llu",
                            f->path, key, s, max);
    *out = v;
    return NN_OK;
}

/* An int in [lo, hi] under `key` (nn_meta_uint); *out untouched when absent. */
static nn_status meta_int(const nn_st_file *f, const char *key, int lo, int hi, int *out, nn_error *err) {
    unsigned long long v;
    if (!nn_st_meta(f, key)) return NN_OK;
    nn_status st = nn_meta_uint(f, key, (unsigned long long)hi, &v, err);
    if (!st && v < (unsigned long long)lo)
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ '%s' = %llu is below %d", f->path, key, v, lo);
    if (!st) *out = (int)v;
    return st;
}

/* nn_model_training from epochs_trained, weights_epoch, monitor, monitor_value. */
static nn_status read_training(const nn_st_file *f, nn_model_training *t, nn_error *err) {
    *t = (nn_model_training){.value = NAN};
    nn_status st;
    const char *monitor = nn_st_meta(f, "monitor"), *value = nn_st_meta(f, "monitor_value");
    if (!nn_st_meta(f, "epochs_trained")) {
        if (nn_st_meta(f, "weights_epoch") || monitor || value)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ has weights_epoch, monitor or "
                                "monitor_value without epochs_trained", f->path);
        return NN_OK;
    }
    if ((st = meta_int(f, "epochs_trained", 1, INT32_MAX, &t->epochs, err))) return st;
    t->epoch = t->epochs;
    if ((st = meta_int(f, "weights_epoch", 1, t->epochs, &t->epoch, err))) return st;
    if (!monitor != !value)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ monitor and monitor_value come together",
                            f->path);
    if (monitor) {
        char *end;
        t->value = strtod(value, &end);
        if (nn_monitor_parse(monitor) < 0)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ monitor '%s' is not val_loss, val_acc, "
                                "val_mae or val_qwk", f->path, monitor);
        if (end == value || *end || !isfinite(t->value))
            return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ monitor_value '%s' is not a finite number",
                                f->path, value);
        snprintf(t->monitor, sizeof t->monitor, "%s", monitor);
    }
    return NN_OK;
}

/* Every tensor must be one the model (or a checkpoint) uses. */
static nn_status check_tensor_names(const nn_st_file *f, const nn_model *m, int checkpoint,
                                    nn_error *err) {
    for (int i = 0; i < f->n_tensors; i++) {
        const char *name = f->tensors[i].name;
        int used = 0;
        for (int k = 0; !used && k < m->n_tensors; k++) used = strcmp(name, m->tensors[k].name) == 0;
        if (used || (checkpoint && (strncmp(name, "optimizer.", 10) == 0 || strcmp(name, "best.params") == 0)))
            continue;
        return nn_set_error(err, NN_ERR_FORMAT, "%s: unexpected tensor '%s' for architecture %s",
                            f->path, name, nn_st_meta(f, "arch"));
    }
    return NN_OK;
}

nn_status nn_model_from_file(nn_model *m, const nn_st_file *f, const char *format, int max_batch,
                             int with_loss, nn_error *err) {
    memset(m, 0, sizeof *m);
    m->loss = m->targets = -1;
    const char *have = nn_st_meta(f, "format");
    if (!have || (format ? strcmp(have, format) != 0
                         : strcmp(have, NN_MODEL_FORMAT) != 0 && strcmp(have, "nn-checkpoint/1") != 0))
        return nn_set_error(err, NN_ERR_FORMAT, "%s: not an nn %s (__metadata__ format is %s%s%s)",
                            f->path, format && strcmp(format, NN_MODEL_FORMAT) ? "checkpoint" : "model file",
                            have ? "'" : "missing", have ? have : "", have ? "'" : "");
    nn_arch a;
    nn_dataset d = {0};
    nn_error why;
    nn_status st = check_keys(f, strcmp(have, NN_MODEL_FORMAT) != 0, err);
    if (!st) st = read_arch(f, &a, err);
    if (!st) st = read_description(f, &a, &d, err);
    if (!st && (st = nn_model_build_graph(m, &a, &d, max_batch, with_loss, &why)))
        nn_set_error(err, st, "%s: %s", f->path, why.msg);
    nn_dataset_free(&d);
    if (st) return st;
    /* Shapes before compiling: the file's own size then bounds what the graph
     * allocates, whatever its metadata claims. */
    for (int i = 0; i < m->n_tensors; i++)
        if ((st = nn_st_expect(f, m->tensors[i].name, m->tensors[i].d0, m->tensors[i].d1, err))) {
            nn_model_free(m);
            return st;
        }
    if ((st = nn_model_compile(m, 0, &why))) return nn_set_error(err, st, "%s: %s", f->path, why.msg);
    if ((st = check_tensor_names(f, m, strcmp(have, NN_MODEL_FORMAT) != 0, err))) goto fail;
    for (int i = 0; i < m->n_tensors; i++) {
        const nn_model_tensor *t = &m->tensors[i];
        if ((st = nn_st_get(f, t->name, t->d0, t->d1, nn_node_params(m->g, t->node, NULL) + t->offset, err)))
            goto fail;
    }
    if ((st = read_training(f, &m->trained, err))) goto fail;
    return NN_OK;
fail:
    nn_model_free(m);
    return st;
}

nn_status nn_model_load(nn_model *m, const char *path, int max_batch, int with_loss, nn_error *err) {
    memset(m, 0, sizeof *m);
    m->loss = m->targets = -1;
    nn_st_file f;
    nn_status st = nn_st_read(&f, path, err);
    if (st) return st;
    st = nn_model_from_file(m, &f, NULL, max_batch, with_loss, err);
    nn_st_close(&f);
    return st;
}
