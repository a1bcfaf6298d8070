/* train_files.c — what `nn train` checks about its files before it reads or
 * writes anything (see train_files.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "args.h"
#include "paths.h"
#include "train.h"
#include "train_files.h"

#define CMD "train"

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static void count_file(const char *file, void *user) {
    (void)file;
    ++*(int *)user;
}

/* Options that only mean something for one kind of data. */
static int options_apply(const train_config *c, const arg_option *opts) {
    struct stat sb;
    int exists = stat(c->data, &sb) == 0, n = 0;
    paths_data_files(c->data, count_file, &n);
    int csv = exists && S_ISREG(sb.st_mode) && ends_with(c->data, ".csv");
    int folder = exists && S_ISDIR(sb.st_mode) && n == 1; /* no IDX files in it: images */
    if (!csv && !folder && n == exists) return 1; /* unknown: the loader will say */
    static const char *const image_only[] = {"--rgb", "--image-size", "--skip-bad"};
    static const char *const csv_only[] = {"--label", "--features"};
    const char *kind = csv ? "a CSV file" : folder ? "an image folder" : "IDX data";
    for (size_t i = 0; i < sizeof image_only / sizeof *image_only; i++)
        if (!folder && args_find(opts, image_only[i])->seen) {
            cli_error(CMD, "%s applies to image folders, but --data %s is %s", image_only[i], c->data, kind);
            return 0;
        }
    for (size_t i = 0; i < sizeof csv_only / sizeof *csv_only; i++)
        if (!csv && args_find(opts, csv_only[i])->seen) {
            cli_error(CMD, "%s applies to CSV files, but --data %s is %s", csv_only[i], c->data, kind);
            return 0;
        }
    return 1;
}

/* An earlier run's checkpoint is continued (--resume) or replaced on
 * request (--overwrite), never replaced silently. */
static int checkpoint_free(const train_config *c) {
    struct stat sb;
    if (!c->checkpoint || c->resume || c->overwrite || stat(c->checkpoint, &sb) != 0) return 1;
    char head[4096] = "";
    FILE *f = fopen(c->checkpoint, "rb");
    size_t n = f ? fread(head, 1, sizeof head - 1, f) : 0;
    if (f) fclose(f);
    head[n] = '\0';
    for (size_t i = 0; i < n; i++) /* the header is JSON text after 8 length bytes */
        if (head[i] == '\0') head[i] = ' ';
    int is_checkpoint = n > 8 && strstr(head + 8, "\"nn-checkpoint/") != NULL;
    cli_error(CMD, "--checkpoint %s already %s; pass --resume to continue it or --overwrite to replace it",
              c->checkpoint, is_checkpoint ? "holds a checkpoint of an earlier run" : "exists (not a checkpoint)");
    return 0;
}

static void say_removed(void *user, const char *file) {
    cli_note((const char *)user, "removed %s, a temporary file left by an interrupted run", file);
}

int train_check_files(const train_config *c, const arg_option *opts) {
    if (c->resume && c->overwrite) {
        cli_error(CMD, "--resume and --overwrite contradict each other");
        return 0;
    }
    if (c->overwrite && !c->checkpoint) {
        cli_error(CMD, "--overwrite needs --checkpoint FILE");
        return 0;
    }
    const cli_path outputs[] = {{"--save", c->save, 0}, {"--checkpoint", c->checkpoint, 0}, {"--plot", c->plot, 0}};
    const cli_path inputs[] = {{"--data", c->data, 1}, {"--teacher", c->teacher, 0}, {"--test", c->test, 1}};
    int n_out = (int)(sizeof outputs / sizeof *outputs);
    if (!paths_check(CMD, outputs, n_out, inputs, (int)(sizeof inputs / sizeof *inputs)) ||
        !options_apply(c, opts) || !checkpoint_free(c))
        return 0;
    for (int i = 0; i < n_out; i++)
        if (outputs[i].path) nn_remove_stale_temporaries(outputs[i].path, say_removed, (void *)CMD);
    return 1;
}

int train_check_data(const train_config *c, const nn_dataset *train) {
    int first = train->n ? train->labels[0] : 0;
    for (int i = 1; i < train->n; i++)
        if (train->labels[i] != first) return 1;
    char value[32];
    const char *name = train->label_names ? train->label_names[first] : value;
    if (!train->label_names) snprintf(value, sizeof value, "%g", train->values ? train->values[first] : first);
    if (c->limit)
        cli_error(CMD, "--limit %d: every sample drawn is in class '%s'; a classifier needs at least two classes",
                  c->limit, name);
    else
        cli_error(CMD, "--data %s: every training row is in class '%s'; a classifier needs at least two classes",
                  c->data, name);
    return 0;
}
