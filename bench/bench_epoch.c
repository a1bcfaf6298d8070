/* bench_epoch.c — how fast nn trains the demo network, how close that is to
 * the limit set by its matrix products alone, and how it compares with
 * PyTorch on the same work.
 *
 *   x (B, 784) → dense 256 → relu → dense 128 → relu → dense 10 → softmax
 *              → cross-entropy,  batch 64, SGD lr 0.02 momentum 0.9, float32
 *
 * What it measures, in this order (so peak RSS is that of training):
 *   1. training with one OpenBLAS thread, simplified gradient mode: every
 *      epoch as nn_trainer_epoch times it (shuffle, batch gathering, forward,
 *      backward, optimizer; not file loading, not evaluation), in wall and
 *      process CPU time; test accuracy; peak RSS;
 *   2. the sgemm bound: exactly the sgemm calls of one epoch at the real
 *      shapes (forward, weight gradients, and the input gradients of layers 2
 *      and 3 — layer 1's input gradient is never computed), timed alone;
 *   3. jacobian vs simplified mode at K = 10, and simplified mode with
 *      dropout (p = 0.2 after both hidden layers), one epoch of each in turn
 *      so that machine load hits all three alike: what the jacobian mode and
 *      dropout cost per epoch;
 *   4. one training step of x → dense(K→K) → softmax → cross-entropy at
 *      K = 10 and K = 1000 through each softmax backward route (simplified,
 *      VJP, explicit Jacobian): a teaching figure;
 *   5. training and the bound with two OpenBLAS threads, fixed and with
 *      nn_trainer_options.adapt_threads, at batch 64 (and fixed at batch 256);
 *      then 1 thread, 2 threads and adapting while a child process of the
 *      bench keeps one core busy (another job on the machine).
 * Then it prints one table, with PyTorch's figures beside nn's when given the
 * `key value` lines bench/torch_epoch.py writes.
 *
 * On a shared machine, the wall clock of a one-thread run moves with other
 * jobs' load while its CPU time barely does; the table shows both, and the
 * load average at start and end.
 *
 * Usage: bench_epoch [--epochs N] [--train-only] [--dropout P] [--torch FILE]
 *                    [--torch2 FILE] [DATA_DIR]
 * --train-only stops after step 1 (to compare one change at a time);
 * --dropout P puts dropout P after both hidden layers in step 1 (with
 * --train-only: one network, with and without, measured by the same binary)
 * and is the rate of step 3 (default 0.2).
 * Run it with OPENBLAS_NUM_THREADS=1 in the environment (`make bench` does);
 * it sets the thread count of OpenBLAS's one pool with
 * openblas_set_num_threads for each measurement.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nn/blas.h"
#include "nn/nn.h"

#define BATCH 64        /* the demo's batch */
#define BIG_BATCH 256   /* where a second thread has more to share */
#define MAX_EPOCHS 64
#define N_LAYERS 3
static const int widths[N_LAYERS + 1] = {784, 256, 128, 10}; /* the demo network */

/* The speed targets, printed beside the measured ratios. */
#define TARGET_VS_TORCH 0.50
#define TARGET_VS_BOUND 1.15
#define TARGET_RSS_MIB 100.0
#define TARGET_JACOBIAN 1.10
/* "No slower than one thread" allows this much timing noise. */
#define TARGET_NOISE 1.05
/* Epochs of each run while another process holds a core. */
#define BUSY_EPOCHS 3
/* Dropout of step 3 after both hidden layers (torch.nn.Dropout's default is 0.5;
 * 0.2 is the rate `make distill` trains its dropout teacher with). */
#define BENCH_DROPOUT 0.2

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the whole process (all its threads). */
static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n), n <= MAX_EPOCHS; NaN for n < 1. */
static double median(const double *v, int n) {
    double s[MAX_EPOCHS];
    if (n < 1) return NAN;
    if (n > MAX_EPOCHS) n = MAX_EPOCHS;
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Median of the epochs after the first. */
static double later_median(const double *v, int n) { return n > 1 ? median(v + 1, n - 1) : NAN; }

static double peak_rss_mib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

/* The 1-minute load average, or NaN where /proc/loadavg is missing. */
static double load_average(void) {
    double l = NAN;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1) l = NAN;
        fclose(f);
    }
    return l;
}

/* GFLOP of the sgemm calls of one epoch of n samples: per sample 2·n_in·n_out
 * for the forward product, the same for the weight gradient, and again for
 * the input gradient of every layer but the first. */
static double epoch_gflop(int n) {
    double per_sample = 0;
    for (int l = 0; l < N_LAYERS; l++)
        per_sample += 2.0 * widths[l] * widths[l + 1] * (l > 0 ? 3 : 2);
    return per_sample * n * 1e-9;
}

/* ------------------------------------------------------------ the network */

typedef struct {
    nn_graph *g;
    nn_optimizer *opt;
    nn_train_nodes nodes;
    int batch;
} net;

static void net_free(net *m) {
    nn_optimizer_free(m->opt);
    nn_graph_free(m->g);
    memset(m, 0, sizeof *m);
}

/* The demo network in the given gradient mode, with dropout p after both
 * hidden layers when p > 0; 0 on failure (err says why). */
static int net_build(net *m, int batch, nn_grad_mode mode, double p_drop, nn_error *err) {
    memset(m, 0, sizeof *m);
    m->batch = batch;
    m->g = nn_graph_create(batch);
    if (!m->g) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return 0;
    }
    nn_graph *g = m->g;
    int x = nn_input(g, widths[0]);                              /* (B, 784) */
    int y = nn_labels(g, widths[3]);                             /* (B) */
    int h1 = nn_relu(g, nn_dense(g, x, widths[1], NN_INIT_HE));  /* (B, 256) */
    if (p_drop > 0) h1 = nn_dropout(g, h1, p_drop);              /* (B, 256) */
    int h2 = nn_relu(g, nn_dense(g, h1, widths[2], NN_INIT_HE)); /* (B, 128) */
    if (p_drop > 0) h2 = nn_dropout(g, h2, p_drop);              /* (B, 128) */
    int z = nn_dense(g, h2, widths[3], NN_INIT_XAVIER);          /* (B, 10) */
    int p = nn_softmax(g, z, 1.0);                               /* (B, 10) */
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    nn_cross_entropy(g, p, y, &lo);
    if (nn_graph_compile(g, 1, err)) return 0;
    m->opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.02, .momentum = 0.9}, err);
    m->nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p};
    return m->opt != NULL;
}

typedef struct {
    double wall[MAX_EPOCHS]; /* (n) seconds per epoch, as the trainer measures them */
    double cpu[MAX_EPOCHS];  /* (n) process CPU seconds of each nn_trainer_epoch call */
    int n;
} epoch_log;

/* Trains m for `epochs` epochs, shuffling from `seed`; appends to log. */
static int train_epochs(net *m, const nn_dataset *train, int epochs, uint64_t seed, int adapt,
                        epoch_log *log, nn_error *err) {
    nn_trainer_options o = {.batch = m->batch, .seed = seed, .adapt_threads = adapt};
    nn_trainer *t = nn_trainer_create(m->g, m->opt, &m->nodes, train, &o, err);
    int ok = t != NULL;
    for (int e = 0; ok && e < epochs; e++) {
        nn_epoch_stats s;
        double c = cpu_seconds();
        ok = nn_trainer_epoch(t, &s, err) == NN_OK;
        if (ok && log->n < MAX_EPOCHS) {
            log->wall[log->n] = s.seconds;
            log->cpu[log->n++] = cpu_seconds() - c;
        }
    }
    nn_trainer_free(t);
    return ok;
}

/* A fresh network trained for `epochs` epochs with `threads` OpenBLAS
 * threads, or adapting between 1 and `threads` (adapt_threads). */
static int train_fresh(int batch, int threads, int adapt, const nn_dataset *train, int epochs,
                       epoch_log *log, nn_error *err) {
    net m;
    openblas_set_num_threads(threads);
    int ok = net_build(&m, batch, NN_GRAD_SIMPLIFIED, 0, err) &&
             train_epochs(&m, train, epochs, 1, adapt, log, err);
    net_free(&m);
    return ok;
}

/* A child process that keeps one core busy until busy_stop: "another job". */
static pid_t busy_start(void) {
    pid_t pid = fork();
    if (pid == 0) {
        alarm(600); /* gone in 10 minutes even if the bench dies first */
        volatile unsigned long spin = 0;
        for (;;) spin++;
    }
    return pid;
}

static void busy_stop(pid_t pid) {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* ----------------------------------------------------------- sgemm bound */

/* The operands of one epoch's sgemm calls, shaped as in the graph. */
typedef struct {
    nn_real *x[N_LAYERS];  /* (batch, widths[l]) layer inputs */
    nn_real *y[N_LAYERS];  /* (batch, widths[l+1]) layer outputs */
    nn_real *dy[N_LAYERS]; /* (batch, widths[l+1]) output gradients */
    nn_real *dx[N_LAYERS]; /* (batch, widths[l]) input gradients */
    nn_real *W[N_LAYERS];  /* (widths[l+1], widths[l]) */
    nn_real *dW[N_LAYERS]; /* (widths[l+1], widths[l]) */
    nn_real *block;
    int batch;
} gemm_set;

static int gemm_set_alloc(gemm_set *s, int batch) {
    size_t total = 0, b = (size_t)batch;
    for (int l = 0; l < N_LAYERS; l++) {
        size_t in = widths[l], out = widths[l + 1];
        total += 2 * b * in + 2 * b * out + 2 * in * out;
    }
    nn_real *p = malloc(total * sizeof *p);
    if (!p) return 0;
    s->block = p;
    s->batch = batch;
    nn_rng rng;
    nn_rng_seed(&rng, 7);
    for (size_t i = 0; i < total; i++) p[i] = (nn_real)(nn_rng_uniform(&rng) - 0.5);
    for (int l = 0; l < N_LAYERS; l++) {
        size_t in = widths[l], out = widths[l + 1];
        s->x[l] = p, p += b * in;
        s->dx[l] = p, p += b * in;
        s->y[l] = p, p += b * out;
        s->dy[l] = p, p += b * out;
        s->W[l] = p, p += in * out;
        s->dW[l] = p, p += in * out;
    }
    return 1;
}

/* The sgemm calls of one epoch over n samples, made as layers/dense.c makes
 * them; returns wall seconds, CPU seconds in *cpu. */
static double gemm_epoch(gemm_set *s, int n, double *cpu) {
    double t0 = now_seconds(), c0 = cpu_seconds();
    for (int start = 0; start < n; start += s->batch) {
        int B = n - start < s->batch ? n - start : s->batch;
        for (int l = 0; l < N_LAYERS; l++) /* forward: y = x Wᵀ (+ b, already in y) */
            nn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, widths[l + 1], widths[l], 1,
                    s->x[l], widths[l], s->W[l], widths[l], 1, s->y[l], widths[l + 1]);
        for (int l = N_LAYERS - 1; l >= 0; l--) {
            /* dW += dyᵀ x */
            nn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, widths[l + 1], widths[l], B, 1,
                    s->dy[l], widths[l + 1], s->x[l], widths[l], 1, s->dW[l], widths[l]);
            if (l > 0) /* dx += dy W (not needed for the first layer) */
                nn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, widths[l], widths[l + 1], 1,
                        s->dy[l], widths[l + 1], s->W[l], widths[l], 1, s->dx[l], widths[l]);
        }
    }
    *cpu = cpu_seconds() - c0;
    return now_seconds() - t0;
}

/* Medians over `reps` timed epochs of sgemm calls after a warm-up, with
 * `threads` OpenBLAS threads: wall seconds returned, CPU seconds in *cpu. */
static double gemm_bound(int batch, int threads, int n, int reps, double *cpu) {
    gemm_set s;
    double t[16], c[16];
    *cpu = NAN;
    if (reps > 16) reps = 16;
    if (!gemm_set_alloc(&s, batch)) return NAN;
    openblas_set_num_threads(threads);
    gemm_epoch(&s, n / 4, c); /* warm-up: thread pool, buffers, caches */
    for (int r = 0; r < reps; r++) t[r] = gemm_epoch(&s, n, &c[r]);
    free(s.block);
    *cpu = median(c, reps);
    return median(t, reps);
}

/* ------------------------------------------------- softmax routes (teaching) */

/* CPU seconds per training step (zero_grad, forward, backward) of
 * x (B, K) → dense(K→K) → softmax → cross-entropy in the given mode and
 * softmax route; median of 5 timings of `iters` steps. The dense layer gives
 * the softmax an input that needs a gradient; it costs the same in every
 * route, so differences between routes are the routes' own. */
static double softmax_step_seconds(int K, nn_grad_mode mode, nn_softmax_route route,
                                   int iters) {
    nn_graph *g = nn_graph_create(BATCH);
    if (!g) return NAN;
    int x = nn_input(g, K), y = nn_labels(g, K);
    int p = nn_softmax(g, nn_dense(g, x, K, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    nn_cross_entropy(g, p, y, &lo);
    nn_error err;
    double t[5], result = NAN;
    if (nn_graph_compile(g, 3, &err) || nn_softmax_set_route(g, p, route)) goto done;
    nn_rng rng;
    nn_rng_seed(&rng, 5);
    nn_real *xd = nn_input_data(g, x);
    int32_t *lab = nn_label_data(g, y);
    for (int i = 0; i < BATCH * K; i++) xd[i] = (nn_real)nn_rng_normal(&rng);
    for (int b = 0; b < BATCH; b++) lab[b] = (int32_t)nn_rng_below(&rng, (uint32_t)K);
    for (int r = 0; r < 5; r++) {
        double t0 = cpu_seconds();
        for (int i = 0; i < iters; i++) {
            nn_graph_zero_grad(g);
            nn_graph_forward(g, BATCH);
            nn_graph_backward(g, BATCH);
        }
        t[r] = (cpu_seconds() - t0) / iters;
    }
    result = median(t, 5);
done:
    nn_graph_free(g);
    return result;
}

/* ------------------------------------------------------------- torch file */

typedef struct {
    int present, threads;
    double wall[MAX_EPOCHS], cpu[MAX_EPOCHS]; /* (n_epochs) */
    int n_epochs, n_cpu;
    double test_acc, rss_mib;
    char version[64];
} torch_figures;

/* Reads the `key value` lines of bench/torch_epoch.py; absent or empty file:
 * present = 0. */
static void torch_read(torch_figures *t, const char *path) {
    memset(t, 0, sizeof *t);
    t->test_acc = t->rss_mib = NAN;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    char line[256], key[64];
    while (fgets(line, sizeof line, f)) {
        int e;
        double v;
        if (sscanf(line, "%63s", key) != 1) continue;
        if (strcmp(key, "torch_epoch") == 0 && sscanf(line, "%*s %d %lf", &e, &v) == 2 &&
            t->n_epochs < MAX_EPOCHS)
            t->wall[t->n_epochs++] = v;
        else if (strcmp(key, "torch_epoch_cpu") == 0 && sscanf(line, "%*s %d %lf", &e, &v) == 2 &&
                 t->n_cpu < MAX_EPOCHS)
            t->cpu[t->n_cpu++] = v;
        else if (strcmp(key, "torch_test_acc") == 0)
            sscanf(line, "%*s %lf", &t->test_acc);
        else if (strcmp(key, "torch_peak_rss_mib") == 0)
            sscanf(line, "%*s %lf", &t->rss_mib);
        else if (strcmp(key, "torch_threads") == 0)
            sscanf(line, "%*s %d", &t->threads);
        else if (strcmp(key, "torch_version") == 0)
            sscanf(line, "%*s %63s", t->version);
    }
    fclose(f);
    t->present = t->n_epochs > 0;
}

/* ----------------------------------------------------------------- table */

/* One row: label, nn's figure, PyTorch's (NaN: none), their ratio when
 * `ratio` is set and both exist, and the target (NULL: none) with whether it
 * is met (-1: cannot tell). fmt formats the two figures. */
static void row(const char *label, const char *fmt, double a, double b, int ratio,
                const char *target, int met) {
    char sa[32] = "-", sb[32] = "-", sr[32] = "";
    if (!isnan(a)) snprintf(sa, sizeof sa, fmt, a);
    if (!isnan(b)) snprintf(sb, sizeof sb, fmt, b);
    if (ratio && !isnan(a) && !isnan(b) && b != 0) snprintf(sr, sizeof sr, "%.2f", a / b);
    printf("%-38s %9s %9s %10s", label, sa, sb, sr);
    if (target) printf("   %-12s %s", target, met < 0 ? "-" : met ? "yes" : "NO");
    printf("\n");
}

/* ----------------------------------------------------------------- main */

static int load_fmnist(nn_dataset *train, nn_dataset *test, const char *dir, nn_error *err) {
    char images[1024], labels[1024];
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(labels, sizeof labels, "%s/train-labels-idx1-ubyte.gz", dir);
    if (nn_load_idx(train, images, labels, err)) return 0;
    snprintf(images, sizeof images, "%s/t10k-images-idx3-ubyte.gz", dir);
    snprintf(labels, sizeof labels, "%s/t10k-labels-idx1-ubyte.gz", dir);
    if (nn_load_idx(test, images, labels, err)) {
        nn_dataset_free(train);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    const char *dir = "/usr/share/datasets/fashion-mnist", *torch_path = NULL,
               *torch2_path = NULL;
    int epochs = 5, train_only = 0;
    double p_drop = -1; /* -1: none in step 1, BENCH_DROPOUT in step 3 */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) epochs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--torch") == 0 && i + 1 < argc) torch_path = argv[++i];
        else if (strcmp(argv[i], "--torch2") == 0 && i + 1 < argc) torch2_path = argv[++i];
        else if (strcmp(argv[i], "--train-only") == 0) train_only = 1;
        else if (strcmp(argv[i], "--dropout") == 0 && i + 1 < argc) p_drop = atof(argv[++i]);
        else if (argv[i][0] != '-') dir = argv[i];
        else {
            fprintf(stderr, "usage: bench_epoch [--epochs N] [--train-only] [--dropout P] "
                            "[--torch FILE] [--torch2 FILE] [DATA_DIR]\n");
            return 2;
        }
    }
    if (epochs < 2 || epochs > MAX_EPOCHS) {
        fprintf(stderr, "bench_epoch: --epochs must be in 2..%d\n", MAX_EPOCHS);
        return 2;
    }
    if (p_drop != -1 && !(p_drop >= 0 && p_drop < 1)) {
        fprintf(stderr, "bench_epoch: --dropout must be in [0, 1)\n");
        return 2;
    }
    double load_start = load_average();
    nn_error err;
    nn_dataset train, test;
    double t0 = now_seconds();
    if (!load_fmnist(&train, &test, dir, &err)) {
        fprintf(stderr, "bench_epoch: %s\n", err.msg);
        return 1;
    }
    printf("bench: data loaded in %.2f s (not timed below); %d epochs per run\n",
           now_seconds() - t0, epochs);
    printf("bench: %s; core %s\n", openblas_get_config(), openblas_get_corename());
    fflush(stdout);

    /* 1. Training, one thread. */
    net m;
    epoch_log l1 = {0};
    openblas_set_num_threads(1);
    if (!net_build(&m, BATCH, NN_GRAD_SIMPLIFIED, p_drop > 0 ? p_drop : 0, &err) ||
        !train_epochs(&m, &train, epochs, 1, 0, &l1, &err))
        goto fail;
    double acc = nn_evaluate_accuracy(m.g, &m.nodes, &test);
    double rss = peak_rss_mib();
    net_free(&m);
    printf("bench: nn, 1 thread%s: wall", p_drop > 0 ? ", dropout" : "");
    for (int i = 0; i < l1.n; i++) printf(" %.3f", l1.wall[i]);
    printf(" s; CPU");
    for (int i = 0; i < l1.n; i++) printf(" %.3f", l1.cpu[i]);
    printf(" s; test accuracy %.4f; peak RSS %.1f MiB\n", acc, rss);
    fflush(stdout);
    if (train_only) goto done;

    /* 2. The sgemm bound, one thread. */
    double bound1_cpu, bound1 = gemm_bound(BATCH, 1, train.n, 5, &bound1_cpu);
    printf("bench: sgemm bound, 1 thread: %.3f s, CPU %.3f s\n", bound1, bound1_cpu);
    fflush(stdout);

    /* 3. Simplified, jacobian, dropout: one epoch of each in turn. */
    double drop_p = p_drop > 0 ? p_drop : BENCH_DROPOUT;
    net ms, mj, md;
    epoch_log ls = {0}, lj = {0}, ld = {0};
    if (!net_build(&ms, BATCH, NN_GRAD_SIMPLIFIED, 0, &err) ||
        !net_build(&mj, BATCH, NN_GRAD_JACOBIAN, 0, &err) ||
        !net_build(&md, BATCH, NN_GRAD_SIMPLIFIED, drop_p, &err))
        goto fail;
    for (int e = 0; e < epochs; e++)
        if (!train_epochs(&ms, &train, 1, 100 + e, 0, &ls, &err) ||
            !train_epochs(&mj, &train, 1, 100 + e, 0, &lj, &err) ||
            !train_epochs(&md, &train, 1, 100 + e, 0, &ld, &err))
            goto fail;
    double drop_acc = nn_evaluate_accuracy(md.g, &md.nodes, &test);
    net_free(&ms);
    net_free(&mj);
    net_free(&md);
    double simp = later_median(ls.cpu, ls.n), jac = later_median(lj.cpu, lj.n),
           drop = later_median(ld.cpu, ld.n);
    /* the dropout epoch minus the plain one run just before it, per pair */
    double drop_diff[MAX_EPOCHS];
    for (int e = 0; e < ld.n && e < ls.n; e++) drop_diff[e] = ld.cpu[e] - ls.cpu[e];
    double drop_cost = later_median(drop_diff, ld.n < ls.n ? ld.n : ls.n);
    printf("bench: simplified %.3f s, jacobian %.3f s, dropout %.3f s CPU per epoch\n", simp, jac,
           drop);
    fflush(stdout);

    /* 4. The softmax backward routes. */
    const int Ks[2] = {10, 1000};
    double route[2][3];
    for (int k = 0; k < 2; k++) {
        int iters = Ks[k] > 100 ? 10 : 2000;
        route[k][0] = softmax_step_seconds(Ks[k], NN_GRAD_SIMPLIFIED, NN_SOFTMAX_VJP, iters);
        route[k][1] = softmax_step_seconds(Ks[k], NN_GRAD_JACOBIAN, NN_SOFTMAX_VJP, iters);
        route[k][2] = softmax_step_seconds(Ks[k], NN_GRAD_JACOBIAN, NN_SOFTMAX_EXPLICIT, iters);
    }

    /* 5. Two threads (OpenBLAS's pool; nn adds none): fixed and adapting,
     * batch 64 and 256; then the same with another process on one core. */
    epoch_log l2 = {0}, la = {0}, lb1 = {0}, lb2 = {0}, c1 = {0}, c2 = {0}, ca = {0};
    if (!train_fresh(BATCH, 2, 0, &train, epochs, &l2, &err) ||
        !train_fresh(BATCH, 2, 1, &train, epochs, &la, &err) ||
        !train_fresh(BIG_BATCH, 1, 0, &train, epochs, &lb1, &err) ||
        !train_fresh(BIG_BATCH, 2, 0, &train, epochs, &lb2, &err))
        goto fail;
    double bound2_cpu, bound2 = gemm_bound(BATCH, 2, train.n, 5, &bound2_cpu);
    printf("bench: 2 threads: fixed %.3f s, adapting %.3f s per epoch\n",
           later_median(l2.wall, l2.n), later_median(la.wall, la.n));
    fflush(stdout);
    pid_t busy = busy_start();
    int ok = busy > 0 && train_fresh(BATCH, 1, 0, &train, BUSY_EPOCHS, &c1, &err) &&
             train_fresh(BATCH, 2, 0, &train, BUSY_EPOCHS, &c2, &err) &&
             train_fresh(BATCH, 2, 1, &train, BUSY_EPOCHS, &ca, &err);
    busy_stop(busy);
    if (!ok) goto fail;
    openblas_set_num_threads(1);
    double load_end = load_average();

    torch_figures t1, t2;
    torch_read(&t1, torch_path);
    torch_read(&t2, torch2_path);
    double gflop = epoch_gflop(train.n);
    double nn_later = later_median(l1.wall, l1.n), nn_later_cpu = later_median(l1.cpu, l1.n);
    double tl = later_median(t1.wall, t1.n_epochs), tl_cpu = later_median(t1.cpu, t1.n_cpu);
    double t1_first = t1.present ? t1.wall[0] : NAN;
    double t2_first = t2.present ? t2.wall[0] : NAN, t2_later = later_median(t2.wall, t2.n_epochs);

    printf("\nnn vs PyTorch: 784-256-128-10 ReLU, softmax cross-entropy, Fashion-MNIST "
           "(%d train, %d test)\n", train.n, test.n);
    printf("batch %d, SGD lr 0.02 momentum 0.9, float32, %d epochs per run; 'later' = "
           "median of epochs 2..%d\n", BATCH, epochs, epochs);
    const char *timeout = getenv("OPENBLAS_THREAD_TIMEOUT");
    printf("OpenBLAS core %s, OPENBLAS_THREAD_TIMEOUT %s; PyTorch %s; load average %.2f at "
           "start, %.2f at end\n\n", openblas_get_corename(), timeout ? timeout : "unset",
           t1.present ? t1.version : "absent", load_start, load_end);
    if (!t1.present)
        printf("(no PyTorch figures: torch is not installed or its run failed)\n\n");
    printf("%-38s %9s %9s %10s   %-12s %s\n", "", "nn", "PyTorch", "nn/PyTorch", "target", "met");
    row("epoch 1, 1 thread (s)", "%.3f", l1.wall[0], t1_first, 1, "<= 0.50",
        t1.present ? l1.wall[0] <= TARGET_VS_TORCH * t1_first : -1);
    row("later epochs, 1 thread (s)", "%.3f", nn_later, tl, 1, "<= 0.50",
        t1.present ? nn_later <= TARGET_VS_TORCH * tl : -1);
    row("  the same in CPU time (s)", "%.3f", nn_later_cpu, tl_cpu, 1, "<= 0.50",
        t1.present ? nn_later_cpu <= TARGET_VS_TORCH * tl_cpu : -1);
    row("  GFLOP/s (60.4 GFLOP of sgemm/epoch)", "%.1f", gflop / nn_later, gflop / tl, 0, NULL, 0);
    row("sgemm bound, 1 thread (s)", "%.3f", bound1, NAN, 0, NULL, 0);
    row("  later epochs / bound", "%.2f", nn_later / bound1, tl / bound1, 0, "<= 1.15",
        nn_later <= TARGET_VS_BOUND * bound1);
    row("  the same in CPU time", "%.2f", nn_later_cpu / bound1_cpu, tl_cpu / bound1_cpu, 0,
        "<= 1.15", nn_later_cpu <= TARGET_VS_BOUND * bound1_cpu);
    row("peak RSS (MiB)", "%.1f", rss, t1.rss_mib, 1, "<= 100", rss <= TARGET_RSS_MIB);
    row("test accuracy", "%.4f", acc, t1.test_acc, 0, NULL, 0);
    row("simplified mode, K=10 (CPU s/epoch)", "%.3f", simp, NAN, 0, NULL, 0);
    row("jacobian mode, K=10 (CPU s/epoch)", "%.3f", jac, NAN, 0, NULL, 0);
    row("  jacobian / simplified", "%.3f", jac / simp, NAN, 0, "<= 1.10", jac <= TARGET_JACOBIAN * simp);
    char drop_label[64];
    snprintf(drop_label, sizeof drop_label, "dropout %.2g, both hidden (CPU s/epoch)", drop_p);
    row(drop_label, "%.3f", drop, NAN, 0, NULL, 0);
    row("  dropout cost per epoch (CPU s)", "%.3f", drop_cost, NAN, 0, NULL, 0);
    row("  dropout / simplified", "%.3f", drop / simp, NAN, 0, NULL, 0);
    row("  test accuracy with dropout", "%.4f", drop_acc, NAN, 0, NULL, 0);
    double l2_later = later_median(l2.wall, l2.n), la_later = later_median(la.wall, la.n);
    row("epoch 1, 2 threads (s)", "%.3f", l2.wall[0], t2_first, 1, NULL, 0);
    row("later epochs, 2 threads (s)", "%.3f", l2_later, t2_later, 1, "<= 1 thread",
        l2_later <= nn_later);
    row("  2 threads / 1 thread", "%.2f", l2_later / nn_later,
        t2.present ? t2_later / tl : NAN, 0, NULL, 0);
    row("  adapt_threads, later epochs (s)", "%.3f", la_later, NAN, 0, "<= 1 thread",
        la_later <= nn_later);
    row("sgemm bound, 2 threads (s)", "%.3f", bound2, NAN, 0, NULL, 0);
    row("batch 256, later epochs, 1 thread (s)", "%.3f", later_median(lb1.wall, lb1.n), NAN,
        0, NULL, 0);
    row("batch 256, later epochs, 2 threads (s)", "%.3f", later_median(lb2.wall, lb2.n), NAN,
        0, "<= 1 thread", later_median(lb2.wall, lb2.n) <= later_median(lb1.wall, lb1.n));
    double c1_later = later_median(c1.wall, c1.n), c2_later = later_median(c2.wall, c2.n),
           ca_later = later_median(ca.wall, ca.n);
    printf("another process holding one core (%d epochs each):\n", BUSY_EPOCHS);
    row("  1 thread, later epochs (s)", "%.3f", c1_later, NAN, 0, NULL, 0);
    row("  2 threads, later epochs (s)", "%.3f", c2_later, NAN, 0, "<= 1 thread",
        c2_later <= c1_later);
    row("  adapt_threads, later epochs (s)", "%.3f", ca_later, NAN, 0, "<= 1 thread",
        ca_later <= TARGET_NOISE * c1_later);

    printf("\none step of x -> dense(K->K) -> softmax -> cross-entropy, batch %d "
           "(CPU µs per step)\n", BATCH);
    printf("%-38s %9s %9s\n", "", "K=10", "K=1000");
    const char *names[3] = {"simplified: p - y into the logits", "jacobian mode, VJP route",
                            "jacobian mode, explicit K×K Jacobian"};
    for (int r = 0; r < 3; r++)
        printf("%-38s %9.1f %9.1f\n", names[r], 1e6 * route[0][r], 1e6 * route[1][r]);

done:
    nn_dataset_free(&train);
    nn_dataset_free(&test);
    return 0;
fail:
    fprintf(stderr, "bench_epoch: %s\n", err.msg);
    nn_dataset_free(&train);
    nn_dataset_free(&test);
    return 1;
}
