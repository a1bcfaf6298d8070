/* npy.c — the NumPy .npy format, 2-D float matrices only.
 *
 * Layout (numpy's NEP 1):
 *   "\x93NUMPY", major, minor            8 bytes; major 1, 2 or 3
 *   header length                        uint16 LE (v1) or uint32 LE (v2, v3)
 *   header                               a Python dict literal, padded with
 *       {'descr': '<f4', 'fortran_order': False, 'shape': (N, K), }   spaces
 *                                        and ended by '\n'
 *   data                                 N·K items, C order
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/io/atomic_file.h"
#include "nn/graph_internal.h"

/* numpy refuses headers over 10000 bytes unless told otherwise; so do we. */
#define NPY_MAX_HEADER 10000

typedef struct {
    char descr[16];
    int  fortran_order;
    long long shape[4];
    int  ndim;
    int  seen_descr, seen_fortran, seen_shape;
    char unknown_key[32]; /* set when parsing stops at a key we do not know */
} npy_header;

static void skip_space(const char **s) {
    while (**s == ' ' || **s == '\t') (*s)++;
}

/* A quoted Python string without escapes into buf; NULL on success, else why. */
static const char *parse_string(const char **s, char *buf, size_t size) {
    char q = **s;
    if (q != '\'' && q != '"') return "expected a quoted string";
    const char *end = strchr(*s + 1, q);
    if (!end || (size_t)(end - *s - 1) >= size) return "unterminated or overlong string";
    memcpy(buf, *s + 1, (size_t)(end - *s - 1));
    buf[end - *s - 1] = '\0';
    *s = end + 1;
    return NULL;
}

static const char *parse_shape(const char **s, npy_header *h) {
    if (**s != '(') return "'shape' is not a tuple";
    (*s)++;
    h->ndim = 0;
    for (;;) {
        skip_space(s);
        if (**s == ')') break;
        if (**s < '0' || **s > '9') return "'shape' holds something other than integers";
        long long v = 0;
        while (**s >= '0' && **s <= '9') {
            v = v * 10 + (**s - '0');
            if (v > INT_MAX) return "a dimension in 'shape' is too large";
            (*s)++;
        }
        if (h->ndim == 4) return "'shape' has more than 4 dimensions";
        h->shape[h->ndim++] = v;
        skip_space(s);
        if (**s == ',') (*s)++;
        else if (**s != ')') return "'shape' is not a tuple of integers";
    }
    (*s)++;
    return NULL;
}

/* Parses the header dict; NULL on success, else what is wrong. */
static const char *parse_header(const char *s, npy_header *h) {
    memset(h, 0, sizeof *h);
    skip_space(&s);
    if (*s++ != '{') return "the header is not a dict";
    for (;;) {
        skip_space(&s);
        if (*s == '}') break;
        char key[32];
        const char *e = parse_string(&s, key, sizeof key);
        if (e) return "a header key is not a quoted string";
        skip_space(&s);
        if (*s++ != ':') return "expected ':' after a header key";
        skip_space(&s);
        if (strcmp(key, "descr") == 0) {
            if (h->seen_descr++) return "'descr' appears twice";
            if ((e = parse_string(&s, h->descr, sizeof h->descr))) return "'descr' is not a dtype string";
        } else if (strcmp(key, "fortran_order") == 0) {
            if (h->seen_fortran++) return "'fortran_order' appears twice";
            if (strncmp(s, "True", 4) == 0) h->fortran_order = 1, s += 4;
            else if (strncmp(s, "False", 5) == 0) h->fortran_order = 0, s += 5;
            else return "'fortran_order' is neither True nor False";
        } else if (strcmp(key, "shape") == 0) {
            if (h->seen_shape++) return "'shape' appears twice";
            if ((e = parse_shape(&s, h))) return e;
        } else {
            memcpy(h->unknown_key, key, sizeof key);
            return "unknown header key";
        }
        skip_space(&s);
        if (*s == ',') s++;
        else if (*s != '}') return "expected ',' or '}' in the header";
    }
    s++;
    skip_space(&s);
    if (*s != '\n' || s[1] != '\0') return "the header does not end with '}' then '\\n'";
    if (!h->seen_descr) return "the header has no 'descr'";
    if (!h->seen_fortran) return "the header has no 'fortran_order'";
    if (!h->seen_shape) return "the header has no 'shape'";
    return NULL;
}

/* Little-endian bytes to a double, whatever the host's byte order. */
static double decode(const unsigned char *b, int itemsize) {
    uint64_t u = 0;
    for (int i = itemsize - 1; i >= 0; i--) u = (u << 8) | b[i];
    if (itemsize == 4) {
        uint32_t u32 = (uint32_t)u;
        float f;
        memcpy(&f, &u32, 4);
        return f;
    }
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static nn_status fail(FILE *f, nn_real *buf, nn_error *err, nn_status code, const char *path,
                      const char *what) {
    if (f) fclose(f);
    free(buf);
    return nn_set_error(err, code, "%s: %s", path, what);
}

/* Reads the file's rows [first, first + count) (all of them when `all`);
 * every value is read and checked, whichever rows are kept. */
static nn_status load_rows(const char *path, long long first, long long count, int all, nn_real **data,
                           int *rows, int *cols, nn_error *err) {
    *data = NULL;
    *rows = *cols = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return nn_set_error(err, NN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char pre[12];
    if (fread(pre, 1, 8, f) != 8 || memcmp(pre, "\x93NUMPY", 6) != 0)
        return fail(f, NULL, err, NN_ERR_FORMAT, path, "not a .npy file (no \\x93NUMPY magic)");
    int major = pre[6];
    if (major < 1 || major > 3) {
        char msg[64];
        snprintf(msg, sizeof msg, "unsupported .npy format version %d.%d", major, pre[7]);
        return fail(f, NULL, err, NN_ERR_FORMAT, path, msg);
    }
    size_t len_bytes = major == 1 ? 2 : 4;
    if (fread(pre + 8, 1, len_bytes, f) != len_bytes)
        return fail(f, NULL, err, NN_ERR_FORMAT, path, "truncated before the header length");
    uint32_t header_len = pre[8] | (uint32_t)pre[9] << 8;
    if (major > 1) header_len |= (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
    if (header_len > NPY_MAX_HEADER)
        return fail(f, NULL, err, NN_ERR_FORMAT, path, "header longer than 10000 bytes");
    char header[NPY_MAX_HEADER + 1];
    if (fread(header, 1, header_len, f) != header_len)
        return fail(f, NULL, err, NN_ERR_FORMAT, path, "truncated inside the header");
    header[header_len] = '\0';
    if (strlen(header) != header_len)
        return fail(f, NULL, err, NN_ERR_FORMAT, path, "NUL byte inside the header");

    npy_header h;
    const char *why = parse_header(header, &h);
    char msg[160];
    if (why && h.unknown_key[0]) {
        snprintf(msg, sizeof msg, "%s '%s'", why, h.unknown_key);
        why = msg;
    }
    if (why) return fail(f, NULL, err, NN_ERR_FORMAT, path, why);
    int itemsize = strcmp(h.descr, "<f4") == 0 ? 4 : strcmp(h.descr, "<f8") == 0 ? 8 : 0;
    if (!itemsize) {
        snprintf(msg, sizeof msg, "dtype '%s' is not supported: save as little-endian float32 "
                 "(numpy: .astype('<f4'))", h.descr);
        return fail(f, NULL, err, NN_ERR_FORMAT, path, msg);
    }
    if (h.fortran_order)
        return fail(f, NULL, err, NN_ERR_FORMAT, path,
                    "fortran_order is True: save a C-ordered array (numpy.ascontiguousarray)");
    if (h.ndim != 2 || h.shape[0] < 1 || h.shape[1] < 1) {
        int at = snprintf(msg, sizeof msg, "shape (");
        for (int i = 0; i < h.ndim; i++)
            at += snprintf(msg + at, sizeof msg - (size_t)at, "%s%lld", i ? ", " : "", h.shape[i]);
        snprintf(msg + at, sizeof msg - (size_t)at, ") is not a matrix (N ≥ 1, K ≥ 1)");
        return fail(f, NULL, err, NN_ERR_FORMAT, path, msg);
    }
    *rows = (int)h.shape[0]; /* ≤ INT_MAX (parse_shape); known from here on, also when a later check fails */
    *cols = (int)h.shape[1];
    if (all) first = 0, count = h.shape[0];
    if (first < 0 || count < 0 || first > h.shape[0] - count) {
        snprintf(msg, sizeof msg, "rows %lld..%lld asked for, but the file has %lld", first, first + count - 1,
                 h.shape[0]);
        return fail(f, NULL, err, NN_ERR_ARG, path, msg);
    }
    size_t n = (size_t)h.shape[0] * (size_t)h.shape[1];
    size_t keep_from = (size_t)first * (size_t)h.shape[1], keep = (size_t)count * (size_t)h.shape[1];
    nn_real *buf = malloc((keep ? keep : 1) * sizeof *buf); /* (count, cols) */
    if (!buf) return fail(f, NULL, err, NN_ERR_NOMEM, path, "out of memory for the data");
    unsigned char chunk[8 * 1024];
    size_t per_chunk = sizeof chunk / (size_t)itemsize;
    for (size_t done = 0; done < n;) {
        size_t want = n - done < per_chunk ? n - done : per_chunk;
        size_t got = fread(chunk, (size_t)itemsize, want, f);
        for (size_t i = 0; i < got; i++) {
            double v = decode(chunk + i * (size_t)itemsize, itemsize);
            nn_real x = (nn_real)v;
            if (done + i - keep_from < keep) buf[done + i - keep_from] = x; /* unsigned: below keep_from wraps */
            if (!isfinite(x)) {
                snprintf(msg, sizeof msg, "value at row %zu, column %zu is %g%s",
                         (done + i) / (size_t)h.shape[1], (done + i) % (size_t)h.shape[1], v,
                         isfinite(v) ? " (outside the float range)" : "");
                return fail(f, buf, err, NN_ERR_FORMAT, path, msg);
            }
        }
        done += got;
        if (got < want) {
            snprintf(msg, sizeof msg, "truncated: shape (%lld, %lld) needs %zu values, the file "
                     "holds %zu", h.shape[0], h.shape[1], n, done);
            return fail(f, buf, err, NN_ERR_FORMAT, path, msg);
        }
    }
    if (fgetc(f) != EOF)
        return fail(f, buf, err, NN_ERR_FORMAT, path,
                    "trailing bytes after the data: the file is longer than its shape says");
    fclose(f);
    *data = buf;
    return NN_OK;
}

nn_status nn_load_npy(const char *path, nn_real **data, int *rows, int *cols, nn_error *err) {
    nn_status st = load_rows(path, 0, 0, 1, data, rows, cols, err);
    if (st) *rows = *cols = 0;
    return st;
}

nn_status nn_load_npy_rows(const char *path, long first, long count, nn_real **data, int *rows, int *cols,
                           nn_error *err) {
    return load_rows(path, first, count, 0, data, rows, cols, err);
}

nn_status nn_save_npy(const char *path, const nn_real *data, int rows, int cols,
                      nn_error *err) {
    if (!data || rows < 1 || cols < 1)
        return nn_set_error(err, NN_ERR_ARG, "%s: cannot save a %d × %d matrix%s", path, rows,
                            cols, data ? "" : " (data is NULL)");
    char header[128];
    int len = snprintf(header, sizeof header,
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols);
    /* Pad with spaces so that magic + length + header + '\n' is a multiple of 64. */
    while ((10 + len + 1) % 64 != 0) header[len++] = ' ';
    header[len++] = '\n';

    nn_atomic_file af;
    nn_status st = nn_atomic_open(&af, path, err);
    if (st) return st;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                             (unsigned char)(len & 0xff), (unsigned char)(len >> 8)};
    fwrite(pre, 1, sizeof pre, af.f);
    fwrite(header, 1, (size_t)len, af.f);
    size_t n = (size_t)rows * (size_t)cols;
    for (size_t i = 0; i < n; i++) {
        float v = (float)data[i];
        uint32_t u;
        memcpy(&u, &v, 4);
        unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                              (unsigned char)(u >> 24)};
        fwrite(b, 1, 4, af.f);
    }
    return nn_atomic_commit(&af, err);
}
