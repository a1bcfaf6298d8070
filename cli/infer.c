/* infer.c — batched inference and small output helpers shared by eval,
 * predict and trace. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "infer.h"
#include "nn/io/json.h"

nn_real *infer_probs(nn_model *m, const nn_dataset *d) {
    int K = m->arch.sizes[m->arch.n_sizes - 1];
    nn_real *probs = malloc((size_t)(d->n ? d->n : 1) * K * sizeof *probs);
    nn_error err;
    if (probs && nn_model_run(m, d, m->probs, probs, &err)) {
        free(probs);
        return NULL;
    }
    return probs;
}

int model_is_ordinal(const nn_model *m) {
    const nn_loss_info *l = nn_loss_find(m->arch.loss);
    return (l && l->rule != NN_RULE_ARGMAX) || m->data.values != NULL;
}

/* `name`, else the rule the model file records, else the loss's own (its
 * registry entry): E[X] for the losses trained on it, the median for
 * distribution losses, the rank rule for CORAL and CORN, the argmax for the
 * rest. */
int model_rule(const nn_model *m, const char *name) {
    if (name) return nn_predict_rule_parse(name);
    if (m->arch.rule[0]) return nn_predict_rule_parse(m->arch.rule);
    const nn_loss_info *l = nn_loss_find(m->arch.loss);
    return l ? (int)l->rule : NN_RULE_ARGMAX;
}

int infer_rank(nn_model *m, const nn_dataset *d, int32_t *rank) {
    int kind = nn_ordinal_probs_kind(m->g, m->probs);
    if (kind < 0) return 0;
    int z = nn_node_input(m->g, m->probs, 0), M = nn_node_width(m->g, z); /* (B, K − 1) */
    nn_real *logits = malloc((size_t)(d->n ? d->n : 1) * M * sizeof *logits);
    nn_error err;
    if (!logits || nn_model_run(m, d, z, logits, &err)) {
        free(logits);
        return -1;
    }
    for (int i = 0; i < d->n; i++)
        rank[i] = nn_ordinal_rank_row(logits + (size_t)i * M, M + 1, (nn_ordinal_logits)kind);
    free(logits);
    return 1;
}

int infer_ordinal_scores(nn_model *m, const nn_dataset *d, double *mae, double *qwk) {
    int K = m->arch.sizes[m->arch.n_sizes - 1];
    nn_real *probs = infer_probs(m, d);
    int32_t *pred = malloc((size_t)(d->n ? d->n : 1) * sizeof *pred);
    int ok = probs && pred;
    if (ok) {
        nn_predict_rule rule = (nn_predict_rule)model_rule(m, NULL);
        int from_logits = rule == NN_RULE_RANK ? infer_rank(m, d, pred) : 0;
        if (from_logits == 0) nn_predict_classes(pred, probs, d->n, K, m->data.values, rule);
        ok = from_logits >= 0;
        *mae = nn_mae_expected(probs, d->labels, d->n, K, m->data.values);
        *qwk = nn_quadratic_weighted_kappa(pred, d->labels, d->n, K);
    }
    free(probs), free(pred);
    return ok;
}

const char *class_name(const nn_model *m, int k, char *buf, size_t len) {
    if (m->data.label_names) return m->data.label_names[k];
    if (m->data.values) snprintf(buf, len, "%g", m->data.values[k]);
    else snprintf(buf, len, "%d", k);
    return buf;
}

void json_string(FILE *f, const char *s) {
    nn_buf b = {0};
    nn_buf_json_string(&b, s);
    if (b.failed) fputs("\"\"", f); /* out of memory */
    else fwrite(b.data, 1, b.len, f);
    nn_buf_free(&b);
}
