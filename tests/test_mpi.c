/* test_mpi.c — `mpirun -np N build/nn-mpi train`: data-parallel training
 * against one process, on loopback (mpirun --oversubscribe, shared memory).
 *
 * Each check starts the real programs, so the suite is kept to a few short
 * runs on a 60-row CSV and a 15-image folder: 1 vs 2 vs 3 ranks (48 training
 * rows in batches of 14: an uneven last batch of 6, and batches that give a
 * rank no row), bit-identical repeats, a resume under another rank count, a
 * corrupt file that one rank reads, a NaN that appears on one rank, a rank
 * killed or sent SIGTERM mid-run. Without Open MPI (mpicc, mpirun) or under
 * the sanitizers (Open MPI's own allocations would be reported as leaks) it
 * says so and skips. */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stb_image_write.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"
#include "tmpfiles.h"

static char dir[64];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* mpirun as root needs --allow-run-as-root; --bind-to none because 3 ranks
 * share 2 cores here; one OpenBLAS thread per rank. */
#define MPIRUN "env OPENBLAS_NUM_THREADS=1 mpirun --oversubscribe --allow-run-as-root --bind-to none " \
               "--mca btl self,vader -np"

/* Most checks run in the float build only: each run costs about a second,
 * and the double build differs only in the allreduce's MPI type, which the
 * first check covers. */
#ifdef NN_DOUBLE
#define FLOAT_BUILD 0
#else
#define FLOAT_BUILD 1
#endif

static int skip_reason(void) {
    if (!NN_HAVE_MPI) {
        fprintf(stderr, "test_mpi: skipped: Open MPI (mpicc, mpirun) is not installed "
                        "(make mpi installs it)\n");
        return 1;
    }
    if (NN_TEST_SAN) {
        fprintf(stderr, "test_mpi: skipped under the sanitizers (Open MPI's allocations)\n");
        return 1;
    }
    if (getenv("NN_TEST_UNDER_VALGRIND")) { /* the ranks run outside valgrind: it would watch only this harness */
        fprintf(stderr, "test_mpi: skipped under valgrind (the ranks are separate processes it does not run)\n");
        return 1;
    }
    return 0;
}

/* Runs a shell command; returns its exit status (or 128 + signal). */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    ck_assert(n > 0 && n < (int)sizeof cmd);
    int st = system(cmd);
    ck_assert_int_ne(st, -1);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* `nn train ARGS` with N ranks (0: the plain nn program), stdout and stderr
 * to dir/NAME.out and dir/NAME.err; returns the exit status. */
static int train(int ranks, const char *name, const char *args) {
    if (ranks == 0)
        return run("cd %s && OPENBLAS_NUM_THREADS=1 timeout 60 %s train %s > %s.out 2> %s.err", dir,
                   NN_CLI_BIN, args, name, name);
    return run("cd %s && timeout 60 " MPIRUN " %d %s train %s > %s.out 2> %s.err", dir, ranks,
               NN_MPI_BIN, args, name, name);
}

static char *slurp(const char *name) {
    char path[512];
    tmp_path(path, dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* "NAME.err", the stderr of train(…, NAME, …). */
static const char *err_name(const char *name) {
    static char buf[80];
    snprintf(buf, sizeof buf, "%s.err", name);
    return buf;
}

static int count(const char *text, const char *needle) {
    int k = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++) k++;
    return k;
}

/* Max |p − q| over the predicted probabilities of two saved models on `data`
 * (loaded as training data would be). */
static double max_prob_diff(const char *model_a, const char *model_b, const nn_dataset *data) {
    char pa[512], pb[512];
    nn_model a, b;
    nn_error err;
    ck_assert_msg(nn_model_load(&a, tmp_path(pa, dir, model_a), 64, 0, &err) == NN_OK, "%s", err.msg);
    ck_assert_msg(nn_model_load(&b, tmp_path(pb, dir, model_b), 64, 0, &err) == NN_OK, "%s", err.msg);
    int K = a.arch.sizes[a.arch.n_sizes - 1];
    nn_real *p = malloc((size_t)data->n * K * sizeof *p), *q = malloc((size_t)data->n * K * sizeof *q);
    ck_assert_int_eq(nn_model_run(&a, data, a.probs, p, &err), NN_OK);
    ck_assert_int_eq(nn_model_run(&b, data, b.probs, q, &err), NN_OK);
    double worst = 0;
    for (size_t i = 0; i < (size_t)data->n * K; i++)
        if (fabs((double)p[i] - q[i]) > worst) worst = fabs((double)p[i] - q[i]);
    free(p);
    free(q);
    nn_model_free(&a);
    nn_model_free(&b);
    return worst;
}

/* 1 if two files hold the same bytes. */
static int same_file(const char *x, const char *y) {
    return run("cmp -s %s/%s %s/%s", dir, x, dir, y) == 0;
}

/* `rows` rows of 3 features and 3 classes from a noisy rule, drawn from seed. */
static void write_rule_csv(const char *name, int rows, uint64_t seed) {
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, name), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "a,b,c,label\n");
    nn_rng rng;
    nn_rng_seed(&rng, seed);
    for (int i = 0; i < rows; i++) {
        double a = nn_rng_normal(&rng), b = nn_rng_normal(&rng), c = 10 + 5 * nn_rng_normal(&rng);
        int y = a + 0.5 * b > 0.6 ? 2 : a + 0.5 * b > -0.6 ? 1 : 0;
        fprintf(f, "%.6f,%.6f,%.6f,%d\n", a, b, c, y);
    }
    ck_assert_int_eq(fclose(f), 0);
}

/* 60 training rows. */
static void write_csv(void) { write_rule_csv("data.csv", 60, 3); }

/* 25 test rows (3 ranks: parts of 8, 8 and 9) of the same rule. */
static void write_test_csv(void) { write_rule_csv("test.csv", 25, 11); }

/* Column `col` (the checkpoint history's order, after the epoch: 1 loss,
 * 2 train acc, 3 val acc, 4 val MAE, 5 val QWK, 6 test loss, 7 test acc,
 * 8 val loss, 9 test MAE, 10 test QWK) of every epoch in checkpoint NAME. */
static int history_column(const char *name, int col, double *v, int cap) {
    char path[512], text[8192];
    nn_error err;
    ck_assert_msg(nn_checkpoint_history(tmp_path(path, dir, name), text, sizeof text, &err) == NN_OK, "%s",
                  err.msg);
    int n = 0;
    for (char *line = strtok(text, "\n"); line && n < cap; line = strtok(NULL, "\n")) {
        char *p = line, *end;
        double x = NAN;
        for (int i = 0; i <= col; i++, p = end) {
            x = strtod(p, &end);
            ck_assert_msg(end != p, "%s: history line '%s' has no column %d", name, line, col);
        }
        v[n++] = x;
    }
    return n;
}

static nn_dataset load_csv_data(void) {
    char path[512];
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(nn_load_csv(&d, tmp_path(path, dir, "data.csv"), NULL, &err), NN_OK);
    return d;
}

/* 48 training rows after the 0.2 validation split, in batches of 14. */
#define CSV_ARGS "--data data.csv --arch 3-8-3 --epochs 6 --batch 14 --lr 0.1 --val-fraction 0.2"

START_TEST(test_csv_one_two_three_ranks) {
    if (skip_reason()) return;
    write_csv();
    ck_assert_int_eq(train(0, "one", CSV_ARGS " --quiet --save one.st"), 0);
    ck_assert_msg(train(2, "r2", CSV_ARGS " --quiet --save r2.st") == 0, "%s", slurp("r2.err"));
    nn_dataset d = load_csv_data();
    double d2 = max_prob_diff("one.st", "r2.st", &d);
    ck_assert_msg(d2 <= 1e-4, "2 ranks differ by %g", d2);
    /* and they did train: the model is not the initial one */
    ck_assert_int_eq(train(0, "init", "--data data.csv --arch 3-8-3 --epochs 1 --lr 1e-9 --quiet "
                                      "--save init.st"), 0);
    ck_assert_double_gt(max_prob_diff("one.st", "init.st", &d), 1e-2);
    if (!FLOAT_BUILD) {
        nn_dataset_free(&d);
        return;
    }
    ck_assert_msg(train(2, "r2b", CSV_ARGS " --quiet --save r2b.st") == 0, "%s", slurp("r2b.err"));
    ck_assert(same_file("r2.st", "r2b.st")); /* the same rank count repeats bit for bit */
    /* 3 ranks, printing: the lines once (rank 0), the same as one process's;
     * each rank scores its part of --test, the figures are the whole set's */
    write_test_csv();
    ck_assert_msg(train(3, "r3", CSV_ARGS " --test test.csv --checkpoint ck --plot p.svg --save r3.st") == 0,
                  "%s", slurp("r3.err"));
    double d3 = max_prob_diff("one.st", "r3.st", &d);
    ck_assert_msg(d3 <= 1e-4, "3 ranks differ by %g", d3);
    const char *out = slurp("r3.out");
    ck_assert_int_eq(count(out, "epoch   1/6"), 1);
    ck_assert_int_eq(count(out, "val acc"), 6);
    ck_assert_int_eq(count(out, "saved r3.st"), 1);
    ck_assert_int_eq(count(out, "3 ranks: 24 allreduces of "), 1);
    char epoch6[128];
    ck_assert_int_eq(train(0, "one_loud", CSV_ARGS " --test test.csv --checkpoint ck1"), 0);
    const char *line = strstr(slurp("one_loud.out"), "epoch   6/6");
    ck_assert_ptr_nonnull(line);
    snprintf(epoch6, sizeof epoch6, "%.*s", (int)(strstr(line, "(") - line), line);
    ck_assert_msg_contains(epoch6, "test acc");
    ck_assert_msg(strstr(slurp("r3.out"), epoch6) != NULL, "'%s' missing from 3 ranks' output", epoch6);
    /* the test loss, MAE and QWK of every epoch (kept in the checkpoints' curves) */
    const int cols[] = {6, 9, 10};
    for (int i = 0; i < 3; i++) {
        double one[6], three[6];
        ck_assert_int_eq(history_column("ck1", cols[i], one, 6), 6);
        ck_assert_int_eq(history_column("ck", cols[i], three, 6), 6);
        for (int e = 0; e < 6; e++)
            ck_assert_msg(isfinite(one[e]) && fabs(one[e] - three[e]) <= 1e-4 * fabs(one[e]),
                          "epoch %d: test figure %d is %.9g in one process, %.9g with 3 ranks", e + 1, cols[i],
                          one[e], three[e]);
    }
    nn_dataset_free(&d);
}
END_TEST

/* --limit (its seeded shuffle of the training rows, the same on every
 * rank), a .npy file of teacher logits (each rank takes its rows' logits)
 * and --class-weights auto (counted over every rank's training labels; each
 * step's weighted mean divides by the global batch's Σ w_y): 1 vs 2 vs 3
 * ranks train the same model and print the same epoch lines. */
START_TEST(test_limit_weights_npy_teacher_like_one_process) {
    if (!FLOAT_BUILD || skip_reason()) return;
    write_csv();
    nn_real logits[60 * 3]; /* (60, 3) one row per data row */
    nn_rng rng;
    nn_rng_seed(&rng, 17);
    for (int i = 0; i < 60 * 3; i++) logits[i] = (nn_real)(2 * nn_rng_normal(&rng));
    char path[512];
    nn_error err;
    ck_assert_int_eq(nn_save_npy(tmp_path(path, dir, "t.npy"), logits, 60, 3, &err), NN_OK);
    const char *args = CSV_ARGS " --loss distill --teacher t.npy --limit 30 --limit-seed 7 --class-weights auto";
    char a[512];
    const char *names[] = {"one", "r2", "r3"};
    for (int r = 0; r <= 3; r += r ? 1 : 2) {
        const char *name = names[r ? r - 1 : 0];
        snprintf(a, sizeof a, "%s --save %s.st", args, name);
        ck_assert_msg(train(r, name, a) == 0, "%s", slurp(err_name(name)));
    }
    nn_dataset d = load_csv_data();
    double d2 = max_prob_diff("one.st", "r2.st", &d), d3 = max_prob_diff("one.st", "r3.st", &d);
    ck_assert_msg(d2 <= 1e-4 && d3 <= 1e-4, "2 ranks differ by %g, 3 ranks by %g", d2, d3);
    char last[200]; /* the last epoch's line: training and validation loss, accuracy, MAE, QWK */
    const char *line = strstr(slurp("one.out"), "epoch   6/6");
    ck_assert_ptr_nonnull(line);
    snprintf(last, sizeof last, "%.*s", (int)(strstr(line, "(") - line), line);
    ck_assert_msg(strstr(slurp("r3.out"), last) != NULL, "'%s' missing from 3 ranks' output", last);
    /* and the options did something: without them the model differs */
    ck_assert_int_eq(train(0, "all", CSV_ARGS " --quiet --loss distill --teacher t.npy --save all.st"), 0);
    ck_assert_double_gt(max_prob_diff("one.st", "all.st", &d), 1e-3);
    nn_dataset_free(&d);
    /* a limit past the training rows: one process's message */
    ck_assert_int_ne(train(2, "big", CSV_ARGS " --limit 49"), 0);
    ck_assert_msg_contains(slurp("big.err"), "nn train: --limit 49: the training set has 48 samples");
}
END_TEST

/* CORN's mean divides by the (sample, task) pairs of the batch, not its
 * rows: under 2 ranks each step divides by the global batch's count. */
START_TEST(test_corn_like_one_process) {
    if (!FLOAT_BUILD || skip_reason()) return;
    write_csv();
    ck_assert_int_eq(train(0, "one", CSV_ARGS " --quiet --loss corn --save one.st"), 0);
    ck_assert_msg(train(2, "r2", CSV_ARGS " --quiet --loss corn --save r2.st") == 0, "%s", slurp("r2.err"));
    nn_dataset d = load_csv_data();
    double d2 = max_prob_diff("one.st", "r2.st", &d);
    ck_assert_msg(d2 <= 1e-4, "2 ranks differ by %g", d2);
    nn_dataset_free(&d);
}
END_TEST

/* Resumed under 3 ranks from a checkpoint 2 ranks wrote: the same model as
 * one process running all the epochs. */
START_TEST(test_resume_under_another_rank_count) {
    if (!FLOAT_BUILD || skip_reason()) return;
    write_csv();
    const char *base = "--data data.csv --arch 3-8-3 --batch 14 --lr 0.1 --optimizer adam --quiet";
    char args[512];
    snprintf(args, sizeof args, "%s --epochs 6 --save one.st", base);
    ck_assert_int_eq(train(0, "one", args), 0);
    snprintf(args, sizeof args, "%s --epochs 3 --checkpoint ck", base);
    ck_assert_msg(train(2, "first", args) == 0, "%s", slurp("first.err"));
    snprintf(args, sizeof args, "%s --epochs 6 --checkpoint ck --resume --save r.st", base);
    ck_assert_msg(train(3, "rest", args) == 0, "%s", slurp("rest.err"));
    nn_dataset d = load_csv_data();
    double diff = max_prob_diff("one.st", "r.st", &d);
    ck_assert_msg(diff <= 1e-4, "resumed model differs by %g", diff);
    nn_dataset_free(&d);
}
END_TEST

static void write_png(const char *class_dir, int i, unsigned char v) {
    char sub[512], file[600];
    tmp_path(sub, dir, "img");
    mkdir(sub, 0755);
    snprintf(file, sizeof file, "%s/img/%s", dir, class_dir);
    mkdir(file, 0755);
    snprintf(file, sizeof file, "%s/img/%s/%02d.png", dir, class_dir, i);
    unsigned char pix[16];
    for (int j = 0; j < 16; j++) pix[j] = (unsigned char)(v + 7 * ((i * 5 + j * 3) % 11));
    ck_assert(stbi_write_png(file, 4, 4, 1, pix, 4));
}

START_TEST(test_image_folder_one_two_three_ranks) {
    if (!FLOAT_BUILD || skip_reason()) return;
    for (int i = 0; i < 5; i++) write_png("dark", i, 10), write_png("mid", i, 90), write_png("light", i, 170);
    const char *args = "--data img --arch 16-6-3 --epochs 5 --batch 4 --lr 0.2 --quiet";
    char a[256];
    const char *names[] = {"one", "r2", "r3"};
    for (int r = 0; r <= 3; r += r ? 1 : 2) {
        snprintf(a, sizeof a, "%s --save %s.st", args, names[r ? r - 1 : 0]);
        ck_assert_msg(train(r, names[r ? r - 1 : 0], a) == 0, "%s", slurp(err_name(names[r ? r - 1 : 0])));
    }
    char root[512];
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(nn_load_image_folder(&d, tmp_path(root, dir, "img"), NULL, &err), NN_OK);
    double d2 = max_prob_diff("one.st", "r2.st", &d), d3 = max_prob_diff("one.st", "r3.st", &d);
    ck_assert_msg(d2 <= 1e-4 && d3 <= 1e-4, "2 ranks differ by %g, 3 ranks by %g", d2, d3);
    nn_dataset_free(&d);
}
END_TEST

/* IDX prefix NAME: 10 images of 2x2 in 2 classes, the images file gzipped
 * and, when cut, missing its last image and a half. */
static void write_idx(const char *name, int cut) {
    unsigned char img[16 + 10 * 4], lab[8 + 10];
    memset(img, 0, sizeof img);
    img[2] = 8, img[3] = 3, img[7] = 10, img[11] = 2, img[15] = 2;
    for (int i = 0; i < 10; i++) img[16 + 4 * i] = (unsigned char)(i % 2 ? 200 : 20);
    memset(lab, 0, sizeof lab);
    lab[2] = 8, lab[3] = 1, lab[7] = 10;
    for (int i = 0; i < 10; i++) lab[8 + i] = (unsigned char)(i % 2);
    char file[128], path[512];
    snprintf(file, sizeof file, "%s-images-idx3-ubyte.gz", name);
    gzFile f = gzopen(tmp_path(path, dir, file), "wb");
    gzwrite(f, img, sizeof img - (cut ? 6 : 0));
    gzclose(f);
    snprintf(file, sizeof file, "%s-labels-idx1-ubyte", name);
    tmp_write(tmp_path(path, dir, file), (const char *)lab, sizeof lab);
}

/* IDX images whose end is cut: with 2 ranks only rank 1 reads that part,
 * of --data and of --test; every rank stops with its message, once. */
START_TEST(test_corrupt_file_seen_by_one_rank) {
    if (!FLOAT_BUILD || skip_reason()) return;
    write_idx("d", 1);
    ck_assert_int_ne(train(2, "bad", "--data d --arch 4-2 --epochs 1"), 0);
    const char *msg = slurp("bad.err");
    ck_assert_msg(count(msg, "nn train: ") == 1, "%s", msg);
    ck_assert_msg_contains(msg, "d-images-idx3-ubyte.gz: truncated");
    write_idx("good", 0);
    ck_assert_int_ne(train(2, "badtest", "--data good --test d --arch 4-2 --epochs 1"), 0);
    msg = slurp("badtest.err");
    ck_assert_msg(count(msg, "nn train: ") == 1, "%s", msg);
    ck_assert_msg_contains(msg, "d-images-idx3-ubyte.gz: truncated");
}
END_TEST

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A row of 1e30 features (finite, so it passes the loader) overflows the
 * first layer: the NaN appears on rank 1 only, which holds that row; every
 * rank stops, with the message one process gives. */
START_TEST(test_nan_on_one_rank_stops_every_rank) {
    if (!FLOAT_BUILD || skip_reason()) return;
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, "nan.csv"), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "a,b,c,label\n");
    for (int i = 0; i < 40; i++) fprintf(f, "%d,%d,%d,%d\n", i % 5, i % 3, i % 7, i % 3);
    fprintf(f, "1e30,1e30,1e30,1\n");
    fclose(f);
    const char *args = "--data nan.csv --arch 3-8-3 --epochs 1 --batch 14 --no-standardize";
    ck_assert_int_ne(train(0, "one", args), 0);
    ck_assert_int_ne(train(2, "two", args), 0);
    char one[1024];
    snprintf(one, sizeof one, "%s", slurp("one.err"));
    ck_assert_msg_contains(one, "the loss is NaN");
    const char *two = slurp("two.err");
    ck_assert_msg(count(two, "nn train: ") == 1, "%s", two);
    ck_assert_msg(strstr(two, one) != NULL, "2 ranks said '%s', one process '%s'", two, one);
}
END_TEST

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Starts a long 2-rank run, waits until it trains, sends `sig` to rank 1
 * only; returns the job's exit status and the seconds it took to end. */
static int signal_one_rank(int sig, double *seconds) {
    write_csv();
    pid_t job = fork();
    ck_assert_int_ge(job, 0);
    if (job == 0) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "cd %s && exec " MPIRUN " 2 %s train --data data.csv "
                 "--arch 3-64-3 --epochs 1000000 --batch 8 --checkpoint ck > long.out 2> long.err",
                 dir, NN_MPI_BIN);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    char ck[512];
    tmp_path(ck, dir, "ck");
    for (int i = 0; i < 200 && access(ck, F_OK) != 0; i++) sleep_ms(50); /* an epoch done */
    ck_assert_msg(access(ck, F_OK) == 0, "the run never wrote its checkpoint");
    /* rank 1: the nn-mpi child of mpirun started second */
    char cmd[256], line[64] = "";
    snprintf(cmd, sizeof cmd, "pgrep -n -P %d -f nn-mpi", (int)job);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
    pclose(p);
    pid_t rank1 = (pid_t)atoi(line);
    ck_assert_int_gt(rank1, 0);
    double t0 = now();
    kill(rank1, sig);
    int st = 0;
    for (int i = 0; i < 300 && waitpid(job, &st, WNOHANG) == 0; i++) sleep_ms(20);
    *seconds = now() - t0;
    if (*seconds >= 6) { /* never hang the suite */
        kill(job, SIGKILL);
        waitpid(job, &st, 0);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(test_killed_rank_ends_the_job) {
    if (!FLOAT_BUILD || skip_reason()) return;
    double s;
    int status = signal_one_rank(SIGKILL, &s);
    ck_assert_int_ne(status, 0);
    ck_assert_msg(s < 5, "the job took %.1f s to end after a rank was killed", s);
}
END_TEST

START_TEST(test_sigterm_on_one_rank_stops_every_rank) {
    if (!FLOAT_BUILD || skip_reason()) return;
    double s;
    int status = signal_one_rank(SIGTERM, &s);
    ck_assert_msg(s < 5, "the job took %.1f s to end after SIGTERM", s);
    ck_assert_int_ne(status, 0);
    const char *msg = slurp("long.err");
    ck_assert_int_eq(count(msg, "nn train: "), 1);
    ck_assert_msg_contains(msg, "nn train: interrupted: rank 1 received SIGTERM");
}
END_TEST

/* Early stopping on the validation QWK under 2 ranks stops where one
 * process does: both watch the QWK the epoch line prints (exact over all
 * ranks), not a value only one process has. */
START_TEST(test_monitor_val_qwk_like_one_process) {
    if (skip_reason()) return;
    write_csv();
    const char *args = "--data data.csv --arch 3-8-3 --loss ev-sq --epochs 8 --val-fraction 0.3 "
                       "--monitor val_qwk --patience 2 --lr 0.05 --seed 5";
    ck_assert_msg(train(0, "q1", args) == 0, "%s", slurp("q1.err"));
    ck_assert_msg(train(2, "q2", args) == 0, "%s", slurp("q2.err"));
    int e1 = count(slurp("q1.out"), "QWK"), e2 = count(slurp("q2.out"), "QWK");
    ck_assert_int_gt(e1, 2); /* the QWK improved at least once after epoch 1 */
    ck_assert_int_eq(e2, e1);
}
END_TEST

/* The line of `out` that starts with `prefix`, without its end. */
static void line_of(const char *out, const char *prefix, char *buf, size_t cap) {
    const char *p = strstr(out, prefix);
    ck_assert_msg(p != NULL, "no line '%s...' in:\n%s", prefix, out);
    snprintf(buf, cap, "%.*s", (int)strcspn(p, "\n"), p);
}

/* Asserts that NAME.out has the early-stop and restore lines of one.out. */
static void stops_like_one_process(const char *name) {
    char out[512], one[160], mine[160];
    snprintf(out, sizeof out, "%s.out", name);
    const char *prefixes[] = {"early stop after epoch ", "restored the weights of epoch "};
    for (int i = 0; i < 2; i++) {
        line_of(slurp("one.out"), prefixes[i], one, sizeof one);
        line_of(slurp(out), prefixes[i], mine, sizeof mine);
        ck_assert_str_eq(mine, one);
    }
}

/* --patience and --restore-best under nn-mpi stop at the epoch one process
 * stops at and save the same best epoch's weights, also when 2 ranks wrote
 * the checkpoint (best epoch, epochs without improvement, best weights) and
 * 3 ranks resume it. */
START_TEST(test_restore_best_like_one_process) {
    if (!FLOAT_BUILD || skip_reason()) return;
    write_csv();
    const char *base = "--data data.csv --arch 3-8-3 --batch 14 --lr 0.5 --val-fraction 0.3 --seed 2 "
                       "--monitor val_loss --patience 3 --restore-best";
    char a[512], stop[160];
    snprintf(a, sizeof a, "%s --epochs 14 --save one.st", base);
    ck_assert_msg(train(0, "one", a) == 0, "%s", slurp("one.err"));
    line_of(slurp("one.out"), "early stop after epoch ", stop, sizeof stop);
    ck_assert_msg_contains(stop, "early stop after epoch 6: val_loss has not improved for 3 epochs");
    ck_assert_msg_contains(stop, "at epoch 3)");
    snprintf(a, sizeof a, "%s --epochs 14 --save r2.st", base);
    ck_assert_msg(train(2, "r2", a) == 0, "%s", slurp("r2.err"));
    stops_like_one_process("r2");
    /* 2 ranks run 4 epochs (past the best, epoch 3, before the stop after
     * epoch 6), 3 resume */
    snprintf(a, sizeof a, "%s --epochs 4 --checkpoint ck --save part.st", base);
    ck_assert_msg(train(2, "part", a) == 0, "%s", slurp("part.err"));
    ck_assert_int_eq(count(slurp("part.out"), "early stop"), 0);
    snprintf(a, sizeof a, "%s --epochs 14 --checkpoint ck --resume --save r3.st", base);
    ck_assert_msg(train(3, "r3", a) == 0, "%s", slurp("r3.err"));
    stops_like_one_process("r3");
    nn_dataset d = load_csv_data();
    double d2 = max_prob_diff("one.st", "r2.st", &d), d3 = max_prob_diff("one.st", "r3.st", &d);
    ck_assert_msg(d2 <= 1e-4 && d3 <= 1e-4, "2 ranks differ by %g, 2 then 3 ranks by %g", d2, d3);
    nn_dataset_free(&d);
}
END_TEST

Suite *test_mpi_suite(void) {
    Suite *s = suite_create("mpi");
    TCase *tc = tcase_create("mpi");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_csv_one_two_three_ranks);
    tcase_add_test(tc, test_limit_weights_npy_teacher_like_one_process);
    tcase_add_test(tc, test_corn_like_one_process);
    tcase_add_test(tc, test_resume_under_another_rank_count);
    tcase_add_test(tc, test_image_folder_one_two_three_ranks);
    tcase_add_test(tc, test_corrupt_file_seen_by_one_rank);
    tcase_add_test(tc, test_nan_on_one_rank_stops_every_rank);
    tcase_add_test(tc, test_killed_rank_ends_the_job);
    tcase_add_test(tc, test_sigterm_on_one_rank_stops_every_rank);
    tcase_add_test(tc, test_monitor_val_qwk_like_one_process);
    tcase_add_test(tc, test_restore_best_like_one_process);
    suite_add_tcase(s, tc);
    return s;
}
