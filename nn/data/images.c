/* images.c — image folders: ROOT/<label>/<file>, one subfolder per class.
 *
 * Decoding is stb_image's, resizing stb_image_resize's (Debian's libstb-dev
 * ships both compiled, in libstb). Pixels stay bytes (scaled by 1/255 when a
 * batch is gathered), so a folder costs one byte per pixel and channel.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>
#include <stb_image_resize.h>

#include "nn/data/data_internal.h"
#include "nn/io/file_io.h"
#include "nn/data/image_guard.h"

static const char *const image_extensions[] = {"png", "jpg", "jpeg", "bmp", "gif", "tga", "psd",
                                               "pnm", "pgm", "ppm", "hdr", "pic"};

static int has_image_extension(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (size_t i = 0; i < sizeof image_extensions / sizeof *image_extensions; i++) {
        const char *e = image_extensions[i], *s = dot + 1;
        while (*e && tolower((unsigned char)*s) == *e) s++, e++;
        if (!*e && !*s) return 1;
    }
    return 0;
}

static char *join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of dir's subdirectories (want_dirs) or image files. */
static nn_status list_dir(const char *dir, int want_dirs, char ***names, int *n, nn_error *err) {
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return nn_set_error(err, NN_ERR_IO, "%s: cannot open folder: %s", dir, strerror(errno));
    int cap = 0;
    nn_status st = NN_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ., .., hidden files */
        char *path = join(dir, e->d_name);
        struct stat sb;
        int found = path && stat(path, &sb) == 0, wanted = want_dirs || has_image_extension(e->d_name);
        int keep = found && (want_dirs ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode) && wanted);
        if (!path) st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", dir);
        else if (!found && wanted && errno == EACCES) /* listed, but not searchable (no x bit) */
            st = nn_set_error(err, NN_ERR_IO, "%s: cannot search the folder (it lists, but its "
                              "entries cannot be opened): %s", dir, strerror(errno));
        else if (!found && wanted) /* a broken symbolic link, a loop ... */
            st = nn_set_error(err, NN_ERR_IO, "%s: %s", path, strerror(errno));
        free(path);
        if (!keep || st) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(*names, (size_t)cap * sizeof *grown);
            if (!grown) {
                st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", dir);
                break;
            }
            *names = grown;
        }
        if (!((*names)[*n] = strdup(e->d_name))) st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", dir);
        else (*n)++;
    }
    closedir(d);
    if (st) {
        nn_strings_free(*names, *n);
        *names = NULL;
        *n = 0;
        return st;
    }
    if (*n) qsort(*names, (size_t)*n, sizeof **names, compare_names);
    return NN_OK;
}

/* Images are refused from their header beyond this many pixels (4096 × 4096),
 * before stb_image allocates what a corrupt header claims. */
#define NN_IMAGE_MAX_PIXELS ((long long)1 << 24)

static nn_status bad_size(const char *path, int w, int h, nn_error *err) {
    return nn_set_error(err, NN_ERR_FORMAT,
                        "%s: the image header says %d x %d pixels: must be at least 1 x 1 "
                        "and at most %lld pixels", path, w, h, NN_IMAGE_MAX_PIXELS);
}

/* Image files larger than this are refused before they are read. */
#define NN_IMAGE_MAX_FILE_BYTES ((size_t)256 << 20)

/* Reads path whole and checks it with nn_image_guard: what stb_image decodes
 * is then a buffer nobody can change between the check and the decode. */
static nn_status read_image_file(const char *path, char **buf, size_t *len, nn_error *err) {
    nn_status st = nn_read_file(path, NN_IMAGE_MAX_FILE_BYTES, buf, len, err);
    if (st) return st;
    char msg[NN_IMAGE_GUARD_MSG];
    const char *why = nn_image_guard((const unsigned char *)*buf, *len, msg, sizeof msg);
    if (why) {
        free(*buf);
        *buf = NULL;
        return nn_set_error(err, NN_ERR_FORMAT, "%s: cannot decode image: %s", path, why);
    }
    return NN_OK;
}

nn_status nn_decode_image(const char *path, const unsigned char *bytes, size_t len, int width,
                          int height, int channels, uint8_t *out, nn_error *err) {
    char msg[NN_IMAGE_GUARD_MSG];
    const char *why = nn_image_guard(bytes, len, msg, sizeof msg);
    if (why) return nn_set_error(err, NN_ERR_FORMAT, "%s: cannot decode image: %s", path, why);
    if (len > INT32_MAX) return nn_set_error(err, NN_ERR_FORMAT, "%s: image file too large", path);
    int w, h, comp;
    unsigned char *pixels = NULL;
    /* stbi_info reads the header only: check the size before decoding. A
     * 0 x 0 image (which stb_image decodes) would trip stb_image_resize's
     * assertion (fuzz_image). */
    if (stbi_info_from_memory(bytes, (int)len, &w, &h, &comp)) {
        if (w < 1 || h < 1 || (long long)w * h > NN_IMAGE_MAX_PIXELS) return bad_size(path, w, h, err);
        pixels = stbi_load_from_memory(bytes, (int)len, &w, &h, &comp, channels);
    }
    if (!pixels) {
        /* stb_image's reasons are short words ("bad huffman"); two need
         * saying in full: none of its formats matched, and none at all (its
         * GIF reader clears the reason) */
        why = stbi_failure_reason();
        if (why && strcmp(why, "unknown image type") == 0)
            why = "not an image in a format stb_image reads (PNG, JPEG, BMP, GIF, TGA, PSD, HDR, PNM)";
        return nn_set_error(err, NN_ERR_FORMAT, "%s: cannot decode image: %s", path,
                            why && *why ? why : "stb_image gave no reason");
    }
    if (w < 1 || h < 1 || (long long)w * h > NN_IMAGE_MAX_PIXELS) {
        stbi_image_free(pixels);
        return bad_size(path, w, h, err);
    }
    int ok = 1;
    if (w == width && h == height) memcpy(out, pixels, (size_t)w * h * channels);
    else ok = stbir_resize_uint8(pixels, w, h, 0, out, width, height, 0, channels);
    stbi_image_free(pixels);
    if (!ok) return nn_set_error(err, NN_ERR_FORMAT, "%s: cannot resize %dx%d to %dx%d", path, w, h,
                                 width, height);
    return NN_OK;
}

/* Decodes path into out (height, width, channels) bytes; on failure returns
 * NN_ERR_FORMAT with the reason. */
static nn_status decode(const char *path, int width, int height, int channels, uint8_t *out,
                        nn_error *err) {
    char *buf;
    size_t len;
    nn_status st = nn_read_file(path, NN_IMAGE_MAX_FILE_BYTES, &buf, &len, err);
    if (st) return st;
    st = nn_decode_image(path, (const unsigned char *)buf, len, width, height, channels, out, err);
    free(buf);
    return st;
}

nn_status nn_load_image(nn_real *x, const char *path, int width, int height, int channels,
                        nn_error *err) {
    if (width < 1 || height < 1 || (channels != 1 && channels != 3))
        return nn_set_error(err, NN_ERR_ARG, "%s: bad image size %dx%dx%d", path, width, height, channels);
    size_t F = (size_t)width * height * channels;
    uint8_t *bytes = malloc(F);
    if (!bytes) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", path);
    nn_status st = decode(path, width, height, channels, bytes, err);
    for (size_t j = 0; !st && j < F; j++) x[j] = (nn_real)bytes[j] * (nn_real)(1.0 / 255.0);
    free(bytes);
    return st;
}

typedef struct {
    char **classes;  /* (n_classes) folder names, sorted */
    int    n_classes;
    char ***files;   /* (n_classes) file names per folder */
    int   *n_files;  /* (n_classes) */
} folder_listing;

static void free_listing(folder_listing *l) {
    for (int c = 0; c < l->n_classes; c++)
        if (l->files) nn_strings_free(l->files[c], l->n_files[c]);
    free(l->files);
    free(l->n_files);
    nn_strings_free(l->classes, l->n_classes);
}

static nn_status list_folders(const char *root, folder_listing *l, long *total, nn_error *err) {
    memset(l, 0, sizeof *l);
    *total = 0;
    nn_status st = list_dir(root, 1, &l->classes, &l->n_classes, err);
    if (st) return st;
    if (l->n_classes == 0)
        return nn_set_error(err, NN_ERR_FORMAT,
                            "%s: no class folders (expected %s/<label>/<image files>)", root, root);
    l->files = calloc((size_t)l->n_classes, sizeof *l->files);
    l->n_files = calloc((size_t)l->n_classes, sizeof *l->n_files);
    if (!l->files || !l->n_files) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", root);
    for (int c = 0; c < l->n_classes; c++) {
        char *dir = join(root, l->classes[c]);
        if (!dir) return nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", root);
        st = list_dir(dir, 0, &l->files[c], &l->n_files[c], err);
        if (!st && l->n_files[c] == 0)
            st = nn_set_error(err, NN_ERR_FORMAT, "%s: empty class folder (no image files)", dir);
        free(dir);
        if (st) return st;
        *total += l->n_files[c];
    }
    if (*total > INT32_MAX) return nn_set_error(err, NN_ERR_FORMAT, "%s: too many images", root);
    return NN_OK;
}

nn_status nn_image_folder_files(const char *root, void (*fn)(const char *path, void *user), void *user,
                                nn_error *err) {
    folder_listing l;
    long total;
    nn_status st = list_folders(root, &l, &total, err);
    for (int c = 0; !st && c < l.n_classes; c++)
        for (int i = 0; !st && i < l.n_files[c]; i++) {
            char *dir = join(root, l.classes[c]), *path = dir ? join(dir, l.files[c][i]) : NULL;
            if (path) fn(path, user);
            else st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", root);
            free(dir);
            free(path);
        }
    free_listing(&l);
    return st;
}

/* Width and height of the first decodable image, for width = height = 0. */
static nn_status first_size(const char *root, const folder_listing *l, int *width, int *height,
                            nn_error *err) {
    for (int c = 0; c < l->n_classes; c++)
        for (int i = 0; i < l->n_files[c]; i++) {
            char *dir = join(root, l->classes[c]), *path = dir ? join(dir, l->files[c][i]) : NULL;
            char *buf = NULL;
            size_t len = 0;
            nn_error ignored;
            int comp, ok = path && read_image_file(path, &buf, &len, &ignored) == NN_OK &&
                           stbi_info_from_memory((const stbi_uc *)buf, (int)len, width, height,
                                                 &comp);
            free(buf);
            free(dir);
            free(path);
            if (ok && *width >= 1 && *height >= 1 &&
                (long long)*width * *height <= NN_IMAGE_MAX_PIXELS)
                return NN_OK;
        }
    return nn_set_error(err, NN_ERR_FORMAT, "%s: no decodable image", root);
}

static void warn(const nn_image_options *o, const char *message) {
    if (o->warn) o->warn(o->warn_user, message);
}

nn_status nn_load_image_folder(nn_dataset *out, const char *root, const nn_image_options *o,
                               nn_error *err) {
    memset(out, 0, sizeof *out);
    nn_image_options defaults = {0};
    if (!o) o = &defaults;
    int channels = o->channels ? o->channels : 1, width = o->width, height = o->height;
    if (channels != 1 && channels != 3)
        return nn_set_error(err, NN_ERR_ARG, "%s: channels must be 1 (gray) or 3 (RGB), not %d",
                            root, channels);
    if (width < 0 || height < 0 || (width == 0) != (height == 0) ||
        (long long)width * height * channels > INT32_MAX)
        return nn_set_error(err, NN_ERR_ARG, "%s: bad image size %dx%d", root, width, height);
    int n_parts = o->n_parts ? o->n_parts : 1;
    if (n_parts < 1 || o->part < 0 || o->part >= n_parts)
        return nn_set_error(err, NN_ERR_ARG, "%s: part %d of %d does not exist", root, o->part,
                            n_parts);
    if (o->n_skipped) *o->n_skipped = 0;
    folder_listing l;
    long total;
    int *class_of = NULL, skipped = 0;
    nn_status st = list_folders(root, &l, &total, err);
    if (!st && width == 0) st = first_size(root, &l, &width, &height, err);
    if (!st && (long long)width * height * channels > INT32_MAX)
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: images of %dx%d are too large", root, width, height);
    if (st) goto done;
    size_t F = (size_t)width * height * channels;
    /* files [lo, hi) of the listing, class folder after class folder */
    long lo = total * o->part / n_parts, hi = total * (o->part + 1) / n_parts, k = 0;
    class_of = malloc((size_t)l.n_classes * sizeof *class_of);
    out->x_u8 = malloc((size_t)(hi - lo ? hi - lo : 1) * F);
    out->labels = malloc((size_t)(hi - lo ? hi - lo : 1) * sizeof *out->labels);
    out->row_files = calloc((size_t)(hi - lo ? hi - lo : 1), sizeof *out->row_files);
    if (!class_of || !out->x_u8 || !out->labels || !out->row_files) {
        st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory for %ld images", root, total);
        goto done;
    }
    if ((st = nn_resolve_classes(l.classes, l.n_classes, &o->classes, class_of, out, root, err)))
        goto done;
    for (int c = 0; c < l.n_classes; c++) {
        for (int i = 0; i < l.n_files[c]; i++) {
            if (k++ < lo || k > hi) continue; /* another part's file */
            char *dir = join(root, l.classes[c]), *path = dir ? join(dir, l.files[c][i]) : NULL;
            free(dir);
            if (!path) {
                st = nn_set_error(err, NN_ERR_NOMEM, "%s: out of memory", root);
                goto done;
            }
            nn_error why;
            st = decode(path, width, height, channels, out->x_u8 + (size_t)out->n * F, &why);
            if (st) free(path);
            if (st == NN_ERR_FORMAT && o->skip_bad) {
                char message[600];
                snprintf(message, sizeof message, "skipped %s", why.msg);
                warn(o, message);
                skipped++;
                st = NN_OK;
                continue;
            }
            if (st) {
                nn_set_error(err, st, "%s", why.msg);
                goto done;
            }
            out->row_files[out->n] = path; /* for messages about the row */
            out->labels[out->n++] = class_of[c];
        }
    }
    if (out->n == 0 && n_parts == 1)
        st = nn_set_error(err, NN_ERR_FORMAT, "%s: no image could be decoded", root);
    out->n_features = (int)F;
    out->x_scale = 1.0 / 255.0;
    out->image_shape[0] = height, out->image_shape[1] = width, out->image_shape[2] = channels;
done:
    if (o->n_skipped) *o->n_skipped = skipped;
    free(class_of);
    free_listing(&l);
    if (st) nn_dataset_free(out);
    return st;
}
