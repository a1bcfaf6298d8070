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
#include <stb_image_write.h>
#include <sys/wait.h>

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
static char out[1 << 14];

/* `ulimit -v KB; timeout nn ARGS` in dir; output into out, the status back. */
static int limited(long kb, const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && (ulimit -v %ld && exec timeout -k 2 30 '%s' %s) 2>&1", dir,
             kb, NN_CLI_BIN, args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Trains or fails with "out of memory" (status 1), and says which. */
static int trains_or_out_of_memory(long kb, const char *args) {
    int st = limited(kb, args);
    ck_assert_msg(st != 124 && st != 137, "ulimit -v %ld: nn %s hung (killed by timeout)", kb, args);
    ck_assert_msg(st == 0 || (st == 1 && strstr(out, "out of memory")),
                  "ulimit -v %ld: nn %s: status %d: %s", kb, args, st, out);
    return st == 0;
}

START_TEST(test_address_limit_never_hangs) {
    if (UNDER_ASAN) return;
    tmp_dir(dir);
    char folder[600];
    for (int c = 0; c < 2; c++) {
        snprintf(folder, sizeof folder, "%s/imgs/%c", dir, 'a' + c);
        char root[600];
        snprintf(root, sizeof root, "%s/imgs", dir);
        mkdir(root, 0755);
        mkdir(folder, 0755);
        for (int i = 0; i < 4; i++) {
            unsigned char pix[16];
            for (int k = 0; k < 16; k++) pix[k] = (unsigned char)(c ? 200 - k - i : 20 + k + i);
            char file[700];
            snprintf(file, sizeof file, "%s/%d.png", folder, i);
            ck_assert(stbi_write_png(file, 4, 4, 1, pix, 4));
        }
    }
    static const char train[] = "train --data imgs --arch 16-8-2 --epochs 2 --quiet --save m.st";
    /* too little for OpenBLAS's buffer: refused at once (these hung) */
    ck_assert(!trains_or_out_of_memory(50000, train));
    ck_assert_msg_contains(out, "nn: out of memory: the address-space limit (ulimit -v 50000 KiB) "
                                "leaves");
    ck_assert(!trains_or_out_of_memory(100000, train));
    ck_assert(!trains_or_out_of_memory(150000, train));
    /* enough for OpenBLAS with one thread: it trains, and the model works */
    ck_assert_msg(trains_or_out_of_memory(300000, train), "%s", out);
    ck_assert_msg(trains_or_out_of_memory(300000, "eval m.st --data imgs"), "%s", out);
    ck_assert_msg(trains_or_out_of_memory(300000, "predict m.st imgs/a/0.png"), "%s", out);
    /* nn's own allocations beyond the limit: "out of memory", named */
    ck_assert(!trains_or_out_of_memory(300000, "train --data imgs --arch 16-3000000-2 --epochs 1 --quiet"));
    ck_assert_msg_contains(out, "nn train: out of memory allocating");
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
