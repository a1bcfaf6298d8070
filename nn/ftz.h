/* ftz.h — saving and restoring the calling thread's denormal handling, so
 * that nn_train can turn flush-to-zero on while it trains and give the caller
 * back the mode it had (ftz.c). Internal: not included by nn.h. */
#ifndef NN_FTZ_H
#define NN_FTZ_H

/* The flush-to-zero and denormals-are-zero bits of the calling thread, as an
 * opaque value for nn_fp_mode_restore (0 on machines without them). */
unsigned nn_fp_mode_save(void);
/* Sets both bits back to what nn_fp_mode_save returned; nothing else of the
 * floating-point environment changes. */
void nn_fp_mode_restore(unsigned mode);

#endif
