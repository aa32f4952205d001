/* A small TAP producer for unit tests: TEST_MAIN(f, g, …) runs each function as one test;
 * ASSERT_* print both sides and fail the test; TAP_SKIP ends one test as skipped; exit 77 skips
 * the whole program. */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_failed;
static const char *tap_skip_reason;

#define TAP_FAIL(fmt, ...)                                                                                \
        do {                                                                                              \
                printf("#   %s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);                          \
                tap_failed = 1;                                                                           \
                return;                                                                                   \
        } while (0)

/* Ends the test as skipped, for what cannot run here (said in reason). */
#define TAP_SKIP(reason)                                                                                  \
        do {                                                                                              \
                tap_skip_reason = (reason);                                                               \
                return;                                                                                   \
        } while (0)

#define ASSERT_EQ(a, b)                                                                                   \
        do {                                                                                              \
                intmax_t _a = (intmax_t) (a), _b = (intmax_t) (b);                                        \
                if (_a != _b)                                                                             \
                        TAP_FAIL("%s == %s: %jd != %jd", #a, #b, _a, _b);                                 \
        } while (0)
#define ASSERT_TRUE(a)                                                                                    \
        do {                                                                                              \
                if (!(a))                                                                                 \
                        TAP_FAIL("%s is false", #a);                                                      \
        } while (0)
#define ASSERT_NULL(a)                                                                                    \
        do {                                                                                              \
                if ((a) != NULL)                                                                          \
                        TAP_FAIL("%s is not NULL", #a);                                                   \
        } while (0)
#define ASSERT_STREQ(a, b)                                                                                \
        do {                                                                                              \
                const char *_a = (a), *_b = (b);                                                          \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                                    \
                        TAP_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); \
        } while (0)

typedef void (*TapTest)(void);

static inline int tap_run(const char *names, TapTest *tests, size_t n) {
        char buf[4096], *save = NULL, *name;
        int failures = 0;

        (void) snprintf(buf, sizeof(buf), "%s", names);
        printf("1..%zu\n", n);
        name = strtok_r(buf, ", ", &save);
        for (size_t i = 0; i < n; i++) {
                tap_failed = 0;
                tap_skip_reason = NULL;
                tests[i]();
                printf("%s %zu - %s%s%s\n", tap_failed ? "not ok" : "ok", i + 1, name ? name : "?",
                       tap_skip_reason ? " # SKIP " : "", tap_skip_reason ?: "");
                failures += tap_failed;
                name = strtok_r(NULL, ", ", &save);
        }
        return failures ? 1 : 0;
}

#define TEST_MAIN(...)                                                                                    \
        int main(void) {                                                                                  \
                TapTest tests[] = { __VA_ARGS__ };                                                        \
                return tap_run(#__VA_ARGS__, tests, sizeof(tests) / sizeof(tests[0]));                    \
        }
