/* finite.c — NaN and infinity: cheap checks for every training step, and the
 * search that names the layer where one appeared.
 *
 * The per-step cost is what decides whether a check can stay on by default:
 * one test of the loss, and one pass over the parameter gradients that
 * compares exponent bits (all ones = inf or NaN) in fixed blocks the compiler
 * vectorises. For the 235 146 parameters of the 784-256-128-10 demo network
 * that is ~20 µs, well under 1% of a training step (README, Reliability).
 * Only when a check fails does the search below walk the graph node by node.
 *
 * Where a value "appears":
 * - forward: nodes run 0..n−1, so the first node (in that order) whose output
 *   rows hold a non-finite value produced it; an input node means the data
 *   did, a node whose parameters are non-finite means training had diverged.
 * - backward: nodes run n−1..0; node i's output gradient is complete before
 *   its backward runs, and its parameter gradient is written by it. So the
 *   first node in backward order whose output gradient, then parameter
 *   gradient, is non-finite is where the gradient went bad.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn/finite.h"

/* IEEE 754: a value is inf or NaN exactly when its exponent bits are all
 * ones. With e = bits & EXP_MASK (so e <= EXP_MASK), e + EXP_LSB reaches the
 * sign bit only when e == EXP_MASK; OR-ing that over a block needs only
 * and/add/or, which SSE2 does on whole vectors. */
#ifdef NN_DOUBLE
typedef uint64_t real_bits;
#define EXP_MASK ((real_bits)0x7ff0000000000000u)
#define EXP_LSB  ((real_bits)0x0010000000000000u)
#else
typedef uint32_t real_bits;
#define EXP_MASK ((real_bits)0x7f800000u)
#define EXP_LSB  ((real_bits)0x00800000u)
#endif
#define SIGN_BIT ((real_bits)1 << (8 * sizeof(real_bits) - 1))

/* Values per block: a fixed trip count the compiler vectorises at -O2, with
 * an early exit between blocks. */
#define FINITE_BLOCK 64

int nn_all_finite(const nn_real *x, size_t n) {
    size_t i = 0;
    for (; i + FINITE_BLOCK <= n; i += FINITE_BLOCK) {
        real_bits bad = 0;
        for (int k = 0; k < FINITE_BLOCK; k++) {
            real_bits u;
            memcpy(&u, &x[i + k], sizeof u);
            bad |= (u & EXP_MASK) + EXP_LSB;
        }
        if (bad & SIGN_BIT) return 0;
    }
    for (; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

/* Index of the first non-finite value of x[0..n), or n if there is none. */
static size_t first_nonfinite(const nn_real *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return i;
    return n;
}

static const char *value_name(double v) {
    return isnan(v) ? "NaN" : v > 0 ? "+inf" : "-inf";
}

/* " (row r, column c is NaN)" for the first bad value of a (B, width) block;
 * returns 0 if the block is finite. */
static int locate_rows(char *buf, size_t len, const nn_real *x, int B, int width) {
    if (!x) return 0;
    size_t total = (size_t)B * (size_t)width, at = first_nonfinite(x, total);
    if (at == total) return 0;
    snprintf(buf, len, "row %zu, column %zu is %s", at / (size_t)width, at % (size_t)width,
             value_name(x[at]));
    return 1;
}

/* Appends what the node's parameters say, if they are not finite. */
static int params_bad(char *buf, size_t len, const nn_node *n) {
    if (!n->params) return 0;
    size_t at = first_nonfinite(n->params, n->n_params);
    if (at == n->n_params) return 0;
    snprintf(buf, len, "; its parameter %zu is %s: training has diverged (lower the learning "
             "rate) or the model was loaded that way", at, value_name(n->params[at]));
    return 1;
}

nn_status nn_graph_check_forward(nn_graph *g, int B, double loss, const char *where,
                                 nn_error *err) {
    if (isfinite(loss)) return NN_OK;
    where = where ? where : "forward";
    if (g->run_error[0]) return nn_set_error(err, NN_ERR_NUMERIC, "%s: %s", where, g->run_error);
    char pos[96], extra[192];
    for (int i = 0; i < g->n_nodes; i++) {
        const nn_node *n = &g->nodes[i];
        if (n->labels) continue; /* integer data, checked by the loader */
        int width = n->is_loss ? 1 : n->width;
        if (!locate_rows(pos, sizeof pos, n->out, B, width)) continue;
        if (!n->ops->forward) {
            snprintf(extra, sizeof extra, ": the batch's input data are not finite");
        } else if (!params_bad(extra, sizeof extra, n)) {
            snprintf(extra, sizeof extra, "; its inputs and parameters are finite, so this %s "
                     "layer produced it (an overflow, or inf − inf, 0 · inf)", n->name);
        }
        return nn_set_error(err, NN_ERR_NUMERIC,
                            "%s: the loss is %s: first non-finite value in the forward pass "
                            "at node %d (%s), %s%s",
                            where, value_name(loss), i, n->name, pos, extra);
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const nn_node *n = &g->nodes[i];
        if (n->is_loss && !isfinite(n->loss_value))
            return nn_set_error(err, NN_ERR_NUMERIC,
                                "%s: loss node %d (%s) is %s although its per-sample values "
                                "are finite: the reduction overflowed",
                                where, i, n->name, value_name(n->loss_value));
    }
    return nn_set_error(err, NN_ERR_NUMERIC,
                        "%s: the total loss is %s although every loss term is finite: "
                        "coef × value overflowed", where, value_name(loss));
}

/* The likely cause of a non-finite gradient when the jacobian mode's clamp
 * engaged in this backward pass: −y/NN_PROB_MIN is about 1e30 in float
 * (1e300 in double), finite, but any factor above about 3e8 (a loss
 * coefficient, a class or sample weight over the batch's normaliser) takes
 * it past the largest value. Counted by the losses (nn_graph_clamped) like
 * every other engaged clamp, and named in the message; "" when none. */
static const char *clamp_note(const nn_graph *g, char *buf, size_t len) {
    long clamped = nn_graph_clamped(g);
    buf[0] = '\0';
    if (clamped > 0)
        snprintf(buf, len, " (the jacobian-mode clamp NN_PROB_MIN engaged on %ld entr%s of this batch: "
                 "-y/NN_PROB_MIN times the loss's scale overflows; the simplified mode does not divide)",
                 clamped, clamped == 1 ? "y" : "ies");
    return buf;
}

nn_status nn_graph_check_backward(nn_graph *g, int B, const char *where, nn_error *err) {
    if (nn_all_finite(g->grads, g->n_params)) return NN_OK;
    where = where ? where : "backward";
    char pos[96], note[192];
    clamp_note(g, note, sizeof note);
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        const nn_node *n = &g->nodes[i];
        if (locate_rows(pos, sizeof pos, n->dout, B, n->width))
            return nn_set_error(err, NN_ERR_NUMERIC,
                                "%s: non-finite gradient: first in the backward pass at the "
                                "output of node %d (%s), %s%s",
                                where, i, n->name, pos, note);
        size_t at = n->dparams ? first_nonfinite(n->dparams, n->n_params) : n->n_params;
        if (at < n->n_params)
            return nn_set_error(err, NN_ERR_NUMERIC,
                                "%s: non-finite gradient: first in the backward pass at the "
                                "parameters of node %d (%s), parameter %zu is %s%s",
                                where, i, n->name, at, value_name(n->dparams[at]), note);
    }
    return nn_set_error(err, NN_ERR_NUMERIC, "%s: non-finite parameter gradient%s", where, note);
}

nn_status nn_graph_check_params(nn_graph *g, const char *where, nn_error *err) {
    if (nn_all_finite(g->params, g->n_params)) return NN_OK;
    where = where ? where : "parameters";
    char extra[192];
    for (int i = 0; i < g->n_nodes; i++)
        if (params_bad(extra, sizeof extra, &g->nodes[i]))
            return nn_set_error(err, NN_ERR_NUMERIC, "%s: node %d (%s)%s", where, i,
                                g->nodes[i].name, extra);
    return nn_set_error(err, NN_ERR_NUMERIC, "%s: the parameters are not finite", where);
}

nn_status nn_dataset_validate(const nn_dataset *d, const char *name, nn_error *err) {
    name = name ? name : "dataset";
    if (d->n < 0 || d->n_features < 1 || d->n_classes < 1)
        return nn_set_error(err, NN_ERR_ARG, "%s: %d samples of %d features in %d classes",
                            name, d->n, d->n_features, d->n_classes);
    if (!d->x_u8 == !d->x_real)
        return nn_set_error(err, NN_ERR_ARG, "%s: exactly one of x_u8 and x_real must be set",
                            name);
    if (d->n > 0 && !d->labels)
        return nn_set_error(err, NN_ERR_ARG, "%s: no labels", name);
    if (d->x_u8 && !(isfinite(d->x_scale)))
        return nn_set_error(err, NN_ERR_NUMERIC, "%s: the byte scale is %s", name,
                            value_name(d->x_scale));
    if (d->x_real) {
        size_t F = (size_t)d->n_features, total = (size_t)d->n * F;
        if (!nn_all_finite(d->x_real, total)) {
            size_t at = first_nonfinite(d->x_real, total);
            return nn_set_error(err, NN_ERR_NUMERIC,
                                "%s: sample %zu, feature %zu is %s (counting from 0)", name,
                                at / F, at % F, value_name(d->x_real[at]));
        }
    }
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] < 0 || d->labels[i] >= d->n_classes)
            return nn_set_error(err, NN_ERR_ARG,
                                "%s: sample %d has label %d outside 0..%d (counting from 0)",
                                name, i, (int)d->labels[i], d->n_classes - 1);
    return NN_OK;
}

nn_status nn_train_nonfinite(nn_graph *g, int B, double loss, nn_nonfinite_policy policy,
                             int epoch, int batch, nn_error *err) {
    char where[64];
    snprintf(where, sizeof where, "train: epoch %d, batch %d", epoch, batch);
    nn_error found;
    nn_status st = isfinite(loss) ? nn_graph_check_backward(g, B, where, &found)
                                  : nn_graph_check_forward(g, B, loss, where, &found);
    if (st == NN_OK) return NN_OK; /* nothing was wrong after all */
    /* Skipping helps only while the model itself is finite, and never when the
     * data are invalid (a bad label is not noise). */
    if (policy == NN_NONFINITE_SKIP && !g->run_error[0] &&
        nn_all_finite(g->params, g->n_params))
        return NN_OK;
    if (err) *err = found;
    return st;
}

nn_status nn_train_check_inputs(nn_graph *g, const nn_dataset *train, nn_error *err) {
    nn_status st = nn_dataset_validate(train, "train: the training data", err);
    if (!st) st = nn_graph_check_params(g, "train: before the first step", err);
    return st;
}

nn_status nn_train_check_epoch(nn_graph *g, int epoch, int skipped, int n_batches,
                               nn_error *err) {
    if (skipped == n_batches)
        return nn_set_error(err, NN_ERR_NUMERIC,
                            "train: epoch %d: all %d steps had a non-finite loss or gradient "
                            "and were skipped", epoch, n_batches);
    char where[64];
    snprintf(where, sizeof where, "train: after epoch %d", epoch);
    return nn_graph_check_params(g, where, err);
}
