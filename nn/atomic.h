/* atomic.h — writing a file so that a crash never leaves half of it.
 * Included by nn.h; do not include directly. Every file the library and
 * the nn program write goes through it; programs of your own can too:
 *
 *     nn_atomic_file af;
 *     if (nn_atomic_open(&af, "out.csv", &err)) return err.code;
 *     fprintf(af.f, ...);                          // write freely
 *     if (nn_atomic_commit(&af, &err)) ...;        // or nn_atomic_abort(&af)
 *
 * open creates a temporary file `path.tmp.XXXXXX` in the same directory;
 * commit checks for write errors, flushes, fsyncs, closes and renames it
 * over `path` (rename is atomic within a file system), then fsyncs the
 * directory. On any failure the temporary file is removed and `path` is
 * untouched. A replaced file keeps its mode; a new one gets 0666 less the
 * umask. */
#ifndef NN_ATOMIC_H
#define NN_ATOMIC_H

#include <stdio.h>

typedef struct {
    FILE *f;          /* write here */
    char *tmp_path;   /* owned; freed by commit/abort */
    char *path;       /* owned copy of the destination */
} nn_atomic_file;

nn_status nn_atomic_open(nn_atomic_file *af, const char *path, nn_error *err);
nn_status nn_atomic_commit(nn_atomic_file *af, nn_error *err);
void      nn_atomic_abort(nn_atomic_file *af);

#endif
