/* teacher.h — distillation targets for `nn train --teacher MODEL`. */
#ifndef NN_CLI_TEACHER_H
#define NN_CLI_TEACHER_H

#include "nn/nn.h"

/* Runs the teacher model over train and val (val->n may be 0) with the
 * teacher's own standardisation and stores its logits (n, K) as the sets'
 * targets. Checks that the teacher takes the same inputs and predicts the
 * same classes as the student (arch a). CSV columns are matched by name: a
 * teacher trained on columns (a, b) gets them in that order from data with
 * columns (b, a); a column the student's data lack is an error naming it.
 * Prints errors; returns 0 on failure. */
int attach_teacher(const char *cmd, const char *path, const nn_arch *a, nn_dataset *train,
                   nn_dataset *val);

#endif
