/* error.c — status names and the printf-style error filler. */
#include <stdarg.h>
#include <stdio.h>

#include "nn/graph_internal.h"

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

nn_status nn_set_error(nn_error *err, nn_status code, const char *fmt, ...) {
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
