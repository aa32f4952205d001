/* linux.memoryPolicy (runtime-spec 1.3): the NUMA policy of the container's process, parsed into
 * set_mempolicy(2)'s mode, flags and node list. Checks what the spec requires of each mode; whether
 * the kernel has the mode is for set_mempolicy to say in the launcher. */
#include <string.h>

#include "spec-internal.h"
#include "spec.h"
#include "util/cpulist.h"
#include "util/log.h"

static const struct {
        const char *name;
        int mode;
} modes[] = {
        { "MPOL_DEFAULT", 0 }, { "MPOL_PREFERRED", 1 },      { "MPOL_BIND", 2 },
        { "MPOL_INTERLEAVE", 3 }, { "MPOL_LOCAL", 4 },       { "MPOL_PREFERRED_MANY", 5 },
        { "MPOL_WEIGHTED_INTERLEAVE", 6 },
};


static int parse_mode(const cJSON *j, const char *path, void *dest) {
        for (size_t i = 0; cJSON_IsString(j) && i < ELEMENTSOF(modes); i++)
                if (strcmp(modes[i].name, j->valuestring) == 0) {
                        *(int *) dest = modes[i].mode;
                        return 0;
                }
        return spec_error(EINVAL, path, "unknown mode%s%s", cJSON_IsString(j) ? " " : "", cJSON_IsString(j) ? j->valuestring : "");
}

/* MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES and MPOL_F_STATIC_NODES are 1 << 13, 14 and 15. */
static int parse_flags(const cJSON *j, const char *path, void *dest) {
        static const char *const names[] = { "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES" };
        uint64_t bits;

        int r = spec_flag_names(j, path, names, ELEMENTSOF(names), &bits);
        if (r < 0)
                return r;
        *(int *) dest = (int) (bits << 13);
        return 0;
}

const SpecField spec_memory_policy_fields[] = {
        { "mode", FIELD_CUSTOM, offsetof(Spec, memory_policy.mode), FIELD_REQUIRED, .parse = parse_mode },
        { "nodes", FIELD_STRING, offsetof(Spec, memory_policy.nodes) },
        { "flags", FIELD_CUSTOM, offsetof(Spec, memory_policy.flags), .parse = parse_flags },
        {}
};

int spec_check_memory_policy(const Spec *s) {
        const SpecMemoryPolicy *m = &s->memory_policy;
        uint8_t mask[CPULIST_MAX / 8];
        size_t used;

        if (!s->has_memory_policy)
                return 0;
        bool empty = !m->nodes || !m->nodes[0];
        /* MPOL_DEFAULT and MPOL_LOCAL take no nodes; MPOL_PREFERRED with none means local. */
        if ((m->mode == 0 || m->mode == 4) && !empty)
                return spec_error(EINVAL, "linux.memoryPolicy.nodes", "must be empty with mode %s", modes[m->mode].name);
        if (m->mode != 0 && m->mode != 4 && m->mode != 1 && empty)
                return spec_error(EINVAL, "linux.memoryPolicy.nodes", "required with mode %s", modes[m->mode].name);
        if (!empty && cpulist_parse(m->nodes, mask, &used) < 0)
                return spec_error(EINVAL, "linux.memoryPolicy.nodes", "'%s' is not a node list", m->nodes);
        if ((m->flags & (1 << 14)) && (m->flags & (1 << 15)))
                return spec_error(EINVAL, "linux.memoryPolicy.flags", "MPOL_F_RELATIVE_NODES and MPOL_F_STATIC_NODES exclude each other");
        return 0;
}
