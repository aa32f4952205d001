/* What checkpoint and restore share: the criu binary, the CRIU options a container's configuration
 * implies (external mounts and namespaces, as runc gives them), descriptors.json, and the one line
 * that says why criu failed. Changes no container. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "container-internal.h"
#include "criu/criu.h"
#include "launch/launch.h"
#include "util/fd.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

/* CRIU's keys for a namespace a configuration joins by path (runc's and crun's). */
#define CRIU_EXT_NETNS "extRootNetNS"
#define CRIU_EXT_PIDNS "extRootPidNS"

/* runscope's default devices: bind mounts of the host's in a user namespace (mount.c). */
static const char *const default_devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                               "/dev/tty" };

int container_criu_find(const char *verb, const char *id, char **ret) {
        int r = criu_find(ret);
        if (r == -ENOENT)
                return log_error_errno(ENOENT, "%s of %s refused: criu is not installed (no criu in PATH), and "
                                               "runscope checkpoints and restores through it", verb, id);
        if (r < 0)
                return log_error_errno(r, "Failed to look for criu: %m");
        return 0;
}

void criu_spec_done(CriuSpec *c) {
        c->mount_kv = strv_free(c->mount_kv);
        c->join_kv = strv_free(c->join_kv);
        free(c->ext_mnt);
        free(c->join_ns);
        c->ext_mnt = c->join_ns = NULL;
        c->n_ext_mnt = c->n_join_ns = 0;
        c->external = strv_free(c->external);
        c->inherit_ns = strv_free(c->inherit_ns);
}

static int add_pair(char ***kv, const char *key, const char *val) {
        return strv_extend(kv, key) < 0 || strv_extend(kv, val) < 0 ? log_oom() : 0;
}

/* The pairs of a key, value, … list: they point into it. */
static int to_pairs(char **kv, CriuPair **ret, size_t *ret_n) {
        size_t n = strv_length(kv) / 2;
        CriuPair *p = NULL;

        if (!kv || n == 0) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        p = calloc(n, sizeof(CriuPair));
        if (!p)
                return log_oom();
        for (size_t i = 0; i < n; i++)
                p[i] = (CriuPair) { .key = kv[2 * i], .val = kv[2 * i + 1] };
        *ret = p;
        *ret_n = n;
        return 0;
}

/* Bind mounts and device nodes: on dump named by their mount point, on restore that name mapped to
 * the host's source (runc's addCriuDumpMount and addCriuRestoreMount). */
static int add_external_mounts(const Spec *spec, const char *rootfs, const char *bundle, bool restore, char ***kv) {
        int r;

        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];
                _cleanup_free_ char *dest = NULL, *source = NULL;

                if (!launch_mount_is_bind(m) || !m->source)
                        continue;
                r = launch_resolve_in_rootfs(rootfs, m->destination, &dest);
                if (r < 0)
                        return r;
                if (m->source[0] != '/' && asprintf(&source, "%s/%s", bundle, m->source) < 0)
                        return log_oom();
                r = add_pair(kv, dest, restore ? (source ?: m->source) : dest);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(default_devices) + spec->n_devices; i++) {
                const char *p = i < ELEMENTSOF(default_devices) ? default_devices[i]
                                                                : spec->devices[i - ELEMENTSOF(default_devices)].path;
                r = add_pair(kv, p, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Masked files are binds of the null device: named "/dev/null" on dump, that name the host's
 * /dev/null on restore (runc's addMaskPaths). A masked directory is a tmpfs, which CRIU dumps. */
static int add_masked(const Spec *spec, pid_t pid, bool restore, char ***kv) {
        for (char **p = spec->masked_paths; p && *p; p++) {
                char path[PATH_MAX];
                struct stat st;

                if (restore)
                        return add_pair(kv, "/dev/null", "/dev/null");
                (void) snprintf(path, sizeof(path), "/proc/%d/root%s", (int) pid, *p);
                if (stat(path, &st) < 0 || S_ISDIR(st.st_mode))
                        continue;
                int r = add_pair(kv, *p, "/dev/null");
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Namespaces joined by path: net and pid are CRIU's "external" ones (their inode on dump, an
 * inherited fd on restore); the others are joined on restore (runc's handleRestoringNamespaces). */
static int add_namespaces(const Spec *spec, bool restore, CriuSpec *c, char ***join) {
        for (size_t i = 0; i < spec->n_namespaces; i++) {
                const SpecNamespace *ns = &spec->namespaces[i];
                const char *name = namespace_type_to_string(ns->type);
                struct stat st;

                if (!ns->path)
                        continue;
                if (ns->type == NAMESPACE_NETWORK || ns->type == NAMESPACE_PID) {
                        const char *key = ns->type == NAMESPACE_NETWORK ? CRIU_EXT_NETNS : CRIU_EXT_PIDNS;
                        _cleanup_free_ char *ext = NULL;
                        if (restore) {
                                if (add_pair(&c->inherit_ns, key, ns->path) < 0)
                                        return -ENOMEM;
                                continue;
                        }
                        if (stat(ns->path, &st) < 0)
                                return log_error_errno(errno, "config.json: linux.namespaces[%zu].path: %s: %m", i, ns->path);
                        if (asprintf(&ext, "%s[%llu]:%s", ns->type == NAMESPACE_NETWORK ? "net" : "pid",
                                     (unsigned long long) st.st_ino, key) < 0 || strv_extend(&c->external, ext) < 0)
                                return log_oom();
                        continue;
                }
                /* CRIU cannot restore into a cgroup or mount namespace that exists already. */
                if (ns->type == NAMESPACE_CGROUP || ns->type == NAMESPACE_MOUNT)
                        return log_error_errno(EOPNOTSUPP, "config.json: linux.namespaces[%zu]: CRIU cannot restore "
                                                           "into an existing %s namespace (%s)", i, name, ns->path);
                if (restore && add_pair(join, ns->type == NAMESPACE_UTS ? "uts" : name, ns->path) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int criu_spec_for(const Spec *spec, const char *rootfs, const char *bundle, pid_t pid, bool restore, CriuSpec *ret) {
        CriuSpec c = {};
        int r;

        r = add_external_mounts(spec, rootfs, bundle, restore, &c.mount_kv);
        if (r >= 0)
                r = add_masked(spec, pid, restore, &c.mount_kv);
        if (r >= 0)
                r = add_namespaces(spec, restore, &c, &c.join_kv);
        /* Last: the pairs point at the strings of the lists, which stay where they are. */
        if (r >= 0)
                r = to_pairs(c.mount_kv, &c.ext_mnt, &c.n_ext_mnt);
        if (r >= 0)
                r = to_pairs(c.join_kv, &c.join_ns, &c.n_join_ns);
        if (r < 0) {
                criu_spec_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

/* CRIU's name of fd of pid when it is a file on a mount the container does not see (the /dev/null
 * or log file its caller gave it as stdio): "file[MNT_ID:INODE]", in hex, as criu's --external
 * takes it; NULL for anything else (pipes, sockets, terminals, the container's own files). */
static char *outside_file(pid_t pid, int fd, const char *link) {
        char path[64], line[256];
        unsigned mnt = 0;
        bool found = false;
        struct stat st;

        if (link[0] != '/')
                return NULL;
        (void) snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int) pid, fd);
        _cleanup_fclose_ FILE *info = fopen(path, "re");
        while (info && fgets(line, sizeof(line), info))
                if (sscanf(line, "mnt_id: %u", &mnt) == 1)
                        found = true;
        (void) snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int) pid, fd);
        if (!found || stat(path, &st) < 0)
                return NULL;
        (void) snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int) pid);
        _cleanup_fclose_ FILE *mi = fopen(path, "re");
        while (mi && fgets(line, sizeof(line), mi)) {
                unsigned id;
                if (sscanf(line, "%u ", &id) == 1 && id == mnt)
                        return NULL;
                /* A line longer than the buffer goes on in the next read: skip to its end. */
                while (!strchr(line, '\n') && fgets(line, sizeof(line), mi))
                        ;
        }
        char *key = NULL;
        if (asprintf(&key, "file[%x:%llx]", mnt, (unsigned long long) st.st_ino) < 0)
                return NULL;
        return key;
}

int container_write_descriptors(int image_fd, pid_t pid, char ***external) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return log_oom();
        /* Where the init's stdio leads: on restore, CRIU connects the pipes among them to restore's
         * own stdio (as runc's descriptors.json), and the files outside the container too, which
         * CRIU cannot reopen there: they are named by their external key instead of their path. */
        fputc('[', f);
        for (int fd = 0; fd < 3; fd++) {
                char proc[64], link[PATH_MAX];
                (void) snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", (int) pid, fd);
                ssize_t n = readlink(proc, link, sizeof(link) - 1);
                link[n < 0 ? 0 : n] = 0;
                _cleanup_free_ char *key = outside_file(pid, fd, link);
                if (key && strv_extend(external, key) < 0) {
                        (void) fclose(f);
                        return log_oom();
                }
                if (fd)
                        fputc(',', f);
                json_print_string(f, key ?: link);
        }
        fputc(']', f);
        if (fclose(f) != 0)
                return log_oom();
        int r = write_file_atomic_at(image_fd, CRIU_DESCRIPTORS, text, size, 0600);
        if (r < 0)
                return log_error_errno(r, "Failed to write " CRIU_DESCRIPTORS ": %m");
        return 0;
}

int container_read_descriptors(int image_fd, const char *image_path, char ***ret) {
        _cleanup_free_ char *text = NULL, *what = NULL;
        int r = read_file_at(image_fd, CRIU_DESCRIPTORS, (size_t) 64 * 1024, &text, NULL);

        if (r < 0)
                return log_error_errno(r, "%s/" CRIU_DESCRIPTORS ": %m (not a checkpoint of a container?)", image_path);
        if (asprintf(&what, "%s/" CRIU_DESCRIPTORS, image_path) < 0)
                return log_oom();
        return spec_parse_strings(text, what, ret);
}

/* The first "Error" line of CRIU's log, without its timestamp; NULL when there is none. */
static char *log_error_line(int dir_fd, const char *file) {
        _cleanup_free_ char *text = NULL;

        if (read_file_at(dir_fd, file, (size_t) 64 * 1024 * 1024, &text, NULL) < 0)
                return NULL;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *e = strstr(line, "Error (");
                if (e)
                        return strdup(e);
        }
        return NULL;
}

int container_criu_failed(const CriuFailure *f) {
        _cleanup_free_ char *why = NULL, *line = NULL;

        /* First whether criu can run here at all: that is the reason, whatever else it said. */
        int r = criu_check(f->criu, &why);
        if (r == -EOPNOTSUPP)
                return log_error_errno(EOPNOTSUPP, "%s of %s refused: criu cannot run on this host: criu check: %s",
                                       f->verb, f->id, why);
        line = log_error_line(f->log_dir_fd, f->log_file);
        const char *said = line ?: f->resp && f->resp->cr_errmsg[0] ? f->resp->cr_errmsg : "criu exited without answering";
        int err = f->resp && f->resp->cr_errno > 0 ? f->resp->cr_errno : EIO;
        return log_error_errno(err, "%s of %s failed: criu: %s (its log: %s/%s)", f->verb, f->id, said, f->log_dir,
                               f->log_file);
}

int container_open_dir(const char *path, const char *what, bool create, int *ret_fd) {
        if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "%s %s: %m", what, path);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "%s %s: %m", what, path);
        *ret_fd = fd;
        return 0;
}
