/* resume_check.h — what `nn train --resume` checks beyond the settings:
 *
 *   - the data are the ones the checkpoint was made on. The run description
 *     ends with a line "data-identity=files N bytes B hash H mtime T": the
 *     number of files behind --data and their total size, an FNV-1a hash of
 *     their content (of a file) or of the listing (names, sizes and
 *     modification times of a folder's files), and the newest modification
 *     time. A different count, size or hash is an error naming what changed;
 *     a different time alone (the file was touched, its bytes are the same)
 *     is a warning.
 *   - the checkpoint is not already past --epochs (an error), and a
 *     checkpoint that holds exactly --epochs is said to be complete (a
 *     warning: nothing is trained, the model is saved as it is).
 */
#ifndef NN_CLI_RESUME_CHECK_H
#define NN_CLI_RESUME_CHECK_H

#include <stddef.h>

/* Appends "\ndata-identity=…" for the data at path to run (len bytes).
 * Returns 0 (after printing an error) if the data cannot be read or the
 * line does not fit. */
int data_identity_append(const char *cmd, const char *path, char *run, size_t len);

/* Compares the data identity of this run (run) with the checkpoint's
 * (saved, len bytes, made to match when only the time differs or when the
 * checkpoint has none) and the epochs; prints and returns 0 on a mismatch. */
int resume_check(const char *cmd, const char *data, const char *run, char *saved, size_t len,
                 int saved_epoch, int epochs);

#endif
