/* test_cli_teaching.c — the teaching commands end to end: `nn trace` prints
 * dL/dx and writes it as a saliency map in the image's shape; `nn gradcheck`
 * and `nn trace` flag the jacobian mode's clamp, and `nn train --grad
 * jacobian` warns about it once per run; `nn graph` writes DOT (parsed here
 * for its nodes and edges) and draws SVG with Graphviz when it is there.
 *
 * The program under test is the one built beside this suite (NN_CLI_BIN, set
 * by the Makefile for every suite). Each test works in its own
 * scratch directory. */
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
    /* simplified mode never divides: nothing to flag, and its gradients agree */
    ck_assert_msg(cli_nn("trace --arch 2-3 --data sat.csv") == 0, "%s", cli_out);
    ck_assert_ptr_null(strstr(cli_out, "CLAMPED"));
    ck_assert_msg(cli_nn("gradcheck --arch 2-3 --data sat.csv --index 2 --batch 1") == 0, "%s", cli_out);
    ck_assert_ptr_null(strstr(cli_out, "engaged on"));
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
    tcase_add_test(tc, test_clamp_is_flagged);
    tcase_add_test(tc, test_train_warns_once_about_the_clamp);
    tcase_add_test(tc, test_graph_writes_dot);
    suite_add_tcase(s, tc);
    return s;
}
