/* early_stop.c — the best epoch of a monitored validation metric and, when
 * asked, a copy of its parameters (Keras's EarlyStopping with
 * restore_best_weights). An epoch improves when its value beats the best by
 * more than min_delta in the metric's direction:
 *     lower is better:  v < best − min_delta
 *     higher is better: v > best + min_delta
 * the first finite value always improves; NaN never does. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h"

struct nn_early_stop {
    nn_early_stop_options o;
    nn_early_stop_state   st;
    size_t   n_params;
    nn_real *params; /* (n_params) the best epoch's, with restore_best; else NULL */
};

static const char *const NAMES[] = {"val_loss", "val_acc", "val_mae", "val_qwk"};
enum { N_MONITORS = sizeof NAMES / sizeof NAMES[0] };

int nn_monitor_parse(const char *name) {
    for (int i = 0; name && i < N_MONITORS; i++)
        if (!strcmp(name, NAMES[i])) return i;
    return -1;
}

const char *nn_monitor_name(nn_monitor m) {
    return (unsigned)m < N_MONITORS ? NAMES[m] : "?";
}

int nn_monitor_larger_is_better(nn_monitor m) {
    return m == NN_MONITOR_VAL_ACC || m == NN_MONITOR_VAL_QWK;
}

double nn_monitor_value(nn_monitor m, const nn_eval_stats *v) {
    switch (m) {
    case NN_MONITOR_VAL_LOSS: return v->loss;
    case NN_MONITOR_VAL_ACC: return v->accuracy;
    case NN_MONITOR_VAL_MAE: return v->mae;
    case NN_MONITOR_VAL_QWK: return v->qwk;
    }
    return NAN;
}

nn_early_stop *nn_early_stop_create(const nn_graph *g, const nn_early_stop_options *o,
                                    nn_error *err) {
    if ((unsigned)o->monitor >= N_MONITORS) {
        nn_set_error(err, NN_ERR_ARG, "early stopping: unknown monitor %d", (int)o->monitor);
        return NULL;
    }
    if (o->patience < 0 || !(o->min_delta >= 0) || !isfinite(o->min_delta)) {
        nn_set_error(err, NN_ERR_ARG, "early stopping: patience %d and min_delta %g must be >= 0 (and finite)",
                     o->patience, o->min_delta);
        return NULL;
    }
    if (o->restore_best && !g->compiled) {
        nn_set_error(err, NN_ERR_ARG, "early stopping: restore_best needs a compiled graph");
        return NULL;
    }
    nn_early_stop *s = calloc(1, sizeof *s);
    if (s && o->restore_best && !(s->params = malloc((g->n_params ? g->n_params : 1) * sizeof *s->params))) {
        free(s);
        s = NULL;
    }
    if (!s) {
        nn_set_error(err, NN_ERR_NOMEM, "early stopping: out of memory for the best epoch's parameters");
        return NULL;
    }
    s->o = *o;
    s->st = (nn_early_stop_state){.value = NAN};
    s->n_params = o->restore_best ? g->n_params : 0;
    return s;
}

int nn_early_stop_update(nn_early_stop *s, const nn_graph *g, int e, const nn_eval_stats *v) {
    double x = nn_monitor_value(s->o.monitor, v);
    double best = s->st.value, d = s->o.min_delta;
    int better = isfinite(x) && (s->st.epoch == 0 || (nn_monitor_larger_is_better(s->o.monitor)
                                                          ? x > best + d
                                                          : x < best - d));
    s->st.last = e;
    if (!better) {
        s->st.bad++;
        return 0;
    }
    s->st.epoch = e, s->st.value = x, s->st.bad = 0;
    if (s->params && g->n_params == s->n_params) memcpy(s->params, g->params, s->n_params * sizeof *s->params);
    return 1;
}

int nn_early_stop_should_stop(const nn_early_stop *s) {
    return s->o.patience > 0 && s->st.bad >= s->o.patience;
}

nn_early_stop_state nn_early_stop_get(const nn_early_stop *s) { return s->st; }

nn_early_stop_options nn_early_stop_options_of(const nn_early_stop *s) { return s->o; }

const nn_real *nn_early_stop_params(const nn_early_stop *s) { return s->params; }

nn_status nn_early_stop_restore(const nn_early_stop *s, nn_graph *g, nn_error *err) {
    if (!s->params)
        return nn_set_error(err, NN_ERR_ARG, "early stopping: restore_best was not asked for");
    if (s->st.epoch == 0)
        return nn_set_error(err, NN_ERR_ARG, "early stopping: no epoch had a finite %s to restore",
                            nn_monitor_name(s->o.monitor));
    if (g->n_params != s->n_params)
        return nn_set_error(err, NN_ERR_ARG, "early stopping: the graph has %zu parameters, the best copy %zu",
                            g->n_params, s->n_params);
    memcpy(g->params, s->params, s->n_params * sizeof *s->params);
    return NN_OK;
}

nn_status nn_early_stop_set(nn_early_stop *s, nn_early_stop_state st, const nn_real *params, size_t n,
                            nn_error *err) {
    if (st.epoch < 0 || st.bad < 0 || st.last < st.epoch || (st.epoch > 0 && !isfinite(st.value)))
        return nn_set_error(err, NN_ERR_ARG, "early stopping: inconsistent state (best epoch %d, value %g, "
                            "%d epochs without improvement, last epoch %d)", st.epoch, st.value, st.bad, st.last);
    if (params && (!s->params || n != s->n_params))
        return nn_set_error(err, NN_ERR_ARG, "early stopping: %zu best parameters given, %zu expected", n,
                            s->params ? s->n_params : 0);
    if (!params && s->params && st.epoch > 0)
        return nn_set_error(err, NN_ERR_ARG, "early stopping: restore_best needs the best epoch's parameters");
    if (params) memcpy(s->params, params, n * sizeof *s->params);
    s->st = st;
    if (st.epoch == 0) s->st.value = NAN;
    return NN_OK;
}

void nn_early_stop_free(nn_early_stop *s) {
    if (!s) return;
    free(s->params);
    free(s);
}
