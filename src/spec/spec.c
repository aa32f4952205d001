/* Loads config.json into a Spec: the top-level and process tables, and freeing. Never has a side
 * effect beyond memory and reading the file; every error names the JSON path. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <linux/capability.h>

#include "spec-internal.h"
#include "util/cpulist.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/lsm.h"
#include "util/strv.h"

#define P(member) offsetof(Spec, process.member)
static const SpecField user_fields[] = {
        { "uid", FIELD_UINT32, P(uid), FIELD_REQUIRED },
        { "gid", FIELD_UINT32, P(gid), FIELD_REQUIRED },
        { "umask", FIELD_UINT32, P(umask), .has = HAS(Spec, process.has_umask) },
        { "additionalGids", FIELD_CUSTOM, P(additional_gids), .parse = spec_parse_gids },
        { "username", FIELD_UNSUPPORTED },
        {}
};

static const SpecField console_size_fields[] = {
        { "height", FIELD_UINT32, P(console_height), FIELD_REQUIRED },
        { "width", FIELD_UINT32, P(console_width), FIELD_REQUIRED },
        {}
};

static int parse_args(const cJSON *j, const char *path, void *dest) {
        int r = spec_strv(j, path, dest);
        if (r < 0)
                return r;
        if (!(*(char ***) dest)[0])
                return spec_error(EINVAL, path, "must hold at least the command to run");
        if (strlen((*(char ***) dest)[0]) >= PATH_MAX)
                return spec_error(ENAMETOOLONG, path, "the command is longer than %d bytes", PATH_MAX - 1);
        return 0;
}

static const SpecField process_fields[] = {
        { "terminal", FIELD_BOOL, P(terminal) },
        { "consoleSize", FIELD_OBJECT, 0, .fields = console_size_fields, .has = HAS(Spec, process.has_console_size) },
        { "user", FIELD_OBJECT, 0, FIELD_REQUIRED, .fields = user_fields },
        { "args", FIELD_CUSTOM, P(args), FIELD_REQUIRED, .parse = parse_args },
        { "env", FIELD_STRV, P(env) },
        { "cwd", FIELD_ABSPATH, P(cwd), FIELD_REQUIRED },
        { "capabilities", FIELD_OBJECT, 0, .fields = spec_capabilities_fields,
          .has = HAS(Spec, process.has_capabilities) },
        { "rlimits", FIELD_CUSTOM, P(rlimits), .parse = spec_parse_rlimits },
        { "noNewPrivileges", FIELD_BOOL, P(no_new_privileges) },
        { "oomScoreAdj", FIELD_INT32, P(oom_score_adj), .has = HAS(Spec, process.has_oom_score_adj) },
        { "apparmorProfile", FIELD_STRING, P(apparmor_profile) },
        { "selinuxLabel", FIELD_STRING, P(selinux_label) },
        { "ioPriority", FIELD_OBJECT, 0, .fields = spec_io_priority_fields, .has = HAS(Spec, process.has_io_priority) },
        { "scheduler", FIELD_OBJECT, 0, .fields = spec_scheduler_fields, .has = HAS(Spec, process.has_scheduler) },
        { "execCPUAffinity", FIELD_OBJECT, 0, .fields = spec_cpu_affinity_fields },
        {}
};
#undef P

static const SpecField root_fields[] = {
        { "path", FIELD_STRING, offsetof(Spec, root_path), FIELD_REQUIRED },
        { "readonly", FIELD_BOOL, offsetof(Spec, root_readonly) },
        {}
};

static const SpecField spec_fields[] = {
        { "ociVersion", FIELD_STRING, offsetof(Spec, oci_version), FIELD_REQUIRED },
        { "root", FIELD_OBJECT, 0, FIELD_REQUIRED, .fields = root_fields },
        { "process", FIELD_OBJECT, 0, FIELD_REQUIRED, .fields = process_fields },
        { "hostname", FIELD_STRING, offsetof(Spec, hostname) },
        { "mounts", FIELD_CUSTOM, offsetof(Spec, mounts), .parse = spec_parse_mounts },
        { "annotations", FIELD_CUSTOM, offsetof(Spec, annotations), .parse = spec_parse_annotations },
        { "linux", FIELD_OBJECT, 0, .fields = spec_linux_fields },
        { "domainname", FIELD_STRING, offsetof(Spec, domainname) },
        { "hooks", FIELD_OBJECT, 0, .fields = spec_hooks_fields },
        {}
};

static void free_mounts(Spec *s) {
        for (size_t i = 0; i < s->n_mounts; i++) {
                free(s->mounts[i].destination);
                free(s->mounts[i].type);
                free(s->mounts[i].source);
                strv_free(s->mounts[i].options);
                free(s->mounts[i].uid_mappings);
                free(s->mounts[i].gid_mappings);
        }
        free(s->mounts);
        s->mounts = NULL;
        s->n_mounts = 0;
}

Spec *spec_free(Spec *s) {
        if (!s)
                return NULL;
        free(s->oci_version);
        free(s->root_path);
        free(s->process.additional_gids);
        strv_free(s->process.args);
        strv_free(s->process.env);
        free(s->process.cwd);
        free(s->process.rlimits);
        free(s->hostname);
        free(s->domainname);
        free(s->mount_label);
        free(s->process.selinux_label);
        free(s->process.apparmor_profile);
        free(s->process.cpu_affinity_initial);
        free(s->process.cpu_affinity_final);
        free(s->memory_policy.nodes);
        strv_free(s->net_devices);
        free_mounts(s);
        for (size_t i = 0; i < s->n_namespaces; i++)
                free(s->namespaces[i].path);
        free(s->namespaces);
        free(s->resources.devices);
        free(s->resources.cpu_cpus);
        free(s->resources.cpu_mems);
        for (int i = 0; i < _BLKIO_MAX; i++)
                free(s->resources.blkio[i]);
        strv_free(s->resources.unified);
        free(s->cgroups_path);
        free(s->rootfs_propagation);
        strv_free(s->masked_paths);
        strv_free(s->readonly_paths);
        spec_seccomp_free(s->seccomp);
        free(s->uid_mappings);
        free(s->gid_mappings);
        for (int k = 0; k < _HOOK_MAX; k++) {
                for (size_t i = 0; i < s->n_hooks[k]; i++) {
                        free(s->hooks[k][i].path);
                        strv_free(s->hooks[k][i].args);
                        strv_free(s->hooks[k][i].env);
                }
                free(s->hooks[k]);
        }
        strv_free(s->sysctl);
        for (size_t i = 0; i < s->n_devices; i++)
                free(s->devices[i].path);
        free(s->devices);
        strv_free(s->annotations);
        free(s);
        return NULL;
}

/* cJSON turns the escape \u0000 into a NUL byte that silently ends the string, so that
 * "/bin/sh\u0000 -c x" would run /bin/sh: refused. A backslash before it makes it text. */
static int check_no_nul(const char *text, const char *what) {
        for (const char *p = text; (p = strstr(p, "\\u0000")); p++) {
                size_t backslashes = 0;
                for (const char *b = p; b > text && b[-1] == '\\'; b--)
                        backslashes++;
                if (backslashes % 2 == 0)
                        return log_error_errno(EINVAL, "%s: a string holds \\u0000 (a NUL byte) at byte %zu", what,
                                               (size_t) (p - text));
        }
        return 0;
}

/* Values the field tables cannot check on their own. */
/* Without a mount namespace the container lives in runscope's, the host's: nothing may be mounted,
 * masked or made read-only there. As runc does, mounts and devices are left out (with a warning);
 * what would then hold less than asked is refused. */
static int check_without_mount_namespace(Spec *s) {
        if (s->masked_paths && s->masked_paths[0])
                return spec_error(EINVAL, "linux.maskedPaths", "needs a mount namespace of the container's own");
        if (s->readonly_paths && s->readonly_paths[0])
                return spec_error(EINVAL, "linux.readonlyPaths", "needs a mount namespace of the container's own");
        if (s->root_readonly)
                return spec_error(EINVAL, "root.readonly", "needs a mount namespace of the container's own");
        if (s->n_mounts > 0)
                log_warning("config.json: mounts: left out without a mount namespace, as runc does");
        if (s->n_devices > 0)
                log_warning("config.json: linux.devices: left out without a mount namespace, as runc does");
        free_mounts(s);
        for (size_t i = 0; i < s->n_devices; i++)
                free(s->devices[i].path);
        free(s->devices);
        s->devices = NULL;
        s->n_devices = 0;
        return 0;
}

static int check_process(const Spec *s) {
        const char *lists[] = { s->process.cpu_affinity_initial, s->process.cpu_affinity_final };
        const char *paths[] = { "process.execCPUAffinity.initial", "process.execCPUAffinity.final" };
        uint8_t mask[CPULIST_MAX / 8];
        size_t used;

        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                if (lists[i] && cpulist_parse(lists[i], mask, &used) < 0)
                        return spec_error(EINVAL, paths[i], "'%s' is not a CPU list like 0-3,5", lists[i]);
        if (s->process.has_io_priority && (s->process.io_priority < 0 || s->process.io_priority > 7))
                return spec_error(EINVAL, "process.ioPriority.priority", "must be from 0 to 7");
        /* The kernel's limit (__NEW_UTS_LEN): refused here rather than by sethostname in the container. */
        if (s->hostname && strlen(s->hostname) > HOST_NAME_MAX)
                return spec_error(EINVAL, "hostname", "longer than %d characters", HOST_NAME_MAX);
        if (s->domainname && strlen(s->domainname) > HOST_NAME_MAX)
                return spec_error(EINVAL, "domainname", "longer than %d characters", HOST_NAME_MAX);
        if (s->domainname && !spec_has_namespace(s, NAMESPACE_UTS))
                return spec_error(EINVAL, "domainname", "needs a uts namespace");
        return 0;
}

int spec_parse(const char *text, Spec **ret) {
        _cleanup_(cjson_deletep) cJSON *j = NULL;
        _cleanup_(spec_freep) Spec *s = NULL;
        const char *end = NULL;
        int r;

        j = cJSON_ParseWithOpts(text, &end, true);
        if (!j) {
                size_t off = end ? (size_t) (end - text) : 0;
                return log_error_errno(EINVAL, "config.json: invalid JSON near byte %zu", off);
        }
        r = check_no_nul(text, "config.json");
        if (r < 0)
                return r;
        s = calloc(1, sizeof(Spec));
        if (!s)
                return log_oom();
        r = spec_parse_object(j, "", spec_fields, s);
        if (r < 0)
                return r;
        if (!spec_has_namespace(s, NAMESPACE_MOUNT)) {
                r = check_without_mount_namespace(s);
                if (r < 0)
                        return r;
        }
        r = spec_check_sysctl(s);
        if (r < 0)
                return r;
        r = check_process(s);
        if (r < 0)
                return r;
        r = spec_check_user_namespace(s);
        if (r < 0)
                return r;
        r = spec_check_time_namespace(s);
        if (r < 0)
                return r;
        r = spec_check_memory_policy(s);
        if (r < 0)
                return r;
        r = spec_check_net_devices(s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int spec_reparse(const char *text, Spec **ret) {
        LogLevel level = log_get_max_level();
        if (level == LOG_LEVEL_WARNING || level == LOG_LEVEL_INFO)
                log_set_max_level(LOG_LEVEL_ERROR);
        int r = spec_parse(text, ret);
        log_set_max_level(level);
        return r;
}

int spec_load(const char *bundle, Spec **ret) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        size_t size;
        int r;

        if (asprintf(&path, "%s/config.json", bundle) < 0)
                return log_oom();
        r = read_file_at(AT_FDCWD, path, SPEC_MAX_SIZE, &text, &size);
        if (r == -EFBIG)
                return log_error_errno(r, "%s: larger than %zu bytes", path, SPEC_MAX_SIZE);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", path);
        if (strlen(text) != size)
                return log_error_errno(EINVAL, "%s: holds a NUL byte", path);
        return spec_parse(text, ret);
}

/* One part of a configuration on its own (exec's process, update's resources), into a Spec. */
static int parse_part(const char *text, const char *what, const char *path, const SpecField *fields, Spec **ret) {
        _cleanup_(cjson_deletep) cJSON *j = NULL;
        _cleanup_(spec_freep) Spec *s = NULL;
        int r;

        j = cJSON_Parse(text);
        if (!j)
                return log_error_errno(EINVAL, "%s: invalid JSON", what);
        r = check_no_nul(text, what);
        if (r < 0)
                return r;
        s = calloc(1, sizeof(Spec));
        if (!s)
                return log_oom();
        r = spec_parse_object(j, path, fields, s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int spec_parse_process(const char *text, Spec **ret) {
        _cleanup_(spec_freep) Spec *s = NULL;
        int r = parse_part(text, "process", "process", process_fields, &s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int spec_parse_resources(const char *text, Spec **ret) {
        return parse_part(text, "resources", "linux.resources", spec_resources_fields, ret);
}

int spec_parse_strings(const char *text, const char *file, char ***ret) {
        _cleanup_(cjson_deletep) cJSON *j = cJSON_Parse(text);
        _cleanup_strv_free_ char **l = NULL;
        const cJSON *e;

        if (!cJSON_IsArray(j))
                return log_error_errno(EINVAL, "%s: expected a JSON array of strings", file);
        cJSON_ArrayForEach(e, j) {
                if (!cJSON_IsString(e))
                        return log_error_errno(EINVAL, "%s: expected a JSON array of strings", file);
                if (strv_extend(&l, e->valuestring) < 0)
                        return log_oom();
        }
        *ret = TAKE_PTR(l);
        return 0;
}

bool spec_can_ptrace_host(const Spec *s) {
        if (spec_has_namespace(s, NAMESPACE_USER))
                return false; /* its capabilities are its user namespace's only */
        /* Without a capabilities object the process keeps all of root's; the bounding set is what
         * it can ever have (setuid binaries, file capabilities). */
        return !s->process.has_capabilities || (s->process.capabilities.bounding & (UINT64_C(1) << CAP_SYS_PTRACE));
}

void spec_drop_labels(Spec *s, unsigned host_lsms) {
        const struct {
                const char *what;
                char **label;
                unsigned lsm;
        } labels[] = {
                { "linux.mountLabel", &s->mount_label, LSM_SELINUX },
                { "process.selinuxLabel", &s->process.selinux_label, LSM_SELINUX },
                { "process.apparmorProfile", &s->process.apparmor_profile, LSM_APPARMOR },
        };

        for (size_t i = 0; i < ELEMENTSOF(labels); i++) {
                char **label = labels[i].label;
                if (!*label || (**label && (host_lsms & labels[i].lsm)))
                        continue;
                if (**label)
                        log_debug("%s: %s is not enabled on this host, ignoring '%s'", labels[i].what,
                                  labels[i].lsm == LSM_SELINUX ? "SELinux" : "AppArmor", *label);
                free(*label);
                *label = NULL;
        }
}

const SpecNamespace *spec_namespace(const Spec *s, NamespaceType t) {
        for (size_t i = 0; i < s->n_namespaces; i++)
                if (s->namespaces[i].type == t)
                        return &s->namespaces[i];
        return NULL;
}

bool spec_has_namespace(const Spec *s, NamespaceType t) {
        return spec_namespace(s, t) != NULL;
}

const char *spec_annotation(const Spec *s, const char *key) {
        for (char **a = s->annotations; a && a[0] && a[1]; a += 2)
                if (strcmp(a[0], key) == 0)
                        return a[1];
        return NULL;
}
