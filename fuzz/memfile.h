/* memfile.h — hands fuzz input to the library's path-based loaders.
 *
 * The loaders take file paths, and the fuzz targets should exercise exactly
 * the code users run. So each input is written to an anonymous in-memory
 * file (memfd_create) and the loader is given /proc/self/fd/N: no temporary
 * files on disk, and the same open/read/gzread path as a real file.
 * Include it before any other header (it defines _GNU_SOURCE).
 */
#ifndef NN_FUZZ_MEMFILE_H
#define NN_FUZZ_MEMFILE_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    int  fd;
    char path[64];
} memfile;

/* Creates the file holding data[0..len); aborts the fuzzer if the kernel
 * refuses (that is a harness problem, not a finding). */
static inline void memfile_open(memfile *m, const uint8_t *data, size_t len) {
    m->fd = memfd_create("nn-fuzz", 0);
    if (m->fd < 0) {
        perror("memfd_create");
        abort();
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(m->fd, data + done, len - done);
        if (n <= 0) {
            perror("write");
            abort();
        }
        done += (size_t)n;
    }
    snprintf(m->path, sizeof m->path, "/proc/self/fd/%d", m->fd);
}

static inline void memfile_close(memfile *m) { close(m->fd); }

#endif
