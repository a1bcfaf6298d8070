/* test_npy.c — the .npy reader and writer: files numpy wrote (tests/data/npy,
 * made with numpy 1.24: np.save of a 2×3 float32 and float64 array, and
 * np.lib.format.write_array(..., version=(2, 0))) load exactly; save → load
 * round-trips; every malformed header, dtype, shape and data size is refused
 * with a message naming the file and the problem. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpfiles.h" /* ck_assert_msg_contains */

static const double EXPECTED[6] = {1.5, -2.0, 3.25, 0.0, 1e-3, -7.0};

/* Every file holds EXPECTED rounded to float32 (the float64 one was made
 * from the float32 array with .astype). */
static void check_expected(const char *path) {
    nn_real *d;
    int r, c;
    nn_error err;
    ck_assert_msg(nn_load_npy(path, &d, &r, &c, &err) == NN_OK, "%s: %s", path, err.msg);
    ck_assert_int_eq(r, 2);
    ck_assert_int_eq(c, 3);
    for (int i = 0; i < 6; i++)
        ck_assert_close(d[i], (nn_real)(float)EXPECTED[i], 0, 0);
    free(d);
}

START_TEST(test_reads_numpy_files) {
    check_expected("data/npy/numpy_f4.npy");
    check_expected("data/npy/numpy_f8.npy");
    check_expected("data/npy/numpy_v2_f4.npy");
}
END_TEST

START_TEST(test_round_trip) {
    char path[] = "/tmp/nn_test_npy_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    nn_real m[3 * 4];
    for (int i = 0; i < 12; i++) m[i] = (nn_real)((i - 5) * 0.375);
    nn_error err;
    ck_assert_int_eq(nn_save_npy(path, m, 3, 4, &err), NN_OK);
    /* The header is padded to a multiple of 64 bytes, as numpy does. */
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    ck_assert_int_eq((ftell(f) - 12 * 4) % 64, 0);
    fclose(f);
    nn_real *d;
    int r, c;
    ck_assert_int_eq(nn_load_npy(path, &d, &r, &c, &err), NN_OK);
    ck_assert_int_eq(r, 3);
    ck_assert_int_eq(c, 4);
    for (int i = 0; i < 12; i++) ck_assert_close(d[i], m[i], 0, 0);
    free(d);
    unlink(path);
    ck_assert_int_eq(nn_save_npy(path, NULL, 3, 4, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_save_npy("/nonexistent-nn-dir/t.npy", m, 3, 4, &err), NN_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent-nn-dir/t.npy"));
}
END_TEST

/* Rows [first, first + count) of a file: the slice of the whole, the
 * file's shape reported; a NaN in a row not kept is still an error (every
 * value is checked); rows past the end are an argument error that still
 * reports the shape. */
START_TEST(test_reads_a_range_of_rows) {
    char path[] = "/tmp/nn_test_npy_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    nn_real m[5 * 3]; /* (5, 3) */
    for (int i = 0; i < 15; i++) m[i] = (nn_real)(i * 0.5 - 3);
    nn_error err;
    ck_assert_int_eq(nn_save_npy(path, m, 5, 3, &err), NN_OK);
    nn_real *d;
    int r, c;
    ck_assert_msg(nn_load_npy_rows(path, 1, 3, &d, &r, &c, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(r, 5);
    ck_assert_int_eq(c, 3);
    for (int i = 0; i < 9; i++) ck_assert_close(d[i], m[3 + i], 0, 0);
    free(d);
    ck_assert_int_eq(nn_load_npy_rows(path, 5, 0, &d, &r, &c, &err), NN_OK); /* no row: allowed */
    free(d);
    ck_assert_int_eq(nn_load_npy_rows(path, 3, 3, &d, &r, &c, &err), NN_ERR_ARG);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(r, 5);
    ck_assert_msg_contains(err.msg, "rows 3..5 asked for, but the file has 5");
    m[13] = (nn_real)NAN; /* row 4, not kept below */
    ck_assert_int_eq(nn_save_npy(path, m, 5, 3, &err), NN_OK);
    ck_assert_int_eq(nn_load_npy_rows(path, 0, 2, &d, &r, &c, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "value at row 4, column 1");
    unlink(path);
}
END_TEST

/* A .npy file made by hand: version `major`, the header text (padding and
 * '\n' as given), then `n_data` bytes of data. */
static void write_raw(const char *path, int major, const char *header, const void *data,
                      size_t n_data) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    size_t len = strlen(header);
    unsigned char pre[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0};
    size_t n_pre = 8;
    pre[n_pre++] = (unsigned char)len;
    pre[n_pre++] = (unsigned char)(len >> 8);
    if (major >= 2) pre[n_pre++] = (unsigned char)(len >> 16), pre[n_pre++] = (unsigned char)(len >> 24);
    fwrite(pre, 1, n_pre, f);
    fwrite(header, 1, len, f);
    if (n_data) fwrite(data, 1, n_data, f);
    fclose(f);
}

/* Loading must fail with `code` and a message holding the path and `words`. */
static void expect_refused(const char *path, nn_status code, const char *words) {
    nn_real *d = (nn_real *)1;
    int r = -1, c = -1;
    nn_error err;
    nn_status st = nn_load_npy(path, &d, &r, &c, &err);
    ck_assert_msg(st == code, "%s: status %d, expected %d (%s)", words, st, code,
                  st ? err.msg : "loaded");
    ck_assert_msg(strstr(err.msg, path) != NULL, "message '%s' does not name the file", err.msg);
    ck_assert_msg(strstr(err.msg, words) != NULL, "message '%s' does not say '%s'", err.msg, words);
    ck_assert_ptr_null(d);
}

#define GOOD "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n"

START_TEST(test_refuses_malformed_files) {
    char path[] = "/tmp/nn_test_npy_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    float six[6] = {1, 2, 3, 4, 5, 6}, seven[7] = {1, 2, 3, 4, 5, 6, 7};

    write_raw(path, 1, GOOD, six, sizeof six); /* the control: this one loads */
    nn_real *d;
    int r, c;
    nn_error err;
    ck_assert_int_eq(nn_load_npy(path, &d, &r, &c, &err), NN_OK);
    free(d);
    write_raw(path, 3, GOOD, six, sizeof six);
    ck_assert_int_eq(nn_load_npy(path, &d, &r, &c, &err), NN_OK);
    free(d);

    FILE *f = fopen(path, "wb");
    fputs("a,b\n1,2\n", f);
    fclose(f);
    expect_refused(path, NN_ERR_FORMAT, "magic");
    write_raw(path, 4, GOOD, six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "version 4");
    f = fopen(path, "wb");
    fwrite("\x93NUMPY\x01\x00\x05", 1, 9, f);
    fclose(f);
    expect_refused(path, NN_ERR_FORMAT, "header length");
    f = fopen(path, "wb");
    fwrite("\x93NUMPY\x02\x00\x00\x00\x01\x00", 1, 12, f); /* 65536-byte header */
    fclose(f);
    expect_refused(path, NN_ERR_FORMAT, "header longer");
    f = fopen(path, "wb");
    fwrite("\x93NUMPY\x01\x00\x40\x00{'descr'", 1, 18, f);
    fclose(f);
    expect_refused(path, NN_ERR_FORMAT, "inside the header");

    write_raw(path, 1, "[2, 3]\n", six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "not a dict");
    write_raw(path, 1, "{'fortran_order': False, 'shape': (2, 3), }\n", six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "no 'descr'");
    write_raw(path, 1, "{'descr': '<f4', 'shape': (2, 3), }\n", six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "no 'fortran_order'");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False}\n", six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "no 'shape'");
    write_raw(path, 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}\n",
              six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "'descr' appears twice");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}\n",
              six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "unknown header key 'extra'");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", six,
              sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "does not end");
    write_raw(path, 1, "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}\n", six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "expected ','");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3)}\n", six,
              sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "neither True nor False");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}\n", six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "other than integers");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 99999999999)}\n",
              six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "too large");

    write_raw(path, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }\n", six,
              sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "dtype '>f4'");
    write_raw(path, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }\n", six,
              sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "dtype '<i4'");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", six,
              sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "fortran_order");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }\n", six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "shape (6) is not a matrix");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }\n", six, 0);
    expect_refused(path, NN_ERR_FORMAT, "shape (0, 3)");
    write_raw(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }\n", six,
              sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "shape (1, 2, 3)");

    write_raw(path, 1, GOOD, six, sizeof six - 4);
    expect_refused(path, NN_ERR_FORMAT, "truncated");
    write_raw(path, 1, GOOD, seven, sizeof seven);
    expect_refused(path, NN_ERR_FORMAT, "trailing bytes");
    six[4] = NAN;
    write_raw(path, 1, GOOD, six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "row 1, column 1");
    six[4] = -INFINITY;
    write_raw(path, 1, GOOD, six, sizeof six);
    expect_refused(path, NN_ERR_FORMAT, "row 1, column 1");

    unlink(path);
    expect_refused(path, NN_ERR_IO, "cannot open");
}
END_TEST

Suite *test_npy_suite(void) {
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("npy");
    tcase_add_test(tc, test_reads_numpy_files);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_reads_a_range_of_rows);
    tcase_add_test(tc, test_refuses_malformed_files);
    suite_add_tcase(s, tc);
    return s;
}
