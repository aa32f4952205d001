/* The configuration `runscope spec --rootless` writes: runc's rootless changes to the default one (a
 * user namespace, no network namespace and /sys bound from the host, no uid= or gid= mount options,
 * no resources), with the mappings podman gives a rootless container: container root is the caller,
 * the ids above it the caller's first subordinate range. Never touches the filesystem. */
#include <cjson/cJSON.h>
#include <string.h>

#include "spec.h"
#include "spec-internal.h"
#include "util/log.h"

static cJSON *mapping(uint32_t container_id, uint32_t host_id, uint32_t size) {
        cJSON *m = cJSON_CreateObject();
        if (m && (!cJSON_AddNumberToObject(m, "containerID", container_id) || !cJSON_AddNumberToObject(m, "hostID", host_id) ||
                  !cJSON_AddNumberToObject(m, "size", size))) {
                cJSON_Delete(m);
                return NULL;
        }
        return m;
}

/* [{0, own, 1}] and, with a range of subordinate ids, {1, its start, its size}. */
static cJSON *mappings(uint32_t own, const SpecIdMapping *sub) {
        cJSON *a = cJSON_CreateArray(), *m = mapping(0, own, 1);
        if (!a || !m || !cJSON_AddItemToArray(a, m)) {
                cJSON_Delete(a);
                cJSON_Delete(m);
                return NULL;
        }
        if (sub && sub->size > 0) {
                m = mapping(1, sub->host_id, sub->size);
                if (!m || !cJSON_AddItemToArray(a, m)) {
                        cJSON_Delete(a);
                        cJSON_Delete(m);
                        return NULL;
                }
        }
        return a;
}

/* runc's rootless mounts: /sys bound from the host (no network namespace of its own to mount a
 * sysfs of), and no uid= or gid= option, which may name an id the namespace does not map. */
static int rootless_mounts(cJSON *mounts) {
        cJSON *m;

        cJSON_ArrayForEach(m, mounts) {
                cJSON *dest = cJSON_GetObjectItemCaseSensitive(m, "destination");
                cJSON *options = cJSON_GetObjectItemCaseSensitive(m, "options");
                if (cJSON_IsString(dest) && strcmp(dest->valuestring, "/sys") == 0) {
                        static const char *const opts[] = { "rbind", "nosuid", "noexec", "nodev", "ro" };
                        cJSON *o = cJSON_CreateStringArray(opts, (int) ELEMENTSOF(opts));
                        if (!o || !cJSON_ReplaceItemInObjectCaseSensitive(m, "options", o) ||
                            !cJSON_ReplaceItemInObjectCaseSensitive(m, "type", cJSON_CreateString("none")) ||
                            !cJSON_ReplaceItemInObjectCaseSensitive(m, "source", cJSON_CreateString("/sys")))
                                return log_oom();
                        continue;
                }
                for (int i = cJSON_GetArraySize(options) - 1; i >= 0; i--) {
                        const char *o = cJSON_GetStringValue(cJSON_GetArrayItem(options, i));
                        if (o && (strncmp(o, "uid=", 4) == 0 || strncmp(o, "gid=", 4) == 0))
                                cJSON_DeleteItemFromArray(options, i);
                }
        }
        return 0;
}

int spec_rootless_json(uid_t uid, gid_t gid, const SpecIdMapping *sub_uids, const SpecIdMapping *sub_gids, char **ret) {
        _cleanup_(cjson_deletep) cJSON *config = spec_default_tree();
        int r;

        if (!config)
                return log_oom();
        cJSON *lnx = cJSON_GetObjectItemCaseSensitive(config, "linux");
        cJSON *namespaces = cJSON_GetObjectItemCaseSensitive(lnx, "namespaces"), *ns;
        for (int i = cJSON_GetArraySize(namespaces) - 1; i >= 0; i--) {
                const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(namespaces, i), "type"));
                if (type && strcmp(type, "network") == 0)
                        cJSON_DeleteItemFromArray(namespaces, i);
        }
        ns = cJSON_CreateObject();
        if (!ns || !cJSON_AddStringToObject(ns, "type", "user") || !cJSON_AddItemToArray(namespaces, ns)) {
                cJSON_Delete(ns);
                return log_oom();
        }
        /* Limits are the user manager's to hold, and it holds only those of the controllers it was
         * delegated: a bundle asks for them itself. */
        cJSON_DeleteItemFromObjectCaseSensitive(lnx, "resources");
        cJSON *u = mappings((uint32_t) uid, sub_uids);
        if (!u || !cJSON_AddItemToObject(lnx, "uidMappings", u)) {
                cJSON_Delete(u);
                return log_oom();
        }
        cJSON *g = mappings((uint32_t) gid, sub_gids);
        if (!g || !cJSON_AddItemToObject(lnx, "gidMappings", g)) {
                cJSON_Delete(g);
                return log_oom();
        }
        r = rootless_mounts(cJSON_GetObjectItemCaseSensitive(config, "mounts"));
        if (r < 0)
                return r;
        char *out = cJSON_Print(config);
        if (!out)
                return log_oom();
        *ret = out;
        return 0;
}
