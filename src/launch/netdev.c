/* linux.netDevices (runtime-spec 1.3): host interfaces moved into the container's network
 * namespace under their new names, with their addresses, and set up. Runs in runscope, in the
 * network namespace it was started in, once the container's exists. Never moves an interface back
 * and never touches one the spec does not name. */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "launch.h"
#include "util/fd.h"
#include "util/log.h"

typedef struct NlRequest {
        struct nlmsghdr h;
        union {
                struct ifinfomsg link;
                struct ifaddrmsg addr;
        };
        char attrs[256];
} NlRequest;

typedef struct NetAddr {
        unsigned char family, prefixlen, scope;
        unsigned char local[16], address[16], broadcast[4];
        bool has_local, has_address, has_broadcast;
} NetAddr;

#define MAX_ADDRS 64

static void add_attr(NlRequest *req, unsigned short type, const void *data, size_t len) {
        struct rtattr *a = (struct rtattr *) ((char *) req + NLMSG_ALIGN(req->h.nlmsg_len));
        a->rta_type = type;
        a->rta_len = (unsigned short) RTA_LENGTH(len);
        memcpy(RTA_DATA(a), data, len);
        req->h.nlmsg_len = NLMSG_ALIGN(req->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends req and reads its acknowledgement: 0, or the kernel's -errno. */
static int nl_call(int fd, NlRequest *req) {
        char buf[4096];

        req->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        if (send(fd, req, req->h.nlmsg_len, 0) < 0)
                return -errno;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0)
                return -errno;
        struct nlmsghdr *h = (struct nlmsghdr *) buf;
        if (!NLMSG_OK(h, (size_t) n) || h->nlmsg_type != NLMSG_ERROR)
                return -EPROTO;
        return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
}

static void copy_attr(const struct rtattr *a, unsigned char *dest, size_t max, bool *has) {
        size_t len = RTA_PAYLOAD(a);
        if (len > max)
                return;
        memcpy(dest, RTA_DATA(a), len);
        *has = true;
}

/* The addresses of interface index, but the IPv6 link-local ones (the kernel makes one anew). */
static int dump_addrs(int fd, int index, NetAddr *addrs, size_t *n) {
        NlRequest req = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)), .nlmsg_type = RTM_GETADDR,
                                 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP } };
        char buf[16384];

        if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
                return -errno;
        for (;;) {
                ssize_t k = recv(fd, buf, sizeof(buf), 0);
                if (k < 0)
                        return -errno;
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) k); h = NLMSG_NEXT(h, k)) {
                        if (h->nlmsg_type == NLMSG_DONE)
                                return 0;
                        if (h->nlmsg_type == NLMSG_ERROR)
                                return ((struct nlmsgerr *) NLMSG_DATA(h))->error ?: -EPROTO;
                        struct ifaddrmsg *ifa = NLMSG_DATA(h);
                        if (h->nlmsg_type != RTM_NEWADDR || (int) ifa->ifa_index != index ||
                            (ifa->ifa_family == AF_INET6 && ifa->ifa_scope == RT_SCOPE_LINK) || *n == MAX_ADDRS)
                                continue;
                        NetAddr *a = &addrs[(*n)++];
                        *a = (NetAddr) { .family = ifa->ifa_family, .prefixlen = ifa->ifa_prefixlen, .scope = ifa->ifa_scope };
                        size_t len = IFA_PAYLOAD(h);
                        for (struct rtattr *r = IFA_RTA(ifa); RTA_OK(r, len); r = RTA_NEXT(r, len)) {
                                if (r->rta_type == IFA_LOCAL)
                                        copy_attr(r, a->local, sizeof(a->local), &a->has_local);
                                else if (r->rta_type == IFA_ADDRESS)
                                        copy_attr(r, a->address, sizeof(a->address), &a->has_address);
                                else if (r->rta_type == IFA_BROADCAST)
                                        copy_attr(r, a->broadcast, sizeof(a->broadcast), &a->has_broadcast);
                        }
                }
        }
}

static int add_addr(int fd, int index, const NetAddr *a) {
        NlRequest req = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)), .nlmsg_type = RTM_NEWADDR,
                                 .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL },
                          .addr = { .ifa_family = a->family, .ifa_prefixlen = a->prefixlen, .ifa_scope = a->scope,
                                    .ifa_index = (unsigned) index } };
        size_t len = a->family == AF_INET ? 4 : 16;

        if (a->has_local)
                add_attr(&req, IFA_LOCAL, a->local, len);
        if (a->has_address)
                add_attr(&req, IFA_ADDRESS, a->address, len);
        if (a->has_broadcast)
                add_attr(&req, IFA_BROADCAST, a->broadcast, 4);
        return nl_call(fd, &req);
}

static int link_set(int fd, int index, int ns_fd, const char *name, unsigned flags) {
        NlRequest req = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK },
                          .link = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = flags, .ifi_change = flags } };
        if (ns_fd >= 0) {
                uint32_t v = (uint32_t) ns_fd;
                add_attr(&req, IFLA_NET_NS_FD, &v, sizeof(v));
        }
        if (name)
                add_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
        return nl_call(fd, &req);
}

/* In a child that joins the container's network namespace: the addresses back on the interface
 * under its new name, and the link up. Exits 0, or 1 once it has said why. */
static _noreturn_ void set_up_inside(int ns_fd, const char *path, const char *name, const NetAddr *addrs, size_t n) {
        int r;

        if (setns(ns_fd, CLONE_NEWNET) < 0)
                _exit(log_error_errno(errno, "%s: joining the container's network namespace: %m", path) < 0);
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        int index = (int) if_nametoindex(name);
        if (fd < 0 || index == 0)
                _exit(log_error_errno(errno, "%s: %s in the container: %m", path, name) < 0);
        for (size_t i = 0; i < n; i++)
                if ((r = add_addr(fd, index, &addrs[i])) < 0)
                        _exit(log_error_errno(r, "%s: restoring an address of %s: %m", path, name) < 0);
        if ((r = link_set(fd, index, -EBADF, NULL, IFF_UP)) < 0)
                _exit(log_error_errno(r, "%s: setting %s up: %m", path, name) < 0);
        _exit(0);
}

static int move_one(int fd, int ns_fd, const char *host_name, const char *name) {
        NetAddr addrs[MAX_ADDRS];
        size_t n = 0;
        char path[64 + IFNAMSIZ];
        int r, status;

        (void) snprintf(path, sizeof(path), "linux.netDevices.%s", host_name);
        int index = (int) if_nametoindex(host_name);
        if (index == 0)
                return log_error_errno(errno, "%s: no such interface in runscope's network namespace: %m", path);
        r = dump_addrs(fd, index, addrs, &n);
        if (r < 0)
                return log_error_errno(r, "%s: reading its addresses: %m", path);
        /* Moved and renamed in one call: the new name is taken in the container's namespace only. */
        r = link_set(fd, index, ns_fd, name, 0);
        if (r < 0)
                return log_error_errno(r, "%s: moving it into the container as %s: %m", path, name);
        pid_t pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "%s: %m", path);
        if (pid == 0)
                set_up_inside(ns_fd, path, name, addrs, n);
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO; /* the child said why */
        return 0;
}

int launch_move_net_devices(const Spec *spec, pid_t pid) {
        char ns[64];
        int r;

        if (!spec->net_devices)
                return 0;
        (void) snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int) pid);
        _cleanup_close_ int ns_fd = open(ns, O_RDONLY | O_CLOEXEC);
        if (ns_fd < 0)
                return log_error_errno(errno, "linux.netDevices: the container's network namespace: %m");
        /* A namespace joined by path may be runscope's own (the host's): the move would be none, and
         * the rename would rename a host interface. */
        struct stat theirs, ours;
        if (fstat(ns_fd, &theirs) < 0 || stat("/proc/self/ns/net", &ours) < 0)
                return log_error_errno(errno, "linux.netDevices: the network namespaces: %m");
        if (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
                return log_error_errno(EINVAL, "linux.netDevices: the container's network namespace is runscope's own");
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return log_error_errno(errno, "linux.netDevices: a netlink socket: %m");
        for (char **d = spec->net_devices; d[0] && d[1]; d += 2) {
                r = move_one(fd, ns_fd, d[0], d[1][0] ? d[1] : d[0]);
                if (r < 0)
                        return r;
        }
        return 0;
}
