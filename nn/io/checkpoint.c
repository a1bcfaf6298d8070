/* checkpoint.c — everything needed to continue a run exactly: the model file
 * plus the optimizer's state buffers and step count, the number of epochs
 * done, the shuffling generator's state, and the caller's description of the
 * run. Written atomically like every file nn writes. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/model/model_internal.h"

#define NN_CHECKPOINT_FORMAT "nn-checkpoint/1"

static const char *kind_name(nn_optimizer_kind k) {
    return k == NN_OPT_SGD ? "sgd" : k == NN_OPT_ADAM ? "adam" : "adamw";
}

nn_status nn_checkpoint_save(const nn_model *m, const nn_optimizer *opt,
                             const nn_checkpoint_info *c, const char *path, nn_error *err) {
    if (!memchr(c->run, '\0', sizeof c->run))
        return nn_set_error(err, NN_ERR_ARG, "%s: run description not terminated", path);
    nn_st_out state[3];
    int n_state = nn_optimizer_n_state(opt);
    for (int i = 0; i < n_state; i++) {
        const char *name;
        state[i] = (nn_st_out){.data = nn_optimizer_state(opt, i, &name),
                               .d0 = nn_graph_n_params(m->g)};
        snprintf(state[i].name, sizeof state[i].name, "optimizer.%s", name);
    }
    char steps[32], epoch[32], rng_state[32], rng_inc[32], g_state[32], g_inc[32];
    nn_rng grng = *nn_graph_rng(m->g); /* dropout masks */
    snprintf(g_state, sizeof g_state, "%llu", (unsigned long long)grng.state);
    snprintf(g_inc, sizeof g_inc, "%llu", (unsigned long long)grng.inc);
    snprintf(steps, sizeof steps, "%ld", nn_optimizer_steps(opt));
    snprintf(epoch, sizeof epoch, "%d", c->epoch);
    snprintf(rng_state, sizeof rng_state, "%llu", (unsigned long long)c->rng.state);
    snprintf(rng_inc, sizeof rng_inc, "%llu", (unsigned long long)c->rng.inc);
    /* early stopping: the best epoch so far and, with restore_best, its weights */
    char b_epoch[32], b_value[40], b_bad[32], b_last[32];
    nn_early_stop_state bs = c->best ? nn_early_stop_get(c->best) : (nn_early_stop_state){0};
    snprintf(b_epoch, sizeof b_epoch, "%d", bs.epoch);
    snprintf(b_value, sizeof b_value, "%.17g", bs.epoch ? bs.value : 0.0);
    snprintf(b_bad, sizeof b_bad, "%d", bs.bad);
    snprintf(b_last, sizeof b_last, "%d", bs.last);
    if (c->best && nn_early_stop_params(c->best) && bs.epoch > 0) {
        state[n_state] = (nn_st_out){.data = nn_early_stop_params(c->best), .d0 = nn_graph_n_params(m->g)};
        snprintf(state[n_state].name, sizeof state[n_state].name, "best.params");
        n_state++;
    }
    const char *meta[16][2] = {
        {"optimizer", kind_name(nn_optimizer_kind_of(opt))},
        {"optimizer_steps", steps},
        {"epoch", epoch},
        {"rng_state", rng_state},
        {"rng_inc", rng_inc},
        {"graph_rng_state", g_state},
        {"graph_rng_inc", g_inc},
        {"run", c->run},
    };
    int n = 8;
#define META(key, value) (meta[n][0] = (key), meta[n][1] = (value), n++)
    if (c->best) {
        META("best_monitor", nn_monitor_name(nn_early_stop_options_of(c->best).monitor));
        META("best_epoch", b_epoch);
        META("best_value", b_value);
        META("best_bad", b_bad);
        META("best_last", b_last);
    }
    if (c->history && c->history[0]) META("history", c->history);
#undef META
    return nn_model_write(m, NN_CHECKPOINT_FORMAT, state, n_state, (const char *const(*)[2])meta, n, path, err);
}

/* Whether a and b build the same graph: sizes, activation, loss, gradient
 * mode and the settings that loss reads. */
static int same_arch(const nn_arch *a, const nn_arch *b) {
    if (a->n_sizes != b->n_sizes || strcmp(a->activation, b->activation) || strcmp(a->loss, b->loss) ||
        a->grad != b->grad || a->dropout != b->dropout)
        return 0;
    for (int i = 0; i < a->n_sizes; i++)
        if (a->sizes[i] != b->sizes[i]) return 0;
    return 1;
}

/* The first setting of a's loss in which a and b differ, or NULL. */
static const char *setting_differs(const nn_arch *a, const nn_arch *b) {
    const nn_loss_info *l = nn_loss_find(a->loss);
    for (int i = 0; l && l->settings[i]; i++) {
        int k = nn_loss_setting_index(l->settings[i]);
        if (a->setting[k] != b->setting[k]) return l->settings[i];
    }
    return NULL;
}

static nn_status restore(nn_model *m, nn_optimizer *opt, nn_checkpoint_info *c, const nn_st_file *f,
                         nn_model *saved, nn_error *err) {
    char want[256], have[256];
    nn_arch_format_sizes(&m->arch, want, sizeof want);
    nn_arch_format_sizes(&saved->arch, have, sizeof have);
    if (!same_arch(&m->arch, &saved->arch))
        return nn_set_error(err, NN_ERR_ARG,
                            "%s: the checkpoint holds %s (%s, loss %s) but this run is %s (%s, loss %s)",
                            f->path, have, saved->arch.activation, saved->arch.loss, want,
                            m->arch.activation, m->arch.loss);
    const char *key = setting_differs(&m->arch, &saved->arch);
    if (key) {
        int k = nn_loss_setting_index(key);
        const nn_loss_setting *ls = nn_loss_settings(k);
        if (ls->choices) /* a choice by name: "link = logit, this run probit" */
            return nn_set_error(err, NN_ERR_ARG, "%s: the checkpoint has loss %s with %s = %s, this run %s",
                                f->path, m->arch.loss, key, nn_loss_setting_choice_name(ls, saved->arch.setting[k]),
                                nn_loss_setting_choice_name(ls, m->arch.setting[k]));
        return nn_set_error(err, NN_ERR_ARG, "%s: the checkpoint has loss %s with %s = %g, this run %g",
                            f->path, m->arch.loss, key, saved->arch.setting[k], m->arch.setting[k]);
    }
    const char *kind = nn_st_meta(f, "optimizer");
    if (!kind || strcmp(kind, kind_name(nn_optimizer_kind_of(opt))))
        return nn_set_error(err, NN_ERR_ARG, "%s: the checkpoint was written by optimizer '%s', not '%s'",
                            f->path, kind ? kind : "?", kind_name(nn_optimizer_kind_of(opt)));
    nn_status st;
    unsigned long long steps, epoch, rng_state, rng_inc;
    if ((st = nn_meta_uint(f, "optimizer_steps", (unsigned long long)LONG_MAX, &steps, err)) ||
        (st = nn_meta_uint(f, "epoch", (unsigned long long)INT32_MAX, &epoch, err)) ||
        (st = nn_meta_uint(f, "rng_state", UINT64_MAX, &rng_state, err)) ||
        (st = nn_meta_uint(f, "rng_inc", UINT64_MAX, &rng_inc, err)))
        return st;
    if (!(rng_inc & 1))
        return nn_set_error(err, NN_ERR_FORMAT, "%s: rng_inc must be odd", f->path);
    /* The graph's generator (dropout masks); absent in older checkpoints,
     * which then keep the freshly seeded one. */
    unsigned long long g_state = 0, g_inc = 0;
    int has_grng = nn_st_meta(f, "graph_rng_state") != NULL;
    if (has_grng && ((st = nn_meta_uint(f, "graph_rng_state", UINT64_MAX, &g_state, err)) ||
                     (st = nn_meta_uint(f, "graph_rng_inc", UINT64_MAX, &g_inc, err))))
        return st;
    if (has_grng && !(g_inc & 1))
        return nn_set_error(err, NN_ERR_FORMAT, "%s: graph_rng_inc must be odd", f->path);
    const char *run = nn_st_meta(f, "run");
    if (!run || strlen(run) >= sizeof c->run)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ 'run' is missing or too long", f->path);
    size_t n = nn_graph_n_params(m->g);
    nn_real *staged[2] = {NULL, NULL}; /* read everything before changing anything */
    int n_state = nn_optimizer_n_state(opt);
    for (int i = 0; i < n_state && !st; i++) {
        const char *name;
        char full[64];
        nn_optimizer_state(opt, i, &name);
        snprintf(full, sizeof full, "optimizer.%s", name);
        if (!(staged[i] = malloc(n * sizeof(nn_real)))) st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", f->path);
        else st = nn_st_get(f, full, n, 0, staged[i], err);
    }
    if (!st) {
        memcpy(nn_graph_params(m->g), nn_graph_params(saved->g), n * sizeof(nn_real));
        for (int i = 0; i < n_state; i++) memcpy(nn_optimizer_state(opt, i, NULL), staged[i], n * sizeof(nn_real));
        nn_optimizer_set_steps(opt, (long)steps);
        nn_dataset tmp = m->data; /* the checkpoint's data description replaces m's */
        m->data = saved->data;
        saved->data = tmp;
        c->epoch = (int)epoch;
        c->rng.state = rng_state;
        c->rng.inc = rng_inc;
        if (has_grng) *nn_graph_rng(m->g) = (nn_rng){.state = g_state, .inc = g_inc};
        strcpy(c->run, run);
    }
    free(staged[0]);
    free(staged[1]);
    return st;
}

nn_status nn_checkpoint_load(nn_model *m, nn_optimizer *opt, nn_checkpoint_info *c,
                             const char *path, nn_error *err) {
    nn_st_file f;
    nn_status st = nn_st_read(&f, path, err);
    if (st) return st;
    nn_model saved;
    st = nn_model_from_file(&saved, &f, NN_CHECKPOINT_FORMAT, 1, 0, err);
    if (!st) {
        st = restore(m, opt, c, &f, &saved, err);
        nn_model_free(&saved);
    }
    nn_st_close(&f);
    return st;
}

nn_status nn_checkpoint_history(const char *path, char *buf, size_t cap, nn_error *err) {
    nn_st_file f;
    nn_status st = nn_st_read(&f, path, err);
    if (st) return st;
    const char *h = nn_st_meta(&f, "history");
    if (!h) h = "";
    if (strlen(h) >= cap)
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ 'history' has %zu bytes, more than the %zu expected",
                          path, strlen(h), cap ? cap - 1 : 0);
    else
        strcpy(buf, h);
    nn_st_close(&f);
    return st;
}

/* A non-negative int under `key` (nn_meta_uint). */
static nn_status meta_count(const nn_st_file *f, const char *key, int *out, nn_error *err) {
    unsigned long long v;
    nn_status st = nn_meta_uint(f, key, (unsigned long long)INT32_MAX, &v, err);
    if (!st) *out = (int)v;
    return st;
}

static nn_status read_best(const nn_st_file *f, nn_early_stop *s, int *found, nn_error *err) {
    const char *monitor = nn_st_meta(f, "best_monitor");
    *found = monitor != NULL;
    if (!monitor) return NN_OK;
    const char *want = nn_monitor_name(nn_early_stop_options_of(s).monitor);
    if (strcmp(monitor, want) != 0)
        return nn_set_error(err, NN_ERR_ARG, "%s: the checkpoint's best epoch is by %s, this run monitors %s",
                            f->path, monitor, want);
    nn_early_stop_state bs;
    nn_status st;
    if ((st = meta_count(f, "best_epoch", &bs.epoch, err)) || (st = meta_count(f, "best_bad", &bs.bad, err)) ||
        (st = meta_count(f, "best_last", &bs.last, err)))
        return st;
    const char *v = nn_st_meta(f, "best_value");
    char *end = NULL;
    bs.value = v ? strtod(v, &end) : NAN;
    if (!v || end == v || *end)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ 'best_value' is missing or not a number", f->path);
    size_t n = 0;
    nn_real *params = NULL;
    const nn_real *best = nn_early_stop_params(s);
    if (best && bs.epoch > 0) { /* restore_best: the weights come too */
        const nn_st_tensor *t = nn_st_find(f, "best.params");
        if (!t)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: the checkpoint has no best.params tensor (the best epoch's "
                                "weights); was it written without restore-best?", f->path);
        if (t->ndim != 1)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor best.params has %d dimensions, not 1", f->path, t->ndim);
        n = (size_t)t->count; /* within the file: nn_st_read checked */
        if (!(params = malloc((n ? n : 1) * sizeof *params)))
            return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", f->path);
        st = nn_st_get(f, "best.params", n, 0, params, err);
    }
    nn_error why;
    if (!st && (st = nn_early_stop_set(s, bs, params, n, &why)))
        nn_set_error(err, st == NN_ERR_ARG ? NN_ERR_FORMAT : st, "%s: %s", f->path, why.msg);
    free(params);
    return st;
}

nn_status nn_checkpoint_best(const char *path, nn_early_stop *s, int *found, nn_error *err) {
    nn_st_file f;
    *found = 0;
    nn_status st = nn_st_read(&f, path, err);
    if (st) return st;
    st = read_best(&f, s, found, err);
    nn_st_close(&f);
    return st;
}
