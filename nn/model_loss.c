/* model_loss.c — the losses an architecture can name, and how each one is
 * attached to the model's graph. One table; a loss that is not in it is an
 * error, never a silent substitute. */
#include <string.h>

#include "model_internal.h"

typedef int (*loss_builder)(nn_model *m, const nn_loss_options *o);

/* ce: cross-entropy of the softmax against the hard labels. */
static int build_ce(nn_model *m, const nn_loss_options *o) {
    return nn_cross_entropy(m->g, m->probs, m->labels, o);
}

/* name, builder — the one list of losses. */
#define NN_LOSS_TABLE(X) X("ce", build_ce)

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
