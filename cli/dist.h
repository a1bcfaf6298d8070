/* dist.h — the processes one `nn train` runs on.
 *
 * In `nn` that is one process (dist_local.c: every call below is trivial).
 * In `nn-mpi` it is every rank of an MPI job (mpi.c, the only file that
 * includes mpi.h): each rank holds a part of the data, takes its share of
 * every global batch, and the gradients are summed with one allreduce per
 * step. Functions marked (collective) must be called by every rank, in the
 * same order; a rank that fails locally says so through dist_agree instead
 * of leaving early, so that no rank waits forever on one that has gone.
 */
#ifndef NN_CLI_DIST_H
#define NN_CLI_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "nn/nn.h"

/* Starts the runtime (MPI_Init). Returns 0, or prints why not and returns 1. */
int  dist_init(int *argc, char ***argv);
/* Ends the runtime. Returns the exit status: `status`, or 128 + the signal
 * when a stop signal (signals.h) caught on some rank stopped the run. */
int  dist_finish(int status);
int  dist_rank(void); /* 0 .. dist_size() − 1; rank 0 prints and writes files */
int  dist_size(void);

/* (collective) Rank 0's `bytes` bytes at buf, copied to every rank. */
void dist_broadcast(void *buf, size_t bytes);
/* (collective) v (n) summed element-wise over the ranks, in place; the same
 * bits on every rank. */
void dist_sum(double *v, int n);
/* (collective) v (n) summed element-wise over the ranks, in place (exact:
 * integers; e.g. each rank fills the entries it holds, the others zero). */
void dist_sum_ints(int32_t *v, size_t n);
/* (collective) all[r] = the `mine` of rank r, for every rank r. */
void dist_gather(long mine, long *all);
/* (collective) 1 if x has the same bits on every rank. */
int  dist_same(double x);
/* (collective) 1 if `flag` is set on any rank. */
int  dist_any(int flag);
/* (collective) The status of the failing rank with the lowest number —
 * preferring a rank whose own step had a non-finite loss or gradient since
 * the last call, so the message names where the value appeared — with its
 * message in err, on every rank; NN_OK when no rank failed. A stop signal
 * (signals.h) caught on any rank counts as a failure. */
nn_status dist_agree(nn_status st, nn_error *err);

/* The gradient-reduce hook (nn_trainer_options.reduce_grads; user unused):
 * grads (n) becomes Σ_ranks (local_rows / global_rows) · grads, the gradient
 * of the mean loss over the global batch, identical on every rank. A stop
 * signal (signals.h) caught on any rank stops every rank at its next step
 * with the same error ("interrupted: rank R received SIGTERM"). */
nn_status dist_reduce_grads(nn_real *grads, size_t n, int local_rows, int global_rows,
                            void *user, nn_error *err);

/* The normaliser-reduce hook (nn_trainer_options.reduce_norms; user
 * unused): v (n) summed over the ranks, so that a class-weighted mean is
 * the global batch's. */
nn_status dist_reduce_norms(double *v, int n, void *user, nn_error *err);

/* What the hook has done so far: steps, seconds inside the allreduce, and
 * bytes reduced per step. */
typedef struct {
    long   steps;
    double seconds, bytes_per_step;
} dist_reduce_stats;
dist_reduce_stats dist_reduce_report(void);

#endif
