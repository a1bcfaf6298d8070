/* progress.h — the progress bar `nn train` draws while an epoch runs. */
#ifndef NN_CLI_PROGRESS_H
#define NN_CLI_PROGRESS_H

#include "nn/nn.h"

/* An nn_step_callback (user unused): redraws "epoch E [=====>   ] 42.0%  loss
 * L" in place every 16 steps and on the last one. Install it only when
 * progress_wanted() says so. */
void progress_step(const nn_step_info *s, void *user);

/* 1 if stdout is a terminal (a bar in a file or pipe is noise). */
int progress_wanted(void);

/* Erases the bar's line, before the epoch line is printed. */
void progress_clear(void);

#endif
