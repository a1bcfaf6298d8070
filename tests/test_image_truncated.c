/* test_image_truncated.c — an image file cut short is refused with the
 * reason, in every format the loader lets through, never decoded into
 * pixels the file does not hold.
 *
 * Each file is cut at every length from 0 bytes to one byte short. A cut
 * must either be refused (NN_ERR_FORMAT, naming the file and "truncated
 * <format>", "empty file" or the like) or decode to exactly the pixels of
 * the whole file — which only a few trailing bytes stb_image does not read
 * (a PNG's last CRC, the padding after a BMP's last row, a GIF's trailer)
 * may allow.
 */
#include <stb_image.h>
#include <stb_image_write.h>

#include "nn/data/data_internal.h"
#include "nn/data/image_guard.h"
#include "testutil.h"
#include "tmpfiles.h"

#define MAX_FILE 16384

typedef struct {
    unsigned char bytes[MAX_FILE];
    size_t        len;
} file_bytes;

static void append(void *context, void *data, int size) {
    file_bytes *f = context;
    ck_assert(f->len + (size_t)size <= MAX_FILE);
    memcpy(f->bytes + f->len, data, (size_t)size);
    f->len += (size_t)size;
}

static void put(file_bytes *f, const void *data, size_t n) { append(f, (void *)data, (int)n); }

static void put_le(file_bytes *f, unsigned long v, int n_bytes) {
    for (int k = 0; k < n_bytes; k++) {
        unsigned char b = (unsigned char)(v >> 8 * k);
        put(f, &b, 1);
    }
}

static void put_be(file_bytes *f, unsigned long v, int n_bytes) {
    for (int k = n_bytes - 1; k >= 0; k--) {
        unsigned char b = (unsigned char)(v >> 8 * k);
        put(f, &b, 1);
    }
}

/* fuzz/corpus/image/NAME without the fuzz target's option byte. */
static void from_corpus(file_bytes *f, const char *name) {
    char src[256];
    unsigned char buf[MAX_FILE];
    snprintf(src, sizeof src, "../fuzz/corpus/image/%s", name);
    FILE *in = fopen(src, "rb");
    ck_assert_msg(in != NULL, "cannot open %s", src);
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    ck_assert_msg(n > 1 && n < sizeof buf, "%s: %zu bytes", src, n);
    f->len = 0;
    put(f, buf + 1, n - 1);
}

/* A pattern of w x h x comp bytes, different in every pixel. */
static void pattern(unsigned char *pixels, int w, int h, int comp) {
    for (int i = 0; i < w * h * comp; i++) pixels[i] = (unsigned char)(37 * i + 11);
}

/* Cuts f at every length below its own and decodes each cut as the
 * loader does (nn_decode_image, the bytes nn_load_image reads from a file;
 * the whole file is also loaded from disk); see the top of the file. */
static void check_cuts(const file_bytes *f, const char *name, const char *format, size_t max_tail) {
    char dir[64], path[512], want[64];
    tmp_dir(dir);
    tmp_path(path, dir, name);
    int w, h, comp;
    ck_assert_msg(stbi_info_from_memory(f->bytes, (int)f->len, &w, &h, &comp), "%s", name);
    size_t n_bytes = (size_t)w * h * 3;
    uint8_t *whole = malloc(n_bytes), *cut = malloc(n_bytes);
    nn_real *x = malloc(n_bytes * sizeof *x);
    ck_assert(whole && cut && x);
    nn_error err = {0};
    tmp_write(path, (const char *)f->bytes, f->len);
    ck_assert_msg(nn_load_image(x, path, w, h, 3, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(nn_decode_image(path, f->bytes, f->len, w, h, 3, whole, &err), NN_OK);
    for (size_t i = 0; i < n_bytes; i++) ck_assert(x[i] == (nn_real)whole[i] * (nn_real)(1.0 / 255.0));
    snprintf(want, sizeof want, "truncated %s: ", format);
    size_t n_loaded = 0;
    for (size_t len = 0; len < f->len; len++) {
        nn_status st = nn_decode_image(path, f->bytes, len, w, h, 3, cut, &err);
        if (st == NN_OK) {
            ck_assert_msg(f->len - len <= max_tail, "%s cut to %zu of %zu bytes was decoded", name,
                          len, f->len);
            ck_assert_msg(memcmp(cut, whole, n_bytes) == 0,
                          "%s cut to %zu bytes decoded to other pixels", name, len);
            n_loaded++;
            continue;
        }
        ck_assert_msg(st == NN_ERR_FORMAT, "%s cut to %zu: %s", name, len, err.msg);
        ck_assert_msg_contains(err.msg, path);
        /* TGA has no signature: cut inside the fields stb_image tests, it
         * is no image stb_image knows */
        int ok = strstr(err.msg, want) || (len == 0 && strstr(err.msg, ": empty file")) ||
                 (len == 1 && strstr(err.msg, "1 byte long: too short for any image format")) ||
                 (strcmp(format, "TGA") == 0 && len < 17 &&
                  strstr(err.msg, "not an image in a format stb_image reads"));
        ck_assert_msg(ok, "%s cut to %zu bytes: '%s' does not say '%s'", name, len, err.msg, want);
    }
    ck_assert_uint_le(n_loaded, max_tail);
    free(whole);
    free(cut);
    free(x);
    tmp_remove(dir);
}

/* The sample files of fuzz/corpus/image, one per format stb_image reads
 * (PIC is refused outright): baseline and progressive JPEG, RLE TGA and
 * PSD, flat HDR, 24-bit BMP, gray and RGB PNM and PNG, a 1 x 1 GIF. */
START_TEST(test_corpus_files_cut_everywhere) {
    static const struct {
        const char *name, *format;
        size_t      max_tail;
    } files[] = {
        {"rgb.jpg", "JPEG", 0},        {"progressive.jpg", "JPEG", 0}, {"rgb.png", "PNG", 4},
        {"gray.png", "PNG", 4},        {"rgb.bmp", "BMP", 3},          {"one.gif", "GIF", 4},
        {"rgb.tga", "TGA", 0},         {"rgb.psd", "PSD", 0},          {"rgb.hdr", "HDR", 0},
        {"rgb.ppm", "PNM", 0},         {"gray.pgm", "PNM", 0},
    };
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        file_bytes f;
        from_corpus(&f, files[k].name);
        check_cuts(&f, files[k].name, files[k].format, files[k].max_tail);
    }
}
END_TEST

/* The two examples: a BMP cut after its header decoded to black,
 * a TGA cut after 17 bytes to an image of zeros. */
START_TEST(test_bmp_after_header_and_tga_after_17_bytes) {
    char dir[64], path[512];
    tmp_dir(dir);
    file_bytes f;
    from_corpus(&f, "rgb.bmp"); /* 6 x 4, 24 bits, pixels from byte 54 */
    tmp_write(tmp_path(path, dir, "cut.bmp"), (const char *)f.bytes, 54);
    nn_real x[6 * 4 * 3];
    nn_error err = {0};
    ck_assert_int_eq(nn_load_image(x, path, 6, 4, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "cut.bmp: cannot decode image: truncated BMP: its 6 x 4 pixels "
                                    "need 132 bytes, the file has 54");
    from_corpus(&f, "rgb.tga");
    tmp_write(tmp_path(path, dir, "cut.tga"), (const char *)f.bytes, 17);
    ck_assert_int_eq(nn_load_image(x, path, 6, 4, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "cut.tga: cannot decode image: truncated TGA: the file ends in "
                                    "its 18-byte header");
    tmp_remove(dir);
}
END_TEST

/* The real reason for a truncated JPEG or PNG and an empty file, not what
 * the last of stb_image's format tests said ("bad png sig" for a JPEG) or
 * an empty reason. */
START_TEST(test_truncated_reasons) {
    char dir[64], path[512];
    tmp_dir(dir);
    file_bytes f;
    nn_real x[6 * 4 * 3];
    nn_error err = {0};
    from_corpus(&f, "rgb.jpg");
    tmp_write(tmp_path(path, dir, "half.jpg"), (const char *)f.bytes, f.len - 100);
    ck_assert_int_eq(nn_load_image(x, path, 6, 4, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "half.jpg: cannot decode image: truncated JPEG: the file ends "
                                    "before its end-of-image marker");
    tmp_write(path, (const char *)f.bytes, 40); /* inside the quantization table */
    ck_assert_int_eq(nn_load_image(x, path, 6, 4, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "truncated JPEG: a marker segment runs past the end of the file");
    from_corpus(&f, "rgb.png");
    tmp_write(tmp_path(path, dir, "half.png"), (const char *)f.bytes, f.len - 12);
    ck_assert_int_eq(nn_load_image(x, path, 6, 4, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "half.png: cannot decode image: truncated PNG: the file ends "
                                    "before its IEND chunk");
    tmp_write(tmp_path(path, dir, "empty.png"), "", 0);
    ck_assert_int_eq(nn_load_image(x, path, 6, 4, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "empty.png: cannot decode image: empty file");
    /* a GIF with no image: stb_image's reason was the empty string */
    static const char no_image[] = "GIF89a\1\0\1\0\0\0\0;";
    tmp_write(tmp_path(path, dir, "none.gif"), no_image, sizeof no_image - 1);
    ck_assert_int_eq(nn_load_image(x, path, 1, 1, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "none.gif: cannot decode image: corrupt GIF: the file ends "
                                    "(trailer) before any image");
    tmp_remove(dir);
}
END_TEST

/* Files made here, for the paths the corpus does not take: raw TGA (true
 * colour and colour-mapped), paletted BMP (8 and 1 bits), raw PSD, RLE
 * HDR, a GIF whose LZW data span several sub-blocks, a PNG from
 * stb_image_write. */
static void write_with(file_bytes *f, int (*write)(stbi_write_func *, void *, int, int, int,
                                                   const void *),
                       int w, int h, int comp) {
    unsigned char pixels[64 * 64 * 4];
    pattern(pixels, w, h, comp);
    f->len = 0;
    ck_assert(write(append, f, w, h, comp, pixels));
}

static int write_tga_raw(stbi_write_func *fn, void *ctx, int w, int h, int comp, const void *px) {
    int rle = stbi_write_tga_with_rle;
    stbi_write_tga_with_rle = 0;
    int ok = stbi_write_tga_to_func(fn, ctx, w, h, comp, px);
    stbi_write_tga_with_rle = rle;
    return ok;
}

static int write_png(stbi_write_func *fn, void *ctx, int w, int h, int comp, const void *px) {
    return stbi_write_png_to_func(fn, ctx, w, h, comp, px, w * comp);
}

static int write_hdr(stbi_write_func *fn, void *ctx, int w, int h, int comp, const void *px) {
    float data[64 * 64 * 4];
    for (int i = 0; i < w * h * comp; i++) data[i] = ((const unsigned char *)px)[i] / 64.0f;
    return stbi_write_hdr_to_func(fn, ctx, w, h, comp, data);
}

/* A BMP of bpp 1 or 8 bits, w x h, a palette of n_colors gray levels. */
static void paletted_bmp(file_bytes *f, int w, int h, int bpp) {
    int n_colors = 1 << (bpp < 8 ? bpp : 2), row = (w * bpp + 7) / 8, pad = (4 - row % 4) % 4;
    unsigned offset = 14 + 40 + 4 * (unsigned)n_colors;
    f->len = 0;
    put(f, "BM", 2);
    put_le(f, offset + (unsigned)((row + pad) * h), 4);
    put_le(f, 0, 4);
    put_le(f, offset, 4);
    put_le(f, 40, 4), put_le(f, (unsigned)w, 4), put_le(f, (unsigned)h, 4);
    put_le(f, 1, 2), put_le(f, (unsigned)bpp, 2);
    for (int k = 0; k < 6; k++) put_le(f, 0, 4); /* compression ... important colours */
    for (int c = 0; c < n_colors; c++) put_le(f, 0x010101u * (unsigned)(255 * c / (n_colors - 1)), 4);
    for (int y = 0; y < h; y++) {
        for (int i = 0; i < row; i++) put_le(f, (unsigned)(y * 7 + i * 13) % (bpp == 8 ? 4 : 256), 1);
        put_le(f, 0, pad);
    }
}

/* A colour-mapped TGA: 8-bit indices into n 24-bit entries. */
static void paletted_tga(file_bytes *f, int w, int h) {
    f->len = 0;
    unsigned char header[18] = {0, 1, 1, 0, 0, 4, 0, 24, 0, 0, 0, 0};
    header[12] = (unsigned char)w, header[14] = (unsigned char)h, header[16] = 8;
    put(f, header, sizeof header);
    for (int c = 0; c < 4 * 3; c++) put_le(f, (unsigned)(c * 21), 1);
    for (int i = 0; i < w * h; i++) put_le(f, (unsigned)(i % 4), 1);
}

/* A raw 8-bit RGB PSD with empty sections. */
static void raw_psd(file_bytes *f, int w, int h) {
    f->len = 0;
    put(f, "8BPS", 4);
    put_be(f, 1, 2), put_be(f, 0, 6), put_be(f, 3, 2);
    put_be(f, (unsigned)h, 4), put_be(f, (unsigned)w, 4), put_be(f, 8, 2), put_be(f, 3, 2);
    put_be(f, 0, 4), put_be(f, 0, 4), put_be(f, 0, 4), put_be(f, 0, 2);
    for (int i = 0; i < 3 * w * h; i++) put_le(f, (unsigned)(i * 29), 1);
}

/* A GIF of w x h 4-colour pixels, its LZW data in sub-blocks of 3 bytes:
 * 3-bit codes, a clear code before every two pixels so the width stays. */
static void small_gif(file_bytes *f, int w, int h) {
    unsigned char lzw[256];
    size_t n = 0;
    unsigned bits = 0, n_bits = 0;
    int n_codes = 0, codes[512];
    for (int i = 0; i < w * h; i++) {
        if (i % 2 == 0) codes[n_codes++] = 4; /* clear */
        codes[n_codes++] = (i * 3 + i / 5) % 4;
    }
    codes[n_codes++] = 5; /* end of information */
    for (int c = 0; c < n_codes; c++) {
        bits |= (unsigned)codes[c] << n_bits, n_bits += 3;
        while (n_bits >= 8) lzw[n++] = (unsigned char)bits, bits >>= 8, n_bits -= 8;
    }
    if (n_bits) lzw[n++] = (unsigned char)bits;
    f->len = 0;
    put(f, "GIF89a", 6);
    put_le(f, (unsigned)w, 2), put_le(f, (unsigned)h, 2), put_le(f, 0x81, 1), put_le(f, 0, 2);
    for (int c = 0; c < 4; c++) put_le(f, 0x404040u * (unsigned)c, 3);
    put(f, "\x21\xF9\x04\x00\x00\x00\x00\x00", 8); /* graphic control extension */
    put(f, "\x2C", 1);
    put_le(f, 0, 4), put_le(f, (unsigned)w, 2), put_le(f, (unsigned)h, 2), put_le(f, 0, 1);
    put_le(f, 2, 1); /* minimum code size */
    for (size_t p = 0; p < n; p += 3) {
        size_t k = n - p < 3 ? n - p : 3;
        put_le(f, (unsigned)k, 1);
        put(f, lzw + p, k);
    }
    put(f, "\0;", 2);
}

START_TEST(test_made_files_cut_everywhere) {
    file_bytes f;
    write_with(&f, write_tga_raw, 5, 3, 3);
    check_cuts(&f, "raw.tga", "TGA", 0);
    write_with(&f, write_tga_raw, 4, 2, 1);
    check_cuts(&f, "gray.tga", "TGA", 0);
    paletted_tga(&f, 4, 3);
    check_cuts(&f, "mapped.tga", "TGA", 0);
    paletted_bmp(&f, 5, 3, 8);
    check_cuts(&f, "p8.bmp", "BMP", 3);
    paletted_bmp(&f, 9, 2, 1);
    check_cuts(&f, "p1.bmp", "BMP", 2);
    raw_psd(&f, 3, 2);
    check_cuts(&f, "raw.psd", "PSD", 0);
    write_with(&f, write_hdr, 9, 3, 3); /* run-length scan lines (width 8 to 32767) */
    check_cuts(&f, "rle.hdr", "HDR", 0);
    small_gif(&f, 5, 3);
    check_cuts(&f, "blocks.gif", "GIF", 4);
    write_with(&f, write_png, 7, 5, 4);
    check_cuts(&f, "rgba.png", "PNG", 4);
}
END_TEST

/* An HDR file cut inside a run-length scan line hung stb_image: a count
 * of 0 copies nothing, and past the end every count it reads is 0. */
START_TEST(test_hdr_cut_in_scan_line_refused) {
    file_bytes f;
    write_with(&f, write_hdr, 9, 3, 3);
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_write(tmp_path(path, dir, "cut.hdr"), (const char *)f.bytes, f.len - 5);
    nn_real x[9 * 3 * 3];
    nn_error err = {0};
    ck_assert_int_eq(nn_load_image(x, path, 9, 3, 3, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "truncated HDR: the file ends");
    tmp_remove(dir);
}
END_TEST

/* A GIF whose LZW data fill stb_image's 8192-entry code table without a
 * clear code: the guard's pixel count mirrors the table and must stop where
 * stb_image does ("too many codes"), not write past its own. */
START_TEST(test_gif_code_table_full) {
    static unsigned char lzw[16384];
    size_t n = 0;
    unsigned bits = 0, n_bits = 0, size = 3, avail = 6;
    int first = 1;
    for (int c = 0; c < 8300; c++) {
        unsigned code = c == 0 ? 4 : 0; /* a clear code, then pixel 0 over and over */
        bits |= code << n_bits, n_bits += size;
        while (n_bits >= 8) lzw[n++] = (unsigned char)bits, bits >>= 8, n_bits -= 8;
        if (c == 0) continue;
        if (first) { /* the first code after a clear adds no entry */
            first = 0;
            continue;
        }
        avail++;
        if ((avail & ((1u << size) - 1)) == 0 && avail <= 0x0FFF) size++;
    }
    if (n_bits) lzw[n++] = (unsigned char)bits;
    file_bytes f = {.len = 0};
    put(&f, "GIF89a", 6);
    put_le(&f, 100, 2), put_le(&f, 100, 2), put_le(&f, 0x81, 1), put_le(&f, 0, 2);
    for (int c = 0; c < 4; c++) put_le(&f, 0x404040u * (unsigned)c, 3);
    put(&f, "\x2C", 1);
    put_le(&f, 0, 4), put_le(&f, 100, 2), put_le(&f, 100, 2), put_le(&f, 0, 1), put_le(&f, 2, 1);
    for (size_t p = 0; p < n; p += 255) {
        size_t k = n - p < 255 ? n - p : 255;
        put_le(&f, (unsigned)k, 1);
        put(&f, lzw + p, k);
    }
    put(&f, "\0;", 2);
    uint8_t out[100 * 100];
    nn_error err = {0};
    ck_assert_int_eq(nn_decode_image("full.gif", f.bytes, f.len, 100, 100, 1, out, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "full.gif: cannot decode image: too many codes");
}
END_TEST

static int jpg_quality;

static int write_jpg(stbi_write_func *fn, void *ctx, int w, int h, int comp, const void *px) {
    return stbi_write_jpg_to_func(fn, ctx, w, h, comp, px, jpg_quality);
}

/* A JPEG cut inside its scan data and closed with an end-of-image marker:
 * stb_image decodes the blocks it did not get as gray, so the guard walks
 * the entropy-coded data and refuses it. Every cut from the first scan's
 * data to the end is tried: it is refused as truncated, or decodes to
 * exactly the whole file's pixels (the cut took only a byte of padding),
 * or — progressive files only — falls between two scans (a whole image at
 * the precision of the scans before the cut). */
START_TEST(test_jpeg_scan_data_cut_and_closed) {
    file_bytes files[5];
    const char *names[5] = {"rgb.jpg (baseline)", "progressive.jpg (refinement scans)", "4:2:0 RGB",
                            "4:4:4 RGB", "gray"};
    from_corpus(&files[0], "rgb.jpg");
    from_corpus(&files[1], "progressive.jpg");
    jpg_quality = 50; /* stb_image_write subsamples chroma at quality 90 and below */
    write_with(&files[2], write_jpg, 37, 21, 3);
    jpg_quality = 95;
    write_with(&files[3], write_jpg, 19, 30, 3);
    write_with(&files[4], write_jpg, 40, 9, 1);
    static file_bytes cut;
    for (int k = 0; k < 5; k++) {
        const unsigned char *b = files[k].bytes;
        size_t len = files[k].len, start = 0, eoi = len - 2;
        char msg[NN_IMAGE_GUARD_MSG];
        ck_assert_msg(nn_image_guard(b, len, msg, sizeof msg) == NULL, "%s refused whole", names[k]);
        while (start + 4 < len && !(b[start] == 0xFF && b[start + 1] == 0xDA)) start++;
        start += 2 + (size_t)(b[start + 2] << 8 | b[start + 3]); /* the first scan's data */
        ck_assert(b[eoi] == 0xFF && b[eoi + 1] == 0xD9 && start < eoi);
        int w, h, comp, cw, ch, cc;
        unsigned char *whole = stbi_load_from_memory(b, (int)len, &w, &h, &comp, 0);
        ck_assert_ptr_nonnull(whole);
        int refused = 0, passed = 0;
        for (size_t at = start; at < eoi; at++) {
            cut.len = 0;
            put(&cut, b, at);
            put(&cut, "\xFF\xD9", 2);
            const char *why = nn_image_guard(cut.bytes, cut.len, msg, sizeof msg);
            if (why) {
                /* (cut inside a Huffman table, its counts run on into the end marker) */
                ck_assert_msg(strstr(why, "truncated JPEG: ") || strstr(why, "corrupt JPEG: "), "%s cut at %zu: %s",
                              names[k], at, why);
                refused++;
                continue;
            }
            passed++;
            unsigned char *px = stbi_load_from_memory(cut.bytes, (int)cut.len, &cw, &ch, &cc, 0);
            int same = px && cw == w && ch == h && cc == comp && memcmp(px, whole, (size_t)w * h * comp) == 0;
            stbi_image_free(px);
            int between_scans = k == 1 && ((b[at] == 0xFF && b[at + 1] != 0x00) || /* before a marker, */
                                           (b[at - 1] == 0xFF && b[at] != 0x00)); /* or after its 0xFF */
            ck_assert_msg(same || between_scans, "%s cut at %zu of %zu and closed: not refused, and it "
                          "decodes to other pixels", names[k], at, len);
        }
        stbi_image_free(whole);
        ck_assert_msg(refused > 9 * (refused + passed) / 10, "%s: %d cuts refused, %d not", names[k], refused,
                      passed);
    }
    /* the reason names the scan and the blocks: 37 x 21 in 4:2:0 is 3 x 2
     * MCUs of 4 + 1 + 1 blocks */
    const unsigned char *b = files[2].bytes;
    size_t at = 0;
    while (!(b[at] == 0xFF && b[at + 1] == 0xDA)) at++;
    at += (files[2].len - at) / 2; /* in the middle of the scan data */
    cut.len = 0;
    put(&cut, b, at);
    put(&cut, "\xFF\xD9", 2);
    char msg[NN_IMAGE_GUARD_MSG];
    const char *why = nn_image_guard(cut.bytes, cut.len, msg, sizeof msg);
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strstr(why, "truncated JPEG: the data of scan 1 end after ") &&
                      strstr(why, " of its 36 blocks (the rest would decode gray)"), "%s", why);
}
END_TEST

Suite *test_image_truncated_suite(void) {
    Suite *s = suite_create("image_truncated");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_corpus_files_cut_everywhere);
    tcase_add_test(tc, test_bmp_after_header_and_tga_after_17_bytes);
    tcase_add_test(tc, test_truncated_reasons);
    tcase_add_test(tc, test_made_files_cut_everywhere);
    tcase_add_test(tc, test_hdr_cut_in_scan_line_refused);
    tcase_add_test(tc, test_gif_code_table_full);
    tcase_add_test(tc, test_jpeg_scan_data_cut_and_closed);
    suite_add_tcase(s, tc);
    return s;
}
