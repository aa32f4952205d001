/* User namespaces as runscope makes them from outside: the launcher's maps, written while it waits
 * for GO; and the bind mounts of a container in a user namespace, made here as detached mount trees
 * (idmapped for idmap/ridmap) that the launcher only moves into place. Runs in runscope: a map is
 * written by a process that holds the ids it maps (rootless, shadow's newuidmap/newgidmap hold the
 * subordinate ones), only the host's root may idmap a mount of a host filesystem, and a source below
 * a directory only it may search is reached with its credentials (the launcher, in a user namespace
 * of its own, could do none of these). Rootless, the launcher binds by path what it can reach. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "launch-internal.h"
#include "util/alloc.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/missing.h"

int write_id_map(pid_t pid, const char *file, const SpecIdMapping *m, size_t n, const char *json_path) {
        char path[64], buf[340 * 36];
        size_t k = 0;
        _cleanup_close_ int fd = -EBADF;

        for (size_t i = 0; i < n; i++)
                k += (size_t) snprintf(buf + k, sizeof(buf) - k, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        /* One write: the kernel takes a map only whole, and only once. */
        if (fd < 0 || write(fd, buf, k) != (ssize_t) k)
                return log_error_errno(errno, "config.json: %s: writing %s: %m", json_path, path);
        return 0;
}

/* The caller's own id, once: what an unprivileged process may map without a helper. */
static bool own_id_only(const SpecIdMapping *m, size_t n, uint32_t own) {
        return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

/* newuidmap or newgidmap (shadow's setuid helpers, which map what /etc/subuid and /etc/subgid give
 * the caller) on pid; its complaint, if any, becomes the one line of the error. */
static int map_with_helper(pid_t pid, const char *helper, const SpecIdMapping *m, size_t n, const char *json_path) {
        char *argv[3 + 3 * 340 + 1], numbers[3 * 340 + 1][12], err[512] = "";
        size_t k = 0, used = 0;
        int fds[2], pidfd = -EBADF, status = 0;

        if (n > 340)
                return log_error_errno(E2BIG, "config.json: %s: more than 340 mappings", json_path);
        argv[k++] = (char *) helper;
        (void) snprintf(numbers[used], sizeof(numbers[used]), "%d", (int) pid);
        argv[k++] = numbers[used++];
        for (size_t i = 0; i < n; i++) {
                const uint32_t v[3] = { m[i].container_id, m[i].host_id, m[i].size };
                for (int j = 0; j < 3; j++) {
                        (void) snprintf(numbers[used], sizeof(numbers[used]), "%u", v[j]);
                        argv[k++] = numbers[used++];
                }
        }
        argv[k] = NULL;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return log_error_errno(errno, "config.json: %s: %m", json_path);
        _cleanup_close_ int rd = fds[0], wr = fds[1];
        pid_t child = clone3_fork(0, &pidfd);
        if (child < 0)
                return log_error_errno(errno, "config.json: %s: running %s: %m", json_path, helper);
        if (child == 0) {
                if (dup2(wr, STDERR_FILENO) < 0 || dup2(wr, STDOUT_FILENO) < 0)
                        _exit(127);
                execvp(helper, argv);
                dprintf(STDERR_FILENO, "%s", strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        /* So that the read below sees EOF once the helper is done. The store is for the cleanup,
         * which the analyzer does not see. */
        wr = safe_close(wr); /* NOLINT(clang-analyzer-deadcode.DeadStores) */
        safe_close(pidfd);
        for (size_t got = 0;;) {
                ssize_t r = read(rd, err + got, sizeof(err) - 1 - got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0 || (got += (size_t) r) >= sizeof(err) - 1)
                        break;
        }
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        for (char *c = err; *c; c++)
                if (*c == '\n')
                        *c = *(c + 1) ? ' ' : 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return log_error_errno(ENOENT, "config.json: %s: mapping more than your own id rootless needs %s "
                                               "(package uidmap): %s", json_path, helper, err);
        return log_error_errno(EPERM, "config.json: %s: %s refused the mappings: %s", json_path, helper,
                               err[0] ? err : "no reason given");
}

int write_id_maps(pid_t pid, const Spec *spec) {
        char path[64];
        int r;

        /* Root (of the host, or of the user namespace podman made, as crun): the kernel takes any map of
         * ids it holds. */
        if (geteuid() == 0) {
                r = write_id_map(pid, "uid_map", spec->uid_mappings, spec->n_uid_mappings, "linux.uidMappings");
                return r < 0 ? r : write_id_map(pid, "gid_map", spec->gid_mappings, spec->n_gid_mappings, "linux.gidMappings");
        }
        /* Unprivileged: the caller's own id the kernel maps for it, once setgroups is denied for a gid
         * (else dropping a group could grant access); more takes the setuid helpers. */
        if (own_id_only(spec->gid_mappings, spec->n_gid_mappings, (uint32_t) getegid())) {
                (void) snprintf(path, sizeof(path), "/proc/%d/setgroups", (int) pid);
                _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, "deny", 4) != 4)
                        return log_error_errno(errno, "config.json: linux.gidMappings: denying setgroups in %s: %m", path);
                r = write_id_map(pid, "gid_map", spec->gid_mappings, spec->n_gid_mappings, "linux.gidMappings");
        } else
                r = map_with_helper(pid, "newgidmap", spec->gid_mappings, spec->n_gid_mappings, "linux.gidMappings");
        if (r < 0)
                return r;
        if (own_id_only(spec->uid_mappings, spec->n_uid_mappings, (uint32_t) geteuid()))
                return write_id_map(pid, "uid_map", spec->uid_mappings, spec->n_uid_mappings, "linux.uidMappings");
        return map_with_helper(pid, "newuidmap", spec->uid_mappings, spec->n_uid_mappings, "linux.uidMappings");
}

static int userns_with_maps(const SpecMount *m, const Spec *spec, size_t index) {
        const SpecIdMapping *u = m->n_uid_mappings ? m->uid_mappings : spec->uid_mappings;
        const SpecIdMapping *g = m->n_uid_mappings ? m->gid_mappings : spec->gid_mappings;
        size_t nu = m->n_uid_mappings ? m->n_uid_mappings : spec->n_uid_mappings;
        size_t ng = m->n_uid_mappings ? m->n_gid_mappings : spec->n_gid_mappings;
        char where[64], path[64];
        int pidfd = -EBADF, fd = -EBADF, r;

        snprintf(where, sizeof(where), "mounts[%zu].uidMappings", index);
        pid_t pid = clone3_fork(CLONE_NEWUSER, &pidfd);
        if (pid < 0)
                return log_error_errno(errno, "config.json: %s: making a user namespace: %m", where);
        if (pid == 0) {
                pause(); /* until killed: only the namespace is wanted */
                _exit(0);
        }
        r = write_id_map(pid, "uid_map", u, nu, where);
        snprintf(where, sizeof(where), "mounts[%zu].gidMappings", index);
        if (r >= 0)
                r = write_id_map(pid, "gid_map", g, ng, where);
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
        if (r >= 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                r = log_error_errno(errno, "Failed to open %s: %m", path);
        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        (void) waitpid(pid, NULL, 0);
        safe_close(pidfd);
        return r < 0 ? r : fd;
}

/* A clone of the source tree, not attached anywhere yet, and a slave of the host's peer group the
 * source belongs to: what the host mounts below it later reaches the container (rslave), what the
 * container mounts never reaches the host. With idmap or ridmap
 * it is seen through a user namespace holding the mount's maps (or the container's); ridmap maps
 * every mount of the tree, idmap only the top. */
static int source_tree(const SpecMount *m, const Spec *spec, const char *bundle, size_t index) {
        _cleanup_free_ char *src = NULL;
        bool rec = m->ridmap;

        for (char **o = m->options; o && *o; o++)
                rec = rec || strcmp(*o, "rbind") == 0;
        if (!m->source)
                return log_error_errno(EINVAL, "config.json: mounts[%zu]: a bind mount needs a source", index);
        if (m->source[0] != '/' ? asprintf(&src, "%s/%s", bundle, m->source) < 0 : !(src = strdup(m->source)))
                return log_oom();
        /* Unprivileged, runscope may not clone a tree of its mount namespace (the host's): the
         * launcher, root of the namespaces it made, binds by path; an idmapped mount of a host
         * filesystem only the host's root may make. */
        if (geteuid() != 0 && (m->idmap || m->ridmap))
                return log_error_errno(EPERM, "config.json: mounts[%zu]: an idmapped mount of %s needs the host's root, "
                                              "and runscope runs rootless", index, src);
        if (geteuid() != 0)
                return -ENOSYS;
        _cleanup_close_ int tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
        /* Without the new mount API (a kernel before 5.2, valgrind 3.19, a seccomp filter around
         * runscope) a plain bind is the launcher's to make, by path, as before: -ENOSYS, unlogged. */
        if (tree < 0 && errno == ENOSYS && !m->idmap && !m->ridmap)
                return -ENOSYS;
        if (tree < 0)
                return log_error_errno(errno, "config.json: mounts[%zu]: bind source %s: %m", index, src);
        struct mount_attr attr = { .propagation = MS_SLAVE };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return log_error_errno(errno, "config.json: mounts[%zu]: making %s a slave: %m", index, src);
        if (!m->idmap && !m->ridmap)
                return TAKE_FD(tree);
        _cleanup_close_ int userns = userns_with_maps(m, spec, index);
        if (userns < 0)
                return userns;
        attr = (struct mount_attr) { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (m->ridmap ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
                return log_error_errno(errno, "config.json: mounts[%zu]: idmapping %s: %m", index, src);
        return TAKE_FD(tree);
}

int mount_trees(const Spec *spec, const char *bundle, int **ret_fds) {
        _cleanup_free_ int *fds = NULL;
        bool userns = spec_has_namespace(spec, NAMESPACE_USER), any = false;

        *ret_fds = NULL;
        for (size_t i = 0; i < spec->n_mounts; i++)
                any = any || spec->mounts[i].idmap || spec->mounts[i].ridmap || (userns && mount_is_bind(&spec->mounts[i]));
        if (!any)
                return 0;
        fds = malloc(spec->n_mounts * sizeof(int));
        if (!fds)
                return log_oom();
        for (size_t i = 0; i < spec->n_mounts; i++)
                fds[i] = -EBADF;
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];
                if (!m->idmap && !m->ridmap && !(userns && mount_is_bind(m)))
                        continue;
                fds[i] = source_tree(m, spec, bundle, i);
                if (fds[i] == -ENOSYS)
                        fds[i] = -EBADF;
                else if (fds[i] < 0) {
                        int r = fds[i];
                        mount_trees_close(fds, spec->n_mounts);
                        return r;
                }
        }
        *ret_fds = TAKE_PTR(fds);
        return 0;
}

void mount_trees_close(int *fds, size_t n) {
        for (size_t i = 0; fds && i < n; i++)
                fds[i] = safe_close(fds[i]);
}
