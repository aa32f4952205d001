/* Protocol buffers' wire format, as much as CRIU's RPC needs: varints and length-delimited fields
 * (strings, nested messages) written into a growing buffer, and read back one field at a time.
 * Knows no schema; never logs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

typedef struct PbWriter {
        uint8_t *data;
        size_t size, allocated;
        int error; /* the first failure (-ENOMEM); every later put is a no-op */
} PbWriter;

#define PB_WRITER_NULL { .data = NULL }

void pb_writer_done(PbWriter *w);
/* A varint field (wire type 0): uint32, uint64, bool and enum values. */
void pb_put_uint(PbWriter *w, uint32_t field, uint64_t value);
static inline void pb_put_bool(PbWriter *w, uint32_t field, bool value) {
        pb_put_uint(w, field, value);
}
/* int32: a negative value is sign-extended to 64 bits (ten bytes), as protobuf does. */
void pb_put_int32(PbWriter *w, uint32_t field, int32_t value);
/* A length-delimited field (wire type 2): bytes, a string (NULL puts nothing), or a nested message
 * written with its own PbWriter. */
void pb_put_bytes(PbWriter *w, uint32_t field, const void *data, size_t size);
void pb_put_string(PbWriter *w, uint32_t field, const char *s);
void pb_put_message(PbWriter *w, uint32_t field, const PbWriter *nested);

typedef struct PbField {
        uint32_t number;
        int wire_type;       /* 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
        uint64_t value;      /* of a varint or a fixed field */
        const uint8_t *data; /* of a length-delimited one: points into the buffer read */
        size_t size;
} PbField;

/* The field at *offset in buf, and *offset moved past it: 1, or 0 at the end; -EBADMSG when the
 * bytes are not a well-formed field. */
int pb_next(const uint8_t *buf, size_t size, size_t *offset, PbField *ret);
/* A length-delimited field's bytes as a NUL-terminated string in buf (cut to fit). */
void pb_field_string(const PbField *f, char *buf, size_t size);
