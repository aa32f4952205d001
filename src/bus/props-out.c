/* The part of sd-bus's append API the unit properties use (props.c, props-extra.c), written either
 * into an sd-bus message or into a body of wire-msg.c: the same translation serves the calls sd-bus
 * sends and the StartTransientUnit that wire.c sends for `run`. Must never change what is written:
 * each call is forwarded as it is to the one destination set. */
#include <stdarg.h>

#include "bus.h"

int props_out_append(PropsOut *o, const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = o->wire ? wire_msg_appendv(o->wire, types, ap) : sd_bus_message_appendv(o->sd, types, ap);
        va_end(ap);
        return r;
}

int props_out_open(PropsOut *o, char type, const char *contents) {
        return o->wire ? wire_msg_open(o->wire, type, contents) : sd_bus_message_open_container(o->sd, type, contents);
}

int props_out_close(PropsOut *o) {
        return o->wire ? wire_msg_close(o->wire) : sd_bus_message_close_container(o->sd);
}

int props_out_append_array(PropsOut *o, char type, const void *p, size_t size) {
        return o->wire ? wire_msg_append_array(o->wire, type, p, size) : sd_bus_message_append_array(o->sd, type, p, size);
}

int props_out_append_strv(PropsOut *o, char **l) {
        return o->wire ? wire_msg_append_strv(o->wire, l) : sd_bus_message_append_strv(o->sd, l);
}
