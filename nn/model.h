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
 * The graph built from an nn_arch with sizes n0-n1-…-nL is
 *   x (B, n0) → dense0 → act → dense1 → act → … → dense{L−1} (logits, B, nL)
 *     → softmax (T = 1) → the loss (when built with one)
 * Hidden dense layers use He initialisation after relu, Xavier otherwise; the
 * last one Xavier.
 *
 * Files (safetensors layout, readable by numpy and PyTorch)
 * -----------------------------------------------------------
 * Tensors "dense{i}.weight" (n_out, n_in) and "dense{i}.bias" (n_out), as
 * torch.nn.Linear names and stores them; dtype F32 (F64 from a REAL=double
 * build; both are read). __metadata__ (all values are strings, lists are
 * JSON arrays inside the string):
 *   format "nn-model/1" | arch "784-256-10" | activation | loss | grad
 *   temperature, alpha, lambda1, lambda2,       loss settings (absent: the
 *   sigma, sord_scale                             defaults)
 *   values [..], label_names [..]               the classes (when known)
 *   feature_names [..], label_column            CSV columns (when known)
 *   feature_mean [..], feature_std [..]         standardisation (when used)
 *   image_shape [h, w, c]                       image input (when known)
 * This is everything nn needs to rebuild the exact graph from the file alone.
 * Checkpoints (format "nn-checkpoint/1") add the optimizer's state tensors
 * ("optimizer.<name>"), its kind and step count, the epoch, the shuffling
 * generator's state and the caller's run description.
 */
#ifndef NN_MODEL_H
#define NN_MODEL_H

#define NN_MAX_LAYERS 16 /* dense layers in an architecture */

typedef struct {
    int          n_sizes;                  /* 2 .. NN_MAX_LAYERS + 1 */
    int          sizes[NN_MAX_LAYERS + 1]; /* input width, hidden widths …, classes */
    char         activation[16];           /* "relu", "sigmoid" or "tanh" */
    char         loss[32];                 /* one of nn_loss_kinds() */
    nn_grad_mode grad;                     /* how the loss sends its gradient back */
    double       temperature;              /* distillation temperature T (1 unless used) */
    double       alpha;                    /* distillation mix α in [0, 1] */
    double       lambda1, lambda2;         /* mean-variance weights of ½(μ − y)² and σ² */
    double       sigma;                    /* dldl: width of the Gaussian target, in value units */
    double       sord_scale;               /* sord: target softmax(−scale·(v − y)²) */
} nn_arch;

/* relu, "ce", simplified gradients, T = 1, α = 0.5, λ₁ = 0.2, λ₂ = 0.05,
 * σ = 1, SORD scale 1, no sizes yet. */
nn_arch nn_arch_defaults(void);

/* Parses "784-256-128-10" into a->sizes (2 to NN_MAX_LAYERS + 1 positive
 * widths). Writes the canonical form back with nn_arch_format_sizes. */
nn_status nn_arch_parse_sizes(nn_arch *a, const char *spec, nn_error *err);
void      nn_arch_format_sizes(const nn_arch *a, char *buf, size_t len);

/* The loss names nn_model_build understands, NULL-terminated:
 *   ce             cross-entropy with the labels
 *   kl             T²·KL(softmax(t/T) ‖ softmax(z/T)) to teacher logits t (targets)
 *   distill        α·T²·KL(…) + (1 − α)·CE: Hinton et al.'s distillation
 *   ev-sq, ev-abs  ½(μ − v_y)², |μ − v_y| on the expected value μ = Σ v_i p_i
 *   mean-variance  CE + λ₁·½(μ − v_y)² + λ₂·σ² (Pan et al., 2018)
 *   sord, dldl     CE against soft ordinal targets made from the labels:
 *                  softmax(−scale·(v − v_y)²) (Díaz & Marathe, 2019), or a
 *                  Gaussian of width σ around v_y (Gao et al., 2017)
 * with v the model's category values (0..K−1 without). kl and distill read
 * per-sample targets (the teacher's logits); sord and dldl make theirs with
 * nn_model_prepare_targets. */
const char *const *nn_loss_kinds(void);

typedef struct {
    nn_arch    arch;
    nn_dataset data;   /* description only (n = 0): classes, values, names,
                          standardisation, image shape; owned by the model */
    nn_graph  *g;
    int x;             /* input (B, sizes[0]) */
    int labels;        /* labels (B), sizes[last] classes */
    int logits;        /* last dense (B, K) */
    int probs;         /* softmax (B, K), T = 1: the predictions */
    int loss;          /* the (first) loss node, or -1 when built without one */
    int targets;       /* real input (B, W) of per-sample targets the loss reads
                          (teacher logits, soft labels), or -1 */
    int n_dense;
    int dense[NN_MAX_LAYERS]; /* dense nodes, in order */
} nn_model;

/* Builds and compiles the graph of `a` for batches of at most max_batch rows,
 * initialising weights from seed; with_loss = 0 stops at the softmax
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
} nn_checkpoint_info;

/* Writes weights, optimizer state, epoch, generator and run description. */
nn_status nn_checkpoint_save(const nn_model *m, const nn_optimizer *opt,
                             const nn_checkpoint_info *c, const char *path, nn_error *err);

/* Restores a checkpoint into a model and optimizer built with the same
 * architecture and optimizer kind (both checked), and fills *c. */
nn_status nn_checkpoint_load(nn_model *m, nn_optimizer *opt, nn_checkpoint_info *c,
                             const char *path, nn_error *err);

#endif
