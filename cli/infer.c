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

void expected_value(const nn_real *p, int K, const double *values, double *mean, double *sd) {
    double mu = 0, var = 0;
    for (int k = 0; k < K; k++) mu += (values ? values[k] : k) * (double)p[k];
    for (int k = 0; k < K; k++) {
        double dev = (values ? values[k] : k) - mu;
        var += (double)p[k] * dev * dev;
    }
    *mean = mu;
    *sd = sqrt(var);
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
