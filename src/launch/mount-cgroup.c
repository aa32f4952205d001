/* The container's cgroup mounts: one cgroup2 on a unified host; on a hybrid or legacy host a tmpfs
 * holding each hierarchy, the container's own cgroup in it bound (hierarchy_view()). Each must come
 * after the launcher is in its scope: made now (mount_cgroup), or, a unified host's cgroup2 when
 * nothing else in the spec depends on it, prepared now and mounted through a kept fd after
 * pivot_root (mount_cgroup_late), so that pivot_root and the masked and read-only paths are done
 * while systemd still starts the scope.
 * Never mounts or binds a hierarchy before the scope, nor mounts one without a cgroup namespace of
 * the container's: its view would be rooted at runscope's cgroup or at the hierarchy's root. */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "launch-internal.h"
#include "util/alloc.h"
#include "util/fd.h"
#include "util/missing.h"

/* /proc/self/cgroup as runscope's cgroup namespace shows it, kept by mount_cgroup_keep_own() from
 * before the container's own namespace is made: in it every line would say "/". */
static char own_cgroups[8192];
static bool own_kept;

/* own_cgroups filled from /proc/self/cgroup, unless kept already. */
static int read_own_cgroups(void) {
        _cleanup_close_ int fd = -EBADF;
        size_t n = 0;

        if (own_kept)
                return 0;
        fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (ssize_t k = 1; k > 0 && n < sizeof(own_cgroups) - 1; n += (size_t) k)
                if ((k = read(fd, own_cgroups + n, sizeof(own_cgroups) - 1 - n)) < 0)
                        return -errno;
        if (n == sizeof(own_cgroups) - 1)
                return -E2BIG;
        own_cgroups[n] = 0;
        own_kept = true;
        return 0;
}

int mount_cgroup_keep_own(const Spec *spec) {
        struct statfs sfs;
        bool any = false;

        for (size_t i = 0; i < spec->n_mounts && !any; i++)
                any = spec->mounts[i].type && strcmp(spec->mounts[i].type, "cgroup") == 0;
        if (!any || (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC))
                return 0;
        int r = read_own_cgroups();
        return r < 0 ? launch_error(r, "Failed to read /proc/self/cgroup: %m") : 0;
}

/* This process's cgroup in the hierarchy whose super options are `opts` ("rw,cpu,cpuacct",
 * "rw,xattr,name=systemd"; NULL for the unified one), from /proc/self/cgroup. */
static int own_cgroup_path(const char *opts, char *buf, size_t size) {
        char text[sizeof(own_cgroups)];
        int r = read_own_cgroups();

        if (r < 0)
                return r;
        memcpy(text, own_cgroups, strlen(own_cgroups) + 1); /* strtok_r writes into it */
        r = -ENOENT;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); r == -ENOENT && line; line = strtok_r(NULL, "\n", &save)) {
                char *ctrls = strchr(line, ':'), *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
                if (!path)
                        continue;
                *path++ = 0;
                ctrls++;
                bool match = opts ? ctrls[0] != 0 : ctrls[0] == 0;
                /* A v1 hierarchy matches when each of its controllers is among the super options. */
                for (char *c_save = NULL, *c = strtok_r(ctrls, ",", &c_save); match && opts && c;
                     c = strtok_r(NULL, ",", &c_save)) {
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
        return r;
}

/* A cgroup above runscope's cgroup namespace shows as "/..", as for a shell that nsenter put in a
 * sandbox: out of runscope's reach. */
static bool out_of_reach(const char *own) {
        return strncmp(own, "/..", 3) == 0 && (own[3] == '/' || own[3] == 0);
}

/* The cgroup `own` of the hierarchy mounted on `hierarchy` bound on target; with the spec mount's
 * flags when `flags` says so (else the caller sets them). Out of reach, the root is the nearest one
 * in reach ("/sys/fs/cgroup/blkio/.." would be every hierarchy at once). */
static int bind_cgroup(const char *hierarchy, const char *own, const char *target, unsigned long flags) {
        char src[PATH_MAX * 2];

        if (snprintf(src, sizeof(src), "%s%s", hierarchy, out_of_reach(own) ? "/" : own) >= (int) sizeof(src))
                return -ENAMETOOLONG;
        if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return -errno;
        flags &= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        return flags ? remount_with(target, flags) : 0;
}

/* A hybrid or legacy host's hierarchy on `where`, a directory of the container's tmpfs: its own
 * cgroup bound, as runc and crun do without a cgroup namespace (a mount there would show the
 * hierarchy's root, and the host's limits where a JVM sizes its heap by its own). With a cgroup
 * namespace of its own the view is the one a mount gives, rooted at the scope, without what a v1
 * mount costs: it first walks every cgroup of the host, holding cgroup_mutex, which systemd's mkdir
 * of the next scope waits for (cgroup_lock_and_drain_offline), ten times a container. With 1000
 * containers live, one more started 1.3 ms faster (README, "Fourth pass"). Mounted still: in a
 * joined cgroup namespace (rooted at its root, as runc and crun do), and where the container's
 * cgroup is out of reach (the mount's root is where its init is, the bind's would not be). */
static int hierarchy_view(const char *point, const char *where, bool v2, const char *opts, unsigned long flags,
                          const SpecNamespace *cgroupns, bool userns) {
        char own[PATH_MAX] = "";
        int r = own_cgroup_path(v2 ? NULL : opts, own, sizeof(own));

        if (r < 0)
                return r;
        if (cgroupns && (cgroupns->path || out_of_reach(own))) {
                if (mount("cgroup", where, v2 ? "cgroup2" : "cgroup", flags, v2 ? NULL : opts) == 0)
                        return 0;
                /* A user namespace may mount a hierarchy only when its cgroup namespace is its own. */
                if (!userns || (errno != EPERM && errno != EBUSY))
                        return -errno;
        }
        return bind_cgroup(point, own, where, 0); /* the flags: mount_cgroup(), all at once */
}

/* A unified host's one cgroup2 mount, on the spec mount's destination itself (target names it
 * through an fd): kept by its fd and by the directory's own name, which mount_on_top() looks it up
 * by. */
static int late_prepare(CgroupLate *late, const char *target) {
        char path[PATH_MAX];
        ssize_t n = readlink(target, path, sizeof(path) - 1);
        if (n < 0)
                return launch_error(errno, "mounts[%zu]: %s: %m", late->index, late->dest);
        path[n] = 0;
        const char *name = strrchr(path, '/');
        if (!name || !name[1])
                return launch_error(EINVAL, "mounts[%zu]: cgroup2 on %s: not a directory below the root", late->index,
                                    late->dest);
        if (snprintf(late->name, sizeof(late->name), "%s", name + 1) >= (int) sizeof(late->name))
                return launch_error(ENAMETOOLONG, "mounts[%zu]: cgroup2 on %s: %m", late->index, late->dest);
        late->fd = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (late->fd < 0)
                return launch_error(errno, "mounts[%zu]: %s: %m", late->index, late->dest);
        return 0;
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
        char up[sizeof(((CgroupLate *) NULL)->name) + 4];
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

/* A detached cgroup2 mount, as mount(2) would make it through the new mount API: its fd, or
 * -errno. */
static int new_cgroup2(unsigned attr) {
        _cleanup_close_ int fs = fsopen("cgroup2", FSOPEN_CLOEXEC);

        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", "cgroup2", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        int mnt = fsmount(fs, FSMOUNT_CLOEXEC, attr);
        return mnt < 0 ? -errno : mnt;
}

int mount_cgroup_late(CgroupLate *late) {
        _cleanup_close_ int mnt = new_cgroup2(attr_of(late->flags)), top = -EBADF;
        /* What was mounted on the directory kept from before pivot_root since stays on top, as in
         * the spec's order: the hierarchy goes beneath it. */
        int r = mnt < 0 ? mnt : mount_on_top(late->fd, late->name, &top);

        if (r >= 0 && move_mount(mnt, "", top >= 0 ? top : late->fd, "",
                                 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH | (top >= 0 ? MOVE_MOUNT_BENEATH : 0)) < 0)
                r = -errno;
        if (r < 0)
                return launch_error(r, "mounts[%zu]: cgroup2 on %s: %m", late->index, late->dest);
        late->fd = safe_close(late->fd);
        return 0;
}

/* A hybrid or legacy host's hierarchy, as its mount under /sys/fs/cgroup names it. */
typedef struct Hierarchy {
        char name[64], opts[256]; /* the directory's name; the super options without rw or ro */
        bool v2;
} Hierarchy;

/* The tmpfs `top` (open as top_fd) and the hierarchies below it, with the spec mount's read-only,
 * nosuid, nodev and noexec: one call, where the kernel has mount_setattr (Linux 5.12), else a
 * remount each. */
static int set_flags_below(int top_fd, const char *top, const Hierarchy *h, size_t n, unsigned long flags) {
        struct mount_attr attr = { .attr_set = attr_of(flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) };
        char where[64 + sizeof(h->name) + 1];
        int r = 0;

        if (mount_setattr(top_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) == 0)
                return 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                (void) snprintf(where, sizeof(where), "%s/%.63s", top, h[i].name);
                r = remount_with(where, flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
        }
        if (r >= 0 && (flags & MS_RDONLY) &&
            mount(NULL, top, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                r = -errno;
        return r;
}

/* The hierarchies the host mounts under /sys/fs/cgroup, in h (size at most), each given its directory
 * in the tmpfs `top`: their number in *ret_n. */
static int list_hierarchies(const char *top, const char *dest, size_t index, Hierarchy *h, size_t size, size_t *ret_n) {
        char line[4096], where[64 + sizeof(h->name) + 1];
        size_t n = 0;
        int r = 0;

        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
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
                if (n == size)
                        return launch_error(E2BIG, "mounts[%zu]: more than %zu cgroup hierarchies under /sys/fs/cgroup", index,
                                            size);
                if (snprintf(h[n].name, sizeof(h[n].name), "%s", name) >= (int) sizeof(h[n].name) ||
                    snprintf(h[n].opts, sizeof(h[n].opts), "%s", o) >= (int) sizeof(h[n].opts))
                        return launch_error(ENAMETOOLONG, "mounts[%zu]: cgroup %s on %s/%s: %m", index, o, dest, name);
                (void) snprintf(where, sizeof(where), "%s/%.63s", top, h[n].name);
                if (mkdir(where, 0755) < 0 && errno != EEXIST)
                        r = launch_error(errno, "mounts[%zu]: %s/%s: %m", index, dest, name);
                h[n++].v2 = v2;
        }
        *ret_n = n;
        return r;
}

/* The container's view of the cgroup hierarchies, rooted at its own cgroup: cgroup2 (by its cgroup
 * namespace) on a unified host; on a hybrid or legacy one, a tmpfs holding each hierarchy the host
 * mounts under /sys/fs/cgroup, as runc and crun lay it out. What needs no scope (the tmpfs, its
 * directories, the host's hierarchies read) is done before the launcher waits for it. */
int mount_cgroup(int root_fd, const char *target, unsigned long flags, const char *dest, size_t index, const Spec *spec,
                 const ScopeWait *scope, CgroupLate *late) {
        const SpecNamespace *cgroupns = spec_namespace(spec, NAMESPACE_CGROUP);
        bool userns = launch_in_userns(spec);
        struct statfs sfs;
        char where[PATH_MAX + 64], top[64], own[PATH_MAX] = "";
        Hierarchy h[32];
        size_t n = 0;
        int r = 0;

        if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
                if (late) { /* the destination itself, kept by its fd */
                        *late = (CgroupLate) { .index = index, .dest = dest, .flags = flags, .fd = -EBADF };
                        return late_prepare(late, target);
                }
                r = scope->enter(scope->userdata);
                if (r < 0)
                        return r;
                if (mount("cgroup2", target, "cgroup2", flags, NULL) == 0)
                        return 0;
                /* A user namespace may mount a hierarchy only when its cgroup namespace is its own. */
                if (!userns || (errno != EPERM && errno != EBUSY))
                        return launch_error(errno, "mounts[%zu]: cgroup2 on %s: %m", index, dest);
                r = own_cgroup_path(NULL, own, sizeof(own));
                if (r >= 0)
                        r = bind_cgroup("/sys/fs/cgroup", own, target, flags);
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
        r = list_hierarchies(top, dest, index, h, ELEMENTSOF(h), &n);
        /* In the scope from here: each hierarchy's cgroup is the scope's. */
        if (r >= 0)
                r = scope->enter(scope->userdata);
        for (size_t i = 0; i < n && r >= 0; i++) {
                char point[sizeof("/sys/fs/cgroup/") + sizeof(h[i].name)];
                (void) snprintf(point, sizeof(point), "/sys/fs/cgroup/%.63s", h[i].name);
                (void) snprintf(where, sizeof(where), "%s/%.63s", top, h[i].name);
                int k = hierarchy_view(point, where, h[i].v2, h[i].opts, flags, cgroupns, userns);
                if (k < 0)
                        r = launch_error(k, "mounts[%zu]: cgroup %s on %s/%s: %m", index, h[i].v2 ? "cgroup2" : h[i].opts,
                                         dest, h[i].name);
        }
        if (r >= 0 && (r = set_flags_below(tmpfs_fd, top, h, n, flags)) < 0)
                r = launch_error(r, "mounts[%zu]: the options of %s: %m", index, dest);
        return r;
}
