/* linux.netDevices (runtime-spec 1.3): the host interfaces to move into the container's network
 * namespace, and their names there. Checks the names as the kernel will (dev_valid_name); the
 * interfaces themselves are the launcher's to find. */
#include <net/if.h>
#include <string.h>

#include "spec-internal.h"
#include "spec.h"
#include "util/log.h"
#include "util/strv.h"

static bool name_is_valid(const char *s) {
        return s[0] && strlen(s) < IFNAMSIZ && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strpbrk(s, "/: \t\n");
}

int spec_parse_net_devices(const cJSON *j, const char *path, void *dest) {
        char ***devices = dest;
        char p[512];
        const cJSON *e;

        if (!cJSON_IsObject(j))
                return spec_error(EINVAL, path, "expected an object");
        cJSON_ArrayForEach(e, j) {
                spec_path_join(p, sizeof(p), path, e->string);
                if (!name_is_valid(e->string))
                        return spec_error(EINVAL, p, "not an interface name");
                if (!cJSON_IsObject(e))
                        return spec_error(EINVAL, p, "expected an object");
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
                const char *name = cJSON_IsString(n) ? n->valuestring : "";
                if (n && !cJSON_IsString(n))
                        return spec_error(EINVAL, p, "name: expected a string");
                if (name[0] && !name_is_valid(name))
                        return spec_error(EINVAL, p, "name: '%s' is not an interface name", name);
                if (strv_extend(devices, e->string) < 0 || strv_extend(devices, name) < 0)
                        return log_oom();
        }
        return 0;
}

int spec_check_net_devices(const Spec *s) {
        if (s->net_devices && !spec_has_namespace(s, NAMESPACE_NETWORK))
                return spec_error(EINVAL, "linux.netDevices", "needs a network namespace of the container's");
        return 0;
}
