/* paths.c — outputs compared with inputs by file identity (see paths.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "data_source.h"
#include "paths.h"

/* What a path names: an existing file (device, inode), or a file still to
 * be created (the resolved parent folder's device and inode, and the name). */
typedef struct {
    int         exists; /* 0: not there and its folder cannot be resolved either */
    int         is_new; /* 1: parent + name, 0: the file itself */
    dev_t       dev;
    ino_t       ino;
    const char *name;   /* is_new: the last component of the path */
} file_id;

static file_id identify(const char *path) {
    file_id id = {0};
    struct stat sb;
    if (stat(path, &sb) == 0) { /* follows symlinks */
        id.exists = 1;
        id.dev = sb.st_dev;
        id.ino = sb.st_ino;
        return id;
    }
    const char *slash = strrchr(path, '/');
    char parent[PATH_MAX];
    if (!slash) snprintf(parent, sizeof parent, ".");
    else if (slash == path) snprintf(parent, sizeof parent, "/");
    else snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
    if (stat(parent, &sb) != 0) return id; /* the write will fail on its own */
    id.exists = id.is_new = 1;
    id.dev = sb.st_dev;
    id.ino = sb.st_ino;
    id.name = slash ? slash + 1 : path;
    return id;
}

static int same(const file_id *a, const file_id *b) {
    return a->exists && b->exists && a->is_new == b->is_new && a->dev == b->dev && a->ino == b->ino &&
           (!a->is_new || strcmp(a->name, b->name) == 0);
}

/* The IDX pair behind prefix P, with and without .gz. */
static int idx_pair(const char *prefix, void (*fn)(const char *, void *), void *user) {
    static const char *const kinds[] = {"-images-idx3-ubyte", "-labels-idx1-ubyte"};
    int n = 0;
    for (int k = 0; k < 2; k++)
        for (int gz = 0; gz < 2; gz++) {
            char file[PATH_MAX];
            if (snprintf(file, sizeof file, "%s%s%s", prefix, kinds[k], gz ? ".gz" : "") >= (int)sizeof file)
                continue;
            if (path_is_file(file)) fn(file, user), n++;
        }
    return n;
}

int paths_data_files(const char *path, void (*fn)(const char *, void *), void *user) {
    int n = 0;
    struct stat sb;
    if (stat(path, &sb) == 0) fn(path, user), n++;
    char prefix[PATH_MAX];
    const char *marker = strstr(path, "-images-idx3-ubyte");
    if (marker) { /* the images file given: its labels too */
        snprintf(prefix, sizeof prefix, "%.*s", (int)(marker - path), path);
        return n + idx_pair(prefix, fn, user);
    }
    if (path_is_dir(path)) {
        static const char *const splits[] = {"train", "t10k"};
        for (int s = 0; s < 2; s++)
            if (snprintf(prefix, sizeof prefix, "%s/%s", path, splits[s]) < (int)sizeof prefix)
                n += idx_pair(prefix, fn, user);
        return n;
    }
    return n + idx_pair(path, fn, user);
}

/* Every file behind the inputs, with the option that named it. */
typedef struct {
    file_id    *ids;
    const char **option, **path;
    int         n, cap;
    int         failed;
} id_list;

static void push(id_list *l, const char *option, const char *path) {
    if (l->failed) return;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        file_id *ids = realloc(l->ids, (size_t)cap * sizeof *ids);
        if (ids) l->ids = ids;
        const char **o = realloc(l->option, (size_t)cap * sizeof *o);
        if (o) l->option = o;
        const char **p = realloc(l->path, (size_t)cap * sizeof *p);
        if (p) l->path = p;
        if (!ids || !o || !p) {
            l->failed = 1;
            return;
        }
        l->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy) {
        l->failed = 1;
        return;
    }
    l->ids[l->n] = identify(copy);
    l->option[l->n] = option;
    l->path[l->n] = copy;
    l->n++;
}

typedef struct {
    id_list    *list;
    const char *option;
} push_ctx;

static void push_file(const char *file, void *user) {
    push_ctx *c = user;
    push(c->list, c->option, file);
}

static void free_list(id_list *l) {
    for (int i = 0; i < l->n; i++) free((char *)l->path[i]);
    free(l->ids);
    free(l->option);
    free(l->path);
}

int paths_check(const char *cmd, const cli_path *outputs, int n_out, const cli_path *inputs,
                int n_in) {
    id_list in = {0}, out = {0};
    for (int i = 0; i < n_in; i++) {
        if (!inputs[i].path) continue;
        if (inputs[i].data) {
            push_ctx c = {&in, inputs[i].option};
            paths_data_files(inputs[i].path, push_file, &c);
        } else {
            push(&in, inputs[i].option, inputs[i].path);
        }
    }
    for (int i = 0; i < n_out; i++)
        if (outputs[i].path) push(&out, outputs[i].option, outputs[i].path);
    struct stat sb;
    int stdout_file = fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode);
    file_id stdout_id = {.exists = 1, .dev = sb.st_dev, .ino = sb.st_ino};
    int ok = !in.failed && !out.failed;
    if (!ok) cli_error(cmd, "out of memory");
    for (int i = 0; ok && i < out.n; i++) {
        for (int j = 0; ok && j < in.n; j++)
            if (same(&out.ids[i], &in.ids[j])) {
                cli_error(cmd, "%s %s is the same file as %s %s; refusing to overwrite an input",
                          out.option[i], out.path[i], in.option[j], in.path[j]);
                ok = 0;
            }
        for (int j = 0; ok && j < i; j++)
            if (same(&out.ids[i], &out.ids[j])) {
                cli_error(cmd, "%s %s and %s %s are the same file; give each output its own name",
                          out.option[j], out.path[j], out.option[i], out.path[i]);
                ok = 0;
            }
        if (ok && stdout_file && same(&out.ids[i], &stdout_id)) {
            cli_error(cmd, "%s %s is the file standard output goes to; give it another name",
                      out.option[i], out.path[i]);
            ok = 0;
        }
    }
    for (int j = 0; ok && stdout_file && j < in.n; j++)
        if (same(&stdout_id, &in.ids[j])) {
            cli_error(cmd, "standard output goes to %s %s, an input; refusing to write over it",
                      in.option[j], in.path[j]);
            ok = 0;
        }
    free_list(&in);
    free_list(&out);
    return ok;
}
