/* plot_lines.c — nn_plot_lines_svg: curves over epochs, as SVG.
 *
 * Layout (pixels): a 520 × 300 plot area with the y axis on the left, the x
 * axis below, the title above and the legend to the right of the area (so it
 * never hides a curve). Every finite value of every series is inside the
 * axes, which are widened to the nearest "nice" tick (1, 2 or 5 × 10^k).
 */
#include <math.h>
#include <string.h>

#include "nn/io/atomic_file.h"
#include "nn/graph_internal.h"
#include "nn/plot/svg.h"

enum { LEFT = 72, TOP = 44, PLOT_W = 520, PLOT_H = 300, BOTTOM = 56 };
#define MARKERS_UP_TO 40 /* points per series drawn as dots up to this n */

/* Okabe–Ito colours, distinguishable with colour-blindness; then dashes. */
static const char *const colours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#999999"};
#define N_COLOURS (int)(sizeof colours / sizeof colours[0])

/* Series k ≥ N_COLOURS reuse the colours with a dash pattern. */
static const char *dash(int k) {
    int round = k / N_COLOURS;
    return round == 0 ? "" : round == 1 ? " stroke-dasharray=\"6 3\"" : " stroke-dasharray=\"2 3\"";
}

typedef struct {
    double lo, hi, step;
} axis;

/* An axis from lo to hi widened to multiples of a nice step. */
static axis make_axis(double lo, double hi, int target, int integer) {
    if (!(hi > lo)) { /* one value (or none): give it some room */
        double pad = lo != 0 ? fabs(lo) * 0.1 : 1;
        lo -= pad, hi += pad;
    }
    axis a;
    a.step = nn_svg_nice_step(hi - lo, target);
    if (integer && a.step < 1) a.step = 1;
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    return a;
}

static double px(const axis *a, double x) { return LEFT + (x - a->lo) / (a->hi - a->lo) * PLOT_W; }
static double py(const axis *a, double y) { return TOP + PLOT_H - (y - a->lo) / (a->hi - a->lo) * PLOT_H; }

static nn_status check_args(const char *path, const nn_series *s, int n_series, nn_error *err) {
    if (!path) return nn_set_error(err, NN_ERR_ARG, "nn_plot_lines_svg: path is NULL");
    if (!s || n_series < 1)
        return nn_set_error(err, NN_ERR_ARG, "%s: nothing to plot (%d series)", path, n_series);
    for (int k = 0; k < n_series; k++)
        if (s[k].n < 0 || (s[k].n > 0 && !s[k].y))
            return nn_set_error(err, NN_ERR_ARG, "%s: series %d ('%s') has n = %d and y = %s",
                                path, k, s[k].name ? s[k].name : "", s[k].n,
                                s[k].y ? "set" : "NULL");
    return NN_OK;
}

static void write_axes(FILE *f, const axis *ax, const axis *ay, const char *xlabel,
                       const char *ylabel) {
    char label[64];
    fprintf(f, "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n");
    for (double v = ay->lo; v <= ay->hi + 1e-9 * ay->step; v += ay->step)
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", LEFT, py(ay, v),
                LEFT + PLOT_W, py(ay, v));
    for (double v = ax->lo; v <= ax->hi + 1e-9 * ax->step; v += ax->step)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", px(ax, v), TOP,
                px(ax, v), TOP + PLOT_H);
    fprintf(f, "</g>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
               "stroke=\"#333\"/>\n", LEFT, TOP, PLOT_W, PLOT_H);
    fprintf(f, "<g class=\"ticks\" font-size=\"12\" fill=\"#333\">\n");
    for (double v = ay->lo; v <= ay->hi + 1e-9 * ay->step; v += ay->step) {
        nn_svg_tick_label(label, sizeof label, v, ay->step);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>\n",
                LEFT - 6, py(ay, v), label);
    }
    for (double v = ax->lo; v <= ax->hi + 1e-9 * ax->step; v += ax->step) {
        nn_svg_tick_label(label, sizeof label, v, ax->step);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px(ax, v),
                TOP + PLOT_H + 18, label);
    }
    fprintf(f, "</g>\n");
    if (xlabel && *xlabel) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">",
                LEFT + PLOT_W / 2, TOP + PLOT_H + 42);
        nn_svg_text(f, xlabel);
        fprintf(f, "</text>\n");
    }
    if (ylabel && *ylabel) {
        fprintf(f, "<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\" "
                   "font-size=\"13\">", TOP + PLOT_H / 2);
        nn_svg_text(f, ylabel);
        fprintf(f, "</text>\n");
    }
}

/* One series: a path that restarts after every non-finite value, and dots
 * when there are few points (so a lone finite point is still visible). */
static void write_series(FILE *f, const nn_series *s, int k, const axis *ax, const axis *ay) {
    const char *colour = colours[k % N_COLOURS];
    fprintf(f, "<g class=\"series\">\n<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"",
            colour, dash(k));
    int pen_down = 0;
    for (int i = 0; i < s->n; i++) {
        if (!isfinite(s->y[i])) {
            pen_down = 0;
            continue;
        }
        fprintf(f, "%s%.1f %.1f ", pen_down ? "L" : "M", px(ax, i + 1), py(ay, s->y[i]));
        pen_down = 1;
    }
    fprintf(f, "\"/>\n");
    for (int i = 0; i < s->n && s->n <= MARKERS_UP_TO; i++)
        if (isfinite(s->y[i]))
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n", px(ax, i + 1),
                    py(ay, s->y[i]), colour);
    fprintf(f, "</g>\n");
}

/* The axes and legend width of one panel. */
typedef struct {
    axis ax, ay;
    int  legend_w;
} layout;

static layout lay_out(const nn_plot_panel *p) {
    int n_max = 0, n_finite = 0;
    double y_lo = INFINITY, y_hi = -INFINITY;
    size_t longest_name = 0;
    for (int k = 0; k < p->n_series; k++) {
        const nn_series *s = &p->series[k];
        n_max = s->n > n_max ? s->n : n_max;
        for (int i = 0; i < s->n; i++) {
            double v = s->y[i];
            if (!isfinite(v)) continue;
            n_finite++;
            y_lo = v < y_lo ? v : y_lo;
            y_hi = v > y_hi ? v : y_hi;
        }
        size_t len = s->name ? strlen(s->name) : 0;
        longest_name = len > longest_name ? len : longest_name;
    }
    if (n_finite == 0) y_lo = 0, y_hi = 1; /* empty axes rather than no file */
    layout l = {.ay = make_axis(y_lo, y_hi, 6, 0), .ax = make_axis(n_max > 1 ? 1 : 0, n_max > 1 ? n_max : 2, 8, 1)};
    l.legend_w = longest_name ? 44 + 7 * (int)longest_name : 0;
    return l;
}

/* One panel at the origin (the caller translates it). */
static void write_panel(FILE *f, const nn_plot_panel *p, const layout *l) {
    if (p->title && *p->title) {
        fprintf(f, "<text x=\"%d\" y=\"26\" text-anchor=\"middle\" font-size=\"16\" "
                   "font-weight=\"bold\">", LEFT + PLOT_W / 2);
        nn_svg_text(f, p->title);
        fprintf(f, "</text>\n");
    }
    write_axes(f, &l->ax, &l->ay, p->xlabel, p->ylabel);
    for (int k = 0; k < p->n_series; k++) write_series(f, &p->series[k], k, &l->ax, &l->ay);
    fprintf(f, "<g class=\"legend\" font-size=\"12\">\n");
    for (int k = 0, row = 0; k < p->n_series && l->legend_w; k++) {
        const nn_series *s = &p->series[k];
        if (!s->name || !*s->name) continue;
        int y = TOP + 10 + 18 * row++, x = LEFT + PLOT_W + 16;
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                x, y, x + 28, y, colours[k % N_COLOURS], dash(k));
        fprintf(f, "<text x=\"%d\" y=\"%d\" dominant-baseline=\"middle\">", x + 34, y);
        nn_svg_text(f, s->name);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</g>\n");
}

nn_status nn_plot_panels_svg(const char *path, const nn_plot_panel *panels, int n_panels, nn_error *err) {
    if (!path) return nn_set_error(err, NN_ERR_ARG, "nn_plot_panels_svg: path is NULL");
    if (!panels || n_panels < 1 || n_panels > NN_PLOT_MAX_PANELS)
        return nn_set_error(err, NN_ERR_ARG, "%s: %d panels (1 to %d)", path, n_panels, NN_PLOT_MAX_PANELS);
    nn_status st;
    layout l[NN_PLOT_MAX_PANELS];
    int width = 0, panel_h = TOP + PLOT_H + BOTTOM;
    for (int i = 0; i < n_panels; i++) {
        if ((st = check_args(path, panels[i].series, panels[i].n_series, err))) return st;
        l[i] = lay_out(&panels[i]);
        int w = LEFT + PLOT_W + 16 + l[i].legend_w;
        width = w > width ? w : width;
    }
    nn_atomic_file af;
    if ((st = nn_atomic_open(&af, path, err))) return st;
    FILE *f = af.f;
    nn_svg_begin(f, width, panel_h * n_panels);
    for (int i = 0; i < n_panels; i++) { /* one below the other */
        fprintf(f, "<g class=\"panel\" transform=\"translate(0 %d)\">\n", i * panel_h);
        write_panel(f, &panels[i], &l[i]);
        fprintf(f, "</g>\n");
    }
    fprintf(f, "</svg>\n");
    return nn_atomic_commit(&af, err);
}

nn_status nn_plot_lines_svg(const char *path, const char *title, const char *xlabel,
                            const char *ylabel, const nn_series *series, int n_series,
                            nn_error *err) {
    nn_plot_panel p = {title, xlabel, ylabel, series, n_series};
    return nn_plot_panels_svg(path, &p, 1, err);
}
