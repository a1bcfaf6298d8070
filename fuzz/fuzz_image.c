/* fuzz_image.c — libFuzzer target for the image path (nn/data/images.c through
 * stb_image and stb_image_resize).
 *
 * stb_image's decoders are compiled into this target from the same Debian
 * header libstb is built from, so ASan and the coverage counters see inside
 * them; the library's calls to stbi_load resolve to this copy.
 *
 * Input layout: one option byte (target size and channels), then the file.
 */
#include "memfile.h" /* first: it needs _GNU_SOURCE before any libc header */

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Weverything"
/* Two UBSan checks are off inside stb_image (only): for a PNG whose first
 * IDAT chunk is empty, stbi__parse_png_file has stbi__getn copy 0 bytes to
 * z->idata + 0 while z->idata is still NULL — NULL + 0 (pointer-overflow)
 * and memcpy(NULL, src, 0) (nonnull-attribute) are undefined in C, but
 * nothing is read or written, Debian's build decodes such files correctly,
 * and an empty IDAT chunk is valid PNG, so it is nothing to refuse. A real
 * NULL access would still be a crash; ASan and the other UBSan checks still
 * see all of stb_image. */
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow", "nonnull-attribute"))), \
                             apply_to = function)
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#pragma clang attribute pop
#pragma clang diagnostic pop

#include "nn/data/image_guard.h"
#include "nn/nn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static const int sizes[4][2] = {{8, 8}, {3, 5}, {1, 1}, {16, 12}};
    int w = sizes[data[0] & 3][0], h = sizes[data[0] & 3][1], c = (data[0] >> 2) & 1 ? 3 : 1;
    /* Images over 2^20 pixels are valid up to the library's limit (2^24) but
     * take seconds to decode under ASan and reach no code a small one does
     * not: skip them, as stb's own fuzzer does. */
    int iw, ih, ic;
    char msg[NN_IMAGE_GUARD_MSG];
    if (!nn_image_guard(data + 1, size - 1, msg, sizeof msg) && /* stbi_info would meet stb #1291 too */
        stbi_info_from_memory(data + 1, (int)(size - 1), &iw, &ih, &ic) &&
        (long long)iw * ih > (1 << 20))
        return 0;
    memfile f;
    memfile_open(&f, data + 1, size - 1);
    nn_real x[16 * 12 * 3];
    nn_error err = {0};
    nn_status st = nn_load_image(x, f.path, w, h, c, &err);
    if (st == NN_OK) {
        for (int i = 0; i < w * h * c; i++)
            if (!(x[i] >= 0 && x[i] <= 1)) abort(); /* pixels scaled to [0, 1] */
    } else if (err.code != st || err.msg[0] == '\0') {
        abort();
    }
    memfile_close(&f);
    return 0;
}
