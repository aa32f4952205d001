/* The launcher's mounts: rootfs, spec mounts, pivot_root, /dev, masked and read-only paths. Runs
 * in the child's own mount namespace. Never mounts onto a path resolved outside the rootfs: every
 * destination is opened with openat2(RESOLVE_IN_ROOT) and mounted through its fd. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <sys/sysmacros.h>

#include "launch-internal.h"
#include "util/fd.h"
#include "util/missing.h"

typedef struct MountOption {
        const char *name;
        bool clear;
        unsigned long flag;
} MountOption;

static const MountOption mount_options[] = {
        { "ro", false, MS_RDONLY },          { "rw", true, MS_RDONLY },
        { "nosuid", false, MS_NOSUID },      { "suid", true, MS_NOSUID },
        { "nodev", false, MS_NODEV },        { "dev", true, MS_NODEV },
        { "noexec", false, MS_NOEXEC },      { "exec", true, MS_NOEXEC },
        { "sync", false, MS_SYNCHRONOUS },   { "async", true, MS_SYNCHRONOUS },
        { "dirsync", false, MS_DIRSYNC },    { "remount", false, MS_REMOUNT },
        { "mand", false, MS_MANDLOCK },      { "nomand", true, MS_MANDLOCK },
        { "noatime", false, MS_NOATIME },    { "atime", true, MS_NOATIME },
        { "nodiratime", false, MS_NODIRATIME }, { "diratime", true, MS_NODIRATIME },
        { "relatime", false, MS_RELATIME },  { "norelatime", true, MS_RELATIME },
        { "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
        { "bind", false, MS_BIND },          { "rbind", false, MS_BIND | MS_REC },
};

static const MountOption propagation_options[] = {
        { "private", false, MS_PRIVATE },       { "rprivate", false, MS_PRIVATE | MS_REC },
        { "shared", false, MS_SHARED },         { "rshared", false, MS_SHARED | MS_REC },
        { "slave", false, MS_SLAVE },           { "rslave", false, MS_SLAVE | MS_REC },
        { "unbindable", false, MS_UNBINDABLE }, { "runbindable", false, MS_UNBINDABLE | MS_REC },
};

/* runc's recursive options: set or cleared by mount_setattr(AT_RECURSIVE) on the mount and on every
 * mount below it, which a bind remount never reaches. */
static const struct {
        const char *name;
        bool clear;
        uint64_t attr;
} recursive_options[] = {
        { "rro", false, MOUNT_ATTR_RDONLY },          { "rrw", true, MOUNT_ATTR_RDONLY },
        { "rnosuid", false, MOUNT_ATTR_NOSUID },      { "rsuid", true, MOUNT_ATTR_NOSUID },
        { "rnodev", false, MOUNT_ATTR_NODEV },        { "rdev", true, MOUNT_ATTR_NODEV },
        { "rnoexec", false, MOUNT_ATTR_NOEXEC },      { "rexec", true, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", false, MOUNT_ATTR_NODIRATIME }, { "rdiratime", true, MOUNT_ATTR_NODIRATIME },
};

static bool recursive_option(const char *name, struct mount_attr *attr) {
        for (size_t i = 0; i < ELEMENTSOF(recursive_options); i++)
                if (strcmp(recursive_options[i].name, name) == 0) {
                        __u64 *add = recursive_options[i].clear ? &attr->attr_clr : &attr->attr_set;
                        __u64 *drop = recursive_options[i].clear ? &attr->attr_set : &attr->attr_clr;
                        *add |= recursive_options[i].attr;
                        *drop &= ~recursive_options[i].attr;
                        return true;
                }
        return false;
}

static unsigned long propagation_flags(const char *name) {
        for (size_t i = 0; name && i < ELEMENTSOF(propagation_options); i++)
                if (strcmp(propagation_options[i].name, name) == 0)
                        return propagation_options[i].flag;
        return 0;
}

static int parse_options(char **options, unsigned long *ret_flags, unsigned long *ret_propagation, bool *ret_copyup,
                         struct mount_attr *ret_recursive, char *data, size_t data_size) {
        unsigned long flags = 0, propagation = 0;
        size_t n = 0;

        data[0] = 0;
        *ret_copyup = false;
        *ret_recursive = (struct mount_attr) {};
        for (char **o = options; o && *o; o++) {
                bool known = recursive_option(*o, ret_recursive);
                /* runc's and crun's own options: tmpcopyup here, idmap and ridmap in the spec. */
                if (known || strcmp(*o, "idmap") == 0 || strcmp(*o, "ridmap") == 0)
                        continue;
                if (strcmp(*o, "tmpcopyup") == 0) {
                        *ret_copyup = true;
                        continue;
                }
                for (size_t i = 0; i < ELEMENTSOF(mount_options) && !known; i++)
                        if (strcmp(mount_options[i].name, *o) == 0) {
                                known = true;
                                if (mount_options[i].clear)
                                        flags &= ~mount_options[i].flag;
                                else
                                        flags |= mount_options[i].flag;
                        }
                if (!known && propagation_flags(*o)) {
                        propagation |= propagation_flags(*o);
                        known = true;
                }
                if (known)
                        continue;
                int k = snprintf(data + n, data_size - n, "%s%s", n ? "," : "", *o);
                if (k < 0 || (size_t) k >= data_size - n)
                        return -E2BIG;
                n += (size_t) k;
        }
        *ret_flags = flags;
        *ret_propagation = propagation;
        return 0;
}

void fd_path(int fd, char buf[static 64]) {
        (void) snprintf(buf, 64, "/proc/self/fd/%d", fd);
}

/* A bind remount replaces the mount's flags: those it has stay (in a user namespace the kernel
 * refuses to clear them), plus the ones asked for. */
int remount_with(const char *path, unsigned long add) {
        struct statvfs sv;
        unsigned long keep = 0;

        if (statvfs(path, &sv) < 0)
                return -errno;
        if (sv.f_flag & ST_NOSUID)
                keep |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV)
                keep |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
                keep |= MS_NOEXEC;
        if (sv.f_flag & ST_NOATIME)
                keep |= MS_NOATIME;
        if (sv.f_flag & ST_NODIRATIME)
                keep |= MS_NODIRATIME;
        if (sv.f_flag & ST_RELATIME)
                keep |= MS_RELATIME;
        if (sv.f_flag & ST_RDONLY)
                keep |= MS_RDONLY;
        if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | keep | add, NULL) < 0)
                return -errno;
        return 0;
}

/* A bind whose tree runscope made (idmapped, or in a user namespace): it is only moved into place. */
static int attach_tree(int tree_fd, int target_fd) {
        if (move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/* The destination of a proc or sysfs mount: a directory of its own, never a symlink, as runc refuses
 * since CVE-2019-19921 (a procfs mounted through a symlink that a container sharing a volume swapped
 * in lands where its LSM profile no longer applies). The parent is resolved inside the root; the
 * last component is opened in it without following: the walk used without openat2 follows a last
 * symlink even with O_NOFOLLOW. */
static int open_ordinary_dir(int root_fd, const char *dest, size_t index) {
        char parent[PATH_MAX];
        struct stat st;

        /* Destinations are normalized by the spec: absolute, no "//", "/./" or trailing "/". */
        snprintf(parent, sizeof(parent), "%s", dest);
        char *slash = strrchr(parent, '/');
        const char *name = slash + 1;
        *slash = 0;
        if (!*name || strcmp(name, "..") == 0)
                return launch_error(EINVAL, "mounts[%zu]: %s must be mounted on an ordinary directory", index, dest);
        _cleanup_close_ int dir = open_in_root_mkdir(root_fd, parent[0] ? parent : "/", false);
        if (dir < 0)
                return launch_error(dir, "mounts[%zu]: destination %s in the rootfs: %m", index, dest);
        _cleanup_close_ int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && (mkdirat(dir, name, 0755) == 0 || errno == EEXIST))
                fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return launch_error(errno, "mounts[%zu]: destination %s in the rootfs: %m", index, dest);
        /* Checked on the fd that is mounted on, so a symlink swapped in meanwhile is refused too. */
        if (!S_ISDIR(st.st_mode))
                return launch_error(ENOTDIR, "mounts[%zu]: %s must be mounted on an ordinary directory, not a %s", index,
                                    dest, S_ISLNK(st.st_mode) ? "symlink" : "file");
        return TAKE_FD(fd);
}

static bool type_is(const char *type, const char *name) {
        return type && strcmp(type, name) == 0;
}

static int mount_one(int root_fd, const Spec *spec, size_t index, const char *bundle, int tree_fd, const ScopeWait *scope,
                     CgroupLate *late) {
        const SpecMount *m = &spec->mounts[index];
        unsigned long flags, propagation;
        char options[4096], data[8192], target[64], source[PATH_MAX];
        const char *type = m->type, *src = m->source;
        struct mount_attr recursive;
        bool bind, copyup;
        int r;

        r = parse_options(m->options, &flags, &propagation, &copyup, &recursive, options, sizeof(options));
        if (r < 0)
                return launch_error(r, "mounts[%zu] (%s): options too long", index, m->destination);
        bool rec = recursive.attr_set || recursive.attr_clr;
        /* A read-only /dev turns read-only once its devices, links, submounts and /dev/console are
         * made in it (mount_dev_readonly), as runc orders it. */
        if (strcmp(m->destination, "/dev") == 0)
                flags &= ~MS_RDONLY;
        bind = (flags & MS_BIND) || (type && strcmp(type, "bind") == 0);

        bool as_file = false;
        if (bind) {
                struct stat st;
                if (!src)
                        return launch_error(EINVAL, "mounts[%zu] (%s): a bind mount needs a source", index, m->destination);
                if (src[0] != '/') {
                        (void) snprintf(source, sizeof(source), "%s/%s", bundle, src);
                        src = source;
                }
                if ((tree_fd >= 0 ? fstat(tree_fd, &st) : stat(src, &st)) < 0)
                        return launch_error(errno, "mounts[%zu]: bind source %s: %m", index, src);
                as_file = !S_ISDIR(st.st_mode);
                type = NULL;
                flags |= MS_BIND;
        }

        _cleanup_close_ int fd = -EBADF;
        if (type_is(m->type, "proc") || type_is(m->type, "sysfs")) {
                fd = open_ordinary_dir(root_fd, m->destination, index);
                if (fd < 0)
                        return fd;
        } else if ((fd = open_in_root_mkdir(root_fd, m->destination, as_file)) < 0)
                return launch_error(fd, "mounts[%zu]: destination %s in the rootfs: %m", index, m->destination);
        fd_path(fd, target);

        if (type && strcmp(type, "cgroup") == 0 && rec)
                return launch_error(EOPNOTSUPP, "mounts[%zu]: recursive options on a cgroup mount: %m", index);
        if (type && strcmp(type, "cgroup") == 0)
                return mount_cgroup(root_fd, target, flags & ~MS_REMOUNT, m->destination, index, spec, scope, late);

        r = label_mount_data(label_mount_takes_context(type) ? spec->mount_label : NULL, options, data, sizeof(data));
        if (r < 0)
                return launch_error(r, "mounts[%zu] (%s): options too long with linux.mountLabel", index, m->destination);
        unsigned long first = bind ? flags & (MS_BIND | MS_REC) : flags & ~MS_REMOUNT;
        if (tree_fd >= 0) {
                r = attach_tree(tree_fd, fd);
                if (r < 0)
                        return launch_error(r, "mounts[%zu]: bind of %s on %s: %m", index, src, m->destination);
        } else if (mount(src ? src : type, target, type, first, data[0] ? data : NULL) < 0)
                return launch_error(errno, "mounts[%zu]: mount %s on %s: %m", index, type ? type : src, m->destination);
        /* mqueue's superblock is the ipc namespace's, made without a context= (label.c): labelled now. */
        if (type_is(type, "mqueue") && (r = label_mount_root(spec->mount_label, root_fd, m->destination)) < 0)
                return launch_error(r, "mounts[%zu]: linux.mountLabel on %s: %m", index, m->destination);
        if (copyup && type && strcmp(type, "tmpfs") == 0) {
                /* The fd still names the directory under the tmpfs: its contents are the image's. */
                _cleanup_close_ int top = open_in_root(root_fd, m->destination, O_RDONLY | O_DIRECTORY);
                r = top < 0 ? top : copyup_tree(fd, top);
                if (r < 0)
                        return launch_error(r, "mounts[%zu]: tmpcopyup of %s: %m", index, m->destination);
        }
        if ((bind && (flags & ~(MS_BIND | MS_REC))) || propagation || rec) {
                /* The fd names the directory under the new mount; the mount itself is reached by
                 * resolving the destination again. */
                safe_close(fd);
                fd = open_in_root(root_fd, m->destination, O_PATH);
                if (fd < 0)
                        return launch_error(fd, "mounts[%zu]: %s after mounting: %m", index, m->destination);
                fd_path(fd, target);
        }
        /* A bind mount takes ro, nosuid, … only on a remount of itself. */
        if (bind && (flags & ~(MS_BIND | MS_REC))) {
                int k = remount_with(target, flags & ~(MS_BIND | MS_REC));
                if (k < 0)
                        return launch_error(k, "mounts[%zu]: remount %s with its options: %m", index, m->destination);
        }
        /* After the remount: rro over the mount's own ro or rw, as runc orders them. */
        if (rec && mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &recursive, sizeof(recursive)) < 0)
                return launch_error(errno, "mounts[%zu]: recursive options of %s: %m", index, m->destination);
        if (propagation && mount(NULL, target, NULL, propagation, NULL) < 0)
                return launch_error(errno, "mounts[%zu]: propagation of %s: %m", index, m->destination);
        return 0;
}

static const struct {
        const char *name;
        unsigned major, minor;
} default_devices[] = {
        { "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
        { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

static const struct {
        const char *target, *link;
} default_links[] = {
        { "/proc/self/fd", "/dev/fd" },     { "/proc/self/fd/0", "/dev/stdin" },
        { "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
        { "pts/ptmx", "/dev/ptmx" },
};

bool mount_is_bind(const SpecMount *m) {
        if (m->type && strcmp(m->type, "bind") == 0)
                return true;
        for (char **o = m->options; o && *o; o++)
                if (strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0)
                        return true;
        return false;
}

bool mount_dev_is_ours(const Spec *spec) {
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (strcmp(spec->mounts[i].destination, "/dev") == 0 && mount_is_bind(&spec->mounts[i]))
                        return false;
        return true;
}

static int bind_host_devices(int root_fd) {
        char target[64];

        for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                _cleanup_close_ int fd = open_in_root_mkdir(root_fd, default_devices[i].name, true);
                if (fd < 0)
                        return launch_error(fd, "%s in the rootfs: %m", default_devices[i].name);
                fd_path(fd, target);
                if (mount(default_devices[i].name, target, NULL, MS_BIND, NULL) < 0)
                        return launch_error(errno, "binding the host's %s: %m", default_devices[i].name);
                /* As crun: nothing on a device node is to be executed or to raise privileges. The
                 * fd names the node under the bind mount: the mount is reached by its path again. */
                safe_close(fd);
                fd = open_in_root(root_fd, default_devices[i].name, O_PATH);
                int r = fd < 0 ? fd : 0;
                if (r >= 0) {
                        fd_path(fd, target);
                        r = remount_with(target, MS_NOSUID | MS_NOEXEC);
                }
                if (r < 0)
                        return launch_error(r, "binding the host's %s: %m", default_devices[i].name);
        }
        return 0;
}

/* linux.devices in a user namespace, where mknod is refused: a host node of the device the spec
 * asks for is bound in, as runc and crun do, through the fd it was verified by. Its mode and owner
 * stay the host's: changing them through the bind would change the host's node. */
static int bind_spec_devices(const Spec *spec, int root_fd) {
        char target[64], source[64];

        for (size_t i = 0; i < spec->n_devices; i++) {
                const SpecDevice *d = &spec->devices[i];
                _cleanup_close_ int node = -EBADF;
                int r = host_node_open(d, &node);
                if (r < 0)
                        return launch_error(r, "linux.devices[%zu]: %s: no %c %lld:%lld node on the host to bind into a "
                                               "user namespace (which cannot make one): %m", i, d->path, d->type,
                                            (long long) d->major, (long long) d->minor);
                _cleanup_close_ int fd = open_in_root_mkdir(root_fd, d->path, true);
                if (fd < 0)
                        return launch_error(fd, "linux.devices[%zu]: %s in the rootfs: %m", i, d->path);
                fd_path(node, source);
                fd_path(fd, target);
                if (mount(source, target, NULL, MS_BIND, NULL) < 0)
                        return launch_error(errno, "linux.devices[%zu]: binding a host node on %s: %m", i, d->path);
        }
        return 0;
}

/* Whether a and b, from statx, are the same mount and the same directory. */
static bool same_place(const struct statx *a, const struct statx *b) {
        return a->stx_mnt_id == b->stx_mnt_id && a->stx_ino == b->stx_ino && a->stx_dev_major == b->stx_dev_major &&
               a->stx_dev_minor == b->stx_dev_minor;
}

/* The mount path is on (its top one), made private. Its root is found by going up while ".." is on
 * the same mount, a statx each, rather than by its id in /proc/self/mountinfo: a host running many
 * containers has hundreds of mounts there, all read and parsed on the way to the scope. */
static int make_parent_private(const char *path) {
        struct statx own, up;
        char proc[64];

        _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &own) < 0)
                return -errno;
        if (!(own.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        for (;;) {
                /* ".." of a mount's root is its mount point's parent, on another mount; of the
                 * namespace's root, the root itself. */
                if (statx(fd, "..", AT_SYMLINK_NOFOLLOW, STATX_MNT_ID | STATX_INO, &up) < 0)
                        return -errno;
                if (up.stx_mnt_id != own.stx_mnt_id || same_place(&up, &own))
                        break;
                int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (parent < 0)
                        return -errno;
                safe_close(fd);
                fd = parent;
                own = up;
        }
        /* The mount's root itself, reached through its fd: mount(2) changes that mount only. */
        fd_path(fd, proc);
        return mount(NULL, proc, NULL, MS_PRIVATE, NULL) < 0 ? -errno : 0;
}

int mount_setup_rootfs(const Spec *spec, const char *bundle, int state_dir_fd, const int *tree_fds, CgroupLate *late,
                       int (*before_cgroup)(const void *userdata), const void *userdata, int *ret_root_fd) {
        char path[PATH_MAX], rootfs[PATH_MAX];
        int r;

        /* As runc: rslave, so that a bind receives what the host mounts below its source later
         * (rslave volumes) while nothing mounted here reaches the host; the spec's rootfsPropagation
         * when it is shared or slave (rshared volumes need a shared root, as containerd sets it). */
        unsigned long start = propagation_flags(spec->rootfs_propagation);
        if (!(start & (MS_SHARED | MS_SLAVE)))
                start = MS_SLAVE | MS_REC;
        if (mount(NULL, "/", NULL, start, NULL) < 0)
                return launch_error(errno, "linux.rootfsPropagation: %m");

        if (spec->root_path[0] == '/')
                (void) snprintf(path, sizeof(path), "%s", spec->root_path);
        else
                (void) snprintf(path, sizeof(path), "%s/%s", bundle, spec->root_path);
        if (!realpath(path, rootfs))
                return launch_error(errno, "root.path %s: %m", path);

        /* The host's own root cannot be pivoted into where it is: it is bound, with its submounts, to
         * an empty directory in the container's state directory first (removed with the state). */
        if (strcmp(rootfs, "/") == 0) {
                char fdpath[64], dir[PATH_MAX];
                if (mkdirat(state_dir_fd, "root", 0700) < 0 && errno != EEXIST)
                        return launch_error(errno, "Failed to prepare a place for the host's root: %m");
                /* By path: the fd names a mount of runscope's namespace, which is no mount point here. */
                snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", state_dir_fd);
                ssize_t n = readlink(fdpath, dir, sizeof(dir) - 6);
                if (n < 0)
                        return launch_error(errno, "Failed to find the state directory: %m");
                dir[n] = 0;
                if (snprintf(rootfs, sizeof(rootfs), "%s/root", dir) >= (int) sizeof(rootfs))
                        return launch_error(ENAMETOOLONG, "The state directory's path is too long");
                if (mount("/", rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return launch_error(errno, "Failed to bind the host's root: %m");
        } else {
                /* pivot_root refuses a new root whose parent mount is shared; and with a rootfsPropagation
                 * of shared or slave (not recursive), that mount may still be the host's peer, which
                 * the rootfs's bind would join, and every mount below it reach the host (as runc,
                 * always). Without statx's mount id, the default rslave already keeps them apart. */
                r = make_parent_private(rootfs);
                if (r == -EOPNOTSUPP && start == (MS_SLAVE | MS_REC))
                        r = 0;
                if (r < 0)
                        return launch_error(r, "Failed to make the mount holding the rootfs %s private: %m", rootfs);
                if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) /* pivot_root wants a mount point */
                        return launch_error(errno, "Failed to bind the rootfs %s: %m", rootfs);
        }

        _cleanup_close_ int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return launch_error(errno, "Failed to open the rootfs %s: %m", rootfs);

        const ScopeWait scope = { before_cgroup, userdata };
        for (size_t i = 0; i < spec->n_mounts; i++) {
                r = mount_one(root_fd, spec, i, bundle, tree_fds ? tree_fds[i] : -EBADF, &scope, late);
                if (r < 0)
                        return r;
        }
        /* mknod is the initial user namespace's privilege: in a user namespace, the default
         * devices are the host's, bound in while the host's /dev is still in reach. */
        if (launch_in_userns(spec) && mount_dev_is_ours(spec)) {
                r = bind_host_devices(root_fd);
                if (r < 0)
                        return r;
        }
        if (launch_in_userns(spec)) {
                r = bind_spec_devices(spec, root_fd);
                if (r < 0)
                        return r;
        }
        *ret_root_fd = TAKE_FD(root_fd);
        return 0;
}

/* Whether a and b are one path or one holds the other ("/sys", "/sys/fs/cgroup"); yes too for a
 * path that is not plain (".", "..", "//"), rather than resolve it. */
static bool paths_overlap(const char *a, const char *b) {
        if (strstr(a, "//") || strstr(a, "/.") || strstr(b, "//") || strstr(b, "/."))
                return true;
        size_t na = strlen(a), nb = strlen(b);
        while (na > 1 && a[na - 1] == '/')
                na--;
        while (nb > 1 && b[nb - 1] == '/')
                nb--;
        size_t n = na < nb ? na : nb;
        if (strncmp(a, b, n) != 0)
                return false;
        const char *shorter = na < nb ? a : b, *longer = na < nb ? b : a;
        return na == nb || longer[n] == '/' || (n == 1 && shorter[0] == '/');
}

/* Whether any of paths (masked or read-only ones) is relative or overlaps dest. */
static bool any_path_touches(char **paths, const char *dest) {
        for (char **p = paths; p && *p; p++)
                if ((*p)[0] != '/' || paths_overlap(dest, *p))
                        return true;
        return false;
}

bool mount_cgroup_can_wait(const Spec *spec, bool no_pivot) {
        struct statfs sfs;
        struct statx stx;
        size_t at = SIZE_MAX;

        /* Hooks see the mounts before pivot_root; --no-pivot has no pivot to do early; a user
         * namespace may have to, a container without a cgroup namespace does, and so does every
         * container on a hybrid or legacy host (mount_cgroup()), bind the host's hierarchies, out
         * of reach after pivot_root; a shared, slave or unbindable root would treat mounts made
         * later on differently. */
        if (no_pivot || launch_in_userns(spec) || !spec_has_namespace(spec, NAMESPACE_CGROUP) ||
            spec->n_hooks[HOOK_PRESTART] + spec->n_hooks[HOOK_CREATE_RUNTIME] + spec->n_hooks[HOOK_CREATE_CONTAINER] > 0 ||
            (propagation_flags(spec->rootfs_propagation) & (MS_SHARED | MS_SLAVE | MS_UNBINDABLE)))
                return false;
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (spec->mounts[i].type && strcmp(spec->mounts[i].type, "cgroup") == 0) {
                        if (at != SIZE_MAX)
                                return false;
                        at = i;
                }
        if (at == SIZE_MAX)
                return false;
        unsigned long flags, propagation;
        struct mount_attr recursive;
        char data[4096];
        bool copyup;
        if (parse_options(spec->mounts[at].options, &flags, &propagation, &copyup, &recursive, data, sizeof(data)) < 0 ||
            recursive.attr_set || recursive.attr_clr ||
            (flags & ~(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
                       MS_STRICTATIME | MS_REMOUNT)))
                return false;
        /* Nothing after it may cover, copy (a recursive bind) or sit on its hierarchies: in the
         * spec's order it would find them mounted. */
        const char *dest = spec->mounts[at].destination;
        for (size_t i = at + 1; i < spec->n_mounts; i++)
                if (paths_overlap(dest, spec->mounts[i].destination))
                        return false;
        if (any_path_touches(spec->masked_paths, dest) || any_path_touches(spec->readonly_paths, dest))
                return false;
        if (statfs("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
                return false;
        /* The late mount uses the new mount API, which an old kernel, a seccomp filter around
         * runscope or valgrind (3.19) may not let through; and a mount's id from statx (Linux 5.8),
         * by which mount_cgroup_late() finds what was mounted over the destination. */
        int probe = fsopen("cgroup2", FSOPEN_CLOEXEC);
        if (probe < 0)
                return false;
        safe_close(probe);
        return statx(AT_FDCWD, "/", 0, STATX_MNT_ID, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID);
}

int mount_pivot_root(int root_fd) {
        _cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (old_root < 0 || fchdir(root_fd) < 0)
                return launch_error(errno, "Failed to enter the rootfs: %m");
        /* pivot_root(".", ".") stacks the old root on top of the new one; unmounting it then
         * drops it without needing a directory for it inside the container. */
        if (pivot_root(".", ".") < 0)
                return launch_error(errno, "pivot_root: %m");
        /* A shared old root's detach would propagate to the host's peers: it is made a slave first,
         * reached through its own fd ("." names the new root to mount(2), runc's order). */
        if (fchdir(old_root) < 0 || mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return launch_error(errno, "Failed to make the old root a slave: %m");
        if (umount2(".", MNT_DETACH) < 0)
                return launch_error(errno, "Failed to detach the old root: %m");
        if (chdir("/") < 0)
                return launch_error(errno, "chdir /: %m");
        return 0;
}

int mount_move_root(int root_fd) {
        if (fchdir(root_fd) < 0)
                return launch_error(errno, "Failed to enter the rootfs: %m");
        /* --no-pivot, for a root pivot_root refuses (initramfs): moved over / and chrooted into.
         * The old root stays reachable to a process that can escape a chroot (runc says so too). */
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                return launch_error(errno, "--no-pivot: moving the rootfs to /: %m");
        if (chroot(".") < 0 || chdir("/") < 0)
                return launch_error(errno, "--no-pivot: chroot: %m");
        return 0;
}

/* The default devices and links where /dev is not a bind mount of the spec's (runc does the same),
 * in the rootfs's /dev resolved inside the root: a rootfs whose dev is a symlink gets nothing made
 * outside it. */
static int setup_dev(int root) {
        _cleanup_close_ int dev = open_in_root_mkdir(root, "/dev", false);
        mode_t old;

        if (dev < 0)
                return launch_error(dev, "/dev in the rootfs: %m");
        old = umask(0);
        for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                const char *name = default_devices[i].name + 5;
                if (mknodat(dev, name, S_IFCHR | 0666, makedev(default_devices[i].major, default_devices[i].minor)) < 0 &&
                    errno != EEXIST) {
                        umask(old);
                        return launch_error(errno, "mknod %s: %m", default_devices[i].name);
                }
        }
        umask(old);
        for (size_t i = 0; i < ELEMENTSOF(default_links); i++)
                if (symlinkat(default_links[i].target, dev, default_links[i].link + 5) < 0 && errno != EEXIST)
                        return launch_error(errno, "symlink %s: %m", default_links[i].link);
        /* runc and crun add /dev/core where the kernel has /proc/kcore (masked or not). */
        if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
                return launch_error(errno, "symlink /dev/core: %m");
        return 0;
}

/* linux.devices, after pivot_root: each node made in its directory resolved inside the root. */
static int make_devices(const Spec *spec, int root) {
        for (size_t i = 0; i < spec->n_devices; i++) {
                const SpecDevice *d = &spec->devices[i];
                mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
                mode_t perm = d->has_file_mode ? (mode_t) d->file_mode & 07777 : 0666;
                char parent[PATH_MAX];

                snprintf(parent, sizeof(parent), "%s", d->path);
                char *name = strrchr(parent, '/');
                *name++ = 0;
                _cleanup_close_ int dir = open_in_root_mkdir(root, parent[0] ? parent : "/", false);
                if (dir < 0)
                        return launch_error(dir, "linux.devices[%zu]: %s: %m", i, parent[0] ? parent : "/");
                /* The spec's node replaces whatever the rootfs or the default set had there. */
                if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
                        return launch_error(errno, "linux.devices[%zu]: %s: %m", i, d->path);
                if (mknodat(dir, name, type | perm, makedev((unsigned) d->major, (unsigned) d->minor)) < 0)
                        return launch_error(errno, "linux.devices[%zu]: mknod %s: %m", i, d->path);
                /* mknod honours the umask; the spec's mode is exact. */
                if (fchmodat(dir, name, perm, 0) < 0 ||
                    fchownat(dir, name, d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, AT_SYMLINK_NOFOLLOW) < 0)
                        return launch_error(errno, "linux.devices[%zu]: %s: %m", i, d->path);
        }
        return 0;
}

/* The null device that masks, verified to be the character device 1:3: the rootfs's /dev/null may
 * be a symlink (to /proc/sys/kernel/core_pattern, say) or a bind of any file, and binding that over
 * a masked path would not mask it (CVE-2025-31133). */
static int open_null(int root, int *ret) {
        struct stat st;

        _cleanup_close_ int dev = open_in_root(root, "/dev", O_PATH | O_DIRECTORY);
        if (dev < 0)
                return launch_error(dev, "linux.maskedPaths: /dev: %m");
        _cleanup_close_ int fd = openat(dev, "null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return launch_error(errno, "linux.maskedPaths: /dev/null: %m");
        if (fstat(fd, &st) < 0)
                return launch_error(errno, "linux.maskedPaths: /dev/null: %m");
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
                return launch_error(ENODEV, "linux.maskedPaths: /dev/null in the container is not the null device 1:3, "
                                            "and will not mask");
        *ret = TAKE_FD(fd);
        return 0;
}

/* The masked path resolved inside the root, and mounted on through its fd. */
static int mask_path(int root, int null_fd, const char *path, const char *label) {
        char target[64], source[64], data[4200];
        struct stat st;

        _cleanup_close_ int fd = open_in_root(root, path, O_PATH);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0 || fstat(fd, &st) < 0)
                return launch_error(fd < 0 ? fd : -errno, "linux.maskedPaths: %s: %m", path);
        fd_path(fd, target);
        if (S_ISDIR(st.st_mode)) {
                if (label_mount_data(label, "size=0", data, sizeof(data)) < 0)
                        return launch_error(E2BIG, "linux.mountLabel: too long");
                if (mount("tmpfs", target, "tmpfs", MS_RDONLY, data) < 0)
                        return launch_error(errno, "linux.maskedPaths: %s: %m", path);
                return 0;
        }
        fd_path(null_fd, source);
        if (mount(source, target, NULL, MS_BIND, NULL) < 0)
                return launch_error(errno, "linux.maskedPaths: %s: %m", path);
        /* The fd names the file under the new mount: the mount is reached by its path again. */
        safe_close(fd);
        fd = open_in_root(root, path, O_PATH);
        int r = fd < 0 ? fd : 0;
        if (r >= 0) {
                fd_path(fd, target);
                r = remount_with(target, MS_RDONLY);
        }
        if (r < 0)
                return launch_error(r, "linux.maskedPaths: %s: %m", path);
        return 0;
}

static int readonly_path(const char *path) {
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return errno == ENOENT ? 0 : launch_error(errno, "linux.readonlyPaths: %s: %m", path);
        /* Read-only, and nothing else: what runc and crun do (the path keeps its other flags). */
        int r = remount_with(path, MS_RDONLY);
        if (r < 0)
                return launch_error(r, "linux.readonlyPaths: %s: %m", path);
        return 0;
}

int mount_finish(const Spec *spec) {
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), null_fd = -EBADF;
        int r;

        if (root < 0)
                return launch_error(errno, "Failed to open the container's root: %m");
        if (mount_dev_is_ours(spec)) {
                r = setup_dev(root);
                if (r < 0)
                        return r;
        }
        if (!launch_in_userns(spec)) {
                r = make_devices(spec, root);
                if (r < 0)
                        return r;
        }
        for (char **p = spec->masked_paths; p && *p; p++) {
                if (null_fd < 0 && (r = open_null(root, &null_fd)) < 0)
                        return r;
                r = mask_path(root, null_fd, *p, spec->mount_label);
                if (r < 0)
                        return r;
        }
        for (char **p = spec->readonly_paths; p && *p; p++) {
                r = readonly_path(*p);
                if (r < 0)
                        return r;
        }
        if (spec->root_readonly && (r = remount_with("/", MS_RDONLY)) < 0)
                return launch_error(r, "root.readonly: %m");
        unsigned long propagation = propagation_flags(spec->rootfs_propagation);
        if (propagation && mount(NULL, "/", NULL, propagation, NULL) < 0)
                return launch_error(errno, "linux.rootfsPropagation: %m");
        return 0;
}

int mount_dev_readonly(const Spec *spec) {
        unsigned long flags = 0, propagation;
        struct mount_attr recursive;
        char data[4096], target[64];
        bool copyup;

        /* The last mount on /dev is the one on top. */
        for (size_t i = 0; i < spec->n_mounts; i++) {
                if (strcmp(spec->mounts[i].destination, "/dev") != 0)
                        continue;
                if (parse_options(spec->mounts[i].options, &flags, &propagation, &copyup, &recursive, data, sizeof(data)) < 0)
                        flags = 0;
        }
        if (!(flags & MS_RDONLY))
                return 0;
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return launch_error(errno, "Failed to open the container's root: %m");
        _cleanup_close_ int dev = open_in_root(root, "/dev", O_PATH | O_DIRECTORY);
        if (dev < 0)
                return launch_error(dev, "/dev in the rootfs: %m");
        fd_path(dev, target);
        int r = remount_with(target, MS_RDONLY);
        if (r < 0)
                return launch_error(r, "Failed to make /dev read-only: %m");
        return 0;
}
