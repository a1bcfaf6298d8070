/* test_graph_dot.c — nn_graph_write_dot: the DOT text names every node with
 * its kind and shape, has one edge per input (a fan-out as several edges
 * from one node), marks losses and heads, annotates a sample, and reports a
 * failed write. The DOT is parsed line by line (`  nI [label="…"…];` and
 * `  nI -> nJ…;`). */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The DOT of g in a malloc'ed string. */
static char *dot_of(const nn_graph *g, const nn_dot_options *o) {
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    nn_error err;
    ck_assert_msg(nn_graph_write_dot(f, g, o, &err) == NN_OK, "%s", err.msg);
    long n = ftell(f);
    char *s = malloc((size_t)n + 1);
    rewind(f);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* The line declaring node i, copied into line (empty if absent). */
static void node_line(const char *dot, int i, char *line, size_t cap) {
    char key[32];
    snprintf(key, sizeof key, "\n  n%d [", i);
    const char *at = strstr(dot, key);
    line[0] = '\0';
    if (!at) return;
    at += 1;
    size_t len = strcspn(at, "\n");
    snprintf(line, cap, "%.*s", (int)(len < cap ? len : cap - 1), at);
}

/* Number of edges from → to. */
static int edges(const char *dot, int from, int to) {
    char key[48];
    snprintf(key, sizeof key, "\n  n%d -> n%d", from, to);
    int count = 0;
    for (const char *at = dot; (at = strstr(at, key)); at++) {
        char next = at[strlen(key)];
        count += next == ';' || next == ' ';
    }
    return count;
}

static int total_edges(const char *dot) {
    int count = 0;
    for (const char *at = dot; (at = strstr(at, " -> ")); at++) count++;
    return count;
}

/* x → dense → softmax (T = 2) → {CE with labels, μ head → ev-squared} */
typedef struct {
    nn_graph *g;
    int x, y, d, p, ce, mu, ev;
} fan_net;

static fan_net make_fan(void) {
    fan_net n = {.g = nn_graph_create(2)};
    n.x = nn_input(n.g, 3);
    n.y = nn_labels(n.g, 4);
    n.d = nn_dense(n.g, n.x, 4, NN_INIT_XAVIER);
    n.p = nn_softmax(n.g, n.d, 2.0);
    n.ce = nn_cross_entropy(n.g, n.p, n.y, NULL);
    n.mu = nn_expectation(n.g, n.p, NULL);
    n.ev = nn_ev_squared(n.g, n.mu, n.y, NULL, NULL);
    nn_error err;
    ck_assert_msg(nn_graph_compile(n.g, 1, &err) == NN_OK, "%s", err.msg);
    return n;
}

START_TEST(test_dot_nodes_edges_and_marks) {
    fan_net n = make_fan();
    nn_dot_options o = {.predictions = n.p, .title = "a \"quoted\" title"};
    char *dot = dot_of(n.g, &o), line[1024];
    ck_assert_msg(strncmp(dot, "// nn layer graph: 7 nodes, 16 parameters", 41) == 0, "%s", dot);
    ck_assert_ptr_nonnull(strstr(dot, "digraph nn {"));
    ck_assert_ptr_nonnull(strstr(dot, "label=\"a \\\"quoted\\\" title\""));
    node_line(dot, n.x, line, sizeof line);
    ck_assert_msg(strstr(line, "[0] input\\n(B, 3)") && strstr(line, "ellipse"), "%s", line);
    node_line(dot, n.y, line, sizeof line);
    ck_assert_msg(strstr(line, "(B) class ids < 4"), "%s", line);
    node_line(dot, n.d, line, sizeof line);
    ck_assert_msg(strstr(line, "dense\\n(B, 4)\\n16 parameters"), "%s", line);
    node_line(dot, n.p, line, sizeof line);
    ck_assert_msg(strstr(line, "softmax (T = 2)") && strstr(line, "predictions") &&
                  strstr(line, "feeds 2 nodes: their gradients add") && strstr(line, "peripheries=2"),
                  "%s", line);
    node_line(dot, n.mu, line, sizeof line);
    ck_assert_msg(strstr(line, "expectation\\n(B, 1)\\nhead"), "%s", line); /* read only by a loss */
    node_line(dot, n.ce, line, sizeof line);
    ck_assert_msg(strstr(line, "cross_entropy") && strstr(line, "#f9d2d2"), "%s", line);
    node_line(dot, 7, line, sizeof line);
    ck_assert_str_eq(line, "");
    /* one edge per input: 1 + 1 + 2 (CE) + 1 + 2 (ev) = 7 */
    ck_assert_int_eq(total_edges(dot), 7);
    ck_assert_int_eq(edges(dot, n.x, n.d), 1);
    ck_assert_int_eq(edges(dot, n.d, n.p), 1);
    ck_assert_int_eq(edges(dot, n.p, n.ce), 1);
    ck_assert_int_eq(edges(dot, n.p, n.mu), 1);
    ck_assert_int_eq(edges(dot, n.y, n.ce), 1);
    ck_assert_int_eq(edges(dot, n.mu, n.ev), 1);
    ck_assert_int_eq(edges(dot, n.y, n.ev), 1);
    ck_assert_ptr_nonnull(strstr(dot, "n1 -> n4 [style=dashed, label=\"labels (no gradient)\"]"));
    ck_assert_ptr_nonnull(strstr(dot, "n3 -> n4 [color=\"#c03030\", penwidth=2]")); /* the fan-out */
    ck_assert_ptr_nonnull(strstr(dot, "n3 -> n5 [color=\"#c03030\", penwidth=2]"));
    ck_assert_ptr_null(strstr(dot, "|dL/d(out)|")); /* no annotation asked for */
    free(dot);
    nn_graph_free(n.g);
}
END_TEST

START_TEST(test_dot_annotates_a_sample) {
    fan_net n = make_fan();
    nn_error err;
    ck_assert_int_eq(nn_input_requires_grad(n.g, n.x, &err), NN_OK);
    nn_real *x = nn_input_data(n.g, n.x);
    for (int i = 0; i < 6; i++) x[i] = (nn_real)(0.5 * i - 1);
    nn_label_data(n.g, n.y)[0] = 2, nn_label_data(n.g, n.y)[1] = 0;
    nn_graph_zero_grad(n.g);
    nn_graph_forward(n.g, 2);
    ck_assert_int_eq(nn_graph_backward(n.g, 2), NN_OK);
    nn_dot_options o = {.annotate = 1, .row = 1, .predictions = -1};
    char *dot = dot_of(n.g, &o), line[1024], want[128];
    node_line(dot, n.x, line, sizeof line);
    ck_assert_msg(strstr(line, "requires grad\\nout = [0.5, 1, 1.5]\\n|dL/d(out)| = "), "%s", line);
    node_line(dot, n.y, line, sizeof line);
    ck_assert_msg(strstr(line, "y = 0"), "%s", line); /* row 1 */
    node_line(dot, n.ce, line, sizeof line);
    snprintf(want, sizeof want, "loss %.6g (batch value", (double)nn_output(n.g, n.ce)[1]);
    ck_assert_msg(strstr(line, want), "%s lacks %s", line, want);
    node_line(dot, n.d, line, sizeof line);
    ck_assert_msg(strstr(line, "|dL/d(params)| = "), "%s", line);
    free(dot);
    o.row = 2; /* past max_batch */
    ck_assert_int_eq(nn_graph_write_dot(stdout, n.g, &o, &err), NN_ERR_ARG);
    nn_graph_free(n.g);
}
END_TEST

START_TEST(test_dot_write_errors_are_reported) {
    fan_net n = make_fan();
    FILE *full = fopen("/dev/full", "w");
    if (!full) {
        printf("test_dot_write_errors_are_reported: no /dev/full, skipped\n");
        nn_graph_free(n.g);
        return;
    }
    nn_error err;
    ck_assert_int_eq(nn_graph_write_dot(full, n.g, NULL, &err), NN_ERR_IO);
    ck_assert_msg(strstr(err.msg, "writing the graph's DOT") != NULL, "%s", err.msg);
    fclose(full);
    ck_assert_int_eq(nn_graph_write_dot(NULL, n.g, NULL, &err), NN_ERR_ARG);
    nn_graph_free(n.g);
}
END_TEST

Suite *test_graph_dot_suite(void) {
    Suite *s = suite_create("graph_dot");
    TCase *tc = tcase_create("dot");
    tcase_add_test(tc, test_dot_nodes_edges_and_marks);
    tcase_add_test(tc, test_dot_annotates_a_sample);
    tcase_add_test(tc, test_dot_write_errors_are_reported);
    suite_add_tcase(s, tc);
    return s;
}
