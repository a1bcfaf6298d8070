/* test_cli_teaching.c — the teaching commands end to end: `nn trace` prints
 * dL/dx and writes it as a saliency map (SVG or PNG) in the image's shape;
 * `nn gradcheck` and `nn trace` flag the jacobian mode's clamp, a
 * simplified-mode trace says when the sample would clamp in jacobian mode,
 * and `nn train --grad jacobian` warns about it once per run; `nn graph` writes DOT (parsed here
 * for its nodes and edges) and draws SVG with Graphviz when it is there.
 *
 * The program under test is the one built beside this suite (NN_CLI_BIN, set
 * by the Makefile for every suite). Each test works in its own
 * scratch directory. */
#include <stb_image.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpfiles.h"

static char dir[64], path[512];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

#include "cli_run.h" /* cli_nn: `nn ARGS` in dir, stdout and stderr into cli_out */

/* The whole of scratch file `name` into buf (NUL-terminated). */
static void read_text(const char *name, char *buf, size_t cap) {
    FILE *f = fopen(tmp_path(path, dir, name), "rb");
    ck_assert_msg(f != NULL, "%s was not written", name);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* imgs/a and imgs/b: 6 × 4 gray images, bright right or left. */
static void image_folder(void) {
    cli_images("imgs", "a", 4, 6, 4, 0);
    cli_images("imgs", "b", 4, 6, 4, 1);
}

START_TEST(test_trace_prints_the_input_gradient) {
    ck_assert_msg(cli_nn("trace --arch 4-5-3 --label 1") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "[0] input\n    dL/dx = [");
    ck_assert_msg_contains(cli_out, "|dL/dx| = ");
    /* one row of features without an image shape */
    ck_assert_msg(cli_nn("trace --arch 4-5-3 --saliency s.svg") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "saliency map (1 x 4) written to s.svg");
    static char svg[1 << 16];
    read_text("s.svg", svg, sizeof svg);
    ck_assert_msg_contains(svg, "<svg");
    ck_assert_msg_contains(svg, "dL/dx of the traced sample");
    /* an image model: the map has the image's shape (height 4, width 6) */
    image_folder();
    ck_assert_msg(cli_nn("train --data imgs --arch 24-2 --epochs 1 --quiet --save m.st") == 0, "%s", cli_out);
    ck_assert_msg(cli_nn("trace m.st --data imgs --index 5 --saliency img.svg") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "saliency map (4 x 6) written to img.svg");
    /* an unwritable path is an error naming it */
    ck_assert_int_eq(cli_nn("trace --arch 4-5-3 --saliency no/such/dir/s.svg"), 1);
    ck_assert_msg_contains(cli_out, "no/such/dir/s.svg");
}
END_TEST

/* Three numbers after `key` in cli_out ("key[a, b, c]"); returns 1 if found. */
static int three_after(const char *key, double v[3]) {
    const char *at = strstr(cli_out, key);
    return at && sscanf(at + strlen(key), "[%lf, %lf, %lf]", &v[0], &v[1], &v[2]) == 3;
}

/* Both routes to the logits' gradient are printed, and they are the same
 * numbers: the simplified-mode trace shows jacobian mode's dL/dp of the same
 * sample and Jᵀ dL/dp beside the closed form p − y it wrote into the
 * logits; a jacobian-mode trace shows Jᵀ dL/dp beside the logits' gradient
 * it produced. Neither shows the zeros a bypassed softmax holds as a route. */
START_TEST(test_trace_prints_both_routes_to_the_logits) {
    const char *modes[2] = {"simplified", "jacobian"};
    for (int k = 0; k < 2; k++) {
        ck_assert_msg(cli_nn("trace --arch 4-5-3 --label 1 --grad %s", modes[k]) == 0, "%s", cli_out);
        double p[3], vjp[3], dz[3], dp[3];
        ck_assert(three_after("<- predictions\n    out = ", p));
        ck_assert_msg(three_after(k ? "J^T dL/dp (the jacobian-mode route to dL/dz) = "
                                    : "J^T dL/dp (jacobian mode's dL/dz; simplified mode's is the logits' below) = ",
                                  vjp), "%s", cli_out);
        ck_assert(three_after(k ? "  [5] softmax\n    dL/d(out) = " : "dL/dp in jacobian mode (the same sample) = ", dp));
        ck_assert(three_after("  [4] dense\n    dL/d(out) = ", dz));
        for (int i = 0; i < 3; i++) {
            ck_assert_close(dp[i], i == 1 ? -1 / p[1] : 0, 1e-4, 1e-4); /* −y/p */
            ck_assert_close(vjp[i], p[i] - (i == 1), 1e-4, 1e-4);     /* p − y */
            ck_assert_close(dz[i], vjp[i], 1e-4, 1e-4);
        }
    }
    /* distill: the logits feed two softmaxes (T and 1); Jᵀ dL/dp of one is only its part */
    ck_assert_msg(cli_nn("trace --arch 4-5-3 --loss distill --label 1") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "(the logits also feed 1 other node, whose parts of dL/dz add to this one's below)\n"
                                    "    J^T dL/dp (this softmax's part of dL/dz in jacobian mode) = [");
    ck_assert_ptr_null(strstr(cli_out, "jacobian mode's dL/dz;"));
}
END_TEST

/* What the trace's loss reads and how the total is made: sord's target is
 * made from the label as training makes it (softmax(−(v − y)²), scale 1),
 * not a random row; a teacher's random logits say so; a weighted loss says
 * its weight, and the total is that weight times its value. */
START_TEST(test_trace_shows_targets_and_weights) {
    ck_assert_msg(cli_nn("trace --arch 4-5-3 --loss sord --label 1") == 0, "%s", cli_out);
    double t[3], e = exp(-1);
    ck_assert(three_after("<- the loss's targets, made from the label as in training\n    out = ", t));
    for (int i = 0; i < 3; i++) ck_assert_close(t[i], (i == 1 ? 1 : e) / (1 + 2 * e), 1e-5, 1e-4);
    ck_assert_msg(cli_nn("trace --arch 4-5-3 --loss kl --temperature 2 --label 1") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "<- the loss's targets: random teacher logits (nn trace reads no teacher)");
    double kl, total;
    const char *at = strstr(cli_out, "kl_div (1)\n    out = [");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "kl_div (1)\n    out = [%lf]\n    (enters the total loss x 4)", &kl), 1);
    ck_assert_msg_contains(at, "(enters the total loss x 4)\n");
    at = strstr(cli_out, "  total loss ");
    ck_assert(at && sscanf(at, "  total loss %lf (the sum of each loss times its weight)", &total) == 1);
    ck_assert_close(total, 4 * kl, 1e-6, 1e-4);
    ck_assert_msg(cli_nn("trace --arch 4-5-3 --label 1") == 0, "%s", cli_out);
    ck_assert_ptr_null(strstr(cli_out, "enters the total"));
    ck_assert_ptr_null(strstr(cli_out, "the sum of each loss"));
}
END_TEST

/* A model with dropout: every forward in training mode draws a new mask,
 * so gradcheck must difference the loss under the mask its analytic pass
 * used (it reported every parameter as failing before), and the trace says
 * which mask it shows. */
START_TEST(test_dropout_model_gradchecks_and_traces) {
    cli_write("d.csv", "a,b,label\n1,2,0\n2,1,1\n0,1,0\n1,0,1\n");
    ck_assert_msg(cli_nn("train --data d.csv --arch 2-8-2 --dropout 0.5 --epochs 2 --quiet --save dr.st") == 0, "%s",
                  cli_out);
    ck_assert_msg(cli_nn("gradcheck dr.st --data d.csv --batch 4") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "all gradients agree");
    ck_assert_msg(cli_nn("trace dr.st --data d.csv") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "dropout (8)  <- training mode: this step's random mask");
    double h[8], d[8];
    const char *at = strstr(cli_out, "relu (8)\n    out = [");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "relu (8)\n    out = [%lf, %lf, %lf, %lf, %lf, %lf, %lf, %lf]", &h[0], &h[1], &h[2],
                            &h[3], &h[4], &h[5], &h[6], &h[7]), 8);
    at = strstr(at, "(the identity at evaluation)\n    out = [");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(strchr(at, '['), "[%lf, %lf, %lf, %lf, %lf, %lf, %lf, %lf]", &d[0], &d[1], &d[2], &d[3],
                            &d[4], &d[5], &d[6], &d[7]), 8);
    int dropped = 0;
    for (int i = 0; i < 8; i++) {
        ck_assert_msg(d[i] == 0 || fabs(d[i] - 2 * h[i]) <= 1e-4 * fabs(h[i]), "unit %d: %g from %g", i, d[i], h[i]);
        dropped += h[i] != 0 && d[i] == 0;
    }
    ck_assert_int_gt(dropped, 0);
}
END_TEST

/* The PNG saliency map, read back: one uniform square of pixels per input
 * feature, red where the printed dL/dx is positive and blue where it is
 * negative, the largest |dL/dx| in the scale's darkest colour. */
START_TEST(test_trace_writes_a_png_saliency_map) {
    ck_assert_msg(cli_nn("trace --arch 4-5-3 --label 2 --saliency s.png") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "saliency map (1 x 4) written to s.png (256 x 64 pixels, 64 per value)");
    ck_assert_msg_contains(cli_out, "red where the loss rises with the input, blue where it\n  falls");
    const char *at = strstr(cli_out, "dL/dx = [");
    ck_assert_ptr_nonnull(at);
    double dx[4];
    ck_assert_int_eq(sscanf(at, "dL/dx = [%lf, %lf, %lf, %lf]", &dx[0], &dx[1], &dx[2], &dx[3]), 4);
    int top = 0;
    for (int i = 1; i < 4; i++) top = fabs(dx[i]) > fabs(dx[top]) ? i : top;
    int w, h, comp;
    unsigned char *px = stbi_load(tmp_path(path, dir, "s.png"), &w, &h, &comp, 0);
    ck_assert_msg(px != NULL, "%s", stbi_failure_reason());
    ck_assert(w == 256 && h == 64 && comp == 3);
    for (int i = 0; i < 4; i++) {
        const unsigned char *c = px + 64 * i * 3; /* the top-left pixel of square i */
        for (int y = 0; y < 64; y++)
            for (int x = 64 * i; x < 64 * (i + 1); x++)
                ck_assert_msg(memcmp(px + (y * w + x) * 3, c, 3) == 0, "square %d is not uniform", i);
        ck_assert_msg(dx[i] > 0 ? c[0] > c[2] : c[0] < c[2], "dL/dx[%d] = %g drawn as rgb(%d,%d,%d)", i, dx[i],
                      c[0], c[1], c[2]);
        if (i == top) {
            const unsigned char red[3] = {178, 24, 43}, blue[3] = {33, 102, 172};
            ck_assert(memcmp(c, dx[i] > 0 ? red : blue, 3) == 0);
        }
    }
    stbi_image_free(px);
    /* an image model: the image's shape, height 4 and width 6, 42 pixels a value */
    image_folder();
    ck_assert_msg(cli_nn("train --data imgs --arch 24-2 --epochs 1 --quiet --save m.st") == 0, "%s", cli_out);
    ck_assert_msg(cli_nn("trace m.st --data imgs --index 5 --saliency img.PNG") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "saliency map (4 x 6) written to img.PNG (252 x 168 pixels, 42 per value)");
    ck_assert_int_eq(stbi_info(tmp_path(path, dir, "img.PNG"), &w, &h, &comp), 1);
    ck_assert(w == 252 && h == 168);
    /* another extension is a usage error before anything runs, and writes nothing */
    ck_assert_int_eq(cli_nn("trace --arch 4-5-3 --saliency s.jpg"), 2);
    ck_assert_msg_contains(cli_out, "nn trace: --saliency s.jpg: the picture's format is its extension, .svg or .png (not .jpg)");
    ck_assert_ptr_null(strstr(cli_out, "forward"));
    ck_assert(!cli_exists("s.jpg"));
    ck_assert_int_eq(cli_nn("trace --arch 4-5-3 --saliency dir.png/s"), 2);
    ck_assert_msg_contains(cli_out, "the picture's format is its extension, .svg or .png\n");
}
END_TEST

/* Inputs of ±9000 saturate the softmax: a label's p underflows to 0, below
 * NN_PROB_MIN in both precisions. */
START_TEST(test_clamp_is_flagged) {
    tmp_write_text(tmp_path(path, dir, "sat.csv"), "a,b,label\n9000,-9000,0\n-9000,9000,1\n1,2,0\n");
    ck_assert_int_eq(cli_nn("gradcheck --arch 2-3 --data sat.csv --batch 2"), 1);
    ck_assert_msg_contains(cli_out, "jacobian mode: the clamp NN_PROB_MIN = ");
    ck_assert_msg_contains(cli_out, "engaged on 1 (row, class) entries");
    ck_assert_msg_contains(cli_out, "WHOLE rows wrong");
    ck_assert_msg(cli_nn("trace --arch 2-3 --data sat.csv --grad jacobian") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "CLAMPED: 1 probability with target mass below NN_PROB_MIN");
    /* simplified mode never divides: nothing clamped, but the trace says
     * jacobian mode would (the walkthrough's sample below checks the figures) */
    ck_assert_msg(cli_nn("trace --arch 2-3 --data sat.csv") == 0, "%s", cli_out);
    ck_assert_ptr_null(strstr(cli_out, "CLAMPED"));
    ck_assert_msg_contains(cli_out, "JACOBIAN MODE WOULD CLAMP THIS SAMPLE: 1 probability");
    ck_assert_msg(cli_nn("gradcheck --arch 2-3 --data sat.csv --index 2 --batch 1") == 0, "%s", cli_out);
    ck_assert_ptr_null(strstr(cli_out, "engaged on"));
}
END_TEST

/* The walkthrough's extreme-logit sample (part 5): its logits z = (0.4, 0.2,
 * −0.02), label 2, scaled by s. A 3-3 model whose dense layer is the
 * identity makes the CSV row the logits (the model has no standardisation).
 * At s = 1650 (double) or 170
 * (float) p_y lies just below NN_PROB_MIN but is not 0, so jacobian mode's
 * gradients are the exact ones times p_y/NN_PROB_MIN: the simplified-mode
 * trace must say so, with both gradient norms; at s = 30 nothing clamps. */
START_TEST(test_trace_says_when_jacobian_mode_would_clamp) {
    nn_arch a = nn_arch_defaults();
    nn_error err;
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "3-3", &err), NN_OK);
    nn_model m;
    ck_assert_msg(nn_model_build(&m, &a, NULL, 1, 0, 1, &err) == NN_OK, "%s", err.msg);
    nn_real *w = nn_node_params(m.g, m.dense[0], NULL); /* W (3, 3), then b (3) */
    for (int i = 0; i < 12; i++) w[i] = (nn_real)(i < 9 && i % 4 == 0);
    ck_assert_msg(nn_model_save(&m, tmp_path(path, dir, "id.st"), &err) == NN_OK, "%s", err.msg);
    nn_model_free(&m);
    const double z[3] = {0.4, 0.2, -0.02}, s_clamp = sizeof(nn_real) == sizeof(double) ? 1650 : 170;
    char csv[256];
    snprintf(csv, sizeof csv, "a,b,c,label\n%.17g,%.17g,%.17g,2\n%.17g,%.17g,%.17g,2\n0,0,0,0\n0,0,0,1\n", 30 * z[0],
             30 * z[1], 30 * z[2], s_clamp * z[0], s_clamp * z[1], s_clamp * z[2]); /* labels 0, 1, 2 all there */
    cli_write("z.csv", csv);
    ck_assert_msg(cli_nn("trace id.st --data z.csv --index 1") == 0, "%s", cli_out);
    const char *note = strstr(cli_out, "  JACOBIAN MODE WOULD CLAMP THIS SAMPLE: 1 probability with target mass below "
                                       "NN_PROB_MIN = ");
    ck_assert_msg(note != NULL, "no note in\n%s", cli_out);
    ck_assert_msg(note > strstr(cli_out, "backward (from the loss"), "the note is not in the backward pass");
    ck_assert_msg_contains(note, "with --grad jacobian every gradient of this sample would be wrong");
    ck_assert_msg_contains(note, "simplified mode, shown here, is exact (docs/losses.md, \"the clamp spoils the whole row\")\n");
    /* the label's p and the two norms: jacobian = simplified · p_y / NN_PROB_MIN */
    double p_y, jac, simp;
    const char *at = strstr(note, "(p of the label = ");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "(p of the label = %lf)", &p_y), 1);
    double lse = log(exp(s_clamp * (z[1] - z[0])) + exp(s_clamp * (z[2] - z[0])) + 1) + s_clamp * z[0];
    ck_assert_close(p_y, exp(s_clamp * z[2] - lse), 0, 1e-2); /* 1.08e-301 (double), 9.6e-32 (float) */
    ck_assert(p_y < NN_PROB_MIN && p_y > 0);
    at = strstr(note, "(|dL/dparams| ");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "(|dL/dparams| %lf instead of %lf)", &jac, &simp), 2);
    ck_assert(simp > 1);
    ck_assert_close(jac, simp * p_y / NN_PROB_MIN, 0, 2e-3);
    /* one line, and only there */
    ck_assert(strchr(note, '\n') > strstr(note, "spoils the whole row"));
    ck_assert_ptr_null(strstr(strchr(note, '\n'), "WOULD CLAMP"));
    /* jacobian mode itself clamps and says so; at s = 30 nothing would clamp */
    ck_assert_msg(cli_nn("trace id.st --data z.csv --index 1 --grad jacobian") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "CLAMPED: 1 probability");
    ck_assert_ptr_null(strstr(cli_out, "WOULD CLAMP"));
    ck_assert_msg(cli_nn("trace id.st --data z.csv --index 0") == 0, "%s", cli_out);
    ck_assert_ptr_null(strstr(cli_out, "CLAMP"));
}
END_TEST

/* Raw features of ±1000s and alternating labels: half the rows are
 * confidently wrong, p_y underflows, the clamp engages in every epoch. */
START_TEST(test_train_warns_once_about_the_clamp) {
    char csv[1024] = "a,b,label\n";
    for (int i = 1; i <= 8; i++)
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%d,%d,%d\n", 1000 * i, -1000 * i, i % 2);
    tmp_write_text(tmp_path(path, dir, "sat.csv"), csv);
    ck_assert_msg(cli_nn("train --data sat.csv --arch 2-2 --grad jacobian --epochs 3 --no-standardize --save j.st") == 0,
                  "%s", cli_out);
    const char *w = strstr(cli_out, "warning: --grad jacobian: in epoch 1, ");
    ck_assert_msg(w != NULL, "no warning: %s", cli_out);
    ck_assert_msg_contains(w, "below the clamp NN_PROB_MIN");
    ck_assert_msg_contains(w, "shown once per run");
    ck_assert_msg(strstr(w + 1, "warning: --grad jacobian") == NULL, "warned twice: %s", cli_out);
    ck_assert_msg(cli_nn("train --data sat.csv --arch 2-2 --epochs 3 --no-standardize --save s.st") == 0, "%s", cli_out);
    ck_assert_ptr_null(strstr(cli_out, "warning: --grad jacobian"));
}
END_TEST

/* Lines of out that start with `prefix` (after the indent). */
static int count_lines(const char *prefix) {
    int count = 0;
    size_t len = strlen(prefix);
    for (const char *at = cli_out; at && *at; at = strchr(at, '\n'), at = at ? at + 1 : NULL)
        count += strncmp(at, prefix, len) == 0;
    return count;
}

START_TEST(test_graph_writes_dot) {
    /* mean-variance: the softmax fans out to three losses */
    ck_assert_msg(cli_nn("graph --arch 4-5-3 --loss mean-variance") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "digraph nn {");
    ck_assert_msg_contains(cli_out, "label=\"4-5-3, relu, loss mean-variance, simplified gradients\"");
    const char *nodes[] = {"  n0 [label=\"[0] input\\n(B, 4)", "  n1 [label=\"[1] labels\\n(B) class ids < 3",
                           "  n2 [label=\"[2] dense\\n(B, 5)\\n25 parameters", "  n3 [label=\"[3] relu\\n(B, 5)",
                           "  n4 [label=\"[4] dense\\n(B, 3)\\n18 parameters",
                           "  n5 [label=\"[5] softmax\\n(B, 3)\\npredictions\\nfeeds 3 nodes: their gradients add",
                           "  n6 [label=\"[6] cross_entropy\\n(B, 1)", "  n7 [label=\"[7] ev_squared\\n(B, 1)\\nenters the total x 0.2",
                           "  n8 [label=\"[8] ev_variance\\n(B, 1)\\nenters the total x 0.05"};
    for (int i = 0; i < 9; i++) ck_assert_msg(count_lines(nodes[i]) == 1, "no line '%s' in\n%s", nodes[i], cli_out);
    ck_assert_int_eq(count_lines("  n9 "), 0);
    const char *edges[] = {"  n0 -> n2;", "  n2 -> n3;", "  n3 -> n4;", "  n4 -> n5;", "  n5 -> n6 [color",
                           "  n5 -> n7 [color", "  n5 -> n8 [color", "  n1 -> n6 [style=dashed", "  n1 -> n7 [style=dashed"};
    for (int i = 0; i < 9; i++) ck_assert_msg(count_lines(edges[i]) == 1, "no edge '%s' in\n%s", edges[i], cli_out);
    int n_edges = 0;
    for (const char *at = cli_out; (at = strstr(at, " -> ")); at++) n_edges++;
    ck_assert_int_eq(n_edges, 9);
    ck_assert_int_eq(count_lines("  n6 [label") + count_lines("  n7 [label"), 2);
    ck_assert_ptr_null(strstr(cli_out, "|dL/d(cli_out)|"));
    /* --data: each node annotated with the sample's values and gradient norms */
    tmp_write_text(tmp_path(path, dir, "g.csv"), "a,b,c,d,label\n1,2,3,4,0\n2,1,0,1,1\n0,0,1,1,2\n");
    ck_assert_msg(cli_nn("graph --arch 4-5-3 --data g.csv --index 1") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "sample 1 of g.csv, label 1");
    ck_assert_msg_contains(cli_out, "requires grad\\nout = [");
    ck_assert_msg_contains(cli_out, "|dL/d(params)| = ");
    ck_assert_msg_contains(cli_out, "\\ny = 1");
    /* --svg: drawn by dot when it is installed, else an error saying so */
    int have_dot = system("command -v dot > /dev/null 2>&1") == 0;
    if (have_dot) {
        ck_assert_msg(cli_nn("graph --arch 4-5-3 --svg g.svg") == 0, "%s", cli_out);
        ck_assert_msg_contains(cli_out, "drawn by Graphviz's dot into g.svg");
        static char svg[1 << 16];
        read_text("g.svg", svg, sizeof svg);
        ck_assert_msg_contains(svg, "<svg");
        ck_assert_msg_contains(svg, "softmax");
    } else {
        printf("test_graph_writes_dot: dot not installed, only its absence is checked\n");
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && PATH=/nonexistent '%s' graph --arch 4-5-3 --svg none.svg 2>&1", dir, NN_CLI_BIN);
    ck_assert_int_eq(cli_shell(cmd), 1);
    ck_assert_msg_contains(cli_out, "Graphviz's dot is not installed");
    ck_assert_int_eq(access(tmp_path(path, dir, "none.svg"), F_OK), -1);
}
END_TEST

Suite *test_cli_teaching_suite(void) {
    Suite *s = suite_create("cli_teaching");
    TCase *tc = tcase_create("trace");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_trace_prints_the_input_gradient);
    tcase_add_test(tc, test_trace_writes_a_png_saliency_map);
    tcase_add_test(tc, test_trace_prints_both_routes_to_the_logits);
    tcase_add_test(tc, test_trace_shows_targets_and_weights);
    tcase_add_test(tc, test_dropout_model_gradchecks_and_traces);
    tcase_add_test(tc, test_clamp_is_flagged);
    tcase_add_test(tc, test_trace_says_when_jacobian_mode_would_clamp);
    tcase_add_test(tc, test_train_warns_once_about_the_clamp);
    tcase_add_test(tc, test_graph_writes_dot);
    suite_add_tcase(s, tc);
    return s;
}
