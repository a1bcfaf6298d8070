/* model_data.h — reading data for an existing model: its image size, its CSV
 * columns, its classes and its standardisation. */
#ifndef NN_CLI_MODEL_DATA_H
#define NN_CLI_MODEL_DATA_H

#include "data_source.h"

/* Loads PATH as m expects it (labels unless no_label). Prints the error
 * as "nn CMD: ..." and returns 0 on failure. */
int load_data_for_model(nn_dataset *d, const char *cmd, const char *path, const nn_model *m,
                        int no_label, int skip_bad);

#endif
