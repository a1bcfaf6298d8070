/* infer.h — running a loaded model over data, and printing what it says. */
#ifndef NN_CLI_INFER_H
#define NN_CLI_INFER_H

#include <stdio.h>

#include "nn/nn.h"

/* Class probabilities (d->n, K) of m on every row of d (standardised with
 * m's statistics). The caller frees; NULL if out of memory. */
nn_real *infer_probs(nn_model *m, const nn_dataset *d);

/* E[X] and standard deviation of one row p (K) over category values (NULL:
 * 0..K−1). */
void expected_value(const nn_real *p, int K, const double *values, double *mean, double *sd);

/* The name of class k: its label name, else its value, else k. */
const char *class_name(const nn_model *m, int k, char *buf, size_t len);

/* s as a JSON string literal. */
void json_string(FILE *f, const char *s);

#endif
