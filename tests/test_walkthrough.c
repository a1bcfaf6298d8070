/* test_walkthrough.c — the walkthrough tells the truth: it runs the
 * walkthrough of the same build (examples/walkthrough.c) and checks what it
 * prints against what it claims. Every hand computation agrees with the
 * library's (each `max |hand − library|`), the table's four routes to ∂L/∂z
 * are the same numbers and equal p − y, the finite differences agree, a
 * batch of two averages its samples' gradients, and part 5's sentences
 * match its table: the first clamped row is the simplified gradient times
 * p_y/NN_PROB_MIN on every class, and the row where p_y is 0 is all zeros.
 * It also writes the two files it names. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tmpfiles.h"

static char dir[64];
#include "cli_run.h"

#ifdef NN_DOUBLE
#define AGREE 1e-14 /* hand (double) against library (double) */
#define FD 1e-8
#else
#define AGREE 1e-6  /* hand (double) against library (float) */
#define FD 1e-4
#endif

/* The numbers after each occurrence of `key` in cli_out, at most cap. */
static int values_after(const char *key, double *v, int cap) {
    int n = 0;
    for (const char *at = cli_out; n < cap && (at = strstr(at, key)); at += strlen(key))
        if (sscanf(at + strlen(key), "%lf", &v[n]) == 1) n++;
    return n;
}

START_TEST(test_walkthrough_claims_hold) {
    tmp_dir(dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' '%s' 2>&1", NN_WALKTHROUGH_BIN, dir);
    ck_assert_msg(cli_shell(cmd) == 0, "%s", cli_out);
    ck_assert(cli_exists("walkthrough_jacobian.svg") && cli_exists("walkthrough_graph.dot"));

    double d[32];
    int n = values_after("max |hand − library| = ", d, 32);
    ck_assert_int_eq(n, 14); /* every layer's output and gradient, both modes' ∂L/∂z, ∂L/∂x */
    for (int i = 0; i < n; i++) ck_assert_msg(d[i] <= AGREE, "agreement %d: %g", i, d[i]);

    /* the chain-rule table: j, Jᵀ·∂L/∂p, p − y, library (jacobian), library (simplified) */
    const char *t = strstr(cli_out, "library (simplified)\n");
    ck_assert_ptr_nonnull(t);
    t = strchr(t, '\n') + 1;
    for (int j = 0; j < 3; j++) {
        int row;
        double r[4];
        ck_assert_int_eq(sscanf(t, "%d %lf %lf %lf %lf", &row, &r[0], &r[1], &r[2], &r[3]), 5);
        ck_assert_int_eq(row, j);
        for (int k = 1; k < 4; k++) ck_assert_msg(r[k] == r[0], "row %d: %g vs %g", j, r[k], r[0]);
        t = strchr(t, '\n') + 1;
    }

    ck_assert_int_eq(values_after("largest |analytic − finite difference| = ", d, 1), 1);
    ck_assert_msg(d[0] > 0 && d[0] <= FD, "finite differences: %g", d[0]);
    ck_assert_int_eq(values_after("|(g1 + g2)/2 − batch gradient| = ", d, 1), 1);
    ck_assert_msg(d[0] <= REAL_TOL, "batch of two: %g", d[0]);

    /* part 5: the sentences against the rows they describe */
    const char *five = strstr(cli_out, "5. WHEN JACOBIAN MODE FAILS");
    ck_assert_ptr_nonnull(five);
    double s_first, p_first, ratio, p_ratio, s_zero;
    const char *at = strstr(five, "  At s = ");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "  At s = %lf p_y = %lf is just below the clamp: every class", &s_first, &p_first), 2);
    ck_assert_msg_contains(at, "every class of the jacobian\n  row is the simplified one times ");
    ck_assert_int_eq(sscanf(strstr(at, "times "), "times %lf, and p_y/NN_PROB_MIN = %lf", &ratio, &p_ratio), 2);
    ck_assert_close(ratio, p_ratio, 0, 2e-3);
    ck_assert(p_first < NN_PROB_MIN && p_first > 0 && ratio > 0.01 && ratio < 1);
    at = strstr(at + 1, "  At s = ");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "  At s = %lf p_y underflows to 0", &s_zero), 1);
    /* the rows: s, p_y, clamped, then the two gradients */
    int rows = 0, seen_first = 0, seen_zero = 0;
    for (const char *r = strstr(five, "∂L/∂z jacobian\n"); r && (r = strchr(r, '\n')) && r[1] == ' '; rows++) {
        r++;
        double s, p, g[6];
        long clamped;
        if (sscanf(r, "%lf %lf %ld [%lf %lf %lf] [%lf %lf %lf]", &s, &p, &clamped, &g[0], &g[1], &g[2], &g[3],
                   &g[4], &g[5]) != 9)
            break;
        ck_assert_int_eq(clamped, p < NN_PROB_MIN);
        for (int i = 0; i < 3; i++) {
            if (!clamped) ck_assert_close(g[3 + i], g[i], 1e-4, 0);           /* the modes agree */
            else if (s == s_first) ck_assert_close(g[3 + i], ratio * g[i], 2e-4, 0); /* scaled */
            else if (s == s_zero) ck_assert(g[3 + i] == 0 && fabs(g[2]) > 0.99);    /* lost */
        }
        seen_first += s == s_first && p == p_first;
        seen_zero += s == s_zero && p == 0;
    }
    ck_assert_int_eq(rows, 5);
    ck_assert(seen_first == 1 && seen_zero == 1);
    tmp_remove(dir);
}
END_TEST

Suite *test_walkthrough_suite(void) {
    Suite *s = suite_create("walkthrough");
    TCase *tc = tcase_create("claims");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_walkthrough_claims_hold);
    suite_add_tcase(s, tc);
    return s;
}
