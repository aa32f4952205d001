/* Unit tests of src/bus that need no systemd: unit naming and resource arithmetic. */
#include "bus/bus.h"
#include "tap.h"

static void test_default_unit_names(void) {
        _cleanup_free_ char *unit = NULL, *slice = NULL;
        ASSERT_EQ(bus_unit_names(NULL, "web", &unit, &slice), 0);
        ASSERT_STREQ(unit, "runscope-web.scope");
        ASSERT_STREQ(slice, "machine.slice");
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
        ASSERT_EQ(bus_unit_names(":crio:x", "id", &u2, &s2), 0);
        ASSERT_STREQ(u2, "crio-x.scope");
        ASSERT_STREQ(s2, "machine.slice");
        ASSERT_EQ(bus_unit_names("/libpod_parent/libpod-abc", "id", &u3, &s3), 0); /* cgroupfs form: default */
        ASSERT_STREQ(u3, "runscope-id.scope");
        ASSERT_STREQ(s3, "machine.slice");
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

static void test_cpu_shares_to_weight(void) {
        ASSERT_EQ(props_cpu_shares_to_weight(2), 1);
        ASSERT_EQ(props_cpu_shares_to_weight(1024), 100);
        ASSERT_EQ(props_cpu_shares_to_weight(262144), 10000);
        ASSERT_EQ(props_cpu_shares_to_weight(512), 59);
        ASSERT_EQ(props_cpu_shares_to_weight(1), 1);
}

static void test_cpu_quota_rounding(void) {
        ASSERT_EQ(props_cpu_quota_per_sec_usec(50000, 100000), 500000);
        ASSERT_EQ(props_cpu_quota_per_sec_usec(50001, 100000), 510000);
        ASSERT_EQ(props_cpu_quota_per_sec_usec(12345, 0), 130000);
        ASSERT_EQ(props_cpu_quota_per_sec_usec(-1, 100000), UINT64_MAX);
}

TEST_MAIN(test_default_unit_names, test_escaped_unit_name, test_systemd_cgroups_path, test_path_cgroups_path, test_overlong_unit_name,
          test_cpu_shares_to_weight, test_cpu_quota_rounding)
