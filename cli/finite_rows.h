/* finite_rows.h — no non-finite answer leaves predict or eval unnoticed.
 *
 * A row whose class probabilities are not all finite is reported by file
 * and row (an image of a folder by its own file) with the reason: a feature that overflows nn_real once it is
 * standardised with the model's statistics (a finite 3e38 divided by a std
 * below 1), or a forward pass that overflows (the model's weights). Without
 * --skip-bad the first such row is an error; with it every such row is
 * dropped with a warning (the first few named) and counted. */
#ifndef NN_CLI_FINITE_ROWS_H
#define NN_CLI_FINITE_ROWS_H

#include <stdio.h>

#include "nn/nn.h"

/* Checks the rows of probs (d->n, K), m's output on d (rows numbered
 * from 1 in messages). Without skip_bad, prints an error for the first bad
 * row and returns 1; with it, prints warnings and returns the number of bad
 * rows. Marks bad_rows[i] (d->n, may be NULL). Returns -1 if out of memory. */
int finite_rows_check(const char *cmd, const char *path, const nn_model *m, const nn_dataset *d,
                      const nn_real *probs, int skip_bad, unsigned char *bad_rows);

/* Removes the marked rows from d (rows, labels; d->n shrinks) and probs. */
void finite_rows_drop(nn_dataset *d, nn_real *probs, int K, const unsigned char *bad_rows);

/* 1 when row (F, m's input as read, before standardisation) stays finite
 * once standardised and its probabilities (K) are finite; else 0 with the
 * reason ("feature 'a' = 3e+38 overflows after standardisation …"). */
int finite_row_ok(const nn_model *m, const nn_real *row, const nn_real *probs, char *reason, size_t len);

/* Prints x as a JSON number, or null when it is not finite (JSON has no
 * NaN or infinity). */
void json_real(FILE *f, double x);

#endif
