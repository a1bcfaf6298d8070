/* test_cli_files.c — `nn` never loses data: an output that is also an input
 * is refused however it is spelled, an earlier run's checkpoint is not
 * replaced without --overwrite, a killed run's temporary files are cleaned
 * up (only those), options that do not apply to the data are errors, and
 * every write to stdout is checked. */
#include <fcntl.h>
#include <sys/stat.h>

#include "testutil.h"

static char dir[64];
#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* A 2-class table: y is "hi" when a + b > 0. */
static const char table[] =
    "a,b,y\n1,2,hi\n-1,-3,lo\n2,0.5,hi\n-2,-1,lo\n0.5,1,hi\n-0.5,-2,lo\n3,1,hi\n-3,-1,lo\n";

#define TRAIN "train --data d.csv --arch 2-3-2 --epochs 2 --batch 4 --quiet"

/* Every output option against every input and every other output, spelled
 * another way each time: the command is refused with status 2 before it
 * reads or writes anything, and the input is untouched. */
START_TEST(test_output_that_is_an_input_is_refused) {
    char path[512], other[512];
    cli_write("d.csv", table);
    cli_write("t.st", "a teacher model"); /* never read: the check comes first */
    tmp_mkdir(tmp_path(path, dir, "sub"));
    ck_assert_int_eq(symlink("d.csv", tmp_path(other, dir, "link.csv")), 0);
    ck_assert_int_eq(link(tmp_path(path, dir, "d.csv"), tmp_path(other, dir, "hard.csv")), 0);
    ck_assert_int_eq(symlink(dir, tmp_path(other, dir, "here")), 0);
    struct {
        const char *args, *message;
    } cases[] = {
        {TRAIN " --save d.csv", "--save d.csv is the same file as --data d.csv"},
        {TRAIN " --save ./d.csv", "--save ./d.csv is the same file as --data d.csv"},
        {TRAIN " --save sub/../d.csv", "--save sub/../d.csv is the same file as --data d.csv"},
        {TRAIN " --save link.csv", "--save link.csv is the same file as --data d.csv"},
        {TRAIN " --save hard.csv", "--save hard.csv is the same file as --data d.csv"},
        {TRAIN " --save here/d.csv", "--save here/d.csv is the same file as --data d.csv"},
        {TRAIN " --checkpoint ./d.csv", "--checkpoint ./d.csv is the same file as --data d.csv"},
        {TRAIN " --plot link.csv", "--plot link.csv is the same file as --data d.csv"},
        {TRAIN " --loss distill --teacher t.st --save ./t.st", "--save ./t.st is the same file as --teacher t.st"},
        {TRAIN " --loss kl --teacher t.st --checkpoint sub/../t.st", "--checkpoint sub/../t.st is the same file as --teacher t.st"},
        {TRAIN " --loss kl --teacher t.st --plot here/t.st", "--plot here/t.st is the same file as --teacher t.st"},
        /* outputs against each other, also when neither exists yet */
        {TRAIN " --save m.st --checkpoint ./m.st", "--save m.st and --checkpoint ./m.st are the same file"},
        {TRAIN " --save sub/m.st --plot here/sub/m.st", "--save sub/m.st and --plot here/sub/m.st are the same file"},
        {TRAIN " --checkpoint c.ckpt --plot sub/../c.ckpt", "--checkpoint c.ckpt and --plot sub/../c.ckpt are the same file"},
    };
    char before[4096], after[4096];
    cli_read("d.csv", before, sizeof before);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int st = cli_nn("%s", cases[i].args);
        ck_assert_msg(st == 2, "'%s' exited %d: %s", cases[i].args, st, cli_out);
        ck_assert_msg(strstr(cli_out, cases[i].message), "'%s' said: %s", cases[i].args, cli_out);
        ck_assert_msg(strchr(cli_out, '\n') == cli_out + strlen(cli_out) - 1, "not one line: %s", cli_out);
        cli_read("d.csv", after, sizeof after);
        ck_assert_msg(strcmp(before, after) == 0, "'%s' changed d.csv", cases[i].args);
        cli_read("t.st", after, sizeof after);
        ck_assert_str_eq(after, "a teacher model");
        ck_assert_msg(!cli_exists("m.st") && !cli_exists("sub/m.st") && !cli_exists("c.ckpt"),
                      "'%s' wrote a file", cases[i].args);
    }
    /* every command that writes: trace --saliency against its MODEL and --data */
    ck_assert_msg(cli_nn(TRAIN " --save m.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("trace m.st --saliency ./m.st"), 2);
    ck_assert_msg_contains(cli_out, "--saliency ./m.st is the same file as MODEL m.st");
    ck_assert_int_eq(cli_nn("trace m.st --data d.csv --saliency link.csv"), 2);
    ck_assert_msg_contains(cli_out, "--saliency link.csv is the same file as --data d.csv");
    cli_read("d.csv", after, sizeof after);
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(remove(tmp_path(path, dir, "m.st")), 0);
    /* the same names in other folders are other files */
    ck_assert_msg(cli_nn(TRAIN " --save sub/d.csv --checkpoint sub/c.svg --plot c.svg") == 0, "%s", cli_out);
    ck_assert(cli_exists("sub/d.csv") && cli_exists("sub/c.svg") && cli_exists("c.svg"));
}
END_TEST

/* --data stands for the files behind it: an IDX prefix's two files, a
 * folder's IDX files. */
START_TEST(test_files_behind_data_are_inputs) {
    char path[512];
    tmp_mkdir(tmp_path(path, dir, "fm"));
    cli_write("fm/train-images-idx3-ubyte.gz", "images");
    cli_write("fm/train-labels-idx1-ubyte", "labels");
    cli_write("fm/t10k-labels-idx1-ubyte.gz", "test labels");
    const char *cases[][2] = {
        {"train --data fm --arch 784-10 --save fm/train-labels-idx1-ubyte", "is the same file as --data fm/train-labels-idx1-ubyte"},
        {"train --data fm --arch 784-10 --save fm/t10k-labels-idx1-ubyte.gz", "is the same file as --data fm/t10k-labels-idx1-ubyte.gz"},
        {"train --data fm/train --arch 784-10 --checkpoint fm/train-images-idx3-ubyte.gz", "is the same file as --data fm/train-images-idx3-ubyte.gz"},
        {"train --data fm/train-images-idx3-ubyte.gz --arch 784-10 --plot ./fm/train-labels-idx1-ubyte", "is the same file as --data fm/train-labels-idx1-ubyte"},
    };
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(cli_nn("%s", cases[i][0]) == 2, "'%s': %s", cases[i][0], cli_out);
        ck_assert_msg(strstr(cli_out, cases[i][1]), "'%s' said: %s", cases[i][0], cli_out);
    }
    char text[64];
    cli_read("fm/train-labels-idx1-ubyte", text, sizeof text);
    ck_assert_str_eq(text, "labels");
}
END_TEST

/* stdout redirected to an input (>> keeps the file) is refused too. */
START_TEST(test_stdout_into_an_input_is_refused) {
    cli_write("d.csv", table);
    ck_assert_int_eq(cli_nn_to(">> d.csv", TRAIN), 2);
    ck_assert_msg_contains(cli_out, "standard output goes to --data d.csv, an input");
    char text[4096];
    cli_read("d.csv", text, sizeof text);
    ck_assert_str_eq(text, table);
    ck_assert_int_eq(cli_nn_to(">> m.st", TRAIN " --save m.st"), 2);
    ck_assert_msg_contains(cli_out, "--save m.st is the file standard output goes to");
    /* eval and predict write only stdout: it must not be their MODEL or data */
    ck_assert_msg(cli_nn(TRAIN " --save m2.st") == 0, "%s", cli_out);
    char model[1 << 14], after[1 << 14];
    size_t n = cli_read("m2.st", model, sizeof model);
    const char *commands[][2] = {
        {"eval m2.st --data d.csv", "standard output goes to --data d.csv, an input"},
        {"eval m2.st --data d.csv --json", "standard output goes to MODEL m2.st, an input"},
        {"predict m2.st d.csv", "standard output goes to FILE d.csv, an input"},
        {"predict m2.st d.csv", "standard output goes to MODEL m2.st, an input"},
        {"gradcheck m2.st --data d.csv", "standard output goes to --data d.csv, an input"},
        {"gradcheck m2.st", "standard output goes to MODEL m2.st, an input"},
        {"graph m2.st", "standard output goes to MODEL m2.st, an input"},
        {"trace m2.st --data d.csv", "standard output goes to --data d.csv, an input"},
    };
    for (int i = 0; i < (int)(sizeof commands / sizeof *commands); i++) {
        const char *target = strstr(commands[i][1], "m2.st") ? ">> m2.st" : ">> d.csv";
        ck_assert_msg(cli_nn_to(target, "%s", commands[i][0]) == 2, "'%s %s': %s", commands[i][0], target, cli_out);
        ck_assert_msg(strstr(cli_out, commands[i][1]), "'%s %s' said: %s", commands[i][0], target, cli_out);
    }
    cli_read("d.csv", text, sizeof text);
    ck_assert_str_eq(text, table);
    ck_assert(cli_read("m2.st", after, sizeof after) == n && memcmp(model, after, n) == 0);
}
END_TEST

/* A written file gets the mode of the file it replaces, or 0666 less the
 * umask (a private umask keeps models and checkpoints private). */
START_TEST(test_outputs_keep_the_users_permissions) {
    cli_write("d.csv", table);
    char cmd[1024], path[512];
    snprintf(cmd, sizeof cmd, "cd '%s' && umask 077 && OPENBLAS_NUM_THREADS=1 '%s' " TRAIN
             " --save m.st --checkpoint c.ckpt --plot p.svg 2>&1", dir, NN_CLI_BIN);
    ck_assert_msg(cli_shell(cmd) == 0, "%s", cli_out);
    const char *names[] = {"m.st", "c.ckpt", "p.svg"};
    struct stat sb;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(stat(tmp_path(path, dir, names[i]), &sb), 0);
        ck_assert_msg((sb.st_mode & 0777) == 0600, "%s is %o under umask 077", names[i], sb.st_mode & 0777);
    }
    ck_assert_int_eq(chmod(tmp_path(path, dir, "m.st"), 0640), 0);
    ck_assert_msg(cli_nn(TRAIN " --save m.st") == 0, "%s", cli_out);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_msg((sb.st_mode & 0777) == 0640, "m.st became %o", sb.st_mode & 0777);
}
END_TEST

/* An existing checkpoint needs --resume or --overwrite. */
START_TEST(test_checkpoint_is_not_overwritten_silently) {
    cli_write("d.csv", table);
    ck_assert_msg(cli_nn(TRAIN " --checkpoint c.ckpt") == 0, "%s", cli_out);
    char before[1 << 14], after[1 << 14];
    size_t n = cli_read("c.ckpt", before, sizeof before);
    ck_assert_int_eq(cli_nn(TRAIN " --checkpoint c.ckpt --seed 9"), 2);
    ck_assert_msg_contains(cli_out, "--checkpoint c.ckpt already holds a checkpoint of an earlier run; "
                                    "pass --resume to continue it or --overwrite to replace it");
    ck_assert(cli_read("c.ckpt", after, sizeof after) == n && memcmp(before, after, n) == 0);
    /* any other existing file is not replaced either */
    cli_write("notes.txt", "my notes");
    ck_assert_int_eq(cli_nn(TRAIN " --checkpoint notes.txt"), 2);
    ck_assert_msg_contains(cli_out, "--checkpoint notes.txt already exists (not a checkpoint)");
    cli_read("notes.txt", after, sizeof after);
    ck_assert_str_eq(after, "my notes");
    ck_assert_int_eq(cli_nn(TRAIN " --checkpoint c.ckpt --resume --overwrite"), 2);
    ck_assert_msg_contains(cli_out, "--resume and --overwrite contradict each other");
    ck_assert_int_eq(cli_nn(TRAIN " --overwrite"), 2);
    ck_assert_msg_contains(cli_out, "--overwrite needs --checkpoint FILE");
    /* --overwrite starts afresh; --resume continues */
    ck_assert_msg(cli_nn(TRAIN " --checkpoint c.ckpt --seed 9 --overwrite") == 0, "%s", cli_out);
    ck_assert(cli_read("c.ckpt", after, sizeof after) != n || memcmp(before, after, n) != 0);
    ck_assert_msg(cli_nn("train --data d.csv --arch 2-3-2 --epochs 3 --batch 4 --seed 9 --checkpoint c.ckpt "
                         "--resume") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "resuming after epoch 2 of 3");
}
END_TEST

/* OUTPUT.tmp.XXXXXX of this run's outputs are removed (and reported);
 * nothing else is. */
START_TEST(test_stale_temporaries_are_removed) {
    char path[512];
    cli_write("d.csv", table);
    tmp_mkdir(tmp_path(path, dir, "out"));
    const char *stale[] = {"out/m.st.tmp.Ab3xY9", "c.ckpt.tmp.000000", "p.svg.tmp.zzzzzz"};
    const char *keep[] = {"out/m.st.tmp.abcde", "out/m.st.tmp.abcdefg", "out/other.st.tmp.abcdef",
                          "m.st.tmp.abcdef", "out/m.stx.tmp.abcdef", "out/m.st.tmp.abc-ef",
                          "c.ckpt.tmp.abcdef.bak", "d.csv.tmp.abcdef"};
    for (int i = 0; i < 3; i++) cli_write(stale[i], "half a file");
    for (int i = 0; i < 8; i++) cli_write(keep[i], "someone else's");
    tmp_mkdir(tmp_path(path, dir, "out/m.st.tmp.dirdir")); /* not a regular file: kept */
    ck_assert_msg(cli_nn(TRAIN " --save out/m.st --checkpoint c.ckpt --plot p.svg") == 0, "%s", cli_out);
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(!cli_exists(stale[i]), "%s left", stale[i]);
        char said[600];
        snprintf(said, sizeof said, "removed %s%s, a temporary file left by an interrupted run",
                 strchr(stale[i], '/') ? "" : "./", stale[i]);
        ck_assert_msg_contains(cli_out, said);
    }
    for (int i = 0; i < 8; i++) ck_assert_msg(cli_exists(keep[i]), "%s removed", keep[i]);
    ck_assert(cli_exists("out/m.st.tmp.dirdir"));
    ck_assert(cli_exists("out/m.st") && cli_exists("c.ckpt") && cli_exists("p.svg"));
    /* a clean run says nothing about temporary files */
    ck_assert_msg(cli_nn(TRAIN " --save out/m.st") == 0, "%s", cli_out);
    ck_assert_msg(!strstr(cli_out, "temporary"), "%s", cli_out);
}
END_TEST

/* Options that do nothing for this kind of data are errors, not ignored. */
START_TEST(test_options_that_do_not_apply_are_errors) {
    char path[512];
    cli_write("d.csv", table);
    tmp_mkdir(tmp_path(path, dir, "imgs"));
    tmp_mkdir(tmp_path(path, dir, "imgs/a"));
    tmp_mkdir(tmp_path(path, dir, "fm"));
    cli_write("fm/train-images-idx3-ubyte", "x");
    cli_write("fm/train-labels-idx1-ubyte", "x");
    const char *cases[][2] = {
        {"train --data d.csv --arch 2-2 --rgb", "--rgb applies to image folders, but --data d.csv is a CSV file"},
        {"train --data d.csv --arch 2-2 --image-size 4x4", "--image-size applies to image folders, but --data d.csv is a CSV file"},
        {"train --data d.csv --arch 2-2 --skip-bad", "--skip-bad applies to image folders, but --data d.csv is a CSV file"},
        {"train --data imgs --arch 2-2 --features a,b", "--features applies to CSV files, but --data imgs is an image folder"},
        {"train --data imgs --arch 2-2 --label y", "--label applies to CSV files, but --data imgs is an image folder"},
        {"train --data fm --arch 2-2 --rgb", "--rgb applies to image folders, but --data fm is IDX data"},
        {"train --data fm/train --arch 2-2 --label y", "--label applies to CSV files, but --data fm/train is IDX data"},
    };
    for (int i = 0; i < 7; i++) {
        ck_assert_msg(cli_nn("%s --save m.st", cases[i][0]) == 2, "'%s': %s", cases[i][0], cli_out);
        ck_assert_msg(strstr(cli_out, cases[i][1]), "'%s' said: %s", cases[i][0], cli_out);
        ck_assert(!cli_exists("m.st"));
    }
    /* the teaching commands: --label is for random inputs, --index for --data rows */
    ck_assert_int_eq(cli_nn("trace --arch 2-2 --data d.csv --label 1"), 2); /* options alone: status 2 */
    ck_assert_msg_contains(cli_out, "--label sets the label of random inputs; with --data the labels are the data's");
    ck_assert_int_eq(cli_nn("gradcheck --arch 2-2 --index 3"), 2);
    ck_assert_msg_contains(cli_out, "--index 3 picks a row of --data; without --data the inputs are random");
    ck_assert_msg(cli_nn("trace --arch 2-2 --data d.csv --index 3") == 0, "%s", cli_out);
}
END_TEST

/* A full disk on stdout is an error with status 1, for every command. */
START_TEST(test_every_stdout_write_is_checked) {
    if (access("/dev/full", W_OK) != 0) {
        printf("test_every_stdout_write_is_checked: skipped (no /dev/full)\n");
        return;
    }
    cli_write("d.csv", table);
    ck_assert_msg(cli_nn(TRAIN " --save m.st") == 0, "%s", cli_out);
    /* more than a stdio buffer: the first failure happens mid-run, not at exit */
    char path[512];
    FILE *f = fopen(tmp_path(path, dir, "many.csv"), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "a,b,y\n");
    for (int i = 0; i < 600; i++) fprintf(f, "%d,%d,%s\n", i % 7 - 3, i % 5 - 2, i % 2 ? "hi" : "lo");
    fclose(f);
    const char *commands[] = {
        "predict m.st many.csv", "predict m.st many.csv --json",
        "predict m.st d.csv", "predict m.st d.csv --json", "eval m.st --data d.csv",
        "eval m.st --data d.csv --json", "train --data d.csv --arch 2-2 --epochs 1", "gradcheck --arch 3-2",
        "trace --arch 3-2", "train --help", "eval --help", "predict --help", "gradcheck --help",
        "trace --help", "--help", "graph m.st",
    };
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        int st = cli_nn_to("> /dev/full", "%s", commands[i]);
        ck_assert_msg(st == 1, "'%s > /dev/full' exited %d: %s", commands[i], st, cli_out);
        ck_assert_msg(strstr(cli_out, "write error: No space left on device"), "'%s': %s", commands[i], cli_out);
        ck_assert_msg(strchr(cli_out, '\n') == cli_out + strlen(cli_out) - 1, "'%s': not one line: %s",
                      commands[i], cli_out); /* said once */
        /* the same command to a working stdout succeeds */
        ck_assert_msg(cli_nn_to("> /dev/null", "%s", commands[i]) == 0, "'%s': %s", commands[i], cli_out);
    }
}
END_TEST


/* 4×4 gray images, 3 per class, bright on the left for "l". */
static void image_folder(void) {
    cli_images("imgs", "l", 3, 4, 4, 1);
    cli_images("imgs", "r", 3, 4, 4, 0);
}

/* --resume continues only the data it was made on, and only up to --epochs. */
START_TEST(test_resume_checks_the_data_and_the_epochs) {
    cli_write("d.csv", table);
    ck_assert_msg(cli_nn(TRAIN " --checkpoint c.ckpt") == 0, "%s", cli_out);
    /* a checkpoint past --epochs is an error; one at --epochs is complete */
    ck_assert_int_eq(cli_nn("train --data d.csv --arch 2-3-2 --epochs 1 --batch 4 --quiet --checkpoint c.ckpt --resume"), 1);
    ck_assert_msg_contains(cli_out, "--resume: the checkpoint already holds 2 epochs, more than --epochs 1");
    ck_assert_msg(cli_nn(TRAIN " --checkpoint c.ckpt --resume --save m.st") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "warning: the checkpoint already holds all 2 epochs; nothing left to train");
    ck_assert(cli_exists("m.st"));
    /* touched, same bytes: a warning */
    char path[512];
    struct timespec times[2] = {{.tv_nsec = UTIME_NOW}, {.tv_sec = 1000000000}};
    ck_assert_int_eq(utimensat(AT_FDCWD, tmp_path(path, dir, "d.csv"), times, 0), 0);
    ck_assert_msg(cli_nn("train --data d.csv --arch 2-3-2 --epochs 3 --batch 4 --quiet --checkpoint c.ckpt --resume") == 0,
                  "%s", cli_out);
    ck_assert_msg_contains(cli_out, "warning: --data d.csv was modified since the checkpoint, but its size and content hash are the same");
    /* one byte changed, same size: an error naming the content */
    char changed[sizeof table];
    memcpy(changed, table, sizeof table);
    changed[strlen("a,b,y\n")] = '2'; /* 1,2,hi -> 2,2,hi */
    cli_write("d.csv", changed);
    ck_assert_int_eq(cli_nn("train --data d.csv --arch 2-3-2 --epochs 4 --batch 4 --quiet --checkpoint c.ckpt --resume"), 1);
    ck_assert_msg_contains(cli_out, "--resume: --data d.csv changed since the checkpoint: same size, but its content differs");
    /* rows added: the size is named */
    char longer[sizeof table + 16];
    snprintf(longer, sizeof longer, "%s4,4,hi\n", table);
    cli_write("d.csv", longer);
    ck_assert_int_eq(cli_nn("train --data d.csv --arch 2-3-2 --epochs 4 --batch 4 --quiet --checkpoint c.ckpt --resume"), 1);
    char said[200];
    snprintf(said, sizeof said, "changed since the checkpoint: %zu bytes then, %zu now", strlen(table), strlen(longer));
    ck_assert_msg_contains(cli_out, said);
    /* an image folder: its listing */
    image_folder();
    const char *folder = "train --data imgs --arch 16-2 --epochs 1 --batch 2 --quiet --checkpoint f.ckpt";
    ck_assert_msg(cli_nn("%s", folder) == 0, "%s", cli_out);
    char from[512], to[512];
    ck_assert_int_eq(rename(tmp_path(from, dir, "imgs/l/2.png"), tmp_path(to, dir, "imgs/l/9.png")), 0);
    ck_assert_int_eq(cli_nn("train --data imgs --arch 16-2 --epochs 2 --batch 2 --quiet --checkpoint f.ckpt --resume"), 1);
    ck_assert_msg_contains(cli_out, "--data imgs changed since the checkpoint: same size, but its listing differs");
    ck_assert_int_eq(rename(tmp_path(to, dir, "imgs/l/9.png"), tmp_path(from, dir, "imgs/l/2.png")), 0);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s/imgs/r/0.png' '%s/imgs/r/3.png'", dir, dir);
    ck_assert_int_eq(cli_shell(cmd), 0);
    ck_assert_int_eq(cli_nn("train --data imgs --arch 16-2 --epochs 2 --batch 2 --quiet --checkpoint f.ckpt --resume"), 1);
    ck_assert_msg_contains(cli_out, "--data imgs changed since the checkpoint: 6 files then, 7 now");
}
END_TEST

Suite *test_cli_files_suite(void) {
    Suite *s = suite_create("cli_files");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_output_that_is_an_input_is_refused);
    tcase_add_test(tc, test_files_behind_data_are_inputs);
    tcase_add_test(tc, test_stdout_into_an_input_is_refused);
    tcase_add_test(tc, test_outputs_keep_the_users_permissions);
    tcase_add_test(tc, test_checkpoint_is_not_overwritten_silently);
    tcase_add_test(tc, test_stale_temporaries_are_removed);
    tcase_add_test(tc, test_options_that_do_not_apply_are_errors);
    tcase_add_test(tc, test_every_stdout_write_is_checked);
    tcase_add_test(tc, test_resume_checks_the_data_and_the_epochs);
    suite_add_tcase(s, tc);
    return s;
}
