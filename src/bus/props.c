/* OCI linux.resources as systemd unit properties (DESIGN.md, "OCI resources to unit properties").
 * Never widens a limit: what systemd cannot express exactly is an error naming the JSON path. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "util/log.h"

#define INFINITY_U64 UINT64_MAX
#define props_error(r, path, fmt, ...) log_error_errno((r), "config.json: linux.resources.%s: " fmt, (path), ##__VA_ARGS__)

uint64_t props_cpu_shares_to_weight(uint64_t shares) {
        if (shares <= 2)
                return 1;
        if (shares >= 262144)
                return 10000;
        /* A quadratic in log2(shares) through (2, 1), (1024, 100) and (262144, 10000). */
        double l = log2((double) shares);
        double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
        return (uint64_t) ceil(pow(10.0, exponent));
}

uint64_t props_cpu_quota_per_sec_usec(int64_t quota, uint64_t period) {
        if (quota < 0)
                return INFINITY_U64;
        if (period == 0)
                period = 100000;
        uint64_t usec = (uint64_t) quota * 1000000 / period;
        /* systemd keeps the quota in 1% steps (10 ms a second); round up so it is not tighter. */
        if (usec % 10000 != 0)
                usec = (usec / 10000 + 1) * 10000;
        return usec;
}

static int append_u64(sd_bus_message *m, const char *name, uint64_t v) {
        int r = sd_bus_message_append(m, "(sv)", name, "t", v);
        if (r < 0)
                return log_error_errno(r, "Failed to add property %s: %m", name);
        return 0;
}

static int append_memory(sd_bus_message *m, const SpecResources *res) {
        int r;

        if (res->has_memory_limit) {
                if (res->memory_limit < -1 || res->memory_limit == 0)
                        return props_error(EINVAL, "memory.limit", "%lld is not a limit (bytes, or -1 for none)",
                                           (long long) res->memory_limit);
                r = append_u64(m, "MemoryMax", res->memory_limit == -1 ? INFINITY_U64 : (uint64_t) res->memory_limit);
                if (r < 0)
                        return r;
        }
        if (res->has_memory_reservation) {
                if (res->memory_reservation < -1)
                        return props_error(EINVAL, "memory.reservation", "must be -1 or more");
                r = append_u64(m, "MemoryLow",
                               res->memory_reservation == -1 ? INFINITY_U64 : (uint64_t) res->memory_reservation);
                if (r < 0)
                        return r;
        }
        if (res->has_memory_swap) {
                uint64_t swap;
                if (res->memory_swap == -1)
                        swap = INFINITY_U64;
                else if (!res->has_memory_limit || res->memory_limit == -1)
                        return props_error(EINVAL, "memory.swap", "needs memory.limit (OCI counts memory plus swap)");
                else if (res->memory_swap < res->memory_limit)
                        return props_error(EINVAL, "memory.swap", "%lld is below memory.limit %lld",
                                           (long long) res->memory_swap, (long long) res->memory_limit);
                else
                        swap = (uint64_t) (res->memory_swap - res->memory_limit);
                r = append_u64(m, "MemorySwapMax", swap);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int append_cpu_pids(sd_bus_message *m, const SpecResources *res) {
        int r;

        if (res->has_cpu_shares && res->cpu_shares > 0) {
                r = append_u64(m, "CPUWeight", props_cpu_shares_to_weight(res->cpu_shares));
                if (r < 0)
                        return r;
        }
        if (res->has_cpu_period && (res->cpu_period < 1000 || res->cpu_period > 1000000))
                return props_error(EINVAL, "cpu.period", "must be between 1000 and 1000000 µs");
        if (res->has_cpu_quota && res->cpu_quota != 0) {
                if (res->cpu_quota < -1)
                        return props_error(EINVAL, "cpu.quota", "must be -1 or positive");
                r = append_u64(m, "CPUQuotaPerSecUSec",
                               props_cpu_quota_per_sec_usec(res->cpu_quota, res->has_cpu_period ? res->cpu_period : 0));
                if (r < 0)
                        return r;
        }
        if (res->has_cpu_period) {
                r = append_u64(m, "CPUQuotaPeriodUSec", res->cpu_period);
                if (r < 0)
                        return r;
        }
        if (res->has_pids_limit) {
                if (res->pids_limit < -1)
                        return props_error(EINVAL, "pids.limit", "must be -1 or more");
                /* 0 would mean no task at all, which systemd cannot hold; 1 is the tightest it can. */
                uint64_t v = res->pids_limit == -1 ? INFINITY_U64 : res->pids_limit == 0 ? 1 : (uint64_t) res->pids_limit;
                r = append_u64(m, "TasksMax", v);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Devices an OCI runtime always makes usable (runtime-spec config-linux.md, "Default Devices"). */
static const char *const default_devices[] = {
        "/dev/char/1:3", "/dev/char/1:5", "/dev/char/1:7", "/dev/char/1:8", "/dev/char/1:9",
        "/dev/char/5:0", "/dev/char/5:1", "/dev/char/5:2", "char-pts",
};

static int device_entry(const SpecDeviceRule *d, const char *path, char *buf, size_t size) {
        const char *kind = d->type == 'b' ? "block" : "char";

        if (d->type == 'a')
                return props_error(EOPNOTSUPP, path, "type \"a\" with a major or minor cannot be expressed as DeviceAllow");
        if (d->major < 0)
                (void) snprintf(buf, size, "%s-*", kind);
        else if (d->minor < 0)
                return props_error(EOPNOTSUPP, path, "any minor of major %lld cannot be expressed as DeviceAllow",
                                   (long long) d->major);
        else
                (void) snprintf(buf, size, "/dev/%s/%lld:%lld", kind, (long long) d->major, (long long) d->minor);
        return 0;
}

static int append_devices(sd_bus_message *m, const SpecResources *res) {
        char path[64], entry[64];
        size_t first = 0;
        bool strict = false;
        int r;

        /* Only the effect of the rules matters: everything before the last deny-all is overridden. */
        for (size_t i = 0; i < res->n_devices; i++) {
                const SpecDeviceRule *d = &res->devices[i];
                bool all = d->type == 'a' && d->major < 0 && d->minor < 0 && strcmp(d->access, "rwm") == 0;
                if (all) {
                        strict = !d->allow;
                        first = i + 1;
                }
        }
        if (!strict) {
                /* systemd only lists what is allowed: a deny rule on an open device cgroup cannot be held. */
                for (size_t i = first; i < res->n_devices; i++)
                        if (!res->devices[i].allow) {
                                (void) snprintf(path, sizeof(path), "devices[%zu]", i);
                                return props_error(EOPNOTSUPP, path, "a deny rule without a preceding deny-all cannot be expressed");
                        }
                return 0;
        }

        r = sd_bus_message_append(m, "(sv)", "DevicePolicy", "s", "strict");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", "DeviceAllow");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "a(ss)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(ss)");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(default_devices); i++)
                r = sd_bus_message_append(m, "(ss)", default_devices[i], "rwm");
        for (size_t i = first; r >= 0 && i < res->n_devices; i++) {
                const SpecDeviceRule *d = &res->devices[i];
                (void) snprintf(path, sizeof(path), "devices[%zu]", i);
                if (!d->allow)
                        return props_error(EOPNOTSUPP, path, "a deny rule after an allow rule cannot be expressed as DeviceAllow");
                r = device_entry(d, path, entry, sizeof(entry));
                if (r < 0)
                        return r;
                if (d->access[0])
                        r = sd_bus_message_append(m, "(ss)", entry, d->access);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return log_error_errno(r, "Failed to add property DeviceAllow: %m");
        return 0;
}

int props_append_resources(sd_bus_message *m, const Spec *spec) {
        int r;

        r = append_memory(m, &spec->resources);
        if (r < 0)
                return r;
        r = append_cpu_pids(m, &spec->resources);
        if (r < 0)
                return r;
        return append_devices(m, &spec->resources);
}
