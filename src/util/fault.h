/* Fault points for the crash tests: in a build with RUNSCOPE_FAULT_POINTS (tests/runscope-faults),
 * FAULT_POINT("x") kills the process with SIGKILL when $RUNSCOPE_FAULT is "x", as a `kill -9` at
 * exactly that step would. In every other build it is nothing. */
#pragma once

#ifdef RUNSCOPE_FAULT_POINTS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#define FAULT_POINT(name)                                                                                 \
        do {                                                                                              \
                const char *_f = getenv("RUNSCOPE_FAULT");                                                \
                if (_f && strcmp(_f, name) == 0)                                                          \
                        (void) raise(SIGKILL);                                                            \
        } while (0)
#else
#define FAULT_POINT(name) do {} while (0)
#endif
