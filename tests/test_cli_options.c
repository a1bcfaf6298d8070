/* test_cli_options.c — `nn train` options for validation-driven training:
 * teachers given as .npy logits (in the data file's order), the error for a
 * teacher file that is neither a model nor .npy. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char dir[64];
#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

enum { ROWS = 40 };

/* A 2-class table: y is "hi" when a + b > 0, else "lo". */
static void write_table(const char *name) {
    char text[4096] = "a,b,y\n";
    nn_rng r;
    nn_rng_seed(&r, 11);
    for (int i = 0; i < ROWS; i++) {
        double a = 4 * nn_rng_uniform(&r) - 2, b = 4 * nn_rng_uniform(&r) - 2;
        snprintf(text + strlen(text), sizeof text - strlen(text), "%.3f,%.3f,%s\n", a, b, a + b > 0 ? "hi" : "lo");
    }
    cli_write(name, text);
}

/* Logits (ROWS, 2) of a teacher that is sure of each row's class, in the
 * file's row order (classes as nn numbers them), or of the other class. */
static void write_logits(const char *csv, const char *npy, int rows, int wrong) {
    char path[512];
    nn_dataset d;
    nn_error err;
    ck_assert_msg(nn_load_csv(&d, tmp_path(path, dir, csv), NULL, &err) == NN_OK, "%s", err.msg);
    nn_real logits[2 * ROWS];
    for (int i = 0; i < rows; i++)
        for (int k = 0; k < 2; k++) logits[2 * i + k] = (nn_real)(((k == d.labels[i]) != wrong) ? 4 : -4);
    ck_assert_int_eq(nn_save_npy(tmp_path(path, dir, npy), logits, rows, 2, &err), NN_OK);
    nn_dataset_free(&d);
}

static double eval_accuracy(const char *model) {
    ck_assert_int_eq(cli_nn("eval %s --data d.csv --json", model), 0);
    const char *p = strstr(cli_out, "\"accuracy\":");
    ck_assert_msg(p != NULL, "%s", cli_out);
    return atof(p + strlen("\"accuracy\":"));
}

#define STUDENT "train --data d.csv --arch 2-8-2 --epochs 40 --batch 8 --lr 0.2 --quiet --loss kl --temperature 2"

/* The student learns what the .npy says, row by row: the right classes
 * give a good student, the same logits with the classes swapped a student
 * that is wrong — so row i of the file is the teacher of sample i, also
 * across a validation split. */
START_TEST(test_teacher_npy_in_data_order) {
    write_table("d.csv");
    write_logits("d.csv", "right.npy", ROWS, 0);
    write_logits("d.csv", "wrong.npy", ROWS, 1);
    ck_assert_msg(cli_nn(STUDENT " --teacher right.npy --val-fraction 0.25 --save s1.st") == 0, "%s", cli_out);
    ck_assert_msg(cli_nn(STUDENT " --teacher wrong.npy --save s2.st") == 0, "%s", cli_out);
    double right = eval_accuracy("s1.st"), wrong = eval_accuracy("s2.st");
    ck_assert_msg(right >= 0.85 && wrong <= 0.15, "accuracy %g with the right logits, %g with swapped ones", right, wrong);
}
END_TEST

START_TEST(test_teacher_file_errors) {
    write_table("d.csv");
    write_logits("d.csv", "short.npy", ROWS - 3, 0);
    ck_assert_int_eq(cli_nn(STUDENT " --teacher short.npy"), 1);
    ck_assert_msg(strstr(cli_out, "--teacher short.npy holds 37 x 2 logits; the data have 40 samples and the student 2 classes"), "%s", cli_out);
    cli_write("junk.bin", "this is some text, not a model");
    ck_assert_int_eq(cli_nn(STUDENT " --teacher junk.bin"), 1);
    ck_assert_msg(strstr(cli_out, "--teacher junk.bin is neither an nn model (safetensors) nor a .npy file of logits"), "%s", cli_out);
    ck_assert_msg(!strstr(cli_out, "header length"), "%s", cli_out);
    cli_write("bad.npy", "\x93NUMPY\x01");
    ck_assert_int_eq(cli_nn(STUDENT " --teacher bad.npy"), 1);
    ck_assert_msg(strstr(cli_out, "--teacher: ") && strstr(cli_out, "bad.npy"), "%s", cli_out);
}
END_TEST

Suite *test_cli_options_suite(void) {
    Suite *s = suite_create("cli_options");
    TCase *tc = tcase_create("cli_options");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_teacher_npy_in_data_order);
    tcase_add_test(tc, test_teacher_file_errors);
    suite_add_tcase(s, tc);
    return s;
}
