/* Shared between the files of src/spec/ only. */
#pragma once

#include "spec-field.h"

static inline void cjson_deletep(cJSON **j) {
        cJSON_Delete(*j);
}

/* The configuration `runscope spec` writes, as a cJSON tree to change (NULL: out of memory). */
cJSON *spec_default_tree(void);

extern const SpecField spec_capabilities_fields[];
extern const SpecField spec_linux_fields[];
extern const SpecField spec_resources_fields[];
extern const SpecField spec_io_priority_fields[];
extern const SpecField spec_scheduler_fields[];
extern const SpecField spec_cpu_affinity_fields[];
extern const SpecField spec_personality_fields[];
extern const SpecField spec_hooks_fields[];
extern const SpecField spec_memory_policy_fields[];

int spec_parse_rlimits(const cJSON *j, const char *path, void *dest);
int spec_parse_gids(const cJSON *j, const char *path, void *dest);
int spec_parse_mounts(const cJSON *j, const char *path, void *dest);
int spec_parse_annotations(const cJSON *j, const char *path, void *dest);
int spec_parse_seccomp(const cJSON *j, const char *path, void *dest);
int spec_parse_net_devices(const cJSON *j, const char *path, void *dest);
/* linux.netDevices go into a network namespace of the container's own (new or joined). */
int spec_check_net_devices(const Spec *s);
/* Every sysctl must belong to a namespace of the container's own: it would change the host otherwise;
 * kernel.hostname and kernel.domainname must agree with hostname and domainname. */
int spec_check_sysctl(const Spec *s);
/* A new user namespace needs uid and gid mappings; mappings need a new user namespace. */
int spec_check_user_namespace(const Spec *s);
int spec_check_time_namespace(const Spec *s);
/* The nodes each linux.memoryPolicy mode needs, or must not have. */
int spec_check_memory_policy(const Spec *s);
