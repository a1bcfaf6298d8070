/* dist_local.c — dist.h for one process (the `nn` program): rank 0 of 1. */
#include <string.h>

#include "dist.h"

int  dist_init(int *argc, char ***argv) { (void)argc, (void)argv; return 0; }
int  dist_finish(int status) { return status; }
int  dist_rank(void) { return 0; }
int  dist_size(void) { return 1; }
void dist_broadcast(void *buf, size_t bytes) { (void)buf, (void)bytes; }
void dist_sum(double *v, int n) { (void)v, (void)n; }
void dist_sum_ints(int32_t *v, size_t n) { (void)v, (void)n; }
void dist_gather(long mine, long *all) { all[0] = mine; }
int  dist_any(int flag) { return flag != 0; }
int  dist_same(double x) { (void)x; return 1; }
nn_status dist_agree(nn_status st, nn_error *err) { (void)err; return st; }

nn_status dist_reduce_grads(nn_real *grads, size_t n, int local_rows, int global_rows,
                            void *user, nn_error *err) {
    (void)grads, (void)n, (void)local_rows, (void)global_rows, (void)user, (void)err;
    return NN_OK; /* one process: its mean is the global mean */
}

nn_status dist_reduce_norms(double *v, int n, void *user, nn_error *err) {
    (void)v, (void)n, (void)user, (void)err;
    return NN_OK;
}

dist_reduce_stats dist_reduce_report(void) { return (dist_reduce_stats){0}; }
