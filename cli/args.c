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

/* A bound or a default as --help and the errors print it: integers in
 * full (2147483647, not 2.14748e+09), other numbers with %g. */
static void format_number(char *buf, size_t len, double x) {
    if (x == floor(x) && fabs(x) < 1e15) snprintf(buf, len, "%.0f", x);
    else snprintf(buf, len, "%g", x);
}

/* "[1, 1000000]" or "(0, 1e+06]": the values a number option accepts. */
static void format_range(char *buf, size_t len, const arg_option *o) {
    char lo[32], hi[32];
    format_number(lo, sizeof lo, o->min);
    format_number(hi, sizeof hi, o->max);
    snprintf(buf, len, "%s%s, %s]", o->min_open ? "(" : "[", lo, hi);
}

/* The help line of o: its text, then — for numbers, unless the text says
 * them already — the range from the table and the default (the value
 * before parsing; one outside the range, such as --limit's 0, is "off"),
 * so --help cannot disagree with the parser. */
static void print_option(const arg_option *o) {
    char left[64], range[72] = "", def[48] = "", extra[128] = "";
    snprintf(left, sizeof left, "%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
    int says_default = strstr(o->help, "default") != NULL;
    if (o->kind == ARG_INT || o->kind == ARG_REAL) {
        double x = o->kind == ARG_INT ? *(const int *)o->dest : *(const double *)o->dest;
        if (!strstr(o->help, " in [") && !strstr(o->help, " in (")) format_range(range, sizeof range, o);
        if (!says_default && (x < o->min || x > o->max || (o->min_open && x == o->min))) {
            strcpy(def, "default: off");
        } else if (!says_default) {
            strcpy(def, "default ");
            format_number(def + 8, sizeof def - 8, x);
        }
    } else if (o->kind == ARG_U64 && !says_default) {
        snprintf(def, sizeof def, "default %llu", (unsigned long long)*(const uint64_t *)o->dest);
    }
    /* "… (default 4)" from the text and a range from the table: "… (in [1, 256]; default 4)" */
    const char *paren = strrchr(o->help, '(');
    int merge = *range && paren && strncmp(paren, "(default", 8) == 0 && o->help[strlen(o->help) - 1] == ')';
    int text_len = merge ? (int)(paren - o->help) : (int)strlen(o->help);
    if (merge) snprintf(extra, sizeof extra, "(in %s; %s", range, paren + 1);
    else if (*range || *def)
        snprintf(extra, sizeof extra, " (%s%s%s%s)", *range ? "in " : "", range, *range && *def ? "; " : "", def);
    if (strlen(left) > 24) printf("  %s\n  %-24s %.*s%s\n", left, "", text_len, o->help, extra);
    else printf("  %-24s %.*s%s\n", left, text_len, o->help, extra);
}

static void print_help(const char *cmd, const char *usage, const arg_option *opts) {
    char name[64];
    printf("usage: %s %s\n\noptions:\n", who(cmd, name, sizeof name), usage);
    for (const arg_option *o = opts; o->name; o++) print_option(o);
    printf("  %-24s %s\n", "--help", "show this help and exit");
}

/* Whether v is written as a plain decimal number: an optional sign, then
 * digits (and for reals a point and an exponent). strtod alone would also
 * take leading blanks, hexadecimal ("0x10") and words ("infinity"). */
static int decimal_syntax(const char *v, int real) {
    const char *s = v + (*v == '+' || *v == '-');
    if (!(*s >= '0' && *s <= '9') && !(real && *s == '.')) return 0;
    for (; *s; s++)
        if (!(*s >= '0' && *s <= '9') && !(real && strchr(".eE+-", *s))) return 0;
    return 1;
}

static int parse_value(const char *cmd, arg_option *o, const char *v) {
    char *end, range[72];
    errno = 0;
    double x = 0;
    if (o->kind == ARG_STRING) {
        if (*v == '\0') {
            cli_error(cmd, "%s: the value is empty (%s)", o->name, o->metavar ? o->metavar : "VALUE");
            return 0;
        }
        *(const char **)o->dest = v;
        return 1;
    }
    if (o->kind == ARG_U64) {
        if (*v == '-' || !decimal_syntax(v, 0)) goto bad;
        unsigned long long u = strtoull(v, &end, 10);
        if (*end) goto bad;
        if (errno == ERANGE) {
            cli_error(cmd, "%s: '%s' is out of range (0 to %llu)", o->name, v, (unsigned long long)UINT64_MAX);
            return 0;
        }
        *(uint64_t *)o->dest = u;
        return 1;
    }
    if (!decimal_syntax(v, o->kind == ARG_REAL)) goto bad;
    if (o->kind == ARG_INT) {
        long n = strtol(v, &end, 10);
        if (!*end && (errno == ERANGE || n < -2147483647L || n > 2147483647L)) {
            cli_error(cmd, "%s: '%s' is out of range for an integer (-2147483647 to 2147483647)", o->name, v);
            return 0;
        }
        if (*end || errno) goto bad;
        x = (double)n;
    } else {
        x = strtod(v, &end);
        if (!*end && errno == ERANGE) {
            /* a number, out of double's range: say which way */
            cli_error(cmd, "%s: '%s' %s", o->name, v,
                      fabs(x) > 1 ? "overflows: it is beyond the largest double (1.8e308)"
                                  : "underflows: it is below the smallest normal double (2.2e-308)");
            return 0;
        }
        if (*end || errno || !isfinite(x)) goto bad;
    }
    if (x < o->min || x > o->max || (o->min_open && x == o->min)) {
        format_range(range, sizeof range, o);
        cli_error(cmd, "%s: %s is not in %s", o->name, v, range);
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

/* Edit distance between a[0..n) and b (insertions, deletions, substitutions
 * and swaps of neighbours each count 1), capped at 9. */
static int distance(const char *a, size_t n, const char *b) {
    size_t m = strlen(b);
    if (n > 40 || m > 40) return 9;
    int d[41][41];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            int best = sub < del ? sub : del;
            if (ins < best) best = ins;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m] < 9 ? d[n][m] : 9;
}

/* The options a misspelt name most likely meant, into out ("--lr", or
 * "--val-fraction or --values"): those it starts (--val), at most three,
 * else the closest within a third of its length (--lrr → --lr, --pateince →
 * --patience). Returns 0 when there is none. */
static int nearest(const arg_option *opts, const char *a, size_t len, char *out, size_t cap) {
    const char *best = NULL, *prefix_of[4];
    int best_d = 9, n_prefix = 0, tie = 0;
    for (const arg_option *o = opts; o->name; o++) {
        if (len >= 4 && strncmp(o->name, a, len) == 0 && n_prefix < 4) prefix_of[n_prefix++] = o->name;
        int d = distance(a, len, o->name);
        if (d < best_d) best_d = d, best = o->name, tie = 0;
        else if (d == best_d) tie = 1;
    }
    if (n_prefix >= 1 && n_prefix <= 3) {
        snprintf(out, cap, "%s%s%s%s%s", prefix_of[0], n_prefix == 3 ? ", " : n_prefix == 2 ? " or " : "",
                 n_prefix > 1 ? prefix_of[1] : "", n_prefix == 3 ? " or " : "", n_prefix == 3 ? prefix_of[2] : "");
        return 1;
    }
    int limit = (int)(len - 2) / 3 > 1 ? (int)(len - 2) / 3 : 1;
    if (!best || tie || best_d > limit) return 0;
    snprintf(out, cap, "%s", best);
    return 1;
}

/* An argument that is an option, so not the value of the one before it
 * ("--save --epochs 3" lacks the file name). */
static int looks_like_option(const char *a) { return strncmp(a, "--", 2) == 0 || strcmp(a, "-h") == 0; }

int args_parse(const char *cmd, const char *usage, arg_option *opts, int argc, char **argv,
               const char **pos, int max_pos, int *n_pos) {
    char name[64];
    *n_pos = 0;
    /* --help anywhere (before "--") prints the help with the defaults, not
     * with the values of the options before it */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help(cmd, usage, opts);
            return -1;
        }
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
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        if (len == 6 && strncmp(a, "--help", 6) == 0) {
            cli_error(cmd, "--help takes no value");
            return EXIT_USAGE;
        }
        arg_option *o = opts;
        while (o->name && !(strlen(o->name) == len && strncmp(o->name, a, len) == 0)) o++;
        if (!o->name) {
            char guess[160];
            if (nearest(opts, a, len, guess, sizeof guess)) cli_error(cmd, "unknown option '%.*s'; did you mean %s? (see %s --help)", (int)len, a, guess,
                                 who(cmd, name, sizeof name));
            else cli_error(cmd, "unknown option '%.*s' (see %s --help)", (int)len, a, who(cmd, name, sizeof name));
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
        const char *v = eq ? eq + 1 : (i + 1 < argc && !looks_like_option(argv[i + 1]) ? argv[++i] : NULL);
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
