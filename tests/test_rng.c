/* test_rng.c — the PCG32 generator (nn/rng.c): the reference outputs of
 * O'Neill's pcg32, reproducibility, and the ranges and moments of the
 * uniform, normal and bounded draws. */
#include "testutil.h"

/* pcg32_srandom(42, 54) followed by six pcg32_random() calls gives these in
 * O'Neill's reference implementation (pcg32-demo); nn_rng_seed(s) is
 * pcg32_srandom(s ^ 0x853c49e6748fea9b, s), so seed the state by hand. */
START_TEST(test_rng_reference_outputs) {
    const uint32_t want[6] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                              0x83d2f293, 0xbfa4784b, 0xcbed606e};
    nn_rng r = {.state = 0, .inc = (54u << 1) | 1u};
    nn_rng_u32(&r);
    r.state += 42;
    nn_rng_u32(&r);
    for (int i = 0; i < 6; i++) ck_assert_uint_eq(nn_rng_u32(&r), want[i]);
}
END_TEST

START_TEST(test_rng_reproducible) {
    nn_rng a, b, c;
    nn_rng_seed(&a, 7);
    nn_rng_seed(&b, 7);
    nn_rng_seed(&c, 8);
    int same_as_other_seed = 0;
    for (int i = 0; i < 100; i++) {
        uint32_t x = nn_rng_u32(&a);
        ck_assert_uint_eq(x, nn_rng_u32(&b));
        same_as_other_seed += x == nn_rng_u32(&c);
    }
    ck_assert_int_lt(same_as_other_seed, 3);
}
END_TEST

/* 1e5 draws: uniform in [0, 1) with mean ½ and variance 1/12; standard
 * normal with mean 0 and variance 1 (tolerances ~5 standard errors). */
START_TEST(test_rng_moments) {
    enum { N = 100000 };
    nn_rng r;
    nn_rng_seed(&r, 3);
    double su = 0, su2 = 0, sn = 0, sn2 = 0;
    int bad = -1; /* the first bad draw: one assertion after the loop, not 2N */
    for (int i = 0; i < N; i++) {
        double u = nn_rng_uniform(&r), z = nn_rng_normal(&r);
        if (bad < 0 && !(u >= 0 && u < 1 && isfinite(z))) bad = i;
        su += u, su2 += u * u, sn += z, sn2 += z * z;
    }
    ck_assert_msg(bad < 0, "draw %d: a uniform outside [0, 1) or a non-finite normal", bad);
    ck_assert_close(su / N, 0.5, 0.005, 0);
    ck_assert_close(su2 / N - (su / N) * (su / N), 1.0 / 12, 0.002, 0);
    ck_assert_close(sn / N, 0, 0.016, 0);
    ck_assert_close(sn2 / N, 1, 0.025, 0);
}
END_TEST

/* Bounded draws stay in [0, n), hit every value about equally often, and
 * n = 0 (an empty range) neither divides by zero nor hangs. */
START_TEST(test_rng_below) {
    enum { N = 60000 };
    nn_rng r;
    nn_rng_seed(&r, 11);
    int count[4] = {0}; /* count[3]: draws out of range */
    for (int i = 0; i < N; i++) {
        uint32_t x = nn_rng_below(&r, 3);
        count[x < 3 ? x : 3]++;
    }
    ck_assert_int_eq(count[3], 0);
    for (int k = 0; k < 3; k++) ck_assert_close(count[k], N / 3.0, 600, 0);
    const uint32_t big = 0x80000001u; /* the worst case for rejection */
    for (int i = 0; i < 1000; i++) {
        ck_assert_uint_lt(nn_rng_below(&r, big), big);
        ck_assert_uint_eq(nn_rng_below(&r, 1), 0);
    }
    ck_assert_uint_eq(nn_rng_below(&r, 0), 0);
}
END_TEST

Suite *test_rng_suite(void) {
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("rng");
    tcase_add_test(tc, test_rng_reference_outputs);
    tcase_add_test(tc, test_rng_reproducible);
    tcase_add_test(tc, test_rng_moments);
    tcase_add_test(tc, test_rng_below);
    suite_add_tcase(s, tc);
    return s;
}
