/* test_data_subsets.c — nn_dataset_limit (seeded subsets for learning curves
 * and data-limited runs) and nn_class_weights_balanced (scikit-learn's
 * "balanced" weights). */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum { N = 10, F = 2, K = 3 };

/* Rows i: x = (i, 10 i), label y[i], target (i, −i, 0.5). */
static nn_dataset make(const int32_t *y) {
    nn_dataset d = {.n = N, .n_features = F, .n_classes = K, .target_width = 3};
    d.labels = malloc(N * sizeof *d.labels);
    d.x_real = malloc(N * F * sizeof *d.x_real);
    d.targets = malloc(N * 3 * sizeof *d.targets);
    ck_assert(d.labels && d.x_real && d.targets);
    for (int i = 0; i < N; i++) {
        d.labels[i] = y[i];
        d.x_real[i * F] = (nn_real)i, d.x_real[i * F + 1] = (nn_real)(10 * i);
        d.targets[i * 3] = (nn_real)i, d.targets[i * 3 + 1] = (nn_real)-i, d.targets[i * 3 + 2] = 0.5;
    }
    return d;
}

static const int32_t labels[N] = {0, 0, 0, 1, 2, 2, 1, 0, 0, 2};

/* sklearn.utils.class_weight.compute_class_weight("balanced", classes=[0, 1, 2], y=labels)
 * = n_samples / (n_classes · bincount(y)) = 10 / (3 · [5, 2, 3]). */
START_TEST(test_class_weights_balanced) {
    nn_dataset d = make(labels);
    double w[K];
    nn_error err;
    ck_assert_int_eq(nn_class_weights_balanced(&d, w, &err), NN_OK);
    const double want[K] = {10.0 / 15, 10.0 / 6, 10.0 / 9};
    double total = 0;
    for (int k = 0; k < K; k++) {
        ck_assert_double_eq_tol(w[k], want[k], 1e-15);
        total += w[k] * (k == 0 ? 5 : k == 1 ? 2 : 3);
    }
    ck_assert_double_eq_tol(total, N, 1e-12); /* every class carries n / K */
    d.labels[3] = d.labels[6] = 0;            /* class 1 disappears */
    ck_assert_int_eq(nn_class_weights_balanced(&d, w, &err), NN_ERR_ARG);
    ck_assert_str_eq(err.msg, "class weights: class 1 has no samples to balance");
    nn_dataset_free(&d);
}
END_TEST

/* The first n rows after a seeded shuffle, with their features, labels and
 * targets together; a larger n extends a smaller one; another seed picks
 * other rows. */
START_TEST(test_dataset_limit) {
    nn_dataset d = make(labels), a, b, c;
    nn_error err;
    ck_assert_int_eq(nn_dataset_limit(&d, 4, 7, &a, &err), NN_OK);
    ck_assert_int_eq(nn_dataset_limit(&d, 7, 7, &b, &err), NN_OK);
    ck_assert_int_eq(nn_dataset_limit(&d, 4, 8, &c, &err), NN_OK);
    ck_assert_int_eq(a.n, 4);
    ck_assert_int_eq(b.n, 7);
    int seen[N] = {0}, same_as_other_seed = 1, in_order = 1;
    for (int i = 0; i < b.n; i++) {
        int r = (int)b.x_real[i * F];
        ck_assert(r >= 0 && r < N && !seen[r]);
        seen[r] = 1;
        ck_assert(b.x_real[i * F + 1] == 10 * r && b.labels[i] == labels[r]);
        ck_assert(b.targets[i * 3] == r && b.targets[i * 3 + 1] == -r && b.target_width == 3);
        if (i < a.n) ck_assert(a.x_real[i * F] == b.x_real[i * F]); /* a superset, same order */
        if (i < c.n) same_as_other_seed &= c.x_real[i * F] == a.x_real[i * F];
        if (i > 0) in_order &= b.x_real[i * F] > b.x_real[(i - 1) * F];
    }
    ck_assert(!same_as_other_seed);
    ck_assert(!in_order); /* shuffled, not the first rows of the file */
    nn_dataset_free(&a);
    ck_assert_int_eq(nn_dataset_limit(&d, 11, 7, &a, &err), NN_ERR_ARG);
    ck_assert_str_eq(err.msg, "limit: 11 samples asked for, but the data have 10");
    ck_assert_int_eq(nn_dataset_limit(&d, 0, 7, &a, &err), NN_ERR_ARG);
    nn_dataset_free(&b);
    nn_dataset_free(&c);
    nn_dataset_free(&d);
}
END_TEST

Suite *test_data_subsets_suite(void) {
    Suite *s = suite_create("data_subsets");
    TCase *tc = tcase_create("data_subsets");
    tcase_add_test(tc, test_class_weights_balanced);
    tcase_add_test(tc, test_dataset_limit);
    suite_add_tcase(s, tc);
    return s;
}
