/* fuzz_model.c — libFuzzer target for model files (nn/io/safetensors.c, the JSON
 * header parser and nn/io/model_file.c): the 8-byte header length, the JSON
 * header with its dtypes, shapes and offsets, the __metadata__ that rebuilds
 * the architecture, and the tensor data.
 *
 * The whole input is the file. On success the model's parameters must be
 * finite, and a forward pass on a zero row must either give finite
 * probabilities or be explained by nn_graph_check_forward.
 */
#include "memfile.h"

#include <math.h>
#include <string.h>

#include "nn/nn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    memfile f;
    memfile_open(&f, data, size);
    nn_model m;
    nn_error err = {0};
    nn_status st = nn_model_load(&m, f.path, 2, 0, &err);
    if (st == NN_OK) {
        nn_error verr;
        if (nn_graph_check_params(m.g, "fuzz", &verr) != NN_OK) {
            fprintf(stderr, "loader accepted a non-finite model: %s\n", verr.msg);
            abort();
        }
        nn_real *x = nn_input_data(m.g, m.x);
        for (int j = 0; j < nn_node_width(m.g, m.x); j++) x[j] = 0;
        double loss = nn_graph_forward(m.g, 1);
        (void)loss;
        /* Finite weights may still overflow (1e35 · 1e22): then the
         * non-finite locator must name the node where it happened. */
        const nn_real *p = nn_output(m.g, m.probs);
        if (!nn_all_finite(p, (size_t)nn_node_width(m.g, m.probs))) {
            nn_error ferr = {0};
            if (nn_graph_check_forward(m.g, 1, NAN, "fuzz", &ferr) != NN_ERR_NUMERIC ||
                !strstr(ferr.msg, "at node")) {
                fprintf(stderr, "non-finite output not located: %s\n", ferr.msg);
                abort();
            }
        }
        nn_model_free(&m);
    } else if (err.code != st || err.msg[0] == '\0') {
        abort();
    }
    memfile_close(&f);
    return 0;
}
