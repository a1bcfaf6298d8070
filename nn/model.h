/* model.h — whole models: an architecture, the graph built from it, the data
 * description that goes with it, and their files.
 * Included by nn.h; do not include directly.
 *
 * Usage
 * -----
 *     nn_arch a = nn_arch_defaults();                  // relu, ce, simplified
 *     if (nn_arch_parse_sizes(&a, "784-256-10", &err)) die(err.msg);
 *     nn_model m;                                      // train's classes, names,
 *     if (nn_model_build(&m, &a, &train, 64, 1, 42, &err)) // standardisation; batch 64,
 *         die(err.msg);                                 // with loss, seed 42
 *     ... train m.g with nodes {m.x, m.labels, m.probs} ...
 *     nn_model_save(&m, "model.safetensors", &err);
 *     nn_model_free(&m);
 *
 *     nn_model_load(&m, "model.safetensors", 256, 0, &err); // no loss: inference
 *     // fill nn_input_data(m.g, m.x) with standardised rows (nn_dataset_gather
 *     // on a dataset given m.data's standardisation does it), then
 *     nn_graph_forward(m.g, B);  const nn_real *p = nn_output(m.g, m.probs);
 *
 * The graph built from an nn_arch with sizes n0-n1-…-nL (nL = K classes) is
 *   x (B, n0) → dense0 → act → … → dense{L−2} → act → the loss's head → its loss
 * where the head (its entry in the loss registry) ends in the class
 * probabilities (B, K): for the softmax losses dense{L−1} (logits, B, K) →
 * softmax (T = 1); for coral, corn and clm K − 1 threshold logits.
 * Hidden dense layers use He initialisation after relu, Xavier otherwise; the
 * head's dense layer Xavier.
 *
 * Files (safetensors layout, readable by numpy and PyTorch)
 * -----------------------------------------------------------
 * Tensors "dense{i}.weight" (n_out, n_in) and "dense{i}.bias" (n_out), as
 * torch.nn.Linear names and stores them, and a head's own parameters under
 * the names its entry gives (m->tensors lists them all); dtype F32 (F64 from a REAL=double
 * build; both are read). __metadata__ (all values are strings, lists are
 * JSON arrays inside the string):
 *   format "nn-model/1" | arch "784-256-10" | activation | loss | grad
 *   the loss's settings, one key each          (absent: the default; files
 *     (temperature, sord_scale …: nn_losses())    from before the registry
 *                                                 carry every loss's)
 *   dropout                                     inverted dropout after each hidden
 *                                                 activation (absent: none)
 *   values [..], label_names [..]               the classes (when known)
 *   feature_names [..], label_column            CSV columns (when known)
 *   feature_mean [..], feature_std [..]         standardisation (when used)
 *   image_shape [h, w, c]                       image input (when known)
 *   epochs_trained, weights_epoch               the run's epochs and the epoch
 *   monitor, monitor_value                        the weights are from; with the
 *                                                 best epoch's, the metric that
 *                                                 chose it (nn_model_training)
 * This is everything nn needs to rebuild the exact graph from the file alone.
 * A key nn does not know is refused, naming it (a misspelt setting must not
 * quietly become its default); "data_checksum" is reserved for a checksum of
 * the tensor data.
 * Checkpoints (format "nn-checkpoint/1") add the optimizer's state tensors
 * ("optimizer.<name>"), its kind and step count, the epoch, the shuffling
 * generator's state, the graph's generator (dropout masks), the caller's run
 * description and, when given, its history (the curves so far) and early
 * stopping's state ("best_monitor", "best_epoch", "best_value", "best_bad",
 * "best_last", and the best weights as one tensor "best.params").
 */
#ifndef NN_MODEL_H
#define NN_MODEL_H

#define NN_MAX_LAYERS 16 /* dense layers in an architecture */

/* Loss settings an nn_arch can hold: one slot per entry of nn_loss_settings(). */
#define NN_MAX_LOSS_SETTINGS 16

typedef struct {
    int          n_sizes;                  /* 2 .. NN_MAX_LAYERS + 1 */
    int          sizes[NN_MAX_LAYERS + 1]; /* input width, hidden widths …, classes */
    char         activation[16];           /* "relu", "sigmoid" or "tanh" */
    char         loss[32];                 /* the name of an entry of nn_losses() */
    nn_grad_mode grad;                     /* how the loss sends its gradient back */
    char         rule[16];                 /* how a class is read off the probabilities:
                                              an nn_predict_rule name; "" = the loss's */
    /* The loss settings, setting[i] for entry i of nn_loss_settings(); set
     * them by key with nn_arch_set (range-checked). The settings older than
     * the registry also have names, which alias setting[0..5]: */
    union {
        struct {
            double temperature;       /* kl, distill: temperature T */
            double alpha;             /* distill: mix α in [0, 1] */
            double lambda1, lambda2;  /* mean-variance: weights of ½(μ − y)² and σ² */
            double sigma;             /* dldl: width of the Gaussian target, in value units */
            double sord_scale;        /* sord: target softmax(−scale·(v − y)²) */
        };
        double setting[NN_MAX_LOSS_SETTINGS];
    };
    double       dropout;                  /* inverted dropout after each hidden activation,
                                              in [0, 1); 0: none (model file key "dropout") */
    const double *class_weights;           /* (K) class weights of the loss's cross-entropy
                                              term (losses with NN_LOSS_CE), borrowed and
                                              read by nn_model_build; NULL: all 1. A training
                                              setting: not saved in the model file */
    const double *task_weights;            /* (K − 1) coral: task importance weights λ_k,
                                              borrowed like class_weights (NULL: all 1);
                                              not saved in the model file */
} nn_arch;

/* relu, "ce", simplified gradients, no sizes yet, and every loss setting at
 * its default (the one place defaults live is the settings table: T = 4,
 * α = 0.5, λ₁ = 0.2, λ₂ = 0.05, σ = 1, SORD scale 1). */
nn_arch nn_arch_defaults(void);

/* Parses "784-256-128-10" into a->sizes (2 to NN_MAX_LAYERS + 1 positive
 * widths). Writes the canonical form back with nn_arch_format_sizes. */
nn_status nn_arch_parse_sizes(nn_arch *a, const char *spec, nn_error *err);
void      nn_arch_format_sizes(const nn_arch *a, char *buf, size_t len);

/* ------------------------------------------------------- the loss registry
 *
 * Every loss a model can name is one entry of one table
 * (nn/model/loss_registry.c); the model file, checkpoints, nn_arch_defaults,
 * nn_model_build, and the nn program's options and --help all loop over it.
 * A setting (a number a loss reads from nn_arch) is declared once, with its
 * default and range, and named by the losses that read it. */

typedef struct {
    const char *key;      /* "sord_scale": the model file's key; the option is --sord-scale */
    const char *metavar;  /* "S", for --help */
    double      def;      /* the default: the only place it is written */
    double      min, max; /* allowed range, inclusive … */
    int         min_open; /* … except min itself when set: (min, max] */
    const char *help;     /* one line */
    const char *const *choices; /* NULL: a number; else a choice, NULL-ended names of
                                   the values 0, 1, …: "link" holds 0 (logit) or 1
                                   (probit), written by name in model files and on
                                   the command line (--link probit) */
} nn_loss_setting;

#define NN_LOSS_TEACHER 1u /* reads a teacher's logits (B, K) as per-sample targets */
#define NN_LOSS_TARGETS 2u /* reads per-sample targets it makes from the labels */
#define NN_LOSS_CE      4u /* has a cross-entropy term, which takes nn_arch.class_weights */
#define NN_LOSS_MAX_OWN 4  /* settings one loss may read */

typedef struct nn_loss_build nn_loss_build; /* what a builder is given: loss_registry.h */

typedef struct {
    const char *name;     /* "sord": --loss NAME and the model file's "loss" */
    const char *head;     /* what it puts on the last hidden layer, e.g. "dense K, softmax" */
    unsigned    needs;    /* NN_LOSS_TEACHER, NN_LOSS_TARGETS or 0 */
    const char *settings[NN_LOSS_MAX_OWN + 1]; /* keys of the settings it reads, NULL-ended */
    const char *help;     /* one line */
    nn_predict_rule rule; /* how its classes are read (nn eval, nn predict): argmax
                             (the default), or for an ordinal loss the rule that
                             fits it; a loss with another rule is ordinal */
    /* Builds head and loss on b's last hidden node (see loss_registry.h). */
    void (*build)(nn_loss_build *b);
    /* NN_LOSS_TARGETS only: out (n, K) from the category values y (n) of the labels. */
    nn_status (*targets)(const nn_arch *a, const double *values, const double *y, int n, int K,
                         nn_real *out, nn_error *err);
} nn_loss_info;

/* The table, in order: entry i, or NULL past the end. */
const nn_loss_info    *nn_losses(int i);
const nn_loss_setting *nn_loss_settings(int i);

/* The entry named `name` (NULL when this build has none). */
const nn_loss_info *nn_loss_find(const char *name);

/* The slot of setting `key` in nn_arch.setting, or -1. */
int nn_loss_setting_index(const char *key);

/* Whether loss l reads the setting `key`. */
int nn_loss_reads(const nn_loss_info *l, const char *key);

/* Sets setting `key` of a to `value`: an unknown key or a value outside the
 * setting's range (for a choice: not the index of one) is an error naming both. */
nn_status nn_arch_set(nn_arch *a, const char *key, double value, nn_error *err);

/* A choice setting's value named `name` ("probit" → 1), or −1 (also for a
 * setting that is a number). */
int nn_loss_setting_choice(const nn_loss_setting *s, const char *name);

/* The name of value v of a choice setting, or NULL (a number, or no such value). */
const char *nn_loss_setting_choice_name(const nn_loss_setting *s, double v);

/* One parameter tensor of a model, as its file names and stores it. */
typedef struct {
    char     name[32]; /* "dense0.weight", "dense1.bias", or a head's own ("coral.bias") */
    int      node;     /* the node whose parameters hold it */
    size_t   offset;   /* where it starts in that node's parameters */
    uint64_t d0, d1;   /* shape (d0, d1), or (d0) when d1 = 0 */
} nn_model_tensor;

#define NN_MODEL_MAX_TENSORS (2 * NN_MAX_LAYERS + 4)

/* Which epoch of which run a model's weights come from, as its file records
 * it ("epochs_trained", "weights_epoch", "monitor", "monitor_value"; absent
 * in files that do not say). */
typedef struct {
    int    epochs;      /* epochs trained; 0: not recorded */
    int    epoch;       /* the epoch whose weights these are: epochs, or the best one */
    char   monitor[16]; /* when the weights are the best epoch's: the metric that chose
                           it (nn_monitor_name), else "" */
    double value;       /* that metric's value at `epoch`; NaN when monitor is "" */
} nn_model_training;

typedef struct {
    nn_arch    arch;
    nn_dataset data;   /* description only (n = 0): classes, values, names,
                          standardisation, image shape; owned by the model */
    nn_graph  *g;
    int x;             /* input (B, sizes[0]) */
    int labels;        /* labels (B), sizes[last] classes */
    int logits;        /* the head's raw output: the last dense (B, K) for a softmax head */
    int probs;         /* class probabilities (B, K) (softmax at T = 1): the predictions */
    int loss;          /* the (first) loss node, or -1 when built without one */
    int targets;       /* real input (B, W) of per-sample targets the loss reads
                          (teacher logits, soft labels), or -1 */
    int n_dense;
    int dense[NN_MAX_LAYERS]; /* dense nodes, in order (the head's last, when it has one) */
    int n_tensors;
    nn_model_tensor tensors[NN_MODEL_MAX_TENSORS]; /* every parameter, in file order */
    nn_model_training trained; /* set by the trainer's caller before nn_model_save; zero when
                                  unknown (nn_model_build) */
} nn_model;

/* Builds and compiles the graph of `a` for batches of at most max_batch rows,
 * initialising weights from seed; with_loss = 0 stops at the head's probabilities
 * (inference). `data` (may be NULL) is the training data, whose description
 * (classes, values, names, standardisation, image shape) the model adopts
 * after checking its feature and class counts against the architecture;
 * ordinal losses use its category values. A loss this build does not have is
 * an error naming it. */
nn_status nn_model_build(nn_model *m, const nn_arch *a, const nn_dataset *data, int max_batch,
                         int with_loss, uint64_t seed, nn_error *err);

/* Writes the model file atomically (temp file, fsync, rename). */
nn_status nn_model_save(const nn_model *m, const char *path, nn_error *err);

/* Every file nn writes is first written to PATH.tmp.XXXXXX (six letters or
 * digits) beside PATH and then renamed; a process killed while writing
 * leaves that file behind. Removes the leftovers of PATH (no other file),
 * calling removed(user, file) for each, and returns how many it removed. */
int nn_remove_stale_temporaries(const char *path, nn_warning_fn removed, void *user);

/* Reads a model (or checkpoint) file and rebuilds its graph; every field is
 * validated and any problem is an error naming the file. */
nn_status nn_model_load(nn_model *m, const char *path, int max_batch, int with_loss,
                        nn_error *err);

void nn_model_free(nn_model *m);

/* Gives d the per-sample targets m's loss reads, when it makes them from the
 * labels (sord, dldl: soft ordinal targets over m's category values); a no-op
 * for losses without targets; an error for kl and distill, whose targets are
 * a teacher's logits (computed with nn_model_run on the teacher). */
nn_status nn_model_prepare_targets(const nn_model *m, nn_dataset *d, nn_error *err);

/* Runs m over every row of d, standardised with m's own statistics (not
 * d's), and copies node `node` (m->probs, m->logits …) of each row into out
 * (d->n, width). Used for evaluation and to compute a teacher's logits. */
nn_status nn_model_run(nn_model *m, const nn_dataset *d, int node, nn_real *out, nn_error *err);

/* The classes of m as an nn_class_set (for loading evaluation data). */
nn_class_set nn_model_classes(const nn_model *m);

/* ------------------------------------------------------------ checkpoints */

typedef struct {
    int    epoch;       /* epochs completed */
    nn_rng rng;         /* the shuffling generator after that epoch */
    char   run[1024];   /* the caller's description of the run (options), compared on resume */
    /* The caller's record of the epochs so far (curves for plots), any text:
     * saved when not NULL and not empty; nn_checkpoint_load leaves it alone
     * (read it back with nn_checkpoint_history). */
    const char *history;
    /* Early stopping's state (best epoch, its value, epochs without
     * improvement and, with restore_best, the best weights): saved when not
     * NULL; nn_checkpoint_load leaves it alone (read it back with
     * nn_checkpoint_best). */
    const nn_early_stop *best;
} nn_checkpoint_info;

/* Copies the history text a checkpoint holds into buf (cap bytes; "" when
 * it has none). NN_ERR_FORMAT when it does not fit. */
nn_status nn_checkpoint_history(const char *path, char *buf, size_t cap, nn_error *err);

/* Puts the early-stopping state a checkpoint holds into s, and sets *found
 * to 1; a checkpoint without one (written without nn_checkpoint_info.best,
 * or by an older nn) leaves s alone and sets *found to 0. An error when the
 * state is by another monitor than s's, inconsistent, or lacks the best
 * weights s keeps (restore_best). */
nn_status nn_checkpoint_best(const char *path, nn_early_stop *s, int *found, nn_error *err);

/* Writes weights, optimizer state, epoch, generator, run description and,
 * when given, history and early-stopping state. */
nn_status nn_checkpoint_save(const nn_model *m, const nn_optimizer *opt,
                             const nn_checkpoint_info *c, const char *path, nn_error *err);

/* Restores a checkpoint into a model and optimizer built with the same
 * architecture and optimizer kind (both checked), and fills *c. */
nn_status nn_checkpoint_load(nn_model *m, nn_optimizer *opt, nn_checkpoint_info *c,
                             const char *path, nn_error *err);

#endif
