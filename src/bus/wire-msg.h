/* A D-Bus message body built without libsystemd, with the part of sd-bus's append API that the unit
 * properties use (props.c, props-extra.c): what wire.c sends for `run` (see wire-msg.c). */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_MSG_DEPTH 16
#define WIRE_MSG_SIGNATURE 256

/* Native byte order; offsets (and so alignment) are from the body's start, which a message puts at
 * an offset aligned to 8. An error sticks: every later call returns it, and so does the close. */
typedef struct WireMsg {
        uint8_t *b;
        size_t n, allocated;
        int error;
        char signature[WIRE_MSG_SIGNATURE]; /* of the body's complete top-level values so far */
        unsigned depth;
        struct {
                char type;                          /* 'a', 'r', 'e' or 'v' */
                char contents[WIRE_MSG_SIGNATURE]; /* as open_container was given it */
                size_t contents_used;              /* of contents, for 'r', 'e' and 'v' */
                size_t length_at, elements_at;     /* 'a': its u32 length, its first element */
        } stack[WIRE_MSG_DEPTH];
} WireMsg;
#define WIRE_MSG_NULL { .n = 0 }

void wire_msg_done(WireMsg *m);
/* As sd_bus_message_appendv: types a sequence of complete types, each taking its value from ap (b, y,
 * n, q, i, u as int; x, t as 64 bits; d double; s, o, g strings; a: an unsigned count, then that
 * many elements; v: the contents' signature, then its values; (...) and {...}: their members). */
int wire_msg_appendv(WireMsg *m, const char *types, va_list ap);
int wire_msg_append(WireMsg *m, const char *types, ...);
/* As sd_bus_message_open_container (type 'a', 'r', 'e' or 'v'; contents the element's, members' or
 * value's signature) and sd_bus_message_close_container (the innermost open one). */
int wire_msg_open(WireMsg *m, char type, const char *contents);
int wire_msg_close(WireMsg *m);
/* As sd_bus_message_append_array: an array of a fixed-size basic type but b (y, n, q, i, u, x, t, d),
 * size bytes from p; and sd_bus_message_append_strv: an array of strings (l may be NULL). */
int wire_msg_append_array(WireMsg *m, char type, const void *p, size_t size);
int wire_msg_append_strv(WireMsg *m, char **l);
/* 0 once every container is closed (the body is complete), else the error or -EBUSY. */
int wire_msg_complete(const WireMsg *m);
