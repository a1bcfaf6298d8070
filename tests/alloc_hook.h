/* alloc_hook.h — number of malloc/calloc/realloc calls so far (alloc_hook.c). */
#ifndef NN_ALLOC_HOOK_H
#define NN_ALLOC_HOOK_H
long test_alloc_count(void);
#endif
