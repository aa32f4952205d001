/* What systemd does not implement on this host is ours to do on the unit's own cgroup (DESIGN.md):
 * on a v1 memory hierarchy, the swap limit (OCI's memory plus swap, memsw), which systemd's
 * MemorySwapMax sets on v2 only. Never writes another file than the unit's own memory.memsw.*. */
#include <stdint.h>

#include "bus/bus.h"
#include "container-internal.h"
#include "util/cgroup.h"
#include "util/log.h"

int container_set_v1_swap(const char *cg, const char *unit, const SpecResources *res) {
        int r;

        if (!res->has_memory_swap)
                return 0;
        /* OCI's swap is memory plus swap, which is exactly what memsw limits. */
        r = cgroup_v1_memsw_set(cg, res->memory_swap == -1 ? UINT64_MAX : (uint64_t) res->memory_swap);
        if (r == -ENOENT)
                return log_error_errno(EOPNOTSUPP, "config.json: linux.resources.memory.swap: this kernel has no swap "
                                                   "accounting (memory.memsw), so the limit cannot be held");
        if (r < 0)
                return log_error_errno(r, "Failed to set the swap limit of %s (memory%s): %m", unit, cg);
        return 0;
}

/* The kernel keeps memory.limit_in_bytes at or below memsw, and refuses a write that breaks that,
 * which systemd only logs: a swap limit that grows is written before systemd sets the new
 * MemoryMax (and the one that shrinks after it), and a memory limit above a swap limit that stays is
 * refused here, before anything changes. */
int container_v1_swap_before_update(const char *cg, const char *unit, const SpecResources *res) {
        uint64_t now, swap = res->memory_swap == -1 ? UINT64_MAX : (uint64_t) res->memory_swap,
                      limit = res->memory_limit == -1 ? UINT64_MAX : (uint64_t) res->memory_limit;

        if (cgroup_v1_memsw_get(cg, &now) < 0)
                return 0; /* no swap accounting: nothing to keep in order */
        if (res->has_memory_swap)
                return swap > now ? container_set_v1_swap(cg, unit, res) : 0;
        if (res->has_memory_limit && limit > now)
                return log_error_errno(EINVAL, "memory limit %lld is above the swap limit (memory plus swap) %llu of %s: "
                                               "set the swap limit too",
                                       (long long) res->memory_limit, (unsigned long long) now, unit);
        return 0;
}

int container_apply_v1_swap(sd_bus *bus, const char *unit, const SpecResources *res) {
        _cleanup_free_ char *cg = NULL;
        int r;

        if (!res->has_memory_swap || !cgroup_memory_is_v1())
                return 0;
        r = bus_unit_control_group(bus, unit, &cg);
        if (r < 0)
                return r;
        return container_set_v1_swap(cg, unit, res);
}
