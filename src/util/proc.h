/* Facts about processes read from /proc. Return -errno, never log. */
#pragma once

#include <stdbool.h>

#include <stdint.h>
#include <sys/types.h>

/* Start time of pid in clock ticks since boot (field 22 of /proc/PID/stat) and its state letter. */
int proc_stat(pid_t pid, uint64_t *ret_start_time, char *ret_state);
/* A pidfd for pid, but only while pid is the same process as the one started at start_time
 * (no PID reuse race: the check is made after the pidfd pins the process). -ESRCH otherwise. */
/* Whether pid is still the process that started at start_time, neither a zombie nor exiting: what a
 * pidfd would say, without one. */
bool proc_alive(pid_t pid, uint64_t start_time);
int proc_pidfd_verified(pid_t pid, uint64_t start_time);
/* 1 if pid is in another namespace of type ns ("time", "net", …) than the caller, 0 if the same. */
int proc_ns_differs(pid_t pid, const char *ns);
