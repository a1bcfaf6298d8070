/* test_trainer_shard.c — data-parallel training without MPI: two threads
 * stand for two processes, each with its own graph and half the rows
 * (nn_trainer_options.shard), and a fake reducer sums their weighted
 * gradients (nn_trainer_options.reduce_grads) as an allreduce would. After
 * several epochs the parameters match one trainer holding every row, up to
 * summation order; the hook sees local rows that add up to the global batch,
 * including a last batch that leaves one "process" without a row. With
 * class-weighted cross-entropy (a mean over Σ_b w_{y_b}, not over the rows)
 * the loss normalisers are summed too (nn_trainer_options.reduce_norms);
 * without that hook the shards train another model.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tmpfiles.h" /* ck_assert_msg_contains */

enum { F = 5, K = 3, N = 23, BATCH = 4, EPOCHS = 4, P = 2 };

static nn_dataset blobs(void) {
    nn_dataset d = {.n = N, .n_features = F, .n_classes = K};
    d.x_real = malloc((size_t)N * F * sizeof *d.x_real);
    d.labels = malloc((size_t)N * sizeof *d.labels);
    nn_rng r;
    nn_rng_seed(&r, 11);
    for (int i = 0; i < N; i++) {
        int c = (int)nn_rng_below(&r, K);
        d.labels[i] = c;
        for (int j = 0; j < F; j++) d.x_real[i * F + j] = (nn_real)((j == c ? 3.0 : 0.0) + nn_rng_normal(&r));
    }
    return d;
}

typedef struct {
    nn_graph *g;
    nn_optimizer *opt;
    nn_train_nodes nodes;
} net;

static const double class_weights[K] = {1.0, 3.0, 0.25};

/* weighted: cross-entropy with class_weights */
static net make_net(int weighted) {
    net m;
    m.g = nn_graph_create(BATCH);
    int x = nn_input(m.g, F), y = nn_labels(m.g, K);
    int h = nn_relu(m.g, nn_dense(m.g, x, 7, NN_INIT_HE));
    int p = nn_softmax(m.g, nn_dense(m.g, h, K, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_ce_options co = nn_ce_defaults();
    if (weighted) co.class_weights = class_weights;
    nn_cross_entropy_ex(m.g, p, y, &co, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(m.g, 5, &err) == NN_OK, "%s", err.msg);
    m.opt = nn_optimizer_create(m.g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.2, .momentum = 0.9},
                                &err);
    ck_assert_ptr_nonnull(m.opt);
    m.nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p, .targets = -1};
    return m;
}

/* The fake allreduce: each process puts its share in its slot, then every
 * process adds the slots in the same order (identical results). */
typedef struct {
    pthread_barrier_t barrier;
    nn_real *slot[P];      /* (n_params) each */
    double norm_slot[P][4]; /* each process's loss normalisers */
    int norm_calls;
    int local[P], global[P];
    int calls, bad_counts, empty_steps;
} fake_world;

typedef struct {
    fake_world *w;
    int rank;
} fake_rank;

static nn_status fake_allreduce(nn_real *grads, size_t n, int local_rows, int global_rows, void *user,
                                nn_error *err) {
    (void)err;
    fake_rank *me = user;
    fake_world *w = me->w;
    for (size_t i = 0; i < n; i++) w->slot[me->rank][i] = grads[i] * (nn_real)local_rows / (nn_real)global_rows;
    w->local[me->rank] = local_rows, w->global[me->rank] = global_rows;
    pthread_barrier_wait(&w->barrier);
    for (size_t i = 0; i < n; i++) grads[i] = w->slot[0][i] + w->slot[1][i];
    if (me->rank == 0) {
        w->calls++;
        w->bad_counts += w->local[0] + w->local[1] != global_rows || w->global[1] != global_rows;
        w->empty_steps += w->local[0] == 0 || w->local[1] == 0;
    }
    pthread_barrier_wait(&w->barrier); /* slots free again */
    return NN_OK;
}

/* The fake allreduce of the loss normalisers (n ≤ 4). */
static nn_status fake_norm_sum(double *v, int n, void *user, nn_error *err) {
    (void)err;
    fake_rank *me = user;
    fake_world *w = me->w;
    ck_assert_int_le(n, 4);
    for (int i = 0; i < n; i++) w->norm_slot[me->rank][i] = v[i];
    pthread_barrier_wait(&w->barrier);
    for (int i = 0; i < n; i++) v[i] = w->norm_slot[0][i] + w->norm_slot[1][i];
    if (me->rank == 0) w->norm_calls++;
    pthread_barrier_wait(&w->barrier);
    return NN_OK;
}

typedef struct {
    fake_rank me;
    net m;
    int sum_norms;  /* use fake_norm_sum */
    nn_dataset local;
    nn_shard shard;
    nn_status st;
    nn_epoch_stats last;
} process;

static void *run_process(void *arg) {
    process *p = arg;
    nn_error err;
    nn_trainer_options to = {.batch = BATCH, .seed = 9, .reduce_grads = fake_allreduce,
                             .reduce_norms = p->sum_norms ? fake_norm_sum : NULL,
                             .reduce_user = &p->me, .shard = &p->shard};
    nn_trainer *t = nn_trainer_create(p->m.g, p->m.opt, &p->m.nodes, &p->local, &to, &err);
    p->st = t ? NN_OK : err.code;
    for (int e = 0; t && !p->st && e < EPOCHS; e++) p->st = nn_trainer_epoch(t, &p->last, &err);
    nn_trainer_free(t);
    return NULL;
}

/* Trains one process and two shards; returns the largest parameter
 * difference, and the two shards' epoch loss (rows-weighted) vs one
 * process's in *loss_diff. */
static double two_shards_vs_one(int weighted, int sum_norms, double *loss_diff) {
    nn_dataset all = blobs();
    nn_error err;
    /* one process with every row */
    net one = make_net(weighted);
    nn_trainer_options to = {.batch = BATCH, .seed = 9};
    nn_trainer *t = nn_trainer_create(one.g, one.opt, &one.nodes, &all, &to, &err);
    ck_assert_ptr_nonnull(t);
    nn_epoch_stats s;
    for (int e = 0; e < EPOCHS; e++) ck_assert_int_eq(nn_trainer_epoch(t, &s, &err), NN_OK);
    nn_trainer_free(t);

    /* two: rows 0..9 and 10..22, each with the global row → local row map */
    fake_world w = {.calls = 0};
    pthread_barrier_init(&w.barrier, NULL, P);
    process pr[P];
    int rows[P][N], idx[N], cut = 10;
    for (int r = 0; r < P; r++) {
        int lo = r ? cut : 0, hi = r ? N : cut, m = 0;
        for (int i = 0; i < N; i++) rows[r][i] = i >= lo && i < hi ? i - lo : -1;
        for (int i = lo; i < hi; i++) idx[m++] = i;
        pr[r] = (process){.me = {&w, r}, .m = make_net(weighted), .sum_norms = sum_norms,
                          .shard = {.n = N, .row = rows[r]}};
        ck_assert_int_eq(nn_dataset_subset(&all, idx, m, &pr[r].local, &err), NN_OK);
        w.slot[r] = malloc(nn_graph_n_params(pr[r].m.g) * sizeof *w.slot[r]);
    }
    pthread_t th[P];
    for (int r = 0; r < P; r++) ck_assert_int_eq(pthread_create(&th[r], NULL, run_process, &pr[r]), 0);
    for (int r = 0; r < P; r++) pthread_join(th[r], NULL);
    for (int r = 0; r < P; r++) ck_assert_int_eq(pr[r].st, NN_OK);
    ck_assert_int_eq(w.calls, EPOCHS * ((N + BATCH - 1) / BATCH));
    ck_assert_int_eq(w.bad_counts, 0);
    ck_assert_int_gt(w.empty_steps, 0); /* the last batch of 3 rows: some epoch gives a side none */
    ck_assert_int_eq(pr[0].last.rows + pr[1].last.rows, N);
    /* the normalisers are summed only when some loss does not average rows */
    ck_assert_int_eq(w.norm_calls, sum_norms && weighted ? w.calls : 0);
    *loss_diff = fabs((pr[0].last.loss * pr[0].last.rows + pr[1].last.loss * pr[1].last.rows) / N - s.loss);

    size_t n = nn_graph_n_params(one.g);
    const nn_real *a = nn_graph_params(one.g), *b0 = nn_graph_params(pr[0].m.g),
                  *b1 = nn_graph_params(pr[1].m.g);
    double worst = 0, moved = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert(b0[i] == b1[i]); /* the processes agree bit for bit */
        if (fabs((double)a[i] - b0[i]) > worst) worst = fabs((double)a[i] - b0[i]);
    }
    net init = make_net(weighted);
    for (size_t i = 0; i < n; i++)
        if (fabs((double)a[i] - nn_graph_params(init.g)[i]) > moved) moved = fabs((double)a[i] - nn_graph_params(init.g)[i]);
    ck_assert_double_gt(moved, 0.05); /* it trained */
    for (int r = 0; r < P; r++) {
        free(w.slot[r]);
        nn_dataset_free(&pr[r].local);
        nn_optimizer_free(pr[r].m.opt);
        nn_graph_free(pr[r].m.g);
    }
    pthread_barrier_destroy(&w.barrier);
    nn_optimizer_free(init.opt), nn_graph_free(init.g);
    nn_optimizer_free(one.opt), nn_graph_free(one.g);
    nn_dataset_free(&all);
    return worst;
}

START_TEST(test_two_shards_train_as_one) {
    double loss_diff, worst = two_shards_vs_one(0, 1, &loss_diff);
    ck_assert_msg(worst <= 100 * REAL_TOL, "two shards differ from one process by %g", worst);
    ck_assert_msg(loss_diff <= 100 * REAL_TOL, "the epoch loss differs by %g", loss_diff);
}
END_TEST

/* Class weights: each process's mean divides by its own Σ w_{y_b}; the
 * normalisers summed over the processes make it the global batch's. */
START_TEST(test_class_weighted_shards_sum_their_normalisers) {
    double loss_diff, worst = two_shards_vs_one(1, 1, &loss_diff);
    ck_assert_msg(worst <= 100 * REAL_TOL, "two shards differ from one process by %g", worst);
    ck_assert_msg(loss_diff <= 100 * REAL_TOL, "the epoch loss differs by %g", loss_diff);
    worst = two_shards_vs_one(1, 0, &loss_diff); /* without the hook: not the same model */
    ck_assert_double_gt(worst, 1000 * REAL_TOL);
}
END_TEST

/* With class weights the evaluation's loss is the whole set's weighted
 * mean Σ w_y l / Σ w_y (not a mean of each batch's), so the sums of two
 * parts give the whole set's figures. */
START_TEST(test_weighted_evaluation_adds_up_over_parts) {
    nn_dataset all = blobs(), part[2];
    net m = make_net(1);
    nn_error err;
    nn_trainer_options to = {.batch = BATCH, .seed = 9};
    nn_trainer *t = nn_trainer_create(m.g, m.opt, &m.nodes, &all, &to, &err);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(nn_trainer_epoch(t, NULL, &err), NN_OK); /* away from the initial weights */
    nn_eval_stats whole, half[2];
    ck_assert_int_eq(nn_trainer_evaluate(t, &all, &whole, &err), NN_OK);
    /* by hand, one row at a time: l = −log p_y, weighted by w_y */
    double wl = 0, w = 0;
    for (int i = 0; i < N; i++) {
        nn_dataset_gather(&all, &i, 1, nn_input_data(m.g, m.nodes.x), nn_label_data(m.g, m.nodes.labels));
        double l = nn_graph_forward(m.g, 1); /* w_y l / w_y */
        wl += class_weights[all.labels[i]] * l, w += class_weights[all.labels[i]];
    }
    ck_assert_msg(fabs(whole.loss - wl / w) <= 10 * REAL_TOL * fabs(wl / w), "loss %.9g, by hand %.9g",
                  whole.loss, wl / w);
    int idx[N];
    for (int i = 0; i < N; i++) idx[i] = i;
    ck_assert_int_eq(nn_dataset_subset(&all, idx, 10, &part[0], &err), NN_OK);
    ck_assert_int_eq(nn_dataset_subset(&all, idx + 10, N - 10, &part[1], &err), NN_OK);
    nn_eval_sums sum = {0};
    double *into = (double *)&sum;
    for (int r = 0; r < 2; r++) {
        ck_assert_int_eq(nn_trainer_evaluate(t, &part[r], &half[r], &err), NN_OK);
        const double *add = (const double *)&half[r].sums;
        for (size_t i = 0; i < NN_EVAL_N_SUMS; i++) into[i] += add[i];
    }
    nn_eval_stats both = nn_eval_stats_from_sums(m.g, &sum);
    ck_assert_int_eq(both.n, N);
    ck_assert_double_eq_tol(both.loss, whole.loss, 1e-12);
    ck_assert_double_eq_tol(both.accuracy, whole.accuracy, 1e-15);
    ck_assert_double_eq_tol(both.mae, whole.mae, 1e-12);
    ck_assert_double_eq_tol(both.qwk, whole.qwk, 1e-12);
    ck_assert_double_ne(half[0].loss, whole.loss); /* the parts alone are not the whole */
    nn_trainer_free(t);
    for (int r = 0; r < 2; r++) nn_dataset_free(&part[r]);
    nn_optimizer_free(m.opt), nn_graph_free(m.g);
    nn_dataset_free(&all);
}
END_TEST

START_TEST(test_shard_rows_checked) {
    nn_dataset all = blobs();
    net m = make_net(0);
    nn_error err;
    int rows[N];
    for (int i = 0; i < N; i++) rows[i] = i;
    rows[4] = N; /* beyond this process's rows */
    nn_shard sh = {.n = N, .row = rows};
    nn_trainer_options to = {.batch = BATCH, .shard = &sh};
    ck_assert_ptr_null(nn_trainer_create(m.g, m.opt, &m.nodes, &all, &to, &err));
    ck_assert_msg_contains(err.msg, "shard row 4 is 23, outside -1..22");
    nn_optimizer_free(m.opt), nn_graph_free(m.g);
    nn_dataset_free(&all);
}
END_TEST

Suite *test_trainer_shard_suite(void) {
    Suite *s = suite_create("trainer_shard");
    TCase *tc = tcase_create("trainer_shard");
    tcase_add_test(tc, test_two_shards_train_as_one);
    tcase_add_test(tc, test_class_weighted_shards_sum_their_normalisers);
    tcase_add_test(tc, test_weighted_evaluation_adds_up_over_parts);
    tcase_add_test(tc, test_shard_rows_checked);
    suite_add_tcase(s, tc);
    return s;
}
