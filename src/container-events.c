/* `events`: runc's JSON event stream for a container, from what systemd accounts for its unit and
 * the OOM kills in the unit's own memory cgroup. Never writes anything but stdout. */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>

#include "bus/bus.h"
#include "container-internal.h"
#include "util/cgroup-oom.h"
#include "util/json.h"
#include "util/log.h"
#include "util/proc.h"

static void print_stats(const char *id, const UnitStats *s) {
        /* systemd says UINT64_MAX for what it does not account; runc then shows 0 usage. */
#define U(v) ((v) == UINT64_MAX ? 0 : (v))
        printf("{\"type\":\"stats\",\"id\":");
        json_print_string(stdout, id);
        printf(",\"data\":{\"cpu\":{\"usage\":{\"total\":%" PRIu64 "}},"
               "\"memory\":{\"usage\":{\"usage\":%" PRIu64 ",\"limit\":%" PRIu64 "}},"
               "\"pids\":{\"current\":%" PRIu64 ",\"limit\":%" PRIu64 "},"
               "\"blkio\":{\"ioServiceBytesRecursive\":[{\"op\":\"Read\",\"value\":%" PRIu64 "},"
               "{\"op\":\"Write\",\"value\":%" PRIu64 "}]}}}\n",
               U(s->cpu_usage_nsec), U(s->memory_current), s->memory_max, U(s->tasks_current), s->tasks_max,
               U(s->io_read_bytes), U(s->io_write_bytes));
#undef U
        (void) fflush(stdout);
}

static void print_ooms(const char *id, uint64_t *printed, uint64_t total) {
        for (; *printed < total; (*printed)++) {
                printf("{\"type\":\"oom\",\"id\":");
                json_print_string(stdout, id);
                printf("}\n");
        }
        (void) fflush(stdout);
}

int container_events(const char *root, const char *id, bool stats_only, int interval_ms) {
        _cleanup_(state_freep) ContainerState *st = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(cgroup_oom_watch_done) CgroupOomWatch oom = CGROUP_OOM_WATCH_NULL;
        _cleanup_close_ int pidfd = -EBADF;
        uint64_t printed = 0;
        UnitStats s;
        int r;

        r = container_connect(root, id, &st, &bus);
        if (r == -ESRCH)
                return log_error_errno(r, "container %s is not running", id);
        if (r < 0)
                return r;
        r = bus_unit_stats(bus, st->unit, &s);
        if (r < 0)
                return r;
        print_stats(id, &s);
        if (stats_only)
                return 0;

        pidfd = proc_pidfd_verified(st->pid, st->pid_start_time);
        if (pidfd < 0)
                return 0; /* gone meanwhile: nothing more to report */
        r = cgroup_oom_watch_open(st->pid, &oom);
        if (r < 0)
                log_debug_errno(r, "Not watching %s for OOM kills: %m", st->unit);

        /* The kernel's OOM notification wakes this up, and the kill counter is read every 100 ms
         * too (on v1 the notification comes before the kill); stats every interval, until the
         * init exits. */
        for (int waited = 0;;) {
                struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = oom.fd, .events = oom.events } };
                r = poll(p, ELEMENTSOF(p), 100);
                if (r < 0 && errno != EINTR)
                        return log_error_errno(errno, "Failed to wait for container %s: %m", id);
                if (p[0].revents & POLLIN) {
                        /* The cgroup may be gone with the init: an OOM notified while it was there
                         * is one kill at least. */
                        bool struck = cgroup_oom_watch_struck(&oom);
                        uint64_t kills = oom.kills - oom.kills_at_start;
                        print_ooms(id, &printed, struck && kills == 0 ? 1 : kills);
                        return 0;
                }
                cgroup_oom_watch_handle(&oom);
                print_ooms(id, &printed, oom.kills - oom.kills_at_start);
                waited += 100;
                if (waited >= interval_ms) {
                        waited = 0;
                        if (bus_unit_stats(bus, st->unit, &s) >= 0)
                                print_stats(id, &s);
                }
        }
}
