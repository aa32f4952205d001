/* D-Bus spoken by hand, for the calls on the paths that count: exec's AttachProcessesToUnit (or,
 * where exec clones its launcher into the unit's cgroup, the Get of the unit's ControlGroup), and
 * create's and run's StartTransientUnit and StopUnit (unit-wire.c) and RegisterMachine and
 * UnregisterMachine (machine.c), with bodies from wire-msg.c; through dbus-daemon (after its Hello)
 * or on systemd's private socket. Loading libsystemd costs 2-3 ms here (it and the five libraries
 * it binds at load), and sd-bus waits for the answer to its authentication before it sends
 * anything; here the authentication goes out when the connection is made, and to dbus-daemon the
 * Hello and the call with it (D-Bus specification, "Authentication Protocol" and "Message
 * Protocol"); systemd gets a call once its OK is there (before_send()). Answers are read whole or,
 * for machined's, without waiting, resuming where a read stopped.
 *
 * Only ever a client of systemd's manager and of machined, as root: every other call and every
 * other case is sd-bus's (bus.c, unit.c). Must never read past what it holds (every length read is
 * checked against the bytes there before it is used) nor take a message for the answer without its
 * reply serial: systemd sends every direct connection its signals unasked (of which the JobRemoved
 * ones are kept, for a job wait), dbus-daemon answers the Hello and says NameAcquired, and the rest
 * is skipped. */
#include <byteswap.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bus/wire.h"
#include "util/alloc.h"

#define WIRE_TIMEOUT_MSEC 25000 /* sd-bus's default for a method call */
#define NATIVE_ENDIAN (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 'l' : 'B')
#define ALIGN(n, a) (((uint64_t) (n) + (a) - 1) & ~((uint64_t) (a) - 1))
/* The specification's limits: an array (the header fields) 64 MiB, a message 128 MiB. */
#define MAX_FIELDS ((uint64_t) 1 << 26)
#define MAX_MESSAGE ((uint64_t) 1 << 27)
/* A deadline that is no deadline: read what is there, and -EAGAIN for the rest. */
#define NOW INT64_MIN

enum { MSG_METHOD_CALL = 1, MSG_METHOD_RETURN = 2, MSG_ERROR = 3, MSG_SIGNAL = 4 };
/* What a method return's body is read for. */
enum { WANT_NOTHING, WANT_VARIANT_STRING, WANT_PATH };
enum { FIELD_PATH = 1, FIELD_INTERFACE = 2, FIELD_MEMBER = 3, FIELD_ERROR_NAME = 4, FIELD_REPLY_SERIAL = 5,
       FIELD_DESTINATION = 6, FIELD_SIGNATURE = 8 };

/* A message being written, in the native byte order; alignment is from its start. */
typedef struct Out {
        uint8_t b[2048]; /* a unit name of 255 bytes, each escaped to 3 in its object path, fits */
        size_t n;
        bool overflow;
} Out;

static void out_bytes(Out *o, const void *p, size_t n) {
        if (n > sizeof(o->b) - o->n) {
                o->overflow = true;
                return;
        }
        memcpy(o->b + o->n, p, n);
        o->n += n;
}

static void out_pad(Out *o, size_t align) {
        static const uint8_t zeros[8];
        out_bytes(o, zeros, ALIGN(o->n, align) - o->n);
}

static void out_u32(Out *o, uint32_t v) {
        out_pad(o, 4);
        out_bytes(o, &v, sizeof(v));
}

static void out_string(Out *o, const char *s) {
        size_t n = strlen(s);
        out_u32(o, (uint32_t) n);
        out_bytes(o, s, n + 1);
}

static void out_signature(Out *o, const char *s) {
        uint8_t n = (uint8_t) strlen(s);
        out_bytes(o, &n, 1);
        out_bytes(o, s, (size_t) n + 1);
}

/* One header field: a struct (aligned to 8) of its code and a variant of type sig. */
static void out_field(Out *o, uint8_t code, const char *sig, const char *value) {
        out_pad(o, 8);
        out_bytes(o, &code, 1);
        out_signature(o, sig);
        if (sig[0] == 'g')
                out_signature(o, value);
        else
                out_string(o, value);
}

/* The header of a method call to destination's path, interface and member, whose body (of signature
 * sig) has body_len bytes, padded to 8: the body follows. */
static int build_header(Out *o, uint32_t serial, const char *destination, const char *path, const char *interface,
                        const char *member, const char *sig, size_t body_len) {
        const uint8_t fixed[4] = { NATIVE_ENDIAN, MSG_METHOD_CALL, 0 /* flags: an answer is expected */, 1 };
        if (body_len > MAX_MESSAGE)
                return -E2BIG;
        out_bytes(o, fixed, sizeof(fixed));
        out_u32(o, (uint32_t) body_len);
        out_u32(o, serial);
        out_u32(o, 0); /* the fields' length, set below */
        size_t fields = o->n;
        out_field(o, FIELD_PATH, "o", path);
        out_field(o, FIELD_INTERFACE, "s", interface);
        out_field(o, FIELD_MEMBER, "s", member);
        out_field(o, FIELD_DESTINATION, "s", destination);
        if (sig[0])
                out_field(o, FIELD_SIGNATURE, "g", sig);
        uint32_t fields_len = (uint32_t) (o->n - fields);
        memcpy(o->b + 12, &fields_len, sizeof(fields_len));
        out_pad(o, 8);
        return o->overflow ? -ENAMETOOLONG : 0;
}

/* A method call, header and body (of signature sig, maybe empty) in o. */
static int build_call(Out *o, uint32_t serial, const char *destination, const char *path, const char *interface,
                      const char *member, const char *sig, const Out *body) {
        int r = build_header(o, serial, destination, path, interface, member, sig, body->n);
        if (r < 0)
                return r;
        out_bytes(o, body->b, body->n);
        return o->overflow || body->overflow ? -ENAMETOOLONG : 0;
}

static int build_attach(Out *o, uint32_t serial, const char *unit, const char *subcgroup, uint32_t pid) {
        /* The body, "ssau": it starts at an offset aligned to 8, so its own offsets align alike. */
        Out body = { .n = 0 };
        out_string(&body, unit);
        out_string(&body, subcgroup);
        out_u32(&body, sizeof(uint32_t)); /* the array's length in bytes: one pid */
        out_u32(&body, pid);
        return build_call(o, serial, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                          "org.freedesktop.systemd1.Manager", "AttachProcessesToUnit", "ssau", &body);
}

/* Get(interface, property) of the object at path: a variant comes back. */
static int build_get(Out *o, uint32_t serial, const char *path, const char *interface, const char *property) {
        Out body = { .n = 0 };
        out_string(&body, interface);
        out_string(&body, property);
        return build_call(o, serial, "org.freedesktop.systemd1", path, "org.freedesktop.DBus.Properties", "Get", "ss",
                          &body);
}

/* The object path of a unit, as sd_bus_path_encode makes it: each byte but [A-Za-z0-9] as _XX
 * (lower-case hex). */
static int unit_path(const char *unit, char *buf, size_t size) {
        static const char prefix[] = "/org/freedesktop/systemd1/unit/", hex[] = "0123456789abcdef";
        size_t n = sizeof(prefix) - 1;

        if (size < n + 2 || !unit[0])
                return -EINVAL;
        memcpy(buf, prefix, n);
        for (const unsigned char *p = (const unsigned char *) unit; *p; p++) {
                if (n + 4 > size)
                        return -ENAMETOOLONG;
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
                        buf[n++] = (char) *p;
                else {
                        buf[n++] = '_';
                        buf[n++] = hex[*p >> 4];
                        buf[n++] = hex[*p & 15];
                }
        }
        buf[n] = 0;
        return 0;
}

static int send_all(int fd, const void *p, size_t n) {
        const uint8_t *b = p;
        while (n > 0) {
                ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                b += k;
                n -= (size_t) k;
        }
        return 0;
}

static int64_t now_msec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* At least need bytes held, reading until deadline (CLOCK_MONOTONIC, ms). */
static int fill(WireConn *c, size_t need, int64_t deadline) {
        if (need > WIRE_BUF_SIZE)
                return -EBADMSG;
        if (c->end - c->start >= need)
                return 0;
        if (c->start + need > WIRE_BUF_SIZE) {
                memmove(c->buf, c->buf + c->start, c->end - c->start);
                c->end -= c->start;
                c->start = 0;
        }
        while (c->end - c->start < need) {
                if (deadline != NOW) {
                        int64_t left = deadline - now_msec();
                        if (left <= 0)
                                return -ETIMEDOUT;
                        struct pollfd p = { .fd = c->fd, .events = POLLIN };
                        int k = poll(&p, 1, (int) left);
                        if (k < 0 && errno != EINTR)
                                return -errno;
                        if (k <= 0)
                                continue;
                }
                ssize_t n = recv(c->fd, c->buf + c->end, WIRE_BUF_SIZE - c->end, MSG_DONTWAIT);
                if (n < 0 && errno == EAGAIN && deadline == NOW)
                        return -EAGAIN;
                if (n < 0 && errno != EINTR && errno != EAGAIN)
                        return -errno;
                if (n == 0)
                        return -ECONNRESET;
                if (n > 0)
                        c->end += (size_t) n;
        }
        return 0;
}

/* Consumes what is left to skip of a message (c->skipping), read or still to come, without
 * holding it: what a read without waiting leaves is skipped by the next read. */
static int drain(WireConn *c, int64_t deadline) {
        while (c->skipping > 0) {
                if (c->end == c->start) {
                        c->start = c->end = 0;
                        int r = fill(c, 1, deadline);
                        if (r < 0)
                                return r;
                }
                size_t k = c->end - c->start < c->skipping ? c->end - c->start : (size_t) c->skipping;
                c->start += k;
                c->skipping -= k;
        }
        return 0;
}

static int skip(WireConn *c, uint64_t n, int64_t deadline) {
        c->skipping += n;
        return drain(c, deadline);
}

/* The server's one line: "OK <guid>"; anything else (REJECTED, ERROR) refuses us. */
static int read_auth(WireConn *c, int64_t deadline) {
        for (;;) {
                const uint8_t *line = c->buf + c->start, *crlf = memmem(line, c->end - c->start, "\r\n", 2);
                if (crlf) {
                        bool ok = crlf - line >= 3 && memcmp(line, "OK ", 3) == 0;
                        c->start += (size_t) (crlf + 2 - line);
                        return ok ? 0 : -EPERM;
                }
                if (c->end - c->start >= 512)
                        return -EBADMSG;
                int r = fill(c, c->end - c->start + 1, deadline);
                if (r < 0)
                        return r;
        }
}

static uint32_t get_u32(const uint8_t *p, bool swap) {
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return swap ? bswap_32(v) : v;
}

/* A string of the message m (total bytes) at *off: u32 length (aligned to 4), bytes, NUL; or a
 * signature (sig): u8 length, bytes, NUL. *off moves past it. */
static const char *get_string(const uint8_t *m, size_t total, size_t *off, bool sig, bool swap) {
        size_t o = *off, n;
        if (sig) {
                if (o + 1 > total)
                        return NULL;
                n = m[o++];
        } else {
                o = ALIGN(o, 4);
                if (o + 4 > total)
                        return NULL;
                n = get_u32(m + o, swap);
                o += 4;
        }
        if (n >= total - o || m[o + n] != 0)
                return NULL;
        *off = o + n + 1;
        return (const char *) m + o;
}

typedef struct Answer {
        uint8_t type;
        bool has_reply_serial;
        uint32_t reply_serial;
        const char *error_name, *signature, *interface, *member;
} Answer;

/* The header fields of message m (its fields end at end); only those an answer has are kept. A
 * field of another type than s, o, g or u fails the message: none is defined, and skipping one
 * would need a parser of every signature, for what systemd never sends. */
static int parse_fields(const uint8_t *m, size_t end, bool swap, Answer *a) {
        for (size_t off = 16; ALIGN(off, 8) < end;) {
                off = ALIGN(off, 8);
                if (off + 4 > end || m[off + 1] != 1 || m[off + 3] != 0)
                        return -EBADMSG; /* code, then a signature of one type */
                uint8_t code = m[off];
                char type = (char) m[off + 2];
                off += 4;
                if (type == 'u') {
                        off = ALIGN(off, 4);
                        if (off + 4 > end)
                                return -EBADMSG;
                        if (code == FIELD_REPLY_SERIAL) {
                                a->has_reply_serial = true;
                                a->reply_serial = get_u32(m + off, swap);
                        }
                        off += 4;
                } else if (type == 's' || type == 'o' || type == 'g') {
                        const char *s = get_string(m, end, &off, type == 'g', swap);
                        if (!s)
                                return -EBADMSG;
                        if (code == FIELD_ERROR_NAME)
                                a->error_name = s;
                        else if (code == FIELD_SIGNATURE)
                                a->signature = s;
                        else if (code == FIELD_INTERFACE)
                                a->interface = s;
                        else if (code == FIELD_MEMBER)
                                a->member = s;
                } else
                        return -EBADMSG;
        }
        return 0;
}

/* As sd-bus maps them, for the errors AttachProcessesToUnit answers with; else -EIO. */
static int error_errno(const char *name) {
        static const struct {
                const char *name;
                int err;
        } table[] = {
                { "org.freedesktop.systemd1.NoSuchUnit", ENOENT },
                { "org.freedesktop.DBus.Error.AccessDenied", EACCES },
                { "org.freedesktop.DBus.Error.InvalidArgs", EINVAL },
                { "org.freedesktop.DBus.Error.UnknownMethod", EOPNOTSUPP },
                { "org.freedesktop.DBus.Error.ServiceUnknown", EHOSTUNREACH },
                { "org.freedesktop.DBus.Error.NameHasNoOwner", ENXIO },
                { "org.freedesktop.DBus.Error.LimitsExceeded", ENOBUFS },
                { "org.freedesktop.DBus.Error.NoReply", ETIMEDOUT },
                { "System.Error.ESRCH", ESRCH },
                { "System.Error.EBUSY", EBUSY },
                { "System.Error.ENOENT", ENOENT },
                { "System.Error.EPERM", EPERM },
                { "System.Error.EACCES", EACCES },
                { "System.Error.EINVAL", EINVAL },
        };
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
                if (strcmp(name, table[i].name) == 0)
                        return -table[i].err;
        return -EIO;
}

/* The string a method return's body holds as a variant ("v" of "s"), at off. */
static int get_variant_string(const uint8_t *m, size_t total, size_t off, const Answer *a, bool swap, char **ret) {
        const char *sig = a->signature && strcmp(a->signature, "v") == 0 ? get_string(m, total, &off, true, swap) : NULL;
        const char *s = sig && strcmp(sig, "s") == 0 ? get_string(m, total, &off, false, swap) : NULL;
        if (!s)
                return -EBADMSG;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* The object path a method return's body holds ("o"), at off. */
static int get_path(const uint8_t *m, size_t total, size_t off, const Answer *a, bool swap, char **ret) {
        const char *s = a->signature && strcmp(a->signature, "o") == 0 ? get_string(m, total, &off, false, swap) : NULL;
        if (!s)
                return -EBADMSG;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* A JobRemoved(u id, o job, s unit, s result) of systemd's manager, kept in the ring of c->jobs; any
 * other signal is let be. */
static void keep_job_removed(WireConn *c, const uint8_t *m, size_t total, size_t off, const Answer *a, bool swap) {
        if (!a->member || strcmp(a->member, "JobRemoved") != 0 || !a->interface ||
            strcmp(a->interface, "org.freedesktop.systemd1.Manager") != 0 || !a->signature || strcmp(a->signature, "uoss") != 0)
                return;
        off = ALIGN(off, 4) + 4; /* the job's id */
        const char *path = off <= total ? get_string(m, total, &off, false, swap) : NULL;
        const char *unit = path ? get_string(m, total, &off, false, swap) : NULL;
        const char *result = unit ? get_string(m, total, &off, false, swap) : NULL;
        WireJob *j = &c->jobs[c->n_jobs % ELEMENTSOF(c->jobs)];
        if (!result || strlen(path) >= sizeof(j->path) || strlen(result) >= sizeof(j->result))
                return; /* not one of ours: those are short */
        (void) snprintf(j->path, sizeof(j->path), "%s", path);
        (void) snprintf(j->result, sizeof(j->result), "%s", result);
        c->n_jobs++;
}

/* Reads messages until the answer to serial; 0 for a method return (with ret_value, what want asks
 * for), else see wire.h. */
static int read_answer(WireConn *c, uint32_t serial, int64_t deadline, char **ret_error, int want, char **ret_value) {
        for (;;) {
                int r = drain(c, deadline);
                if (r >= 0)
                        r = fill(c, 16, deadline);
                if (r < 0)
                        return r;
                const uint8_t *m = c->buf + c->start;
                if ((m[0] != 'l' && m[0] != 'B') || m[3] != 1)
                        return -EBADMSG;
                bool swap = m[0] != NATIVE_ENDIAN;
                uint64_t fields_len = get_u32(m + 12, swap), body_len = get_u32(m + 4, swap);
                uint64_t header = 16 + ALIGN(fields_len, 8), total = header + body_len;
                if (fields_len > MAX_FIELDS || total > MAX_MESSAGE)
                        return -EBADMSG;
                if ((m[1] != MSG_METHOD_RETURN && m[1] != MSG_ERROR && m[1] != MSG_SIGNAL) ||
                    (m[1] == MSG_SIGNAL && total > WIRE_BUF_SIZE)) {
                        r = skip(c, total, deadline); /* a call systemd would not make, a signal not ours */
                        if (r < 0)
                                return r;
                        continue;
                }
                if (total > WIRE_BUF_SIZE)
                        return -EBADMSG; /* an answer to this call is far smaller */
                r = fill(c, (size_t) total, deadline);
                if (r < 0)
                        return r;
                m = c->buf + c->start;
                Answer a = { .type = m[1] };
                r = parse_fields(m, 16 + (size_t) fields_len, swap, &a);
                c->start += (size_t) total;
                if (r < 0 && a.type == MSG_SIGNAL)
                        continue; /* a header field of a type an answer never has: not ours */
                if (r < 0)
                        return r;
                size_t off = (size_t) header;
                if (a.type == MSG_SIGNAL)
                        keep_job_removed(c, m, (size_t) total, off, &a, swap);
                if (a.type == MSG_SIGNAL && serial == 0)
                        return -EAGAIN; /* wire_wait_job() looks at each signal */
                if (a.type == MSG_SIGNAL || !a.has_reply_serial || a.reply_serial != serial)
                        continue;
                c->error_name[0] = 0;
                if (a.type == MSG_METHOD_RETURN && want == WANT_VARIANT_STRING)
                        return get_variant_string(m, (size_t) total, off, &a, swap, ret_value);
                if (a.type == MSG_METHOD_RETURN && want == WANT_PATH)
                        return get_path(m, (size_t) total, off, &a, swap, ret_value);
                if (a.type == MSG_METHOD_RETURN)
                        return 0;
                if (!a.error_name)
                        return -EBADMSG;
                (void) snprintf(c->error_name, sizeof(c->error_name), "%s", a.error_name);
                /* The error's text is its body's first string, when it has one. */
                const char *text = a.signature && a.signature[0] == 's' ? get_string(m, (size_t) total, &off, false, swap) : NULL;
                if (ret_error) {
                        *ret_error = strdup(text ? text : a.error_name);
                        if (!*ret_error)
                                return -ENOMEM;
                }
                return error_errno(a.error_name);
        }
}

int wire_start(WireConn *c, int fd) {
        char auth[64] = "\0AUTH EXTERNAL ", uid[16];
        size_t n = sizeof("\0AUTH EXTERNAL ") - 1;

        /* The caller's wire_close() closes fd and frees buf, whatever fails here. */
        *c = (WireConn) { .fd = fd, .timeout_msec = WIRE_TIMEOUT_MSEC, .buf = malloc(WIRE_BUF_SIZE) };
        if (!c->buf)
                return -ENOMEM;
        /* A NUL first (the credentials byte), then EXTERNAL with our uid in hex-encoded decimal, and
         * BEGIN at once: the server reads it after sending its OK. */
        (void) snprintf(uid, sizeof(uid), "%u", (unsigned) geteuid());
        for (const char *p = uid; *p; p++)
                n += (size_t) snprintf(auth + n, sizeof(auth) - n, "%02x", (unsigned char) *p);
        n += (size_t) snprintf(auth + n, sizeof(auth) - n, "\r\nBEGIN\r\n");
        return send_all(fd, auth, n);
}

int wire_socket_connect(const char *path, bool wait) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        size_t n = strlen(path);
        if (n >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, n + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (wait ? 0 : SOCK_NONBLOCK), 0);
        if (fd < 0)
                return -errno;
        /* connect waits while the listener's backlog is full (a systemd that hangs), and send
         * while its buffer is: neither longer than a call may take. */
        struct timeval tv = { .tv_sec = WIRE_TIMEOUT_MSEC / 1000 };
        if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        /* Blocking from here on: a send then waits, bounded by SO_SNDTIMEO, rather than fail. */
        if (!wait && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int wire_connect(WireConn *c, const char *path, bool wait) {
        int fd = wire_socket_connect(path, wait);
        if (fd < 0) {
                *c = (WireConn) WIRE_CONN_NULL;
                return fd;
        }
        int r = wire_start(c, fd);
        if (r < 0)
                wire_close(c);
        return r;
}

int wire_hello(WireConn *c) {
        Out o = { .n = 0 }, none = { .n = 0 };
        c->ahead_ok = true; /* a bus: dbus-daemon reads what follows BEGIN as it comes */
        int r = build_call(&o, ++c->serial, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                           "Hello", "", &none);
        return r < 0 ? r : send_all(c->fd, o.b, o.n);
}

void wire_close(WireConn *c) {
        c->fd = safe_close(c->fd);
        free(c->buf);
        c->buf = NULL;
}

/* The server's answer to the authentication, unless read already. */
static int authenticated(WireConn *c, int64_t deadline, char **ret_error) {
        if (c->authenticated)
                return 0;
        int r = read_auth(c, deadline);
        if (r == -EPERM && ret_error && !(*ret_error = strdup("the server refused the authentication")))
                return -ENOMEM;
        if (r < 0)
                return r;
        c->authenticated = true;
        return 0;
}

/* Before a message to systemd itself, its OK is read: systemd's server (252 here) takes BEGIN only
 * once its OK is written, and a call that came in the same read as AUTH and BEGIN is read only when
 * more comes (systemd/systemd#24875): such a call, sent on a fresh connection, waited out its whole
 * timeout here. dbus-daemon takes messages sent ahead (c->ahead_ok, from wire_hello()). */
static int before_send(WireConn *c, int64_t deadline, char **ret_error) {
        return c->ahead_ok ? 0 : authenticated(c, deadline, ret_error);
}

/* Reads the answer to serial (the authentication's first, if not read yet). */
static int answer(WireConn *c, uint32_t serial, int64_t deadline, char **ret_error, int want, char **ret_value) {
        int r = authenticated(c, deadline, ret_error);
        return r < 0 ? r : read_answer(c, serial, deadline, ret_error, want, ret_value);
}

/* Sends the call built in o (serial c->serial) and reads its answer. */
static int call(WireConn *c, const Out *o, int64_t deadline, char **ret_error) {
        int r = before_send(c, deadline, ret_error);
        if (r >= 0)
                r = send_all(c->fd, o->b, o->n);
        return r < 0 ? r : answer(c, c->serial, deadline, ret_error, WANT_NOTHING, NULL);
}

int wire_attach_process(WireConn *c, const char *unit, const char *subcgroup, pid_t pid, char **ret_error) {
        int64_t deadline = now_msec() + c->timeout_msec;
        Out o = { .n = 0 };

        if (ret_error)
                *ret_error = NULL;
        int r = build_attach(&o, ++c->serial, unit, subcgroup, (uint32_t) pid);
        return r < 0 ? r : call(c, &o, deadline, ret_error);
}

int wire_send_control_group(WireConn *c, const char *unit, const char *interface, uint32_t *ret_serial) {
        char path[1024];
        Out o = { .n = 0 };

        int r = unit_path(unit, path, sizeof(path));
        if (r >= 0)
                r = build_get(&o, ++c->serial, path, interface, "ControlGroup");
        if (r >= 0)
                r = before_send(c, now_msec() + c->timeout_msec, NULL);
        if (r >= 0)
                r = send_all(c->fd, o.b, o.n);
        if (r >= 0)
                *ret_serial = c->serial;
        return r;
}

int wire_read_control_group(WireConn *c, uint32_t serial, char **ret_cgroup, char **ret_error) {
        if (ret_error)
                *ret_error = NULL;
        return answer(c, serial, now_msec() + c->timeout_msec, ret_error, WANT_VARIANT_STRING, ret_cgroup);
}

int wire_unit_control_group(WireConn *c, const char *unit, const char *interface, char **ret_cgroup, char **ret_error) {
        uint32_t serial;

        if (ret_error)
                *ret_error = NULL;
        int r = wire_send_control_group(c, unit, interface, &serial);
        return r < 0 ? r : wire_read_control_group(c, serial, ret_cgroup, ret_error);
}

int wire_send_call(WireConn *c, const char *destination, const char *path, const char *interface, const char *member,
                   const WireMsg *body, uint32_t *ret_serial) {
        Out o = { .n = 0 };
        int r = body ? wire_msg_complete(body) : 0;

        if (r >= 0)
                r = before_send(c, now_msec() + c->timeout_msec, NULL);
        if (r >= 0)
                r = build_header(&o, ++c->serial, destination, path, interface, member, body ? body->signature : "",
                                 body ? body->n : 0);
        if (r >= 0)
                r = send_all(c->fd, o.b, o.n);
        if (r >= 0 && body && body->n > 0)
                r = send_all(c->fd, body->b, body->n);
        if (r >= 0)
                *ret_serial = c->serial;
        return r;
}

int wire_read_reply(WireConn *c, uint32_t serial, char **ret_path, char **ret_error) {
        if (ret_error)
                *ret_error = NULL;
        return answer(c, serial, now_msec() + c->timeout_msec, ret_error, ret_path ? WANT_PATH : WANT_NOTHING, ret_path);
}

/* The result of job among the JobRemoved signals kept, or NULL. */
static const char *job_result(const WireConn *c, const char *job) {
        unsigned kept = c->n_jobs < ELEMENTSOF(c->jobs) ? c->n_jobs : (unsigned) ELEMENTSOF(c->jobs);
        for (unsigned i = 0; i < kept; i++)
                if (strcmp(c->jobs[i].path, job) == 0)
                        return c->jobs[i].result;
        return NULL;
}

int wire_wait_job(WireConn *c, const char *job, uint64_t timeout_usec, char **ret_result) {
        int64_t deadline = now_msec() + (int64_t) (timeout_usec / 1000);
        const char *result;

        /* A reply that never comes (serial 0 is no call's) reads message after message, keeping the
         * JobRemoved signals, until job's is among them. */
        while (!(result = job_result(c, job))) {
                if (now_msec() >= deadline)
                        return -ETIMEDOUT; /* signals may come without end, and none ours */
                int r = answer(c, 0, deadline, NULL, WANT_NOTHING, NULL);
                if (r < 0 && r != -EAGAIN)
                        return r;
                if (r >= 0)
                        return -EBADMSG; /* an answer to serial 0 */
        }
        *ret_result = strdup(result);
        return *ret_result ? 0 : -ENOMEM;
}

int wire_try_reply(WireConn *c, uint32_t serial, char **ret_error) {
        if (ret_error)
                *ret_error = NULL;
        return answer(c, serial, NOW, ret_error, WANT_NOTHING, NULL);
}
