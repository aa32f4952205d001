/* Rootless: which systemd runscope talks to, and the way to a user's own manager. Not the host's
 * root, runscope is a user's client: that user's manager ($XDG_RUNTIME_DIR/systemd/private, as
 * `systemctl --user` reaches it, else the user bus), never the system's, and never silently the
 * other one when its own is missing. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "util/log.h"
#include "util/userns.h"

const char *bus_runtime_dir(void) {
        static char dir[256];

        if (!dir[0]) {
                const char *e = getenv("XDG_RUNTIME_DIR");
                /* podman passes it, empty when it runs as the host's root. */
                if (e && e[0] == '/' && strlen(e) < sizeof(dir) - 32)
                        (void) snprintf(dir, sizeof(dir), "%s", e);
                else
                        (void) snprintf(dir, sizeof(dir), "/run/user/%u", (unsigned) userns_outer_uid());
        }
        return dir;
}

static bool has_user_manager(void) {
        char path[300];

        (void) snprintf(path, sizeof(path), "%s/systemd/private", bus_runtime_dir());
        if (access(path, F_OK) == 0)
                return true;
        (void) snprintf(path, sizeof(path), "%s/bus", bus_runtime_dir());
        return access(path, F_OK) == 0;
}

bool bus_user_manager(void) {
        static int user = -1;

        if (user < 0) {
                if (geteuid() != 0)
                        user = 1;
                else if (userns_is_initial())
                        user = 0;
                else {
                        /* Root of a user namespace that is not the host's: podman's rootless one, which
                         * passes its user's runtime directory (the manager may be missing there: that is
                         * then the error); or a container's with a systemd of its own, which is that
                         * namespace's system manager. */
                        const char *e = getenv("XDG_RUNTIME_DIR");
                        user = (e && *e) || has_user_manager();
                }
        }
        return user;
}

const char *bus_default_slice(void) {
        /* A user's manager has no machine.slice (before systemd 259): its applications go in app.slice. */
        return bus_user_manager() ? BUS_USER_SLICE : BUS_DEFAULT_SLICE;
}

const char *bus_user_private_socket(void) {
        static char path[300];

        if (!path[0])
                (void) snprintf(path, sizeof(path), "%s/systemd/private", bus_runtime_dir());
        return path;
}

static int open_at(sd_bus **ret, const char *address, bool bus_client) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);

        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0 && bus_client)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

int bus_open_user_bus(sd_bus **ret) {
        const char *e = getenv("DBUS_SESSION_BUS_ADDRESS");
        char address[320];

        if (e && *e)
                return open_at(ret, e, true);
        (void) snprintf(address, sizeof(address), "unix:path=%s/bus", bus_runtime_dir());
        return open_at(ret, address, true);
}

int bus_connect_user_quiet(int fd, bool dbus_first, sd_bus **ret) {
        char address[320];
        int r;

        (void) snprintf(address, sizeof(address), "unix:path=%s", bus_user_private_socket());
        if (dbus_first) {
                safe_close(fd);
                r = bus_open_user_bus(ret);
                if (r >= 0 || r == -ENOPKG)
                        return r;
                log_debug_errno(r, "Failed to connect to the user bus, trying %s: %m", bus_user_private_socket());
                return open_at(ret, address, false);
        }
        if (fd >= 0) {
                _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
                r = sd_bus_new(&bus);
                if (r >= 0 && (r = sd_bus_set_fd(bus, fd, fd)) >= 0)
                        fd = -EBADF; /* the bus's now */
                safe_close(fd);
                if (r >= 0)
                        r = sd_bus_start(bus);
                if (r >= 0) {
                        *ret = TAKE_PTR(bus);
                        return 0;
                }
        } else
                r = open_at(ret, address, false);
        if (r >= 0 || r == -ENOPKG)
                return r;
        log_debug_errno(r, "Failed to connect to %s, trying the user bus: %m", bus_user_private_socket());
        return bus_open_user_bus(ret);
}

int bus_log_no_user_manager(int r) {
        uid_t uid = userns_outer_uid();
        const struct passwd *pw = getpwuid(uid);
        char user[64];

        (void) snprintf(user, sizeof(user), "%s", pw ? pw->pw_name : "");
        if (!user[0])
                (void) snprintf(user, sizeof(user), "%u", (unsigned) uid);
        if (access(bus_runtime_dir(), F_OK) < 0)
                return log_error_errno(r, "runscope runs rootless (uid %u) and needs that user's systemd manager, but there is "
                                          "no %s (no session and no lingering): run 'loginctl enable-linger %s'",
                                       (unsigned) uid, bus_runtime_dir(), user);
        return log_error_errno(r, "runscope runs rootless (uid %u) and needs that user's systemd manager, which answers "
                                  "neither at %s nor on a user bus at %s/bus: run 'loginctl enable-linger %s' (a user "
                                  "bus needs dbus-user-session)",
                               (unsigned) uid, bus_user_private_socket(), bus_runtime_dir(), user);
}
