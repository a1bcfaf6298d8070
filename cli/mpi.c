/* mpi.c — dist.h on Open MPI, for `nn-mpi` (the only file that includes
 * mpi.h; `nn` links dist_local.c instead).
 *
 * Failures never leave a rank waiting: MPI errors abort the whole job
 * (MPI_ERRORS_ARE_FATAL, Open MPI's default; mpirun also ends the job when a
 * rank dies), and a rank that fails on its own reports it at the next
 * dist_agree, which every rank calls at the same point. Inside an epoch the
 * only collective is the gradient allreduce, so a stop signal (signals.h:
 * SIGINT, SIGTERM, SIGHUP; mpirun turns Ctrl-C into SIGTERM to every rank)
 * travels in it: the rank that caught one poisons its first gradient with
 * NaN, the sum is NaN on every rank, and only then (a rare path) a second
 * small allreduce asks which rank was signalled. The epoch stops there: under
 * mpirun a rank has about a second after SIGTERM before it is killed, no time
 * to finish the epoch; the last epoch's checkpoint is whole.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mpi.h>

#include "dist.h"
#include "signals.h"

#ifdef NN_DOUBLE
#define MPI_NN_REAL MPI_DOUBLE
#else
#define MPI_NN_REAL MPI_FLOAT
#endif

static int rank, size = 1;
static int agreed_signal;                  /* a stop signal some rank caught */
static int step_went_bad;                  /* a non-finite step since the last dist_agree */
static dist_reduce_stats reduce_stats;

int dist_init(int *argc, char ***argv) {
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        fprintf(stderr, "nn-mpi: MPI_Init failed\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return 0;
}

int dist_finish(int status) {
    MPI_Finalize();
    return agreed_signal && status ? 128 + agreed_signal : status;
}

int dist_rank(void) { return rank; }
int dist_size(void) { return size; }

void dist_broadcast(void *buf, size_t bytes) {
    /* in chunks: MPI counts are int */
    for (size_t done = 0; done < bytes;) {
        size_t n = bytes - done < ((size_t)1 << 30) ? bytes - done : (size_t)1 << 30;
        MPI_Bcast((char *)buf + done, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
        done += n;
    }
}

void dist_sum(double *v, int n) { MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); }

void dist_sum_ints(int32_t *v, size_t n) {
    for (size_t done = 0; done < n;) { /* in chunks: MPI counts are int */
        size_t k = n - done < ((size_t)1 << 28) ? n - done : (size_t)1 << 28;
        MPI_Allreduce(MPI_IN_PLACE, v + done, (int)k, MPI_INT32_T, MPI_SUM, MPI_COMM_WORLD);
        done += k;
    }
}

void dist_gather(long mine, long *all) {
    MPI_Allgather(&mine, 1, MPI_LONG, all, 1, MPI_LONG, MPI_COMM_WORLD);
}

int dist_same(double x) {
    double lo, hi;
    MPI_Allreduce(&x, &lo, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&x, &hi, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return memcmp(&lo, &hi, sizeof lo) == 0 && memcmp(&lo, &x, sizeof x) == 0;
}

int dist_any(int flag) {
    int mine = flag != 0, any;
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
}

/* "interrupted: rank R received SIGTERM" on every rank, if some rank caught
 * a stop signal. */
static nn_status agree_on_signal(nn_error *err) {
    int mine = signals_caught() ? rank : size, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == size) return NN_OK;
    int sig = signals_caught();
    MPI_Bcast(&sig, 1, MPI_INT, first, MPI_COMM_WORLD);
    agreed_signal = sig;
    return nn_set_error(err, NN_ERR_ARG, "interrupted: rank %d received %s", first,
                        signals_name(sig));
}

nn_status dist_agree(nn_status st, nn_error *err) {
    nn_error local = {0};
    if (st) local = *err;
    /* key: failing ranks whose own step went bad first, then other failing
     * ranks, by number; 2 · size means "no failure" */
    int key = st ? (step_went_bad ? rank : size + rank) : 2 * size, best;
    MPI_Allreduce(&key, &best, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    step_went_bad = 0;
    if (best == 2 * size) return agree_on_signal(err);
    int from = best % size, code = (int)st;
    MPI_Bcast(&code, 1, MPI_INT, from, MPI_COMM_WORLD);
    MPI_Bcast(local.msg, (int)sizeof local.msg, MPI_CHAR, from, MPI_COMM_WORLD);
    local.msg[sizeof local.msg - 1] = '\0';
    local.code = (nn_status)code;
    if (err) *err = local;
    return local.code;
}

nn_status dist_reduce_grads(nn_real *grads, size_t n, int local_rows, int global_rows,
                            void *user, nn_error *err) {
    (void)user;
    if (n > (size_t)INT32_MAX)
        return nn_set_error(err, NN_ERR_ARG, "nn-mpi: %zu parameters are more than one "
                            "allreduce takes", n);
    if (!nn_all_finite(grads, n)) step_went_bad = 1;
    /* this rank's share of the global mean (NaN stays NaN: 0 · NaN = NaN) */
    const nn_real share = (nn_real)((double)local_rows / global_rows);
    for (size_t i = 0; i < n; i++) grads[i] *= share;
    if (signals_caught()) grads[0] = (nn_real)NAN;
    double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, grads, (int)n, MPI_NN_REAL, MPI_SUM, MPI_COMM_WORLD);
    reduce_stats.seconds += MPI_Wtime() - t0;
    reduce_stats.steps++;
    reduce_stats.bytes_per_step = (double)n * sizeof *grads;
    /* NaN in the first gradient: a non-finite step somewhere, or a signal */
    return isnan(grads[0]) ? agree_on_signal(err) : NN_OK;
}

nn_status dist_reduce_norms(double *v, int n, void *user, nn_error *err) {
    (void)user, (void)err;
    double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    reduce_stats.seconds += MPI_Wtime() - t0;
    return NN_OK;
}

dist_reduce_stats dist_reduce_report(void) { return reduce_stats; }
