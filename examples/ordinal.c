/* ordinal.c — four ways to train an ordinal classifier, compared.
 *
 * An ordinal classifier predicts one of K ordered categories with values
 * v_0 < … < v_{K−1} (ratings 1–5, a count 0–9). Its softmax p gives more than
 * a class: the expected value μ = Σ v_i p_i is a prediction in value units and
 * the spread σ = √(Σ p_i (v_i − μ)²) says how sure the network is. The same
 * network, x → dense 64 → relu → dense K → softmax, is trained with
 *
 *   (a) cross-entropy         −log p_y: ignores the order of the classes
 *   (b) E[X] squared          ½(μ − v_y)²: only the mean counts
 *   (c) mean-variance         CE + 0.2·½(μ − v_y)² + 0.05·σ² (Pan et al. 2018)
 *   (d) SORD soft targets     CE against softmax_i(−(v_i − v_y)²), so that
 *                             near misses cost less than far ones
 *
 * on two data sets:
 *   fair  Fair's 1978 survey (python3-statsmodels ships it as CSV): rate your
 *         marriage 1–5 from 8 answers (age, years married, children, …);
 *   dots  28×28 images with 0–9 dots, label = the count, which this program
 *         draws itself as PNG files and reads back as an image folder.
 *
 * For each it prints a table of held-out metrics — MAE of μ and of the argmax,
 * off-by-one accuracy, quadratic weighted kappa, the mean predicted σ — and
 * μ ± σ for a few test samples, and writes the training-loss and test-MAE
 * curves as SVG.
 *
 * Usage: ordinal [OUT_DIR] [FAIR_CSV]
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image_write.h>

#include "nn/nn.h"

#define FAIR_CSV "/usr/lib/python3/dist-packages/statsmodels/datasets/fair/fair.csv"

enum { HIDDEN = 64, BATCH = 32, EPOCHS = 30, N_SHOW = 6 };
enum { DOTS_SIZE = 28, DOTS_PER_COUNT = 300, DOTS_MAX = 9 };
static const double LR = 1e-3;
static const uint64_t SEED = 7;

typedef enum { LOSS_CE, LOSS_EV, LOSS_MV, LOSS_SORD, N_LOSSES } loss_kind;
static const char *const LOSS_NAME[N_LOSSES] = {"cross-entropy", "E[X] squared",
                                                "mean-variance", "SORD soft targets"};

/* A data set split into train and test, with its category values (K). */
typedef struct {
    const char *name;
    nn_dataset train, test;
    int K;
    const double *values; /* (K) = train.values */
} task;

/* What one training run leaves behind. */
typedef struct {
    double mae_mu, mae_argmax, off_by_one, qwk_argmax, qwk_mu, mean_sd;
    double train_loss[EPOCHS], test_mae[EPOCHS];
    double mu[N_SHOW], sd[N_SHOW];
    int argmax[N_SHOW];
} result;

/* ================================================================ model */

typedef struct {
    nn_graph *g;
    int x, y;   /* input (B, F) and labels (B) */
    int soft;   /* SORD targets (B, K), fed from the dataset's targets, or -1 */
    int p;      /* softmax (B, K) */
    int mu, sd; /* heads (B, 1): E[X] and its spread */
} model;

static nn_status model_build(model *m, const task *t, loss_kind kind, nn_error *err) {
    nn_graph *g = m->g = nn_graph_create(BATCH);
    m->x = nn_input(g, t->train.n_features);
    m->y = nn_labels(g, t->K);
    m->soft = kind == LOSS_SORD ? nn_input(g, t->K) : -1;
    int h = nn_relu(g, nn_dense(g, m->x, HIDDEN, NN_INIT_HE));
    m->p = nn_softmax(g, nn_dense(g, h, t->K, NN_INIT_XAVIER), 1.0);
    m->mu = nn_expectation(g, m->p, t->values); /* read-outs; no loss on them */
    m->sd = nn_stddev(g, m->p, t->values);

    nn_loss_options lo = nn_loss_defaults(); /* mean over the batch */
    switch (kind) {
    case LOSS_CE:
        nn_cross_entropy(g, m->p, m->y, &lo);
        break;
    case LOSS_EV:
        nn_ev_squared(g, m->p, m->y, t->values, &lo);
        break;
    case LOSS_MV: {
        nn_mean_variance_options mo = nn_mean_variance_defaults(); /* λ1 0.2, λ2 0.05 */
        mo.values = t->values;
        nn_mean_variance_nodes mv;
        nn_mean_variance(g, m->p, m->y, &mo, &lo, &mv);
        break;
    }
    case LOSS_SORD:
        nn_cross_entropy_ex(g, m->p, m->soft, NULL, &lo); /* against the soft target rows */
        break;
    default:
        break;
    }
    return nn_graph_compile(g, SEED, err); /* same seed: same initial weights */
}

/* SORD targets as per-sample dataset targets (n, K), which the trainer feeds
 * into the soft input batch by batch: row b is softmax_i(−(v_i − v_y)²), a
 * peak at the true value with mass spilling onto its neighbours. */
static nn_status attach_sord_targets(nn_dataset *d, const double *values, nn_error *err) {
    double *y = malloc((size_t)d->n * sizeof *y);
    d->targets = malloc((size_t)d->n * d->n_classes * sizeof *d->targets);
    if (!y || !d->targets) {
        free(y);
        return nn_set_error(err, NN_ERR_NOMEM, "out of memory for the SORD targets");
    }
    d->target_width = d->n_classes;
    for (int i = 0; i < d->n; i++) y[i] = values[d->labels[i]];
    nn_status st = nn_sord_targets(d->targets, y, d->n, d->n_classes, values, NN_SORD_SQUARED,
                                   1.0, err);
    free(y);
    return st;
}

static void detach_targets(nn_dataset *d) {
    free(d->targets);
    d->targets = NULL;
    d->target_width = 0;
}

/* Forward over all of d in inference mode; fills probs (n, K), mu (n), sd (n). */
static void model_predict(model *m, const nn_dataset *d, nn_real *probs, double *mu, double *sd) {
    int idx[BATCH], K = d->n_classes;
    nn_graph_set_training(m->g, 0);
    for (int start = 0; start < d->n; start += BATCH) {
        int B = d->n - start < BATCH ? d->n - start : BATCH;
        for (int b = 0; b < B; b++) idx[b] = start + b;
        nn_dataset_gather(d, idx, B, nn_input_data(m->g, m->x), nn_label_data(m->g, m->y));
        if (m->soft >= 0) nn_dataset_gather_targets(d, idx, B, nn_input_data(m->g, m->soft));
        nn_graph_forward(m->g, B);
        memcpy(probs + (size_t)start * K, nn_output(m->g, m->p), (size_t)B * K * sizeof *probs);
        for (int b = 0; b < B; b++) {
            mu[start + b] = nn_output(m->g, m->mu)[b];
            sd[start + b] = nn_output(m->g, m->sd)[b];
        }
    }
    nn_graph_set_training(m->g, 1);
}

/* =============================================================== metrics */

/* Position of the category value nearest to x (rounding μ to a class). */
static int nearest_class(double x, const double *values, int K) {
    int best = 0;
    for (int k = 1; k < K; k++)
        if (fabs(values[k] - x) < fabs(values[best] - x)) best = k;
    return best;
}

static void fill_metrics(result *r, const task *t, const nn_real *probs, const double *mu,
                         const double *sd, int32_t *pred) {
    const nn_dataset *d = &t->test;
    r->mae_mu = nn_mae_expected(probs, d->labels, d->n, t->K, t->values);
    r->mae_argmax = nn_mae_argmax(probs, d->labels, d->n, t->K, t->values);
    r->off_by_one = nn_off_by_one_accuracy(probs, d->labels, d->n, t->K);
    nn_argmax_rows(pred, probs, d->n, t->K);
    r->qwk_argmax = nn_quadratic_weighted_kappa(pred, d->labels, d->n, t->K);
    for (int i = 0; i < d->n; i++) pred[i] = nearest_class(mu[i], t->values, t->K);
    r->qwk_mu = nn_quadratic_weighted_kappa(pred, d->labels, d->n, t->K);
    r->mean_sd = 0;
    for (int i = 0; i < d->n; i++) r->mean_sd += sd[i] / d->n;
    for (int i = 0; i < N_SHOW && i < d->n; i++) {
        r->mu[i] = mu[i];
        r->sd[i] = sd[i];
        r->argmax[i] = nn_argmax(probs + (size_t)i * t->K, t->K);
    }
}

/* ============================================================== training */

/* Trains one model for EPOCHS epochs; after each, the training loss and
 * the test MAE of E[X] go into r's curves. */
static nn_status train_one(task *t, loss_kind kind, result *r, nn_error *err) {
    model m = {0};
    nn_optimizer *opt = NULL;
    nn_trainer *tr = NULL;
    int n_test = t->test.n;
    nn_real *probs = malloc((size_t)n_test * t->K * sizeof *probs); /* (n_test, K) */
    double *mu = malloc((size_t)n_test * sizeof *mu);               /* (n_test) */
    double *sd = malloc((size_t)n_test * sizeof *sd);               /* (n_test) */
    int32_t *pred = malloc((size_t)n_test * sizeof *pred);          /* (n_test) */
    nn_status st = !probs || !mu || !sd || !pred
                       ? nn_set_error(err, NN_ERR_NOMEM, "out of memory")
                       : model_build(&m, t, kind, err);
    if (!st && kind == LOSS_SORD && !(st = attach_sord_targets(&t->train, t->values, err)))
        st = attach_sord_targets(&t->test, t->values, err);
    nn_optimizer_options adam = nn_optimizer_defaults(NN_OPT_ADAM, LR);
    if (!st && !(opt = nn_optimizer_create(m.g, &adam, err)))
        st = err->code;
    nn_train_nodes nodes = {.x = m.x, .labels = m.y, .probs = m.p, .targets = m.soft};
    nn_trainer_options to = {.batch = BATCH, .seed = SEED}; /* every model: the same batches */
    if (!st && !(tr = nn_trainer_create(m.g, opt, &nodes, &t->train, &to, err)))
        st = err->code;
    for (int e = 0; !st && e < EPOCHS; e++) {
        nn_epoch_stats s;
        if ((st = nn_trainer_epoch(tr, &s, err))) break;
        model_predict(&m, &t->test, probs, mu, sd);
        r->train_loss[e] = s.loss;
        r->test_mae[e] = nn_mae_expected(probs, t->test.labels, n_test, t->K, t->values);
    }
    nn_trainer_free(tr);
    if (!st) fill_metrics(r, t, probs, mu, sd, pred); /* after the last epoch */

    detach_targets(&t->train);
    detach_targets(&t->test);
    nn_optimizer_free(opt);
    nn_graph_free(m.g);
    free(probs), free(mu), free(sd), free(pred);
    return st;
}

/* ============================================================== reporting */

/* The reference every model should beat: always predict the training median. */
static void baseline(const task *t) {
    int *count = calloc((size_t)t->K, sizeof *count);
    nn_real *probs = calloc((size_t)t->test.n * t->K, sizeof *probs);
    if (!count || !probs) {
        free(count), free(probs);
        return;
    }
    for (int i = 0; i < t->train.n; i++) count[t->train.labels[i]]++;
    int median = 0;
    for (int seen = count[0]; seen * 2 < t->train.n;) seen += count[++median];
    for (int i = 0; i < t->test.n; i++) probs[(size_t)i * t->K + median] = 1;
    printf("  %-20s %7.3f %7.3f %8.1f%%       —       — %7.3f\n", "(always the median)",
           nn_mae_expected(probs, t->test.labels, t->test.n, t->K, t->values),
           nn_mae_argmax(probs, t->test.labels, t->test.n, t->K, t->values),
           100 * nn_off_by_one_accuracy(probs, t->test.labels, t->test.n, t->K), 0.0);
    free(count), free(probs);
}

static nn_status report(const task *t, const result *r, const char *out_dir, nn_error *err) {
    printf("\n  loss                   MAE μ MAE arg  off-by-1 QWK arg   QWK μ  mean σ\n");
    for (int k = 0; k < N_LOSSES; k++)
        printf("  %-20s %7.3f %7.3f %8.1f%% %7.3f %7.3f %7.3f\n", LOSS_NAME[k], r[k].mae_mu,
               r[k].mae_argmax, 100 * r[k].off_by_one, r[k].qwk_argmax, r[k].qwk_mu,
               r[k].mean_sd);
    baseline(t);

    printf("\n  first %d test samples, μ ± σ (argmax):\n  %6s", N_SHOW, "true");
    for (int k = 0; k < N_LOSSES; k++) printf("  %18.18s", LOSS_NAME[k]);
    printf("\n");
    for (int i = 0; i < N_SHOW && i < t->test.n; i++) {
        printf("  %6g", t->values[t->test.labels[i]]);
        for (int k = 0; k < N_LOSSES; k++)
            printf("  %6.2f ± %4.2f (%g)", r[k].mu[i], r[k].sd[i], t->values[r[k].argmax[i]]);
        printf("\n");
    }

    nn_series loss[N_LOSSES], mae[N_LOSSES];
    for (int k = 0; k < N_LOSSES; k++) {
        loss[k] = (nn_series){LOSS_NAME[k], r[k].train_loss, EPOCHS};
        mae[k] = (nn_series){LOSS_NAME[k], r[k].test_mae, EPOCHS};
    }
    char path[1024], title[128];
    snprintf(path, sizeof path, "%s/ordinal_%s_loss.svg", out_dir, t->name);
    snprintf(title, sizeof title, "%s: training loss (each on its own scale)", t->name);
    nn_status st = nn_plot_lines_svg(path, title, "epoch", "mean training loss", loss, N_LOSSES, err);
    if (st) return st;
    printf("\n  curves: %s\n", path);
    snprintf(path, sizeof path, "%s/ordinal_%s_mae.svg", out_dir, t->name);
    snprintf(title, sizeof title, "%s: test MAE of E[X]", t->name);
    st = nn_plot_lines_svg(path, title, "epoch", "MAE of E[X] (value units)", mae, N_LOSSES, err);
    if (!st) printf("          %s\n", path);
    return st;
}

static nn_status study(task *t, const char *out_dir, nn_error *err) {
    printf("\n== %s: %d training and %d test samples, %d features, K = %d (values %g … %g)\n",
           t->name, t->train.n, t->test.n, t->train.n_features, t->K, t->values[0],
           t->values[t->K - 1]);
    printf("   network %d-%d-%d, Adam lr %g, batch %d, %d epochs, the same seed for every loss\n",
           t->train.n_features, HIDDEN, t->K, LR, BATCH, EPOCHS);
    result r[N_LOSSES];
    for (int k = 0; k < N_LOSSES; k++) {
        nn_status st = train_one(t, (loss_kind)k, &r[k], err);
        if (st) return st;
    }
    return report(t, r, out_dir, err);
}

/* ================================================================== data */

/* Splits `all` 80/20 (seeded) and standardises both parts with the training
 * part's mean and standard deviation. Frees `all`. */
static nn_status make_task(task *t, const char *name, nn_dataset *all, int standardize,
                           nn_error *err) {
    t->name = name;
    nn_status st = nn_dataset_split(all, 0.2, SEED, &t->train, &t->test, err);
    nn_dataset_free(all);
    if (!st && standardize) {
        st = nn_dataset_fit_standardization(&t->train, err);
        if (!st)
            st = nn_dataset_set_standardization(&t->test, t->train.feature_mean,
                                                t->train.feature_std, err);
    }
    if (!st && !t->train.values)
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: the labels are not numbers, so not ordinal", name);
    t->K = t->train.n_classes;
    t->values = t->train.values;
    return st;
}

/* Draws `count` dots of radius 2 (anti-aliased, random brightness) at random
 * places at least 6 pixels apart on a black 28×28 image. */
static void draw_dots(uint8_t *img /* (28, 28) */, int count, nn_rng *rng) {
    double cx[DOTS_MAX], cy[DOTS_MAX];
    memset(img, 0, DOTS_SIZE * DOTS_SIZE);
    for (int placed = 0; placed < count;) {
        double x = 3 + 21 * nn_rng_uniform(rng), y = 3 + 21 * nn_rng_uniform(rng);
        int clear = 1;
        for (int i = 0; i < placed; i++) clear &= hypot(x - cx[i], y - cy[i]) >= 6;
        if (!clear) continue;
        cx[placed] = x, cy[placed++] = y;
        double bright = 160 + 95 * nn_rng_uniform(rng);
        for (int r = 0; r < DOTS_SIZE; r++)
            for (int c = 0; c < DOTS_SIZE; c++) {
                double cover = 2.5 - hypot(c + 0.5 - x, r + 0.5 - y); /* 1 inside, 0 outside */
                cover = cover < 0 ? 0 : cover > 1 ? 1 : cover;
                double v = img[r * DOTS_SIZE + c] + bright * cover;
                img[r * DOTS_SIZE + c] = (uint8_t)(v > 255 ? 255 : v);
            }
    }
}

/* Writes DIR/<count>/<n>.png for counts 0–9, unless DIR already exists. The
 * images go into a temporary folder that is renamed to DIR when complete, so
 * an interrupted run never leaves a half-made data set behind. */
static nn_status make_dots(const char *dir, nn_error *err) {
    struct stat sb;
    if (stat(dir, &sb) == 0) {
        printf("\n(reusing the dot images in %s)\n", dir);
        return NN_OK;
    }
    char tmp[1100], path[1200]; /* dir is under 1024 bytes */
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", dir);
    if (!mkdtemp(tmp)) goto io_error;
    nn_rng rng;
    nn_rng_seed(&rng, SEED);
    uint8_t img[DOTS_SIZE * DOTS_SIZE];
    for (int count = 0; count <= DOTS_MAX; count++) {
        snprintf(path, sizeof path, "%s/%d", tmp, count);
        if (mkdir(path, 0755) != 0) goto io_error;
        for (int i = 0; i < DOTS_PER_COUNT; i++) {
            draw_dots(img, count, &rng);
            snprintf(path, sizeof path, "%s/%d/%04d.png", tmp, count, i);
            if (!stbi_write_png(path, DOTS_SIZE, DOTS_SIZE, 1, img, DOTS_SIZE)) goto io_error;
        }
    }
    if (rename(tmp, dir) != 0) goto io_error;
    printf("\n(drew %d images of 0–%d dots into %s)\n", (DOTS_MAX + 1) * DOTS_PER_COUNT, DOTS_MAX,
           dir);
    return NN_OK;
io_error:
    return nn_set_error(err, NN_ERR_IO, "%s: cannot write the dot images: %s", dir, strerror(errno));
}

/* Creates the output folder if it is missing, before any work is done. */
static int make_out_dir(const char *dir) {
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "%s: cannot create the output folder: %s\n", dir, strerror(errno));
    return 1;
}

/* ================================================================== main */

int main(int argc, char **argv) {
    const char *out_dir = argc > 1 ? argv[1] : ".";
    const char *fair_csv = argc > 2 ? argv[2] : FAIR_CSV;
    if (argc > 3) {
        fprintf(stderr, "usage: ordinal [OUT_DIR] [FAIR_CSV]\n");
        return 2;
    }
    if (make_out_dir(out_dir)) return 1;
    nn_error err;
    task fair = {0}, dots = {0};
    nn_dataset all;
    char dots_dir[1024];
    snprintf(dots_dir, sizeof dots_dir, "%s/dots", out_dir);
    printf("Ordinal classifiers: (a) %s, (b) %s, (c) %s, (d) %s\n", LOSS_NAME[0], LOSS_NAME[1],
           LOSS_NAME[2], LOSS_NAME[3]);
    printf("MAE in value units (lower is better); off-by-one = |argmax − y| ≤ 1; QWK = quadratic\n"
           "weighted kappa of the argmax and of μ rounded to the nearest class (1 = perfect);\n"
           "σ = predicted standard deviation.\n");

    /* 1. Fair's marriage ratings: label rate_marriage, the 8 other columns as features. */
    nn_csv_options co = {.label = "rate_marriage"};
    if (nn_load_csv(&all, fair_csv, &co, &err) || make_task(&fair, "fair", &all, 1, &err) ||
        study(&fair, out_dir, &err))
        goto fail;

    /* 2. Counting dots: PNG files in DIR/<count>/, read as an image folder. */
    nn_image_options io = {.width = DOTS_SIZE, .height = DOTS_SIZE, .channels = 1};
    if (make_dots(dots_dir, &err) || nn_load_image_folder(&all, dots_dir, &io, &err) ||
        make_task(&dots, "dots", &all, 0, &err) || study(&dots, out_dir, &err))
        goto fail;

    nn_dataset_free(&fair.train), nn_dataset_free(&fair.test);
    nn_dataset_free(&dots.train), nn_dataset_free(&dots.test);
    return 0;
fail:
    fprintf(stderr, "ordinal: %s\n", err.msg);
    nn_dataset_free(&fair.train), nn_dataset_free(&fair.test);
    nn_dataset_free(&dots.train), nn_dataset_free(&dots.test);
    return 1;
}
