/* Unit tests of src/bus/wire.c against scripted byte streams, for what a real server does not send
 * on demand: answers and signals cut anywhere (wire_try_reply resumed after partial reads, a signal
 * larger than the buffer skipped across reads), malformed and overlong JobRemoved signals, the ring
 * of them, and a call to systemd that waits for the authentication's OK. */
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus/wire.h"
#include "util/alloc.h"
#include "util/fd.h"
#include "tap.h"

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER "org.freedesktop.systemd1.Manager"
#define JOB_PATH(n) "/org/freedesktop/systemd1/job/" #n
#define OK_LINE "OK 0123456789abcdef0123456789abcdef\r\n"
#define OK_LEN (sizeof(OK_LINE) - 1)

/* Messages written by hand, in the native byte order, one after another in b: alignment is from
 * the start of the message being written (base). */
typedef struct Raw {
        uint8_t b[65536];
        size_t n, base;
} Raw;

typedef struct RawMessage {
        uint8_t type;
        uint32_t reply_serial; /* 0: no such field */
        const char *interface, *member, *error_name, *signature;
} RawMessage;

static void raw_bytes(Raw *r, const void *p, size_t n) {
        if (n > 0) /* memcpy takes no NULL, even for nothing (UBSan says so) */
                memcpy(r->b + r->n, p, n);
        r->n += n;
}

static void raw_pad(Raw *r, size_t align) {
        while ((r->n - r->base) % align)
                r->b[r->n++] = 0;
}

static void raw_u32(Raw *r, uint32_t v) {
        raw_pad(r, 4);
        raw_bytes(r, &v, sizeof(v));
}

static void raw_string(Raw *r, const char *s) {
        raw_u32(r, (uint32_t) strlen(s));
        raw_bytes(r, s, strlen(s) + 1);
}

/* A header field: code, the signature of one type, the value. */
static void raw_field(Raw *r, uint8_t code, char type, const char *value) {
        const uint8_t head[4] = { code, 1, (uint8_t) type, 0 };
        raw_pad(r, 8);
        raw_bytes(r, head, sizeof(head));
        if (type == 'g') {
                uint8_t n = (uint8_t) strlen(value);
                raw_bytes(r, &n, 1);
                raw_bytes(r, value, (size_t) n + 1);
        } else
                raw_string(r, value);
}

/* Appends the message m with body (body_len bytes, written with alignment from its start). */
static void raw_message(Raw *r, const RawMessage *m, const void *body, size_t body_len) {
        static uint32_t serial = 1000;
        const uint8_t endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 'l' : 'B';
        const uint8_t fixed[4] = { endian, m->type, 1 /* no reply expected */, 1 };

        r->base = r->n;
        raw_bytes(r, fixed, sizeof(fixed));
        raw_u32(r, (uint32_t) body_len);
        raw_u32(r, ++serial);
        raw_u32(r, 0); /* the fields' length, set below */
        size_t fields = r->n;
        if (m->type == 4)
                raw_field(r, 1, 'o', MANAGER_PATH);
        if (m->interface)
                raw_field(r, 2, 's', m->interface);
        if (m->member)
                raw_field(r, 3, 's', m->member);
        if (m->error_name)
                raw_field(r, 4, 's', m->error_name);
        if (m->reply_serial) {
                const uint8_t head[4] = { 5, 1, 'u', 0 };
                raw_pad(r, 8);
                raw_bytes(r, head, sizeof(head));
                raw_u32(r, m->reply_serial);
        }
        if (m->signature)
                raw_field(r, 8, 'g', m->signature);
        uint32_t fields_len = (uint32_t) (r->n - fields);
        memcpy(r->b + r->base + 12, &fields_len, sizeof(fields_len));
        raw_pad(r, 8);
        raw_bytes(r, body, body_len);
}

/* A JobRemoved(id, job, unit, result) signal. */
static void raw_job_removed(Raw *r, uint32_t id, const char *job, const char *result) {
        Raw body = { .n = 0 };
        raw_u32(&body, id);
        raw_string(&body, job);
        raw_string(&body, "u.scope");
        raw_string(&body, result);
        static const RawMessage m = { .type = 4, .interface = MANAGER, .member = "JobRemoved", .signature = "uoss" };
        raw_message(r, &m, body.b, body.n);
}

/* A UnitNew signal whose name has size bytes: more than WireConn.buf holds makes it one to skip. */
static void raw_big_signal(Raw *r, size_t size) {
        static char name[20001];
        Raw body = { .n = 0 };
        memset(name, 'x', sizeof(name) - 1);
        name[size < sizeof(name) ? size : sizeof(name) - 1] = 0;
        raw_string(&body, name);
        raw_string(&body, "/org/freedesktop/systemd1/unit/x");
        static const RawMessage m = { .type = 4, .interface = MANAGER, .member = "UnitNew", .signature = "so" };
        raw_message(r, &m, body.b, body.n);
}

static void raw_return(Raw *r, uint32_t reply_serial) {
        raw_message(r, &(RawMessage) { .type = 2, .reply_serial = reply_serial }, NULL, 0);
}

static void raw_error(Raw *r, uint32_t reply_serial, const char *name, const char *text) {
        Raw body = { .n = 0 };
        raw_string(&body, text);
        raw_message(r, &(RawMessage) { .type = 3, .reply_serial = reply_serial, .error_name = name, .signature = "s" },
                    body.b, body.n);
}

/* A client on one end of a socketpair (a call of serial 1 sent), the test writing the other end. */
typedef struct Scripted {
        WireConn c;
        int fd;
        uint32_t serial;
} Scripted;
#define SCRIPTED_NULL { .c = WIRE_CONN_NULL, .fd = -EBADF }

static int scripted_open(Scripted *s) {
        int sv[2];

        s->c = (WireConn) WIRE_CONN_NULL;
        s->fd = -EBADF;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        s->fd = sv[1];
        return wire_start(&s->c, sv[0]);
}

/* The script's OK comes with the rest: the call goes ahead of it, as to dbus-daemon. */
static int scripted_start(Scripted *s) {
        int r = scripted_open(s);
        s->c.ahead_ok = true;
        return r < 0 ? r : wire_send_call(&s->c, DEST, MANAGER_PATH, MANAGER, "Reload", NULL, &s->serial);
}


static void scripted_done(Scripted *s) {
        wire_close(&s->c);
        s->fd = safe_close(s->fd);
}

static bool scripted_write(Scripted *s, const Raw *r, size_t from, size_t to) {
        return write(s->fd, r->b + from, to - from) == (ssize_t) (to - from);
}

/* To systemd itself, a call waits for the OK (systemd/systemd#24875): none is written before it. */
static void test_call_waits_for_ok(void) {
        _cleanup_(scripted_done) Scripted s = SCRIPTED_NULL;
        char buf[256];

        ASSERT_EQ(scripted_open(&s), 0);
        s.c.timeout_msec = 100;
        ASSERT_EQ(wire_send_call(&s.c, DEST, MANAGER_PATH, MANAGER, "Reload", NULL, &s.serial), -ETIMEDOUT);
        ssize_t n = recv(s.fd, buf, sizeof(buf), MSG_DONTWAIT);
        ASSERT_TRUE(n > 0 && memmem(buf, (size_t) n, "BEGIN\r\n", 7) == buf + n - 7); /* the authentication only */
        ASSERT_TRUE(write(s.fd, OK_LINE, OK_LEN) == (ssize_t) OK_LEN);
        ASSERT_EQ(wire_send_call(&s.c, DEST, MANAGER_PATH, MANAGER, "Reload", NULL, &s.serial), 0);
        n = recv(s.fd, buf, sizeof(buf), MSG_DONTWAIT);
        ASSERT_TRUE(n >= 16 && buf[0] == 'l' && buf[1] == 1); /* now the call */
}

/* Bytes read and not consumed yet. */
static bool held(const WireConn *c) {
        return c->end > c->start;
}

/* The answer without waiting, over a stream written in pieces: a signal larger than the client's
 * buffer cut in the middle, the rest of it with a JobRemoved, another call's answer and the first
 * half of ours, then the rest. */
static void test_try_reply_in_pieces(void) {
        _cleanup_(scripted_done) Scripted s = SCRIPTED_NULL;
        _cleanup_free_ char *error = NULL, *result = NULL;
        static Raw r;

        r.n = 0;
        ASSERT_EQ(scripted_start(&s), 0);
        ASSERT_EQ(s.serial, 1);
        raw_bytes(&r, OK_LINE, OK_LEN);
        raw_big_signal(&r, 20000);
        size_t big_end = r.n;
        ASSERT_TRUE(big_end - OK_LEN > WIRE_BUF_SIZE);
        raw_job_removed(&r, 7, JOB_PATH(7), "done");
        raw_return(&r, 99);
        size_t ours = r.n;
        raw_return(&r, 1);

        ASSERT_EQ(wire_try_reply(&s.c, 1, &error), -EAGAIN); /* nothing yet */
        ASSERT_TRUE(!held(&s.c));
        size_t half = OK_LEN + (big_end - OK_LEN) / 2;
        ASSERT_TRUE(scripted_write(&s, &r, 0, half));
        ASSERT_EQ(wire_try_reply(&s.c, 1, &error), -EAGAIN);
        ASSERT_TRUE(s.c.skipping > 0);
        ASSERT_TRUE(!held(&s.c)); /* skipped as it came */
        ASSERT_TRUE(scripted_write(&s, &r, half, ours + (r.n - ours) / 2));
        ASSERT_EQ(wire_try_reply(&s.c, 1, &error), -EAGAIN);
        ASSERT_EQ(s.c.skipping, 0);
        ASSERT_TRUE(held(&s.c)); /* half our answer, held */
        ASSERT_EQ(s.c.n_jobs, 1);
        ASSERT_EQ(wire_try_reply(&s.c, 1, &error), -EAGAIN); /* still half */
        ASSERT_TRUE(scripted_write(&s, &r, ours + (r.n - ours) / 2, r.n));
        (void) snprintf(s.c.error_name, sizeof(s.c.error_name), "stale");
        ASSERT_EQ(wire_try_reply(&s.c, 1, &error), 0);
        ASSERT_NULL(error);
        ASSERT_STREQ(s.c.error_name, "");
        ASSERT_TRUE(!held(&s.c));
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(7), 0, &result), 0);
        ASSERT_STREQ(result, "done");
}

/* Writes r in pieces of size bytes, asking for the answer after each: -EAGAIN until the last,
 * then its return (want). */
static int try_chopped(const Raw *r, size_t size, int want, char **ret_error, char *name, size_t name_size) {
        _cleanup_(scripted_done) Scripted s = SCRIPTED_NULL;
        int k = scripted_start(&s);

        for (size_t at = 0; (k >= 0 || k == -EAGAIN) && at < r->n; at += size) {
                size_t to = at + size < r->n ? at + size : r->n;
                if (!scripted_write(&s, r, at, to))
                        return -EIO;
                k = wire_try_reply(&s.c, s.serial, ret_error);
                if (to < r->n && k != -EAGAIN)
                        return -ENOTRECOVERABLE; /* an answer before it was all there, or a failure */
                if (to < r->n && *ret_error)
                        return -EEXIST;
        }
        if (k != want || held(&s.c) || s.c.skipping != 0)
                return -ENOTRECOVERABLE;
        (void) snprintf(name, name_size, "%s", s.c.error_name);
        return k;
}

/* The same stream, with an error answer, cut in pieces of every size from a byte on. */
static void test_try_reply_chopped(void) {
        static const size_t sizes[] = { 1, 3, 7, 16, 100, 4096, 12000, 70000 };
        static Raw r;

        r.n = 0;
        raw_bytes(&r, OK_LINE, OK_LEN);
        raw_big_signal(&r, 20000);
        raw_job_removed(&r, 7, JOB_PATH(7), "done");
        raw_big_signal(&r, 17000);
        raw_return(&r, 99);
        raw_error(&r, 1, "org.freedesktop.systemd1.NoSuchUnit", "Unit u.scope not loaded.");
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                _cleanup_free_ char *error = NULL;
                char name[128] = "";
                ASSERT_EQ(try_chopped(&r, sizes[i], -ENOENT, &error, name, sizeof(name)), -ENOENT);
                ASSERT_STREQ(error, "Unit u.scope not loaded.");
                ASSERT_STREQ(name, "org.freedesktop.systemd1.NoSuchUnit");
        }
}

/* A body "uoss" whose job path claims more bytes than there are, or lacks its NUL, or ends
 * before the unit: ignored, as is a job path or result longer than WireJob holds. */
static void test_job_removed_malformed(void) {
        _cleanup_(scripted_done) Scripted s = SCRIPTED_NULL;
        _cleanup_free_ char *error = NULL, *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
        const RawMessage job_removed = { .type = 4, .interface = MANAGER, .member = "JobRemoved", .signature = "uoss" };
        char longest[96], too_long[97];
        static Raw r;
        Raw body = { .n = 0 };

        memset(longest, 'j', sizeof(longest));
        memcpy(longest, JOB_PATH(), strlen(JOB_PATH()));
        memcpy(too_long, longest, sizeof(longest));
        longest[sizeof(longest) - 1] = too_long[sizeof(too_long) - 1] = 0;
        r.n = 0;
        raw_bytes(&r, OK_LINE, OK_LEN);
        raw_job_removed(&r, 1, JOB_PATH(1), "done");
        raw_u32(&body, 2);
        raw_u32(&body, 200); /* the job path's length: past the body */
        raw_bytes(&body, JOB_PATH(2), strlen(JOB_PATH(2)) + 1);
        raw_message(&r, &job_removed, body.b, body.n);
        body.n = 0;
        raw_u32(&body, 3);
        raw_u32(&body, (uint32_t) strlen(JOB_PATH(3)));
        raw_bytes(&body, JOB_PATH(3) "X", strlen(JOB_PATH(3)) + 1); /* no NUL */
        raw_message(&r, &job_removed, body.b, body.n);
        body.n = 0;
        raw_u32(&body, 4);
        raw_string(&body, JOB_PATH(4)); /* and no unit, no result */
        raw_message(&r, &job_removed, body.b, body.n);
        raw_message(&r, &job_removed, body.b, 2); /* not even its id */
        raw_job_removed(&r, 5, too_long, "done");
        raw_job_removed(&r, 6, JOB_PATH(6), "done-and-much-more");
        raw_job_removed(&r, 7, longest, "done");
        raw_return(&r, 1);

        ASSERT_EQ(scripted_start(&s), 0);
        ASSERT_TRUE(scripted_write(&s, &r, 0, r.n));
        ASSERT_EQ(wire_read_reply(&s.c, s.serial, NULL, &error), 0);
        ASSERT_EQ(s.c.n_jobs, 2); /* jobs 1 and 7 */
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(1), 0, &a), 0);
        ASSERT_STREQ(a, "done");
        ASSERT_EQ(wire_wait_job(&s.c, longest, 0, &b), 0);
        ASSERT_STREQ(b, "done");
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(2), 0, &c), -ETIMEDOUT);
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(4), 0, &d), -ETIMEDOUT);
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(6), 0, &e), -ETIMEDOUT);
        ASSERT_NULL(c);
        ASSERT_NULL(d);
        ASSERT_NULL(e);
}

/* The ring keeps the last 16 JobRemoved signals: the 17th read replaces the first. */
static void test_job_ring(void) {
        _cleanup_(scripted_done) Scripted s = SCRIPTED_NULL;
        _cleanup_free_ char *error = NULL, *first = NULL, *second = NULL, *last = NULL;
        static Raw r;
        char job[64];

        r.n = 0;
        raw_bytes(&r, OK_LINE, OK_LEN);
        for (unsigned i = 1; i <= 17; i++) {
                (void) snprintf(job, sizeof(job), JOB_PATH() "%u", i);
                raw_job_removed(&r, i, job, i == 17 ? "canceled" : "done");
        }
        raw_return(&r, 1);
        ASSERT_EQ(scripted_start(&s), 0);
        ASSERT_TRUE(scripted_write(&s, &r, 0, r.n));
        ASSERT_EQ(wire_read_reply(&s.c, s.serial, NULL, &error), 0);
        ASSERT_EQ(s.c.n_jobs, 17);
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(1), 0, &first), -ETIMEDOUT);
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(2), 0, &second), 0);
        ASSERT_STREQ(second, "done");
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(17), 0, &last), 0);
        ASSERT_STREQ(last, "canceled");
}

TEST_MAIN(test_try_reply_in_pieces, test_try_reply_chopped, test_job_removed_malformed, test_job_ring, test_call_waits_for_ok)
