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
 *      needs, the keys of the settings it reads, one line of help, the rule
 *      its classes are read with (argmax unless ordinal), its builder — and,
 *      for a new setting, one entry in `settings[]` (key,
 *      metavar, default, range, help). Nothing else: the model file, the
 *      checkpoint, nn_arch_defaults, the nn program's options, --help, the
 *      run description and the "setting of another loss" check loop over
 *      the tables, and so do nn eval / nn predict for the rule. A new
 *      setting is read by key (nn_loss_setting_value, nn_arch_set).
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
 * Every parameter it creates is named for the model file: a dense layer made
 * with nn_loss_head_dense is saved as the architecture's last "dense{i}"
 * (any width: K for a softmax, K − 1 for CORN, 1 for a score); any other
 * parameter node is declared with nn_loss_head_tensor ("coral.bias" …). A
 * parameter left undeclared is an error. Errors of the layers themselves
 * are graph errors (nn_graph_fail), reported by nn_graph_compile.
 *
 * A head that is not a softmax, e.g. CORAL's K − 1 logits sharing one
 * weight vector:
 *
 *     static void build_coral(nn_loss_build *b) {
 *         int H = nn_node_width(b->g, b->hidden);
 *         b->logits = nn_coral_head(b->g, b->hidden, b->n_classes, NN_INIT_XAVIER);
 *         nn_loss_head_tensor(b, b->logits, "coral.weight", 1, (uint64_t)H);
 *         nn_loss_head_tensor(b, b->logits, "coral.bias", (uint64_t)b->n_classes - 1, 0);
 *         b->probs = nn_ordinal_probs(b->g, b->logits, NN_ORDINAL_CUMULATIVE); // (B, K)
 *         if (b->with_loss) b->loss = nn_coral_loss(b->g, b->logits, b->labels, &b->options);
 *     }
 *
 * and a cumulative-link head on a dense score:
 *     int s = nn_loss_head_dense(b, b->hidden, 1);             // saved as dense{L-1}
 *     b->logits = nn_clm_thresholds(b->g, s, b->n_classes);    // (B, K − 1)
 *     nn_loss_head_tensor(b, b->logits, "thresholds", (uint64_t)b->n_classes - 1, 0);
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
    int            layer;     /* index of the head's dense layer: "dense{layer}" */
    /* what the builder fills */
    int logits, probs, loss, targets;
    int dense;                /* the head's dense layer, or -1 (nn_loss_head_dense) */
    int n_tensors;            /* the head's parameter tensors (nn_loss_head_tensor) */
    nn_model_tensor tensors[4];
};

/* A dense layer of `width` outputs on `x` (b->hidden for the usual head),
 * Xavier initialised, saved as the architecture's last dense layer. */
int nn_loss_head_dense(nn_loss_build *b, int x, int width);

/* Declares the next parameter tensor of `node` (shape (d0, d1), or (d0)
 * with d1 = 0), saved as `name`: a node's tensors are declared in the order
 * its parameters are laid out. */
void nn_loss_head_tensor(nn_loss_build *b, int node, const char *name, uint64_t d0, uint64_t d1);

/* The value of setting `key` of the loss being built (must be one it reads). */
double nn_loss_setting_value(const nn_loss_build *b, const char *key);

#endif
