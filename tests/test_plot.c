/* test_plot.c — the SVG writers: files appear, are well-formed XML with the
 * expected content, bad paths and arguments give errors naming them, and no
 * temporary file is left behind. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpfiles.h"

/* A fresh directory under /tmp; the caller removes it with rm_dir. */
static void make_dir(char *dir) {
    strcpy(dir, "/tmp/nn_test_plot_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_dir(const char *dir) {
    DIR *d = opendir(dir);
    char p[512];
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    rmdir(dir);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s was not written", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static int count(const char *s, const char *needle) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* Checks XML well-formedness to the extent SVG output needs: a prolog, one
 * root <svg>, every tag closed in order, quoted attributes without '<', and
 * only the five predefined entities or character references. Returns NULL or
 * a description of the first problem. */
static const char *xml_problem(const char *s) {
    static char why[128];
    char stack[64][32];
    int depth = 0, roots = 0;
    if (strncmp(s, "<?xml ", 6) != 0) return "no <?xml prolog";
    s = strstr(s, "?>") + 2;
    for (; *s; s++) {
        if (*s == '&') {
            const char *ok[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"};
            int good = 0;
            for (int i = 0; i < 6; i++) good |= strncmp(s, ok[i], strlen(ok[i])) == 0;
            if (!good) return "bare '&'";
        } else if (*s == '>') {
            return "bare '>' in text";
        } else if (*s == '<') {
            int closing = s[1] == '/';
            const char *name = s + 1 + closing;
            size_t len = strcspn(name, " \t\n/>");
            if (len == 0 || len >= 32) return "bad tag name";
            const char *q = name + len;
            char quote = 0;
            for (; *q && (quote || *q != '>'); q++) {
                if (quote && *q == '<') return "'<' inside an attribute";
                if (*q == '"' || *q == '\'') quote = quote == *q ? 0 : quote ? quote : *q;
            }
            if (!*q) return "unterminated tag";
            if (closing) {
                if (depth == 0 || strncmp(stack[depth - 1], name, len) != 0 ||
                    stack[depth - 1][len] != '\0') {
                    snprintf(why, sizeof why, "</%.*s> closes <%s>", (int)len, name,
                             depth ? stack[depth - 1] : "nothing");
                    return why;
                }
                depth--;
            } else if (q[-1] != '/') {
                if (depth == 64) return "nesting too deep";
                if (depth == 0) roots++;
                memcpy(stack[depth], name, len);
                stack[depth++][len] = '\0';
            } else if (depth == 0) {
                roots++;
            }
            s = q;
        }
    }
    if (depth) return "unclosed element at the end";
    if (roots != 1) return "not exactly one root element";
    return NULL;
}

#define ck_assert_well_formed(svg)                                               \
    do {                                                                         \
        const char *why_ = xml_problem(svg);                                     \
        ck_assert_msg(why_ == NULL, "not well-formed SVG: %s", why_ ? why_ : ""); \
    } while (0)

START_TEST(test_xml_checker_rejects_bad_xml) {
    /* The checker must be able to fail, or the tests below prove nothing. */
    ck_assert_ptr_null(xml_problem("<?xml ?><svg><g a=\"1\"/><text>a &amp; b</text></svg>"));
    ck_assert_ptr_nonnull(xml_problem("<?xml ?><svg><g></svg>"));
    ck_assert_ptr_nonnull(xml_problem("<?xml ?><svg><text>a & b</text></svg>"));
    ck_assert_ptr_nonnull(xml_problem("<?xml ?><svg><text>a < b</text></svg>"));
    ck_assert_ptr_nonnull(xml_problem("<?xml ?><svg></svg><svg></svg>"));
    ck_assert_ptr_nonnull(xml_problem("<svg></svg>"));
}
END_TEST

START_TEST(test_lines_svg) {
    char dir[64], path[128];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/curves.svg", dir);
    double train[5] = {2.3, 1.1, 0.7, 0.5, 0.45};
    double test[5] = {2.2, 1.3, NAN, 0.8, 0.75}; /* a gap in the middle */
    nn_series s[2] = {{"train <loss>", train, 5}, {"test & \"held-out\"", test, 5}};
    nn_error err;
    ck_assert_int_eq(nn_plot_lines_svg(path, "Loss: a < b", "epoch", "cross-entropy", s, 2, &err),
                     NN_OK);
    char *svg = slurp(path);
    ck_assert_well_formed(svg);
    ck_assert_ptr_nonnull(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    ck_assert_ptr_nonnull(strstr(svg, "train &lt;loss&gt;"));          /* legend, escaped */
    ck_assert_ptr_nonnull(strstr(svg, "test &amp; &quot;held-out&quot;"));
    ck_assert_ptr_nonnull(strstr(svg, "Loss: a &lt; b"));              /* title */
    ck_assert_ptr_nonnull(strstr(svg, ">cross-entropy<"));             /* y label */
    ck_assert_int_eq(count(svg, "class=\"series\""), 2);
    /* The NaN splits the second curve: two 'M' (move) commands, one before it. */
    ck_assert_int_eq(count(svg, "M"), count(svg, "d=\"M") + 1);
    ck_assert_int_eq(count(svg, "<circle"), 9); /* 5 + 4 finite points */
    /* y ticks cover [0.45, 2.3]: 0.0 ... 2.5 in steps of 0.5. */
    ck_assert_ptr_nonnull(strstr(svg, ">2.5</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">0.0</text>"));
    ck_assert_int_eq(tmp_count_entries(dir), 1); /* no temporary file left */
    free(svg);

    /* Writing again replaces the file. */
    nn_series one = {"only", train, 5};
    ck_assert_int_eq(nn_plot_lines_svg(path, NULL, NULL, NULL, &one, 1, &err), NN_OK);
    svg = slurp(path);
    ck_assert_well_formed(svg);
    ck_assert_int_eq(count(svg, "class=\"series\""), 1);
    ck_assert_int_eq(tmp_count_entries(dir), 1);
    free(svg);
    rm_dir(dir);
}
END_TEST

/* Panels stack vertically, each with its own axes and legend. */
START_TEST(test_panels_svg) {
    char dir[64], path[128];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/panels.svg", dir);
    double loss[3] = {2, 1, 0.5}, acc[3] = {0.5, 0.8, 0.9}, val[3] = {0.4, 0.7, NAN};
    nn_series a[1] = {{"training", loss, 3}}, b[2] = {{"training", acc, 3}, {"validation", val, 3}};
    nn_plot_panel p[2] = {{"Loss", "epoch", "loss", a, 1}, {"Accuracy <monitored>", "epoch", "accuracy", b, 2}};
    nn_error err;
    ck_assert_int_eq(nn_plot_panels_svg(path, p, 2, &err), NN_OK);
    char *svg = slurp(path);
    ck_assert_well_formed(svg);
    ck_assert_int_eq(count(svg, "class=\"panel\""), 2);
    ck_assert_int_eq(count(svg, "class=\"series\""), 3);
    ck_assert_ptr_nonnull(strstr(svg, "translate(0 400)")); /* the second panel, below the first */
    ck_assert_ptr_nonnull(strstr(svg, "Accuracy &lt;monitored&gt;"));
    ck_assert_ptr_nonnull(strstr(svg, "height=\"800\""));
    free(svg);
    ck_assert_int_eq(nn_plot_panels_svg(path, p, 0, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_plot_panels_svg(path, p, NN_PLOT_MAX_PANELS + 1, &err), NN_ERR_ARG);
    p[1].n_series = 0; /* an empty panel names the file */
    ck_assert_int_eq(nn_plot_panels_svg(path, p, 2, &err), NN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_int_eq(tmp_count_entries(dir), 1);
    rm_dir(dir);
}
END_TEST

START_TEST(test_lines_degenerate_inputs) {
    char dir[64], path[128];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/flat.svg", dir);
    double flat[3] = {1, 1, 1}, none[2] = {NAN, INFINITY}, single[1] = {0.5};
    nn_series s[3] = {{"flat", flat, 3}, {"", none, 2}, {NULL, single, 1}};
    nn_error err;
    ck_assert_int_eq(nn_plot_lines_svg(path, "t", "x", "y", s, 3, &err), NN_OK);
    char *svg = slurp(path);
    ck_assert_well_formed(svg);
    /* Path data holds only numbers and M/L commands: no "nan", no "inf". */
    for (const char *d = svg; (d = strstr(d, " d=\"")); d += 4)
        ck_assert_int_eq(d[4 + strspn(d + 4, "0123456789.- ML")], '"');
    free(svg);
    /* Only non-finite values: still a file, with empty axes. */
    ck_assert_int_eq(nn_plot_lines_svg(path, "t", "x", "y", &s[1], 1, &err), NN_OK);
    svg = slurp(path);
    ck_assert_well_formed(svg);
    free(svg);
    rm_dir(dir);
}
END_TEST

START_TEST(test_tick_labels) {
    char dir[64], path[128];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/ticks.svg", dir);
    nn_error err;
    /* Accuracies between 0.812 and 0.893: steps of 0.02 from 0.80 to 0.90. */
    double acc[3] = {0.812, 0.861, 0.893};
    nn_series s = {"acc", acc, 3};
    ck_assert_int_eq(nn_plot_lines_svg(path, NULL, NULL, NULL, &s, 1, &err), NN_OK);
    char *svg = slurp(path);
    ck_assert_ptr_nonnull(strstr(svg, ">0.80</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">0.82</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">0.90</text>"));
    ck_assert_ptr_null(strstr(svg, ">0.92</text>"));
    free(svg);
    /* Crossing zero: a tick at exactly "0.0", never "-0.0". */
    double v[3] = {-0.3, 0.1, 0.5};
    s.y = v;
    ck_assert_int_eq(nn_plot_lines_svg(path, NULL, NULL, NULL, &s, 1, &err), NN_OK);
    svg = slurp(path);
    ck_assert_ptr_nonnull(strstr(svg, ">0.0</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">-0.4</text>"));
    ck_assert_ptr_null(strstr(svg, ">-0.0</text>"));
    free(svg);
    rm_dir(dir);
}
END_TEST

START_TEST(test_heatmap_svg) {
    char dir[64], path[128];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/jacobian.svg", dir);
    /* The softmax Jacobian of p = (0.5, 0.25, 0.25), computed by the library. */
    nn_real p[3] = {0.5, 0.25, 0.25}, J[9];
    nn_softmax_jacobian(J, p, 3, 1.0);
    double m[9];
    for (int i = 0; i < 9; i++) m[i] = J[i];
    nn_error err;
    ck_assert_int_eq(nn_plot_heatmap_svg(path, "softmax Jacobian ∂p/∂z", m, 3, 3, &err), NN_OK);
    char *svg = slurp(path);
    ck_assert_well_formed(svg);
    ck_assert_int_eq(count(svg, "class=\"cell\""), 9);
    ck_assert_ptr_nonnull(strstr(svg, "∂p/∂z"));       /* UTF-8 passes through */
    ck_assert_ptr_nonnull(strstr(svg, ">0.25</text>"));   /* J00 = 0.5·0.5 */
    ck_assert_ptr_nonnull(strstr(svg, ">-0.125</text>")); /* J01 = −0.5·0.25 */
    ck_assert_ptr_nonnull(strstr(svg, ">0.188</text>"));  /* J11 = 0.25·0.75 */
    /* Colours: the largest value is the darkest red, negatives are blue. */
    const char *c00 = strstr(svg, "class=\"cell\"");
    const char *c01 = strstr(c00 + 1, "class=\"cell\"");
    ck_assert_ptr_nonnull(strstr(c00, "fill=\"rgb(178,24,43)\""));
    ck_assert(strstr(c00, "fill=\"rgb(178,24,43)\"") < c01);
    int r, gr, b;
    ck_assert_int_eq(sscanf(strstr(c01, "fill=\""), "fill=\"rgb(%d,%d,%d)", &r, &gr, &b), 3);
    ck_assert_int_lt(r, b);
    ck_assert_int_eq(tmp_count_entries(dir), 1);
    free(svg);

    /* All zeros (no division by zero) and a NaN cell. */
    double z[4] = {0, 0, 0, NAN};
    ck_assert_int_eq(nn_plot_heatmap_svg(path, NULL, z, 2, 2, &err), NN_OK);
    svg = slurp(path);
    ck_assert_well_formed(svg);
    ck_assert_int_eq(count(svg, "fill=\"rgb(247,247,247)\""), 3);
    ck_assert_int_eq(count(svg, "fill=\"rgb(170,170,170)\""), 1);
    free(svg);

    /* A large map: no values printed, still well-formed. */
    double *big = malloc(40 * 30 * sizeof *big);
    ck_assert_ptr_nonnull(big);
    for (int i = 0; i < 1200; i++) big[i] = sin(i);
    ck_assert_int_eq(nn_plot_heatmap_svg(path, "big", big, 40, 30, &err), NN_OK);
    free(big);
    svg = slurp(path);
    ck_assert_well_formed(svg);
    ck_assert_int_eq(count(svg, "class=\"cell\""), 1200);
    ck_assert_int_eq(count(svg, "</text>"), 4); /* title + colour bar labels */
    free(svg);
    rm_dir(dir);
}
END_TEST

START_TEST(test_bad_path_names_it) {
    const char *bad = "/nonexistent-nn-dir/sub/plot.svg";
    double y[2] = {1, 2}, m[1] = {1};
    nn_series s = {"a", y, 2};
    nn_error err;
    ck_assert_int_eq(nn_plot_lines_svg(bad, "t", "x", "y", &s, 1, &err), NN_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, bad));
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
    err.msg[0] = '\0';
    ck_assert_int_eq(nn_plot_heatmap_svg(bad, "t", m, 1, 1, &err), NN_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, bad));
}
END_TEST

START_TEST(test_bad_arguments) {
    double y[2] = {1, 2};
    nn_series s = {"a", y, 2}, broken = {"broken", NULL, 3};
    nn_error err;
    ck_assert_int_eq(nn_plot_lines_svg("/tmp/x.svg", NULL, NULL, NULL, &s, 0, &err), NN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "/tmp/x.svg"));
    ck_assert_int_eq(nn_plot_lines_svg("/tmp/x.svg", NULL, NULL, NULL, &broken, 1, &err),
                     NN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "broken"));
    ck_assert_int_eq(nn_plot_lines_svg(NULL, NULL, NULL, NULL, &s, 1, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_plot_heatmap_svg("/tmp/x.svg", NULL, y, 0, 2, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_plot_heatmap_svg("/tmp/x.svg", NULL, NULL, 1, 2, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_plot_heatmap_svg("", NULL, y, 1, 2, &err), NN_ERR_ARG);
}
END_TEST

Suite *test_plot_suite(void) {
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("svg");
    tcase_add_test(tc, test_xml_checker_rejects_bad_xml);
    tcase_add_test(tc, test_lines_svg);
    tcase_add_test(tc, test_panels_svg);
    tcase_add_test(tc, test_lines_degenerate_inputs);
    tcase_add_test(tc, test_tick_labels);
    tcase_add_test(tc, test_heatmap_svg);
    tcase_add_test(tc, test_bad_path_names_it);
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
