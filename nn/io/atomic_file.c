/* atomic_file.c — temporary file + fsync + rename (see atomic_file.h). */
#include "nn/io/atomic_file.h"

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
    af->tmp_path = malloc(n + sizeof ".tmp.XXXXXX");
    if (!af->path || !af->tmp_path) {
        nn_atomic_abort(af);
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(af->tmp_path, path, n);
    memcpy(af->tmp_path + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        int e = errno;
        free(af->tmp_path), af->tmp_path = NULL; /* nothing to unlink */
        nn_atomic_abort(af);
        return nn_set_error(err, NN_ERR_IO, "%s: cannot create: %s", path, strerror(e));
    }
    /* mkstemp makes the file 0600; give it the usual 0644. */
    if (fchmod(fd, 0644) != 0 || !(af->f = fdopen(fd, "wb"))) {
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
