/* test_cli_ordinal.c — what `nn eval` and `nn predict` say about ordinal
 * models: the prediction rule, the class and E[X] metrics, every read-out of
 * a prediction, rows with labels the model does not know (reported, or an
 * error with --strict), and row numbers that count data rows the same way
 * in predict and in parse errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char dir[64];
#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* grades 1–5 recoverable from column a; `bad` rows get the labels 9, 9, 10 */
static void write_grades(const char *name, int n, int bad) {
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, name), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "a,b,grade\n");
    nn_rng r;
    nn_rng_seed(&r, 5);
    for (int i = 0; i < n; i++) {
        int g = 1 + (int)nn_rng_below(&r, 5);
        if (bad && (i == 3 || i == 7 || i == 12)) g = i == 12 ? 10 : 9;
        fprintf(f, "%.4f,%.4f,%d\n", g + 0.3 * nn_rng_normal(&r), nn_rng_normal(&r), g);
    }
    fclose(f);
}

static double json_number(const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *at = strstr(cli_out, pattern);
    ck_assert_msg(at != NULL, "no %s in: %s", key, cli_out);
    return strtod(at + strlen(pattern), NULL);
}

/* `s` occurs in buf (n bytes, which may hold NULs: a safetensors file) */
static int has_bytes(const char *buf, size_t n, const char *s) {
    size_t len = strlen(s);
    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(buf + i, s, len) == 0) return 1;
    return 0;
}

static void train_sord(void) {
    write_grades("grades.csv", 120, 0);
    ck_assert_msg(cli_nn("train --data grades.csv --arch 2-8-5 --loss sord --epochs 12 --lr 0.05 "
                         "--batch 16 --quiet --save m.st") == 0, "%s", cli_out);
}

START_TEST(test_eval_unknown_labels) {
    train_sord();
    write_grades("new.csv", 30, 1);
    ck_assert_int_eq(cli_nn("eval m.st --data new.csv --json"), 0);
    ck_assert_msg_contains(cli_out, "3 rows have labels the model does not know: '9', '10' "
                                    "(the first is data row 4");
    ck_assert_msg(json_number("unknown_label_rows") == 3 && json_number("samples") == 27, "%s",
                  cli_out);
    ck_assert_int_eq(cli_nn("eval m.st --data new.csv --strict"), 1);
    ck_assert_msg_contains(cli_out, "nn eval: new.csv: 3 rows have labels the model does not know");
    ck_assert_msg(strstr(cli_out, "accuracy") == NULL, "%s", cli_out); /* nothing evaluated */
}
END_TEST

START_TEST(test_eval_ordinal_metrics_and_rule) {
    train_sord();
    ck_assert_int_eq(cli_nn("eval m.st --data grades.csv --json"), 0);
    ck_assert_msg_contains(cli_out, "\"rule\": \"median\""); /* sord's default */
    double macro = json_number("macro_mae"), rho = json_number("spearman");
    double qwk = json_number("qwk"), mae = json_number("mae_class");
    ck_assert_msg(macro >= 0 && macro < 1 && rho > 0.7 && qwk > 0.7 && mae < 0.6, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "\"recall\": [");
    /* another rule changes the class metrics, not those of E[X] */
    double mae_mu = json_number("mae_expected");
    ck_assert_int_eq(cli_nn("eval m.st --data grades.csv --json --rule argmax"), 0);
    ck_assert_msg_contains(cli_out, "\"rule\": \"argmax\"");
    ck_assert(json_number("mae_expected") == mae_mu);
    ck_assert_int_eq(cli_nn("eval m.st --data grades.csv"), 0);
    ck_assert_msg_contains(cli_out, "class (median): MAE ");
    ck_assert_msg_contains(cli_out, "Spearman's rho");
    ck_assert_int_eq(cli_nn("eval m.st --data grades.csv --rule mode"), 2);
    ck_assert_msg_contains(cli_out, "--rule: 'mode' is not one of argmax, median, expected, rank");
}
END_TEST

/* predict names CSV rows by data row (1 = first after the header; blank
 * lines are not rows), as the parse errors do after the file line. */
START_TEST(test_predict_readouts_and_rows) {
    train_sord();
    cli_write("two.csv", "a,b,grade\n1.1,0,1\n\n4.9,0.2,5\n");
    ck_assert_int_eq(cli_nn("predict m.st two.csv --json"), 0);
    ck_assert_msg_contains(cli_out, "\"input\": \"two.csv\", \"row\": 2");
    ck_assert_msg_contains(cli_out, "\"median\": ");
    ck_assert_msg_contains(cli_out, "\"argmax\": ");
    ck_assert_msg_contains(cli_out, "\"rank\": null"); /* a softmax head has no rank rule */
    /* the cumulative P(y > k) of row 1: decreasing, and the sum of the probabilities above k */
    const char *c = strstr(cli_out, "\"cumulative\": [");
    ck_assert_ptr_nonnull(c);
    c += strlen("\"cumulative\": [");
    double prev = 1;
    for (int k = 0; k < 4; k++) {
        double v = strtod(c, (char **)&c);
        c += *c == ',' ? 2 : 0;
        ck_assert_msg(v <= prev + 1e-9 && v >= 0, "P(y > %d) = %g after %g", k, v, prev);
        prev = v;
    }
    ck_assert_int_eq(cli_nn("predict m.st two.csv"), 0);
    ck_assert_msg_contains(cli_out, "two.csv data row 2: ");
    ck_assert_msg_contains(cli_out, "P(y > k): >1 ");
    cli_write("bad.csv", "a,b,grade\n1,2,1\n\n1,x,2\n");
    ck_assert_int_eq(cli_nn("predict m.st bad.csv"), 1);
    ck_assert_msg_contains(cli_out, "bad.csv:4: column 2 ('b'): 'x' is not a number (data row 2)");
}
END_TEST

/* Training an ordinal model with a validation part prints its MAE and QWK
 * per epoch; a nominal one does not. */
START_TEST(test_train_prints_val_mae_qwk) {
    write_grades("grades.csv", 120, 0);
    ck_assert_int_eq(cli_nn("train --data grades.csv --arch 2-8-5 --loss sord --epochs 2 "
                            "--val-fraction 0.25 --batch 16 --plot p.svg"), 0);
    ck_assert_msg_contains(cli_out, "epoch   2/2");
    ck_assert_msg_contains(cli_out, "val MAE ");
    ck_assert_msg_contains(cli_out, "  QWK ");
    static char svg[1 << 17];
    cli_read("p.svg", svg, sizeof svg);
    ck_assert_msg_contains(svg, ">QWK</text>"); /* panels of loss, accuracy, MAE and QWK */
    ck_assert_msg_contains(svg, ">MAE of E[X]</text>");
    cli_write("kinds.csv", "a,kind\n1,x\n2,y\n1.5,x\n2.5,y\n1.2,x\n2.2,y\n1.1,x\n2.1,y\n");
    ck_assert_int_eq(cli_nn("train --data kinds.csv --arch 1-2 --epochs 1 --val-fraction 0.25 "
                            "--batch 2"), 0);
    ck_assert_msg(strstr(cli_out, "val MAE") == NULL, "%s", cli_out);
}
END_TEST

/* --loss coral|corn|clm train with the class count last in --arch, save,
 * and are read back by eval (their rule) and predict (rank for CORAL and
 * CORN, computed from the threshold logits). */
START_TEST(test_threshold_losses_end_to_end) {
    write_grades("grades.csv", 150, 0);
    const char *losses[4] = {"coral", "corn", "clm", "clm"}, *rules[4] = {"rank", "rank", "median", "median"};
    const char *extra[4] = {"", "", "", "--link probit"}, *names[4] = {"coral", "corn", "clm", "probit"};
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(cli_nn("train --data grades.csv --arch 2-8-5 --loss %s %s --epochs 15 --lr 0.05 "
                             "--batch 16 --quiet --save %s.st", losses[i], extra[i], names[i]) == 0, "%s: %s",
                      names[i], cli_out);
        ck_assert_int_eq(cli_nn("eval %s.st --data grades.csv --json", names[i]), 0);
        char want[64];
        snprintf(want, sizeof want, "\"rule\": \"%s\"", rules[i]);
        ck_assert_msg_contains(cli_out, want);
        static char file[1 << 14]; /* the model file records its rule */
        char st_name[32];
        snprintf(st_name, sizeof st_name, "%s.st", names[i]);
        cli_read(st_name, file, 4096);
        snprintf(want, sizeof want, "\"rule\":\"%s\"", rules[i]);
        ck_assert_msg(has_bytes(file, 4096, want), "%s: no %s in the header",
                      names[i], want);
        snprintf(want, sizeof want, "\"rule\": \"%s\"", rules[i]);
        double qwk = json_number("qwk"), mae = json_number("mae_expected");
        ck_assert_msg(qwk > 0.8 && mae < 0.7, "%s: QWK %g, MAE of E[X] %g", names[i], qwk, mae);
        cli_write("one.csv", "a,b,grade\n3.0,0.1,3\n");
        ck_assert_int_eq(cli_nn("predict %s.st one.csv --json", names[i]), 0);
        ck_assert_msg(strstr(cli_out, "\"rank\": null") == NULL, "%s: %s", names[i], cli_out);
        ck_assert_msg(json_number("rank") == 2 && json_number("median") == 2, "%s: %s", names[i],
                      cli_out);
    }
    /* trace names every parameter tensor of a threshold head, within bounds */
    ck_assert_int_eq(cli_nn("trace clm.st --data grades.csv --index 0"), 0);
    ck_assert_msg_contains(cli_out, "dL/d(thresholds) = [");
    ck_assert_int_eq(cli_nn("trace coral.st --data grades.csv --index 0"), 0);
    ck_assert_msg_contains(cli_out, "dL/d(coral.weight) (1 x 8)");
    ck_assert_msg_contains(cli_out, "dL/d(coral.bias) = [");
    ck_assert_int_eq(cli_nn("gradcheck coral.st --data grades.csv"), 0);
    ck_assert_msg_contains(cli_out, "coral.bias");
    /* the probit model file names its link, and gradcheck rebuilds it */
    static char file[1 << 14];
    cli_read("probit.st", file, 4096);
    ck_assert_msg(has_bytes(file, 4096, "\"link\":\"probit\""), "probit.st does not name its link");
    ck_assert_msg(cli_nn("gradcheck probit.st --data grades.csv") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "thresholds");
}
END_TEST

/* --link: a choice of the clm loss, named on the command line; anything else
 * is one line naming the option. */
START_TEST(test_link_option) {
    write_grades("grades.csv", 40, 0);
    ck_assert_int_eq(cli_nn("train --data grades.csv --arch 2-5 --loss clm --link cauchit"), 2);
    ck_assert_msg_contains(cli_out, "--link: 'cauchit' is not one of logit|probit");
    ck_assert_int_eq(cli_nn("train --data grades.csv --arch 2-5 --loss coral --link probit"), 2);
    ck_assert_msg_contains(cli_out, "--link is a setting of --loss clm, not coral");
    ck_assert_int_eq(cli_nn("train --help"), 0);
    ck_assert_msg_contains(cli_out, "--link NAME");
    ck_assert_msg_contains(cli_out, "(default logit)");
    /* a checkpoint of one link does not resume with the other, and says so by name */
    ck_assert_msg(cli_nn("train --data grades.csv --arch 2-5 --loss clm --epochs 1 --quiet --checkpoint c.ckpt") == 0,
                  "%s", cli_out);
    ck_assert_int_eq(cli_nn("train --data grades.csv --arch 2-5 --loss clm --link probit --epochs 2 --quiet "
                            "--checkpoint c.ckpt --resume"), 1);
    ck_assert_msg_contains(cli_out, "c.ckpt: the checkpoint has loss clm with link = logit, this run probit");
}
END_TEST

/* A cumulative-link model file from before the link setting (no "link" key)
 * loads as the logit link and predicts exactly what the build that wrote it
 * predicted (data/legacy/README.md). */
START_TEST(test_legacy_clm_is_logit) {
    char cwd[400], cmd[1200];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(cmd, sizeof cmd, "cp '%s/data/legacy/clm.safetensors' '%s/data/legacy/tiny.csv' '%s'", cwd, cwd, dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_msg(cli_nn("predict clm.safetensors tiny.csv --json") == 0, "%s", cli_out);
    static char want[1 << 16];
    snprintf(cmd, sizeof cmd, "%s/data/legacy/clm_predict.json", cwd);
    FILE *f = fopen(cmd, "rb");
    ck_assert_ptr_nonnull(f);
    want[fread(want, 1, sizeof want - 1, f)] = '\0';
    fclose(f);
    /* the same text, and the same numbers to 1e-6 (the double build reads the
     * float build's file and prints more digits) */
    const char *a = cli_out, *b = want;
    while (*a && *b) {
        if ((*b == '-' || (*b >= '0' && *b <= '9')) && (*a == '-' || (*a >= '0' && *a <= '9'))) {
            char *ea, *eb;
            double x = strtod(a, &ea), y = strtod(b, &eb);
            ck_assert_msg(fabs(x - y) <= 1e-6 + 1e-5 * fabs(y), "nn predict says %.40s where "
                          "data/legacy/clm_predict.json has %.40s", a, b);
            a = ea, b = eb;
        } else {
            ck_assert_msg(*a == *b, "nn predict says %.40s where data/legacy/clm_predict.json has %.40s", a, b);
            a++, b++;
        }
    }
    ck_assert_msg(!*a && !*b, "nn predict and data/legacy/clm_predict.json differ in length");
}
END_TEST

/* --task-weights: coral only; a list is checked before any data is read (count
 * K − 1, finite, >= 0, not all 0), one line each; auto and a list train. */
START_TEST(test_task_weights_option) {
    const char *bad[][2] = {
        {"--loss clm --task-weights auto", "--task-weights weighs the tasks of --loss coral, not clm"},
        {"--loss coral --task-weights 1,1,1", "--task-weights: 3 weights for 5 classes, which have 4 tasks"},
        {"--loss coral --task-weights 1,1,1,1,1", "--task-weights: 5 weights for 5 classes"},
        {"--loss coral --task-weights 1,-0.5,1,1", "--task-weights: weight 2 of 4 is -0.5; weights are finite and >= 0"},
        {"--loss coral --task-weights 0,0,0,0", "--task-weights: every weight is 0, so nothing would be trained"},
        {"--loss coral --task-weights 1,x,1,1", "--task-weights"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(cli_nn("train --data missing.csv --arch 2-5 %s", bad[i][0]), 2);
        ck_assert_msg_contains(cli_out, bad[i][1]);
        ck_assert_msg(strchr(cli_out, '\n') == cli_out + strlen(cli_out) - 1, "not one line: %s", cli_out);
    }
    write_grades("grades.csv", 80, 0);
    ck_assert_msg(cli_nn("train --data grades.csv --arch 2-5 --loss coral --task-weights auto --epochs 2 "
                         "--quiet --checkpoint c.ckpt") == 0, "%s", cli_out);
    /* the checkpoint's run remembers them: resuming with others is refused */
    ck_assert_int_eq(cli_nn("train --data grades.csv --arch 2-5 --loss coral --task-weights 1,1,1,1 "
                            "--epochs 3 --quiet --checkpoint c.ckpt --resume"), 1);
    ck_assert_msg_contains(cli_out, "task-weights");
    ck_assert_msg(cli_nn("train --data grades.csv --arch 2-5 --loss coral --task-weights 0.5,1,1,0 --epochs 2 "
                         "--quiet") == 0, "%s", cli_out);
}
END_TEST

/* --help says that sord and dldl are one family (test_sord_is_dldl checks it). */
START_TEST(test_help_sord_is_dldl) {
    ck_assert_int_eq(cli_nn("train --help"), 0);
    ck_assert_msg_contains(cli_out, "the same as dldl with sigma = 1/sqrt(2 S)");
    ck_assert_msg_contains(cli_out, "= sord with S = 1/(2 sigma^2)");
}
END_TEST

Suite *test_cli_ordinal_suite(void) {
    Suite *s = suite_create("cli_ordinal");
    TCase *tc = tcase_create("cli_ordinal");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_eval_unknown_labels);
    tcase_add_test(tc, test_eval_ordinal_metrics_and_rule);
    tcase_add_test(tc, test_predict_readouts_and_rows);
    tcase_add_test(tc, test_train_prints_val_mae_qwk);
    tcase_add_test(tc, test_threshold_losses_end_to_end);
    tcase_add_test(tc, test_help_sord_is_dldl);
    tcase_add_test(tc, test_link_option);
    tcase_add_test(tc, test_legacy_clm_is_logit);
    tcase_add_test(tc, test_task_weights_option);
    suite_add_tcase(s, tc);
    return s;
}
