/* Unit tests of src/spec: the config.json parser accepts what runc writes, ignores unknown keys and
 * rejects, with the JSON path, what it cannot honour. */
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/resource.h>

#include "spec/spec-run.h"
#include "spec/spec.h"
#include "tap.h"
#include "util/lsm.h"

#define MINIMAL_PROCESS "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}"
#define MINIMAL_LINUX "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}"
#define SPEC(...) "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"}," __VA_ARGS__ "}"

static int parse(const char *text) {
        _cleanup_(spec_freep) Spec *s = NULL;
        int r = spec_parse(text, &s);
        if (r < 0 && s)
                return -1000; /* a failed parse must not hand anything out */
        return r;
}

static void test_minimal_spec(void) {
        _cleanup_(spec_freep) Spec *s = NULL;
        ASSERT_EQ(spec_parse(SPEC(MINIMAL_PROCESS "," MINIMAL_LINUX), &s), 0);
        ASSERT_STREQ(s->root_path, "rootfs");
        ASSERT_STREQ(s->process.args[0], "sh");
        ASSERT_STREQ(s->process.cwd, "/");
        ASSERT_TRUE(spec_has_namespace(s, NAMESPACE_MOUNT));
        ASSERT_TRUE(!spec_has_namespace(s, NAMESPACE_PID));
        ASSERT_TRUE(!s->resources.has_memory_limit);
}

static void test_default_spec_parses(void) {
        _cleanup_(spec_freep) Spec *s = NULL;
        _cleanup_free_ char *text = spec_default_json();
        ASSERT_EQ(spec_parse(text, &s), 0);
        ASSERT_EQ(s->n_mounts, 7);
        ASSERT_STREQ(s->mounts[1].destination, "/dev");
        ASSERT_EQ(s->n_namespaces, 6);
        ASSERT_EQ(s->process.n_rlimits, 1);
        ASSERT_EQ(s->process.rlimits[0].resource, RLIMIT_NOFILE);
        ASSERT_EQ(s->process.capabilities.bounding, (1ull << 29) | (1ull << 5) | (1ull << 10));
        ASSERT_EQ(s->resources.n_devices, 1);
        ASSERT_TRUE(s->root_readonly);
        ASSERT_TRUE(s->process.no_new_privileges);
}

static void test_unknown_keys_ignored(void) {
        ASSERT_EQ(parse(SPEC("\"future\":{\"x\":1}," MINIMAL_PROCESS "," MINIMAL_LINUX)), 0);
}

static void test_resources(void) {
        _cleanup_(spec_freep) Spec *s = NULL;
        ASSERT_EQ(spec_parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
                                                  "\"resources\":{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":33},"
                                                  "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000}}}"),
                             &s),
                  0);
        ASSERT_TRUE(s->resources.has_memory_limit);
        ASSERT_EQ(s->resources.memory_limit, 67108864);
        ASSERT_EQ(s->resources.pids_limit, 33);
        ASSERT_EQ(s->resources.cpu_shares, 512);
        ASSERT_EQ(s->resources.cpu_quota, 50000);
        ASSERT_TRUE(!s->resources.has_memory_swap);
}

static void test_bad_inputs_are_rejected(void) {
        ASSERT_EQ(parse("{"), -EINVAL);
        ASSERT_EQ(parse("[]"), -EINVAL);
        ASSERT_EQ(parse(SPEC(MINIMAL_LINUX)), -EINVAL); /* no process */
        ASSERT_EQ(parse(SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"cwd\":\"/\"}," MINIMAL_LINUX)), -EINVAL);
        ASSERT_EQ(parse(SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[],\"cwd\":\"/\"}," MINIMAL_LINUX)),
                  -EINVAL);
        ASSERT_EQ(parse(SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"tmp\"}," MINIMAL_LINUX)),
                  -EINVAL);
        ASSERT_EQ(parse(SPEC("\"process\":{\"user\":{\"uid\":-1,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}," MINIMAL_LINUX)),
                  -ERANGE);
        ASSERT_EQ(parse(SPEC("\"process\":{\"user\":{\"uid\":\"0\",\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}," MINIMAL_LINUX)),
                  -EINVAL);
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"bogus\"}]}")),
                  -EINVAL);
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"mount\"}]}")),
                  -EINVAL);
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"mounts\":[{\"destination\":\"\",\"type\":\"proc\"}]," MINIMAL_LINUX)),
                  -EINVAL);
        ASSERT_EQ(parse(SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
                             "\"rlimits\":[{\"type\":\"RLIMIT_NOPE\",\"soft\":1,\"hard\":1}]}," MINIMAL_LINUX)),
                  -EINVAL);
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
                                             "\"resources\":{\"memory\":{\"limit\":1.5}}}")),
                  -EINVAL);
}

/* runtime-spec 1.1: an unknown capability is a warning, not an error (this test expected -EINVAL
 * before); so is one the running kernel lacks, as in runc. */
static void test_unknown_capability_is_ignored(void) {
        _cleanup_(spec_freep) Spec *s = NULL;
        ASSERT_EQ(spec_parse(SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
                                  "\"capabilities\":{\"bounding\":[\"CAP_BOGUS\",\"CAP_CHOWN\"],\"effective\":[\"CAP_KILL\"],"
                                  "\"inheritable\":[\"cap_chown\"],\"permitted\":[\"CAP_NEW\"],\"ambient\":[\"\"]}}," MINIMAL_LINUX),
                             &s),
                  0);
        ASSERT_TRUE(s->process.has_capabilities);
        ASSERT_EQ(s->process.capabilities.bounding, 1ull << 0);
        ASSERT_EQ(s->process.capabilities.effective, 1ull << 5);
        ASSERT_EQ(s->process.capabilities.inheritable, 0);
        ASSERT_EQ(s->process.capabilities.permitted, 0);
        ASSERT_EQ(s->process.capabilities.ambient, 0);

        ASSERT_EQ(spec_capability_bit("--cap", "CAP_SYS_ADMIN", 40), 1ull << 21);
        ASSERT_EQ(spec_capability_bit("--cap", "CAP_BOGUS", 40), 0);
        ASSERT_EQ(spec_capability_bit("--cap", "SYS_ADMIN", 40), 0);
        /* CAP_PERFMON is 38: a 5.7 kernel's last is 37 (CAP_AUDIT_READ), and it lacks CAP_PERFMON. */
        ASSERT_EQ(spec_capability_bit("--cap", "CAP_PERFMON", 37), 0);
        ASSERT_EQ(spec_capability_bit("--cap", "CAP_PERFMON", 38), 1ull << 38);
        ASSERT_EQ(spec_capability_bit("--cap", "CAP_AUDIT_READ", 37), 1ull << 37);
        ASSERT_TRUE(spec_capability_last() >= 37);
}

/* Labels are kept for the LSM the host has enabled, to be applied (before: refused there), and
 * dropped for one it has not (they mean nothing there); an empty one asks for nothing. */
static void test_labels(void) {
#define LABELS_SPEC                                                                                          \
        SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","                     \
             "\"selinuxLabel\":\"system_u:system_r:container_t:s0\",\"apparmorProfile\":\"container-default\"},"  \
             "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"mountLabel\":\"system_u:object_r:container_file_t:s0\"}")
        _cleanup_(spec_freep) Spec *none = NULL, *se = NULL, *aa = NULL, *empty = NULL;

        ASSERT_EQ(spec_parse(LABELS_SPEC, &none), 0);
        spec_drop_labels(none, 0);
        ASSERT_NULL(none->process.selinux_label);
        ASSERT_NULL(none->process.apparmor_profile);
        ASSERT_NULL(none->mount_label);

        ASSERT_EQ(spec_parse(LABELS_SPEC, &se), 0);
        spec_drop_labels(se, LSM_SELINUX);
        ASSERT_STREQ(se->process.selinux_label, "system_u:system_r:container_t:s0");
        ASSERT_STREQ(se->mount_label, "system_u:object_r:container_file_t:s0");
        ASSERT_NULL(se->process.apparmor_profile);

        ASSERT_EQ(spec_parse(LABELS_SPEC, &aa), 0);
        spec_drop_labels(aa, LSM_APPARMOR);
        ASSERT_STREQ(aa->process.apparmor_profile, "container-default");
        ASSERT_NULL(aa->process.selinux_label);
        ASSERT_NULL(aa->mount_label);

        ASSERT_EQ(spec_parse(SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
                                  "\"selinuxLabel\":\"\",\"apparmorProfile\":\"\"}," MINIMAL_LINUX),
                             &empty),
                  0);
        spec_drop_labels(empty, LSM_SELINUX | LSM_APPARMOR);
        ASSERT_NULL(empty->process.selinux_label);
        ASSERT_NULL(empty->process.apparmor_profile);
#undef LABELS_SPEC
}

/* As crun: a sysctl kernel.hostname or kernel.domainname that says otherwise than hostname or
 * domainname is refused (it was accepted before); the same value, or no field, is fine. */
static void test_sysctl_against_hostname(void) {
#define UTS_SPEC(fields, sysctl)                                                                          \
        SPEC(MINIMAL_PROCESS "," fields "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}],"    \
                             "\"sysctl\":{" sysctl "}}")
        ASSERT_EQ(parse(UTS_SPEC("\"hostname\":\"a\",", "\"kernel.hostname\":\"b\"")), -EINVAL);
        ASSERT_EQ(parse(UTS_SPEC("\"domainname\":\"a.org\",", "\"kernel.domainname\":\"b.org\"")), -EINVAL);
        ASSERT_EQ(parse(UTS_SPEC("\"hostname\":\"\",", "\"kernel.hostname\":\"b\"")), -EINVAL);
        ASSERT_EQ(parse(UTS_SPEC("\"hostname\":\"a\",\"domainname\":\"a.org\",",
                                 "\"kernel.hostname\":\"a\",\"kernel.domainname\":\"a.org\"")),
                  0);
        ASSERT_EQ(parse(UTS_SPEC("", "\"kernel.hostname\":\"b\",\"kernel.domainname\":\"b.org\"")), 0);
        ASSERT_EQ(parse(UTS_SPEC("\"hostname\":\"a\",", "\"kernel.domainname\":\"b.org\"")), 0);
#undef UTS_SPEC
}

static void test_unsupported_is_refused(void) {
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
                                             "\"intelRdt\":{\"closID\":\"x\"}}")),
                  -EOPNOTSUPP);
        /* A user namespace needs its mappings, and mappings need one. */
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}]}")),
                  -EINVAL);
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}],"
                                             "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                                             "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}")),
                  0);
        /* A time namespace takes offsets; offsets need one of the container's own. */
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},"
                                             "{\"type\":\"time\"}],\"timeOffsets\":{\"boottime\":{\"secs\":-5}}}")),
                  0);
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},"
                                             "{\"type\":\"time\",\"path\":\"/proc/1/ns/time\"}],"
                                             "\"timeOffsets\":{\"boottime\":{\"secs\":5}}}")),
                  -EINVAL);
        /* A namespace joined by path is fine to parse; its type is checked against the file at create. */
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},"
                                             "{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}]}")),
                  0);
        /* No mount namespace runs in runscope's, as runc does (#16; this refused it before), but
         * masking there would mask the host's. */
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[]}")), 0);
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[],\"maskedPaths\":[\"/proc/kcore\"]}")), -EINVAL);
        /* An empty value of an unsupported key asks for nothing. */
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"sysctl\":{}}")), 0);
}

static void test_seccomp(void) {
        _cleanup_(spec_freep) Spec *s = NULL;
        ASSERT_EQ(spec_parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
                                                  "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
                                                  "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"read\","
                                                  "\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"kill\"],"
                                                  "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":0,"
                                                  "\"op\":\"SCMP_CMP_EQ\"}]}]}}"),
                             &s),
                  0);
        ASSERT_TRUE(s->seccomp);
        ASSERT_EQ(s->seccomp->default_action, SCMP_ACT_ERRNO(38));
        ASSERT_EQ(s->seccomp->n_rules, 2);
        ASSERT_EQ(s->seccomp->rules[0].n_syscalls, 2);
        ASSERT_EQ(s->seccomp->rules[0].syscalls[0], 0); /* read is 0 on x86-64 */
        ASSERT_EQ(s->seccomp->rules[1].action, SCMP_ACT_ERRNO(EPERM)); /* errnoRet defaults to EPERM */
        ASSERT_EQ(s->seccomp->rules[1].args[0].op, SCMP_CMP_EQ);
        ASSERT_EQ(parse(SPEC(MINIMAL_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
                                             "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                                             "[\"nosuch\"],\"action\":\"SCMP_ACT_ERRNO\"}]}}")),
                  -EINVAL);
}

static void test_spec_load_names_the_file(void) {
        _cleanup_(spec_freep) Spec *s = NULL;
        ASSERT_EQ(spec_load(TEST_DATA "/spec/missing", &s), -ENOENT);
        ASSERT_EQ(spec_load(TEST_DATA "/spec/minimal", &s), 0);
        ASSERT_STREQ(s->hostname, "probe");
}

/* Found by tests/fuzz/fuzz-run-property: a size, percentage or period that is NaN, infinite or past
 * 2^64 was converted to an integer (undefined behaviour) and accepted. */
static void test_run_property_numbers_out_of_range(void) {
        ASSERT_EQ(spec_run_check_property("MemoryMax=64M"), 0);
        ASSERT_EQ(spec_run_check_property("MemorySwapMax=infinity"), 0);
        ASSERT_EQ(spec_run_check_property("MemorySwapMax=Infinity"), -EINVAL);
        ASSERT_EQ(spec_run_check_property("MemoryMax=nan"), -EINVAL);
        ASSERT_EQ(spec_run_check_property("MemoryMax=1e300"), -EINVAL);
        ASSERT_EQ(spec_run_check_property("MemoryMax=16777216T"), -EINVAL); /* 2^64 */
        ASSERT_EQ(spec_run_check_property("IOReadBandwidthMax=/dev/null 1e30"), -EINVAL);
        ASSERT_EQ(spec_run_check_property("CPUQuota=nan%"), -EINVAL);
        ASSERT_EQ(spec_run_check_property("CPUQuota=1e300%"), -EINVAL);
        ASSERT_EQ(spec_run_check_property("CPUQuotaPeriodSec=nan"), -EINVAL);
        ASSERT_EQ(spec_run_check_property("CPUQuotaPeriodSec=10ms"), 0);
}

/* "\u0000" became a NUL byte that cut the string short: args ["/bin/true\u0000x"] ran /bin/true. */
static void test_nul_escape_is_refused(void) {
        _cleanup_(spec_freep) Spec *s = NULL;
        ASSERT_EQ(parse(SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"/bin/true\\u0000x\"],\"cwd\":\"/\"},"
                             MINIMAL_LINUX)), -EINVAL);
        ASSERT_EQ(parse(SPEC("\"hostname\":\"\\\\\\u0000\"," MINIMAL_PROCESS "," MINIMAL_LINUX)), -EINVAL);
        /* An escaped backslash and then the text u0000 is no NUL. */
        ASSERT_EQ(spec_parse(SPEC("\"hostname\":\"a\\\\u0000\"," MINIMAL_PROCESS "," MINIMAL_LINUX), &s), 0);
        ASSERT_STREQ(s->hostname, "a\\u0000");
}

/* A hostname longer than the kernel takes failed only in the container, after the scope was started. */
static void test_hostname_length(void) {
        char text[1024], name[66];
        memset(name, 'h', 65);
        name[65] = 0;
        (void) snprintf(text, sizeof(text), SPEC("\"hostname\":\"%s\"," MINIMAL_PROCESS "," MINIMAL_LINUX), name);
        ASSERT_EQ(parse(text), -EINVAL);
        name[64] = 0;
        (void) snprintf(text, sizeof(text), SPEC("\"hostname\":\"%s\"," MINIMAL_PROCESS "," MINIMAL_LINUX), name);
        ASSERT_EQ(parse(text), 0);
}

/* A 10 MB cwd or command failed only in the container, with the reason cut off the message. */
static void test_path_length(void) {
        size_t n = PATH_MAX + 64;
        _cleanup_free_ char *text = malloc(n + 512), *name = malloc(n + 1);
        ASSERT_TRUE(text && name);
        memset(name, 'p', n);
        name[0] = '/';
        name[n] = 0;
        (void) snprintf(text, n + 512, SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"%s\"},"
                                            MINIMAL_LINUX), name);
        ASSERT_EQ(parse(text), -ENAMETOOLONG);
        (void) snprintf(text, n + 512, SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"%s\"],\"cwd\":\"/\"},"
                                            MINIMAL_LINUX), name + 1);
        ASSERT_EQ(parse(text), -ENAMETOOLONG);
        name[PATH_MAX - 1] = 0;
        (void) snprintf(text, n + 512, SPEC("\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"%s\"},"
                                            MINIMAL_LINUX), name);
        ASSERT_EQ(parse(text), 0);
}

/* runtime-spec 1.2: relative to the container's /; one spelling, so that destinations compare. */
static void test_destination_is_normalised(void) {
        _cleanup_(spec_freep) Spec *s = NULL;
        ASSERT_EQ(spec_parse(SPEC(MINIMAL_PROCESS ",\"mounts\":[{\"destination\":\"proc\",\"type\":\"proc\"},"
                                  "{\"destination\":\"//dev/./pts//\",\"type\":\"devpts\"},"
                                  "{\"destination\":\"/\",\"type\":\"tmpfs\"}]," MINIMAL_LINUX),
                             &s),
                  0);
        ASSERT_STREQ(s->mounts[0].destination, "/proc");
        ASSERT_STREQ(s->mounts[1].destination, "/dev/pts");
        ASSERT_STREQ(s->mounts[2].destination, "/");
}

/* spec --rootless: runc's rootless changes, podman's mappings. */
static void test_rootless_spec(void) {
        const SpecIdMapping su = { .host_id = 100000, .size = 65536 }, sg = { .host_id = 200000, .size = 1000 };
        _cleanup_(spec_freep) Spec *s = NULL, *single = NULL;
        _cleanup_free_ char *text = NULL, *text1 = NULL;

        ASSERT_EQ(spec_rootless_json(1000, 1001, &su, &sg, &text), 0);
        ASSERT_EQ(spec_parse(text, &s), 0);
        ASSERT_TRUE(spec_has_namespace(s, NAMESPACE_USER));
        ASSERT_TRUE(!spec_has_namespace(s, NAMESPACE_NETWORK));
        ASSERT_TRUE(spec_has_namespace(s, NAMESPACE_CGROUP));
        ASSERT_EQ(s->n_uid_mappings, 2);
        ASSERT_EQ(s->uid_mappings[0].container_id, 0);
        ASSERT_EQ(s->uid_mappings[0].host_id, 1000);
        ASSERT_EQ(s->uid_mappings[0].size, 1);
        ASSERT_EQ(s->uid_mappings[1].container_id, 1);
        ASSERT_EQ(s->uid_mappings[1].host_id, 100000);
        ASSERT_EQ(s->uid_mappings[1].size, 65536);
        ASSERT_EQ(s->n_gid_mappings, 2);
        ASSERT_EQ(s->gid_mappings[0].host_id, 1001);
        ASSERT_EQ(s->gid_mappings[1].host_id, 200000);
        ASSERT_EQ(s->gid_mappings[1].size, 1000);
        ASSERT_EQ(s->resources.n_devices, 0);
        for (size_t i = 0; i < s->n_mounts; i++) {
                for (char **o = s->mounts[i].options; o && *o; o++)
                        ASSERT_TRUE(strncmp(*o, "gid=", 4) != 0 && strncmp(*o, "uid=", 4) != 0);
                if (strcmp(s->mounts[i].destination, "/sys") == 0) {
                        ASSERT_STREQ(s->mounts[i].source, "/sys");
                        ASSERT_STREQ(s->mounts[i].options[0], "rbind");
                }
        }
        ASSERT_EQ(spec_rootless_json(1000, 1000, NULL, NULL, &text1), 0);
        ASSERT_EQ(spec_parse(text1, &single), 0);
        ASSERT_EQ(single->n_uid_mappings, 1);
        ASSERT_EQ(single->n_gid_mappings, 1);
}

TEST_MAIN(test_rootless_spec, test_minimal_spec, test_destination_is_normalised, test_default_spec_parses, test_unknown_keys_ignored,
          test_resources, test_bad_inputs_are_rejected, test_unknown_capability_is_ignored, test_labels,
          test_sysctl_against_hostname, test_unsupported_is_refused, test_seccomp, test_spec_load_names_the_file,
          test_run_property_numbers_out_of_range, test_nul_escape_is_refused, test_hostname_length, test_path_length)
