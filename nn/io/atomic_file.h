/* atomic_file.h — the temporary files of atomic writes. The writer itself
 * (nn_atomic_file, nn_atomic_open/commit/abort: temporary file, fsync,
 * rename, fsync of the directory) is public in nn/atomic.h, which nn.h
 * includes; every file the library writes goes through it. */
#ifndef NN_ATOMIC_FILE_H
#define NN_ATOMIC_FILE_H

#include <stdio.h>

#include "nn/nn.h"

/* The temporary file's name: path + NN_ATOMIC_SUFFIX + six mkstemp
 * characters (nn_remove_stale_temporaries looks for exactly these). */
#define NN_ATOMIC_SUFFIX ".tmp."
#define NN_ATOMIC_RANDOM 6

#endif
