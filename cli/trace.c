/* trace.c — `nn trace`: one sample through the network, for teaching. Prints
 * every node's forward output, the loss, then backward from the loss: every
 * node's gradient dL/d(output) and each dense layer's parameter gradients;
 * when K is small, the softmax Jacobian J = (diag(p) − p pᵀ)/T, its column
 * sums (all zero: summing J is not a gradient), and Jᵀ(dL/dp) next to the
 * logits' gradient; last the gradient with respect to the input, dL/dx
 * (the input is marked with nn_input_requires_grad), which --saliency
 * writes as a heat map (SVG or PNG): the image's shape for image models, one
 * row of features otherwise. In simplified mode the sample is also run in
 * jacobian mode, and the trace says when that would clamp. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "model_source.h"
#include "paths.h"

#define CMD "trace"

static void print_values(const char *label, const nn_real *v, int n, int full) {
    int shown = full || n <= 12 ? n : 10;
    printf("    %s [", label);
    for (int i = 0; i < shown; i++) printf(i ? ", %.5g" : "%.5g", (double)v[i]);
    if (shown < n) printf(", ... (%d more; --full shows all)", n - shown);
    printf("]\n");
}

static double norm(const nn_real *v, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)v[i] * v[i];
    return sqrt(s);
}

/* The extension of path's last component ("png"), or "" when it has none. */
static const char *extension(const char *path) {
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    return dot && (!slash || dot > slash) ? dot + 1 : "";
}

/* A PNG saliency map shows each value as a square of this many pixels: the
 * longer side about SALIENCY_PNG_SIDE pixels (28 × 28 → 252 × 252). */
#define SALIENCY_PNG_SIDE 256

/* dL/dx of the traced sample as a heat map, SVG or PNG by path's extension
 * (checked before): (height, width) summed over channels for an image
 * model, else one row of F features. */
static int write_saliency(const nn_model *m, const nn_real *dx, const char *path) {
    int F = m->arch.sizes[0];
    const int *shape = m->data.image_shape; /* (height, width, channels) or 0s */
    int image = shape[0] > 0 && shape[0] * shape[1] * shape[2] == F;
    int rows = image ? shape[0] : 1, cols = image ? shape[1] : F, ch = image ? shape[2] : 1;
    double *cells = calloc((size_t)rows * cols, sizeof *cells); /* (rows, cols) */
    if (!cells) {
        cli_error(CMD, "--saliency: out of memory");
        return 0;
    }
    for (int i = 0; i < F; i++) cells[i / ch] += dx[i]; /* pixels are (h, w, c) row-major */
    double vmax = 0;
    for (int i = 0; i < rows * cols; i++) vmax = fmax(vmax, fabs(cells[i]));
    nn_error err;
    nn_status st;
    int png = strcasecmp(extension(path), "png") == 0, scale = 1;
    if (png) {
        int side = rows > cols ? rows : cols;
        scale = side >= SALIENCY_PNG_SIDE ? 1 : SALIENCY_PNG_SIDE / side;
        if (scale > 64) scale = 64;
        st = nn_plot_heatmap_png(path, cells, rows, cols, scale, &err);
    } else {
        char title[128];
        snprintf(title, sizeof title, "dL/dx of the traced sample%s", image && ch > 1 ? " (summed over channels)" : "");
        st = nn_plot_heatmap_svg(path, title, cells, rows, cols, &err);
    }
    free(cells);
    if (st) {
        cli_error(CMD, "--saliency: %s", err.msg);
        return 0;
    }
    printf("  saliency map (%d x %d) written to %s", rows, cols, path);
    if (png)
        printf(" (%d x %d pixels, %d per value%s): red where the loss rises with the input, blue where it\n"
               "  falls, white at 0, full colour at |dL/dx| = %.3g\n",
               cols * scale, rows * scale, scale, image && ch > 1 ? ", summed over channels" : "", vmax);
    else
        printf("\n");
    return 1;
}

/* J, its column sums and Jᵀ dL/dp for softmax node `node` of width K of g.
 * dp is dL/dp in jacobian mode: g's own in a jacobian-mode trace, the twin's
 * in a simplified one (where g's dL/dp holds no loss's gradient, since the
 * loss wrote dL/dz directly), or NULL. other_readers: how many other nodes
 * read this softmax's logits (then Jᵀ dL/dp is only this softmax's part). */
static void print_jacobian(nn_graph *g, int node, double T, const nn_real *dp, int simplified,
                           int other_readers) {
    int K = nn_node_width(g, node);
    const nn_real *p = nn_output(g, node);
    nn_real *J = malloc((size_t)K * K * sizeof *J), *vjp = calloc((size_t)K, sizeof *vjp);
    if (!J || !vjp) {
        free(J);
        free(vjp);
        return;
    }
    nn_softmax_jacobian(J, p, K, T);
    printf("    softmax Jacobian J[i][j] = dp_i/dz_j = p_i (delta_ij - p_j) / T, T = %g:\n", T);
    for (int i = 0; i < K; i++) {
        printf("     ");
        for (int j = 0; j < K; j++) printf(" %10.3e", (double)J[(size_t)i * K + j]);
        printf("\n");
    }
    printf("    column sums (each 0 up to rounding: summing J gives zeros, not a gradient):\n     ");
    for (int j = 0; j < K; j++) {
        double s = 0;
        for (int i = 0; i < K; i++) s += J[(size_t)i * K + j];
        printf(" %10.3e", s);
    }
    printf("\n");
    if (dp) {
        nn_softmax_vjp(vjp, p, dp, K, T);
        if (simplified) print_values("dL/dp in jacobian mode (the same sample) =", dp, K, 1);
        if (other_readers > 0)
            printf("    (the logits also feed %d other node%s, whose parts of dL/dz add to this one's below)\n",
                   other_readers, other_readers == 1 ? "" : "s");
        print_values(other_readers > 0 ? "J^T dL/dp (this softmax's part of dL/dz in jacobian mode) ="
                     : simplified      ? "J^T dL/dp (jacobian mode's dL/dz; simplified mode's is the logits' below) ="
                                       : "J^T dL/dp (the jacobian-mode route to dL/dz) =",
                     vjp, K, 1);
    }
    free(J);
    free(vjp);
}

/* A simplified-mode trace is exact, but the same sample may clamp in jacobian
 * mode (a probability with target mass below NN_PROB_MIN). The twin j is the
 * model in jacobian mode with m's weights and data, run forward and
 * backward; returns 0 (j unset) if it cannot be built. */
static int jacobian_twin(nn_model *j, nn_model *m, uint64_t seed) {
    nn_arch a = m->arch;
    a.grad = NN_GRAD_JACOBIAN;
    nn_error err;
    if (nn_model_build(j, &a, &m->data, 1, 1, seed, &err)) return 0; /* built once already */
    model_source_copy(j, m, 1);
    nn_graph_zero_grad(j->g);
    nn_graph_forward(j->g, 1);
    nn_graph_backward(j->g, 1);
    return 1;
}

/* One line when the twin clamped: how many entries, and both gradient norms. */
static void note_jacobian_clamp(nn_model *m, nn_model *j) {
    long clamped = nn_graph_clamped(j->g);
    if (clamped <= 0) return;
    int y = nn_label_data(m->g, m->labels)[0];
    double p_y = nn_output(m->g, m->probs)[y];
    char label_p[64] = "";
    if (p_y < NN_PROB_MIN) snprintf(label_p, sizeof label_p, " (p of the label = %.3g)", p_y);
    size_t n_params = nn_graph_n_params(m->g);
    printf("  JACOBIAN MODE WOULD CLAMP THIS SAMPLE: %ld probabilit%s with target mass below NN_PROB_MIN"
           " = %g%s, so with --grad jacobian every gradient of this sample would be wrong (|dL/dparams|"
           " %.5g instead of %.5g); simplified mode, shown here, is exact (docs/losses.md, \"the clamp"
           " spoils the whole row\")\n",
           clamped, clamped == 1 ? "y" : "ies", (double)NN_PROB_MIN, label_p,
           norm(nn_graph_grads(j->g), n_params), norm(nn_graph_grads(m->g), n_params));
}

/* What the forward listing says beside node i: the predictions, the
 * dropout's mask, where the loss's targets come from. */
static const char *node_mark(const nn_model *m, int i) {
    const nn_loss_info *l = nn_loss_find(m->arch.loss);
    if (i == m->probs) return "  <- predictions";
    if (strcmp(nn_node_kind(m->g, i), "dropout") == 0)
        return "  <- training mode: this step's random mask, kept values scaled by 1/(1 - p) (the identity at evaluation)";
    if (i != m->targets) return "";
    return l && l->targets ? "  <- the loss's targets, made from the label as in training"
                           : "  <- the loss's targets: random teacher logits (nn trace reads no teacher)";
}

/* Whether the total is more than one loss's value: several losses, or a weight. */
static int weighted_total(const nn_graph *g) {
    int n_losses = 0, weighted = 0;
    for (int i = 0; i < nn_graph_n_nodes(g); i++) {
        double coef = nn_loss_coef(g, i);
        n_losses += !isnan(coef);
        weighted += !isnan(coef) && coef != 1;
    }
    return n_losses > 1 || weighted;
}

int cmd_trace(int argc, char **argv) {
    model_source src = {.seed = 1, .label = -1};
    int full = 0, max_k = 10;
    const char *saliency = NULL;
    const arg_option own[] = {
        OPT_STRING("--saliency", &saliency, "FILE",
                   "write dL/dx as a heat map, FILE.svg or FILE.png, in the image's shape for image models;"
                   " diverging colours: red where the loss rises with the input, blue where it falls, white at 0"),
        OPT_FLAG("--full", &full, "print every value, not the first ten"),
        OPT_INT("--jacobian-max", &max_k, "K", "print the softmax Jacobian up to K classes (default 10)", 0, 64),
        OPT_END,
    };
    arg_option opts[48];
    if (!model_source_options(&src, CMD, own, opts, 48)) return 1;
    const char *pos[1];
    int n_pos;
    int r = args_parse(CMD, "[MODEL | --arch SIZES] [--data PATH --index I] [OPTIONS]", opts, argc, argv,
                       pos, 1, &n_pos);
    if (r) return ARGS_EXIT(r);
    const cli_path outputs[] = {{"--saliency", saliency, 0}};
    const cli_path inputs[] = {{"MODEL", n_pos ? pos[0] : NULL, 0}, {"--data", src.data, 1}};
    if (!paths_check(CMD, outputs, 1, inputs, 2)) return EXIT_USAGE;
    if (saliency && strcasecmp(extension(saliency), "svg") != 0 && strcasecmp(extension(saliency), "png") != 0) {
        cli_error(CMD, "--saliency %s: the picture's format is its extension, .svg or .png%s%s%s", saliency,
                  *extension(saliency) ? " (not ." : "", extension(saliency), *extension(saliency) ? ")" : "");
        return EXIT_USAGE;
    }
    if (!model_source_check(&src, CMD, n_pos ? pos[0] : NULL)) return EXIT_USAGE;
    nn_model m;
    if (!model_source_open(&m, CMD, &src, n_pos ? pos[0] : NULL, 1, -1)) return 1;
    nn_graph *g = m.g;
    nn_error err;
    if (nn_input_requires_grad(g, m.x, &err)) { /* dL/dx, printed last */
        cli_error(CMD, "%s", err.msg);
        nn_model_free(&m);
        return 1;
    }
    char arch[256];
    nn_arch_format_sizes(&m.arch, arch, sizeof arch);
    printf("trace of %s (%s, loss %s, %s gradients), one sample, label %d\n\nforward\n", arch,
           m.arch.activation, m.arch.loss, m.arch.grad == NN_GRAD_JACOBIAN ? "jacobian" : "simplified",
           nn_label_data(g, m.labels)[0]);
    nn_graph_zero_grad(g);
    double loss = nn_graph_forward(g, 1);
    const char *why = nn_graph_run_error(g);
    int n = nn_graph_n_nodes(g);
    for (int i = 0; i < n; i++) {
        const char *kind = nn_node_kind(g, i);
        if (strcmp(kind, "labels") == 0) continue;
        printf("  [%d] %s (%d)%s\n", i, kind, nn_node_width(g, i), node_mark(&m, i));
        print_values("out =", nn_output(g, i), nn_node_width(g, i), full);
        double coef = nn_loss_coef(g, i);
        if (!isnan(coef) && coef != 1) printf("    (enters the total loss x %g)\n", coef);
    }
    if (why) {
        printf("the forward pass failed: %s\n", why);
        nn_model_free(&m);
        return 1;
    }
    printf("  total loss %.6g%s\n\nbackward (from the loss to the input)\n", loss,
           weighted_total(g) ? " (the sum of each loss times its weight)" : "");
    nn_graph_backward(g, 1);
    long clamped = nn_graph_clamped(g);
    if (clamped > 0)
        printf("  CLAMPED: %ld probabilit%s with target mass below NN_PROB_MIN = %g, so the loss\n"
               "  sent -y/NN_PROB_MIN instead of -y/p; the softmax's backward subtracts <dL/dp, p> from\n"
               "  every class, so EVERY gradient below is wrong for this sample (simplified mode is exact;\n"
               "  docs/losses.md, \"the clamp spoils the whole row\")\n",
               clamped, clamped == 1 ? "y" : "ies", (double)NN_PROB_MIN);
    nn_model twin;
    int simplified = m.arch.grad == NN_GRAD_SIMPLIFIED;
    int have_twin = simplified && jacobian_twin(&twin, &m, src.seed);
    if (have_twin) note_jacobian_clamp(&m, &twin);
    int *consumers = calloc(n > 0 ? (size_t)n : 1, sizeof *consumers); /* losses are the nodes nobody reads */
    for (int i = 0; consumers && i < n; i++)
        for (int k = 0; nn_node_input(g, i, k) >= 0; k++) consumers[nn_node_input(g, i, k)]++;
    for (int i = n - 1; i >= 0; i--) {
        const nn_real *d = nn_output_grad(g, i);
        size_t count;
        const nn_real *dw = nn_node_param_grads(g, i, &count);
        if ((!d && !count) || i == m.loss || (consumers && !consumers[i])) continue;
        printf("  [%d] %s\n", i, nn_node_kind(g, i));
        if (d && i == m.x) {
            print_values("dL/dx =", d, nn_node_width(g, i), full);
            printf("    |dL/dx| = %.5g (the input's gradient: saliency, adversarial steps)\n",
                   norm(d, (size_t)nn_node_width(g, i)));
        } else if (d) {
            print_values("dL/d(out) =", d, nn_node_width(g, i), full);
        }
        if (simplified && strcmp(nn_node_kind(g, i), "softmax") == 0)
            printf("    (simplified mode: a loss on this softmax writes its closed-form dL/dz straight\n"
                   "     into the logits' gradient below, bypassing J; --grad jacobian routes dL/dp through J)\n");
        for (int t = 0; count && t < m.n_tensors; t++) { /* the node's tensors, as the file names them */
            const nn_model_tensor *T = &m.tensors[t];
            if (T->node != i) continue;
            const nn_real *v = dw + T->offset;
            size_t len = (size_t)T->d0 * (T->d1 ? T->d1 : 1);
            if (T->d1) {
                printf("    dL/d(%s) (%llu x %llu), norm %.5g\n", T->name, (unsigned long long)T->d0,
                       (unsigned long long)T->d1, norm(v, len));
                print_values("row 0 =", v, (int)T->d1, full);
            } else {
                char label[64];
                snprintf(label, sizeof label, "dL/d(%s) =", T->name);
                print_values(label, v, (int)T->d0, full);
            }
        }
        if (i == m.probs && nn_node_width(g, i) <= max_k) {
            int z = nn_node_input(g, i, 0); /* the logits: other readers add their own parts to dL/dz */
            print_jacobian(g, i, 1.0, have_twin ? nn_output_grad(twin.g, twin.probs) : simplified ? NULL : d,
                           simplified, consumers && z >= 0 ? consumers[z] - 1 : 0);
        }
    }
    free(consumers);
    if (have_twin) nn_model_free(&twin);
    int ok = !saliency || write_saliency(&m, nn_output_grad(g, m.x), saliency);
    nn_model_free(&m);
    return ok ? 0 : 1;
}
