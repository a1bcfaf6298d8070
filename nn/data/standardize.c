/* standardize.c — per-feature standardisation x -> (x − mean) / std.
 *
 * The statistics are computed on the training part only and then copied to
 * the validation and test data (and stored with the model), so no
 * information from held-out data leaks into training.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/data_internal.h"

static double value_at(const nn_dataset *d, size_t i) {
    return d->x_u8 ? d->x_u8[i] * d->x_scale : (double)d->x_real[i];
}

nn_status nn_dataset_fit_standardization(nn_dataset *d, nn_error *err) {
    if (d->n < 1) return nn_set_error(err, NN_ERR_ARG, "standardise: the dataset is empty");
    size_t F = (size_t)d->n_features;
    double *mean = calloc(F, sizeof *mean), *sd = calloc(F, sizeof *sd);
    if (!mean || !sd) {
        free(mean);
        free(sd);
        return nn_set_error(err, NN_ERR_NOMEM, "standardise: out of memory");
    }
    /* Two passes (mean, then squared deviations): no cancellation. */
    for (size_t r = 0; r < (size_t)d->n; r++)
        for (size_t j = 0; j < F; j++) mean[j] += value_at(d, r * F + j);
    for (size_t j = 0; j < F; j++) mean[j] /= d->n;
    for (size_t r = 0; r < (size_t)d->n; r++)
        for (size_t j = 0; j < F; j++) {
            double dev = value_at(d, r * F + j) - mean[j];
            sd[j] += dev * dev;
        }
    for (size_t j = 0; j < F; j++) {
        sd[j] = sqrt(sd[j] / d->n); /* population std, as sklearn's StandardScaler */
        if (!(sd[j] >= NN_STD_MIN)) sd[j] = 1.0;
    }
    nn_status st = nn_dataset_set_standardization(d, mean, sd, err);
    free(mean);
    free(sd);
    return st;
}

nn_status nn_dataset_set_standardization(nn_dataset *d, const double *mean, const double *std,
                                         nn_error *err) {
    if (!mean != !std)
        return nn_set_error(err, NN_ERR_ARG, "standardise: give both mean and std, or neither");
    double *m = NULL, *s = NULL;
    if (mean) {
        size_t F = (size_t)d->n_features;
        for (size_t j = 0; j < F; j++)
            if (!isfinite(mean[j]) || !(std[j] > 0) || !isfinite(std[j]))
                return nn_set_error(err, NN_ERR_NUMERIC,
                                    "standardise: feature %zu has mean %g and std %g "
                                    "(need finite values, std > 0)",
                                    j, mean[j], std[j]);
        m = malloc(F * sizeof *m);
        s = malloc(F * sizeof *s);
        if (!m || !s) {
            free(m);
            free(s);
            return nn_set_error(err, NN_ERR_NOMEM, "standardise: out of memory");
        }
        memcpy(m, mean, F * sizeof *m);
        memcpy(s, std, F * sizeof *s);
    }
    free(d->feature_mean);
    free(d->feature_std);
    d->feature_mean = m;
    d->feature_std = s;
    return NN_OK;
}
