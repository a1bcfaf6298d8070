/* image_extent.c — refuses image files that end before their pixel data do.
 *
 * stb_image reads zeros past the end of its input and does not look back:
 * a BMP cut after its header, or a TGA cut after 17 bytes, "decodes" into
 * an image of pixels the file never held (black, or for PNM whatever the
 * heap held, since stb_image ignores the short read there). A file cut
 * inside an HDR run-length scan line hangs it: a run count of 0 copies
 * nothing and is read again, as 0, for ever.
 *
 * So each check below reads the header as stb_image does (the same fields,
 * the same quirks, noted where they differ from the format's own
 * specification), computes where stb_image will stop reading pixel data and
 * refuses the file if it ends first. Formats whose pixel data are coded
 * with run lengths (TGA, PSD and HDR RLE) or LZW (GIF) are walked code by
 * code, counting pixels without storing them, so the bound is exact: a file
 * is refused only if stb_image would read past its end. Trailing bytes stb
 * does not read (the padding after a BMP's last row, a GIF's trailer) are
 * not required. Files stb_image rejects itself are left to it: it says why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/image_extent.h"

/* stb_image's STBI_MAX_DIMENSIONS: it refuses larger widths and heights. */
#define STB_MAX_DIMENSION (1u << 24)

static unsigned le16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t le32(const unsigned char *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

/* "truncated FMT: its W x H pixels need NEED bytes, the file has LEN". */
static const char *short_by(const char *format, uint64_t w, uint64_t h, uint64_t need, size_t len,
                            char *msg, size_t msg_size) {
    snprintf(msg, msg_size, "truncated %s: its %llu x %llu pixels need %llu bytes, the file has %zu",
             format, (unsigned long long)w, (unsigned long long)h, (unsigned long long)need, len);
    return msg;
}

/* For the walked formats, where only "more than the file" is known. */
static const char *ends_early(const char *format, uint64_t w, uint64_t h, size_t len, char *msg,
                              size_t msg_size) {
    snprintf(msg, msg_size,
             "truncated %s: the file ends (at %zu bytes) before the last of its %llu x %llu pixels",
             format, len, (unsigned long long)w, (unsigned long long)h);
    return msg;
}

/* ------------------------------------------------------------------- BMP */

/* stb_image's BMP reader: a 14-byte file header (the pixel data's offset at
 * byte 10), an info header of hsz bytes (12, 40, 56, 108 or 124; with
 * BI_BITFIELDS and hsz 40 or 56, 12 bytes of masks after it), a palette
 * for fewer than 16 bits a pixel, then rows of ceil(w * bpp / 8) bytes, each
 * padded to 4 bytes — except that it reads 4 bytes a pixel for any depth
 * above 16 other than 24. It starts reading rows at the offset, or at the
 * end of the file if the offset points back into what it has read. */
const char *nn_bmp_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size) {
    if (len < 18) return "truncated BMP: the file ends in its header";
    uint32_t offset = le32(buf + 10), hsz = le32(buf + 14);
    size_t header_end = 14 + hsz;
    if (hsz == 40 || hsz == 56) {
        /* the masks of BI_BITFIELDS follow; compression and bpp are there */
        if (len >= 34 && le32(buf + 30) == 3 && (le16(buf + 28) == 16 || le16(buf + 28) == 32))
            header_end += 12;
    }
    if (len < header_end) return "truncated BMP: the file ends in its header";
    uint64_t w, h;
    unsigned bpp;
    if (hsz == 12) {
        w = le16(buf + 18), h = le16(buf + 20), bpp = le16(buf + 24);
    } else {
        int32_t signed_h = (int32_t)le32(buf + 22);
        w = le32(buf + 18), h = signed_h < 0 ? -(int64_t)signed_h : signed_h, bpp = le16(buf + 28);
        uint32_t compress = le32(buf + 30);
        if (compress == 1 || compress == 2 || compress >= 4) return NULL; /* stb_image rejects it */
    }
    if (w == 0 || h == 0 || w > STB_MAX_DIMENSION || h > STB_MAX_DIMENSION || offset > INT32_MAX)
        return NULL; /* rejected there, or by the loader's size check */
    uint64_t row, pad;
    if (bpp < 16) {
        /* the palette fills the gap between the headers and the offset */
        int64_t gap = (int64_t)offset - (int64_t)header_end;
        int64_t entry = hsz == 12 ? 3 : 4, psize = hsz == 12 ? (gap - 12) / 3 : gap >> 2;
        if (psize < 0) /* stb_image reads no palette and decodes with garbage */
            return "corrupt BMP: the pixel data offset points into the header";
        if (psize == 0 || psize > 256) return NULL; /* rejected there */
        if ((int64_t)offset < (int64_t)header_end + psize * entry)
            return "corrupt BMP: the pixel data offset points into the palette";
        if (bpp == 1) row = (w + 7) / 8;
        else if (bpp == 4) row = (w + 1) / 2;
        else if (bpp == 8) row = w;
        else return NULL; /* rejected there */
        pad = (4 - row % 4) % 4;
    } else {
        if (offset < header_end) /* stb_image then reads from the end of the file */
            return "corrupt BMP: the pixel data offset points into the header";
        row = w * (bpp == 16 ? 2 : bpp == 24 ? 3 : 4);
        pad = bpp == 16 || bpp == 24 ? (4 - row % 4) % 4 : 0;
    }
    uint64_t need = offset + (h - 1) * (row + pad) + row; /* the last row's padding is not read */
    return need > len ? short_by("BMP", w, h, need, len, msg, msg_size) : NULL;
}

/* ------------------------------------------------------------------- TGA */

/* stb_image's stbi__tga_get_comp: channels for a pixel (or palette entry)
 * of `bits`, 0 if unsupported; 15 and 16-bit colour is read as 2 bytes. */
static unsigned tga_comp(unsigned bits, int grey, int *rgb16) {
    *rgb16 = 0;
    switch (bits) {
    case 8: return 1;
    case 16:
        if (grey) return 2;
        *rgb16 = 1;
        return 3;
    case 15: *rgb16 = 1; return 3;
    case 24: return 3;
    case 32: return 4;
    default: return 0;
    }
}

/* stb_image's stbi__tga_test, which reads zeros past the end: a file of 17
 * bytes can pass it. TGA has no signature; stb_image tries it last. */
int nn_is_tga(const unsigned char *buf, size_t len) {
    unsigned char h[18] = {0};
    memcpy(h, buf, len < 18 ? len : 18);
    unsigned colormap = h[1], type = h[2], bits = h[16];
    if (colormap > 1) return 0;
    if (colormap == 1 && type != 1 && type != 9) return 0;
    if (colormap == 1 && h[7] != 8 && h[7] != 15 && h[7] != 16 && h[7] != 24 && h[7] != 32) return 0;
    if (colormap == 0 && type != 2 && type != 3 && type != 10 && type != 11) return 0;
    if (le16(h + 12) < 1 || le16(h + 14) < 1) return 0;
    if (colormap == 1 && bits != 8 && bits != 16) return 0;
    return bits == 8 || bits == 15 || bits == 16 || bits == 24 || bits == 32;
}

/* stb_image's TGA reader: an 18-byte header, an ID field it skips, for a
 * colour-mapped image the palette (after skipping as many bytes as the
 * header's "first entry index", unlike the specification; entries of 2
 * bytes for 15/16-bit colour, else of one byte per channel), then the
 * pixels: raw, or run-length packets (a count byte, then one pixel for a
 * run or `count` pixels), where a packet may run past the last pixel. A
 * colour map of an image that is not colour-mapped is not skipped. */
const char *nn_tga_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size) {
    if (len < 18) return "truncated TGA: the file ends in its 18-byte header";
    unsigned indexed = buf[1], type = buf[2], bits = buf[16];
    int rle = type >= 8, rgb16;
    if (rle) type -= 8;
    uint64_t w = le16(buf + 12), h = le16(buf + 14), n_pixels = w * h;
    unsigned comp = tga_comp(indexed ? buf[7] : bits, type == 3, &rgb16);
    if (!comp) return NULL; /* rejected there */
    uint64_t pos = 18 + (uint64_t)buf[0], pixel = comp;
    if (indexed) {
        unsigned palette_len = le16(buf + 5);
        if (palette_len == 0) return NULL; /* rejected there */
        pos += le16(buf + 3) + (uint64_t)palette_len * (rgb16 ? 2 : comp);
        pixel = bits == 8 ? 1 : 2; /* an index */
    } else if (rgb16) {
        pixel = 2;
    }
    if (!rle) {
        uint64_t need = pos + n_pixels * pixel;
        return need > len ? short_by("TGA", w, h, need, len, msg, msg_size) : NULL;
    }
    for (uint64_t done = 0; done < n_pixels;) {
        if (pos >= len) return ends_early("TGA", w, h, len, msg, msg_size);
        unsigned command = buf[pos++];
        uint64_t count = 1 + (command & 127), left = n_pixels - done;
        if (count > left) count = left;
        pos += command & 128 ? pixel : count * pixel;
        if (pos > len) return ends_early("TGA", w, h, len, msg, msg_size);
        done += count;
    }
    return NULL;
}

/* ------------------------------------------------------------------- PSD */

/* stb_image's PSD reader: a 26-byte header, three sections it skips by
 * their 4-byte lengths (colour mode data, image resources, layers), a
 * 2-byte compression, then up to 4 channels (the others are not read) of
 * w x h samples: raw (1 or 2 bytes each), or after a table of 2 bytes per
 * row and channel (skipped), PackBits per channel — stb_image ignores the
 * table and decodes until the channel's pixels are complete. */
const char *nn_psd_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size) {
    if (len < 26) return "truncated PSD: the file ends in its header";
    unsigned channels = be16(buf + 12), depth = be16(buf + 22);
    uint64_t h = be32(buf + 14), w = be32(buf + 18), n_pixels = w * h;
    if (be16(buf + 4) != 1 || channels > 16 || h > STB_MAX_DIMENSION || w > STB_MAX_DIMENSION ||
        (depth != 8 && depth != 16) || be16(buf + 24) != 3)
        return NULL; /* rejected there */
    uint64_t pos = 26;
    for (int section = 0; section < 3; section++) {
        if (pos + 4 > len) return "truncated PSD: the file ends before its image data";
        pos += 4 + (uint64_t)be32(buf + pos);
    }
    if (pos + 2 > len) return "truncated PSD: the file ends before its image data";
    unsigned compression = be16(buf + pos);
    if (compression > 1) return NULL; /* rejected there */
    pos += 2;
    unsigned read_channels = channels < 4 ? channels : 4;
    if (!compression) {
        uint64_t need = pos + read_channels * n_pixels * (depth / 8);
        return need > len ? short_by("PSD", w, h, need, len, msg, msg_size) : NULL;
    }
    pos += h * channels * 2;
    for (unsigned c = 0; c < read_channels; c++)
        for (uint64_t done = 0; done < n_pixels;) {
            if (pos >= len) return ends_early("PSD", w, h, len, msg, msg_size);
            unsigned code = buf[pos++];
            uint64_t count = code < 128 ? code + 1 : 257 - code;
            if (code == 128) continue; /* no-op */
            if (count > n_pixels - done) return NULL; /* rejected there: bad RLE data */
            pos += code < 128 ? count : 1;
            if (pos > len) return ends_early("PSD", w, h, len, msg, msg_size);
            done += count;
        }
    return NULL;
}

/* ------------------------------------------------------------------- HDR */

/* One header line as stb_image's stbi__hdr_gettoken reads it, up to '\n'
 * (at most 1023 characters kept), into token; *pos moves past the '\n'.
 * 0 if the file ends first. */
static int hdr_line(const unsigned char *buf, size_t len, uint64_t *pos, char token[1024]) {
    const unsigned char *nl = *pos < len ? memchr(buf + *pos, '\n', len - *pos) : NULL;
    if (!nl) return 0;
    size_t n = (size_t)(nl - (buf + *pos)), kept = n < 1023 ? n : 1023;
    memcpy(token, buf + *pos, kept);
    token[kept] = 0;
    *pos += n + 1;
    return 1;
}

/* stb_image's Radiance reader: header lines up to an empty one (a
 * FORMAT=32-bit_rle_rgbe line among them), a "-Y h +X w" line, then
 * 4 bytes a pixel, flat for widths below 8 or from 32768, else per scan
 * line 2, 2, the width in 2 bytes and 4 components of runs (a count above
 * 128 and one byte) and dumps (a count and that many bytes). A scan line
 * not starting 2, 2 makes stb_image read the rest of the image flat, from
 * its second pixel. */
const char *nn_hdr_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size) {
    static const char truncated_header[] = "truncated HDR: the file ends in its header";
    char token[1024];
    uint64_t pos = 0;
    int valid = 0;
    if (!hdr_line(buf, len, &pos, token)) return truncated_header;
    do {
        if (!hdr_line(buf, len, &pos, token)) return truncated_header;
        if (strcmp(token, "FORMAT=32-bit_rle_rgbe") == 0) valid = 1;
    } while (token[0]);
    if (!valid) return NULL; /* rejected there */
    if (!hdr_line(buf, len, &pos, token)) return truncated_header;
    char *p = token;
    if (strncmp(p, "-Y ", 3)) return NULL;
    long h = strtol(p + 3, &p, 10);
    while (*p == ' ') p++;
    if (strncmp(p, "+X ", 3)) return NULL;
    long w = strtol(p + 3, NULL, 10);
    if (w < 1 || h < 1 || w > (long)STB_MAX_DIMENSION || h > (long)STB_MAX_DIMENSION) return NULL;
    uint64_t n_pixels = (uint64_t)w * (uint64_t)h;
    if (w < 8 || w >= 32768) {
        uint64_t need = pos + 4 * n_pixels;
        return need > len ? short_by("HDR", (uint64_t)w, (uint64_t)h, need, len, msg, msg_size) : NULL;
    }
    for (long j = 0; j < h; j++) {
        if (pos + 4 > len) return ends_early("HDR", (uint64_t)w, (uint64_t)h, len, msg, msg_size);
        if (buf[pos] != 2 || buf[pos + 1] != 2 || buf[pos + 2] & 0x80) {
            uint64_t need = pos + 4 * n_pixels; /* this pixel, then w * h - 1 more */
            return need > len ? short_by("HDR", (uint64_t)w, (uint64_t)h, need, len, msg, msg_size)
                              : NULL;
        }
        if (be16(buf + pos + 2) != (unsigned)w) return NULL; /* rejected there */
        pos += 4;
        for (int k = 0; k < 4; k++)
            for (long i = 0; i < w;) {
                if (pos >= len) return ends_early("HDR", (uint64_t)w, (uint64_t)h, len, msg, msg_size);
                unsigned count = buf[pos++];
                int run = count > 128;
                if (run) count -= 128;
                if (count > (unsigned long)(w - i)) return NULL; /* rejected there */
                pos += run ? 1 : count;
                if (pos > len) return ends_early("HDR", (uint64_t)w, (uint64_t)h, len, msg, msg_size);
                i += (long)count; /* 0 for a dump of 0: stb_image reads on */
            }
    }
    return NULL;
}

/* ------------------------------------------------------------------- GIF */

/* Pixels the LZW-coded data from pos decode to, as stb_image's
 * stbi__process_gif_raster decodes them, up to `want`: a code's string is
 * one longer than its prefix's, so the lengths are all that is kept. Sets
 * *ended if the file ends first; -1 if stb_image rejects the data. */
static int64_t gif_pixels(const unsigned char *buf, size_t len, uint64_t pos, uint64_t want,
                          int *ended) {
    uint16_t length[8192]; /* (8192) pixels each code stands for */
    *ended = 0;
    if (pos >= len) return *ended = 1, 0;
    unsigned min_size = buf[pos++];
    if (min_size > 12) return -1;
    unsigned clear = 1u << min_size, size = min_size + 1, mask = (1u << size) - 1;
    unsigned avail = clear + 2, block = 0, n_bits = 0;
    uint32_t bits = 0;
    int old = -1, first = 1;
    for (unsigned c = 0; c < clear; c++) length[c] = 1;
    uint64_t pixels = 0;
    while (pixels < want) {
        if (n_bits < size) {
            if (block == 0) {
                if (pos >= len) return *ended = 1, (int64_t)pixels;
                if ((block = buf[pos++]) == 0) break; /* the block terminator */
            }
            block--;
            if (pos >= len) return *ended = 1, (int64_t)pixels;
            bits |= (uint32_t)buf[pos++] << n_bits;
            n_bits += 8;
            continue;
        }
        unsigned code = bits & mask;
        bits >>= size;
        n_bits -= size;
        if (code == clear) {
            size = min_size + 1, mask = (1u << size) - 1, avail = clear + 2, old = -1, first = 0;
            continue;
        }
        if (code == clear + 1) break; /* end of information */
        if (code > avail || first) return -1;
        if (old >= 0) {
            if (avail == 8192) return -1; /* stb_image: "too many codes" */
            length[avail++] = (uint16_t)(length[old] + 1);
        } else if (code == avail) {
            return -1;
        }
        pixels += length[code];
        if ((avail & mask) == 0 && avail <= 0x0FFF) size++, mask = (1u << size) - 1;
        old = (int)code;
    }
    return (int64_t)pixels;
}

/* stb_image's GIF reader, for the first image (the only one it returns): a
 * 13-byte header, a global colour table, extension blocks (sub-blocks up
 * to an empty one; a graphic control extension whose length byte is not 4
 * ends after that many bytes, as stb_image reads it), then the image: a
 * 10-byte descriptor, a local colour table, LZW data in sub-blocks. The
 * image's own w x h pixels must all be coded; the rest of the screen is
 * background by design. */
const char *nn_gif_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size) {
    static const char no_image[] = "truncated GIF: the file ends before its first image";
    if (len < 13) return "truncated GIF: the file ends in its header";
    unsigned flags = buf[10];
    uint64_t pos = 13 + (flags & 0x80 ? 3 * (2u << (flags & 7)) : 0);
    for (;;) {
        if (pos >= len) return no_image;
        unsigned tag = buf[pos++];
        if (tag == 0x3B) return "corrupt GIF: the file ends (trailer) before any image";
        if (tag == 0x21) {
            if (pos >= len) return no_image;
            if (buf[pos++] == 0xF9) {
                if (pos >= len) return no_image;
                unsigned n = buf[pos++];
                pos += n;
                if (n != 4) continue;
            }
            for (;;) { /* sub-blocks */
                if (pos >= len) return no_image;
                unsigned n = buf[pos++];
                if (n == 0) break;
                pos += n;
            }
            continue;
        }
        if (tag != 0x2C) return NULL; /* rejected there */
        if (pos + 9 > len) return "truncated GIF: the file ends in its image descriptor";
        uint64_t x = le16(buf + pos), y = le16(buf + pos + 2);
        uint64_t w = le16(buf + pos + 4), h = le16(buf + pos + 6);
        unsigned local = buf[pos + 8];
        if (x + w > le16(buf + 6) || y + h > le16(buf + 8)) return NULL; /* rejected there */
        if (!(local & 0x80) && !(flags & 0x80)) return NULL;              /* no colour table */
        pos += 9 + (local & 0x80 ? 3 * (2u << (local & 7)) : 0);
        int ended;
        int64_t got = gif_pixels(buf, len, pos, w * h, &ended);
        if (got < 0 || (uint64_t)got >= w * h) return NULL;
        if (ended) return ends_early("GIF", w, h, len, msg, msg_size);
        snprintf(msg, msg_size, "corrupt GIF: its image data code %lld of its %llu x %llu pixels",
                 (long long)got, (unsigned long long)w, (unsigned long long)h);
        return msg;
    }
}
