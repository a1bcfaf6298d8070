/* gradcheck.c — `nn gradcheck`: for every parameter tensor, the analytic
 * gradient in both modes (simplified: closed-form ∂L/∂z; jacobian: ∂L/∂p
 * through the softmax Jacobian) against central finite differences
 *   (L(θ + h) − L(θ − h)) / 2h.
 * Both graphs hold the same weights and the same batch, and every pass draws
 * the same dropout masks (the graph's generator is reset before each). When
 * a probability with target mass is below the jacobian mode's clamp
 * NN_PROB_MIN, that row's jacobian-mode gradient is wrong; the count is
 * reported. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "model_source.h"
#include "paths.h"

#define CMD "gradcheck"

#ifdef NN_DOUBLE
#define DEFAULT_H 1e-6
#define ATOL 1e-6
#define RTOL 1e-5
#define PRECISION "double"
#else /* float: rounding ~1e-5 in the quotient, truncation ~h² (see tests/testutil.h) */
#define DEFAULT_H 1e-2
#define ATOL 2e-3
#define RTOL 3e-2
#define PRECISION "float"
#endif

typedef struct {
    int    checked, failed;
    double fd_simplified, fd_jacobian, modes; /* largest absolute differences */
    double rel;                               /* largest relative one, where |g| > 10·ATOL */
} tensor_report;

/* The loss of a forward pass that draws the dropout masks `mask` draws: the
 * same masks as the analytic gradient's pass (a forward in training mode
 * draws new ones, and finite differences across two masks mean nothing). */
static double loss_at(nn_model *m, int B, const nn_rng *mask) {
    *nn_graph_rng(m->g) = *mask;
    return nn_graph_forward(m->g, B);
}

/* Checks params[0..count) of one tensor; s and j are the two graphs' copies. */
static tensor_report check_tensor(nn_model *s, nn_real *w, const nn_real *ds, const nn_real *dj,
                                  size_t count, int B, int max_checks, double h, const nn_rng *mask) {
    tensor_report r = {0};
    size_t step = count > (size_t)max_checks ? count / (size_t)max_checks : 1;
    for (size_t i = 0; i < count; i += step) {
        nn_real keep = w[i];
        w[i] = (nn_real)(keep + h);
        double up = loss_at(s, B, mask);
        w[i] = (nn_real)(keep - h);
        double down = loss_at(s, B, mask);
        w[i] = keep;
        double fd = (up - down) / (2 * h), a = ds[i], b = dj[i];
        double scale = fmax(fabs(a), fabs(fd));
        double es = fabs(a - fd), ej = fabs(b - fd);
        r.fd_simplified = fmax(r.fd_simplified, es);
        r.fd_jacobian = fmax(r.fd_jacobian, ej);
        r.modes = fmax(r.modes, fabs(a - b));
        if (scale > 10 * ATOL) r.rel = fmax(r.rel, fmax(es, ej) / scale); /* not on ~0 gradients */
        r.failed += es > ATOL + RTOL * scale || ej > ATOL + RTOL * fmax(fabs(b), fabs(fd));
        r.checked++;
    }
    return r;
}

static void backward_pass(nn_model *m, int B, const nn_rng *mask) {
    *nn_graph_rng(m->g) = *mask;
    nn_graph_zero_grad(m->g);
    nn_graph_forward(m->g, B);
    nn_graph_backward(m->g, B);
}

int cmd_gradcheck(int argc, char **argv) {
    model_source src = {.seed = 1, .label = -1};
    int B = 4, max_checks = 40;
    double h = DEFAULT_H;
    const arg_option own[] = {
        OPT_INT("--batch", &B, "B", "rows in the batch (default 4)", 1, 256),
        OPT_INT("--max-checks", &max_checks, "N", "parameters checked per tensor, evenly spaced (default 40)", 1, 1 << 30),
        OPT_POSITIVE("--h", &h, "H", "finite-difference step (default " PRECISION ": 1e-2 float, 1e-6 double)", 1),
        OPT_END,
    };
    arg_option opts[48];
    if (!model_source_options(&src, CMD, own, opts, 48)) return 1;
    const char *pos[1];
    int n_pos;
    int r = args_parse(CMD, "[MODEL | --arch SIZES] [OPTIONS]", opts, argc, argv, pos, 1, &n_pos);
    if (r) return ARGS_EXIT(r);
    const cli_path inputs[] = {{"MODEL", n_pos ? pos[0] : NULL, 0}, {"--data", src.data, 1}};
    if (!paths_check(CMD, NULL, 0, inputs, 2)) return EXIT_USAGE; /* stdout into an input */
    nn_model s, j;
    if (src.grad) {
        cli_error(CMD, "--grad: gradcheck always compares both modes");
        return EXIT_USAGE;
    }
    if (!model_source_check(&src, CMD, n_pos ? pos[0] : NULL)) return EXIT_USAGE;
    if (!model_source_open(&s, CMD, &src, n_pos ? pos[0] : NULL, B, NN_GRAD_SIMPLIFIED)) return 1;
    if (!model_source_open(&j, CMD, &src, n_pos ? pos[0] : NULL, B, NN_GRAD_JACOBIAN)) {
        nn_model_free(&s);
        return 1;
    }
    model_source_copy(&j, &s, B);
    const nn_rng mask = *nn_graph_rng(s.g); /* every pass below draws the same dropout masks */
    backward_pass(&s, B, &mask);
    backward_pass(&j, B, &mask);
    char arch[256];
    nn_arch_format_sizes(&s.arch, arch, sizeof arch);
    printf("gradcheck %s, %s, loss %s, batch %d, h = %g (%s); pass: |g - fd| <= %g + %g |g|\n", arch,
           s.arch.activation, s.arch.loss, B, h, PRECISION, ATOL, RTOL);
    printf("%-14s %7s %15s %15s %16s %9s  %s\n", "tensor", "checked", "simplified-fd", "jacobian-fd",
           "simplified-jac", "rel err", "result");
    int failed = 0;
    for (int i = 0; i < s.n_tensors; i++) { /* every parameter tensor, as the model file names it */
        const nn_model_tensor *t = &s.tensors[i];
        nn_real *w = nn_node_params(s.g, t->node, NULL) + t->offset;
        const nn_real *ds = nn_node_param_grads(s.g, t->node, NULL) + t->offset;
        const nn_real *dj = nn_node_param_grads(j.g, j.tensors[i].node, NULL) + t->offset;
        size_t len = (size_t)t->d0 * (size_t)(t->d1 ? t->d1 : 1);
        tensor_report r = check_tensor(&s, w, ds, dj, len, B, max_checks, h, &mask);
        printf("%-14s %7d %15.3e %15.3e %16.3e %9.2e  %s\n", t->name, r.checked, r.fd_simplified,
               r.fd_jacobian, r.modes, r.rel, r.failed ? "FAIL" : "ok");
        failed += r.failed;
    }
    long clamped = nn_graph_clamped(j.g);
    if (clamped > 0)
        printf("jacobian mode: the clamp NN_PROB_MIN = %g engaged on %ld (row, class) entries of this\n"
               "batch: a probability with target mass is below it, so -y/p is clamped and the softmax's\n"
               "backward, which subtracts <dL/dp, p> from every class, makes those WHOLE rows wrong;\n"
               "simplified mode (p - y) never divides and is exact there (docs/losses.md)\n",
               (double)NN_PROB_MIN, clamped);
    printf(failed ? "%d checks failed\n" : "all gradients agree\n", failed);
    nn_model_free(&s);
    nn_model_free(&j);
    return failed ? 1 : 0;
}
