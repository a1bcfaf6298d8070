/* walkthrough.c — backpropagation through a 3-4-3 network, one number at a time.
 *
 *   x (3) → dense W1 (4×3), b1 → relu → dense W2 (3×4), b2 → softmax → cross-entropy
 *
 * The weights are set by hand to short decimals so that every number printed
 * can be checked with pencil and paper (or a calculator). Each step is
 * computed twice: here, in plain loops that spell out the formula, and by the
 * library's graph; the two must agree. Then every one of the 31 weight
 * gradients is compared with a central finite difference.
 *
 * The softmax gradient is shown the long way — the full 3×3 Jacobian J and
 * the product Jᵀ·∂L/∂p — next to the short way, p − y. Every column of J sums
 * to zero, which is why "summing the softmax derivative" gives zeros and
 * not a gradient.
 *
 * The input asks for its gradient too (nn_input_requires_grad), so the chain
 * ends at ∂L/∂x. Last, the same sample at logits large enough that the
 * label's p falls below NN_PROB_MIN: jacobian mode, which divides by p, loses
 * the whole row's gradient while simplified mode stays exact — the reason
 * frameworks fuse softmax and cross-entropy. The sentences after that table
 * are computed from its rows, in either precision; tests/test_walkthrough.c
 * checks every claim this program prints.
 *
 * Usage: walkthrough [OUT_DIR]   (writes OUT_DIR/walkthrough_jacobian.svg and
 *                                walkthrough_graph.dot)
 * `make walkthrough` builds it with REAL=double so that the finite
 * differences agree with the analytic gradients to about 10 digits.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "nn/nn.h"

enum { N_IN = 3, N_HID = 4, K = 3 };

/* ---------------------------------------------------------------- the data */

static const double X[2][N_IN] = {{1.0, 0.5, -1.0},  /* sample 1 */
                                  {-0.5, 1.0, 0.5}}; /* sample 2, used in part 4 */
static const int LABEL[2] = {2, 0};

static const double W1[N_HID][N_IN] = {{0.5, -0.2, 0.1},
                                       {-0.3, 0.8, 0.2},
                                       {0.4, 0.1, -0.6},
                                       {0.6, 0.2, -0.3}};
static const double B1[N_HID] = {0.1, 0.0, -0.2, 0.1};
static const double W2[K][N_HID] = {{0.3, -0.5, 0.2, 0.1},
                                    {-0.2, 0.4, 0.6, -0.3},
                                    {0.5, 0.1, -0.4, 0.2}};
static const double B2[K] = {0.0, 0.1, -0.1};

/* ------------------------------------------------------- the library's net */

typedef struct {
    nn_graph *g;
    int x, y, dense1, relu, dense2, p, loss; /* node ids */
} net;

/* Builds the network; `mode` picks how the loss sends its gradient back
 * (closed form p − y, or ∂L/∂p through the softmax's explicit Jacobian). */
static nn_status build(net *n, int max_batch, nn_grad_mode mode, nn_error *err) {
    nn_graph *g = n->g = nn_graph_create(max_batch);
    if (!g) return NN_ERR_NOMEM;
    n->x = nn_input(g, N_IN);
    n->y = nn_labels(g, K);
    n->dense1 = nn_dense(g, n->x, N_HID, NN_INIT_ZERO);
    n->relu = nn_relu(g, n->dense1);
    n->dense2 = nn_dense(g, n->relu, K, NN_INIT_ZERO);
    n->p = nn_softmax(g, n->dense2, 1.0);
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    n->loss = nn_cross_entropy(g, n->p, n->y, &lo);
    nn_status st = nn_input_requires_grad(g, n->x, err); /* ∂L/∂x too */
    if (!st) st = nn_graph_compile(g, 1, err);
    if (st) return st;
    if ((st = nn_softmax_set_route(g, n->p, NN_SOFTMAX_EXPLICIT))) return st;
    /* Dense parameters are stored as W (n_out, n_in) then b (n_out). */
    nn_real *w1 = nn_node_params(g, n->dense1, NULL), *w2 = nn_node_params(g, n->dense2, NULL);
    for (int j = 0; j < N_HID; j++) {
        for (int i = 0; i < N_IN; i++) w1[j * N_IN + i] = (nn_real)W1[j][i];
        w1[N_HID * N_IN + j] = (nn_real)B1[j];
    }
    for (int k = 0; k < K; k++) {
        for (int j = 0; j < N_HID; j++) w2[k * N_HID + j] = (nn_real)W2[k][j];
        w2[K * N_HID + k] = (nn_real)B2[k];
    }
    return NN_OK;
}

/* Feeds rows [first, first + B) of X and LABEL; forward + backward. */
static double run(net *n, int first, int B) {
    nn_real *x = nn_input_data(n->g, n->x);
    int32_t *y = nn_label_data(n->g, n->y);
    for (int b = 0; b < B; b++) {
        for (int i = 0; i < N_IN; i++) x[b * N_IN + i] = (nn_real)X[first + b][i];
        y[b] = LABEL[first + b];
    }
    nn_graph_zero_grad(n->g);
    double loss = nn_graph_forward(n->g, B);
    nn_graph_backward(n->g, B);
    return loss;
}

/* --------------------------------------------------------------- printing */

/* Prints s left-aligned in `width` columns. printf's %-8s counts bytes, and
 * "∂" is three bytes of UTF-8, so count characters instead. */
static void print_padded(const char *s, int width) {
    int chars = 0;
    for (const char *c = s; *c; c++) chars += ((unsigned char)*c & 0xC0) != 0x80;
    printf("%s%*s", s, width > chars ? width - chars : 0, "");
}

/* A value with 5 decimals; rounding noise (|v| < 5e-6, e.g. −1e-17) prints
 * as 0.00000 rather than −0.00000. */
static void print_num(double v) { printf("%9.5f", fabs(v) < 5e-6 ? 0.0 : v); }

static void print_vec(const char *name, const double *v, int n) {
    printf("  ");
    print_padded(name, 8);
    printf(" = [");
    for (int i = 0; i < n; i++) printf("%s", i ? ", " : ""), print_num(v[i]);
    printf(" ]\n");
}

static void print_mat(const char *name, const double *m, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        printf("  ");
        print_padded(r == 0 ? name : "", 8);
        printf(" %s", r == 0 ? "= [" : "  [");
        for (int c = 0; c < cols; c++) printf("%s", c ? ", " : ""), print_num(m[r * cols + c]);
        printf(" ]\n");
    }
}

/* Largest |a_i − b_i|: how far the hand computation is from the library's. */
static double max_diff(const double *a, const nn_real *b, int n) {
    double d = 0;
    for (int i = 0; i < n; i++) d = fmax(d, fabs(a[i] - (double)b[i]));
    return d;
}

static void agree(const char *what, const double *hand, const nn_real *lib, int n) {
    printf("  library's ");
    print_padded(what, 34);
    printf("max |hand − library| = %.1e\n", max_diff(hand, lib, n));
}

/* Creates the output folder if it is missing, before any work is done. */
static int make_out_dir(const char *dir) {
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "%s: cannot create the output folder: %s\n", dir, strerror(errno));
    return 1;
}

/* The network as Graphviz DOT, annotated with sample 1's forward values and
 * gradient norms (`make walkthrough` draws it with dot). */
static int write_graph(const net *n, const char *out_dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/walkthrough_graph.dot", out_dir);
    nn_error err;
    nn_dot_options o = {.annotate = 1, .row = 0, .predictions = n->p,
                        .title = "the walkthrough's network, sample 1 (jacobian mode)"};
    nn_atomic_file af; /* a crash never leaves half a file */
    nn_status st = nn_atomic_open(&af, path, &err);
    if (!st && (st = nn_graph_write_dot(af.f, n->g, &o, &err))) nn_atomic_abort(&af);
    else if (!st) st = nn_atomic_commit(&af, &err);
    if (st) {
        fprintf(stderr, "walkthrough: %s: %s\n", path, err.msg);
        return 1;
    }
    printf("\n  (the graph, annotated with this sample, written to %s)\n", path);
    return 0;
}

/* ------------------------------------------------ 5: when jacobian mode fails */

/* z (K) input asking for its gradient → softmax → cross-entropy in `mode`:
 * ∂L/∂z is then nn_output_grad of the input, p the softmax's output. */
static nn_graph *logit_net(nn_grad_mode mode, int *z, int *y, int *p, nn_error *err) {
    nn_graph *g = nn_graph_create(1);
    if (!g) return NULL;
    *z = nn_input(g, K);
    *y = nn_labels(g, K);
    nn_loss_options lo = nn_loss_defaults();
    lo.mode = mode;
    *p = nn_softmax(g, *z, 1.0);
    nn_cross_entropy(g, *p, *y, &lo);
    if (nn_input_requires_grad(g, *z, err) || nn_graph_compile(g, 1, err)) {
        nn_graph_free(g);
        return NULL;
    }
    return g;
}

/* The scales of part 5: 1, a moderate one, the last before the clamp, one
 * just past it (p_y/NN_PROB_MIN ≈ 0.1) and one where p_y is 0. The clamp
 * is where the logit gap (z_max − z_y = 0.42 s here) passes ln(1/NN_PROB_MIN):
 * 69 in float, 691 in double. */
#ifdef NN_DOUBLE
static const double SCALES[5] = {1, 30, 1600, 1650, 3000};
#else
static const double SCALES[5] = {1, 30, 160, 170, 300};
#endif

/* The sample's logits z times a growing scale s: the label's p falls below
 * the clamp NN_PROB_MIN, and jacobian mode's whole row goes wrong. */
static int saturation(const double *z, int y, nn_error *err) {
    int zs, ys, ps, zj, yj, pj;
    nn_graph *s = logit_net(NN_GRAD_SIMPLIFIED, &zs, &ys, &ps, err);
    nn_graph *j = logit_net(NN_GRAD_JACOBIAN, &zj, &yj, &pj, err);
    if (!s || !j) {
        fprintf(stderr, "walkthrough: %s\n", err->msg);
        nn_graph_free(s);
        nn_graph_free(j);
        return 1;
    }
    printf("\n5. WHEN JACOBIAN MODE FAILS: the same sample, logits scaled by s\n\n"
           "  Jacobian mode sends ∂L/∂p_y = −1/p_y, and p_y can underflow, so it uses\n"
           "  −1/max(p_y, NN_PROB_MIN) with NN_PROB_MIN = %g here (%s). Below the clamp\n"
           "  ⟨∂L/∂p, p⟩ = −p_y/NN_PROB_MIN instead of −1, and the softmax's backward\n"
           "  subtracts it from EVERY class: the whole row is scaled by p_y/NN_PROB_MIN.\n\n"
           "       s        p_y   clamped   ∂L/∂z simplified (p − y)        ∂L/∂z jacobian\n",
           (double)NN_PROB_MIN, sizeof(nn_real) == sizeof(double) ? "double" : "float; 1e-300 in double");
    double first_scale = 0, first_p = 0, first_ratio = 0, zero_scale = 0; /* what the rows showed */
    int one_ratio = 1;
    for (int c = 0; c < 5; c++) {
        nn_graph *both[2] = {s, j};
        const int zid[2] = {zs, zj}, yid[2] = {ys, yj};
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < K; i++) nn_input_data(both[k], zid[k])[i] = (nn_real)(SCALES[c] * z[i]);
            nn_label_data(both[k], yid[k])[0] = y;
            nn_graph_zero_grad(both[k]);
            nn_graph_forward(both[k], 1);
            nn_graph_backward(both[k], 1);
        }
        const nn_real *ds = nn_output_grad(s, zs), *dj = nn_output_grad(j, zj);
        double p_y = nn_output(j, pj)[y];
        long clamped = nn_graph_clamped(j);
        printf("  %6g  %9.2e  %8ld   [%7.4f %7.4f %7.4f]   [%7.4f %7.4f %7.4f]\n", SCALES[c], p_y, clamped,
               (double)ds[0], (double)ds[1], (double)ds[2], (double)dj[0], (double)dj[1], (double)dj[2]);
        if (clamped && p_y > 0 && !first_scale) { /* the ratio jacobian/simplified, the same on every class? */
            first_scale = SCALES[c], first_p = p_y, first_ratio = (double)dj[y] / (double)ds[y];
            for (int i = 0; i < K; i++)
                if (fabs((double)ds[i]) > 1e-3 && fabs((double)dj[i] / (double)ds[i] - first_ratio) > 1e-3 * first_ratio)
                    one_ratio = 0;
        }
        if (clamped && p_y == 0 && !zero_scale) zero_scale = SCALES[c];
    }
    if (first_scale)
        printf("\n  At s = %g p_y = %.3g is just below the clamp: %s of the jacobian\n"
               "  row is the simplified one times %.4f, and p_y/NN_PROB_MIN = %.4f.\n",
               first_scale, first_p, one_ratio ? "every class" : "the label's class", first_ratio,
               first_p / (double)NN_PROB_MIN);
    if (zero_scale)
        printf("  At s = %g p_y underflows to 0 and jacobian mode sends nothing, while the\n"
               "  simplified gradient still pulls hard towards the label — for exactly the\n"
               "  badly wrong predictions that most need a gradient.\n", zero_scale);
    printf("  The library counts every engaged clamp (nn_graph_clamped; nn train warns, and\n"
           "  nn trace says when a sample would clamp). This is why frameworks fuse softmax\n"
           "  and cross-entropy (PyTorch's CrossEntropyLoss takes logits): the fused\n"
           "  gradient p − y never divides by p.\n");
    nn_graph_free(s);
    nn_graph_free(j);
    return 0;
}

/* ------------------------------------------------------------------- main */

int main(int argc, char **argv) {
    const char *out_dir = argc > 1 ? argv[1] : ".";
    if (argc > 2) {
        fprintf(stderr, "usage: walkthrough [OUT_DIR]\n");
        return 2;
    }
    if (make_out_dir(out_dir)) return 1;
    nn_error err;
    net n = {0}, simple = {0}, pair = {0};
    if (build(&n, 2, NN_GRAD_JACOBIAN, &err) || build(&simple, 1, NN_GRAD_SIMPLIFIED, &err) ||
        build(&pair, 2, NN_GRAD_SIMPLIFIED, &err)) {
        fprintf(stderr, "walkthrough: %s\n", err.msg);
        return 1;
    }
    const double *x = X[0];
    const int y = LABEL[0];
    double loss_lib = run(&n, 0, 1);

    printf("Backpropagation through 3-4-3: x → dense → relu → dense → softmax → cross-entropy\n"
           "(nn_real is %s; every step computed by hand here, then read from the library)\n\n",
           sizeof(nn_real) == sizeof(double) ? "double" : "float");

    /* ================================================================ 1 */
    printf("1. FORWARD, one sample, true class y = %d\n\n", y);
    print_vec("x", x, N_IN);

    printf("\n  dense 1: z1 = W1·x + b1\n");
    double z1[N_HID], h[N_HID];
    for (int j = 0; j < N_HID; j++) {
        z1[j] = B1[j];
        printf("    z1[%d] =", j);
        for (int i = 0; i < N_IN; i++) {
            z1[j] += W1[j][i] * x[i];
            printf(" %s(%g)(%g)", i ? "+ " : "", W1[j][i], x[i]);
        }
        printf(" + (%g) = %8.5f\n", B1[j], z1[j]);
    }
    agree("dense 1 output:", z1, nn_output(n.g, n.dense1), N_HID);

    printf("\n  relu: h = max(0, z1)\n");
    for (int j = 0; j < N_HID; j++) h[j] = z1[j] > 0 ? z1[j] : 0;
    print_vec("h", h, N_HID);
    agree("relu output:", h, nn_output(n.g, n.relu), N_HID);

    printf("\n  dense 2: z = W2·h + b2  (the logits)\n");
    double z[K];
    for (int k = 0; k < K; k++) {
        z[k] = B2[k];
        printf("    z[%d] =", k);
        for (int j = 0; j < N_HID; j++) {
            z[k] += W2[k][j] * h[j];
            printf(" %s(%g)(%.2f)", j ? "+ " : "", W2[k][j], h[j]);
        }
        printf(" + (%g) = %8.5f\n", B2[k], z[k]);
    }
    agree("logits:", z, nn_output(n.g, n.dense2), K);

    printf("\n  softmax: p_i = exp(z_i − m) / Σ_j exp(z_j − m), m = max z = %g\n"
           "  (subtracting m changes nothing but keeps exp from overflowing)\n", fmax(z[0], fmax(z[1], z[2])));
    double m = fmax(z[0], fmax(z[1], z[2])), e[K], sum = 0, p[K];
    for (int k = 0; k < K; k++) sum += e[k] = exp(z[k] - m);
    for (int k = 0; k < K; k++) p[k] = e[k] / sum;
    print_vec("exp(z−m)", e, K);
    printf("  %-8s = %9.5f\n", "sum", sum);
    print_vec("p", p, K);
    agree("softmax output:", p, nn_output(n.g, n.p), K);

    double loss = -log(p[y]);
    printf("\n  loss: L = −log p[y] = −log %.5f = %.5f   (library: %.5f)\n\n", p[y], loss, loss_lib);

    /* ================================================================ 2 */
    printf("2. BACKWARD, from the loss to the first layer\n\n");
    double dp[K];
    for (int k = 0; k < K; k++) dp[k] = k == y ? -1 / p[k] : 0;
    printf("  ∂L/∂p_i = −y_i / p_i   (y one-hot: only the true class is non-zero)\n");
    print_vec("∂L/∂p", dp, K);
    agree("∂L/∂p (jacobian mode):", dp, nn_output_grad(n.g, n.p), K);

    printf("\n  softmax Jacobian: J_ij = ∂p_i/∂z_j = p_i (δ_ij − p_j)\n");
    nn_real p_r[K], J_r[K * K];
    double J[K * K];
    for (int k = 0; k < K; k++) p_r[k] = (nn_real)p[k];
    nn_softmax_jacobian(J_r, p_r, K, 1.0);
    for (int i = 0; i < K * K; i++) J[i] = J_r[i];
    print_mat("J", J, K, K);
    printf("  (diagonal p_i(1 − p_i) > 0, off-diagonal −p_i p_j < 0, symmetric)\n");

    printf("\n  chain rule: ∂L/∂z_j = Σ_i ∂L/∂p_i · J_ij = (Jᵀ·∂L/∂p)_j\n"
           "  which simplifies to p − y, since −(1/p_y) · p_y(δ_yj − p_j) = p_j − δ_yj:\n\n"
           "        j    Jᵀ·∂L/∂p      p − y    library (jacobian)  library (simplified)\n");
    run(&simple, 0, 1);
    double dz[K];
    for (int j = 0; j < K; j++) {
        dz[j] = 0;
        for (int i = 0; i < K; i++) dz[j] += J[i * K + j] * dp[i];
        printf("        %d  %10.5f  %10.5f  %18.5f  %20.5f\n", j, dz[j], p[j] - (j == y),
               (double)nn_output_grad(n.g, n.dense2)[j],
               (double)nn_output_grad(simple.g, simple.dense2)[j]);
    }
    agree("∂L/∂z (jacobian mode):", dz, nn_output_grad(n.g, n.dense2), K);
    agree("∂L/∂z (simplified mode):", dz, nn_output_grad(simple.g, simple.dense2), K);

    double colsum[K];
    for (int j = 0; j < K; j++) {
        colsum[j] = 0;
        for (int i = 0; i < K; i++) colsum[j] += J[i * K + j];
    }
    printf("\n  column sums of J: Σ_i J_ij = p_j − p_j Σ_i p_i = 0\n");
    printf("  Σ_i J_ij = [%9.1e, %9.1e, %9.1e ]   (zero up to rounding)\n", colsum[0], colsum[1],
           colsum[2]);
    printf("  So summing the Jacobian over an axis (J.sum(axis=0)) gives zeros, not a\n"
           "  gradient — the source of \"the softmax derivative is always 0\". The gradient\n"
           "  is the product Jᵀ·∂L/∂p with the incoming ∂L/∂p. (Zero column sums also mean\n"
           "  that adding one constant to every ∂L/∂p_i changes nothing.)\n");
    char svg[1024];
    snprintf(svg, sizeof svg, "%s/walkthrough_jacobian.svg", out_dir);
    if (nn_plot_heatmap_svg(svg, "softmax Jacobian J = ∂p/∂z", J, K, K, &err)) {
        fprintf(stderr, "walkthrough: %s\n", err.msg);
        return 1;
    }
    printf("  (heat map of J written to %s)\n", svg);

    printf("\n  dense 2 backward, with dz = ∂L/∂z:\n"
           "    ∂L/∂W2[k][j] = dz[k]·h[j]    ∂L/∂b2[k] = dz[k]    ∂L/∂h[j] = Σ_k W2[k][j]·dz[k]\n");
    double dW2[K * N_HID], dh[N_HID];
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N_HID; j++) dW2[k * N_HID + j] = dz[k] * h[j];
    for (int j = 0; j < N_HID; j++) {
        dh[j] = 0;
        for (int k = 0; k < K; k++) dh[j] += W2[k][j] * dz[k];
    }
    print_mat("∂L/∂W2", dW2, K, N_HID);
    print_vec("∂L/∂b2", dz, K);
    print_vec("∂L/∂h", dh, N_HID);
    const nn_real *g2 = nn_node_param_grads(n.g, n.dense2, NULL);
    agree("∂L/∂W2:", dW2, g2, K * N_HID);
    agree("∂L/∂b2:", dz, g2 + K * N_HID, K);
    agree("∂L/∂h:", dh, nn_output_grad(n.g, n.relu), N_HID);

    printf("\n  relu backward: ∂L/∂z1[j] = ∂L/∂h[j] if z1[j] > 0, else 0 (units off:");
    for (int j = 0; j < N_HID; j++)
        if (z1[j] <= 0) printf(" %d", j);
    printf(")\n");
    double dz1[N_HID];
    for (int j = 0; j < N_HID; j++) dz1[j] = z1[j] > 0 ? dh[j] : 0;
    print_vec("∂L/∂z1", dz1, N_HID);
    agree("∂L/∂z1:", dz1, nn_output_grad(n.g, n.dense1), N_HID);

    printf("\n  dense 1 backward: ∂L/∂W1[j][i] = ∂L/∂z1[j]·x[i]    ∂L/∂b1[j] = ∂L/∂z1[j]\n");
    double dW1[N_HID * N_IN];
    for (int j = 0; j < N_HID; j++)
        for (int i = 0; i < N_IN; i++) dW1[j * N_IN + i] = dz1[j] * x[i];
    print_mat("∂L/∂W1", dW1, N_HID, N_IN);
    print_vec("∂L/∂b1", dz1, N_HID);
    const nn_real *g1 = nn_node_param_grads(n.g, n.dense1, NULL);
    agree("∂L/∂W1:", dW1, g1, N_HID * N_IN);
    agree("∂L/∂b1:", dz1, g1 + N_HID * N_IN, N_HID);

    printf("\n  and the input (nn_input_requires_grad): ∂L/∂x[i] = Σ_j W1[j][i]·∂L/∂z1[j]\n");
    double dx[N_IN];
    for (int i = 0; i < N_IN; i++) {
        dx[i] = 0;
        for (int j = 0; j < N_HID; j++) dx[i] += W1[j][i] * dz1[j];
    }
    print_vec("∂L/∂x", dx, N_IN);
    agree("∂L/∂x:", dx, nn_output_grad(n.g, n.x), N_IN);

    if (write_graph(&n, out_dir)) return 1;

    /* ================================================================ 3 */
    double step = sizeof(nn_real) == sizeof(double) ? 1e-6 : 1e-2;
    printf("\n3. FINITE DIFFERENCES: (L(w + h) − L(w − h)) / 2h with h = %g, for every weight\n\n"
           "     weight      analytic   finite diff     |diff|\n", step);
    nn_real *w = nn_graph_params(n.g);
    const nn_real *dw = nn_graph_grads(n.g);
    const int layers[2] = {n.dense1, n.dense2}, n_out[2] = {N_HID, K}, n_in[2] = {N_IN, N_HID};
    double worst = 0;
    for (int l = 0; l < 2; l++) {
        size_t count;
        nn_real *lw = nn_node_params(n.g, layers[l], &count);
        for (size_t q = 0; q < count; q++) {
            size_t at = (size_t)(lw - w) + q;
            double analytic = dw[at];
            nn_real keep = w[at];
            w[at] = (nn_real)(keep + step);
            double lp = nn_graph_forward(n.g, 1);
            w[at] = (nn_real)(keep - step);
            double lm = nn_graph_forward(n.g, 1);
            w[at] = keep;
            double numeric = (lp - lm) / (2 * step);
            worst = fmax(worst, fabs(analytic - numeric));
            char name[48];
            int n_w = n_out[l] * n_in[l];
            if ((int)q < n_w)
                snprintf(name, sizeof name, "W%d[%d][%d]", l + 1, (int)q / n_in[l], (int)q % n_in[l]);
            else
                snprintf(name, sizeof name, "b%d[%d]", l + 1, (int)q - n_w);
            printf("     %-9s %10.6f  %12.6f   %.1e\n", name, analytic, numeric,
                   fabs(analytic - numeric));
        }
    }
    printf("  largest |analytic − finite difference| = %.1e\n"
           "  (the W1 row and b1 entry of a relu unit that is off get exactly 0)\n", worst);

    /* ================================================================ 4 */
    printf("\n4. A BATCH OF TWO: the batch loss is the mean, so is its gradient\n\n");
    double g_one[2][64], loss_one[2];
    size_t n_params = nn_graph_n_params(simple.g);
    for (int s = 0; s < 2; s++) {
        loss_one[s] = run(&simple, s, 1); /* simplified mode, as the batch */
        for (size_t q = 0; q < n_params; q++) g_one[s][q] = nn_graph_grads(simple.g)[q];
    }
    double loss_pair = run(&pair, 0, 2), dev = 0;
    for (size_t q = 0; q < n_params; q++)
        dev = fmax(dev, fabs((g_one[0][q] + g_one[1][q]) / 2 - nn_graph_grads(pair.g)[q]));
    printf("  L(sample 1) = %.5f, L(sample 2) = %.5f, their mean %.5f; batch loss %.5f\n"
           "  max over all %zu weights |(g1 + g2)/2 − batch gradient| = %.1e\n",
           loss_one[0], loss_one[1], (loss_one[0] + loss_one[1]) / 2, loss_pair, n_params, dev);

    nn_graph_free(n.g);
    nn_graph_free(simple.g);
    nn_graph_free(pair.g);
    return saturation(z, y, &err);
}
