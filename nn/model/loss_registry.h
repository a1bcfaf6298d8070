/* loss_registry.h — what a loss's builder is given and must report (not
 * installed; the table itself, nn_loss_info and nn_loss_setting, are in
 * nn/model.h).
 *
 * Adding a loss
 * -------------
 *   1. losses/NAME.c: the node (forward, backward quoting the forward line,
 *      a derivation in docs/losses.md) and its public builder, declared in
 *      nn/losses.h.
 *   2. nn/model/loss_registry.c: one entry in `losses[]` — its name, head,
 *      needs, the keys of the settings it reads, one line of help, its
 *      builder — and, for a new setting, one entry in `settings[]` (key,
 *      metavar, default, range, help). Nothing else: the model file, the
 *      checkpoint, nn_arch_defaults, the nn program's options, --help, the
 *      run description and the "setting of another loss" check loop over
 *      the tables. A new setting is read by key (nn_arch_set, a.setting[i]).
 *   3. tests/test_losses_NAME.c: finite differences, both gradient modes,
 *      golden values; tests/test_loss_registry.c checks every entry builds,
 *      saves and loads.
 *
 * A builder
 * ---------
 * receives the graph, the model's last hidden node (B, H) — the input itself
 * for an architecture without hidden layers — and the class count K, and
 * builds the head on it and, when b->with_loss, the loss. It fills:
 *   logits   the head's raw output: for a softmax head the logits (B, K)
 *   probs    class probabilities (B, K) at T = 1: what the model predicts,
 *            and what E[X], the metrics and `nn predict` read
 *   loss     the (first) loss node; -1 without a loss
 *   targets  an nn_input the loss reads per sample (teacher logits, soft
 *            labels), or -1
 * Its parameters are created through nn_loss_head_dense (saved as the last
 * "dense{i}" layer, whose width entry->head_width gives). Errors are graph
 * errors (nn_graph_fail), reported by nn_graph_compile.
 */
#ifndef NN_LOSS_REGISTRY_H
#define NN_LOSS_REGISTRY_H

#include "nn/nn.h"

struct nn_loss_build {
    nn_graph      *g;
    const nn_arch *arch;      /* the settings: arch->setting[], arch->temperature … */
    int            hidden;    /* (B, H) the last hidden node */
    int            n_classes; /* K */
    int            labels;    /* (B) class ids in 0..K−1 */
    const double  *values;    /* (K) category values, NULL: 0..K−1 */
    nn_loss_options options;  /* reduction mean, arch->grad's mode */
    int            with_loss; /* 0: the head only (inference) */
    /* what the builder fills */
    int logits, probs, loss, targets;
    int dense; /* the head's dense layer (set by nn_loss_head_dense) */
};

/* The head's dense layer on b->hidden, `width` outputs, Xavier initialised:
 * saved and loaded as the architecture's last dense layer. */
int nn_loss_head_dense(nn_loss_build *b, int width);

/* The value of setting `key` of the loss being built (must be one it reads). */
double nn_loss_setting_value(const nn_loss_build *b, const char *key);

#endif
