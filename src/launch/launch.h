/* The launcher: a child cloned into the container's namespaces that waits for its scope, sets up
 * the container in the kernel's order and execs the process once `start` opens the exec fifo. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "spec/spec.h"
#include "util/alloc.h"

#define LAUNCH_EXEC_FIFO "exec.fifo"

typedef struct Launcher {
        pid_t pid;
        int pidfd;
        int sync_fd;
        int command_error; /* -ENOENT or -EACCES when process.args[0] cannot be run */
        int console_fd;    /* the pty master, with process.terminal */
        int seccomp_fd;    /* the seccomp filter's listener, with SCMP_ACT_NOTIFY rules */
        /* Set by the caller when the filter has a listener: it goes to the agent the moment it
         * comes, for the launcher may make a notified syscall before it is done. */
        const SpecSeccomp *listener_spec;
        const char *listener_state; /* the container's state JSON for the agent */
} Launcher;

#define LAUNCHER_NULL { .pid = 0, .pidfd = -EBADF, .sync_fd = -EBADF, .console_fd = -EBADF, .seccomp_fd = -EBADF }

void launcher_done(Launcher *l);

/* Clones the launcher with the spec's namespaces; it blocks until launch_release(). state_dir_fd is
 * where exec.fifo lives; bundle resolves a relative root.path and bind sources. */
typedef struct LaunchParams {
        const char *id;
        const Spec *spec;
        const char *bundle;
        int state_dir_fd;
        int keep_fds;       /* --preserve-fds: fds 3 … 3+keep_fds-1 go to the container */
        bool no_pivot;      /* --no-pivot: MS_MOVE and chroot instead of pivot_root (initramfs) */
        bool no_new_keyring; /* --no-new-keyring: keep the caller's session keyring */
} LaunchParams;

int launch_clone(const LaunchParams *p, Launcher *ret);
/* Lets the launcher set up the container (it is in its scope now) and waits until it is blocked on
 * the exec fifo. When its mounts are done and the spec has prestart or createRuntime hooks,
 * hooks(l, userdata) runs them (an error kills the launcher). A failure in the launcher is logged here as one line; -ENOENT and -EACCES mean the
 * command is missing or not executable. The launcher is dead when this fails. */
typedef int (*LaunchHooksFunc)(const Launcher *l, void *userdata);
/* Lets the launcher set up what does not need its unit while systemd starts it. */
int launch_go(Launcher *l);
/* process.execCPUAffinity.initial and process.rlimits set on the launcher from runscope, before it
 * joins its unit and before GO. Kills the launcher and logs on failure. */
int launch_set_from_outside(Launcher *l, const SpecProcess *p);
/* linux.netDevices moved from runscope's network namespace into that of the launcher pid, renamed,
 * with their addresses, and set up (netdev.c). Logs its error. */
int launch_move_net_devices(const Spec *spec, pid_t pid);
/* The launcher is in its unit: it finishes setting up at once, while the caller goes on. */
int launch_scope(Launcher *l);
/* Waits until the launcher has set up, after launch_scope(); hooks run as it reaches them. */
int launch_release(Launcher *l, LaunchHooksFunc hooks, void *userdata);
/* The launcher's next message on l->sync_fd; a pty master or seccomp listener is kept in l. */
typedef struct SyncMessage SyncMessage;
int launch_recv(Launcher *l, SyncMessage *m);
/* Sends l->seccomp_fd (if any, then closed) with the container process state to the spec's
 * listenerPath; state_json is the container's state as hooks get it. */
int launch_send_listener(const SpecSeccomp *s, Launcher *l, const char *state_json);
/* Opens the exec fifo and lets the process exec (the `start` half); fails if the init, watched
 * through init_pidfd, dies first. */
int launch_start(int state_dir_fd, const char *id, int init_pidfd);
/* Blocks the signals launch_wait() forwards; call before launch_start(), so none is lost. */
int launch_block_signals(void);
/* What launch_wait() does for its caller besides waiting; every member is optional.
 * - release(userdata), once, should the container run for release_after_usec;
 * - watch_fd(userdata, i, &events), asked every round for i < LAUNCH_WATCH_FDS: an fd to poll for
 *   events (< 0: none), and watch_ready(userdata, i) when poll reports them;
 * - exited(userdata), once the container has exited and before it is reaped. */
#define LAUNCH_WATCH_FDS 2
typedef struct LaunchWatch {
        uint64_t release_after_usec;
        void (*release)(void *userdata);
        int (*watch_fd)(void *userdata, size_t i, short *ret_events);
        void (*watch_ready)(void *userdata, size_t i);
        void (*exited)(void *userdata);
        void *userdata;
} LaunchWatch;
/* Waits for the launcher, forwarding the signals runscope receives to it (and, if notify_fd is a
 * relay socket, its sd_notify messages to systemd), and returns its exit status the shell way: n,
 * or 128+signal. watch may be NULL. */
int launch_wait(Launcher *l, int notify_fd, const LaunchWatch *watch);
/* Forks the exec launcher for a running container; it waits until launch_exec_release(), so the
 * caller can first move it into the container's unit. ns_flags are the CLONE_NEW* to join through
 * init_pidfd; fds 3 … 3+keep_fds-1 are passed on to the process. With cgroup_fd (the unit's cgroup
 * directory, or -EBADF), the launcher is born there when the kernel can (1 is returned), else
 * where runscope is (0: the caller moves it). */
int launch_exec_fork(const SpecProcess *p, const SpecSeccomp *seccomp, unsigned long ns_flags, int init_pidfd, int keep_fds,
                     int cgroup_fd, Launcher *ret);
/* Lets it join the namespaces and fork the process, and returns that process once it has exec'd
 * (ret_process->command_error tells a missing or non-executable command). */
int launch_exec_release(Launcher *l, Launcher *ret_process);
/* SIGKILL through the pidfd and reap. */
void launch_kill(Launcher *l);
/* Whether m is a bind mount (type bind, or the bind or rbind option). */
bool launch_mount_is_bind(const SpecMount *m);
/* dest resolved inside rootfs as the container would see it (symlinks kept in the root), as a path
 * from the container's root ("/data"); dest itself when it does not exist. For CRIU, whose names
 * for external mounts are their mount points (restore.c). */
int launch_resolve_in_rootfs(const char *rootfs, const char *dest, char **ret);
/* Makes the mount points of spec's mounts in rootfs, as create would, for CRIU to mount on (runc's
 * prepareCriuRestoreMounts): not for cgroup mounts, nor under a tmpfs, which CRIU restores whole. */
int launch_make_mount_points(const Spec *spec, const char *bundle, const char *rootfs);
