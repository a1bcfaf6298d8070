/* test_cli_errors.c — every error is one line that names the file or option
 * and the real problem, whatever bytes the user's names hold.
 *
 * The contract, tested for each case the CLI met and for the mechanism
 * behind it: the library's messages (nn_set_error) and the program's
 * (cli_error) escape control characters and bytes that are not UTF-8, and a
 * message longer than nn_error's 512 bytes loses the middle (what it
 * quotes), never its start (the file) or its end (the reason). JSON output
 * stays valid UTF-8 JSON; labels and column names that are not UTF-8 are
 * refused, so a model header is always valid JSON.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "nn/io/json.h"
#include "nn/text.h"
#include "testutil.h"
#include "tmpfiles.h"

static char dir[64], path[512];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

#include "cli_run.h" /* cli_nn: `nn ARGS` in dir, stdout and stderr into cli_out;
                        cli_nn_stdout: stdout alone */

/* cli_out is exactly one line (ending in a newline) of valid UTF-8 holding
 * `part`. */
static void one_line_with(const char *part) {
    size_t n = strlen(cli_out);
    ck_assert_msg(n > 0 && cli_out[n - 1] == '\n', "not one line: '%s'", cli_out);
    ck_assert_msg(memchr(cli_out, '\n', n - 1) == NULL, "more than one line: '%s'", cli_out);
    ck_assert_msg(nn_utf8_valid(cli_out), "not UTF-8: '%s'", cli_out);
    ck_assert_msg_contains(cli_out, part);
}

static void write_file(const char *name, const char *bytes) {
    tmp_write(tmp_path(path, dir, name), bytes, strlen(bytes));
}

/* A folder ROOT/LABEL/0.png .. with n gray 4 x 4 images, bright on one side. */
static void images(const char *root, const char *label, int n, int bright) {
    cli_images(root, label, n, 4, 4, bright);
}

static const char small_csv[] = "a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n";

/* ------------------------------------------------------------ the helpers */

START_TEST(test_escape_line) {
    char buf[64];
    ck_assert_uint_eq(nn_escape_line(buf, sizeof buf, "a\nb\r\tc\x01\x7f"), 17);
    ck_assert_str_eq(buf, "a\\nb\\r\\tc\\x01\\x7f");
    /* valid UTF-8 is kept; each byte of what is not becomes \xHH */
    nn_escape_line(buf, sizeof buf, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
    ck_assert_str_eq(buf, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
    nn_escape_line(buf, sizeof buf, "caf\xe9!");
    ck_assert_str_eq(buf, "caf\\xe9!");
    static const struct {
        const char *bytes, *escaped;
    } bad[] = {
        {"\xc0\xaf", "\\xc0\\xaf"},             /* overlong '/' */
        {"\xe0\x80\xaf", "\\xe0\\x80\\xaf"},    /* overlong, 3 bytes */
        {"\xed\xa0\x80", "\\xed\\xa0\\x80"},    /* a surrogate */
        {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, /* past U+10FFFF */
        {"\xe6\x97", "\\xe6\\x97"},             /* cut short */
        {"\x80", "\\x80"},                      /* a stray continuation byte */
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        nn_escape_line(buf, sizeof buf, bad[k].bytes);
        ck_assert_str_eq(buf, bad[k].escaped);
        ck_assert(!nn_utf8_valid(bad[k].bytes));
    }
    /* escaping twice changes nothing; a short buffer cuts at a character */
    char again[64];
    nn_escape_line(buf, sizeof buf, "x\n\xff");
    nn_escape_line(again, sizeof again, buf);
    ck_assert_str_eq(again, buf);
    ck_assert_uint_eq(nn_escape_line(buf, 5, "ab\xc3\xa9\xc3\xa9"), 6);
    ck_assert_str_eq(buf, "ab\xc3\xa9");
}
END_TEST

/* The message of a path too long for nn_error: the start of the path, a
 * marked cut, the whole reason. */
START_TEST(test_long_message_keeps_reason) {
    char name[3000];
    memset(name, 'd', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    memcpy(name, "/start", 6);
    nn_error err;
    nn_set_error(&err, NN_ERR_IO, "%s: cannot open: the real reason is at the end", name);
    ck_assert_uint_lt(strlen(err.msg), sizeof err.msg);
    ck_assert_msg(strncmp(err.msg, "/start", 6) == 0, "%s", err.msg);
    ck_assert_msg_contains(err.msg, " [...] ");
    const char *end = err.msg + strlen(err.msg) - strlen("cannot open: the real reason is at the end");
    ck_assert_str_eq(end, "cannot open: the real reason is at the end");
    /* multi-byte characters are not split by the cut */
    char wide[2000] = "";
    for (int i = 0; i < 500; i++) strcat(wide, "\xe6\x97\xa5");
    nn_set_error(&err, NN_ERR_IO, "%s: reason", wide);
    ck_assert(nn_utf8_valid(err.msg));
    ck_assert_msg_contains(err.msg, "\xe6\x97\xa5 [...] \xe6\x97\xa5");
    /* and a message that fits is untouched, bytes escaped */
    nn_set_error(&err, NN_ERR_IO, "%s: gone", "a\nb\xff");
    ck_assert_str_eq(err.msg, "a\\nb\\xff: gone");
}
END_TEST

/* ------------------------------------------------------------ the cases */

START_TEST(test_csv_cr_only_line_endings) {
    write_file("mac.csv", "a,b,label\r1,2,x\r3,4,y\r5,6,x\r");
    ck_assert_int_eq(cli_nn("train --data mac.csv --arch 2-2 --epochs 1 --quiet"), 1);
    one_line_with("nn train: mac.csv: lines end in CR only (old Mac OS line endings): convert them "
                  "to LF or CR LF");
    /* CR LF is fine, and so is a lone CR as the last byte */
    write_file("dos.csv", "a,b,label\r\n1,2,x\r\n3,4,y\r\n5,6,x\r\n7,8,y\r");
    ck_assert_msg(cli_nn("train --data dos.csv --arch 2-2 --epochs 1 --quiet") == 0, "%s", cli_out);
}
END_TEST

/* A folder that lists but cannot be searched (no x bit): stat fails on
 * every entry, which the loader skipped — "empty class folder". As root
 * (which ignores permissions) the check runs in a child that becomes
 * nobody. */
static void load_as_user(const char *root, char *message, size_t size) {
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
        nn_dataset d;
        nn_error err = {0};
        nn_status st = nn_load_image_folder(&d, root, NULL, &err);
        if (st == NN_OK) nn_dataset_free(&d);
        ssize_t w = write(fd[1], err.msg, strlen(err.msg));
        _exit(st == NN_OK ? 1 : w < 0 ? 4 : 0);
    }
    close(fd[1]);
    ssize_t n = read(fd[0], message, size - 1);
    message[n > 0 ? n : 0] = '\0';
    close(fd[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %d (%s)", status, message);
}

START_TEST(test_folder_that_cannot_be_searched) {
    images("imgs", "a", 2, 0);
    images("imgs", "b", 2, 1);
    char root[600], sub[700], message[600];
    snprintf(root, sizeof root, "%s/imgs", dir);
    snprintf(sub, sizeof sub, "%s/a", root);
    ck_assert_int_eq(chmod(dir, 0755), 0);
    ck_assert_int_eq(chmod(sub, 0644), 0); /* readable, not searchable */
    load_as_user(root, message, sizeof message);
    ck_assert_msg_contains(message, "imgs/a: cannot search the folder (it lists, but its entries "
                                    "cannot be opened): Permission denied");
    ck_assert_int_eq(chmod(sub, 0755), 0);
    ck_assert_int_eq(chmod(root, 0644), 0);
    load_as_user(root, message, sizeof message);
    ck_assert_msg_contains(message, "imgs: cannot search the folder");
    ck_assert_int_eq(chmod(root, 0755), 0);
    /* a broken symbolic link among the images is named, not skipped */
    snprintf(sub, sizeof sub, "%s/a/gone.png", root);
    ck_assert_int_eq(symlink("nowhere.png", sub), 0);
    ck_assert_int_eq(cli_nn("train --data imgs --arch 16-2 --epochs 1 --quiet"), 1);
    one_line_with("nn train: imgs/a/gone.png: No such file or directory");
}
END_TEST

START_TEST(test_image_model_given_csv) {
    images("imgs", "a", 3, 0);
    images("imgs", "b", 3, 1);
    write_file("t.csv", small_csv);
    ck_assert_msg(cli_nn("train --data imgs --arch 16-2 --epochs 1 --quiet --save img.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("eval img.st --data t.csv"), 1);
    one_line_with("nn eval: t.csv: a CSV file, but the model was trained on 4x4 gray images: give "
                  "an image folder or IDX files");
    ck_assert_int_eq(cli_nn("predict img.st t.csv"), 1);
    one_line_with("nn predict: t.csv: a CSV file, but the model was trained on 4x4 gray images");
    /* and the other way round */
    ck_assert_msg(cli_nn("train --data t.csv --arch 2-2 --epochs 1 --quiet --save csv.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("eval csv.st --data imgs"), 1);
    one_line_with("nn eval: imgs: a folder (images or IDX), but the model was trained on CSV "
                  "columns: give a .csv file");
}
END_TEST

START_TEST(test_data_is_a_device) {
    ck_assert_int_eq(cli_nn("train --data /dev/zero --arch 2-2"), 1);
    one_line_with("nn train: /dev/zero: is a character device, not a data file or folder");
    write_file("t.csv", small_csv);
    ck_assert_msg(cli_nn("train --data t.csv --arch 2-2 --epochs 1 --quiet --save m.st") == 0, "%s", cli_out);
    ck_assert_int_eq(cli_nn("eval m.st --data /dev/null"), 1);
    one_line_with("nn eval: /dev/null: is a character device");
    ck_assert_int_eq(cli_nn("train --data no-such.csv --arch 2-2"), 1);
    one_line_with("nn train: no-such.csv: no such file, folder or IDX prefix");
}
END_TEST

/* 300 widths: the message quotes the start of the architecture and keeps
 * the reason (nn_error holds 512 bytes; the spec alone is 599). */
START_TEST(test_architecture_too_deep) {
    write_file("t.csv", small_csv);
    char arch[700] = "2";
    for (int i = 0; i < 299; i++) strcat(arch, "-3");
    ck_assert_int_eq(cli_nn("train --data t.csv --arch %s --epochs 1", arch), 2);
    one_line_with("nn train: --arch: architecture '2-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-...' "
                  "(599 characters): more than 16 layers");
    ck_assert_uint_lt(strlen(cli_out), 200);
}
END_TEST

START_TEST(test_numbers_out_of_range) {
    write_file("t.csv", small_csv);
    ck_assert_int_eq(cli_nn("train --data t.csv --arch 2-2 --lr 1e-400"), 2);
    one_line_with("nn train: --lr: '1e-400' underflows: it is below the smallest normal double");
    ck_assert_int_eq(cli_nn("train --data t.csv --arch 2-2 --lr 1e400"), 2);
    one_line_with("nn train: --lr: '1e400' overflows: it is beyond the largest double");
    ck_assert_int_eq(cli_nn("train --data t.csv --arch 2-2 --lr nan"), 2);
    one_line_with("nn train: --lr: 'nan' is not a finite number");
    ck_assert_int_eq(cli_nn("train --data t.csv --arch 2-2 --epochs 99999999999"), 2);
    one_line_with("nn train: --epochs: '99999999999' is out of range for an integer");
    ck_assert_int_eq(cli_nn("train --data imgs --arch 2-2 --image-size 100000x100000"), 2);
    one_line_with("nn train: --image-size: '100000x100000' is too large: each side must be 1 to "
                  "16384 pixels");
    ck_assert_int_eq(cli_nn("train --data imgs --arch 2-2 --image-size 99999999999999999999x2"), 2);
    one_line_with("is too large: each side must be 1 to 16384 pixels");
    ck_assert_int_eq(cli_nn("train --data imgs --arch 2-2 --image-size 0x5"), 2);
    one_line_with("nn train: --image-size: '0x5' is empty");
    ck_assert_int_eq(cli_nn("train --data imgs --arch 2-2 --image-size 28x"), 2);
    one_line_with("nn train: --image-size: '28x' is not WIDTHxHEIGHT (e.g. 28x28)");
}
END_TEST

/* A file name with a newline and a byte that is not UTF-8: escaped in the
 * error line and in JSON, which stays valid. */
START_TEST(test_odd_file_names_escaped) {
    ck_assert_int_eq(cli_nn("train --data \"$(printf 'a\\nb\\377.csv')\" --arch 2-2"), 1);
    one_line_with("nn train: a\\nb\\xff.csv: no such file, folder or IDX prefix");
    images("imgs", "a", 3, 0);
    images("imgs", "b", 3, 1);
    ck_assert_msg(cli_nn("train --data imgs --arch 16-2 --epochs 1 --quiet --save m.st") == 0, "%s", cli_out);
    char odd[600];
    snprintf(odd, sizeof odd, "%s/x\ny\xff.png", dir);
    char from[600];
    snprintf(from, sizeof from, "%s/imgs/a/0.png", dir);
    ck_assert_int_eq(link(from, odd), 0);
    ck_assert_int_eq(cli_nn_stdout("predict m.st \"$(printf 'x\\ny\\377.png')\" --json"), 0);
    ck_assert_msg(nn_utf8_valid(cli_out), "not UTF-8: %s", cli_out);
    char why[128];
    nn_json *v = nn_json_parse(cli_out, strlen(cli_out), why, sizeof why);
    ck_assert_msg(v != NULL, "%s: %s", why, cli_out);
    ck_assert(v->type == NN_JSON_ARRAY && v->child);
    const nn_json *input = nn_json_member(v->child, "input");
    ck_assert_ptr_nonnull(input);
    ck_assert_str_eq(input->str, "x\ny\\xff.png"); /* the newline as \n in JSON, the byte as text */
    nn_json_free(v);
    /* the plain listing: one line per file */
    ck_assert_int_eq(cli_nn_stdout("predict m.st \"$(printf 'x\\ny\\377.png')\""), 0);
    ck_assert_msg(strncmp(cli_out, "x\\ny\\xff.png: ", 14) == 0, "%s", cli_out);
    /* and an error about it */
    write_file("x\ny\xff.png", "not an image");
    ck_assert_int_eq(cli_nn("predict m.st \"$(printf 'x\\ny\\377.png')\""), 1);
    one_line_with("x\\ny\\xff.png: cannot decode image");
    /* notes and warnings escape names too: a stale temporary of an odd output */
    images("fresh", "a", 3, 0); /* imgs/a/0.png was overwritten through its link */
    images("fresh", "b", 3, 1);
    write_file("o\nd.st.tmp.abc123", "");
    ck_assert_msg(cli_nn("train --data fresh --arch 16-2 --epochs 1 --quiet --save \"$(printf 'o\\nd.st')\"") == 0, "%s", cli_out);
    one_line_with("nn train: removed ./o\\nd.st.tmp.abc123, a temporary file left by an interrupted run");
}
END_TEST

/* Label and column names go into the model header, which is JSON: names
 * that are not UTF-8 are refused, naming them; UTF-8 names round-trip. */
START_TEST(test_label_names_not_utf8_refused) {
    write_file("latin1.csv", "a,b,label\n1,2,caf\xe9\n3,4,th\xe9\n5,6,caf\xe9\n");
    ck_assert_int_eq(cli_nn("train --data latin1.csv --arch 2-2 --epochs 1 --quiet"), 1);
    one_line_with("nn train: latin1.csv: label 'caf\\xe9' is not valid UTF-8");
    write_file("head.csv", "a,\xff\xfe,label\n1,2,x\n3,4,y\n");
    ck_assert_int_eq(cli_nn("train --data head.csv --arch 2-2 --epochs 1 --quiet"), 1);
    one_line_with("nn train: head.csv: the header's column 2, '\\xff\\xfe', is not valid UTF-8");
    images("imgs", "caf\xe9", 2, 0);
    images("imgs", "b", 2, 1);
    ck_assert_int_eq(cli_nn("train --data imgs --arch 16-2 --epochs 1 --quiet"), 1);
    one_line_with("nn train: imgs: label 'caf\\xe9' is not valid UTF-8");
    /* UTF-8 labels, and one with a newline (a quoted CSV field), load back */
    write_file("utf8.csv", "a,b,label\n1,2,caf\xc3\xa9\n3,4,\"two\nlines\"\n5,6,caf\xc3\xa9\n7,8,\"two\nlines\"\n");
    ck_assert_msg(cli_nn("train --data utf8.csv --arch 2-2 --epochs 1 --quiet --save m.st") == 0, "%s", cli_out);
    nn_model m;
    nn_error err;
    ck_assert_msg(nn_model_load(&m, tmp_path(path, dir, "m.st"), 1, 0, &err) == NN_OK, "%s", err.msg);
    ck_assert_str_eq(m.data.label_names[0], "caf\xc3\xa9");
    ck_assert_str_eq(m.data.label_names[1], "two\nlines");
    nn_model_free(&m);
    ck_assert_int_eq(cli_nn_stdout("eval m.st --data utf8.csv --json"), 0);
    char why[128];
    nn_json *v = nn_json_parse(cli_out, strlen(cli_out), why, sizeof why);
    ck_assert_msg(v != NULL, "%s: %s", why, cli_out);
    nn_json_free(v);
}
END_TEST

Suite *test_cli_errors_suite(void) {
    Suite *s = suite_create("cli_errors");
    TCase *helpers = tcase_create("helpers");
    tcase_add_test(helpers, test_escape_line);
    tcase_add_test(helpers, test_long_message_keeps_reason);
    suite_add_tcase(s, helpers);
    TCase *tc = tcase_create("cases");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_csv_cr_only_line_endings);
    tcase_add_test(tc, test_folder_that_cannot_be_searched);
    tcase_add_test(tc, test_image_model_given_csv);
    tcase_add_test(tc, test_data_is_a_device);
    tcase_add_test(tc, test_architecture_too_deep);
    tcase_add_test(tc, test_numbers_out_of_range);
    tcase_add_test(tc, test_odd_file_names_escaped);
    tcase_add_test(tc, test_label_names_not_utf8_refused);
    suite_add_tcase(s, tc);
    return s;
}
