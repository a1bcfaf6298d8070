/* progress.c — a one-line progress bar, redrawn in place with '\r'. */
#include <stdio.h>
#include <unistd.h>

#include "progress.h"

/* Steps between redraws: often enough to look live, rarely enough that a
 * terminal's output never costs a measurable share of a step. */
#define PROGRESS_EVERY 16

int progress_wanted(void) { return isatty(STDOUT_FILENO); }

void progress_step(const nn_step_info *s, void *user) {
    (void)user;
    if ((s->step - 1) % PROGRESS_EVERY != 0 && s->step != s->n_steps) return;
    const int width = 30;
    int filled = (int)((long)width * s->step / s->n_steps);
    printf("\repoch %3d [", s->epoch);
    for (int i = 0; i < width; i++) putchar(i < filled ? '=' : (i == filled ? '>' : ' '));
    printf("] %5.1f%%  loss %.4f", 100.0 * s->step / s->n_steps, s->loss);
    fflush(stdout);
}

void progress_clear(void) {
    printf("\r\033[K");
    fflush(stdout);
}
