/* finite_rows.c — non-finite outputs of predict and eval (see
 * finite_rows.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "finite_rows.h"

/* Warnings name at most this many skipped rows; the rest are counted. */
#define NAMED_ROWS 5

static int row_finite(const nn_real *p, int K) {
    for (int k = 0; k < K; k++)
        if (!isfinite((double)p[k])) return 0;
    return 1;
}

/* 1 if a feature of row (F, as read) is not finite once standardised with
 * m's statistics, with the reason in buf. */
static int input_overflows(const nn_model *m, const nn_real *row, char *buf, size_t len) {
    const nn_dataset *s = &m->data; /* the model's statistics and names */
    int F = m->arch.sizes[0];
    for (int j = 0; j < F; j++) {
        double x = (double)row[j];
        double z = s->feature_mean ? (x - s->feature_mean[j]) / s->feature_std[j] : x;
        if (isfinite(x) && isfinite((double)(nn_real)z)) continue; /* as nn_standardize_rows rounds it */
        char name[128];
        if (s->feature_names) snprintf(name, sizeof name, "'%s'", s->feature_names[j]);
        else snprintf(name, sizeof name, "%d", j + 1);
        if (!isfinite(x)) snprintf(buf, len, "feature %s is %g", name, x);
        else
            snprintf(buf, len, "feature %s = %g overflows after standardisation ((x - %g) / %g is beyond %s)",
                     name, x, s->feature_mean[j], s->feature_std[j], sizeof(nn_real) == 4 ? "float" : "double");
        return 1;
    }
    return 0;
}

int finite_row_ok(const nn_model *m, const nn_real *row, const nn_real *probs, char *reason, size_t len) {
    if (input_overflows(m, row, reason, len)) return 0; /* bad even if the output looks finite */
    if (row_finite(probs, m->arch.sizes[m->arch.n_sizes - 1])) return 1;
    snprintf(reason, len, "non-finite probabilities: the forward pass overflows (the model's weights or statistics)");
    return 0;
}

int finite_rows_check(const char *cmd, const char *path, const nn_model *m, const nn_dataset *d,
                      const nn_real *probs, int skip_bad, unsigned char *bad_rows) {
    int K = m->arch.sizes[m->arch.n_sizes - 1], F = d->n_features, bad = 0;
    char where[4096 + 64]; /* "imgs/cat/3.png", or "data.csv, row 3" */
    nn_real *row = malloc((size_t)(F > 0 ? F : 1) * sizeof *row); /* (F) as read */
    if (!row) return -1;
    nn_dataset raw = *d; /* the rows as read: no standardisation; owns nothing */
    raw.feature_mean = raw.feature_std = NULL;
    for (int i = 0; i < d->n; i++) {
        char reason[400];
        nn_dataset_gather(&raw, &i, 1, row, NULL);
        int ok = finite_row_ok(m, row, probs + (size_t)i * K, reason, sizeof reason);
        if (bad_rows) bad_rows[i] = !ok;
        if (ok) continue;
        if (d->row_files) snprintf(where, sizeof where, "%s", d->row_files[i]);
        else snprintf(where, sizeof where, "%s, row %d", path, i + 1);
        if (!skip_bad) {
            cli_error(cmd, "%s: %s (--skip-bad skips such rows)", where, reason);
            free(row);
            return 1;
        }
        if (bad++ < NAMED_ROWS)
            cli_warn(cmd, "skipped %s: %s", where, reason);
    }
    free(row);
    if (bad > NAMED_ROWS) cli_warn(cmd, "skipped %d more such rows", bad - NAMED_ROWS);
    if (bad)
        cli_warn(cmd, "%s: %d of %d rows skipped (non-finite inputs or probabilities)", path, bad,
                d->n);
    return bad;
}

void finite_rows_drop(nn_dataset *d, nn_real *probs, int K, const unsigned char *bad_rows) {
    int F = d->n_features, kept = 0;
    for (int i = 0; i < d->n; i++) {
        if (bad_rows[i]) {
            if (d->row_files) free(d->row_files[i]);
            continue;
        }
        if (kept != i) {
            if (d->row_files) d->row_files[kept] = d->row_files[i];
            memmove(probs + (size_t)kept * K, probs + (size_t)i * K, (size_t)K * sizeof *probs);
            d->labels[kept] = d->labels[i];
            if (d->x_real) memmove(d->x_real + (size_t)kept * F, d->x_real + (size_t)i * F, (size_t)F * sizeof *d->x_real);
            if (d->x_u8) memmove(d->x_u8 + (size_t)kept * F, d->x_u8 + (size_t)i * F, (size_t)F);
        }
        kept++;
    }
    d->n = kept;
}

void json_real(FILE *f, double x) {
    if (isfinite(x)) fprintf(f, "%.17g", x);
    else fputs("null", f);
}
