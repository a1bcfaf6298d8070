/* test_crash.c — crash-safe runs: `nn train --checkpoint` killed with SIGKILL
 * at random moments, again and again, each time resumed with --resume.
 *
 * After every kill the checkpoint on disk must load (it is written to a
 * temporary file, fsynced and renamed, so a kill leaves the old one or the
 * new one, never half of one). The chain of resumed runs must then finish and
 * give exactly the model of a run that was never interrupted: a resumed run
 * redoes the epoch that was cut, from the same weights, optimizer state and
 * shuffling generator.
 *
 * The kill times are drawn from a seeded generator as fractions of what is
 * left of the run (the uninterrupted run's length times the share of epochs
 * the checkpoint does not hold yet), so they land before the first
 * checkpoint, mid-epoch and (often) while a checkpoint is being written, and
 * a run is rarely allowed to finish first.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpfiles.h"

#define N_KILLS 8
#define EPOCHS 300
#define EPOCHS_ARG "300"

static char dir[64];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* 2400 samples of 16 features in 3 classes, written as CSV. */
static void write_data(void) {
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, "data.csv"), "w");
    ck_assert_ptr_nonnull(f);
    for (int j = 0; j < 16; j++) fprintf(f, "f%d,", j);
    fprintf(f, "label\n");
    nn_rng r;
    nn_rng_seed(&r, 5);
    for (int i = 0; i < 2400; i++) {
        int y = i % 3;
        for (int j = 0; j < 16; j++) fprintf(f, "%.4f,", nn_rng_normal(&r) + (j % 3 == y));
        fprintf(f, "c%d\n", y);
    }
    fclose(f);
}

/* Starts `nn train` in dir (output discarded); returns its pid. */
static pid_t start_train(const char *save, int resume) {
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(127);
        FILE *devnull = freopen("/dev/null", "w", stdout);
        (void)devnull;
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        if (resume)
            execl(NN_CLI_BIN, "nn", "train", "--data", "data.csv", "--arch", "16-64-3",
                  "--epochs", EPOCHS_ARG, "--batch", "16", "--optimizer", "adam", "--lr", "0.003",
                  "--quiet", "--checkpoint", "run.ckpt", "--save", save, "--resume", (char *)NULL);
        else
            execl(NN_CLI_BIN, "nn", "train", "--data", "data.csv", "--arch", "16-64-3",
                  "--epochs", EPOCHS_ARG, "--batch", "16", "--optimizer", "adam", "--lr", "0.003",
                  "--quiet", "--checkpoint", "run.ckpt", "--save", save, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid) {
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static int file_exists(const char *name) {
    char path[512];
    return access(tmp_path(path, dir, name), F_OK) == 0;
}

/* Restores the checkpoint into a model and an optimizer, as --resume does,
 * and returns the number of epochs it holds. */
static int checkpoint_epoch(const char *name) {
    char path[512];
    nn_model m;
    nn_error err;
    nn_checkpoint_info info = {0};
    tmp_path(path, dir, name);
    ck_assert_msg(nn_model_load(&m, path, 1, 0, &err) == NN_OK, "%s: %s", name, err.msg);
    nn_optimizer_options o = nn_optimizer_defaults(NN_OPT_ADAM, 0.003);
    nn_optimizer *opt = nn_optimizer_create(m.g, &o, &err);
    ck_assert_ptr_nonnull(opt);
    ck_assert_msg(nn_checkpoint_load(&m, opt, &info, path, &err) == NN_OK, "%s: %s", name, err.msg);
    nn_optimizer_free(opt);
    nn_model_free(&m);
    return info.epoch;
}

static void expect_loads(const char *name) {
    char path[512];
    nn_model m;
    nn_error err;
    ck_assert_msg(nn_model_load(&m, tmp_path(path, dir, name), 1, 0, &err) == NN_OK,
                  "%s does not load: %s", name, err.msg);
    ck_assert_int_eq(nn_graph_check_params(m.g, name, &err), NN_OK);
    nn_model_free(&m);
}

START_TEST(test_sigkill_then_resume) {
    tmp_dir(dir);
    write_data();
    /* the reference: one run, never interrupted */
    double t0 = now();
    ck_assert_int_eq(wait_exit(start_train("full.st", 0)), 0);
    double run_seconds = now() - t0;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -f '%s/run.ckpt'", dir);
    ck_assert_int_eq(system(cmd), 0);

    nn_rng r;
    nn_rng_seed(&r, 2024);
    int kills = 0, loaded = 0;
    for (int k = 0; k < N_KILLS; k++) {
        int resume = file_exists("run.ckpt");
        int done = resume ? checkpoint_epoch("run.ckpt") : 0;
        pid_t pid = start_train("final.st", resume);
        double left = run_seconds * (EPOCHS - done) / EPOCHS;
        double delay = left * (0.05 + 0.3 * nn_rng_uniform(&r));
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st = wait_exit(pid);
        kills += st == -SIGKILL;
        if (st != -SIGKILL) ck_assert_int_eq(st, 0); /* finished before the kill */
        if (file_exists("run.ckpt")) {
            expect_loads("run.ckpt");
            loaded++;
        }
    }
    ck_assert_msg(kills >= N_KILLS / 2, "only %d of %d runs were killed", kills, N_KILLS);
    ck_assert_msg(loaded > 0, "no checkpoint was ever written");
    /* finish the run */
    ck_assert_int_eq(wait_exit(start_train("final.st", file_exists("run.ckpt"))), 0);
    expect_loads("final.st");
    snprintf(cmd, sizeof cmd, "cmp -s '%s/full.st' '%s/final.st'", dir, dir);
    ck_assert_msg(system(cmd) == 0, "the resumed chain ended with another model than the "
                                    "uninterrupted run");
    tmp_remove(dir);
}
END_TEST

/* Ctrl-C: the epoch under way finishes, its checkpoint is written, the
 * program says how to resume and exits 130; --resume then completes the run. */
START_TEST(test_sigint_saves_and_stops) {
    tmp_dir(dir);
    write_data();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(127);
        if (!freopen("/dev/null", "w", stdout) || !freopen("stderr.txt", "w", stderr)) _exit(127);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execl(NN_CLI_BIN, "nn", "train", "--data", "data.csv", "--arch", "16-64-3", "--epochs",
              "100000", "--batch", "16", "--quiet", "--checkpoint", "run.ckpt", "--save",
              "model.st", (char *)NULL);
        _exit(127);
    }
    double t0 = now();
    while (!file_exists("run.ckpt") && now() - t0 < 60) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ck_assert_msg(file_exists("run.ckpt"), "no checkpoint after 60 s");
    kill(pid, SIGINT);
    ck_assert_int_eq(wait_exit(pid), 130);
    expect_loads("run.ckpt");
    ck_assert_msg(!file_exists("model.st"), "an interrupted run wrote its final model");
    char path[512], msg[512] = "";
    FILE *f = fopen(tmp_path(path, dir, "stderr.txt"), "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(msg, 1, sizeof msg - 1, f);
    msg[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(msg, "interrupted after epoch") && strstr(msg, "--resume"),
                  "stderr: %s", msg);
    tmp_remove(dir);
}
END_TEST

Suite *test_crash_suite(void) {
    Suite *s = suite_create("crash");
    TCase *tc = tcase_create("sigkill");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_sigkill_then_resume);
    tcase_add_test(tc, test_sigint_saves_and_stops);
    suite_add_tcase(s, tc);
    return s;
}
