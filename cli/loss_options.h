/* loss_options.h — the loss registry on the command line: --loss NAME with
 * the names the registry has, and one option per loss setting
 * (--temperature T, --sord-scale S …) with its range, a help line naming the
 * losses that read it and its default, and the check that every setting
 * given belongs to the chosen loss. Used by train, gradcheck and trace. */
#ifndef NN_CLI_LOSS_OPTIONS_H
#define NN_CLI_LOSS_OPTIONS_H

#include "args.h"
#include "nn/nn.h"

#define LOSS_OPTIONS_MAX_LOSSES 64

typedef struct {
    double      value[NN_MAX_LOSS_SETTINGS]; /* the defaults, then what was given */
    const char *choice[NN_MAX_LOSS_SETTINGS]; /* a choice setting's name (--link probit) */
    char        name[NN_MAX_LOSS_SETTINGS][40];   /* "--sord-scale" */
    char        help[NN_MAX_LOSS_SETTINGS][200];
    const char *names[LOSS_OPTIONS_MAX_LOSSES + 1]; /* the loss names, NULL-ended */
    char        loss_help[300];                  /* "the loss: ce (default), kl, …" */
    int         n;                               /* settings */
} loss_options;

/* Fills l from the registry; `prefix` starts every help line ("with --arch: "
 * or ""). */
void loss_options_init(loss_options *l, const char *prefix);

/* out = `before` + one option per setting + `after` + OPT_END (before and
 * after end with OPT_END); returns 0 when that needs more than cap entries. */
int loss_options_table(loss_options *l, const arg_option *before, const arg_option *after,
                       arg_option *out, int cap);

/* The registry entry of --loss `loss` (printing "--loss: 'x' is not one of
 * ce|kl|…" when there is none), after checking that every setting given in
 * opts is one that loss reads. NULL after printing the problem. */
const nn_loss_info *loss_options_check(const loss_options *l, const char *cmd,
                                       const arg_option *opts, const char *loss);

/* The first setting option given in opts, or NULL. */
const char *loss_options_given(const loss_options *l, const arg_option *opts);

/* Copies every setting into a. */
void loss_options_apply(const loss_options *l, nn_arch *a);

/* "kl or distill": the losses whose `needs` has all of `flags`. */
void loss_options_with(unsigned flags, char *buf, size_t len);

#endif
