/* json.c — recursive-descent JSON reader (bounded, depth-limited) and a
 * text buffer with JSON string escaping. See json.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/io/json.h"
#include "nn/text.h"

#define NN_JSON_MAX_DEPTH 32

typedef struct {
    const char *s;
    size_t len, pos;
    char *why;
    size_t why_len;
    int failed;
} parser;

static void fail(parser *p, const char *what) {
    if (p->failed) return;
    p->failed = 1;
    snprintf(p->why, p->why_len, "at byte %zu: %s", p->pos, what);
}

static void skip_blanks(parser *p) {
    while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos]) p->pos++;
}

static int peek(parser *p) { return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1; }

static int literal(parser *p, const char *word) {
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return 0;
    p->pos += n;
    return 1;
}

static void put_utf8(char *out, size_t *o, uint32_t c) {
    if (c < 0x80) out[(*o)++] = (char)c;
    else if (c < 0x800) {
        out[(*o)++] = (char)(0xC0 | c >> 6);
        out[(*o)++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out[(*o)++] = (char)(0xE0 | c >> 12);
        out[(*o)++] = (char)(0x80 | (c >> 6 & 0x3F));
        out[(*o)++] = (char)(0x80 | (c & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | c >> 18);
        out[(*o)++] = (char)(0x80 | (c >> 12 & 0x3F));
        out[(*o)++] = (char)(0x80 | (c >> 6 & 0x3F));
        out[(*o)++] = (char)(0x80 | (c & 0x3F));
    }
}

static int hex4(parser *p, uint32_t *out) {
    if (p->len - p->pos < 4) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos + i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return 0;
        v = v << 4 | (uint32_t)d;
    }
    p->pos += 4;
    *out = v;
    return 1;
}

/* Parses a string at p->pos (which is '"'); returns a new C string. */
static char *parse_string(parser *p) {
    p->pos++; /* opening quote */
    size_t start = p->pos, end = start;
    while (end < p->len && p->s[end] != '"') end += p->s[end] == '\\' ? 2 : 1;
    if (end >= p->len) {
        fail(p, "unterminated string");
        return NULL;
    }
    char *out = malloc(end - start + 1); /* decoding never makes text longer */
    if (!out) {
        fail(p, "out of memory");
        return NULL;
    }
    size_t o = 0;
    while (p->pos < end) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c < 0x20) {
            fail(p, "control character in a string");
            break;
        }
        if (c != '\\') {
            out[o++] = (char)c;
            p->pos++;
            continue;
        }
        p->pos++;
        char e = p->s[p->pos++];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *hit = e ? strchr(from, e) : NULL;
        if (hit) {
            out[o++] = to[hit - from];
            continue;
        }
        uint32_t u, lo;
        if (e != 'u' || !hex4(p, &u)) {
            fail(p, "bad escape in a string");
            break;
        }
        if (u >= 0xD800 && u < 0xDC00) { /* high surrogate: a low one must follow */
            if (!(literal(p, "\\u") && hex4(p, &lo) && lo >= 0xDC00 && lo < 0xE000)) {
                fail(p, "unpaired surrogate in a string");
                break;
            }
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        } else if (u >= 0xDC00 && u < 0xE000) {
            fail(p, "unpaired surrogate in a string");
            break;
        }
        if (u == 0) {
            fail(p, "\\u0000 in a string");
            break;
        }
        put_utf8(out, &o, u);
    }
    if (p->failed) {
        free(out);
        return NULL;
    }
    out[o] = '\0';
    p->pos = end + 1;
    return out;
}

static void parse_number(parser *p, nn_json *v) {
    size_t start = p->pos;
    if (peek(p) == '-') p->pos++;
    size_t digits = p->pos;
    if (peek(p) == '0') p->pos++;
    else if (peek(p) >= '1' && peek(p) <= '9')
        while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    else {
        fail(p, "bad number");
        return;
    }
    int plain = p->s[start] != '-';
    if (peek(p) == '.') {
        plain = 0;
        p->pos++;
        if (!(peek(p) >= '0' && peek(p) <= '9')) {
            fail(p, "bad number");
            return;
        }
        while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        plain = 0;
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-') p->pos++;
        if (!(peek(p) >= '0' && peek(p) <= '9')) {
            fail(p, "bad number");
            return;
        }
        while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    }
    char buf[64];
    size_t n = p->pos - start;
    if (n >= sizeof buf) {
        fail(p, "number too long");
        return;
    }
    memcpy(buf, p->s + start, n);
    buf[n] = '\0';
    v->type = NN_JSON_NUMBER;
    v->num = strtod(buf, NULL);
    if (!isfinite(v->num)) {
        fail(p, "number out of range");
        return;
    }
    if (plain) { /* exact integer, with overflow check */
        uint64_t u = 0;
        int fits = 1;
        for (size_t i = digits; i < p->pos; i++) {
            unsigned d = (unsigned)(p->s[i] - '0');
            if (u > (UINT64_MAX - d) / 10) fits = 0;
            u = u * 10 + d;
        }
        v->is_uint = fits;
        v->uint = fits ? u : 0;
    }
}

static nn_json *parse_value(parser *p, int depth);

/* Elements or members up to the closing bracket; p->pos is after the opener. */
static void parse_items(parser *p, nn_json *v, int depth, char close) {
    nn_json **tail = &v->child;
    skip_blanks(p);
    if (peek(p) == close) {
        p->pos++;
        return;
    }
    for (;;) {
        char *key = NULL;
        if (close == '}') {
            skip_blanks(p);
            if (peek(p) != '"') {
                fail(p, "expected a member name");
                return;
            }
            if (!(key = parse_string(p))) return;
            skip_blanks(p);
            if (peek(p) != ':') {
                free(key);
                fail(p, "expected ':'");
                return;
            }
            p->pos++;
        }
        nn_json *item = parse_value(p, depth + 1);
        if (!item) {
            free(key);
            return;
        }
        item->key = key;
        *tail = item;
        tail = &item->next;
        v->n_children++;
        skip_blanks(p);
        int c = peek(p);
        p->pos += c >= 0;
        if (c == close) return;
        if (c != ',') {
            p->pos -= c >= 0;
            fail(p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
            return;
        }
    }
}

static nn_json *parse_value(parser *p, int depth) {
    if (depth > NN_JSON_MAX_DEPTH) {
        fail(p, "nested too deeply");
        return NULL;
    }
    skip_blanks(p);
    nn_json *v = calloc(1, sizeof *v);
    if (!v) {
        fail(p, "out of memory");
        return NULL;
    }
    int c = peek(p);
    if (c == '{' || c == '[') {
        v->type = c == '{' ? NN_JSON_OBJECT : NN_JSON_ARRAY;
        p->pos++;
        parse_items(p, v, depth, c == '{' ? '}' : ']');
    } else if (c == '"') {
        v->type = NN_JSON_STRING;
        v->str = parse_string(p);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        parse_number(p, v);
    } else if (literal(p, "true")) {
        v->type = NN_JSON_TRUE;
    } else if (literal(p, "false")) {
        v->type = NN_JSON_FALSE;
    } else if (literal(p, "null")) {
        v->type = NN_JSON_NULL;
    } else {
        fail(p, c < 0 ? "unexpected end of text" : "unexpected character");
    }
    if (p->failed) {
        nn_json_free(v);
        return NULL;
    }
    return v;
}

nn_json *nn_json_parse(const char *text, size_t len, char *why, size_t why_len) {
    parser p = {.s = text, .len = len, .why = why, .why_len = why_len};
    nn_json *v = parse_value(&p, 0);
    if (v) {
        skip_blanks(&p);
        if (p.pos != len) {
            fail(&p, "unexpected text after the value");
            nn_json_free(v);
            v = NULL;
        }
    }
    return v;
}

void nn_json_free(nn_json *v) {
    while (v) {
        nn_json *next = v->next;
        nn_json_free(v->child); /* depth is bounded by NN_JSON_MAX_DEPTH */
        free(v->key);
        free(v->str);
        free(v);
        v = next;
    }
}

const nn_json *nn_json_member(const nn_json *obj, const char *key) {
    if (!obj || obj->type != NN_JSON_OBJECT) return NULL;
    for (const nn_json *m = obj->child; m; m = m->next)
        if (strcmp(m->key, key) == 0) return m;
    return NULL;
}

/* ---------------------------------------------------------------- writer */

static int reserve(nn_buf *b, size_t extra) {
    if (b->failed) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data) {
        b->failed = 1;
        return 0;
    }
    b->data = data;
    b->cap = cap;
    return 1;
}

void nn_buf_printf(nn_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* A byte that is not part of valid UTF-8 cannot be in JSON: it is written
 * as the text \xHH (a backslash, escaped, then x and two hex digits), as
 * in messages. */
void nn_buf_json_string(nn_buf *b, const char *s) {
    nn_buf_printf(b, "\"");
    for (size_t n = strlen(s); *s; s++, n--) {
        unsigned char c = (unsigned char)*s;
        size_t k = c < 0x80 ? 1 : nn_utf8_char(s, n);
        if (c == '"' || c == '\\') nn_buf_printf(b, "\\%c", c);
        else if (c < 0x20) nn_buf_printf(b, "\\u%04x", c);
        else if (k == 0) nn_buf_printf(b, "\\\\x%02x", c);
        else nn_buf_printf(b, "%.*s", (int)k, s), s += k - 1, n -= k - 1;
    }
    nn_buf_printf(b, "\"");
}

void nn_buf_free(nn_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}
