/* fuzz_csv.c — libFuzzer target for the CSV loader (nn/data/csv.c).
 *
 * Input layout: one option byte, then the file. The option byte picks the
 * delimiter (',' ';' '\t'), whether a label column is read, and whether the
 * label is named ("label") or the last column. On success the dataset must
 * pass nn_dataset_validate — every feature finite, every label a class — and
 * every value is read so ASan sees a short buffer.
 */
#include "memfile.h"
#include "nn/nn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char delimiters[4] = {',', ';', '\t', ','};
    nn_csv_options o = {.delimiter = delimiters[data[0] & 3],
                        .no_label = (data[0] >> 2) & 1,
                        .label = (data[0] >> 3) & 1 ? "label" : NULL};
    memfile f;
    memfile_open(&f, data + 1, size - 1);
    nn_dataset d;
    nn_error err = {0};
    nn_status st = nn_load_csv(&d, f.path, &o, &err);
    if (st == NN_OK) {
        nn_error verr;
        if (nn_dataset_validate(&d, "fuzz", &verr) != NN_OK) {
            fprintf(stderr, "loader accepted invalid data: %s\n", verr.msg);
            abort();
        }
        double sum = 0;
        for (size_t i = 0; i < (size_t)d.n * (size_t)d.n_features; i++) sum += d.x_real[i];
        volatile double sink = sum; /* keeps the reads */
        (void)sink;
        nn_dataset_free(&d);
    } else if (err.code != st || err.msg[0] == '\0') {
        abort(); /* every failure must say why */
    }
    memfile_close(&f);
    return 0;
}
