/* safetensors.c — reading and writing the safetensors layout (see
 * safetensors.h). Byte order is handled explicitly, so files are the same on
 * every machine. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/io/atomic_file.h"
#include "nn/io/data_checksum.h"
#include "nn/io/file_io.h"
#include "nn/io/safetensors.h"

#define NN_ST_MAX_BYTES ((size_t)1 << 32)  /* larger files are refused unread */
#define NN_ST_MAX_HEADER ((uint64_t)100 << 20) /* as the reference implementation */

#ifdef NN_DOUBLE
#define NN_ST_DTYPE "F64"
#else
#define NN_ST_DTYPE "F32"
#endif

static uint64_t get_le(const unsigned char *b, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

static void put_le(unsigned char *b, uint64_t v, int n) {
    for (int i = 0; i < n; i++) b[i] = (unsigned char)(v >> (8 * i));
}

static double decode_real(const unsigned char *b, int elem_size) {
    if (elem_size == 4) {
        uint32_t u = (uint32_t)get_le(b, 4);
        float x;
        memcpy(&x, &u, 4);
        return x;
    }
    uint64_t u = get_le(b, 8);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

static void encode_real(unsigned char *b, nn_real x) {
    if (sizeof x == 4) {
        uint32_t u;
        memcpy(&u, &x, 4);
        put_le(b, u, 4);
    } else {
        uint64_t u;
        memcpy(&u, &x, 8);
        put_le(b, u, 8);
    }
}

/* ---------------------------------------------------------------- reading */

/* Fills t from the header entry e; data_len is the size of the data area. */
static nn_status parse_tensor(const nn_st_file *f, const nn_json *e, nn_st_tensor *t,
                              uint64_t *begin, uint64_t *end, size_t data_len, nn_error *err) {
    const char *name = e->key;
    if (e->type != NN_JSON_OBJECT)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s' is not a JSON object", f->path, name);
    for (const nn_json *m = e->child; m; m = m->next)
        if (strcmp(m->key, "dtype") && strcmp(m->key, "shape") && strcmp(m->key, "data_offsets"))
            return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s' has an unknown field '%s'",
                                f->path, name, m->key);
    const nn_json *dtype = nn_json_member(e, "dtype"), *shape = nn_json_member(e, "shape"),
                  *off = nn_json_member(e, "data_offsets");
    if (!dtype || !shape || !off)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s' lacks %s", f->path, name,
                            !dtype ? "a dtype" : !shape ? "a shape" : "data_offsets");
    if (dtype->type != NN_JSON_STRING)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s': dtype is not a string", f->path, name);
    if (strcmp(dtype->str, "F32") == 0) t->elem_size = 4;
    else if (strcmp(dtype->str, "F64") == 0) t->elem_size = 8;
    else return nn_set_error(err, NN_ERR_FORMAT,
                             "%s: tensor '%s' has dtype '%s'; nn reads F32 and F64", f->path, name,
                             dtype->str);
    if (shape->type != NN_JSON_ARRAY || shape->n_children > NN_ST_MAX_DIMS)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s': shape is not an array of at most %d sizes",
                            f->path, name, NN_ST_MAX_DIMS);
    t->name = name;
    t->ndim = 0;
    t->count = 1;
    for (const nn_json *d = shape->child; d; d = d->next) {
        if (d->type != NN_JSON_NUMBER || !d->is_uint)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s': shape holds something other "
                                "than a non-negative integer", f->path, name);
        if (d->uint != 0 && t->count > NN_ST_MAX_BYTES / d->uint)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s': shape is impossibly large",
                                f->path, name);
        t->shape[t->ndim++] = d->uint;
        t->count *= d->uint;
    }
    if (off->type != NN_JSON_ARRAY || off->n_children != 2 || off->child->type != NN_JSON_NUMBER ||
        !off->child->is_uint || off->child->next->type != NN_JSON_NUMBER || !off->child->next->is_uint)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s': data_offsets is not [begin, end]",
                            f->path, name);
    *begin = off->child->uint;
    *end = off->child->next->uint;
    if (*begin > *end || *end > data_len)
        return nn_set_error(err, NN_ERR_FORMAT,
                            "%s: tensor '%s': data_offsets [%llu, %llu] lie outside the %zu data bytes",
                            f->path, name, (unsigned long long)*begin, (unsigned long long)*end, data_len);
    if (*end - *begin != t->count * (uint64_t)t->elem_size)
        return nn_set_error(err, NN_ERR_FORMAT,
                            "%s: tensor '%s': %llu data bytes, but its shape needs %llu of %s", f->path,
                            name, (unsigned long long)(*end - *begin),
                            (unsigned long long)(t->count * (uint64_t)t->elem_size), dtype->str);
    return NN_OK;
}

typedef struct {
    uint64_t begin, end;
    int tensor;
} byte_range;

static int by_begin(const void *a, const void *b) {
    const byte_range *x = a, *y = b;
    return x->begin != y->begin ? (x->begin > y->begin) - (x->begin < y->begin)
                                : (x->end > y->end) - (x->end < y->end);
}

/* Every data byte belongs to exactly one tensor. */
static nn_status check_ranges(const nn_st_file *f, byte_range *r, int n, size_t data_len,
                              nn_error *err) {
    qsort(r, (size_t)n, sizeof *r, by_begin);
    uint64_t covered = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].begin == r[i].end) continue; /* empty tensors take no bytes */
        if (r[i].begin < covered)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: tensors '%s' and '%s' overlap in the data",
                                f->path, f->tensors[r[i - 1].tensor].name, f->tensors[r[i].tensor].name);
        if (r[i].begin > covered)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: data bytes %llu..%llu belong to no tensor",
                                f->path, (unsigned long long)covered, (unsigned long long)r[i].begin);
        covered = r[i].end;
    }
    if (covered != data_len)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: data bytes %llu..%zu belong to no tensor",
                            f->path, (unsigned long long)covered, data_len);
    return NN_OK;
}

static nn_status check_metadata(const nn_st_file *f, const nn_json *m, nn_error *err) {
    if (m->type != NN_JSON_OBJECT)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ is not a JSON object", f->path);
    for (const nn_json *e = m->child; e; e = e->next) {
        if (e->type != NN_JSON_STRING)
            return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ value '%s' is not a string",
                                f->path, e->key);
        for (const nn_json *o = m->child; o != e; o = o->next)
            if (strcmp(o->key, e->key) == 0)
                return nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ key '%s' appears twice",
                                    f->path, e->key);
    }
    return NN_OK;
}

static nn_status parse_header(nn_st_file *f, size_t header_len, nn_error *err) {
    char why[200];
    f->header = nn_json_parse(f->buf + 8, header_len, why, sizeof why);
    if (!f->header)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: the header is not valid JSON (%s of the header)",
                            f->path, why);
    if (f->header->type != NN_JSON_OBJECT)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: the header is not a JSON object", f->path);
    const unsigned char *data = (const unsigned char *)f->buf + 8 + header_len;
    size_t data_len = f->len - 8 - header_len;
    int n = f->header->n_children;
    f->tensors = calloc((size_t)(n ? n : 1), sizeof *f->tensors);
    byte_range *ranges = calloc((size_t)(n ? n : 1), sizeof *ranges);
    nn_status st = NN_OK;
    if (!f->tensors || !ranges) st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", f->path);
    for (const nn_json *e = f->header->child; e && !st; e = e->next) {
        if (strcmp(e->key, "__metadata__") == 0) {
            if (f->metadata) st = nn_set_error(err, NN_ERR_FORMAT, "%s: __metadata__ appears twice", f->path);
            else if (!(st = check_metadata(f, e, err))) f->metadata = e;
            continue;
        }
        if (nn_st_find(f, e->key)) {
            st = nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s' appears twice", f->path, e->key);
            break;
        }
        nn_st_tensor *t = &f->tensors[f->n_tensors];
        byte_range *r = &ranges[f->n_tensors];
        if ((st = parse_tensor(f, e, t, &r->begin, &r->end, data_len, err))) break;
        t->data = data + r->begin;
        r->tensor = f->n_tensors++;
    }
    if (!st) st = check_ranges(f, ranges, f->n_tensors, data_len, err);
    free(ranges);
    return st;
}

nn_status nn_st_read(nn_st_file *f, const char *path, nn_error *err) {
    memset(f, 0, sizeof *f);
    f->path = path;
    nn_status st = nn_read_file(path, NN_ST_MAX_BYTES, &f->buf, &f->len, err);
    if (st) return st;
    if (f->len < 8) {
        st = nn_set_error(err, NN_ERR_FORMAT,
                          "%s: %zu bytes is too short for a model file (the 8-byte header length "
                          "is missing)", path, f->len);
    } else {
        uint64_t header_len = get_le((const unsigned char *)f->buf, 8);
        if (header_len > f->len - 8)
            st = nn_set_error(err, NN_ERR_FORMAT,
                              "%s: the header length field says %llu bytes, but only %zu follow it "
                              "(truncated or not a safetensors file)",
                              path, (unsigned long long)header_len, f->len - 8);
        else if (header_len > NN_ST_MAX_HEADER)
            st = nn_set_error(err, NN_ERR_FORMAT, "%s: a header of %llu bytes is larger than allowed",
                              path, (unsigned long long)header_len);
        else
            st = parse_header(f, (size_t)header_len, err);
        const char *recorded = st ? NULL : nn_st_meta(f, NN_DATA_CHECKSUM_KEY);
        if (recorded) /* absent in files written before it was recorded */
            st = nn_data_checksum_verify(path, recorded, (const unsigned char *)f->buf + 8 + header_len,
                                         f->len - 8 - (size_t)header_len, err);
    }
    if (st) nn_st_close(f);
    return st;
}

void nn_st_close(nn_st_file *f) {
    nn_json_free(f->header);
    free(f->tensors);
    free(f->buf);
    memset(f, 0, sizeof *f);
}

const nn_st_tensor *nn_st_find(const nn_st_file *f, const char *name) {
    for (int i = 0; i < f->n_tensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return &f->tensors[i];
    return NULL;
}

const char *nn_st_meta(const nn_st_file *f, const char *key) {
    const nn_json *v = nn_json_member(f->metadata, key);
    return v ? v->str : NULL;
}

nn_status nn_st_expect(const nn_st_file *f, const char *name, uint64_t d0, uint64_t d1,
                       nn_error *err) {
    const nn_st_tensor *t = nn_st_find(f, name);
    if (!t) return nn_set_error(err, NN_ERR_FORMAT, "%s: tensor '%s' is missing", f->path, name);
    int ndim = d1 ? 2 : 1;
    if (t->ndim != ndim || t->shape[0] != d0 || (ndim == 2 && t->shape[1] != d1)) {
        char shape[160] = "";
        for (int i = 0; i < t->ndim; i++)
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%llu", i ? ", " : "",
                     (unsigned long long)t->shape[i]);
        if (d1)
            return nn_set_error(err, NN_ERR_SHAPE, "%s: tensor '%s' has shape [%s], the architecture needs [%llu, %llu]",
                                f->path, name, shape, (unsigned long long)d0, (unsigned long long)d1);
        return nn_set_error(err, NN_ERR_SHAPE, "%s: tensor '%s' has shape [%s], the architecture needs [%llu]",
                            f->path, name, shape, (unsigned long long)d0);
    }
    return NN_OK;
}

nn_status nn_st_get(const nn_st_file *f, const char *name, uint64_t d0, uint64_t d1, nn_real *dst,
                    nn_error *err) {
    nn_status st = nn_st_expect(f, name, d0, d1, err);
    if (st) return st;
    const nn_st_tensor *t = nn_st_find(f, name);
    for (uint64_t i = 0; i < t->count; i++) {
        double x = decode_real(t->data + i * (uint64_t)t->elem_size, t->elem_size);
        if (!isfinite(x) || (sizeof(nn_real) == 4 && fabs(x) > 3.4028234663852886e38))
            return nn_set_error(err, NN_ERR_NUMERIC, "%s: tensor '%s' holds %g at index %llu",
                                f->path, name, x, (unsigned long long)i);
        dst[i] = (nn_real)x;
    }
    return NN_OK;
}

/* ---------------------------------------------------------------- writing */

nn_status nn_st_write(const char *path, const nn_st_out *t, int n, const char *const (*meta)[2],
                      int n_meta, nn_error *err) {
    uint64_t total = 0;
    for (int i = 0; i < n; i++) total += t[i].d0 * (t[i].d1 ? t[i].d1 : 1) * sizeof(nn_real);
    unsigned char *data = calloc(total ? total : 1, 1);
    if (!data) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    unsigned char *p = data;
    for (int i = 0; i < n; i++) {
        uint64_t count = t[i].d0 * (t[i].d1 ? t[i].d1 : 1);
        for (uint64_t k = 0; k < count; k++, p += sizeof(nn_real)) encode_real(p, t[i].data[k]);
    }
    char checksum[NN_DATA_CHECKSUM_TEXT]; /* first in __metadata__, of the data as written */
    nn_data_checksum(checksum, data, (size_t)total);
    nn_buf h = {0};
    nn_buf_printf(&h, "{\"__metadata__\":{\"%s\":\"%s\"", NN_DATA_CHECKSUM_KEY, checksum);
    for (int i = 0; i < n_meta; i++) {
        if (strcmp(meta[i][0], NN_DATA_CHECKSUM_KEY) == 0) continue; /* computed here */
        nn_buf_printf(&h, ",");
        nn_buf_json_string(&h, meta[i][0]);
        nn_buf_printf(&h, ":");
        nn_buf_json_string(&h, meta[i][1]);
    }
    nn_buf_printf(&h, "}");
    uint64_t offset = 0;
    for (int i = 0; i < n; i++) {
        uint64_t count = t[i].d0 * (t[i].d1 ? t[i].d1 : 1), bytes = count * sizeof(nn_real);
        nn_buf_printf(&h, ",");
        nn_buf_json_string(&h, t[i].name);
        if (t[i].d1)
            nn_buf_printf(&h, ":{\"dtype\":\"%s\",\"shape\":[%llu,%llu],", NN_ST_DTYPE,
                          (unsigned long long)t[i].d0, (unsigned long long)t[i].d1);
        else
            nn_buf_printf(&h, ":{\"dtype\":\"%s\",\"shape\":[%llu],", NN_ST_DTYPE,
                          (unsigned long long)t[i].d0);
        nn_buf_printf(&h, "\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
                      (unsigned long long)(offset + bytes));
        offset += bytes;
    }
    nn_buf_printf(&h, "}");
    while (!h.failed && (8 + h.len) % 8) nn_buf_printf(&h, " "); /* align the data to 8 bytes */
    if (h.failed) {
        nn_buf_free(&h);
        free(data);
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    }
    unsigned char length[8];
    put_le(length, h.len, 8);
    nn_atomic_file af;
    nn_status st = nn_atomic_open(&af, path, err);
    if (!st) {
        fwrite(length, 1, 8, af.f); /* write errors are caught by commit */
        fwrite(h.data, 1, h.len, af.f);
        if (offset) fwrite(data, 1, (size_t)offset, af.f);
        st = nn_atomic_commit(&af, err);
    }
    nn_buf_free(&h);
    free(data);
    return st;
}
