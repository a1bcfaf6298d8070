/* distill.c — knowledge distillation on Fashion-MNIST in its two regimes.
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
 * T = 2, 4, 8 (at T = 1 the two are the same), each over several student
 * seeds (initial weights and batch order), in two regimes:
 *   (a) capacity-limited: 784-32-10 on all 60 000 images, Adam — the student
 *       cannot represent what the teacher knows, and soft targets at high T
 *       ask it to copy differences between wrong classes it has no room for;
 *   (b) data-limited: 784-300-10 on 5 000 images (a seeded subset, as
 *       `nn train --limit`), SGD with momentum and a cosine schedule with
 *       warm-up, 50 epochs — the student could learn more than the labels of
 *       5 000 images tell it, and the teacher's soft targets carry it.
 * For each: test accuracy mean ± sd over the seeds, and the fraction of the
 * teacher–student gap closed, (KD − hard) / (teacher − hard), from the means.
 *
 * Usage: distill [OUT_DIR] [OPTIONS] — the options nn train also has mean
 * the same: --epochs N (students; default 5 in (a), 50 in (b)), --limit N
 * (5000), --limit-seed S, --batch B (64), --seed S (first student seed),
 * --lr LR, --momentum M, --lr-schedule NAME, --warmup N (epochs), --lr-min
 * LR (regime b's SGD); --dropout P (the dropout teacher's, 0.2). Its own:
 * --seeds N (5), --teacher-epochs N (6), --regime a|b|both, --from
 * plain|dropout (the teacher the students distil from, default plain),
 * --teacher-logits TRAIN.npy TEST.npy (one external teacher, N × 10 float32
 * in the order of the Fashion-MNIST files; no teachers are trained).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nn/nn.h"

#define FMNIST "/usr/share/datasets/fashion-mnist"

enum { K = 10, MAX_SEEDS = 64, TEACHER_HIDDEN = 800 };
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
    const char *title;
    int         hidden;     /* student 784-hidden-10 */
    int         limit;      /* training images (0: all) */
    int         epochs;
    nn_optimizer_options opt;
    int         schedule;   /* 1: sched below (kind, lr_min, warmup in epochs) */
    nn_lr_schedule_kind sched_kind;
    double      lr_min;
    int         warmup_epochs;
} regime;

typedef struct {
    const char *out_dir, *ext_train, *ext_test, *from;
    int seeds, teacher_epochs, batch, regimes; /* regimes: 1 = a, 2 = b, 3 = both */
    uint64_t seed, limit_seed;
    double dropout;
    regime a, b;
} settings;

/* Prints s left-aligned in `width` columns, counting characters, not bytes. */
static void print_padded(const char *s, int width) {
    int chars = 0;
    for (const char *c = s; *c; c++) chars += ((unsigned char)*c & 0xC0) != 0x80;
    printf("%s%*s", s, width > chars ? width - chars : 0, "");
}

/* Runs the graph over all of d in evaluation mode and copies node `out`
 * (width K) of every row into dst (d->n, K). */
static void predict(nn_graph *g, int x, int out, const nn_dataset *d, nn_real *dst) {
    int B = nn_graph_max_batch(g), idx[256];
    nn_graph_set_training(g, 0);
    for (int start = 0; start < d->n; start += B) {
        int n = d->n - start < B ? d->n - start : B;
        for (int b = 0; b < n; b++) idx[b] = start + b;
        nn_dataset_gather(d, idx, n, nn_input_data(g, x), NULL);
        nn_graph_forward(g, n);
        memcpy(dst + (size_t)start * K, nn_output(g, out), (size_t)n * K * sizeof *dst);
    }
    nn_graph_set_training(g, 1);
}

/* The trainer's schedule for `epochs` epochs of `steps` steps each. */
static nn_lr_schedule make_schedule(nn_lr_schedule_kind kind, double lr, double lr_min, int warmup_epochs,
                                    int epochs, int steps) {
    nn_lr_schedule s = nn_lr_schedule_defaults(kind, lr, (long)epochs * steps);
    if (kind != NN_LR_ONECYCLE || warmup_epochs > 0) s.warmup = (long)warmup_epochs * steps;
    if (kind == NN_LR_COSINE || (kind == NN_LR_ONECYCLE && lr_min > 0)) s.lr_min = lr_min;
    return s;
}

/* ============================================================== teachers */

/* Trains 784-800-800-10 (dropout p after each hidden layer when p > 0;
 * SGD momentum 0.9, lr 0.05 cosine) and fills its logits on both sets. */
static nn_status teacher(const settings *o, double p, const nn_dataset *train, const nn_dataset *test,
                         nn_real *train_logits, nn_real *test_logits, double *test_acc, nn_error *err) {
    nn_graph *g = nn_graph_create(o->batch);
    int x = nn_input(g, 784), y = nn_labels(g, K), h = x;
    for (int i = 0; i < 2; i++) {
        h = nn_relu(g, nn_dense(g, h, TEACHER_HIDDEN, NN_INIT_HE));
        if (p > 0) h = nn_dropout(g, h, p);
    }
    int z = nn_dense(g, h, K, NN_INIT_XAVIER), prob = nn_softmax(g, z, 1.0);
    nn_cross_entropy(g, prob, y, NULL);
    nn_optimizer *opt = NULL;
    nn_trainer *t = NULL;
    nn_status st = nn_graph_compile(g, o->seed, err);
    if (!st && !(opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.05,
                                                                       .momentum = 0.9}, err)))
        st = err->code;
    int steps = (train->n + o->batch - 1) / o->batch;
    nn_lr_schedule s = make_schedule(NN_LR_COSINE, 0.05, 0, 0, o->teacher_epochs, steps);
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = prob, .targets = -1};
    if (!st && !(t = nn_trainer_create(g, opt, &nodes, train,
                                       &(nn_trainer_options){.batch = o->batch, .seed = o->seed, .schedule = &s},
                                       err)))
        st = err->code;
    nn_eval_stats v = {.accuracy = NAN};
    for (int e = 1; !st && e <= o->teacher_epochs; e++) {
        nn_epoch_stats es;
        if ((st = nn_trainer_epoch(t, &es, err))) break;
        if (e == o->teacher_epochs && (st = nn_trainer_evaluate(t, test, &v, err))) break;
        printf("  epoch %2d  loss %.4f  train acc %.2f%%  (%.1f s)\n", e, es.loss, 100 * es.train_acc, es.seconds);
        fflush(stdout);
    }
    if (!st) {
        predict(g, x, z, train, train_logits);
        predict(g, x, z, test, test_logits);
        *test_acc = v.accuracy;
    }
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    return st;
}

/* Writes logits (n, K) to OUT_DIR/name and reads them back: the students
 * know the teacher only through these files. */
static nn_status through_file(const char *out_dir, const char *name, nn_real **logits, int n, nn_error *err) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    nn_status st = nn_save_npy(path, *logits, n, K, err);
    if (st) return st;
    free(*logits);
    *logits = NULL;
    int rows, cols;
    if ((st = nn_load_npy(path, logits, &rows, &cols, err))) return st;
    printf("  logits: %s (%d × %d float32)\n", path, rows, cols);
    return NN_OK;
}

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

/* Test accuracy of one student. */
static nn_status student(const regime *r, const variant *v, int batch, uint64_t seed, const nn_dataset *train,
                         const nn_dataset *test, double *acc, nn_error *err) {
    nn_train_nodes nodes;
    nn_graph *g = student_graph(v, r->hidden, batch, seed, &nodes, err);
    if (!g) return err->code;
    nn_optimizer *opt = nn_optimizer_create(g, &r->opt, err);
    int steps = (train->n + batch - 1) / batch;
    nn_lr_schedule s = make_schedule(r->sched_kind, r->opt.lr, r->lr_min, r->warmup_epochs, r->epochs, steps);
    nn_trainer *t = NULL;
    nn_status st = opt ? NN_OK : err->code;
    if (!st && !(t = nn_trainer_create(g, opt, &nodes, train,
                                       &(nn_trainer_options){.batch = batch, .seed = seed,
                                                             .schedule = r->schedule ? &s : NULL},
                                       err)))
        st = err->code;
    for (int e = 1; !st && e <= r->epochs; e++) st = nn_trainer_epoch(t, NULL, err);
    nn_eval_stats ev;
    if (!st && !(st = nn_trainer_evaluate(t, test, &ev, err))) *acc = ev.accuracy;
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    return st;
}

static void mean_sd(const double *x, int n, double *mean, double *sd) {
    double m = 0, v = 0;
    for (int i = 0; i < n; i++) m += x[i];
    m /= n;
    for (int i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(v / (n - 1)) : 0;
}

/* Runs every variant over the seeds; prints one table line per variant as
 * soon as its seeds are done. mean[v] (N_VARIANTS) gets the mean accuracy. */
static nn_status run_regime(const settings *o, const regime *r, const nn_dataset *train, const nn_dataset *test,
                            double teacher_acc, double *mean, nn_error *err) {
    printf("\n%s\n", r->title);
    printf("  student 784-%d-10 on %d images, %s lr %g", r->hidden, train->n,
           r->opt.kind == NN_OPT_SGD ? "SGD" : "Adam", r->opt.lr);
    if (r->opt.kind == NN_OPT_SGD && r->opt.momentum > 0) printf(" momentum %g", r->opt.momentum);
    if (r->schedule)
        printf(", %s schedule (warm-up %d epoch%s, lr-min %g)", nn_lr_schedule_name(r->sched_kind),
               r->warmup_epochs, r->warmup_epochs == 1 ? "" : "s", r->lr_min);
    printf(", %d epochs, batch %d, α = %g, %d seeds (%llu..%llu)\n", r->epochs, o->batch, ALPHA, o->seeds,
           (unsigned long long)o->seed, (unsigned long long)(o->seed + (uint64_t)o->seeds - 1));
    printf("  teacher test accuracy %.2f%%\n", 100 * teacher_acc);
    printf("  student          test accuracy      gap closed\n");
    fflush(stdout);
    for (int v = 0; v < N_VARIANTS; v++) {
        double acc[MAX_SEEDS], sd;
        for (int k = 0; k < o->seeds; k++) {
            nn_status st = student(r, &VARIANTS[v], o->batch, o->seed + (uint64_t)k, train, test, &acc[k], err);
            if (st) return st;
        }
        mean_sd(acc, o->seeds, &mean[v], &sd);
        printf("  ");
        print_padded(VARIANTS[v].name, 16);
        printf(" %6.2f ± %.2f %%", 100 * mean[v], 100 * sd);
        if (v == 0) printf("      —\n");
        else if (!(teacher_acc > mean[0])) printf("      — (the teacher is not better)\n");
        else printf("   %+7.1f %%\n", 100 * (mean[v] - mean[0]) / (teacher_acc - mean[0]));
        fflush(stdout);
    }
    return NN_OK;
}

/* ================================================================ options */

static int usage(const char *why) {
    fprintf(stderr, "distill: %s\n"
                    "usage: distill [OUT_DIR] [--epochs N] [--limit N] [--limit-seed S] [--batch B] [--seed S]\n"
                    "               [--seeds N] [--lr LR] [--momentum M] [--lr-schedule NAME] [--warmup N]\n"
                    "               [--lr-min LR] [--dropout P] [--teacher-epochs N] [--regime a|b|both]\n"
                    "               [--from plain|dropout] [--teacher-logits TRAIN.npy TEST.npy]\n", why);
    return 2;
}

/* A number for option argv[i] within [lo, hi]; 0 on a problem (printed). */
static int number(int argc, char **argv, int i, double lo, double hi, double *out) {
    char *end;
    if (i + 1 >= argc) return usage("an option needs a value"), 0;
    errno = 0;
    double v = strtod(argv[i + 1], &end);
    if (errno || end == argv[i + 1] || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "distill: %s %s: not a number in [%g, %g]\n", argv[i], argv[i + 1], lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

static int parse(settings *o, int argc, char **argv) {
    int epochs_given = 0;
    double epochs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double v;
#define NUM(flag, lo, hi, dst)                                                  \
    if (strcmp(a, flag) == 0) {                                                 \
        if (!number(argc, argv, i, lo, hi, &v)) return 0;                       \
        dst;                                                                    \
        i++;                                                                    \
        continue;                                                               \
    }
        NUM("--epochs", 1, 1e5, (epochs = v, epochs_given = 1))
        NUM("--limit", 1, 60000, o->b.limit = (int)v)
        NUM("--limit-seed", 0, 1e18, o->limit_seed = (uint64_t)v)
        NUM("--batch", 1, 256, o->batch = (int)v)
        NUM("--seed", 0, 1e18, o->seed = (uint64_t)v)
        NUM("--seeds", 1, MAX_SEEDS, o->seeds = (int)v)
        NUM("--lr", 1e-9, 10, o->b.opt.lr = v)
        NUM("--momentum", 0, 0.999999, o->b.opt.momentum = v)
        NUM("--warmup", 0, 1e5, o->b.warmup_epochs = (int)v)
        NUM("--lr-min", 0, 10, o->b.lr_min = v)
        NUM("--dropout", 0, 0.99, o->dropout = v)
        NUM("--teacher-epochs", 1, 1e5, o->teacher_epochs = (int)v)
#undef NUM
        if (strcmp(a, "--lr-schedule") == 0 && i + 1 < argc) {
            int k = nn_lr_schedule_parse(argv[++i]);
            if (k < 0) return usage("--lr-schedule: constant, step, cosine or onecycle"), 0;
            o->b.sched_kind = (nn_lr_schedule_kind)k;
        } else if (strcmp(a, "--regime") == 0 && i + 1 < argc) {
            i++;
            o->regimes = !strcmp(argv[i], "a") ? 1 : !strcmp(argv[i], "b") ? 2 : !strcmp(argv[i], "both") ? 3 : 0;
            if (!o->regimes) return usage("--regime: a, b or both"), 0;
        } else if (strcmp(a, "--from") == 0 && i + 1 < argc) {
            o->from = argv[++i];
            if (strcmp(o->from, "plain") && strcmp(o->from, "dropout")) return usage("--from: plain or dropout"), 0;
        } else if (strcmp(a, "--teacher-logits") == 0 && i + 2 < argc) {
            o->ext_train = argv[++i];
            o->ext_test = argv[++i];
        } else if (a[0] != '-' && i == 1) {
            o->out_dir = a;
        } else {
            fprintf(stderr, "distill: unknown option or missing value: %s\n", a);
            return usage("see above"), 0;
        }
    }
    if (epochs_given) o->a.epochs = o->b.epochs = (int)epochs;
    if (o->b.sched_kind == NN_LR_COSINE && o->b.warmup_epochs >= o->b.epochs)
        return usage("--warmup: must be shorter than --epochs"), 0;
    return 1;
}

/* ================================================================== main */

int main(int argc, char **argv) {
    settings o = {
        .out_dir = ".", .from = "plain", .seeds = 5, .teacher_epochs = 6, .batch = 64, .regimes = 3,
        .seed = 3, .limit_seed = 1, .dropout = 0.2,
        .a = {.title = "(a) capacity-limited: a small student on all the data", .hidden = 32, .epochs = 5,
              .opt = {.kind = NN_OPT_ADAM, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}},
        .b = {.title = "(b) data-limited: a larger student on a few thousand images", .hidden = 300,
              .limit = 5000, .epochs = 50, .opt = {.kind = NN_OPT_SGD, .lr = 0.05, .momentum = 0.9},
              .schedule = 1, .sched_kind = NN_LR_COSINE, .lr_min = 0, .warmup_epochs = 2},
    };
    if (!parse(&o, argc, argv)) return 2;
    if (mkdir(o.out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "distill: %s: cannot create the output folder: %s\n", o.out_dir, strerror(errno));
        return 1;
    }
    nn_error err;
    nn_dataset train = {0}, test = {0}, small = {0};
    nn_real *t_train = NULL, *t_test = NULL, *d_train = NULL, *d_test = NULL;
    double acc_plain = NAN, acc_drop = NAN, teacher_acc;
    char path[1024];
    if (nn_load_idx(&train, FMNIST "/train-images-idx3-ubyte.gz", FMNIST "/train-labels-idx1-ubyte.gz", &err) ||
        nn_load_idx(&test, FMNIST "/t10k-images-idx3-ubyte.gz", FMNIST "/t10k-labels-idx1-ubyte.gz", &err))
        goto fail;
    printf("Fashion-MNIST: %d training, %d test images\n", train.n, test.n);
    fflush(stdout);

    /* 1. The teachers' logits: our two teachers, or one from files. */
    if (o.ext_train) {
        if (load_logits(o.ext_train, train.n, &t_train, &err) || load_logits(o.ext_test, test.n, &t_test, &err))
            goto fail;
        teacher_acc = nn_accuracy(t_test, test.labels, test.n, K);
        printf("\nteacher: %s, test accuracy %.2f%%\n", o.ext_train, 100 * teacher_acc);
    } else {
        size_t a = (size_t)train.n * K * sizeof(nn_real), b = (size_t)test.n * K * sizeof(nn_real);
        if (!(t_train = malloc(a)) || !(t_test = malloc(b)) || !(d_train = malloc(a)) || !(d_test = malloc(b))) {
            nn_set_error(&err, NN_ERR_NOMEM, "out of memory");
            goto fail;
        }
        printf("\nteachers 784-%d-%d-10 on all %d images, SGD momentum 0.9, lr 0.05 cosine, %d epochs\n",
               TEACHER_HIDDEN, TEACHER_HIDDEN, train.n, o.teacher_epochs);
        printf(" plain:\n");
        fflush(stdout);
        if (teacher(&o, 0, &train, &test, t_train, t_test, &acc_plain, &err) ||
            through_file(o.out_dir, "teacher_logits_train.npy", &t_train, train.n, &err) ||
            through_file(o.out_dir, "teacher_logits_test.npy", &t_test, test.n, &err))
            goto fail;
        printf(" dropout %g after each hidden layer:\n", o.dropout);
        fflush(stdout);
        if (teacher(&o, o.dropout, &train, &test, d_train, d_test, &acc_drop, &err) ||
            through_file(o.out_dir, "teacher_dropout_logits_train.npy", &d_train, train.n, &err) ||
            through_file(o.out_dir, "teacher_dropout_logits_test.npy", &d_test, test.n, &err))
            goto fail;
        printf("\n  teacher                          test accuracy\n");
        printf("  784-%d-%d-10                  %6.2f%%\n", TEACHER_HIDDEN, TEACHER_HIDDEN, 100 * acc_plain);
        printf("  784-%d-%d-10, dropout %-4g     %6.2f%%\n", TEACHER_HIDDEN, TEACHER_HIDDEN, o.dropout,
               100 * acc_drop);
        printf("  the students distil from the %s teacher (chosen beforehand, not by test accuracy)\n", o.from);
        if (!strcmp(o.from, "dropout")) {
            nn_real *x = t_train;
            t_train = d_train, d_train = x;
            x = t_test, t_test = d_test, d_test = x;
        }
        teacher_acc = !strcmp(o.from, "dropout") ? acc_drop : acc_plain;
    }
    fflush(stdout);
    train.targets = t_train, train.target_width = K, t_train = NULL;
    test.targets = t_test, test.target_width = K, t_test = NULL;

    /* 2. The two regimes. */
    double mean[2][N_VARIANTS];
    for (int r = 0; r < 2; r++) for (int v = 0; v < N_VARIANTS; v++) mean[r][v] = NAN;
    if ((o.regimes & 1) && run_regime(&o, &o.a, &train, &test, teacher_acc, mean[0], &err)) goto fail;
    if (o.regimes & 2) {
        if (nn_dataset_limit(&train, o.b.limit, o.limit_seed, &small, &err) ||
            run_regime(&o, &o.b, &small, &test, teacher_acc, mean[1], &err))
            goto fail;
    }

    /* 3. Plots: accuracy and gap closed against T (x = 1 + log2 T). */
    double acc[4][4], gap[4][4]; /* (a T², a no T², b T², b no T²) × T = 1, 2, 4, 8 */
    for (int r = 0; r < 2; r++)
        for (int j = 0; j < 4; j++) {
            int with = 1 + j, without = j == 0 ? 1 : 4 + j; /* T = 1: the same run */
            acc[2 * r][j] = 100 * mean[r][with];
            acc[2 * r + 1][j] = 100 * mean[r][without];
            gap[2 * r][j] = 100 * (mean[r][with] - mean[r][0]) / (teacher_acc - mean[r][0]);
            gap[2 * r + 1][j] = 100 * (mean[r][without] - mean[r][0]) / (teacher_acc - mean[r][0]);
        }
    const char *names[4] = {"(a) capacity-limited, T²", "(a) capacity-limited, no T²",
                            "(b) data-limited, T²", "(b) data-limited, no T²"};
    nn_series sa[4], sg[4];
    for (int i = 0; i < 4; i++) {
        sa[i] = (nn_series){names[i], acc[i], 4};
        sg[i] = (nn_series){names[i], gap[i], 4};
    }
    snprintf(path, sizeof path, "%s/distill_accuracy.svg", o.out_dir);
    if (nn_plot_lines_svg(path, "Students' test accuracy against T (mean over seeds)", "1 + log2 T (T = 1, 2, 4, 8)",
                          "test accuracy (%)", sa, 4, &err))
        goto fail;
    printf("\nplots: %s\n", path);
    snprintf(path, sizeof path, "%s/distill_gap_closed.svg", o.out_dir);
    if (nn_plot_lines_svg(path, "Fraction of the teacher–student gap closed by KD", "1 + log2 T (T = 1, 2, 4, 8)",
                          "gap closed (%)", sg, 4, &err))
        goto fail;
    printf("       %s\n", path);

    free(d_train), free(d_test);
    nn_dataset_free(&train), nn_dataset_free(&test), nn_dataset_free(&small);
    return 0;
fail:
    fprintf(stderr, "distill: %s\n", err.msg);
    free(t_train), free(t_test), free(d_train), free(d_test);
    nn_dataset_free(&train), nn_dataset_free(&test), nn_dataset_free(&small);
    return 1;
}
