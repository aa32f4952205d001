/* Unit tests of src/bus/wire-msg.c, the D-Bus message body built without libsystemd. Each body is
 * written twice by the same code, once into a WireMsg and once into sd_bus_messages (through
 * src/bus/props-out.c's PropsOut, as the unit properties are), and libsystemd's server side, in a child over a socketpair, gets the WireMsg body in
 * a method call: it answers with its own body for the same appends, then with a copy of what it read
 * from ours (sd_bus_message_copy reads every value and appends it again). Both must be ours byte
 * for byte, and the signatures the same. The errors are checked against sd-bus's where it has them. */
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "bus/bus.h"
#include "util/alloc.h"
#include "tap.h"

#define DESTINATION "org.freedesktop.systemd1"
#define PATH "/org/freedesktop/systemd1"
#define INTERFACE "org.freedesktop.systemd1.Manager"
#define MEMBER "StartTransientUnit"

#define TRY(x)                                                                                            \
        do {                                                                                              \
                int _r = (x);                                                                             \
                if (_r < 0)                                                                               \
                        return _r;                                                                        \
        } while (0)

/* A body: the same calls on either builder. */
typedef int (*Build)(PropsOut *o);

static int build_ss(PropsOut *o) {
        return props_out_append(o, "ss", "unit.scope", "fail");
}

/* One property of each basic type in a variant, several at once, and an array in a variant. */
static int add_basic_properties(PropsOut *o) {
        TRY(props_out_append(o, "(sv)", "MemoryMax", "t", (uint64_t) 5));
        TRY(props_out_append(o, "(sv)", "Description", "s", "a container"));
        TRY(props_out_append(o, "(sv)", "Delegate", "b", 1));
        TRY(props_out_append(o, "(sv)", "CPUWeight", "d", 0.25));
        TRY(props_out_append(o, "(sv)", "TasksMax", "u", (uint32_t) 4000000000U));
        TRY(props_out_append(o, "(sv)", "Q", "q", 65535));
        TRY(props_out_append(o, "(sv)", "Y", "y", 200));
        TRY(props_out_append(o, "(sv)", "X", "x", (int64_t) -5));
        TRY(props_out_append(o, "(sv)", "OOMScoreAdjust", "i", (int32_t) -1000));
        TRY(props_out_append(o, "(sv)", "N", "n", -2));
        TRY(props_out_append(o, "(sv)(sv)(sv)", "A", "s", "x", "B", "y", 1, "C", "t", (uint64_t) 1 << 40));
        return props_out_append(o, "(sv)", "PIDs", "au", 1, (uint32_t) 1234);
}

/* A (sv) whose variant holds an array, written as props.c writes DeviceAllow and IOReadBandwidthMax. */
static int add_array_property(PropsOut *o, const char *name, const char *element, size_t count) {
        char sig[16], buf[32];
        (void) snprintf(sig, sizeof(sig), "a%s", element);
        TRY(props_out_open(o, 'r', "sv"));
        TRY(props_out_append(o, "s", name));
        TRY(props_out_open(o, 'v', sig));
        TRY(props_out_open(o, 'a', element));
        for (size_t i = 0; i < count; i++) {
                (void) snprintf(buf, sizeof(buf), "/dev/char/%zu:%zu", i % 256, i);
                if (element[2] == 's')
                        TRY(props_out_append(o, element, buf, i % 2 ? "rwm" : "r"));
                else
                        TRY(props_out_append(o, element, buf, (uint64_t) i * 1000));
        }
        TRY(props_out_close(o));
        TRY(props_out_close(o));
        return props_out_close(o);
}

static int add_other_properties(PropsOut *o) {
        static const uint8_t mask[] = { 0xff, 0x0f, 0x01 };
        char *paths[] = { "/a", "/b/c", "", NULL };

        TRY(add_array_property(o, "DeviceAllow", "(ss)", 3));
        TRY(add_array_property(o, "IOReadBandwidthMax", "(st)", 2));
        TRY(props_out_open(o, 'r', "sv"));
        TRY(props_out_append(o, "s", "ReadOnlyPaths"));
        TRY(props_out_open(o, 'v', "as"));
        TRY(props_out_append_strv(o, paths));
        TRY(props_out_close(o));
        TRY(props_out_close(o));
        TRY(props_out_open(o, 'r', "sv"));
        TRY(props_out_append(o, "s", "AllowedCPUs"));
        TRY(props_out_open(o, 'v', "ay"));
        TRY(props_out_append_array(o, 'y', mask, sizeof(mask)));
        TRY(props_out_close(o));
        return props_out_close(o);
}

/* StartTransientUnit's body: "ssa(sv)a(sa(sv))". */
static int build_transient_unit(PropsOut *o) {
        TRY(props_out_append(o, "ss", "runscope-t.scope", "fail"));
        TRY(props_out_open(o, 'a', "(sv)"));
        TRY(add_basic_properties(o));
        TRY(add_other_properties(o));
        TRY(props_out_close(o));
        return props_out_append(o, "a(sa(sv))", 0);
}

/* Over 64 KiB: the buffer grows many times. */
static int build_big(PropsOut *o) {
        TRY(props_out_append(o, "ss", "runscope-big.scope", "fail"));
        TRY(props_out_open(o, 'a', "(sv)"));
        TRY(add_array_property(o, "DeviceAllow", "(ss)", 2000));
        TRY(add_array_property(o, "IOWriteBandwidthMax", "(st)", 100));
        TRY(props_out_close(o));
        return props_out_append(o, "a(sa(sv))", 0);
}

/* Empty arrays, nested and not, of every alignment; variants at the top; a strv that is NULL. */
static int build_empty(PropsOut *o) {
        TRY(props_out_append(o, "a(sa(sv))", 0));
        TRY(props_out_append(o, "ya(sa(sv))", 7, 2, "x", 0, "y", 1, "z", "s", "z"));
        TRY(props_out_append(o, "yatyayyaqyas", 1, 0, 2, 0, 3, 0, 4, 0));
        TRY(props_out_append(o, "vvv", "u", (uint32_t) 9, "a{sv}", 1, "k", "g", "a{ss}", "(iu)", -1, (uint32_t) 2));
        TRY(props_out_append(o, "oga{ub}", "/org/x_1/y", "a(sv)", 1, (uint32_t) 3, 0));
        TRY(props_out_open(o, 'v', "as"));
        TRY(props_out_append_strv(o, NULL));
        TRY(props_out_close(o));
        TRY(props_out_open(o, 'a', "{st}"));
        TRY(props_out_open(o, 'e', "st"));
        TRY(props_out_append(o, "st", "key", (uint64_t) 3));
        TRY(props_out_close(o));
        TRY(props_out_close(o));
        TRY(props_out_append_array(o, 't', NULL, 0));
        static const int16_t n[] = { -1, 2, 3 };
        TRY(props_out_append_array(o, 'n', n, sizeof(n)));
        return props_out_append(o, "y", 5);
}

/* The header of a method call carrying w's body, as the specification frames it (written by a
 * WireMsg too), padded to 8: the body follows. */
static int frame(const WireMsg *w, WireMsg *h) {
        TRY(wire_msg_append(h, "yyyyuu", 'l', 1, 0, 1, (uint32_t) w->n, (uint32_t) 1));
        TRY(wire_msg_append(h, "a(yv)", 5, 1, "o", PATH, 2, "s", INTERFACE, 3, "s", MEMBER, 6, "s", DESTINATION, 8,
                            "g", w->signature));
        while (h->n % 8)
                TRY(wire_msg_append(h, "y", 0));
        return 0;
}

static Build serve_build;

static void serve_until_closed(sd_bus *bus) {
        while (sd_bus_process(bus, NULL) >= 0)
                if (sd_bus_wait(bus, UINT64_MAX) < 0)
                        break;
}

/* The child: reads the call, answers with sd-bus's own body for serve_build, then a signal with the
 * call's body copied. Its exit status says what failed. */
static int serve(int fd) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL, *copy = NULL;
        sd_id128_t id;
        int r;

        if (sd_id128_randomize(&id) < 0 || sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 ||
            sd_bus_set_server(bus, 1, id) < 0 || sd_bus_start(bus) < 0)
                return 2;
        while (!m) {
                r = sd_bus_process(bus, &m);
                if (r < 0 || (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0))
                        return 3;
        }
        if (!sd_bus_message_is_method_call(m, INTERFACE, MEMBER) || strcmp(sd_bus_message_get_path(m), PATH) != 0)
                return 4;
        if (sd_bus_message_new_method_return(m, &reply) < 0 || serve_build(&(PropsOut) { .sd = reply }) < 0)
                return 5;
        if (strcmp(sd_bus_message_get_signature(m, 1), sd_bus_message_get_signature(reply, 1)) != 0)
                return 6;
        if (sd_bus_message_new_signal(bus, &copy, PATH, INTERFACE, "Copy") < 0 || sd_bus_message_copy(copy, m, 1) < 0 ||
            !sd_bus_message_at_end(m, 1))
                return 7;
        if (sd_bus_send(bus, reply, NULL) < 0 || sd_bus_send(bus, copy, NULL) < 0 || sd_bus_flush(bus) < 0)
                return 8;
        serve_until_closed(bus);
        return 0;
}

/* What came back: the bodies of the answer and of the copy. */
typedef struct Answer {
        int child_status;
        uint8_t *raw;
        size_t n, body_at[2], body_n[2];
        uint8_t type[2];
} Answer;

static bool write_all(int fd, const void *p, size_t n) {
        for (const uint8_t *b = p; n > 0;) {
                ssize_t k = write(fd, b, n);
                if (k <= 0)
                        return false;
                b += k, n -= (size_t) k;
        }
        return true;
}

static void read_all(int fd, Answer *a) {
        size_t allocated = 0;
        for (;;) {
                if (allocated - a->n < 65536) {
                        uint8_t *b = realloc(a->raw, allocated + 262144);
                        if (!b)
                                return;
                        a->raw = b, allocated += 262144;
                }
                ssize_t k = read(fd, a->raw + a->n, allocated - a->n);
                if (k <= 0)
                        return;
                a->n += (size_t) k;
        }
}

/* The OK line, then two messages in the native byte order; false when they are not all there. */
static bool parse(Answer *a) {
        uint8_t *end = a->raw ? memmem(a->raw, a->n, "\r\n", 2) : NULL;
        size_t at = end ? (size_t) (end - a->raw) + 2 : a->n;
        for (int i = 0; i < 2; i++) {
                uint32_t body, fields;
                if (a->n - at < 16)
                        return false;
                memcpy(&body, a->raw + at + 4, 4);
                memcpy(&fields, a->raw + at + 12, 4);
                a->type[i] = a->raw[at + 1];
                a->body_at[i] = at + ((16 + (size_t) fields + 7) & ~(size_t) 7);
                a->body_n[i] = body;
                if (a->body_at[i] > a->n || a->n - a->body_at[i] < body)
                        return false;
                at = a->body_at[i] + body;
        }
        return true;
}

static Answer exchange(Build build, WireMsg *w) {
        _cleanup_(wire_msg_done) WireMsg h = WIRE_MSG_NULL;
        Answer a = { .child_status = -1 };
        char auth[64];
        int sv[2], status = 0;

        if (frame(w, &h) < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return a;
        serve_build = build;
        (void) fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                (void) close(sv[0]);
                wire_msg_done(&h); /* the child's copies: valgrind checks it for leaks too */
                wire_msg_done(w);
                _exit(serve(sv[1]));
        }
        (void) close(sv[1]);
        char uid[16];
        int n = snprintf(uid, sizeof(uid), "%u", (unsigned) getuid());
        size_t k = (size_t) snprintf(auth, sizeof(auth), "%cAUTH EXTERNAL ", 0);
        for (int i = 0; i < n; i++)
                k += (size_t) snprintf(auth + k, sizeof(auth) - k, "%02x", (unsigned) uid[i]);
        k += (size_t) snprintf(auth + k, sizeof(auth) - k, "\r\nBEGIN\r\n");
        if (write_all(sv[0], auth, k) && write_all(sv[0], h.b, h.n) && write_all(sv[0], w->b, w->n))
                (void) shutdown(sv[0], SHUT_WR);
        read_all(sv[0], &a);
        (void) close(sv[0]);
        if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
                a.child_status = WEXITSTATUS(status);
        return a;
}

/* The signature sd-bus gives the same appends. */
static int sd_signature(Build build, char *buf, size_t size) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int pair[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        _cleanup_close_ int other = pair[1];
        TRY(sd_bus_new(&bus));
        TRY(sd_bus_set_fd(bus, pair[0], pair[0]));
        TRY(sd_bus_start(bus));
        TRY(sd_bus_message_new_method_call(bus, &m, DESTINATION, PATH, INTERFACE, MEMBER));
        TRY(build(&(PropsOut) { .sd = m }));
        TRY(sd_bus_message_seal(m, 1, 0));
        (void) snprintf(buf, size, "%s", sd_bus_message_get_signature(m, 1));
        return 0;
}

/* Where a and b first differ, or -1. */
static long first_difference(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
        for (size_t i = 0; i < an && i < bn; i++)
                if (a[i] != b[i])
                        return (long) i;
        return an == bn ? -1 : (long) (an < bn ? an : bn);
}

static void check_body(Build build, const char *signature, size_t min_size) {
        _cleanup_(wire_msg_done) WireMsg w = WIRE_MSG_NULL;
        char sd_sig[WIRE_MSG_SIGNATURE];

        ASSERT_EQ(build(&(PropsOut) { .wire = &w }), 0);
        ASSERT_EQ(wire_msg_complete(&w), 0);
        ASSERT_STREQ(w.signature, signature);
        ASSERT_TRUE(w.n >= min_size);
        ASSERT_EQ(sd_signature(build, sd_sig, sizeof(sd_sig)), 0);
        ASSERT_STREQ(w.signature, sd_sig);
        Answer a = exchange(build, &w);
        _cleanup_free_ uint8_t *raw = a.raw;
        ASSERT_EQ(a.child_status, 0);
        ASSERT_TRUE(parse(&a));
        ASSERT_EQ(a.type[0], 2); /* the method return: sd-bus's body */
        ASSERT_EQ(a.type[1], 4); /* the signal: ours, as sd-bus read it */
        for (int i = 0; i < 2; i++)
                ASSERT_EQ(first_difference(raw + a.body_at[i], a.body_n[i], w.b, w.n), -1);
}

static void test_two_strings(void) {
        check_body(build_ss, "ss", 0);
}

static void test_transient_unit(void) {
        check_body(build_transient_unit, "ssa(sv)a(sa(sv))", 0);
}

static void test_big(void) {
        check_body(build_big, "ssa(sv)a(sa(sv))", 65536);
}

static void test_empty_arrays(void) {
        check_body(build_empty, "a(sa(sv))ya(sa(sv))yatyayyaqyasvvvoga{ub}va{st}atany", 0);
}

/* Mismatches are refused by sd-bus too; the error sticks. */
static int mismatch_in_variant(PropsOut *o) {
        TRY(props_out_open(o, 'v', "s"));
        return props_out_append(o, "u", (uint32_t) 1);
}
static int mismatch_in_struct(PropsOut *o) {
        TRY(props_out_open(o, 'r', "sv"));
        TRY(props_out_append(o, "s", "x"));
        return props_out_append(o, "s", "y");
}
static int mismatch_in_array(PropsOut *o) {
        TRY(props_out_open(o, 'a', "(ss)"));
        TRY(props_out_append(o, "(ss)", "a", "b"));
        return props_out_append(o, "(st)", "a", (uint64_t) 1);
}
static int struct_not_complete(PropsOut *o) {
        TRY(props_out_open(o, 'r', "sv"));
        TRY(props_out_append(o, "s", "x"));
        return props_out_close(o);
}
static int variant_not_complete(PropsOut *o) {
        TRY(props_out_open(o, 'v', "s"));
        return props_out_close(o);
}
static int entry_outside_array(PropsOut *o) {
        return props_out_open(o, 'e', "sv");
}
static int bad_types(PropsOut *o) {
        return props_out_append(o, "(s", "x");
}

static void test_errors_as_sd_bus(void) {
        static const Build cases[] = { mismatch_in_variant, mismatch_in_struct,  mismatch_in_array, struct_not_complete,
                                       variant_not_complete, entry_outside_array, bad_types };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(wire_msg_done) WireMsg w = WIRE_MSG_NULL;
                char sig[WIRE_MSG_SIGNATURE];
                int r = cases[i](&(PropsOut) { .wire = &w });
                ASSERT_TRUE(r < 0);
                ASSERT_EQ(w.error, r);
                ASSERT_EQ(wire_msg_append(&w, "s", "later"), r); /* it sticks */
                ASSERT_EQ(wire_msg_close(&w), r);
                ASSERT_EQ(wire_msg_complete(&w), r);
                ASSERT_TRUE(sd_signature(cases[i], sig, sizeof(sig)) < 0);
        }
}

static void test_errors(void) {
        _cleanup_(wire_msg_done) WireMsg a = WIRE_MSG_NULL, b = WIRE_MSG_NULL, c = WIRE_MSG_NULL, d = WIRE_MSG_NULL,
                                         e = WIRE_MSG_NULL, f = WIRE_MSG_NULL, g = WIRE_MSG_NULL, h = WIRE_MSG_NULL;
        ASSERT_EQ(wire_msg_close(&a), -ENXIO);
        ASSERT_EQ(wire_msg_append(&b, "ss", "x", (const char *) NULL), -EINVAL);
        ASSERT_EQ(wire_msg_append(&c, "z", 1), -EINVAL);
        ASSERT_EQ(wire_msg_open(&d, 'x', "s"), -EINVAL);
        ASSERT_EQ(wire_msg_append(&e, "o", "org/x"), -EINVAL);
        ASSERT_EQ(wire_msg_append(&f, "s", "\xc0\x80"), -EINVAL); /* an overlong NUL */
        ASSERT_EQ(wire_msg_append_array(&g, 'u', "abc", 3), -EINVAL);
        static const uint32_t boolean = 1;
        _cleanup_(wire_msg_done) WireMsg z = WIRE_MSG_NULL; /* sd-bus takes no array of booleans either */
        ASSERT_EQ(wire_msg_append_array(&z, 'b', &boolean, sizeof(boolean)), -EINVAL);
        char deep[40]; /* a variant of 33 arrays in one another: sd-bus reads at most 32 */
        memset(deep, 'a', 33);
        (void) snprintf(deep + 33, sizeof(deep) - 33, "s");
        _cleanup_(wire_msg_done) WireMsg x = WIRE_MSG_NULL, y = WIRE_MSG_NULL;
        ASSERT_EQ(wire_msg_append(&x, "v", deep + 1, 0), 0);
        ASSERT_EQ(wire_msg_append(&y, "v", deep, 0), -EINVAL);
        for (int i = 0; i < WIRE_MSG_DEPTH; i++)
                ASSERT_EQ(wire_msg_open(&h, 'v', "v"), 0);
        ASSERT_EQ(wire_msg_complete(&h), -EBUSY);
        ASSERT_EQ(wire_msg_open(&h, 'v', "v"), -E2BIG);
        ASSERT_EQ(h.error, -E2BIG);
}

/* The open and close of an array at the top level go into the signature once it is complete. */
static void test_signature(void) {
        _cleanup_(wire_msg_done) WireMsg w = WIRE_MSG_NULL;
        ASSERT_EQ(wire_msg_append(&w, "ss", "unit.scope", "fail"), 0);
        ASSERT_EQ(wire_msg_open(&w, 'a', "(sv)"), 0);
        ASSERT_EQ(wire_msg_append(&w, "(sv)", "Name", "t", (uint64_t) 5), 0);
        ASSERT_EQ(wire_msg_open(&w, 'r', "sv"), 0);
        ASSERT_STREQ(w.signature, "ss");
        ASSERT_EQ(wire_msg_append(&w, "sv", "Other", "b", 0), 0);
        ASSERT_EQ(wire_msg_close(&w), 0);
        ASSERT_EQ(wire_msg_close(&w), 0);
        ASSERT_EQ(wire_msg_append(&w, "a(sa(sv))", 0), 0);
        ASSERT_STREQ(w.signature, "ssa(sv)a(sa(sv))");
        ASSERT_EQ(wire_msg_complete(&w), 0);
}

/* An empty array: its length 0, then padding to its element's alignment. */
static void test_empty_array_padding(void) {
        static const struct {
                const char *types;
                size_t n;
        } cases[] = { { "a(sa(sv))", 8 }, { "ya(sa(sv))", 8 }, { "yyyyya(sa(sv))", 16 }, { "yat", 8 }, { "yaq", 8 } };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(wire_msg_done) WireMsg w = WIRE_MSG_NULL;
                const char *t = cases[i].types;
                int r = strlen(t) > 9 && t[4] == 'y' ? wire_msg_append(&w, t, 1, 2, 3, 4, 5, 0)
                        : t[0] == 'y'                ? wire_msg_append(&w, t, 1, 0)
                                                     : wire_msg_append(&w, t, 0);
                ASSERT_EQ(r, 0);
                ASSERT_EQ(w.n, cases[i].n);
                for (size_t j = strspn(t, "y"); j < w.n; j++) /* after the bytes 1, 2, …: all 0 */
                        ASSERT_EQ(w.b[j], 0);
        }
}

TEST_MAIN(test_two_strings, test_transient_unit, test_big, test_empty_arrays, test_errors_as_sd_bus, test_errors,
          test_signature, test_empty_array_padding)
