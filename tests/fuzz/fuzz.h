/* Shared by the libFuzzer targets of tests/fuzz/: the input as a C string, and logging that goes
 * nowhere at debug level (so the debug-only paths are fuzzed too, without flooding the output).
 * A target that needs more set-up defines FUZZ_OWN_INIT and calls fuzz_quiet_logging() itself. */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A NUL byte inside the input ends the string early, as it would on a command line or in argv. */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}

static inline void fuzz_quiet_logging(void) {
        if (log_open("/dev/null", LOG_FORMAT_TEXT) < 0)
                abort();
        log_set_max_level(LOG_LEVEL_DEBUG);
}

#ifndef FUZZ_OWN_INIT
int LLVMFuzzerInitialize(int *argc, char ***argv) {
        fuzz_quiet_logging();
        return 0;
}
#endif
