/* error.c — status names and the printf-style error filler. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h"
#include "nn/text.h"

const char *nn_status_name(nn_status s) {
    switch (s) {
    case NN_OK: return "ok";
    case NN_ERR_ARG: return "invalid argument";
    case NN_ERR_SHAPE: return "shape error";
    case NN_ERR_NOMEM: return "out of memory";
    case NN_ERR_IO: return "i/o error";
    case NN_ERR_FORMAT: return "format error";
    case NN_ERR_NUMERIC: return "numeric error";
    }
    return "unknown error";
}

/* Every message is one line of valid UTF-8 that fits err->msg: the bytes a
 * user gave (a file name with a newline, a label in Latin-1) are escaped,
 * and a message too long is shortened in the middle — what is quoted —
 * keeping the start (the file or option) and the end (the reason). Only a
 * message of 2 KiB or more allocates (to be escaped whole). */
nn_status nn_set_error(nn_error *err, nn_status code, const char *fmt, ...) {
    if (!err) return code;
    err->code = code;
    char raw[2048], escaped[2048], *big = NULL, *esc = escaped;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    const char *text = raw;
    if (n >= (int)sizeof raw && (big = malloc((size_t)n + 1))) {
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        text = big;
    }
    size_t need = nn_escape_line(NULL, 0, text) + 1, room = sizeof escaped;
    if (need > room && (esc = malloc(need))) room = need;
    else if (need > room) esc = escaped;
    nn_escape_line(esc, room, text);
    nn_fit_middle(err->msg, sizeof err->msg, esc, strlen(esc));
    if (esc != escaped) free(esc);
    free(big);
    return code;
}
