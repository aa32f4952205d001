/* A D-Bus message body (D-Bus specification, "Message Protocol", marshalling in the native byte
 * order), written with the part of sd-bus's append API the unit properties use, so that props.c can
 * fill either an sd_bus_message or this for wire.c. What goes in is checked as sd-bus checks it:
 * types and signatures are valid, what is appended inside a struct, dict entry, variant or array is
 * what its signature says, and a container closes only complete.
 *
 * Must never write past what it allocated (every write reserves its bytes first, and the body stops
 * at the specification's 128 MiB) nor produce a body sd-bus would reject: alignment is from the
 * body's start (which a message puts at an offset aligned to 8), an array pads to its element's
 * alignment even when empty, and its length counts the bytes after that padding. Never logs. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/wire-msg.h"
#include "util/alloc.h"

#define MAX_BODY ((size_t) 1 << 27)  /* the specification's limit of a message */
#define MAX_ARRAY ((size_t) 1 << 26) /* and of an array's length */
#define MAX_NESTING 32               /* of a type's containers (the specification's: 32 arrays, 32 structs) */

static const char basic_types[] = "ybnqiuxtdsog"; /* no 'h': a body here carries no fds */

void wire_msg_done(WireMsg *m) {
        free(m->b);
        *m = (WireMsg) WIRE_MSG_NULL;
}

/* Records r (if it is an error) as m's error: it sticks. */
static int fail(WireMsg *m, int r) {
        if (r < 0 && m->error == 0)
                m->error = r;
        return r;
}

static bool is_basic(char c) {
        return c != 0 && strchr(basic_types, c);
}

/* The length of the complete type s starts with, 0 if it does not start with one. A dict entry is
 * one only as an array's element (in_array). */
static size_t type_len(const char *s, unsigned nesting, bool in_array) {
        if (nesting > MAX_NESTING)
                return 0;
        if (is_basic(s[0]) || s[0] == 'v')
                return 1;
        if (s[0] == 'a') {
                size_t l = type_len(s + 1, nesting + 1, true);
                return l ? l + 1 : 0;
        }
        if (s[0] == '{') {
                if (!in_array || !is_basic(s[1]))
                        return 0;
                size_t l = type_len(s + 2, nesting + 1, false);
                return l && s[2 + l] == '}' ? l + 3 : 0;
        }
        if (s[0] != '(' || s[1] == ')')
                return 0;
        size_t i = 1;
        while (s[i] != ')') {
                size_t l = type_len(s + i, nesting + 1, false);
                if (l == 0)
                        return 0;
                i += l;
        }
        return i + 1;
}

/* A sequence of complete types, at most max long (so the empty signature too). */
static bool signature_valid(const char *s, size_t max) {
        size_t i = 0, n = strlen(s);

        if (n > max)
                return false;
        while (i < n) {
                size_t l = type_len(s + i, 0, false);
                if (l == 0)
                        return false;
                i += l;
        }
        return true;
}

static size_t alignment(char type) {
        switch (type) {
        case 'n': case 'q': return 2;
        case 'b': case 'i': case 'u': case 's': case 'o': case 'a': return 4;
        case 'x': case 't': case 'd': case '(': case '{': return 8;
        default: return 1; /* y, g, v */
        }
}

/* Checks that the complete type t (of length len) is what comes next where m is: at the top level
 * anything is, and goes into m's signature; in a container, the next of its contents. */
static int expect(WireMsg *m, const char *t, size_t len) {
        if (m->depth == 0) {
                size_t used = strlen(m->signature);
                if (len >= sizeof(m->signature) - used)
                        return -E2BIG;
                memcpy(m->signature + used, t, len);
                m->signature[used + len] = 0;
                return 0;
        }
        typeof(m->stack[0]) *c = &m->stack[m->depth - 1];
        size_t n = strlen(c->contents);
        /* Complete types are prefix-free: matching at a type's start is matching that whole type. */
        if (len > n - c->contents_used || memcmp(c->contents + c->contents_used, t, len) != 0)
                return -ENXIO;
        c->contents_used += len;
        if (c->type == 'a' && c->contents_used == n)
                c->contents_used = 0; /* one element written, the next may follow */
        return 0;
}

static int reserve(WireMsg *m, size_t extra) {
        if (extra > MAX_BODY - m->n)
                return -E2BIG;
        size_t need = m->n + extra, size = m->allocated ? m->allocated : 256;
        if (need <= m->allocated)
                return 0;
        while (size < need)
                size *= 2;
        if (size > MAX_BODY)
                size = MAX_BODY;
        uint8_t *b = realloc(m->b, size);
        if (!b)
                return -ENOMEM;
        m->b = b;
        m->allocated = size;
        return 0;
}

static int put(WireMsg *m, const void *p, size_t size) {
        int r = reserve(m, size);
        if (r < 0)
                return r;
        if (size > 0)
                memcpy(m->b + m->n, p, size);
        m->n += size;
        return 0;
}

static int pad(WireMsg *m, size_t align) {
        static const uint8_t zeros[8];
        return put(m, zeros, ((m->n + align - 1) & ~(align - 1)) - m->n);
}

static int put_fixed(WireMsg *m, size_t align, const void *p, size_t size) {
        int r = pad(m, align);
        return r < 0 ? r : put(m, p, size);
}

/* Valid UTF-8 as sd-bus takes it: no overlong form, surrogate or noncharacter, nothing past U+10FFFF. */
static bool utf8_valid(const char *s) {
        static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };

        for (const uint8_t *p = (const uint8_t *) s; *p;) {
                size_t len = *p < 0x80 ? 1 : *p < 0xc0 ? 0 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : *p < 0xf8 ? 4 : 0;
                if (len == 0)
                        return false;
                uint32_t c = len == 1 ? *p : *p & (0x7fu >> len);
                for (size_t i = 1; i < len; i++) {
                        if ((p[i] & 0xc0) != 0x80) /* the NUL too: nothing is read past it */
                                return false;
                        c = c << 6 | (p[i] & 0x3fu);
                }
                if (c < least[len] || c >= 0x110000 || (c & 0xfffff800) == 0xd800 || (c >= 0xfdd0 && c <= 0xfdef) ||
                    (c & 0xfffe) == 0xfffe)
                        return false;
                p += len;
        }
        return true;
}

static int put_string(WireMsg *m, char type, const char *s) {
        if (!s || (type == 's' && !utf8_valid(s)))
                return -EINVAL;
        size_t n = strlen(s);
        if (type == 'g') {
                if (!signature_valid(s, UINT8_MAX))
                        return -EINVAL;
                uint8_t len = (uint8_t) n;
                int r = put(m, &len, 1);
                return r < 0 ? r : put(m, s, n + 1);
        }
        if (n > MAX_BODY)
                return -E2BIG;
        uint32_t len = (uint32_t) n;
        int r = put_fixed(m, 4, &len, sizeof(len));
        return r < 0 ? r : put(m, s, n + 1);
}

static bool path_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* An object path: "/", or '/'-separated non-empty elements of [A-Za-z0-9_]. */
static bool object_path_valid(const char *p) {
        if (!p || p[0] != '/')
                return false;
        for (const char *c = p + 1; *c; c++)
                if (*c == '/' ? c[-1] == '/' || c[1] == 0 : !path_char(*c))
                        return false;
        return true;
}

/* One basic value of type, from ap as sd_bus_message_appendv takes it. */
static int append_basic(WireMsg *m, char type, va_list *ap) {
        union {
                uint8_t y;
                uint16_t q;
                uint32_t u;
                uint64_t t;
                double d;
        } v;
        size_t size;
        const char *s = NULL;

        switch (type) {
        case 'y': v.y = (uint8_t) va_arg(*ap, int), size = 1; break;
        case 'b': v.u = (uint32_t) (va_arg(*ap, int) != 0), size = 4; break;
        case 'n': case 'q': v.q = (uint16_t) va_arg(*ap, int), size = 2; break;
        case 'i': case 'u': v.u = va_arg(*ap, uint32_t), size = 4; break;
        case 'x': case 't': v.t = va_arg(*ap, uint64_t), size = 8; break;
        case 'd': v.d = va_arg(*ap, double), size = 8; break;
        case 's': case 'o': case 'g': s = va_arg(*ap, const char *), size = 0; break;
        default: return -EINVAL;
        }
        if (type == 'o' && !object_path_valid(s))
                return -EINVAL;
        if ((type == 's' || type == 'g') && !s)
                return -EINVAL;
        int r = expect(m, &type, 1);
        if (r < 0)
                return r;
        return size > 0 ? put_fixed(m, size, &v, size) : put_string(m, type, s);
}

/* The complete type of a container of type with contents into buf ('v' for a variant). */
static size_t container_type(char type, const char *contents, char *buf, size_t size) {
        int n;
        switch (type) {
        case 'a': n = snprintf(buf, size, "a%s", contents); break;
        case 'r': n = snprintf(buf, size, "(%s)", contents); break;
        case 'e': n = snprintf(buf, size, "{%s}", contents); break;
        default: n = snprintf(buf, size, "v"); break;
        }
        return n > 0 && (size_t) n < size ? (size_t) n : 0;
}

static int open_check(WireMsg *m, char type, const char *contents, char *t, size_t size) {
        if (m->depth >= WIRE_MSG_DEPTH)
                return -E2BIG;
        if (!contents || type == 0 || !strchr("arev", type))
                return -EINVAL;
        size_t len = container_type(type, contents, t, size);
        const char *single = type == 'v' ? contents : t; /* must be one complete type */
        if (len == 0 || strlen(single) >= WIRE_MSG_SIGNATURE || type_len(single, 0, type == 'e') != strlen(single))
                return -EINVAL;
        if (type == 'e' && (m->depth == 0 || m->stack[m->depth - 1].type != 'a'))
                return -ENXIO; /* a dict entry is only ever an array's element */
        return m->depth > 0 ? expect(m, t, len) : 0;
}

/* What the container starts with: an array its length (set at its close) and its elements'
 * padding, a struct or dict entry its padding, a variant its contents' signature. */
static int open_write(WireMsg *m, char type, const char *contents) {
        typeof(m->stack[0]) *c = &m->stack[m->depth];
        uint32_t zero = 0;

        if (type == 'v')
                return put_string(m, 'g', contents);
        if (type != 'a')
                return pad(m, 8);
        int r = pad(m, 4);
        c->length_at = m->n;
        if (r >= 0)
                r = put(m, &zero, sizeof(zero));
        if (r >= 0)
                r = pad(m, alignment(contents[0]));
        c->elements_at = m->n;
        return r;
}

int wire_msg_open(WireMsg *m, char type, const char *contents) {
        char t[WIRE_MSG_SIGNATURE + 2];

        if (m->error < 0)
                return m->error;
        int r = open_check(m, type, contents, t, sizeof(t));
        if (r >= 0)
                r = open_write(m, type, contents);
        if (r < 0)
                return fail(m, r);
        typeof(m->stack[0]) *c = &m->stack[m->depth++];
        c->type = type;
        memcpy(c->contents, contents, strlen(contents) + 1); /* open_check: shorter than WIRE_MSG_SIGNATURE */
        c->contents_used = 0;
        return 0;
}

int wire_msg_close(WireMsg *m) {
        char t[WIRE_MSG_SIGNATURE + 2];

        if (m->error < 0)
                return m->error;
        if (m->depth == 0)
                return fail(m, -ENXIO);
        typeof(m->stack[0]) *c = &m->stack[m->depth - 1];
        if (c->type != 'a' && c->contents_used != strlen(c->contents))
                return fail(m, -ENXIO); /* a struct, dict entry or variant not complete */
        if (c->type == 'a') {
                size_t len = m->n - c->elements_at;
                if (len > MAX_ARRAY)
                        return fail(m, -E2BIG);
                uint32_t u = (uint32_t) len;
                memcpy(m->b + c->length_at, &u, sizeof(u));
        }
        m->depth--;
        if (m->depth > 0)
                return 0;
        size_t len = container_type(c->type, c->contents, t, sizeof(t));
        return fail(m, expect(m, t, len)); /* the top level's signature: the value is complete */
}

static int append_types(WireMsg *m, const char *types, size_t n, va_list *ap);

/* One value of the complete type t (len long), from ap. */
static int append_value(WireMsg *m, const char *t, size_t len, va_list *ap) {
        char contents[WIRE_MSG_SIGNATURE];
        int r;

        if (is_basic(t[0]))
                return fail(m, append_basic(m, t[0], ap));
        if (t[0] == 'v') {
                const char *s = va_arg(*ap, const char *);
                r = wire_msg_open(m, 'v', s);
                if (r >= 0)
                        r = append_types(m, s, strlen(s), ap);
                return r < 0 ? r : wire_msg_close(m);
        }
        size_t n = len - (t[0] == 'a' ? 1 : 2); /* an array's element, or what is between the brackets */
        if (n >= sizeof(contents))
                return fail(m, -EINVAL);
        memcpy(contents, t + 1, n);
        contents[n] = 0;
        char type = (char) (t[0] == 'a' ? 'a' : t[0] == '(' ? 'r' : 'e');
        r = wire_msg_open(m, type, contents);
        if (t[0] == 'a') {
                unsigned count = va_arg(*ap, unsigned);
                for (unsigned i = 0; r >= 0 && i < count; i++)
                        r = append_value(m, t + 1, n, ap);
        } else if (r >= 0)
                r = append_types(m, t + 1, n, ap);
        return r < 0 ? r : wire_msg_close(m);
}

/* Each complete type of types (n long, already checked valid) in turn. */
static int append_types(WireMsg *m, const char *types, size_t n, va_list *ap) {
        for (size_t i = 0; i < n;) {
                size_t l = type_len(types + i, 0, false);
                int r = append_value(m, types + i, l, ap);
                if (r < 0)
                        return r;
                i += l;
        }
        return 0;
}

int wire_msg_appendv(WireMsg *m, const char *types, va_list ap) {
        va_list aq;

        if (m->error < 0)
                return m->error;
        if (!types || !signature_valid(types, SIZE_MAX))
                return fail(m, -EINVAL);
        va_copy(aq, ap);
        int r = append_types(m, types, strlen(types), &aq);
        va_end(aq);
        return r;
}

int wire_msg_append(WireMsg *m, const char *types, ...) {
        va_list ap;

        va_start(ap, types);
        int r = wire_msg_appendv(m, types, ap);
        va_end(ap);
        return r;
}

int wire_msg_append_array(WireMsg *m, char type, const void *p, size_t size) {
        const char contents[2] = { type, 0 };
        size_t element = alignment(type);

        if (m->error < 0)
                return m->error;
        if (type == 0 || !strchr("ynqiuxtd", type) || (!p && size > 0)) /* no 'b', as sd-bus */
                return fail(m, -EINVAL);
        if (size % element != 0)
                return fail(m, -EINVAL);
        int r = wire_msg_open(m, 'a', contents);
        if (r < 0)
                return r;
        r = put(m, p, size); /* open padded it to its alignment, which is its size */
        return r < 0 ? fail(m, r) : wire_msg_close(m);
}

int wire_msg_append_strv(WireMsg *m, char **l) {
        int r = wire_msg_open(m, 'a', "s");
        for (char **s = l; r >= 0 && s && *s; s++)
                r = wire_msg_append(m, "s", *s);
        return r < 0 ? r : wire_msg_close(m);
}

int wire_msg_complete(const WireMsg *m) {
        if (m->error < 0)
                return m->error;
        return m->depth > 0 ? -EBUSY : 0;
}
