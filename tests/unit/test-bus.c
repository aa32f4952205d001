/* Unit tests of src/bus that need no systemd: unit naming, resource arithmetic, properties. */
#include <math.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus/bus.h"
#include "tap.h"

static void test_default_unit_names(void) {
        _cleanup_free_ char *unit = NULL, *slice = NULL, *again = NULL;
        ASSERT_EQ(bus_unit_names(NULL, "web", &unit, &slice), 0);
        ASSERT_STREQ(unit, "runscope-web.scope");
        ASSERT_EQ(bus_spread_slice("web", &again), 0);
        ASSERT_STREQ(slice, again);
}

/* A sub-slice of machine.slice by systemd's dash naming, the same for an id every time, and 1000 ids
 * spread over all BUS_SPREAD_SLICES of them with none holding more than a few dozen. */
static void test_spread_slices(void) {
        unsigned count[BUS_SPREAD_SLICES] = {};
        char id[32];

        if (bus_user_manager()) { /* not root: a user's manager, whose containers all go in app.slice */
                _cleanup_free_ char *slice = NULL;
                ASSERT_EQ(bus_spread_slice("web", &slice), 0);
                ASSERT_STREQ(slice, "app.slice");
                return;
        }

        for (unsigned i = 0; i < 1000; i++) {
                _cleanup_free_ char *slice = NULL, *again = NULL;
                unsigned n;
                char end[16];
                (void) snprintf(id, sizeof(id), i % 2 ? "s%u" : "%08x-podman", i);
                ASSERT_EQ(bus_spread_slice(id, &slice), 0);
                ASSERT_EQ(sscanf(slice, "machine-runscope_%2x%15s", &n, end), 2);
                ASSERT_STREQ(end, ".slice");
                ASSERT_TRUE(n < BUS_SPREAD_SLICES);
                ASSERT_EQ(bus_spread_slice(id, &again), 0);
                ASSERT_STREQ(slice, again);
                count[n]++;
        }
        for (unsigned n = 0; n < BUS_SPREAD_SLICES; n++) {
                ASSERT_TRUE(count[n] > 0);
                ASSERT_TRUE(count[n] <= 50);
        }
}

static void test_escaped_unit_name(void) {
        _cleanup_free_ char *unit = NULL, *slice = NULL;
        ASSERT_EQ(bus_unit_names("", "a+b", &unit, &slice), 0);
        ASSERT_STREQ(unit, "runscope-a\\x2bb.scope");
}

static void test_systemd_cgroups_path(void) {
        _cleanup_free_ char *unit = NULL, *slice = NULL, *u2 = NULL, *s2 = NULL, *u3 = NULL, *s3 = NULL;
        ASSERT_EQ(bus_unit_names("machine.slice:libpod:abc", "abc", &unit, &slice), 0);
        ASSERT_STREQ(unit, "libpod-abc.scope");
        ASSERT_STREQ(slice, "machine.slice");
        _cleanup_free_ char *spread = NULL;
        ASSERT_EQ(bus_spread_slice("id", &spread), 0);
        ASSERT_EQ(bus_unit_names(":crio:x", "id", &u2, &s2), 0); /* no slice named: the spread one */
        ASSERT_STREQ(u2, "crio-x.scope");
        ASSERT_STREQ(s2, spread);
        ASSERT_EQ(bus_unit_names("/libpod_parent/libpod-abc", "id", &u3, &s3), 0); /* cgroupfs form: default */
        ASSERT_STREQ(u3, "runscope-id.scope");
        ASSERT_STREQ(s3, spread);
        char *u = NULL, *s = NULL;
        ASSERT_EQ(bus_unit_names("a:b", "id", &u, &s), -EINVAL);
        ASSERT_EQ(bus_unit_names("notaslice:p:n", "id", &u, &s), -EINVAL);
        ASSERT_EQ(bus_unit_names("machine.slice:p:", "id", &u, &s), -EINVAL);
        ASSERT_NULL(u);
}

static void test_path_cgroups_path(void) {
        _cleanup_free_ char *u1 = NULL, *s1 = NULL, *u2 = NULL, *s2 = NULL;
        ASSERT_EQ(bus_unit_names("/machine.slice/my-web.scope", "id", &u1, &s1), 0);
        ASSERT_STREQ(u1, "my-web.scope");
        ASSERT_STREQ(s1, "machine.slice");
        ASSERT_EQ(bus_unit_names("/system.slice/app.slice/x", "id", &u2, &s2), 0);
        ASSERT_STREQ(u2, "runscope-id.scope");
        ASSERT_STREQ(s2, "app.slice");
}

static void test_overlong_unit_name(void) {
        char id[300];
        char *u = NULL, *s = NULL;
        memset(id, 'x', sizeof(id) - 1);
        id[sizeof(id) - 1] = 0;
        ASSERT_EQ(bus_unit_names(NULL, id, &u, &s), -ENAMETOOLONG);
}

/* UINT64_MAX when the conversion fails. */
static uint64_t weight_of(uint64_t shares) {
        uint64_t w = 0;
        return props_cpu_shares_to_weight(shares, &w) < 0 ? UINT64_MAX : w;
}

static void test_cpu_shares_to_weight(void) {
        ASSERT_EQ(weight_of(2), 1);
        ASSERT_EQ(weight_of(1024), 100);
        ASSERT_EQ(weight_of(262144), 10000);
        ASSERT_EQ(weight_of(512), 59);
        ASSERT_EQ(weight_of(1), 1);
        /* The libm loaded when needed is the one runc's curve is computed with: every value. */
        for (uint64_t s = 3; s < 262144; s++) {
                double l = log2((double) s);
                ASSERT_EQ(weight_of(s), (uint64_t) ceil(pow(10.0, (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0)));
        }
}

static void test_cpu_quota_rounding(void) {
        ASSERT_EQ(props_cpu_quota_per_sec_usec(50000, 100000), 500000);
        ASSERT_EQ(props_cpu_quota_per_sec_usec(50001, 100000), 510000);
        ASSERT_EQ(props_cpu_quota_per_sec_usec(12345, 0), 130000);
        ASSERT_EQ(props_cpu_quota_per_sec_usec(-1, 100000), UINT64_MAX);
}

static void test_device_major_name(void) {
        static const char devices[] = "Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n  5 /dev/tty\n"
                                      "128 ptm\n136 pts\n200 odd*\n201 twice\n202 twice\n\n"
                                      "Block devices:\n  7 loop\n136 blk\n";
        _cleanup_free_ char *pts = NULL, *mem = NULL, *loop = NULL;
        char *none = NULL;
        ASSERT_EQ(props_device_major_name(devices, 'c', 136, &pts), 0);
        ASSERT_STREQ(pts, "pts");
        ASSERT_EQ(props_device_major_name(devices, 'c', 1, &mem), 0);
        ASSERT_STREQ(mem, "mem");
        ASSERT_EQ(props_device_major_name(devices, 'b', 7, &loop), 0);
        ASSERT_STREQ(loop, "loop");
        ASSERT_EQ(props_device_major_name(devices, 'c', 4, &none), -ENOTUNIQ);   /* three names */
        ASSERT_EQ(props_device_major_name(devices, 'c', 201, &none), -ENOTUNIQ); /* name of two majors */
        ASSERT_EQ(props_device_major_name(devices, 'c', 200, &none), -ENOTUNIQ); /* a glob */
        ASSERT_EQ(props_device_major_name(devices, 'c', 7, &none), -ENOENT);     /* block only */
        ASSERT_EQ(props_device_major_name(devices, 'b', 1, &none), -ENOENT);
        ASSERT_NULL(none);
}

/* Appends the annotation org.systemd.property.<name>=value to a message built in memory: sd-bus
 * (252) builds messages only on a started bus, here one end of a socketpair that nobody reads. */
static int append_annotation_strv(const char *name, const char *value, char ***ret_strv) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *key = NULL;
        Spec spec = {};
        int pair[2], r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0 || asprintf(&key, "org.systemd.property.%s", name) < 0)
                return -errno;
        char *annotations[] = { key, (char *) value, NULL };
        spec.annotations = annotations;
        if ((r = sd_bus_new(&bus)) < 0 || (r = sd_bus_set_fd(bus, pair[0], pair[0])) < 0 || (r = sd_bus_start(bus)) < 0 ||
            (r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                "org.freedesktop.systemd1.Manager", "StartTransientUnit")) < 0 ||
            (r = sd_bus_message_open_container(m, 'a', "(sv)")) < 0)
                return r;
        r = props_append_resources(m, &spec, NULL);
        close(pair[1]);
        if (r < 0 || !ret_strv)
                return r;
        /* Read back what was appended: one (sv) whose variant is "as". */
        const char *got_name;
        if ((r = sd_bus_message_close_container(m)) < 0 || (r = sd_bus_message_seal(m, 1, 0)) < 0 ||
            (r = sd_bus_message_rewind(m, true)) < 0 || (r = sd_bus_message_enter_container(m, 'a', "(sv)")) < 0 ||
            (r = sd_bus_message_enter_container(m, 'r', "sv")) < 0 || (r = sd_bus_message_read(m, "s", &got_name)) < 0 ||
            (r = sd_bus_message_enter_container(m, 'v', "as")) < 0)
                return r;
        if (strcmp(got_name, name) != 0)
                return -EBADMSG;
        r = sd_bus_message_read_strv(m, ret_strv);
        return r < 0 ? r : 0;
}

static int append_annotation(const char *name, const char *value) {
        return append_annotation_strv(name, value, NULL);
}

/* Found by tests/fuzz/fuzz-annotation: a time span past 2^64 µs, infinite or NaN was converted to
 * an integer (undefined behaviour) and sent. */
static void test_annotation_time_spans(void) {
        ASSERT_EQ(append_annotation("RuntimeMaxSec", "5min"), 0);
        ASSERT_EQ(append_annotation("RuntimeMaxSec", "infinity"), 0);
        ASSERT_EQ(append_annotation("RuntimeMaxSec", "Infinity"), -EINVAL);
        ASSERT_EQ(append_annotation("RuntimeMaxSec", "nan"), -EINVAL);
        ASSERT_EQ(append_annotation("RuntimeMaxSec", "1e300min"), -EINVAL);
        ASSERT_EQ(append_annotation("TimeoutStopSec", "18446744073709552s"), -EINVAL);
}

/* runc documents "['foo.service']" for After= and other list properties: a GVariant "as". */
static void test_annotation_string_arrays(void) {
        char **l = NULL;
        ASSERT_EQ(append_annotation_strv("After", "['a.service', \"b.socket\"]", &l), 0);
        ASSERT_TRUE(l && l[0] && l[1] && !l[2]);
        ASSERT_STREQ(l[0], "a.service");
        ASSERT_STREQ(l[1], "b.socket");
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        l = NULL;
        ASSERT_EQ(append_annotation_strv("Wants", "@as []", &l), 0);
        ASSERT_TRUE(!l || !l[0]); /* sd-bus reads an empty array as NULL */
        free(l);
        ASSERT_EQ(append_annotation("After", " [ 'x.service' ] "), 0);
        ASSERT_EQ(append_annotation("After", "['a.service'"), -EINVAL);
        ASSERT_EQ(append_annotation("After", "['a.service' 'b.service']"), -EINVAL);
        ASSERT_EQ(append_annotation("After", "[a.service]"), -EINVAL);
        ASSERT_EQ(append_annotation("After", "['a.service']x"), -EINVAL);
        ASSERT_EQ(append_annotation("After", "['']"), -EINVAL);
        ASSERT_EQ(append_annotation("After", "['a\\'b']"), -EINVAL);
        ASSERT_EQ(append_annotation("After", "['a',]"), -EINVAL);
}

/* machined takes hostname-like names only (systemd's machine_name_is_valid): an id with '_' used
 * to be sent as it was, and refused ("Invalid machine name"). */
static void test_machine_name(void) {
        static const char *const ids[] = {
                "web", "web.1", "a-b", "a_b", "a+b", "_", "__", "a..b", "a-.b", "a.-b", "a-", "a.", "+x",
                "4a8d2e_f3", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL
        };
        char *names[ELEMENTSOF(ids)] = {};

        for (size_t i = 0; ids[i]; i++) {
                _cleanup_free_ char *again = NULL;
                ASSERT_EQ(bus_machine_name(ids[i], &names[i]), 0);
                ASSERT_TRUE(bus_machine_name_is_valid(names[i]));
                ASSERT_EQ(bus_machine_name(ids[i], &again), 0);
                ASSERT_STREQ(again, names[i]);
                for (size_t k = 0; k < i; k++)
                        ASSERT_TRUE(strcmp(names[k], names[i]) != 0);
        }
        ASSERT_STREQ(names[0], "web");
        ASSERT_STREQ(names[1], "web.1");
        ASSERT_STREQ(names[2], "a-b");
        ASSERT_EQ(strlen(names[3]), 12u);
        ASSERT_EQ(strncmp(names[3], "a-b-", 4), 0); /* a_b: not a-b, which is another id's */
        ASSERT_EQ(strlen(names[5]), 8u);            /* _: the hash alone */
        ASSERT_EQ(strncmp(names[12], "x-", 2), 0);  /* +x: no leading '-' */
        ASSERT_STREQ(names[14], ids[14]);           /* 64 characters: as it is */
        ASSERT_EQ(strlen(names[15]), 64u);          /* 65: cut, and hashed */
        for (size_t i = 0; ids[i]; i++)
                free(names[i]);

        ASSERT_TRUE(!bus_machine_name_is_valid(""));
        ASSERT_TRUE(!bus_machine_name_is_valid("a_b"));
        ASSERT_TRUE(!bus_machine_name_is_valid("-a"));
        ASSERT_TRUE(!bus_machine_name_is_valid("a-.b"));
        ASSERT_TRUE(!bus_machine_name_is_valid(".host"));
        ASSERT_TRUE(bus_machine_name_is_valid("a--b.c-d"));
}

/* The per-user machined's Varlink, as varlink.c speaks it: a NUL-terminated call, a reply read in
 * parts, an error told by name. */
static void test_varlink_call(void) {
        static const char call[] = "{\"method\":\"io.systemd.Machine.Register\",\"parameters\":{\"name\":\"x\"}}";
        static const char part1[] = "{\"error\":\"io.systemd.Machine.Machi", part2[] = "neExists\",\"parameters\":{}}";
        VarlinkCall c = { .fd = -EBADF };
        char buf[256], name[64] = "";
        int sv[2];

        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        c.fd = sv[0];
        ASSERT_EQ(varlink_send(&c, "io.systemd.Machine.Register", "{\"name\":\"x\"}"), 0);
        ASSERT_EQ(read(sv[1], buf, sizeof(buf)), (ssize_t) sizeof(call));
        ASSERT_STREQ(buf, call);
        ASSERT_EQ(varlink_read(&c, false), 0);
        ASSERT_EQ(write(sv[1], part1, strlen(part1)), (ssize_t) strlen(part1));
        ASSERT_EQ(varlink_read(&c, false), 0);
        ASSERT_EQ(write(sv[1], part2, sizeof(part2)), (ssize_t) sizeof(part2));
        ASSERT_EQ(varlink_read(&c, true), 1);
        ASSERT_EQ(varlink_error(&c, name, sizeof(name)), 1);
        ASSERT_STREQ(name, "io.systemd.Machine.MachineExists");
        ASSERT_EQ(varlink_send(&c, "io.systemd.Machine.Unregister", "{\"name\":\"x\"}"), 0);
        ASSERT_TRUE(read(sv[1], buf, sizeof(buf)) > 0);
        ASSERT_EQ(write(sv[1], "{\"parameters\":{}}", 18), 18);
        ASSERT_EQ(varlink_read(&c, true), 1);
        ASSERT_EQ(varlink_error(&c, name, sizeof(name)), 0);
        ASSERT_EQ(varlink_send(&c, "io.systemd.Machine.Unregister", "{}"), 0);
        close(sv[1]);
        ASSERT_EQ(varlink_read(&c, true), -ECONNRESET);
        ASSERT_EQ(varlink_send(&c, "io.systemd.Machine.Unregister", "{}"), -EPIPE);
        close(sv[0]);
}

/* The reply's own "error" member, however spaced; not a member of that name inside its parameters;
 * a reply that is no JSON object is an error too. */
static void test_varlink_error_parsed(void) {
        VarlinkCall c = { .fd = -EBADF };
        char name[64] = "";

        (void) snprintf(c.reply, sizeof(c.reply), "%s",
                        "{ \"error\" : \"org.varlink.service.MethodNotFound\", \"parameters\": {\"method\": \"x\"} }");
        ASSERT_EQ(varlink_error(&c, name, sizeof(name)), 1);
        ASSERT_STREQ(name, "org.varlink.service.MethodNotFound");
        (void) snprintf(c.reply, sizeof(c.reply), "%s", "{\"parameters\":{\"error\":\"x\"}}");
        ASSERT_EQ(varlink_error(&c, name, sizeof(name)), 0);
        (void) snprintf(c.reply, sizeof(c.reply), "%s", "{\"parameters\":");
        ASSERT_EQ(varlink_error(&c, name, sizeof(name)), 1);
}

TEST_MAIN(test_default_unit_names, test_spread_slices, test_escaped_unit_name, test_systemd_cgroups_path, test_path_cgroups_path, test_overlong_unit_name,
          test_cpu_shares_to_weight, test_cpu_quota_rounding, test_device_major_name, test_annotation_time_spans,
          test_annotation_string_arrays, test_machine_name, test_varlink_call,
          test_varlink_error_parsed)
