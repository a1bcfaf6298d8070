/* class_weights.c — class weights that balance a dataset's classes, as
 * scikit-learn's compute_class_weight("balanced"): w_k = n / (K · n_k). */
#include <stdlib.h>

#include "nn/nn.h"

nn_status nn_class_weights_balanced(const nn_dataset *d, double *w, nn_error *err) {
    int K = d->n_classes;
    if (K < 1 || d->n < 1) return nn_set_error(err, NN_ERR_ARG, "class weights: the data are empty");
    long *count = calloc((size_t)K, sizeof *count);
    if (!count) return nn_set_error(err, NN_ERR_NOMEM, "class weights: out of memory");
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] >= 0 && d->labels[i] < K) count[d->labels[i]]++;
    nn_status st = NN_OK;
    for (int k = 0; k < K && !st; k++) {
        if (count[k] == 0)
            st = nn_set_error(err, NN_ERR_ARG, "class weights: class %d%s%s%s has no samples to balance", k,
                              d->label_names ? " ('" : "", d->label_names ? d->label_names[k] : "",
                              d->label_names ? "')" : "");
        else
            w[k] = (double)d->n / ((double)K * (double)count[k]);
    }
    free(count);
    return st;
}
