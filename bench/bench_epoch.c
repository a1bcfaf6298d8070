/* bench_epoch.c — how fast nn trains the demo network, and how close that is
 * to the limit set by the matrix products alone.
 *
 *   x (B, 784) → dense 256 → relu → dense 128 → relu → dense 10 → softmax
 *              → cross-entropy,  batch 64, SGD lr 0.02 momentum 0.9, float32
 *
 * What it measures, in this order (so peak RSS is that of training):
 *   1. training, one OpenBLAS thread, simplified gradient mode: every epoch
 *      timed by nn_train (shuffle, batch gathering, forward, backward,
 *      optimizer; not file loading, not evaluation); test accuracy; peak RSS;
 *   2. the sgemm bound: exactly the sgemm calls of one epoch at the real
 *      shapes (forward, weight gradients, and input gradients of layers 2
 *      and 3 — layer 1's input gradient is never computed), timed alone;
 *   3. jacobian vs simplified mode at K = 10, epochs alternated so that
 *      machine load hits both alike;
 *   4. the softmax backward routes on one batch at K = 10 and K = 1000
 *      (simplified, VJP, explicit Jacobian), a teaching figure;
 *   5. the same training and bound with two OpenBLAS threads.
 * Then it prints one table, with PyTorch's figures beside nn's when given a
 * file of `key value` lines written by bench/torch_epoch.py.
 *
 * Usage: bench_epoch [--epochs N] [--train-only] [--torch FILE] [--torch2 FILE]
 *                    [DATA_DIR]
 * --train-only stops after step 1 (for profiling one change at a time).
 * Run with OPENBLAS_NUM_THREADS=1 in the environment (`make bench` does):
 * the program then sets the thread count itself with openblas_set_num_threads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../nn/blas.h"
#include "../nn/nn.h"

#define BATCH 64
#define N_LAYERS 3
static const int widths[N_LAYERS + 1] = {784, 256, 128, 10}; /* the demo network */

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts a copy of at most 64 values). */
static double median(const double *v, int n) {
    double s[64];
    if (n < 1) return NAN;
    if (n > 64) n = 64;
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

static double peak_rss_mib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

/* Floating-point operations of the sgemm calls of one epoch of n samples:
 * per sample 2·n_in·n_out for the forward product, the same for the weight
 * gradient, and again for the input gradient of every layer but the first. */
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
    int softmax;
} net;

static void net_free(net *m) {
    nn_optimizer_free(m->opt);
    nn_graph_free(m->g);
}

/* The demo network with n_classes outputs and the given gradient mode. */
static nn_status net_build(net *m, int n_classes, nn_grad_mode mode, nn_error *err) {
    memset(m, 0, sizeof *m);
    m->g = nn_graph_create(BATCH);
    if (!m->g) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return err->code = NN_ERR_NOMEM;
    }
    nn_graph *g = m->g;
    int x = nn_input(g, widths[0]);                                    /* (B, 784) */
    int y = nn_labels(g, n_classes);                                   /* (B) */
    int h1 = nn_relu(g, nn_dense(g, x, widths[1], NN_INIT_HE));        /* (B, 256) */
    int h2 = nn_relu(g, nn_dense(g, h1, widths[2], NN_INIT_HE));       /* (B, 128) */
    int z = nn_dense(g, h2, n_classes, NN_INIT_XAVIER);                /* (B, K) */
    int p = nn_softmax(g, z, 1.0);                                     /* (B, K) */
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    nn_cross_entropy(g, p, y, &lo);
    nn_status st = nn_graph_compile(g, 1, err);
    if (st) return st;
    m->opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.02, .momentum = 0.9}, err);
    if (!m->opt) return err ? err->code : NN_ERR_NOMEM;
    m->nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p};
    m->softmax = p;
    return NN_OK;
}

typedef struct {
    double seconds[64]; /* (epochs) */
    int n;
} epoch_log;

static void log_epoch(const nn_epoch_stats *s, void *user) {
    epoch_log *log = user;
    if (log->n < 64) log->seconds[log->n++] = s->seconds;
}

/* Trains m for `epochs` epochs starting at shuffle seed `seed`, appending each
 * epoch's seconds to log. */
static nn_status train_epochs(net *m, const nn_dataset *train, int epochs, uint64_t seed,
                              epoch_log *log, nn_error *err) {
    nn_train_options o = {.epochs = epochs, .batch = BATCH, .seed = seed};
    return nn_train(m->g, m->opt, &m->nodes, train, NULL, &o, log_epoch, log, err);
}

/* ----------------------------------------------------------- sgemm bound */

/* The buffers of one epoch's sgemm calls, shaped as in the graph. */
typedef struct {
    nn_real *x[N_LAYERS];  /* (BATCH, widths[l]) layer inputs */
    nn_real *y[N_LAYERS];  /* (BATCH, widths[l+1]) layer outputs */
    nn_real *dy[N_LAYERS]; /* (BATCH, widths[l+1]) output gradients */
    nn_real *dx[N_LAYERS]; /* (BATCH, widths[l]) input gradients */
    nn_real *W[N_LAYERS];  /* (widths[l+1], widths[l]) */
    nn_real *dW[N_LAYERS]; /* (widths[l+1], widths[l]) */
    void *block;
} gemm_set;

static int gemm_set_alloc(gemm_set *s) {
    size_t total = 0;
    for (int l = 0; l < N_LAYERS; l++) {
        size_t in = widths[l], out = widths[l + 1];
        total += 2 * BATCH * in + 2 * BATCH * out + 2 * in * out;
    }
    nn_real *p = malloc(total * sizeof *p);
    if (!p) return 0;
    s->block = p;
    nn_rng rng;
    nn_rng_seed(&rng, 7);
    for (size_t i = 0; i < total; i++) p[i] = (nn_real)(nn_rng_uniform(&rng) - 0.5);
    for (int l = 0; l < N_LAYERS; l++) {
        size_t in = widths[l], out = widths[l + 1];
        s->x[l] = p, p += BATCH * in;
        s->dx[l] = p, p += BATCH * in;
        s->y[l] = p, p += BATCH * out;
        s->dy[l] = p, p += BATCH * out;
        s->W[l] = p, p += in * out;
        s->dW[l] = p, p += in * out;
    }
    return 1;
}

/* Runs the sgemm calls of one epoch over n samples, as layers/dense.c makes
 * them; returns the seconds taken. */
static double gemm_epoch(gemm_set *s, int n) {
    double t0 = now_seconds();
    for (int start = 0; start < n; start += BATCH) {
        int B = n - start < BATCH ? n - start : BATCH;
        for (int l = 0; l < N_LAYERS; l++) /* forward: y = x Wᵀ (+ bias, already in y) */
            nn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, widths[l + 1], widths[l], 1,
                    s->x[l], widths[l], s->W[l], widths[l], 1, s->y[l], widths[l + 1]);
        for (int l = N_LAYERS - 1; l >= 0; l--) {
            /* dW += dyᵀ x */
            nn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, widths[l + 1], widths[l], B, 1,
                    s->dy[l], widths[l + 1], s->x[l], widths[l], 1, s->dW[l], widths[l]);
            if (l > 0) /* dx = dy W (not needed for the first layer) */
                nn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, widths[l], widths[l + 1], 1,
                        s->dy[l], widths[l + 1], s->W[l], widths[l], 0, s->dx[l], widths[l]);
        }
    }
    return now_seconds() - t0;
}

/* Median seconds of `reps` timed epochs of sgemm calls, after one warm-up. */
static double gemm_bound(int n, int reps) {
    gemm_set s;
    if (!gemm_set_alloc(&s)) return NAN;
    double t[16];
    if (reps > 16) reps = 16;
    gemm_epoch(&s, n / 4); /* warm-up: thread pool, buffers, caches */
    for (int r = 0; r < reps; r++) t[r] = gemm_epoch(&s, n);
    free(s.block);
    return median(t, reps);
}

/* ------------------------------------------------- softmax routes (teaching) */

/* Seconds per step (zero_grad, forward, backward) of
 * x (B, K) → dense(K→K) → softmax → CE, in the given mode and softmax route;
 * median of `reps` timings of `iters` steps. The dense layer is there so the
 * softmax's input needs a gradient; its cost is the same in every route. */
static double softmax_route_seconds(int K, nn_grad_mode mode, nn_softmax_route route,
                                    int iters, int reps) {
    nn_graph *g = nn_graph_create(BATCH);
    if (!g) return NAN;
    int x = nn_input(g, K), y = nn_labels(g, K);
    int z = nn_dense(g, x, K, NN_INIT_XAVIER); /* gives the softmax a gradient to need */
    int p = nn_softmax(g, z, 1.0);
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    nn_cross_entropy(g, p, y, &lo);
    nn_error err;
    double result = NAN;
    if (nn_graph_compile(g, 3, &err) || nn_softmax_set_route(g, p, route)) goto done;
    nn_rng rng;
    nn_rng_seed(&rng, 5);
    nn_real *xd = nn_input_data(g, x);
    int32_t *lab = nn_label_data(g, y);
    for (int i = 0; i < BATCH * K; i++) xd[i] = (nn_real)nn_rng_normal(&rng);
    for (int b = 0; b < BATCH; b++) lab[b] = (int32_t)nn_rng_below(&rng, (uint32_t)K);
    double t[16];
    if (reps > 16) reps = 16;
    for (int r = 0; r < reps; r++) {
        double t0 = now_seconds();
        for (int i = 0; i < iters; i++) {
            nn_graph_zero_grad(g);
            nn_graph_forward(g, BATCH);
            nn_graph_backward(g, BATCH);
        }
        t[r] = (now_seconds() - t0) / iters;
    }
    result = median(t, reps);
done:
    nn_graph_free(g);
    return result;
}

/* ------------------------------------------------------------- torch file */

typedef struct {
    int present;
    double epoch[64];
    int n_epochs;
    double test_acc, rss_mib;
    char version[64];
    int threads;
} torch_figures;

static void torch_read(torch_figures *t, const char *path) {
    memset(t, 0, sizeof *t);
    t->test_acc = t->rss_mib = NAN;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    char key[64];
    while (fscanf(f, "%63s", key) == 1) {
        if (strcmp(key, "torch_epoch") == 0) {
            int e;
            double s;
            if (fscanf(f, "%d %lf", &e, &s) == 2 && t->n_epochs < 64) t->epoch[t->n_epochs++] = s;
        } else if (strcmp(key, "torch_test_acc") == 0) {
            if (fscanf(f, "%lf", &t->test_acc) != 1) t->test_acc = NAN;
        } else if (strcmp(key, "torch_peak_rss_mib") == 0) {
            if (fscanf(f, "%lf", &t->rss_mib) != 1) t->rss_mib = NAN;
        } else if (strcmp(key, "torch_version") == 0) {
            if (fscanf(f, "%63s", t->version) != 1) t->version[0] = '\0';
        } else if (strcmp(key, "torch_threads") == 0) {
            if (fscanf(f, "%d", &t->threads) != 1) t->threads = 0;
        }
        int c;
        while ((c = fgetc(f)) != '\n' && c != EOF) {
        }
    }
    fclose(f);
    t->present = t->n_epochs > 0;
}

static double later_median(const double *v, int n) { return n > 1 ? median(v + 1, n - 1) : NAN; }

/* ----------------------------------------------------------------- main */

int main(int argc, char **argv) {
    const char *dir = "/usr/share/datasets/fashion-mnist", *torch_path = NULL,
               *torch2_path = NULL;
    int epochs = 5, train_only = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) epochs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--torch") == 0 && i + 1 < argc) torch_path = argv[++i];
        else if (strcmp(argv[i], "--torch2") == 0 && i + 1 < argc) torch2_path = argv[++i];
        else if (strcmp(argv[i], "--train-only") == 0) train_only = 1;
        else if (argv[i][0] != '-') dir = argv[i];
        else {
            fprintf(stderr, "usage: bench_epoch [--epochs N] [--train-only] [--torch FILE] [--torch2 FILE] [DATA_DIR]\n");
            return 2;
        }
    }
    if (epochs < 2 || epochs > 64) {
        fprintf(stderr, "bench_epoch: --epochs must be in 2..64\n");
        return 2;
    }
    nn_error err;
    char images[1024], labels[1024];
    nn_dataset train, test;
    double t0 = now_seconds();
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(labels, sizeof labels, "%s/train-labels-idx1-ubyte.gz", dir);
    if (nn_load_idx(&train, images, labels, &err)) {
        fprintf(stderr, "bench_epoch: %s\n", err.msg);
        return 1;
    }
    snprintf(images, sizeof images, "%s/t10k-images-idx3-ubyte.gz", dir);
    snprintf(labels, sizeof labels, "%s/t10k-labels-idx1-ubyte.gz", dir);
    if (nn_load_idx(&test, images, labels, &err)) {
        fprintf(stderr, "bench_epoch: %s\n", err.msg);
        nn_dataset_free(&train);
        return 1;
    }
    double load_s = now_seconds() - t0;
    printf("bench: data loaded in %.2f s (not timed below); %d epochs per run, batch %d\n",
           load_s, epochs, BATCH);
    printf("bench: OpenBLAS %s, core %s\n", openblas_get_config(), openblas_get_corename());
    fflush(stdout);

    /* 1. Training, one thread. */
    openblas_set_num_threads(1);
    net m;
    epoch_log main_log = {0};
    if (net_build(&m, 10, NN_GRAD_SIMPLIFIED, &err) ||
        train_epochs(&m, &train, epochs, 1, &main_log, &err)) {
        fprintf(stderr, "bench_epoch: %s\n", err.msg);
        return 1;
    }
    double acc = nn_evaluate_accuracy(m.g, &m.nodes, &test);
    double rss = peak_rss_mib();
    net_free(&m);
    printf("bench: nn epochs (1 thread):");
    for (int i = 0; i < main_log.n; i++) printf(" %.3f", main_log.seconds[i]);
    printf(" s; test accuracy %.4f; peak RSS %.1f MiB\n", acc, rss);
    fflush(stdout);
    if (train_only) {
        nn_dataset_free(&train);
        nn_dataset_free(&test);
        return 0;
    }

    /* 2. The sgemm bound, one thread. */
    double bound1 = gemm_bound(train.n, 5);
    printf("bench: sgemm bound (1 thread) %.3f s\n", bound1);
    fflush(stdout);

    /* 3. Jacobian vs simplified, epochs alternated. */
    net ms, mj;
    epoch_log ls = {0}, lj = {0};
    if (net_build(&ms, 10, NN_GRAD_SIMPLIFIED, &err) || net_build(&mj, 10, NN_GRAD_JACOBIAN, &err)) {
        fprintf(stderr, "bench_epoch: %s\n", err.msg);
        return 1;
    }
    for (int e = 0; e < epochs; e++) {
        if (train_epochs(&ms, &train, 1, 100 + e, &ls, &err) ||
            train_epochs(&mj, &train, 1, 100 + e, &lj, &err)) {
            fprintf(stderr, "bench_epoch: %s\n", err.msg);
            return 1;
        }
    }
    net_free(&ms);
    net_free(&mj);
    double simp_s = later_median(ls.seconds, ls.n), jac_s = later_median(lj.seconds, lj.n);
    printf("bench: simplified %.3f s, jacobian %.3f s per epoch (medians)\n", simp_s, jac_s);

    /* 4. Softmax backward routes. */
    double route[2][3];
    const int Ks[2] = {10, 1000};
    for (int k = 0; k < 2; k++) {
        int iters = Ks[k] > 100 ? 20 : 2000;
        route[k][0] = softmax_route_seconds(Ks[k], NN_GRAD_SIMPLIFIED, NN_SOFTMAX_VJP, iters, 5);
        route[k][1] = softmax_route_seconds(Ks[k], NN_GRAD_JACOBIAN, NN_SOFTMAX_VJP, iters, 5);
        route[k][2] = softmax_route_seconds(Ks[k], NN_GRAD_JACOBIAN, NN_SOFTMAX_EXPLICIT, iters, 5);
    }

    /* 5. Two threads. */
    openblas_set_num_threads(2);
    epoch_log l2 = {0};
    if (net_build(&m, 10, NN_GRAD_SIMPLIFIED, &err) || train_epochs(&m, &train, epochs, 1, &l2, &err)) {
        fprintf(stderr, "bench_epoch: %s\n", err.msg);
        return 1;
    }
    net_free(&m);
    double bound2 = gemm_bound(train.n, 5);
    openblas_set_num_threads(1);

    torch_figures t1, t2;
    torch_read(&t1, torch_path);
    torch_read(&t2, torch2_path);

    /* The table. */
    double gflop = epoch_gflop(train.n);
    double nn_first = main_log.seconds[0], nn_later = later_median(main_log.seconds, main_log.n);
    printf("\n");
    printf("784-256-128-10 ReLU, Fashion-MNIST 60000 images, batch %d, SGD momentum 0.9, float32\n",
           BATCH);
    printf("%d epochs per run; 'later' = median of epochs 2..%d; sgemm work %.1f GFLOP/epoch\n\n",
           epochs, epochs, gflop);
    printf("%-34s %10s %10s %10s %12s\n", "", "nn", "PyTorch", "nn/PyTorch", "target");
    if (!t1.present)
        printf("(PyTorch figures missing: torch is not installed or its run failed)\n");
#define ROW(label, a, b, target)                                                          \
    do {                                                                                  \
        printf("%-34s %10.3f ", label, a);                                                \
        if (t1.present) printf("%10.3f %10.2f", b, (a) / (b));                            \
        else printf("%10s %10s", "-", "-");                                               \
        printf(" %12s\n", target);                                                        \
    } while (0)
    ROW("epoch 1, 1 thread (s)", nn_first, t1.present ? t1.epoch[0] : NAN, "<= 0.50");
    ROW("later epochs, 1 thread (s)", nn_later, later_median(t1.epoch, t1.n_epochs), "<= 0.50");
    printf("%-34s %10.1f %10s %10s %12s\n", "  nn GFLOP/s (sgemm work / epoch)", gflop / nn_later,
           "", "", "");
    printf("%-34s %10.3f %10s %10s %12s\n", "sgemm bound, 1 thread (s)", bound1, "", "", "");
    printf("%-34s %10.2f %10s %10s %12s\n", "  nn later epochs / bound", nn_later / bound1, "", "",
           "<= 1.15");
    if (t1.present)
        printf("%-34s %10s %10.2f %10s %12s\n", "  PyTorch later epochs / bound", "",
               later_median(t1.epoch, t1.n_epochs) / bound1, "", "");
    printf("%-34s %10.1f %10.1f %10s %12s\n", "peak RSS (MiB)", rss, t1.present ? t1.rss_mib : NAN,
           "", "<= 100");
    printf("%-34s %10.4f %10.4f %10s %12s\n", "test accuracy", acc, t1.present ? t1.test_acc : NAN,
           "", "");
    printf("%-34s %10.3f %10s %10s %12s\n", "simplified mode, K=10 (s/epoch)", simp_s, "", "", "");
    printf("%-34s %10.3f %10s %10s %12s\n", "jacobian mode, K=10 (s/epoch)", jac_s, "", "", "");
    printf("%-34s %10.3f %10s %10s %12s\n", "  jacobian / simplified", jac_s / simp_s, "", "",
           "<= 1.10");
    double nn2_later = later_median(l2.seconds, l2.n);
    printf("%-34s %10.3f %10.3f %10s %12s\n", "epoch 1, 2 threads (s)", l2.seconds[0],
           t2.present ? t2.epoch[0] : NAN, "", "");
    printf("%-34s %10.3f %10.3f %10s %12s\n", "later epochs, 2 threads (s)", nn2_later,
           t2.present ? later_median(t2.epoch, t2.n_epochs) : NAN, "", "<= 1 thread");
    printf("%-34s %10.3f %10s %10s %12s\n", "sgemm bound, 2 threads (s)", bound2, "", "", "");
    printf("\nstep of x → dense(K→K) → softmax → cross-entropy, batch %d (µs per step)\n", BATCH);
    printf("%-34s %10s %10s\n", "", "K=10", "K=1000");
    const char *names[3] = {"simplified (p - y)", "jacobian mode, VJP route", "jacobian mode, explicit J"};
    for (int r = 0; r < 3; r++)
        printf("%-34s %10.1f %10.1f\n", names[r], 1e6 * route[0][r], 1e6 * route[1][r]);

    nn_dataset_free(&train);
    nn_dataset_free(&test);
    return 0;
}
