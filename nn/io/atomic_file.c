/* atomic_file.c — temporary file + fsync + rename (see atomic_file.h). */
#include "nn/io/atomic_file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nn/graph_internal.h"

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

nn_status nn_atomic_open(nn_atomic_file *af, const char *path, nn_error *err) {
    af->f = NULL;
    af->tmp_path = af->path = NULL;
    if (!path || !*path) return nn_set_error(err, NN_ERR_ARG, "output file name is empty");
    size_t n = strlen(path);
    af->path = copy_string(path);
    static const char pattern[] = NN_ATOMIC_SUFFIX "XXXXXX";
    _Static_assert(sizeof pattern == sizeof NN_ATOMIC_SUFFIX + NN_ATOMIC_RANDOM, "mkstemp pattern");
    af->tmp_path = malloc(n + sizeof pattern);
    if (!af->path || !af->tmp_path) {
        nn_atomic_abort(af);
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(af->tmp_path, path, n);
    memcpy(af->tmp_path + n, pattern, sizeof pattern);
    int fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        int e = errno;
        free(af->tmp_path), af->tmp_path = NULL; /* nothing to unlink */
        nn_atomic_abort(af);
        return nn_set_error(err, NN_ERR_IO, "%s: cannot create: %s", path, strerror(e));
    }
    /* mkstemp makes the file 0600: give it the mode of the file it replaces,
     * or what fopen would (0666 less the umask; a private umask keeps it
     * private). */
    struct stat sb;
    mode_t mode;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        mode = sb.st_mode & 0777;
    } else {
        mode_t mask = umask(0); /* read it: there is no other call */
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(fd, mode) != 0 || !(af->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        nn_atomic_abort(af);
        return nn_set_error(err, NN_ERR_IO, "%s: cannot create: %s", path, strerror(e));
    }
    return NN_OK;
}

/* fsync the directory holding `path`, so that the rename itself is durable.
 * Best effort: some file systems refuse to open or sync directories. */
static void sync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? malloc((size_t)(slash - path) + 2) : NULL;
    if (slash && !dir) return;
    if (dir) {
        size_t len = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    int fd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

nn_status nn_atomic_commit(nn_atomic_file *af, nn_error *err) {
    int bad = ferror(af->f) || fflush(af->f) != 0 || fsync(fileno(af->f)) != 0;
    int e = errno;
    if (fclose(af->f) != 0 && !bad) bad = 1, e = errno;
    af->f = NULL;
    if (bad) {
        nn_set_error(err, NN_ERR_IO, "%s: write failed: %s", af->path, strerror(e));
        nn_atomic_abort(af);
        return NN_ERR_IO;
    }
    if (rename(af->tmp_path, af->path) != 0) {
        nn_set_error(err, NN_ERR_IO, "%s: cannot replace with %s: %s", af->path,
                     af->tmp_path, strerror(errno));
        nn_atomic_abort(af);
        return NN_ERR_IO;
    }
    sync_parent_dir(af->path);
    free(af->tmp_path);
    free(af->path);
    af->tmp_path = af->path = NULL;
    return NN_OK;
}

void nn_atomic_abort(nn_atomic_file *af) {
    if (af->f) fclose(af->f);
    if (af->tmp_path) unlink(af->tmp_path);
    free(af->tmp_path);
    free(af->path);
    af->f = NULL;
    af->tmp_path = af->path = NULL;
}

/* NAME is BASE + NN_ATOMIC_SUFFIX + NN_ATOMIC_RANDOM letters or digits. */
static int is_temporary_of(const char *name, const char *base) {
    size_t b = strlen(base), s = strlen(NN_ATOMIC_SUFFIX);
    if (strncmp(name, base, b) != 0 || strncmp(name + b, NN_ATOMIC_SUFFIX, s) != 0) return 0;
    const char *tail = name + b + s;
    if (strlen(tail) != NN_ATOMIC_RANDOM) return 0;
    for (; *tail; tail++)
        if (!isalnum((unsigned char)*tail)) return 0;
    return 1;
}

int nn_remove_stale_temporaries(const char *path, nn_warning_fn removed, void *user) {
    if (!path || !*path) return 0;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 1;
    char *dir = malloc(dir_len + 1);
    if (!dir || !*base) {
        free(dir);
        return 0;
    }
    memcpy(dir, slash ? path : ".", dir_len);
    dir[dir_len] = '\0';
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!is_temporary_of(e->d_name, base)) continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *file = malloc(len);
        if (!file) break;
        snprintf(file, len, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(file, &sb) == 0 && S_ISREG(sb.st_mode) && unlink(file) == 0) {
            n++;
            if (removed) removed(user, file);
        }
        free(file);
    }
    if (d) closedir(d);
    free(dir);
    return n;
}
