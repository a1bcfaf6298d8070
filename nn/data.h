/* data.h — CSV and image-folder loaders, splits, standardisation.
 * Included by nn.h; do not include directly.
 *
 * Usage
 * -----
 *     nn_dataset all, train, val;
 *     nn_csv_options co = {.label = "grade"};             // other columns: features
 *     if (nn_load_csv(&all, "patients.csv", &co, &err)) die(err.msg);
 *     if (nn_dataset_split(&all, 0.2, 42, &train, &val, &err)) die(err.msg);
 *     nn_dataset_free(&all);
 *     if (nn_dataset_fit_standardization(&train, &err) ||   // mean/std of train
 *         nn_dataset_set_standardization(&val, train.feature_mean,
 *                                        train.feature_std, &err)) die(err.msg);
 *     // nn_dataset_gather now hands out standardised rows for both sets
 *
 * Labels
 * ------
 * CSV label columns and image folder names are strings. The classes are the
 * distinct strings, sorted; when every one is a number they are sorted by
 * value and become the dataset's category values (`ages/23/...` gives an
 * ordinal classifier whose class k stands for values[k]). Two strings with
 * the same value ("1" and "1.0") are an error.
 * To read data for an existing model (evaluation), pass its classes in
 * `classes`: labels are then mapped onto them (by value when the model has
 * values and the label is a number, else by name), and a label the model does
 * not know is an error.
 */
#ifndef NN_DATA_H
#define NN_DATA_H

/* Receives one human-readable warning (a skipped file ...). */
typedef void (*nn_warning_fn)(void *user, const char *message);

/* Classes known in advance (those of a trained model), or n = 0. */
typedef struct {
    int                n;      /* number of classes, 0: derive from the data */
    const char *const *names;  /* (n) class names, or NULL */
    const double      *values; /* (n) category values, or NULL */
} nn_class_set;

/* ------------------------------------------------------------------ CSV */

typedef struct {
    const char  *label;     /* header name of the label column; NULL: the last column */
    const char  *features;  /* comma-separated header names; NULL: all but the label */
    int          no_label;  /* 1: no label column is read; every label is 0 */
    char         delimiter; /* 0 means ',' */
    nn_class_set classes;   /* optional, see Labels */
} nn_csv_options;

/* Reads a CSV file whose first line is a header. Fields may be quoted with
 * "..." ("" inside quotes is a quote); blank lines are skipped; CRLF is fine.
 * Every feature field must be a finite number: an error names the file, the
 * line, the column and the field. Sets feature_names and label_column. */
nn_status nn_load_csv(nn_dataset *out, const char *path, const nn_csv_options *o,
                      nn_error *err);

/* -------------------------------------------------------- image folders */

typedef struct {
    int          width, height; /* resize every image to this; 0, 0: the first image's size */
    int          channels;      /* 1 (gray) or 3 (RGB); 0 means 1 */
    int          skip_bad;      /* 1: skip files stb_image cannot decode, with a warning */
    nn_warning_fn warn;         /* receives warnings; may be NULL */
    void        *warn_user;
    int         *n_skipped;     /* if not NULL, receives the number of skipped files */
    nn_class_set classes;       /* optional, see Labels */
    /* Part `part` of n_parts (0, 0: everything): only the files
     * [n·part/n_parts, n·(part + 1)/n_parts) of the n in the sorted listing
     * are decoded, for one process of a data-parallel job. Every part has
     * the same classes and image size (the first image of the whole folder);
     * a part may be empty. */
    int          part, n_parts;
} nn_image_options;

/* Reads ROOT/<label>/<file> for every file whose name ends in an image
 * extension (png jpg jpeg bmp gif tga psd pnm pgm ppm hdr pic, any case);
 * other files and hidden entries are ignored. Formats (decoded by stb_image,
 * whatever the extension says): PNG, JPEG (8-bit baseline and progressive),
 * BMP, GIF (first frame), TGA, PSD (the composite image), HDR (converted to 8
 * bits) and binary 8-bit PNM (P5, P6). Refused with an error naming the file:
 * 16-bit PNM, Softimage PIC (stb_image's loader crashes on corrupt ones) and
 * corrupt files stb_image would mishandle (see nn/data/image_guard.c). Pixels are converted to gray or
 * RGB, resized (stb_image_resize), and kept as bytes scaled by 1/255; the
 * features of a sample are its rows top to bottom, each pixel's channels
 * together. A root without class folders, or a class folder without images,
 * is an error; so is an undecodable file, unless skip_bad. Files are read in
 * sorted order, so the sample order does not depend on the file system.
 * out->row_files names the file of every row (for messages about a row). */
nn_status nn_load_image_folder(nn_dataset *out, const char *root, const nn_image_options *o,
                               nn_error *err);

/* Calls fn(path, user) for every file nn_load_image_folder(root) would read
 * ("ROOT/<label>/<file>"), in its order, without reading them: for a record
 * of which files a run used. The listing errors are nn_load_image_folder's. */
nn_status nn_image_folder_files(const char *root, void (*fn)(const char *path, void *user), void *user,
                                nn_error *err);

/* Reads one image file into x (height · width · channels) in [0, 1], with the
 * same conversion as nn_load_image_folder. */
nn_status nn_load_image(nn_real *x, const char *path, int width, int height, int channels,
                        nn_error *err);

/* -------------------------------------------------- split, standardise */

/* Shuffles the rows of d with `seed` and puts round(n · val_fraction) of them
 * in val and the rest in train (both new datasets the caller frees, carrying
 * d's classes, names and standardisation). 0 < val_fraction < 1, and both
 * parts must get at least one row. */
nn_status nn_dataset_split(const nn_dataset *d, double val_fraction, uint64_t seed,
                           nn_dataset *train, nn_dataset *val, nn_error *err);

/* The order behind nn_dataset_split: perm (n) is a seeded permutation of
 * 0..n−1 whose first *n_val entries are the validation rows and whose rest,
 * in order, are the training rows. For processes that each hold some of the
 * rows and must agree on the split. */
nn_status nn_split_order(int n, double val_fraction, uint64_t seed, int *perm, int *n_val,
                         nn_error *err);

/* A new dataset (the caller frees) of rows idx[0..n) of d, in that order,
 * with d's descriptions, targets and row files; n may be 0. */
nn_status nn_dataset_subset(const nn_dataset *d, const int *idx, int n, nn_dataset *out,
                            nn_error *err);

/* Keeps n of d's rows in a new dataset *out (the caller frees it, with d's
 * classes, names, targets and standardisation): the first n after a
 * shuffle with `seed`, in the shuffled order (nn_dataset_split's
 * shuffle). 1 <= n <= d->n. For learning curves and data-limited studies:
 * the same seed and a larger n give a superset. */
nn_status nn_dataset_limit(const nn_dataset *d, int n, uint64_t seed, nn_dataset *out,
                           nn_error *err);

/* Class weights w (d->n_classes) that balance the classes of d, as
 * scikit-learn's compute_class_weight("balanced"):
 *     w_k = n / (K · n_k),  n_k = the samples of class k,
 * so that each class carries the same total weight and Σ_k n_k w_k = n.
 * A class without samples is an error naming it. */
nn_status nn_class_weights_balanced(const nn_dataset *d, double *w, nn_error *err);

/* Computes each feature's mean and standard deviation over d and sets them
 * as d's standardisation: gather then returns (x − mean) / std. A feature
 * with std below NN_STD_MIN (constant, e.g. a blank border pixel) keeps
 * std = 1, so it is centred but not blown up. */
#define NN_STD_MIN 1e-8
nn_status nn_dataset_fit_standardization(nn_dataset *d, nn_error *err);

/* Sets d's standardisation to copies of mean and std (n_features each; std
 * must be positive and finite); NULL, NULL removes it. */
nn_status nn_dataset_set_standardization(nn_dataset *d, const double *mean, const double *std,
                                         nn_error *err);

/* x (B, F) <- (x − mean) / std, row by row, in the arithmetic
 * nn_dataset_gather uses (so a row read by hand matches a gathered one). */
void nn_standardize_rows(nn_real *x, int B, int F, const double *mean, const double *std);

#endif
