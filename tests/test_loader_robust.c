/* test_loader_robust.c — regression tests for what fuzz/ found in the CSV,
 * image and model-file loaders. Each input is the (minimised) one the fuzzer
 * saved, or the smallest file showing the same problem.
 */
#include <float.h>
#include <zlib.h>

#include "alloc_hook.h"
#include "testutil.h"
#include "tmpfiles.h"

/* Copies fuzz/corpus/image/NAME to path without its first byte (the fuzz
 * target's option byte), leaving the whole corpus file in buf; returns its
 * length (option byte included). */
static size_t corpus_to_file(const char *name, const char *path, char *buf, size_t cap) {
    char src[256];
    snprintf(src, sizeof src, "../fuzz/corpus/image/%s", name);
    FILE *f = fopen(src, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", src);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    ck_assert_msg(n > 1 && n < cap, "%s: %zu bytes", src, n);
    tmp_write(path, buf + 1, n - 1);
    return n;
}

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

/* fuzz_image: stb_image's PNM header reader overflows an int on a header
 * number of ten or more digits (UBSan: 255444444 * 10). Refused first. */
START_TEST(test_pnm_header_overflow_refused) {
    static const char pgm[] = "P5\n3 2\n25544444444444444444444444444444444444";
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_write(tmp_path(path, dir, "big.pgm"), pgm, sizeof pgm - 1);
    nn_real x[2 * 2 * 3];
    nn_error err = {0};
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "big.pgm");
    ck_assert_msg_contains(err.msg, "header number is larger than any image allows");
    /* 16 bits per sample: stb_image would overflow converting its channels */
    static const char deep[] = "P5\n3 2\n510\n\x00\x40\x80\xc0\xff\x10";
    tmp_write(path, deep, sizeof deep - 1);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "16-bit PNM");
    /* a comment may hold any digits; a valid header still loads */
    static const char ok[] = "P5\n# 99999999999999999999\n2 2\n255\n\x01\x02\x03\x04";
    tmp_write(path, ok, sizeof ok - 1);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_OK);
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
    ck_assert_msg_contains(err.msg, "a Huffman table with more than 255 codes");
    /* the input the fuzzer saved (first byte: its option byte) */
    char buf[1024];
    size_t n = corpus_to_file("regression_dht_overflow", path, buf, sizeof buf);
    ck_assert_uint_gt(n, 100);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "Huffman table");
    /* the second one it saved: the table cut short by the end of the file,
     * where stb_image reads zeros */
    n = corpus_to_file("regression_dht_truncated", path, buf, sizeof buf);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "Huffman table");
    /* the third: SOI after a 0xFF fill byte, which stb_image skips */
    n = corpus_to_file("regression_jpeg_fill_before_soi", path, buf, sizeof buf);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "Huffman table");
    /* while a valid JPEG (the fuzz seed, written by stb_image_write) loads */
    n = corpus_to_file("rgb.jpg", path, buf, sizeof buf);
    ck_assert_msg(nn_load_image(x, path, 2, 2, 1, &err) == NN_OK, "%s", err.msg);
    tmp_remove(dir);
}
END_TEST

/* Tiny baseline JPEGs (8 x 8, gray) built segment by segment, for the cases
 * below: each is the smallest file showing what it tests. */
typedef struct {
    unsigned char b[1024];
    size_t        n;
} jpeg_bytes;

static void jpeg_put(jpeg_bytes *j, const void *bytes, size_t len) {
    ck_assert_uint_le(j->n + len, sizeof j->b);
    memcpy(j->b + j->n, bytes, len);
    j->n += len;
}

/* Marker m and its segment: the length field, then body. */
static void jpeg_segment(jpeg_bytes *j, unsigned m, const unsigned char *body, size_t len) {
    unsigned char head[4] = {0xFF, (unsigned char)m, (unsigned char)((len + 2) >> 8),
                             (unsigned char)(len + 2)};
    jpeg_put(j, head, 4);
    jpeg_put(j, body, len);
}

/* SOI, quantization table 0 (all ones), and a frame whose one component
 * uses quantization table tq. */
static void jpeg_head(jpeg_bytes *j, unsigned tq) {
    static const unsigned char soi[2] = {0xFF, 0xD8};
    unsigned char dqt[65] = {0}, sof[9] = {8, 0, 8, 0, 8, 1, 1, 0x11, (unsigned char)tq};
    memset(dqt + 1, 1, 64);
    j->n = 0;
    jpeg_put(j, soi, 2);
    jpeg_segment(j, 0xDB, dqt, sizeof dqt);
    jpeg_segment(j, 0xC0, sof, sizeof sof);
}

/* Huffman table `table` (0x00: DC 0, 0x10: AC 0) with counts[k] codes of
 * length k + 1, for the symbols 1, 2, ... and, last, 0 (the DC difference 0,
 * or the AC end of block). */
static void jpeg_dht(jpeg_bytes *j, unsigned table, const unsigned char counts[16]) {
    unsigned char body[17 + 256] = {(unsigned char)table};
    size_t n = 0;
    for (int k = 0; k < 16; k++) n += counts[k];
    memcpy(body + 1, counts, 16);
    for (size_t k = 0; k < n; k++) body[17 + k] = (unsigned char)((k + 1) % n);
    jpeg_segment(j, 0xC4, body, 17 + n);
}

/* The scan (component 1 with DC and AC table 0), its data, and EOI. */
static void jpeg_scan(jpeg_bytes *j, const unsigned char *data, size_t len) {
    static const unsigned char sos[6] = {1, 1, 0x00, 0, 63, 0}, eoi[2] = {0xFF, 0xD9};
    jpeg_segment(j, 0xDA, sos, sizeof sos);
    jpeg_put(j, data, len);
    jpeg_put(j, eoi, 2);
}

static nn_status load_jpeg_bytes(const jpeg_bytes *j, const char *path, nn_real *x, nn_error *err) {
    tmp_write(path, (const char *)j->b, j->n);
    return nn_load_image(x, path, 8, 8, 1, err);
}

/* A table of 256 codes whose last is 8 or 9 bits long: stb_image's 9-bit
 * lookup table stores code indices in a byte, with 255 meaning "none", so
 * code 255 is decoded as the wrong symbol and STBI_ASSERT aborts the program
 * (a deterministic abort, still so upstream). 255 codes are fine. */
START_TEST(test_jpeg_huffman_256_codes_refused) {
    static const unsigned char one_bit[16] = {1};
    unsigned char codes_255[16] = {0}, codes_256[16] = {0};
    codes_255[7] = 255;                   /* 255 codes of 8 bits: the last is 11111110 */
    codes_256[7] = 255, codes_256[8] = 1; /* and one of 9 bits: 111111110 */
    /* DC difference 0 (code 0), then the AC end of block (the last code) */
    static const unsigned char eob_255[2] = {0x7F, 0x7F}, eob_256[2] = {0x7F, 0x80};
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_path(path, dir, "t.jpg");
    jpeg_bytes j;
    nn_real x[64];
    nn_error err = {0};
    jpeg_head(&j, 0);
    jpeg_dht(&j, 0x00, one_bit);
    jpeg_dht(&j, 0x10, codes_255);
    jpeg_scan(&j, eob_255, 2);
    ck_assert_msg(load_jpeg_bytes(&j, path, x, &err) == NN_OK, "%s", err.msg);
    ck_assert(fabs((double)x[0] - 128.0 / 255) < 1e-6); /* DC 0: mid-gray */
    jpeg_head(&j, 0);
    jpeg_dht(&j, 0x00, one_bit);
    jpeg_dht(&j, 0x10, codes_256);
    jpeg_scan(&j, eob_256, 2);
    ck_assert_int_eq(load_jpeg_bytes(&j, path, x, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "t.jpg: cannot decode image: corrupt JPEG: a Huffman table "
                                    "with more than 255 codes");
    /* stb_image finds the SOI marker after 0xFF fill bytes too (a file that
     * began 0xFF 0xFF 0xD8 escaped the guard: fuzz_image) */
    memmove(j.b + 2, j.b, j.n);
    j.b[0] = j.b[1] = 0xFF;
    j.n += 2;
    ck_assert_int_eq(load_jpeg_bytes(&j, path, x, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "a Huffman table with more than 255 codes");
    tmp_remove(dir);
}
END_TEST

/* fuzz_image: a JPEG whose scan uses a Huffman table no DHT segment defined
 * (its "AC table 0" byte was mutated into "DC table 2") made stb_image hit
 * STBI_ASSERT in stbi__jpeg_huff_decode — but only now and then: this
 * stb_image mallocs its decoder without clearing it, so the table is
 * whatever the heap held. A real `nn train --skip-bad` on a folder with the
 * two files below aborted: the first leaves half-rebuilt tables on the heap
 * (stb_image rejects it midway), the second decodes with them. */
START_TEST(test_jpeg_undefined_table_refused) {
    static const unsigned char one_bit[16] = {1}, three_1bit[16] = {3};
    unsigned char codes_16bit[16] = {0};
    codes_16bit[15] = 200;
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_path(path, dir, "t.jpg");
    jpeg_bytes j;
    nn_real x[64];
    nn_error err = {0};
    char buf[2048];
    /* the two files, one after the other as a folder is read */
    jpeg_head(&j, 0);
    jpeg_dht(&j, 0x10, codes_16bit);
    jpeg_dht(&j, 0x10, three_1bit); /* three 1-bit codes: "bad code lengths" */
    jpeg_put(&j, "\xFF\xD9", 2);     /* EOI, or the guard refuses it as truncated */
    ck_assert_int_eq(load_jpeg_bytes(&j, path, x, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "bad code lengths");
    static const unsigned char bits[4] = {0x00, 0x00, 0x80, 0x00};
    jpeg_head(&j, 0);
    jpeg_dht(&j, 0x00, one_bit); /* DC table 0 only */
    jpeg_scan(&j, bits, sizeof bits);
    ck_assert_int_eq(load_jpeg_bytes(&j, path, x, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "t.jpg: cannot decode image: corrupt JPEG: a scan uses a "
                                    "Huffman table the file does not define");
    /* the fuzzer's input (first byte: its option byte) */
    size_t n = corpus_to_file("regression_jpeg_huff_assert", path, buf, sizeof buf);
    ck_assert_uint_gt(n, 100);
    ck_assert_int_eq(nn_load_image(x, path, 8, 8, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "a scan uses a Huffman table the file does not define");
    /* the same for a quantization table: stb_image would dequantize with
     * uninitialised memory */
    jpeg_head(&j, 1);
    jpeg_dht(&j, 0x00, one_bit);
    jpeg_dht(&j, 0x10, one_bit);
    jpeg_scan(&j, bits, 1);
    ck_assert_int_eq(load_jpeg_bytes(&j, path, x, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "a scan uses a quantization table the file does not define");
    jpeg_head(&j, 200); /* a table number stb_image rejects; the guard once
                         * shifted by it (UBSan, found by fuzz_image) */
    jpeg_dht(&j, 0x00, one_bit);
    jpeg_dht(&j, 0x10, one_bit);
    jpeg_scan(&j, bits, 1);
    ck_assert_int_eq(load_jpeg_bytes(&j, path, x, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "t.jpg: cannot decode image");
    jpeg_head(&j, 0); /* with table 0 it loads */
    jpeg_dht(&j, 0x00, one_bit);
    jpeg_dht(&j, 0x10, one_bit);
    jpeg_scan(&j, bits, 1);
    ck_assert_msg(load_jpeg_bytes(&j, path, x, &err) == NN_OK, "%s", err.msg);
    /* a progressive JPEG (libjpeg, through PIL: optimised tables defined
     * between scans, DC refinement scans that use none) loads */
    n = corpus_to_file("progressive.jpg", path, buf, sizeof buf);
    ck_assert_msg(nn_load_image(x, path, 8, 8, 1, &err) == NN_OK, "%s", err.msg);
    tmp_remove(dir);
}
END_TEST

/* stb_image's PIC loader passes NULL to stbi__convert_format when the pixel
 * data are corrupt (nothings/stb #1452, CVE-2023-43898): a segmentation
 * fault on this 124-byte file (2 x 2, one packet of an unknown type). */
START_TEST(test_pic_refused) {
    unsigned char pic[124] = {0x53, 0x80, 0xF6, 0x34};
    memcpy(pic + 88, "PICT", 4);
    pic[93] = 2, pic[95] = 2;                                       /* 2 x 2 */
    pic[104] = 0, pic[105] = 8, pic[106] = 3, pic[107] = 0xE0;     /* packet: type 3 */
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_write(tmp_path(path, dir, "small.pic"), (const char *)pic, sizeof pic);
    nn_real x[4];
    nn_error err = {0};
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "small.pic: cannot decode image: Softimage PIC is not supported");
    tmp_remove(dir);
}
END_TEST

/* fuzz_image: a 154-byte PNG whose second IDAT chunk claimed 1.1 GB made
 * stb_image allocate 2 GB for it before finding the data missing. A chunk
 * longer than the rest of the file is refused first. */
START_TEST(test_png_chunk_past_end_refused) {
    char dir[64], path[512], buf[2048];
    tmp_dir(dir);
    tmp_path(path, dir, "t.png");
    nn_real x[2 * 2 * 3];
    nn_error err = {0};
    size_t n = corpus_to_file("regression_png_idat_claims_gb", path, buf, sizeof buf);
    ck_assert_uint_gt(n, 100);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "t.png: cannot decode image: truncated PNG: a chunk is longer "
                                    "than the rest of the file");
    /* a valid PNG loads, and so does one cut short in IEND's CRC, which
     * stb_image never reads */
    n = corpus_to_file("rgb.png", path, buf, sizeof buf);
    ck_assert_msg(nn_load_image(x, path, 2, 2, 3, &err) == NN_OK, "%s", err.msg);
    tmp_write(path, buf + 1, n - 1 - 4);
    ck_assert_msg(nn_load_image(x, path, 2, 2, 3, &err) == NN_OK, "%s", err.msg);
    tmp_remove(dir);
}
END_TEST

/* Writes a PNG of the given IHDR whose image data are raw[0..n) deflated
 * (zlib level 9; as they are if !deflate), split into IDAT chunks of at
 * most 8 KiB. */
static void write_png_data(const char *path, uint32_t w, uint32_t h, int depth, int color,
                           int interlace, const unsigned char *raw, size_t n, int deflate) {
    uLongf zn = deflate ? compressBound(n) : n;
    unsigned char *z = malloc(zn);
    ck_assert_ptr_nonnull(z);
    if (deflate) ck_assert_int_eq(compress2(z, &zn, raw, n, 9), Z_OK);
    else memcpy(z, raw, n);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
    unsigned char ihdr[13] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h,
                              depth, color, 0, 0, interlace};
    static const unsigned char palette[6] = {0, 0, 0, 255, 128, 0};
    struct { const char *type; const unsigned char *data; size_t n; } chunks[3] = {
        {"IHDR", ihdr, 13}, {"PLTE", palette, color == 3 ? 6 : 0}, {"IDAT", z, zn}};
    for (int c = 0; c < 3; c++) {
        if (!chunks[c].n) continue;
        for (size_t at = 0; at < chunks[c].n; at += 8192) {
            size_t len = chunks[c].n - at < 8192 ? chunks[c].n - at : 8192;
            unsigned char head[8] = {len >> 24, len >> 16, len >> 8, len};
            memcpy(head + 4, chunks[c].type, 4);
            uLong crc = crc32(crc32(0, head + 4, 4), chunks[c].data + at, (uInt)len);
            unsigned char tail[4] = {crc >> 24, crc >> 16, crc >> 8, crc};
            fwrite(head, 1, 8, f);
            fwrite(chunks[c].data + at, 1, len, f);
            fwrite(tail, 1, 4, f);
        }
    }
    fwrite("\0\0\0\0IEND\xae\x42\x60\x82", 1, 12, f);
    ck_assert_int_eq(fclose(f), 0);
    free(z);
}

static void write_png(const char *path, uint32_t w, uint32_t h, int depth, int color,
                      int interlace, const unsigned char *raw, size_t n) {
    write_png_data(path, w, h, depth, color, interlace, raw, n, 1);
}

/* Filtered scan lines (filter type 0) for a w x h image of bits per pixel,
 * pixel bytes counting up; the Adam7 passes one after another if
 * interlaced. Returns their length. */
static size_t png_raw(unsigned char *raw, uint32_t w, uint32_t h, int bits, int interlace) {
    static const int x0[7] = {0, 4, 0, 2, 0, 1, 0}, y0[7] = {0, 0, 4, 0, 2, 0, 1};
    static const int dx[7] = {8, 8, 4, 4, 2, 2, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
    size_t n = 0;
    for (int p = 0; p < (interlace ? 7 : 1); p++) {
        uint32_t pw = interlace ? (w + dx[p] - 1 - x0[p]) / dx[p] : w;
        uint32_t ph = interlace ? (h + dy[p] - 1 - y0[p]) / dy[p] : h;
        for (uint32_t y = 0; pw && y < ph; y++) {
            raw[n++] = 0;
            for (size_t b = 0; b < (pw * (size_t)bits + 7) / 8; b++)
                raw[n++] = (unsigned char)(7 * (y + b));
        }
    }
    return n;
}

/* A 1 x 1 gray PNG whose data inflate to 64 MiB of zeros (65 KB of file):
 * stb_image inflated all of it (a 1 MB file made nn use 1 GB) and
 * accepted it. Refused while inflating, counting into a small buffer. */
START_TEST(test_png_bomb_refused) {
    size_t n = (size_t)64 << 20;
    unsigned char *raw = calloc(n, 1);
    ck_assert_ptr_nonnull(raw);
    char dir[64], path[512];
    tmp_dir(dir);
    write_png(tmp_path(path, dir, "bomb.png"), 1, 1, 8, 0, 0, raw, n);
    nn_real x[4];
    nn_error err = {0};
    test_alloc_reset_max();
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "bomb.png: cannot decode image: PNG image data inflate to "
                                    "more than its 1 x 1 header allows");
    ck_assert_uint_le(test_alloc_max_request(), (size_t)1 << 20); /* the file, not 64 MiB */
    /* the same data, no more than the header allows plus the slack, load:
     * 2 bytes for the image, then zeros stb_image ignores */
    write_png(path, 1, 1, 8, 0, 0, raw, 2 + 2 / 8 + (64 << 10));
    ck_assert_msg(nn_load_image(x, path, 2, 2, 1, &err) == NN_OK, "%s", err.msg);
    write_png(path, 1, 1, 8, 0, 0, raw, 2 + 2 / 8 + (64 << 10) + 1);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "header allows (65538 bytes)");
    /* data zlib cannot inflate (a block of the reserved type 3) are refused */
    write_png_data(path, 1, 1, 8, 0, 0, (const unsigned char *)"\x78\xda\xff\xff", 4, 0);
    ck_assert_int_eq(nn_load_image(x, path, 2, 2, 1, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "bomb.png: cannot decode image: corrupt PNG: the image data "
                                    "are not valid deflate data");
    free(raw);
    tmp_remove(dir);
}
END_TEST

/* Valid PNGs of every kind load, Adam7-interlaced ones (whose data are
 * longer than a plain image's) and 1 x 1 ones (the smallest bound)
 * included; each one byte of data short is refused by stb_image, so the
 * guard's bound is no looser than needed. */
START_TEST(test_png_valid_kinds_load) {
    static const struct { int depth, color, channels; } kinds[] = {
        {8, 0, 1}, {1, 0, 1}, {4, 0, 1}, {16, 0, 1}, {8, 2, 3}, {16, 2, 3},
        {8, 3, 1}, {1, 3, 1}, {8, 4, 2}, {16, 4, 2}, {8, 6, 4}, {16, 6, 4}};
    static const uint32_t sizes[][2] = {{1, 1}, {7, 5}, {13, 9}, {33, 17}};
    unsigned char *raw = calloc(1 << 20, 1);
    ck_assert_ptr_nonnull(raw);
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_path(path, dir, "ok.png");
    nn_real x[8 * 8 * 3];
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            for (int interlace = 0; interlace <= 1; interlace++) {
                uint32_t w = sizes[s][0], h = sizes[s][1];
                int bits = kinds[k].depth * kinds[k].channels;
                size_t n = png_raw(raw, w, h, bits, interlace);
                if (kinds[k].color == 3) /* palette indices 0 and 1 only */
                    for (size_t i = 0; i < n; i++) raw[i] &= kinds[k].depth == 1 ? 0xFF : 0x01;
                nn_error err = {0};
                write_png(path, w, h, kinds[k].depth, kinds[k].color, interlace, raw, n);
                ck_assert_msg(nn_load_image(x, path, 8, 8, 3, &err) == NN_OK,
                              "depth %d colour %d %ux%u interlace %d: %s", kinds[k].depth,
                              kinds[k].color, w, h, interlace, err.msg);
                write_png(path, w, h, kinds[k].depth, kinds[k].color, interlace, raw, n - 1);
                ck_assert_int_eq(nn_load_image(x, path, 8, 8, 3, &err), NN_ERR_FORMAT);
                ck_assert_msg_contains(err.msg, "corrupt PNG: the image data inflate to ");
            }
    /* 9 x 100000 1-bit gray: Adam7 makes 425000 bytes of data from what is
     * 300000 bytes without, more than the slack the guard allows over the
     * latter: the guard must bound interlaced images by their passes */
    size_t n = png_raw(raw, 9, 100000, 1, 1);
    ck_assert_uint_eq(n, 425000);
    nn_error err = {0};
    write_png(path, 9, 100000, 1, 0, 1, raw, n);
    ck_assert_msg(nn_load_image(x, path, 8, 8, 3, &err) == NN_OK, "%s", err.msg);
    write_png(path, 9, 100000, 1, 0, 1, raw, n + n / 8 + (64 << 10) + 1);
    ck_assert_int_eq(nn_load_image(x, path, 8, 8, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "more than its 9 x 100000 header allows");
    free(raw);
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
    tcase_add_test(tc, test_jpeg_huffman_256_codes_refused);
    tcase_add_test(tc, test_jpeg_undefined_table_refused);
    tcase_add_test(tc, test_pic_refused);
    tcase_add_test(tc, test_png_chunk_past_end_refused);
    tcase_add_test(tc, test_png_bomb_refused);
    tcase_add_test(tc, test_png_valid_kinds_load);
    tcase_add_test(tc, test_pnm_header_overflow_refused);
    tcase_add_test(tc, test_model_arch_checked_before_build);
    suite_add_tcase(s, tc);
    return s;
}
