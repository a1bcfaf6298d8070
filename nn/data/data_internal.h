/* data_internal.h — helpers shared by the data loaders (not installed). */
#ifndef NN_DATA_INTERNAL_H
#define NN_DATA_INTERNAL_H

#include "nn/graph_internal.h"

/* Copies n strings (NULL in, NULL out); NULL on allocation failure. */
char **nn_strings_copy(char *const *src, int n);
void   nn_strings_free(char **s, int n);

/* Copies d's descriptions (sizes, classes, names, standardisation, image
 * shape) into dst, which holds no descriptions yet. */
nn_status nn_dataset_copy_meta(nn_dataset *dst, const nn_dataset *src, nn_error *err);

/* Parses the whole of s[0..len) as a number (surrounding blanks allowed).
 * Returns 0 and sets *out, or NN_NUMBER_BAD / NN_NUMBER_NONFINITE. */
enum { NN_NUMBER_BAD = 1, NN_NUMBER_NONFINITE = 2 };
int nn_parse_number(const char *s, size_t len, double *out);

/* Turns m distinct label strings into classes (see "Labels" in data.h):
 * sets d->n_classes, d->label_names and, for numbers, d->values, and
 * class_of[i] (m) for each string. With known classes, maps onto them and
 * fails on a string they do not contain. `where` names the source in
 * messages (a file or folder). */
nn_status nn_resolve_classes(char *const *strings, int m, const nn_class_set *known,
                             int *class_of, nn_dataset *d, const char *where, nn_error *err);

/* Decodes the image file bytes[0..len), read from path (named in messages),
 * into out (height, width, channels) bytes, resized if need be: checked by
 * nn_image_guard first, then decoded by stb_image. NN_ERR_FORMAT with the
 * reason if it cannot be. */
nn_status nn_decode_image(const char *path, const unsigned char *bytes, size_t len, int width,
                          int height, int channels, uint8_t *out, nn_error *err);

#endif
