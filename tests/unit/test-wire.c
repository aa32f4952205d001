/* Unit tests of src/bus/wire.c (AttachProcessesToUnit, Get of ControlGroup, wire_send_call with a WireMsg
 * body, wire_read_reply, wire_wait_job and its JobRemoved ring, error_name): against libsystemd's own
 * server side (the same code systemd's private socket runs) over a socketpair, and scripted answers.
 * test-wire-stream.c has the byte streams written in pieces. */
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
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

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER "org.freedesktop.systemd1.Manager"
#define JOB_PATH(n) "/org/freedesktop/systemd1/job/" #n

/* An sd-bus server in a child on one end of a socketpair, c (the client) on the other. */
typedef struct Server {
        pid_t pid;
        WireConn c;
} Server;

/* The server's side: serve(bus) (its exit status, 0 if what it got was right), then it answers
 * nothing more until the client closes. */
typedef int (*ServeFunction)(sd_bus *bus);

static int serve_child(int fd, ServeFunction serve) {
        /* Everything freed before the child exits: valgrind checks it for leaks too. */
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_id128_t id;

        if (sd_id128_randomize(&id) < 0 || sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 ||
            sd_bus_set_server(bus, 1, id) < 0 || sd_bus_start(bus) < 0)
                return 2;
        int r = serve(bus);
        if (r == 0 && sd_bus_flush(bus) < 0)
                r = 3;
        if (r == 0)
                serve_until_closed(bus);
        return r;
}

static Server start_server(ServeFunction serve) {
        Server s = { .pid = -1, .c = WIRE_CONN_NULL };
        int sv[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return s;
        (void) fflush(stdout); /* the child must not write what the parent has buffered */
        s.pid = fork();
        if (s.pid == 0) {
                (void) close(sv[0]);
                _exit(serve_child(sv[1], serve));
        }
        (void) close(sv[1]);
        if (wire_start(&s.c, sv[0]) < 0)
                wire_close(&s.c);
        return s;
}

/* Closes the client's side, then the server's exit status (-1 if it did not exit). */
static int stop_server(Server *s) {
        int status = 0;

        wire_close(&s->c);
        if (s->pid <= 0)
                return -1;
        pid_t pid = s->pid;
        s->pid = -1;
        return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void server_done(Server *s) {
        (void) stop_server(s);
}

/* The next message the client sends, in *ret. */
static int next_call(sd_bus *bus, sd_bus_message **ret) {
        *ret = NULL;
        while (!*ret) {
                int r = sd_bus_process(bus, ret);
                if (r < 0 || (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0))
                        return -1;
        }
        return 0;
}

static int job_removed(sd_bus *bus, uint32_t id, const char *job, const char *unit, const char *result) {
        return sd_bus_emit_signal(bus, MANAGER_PATH, MANAGER, "JobRemoved", "uoss", id, job, unit, result);
}

/* The body of a StartTransientUnit as props.c would build it: name, mode, properties, no aux units. */
static int start_body(WireMsg *b) {
        int r = wire_msg_append(b, "ss", "u.scope", "fail");
        if (r >= 0)
                r = wire_msg_open(b, 'a', "(sv)");
        if (r >= 0)
                r = wire_msg_append(b, "(sv)", "Description", "s", "runscope test");
        if (r >= 0)
                r = wire_msg_append(b, "(sv)", "PIDs", "au", 2, 4242, 4343);
        if (r >= 0)
                r = wire_msg_append(b, "(sv)", "Delegate", "b", 1);
        if (r >= 0)
                r = wire_msg_close(b);
        if (r >= 0)
                r = wire_msg_append(b, "a(sa(sv))", 0);
        return r;
}

/* Whether m is the call start_body() builds, on systemd's manager. */
static bool is_start(sd_bus_message *m) {
        const char *name = NULL, *mode = NULL, *key = NULL, *description = NULL;
        uint32_t pid1 = 0, pid2 = 0;
        int delegate = 0;

        if (!sd_bus_message_is_method_call(m, MANAGER, "StartTransientUnit") ||
            strcmp(sd_bus_message_get_path(m), MANAGER_PATH) != 0 ||
            strcmp(sd_bus_message_get_destination(m), DEST) != 0 ||
            !sd_bus_message_has_signature(m, "ssa(sv)a(sa(sv))"))
                return false;
        if (sd_bus_message_read(m, "ss", &name, &mode) < 0 || strcmp(name, "u.scope") != 0 ||
            strcmp(mode, "fail") != 0 || sd_bus_message_enter_container(m, 'a', "(sv)") < 0)
                return false;
        if (sd_bus_message_read(m, "(sv)", &key, "s", &description) < 0 || strcmp(key, "Description") != 0 ||
            strcmp(description, "runscope test") != 0)
                return false;
        if (sd_bus_message_read(m, "(sv)", &key, "au", 2, &pid1, &pid2) < 0 || strcmp(key, "PIDs") != 0 ||
            pid1 != 4242 || pid2 != 4343)
                return false;
        if (sd_bus_message_read(m, "(sv)", &key, "b", &delegate) < 0 || strcmp(key, "Delegate") != 0 || !delegate)
                return false;
        return sd_bus_message_exit_container(m) >= 0 && sd_bus_message_read(m, "a(sa(sv))", 0) >= 0 &&
               sd_bus_message_at_end(m, true) > 0;
}

/* The start checked and answered with job 42, whose JobRemoved comes a little later, behind
 * other signals (another job's among them). */
static int serve_start(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;

        if (next_call(bus, &m) < 0)
                return 10;
        if (!is_start(m))
                return 11;
        if (sd_bus_reply_method_return(m, "o", JOB_PATH(42)) < 0 || sd_bus_flush(bus) < 0)
                return 12;
        (void) usleep(100 * 1000); /* the client is waiting in wire_wait_job() by then */
        if (send_signal(bus, "u.scope") < 0 || job_removed(bus, 41, JOB_PATH(41), "v.scope", "failed") < 0 ||
            job_removed(bus, 42, JOB_PATH(42), "u.scope", "done") < 0)
                return 13;
        return 0;
}

static void test_start_then_job_removed(void) {
        _cleanup_(server_done) Server s = start_server(serve_start);
        _cleanup_(wire_msg_done) WireMsg body = WIRE_MSG_NULL;
        _cleanup_free_ char *job = NULL, *error = NULL, *result = NULL;
        uint32_t serial = 0;

        ASSERT_TRUE(s.pid > 0);
        ASSERT_EQ(start_body(&body), 0);
        ASSERT_EQ(wire_send_call(&s.c, DEST, MANAGER_PATH, MANAGER, "StartTransientUnit", &body, &serial), 0);
        ASSERT_EQ(serial, s.c.serial);
        (void) snprintf(s.c.error_name, sizeof(s.c.error_name), "stale");
        ASSERT_EQ(wire_read_reply(&s.c, serial, &job, &error), 0);
        ASSERT_STREQ(job, JOB_PATH(42));
        ASSERT_NULL(error);
        ASSERT_STREQ(s.c.error_name, ""); /* a method return clears it */
        ASSERT_EQ(wire_wait_job(&s.c, job, 5 * 1000 * 1000, &result), 0);
        ASSERT_STREQ(result, "done");
        ASSERT_EQ(s.c.n_jobs, 2); /* job 41's too */
        ASSERT_EQ(stop_server(&s), 0); /* the call was what systemd expects */
}

/* JobRemoved of job 42 before the answer (systemd runs the job before it replies), among other
 * signals. */
static int serve_early(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;

        if (next_call(bus, &m) < 0)
                return 10;
        if (!is_start(m))
                return 11;
        if (send_signal(bus, "u.scope") < 0 || job_removed(bus, 41, JOB_PATH(41), "v.scope", "failed") < 0 ||
            job_removed(bus, 42, JOB_PATH(42), "u.scope", "done") < 0 || send_signal(bus, "w.scope") < 0)
                return 12;
        return sd_bus_reply_method_return(m, "o", JOB_PATH(42)) < 0 ? 13 : 0;
}

static void test_job_removed_before_reply(void) {
        _cleanup_(server_done) Server s = start_server(serve_early);
        _cleanup_(wire_msg_done) WireMsg body = WIRE_MSG_NULL;
        _cleanup_free_ char *job = NULL, *error = NULL, *result = NULL, *other = NULL, *none = NULL;
        uint32_t serial = 0;

        ASSERT_TRUE(s.pid > 0);
        ASSERT_EQ(start_body(&body), 0);
        ASSERT_EQ(wire_send_call(&s.c, DEST, MANAGER_PATH, MANAGER, "StartTransientUnit", &body, &serial), 0);
        ASSERT_EQ(wire_read_reply(&s.c, serial, &job, &error), 0);
        ASSERT_STREQ(job, JOB_PATH(42));
        ASSERT_EQ(s.c.n_jobs, 2);
        /* No time to wait: a read would time out at once, so the results come from the ring. */
        ASSERT_EQ(wire_wait_job(&s.c, job, 0, &result), 0);
        ASSERT_STREQ(result, "done");
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(41), 0, &other), 0);
        ASSERT_STREQ(other, "failed");
        ASSERT_EQ(wire_wait_job(&s.c, JOB_PATH(43), 0, &none), -ETIMEDOUT);
        ASSERT_NULL(none);
        ASSERT_EQ(stop_server(&s), 0);
}

/* Job 42 started, and only another job's JobRemoved ever comes. */
static int serve_no_job_removed(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;

        if (next_call(bus, &m) < 0)
                return 10;
        if (!is_start(m))
                return 11;
        if (sd_bus_reply_method_return(m, "o", JOB_PATH(42)) < 0 || send_signal(bus, "u.scope") < 0 ||
            job_removed(bus, 41, JOB_PATH(41), "v.scope", "done") < 0)
                return 12;
        return 0;
}

static int64_t elapsed_msec(const struct timespec *since) {
        struct timespec now;
        (void) clock_gettime(CLOCK_MONOTONIC, &now);
        return (int64_t) (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void test_job_never_removed(void) {
        _cleanup_(server_done) Server s = start_server(serve_no_job_removed);
        _cleanup_(wire_msg_done) WireMsg body = WIRE_MSG_NULL;
        _cleanup_free_ char *job = NULL, *error = NULL, *result = NULL;
        uint32_t serial = 0;
        struct timespec start;

        ASSERT_TRUE(s.pid > 0);
        ASSERT_EQ(start_body(&body), 0);
        ASSERT_EQ(wire_send_call(&s.c, DEST, MANAGER_PATH, MANAGER, "StartTransientUnit", &body, &serial), 0);
        ASSERT_EQ(wire_read_reply(&s.c, serial, &job, &error), 0);
        (void) clock_gettime(CLOCK_MONOTONIC, &start);
        ASSERT_EQ(wire_wait_job(&s.c, job, 200 * 1000, &result), -ETIMEDOUT);
        int64_t waited = elapsed_msec(&start);
        ASSERT_NULL(result);
        ASSERT_TRUE(waited >= 190 && waited < 3000);
        ASSERT_EQ(s.c.n_jobs, 1); /* job 41's, read while waiting */
        ASSERT_EQ(stop_server(&s), 0);
}

/* Three calls: a StopUnit answered NoSuchUnit, a start answered UnitExists (which wire.c does not
 * map), a Reload without a body answered with a method return. */
static int serve_errors(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *stop = NULL, *start = NULL, *reload = NULL;
        const char *unit = NULL, *mode = NULL;

        if (next_call(bus, &stop) < 0 || !sd_bus_message_is_method_call(stop, MANAGER, "StopUnit") ||
            sd_bus_message_read(stop, "ss", &unit, &mode) < 0 || strcmp(unit, "u.scope") != 0 ||
            strcmp(mode, "replace") != 0)
                return 10;
        if (sd_bus_reply_method_errorf(stop, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.", unit) < 0)
                return 11;
        if (next_call(bus, &start) < 0 || !is_start(start) ||
            sd_bus_reply_method_errorf(start, "org.freedesktop.systemd1.UnitExists", "Unit %s already exists.",
                                       "u.scope") < 0)
                return 12;
        if (next_call(bus, &reload) < 0 || !sd_bus_message_is_method_call(reload, MANAGER, "Reload") ||
            !sd_bus_message_has_signature(reload, "") || sd_bus_reply_method_return(reload, NULL) < 0)
                return 13;
        return 0;
}

static void test_error_answers(void) {
        _cleanup_(server_done) Server s = start_server(serve_errors);
        _cleanup_(wire_msg_done) WireMsg stop = WIRE_MSG_NULL, start = WIRE_MSG_NULL;
        _cleanup_free_ char *job = NULL, *error = NULL, *job2 = NULL, *error2 = NULL, *error3 = NULL;
        uint32_t serial = 0;

        ASSERT_TRUE(s.pid > 0);
        ASSERT_EQ(wire_msg_append(&stop, "ss", "u.scope", "replace"), 0);
        ASSERT_EQ(wire_send_call(&s.c, DEST, MANAGER_PATH, MANAGER, "StopUnit", &stop, &serial), 0);
        ASSERT_EQ(wire_read_reply(&s.c, serial, &job, &error), -ENOENT);
        ASSERT_NULL(job);
        ASSERT_STREQ(error, "Unit u.scope not loaded.");
        ASSERT_STREQ(s.c.error_name, "org.freedesktop.systemd1.NoSuchUnit");

        ASSERT_EQ(start_body(&start), 0);
        ASSERT_EQ(wire_send_call(&s.c, DEST, MANAGER_PATH, MANAGER, "StartTransientUnit", &start, &serial), 0);
        ASSERT_EQ(wire_read_reply(&s.c, serial, &job2, &error2), -EIO);
        ASSERT_NULL(job2);
        ASSERT_STREQ(error2, "Unit u.scope already exists.");
        ASSERT_STREQ(s.c.error_name, "org.freedesktop.systemd1.UnitExists");

        ASSERT_EQ(wire_send_call(&s.c, DEST, MANAGER_PATH, MANAGER, "Reload", NULL, &serial), 0);
        ASSERT_EQ(wire_read_reply(&s.c, serial, NULL, &error3), 0);
        ASSERT_NULL(error3);
        ASSERT_STREQ(s.c.error_name, "");
        ASSERT_EQ(stop_server(&s), 0);
}

TEST_MAIN(test_hello_first, test_attach_subcgroup, test_control_group, test_control_group_not_a_string,
          test_attach_return, test_attach_errors, test_answer_needs_its_serial, test_big_endian_answer, test_refused,
          test_malformed, test_other_messages, test_no_answer, test_start_then_job_removed,
          test_job_removed_before_reply, test_job_never_removed, test_error_answers)
