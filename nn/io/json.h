/* json.h — a small JSON reader and writer for model file headers
 * (internal, not installed).
 *
 * The reader works on a byte range that need not be NUL-terminated, never
 * reads outside it, limits nesting depth, and reports the byte offset of the
 * first problem. Strings are decoded (escapes, \uXXXX with surrogate pairs,
 * to UTF-8); "\u0000" is refused so every string is a C string.
 */
#ifndef NN_JSON_H
#define NN_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    NN_JSON_NULL, NN_JSON_FALSE, NN_JSON_TRUE, NN_JSON_NUMBER, NN_JSON_STRING,
    NN_JSON_ARRAY, NN_JSON_OBJECT
} nn_json_type;

typedef struct nn_json nn_json;
struct nn_json {
    nn_json_type type;
    char    *key;        /* member name when inside an object, else NULL */
    char    *str;        /* STRING: the decoded text */
    double   num;        /* NUMBER */
    int      is_uint;    /* NUMBER: written as a plain integer 0..UINT64_MAX */
    uint64_t uint;       /* its exact value when is_uint */
    nn_json *child;      /* ARRAY, OBJECT: first element or member */
    nn_json *next;       /* next sibling */
    int      n_children;
};

/* Parses text[0..len) as one JSON value (blanks around it allowed).
 * Returns NULL on error with a message "at byte N: ..." in why. */
nn_json *nn_json_parse(const char *text, size_t len, char *why, size_t why_len);
void     nn_json_free(nn_json *v);

/* The member of obj named key, or NULL (the first one if repeated). */
const nn_json *nn_json_member(const nn_json *obj, const char *key);

/* A growing text buffer; after an allocation failure `failed` is set and
 * further appends do nothing. */
typedef struct {
    char  *data;
    size_t len, cap;
    int    failed;
} nn_buf;

void nn_buf_printf(nn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nn_buf_json_string(nn_buf *b, const char *s); /* "s", escaped */
void nn_buf_free(nn_buf *b);

#endif
