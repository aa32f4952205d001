/* CLOCK_MONOTONIC in microseconds, for deadlines and timeouts. Header only; never fails (the
 * clock exists on every kernel runscope runs on). */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}
