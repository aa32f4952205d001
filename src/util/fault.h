/* Fault points for the crash tests: in a build with RUNSCOPE_FAULT_POINTS (tests/runscope-faults),
 * FAULT_POINT("x") kills the process with SIGKILL when $RUNSCOPE_FAULT is "x", as a `kill -9` at
 * exactly that step would. In every other build they are nothing. */
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
/* FAULT_PAUSE("x") holds the process there: for a second when $RUNSCOPE_FAULT_PAUSE is "x", which
 * widens a window for whatever races it; stopped (SIGSTOP) when $RUNSCOPE_FAULT_STOP is "x", until
 * a test that has seen it stopped, and looked at it or acted meanwhile, sends SIGCONT. */
#include <unistd.h>
#define FAULT_PAUSE(name)                                                                                 \
        do {                                                                                              \
                const char *_p = getenv("RUNSCOPE_FAULT_PAUSE");                                          \
                const char *_s = getenv("RUNSCOPE_FAULT_STOP");                                           \
                if (_p && strcmp(_p, name) == 0)                                                          \
                        (void) usleep(1000 * 1000);                                                       \
                if (_s && strcmp(_s, name) == 0)                                                          \
                        (void) raise(SIGSTOP);                                                            \
        } while (0)
/* FAULT_SWAP("x") does, once, what a process racing runscope would do at that step, when
 * $RUNSCOPE_FAULT_SWAP is "x:DIR:TARGET": DIR is renamed to DIR.swapped and a symlink to TARGET
 * takes its place. */
#include <stdio.h>
#define FAULT_SWAP(name)                                                                                  \
        do {                                                                                              \
                const char *_s = getenv("RUNSCOPE_FAULT_SWAP");                                           \
                size_t _n = strlen(name);                                                                 \
                if (_s && strncmp(_s, name ":", _n + 1) == 0 && strchr(_s + _n + 1, ':')) {               \
                        char _dir[4096], _old[4200];                                                      \
                        snprintf(_dir, sizeof(_dir), "%.*s", (int) (strchr(_s + _n + 1, ':') - _s - _n - 1), \
                                 _s + _n + 1);                                                            \
                        snprintf(_old, sizeof(_old), "%s.swapped", _dir);                                 \
                        if (rename(_dir, _old) == 0)                                                      \
                                (void) symlink(strchr(_s + _n + 1, ':') + 1, _dir);                       \
                        (void) unsetenv("RUNSCOPE_FAULT_SWAP");                                           \
                }                                                                                         \
        } while (0)
/* FAULT_KILL_CHILD("x", pidfd) kills the child behind pidfd when $RUNSCOPE_FAULT is "x" and waits
 * until it has exited, unreaped: a launcher that PR_SET_PDEATHSIG ended, before anyone reaped it. */
#include <poll.h>
#include "util/missing.h"
#define FAULT_KILL_CHILD(name, pidfd)                                                                     \
        do {                                                                                              \
                const char *_k = getenv("RUNSCOPE_FAULT");                                                \
                if (_k && strcmp(_k, name) == 0 && pidfd_send_signal(pidfd, SIGKILL, NULL, 0) >= 0)       \
                        (void) poll(&(struct pollfd) { .fd = pidfd, .events = POLLIN }, 1, -1);           \
        } while (0)
/* FAULT_USEC("RUNSCOPE_FAULT_X_SEC", usec): usec, or as many seconds as $RUNSCOPE_FAULT_X_SEC says,
 * so that a test can make a wait of runscope's short, or long enough to look at what it holds. */
#define FAULT_USEC(env, usec) (getenv(env) ? strtoull(getenv(env), NULL, 10) * 1000000ULL : (usec))
/* FAULT_WRITABLE_MAP(env, fd, attempt): a writable shared mapping of the memfd fd while attempt is
 * below $env, as a reference to its pages that F_SEAL_WRITE meets as EBUSY; else MAP_FAILED. */
#include <sys/mman.h>
static inline void *fault_writable_map(const char *env, int fd, unsigned attempt) {
        const char *n = getenv(env);
        return n && attempt < strtoul(n, NULL, 10) ? mmap(NULL, 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
}
#define FAULT_WRITABLE_MAP(env, fd, attempt) fault_writable_map(env, fd, attempt)
#else
#define FAULT_WRITABLE_MAP(env, fd, attempt) MAP_FAILED
#define FAULT_USEC(env, usec) (usec)
#define FAULT_POINT(name) do {} while (0)
#define FAULT_PAUSE(name) do {} while (0)
#define FAULT_SWAP(name) do {} while (0)
#define FAULT_KILL_CHILD(name, pidfd) do {} while (0)
#endif
