/* file_io.h — whole-file reads (internal, not installed). Writes go through
 * atomic_file.h. */
#ifndef NN_FILE_IO_H
#define NN_FILE_IO_H

#include "nn/graph_internal.h"

/* Reads all of path into a new buffer (*data, *len bytes, plus a NUL the
 * caller may use as a terminator). Files over max_bytes are refused before
 * anything is allocated. The caller frees *data. */
nn_status nn_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                       nn_error *err);

#endif
