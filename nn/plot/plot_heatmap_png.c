/* plot_heatmap_png.c — nn_plot_heatmap_png: a matrix as a PNG picture.
 *
 * The same diverging scale as the SVG heat map (svg.c): −max|m| dark blue,
 * 0 white, +max|m| dark red, NaN and ±inf grey; each entry a square of
 * scale × scale pixels, 8-bit RGB, nothing else in the picture (no title,
 * axes or colour bar), so it can be laid over the image it explains.
 *
 * The PNG encoding (chunks, CRC, deflate) is stb_image_write's, from
 * Debian's libstb (already linked for stb_image); it writes through a
 * callback into the atomic file, which checks every write when it commits.
 */
#include <stb_image_write.h>
#include <stdint.h>
#include <stdlib.h>

#include "nn/io/atomic_file.h"
#include "nn/plot/svg.h"

#define MAX_PIXELS (1 << 26) /* 64 Mi pixels, 192 MiB of RGB: far beyond any saliency map */

static void write_bytes(void *file, void *data, int size) { fwrite(data, 1, (size_t)size, file); }

nn_status nn_plot_heatmap_png(const char *path, const double *m, int rows, int cols, int scale,
                              nn_error *err) {
    if (!path) return nn_set_error(err, NN_ERR_ARG, "nn_plot_heatmap_png: path is NULL");
    if (!m || rows < 1 || cols < 1 || scale < 1 || scale > 64)
        return nn_set_error(err, NN_ERR_ARG, "%s: cannot draw a %d × %d matrix at %d pixels per entry%s",
                            path, rows, cols, scale, m ? "" : " (m is NULL)");
    int64_t height = (int64_t)rows * scale, width = (int64_t)cols * scale;
    if (height * width > MAX_PIXELS)
        return nn_set_error(err, NN_ERR_ARG, "%s: a %lld × %lld picture is too large (at most %d pixels)",
                            path, (long long)width, (long long)height, MAX_PIXELS);
    unsigned char *pixels = malloc((size_t)(height * width * 3)); /* (height, width, 3) RGB */
    if (!pixels) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    double vmax = nn_svg_abs_max(m, (size_t)rows * cols);
    for (int64_t py = 0; py < height; py++) {
        for (int64_t px = 0; px < width; px++) {
            int rgb[3];
            nn_svg_heat_colour(m[(py / scale) * cols + px / scale], vmax, rgb);
            unsigned char *at = pixels + (py * width + px) * 3;
            for (int c = 0; c < 3; c++) at[c] = (unsigned char)rgb[c];
        }
    }
    nn_atomic_file af;
    nn_status st = nn_atomic_open(&af, path, err);
    if (st) {
        free(pixels);
        return st;
    }
    int ok = stbi_write_png_to_func(write_bytes, af.f, (int)width, (int)height, 3, pixels, (int)width * 3);
    free(pixels);
    if (!ok) {
        nn_atomic_abort(&af);
        return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory while encoding the PNG", path);
    }
    return nn_atomic_commit(&af, err);
}
