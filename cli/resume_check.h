/* resume_check.h — what `nn train --resume` checks beyond the settings:
 *
 *   - the data are the ones the checkpoint was made on. The run description
 *     ends with a line "data-identity=files N bytes B hash H mtime T names
 *     H content H" over the files the loader reads behind --data (an image
 *     folder's images, the IDX files of a folder or prefix, or the file;
 *     other files beside them are not data): their number and total size,
 *     FNV-1a hashes of their names, sizes and times (hash), of their names
 *     and sizes (names) and of their names, sizes and bytes (content), and
 *     the newest modification time. A different count, size, listing or
 *     content is an error naming what changed; different times alone (files
 *     touched, copied without their times: the same bytes under the same
 *     names) are a warning, and the run resumes. Checkpoints written before
 *     the names and content were recorded are compared as they were made (a
 *     folder by its whole listing, times included).
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
