/* Shared by the launcher's files only. Everything here runs in the cloned child, which must not
 * log (its stderr is the container's): failures are formatted with launch_error() and sent to the
 * parent once. */
#pragma once

#include "spec/spec.h"
#include "util/alloc.h"

/* Formats the launcher's one-line failure (with %m for err) and returns -abs(err). */
int launch_error(int err, const char *fmt, ...) _printf_(2, 3);
const char *launch_error_text(void);

/* Bind-mounts the rootfs onto itself, carries out spec->mounts inside it, and returns an O_PATH fd
 * of the rootfs. Destinations are resolved inside the rootfs and never follow a symlink out of it. */
int copyup_tree(int from_dir, int to_dir);
/* path opened inside the rootfs root_fd as the container would resolve it; -errno on failure. */
int open_in_root(int root_fd, const char *path, int flags);
/* dest opened O_PATH inside root_fd as open_in_root() does, its missing directories made there and,
 * with as_file, a missing last component made as an empty file; never outside the root. */
int open_in_root_mkdir(int root_fd, const char *dest, bool as_file);
/* path (relative, "sys/kernel/hostname") opened below a verified procfs root, never through a
 * symlink or another mount: -EXDEV when a mount covers it. */
int procfs_open(const char *path, int flags);
/* name ("oom_score_adj") of this process, opened the same way, through the pid that procfs gives it. */
int procfs_open_self(const char *name, int flags);
/* The launcher's uid and gid maps, written from outside while it waits for GO: as root directly;
 * unprivileged, the caller's own single id directly (setgroups denied), any other through
 * newuidmap/newgidmap. Logged. */
int write_id_maps(pid_t pid, const Spec *spec);
/* Whether the launcher runs in a user namespace other than the host's: the spec's, or runscope's own
 * (podman's rootless one, which podman's configuration shares). mknod and mounts of host-owned
 * kinds are refused there. */
bool launch_in_userns(const Spec *spec);
/* Whether setgroups(2) is denied in this process's user namespace (a gid map its unprivileged
 * creator wrote itself). */
bool launch_setgroups_denied(void);
/* name ("attr/exec") of this thread, opened the same way, through "thread-self". */
int procfs_open_thread_self(const char *name, int flags);
/* process.apparmorProfile and process.selinuxLabel (what spec_drop_labels() left) set for the next
 * execve of this thread (label.c). */
int label_set_exec(const SpecProcess *p);
/* label for the keys this thread creates (the session keyring), when not NULL. */
int label_set_keycreate(const char *label);
/* Whether a mount of type takes linux.mountLabel as its context= option. */
bool label_mount_takes_context(const char *type);
/* data with context="label" added, in buf; -E2BIG when it does not fit. */
int label_mount_data(const char *label, const char *data, char *buf, size_t size);
/* label set on the root of the mount at path (mqueue, whose superblock exists before the mount). */
int label_mount_root(const char *label, int root_fd, const char *path);
/* json_path names the spec's mappings in an error. */
int write_id_map(pid_t pid, const char *file, const SpecIdMapping *m, size_t n, const char *json_path);
/* Per mount, the detached tree runscope made of its source: of an idmap/ridmap mount (idmapped), and
 * of every bind mount in a user namespace (-EBADF for the others); NULL when there are none. */
int mount_trees(const Spec *spec, const char *bundle, int **ret_fds);
void mount_trees_close(int *fds, size_t n);
/* Whether m is a bind mount (type bind, or the bind or rbind option). */
bool mount_is_bind(const SpecMount *m);
/* A unified host's cgroup2 mount, prepared before the scope and mounted after pivot_root
 * (mount-cgroup.c): the destination's directory, by fd and by its own name. */
typedef struct CgroupLate {
        size_t index;        /* the spec mount's */
        const char *dest;
        unsigned long flags; /* the spec mount's */
        int fd;
        char name[256];
} CgroupLate;
/* Whether the spec's cgroup mount can wait until after pivot_root: a unified host, one cgroup
 * mount, a cgroup namespace and no user namespace, no hook that sees the mounts, --no-pivot not
 * asked, and nothing later in the spec (mounts, masked or read-only paths) on, over or under its
 * destination. */
bool mount_cgroup_can_wait(const Spec *spec, bool no_pivot);
/* before_cgroup runs before a cgroup hierarchy is mounted or bound (the launcher must be in its
 * unit by then); with late, the cgroup mount is only prepared there, and before_cgroup not called. */
int mount_setup_rootfs(const Spec *spec, const char *bundle, int state_dir_fd, const int *tree_fds, CgroupLate *late,
                       int (*before_cgroup)(const void *userdata), const void *userdata, int *ret_root_fd);
/* The cgroup2 prepared in late, mounted (once in the scope, its cgroup namespace made). */
int mount_cgroup_late(CgroupLate *late);
/* A hybrid or legacy host's /proc/self/cgroup kept, when the spec mounts the hierarchies: called
 * in the scope, before the container's cgroup namespace is made. */
int mount_cgroup_keep_own(const Spec *spec);
/* What puts the launcher in its scope before a hierarchy is mounted or bound (child.c's
 * enter_scope), with its argument. */
typedef struct ScopeWait {
        int (*enter)(const void *userdata);
        const void *userdata;
} ScopeWait;
/* A spec mount of type cgroup on target (an fd path): made now, in the scope scope->enter() puts
 * the launcher in (after what needs no scope), or prepared in late. */
int mount_cgroup(int root_fd, const char *target, unsigned long flags, const char *dest, size_t index, const Spec *spec,
                 const ScopeWait *scope, CgroupLate *late);
/* An O_PATH fd of a host node of d's type and major:minor (host-node.c): -ENOENT or -ENODEV if
 * the host has none. */
int host_node_open(const SpecDevice *d, int *ret_fd);
/* "/proc/self/fd/N": the path of an fd. */
void fd_path(int fd, char buf[static 64]);
/* A bind remount of path with its own flags plus add. */
int remount_with(const char *path, unsigned long add);
/* pivot_root into the prepared rootfs and drop the old root. */
int mount_pivot_root(int root_fd);
/* Whether /dev is not a bind mount of the spec's: then runscope makes the default devices and
 * /dev/console there. */
bool mount_dev_is_ours(const Spec *spec);
/* --no-pivot: MS_MOVE the rootfs over / and chroot into it. */
int mount_move_root(int root_fd);
/* After pivot_root and /dev/console: the spec's /dev made read-only when its mount says ro. */
int mount_dev_readonly(const Spec *spec);
/* After pivot_root: default /dev nodes and links, masked and read-only paths, read-only root,
 * rootfs propagation. */
int mount_finish(const Spec *spec);

/* rlimits, oomScoreAdj, umask, capabilities, user, cwd, command lookup, no_new_privs and seccomp, in
 * that order. *ret_command_failed is set when process.args[0] cannot be run. */
/* sync_fd carries the seccomp listener to runscope, when the filter has one. */
int process_setup(const SpecProcess *p, const SpecSeccomp *seccomp, int sync_fd, char *exe, size_t exe_size,
                  bool *ret_command_failed);
/* Opens a pty in the container's devpts, makes it the controlling terminal and stdio (and, with
 * console_dev, /dev/console), and returns its master, which goes to runscope. */
int terminal_setup(const SpecProcess *p, bool console_dev, int *ret_master);
/* Builds and loads linux.seccomp (nothing when NULL). */
/* *ret_notify_fd: the filter's listener with SCMP_ACT_NOTIFY rules, else -EBADF. */
int seccomp_apply(const SpecSeccomp *s, int *ret_notify_fd);
/* Execs exe; fds from 3 + keep_fds up are closed on exec. A failure is sent on sync_fd (if >= 0)
 * or written to stderr, and the process exits 127 or 126. */
_noreturn_ void process_exec(const SpecProcess *p, const char *exe, int keep_fds, int sync_fd);
