/* signals.h — a stop request from Ctrl-C, a scheduler or a closed terminal.
 *
 * SIGINT, SIGTERM and SIGHUP are caught the same way: the first one only
 * records that a stop was asked for (the command finishes what it is doing,
 * saves its work and exits with 128 + the signal's number, as a shell
 * reports a process the signal ended). Each handler is then reset, so the
 * same signal again ends the program at once. A signal ignored when the
 * program starts (nohup) stays ignored. */
#ifndef NN_CLI_SIGNALS_H
#define NN_CLI_SIGNALS_H

/* Installs the handlers. */
void signals_catch(void);

/* The first stop signal received, or 0. */
int signals_caught(void);

/* "Ctrl-C (SIGINT)", "SIGTERM", "SIGHUP": for messages. */
const char *signals_name(int sig);

#endif
