/* threads.h — choosing, while training, between one OpenBLAS thread and the
 * configured number, by timing blocks of steps (threads.c). Internal: used by
 * train.c when nn_train_options.adapt_threads is set. */
#ifndef NN_THREADS_H
#define NN_THREADS_H

typedef struct {
    int    max;          /* OpenBLAS's thread count when training started */
    int    current;      /* threads in use now */
    int    best;         /* the count the last probe chose (0: none yet) */
    int    state;        /* off, using the best count, or probing (threads.c) */
    double per_step[2];  /* seconds per step of the last probe: [0] one, [1] max */
    double block_time;   /* seconds summed over the steps of this block */
    int    block_steps;  /* steps timed in this block */
    int    blocks_left;  /* blocks to run before probing again */
    int    interval;     /* blocks between probes; doubles while the choice holds */
    int    switches;     /* times the thread count changed (for tests) */
    double step_start;   /* when the current step began */
} nn_thread_gov;

/* Starts adapting if enabled and OpenBLAS has more than one thread;
 * otherwise every call below does nothing. */
void nn_thread_gov_init(nn_thread_gov *gov, int enabled);
/* Brackets one training step (gather, forward, backward, optimizer). A step
 * begun but not ended (skipped) is not counted. */
void nn_thread_gov_step_begin(nn_thread_gov *gov);
void nn_thread_gov_step_end(nn_thread_gov *gov);
/* What step_end does with the step's duration; tests call it with made-up
 * durations to check the choices. */
void nn_thread_gov_record(nn_thread_gov *gov, double seconds);
/* Gives OpenBLAS back the thread count it had at init. */
void nn_thread_gov_finish(nn_thread_gov *gov);

#endif
