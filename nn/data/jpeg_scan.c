/* jpeg_scan.c — do a JPEG's entropy-coded data hold every block of its
 * frame? (See image_extent.h.)
 *
 * stb_image reads zeros where a scan's data stop early and decodes the
 * blocks it did not get as gray, so a JPEG cut inside its scan data and
 * closed with an end-of-image marker decodes "fine". This walks every scan
 * the way a decoder does — Huffman codes and their extra bits, block after
 * block, restart markers, and for progressive JPEGs the four kinds of scans
 * (DC first and refinement, AC first with end-of-band runs, AC refinement,
 * whose correction bits depend on which coefficients earlier scans made
 * nonzero, so those are tracked: one bit per coefficient) — without
 * computing a single coefficient. A scan whose data end (at a marker) before
 * its last block is refused.
 *
 * Only a file this walk fully understands is judged: anything it does not
 * (a code no table holds, a frame or scan header stb_image will reject
 * itself, a height given later by a DNL marker, arithmetic coding, which
 * stb_image does not decode) ends the walk with no verdict, and stb_image
 * decides as before. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/image_extent.h"

/* Frames larger than this are left to the size check that follows (the
 * nonzero map would be 8 bytes per block). */
#define JPEG_SCAN_MAX_PIXELS ((long long)1 << 24)

typedef struct {
    int           defined;
    int32_t       maxcode[18]; /* largest code of each length, −1: none */
    int32_t       valptr[17];  /* index of its first symbol */
    int32_t       mincode[17];
    unsigned char symbol[256];
} huffman;

typedef struct {
    int       id, h, v;
    int       bw, bh;       /* blocks of the component's own size */
    int       pw;           /* blocks per row, padded to whole MCUs */
    uint64_t *nonzero;      /* (pw · rows padded) progressive: bit k, coefficient k ≠ 0 */
    int       dc, ac;       /* this scan's tables */
} component;

typedef struct {
    const unsigned char *buf;
    size_t               len, pos; /* pos: the next byte of entropy-coded data */
    uint32_t             acc;      /* bits not yet used, the oldest highest */
    int                  n_bits;
    int                  at_marker; /* the data stopped at a marker (or the end) */
    int                  short_of_data; /* a bit was needed past them */
} bit_reader;

enum { WALK_OK, WALK_UNSURE, WALK_TRUNCATED };

static void fill(bit_reader *r) {
    while (r->n_bits <= 24 && !r->at_marker) {
        if (r->pos >= r->len) {
            r->at_marker = 1;
            break;
        }
        unsigned b = r->buf[r->pos];
        if (b == 0xFF) {
            if (r->pos + 1 < r->len && r->buf[r->pos + 1] == 0x00) {
                r->pos += 2; /* a stuffed 0xFF */
            } else {
                r->at_marker = 1; /* pos stays at the marker */
                break;
            }
        } else {
            r->pos++;
        }
        r->acc |= (uint32_t)b << (24 - r->n_bits);
        r->n_bits += 8;
    }
}

/* The next n bits (n ≤ 16); past the data, zeros and short_of_data set. */
static unsigned get_bits(bit_reader *r, int n) {
    if (n == 0) return 0;
    if (r->n_bits < n) fill(r);
    if (r->n_bits < n) {
        r->short_of_data = 1;
        r->n_bits = n; /* zeros, as stb_image reads */
    }
    unsigned v = r->acc >> (32 - n);
    r->acc <<= n;
    r->n_bits -= n;
    return v;
}

/* The next symbol of table t, or −1 for a code t does not hold. */
static int decode(bit_reader *r, const huffman *t) {
    int32_t code = 0;
    for (int l = 1; l <= 16; l++) {
        code = code << 1 | (int32_t)get_bits(r, 1);
        if (code <= t->maxcode[l]) {
            int32_t k = t->valptr[l] + code - t->mincode[l];
            return k >= 0 && k < 256 ? t->symbol[k] : -1;
        }
    }
    return -1;
}

/* A table from its 16 counts and the symbols after them; 0 if the counts
 * over-fill the code space or hold more than 256 symbols. */
static int build(huffman *t, const unsigned char *counts, const unsigned char *symbols) {
    int32_t code = 0;
    int k = 0;
    for (int l = 1; l <= 16; l++) {
        t->valptr[l] = k;
        t->mincode[l] = code;
        code += counts[l - 1];
        k += counts[l - 1];
        if (k > 256 || code > (1 << l)) return 0;
        t->maxcode[l] = counts[l - 1] ? code - 1 : -1;
        code <<= 1;
    }
    t->maxcode[17] = INT32_MAX;
    memcpy(t->symbol, symbols, (size_t)k);
    t->defined = 1;
    return 1;
}

typedef struct {
    huffman   dc[4], ac[4];
    component c[4];
    int       n_components, progressive, restart;
    int       mcux, mcuy, hmax, vmax;
    /* the scan under way */
    component *in_scan[4];
    int        n_in_scan, ss, se, ah, al;
    long       eobrun;
} jpeg;

/* One 8×8 block of component c at block (bx, by) in the current scan. */
static int walk_block(jpeg *j, bit_reader *r, component *c, int bx, int by) {
    uint64_t *nz = j->progressive ? &c->nonzero[(size_t)by * c->pw + bx] : NULL;
    if (!j->progressive || j->ss == 0) { /* a DC coefficient */
        if (j->progressive && j->ah) {
            get_bits(r, 1); /* refinement: one bit */
            return WALK_OK;
        }
        int s = decode(r, &j->dc[c->dc]);
        if (s < 0 || s > 11) return WALK_UNSURE;
        get_bits(r, s);
        if (j->progressive) return WALK_OK;
    }
    int k = j->progressive ? j->ss : 1, se = j->progressive ? j->se : 63;
    if (!j->progressive || j->ah == 0) { /* baseline AC, or a first AC scan */
        if (j->eobrun > 0) {
            j->eobrun--;
            return WALK_OK;
        }
        while (k <= se) {
            int rs = decode(r, &j->ac[c->ac]);
            if (rs < 0) return WALK_UNSURE;
            int run = rs >> 4, s = rs & 15;
            if (s == 0) {
                if (run == 15) {
                    k += 16;
                    continue;
                }
                if (j->progressive) j->eobrun = (1L << run) - 1 + (long)get_bits(r, run);
                break;
            }
            k += run;
            if (k > se) return WALK_UNSURE;
            get_bits(r, s);
            if (nz) *nz |= (uint64_t)1 << k;
            k++;
        }
        return k > se + 1 ? WALK_UNSURE : WALK_OK;
    }
    /* an AC refinement scan: a correction bit for every coefficient already
     * nonzero that the walk passes, new coefficients of magnitude 1 */
    if (j->eobrun == 0) {
        for (; k <= se; k++) {
            int rs = decode(r, &j->ac[c->ac]);
            if (rs < 0) return WALK_UNSURE;
            int run = rs >> 4, s = rs & 15;
            if (s == 0 && run < 15) {
                j->eobrun = (1L << run) + (long)get_bits(r, run);
                break;
            }
            if (s != 0) {
                if (s != 1) return WALK_UNSURE;
                get_bits(r, 1); /* its sign */
            }
            /* skip `run` zero coefficients (s == 0, run == 15: 16 of them),
             * reading the correction bits of the nonzero ones on the way */
            for (; k <= se; k++) {
                if (*nz >> k & 1) {
                    get_bits(r, 1);
                } else {
                    if (run == 0) break;
                    run--;
                }
            }
            if (s != 0) {
                if (k > se) return WALK_UNSURE;
                *nz |= (uint64_t)1 << k;
            }
        }
    }
    if (j->eobrun > 0) { /* the rest of the band: correction bits only */
        for (; k <= se; k++)
            if (*nz >> k & 1) get_bits(r, 1);
        j->eobrun--;
    }
    return WALK_OK;
}

/* The scan whose data start at *pos; on return *pos is at the marker after
 * them. *blocks, *done: how many blocks it has, and walked. */
static int walk_scan(jpeg *j, const unsigned char *buf, size_t len, size_t *pos, long *blocks, long *done) {
    bit_reader r = {.buf = buf, .len = len, .pos = *pos};
    j->eobrun = 0;
    int single = j->n_in_scan == 1;
    component *c0 = j->in_scan[0];
    long units = single ? (long)c0->bw * c0->bh : (long)j->mcux * j->mcuy; /* MCUs */
    long per_unit = 0;
    for (int i = 0; i < j->n_in_scan; i++) per_unit += single ? 1 : j->in_scan[i]->h * j->in_scan[i]->v;
    *blocks = units * per_unit;
    *done = 0;
    int st = WALK_OK;
    for (long u = 0; u < units && st == WALK_OK; u++) {
        if (j->restart && u > 0 && u % j->restart == 0) { /* RSTn: the bits left are padding */
            r.acc = 0, r.n_bits = 0;
            fill(&r);
            if (r.n_bits > 0) return WALK_UNSURE; /* whole bytes before the marker: not ours to judge */
            if (r.pos + 1 >= len || buf[r.pos] != 0xFF || buf[r.pos + 1] < 0xD0 || buf[r.pos + 1] > 0xD7) {
                st = WALK_TRUNCATED; /* the data ended before this interval */
                break;
            }
            r.pos += 2;
            r.at_marker = 0;
            j->eobrun = 0;
        }
        /* past the data every block is truncated, whatever its zeros decode to */
        if (single) {
            st = walk_block(j, &r, c0, (int)(u % c0->bw), (int)(u / c0->bw));
            if (r.short_of_data) st = WALK_TRUNCATED;
            else if (st == WALK_OK) (*done)++;
        } else {
            int mx = (int)(u % j->mcux), my = (int)(u / j->mcux);
            for (int i = 0; i < j->n_in_scan && st == WALK_OK; i++) {
                component *c = j->in_scan[i];
                for (int y = 0; y < c->v && st == WALK_OK; y++)
                    for (int x = 0; x < c->h && st == WALK_OK; x++) {
                        st = walk_block(j, &r, c, mx * c->h + x, my * c->v + y);
                        if (r.short_of_data) st = WALK_TRUNCATED;
                        else if (st == WALK_OK) (*done)++;
                    }
            }
        }
    }
    /* on to the marker after the data */
    size_t p = r.pos;
    while (p + 1 < len && !(buf[p] == 0xFF && buf[p + 1] != 0x00 && (buf[p + 1] < 0xD0 || buf[p + 1] > 0xD7)))
        p++;
    *pos = p;
    return st;
}

static int read_frame(jpeg *j, const unsigned char *s, size_t seg, unsigned marker) {
    if (seg < 8 || s[0] != 8) return 0; /* 8-bit samples only, as stb_image */
    int height = s[1] << 8 | s[2], width = s[3] << 8 | s[4], n = s[5];
    if (height == 0 || width == 0 || (n != 1 && n != 3 && n != 4) || seg != 6 + 3 * (size_t)n) return 0;
    if ((long long)width * height > JPEG_SCAN_MAX_PIXELS) return 0;
    j->progressive = marker == 0xC2;
    j->n_components = n;
    j->hmax = j->vmax = 1;
    for (int i = 0; i < n; i++) {
        component *c = &j->c[i];
        c->id = s[6 + 3 * i];
        c->h = s[7 + 3 * i] >> 4, c->v = s[7 + 3 * i] & 15;
        if (c->h < 1 || c->h > 4 || c->v < 1 || c->v > 4) return 0;
        if (c->h > j->hmax) j->hmax = c->h;
        if (c->v > j->vmax) j->vmax = c->v;
    }
    j->mcux = (width + 8 * j->hmax - 1) / (8 * j->hmax);
    j->mcuy = (height + 8 * j->vmax - 1) / (8 * j->vmax);
    for (int i = 0; i < n; i++) {
        component *c = &j->c[i];
        int cw = (width * c->h + j->hmax - 1) / j->hmax, ch = (height * c->v + j->vmax - 1) / j->vmax;
        c->bw = (cw + 7) / 8, c->bh = (ch + 7) / 8;
        c->pw = j->mcux * c->h;
        if (j->progressive) {
            c->nonzero = calloc((size_t)c->pw * (size_t)(j->mcuy * c->v), sizeof *c->nonzero);
            if (!c->nonzero) return 0;
        }
    }
    return 1;
}

static int read_scan_header(jpeg *j, const unsigned char *s, size_t seg) {
    int n = seg >= 1 ? s[0] : 0;
    if (n < 1 || n > 4 || seg != 4 + 2 * (size_t)n || j->n_components == 0) return 0;
    j->n_in_scan = n;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < j->n_components && j->c[k].id != s[1 + 2 * i]) k++;
        if (k == j->n_components) return 0;
        component *c = &j->c[k];
        c->dc = s[2 + 2 * i] >> 4, c->ac = s[2 + 2 * i] & 15;
        if (c->dc > 3 || c->ac > 3) return 0;
        j->in_scan[i] = c;
    }
    j->ss = s[1 + 2 * n], j->se = s[2 + 2 * n], j->ah = s[3 + 2 * n] >> 4, j->al = s[3 + 2 * n] & 15;
    if (!j->progressive && !(j->ss == 0 && j->se == 63 && j->ah == 0 && j->al == 0)) return 0;
    if (j->progressive && j->ss == 0 && j->se != 0) return 0;
    if (j->progressive && j->ss > 0 && (j->se < j->ss || j->se > 63 || n != 1)) return 0;
    int uses_dc = !j->progressive || (j->ss == 0 && j->ah == 0), uses_ac = !j->progressive || j->ss > 0;
    for (int i = 0; i < n; i++) { /* the tables this kind of scan reads */
        component *c = j->in_scan[i];
        if ((uses_dc && !j->dc[c->dc].defined) || (uses_ac && !j->ac[c->ac].defined)) return 0;
    }
    return 1;
}

static int read_tables(jpeg *j, const unsigned char *s, size_t seg) {
    size_t p = 0;
    while (p < seg) {
        if (seg - p < 17) return 0;
        unsigned tc = s[p] >> 4, th = s[p] & 15, n = 0;
        for (int l = 0; l < 16; l++) n += s[p + 1 + l];
        if (tc > 1 || th > 3 || seg - p - 17 < n) return 0;
        if (!build(tc ? &j->ac[th] : &j->dc[th], s + p + 1, s + p + 17)) return 0;
        p += 17 + n;
    }
    return 1;
}

const char *nn_jpeg_scan_extent(const unsigned char *buf, size_t len, size_t start, char *msg, size_t msg_size) {
    jpeg j;
    memset(&j, 0, sizeof j);
    const char *why = NULL;
    int scans = 0, judged = 1, eoi = 0;
    unsigned scanned = 0; /* bit c: component c is in some scan */
    size_t i = start;
    while (judged && !why && i + 2 <= len) {
        if (buf[i] != 0xFF) break; /* bytes between segments: not ours to judge */
        unsigned m = buf[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        if (m == 0xD9) { /* EOI */
            eoi = 1;
            break;
        }
        if (i + 4 > len) break;
        size_t seg = (size_t)buf[i + 2] << 8 | buf[i + 3];
        if (seg < 2 || seg > len - i - 2) break;
        const unsigned char *s = buf + i + 4;
        size_t n = seg - 2;
        i += 2 + seg;
        if (m == 0xC4) judged = read_tables(&j, s, n);
        else if (m == 0xDD) j.restart = n == 2 ? s[0] << 8 | s[1] : -1, judged = j.restart >= 0;
        else if (m == 0xC0 || m == 0xC1 || m == 0xC2) judged = !j.n_components && read_frame(&j, s, n, m);
        else if ((m >= 0xC3 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) || m == 0xDC) judged = 0;
        else if (m == 0xDA) {
            judged = read_scan_header(&j, s, n);
            if (!judged) break;
            scans++;
            for (int k = 0; k < j.n_in_scan; k++) scanned |= 1u << (unsigned)(j.in_scan[k] - j.c);
            long blocks, done;
            int st = walk_scan(&j, buf, len, &i, &blocks, &done);
            if (st == WALK_UNSURE) judged = 0;
            if (st == WALK_TRUNCATED) {
                snprintf(msg, msg_size, "truncated JPEG: the data of scan %d end after %ld of its %ld blocks "
                         "(the rest would decode gray)", scans, done, blocks);
                why = msg;
            }
        }
    }
    if (judged && !why && eoi && j.n_components && scanned != (1u << j.n_components) - 1) {
        int c = 0;
        while (scanned >> c & 1) c++;
        snprintf(msg, msg_size, "truncated JPEG: it ends after %d scan%s, before any scan of its component %d "
                 "(which would decode gray)", scans, scans == 1 ? "" : "s", c + 1);
        why = msg;
    }
    for (int c = 0; c < 4; c++) free(j.c[c].nonzero);
    return why;
}
