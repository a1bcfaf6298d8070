/* data_checksum.c — flipped bytes in a model's weights are detected.
 *
 * Every file nn_st_write writes records the CRC-32 of its data section (all
 * tensors' bytes, as stored) in __metadata__; a reader verifies it when it
 * is there, so files from before it was written still load. CRC-32 finds
 * every error of up to 32 consecutive bits and all but 1 in 2^32 others —
 * corruption on disk or in transfer, not tampering (anyone can rewrite it).
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "nn/io/data_checksum.h"

static unsigned long crc_of(const unsigned char *data, size_t len) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len > 0) { /* crc32 takes a uInt length */
        uInt n = len > (1u << 30) ? 1u << 30 : (uInt)len;
        crc = crc32(crc, data, n);
        data += n, len -= n;
    }
    return crc;
}

void nn_data_checksum(char *text, const unsigned char *data, size_t len) {
    snprintf(text, NN_DATA_CHECKSUM_TEXT, "crc32:%08lx", crc_of(data, len) & 0xFFFFFFFFul);
}

nn_status nn_data_checksum_verify(const char *path, const char *recorded, const unsigned char *data,
                                  size_t len, nn_error *err) {
    size_t n = strlen(recorded);
    int well_formed = n == 14 && strncmp(recorded, "crc32:", 6) == 0 &&
                      strspn(recorded + 6, "0123456789abcdef") == 8;
    if (!well_formed)
        return nn_set_error(err, NN_ERR_FORMAT,
                            "%s: __metadata__ '%s' is '%s', not crc32: and 8 hex digits", path,
                            NN_DATA_CHECKSUM_KEY, recorded);
    char actual[NN_DATA_CHECKSUM_TEXT];
    nn_data_checksum(actual, data, len);
    if (strcmp(actual, recorded) != 0)
        return nn_set_error(err, NN_ERR_FORMAT,
                            "%s: the tensor data are corrupt: their checksum is %s, the file "
                            "recorded %s", path, actual, recorded);
    return NN_OK;
}
