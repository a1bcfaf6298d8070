/* train_extras.c — the options of validation-driven training (see train.h):
 * dropout, learning-rate schedules, gradient-norm clipping, training
 * subsets, a test set, and early stopping on a monitored validation metric.
 * The options themselves are declared in cmd_train's table (train.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "train.h"

#define CMD "train"

static const char *const schedules[] = {"constant", "step", "cosine", "onecycle", NULL};
static const char *const monitors[] = {"val_loss", "val_acc", "val_mae", "val_qwk", NULL}; /* nn_monitor_parse's */

/* A table without the option (another program's, see train_options.h) never saw it. */
static int seen(const arg_option *opts, const char *name) {
    const arg_option *o = args_find(opts, name);
    return o && o->seen;
}

/* Reads --class-weights W0,W1,… into w (room for K + 1): K finite weights
 * >= 0, not all 0. Returns 0 after printing the problem. */
static int weight_list(const train_config *c, int K, double *w) {
    int n = args_real_list(CMD, "--class-weights", c->class_weights, w, K + 1);
    if (n < 0) return 0;
    if (n != K) {
        cli_error(CMD, "--class-weights: %d weight%s for the %d classes of --arch %s", n, n == 1 ? "" : "s", K,
                  c->arch);
        return 0;
    }
    double sum = 0;
    for (int k = 0; k < K; k++) {
        if (!(w[k] >= 0)) {
            cli_error(CMD, "--class-weights: weight %d is %g; weights are >= 0", k, w[k]);
            return 0;
        }
        sum += w[k];
    }
    if (!(sum > 0)) {
        cli_error(CMD, "--class-weights: every weight is 0, so the loss would be 0 and nothing would be learnt");
        return 0;
    }
    return 1;
}

int train_check_extras(const train_config *c, const arg_option *opts, const nn_loss_info *loss,
                       nn_arch *a) {
    a->dropout = c->dropout;
    if (c->dropout > 0 && a->n_sizes < 3) {
        cli_error(CMD, "--dropout %g: --arch %s has no hidden layer to drop units of", c->dropout, c->arch);
        return 0;
    }
    if (c->lr_schedule && !args_choice(CMD, "--lr-schedule", c->lr_schedule, schedules)) return 0;
    const char *kind = c->lr_schedule ? c->lr_schedule : "constant";
    if (seen(opts, "--lr-min") && strcmp(kind, "cosine") && strcmp(kind, "onecycle")) {
        cli_error(CMD, "--lr-min is a setting of --lr-schedule cosine or onecycle, not %s", kind);
        return 0;
    }
    if (c->lr_min > c->lr) {
        cli_error(CMD, "--lr-min %g is above --lr %g", c->lr_min, c->lr);
        return 0;
    }
    if (!strcmp(kind, "onecycle") && seen(opts, "--warmup") && (c->warmup < 1 || c->warmup >= c->epochs)) {
        cli_error(CMD, "--warmup %d: onecycle rises for 1 to %d epochs (--epochs %d; --warmup counts epochs, not steps)",
                  c->warmup, c->epochs - 1, c->epochs);
        return 0;
    }
    /* step, cosine and onecycle are laid out over --epochs; a constant rate
     * may warm up over several runs continued with --checkpoint/--resume */
    if (c->warmup > 0 && c->warmup >= c->epochs && (strcmp(kind, "constant") || !c->checkpoint)) {
        cli_error(CMD, "--warmup %d: the warm-up takes the whole run (--epochs %d; --warmup counts epochs, not steps)",
                  c->warmup, c->epochs);
        return 0;
    }
    if (seen(opts, "--limit-seed") && !c->limit) {
        cli_error(CMD, "--limit-seed goes with --limit N");
        return 0;
    }
    if (c->monitor && !args_choice(CMD, "--monitor", c->monitor, monitors)) return 0;
    const char *needs_val = seen(opts, "--monitor") ? "--monitor" : seen(opts, "--patience") ? "--patience"
                            : c->restore_best ? "--restore-best" : NULL;
    if (needs_val && !(c->val_fraction > 0)) {
        cli_error(CMD, "%s needs validation data (--val-fraction F); --test is never used for decisions", needs_val);
        return 0;
    }
    int ordinal = loss->rule != NN_RULE_ARGMAX || c->values; /* as model_is_ordinal */
    if (c->monitor && (!strcmp(c->monitor, "val_mae") || !strcmp(c->monitor, "val_qwk")) && !ordinal) {
        cli_error(CMD, "--monitor %s is an ordinal metric; --loss %s is not ordinal and --values is not given (val_loss or val_acc)",
                  c->monitor, c->loss);
        return 0;
    }
    if (c->restore_best && !c->save && !c->checkpoint) { /* a checkpoint keeps them for a later run */
        cli_error(CMD, "--restore-best chooses the weights --save writes (and a --checkpoint keeps); give --save MODEL");
        return 0;
    }
    if (c->class_weights && !(loss->needs & NN_LOSS_CE)) {
        char who[200];
        loss_options_with(NN_LOSS_CE, who, sizeof who);
        cli_error(CMD, "--class-weights weighs a cross-entropy term (--loss %s); --loss %s has none", who, c->loss);
        return 0;
    }
    if (c->class_weights && strcmp(c->class_weights, "auto")) { /* the list, before any data is read */
        int K = a->sizes[a->n_sizes - 1];
        double *w = malloc((size_t)(K + 1) * sizeof *w);
        int ok = w && weight_list(c, K, w);
        if (!w) cli_error(CMD, "--class-weights: out of memory");
        free(w);
        if (!ok) return 0;
    }
    if (seen(opts, "--min-delta") && !(c->patience > 0 || c->restore_best)) {
        cli_error(CMD, "--min-delta is the improvement --patience and --restore-best count; give one of them");
        return 0;
    }
    return 1;
}

nn_lr_schedule train_schedule(const train_config *c, int steps) {
    int k = nn_lr_schedule_parse(c->lr_schedule ? c->lr_schedule : "constant");
    nn_lr_schedule s = nn_lr_schedule_defaults((nn_lr_schedule_kind)k, c->lr, (long)c->epochs * steps);
    if (k != NN_LR_ONECYCLE || c->warmup > 0) s.warmup = (long)c->warmup * steps;
    if (k == NN_LR_STEP) s.step_size = (long)(c->epochs / 3 > 0 ? c->epochs / 3 : 1) * steps;
    if (k == NN_LR_COSINE || (k == NN_LR_ONECYCLE && c->lr_min > 0)) s.lr_min = c->lr_min;
    return s;
}

int train_apply_limit(const train_config *c, nn_dataset *train) {
    if (!c->limit) return 1;
    if (c->limit > train->n) { /* as sklearn's train_size: an error, not silently fewer samples */
        if (c->val_fraction > 0)
            cli_error(CMD, "--limit %d: the training set has %d samples (after --val-fraction %g held out the rest)",
                      c->limit, train->n, c->val_fraction);
        else
            cli_error(CMD, "--limit %d: the training set has %d samples", c->limit, train->n);
        return 0;
    }
    nn_dataset small;
    nn_error err;
    if (nn_dataset_limit(train, c->limit, c->limit_seed, &small, &err)) {
        cli_error(CMD, "--limit: %s", err.msg);
        return 0;
    }
    nn_dataset_free(train);
    *train = small;
    return 1;
}

void train_describe_extras(const train_config *c, char *buf, size_t len) {
    size_t n = strlen(buf);
#define LINE(cond, ...) if ((cond) && n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__)
    LINE(c->dropout > 0, "\ndropout=%.17g", c->dropout);
    LINE(c->lr_schedule, "\nlr-schedule=%s", c->lr_schedule);
    /* step, cosine and onecycle are laid out over the whole run */
    LINE(c->lr_schedule && strcmp(c->lr_schedule, "constant"), "\nschedule-epochs=%d", c->epochs);
    LINE(c->warmup > 0, "\nwarmup=%d", c->warmup);
    LINE(c->lr_min > 0, "\nlr-min=%.17g", c->lr_min);
    LINE(c->clip_grad_norm > 0, "\nclip-grad-norm=%.17g", c->clip_grad_norm);
    LINE(c->limit > 0, "\nlimit=%d\nlimit-seed=%llu", c->limit, (unsigned long long)c->limit_seed);
    LINE(c->monitor && (c->patience > 0 || c->restore_best), "\nmonitor=%s", c->monitor);
    LINE(c->patience > 0, "\npatience=%d", c->patience);
    LINE(c->min_delta > 0, "\nmin-delta=%.17g", c->min_delta);
    LINE(c->class_weights, "\nclass-weights=%s", c->class_weights);
    LINE(c->task_weights, "\ntask-weights=%s", c->task_weights);
#undef LINE
}

int train_class_weights(const train_config *c, const nn_dataset *train, nn_arch *a, double **wp) {
    if (!c->class_weights) return 1;
    int K = a->sizes[a->n_sizes - 1];
    nn_error err;
    double *w = *wp = malloc((size_t)(K + 1) * sizeof *w);
    if (!w) {
        cli_error(CMD, "out of memory");
        return 0;
    }
    if (!strcmp(c->class_weights, "auto")) {
        if (train->n_classes != K) {
            cli_error(CMD, "--class-weights auto: the training data have %d of the %d classes", train->n_classes, K);
            return 0;
        }
        if (nn_class_weights_balanced(train, w, &err)) {
            cli_error(CMD, "--class-weights auto: %s", err.msg);
            return 0;
        }
    } else if (!weight_list(c, K, w)) { /* checked already by train_check_extras */
        return 0;
    }
    a->class_weights = w;
    return 1;
}
