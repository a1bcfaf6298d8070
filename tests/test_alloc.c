/* test_alloc.c — a training step allocates nothing.
 *
 * The test binary is linked with --wrap=malloc,calloc,realloc
 * (tests/alloc_hook.c), so every allocation made by libnn.a — linked
 * statically into it — is counted. The tests read the counter before and
 * after several complete steps (gather, zero_grad, forward, backward,
 * optimizer step) and require no change, by hand and through the trainer
 * (nn_trainer_epoch, nn_trainer_evaluate), with dropout, class weights, a
 * learning-rate schedule, gradient-norm clipping and the ordinal metrics in
 * use. They first show the counter is live, so they cannot pass by counting
 * nothing, and that each of those features really ran.
 *
 * Not counted: allocations inside shared libraries (OpenBLAS allocates its
 * work buffers once, at first use, with mmap — a warm-up step is run before
 * counting anyway).
 */
#include <stdlib.h>

#include "alloc_hook.h"
#include "testutil.h"

enum { F = 12, K = 4, N = 50, MAX_B = 8 };

START_TEST(test_counter_is_live) {
    long before = test_alloc_count();
    void *p = malloc(16);
    ck_assert_int_eq(test_alloc_count(), before + 1);
    void *q = calloc(2, 8);
    p = realloc(p, 64);
    ck_assert_int_eq(test_alloc_count(), before + 3);
    free(p);
    free(q);
    /* and the library's own allocations land here too */
    before = test_alloc_count();
    nn_graph *g = nn_graph_create(4);
    nn_input(g, 3);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    ck_assert_int_ge(test_alloc_count(), before + 5);
    nn_graph_free(g);
}
END_TEST

/* A small dataset, stored as bytes (like IDX) or as reals. */
static nn_dataset make_data(int as_bytes) {
    nn_dataset d = {.n = N, .n_features = F, .n_classes = K, .x_scale = 1.0 / 255};
    d.labels = malloc(N * sizeof *d.labels);
    if (as_bytes) d.x_u8 = malloc((size_t)N * F);
    else d.x_real = malloc((size_t)N * F * sizeof *d.x_real);
    ck_assert(d.labels && (d.x_u8 || d.x_real));
    for (int i = 0; i < N; i++) {
        d.labels[i] = i % K;
        for (int j = 0; j < F; j++) {
            if (as_bytes) d.x_u8[i * F + j] = (uint8_t)(i * 13 + j * 7);
            else d.x_real[i * F + j] = (nn_real)((i * 13 + j * 7) % 17) / 17;
        }
    }
    return d;
}

/* Class weights of the first cross-entropy. */
static const double class_weights[K] = {1.0, 2.5, 0.5, 1.5};

/* The demo's network in miniature, with dropout, class weights and a second
 * loss in jacobian mode on an explicit-route softmax so every backward path
 * runs. */
static nn_graph *make_net(int *x, int *y) {
    nn_graph *g = nn_graph_create(MAX_B);
    *x = nn_input(g, F);
    *y = nn_labels(g, K);
    int h = nn_relu(g, nn_dense(g, *x, 16, NN_INIT_HE));
    h = nn_dropout(g, h, 0.25); /* draws a mask every step */
    h = nn_tanh(g, nn_dense(g, h, 8, NN_INIT_XAVIER));
    h = nn_sigmoid(g, h);
    int z = nn_dense(g, h, K, NN_INIT_XAVIER);
    int p = nn_softmax(g, z, 1.0), q = nn_softmax(g, z, 2.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy_ex(g, p, *y, &(nn_ce_options){.class_weights = class_weights}, &lo);
    lo.mode = NN_GRAD_JACOBIAN;
    lo.coef = 0.5;
    nn_cross_entropy_ex(g, q, *y, &(nn_ce_options){.smoothing = 0.1}, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 1, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(nn_softmax_set_route(g, q, NN_SOFTMAX_EXPLICIT), NN_OK);
    return g;
}

static void steps_allocate_nothing(nn_optimizer_options oo, int as_bytes) {
    int x, y;
    nn_graph *g = make_net(&x, &y);
    nn_dataset d = make_data(as_bytes);
    nn_error err;
    nn_optimizer *opt = nn_optimizer_create(g, &oo, &err);
    ck_assert_msg(opt != NULL, "%s", err.msg);
    int idx[MAX_B];
    double first = 0, last = 0;
    int all_finite = 1;
    long before = 0;
    /* No ck_assert inside the counted loop: Check's assertions report
     * progress to the parent process and allocate while doing so. */
    for (int s = 0; s < 12; s++) {
        if (s == 2) before = test_alloc_count(); /* after a warm-up */
        int B = s % 3 == 2 ? 5 : MAX_B;          /* full and short batches */
        for (int b = 0; b < B; b++) idx[b] = (s * MAX_B + b * 7) % N;
        nn_dataset_gather(&d, idx, B, nn_input_data(g, x), nn_label_data(g, y));
        nn_graph_zero_grad(g);
        double l = nn_graph_forward(g, B);
        nn_graph_backward(g, B);
        nn_optimizer_step(opt);
        all_finite &= isfinite(l) != 0;
        if (s == 2) first = l;
        last = l;
    }
    long during = test_alloc_count() - before;
    ck_assert_msg(during == 0, "10 training steps made %ld allocations", during);
    ck_assert(all_finite);
    ck_assert(first != last); /* the steps really ran and changed something */
    nn_optimizer_free(opt);
    nn_graph_free(g);
    nn_dataset_free(&d);
}

START_TEST(test_sgd_momentum_step) {
    steps_allocate_nothing((nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.05, .momentum = 0.9,
                                                  .nesterov = 1, .weight_decay = 1e-4}, 1);
}
END_TEST

START_TEST(test_sgd_plain_step) {
    steps_allocate_nothing((nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.05}, 0);
}
END_TEST

START_TEST(test_adam_step) {
    nn_optimizer_options o = nn_optimizer_defaults(NN_OPT_ADAM, 1e-3);
    o.weight_decay = 1e-4;
    steps_allocate_nothing(o, 1);
}
END_TEST

START_TEST(test_adamw_step) {
    nn_optimizer_options o = nn_optimizer_defaults(NN_OPT_ADAMW, 1e-3);
    o.weight_decay = 1e-2;
    steps_allocate_nothing(o, 0);
}
END_TEST

/* nn_train: its allocations do not grow with the number of steps. */
static long train_allocs(int epochs) {
    int x, y;
    nn_graph *g = make_net(&x, &y);
    nn_dataset d = make_data(1);
    nn_error err;
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_ADAM, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}, &err);
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = nn_node_input(g, nn_graph_n_nodes(g) - 1, 0)};
    nn_train_options to = {.epochs = epochs, .batch = MAX_B, .seed = 3};
    long before = test_alloc_count();
    nn_status st = nn_train(g, opt, &nodes, &d, &d, &to, NULL, NULL, &err);
    long n = test_alloc_count() - before; /* counted before ck_assert, which allocates */
    ck_assert_msg(st == NN_OK, "%s", err.msg);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    nn_dataset_free(&d);
    return n;
}

START_TEST(test_train_loop) {
    long one = train_allocs(1), five = train_allocs(5);
    ck_assert_msg(one == five, "1 epoch: %ld allocations, 5 epochs: %ld", one, five);
    ck_assert_int_eq(one, 2); /* the trainer and its permutation, nothing per batch */
}
END_TEST

/* A step callback and a gradient-reduce hook that do nothing but count. */
static void count_step(const nn_step_info *s, void *user) { *(int *)user += s->step > 0; }
static nn_status keep_grads(nn_real *grads, size_t n, int local, int global, void *user,
                            nn_error *err) {
    (void)grads, (void)n, (void)local, (void)global, (void)err;
    ++*(int *)user;
    return NN_OK;
}

/* EPOCHS epochs of t, each followed by an evaluation on d, allocate nothing
 * and succeed. No ck_assert between the counts: Check's assertions allocate. */
enum { EPOCHS = 3 };
static void epochs_allocate_nothing(nn_trainer *t, const nn_dataset *d, nn_epoch_stats *s,
                                    nn_eval_stats *v) {
    nn_error err;
    nn_status st[2 * EPOCHS];
    long before = test_alloc_count();
    for (int e = 0; e < EPOCHS; e++) {
        st[2 * e] = nn_trainer_epoch(t, &s[e], &err);
        st[2 * e + 1] = nn_trainer_evaluate(t, d, &v[e], &err);
    }
    long during = test_alloc_count() - before;
    ck_assert_msg(during == 0, "%d epochs and evaluations made %ld allocations", EPOCHS, during);
    for (int i = 0; i < 2 * EPOCHS; i++) ck_assert_msg(st[i] == NN_OK, "%s", err.msg);
}

/* nn_trainer_epoch and nn_trainer_evaluate allocate nothing: every epoch
 * and evaluation after create, hooks included, leaves the counter alone. */
START_TEST(test_trainer_epochs) {
    int x, y;
    nn_graph *g = make_net(&x, &y);
    nn_dataset d = make_data(0);
    nn_error err;
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.05, .momentum = 0.9}, &err);
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = nn_node_input(g, nn_graph_n_nodes(g) - 1, 0)};
    int steps = 0, reduces = 0;
    nn_trainer_options to = {.batch = MAX_B, .seed = 3, .on_step = count_step, .step_user = &steps,
                             .reduce_grads = keep_grads, .reduce_user = &reduces};
    nn_trainer *t = nn_trainer_create(g, opt, &nodes, &d, &to, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    nn_epoch_stats s[EPOCHS];
    nn_eval_stats v[EPOCHS];
    epochs_allocate_nothing(t, &d, s, v);
    int per_epoch = (N + MAX_B - 1) / MAX_B;
    ck_assert_int_eq(steps, EPOCHS * per_epoch); /* the hooks really ran */
    ck_assert_int_eq(reduces, EPOCHS * per_epoch);
    ck_assert(s[0].loss != s[EPOCHS - 1].loss && isfinite(v[EPOCHS - 1].loss));
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    nn_dataset_free(&d);
}
END_TEST

/* What the hooks of test_trainer_options_run see, step by step (no
 * allocation: fixed arrays). */
typedef struct {
    nn_graph *g;
    nn_optimizer *opt;
    int steps;
    double max_before, max_after; /* gradient norms before and after clipping */
    double lr[64];                /* (steps) the rate each step was taken with */
} option_probe;

static nn_status probe_before_clip(nn_real *grads, size_t n, int local, int global, void *user,
                                   nn_error *err) {
    (void)grads, (void)n, (void)local, (void)global, (void)err;
    option_probe *p = user;
    p->max_before = fmax(p->max_before, nn_grad_norm(p->g));
    return NN_OK;
}

static void probe_after_step(const nn_step_info *s, void *user) {
    (void)s;
    option_probe *p = user;
    p->max_after = fmax(p->max_after, nn_grad_norm(p->g)); /* gradients as clipped */
    if (p->steps < 64) p->lr[p->steps] = nn_optimizer_lr(p->opt);
    p->steps++;
}

/* The trainer's options cost no allocation either: a cosine schedule with
 * warm-up, clipping that engages on every step, category values for the MAE
 * of the evaluation, on the network with dropout and class weights. */
START_TEST(test_trainer_options_run) {
    enum { CLIP_STEPS = EPOCHS * ((N + MAX_B - 1) / MAX_B) };
    int x, y;
    nn_graph *g = make_net(&x, &y);
    nn_dataset d = make_data(1);
    nn_error err;
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.05, .momentum = 0.9}, &err);
    ck_assert_msg(opt != NULL, "%s", err.msg);
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = nn_node_input(g, nn_graph_n_nodes(g) - 1, 0)};
    nn_lr_schedule sched = nn_lr_schedule_defaults(NN_LR_COSINE, 0.05, CLIP_STEPS);
    sched.warmup = 3;
    sched.lr_min = 0.001;
    ck_assert_int_eq(nn_lr_schedule_check(&sched, &err), NN_OK);
    static const double values[K] = {1, 2, 4, 8};
    const double clip = 1e-3;
    option_probe probe = {.g = g, .opt = opt};
    nn_trainer_options to = {.batch = MAX_B, .seed = 5, .schedule = &sched, .clip_grad_norm = clip,
                             .values = values, .on_step = probe_after_step, .step_user = &probe,
                             .reduce_grads = probe_before_clip, .reduce_user = &probe};
    nn_trainer *t = nn_trainer_create(g, opt, &nodes, &d, &to, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    nn_epoch_stats s[EPOCHS];
    nn_eval_stats v[EPOCHS];
    epochs_allocate_nothing(t, &d, s, v);
    /* each option really ran: the clip engaged, the rate followed the
     * schedule, the evaluation measured MAE and QWK */
    ck_assert_int_eq(probe.steps, CLIP_STEPS);
    ck_assert_msg(probe.max_before > 10 * clip, "gradient norm %g never needed the clip", probe.max_before);
    ck_assert_msg(probe.max_after <= clip * (1 + 1e-4), "clipped norm %g > %g", probe.max_after, clip);
    for (int i = 0; i < CLIP_STEPS; i++)
        ck_assert_double_eq_tol(probe.lr[i], nn_lr_schedule_at(&sched, i), 1e-12);
    ck_assert(probe.lr[0] < probe.lr[3] && probe.lr[CLIP_STEPS - 1] < probe.lr[3]);
    ck_assert_msg(isfinite(v[EPOCHS - 1].mae) && isfinite(v[EPOCHS - 1].qwk), "MAE %g, QWK %g", v[EPOCHS - 1].mae,
                  v[EPOCHS - 1].qwk);
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    nn_dataset_free(&d);
}
END_TEST

Suite *test_alloc_suite(void) {
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("alloc");
    tcase_add_test(tc, test_counter_is_live);
    tcase_add_test(tc, test_sgd_momentum_step);
    tcase_add_test(tc, test_sgd_plain_step);
    tcase_add_test(tc, test_adam_step);
    tcase_add_test(tc, test_adamw_step);
    tcase_add_test(tc, test_train_loop);
    tcase_add_test(tc, test_trainer_epochs);
    tcase_add_test(tc, test_trainer_options_run);
    suite_add_tcase(s, tc);
    return s;
}
