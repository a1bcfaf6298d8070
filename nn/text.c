/* text.c — escaping for messages and JSON (see text.h). */
#include <stdio.h>
#include <string.h>

#include "nn/text.h"

size_t nn_utf8_char(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;      /* no overlong forms */
        else if (c == 0xED) hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || u[1] < lo || u[1] > hi) return 0;
    for (size_t k = 2; k < len; k++)
        if ((u[k] & 0xC0) != 0x80) return 0;
    return len;
}

int nn_utf8_valid(const char *s) {
    size_t n = strlen(s);
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = nn_utf8_char(s + i, n - i))) return 0;
    return 1;
}

size_t nn_escape_line(char *out, size_t out_size, const char *s) {
    size_t n = strlen(s), o = 0, total = 0;
    int full = out_size == 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        char piece[8];
        size_t k = c < 0x20 || c == 0x7F ? 0 : nn_utf8_char(s + i, n - i), m;
        if (k) {
            memcpy(piece, s + i, k);
            m = k;
        } else {
            if (c == '\n') m = (size_t)snprintf(piece, sizeof piece, "\\n");
            else if (c == '\r') m = (size_t)snprintf(piece, sizeof piece, "\\r");
            else if (c == '\t') m = (size_t)snprintf(piece, sizeof piece, "\\t");
            else m = (size_t)snprintf(piece, sizeof piece, "\\x%02x", c);
            k = 1;
        }
        if (!full && o + m < out_size) {
            memcpy(out + o, piece, m);
            o += m;
        } else {
            full = 1;
        }
        total += m;
        i += k;
    }
    if (out_size) out[o] = '\0';
    return total;
}

/* The largest boundary at or before `at` that does not split a UTF-8
 * character (continuation bytes are 10xxxxxx). */
static size_t boundary_before(const char *s, size_t at) {
    while (at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80) at--;
    return at;
}

void nn_fit_middle(char *out, size_t out_size, const char *text, size_t len) {
    static const char mark[] = " [...] ";
    if (out_size == 0) return;
    if (len < out_size || out_size < sizeof mark + 8) {
        size_t n = len < out_size ? len : boundary_before(text, out_size - 1);
        memcpy(out, text, n);
        out[n] = '\0';
        return;
    }
    size_t room = out_size - sizeof mark; /* bytes of text kept: a third from the start */
    size_t head = boundary_before(text, room / 3), tail_from = len - (room - head);
    while (tail_from < len && ((unsigned char)text[tail_from] & 0xC0) == 0x80) tail_from++;
    memcpy(out, text, head);
    memcpy(out + head, mark, sizeof mark - 1);
    memcpy(out + head + sizeof mark - 1, text + tail_from, len - tail_from);
    out[head + sizeof mark - 1 + len - tail_from] = '\0';
}
