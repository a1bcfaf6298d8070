/* test_layers.c — finite-difference checks of every layer's parameter and
 * input gradients: dense, relu, sigmoid, tanh, softmax (T = 1 and T = 2.5).
 * Derivations: docs/dense.md, docs/activations.md, docs/softmax.md.
 *
 * How input gradients are checked. An nn_input node has no gradient buffer
 * (nothing upstream of it is trainable), so each graph is
 *
 *   x (B, F) → id = dense(F→F) with W = I, b = 0 → LAYER → head → CE
 *
 * The identity dense makes the tested layer's input h equal x exactly
 * (h_j = Σ_k x_k δ_jk + 0 is exact in floating point), so ∂L/∂x = ∂L/∂h · I
 * = ∂L/∂h, which the LAYER's backward wrote into nn_output_grad(id). Central
 * differences on x's data then measure exactly that derivative. The head
 * (dense → softmax → cross-entropy) gives the tested layer a generic upstream
 * gradient, not a special one like p − y.
 *
 * Precision: in double (make REAL=double) the tolerances of testutil.h are
 * tight (1e-5 relative); in float they are loose enough for rounding in the
 * difference quotient but still catch a wrong sign, factor or missing term.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum { F = 4, K = 3, MAX_B = 5, B = 4 }; /* B < MAX_B: a smaller batch on purpose */

typedef enum { L_DENSE, L_RELU, L_SIGMOID, L_TANH, L_SOFTMAX } layer_kind;

typedef struct {
    nn_graph *g;
    int x, y, id, layer;
} fixture;

static void build(fixture *f, layer_kind kind, double T) {
    nn_graph *g = nn_graph_create(MAX_B);
    f->g = g;
    f->x = nn_input(g, F);
    f->y = nn_labels(g, K);
    f->id = nn_dense(g, f->x, F, NN_INIT_ZERO);
    switch (kind) {
    case L_DENSE: f->layer = nn_dense(g, f->id, 5, NN_INIT_HE); break;
    case L_RELU: f->layer = nn_relu(g, f->id); break;
    case L_SIGMOID: f->layer = nn_sigmoid(g, f->id); break;
    case L_TANH: f->layer = nn_tanh(g, f->id); break;
    case L_SOFTMAX: f->layer = nn_softmax(g, f->id, T); break;
    }
    /* Softmax outputs lie in (0, 1) and sum to 1: scale them up in the head
     * so the test sees a loss that actually depends on them. */
    int z = nn_dense(g, f->layer, K, NN_INIT_XAVIER);
    int p = nn_softmax(g, z, 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(g, p, f->y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(g, 11, &err) == NN_OK, "%s", err.msg);

    size_t n;
    nn_real *w = nn_node_params(g, f->id, &n); /* W (F, F) then b (F) */
    ck_assert_uint_eq(n, F * F + F);
    memset(w, 0, n * sizeof *w);
    for (int i = 0; i < F; i++) w[i * F + i] = 1;
    if (kind == L_SOFTMAX) { /* larger head weights: see above */
        nn_real *wh = nn_node_params(g, z, &n);
        for (size_t i = 0; i < n; i++) wh[i] *= 4;
    }

    nn_real *x = nn_input_data(g, f->x); /* (B, F) */
    fill_uniform(x, (size_t)B * F, -2, 2, 5);
    /* keep ReLU inputs away from its kink at 0, farther than GC_H (and than
     * the ±GC_H·|x| that perturbing the identity's weights moves them) */
    for (int i = 0; i < B * F; i++)
        if (fabs(x[i]) < 0.25) x[i] = x[i] < 0 ? -0.25 - x[i] : 0.25 + x[i];
    int32_t *lab = nn_label_data(g, f->y);
    for (int b = 0; b < B; b++) lab[b] = b % K;
}

/* Checks every parameter, then the tested layer's input gradient. */
static void check_layer(layer_kind kind, double T) {
    fixture f;
    build(&f, kind, T);
    nn_graph *g = f.g;
    int nonzero = gradcheck_params(g, B, 1000);
    ck_assert_msg(nonzero >= (int)nn_graph_n_params(g) / 3,
                  "only %d of %zu parameter gradients are non-zero", nonzero,
                  nn_graph_n_params(g));

    nn_graph_zero_grad(g);
    ck_assert(isfinite(nn_graph_forward(g, B)));
    nn_graph_backward(g, B);
    nn_real dx[B * F];
    memcpy(dx, nn_output_grad(g, f.id), sizeof dx);
    const nn_real *x = nn_input_data(g, f.x);
    int nz = 0;
    for (int i = 0; i < B * F; i++) {
        nz += dx[i] != 0;
        if (kind == L_RELU && x[i] < 0) /* a ReLU passes nothing back where x < 0 */
            ck_assert_msg(dx[i] == 0, "relu: dx[%d] = %g at x = %g", i, (double)dx[i],
                          (double)x[i]);
    }
    ck_assert_msg(nz >= (kind == L_RELU ? B * F / 4 : B * F),
                  "only %d of %d input gradients are non-zero", nz, B * F);
    gradcheck_values(g, B, nn_input_data(g, f.x), dx, (size_t)B * F);
    nn_graph_free(g);
}

START_TEST(test_dense) { check_layer(L_DENSE, 1); }
END_TEST
START_TEST(test_relu) { check_layer(L_RELU, 1); }
END_TEST
START_TEST(test_sigmoid) { check_layer(L_SIGMOID, 1); }
END_TEST
START_TEST(test_tanh) { check_layer(L_TANH, 1); }
END_TEST
START_TEST(test_softmax_t1) { check_layer(L_SOFTMAX, 1.0); }
END_TEST
START_TEST(test_softmax_t25) { check_layer(L_SOFTMAX, 2.5); }
END_TEST

/* The explicit-Jacobian softmax route through the same finite differences. */
START_TEST(test_softmax_explicit_route) {
    fixture f;
    build(&f, L_SOFTMAX, 2.5);
    ck_assert_int_eq(nn_softmax_set_route(f.g, f.layer, NN_SOFTMAX_EXPLICIT), NN_OK);
    ck_assert(gradcheck_params(f.g, B, 1000) > 0);
    nn_graph_free(f.g);
}
END_TEST

/* Element-wise forward values against the C library. */
START_TEST(test_activation_values) {
    nn_graph *g = nn_graph_create(1);
    int x = nn_input(g, 6);
    int r = nn_relu(g, x), s = nn_sigmoid(g, x), t = nn_tanh(g, x);
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    const double v[6] = {-800, -3, -0.5, 0, 0.5, 800}; /* ±800: exp overflows */
    for (int i = 0; i < 6; i++) nn_input_data(g, x)[i] = (nn_real)v[i];
    ck_assert(nn_graph_forward(g, 1) == 0); /* no loss: total 0 */
    for (int i = 0; i < 6; i++) {
        ck_assert_close(nn_output(g, r)[i], v[i] > 0 ? v[i] : 0, 0, 0);
        ck_assert_close(nn_output(g, s)[i], 1 / (1 + exp(-v[i])), REAL_TOL, REAL_TOL);
        ck_assert_close(nn_output(g, t)[i], tanh(v[i]), REAL_TOL, REAL_TOL);
        ck_assert(isfinite(nn_output(g, s)[i]));
    }
    /* NaN passes through every activation (ReLU must not turn it into 0,
     * which would hide it from the non-finite checks) */
    nn_input_data(g, x)[0] = (nn_real)NAN;
    nn_graph_forward(g, 1);
    ck_assert(isnan(nn_output(g, r)[0]) && isnan(nn_output(g, s)[0]) &&
              isnan(nn_output(g, t)[0]));
    nn_graph_free(g);
}
END_TEST

/* He: N(0, 2/n_in); Xavier: U(±sqrt(6/(n_in+n_out))); biases 0; same seed,
 * same weights; another seed, other weights. */
START_TEST(test_dense_init) {
    const int n_in = 200, n_out = 100;
    nn_real *first = NULL;
    for (int rep = 0; rep < 3; rep++) {
        nn_graph *g = nn_graph_create(1);
        int x = nn_input(g, n_in);
        int he = nn_dense(g, x, n_out, NN_INIT_HE);
        int xa = nn_dense(g, x, n_out, NN_INIT_XAVIER);
        nn_error err;
        ck_assert_int_eq(nn_graph_compile(g, rep < 2 ? 3 : 4, &err), NN_OK);
        size_t n;
        nn_real *w = nn_node_params(g, he, &n);
        double s2 = 0;
        for (int i = 0; i < n_in * n_out; i++) s2 += (double)w[i] * w[i];
        double var = s2 / (n_in * n_out);
        ck_assert_msg(fabs(var / (2.0 / n_in) - 1) < 0.05, "He variance %g, expected %g", var,
                      2.0 / n_in);
        for (int i = n_in * n_out; i < (int)n; i++) ck_assert(w[i] == 0);
        nn_real *wx = nn_node_params(g, xa, &n);
        double a = sqrt(6.0 / (n_in + n_out)), mx = 0;
        for (int i = 0; i < n_in * n_out; i++) {
            ck_assert(fabs(wx[i]) <= a);
            mx = fabs(wx[i]) > mx ? fabs(wx[i]) : mx;
        }
        ck_assert(mx > 0.95 * a); /* the whole range is used */
        if (rep == 0) {
            first = malloc(n * sizeof *first);
            memcpy(first, w, n * sizeof *first);
        } else {
            int same = memcmp(first, w, n * sizeof *first) == 0;
            ck_assert_msg(same == (rep == 1), "seed reproducibility (rep %d)", rep);
        }
        nn_graph_free(g);
    }
    free(first);
}
END_TEST

Suite *test_layers_suite(void) {
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("gradients");
    tcase_add_test(tc, test_dense);
    tcase_add_test(tc, test_relu);
    tcase_add_test(tc, test_sigmoid);
    tcase_add_test(tc, test_tanh);
    tcase_add_test(tc, test_softmax_t1);
    tcase_add_test(tc, test_softmax_t25);
    tcase_add_test(tc, test_softmax_explicit_route);
    suite_add_tcase(s, tc);
    TCase *tv = tcase_create("forward");
    tcase_add_test(tv, test_activation_values);
    tcase_add_test(tv, test_dense_init);
    suite_add_tcase(s, tv);
    return s;
}
