/* test_loader_robust.c — regression tests for what fuzz/ found in the CSV,
 * image and model-file loaders. Each input is the (minimised) one the fuzzer
 * saved, or the smallest file showing the same problem.
 */
#include <float.h>

#include "alloc_hook.h"
#include "testutil.h"
#include "tmpfiles.h"

/* fuzz_csv: a number finite as a double but beyond float's range was stored
 * as +inf in a float build — data the loader promised were finite. */
START_TEST(test_csv_number_beyond_float) {
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_write_text(tmp_path(path, dir, "big.csv"), "a,label\n1,x\n4.6e99,y\n");
    nn_dataset d;
    nn_error err = {0};
    nn_status st = nn_load_csv(&d, path, NULL, &err);
#ifdef NN_DOUBLE
    ck_assert_msg(st == NN_OK, "%s", err.msg);
    ck_assert(d.x_real[1] == 4.6e99);
    nn_dataset_free(&d);
#else
    ck_assert_int_eq(st, NN_ERR_NUMERIC);
    ck_assert_msg_contains(err.msg, "big.csv:3: column 1 ('a'): '4.6e99' is out of range for float");
#endif
    tmp_remove(dir);
}
END_TEST

/* fuzz_image: a PGM whose header stb_image reads as 0 x 0 decoded "fine",
 * and resizing it tripped an assertion in stb_image_resize: an abort of the
 * whole program on one bad file. */
static const char zero_pgm[] = "P5\xff\xff\xff\xff\n\0\0\0\0\0\0\0\0\xff\x10";

START_TEST(test_image_zero_size_rejected) {
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_write(tmp_path(path, dir, "zero.pgm"), zero_pgm, sizeof zero_pgm - 1);
    nn_real x[3 * 5];
    nn_error err = {0};
    ck_assert_int_eq(nn_load_image(x, path, 3, 5, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "zero.pgm: the image header says 0 x 0 pixels");
    tmp_remove(dir);
}
END_TEST

/* fuzz_image: Debian's stb_image writes past its Huffman tables when a JPEG
 * DHT segment declares more than 256 codes (upstream nothings/stb #1289,
 * #1291). The smallest such file: SOI, one DHT with counts adding to 300. */
START_TEST(test_jpeg_huffman_overflow_refused) {
    unsigned char jpeg[2 + 4 + 17 + 300 + 2] = {0xFF, 0xD8, 0xFF, 0xC4};
    size_t seg = 2 + 17 + 300;
    jpeg[4] = (unsigned char)(seg >> 8), jpeg[5] = (unsigned char)seg;
    jpeg[6] = 0x10; /* AC table 0 */
    jpeg[7 + 15] = 255, jpeg[7 + 14] = 45; /* 300 codes of lengths 15 and 16 */
    jpeg[sizeof jpeg - 2] = 0xFF, jpeg[sizeof jpeg - 1] = 0xD9;
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_write(tmp_path(path, dir, "dht.jpg"), (const char *)jpeg, sizeof jpeg);
    nn_real x[4];
    nn_error err = {0};
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "a Huffman table with more than 256 codes");
    /* the input the fuzzer saved (first byte: its option byte) */
    FILE *f = fopen("../fuzz/corpus/image/regression_dht_overflow", "rb");
    ck_assert_ptr_nonnull(f);
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert_uint_gt(n, 100);
    tmp_write(path, buf + 1, n - 1);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "Huffman table");
    /* the second one it saved: the table cut short by the end of the file,
     * where stb_image reads zeros */
    f = fopen("../fuzz/corpus/image/regression_dht_truncated", "rb");
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    tmp_write(path, buf + 1, n - 1);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "Huffman table");
    /* while a valid JPEG (the fuzz seed, written by stb_image_write) loads */
    f = fopen("../fuzz/corpus/image/rgb.jpg", "rb");
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    tmp_write(path, buf + 1, n - 1);
    ck_assert_msg(nn_load_image(x, path, 2, 2, 1, &err) == NN_OK, "%s", err.msg);
    tmp_remove(dir);
}
END_TEST

/* A 20-byte PGM claiming 20000 x 20000 pixels: refused from its header,
 * before stb_image allocates 400 MB for it. */
START_TEST(test_image_absurd_size_rejected) {
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_write_text(tmp_path(path, dir, "huge.pgm"), "P5\n20000 20000\n255\nabc");
    nn_real x[4];
    nn_error err = {0};
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "20000 x 20000 pixels");
    tmp_remove(dir);
}
END_TEST

/* A 246-byte model file whose metadata claims 50000-10000-2: the graph
 * (500 M weights, 2 GB, each initialised) used to be built before the
 * tensors were compared with the architecture — 48 s and 2 GB to reject it. */
START_TEST(test_model_arch_checked_before_build) {
    char dir[64], path[512];
    tmp_dir(dir);
    const char header[] =
        "{\"__metadata__\":{\"format\":\"nn-model/1\",\"arch\":\"50000-10000-2\","
        "\"activation\":\"relu\",\"loss\":\"ce\",\"grad\":\"simplified\",\"temperature\":\"1\","
        "\"alpha\":\"0.5\"},\"dense0.weight\":{\"dtype\":\"F32\",\"shape\":[1],"
        "\"data_offsets\":[0,4]}}";
    size_t n = sizeof header - 1;
    char file[8 + sizeof header + 4] = {0};
    for (int i = 0; i < 8; i++) file[i] = (char)((uint64_t)n >> (8 * i));
    memcpy(file + 8, header, n);
    tmp_write(tmp_path(path, dir, "claims.safetensors"), file, 8 + n + 4);
    nn_model m;
    nn_error err = {0};
    test_alloc_reset_max();
    ck_assert_int_eq(nn_model_load(&m, path, 1, 0, &err), NN_ERR_SHAPE);
    ck_assert_msg_contains(err.msg, "tensor 'dense0.weight' has shape [1], the architecture "
                                    "needs [10000, 50000]");
    ck_assert_uint_le(test_alloc_max_request(), (size_t)1 << 20);
    tmp_remove(dir);
}
END_TEST

Suite *test_loader_robust_suite(void) {
    Suite *s = suite_create("loader_robust");
    TCase *tc = tcase_create("fuzz findings");
    tcase_add_test(tc, test_csv_number_beyond_float);
    tcase_add_test(tc, test_image_zero_size_rejected);
    tcase_add_test(tc, test_image_absurd_size_rejected);
    tcase_add_test(tc, test_jpeg_huffman_overflow_refused);
    tcase_add_test(tc, test_model_arch_checked_before_build);
    suite_add_tcase(s, tc);
    return s;
}
