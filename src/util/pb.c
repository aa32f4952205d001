/* Protocol buffers' wire format: varints and length-delimited fields, written and read. Never
 * interprets a field; never reads past the buffer it is given. */
#include <string.h>

#include "pb.h"

void pb_writer_done(PbWriter *w) {
        free(w->data);
        *w = (PbWriter) PB_WRITER_NULL;
}

static uint8_t *reserve(PbWriter *w, size_t n) {
        if (w->error < 0)
                return NULL;
        if (w->size + n > w->allocated) {
                size_t a = w->allocated ? w->allocated * 2 : 256;
                while (a < w->size + n)
                        a *= 2;
                uint8_t *d = realloc(w->data, a);
                if (!d) {
                        w->error = -ENOMEM;
                        return NULL;
                }
                w->data = d;
                w->allocated = a;
        }
        uint8_t *p = w->data + w->size;
        w->size += n;
        return p;
}

static void put_varint(PbWriter *w, uint64_t v) {
        uint8_t buf[10];
        size_t n = 0;

        do {
                buf[n] = (uint8_t) (v & 0x7f);
                v >>= 7;
                if (v)
                        buf[n] |= 0x80;
                n++;
        } while (v);
        uint8_t *p = reserve(w, n);
        if (p)
                memcpy(p, buf, n);
}

void pb_put_uint(PbWriter *w, uint32_t field, uint64_t value) {
        put_varint(w, (uint64_t) field << 3);
        put_varint(w, value);
}

void pb_put_int32(PbWriter *w, uint32_t field, int32_t value) {
        pb_put_uint(w, field, (uint64_t) (int64_t) value);
}

void pb_put_bytes(PbWriter *w, uint32_t field, const void *data, size_t size) {
        put_varint(w, ((uint64_t) field << 3) | 2);
        put_varint(w, size);
        uint8_t *p = reserve(w, size);
        if (p && size)
                memcpy(p, data, size);
}

void pb_put_string(PbWriter *w, uint32_t field, const char *s) {
        if (s)
                pb_put_bytes(w, field, s, strlen(s));
}

void pb_put_message(PbWriter *w, uint32_t field, const PbWriter *nested) {
        if (nested->error < 0) {
                if (w->error >= 0)
                        w->error = nested->error;
                return;
        }
        pb_put_bytes(w, field, nested->data, nested->size);
}

static int get_varint(const uint8_t *buf, size_t size, size_t *offset, uint64_t *ret) {
        uint64_t v = 0;

        for (unsigned shift = 0; shift < 64; shift += 7) {
                if (*offset >= size)
                        return -EBADMSG;
                uint8_t b = buf[(*offset)++];
                v |= (uint64_t) (b & 0x7f) << shift;
                if (!(b & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return -EBADMSG;
}

int pb_next(const uint8_t *buf, size_t size, size_t *offset, PbField *ret) {
        uint64_t key, v = 0;
        size_t o = *offset, width;
        int r;

        if (o >= size)
                return 0;
        r = get_varint(buf, size, &o, &key);
        if (r < 0)
                return r;
        PbField f = { .number = (uint32_t) (key >> 3), .wire_type = (int) (key & 7) };
        if (f.number == 0)
                return -EBADMSG;
        switch (f.wire_type) {
        case 0:
                r = get_varint(buf, size, &o, &f.value);
                if (r < 0)
                        return r;
                break;
        case 1:
        case 5:
                width = f.wire_type == 1 ? 8 : 4;
                if (size - o < width)
                        return -EBADMSG;
                for (size_t i = 0; i < width; i++)
                        v |= (uint64_t) buf[o + i] << (8 * i);
                f.value = v;
                o += width;
                break;
        case 2:
                r = get_varint(buf, size, &o, &v);
                if (r < 0)
                        return r;
                if (v > size - o)
                        return -EBADMSG;
                f.data = buf + o;
                f.size = (size_t) v;
                o += f.size;
                break;
        default:
                return -EBADMSG; /* groups (3, 4) are long deprecated; nothing sends them */
        }
        *offset = o;
        *ret = f;
        return 1;
}

void pb_field_string(const PbField *f, char *buf, size_t size) {
        size_t n = f->wire_type == 2 ? f->size : 0;

        if (size == 0)
                return;
        if (n >= size)
                n = size - 1;
        if (n)
                memcpy(buf, f->data, n);
        buf[n] = 0;
}
