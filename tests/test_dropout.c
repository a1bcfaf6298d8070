/* test_dropout.c — inverted dropout (layers/dropout.c, docs/dropout.md):
 * finite differences under a fixed mask, the identity at evaluation, the
 * mask's statistics and scale, reproducibility from the graph's generator,
 * and the builder's checks.
 *
 * A fixed mask for finite differences: every forward in training mode draws
 * a new mask from the graph's generator, so the test saves the generator
 * before the analytic pass and restores it before every forward of the
 * central differences. Each of those forwards then draws the same mask, and
 * the loss is a smooth function of the parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tmpfiles.h"

enum { F = 6, H = 8, K = 3, B = 5 };

typedef struct {
    nn_graph *g;
    int x, y, id, drop;
} fixture;

/* x (B, F) → id = dense(F→F), W = I, b = 0 → dropout(p) → dense(H) → tanh →
 * dense(K) → softmax → CE. The identity dense gives the dropout an input
 * with a gradient buffer (see test_layers.c). */
static void build(fixture *f, double p) {
    nn_graph *g = nn_graph_create(B);
    f->g = g;
    f->x = nn_input(g, F);
    f->y = nn_labels(g, K);
    f->id = nn_dense(g, f->x, F, NN_INIT_ZERO);
    f->drop = nn_dropout(g, f->id, p);
    int h = nn_tanh(g, nn_dense(g, f->drop, H, NN_INIT_XAVIER));
    int p_ = nn_softmax(g, nn_dense(g, h, K, NN_INIT_XAVIER), 1.0);
    nn_cross_entropy(g, p_, f->y, NULL);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 7, &err) == NN_OK, "%s", err.msg);
    size_t n;
    nn_real *w = nn_node_params(g, f->id, &n);
    memset(w, 0, n * sizeof *w);
    for (int i = 0; i < F; i++) w[i * F + i] = 1;
    fill_uniform(nn_input_data(g, f->x), (size_t)B * F, -2, 2, 3);
    for (int b = 0; b < B; b++) nn_label_data(g, f->y)[b] = b % K;
}

/* Central difference of the loss in *v with the mask the generator state
 * `rng` draws. */
static double fixed_mask_difference(nn_graph *g, const nn_rng *rng, nn_real *v) {
    nn_real keep = *v;
    *v = (nn_real)(keep + GC_H);
    *nn_graph_rng(g) = *rng;
    double lp = nn_graph_forward(g, B);
    *v = (nn_real)(keep - GC_H);
    *nn_graph_rng(g) = *rng;
    double lm = nn_graph_forward(g, B);
    *v = keep;
    return (lp - lm) / (2 * GC_H);
}

START_TEST(test_dropout_gradcheck_fixed_mask) {
    fixture f;
    build(&f, 0.4);
    nn_graph *g = f.g;
    nn_rng rng = *nn_graph_rng(g);
    nn_graph_zero_grad(g);
    ck_assert(isfinite(nn_graph_forward(g, B)));
    nn_graph_backward(g, B);
    /* every parameter, the identity's (upstream of the dropout) included */
    size_t n = nn_graph_n_params(g);
    nn_real *w = nn_graph_params(g), *dw = nn_graph_grads(g);
    int nonzero = 0;
    for (size_t i = 0; i < n; i++) {
        double analytic = dw[i], numeric = fixed_mask_difference(g, &rng, &w[i]);
        ck_assert_msg(close_enough(analytic, numeric, GC_ATOL, GC_RTOL),
                      "parameter %zu: analytic %.10g, finite difference %.10g", i, analytic, numeric);
        nonzero += fabs(analytic) > 10 * GC_ATOL;
    }
    ck_assert_msg(nonzero >= (int)n / 4, "only %d of %zu gradients are non-zero", nonzero, n);
    /* the gradient reaching the dropout's input: zero exactly where the mask
     * dropped a value, dy/(1 − p) elsewhere; both kinds occur */
    *nn_graph_rng(g) = rng;
    nn_graph_zero_grad(g);
    nn_graph_forward(g, B);
    nn_graph_backward(g, B);
    const nn_real *y = nn_output(g, f.drop), *x = nn_output(g, f.id);
    const nn_real *dx = nn_output_grad(g, f.id), *dy = nn_output_grad(g, f.drop);
    int dropped = 0, kept = 0;
    for (int i = 0; i < B * F; i++) {
        if (y[i] == 0) {
            dropped++;
            ck_assert_msg(dx[i] == 0, "dropped value %d passes gradient %g back", i, (double)dx[i]);
        } else {
            kept++;
            ck_assert_close(y[i], x[i] / 0.6, REAL_TOL, REAL_TOL);
            ck_assert_close(dx[i], dy[i] / 0.6, REAL_TOL, REAL_TOL);
        }
    }
    ck_assert_msg(dropped > 0 && kept > 0, "%d dropped, %d kept: the mask is not mixed", dropped, kept);
    nn_graph_free(g);
}
END_TEST

/* Evaluation mode, and p = 0 in training mode, are the identity; the
 * gradient then passes unchanged. Switching back draws masks again. */
START_TEST(test_dropout_identity_at_evaluation) {
    fixture f;
    build(&f, 0.5);
    nn_graph *g = f.g;
    nn_graph_set_training(g, 0);
    ck_assert_int_eq(nn_graph_training(g), 0);
    nn_rng before = *nn_graph_rng(g);
    nn_graph_zero_grad(g);
    nn_graph_forward(g, B);
    nn_graph_backward(g, B);
    ck_assert(memcmp(&before, nn_graph_rng(g), sizeof before) == 0); /* no draws */
    for (int i = 0; i < B * F; i++) {
        ck_assert(nn_output(g, f.drop)[i] == nn_output(g, f.id)[i]);
        ck_assert(nn_output_grad(g, f.id)[i] == nn_output_grad(g, f.drop)[i]);
    }
    nn_graph_set_training(g, 1);
    nn_graph_forward(g, B);
    int zeros = 0;
    for (int i = 0; i < B * F; i++) zeros += nn_output(g, f.drop)[i] == 0;
    ck_assert_int_gt(zeros, 0);
    nn_graph_free(g);

    build(&f, 0.0); /* p = 0: identity in training mode too */
    before = *nn_graph_rng(f.g);
    nn_graph_forward(f.g, B);
    for (int i = 0; i < B * F; i++) ck_assert(nn_output(f.g, f.drop)[i] == nn_output(f.g, f.id)[i]);
    ck_assert(memcmp(&before, nn_graph_rng(f.g), sizeof before) == 0);
    nn_graph_free(f.g);
}
END_TEST

/* On ones (B, W): the fraction dropped is p within 5 standard deviations,
 * kept values are exactly 1/(1 − p), and the mean stays near 1. */
START_TEST(test_dropout_statistics) {
    enum { MB = 64, W = 500 };
    const double p = 0.3;
    nn_graph *g = nn_graph_create(MB);
    int x = nn_input(g, W), d = nn_dropout(g, x, p);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 5, &err), NN_OK);
    ck_assert_double_eq(nn_dropout_rate(g, d), p);
    ck_assert(isnan(nn_dropout_rate(g, x)));
    for (int i = 0; i < MB * W; i++) nn_input_data(g, x)[i] = 1;
    nn_rng draws = *nn_graph_rng(g); /* the mask is nn_rng_u32's draws, in order */
    nn_graph_forward(g, MB);
    uint32_t threshold = (uint32_t)llround(ldexp(p, 32));
    for (int i = 0; i < MB * W; i++)
        ck_assert_msg((nn_output(g, d)[i] != 0) == (nn_rng_u32(&draws) >= threshold), "value %d", i);
    ck_assert(memcmp(&draws, nn_graph_rng(g), sizeof draws) == 0);
    const nn_real *y = nn_output(g, d);
    long zeros = 0;
    double sum = 0;
    for (int i = 0; i < MB * W; i++) {
        ck_assert_msg(y[i] == 0 || y[i] == (nn_real)(1 / (1 - p)), "y[%d] = %.9g", i, (double)y[i]);
        zeros += y[i] == 0;
        sum += y[i];
    }
    double n = MB * W, sd = sqrt(n * p * (1 - p));
    ck_assert_msg(fabs(zeros - n * p) < 5 * sd, "%ld of %.0f dropped at p = %g", zeros, n, p);
    ck_assert_close(sum / n, 1.0, 0.02, 0);
    nn_graph_free(g);
}
END_TEST

/* Same compile seed and generator state: the same mask; the next forward a
 * different one; another compile seed a different one. */
START_TEST(test_dropout_reproducible) {
    enum { W = 64 };
    nn_real first[W], again[W];
    nn_graph *g[3];
    int x[3], d[3];
    for (int k = 0; k < 3; k++) {
        g[k] = nn_graph_create(1);
        x[k] = nn_input(g[k], W);
        d[k] = nn_dropout(g[k], x[k], 0.5);
        nn_error err;
        ck_assert_int_eq(nn_graph_compile(g[k], k == 2 ? 99 : 1, &err), NN_OK);
        for (int i = 0; i < W; i++) nn_input_data(g[k], x[k])[i] = 1;
        nn_graph_forward(g[k], 1);
    }
    memcpy(first, nn_output(g[0], d[0]), sizeof first);
    ck_assert(memcmp(first, nn_output(g[1], d[1]), sizeof first) == 0);
    ck_assert(memcmp(first, nn_output(g[2], d[2]), sizeof first) != 0);
    nn_graph_forward(g[0], 1);
    memcpy(again, nn_output(g[0], d[0]), sizeof again);
    ck_assert(memcmp(first, again, sizeof first) != 0);
    for (int k = 0; k < 3; k++) nn_graph_free(g[k]);
}
END_TEST

START_TEST(test_dropout_builder_errors) {
    const double bad[] = {-0.1, 1.0, 1.5, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        nn_graph *g = nn_graph_create(2);
        int x = nn_input(g, 3);
        ck_assert_int_eq(nn_dropout(g, x, bad[i]), -1);
        ck_assert_ptr_nonnull(strstr(nn_graph_error(g), "dropout: the drop probability must be in [0, 1)"));
        nn_graph_free(g);
    }
    nn_graph *g = nn_graph_create(2);
    int y = nn_labels(g, 3);
    ck_assert_int_eq(nn_dropout(g, y, 0.5), -1);
    ck_assert_ptr_nonnull(strstr(nn_graph_error(g), "class labels"));
    nn_graph_free(g);
}
END_TEST

/* A checkpoint keeps the graph's generator, so a resumed run draws the masks
 * the uninterrupted one would have drawn. */
START_TEST(test_checkpoint_keeps_graph_rng) {
    char dir[64], path[512];
    tmp_dir(dir);
    nn_arch a = nn_arch_defaults();
    nn_error err;
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "3-4-2", &err), NN_OK);
    nn_model m;
    ck_assert_int_eq(nn_model_build(&m, &a, NULL, 2, 1, 1, &err), NN_OK);
    nn_optimizer_options oo = nn_optimizer_defaults(NN_OPT_SGD, 0.1);
    nn_optimizer *opt = nn_optimizer_create(m.g, &oo, &err);
    for (int i = 0; i < 5; i++) nn_rng_u32(nn_graph_rng(m.g)); /* masks drawn so far */
    nn_rng saved = *nn_graph_rng(m.g);
    nn_checkpoint_info c = {.epoch = 1};
    nn_rng_seed(&c.rng, 2); /* the shuffling generator */
    ck_assert_int_eq(nn_checkpoint_save(&m, opt, &c, tmp_path(path, dir, "c.ckpt"), &err), NN_OK);
    nn_rng_u32(nn_graph_rng(m.g));
    ck_assert(memcmp(&saved, nn_graph_rng(m.g), sizeof saved) != 0);
    ck_assert_msg(nn_checkpoint_load(&m, opt, &c, path, &err) == NN_OK, "%s", err.msg);
    ck_assert(memcmp(&saved, nn_graph_rng(m.g), sizeof saved) == 0);
    nn_optimizer_free(opt);
    nn_model_free(&m);
    tmp_remove(dir);
}
END_TEST

Suite *test_dropout_suite(void) {
    Suite *s = suite_create("dropout");
    TCase *tc = tcase_create("dropout");
    tcase_add_test(tc, test_dropout_gradcheck_fixed_mask);
    tcase_add_test(tc, test_dropout_identity_at_evaluation);
    tcase_add_test(tc, test_dropout_statistics);
    tcase_add_test(tc, test_dropout_reproducible);
    tcase_add_test(tc, test_dropout_builder_errors);
    tcase_add_test(tc, test_checkpoint_keeps_graph_rng);
    suite_add_tcase(s, tc);
    return s;
}
