/* ordinal.c — eight ways to train an ordinal classifier, compared.
 *
 * An ordinal classifier predicts one of K ordered categories with values
 * v_0 < … < v_{K−1} (ratings 1–5, a count 0–9). The same trunk,
 * x → dense 64 → relu, gets one of eight heads and losses:
 *
 *   softmax heads, p = softmax(dense K):
 *   (a) cross-entropy        −log p_y: ignores the order of the classes
 *   (b) E[X] squared         ½(μ − v_y)²: only the mean counts
 *   (c) mean-variance        CE + 0.2·½(μ − v_y)² + 0.05·σ² (Pan et al. 2018)
 *   (d) SORD soft targets    CE against softmax_i(−(v_i − v_y)²)
 *   threshold heads, K − 1 logits of "y > k":
 *   (e) CORAL                one weight vector, K − 1 biases, Σ_k BCE (Cao et al. 2020)
 *   (f) CORN                 K − 1 conditional tasks on y ≥ k (Shi et al. 2021)
 *   (g) cumulative link      P(y ≤ k) = σ(θ_k − s), ordered θ, NLL (proportional odds)
 *   (h) cumulative probit    the same with P(y ≤ k) = Φ(θ_k − s)
 *
 * Every head gives class probabilities, so E[X] = Σ v_i p_i is read the same
 * way from each; a class is read with the rule each loss defaults to
 * (argmax, rounded E[X], median, or CORAL/CORN's rank Σ_k [P(y > k) > ½]).
 *
 * Data: fair (Fair's 1978 survey, shipped by python3-statsmodels as CSV:
 * rate your marriage 1–5 from 8 answers) and dots (28×28 images with 0–9
 * dots, label = the count, drawn by this program as PNG files and read back
 * as an image folder). Each is split 5 times (seeds 1–5) into 64% training,
 * 16% validation and 20% test. The learning rate is chosen from LR_GRID on
 * split 1's validation part, the epoch on every split's validation part (the
 * parameters of the best validation QWK are kept); the test part is used
 * only for the numbers printed. The table gives mean ± sd over the splits.
 *
 * It also writes OUT_DIR/fair_split<S>_{train,test}.csv (standardised
 * features, label last) so that examples/ordered_model.py can fit statsmodels'
 * OrderedModel on exactly the same rows, and the validation-QWK curves of
 * split 1 as SVG.
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

enum { HIDDEN = 64, BATCH = 32, MAX_EPOCHS = 30, N_SPLITS = 5, N_LR = 3 };
enum { DOTS_SIZE = 28, DOTS_PER_COUNT = 300, DOTS_MAX = 9 };
static const double LR_GRID[N_LR] = {1e-3, 3e-3, 1e-2};
static const uint64_t SEED = 7; /* weights and batch order; splits use seeds 1..N_SPLITS */

typedef enum { L_CE, L_EV, L_MV, L_SORD, L_CORAL, L_CORN, L_CLM, L_PROBIT, N_LOSSES } loss_kind;
static const struct {
    const char *name;
    nn_predict_rule rule; /* the class read-out the loss defaults to */
} LOSS[N_LOSSES] = {
    {"cross-entropy", NN_RULE_ARGMAX}, {"E[X] squared", NN_RULE_EXPECTED},
    {"mean-variance", NN_RULE_EXPECTED}, {"SORD soft targets", NN_RULE_MEDIAN},
    {"CORAL", NN_RULE_RANK}, {"CORN", NN_RULE_RANK}, {"cumulative link", NN_RULE_MEDIAN},
    {"cumulative probit", NN_RULE_MEDIAN},
};

/* One seeded split of a data set, with its category values (K). */
typedef struct {
    nn_dataset train, val, test;
} split;

typedef struct {
    const char *name;
    int epochs;
    split s[N_SPLITS];
    int K, n, n_features;
    const double *values; /* (K) */
} task;

/* Test metrics of one run. */
typedef struct {
    double mae_mu, mae_class, qwk, off_by_one;
} scores;

/* ================================================================ model */

typedef struct {
    nn_graph *g;
    int x, y;   /* input (B, F) and labels (B) */
    int soft;   /* SORD targets (B, K), or -1 */
    int z;      /* threshold logits (B, K − 1), or -1 for a softmax head */
    nn_ordinal_logits kind;
    int p;      /* class probabilities (B, K) */
    int mu;     /* E[X] (B, 1) */
} model;

static nn_status model_build(model *m, const task *t, loss_kind loss, nn_error *err) {
    nn_graph *g = m->g = nn_graph_create(BATCH);
    int K = t->K;
    m->x = nn_input(g, t->n_features);
    m->y = nn_labels(g, K);
    m->soft = loss == L_SORD ? nn_input(g, K) : -1;
    m->z = -1;
    int h = nn_relu(g, nn_dense(g, m->x, HIDDEN, NN_INIT_HE));
    nn_loss_options lo = nn_loss_defaults(); /* mean over the batch */
    if (loss <= L_SORD) {
        m->p = nn_softmax(g, nn_dense(g, h, K, NN_INIT_XAVIER), 1.0);
    } else if (loss == L_CORAL) {
        m->z = nn_coral_head(g, h, K, NN_INIT_XAVIER);
        m->kind = NN_ORDINAL_CUMULATIVE;
        nn_coral_loss(g, m->z, m->y, &lo);
    } else if (loss == L_CORN) {
        m->z = nn_dense(g, h, K - 1, NN_INIT_XAVIER);
        m->kind = NN_ORDINAL_CONDITIONAL;
        nn_corn_loss(g, m->z, m->y, &lo);
    } else { /* the cumulative link, logit or probit */
        int probit = loss == L_PROBIT;
        m->z = nn_clm_thresholds_link(g, nn_dense(g, h, 1, NN_INIT_XAVIER), K,
                                      probit ? NN_LINK_PROBIT : NN_LINK_LOGIT);
        m->kind = probit ? NN_ORDINAL_PROBIT : NN_ORDINAL_CUMULATIVE;
        nn_clm_loss(g, m->z, m->y, &lo);
    }
    if (m->z >= 0) m->p = nn_ordinal_probs(g, m->z, m->kind);
    m->mu = nn_expectation(g, m->p, t->values); /* a read-out; no loss on it */
    if (loss == L_CE) nn_cross_entropy(g, m->p, m->y, &lo);
    if (loss == L_EV) nn_ev_squared(g, m->p, m->y, t->values, &lo);
    if (loss == L_MV) {
        nn_mean_variance_options mo = nn_mean_variance_defaults(); /* λ1 0.2, λ2 0.05 */
        mo.values = t->values;
        nn_mean_variance_nodes mv;
        nn_mean_variance(g, m->p, m->y, &mo, &lo, &mv);
    }
    if (loss == L_SORD) nn_cross_entropy_ex(g, m->p, m->soft, NULL, &lo);
    return nn_graph_compile(g, SEED, err); /* same seed: same trunk weights */
}

/* Forward over all of d in inference mode: E[X] into mu (n) and the class
 * of `rule` into pred (n) — the rank rule from the logits, as the papers. */
static void model_predict(model *m, const nn_dataset *d, nn_predict_rule rule, double *mu,
                          int32_t *pred) {
    int idx[BATCH], K = d->n_classes;
    nn_graph_set_training(m->g, 0);
    for (int start = 0; start < d->n; start += BATCH) {
        int B = d->n - start < BATCH ? d->n - start : BATCH;
        for (int b = 0; b < B; b++) idx[b] = start + b;
        nn_dataset_gather(d, idx, B, nn_input_data(m->g, m->x), nn_label_data(m->g, m->y));
        if (m->soft >= 0) nn_dataset_gather_targets(d, idx, B, nn_input_data(m->g, m->soft));
        nn_graph_forward(m->g, B);
        for (int b = 0; b < B; b++) {
            mu[start + b] = nn_output(m->g, m->mu)[b];
            if (rule == NN_RULE_RANK && m->z >= 0)
                pred[start + b] = nn_ordinal_rank_row(nn_output(m->g, m->z) + (size_t)b * (K - 1),
                                                      K, m->kind);
            else
                nn_predict_classes(pred + start + b, nn_output(m->g, m->p) + (size_t)b * K, 1, K,
                                   d->values, rule);
        }
    }
    nn_graph_set_training(m->g, 1);
}

static scores score(const nn_dataset *d, const double *mu, const int32_t *pred) {
    scores s = {0};
    for (int i = 0; i < d->n; i++) s.mae_mu += fabs(mu[i] - d->values[d->labels[i]]) / d->n;
    s.mae_class = nn_mae_pred(pred, d->labels, d->n, d->n_classes, d->values);
    s.qwk = nn_quadratic_weighted_kappa(pred, d->labels, d->n, d->n_classes);
    s.off_by_one = nn_off_by_one_pred(pred, d->labels, d->n, d->n_classes);
    return s;
}

/* SORD targets as per-sample dataset targets (n, K): row b is
 * softmax_i(−(v_i − v_y)²), fed batch by batch into the soft input. */
static nn_status attach_sord_targets(nn_dataset *d, nn_error *err) {
    double *y = malloc((size_t)d->n * sizeof *y);
    d->targets = malloc((size_t)d->n * d->n_classes * sizeof *d->targets);
    if (!y || !d->targets) {
        free(y);
        return nn_set_error(err, NN_ERR_NOMEM, "out of memory for the SORD targets");
    }
    d->target_width = d->n_classes;
    for (int i = 0; i < d->n; i++) y[i] = d->values[d->labels[i]];
    nn_status st = nn_sord_targets(d->targets, y, d->n, d->n_classes, d->values,
                                   NN_SORD_SQUARED, 1.0, err);
    free(y);
    return st;
}

static void detach_targets(nn_dataset *d) {
    free(d->targets);
    d->targets = NULL;
    d->target_width = 0;
}

/* ============================================================== training */

/* One run: train on s->train for t->epochs, keep the parameters of the
 * epoch with the best validation QWK, and score them on s->test. */
static nn_status run(const task *t, split *s, loss_kind loss, double lr, double *val_qwk,
                     int *best_epoch, scores *test, double *curve /* (epochs) or NULL */,
                     nn_error *err) {
    model m = {0};
    nn_optimizer *opt = NULL;
    nn_trainer *tr = NULL;
    nn_predict_rule rule = LOSS[loss].rule;
    int n_max = s->test.n > s->val.n ? s->test.n : s->val.n;
    double *mu = malloc((size_t)n_max * sizeof *mu);       /* (n_max) */
    int32_t *pred = malloc((size_t)n_max * sizeof *pred);  /* (n_max) */
    nn_real *best = NULL;                                  /* (n_params) */
    nn_status st = !mu || !pred ? nn_set_error(err, NN_ERR_NOMEM, "out of memory")
                                : model_build(&m, t, loss, err);
    if (!st && !(best = malloc(nn_graph_n_params(m.g) * sizeof *best)))
        st = nn_set_error(err, NN_ERR_NOMEM, "out of memory");
    if (!st && loss == L_SORD && !(st = attach_sord_targets(&s->train, err)) &&
        !(st = attach_sord_targets(&s->val, err)))
        st = attach_sord_targets(&s->test, err);
    nn_optimizer_options adam = nn_optimizer_defaults(NN_OPT_ADAM, lr);
    if (!st && !(opt = nn_optimizer_create(m.g, &adam, err))) st = err->code;
    nn_train_nodes nodes = {.x = m.x, .labels = m.y, .probs = m.p, .targets = m.soft};
    nn_trainer_options to = {.batch = BATCH, .seed = SEED}; /* every model: the same batches */
    if (!st && !(tr = nn_trainer_create(m.g, opt, &nodes, &s->train, &to, err))) st = err->code;
    *val_qwk = -2; /* below any κ; NaN (one class predicted) never wins */
    for (int e = 1; !st && e <= t->epochs; e++) {
        if ((st = nn_trainer_epoch(tr, NULL, err))) break;
        model_predict(&m, &s->val, rule, mu, pred);
        double q = nn_quadratic_weighted_kappa(pred, s->val.labels, s->val.n, t->K);
        if (curve) curve[e - 1] = q;
        if (q > *val_qwk || e == 1) {
            *val_qwk = isnan(q) ? -2 : q;
            *best_epoch = e;
            memcpy(best, nn_graph_params(m.g), nn_graph_n_params(m.g) * sizeof *best);
        }
    }
    if (!st) {
        memcpy(nn_graph_params(m.g), best, nn_graph_n_params(m.g) * sizeof *best);
        model_predict(&m, &s->test, rule, mu, pred);
        *test = score(&s->test, mu, pred);
    }
    nn_trainer_free(tr);
    detach_targets(&s->train), detach_targets(&s->val), detach_targets(&s->test);
    nn_optimizer_free(opt);
    nn_graph_free(m.g);
    free(mu), free(pred), free(best);
    return st;
}

/* ============================================================== reporting */

typedef struct {
    double mean, sd;
} stat2;

static stat2 mean_sd(const double *v, int n) {
    stat2 r = {0, 0};
    for (int i = 0; i < n; i++) r.mean += v[i] / n;
    for (int i = 0; i < n; i++) r.sd += (v[i] - r.mean) * (v[i] - r.mean) / (n - 1);
    r.sd = sqrt(r.sd);
    return r;
}

/* Prints s left-aligned in `width` columns, counting a UTF-8 character
 * ("±", "—") as one column. */
static void print_padded(const char *s, int width) {
    int cols = 0;
    for (const char *c = s; *c; c++) cols += ((unsigned char)*c & 0xC0) != 0x80;
    printf("%s%*s", s, width > cols ? width - cols : 0, "");
}

static void print_row(const char *name, const char *rule, const char *settings,
                      const scores *sc, int n) {
    double v[4][N_SPLITS];
    for (int i = 0; i < n; i++) {
        v[0][i] = sc[i].mae_mu, v[1][i] = sc[i].mae_class;
        v[2][i] = sc[i].qwk, v[3][i] = sc[i].off_by_one;
    }
    printf("  ");
    print_padded(name, 19);
    print_padded(rule, 9);
    print_padded(settings, 15);
    for (int k = 0; k < 4; k++) {
        stat2 r = mean_sd(v[k], n);
        printf("  %5.3f ± %5.3f", r.mean, r.sd);
    }
    printf("\n");
}

/* The reference every model should beat: always predict the training median. */
static void baseline(const task *t) {
    scores sc[N_SPLITS];
    for (int i = 0; i < N_SPLITS; i++) {
        const nn_dataset *tr = &t->s[i].train, *te = &t->s[i].test;
        int count[64] = {0}, median = 0;
        for (int j = 0; j < tr->n; j++) count[tr->labels[j]]++;
        for (int seen = count[0]; seen * 2 < tr->n;) seen += count[++median];
        int32_t *pred = malloc((size_t)te->n * sizeof *pred);
        double *mu = malloc((size_t)te->n * sizeof *mu);
        if (!pred || !mu) {
            free(pred), free(mu);
            return;
        }
        for (int j = 0; j < te->n; j++) pred[j] = median, mu[j] = t->values[median];
        sc[i] = score(te, mu, pred);
        sc[i].qwk = 0; /* a constant prediction: κ = 0 by definition */
        free(pred), free(mu);
    }
    print_row("(training median)", "—", "—", sc, N_SPLITS);
}

static nn_status study(task *t, const char *out_dir, nn_error *err) {
    printf("\n== %s: %d samples, %d features, K = %d (values %g … %g); %d splits of %d "
           "training, %d validation, %d test rows\n", t->name, t->n, t->n_features, t->K,
           t->values[0], t->values[t->K - 1], N_SPLITS, t->s[0].train.n, t->s[0].val.n,
           t->s[0].test.n);
    printf("   network %d-%d-head, Adam, batch %d, up to %d epochs; lr from {%g, %g, %g} by "
           "split 1's validation QWK,\n   the epoch by each split's validation QWK; test rows "
           "only for the numbers below\n\n", t->n_features, HIDDEN, BATCH, t->epochs,
           LR_GRID[0], LR_GRID[1], LR_GRID[2]);
    printf("  %-18s %-8s %-15s  %-13s  %-13s  %-13s  %s\n", "loss", "rule", "lr, epoch",
           "MAE of E[X]", "MAE of class", "QWK", "off-by-one");
    double curves[N_LOSSES][MAX_EPOCHS];
    for (int l = 0; l < N_LOSSES; l++) {
        scores sc[N_SPLITS], tune[N_LR];
        double q, best_q = -3;
        int epoch[N_SPLITS], e, best_lr = 0;
        double curve[N_LR][MAX_EPOCHS];
        for (int k = 0; k < N_LR; k++) { /* tuning on split 1 (index 0) */
            nn_status st = run(t, &t->s[0], (loss_kind)l, LR_GRID[k], &q, &e, &tune[k],
                               curve[k], err);
            if (st) return st;
            if (q > best_q) best_q = q, best_lr = k, epoch[0] = e, sc[0] = tune[k];
        }
        memcpy(curves[l], curve[best_lr], sizeof curves[l]);
        for (int i = 1; i < N_SPLITS; i++) {
            nn_status st = run(t, &t->s[i], (loss_kind)l, LR_GRID[best_lr], &q, &epoch[i], &sc[i],
                               NULL, err);
            if (st) return st;
        }
        double ep[N_SPLITS];
        for (int i = 0; i < N_SPLITS; i++) ep[i] = epoch[i];
        stat2 es = mean_sd(ep, N_SPLITS);
        char settings[32];
        snprintf(settings, sizeof settings, "%g, %.0f ± %.0f", LR_GRID[best_lr], es.mean, es.sd);
        print_row(LOSS[l].name, nn_predict_rule_name(LOSS[l].rule), settings, sc, N_SPLITS);
        fflush(stdout);
    }
    baseline(t);

    nn_series series[N_LOSSES];
    for (int l = 0; l < N_LOSSES; l++) series[l] = (nn_series){LOSS[l].name, curves[l], t->epochs};
    char path[1024], title[128];
    snprintf(path, sizeof path, "%s/ordinal_%s_val_qwk.svg", out_dir, t->name);
    snprintf(title, sizeof title, "%s, split 1: validation QWK (chosen lr)", t->name);
    nn_status st = nn_plot_lines_svg(path, title, "epoch", "QWK", series, N_LOSSES, err);
    if (!st) printf("\n  curves: %s\n", path);
    return st;
}

/* ================================================================== data */

/* Writes split s of the fair task as two CSV files (standardised features,
 * then the label's value), the rows examples/ordered_model.py reads. */
static nn_status write_split_csv(const nn_dataset *d, const char *path, nn_error *err) {
    nn_real *x = malloc((size_t)d->n_features * sizeof *x);
    if (!x) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    nn_atomic_file af; /* a crash never leaves half a file */
    nn_status st = nn_atomic_open(&af, path, err);
    if (st) {
        free(x);
        return st;
    }
    FILE *f = af.f;
    for (int j = 0; j < d->n_features; j++) fprintf(f, "x%d,", j);
    fprintf(f, "y\n");
    for (int i = 0; i < d->n; i++) {
        nn_dataset_gather(d, &i, 1, x, NULL);
        for (int j = 0; j < d->n_features; j++) fprintf(f, "%.9g,", (double)x[j]);
        fprintf(f, "%g\n", d->values[d->labels[i]]);
    }
    free(x);
    return nn_atomic_commit(&af, err); /* checks every write */
}

/* Splits `all` N_SPLITS times (seeds 1..N_SPLITS) into 64/16/20 and, when
 * asked, standardises each part with its training part's mean and std. */
static nn_status make_task(task *t, const char *name, const nn_dataset *all, int standardize,
                           int epochs, nn_error *err) {
    t->name = name;
    t->epochs = epochs;
    t->n = all->n;
    t->n_features = all->n_features;
    t->K = all->n_classes;
    if (!all->values)
        return nn_set_error(err, NN_ERR_FORMAT, "%s: the labels are not numbers, so not ordinal",
                            name);
    for (int i = 0; i < N_SPLITS; i++) {
        split *s = &t->s[i];
        nn_dataset rest = {0};
        nn_status st = nn_dataset_split(all, 0.2, (uint64_t)i + 1, &rest, &s->test, err);
        if (!st) st = nn_dataset_split(&rest, 0.2, 100 + (uint64_t)i, &s->train, &s->val, err);
        nn_dataset_free(&rest);
        if (!st && standardize && !(st = nn_dataset_fit_standardization(&s->train, err)) &&
            !(st = nn_dataset_set_standardization(&s->val, s->train.feature_mean,
                                                  s->train.feature_std, err)))
            st = nn_dataset_set_standardization(&s->test, s->train.feature_mean,
                                                s->train.feature_std, err);
        if (st) return st;
    }
    t->values = t->s[0].train.values;
    return NN_OK;
}

static void free_task(task *t) {
    for (int i = 0; i < N_SPLITS; i++) {
        nn_dataset_free(&t->s[i].train);
        nn_dataset_free(&t->s[i].val);
        nn_dataset_free(&t->s[i].test);
    }
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
    nn_dataset all = {0};
    char path[1200];
    printf("Ordinal classifiers, eight losses. MAE in value units (lower is better); the class\n"
           "of each row is read with its rule (argmax; expected = E[X] rounded to the nearest\n"
           "class; median; rank = Σ_k [P(y > k) > ½]); off-by-one = |class − y| ≤ 1 in label\n"
           "positions; QWK = quadratic weighted kappa of the class (1 = perfect). mean ± sd over\n"
           "%d seeded splits.\n", N_SPLITS);

    /* 1. Fair's marriage ratings: label rate_marriage, the 8 other columns as features. */
    nn_csv_options co = {.label = "rate_marriage"};
    if (nn_load_csv(&all, fair_csv, &co, &err) || make_task(&fair, "fair", &all, 1, 30, &err))
        goto fail;
    nn_dataset_free(&all);
    for (int i = 0; i < N_SPLITS; i++) {
        snprintf(path, sizeof path, "%s/fair_split%d_train.csv", out_dir, i + 1);
        if (write_split_csv(&fair.s[i].train, path, &err)) goto fail;
        snprintf(path, sizeof path, "%s/fair_split%d_test.csv", out_dir, i + 1);
        if (write_split_csv(&fair.s[i].test, path, &err)) goto fail;
    }
    if (study(&fair, out_dir, &err)) goto fail;

    /* 2. Counting dots: PNG files in DIR/<count>/, read as an image folder. */
    char dots_dir[1024];
    snprintf(dots_dir, sizeof dots_dir, "%s/dots", out_dir);
    nn_image_options io = {.width = DOTS_SIZE, .height = DOTS_SIZE, .channels = 1};
    if (make_dots(dots_dir, &err) || nn_load_image_folder(&all, dots_dir, &io, &err) ||
        make_task(&dots, "dots", &all, 0, 20, &err) || study(&dots, out_dir, &err))
        goto fail;
    nn_dataset_free(&all);
    free_task(&fair), free_task(&dots);
    return 0;
fail:
    fprintf(stderr, "ordinal: %s\n", err.msg);
    nn_dataset_free(&all);
    free_task(&fair), free_task(&dots);
    return 1;
}
