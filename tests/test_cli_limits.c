/* test_cli_limits.c — under `ulimit -v` a run either works or fails with
 * "out of memory"; it never hangs.
 *
 * OpenBLAS maps a 128 MiB work buffer per thread and retries a failed
 * mapping for ever (see cli/blas_limits.c): before the fix, `nn train`
 * under ulimit -v 100000 spun at full CPU until killed, and under 50000
 * OpenBLAS's constructor killed it with SIGINT. Each run here is bounded
 * by timeout(1); a status of 124 or 137 is the hang. Skipped under ASan,
 * which needs far more address space than any limit tested.
 */
#include "testutil.h"
#include "tmpfiles.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static char dir[64];

#include "cli_run.h" /* cli_shell: a command's output into cli_out; cli_images */

/* `ulimit -v KB; timeout nn ARGS` in dir (OpenBLAS's thread count left to
 * nn); output into cli_out, the status back. */
static int limited(long kb, const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && (ulimit -v %ld && exec timeout -k 2 30 '%s' %s) 2>&1", dir,
             kb, NN_CLI_BIN, args);
    return cli_shell(cmd);
}

/* Trains or fails with "out of memory" (status 1), and says which. */
static int trains_or_out_of_memory(long kb, const char *args) {
    int st = limited(kb, args);
    ck_assert_msg(st != 124 && st != 137, "ulimit -v %ld: nn %s hung (killed by timeout)", kb, args);
    ck_assert_msg(st == 0 || (st == 1 && strstr(cli_out, "out of memory")),
                  "ulimit -v %ld: nn %s: status %d: %s", kb, args, st, cli_out);
    return st == 0;
}

START_TEST(test_address_limit_never_hangs) {
    if (UNDER_ASAN) return;
    tmp_dir(dir);
    cli_images("imgs", "a", 4, 4, 4, 0);
    cli_images("imgs", "b", 4, 4, 4, 1);
    static const char train[] = "train --data imgs --arch 16-8-2 --epochs 2 --quiet --save m.st";
    /* too little for OpenBLAS's buffer: refused at once (these hung) */
    ck_assert(!trains_or_out_of_memory(50000, train));
    ck_assert_msg_contains(cli_out, "nn: out of memory: the address-space limit (ulimit -v 50000 KiB) "
                                "leaves");
    ck_assert(!trains_or_out_of_memory(100000, train));
    ck_assert(!trains_or_out_of_memory(150000, train));
    /* enough for OpenBLAS with one thread: it trains, and the model works */
    ck_assert_msg(trains_or_out_of_memory(300000, train), "%s", cli_out);
    ck_assert_msg(trains_or_out_of_memory(300000, "eval m.st --data imgs"), "%s", cli_out);
    ck_assert_msg(trains_or_out_of_memory(300000, "predict m.st imgs/a/0.png"), "%s", cli_out);
    /* nn's own allocations beyond the limit: "out of memory", named */
    ck_assert(!trains_or_out_of_memory(300000, "train --data imgs --arch 16-3000000-2 --epochs 1 --quiet"));
    ck_assert_msg_contains(cli_out, "nn train: out of memory allocating");
    /* every limit in between: one outcome or the other, never a hang */
    for (long kb = 130000; kb <= 370000; kb += 120000) trains_or_out_of_memory(kb, train);
    tmp_remove(dir);
}
END_TEST

Suite *test_cli_limits_suite(void) {
    Suite *s = suite_create("cli_limits");
    TCase *tc = tcase_create("address space");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_address_limit_never_hangs);
    suite_add_tcase(s, tc);
    return s;
}
