/* test_data_parts.c — reading a dataset in parts, as the ranks of nn-mpi do:
 * the parts of IDX files and image folders put together are the whole, in
 * order, with the whole's classes and image size; nn_split_order is the
 * split nn_dataset_split makes; nn_dataset_subset copies rows. */
#include <stb_image_write.h>
#include <zlib.h>

#include "testutil.h"
#include "tmpfiles.h"

static char dir[64], img_path[512], lab_path[512];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* n images of 2 x 3 with pixel j of image i = 7i + j, labels i mod 4 except
 * the first, 9: only part 0 sees the largest label. Gzipped when gz. */
static void write_idx(int n, int gz, size_t cut) {
    size_t len = 16 + (size_t)n * 6;
    unsigned char *b = malloc(len), lb[8 + 64];
    put_u32(b, 0x803), put_u32(b + 4, (uint32_t)n), put_u32(b + 8, 2), put_u32(b + 12, 3);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 6; j++) b[16 + i * 6 + j] = (unsigned char)(7 * i + j);
    put_u32(lb, 0x801), put_u32(lb + 4, (uint32_t)n);
    for (int i = 0; i < n; i++) lb[8 + i] = (unsigned char)(i == 0 ? 9 : i % 4);
    tmp_path(img_path, dir, gz ? "img.gz" : "img");
    tmp_path(lab_path, dir, "lab");
    if (cut) len = cut;
    if (gz) {
        gzFile f = gzopen(img_path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(gzwrite(f, b, (unsigned)len), (int)len);
        gzclose(f);
    } else {
        tmp_write(img_path, (const char *)b, len);
    }
    tmp_write(lab_path, (const char *)lb, 8 + (size_t)n);
    free(b);
}

/* The parts of `whole` (n rows) in order are the whole. */
static void check_parts_make_whole(const nn_dataset *whole, const nn_dataset *parts, int n_parts) {
    int row = 0;
    for (int p = 0; p < n_parts; p++) {
        const nn_dataset *d = &parts[p];
        ck_assert_int_eq(d->n_classes, whole->n_classes);
        ck_assert_int_eq(d->n_features, whole->n_features);
        ck_assert_int_eq(d->image_shape[0], whole->image_shape[0]);
        ck_assert_int_eq(d->image_shape[1], whole->image_shape[1]);
        ck_assert_int_eq(d->n, (int)((long)whole->n * (p + 1) / n_parts - (long)whole->n * p / n_parts));
        for (int i = 0; i < d->n; i++, row++) {
            ck_assert_int_eq(d->labels[i], whole->labels[row]);
            ck_assert_mem_eq(d->x_u8 + (size_t)i * d->n_features,
                             whole->x_u8 + (size_t)row * whole->n_features, (size_t)d->n_features);
        }
    }
    ck_assert_int_eq(row, whole->n);
}

START_TEST(test_idx_parts_make_the_whole) {
    for (int gz = 0; gz <= 1; gz++) {
        write_idx(7, gz, 0);
        nn_dataset whole, parts[8];
        nn_error err;
        ck_assert_int_eq(nn_load_idx(&whole, img_path, lab_path, &err), NN_OK);
        ck_assert_int_eq(whole.n_classes, 10);
        for (int n_parts = 1; n_parts <= 8; n_parts++) { /* 8 > 7: an empty part */
            for (int p = 0; p < n_parts; p++)
                ck_assert_msg(nn_load_idx_part(&parts[p], img_path, lab_path, p, n_parts, &err) == NN_OK,
                              "%s", err.msg);
            check_parts_make_whole(&whole, parts, n_parts);
            for (int p = 0; p < n_parts; p++) nn_dataset_free(&parts[p]);
        }
        nn_dataset_free(&whole);
    }
}
END_TEST

START_TEST(test_idx_truncation_is_seen_by_the_part_that_reads_it) {
    write_idx(6, 1, 16 + 6 * 5 + 2); /* the sixth image is cut short */
    nn_dataset d;
    nn_error err;
    ck_assert_int_eq(nn_load_idx_part(&d, img_path, lab_path, 0, 2, &err), NN_OK);
    ck_assert_int_eq(d.n, 3);
    nn_dataset_free(&d);
    ck_assert_int_eq(nn_load_idx_part(&d, img_path, lab_path, 1, 2, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, img_path);
    ck_assert_msg_contains(err.msg, "truncated: the header announces 36 data bytes, the file holds 32");
    ck_assert_int_eq(nn_load_idx_part(&d, img_path, lab_path, 2, 2, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "part 2 of 2 does not exist");
}
END_TEST

static void write_png(const char *class_dir, const char *name, int w, int h, unsigned char v) {
    char sub[512], file[600];
    tmp_path(sub, dir, class_dir);
    mkdir(sub, 0755);
    snprintf(file, sizeof file, "%s/%s", sub, name);
    unsigned char pix[64];
    for (int i = 0; i < w * h; i++) pix[i] = (unsigned char)(v + i);
    ck_assert(stbi_write_png(file, w, h, 1, pix, w));
}

START_TEST(test_image_folder_parts_make_the_whole) {
    write_png("cat", "a.png", 3, 2, 10); /* the first image gives every part its size */
    write_png("cat", "b.png", 4, 4, 20);
    write_png("dog", "a.png", 3, 2, 30);
    write_png("dog", "b.png", 2, 2, 40);
    write_png("emu", "a.png", 3, 2, 50);
    nn_dataset whole, parts[6];
    nn_error err;
    ck_assert_int_eq(nn_load_image_folder(&whole, dir, NULL, &err), NN_OK);
    ck_assert_int_eq(whole.n, 5);
    for (int n_parts = 1; n_parts <= 6; n_parts++) {
        for (int p = 0; p < n_parts; p++) {
            nn_image_options o = {.part = p, .n_parts = n_parts};
            ck_assert_msg(nn_load_image_folder(&parts[p], dir, &o, &err) == NN_OK, "%s", err.msg);
            ck_assert_int_eq(parts[p].image_shape[1], 3);
            ck_assert_str_eq(parts[p].label_names[2], "emu");
        }
        check_parts_make_whole(&whole, parts, n_parts);
        for (int p = 0; p < n_parts; p++) nn_dataset_free(&parts[p]);
    }
    nn_dataset_free(&whole);
    nn_image_options bad = {.part = 3, .n_parts = 3};
    ck_assert_int_eq(nn_load_image_folder(&whole, dir, &bad, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "part 3 of 3 does not exist");
}
END_TEST

START_TEST(test_split_order_is_the_split) {
    enum { N = 23, F = 2 };
    nn_dataset d = {.n = N, .n_features = F, .n_classes = 3};
    d.x_real = malloc(N * F * sizeof *d.x_real);
    d.labels = malloc(N * sizeof *d.labels);
    for (int i = 0; i < N; i++) {
        d.x_real[i * F] = (nn_real)i, d.x_real[i * F + 1] = (nn_real)-i;
        d.labels[i] = i % 3;
    }
    nn_dataset train, val;
    nn_error err;
    int perm[N], n_val;
    ck_assert_int_eq(nn_dataset_split(&d, 0.3, 5, &train, &val, &err), NN_OK);
    ck_assert_int_eq(nn_split_order(N, 0.3, 5, perm, &n_val, &err), NN_OK);
    ck_assert_int_eq(n_val, val.n);
    ck_assert_int_eq(N - n_val, train.n);
    for (int i = 0; i < n_val; i++) ck_assert_double_eq(val.x_real[i * F], perm[i]);
    for (int i = 0; i < train.n; i++) ck_assert_double_eq(train.x_real[i * F], perm[n_val + i]);
    int seen[N] = {0};
    for (int i = 0; i < N; i++) seen[perm[i]]++;
    for (int i = 0; i < N; i++) ck_assert_int_eq(seen[i], 1);
    nn_dataset_free(&train);
    nn_dataset_free(&val);
    ck_assert_int_eq(nn_split_order(N, 0.001, 5, perm, &n_val, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "leaves 0 for validation");
    /* a subset: rows in the order asked, possibly none */
    nn_dataset sub;
    int idx[2] = {4, 1};
    ck_assert_int_eq(nn_dataset_subset(&d, idx, 2, &sub, &err), NN_OK);
    ck_assert_int_eq(sub.n, 2);
    ck_assert_double_eq(sub.x_real[0], 4);
    ck_assert_double_eq(sub.x_real[3], -1);
    ck_assert_int_eq(sub.labels[0], 1);
    nn_dataset_free(&sub);
    ck_assert_int_eq(nn_dataset_subset(&d, idx, 0, &sub, &err), NN_OK);
    ck_assert_int_eq(sub.n, 0);
    ck_assert_int_eq(sub.n_features, F);
    nn_dataset_free(&sub);
    nn_dataset_free(&d);
}
END_TEST

Suite *test_data_parts_suite(void) {
    Suite *s = suite_create("data_parts");
    TCase *tc = tcase_create("data_parts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_idx_parts_make_the_whole);
    tcase_add_test(tc, test_idx_truncation_is_seen_by_the_part_that_reads_it);
    tcase_add_test(tc, test_image_folder_parts_make_the_whole);
    tcase_add_test(tc, test_split_order_is_the_split);
    suite_add_tcase(s, tc);
    return s;
}
