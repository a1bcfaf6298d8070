/* test_cli_data_folders.c — nn writes nothing into a folder it reads images
 * from (nor under a name its IDX loader looks for), whichever command and
 * output, however the path is spelled; and eval's messages about image rows
 * name the image file. */
#include <stb_image_write.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "testutil.h"

static char dir[64];
#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* root/<class>/<i>.png: 4×4 gray, n per class, bright on the left for the
 * first class. */
static void image_folder(const char *root, const char *const *classes, int n_classes, int n) {
    for (int c = 0; c < n_classes; c++) cli_images(root, classes[c], n, 4, 4, c == 0);
}

/* fm/train-{images,labels}-idx… (not gzipped): 4 images of 2×2 in 2 classes. */
static void idx_folder(void) {
    char path[512];
    tmp_mkdir(tmp_path(path, dir, "fm"));
    const unsigned char images[16 + 16] = {0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 2,
                                           9, 200, 9, 200, 200, 9, 200, 9, 8, 210, 8, 210, 210, 8, 210, 8};
    const unsigned char labels[8 + 4] = {0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 0, 1};
    tmp_write(tmp_path(path, dir, "fm/train-images-idx3-ubyte"), (const char *)images, sizeof images);
    tmp_write(tmp_path(path, dir, "fm/train-labels-idx1-ubyte"), (const char *)labels, sizeof labels);
}

/* The number of entries of folder `name` (a refused command adds none). */
static int entries(const char *name) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "find '%s/%s' | wc -l", dir, name);
    ck_assert_int_eq(cli_shell(cmd), 0);
    return atoi(cli_out);
}

#define TRAIN "train --data imgs --arch 16-3-3 --epochs 1 --batch 2 --quiet"

START_TEST(test_output_inside_an_image_folder_is_refused) {
    static const char *const lr[] = {"l", "r"}, *const other[] = {"u", "v"};
    image_folder("imgs", lr, 2, 3);
    image_folder("more", other, 2, 2);
    char path[512], target[512];
    tmp_mkdir(tmp_path(path, dir, "imgs/l/deeper"));
    static const char *const s[] = {"s"};
    image_folder("elsewhere", s, 1, 2);
    /* a class folder that is a link to a folder outside the root */
    ck_assert_int_eq(symlink(tmp_path(target, dir, "elsewhere/s"), tmp_path(path, dir, "imgs/s")), 0);
    ck_assert_int_eq(symlink("imgs", tmp_path(path, dir, "alias")), 0);
    ck_assert_msg(cli_nn(TRAIN " --save m.st") == 0, "%s", cli_out); /* a MODEL for the other commands */
    struct {
        const char *args, *redirect, *message;
    } cases[] = {
        {TRAIN " --save imgs/m.st", "", "--save imgs/m.st is inside --data imgs, an image folder nn reads"},
        {TRAIN " --checkpoint imgs/l/c.ckpt", "", "--checkpoint imgs/l/c.ckpt is inside --data imgs"},
        {TRAIN " --plot imgs/l/deeper/p.svg", "", "--plot imgs/l/deeper/p.svg is inside --data imgs"},
        {TRAIN " --save alias/r/m.png", "", "--save alias/r/m.png is inside --data imgs"},
        {TRAIN " --plot elsewhere/s/p.svg", "", "--plot elsewhere/s/p.svg is inside --data imgs"},
        {TRAIN " --save imgs/l/../../imgs/m.st", "", "--save imgs/l/../../imgs/m.st is inside --data imgs"},
        {TRAIN " --test more --save more/v/m.st", "", "--save more/v/m.st is inside --test more"},
        {TRAIN " --save m2.st", "> imgs/r/out.txt", "standard output goes to "},
        {"trace m.st --data imgs --index 1 --saliency imgs/l/s.svg", "", "--saliency imgs/l/s.svg is inside --data imgs"},
        {"graph m.st --data imgs --index 1 --svg alias/g.svg", "", "--svg alias/g.svg is inside --data imgs"},
        {"eval m.st --data imgs", ">> imgs/l/eval.txt", "inside --data imgs, an image folder nn reads"},
        {"eval m.st --data more", "> more/results", "inside --data more"},
    };
    int before = entries("imgs"), before_more = entries("more"), before_else = entries("elsewhere");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int st = cli_nn_to(cases[i].redirect, "%s", cases[i].args);
        ck_assert_msg(st == 2, "'%s' exited %d: %s", cases[i].args, st, cli_out);
        ck_assert_msg(strstr(cli_out, cases[i].message), "'%s' said: %s", cases[i].args, cli_out);
        ck_assert_msg(strchr(cli_out, '\n') == cli_out + strlen(cli_out) - 1, "not one line: %s", cli_out);
        if (*cases[i].redirect) { /* the shell made the file; nn wrote nothing into it */
            const char *file = strchr(cases[i].redirect, ' ') + 1;
            char cmd[1024];
            snprintf(cmd, sizeof cmd, "cd '%s' && test ! -s %s && rm %s", dir, file, file);
            ck_assert_msg(cli_shell(cmd) == 0, "'%s' wrote into %s", cases[i].args, file);
        }
        ck_assert_msg(entries("imgs") == before && entries("more") == before_more &&
                          entries("elsewhere") == before_else && !cli_exists("m2.st"),
                      "'%s' wrote a file", cases[i].args);
    }
    /* beside the folder, or in a folder whose name merely starts the same, is fine */
    tmp_mkdir(tmp_path(path, dir, "imgs2"));
    ck_assert_msg(cli_nn(TRAIN " --save imgs2/m.st --plot imgs.svg") == 0, "%s", cli_out);
    ck_assert(cli_exists("imgs2/m.st") && cli_exists("imgs.svg"));
}
END_TEST

/* An IDX folder is read by file name: a file written under a name the
 * loader looks for (the .gz beside a plain file, the other split) would be
 * read as data next time. Other names in the folder are fine. */
START_TEST(test_output_named_like_idx_data_is_refused) {
    idx_folder();
    const char *idx = "train --data fm --arch 4-3-2 --epochs 1 --batch 2 --quiet";
    struct {
        const char *option, *message;
    } cases[] = {
        {"--save fm/train-images-idx3-ubyte.gz", "--save fm/train-images-idx3-ubyte.gz is a name the loader looks for behind --data fm"},
        {"--checkpoint fm/t10k-labels-idx1-ubyte", "--checkpoint fm/t10k-labels-idx1-ubyte is a name the loader looks for behind --data fm"},
        {"--plot ./fm/train-images-idx3-ubyte", "--plot ./fm/train-images-idx3-ubyte is the same file as --data fm/train-images-idx3-ubyte"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_int_eq(cli_nn("%s %s", idx, cases[i].option), 2);
        ck_assert_msg(strstr(cli_out, cases[i].message), "'%s' said: %s", cases[i].option, cli_out);
    }
    ck_assert_int_eq(cli_nn("train --data fm/train --arch 4-3-2 --epochs 1 --batch 2 --quiet --save fm/train-labels-idx1-ubyte.gz"), 2);
    ck_assert_msg_contains(cli_out, "is a name the loader looks for behind --data fm/train");
    ck_assert_int_eq(entries("fm"), 3);
    ck_assert_msg(cli_nn("%s --save fm/model.st", idx) == 0, "%s", cli_out);
    ck_assert(cli_exists("fm/model.st"));
}
END_TEST

/* --test data are inputs like --data. */
START_TEST(test_test_data_are_inputs) {
    cli_write("d.csv", "a,b,y\n1,2,hi\n-1,-3,lo\n2,0.5,hi\n-2,-1,lo\n");
    cli_write("t.csv", "a,b,y\n1,1,hi\n-1,-1,lo\n");
    ck_assert_int_eq(cli_nn("train --data d.csv --arch 2-3-2 --epochs 1 --quiet --test t.csv --save ./t.csv"), 2);
    ck_assert_msg_contains(cli_out, "--save ./t.csv is the same file as --test t.csv; refusing to overwrite an input");
    char after[64];
    cli_read("t.csv", after, sizeof after);
    ck_assert_str_eq(after, "a,b,y\n1,1,hi\n-1,-1,lo\n");
}
END_TEST

/* eval names an image row by its file: a row the model cannot answer
 * (its forward pass overflows), skipped rows, and the first row of a class
 * the model does not know. */
START_TEST(test_eval_names_image_rows_by_file) {
    static const char *const lr[] = {"l", "r"};
    image_folder("imgs", lr, 2, 3);
    ck_assert_msg(cli_nn("train --data imgs --arch 16-3-2 --epochs 1 --batch 2 --quiet --save m.st") == 0, "%s",
                  cli_out);
    /* weights whose products overflow: every row's probabilities are NaN */
    char path[512];
    nn_model m;
    nn_error err;
    ck_assert_msg(nn_model_load(&m, tmp_path(path, dir, "m.st"), 4, 0, &err) == NN_OK, "%s", err.msg);
    nn_real *p = nn_graph_params(m.g);
    for (size_t i = 0; i < nn_graph_n_params(m.g); i++) p[i] = (nn_real)(sizeof(nn_real) == 4 ? 1e30 : 1e200);
    ck_assert_msg(nn_model_save(&m, tmp_path(path, dir, "bad.st"), &err) == NN_OK, "%s", err.msg);
    nn_model_free(&m);
    ck_assert_int_eq(cli_nn("eval bad.st --data imgs"), 1);
    ck_assert_msg_contains(cli_out, "nn eval: imgs/l/0.png: non-finite probabilities: the forward pass overflows");
    ck_assert_int_eq(cli_nn("eval bad.st --data imgs --skip-bad"), 1);
    /* the fourth row is the first of class r, named by its file, not "row 4" */
    ck_assert_msg_contains(cli_out, "warning: skipped imgs/l/2.png: non-finite probabilities");
    ck_assert_msg_contains(cli_out, "warning: skipped imgs/r/0.png: non-finite probabilities");
    ck_assert_msg(!strstr(cli_out, "row 4"), "%s", cli_out);
    /* a class folder the model does not know: the first of its rows by file */
    static const char *const extra[] = {"a", "l", "r"};
    tmp_remove(tmp_path(path, dir, "imgs"));
    image_folder("imgs", extra, 3, 2);
    ck_assert_msg(cli_nn("eval m.st --data imgs") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "warning: imgs: 2 rows have labels the model does not know: 'a' (the first is imgs/a/0.png)");
    ck_assert_int_eq(cli_nn("eval m.st --data imgs --strict"), 1);
    ck_assert_msg_contains(cli_out, "(the first is imgs/a/0.png)");
    /* CSV rows keep their data row numbers */
    cli_write("d.csv", "a,b,y\n1,2,hi\n-1,-3,lo\n2,0.5,hi\n-2,-1,lo\n");
    ck_assert_msg(cli_nn("train --data d.csv --arch 2-3-2 --epochs 1 --quiet --save c.st") == 0, "%s", cli_out);
    cli_write("e.csv", "a,b,y\n1,2,hi\n-1,-3,new\n");
    ck_assert_msg(cli_nn("eval c.st --data e.csv") == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "(the first is data row 2, counting from 1 after the header)");
}
END_TEST

/* --resume after files of the data were touched: what matters is what the
 * loader reads, byte for byte. */
START_TEST(test_resume_judges_the_data_by_content) {
    char path[512], sub[64];
    tmp_mkdir(tmp_path(path, dir, "imgs"));
    for (int c = 0; c < 2; c++) { /* BMP: every 4×4 image has the same size */
        snprintf(sub, sizeof sub, "imgs/%c", "lr"[c]);
        tmp_mkdir(tmp_path(path, dir, sub));
        for (int i = 0; i < 3; i++) {
            unsigned char pix[16];
            for (int p = 0; p < 16; p++) pix[p] = (unsigned char)(((p % 4 < 2) == (c == 0) ? 200 : 30) + i);
            snprintf(sub, sizeof sub, "imgs/%c/%d.bmp", "lr"[c], i);
            ck_assert(stbi_write_bmp(tmp_path(path, dir, sub), 4, 4, 1, pix));
        }
    }
    const char *run = "train --data imgs --arch 16-2 --batch 2 --quiet --checkpoint f.ckpt";
    ck_assert_msg(cli_nn("%s --epochs 1", run) == 0, "%s", cli_out);
    /* touched: same names, sizes and bytes; a warning, and the run goes on */
    struct timespec times[2] = {{.tv_nsec = UTIME_NOW}, {.tv_sec = 1000000000}};
    ck_assert_int_eq(utimensat(AT_FDCWD, tmp_path(path, dir, "imgs/r/1.bmp"), times, 0), 0);
    ck_assert_msg(cli_nn("%s --epochs 2 --resume", run) == 0, "%s", cli_out);
    ck_assert_msg_contains(cli_out, "nn train: warning: --data imgs was modified since the checkpoint (the times "
                                    "of its files changed), but the names, sizes and content of its files are "
                                    "the same; resuming\n");
    /* files the loader does not read are not the data */
    cli_write("imgs/notes.txt", "about these images");
    cli_write("imgs/l/notes.txt", "about these images");
    ck_assert_msg(cli_nn("%s --epochs 3 --resume", run) == 0, "%s", cli_out);
    ck_assert_msg(!strstr(cli_out, "warning"), "%s", cli_out);
    /* one pixel changed, same size: an error */
    FILE *f = fopen(tmp_path(path, dir, "imgs/l/2.bmp"), "r+b");
    ck_assert_ptr_nonnull(f);
    ck_assert(fseek(f, -1, SEEK_END) == 0 && fputc(7, f) == 7);
    fclose(f);
    ck_assert_int_eq(cli_nn("%s --epochs 4 --resume", run), 1);
    ck_assert_msg_contains(cli_out, "--resume: --data imgs changed since the checkpoint: same files and sizes, "
                                    "but the content of a file differs");
    /* an IDX folder is its IDX files: a checkpoint kept beside them is not data */
    idx_folder();
    const char *idx = "train --data fm --arch 4-3-2 --batch 2 --quiet --checkpoint fm/run.ckpt";
    ck_assert_msg(cli_nn("%s --epochs 1", idx) == 0, "%s", cli_out);
    ck_assert_msg(cli_nn("%s --epochs 2 --resume", idx) == 0, "%s", cli_out);
    /* the same file spelled another way is the same data: the settings say what differs */
    cli_write("d.csv", "a,b,y\n1,2,hi\n-1,-3,lo\n2,0.5,hi\n-2,-1,lo\n");
    ck_assert_msg(cli_nn("train --data d.csv --arch 2-3-2 --epochs 1 --quiet --checkpoint d.ckpt") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("train --data ./d.csv --arch 2-3-2 --epochs 2 --quiet --checkpoint d.ckpt --resume"), 1);
    ck_assert_msg_contains(cli_out, "this run has data=./d.csv but the checkpoint was made with data=d.csv");
}
END_TEST

Suite *test_cli_data_folders_suite(void) {
    Suite *s = suite_create("cli_data_folders");
    TCase *tc = tcase_create("outputs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_output_inside_an_image_folder_is_refused);
    tcase_add_test(tc, test_output_named_like_idx_data_is_refused);
    tcase_add_test(tc, test_test_data_are_inputs);
    tcase_add_test(tc, test_eval_names_image_rows_by_file);
    tcase_add_test(tc, test_resume_judges_the_data_by_content);
    suite_add_tcase(s, tc);
    return s;
}
