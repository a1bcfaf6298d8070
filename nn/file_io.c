/* file_io.c — whole-file reads, and writes that never leave a half-written
 * file: temp file + fflush + fsync + rename, so killing the process at any
 * moment leaves either the old file or the new one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_io.h"

nn_status nn_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                       nn_error *err) {
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return nn_set_error(err, NN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return nn_set_error(err, NN_ERR_IO, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        fclose(f);
        return nn_set_error(err, NN_ERR_FORMAT, "%s: %lld bytes is more than the %zu allowed",
                            path, (long long)st.st_size, max_bytes);
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        fclose(f);
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory for %zu bytes", path, size);
    }
    size_t got = fread(buf, 1, size, f);
    int bad = ferror(f) || got != size;
    fclose(f);
    if (bad) {
        free(buf);
        return nn_set_error(err, NN_ERR_IO, "%s: read %zu of %zu bytes", path, got, size);
    }
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return NN_OK;
}

/* fsync the directory holding path, so the rename itself is durable. */
static void sync_parent_dir(const char *path) {
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse directory fsync */
        close(fd);
    }
}

nn_status nn_write_file_atomic(const char *path, const void *const *parts, const size_t *lens,
                               int n, nn_error *err) {
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        nn_status st = nn_set_error(err, NN_ERR_IO, "%s: cannot create a temporary file: %s",
                                    path, strerror(errno));
        free(tmp);
        return st;
    }
    fchmod(fd, 0644); /* mkstemp makes 0600; a model file is meant to be shared */
    FILE *f = fdopen(fd, "wb");
    if (!f) close(fd);
    int ok = f != NULL;
    for (int i = 0; ok && i < n; i++)
        ok = lens[i] == 0 || fwrite(parts[i], 1, lens[i], f) == lens[i];
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int saved = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        saved = errno;
    }
    nn_status st = NN_OK;
    if (!ok) {
        unlink(tmp);
        st = nn_set_error(err, NN_ERR_IO, "%s: write failed: %s", path, strerror(saved));
    } else {
        sync_parent_dir(path);
    }
    free(tmp);
    return st;
}
