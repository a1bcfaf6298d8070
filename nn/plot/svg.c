/* svg.c — text escaping, tick steps and labels, the diverging colour scale. */
#include "nn/plot/svg.h"

#include <math.h>

void nn_svg_text(FILE *f, const char *s) {
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(c < 0x20 && c != '\t' ? '?' : c, f);
        }
    }
}

double nn_svg_nice_step(double span, int target) {
    double raw = span / target;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag; /* in [1, 10) */
    double nice = f <= 1.0001 ? 1 : f <= 2.0001 ? 2 : f <= 5.0001 ? 5 : 10;
    return nice * mag;
}

void nn_svg_tick_label(char *buf, size_t size, double v, double step) {
    if (fabs(v) < 1e-9 * step) v = 0; /* a computed 0 may be ±tiny */
    double a = fabs(v);
    if (a != 0 && (a >= 1e6 || a < 1e-4)) {
        snprintf(buf, size, "%.3g", v);
        return;
    }
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (decimals > 8) decimals = 8;
    snprintf(buf, size, "%.*f", decimals, v);
}

/* RdBu, from ColorBrewer: the five stops at t = −1, −0.5, 0, 0.5, 1. */
static const int stops[NN_SVG_DIVERGING_STOPS][3] = {
    {33, 102, 172}, {103, 169, 207}, {247, 247, 247}, {239, 138, 98}, {178, 24, 43}};

void nn_svg_diverging(double t, int rgb[3]) {
    if (!(t > -1)) t = -1; /* also catches NaN; callers draw NaN grey themselves */
    if (t > 1) t = 1;
    double u = (t + 1) * 2; /* in [0, 4] */
    int k = u >= 4 ? 3 : (int)u;
    double w = u - k;
    for (int c = 0; c < 3; c++)
        rgb[c] = (int)lround(stops[k][c] * (1 - w) + stops[k + 1][c] * w);
}

void nn_svg_begin(FILE *f, int width, int height) {
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height, width, height);
}

void nn_svg_heat_colour(double v, double vmax, int rgb[3]) {
    if (!isfinite(v)) {
        rgb[0] = rgb[1] = rgb[2] = 170;
        return;
    }
    nn_svg_diverging(v / vmax, rgb);
}

double nn_svg_abs_max(const double *m, size_t n) {
    double vmax = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(m[i]) && fabs(m[i]) > vmax) vmax = fabs(m[i]);
    return vmax > 0 ? vmax : 1;
}
