/* args.h — the command-line conventions every nn subcommand shares.
 *
 * Options are --name VALUE or --name=VALUE; flags take no value; "--" ends
 * the options. A value is never an option: in "--save --epochs 3" --save
 * lacks its value (write --save=--odd-name for such a file). Numbers are
 * plain decimals (no blanks, no hexadecimal, no nan or inf) within the
 * table's range; strings are not empty. An unknown option (with "did you
 * mean --x?" for a near miss), a missing, empty or malformed value, a value
 * out of range, or an option given twice is a one-line error naming the
 * option, and the subcommand exits with status 2 before it reads or writes
 * anything. --help (anywhere before "--") prints the usage and the option
 * table — each number's range and default taken from the table — and exits
 * with status 0.
 */
#ifndef NN_CLI_ARGS_H
#define NN_CLI_ARGS_H

#include <stdint.h>

typedef enum { ARG_FLAG, ARG_STRING, ARG_INT, ARG_REAL, ARG_U64 } arg_kind;

typedef struct {
    const char *name;    /* "--epochs" */
    arg_kind    kind;
    void       *dest;    /* int* (FLAG, INT), const char ** (STRING), double*, uint64_t* */
    const char *metavar; /* "N" in the help, NULL for flags */
    const char *help;    /* one line */
    double      min, max;/* allowed range of numbers (inclusive) ... */
    int         min_open;/* ... except min itself when set: (min, max] */
    int         seen;    /* set by the parser */
} arg_option;

/* Table entries: a string, a flag, an integer or real in [lo, hi], a real in
 * (0, hi], a non-negative 64-bit integer; OPT_END closes the table. */
#define OPT_STRING(n, d, meta, help) {n, ARG_STRING, d, meta, help, 0, 0, 0, 0}
#define OPT_FLAG(n, d, help) {n, ARG_FLAG, d, NULL, help, 0, 0, 0, 0}
#define OPT_INT(n, d, meta, help, lo, hi) {n, ARG_INT, d, meta, help, lo, hi, 0, 0}
#define OPT_REAL(n, d, meta, help, lo, hi) {n, ARG_REAL, d, meta, help, lo, hi, 0, 0}
#define OPT_POSITIVE(n, d, meta, help, hi) {n, ARG_REAL, d, meta, help, 0, hi, 1, 0}
#define OPT_U64(n, d, meta, help) {n, ARG_U64, d, meta, help, 0, 0, 0, 0}
#define OPT_END {NULL, ARG_FLAG, NULL, NULL, NULL, 0, 0, 0, 0}

/* Exit statuses. */
enum { EXIT_USAGE = 2 };

/* Parses argv[1..argc) for subcommand `cmd`. Positional arguments are
 * collected in pos (at most max_pos). Returns 0 to go on, -1 after printing
 * the help (exit 0), or EXIT_USAGE after printing an error. */
int args_parse(const char *cmd, const char *usage, arg_option *opts, int argc, char **argv,
               const char **pos, int max_pos, int *n_pos);

/* A program other than nn that follows these conventions (examples/distill.c)
 * calls this first: every message then begins "NAME: ", and the help
 * "usage: NAME", whatever cmd the callers pass. */
void cli_set_program(const char *name);

/* Prints "nn CMD: message" to stderr (under nn-mpi: on rank 0 only). */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A note or a warning ("nn CMD: warning: …") on stderr, escaped like
 * cli_error's message, but not an error: cli_last_error() is unchanged.
 * cmd may be NULL ("nn: …"). */
void cli_note(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The message cli_error was last given (without "nn CMD: "), or "". */
const char *cli_last_error(void);

/* The option named `name` in opts (for .seen). */
const arg_option *args_find(const arg_option *opts, const char *name);

/* Checks that `value` is one of the NULL-terminated choices; else prints
 * "nn CMD: OPTION: 'value' is not one of a|b|c" and returns 0. */
int args_choice(const char *cmd, const char *option, const char *value, const char *const *choices);

/* Parses "v0,v1,…" into at most max finite numbers; returns the count or -1
 * after printing an error naming the option. */
/* Parses --image-size WxH (each 1 to NN_CLI_MAX_IMAGE_SIDE); 0 after an
 * error saying which part is wrong. */
#define NN_CLI_MAX_IMAGE_SIDE (1 << 14)
int parse_image_size(const char *cmd, const char *text, int *width, int *height);

int args_real_list(const char *cmd, const char *option, const char *text, double *out, int max);

/* fflush(stdout) that remembers the first failure's errno, so the error
 * reported at exit names the real cause (a later call may clobber errno). */
int cli_flush_stdout(void);

/* Flushes and closes stdout; on any failure since the start prints
 * "nn CMD: write error: REASON" and returns 1 (or status if that is not 0). */
int cli_finish_stdout(const char *cmd, int status);

/* The exit status for a non-zero args_parse result. */
#define ARGS_EXIT(r) ((r) < 0 ? 0 : (r))

#endif
