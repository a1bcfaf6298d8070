/* svg.h — small pieces shared by the plot writers (internal): SVG text,
 * ticks, and the diverging colour scale of the heat maps (SVG and PNG). */
#ifndef NN_SVG_H
#define NN_SVG_H

#include <stdio.h>

/* Writes s with the XML special characters escaped; control characters,
 * which XML 1.0 forbids, become '?'. NULL writes nothing. */
void nn_svg_text(FILE *f, const char *s);

/* A tick step of 1, 2 or 5 × 10^k giving about `target` intervals over span
 * (span > 0). */
double nn_svg_nice_step(double span, int target);

/* Formats tick value v (a multiple of step) with just enough decimals to
 * tell neighbouring ticks apart; never prints "-0". */
void nn_svg_tick_label(char *buf, size_t size, double v, double step);

/* Writes the XML declaration, the <svg> element of width × height pixels
 * and a white background. The caller closes it with "</svg>". */
void nn_svg_begin(FILE *f, int width, int height);

/* The diverging colour of t in [-1, 1]: blue (−1), white (0), red (+1). */
void nn_svg_diverging(double t, int rgb[3]);

/* The colour stops of that scale, for a gradient: offsets 0..1 from −1 to +1. */
#define NN_SVG_DIVERGING_STOPS 5

/* The heat maps' colour of entry v on the scale ±vmax (vmax > 0): the
 * diverging colour of v / vmax; NaN and ±inf are grey (170, 170, 170). */
void nn_svg_heat_colour(double v, double vmax, int rgb[3]);

/* The heat maps' vmax: the largest |m_i| over the finite entries of m (n),
 * or 1 when every one is 0 or non-finite (then all cells are white or grey). */
double nn_svg_abs_max(const double *m, size_t n);

#endif
