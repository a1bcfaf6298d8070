/* text.h — bytes from users (file names, labels, option values) made safe to
 * print on one line and to write into JSON (internal, not installed). */
#ifndef NN_TEXT_H
#define NN_TEXT_H

#include <stddef.h>

/* Length of the valid UTF-8 character at s[0..n) (1 to 4), 0 if the bytes
 * there are not one (a stray continuation byte, an overlong form, a
 * surrogate, past U+10FFFF, or cut short). n ≥ 1. */
size_t nn_utf8_char(const char *s, size_t n);

/* 1 if s is valid UTF-8 throughout. */
int nn_utf8_valid(const char *s);

/* Writes s to out (out_size bytes, NUL-terminated, cut at a character
 * boundary) as one printable line: a control character becomes \n, \r, \t
 * or \xHH, a byte that is not part of valid UTF-8 \xHH; the rest is kept.
 * Escaping an escaped text changes nothing (backslashes are kept as they
 * are). Returns the length the whole escaped text has, like snprintf. */
size_t nn_escape_line(char *out, size_t out_size, const char *s);

/* Fits text (len bytes) into out (out_size bytes) by cutting its middle
 * out and marking the cut " [...] ": the start names the file or option,
 * the end holds the reason, so neither is lost. Cuts at character
 * boundaries; out and text must not overlap. */
void nn_fit_middle(char *out, size_t out_size, const char *text, size_t len);

#endif
