/* test_cli_options.c — `nn train` options for validation-driven training:
 * teachers given as .npy logits (in the data file's order), the error for a
 * teacher file that is neither a model nor .npy; --dropout in the model
 * file, a warm-up and dropout resumed exactly, --test, --patience,
 * --restore-best, and a one-line error for every bad combination. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char dir[64];
#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

enum { ROWS = 40 };

/* A 2-class table: y is "hi" when a + b > 0, else "lo". */
static void write_table(const char *name) { cli_hi_lo_table(name, ROWS, 11); }

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

#define TRAIN "train --data d.csv --arch 2-8-2 --batch 8 --quiet"

START_TEST(test_train_option_errors) {
    write_table("d.csv");
    struct {
        const char *args, *message;
    } cases[] = {
        {"--patience 3", "--patience needs validation data (--val-fraction F); --test is never used for decisions"},
        {"--restore-best", "--restore-best needs validation data"},
        {"--monitor val_acc", "--monitor needs validation data"},
        {"--lr-min 0.001", "--lr-min is a setting of --lr-schedule cosine or onecycle, not constant"},
        {"--lr-schedule step --lr-min 0.001", "--lr-min is a setting of --lr-schedule cosine or onecycle, not step"},
        {"--lr-schedule cosine --lr 0.01 --lr-min 0.1", "--lr-min 0.1 is above --lr 0.01"},
        {"--lr-schedule cosine --warmup 10 --epochs 10", "--warmup 10: the warm-up takes the whole run (--epochs 10; --warmup counts epochs"},
        {"--lr-schedule onecycle --warmup 5 --epochs 5", "--warmup 5: onecycle rises for 1 to 4 epochs (--epochs 5; --warmup counts epochs"},
        {"--lr-schedule linear", "--lr-schedule: 'linear' is not one of constant|step|cosine|onecycle"},
        {"--val-fraction 0.25 --monitor val_qwk", "--monitor val_qwk is an ordinal metric; --loss ce is not ordinal"},
        {"--val-fraction 0.25 --monitor accuracy", "--monitor: 'accuracy' is not one of val_loss|val_acc|val_mae|val_qwk"},
        {"--limit-seed 3", "--limit-seed goes with --limit N"},
        {"--dropout 1", "--dropout: 1 is not in [0, 0.99]"},
        {"--clip-grad-norm 0", "--clip-grad-norm"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_msg(cli_nn(TRAIN " %s", cases[i].args) == 2, "%s: %s", cases[i].args, cli_out);
        ck_assert_msg(strstr(cli_out, cases[i].message) != NULL, "%s: '%s' lacks '%s'", cases[i].args, cli_out,
                      cases[i].message);
        ck_assert_msg(strchr(cli_out, '\n') == cli_out + strlen(cli_out) - 1, "not one line: %s", cli_out);
    }
    ck_assert_int_eq(cli_nn(TRAIN " --limit 41"), 1);
    ck_assert_msg(strstr(cli_out, "--limit 41: the training set has 40 samples"), "%s", cli_out);
}
END_TEST

/* --dropout is part of the model: the file says so and rebuilds the graph
 * with it; a run with dropout and a warm-up, interrupted after 2 epochs and
 * resumed, ends with the weights of the run that was not interrupted (the
 * masks and the rate continue from the checkpoint). */
START_TEST(test_dropout_and_warmup_resume_exactly) {
    write_table("d.csv");
    const char *opts = TRAIN " --dropout 0.3 --warmup 2 --lr 0.1 --clip-grad-norm 1";
    ck_assert_msg(cli_nn("%s --epochs 4 --save full.st", opts) == 0, "%s", cli_out);
    ck_assert_msg(cli_nn("%s --epochs 2 --checkpoint c.ckpt", opts) == 0, "%s", cli_out);
    ck_assert_msg(cli_nn("%s --epochs 4 --checkpoint c.ckpt --resume --save part.st", opts) == 0, "%s", cli_out);
    char path[512];
    nn_model a, b;
    nn_error err;
    ck_assert_int_eq(nn_model_load(&a, tmp_path(path, dir, "full.st"), 4, 0, &err), NN_OK);
    ck_assert_int_eq(nn_model_load(&b, tmp_path(path, dir, "part.st"), 4, 0, &err), NN_OK);
    ck_assert_double_eq(a.arch.dropout, 0.3);
    int drops = 0;
    for (int i = 0; i < nn_graph_n_nodes(a.g); i++) drops += strcmp(nn_node_kind(a.g, i), "dropout") == 0;
    ck_assert_int_eq(drops, 1);
    ck_assert_mem_eq(nn_graph_params(a.g), nn_graph_params(b.g), nn_graph_n_params(a.g) * sizeof(nn_real));
    nn_model_free(&a);
    nn_model_free(&b);
    /* a schedule laid out over the run cannot be resumed into a longer one */
    ck_assert_msg(cli_nn(TRAIN " --lr-schedule cosine --epochs 2 --checkpoint c2.ckpt") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn(TRAIN " --lr-schedule cosine --epochs 4 --checkpoint c2.ckpt --resume"), 1);
    ck_assert_msg(strstr(cli_out, "schedule-epochs=4 but the checkpoint was made with schedule-epochs=2"), "%s", cli_out);
}
END_TEST

/* --test is scored every epoch; --patience stops a run that no longer
 * improves (at lr 1e-12 no prediction changes, so neither does val_acc),
 * --restore-best says which epoch's weights it saves. */
START_TEST(test_test_set_and_early_stopping) {
    write_table("d.csv");
    ck_assert_msg(cli_nn("train --data d.csv --arch 2-8-2 --batch 8 --epochs 3 --test d.csv") == 0, "%s", cli_out);
    ck_assert_msg(strstr(cli_out, "test acc"), "%s", cli_out);
    ck_assert_msg(cli_nn("train --data d.csv --arch 2-8-2 --batch 8 --epochs 20 --lr 1e-12 --val-fraction 0.25 "
                         "--monitor val_acc --patience 2 --restore-best --save s.st") == 0, "%s", cli_out);
    ck_assert_msg(strstr(cli_out, "early stop after epoch 3: val_acc has not improved for 2 epochs"), "%s", cli_out);
    ck_assert_msg(strstr(cli_out, "restored the weights of epoch 1 of 3, the best by val_acc"), "%s", cli_out);
    ck_assert_msg(!strstr(cli_out, "epoch   4/20"), "%s", cli_out);
}
END_TEST

/* --class-weights: 'auto' or one weight per class, only for losses with a
 * cross-entropy term; a zero weight removes a class from the loss, so the
 * model stops predicting it. */
START_TEST(test_class_weights) {
    write_table("d.csv");
    ck_assert_int_eq(cli_nn(TRAIN " --loss ev-sq --class-weights auto"), 2);
    ck_assert_msg(strstr(cli_out, "--class-weights weighs a cross-entropy term") && strstr(cli_out, "--loss ev-sq has none"),
                  "%s", cli_out);
    ck_assert_int_eq(cli_nn(TRAIN " --class-weights 1,2,3"), 2);
    ck_assert_msg(strstr(cli_out, "--class-weights: 3 weights for the 2 classes of --arch 2-8-2"), "%s", cli_out);
    ck_assert_int_eq(cli_nn(TRAIN " --class-weights 1,-2"), 2);
    ck_assert_msg(strstr(cli_out, "--class-weights: weight 1 is -2"), "%s", cli_out);
    ck_assert_msg(cli_nn(TRAIN " --epochs 40 --lr 0.2 --class-weights auto --save a.st") == 0, "%s", cli_out);
    ck_assert_msg(cli_nn(TRAIN " --epochs 40 --lr 0.2 --class-weights 0,1 --save z.st") == 0, "%s", cli_out);
    double balanced = eval_accuracy("a.st"), one_class = eval_accuracy("z.st");
    ck_assert_msg(balanced >= 0.85 && one_class <= 0.75, "accuracy %g balanced, %g with class 0 weighted 0", balanced,
                  one_class);
}
END_TEST

/* After --resume, --plot draws the whole run: the checkpoint keeps the
 * curves of the epochs before it (the first curve has a point per epoch). */
START_TEST(test_plot_after_resume_draws_the_whole_run) {
    write_table("d.csv");
    ck_assert_msg(cli_nn(TRAIN " --epochs 2 --checkpoint c.ckpt") == 0, "%s", cli_out);
    ck_assert_msg(cli_nn(TRAIN " --epochs 5 --checkpoint c.ckpt --resume --plot p.svg") == 0, "%s", cli_out);
    char svg[1 << 15];
    cli_read("p.svg", svg, sizeof svg);
    const char *d = strstr(svg, " d=\"M");
    ck_assert_ptr_nonnull(d);
    int points = 1;
    for (const char *q = d + 4; *q && *q != '"'; q++) points += *q == 'L'; /* past ' d="' */
    ck_assert_msg(points == 5, "the first curve has %d points, not 5: %.200s", points, d);
}
END_TEST

Suite *test_cli_options_suite(void) {
    Suite *s = suite_create("cli_options");
    TCase *tc = tcase_create("cli_options");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_teacher_npy_in_data_order);
    tcase_add_test(tc, test_teacher_file_errors);
    tcase_add_test(tc, test_train_option_errors);
    tcase_add_test(tc, test_dropout_and_warmup_resume_exactly);
    tcase_add_test(tc, test_test_set_and_early_stopping);
    tcase_add_test(tc, test_class_weights);
    tcase_add_test(tc, test_plot_after_resume_draws_the_whole_run);
    suite_add_tcase(s, tc);
    return s;
}
