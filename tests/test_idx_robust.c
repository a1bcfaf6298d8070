/* test_idx_robust.c — the IDX reader against hostile files (nn/data/idx.c).
 *
 * Each case is a file a user could really be handed: a header that claims
 * more than the file holds (found by fuzz/fuzz_idx.c: the reader used to
 * malloc what the header said, 4 GB for a 69-byte file), sizes whose product
 * overflows, trailing bytes, and valid files large enough that the reader's
 * growing buffer has to grow.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc_hook.h"
#include "testutil.h"

/* Files go to a fresh directory under /tmp, removed by teardown. */
static char dir[64];
static char images_path[128], labels_path[128];

static void setup(void) {
    strcpy(dir, "/tmp/nn-idx-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(images_path, sizeof images_path, "%s/images", dir);
    snprintf(labels_path, sizeof labels_path, "%s/labels", dir);
}

static void teardown(void) {
    unlink(images_path);
    unlink(labels_path);
    rmdir(dir);
}

static void write_file(const char *path, const void *data, size_t len, int gzip) {
    if (gzip) {
        gzFile f = gzopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(gzwrite(f, data, (unsigned)len), (int)len);
        ck_assert_int_eq(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, len, f), len);
        ck_assert_int_eq(fclose(f), 0);
    }
}

/* An IDX header: magic for unsigned bytes with ndim dimensions, then dims. */
static size_t idx_header(uint8_t *h, int ndim, const uint32_t *dims) {
    h[0] = h[1] = 0, h[2] = 8, h[3] = (uint8_t)ndim;
    for (int i = 0; i < ndim; i++)
        for (int k = 0; k < 4; k++) h[4 + 4 * i + k] = (uint8_t)(dims[i] >> (24 - 8 * k));
    return 4 + 4 * (size_t)ndim;
}

static void write_labels(int n) {
    uint8_t buf[8 + 256];
    uint32_t d = (uint32_t)n;
    size_t h = idx_header(buf, 1, &d);
    for (int i = 0; i < n; i++) buf[h + i] = (uint8_t)(i % 3);
    write_file(labels_path, buf, h + (size_t)n, 0);
}

/* Loads, expects `code` and a message containing `needle`. */
static void expect_failure(nn_status code, const char *needle) {
    nn_dataset d;
    nn_error err = {0};
    nn_status st = nn_load_idx(&d, images_path, labels_path, &err);
    ck_assert_msg(st == code, "expected %s, got %s: %s", nn_status_name(code),
                  nn_status_name(st), err.msg);
    ck_assert_msg(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
    ck_assert_ptr_null(d.x_u8);
    ck_assert_ptr_null(d.labels);
}

/* The input fuzz_idx found (its first two bytes, the split, dropped): an
 * image header of 131072 × 4 × 7965 = 4.2 GB followed by 44 bytes. */
static const uint8_t fuzz_oom_images[] = {
    0x00, 0x00, 0x08, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00,
    0x1f, 0x1d, 0x00, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03, 0x04, 0x05, 0x13, 0x14, 0x1c,
    0x1d, 0x1e, 0x1f, 0x00};

START_TEST(test_fuzz_oom_header_beyond_file) {
    write_file(images_path, fuzz_oom_images, sizeof fuzz_oom_images, 0);
    write_labels(3);
    test_alloc_reset_max();
    expect_failure(NN_ERR_FORMAT, "4175953920");
    /* The buffer grows with the data: never more than its first chunk here. */
    ck_assert_uint_le(test_alloc_max_request(), (size_t)2 << 20);
}
END_TEST

/* Same claim, gzipped: the compressed size says nothing about the real one. */
START_TEST(test_gzip_header_beyond_file) {
    write_file(images_path, fuzz_oom_images, sizeof fuzz_oom_images, 1);
    write_labels(3);
    test_alloc_reset_max();
    expect_failure(NN_ERR_FORMAT, "truncated");
    ck_assert_uint_le(test_alloc_max_request(), (size_t)2 << 20);
}
END_TEST

/* 2^31 × 2^31 × 1: the product does not fit 32 bits, nor would it be sane. */
START_TEST(test_huge_dims_rejected) {
    uint8_t h[16];
    uint32_t dims[3] = {1u << 31, 1u << 31, 1};
    write_file(images_path, h, idx_header(h, 3, dims), 0);
    write_labels(3);
    test_alloc_reset_max();
    expect_failure(NN_ERR_FORMAT, "dimensions describe more than");
    ck_assert_uint_le(test_alloc_max_request(), (size_t)64 << 10);
}
END_TEST

/* Each size at the 32-bit maximum: the running product must not wrap. */
START_TEST(test_max_dims_no_wraparound) {
    uint8_t h[16];
    uint32_t dims[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
    write_file(images_path, h, idx_header(h, 3, dims), 0);
    write_labels(3);
    expect_failure(NN_ERR_FORMAT, "dimensions describe more than");
}
END_TEST

START_TEST(test_zero_dim_rejected) {
    uint8_t h[16];
    uint32_t dims[3] = {3, 0, 4};
    write_file(images_path, h, idx_header(h, 3, dims), 0);
    write_labels(3);
    expect_failure(NN_ERR_FORMAT, "dimension 1 is zero");
}
END_TEST

START_TEST(test_header_cut_short) {
    uint8_t h[16];
    uint32_t dims[3] = {3, 2, 2};
    idx_header(h, 3, dims);
    write_file(images_path, h, 9, 0); /* magic and 5 of 12 dimension bytes */
    write_labels(3);
    expect_failure(NN_ERR_FORMAT, "the dimensions needs 12 bytes, file ended after 5");
}
END_TEST

START_TEST(test_trailing_bytes_rejected) {
    uint8_t buf[16 + 13];
    uint32_t dims[3] = {3, 2, 2};
    size_t h = idx_header(buf, 3, dims);
    memset(buf + h, 7, 13); /* one byte too many */
    write_file(images_path, buf, h + 13, 0);
    write_labels(3);
    expect_failure(NN_ERR_FORMAT, "unexpected trailing bytes");
}
END_TEST

START_TEST(test_empty_file) {
    write_file(images_path, "", 0, 0);
    write_labels(3);
    expect_failure(NN_ERR_FORMAT, "the magic number needs 4 bytes");
}
END_TEST

START_TEST(test_missing_file) {
    write_labels(3);
    expect_failure(NN_ERR_IO, "cannot open");
}
END_TEST

/* Corrupt deflate data inside a valid gzip wrapper. */
START_TEST(test_corrupt_gzip) {
    uint8_t buf[16 + 12];
    uint32_t dims[3] = {3, 2, 2};
    size_t h = idx_header(buf, 3, dims);
    memset(buf + h, 1, 12);
    write_file(images_path, buf, h + 12, 1);
    FILE *f = fopen(images_path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 12, SEEK_SET); /* inside the deflate stream, past the 10-byte gzip header */
    fputc(0xff, f);
    fputc(0xff, f);
    fclose(f);
    write_labels(3);
    nn_dataset d;
    nn_error err = {0};
    ck_assert_int_ne(nn_load_idx(&d, images_path, labels_path, &err), NN_OK);
    ck_assert_ptr_null(d.x_u8);
}
END_TEST

/* 5 images of 512×512 = 1.3 MB: more than the first chunk, so the buffer
 * grows; every byte must arrive in place, plain and gzipped. */
static void load_large(int gzip) {
    const uint32_t n = 5, rows = 512, cols = 512;
    size_t len = (size_t)n * rows * cols;
    uint8_t *buf = malloc(16 + len);
    ck_assert_ptr_nonnull(buf);
    uint32_t dims[3] = {n, rows, cols};
    size_t h = idx_header(buf, 3, dims);
    for (size_t i = 0; i < len; i++) buf[h + i] = (uint8_t)(i * 2654435761u >> 13);
    write_file(images_path, buf, h + len, gzip);
    write_labels((int)n);
    nn_dataset d;
    nn_error err;
    ck_assert_msg(nn_load_idx(&d, images_path, labels_path, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(d.n, 5);
    ck_assert_int_eq(d.n_features, 512 * 512);
    ck_assert_int_eq(d.n_classes, 3);
    ck_assert_int_eq(memcmp(d.x_u8, buf + h, len), 0);
    for (int i = 0; i < d.n; i++) ck_assert_int_eq(d.labels[i], i % 3);
    nn_dataset_free(&d);
    free(buf);
}

START_TEST(test_large_plain_grows) { load_large(0); }
END_TEST

START_TEST(test_large_gzip_grows) { load_large(1); }
END_TEST

Suite *test_idx_robust_suite(void) {
    Suite *s = suite_create("idx_robust");
    TCase *tc = tcase_create("hostile files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fuzz_oom_header_beyond_file);
    tcase_add_test(tc, test_gzip_header_beyond_file);
    tcase_add_test(tc, test_huge_dims_rejected);
    tcase_add_test(tc, test_max_dims_no_wraparound);
    tcase_add_test(tc, test_zero_dim_rejected);
    tcase_add_test(tc, test_header_cut_short);
    tcase_add_test(tc, test_trailing_bytes_rejected);
    tcase_add_test(tc, test_empty_file);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_corrupt_gzip);
    tcase_add_test(tc, test_large_plain_grows);
    tcase_add_test(tc, test_large_gzip_grows);
    suite_add_tcase(s, tc);
    return s;
}
