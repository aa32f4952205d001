/* libsystemd, loaded when it is first used rather than when runscope starts: the verbs that never
 * talk to systemd (state, start, kill, list, features, --version) then do not map it and the five
 * libraries it pulls in (libgcrypt, liblzma, libzstd, liblz4, libcap), which it binds at load time
 * (BIND_NOW): about half a millisecond of every such call. Each sd_* function runscope uses is
 * defined here under its own name, so the rest of the code calls libsystemd as usual and nothing
 * links it. Must never change what a function does: each forwards its arguments as they are (the
 * variadic ones through their va_list twins). Without libsystemd, the calls that make a bus fail
 * with -ENOPKG after one error line; the ones that free something have nothing to free. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "util/log.h"

#define LIBSYSTEMD "libsystemd.so.0"

/* One pointer per function, of the function's own type (from the headers). */
#define SYMBOLS(X)                                                                                             \
        X(sd_bus_call) X(sd_bus_call_async) X(sd_bus_call_methodv) X(sd_bus_error_copy) X(sd_bus_error_free)   \
        X(sd_bus_error_has_name) X(sd_bus_error_is_set) X(sd_bus_flush_close_unref) X(sd_bus_get_events)       \
        X(sd_bus_get_fd) X(sd_bus_get_property) X(sd_bus_get_property_string) X(sd_bus_get_property_trivial)  \
        X(sd_bus_is_bus_client)                                                                                \
        X(sd_bus_match_signal) X(sd_bus_match_signal_async) X(sd_bus_message_appendv)                          \
        X(sd_bus_message_append_array) X(sd_bus_message_append_strv) X(sd_bus_message_close_container)         \
        X(sd_bus_message_enter_container) X(sd_bus_message_get_errno) X(sd_bus_message_get_error)              \
        X(sd_bus_message_is_method_error) X(sd_bus_message_new_method_call) X(sd_bus_message_open_container)   \
        X(sd_bus_message_readv) X(sd_bus_message_set_expect_reply) X(sd_bus_message_unref) X(sd_bus_new)       \
        X(sd_bus_send) X(sd_bus_open_system) X(sd_bus_path_encode) X(sd_bus_process) X(sd_bus_ref)             \
        X(sd_bus_set_address) X(sd_bus_set_fd) X(sd_bus_slot_unref) X(sd_bus_unref) X(sd_bus_start)            \
        X(sd_bus_wait) X(sd_notify) X(sd_notify_barrier) X(sd_bus_set_bus_client) X(sd_bus_message_seal)     \
        X(sd_bus_message_rewind) X(sd_bus_message_skip) X(sd_bus_message_peek_type)                            \
        X(sd_bus_message_exit_container)

#define POINTER(name) static __typeof__(name) *p_##name;
SYMBOLS(POINTER)
#undef POINTER

/* 1 loaded, 0 not tried, < 0 failed (and said so, once). */
static int loaded;

static int load(void) {
        const char *file = LIBSYSTEMD;
        void *lib;

        if (loaded != 0)
                return loaded;
#ifdef RUNSCOPE_FAULT_POINTS
        /* The fault build can be given another file, one that is not there. */
        const char *fault = getenv("RUNSCOPE_FAULT_LIBSYSTEMD");
        if (fault)
                file = fault;
#endif
        lib = dlopen(file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!lib) {
                log_error("Failed to load %s, needed to talk to systemd: %s", file, dlerror());
                return (loaded = -ENOPKG);
        }
#define RESOLVE(name)                                                                                              \
        if (!(*(void **) &p_##name = dlsym(lib, #name))) {                                                         \
                log_error("%s has no %s (libsystemd >= 247 is needed)", file, #name);                               \
                return (loaded = -ENOPKG);                                                                         \
        }
        SYMBOLS(RESOLVE)
#undef RESOLVE
        return (loaded = 1);
}

/* A function that needs the library: fails without it. */
#define FORWARD(ret, name, params, args)                                                                           \
        ret name params {                                                                                          \
                int _r = load();                                                                                   \
                if (_r < 0)                                                                                        \
                        return _r;                                                                                 \
                return p_##name args;                                                                              \
        }
FORWARD(int, sd_bus_new, (sd_bus **ret), (ret))
FORWARD(int, sd_bus_open_system, (sd_bus **ret), (ret))
FORWARD(int, sd_bus_set_address, (sd_bus *bus, const char *address), (bus, address))
FORWARD(int, sd_bus_set_fd, (sd_bus *bus, int input_fd, int output_fd), (bus, input_fd, output_fd))
FORWARD(int, sd_bus_set_bus_client, (sd_bus *bus, int b), (bus, b))
FORWARD(int, sd_bus_start, (sd_bus *bus), (bus))
FORWARD(int, sd_bus_is_bus_client, (sd_bus *bus), (bus))
FORWARD(int, sd_bus_process, (sd_bus *bus, sd_bus_message **r), (bus, r))
FORWARD(int, sd_bus_get_fd, (sd_bus *bus), (bus))
FORWARD(int, sd_bus_get_events, (sd_bus *bus), (bus))
FORWARD(int, sd_bus_wait, (sd_bus *bus, uint64_t timeout_usec), (bus, timeout_usec))
FORWARD(int, sd_bus_send, (sd_bus *bus, sd_bus_message *m, uint64_t *cookie), (bus, m, cookie))
FORWARD(int, sd_bus_call,
        (sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error, sd_bus_message **reply),
        (bus, m, usec, ret_error, reply))
FORWARD(int, sd_bus_call_async,
        (sd_bus *bus, sd_bus_slot **slot, sd_bus_message *m, sd_bus_message_handler_t callback, void *userdata,
         uint64_t usec),
        (bus, slot, m, callback, userdata, usec))
FORWARD(int, sd_bus_get_property,
        (sd_bus *bus, const char *destination, const char *path, const char *interface, const char *member,
         sd_bus_error *ret_error, sd_bus_message **reply, const char *type),
        (bus, destination, path, interface, member, ret_error, reply, type))
FORWARD(int, sd_bus_get_property_string,
        (sd_bus *bus, const char *destination, const char *path, const char *interface, const char *member,
         sd_bus_error *ret_error, char **ret),
        (bus, destination, path, interface, member, ret_error, ret))
FORWARD(int, sd_bus_get_property_trivial,
        (sd_bus *bus, const char *destination, const char *path, const char *interface, const char *member,
         sd_bus_error *ret_error, char type, void *ret_ptr),
        (bus, destination, path, interface, member, ret_error, type, ret_ptr))
FORWARD(int, sd_bus_match_signal,
        (sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path, const char *interface,
         const char *member, sd_bus_message_handler_t callback, void *userdata),
        (bus, ret, sender, path, interface, member, callback, userdata))
FORWARD(int, sd_bus_match_signal_async,
        (sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path, const char *interface,
         const char *member, sd_bus_message_handler_t callback, sd_bus_message_handler_t install_callback,
         void *userdata),
        (bus, ret, sender, path, interface, member, callback, install_callback, userdata))
FORWARD(int, sd_bus_message_new_method_call,
        (sd_bus *bus, sd_bus_message **m, const char *destination, const char *path, const char *interface,
         const char *member),
        (bus, m, destination, path, interface, member))
FORWARD(int, sd_bus_message_appendv, (sd_bus_message *m, const char *types, va_list ap), (m, types, ap))
FORWARD(int, sd_bus_message_append_array, (sd_bus_message *m, char type, const void *ptr, size_t size),
        (m, type, ptr, size))
FORWARD(int, sd_bus_message_append_strv, (sd_bus_message *m, char **l), (m, l))
FORWARD(int, sd_bus_message_open_container, (sd_bus_message *m, char type, const char *contents),
        (m, type, contents))
FORWARD(int, sd_bus_message_close_container, (sd_bus_message *m), (m))
FORWARD(int, sd_bus_message_enter_container, (sd_bus_message *m, char type, const char *contents),
        (m, type, contents))
FORWARD(int, sd_bus_message_exit_container, (sd_bus_message *m), (m))
FORWARD(int, sd_bus_message_seal, (sd_bus_message *m, uint64_t cookie, uint64_t timeout_usec), (m, cookie, timeout_usec))
FORWARD(int, sd_bus_message_rewind, (sd_bus_message *m, int complete), (m, complete))
FORWARD(int, sd_bus_message_skip, (sd_bus_message *m, const char *types), (m, types))
FORWARD(int, sd_bus_message_peek_type, (sd_bus_message *m, char *type, const char **contents), (m, type, contents))
FORWARD(int, sd_bus_message_set_expect_reply, (sd_bus_message *m, int b), (m, b))
FORWARD(int, sd_bus_message_get_errno, (sd_bus_message *m), (m))
FORWARD(int, sd_bus_message_is_method_error, (sd_bus_message *m, const char *name), (m, name))
FORWARD(int, sd_bus_error_copy, (sd_bus_error *dest, const sd_bus_error *e), (dest, e))
FORWARD(int, sd_bus_path_encode, (const char *prefix, const char *external_id, char **ret_path),
        (prefix, external_id, ret_path))
FORWARD(int, sd_notify, (int unset_environment, const char *state), (unset_environment, state))
FORWARD(int, sd_notify_barrier, (int unset_environment, uint64_t timeout), (unset_environment, timeout))

/* The ones that only take hold of, or apart, what the library made: nothing to do without it. */
sd_bus *sd_bus_ref(sd_bus *bus) {
        return loaded > 0 ? p_sd_bus_ref(bus) : NULL;
}

sd_bus *sd_bus_unref(sd_bus *bus) {
        return loaded > 0 ? p_sd_bus_unref(bus) : NULL;
}

sd_bus *sd_bus_flush_close_unref(sd_bus *bus) {
        return loaded > 0 ? p_sd_bus_flush_close_unref(bus) : NULL;
}

sd_bus_message *sd_bus_message_unref(sd_bus_message *m) {
        return loaded > 0 ? p_sd_bus_message_unref(m) : NULL;
}

sd_bus_slot *sd_bus_slot_unref(sd_bus_slot *slot) {
        return loaded > 0 ? p_sd_bus_slot_unref(slot) : NULL;
}

const sd_bus_error *sd_bus_message_get_error(sd_bus_message *m) {
        return loaded > 0 ? p_sd_bus_message_get_error(m) : NULL;
}

/* An error only the library can have set: without it, it is empty. */
void sd_bus_error_free(sd_bus_error *e) {
        if (loaded > 0)
                p_sd_bus_error_free(e);
}

int sd_bus_error_is_set(const sd_bus_error *e) {
        return loaded > 0 ? p_sd_bus_error_is_set(e) : 0;
}

int sd_bus_error_has_name(const sd_bus_error *e, const char *name) {
        return loaded > 0 ? p_sd_bus_error_has_name(e, name) : 0;
}

int sd_bus_error_has_names_sentinel(const sd_bus_error *e, ...) {
        va_list ap;
        const char *name;
        int r = 0;

        va_start(ap, e);
        while (!r && (name = va_arg(ap, const char *)))
                r = sd_bus_error_has_name(e, name);
        va_end(ap);
        return r;
}

int sd_bus_message_append(sd_bus_message *m, const char *types, ...) {
        va_list ap;
        int r = load();

        if (r < 0)
                return r;
        va_start(ap, types);
        r = p_sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        return r;
}

int sd_bus_message_read(sd_bus_message *m, const char *types, ...) {
        va_list ap;
        int r = load();

        if (r < 0)
                return r;
        va_start(ap, types);
        r = p_sd_bus_message_readv(m, types, ap);
        va_end(ap);
        return r;
}

int sd_bus_call_method(sd_bus *bus, const char *destination, const char *path, const char *interface,
                       const char *member, sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...) {
        va_list ap;
        int r = load();

        if (r < 0)
                return r;
        va_start(ap, types);
        r = p_sd_bus_call_methodv(bus, destination, path, interface, member, ret_error, reply, types, ap);
        va_end(ap);
        return r;
}
