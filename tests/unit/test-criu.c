/* Unit tests of src/criu and src/util/pb.c: protobuf's wire format, CRIU's requests and answers
 * (bytes checked against rpc.proto's field numbers), `criu check` and `--version` read from a
 * stand-in criu, and the swrk conversation against this binary acting as criu. */
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "criu/criu.h"
#include "tap.h"
#include "util/fd.h"
#include "util/pb.h"

static void test_pb_round_trip(void) {
        PbWriter w = PB_WRITER_NULL, n = PB_WRITER_NULL;
        size_t off = 0;
        PbField f;

        pb_put_uint(&w, 1, 300);
        pb_put_int32(&w, 2, -1);
        pb_put_string(&w, 3, "ab");
        pb_put_string(&w, 4, NULL);
        pb_put_bool(&n, 1, true);
        pb_put_message(&w, 5, &n);
        ASSERT_EQ(w.error, 0);
        /* 300 is ac 02; -1 is ten bytes; "ab" is 1a 02 61 62; the nested bool is 2a 02 08 01. */
        static const uint8_t want[] = { 0x08, 0xac, 0x02, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                                        0x1a, 0x02, 'a',  'b',  0x2a, 0x02, 0x08, 0x01 };
        ASSERT_EQ(w.size, sizeof(want));
        ASSERT_EQ(memcmp(w.data, want, sizeof(want)), 0);
        ASSERT_EQ(pb_next(w.data, w.size, &off, &f), 1);
        ASSERT_EQ(f.number, 1);
        ASSERT_EQ(f.value, 300);
        ASSERT_EQ(pb_next(w.data, w.size, &off, &f), 1);
        ASSERT_EQ((int32_t) f.value, -1);
        ASSERT_EQ(pb_next(w.data, w.size, &off, &f), 1);
        char s[8];
        pb_field_string(&f, s, sizeof(s));
        ASSERT_STREQ(s, "ab");
        ASSERT_EQ(pb_next(w.data, w.size, &off, &f), 1);
        ASSERT_EQ(f.number, 5);
        ASSERT_EQ(f.size, 2);
        ASSERT_EQ(pb_next(w.data, w.size, &off, &f), 0);
        pb_writer_done(&w);
        pb_writer_done(&n);
}

static void test_pb_rejects_truncated(void) {
        static const uint8_t cut_string[] = { 0x1a, 0x05, 'a' }, cut_varint[] = { 0x08, 0x80 }, group[] = { 0x0b };
        size_t off = 0;
        PbField f;

        ASSERT_EQ(pb_next(cut_string, sizeof(cut_string), &off, &f), -EBADMSG);
        off = 0;
        ASSERT_EQ(pb_next(cut_varint, sizeof(cut_varint), &off, &f), -EBADMSG);
        off = 0;
        ASSERT_EQ(pb_next(group, sizeof(group), &off, &f), -EBADMSG);
}

/* The value of field number in buf (a varint, or a string into s); -1 when absent. */
static int64_t find_field(const uint8_t *buf, size_t size, uint32_t number, char *s, size_t n) {
        size_t off = 0;
        PbField f;

        while (pb_next(buf, size, &off, &f) > 0)
                if (f.number == number) {
                        if (s)
                                pb_field_string(&f, s, n);
                        return f.wire_type == 0 ? (int64_t) f.value : (int64_t) f.size;
                }
        return -1;
}

static void test_restore_request(void) {
        CriuPair mnt[] = { { "/data", "/srv/data" } }, cg[] = { { "", "/machine.slice/runscope-x.scope" } };
        CriuInheritFd inh[] = { { "pipe:[12]", 5 } };
        CriuOpts o = { .images_dir_fd = 7, .work_dir_fd = -1, .rst_sibling = true, .notify_scripts = true,
                       .log_file = "restore.log", .root = "/run/runscope/x/criu-root", .lsm_mount_context = "ctx",
                       .manage_cgroups_mode = CRIU_CG_SOFT, .ext_mnt = mnt, .n_ext_mnt = 1, .cg_root = cg,
                       .n_cg_root = 1, .inherit_fd = inh, .n_inherit_fd = 1 };
        _cleanup_free_ uint8_t *req = NULL;
        size_t size, off = 0;
        char s[128];
        PbField f, opts = {};

        ASSERT_EQ(criu_encode_request(CRIU_REQ_RESTORE, &o, &req, &size), 0);
        ASSERT_EQ(find_field(req, size, 1, NULL, 0), CRIU_REQ_RESTORE);
        while (pb_next(req, size, &off, &f) > 0)
                if (f.number == 2)
                        opts = f;
        ASSERT_TRUE(opts.data != NULL);
        ASSERT_EQ(find_field(opts.data, opts.size, 1, NULL, 0), 7);   /* images_dir_fd */
        ASSERT_EQ(find_field(opts.data, opts.size, 17, NULL, 0), -1); /* no work_dir_fd */
        ASSERT_EQ(find_field(opts.data, opts.size, 26, NULL, 0), 1);  /* rst_sibling */
        ASSERT_EQ(find_field(opts.data, opts.size, 3, NULL, 0), -1);  /* leave_running unset: not sent */
        ASSERT_EQ(find_field(opts.data, opts.size, 34, NULL, 0), CRIU_CG_SOFT);
        find_field(opts.data, opts.size, 13, s, sizeof(s));
        ASSERT_STREQ(s, "/run/runscope/x/criu-root");
        find_field(opts.data, opts.size, 63, s, sizeof(s));
        ASSERT_STREQ(s, "ctx");
        /* ext_mnt (23) is {key=1, val=2}; inherit_fd (27) {key=1, fd=2}; cg_root (25) {ctrl=1, path=2}. */
        off = 0;
        while (pb_next(opts.data, opts.size, &off, &f) > 0) {
                if (f.number == 23) {
                        find_field(f.data, f.size, 2, s, sizeof(s));
                        ASSERT_STREQ(s, "/srv/data");
                } else if (f.number == 27) {
                        ASSERT_EQ(find_field(f.data, f.size, 2, NULL, 0), 5);
                } else if (f.number == 25) {
                        ASSERT_EQ(find_field(f.data, f.size, 1, s, sizeof(s)), 0); /* "" sent: the v2 hierarchy */
                        find_field(f.data, f.size, 2, s, sizeof(s));
                        ASSERT_STREQ(s, "/machine.slice/runscope-x.scope");
                }
        }
}

static void test_decode_response(void) {
        CriuResponse r;
        /* type NOTIFY, success, notify {script "post-restore", pid 42}. */
        static const uint8_t notify[] = { 0x08, 0x06, 0x10, 0x01, 0x2a, 0x10, 0x0a, 0x0c, 'p', 'o', 's', 't', '-',
                                          'r',  'e',  's',  't',  'o',  'r',  'e',  0x10, 0x2a };
        /* type RESTORE, failed, cr_errno 2, cr_errmsg "no". */
        static const uint8_t failed[] = { 0x08, 0x02, 0x10, 0x00, 0x38, 0x02, 0x4a, 0x02, 'n', 'o' };
        static const uint8_t no_success[] = { 0x08, 0x02 };

        ASSERT_EQ(criu_decode_response(notify, sizeof(notify), &r), 0);
        ASSERT_EQ(r.type, CRIU_REQ_NOTIFY);
        ASSERT_TRUE(r.success);
        ASSERT_STREQ(r.notify_script, "post-restore");
        ASSERT_EQ(r.notify_pid, 42);
        ASSERT_EQ(criu_decode_response(failed, sizeof(failed), &r), 0);
        ASSERT_TRUE(!r.success);
        ASSERT_EQ(r.cr_errno, 2);
        ASSERT_STREQ(r.cr_errmsg, "no");
        ASSERT_EQ(criu_decode_response(no_success, sizeof(no_success), &r), -EBADMSG);
}

static void test_cg_modes(void) {
        ASSERT_EQ(criu_cg_mode_from_string("soft"), CRIU_CG_SOFT);
        ASSERT_EQ(criu_cg_mode_from_string("ignore"), CRIU_CG_IGNORE);
        ASSERT_EQ(criu_cg_mode_from_string("strict"), CRIU_CG_STRICT);
        ASSERT_EQ(criu_cg_mode_from_string("props"), -EINVAL); /* criu's, not runc's */
        ASSERT_STREQ(criu_cg_mode_to_string(CRIU_CG_FULL), "full");
}

/* A stand-in criu in a temporary directory: a shell script with the given body. */
static void fake_criu(char *dir, const char *body, char *path, size_t size) {
        ASSERT_TRUE(mkdtemp(dir));
        snprintf(path, size, "%s/criu", dir);
        FILE *f = fopen(path, "w");
        ASSERT_TRUE(f != NULL);
        fprintf(f, "#!/bin/sh\n%s\n", body);
        fclose(f);
        ASSERT_EQ(chmod(path, 0755), 0);
}

static void test_check_and_version(void) {
        char dir[] = "/tmp/runscope-test-criu.XXXXXX", path[128];
        _cleanup_free_ char *why = NULL, *version = NULL, *found = NULL;

        fake_criu(dir,
                  "case $1 in --version) echo Version: 4.1.1; echo GitID: x;; check) echo 'Warn (a): w' >&2;"
                  " echo 'Error (criu/vdso.c:381): vdso: bad' >&2; echo 'Error (b): later'; exit 1;; esac",
                  path, sizeof(path));
        ASSERT_EQ(criu_version(path, &version), 0);
        ASSERT_STREQ(version, "4.1.1");
        ASSERT_EQ(criu_check(path, &why), -EOPNOTSUPP);
        ASSERT_STREQ(why, "Error (criu/vdso.c:381): vdso: bad");
        const char *saved = getenv("PATH");
        _cleanup_free_ char *copy = strdup(saved ?: "");
        setenv("PATH", dir, 1);
        ASSERT_EQ(criu_find(&found), 0);
        ASSERT_STREQ(found, path);
        setenv("PATH", "/nonexistent", 1);
        free(found);
        found = NULL;
        ASSERT_EQ(criu_find(&found), -ENOENT);
        setenv("PATH", copy, 1);
        unlink(path);
        rmdir(dir);
}

/* This binary as `criu swrk 3`: reads the request, sends a notification with a pipe's end, and
 * after its answer the restore's success with pid 4242. */
static int fake_swrk(void) {
        uint8_t buf[4096];
        int fd;
        ssize_t n = fd_recv(3, buf, sizeof(buf), &fd);
        if (n <= 0 || find_field(buf, (size_t) n, 1, NULL, 0) != CRIU_REQ_RESTORE)
                return 2;
        PbWriter w = PB_WRITER_NULL, m = PB_WRITER_NULL;
        pb_put_uint(&w, 1, CRIU_REQ_NOTIFY);
        pb_put_bool(&w, 2, true);
        pb_put_string(&m, 1, "orphan-pts-master");
        pb_put_message(&w, 5, &m);
        int p[2];
        int k = pipe(p) < 0 ? -1 : fd_send(3, p[1], w.data, w.size);
        pb_writer_done(&w);
        pb_writer_done(&m);
        if (k < 0)
                return 3;
        n = fd_recv(3, buf, sizeof(buf), &fd);
        if (n <= 0 || find_field(buf, (size_t) n, 3, NULL, 0) != 1)
                return 4;
        PbWriter d = PB_WRITER_NULL, rp = PB_WRITER_NULL;
        pb_put_uint(&d, 1, CRIU_REQ_RESTORE);
        pb_put_bool(&d, 2, true);
        pb_put_int32(&rp, 1, 4242);
        pb_put_message(&d, 4, &rp);
        k = fd_send(3, -1, d.data, d.size);
        pb_writer_done(&d);
        pb_writer_done(&rp);
        return k < 0 ? 5 : 0;
}

static int notified(const CriuResponse *n, int fd, void *userdata) {
        int *got = userdata;
        struct stat st;
        if (strcmp(n->notify_script, "orphan-pts-master") == 0 && fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
                *got = 1;
        safe_close(fd);
        return 0;
}

static void test_swrk_conversation(void) {
        CriuSwrk s = CRIU_SWRK_NULL;
        CriuOpts o = { .images_dir_fd = 0, .work_dir_fd = -1 };
        CriuResponse r = {};
        int got = 0;

        ASSERT_EQ(criu_swrk_start("/proc/self/exe", NULL, 0, false, &s), 0);
        ASSERT_EQ(criu_swrk_call(&s, CRIU_REQ_RESTORE, &o, notified, &got, &r), 0);
        ASSERT_TRUE(got);
        ASSERT_TRUE(r.success);
        ASSERT_EQ(r.type, CRIU_REQ_RESTORE);
        ASSERT_EQ(r.restored_pid, 4242);
        s.sock = safe_close(s.sock);
        ASSERT_EQ(criu_swrk_wait(&s), 0);
        criu_swrk_done(&s);
}

int main(int argc, char *argv[]) {
        if (argc == 3 && strcmp(argv[1], "swrk") == 0)
                return fake_swrk();
        TapTest tests[] = { test_pb_round_trip, test_pb_rejects_truncated, test_restore_request, test_decode_response,
                            test_cg_modes,      test_check_and_version,    test_swrk_conversation };
        return tap_run("test_pb_round_trip, test_pb_rejects_truncated, test_restore_request, test_decode_response, "
                       "test_cg_modes, test_check_and_version, test_swrk_conversation",
                       tests, ELEMENTSOF(tests));
}
