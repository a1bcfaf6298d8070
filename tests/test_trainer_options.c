/* test_trainer_options.c — what nn_trainer_options adds to a step: the
 * scheduled learning rate of every step, gradient-norm clipping, the
 * ordinal metrics of nn_trainer_evaluate (MAE of E[X], QWK) against
 * metrics.c, and that none of it (nor dropout) allocates per step. */
#include <stdlib.h>
#include <string.h>

#include "alloc_hook.h"
#include "testutil.h"

enum { F = 5, K = 4, N = 37, B = 8 };

static nn_dataset make_data(void) {
    nn_dataset d = {.n = N, .n_features = F, .n_classes = K};
    d.labels = malloc(N * sizeof *d.labels);
    d.x_real = malloc((size_t)N * F * sizeof *d.x_real);
    ck_assert(d.labels && d.x_real);
    fill_uniform(d.x_real, (size_t)N * F, -1, 1, 9);
    for (int i = 0; i < N; i++) d.labels[i] = (d.x_real[i * F] > 0) + 2 * (d.x_real[i * F + 1] > 0);
    return d;
}

typedef struct {
    nn_graph *g;
    nn_optimizer *opt;
    nn_train_nodes nodes;
} net;

static net make_net(double dropout, nn_optimizer_kind kind) {
    net n;
    n.g = nn_graph_create(B);
    int x = nn_input(n.g, F), y = nn_labels(n.g, K);
    int h = nn_relu(n.g, nn_dense(n.g, x, 16, NN_INIT_HE));
    if (dropout > 0) h = nn_dropout(n.g, h, dropout);
    int p = nn_softmax(n.g, nn_dense(n.g, h, K, NN_INIT_XAVIER), 1.0);
    nn_cross_entropy(n.g, p, y, NULL);
    nn_error err;
    ck_assert_msg(nn_graph_compile(n.g, 3, &err) == NN_OK, "%s", err.msg);
    nn_optimizer_options oo = nn_optimizer_defaults(kind, 0.1);
    n.opt = nn_optimizer_create(n.g, &oo, &err);
    ck_assert_ptr_nonnull(n.opt);
    n.nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p, .targets = -1};
    return n;
}

static void free_net(net *n) {
    nn_optimizer_free(n->opt);
    nn_graph_free(n->g);
}

typedef struct {
    nn_optimizer *opt;
    double lr[64];
    int n;
} lr_log;

static void record_lr(const nn_step_info *s, void *user) {
    (void)s;
    lr_log *l = user;
    if (l->n < 64) l->lr[l->n++] = nn_optimizer_lr(l->opt);
}

/* Step t (0-based, over both epochs) runs at nn_lr_schedule_at(s, t). */
START_TEST(test_trainer_schedule_every_step) {
    nn_dataset d = make_data();
    net n = make_net(0, NN_OPT_SGD);
    int steps_per_epoch = (N + B - 1) / B;
    nn_lr_schedule s = nn_lr_schedule_defaults(NN_LR_COSINE, 0.1, 2 * steps_per_epoch);
    s.warmup = 3;
    s.lr_min = 0.01;
    lr_log log = {.opt = n.opt};
    nn_error err;
    nn_trainer *t = nn_trainer_create(n.g, n.opt, &n.nodes, &d,
        &(nn_trainer_options){.batch = B, .seed = 1, .schedule = &s, .on_step = record_lr, .step_user = &log}, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    ck_assert_int_eq(nn_trainer_epoch(t, NULL, &err), NN_OK);
    ck_assert_int_eq(nn_trainer_epoch(t, NULL, &err), NN_OK);
    ck_assert_int_eq(log.n, 2 * steps_per_epoch);
    for (int i = 0; i < log.n; i++) ck_assert_double_eq(log.lr[i], nn_lr_schedule_at(&s, i));
    ck_assert(log.lr[0] < log.lr[3] && log.lr[log.n - 1] < log.lr[3]); /* warm-up, then decay */
    nn_trainer_free(t);
    /* a bad schedule or clip bound is refused at create */
    s.lr_min = 1;
    ck_assert_ptr_null(nn_trainer_create(n.g, n.opt, &n.nodes, &d, &(nn_trainer_options){.batch = B, .schedule = &s}, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "lr_min"));
    ck_assert_ptr_null(nn_trainer_create(n.g, n.opt, &n.nodes, &d, &(nn_trainer_options){.batch = B, .clip_grad_norm = -1}, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "clip_grad_norm"));
    free_net(&n);
    nn_dataset_free(&d);
}
END_TEST

/* Plain SGD moves the weights by lr · g per step; with the gradient clipped
 * to norm c, by at most lr · c. Without clipping the same epoch moves them
 * far more. */
START_TEST(test_trainer_clip_grad_norm) {
    nn_dataset d = make_data();
    double moved[2];
    for (int clip = 0; clip < 2; clip++) {
        net n = make_net(0, NN_OPT_SGD);
        size_t np = nn_graph_n_params(n.g);
        nn_real *w0 = malloc(np * sizeof *w0);
        memcpy(w0, nn_graph_params(n.g), np * sizeof *w0);
        nn_error err;
        nn_trainer *t = nn_trainer_create(n.g, n.opt, &n.nodes, &d,
            &(nn_trainer_options){.batch = B, .seed = 1, .clip_grad_norm = clip ? 1e-3 : 0}, &err);
        ck_assert_ptr_nonnull(t);
        nn_epoch_stats s;
        ck_assert_int_eq(nn_trainer_epoch(t, &s, &err), NN_OK);
        double ss = 0;
        for (size_t i = 0; i < np; i++) ss += pow(nn_graph_params(n.g)[i] - w0[i], 2);
        moved[clip] = sqrt(ss);
        if (clip) ck_assert_msg(moved[1] <= s.steps * 0.1 * 1e-3 * (1 + 1e-4), "moved %g in %d steps", moved[1], s.steps);
        nn_trainer_free(t);
        free(w0);
        free_net(&n);
    }
    ck_assert_msg(moved[1] > 0 && moved[0] > 20 * moved[1], "moved %g unclipped, %g clipped", moved[0], moved[1]);
    nn_dataset_free(&d);
}
END_TEST

/* nn_trainer_evaluate's MAE and QWK equal metrics.c on the same outputs. */
START_TEST(test_trainer_evaluate_ordinal) {
    nn_dataset d = make_data();
    net n = make_net(0.5, NN_OPT_ADAM); /* dropout: evaluation must switch it off */
    const double values[K] = {1, 2, 4, 8};
    nn_error err;
    nn_trainer *t = nn_trainer_create(n.g, n.opt, &n.nodes, &d,
        &(nn_trainer_options){.batch = B, .seed = 1, .values = values}, &err);
    ck_assert_ptr_nonnull(t);
    for (int e = 0; e < 5; e++) ck_assert_int_eq(nn_trainer_epoch(t, NULL, &err), NN_OK);
    nn_eval_stats v;
    ck_assert_int_eq(nn_trainer_evaluate(t, &d, &v, &err), NN_OK);
    nn_real probs[N * K];
    int32_t pred[N];
    nn_graph_set_training(n.g, 0);
    for (int start = 0; start < N; start += B) {
        int m = N - start < B ? N - start : B, idx[B];
        for (int i = 0; i < m; i++) idx[i] = start + i;
        nn_dataset_gather(&d, idx, m, nn_input_data(n.g, n.nodes.x), nn_label_data(n.g, n.nodes.labels));
        nn_graph_forward(n.g, m);
        memcpy(probs + start * K, nn_output(n.g, n.nodes.probs), (size_t)m * K * sizeof *probs);
    }
    nn_argmax_rows(pred, probs, N, K);
    ck_assert_close(v.mae, nn_mae_expected(probs, d.labels, N, K, values), 1e-12, 1e-9);
    ck_assert_close(v.qwk, nn_quadratic_weighted_kappa(pred, d.labels, N, K), 1e-12, 1e-9);
    ck_assert_close(v.accuracy, nn_accuracy(probs, d.labels, N, K), 0, 0);
    ck_assert(v.mae > 0 && v.qwk > 0.2); /* learnt something, and not trivially */
    nn_trainer_free(t);
    free_net(&n);
    nn_dataset_free(&d);
}
END_TEST

/* Epochs with dropout, a schedule and clipping allocate nothing: three
 * epochs cost what one does. */
static long epoch_allocs(int epochs) {
    nn_dataset d = make_data();
    net n = make_net(0.3, NN_OPT_ADAM);
    nn_lr_schedule s = nn_lr_schedule_defaults(NN_LR_ONECYCLE, 0.01, 100);
    nn_error err;
    nn_trainer *t = nn_trainer_create(n.g, n.opt, &n.nodes, &d,
        &(nn_trainer_options){.batch = B, .seed = 1, .schedule = &s, .clip_grad_norm = 0.5}, &err);
    nn_trainer_epoch(t, NULL, &err); /* warm-up */
    long before = test_alloc_count();
    int ok = 1;
    for (int e = 0; e < epochs; e++) ok &= nn_trainer_epoch(t, NULL, &err) == NN_OK;
    long used = test_alloc_count() - before;
    ck_assert(ok);
    nn_trainer_free(t);
    free_net(&n);
    nn_dataset_free(&d);
    return used;
}

START_TEST(test_trainer_options_allocate_nothing) {
    long one = epoch_allocs(1), three = epoch_allocs(3);
    ck_assert_msg(one == 0 && three == 0, "1 epoch: %ld allocations, 3 epochs: %ld", one, three);
}
END_TEST

Suite *test_trainer_options_suite(void) {
    Suite *s = suite_create("trainer_options");
    TCase *tc = tcase_create("trainer_options");
    tcase_add_test(tc, test_trainer_schedule_every_step);
    tcase_add_test(tc, test_trainer_clip_grad_norm);
    tcase_add_test(tc, test_trainer_evaluate_ordinal);
    tcase_add_test(tc, test_trainer_options_allocate_nothing);
    suite_add_tcase(s, tc);
    return s;
}
