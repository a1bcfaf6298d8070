/* signals.c — SIGINT, SIGTERM and SIGHUP ask the command to stop (see
 * signals.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nn/text.h"
#include "signals.h"

static volatile sig_atomic_t caught;
static volatile sig_atomic_t at_once; /* 1: a stop ends the program in the handler */

/* The line the handler writes in at-once mode, around the signal's name:
 * two copies, so that a new text is written into the one the handler does
 * not read, then made current with one store. */
static char line_start[2][160], line_end[2][4200];
static volatile sig_atomic_t line_now;

static void write_text(const char *s) {
    size_t n = strlen(s); /* strlen and write are async-signal-safe */
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0) return;
        s += w, n -= (size_t)w;
    }
}

static void stop_now(int sig) {
    int t = line_now;
    if (line_start[t][0]) {
        write_text(line_start[t]);
        write_text(signals_name(sig));
        write_text(line_end[t]);
    }
    _exit(128 + sig); /* as a shell reports a process the signal ended */
}

static void on_stop(int sig) {
    if (at_once) stop_now(sig);
    if (!caught) caught = sig;
}

static void install(void) {
    static int installed;
    if (installed++) return; /* a handler SA_RESETHAND reset stays reset */
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

void signals_catch(void) {
    install();
    at_once = 0;
}

void signals_stop_at_once(const char *cmd, const char *what, int say) {
    int t = !line_now;
    char shown[4096];
    nn_escape_line(shown, sizeof shown, what); /* a file name with a newline stays one line */
    snprintf(line_start[t], sizeof line_start[t], "nn %s: interrupted by ", cmd);
    snprintf(line_end[t], sizeof line_end[t], " while %s; nothing was written\n", shown);
    if (!say) line_start[t][0] = '\0'; /* the handler writes nothing */
    line_now = t;
    install();
    at_once = 1;
    if (caught) stop_now(caught); /* asked for before: stop now */
}

int signals_caught(void) { return caught; }

const char *signals_name(int sig) {
    return sig == SIGINT ? "Ctrl-C (SIGINT)" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}
