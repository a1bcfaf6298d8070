/* loss_check.h — a harness for checking a loss's gradient with respect to the
 * logits, shared by tests/test_losses_*.c.
 *
 * The net is   z (B, K) input, marked with nn_input_requires_grad → [the loss]
 * so ∂L/∂z is the input's gradient: the logits gradient the loss (and
 * softmax) produced, readable and comparable. Central differences perturb z.
 * (No layer sits in between: a K × K identity dense layer used to, and its
 * products made the K = 1000 cases slow under valgrind.)
 *
 * A test describes its loss with a `build` callback (creates the softmax, the
 * target nodes and the loss on z, in the mode asked for) and a `fill`
 * callback (writes the target data after compile). check_loss() then, for
 * each gradient mode, builds the net, finite-difference checks ∂L/∂z, and
 * finally checks that simplified and jacobian modes agree.
 */
#ifndef NN_LOSS_CHECK_H
#define NN_LOSS_CHECK_H

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "tests/golden/losses_ref.h"
#include "testutil.h"

#ifdef NN_DOUBLE
#define REAL_EPS DBL_EPSILON
#else
#define REAL_EPS FLT_EPSILON
#endif

typedef struct {
    nn_graph *g;
    int x, z;       /* the logits (B, K): one input node, so x == z */
    int B, K;
    int nodes[8];   /* whatever the build callback wants to remember */
} logit_net;

typedef void (*net_build_fn)(logit_net *n, nn_grad_mode mode, void *ctx);
typedef void (*net_fill_fn)(logit_net *n, void *ctx);

/* The graph, x and z; the caller adds the rest and calls net_compile. */
static inline void net_begin(logit_net *n, int B, int K) {
    memset(n, 0, sizeof *n);
    n->B = B, n->K = K;
    n->g = nn_graph_create(B);
    ck_assert_ptr_nonnull(n->g);
    n->x = n->z = nn_input(n->g, K);
}

static inline void net_compile(logit_net *n) {
    nn_error err;
    const char *why = nn_graph_error(n->g);
    ck_assert_msg(!why, "build: %s", why);
    ck_assert_msg(nn_input_requires_grad(n->g, n->z, &err) == NN_OK, "requires_grad: %s",
                  err.msg);
    ck_assert_msg(nn_graph_compile(n->g, 1, &err) == NN_OK, "compile: %s", err.msg);
}

static inline void net_set_logits(logit_net *n, const double *z) {
    nn_real *x = nn_input_data(n->g, n->x);
    for (int i = 0; i < n->B * n->K; i++) x[i] = (nn_real)z[i];
}

/* One forward + backward; copies ∂L/∂z (B, K) into dz; returns the loss. */
static inline double net_grad(logit_net *n, double *dz) {
    nn_graph_zero_grad(n->g);
    double L = nn_graph_forward(n->g, n->B);
    ck_assert_msg(!nn_graph_run_error(n->g), "forward: %s", nn_graph_run_error(n->g));
    ck_assert_msg(nn_graph_backward(n->g, n->B) == NN_OK, "backward: %s", nn_graph_run_error(n->g));
    const nn_real *g = nn_output_grad(n->g, n->z);
    for (int i = 0; i < n->B * n->K; i++) dz[i] = g[i];
    return L;
}

/* Central difference of the total loss at logit i. */
static inline double net_numeric(logit_net *n, int i) {
    return central_difference(n->g, n->B, nn_input_data(n->g, n->x) + i);
}

/* Central differences of the total loss against dz, on at most max_checks
 * logits evenly spaced plus the largest |dz| of each row (so wide rows, whose
 * gradients are mostly tiny, are still tested where it matters); fails if
 * every checked gradient is ~0. */
static inline void net_gradcheck(logit_net *n, const double *dz, int max_checks) {
    /* rounding in the difference quotient grows with the loss: ~eps·|L|/h */
    double L = fabs(nn_graph_forward(n->g, n->B));
    double atol = GC_ATOL + 4 * REAL_EPS * (L > 1 ? L : 1) / GC_H;
    int len = n->B * n->K, step = len > max_checks ? len / max_checks : 1, nonzero = 0;
    int n_idx = 0, *idx = malloc((size_t)(len / step + 1 + n->B) * sizeof *idx);
    ck_assert_ptr_nonnull(idx);
    for (int i = 0; i < len; i += step) idx[n_idx++] = i;
    for (int b = 0; b < n->B; b++) { /* the row's largest gradient */
        int m = b * n->K;
        for (int j = 1; j < n->K; j++)
            if (fabs(dz[b * n->K + j]) > fabs(dz[m])) m = b * n->K + j;
        idx[n_idx++] = m;
    }
    for (int k = 0; k < n_idx; k++) {
        int i = idx[k];
        double numeric = net_numeric(n, i);
        ck_assert_msg(close_enough(dz[i], numeric, atol, GC_RTOL),
                      "logit %d of (%d, %d), loss %g: analytic %.10g, finite difference %.10g",
                      i, n->B, n->K, L, dz[i], numeric);
        nonzero += fabs(dz[i]) > atol; /* backward wrote something */
    }
    free(idx);
    ck_assert_msg(nonzero > 0, "every analytic gradient is ~0: backward wrote nothing "
                  "(B = %d, K = %d, largest checked %g)", n->B, n->K, dz[0]);
}

/* Builds, compiles, fills and sets the logits; the caller frees n->g. */
static inline void net_make(logit_net *n, int B, int K, const double *logits,
                            nn_grad_mode mode, net_build_fn build, net_fill_fn fill,
                            void *ctx) {
    net_begin(n, B, K);
    build(n, mode, ctx);
    net_compile(n);
    if (fill) fill(n, ctx);
    net_set_logits(n, logits);
}

/* The contract every loss on a softmax must meet: for both modes the logits
 * gradient matches central differences, and the two modes agree within
 * `agree` (relative to the largest gradient). Writes the simplified-mode
 * gradient to dz_out (B, K) and returns the loss, if asked. */
static inline double check_loss(int B, int K, const double *logits, net_build_fn build,
                                net_fill_fn fill, void *ctx, int max_checks, double agree,
                                double *dz_out) {
    size_t len = (size_t)B * K;
    double *dz[2] = {malloc(len * sizeof(double)), malloc(len * sizeof(double))};
    ck_assert(dz[0] && dz[1]);
    double L[2];
    nn_grad_mode modes[2] = {NN_GRAD_SIMPLIFIED, NN_GRAD_JACOBIAN};
    for (int m = 0; m < 2; m++) {
        logit_net n;
        net_make(&n, B, K, logits, modes[m], build, fill, ctx);
        L[m] = net_grad(&n, dz[m]);
        ck_assert_msg(isfinite(L[m]), "loss is %g", L[m]);
        net_gradcheck(&n, dz[m], max_checks);
        nn_graph_free(n.g);
    }
    ck_assert_close(L[0], L[1], 0, 1e-12);
    double big = 0;
    for (size_t i = 0; i < len; i++) big = fmax(big, fabs(dz[0][i]));
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(fabs(dz[0][i] - dz[1][i]) <= agree * big,
                      "logit %zu: simplified %.10g, jacobian %.10g", i, dz[0][i], dz[1][i]);
    if (dz_out) memcpy(dz_out, dz[0], len * sizeof(double));
    free(dz[0]);
    free(dz[1]);
    return L[0];
}

/* Modes agree to this (relative to the largest gradient) on well-conditioned
 * inputs: rounding only. */
#ifdef NN_DOUBLE
#define MODES_AGREE 1e-12
#define GOLDEN_RTOL 1e-9
#else
#define MODES_AGREE 1e-5
#define GOLDEN_RTOL 2e-5
#endif

/* ------------------------------------------------------------ golden cases */

/* Creates the case's target node (n->nodes[0]: labels, a real input, or -1)
 * and sample-weights node (n->nodes[1] or -1); returns the loss options. */
static inline nn_loss_options golden_setup(logit_net *n, const golden_case *c,
                                           nn_grad_mode mode) {
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    n->nodes[0] = c->labels ? nn_labels(n->g, c->K)
                  : c->target ? nn_input(n->g, c->target_width) : -1;
    n->nodes[1] = c->sample_weights ? nn_input(n->g, 1) : -1;
    lo.weights = n->nodes[1];
    lo.reduction = strcmp(c->reduction, "sum") == 0         ? NN_REDUCE_SUM
                   : strcmp(c->reduction, "batchmean") == 0 ? NN_REDUCE_BATCHMEAN
                                                            : NN_REDUCE_MEAN;
    return lo;
}

/* Teacher logits, when a case has both labels and a real target (distillation):
 * n->nodes[2]. */
static inline void golden_fill(logit_net *n, void *ctx) {
    const golden_case *c = ctx;
    if (c->labels) {
        int32_t *lab = nn_label_data(n->g, n->nodes[0]);
        for (int b = 0; b < c->B; b++) lab[b] = c->labels[b];
    }
    int tnode = c->labels ? n->nodes[2] : n->nodes[0];
    if (c->target) {
        nn_real *t = nn_input_data(n->g, tnode);
        for (int i = 0; i < c->B * c->target_width; i++) t[i] = (nn_real)c->target[i];
    }
    if (c->sample_weights) {
        nn_real *s = nn_input_data(n->g, n->nodes[1]);
        for (int b = 0; b < c->B; b++) s[b] = (nn_real)c->sample_weights[b];
    }
}

/* Runs golden case `name` through `build`: total and logits gradient must
 * match PyTorch in simplified mode and, if `both`, in jacobian mode too, where
 * the finite-difference/agreement contract (check_loss) must also hold.
 * both = 0 is for extreme inputs (±1e4 logits), where jacobian mode is
 * documented to lose the gradient of underflowed classes. */
static inline void check_golden(const char *name, net_build_fn build, int both) {
    const golden_case *c = golden_find(name);
    ck_assert_msg(c != NULL, "no golden case %s", name);
    double *dz = malloc((size_t)c->B * c->K * sizeof *dz);
    ck_assert_ptr_nonnull(dz);
    nn_grad_mode modes[2] = {NN_GRAD_SIMPLIFIED, NN_GRAD_JACOBIAN};
    for (int m = 0; m < 1 + both; m++) {
        logit_net n;
        net_make(&n, c->B, c->K, c->logits, modes[m], build, golden_fill, (void *)c);
        double L = net_grad(&n, dz);
        ck_assert_msg(close_enough(L, c->total, 1e-12, GOLDEN_RTOL),
                      "%s (mode %d): total %.15g, PyTorch %.15g", name, m, L, c->total);
        double big = 0;
        for (int i = 0; i < c->B * c->K; i++) big = fmax(big, fabs(c->grad[i]));
        for (int i = 0; i < c->B * c->K; i++)
            ck_assert_msg(fabs(dz[i] - c->grad[i]) <= GOLDEN_RTOL * big + 1e-12,
                          "%s (mode %d): dL/dz[%d] = %.15g, PyTorch %.15g", name, m, i, dz[i],
                          c->grad[i]);
        nn_graph_free(n.g);
    }
    free(dz);
    if (both)
        check_loss(c->B, c->K, c->logits, build, golden_fill, (void *)c, 64, MODES_AGREE, NULL);
}

#endif
