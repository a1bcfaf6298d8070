/* test_data.c — CSV and image-folder loaders, classes, split, standardisation. */
#include <math.h>
#include <stb_image_write.h>

#include "testutil.h"
#include "tmpfiles.h"

static char dir[64], path[512];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* Loads `text` as a CSV with options o; returns the status. */
static nn_status load_csv_text(nn_dataset *d, const char *text, const nn_csv_options *o,
                               nn_error *err) {
    tmp_write_text(tmp_path(path, dir, "data.csv"), text);
    return nn_load_csv(d, path, o, err);
}

/* ------------------------------------------------------------------ CSV */

START_TEST(test_csv_label_by_name_and_string_classes) {
    nn_dataset d;
    nn_error err;
    nn_csv_options o = {.label = "kind"};
    ck_assert_int_eq(load_csv_text(&d, "a,kind,b\n1,dog,2\n3,cat,4.5\n-1e2,dog,0\n", &o, &err), NN_OK);
    ck_assert_int_eq(d.n, 3);
    ck_assert_int_eq(d.n_features, 2);
    ck_assert_int_eq(d.n_classes, 2);
    ck_assert_str_eq(d.label_names[0], "cat"); /* sorted names */
    ck_assert_str_eq(d.label_names[1], "dog");
    ck_assert_ptr_null(d.values);              /* not numbers: no category values */
    ck_assert_int_eq(d.labels[0], 1);
    ck_assert_int_eq(d.labels[1], 0);
    ck_assert_str_eq(d.feature_names[0], "a");
    ck_assert_str_eq(d.feature_names[1], "b");
    ck_assert_str_eq(d.label_column, "kind");
    ck_assert_double_eq(d.x_real[2], 3);
    ck_assert_double_eq(d.x_real[3], (nn_real)4.5);
    ck_assert_double_eq(d.x_real[4], -100);
    nn_dataset_free(&d);
}
END_TEST

START_TEST(test_csv_numeric_labels_become_values) {
    nn_dataset d;
    nn_error err;
    /* label is the last column by default; values sorted numerically, not as text */
    ck_assert_int_eq(load_csv_text(&d, "x,grade\n0.5,10\n0.1,2\n0.2,2.5\n0.3,10\n", NULL, &err), NN_OK);
    ck_assert_int_eq(d.n_classes, 3);
    ck_assert_ptr_nonnull(d.values);
    ck_assert_double_eq(d.values[0], 2);
    ck_assert_double_eq(d.values[1], 2.5);
    ck_assert_double_eq(d.values[2], 10);
    ck_assert_int_eq(d.labels[0], 2);
    ck_assert_int_eq(d.labels[1], 0);
    ck_assert_int_eq(d.labels[2], 1);
    nn_dataset_free(&d);
}
END_TEST

START_TEST(test_csv_quotes_crlf_bom_blank_lines) {
    nn_dataset d;
    nn_error err;
    nn_csv_options o = {.label = "na,me", .features = "v"};
    const char *text = "\xEF\xBB\xBF\"na,me\",v,skip\r\n\"a \"\"b\"\"\",\"1.5\",x\r\n\r\nc,2,y\r\n";
    ck_assert_int_eq(load_csv_text(&d, text, &o, &err), NN_OK);
    ck_assert_int_eq(d.n, 2);
    ck_assert_int_eq(d.n_features, 1);
    ck_assert_str_eq(d.label_names[0], "a \"b\"");
    ck_assert_str_eq(d.label_names[1], "c");
    ck_assert_double_eq(d.x_real[0], 1.5);
    ck_assert_double_eq(d.x_real[1], 2);
    nn_dataset_free(&d);
}
END_TEST

START_TEST(test_csv_non_number_names_line_and_column) {
    nn_dataset d;
    nn_error err;
    nn_status st = load_csv_text(&d, "a,b,y\n1,2,0\n3,abc,1\n", NULL, &err);
    ck_assert_int_eq(st, NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "data.csv:3: column 2 ('b'): 'abc' is not a number");
    ck_assert_ptr_null(d.x_real); /* nothing left allocated */
}
END_TEST

START_TEST(test_csv_nan_and_inf_rejected_with_position) {
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(load_csv_text(&d, "a,b,y\n1,nan,0\n", NULL, &err), NN_ERR_NUMERIC);
    ck_assert_msg_contains(err.msg, "data.csv:2: column 2 ('b'): 'nan' is not a finite number");
    ck_assert_int_eq(load_csv_text(&d, "a,b,y\n1,2,0\n\n-inf,2,1\n", NULL, &err), NN_ERR_NUMERIC);
    ck_assert_msg_contains(err.msg, "data.csv:4: column 1 ('a')");
    ck_assert_int_eq(load_csv_text(&d, "a,y\n1e999,0\n", NULL, &err), NN_ERR_NUMERIC);
    ck_assert_int_eq(load_csv_text(&d, "a,y\n0x10,0\n", NULL, &err), NN_ERR_FORMAT);
    ck_assert_int_eq(load_csv_text(&d, "a,y\n,0\n", NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "'' is not a number");
}
END_TEST

START_TEST(test_csv_structure_errors) {
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(load_csv_text(&d, "a,b,y\n1,2\n", NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "data.csv:2: 2 fields, but the header has 3");
    ck_assert_int_eq(load_csv_text(&d, "", NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "empty file");
    ck_assert_int_eq(load_csv_text(&d, "a,y\n", NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "no data rows");
    ck_assert_int_eq(load_csv_text(&d, "a,a\n1,2\n", NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "column name 'a' appears twice");
    ck_assert_int_eq(load_csv_text(&d, "a,y\n\"1,0\n", NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "data.csv:2: unterminated quoted field");
    nn_csv_options o = {.label = "z"};
    ck_assert_int_eq(load_csv_text(&d, "a,y\n1,0\n", &o, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "no label column 'z'");
    o = (nn_csv_options){.features = "a,q"};
    ck_assert_int_eq(load_csv_text(&d, "a,y\n1,0\n", &o, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "feature column 'q' is not in the header");
    ck_assert_int_eq(nn_load_csv(&d, "/nonexistent/x.csv", NULL, &err), NN_ERR_IO);
    ck_assert_msg_contains(err.msg, "/nonexistent/x.csv: cannot open");
}
END_TEST

START_TEST(test_csv_known_classes) {
    const char *names[] = {"1", "2", "3"};
    const double values[] = {1, 2, 3};
    nn_csv_options o = {.classes = {.n = 3, .names = names, .values = values}};
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(load_csv_text(&d, "x,y\n0,3.0\n1,1\n", &o, &err), NN_OK);
    ck_assert_int_eq(d.n_classes, 3);           /* the model's classes, not the file's two */
    ck_assert_int_eq(d.labels[0], 2);           /* matched by value */
    ck_assert_int_eq(d.labels[1], 0);
    nn_dataset_free(&d);
    ck_assert_int_eq(load_csv_text(&d, "x,y\n0,4\n", &o, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "label '4' is not one of the model's 3 classes");
    ck_assert_int_eq(load_csv_text(&d, "x,y\n0,1\n0,1.0\n", NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "name the same value");
    o = (nn_csv_options){.no_label = 1, .features = "x"};
    ck_assert_int_eq(load_csv_text(&d, "x,y\n5,whatever\n", &o, &err), NN_OK);
    ck_assert_int_eq(d.labels[0], 0);
    nn_dataset_free(&d);
}
END_TEST

/* ------------------------------------------------------- image folders */

/* Writes a w×h image filled with one gray level (or an RGB color). */
static void write_png(const char *sub, const char *name, int w, int h, int comp,
                      const unsigned char *color) {
    char folder[512], file[512];
    tmp_path(folder, dir, sub);
    mkdir(folder, 0755);
    unsigned char *pix = malloc((size_t)w * h * comp);
    for (int i = 0; i < w * h; i++) memcpy(pix + (size_t)i * comp, color, (size_t)comp);
    tmp_path(file, folder, name);
    ck_assert(stbi_write_png(file, w, h, comp, pix, w * comp));
    free(pix);
}

START_TEST(test_images_gray_resized_and_named) {
    unsigned char dark = 51, light = 204;
    write_png("shirt", "b.png", 8, 6, 1, &light);
    write_png("shirt", "a.png", 3, 3, 1, &light);
    write_png("boot", "x.PNG", 5, 5, 1, &dark);
    tmp_write_text(tmp_path(path, dir, "boot/notes.txt"), "not an image, ignored");
    nn_dataset d;
    nn_error err;
    nn_image_options o = {.width = 4, .height = 4, .channels = 1};
    ck_assert_int_eq(nn_load_image_folder(&d, dir, &o, &err), NN_OK);
    ck_assert_int_eq(d.n, 3);
    ck_assert_int_eq(d.n_features, 16);
    ck_assert_int_eq(d.n_classes, 2);
    ck_assert_str_eq(d.label_names[0], "boot");
    ck_assert_str_eq(d.label_names[1], "shirt");
    ck_assert_ptr_null(d.values);
    ck_assert_int_eq(d.labels[0], 0);
    ck_assert_int_eq(d.labels[1], 1);
    ck_assert_int_eq(d.image_shape[0], 4);
    ck_assert_int_eq(d.image_shape[1], 4);
    ck_assert_int_eq(d.image_shape[2], 1);
    nn_real x[3 * 16];
    int idx[3] = {0, 1, 2};
    nn_dataset_gather(&d, idx, 3, x, NULL);
    for (int j = 0; j < 16; j++) { /* a uniform image stays uniform when resized */
        ck_assert_double_eq_tol(x[j], 0.2, 1e-6);
        ck_assert_double_eq_tol(x[16 + j], 0.8, 1e-6);
        ck_assert_double_eq_tol(x[32 + j], 0.8, 1e-6);
    }
    nn_dataset_free(&d);
}
END_TEST

START_TEST(test_images_rgb_and_default_size) {
    unsigned char red[3] = {255, 0, 0}, gray = 128;
    write_png("a", "1.png", 2, 3, 3, red);
    write_png("b", "1.png", 7, 7, 1, &gray); /* gray file read as RGB */
    nn_dataset d;
    nn_error err;
    nn_image_options o = {.channels = 3}; /* size of the first image: 2 wide, 3 high */
    ck_assert_int_eq(nn_load_image_folder(&d, dir, &o, &err), NN_OK);
    ck_assert_int_eq(d.n_features, 2 * 3 * 3);
    ck_assert_int_eq(d.image_shape[0], 3);
    ck_assert_int_eq(d.image_shape[1], 2);
    ck_assert_int_eq(d.image_shape[2], 3);
    ck_assert_int_eq(d.x_u8[0], 255);
    ck_assert_int_eq(d.x_u8[1], 0);
    ck_assert_int_eq(d.x_u8[18 + 1], 128);
    nn_dataset_free(&d);
    nn_real x[18];
    ck_assert_int_eq(nn_load_image(x, tmp_path(path, dir, "a/1.png"), 2, 3, 3, &err), NN_OK);
    ck_assert_double_eq(x[0], 1);
    ck_assert_double_eq(x[2], 0);
}
END_TEST

START_TEST(test_images_numeric_folders_are_ordinal) {
    unsigned char g = 10;
    write_png("10", "a.png", 2, 2, 1, &g);
    write_png("2", "a.png", 2, 2, 1, &g);
    write_png("5.5", "a.png", 2, 2, 1, &g);
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(nn_load_image_folder(&d, dir, NULL, &err), NN_OK);
    ck_assert_int_eq(d.n_classes, 3);
    ck_assert_ptr_nonnull(d.values);
    ck_assert_double_eq(d.values[0], 2);
    ck_assert_double_eq(d.values[1], 5.5);
    ck_assert_double_eq(d.values[2], 10);
    ck_assert_int_eq(d.labels[0], 2); /* folder "10" is read first (sorted as text) */
    ck_assert_int_eq(d.labels[1], 0);
    ck_assert_int_eq(d.labels[2], 1);
    nn_dataset_free(&d);
}
END_TEST

struct warnings {
    int count;
    char last[600];
};

static void collect(void *user, const char *message) {
    struct warnings *w = user;
    w->count++;
    snprintf(w->last, sizeof w->last, "%s", message);
}

START_TEST(test_images_not_an_image) {
    unsigned char g = 10;
    write_png("cat", "good.png", 2, 2, 1, &g);
    tmp_write_text(tmp_path(path, dir, "cat/bad.png"), "this is text, not a PNG");
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(nn_load_image_folder(&d, dir, NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "cat/bad.png: cannot decode image");
    struct warnings w = {0};
    int skipped = -1;
    nn_image_options o = {.skip_bad = 1, .warn = collect, .warn_user = &w, .n_skipped = &skipped};
    ck_assert_int_eq(nn_load_image_folder(&d, dir, &o, &err), NN_OK);
    ck_assert_int_eq(d.n, 1);
    ck_assert_int_eq(w.count, 1);
    ck_assert_int_eq(skipped, 1);
    ck_assert_msg_contains(w.last, "skipped");
    ck_assert_msg_contains(w.last, "cat/bad.png");
    nn_dataset_free(&d);
}
END_TEST

START_TEST(test_images_empty_folders) {
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(nn_load_image_folder(&d, dir, NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "no class folders");
    unsigned char g = 10;
    write_png("a", "x.png", 2, 2, 1, &g);
    tmp_mkdir(tmp_path(path, dir, "b"));
    ck_assert_int_eq(nn_load_image_folder(&d, dir, NULL, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "/b: empty class folder");
    ck_assert_int_eq(nn_load_image_folder(&d, "/nonexistent/root", NULL, &err), NN_ERR_IO);
    ck_assert_msg_contains(err.msg, "/nonexistent/root: cannot open folder");
}
END_TEST

/* ------------------------------------------------ split, standardise */

/* A dataset whose single feature is the row number. */
static void numbered(nn_dataset *d, int n) {
    memset(d, 0, sizeof *d);
    d->n = n, d->n_features = 2, d->n_classes = 2;
    d->x_real = malloc((size_t)n * 2 * sizeof *d->x_real);
    d->labels = malloc((size_t)n * sizeof *d->labels);
    for (int i = 0; i < n; i++) {
        d->x_real[2 * i] = (nn_real)i;
        d->x_real[2 * i + 1] = 7; /* constant feature */
        d->labels[i] = i % 2;
    }
}

START_TEST(test_split_partitions_rows_by_seed) {
    nn_dataset d, tr, va, tr2, va2;
    nn_error err;
    numbered(&d, 50);
    ck_assert_int_eq(nn_dataset_split(&d, 0.2, 7, &tr, &va, &err), NN_OK);
    ck_assert_int_eq(va.n, 10);
    ck_assert_int_eq(tr.n, 40);
    int seen[50] = {0};
    for (int i = 0; i < tr.n; i++) seen[(int)tr.x_real[2 * i]]++;
    for (int i = 0; i < va.n; i++) seen[(int)va.x_real[2 * i]]++;
    for (int i = 0; i < 50; i++) ck_assert_int_eq(seen[i], 1);
    for (int i = 0; i < tr.n; i++) ck_assert_int_eq(tr.labels[i], (int)tr.x_real[2 * i] % 2);
    ck_assert_int_eq(nn_dataset_split(&d, 0.2, 7, &tr2, &va2, &err), NN_OK);
    ck_assert_mem_eq(va.x_real, va2.x_real, 20 * sizeof(nn_real)); /* same seed, same split */
    nn_dataset_free(&tr2);
    nn_dataset_free(&va2);
    ck_assert_int_eq(nn_dataset_split(&d, 0.2, 8, &tr2, &va2, &err), NN_OK);
    ck_assert(memcmp(va.x_real, va2.x_real, 20 * sizeof(nn_real)) != 0);
    nn_dataset_free(&tr2);
    nn_dataset_free(&va2);
    ck_assert_int_eq(nn_dataset_split(&d, 0.001, 1, &tr2, &va2, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "both need at least one");
    ck_assert_int_eq(nn_dataset_split(&d, 1.5, 1, &tr2, &va2, &err), NN_ERR_ARG);
    nn_dataset_free(&tr);
    nn_dataset_free(&va);
    nn_dataset_free(&d);
}
END_TEST

START_TEST(test_standardize_on_train_applies_to_val) {
    nn_dataset d, tr, va;
    nn_error err;
    numbered(&d, 40);
    ck_assert_int_eq(nn_dataset_split(&d, 0.25, 3, &tr, &va, &err), NN_OK);
    ck_assert_int_eq(nn_dataset_fit_standardization(&tr, &err), NN_OK);
    ck_assert_int_eq(nn_dataset_set_standardization(&va, tr.feature_mean, tr.feature_std, &err), NN_OK);
    ck_assert_double_eq(tr.feature_std[1], 1); /* constant feature: centred, not scaled */
    nn_real x[2 * 40];
    int idx[40];
    for (int i = 0; i < tr.n; i++) idx[i] = i;
    nn_dataset_gather(&tr, idx, tr.n, x, NULL);
    double sum = 0, sq = 0;
    for (int i = 0; i < tr.n; i++) {
        sum += x[2 * i], sq += x[2 * i] * x[2 * i];
        ck_assert_double_eq(x[2 * i + 1], 0);
    }
    ck_assert_double_eq_tol(sum / tr.n, 0, 1e-5);
    ck_assert_double_eq_tol(sq / tr.n, 1, 1e-5);
    /* validation rows use the training statistics */
    nn_dataset_gather(&va, idx, 1, x, NULL);
    double expect = (va.x_real[0] - tr.feature_mean[0]) / tr.feature_std[0];
    ck_assert_double_eq_tol(x[0], expect, 1e-5);
    double bad_std[2] = {1, 0};
    ck_assert_int_eq(nn_dataset_set_standardization(&va, tr.feature_mean, bad_std, &err), NN_ERR_NUMERIC);
    nn_dataset_free(&tr);
    nn_dataset_free(&va);
    nn_dataset_free(&d);
}
END_TEST

Suite *test_data_suite(void) {
    Suite *s = suite_create("data");
    TCase *tc = tcase_create("csv");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_csv_label_by_name_and_string_classes);
    tcase_add_test(tc, test_csv_numeric_labels_become_values);
    tcase_add_test(tc, test_csv_quotes_crlf_bom_blank_lines);
    tcase_add_test(tc, test_csv_non_number_names_line_and_column);
    tcase_add_test(tc, test_csv_nan_and_inf_rejected_with_position);
    tcase_add_test(tc, test_csv_structure_errors);
    tcase_add_test(tc, test_csv_known_classes);
    suite_add_tcase(s, tc);
    tc = tcase_create("images");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_images_gray_resized_and_named);
    tcase_add_test(tc, test_images_rgb_and_default_size);
    tcase_add_test(tc, test_images_numeric_folders_are_ordinal);
    tcase_add_test(tc, test_images_not_an_image);
    tcase_add_test(tc, test_images_empty_folders);
    suite_add_tcase(s, tc);
    tc = tcase_create("split");
    tcase_add_test(tc, test_split_partitions_rows_by_seed);
    tcase_add_test(tc, test_standardize_on_train_applies_to_val);
    suite_add_tcase(s, tc);
    return s;
}
