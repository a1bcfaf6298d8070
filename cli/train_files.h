/* train_files.h — `nn train`'s checks of its files, before it reads the data
 * or writes anything:
 *   - no output (--save, --checkpoint, --plot) is an input (--data and the
 *     files behind it, --teacher) or another output (paths.h);
 *   - options that do not apply to the kind of --data are errors (--rgb,
 *     --image-size, --skip-bad on CSV or IDX data; --label, --features on
 *     images or IDX data);
 *   - an existing --checkpoint FILE needs --resume (continue it) or
 *     --overwrite (replace it);
 * and then removes the temporary files an interrupted run left beside its
 * outputs (only OUTPUT.tmp.XXXXXX, saying so on stderr). */
#ifndef NN_CLI_TRAIN_FILES_H
#define NN_CLI_TRAIN_FILES_H

#include "args.h"
#include "train.h"

/* Prints the first problem and returns 0, or returns 1. */
int train_check_files(const train_config *c, const arg_option *opts);

/* After loading: data whose training rows are all in one class are an
 * error (nothing to learn; the softmax would say p = 1 for everything). */
int train_check_data(const train_config *c, const nn_dataset *train);

#endif
