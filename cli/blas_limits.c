/* blas_limits.c — the program never hangs under ulimit -v.
 *
 * OpenBLAS (0.3.21, Debian 12) maps a work buffer of 128 MiB for each of
 * its threads — the workers when the library is loaded, the calling thread
 * at its first large enough product — and when the mapping fails it tries
 * again, for ever (blas_memory_alloc's loop in driver/others/memory.c): a
 * run under `ulimit -v` too small for the buffers spins at full CPU and
 * never ends. Nothing can be set before OpenBLAS is loaded but its
 * environment, so under a finite RLIMIT_AS:
 *
 * 1. Before OpenBLAS is initialised (from the executable's .preinit_array,
 *    which runs before any shared library's constructor), the program
 *    runs itself again (execve of /proc/self/exe, same arguments) with
 *    OPENBLAS_NUM_THREADS=1 added to its environment, unless the limit has
 *    room for all of OpenBLAS's threads' buffers and 1 GiB besides. The
 *    environment cannot simply be changed there: libc's initialisation,
 *    which comes later, resets it. (When OpenBLAS's constructor cannot
 *    even start a worker thread, it raises SIGINT on the whole process.)
 * 2. With the threads settled, the calling thread's buffer is taken at once
 *    by one product big enough to need it (smaller ones are done without),
 *    if the address space left has room for it; if not, the program stops
 *    with "out of memory" before reading anything. After that every
 *    allocation left is nn's own, whose failure is reported as "out of
 *    memory" like any other.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "blas_limits.h"

/* OpenBLAS's BUFFER_SIZE on x86_64 (32 << 22 bytes) and the page and
 * alignment it adds (measured: 128 MiB + 140 KiB). */
#define BLAS_BUFFER_BYTES ((128ll << 20) + (1ll << 20))
/* Room kept for the program itself when deciding on threads. */
#define PROGRAM_BYTES (1ll << 30)
/* The first product size that OpenBLAS does with its buffer (from 100^3
 * up it does not use its small-matrix kernels). */
#define WARM_N 128

/* Bytes of address space the process maps now (VmSize), -1 if unknown. */
static long long mapped_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long long pages = -1;
    if (f) {
        if (fscanf(f, "%lld", &pages) != 1) pages = -1;
        fclose(f);
    }
    return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

/* The address-space limit in bytes, or -1 if there is none. */
static long long address_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return -1;
    return (long long)rl.rlim_cur;
}

/* Runs before OpenBLAS's constructor reads its environment (and before
 * libc's, so getenv cannot be used yet): see the top. */
static void fit_threads_before_blas_loads(int argc, char **argv, char **envp) {
    static char one_thread[] = "OPENBLAS_NUM_THREADS=1";
    static const char key[] = "OPENBLAS_NUM_THREADS=";
    (void)argc;
    long long limit = address_limit();
    if (limit < 0 || !envp) return;
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = 0;
    for (; envp[n]; n++)
        if (strncmp(envp[n], key, sizeof key - 1) == 0) threads = atol(envp[n] + sizeof key - 1);
    if (threads <= 1 || limit >= (threads + 1) * BLAS_BUFFER_BYTES + PROGRAM_BYTES) return;
    char **env = malloc((n + 2) * sizeof *env);
    if (!env) return; /* cli_fit_blas_to_limit then has OpenBLAS use one thread */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(envp[i], key, sizeof key - 1) != 0) env[m++] = envp[i];
    env[m++] = one_thread;
    env[m] = NULL;
    execve("/proc/self/exe", argv, env); /* returns only if it failed */
    free(env);
}

__attribute__((section(".preinit_array"), used)) static void (*const fit_threads)(int, char **, char **) =
    fit_threads_before_blas_loads;

int cli_fit_blas_to_limit(void) {
    long long limit = address_limit();
    if (limit < 0) return 1;
    int threads = openblas_get_num_threads();
    if (threads > 1 && limit < (threads + 1) * BLAS_BUFFER_BYTES + PROGRAM_BYTES)
        openblas_set_num_threads(1); /* the new run failed to start: at least use no worker */
    long long used = mapped_bytes();
    if (used < 0) return 1;
    if (limit - used < BLAS_BUFFER_BYTES) {
        fprintf(stderr, "nn: out of memory: the address-space limit (ulimit -v %lld KiB) leaves "
                        "%lld MiB, and OpenBLAS needs %lld MiB for its work buffer\n",
                limit >> 10, (limit - used) >> 20, BLAS_BUFFER_BYTES >> 20);
        return 0;
    }
    float *m = calloc(3 * WARM_N * WARM_N, sizeof *m); /* (3, N, N): a, b, c */
    if (!m) {
        fprintf(stderr, "nn: out of memory\n");
        return 0;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, WARM_N, WARM_N, WARM_N, 1.0f, m, WARM_N,
                m + WARM_N * WARM_N, WARM_N, 0.0f, m + 2 * WARM_N * WARM_N, WARM_N);
    free(m);
    return 1;
}
