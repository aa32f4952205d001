/* Registration of containers with systemd-machined, so machinectl sees them as it sees nspawn
 * machines. Never fails a container: machined absent is a debug line, machined refusing a warning. */
#include <string.h>

#include "bus.h"
#include "util/log.h"

#define MACHINED "org.freedesktop.machine1"
#define MACHINED_PATH "/org/freedesktop/machine1"
#define MACHINED_MANAGER "org.freedesktop.machine1.Manager"

static uint64_t fnv1a(const char *s, uint64_t seed) {
        uint64_t h = seed;
        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 0x100000001b3ULL;
        }
        return h;
}

int bus_machine_name(const char *id, char **ret) {
        char name[65];
        size_t n = strlen(id), i;
        bool valid = n <= 64 && id[0] != '.' && id[0] != '-' && id[n - 1] != '.' && id[n - 1] != '-' && !strstr(id, "..");

        for (i = 0; valid && i < n; i++)
                valid = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", id[i]) != NULL;
        if (valid) {
                *ret = strdup(id);
                return *ret ? 0 : -ENOMEM;
        }
        /* Documented mapping: characters a hostname cannot hold become '-', the result is cut to
         * 55 characters and the id's hash is appended, so two ids never share a name. */
        for (i = 0; i < n && i < 55; i++) {
                name[i] = id[i];
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", id[i]))
                        name[i] = '-';
        }
        (void) snprintf(name + i, sizeof(name) - i, "-%08x", (unsigned) (fnv1a(id, 0xcbf29ce484222325ULL) & 0xffffffff));
        *ret = strdup(name[0] == '-' ? name + 1 : name);
        return *ret ? 0 : -ENOMEM;
}

int bus_register_machine(const char *name, const char *id, pid_t leader, const char *root_directory) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        uint8_t machine_id[16];
        int r;

        /* A stable id from the container id: the same container is the same machine. */
        uint64_t a = fnv1a(id, 0xcbf29ce484222325ULL), b = fnv1a(id, 0x84222325cbf29ce4ULL);
        memcpy(machine_id, &a, 8);
        memcpy(machine_id + 8, &b, 8);
        machine_id[6] = (machine_id[6] & 0x0f) | 0x40; /* a v4-style UUID, as sd-id128 makes them */
        machine_id[8] = (machine_id[8] & 0x3f) | 0x80;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                log_debug_errno(r, "No system bus, not registering machine %s: %m", name);
                return 0;
        }
        r = sd_bus_message_new_method_call(bus, &m, MACHINED, MACHINED_PATH, MACHINED_MANAGER, "RegisterMachine");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', machine_id, sizeof(machine_id));
        if (r >= 0)
                r = sd_bus_message_append(m, "ssus", "runscope", "container", (uint32_t) leader, root_directory);
        if (r < 0)
                return log_error_errno(r, "Failed to build RegisterMachine: %m");
        r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r >= 0)
                return 0;
        if (sd_bus_error_has_names(&error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                                   SD_BUS_ERROR_NO_SERVER))
                log_debug("systemd-machined is not there, not registering machine %s: %s", name, bus_error_text(&error, r));
        else
                log_warning("systemd-machined refused to register machine %s, going on without it: %s", name,
                            bus_error_text(&error, r));
        return 0;
}

void bus_unregister_machine(const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (sd_bus_open_system(&bus) < 0)
                return;
        r = sd_bus_call_method(bus, MACHINED, MACHINED_PATH, MACHINED_MANAGER, "UnregisterMachine", &error, NULL, "s", name);
        /* Gone already: machined drops a machine when its unit stops. */
        if (r < 0 && !sd_bus_error_has_name(&error, "org.freedesktop.machine1.NoSuchMachine"))
                log_debug("UnregisterMachine %s: %s", name, bus_error_text(&error, r));
}
