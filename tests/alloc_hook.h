/* alloc_hook.h — the test binary's view of malloc/calloc/realloc (alloc_hook.c). */
#ifndef NN_ALLOC_HOOK_H
#define NN_ALLOC_HOOK_H
#include <stddef.h>
/* Number of malloc/calloc/realloc calls so far. */
long test_alloc_count(void);
/* Largest single request in bytes since the last reset. */
size_t test_alloc_max_request(void);
void test_alloc_reset_max(void);
/* Requests of more than `bytes` return NULL (SIZE_MAX: no limit). */
void test_alloc_set_limit(size_t bytes);
/* The allocation n calls from now (0: the next one) returns NULL; n < 0
 * turns injection off. */
void test_alloc_fail_after(long n);
/* 1 while an injected failure has not happened yet. */
int test_alloc_failure_pending(void);
#endif
