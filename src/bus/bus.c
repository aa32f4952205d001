/* Connection to systemd and unit naming. Never falls back silently to a different manager than the
 * one asked for: private socket first, then the system bus (or the other way round, for a caller
 * whose first call follows the connect at once), and says so at debug level; rootless, the same of
 * the user's own manager (user.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "util/fd.h"
#include "util/log.h"


const char *bus_private_socket(void) {
#ifdef RUNSCOPE_FAULT_POINTS
        /* The fault build can be given another path, one that is not there, to test the ways
         * around it. */
        const char *fault = getenv("RUNSCOPE_FAULT_DIRECT_SOCKET");
        if (fault)
                return fault;
#endif
        return bus_user_manager() ? bus_user_private_socket() : BUS_PRIVATE_SOCKET;
}

int bus_preconnect(void) {
        int fd = wire_socket_connect(bus_private_socket(), false);
        if (fd < 0)
                log_debug_errno(fd, "Failed to connect to %s ahead, connecting when needed: %m", bus_private_socket());
        return fd;
}

/* sd-bus on the private socket: on fd when it is a connection to it (taken), else a new one. */
static int connect_private(int fd, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);

        if (r >= 0 && fd >= 0) {
                r = sd_bus_set_fd(bus, fd, fd);
                if (r >= 0)
                        fd = -EBADF; /* the bus's now */
        } else if (r >= 0)
                r = sd_bus_set_address(bus, "unix:path=" BUS_PRIVATE_SOCKET);
        safe_close(fd);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

/* The private socket as root (no dbus-daemon in the way), else the system bus; with dbus_first,
 * the other way round. Not logged. */
static int connect_quiet(int fd, bool dbus_first, sd_bus **ret) {
        if (bus_user_manager())
                return bus_connect_user_quiet(fd, dbus_first, ret);
        bool private = geteuid() == 0 && (fd >= 0 || access(BUS_PRIVATE_SOCKET, F_OK) == 0);
        int r;

        if (dbus_first) {
                r = sd_bus_open_system(ret);
                if (r >= 0 || !private || r == -ENOPKG)
                        return r;
                log_debug_errno(r, "Failed to connect to the system bus, trying %s: %m", BUS_PRIVATE_SOCKET);
                return connect_private(-EBADF, ret);
        }
        if (private) {
                r = connect_private(fd, ret);
                if (r >= 0 || r == -ENOPKG)
                        return r;
                log_debug_errno(r, "Failed to connect to %s, trying the system bus: %m", BUS_PRIVATE_SOCKET);
        }
        return sd_bus_open_system(ret);
}

static int connect_logged(int fd, bool dbus_first, sd_bus **ret) {
        int r = connect_quiet(fd, dbus_first, ret);
        if (r == -ENOPKG)
                return r; /* no libsystemd: src/util/sd-shim.c said which file */
        if (r < 0 && bus_user_manager())
                return bus_log_no_user_manager(r);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to systemd (is systemd running?): %m");
        return 0;
}

int bus_connect_system_on(int fd, sd_bus **ret) {
        return connect_logged(fd, false, ret);
}

int bus_connect_system(sd_bus **ret) {
        return connect_logged(-EBADF, false, ret);
}

int bus_connect_dbus(sd_bus **ret) {
        return connect_logged(-EBADF, true, ret);
}

sd_bus *bus_kept(sd_bus *bus) {
        int r;

        if (!bus)
                return NULL;
        do
                r = sd_bus_process(bus, NULL);
        while (r > 0);
        if (r < 0) {
                log_debug_errno(r, "A kept bus connection was lost: %m");
                return sd_bus_flush_close_unref(bus);
        }
        return bus;
}

bool bus_disconnected(int r) {
        return r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE || r == -ECONNREFUSED || r == -ESHUTDOWN;
}

static int ping(sd_bus *bus) {
        return sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.DBus.Peer",
                                  "Ping", NULL, NULL, NULL);
}

int bus_ensure_connected(sd_bus **bus) {
        int r = *bus ? ping(*bus) : -ENOTCONN;
        return r >= 0 || !bus_disconnected(r) ? 0 : bus_reconnect(bus);
}

int bus_reconnect(sd_bus **bus) {
        int r = -ECONNREFUSED;

        *bus = sd_bus_flush_close_unref(*bus);
        /* daemon-reexec takes systemd a moment: its socket is back within a second or two here. */
        for (unsigned i = 0; i < 100 && r < 0; i++) {
                if (i > 0)
                        (void) usleep(100 * 1000);
                r = connect_quiet(-EBADF, false, bus);
                if (r >= 0)
                        r = ping(*bus);
                if (r < 0)
                        *bus = sd_bus_flush_close_unref(*bus);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to connect to systemd again after it dropped the connection: %m");
        return 0;
}

const char *bus_error_text(const sd_bus_error *e, int r) {
        if (e && sd_bus_error_is_set(e) && e->message)
                return e->message;
        return strerror(r < 0 ? -r : r);
}

/* Unit names allow [A-Za-z0-9:_.-\]; anything else in an id is written as \xHH, as systemd does. */
static int append_escaped(char *buf, size_t size, size_t *n, const char *s) {
        for (; *s; s++) {
                int k;
                if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.-", *s))
                        k = snprintf(buf + *n, size - *n, "%c", *s);
                else
                        k = snprintf(buf + *n, size - *n, "\\x%02x", (unsigned char) *s);
                if (k < 0 || (size_t) k >= size - *n)
                        return -ENAMETOOLONG;
                *n += (size_t) k;
        }
        return 0;
}

int bus_spread_slice(const char *id, char **ret) {
        /* A user's containers go in app.slice as they are: a user runs a few, not a thousand. */
        if (bus_user_manager()) {
                *ret = strdup(bus_default_slice());
                return *ret ? 0 : log_oom();
        }
        uint32_t h = 2166136261u; /* FNV-1a: stable from one version to the next */
        for (const char *p = id; *p; p++)
                h = (h ^ (uint8_t) *p) * 16777619u;
        if (asprintf(ret, BUS_SPREAD_SLICE_PREFIX "%02x.slice", h % BUS_SPREAD_SLICES) < 0)
                return log_oom();
        return 0;
}

int bus_unit_names(const char *cgroups_path, const char *id, char **ret_unit, char **ret_slice) {
        _cleanup_free_ char *slice = NULL, *prefix = NULL;
        char unit[256];
        const char *name = id;
        size_t n = 0;
        int r;

        if (cgroups_path && cgroups_path[0] != '/' && strchr(cgroups_path, ':')) {
                const char *a = strchr(cgroups_path, ':'), *b = strchr(a + 1, ':');
                if (!b || strchr(b + 1, ':'))
                        return log_error_errno(EINVAL, "config.json: linux.cgroupsPath: expected \"slice:prefix:name\", got '%s'",
                                               cgroups_path);
                slice = strndup(cgroups_path, (size_t) (a - cgroups_path));
                prefix = strndup(a + 1, (size_t) (b - a - 1));
                if (!slice || !prefix)
                        return log_oom();
                name = b + 1;
                if (!*name)
                        return log_error_errno(EINVAL, "config.json: linux.cgroupsPath: the name part is empty");
                size_t l = strlen(name);
                if (l > 6 && strcmp(name + l - 6, ".slice") == 0)
                        return log_error_errno(EOPNOTSUPP, "config.json: linux.cgroupsPath: a slice as the container's unit is not supported yet");
                if (*slice && (strlen(slice) < 7 || strcmp(slice + strlen(slice) - 6, ".slice") != 0))
                        return log_error_errno(EINVAL, "config.json: linux.cgroupsPath: '%s' is not a slice name", slice);
        } else if (cgroups_path && *cgroups_path) {
                /* A path, as crun accepts it under systemd: ".../some.slice/name.scope" names the unit
                 * and its slice; any other path (podman's cgroupfs form) gets the default unit. */
                const char *last = strrchr(cgroups_path, '/');
                last = last ? last + 1 : cgroups_path;
                size_t l = strlen(last);
                if (l > 6 && strcmp(last + l - 6, ".scope") == 0) {
                        prefix = strndup(last, l - 6);
                        if (!prefix)
                                return log_oom();
                        name = "";
                }
                for (const char *p = cgroups_path; (p = strstr(p, ".slice")); p += 6)
                        if (p[6] == '/' || !p[6]) {
                                const char *start = p;
                                while (start > cgroups_path && start[-1] != '/')
                                        start--;
                                free(slice);
                                slice = strndup(start, (size_t) (p + 6 - start));
                                if (!slice)
                                        return log_oom();
                        }
                if (!prefix)
                        log_debug("linux.cgroupsPath '%s' names no scope; using the default unit", cgroups_path);
        }

        r = append_escaped(unit, sizeof(unit), &n, prefix ? prefix : "runscope");
        if (r >= 0 && (!prefix || *prefix) && *name)
                r = append_escaped(unit, sizeof(unit), &n, "-");
        if (r >= 0)
                r = append_escaped(unit, sizeof(unit), &n, name);
        if (r >= 0)
                r = append_escaped(unit, sizeof(unit), &n, ".scope");
        if (r < 0)
                return log_error_errno(r, "Container id '%s' is too long for a systemd unit name", id);

        if (!slice || !*slice) {
                free(slice);
                r = bus_spread_slice(id, &slice);
                if (r < 0)
                        return r;
        }
        char *u = strdup(unit), *s = TAKE_PTR(slice);
        if (!u || !s) {
                free(u);
                free(s);
                return log_oom();
        }
        *ret_unit = u;
        *ret_slice = s;
        return 0;
}
