/* libFuzzer target: "NAME=VALUE" as the annotation org.systemd.property.NAME with VALUE, turned
 * into a unit property (props_append_resources) of a StartTransientUnit message built in memory.
 * sd-bus in systemd 252 refuses to build a message on a bus that was never started (-ENOTCONN), so
 * the bus is started on one end of a socketpair nobody reads: nothing is ever sent. */
#include <sys/socket.h>
#include <unistd.h>

#define FUZZ_OWN_INIT
#include "bus/bus.h"
#include "fuzz.h"
#include "util/strv.h"

static sd_bus *bus;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        int pair[2];

        fuzz_quiet_logging();
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0 || sd_bus_new(&bus) < 0 ||
            sd_bus_set_fd(bus, pair[0], pair[0]) < 0 || sd_bus_start(bus) < 0)
                abort();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *text = fuzz_text(data, size), *key = NULL;
        _cleanup_free_ Spec *spec = calloc(1, sizeof(Spec));
        char *eq = strchr(text, '=');

        if (!spec)
                abort();
        if (!eq)
                return 0;
        *eq = 0;
        if (asprintf(&key, "org.systemd.property.%s", text) < 0)
                abort();
        char *annotations[] = { key, eq + 1, NULL };
        spec->annotations = annotations;
        if (sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit") < 0 ||
            sd_bus_message_open_container(m, 'a', "(sv)") < 0)
                abort();
        if (props_append_resources(m, spec, NULL) >= 0 && sd_bus_message_close_container(m) < 0)
                abort(); /* what was accepted must make a well-formed message */
        return 0;
}
