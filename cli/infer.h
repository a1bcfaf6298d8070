/* infer.h — running a loaded model over data, and printing what it says. */
#ifndef NN_CLI_INFER_H
#define NN_CLI_INFER_H

#include <stdio.h>

#include "nn/nn.h"

/* Class probabilities (d->n, K) of m on every row of d (standardised with
 * m's statistics). The caller frees; NULL if out of memory. */
nn_real *infer_probs(nn_model *m, const nn_dataset *d);

/* 1 if m is an ordinal model: it has category values or an ordinal loss. */
int model_is_ordinal(const nn_model *m);

/* The rule m's classes are read with: `name` when not NULL (−1 for an
 * unknown name), else the one its file records, else its loss's (README,
 * "Prediction rules"). */
int model_rule(const nn_model *m, const char *name);

/* The rank rule Σ_k [P(y > k) > ½] of every row of d computed from m's
 * threshold logits (CORAL, CORN, cumulative link), into rank (d->n).
 * Returns 0 when m has no threshold head (rank untouched), −1 when out of
 * memory, 1 when filled. */
int infer_rank(nn_model *m, const nn_dataset *d, int32_t *rank);

/* MAE of E[X] (value units) and QWK of the class m's rule reads, on d;
 * 0 when out of memory. */
int infer_ordinal_scores(nn_model *m, const nn_dataset *d, double *mae, double *qwk);

/* The name of class k: its label name, else its value, else k. */
const char *class_name(const nn_model *m, int k, char *buf, size_t len);

/* s as a JSON string literal. */
void json_string(FILE *f, const char *s);

#endif
