/* train_curves.h — the per-epoch curves of `nn train`: kept for --plot,
 * and as text in the checkpoint so that --plot after --resume draws the
 * whole run. */
#ifndef NN_CLI_TRAIN_CURVES_H
#define NN_CLI_TRAIN_CURVES_H

#include <stddef.h>

#include "train.h"

/* The curves, in the order of the checkpoint's history columns (the first
 * seven are those of checkpoints written before the others existed). */
enum {
    CURVE_LOSS,      /* training loss (the epoch's running mean) */
    CURVE_TRAIN_ACC,
    CURVE_VAL_ACC,
    CURVE_VAL_MAE,   /* ordinal models: MAE of E[X] */
    CURVE_VAL_QWK,   /* ordinal models: QWK by the model's rule */
    CURVE_TEST_LOSS,
    CURVE_TEST_ACC,
    CURVE_VAL_LOSS,
    CURVE_TEST_MAE,
    CURVE_TEST_QWK,
    N_CURVES
};

typedef struct {
    double *y[N_CURVES]; /* (epochs) each; NaN for epochs not run by this process (before a
                            resume, unless the checkpoint kept them) and figures not measured */
    int     epochs;
    int     ordinal;     /* the model is ordinal: the MAE and QWK curves are filled */
    int     stopped;     /* the epoch early stopping ended on, or 0 */
    int     best_epoch;  /* the best epoch of --monitor so far, or 0 */
    char   *history;     /* (history_cap) the curves as text, for the checkpoint, or NULL */
    size_t  history_cap;
} train_curves;

/* Allocates the curves (NaN) and, with_history, the checkpoint's text
 * buffer; 0 when out of memory. */
int  train_curves_init(train_curves *k, int epochs, int ordinal, int with_history);
void train_curves_free(train_curves *k);

/* Writes epochs 1..e into k->history (when it has one). */
void train_curves_history_write(train_curves *k, int e);
/* Reads a checkpoint's history text back into the curves. */
void train_curves_history_read(train_curves *k, const char *text);

/* --plot: panels of loss, accuracy and (ordinal models) MAE and QWK, each
 * with its training, validation and test curves; the monitored metric's
 * panel says so and names k->best_epoch (with --patience or --restore-best).
 * Prints the problem; returns 0 then. */
int train_curves_plot(const train_config *c, const train_curves *k, int with_val);

#endif
