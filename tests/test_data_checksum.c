/* test_data_checksum.c — a flipped byte in a model file's weights is
 * detected: every file nn writes records the CRC-32 of its tensor data as
 * __metadata__ "data_checksum", and every read checks it when present
 * (files written before it was recorded still load).
 */
#include "nn/io/data_checksum.h"
#include "nn/io/safetensors.h"
#include "testutil.h"
#include "tmpfiles.h"

static char dir[64], path[512];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* The whole of path into buf (cap bytes); its length. */
static size_t slurp(const char *file, unsigned char *buf, size_t cap) {
    FILE *f = fopen(file, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    ck_assert_uint_lt(n, cap);
    return n;
}

/* The first occurrence of text in buf[0..n), or NULL. */
static unsigned char *find(unsigned char *buf, size_t n, const char *text) {
    size_t k = strlen(text);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(buf + i, text, k) == 0) return buf + i;
    return NULL;
}

/* Where the data section starts: after the 8-byte length and the header. */
static size_t data_start(const unsigned char *buf) {
    uint64_t n = 0;
    for (int k = 7; k >= 0; k--) n = n << 8 | buf[k];
    return 8 + (size_t)n;
}

/* A 3-5-4 model, saved to path. */
static void save_model(void) {
    nn_error err;
    nn_arch a = nn_arch_defaults();
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "3-5-4", &err), NN_OK);
    nn_dataset d = {.n_features = 3, .n_classes = 4};
    nn_model m;
    ck_assert_int_eq(nn_model_build(&m, &a, &d, 2, 0, 7, &err), NN_OK);
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "m.st"), &err), NN_OK);
    nn_model_free(&m);
}

START_TEST(test_checksum_written_and_checked) {
    save_model();
    unsigned char buf[8192], copy[8192];
    size_t n = slurp(path, buf, sizeof buf), start = data_start(buf);
    ck_assert_uint_gt(n, start);
    /* the header records the CRC-32 of exactly the data section */
    char want[NN_DATA_CHECKSUM_TEXT], field[64];
    nn_data_checksum(want, buf + start, n - start);
    snprintf(field, sizeof field, "\"data_checksum\":\"%s\"", want);
    ck_assert_msg(find(buf, start, field) != NULL, "no %s in the header", field);
    nn_model m;
    nn_error err;
    ck_assert_msg(nn_model_load(&m, path, 1, 0, &err) == NN_OK, "%s", err.msg);
    nn_model_free(&m);
    /* any one bit of any weight flipped: refused, naming the file */
    for (size_t i = start; i < n; i++) {
        memcpy(copy, buf, n);
        copy[i] ^= (unsigned char)(1u << (i % 8));
        tmp_write(path, (const char *)copy, n);
        ck_assert_msg(nn_model_load(&m, path, 1, 0, &err) == NN_ERR_FORMAT,
                      "byte %zu flipped: loaded", i);
        ck_assert_msg_contains(err.msg, "m.st: the tensor data are corrupt: their checksum is crc32:");
        ck_assert_msg_contains(err.msg, want);
    }
    /* a recorded value that is not a checksum */
    memcpy(copy, buf, n);
    unsigned char *at = find(copy, start, "crc32:");
    ck_assert_ptr_nonnull(at);
    at[6] = 'G';
    tmp_write(path, (const char *)copy, n);
    ck_assert_int_eq(nn_model_load(&m, path, 1, 0, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "__metadata__ 'data_checksum' is 'crc32:G");
}
END_TEST

/* A file from before the checksum: the same bytes with the key blanked
 * out (it comes first in __metadata__, so spaces leave valid JSON). */
START_TEST(test_file_without_checksum_loads) {
    save_model();
    unsigned char buf[8192];
    size_t n = slurp(path, buf, sizeof buf), start = data_start(buf);
    unsigned char *key = find(buf, start, "\"data_checksum\":\"crc32:");
    ck_assert_ptr_nonnull(key);
    size_t len = strlen("\"data_checksum\":\"crc32:01234567\",");
    ck_assert(key[len - 1] == ',');
    memset(key, ' ', len);
    tmp_write(path, (const char *)buf, n);
    nn_model m;
    nn_error err;
    ck_assert_msg(nn_model_load(&m, path, 1, 0, &err) == NN_OK, "%s", err.msg);
    nn_model_free(&m);
    /* and there a flipped byte goes unseen: the check is what catches it */
    buf[n - 1] ^= 1;
    tmp_write(path, (const char *)buf, n);
    ck_assert_msg(nn_model_load(&m, path, 1, 0, &err) == NN_OK, "%s", err.msg);
    nn_model_free(&m);
}
END_TEST

/* nn_st_write computes the checksum itself: a caller's value is ignored. */
START_TEST(test_writer_owns_the_key) {
    nn_real w[6] = {1, -2, 3.5, 0, 1e-3, 7};
    nn_st_out t = {.name = "w", .data = w, .d0 = 2, .d1 = 3};
    const char *meta[2][2] = {{"data_checksum", "crc32:00000000"}, {"format", "test"}};
    nn_error err;
    ck_assert_int_eq(nn_st_write(tmp_path(path, dir, "t.st"), &t, 1, meta, 2, &err), NN_OK);
    nn_st_file f;
    ck_assert_msg(nn_st_read(&f, path, &err) == NN_OK, "%s", err.msg);
    ck_assert_str_ne(nn_st_meta(&f, "data_checksum"), "crc32:00000000");
    ck_assert_str_eq(nn_st_meta(&f, "format"), "test");
    nn_real back[6];
    ck_assert_int_eq(nn_st_get(&f, "w", 2, 3, back, &err), NN_OK);
    ck_assert(memcmp(back, w, sizeof w) == 0);
    nn_st_close(&f);
    /* the known value of the standard check string */
    char text[NN_DATA_CHECKSUM_TEXT];
    nn_data_checksum(text, (const unsigned char *)"123456789", 9);
    ck_assert_str_eq(text, "crc32:cbf43926");
}
END_TEST

Suite *test_data_checksum_suite(void) {
    Suite *s = suite_create("data_checksum");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_checksum_written_and_checked);
    tcase_add_test(tc, test_file_without_checksum_loads);
    tcase_add_test(tc, test_writer_owns_the_key);
    suite_add_tcase(s, tc);
    return s;
}
