/* test_optim.c — SGD (plain, momentum, Nesterov, weight decay), Adam and
 * AdamW against torch.optim.
 *
 * tests/golden/optim_ref.h holds the parameters torch.optim (float64)
 * produces, step by step, minimising L(w) = Σ c_i (w_i − t_i)² from a fixed
 * w0; tests/golden/optim_ref.py regenerates it. Here the same gradient
 * 2 c_i (w_i − t_i) is written into the graph's gradient buffer and
 * nn_optimizer_step must land on the same parameters after every step.
 * Tolerance: 1e-12 in double; in float, the rounding of ~10 float operations
 * per step over 5 steps (2e-6 absolute + 2e-5 relative).
 */
#include <string.h>

#include "testutil.h"
#include "tests/golden/optim_ref.h"

#ifdef NN_DOUBLE
#define OPT_ATOL 1e-12
#define OPT_RTOL 1e-10
#else
#define OPT_ATOL 2e-6
#define OPT_RTOL 2e-5
#endif

/* A graph with exactly OPTIM_REF_N parameters: dense 2→2 (W 2×2, b 2). */
static nn_graph *six_params(void) {
    nn_graph *g = nn_graph_create(1);
    nn_dense(g, nn_input(g, 2), 2, NN_INIT_ZERO);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 1, &err) == NN_OK, "%s", err.msg);
    ck_assert_uint_eq(nn_graph_n_params(g), OPTIM_REF_N);
    nn_real *w = nn_graph_params(g);
    for (int i = 0; i < OPTIM_REF_N; i++) w[i] = (nn_real)optim_ref_w0[i];
    return g;
}

/* dL/dw for L = Σ c_i (w_i − t_i)² */
static void quadratic_grad(nn_graph *g) {
    const nn_real *w = nn_graph_params(g);
    nn_real *dw = nn_graph_grads(g);
    for (int i = 0; i < OPTIM_REF_N; i++)
        dw[i] = (nn_real)(2 * optim_ref_c[i] * (w[i] - optim_ref_t[i]));
}

START_TEST(test_against_torch) {
    const optim_ref_case *c = &optim_ref_cases[_i];
    nn_graph *g = six_params();
    nn_error err;
    nn_optimizer *opt = nn_optimizer_create(g, &c->o, &err);
    ck_assert_msg(opt != NULL, "%s: %s", c->name, err.msg);
    int moved = 0;
    for (int s = 0; s < OPTIM_REF_STEPS; s++) {
        if (s == 3 && c->lr_late > 0) nn_optimizer_set_lr(opt, c->lr_late);
        quadratic_grad(g);
        nn_optimizer_step(opt);
        const nn_real *w = nn_graph_params(g);
        for (int i = 0; i < OPTIM_REF_N; i++) {
            ck_assert_msg(close_enough(w[i], c->w[s][i], OPT_ATOL, OPT_RTOL),
                          "%s, step %d, w[%d] = %.15g, torch %.15g", c->name, s + 1, i,
                          (double)w[i], c->w[s][i]);
            moved += w[i] != (nn_real)optim_ref_w0[i];
        }
    }
    ck_assert_int_gt(moved, OPTIM_REF_STEPS * (OPTIM_REF_N - 2));
    nn_optimizer_free(opt);
    nn_graph_free(g);
}
END_TEST

/* Two first steps worked by hand, so the reference is not taken on faith. */
START_TEST(test_first_steps_by_hand) {
    nn_error err;
    /* SGD with momentum: the velocity starts at the first gradient, so step
     * one is plain SGD: w1 = w0 − lr·g0. */
    nn_graph *g = six_params();
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1, .momentum = 0.9}, &err);
    quadratic_grad(g);
    nn_optimizer_step(opt);
    for (int i = 0; i < OPTIM_REF_N; i++) {
        double g0 = 2 * optim_ref_c[i] * (optim_ref_w0[i] - optim_ref_t[i]);
        ck_assert_close(nn_graph_params(g)[i], optim_ref_w0[i] - 0.1 * g0, OPT_ATOL, OPT_RTOL);
    }
    nn_optimizer_free(opt);
    nn_graph_free(g);
    /* Adam: m̂1 = g0, v̂1 = g0², so w1 = w0 − lr·g0/(|g0| + eps): every
     * parameter with a gradient moves by lr, whatever the gradient's size. */
    g = six_params();
    opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_ADAM, .lr = 0.05, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}, &err);
    quadratic_grad(g);
    nn_optimizer_step(opt);
    for (int i = 0; i < OPTIM_REF_N; i++) {
        double g0 = 2 * optim_ref_c[i] * (optim_ref_w0[i] - optim_ref_t[i]);
        double step = g0 == 0 ? 0 : 0.05 * g0 / (fabs(g0) + 1e-8);
        ck_assert_close(nn_graph_params(g)[i], optim_ref_w0[i] - step, OPT_ATOL, OPT_RTOL);
    }
    nn_optimizer_free(opt);
    nn_graph_free(g);
}
END_TEST

/* nn_optimizer_defaults() gives torch.optim's defaults; SGD needs none of
 * Adam's fields, so a designated initialiser with kind and lr is enough. */
START_TEST(test_defaults) {
    nn_optimizer_options o = nn_optimizer_defaults(NN_OPT_ADAMW, 0.01);
    ck_assert_int_eq(o.kind, NN_OPT_ADAMW);
    ck_assert(o.lr == 0.01 && o.beta1 == 0.9 && o.beta2 == 0.999 && o.eps == 1e-8);
    ck_assert(o.momentum == 0 && o.weight_decay == 0 && o.nesterov == 0);
    nn_graph *g = six_params();
    nn_error err;
    nn_optimizer *opt = nn_optimizer_create(g, &o, &err);
    ck_assert_msg(opt != NULL, "%s", err.msg);
    nn_optimizer_free(opt);
    opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1}, &err);
    ck_assert_msg(opt != NULL, "%s", err.msg);
    nn_optimizer_free(opt);
    nn_graph_free(g);
}
END_TEST

START_TEST(test_bad_options) {
    nn_graph *g = six_params();
    const struct {
        nn_optimizer_options o;
        const char *msg;
    } bad[] = {
        {{.kind = (nn_optimizer_kind)9, .lr = 0.1}, "unknown optimizer kind"},
        {{.kind = NN_OPT_SGD, .lr = 0}, "learning rate"},
        {{.kind = NN_OPT_SGD, .lr = -0.1}, "learning rate"},
        {{.kind = NN_OPT_ADAM, .lr = NAN}, "learning rate"},
        {{.kind = NN_OPT_SGD, .lr = INFINITY}, "learning rate"},
        {{.kind = NN_OPT_SGD, .lr = 0.1, .momentum = 1}, "momentum must be in [0, 1)"},
        {{.kind = NN_OPT_SGD, .lr = 0.1, .momentum = -0.5}, "momentum must be in [0, 1)"},
        {{.kind = NN_OPT_SGD, .lr = 0.1, .momentum = NAN}, "momentum must be in [0, 1)"},
        {{.kind = NN_OPT_SGD, .lr = 0.1, .nesterov = 1}, "Nesterov momentum needs momentum > 0"},
        {{.kind = NN_OPT_SGD, .lr = 0.1, .weight_decay = -1}, "weight decay"},
        {{.kind = NN_OPT_ADAMW, .lr = 0.1, .weight_decay = NAN}, "weight decay"},
        {{.kind = NN_OPT_ADAM, .lr = 0.1, .beta1 = 1}, "betas must be in [0, 1)"},
        {{.kind = NN_OPT_ADAM, .lr = 0.1, .beta2 = 1.5}, "betas must be in [0, 1)"},
        {{.kind = NN_OPT_ADAMW, .lr = 0.1, .beta1 = -0.9}, "betas must be in [0, 1)"},
        {{.kind = NN_OPT_ADAM, .lr = 0.1, .eps = -1e-8}, "eps must be positive"},
        /* fields are literal: Adam options with no eps are refused, not defaulted */
        {{.kind = NN_OPT_ADAM, .lr = 0.1}, "start from nn_optimizer_defaults()"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nn_error err = {0};
        nn_optimizer *opt = nn_optimizer_create(g, &bad[i].o, &err);
        ck_assert_msg(opt == NULL, "case %zu (%s) was accepted", i, bad[i].msg);
        ck_assert_int_eq(err.code, NN_ERR_ARG);
        ck_assert_msg(strstr(err.msg, bad[i].msg) && strstr(err.msg, "optimizer"),
                      "case %zu: message \"%s\" lacks \"%s\"", i, err.msg, bad[i].msg);
    }
    nn_error err = {0};
    ck_assert_ptr_null(nn_optimizer_create(g, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "no options"));
    /* a schedule may set any finite rate >= 0, nothing else */
    nn_optimizer *opt = nn_optimizer_create(g, &(nn_optimizer_options){.kind = NN_OPT_SGD,
                                                                         .lr = 0.1}, &err);
    ck_assert_ptr_nonnull(opt);
    ck_assert_int_eq(nn_optimizer_set_lr(opt, 0), NN_OK);
    ck_assert_int_eq(nn_optimizer_set_lr(opt, -0.1), NN_ERR_ARG);
    ck_assert_int_eq(nn_optimizer_set_lr(opt, NAN), NN_ERR_ARG);
    ck_assert_int_eq(nn_optimizer_set_lr(opt, INFINITY), NN_ERR_ARG);
    quadratic_grad(g);
    nn_real w0 = nn_graph_params(g)[0];
    nn_optimizer_step(opt); /* still at lr 0: nothing moves */
    ck_assert(nn_graph_params(g)[0] == w0);
    nn_optimizer_free(opt);
    nn_graph_free(g);

    nn_graph *raw = nn_graph_create(1); /* not compiled */
    nn_input(raw, 2);
    ck_assert_ptr_null(nn_optimizer_create(raw, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 1}, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "compiled"));
    nn_graph_free(raw);
}
END_TEST

Suite *test_optim_suite(void) {
    Suite *s = suite_create("optim");
    TCase *tc = tcase_create("optim");
    int n_cases = (int)(sizeof optim_ref_cases / sizeof optim_ref_cases[0]);
    tcase_add_loop_test(tc, test_against_torch, 0, n_cases);
    tcase_add_test(tc, test_first_steps_by_hand);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_bad_options);
    suite_add_tcase(s, tc);
    return s;
}
