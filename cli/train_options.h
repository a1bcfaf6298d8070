/* train_options.h — the options of `nn train` that other programs training
 * the same way share (examples/distill.c), declared once (train_options.c)
 * so that their names, value ranges, checks and help agree. */
#ifndef NN_CLI_TRAIN_OPTIONS_H
#define NN_CLI_TRAIN_OPTIONS_H

#include "args.h"
#include "train.h"

/* The table row of nn train's option `name` ("--epochs", "--batch",
 * "--seed", "--lr", "--momentum", "--dropout", "--lr-schedule", "--warmup",
 * "--lr-min", "--limit", "--limit-seed"), its value stored in *c. A name
 * not in that list is a programming error: it aborts. */
arg_option train_option(train_config *c, const char *name);

#endif
