/* image_guard.c — input stb_image must not see.
 *
 * Debian's libstb (0.0~git20220908) predates upstream's fix for JPEG Huffman
 * tables (nothings/stb issues #1289 and #1291, fixed by pull request #1297):
 * a DHT segment whose 16 code-length counts add up to more than 256 makes
 * stbi__build_huffman and the DHT reader write past the 256-entry `values`
 * and 257-entry `size` arrays of the decoder's tables. fuzz/fuzz_image.c hit
 * it within a minute (UBSan: index 257 out of bounds for stbi_uc[257]).
 * The JPEG standard allows at most 256 symbols per table, so such a file is
 * corrupt: we refuse it here, before stb_image reads a byte.
 *
 * The scan walks the JPEG's marker segments (and skips entropy-coded data,
 * where 0xFF is followed by 0x00 or a restart marker), checking every DHT
 * segment, including those between the scans of a progressive JPEG.
 */
#include <stdint.h>

#include "image_guard.h"

#define JPEG_MAX_HUFFMAN_SYMBOLS 256

/* Mirrors stb_image's DHT reader: while the segment's length L is positive it
 * reads a class byte and 16 counts — past the segment, and as zeros past the
 * end of the file, if they are not there — then n = their sum values. */
static const char *check_dht(const unsigned char *buf, size_t len, size_t p, long L) {
    while (L > 0) {
        int n = 0;
        for (size_t k = 1; k <= 16; k++) n += p + k < len ? buf[p + k] : 0;
        if (n > JPEG_MAX_HUFFMAN_SYMBOLS)
            return "corrupt JPEG: a Huffman table with more than 256 codes";
        p += 17 + (size_t)n;
        L -= 17 + n;
    }
    return NULL;
}

const char *nn_image_guard(const unsigned char *buf, size_t len) {
    if (len < 4 || buf[0] != 0xFF || buf[1] != 0xD8) return NULL; /* not a JPEG */
    size_t i = 2;
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
        /* stuffed 0xFF00, TEM, restart markers, SOI, EOI: no length field */
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD9)) {
            i += 2;
            continue;
        }
        size_t seg = (size_t)buf[i + 2] << 8 | buf[i + 3];
        if (seg < 2) return NULL; /* stb_image rejects it */
        if (m == 0xC4) {
            const char *why = check_dht(buf, len, i + 4, (long)seg - 2);
            if (why) return why;
        }
        i += 2 + seg;
    }
    return NULL;
}
