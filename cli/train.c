/* train.c — `nn train`: options, data, model and optimizer; the epochs run in
 * train_run.c. Every option is checked before any data is read, and nothing
 * is written before the data and the architecture have been checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "commands.h"
#include "data_source.h"
#include "dist.h"
#include "paths.h"
#include "signals.h"
#include "teacher.h"
#include "train.h"
#include "train_files.h"
#include "train_options.h"

#define CMD "train"

static const char *const activations[] = {"relu", "sigmoid", "tanh", NULL};
static const char *const grads[] = {"simplified", "jacobian", NULL};
static const char *const optimizers[] = {"sgd", "adam", "adamw", NULL};

static void skip_file(const char *file, void *user) { (void)file, (void)user; } /* paths_data_files counts */

/* Checks option values and combinations; prints the first problem. */
static int check_config(const train_config *c, const arg_option *opts, nn_arch *a, double **values,
                        int *n_values, data_options *d) {
    nn_error err;
    if (!c->data || !c->arch) {
        cli_error(CMD, "%s is required (see nn train --help)", !c->data ? "--data" : "--arch");
        return 0;
    }
    if (!args_choice(CMD, "--activation", c->activation, activations) ||
        !args_choice(CMD, "--grad", c->grad, grads) ||
        !args_choice(CMD, "--optimizer", c->optimizer, optimizers))
        return 0;
    const nn_loss_info *loss = loss_options_check(&c->settings, CMD, opts, c->loss);
    if (!loss) return 0;
    if (nn_arch_parse_sizes(a, c->arch, &err)) {
        cli_error(CMD, "--arch: %s", err.msg);
        return 0;
    }
    if (args_find(opts, "--grad")->seen && !strstr(loss->head, "softmax")) { /* registry: "dense K, softmax" */
        cli_error(CMD, "--grad chooses how gradients pass a softmax; --loss %s has none (its head: %s)", c->loss,
                  loss->head);
        return 0;
    }
    if (args_find(opts, "--activation")->seen && a->n_sizes < 3) {
        cli_error(CMD, "--activation %s: --arch %s has no hidden layer", c->activation, c->arch);
        return 0;
    }
    strcpy(a->activation, c->activation);
    strcpy(a->loss, c->loss);
    a->grad = strcmp(c->grad, "jacobian") == 0 ? NN_GRAD_JACOBIAN : NN_GRAD_SIMPLIFIED;
    loss_options_apply(&c->settings, a);
    if (!train_check_extras(c, opts, loss, a)) return 0; /* train_extras.c */
    if (!train_check_task_weights(c, a)) return 0;       /* train_task_weights.c */
    int wants_teacher = (loss->needs & NN_LOSS_TEACHER) != 0;
    if (wants_teacher != (c->teacher != NULL)) {
        char who[160];
        loss_options_with(NN_LOSS_TEACHER, who, sizeof who);
        if (wants_teacher) cli_error(CMD, "--loss %s needs --teacher MODEL", c->loss);
        else cli_error(CMD, "--teacher is only used by --loss %s, not %s", who, c->loss);
        return 0;
    }
    if (c->resume && !c->checkpoint) {
        cli_error(CMD, "--resume needs --checkpoint FILE");
        return 0;
    }
    if (c->standardize && c->no_standardize) {
        cli_error(CMD, "--standardize and --no-standardize contradict each other");
        return 0;
    }
    if (strcmp(c->optimizer, "sgd") != 0 && (args_find(opts, "--momentum")->seen || c->nesterov)) {
        cli_error(CMD, "--momentum and --nesterov are SGD settings, not %s", c->optimizer);
        return 0;
    }
    if (c->nesterov && !(c->momentum > 0)) { /* as torch.optim.SGD */
        cli_error(CMD, "--nesterov needs --momentum above 0");
        return 0;
    }
    if (c->test && !paths_data_files(c->test, skip_file, NULL)) { /* before --data is read */
        cli_error(CMD, "--test %s: no such file, folder or IDX prefix", c->test);
        return 0;
    }
    *n_values = 0;
    if (c->values) { /* as many numbers as the text has commas, and one more */
        int cap = 1;
        for (const char *t = c->values; *t; t++) cap += *t == ',';
        if (!(*values = malloc((size_t)cap * sizeof **values))) {
            cli_error(CMD, "--values: out of memory");
            return 0;
        }
        if ((*n_values = args_real_list(CMD, "--values", c->values, *values, cap)) < 0) return 0;
    }
    for (int i = 1; i < *n_values; i++)
        if (!((*values)[i] > (*values)[i - 1])) {
            cli_error(CMD, "--values: must increase (%g follows %g)", (*values)[i], (*values)[i - 1]);
            return 0;
        }
    if (*n_values && *n_values != a->sizes[a->n_sizes - 1]) {
        cli_error(CMD, "--values: %d values, but --arch %s has %d classes", *n_values, c->arch,
                  a->sizes[a->n_sizes - 1]);
        return 0;
    }
    if (c->image_size && !parse_image_size(CMD, c->image_size, &d->width, &d->height)) return 0;
    d->channels = c->rgb ? 3 : 1;
    d->skip_bad = c->skip_bad;
    d->label = c->label;
    d->features = c->features;
    d->cmd = CMD;
    return 1;
}

/* --plot FILE.svg, after the same-file checks (a clash is the worse problem). */
static int check_plot(const train_config *c) {
    size_t n = c->plot ? strlen(c->plot) : 0;
    if (c->plot && (n < 4 || strcasecmp(c->plot + n - 4, ".svg") != 0)) {
        cli_error(CMD, "--plot %s: the curves are drawn as SVG; give a FILE.svg", c->plot);
        return 0;
    }
    return 1;
}

nn_status train_set_values(nn_dataset *all, const char *data, const double *values, int n_values,
                           int K, nn_error *err) {
    if (!n_values) return NN_OK;
    if (all->n_classes > K || (all->label_names && all->n_classes != K))
        return nn_set_error(err, NN_ERR_ARG, "--values: %d values, but %s has %d classes", n_values,
                            data, all->n_classes);
    free(all->values);
    all->values = malloc((size_t)K * sizeof *all->values);
    if (!all->values) return nn_set_error(err, NN_ERR_NOMEM, "out of memory");
    memcpy(all->values, values, (size_t)K * sizeof *values);
    if (all->n_classes < K) all->n_classes = K; /* no names: the values name the classes */
    return NN_OK;
}

/* Loads, relabels with --values, attaches the teacher's logits (in the data
 * file's order, before the split), splits and standardises the data. */
static int prepare_data(const train_config *c, const data_options *d, const double *values,
                        int n_values, const nn_arch *a, nn_dataset *train, nn_dataset *val) {
    int K = a->sizes[a->n_sizes - 1];
    nn_error err;
    nn_dataset all;
    memset(val, 0, sizeof *val);
    if (load_data(&all, c->data, d, NULL, &err)) {
        cli_error(CMD, "%s", err.msg);
        return 0;
    }
    if (train_set_values(&all, c->data, values, n_values, K, &err)) {
        cli_error(CMD, "%s", err.msg);
        nn_dataset_free(&all);
        return 0;
    }
    if (c->teacher && !attach_teacher(CMD, c->teacher, a, &all)) {
        nn_dataset_free(&all);
        return 0;
    }
    if (c->val_fraction > 0) {
        nn_status st = nn_dataset_split(&all, c->val_fraction, c->seed, train, val, &err);
        nn_dataset_free(&all);
        if (st) {
            cli_error(CMD, "--val-fraction: %s", err.msg);
            return 0;
        }
    } else {
        *train = all;
    }
    if (!train_apply_limit(c, train)) { /* --limit: after the split, so validation stays the same */
        nn_dataset_free(train);
        nn_dataset_free(val);
        return 0;
    }
    int csv = !train->x_u8; /* tabular data: standardised unless told otherwise */
    if ((c->standardize || (csv && !c->no_standardize)) &&
        (nn_dataset_fit_standardization(train, &err) ||
         (val->n && nn_dataset_set_standardization(val, train->feature_mean, train->feature_std, &err)))) {
        cli_error(CMD, "%s", err.msg);
        nn_dataset_free(train);
        nn_dataset_free(val);
        return 0;
    }
    return 1;
}

static nn_optimizer *make_optimizer(const train_config *c, nn_graph *g) {
    nn_optimizer_kind kind = strcmp(c->optimizer, "sgd") == 0    ? NN_OPT_SGD
                             : strcmp(c->optimizer, "adam") == 0 ? NN_OPT_ADAM
                                                                 : NN_OPT_ADAMW;
    nn_optimizer_options o = nn_optimizer_defaults(kind, c->lr);
    o.weight_decay = c->weight_decay;
    if (kind == NN_OPT_SGD) {
        o.momentum = c->momentum;
        o.nesterov = c->nesterov;
    }
    nn_error err;
    nn_optimizer *opt = nn_optimizer_create(g, &o, &err);
    if (!opt) cli_error(CMD, "%s", err.msg);
    return opt;
}

int cmd_train(int argc, char **argv) {
    train_config c = {.activation = "relu", .loss = "ce", .grad = "simplified", .optimizer = "sgd",
                      .lr = 0.01, .momentum = 0.9, .epochs = 10, .batch = 64, .seed = 1, .limit_seed = 1};
    loss_options_init(&c.settings, "");
    char teacher_help[256], teachers[160], weights_help[400], weighted[200];
    loss_options_with(NN_LOSS_TEACHER, teachers, sizeof teachers);
    snprintf(teacher_help, sizeof teacher_help,
             "teacher model, or .npy of its logits in the data's order (--loss %s)", teachers);
    loss_options_with(NN_LOSS_CE, weighted, sizeof weighted);
    snprintf(weights_help, sizeof weights_help,
             "K weights >= 0, not all 0, of the classes in the cross-entropy term (--loss %s); "
             "auto: n / (K n_k) (default: all 1)", weighted);
    const arg_option before[] = {
        OPT_STRING("--data", &c.data, "PATH", "training data: CSV file, image folder or IDX (required)"),
        OPT_STRING("--arch", &c.arch, "SIZES", "layer widths, input to classes, e.g. 784-256-10 (required)"),
        OPT_STRING("--activation", &c.activation, "NAME", "relu (default), sigmoid or tanh"),
        OPT_STRING("--loss", &c.loss, "NAME", c.settings.loss_help),
        OPT_STRING("--grad", &c.grad, "MODE", "simplified (default) or jacobian"),
        OPT_STRING("--optimizer", &c.optimizer, "NAME", "sgd (default), adam or adamw"),
        train_option(&c, "--lr"), /* train_options.c */
        train_option(&c, "--momentum"),
        OPT_FLAG("--nesterov", &c.nesterov, "SGD with Nesterov momentum"),
        OPT_REAL("--weight-decay", &c.weight_decay, "WD", "L2 weight decay", 0, 1e6),
        OPT_STRING("--teacher", &c.teacher, "FILE", teacher_help),
        OPT_END,
    };
    const arg_option after[] = {
        OPT_STRING("--values", &c.values, "V0,V1,..", "category values of the classes (ordinal)"),
        train_option(&c, "--epochs"),
        train_option(&c, "--batch"),
        train_option(&c, "--seed"),
        OPT_REAL("--val-fraction", &c.val_fraction, "F", "hold out this fraction of --data for validation", 0, 0.999999),
        OPT_FLAG("--standardize", &c.standardize, "standardise features (default for CSV data)"),
        OPT_FLAG("--no-standardize", &c.no_standardize, "keep features as read"),
        OPT_STRING("--label", &c.label, "COLUMN", "CSV: label column (default: the last)"),
        OPT_STRING("--features", &c.features, "A,B,..", "CSV: feature columns (default: all others)"),
        OPT_STRING("--image-size", &c.image_size, "WxH", "images: resize to this (default: first image's size)"),
        OPT_FLAG("--rgb", &c.rgb, "images: read RGB instead of gray"),
        OPT_FLAG("--skip-bad", &c.skip_bad, "images: skip undecodable files with a warning"),
        OPT_STRING("--save", &c.save, "MODEL", "write the trained model here (safetensors)"),
        OPT_STRING("--checkpoint", &c.checkpoint, "FILE", "write a checkpoint here after every epoch"),
        OPT_FLAG("--resume", &c.resume, "continue from --checkpoint FILE"),
        OPT_FLAG("--overwrite", &c.overwrite, "replace an existing --checkpoint FILE (start afresh)"),
        OPT_STRING("--plot", &c.plot, "FILE.svg", "write loss and accuracy curves as SVG"),
        OPT_FLAG("--quiet", &c.quiet, "no per-epoch lines, no progress bar"),
        train_option(&c, "--dropout"),
        train_option(&c, "--lr-schedule"),
        train_option(&c, "--warmup"),
        train_option(&c, "--lr-min"),
        OPT_POSITIVE("--clip-grad-norm", &c.clip_grad_norm, "C", "clip the gradient's global L2 norm to C", 1e12),
        train_option(&c, "--limit"),
        train_option(&c, "--limit-seed"),
        OPT_STRING("--test", &c.test, "PATH", "test data, scored after every epoch and plotted; never used for decisions"),
        OPT_STRING("--monitor", &c.monitor, "METRIC", "val_loss, val_acc, or for ordinal losses val_mae, val_qwk: what --patience and --restore-best watch (default: val_mae for ordinal losses, else val_loss; needs --val-fraction)"),
        OPT_INT("--patience", &c.patience, "N", "stop after N epochs without improvement of --monitor; needs --val-fraction", 1, 1e6),
        OPT_REAL("--min-delta", &c.min_delta, "D", "an improvement of --monitor must exceed D, as Keras's min_delta; with --patience or --restore-best", 0, 1e300),
        OPT_FLAG("--restore-best", &c.restore_best, "--save writes the best --monitor epoch's weights, not the last (checkpoints keep them, so --resume continues); needs --val-fraction"),
        OPT_STRING("--class-weights", &c.class_weights, "auto|W0,W1,..", weights_help),
        OPT_STRING("--task-weights", &c.task_weights, "auto|W1,..", "coral: importance of the K-1 tasks y > k; auto: sqrt(max(n_{y>k}, n - n_{y>k})), scaled to max 1"),
        OPT_END,
    };
    arg_option opts[96];
    if (!loss_options_table(&c.settings, before, after, opts, 96)) {
        cli_error(CMD, "too many options");
        return 1;
    }
    const char *pos[1];
    int n_pos;
    int r = args_parse(CMD, "--data PATH --arch SIZES [OPTIONS]", opts, argc, argv, pos, 0, &n_pos);
    if (r) return ARGS_EXIT(r);
    nn_arch a = nn_arch_defaults();
    double *values = NULL; /* (n_values) --values */
    int n_values;
    data_options d = {0};
    if (!check_config(&c, opts, &a, &values, &n_values, &d) || !train_check_files(&c, opts) || !check_plot(&c)) {
        free(values);
        return EXIT_USAGE;
    }
    if (!c.monitor) c.monitor = nn_loss_find(c.loss)->rule != NN_RULE_ARGMAX ? "val_mae" : "val_loss";
    if (dist_rank() > 0) c.quiet = 1; /* under nn-mpi, rank 0 prints */
    /* nothing is written before the first epoch: a stop ends the run at once */
    char loading[4200];
    snprintf(loading, sizeof loading, "loading --data %s, before the first epoch", c.data);
    signals_stop_at_once(CMD, loading, dist_rank() == 0);

    nn_dataset train, val;
    train_shard shard = {0}; /* under nn-mpi: which training rows this rank holds */
    int ranks = dist_size();
    int prepared = ranks > 1 ? prepare_shard(&c, &d, values, n_values, &a, &train, &val, &shard)
                             : prepare_data(&c, &d, values, n_values, &a, &train, &val);
    free(values);
    if (!prepared) return 1;
    signals_stop_at_once(CMD, "preparing the first epoch", dist_rank() == 0); /* until run_trainer */
    int has_val = c.val_fraction > 0; /* on every rank, even one that holds no validation row */
    nn_dataset labels; /* nn-mpi: every rank's training labels, for the checks and weights on them */
    if (!train_all_labels(&train, ranks > 1 ? &shard : NULL, &labels) || !train_check_data(&c, &labels)) {
        train_all_labels_free(&labels, ranks > 1 ? &shard : NULL);
        nn_dataset_free(&train);
        nn_dataset_free(&val);
        free(shard.row);
        return 1;
    }
    nn_model m;
    nn_error err;
    nn_optimizer *opt = NULL;
    int status = 1, built = 0, ok = 1;
    double *class_weights = NULL; /* (K) --class-weights, read by nn_model_build */
    double *task_weights = NULL;  /* (K − 1) --task-weights, the same */
    if (!train_class_weights(&c, &labels, &a, &class_weights) ||
        !train_task_weights(&c, &labels, &a, &task_weights)) ok = 0; /* reported */
    else if (!(ok = built = !nn_model_build(&m, &a, &train, c.batch, 1, c.seed, &err)))
        cli_error(CMD, "%s", err.msg);
    if (ok && (nn_model_prepare_targets(&m, &train, &err) ||
               (has_val && nn_model_prepare_targets(&m, &val, &err)))) {
        cli_error(CMD, "%s", err.msg);
        ok = 0;
    }
    if (ok) ok = (opt = make_optimizer(&c, m.g)) != NULL;
    if (train_ranks_ready(ok)) {
        /* every rank starts from rank 0's initial parameters */
        dist_broadcast(nn_graph_params(m.g), nn_graph_n_params(m.g) * sizeof(nn_real));
        status = train_run(&c, &m, opt, &train, has_val ? &val : NULL, ranks > 1 ? &shard : NULL);
    }
    nn_optimizer_free(opt);
    if (built) nn_model_free(&m);
    free(class_weights);
    free(task_weights);
    train_all_labels_free(&labels, ranks > 1 ? &shard : NULL);
    nn_dataset_free(&train);
    nn_dataset_free(&val);
    free(shard.row);
    return status;
}
