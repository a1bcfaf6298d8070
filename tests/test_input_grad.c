/* test_input_grad.c — gradients with respect to an input (nn_input_requires_grad),
 * through the public API only.
 *
 * One table row per layer and per loss (in each gradient mode): the net is
 *   x (B, K) input, requires grad → [the row's layers] → [its loss]
 * and dL/dx from nn_output_grad(g, x) must match central differences of the
 * total loss on every entry of x, with a guard that it is not all ~0. A new
 * layer or loss adds one row. No dense layer in front: the only gradient
 * buffers upstream of the row's nodes are the ones the input asked for.
 * Every forward starts from the same generator state, so a dropout layer
 * draws the same mask in each.
 *
 * Also: a graph with nothing to differentiate makes backward return an
 * error, an input that is only a loss's target is refused, and marking an
 * input after compile works.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum { B = 3, K = 4 };

/* The nodes a row may build on, and the data the fill step writes. */
typedef struct {
    nn_graph *g;
    int x;       /* (B, K) input that requires its gradient */
    int labels;  /* (B) class ids */
    int target;  /* (B, K) real probability (or logit) target, or -1 */
    int scalar;  /* (B, 1) real target in value units, or -1 */
} in_net;

typedef struct {
    const char *name;
    /* adds the row's nodes on n->x in `mode`; returns the first loss or -1 */
    int (*build)(in_net *n, nn_grad_mode mode);
    int both_modes; /* the loss sits on a softmax: run simplified and jacobian */
} grad_case;

static nn_loss_options opts(nn_grad_mode mode) {
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    return lo;
}

static int ce_on(in_net *n, int p, nn_grad_mode mode) {
    nn_loss_options lo = opts(mode);
    return nn_cross_entropy(n->g, p, n->labels, &lo);
}

/* ---- layers, each followed by a loss that reads it */
static int b_dense(in_net *n, nn_grad_mode m) {
    return ce_on(n, nn_softmax(n->g, nn_dense(n->g, n->x, K, NN_INIT_XAVIER), 1.0), m);
}
static int b_relu(in_net *n, nn_grad_mode m) { return ce_on(n, nn_softmax(n->g, nn_relu(n->g, n->x), 1.0), m); }
static int b_sigmoid(in_net *n, nn_grad_mode m) { return ce_on(n, nn_softmax(n->g, nn_sigmoid(n->g, n->x), 1.0), m); }
static int b_tanh(in_net *n, nn_grad_mode m) { return ce_on(n, nn_softmax(n->g, nn_tanh(n->g, n->x), 1.0), m); }
static int b_dropout(in_net *n, nn_grad_mode m) { return ce_on(n, nn_softmax(n->g, nn_dropout(n->g, n->x, 0.4), 1.0), m); }
static int b_softmax_t(in_net *n, nn_grad_mode m) { return ce_on(n, nn_softmax(n->g, n->x, 1.7), m); }
static int b_softmax_explicit(in_net *n, nn_grad_mode m) {
    int p = nn_softmax(n->g, n->x, 0.8);
    if (p >= 0 && nn_softmax_set_route(n->g, p, NN_SOFTMAX_EXPLICIT) != NN_OK) return -1;
    return ce_on(n, p, m);
}
static int b_expectation(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    int mu = nn_expectation(n->g, nn_softmax(n->g, n->x, 1.0), NULL);
    return nn_ev_squared(n->g, mu, n->scalar, NULL, &lo);
}
static int b_variance(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    return nn_ev_variance(n->g, nn_variance(n->g, nn_softmax(n->g, n->x, 1.0), NULL), NULL, &lo);
}
static int b_stddev(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    return nn_ev_squared(n->g, nn_stddev(n->g, nn_softmax(n->g, n->x, 1.0), NULL), n->scalar, NULL, &lo);
}
/* ---- losses, on softmax(x) or on x */
static int b_ce(in_net *n, nn_grad_mode m) { return ce_on(n, nn_softmax(n->g, n->x, 1.3), m); }
static int b_ce_soft(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    return nn_cross_entropy_ex(n->g, nn_softmax(n->g, n->x, 1.0), n->target, NULL, &lo);
}
static int b_ce_smooth_weighted(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    const double w[K] = {1, 2, 0.5, 1.5};
    nn_ce_options co = nn_ce_defaults();
    co.smoothing = 0.1;
    co.class_weights = w;
    return nn_cross_entropy_ex(n->g, nn_softmax(n->g, n->x, 1.0), n->labels, &co, &lo);
}
static int b_ce_logit_target(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    nn_ce_options co = nn_ce_defaults();
    co.target_temperature = 2;
    return nn_cross_entropy_ex(n->g, nn_softmax(n->g, n->x, 2.0), n->target, &co, &lo);
}
static int b_kl(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    nn_kl_options ko = nn_kl_defaults();
    ko.scale_t2 = 1;
    return nn_kl_div(n->g, nn_softmax(n->g, n->x, 1.5), n->target, &ko, &lo);
}
static int b_kl_reverse(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    nn_kl_options ko = nn_kl_defaults();
    ko.direction = NN_KL_REVERSE;
    return nn_kl_div(n->g, nn_softmax(n->g, n->x, 1.0), n->target, &ko, &lo);
}
static int b_distillation(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    nn_distill_options d = {.alpha = 0.7, .temperature = 3};
    nn_distill_nodes dn;
    return nn_distillation(n->g, n->x, n->target, n->labels, &d, &lo, &dn);
}
static int b_ev_squared(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    const double v[K] = {0, 1, 3, 4};
    return nn_ev_squared(n->g, nn_softmax(n->g, n->x, 1.0), n->labels, v, &lo);
}
static int b_ev_absolute(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    return nn_ev_absolute(n->g, nn_softmax(n->g, n->x, 1.0), n->scalar, NULL, &lo);
}
static int b_ev_variance(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    return nn_ev_variance(n->g, nn_softmax(n->g, n->x, 1.0), NULL, &lo);
}
static int b_mean_variance(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    nn_mean_variance_nodes mv;
    return nn_mean_variance(n->g, nn_softmax(n->g, n->x, 1.0), n->labels, NULL, &lo, &mv);
}
static int b_gaussian_kl(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    return nn_gaussian_kl(n->g, n->x, &lo);
}
/* ---- ordinal heads (K − 1 logits for the K classes of n->labels) */
static int b_coral(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    return nn_coral_loss(n->g, nn_coral_head(n->g, n->x, K, NN_INIT_XAVIER), n->labels, &lo);
}
static int b_corn(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    return nn_corn_loss(n->g, nn_dense(n->g, n->x, K - 1, NN_INIT_XAVIER), n->labels, &lo);
}
static int b_clm(in_net *n, nn_grad_mode m) {
    nn_loss_options lo = opts(m);
    int s = nn_dense(n->g, n->x, 1, NN_INIT_XAVIER);
    return nn_clm_loss(n->g, nn_clm_thresholds(n->g, s, K), n->labels, &lo);
}
static int b_ordinal_probs(in_net *n, nn_grad_mode m, nn_ordinal_logits kind) {
    nn_loss_options lo = opts(m);
    int p = nn_ordinal_probs(n->g, nn_dense(n->g, n->x, K - 1, NN_INIT_XAVIER), kind);
    return nn_ev_squared(n->g, nn_expectation(n->g, p, NULL), n->scalar, NULL, &lo);
}
static int b_probs_cumulative(in_net *n, nn_grad_mode m) {
    return b_ordinal_probs(n, m, NN_ORDINAL_CUMULATIVE);
}
static int b_probs_conditional(in_net *n, nn_grad_mode m) {
    return b_ordinal_probs(n, m, NN_ORDINAL_CONDITIONAL);
}

static const grad_case cases[] = {
    {"dense", b_dense, 0},
    {"relu", b_relu, 0},
    {"sigmoid", b_sigmoid, 0},
    {"tanh", b_tanh, 0},
    {"dropout (training mode, fixed mask)", b_dropout, 0},
    {"softmax T = 1.7", b_softmax_t, 1},
    {"softmax, explicit Jacobian route", b_softmax_explicit, 1},
    {"expectation head", b_expectation, 0},
    {"variance head", b_variance, 0},
    {"stddev head", b_stddev, 0},
    {"cross-entropy", b_ce, 1},
    {"cross-entropy, soft targets", b_ce_soft, 1},
    {"cross-entropy, smoothing and class weights", b_ce_smooth_weighted, 1},
    {"cross-entropy, logit targets", b_ce_logit_target, 1},
    {"KL, T² scaled", b_kl, 1},
    {"reverse KL", b_kl_reverse, 1},
    {"distillation", b_distillation, 1},
    {"ev-squared", b_ev_squared, 1},
    {"ev-absolute", b_ev_absolute, 1},
    {"ev-variance", b_ev_variance, 1},
    {"mean-variance", b_mean_variance, 1},
    {"Gaussian KL", b_gaussian_kl, 0},
    {"CORAL head and loss", b_coral, 0},
    {"CORN loss", b_corn, 0},
    {"cumulative-link thresholds and NLL", b_clm, 0},
    {"ordinal probabilities, cumulative", b_probs_cumulative, 0},
    {"ordinal probabilities, conditional", b_probs_conditional, 0},
};
enum { N_CASES = sizeof cases / sizeof *cases };

/* Builds the row's net, compiles it and fills x, labels and targets. */
static in_net make_net(const grad_case *c, nn_grad_mode mode) {
    in_net n = {.g = nn_graph_create(B)};
    ck_assert_ptr_nonnull(n.g);
    n.x = nn_input(n.g, K);
    n.labels = nn_labels(n.g, K);
    n.target = nn_input(n.g, K);
    n.scalar = nn_input(n.g, 1);
    nn_error err;
    ck_assert_int_eq(nn_input_requires_grad(n.g, n.x, &err), NN_OK);
    ck_assert_msg(c->build(&n, mode) >= 0, "%s: %s", c->name, nn_graph_error(n.g));
    ck_assert_msg(nn_graph_compile(n.g, 3, &err) == NN_OK, "%s: %s", c->name, err.msg);
    fill_uniform(nn_input_data(n.g, n.x), B * K, -1.5, 1.5, 11);
    nn_real *t = nn_input_data(n.g, n.target); /* (B, K): rows of a distribution */
    fill_uniform(t, B * K, 0.1, 1, 12);
    for (int b = 0; b < B; b++) {
        double s = 0;
        for (int i = 0; i < K; i++) s += t[b * K + i];
        for (int i = 0; i < K; i++) t[b * K + i] = (nn_real)(t[b * K + i] / s);
    }
    fill_uniform(nn_input_data(n.g, n.scalar), B, 0.2, 2.8, 13);
    int32_t *y = nn_label_data(n.g, n.labels);
    for (int b = 0; b < B; b++) y[b] = (b * 3 + 1) % K;
    return n;
}

/* Total loss over B rows with the generator reset to *rng (the same masks). */
static double loss_at(nn_graph *g, const nn_rng *rng) {
    *nn_graph_rng(g) = *rng;
    return nn_graph_forward(g, B);
}

START_TEST(test_input_gradient_matches_finite_differences) {
    const grad_case *c = &cases[_i];
    nn_grad_mode modes[2] = {NN_GRAD_SIMPLIFIED, NN_GRAD_JACOBIAN};
    for (int m = 0; m < (c->both_modes ? 2 : 1); m++) {
        in_net n = make_net(c, modes[m]);
        nn_rng rng = *nn_graph_rng(n.g);
        nn_graph_zero_grad(n.g);
        double L = loss_at(n.g, &rng);
        ck_assert_msg(isfinite(L), "%s: loss %g (%s)", c->name, L, nn_graph_run_error(n.g));
        ck_assert_int_eq(nn_graph_backward(n.g, B), NN_OK);
        const nn_real *dx = nn_output_grad(n.g, n.x); /* (B, K) */
        ck_assert_msg(dx != NULL, "%s: nn_output_grad of the input is NULL", c->name);
        nn_real *x = nn_input_data(n.g, n.x);
        int nonzero = 0;
        for (int i = 0; i < B * K; i++) {
            nn_real keep = x[i];
            x[i] = (nn_real)(keep + GC_H);
            double up = loss_at(n.g, &rng);
            x[i] = (nn_real)(keep - GC_H);
            double down = loss_at(n.g, &rng);
            x[i] = keep;
            double numeric = (up - down) / (2 * GC_H);
            ck_assert_msg(close_enough(dx[i], numeric, GC_ATOL, GC_RTOL),
                          "%s (%s mode), x[%d]: analytic %.10g, finite difference %.10g", c->name,
                          m ? "jacobian" : "simplified", i, (double)dx[i], numeric);
            nonzero += fabs(dx[i]) > 10 * GC_ATOL;
        }
        ck_assert_msg(nonzero > 0, "%s: every dL/dx is ~0: backward wrote nothing", c->name);
        nn_graph_free(n.g);
    }
}
END_TEST

/* Every softmax loss: dL/dx is the same in both modes (the rows above check
 * each against finite differences; this pins them to each other tightly). */
START_TEST(test_input_gradient_modes_agree) {
    for (int c = 0; c < N_CASES; c++) {
        if (!cases[c].both_modes) continue;
        nn_real dx[2][B * K];
        for (int m = 0; m < 2; m++) {
            in_net n = make_net(&cases[c], m ? NN_GRAD_JACOBIAN : NN_GRAD_SIMPLIFIED);
            nn_graph_zero_grad(n.g);
            nn_graph_forward(n.g, B);
            ck_assert_int_eq(nn_graph_backward(n.g, B), NN_OK);
            memcpy(dx[m], nn_output_grad(n.g, n.x), sizeof dx[m]);
            nn_graph_free(n.g);
        }
        for (int i = 0; i < B * K; i++)
            ck_assert_msg(close_enough(dx[0][i], dx[1][i], 10 * REAL_TOL, 100 * REAL_TOL),
                          "%s, x[%d]: simplified %.10g, jacobian %.10g", cases[c].name, i,
                          (double)dx[0][i], (double)dx[1][i]);
    }
}
END_TEST

/* No parameter and no input requiring its gradient: backward refuses. */
START_TEST(test_backward_with_nothing_to_differentiate) {
    nn_graph *g = nn_graph_create(2);
    int x = nn_input(g, 3), y = nn_labels(g, 3);
    nn_cross_entropy(g, nn_softmax(g, x, 1.0), y, NULL);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    fill_uniform(nn_input_data(g, x), 6, -1, 1, 1);
    ck_assert(isfinite(nn_graph_forward(g, 2)));
    ck_assert_int_eq(nn_graph_backward(g, 2), NN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(nn_graph_run_error(g), "nothing to differentiate"));
    ck_assert_ptr_null(nn_output_grad(g, x));
    /* asking for dL/dx after compile makes the same graph differentiable */
    ck_assert_int_eq(nn_input_requires_grad(g, x, &err), NN_OK);
    nn_graph_zero_grad(g);
    nn_graph_forward(g, 2);
    ck_assert_int_eq(nn_graph_backward(g, 2), NN_OK);
    ck_assert_ptr_null(nn_graph_run_error(g));
    nn_real dx[6];
    memcpy(dx, nn_output_grad(g, x), sizeof dx);
    gradcheck_values(g, 2, nn_input_data(g, x), dx, 6);
    /* after a failed forward, backward says so too */
    nn_label_data(g, y)[0] = 7;
    ck_assert(isnan(nn_graph_forward(g, 2)));
    ck_assert_int_eq(nn_graph_backward(g, 2), NN_ERR_ARG);
    nn_graph_free(g);
}
END_TEST

/* A loss does not differentiate its target: asking for the target's
 * gradient is refused at compile (and after it), not answered with zeros. */
START_TEST(test_requires_grad_on_a_target_is_refused) {
    for (int late = 0; late < 2; late++) {
        nn_graph *g = nn_graph_create(2);
        int x = nn_input(g, 3), t = nn_input(g, 3);
        nn_kl_div(g, nn_softmax(g, nn_dense(g, x, 3, NN_INIT_XAVIER), 1.0), t, NULL, NULL);
        nn_error err;
        if (!late) {
            ck_assert_int_eq(nn_input_requires_grad(g, t, &err), NN_OK);
            ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_ERR_ARG);
        } else {
            ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
            ck_assert_int_eq(nn_input_requires_grad(g, t, &err), NN_ERR_ARG);
            ck_assert_ptr_null(nn_output_grad(g, t)); /* nothing was laid out */
        }
        ck_assert_msg(strstr(err.msg, "no loss depends on it") != NULL, "%s", err.msg);
        nn_graph_free(g);
    }
}
END_TEST

START_TEST(test_requires_grad_needs_an_input_node) {
    nn_graph *g = nn_graph_create(2);
    int x = nn_input(g, 3), y = nn_labels(g, 3), h = nn_relu(g, x);
    nn_error err;
    ck_assert_int_eq(nn_input_requires_grad(g, y, &err), NN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "class labels"));
    ck_assert_int_eq(nn_input_requires_grad(g, h, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_input_requires_grad(g, 99, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_input_requires_grad(NULL, 0, NULL), NN_ERR_ARG);
    nn_graph_free(g);
}
END_TEST

Suite *test_input_grad_suite(void) {
    Suite *s = suite_create("input_grad");
    TCase *tc = tcase_create("every layer and loss");
    tcase_add_loop_test(tc, test_input_gradient_matches_finite_differences, 0, N_CASES);
    tcase_add_test(tc, test_input_gradient_modes_agree);
    suite_add_tcase(s, tc);
    TCase *te = tcase_create("errors");
    tcase_add_test(te, test_backward_with_nothing_to_differentiate);
    tcase_add_test(te, test_requires_grad_on_a_target_is_refused);
    tcase_add_test(te, test_requires_grad_needs_an_input_node);
    suite_add_tcase(s, te);
    return s;
}
