/* train.h — `nn train`: the options (train.c) and the run (train_run.c). */
#ifndef NN_CLI_TRAIN_H
#define NN_CLI_TRAIN_H

#include <stdint.h>

#include "loss_options.h"
#include "nn/nn.h"

typedef struct {
    const char *data, *arch, *activation, *loss, *grad, *optimizer, *teacher, *values;
    const char *save, *checkpoint, *plot, *label, *features, *image_size;
    double      val_fraction, lr, momentum, weight_decay;
    loss_options settings; /* --temperature, --sord-scale …: the loss registry's */
    int         epochs, batch, nesterov, resume, rgb, skip_bad, standardize, no_standardize;
    int         quiet, overwrite;
    uint64_t    seed;
} train_config;

/* The settings that must not change between a run and its resumption, one
 * "key=value" per line. */
void train_describe_run(const train_config *c, char *buf, size_t len);

/* Runs epochs (resuming from c->checkpoint when c->resume), writing
 * checkpoints, the model and the plot. Returns the exit status. */
int train_run(const train_config *c, nn_model *m, nn_optimizer *opt, const nn_dataset *train,
              const nn_dataset *val);

#endif
