/* model_source.h — the network a teaching command (gradcheck, trace) works
 * on: a MODEL file, or an architecture given with --arch and friends, built
 * with its loss for small batches, with inputs filled from data or at
 * random. */
#ifndef NN_CLI_MODEL_SOURCE_H
#define NN_CLI_MODEL_SOURCE_H

#include <stdint.h>

#include "args.h"
#include "loss_options.h"
#include "nn/nn.h"

typedef struct {
    const char *arch, *activation, *loss, *grad, *data;
    uint64_t    seed;
    int         index; /* first data row used */
    int         label; /* label for random inputs; -1: random */
    loss_options settings;      /* with --arch: --temperature … (loss_options_init) */
    const arg_option *opts;     /* the command's parsed table: which settings were given */
} model_source;

/* The options behind model_source, to append to a command's table; the loss
 * settings are added with loss_options_table(&s.settings, …). */
#define MODEL_SOURCE_OPTIONS(s)                                                                   \
    OPT_STRING("--arch", &(s).arch, "SIZES", "build this architecture instead of loading MODEL"), \
    OPT_STRING("--activation", &(s).activation, "NAME", "with --arch: relu (default), sigmoid, tanh"), \
    OPT_STRING("--loss", &(s).loss, "NAME", (s).settings.loss_help),                             \
    OPT_STRING("--grad", &(s).grad, "MODE", "simplified or jacobian (default: the model's)"),     \
    OPT_STRING("--data", &(s).data, "PATH", "take inputs and labels from this data"),             \
    OPT_INT("--index", &(s).index, "I", "first data row to use (default 0)", 0, 2147483647),      \
    OPT_INT("--label", &(s).label, "Y", "label for random inputs (default random)", 0, 1 << 24),  \
    OPT_U64("--seed", &(s).seed, "S", "seed of weights and random inputs (default 1)")

/* The command's option table into out (cap entries): MODEL_SOURCE_OPTIONS,
 * one option per loss setting, then `own` (ended by OPT_END). Fills
 * s->settings and s->opts; prints an error and returns 0 when cap is too
 * small. */
int model_source_options(model_source *s, const char *cmd, const arg_option *own, arg_option *out,
                         int cap);

/* The checks of the options alone (MODEL or --arch, --grad, --label,
 * --index, the loss settings): call before model_source_open to exit with
 * status 2 on them. Prints the problem; returns 0 then. */
int model_source_check(const model_source *s, const char *cmd, const char *path);

/* Builds the model (from pos[0] or s->arch) with its loss for batch B and
 * fills B rows of input, labels and targets. Prints errors; returns 0 on
 * failure. `mode` overrides the gradient mode when >= 0. */
int model_source_open(nn_model *m, const char *cmd, const model_source *s, const char *path, int B,
                      int mode);

/* Copies m's parameters and batch data into other (same architecture). */
void model_source_copy(nn_model *other, nn_model *m, int B);

#endif
