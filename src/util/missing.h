/* Kernel interfaces that glibc 2.36 does not wrap yet. Detected by configure (AC_CHECK_DECLS),
 * never by kernel version. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#if __has_include(<sys/pidfd.h>)
#include <sys/pidfd.h>
#endif

#include "config.h"

/* A flag, not a function: glibc 2.36's <sys/mount.h> has move_mount but not this (Linux 6.5). */
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif

#if !HAVE_DECL_PIDFD_OPEN
static inline int pidfd_open(pid_t pid, unsigned flags) {
        return (int) syscall(SYS_pidfd_open, pid, flags);
}
#endif

#if !HAVE_DECL_PIDFD_SEND_SIGNAL
static inline int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags) {
        return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}
#endif

#if !HAVE_DECL_CLOSE_RANGE
static inline int close_range(unsigned first, unsigned last, int flags) {
        return (int) syscall(SYS_close_range, first, last, flags);
}
#endif

static inline int openat2_call(int dir_fd, const char *path, struct open_how *how) {
        return (int) syscall(SYS_openat2, dir_fd, path, how, sizeof(*how));
}

#if !HAVE_DECL_PIVOT_ROOT
static inline int pivot_root(const char *new_root, const char *put_old) {
        return (int) syscall(SYS_pivot_root, new_root, put_old);
}
#endif

/* clone3(2) arguments, version 0 (64 bytes), as the kernel ABI defines them. */
struct clone_args_v0 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

#ifndef CLONE_PARENT
#define CLONE_PARENT 0x00008000
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

static inline pid_t clone3_fork(uint64_t flags, int *ret_pidfd) {
        struct clone_args_v0 args = {
                .flags = flags | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) ret_pidfd,
                /* CLONE_PARENT takes the caller's own exit signal; clone3 refuses any other. */
                .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
        };
        pid_t pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0 || errno != ENOSYS)
                return pid;
        /* No clone3: container seccomp profiles (docker's, podman's) answer it ENOSYS so that libcs
         * fall back to clone, and valgrind does not know it. clone(2) has every flag used here,
         * CLONE_PIDFD included (Linux 5.2), which writes the pidfd through the parent_tid slot. */
#if defined(__s390x__) || defined(__s390__)
        return (pid_t) syscall(SYS_clone, 0, (unsigned long) (args.flags | args.exit_signal), ret_pidfd, NULL, 0);
#else
        return (pid_t) syscall(SYS_clone, (unsigned long) (args.flags | args.exit_signal), 0, ret_pidfd, NULL, 0);
#endif
}

/* clone3(2) arguments, version 2 (88 bytes, Linux 5.7): version 0's, then set_tid and the cgroup. */
struct clone_args_v2 {
        struct clone_args_v0 v0;
        uint64_t set_tid, set_tid_size, cgroup;
};

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* A child (SIGCHLD, a pidfd) born in the cgroup whose directory cgroup_fd is (O_PATH will do), never
 * in the caller's. No fallback: a kernel before 5.7 fails it (E2BIG), a filter that refuses clone3
 * too (ENOSYS), and clone(2) has no such flag; the caller chooses another way. */
static inline pid_t clone3_fork_into_cgroup(int cgroup_fd, int *ret_pidfd) {
        struct clone_args_v2 args = {
                .v0 = { .flags = CLONE_PIDFD | CLONE_INTO_CGROUP, .pidfd = (uint64_t) (uintptr_t) ret_pidfd,
                        .exit_signal = SIGCHLD },
                .cgroup = (uint64_t) cgroup_fd,
        };
        return (pid_t) syscall(SYS_clone3, &args, sizeof(args));
}
