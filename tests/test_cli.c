/* test_cli.c — the `nn` program end to end: a tiny image folder made here,
 * train → save → eval → predict, exact resume, the numpy reader, every bad
 * input with its message, and an installed copy used through pkg-config.
 *
 * The program under test is the one built beside this suite (NN_CLI_BIN,
 * set by the Makefile). Each test works in its own scratch directory. */
#include <unistd.h>

#include "testutil.h"
#include "tmpfiles.h"

static char dir[64], path[512];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

#include "cli_run.h" /* cli_nn: `nn ARGS` in dir, stdout and stderr into cli_out */

/* ROOT/A and ROOT/B: 8×8 gray images, bright on the left half for A, on the
 * right for B. */
static void image_folder(const char *root, const char *a, const char *b, int per_class) {
    cli_images(root, a, per_class, 8, 8, 1);
    cli_images(root, b, per_class, 8, 8, 0);
}

/* The number after `key` in cli_out (JSON "key": value). */
static double json_number(const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *at = strstr(cli_out, pattern);
    ck_assert_msg(at != NULL, "no %s in: %s", key, cli_out);
    return strtod(at + strlen(pattern), NULL);
}

#define TRAIN_IMAGES "train --data imgs --arch 64-6-2 --batch 4 --seed 3 --quiet"

START_TEST(test_images_train_eval_predict) {
    image_folder("imgs", "cat", "dog", 8);
    ck_assert_msg(cli_nn(TRAIN_IMAGES " --lr 0.3 --epochs 40 --save m.st") == 0, "%s", cli_out);
    ck_assert(cli_exists("m.st"));
    ck_assert_int_eq(cli_nn("eval m.st --data imgs --json"), 0);
    ck_assert_msg(json_number("accuracy") == 1, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "\"classes\": [\"cat\", \"dog\"]");
    ck_assert_int_eq(cli_nn("eval m.st --data imgs"), 0);
    ck_assert_msg_contains(cli_out, "accuracy 100.00%");
    ck_assert_int_eq(cli_nn("predict m.st imgs/dog/3.png --json"), 0);
    ck_assert_msg_contains(cli_out, "\"class\": \"dog\"");
    /* the program's prediction is the library's, bit for bit */
    double p_dog = json_number("probability");
    nn_model m;
    nn_error err;
    ck_assert_int_eq(nn_model_load(&m, tmp_path(path, dir, "m.st"), 1, 0, &err), NN_OK);
    ck_assert_int_eq(nn_load_image(nn_input_data(m.g, m.x), tmp_path(path, dir, "imgs/dog/3.png"), 8, 8, 1, &err), NN_OK);
    nn_graph_forward(m.g, 1);
    ck_assert(p_dog == (double)nn_output(m.g, m.probs)[1]);
    nn_model_free(&m);
    ck_assert_int_eq(cli_nn("predict m.st imgs/cat/0.png imgs/dog/0.png"), 0);
    ck_assert_msg_contains(cli_out, "imgs/cat/0.png: cat (p = ");
    ck_assert_msg_contains(cli_out, "E[X] = ");
}
END_TEST

START_TEST(test_resume_matches_uninterrupted_run) {
    image_folder("imgs", "cat", "dog", 6);
    ck_assert_msg(cli_nn(TRAIN_IMAGES " --val-fraction 0.25 --optimizer adam --lr 0.01 --epochs 4 --save full.st") == 0, "%s", cli_out);
    ck_assert(cli_nn(TRAIN_IMAGES " --val-fraction 0.25 --optimizer adam --lr 0.01 --epochs 2 --checkpoint run.ckpt") == 0);
    ck_assert(cli_exists("run.ckpt"));
    ck_assert_msg(cli_nn(TRAIN_IMAGES " --val-fraction 0.25 --optimizer adam --lr 0.01 --epochs 4 --checkpoint run.ckpt "
                     "--resume --save resumed.st") == 0, "%s", cli_out);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cmp '%s/full.st' '%s/resumed.st'", dir, dir);
    ck_assert_msg(cli_shell(cmd) == 0, "resumed model differs: %s", cli_out);
    /* a resume with other settings is refused, naming the setting */
    ck_assert_int_eq(cli_nn(TRAIN_IMAGES " --val-fraction 0.25 --optimizer adam --lr 0.02 --epochs 4 --checkpoint run.ckpt --resume"), 1);
    ck_assert_msg_contains(cli_out, "this run has lr=0.02 but the checkpoint was made with lr=0.01");
}
END_TEST

/* rows of a 3-class table with named columns */
static void write_table(const char *name, int rows) {
    FILE *f = fopen(tmp_path(path, dir, name), "w");
    fprintf(f, "width,height,kind,depth\n");
    nn_rng r;
    nn_rng_seed(&r, 17);
    const char *kinds[3] = {"a", "b", "c"};
    for (int i = 0; i < rows; i++) {
        int c = i % 3;
        fprintf(f, "%.4f,%.4f,%s,%.4f\n", 10 + 2 * c + nn_rng_normal(&r), -3 + c + 0.5 * nn_rng_normal(&r),
                kinds[c], 100 * nn_rng_uniform(&r));
    }
    fclose(f);
}

START_TEST(test_numpy_reads_the_model) {
    if (cli_shell("/usr/bin/python3 -c 'import numpy' 2>&1") != 0) {
        printf("test_numpy_reads_the_model: skipped (python3-numpy is not installed)\n");
        return;
    }
    write_table("table.csv", 60);
    ck_assert_msg(cli_nn("train --data table.csv --label kind --features width,height,depth --arch 3-5-3 "
                     "--activation tanh --epochs 5 --lr 0.1 --batch 8 --quiet --save t.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("predict t.st table.csv --json"), 0);
    /* collect nn's probabilities, row by row */
    static double ours[60][3];
    const char *at = cli_out;
    for (int i = 0; i < 60; i++) {
        at = strstr(at, "\"probabilities\": [");
        ck_assert_ptr_nonnull(at);
        at += strlen("\"probabilities\": [");
        for (int k = 0; k < 3; k++) ours[i][k] = strtod(at, (char **)&at), at += *at == ',' ? 2 : 0;
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/read_model.py' '%s/t.st' '%s/table.csv'",
             NN_SOURCE_DIR, dir, dir);
    ck_assert_msg(cli_shell(cmd) == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "\"classes\": [\"a\", \"b\", \"c\"]");
    at = strstr(cli_out, "\"probabilities\": [") + strlen("\"probabilities\": [");
    double tol = sizeof(nn_real) == 4 ? 1e-5 : 1e-12, worst = 0;
    for (int i = 0; i < 60; i++) {
        at = strchr(at, '[') + 1;
        for (int k = 0; k < 3; k++) {
            double p = strtod(at, (char **)&at);
            at += *at == ',' ? 1 : 0;
            worst = fmax(worst, fabs(p - ours[i][k]));
        }
    }
    ck_assert_msg(worst <= tol, "numpy and nn predict differ by %g", worst);
}
END_TEST

START_TEST(test_bad_options_write_nothing) {
    image_folder("imgs", "cat", "dog", 2);
    struct {
        const char *args, *message;
        int status;
    } cases[] = {
        {TRAIN_IMAGES " --epochs 2 --bogus --save m.st", "nn train: unknown option '--bogus'", 2},
        {TRAIN_IMAGES " --epochs abc --save m.st", "nn train: --epochs: 'abc' is not an integer", 2},
        {TRAIN_IMAGES " --epochs 0 --save m.st", "nn train: --epochs: 0 is not in [1, ", 2},
        {TRAIN_IMAGES " --lr 0.1 --lr 0.2 --save m.st", "nn train: --lr given twice", 2},
        {"train --data imgs --arch 64-2 --lr 0 --save m.st", "nn train: --lr: 0 is not in (0, ", 2},
        {"train --data imgs --arch 64-2 --lr=-1 --save m.st", "nn train: --lr: -1 is not in (0, ", 2},
        {"train --data imgs --arch 64-2 --loss nope --save m.st", "--loss: 'nope' is not one of ce|kl|", 2},
        {"train --data imgs --arch 64-2 --optimizer rmsprop --save m.st", "--optimizer: 'rmsprop' is not one of", 2},
        {"train --data imgs --arch 64-x-2 --save m.st", "--arch: architecture '64-x-2'", 2},
        {"train --data imgs --arch 64-2 --epochs", "--epochs needs a value", 2},
        {"train --arch 64-2 --save m.st", "--data is required", 2},
        {"train --data imgs --arch 64-2 --resume --save m.st", "--resume needs --checkpoint", 2},
        {"train --data imgs --arch 64-2 --nesterov=1", "--nesterov takes no value", 2},
        {"train --data imgs --arch 64-2 --values 1,x", "--values: '1,x' is not a comma-separated list", 2},
        {"train --data imgs --arch 64-2 --values 1,2,3", "--values: 3 values, but --arch 64-2 has 2 classes", 2},
        {"train --data imgs --arch 64-2 extra", "nn train: takes no arguments, got 'extra'", 2},
        {"train --data imgs --arch 63-2 --save m.st", "architecture 63-2 takes 63 inputs, but the data have 64 features", 1},
        {"train --data imgs --arch 64-3 --save m.st", "architecture 64-3 predicts 3 classes, but the data name 2", 1},
        {"train --data nowhere --arch 64-2 --save m.st", "nowhere: no such file, folder or IDX prefix", 1},
        {"eval --data imgs", "needs one MODEL file", 2},
        {"eval m.st", "--data is required", 2},
        {"eval missing.st --data imgs", "missing.st: cannot open", 1},
        {"predict", "needs a MODEL and at least one FILE", 2},
        {"predict m.st --top 3 x.png", "unknown option '--top'", 2},
        {"gradcheck", "give either a MODEL file or --arch", 2},
        {"trace --arch 4-3 --label 7", "--label 7: the model has 3 classes", 2},
        {"frobnicate", "nn: unknown command 'frobnicate'", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int st = cli_nn("%s", cases[i].args);
        ck_assert_msg(st == cases[i].status, "'%s' exited %d: %s", cases[i].args, st, cli_out);
        ck_assert_msg(strstr(cli_out, cases[i].message), "'%s' said: %s", cases[i].args, cli_out);
        ck_assert_msg(strchr(cli_out, '\n') == cli_out + strlen(cli_out) - 1, "'%s': not one line: %s", cases[i].args, cli_out);
        ck_assert_msg(!cli_exists("m.st"), "'%s' wrote m.st", cases[i].args);
    }
    const char *commands[] = {"train", "eval", "predict", "gradcheck", "trace"};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(cli_nn("%s --help", commands[i]), 0);
        char usage[64];
        snprintf(usage, sizeof usage, "usage: nn %s", commands[i]);
        ck_assert_msg_contains(cli_out, usage);
    }
    ck_assert_int_eq(cli_nn("--help"), 0);
    ck_assert_msg_contains(cli_out, "gradcheck");
}
END_TEST

START_TEST(test_bad_data_messages) {
    image_folder("imgs", "cat", "dog", 2);
    tmp_mkdir(tmp_path(path, dir, "imgs/empty"));
    ck_assert_int_eq(cli_nn("train --data imgs --arch 64-3 --save m.st"), 1);
    ck_assert_msg_contains(cli_out, "imgs/empty: empty class folder (no image files)");
    tmp_remove(tmp_path(path, dir, "imgs/empty"));
    tmp_write_text(tmp_path(path, dir, "imgs/cat/broken.png"), "not a png at all");
    ck_assert_int_eq(cli_nn("train --data imgs --arch 64-2 --epochs 1 --save m.st"), 1);
    ck_assert_msg_contains(cli_out, "imgs/cat/broken.png: cannot decode image");
    ck_assert(!cli_exists("m.st"));
    ck_assert_msg(cli_nn("train --data imgs --arch 64-2 --epochs 1 --skip-bad --quiet --save m.st") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "nn train: warning: skipped imgs/cat/broken.png: cannot decode image");
    ck_assert(cli_exists("m.st"));
    ck_assert_int_eq(cli_nn("predict m.st imgs/cat/broken.png"), 1);
    ck_assert_msg_contains(cli_out, "broken.png: cannot decode image");
    tmp_write_text(tmp_path(path, dir, "bad.csv"), "a,b,y\n1,2,x\n3,4.5.6,y\n");
    ck_assert_int_eq(cli_nn("train --data bad.csv --arch 2-2 --save t.st"), 1);
    ck_assert_msg_contains(cli_out, "bad.csv:3: column 2 ('b'): '4.5.6' is not a number");
    ck_assert(!cli_exists("t.st"));
    /* a truncated model file */
    tmp_write(tmp_path(path, dir, "cut.st"), "\x40\0\0\0\0\0\0\0{\"__meta", 16);
    ck_assert_int_eq(cli_nn("predict cut.st imgs/dog/0.png"), 1);
    ck_assert_msg_contains(cli_out, "cut.st: the header length field says 64 bytes, but only 8 follow it");
}
END_TEST

START_TEST(test_numeric_folders_give_an_ordinal_model) {
    image_folder("ages", "20", "40", 6);
    ck_assert_msg(cli_nn("train --data ages --arch 64-6-2 --lr 0.3 --batch 4 --epochs 30 --quiet --save o.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("predict o.st ages/40/1.png --json"), 0);
    ck_assert_msg_contains(cli_out, "\"class\": \"40\"");
    double mu = json_number("expected"), sd = json_number("std");
    ck_assert_msg(mu > 30 && mu <= 40 + 1e-9 && sd >= 0 && sd < 10, "E[X] %g, std %g", mu, sd);
}
END_TEST

START_TEST(test_distillation_and_plot) {
    image_folder("imgs", "cat", "dog", 6);
    ck_assert_msg(cli_nn(TRAIN_IMAGES " --lr 0.3 --epochs 30 --save teacher.st") == 0, "%s", cli_out);
    ck_assert_msg(cli_nn("train --data imgs --arch 64-4-2 --batch 4 --lr 0.05 --epochs 30 --quiet --loss distill "
                     "--teacher teacher.st --temperature 3 --alpha 0.8 --val-fraction 0.25 --plot curves.svg "
                     "--save student.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("eval student.st --data imgs --json"), 0);
    ck_assert_msg(json_number("accuracy") >= 0.9, "%s", cli_out);
    ck_assert(cli_exists("curves.svg"));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "grep -c '<path' '%s/curves.svg'", dir);
    ck_assert_int_eq(cli_shell(cmd), 0);
    ck_assert_msg(atoi(cli_out) == 4, "curves: %s", cli_out); /* training and validation loss and accuracy */
    /* the saved student rebuilds as an inference graph from the file alone */
    nn_model m;
    nn_error err;
    ck_assert_int_eq(nn_model_load(&m, tmp_path(path, dir, "student.st"), 4, 1, &err), NN_OK);
    ck_assert_str_eq(m.arch.loss, "distill");
    ck_assert_double_eq(m.arch.temperature, 3);
    ck_assert_double_eq(m.arch.alpha, 0.8);
    ck_assert_int_ge(m.targets, 0); /* the teacher-logits input */
    nn_model_free(&m);
    ck_assert_int_eq(cli_nn("train --data imgs --arch 64-2 --loss distill"), 2);
    ck_assert_msg_contains(cli_out, "--loss distill needs --teacher MODEL");
    ck_assert_int_eq(cli_nn("train --data imgs --arch 64-2 --temperature 2"), 2);
    ck_assert_msg_contains(cli_out, "--temperature is a setting of --loss kl or distill, not ce");
    ck_assert_int_eq(cli_nn("train --data imgs --arch 64-3 --loss kl --teacher teacher.st"), 1);
    ck_assert_msg_contains(cli_out, "--teacher teacher.st takes 64 inputs and predicts 2 classes; the student 64 and 3");
}
END_TEST

/* grade = round(x1) in 1..5 plus noise; x2 is noise */
static void write_grades(const char *name, int rows) {
    FILE *f = fopen(tmp_path(path, dir, name), "w");
    fprintf(f, "x1,x2,grade\n");
    nn_rng r;
    nn_rng_seed(&r, 5);
    for (int i = 0; i < rows; i++) {
        int g = 1 + (int)nn_rng_below(&r, 5);
        fprintf(f, "%.4f,%.4f,%d\n", g + 0.4 * nn_rng_normal(&r), nn_rng_normal(&r), g);
    }
    fclose(f);
}

START_TEST(test_every_loss_trains_and_eval_reports_ordinal_metrics) {
    write_grades("grades.csv", 200);
    const char *losses[] = {"ce", "ev-sq", "ev-abs", "mean-variance", "sord", "dldl"};
    for (int i = 0; i < 6; i++) {
        ck_assert_msg(cli_nn("train --data grades.csv --arch 2-12-5 --loss %s --epochs 15 --lr 0.05 --batch 16 "
                         "--quiet --save %s.st", losses[i], losses[i]) == 0, "%s: %s", losses[i], cli_out);
        ck_assert_int_eq(cli_nn("eval %s.st --data grades.csv --json", losses[i]), 0);
        double mae = json_number("mae_expected"), off = json_number("off_by_one"), qwk = json_number("qwk");
        /* grades are recoverable from x1 to within one: every loss must get close */
        ck_assert_msg(mae < 0.8 && off > 0.8 && qwk > 0.7, "%s: MAE %g, off-by-one %g, QWK %g", losses[i], mae, off, qwk);
    }
    ck_assert_int_eq(cli_nn("eval ev-sq.st --data grades.csv"), 0);
    ck_assert_msg_contains(cli_out, "ordinal: MAE of E[X] ");
    ck_assert_msg(cli_nn("train --data grades.csv --arch 2-5 --loss mean-variance --lambda1 0.5 --lambda2 0.01 "
                     "--epochs 1 --quiet --save mv.st") == 0, "%s", cli_out);
    nn_model m;
    nn_error err;
    ck_assert_int_eq(nn_model_load(&m, tmp_path(path, dir, "mv.st"), 1, 1, &err), NN_OK);
    ck_assert_double_eq(m.arch.lambda1, 0.5);
    ck_assert_double_eq(m.arch.lambda2, 0.01);
    ck_assert_double_eq(m.data.values[4], 5);
    nn_model_free(&m);
    ck_assert_int_eq(cli_nn("train --data grades.csv --arch 2-5 --sigma 2"), 2);
    ck_assert_msg_contains(cli_out, "--sigma is a setting of --loss dldl, not ce");
    ck_assert_int_eq(cli_nn("train --data grades.csv --arch 2-5 --loss dldl --values 0,1,2,3"), 2);
    ck_assert_msg_contains(cli_out, "--values: 4 values, but --arch 2-5 has 5 classes");
}
END_TEST

START_TEST(test_gradcheck_and_trace) {
    ck_assert_msg(cli_nn("gradcheck --arch 4-6-3 --batch 3") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "all gradients agree");
    for (int i = 0; nn_losses(i); i++) { /* every loss of the registry */
        const nn_loss_info *l = nn_losses(i);
        ck_assert_msg(cli_nn("gradcheck --arch 4-6-3 --loss %s%s", l->name,
                         nn_loss_reads(l, "temperature") ? " --temperature 2" : "") == 0,
                      "%s: %s", l->name, cli_out);
        ck_assert_msg_contains(cli_out, "all gradients agree");
    }
    ck_assert_msg_contains(cli_out, "dense1.bias");
    ck_assert_int_eq(cli_nn("gradcheck --arch 4-6-3 --loss ev-sq --temperature 2"), 2);
    ck_assert_msg_contains(cli_out, "--temperature is a setting of --loss kl or distill, not ev-sq");
    /* a teacher row wider than any fixed buffer (ASan runs of this suite see an overflow) */
    ck_assert_msg(cli_nn("gradcheck --arch 4-5000 --loss kl --batch 2 --max-checks 4") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "all gradients agree");
    ck_assert_msg(cli_nn("trace --arch 4-5-3 --label 1 --grad jacobian") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "softmax Jacobian");
    ck_assert_msg_contains(cli_out, "column sums (each 0");
    ck_assert_msg_contains(cli_out, "total loss");
}
END_TEST

START_TEST(test_installed_copy_builds_with_pkg_config) {
    if (NN_TEST_SAN) {
        printf("test_installed_copy_builds_with_pkg_config: skipped under sanitizers\n");
        return;
    }
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C '%s' install PREFIX='%s/prefix' REAL=%s 2>&1",
             NN_SOURCE_DIR, dir, NN_TEST_REAL);
    ck_assert_msg(cli_shell(cmd) == 0, "make install: %s", cli_out);
    const char *files[] = {"prefix/lib/libnn.a", "prefix/lib/libnn.so", "prefix/include/nn/nn.h",
                           "prefix/include/nn/model.h", "prefix/lib/pkgconfig/nn.pc", "prefix/bin/nn"};
    for (int i = 0; i < 6; i++) ck_assert_msg(cli_exists(files[i]), "%s not installed", files[i]);
    tmp_write_text(tmp_path(path, dir, "prog.c"),
                   "#include <nn/nn.h>\n#include <stdio.h>\n"
                   "int main(void) {\n"
                   "    nn_arch a = nn_arch_defaults();\n    nn_model m;\n    nn_error err;\n"
                   "    if (nn_arch_parse_sizes(&a, \"3-4-2\", &err) || nn_model_build(&m, &a, NULL, 2, 1, 5, &err)) {\n"
                   "        puts(err.msg);\n        return 1;\n    }\n"
                   "    for (int i = 0; i < 6; i++) nn_input_data(m.g, m.x)[i] = (nn_real)i;\n"
                   "    nn_graph_forward(m.g, 2);\n"
                   "    const nn_real *p = nn_output(m.g, m.probs);\n"
                   "    printf(\"sums %.6f %.6f\\n\", (double)(p[0] + p[1]), (double)(p[2] + p[3]));\n"
                   "    nn_model_free(&m);\n    return 0;\n}\n");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && export PKG_CONFIG_PATH='%s/prefix/lib/pkgconfig' && "
             "cc -std=c11 -Wall -Werror prog.c -o prog $(pkg-config --cflags --libs nn) -lm 2>&1 && "
             "LD_LIBRARY_PATH='%s/prefix/lib' ./prog && prefix/bin/nn --help | head -1",
             dir, dir, dir);
    ck_assert_msg(cli_shell(cmd) == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "sums 1.000000 1.000000");
    ck_assert_msg_contains(cli_out, "usage: nn COMMAND");
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C '%s' uninstall PREFIX='%s/prefix' REAL=%s 2>&1",
             NN_SOURCE_DIR, dir, NN_TEST_REAL);
    ck_assert_msg(cli_shell(cmd) == 0, "make uninstall: %s", cli_out);
    for (int i = 0; i < 6; i++) ck_assert_msg(!cli_exists(files[i]), "%s left behind", files[i]);
}
END_TEST

/* The loss registry drives the options: every loss is a --loss choice and
 * every setting an option of train, gradcheck and trace, with its default;
 * the run description lists the settings as checkpoints from before did. */
START_TEST(test_loss_options_from_registry) {
    const char *const cmds[] = {"train --help", "gradcheck --help", "trace --help"};
    for (int c = 0; c < 3; c++) {
        ck_assert_int_eq(cli_nn("%s", cmds[c]), 0);
        for (int i = 0; nn_losses(i); i++) ck_assert_msg_contains(cli_out, nn_losses(i)->name);
        for (int i = 0; nn_loss_settings(i); i++) {
            const nn_loss_setting *s = nn_loss_settings(i);
            char option[64], def[64];
            snprintf(option, sizeof option, "--%s ", s->key);
            for (char *k = option; *k; k++)
                if (*k == '_') *k = '-';
            if (s->choices) snprintf(def, sizeof def, "(default %s)", nn_loss_setting_choice_name(s, s->def));
            else snprintf(def, sizeof def, "default %g)", s->def); /* "(default 4)" or "(in …; default 4)" */
            ck_assert_msg_contains(cli_out, option);
            ck_assert_msg_contains(strstr(cli_out, option), def);
        }
    }
    ck_assert_int_eq(cli_nn("train --data imgs --arch 64-2 --loss sord --sord-scale 0"), 2);
    ck_assert_msg_contains(cli_out, "--sord-scale");
    ck_assert_int_eq(cli_nn("train --data imgs --arch 64-2 --loss ce --sord-scale 2"), 2);
    ck_assert_msg_contains(cli_out, "--sord-scale is a setting of --loss sord, not ce");
    /* a MODEL file has its own settings: giving one is an error, not ignored */
    char legacy[600];
    ck_assert_ptr_nonnull(getcwd(legacy, 400));
    strcat(legacy, "/data/legacy/distill.safetensors");
    ck_assert_msg(cli_nn("gradcheck '%s'", legacy) == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "loss distill");
    ck_assert_int_eq(cli_nn("gradcheck '%s' --temperature 2", legacy), 2);
    ck_assert_msg_contains(cli_out, "--temperature goes with --arch; a MODEL file has its own");
}
END_TEST

Suite *test_cli_suite(void) {
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("nn");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_images_train_eval_predict);
    tcase_add_test(tc, test_resume_matches_uninterrupted_run);
    tcase_add_test(tc, test_numpy_reads_the_model);
    tcase_add_test(tc, test_bad_options_write_nothing);
    tcase_add_test(tc, test_bad_data_messages);
    tcase_add_test(tc, test_numeric_folders_give_an_ordinal_model);
    tcase_add_test(tc, test_distillation_and_plot);
    tcase_add_test(tc, test_every_loss_trains_and_eval_reports_ordinal_metrics);
    tcase_add_test(tc, test_gradcheck_and_trace);
    tcase_add_test(tc, test_loss_options_from_registry);
    tcase_add_test(tc, test_installed_copy_builds_with_pkg_config);
    suite_add_tcase(s, tc);
    return s;
}
