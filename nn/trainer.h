/* trainer.h — the trainer's internals shared with nn_train (train.c);
 * the trainer's API is in nn.h. */
#ifndef NN_TRAINER_H
#define NN_TRAINER_H

#include "nn/nn.h"

/* Checks d against the trainer's nodes (features, classes, targets) and
 * validates its values (nn_dataset_validate); messages start with `name`
 * ("train: the test data"). */
nn_status nn_trainer_check_data(nn_trainer *t, const nn_dataset *d, const char *name,
                                nn_error *err);

#endif
