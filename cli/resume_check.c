/* resume_check.c — the data and the epochs a resumed run continues (see
 * resume_check.h). */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "data_source.h"
#include "paths.h"
#include "resume_check.h"

#define IDENTITY_KEY "\ndata-identity="
/* Folders are listed this deep: ROOT/<class>/<file> (the first form of the
 * identity, still read from older checkpoints). */
#define LIST_DEPTH 2
#define FNV_START 14695981039346656037ULL

typedef struct {
    long long files, bytes;
    uint64_t  hash;          /* FNV-1a 64: a file's content; a folder's listing with times */
    uint64_t  names;         /* the data files' names and sizes */
    uint64_t  content;       /* their names, sizes and bytes */
    long long sec, nsec;     /* newest modification time */
    int       failed;        /* a file could not be read */
    char      failed_path[PATH_MAX];
    const char *root;        /* an image folder: names are taken below it */
} identity;

static void fnv(uint64_t *h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) *h = (*h ^ p[i]) * 1099511628211ULL;
}

static void note_file(identity *id, const struct stat *sb) {
    id->files++;
    id->bytes += (long long)sb->st_size;
    long long s = (long long)sb->st_mtim.tv_sec, ns = sb->st_mtim.tv_nsec;
    if (s > id->sec || (s == id->sec && ns > id->nsec)) id->sec = s, id->nsec = ns;
}

static void cannot_read(identity *id, const char *path) {
    if (!id->failed++) snprintf(id->failed_path, sizeof id->failed_path, "%s", path);
}

static void hash_content(identity *id, uint64_t *h, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        cannot_read(id, path);
        return;
    }
    static unsigned char block[1 << 16];
    size_t n;
    while ((n = fread(block, 1, sizeof block, f)) > 0) fnv(h, block, n);
    fclose(f);
}

/* --- the identity recorded today: only the files the loader reads ------ */

/* One data file: its name (below an image folder's root, else its last
 * component: --data d.csv and ./d.csv are the same data), size, time and
 * bytes. The loader has just read it, so reading it again costs little. */
static void add_data_file(const char *path, void *user) {
    identity *id = user;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        cannot_read(id, path);
        return;
    }
    if (!S_ISREG(sb.st_mode)) return; /* an IDX folder itself: its files follow */
    const char *slash = strrchr(path, '/');
    const char *name = id->root ? path + strlen(id->root) + 1 : slash ? slash + 1 : path;
    long long fields[3] = {(long long)sb.st_size, (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec};
    note_file(id, &sb);
    fnv(&id->hash, name, strlen(name) + 1);
    fnv(&id->hash, fields, sizeof fields);
    fnv(&id->names, name, strlen(name) + 1);
    fnv(&id->names, fields, sizeof fields[0]);
    fnv(&id->content, name, strlen(name) + 1);
    fnv(&id->content, fields, sizeof fields[0]);
    hash_content(id, &id->content, path);
}

/* The files behind --data: an image folder's images (as nn_load_image_folder
 * lists them), an IDX folder's or prefix's IDX files, or the file. Other
 * files beside them (a model saved into an IDX folder, a note) are not data. */
static void identify_data(const char *path, identity *id) {
    *id = (identity){.hash = FNV_START, .names = FNV_START, .content = FNV_START};
    if (paths_is_image_folder(path)) {
        id->root = path;
        nn_error err;
        if (nn_image_folder_files(path, add_data_file, id, &err)) cannot_read(id, path);
        return;
    }
    paths_data_files(path, add_data_file, id);
    if (!path_is_dir(path)) return;
    if (id->files == 0) cannot_read(id, path);
}

/* --- the first form (checkpoints written before the names and content) -- */

/* A folder's listing, sorted: each regular file's name below root, size and
 * modification time. */
static void hash_listing(identity *id, const char *dir, const char *rel, int depth) {
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        cannot_read(id, dir);
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char path[PATH_MAX], sub[PATH_MAX];
        struct stat sb;
        if (name[0] != '.' && snprintf(path, sizeof path, "%s/%s", dir, name) < (int)sizeof path &&
            snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name) < (int)sizeof sub &&
            stat(path, &sb) == 0) {
            if (S_ISREG(sb.st_mode)) {
                note_file(id, &sb);
                long long fields[3] = {(long long)sb.st_size, (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec};
                fnv(&id->hash, sub, strlen(sub) + 1);
                fnv(&id->hash, fields, sizeof fields);
            } else if (S_ISDIR(sb.st_mode) && depth < LIST_DEPTH) {
                hash_listing(id, path, sub, depth + 1);
            }
        }
        free(names[i]);
    }
    free(names);
}

static void add_path_v1(const char *path, void *user) {
    identity *id = user;
    struct stat sb;
    if (stat(path, &sb) != 0) return;
    fnv(&id->hash, path, strlen(path) + 1);
    if (S_ISDIR(sb.st_mode)) {
        hash_listing(id, path, "", 1);
    } else if (S_ISREG(sb.st_mode)) {
        note_file(id, &sb);
        hash_content(id, &id->hash, path);
    }
}

static void identify_v1(const char *path, identity *id) {
    *id = (identity){.hash = FNV_START};
    paths_data_files(path, add_path_v1, id);
}

int data_identity_append(const char *cmd, const char *path, char *run, size_t len) {
    identity id;
    identify_data(path, &id);
    if (id.failed) {
        cli_error(cmd, "--data %s: cannot read %s", path, id.failed_path);
        return 0;
    }
    size_t used = strlen(run);
    int n = snprintf(run + used, len - used,
                     IDENTITY_KEY "files %lld bytes %lld hash %016" PRIx64 " mtime %lld.%09lld names %016" PRIx64
                                  " content %016" PRIx64,
                     id.files, id.bytes, id.hash, id.sec, id.nsec, id.names, id.content);
    if (n < 0 || (size_t)n >= len - used) {
        run[used] = '\0';
        cli_error(cmd, "the run description is too long for a checkpoint");
        return 0;
    }
    return 1;
}

typedef struct {
    long long files, bytes, sec, nsec;
    char      hash[17], names[17], content[17]; /* names, content: "" in the first form */
} recorded;

static int parse(const char *line, recorded *r) {
    r->names[0] = r->content[0] = '\0';
    int n = sscanf(line, "files %lld bytes %lld hash %16s mtime %lld.%lld names %16s content %16s", &r->files,
                   &r->bytes, r->hash, &r->sec, &r->nsec, r->names, r->content);
    if (n != 7) r->names[0] = r->content[0] = '\0';
    return n >= 5;
}

static void record(const identity *id, recorded *r) {
    *r = (recorded){.files = id->files, .bytes = id->bytes, .sec = id->sec, .nsec = id->nsec};
    snprintf(r->hash, sizeof r->hash, "%016" PRIx64, id->hash);
    snprintf(r->names, sizeof r->names, "%016" PRIx64, id->names);
    snprintf(r->content, sizeof r->content, "%016" PRIx64, id->content);
}

/* Compares the data now (a) with the checkpoint's (b); 1 when they are the
 * same data (a warning when only their times differ). */
static int same_data(const char *cmd, const char *data, const recorded *a, const recorded *b) {
    int folder = path_is_dir(data), contents = b->content[0] != '\0';
    if (a->files != b->files) {
        cli_error(cmd, "--resume: --data %s changed since the checkpoint: %lld file%s then, %lld now", data,
                  b->files, b->files == 1 ? "" : "s", a->files);
        return 0;
    }
    if (a->bytes != b->bytes) {
        cli_error(cmd, "--resume: --data %s changed since the checkpoint: %lld bytes then, %lld now", data,
                  b->bytes, a->bytes);
        return 0;
    }
    if (contents && folder && strcmp(a->names, b->names) != 0) {
        cli_error(cmd, "--resume: --data %s changed since the checkpoint: same size, but its listing differs "
                  "(a file renamed, added or removed; hash %s then, %s now)", data, b->names, a->names);
        return 0;
    }
    if (contents && strcmp(a->content, b->content) != 0) {
        cli_error(cmd, "--resume: --data %s changed since the checkpoint: same %s, but %s (hash %s then, %s now)",
                  data, folder ? "files and sizes" : "size", folder ? "the content of a file differs" :
                  "its content differs", b->content, a->content);
        return 0;
    }
    if (!contents && strcmp(a->hash, b->hash) != 0) { /* the first form: a folder's listing with times */
        cli_error(cmd, "--resume: --data %s changed since the checkpoint: same size, but its %s "
                  "(hash %s then, %s now)", data,
                  folder ? "listing differs (a file renamed or modified)" : "content differs", b->hash, a->hash);
        return 0;
    }
    /* the same bytes under the same names: a touch, a copy that kept no times */
    if (strcmp(a->hash, b->hash) != 0 || a->sec != b->sec || a->nsec != b->nsec)
        cli_warn(cmd, "--data %s was modified since the checkpoint%s, but %s the same; resuming", data,
                 folder ? " (the times of its files changed)" : "",
                 folder ? "the names, sizes and content of its files are" : "its size and content hash are");
    return 1;
}

int resume_check(const char *cmd, const char *data, const char *run, char *saved, size_t len,
                 int saved_epoch, int epochs) {
    if (saved_epoch > epochs) {
        cli_error(cmd, "--resume: the checkpoint already holds %d epochs, more than --epochs %d", saved_epoch, epochs);
        return 0;
    }
    if (saved_epoch == epochs)
        cli_warn(cmd, "the checkpoint already holds all %d epochs; nothing left to train",
                epochs);
    const char *now = strstr(run, IDENTITY_KEY);
    char *then = strstr(saved, IDENTITY_KEY);
    if (!now) return 1; /* nothing to compare with */
    recorded a, b;
    if (!then || !parse(then + strlen(IDENTITY_KEY), &b)) {
        cli_warn(cmd, "the checkpoint does not record which data it was made on; not checked");
    } else {
        parse(now + strlen(IDENTITY_KEY), &a);
        if (!b.content[0]) { /* the first form: compared the way it was made */
            identity v1;
            identify_v1(data, &v1);
            record(&v1, &a);
            a.names[0] = a.content[0] = '\0';
        }
        if (!same_data(cmd, data, &a, &b)) return 0;
    }
    /* from here the checkpoint records this run's identity */
    size_t keep = then ? (size_t)(then - saved) : strlen(saved);
    if (keep + strlen(now) >= len) {
        cli_error(cmd, "the run description is too long for a checkpoint");
        return 0;
    }
    strcpy(saved + keep, now);
    return 1;
}
