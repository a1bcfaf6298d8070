/* test_cli_distill.c — the options of build/distill (examples/distill.c),
 * without running the study: the options it shares with nn train have nn
 * train's ranges, checks and messages; an unknown or bad option is one line
 * and exit status 2, before anything is read or written; --help is the
 * usage; a failed write to stdout is reported. The program is the one built
 * beside nn (NN_CLI_BIN's folder). */
#include <string.h>

#include "testutil.h"

static char dir[64];
#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* Runs `cd dir && distill ARGS 2>&1 REDIRECT`; returns its exit status. */
static int distill_to(const char *redirect, const char *args) {
    char bin[1024], cmd[4096];
    snprintf(bin, sizeof bin, "%s", NN_CLI_BIN);
    char *slash = strrchr(bin, '/');
    ck_assert_ptr_nonnull(slash);
    strcpy(slash + 1, "distill");
    snprintf(cmd, sizeof cmd, "cd '%s' && OPENBLAS_NUM_THREADS=1 '%s' %s 2>&1 %s", dir, bin, args, redirect);
    return cli_shell(cmd);
}
#define distill(args) distill_to("", args)

/* The output is exactly one line. */
static void assert_one_line(void) {
    const char *nl = strchr(cli_out, '\n');
    ck_assert_msg(nl && nl[1] == '\0', "not one line: %s", cli_out);
}

/* Bad values of the shared options give nn train's message, word for word,
 * after the program's name; distill exits 2 and creates no OUT_DIR. */
START_TEST(test_shared_options_are_nn_trains) {
    static const char *const bad[] = {
        "--epochs 0", "--epochs 2.5", "--batch 0", "--batch 70000", "--seed -1", "--lr 0",
        "--momentum 1", "--dropout 0.995", "--lr-schedule bogus", "--warmup -1", "--limit 0",
        "--limit-seed x", "--lr-min -1",
        "--epochs 5 --lr-schedule cosine --warmup 5",        /* cross-checks: train_extras.c */
        "--epochs 5 --lr-schedule step --lr-min 0.001",
        "--epochs 5 --lr-schedule onecycle --warmup 5",
        "--lr 0.01 --lr-schedule cosine --lr-min 0.1",
        "--epochs 5 --epochs 6",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        static char train_msg[sizeof cli_out];
        char args[256];
        snprintf(args, sizeof args, "train --data d.csv --arch 2-2 %s", bad[i]);
        ck_assert_int_eq(cli_nn("%s", args), 2);
        ck_assert_msg(strncmp(cli_out, "nn train: ", 10) == 0, "%s", cli_out);
        snprintf(train_msg, sizeof train_msg, "%s", cli_out + 10);
        snprintf(args, sizeof args, "out %s", bad[i]);
        ck_assert_int_eq(distill(args), 2);
        assert_one_line();
        ck_assert_msg(strncmp(cli_out, "distill: ", 9) == 0 && strcmp(cli_out + 9, train_msg) == 0,
                      "%s: distill says\n  %snn train says\n  %s", bad[i], cli_out, train_msg);
        ck_assert_msg(!cli_exists("out"), "%s: OUT_DIR created after an option error", bad[i]);
    }
}
END_TEST

/* distill's own options and its problems: one line naming the option, exit 2. */
START_TEST(test_own_option_errors) {
    static const struct { const char *args, *message; } cases[] = {
        {"--foo", "distill: unknown option '--foo' (see distill --help)\n"},
        {"--teacher-epochs=3 --bar=1", "distill: unknown option '--bar' (see distill --help)\n"},
        {"out extra", "distill: unexpected argument 'extra' (see distill --help)\n"},
        {"--seeds 0", "distill: --seeds: 0 is not in [1, 64]\n"},
        {"--jobs", "distill: --jobs needs a value (N)\n"},
        {"--regime c", "distill: --regime: 'c' is not one of a|b|both\n"},
        {"--from teacher", "distill: --from: 'teacher' is not one of plain|dropout|both\n"},
        {"--teacher-logits t.npy", "distill: --teacher-logits needs --teacher-test-logits TEST.npy too\n"},
        {"--teacher-logits t.npy --teacher-test-logits u.npy --from plain",
         "distill: --from is about the teachers distill trains; with --teacher-logits it trains none\n"},
        {"--regime a --lr 0.1", "distill: --lr is a setting of regime (b), and --regime a runs only (a)\n"},
        {"--from plain --dropout 0.5",
         "distill: --dropout is the dropout teacher's, and --from plain trains only the plain one\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_msg(distill(cases[i].args) == 2, "%s: %s", cases[i].args, cli_out);
        ck_assert_str_eq(cli_out, cases[i].message);
    }
    /* (b)'s default warm-up of 2 epochs is not checked against --regime a's
     * one epoch: the options pass, and the run stops at the output folder */
    ck_assert_int_eq(distill("/nonexistent/out --regime a --epochs 1"), 1);
    ck_assert_str_eq(cli_out, "distill: /nonexistent/out: cannot create the output folder: No such file or directory\n");
    ck_assert_int_eq(distill("/nonexistent/out --epochs 1"), 2); /* with (b), it is */
    ck_assert_msg(strncmp(cli_out, "distill: --warmup 2: ", 21) == 0, "%s", cli_out);
    assert_one_line();
}
END_TEST

/* --help: the usage and every option on stdout, status 0; a full stdout is
 * a write error, status 1. */
START_TEST(test_help_and_write_errors) {
    ck_assert_int_eq(distill("--help"), 0);
    ck_assert_msg(strncmp(cli_out, "usage: distill [OUT_DIR] [OPTIONS]", 34) == 0, "%s", cli_out);
    static const char *const names[] = {"--epochs N", "--limit N", "--limit-seed S", "--lr-schedule NAME",
                                        "--seeds N", "--from plain|dropout|both", "--jobs N"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(strstr(cli_out, names[i]), "--help does not list %s:\n%s", names[i], cli_out);
    ck_assert_int_eq(distill_to("> /dev/full", "--help"), 1);
    ck_assert_str_eq(cli_out, "distill: write error: No space left on device\n");
}
END_TEST

Suite *test_cli_distill_suite(void) {
    Suite *s = suite_create("cli_distill");
    TCase *tc = tcase_create("cli_distill");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_shared_options_are_nn_trains);
    tcase_add_test(tc, test_own_option_errors);
    tcase_add_test(tc, test_help_and_write_errors);
    suite_add_tcase(s, tc);
    return s;
}
