/* Entry point of the cloned launcher. */
#pragma once

#include "spec/spec.h"
#include "util/alloc.h"

typedef struct NamespaceJoin {
        int fd;
        int flag; /* CLONE_NEW* */
        const char *path;
} NamespaceJoin;

typedef struct ChildArgs {
        const char *id;
        const Spec *spec;
        const char *bundle;
        int sync_fd;
        int state_dir_fd;
        int keep_fds;
        bool no_pivot, no_new_keyring;
        NamespaceJoin join[_NAMESPACE_MAX]; /* namespaces given by path, the pid one excepted */
        size_t n_join;
        bool join_cgroup;
        int unshare_flags; /* CLONE_NEW{IPC,NET,NS,UTS}: the new namespaces the launcher makes itself */
        bool no_pdeathsig;
        bool dumpable_until_go; /* rootless: runscope opens the maps through /proc/PID (see child.c) */
        const int *tree_fds; /* per mount: a detached tree runscope made of its source (mount_trees), or NULL */ /* cloned by an intermediate that exits at once (a user namespace joined by path) */
} ChildArgs;

_noreturn_ void child_main(const ChildArgs *a);
