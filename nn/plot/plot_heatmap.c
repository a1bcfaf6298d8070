/* plot_heatmap.c — nn_plot_heatmap_svg: a matrix as coloured cells.
 *
 * The colour scale is diverging and symmetric: −max|m| is dark blue, 0 is
 * white, +max|m| is dark red, so the sign of every entry is visible at a
 * glance (the softmax Jacobian: positive diagonal, negative off-diagonal).
 */
#include <math.h>

#include "nn/io/atomic_file.h"
#include "nn/graph_internal.h"
#include "nn/plot/svg.h"

enum { LEFT = 44, TOP = 56, AREA = 420, BAR_W = 16, BAR_MIN_H = 140 };
#define VALUES_UP_TO 12    /* cells show their value when rows, cols ≤ this */
#define TOOLTIPS_UP_TO 10000 /* cells carry a hover <title> up to this many */

/* Appends v with 3 significant digits, no "-0". */
static void write_value(FILE *f, double v) {
    if (v == 0) v = 0;
    fprintf(f, "%.3g", v);
}

static void write_colour_bar(FILE *f, int x, int y, int h, double vmax) {
    fprintf(f, "<defs><linearGradient id=\"nn-diverging\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n");
    for (int s = 0; s < NN_SVG_DIVERGING_STOPS; s++) {
        double t = -1 + 2.0 * s / (NN_SVG_DIVERGING_STOPS - 1);
        int rgb[3];
        nn_svg_diverging(t, rgb);
        fprintf(f, "<stop offset=\"%g\" stop-color=\"rgb(%d,%d,%d)\"/>\n", (t + 1) / 2, rgb[0],
                rgb[1], rgb[2]);
    }
    fprintf(f, "</linearGradient></defs>\n"
               "<rect class=\"colour-bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
               "fill=\"url(#nn-diverging)\" stroke=\"#333\"/>\n", x, y, BAR_W, h);
    fprintf(f, "<g font-size=\"12\" dominant-baseline=\"middle\">\n");
    const double at[3] = {vmax, 0, -vmax};
    for (int i = 0; i < 3; i++) {
        fprintf(f, "<text x=\"%d\" y=\"%d\">", x + BAR_W + 6, y + i * h / 2);
        write_value(f, at[i]);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</g>\n");
}

nn_status nn_plot_heatmap_svg(const char *path, const char *title, const double *m,
                              int rows, int cols, nn_error *err) {
    if (!path) return nn_set_error(err, NN_ERR_ARG, "nn_plot_heatmap_svg: path is NULL");
    if (!m || rows < 1 || cols < 1 || rows > 100000 || cols > 100000)
        return nn_set_error(err, NN_ERR_ARG, "%s: cannot draw a %d × %d matrix%s", path, rows,
                            cols, m ? "" : " (m is NULL)");
    size_t n = (size_t)rows * cols;
    double vmax = nn_svg_abs_max(m, n);

    int big = rows > cols ? rows : cols;
    int cell = AREA / big;
    cell = cell < 1 ? 1 : cell > 90 ? 90 : cell;
    int show_values = rows <= VALUES_UP_TO && cols <= VALUES_UP_TO;
    int show_index = cell >= 14;
    double font = cell / 4.8 > 16 ? 16 : cell / 4.8;
    int map_h = rows * cell, bar_h = map_h > BAR_MIN_H ? map_h : BAR_MIN_H;
    int bar_x = LEFT + cols * cell + 24;
    int width = bar_x + BAR_W + 64, height = TOP + bar_h + 20;
    if (width < 260) width = 260;

    nn_atomic_file af;
    nn_status st = nn_atomic_open(&af, path, err);
    if (st) return st;
    FILE *f = af.f;
    nn_svg_begin(f, width, height);
    if (title && *title) {
        fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">", LEFT);
        nn_svg_text(f, title);
        fprintf(f, "</text>\n");
    }
    if (show_index) {
        fprintf(f, "<g class=\"index\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">\n");
        for (int j = 0; j < cols; j++)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\">%d</text>\n", LEFT + (j + 0.5) * cell, TOP - 6, j);
        for (int i = 0; i < rows; i++)
            fprintf(f, "<text x=\"%d\" y=\"%.1f\" dominant-baseline=\"middle\">%d</text>\n",
                    LEFT - 14, TOP + (i + 0.5) * cell, i);
        fprintf(f, "</g>\n");
    }
    fprintf(f, "<g class=\"cells\" font-size=\"%.1f\" text-anchor=\"middle\" "
               "dominant-baseline=\"middle\">\n", font);
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
            double v = m[(size_t)i * cols + j];
            int rgb[3];
            nn_svg_heat_colour(v, vmax, rgb);
            int x = LEFT + j * cell, y = TOP + i * cell;
            fprintf(f, "<rect class=\"cell\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                       "fill=\"rgb(%d,%d,%d)\"", x, y, cell, cell, rgb[0], rgb[1], rgb[2]);
            if (n <= TOOLTIPS_UP_TO) {
                fprintf(f, "><title>[%d,%d] = ", i, j);
                write_value(f, v);
                fprintf(f, "</title></rect>\n");
            } else {
                fprintf(f, "/>\n");
            }
            if (show_values) {
                int dark = isfinite(v) && fabs(v / vmax) > 0.55;
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">", x + cell / 2.0,
                        y + cell / 2.0, dark ? "white" : "#222");
                write_value(f, v);
                fprintf(f, "</text>\n");
            }
        }
    }
    fprintf(f, "</g>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
               "stroke=\"#333\"/>\n", LEFT, TOP, cols * cell, map_h);
    write_colour_bar(f, bar_x, TOP, bar_h, vmax);
    fprintf(f, "</svg>\n");
    return nn_atomic_commit(&af, err);
}
