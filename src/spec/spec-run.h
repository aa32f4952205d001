/* A configuration built from runscope-run's command line (systemd-run's spelling for unit
 * properties), as config.json text. cJSON stays in src/spec/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SpecRunOptions {
        char **args;
        bool terminal;        /* --pty */
        char **env;           /* NAME=value */
        bool has_uid, has_gid;
        uint32_t uid, gid;
        const char *cwd;
        const char *rootfs;   /* NULL: the host's root, read-only */
        bool read_only;
        char **binds;         /* SRC[:DST[:ro]] */
        char **tmpfs;         /* DST[:OPTIONS] */
        const char *hostname;
        bool host_network;
        char **cap_add, **cap_drop;
        const char *cgroups_path;
        char **properties;    /* NAME=VALUE, as systemd-run -p */
        bool no_machine;
        const char *seccomp;  /* "default", "unconfined" or a file with a linux.seccomp object */
} SpecRunOptions;

/* Checks one -p NAME=VALUE; -EINVAL (logged, listing the known names) for an unknown NAME or a bad
 * value. */
int spec_run_check_property(const char *assignment);
/* The name of the i-th property -p knows, NULL past the last: what `-p help` lists. */
const char *spec_run_property_name(size_t i);
/* The whole config.json text (caller frees), or -errno (logged). */
int spec_run_build(const SpecRunOptions *o, char **ret);
