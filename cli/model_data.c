/* model_data.c — data shaped for a trained model (see model_data.h). */
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "args.h"
#include "model_data.h"

static int ends_with_csv(const char *s) {
    size_t n = strlen(s);
    return n >= 4 && strcasecmp(s + n - 4, ".csv") == 0;
}

/* Images for an image model, CSV for a CSV model: said before anything is
 * read, not as the first label or column that fails to match. */
static int data_fits_model(const char *cmd, const char *path, const nn_model *m) {
    struct stat sb;
    if (stat(path, &sb) != 0) return 1; /* load_data says why */
    const int *shape = m->data.image_shape;
    if (shape[0] && S_ISREG(sb.st_mode) && ends_with_csv(path)) {
        cli_error(cmd, "%s: a CSV file, but the model was trained on %dx%d %s images: give an "
                  "image folder or IDX files", path, shape[1], shape[0], shape[2] == 3 ? "RGB" : "gray");
        return 0;
    }
    if (!shape[0] && S_ISDIR(sb.st_mode)) {
        cli_error(cmd, "%s: a folder (images or IDX), but the model was trained on CSV columns: "
                  "give a .csv file", path);
        return 0;
    }
    return 1;
}

int load_data_for_model(nn_dataset *d, const char *cmd, const char *path, const nn_model *m,
                        int no_label, int skip_bad) {
    if (!data_fits_model(cmd, path, m)) return 0;
    data_options o = {.no_label = no_label, .skip_bad = skip_bad, .test_split = 1, .cmd = cmd};
    if (!data_options_for_model(&o, m)) {
        cli_error(cmd, "out of memory");
        return 0;
    }
    nn_class_set classes = nn_model_classes(m);
    int known = m->data.label_names || m->data.values;
    nn_error err;
    nn_status st = load_data(d, path, &o, known ? &classes : NULL, &err);
    data_options_free(&o);
    if (st) {
        cli_error(cmd, "%s", err.msg);
        return 0;
    }
    int F = m->arch.sizes[0], K = m->arch.sizes[m->arch.n_sizes - 1];
    const char *problem = NULL;
    if (d->n_features != F) problem = "features";
    else if (d->n_classes > K) problem = "classes";
    if (problem) {
        cli_error(cmd, "%s has %d %s but the model takes %d", path,
                  problem[0] == 'f' ? d->n_features : d->n_classes, problem,
                  problem[0] == 'f' ? F : K);
        nn_dataset_free(d);
        return 0;
    }
    if (nn_dataset_set_standardization(d, m->data.feature_mean, m->data.feature_std, &err)) {
        cli_error(cmd, "%s", err.msg);
        nn_dataset_free(d);
        return 0;
    }
    return 1;
}
