/* test_cli_progress.c — `nn train` draws its progress bar only on a
 * terminal: through a pipe (a log file, CI) the output is the epoch lines
 * alone, without '\r' or escape sequences; on a pseudo-terminal the bar is
 * drawn and erased before each epoch line (cli/progress.c). The library
 * itself prints nothing: the bar comes from the trainer's step callback. */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char dir[64];

#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* 48 rows of two features and a label of two classes. */
static void write_rows(void) {
    char text[4096];
    int at = snprintf(text, sizeof text, "a,b,y\n");
    for (int i = 0; i < 48; i++)
        at += snprintf(text + at, sizeof text - (size_t)at, "%d.%d,%d,%s\n", i % 7, i % 10, i % 3,
                       i % 2 ? "odd" : "even");
    cli_write("rows.csv", text);
}

#define TRAIN_ARGS "train", "--data", "rows.csv", "--arch", "2-4-2", "--epochs", "2", "--batch", "4"

START_TEST(test_no_bar_through_a_pipe) {
    write_rows();
    ck_assert_msg(cli_nn("train --data rows.csv --arch 2-4-2 --epochs 2 --batch 4") == 0, "%s", cli_out);
    ck_assert_msg(strstr(cli_out, "epoch   1/2  loss ") != NULL, "%s", cli_out);
    ck_assert_msg(strstr(cli_out, "epoch   2/2  loss ") != NULL, "%s", cli_out);
    ck_assert_msg(strchr(cli_out, '\r') == NULL, "a carriage return in piped output: %s", cli_out);
    ck_assert_msg(strchr(cli_out, '\033') == NULL, "an escape sequence in piped output: %s", cli_out);
}
END_TEST

/* Runs `nn TRAIN_ARGS` with stdout and stderr on a new pseudo-terminal;
 * returns what it wrote (at most len − 1 bytes) and its exit status. */
static int train_on_a_terminal(char *buf, size_t len) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    char slave[128];
    ck_assert(snprintf(slave, sizeof slave, "%s", ptsname(master)) < (int)sizeof slave);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* the child: only async-signal-safe calls, then exec */
        setsid();
        int s = open(slave, O_RDWR);
        if (s < 0 || dup2(s, 1) < 0 || dup2(s, 2) < 0 || chdir(dir) != 0) _exit(126);
        close(master);
        char *const env[] = {"OPENBLAS_NUM_THREADS=1", NULL};
        execle(NN_CLI_BIN, "nn", TRAIN_ARGS, (char *)NULL, env);
        _exit(127);
    }
    size_t n = 0;
    for (;;) { /* until the child has closed the terminal (EIO) */
        ssize_t r = read(master, buf + n, len - 1 - n);
        if (r > 0 && (n += (size_t)r) < len - 1) continue;
        if (r < 0 && errno == EINTR) continue;
        break;
    }
    buf[n] = '\0';
    close(master);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_bar_on_a_terminal) {
    int probe = posix_openpt(O_RDWR | O_NOCTTY);
    if (probe < 0) { /* a chroot or container without /dev/pts */
        printf("test_bar_on_a_terminal: skipped (no pseudo-terminal: %s)\n", strerror(errno));
        return;
    }
    close(probe);
    write_rows();
    static char got[1 << 16];
    ck_assert_msg(train_on_a_terminal(got, sizeof got) == 0, "%s", got);
    const char *bar = strstr(got, "\repoch   1 [");
    ck_assert_msg(bar != NULL, "no progress bar on a terminal: %s", got);
    const char *full = strstr(bar, "] 100.0%  loss ");
    ck_assert_msg(full != NULL, "the bar never reached 100%%: %s", got);
    const char *erased = strstr(full, "\r\033[K");
    ck_assert_msg(erased != NULL, "the bar is not erased: %s", got);
    ck_assert_msg(strncmp(erased + 4, "epoch   1/2  loss ", 18) == 0,
                  "the epoch line does not follow the erased bar: %s", erased);
    ck_assert_msg(strstr(erased, "\repoch   2 [") != NULL, "no bar in epoch 2: %s", got);
}
END_TEST

Suite *test_cli_progress_suite(void) {
    Suite *s = suite_create("cli_progress");
    TCase *tc = tcase_create("progress");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_no_bar_through_a_pipe);
    tcase_add_test(tc, test_bar_on_a_terminal);
    suite_add_tcase(s, tc);
    return s;
}
