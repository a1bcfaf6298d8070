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
#include "paths.h"
#include "resume_check.h"

#define IDENTITY_KEY "\ndata-identity="
/* Folders are listed this deep: ROOT/<class>/<file>. */
#define LIST_DEPTH 2

typedef struct {
    long long files, bytes;
    uint64_t  hash;          /* FNV-1a 64 */
    long long sec, nsec;     /* newest modification time */
    int       failed;        /* a file could not be read */
    char      failed_path[PATH_MAX];
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

static void hash_content(identity *id, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        id->failed = 1;
        snprintf(id->failed_path, sizeof id->failed_path, "%s", path);
        return;
    }
    static unsigned char block[1 << 16];
    size_t n;
    while ((n = fread(block, 1, sizeof block, f)) > 0) fnv(&id->hash, block, n);
    fclose(f);
}

/* A folder's listing, sorted: each regular file's name below root, size and
 * modification time. */
static void hash_listing(identity *id, const char *dir, const char *rel, int depth) {
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        id->failed = 1;
        snprintf(id->failed_path, sizeof id->failed_path, "%s", dir);
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

static void add_path(const char *path, void *user) {
    identity *id = user;
    struct stat sb;
    if (stat(path, &sb) != 0) return;
    fnv(&id->hash, path, strlen(path) + 1);
    if (S_ISDIR(sb.st_mode)) {
        hash_listing(id, path, "", 1);
    } else if (S_ISREG(sb.st_mode)) {
        note_file(id, &sb);
        hash_content(id, path);
    }
}

int data_identity_append(const char *cmd, const char *path, char *run, size_t len) {
    identity id = {.hash = 14695981039346656037ULL};
    paths_data_files(path, add_path, &id);
    if (id.failed) {
        cli_error(cmd, "--data %s: cannot read %s", path, id.failed_path);
        return 0;
    }
    size_t used = strlen(run);
    int n = snprintf(run + used, len - used, IDENTITY_KEY "files %lld bytes %lld hash %016" PRIx64 " mtime %lld.%09lld",
                     id.files, id.bytes, id.hash, id.sec, id.nsec);
    if (n < 0 || (size_t)n >= len - used) {
        run[used] = '\0';
        cli_error(cmd, "the run description is too long for a checkpoint");
        return 0;
    }
    return 1;
}

typedef struct {
    long long files, bytes, sec, nsec;
    char      hash[17];
} recorded;

static int parse(const char *line, recorded *r) {
    return sscanf(line, "files %lld bytes %lld hash %16s mtime %lld.%lld", &r->files, &r->bytes, r->hash, &r->sec,
                  &r->nsec) == 5;
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
        struct stat sb;
        int folder = stat(data, &sb) == 0 && S_ISDIR(sb.st_mode);
        if (a.files != b.files) {
            cli_error(cmd, "--resume: --data %s changed since the checkpoint: %lld file%s then, %lld now", data,
                      b.files, b.files == 1 ? "" : "s", a.files);
            return 0;
        }
        if (a.bytes != b.bytes) {
            cli_error(cmd, "--resume: --data %s changed since the checkpoint: %lld bytes then, %lld now", data,
                      b.bytes, a.bytes);
            return 0;
        }
        if (strcmp(a.hash, b.hash) != 0) {
            cli_error(cmd, "--resume: --data %s changed since the checkpoint: same size, but its %s "
                      "(hash %s then, %s now)", data,
                      folder ? "listing differs (a file renamed or modified)" : "content differs", b.hash, a.hash);
            return 0;
        }
        if (a.sec != b.sec || a.nsec != b.nsec)
            cli_warn(cmd, "--data %s was modified since the checkpoint, but its size and "
                             "content hash are the same; resuming", data);
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
