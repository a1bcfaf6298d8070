/* model_internal.h — shared by the model files (not installed). */
#ifndef NN_MODEL_INTERNAL_H
#define NN_MODEL_INTERNAL_H

#include "nn/graph_internal.h"
#include "nn/io/safetensors.h"

/* The registry entry of a's loss, after checking the settings it reads are
 * in range; NULL with an error naming the loss or the setting. */
const nn_loss_info *nn_model_loss_entry(const nn_arch *a, nn_error *err);

/* nn_model_build in two steps: the graph (no parameters allocated yet, so a
 * file's tensors can be checked against m->tensors first), then its
 * compilation with the check that every parameter is in m->tensors. Both
 * free m on failure. */
nn_status nn_model_build_graph(nn_model *m, const nn_arch *a, const nn_dataset *data,
                               int max_batch, int with_loss, nn_error *err);
nn_status nn_model_compile(nn_model *m, uint64_t seed, nn_error *err);

/* Builds l's head (and, with_loss, its loss) on node `hidden`; sets the last
 * of m->dense, m->logits, m->probs, m->loss and m->targets. */
nn_status nn_model_add_head(nn_model *m, const nn_loss_info *l, int hidden, int with_loss,
                            nn_error *err);

/* The tensors of m's parameters (m->tensors) in out[0 .. m->n_tensors). */
int nn_model_tensors(const nn_model *m, nn_st_out *out);

/* Writes m with its metadata plus extra tensors and metadata pairs. */
nn_status nn_model_write(const nn_model *m, const char *format, const nn_st_out *extra, int n_extra,
                         const char *const (*extra_meta)[2], int n_extra_meta, const char *path,
                         nn_error *err);

/* A decimal integer in metadata `key` within [0, max]; an error naming the
 * file when it is absent or anything else. */
nn_status nn_meta_uint(const nn_st_file *f, const char *key, unsigned long long max, unsigned long long *out,
                       nn_error *err);

/* Reads the architecture and data description of f into a new model (graph
 * built, weights loaded). `format` is the expected __metadata__.format. */
nn_status nn_model_from_file(nn_model *m, const nn_st_file *f, const char *format, int max_batch,
                             int with_loss, nn_error *err);

#endif
