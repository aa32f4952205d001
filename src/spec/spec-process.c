/* Parsers for the parts of `process` that need more than a field table: capabilities (by name,
 * through libcap), rlimits and additionalGids. Never drops an unknown name silently: a capability's
 * is a warning, any other an error. */
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "spec-internal.h"
#include "util/log.h"
#include "util/strv.h"

int spec_capability_from_name(const char *name) {
        cap_value_t c;

        /* libcap takes "cap_sys_admin" in any case; OCI spells it "CAP_SYS_ADMIN". */
        if (strncmp(name, "CAP_", 4) != 0 || cap_from_name(name, &c) < 0 || c < 0 || c > 63)
                return -EINVAL;
        return c;
}

int spec_capability_last(void) {
        return (int) cap_max_bits() - 1;
}

uint64_t spec_capability_bit(const char *what, const char *name, int last_cap) {
        int c = spec_capability_from_name(name);

        if (c < 0)
                log_warning("%s: unknown capability '%s', ignoring", what, name);
        else if (c > last_cap)
                log_warning("%s: %s is not known to this kernel (its last capability is %d), ignoring", what, name,
                            last_cap);
        else
                return UINT64_C(1) << c;
        return 0;
}

static int parse_cap_set(const cJSON *j, const char *path, void *dest) {
        _cleanup_strv_free_ char **names = NULL;
        uint64_t mask = 0;
        int last = spec_capability_last();
        char p[512], what[600];
        int r;

        r = spec_strv(j, path, &names);
        if (r < 0)
                return r;
        for (size_t i = 0; names[i]; i++) {
                spec_path_index(p, sizeof(p), path, i);
                (void) snprintf(what, sizeof(what), "config.json: %s", p);
                mask |= spec_capability_bit(what, names[i], last);
        }
        *(uint64_t *) dest = mask;
        return 0;
}

const SpecField spec_capabilities_fields[] = {
        { "bounding", FIELD_CUSTOM, offsetof(Spec, process.capabilities.bounding), .parse = parse_cap_set },
        { "effective", FIELD_CUSTOM, offsetof(Spec, process.capabilities.effective), .parse = parse_cap_set },
        { "inheritable", FIELD_CUSTOM, offsetof(Spec, process.capabilities.inheritable), .parse = parse_cap_set },
        { "permitted", FIELD_CUSTOM, offsetof(Spec, process.capabilities.permitted), .parse = parse_cap_set },
        { "ambient", FIELD_CUSTOM, offsetof(Spec, process.capabilities.ambient), .parse = parse_cap_set },
        {}
};

static const struct {
        const char *name;
        int resource;
} rlimit_names[] = {
        { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimit_type(const cJSON *j, const char *path, void *dest) {
        if (cJSON_IsString(j))
                for (size_t i = 0; i < ELEMENTSOF(rlimit_names); i++)
                        if (strcmp(rlimit_names[i].name, j->valuestring) == 0) {
                                *(int *) dest = rlimit_names[i].resource;
                                return 0;
                        }
        return spec_error(EINVAL, path, "unknown rlimit type%s%s", cJSON_IsString(j) ? " " : "",
                          cJSON_IsString(j) ? j->valuestring : "");
}

static const SpecField rlimit_fields[] = {
        { "type", FIELD_CUSTOM, offsetof(SpecRlimit, resource), FIELD_REQUIRED, .parse = parse_rlimit_type },
        { "soft", FIELD_UINT64, offsetof(SpecRlimit, soft), FIELD_REQUIRED },
        { "hard", FIELD_UINT64, offsetof(SpecRlimit, hard), FIELD_REQUIRED },
        {}
};

int spec_parse_rlimits(const cJSON *j, const char *path, void *dest) {
        SpecProcess *p = (SpecProcess *) ((char *) dest - offsetof(SpecProcess, rlimits));
        char ep[512];
        size_t n = 0;
        const cJSON *e;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        p->rlimits = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(SpecRlimit));
        if (!p->rlimits)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                spec_path_index(ep, sizeof(ep), path, n);
                r = spec_parse_object(e, ep, rlimit_fields, &p->rlimits[n]);
                if (r < 0)
                        return r;
                if (p->rlimits[n].soft > p->rlimits[n].hard)
                        return spec_error(EINVAL, ep, "soft limit is above the hard limit");
                p->n_rlimits = ++n;
        }
        return 0;
}

int spec_parse_gids(const cJSON *j, const char *path, void *dest) {
        SpecProcess *p = (SpecProcess *) ((char *) dest - offsetof(SpecProcess, additional_gids));
        char ep[512];
        const cJSON *e;
        int64_t v;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array of integers");
        p->additional_gids = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(uint32_t));
        if (!p->additional_gids)
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                spec_path_index(ep, sizeof(ep), path, p->n_additional_gids);
                r = spec_int64(e, ep, 0, UINT32_MAX - 1, &v);
                if (r < 0)
                        return r;
                p->additional_gids[p->n_additional_gids++] = (uint32_t) v;
        }
        return 0;
}

static int parse_io_class(const cJSON *j, const char *path, void *dest) {
        static const char *const classes[] = { [1] = "IOPRIO_CLASS_RT", [2] = "IOPRIO_CLASS_BE", [3] = "IOPRIO_CLASS_IDLE" };
        for (int i = 1; cJSON_IsString(j) && i < 4; i++)
                if (strcmp(classes[i], j->valuestring) == 0) {
                        *(int *) dest = i;
                        return 0;
                }
        return spec_error(EINVAL, path, "expected IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE");
}

const SpecField spec_io_priority_fields[] = {
        { "class", FIELD_CUSTOM, offsetof(Spec, process.io_class), FIELD_REQUIRED, .parse = parse_io_class },
        { "priority", FIELD_INT32, offsetof(Spec, process.io_priority) },
        {}
};

static int parse_policy(const cJSON *j, const char *path, void *dest) {
        static const struct {
                const char *name;
                int policy;
        } policies[] = { { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 }, { "SCHED_BATCH", 3 },
                         { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 } };
        for (size_t i = 0; cJSON_IsString(j) && i < ELEMENTSOF(policies); i++)
                if (strcmp(policies[i].name, j->valuestring) == 0) {
                        *(int *) dest = policies[i].policy;
                        return 0;
                }
        return spec_error(EINVAL, path, "unknown scheduling policy%s%s", cJSON_IsString(j) ? " " : "",
                          cJSON_IsString(j) ? j->valuestring : "");
}

/* sched_attr.sched_flags (sched_setattr(2)), by their names in runtime-spec 1.3. */
static int parse_sched_flags(const cJSON *j, const char *path, void *dest) {
        static const char *const names[] = { "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
                                             "SCHED_FLAG_KEEP_POLICY",   "SCHED_FLAG_KEEP_PARAMS",
                                             "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX" };
        return spec_flag_names(j, path, names, ELEMENTSOF(names), dest);
}

const SpecField spec_scheduler_fields[] = {
        { "policy", FIELD_CUSTOM, offsetof(Spec, process.sched_policy), FIELD_REQUIRED, .parse = parse_policy },
        { "nice", FIELD_INT32, offsetof(Spec, process.sched_nice) },
        { "priority", FIELD_INT32, offsetof(Spec, process.sched_priority) },
        { "runtime", FIELD_UINT64, offsetof(Spec, process.sched_runtime) },
        { "deadline", FIELD_UINT64, offsetof(Spec, process.sched_deadline) },
        { "period", FIELD_UINT64, offsetof(Spec, process.sched_period) },
        { "flags", FIELD_CUSTOM, offsetof(Spec, process.sched_flags), .parse = parse_sched_flags },
        {}
};

const SpecField spec_cpu_affinity_fields[] = {
        { "initial", FIELD_STRING, offsetof(Spec, process.cpu_affinity_initial) },
        { "final", FIELD_STRING, offsetof(Spec, process.cpu_affinity_final) },
        {}
};

static int parse_domain(const cJSON *j, const char *path, void *dest) {
        if (cJSON_IsString(j) && strcmp(j->valuestring, "LINUX") == 0)
                *(unsigned long *) dest = 0x0000;
        else if (cJSON_IsString(j) && strcmp(j->valuestring, "LINUX32") == 0)
                *(unsigned long *) dest = 0x0008;
        else
                return spec_error(EINVAL, path, "expected LINUX or LINUX32");
        return 0;
}

const SpecField spec_personality_fields[] = {
        { "domain", FIELD_CUSTOM, offsetof(Spec, personality), FIELD_REQUIRED, .parse = parse_domain },
        { "flags", FIELD_UNSUPPORTED, .why = "personality flags are not supported by runscope yet" },
        {}
};

static const SpecField hook_fields[] = {
        { "path", FIELD_ABSPATH, offsetof(SpecHook, path), FIELD_REQUIRED },
        { "args", FIELD_STRV, offsetof(SpecHook, args) },
        { "env", FIELD_STRV, offsetof(SpecHook, env) },
        { "timeout", FIELD_INT32, offsetof(SpecHook, timeout), .has = HAS(SpecHook, has_timeout) },
        {}
};

static int parse_hook_list(const cJSON *j, const char *path, void *dest, HookKind kind) {
        Spec *s = (Spec *) ((char *) dest - offsetof(Spec, hooks) - (size_t) kind * sizeof(SpecHook *));
        char ep[512];
        const cJSON *e;
        int r;

        if (!cJSON_IsArray(j))
                return spec_error(EINVAL, path, "expected an array");
        s->hooks[kind] = calloc((size_t) cJSON_GetArraySize(j) + 1, sizeof(SpecHook));
        if (!s->hooks[kind])
                return log_oom();
        cJSON_ArrayForEach(e, j) {
                SpecHook *h = &s->hooks[kind][s->n_hooks[kind]++];
                spec_path_index(ep, sizeof(ep), path, s->n_hooks[kind] - 1);
                r = spec_parse_object(e, ep, hook_fields, h);
                if (r < 0)
                        return r;
                if (h->has_timeout && h->timeout <= 0)
                        return spec_error(EINVAL, ep, "timeout must be more than 0 seconds");
        }
        return 0;
}

#define HOOK_PARSER(func, kind)                                                                           \
        static int func(const cJSON *j, const char *path, void *dest) {                                   \
                return parse_hook_list(j, path, dest, kind);                                              \
        }
HOOK_PARSER(parse_prestart, HOOK_PRESTART)
HOOK_PARSER(parse_create_runtime, HOOK_CREATE_RUNTIME)
HOOK_PARSER(parse_create_container, HOOK_CREATE_CONTAINER)
HOOK_PARSER(parse_start_container, HOOK_START_CONTAINER)
HOOK_PARSER(parse_poststart, HOOK_POSTSTART)
HOOK_PARSER(parse_poststop, HOOK_POSTSTOP)

const SpecField spec_hooks_fields[] = {
        { "prestart", FIELD_CUSTOM, offsetof(Spec, hooks[HOOK_PRESTART]), .parse = parse_prestart },
        { "createRuntime", FIELD_CUSTOM, offsetof(Spec, hooks[HOOK_CREATE_RUNTIME]), .parse = parse_create_runtime },
        { "createContainer", FIELD_CUSTOM, offsetof(Spec, hooks[HOOK_CREATE_CONTAINER]), .parse = parse_create_container },
        { "startContainer", FIELD_CUSTOM, offsetof(Spec, hooks[HOOK_START_CONTAINER]), .parse = parse_start_container },
        { "poststart", FIELD_CUSTOM, offsetof(Spec, hooks[HOOK_POSTSTART]), .parse = parse_poststart },
        { "poststop", FIELD_CUSTOM, offsetof(Spec, hooks[HOOK_POSTSTOP]), .parse = parse_poststop },
        {}
};
