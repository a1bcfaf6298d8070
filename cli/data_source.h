/* data_source.h — what `--data PATH` means, for every subcommand.
 *
 * PATH may be
 *   - a CSV file (name ending in .csv): header, features, a label column;
 *   - a folder of class folders (ROOT/<label>/<image files>);
 *   - a folder holding IDX files: train-images-idx3-ubyte[.gz] and
 *     train-labels-idx1-ubyte[.gz] (or t10k-… when reading test data);
 *   - an IDX prefix P, meaning P-images-idx3-ubyte[.gz] and
 *     P-labels-idx1-ubyte[.gz], or the images file itself.
 */
#ifndef NN_CLI_DATA_SOURCE_H
#define NN_CLI_DATA_SOURCE_H

#include "nn/nn.h"

typedef struct {
    const char *label;        /* CSV label column (NULL: last) */
    const char *features;     /* CSV feature columns (NULL: all others) */
    int         no_label;     /* CSV without labels (prediction) */
    int         width, height;/* images: resize to this (0: first image's size) */
    int         channels;     /* images: 1 or 3 */
    int         skip_bad;     /* images: skip undecodable files with a warning */
    int         test_split;   /* IDX folders: read t10k-* instead of train-* */
    int         part, n_parts;/* 0, 0: everything; else part `part` of n_parts (one rank's
                                 rows under nn-mpi): IDX and image folders read only those
                                 rows, CSV is read whole and then cut */
    const char *cmd;          /* for warnings: "nn CMD: ..." */
    char       *owned;        /* storage behind `features` when set from a model */
} data_options;

/* Loads PATH. classes: a model's classes to map labels onto, or NULL. */
nn_status load_data(nn_dataset *d, const char *path, const data_options *o,
                    const nn_class_set *classes, nn_error *err);

/* Sets the options that make data fit `m`: its image shape, its CSV feature
 * and label columns. Returns 0 if out of memory. */
int  data_options_for_model(data_options *o, const nn_model *m);
void data_options_free(data_options *o);

/* Whether p names a regular file / a directory (after symlinks). */
int path_is_file(const char *p);
int path_is_dir(const char *p);

#endif
