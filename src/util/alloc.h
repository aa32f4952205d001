/* Ownership helpers: cleanup attributes and explicit hand-over (TAKE_PTR/TAKE_FD).
 * Header only; never allocates on its own and never aborts. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define TAKE_PTR(p)                                                                                       \
        ({                                                                                                \
                typeof(p) _p = (p);                                                                       \
                (p) = NULL;                                                                               \
                _p;                                                                                       \
        })

#define TAKE_FD(fd)                                                                                       \
        ({                                                                                                \
                int _fd = (fd);                                                                           \
                (fd) = -EBADF;                                                                            \
                _fd;                                                                                      \
        })

/* DEFINE_CLEANUP(Spec*, spec_free) yields spec_freep() for _cleanup_(spec_freep). The type cannot
 * be parenthesized in a declaration, hence the NOLINT. */
#define DEFINE_CLEANUP(type, func)                                                                        \
        static inline void func##p(type *p) { /* NOLINT(bugprone-macro-parentheses) */                    \
                if (*p)                                                                                   \
                        func(*p);                                                                         \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd) {
        *fd = safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}
