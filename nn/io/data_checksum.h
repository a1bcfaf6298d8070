/* data_checksum.h — the CRC-32 of a model file's tensor data, kept in its
 * __metadata__ as "data_checksum" (internal, not installed). */
#ifndef NN_DATA_CHECKSUM_H
#define NN_DATA_CHECKSUM_H

#include <stddef.h>

#include "nn/nn.h"

#define NN_DATA_CHECKSUM_KEY "data_checksum"

/* "crc32:" and 8 lowercase hex digits, the CRC-32 (zlib's, as in gzip and
 * PNG) of data[0..len), into text (at least NN_DATA_CHECKSUM_TEXT bytes). */
#define NN_DATA_CHECKSUM_TEXT 16
void nn_data_checksum(char *text, const unsigned char *data, size_t len);

/* Checks data[0..len) against the value `recorded` read from path's
 * metadata: NN_ERR_FORMAT if it is not a checksum nn writes or the data do
 * not match it. */
nn_status nn_data_checksum_verify(const char *path, const char *recorded, const unsigned char *data,
                                  size_t len, nn_error *err);

#endif
