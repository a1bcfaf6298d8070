/* signals.c — SIGINT, SIGTERM and SIGHUP ask the command to stop (see
 * signals.h). */
#include <signal.h>
#include <string.h>

#include "signals.h"

static volatile sig_atomic_t caught;

static void on_stop(int sig) {
    if (!caught) caught = sig;
}

void signals_catch(void) {
    static const int stops[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sa.sa_flags = SA_RESETHAND; /* the same signal again takes the default action */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stops / sizeof *stops; i++) {
        struct sigaction old;
        /* a signal ignored from the start (nohup, a background job) stays ignored */
        if (sigaction(stops[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(stops[i], &sa, NULL);
    }
}

int signals_caught(void) { return caught; }

const char *signals_name(int sig) {
    return sig == SIGINT ? "Ctrl-C (SIGINT)" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}
