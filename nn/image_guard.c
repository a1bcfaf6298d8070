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
 *   still so upstream). An 8-bit JPEG has at most 162 distinct symbols per
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
 * PIC (Softimage): when the pixel data are corrupt, stb_image's PIC loader
 * frees its buffer and passes NULL on to stbi__convert_format, which reads
 * it for any channel count but 4 (nothings/stb #1452, CVE-2023-43898, still
 * open upstream): a segmentation fault. The format is refused outright.
 */
#include <string.h>

#include "image_guard.h"

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

static const char *check_jpeg(const unsigned char *buf, size_t len, size_t i) {
    jpeg_tables t = {0};
    while (i + 4 <= len) {
        if (buf[i] != 0xFF) { /* entropy-coded data */
            i++;
            continue;
        }
        unsigned m = buf[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD9) return NULL; /* EOI: stb_image reads no further */
        /* stuffed 0xFF00, TEM, restart markers, SOI: no length field */
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {
            i += 2;
            continue;
        }
        size_t seg = (size_t)buf[i + 2] << 8 | buf[i + 3];
        if (seg < 2) return NULL; /* stb_image rejects it */
        const char *why = NULL;
        if (m == 0xC4) why = read_dht(buf, len, i + 4, (long)seg - 2, &t);
        else if (m == 0xDB) read_dqt(buf, len, i + 4, (long)seg - 2, &t);
        else if (m == 0xC0 || m == 0xC1 || m == 0xC2) read_sof(buf, len, i + 2, seg, m, &t);
        else if (m == 0xDA) why = read_sos(buf, len, i + 2, seg, &t);
        if (why) return why;
        i += 2 + seg;
    }
    return NULL;
}

/* ------------------------------------------------------------------- PNM */

#define PNM_MAX_HEADER_NUMBER (1L << 24)

static int pnm_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Mirrors stb_image's PNM header reader: after "P5"/"P6", three numbers, each
 * preceded by white space and '#' comments running to the end of the line. */
static const char *check_pnm(const unsigned char *buf, size_t len) {
    size_t i = 2;
    for (int field = 0; field < 3; field++) {
        while (i < len && (pnm_space(buf[i]) || buf[i] == '#')) {
            if (buf[i] == '#')
                while (i < len && buf[i] != '\n' && buf[i] != '\r') i++;
            else
                i++;
        }
        long value = 0;
        for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
            value = value * 10 + (buf[i] - '0');
            if (value > PNM_MAX_HEADER_NUMBER)
                return "corrupt PNM: a header number is larger than any image allows";
        }
        if (field == 2 && value > 255)
            return "16-bit PNM (maxval above 255) is not supported: convert it to 8 bits";
    }
    return NULL;
}

/* ------------------------------------------------------------------- PIC */

/* stb_image's test for PIC: a 4-byte magic number, and "PICT" at byte 88. */
static int is_pic(const unsigned char *buf, size_t len) {
    return len >= 92 && memcmp(buf, "\x53\x80\xF6\x34", 4) == 0 && memcmp(buf + 88, "PICT", 4) == 0;
}

const char *nn_image_guard(const unsigned char *buf, size_t len) {
    size_t jpeg = jpeg_start(buf, len);
    if (jpeg) return check_jpeg(buf, len, jpeg);
    if (len >= 2 && buf[0] == 'P' && (buf[1] == '5' || buf[1] == '6')) return check_pnm(buf, len);
    if (is_pic(buf, len))
        return "Softimage PIC is not supported (use PNG, JPEG, BMP, GIF, TGA, PSD, HDR or PNM)";
    return NULL;
}
