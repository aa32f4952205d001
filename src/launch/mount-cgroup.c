/* The container's cgroup mounts: one cgroup2 on a unified host; on a hybrid or legacy host a tmpfs
 * holding one mount per hierarchy. Each must come after the launcher is in its scope, and after its
 * cgroup namespace is made there: mounted now (mount_cgroup), or, when nothing else in the spec
 * depends on them, prepared now and mounted through kept fds after pivot_root (mount_cgroup_late),
 * so that pivot_root and the masked and read-only paths are done while systemd still starts the
 * scope.
 * Never mounts a hierarchy before the scope, nor without a cgroup namespace of the container's: its
 * view would be rooted at runscope's cgroup or at the hierarchy's root. */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "launch-internal.h"
#include "util/fd.h"
#include "util/missing.h"

/* This process's cgroup in the hierarchy whose super options are `opts` ("rw,cpu,cpuacct",
 * "rw,xattr,name=systemd"; NULL for the unified one), from /proc/self/cgroup. */
static int own_cgroup_path(const char *opts, char *buf, size_t size) {
        char line[4096];
        int r = -ENOENT;
        FILE *f = fopen("/proc/self/cgroup", "re");

        if (!f)
                return -errno;
        while (r == -ENOENT && fgets(line, sizeof(line), f)) {
                char *ctrls = strchr(line, ':'), *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
                if (!path)
                        continue;
                *path++ = 0;
                ctrls++;
                path[strcspn(path, "\n")] = 0;
                bool match = opts ? ctrls[0] != 0 : ctrls[0] == 0;
                /* A v1 hierarchy matches when each of its controllers is among the super options. */
                for (char *c = strtok(ctrls, ","); match && opts && c; c = strtok(NULL, ",")) {
                        size_t n = strlen(c);
                        const char *at = opts;
                        match = false;
                        while (!match && (at = strstr(at, c))) {
                                match = (at == opts || at[-1] == ',') && (at[n] == ',' || at[n] == 0);
                                at += n;
                        }
                }
                if (match)
                        r = snprintf(buf, size, "%s", path) < (int) size ? 0 : -ENAMETOOLONG;
        }
        fclose(f);
        return r;
}

/* A user namespace without a cgroup namespace of its own may not mount a cgroup hierarchy; like runc
 * and crun, the container then gets a bind mount of its own cgroup in the host's hierarchy. */
static int bind_own_cgroup(const char *hierarchy, const char *opts, const char *target, unsigned long flags) {
        char own[PATH_MAX] = "", src[PATH_MAX * 2];
        int r = own_cgroup_path(opts, own, sizeof(own));

        if (r < 0)
                return r;
        /* A cgroup above runscope's cgroup namespace shows as "/..": the root is the nearest one in
         * reach (and "/sys/fs/cgroup/blkio/.." would be every hierarchy at once). */
        if (strncmp(own, "/..", 3) == 0 && (own[3] == '/' || own[3] == 0))
                own[1] = 0;
        if (snprintf(src, sizeof(src), "%s%s", hierarchy, own) >= (int) sizeof(src))
                return -ENAMETOOLONG;
        if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return -errno;
        return remount_with(target, flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
}

/* One hierarchy prepared: its directory's fd, kept for after pivot_root, and its super options. */
static int late_add(CgroupLate *late, const char *where, const char *name, bool v2, const char *opts) {
        if (late->n >= ELEMENTSOF(late->h))
                return launch_error(E2BIG, "mounts[%zu]: more than %zu cgroup hierarchies under /sys/fs/cgroup", late->index,
                                    ELEMENTSOF(late->h));
        typeof(late->h[0]) *h = &late->h[late->n];
        if (snprintf(h->opts, sizeof(h->opts), "%s", v2 ? "" : opts) >= (int) sizeof(h->opts) ||
            snprintf(h->name, sizeof(h->name), "%s", name) >= (int) sizeof(h->name))
                return launch_error(ENAMETOOLONG, "mounts[%zu]: cgroup %s on %s/%s: %m", late->index, opts, late->dest, name);
        h->v2 = v2;
        h->fd = open(where, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (h->fd < 0)
                return launch_error(errno, "mounts[%zu]: %s/%s: %m", late->index, late->dest, name);
        late->n++;
        return 0;
}

/* A unified host's one cgroup2 mount, on the spec mount's destination itself (target names it
 * through an fd): kept by the directory's own name, which mount_on_top() looks it up by. */
static int late_add_destination(CgroupLate *late, const char *target) {
        char path[PATH_MAX];
        ssize_t n = readlink(target, path, sizeof(path) - 1);
        if (n < 0)
                return launch_error(errno, "mounts[%zu]: %s: %m", late->index, late->dest);
        path[n] = 0;
        const char *name = strrchr(path, '/');
        if (!name || !name[1])
                return launch_error(EINVAL, "mounts[%zu]: cgroup2 on %s: not a directory below the root", late->index,
                                    late->dest);
        late->whole = true;
        return late_add(late, target, name + 1, true, "");
}

static unsigned attr_of(unsigned long flags) {
        /* As mount(2): strictatime wins over noatime (fsmount refuses both). */
        unsigned atime = (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME : (flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME : 0;
        return ((flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0) | ((flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
               ((flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0) | ((flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0) | atime |
               ((flags & MS_NODIRATIME) ? MOUNT_ATTR_NODIRATIME : 0);
}

/* The mount on top of the hierarchy's directory, when something was mounted there since it was
 * made (a masked path or a later mount reached through a symlink or a relative path, which the
 * spec's strings did not show): its fd in *ret, else -EBADF there. The directory's own fd does not
 * cross mounts; its name looked up from its parent does. */
static int mount_on_top(int dir_fd, const char *name, int *ret) {
        char up[sizeof(((CgroupLate *) NULL)->h[0].name) + 4];
        struct statx own, top;

        (void) snprintf(up, sizeof(up), "../%s", name);
        _cleanup_close_ int fd = openat(dir_fd, up, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (statx(dir_fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &own) < 0 || statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &top) < 0)
                return -errno;
        if (!(own.stx_mask & top.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP; /* mount_cgroup_can_wait() checked for it */
        *ret = own.stx_mnt_id != top.stx_mnt_id ? TAKE_FD(fd) : -EBADF;
        return 0;
}

/* What mount(2) does with the super options "cpu,cpuacct" or "xattr,name=systemd", through the new
 * mount API: a detached mount, then moved onto the directory fd kept from before pivot_root. */
static int mount_hierarchy(int target_fd, const char *name, bool v2, const char *source, const char *opts, unsigned attr) {
        _cleanup_close_ int fs = fsopen(v2 ? "cgroup2" : "cgroup", FSOPEN_CLOEXEC), mnt = -EBADF;
        char buf[sizeof(((CgroupLate *) NULL)->h[0].opts)], *save = NULL;

        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
                return -errno;
        (void) snprintf(buf, sizeof(buf), "%s", opts);
        for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(o, '=');
                if (eq)
                        *eq++ = 0;
                if (fsconfig(fs, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, o, eq, 0) < 0)
                        return -errno;
        }
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, attr);
        if (mnt < 0)
                return -errno;
        /* What was mounted there since stays on top, as in the spec's order: the hierarchy goes
         * beneath it. */
        _cleanup_close_ int top = -EBADF;
        int r = mount_on_top(target_fd, name, &top);
        if (r < 0)
                return r;
        if (move_mount(mnt, "", top >= 0 ? top : target_fd, "",
                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH | (top >= 0 ? MOVE_MOUNT_BENEATH : 0)) < 0)
                return -errno;
        return 0;
}

int mount_cgroup_late(CgroupLate *late) {
        for (size_t i = 0; i < late->n; i++) {
                /* The source mount(2) is given in mount_cgroup(): "cgroup2" for a unified host's. */
                int r = mount_hierarchy(late->h[i].fd, late->h[i].name, late->h[i].v2, late->whole ? "cgroup2" : "cgroup",
                                        late->h[i].opts, attr_of(late->flags));
                if (r < 0 && late->whole)
                        return launch_error(r, "mounts[%zu]: cgroup2 on %s: %m", late->index, late->dest);
                if (r < 0)
                        return launch_error(r, "mounts[%zu]: cgroup %s on %s/%s: %m", late->index,
                                            late->h[i].v2 ? "cgroup2" : late->h[i].opts, late->dest, late->h[i].name);
                late->h[i].fd = safe_close(late->h[i].fd);
        }
        return 0;
}

/* The container's view of the cgroup hierarchies, rooted at its own cgroup by its cgroup
 * namespace: cgroup2 on a unified host; on a hybrid or legacy one, a tmpfs holding each hierarchy
 * the host mounts under /sys/fs/cgroup, as runc and crun lay it out. */
int mount_cgroup(int root_fd, const char *target, unsigned long flags, const char *dest, size_t index, const Spec *spec,
                 CgroupLate *late) {
        bool userns = launch_in_userns(spec), cgroupns = spec_has_namespace(spec, NAMESPACE_CGROUP);
        struct statfs sfs;
        char line[4096], where[PATH_MAX + 64], top[64];
        FILE *f;
        int r = 0;

        if (late) { /* field by field: an assignment of the whole would write every entry */
                late->index = index;
                late->n = 0;
                late->dest = dest;
                late->flags = flags;
                late->whole = false;
        }
        /* A user namespace may mount a hierarchy only when its cgroup namespace is its own. */
        if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
                if (late) /* the destination itself, kept by its fd */
                        return late_add_destination(late, target);
                if (mount("cgroup2", target, "cgroup2", flags, NULL) == 0)
                        return 0;
                if (!userns || (errno != EPERM && errno != EBUSY))
                        return launch_error(errno, "mounts[%zu]: cgroup2 on %s: %m", index, dest);
                r = bind_own_cgroup("/sys/fs/cgroup", NULL, target, flags);
                return r < 0 ? launch_error(r, "mounts[%zu]: the container's cgroup on %s: %m", index, dest) : 0;
        }
        char data[4200];
        if (label_mount_data(spec->mount_label, "mode=755", data, sizeof(data)) < 0)
                return launch_error(E2BIG, "linux.mountLabel: too long");
        if (mount("tmpfs", target, "tmpfs", (flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC, data) < 0)
                return launch_error(errno, "mounts[%zu]: tmpfs on %s: %m", index, dest);
        /* Opened again through the root: the old fd still names the directory under the tmpfs. */
        _cleanup_close_ int tmpfs_fd = open_in_root(root_fd, dest, O_PATH | O_DIRECTORY);
        if (tmpfs_fd < 0)
                return launch_error(tmpfs_fd, "mounts[%zu]: %s: %m", index, dest);
        fd_path(tmpfs_fd, top);
        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return launch_error(errno, "Failed to read /proc/self/mountinfo: %m");
        while (r >= 0 && fgets(line, sizeof(line), f)) {
                char point[PATH_MAX], fstype[32], opts[1024];
                const char *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
                    sscanf(sep + 3, "%31s %*s %1023s", fstype, opts) != 2 || strncmp(point, "/sys/fs/cgroup/", 15) != 0)
                        continue;
                const char *name = point + 15;
                bool v2 = strcmp(fstype, "cgroup2") == 0;
                if ((!v2 && strcmp(fstype, "cgroup") != 0) || strchr(name, '/'))
                        continue;
                /* The super options name the controllers (or name=systemd); rw/ro are ours to say. */
                char *o = opts;
                if (strncmp(o, "rw,", 3) == 0 || strncmp(o, "ro,", 3) == 0)
                        o += 3;
                if (snprintf(where, sizeof(where), "%s/%s", top, name) >= (int) sizeof(where))
                        continue;
                if (mkdir(where, 0755) < 0 && errno != EEXIST)
                        r = launch_error(errno, "mounts[%zu]: %s/%s: %m", index, dest, name);
                else if (late)
                        r = late_add(late, where, name, v2, o);
                /* Without a cgroup namespace a hierarchy mounted shows its root, and the host's
                 * limits where the container looks for its own (a JVM sizing its heap): like runc,
                 * the container's own cgroup is bound instead. */
                else if (cgroupns && mount("cgroup", where, v2 ? "cgroup2" : "cgroup", flags, v2 ? NULL : o) == 0)
                        continue;
                else if (cgroupns && (!userns || (errno != EPERM && errno != EBUSY)))
                        r = launch_error(errno, "mounts[%zu]: cgroup %s on %s/%s: %m", index, o, dest, name);
                else {
                        int k = bind_own_cgroup(point, v2 ? NULL : o, where, flags);
                        if (k < 0)
                                r = launch_error(k, "mounts[%zu]: the container's cgroup on %s/%s: %m", index, dest, name);
                }
        }
        fclose(f);
        if (r >= 0 && (flags & MS_RDONLY) && mount(NULL, top, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                r = launch_error(errno, "mounts[%zu]: read-only %s: %m", index, dest);
        return r;
}

