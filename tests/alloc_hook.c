/* alloc_hook.c — counts the library's heap allocations.
 *
 * The test binary is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
 * so every call to malloc/calloc/realloc from the statically linked libnn.a
 * (and from the tests) lands here first, is counted, and is passed on to the
 * real allocator. A test reads the counter before and after a training step.
 */
#include <stddef.h>

#include "alloc_hook.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static long n_allocs; /* test-only state; the library has none */

void *__wrap_malloc(size_t n) {
    n_allocs++;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size) {
    n_allocs++;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n) {
    n_allocs++;
    return __real_realloc(p, n);
}

long test_alloc_count(void) { return n_allocs; }
