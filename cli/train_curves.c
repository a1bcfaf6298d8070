/* train_curves.c — the curves of `nn train` (see train_curves.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "train_curves.h"

#define CMD "train"

/* Bytes of one history line: the epoch and N_CURVES numbers of %.9g
 * (at most 16 characters each) with their spaces. */
enum { LINE_BYTES = 12 + N_CURVES * 17 + 1 };

int train_curves_init(train_curves *k, int epochs, int ordinal, int with_history) {
    memset(k, 0, sizeof *k);
    k->epochs = epochs;
    k->ordinal = ordinal;
    for (int i = 0; i < N_CURVES; i++) {
        if (!(k->y[i] = malloc((size_t)epochs * sizeof *k->y[i]))) return 0;
        for (int e = 0; e < epochs; e++) k->y[i][e] = NAN;
    }
    if (with_history) {
        k->history_cap = (size_t)epochs * LINE_BYTES + 1;
        if (!(k->history = malloc(k->history_cap))) return 0;
        k->history[0] = '\0';
    }
    return 1;
}

void train_curves_free(train_curves *k) {
    for (int i = 0; i < N_CURVES; i++) free(k->y[i]);
    free(k->history);
    memset(k, 0, sizeof *k);
}

/* One line per epoch: "E loss train_acc val_acc val_mae val_qwk test_loss
 * test_acc val_loss test_mae test_qwk". */
void train_curves_history_write(train_curves *k, int e) {
    if (!k->history) return;
    size_t n = 0, cap = k->history_cap;
    k->history[0] = '\0';
    for (int i = 0; i < e && i < k->epochs && n < cap; i++) {
        n += (size_t)snprintf(k->history + n, cap - n, "%d", i + 1);
        for (int j = 0; j < N_CURVES && n < cap; j++) n += (size_t)snprintf(k->history + n, cap - n, " %.9g", k->y[j][i]);
        if (n < cap) n += (size_t)snprintf(k->history + n, cap - n, "\n");
    }
}

/* Lines of 1 + 7 numbers (older checkpoints) up to 1 + N_CURVES. */
void train_curves_history_read(train_curves *k, const char *s) {
    while (*s) {
        const char *end = s + strcspn(s, "\n");
        char *p;
        long e = strtol(s, &p, 10);
        for (int j = 0; j < N_CURVES && p < end; j++) {
            char *q;
            double v = strtod(p, &q);
            if (q == p || q > end) break;
            if (e >= 1 && e <= k->epochs) k->y[j][e - 1] = v;
            p = q;
        }
        s = *end ? end + 1 : end;
    }
}

/* Whether curve y has a finite value. */
static int has(const train_curves *k, int curve) {
    for (int e = 0; e < k->epochs; e++)
        if (isfinite(k->y[curve][e])) return 1;
    return 0;
}

int train_curves_plot(const train_config *c, const train_curves *k, int with_val) {
    int best_epoch = k->best_epoch;
    /* per panel: its metric's name in --monitor, its title, and its three curves */
    static const struct {
        const char *monitor, *title;
        int train, val, test;
    } panels[] = {
        {"val_loss", "Loss", CURVE_LOSS, CURVE_VAL_LOSS, CURVE_TEST_LOSS},
        {"val_acc", "Accuracy", CURVE_TRAIN_ACC, CURVE_VAL_ACC, CURVE_TEST_ACC},
        {"val_mae", "MAE of E[X]", -1, CURVE_VAL_MAE, CURVE_TEST_MAE},
        {"val_qwk", "QWK", -1, CURVE_VAL_QWK, CURVE_TEST_QWK},
    };
    enum { N_PANELS = sizeof panels / sizeof *panels };
    nn_series series[N_PANELS][3];
    nn_plot_panel out[N_PANELS];
    char titles[N_PANELS][160];
    int n_out = 0;
    int watching = with_val && (c->patience > 0 || c->restore_best);
    for (int p = 0; p < N_PANELS; p++) {
        if (p >= 2 && !(k->ordinal && with_val)) break;
        int n = 0;
        if (panels[p].train >= 0) series[p][n++] = (nn_series){"training", k->y[panels[p].train], k->epochs};
        if (with_val) series[p][n++] = (nn_series){"validation", k->y[panels[p].val], k->epochs};
        if (c->test && has(k, panels[p].test)) series[p][n++] = (nn_series){"test", k->y[panels[p].test], k->epochs};
        if (watching && !strcmp(c->monitor, panels[p].monitor) && best_epoch > 0)
            snprintf(titles[p], sizeof titles[p], "%s (validation: monitored, best epoch %d)", panels[p].title,
                     best_epoch);
        else
            snprintf(titles[p], sizeof titles[p], "%s", panels[p].title);
        out[n_out++] = (nn_plot_panel){titles[p], "epoch", panels[p].title, series[p], n};
    }
    nn_error err;
    if (nn_plot_panels_svg(c->plot, out, n_out, &err)) {
        cli_error(CMD, "--plot: %s", err.msg);
        return 0;
    }
    if (!c->quiet) printf("plotted %s\n", c->plot);
    return 1;
}
