/* train.h — `nn train`: the options (train.c) and the run (train_run.c). */
#ifndef NN_CLI_TRAIN_H
#define NN_CLI_TRAIN_H

#include <stdint.h>

#include "data_source.h"
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
    /* validation-driven training (train_extras.c) */
    const char *lr_schedule, *test, *monitor, *class_weights;
    const char *task_weights; /* --task-weights (train_task_weights.c) */
    double      dropout, lr_min, clip_grad_norm, min_delta;
    int         warmup, limit, patience, restore_best;
    uint64_t    limit_seed;
} train_config;

/* Checks --dropout, --lr-schedule, --warmup, --lr-min, --clip-grad-norm,
 * --limit, --limit-seed, --test, --monitor, --patience, --min-delta and --restore-best
 * against each other, the loss and the data options; sets a->dropout.
 * Prints the first problem (one line naming the option); returns 0 then. */
int train_check_extras(const train_config *c, const arg_option *opts, const nn_loss_info *loss,
                       nn_arch *a);

/* The schedule of --lr-schedule/--warmup/--lr-min for `epochs` epochs of
 * `steps` steps (the library counts steps; --warmup counts epochs). */
nn_lr_schedule train_schedule(const train_config *c, int steps);

/* --limit: replaces *train by its first c->limit rows after a shuffle with
 * --limit-seed. Prints problems; returns 0 then. */
int train_apply_limit(const train_config *c, nn_dataset *train);

/* The run-description lines of the settings above that are not at their
 * defaults, appended to buf (older checkpoints stay resumable). */
void train_describe_extras(const train_config *c, char *buf, size_t len);

/* --class-weights auto|w0,w1,…: *w = new weights (K, the caller frees) —
 * 'auto' balanced on train (nn_class_weights_balanced) — and
 * a->class_weights = *w; a no-op without the option. Prints problems;
 * returns 0 then. */
int train_class_weights(const train_config *c, const nn_dataset *train, nn_arch *a, double **w);

/* --task-weights auto|w1,…,w{K−1} (coral): *w = new weights (K − 1, the
 * caller frees) — 'auto' from the training labels (nn_coral_task_weights) —
 * and a->task_weights = *w; a no-op without the option. Prints problems
 * (count, a negative or non-finite weight, all zero); returns 0 then. */
int train_task_weights(const train_config *c, const nn_dataset *train, nn_arch *a, double **w);

/* Before any data is read: --task-weights goes with --loss coral, and a list
 * has K − 1 finite weights >= 0, not all 0. Prints the problem; 0 then. */
int train_check_task_weights(const train_config *c, const nn_arch *a);

/* The training rows one rank holds (train_shard.c). */
typedef struct {
    int  n;   /* training rows of all ranks */
    int *row; /* (n) the row of this rank's training set that is global training row i,
                 or −1 when another rank holds it */
} train_shard;

/* Under nn-mpi (collective): this rank's part of --data in train and val,
 * split and standardised as one process would do it with all the rows, and
 * the shard (the caller frees shard->row). Returns 0 after an error that
 * rank 0 has reported; every rank returns the same. */
int prepare_shard(const train_config *c, const data_options *d, const double *values,
                  int n_values, const nn_arch *a, nn_dataset *train, nn_dataset *val,
                  train_shard *shard);

/* (collective) 1 if `ok` on every rank; else 0, after rank 0 has printed
 * the failure (cli_error's last message on the failing rank). */
int train_ranks_ready(int ok);

/* (collective) Rank 0's parameters, optimizer state and checkpoint
 * information, on every rank (after rank 0 resumed from a checkpoint). */
void train_share_state(nn_model *m, nn_optimizer *opt, nn_checkpoint_info *ck);

/* (collective) An epoch's statistics (s: this rank's rows) made those of
 * all ranks' rows: row-weighted means, accuracies from exact counts. */
void train_reduce_stats(nn_epoch_stats *s);

/* (collective) --test for m: this rank's part under nn-mpi (IDX and image
 * folders read only it), all of it in one process; 1 on every rank when it
 * loaded on every rank, else 0 after rank 0 printed the error. */
int train_load_test(nn_dataset *test, const train_config *c, const nn_model *m);

/* (collective) nn_trainer_evaluate over all ranks' rows: each rank scores
 * its part d of the set, and the figures come from the sums (nn_eval_sums)
 * of all ranks (g: the trainer's graph), the same as one process scoring
 * the whole set, up to summation order. `st` is this rank's status so far
 * (when failed, it still takes part and adds no row). Returns st, or the
 * evaluation's error. */
nn_status train_evaluate_part(nn_trainer *t, const nn_graph *g, const nn_dataset *d, nn_eval_stats *v,
                              nn_status st, nn_error *err);

/* (collective) *all: train's descriptions with the labels of every rank's
 * training rows in one process's order (shard->n of them) and no features,
 * for what one process computes from its training labels (the one-class
 * check, --class-weights auto). One process (shard NULL): *all = *train.
 * Returns 0 after rank 0 printed an error. Free with train_all_labels_free. */
int  train_all_labels(const nn_dataset *train, const train_shard *shard, nn_dataset *all);
void train_all_labels_free(nn_dataset *all, const train_shard *shard);

/* (collective) Validation MAE of E[X] and QWK of an ordinal model m (as
 * infer_ordinal_scores) over all ranks' rows of val; `st` is this rank's
 * status so far (when failed, it still takes part and contributes no row).
 * Returns st, or NN_ERR_NOMEM. */
nn_status train_ordinal_scores(nn_model *m, const nn_dataset *val, double *mae, double *qwk,
                               nn_status st, nn_error *err);

/* (collective) NN_OK if every rank holds the same parameters (a checksum),
 * else an error naming the epoch; NN_OK at once in one process. */
nn_status train_check_ranks_agree(nn_graph *g, int epoch, nn_error *err);

/* Gives `all` the category values of --values (n_values of them, K classes)
 * when n_values > 0; `data` names the data in messages. */
nn_status train_set_values(nn_dataset *all, const char *data, const double *values, int n_values,
                           int K, nn_error *err);

/* The settings that must not change between a run and its resumption, one
 * "key=value" per line. */
void train_describe_run(const train_config *c, char *buf, size_t len);

/* Runs epochs (resuming from c->checkpoint when c->resume), writing
 * checkpoints, the model and the plot. Returns the exit status. */
int train_run(const train_config *c, nn_model *m, nn_optimizer *opt, const nn_dataset *train,
              const nn_dataset *val, const train_shard *shard);

#endif
