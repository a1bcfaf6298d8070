/* classes.c — from label strings (CSV labels, folder names) to class ids.
 *
 * Without known classes the classes are the distinct strings, sorted by value
 * when all of them are numbers (they then become the category values), else
 * by strcmp. With known classes (a trained model's), each string maps onto
 * the class with the same value (model has values, string is a number) or
 * the same name.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/data_internal.h"
#include "nn/text.h"

int nn_parse_number(const char *s, size_t len, double *out) {
    while (len > 0 && (*s == ' ' || *s == '\t')) s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    char buf[128];
    if (len == 0 || len >= sizeof buf) return NN_NUMBER_BAD;
    memcpy(buf, s, len);
    buf[len] = '\0';
    /* strtod also accepts hex floats and "nan(...)"; insist on decimal text. */
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", buf[i])) {
            if (strchr("nNiI", buf[i])) break; /* nan / inf: parsed below, rejected */
            return NN_NUMBER_BAD;
        }
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len) return NN_NUMBER_BAD;
    if (!isfinite(v)) return NN_NUMBER_NONFINITE; /* nan, inf, or overflow (1e999) */
    *out = v;
    return 0;
}

typedef struct {
    const char *s;
    double value;
    int index; /* position in the caller's list */
} label_entry;

static int by_value(const void *a, const void *b) {
    double x = ((const label_entry *)a)->value, y = ((const label_entry *)b)->value;
    return (x > y) - (x < y);
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const label_entry *)a)->s, ((const label_entry *)b)->s);
}

static nn_status map_known(char *const *strings, int m, const nn_class_set *k, int *class_of,
                           nn_dataset *d, const char *where, nn_error *err) {
    for (int i = 0; i < m; i++) {
        double v;
        int numeric = k->values && nn_parse_number(strings[i], strlen(strings[i]), &v) == 0;
        class_of[i] = -1;
        for (int c = 0; c < k->n && class_of[i] < 0; c++)
            if (numeric ? k->values[c] == v : (k->names && strcmp(k->names[c], strings[i]) == 0))
                class_of[i] = c;
        if (class_of[i] < 0)
            return nn_set_error(err, NN_ERR_FORMAT,
                                "%s: label '%s' is not one of the model's %d classes", where,
                                strings[i], k->n);
    }
    d->n_classes = k->n;
    if (k->names && !(d->label_names = nn_strings_copy((char *const *)k->names, k->n)))
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", where);
    if (k->values) {
        if (!(d->values = malloc((size_t)k->n * sizeof *d->values)))
            return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", where);
        memcpy(d->values, k->values, (size_t)k->n * sizeof *d->values);
    }
    return NN_OK;
}

nn_status nn_resolve_classes(char *const *strings, int m, const nn_class_set *known,
                             int *class_of, nn_dataset *d, const char *where, nn_error *err) {
    if (m < 1) return nn_set_error(err, NN_ERR_FORMAT, "%s: no labels", where);
    for (int i = 0; i < m; i++) /* names go into the model header, which is JSON */
        if (!nn_utf8_valid(strings[i]))
            return nn_set_error(err, NN_ERR_FORMAT,
                                "%s: label '%s' is not valid UTF-8: rename it or convert the data "
                                "to UTF-8", where, strings[i]);
    if (known && known->n > 0) return map_known(strings, m, known, class_of, d, where, err);

    label_entry *e = malloc((size_t)m * sizeof *e);
    if (!e) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", where);
    int numeric = 1;
    for (int i = 0; i < m; i++) {
        e[i] = (label_entry){.s = strings[i], .index = i};
        numeric &= nn_parse_number(strings[i], strlen(strings[i]), &e[i].value) == 0;
    }
    qsort(e, (size_t)m, sizeof *e, numeric ? by_value : by_name);
    nn_status st = NN_OK;
    for (int i = 1; i < m && !st; i++)
        if (numeric ? e[i].value == e[i - 1].value : strcmp(e[i].s, e[i - 1].s) == 0)
            st = nn_set_error(err, NN_ERR_FORMAT, "%s: labels '%s' and '%s' name the same %s",
                              where, e[i - 1].s, e[i].s, numeric ? "value" : "class");
    if (!st) {
        d->n_classes = m;
        d->label_names = calloc((size_t)m, sizeof *d->label_names);
        d->values = numeric ? malloc((size_t)m * sizeof *d->values) : NULL;
        if (!d->label_names || (numeric && !d->values))
            st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", where);
    }
    for (int c = 0; c < m && !st; c++) {
        class_of[e[c].index] = c;
        if (numeric) d->values[c] = e[c].value;
        if (!(d->label_names[c] = strdup(e[c].s)))
            st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", where);
    }
    free(e);
    return st;
}
