/* args.c — option parsing shared by the subcommands (conventions in args.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "nn/text.h"
#include "dist.h"

static char last_error[4096]; /* what cli_error said last, on every rank */
static const char *program;    /* cli_set_program's name; NULL: "nn CMD" */

void cli_set_program(const char *name) { program = name; }

/* Who speaks: "nn CMD" (or "nn" when cmd is NULL), or the program's name. */
static const char *who(const char *cmd, char *buf, size_t len) {
    if (program) return program;
    snprintf(buf, len, "nn%s%s", cmd ? " " : "", cmd ? cmd : "");
    return buf;
}

/* Prints "nn CMD: MESSAGE" on one line, whatever bytes the user's names and
 * values hold: control characters and bytes that are not UTF-8 are escaped
 * (nn/text.h). Under mpirun every rank usually has the same message: rank 0
 * says it (train_ranks_ready passes on one only another rank had). */
static void say(const char *cmd, const char *prefix, const char *message) {
    char escaped[sizeof last_error * 4], name[64];
    if (dist_rank() != 0) return;
    nn_escape_line(escaped, sizeof escaped, message);
    fprintf(stderr, "%s: %s%s\n", who(cmd, name, sizeof name), prefix, escaped);
}

void cli_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    say(cmd, "", last_error);
}

static void vsay(const char *cmd, const char *prefix, const char *fmt, va_list ap) {
    char message[sizeof last_error];
    vsnprintf(message, sizeof message, fmt, ap);
    say(cmd, prefix, message);
}

void cli_note(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsay(cmd, "", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsay(cmd, "warning: ", fmt, ap);
    va_end(ap);
}

const char *cli_last_error(void) { return last_error; }

static void print_help(const char *cmd, const char *usage, const arg_option *opts) {
    char name[64];
    printf("usage: %s %s\n\n%soptions:\n", who(cmd, name, sizeof name), usage, "");
    for (const arg_option *o = opts; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
        printf("  %-24s %s\n", left, o->help);
    }
    printf("  %-24s %s\n", "--help", "show this help and exit");
}

static int parse_value(const char *cmd, arg_option *o, const char *v) {
    char *end;
    errno = 0;
    double x = 0;
    if (o->kind == ARG_STRING) {
        *(const char **)o->dest = v;
        return 1;
    }
    if (o->kind == ARG_U64) {
        if (*v == '-' || *v == '\0') goto bad;
        unsigned long long u = strtoull(v, &end, 10);
        if (*end || errno) goto bad;
        *(uint64_t *)o->dest = u;
        return 1;
    }
    if (o->kind == ARG_INT) {
        long n = strtol(v, &end, 10);
        if (*v != '\0' && !*end && (errno == ERANGE || n < -2147483647L || n > 2147483647L)) {
            cli_error(cmd, "%s: '%s' is out of range for an integer (-2147483647 to 2147483647)", o->name, v);
            return 0;
        }
        if (*v == '\0' || *end || errno) goto bad;
        x = (double)n;
    } else {
        x = strtod(v, &end);
        if (*v != '\0' && !*end && errno == ERANGE) {
            /* a number, out of double's range: say which way */
            cli_error(cmd, "%s: '%s' %s", o->name, v,
                      fabs(x) > 1 ? "overflows: it is beyond the largest double (1.8e308)"
                                  : "underflows: it is below the smallest normal double (2.2e-308)");
            return 0;
        }
        if (*v == '\0' || *end || errno || !isfinite(x)) goto bad;
    }
    if (x < o->min || x > o->max || (o->min_open && x == o->min)) {
        cli_error(cmd, "%s: %s is not in %s%g, %g]", o->name, v, o->min_open ? "(" : "[", o->min, o->max);
        return 0;
    }
    if (o->kind == ARG_INT) *(int *)o->dest = (int)x;
    else *(double *)o->dest = x;
    return 1;
bad:
    cli_error(cmd, "%s: '%s' is not %s", o->name, v,
              o->kind == ARG_REAL ? "a finite number" : o->kind == ARG_INT ? "an integer"
                                                                           : "a non-negative integer");
    return 0;
}

int args_parse(const char *cmd, const char *usage, arg_option *opts, int argc, char **argv,
               const char **pos, int max_pos, int *n_pos) {
    char name[64];
    *n_pos = 0;
    int only_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            if (*n_pos == max_pos) {
                cli_error(cmd, max_pos ? "unexpected argument '%s' (see %s --help)"
                                       : "takes no arguments, got '%s' (see %s --help)", a,
                          who(cmd, name, sizeof name));
                return EXIT_USAGE;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(cmd, usage, opts);
            return -1;
        }
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        arg_option *o = opts;
        while (o->name && !(strlen(o->name) == len && strncmp(o->name, a, len) == 0)) o++;
        if (!o->name) {
            cli_error(cmd, "unknown option '%.*s' (see %s --help)", (int)len, a, who(cmd, name, sizeof name));
            return EXIT_USAGE;
        }
        if (o->seen) {
            cli_error(cmd, "%s given twice", o->name);
            return EXIT_USAGE;
        }
        o->seen = 1;
        if (o->kind == ARG_FLAG) {
            if (eq) {
                cli_error(cmd, "%s takes no value", o->name);
                return EXIT_USAGE;
            }
            *(int *)o->dest = 1;
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
            cli_error(cmd, "%s needs a value (%s)", o->name, o->metavar ? o->metavar : "VALUE");
            return EXIT_USAGE;
        }
        if (!parse_value(cmd, o, v)) return EXIT_USAGE;
    }
    return 0;
}

const arg_option *args_find(const arg_option *opts, const char *name) {
    for (; opts->name; opts++)
        if (strcmp(opts->name, name) == 0) return opts;
    return NULL;
}

int args_choice(const char *cmd, const char *option, const char *value, const char *const *choices) {
    for (const char *const *c = choices; *c; c++)
        if (strcmp(*c, value) == 0) return 1;
    char list[256] = "";
    for (const char *const *c = choices; *c; c++) {
        strncat(list, c == choices ? "" : "|", sizeof list - strlen(list) - 1);
        strncat(list, *c, sizeof list - strlen(list) - 1);
    }
    cli_error(cmd, "%s: '%s' is not one of %s", option, value, list);
    return 0;
}

/* One side of WxH at *s: digits only; -1 if none, -2 if too large. */
static long image_side(const char **s) {
    long v = 0;
    if (**s < '0' || **s > '9') return -1;
    for (; **s >= '0' && **s <= '9'; (*s)++)
        if ((v = v * 10 + (**s - '0')) > NN_CLI_MAX_IMAGE_SIDE) v = NN_CLI_MAX_IMAGE_SIDE + 1;
    return v > NN_CLI_MAX_IMAGE_SIDE ? -2 : v;
}

int parse_image_size(const char *cmd, const char *text, int *width, int *height) {
    const char *s = text;
    long w = image_side(&s), h = -1;
    if (w != -1 && *s == 'x') {
        s++;
        h = image_side(&s);
    }
    if (w == -1 || h == -1 || *s) {
        cli_error(cmd, "--image-size: '%s' is not WIDTHxHEIGHT (e.g. 28x28)", text);
        return 0;
    }
    if (w == -2 || h == -2 || w == 0 || h == 0) {
        cli_error(cmd, "--image-size: '%s' is %s: each side must be 1 to %d pixels", text,
                  w == 0 || h == 0 ? "empty" : "too large", NN_CLI_MAX_IMAGE_SIDE);
        return 0;
    }
    *width = (int)w, *height = (int)h;
    return 1;
}

int args_real_list(const char *cmd, const char *option, const char *text, double *out, int max) {
    int n = 0;
    const char *s = text;
    for (;;) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno || !isfinite(v) || (*end != ',' && *end != '\0')) {
            cli_error(cmd, "%s: '%s' is not a comma-separated list of finite numbers", option, text);
            return -1;
        }
        if (n == max) {
            cli_error(cmd, "%s: more than %d values", option, max);
            return -1;
        }
        out[n++] = v;
        if (*end == '\0') return n;
        s = end + 1;
    }
}

static int stdout_errno; /* the first failure's errno, 0 if none seen */

int cli_flush_stdout(void) {
    if (fflush(stdout) == 0) return 0;
    if (!stdout_errno) stdout_errno = errno;
    return EOF;
}

int cli_finish_stdout(const char *cmd, int status) {
    int bad = ferror(stdout);
    if (bad && !stdout_errno) stdout_errno = errno; /* set by the failed write, if nothing since */
    if (cli_flush_stdout() != 0) bad = 1;
    if (fclose(stdout) != 0 && !bad) bad = 1, stdout_errno = errno;
    if (!bad) return status;
    char name[64];
    fprintf(stderr, "%s: write error: %s\n", who(cmd, name, sizeof name),
            stdout_errno ? strerror(stdout_errno) : "standard output failed");
    return status ? status : 1;
}
