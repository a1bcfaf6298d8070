/* threads.c — use the second core while it pays.
 *
 * OpenBLAS splits each matrix product evenly between its threads and waits
 * for all of them. On a quiet two-core machine two threads train the demo
 * network 1.7 times faster than one. But when another process holds one of
 * the cores, every product waits for the thread that is not running, and two
 * threads are 2 to 5 times SLOWER than one (measured, README "Performance").
 * The kernel's time slices (milliseconds) are far longer than one product
 * (tens of microseconds), so nothing inside OpenBLAS can hide that.
 *
 * So while training, nn times blocks of NN_GOV_BLOCK steps and keeps the
 * thread count that makes steps faster: it probes one thread and the
 * configured count, uses the faster, probes again after an interval that
 * doubles while the answer stays the same (so a steady machine pays almost
 * nothing for the probes), and probes at once when several threads run much
 * slower than their probe promised (another job started). A probe of several
 * threads stops as soon as it has cost more than a block on one thread. Only OpenBLAS's own pool is
 * resized (openblas_set_num_threads); nn starts no threads of its own.
 *
 * OpenBLAS's one- and two-thread products can differ in the last bit, so with
 * adapting on, results depend on timing; one thread is reproducible bit for
 * bit. That is why it is an option (nn_train_options.adapt_threads).
 */
#include <time.h>

#include "nn/blas.h"
#include "nn/threads.h"

#define NN_GOV_BLOCK 8          /* steps per timed block */
#define NN_GOV_MIN_INTERVAL 4   /* blocks between probes, after a change */
#define NN_GOV_MAX_INTERVAL 256 /* ... and at most, while the choice holds */
#define NN_GOV_DRIFT 1.3        /* a block this much slower than its probe: probe again */

enum { THREADS_OFF, THREADS_USE, THREADS_PROBE_MAX, THREADS_PROBE_ONE };

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void set_threads(nn_thread_gov *gov, int n) {
    if (n == gov->current) return;
    openblas_set_num_threads(n);
    gov->current = n;
    gov->switches++;
}

void nn_thread_gov_init(nn_thread_gov *gov, int enabled) {
    *gov = (nn_thread_gov){.state = THREADS_OFF};
    gov->max = gov->current = openblas_get_num_threads();
    if (!enabled || gov->max < 2) return;
    gov->state = THREADS_PROBE_MAX;
    gov->interval = NN_GOV_MIN_INTERVAL;
}

void nn_thread_gov_step_begin(nn_thread_gov *gov) {
    if (gov->state != THREADS_OFF) gov->step_start = now_seconds();
}

/* A block is complete: act on its seconds per step. */
static void block_done(nn_thread_gov *gov, double per_step) {
    switch (gov->state) {
    case THREADS_PROBE_MAX:
        gov->per_step[1] = per_step;
        gov->state = THREADS_PROBE_ONE;
        set_threads(gov, 1);
        return;
    case THREADS_PROBE_ONE: {
        gov->per_step[0] = per_step;
        int best = gov->per_step[0] <= gov->per_step[1] ? 1 : gov->max;
        /* the same answer as last time: wait twice as long before asking */
        if (best != gov->best) gov->interval = NN_GOV_MIN_INTERVAL;
        else if (gov->interval < NN_GOV_MAX_INTERVAL) gov->interval *= 2;
        gov->best = best;
        gov->blocks_left = gov->interval;
        gov->state = THREADS_USE;
        set_threads(gov, best);
        return;
    }
    case THREADS_USE: {
        /* Several threads running slower than promised: a job has taken a
         * core, ask again now. One thread running slower is load too, which
         * would slow several threads even more: wait for the next probe. */
        int drift = gov->best > 1 && per_step > NN_GOV_DRIFT * gov->per_step[1];
        if (--gov->blocks_left > 0 && !drift) return;
        if (drift) gov->interval = NN_GOV_MIN_INTERVAL;
        gov->state = THREADS_PROBE_MAX;
        set_threads(gov, gov->max);
        return;
    }
    }
}

void nn_thread_gov_step_end(nn_thread_gov *gov) {
    if (gov->state != THREADS_OFF) nn_thread_gov_record(gov, now_seconds() - gov->step_start);
}

void nn_thread_gov_record(nn_thread_gov *gov, double seconds) {
    if (gov->state == THREADS_OFF) return;
    gov->block_time += seconds;
    ++gov->block_steps;
    /* A probe of several threads that has already taken longer than a whole
     * block on one thread cannot win: end it now. On a busy machine one
     * step with several threads can take as long as twenty with one, so
     * this bounds what a probe costs. */
    int lost = gov->state == THREADS_PROBE_MAX && gov->per_step[0] > 0 &&
               gov->block_time > NN_GOV_BLOCK * gov->per_step[0];
    if (gov->block_steps < NN_GOV_BLOCK && !lost) return;
    double per_step = gov->block_time / gov->block_steps;
    gov->block_time = 0;
    gov->block_steps = 0;
    block_done(gov, per_step);
}

void nn_thread_gov_finish(nn_thread_gov *gov) {
    if (gov->state == THREADS_OFF) return;
    openblas_set_num_threads(gov->max);
    gov->current = gov->max;
    gov->state = THREADS_OFF;
}
