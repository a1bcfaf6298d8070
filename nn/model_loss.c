/* model_loss.c — the losses an architecture can name, and how each one is
 * attached to the model's graph. One table; a loss that is not in it is an
 * error, never a silent substitute. */
#include <string.h>

#include "model_internal.h"

typedef int (*loss_builder)(nn_model *m, const nn_loss_options *o);

/* Each builder adds the prediction node m->probs (softmax of m->logits at
 * T = 1, the same function an inference graph computes), any target input
 * m->targets the loss reads, and returns the (first) loss node. */

/* ce: cross-entropy of the softmax against the hard labels. */
static int build_ce(nn_model *m, const nn_loss_options *o) {
    m->probs = nn_softmax(m->g, m->logits, 1.0);
    return nn_cross_entropy(m->g, m->probs, m->labels, o);
}

/* kl: KL(softmax(t/T) ‖ softmax(z/T)) against teacher logits t, scaled by T²
 * so its gradient does not shrink as T grows (Hinton et al., 2015): the soft
 * half of distillation on its own. */
static int build_kl(nn_model *m, const nn_loss_options *o) {
    int K = nn_node_width(m->g, m->logits);
    m->targets = nn_input(m->g, K);                                   /* (B, K) teacher logits */
    int soft = nn_softmax(m->g, m->logits, m->arch.temperature);      /* (B, K) */
    nn_kl_options ko = nn_kl_defaults();
    ko.target_temperature = m->arch.temperature;
    ko.scale_t2 = 1;
    int loss = nn_kl_div(m->g, soft, m->targets, &ko, o);
    m->probs = nn_softmax(m->g, m->logits, 1.0);                      /* (B, K) */
    return loss;
}

/* distill: α·T²·KL(softmax(t/T) ‖ softmax(z/T)) + (1 − α)·CE(y, softmax(z)). */
static int build_distill(nn_model *m, const nn_loss_options *o) {
    int K = nn_node_width(m->g, m->logits);
    m->targets = nn_input(m->g, K); /* (B, K) teacher logits */
    nn_distill_options d = {.alpha = m->arch.alpha, .temperature = m->arch.temperature};
    nn_distill_nodes dn;
    int loss = nn_distillation(m->g, m->logits, m->targets, m->labels, &d, o, &dn);
    m->probs = dn.probs;
    return loss;
}

/* name, builder — the one list of losses. */
#define NN_LOSS_TABLE(X) X("ce", build_ce) X("kl", build_kl) X("distill", build_distill)

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
