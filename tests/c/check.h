/* What every C test file shares: pass/fail counters, CHECK with a printf-style message on
 * failure, S() for a string literal as the API's (ptr, len) pair, and the last error message.
 * Included by tests/c/test_*.c after omni.h; each test binary gets its own static copies. */
#ifndef OMNI_TEST_CHECK_H
#define OMNI_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int passed = 0, failed = 0;

#define CHECK(cond, ...)                                         \
    do {                                                         \
        if (cond) {                                              \
            passed++;                                            \
        } else {                                                 \
            failed++;                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fprintf(stderr, "\n");                               \
        }                                                        \
    } while (0)

#define S(lit) (const uint8_t *)(lit), strlen(lit)

/* The message of the last failed omni call on this thread, or "(none)". */
static inline const char *last_error(void) {
    const char *m = omni_last_error_message();
    return m ? m : "(none)";
}

#endif
