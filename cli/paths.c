/* paths.c — outputs compared with inputs by file identity (see paths.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
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

/* The IDX pair behind prefix P, with and without .gz: those that exist, or
 * (all) every name the loader would look for. */
static int idx_names(const char *prefix, int all, void (*fn)(const char *, void *), void *user) {
    static const char *const kinds[] = {"-images-idx3-ubyte", "-labels-idx1-ubyte"};
    int n = 0;
    for (int k = 0; k < 2; k++)
        for (int gz = 0; gz < 2; gz++) {
            char file[PATH_MAX];
            if (snprintf(file, sizeof file, "%s%s%s", prefix, kinds[k], gz ? ".gz" : "") >= (int)sizeof file)
                continue;
            if (all || path_is_file(file)) fn(file, user), n++;
        }
    return n;
}

/* Is there an images file of split `split` in folder dir (the loader's test
 * for an IDX folder)? */
static int has_idx_images(const char *dir, const char *split) {
    char file[PATH_MAX];
    for (int gz = 0; gz < 2; gz++)
        if (snprintf(file, sizeof file, "%s/%s-images-idx3-ubyte%s", dir, split, gz ? ".gz" : "") <
                (int)sizeof file &&
            path_is_file(file))
            return 1;
    return 0;
}

int paths_is_image_folder(const char *path) {
    return path_is_dir(path) && !has_idx_images(path, "train") && !has_idx_images(path, "t10k");
}

/* The files behind PATH (see paths_data_files); with all, also the IDX
 * names the loader would look for there that do not exist yet (a file
 * written under such a name would be read as data next time). */
static int data_files(const char *path, int all, void (*fn)(const char *, void *), void *user) {
    int n = 0;
    struct stat sb;
    if (!all && stat(path, &sb) == 0) fn(path, user), n++;
    char prefix[PATH_MAX];
    const char *marker = strstr(path, "-images-idx3-ubyte");
    if (marker) { /* the images file given: its labels too */
        snprintf(prefix, sizeof prefix, "%.*s", (int)(marker - path), path);
        return n + idx_names(prefix, all, fn, user);
    }
    if (path_is_dir(path)) {
        if (all && paths_is_image_folder(path)) return n; /* paths_check's folder rule */
        static const char *const splits[] = {"train", "t10k"};
        for (int s = 0; s < 2; s++)
            if (snprintf(prefix, sizeof prefix, "%s/%s", path, splits[s]) < (int)sizeof prefix)
                n += idx_names(prefix, all, fn, user);
        return n;
    }
    if (all && path_is_file(path)) return n; /* a CSV file, not a prefix */
    return n + idx_names(path, all, fn, user);
}

int paths_data_files(const char *path, void (*fn)(const char *, void *), void *user) {
    return data_files(path, 0, fn, user);
}

/* Every file behind the inputs, with the option that named it. */
typedef struct {
    file_id    *ids;
    const char **option, **path;
    const char **given; /* (n) the input as given (--data PATH) */
    char       *unread; /* (n) 1: a name the loader would look for, not there yet */
    int         n, cap;
    int         failed;
} id_list;

static void push(id_list *l, const char *option, const char *given, const char *path, int unread) {
    if (l->failed) return;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        file_id *ids = realloc(l->ids, (size_t)cap * sizeof *ids);
        if (ids) l->ids = ids;
        const char **o = realloc(l->option, (size_t)cap * sizeof *o);
        if (o) l->option = o;
        const char **p = realloc(l->path, (size_t)cap * sizeof *p);
        if (p) l->path = p;
        const char **g = realloc(l->given, (size_t)cap * sizeof *g);
        if (g) l->given = g;
        char *u = realloc(l->unread, (size_t)cap);
        if (u) l->unread = u;
        if (!ids || !o || !p || !g || !u) {
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
    l->given[l->n] = given;
    l->unread[l->n] = (char)unread;
    l->n++;
}

typedef struct {
    id_list    *list;
    const char *option, *given;
    int         unread;
} push_ctx;

static void push_file(const char *file, void *user) {
    push_ctx *c = user;
    push(c->list, c->option, c->given, file, c->unread);
}

static void free_list(id_list *l) {
    for (int i = 0; i < l->n; i++) free((char *)l->path[i]);
    free(l->ids);
    free(l->option);
    free(l->path);
    free(l->given);
    free(l->unread);
}

/* The folders an image-folder input makes nn read: the root and every
 * class folder in it, by resolved path (a class folder may be a symbolic
 * link to a folder elsewhere). Anything written at or below one of them is
 * inside the data. */
typedef struct {
    char       **real;   /* (n) resolved folder paths */
    const char **option; /* (n) the input's option and path */
    const char **root;
    int          n, cap, failed;
} folder_list;

static void push_folder(folder_list *l, const char *option, const char *root, const char *dir) {
    char *real = l->failed ? NULL : realpath(dir, NULL);
    if (!real) return; /* the loader will say why it cannot read it */
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        char **r = realloc(l->real, (size_t)cap * sizeof *r);
        if (r) l->real = r;
        const char **o = realloc(l->option, (size_t)cap * sizeof *o);
        if (o) l->option = o;
        const char **p = realloc(l->root, (size_t)cap * sizeof *p);
        if (p) l->root = p;
        if (!r || !o || !p) {
            l->failed = 1;
            free(real);
            return;
        }
        l->cap = cap;
    }
    l->real[l->n] = real;
    l->option[l->n] = option;
    l->root[l->n] = root;
    l->n++;
}

static void push_image_folder(folder_list *l, const char *option, const char *root) {
    push_folder(l, option, root, root);
    DIR *d = opendir(root);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* the loader skips hidden entries */
        char dir[PATH_MAX];
        if (snprintf(dir, sizeof dir, "%s/%s", root, e->d_name) < (int)sizeof dir && path_is_dir(dir))
            push_folder(l, option, root, dir);
    }
    closedir(d);
}

static void free_folders(folder_list *l) {
    for (int i = 0; i < l->n; i++) free(l->real[i]);
    free(l->real);
    free(l->option);
    free(l->root);
}

/* The resolved folder a write to path lands in (the atomic writer puts its
 * temporary beside path and renames it over path): malloc'd, or NULL. */
static char *landing_folder(const char *path) {
    const char *slash = strrchr(path, '/');
    char parent[PATH_MAX];
    if (!slash) snprintf(parent, sizeof parent, ".");
    else if (slash == path) snprintf(parent, sizeof parent, "/");
    else snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
    return realpath(parent, NULL);
}

/* The first folder of l that holds `folder` (resolved), or −1. */
static int folder_holding(const folder_list *l, const char *folder) {
    for (int i = 0; i < l->n; i++) {
        size_t n = strlen(l->real[i]);
        if (strncmp(folder, l->real[i], n) == 0 &&
            (folder[n] == '\0' || folder[n] == '/' || (n == 1 && l->real[i][0] == '/')))
            return i;
    }
    return -1;
}

/* The file stdout goes to, when it is a regular file: malloc'd, or NULL. */
static char *stdout_file(void) {
    struct stat sb;
    if (fstat(STDOUT_FILENO, &sb) != 0 || !S_ISREG(sb.st_mode)) return NULL;
    return realpath("/proc/self/fd/1", NULL); /* Linux: the path behind the descriptor */
}

/* 1 when no output lands in a folder of l; else prints why and returns 0. */
static int outside_image_folders(const char *cmd, const folder_list *l, const id_list *out) {
    for (int i = 0; i < out->n; i++) {
        char *where = landing_folder(out->path[i]);
        int k = where ? folder_holding(l, where) : -1;
        free(where);
        if (k >= 0) {
            cli_error(cmd, "%s %s is inside %s %s, an image folder nn reads; write outputs elsewhere",
                      out->option[i], out->path[i], l->option[k], l->root[k]);
            return 0;
        }
    }
    char *file = stdout_file();
    char *where = file ? landing_folder(file) : NULL;
    int k = where ? folder_holding(l, where) : -1;
    if (k >= 0)
        cli_error(cmd, "standard output goes to %s, inside %s %s, an image folder nn reads; "
                       "write outputs elsewhere", file, l->option[k], l->root[k]);
    free(file);
    free(where);
    return k < 0;
}

int paths_check(const char *cmd, const cli_path *outputs, int n_out, const cli_path *inputs,
                int n_in) {
    id_list in = {0}, out = {0};
    folder_list folders = {0};
    for (int i = 0; i < n_in; i++) {
        if (!inputs[i].path) continue;
        if (inputs[i].data) {
            push_ctx c = {&in, inputs[i].option, inputs[i].path, 0};
            data_files(inputs[i].path, 0, push_file, &c);
            c.unread = 1;
            data_files(inputs[i].path, 1, push_file, &c);
            if (paths_is_image_folder(inputs[i].path))
                push_image_folder(&folders, inputs[i].option, inputs[i].path);
        } else {
            push(&in, inputs[i].option, inputs[i].path, inputs[i].path, 0);
        }
    }
    for (int i = 0; i < n_out; i++)
        if (outputs[i].path) push(&out, outputs[i].option, outputs[i].path, outputs[i].path, 0);
    struct stat sb;
    int stdout_file = fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode);
    file_id stdout_id = {.exists = 1, .dev = sb.st_dev, .ino = sb.st_ino};
    int ok = !in.failed && !out.failed && !folders.failed;
    if (!ok) cli_error(cmd, "out of memory");
    for (int i = 0; ok && i < out.n; i++) {
        for (int j = 0; ok && j < in.n; j++) {
            if (!same(&out.ids[i], &in.ids[j])) continue;
            if (in.unread[j])
                cli_error(cmd, "%s %s is a name the loader looks for behind %s %s (it would be read as "
                               "data next time); give it another name",
                          out.option[i], out.path[i], in.option[j], in.given[j]);
            else
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
        if (!in.unread[j] && same(&stdout_id, &in.ids[j])) {
            cli_error(cmd, "standard output goes to %s %s, an input; refusing to write over it",
                      in.option[j], in.path[j]);
            ok = 0;
        }
    if (ok) ok = outside_image_folders(cmd, &folders, &out);
    free_list(&in);
    free_list(&out);
    free_folders(&folders);
    return ok;
}
