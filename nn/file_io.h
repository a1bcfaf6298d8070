/* file_io.h — whole-file reads and atomic writes (internal, not installed). */
#ifndef NN_FILE_IO_H
#define NN_FILE_IO_H

#include "graph_internal.h"

/* Reads all of path into a new buffer (*data, *len bytes, plus a NUL the
 * caller may use as a terminator). Files over max_bytes are refused before
 * anything is allocated. The caller frees *data. */
nn_status nn_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                       nn_error *err);

/* Writes n parts (parts[i], lens[i] bytes) one after another to path,
 * atomically: into a temporary file in the same directory, flushed, fsynced,
 * then renamed over path (and the directory fsynced). On any failure the
 * temporary file is removed and path is untouched. */
nn_status nn_write_file_atomic(const char *path, const void *const *parts, const size_t *lens,
                               int n, nn_error *err);

#endif
