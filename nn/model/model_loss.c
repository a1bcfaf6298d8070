/* model_loss.c — the head and loss of a model, from its entry in the loss
 * registry (nn/model/loss_registry.c), and the per-sample targets some
 * losses make from the labels. A loss that is not in the registry is an
 * error naming it, never a silent substitute. */
#include <stdlib.h>
#include <string.h>

#include "nn/model/loss_registry.h"
#include "nn/model/model_internal.h"

/* "ce, kl, …": the names this build has, for error messages. */
static void loss_names(char *have, size_t len) {
    have[0] = '\0';
    for (int i = 0; nn_losses(i); i++) {
        strncat(have, i ? ", " : "", len - strlen(have) - 1);
        strncat(have, nn_losses(i)->name, len - strlen(have) - 1);
    }
}

const nn_loss_info *nn_model_loss_entry(const nn_arch *a, nn_error *err) {
    const nn_loss_info *l = nn_loss_find(a->loss);
    if (!l) {
        char have[256];
        loss_names(have, sizeof have);
        nn_set_error(err, NN_ERR_ARG, "unknown loss '%s' (this build has: %s)", a->loss, have);
        return NULL;
    }
    for (int i = 0; l->settings[i]; i++) {
        int k = nn_loss_setting_index(l->settings[i]);
        nn_arch copy = *a;
        nn_error why;
        if (nn_arch_set(&copy, l->settings[i], a->setting[k], &why)) {
            nn_set_error(err, NN_ERR_ARG, "loss %s: %s", l->name, why.msg);
            return NULL;
        }
    }
    return l;
}

nn_status nn_model_add_head(nn_model *m, const nn_loss_info *l, int hidden, int with_loss,
                            nn_error *err) {
    int K = m->arch.sizes[m->arch.n_sizes - 1];
    nn_loss_build b = {.g = m->g, .arch = &m->arch, .hidden = hidden, .n_classes = K,
                       .labels = m->labels, .values = m->data.values,
                       .options = nn_loss_defaults(), .with_loss = with_loss,
                       .layer = m->arch.n_sizes - 2, .logits = -1, .probs = -1, .loss = -1,
                       .targets = -1, .dense = -1};
    b.options.mode = m->arch.grad;
    l->build(&b);
    if (nn_graph_error(m->g)) return NN_OK; /* a builder error surfaces at compile */
    if (b.probs < 0 || nn_node_width(m->g, b.probs) != K || (with_loss && b.loss < 0))
        return nn_set_error(err, NN_ERR_ARG, "loss %s: its builder made no %s", l->name,
                            b.probs < 0 || nn_node_width(m->g, b.probs) != K
                                ? "class probabilities (B, K)" : "loss");
    if (b.dense >= 0) m->dense[m->n_dense++] = b.dense;
    for (int i = 0; i < b.n_tensors; i++) m->tensors[m->n_tensors++] = b.tensors[i];
    m->logits = b.logits;
    m->probs = b.probs;
    m->loss = b.loss;
    m->targets = b.targets;
    return NN_OK;
}

nn_status nn_model_prepare_targets(const nn_model *m, nn_dataset *d, nn_error *err) {
    const nn_loss_info *l = nn_loss_find(m->arch.loss);
    int K = m->arch.sizes[m->arch.n_sizes - 1];
    if (l && (l->needs & NN_LOSS_TEACHER)) {
        if (d->targets && d->target_width == K) return NN_OK;
        return nn_set_error(err, NN_ERR_ARG, "loss %s needs a teacher's logits as targets", l->name);
    }
    if (!l || !l->targets) return NN_OK;
    double *y = malloc((size_t)(d->n ? d->n : 1) * sizeof *y);
    nn_real *t = malloc((size_t)(d->n ? d->n : 1) * K * sizeof *t);
    nn_status st = NN_OK;
    if (!y || !t) st = nn_set_error(err, NN_ERR_NOMEM, "%s targets: out of memory", l->name);
    for (int i = 0; !st && i < d->n; i++) {
        int c = d->labels[i];
        if (c < 0 || c >= K) st = nn_set_error(err, NN_ERR_ARG, "%s targets: label %d of row %d is not a class", l->name, c, i);
        else y[i] = m->data.values ? m->data.values[c] : c;
    }
    if (!st) st = l->targets(&m->arch, m->data.values, y, d->n, K, t, err);
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
