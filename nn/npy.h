/* npy.h — NumPy .npy matrices (for example a teacher's logits written by
 * another framework). Included by nn.h; do not include directly.
 *
 *     np.save("teacher_logits.npy", logits.astype(np.float32))   # (N, K)
 *
 *     nn_real *t; int n, k;
 *     if (nn_load_npy("teacher_logits.npy", &t, &n, &k, &err)) ...
 *     ... free(t);
 */
#ifndef NN_NPY_H
#define NN_NPY_H

/* Reads a 2-D little-endian float32 ('<f4') or float64 ('<f8') array in C
 * order from a .npy file (format versions 1, 2 and 3) into a new row-major
 * buffer *data (rows, cols) of nn_real that the caller frees with free().
 * Refuses, naming the file and the problem: a bad magic string or version, a
 * header that is not the dict numpy writes (missing, repeated or unknown
 * keys, unterminated), another dtype or byte order, fortran_order True, a
 * shape that is not (rows ≥ 1, cols ≥ 1), a data size that does not match the
 * shape (truncated or trailing bytes), and NaN or ±inf values. */
nn_status nn_load_npy(const char *path, nn_real **data, int *rows, int *cols, nn_error *err);

/* The same checks (every value of the file is read and checked), but *data
 * (count, cols) keeps only rows [first, first + count): one process's rows
 * under data-parallel training. *rows and *cols are the file's shape, set
 * as soon as the header is read, even when a later check fails; rows
 * outside the file are NN_ERR_ARG. */
nn_status nn_load_npy_rows(const char *path, long first, long count, nn_real **data, int *rows, int *cols,
                           nn_error *err);

/* Writes data (rows, cols) as a version 1.0 '<f4' .npy file, atomically. */
nn_status nn_save_npy(const char *path, const nn_real *data, int rows, int cols,
                      nn_error *err);

#endif
