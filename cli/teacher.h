/* teacher.h — distillation targets for `nn train --teacher FILE`. */
#ifndef NN_CLI_TEACHER_H
#define NN_CLI_TEACHER_H

#include "nn/nn.h"

/* Gives d (all the training data, before any split or subset) the teacher's
 * logits (d->n, K) as per-sample targets. FILE is either
 *  - an nn model: run over d with its own standardisation, after checking
 *    that it takes the student's inputs (arch a) and predicts its classes;
 *    CSV columns are matched by name (a teacher trained on columns (a, b)
 *    gets them in that order from data with columns (b, a); a column the
 *    data lack is an error naming it);
 *  - a .npy file of logits (float32 or float64, d->n rows × K columns, row i
 *    for sample i of the data file), e.g. written by another framework.
 * A file that is neither is an error saying so. Prints errors; returns 0 on
 * failure. */
int attach_teacher(const char *cmd, const char *path, const nn_arch *a, nn_dataset *d);

/* As attach_teacher, for d holding rows [first, first + d->n) of data of
 * n_all rows (one rank's part under nn-mpi): a .npy file must hold n_all
 * rows, and d keeps its own (nn_load_npy_rows). */
int attach_teacher_rows(const char *cmd, const char *path, const nn_arch *a, nn_dataset *d, long first,
                        long n_all);

#endif
