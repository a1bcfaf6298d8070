/* model_data.h — reading data for an existing model: its image size, its CSV
 * columns, its classes and its standardisation. */
#ifndef NN_CLI_MODEL_DATA_H
#define NN_CLI_MODEL_DATA_H

#include "data_source.h"

/* Loads PATH as m expects it (labels unless no_label). Prints the error
 * as "nn CMD: ..." and returns 0 on failure. */
int load_data_for_model(nn_dataset *d, const char *cmd, const char *path, const nn_model *m,
                        int no_label, int skip_bad);
/* The same for part `part` of n_parts (data_options.part: one rank's rows
 * under nn-mpi); n_parts 0 reads everything. */
int load_data_for_model_part(nn_dataset *d, const char *cmd, const char *path, const nn_model *m,
                             int no_label, int skip_bad, int part, int n_parts);

/* What load_data_for_model_lenient dropped. */
enum { UNKNOWN_MAX_NAMES = 8 };
typedef struct {
    int  rows;       /* rows whose label is not one of the model's classes */
    int  first_row;  /* the first of them, a data row counted from 1 */
    int  csv;        /* the rows are CSV data rows (counted after the header) */
    char first_file[1024]; /* image folders: the file of the first, else "" */
    int  n_names, more_names;
    char names[UNKNOWN_MAX_NAMES][64]; /* the first distinct unknown labels */
} unknown_labels;

/* As load_data_for_model with labels, but a row whose label the model does
 * not know is dropped and described in *u instead of failing the load. */
int load_data_for_model_lenient(nn_dataset *d, const char *cmd, const char *path,
                                const nn_model *m, int skip_bad, unknown_labels *u);

/* "3 rows have labels the model does not know: '9', '10' (the first is data
 * row 17, counting from 1 after the header)" into buf; for an image folder
 * "(the first is imgs/9/a.png)". */
void unknown_labels_describe(const unknown_labels *u, char *buf, size_t len);

#endif
