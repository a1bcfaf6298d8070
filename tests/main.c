/* main.c — runs every Check suite in tests/.
 *
 * Suites register themselves by convention: tests/test_NAME.c defines
 * `Suite *test_NAME_suite(void)`, and the Makefile generates suites.inc with
 * one SUITE(test_NAME) line per file, so adding a file is enough.
 */
#include <check.h>
#include <stdlib.h>

#define SUITE(name) Suite *name##_suite(void);
#include "suites.inc"
#undef SUITE

int main(void) {
    SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, name##_suite());
#include "suites.inc"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
