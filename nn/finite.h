/* finite.h — the training loop's side of the non-finite checks (internal;
 * the public checks are declared in nn.h). */
#ifndef NN_FINITE_H
#define NN_FINITE_H

#include "nn/graph_internal.h"

/* Called by the trainer when a step's loss or parameter gradient is not finite:
 * finds and names where it appeared. Returns NN_OK if the step should be
 * skipped (policy SKIP, the parameters still finite, the data valid), else
 * the error, with a message starting "train: epoch E, batch b: ". */
nn_status nn_train_nonfinite(nn_graph *g, int B, double loss, nn_nonfinite_policy policy,
                             int epoch, int batch, nn_error *err);

/* Before training: the data (nn_dataset_validate) and the parameters. */
nn_status nn_train_check_inputs(nn_graph *g, const nn_dataset *train, nn_error *err);

/* After an epoch: fails if every step was skipped or a parameter is no longer
 * finite (possible even with finite gradients, e.g. SGD overflowing), so a
 * non-finite model never leaves an epoch with NN_OK. */
nn_status nn_train_check_epoch(nn_graph *g, int epoch, int skipped, int n_batches,
                               nn_error *err);

#endif
