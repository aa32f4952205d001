/* Unit tests of src/bus/wire.c, the hand-written AttachProcessesToUnit and Get of ControlGroup: against libsystemd's own
 * server side (the same code systemd's private socket runs) over a socketpair, and against scripted
 * byte streams for what a real server does not send on demand. */
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "bus/wire.h"
#include "util/alloc.h"
#include "tap.h"

enum { ANSWER_RETURN, ANSWER_NO_SUCH_UNIT, ANSWER_FAILED };

/* The unit and subcgroup the client names, and with get, a Get of the unit's ControlGroup instead. */
static const char *call_unit = "runscope-t.scope", *call_subcgroup = "";
static bool get;

static int send_signal(sd_bus *bus, const char *text) {
        sd_bus_message *s = NULL;
        int r = sd_bus_message_new_signal(bus, &s, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "UnitNew");
        if (r >= 0)
                r = sd_bus_message_append(s, "so", text, "/org/freedesktop/systemd1/unit/x");
        if (r >= 0)
                r = sd_bus_send(bus, s, NULL);
        sd_bus_message_unref(s);
        return r;
}

/* With with_hello, the client sends dbus-daemon's Hello first, and the server answers it as
 * dbus-daemon does: a unique name, then the NameAcquired signal. */
static bool with_hello;

static int serve_hello(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *s = NULL;
        int r;

        while (!m) {
                r = sd_bus_process(bus, &m);
                if (r < 0 || (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0))
                        return 10;
        }
        if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus", "Hello") ||
            strcmp(sd_bus_message_get_path(m), "/org/freedesktop/DBus") != 0 ||
            strcmp(sd_bus_message_get_destination(m), "org.freedesktop.DBus") != 0 || !sd_bus_message_has_signature(m, ""))
                return 11;
        if (sd_bus_reply_method_return(m, "s", ":1.42") < 0 ||
            sd_bus_message_new_signal(bus, &s, "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameAcquired") < 0 ||
            sd_bus_message_append(s, "s", ":1.42") < 0 || sd_bus_send(bus, s, NULL) < 0)
                return 12;
        return 0;
}

/* Until the client closes. */
static void serve_until_closed(sd_bus *bus) {
        while (sd_bus_process(bus, NULL) >= 0)
                if (sd_bus_wait(bus, UINT64_MAX) < 0)
                        break;
}

/* Answers m, which must be Get(Scope or Service interface, "ControlGroup") on call_unit's object
 * path as sd-bus encodes it, after a signal as systemd sends them. */
static int serve_get(sd_bus *bus, sd_bus_message *m, int answer) {
        _cleanup_free_ char *path = NULL;
        const char *interface = NULL, *property = NULL;
        int r;

        if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", call_unit, &path) < 0)
                return 20;
        if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Get") ||
            strcmp(sd_bus_message_get_path(m), path) != 0 ||
            strcmp(sd_bus_message_get_destination(m), "org.freedesktop.systemd1") != 0 || !sd_bus_message_has_signature(m, "ss"))
                return 21;
        if (sd_bus_message_read(m, "ss", &interface, &property) < 0 || strcmp(property, "ControlGroup") != 0 ||
            strcmp(interface, strstr(call_unit, ".service") ? "org.freedesktop.systemd1.Service" : "org.freedesktop.systemd1.Scope") != 0)
                return 22;
        if (send_signal(bus, "before") < 0)
                return 23;
        if (answer == ANSWER_RETURN)
                r = sd_bus_reply_method_return(m, "v", "s", "/machine.slice/runscope-t.scope");
        else
                r = sd_bus_reply_method_errorf(m, "org.freedesktop.DBus.Error.UnknownObject", "Unknown object '%s'.", path);
        if (r < 0 || sd_bus_flush(bus) < 0)
                return 24;
        serve_until_closed(bus);
        return 0;
}

/* The child's side: an sd-bus server that checks the call it gets (exit status 2..12 says what
 * was wrong), sends two signals first, one larger than the client's buffer, then the answer. */
static int serve_sd_bus(int fd, int answer) {
        /* Everything freed before the child exits: valgrind checks it for leaks too. */
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_id128_t id;
        const char *unit = NULL, *sub = NULL;
        const void *pids = NULL;
        size_t size = 0;
        int r;

        if (sd_id128_randomize(&id) < 0 || sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 ||
            sd_bus_set_server(bus, 1, id) < 0 || sd_bus_start(bus) < 0)
                return 2;
        if (with_hello && (r = serve_hello(bus)) != 0)
                return r;
        while (!m) {
                r = sd_bus_process(bus, &m);
                if (r < 0)
                        return 3;
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        return 3;
        }
        if (get)
                return serve_get(bus, m, answer);
        if (!sd_bus_message_is_method_call(m, "org.freedesktop.systemd1.Manager", "AttachProcessesToUnit") ||
            strcmp(sd_bus_message_get_path(m), "/org/freedesktop/systemd1") != 0 ||
            strcmp(sd_bus_message_get_destination(m), "org.freedesktop.systemd1") != 0 ||
            !sd_bus_message_has_signature(m, "ssau"))
                return 4;
        if (sd_bus_message_read(m, "ss", &unit, &sub) < 0 || sd_bus_message_read_array(m, 'u', &pids, &size) < 0)
                return 5;
        if (strcmp(unit, call_unit) != 0 || strcmp(sub, call_subcgroup) != 0 || size != 4 || *(const uint32_t *) pids != 4242)
                return 6;
        char big[20000];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        if (send_signal(bus, "small") < 0 || send_signal(bus, big) < 0)
                return 7;
        if (answer == ANSWER_RETURN)
                r = sd_bus_reply_method_return(m, NULL);
        else if (answer == ANSWER_NO_SUCH_UNIT)
                r = sd_bus_reply_method_errorf(m, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.", unit);
        else
                r = sd_bus_reply_method_errorf(m, SD_BUS_ERROR_FAILED, "it broke");
        if (r < 0 || sd_bus_flush(bus) < 0)
                return 8;
        serve_until_closed(bus);
        return 0;
}

/* With hold, a scripted server keeps its side open after the script (one that never answers);
 * timeout_msec, if set, is the client's. */
static bool hold;
static int timeout_msec;

/* The child's side: writes script, shuts its side down (unless hold), reads until the client
 * closes. */
static int serve_script(int fd, const void *script, size_t n) {
        char buf[4096];
        if (write(fd, script, n) != (ssize_t) n)
                return 2;
        if (!hold)
                (void) shutdown(fd, SHUT_WR);
        while (read(fd, buf, sizeof(buf)) > 0)
                ;
        return 0;
}

typedef struct Exchange {
        int r, child_status;
        char *error, *cgroup;
} Exchange;

/* One attach of pid 4242 to runscope-t.scope against a child serving with sd-bus (script NULL,
 * answering with answer) or writing script. */
static Exchange exchange(int answer, const void *script, size_t n) {
        Exchange e = { .r = -EBADF, .child_status = -1 };
        WireConn c = WIRE_CONN_NULL;
        int sv[2], status = 0;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return e;
        (void) fflush(stdout); /* the child must not write what the parent has buffered */
        pid_t pid = fork();
        if (pid == 0) {
                (void) close(sv[0]);
                _exit(script ? serve_script(sv[1], script, n) : serve_sd_bus(sv[1], answer));
        }
        (void) close(sv[1]);
        e.r = wire_start(&c, sv[0]);
        if (e.r >= 0 && with_hello)
                e.r = wire_hello(&c);
        if (timeout_msec > 0)
                c.timeout_msec = timeout_msec;
        if (e.r >= 0 && get)
                e.r = wire_unit_control_group(&c, call_unit,
                                              strstr(call_unit, ".service") ? "org.freedesktop.systemd1.Service"
                                                                             : "org.freedesktop.systemd1.Scope",
                                              &e.cgroup, &e.error);
        else if (e.r >= 0)
                e.r = wire_attach_process(&c, call_unit, call_subcgroup, 4242, &e.error);
        wire_close(&c);
        if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
                e.child_status = WEXITSTATUS(status);
        return e;
}

static void test_attach_return(void) {
        Exchange e = exchange(ANSWER_RETURN, NULL, 0);
        ASSERT_EQ(e.child_status, 0); /* the call was what systemd expects */
        ASSERT_EQ(e.r, 0);            /* the answer found behind the signals */
        ASSERT_NULL(e.error);
}

static void test_attach_errors(void) {
        static const struct {
                int answer, r;
                const char *text;
        } cases[] = {
                { ANSWER_NO_SUCH_UNIT, -ENOENT, "Unit runscope-t.scope not loaded." },
                { ANSWER_FAILED, -EIO, "it broke" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                /* One at a time: the next child must not inherit this one's allocation. */
                Exchange e = exchange(cases[i].answer, NULL, 0);
                _cleanup_free_ char *error = e.error;
                ASSERT_EQ(e.child_status, 0);
                ASSERT_EQ(e.r, cases[i].r);
                ASSERT_STREQ(error, cases[i].text);
        }
}

/* A method return answering reply_serial (24 bytes), in byte order endian. */
static size_t method_return(uint8_t *b, char endian, uint32_t reply_serial) {
        bool big = endian == 'B';
        memset(b, 0, 24);
        b[0] = (uint8_t) endian, b[1] = 2, b[3] = 1;
        b[big ? 11 : 8] = 9;  /* its own serial */
        b[big ? 15 : 12] = 8; /* fields: one, REPLY_SERIAL */
        b[16] = 5, b[17] = 1, b[18] = 'u';
        for (int i = 0; i < 4; i++)
                b[20 + i] = (uint8_t) (reply_serial >> (big ? 24 - 8 * i : 8 * i));
        return 24;
}

#define OK_LINE "OK 0123456789abcdef0123456789abcdef\r\n"
#define OK_LEN (sizeof(OK_LINE) - 1)

/* The authentication's OK, then a method return: what systemd sends. */
static size_t ok_then_return(uint8_t *s, char endian, uint32_t reply_serial) {
        memcpy(s, OK_LINE, OK_LEN);
        return OK_LEN + method_return(s + OK_LEN, endian, reply_serial);
}

static void test_answer_needs_its_serial(void) {
        uint8_t s[128];
        size_t n = ok_then_return(s, 'l', 7);
        Exchange e = exchange(0, s, n);
        ASSERT_EQ(e.r, -ECONNRESET); /* an answer to another call is not ours */
        n += method_return(s + n, 'l', 1);
        Exchange f = exchange(0, s, n);
        ASSERT_EQ(f.r, 0);
}

static void test_big_endian_answer(void) {
        uint8_t s[128];
        size_t n = ok_then_return(s, 'B', 1);
        Exchange e = exchange(0, s, n);
        ASSERT_EQ(e.r, 0);
}

static void test_refused(void) {
        static const char rejected[] = "REJECTED EXTERNAL\r\n";
        Exchange e = exchange(0, rejected, sizeof(rejected) - 1);
        _cleanup_free_ char *error = e.error;
        ASSERT_EQ(e.r, -EPERM);
        ASSERT_STREQ(error, "the server refused the authentication");
}

static void test_malformed(void) {
        uint8_t s[128];
        size_t at = OK_LEN, n = ok_then_return(s, 'l', 1);
        s[at + 17] = 2; /* a field's signature of two types */
        Exchange f = exchange(0, s, n);
        ASSERT_EQ(f.r, -EBADMSG);
        method_return(s + at, 'l', 1);
        s[at + 12] = 0xff, s[at + 13] = 0xff; /* fields far longer than any answer */
        Exchange g = exchange(0, s, n);
        ASSERT_EQ(g.r, -EBADMSG);
        method_return(s + at, 'l', 1);
        s[at + 20 - 4] = 4, s[at + 18] = 's'; /* ERROR_NAME as a string whose length runs past the end */
        s[at + 20] = 0xff;
        Exchange h = exchange(0, s, n);
        ASSERT_EQ(h.r, -EBADMSG);
        Exchange i = exchange(0, OK_LINE, OK_LEN);
        ASSERT_EQ(i.r, -ECONNRESET); /* closed before answering */
}

/* Other messages before the answer are skipped, whatever their type, but one claiming more than
 * the specification allows ends the exchange: it cannot be skipped to its end. */
static void test_other_messages(void) {
        uint8_t s[128];
        size_t at = OK_LEN, n = ok_then_return(s, 'l', 1);
        s[at + 1] = 1; /* a method call, with a reply serial field */
        n += method_return(s + n, 'l', 1);
        Exchange e = exchange(0, s, n);
        ASSERT_EQ(e.r, 0);
        s[at + 1] = 4; /* a signal whose fields would be 4 GiB */
        s[at + 12] = s[at + 13] = s[at + 14] = s[at + 15] = 0xff;
        Exchange f = exchange(0, s, n);
        ASSERT_EQ(f.r, -EBADMSG);
}

/* A server that authenticates and never answers: the call ends at its timeout. */
static void test_no_answer(void) {
        hold = true;
        timeout_msec = 200;
        Exchange e = exchange(0, OK_LINE, OK_LEN);
        hold = false;
        timeout_msec = 0;
        ASSERT_EQ(e.r, -ETIMEDOUT);
}

/* Through dbus-daemon: its Hello first, whose answer and NameAcquired are not the call's. */
static void test_hello_first(void) {
        with_hello = true;
        Exchange e = exchange(ANSWER_RETURN, NULL, 0);
        Exchange f = exchange(ANSWER_NO_SUCH_UNIT, NULL, 0);
        with_hello = false;
        _cleanup_free_ char *error = f.error;
        ASSERT_EQ(e.child_status, 0); /* the Hello and the call were what the servers expect */
        ASSERT_EQ(e.r, 0);
        ASSERT_EQ(f.child_status, 0);
        ASSERT_EQ(f.r, -ENOENT);
        ASSERT_STREQ(error, "Unit runscope-t.scope not loaded.");
}

/* A delegated unit's subcgroup (exec into a --keep-unit container's payload). */
static void test_attach_subcgroup(void) {
        call_unit = "runscope@web.service";
        call_subcgroup = "/payload";
        Exchange e = exchange(ANSWER_RETURN, NULL, 0);
        call_unit = "runscope-t.scope";
        call_subcgroup = "";
        ASSERT_EQ(e.child_status, 0);
        ASSERT_EQ(e.r, 0);
}

/* Get of ControlGroup: the object path as sd-bus encodes the unit's name (every byte but letters
 * and digits as _XX), the interface of its type, the string in the variant that comes back. */
static void test_control_group(void) {
        static const char *const units[] = { "runscope-t.scope", "runscope@a-b_c.d+e:f.service", "x.scope" };
        get = true;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                call_unit = units[i];
                Exchange e = exchange(ANSWER_RETURN, NULL, 0);
                _cleanup_free_ char *cgroup = e.cgroup, *error = e.error;
                ASSERT_EQ(e.child_status, 0);
                ASSERT_EQ(e.r, 0);
                ASSERT_STREQ(cgroup, "/machine.slice/runscope-t.scope");
                ASSERT_NULL(error);
        }
        call_unit = "runscope-t.scope";
        with_hello = true;
        Exchange f = exchange(ANSWER_FAILED, NULL, 0);
        with_hello = false;
        get = false;
        _cleanup_free_ char *error = f.error;
        ASSERT_EQ(f.child_status, 0);
        ASSERT_EQ(f.r, -EIO);
        ASSERT_NULL(f.cgroup);
        ASSERT_STREQ(error, "Unknown object '/org/freedesktop/systemd1/unit/runscope_2dt_2escope'.");
}

/* A method return whose body is not a variant holding a string is malformed. */
static void test_control_group_not_a_string(void) {
        uint8_t s[128];
        size_t n = ok_then_return(s, 'l', 1);
        get = true;
        Exchange e = exchange(0, s, n);
        get = false;
        ASSERT_EQ(e.r, -EBADMSG);
        ASSERT_NULL(e.cgroup);
}

TEST_MAIN(test_hello_first, test_attach_subcgroup, test_control_group, test_control_group_not_a_string, test_attach_return, test_attach_errors, test_answer_needs_its_serial, test_big_endian_answer,
          test_refused, test_malformed, test_other_messages, test_no_answer)
