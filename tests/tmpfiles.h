/* tmpfiles.h — scratch directories and files for the data, model and CLI
 * suites. Each test makes its own directory under /tmp and removes it. */
#ifndef NN_TMPFILES_H
#define NN_TMPFILES_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Creates a fresh directory; dir must hold at least 64 bytes. */
static inline void tmp_dir(char *dir) {
    strcpy(dir, "/tmp/nn_test_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* path = dir/name (path holds at least 512 bytes). */
static inline const char *tmp_path(char *path, const char *dir, const char *name) {
    int n = snprintf(path, 512, "%s/%s", dir, name);
    ck_assert(n > 0 && n < 512);
    return path;
}

static inline void tmp_write(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

static inline void tmp_write_text(const char *path, const char *text) {
    tmp_write(path, text, strlen(text));
}

static inline void tmp_mkdir(const char *path) { ck_assert_int_eq(mkdir(path, 0755), 0); }

static inline void tmp_remove(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Entries of dir other than those starting with '.' (files left behind). */
static inline int tmp_count_entries(const char *dir) {
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

#define ck_assert_msg_contains(msg, part) \
    ck_assert_msg(strstr((msg), (part)) != NULL, "message '%s' lacks '%s'", (msg), (part))

#endif
