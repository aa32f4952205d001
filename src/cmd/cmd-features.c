/* `runscope features`: what this runscope supports, as the OCI runtime-spec's features.md JSON
 * (runc's and crun's shape), so that clients need not probe. Lists only what is implemented. */
#include <seccomp.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/capability.h>

#include "cmd.h"
#include "criu/criu.h"
#include "util/alloc.h"
#include "util/json.h"

static void print_list(const char *const *l) {
        putchar('[');
        for (size_t i = 0; l[i]; i++) {
                if (i)
                        putchar(',');
                json_print_string(stdout, l[i]);
        }
        putchar(']');
}

/* The linux.memoryPolicy modes this kernel takes: each is tried on runscope itself (node 0 where a
 * mode needs nodes), then the default put back. */
static void print_memory_policy(void) {
        static const char *const modes[] = { "MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE",
                                             "MPOL_LOCAL", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE" };
        static const char *const flags[] = { "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES",
                                             NULL };
        unsigned long node0 = 1;
        bool first = true;

        printf("\"memoryPolicy\":{\"modes\":[");
        for (int m = 0; m < (int) ELEMENTSOF(modes); m++) {
                bool nodes = m != 0 && m != 4;
                if (syscall(SYS_set_mempolicy, m, nodes ? &node0 : NULL, nodes ? 2UL : 0UL) < 0)
                        continue;
                printf("%s", first ? "" : ",");
                json_print_string(stdout, modes[m]);
                first = false;
        }
        (void) syscall(SYS_set_mempolicy, 0, NULL, 0UL);
        printf("],\"flags\":");
        print_list(flags);
        putchar('}');
}

/* Checkpoint and restore run the criu in PATH: runc's annotation says whether there is one, and
 * runscope's which (`criu check` runs when a checkpoint fails, not here). */
static void print_criu(void) {
        _cleanup_free_ char *criu = NULL, *version = NULL, *text = NULL;
        bool found = criu_find(&criu) >= 0;

        if (found && criu_version(criu, &version) >= 0)
                (void) asprintf(&text, "%s %s", criu, version);
        printf("\"org.opencontainers.runc.checkpoint.enabled\":\"%s\",\"org.runscope.criu\":", found ? "true" : "false");
        json_print_string(stdout, text ?: criu ?: "none in PATH");
}

int verb_features(int argc, char *argv[]) {
        static const char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                             "poststart", "poststop", NULL };
        static const char *const mount_options[] = {
                "async", "atime", "bind", "dev", "diratime", "dirsync", "exec", "idmap", "mand", "noatime", "nodev",
                "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "private", "rbind",
                "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared",
                "ridmap", "slave", "strictatime", "suid", "sync", "tmpcopyup", "unbindable", NULL };
        static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL };
        static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
                                               "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                                               "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP", NULL };
        static const char *const operators[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
                                                 "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL };
        static const char *const arches[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
                                              "SCMP_ARCH_AARCH64", NULL };
        static const char *const flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                             "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };
        (void) argv;

        if (argc > 1) {
                fprintf(stderr, "runscope: features takes no arguments\n");
                return 1;
        }
        printf("{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.3.0\",\"hooks\":");
        print_list(hooks);
        printf(",\"mountOptions\":");
        print_list(mount_options);
        printf(",\"linux\":{\"namespaces\":");
        print_list(namespaces);
        printf(",\"capabilities\":[");
        for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
                char *name = cap_to_name(c), *p;
                if (!name)
                        continue;
                for (p = name; *p; p++)
                        if (*p >= 'a' && *p <= 'z')
                                *p = (char) (*p - 'a' + 'A');
                printf("%s\"%s\"", c ? "," : "", name);
                cap_free(name);
        }
        printf("],\"cgroup\":{\"v1\":true,\"v2\":true,\"systemd\":true,\"systemdUser\":true},\"seccomp\":{\"enabled\":true,\"actions\":");
        print_list(actions);
        printf(",\"operators\":");
        print_list(operators);
        printf(",\"archs\":");
        print_list(arches);
        printf(",\"knownFlags\":");
        print_list(flags);
        printf(",\"supportedFlags\":");
        print_list(flags);
        printf("},\"apparmor\":{\"enabled\":true},\"selinux\":{\"enabled\":true},");
        print_memory_policy();
        printf(",\"intelRdt\":{\"enabled\":false},\"netDevices\":{\"enabled\":true},"
               "\"mountExtensions\":{\"idmap\":{\"enabled\":true}}},"
               "\"potentiallyUnsafeConfigAnnotations\":[\"org.systemd.property.\",\"org.runscope.\"],\"annotations\":{"
               "\"org.opencontainers.runc.version\":\"1.1.0-compatible\",\"io.github.seccomp.libseccomp.version\":"
               "\"%u.%u.%u\",\"org.runscope.machine\":\"false disables systemd-machined registration\",",
               seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
        print_criu();
        printf("}}\n");
        return fflush(stdout) == 0 ? 0 : 1;
}
