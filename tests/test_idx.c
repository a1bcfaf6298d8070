/* test_idx.c — the IDX loader on small files this test writes itself, plain
 * and gzipped: good files load; every kind of damage (wrong magic, a zero
 * dimension, truncation at every byte, counts that disagree, trailing bytes,
 * corrupt compressed data, a missing file) is an error whose message names
 * the file — never a crash.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"

static char dir[256];
static char img_path[300], lab_path[300];

static void setup(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/nn_idx_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(img_path, sizeof img_path, "%s/images.idx", dir);
    snprintf(lab_path, sizeof lab_path, "%s/labels.idx", dir);
}

static void teardown(void) {
    unlink(img_path);
    unlink(lab_path);
    rmdir(dir);
}

/* An IDX file in memory. */
typedef struct {
    unsigned char b[4096];
    size_t len;
} buf;

static void put_u32(buf *f, uint32_t v) {
    f->b[f->len++] = (unsigned char)(v >> 24);
    f->b[f->len++] = (unsigned char)(v >> 16);
    f->b[f->len++] = (unsigned char)(v >> 8);
    f->b[f->len++] = (unsigned char)v;
}

/* n images of rows×cols, pixel values (i·7 + 3) mod 256. */
static buf images(uint32_t n, uint32_t rows, uint32_t cols) {
    buf f = {.len = 0};
    put_u32(&f, 0x00000803);
    put_u32(&f, n);
    put_u32(&f, rows);
    put_u32(&f, cols);
    for (uint32_t i = 0; i < n * rows * cols; i++) f.b[f.len++] = (unsigned char)(i * 7 + 3);
    return f;
}

/* n labels, label i = i mod 3. */
static buf labels(uint32_t n) {
    buf f = {.len = 0};
    put_u32(&f, 0x00000801);
    put_u32(&f, n);
    for (uint32_t i = 0; i < n; i++) f.b[f.len++] = (unsigned char)(i % 3);
    return f;
}

static void write_plain(const char *path, const unsigned char *b, size_t len) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void write_gz(const char *path, const unsigned char *b, size_t len) {
    gzFile f = gzopen(path, "wb9");
    ck_assert_ptr_nonnull(f);
    if (len) ck_assert_int_eq(gzwrite(f, b, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(f), Z_OK);
}

/* The gzip-compressed bytes of b (via a file, the way gzip writes them). */
static buf gz_bytes(const buf *b) {
    write_gz(img_path, b->b, b->len);
    buf out = {.len = 0};
    FILE *f = fopen(img_path, "rb");
    out.len = fread(out.b, 1, sizeof out.b, f);
    fclose(f);
    return out;
}

/* Loads and expects failure; the message must name `path` and hold `needle`. */
static void expect_error(const char *path, const char *needle, const char *context) {
    nn_dataset d;
    nn_error err = {0};
    nn_status st = nn_load_idx(&d, img_path, lab_path, &err);
    ck_assert_msg(st != NN_OK, "%s: loaded without error", context);
    ck_assert_int_eq(err.code, st);
    ck_assert_msg(strstr(err.msg, path) != NULL, "%s: message \"%s\" does not name %s", context,
                  err.msg, path);
    ck_assert_msg(!needle || strstr(err.msg, needle), "%s: message \"%s\" lacks \"%s\"", context,
                  err.msg, needle);
    ck_assert_ptr_null(d.x_u8); /* nothing half-loaded */
    ck_assert_ptr_null(d.labels);
    nn_dataset_free(&d);
}

static void write_pair(const buf *img, int img_gz, const buf *lab, int lab_gz) {
    (img_gz ? write_gz : write_plain)(img_path, img->b, img->len);
    (lab_gz ? write_gz : write_plain)(lab_path, lab->b, lab->len);
}

START_TEST(test_load_ok) {
    buf img = images(5, 3, 2), lab = labels(5);
    for (int mode = 0; mode < 4; mode++) { /* plain/gz for each file */
        write_pair(&img, mode & 1, &lab, mode & 2);
        nn_dataset d;
        nn_error err = {0};
        ck_assert_msg(nn_load_idx(&d, img_path, lab_path, &err) == NN_OK, "%s", err.msg);
        ck_assert_int_eq(d.n, 5);
        ck_assert_int_eq(d.n_features, 6);
        ck_assert_int_eq(d.n_classes, 3);
        ck_assert_ptr_null(d.x_real);
        for (int i = 0; i < 30; i++) ck_assert_uint_eq(d.x_u8[i], (unsigned char)(i * 7 + 3));
        for (int i = 0; i < 5; i++) ck_assert_int_eq(d.labels[i], i % 3);
        /* a gathered batch is scaled to [0, 1] */
        int idx[2] = {4, 1};
        nn_real x[12];
        int32_t y[2];
        nn_dataset_gather(&d, idx, 2, x, y);
        ck_assert_int_eq(y[0], 1);
        ck_assert_int_eq(y[1], 1);
        for (int j = 0; j < 6; j++) {
            ck_assert_close(x[j], ((24 + j) * 7 + 3) % 256 / 255.0, 1e-7, 0);
            ck_assert_close(x[6 + j], ((6 + j) * 7 + 3) % 256 / 255.0, 1e-7, 0);
        }
        nn_dataset_free(&d);
    }
}
END_TEST

START_TEST(test_wrong_magic) {
    const uint32_t bad[] = {0x00000802, 0x00000903, 0x01000803, 0x00000801, 0x08030000};
    buf lab = labels(2);
    for (int i = 0; i < 5; i++) {
        buf img = images(2, 2, 2);
        img.len = 0;
        put_u32(&img, bad[i]);
        img.len = 4 + 12 + 8;
        for (int gz = 0; gz < 2; gz++) {
            write_pair(&img, gz, &lab, 0);
            expect_error(img_path, "bad magic number", "images magic");
        }
    }
    buf img = images(2, 2, 2), badlab = labels(2);
    badlab.b[3] = 0x03; /* labels file claiming 3 dimensions */
    write_pair(&img, 0, &badlab, 1);
    expect_error(lab_path, "bad magic number", "labels magic");
}
END_TEST

START_TEST(test_zero_dimension) {
    const uint32_t dims[][3] = {{0, 2, 2}, {2, 0, 2}, {2, 2, 0}};
    for (int i = 0; i < 3; i++) {
        buf img = images(dims[i][0], dims[i][1], dims[i][2]), lab = labels(2);
        write_pair(&img, i == 1, &lab, 0);
        expect_error(img_path, "is zero", "zero image dimension");
    }
    buf img = images(2, 2, 2), lab = labels(0);
    write_pair(&img, 0, &lab, 0);
    expect_error(lab_path, "is zero", "zero labels");
}
END_TEST

/* A header announcing a huge file is refused before any allocation. */
START_TEST(test_huge_dimensions) {
    buf img = images(1, 1, 1), lab = labels(1);
    img.len = 4;
    put_u32(&img, 1000000000u);
    put_u32(&img, 28);
    put_u32(&img, 28);
    write_pair(&img, 0, &lab, 0);
    expect_error(img_path, "more than", "huge dimensions");
}
END_TEST

/* Cut a tiny file after every possible number of bytes. */
START_TEST(test_truncated_everywhere) {
    buf img = images(2, 2, 3), lab = labels(2);
    for (int gz = 0; gz < 2; gz++) {
        for (size_t cut = 0; cut < img.len; cut++) {
            buf t = img;
            t.len = cut;
            write_pair(&t, gz, &lab, 0);
            char ctx[128];
            snprintf(ctx, sizeof ctx, "images cut at %zu (%s)", cut, gz ? "gz" : "plain");
            expect_error(img_path, "truncated", ctx);
        }
        for (size_t cut = 0; cut < lab.len; cut++) {
            buf t = lab;
            t.len = cut;
            write_pair(&img, 0, &t, gz);
            char ctx[128];
            snprintf(ctx, sizeof ctx, "labels cut at %zu (%s)", cut, gz ? "gz" : "plain");
            expect_error(lab_path, "truncated", ctx);
        }
    }
}
END_TEST

/* Cut the COMPRESSED bytes of a good file at every position: the deflate
 * stream or its trailer (CRC-32, length) is incomplete. */
START_TEST(test_truncated_gzip_stream) {
    buf img = images(2, 2, 3), lab = labels(2);
    buf z = gz_bytes(&img);
    for (size_t cut = 0; cut < z.len; cut++) {
        buf t = z;
        t.len = cut;
        write_plain(img_path, t.b, t.len);
        write_plain(lab_path, lab.b, lab.len);
        char ctx[128];
        snprintf(ctx, sizeof ctx, "gzip stream of %zu bytes cut at %zu", z.len, cut);
        expect_error(img_path, NULL, ctx);
    }
}
END_TEST

/* Flip one byte of the compressed data or trailer (offset ≥ 10: bytes 4–9 of
 * the gzip header, time stamp and OS, are not checked by anyone). */
START_TEST(test_corrupt_gzip) {
    buf img = images(2, 2, 3), lab = labels(2);
    buf z = gz_bytes(&img);
    for (size_t at = 10; at < z.len; at++) {
        buf t = z;
        t.b[at] ^= 0x55;
        write_plain(img_path, t.b, t.len);
        write_plain(lab_path, lab.b, lab.len);
        char ctx[128];
        snprintf(ctx, sizeof ctx, "gzip byte %zu of %zu flipped", at, z.len);
        expect_error(img_path, NULL, ctx);
    }
    /* garbage that merely starts like gzip */
    unsigned char junk[40] = {0x1f, 0x8b, 0x08, 0x00};
    for (int i = 4; i < 40; i++) junk[i] = (unsigned char)(i * 37);
    write_plain(img_path, junk, sizeof junk);
    expect_error(img_path, NULL, "gzip junk");
}
END_TEST

START_TEST(test_count_mismatch) {
    buf img = images(3, 2, 2), lab = labels(4);
    write_pair(&img, 1, &lab, 0);
    expect_error(img_path, "3 images", "count mismatch");
    expect_error(lab_path, "4 labels", "count mismatch");
}
END_TEST

START_TEST(test_trailing_bytes) {
    buf img = images(2, 2, 2), lab = labels(2);
    for (int gz = 0; gz < 2; gz++) {
        buf t = img;
        t.b[t.len++] = 0;
        write_pair(&t, gz, &lab, 0);
        expect_error(img_path, "trailing bytes", "images trailing");
        t = lab;
        t.b[t.len++] = 7;
        write_pair(&img, 0, &t, gz);
        expect_error(lab_path, "trailing bytes", "labels trailing");
    }
}
END_TEST

START_TEST(test_missing_file) {
    buf img = images(2, 2, 2), lab = labels(2);
    write_pair(&img, 0, &lab, 0);
    unlink(lab_path);
    expect_error(lab_path, "cannot open", "missing labels");
    unlink(img_path);
    expect_error(img_path, "cannot open", "missing images");
    /* a directory is not a file */
    nn_dataset d;
    nn_error err = {0};
    ck_assert_int_ne(nn_load_idx(&d, dir, dir, &err), NN_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, dir));
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot read"));
}
END_TEST

Suite *test_idx_suite(void) {
    Suite *s = suite_create("idx");
    TCase *tc = tcase_create("idx");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_ok);
    tcase_add_test(tc, test_wrong_magic);
    tcase_add_test(tc, test_zero_dimension);
    tcase_add_test(tc, test_huge_dimensions);
    tcase_add_test(tc, test_truncated_everywhere);
    tcase_add_test(tc, test_truncated_gzip_stream);
    tcase_add_test(tc, test_corrupt_gzip);
    tcase_add_test(tc, test_count_mismatch);
    tcase_add_test(tc, test_trailing_bytes);
    tcase_add_test(tc, test_missing_file);
    suite_add_tcase(s, tc);
    return s;
}
