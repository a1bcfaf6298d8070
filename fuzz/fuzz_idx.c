/* fuzz_idx.c — libFuzzer target for the IDX reader (nn/data/idx.c).
 *
 * Input layout: a 2-byte big-endian length L, then L bytes of the image file,
 * then the label file (L is clamped to what is there). Either file may be
 * gzipped or plain, as nn_load_idx accepts both. On success the dataset's
 * invariants are checked and every byte is read, so ASan sees any buffer
 * that is shorter than the header promised.
 */
#include "memfile.h"
#include "nn/nn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t split = (size_t)data[0] << 8 | data[1];
    data += 2, size -= 2;
    if (split > size) split = size;
    memfile images, labels;
    memfile_open(&images, data, split);
    memfile_open(&labels, data + split, size - split);

    nn_dataset d;
    nn_error err;
    nn_status st = nn_load_idx(&d, images.path, labels.path, &err);
    if (st == NN_OK) {
        if (d.n < 1 || d.n_features < 1 || d.n_classes < 1 || !d.x_u8 || !d.labels) abort();
        unsigned sum = 0;
        for (size_t i = 0; i < (size_t)d.n * (size_t)d.n_features; i++) sum += d.x_u8[i];
        for (int i = 0; i < d.n; i++)
            if (d.labels[i] < 0 || d.labels[i] >= d.n_classes) abort();
        volatile unsigned sink = sum; /* keeps the reads */
        (void)sink;
        nn_dataset_free(&d);
    } else if (err.code != st || err.msg[0] == '\0') {
        abort(); /* every failure must say why */
    }
    memfile_close(&images);
    memfile_close(&labels);
    return 0;
}
