/* train_options.c — nn train's options that other training programs share
 * (train_options.h): one row each, for every table that has them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train_options.h"

arg_option train_option(train_config *c, const char *name) {
    const arg_option rows[] = {
        OPT_INT("--epochs", &c->epochs, "N", "epochs to train (with --resume: in all)", 1, 1e6),
        OPT_INT("--batch", &c->batch, "B", "mini-batch size", 1, 1 << 16),
        OPT_U64("--seed", &c->seed, "S", "seed of initialisation, split and shuffling"),
        OPT_POSITIVE("--lr", &c->lr, "LR", "learning rate", 1e6),
        OPT_REAL("--momentum", &c->momentum, "M", "SGD momentum in [0, 1) (default 0.9)", 0, 0.999999),
        OPT_REAL("--dropout", &c->dropout, "P", "inverted dropout after each hidden layer; needs one", 0, 0.99),
        OPT_STRING("--lr-schedule", &c->lr_schedule, "NAME", "constant (default), step, cosine or onecycle; the rate changes every step"),
        OPT_INT("--warmup", &c->warmup, "EPOCHS", "epochs (not steps) of linear warm-up to --lr, fewer than --epochs; onecycle: of its rise (default 0; onecycle 30% of the run)", 0, 1e6),
        OPT_REAL("--lr-min", &c->lr_min, "LR", "cosine, onecycle: the final rate (default 0; onecycle lr/25/1e4)", 0, 1e6),
        OPT_INT("--limit", &c->limit, "N", "train on N of the training samples (at most all; after --val-fraction), drawn by a seeded shuffle", 1, 2147483647.0),
        OPT_U64("--limit-seed", &c->limit_seed, "S", "seed of --limit's shuffle"),
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(rows[i].name, name) == 0) return rows[i];
    fprintf(stderr, "train_option: no shared option %s\n", name); /* a bug in the caller's table */
    abort();
}
