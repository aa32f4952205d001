/* Telling an OOM kill in a container's memory cgroup, found from a pid of it (/proc/PID/cgroup):
 * on a v1 memory hierarchy memory.oom_control, on v2 memory.events. Return -errno, never log. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct CgroupOomWatch {
        int fd;          /* to poll for events: an eventfd (v1) or memory.events (v2); < 0 for none */
        short events;
        bool v1;
        int counter_fd;  /* memory.oom_control (v1) or memory.events (v2), read for oom_kill */
        bool oom;        /* the cgroup ran out of memory since the watch began */
        uint64_t signals; /* v1: what the eventfd counted so far (each OOM, and the cgroup's removal) */
        uint64_t kills_at_start, kills;
} CgroupOomWatch;
#define CGROUP_OOM_WATCH_NULL ((CgroupOomWatch) { .fd = -EBADF, .counter_fd = -EBADF })

/* The memory cgroup of pid, as "/machine.slice/x.scope", and whether it is on a v1 hierarchy. */
int cgroup_pid_memory_path(pid_t pid, char **ret, bool *ret_v1);
/* How many processes the OOM killer has killed in the memory cgroup of pid. */
int cgroup_pid_oom_kills(pid_t pid, uint64_t *ret);
/* Starts watching the memory cgroup of pid. On v1 the kernel signals an eventfd registered through
 * cgroup.event_control, a registration that sets nothing and ends with the fd. */
int cgroup_oom_watch_open(pid_t pid, CgroupOomWatch *ret);
/* Reads what woke poll; stops watching (fd < 0) once the cgroup is gone. */
void cgroup_oom_watch_handle(CgroupOomWatch *w);
/* After the cgroup's process exited: whether the OOM killer struck since the watch began. */
bool cgroup_oom_watch_struck(CgroupOomWatch *w);
void cgroup_oom_watch_done(CgroupOomWatch *w);
