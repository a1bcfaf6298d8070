/* cli_run.h — running the `nn` program from a suite (NN_CLI_BIN, set by the
 * Makefile), in a scratch directory, with its output captured; and the small
 * data sets the CLI suites train on (gray PNG folders, a two-class table).
 *
 * The including file defines `static char dir[64]` (the scratch directory,
 * see tmpfiles.h) before including this header. */
#ifndef NN_CLI_RUN_H
#define NN_CLI_RUN_H

#include <stb_image_write.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nn/nn.h"
#include "tmpfiles.h"

static char cli_out[1 << 16]; /* what the last command printed */

/* Runs a shell command, its stdout into cli_out; returns its exit status,
 * or 128 + the signal that ended it (as the shell reports it). */
static inline int cli_shell(const char *cmd) {
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(cli_out, 1, sizeof cli_out - 1, p);
    cli_out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

/* Runs `cd dir && nn ARGS 2>&1 REDIRECT` (REDIRECT: "" or "> /dev/full" …),
 * so stderr is captured even when stdout goes elsewhere; "2>/dev/null"
 * captures stdout alone (cli_nn_stdout). ARGS longer than the buffer fail
 * the test instead of running a cut command. */
static inline int cli_nn_to(const char *redirect, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int cli_nn_to(const char *redirect, const char *fmt, ...) {
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    ck_assert_msg(n >= 0 && (size_t)n < sizeof args, "cli_nn: %d bytes of arguments", n);
    n = snprintf(cmd, sizeof cmd, "cd '%s' && OPENBLAS_NUM_THREADS=1 '%s' %s 2>&1 %s", dir, NN_CLI_BIN,
                 args, redirect);
    ck_assert_msg(n >= 0 && (size_t)n < sizeof cmd, "cli_nn: a command of %d bytes", n);
    return cli_shell(cmd);
}

#define cli_nn(...) cli_nn_to("", __VA_ARGS__)
/* `nn ARGS` with its stdout alone in cli_out (stderr discarded). */
#define cli_nn_stdout(...) cli_nn_to("2>/dev/null", __VA_ARGS__)

/* dir/name exists. */
static inline int cli_exists(const char *name) {
    char path[512];
    return access(tmp_path(path, dir, name), F_OK) == 0;
}

/* The bytes of dir/name (at most len − 1), NUL-terminated; returns the count. */
static inline size_t cli_read(const char *name, char *buf, size_t len) {
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, name), "rb");
    ck_assert_msg(f != NULL, "cannot open %s", name);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
    return n;
}

/* n gray w × h PNG images dir/root/label/0.png … (n − 1).png, folders made as
 * needed: 200 on the left half when bright_left, else on the right, 40 on
 * the other half, plus 7·((x + y + i) mod 5) so that no two are alike. */
static inline void cli_images(const char *root, const char *label, int n, int w, int h,
                              int bright_left) {
    char folder[512], file[600];
    unsigned char pix[64 * 64]; /* (h, w) */
    ck_assert(w > 0 && h > 0 && w * h <= (int)sizeof pix);
    ck_assert(snprintf(folder, sizeof folder, "%s/%s", dir, root) < (int)sizeof folder);
    mkdir(folder, 0755);
    ck_assert(snprintf(folder, sizeof folder, "%s/%s/%s", dir, root, label) < (int)sizeof folder);
    mkdir(folder, 0755);
    for (int i = 0; i < n; i++) {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                pix[y * w + x] = (unsigned char)(((x < w / 2) == !!bright_left ? 200 : 40) +
                                                 7 * ((x + y + i) % 5));
        ck_assert(snprintf(file, sizeof file, "%s/%d.png", folder, i) < (int)sizeof file);
        ck_assert(stbi_write_png(file, w, h, 1, pix, w));
    }
}

/* dir/name: a CSV table a,b,y of `rows` rows (at most 100), a and b uniform
 * in [−2, 2) from seed, y "hi" when a + b > 0, else "lo". */
static inline void cli_hi_lo_table(const char *name, int rows, uint64_t seed) {
    char text[4096] = "a,b,y\n";
    nn_rng r;
    nn_rng_seed(&r, seed);
    ck_assert(rows <= 100);
    for (int i = 0; i < rows; i++) {
        double a = 4 * nn_rng_uniform(&r) - 2, b = 4 * nn_rng_uniform(&r) - 2;
        snprintf(text + strlen(text), sizeof text - strlen(text), "%.3f,%.3f,%s\n", a, b, a + b > 0 ? "hi" : "lo");
    }
    char path[512];
    tmp_write_text(tmp_path(path, dir, name), text);
}

/* Writes text to dir/name. */
static inline void cli_write(const char *name, const char *text) {
    char path[512];
    tmp_write_text(tmp_path(path, dir, name), text);
}

#endif
