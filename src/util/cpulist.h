/* CPU and NUMA node lists ("0-3,5"), as cpuset and systemd write them. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CPULIST_MAX 1024

/* Sets bit n of mask (CPULIST_MAX / 8 bytes) for every n listed; *ret_used is the bytes in use.
 * -EINVAL for a malformed list, -ERANGE past CPULIST_MAX. */
int cpulist_parse(const char *list, uint8_t mask[static CPULIST_MAX / 8], size_t *ret_used);
/* sched_setaffinity(pid) to the CPUs listed: -EINVAL for a malformed list, else the kernel's -errno. */
int cpulist_set_affinity(pid_t pid, const char *list);
