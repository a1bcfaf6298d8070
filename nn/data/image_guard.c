/* image_guard.c — input stb_image must not see.
 *
 * Debian's libstb (0.0~git20220908) predates several of upstream's fixes for
 * corrupt input, and is built with its assertions on, so a file it
 * mishandles can crash or abort the whole program. This file refuses such
 * input before stb_image reads a byte, mirroring stb_image's own parsing
 * where that decides what it will do. Each rule below names what
 * fuzz/fuzz_image.c (or upstream) found.
 *
 * JPEG Huffman tables (DHT segments):
 * - More than 256 codes in one table make stbi__build_huffman and the DHT
 *   reader write past the 256-entry `values` and 257-entry `size` arrays
 *   (nothings/stb #1289, #1291, fixed upstream by pull request #1297).
 *   fuzz_image: UBSan, index 257 out of bounds for stbi_uc[257].
 * - Exactly 256 codes, the last no longer than 9 bits: stb_image's 9-bit
 *   lookup table stores a code's index in a byte and uses 255 to mean "no
 *   short code here", so code 255 is looked up the slow way, lands on the
 *   wrong symbol and fails STBI_ASSERT in stbi__jpeg_huff_decode (abort;
 *   upstream builds its tables the same way). An 8-bit JPEG has at most 162 distinct symbols per
 *   table, so a table of more than 255 codes is corrupt: refused.
 * (Code lengths that over-fill the code space, against the Kraft
 * inequality, are rejected by this stb_image itself: "bad code lengths".)
 *
 * JPEG scans that use a table no earlier segment defined: stb_image
 * mallocs its decoder without clearing it (upstream clears it since #1297),
 * so such a scan decodes with whatever the heap held — found by fuzz_image
 * as the same STBI_ASSERT, hit only when the heap held the remains of
 * earlier tables (a corrupt JPEG whose DHT named AC table 0 as "class 0,
 * table 2", after other images had been decoded). libjpeg refuses such
 * files too, and stb_image has no default tables to decode them with, so
 * a scan must only use Huffman and quantization tables defined before it.
 *
 * The scan walks the JPEG's marker segments as stb_image does — from the
 * SOI marker, which stb_image also finds after 0xFF fill bytes (fuzz_image
 * found a file that started 0xFF 0xFF 0xD8 and so escaped the DHT check),
 * skipping entropy-coded data (where 0xFF is followed by 0x00 or a restart
 * marker), up to the end-of-image marker, where stb_image stops.
 *
 * PNM (P5/P6): stb_image reads the header's width, height and maxval into an
 * int digit by digit without an overflow check (signed overflow, found by
 * fuzz_image). No valid header needs a number that large — maxval is at most
 * 65535 and images past 2^24 pixels are refused anyway — so a header number
 * above PNM_MAX_HEADER_NUMBER is refused before stb_image parses it.
 * 16-bit PNM (maxval > 255) is refused too: this stb_image converts its
 * channels with the 8-bit converter and then reads twice the buffer it made
 * (heap overflow in stbi__convert_16_to_8, found by fuzz_image; later
 * upstream versions convert with stbi__convert_format16).
 *
 * PNG chunks longer than the rest of the file: stb_image grows its buffer
 * for the compressed data to each IDAT chunk's claimed length, doubling,
 * before reading it — a 154-byte file whose chunk claimed a gigabyte made it
 * allocate 2 GB (found by fuzz_image; upstream caps IDAT data at 2^30 bytes
 * since #1297). Such a chunk cannot be read, so stb_image fails on the file
 * anyway; refused first, what it allocates is bounded by twice the file.
 *
 * PNG decompression bombs: stb_image inflates all the image data into a
 * buffer it doubles without limit, and accepts any amount beyond what the
 * image needs (relaxed for a PNG with trailing zeros, nothings/stb #276), so
 * a 1 MB PNG claiming 1 x 1 pixels whose data inflate to 1 GB made nn use
 * 1 GB, and a slightly larger one got it killed. The data are inflated here
 * into a 16 KiB scratch buffer, counting bytes only (zlib's window adds
 * 32 KiB), and the file is refused as soon as they pass what its header
 * allows: the scan lines of the image (for Adam7, of its 7 passes, exactly)
 * plus an eighth and 64 KiB of slack for trailing data — stb_image's own
 * first guess is the non-interlaced size, so what it allocates stays within
 * about twice what the header claims. The guard stops counting where
 * stb_image stops reading (the end of the deflate stream, IEND) and when
 * stb_image would reject the header. Deflate data zlib refuses are refused
 * too: stb_image accepts some of them (incomplete Huffman codes, which
 * RFC 1951 and libpng do not), so counting could not stop there without
 * letting a bomb through; zlib is run without the zlib wrapper, whose header
 * the guard checks as stb_image does, so a wrong Adler-32 checksum or window
 * size, which stb_image ignores, is not refused.
 *
 * Files cut short: stb_image reads zeros past the end of its input, so a
 * truncated file decodes to pixels it never held. A PNG must reach its
 * IEND chunk (whose CRC stb_image does not read) with a complete deflate
 * stream that inflates to at least what its header needs (exactly what
 * stb_image's "not enough pixels" requires); a JPEG must reach its
 * end-of-image marker with every marker segment whole, and its scans'
 * entropy-coded data must hold every block of the frame (jpeg_scan.c walks
 * them: a file cut inside its scan data and closed with a new end-of-image
 * marker decoded with gray blocks). The other formats are
 * checked in image_extent.c; a file cut inside a signature or a header
 * says so, and an empty file is "empty file".
 *
 * PIC (Softimage): when the pixel data are corrupt, stb_image's PIC loader
 * frees its buffer and passes NULL on to stbi__convert_format, which reads
 * it for any channel count but 4 (nothings/stb #1452, CVE-2023-43898, still
 * open upstream): a segmentation fault. The format is refused outright.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "nn/data/image_extent.h"
#include "nn/data/image_guard.h"

/* ------------------------------------------------------------------ JPEG */

/* One fewer than stb_image's tables hold: see "Exactly 256 codes" above. */
#define JPEG_MAX_HUFFMAN_CODES 255

/* The byte at p, or 0 past the end: stb_image reads zeros there. */
static unsigned byte_at(const unsigned char *buf, size_t len, size_t p) {
    return p < len ? buf[p] : 0;
}

/* What the segments read so far have defined, as stb_image keeps it. */
typedef struct {
    unsigned      huffman;       /* bit th: DC table th defined; bit 4 + th: AC table th */
    unsigned      quant;         /* bit tq: quantization table tq defined */
    int           progressive;   /* the frame is SOF2 */
    int           n_components;  /* 0 until a valid frame header */
    unsigned char id[4];         /* (n_components) component ids */
    unsigned char tq[4];         /* (n_components) their quantization tables */
} jpeg_tables;

/* Mirrors stb_image's DHT reader: while the segment's length L is positive it
 * reads a class/table byte and 16 counts — past the segment, and as zeros
 * past the end of the file, if they are not there — then n = their sum
 * values. A class above 1 or table above 3 is an error there. */
static const char *read_dht(const unsigned char *buf, size_t len, size_t p, long L,
                            jpeg_tables *t) {
    while (L > 0) {
        unsigned q = byte_at(buf, len, p), n = 0;
        for (size_t k = 1; k <= 16; k++) n += byte_at(buf, len, p + k);
        if (n > JPEG_MAX_HUFFMAN_CODES)
            return "corrupt JPEG: a Huffman table with more than 255 codes";
        if (q >> 4 <= 1 && (q & 15) <= 3) t->huffman |= 1u << (4 * (q >> 4) + (q & 15));
        p += 17 + n;
        L -= 17 + (long)n;
    }
    return NULL;
}

/* Mirrors stb_image's DQT reader: tables of 64 8-bit or 16-bit entries. */
static void read_dqt(const unsigned char *buf, size_t len, size_t p, long L, jpeg_tables *t) {
    while (L > 0) {
        unsigned q = byte_at(buf, len, p), precision = q >> 4, table = q & 15;
        if (precision > 1 || table > 3) return; /* stb_image rejects the file */
        t->quant |= 1u << table;
        p += precision ? 129 : 65;
        L -= precision ? 129 : 65;
    }
}

/* A frame header (SOF0/1/2, the ones stb_image decodes), at p its length. */
static void read_sof(const unsigned char *buf, size_t len, size_t p, size_t seg, unsigned m,
                     jpeg_tables *t) {
    unsigned n = byte_at(buf, len, p + 7);
    t->n_components = 0; /* until known good: stb_image rejects the file */
    t->progressive = m == 0xC2;
    if ((n != 1 && n != 3 && n != 4) || seg != 8 + 3 * n) return;
    for (unsigned k = 0; k < n; k++) {
        t->id[k] = (unsigned char)byte_at(buf, len, p + 8 + 3 * k);
        t->tq[k] = (unsigned char)byte_at(buf, len, p + 10 + 3 * k);
        if (t->tq[k] > 3) return; /* rejected there too */
    }
    t->n_components = (int)n;
}

/* A scan header (SOS), at p its length: the tables its data will be decoded
 * with must exist. stb_image decodes a baseline scan with each component's
 * DC and AC tables; a progressive scan with the DC tables if it is a first
 * DC scan (Ss = 0, Ah = 0), with none if a DC refinement, and with the AC
 * tables otherwise (Ss > 0). */
static const char *read_sos(const unsigned char *buf, size_t len, size_t p, size_t seg,
                            const jpeg_tables *t) {
    unsigned n = byte_at(buf, len, p + 2);
    if (n < 1 || n > 4 || seg != 6 + 2 * n) return NULL; /* stb_image rejects the file */
    unsigned ss = byte_at(buf, len, p + 3 + 2 * n), ah = byte_at(buf, len, p + 5 + 2 * n) >> 4;
    int uses_dc = !t->progressive || (ss == 0 && ah == 0), uses_ac = !t->progressive || ss != 0;
    for (unsigned k = 0; k < n; k++) {
        unsigned id = byte_at(buf, len, p + 3 + 2 * k), q = byte_at(buf, len, p + 4 + 2 * k);
        unsigned dc = q >> 4, ac = q & 15;
        int c = 0;
        while (c < t->n_components && t->id[c] != id) c++;
        if (c == t->n_components || dc > 3 || ac > 3) return NULL; /* rejected there too */
        if ((uses_dc && !(t->huffman >> dc & 1)) || (uses_ac && !(t->huffman >> (4 + ac) & 1)))
            return "corrupt JPEG: a scan uses a Huffman table the file does not define";
        if (!(t->quant >> t->tq[c] & 1))
            return "corrupt JPEG: a scan uses a quantization table the file does not define";
    }
    return NULL;
}

/* stb_image's test for JPEG: 0xFF, any number of 0xFF fill bytes, 0xD8 (SOI).
 * Returns the offset after SOI, or 0 if buf is not a JPEG to stb_image. */
static size_t jpeg_start(const unsigned char *buf, size_t len) {
    size_t i = 1;
    while (i < len && buf[i] == 0xFF) i++;
    return len > 0 && buf[0] == 0xFF && i < len && buf[i] == 0xD8 ? i + 1 : 0;
}

static const char *check_jpeg(const unsigned char *buf, size_t len, size_t i, char *msg, size_t msg_size) {
    jpeg_tables t = {0};
    size_t start = i;
    while (i + 2 <= len) {
        if (buf[i] != 0xFF) { /* entropy-coded data */
            i++;
            continue;
        }
        unsigned m = buf[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD9) return nn_jpeg_scan_extent(buf, len, start, msg, msg_size); /* EOI: stb_image reads no further */
        /* stuffed 0xFF00, TEM, restart markers, SOI: no length field */
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {
            i += 2;
            continue;
        }
        if (i + 4 > len) break;
        size_t seg = (size_t)buf[i + 2] << 8 | buf[i + 3];
        if (seg < 2) return NULL; /* stb_image rejects it */
        const char *why = NULL;
        if (m == 0xC4) why = read_dht(buf, len, i + 4, (long)seg - 2, &t);
        else if (m == 0xDB) read_dqt(buf, len, i + 4, (long)seg - 2, &t);
        else if (m == 0xC0 || m == 0xC1 || m == 0xC2) read_sof(buf, len, i + 2, seg, m, &t);
        else if (m == 0xDA) why = read_sos(buf, len, i + 2, seg, &t);
        if (why) return why;
        if (seg > len - i - 2) return "truncated JPEG: a marker segment runs past the end of the file";
        i += 2 + seg;
    }
    /* stb_image reads zeros past the end: a scan cut short decodes to gray */
    return "truncated JPEG: the file ends before its end-of-image marker";
}

/* ------------------------------------------------------------------- PNM */

#define PNM_MAX_HEADER_NUMBER (1L << 24)

static int pnm_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* stb_image's reader of a memory buffer: zeros past the end, and there the
 * position stays. */
typedef struct {
    const unsigned char *buf;
    size_t               len, pos;
} pnm_reader;

static unsigned char pnm_get(pnm_reader *r) { return r->pos < r->len ? r->buf[r->pos++] : 0; }

/* Mirrors stb_image's PNM header reader (stbi__pnm_info): after "P5"/"P6",
 * three numbers, each after white space and '#' comments running to the end
 * of the line, read with one character of look-ahead — the one after
 * maxval, so the pixels start after exactly one white-space byte. Then
 * width x height samples of one (P5) or three (P6) bytes. */
static const char *check_pnm(const unsigned char *buf, size_t len, char *msg, size_t msg_size) {
    pnm_reader r = {buf, len, 2};
    unsigned char c = pnm_get(&r);
    long value[3];
    for (int field = 0; field < 3; field++) {
        for (;;) { /* stbi__pnm_skip_whitespace */
            while (r.pos < len && pnm_space(c)) c = pnm_get(&r);
            if (r.pos >= len || c != '#') break;
            while (r.pos < len && c != '\n' && c != '\r') c = pnm_get(&r);
        }
        value[field] = 0;
        for (; r.pos < len && c >= '0' && c <= '9'; c = pnm_get(&r)) {
            value[field] = value[field] * 10 + (c - '0');
            if (value[field] > PNM_MAX_HEADER_NUMBER)
                return "corrupt PNM: a header number is larger than any image allows";
        }
    }
    if (value[2] > 255) return "16-bit PNM (maxval above 255) is not supported: convert it to 8 bits";
    uint64_t w = (uint64_t)value[0], h = (uint64_t)value[1];
    uint64_t need = r.pos + w * h * (buf[1] == '6' ? 3 : 1);
    if (r.pos >= len) return "truncated PNM: the file ends in its header";
    if (need <= len) return NULL;
    snprintf(msg, msg_size, "truncated PNM: its %llu x %llu pixels need %llu bytes, the file has %zu",
             (unsigned long long)w, (unsigned long long)h, (unsigned long long)need, len);
    return msg;
}

/* ------------------------------------------------------------------- PNG */

/* Slack on top of the largest inflated size a valid image needs: an eighth
 * more and 64 KiB (see "PNG decompression bombs" above). */
#define PNG_SLACK(bound) ((bound) / 8 + ((uint64_t)64 << 10))

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Bytes of filtered scan lines a w x h image of bits_per_pixel needs: one
 * filter-type byte and ceil(w * bits_per_pixel / 8) bytes per line, as
 * stb_image computes them. */
static uint64_t png_lines(uint64_t w, uint64_t h, uint64_t bits_per_pixel) {
    return w && h ? h * (1 + (w * bits_per_pixel + 7) / 8) : 0;
}

/* The inflated size a valid PNG with this IHDR has: the scan lines of the
 * image, or for Adam7 the sum over the 7 passes of each pass's own scan
 * lines (a pass is a sub-image of every dx-th pixel from x0 in every dy-th
 * line from y0, empty when the image has no pixel there) — exactly what
 * stb_image's de-interlacer consumes. 0 if stb_image rejects the header;
 * below 2^53 otherwise (width and height at most 2^24, 64 bits a pixel). */
static uint64_t png_inflated_size(const unsigned char *ihdr) {
    uint64_t w = be32(ihdr), h = be32(ihdr + 4);
    unsigned depth = ihdr[8], color = ihdr[9], interlace = ihdr[12];
    static const unsigned channels[7] = {1, 0, 3, 1, 2, 0, 4}; /* by colour type */
    if (w == 0 || h == 0 || w > (1 << 24) || h > (1 << 24) || color > 6 || !channels[color] ||
        (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) || interlace > 1)
        return 0;
    uint64_t bpp = channels[color] * depth;
    if (!interlace) return png_lines(w, h, bpp);
    static const unsigned x0[7] = {0, 4, 0, 2, 0, 1, 0}, y0[7] = {0, 0, 4, 0, 2, 0, 1};
    static const unsigned dx[7] = {8, 8, 4, 4, 2, 2, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
    uint64_t total = 0;
    for (int p = 0; p < 7; p++)
        total += png_lines((w + dx[p] - 1 - x0[p]) / dx[p], (h + dy[p] - 1 - y0[p]) / dy[p], bpp);
    return total;
}

/* Counts what the image data inflate to without keeping it: zlib inflates
 * them into a small scratch buffer, which is overwritten each time. */
typedef struct {
    z_stream      z;
    int           state;      /* PNG_INFLATING, or why counting stopped */
    int           started;    /* inflateInit2 succeeded */
    int           raw;        /* CgBI ("iPhone") PNG: deflate data with no zlib header */
    unsigned char header[2];  /* the zlib header, as it arrives */
    int           n_header;
    uint64_t      out;        /* bytes inflated so far */
    uint64_t      need;       /* what the header needs: fewer bytes are refused */
    uint64_t      limit;      /* more than this is refused */
} png_inflater;

/* PNG_REJECTED: stb_image rejects the file itself (and says why). */
enum { PNG_INFLATING, PNG_DONE, PNG_REJECTED, PNG_TOO_LONG, PNG_BAD_DEFLATE, PNG_NO_MEMORY };

/* Feeds one IDAT chunk's data; sets f->state when counting ends. */
static void png_inflate(png_inflater *f, const unsigned char *data, size_t n) {
    if (f->state != PNG_INFLATING) return;
    if (!f->started) {
        while (!f->raw && f->n_header < 2 && n > 0) { /* it may be split across chunks */
            f->header[f->n_header++] = *data++;
            n--;
        }
        if (!f->raw && f->n_header < 2) return;
        /* stb_image's zlib header checks (it ignores the window size) */
        unsigned cmf = f->header[0], flg = f->header[1];
        if (!f->raw && ((cmf * 256 + flg) % 31 || flg & 32 || (cmf & 15) != 8)) {
            f->state = PNG_REJECTED;
            return;
        }
        if (inflateInit2(&f->z, -15) != Z_OK) {
            f->state = PNG_NO_MEMORY;
            return;
        }
        f->started = 1;
    }
    unsigned char scratch[16384];
    f->z.next_in = (unsigned char *)data;
    f->z.avail_in = 0;
    while (n > 0) {
        f->z.avail_in = n > (1u << 30) ? 1u << 30 : (uInt)n; /* avail_in is a uInt */
        n -= f->z.avail_in;
        do { /* until inflate has room left over: it has used all the input */
            f->z.next_out = scratch;
            f->z.avail_out = sizeof scratch;
            int ret = inflate(&f->z, Z_NO_FLUSH);
            f->out += sizeof scratch - f->z.avail_out;
            if (f->out > f->limit) f->state = PNG_TOO_LONG;
            else if (ret == Z_STREAM_END) f->state = PNG_DONE;
            else if (ret == Z_DATA_ERROR) f->state = PNG_BAD_DEFLATE;
            else if (ret == Z_MEM_ERROR) f->state = PNG_NO_MEMORY;
            if (f->state != PNG_INFLATING) return;
        } while (f->z.avail_out == 0);
    }
}

/* Mirrors stb_image's chunk reader: from byte 8, chunks of a 4-byte
 * big-endian data length, a 4-byte type, the data and a 4-byte CRC, up to
 * IEND (whose CRC it does not read). A CgBI chunk anywhere makes the image
 * data raw deflate; stb_image concatenates all IDAT chunks' data. */
static const char *check_png(const unsigned char *buf, size_t len, char *msg, size_t msg_size) {
    png_inflater f = {.state = PNG_INFLATING};
    const unsigned char *ihdr = NULL;
    const char *why = NULL;
    int iend = 0;
    for (size_t p = 8; !why && p + 8 <= len;) {
        size_t length = be32(buf + p);
        const unsigned char *type = buf + p + 4, *data = buf + p + 8;
        if ((iend = memcmp(type, "IEND", 4) == 0)) break;
        if (length > len - p - 8) why = "truncated PNG: a chunk is longer than the rest of the file";
        else if (memcmp(type, "CgBI", 4) == 0) f.raw = 1;
        else if (memcmp(type, "IHDR", 4) == 0 && length == 13 && !ihdr) {
            ihdr = data;
            f.need = png_inflated_size(ihdr);
            f.limit = f.need + PNG_SLACK(f.need);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            if (!ihdr || !f.need) f.state = PNG_REJECTED;
            png_inflate(&f, data, length);
        }
        p += 12 + length;
    }
    if (f.started) inflateEnd(&f.z);
    if (why) return why; /* first what stb_image's chunk reader would meet */
    if (!iend) return "truncated PNG: the file ends before its IEND chunk";
    unsigned long w = ihdr ? (unsigned long)be32(ihdr) : 0, h = ihdr ? (unsigned long)be32(ihdr + 4) : 0;
    if (f.state == PNG_TOO_LONG) {
        snprintf(msg, msg_size,
                 "PNG image data inflate to more than its %lu x %lu header allows "
                 "(%llu bytes): a decompression bomb?",
                 w, h, (unsigned long long)f.limit);
        return msg;
    }
    if (f.state == PNG_BAD_DEFLATE) return "corrupt PNG: the image data are not valid deflate data";
    if (f.state == PNG_NO_MEMORY) return "out of memory while checking the PNG image data";
    if (f.state == PNG_INFLATING && f.started)
        return "corrupt PNG: the image data end inside their deflate stream";
    if (f.state == PNG_DONE && f.out < f.need) {
        snprintf(msg, msg_size,
                 "corrupt PNG: the image data inflate to %llu bytes, its %lu x %lu header needs %llu",
                 (unsigned long long)f.out, w, h, (unsigned long long)f.need);
        return msg;
    }
    return NULL;
}

/* ------------------------------------------------------------------- PIC */

/* stb_image's test for PIC: a 4-byte magic number, and "PICT" at byte 88. */
static int is_pic(const unsigned char *buf, size_t len) {
    return len >= 92 && memcmp(buf, "\x53\x80\xF6\x34", 4) == 0 && memcmp(buf + 88, "PICT", 4) == 0;
}

/* The signatures stb_image tests for, to name a file cut inside one. */
static const struct {
    const char *bytes, *message;
} signatures[] = {
    {"\x89PNG\r\n\x1a\n", "truncated PNG: the file ends in its signature"},
    {"GIF87a", "truncated GIF: the file ends in its signature"},
    {"GIF89a", "truncated GIF: the file ends in its signature"},
    {"8BPS", "truncated PSD: the file ends in its signature"},
    {"#?RADIANCE\n", "truncated HDR: the file ends in its signature"},
    {"#?RGBE\n", "truncated HDR: the file ends in its signature"},
};

/* stb_image's BMP test: "BM" and a known info header size at byte 14. */
static int is_bmp(const unsigned char *buf, size_t len) {
    if (len < 18 || buf[0] != 'B' || buf[1] != 'M') return 0;
    uint32_t hsz = (uint32_t)buf[14] | (uint32_t)buf[15] << 8 | (uint32_t)buf[16] << 16 |
                   (uint32_t)buf[17] << 24;
    return hsz == 12 || hsz == 40 || hsz == 56 || hsz == 108 || hsz == 124;
}

static int starts_with(const unsigned char *buf, size_t len, const char *s) {
    size_t n = strlen(s);
    return len >= n && memcmp(buf, s, n) == 0;
}

/* The formats in the order stb_image tries them (stbi__load_main): TGA,
 * which has no signature, last. */
const char *nn_image_guard(const unsigned char *buf, size_t len, char *msg, size_t msg_size) {
    if (len == 0) return "empty file";
    if (len == 1) return "the file is 1 byte long: too short for any image format";
    for (size_t k = 0; k < sizeof signatures / sizeof *signatures; k++)
        if (len < strlen(signatures[k].bytes) && memcmp(buf, signatures[k].bytes, len) == 0)
            return signatures[k].message;
    if (starts_with(buf, len, "\x89PNG\r\n\x1a\n")) return check_png(buf, len, msg, msg_size);
    if (len < 18 && buf[0] == 'B' && buf[1] == 'M') return "truncated BMP: the file ends in its header";
    if (is_bmp(buf, len)) return nn_bmp_extent(buf, len, msg, msg_size);
    if (starts_with(buf, len, "GIF87a") || starts_with(buf, len, "GIF89a"))
        return nn_gif_extent(buf, len, msg, msg_size);
    if (starts_with(buf, len, "8BPS")) return nn_psd_extent(buf, len, msg, msg_size);
    if (is_pic(buf, len))
        return "Softimage PIC is not supported (use PNG, JPEG, BMP, GIF, TGA, PSD, HDR or PNM)";
    size_t jpeg = jpeg_start(buf, len);
    if (jpeg) return check_jpeg(buf, len, jpeg, msg, msg_size);
    if (buf[0] == 'P' && (buf[1] == '5' || buf[1] == '6')) return check_pnm(buf, len, msg, msg_size);
    if (starts_with(buf, len, "#?RADIANCE\n") || starts_with(buf, len, "#?RGBE\n"))
        return nn_hdr_extent(buf, len, msg, msg_size);
    if (nn_is_tga(buf, len)) return nn_tga_extent(buf, len, msg, msg_size);
    return NULL;
}
