/* Unit tests of src/state: id validation, exclusive create, atomic save and load, listing. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state/state.h"
#include "tap.h"
#include "util/fd.h"
#include "util/strv.h"

static void test_validate_id(void) {
        ASSERT_EQ(state_validate_id("web-1_a.b+c"), 0);
        ASSERT_EQ(state_validate_id(""), -EINVAL);
        ASSERT_EQ(state_validate_id("a/b"), -EINVAL);
        ASSERT_EQ(state_validate_id(".."), -EINVAL);
        ASSERT_EQ(state_validate_id("../x"), -EINVAL);
        ASSERT_EQ(state_validate_id("--force"), -EINVAL);
        ASSERT_EQ(state_validate_id("a b"), -EINVAL);
        char long_id[STATE_ID_MAX + 2];
        memset(long_id, 'a', sizeof(long_id) - 1);
        long_id[sizeof(long_id) - 1] = 0;
        ASSERT_EQ(state_validate_id(long_id), -EINVAL);
}

static void test_create_save_load_list_remove(void) {
        char root[] = "/tmp/runscope-test-state.XXXXXX";
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF, dir2 = -EBADF;
        _cleanup_(state_freep) ContainerState *loaded = NULL;
        _cleanup_strv_free_ char **ids = NULL;
        char *ann[] = { "k", "v", NULL };
        ContainerState st = { .id = "c1", .bundle = "/b", .rootfs = "/b/rootfs", .pid = 42, .pid_start_time = 7,
                              .created = "2026-01-01T00:00:00.000000000Z", .owner = 0, .unit = "runscope-c1.scope",
                              .slice = "machine.slice", .annotations = ann };

        ASSERT_TRUE(mkdtemp(root));
        ASSERT_EQ(state_root_open(root, &root_fd), 0);
        ASSERT_EQ(state_create(root_fd, "c1", &dir_fd), 0);
        ASSERT_EQ(state_create(root_fd, "c1", &dir2), -EEXIST);
        ASSERT_EQ(state_load(dir_fd, "c1", &loaded), -ENOENT);
        ASSERT_EQ(state_save(dir_fd, &st), 0);
        ASSERT_EQ(state_load(dir_fd, "c1", &loaded), 0);
        ASSERT_STREQ(loaded->unit, "runscope-c1.scope");
        ASSERT_EQ(loaded->pid, 42);
        ASSERT_EQ(loaded->pid_start_time, 7);
        ASSERT_STREQ(loaded->annotations[1], "v");
        ASSERT_EQ(state_list(root_fd, &ids), 0);
        ASSERT_EQ(strv_length(ids), 1);
        ASSERT_STREQ(ids[0], "c1");
        ASSERT_EQ(state_remove(root_fd, "c1"), 0);
        ASSERT_EQ(state_open(root_fd, "c1", &dir2), -ENOENT);
        ASSERT_EQ(rm_rf_at(AT_FDCWD, root), 0);
}

static void test_state_never_holds_a_cgroup_path(void) {
        char root[] = "/tmp/runscope-test-state.XXXXXX";
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        ContainerState st = { .id = "c2", .bundle = "/b", .rootfs = "/b/r", .pid = 1, .created = "x",
                              .unit = "runscope-c2.scope", .slice = "machine.slice" };

        ASSERT_TRUE(mkdtemp(root));
        ASSERT_EQ(state_root_open(root, &root_fd), 0);
        ASSERT_EQ(state_create(root_fd, "c2", &dir_fd), 0);
        ASSERT_EQ(state_save(dir_fd, &st), 0);
        ASSERT_EQ(read_file_at(dir_fd, "state.json", 4096, &text, NULL), 0);
        ASSERT_TRUE(strstr(text, "\"unit\":\"runscope-c2.scope\""));
        ASSERT_TRUE(!strstr(text, "cgroup"));
        ASSERT_EQ(rm_rf_at(AT_FDCWD, root), 0);
}

static void test_corrupt_state_is_an_error(void) {
        char root[] = "/tmp/runscope-test-state.XXXXXX";
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        _cleanup_(state_freep) ContainerState *loaded = NULL;

        ASSERT_TRUE(mkdtemp(root));
        ASSERT_EQ(state_root_open(root, &root_fd), 0);
        ASSERT_EQ(state_create(root_fd, "c3", &dir_fd), 0);
        ASSERT_EQ(write_file_atomic_at(dir_fd, "state.json", "{\"id\":\"c3\",\"pid\":\"x\"}", 22, 0600), 0);
        ASSERT_EQ(state_load(dir_fd, "c3", &loaded), -EBADMSG);
        ASSERT_NULL(loaded);
        ASSERT_EQ(rm_rf_at(AT_FDCWD, root), 0);
}

/* Found by tests/fuzz/fuzz-state: annotations given as an array has entries without a key, and a
 * NULL key was copied (a crash). */
static void test_annotations_must_be_an_object(void) {
        _cleanup_(state_freep) ContainerState *a = NULL, *b = NULL, *c = NULL;
        const char *head = "{\"id\":\"c1\",\"bundle\":\"/b\",\"rootfs\":\"/b/r\",\"pid\":1,\"pidStartTime\":0,"
                           "\"created\":\"x\",\"owner\":0,\"unit\":\"u\",\"annotations\":";
        char text[512];

        (void) snprintf(text, sizeof(text), "%s[\"x\"]}", head);
        ASSERT_EQ(state_parse(text, "c1", &a), -EBADMSG);
        ASSERT_NULL(a);
        (void) snprintf(text, sizeof(text), "%s\"x\"}", head);
        ASSERT_EQ(state_parse(text, "c1", &b), -EBADMSG);
        (void) snprintf(text, sizeof(text), "%s{\"k\":\"v\",\"k2\":\"v2\"}}", head);
        ASSERT_EQ(state_parse(text, "c1", &c), 0);
        ASSERT_STREQ(c->annotations[2], "k2");
        ASSERT_STREQ(c->annotations[3], "v2");
        ASSERT_NULL(c->annotations[4]);
}

/* A command waiting for the lock of a container that the holder deletes got the lock of the
 * removed directory: it reported "being created", and a delete then removed by name whatever had
 * taken the id meanwhile. The waiter must see that the container is gone. */
static void test_lock_of_a_removed_container(void) {
        char root[] = "/tmp/runscope-test-state.XXXXXX";
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        int status;
        pid_t pid;

        ASSERT_TRUE(mkdtemp(root));
        ASSERT_EQ(state_root_open(root, &root_fd), 0);
        ASSERT_EQ(state_create(root_fd, "c4", &dir_fd), 0);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int fd = -EBADF;
                /* Our copy of the parent's locked fd would hold the lock we wait for. */
                safe_close(dir_fd);
                _exit(state_open(root_fd, "c4", &fd) == -ENOENT ? 0 : 1);
        }
        (void) usleep(200 * 1000); /* the child is waiting in flock() by now */
        ASSERT_EQ(state_remove(root_fd, "c4"), 0);
        dir_fd = safe_close(dir_fd);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_EQ(rm_rf_at(AT_FDCWD, root), 0);
}

TEST_MAIN(test_validate_id, test_create_save_load_list_remove, test_state_never_holds_a_cgroup_path,
          test_corrupt_state_is_an_error, test_annotations_must_be_an_object, test_lock_of_a_removed_container)
