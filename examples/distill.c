/* distill.c — knowledge distillation on Fashion-MNIST, compared.
 *
 * A wide teacher (784-1200-1200-10) is trained on the labels and saved. Its
 * logits t on every training and test image are written as .npy files, and
 * the students below read the teacher only through those files — so a
 * teacher trained in another framework can be used the same way (see
 * --teacher-logits).
 *
 * A small student (784-32-10, logits s) is then trained three ways:
 *   hard labels   CE(y, softmax(s))
 *   distillation  α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(y, softmax(s))
 *                 at T = 1, 2, 4, 8 with α = 0.9 (Hinton et al., 2015)
 *   without T²    the same with α·KL instead of α·T²·KL, at T = 2, 4, 8
 *                 (at T = 1 the two are the same)
 * The soft term's gradient with respect to s is (softmax(s/T) − softmax(t/T))/T,
 * and the difference of the softened distributions itself shrinks like 1/T
 * as T grows: without T² the soft gradient falls like 1/T² and the hard term
 * takes over; T² keeps the two terms' balance at α whatever T is. (Adam
 * normalises the overall gradient scale, so here only that balance matters.)
 *
 * Every student starts from the same weights and sees the same batches. The
 * table gives its test accuracy, how often its argmax agrees with the
 * teacher's, and KL(teacher ‖ student) at T = 1 on the test set; the curves
 * go to SVG files.
 *
 * Usage: distill [OUT_DIR] [--seed N] [--teacher-logits TRAIN.npy [TEST.npy]]
 *   --seed N sets the initial weights and the batch order (default 3).
 *   Without --teacher-logits, trains the teacher and writes
 *   OUT_DIR/distill_teacher.safetensors, OUT_DIR/teacher_logits_{train,test}.npy.
 *   With it, TRAIN.npy must be (60000, 10) float32 logits in the order of the
 *   Fashion-MNIST training file (numpy: np.save(path, logits.astype('<f4')));
 *   TEST.npy (10000, 10) is optional and enables agreement and KL.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nn/nn.h"

#define FMNIST "/usr/share/datasets/fashion-mnist"

#define TEACHER_ARCH "784-1200-1200-10"
enum { K = 10, STUDENT_HIDDEN = 32 };
enum { TEACHER_EPOCHS = 10, STUDENT_EPOCHS = 10, BATCH = 64 };
static const double TEACHER_LR = 0.05, STUDENT_LR = 1e-3, ALPHA = 0.9;
static const uint64_t DEFAULT_SEED = 3; /* --seed N changes it */
static const double PI = 3.14159265358979323846;

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

/* Prints s left-aligned in `width` columns, counting characters, not bytes
 * ("T²" is three bytes of UTF-8). */
static void print_padded(const char *s, int width) {
    int chars = 0;
    for (const char *c = s; *c; c++) chars += ((unsigned char)*c & 0xC0) != 0x80;
    printf("%s%*s", s, width > chars ? width - chars : 0, "");
}

/* Runs the graph over all of d in inference mode and copies node `out`
 * (width K) of every row into dst (d->n, K). */
static void predict(nn_graph *g, int x, int out, const nn_dataset *d, nn_real *dst) {
    int B = nn_graph_max_batch(g), idx[BATCH];
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

/* ============================================================== teacher */

/* Trains the teacher, saves it, and fills its logits on both sets. The
 * teacher is an nn_model (an architecture string and a loss name), so the
 * file it is saved to can be loaded by `nn eval` / `nn predict` as well. */
static nn_status teacher(const nn_dataset *train, const nn_dataset *test, const char *out_dir,
                         uint64_t seed, nn_real *train_logits, nn_real *test_logits,
                         nn_error *err) {
    nn_arch a = nn_arch_defaults(); /* relu, cross-entropy */
    nn_model m = {0};
    nn_optimizer *opt = NULL;
    double train_acc[TEACHER_EPOCHS], test_acc[TEACHER_EPOCHS]; /* the curves */
    char path[1024];
    nn_status st = nn_arch_parse_sizes(&a, TEACHER_ARCH, err);
    if (!st) st = nn_model_build(&m, &a, train, BATCH, 1, seed, err);
    if (!st && !(opt = nn_optimizer_create(m.g, &(nn_optimizer_options){
                     .kind = NN_OPT_SGD, .lr = TEACHER_LR, .momentum = 0.9}, err)))
        st = err->code;
    if (!st) {
        printf("teacher %s (%zu parameters), SGD momentum 0.9, lr %g with cosine decay, "
               "%d epochs\n", TEACHER_ARCH, nn_graph_n_params(m.g), TEACHER_LR, TEACHER_EPOCHS);
        nn_train_nodes nodes = {.x = m.x, .labels = m.labels, .probs = m.probs};
        nn_trainer *t = nn_trainer_create(m.g, opt, &nodes, train,
                                          &(nn_trainer_options){.batch = BATCH, .seed = seed}, err);
        if (!t) st = err->code;
        for (int e = 1; !st && e <= TEACHER_EPOCHS; e++) {
            nn_epoch_stats s;
            nn_eval_stats v;
            if ((st = nn_trainer_epoch(t, &s, err)) || (st = nn_trainer_evaluate(t, test, &v, err)))
                break;
            printf("epoch %3d  loss %.4f  train acc %.4f  test acc %.4f  (%.2f s)\n", e, s.loss,
                   s.train_acc, v.accuracy, s.seconds);
            fflush(stdout);
            train_acc[e - 1] = s.train_acc;
            test_acc[e - 1] = v.accuracy;
            /* cosine decay: lr(e) = lr0 · ½ (1 + cos(π e / E)) */
            nn_optimizer_set_lr(opt, TEACHER_LR * 0.5 * (1 + cos(PI * e / TEACHER_EPOCHS)));
        }
        nn_trainer_free(t);
    }
    if (!st) {
        snprintf(path, sizeof path, "%s/distill_teacher.safetensors", out_dir);
        st = nn_model_save(&m, path, err);
        if (!st) printf("teacher saved to %s\n", path);
    }
    if (!st) {
        predict(m.g, m.x, m.logits, train, train_logits);
        predict(m.g, m.x, m.logits, test, test_logits);
        nn_series s[2] = {{"train accuracy", train_acc, TEACHER_EPOCHS},
                          {"test accuracy", test_acc, TEACHER_EPOCHS}};
        snprintf(path, sizeof path, "%s/distill_teacher.svg", out_dir);
        st = nn_plot_lines_svg(path, "Teacher " TEACHER_ARCH " on Fashion-MNIST", "epoch",
                               "accuracy", s, 2, err);
    }
    nn_optimizer_free(opt);
    nn_model_free(&m);
    return st;
}

/* Writes the teacher's logits as .npy and reads them back: from here on the
 * students know the teacher only through these files. */
static nn_status logits_through_files(const char *out_dir, nn_real **train_logits,
                                      nn_real **test_logits, int n_train, int n_test,
                                      nn_error *err) {
    char path[2][1024];
    snprintf(path[0], sizeof path[0], "%s/teacher_logits_train.npy", out_dir);
    snprintf(path[1], sizeof path[1], "%s/teacher_logits_test.npy", out_dir);
    nn_real **buf[2] = {train_logits, test_logits};
    const int n[2] = {n_train, n_test};
    for (int i = 0; i < 2; i++) {
        nn_status st = nn_save_npy(path[i], *buf[i], n[i], K, err);
        if (st) return st;
        free(*buf[i]);
        *buf[i] = NULL;
        int rows, cols;
        if ((st = nn_load_npy(path[i], buf[i], &rows, &cols, err))) return st;
        printf("teacher logits: %s (%d × %d float32)\n", path[i], rows, cols);
    }
    return NN_OK;
}

/* Reads an external teacher's logits for a set of n rows. */
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
    printf("teacher logits: %s (%d × %d)\n", path, rows, cols);
    return NN_OK;
}

/* ============================================================== students */

typedef struct {
    double acc, agree, kl;           /* on the test set, after training */
    double acc_curve[STUDENT_EPOCHS], kl_curve[STUDENT_EPOCHS];
} student_result;

/* The student graph for variant v:
 *   x → dense 32 → relu → dense 10 = s → (losses of v)
 * with an input node t for the teacher's logits, which the trainer fills batch by
 * batch from the dataset's per-sample targets. */
static nn_graph *student_graph(const variant *v, uint64_t seed, nn_train_nodes *nodes,
                               int *logits, nn_error *err) {
    nn_graph *g = nn_graph_create(BATCH);
    int x = nn_input(g, 784), y = nn_labels(g, K);
    int t = nn_input(g, K); /* (B, 10) teacher logits */
    int h = nn_relu(g, nn_dense(g, x, STUDENT_HIDDEN, NN_INIT_HE));
    int s = nn_dense(g, h, K, NN_INIT_XAVIER); /* (B, 10) student logits */
    int p = nn_softmax(g, s, 1.0);            /* its predictions */
    nn_loss_options lo = nn_loss_defaults();
    if (!v->distill) {
        nn_cross_entropy(g, p, y, &lo);
    } else if (v->t2) {
        nn_distill_options d = {.alpha = ALPHA, .temperature = v->T};
        nn_distill_nodes dn;
        nn_distillation(g, s, t, y, &d, &lo, &dn);
    } else {
        /* The same two terms built by hand, with the soft term weighted α
         * instead of α·T². */
        nn_kl_options ko = nn_kl_defaults();
        ko.target_temperature = v->T; /* t holds logits; the target is softmax(t/T) */
        nn_loss_options soft = lo, hard = lo;
        soft.coef = ALPHA;
        hard.coef = 1 - ALPHA;
        nn_kl_div(g, nn_softmax(g, s, v->T), t, &ko, &soft);
        nn_cross_entropy(g, p, y, &hard);
    }
    *nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p, .targets = t};
    *logits = s;
    if (nn_graph_compile(g, seed, err)) { /* same seed: same initial weights */
        nn_graph_free(g);
        return NULL;
    }
    return g;
}

static nn_status student(const variant *v, uint64_t seed, const nn_dataset *train,
                         const nn_dataset *test, student_result *r, nn_error *err) {
    nn_train_nodes nodes;
    int logits;
    nn_graph *g = student_graph(v, seed, &nodes, &logits, err);
    if (!g) return err->code;
    nn_optimizer_options adam = nn_optimizer_defaults(NN_OPT_ADAM, STUDENT_LR);
    nn_optimizer *opt = nn_optimizer_create(g, &adam, err);
    nn_real *s_test = malloc((size_t)test->n * K * sizeof *s_test); /* (n_test, K) */
    nn_trainer *t = NULL;
    nn_status st = !opt ? err->code
                 : !s_test ? nn_set_error(err, NN_ERR_NOMEM, "out of memory") : NN_OK;
    if (!st && !(t = nn_trainer_create(g, opt, &nodes, train,
                                       &(nn_trainer_options){.batch = BATCH, .seed = seed}, err)))
        st = err->code;
    for (int e = 1; !st && e <= STUDENT_EPOCHS; e++) {
        nn_eval_stats ev;
        if ((st = nn_trainer_epoch(t, NULL, err)) || (st = nn_trainer_evaluate(t, test, &ev, err)))
            break;
        /* After each epoch: the student's test logits against the teacher's. */
        predict(g, nodes.x, logits, test, s_test);
        r->acc_curve[e - 1] = ev.accuracy;
        r->kl_curve[e - 1] =
            test->targets ? nn_mean_kl_logits(test->targets, s_test, test->n, K, 1.0) : NAN;
    }
    if (!st) {
        r->acc = r->acc_curve[STUDENT_EPOCHS - 1];
        r->kl = r->kl_curve[STUDENT_EPOCHS - 1];
        r->agree = test->targets ? nn_top1_agreement(s_test, test->targets, test->n, K) : NAN;
    }
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    free(s_test);
    return st;
}

static int usage(void) {
    fprintf(stderr, "usage: distill [OUT_DIR] [--seed N] [--teacher-logits TRAIN.npy [TEST.npy]]\n");
    return 2;
}

/* Creates the output folder if it is missing, before any work is done. */
static int make_out_dir(const char *dir) {
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "%s: cannot create the output folder: %s\n", dir, strerror(errno));
    return 1;
}

/* ================================================================== main */

int main(int argc, char **argv) {
    const char *out_dir = ".", *ext_train = NULL, *ext_test = NULL;
    uint64_t seed = DEFAULT_SEED;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--teacher-logits") == 0 && i + 1 < argc) {
            ext_train = argv[++i];
            if (i + 1 < argc && argv[i + 1][0] != '-') ext_test = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], &end, 10);
            if (!*argv[i] || *end) return usage();
        } else if (argv[i][0] != '-' && i == 1) {
            out_dir = argv[i];
        } else {
            return usage();
        }
    }
    if (make_out_dir(out_dir)) return 1;
    nn_error err;
    nn_dataset train = {0}, test = {0};
    nn_real *t_train = NULL, *t_test = NULL;
    if (nn_load_idx(&train, FMNIST "/train-images-idx3-ubyte.gz",
                    FMNIST "/train-labels-idx1-ubyte.gz", &err) ||
        nn_load_idx(&test, FMNIST "/t10k-images-idx3-ubyte.gz", FMNIST "/t10k-labels-idx1-ubyte.gz",
                    &err))
        goto fail;
    printf("Fashion-MNIST: %d training, %d test images\n\n", train.n, test.n);

    /* 1. The teacher's logits: from our own teacher, or from files. */
    if (ext_train) {
        if (load_logits(ext_train, train.n, &t_train, &err) ||
            (ext_test && load_logits(ext_test, test.n, &t_test, &err)))
            goto fail;
    } else {
        t_train = malloc((size_t)train.n * K * sizeof *t_train);
        t_test = malloc((size_t)test.n * K * sizeof *t_test);
        if (!t_train || !t_test) {
            nn_set_error(&err, NN_ERR_NOMEM, "out of memory");
            goto fail;
        }
        if (teacher(&train, &test, out_dir, seed, t_train, t_test, &err) ||
            logits_through_files(out_dir, &t_train, &t_test, train.n, test.n, &err))
            goto fail;
    }
    printf("teacher: train accuracy %.2f%%", 100 * nn_accuracy(t_train, train.labels, train.n, K));
    if (t_test) printf(", test accuracy %.2f%%", 100 * nn_accuracy(t_test, test.labels, test.n, K));
    printf("\n\n");
    /* The logits become per-sample targets of the data sets (which now own
     * them): the trainer feeds row i's logits together with image i. */
    train.targets = t_train, train.target_width = K, t_train = NULL;
    test.targets = t_test, test.target_width = t_test ? K : 0, t_test = NULL;

    /* 2. The students. */
    printf("students 784-%d-10, Adam lr %g, batch %d, %d epochs, α = %g, the same initial "
           "weights and batches for all\n", STUDENT_HIDDEN, STUDENT_LR, BATCH, STUDENT_EPOCHS, ALPHA);
    student_result r[N_VARIANTS];
    for (int v = 0; v < N_VARIANTS; v++) {
        if (student(&VARIANTS[v], seed, &train, &test, &r[v], &err)) goto fail;
        printf("  ");
        print_padded(VARIANTS[v].name, 16);
        printf(" test accuracy %.2f%%\n", 100 * r[v].acc);
    }

    printf("\n  student           test acc  agrees with teacher  KL(teacher‖student)\n");
    for (int v = 0; v < N_VARIANTS; v++) {
        printf("  ");
        print_padded(VARIANTS[v].name, 16);
        printf(" %8.2f%%", 100 * r[v].acc);
        if (test.targets) printf(" %19.2f%% %20.4f\n", 100 * r[v].agree, r[v].kl);
        else printf(" %20s %20s\n", "—", "—");
    }

    /* 3. Curves. */
    nn_series acc[N_VARIANTS], kl[N_VARIANTS];
    for (int v = 0; v < N_VARIANTS; v++) {
        acc[v] = (nn_series){VARIANTS[v].name, r[v].acc_curve, STUDENT_EPOCHS};
        kl[v] = (nn_series){VARIANTS[v].name, r[v].kl_curve, STUDENT_EPOCHS};
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/distill_students_accuracy.svg", out_dir);
    if (nn_plot_lines_svg(path, "Students 784-32-10: test accuracy", "epoch", "test accuracy",
                          acc, N_VARIANTS, &err))
        goto fail;
    printf("\ncurves: %s\n", path);
    if (test.targets) {
        snprintf(path, sizeof path, "%s/distill_students_kl.svg", out_dir);
        if (nn_plot_lines_svg(path, "Students: KL(teacher ‖ student) on the test set, T = 1",
                              "epoch", "mean KL (nats)", kl, N_VARIANTS, &err))
            goto fail;
        printf("        %s\n", path);
    }

    free(t_train), free(t_test);
    nn_dataset_free(&train), nn_dataset_free(&test);
    return 0;
fail:
    fprintf(stderr, "distill: %s\n", err.msg);
    free(t_train), free(t_test);
    nn_dataset_free(&train), nn_dataset_free(&test);
    return 1;
}
