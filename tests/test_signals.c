/* test_signals.c — a run stopped by a scheduler (SIGTERM) or a closed
 * terminal (SIGHUP) keeps its work as Ctrl-C does: the epoch under way
 * finishes, its checkpoint is written, the program says how to resume and
 * exits with 128 + the signal; --resume then continues from there. A
 * SIGHUP ignored from the start (nohup) stays ignored. */
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

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

/* big/train-…: n 28×28 blank images, gzipped as one member per 1000
 * images (the member compressed once, written n/1000 times; a gzip file may
 * hold several), and labels 0, 1, 0, … Loading them takes a while; the
 * files take 100 KB. */
static void write_big_idx(int n) {
    char path[512], chunk_path[512];
    tmp_mkdir(tmp_path(path, dir, "big"));
    gzFile z = gzopen(tmp_path(chunk_path, dir, "chunk.gz"), "wb1");
    static unsigned char blank[784 * 1000];
    ck_assert(z && gzwrite(z, blank, sizeof blank) == (int)sizeof blank && gzclose(z) == Z_OK);
    FILE *f = fopen(chunk_path, "rb");
    static char chunk[1 << 16];
    size_t len = fread(chunk, 1, sizeof chunk, f);
    ck_assert(len > 0 && len < sizeof chunk && feof(f));
    fclose(f);
    remove(chunk_path);
    const unsigned char head[16] = {0, 0, 8, 3, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                                    (unsigned char)(n >> 8), (unsigned char)n, 0, 0, 0, 28, 0, 0, 0, 28};
    z = gzopen(tmp_path(path, dir, "big/train-images-idx3-ubyte.gz"), "wb1");
    ck_assert(z && gzwrite(z, head, 16) == 16 && gzclose(z) == Z_OK);
    f = fopen(path, "ab");
    for (int i = 0; i < n / 1000; i++) ck_assert_uint_eq(fwrite(chunk, 1, len, f), len);
    fclose(f);
    f = fopen(tmp_path(path, dir, "big/train-labels-idx1-ubyte"), "wb");
    fwrite(head, 1, 4, f); /* magic 0x803 … */
    fseek(f, 3, SEEK_SET);
    fputc(1, f); /* … made 0x801 */
    fwrite(head + 4, 1, 4, f);
    for (int i = 0; i < n; i++) fputc(i % 2, f);
    fclose(f);
}

/* Runs nn ARGV (stderr into err.txt) and sends sig the moment it opens the
 * images file, i.e. while it loads the data. Returns the exit status. */
static int stop_while_loading(char *const argv[], int sig) {
    char images[512];
    int watch = inotify_init1(IN_CLOEXEC);
    ck_assert_int_ge(watch, 0);
    ck_assert_int_ge(inotify_add_watch(watch, tmp_path(images, dir, "big/train-images-idx3-ubyte.gz"), IN_OPEN), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(127);
        if (!freopen("/dev/null", "w", stdout) || !freopen("err.txt", "w", stderr)) _exit(127);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv(NN_CLI_BIN, argv);
        _exit(127);
    }
    struct pollfd p = {.fd = watch, .events = POLLIN};
    if (poll(&p, 1, 60000) != 1) {
        char msg[1024];
        kill(pid, SIGKILL);
        wait_exit(pid);
        read_stderr(msg, sizeof msg);
        ck_abort_msg("nn never opened the images file: %s", msg);
    }
    kill(pid, sig);
    close(watch);
    return wait_exit(pid);
}

/* A stop signal while the data are being read ends the run at once: one
 * line saying what was interrupted, 128 + the signal, and nothing written
 * (no checkpoint, no model, no plot, no temporary file). */
START_TEST(test_stop_while_loading_ends_at_once) {
    write_big_idx(30000);
    const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    const char *names[] = {"SIGTERM", "Ctrl-C (SIGINT)", "SIGHUP"};
    for (int i = 0; i < 3; i++) {
        char *train[] = {"nn", "train", "--data", "big", "--arch", "784-2", "--epochs", "1", "--quiet",
                         "--checkpoint", "run.ckpt", "--save", "model.st", "--plot", "curves.svg", NULL};
        ck_assert_int_eq(stop_while_loading(train, sigs[i]), 128 + sigs[i]);
        char msg[1024], said[200], later[200];
        read_stderr(msg, sizeof msg);
        snprintf(said, sizeof said, "nn train: interrupted by %s while loading --data big, before the first "
                 "epoch; nothing was written\n", names[i]);
        /* on a loaded machine the signal may come after the data are in */
        snprintf(later, sizeof later, "nn train: interrupted by %s while preparing the first epoch; nothing "
                 "was written\n", names[i]);
        ck_assert_msg(strcmp(msg, said) == 0 || strcmp(msg, later) == 0, "stderr: %s", msg);
        char cmd[600];
        snprintf(cmd, sizeof cmd, "ls -A '%s'", dir); /* big and err.txt, nothing else */
        FILE *ls = popen(cmd, "r");
        size_t n = fread(msg, 1, sizeof msg - 1, ls);
        msg[n] = '\0';
        pclose(ls);
        ck_assert_str_eq(msg, "big\nerr.txt\n");
    }
    /* eval: the same, for a model of those data */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && OPENBLAS_NUM_THREADS=1 '%s' train --data big --arch 784-2 --epochs 1 "
             "--quiet --save m.st", dir, NN_CLI_BIN);
    ck_assert_int_eq(system(cmd), 0);
    char *eval[] = {"nn", "eval", "m.st", "--data", "big/train", NULL};
    ck_assert_int_eq(stop_while_loading(eval, SIGTERM), 128 + SIGTERM);
    char msg[1024];
    read_stderr(msg, sizeof msg);
    ck_assert_str_eq(msg, "nn eval: interrupted by SIGTERM while evaluating m.st on --data big/train; nothing was written\n");
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
    tcase_add_test(tc, test_stop_while_loading_ends_at_once);
    suite_add_tcase(s, tc);
    return s;
}
