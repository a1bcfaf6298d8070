/* alloc_hook.c — counts the library's heap allocations, and can make one fail.
 *
 * The test binary is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
 * so every call to malloc/calloc/realloc from the statically linked libnn.a
 * (and from the tests) lands here first, is counted, and is passed on to the
 * real allocator. A test reads the counter before and after a training step.
 *
 * It also records the largest single request (a loader must not ask for what
 * a corrupt header claims), and can make the n-th next request return NULL
 * as a real allocator does when memory runs out (test_limits.c walks every
 * allocation of a build-compile-train sequence that way), or refuse every
 * request above a size, like a machine with that much memory — so a test of
 * an absurd size gets NULL instead of an ASan or valgrind abort.
 */
#include <stddef.h>
#include <stdint.h>

#include "alloc_hook.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

/* test-only state; the library has none */
static long   n_allocs;
static size_t max_request;
static long   fail_countdown = -1; /* -1: never fail */
static size_t limit = SIZE_MAX;      /* larger requests fail */

/* Counts one request of `bytes`; returns 1 if it must fail. */
static int account(size_t bytes) {
    n_allocs++;
    if (bytes > max_request) max_request = bytes;
    if (bytes > limit) return 1;
    if (fail_countdown < 0) return 0;
    return fail_countdown-- == 0;
}

void *__wrap_malloc(size_t n) { return account(n) ? NULL : __real_malloc(n); }

void *__wrap_calloc(size_t n, size_t size) {
    size_t bytes = size && n > SIZE_MAX / size ? SIZE_MAX : n * size;
    return account(bytes) ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n) { return account(n) ? NULL : __real_realloc(p, n); }

long test_alloc_count(void) { return n_allocs; }

size_t test_alloc_max_request(void) { return max_request; }
void test_alloc_reset_max(void) { max_request = 0; }

void test_alloc_set_limit(size_t bytes) { limit = bytes; }

void test_alloc_fail_after(long n) { fail_countdown = n; }
int test_alloc_failure_pending(void) { return fail_countdown >= 0; }
