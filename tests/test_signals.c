/* test_signals.c — a run stopped by a scheduler (SIGTERM) or a closed
 * terminal (SIGHUP) keeps its work as Ctrl-C does: the epoch under way
 * finishes, its checkpoint is written, the program says how to resume and
 * exits with 128 + the signal; --resume then continues from there. A
 * SIGHUP ignored from the start (nohup) stays ignored. */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpfiles.h"

static char dir[64];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

static int exists(const char *name) {
    char path[512];
    return access(tmp_path(path, dir, name), F_OK) == 0;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* 300 rows of 4 features in 2 classes. */
static void write_data(void) {
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, "d.csv"), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "a,b,c,d,y\n");
    nn_rng r;
    nn_rng_seed(&r, 3);
    for (int i = 0; i < 300; i++)
        fprintf(f, "%.3f,%.3f,%.3f,%.3f,%d\n", nn_rng_normal(&r) + i % 2, nn_rng_normal(&r),
                nn_rng_normal(&r), nn_rng_normal(&r), i % 2);
    fclose(f);
}

/* Starts a run that would take 10^6 epochs (stderr into err.txt), with
 * SIGHUP ignored when ignore_hup; returns its pid once its first checkpoint
 * is on disk. */
static pid_t start_long_run(int ignore_hup) {
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(127);
        if (!freopen("/dev/null", "w", stdout) || !freopen("err.txt", "w", stderr)) _exit(127);
        if (ignore_hup) signal(SIGHUP, SIG_IGN);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execl(NN_CLI_BIN, "nn", "train", "--data", "d.csv", "--arch", "4-8-2", "--epochs", "1000000",
              "--batch", "16", "--quiet", "--checkpoint", "run.ckpt", "--save", "model.st", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 6000 && !exists("run.ckpt"); i++) sleep_ms(10);
    ck_assert_msg(exists("run.ckpt"), "no checkpoint after 60 s");
    return pid;
}

static int wait_exit(pid_t pid) {
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static void read_stderr(char *msg, size_t len) {
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, "err.txt"), "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(msg, 1, len - 1, f);
    msg[n] = '\0';
    fclose(f);
}

static void stops_like_ctrl_c(int sig, const char *name) {
    write_data();
    pid_t pid = start_long_run(0);
    kill(pid, sig);
    ck_assert_int_eq(wait_exit(pid), 128 + sig);
    char msg[1024];
    read_stderr(msg, sizeof msg);
    ck_assert_msg(strstr(msg, "interrupted after epoch") && strstr(msg, name) &&
                      strstr(msg, "checkpoint saved to run.ckpt (continue with --resume)"),
                  "stderr: %s", msg);
    ck_assert_msg(!exists("model.st"), "an interrupted run wrote its final model");
    /* the checkpoint holds whole epochs and the run continues from it */
    int epoch = 0;
    ck_assert(sscanf(strstr(msg, "after epoch"), "after epoch %d", &epoch) == 1 && epoch >= 1);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && OPENBLAS_NUM_THREADS=1 '%s' train --data d.csv --arch 4-8-2 --epochs %d --batch 16 "
             "--checkpoint run.ckpt --resume --save model.st 2>&1",
             dir, NN_CLI_BIN, epoch + 1);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(msg, 1, sizeof msg - 1, p);
    msg[n] = '\0';
    ck_assert_msg(pclose(p) == 0, "%s", msg);
    char resumed[64];
    snprintf(resumed, sizeof resumed, "resuming after epoch %d of %d", epoch, epoch + 1);
    ck_assert_msg_contains(msg, resumed);
    ck_assert(exists("model.st"));
}

START_TEST(test_sigterm_saves_and_stops) { stops_like_ctrl_c(SIGTERM, "SIGTERM"); }
END_TEST

START_TEST(test_sighup_saves_and_stops) { stops_like_ctrl_c(SIGHUP, "SIGHUP"); }
END_TEST

START_TEST(test_ignored_sighup_stays_ignored) {
    write_data();
    pid_t pid = start_long_run(1);
    kill(pid, SIGHUP);
    sleep_ms(100);
    kill(pid, SIGINT); /* still running: the SIGHUP did nothing */
    ck_assert_int_eq(wait_exit(pid), 128 + SIGINT);
    char msg[1024];
    read_stderr(msg, sizeof msg);
    ck_assert_msg_contains(msg, "Ctrl-C (SIGINT)");
}
END_TEST

Suite *test_signals_suite(void) {
    Suite *s = suite_create("signals");
    TCase *tc = tcase_create("stop");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sigterm_saves_and_stops);
    tcase_add_test(tc, test_sighup_saves_and_stops);
    tcase_add_test(tc, test_ignored_sighup_stays_ignored);
    suite_add_tcase(s, tc);
    return s;
}
