/* test_cli_answers.c — `nn` gives no silent wrong answer: a row whose input
 * overflows after standardisation or whose forward pass overflows is an
 * error naming the file and the row (or skipped and counted with
 * --skip-bad), --json never holds NaN or infinity, a teacher gets its CSV
 * columns by name, and one-class training data are an error. */
#include "testutil.h"

static char dir[64];
#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* Features with a small spread (std ~0.07), so a huge value overflows once
 * standardised: 3e38 / 0.07 is beyond float, 1e308 / 0.07 beyond double. */
static const char narrow[] = "a,b,y\n0.1,0.2,x\n0.2,0.1,y\n0.15,0.3,x\n0.3,0.12,y\n0.12,0.25,x\n0.25,0.1,y\n";
#define HUGE_VALUE (sizeof(nn_real) == 4 ? "3e38" : "1e308")

static void assert_json_finite(const char *json) {
    ck_assert_msg(!strstr(json, "nan") && !strstr(json, "inf") && !strstr(json, "NaN") && !strstr(json, "Inf"),
                  "not JSON: %s", json);
}

static void train_narrow(void) {
    cli_write("d.csv", narrow);
    ck_assert_msg(cli_nn("train --data d.csv --arch 2-3-2 --epochs 2 --quiet --save m.st") == 0, "%s", cli_out);
}

START_TEST(test_overflow_after_standardisation_is_reported) {
    train_narrow();
    char text[256], row_msg[128];
    snprintf(text, sizeof text, "a,b,y\n0.1,0.2,x\n%s,0.1,y\n0.3,0.1,y\n", HUGE_VALUE);
    cli_write("big.csv", text);
    snprintf(row_msg, sizeof row_msg, "big.csv, row 2: feature 'a' = %g overflows after standardisation", atof(HUGE_VALUE));
    const char *commands[] = {"predict m.st big.csv", "predict m.st big.csv --json", "eval m.st --data big.csv",
                              "eval m.st --data big.csv --json"};
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(cli_nn("%s", commands[i]) == 1, "'%s' exited 0: %s", commands[i], cli_out);
        ck_assert_msg(strstr(cli_out, row_msg), "'%s' said: %s", commands[i], cli_out);
        ck_assert_msg(!strstr(cli_out, "probabilit") || !strstr(cli_out, "\"input\""), "'%s' printed: %s", commands[i], cli_out);
    }
    /* --skip-bad: the row is left out, named and counted */
    ck_assert_msg(cli_nn("predict m.st big.csv --json --skip-bad") == 0, "%s", cli_out);
    assert_json_finite(cli_out);
    ck_assert_msg_contains(cli_out, "\"input\": \"big.csv\", \"row\": 1,");
    ck_assert_msg_contains(cli_out, "\"input\": \"big.csv\", \"row\": 3,");
    ck_assert_msg(!strstr(cli_out, "\"row\": 2,"), "%s", cli_out);
    ck_assert_msg_contains(cli_out, "warning: big.csv: 1 of 3 rows skipped");
    ck_assert_msg(cli_nn("eval m.st --data big.csv --json --skip-bad") == 0, "%s", cli_out);
    assert_json_finite(cli_out);
    ck_assert_msg_contains(cli_out, "\"samples\": 2, \"unknown_label_rows\": 0, \"skipped\": 1");
    ck_assert_msg(cli_nn("eval m.st --data big.csv --skip-bad") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "2 samples, 2 classes");
    ck_assert_msg_contains(cli_out, "(1 more rows skipped: non-finite inputs or probabilities)");
    /* nothing left is not an evaluation */
    snprintf(text, sizeof text, "a,b,y\n%s,0.1,y\n", HUGE_VALUE);
    cli_write("all.csv", text);
    ck_assert_int_eq(cli_nn("eval m.st --data all.csv --json --skip-bad"), 1);
    ck_assert_msg_contains(cli_out, "all.csv: every row was skipped; nothing to evaluate");
}
END_TEST

/* Rewrites m.st as bad.st through the library (so the file is valid): all
 * weights set to w, or feature std set to std when std > 0. */
static void rewrite_model(double w, double std) {
    char path[512];
    nn_model m;
    nn_error err;
    ck_assert_msg(nn_model_load(&m, tmp_path(path, dir, "m.st"), 4, 0, &err) == NN_OK, "%s", err.msg);
    if (w) {
        nn_real *p = nn_graph_params(m.g);
        for (size_t i = 0; i < nn_graph_n_params(m.g); i++) p[i] = (nn_real)w;
    }
    if (std > 0)
        for (int j = 0; j < m.data.n_features; j++) m.data.feature_std[j] = std;
    ck_assert_msg(nn_model_save(&m, tmp_path(path, dir, "bad.st"), &err) == NN_OK, "%s", err.msg);
    nn_model_free(&m);
}

START_TEST(test_model_that_overflows_is_reported) {
    train_narrow();
    /* weights whose products overflow: every logit is +inf, the softmax NaN */
    rewrite_model(sizeof(nn_real) == 4 ? 1e30 : 1e200, 0);
    const char *commands[] = {"predict bad.st d.csv", "predict bad.st d.csv --json", "eval bad.st --data d.csv",
                              "eval bad.st --data d.csv --json"};
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(cli_nn("%s", commands[i]) == 1, "'%s' exited 0: %s", commands[i], cli_out);
        ck_assert_msg_contains(cli_out, "d.csv, row 1: non-finite probabilities: the forward pass overflows");
    }
    ck_assert_int_eq(cli_nn("eval bad.st --data d.csv --skip-bad"), 1);
    ck_assert_msg_contains(cli_out, "warning: d.csv: 6 of 6 rows skipped");
    ck_assert_msg(cli_nn("predict bad.st d.csv --json --skip-bad") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "[]");
    /* stored statistics that blow up ordinary inputs */
    rewrite_model(0, sizeof(nn_real) == 4 ? 1e-40 : 1e-310);
    ck_assert_int_eq(cli_nn("predict bad.st d.csv"), 1);
    ck_assert_msg_contains(cli_out, "d.csv, row 1: feature 'a' = 0.1 overflows after standardisation");
    ck_assert_int_eq(cli_nn("eval bad.st --data d.csv --json"), 1);
    ck_assert_msg_contains(cli_out, "d.csv, row 1: feature 'a' = 0.1 overflows after standardisation");
    /* the untouched model still answers */
    ck_assert_msg(cli_nn("eval m.st --data d.csv --json") == 0, "%s", cli_out);
    assert_json_finite(cli_out);
}
END_TEST

/* 200 rows: the class is the sign of a; b is noise. */
static void write_columns(const char *name, int a_first) {
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, name), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, a_first ? "a,b,y\n" : "b,a,y\n");
    nn_rng r;
    nn_rng_seed(&r, 1);
    for (int i = 0; i < 200; i++) {
        int y = i % 2;
        double a = 2 * y - 1 + 0.3 * nn_rng_normal(&r), b = nn_rng_normal(&r);
        fprintf(f, "%.4f,%.4f,c%d\n", a_first ? a : b, a_first ? b : a, y);
    }
    fclose(f);
}

static double accuracy(void) {
    const char *at = strstr(cli_out, "\"accuracy\": ");
    ck_assert_msg(at != NULL, "%s", cli_out);
    return strtod(at + strlen("\"accuracy\": "), NULL);
}

/* A student trained only on the teacher's soft targets (--loss kl) learns
 * the classes only if the teacher saw column a where it was trained on it. */
START_TEST(test_teacher_gets_its_columns_by_name) {
    write_columns("ab.csv", 1);
    write_columns("ba.csv", 0);
    ck_assert_msg(cli_nn("train --data ab.csv --arch 2-4-2 --epochs 20 --lr 0.1 --quiet --save teacher.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("eval teacher.st --data ba.csv --json"), 0); /* eval matches by name too */
    ck_assert_msg(accuracy() > 0.95, "%s", cli_out);
    ck_assert_msg(cli_nn("train --data ba.csv --arch 2-4-2 --epochs 20 --lr 0.1 --quiet --loss kl --teacher teacher.st "
                         "--val-fraction 0.2 --save student.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("eval student.st --data ba.csv --json"), 0);
    ck_assert_msg(accuracy() > 0.95, "the teacher got the columns in the student's order: %s", cli_out);
    /* a column the student's data lack is named */
    cli_write("ac.csv", "a,c,y\n1,2,c1\n-1,0,c0\n2,1,c1\n-2,1,c0\n");
    ck_assert_int_eq(cli_nn("train --data ac.csv --arch 2-2 --epochs 1 --quiet --loss kl --teacher teacher.st"), 1);
    ck_assert_msg_contains(cli_out, "--teacher teacher.st reads column 'b', which the student's features do not include");
    ck_assert_int_eq(cli_nn("predict teacher.st ac.csv"), 1);
    ck_assert_msg_contains(cli_out, "ac.csv: feature column 'b' is not in the header");
    ck_assert_int_eq(cli_nn("eval teacher.st --data ac.csv"), 1);
    ck_assert_msg_contains(cli_out, "ac.csv: feature column 'b' is not in the header");
    cli_write("c.csv", "c,y\n1,c1\n-1,c0\n");
    ck_assert_int_eq(cli_nn("eval teacher.st --data c.csv"), 1);
    ck_assert_msg_contains(cli_out, "c.csv: feature columns 'a', 'b' are not in the header");
    ck_assert_int_eq(cli_nn("train --data c.csv --arch 2-2 --features a,c,b"), 1);
    ck_assert_msg_contains(cli_out, "c.csv: feature columns 'a', 'b' are not in the header");
}
END_TEST

START_TEST(test_one_class_data_is_an_error) {
    cli_write("one.csv", "a,y\n1,x\n2,x\n3,x\n");
    ck_assert_int_eq(cli_nn("train --data one.csv --arch 1-1 --epochs 1 --quiet --save o.st"), 1);
    ck_assert_msg_contains(cli_out, "--data one.csv: every training row is in class 'x'; a classifier needs at least two classes");
    ck_assert(!cli_exists("o.st"));
    cli_write("grades.csv", "a,g\n1,3\n2,3\n3,3\n");
    ck_assert_int_eq(cli_nn("train --data grades.csv --arch 1-4 --epochs 1 --quiet --save o.st"), 1);
    ck_assert_msg_contains(cli_out, "every training row is in class '3'");
    ck_assert(!cli_exists("o.st"));
}
END_TEST

Suite *test_cli_answers_suite(void) {
    Suite *s = suite_create("cli_answers");
    TCase *tc = tcase_create("answers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_overflow_after_standardisation_is_reported);
    tcase_add_test(tc, test_model_that_overflows_is_reported);
    tcase_add_test(tc, test_teacher_gets_its_columns_by_name);
    tcase_add_test(tc, test_one_class_data_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
