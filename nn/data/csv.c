/* csv.c — tabular data: a header line, then one sample per line.
 *
 * The file is read whole and parsed in place: each field is unquoted and
 * NUL-terminated inside the buffer, so labels need no copies. Every feature
 * field must be a finite number; an error names file, line, column and text.
 * Errors give the file line first (data.csv:17:, the header is line 1) and
 * the data row last ("(data row 15)", the first row after the header is 1,
 * blank lines are not rows): the count nn predict and nn eval use.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/data_internal.h"
#include "nn/io/file_io.h"
#include "nn/text.h"

#define NN_CSV_MAX_BYTES ((size_t)1 << 31)

typedef struct {
    char *p, *end; /* unread part of the buffer; *end is a NUL we may overwrite */
    long line;     /* line number of p, from 1 */
    char delim;
} csv_reader;

/* Parses one record into fields[0..cap) (NUL-terminated in place) and
 * returns how many fields it has, or -1 with *why set. Advances past it.
 * With dry = 1 the buffer is left untouched and only the fields are counted. */
static int parse_record(csv_reader *r, char **fields, int cap, int dry, const char **why) {
    int n = 0;
    for (;;) {
        char *w = r->p, *start = r->p;
        if (r->p < r->end && *r->p == '"') { /* quoted: "" is a literal quote */
            r->p++;
            for (;;) {
                if (r->p >= r->end) {
                    *why = "unterminated quoted field";
                    return -1;
                }
                if (*r->p == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        if (!dry) *w = '"';
                        w++, r->p += 2;
                    } else {
                        break;
                    }
                } else {
                    if (*r->p == '\n') r->line++;
                    if (!dry) *w = *r->p;
                    w++, r->p++;
                }
            }
            r->p++; /* closing quote */
            if (r->p < r->end && *r->p == '\r') r->p++;
            if (r->p < r->end && *r->p != r->delim && *r->p != '\n') {
                *why = "text after a closing quote";
                return -1;
            }
        } else {
            while (r->p < r->end && *r->p != r->delim && *r->p != '\n') r->p++;
            w = r->p;
            if (w > start && w[-1] == '\r') w--;
        }
        char sep = r->p < r->end ? *r->p : '\n';
        if (!dry) *w = '\0';
        if (n < cap) fields[n] = start;
        n++;
        if (r->p < r->end) r->p++; /* past the delimiter or newline */
        if (sep == '\n') {
            r->line++;
            return n;
        }
    }
}

/* Skips empty lines (also "\r\n"); returns 0 at the end of the buffer. */
static int next_record(csv_reader *r) {
    while (r->p < r->end && (*r->p == '\n' || (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n'))) {
        r->p += *r->p == '\r' ? 2 : 1;
        r->line++;
    }
    return r->p < r->end;
}

static int find_column(char *const *header, int n, const char *name, size_t len) {
    for (int i = 0; i < n; i++)
        if (strlen(header[i]) == len && memcmp(header[i], name, len) == 0) return i;
    return -1;
}

/* Which header columns are features and which is the label. */
static nn_status choose_columns(const char *path, char **header, int ncol, const nn_csv_options *o,
                                int *label, int *features, int *n_features, nn_error *err) {
    for (int i = 0; i < ncol; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(header[i], header[j]) == 0)
                return nn_set_error(err, NN_ERR_FORMAT, "%s: line 1: column name '%s' appears twice",
                                    path, header[i]);
    *label = -1;
    if (!o->no_label) {
        *label = o->label ? find_column(header, ncol, o->label, strlen(o->label)) : ncol - 1;
        if (*label < 0)
            return nn_set_error(err, NN_ERR_ARG, "%s: no label column '%s' in the header", path,
                                o->label);
    }
    *n_features = 0;
    if (!o->features) {
        for (int i = 0; i < ncol; i++)
            if (i != *label) features[(*n_features)++] = i;
    } else {
        char missing[256] = ""; /* every requested column the header lacks, named at once */
        int n_missing = 0;
        for (const char *s = o->features; *s; s += *s == ',') {
            size_t len = strcspn(s, ","), used = strlen(missing);
            if (find_column(header, ncol, s, len) < 0 && used < sizeof missing)
                snprintf(missing + used, sizeof missing - used, "%s'%.*s'", n_missing++ ? ", " : "", (int)len, s);
            s += len;
        }
        if (n_missing > 1)
            return nn_set_error(err, NN_ERR_ARG, "%s: feature columns %s are not in the header", path, missing);
        for (const char *s = o->features; *s;) {
            size_t len = strcspn(s, ",");
            int c = find_column(header, ncol, s, len);
            if (c < 0 || c == *label)
                return nn_set_error(err, NN_ERR_ARG, "%s: feature column '%.*s' %s", path, (int)len,
                                    s, c < 0 ? "is not in the header" : "is the label column");
            for (int k = 0; k < *n_features; k++)
                if (features[k] == c)
                    return nn_set_error(err, NN_ERR_ARG, "%s: feature column '%.*s' is listed twice",
                                        path, (int)len, s);
            features[(*n_features)++] = c;
            s += len;
            if (*s == ',') s++;
        }
    }
    if (*n_features == 0)
        return nn_set_error(err, NN_ERR_ARG, "%s: no feature columns", path);
    return NN_OK;
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Classes from the label strings of every row (pointers into the buffer). */
static nn_status assign_labels(nn_dataset *d, char **row_label, const char *path,
                               const nn_class_set *known, nn_error *err) {
    char **distinct = malloc((size_t)d->n * sizeof *distinct);
    int *class_of = malloc((size_t)d->n * sizeof *class_of);
    d->labels = malloc((size_t)d->n * sizeof *d->labels);
    nn_status st = NN_OK;
    if (!distinct || !class_of || !d->labels) {
        st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(distinct, row_label, (size_t)d->n * sizeof *distinct);
    qsort(distinct, (size_t)d->n, sizeof *distinct, compare_strings);
    int m = 0;
    for (int i = 0; i < d->n; i++)
        if (m == 0 || strcmp(distinct[m - 1], distinct[i]) != 0) distinct[m++] = distinct[i];
    if ((st = nn_resolve_classes(distinct, m, known, class_of, d, path, err))) goto done;
    for (int i = 0; i < d->n; i++) {
        char **hit = bsearch(&row_label[i], distinct, (size_t)m, sizeof *distinct, compare_strings);
        d->labels[i] = class_of[hit - distinct];
    }
done:
    free(distinct);
    free(class_of);
    return st;
}

/* Appends one row's features to x (grown as needed). */
static nn_status read_row(const char *path, long line, int row, char **fields,
                          char *const *header, const int *features, int F, nn_real *x,
                          nn_error *err) {
    for (int k = 0; k < F; k++) {
        const char *s = fields[features[k]];
        double v;
        int bad = nn_parse_number(s, strlen(s), &v);
        if (bad)
            return nn_set_error(err, bad == NN_NUMBER_NONFINITE ? NN_ERR_NUMERIC : NN_ERR_FORMAT,
                                "%s:%ld: column %d ('%s'): '%s' is %s (data row %d)", path, line,
                                features[k] + 1, header[features[k]], s,
                                bad == NN_NUMBER_NONFINITE ? "not a finite number" : "not a number",
                                row);
        x[k] = (nn_real)v;
        if (!isfinite(x[k])) /* finite as a double but beyond float's ±3.4e38 (fuzz_csv) */
            return nn_set_error(err, NN_ERR_NUMERIC,
                                "%s:%ld: column %d ('%s'): '%s' is out of range for %s (data "
                                "row %d)", path, line, features[k] + 1, header[features[k]], s,
                                sizeof(nn_real) == 4 ? "float" : "double", row);
    }
    return NN_OK;
}

nn_status nn_load_csv(nn_dataset *out, const char *path, const nn_csv_options *o, nn_error *err) {
    memset(out, 0, sizeof *out);
    nn_csv_options defaults = {0};
    if (!o) o = &defaults;
    char *buf;
    size_t len;
    nn_status st = nn_read_file(path, NN_CSV_MAX_BYTES, &buf, &len, err);
    if (st) return st;
    csv_reader r = {.p = buf, .end = buf + len, .line = 1, .delim = o->delimiter ? o->delimiter : ','};
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) r.p += 3; /* UTF-8 byte order mark */
    char **header = NULL, **fields = NULL, **row_label = NULL;
    int *features = NULL, ncol = 0, label = -1, F = 0;
    size_t cap = 0;
    const char *why;
    if (!next_record(&r)) {
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: empty file (a header line is required)", path);
        goto done;
    }
    /* A header line ending in a bare CR: the whole file is one line to an
     * LF reader (classic Mac OS line endings); say so, not "no data rows" */
    for (const char *c = r.p; c < r.end && *c != '\n'; c++)
        if (*c == '\r' && (c + 1 == r.end || c[1] != '\n')) {
            if (c + 1 == r.end) break; /* the last byte: harmless */
            st = nn_set_error(err, NN_ERR_FORMAT,
                              "%s: lines end in CR only (old Mac OS line endings): convert them "
                              "to LF or CR LF, e.g. tr '\\r' '\\n'", path);
            goto done;
        }
    /* Header: count the fields first, then parse them for real. */
    csv_reader probe = r;
    ncol = parse_record(&probe, NULL, 0, 1, &why);
    if (ncol < 0) {
        st = nn_set_error(err, NN_ERR_FORMAT, "%s:%ld: %s", path, r.line, why);
        goto done;
    }
    header = malloc((size_t)ncol * sizeof *header);
    fields = malloc((size_t)ncol * sizeof *fields);
    features = malloc((size_t)ncol * sizeof *features);
    if (!header || !fields || !features) {
        st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    parse_record(&r, header, ncol, 0, &why);
    for (int k = 0; k < ncol; k++)
        if (!nn_utf8_valid(header[k])) { /* names go into the model header, which is JSON */
            st = nn_set_error(err, NN_ERR_FORMAT,
                              "%s: the header's column %d, '%s', is not valid UTF-8: convert the "
                              "file to UTF-8 (e.g. iconv -f latin1 -t utf-8)", path, k + 1, header[k]);
            goto done;
        }
    if ((st = choose_columns(path, header, ncol, o, &label, features, &F, err))) goto done;
    out->n_features = F;

    while (next_record(&r)) {
        long line = r.line;
        int n = parse_record(&r, fields, ncol, 0, &why);
        if (n < 0) {
            st = nn_set_error(err, NN_ERR_FORMAT, "%s:%ld: %s", path, line, why);
            goto done;
        }
        if (n != ncol) {
            st = nn_set_error(err, NN_ERR_FORMAT, "%s:%ld: %d fields, but the header has %d "
                              "(data row %d)", path, line, n, ncol, out->n + 1);
            goto done;
        }
        if ((size_t)out->n == cap) {
            size_t grow = cap ? 2 * cap : 256;
            if (grow > (size_t)INT32_MAX || grow > SIZE_MAX / sizeof(nn_real) / (size_t)F) {
                st = nn_set_error(err, NN_ERR_FORMAT, "%s: too many rows", path);
                goto done;
            }
            nn_real *x = realloc(out->x_real, grow * (size_t)F * sizeof *x);
            if (x) out->x_real = x;
            char **l = realloc(row_label, grow * sizeof *l);
            if (l) row_label = l;
            if (!x || !l) {
                st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory at line %ld", path, line);
                goto done;
            }
            cap = grow;
        }
        nn_real *x = out->x_real + (size_t)out->n * F; /* (F) */
        if ((st = read_row(path, line, out->n + 1, fields, header, features, F, x, err)))
            goto done;
        row_label[out->n++] = label >= 0 ? fields[label] : NULL;
    }
    if (out->n == 0) {
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: no data rows after the header", path);
        goto done;
    }
    if (label >= 0) {
        if ((st = assign_labels(out, row_label, path, &o->classes, err))) goto done;
    } else {
        out->labels = calloc((size_t)out->n, sizeof *out->labels);
        out->n_classes = o->classes.n > 0 ? o->classes.n : 1;
        if (!out->labels) {
            st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
            goto done;
        }
    }
    for (int k = 0; k < F; k++) fields[k] = header[features[k]]; /* names, in feature order */
    out->feature_names = nn_strings_copy(fields, F);
    if (label >= 0) out->label_column = strdup(header[label]);
    if (!out->feature_names || (label >= 0 && !out->label_column))
        st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
done:
    free(header);
    free(fields);
    free(features);
    free(row_label);
    free(buf);
    if (st) nn_dataset_free(out);
    return st;
}
