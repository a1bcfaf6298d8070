/* model_loss.c — the losses an architecture can name, and how each one is
 * attached to the model's graph. One table; a loss that is not in it is an
 * error, never a silent substitute.
 *
 * Each builder adds the prediction node m->probs (softmax of m->logits at
 * T = 1, the same function an inference graph computes), any target input
 * m->targets the loss reads, and returns the (first) loss node. Category
 * values come from the model's description (NULL: 0..K−1). */
#include <stdlib.h>
#include <string.h>

#include "nn/model/model_internal.h"

typedef int (*loss_builder)(nn_model *m, const nn_loss_options *o);

static int width(const nn_model *m) { return nn_node_width(m->g, m->logits); }

/* ce: cross-entropy of the softmax against the hard labels. */
static int build_ce(nn_model *m, const nn_loss_options *o) {
    m->probs = nn_softmax(m->g, m->logits, 1.0);
    return nn_cross_entropy(m->g, m->probs, m->labels, o);
}

/* kl: KL(softmax(t/T) ‖ softmax(z/T)) against teacher logits t, scaled by T²
 * so its gradient does not shrink as T grows (Hinton et al., 2015): the soft
 * half of distillation on its own. */
static int build_kl(nn_model *m, const nn_loss_options *o) {
    m->targets = nn_input(m->g, width(m));                          /* (B, K) teacher logits */
    int soft = nn_softmax(m->g, m->logits, m->arch.temperature);    /* (B, K) */
    nn_kl_options ko = nn_kl_defaults();
    ko.target_temperature = m->arch.temperature;
    ko.scale_t2 = 1;
    int loss = nn_kl_div(m->g, soft, m->targets, &ko, o);
    m->probs = nn_softmax(m->g, m->logits, 1.0);                    /* (B, K) */
    return loss;
}

/* distill: α·T²·KL(softmax(t/T) ‖ softmax(z/T)) + (1 − α)·CE(y, softmax(z)). */
static int build_distill(nn_model *m, const nn_loss_options *o) {
    m->targets = nn_input(m->g, width(m)); /* (B, K) teacher logits */
    nn_distill_options d = {.alpha = m->arch.alpha, .temperature = m->arch.temperature};
    nn_distill_nodes dn;
    int loss = nn_distillation(m->g, m->logits, m->targets, m->labels, &d, o, &dn);
    m->probs = dn.probs;
    return loss;
}

/* ev-sq, ev-abs: ½(μ − v_y)² and |μ − v_y| on μ = Σ v_i p_i. */
static int build_ev_sq(nn_model *m, const nn_loss_options *o) {
    m->probs = nn_softmax(m->g, m->logits, 1.0);
    return nn_ev_squared(m->g, m->probs, m->labels, m->data.values, o);
}

static int build_ev_abs(nn_model *m, const nn_loss_options *o) {
    m->probs = nn_softmax(m->g, m->logits, 1.0);
    return nn_ev_absolute(m->g, m->probs, m->labels, m->data.values, o);
}

/* mean-variance: CE + λ₁·½(μ − v_y)² + λ₂·σ². */
static int build_mean_variance(nn_model *m, const nn_loss_options *o) {
    m->probs = nn_softmax(m->g, m->logits, 1.0);
    nn_mean_variance_options mo = {.lambda1 = m->arch.lambda1, .lambda2 = m->arch.lambda2,
                                   .values = m->data.values};
    nn_mean_variance_nodes nodes;
    return nn_mean_variance(m->g, m->probs, m->labels, &mo, o, &nodes);
}

/* sord, dldl: cross-entropy against soft targets (B, K) made from the labels
 * by nn_model_prepare_targets. */
static int build_soft_ce(nn_model *m, const nn_loss_options *o) {
    m->targets = nn_input(m->g, width(m)); /* (B, K) target distributions */
    m->probs = nn_softmax(m->g, m->logits, 1.0);
    return nn_cross_entropy_ex(m->g, m->probs, m->targets, NULL, o);
}

/* name, builder — the one list of losses. */
#define NN_LOSS_TABLE(X)                                                                   \
    X("ce", build_ce) X("kl", build_kl) X("distill", build_distill) X("ev-sq", build_ev_sq) \
    X("ev-abs", build_ev_abs) X("mean-variance", build_mean_variance)                        \
    X("sord", build_soft_ce) X("dldl", build_soft_ce)

#define LOSS_NAME(name, fn) name,
#define LOSS_FN(name, fn) fn,
static const char *const loss_names[] = {NN_LOSS_TABLE(LOSS_NAME) NULL};
static const loss_builder loss_builders[] = {NN_LOSS_TABLE(LOSS_FN)};
#define N_LOSSES (sizeof loss_builders / sizeof *loss_builders)

const char *const *nn_loss_kinds(void) { return loss_names; }

nn_status nn_model_add_loss(nn_model *m, nn_error *err) {
    nn_loss_options o = nn_loss_defaults();
    o.mode = m->arch.grad;
    for (size_t i = 0; i < N_LOSSES; i++)
        if (strcmp(loss_names[i], m->arch.loss) == 0) {
            m->loss = loss_builders[i](m, &o);
            return NN_OK; /* a builder error surfaces at compile */
        }
    char have[256] = "";
    for (size_t i = 0; i < N_LOSSES; i++) {
        strncat(have, i ? ", " : "", sizeof have - strlen(have) - 1);
        strncat(have, loss_names[i], sizeof have - strlen(have) - 1);
    }
    return nn_set_error(err, NN_ERR_ARG, "unknown loss '%s' (this build has: %s)", m->arch.loss, have);
}

nn_status nn_model_prepare_targets(const nn_model *m, nn_dataset *d, nn_error *err) {
    const char *loss = m->arch.loss;
    int sord = strcmp(loss, "sord") == 0, dldl = strcmp(loss, "dldl") == 0;
    if (!strcmp(loss, "kl") || !strcmp(loss, "distill")) {
        if (d->targets && d->target_width == width(m)) return NN_OK;
        return nn_set_error(err, NN_ERR_ARG, "loss %s needs a teacher's logits as targets", loss);
    }
    if (!sord && !dldl) return NN_OK;
    int K = width(m);
    double *y = malloc((size_t)(d->n ? d->n : 1) * sizeof *y);
    nn_real *t = malloc((size_t)(d->n ? d->n : 1) * K * sizeof *t);
    nn_status st = NN_OK;
    if (!y || !t) st = nn_set_error(err, NN_ERR_NOMEM, "%s targets: out of memory", loss);
    for (int i = 0; !st && i < d->n; i++) {
        int c = d->labels[i];
        if (c < 0 || c >= K) st = nn_set_error(err, NN_ERR_ARG, "%s targets: label %d of row %d is not a class", loss, c, i);
        else y[i] = m->data.values ? m->data.values[c] : c;
    }
    if (!st)
        st = sord ? nn_sord_targets(t, y, d->n, K, m->data.values, NN_SORD_SQUARED, m->arch.sord_scale, err)
                  : nn_dldl_targets(t, y, d->n, K, m->data.values, m->arch.sigma, err);
    free(y);
    if (st) {
        free(t);
        return st;
    }
    free(d->targets);
    d->targets = t;
    d->target_width = K;
    return NN_OK;
}
