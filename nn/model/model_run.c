/* model_run.c — a model over a whole dataset, in batches of its graph's
 * max_batch, with the model's own standardisation. */
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h"

nn_status nn_model_run(nn_model *m, const nn_dataset *d, int node, nn_real *out, nn_error *err) {
    int F = m->arch.sizes[0], B = nn_graph_max_batch(m->g), W = nn_node_width(m->g, node);
    if (W < 1) return nn_set_error(err, NN_ERR_ARG, "model run: node %d does not exist", node);
    if (d->n_features != F)
        return nn_set_error(err, NN_ERR_SHAPE, "model run: the data have %d features, the model takes %d",
                            d->n_features, F);
    nn_dataset view = *d; /* the same rows, the model's standardisation; owns nothing */
    view.feature_mean = m->data.feature_mean;
    view.feature_std = m->data.feature_std;
    int *idx = malloc((size_t)B * sizeof *idx);
    if (!idx) return nn_set_error(err, NN_ERR_NOMEM, "model run: out of memory");
    int was_training = m->g->training;
    nn_graph_set_training(m->g, 0);
    for (int start = 0; start < d->n; start += B) {
        int n = d->n - start < B ? d->n - start : B;
        for (int i = 0; i < n; i++) idx[i] = start + i;
        nn_dataset_gather(&view, idx, n, nn_input_data(m->g, m->x), NULL);
        if (m->loss >= 0) memset(nn_label_data(m->g, m->labels), 0, (size_t)n * sizeof(int32_t));
        nn_graph_forward(m->g, n); /* a loss may complain about its inputs; outputs are set */
        memcpy(out + (size_t)start * W, nn_output(m->g, node), (size_t)n * W * sizeof *out);
    }
    nn_graph_set_training(m->g, was_training);
    free(idx);
    return NN_OK;
}
