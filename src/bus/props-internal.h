/* Shared by src/bus/props*.c only. */
#pragma once

#include "bus.h"

#define INFINITY_U64 UINT64_MAX
#define props_error(r, path, fmt, ...) log_error_errno((r), "config.json: linux.resources.%s: " fmt, (path), ##__VA_ARGS__)

/* Appends (name, t value) and remembers it for read-back. */
int props_u64(PropsOut *m, PropsApplied *applied, const char *name, uint64_t v);
/* A CPU or NUMA node list ("0-3,5") as systemd's byte-array bitmask. */
int props_cpuset(PropsOut *m, const char *name, const char *list, const char *path);
int props_append_devices(PropsOut *m, const Spec *spec);
int props_append_unified(PropsOut *m, PropsApplied *applied, char **unified);
int props_append_annotations(PropsOut *m, char **annotations);
