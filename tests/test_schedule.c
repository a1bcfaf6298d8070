/* test_schedule.c — learning-rate schedules (nn/schedule.c) against
 * torch.optim.lr_scheduler step by step (tests/golden/schedule_ref.py), the
 * defaults against torch's, the behaviour past the end, and the checks. */
#include <string.h>

#include "testutil.h"
#include "golden/schedule_ref.h"

START_TEST(test_schedule_matches_torch) {
    for (size_t c = 0; c < sizeof schedule_cases / sizeof *schedule_cases; c++) {
        const schedule_case *k = &schedule_cases[c];
        nn_error err;
        ck_assert_msg(nn_lr_schedule_check(&k->s, &err) == NN_OK, "%s: %s", k->name, err.msg);
        double lo = 1e300, hi = 0;
        for (long t = 0; t < k->s.total; t++) {
            double got = nn_lr_schedule_at(&k->s, t), want = k->rates[t];
            ck_assert_msg(close_enough(got, want, 1e-15, 1e-12), "%s, step %ld: %.17g, torch %.17g",
                          k->name, t, got, want);
            lo = got < lo ? got : lo;
            hi = got > hi ? got : hi;
        }
        if (k->s.kind != NN_LR_CONSTANT || k->s.warmup > 0) /* the case really varies the rate */
            ck_assert_msg(hi > 1.4 * lo, "%s: rates only in [%g, %g]", k->name, lo, hi);
    }
}
END_TEST

/* nn_lr_schedule_defaults gives torch's defaults: onecycle's case in the
 * table was generated with pct_start 0.3 and final_div_factor 1e4. */
START_TEST(test_schedule_defaults) {
    const schedule_case *k = NULL;
    for (size_t c = 0; c < sizeof schedule_cases / sizeof *schedule_cases; c++)
        if (!strcmp(schedule_cases[c].name, "onecycle_defaults")) k = &schedule_cases[c];
    ck_assert_ptr_nonnull(k);
    nn_lr_schedule d = nn_lr_schedule_defaults(NN_LR_ONECYCLE, k->s.lr, k->s.total);
    ck_assert_int_eq(d.warmup, k->s.warmup);
    ck_assert_double_eq_tol(d.lr_min, k->s.lr_min, 1e-20);
    d = nn_lr_schedule_defaults(NN_LR_STEP, 0.1, 30);
    ck_assert_int_eq(d.step_size, 10);
    ck_assert_double_eq(d.gamma, 0.1);
    ck_assert_int_eq(d.warmup, 0);
    d = nn_lr_schedule_defaults(NN_LR_COSINE, 0.1, 30);
    ck_assert_double_eq(d.lr_min, 0);
    nn_error err;
    for (int kind = NN_LR_CONSTANT; kind <= NN_LR_ONECYCLE; kind++) {
        d = nn_lr_schedule_defaults((nn_lr_schedule_kind)kind, 0.1, 30);
        ck_assert_msg(nn_lr_schedule_check(&d, &err) == NN_OK, "%s: %s", nn_lr_schedule_name(kind), err.msg);
        ck_assert_int_eq(nn_lr_schedule_parse(nn_lr_schedule_name(kind)), kind);
    }
    ck_assert_int_eq(nn_lr_schedule_parse("linear"), -1);
    ck_assert_ptr_null(nn_lr_schedule_name((nn_lr_schedule_kind)7));
}
END_TEST

/* Past `total` cosine and onecycle stay at lr_min (torch would rise again,
 * or raise). */
START_TEST(test_schedule_after_the_end) {
    nn_lr_schedule c = nn_lr_schedule_defaults(NN_LR_COSINE, 0.1, 10);
    c.lr_min = 0.002;
    nn_lr_schedule o = nn_lr_schedule_defaults(NN_LR_ONECYCLE, 0.1, 10);
    for (long t = 10; t < 40; t++) {
        ck_assert_double_eq(nn_lr_schedule_at(&c, t), 0.002);
        ck_assert_double_eq(nn_lr_schedule_at(&o, t), o.lr_min);
    }
    ck_assert_double_eq(nn_lr_schedule_at(&o, 9), o.lr_min); /* the last step */
    ck_assert(nn_lr_schedule_at(&c, 9) > 0.002);
}
END_TEST

START_TEST(test_schedule_check) {
    struct {
        nn_lr_schedule s;
        const char *msg;
    } bad[] = {
        {{NN_LR_CONSTANT, 0, 0, 0, 10, 1, 0.1}, "lr must be positive"},
        {{NN_LR_CONSTANT, NAN, 0, 0, 10, 1, 0.1}, "lr must be positive"},
        {{NN_LR_CONSTANT, 0.1, 0, -1, 10, 1, 0.1}, "warmup must be >= 0"},
        {{NN_LR_STEP, 0.1, 0, 0, 10, 0, 0.1}, "step_size must be >= 1"},
        {{NN_LR_STEP, 0.1, 0, 0, 10, 2, 1.5}, "gamma must be in (0, 1]"},
        {{NN_LR_COSINE, 0.1, 0.2, 0, 10, 1, 0.1}, "lr_min must be in [0, 0.1]"},
        {{NN_LR_COSINE, 0.1, 0, 10, 10, 1, 0.1}, "leave none after 10 of warm-up"},
        {{NN_LR_ONECYCLE, 0.1, 0, 3, 10, 1, 0.1}, "lr_min must be in (0, 0.1]"},
        {{NN_LR_ONECYCLE, 0.1, 1e-4, 0, 10, 1, 0.1}, "rising phase"},
        {{NN_LR_ONECYCLE, 0.1, 1e-4, 9, 10, 1, 0.1}, "need >= 11"},
        {{(nn_lr_schedule_kind)9, 0.1, 0, 0, 10, 1, 0.1}, "unknown kind"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        nn_error err = {0};
        ck_assert_int_eq(nn_lr_schedule_check(&bad[i].s, &err), NN_ERR_ARG);
        ck_assert_msg(strstr(err.msg, bad[i].msg), "case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
    }
}
END_TEST

Suite *test_schedule_suite(void) {
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("schedule");
    tcase_add_test(tc, test_schedule_matches_torch);
    tcase_add_test(tc, test_schedule_defaults);
    tcase_add_test(tc, test_schedule_after_the_end);
    tcase_add_test(tc, test_schedule_check);
    suite_add_tcase(s, tc);
    return s;
}
