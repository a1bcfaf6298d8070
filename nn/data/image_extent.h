/* image_extent.h — does an image file hold all the pixel data its header
 * promises? One check per format stb_image decodes without compression or
 * with a run-length or LZW code the check can walk (internal, not installed).
 *
 * Each returns NULL when the file holds the data (or when stb_image itself
 * rejects the header, which it then reports), else why not: a constant
 * string or msg (msg_size bytes, NN_IMAGE_GUARD_MSG is enough), filled in.
 * buf is the whole file; the caller has matched the format's signature as
 * stb_image does. PNG and JPEG are checked in image_guard.c, where their
 * chunks and segments are walked anyway. */
#ifndef NN_IMAGE_EXTENT_H
#define NN_IMAGE_EXTENT_H

#include <stddef.h>

const char *nn_bmp_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size);
const char *nn_tga_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size);
const char *nn_psd_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size);
const char *nn_hdr_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size);
const char *nn_gif_extent(const unsigned char *buf, size_t len, char *msg, size_t msg_size);

/* A JPEG whose marker segments are whole up to its end-of-image marker
 * (image_guard.c checks that first): do its scans' entropy-coded data hold
 * every block of the frame, and does every component have a scan? start is
 * the offset after SOI. NULL also when the walk meets what it does not
 * understand (stb_image then decides). */
const char *nn_jpeg_scan_extent(const unsigned char *buf, size_t len, size_t start, char *msg,
                                size_t msg_size);

/* 1 if stb_image's TGA test accepts buf (reading zeros past the end). */
int nn_is_tga(const unsigned char *buf, size_t len);

#endif
