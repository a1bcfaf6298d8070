/* test_plot_png.c — nn_plot_heatmap_png: the picture read back with
 * stb_image has the expected size and, pixel by pixel, the colour of its
 * entry on the diverging scale (checked against the scale's five colour
 * stops written out here, not against the writer's own colour function);
 * bad arguments and paths are errors naming them, and nothing but the
 * picture is left in the folder (the write is atomic). */
#include <stb_image.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpfiles.h"

/* ColorBrewer RdBu at −1, −½, 0, ½, 1 (of max|m|), and grey for NaN. */
static const unsigned char DARK_BLUE[3] = {33, 102, 172}, LIGHT_BLUE[3] = {103, 169, 207},
                           WHITE[3] = {247, 247, 247}, LIGHT_RED[3] = {239, 138, 98},
                           DARK_RED[3] = {178, 24, 43}, GREY[3] = {170, 170, 170};

START_TEST(test_heatmap_png_pixels) {
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_path(path, dir, "map.png");
    /* (2, 4): the five stops, NaN and ±inf (grey, and not part of the scale) */
    const double m[8] = {-4, -2, 0, 2, 4, NAN, INFINITY, -INFINITY};
    const unsigned char *want[8] = {DARK_BLUE, LIGHT_BLUE, WHITE, LIGHT_RED, DARK_RED, GREY, GREY, GREY};
    const int scale = 5;
    nn_error err;
    ck_assert_msg(nn_plot_heatmap_png(path, m, 2, 4, scale, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(tmp_count_entries(dir), 1); /* no temporary left */
    int w, h, comp;
    unsigned char *px = stbi_load(path, &w, &h, &comp, 0);
    ck_assert_msg(px != NULL, "stb_image cannot read it: %s", stbi_failure_reason());
    ck_assert_int_eq(w, 4 * scale);
    ck_assert_int_eq(h, 2 * scale);
    ck_assert_int_eq(comp, 3);
    int wrong = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            wrong += memcmp(px + (y * w + x) * 3, want[(y / scale) * 4 + x / scale], 3) != 0;
    ck_assert_int_eq(wrong, 0);
    stbi_image_free(px);

    /* all zero: white everywhere (no division by zero); scale 1 is the data's size */
    const double z[2] = {0, 0};
    ck_assert_int_eq(nn_plot_heatmap_png(path, z, 1, 2, 1, &err), NN_OK);
    px = stbi_load(path, &w, &h, &comp, 3);
    ck_assert_ptr_nonnull(px);
    ck_assert(w == 2 && h == 1);
    ck_assert(memcmp(px, WHITE, 3) == 0 && memcmp(px + 3, WHITE, 3) == 0);
    stbi_image_free(px);
    tmp_remove(dir);
}
END_TEST

START_TEST(test_heatmap_png_errors) {
    char dir[64], path[512];
    tmp_dir(dir);
    tmp_path(path, dir, "x.png");
    const double m[1] = {1};
    nn_error err;
    const char *bad = "/nonexistent-nn-dir/sub/map.png";
    ck_assert_int_eq(nn_plot_heatmap_png(bad, m, 1, 1, 1, &err), NN_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, bad));
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
    ck_assert_int_eq(nn_plot_heatmap_png(path, m, 1, 1, 0, &err), NN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_int_eq(nn_plot_heatmap_png(path, m, 1, 1, 65, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_plot_heatmap_png(path, NULL, 1, 1, 1, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_plot_heatmap_png(path, m, 0, 1, 1, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_plot_heatmap_png(NULL, m, 1, 1, 1, &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_plot_heatmap_png(path, m, 100000, 100000, 1, &err), NN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "too large"));
    ck_assert_int_eq(tmp_count_entries(dir), 0); /* nothing written, nothing left */
    tmp_remove(dir);
}
END_TEST

Suite *test_plot_png_suite(void) {
    Suite *s = suite_create("plot_png");
    TCase *tc = tcase_create("png");
    tcase_add_test(tc, test_heatmap_png_pixels);
    tcase_add_test(tc, test_heatmap_png_errors);
    suite_add_tcase(s, tc);
    return s;
}
