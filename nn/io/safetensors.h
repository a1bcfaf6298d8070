/* safetensors.h — the safetensors file layout (internal, not installed).
 *
 *   bytes 0..8      N, the header length, unsigned 64-bit little-endian
 *   bytes 8..8+N    a JSON object: "__metadata__": {string: string}, and per
 *                   tensor  "name": {"dtype": "F32", "shape": [..],
 *                                    "data_offsets": [begin, end]}
 *                   (offsets relative to the data; padded with spaces)
 *   bytes 8+N..     the data: every tensor's elements, row-major, LE
 *
 * The reader checks everything before it hands out a byte: the header length
 * against the file size, the JSON, each dtype, shape and offset range, that
 * byte counts match shapes, that no two tensors overlap and that the data
 * has no bytes that belong to no tensor.
 */
#ifndef NN_SAFETENSORS_H
#define NN_SAFETENSORS_H

#include "nn/graph_internal.h"
#include "nn/io/json.h"

#define NN_ST_MAX_DIMS 8

typedef struct {
    const char *name;            /* into the parsed header */
    int         elem_size;       /* 4 (F32) or 8 (F64) */
    int         ndim;
    uint64_t    shape[NN_ST_MAX_DIMS];
    uint64_t    count;           /* product of shape */
    const unsigned char *data;   /* count * elem_size bytes, into the file buffer */
} nn_st_tensor;

typedef struct {
    const char    *path;
    char          *buf;          /* the whole file */
    size_t         len;
    nn_json       *header;
    const nn_json *metadata;     /* object of strings, or NULL */
    nn_st_tensor  *tensors;      /* (n_tensors) in header order */
    int            n_tensors;
} nn_st_file;

nn_status nn_st_read(nn_st_file *f, const char *path, nn_error *err);
void      nn_st_close(nn_st_file *f);

const nn_st_tensor *nn_st_find(const nn_st_file *f, const char *name);
const char         *nn_st_meta(const nn_st_file *f, const char *key); /* or NULL */

/* Checks that tensor `name` exists with shape (d0) or (d0, d1) (d1 = 0 for
 * one dimension). */
nn_status nn_st_expect(const nn_st_file *f, const char *name, uint64_t d0, uint64_t d1,
                       nn_error *err);

/* nn_st_expect, then copies the tensor into dst as nn_real; non-finite
 * values are an error naming the tensor and index. */
nn_status nn_st_get(const nn_st_file *f, const char *name, uint64_t d0, uint64_t d1, nn_real *dst,
                    nn_error *err);

/* One tensor to write: count = d0 · max(d1, 1) values; d1 = 0 for 1-D. */
typedef struct {
    char           name[64];
    const nn_real *data;
    uint64_t       d0, d1;
} nn_st_out;

/* Writes the tensors (dtype F32, or F64 when nn_real is double) and the
 * metadata (pairs key, value; n_meta of them) to path, atomically. */
nn_status nn_st_write(const char *path, const nn_st_out *t, int n, const char *const (*meta)[2],
                      int n_meta, nn_error *err);

#endif
