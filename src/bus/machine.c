/* Registration of containers with systemd-machined, so machinectl sees them as it sees nspawn
 * machines: the system's over its own Varlink socket where it has one (systemd 257 and later), else
 * over D-Bus (as root on a connection of the link's own, spoken by wire.c without libsystemd; on a
 * connection the caller shares, or to a bus address that is not a unix socket, through sd-bus);
 * rootless, the per-user one of systemd 259 over Varlink, and none before.
 * Calls are written at once and their answers read later, so that machined's work overlaps
 * runscope's. Never fails a container: machined absent is a debug line, machined refusing
 * a warning. Must never leave a registration behind: one in flight is answered before it is undone. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "util/fault.h"
#include "util/fd.h"
#include "util/json.h"
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

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool bus_machine_name_is_valid(const char *name) {
        bool dot = true, hyphen = false; /* the start is a label's, as after a dot */
        size_t n = 0;

        for (const char *p = name; *p; p++, n++)
                if (*p == '.') {
                        if (dot || hyphen)
                                return false;
                        dot = true;
                        hyphen = false;
                } else if (*p == '-') {
                        if (dot)
                                return false;
                        hyphen = true;
                } else if (is_alnum(*p))
                        dot = hyphen = false;
                else
                        return false;
        return n > 0 && n <= 64 && !dot && !hyphen;
}

int bus_machine_name(const char *id, char **ret) {
        char name[65];
        size_t i = 0;

        if (bus_machine_name_is_valid(id)) {
                *ret = strdup(id);
                return *ret ? 0 : -ENOMEM;
        }
        /* Dots become '-' too, so that no label is empty or ends in '-'; the hash, which ends in a
         * hex digit, tells apart the ids this makes alike. */
        for (const char *p = id; *p && i < 55; p++) {
                if (is_alnum(*p))
                        name[i++] = *p;
                else if (i > 0)
                        name[i++] = '-';
        }
        (void) snprintf(name + i, sizeof(name) - i, "%s%08x", i > 0 ? "-" : "",
                        (unsigned) (fnv1a(id, 0xcbf29ce484222325ULL) & 0xffffffff));
        *ret = strdup(name);
        return *ret ? 0 : -ENOMEM;
}

/* A connection of the link's own is closed; a shared one only let go: its owner closes it. */
static sd_bus *link_drop(MachineLink *l) {
        sd_bus *bus = l->shared ? sd_bus_unref(l->bus) : sd_bus_flush_close_unref(l->bus);
        l->shared = false;
        return bus;
}

static void link_close(MachineLink *l) {
        l->bus = link_drop(l);
        if (l->wire)
                wire_close(l->wire);
        free(l->wire);
        l->wire = NULL;
        l->wire_pending = false;
        l->varlink.fd = safe_close(l->varlink.fd);
        l->varlink.pending = false;
}

void machine_link_done(MachineLink *l) {
        l->slot = sd_bus_slot_unref(l->slot);
        sd_bus_error_free(&l->error);
        link_close(l);
        free(l->name);
        l->name = NULL;
}

void machine_link_disconnect(MachineLink *l) {
        l->slot = sd_bus_slot_unref(l->slot);
        link_close(l);
}

bool machine_link_connected(const MachineLink *l) {
        return l->bus || l->wire || l->varlink.fd >= 0;
}

/* dbus-daemon without libsystemd: the authentication and the Hello written at once, their answers
 * read with the first call's. */
static int open_wire(MachineLink *l, const char *socket_path) {
        l->wire = malloc(sizeof(WireConn));
        if (!l->wire)
                return -ENOMEM;
        *l->wire = (WireConn) WIRE_CONN_NULL;
        int r = wire_connect(l->wire, socket_path, false);
        if (r >= 0)
                r = wire_hello(l->wire);
        if (r < 0)
                link_close(l);
        return r;
}

/* The system's machined by D-Bus: as root on a connection of the link's own, else through sd-bus. */
static void open_bus(MachineLink *l) {
        const char *socket_path = bus_system_socket();
        if (geteuid() == 0 && socket_path) {
                int r = open_wire(l, socket_path);
                if (r < 0)
                        log_debug_errno(r, "No system bus at %s, not talking to systemd-machined: %m", socket_path);
                return;
        }
        /* sd_bus_open_system() connects and writes the authentication, without waiting for its
         * answer: dbus-daemon does that, and our Hello, while the caller goes on. */
        int r = sd_bus_open_system(&l->bus);
        if (r < 0)
                log_debug_errno(r, "No system bus, not talking to systemd-machined: %m");
}

/* The system's machined of systemd 257 and later answers Register and Unregister on a Varlink
 * socket of its own, as root: a call there reaches machined without dbus-daemon, so no connection
 * to authenticate, no Hello, and no NameOwnerChanged for every runscope that comes and goes
 * (measured in the modern-host tier's guest: dbus-daemon's CPU per `run` was the largest part of
 * the registration's cost). No socket (before systemd 256, or machined not started yet, which a
 * D-Bus call activates) or nobody listening on it (machined exited): D-Bus. */
static bool open_system_varlink(MachineLink *l) {
        if (geteuid() != 0)
                return false;
        l->varlink.fd = socket_connect_unix(MACHINED_VARLINK);
        if (l->varlink.fd >= 0)
                return true;
        log_debug_errno(l->varlink.fd, "No Varlink socket of systemd-machined at %s, over D-Bus: %m", MACHINED_VARLINK);
        return false;
}

void machine_link_open(MachineLink *l) {
        if (bus_user_manager()) {
                char path[320];
                /* The system's machined registers only what root asks it to. A user's, of systemd 259,
                 * listens in the user's runtime directory (socket-activated); before, there is none. */
                (void) snprintf(path, sizeof(path), "%s/" BUS_USER_MACHINED, bus_runtime_dir());
                l->varlink.fd = access(path, F_OK) == 0 ? socket_connect_unix(path) : -ENOENT;
                if (l->varlink.fd < 0)
                        log_debug_errno(l->varlink.fd, "No per-user systemd-machined at %s, not registering: %m", path);
                return;
        }
        if (!open_system_varlink(l))
                open_bus(l);
}

void machine_link_use(MachineLink *l, sd_bus *bus) {
        if (bus_user_manager()) {
                if (!machine_link_connected(l))
                        machine_link_open(l);
                return;
        }
        /* Its own, kept since the registration: should dbus-daemon have dropped it meanwhile,
         * machine_link_unregister_send() finds out and sends on a new one. */
        if ((l->bus && !l->shared) || l->wire || l->varlink.fd >= 0)
                return;
        l->bus = link_drop(l);
        if (open_system_varlink(l))
                return;
        if (bus && sd_bus_is_bus_client(bus) > 0) {
                l->bus = sd_bus_ref(bus);
                l->shared = true;
        } else
                machine_link_open(l); /* systemd's private socket does not reach machined */
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        MachineLink *l = userdata;

        (void) ret_error;
        l->replied = true;
        l->result = 0;
        if (sd_bus_message_is_method_error(m, NULL)) {
                int e = sd_bus_message_get_errno(m);
                (void) sd_bus_error_copy(&l->error, sd_bus_message_get_error(m));
                l->result = e > 0 ? -e : -EIO;
        }
        return 0;
}

static const char *link_error_text(const MachineLink *l, int r) {
        if (l->varlink_error[0])
                return l->varlink_error;
        return l->wire_error[0] ? l->wire_error : bus_error_text(&l->error, r);
}

/* The answer of the call on wire (r and the error's text, taken): its result in l. */
static void wire_answered(MachineLink *l, int r, char *text) {
        l->replied = true;
        l->result = r < 0 ? r : 0;
        (void) snprintf(l->wire_error_name, sizeof(l->wire_error_name), "%s", r < 0 && l->wire ? l->wire->error_name : "");
        (void) snprintf(l->wire_error, sizeof(l->wire_error), "%s", text ?: r < 0 ? strerror(-r) : "");
        free(text);
}

/* The error name of the answer read, on whichever connection it came. */
static bool link_error_is(const MachineLink *l, const char *name) {
        return strcmp(l->wire_error_name, name) == 0 || sd_bus_error_has_name(&l->error, name);
}

static int link_name(MachineLink *l, const char *name) {
        if (name == l->name)
                return 0;
        free(l->name);
        l->name = strdup(name);
        return l->name ? 0 : log_oom();
}

/* Sends m and returns at once; machine_link_wait() reads the answer. The message goes out as far as
 * the connection allows now, without waiting (sd_bus_flush would wait for dbus-daemon to finish
 * authenticating us, 0.4 ms measured): machined works on it while the caller goes on, and what is
 * left is written when the answer is waited for. */
static void link_reset(MachineLink *l) {
        l->replied = false;
        l->result = 0;
        l->varlink_error[0] = 0;
        l->wire_error_name[0] = l->wire_error[0] = 0;
        sd_bus_error_free(&l->error);
}

/* The Varlink twin of link_send(): method with parameters (a JSON object's text). */
static int link_send_varlink(MachineLink *l, const char *method, const char *parameters) {
        link_reset(l);
        return varlink_send(&l->varlink, method, parameters);
}

/* Whatever sd-bus can do without waiting: the send, and what has come meanwhile. */
static int process_all(sd_bus *bus) {
        int r;

        do
                r = sd_bus_process(bus, NULL);
        while (r > 0);
        return r;
}

static int link_send(MachineLink *l, sd_bus_message *m) {
        int r;

        link_reset(l);
        l->slot = sd_bus_slot_unref(l->slot);
        r = sd_bus_call_async(l->bus, &l->slot, m, on_reply, l, 0);
        if (r < 0)
                return r;
        r = process_all(l->bus);
#ifdef RUNSCOPE_FAULT_POINTS
        /* The fault build can pause once sent and then read once more, as a runscope descheduled
         * here under load does: machined's answer then comes with the send (machine_link_answered()).
         * Only there: in any other build the one turn above is all the start pays for. */
        if (r >= 0) {
                FAULT_PAUSE("machine:sent");
                r = process_all(l->bus);
        }
#endif
        return r;
}

/* The wire twin of link_send(): member with body, the answer read later. */
static int link_send_wire(MachineLink *l, const char *member, const WireMsg *body) {
        link_reset(l);
        l->wire->error_name[0] = 0;
        int r = wire_send_call(l->wire, MACHINED, MACHINED_PATH, MACHINED_MANAGER, member, body, &l->wire_serial);
        if (r < 0)
                return r;
        l->wire_pending = true;
#ifdef RUNSCOPE_FAULT_POINTS
        /* As link_send(): paused once sent, then read without waiting, as a runscope descheduled
         * here under load could, so that the answer is there before anyone polls for it. */
        FAULT_PAUSE("machine:sent");
        char *text = NULL;
        r = wire_try_reply(l->wire, l->wire_serial, &text);
        if (r != -EAGAIN)
                wire_answered(l, r, text);
#endif
        return 0;
}

/* The reply read (whole, or all there is without waiting): its result in l. */
static int link_read_varlink(MachineLink *l, bool wait) {
        int r = varlink_read(&l->varlink, wait);
        if (r <= 0)
                return r;
        l->replied = true;
        l->result = varlink_error(&l->varlink, l->varlink_error, sizeof(l->varlink_error)) > 0 ? -EIO : 0;
        return 1;
}

static int link_wait(MachineLink *l) {
        int r;

        if (l->wire) {
                if (l->wire_pending && !l->replied) {
                        char *text = NULL;
                        r = wire_read_reply(l->wire, l->wire_serial, NULL, &text);
                        wire_answered(l, r, text);
                }
                l->wire_pending = false;
                return l->result;
        }
        if (l->varlink.fd >= 0) {
                r = l->varlink.pending ? link_read_varlink(l, true) : 0;
                if (r < 0) {
                        l->varlink.pending = false;
                        return r;
                }
                return l->result;
        }
        while (!l->replied) {
                r = sd_bus_process(l->bus, NULL);
                if (r > 0)
                        continue;
                if (r >= 0)
                        r = sd_bus_wait(l->bus, UINT64_MAX);
                if (r < 0 && r != -EINTR) {
                        l->slot = sd_bus_slot_unref(l->slot);
                        return r;
                }
        }
        l->slot = sd_bus_slot_unref(l->slot);
        return l->result;
}

/* io.systemd.Machine.Register, the parameters of RegisterMachine. */
static int register_varlink(MachineLink *l, const char *name, const uint8_t id[16], pid_t leader, const char *root) {
        char hex[33], escaped[1024], parameters[1536];

        for (size_t i = 0; i < 16; i++)
                (void) snprintf(hex + 2 * i, 3, "%02x", id[i]);
        json_escape(root, escaped, sizeof(escaped));
        (void) snprintf(parameters, sizeof(parameters),
                        "{\"name\":\"%s\",\"id\":\"%s\",\"service\":\"runscope\",\"class\":\"container\","
                        "\"leader\":%d,\"rootDirectory\":\"%s\"}",
                        name, hex, (int) leader, escaped);
        int r = link_send_varlink(l, "io.systemd.Machine.Register", parameters);
        if (r < 0) {
                log_debug_errno(r, "Failed to send Register for %s to the per-user systemd-machined: %m", name);
                link_close(l);
        }
        return 0;
}

/* RegisterMachine(s name, ay id, s service, s class, u leader, s root_directory) on wire. */
static int register_wire(MachineLink *l, const char *name, const uint8_t id[16], pid_t leader, const char *root) {
        _cleanup_(wire_msg_done) WireMsg body = WIRE_MSG_NULL;
        int r = wire_msg_append(&body, "s", name);
        if (r >= 0)
                r = wire_msg_append_array(&body, 'y', id, 16);
        if (r >= 0)
                r = wire_msg_append(&body, "ssus", "runscope", "container", (uint32_t) leader, root);
        if (r < 0)
                return log_error_errno(r, "Failed to build RegisterMachine: %m");
        r = link_send_wire(l, "RegisterMachine", &body);
        if (r < 0) {
                log_debug_errno(r, "Failed to send RegisterMachine for %s: %m", name);
                link_close(l);
        }
        return 0;
}

int machine_link_register(MachineLink *l, const char *name, const char *id, pid_t leader, const char *root_directory) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        uint8_t machine_id[16];
        int r;

        if (!machine_link_connected(l))
                return 0;
        r = link_name(l, name);
        if (r < 0)
                return r;
        /* A stable id from the container id: the same container is the same machine. */
        uint64_t a = fnv1a(id, 0xcbf29ce484222325ULL), b = fnv1a(id, 0x84222325cbf29ce4ULL);
        memcpy(machine_id, &a, 8);
        memcpy(machine_id + 8, &b, 8);
        machine_id[6] = (machine_id[6] & 0x0f) | 0x40; /* a v4-style UUID, as sd-id128 makes them */
        machine_id[8] = (machine_id[8] & 0x3f) | 0x80;
        if (l->varlink.fd >= 0)
                return register_varlink(l, name, machine_id, leader, root_directory);
        if (l->wire)
                return register_wire(l, name, machine_id, leader, root_directory);

        r = sd_bus_message_new_method_call(l->bus, &m, MACHINED, MACHINED_PATH, MACHINED_MANAGER, "RegisterMachine");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', machine_id, sizeof(machine_id));
        if (r >= 0)
                r = sd_bus_message_append(m, "ssus", "runscope", "container", (uint32_t) leader, root_directory);
        if (r < 0)
                return log_error_errno(r, "Failed to build RegisterMachine: %m");
        r = link_send(l, m);
        if (r < 0) {
                log_debug_errno(r, "Failed to send RegisterMachine for %s: %m", name);
                l->bus = link_drop(l);
        }
        return 0;
}

int machine_link_wait(MachineLink *l) {
        if (!machine_link_pending(l))
                return 0;
        int r = link_wait(l);
        if (r >= 0) {
                l->registered = true;
                return 0;
        }
        if (link_error_is(l, SD_BUS_ERROR_SERVICE_UNKNOWN) || link_error_is(l, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
            link_error_is(l, SD_BUS_ERROR_NO_SERVER))
                log_debug("systemd-machined is not there, not registering machine %s: %s", l->name,
                          link_error_text(l, r));
        else
                log_warning("systemd-machined refused to register machine %s, going on without it: %s", l->name,
                            link_error_text(l, r));
        return 0;
}

bool machine_link_answered(const MachineLink *l) {
        return ((l->bus && l->slot) || l->wire_pending) && l->replied;
}

bool machine_link_pending(const MachineLink *l) {
        return (l->bus && l->slot) || l->wire_pending || l->varlink.pending;
}

int machine_link_pending_fd(MachineLink *l, short *ret_events) {
        if (!machine_link_pending(l))
                return -EBADF;
        if (l->varlink.pending || l->wire_pending) {
                *ret_events = POLLIN;
                return l->wire_pending ? l->wire->fd : l->varlink.fd;
        }
        int fd = sd_bus_get_fd(l->bus), events = sd_bus_get_events(l->bus);
        if (fd < 0 || events < 0)
                return -EBADF;
        *ret_events = (short) events;
        return fd;
}

void machine_link_poll(MachineLink *l) {
        int r;

        if (!machine_link_pending(l))
                return;
        if (l->varlink.pending) {
                r = link_read_varlink(l, false);
                if (r != 0)
                        (void) machine_link_wait(l);
                return;
        }
        if (l->wire_pending) {
                char *text = NULL;
                if (!l->replied && (r = wire_try_reply(l->wire, l->wire_serial, &text)) != -EAGAIN)
                        wire_answered(l, r, text);
                /* Answered, or the connection failed: machine_link_wait() says which, without waiting. */
                if (l->replied)
                        (void) machine_link_wait(l);
                return;
        }
        do
                r = sd_bus_process(l->bus, NULL);
        while (r > 0 && !l->replied);
        /* Answered, or the connection failed: machine_link_wait() says which, without waiting. */
        if (l->replied || r < 0)
                (void) machine_link_wait(l);
}

static int unregister_send(MachineLink *l) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        if (l->varlink.fd >= 0) {
                char parameters[128];
                (void) snprintf(parameters, sizeof(parameters), "{\"name\":\"%s\"}", l->name);
                return link_send_varlink(l, "io.systemd.Machine.Unregister", parameters);
        }
        if (l->wire) {
                _cleanup_(wire_msg_done) WireMsg body = WIRE_MSG_NULL;
                r = wire_msg_append(&body, "s", l->name);
                return r < 0 ? r : link_send_wire(l, "UnregisterMachine", &body);
        }
        r = sd_bus_message_new_method_call(l->bus, &m, MACHINED, MACHINED_PATH, MACHINED_MANAGER, "UnregisterMachine");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", l->name);
        if (r >= 0)
                r = link_send(l, m);
        return r;
}

void machine_link_unregister_send(MachineLink *l, const char *name) {
        int r;

        if (link_name(l, name) < 0)
                return;
        if (!machine_link_connected(l))
                machine_link_open(l);
        if (!machine_link_connected(l))
                return;
        r = unregister_send(l);
        if (r < 0) {
                /* A connection dbus-daemon dropped (restarted meanwhile): once more, on one of
                 * the link's own. */
                link_close(l);
                machine_link_open(l);
                r = machine_link_connected(l) ? unregister_send(l) : -ENOTCONN;
        }
        if (r < 0) {
                log_debug_errno(r, "UnregisterMachine %s: %m", name);
                link_close(l);
        }
}

void machine_link_unregister_wait(MachineLink *l) {
        if (!machine_link_pending(l))
                return;
        int r = link_wait(l);
        if (r < 0 && strcmp(l->varlink_error, "org.varlink.service.MethodNotFound") == 0 && !bus_user_manager()) {
                /* systemd 256's machined takes Register on its Varlink socket, but not Unregister yet:
                 * that goes over D-Bus, where both are machined's since the start. */
                log_debug("systemd-machined has no Varlink Unregister, UnregisterMachine %s over D-Bus", l->name);
                link_close(l);
                open_bus(l);
                r = machine_link_connected(l) ? unregister_send(l) : -ENOTCONN;
                if (r >= 0)
                        r = link_wait(l);
        }
        /* Gone already: machined drops a machine when its unit stops. */
        if (r < 0 && !link_error_is(l, "org.freedesktop.machine1.NoSuchMachine") &&
            strcmp(l->varlink_error, "io.systemd.Machine.NoSuchMachine") != 0)
                log_debug("UnregisterMachine %s: %s", l->name, link_error_text(l, r));
        if (r >= 0)
                l->registered = false;
}

void machine_link_unregister_registered(MachineLink *l) {
        if (l->registered && !machine_link_pending(l))
                machine_link_unregister_send(l, l->name);
}

void machine_link_abort(MachineLink *l) {
        /* A registration in flight (the only call create leaves unanswered) is answered first, so
         * that it cannot land after the unregister. */
        if (machine_link_pending(l)) {
                LogLevel level = log_get_max_level();
                log_set_max_level(log_debug_enabled() ? LOG_LEVEL_DEBUG : LOG_LEVEL_OFF);
                (void) machine_link_wait(l);
                log_set_max_level(level);
        }
        machine_link_unregister_registered(l);
        machine_link_unregister_wait(l);
}
