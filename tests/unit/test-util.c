/* Unit tests of src/util: strings, files, JSON escaping, /proc parsing. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/cgroup-oom.h"
#include "util/fd.h"
#include "util/json.h"
#include "util/log.h"
#include "util/lsm.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/userns.h"

static void test_strv_extend_and_env(void) {
        _cleanup_strv_free_ char **l = NULL;
        ASSERT_EQ(strv_extend(&l, "PATH=/bin"), 0);
        ASSERT_EQ(strv_extend(&l, "HOME=/root"), 0);
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(strv_env_get(l, "HOME"), "/root");
        ASSERT_NULL(strv_env_get(l, "HOM"));
        ASSERT_NULL(l[2]);
}

static void test_json_escape(void) {
        char buf[64];
        json_escape("a\"b\\c\n\x01", buf, sizeof(buf));
        ASSERT_STREQ(buf, "a\\\"b\\\\c\\n\\u0001");
        json_escape("0123456789", buf, 5);
        ASSERT_STREQ(buf, "0123");
}

static void test_atomic_write_read_and_rm_rf(void) {
        char dir[] = "/tmp/runscope-test-util.XXXXXX";
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t n;

        ASSERT_TRUE(mkdtemp(dir));
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write_file_atomic_at(fd, "f", "hello", 5, 0600), 0);
        ASSERT_EQ(read_file_at(fd, "f", 100, &text, &n), 0);
        ASSERT_STREQ(text, "hello");
        ASSERT_EQ(n, 5);
        ASSERT_EQ(faccessat(fd, ".f.tmp", F_OK, 0), -1);
        ASSERT_EQ(read_file_at(fd, "f", 3, &text, &n), -EFBIG);
        ASSERT_EQ(mkdirat(fd, "sub", 0700), 0);
        ASSERT_EQ(symlinkat("/etc", fd, "sub/link"), 0);
        _cleanup_close_ int sub = openat(fd, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_EQ(write_file_atomic_at(sub, "g", "x", 1, 0600), 0);
        ASSERT_EQ(rm_rf_at(AT_FDCWD, dir), 0);
        ASSERT_EQ(access(dir, F_OK), -1);
        ASSERT_EQ(access("/etc/passwd", F_OK), 0); /* the symlink was not followed */
}

static void test_mkdir_p(void) {
        char dir[] = "/tmp/runscope-test-mkdir.XXXXXX", path[128];
        ASSERT_TRUE(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/a/b/c", dir);
        ASSERT_EQ(mkdir_p(path, 0755), 0);
        ASSERT_EQ(mkdir_p(path, 0755), 0);
        ASSERT_EQ(access(path, F_OK), 0);
        ASSERT_EQ(rm_rf_at(AT_FDCWD, dir), 0);
}

static void test_proc_stat_and_verified_pidfd(void) {
        uint64_t start;
        char state;
        ASSERT_EQ(proc_stat(getpid(), &start, &state), 0);
        ASSERT_TRUE(start > 0);
        ASSERT_TRUE(state == 'R' || state == 'S');
        int fd = proc_pidfd_verified(getpid(), start);
        if (fd == -ENOSYS)
                TAP_SKIP("no pidfd_open here (valgrind 3.19 does not know it)");
        ASSERT_TRUE(fd >= 0);
        close(fd);
        ASSERT_EQ(proc_pidfd_verified(getpid(), start + 1), -ESRCH);
        ASSERT_EQ(proc_stat(0x3fffffff, &start, &state), -ESRCH);
}

/* Sends the log to a new file named by path (a mkstemp template). */
static int log_to_temp_file(char *path, LogFormat format) {
        int fd = mkstemp(path);
        if (fd < 0)
                return -errno;
        close(fd);
        return log_open(path, format);
}

static void test_log_json_line(void) {
        char path[] = "/tmp/runscope-test-log.XXXXXX";
        _cleanup_free_ char *text = NULL;

        ASSERT_EQ(log_to_temp_file(path, LOG_FORMAT_JSON), 0);
        ASSERT_EQ(log_error_errno(ENOENT, "open \"%s\": %m", "x"), -ENOENT);
        ASSERT_EQ(log_error_errno(-EPERM, "second"), -EPERM);
        log_debug("not at the default level");
        ASSERT_EQ(read_file_at(AT_FDCWD, path, 4096, &text, NULL), 0);
        const char *want = "{\"level\":\"error\",\"msg\":\"open \\\"x\\\": No such file or directory\",\"time\":\"";
        ASSERT_TRUE(strncmp(text, want, strlen(want)) == 0);
        ASSERT_TRUE(strstr(text, "Z\"}\n{\"level\":\"error\",\"msg\":\"second\""));
        ASSERT_NULL(strstr(text, "not at the default level"));
        unlink(path);
}

/* The _errno forms are for error paths: never success, even for an err of 0 (a peer's message
 * with no error number in it). */
static void test_log_errno_is_an_error(void) {
        LogLevel level = log_get_max_level();

        log_set_max_level(LOG_LEVEL_OFF);
        ASSERT_EQ(log_error_errno(EACCES, "positive"), -EACCES);
        ASSERT_EQ(log_error_errno(-EACCES, "negative"), -EACCES);
        ASSERT_EQ(log_error_errno(0, "none"), -EIO);
        ASSERT_EQ(log_warning_errno(0, "none"), -EIO);
        ASSERT_EQ(log_debug_errno(0, "none"), -EIO);
        log_set_max_level(level);
}

/* A value with a newline (an id like $'a\nb', a JSON string) printed two lines for one error. */
static void test_log_text_is_one_line(void) {
        char path[] = "/tmp/runscope-test-log.XXXXXX";
        _cleanup_free_ char *text = NULL;

        ASSERT_EQ(log_to_temp_file(path, LOG_FORMAT_TEXT), 0);
        ASSERT_EQ(log_error_errno(EINVAL, "Invalid container id '%s'", "a\nb\tc\x01" "d"), -EINVAL);
        ASSERT_EQ(read_file_at(AT_FDCWD, path, 4096, &text, NULL), 0);
        ASSERT_TRUE(strstr(text, ": error: Invalid container id 'a\\nb\\tc\\x01d'\n"));
        ASSERT_EQ(strchr(text, '\n') - text + 1, (long) strlen(text));
        unlink(path);
}

/* /proc/self/uid_map's text: the initial namespace's identity map, and a map podman makes. */
static void test_userns_maps(void) {
        const char *podman = "         0       1000          1\n         1     100000      65536\n";
        uint32_t out = 0;

        ASSERT_TRUE(userns_map_is_identity("         0          0 4294967295\n"));
        ASSERT_TRUE(!userns_map_is_identity(podman));
        ASSERT_TRUE(!userns_map_is_identity("0 0 4294967294\n"));
        ASSERT_TRUE(!userns_map_is_identity("0 0 4294967295\n0 0 1\n"));
        ASSERT_TRUE(!userns_map_is_identity(""));
        ASSERT_EQ(userns_map_outside(podman, 0, &out), 0);
        ASSERT_EQ(out, 1000);
        ASSERT_EQ(userns_map_outside(podman, 5, &out), 0);
        ASSERT_EQ(out, 100004);
        ASSERT_EQ(userns_map_outside(podman, 65536, &out), 0);
        ASSERT_EQ(out, 165535);
        ASSERT_EQ(userns_map_outside(podman, 65537, &out), -ENOENT);
}

/* /etc/subuid as shadow reads it: by name or by number, the first range that has ids. */
static void test_subid_ranges(void) {
        const char *text = "# ranges\nalice:100000:65536\n1001:200000:1000\nbob:300000:0\nbob:400000:10\nalicex:1:1";
        uint32_t start = 0, count = 0;

        ASSERT_EQ(userns_subid_parse(text, "alice", 1000, &start, &count), 0);
        ASSERT_EQ(start, 100000);
        ASSERT_EQ(count, 65536);
        ASSERT_EQ(userns_subid_parse(text, "carol", 1001, &start, &count), 0);
        ASSERT_EQ(start, 200000);
        ASSERT_EQ(count, 1000);
        ASSERT_EQ(userns_subid_parse(text, "bob", 5, &start, &count), 0);
        ASSERT_EQ(start, 400000);
        ASSERT_EQ(count, 10);
        ASSERT_EQ(userns_subid_parse(text, "ali", 7, &start, &count), -ENOENT);
        ASSERT_EQ(userns_subid_parse(text, NULL, 100, &start, &count), -ENOENT);
        ASSERT_EQ(userns_subid_parse("", "alice", 1000, &start, &count), -ENOENT);
}

/* securityfs's apparmor/profiles: "name (mode)" a line; a name may hold spaces and parentheses. */
static void test_apparmor_profile_listed(void) {
        const char *list = "docker-default (enforce)\ncontainers-default-0.50.1 (enforce)\n"
                           "/usr/bin/man (complain)\nodd name (x) (enforce)\nlast (kill)";

        ASSERT_TRUE(lsm_apparmor_profile_listed(list, "docker-default"));
        ASSERT_TRUE(lsm_apparmor_profile_listed(list, "containers-default-0.50.1"));
        ASSERT_TRUE(lsm_apparmor_profile_listed(list, "/usr/bin/man"));
        ASSERT_TRUE(lsm_apparmor_profile_listed(list, "odd name (x)"));
        ASSERT_TRUE(lsm_apparmor_profile_listed(list, "last"));
        ASSERT_TRUE(!lsm_apparmor_profile_listed(list, "docker"));
        ASSERT_TRUE(!lsm_apparmor_profile_listed(list, "odd name"));
        ASSERT_TRUE(!lsm_apparmor_profile_listed(list, "containers-default-0.50"));
        ASSERT_TRUE(!lsm_apparmor_profile_listed(list, "enforce"));
        ASSERT_TRUE(!lsm_apparmor_profile_listed("", "docker-default"));
        /* Names the list never shows are no "not loaded". */
        ASSERT_EQ(lsm_apparmor_profile_loaded("unconfined"), -EOPNOTSUPP);
        ASSERT_EQ(lsm_apparmor_profile_loaded(":ns:profile"), -EOPNOTSUPP);
}

/* A v1 watch as cgroup_oom_watch_open makes it, on an eventfd standing for the kernel's and a counter
 * file: "oom_kill N" while the cgroup lives, /dev/null (no oom_kill: unreadable) once it is gone. */
static CgroupOomWatch fake_watch(int efd, bool alive) {
        CgroupOomWatch w = CGROUP_OOM_WATCH_NULL;
        char path[] = "/tmp/runscope-oom.XXXXXX";

        w.fd = efd;
        w.events = POLLIN;
        w.v1 = true;
        if (alive) {
                w.counter_fd = mkstemp(path);
                (void) unlink(path);
                (void) !write(w.counter_fd, "oom_kill 0\n", 11);
        } else
                w.counter_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        return w;
}

/* The kernel's signal of the removal, sent once the watch has read the OOM's (the eventfd counts 0
 * again): the cgroup went between the OOM and the watch's read, its removal signalled after. */
static void *signal_removal_after_read(void *arg) {
        int efd = *(int *) arg;
        char path[64], buf[256];

        (void) snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", efd);
        for (;;) {
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
                const char *count = n > 0 ? (buf[n] = 0, strstr(buf, "eventfd-count:")) : NULL;
                if (count && strtoull(count + strlen("eventfd-count:"), NULL, 16) == 0)
                        break;
                (void) usleep(1000);
        }
        (void) eventfd_write(efd, 1);
        return NULL;
}

static void test_oom_watch_v1_signals(void) {
        CgroupOomWatch w;
        pthread_t t;
        int efd, other;

        /* An OOM while the cgroup lives. */
        efd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
        w = fake_watch(efd, true);
        ASSERT_TRUE(cgroup_oom_watch_struck(&w));
        cgroup_oom_watch_done(&w);
        /* Gone, with the OOM's signal and the removal's both there. */
        w = fake_watch(eventfd(2, EFD_CLOEXEC | EFD_NONBLOCK), false);
        ASSERT_TRUE(cgroup_oom_watch_struck(&w));
        cgroup_oom_watch_done(&w);
        /* Gone with no signal: no OOM (its signal comes before the kill). */
        w = fake_watch(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), false);
        ASSERT_TRUE(!cgroup_oom_watch_struck(&w));
        cgroup_oom_watch_done(&w);
        /* Gone with the OOM's signal read, the removal's signalled after: still an OOM (events
         * missed it under load, the kernel's removal being slower than the watch). */
        efd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
        other = fcntl(efd, F_DUPFD_CLOEXEC, 3);
        w = fake_watch(efd, false);
        ASSERT_EQ(pthread_create(&t, NULL, signal_removal_after_read, &other), 0);
        bool struck = cgroup_oom_watch_struck(&w);
        ASSERT_EQ(pthread_join(t, NULL), 0);
        safe_close(other);
        cgroup_oom_watch_done(&w);
        ASSERT_TRUE(struck);
        /* Gone with one signal that stays alone: the removal, no OOM. */
        w = fake_watch(eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK), false);
        ASSERT_TRUE(!cgroup_oom_watch_struck(&w));
        cgroup_oom_watch_done(&w);
}

TEST_MAIN(test_strv_extend_and_env, test_json_escape, test_atomic_write_read_and_rm_rf, test_mkdir_p,
          test_proc_stat_and_verified_pidfd, test_log_json_line, test_log_text_is_one_line,
          test_log_errno_is_an_error, test_userns_maps, test_subid_ranges, test_apparmor_profile_listed,
          test_oom_watch_v1_signals)
