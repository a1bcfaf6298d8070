/* finite_cost.c — what the per-step non-finite check costs (make bench-finite).
 *
 * Times one training step of the demo network (784-256-128-10, batch 64,
 * SGD with momentum) and, separately, the check the trainer adds to every step:
 * isfinite(loss) and nn_all_finite over the parameter gradients. Prints both
 * and their ratio. Inputs are random: the cost does not depend on the data.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nn/nn.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void) {
    const int B = 64, steps = 100, checks = 2000;
    nn_error err;
    nn_graph *g = nn_graph_create(B);
    int x = nn_input(g, 784), y = nn_labels(g, 10);
    int h = nn_relu(g, nn_dense(g, nn_relu(g, nn_dense(g, x, 256, NN_INIT_HE)), 128, NN_INIT_HE));
    int p = nn_softmax(g, nn_dense(g, h, 10, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(g, p, y, &lo);
    if (nn_graph_compile(g, 1, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.01, .momentum = 0.9}, &err);
    if (!opt) return fprintf(stderr, "%s\n", err.msg), 1;
    nn_rng rng;
    nn_rng_seed(&rng, 1);
    nn_real *in = nn_input_data(g, x);
    for (int i = 0; i < B * 784; i++) in[i] = (nn_real)nn_rng_uniform(&rng);
    for (int b = 0; b < B; b++) nn_label_data(g, y)[b] = (int32_t)nn_rng_below(&rng, 10);
    nn_enable_flush_to_zero();

    /* Best of 5 rounds each, to see through other processes on the machine. */
    double step_us = INFINITY, check_us = INFINITY, loss = 0;
    size_t n = nn_graph_n_params(g);
    int ok = 0;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (int s = 0; s < steps; s++) {
            nn_graph_zero_grad(g);
            loss = nn_graph_forward(g, B);
            nn_graph_backward(g, B);
            nn_optimizer_step(opt);
        }
        double t = (now() - t0) / steps * 1e6;
        step_us = t < step_us ? t : step_us;
        ok = 0;
        t0 = now();
        for (int c = 0; c < checks; c++) ok += isfinite(loss) && nn_all_finite(nn_graph_grads(g), n);
        t = (now() - t0) / checks * 1e6;
        check_us = t < check_us ? t : check_us;
    }
    printf("%s precision, %zu parameters, batch %d, OPENBLAS_NUM_THREADS=%s\n",
           sizeof(nn_real) == 4 ? "float" : "double", n, B,
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "(unset)");
    printf("training step  %8.1f us\n", step_us);
    printf("finite check   %8.1f us  (%.2f%% of a step; %d/%d passed)\n", check_us,
           100 * check_us / step_us, ok, checks);
    nn_optimizer_free(opt);
    nn_graph_free(g);
    return ok == checks ? 0 : 1;
}
