/* signals.h — a stop request from Ctrl-C, a scheduler or a closed terminal.
 *
 * SIGINT, SIGTERM and SIGHUP are caught the same way, in one of two modes:
 *
 * - while nothing is being written (reading data, building the model:
 *   signals_stop_at_once), a stop ends the program at once, from the
 *   handler, with one line "nn train: interrupted by SIGTERM while loading
 *   --data imgs, before the first epoch; nothing was written" and exit
 *   status 128 + the signal's number. There is nothing to save and no
 *   temporary file exists yet, so waiting for the loader would only make
 *   the user wait.
 * - from then on (signals_catch) the first one only records that a stop was
 *   asked for: the command finishes what it is doing (an epoch and its
 *   checkpoint, an atomic write), saves its work and exits with 128 + the
 *   signal, as a shell reports a process the signal ended. Each handler is
 *   then reset, so the same signal again ends the program at once.
 *
 * A signal ignored when the program starts (nohup) stays ignored. */
#ifndef NN_CLI_SIGNALS_H
#define NN_CLI_SIGNALS_H

/* Installs the handlers (once) and records stops from now on. */
void signals_catch(void);

/* Installs the handlers (once) and, until signals_catch, makes a stop end
 * the program at once with the line "nn CMD: interrupted by SIG while WHAT;
 * nothing was written" (say = 0: silently, as the ranks of nn-mpi other
 * than 0 do). A stop recorded before ends it now, the same way. Call it
 * only while the command has no file open for writing. */
void signals_stop_at_once(const char *cmd, const char *what, int say);

/* The first stop signal received, or 0. */
int signals_caught(void);

/* "Ctrl-C (SIGINT)", "SIGTERM", "SIGHUP": for messages. */
const char *signals_name(int sig);

#endif
