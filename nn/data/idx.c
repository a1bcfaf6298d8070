/* idx.c — the IDX format of MNIST and Fashion-MNIST, gzipped or plain.
 *
 * Layout: a big-endian magic 0x0000TTDD (TT = 0x08 for unsigned bytes,
 * DD = number of dimensions), DD big-endian uint32 sizes, then the data.
 * Images are 3-D (n, rows, cols), labels 1-D (n). zlib's gzread reads both
 * gzipped and uncompressed files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "nn/graph_internal.h"

/* Refuse headers that describe more than this: a corrupt header must not make
 * us ask for terabytes. */
#define NN_IDX_MAX_BYTES ((uint64_t)1 << 32)

/* The data buffer starts at this size and doubles as bytes arrive, so a
 * header that claims more than the file holds fails on the truncation after
 * allocating at most twice what was really there, never on a giant malloc
 * (a gzipped file's length says nothing about its uncompressed size). */
#define NN_IDX_FIRST_CHUNK ((size_t)1 << 20)

/* Reads up to len bytes; *got is how many (fewer only at the end of the
 * file). Fails only on corrupt compressed data. */
static nn_status read_some(gzFile f, void *buf, size_t len, size_t *got, const char *path,
                           const char *what, nn_error *err) {
    unsigned char *p = buf;
    *got = 0;
    while (*got < len) {
        size_t chunk = len - *got > (1u << 30) ? (1u << 30) : len - *got;
        int n = gzread(f, p + *got, (unsigned)chunk);
        if (n < 0) {
            int zerr;
            const char *msg = gzerror(f, &zerr);
            if (zerr == Z_ERRNO) /* the system refused the read (a directory, EIO) */
                return nn_set_error(err, NN_ERR_IO, "%s: cannot read %s: %s", path, what,
                                    strerror(errno));
            return nn_set_error(err, NN_ERR_FORMAT,
                                "%s: corrupt compressed data while reading %s: %s", path, what,
                                msg);
        }
        if (n == 0) break;
        *got += (size_t)n;
    }
    return NN_OK;
}

/* Reads exactly len bytes of the header; else fills err. */
static nn_status read_exact(gzFile f, void *buf, size_t len, const char *path,
                            const char *what, nn_error *err) {
    size_t got;
    nn_status st = read_some(f, buf, len, &got, path, what, err);
    if (st == NN_OK && got < len)
        st = nn_set_error(err, NN_ERR_FORMAT,
                          "%s: truncated: %s needs %zu bytes, file ended after %zu", path, what,
                          len, got);
    return st;
}

/* Reads `want` data bytes into *data, growing the buffer as they come. The
 * `before` bytes ahead of them have been read already; messages speak of the
 * `whole` the header announces. */
static nn_status read_data(gzFile f, uint64_t want, uint64_t before, uint64_t whole,
                           uint8_t **data, const char *path, nn_error *err) {
    size_t cap = want < NN_IDX_FIRST_CHUNK ? (size_t)want : NN_IDX_FIRST_CHUNK, done = 0;
    uint8_t *buf = malloc(cap ? cap : 1); /* an empty part holds no bytes */
    if (!buf)
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory for %zu bytes", path, cap);
    for (;;) {
        size_t got;
        nn_status st = read_some(f, buf + done, cap - done, &got, path, "the data", err);
        done += got;
        if (st == NN_OK && done < cap)
            st = nn_set_error(err, NN_ERR_FORMAT,
                              "%s: truncated: the header announces %llu data bytes, "
                              "the file holds %llu",
                              path, (unsigned long long)whole, (unsigned long long)(before + done));
        if (st) {
            free(buf);
            return st;
        }
        if (done == want) break;
        size_t grown = want - cap < cap ? (size_t)want : 2 * cap;
        uint8_t *more = realloc(buf, grown);
        if (!more) {
            free(buf);
            return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory for %zu bytes", path,
                                grown);
        }
        buf = more;
        cap = grown;
    }
    *data = buf;
    return NN_OK;
}

/* Reads and drops `skip` data bytes (the items of the parts before ours). */
static nn_status skip_data(gzFile f, uint64_t skip, uint64_t whole, const char *path,
                           nn_error *err) {
    unsigned char scratch[1 << 14];
    for (uint64_t done = 0; done < skip;) {
        size_t want = skip - done < sizeof scratch ? (size_t)(skip - done) : sizeof scratch, got;
        nn_status st = read_some(f, scratch, want, &got, path, "the data", err);
        done += got;
        if (st == NN_OK && got < want)
            st = nn_set_error(err, NN_ERR_FORMAT,
                              "%s: truncated: the header announces %llu data bytes, "
                              "the file holds %llu",
                              path, (unsigned long long)whole, (unsigned long long)done);
        if (st) return st;
    }
    return NN_OK;
}

/* Opens `path`, checks the magic for unsigned-byte data with `ndim`
 * dimensions and reads the sizes into dims. Reads the data of the items
 * [lo, hi) of the first dimension into *data, where lo = dims[0]·part/n_parts
 * and hi = dims[0]·(part + 1)/n_parts (part 0 of 1: everything). Only the
 * part that ends the file is checked for trailing bytes and its gzip CRC:
 * the others stop reading after their items. */
static nn_status read_idx(const char *path, int ndim, int part, int n_parts, uint32_t *dims,
                          uint32_t *lo, uint32_t *hi, uint8_t **data, nn_error *err) {
    *data = NULL;
    gzFile f = gzopen(path, "rb");
    if (!f) return nn_set_error(err, NN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char head[4 + 4 * 3];
    nn_status st = read_exact(f, head, 4, path, "the magic number", err);
    if (st) goto done;
    if (head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] != ndim) {
        st = nn_set_error(err, NN_ERR_FORMAT,
                          "%s: bad magic number %02x%02x%02x%02x: expected 000008%02x "
                          "(unsigned bytes, %d dimensions)",
                          path, head[0], head[1], head[2], head[3], ndim, ndim);
        goto done;
    }
    if ((st = read_exact(f, head + 4, 4 * (size_t)ndim, path, "the dimensions", err))) goto done;
    uint64_t total = 1;
    for (int i = 0; i < ndim; i++) {
        const unsigned char *b = head + 4 + 4 * i;
        dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (dims[i] == 0) {
            st = nn_set_error(err, NN_ERR_FORMAT, "%s: dimension %d is zero", path, i);
            goto done;
        }
        total *= dims[i]; /* ≤ 2^32 · 2^32 before the check below: no overflow */
        if (total > NN_IDX_MAX_BYTES) {
            st = nn_set_error(err, NN_ERR_FORMAT, "%s: dimensions describe more than %llu bytes",
                              path, (unsigned long long)NN_IDX_MAX_BYTES);
            goto done;
        }
    }
    if (dims[0] > INT32_MAX) {
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: %u items is too many", path, dims[0]);
        goto done;
    }
    *lo = (uint32_t)((uint64_t)dims[0] * (uint64_t)part / (uint64_t)n_parts);
    *hi = (uint32_t)((uint64_t)dims[0] * (uint64_t)(part + 1) / (uint64_t)n_parts);
    uint64_t item = total / dims[0]; /* bytes per item */
    if ((st = skip_data(f, *lo * item, total, path, err)) ||
        (st = read_data(f, (*hi - *lo) * item, *lo * item, total, data, path, err)))
        goto done;
    if (*hi < dims[0]) goto done; /* another part reads the end */
    /* Reading past the data reaches the end of a gzip stream, where zlib
     * checks its CRC-32 and length. A stream cut short there is not an error
     * for gzread (it returns 0 and records Z_BUF_ERROR): ask gzerror. */
    unsigned char extra;
    int more = gzread(f, &extra, 1), zerr = Z_OK;
    const char *zmsg = gzerror(f, &zerr);
    if (more > 0) {
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: unexpected trailing bytes after the %llu data bytes",
                          path, (unsigned long long)total);
        goto done;
    }
    if (more < 0 || zerr != Z_OK) {
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: %s compressed data after the %llu data bytes: %s",
                          path, zerr == Z_BUF_ERROR ? "truncated" : "corrupt",
                          (unsigned long long)total, zmsg);
        goto done;
    }
done:
    gzclose(f);
    if (st) {
        free(*data);
        *data = NULL;
    }
    return st;
}

nn_status nn_load_idx(nn_dataset *out, const char *images_path, const char *labels_path,
                      nn_error *err) {
    return nn_load_idx_part(out, images_path, labels_path, 0, 1, err);
}

nn_status nn_load_idx_part(nn_dataset *out, const char *images_path, const char *labels_path,
                           int part, int n_parts, nn_error *err) {
    memset(out, 0, sizeof *out);
    if (n_parts < 1 || part < 0 || part >= n_parts)
        return nn_set_error(err, NN_ERR_ARG, "%s: part %d of %d does not exist", images_path,
                            part, n_parts);
    uint32_t idims[3], ldims[1], lo, hi, all_lo, all_hi;
    uint8_t *images = NULL, *labels = NULL;
    nn_status st = read_idx(images_path, 3, part, n_parts, idims, &lo, &hi, &images, err);
    if (st) return st;
    /* every label (one byte each): the classes are those of the whole file */
    if ((st = read_idx(labels_path, 1, 0, 1, ldims, &all_lo, &all_hi, &labels, err))) {
        free(images);
        return st;
    }
    if (idims[0] != ldims[0]) {
        free(images);
        free(labels);
        return nn_set_error(err, NN_ERR_FORMAT, "%s holds %u images but %s holds %u labels",
                            images_path, idims[0], labels_path, ldims[0]);
    }
    if ((uint64_t)idims[1] * idims[2] > INT32_MAX) {
        free(images);
        free(labels);
        return nn_set_error(err, NN_ERR_FORMAT, "%s: images of %ux%u are too large",
                            images_path, idims[1], idims[2]);
    }
    out->n = (int)(hi - lo);
    out->n_features = (int)(idims[1] * idims[2]);
    out->image_shape[0] = (int)idims[1], out->image_shape[1] = (int)idims[2], out->image_shape[2] = 1;
    out->x_u8 = images;
    out->x_scale = 1.0 / 255.0;
    out->labels = malloc((size_t)(out->n ? out->n : 1) * sizeof *out->labels);
    if (!out->labels) {
        free(labels);
        nn_dataset_free(out);
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", labels_path);
    }
    int max = 0;
    for (uint32_t i = 0; i < ldims[0]; i++)
        if (labels[i] > max) max = labels[i];
    for (int i = 0; i < out->n; i++) out->labels[i] = labels[lo + (uint32_t)i];
    free(labels);
    out->n_classes = max + 1;
    return NN_OK;
}
