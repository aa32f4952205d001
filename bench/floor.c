/* The floor of `runscope run` for bench/run.sh: one StartTransientUnit answered with its process in
 * the scope, plus the bundle's namespaces, and nothing else (no bundle read, no state, no rootfs, no
 * stop: the scope goes when its process exits). A measuring tool built by bench/run.sh; never part
 * of runscope, and never run on anything but a throw-away command.
 *
 * Usage: floor NSFLAGS [SLICE] -- CMD...   NSFLAGS as unshare's letters: p n i u m C (U T refused) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

static const char *job_path;
static const char *job_result;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) >= 0 && job_path &&
            strcmp(path, job_path) == 0)
                job_result = strdup(result);
        return 0;
}

static int parse_flags(const char *s, int *ret) {
        int f = 0;
        for (; *s; s++)
                switch (*s) {
                case 'p': f |= CLONE_NEWPID; break;
                case 'n': f |= CLONE_NEWNET; break;
                case 'i': f |= CLONE_NEWIPC; break;
                case 'u': f |= CLONE_NEWUTS; break;
                case 'm': f |= CLONE_NEWNS; break;
                case 'C': f |= CLONE_NEWCGROUP; break;
                default: return -EINVAL;
                }
        *ret = f;
        return 0;
}

/* The child: waits until it is in its scope, then the cgroup namespace (rooted there), /proc of its
 * pid namespace as unshare --mount-proc makes it, and the command. */
static int child(int gate, int flags, char **argv) {
        char c;
        if (read(gate, &c, 1) != 1)
                _exit(125);
        if ((flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                _exit(125);
        if (flags & CLONE_NEWNS) {
                if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        _exit(125);
                if ((flags & CLONE_NEWPID) && mount("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
                        _exit(125);
        }
        execvp(argv[0], argv);
        _exit(127);
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *slice = "system.slice", *path;
        int flags, gate[2], status, r, i = 2;
        char unit[64];

        if (argc < 4 || parse_flags(argv[1], &flags) < 0) {
                fprintf(stderr, "usage: floor NSFLAGS [SLICE] -- CMD...\n");
                return 2;
        }
        if (strcmp(argv[i], "--") != 0)
                slice = argv[i++];
        if (strcmp(argv[i++], "--") != 0 || i >= argc)
                return 2;
        /* As systemd-run does as root: systemd's private socket, no dbus-daemon. */
        if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, "unix:path=/run/systemd/private") < 0 ||
            sd_bus_start(bus) < 0) {
                fprintf(stderr, "floor: cannot connect to systemd\n");
                return 1;
        }
        if (pipe2(gate, O_CLOEXEC) < 0)
                return 1;
        pid_t pid = (pid_t) syscall(SYS_clone, (unsigned long) ((flags & ~CLONE_NEWCGROUP) | SIGCHLD), NULL, NULL, NULL,
                                    NULL);
        if (pid < 0)
                return 1;
        if (pid == 0) {
                close(gate[1]);
                return child(gate[0], flags, argv + i);
        }
        close(gate[0]);
        snprintf(unit, sizeof(unit), "floor-%d.scope", (int) pid);
        r = sd_bus_match_signal(bus, NULL, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                "JobRemoved", on_job_removed, NULL);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                   "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(m, "ssa(sv)a(sa(sv))", unit, "fail", 4, "Slice", "s", slice, "Delegate", "b", 1,
                                          "CollectMode", "s", "inactive-or-failed", "PIDs", "au", 1, (uint32_t) pid, 0);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r < 0) {
                fprintf(stderr, "floor: StartTransientUnit: %s\n", error.message ?: strerror(-r));
                kill(pid, SIGKILL);
                return 1;
        }
        job_path = path;
        while (!job_result) {
                r = sd_bus_process(bus, NULL);
                if (r == 0)
                        r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0)
                        return 1;
        }
        if (strcmp(job_result, "done") != 0) {
                fprintf(stderr, "floor: job %s\n", job_result);
                kill(pid, SIGKILL);
                return 1;
        }
        if (write(gate[1], "x", 1) != 1)
                return 1;
        if (waitpid(pid, &status, 0) < 0)
                return 1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
