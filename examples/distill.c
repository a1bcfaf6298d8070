/* distill.c — knowledge distillation on Fashion-MNIST in its two regimes,
 * from two teachers, side by side.
 *
 * Two teachers 784-800-800-10 are trained on all 60 000 training images,
 * one plainly and one with dropout (p = 0.2 after each hidden layer), and
 * their logits on every training and test image are written as .npy files.
 * The students read a teacher only through those files (--teacher-logits
 * reads a teacher from another framework the same way).
 *
 * Students are trained with hard labels only, and with
 *   α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(y, softmax(s))
 * at T = 1, 2, 4, 8 (α = 0.9, Hinton et al. 2015), and without the T² at
 * T = 2, 4, 8 (at T = 1 the two are the same), from each teacher, over
 * several student seeds (initial weights and batch order), in two regimes:
 *   (a) capacity-limited: 784-32-10 on all 60 000 images, Adam, 5 epochs —
 *       the student cannot represent what the teacher knows, and soft
 *       targets at high T ask it to copy differences between wrong classes
 *       it has no room for;
 *   (b) data-limited: 784-300-10 on 5 000 images (a seeded subset, as
 *       `nn train --limit`), SGD with momentum and a cosine schedule with
 *       warm-up, 50 epochs — the student could learn more than the labels of
 *       5 000 images tell it, and the teacher's soft targets carry it.
 * One table line per student variant, printed as soon as its students are
 * done: for every regime and teacher, the test accuracy mean ± sd over the
 * seeds and the fraction of the teacher–student gap closed,
 * (KD − hard) / (teacher − hard), from the means. Plots: accuracy against T
 * per regime, and the gap closed against T.
 *
 * The teachers, then each line's students, are trained by --jobs processes
 * at once (default 2: one per core), each on one OpenBLAS thread, so every
 * figure is the same whatever --jobs is (OpenBLAS's own threads would change
 * the last bits of a sum, and a few students' accuracies with them).
 *
 * Usage: distill [OUT_DIR] [OPTIONS]; `distill --help` lists them. The
 * options nn train also has are nn train's own (cli/train_options.c): the
 * same names, ranges, checks and messages.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cblas.h>

#include "cli/args.h"
#include "cli/train.h"
#include "cli/train_options.h"
#include "nn/nn.h"

#define FMNIST "/usr/share/datasets/fashion-mnist"
#define CMD    "distill"

enum { K = 10, MAX_SEEDS = 64, MAX_JOBS = 64, TEACHER_HIDDEN = 800 };
static const double ALPHA = 0.9;

/* The student variants, in table order. */
typedef struct {
    const char *name;
    int    distill; /* 0: hard labels only */
    double T;
    int    t2;      /* 1: scale the soft term by T² */
} variant;
static const variant VARIANTS[] = {
    {"hard labels", 0, 1, 0},   {"KD T=1, T²", 1, 1, 1},    {"KD T=2, T²", 1, 2, 1},
    {"KD T=4, T²", 1, 4, 1},    {"KD T=8, T²", 1, 8, 1},    {"KD T=2, no T²", 1, 2, 0},
    {"KD T=4, no T²", 1, 4, 0}, {"KD T=8, no T²", 1, 8, 0},
};
enum { N_VARIANTS = sizeof VARIANTS / sizeof VARIANTS[0] };

/* A regime: the student, its data and its optimizer. */
typedef struct {
    const char *title, *tag;  /* "(a) capacity-limited", "a" */
    int         hidden;       /* student 784-hidden-10 */
    int         epochs;
    nn_optimizer_options opt;
    const train_config *sched;/* the schedule's settings (train_schedule), or NULL: none */
} regime;

/* A teacher the students distil from: its logits on both sets, as per-sample
 * targets of views of the data (the views share the images). */
typedef struct {
    const char *name;         /* "plain", "dropout" or the file's name */
    double      p;            /* its dropout */
    double      test_acc;
    nn_real    *train_logits, *test_logits; /* (60000, K), (10000, K) */
    nn_dataset  train, small, test; /* train, test: borrowed images; small: owned */
} teacher_set;

typedef struct {
    train_config tc;          /* the options nn train has: regime (b)'s, --dropout the teacher's */
    const char *out_dir, *regime, *from, *ext_train, *ext_test;
    int seeds, teacher_epochs, jobs;
    regime      r[2];         /* (a), (b) */
    int         run[2];       /* which regimes run */
    teacher_set t[2];
    int         n_teachers;
} study;

/* The characters of UTF-8 text s (not its bytes). */
static int chars(const char *s) {
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Appends s to line, left-aligned in `width` columns. */
static void add(char *line, size_t len, const char *s, int width) {
    size_t n = strlen(line);
    snprintf(line + n, len - n, "%s%*s", s, width > chars(s) ? width - chars(s) : 0, "");
}

/* Prints line without its trailing blanks. */
static void print_line(char *line) {
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == ' ') line[--n] = '\0';
    printf("%s\n", line);
    line[0] = '\0';
}

/* Runs the graph over all of d in evaluation mode and copies node `out`
 * (width K) of every row into dst (d->n, K). */
static nn_status predict(nn_graph *g, int x, int out, const nn_dataset *d, nn_real *dst, nn_error *err) {
    int B = nn_graph_max_batch(g);
    int *idx = malloc((size_t)B * sizeof *idx); /* (B) */
    if (!idx) return nn_set_error(err, NN_ERR_NOMEM, "out of memory");
    nn_graph_set_training(g, 0);
    for (int start = 0; start < d->n; start += B) {
        int n = d->n - start < B ? d->n - start : B;
        for (int b = 0; b < n; b++) idx[b] = start + b;
        nn_dataset_gather(d, idx, n, nn_input_data(g, x), NULL);
        nn_graph_forward(g, n);
        memcpy(dst + (size_t)start * K, nn_output(g, out), (size_t)n * K * sizeof *dst);
    }
    nn_graph_set_training(g, 1);
    free(idx);
    return NN_OK;
}

/* ============================================================== teachers */

/* Trains 784-800-800-10 (dropout p after each hidden layer when p > 0;
 * SGD momentum 0.9, lr 0.05 cosine) and fills its logits on both sets. */
static nn_status train_teacher(const study *s, const char *name, double p, const nn_dataset *train,
                               const nn_dataset *test, nn_real *train_logits, nn_real *test_logits,
                               nn_error *err) {
    int batch = s->tc.batch;
    nn_graph *g = nn_graph_create(batch);
    int x = nn_input(g, 784), y = nn_labels(g, K), h = x;
    for (int i = 0; i < 2; i++) {
        h = nn_relu(g, nn_dense(g, h, TEACHER_HIDDEN, NN_INIT_HE));
        if (p > 0) h = nn_dropout(g, h, p);
    }
    int z = nn_dense(g, h, K, NN_INIT_XAVIER), prob = nn_softmax(g, z, 1.0); /* (B, 10) */
    nn_cross_entropy(g, prob, y, NULL);
    nn_optimizer *opt = NULL;
    nn_trainer *t = NULL;
    nn_status st = nn_graph_compile(g, s->tc.seed, err);
    if (!st && !(opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.05,
                                                                       .momentum = 0.9}, err)))
        st = err->code;
    long steps = (train->n + batch - 1) / batch;
    nn_lr_schedule sched = nn_lr_schedule_defaults(NN_LR_COSINE, 0.05, s->teacher_epochs * steps);
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = prob, .targets = -1};
    if (!st && !(t = nn_trainer_create(g, opt, &nodes, train,
                                       &(nn_trainer_options){.batch = batch, .seed = s->tc.seed, .schedule = &sched},
                                       err)))
        st = err->code;
    for (int e = 1; !st && e <= s->teacher_epochs; e++) {
        nn_epoch_stats es;
        if ((st = nn_trainer_epoch(t, &es, err))) break;
        printf("  %-8s epoch %2d  loss %.4f  train acc %.2f%%  (%.1f s)\n", name, e, es.loss,
               100 * es.train_acc, es.seconds);
        cli_flush_stdout();
    }
    if (!st) st = predict(g, x, z, train, train_logits, err);
    if (!st) st = predict(g, x, z, test, test_logits, err);
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    return st;
}

static void logits_path(char *path, size_t len, const study *s, const teacher_set *t, const char *set) {
    snprintf(path, len, "%s/teacher%s%s_logits_%s.npy", s->out_dir, strcmp(t->name, "plain") ? "_" : "",
             strcmp(t->name, "plain") ? t->name : "", set);
}

/* Loads a teacher's logits on n images from path, refusing a wrong shape. */
static nn_status load_logits(const char *path, int n, nn_real **logits, nn_error *err) {
    int rows, cols;
    nn_status st = nn_load_npy(path, logits, &rows, &cols, err);
    if (st) return st;
    if (rows != n || cols != K) {
        free(*logits);
        *logits = NULL;
        return nn_set_error(err, NN_ERR_SHAPE, "%s: teacher logits are %d × %d, expected %d × %d "
                            "(one row per image, in the data file's order)", path, rows, cols, n, K);
    }
    return NN_OK;
}

/* ============================================================== students */

/* x → dense H → relu → dense 10 = s → the losses of v; t holds the
 * teacher's logits, fed by the trainer from the dataset's targets. */
static nn_graph *student_graph(const variant *v, int H, int batch, uint64_t seed, nn_train_nodes *nodes,
                               nn_error *err) {
    nn_graph *g = nn_graph_create(batch);
    int x = nn_input(g, 784), y = nn_labels(g, K);
    int t = nn_input(g, K); /* (B, 10) teacher logits */
    int h = nn_relu(g, nn_dense(g, x, H, NN_INIT_HE));
    int s = nn_dense(g, h, K, NN_INIT_XAVIER); /* (B, 10) student logits */
    int p = nn_softmax(g, s, 1.0);
    nn_loss_options lo = nn_loss_defaults();
    if (!v->distill) {
        nn_cross_entropy(g, p, y, &lo);
    } else if (v->t2) {
        nn_distill_options d = {.alpha = ALPHA, .temperature = v->T};
        nn_distill_nodes dn;
        nn_distillation(g, s, t, y, &d, &lo, &dn);
    } else { /* the same two terms, the soft one weighted α instead of α·T² */
        nn_kl_options ko = nn_kl_defaults();
        ko.target_temperature = v->T;
        nn_loss_options soft = lo, hard = lo;
        soft.coef = ALPHA;
        hard.coef = 1 - ALPHA;
        nn_kl_div(g, nn_softmax(g, s, v->T), t, &ko, &soft);
        nn_cross_entropy(g, p, y, &hard);
    }
    *nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p, .targets = t};
    if (nn_graph_compile(g, seed, err)) {
        nn_graph_free(g);
        return NULL;
    }
    return g;
}

/* Test accuracy of one student of regime r distilling from teacher tt. */
static nn_status train_student(const study *s, const regime *r, const variant *v, const teacher_set *tt,
                               uint64_t seed, double *acc, nn_error *err) {
    const nn_dataset *train = r == &s->r[0] ? &tt->train : &tt->small;
    int batch = s->tc.batch;
    nn_train_nodes nodes;
    nn_graph *g = student_graph(v, r->hidden, batch, seed, &nodes, err);
    if (!g) return err->code;
    nn_optimizer *opt = nn_optimizer_create(g, &r->opt, err);
    nn_lr_schedule sched;
    if (r->sched) sched = train_schedule(r->sched, (train->n + batch - 1) / batch); /* as nn train's */
    nn_trainer *t = NULL;
    nn_status st = opt ? NN_OK : err->code;
    if (!st && !(t = nn_trainer_create(g, opt, &nodes, train,
                                       &(nn_trainer_options){.batch = batch, .seed = seed,
                                                             .schedule = r->sched ? &sched : NULL},
                                       err)))
        st = err->code;
    for (int e = 1; !st && e <= r->epochs; e++) st = nn_trainer_epoch(t, NULL, err);
    nn_eval_stats ev;
    if (!st && !(st = nn_trainer_evaluate(t, &tt->test, &ev, err))) *acc = ev.accuracy;
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    return st;
}

/* ===================================================== several processes */

/* One unit of work: a teacher to train, or a student. */
typedef struct {
    int           teacher;  /* 1: train s->t[which] (the result: 0) */
    int           which;    /* the teacher */
    const regime *r;        /* a student's */
    int           variant;
    uint64_t      seed;
} job;

/* A teacher job trains the teacher and writes its logits to their files
 * (the students read them from there); a student job's result is its test
 * accuracy. */
static nn_status run_job(const study *s, const job *j, double *out, nn_error *err) {
    const teacher_set *t = &s->t[j->which];
    char path[1024];
    *out = 0;
    if (!j->teacher) return train_student(s, j->r, &VARIANTS[j->variant], t, j->seed, out, err);
    nn_status st = train_teacher(s, t->name, t->p, &t->train, &t->test, t->train_logits, t->test_logits, err);
    logits_path(path, sizeof path, s, t, "train");
    if (!st) st = nn_save_npy(path, t->train_logits, t->train.n, K, err);
    logits_path(path, sizeof path, s, t, "test");
    if (!st) st = nn_save_npy(path, t->test_logits, t->test.n, K, err);
    return st;
}

static int write_all(int fd, const void *buf, size_t n) {
    for (const char *p = buf; n > 0;) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        p += w, n -= (size_t)w;
    }
    return 1;
}

static int read_all(int fd, void *buf, size_t n) {
    for (char *p = buf; n > 0;) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        p += r, n -= (size_t)r;
    }
    return 1;
}

/* Runs jobs[0, n) on min(s->jobs, n) processes, results in out (n): this
 * process takes jobs 0, P, 2P, …, forked child c the jobs c, c + P, … and
 * sends back its results and its error through a pipe. */
static nn_status run_jobs(const study *s, const job *jobs, int n, double *out, nn_error *err) {
    int P = s->jobs < n ? s->jobs : n, fd[MAX_JOBS];
    pid_t pid[MAX_JOBS];
    cli_flush_stdout(); /* nothing buffered is written twice */
    fflush(stderr);
    for (int c = 1; c < P; c++) {
        int p[2];
        int piped = pipe(p) == 0;
        if (!piped || (pid[c] = fork()) < 0) {
            nn_status st = nn_set_error(err, NN_ERR_IO, "cannot start a worker process: %s", strerror(errno));
            if (piped) close(p[0]), close(p[1]);
            for (int d = 1; d < c; d++) close(fd[d]), waitpid(pid[d], NULL, 0);
            return st;
        }
        if (pid[c] == 0) { /* the child: its jobs, then its results and error */
            close(p[0]);
            nn_error e = {0};
            nn_status st = NN_OK;
            for (int i = c; i < n && !st; i += P) st = run_job(s, &jobs[i], &out[i], &e);
            e.code = st;
            int ok = 1;
            for (int i = c; i < n; i += P) ok = ok && write_all(p[1], &out[i], sizeof out[i]);
            ok = ok && write_all(p[1], &e, sizeof e);
            cli_flush_stdout();
            _exit(ok ? 0 : 1);
        }
        close(p[1]);
        fd[c] = p[0];
    }
    nn_status st = NN_OK;
    for (int i = 0; i < n && !st; i += P) st = run_job(s, &jobs[i], &out[i], err);
    for (int c = 1; c < P; c++) {
        nn_error e;
        int got = 1, status;
        for (int i = c; i < n; i += P) got = got && read_all(fd[c], &out[i], sizeof out[i]);
        got = got && read_all(fd[c], &e, sizeof e);
        close(fd[c]);
        waitpid(pid[c], &status, 0);
        if (st) continue; /* keep the first error */
        if (!got || !WIFEXITED(status) || WEXITSTATUS(status))
            st = nn_set_error(err, NN_ERR_IO, "worker process %d ended without its results", c);
        else if (e.code)
            *err = e, st = e.code;
    }
    return st;
}

/* ================================================================ table */

static void mean_sd(const double *x, int n, double *mean, double *sd) {
    double m = 0, v = 0;
    for (int i = 0; i < n; i++) m += x[i];
    m /= n;
    for (int i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(v / (n - 1)) : 0;
}

enum { NAME_W = 16, CELL_W = 23, ACC_W = 13, GAP_W = 6 }; /* columns: a cell is accuracy, gap */

static void describe(const study *s) {
    for (int r = 0; r < 2; r++) {
        if (!s->run[r]) continue;
        const regime *g = &s->r[r];
        if (r == 0) printf("%s: student 784-%d-%d on all %d images", g->title, g->hidden, K, s->t[0].train.n);
        else printf("%s: student 784-%d-%d on %d images (--limit-seed %llu)", g->title, g->hidden, K,
                    s->t[0].small.n, (unsigned long long)s->tc.limit_seed);
        printf(", %s lr %g", g->opt.kind == NN_OPT_SGD ? "SGD" : "Adam", g->opt.lr);
        if (g->opt.kind == NN_OPT_SGD && g->opt.momentum > 0) printf(" momentum %g", g->opt.momentum);
        if (g->sched) {
            const train_config *c = g->sched;
            printf(", %s schedule (warm-up %d epoch%s, lr-min %g)", c->lr_schedule ? c->lr_schedule : "constant",
                   c->warmup, c->warmup == 1 ? "" : "s", c->lr_min);
        }
        printf(", %d epoch%s\n", g->epochs, g->epochs == 1 ? "" : "s");
    }
    printf("every student: batch %d, α = %g, %d seed%s (%llu..%llu); each cell: test accuracy, mean ± sd\n"
           "over the seeds (%%), and the teacher–student gap closed, (KD − hard)/(teacher − hard) of the\n"
           "means (%%)%s\n\n",
           s->tc.batch, ALPHA, s->seeds, s->seeds == 1 ? "" : "s", (unsigned long long)s->tc.seed,
           (unsigned long long)(s->tc.seed + (uint64_t)s->seeds - 1),
           s->n_teachers > 1 ? ";\nthe hard-label students see no teacher: one set per regime, shown under each teacher" : "");
    char cell[128], line[1024] = "";
    add(line, sizeof line, "", NAME_W);
    for (int r = 0; r < 2; r++)
        if (s->run[r]) add(line, sizeof line, s->r[r].title, CELL_W * s->n_teachers);
    print_line(line);
    add(line, sizeof line, "", NAME_W);
    for (int r = 0; r < 2; r++)
        for (int t = 0; s->run[r] && t < s->n_teachers; t++) {
            snprintf(cell, sizeof cell, "from %s", s->t[t].name);
            add(line, sizeof line, cell, CELL_W);
        }
    print_line(line);
    add(line, sizeof line, "teacher", NAME_W);
    for (int r = 0; r < 2; r++)
        for (int t = 0; s->run[r] && t < s->n_teachers; t++) {
            snprintf(cell, sizeof cell, "%.2f", 100 * s->t[t].test_acc);
            add(line, sizeof line, cell, CELL_W);
        }
    print_line(line);
    add(line, sizeof line, "student", NAME_W);
    for (int r = 0; r < 2; r++)
        for (int t = 0; s->run[r] && t < s->n_teachers; t++) add(line, sizeof line, "accuracy        gap", CELL_W);
    print_line(line);
    cli_flush_stdout();
}

/* Trains every student of every variant, regime and teacher, a table line
 * per variant as soon as its students are done; mean[r][t][v] gets the
 * mean accuracies. */
static nn_status run_table(const study *s, double mean[2][2][N_VARIANTS], nn_error *err) {
    static job jobs[2 * 2 * MAX_SEEDS];
    static double acc[2 * 2 * MAX_SEEDS];
    describe(s);
    for (int v = 0; v < N_VARIANTS; v++) {
        int n = 0, first[2][2];
        int teachers = VARIANTS[v].distill ? s->n_teachers : 1; /* hard labels: no teacher */
        for (int r = 0; r < 2; r++)
            for (int t = 0; s->run[r] && t < teachers; t++) {
                first[r][t] = n;
                for (int k = 0; k < s->seeds; k++)
                    jobs[n++] = (job){.which = t, .r = &s->r[r], .variant = v, .seed = s->tc.seed + (uint64_t)k};
            }
        nn_status st = run_jobs(s, jobs, n, acc, err);
        if (st) return st;
        char line[1024] = "";
        add(line, sizeof line, VARIANTS[v].name, NAME_W);
        for (int r = 0; r < 2; r++)
            for (int t = 0; s->run[r] && t < s->n_teachers; t++) {
                double sd, hard, gap;
                mean_sd(acc + first[r][teachers > 1 ? t : 0], s->seeds, &mean[r][t][v], &sd);
                hard = mean[r][t][0];
                gap = 100 * (mean[r][t][v] - hard) / (s->t[t].test_acc - hard);
                char cell[128], g[32];
                if (v == 0) snprintf(g, sizeof g, "—");
                else if (!(s->t[t].test_acc > hard)) snprintf(g, sizeof g, "(n/a)"); /* the teacher is not better */
                else snprintf(g, sizeof g, "%+.1f", gap);
                snprintf(cell, sizeof cell, "%5.2f ± %.2f", 100 * mean[r][t][v], 100 * sd);
                add(line, sizeof line, cell, ACC_W);
                add(line, sizeof line, "", GAP_W - chars(g)); /* the gap right-aligned */
                add(line, sizeof line, g, CELL_W - ACC_W - (GAP_W - chars(g)));
            }
        print_line(line);
        if (cli_flush_stdout()) return NN_ERR_IO; /* cli_finish_stdout says why */
    }
    return NN_OK;
}

/* Accuracy against T per regime (students, hard labels and teachers as flat
 * lines), and the gap closed against T; x = 1 + log2 T. */
static nn_status plots(const study *s, double mean[2][2][N_VARIANTS], nn_error *err) {
    static const int with[4] = {1, 2, 3, 4}, without[4] = {1, 5, 6, 7}; /* T = 1, 2, 4, 8; at T = 1 the same run */
    double y[2][8][4], gap[8][4];
    char names[2][8][96], gap_names[8][96], path[1024], title[160];
    nn_series gs[8];
    int n_gap = 0;
    for (int r = 0; r < 2; r++) {
        if (!s->run[r]) continue;
        nn_series sa[8];
        int n = 0;
        for (int t = 0; t < s->n_teachers; t++)
            for (int scaled = 1; scaled >= 0; scaled--) {
                const int *v = scaled ? with : without;
                double hard = mean[r][t][0], range = s->t[t].test_acc - hard;
                for (int j = 0; j < 4; j++) {
                    y[r][n][j] = 100 * mean[r][t][v[j]];
                    gap[n_gap][j] = range > 0 ? 100 * (mean[r][t][v[j]] - hard) / range : NAN;
                }
                snprintf(names[r][n], sizeof names[r][n], "KD from %s, %s", s->t[t].name, scaled ? "T²" : "no T²");
                snprintf(gap_names[n_gap], sizeof gap_names[n_gap], "(%s) from %s, %s", s->r[r].tag, s->t[t].name,
                         scaled ? "T²" : "no T²");
                sa[n] = (nn_series){names[r][n], y[r][n], 4};
                gs[n_gap] = (nn_series){gap_names[n_gap], gap[n_gap], 4};
                n++, n_gap++;
            }
        for (int j = 0; j < 4; j++) y[r][n][j] = 100 * mean[r][0][0];
        sa[n] = (nn_series){"hard labels", y[r][n], 4}, n++;
        for (int t = 0; t < s->n_teachers; t++, n++) {
            for (int j = 0; j < 4; j++) y[r][n][j] = 100 * s->t[t].test_acc;
            snprintf(names[r][n], sizeof names[r][n], "teacher %s", s->t[t].name);
            sa[n] = (nn_series){names[r][n], y[r][n], 4};
        }
        snprintf(path, sizeof path, "%s/distill_accuracy_%s.svg", s->out_dir, s->r[r].tag);
        snprintf(title, sizeof title, "%s: students' test accuracy against T (mean over seeds)", s->r[r].title);
        if (nn_plot_lines_svg(path, title, "1 + log2 T (T = 1, 2, 4, 8)", "test accuracy (%)", sa, n, err))
            return err->code;
        printf("%s %s\n", r == 0 || !s->run[0] ? "\nplots:" : "      ", path);
    }
    snprintf(path, sizeof path, "%s/distill_gap_closed.svg", s->out_dir);
    if (nn_plot_lines_svg(path, "Fraction of the teacher–student gap closed by KD", "1 + log2 T (T = 1, 2, 4, 8)",
                          "gap closed (%)", gs, n_gap, err))
        return err->code;
    printf("       %s\n", path);
    return NN_OK;
}

/* ================================================================ options */

static const char *const regimes[] = {"a", "b", "both", NULL};
static const char *const froms[] = {"plain", "dropout", "both", NULL};

/* Parses and checks the options (nn train's checks for those it shares);
 * returns 0 to go on, -1 after --help, or EXIT_USAGE after an error. */
static int parse(study *s, int argc, char **argv) {
    train_config *c = &s->tc;
    arg_option opts[] = {
        train_option(c, "--epochs"),
        train_option(c, "--limit"),
        train_option(c, "--limit-seed"),
        train_option(c, "--batch"),
        train_option(c, "--seed"),
        train_option(c, "--lr"),
        train_option(c, "--momentum"),
        train_option(c, "--lr-schedule"),
        train_option(c, "--warmup"),
        train_option(c, "--lr-min"),
        train_option(c, "--dropout"),
        OPT_INT("--seeds", &s->seeds, "N", "student seeds per cell, --seed onward (default 5)", 1, MAX_SEEDS),
        OPT_INT("--teacher-epochs", &s->teacher_epochs, "N", "the teachers' epochs (default 6)", 1, 1e6),
        OPT_STRING("--regime", &s->regime, "a|b|both", "the regimes to run (default both)"),
        OPT_STRING("--from", &s->from, "plain|dropout|both", "the teachers to train and distil from (default both)"),
        OPT_STRING("--teacher-logits", &s->ext_train, "TRAIN.npy", "instead: one teacher's logits on the training images (N × 10, file order)"),
        OPT_STRING("--teacher-test-logits", &s->ext_test, "TEST.npy", "... and on the test images (with --teacher-logits)"),
        OPT_INT("--jobs", &s->jobs, "N", "processes training at once, one OpenBLAS thread each (default 2)", 1, MAX_JOBS),
        OPT_END,
    };
    /* The shared options' help, with this program's defaults and meaning. */
    static const struct { const char *name, *help; } help[] = {
        {"--epochs", "the students' epochs, both regimes (default: 5 in a, 50 in b)"},
        {"--limit", "(b): training images, after a seeded shuffle (default 5000)"},
        {"--batch", "mini-batch size of teachers and students (default 64)"},
        {"--seed", "the teachers' seed and the first student seed (default 3)"},
        {"--lr", "(b): SGD learning rate; (a) uses Adam at 0.001"},
        {"--momentum", "(b): SGD momentum in [0, 1) (default 0.9)"},
        {"--lr-schedule", "(b): constant, step, cosine (default) or onecycle; the rate changes every step"},
        {"--warmup", "(b): epochs of linear warm-up to --lr (default 2)"},
        {"--lr-min", "(b): cosine, onecycle: the final rate (default 0)"},
        {"--dropout", "the dropout teacher's dropout after each hidden layer, in [0, 0.99] (default 0.2)"},
    };
    for (arg_option *o = opts; o->name; o++)
        for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
            if (!strcmp(o->name, help[i].name)) o->help = help[i].help;
    const char *pos[1];
    int n_pos;
    int r = args_parse(CMD, "[OUT_DIR] [OPTIONS]   (OUT_DIR: where the logits and plots go, default .)", opts,
                       argc, argv, pos, 1, &n_pos);
    if (r) return r;
    if (n_pos) s->out_dir = pos[0];
    if (!args_choice(CMD, "--regime", s->regime, regimes) || !args_choice(CMD, "--from", s->from, froms))
        return EXIT_USAGE;
    if (!s->ext_train != !s->ext_test) {
        cli_error(CMD, "%s needs %s too", s->ext_train ? "--teacher-logits" : "--teacher-test-logits",
                  s->ext_train ? "--teacher-test-logits TEST.npy" : "--teacher-logits TRAIN.npy");
        return EXIT_USAGE;
    }
    static const char *const own_teachers[] = {"--from", "--dropout", "--teacher-epochs", NULL};
    for (const char *const *o = own_teachers; s->ext_train && *o; o++)
        if (args_find(opts, *o)->seen) {
            cli_error(CMD, "%s is about the teachers distill trains; with --teacher-logits it trains none", *o);
            return EXIT_USAGE;
        }
    if (!strcmp(s->from, "plain") && args_find(opts, "--dropout")->seen) {
        cli_error(CMD, "--dropout is the dropout teacher's, and --from plain trains only the plain one");
        return EXIT_USAGE;
    }
    s->run[0] = strcmp(s->regime, "b") != 0;
    s->run[1] = strcmp(s->regime, "a") != 0;
    static const char *const only_b[] = {"--limit", "--limit-seed", "--lr", "--momentum", "--lr-schedule",
                                         "--warmup", "--lr-min", NULL};
    for (const char *const *o = only_b; !s->run[1] && *o; o++)
        if (args_find(opts, *o)->seen) {
            cli_error(CMD, "%s is a setting of regime (b), and --regime a runs only (a)", *o);
            return EXIT_USAGE;
        }
    if (!s->run[1]) c->lr_schedule = NULL, c->warmup = 0; /* (b)'s defaults are not checked against (a) */
    nn_arch a = nn_arch_defaults(); /* the dropout teacher's, for the checks of --dropout */
    nn_error err;
    if (nn_arch_parse_sizes(&a, c->arch, &err)) {
        cli_error(CMD, "%s", err.msg);
        return 1;
    }
    if (!train_check_extras(c, opts, nn_loss_find(c->loss), &a)) return EXIT_USAGE; /* nn train's checks */
    if (args_find(opts, "--epochs")->seen) s->r[0].epochs = c->epochs;
    s->r[1].epochs = c->epochs;
    s->r[1].opt.lr = c->lr;
    s->r[1].opt.momentum = c->momentum;
    return 0;
}

/* ================================================================== main */

/* The views of the data a teacher's students read: its logits as targets. */
static nn_status teacher_views(study *s, teacher_set *t, const nn_dataset *train, const nn_dataset *test,
                               nn_error *err) {
    t->train = *train, t->test = *test; /* borrowed images and labels */
    t->train.targets = t->train_logits, t->train.target_width = K;
    t->test.targets = t->test_logits, t->test.target_width = K;
    t->test_acc = nn_accuracy(t->test_logits, test->labels, test->n, K);
    return s->run[1] ? nn_dataset_limit(&t->train, s->tc.limit, s->tc.limit_seed, &t->small, err) : NN_OK;
}

int main(int argc, char **argv) {
    cli_set_program(CMD);
    study s = {
        .tc = {.arch = "784-800-800-10" /* the teachers, TEACHER_HIDDEN */, .loss = "distill", .epochs = 50, .batch = 64, .seed = 3, .lr = 0.05, .momentum = 0.9, .lr_schedule = "cosine",
               .warmup = 2, .limit = 5000, .limit_seed = 1, .dropout = 0.2},
        .out_dir = ".", .regime = "both", .from = "both", .seeds = 5, .teacher_epochs = 6, .jobs = 2,
        .r = {{.title = "(a) capacity-limited", .tag = "a", .hidden = 32, .epochs = 5,
               .opt = {.kind = NN_OPT_ADAM, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}},
              {.title = "(b) data-limited", .tag = "b", .hidden = 300,
               .opt = {.kind = NN_OPT_SGD}}},
    };
    s.r[1].sched = &s.tc;
    int r = parse(&s, argc, argv);
    if (r) return cli_finish_stdout(CMD, ARGS_EXIT(r));
    if (mkdir(s.out_dir, 0755) != 0 && errno != EEXIST) {
        cli_error(CMD, "%s: cannot create the output folder: %s", s.out_dir, strerror(errno));
        return 1;
    }
    openblas_set_num_threads(1); /* the processes use the cores, and the figures do not depend on --jobs */
    nn_error err = {0};
    nn_dataset train = {0}, test = {0};
    char path[1024];
    nn_status st = NN_OK;
    if (nn_load_idx(&train, FMNIST "/train-images-idx3-ubyte.gz", FMNIST "/train-labels-idx1-ubyte.gz", &err) ||
        nn_load_idx(&test, FMNIST "/t10k-images-idx3-ubyte.gz", FMNIST "/t10k-labels-idx1-ubyte.gz", &err)) {
        st = err.code;
        goto done;
    }
    if (s.run[1] && s.tc.limit > train.n) {
        cli_error(CMD, "--limit %d: the training set has %d samples", s.tc.limit, train.n);
        nn_dataset_free(&train), nn_dataset_free(&test);
        return EXIT_USAGE;
    }
    printf("Fashion-MNIST: %d training, %d test images\n", train.n, test.n);
    if (cli_flush_stdout()) { /* no one reads the table: stop before the work */
        st = NN_ERR_IO;
        goto done;
    }

    /* 1. The teachers' logits: ours, or one from files. */
    if (s.ext_train) {
        s.t[0].name = "file", s.n_teachers = 1;
        if ((st = load_logits(s.ext_train, train.n, &s.t[0].train_logits, &err)) ||
            (st = load_logits(s.ext_test, test.n, &s.t[0].test_logits, &err)))
            goto done;
        printf("\nteacher: %s, %s\n", s.ext_train, s.ext_test);
    } else {
        int plain = strcmp(s.from, "dropout") != 0, dropout = strcmp(s.from, "plain") != 0;
        if (plain) s.t[s.n_teachers++] = (teacher_set){.name = "plain", .p = 0};
        if (dropout) s.t[s.n_teachers++] = (teacher_set){.name = "dropout", .p = s.tc.dropout};
        job jobs[2];
        double unused[2];
        for (int t = 0; t < s.n_teachers; t++) {
            teacher_set *tt = &s.t[t];
            tt->train = train, tt->test = test;
            if (!(tt->train_logits = malloc((size_t)train.n * K * sizeof(nn_real))) ||
                !(tt->test_logits = malloc((size_t)test.n * K * sizeof(nn_real)))) {
                st = nn_set_error(&err, NN_ERR_NOMEM, "out of memory");
                goto done;
            }
            jobs[t] = (job){.teacher = 1, .which = t};
        }
        printf("\nteachers 784-%d-%d-10 on all %d images, SGD momentum 0.9, lr 0.05 cosine, %d epoch%s:",
               TEACHER_HIDDEN, TEACHER_HIDDEN, train.n, s.teacher_epochs, s.teacher_epochs == 1 ? "" : "s");
        for (int t = 0; t < s.n_teachers; t++)
            printf("%s%s", t ? ", " : " ", s.t[t].name);
        if (dropout) printf(" (p = %g after each hidden layer)", s.tc.dropout);
        printf("\n");
        if ((st = run_jobs(&s, jobs, s.n_teachers, unused, &err))) goto done;
        /* The students know a teacher only through its files. */
        for (int t = 0; t < s.n_teachers; t++) {
            teacher_set *tt = &s.t[t];
            const char *set[2] = {"train", "test"};
            nn_real **dst[2] = {&tt->train_logits, &tt->test_logits};
            int rows[2] = {train.n, test.n};
            for (int i = 0; i < 2; i++) {
                logits_path(path, sizeof path, &s, tt, set[i]);
                free(*dst[i]);
                *dst[i] = NULL;
                if ((st = load_logits(path, rows[i], dst[i], &err))) goto done;
                printf("  logits: %s (%d × %d float32)\n", path, rows[i], K);
            }
        }
        printf("  (the teachers are chosen before the students are trained, never by test accuracy)\n");
    }
    for (int t = 0; t < s.n_teachers; t++)
        if ((st = teacher_views(&s, &s.t[t], &train, &test, &err))) goto done;
    printf("\n");
    if (cli_flush_stdout()) {
        st = NN_ERR_IO;
        goto done;
    }

    /* 2. The students, both regimes side by side; 3. the plots. */
    double mean[2][2][N_VARIANTS];
    if ((st = run_table(&s, mean, &err)) || (st = plots(&s, mean, &err))) goto done;
done:
    if (st && !ferror(stdout)) cli_error(CMD, "%s", err.msg); /* else cli_finish_stdout says what failed */
    for (int t = 0; t < s.n_teachers; t++) {
        free(s.t[t].train_logits), free(s.t[t].test_logits);
        nn_dataset_free(&s.t[t].small);
    }
    nn_dataset_free(&train), nn_dataset_free(&test);
    return cli_finish_stdout(CMD, st ? 1 : 0);
}
