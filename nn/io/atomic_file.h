/* atomic_file.h — write a file so that a crash never leaves half of it.
 *
 * Internal (not included by nn.h). Every file the library writes goes
 * through it:
 *
 *     nn_atomic_file af;
 *     if (nn_atomic_open(&af, path, err)) return err->code;
 *     fprintf(af.f, ...);                       // write freely
 *     return nn_atomic_commit(&af, err);        // or nn_atomic_abort(&af)
 *
 * open creates a temporary file `path.tmp.XXXXXX` in the same directory;
 * commit checks for write errors, flushes, fsyncs, closes and renames it over
 * `path` (rename is atomic within a file system), then fsyncs the directory.
 * On any failure the temporary file is removed and `path` is untouched.
 */
#ifndef NN_ATOMIC_FILE_H
#define NN_ATOMIC_FILE_H

#include <stdio.h>

#include "nn/nn.h"

/* The temporary file's name: path + NN_ATOMIC_SUFFIX + six mkstemp
 * characters (nn_remove_stale_temporaries looks for exactly these). */
#define NN_ATOMIC_SUFFIX ".tmp."
#define NN_ATOMIC_RANDOM 6

typedef struct {
    FILE *f;          /* write here */
    char *tmp_path;   /* owned; freed by commit/abort */
    char *path;       /* owned copy of the destination */
} nn_atomic_file;

nn_status nn_atomic_open(nn_atomic_file *af, const char *path, nn_error *err);
nn_status nn_atomic_commit(nn_atomic_file *af, nn_error *err);
void      nn_atomic_abort(nn_atomic_file *af);

#endif
