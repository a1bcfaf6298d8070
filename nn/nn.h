/* nn.h — a minimal neural-network training framework with hand-written
 * forward and backward passes.
 *
 * Usage
 * -----
 *     nn_error err;
 *     nn_graph *g = nn_graph_create(64);                    // max batch 64
 *     int x  = nn_input(g, 784);                            // (B, 784)
 *     int y  = nn_labels(g, 10);                            // (B) class ids
 *     int h  = nn_relu(g, nn_dense(g, x, 256, NN_INIT_HE)); // (B, 256)
 *     int z  = nn_dense(g, h, 10, NN_INIT_XAVIER);          // (B, 10) logits
 *     int p  = nn_softmax(g, z, 1.0);                       // (B, 10)
 *     nn_loss_options lo = nn_loss_defaults();              // mean, simplified
 *     nn_cross_entropy(g, p, y, &lo);
 *     if (nn_graph_compile(g, 42, &err) != NN_OK) { puts(err.msg); ... }
 *
 *     nn_optimizer *opt = nn_optimizer_create(g, &(nn_optimizer_options){
 *         .kind = NN_OPT_SGD, .lr = 0.05, .momentum = 0.9 }, &err);
 *     // per step: fill nn_input_data(g, x) and nn_label_data(g, y) for B rows
 *     nn_graph_zero_grad(g);
 *     double loss = nn_graph_forward(g, B);
 *     nn_graph_backward(g, B);
 *     nn_optimizer_step(opt);
 *     const nn_real *probs = nn_output(g, p);               // (B, 10)
 *
 *     nn_optimizer_free(opt); nn_graph_free(g);
 *
 * Conventions
 * -----------
 * - Nodes are ints returned by the builders, in creation order; a node may only
 *   take earlier nodes as inputs, so forward runs front to back and backward
 *   back to front.
 * - A builder that fails returns -1 and records the reason in the graph; every
 *   later builder then also returns -1 and nn_graph_compile reports the first
 *   error. So a whole network can be written without checking each line.
 * - Functions that can fail return nn_status and, when `err` is not NULL, fill
 *   it with a message. The library never calls exit() or abort().
 * - Ownership: every *_create / *_load returns an object the caller frees with
 *   the matching *_free. Pointers returned by accessors belong to the graph.
 * - nn_real is float, or double when built with -DNN_DOUBLE (make REAL=double).
 */
#ifndef NN_H
#define NN_H

#include <stddef.h>
#include <stdint.h>

#ifdef NN_DOUBLE
typedef double nn_real;
#else
typedef float nn_real;
#endif

/* ---------------------------------------------------------------- errors */

typedef enum {
    NN_OK = 0,
    NN_ERR_ARG,     /* an argument is out of range or inconsistent */
    NN_ERR_SHAPE,   /* tensor shapes do not fit together */
    NN_ERR_NOMEM,   /* an allocation failed */
    NN_ERR_IO,      /* a file could not be opened, read or written */
    NN_ERR_FORMAT,  /* a file is corrupt, truncated or of the wrong kind */
    NN_ERR_NUMERIC  /* a NaN or infinity where a finite number is required */
} nn_status;

typedef struct {
    nn_status code;
    char msg[512];
} nn_error;

/* Returns a short name for a status ("shape error", ...). */
const char *nn_status_name(nn_status s);

/* Fills err (when not NULL) with code and a printf-style message; returns
 * code. For programs that report their own errors the library's way. */
nn_status nn_set_error(nn_error *err, nn_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------- rng */

/* A small seeded generator (PCG32). No global state: each user owns one. */
typedef struct {
    uint64_t state, inc;
} nn_rng;

void     nn_rng_seed(nn_rng *rng, uint64_t seed);
uint32_t nn_rng_u32(nn_rng *rng);
double   nn_rng_uniform(nn_rng *rng);           /* in [0, 1) */
double   nn_rng_normal(nn_rng *rng);            /* standard normal */
uint32_t nn_rng_below(nn_rng *rng, uint32_t n); /* uniform in [0, n), unbiased; 0 if n = 0 */

/* ----------------------------------------------------------------- graph */

typedef struct nn_graph nn_graph;

typedef enum { NN_INIT_HE, NN_INIT_XAVIER, NN_INIT_ZERO } nn_init;

/* How a loss that sits on a softmax sends its gradient back (docs/losses.md). */
typedef enum {
    NN_GRAD_SIMPLIFIED, /* closed-form dL/dz into the softmax's input */
    NN_GRAD_JACOBIAN    /* dL/dp into the softmax output; softmax applies J^T */
} nn_grad_mode;

/* How per-sample loss values become the batch loss.
 * MEAN: sum_b w_b l_b / sum_b w_b (w_b = 1 without weights) — the default.
 * SUM: sum_b w_b l_b.
 * BATCHMEAN: sum_b w_b l_b / B (PyTorch's KL "batchmean"; equal to MEAN
 * unless sample or class weights are used). */
typedef enum { NN_REDUCE_MEAN, NN_REDUCE_SUM, NN_REDUCE_BATCHMEAN } nn_reduction;

typedef struct {
    nn_reduction reduction;
    nn_grad_mode mode;
    double coef;  /* the loss enters the total as coef * value; default 1 */
    int weights;  /* optional real node (B, 1) of per-sample weights >= 0, or -1 */
} nn_loss_options;

nn_loss_options nn_loss_defaults(void);

/* Creates an empty graph whose batches have at most max_batch rows.
 * Returns NULL only if max_batch < 1 or memory is exhausted. */
nn_graph *nn_graph_create(int max_batch);
void      nn_graph_free(nn_graph *g);

/* Builders. Each returns the new node's id, or -1 (see Conventions). */
int nn_input(nn_graph *g, int n_features);  /* (B, n_features) real data */
/* Asks for dL/dx of nn_input node `input` (PyTorch's requires_grad): a
 * gradient buffer (B, n_features) then exists for it and for every node that
 * reads it, backward fills them, and nn_output_grad(g, input) returns it.
 * A loss must depend on the input through its prediction (a loss does not
 * differentiate its target or weights): nn_graph_compile checks that.
 * Before or after compile; after, the gradient buffers are laid out again
 * (earlier nn_output_grad pointers become invalid) and the check runs here.
 * NN_ERR_ARG: not an input node, or no loss depends on it; NN_ERR_NOMEM. */
nn_status nn_input_requires_grad(nn_graph *g, int input, nn_error *err);
int nn_labels(nn_graph *g, int n_classes);  /* (B) class ids 0..n_classes-1 */
int nn_dense(nn_graph *g, int x, int n_out, nn_init init); /* (B, n_out) */
int nn_relu(nn_graph *g, int x);
int nn_sigmoid(nn_graph *g, int x);
int nn_tanh(nn_graph *g, int x);
/* Inverted dropout, as torch.nn.Dropout(p): in training mode each value is
 * kept with probability 1 − p and scaled by 1/(1 − p), else set to 0; in
 * evaluation mode the identity. p in [0, 1); p = 0 is the identity and draws
 * nothing. The masks come from the graph's generator (nn_graph_rng). */
int nn_dropout(nn_graph *g, int x, double p);
/* The drop probability of a dropout node; NaN for any other node. */
double nn_dropout_rate(const nn_graph *g, int node);
/* p = softmax(z / T), row-wise, T > 0. */
int nn_softmax(nn_graph *g, int z, double temperature);

/* Softmax backward route, for teaching: the O(K) vector-Jacobian product
 * p ⊙ (g − <g, p>) / T (default), or the explicit K×K Jacobian per sample,
 * whose K×K work space (K ≤ 2048) is allocated here, before or after compile.
 * NN_ERR_ARG: not a softmax node, an unknown route or K too large;
 * NN_ERR_NOMEM. */
typedef enum { NN_SOFTMAX_VJP, NN_SOFTMAX_EXPLICIT } nn_softmax_route;
nn_status nn_softmax_set_route(nn_graph *g, int softmax, nn_softmax_route r);

/* Softmax kernels on one row of K ≥ 1 values, usable outside a graph (the
 * walkthrough and tests use them); T > 0. Every array has K entries but J. */
/* p = softmax(z/T), computed stably (the row maximum is subtracted first);
 * p may be z (in place). */
void   nn_softmax_row(nn_real *p, const nn_real *z, int K, double T);
/* logp = log softmax(z/T); returns logsumexp(z/T). */
double nn_log_softmax_row(nn_real *logp, const nn_real *z, int K, double T);
/* log Σ_i exp(z_i/T), computed stably (finite for every finite z). */
double nn_logsumexp_row(const nn_real *z, int K, double T);
/* J (K, K): J_ij = ∂p_i/∂z_j = p_i (δ_ij − p_j) / T. */
void   nn_softmax_jacobian(nn_real *J, const nn_real *p, int K, double T);
/* dz += p ⊙ (g − ⟨g, p⟩) / T, the vector-Jacobian product Jᵀ g. */
void   nn_softmax_vjp(nn_real *dz, const nn_real *p, const nn_real *g, int K, double T);

/* Cross-entropy with hard labels: l_b = −log p[b, y_b]. `p` must be a softmax
 * node, `labels` an nn_labels node with as many classes as p has columns.
 * nn_cross_entropy_ex (losses.h) adds soft targets, smoothing, class weights. */
int nn_cross_entropy(nn_graph *g, int p, int labels, const nn_loss_options *o);

/* Allocates parameters (one buffer), their gradients (one buffer) and every
 * activation for max_batch rows, and initialises weights from `seed`.
 * Reports the first builder error, if any. */
nn_status nn_graph_compile(nn_graph *g, uint64_t seed, nn_error *err);

/* The first error recorded by a builder, or NULL. */
const char *nn_graph_error(const nn_graph *g);

/* One step. B is the number of rows in this batch, 1 <= B <= max_batch.
 * forward returns the total loss: sum over loss nodes of coef * value. If the
 * data are invalid (a target that is not a distribution, a label out of range,
 * a bad B) it returns NaN and nn_graph_run_error() says why.
 * backward adds the gradients of that loss into every gradient buffer (call
 * nn_graph_zero_grad first) and returns NN_OK; it does nothing and returns
 * NN_ERR_ARG, with nn_graph_run_error() saying why, after a failed forward
 * or when there is nothing to differentiate (no parameter and no input
 * marked with nn_input_requires_grad). */
double nn_graph_forward(nn_graph *g, int B);
const char *nn_graph_run_error(const nn_graph *g); /* NULL after a good forward */
void      nn_graph_zero_grad(nn_graph *g);
nn_status nn_graph_backward(nn_graph *g, int B);
/* Training mode (1, the default) or evaluation mode (0); nn_trainer_epoch
 * switches to 1, nn_trainer_evaluate and nn_evaluate_accuracy to 0, and
 * each restores the caller's mode. Dropout is the layer that reads the flag (off at 0). */
void   nn_graph_set_training(nn_graph *g, int training);
int    nn_graph_training(const nn_graph *g);
/* The graph's generator, which draws dropout masks. nn_graph_compile seeds
 * it from its seed (a stream apart from the initialisation's); saving and
 * restoring *nn_graph_rng(g) repeats the masks exactly (checkpoints do). */
nn_rng *nn_graph_rng(nn_graph *g);

/* Accessors. Buffers are row-major, max_batch rows. */
int            nn_graph_n_nodes(const nn_graph *g);
int            nn_graph_max_batch(const nn_graph *g);
const char    *nn_node_kind(const nn_graph *g, int node); /* "dense", ... */
int            nn_node_width(const nn_graph *g, int node); /* columns */
int            nn_node_input(const nn_graph *g, int node, int i); /* or -1 */
const nn_real *nn_output(const nn_graph *g, int node);       /* (B, width) */
/* dL/d(output) (B, width) after backward; NULL for a node no parameter and
 * no input requiring its gradient lies upstream of (nn_input_requires_grad) */
const nn_real *nn_output_grad(const nn_graph *g, int node);  /* (B, width) */
nn_real       *nn_input_data(nn_graph *g, int input);        /* (B, width) */
int32_t       *nn_label_data(nn_graph *g, int labels);       /* (B) */
/* A node's parameters and gradients inside the shared buffers. For dense:
 * weight (n_out, n_in) then bias (n_out), as torch.nn.Linear stores them. */
nn_real       *nn_node_params(nn_graph *g, int node, size_t *count);
nn_real       *nn_node_param_grads(nn_graph *g, int node, size_t *count);
/* A loss node's reduced value in the last forward, before its coef; NaN
 * for a node that is not a loss. */
double         nn_loss_value(const nn_graph *g, int loss);
/* The weight a loss node enters the total with (its coef, times T² for a KL
 * with scale_t2: the total is Σ nn_loss_coef · nn_loss_value); NaN for a
 * node that is not a loss. */
double         nn_loss_coef(const nn_graph *g, int loss);
/* The parts of the losses' values, for adding them up over batches or
 * processes (nn_trainer_options.reduce_norms, nn_eval_sums): after a
 * forward pass, norms[i] is the normaliser of the i-th loss node over the
 * batch's rows — the D its mean divides by (Σ_b s_b n_b, the row count
 * without sample or class weights; B for batchmean), 0 for a sum, which has
 * none — and sums[i] its Σ_b s_b l_b. Either may be NULL. Writes at most
 * cap of each; returns the number of loss nodes. */
int            nn_graph_loss_norms(const nn_graph *g, double *norms, double *sums, int cap);
/* The graph's loss from such parts (n of each, e.g. summed over batches):
 * Σ_i coef_i · sums[i] / norms[i] (0 where norms[i] is 0), a sum's term
 * coef_i · sums[i]. */
double         nn_graph_loss_from_parts(const nn_graph *g, const double *sums, const double *norms, int n);
/* Replaces those normalisers for the losses' values and the backward pass
 * that follows: a mean's D becomes scale · norms[i] (n of them, in the same
 * order), a sum's D becomes scale (1 is its normaliser over any batch).
 * Returns the graph's total loss with them (NaN stays NaN). */
double         nn_graph_set_loss_norms(nn_graph *g, const double *norms, int n, double scale);
/* 1 when every loss node's mean divides by its batch's row count (no
 * sample weights, no per-row share such as class weights or CORN's tasks,
 * or batchmean), so that weighting processes by their rows is exact and
 * nn_trainer_options.reduce_norms has nothing to do. */
int            nn_graph_losses_average_rows(const nn_graph *g);

/* The whole parameter and gradient buffers. */
size_t   nn_graph_n_params(const nn_graph *g);
nn_real *nn_graph_params(nn_graph *g);
nn_real *nn_graph_grads(nn_graph *g);

/* ------------------------------------------------------------ optimizers */

typedef enum { NN_OPT_SGD, NN_OPT_ADAM, NN_OPT_ADAMW } nn_optimizer_kind;

typedef struct {
    nn_optimizer_kind kind;
    double lr;
    double momentum;     /* SGD */
    int    nesterov;     /* SGD, needs momentum > 0 */
    double weight_decay; /* SGD, Adam: L2 added to the gradient; AdamW: decoupled */
    double beta1, beta2, eps; /* Adam(W): torch's defaults are 0.9, 0.999, 1e-8 */
} nn_optimizer_options;

/* Options of `kind` with learning rate lr and torch.optim's defaults (no
 * momentum or weight decay; betas 0.9, 0.999; eps 1e-8). Every field of
 * nn_optimizer_options is taken literally, so start Adam options from here. */
nn_optimizer_options nn_optimizer_defaults(nn_optimizer_kind kind, double lr);

typedef struct nn_optimizer nn_optimizer;

/* State (velocity or moments) is allocated beside the graph's parameters. */
nn_optimizer *nn_optimizer_create(nn_graph *g, const nn_optimizer_options *o,
                                  nn_error *err);
void          nn_optimizer_step(nn_optimizer *opt);
/* For schedules; lr finite and >= 0 (0 pauses), else NN_ERR_ARG and the
 * rate is unchanged. */
nn_status     nn_optimizer_set_lr(nn_optimizer *opt, double lr);
double        nn_optimizer_lr(const nn_optimizer *opt); /* the current rate */
void          nn_optimizer_free(nn_optimizer *opt);

/* The L2 norm of the whole gradient buffer, accumulated in double. */
double nn_grad_norm(const nn_graph *g);
/* Gradient-norm clipping, as torch.nn.utils.clip_grad_norm_(params,
 * max_norm): with n = nn_grad_norm(g), scales every gradient by
 * max_norm / (n + 1e-6) when that is below 1. Returns n (before clipping).
 * max_norm must be positive and finite (else NaN and nothing changes). A
 * non-finite n leaves the gradients as they are, for the caller's
 * non-finite check (torch would spread the NaN into every gradient). Call it
 * between nn_graph_backward and nn_optimizer_step. */
double nn_clip_grad_norm(nn_graph *g, double max_norm);

/* Checkpoint access. An optimizer keeps 0 to 2 state buffers, each laid out
 * like the graph's parameter buffer, named as torch names them: SGD with
 * momentum "momentum_buffer"; Adam and AdamW "exp_avg", "exp_avg_sq".
 * Restoring the buffers and the step count continues the run exactly. */
nn_optimizer_kind nn_optimizer_kind_of(const nn_optimizer *opt);
int      nn_optimizer_n_state(const nn_optimizer *opt);
/* State buffer i (n_params), owned by the optimizer; NULL if i is out of range. */
nn_real *nn_optimizer_state(const nn_optimizer *opt, int i, const char **name);
long     nn_optimizer_steps(const nn_optimizer *opt);
void     nn_optimizer_set_steps(nn_optimizer *opt, long steps);

/* -------------------------------------------------------------- datasets */

/* Samples stored compactly: bytes scaled by x_scale (images), or reals.
 * Exactly one of x_u8 / x_real is set. Rows are converted to nn_real when a
 * batch is gathered, so a 60000-image set costs 47 MB, not 188 MB. */
typedef struct {
    int      n, n_features, n_classes;
    uint8_t *x_u8;    /* (n, n_features) or NULL */
    nn_real *x_real;  /* (n, n_features) or NULL */
    double   x_scale; /* value = x_u8 * x_scale */
    int32_t *labels;  /* (n) in 0..n_classes-1 */
    /* Optional descriptions, NULL/0 when absent, owned by the dataset: */
    double  *values;        /* (n_classes) category values of ordinal classes */
    char   **label_names;   /* (n_classes) class names (folder names, CSV labels) */
    char   **feature_names; /* (n_features) CSV column names */
    char    *label_column;  /* CSV: name of the label column */
    double  *feature_mean;  /* (n_features) standardisation, applied by gather: */
    double  *feature_std;   /* (n_features)   x -> (x - mean) / std */
    int      image_shape[3];/* (height, width, channels) of image samples, or 0s */
    nn_real *targets;       /* (n, target_width) per-sample real targets a loss
                               reads (teacher logits, soft labels), or NULL */
    int      target_width;
    char   **row_files;     /* (n) the file each row was read from (image
                               folders: "imgs/cat/3.png"), or NULL */
} nn_dataset;

void nn_dataset_free(nn_dataset *d);

/* Reads an IDX image file and its label file (gzipped or plain), validating
 * magic numbers, dimensions, counts and length. Images are scaled to [0, 1]. */
nn_status nn_load_idx(nn_dataset *out, const char *images_path,
                      const char *labels_path, nn_error *err);
/* Reads part `part` (0 ≤ part < n_parts) of the same files: the images
 * [n·part/n_parts, n·(part + 1)/n_parts) of the n in the file, and their
 * labels, for one process of a data-parallel job. n_classes comes from every
 * label, so all parts agree on it; only the last part checks the end of the
 * images file (trailing bytes, gzip CRC). Part 0 of 1 is nn_load_idx. */
nn_status nn_load_idx_part(nn_dataset *out, const char *images_path, const char *labels_path,
                           int part, int n_parts, nn_error *err);

/* Checks what a loader produced before anyone trains on it: sizes, exactly
 * one of x_u8 / x_real, every real value finite and every label in
 * 0..n_classes-1. The error names `name` (the file) and the first bad sample
 * and feature, e.g. "data.csv: sample 12, feature 3 is NaN (counting from 0)".
 * Loaders of real-valued data call it; nn_train calls it on its inputs. */
nn_status nn_dataset_validate(const nn_dataset *d, const char *name, nn_error *err);

/* Copies rows idx[0..B) of d into an input buffer (B, n_features) and a label
 * buffer (B, may be NULL), standardising them when d has feature_mean/std. */
void nn_dataset_gather(const nn_dataset *d, const int *idx, int B,
                       nn_real *x, int32_t *labels);
/* Copies the targets of rows idx[0..B) into t (B, target_width). */
void nn_dataset_gather_targets(const nn_dataset *d, const int *idx, int B, nn_real *t);

/* -------------------------------------------------------------- training */

/* learning-rate schedules, which the trainer applies */
#include "schedule.h"

/* What the trainer does when a step's loss or gradient is NaN or infinite. It
 * never applies such a step. STOP returns NN_ERR_NUMERIC naming the epoch,
 * the batch and the layer where the value appeared. SKIP drops the step and
 * counts it in nn_epoch_stats.skipped, but still stops when the parameters
 * themselves are no longer finite or every batch of an epoch was dropped. */
typedef enum { NN_NONFINITE_STOP, NN_NONFINITE_SKIP } nn_nonfinite_policy;

/* The nodes the trainer feeds and reads. */
typedef struct {
    int x;      /* nn_input node */
    int labels; /* nn_labels node */
    int probs;  /* node whose argmax (nn_argmax) is the prediction, e.g. the softmax */
    int targets;/* input node fed with the dataset's targets; read only when
                   the dataset has targets */
} nn_train_nodes;

typedef struct {
    int    epoch;
    double loss;          /* mean training loss over the steps taken */
    double train_acc;     /* accuracy measured during the epoch, on the steps taken */
    double test_acc;      /* nn_train: on its test set, or -1 without one;
                             nn_trainer_epoch: always -1 (see nn_trainer_evaluate) */
    double seconds;       /* training time of the epoch, excluding eval */
    int    skipped;       /* steps dropped for a non-finite loss or gradient */
    int    steps;         /* optimizer steps taken */
    long   rows;          /* rows in the steps taken (this process's, with a shard):
                             loss and train_acc are means over them */
    long   clamped;       /* jacobian-mode loss entries clamped during the epoch:
                             nn_graph_clamped summed over its backward passes;
                             each one spoils its row's gradient (docs/losses.md) */
} nn_epoch_stats;

/* ------------------------------------------------------- the trainer loop
 *
 * One epoch per call, so that a driver (the CLI, an example, early stopping)
 * owns the loop and does its own printing, checkpoints and schedules:
 *
 *     nn_trainer_options to = {.batch = 64, .seed = 1};
 *     nn_trainer *t = nn_trainer_create(g, opt, &nodes, &train, &to, &err);
 *     for (int e = 1; t && e <= epochs; e++) {
 *         nn_epoch_stats s;
 *         nn_eval_stats v;
 *         if (nn_trainer_epoch(t, &s, &err) || nn_trainer_evaluate(t, &val, &v, &err))
 *             break;
 *         printf("epoch %d  loss %.4f  val acc %.4f\n", s.epoch, s.loss, v.accuracy);
 *     }
 *     nn_trainer_free(t);
 *
 * The trainer validates the training data and the nodes once, at create.
 * From create to free the calling thread flushes denormals to zero and, with
 * adapt_threads, the trainer tunes OpenBLAS's thread count; free gives the
 * thread its previous mode and OpenBLAS its count back. Call the trainer from
 * the thread that created it. A step allocates nothing.
 *
 * One step, in order: gather the next rows of the epoch's permutation, zero
 * the gradients, forward, backward, the gradient-reduce hook (if any), the
 * non-finite check, gradient-norm clipping (if asked), the scheduled learning
 * rate (if any), the optimizer step, the step callback. Extension points
 * that fit there belong in nn_trainer_options and nn_trainer.c. */

typedef struct nn_trainer nn_trainer;

/* Progress of an epoch, passed to the step callback after every batch. */
typedef struct {
    int    epoch;
    int    step;     /* batches done in this epoch, 1..n_steps (taken or skipped) */
    int    n_steps;  /* batches per epoch */
    double loss;     /* mean loss over the rows of the steps taken so far, or NaN */
} nn_step_info;

typedef void (*nn_step_callback)(const nn_step_info *s, void *user);

/* Gradient-reduce hook, for data-parallel training (one process per shard of
 * every batch). Called once per step, after backward and before the
 * non-finite check and the optimizer step, on the whole contiguous gradient
 * buffer grads (n_params). On entry grads is the gradient of the mean loss
 * over this process's local_rows rows; on return it must be the gradient of
 * the mean over the global_rows rows of all processes,
 * Σ_processes (local_rows / global_rows) · grads. A process whose loss is not
 * finite enters with grads all NaN, so every process sees the same reduced
 * buffer and takes the same decision (skip or stop). Without sharding
 * global_rows = local_rows. A status other than NN_OK (with err filled) stops
 * the epoch with that status. */
typedef nn_status (*nn_grad_reduce_fn)(nn_real *grads, size_t n_params, int local_rows,
                                       int global_rows, void *user, nn_error *err);

/* Normaliser-reduce hook, for data-parallel training whose losses' means do
 * not divide by the row count (class-weighted cross-entropy divides by
 * Σ_b w_{y_b}, as PyTorch): sums v (n values) element-wise over the
 * processes, in place, the same on every process. Called once per step
 * after forward, on every process, with the user of reduce_grads. */
typedef nn_status (*nn_norm_reduce_fn)(double *v, int n, void *user, nn_error *err);

/* Data-parallel sharding: this process holds some rows of a training set of
 * n rows. Every epoch shuffles all n with the trainer's generator (the same
 * permutation on every process), and of each global batch of `batch` rows a
 * process takes those it holds — possibly none: it then contributes a zero
 * gradient and still calls the reduce hook. With the hook's weighting, the
 * step is the one a single process holding all rows would take, up to
 * floating-point summation order. */
typedef struct {
    int        n;   /* rows of the whole training set, the same on every process */
    const int *row; /* (n) the row of `train` that is global row i, or −1 when another
                       process holds it */
} nn_shard;

typedef struct {
    int      batch;       /* rows per step, 1..the graph's max_batch */
    uint64_t seed;        /* seeds the shuffling generator (nn_trainer_rng) */
    /* The number nn_trainer_epoch gives its first epoch (0 means 1): a run
     * resumed after epoch E passes E + 1 and restores the generator. */
    int      first_epoch;
    nn_nonfinite_policy on_nonfinite; /* default (0) STOP */
    /* 1: while the trainer lives, switch OpenBLAS between one thread and the
     * count it was given (OPENBLAS_NUM_THREADS, openblas_set_num_threads),
     * whichever makes steps faster, re-measured as the machine's load
     * changes; nn_trainer_free gives the count back. A second core then
     * helps when it is free and cannot slow training when another job holds
     * it. The last bits of the results depend on the timing; 0 (default)
     * keeps the count, and one thread is reproducible bit for bit. */
    int      adapt_threads;
    nn_step_callback on_step;     /* NULL: none */
    void            *step_user;
    nn_grad_reduce_fn reduce_grads; /* NULL: none */
    void             *reduce_user;
    /* With a shard: each step's loss normalisers (nn_graph_loss_norms) are
     * summed over the processes before backward, so every mean is the
     * global batch's even when its normaliser is not the row count (class
     * or sample weights, CORN's tasks) and a sum is the global batch's sum.
     * Not called when every loss averages over rows
     * (nn_graph_losses_average_rows): the local_rows / global_rows weighting
     * is exact then. NULL: each process divides by its own normaliser. */
    nn_norm_reduce_fn reduce_norms;
    const nn_shard   *shard;        /* NULL: `train` holds every row; borrowed, must
                                       outlive the trainer */
    /* Learning-rate schedule (borrowed, checked at create): before each
     * optimizer step the rate becomes nn_lr_schedule_at(schedule, steps taken
     * by the optimizer), so a restored optimizer step count continues it.
     * NULL: the optimizer's rate is left alone. */
    const nn_lr_schedule *schedule;
    /* > 0: the gradient's global L2 norm is clipped to this before each
     * optimizer step (nn_clip_grad_norm); 0: no clipping. */
    double clip_grad_norm;
    /* (K) category values for nn_eval_stats.mae (borrowed); NULL = 0..K−1. */
    const double *values;
} nn_trainer_options;

/* Checks the graph (compiled), the options, the nodes against `train`, the
 * training data (nn_dataset_validate) and the parameters (finite), and
 * allocates the epoch's permutation. `g`, `opt` and `train` are borrowed and
 * must outlive the trainer. Returns NULL with err filled on failure. */
nn_trainer *nn_trainer_create(nn_graph *g, nn_optimizer *opt, const nn_train_nodes *nodes,
                              const nn_dataset *train, const nn_trainer_options *o,
                              nn_error *err);

/* Runs one epoch in training mode (the caller's mode is restored): shuffles
 * the identity permutation with the trainer's generator (so an epoch's order
 * depends only on the generator's state when it starts), then one step per
 * batch. Fills *out (may be NULL). NN_ERR_NUMERIC as the policy says; the
 * epoch counter advances only on NN_OK. */
nn_status nn_trainer_epoch(nn_trainer *t, nn_epoch_stats *out, nn_error *err);

/* The sums an evaluation's figures come from. They add up over parts of a
 * data set: a data-parallel evaluation sums them over the processes (as
 * NN_EVAL_N_SUMS doubles) and calls nn_eval_stats_from_sums. */
#define NN_EVAL_MAX_LOSSES 16 /* loss nodes a trainer's graph may have */
typedef struct {
    double rows, correct; /* rows evaluated; rows whose argmax(probs) is the label */
    double no_loss;       /* rows of data without the targets the loss reads */
    double abs_err;       /* Σ |E[X] − v_y| */
    double sq_diff, sy, sy2, sp, sp2;     /* QWK: Σ (p − y)², Σ y, Σ y², Σ p, Σ p² (label positions) */
    double loss_sum[NN_EVAL_MAX_LOSSES];  /* per loss node, in graph order: Σ_b s_b l_b */
    double loss_norm[NN_EVAL_MAX_LOSSES]; /* per loss node: Σ of its batches' normalisers
                                             (nn_graph_loss_norms) */
} nn_eval_sums;
#define NN_EVAL_N_SUMS (sizeof(nn_eval_sums) / sizeof(double))

/* What nn_trainer_evaluate measures. Every field is filled; more metrics
 * (MAE, QWK, ...) are added as fields, so keep callers to field names. */
typedef struct {
    int    n;        /* rows evaluated */
    double loss;     /* the mean over all rows: per loss, Σ s_b l_b over the set
                        divided by the sum of its normalisers (the mean
                        per-sample loss under MEAN without weights; with class
                        weights Σ w_y l / Σ w_y over the set), times its coef;
                        NaN for no rows or when d lacks the targets the loss
                        reads */
    double accuracy; /* fraction of rows whose argmax(probs) is the label; NaN for no rows */
    double mae;      /* mean |E[X] − v_y| in value units (E[X] = Σ_i v_i p_i over probs,
                        v from nn_trainer_options.values); NaN for no rows */
    double qwk;      /* quadratic weighted kappa of argmax against the label
                        (nn_quadratic_weighted_kappa); NaN for no rows or one class */
    nn_eval_sums sums; /* what the figures above come from */
} nn_eval_stats;

/* The figures of the sums s (e.g. summed over processes) for the graph g
 * the trainer evaluated (its losses' coefficients). */
nn_eval_stats nn_eval_stats_from_sums(const nn_graph *g, const nn_eval_sums *s);

/* Evaluates the graph on d in evaluation mode (the caller's mode is
 * restored), in batches of the graph's max_batch, without touching the
 * parameters, the optimizer or the generator. Checks d's shape against the
 * nodes and validates it (one pass over labels and real features, small
 * next to the forward passes). Allocates nothing. */
nn_status nn_trainer_evaluate(nn_trainer *t, const nn_dataset *d, nn_eval_stats *out,
                              nn_error *err);

/* The shuffling generator, for checkpoints: saving it after epoch E and
 * restoring it (with first_epoch = E + 1) repeats the remaining epochs. */
nn_rng nn_trainer_rng(const nn_trainer *t);
void   nn_trainer_set_rng(nn_trainer *t, nn_rng rng);
/* The number the next nn_trainer_epoch will give its epoch. */
int    nn_trainer_next_epoch(const nn_trainer *t);

/* Restores the thread's denormal mode and OpenBLAS's thread count, frees the
 * trainer (not the graph, optimizer or data). NULL is allowed. */
void   nn_trainer_free(nn_trainer *t);

/* ------------------------------------------------------- early stopping
 *
 * The best epoch of a monitored validation metric, as Keras's EarlyStopping
 * (monitor, min_delta, patience, restore_best_weights):
 *
 *     nn_early_stop_options eo = {.monitor = NN_MONITOR_VAL_LOSS, .patience = 5,
 *                                 .restore_best = 1};
 *     nn_early_stop *es = nn_early_stop_create(g, &eo, &err);
 *     for (int e = 1; e <= epochs; e++) {
 *         ... nn_trainer_epoch, nn_trainer_evaluate(t, &val, &v, &err) ...
 *         nn_early_stop_update(es, g, e, &v);
 *         if (nn_early_stop_should_stop(es)) break;
 *     }
 *     nn_early_stop_restore(es, g, &err);   // the best epoch's weights
 *
 * A checkpoint keeps the whole state (nn_checkpoint_info.best,
 * nn_checkpoint_best), so a resumed run stops at the same epoch and restores
 * the same weights as one that was never interrupted. */

typedef enum {
    NN_MONITOR_VAL_LOSS, /* nn_eval_stats.loss, lower is better */
    NN_MONITOR_VAL_ACC,  /* .accuracy, higher is better */
    NN_MONITOR_VAL_MAE,  /* .mae, lower is better */
    NN_MONITOR_VAL_QWK   /* .qwk, higher is better */
} nn_monitor;

/* "val_loss", "val_acc", "val_mae", "val_qwk"; -1 for any other name. */
int         nn_monitor_parse(const char *name);
const char *nn_monitor_name(nn_monitor m);
int         nn_monitor_larger_is_better(nn_monitor m);
/* The field of v that m names (NaN when v lacks it). */
double      nn_monitor_value(nn_monitor m, const nn_eval_stats *v);

typedef struct {
    nn_monitor monitor;
    int        patience;     /* > 0: should_stop after this many epochs in a row without
                                improvement; 0: never */
    double     min_delta;    /* >= 0: an improvement must beat the best by more than this */
    int        restore_best; /* keep a copy of the best epoch's parameters */
} nn_early_stop_options;

typedef struct {
    int    epoch; /* the best epoch so far; 0 before any finite value */
    double value; /* its monitored value; NaN before it */
    int    bad;   /* epochs since the best one (or since the start) without improvement */
    int    last;  /* the last epoch given to nn_early_stop_update; 0 before */
} nn_early_stop_state;

typedef struct nn_early_stop nn_early_stop;

/* NN_ERR_ARG for an unknown monitor, patience < 0 or min_delta not finite
 * and >= 0; with restore_best, allocates a copy of g's parameters (so g
 * must be compiled). */
nn_early_stop *nn_early_stop_create(const nn_graph *g, const nn_early_stop_options *o,
                                    nn_error *err);
/* Records epoch e's validation figures: an improvement (a finite value that
 * beats the best by more than min_delta, or the first finite one) makes e the
 * best epoch and, with restore_best, copies g's parameters; anything else
 * (NaN included) counts one epoch without improvement. Returns 1 on an
 * improvement, else 0. Allocates nothing. */
int nn_early_stop_update(nn_early_stop *s, const nn_graph *g, int e, const nn_eval_stats *v);
/* 1 when patience > 0 and the last `patience` epochs did not improve. */
int nn_early_stop_should_stop(const nn_early_stop *s);
nn_early_stop_state   nn_early_stop_get(const nn_early_stop *s);
nn_early_stop_options nn_early_stop_options_of(const nn_early_stop *s);
/* The best epoch's parameters (n_params), or NULL without restore_best. */
const nn_real *nn_early_stop_params(const nn_early_stop *s);
/* Puts the best epoch's parameters into g. NN_ERR_ARG without
 * restore_best, before any improvement, or for a graph of another size. */
nn_status nn_early_stop_restore(const nn_early_stop *s, nn_graph *g, nn_error *err);
/* Sets the state (and, when params is not NULL, the best parameters, n of
 * them), as a checkpoint holds it. NN_ERR_ARG when they do not fit. */
nn_status nn_early_stop_set(nn_early_stop *s, nn_early_stop_state st, const nn_real *params,
                            size_t n, nn_error *err);
void nn_early_stop_free(nn_early_stop *s);

/* ------------------------------------------------------------ nn_train */

/* A whole run in one call: nn_train is a loop over nn_trainer_epoch. */
typedef struct {
    int      epochs;
    int      batch;       /* <= the graph's max_batch */
    uint64_t seed;        /* shuffling */
    /* Resuming: the epochs run are first_epoch..epochs (first_epoch 0 means
     * 1), and when rng is not NULL the shuffles draw from it (a generator the
     * caller saves and restores; it has advanced when a callback runs and on
     * return) instead of one seeded from `seed`. */
    int      first_epoch;
    nn_rng  *rng;
    nn_nonfinite_policy on_nonfinite; /* default (0) STOP */
    int adapt_threads;    /* as in nn_trainer_options */
} nn_train_options;

typedef void (*nn_epoch_callback)(const nn_epoch_stats *s, void *user);

/* Trains for o->epochs epochs; evaluates on `test` (may be NULL) after each
 * epoch, then calls cb (may be NULL) with the stats. Prints nothing. */
nn_status nn_train(nn_graph *g, nn_optimizer *opt, const nn_train_nodes *nodes,
                   const nn_dataset *train, const nn_dataset *test,
                   const nn_train_options *o, nn_epoch_callback cb, void *user,
                   nn_error *err);

/* Accuracy of argmax(probs) on d, in batches of the graph's max_batch;
 * NaN for an empty d. No checks: nn_trainer_evaluate checks d. */
double nn_evaluate_accuracy(nn_graph *g, const nn_train_nodes *nodes,
                            const nn_dataset *d);

/* Non-finite checks, for training loops written by hand (the trainer runs
 * them on every step). Each returns NN_OK, or NN_ERR_NUMERIC with a message
 * that starts with `where` (may be NULL) and names the node. */
/* 1 if every x[0..n) is finite; one cheap pass. */
int nn_all_finite(const nn_real *x, size_t n);
/* After forward: if `loss` is not finite, names the first node (in forward
 * order) whose output over the B rows holds NaN/inf, and whether its input
 * data or its parameters were already bad. */
nn_status nn_graph_check_forward(nn_graph *g, int B, double loss, const char *where,
                                 nn_error *err);
/* After backward: if a parameter gradient is not finite, names the first node
 * in backward order whose output gradient or parameter gradient is. */
nn_status nn_graph_check_backward(nn_graph *g, int B, const char *where, nn_error *err);
/* Names the first node whose parameters are not finite. */
nn_status nn_graph_check_params(nn_graph *g, const char *where, nn_error *err);

/* Turns on flush-to-zero and denormals-are-zero for the calling thread (x86);
 * returns 1 if they are on afterwards. A trainer turns them on from
 * nn_trainer_create to nn_trainer_free and then restores the caller's
 * setting; call this yourself in a training loop written by hand. */
int nn_enable_flush_to_zero(void);

/* The rest of the public API, one header per area. */
#include "losses.h"
#include "ordinal.h"
#include "metrics.h"
#include "data.h"
#include "model.h"
#include "plot.h"
#include "npy.h"
#include "atomic.h"

#endif /* NN_H */
