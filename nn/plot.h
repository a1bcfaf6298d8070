/* plot.h — SVG line plots and heat maps (training curves, the softmax
 * Jacobian), heat maps as PNG pictures (saliency maps), the layer graph as
 * Graphviz DOT. Included by nn.h; do not include directly.
 *
 * The SVG is written by hand and opens in any browser; the PNG is encoded by
 * stb_image_write (Debian's libstb, which the image loader links anyway).
 * Files are written atomically (temporary file, fsync, rename), so a crash
 * never leaves a half-written plot. Text (titles, labels, names) may be
 * UTF-8; it is XML-escaped.
 *
 *     double loss[10], acc[10];                       // one value per epoch
 *     nn_series s[2] = {{"train loss", loss, 10}, {"test loss", test, 10}};
 *     nn_plot_lines_svg("loss.svg", "Loss", "epoch", "loss", s, 2, &err);
 */
#ifndef NN_PLOT_H
#define NN_PLOT_H

#include <stdio.h>

/* One curve: y[i] is drawn at x = i + 1 (epochs count from 1). Non-finite
 * values (NaN, ±inf) are left out and break the line there. */
typedef struct {
    const char   *name; /* legend entry; NULL or "" for none */
    const double *y;    /* (n) */
    int           n;
} nn_series;

/* Line plot of n_series ≥ 1 curves with axes, "nice" ticks, grid and a
 * legend. The axes span every finite value of every series. title, xlabel and
 * ylabel may be NULL. */
nn_status nn_plot_lines_svg(const char *path, const char *title, const char *xlabel,
                            const char *ylabel, const nn_series *series, int n_series,
                            nn_error *err);

/* Several line plots in one SVG, one below the other (loss and accuracy
 * have different scales): each panel as nn_plot_lines_svg draws it. */
typedef struct {
    const char      *title, *xlabel, *ylabel; /* may be NULL */
    const nn_series *series;
    int              n_series;                /* ≥ 1 */
} nn_plot_panel;
#define NN_PLOT_MAX_PANELS 8
nn_status nn_plot_panels_svg(const char *path, const nn_plot_panel *panels, int n_panels,
                             nn_error *err);

/* Heat map of the row-major matrix m (rows, cols) with a diverging colour
 * scale centred at 0 (blue < 0 < red, white at 0, symmetric around ±max|m|)
 * and a colour bar. Each cell shows its value when the cells are large
 * enough to read (up to 12 × 12). NaN cells are grey. title may be NULL. */
nn_status nn_plot_heatmap_svg(const char *path, const char *title, const double *m,
                              int rows, int cols, nn_error *err);

/* The same matrix and colour scale as a PNG picture (8-bit RGB): entry
 * (i, j) is the square of scale × scale pixels at (i·scale, j·scale), 1 ≤
 * scale ≤ 64, with no title, axes or colour bar, so it can be laid over the
 * image it explains (a saliency map: `nn trace --saliency FILE.png`). The
 * colour scale spans ±max|m| over the finite entries; NaN and ±inf are grey. */
nn_status nn_plot_heatmap_png(const char *path, const double *m, int rows, int cols, int scale,
                              nn_error *err);

/* ------------------------------------------------ the layer graph as DOT */

typedef struct {
    int annotate;       /* 1: each node also shows row `row` of its last forward
                           value (every entry up to 4, else mean, min, max), the
                           norm of its gradient and of its parameters' gradient,
                           after nn_graph_forward and nn_graph_backward */
    int row;            /* the row annotated, 0 ≤ row < max_batch */
    int predictions;    /* node marked "predictions" (e.g. the softmax), or -1 */
    const char *title;  /* graph label, or NULL */
} nn_dot_options;

/* Writes g as a Graphviz digraph to f: nodes n<id> labelled with id, kind,
 * shape (B, width), parameter count; losses, heads (nodes read only by
 * losses) and leaves drawn apart; one edge per input, fan-outs in red
 * (backward adds there), a loss's target and weights edges dashed (no
 * gradient). options NULL: no annotation, no predictions mark. Render with
 * `dot -Tsvg`. NN_ERR_IO when a write fails (checked, flushed). */
nn_status nn_graph_write_dot(FILE *f, const nn_graph *g, const nn_dot_options *options,
                             nn_error *err);

#endif
