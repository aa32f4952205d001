/* Rootless: the cgroup controllers a user's manager was delegated (its root cgroup's
 * cgroup.controllers, which is all it can enable below), and the unit properties that need one it
 * lacks. A user manager accepts such a property and sets nothing; here it is an error naming the
 * property and the controller. Reads cgroup.controllers, writes no cgroup file. */
#include <string.h>

#include "bus.h"
#include "props-internal.h"
#include "util/cgroup.h"
#include "util/log.h"
#include "util/userns.h"

static const struct {
        const char *property, *controller, *path;
} needs[] = {
        { "MemoryMin", "memory", "memory" },
        { "MemoryLow", "memory", "memory" },
        { "MemoryHigh", "memory", "memory" },
        { "MemoryMax", "memory", "memory" },
        { "MemoryLimit", "memory", "memory" },
        { "MemorySwapMax", "memory", "memory" },
        { "MemoryZSwapMax", "memory", "memory" },
        { "CPUWeight", "cpu", "cpu" },
        { "StartupCPUWeight", "cpu", "cpu" },
        { "CPUShares", "cpu", "cpu" },
        { "StartupCPUShares", "cpu", "cpu" },
        { "CPUQuotaPerSecUSec", "cpu", "cpu" },
        { "CPUQuotaPeriodUSec", "cpu", "cpu" },
        { "AllowedCPUs", "cpuset", "cpu" },
        { "StartupAllowedCPUs", "cpuset", "cpu" },
        { "AllowedMemoryNodes", "cpuset", "cpu" },
        { "StartupAllowedMemoryNodes", "cpuset", "cpu" },
        { "TasksMax", "pids", "pids" },
        { "IOWeight", "io", "blockIO" },
        { "StartupIOWeight", "io", "blockIO" },
        { "IODeviceWeight", "io", "blockIO" },
        { "IOReadBandwidthMax", "io", "blockIO" },
        { "IOWriteBandwidthMax", "io", "blockIO" },
        { "IOReadIOPSMax", "io", "blockIO" },
        { "IOWriteIOPSMax", "io", "blockIO" },
        { "IODeviceLatencyTargetUSec", "io", "blockIO" },
        { "BlockIOWeight", "io", "blockIO" },
        { "BlockIODeviceWeight", "io", "blockIO" },
        { "BlockIOReadBandwidth", "io", "blockIO" },
        { "BlockIOWriteBandwidth", "io", "blockIO" },
        /* Not a controller on cgroup v2 but a BPF program, which only a privileged manager attaches. */
        { "DevicePolicy", "devices", "devices" },
        { "DeviceAllow", "devices", "devices" },
};

/* Whether the property's value (the message is in its variant) limits anything: infinity, an open
 * DevicePolicy and an empty DeviceAllow do not. The variant is consumed. */
static int value_limits(sd_bus_message *m, const char *contents, bool *ret) {
        int r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;
        if (strcmp(contents, "t") == 0) {
                uint64_t v = UINT64_MAX;
                r = sd_bus_message_read(m, "t", &v);
                *ret = v != UINT64_MAX;
        } else if (strcmp(contents, "s") == 0) {
                const char *v;
                r = sd_bus_message_read(m, "s", &v);
                *ret = r >= 0 && strcmp(v, "auto") != 0;
        } else if (strcmp(contents, "a(ss)") == 0) {
                const char *a, *b;
                r = sd_bus_message_enter_container(m, 'a', "(ss)");
                bool any = false;
                while (r >= 0 && (r = sd_bus_message_read(m, "(ss)", &a, &b)) > 0)
                        any = true;
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                *ret = any;
        } else {
                *ret = true;
                r = sd_bus_message_skip(m, contents);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r;
}

static bool listed(const char *list, const char *controller) {
        size_t n = strlen(controller);
        for (const char *p = list; (p = strstr(p, controller)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
                        return true;
        return false;
}

/* The controllers of the manager's own cgroup (its ControlGroup property). */
static int manager_controllers(sd_bus *bus, char *buf, size_t size) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *cg = NULL;
        int r;

        r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "ControlGroup", &error, &cg);
        if (r < 0)
                return log_error_errno(r, "Failed to ask the user manager for its cgroup: %s", bus_error_text(&error, r));
        r = cgroup_controllers(cg, buf, size);
        if (r < 0)
                return log_error_errno(r, "Failed to read the controllers of the user manager's cgroup %s: %m", cg);
        return 0;
}

/* Where in config.json the property came from: an annotation naming it, or its resource. */
static void json_path(const Spec *spec, const char *property, const char *resource, char *buf, size_t size) {
        char key[128];

        (void) snprintf(key, sizeof(key), "org.systemd.property.%s", property);
        if (spec_annotation(spec, key))
                (void) snprintf(buf, size, "annotations.%s", key);
        else
                (void) snprintf(buf, size, "linux.resources.%s", resource);
}

static int check_property(sd_bus *bus, const Spec *spec, const char *name, bool limits, char *have, size_t size,
                          bool *have_read) {
        char path[192];
        int r;

        if (!limits)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(needs); i++) {
                if (strcmp(needs[i].property, name) != 0)
                        continue;
                if (!*have_read) {
                        r = manager_controllers(bus, have, size);
                        if (r < 0)
                                return r;
                        *have_read = true;
                }
                if (listed(have, needs[i].controller))
                        return 0;
                json_path(spec, name, needs[i].path, path, sizeof(path));
                return log_error_errno(EOPNOTSUPP, "config.json: %s: %s needs the cgroup controller '%s', which the "
                                                   "systemd manager of uid %u was not delegated (it has: %s)",
                                       path, name, needs[i].controller, (unsigned) userns_outer_uid(),
                                       have[0] ? have : "none");
        }
        return 0;
}

int bus_check_delegated(sd_bus *bus, const Spec *spec) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        char have[256] = "";
        bool have_read = false;
        int r;

        /* The properties as they would be sent, read back from a message that never is. */
        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "SetUnitProperties");
        if (r >= 0)
                r = sd_bus_message_append(m, "sb", "check", 1);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return log_error_errno(r, "Failed to build the properties to check: %m");
        r = props_append_resources(m, spec, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_seal(m, 1, 0);
        if (r >= 0)
                r = sd_bus_message_rewind(m, 1);
        if (r >= 0)
                r = sd_bus_message_skip(m, "sb");
        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "(sv)");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
                const char *name, *contents;
                bool limits = false;
                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = sd_bus_message_peek_type(m, NULL, &contents);
                if (r >= 0)
                        r = value_limits(m, contents, &limits);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        break;
                r = check_property(bus, spec, name, limits, have, sizeof(have), &have_read);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to read back the properties to check: %m");
        return 0;
}
