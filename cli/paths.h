/* paths.h — output files never destroy input files.
 *
 * Before a subcommand reads or writes anything it lists the files it will
 * write (--save, --checkpoint, --plot, …) and the files it will read
 * (--data, --test, --teacher, the MODEL, …) and calls paths_check. Two
 * paths clash when they name the same file: same device and inode after
 * symlinks are resolved, or, for an output that does not exist yet, the same
 * resolved parent folder and the same name. Spelling does not matter:
 * "d.csv", "./d.csv", "sub/../d.csv" and a symlink to d.csv are one file.
 *
 * A data input (--data PATH) stands for every file the loader may read
 * behind PATH: the file or folder itself and the IDX files of a prefix or of
 * a folder (paths_data_files), and the IDX names the loader would look for
 * there (a model saved as fm/train-images-idx3-ubyte.gz beside the plain
 * file would be read as data next time). stdout, when it is a regular
 * file, is an output too (`nn predict m.st x.csv >> x.csv`).
 *
 * A data input that is an image folder (ROOT/<label>/<images>) also forbids
 * writing anywhere inside it: no output may land in ROOT, in a class folder
 * (also one that is a symbolic link to a folder elsewhere) or below them,
 * compared by resolved path, so a model, plot or stdout file is never read
 * (or mistaken) as an image next time.
 */
#ifndef NN_CLI_PATHS_H
#define NN_CLI_PATHS_H

#include <stddef.h>

typedef struct {
    const char *option; /* "--save", "MODEL", "stdout" */
    const char *path;   /* NULL: the option was not given (skipped) */
    int         data;   /* an input given as --data PATH: check its files too */
} cli_path;

/* Returns 1 when no output is the same file as an input or as another
 * output, nor lands in an image folder an input names; otherwise prints one
 * line ("nn CMD: --save d.csv is the same file as --data d.csv; refusing to
 * overwrite an input", "--save imgs/m.st is inside --data imgs, an image
 * folder nn reads; write outputs elsewhere") and returns 0. Every command
 * that writes a file calls it with all its outputs. */
int paths_check(const char *cmd, const cli_path *outputs, int n_out, const cli_path *inputs,
                int n_in);

/* Calls fn(file, user) for PATH itself when it exists and for each IDX file
 * the data loader would read behind PATH (PATH-images-idx3-ubyte[.gz] …,
 * PATH/{train,t10k}-…); returns the number of calls. */
int paths_data_files(const char *path, void (*fn)(const char *file, void *user), void *user);

/* 1 when the data loader reads folder PATH as ROOT/<label>/<image files>
 * (a folder without IDX files). */
int paths_is_image_folder(const char *path);

#endif
