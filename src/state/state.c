/* Reads and writes <root>/<id>/state.json under a per-container flock. Never stores a cgroup path
 * (the unit is the name; systemd knows where it lives), and never leaves a partly written file. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/strv.h"

ContainerState *state_free(ContainerState *s) {
        if (!s)
                return NULL;
        free(s->id);
        free(s->bundle);
        free(s->rootfs);
        free(s->created);
        free(s->unit);
        free(s->slice);
        free(s->machine);
        strv_free(s->annotations);
        free(s);
        return NULL;
}

int state_validate_id(const char *id) {
        size_t n = strlen(id);

        if (n == 0)
                return log_error_errno(EINVAL, "Invalid container id: empty");
        if (n > STATE_ID_MAX)
                return log_error_errno(EINVAL, "Invalid container id: longer than %d characters", STATE_ID_MAX);
        if (id[0] == '-' || id[0] == '.' || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                   "0123456789_+-.") != n)
                return log_error_errno(EINVAL, "Invalid container id '%s': use letters, digits and _+-. "
                                               "and do not start with - or .", id);
        return 0;
}

int state_root_open(const char *root, int *ret_fd) {
        int r, fd;

        r = mkdir_p(root, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create state root %s: %m", root);
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open state root %s: %m", root);
        *ret_fd = fd;
        return 0;
}

static int open_locked(int root_fd, const char *id, int *ret_fd) {
        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                struct stat locked, now;

                fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                while (flock(fd, LOCK_EX) < 0)
                        if (errno != EINTR)
                                return -errno;
                /* While we waited, the holder may have removed the directory (a delete), and
                 * another command made a new one: the lock counts only on what the id names now. */
                if (fstat(fd, &locked) < 0)
                        return -errno;
                /* Only a directory runscope made: in a --root others can write to, one planted under
                 * an id could name any unit and pid, for delete to stop and kill. */
                if (locked.st_uid != geteuid())
                        return -EPERM;
                if (fstatat(root_fd, id, &now, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (locked.st_dev == now.st_dev && locked.st_ino == now.st_ino) {
                        *ret_fd = TAKE_FD(fd);
                        return 0;
                }
        }
}

int state_create(int root_fd, const char *id, int *ret_dir_fd) {
        int r;

        r = state_validate_id(id);
        if (r < 0)
                return r;
        if (mkdirat(root_fd, id, 0711) < 0) {
                if (errno == EEXIST)
                        return log_error_errno(EEXIST, "container with id %s already exists", id);
                return log_error_errno(errno, "Failed to create state directory of %s: %m", id);
        }
        r = open_locked(root_fd, id, ret_dir_fd);
        if (r < 0) {
                (void) unlinkat(root_fd, id, AT_REMOVEDIR);
                return log_error_errno(r, "Failed to lock state directory of %s: %m", id);
        }
        return 0;
}

int state_open(int root_fd, const char *id, int *ret_dir_fd) {
        int r;

        r = state_validate_id(id);
        if (r < 0)
                return r;
        r = open_locked(root_fd, id, ret_dir_fd);
        if (r == -ENOENT || r == -ENOTDIR)
                return log_error_errno(ENOENT, "container %s does not exist", id);
        if (r == -EPERM)
                return log_error_errno(r, "The state directory of %s is owned by another user, not runscope's: refusing it", id);
        if (r < 0)
                return log_error_errno(r, "Failed to open state of %s: %m", id);
        return 0;
}

int state_exists(int root_fd, const char *id) {
        struct stat st;
        int r;

        r = state_validate_id(id);
        if (r < 0)
                return r;
        if (fstatat(root_fd, id, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                return 1;
        if (errno == ENOENT)
                return 0;
        return log_error_errno(errno, "Failed to look up container %s: %m", id);
}

static int add_string(cJSON *o, const char *key, const char *value) {
        if (!value)
                return 0;
        return cJSON_AddStringToObject(o, key, value) ? 0 : -ENOMEM;
}

int state_save(int dir_fd, const ContainerState *s) {
        cJSON *o = cJSON_CreateObject(), *a;
        _cleanup_free_ char *text = NULL;
        int r = 0;

        if (!o)
                return log_oom();
        r |= add_string(o, "id", s->id);
        r |= add_string(o, "bundle", s->bundle);
        r |= add_string(o, "rootfs", s->rootfs);
        r |= cJSON_AddNumberToObject(o, "pid", s->pid) ? 0 : -ENOMEM;
        r |= cJSON_AddNumberToObject(o, "pidStartTime", (double) s->pid_start_time) ? 0 : -ENOMEM;
        r |= add_string(o, "created", s->created);
        r |= cJSON_AddNumberToObject(o, "owner", s->owner) ? 0 : -ENOMEM;
        r |= add_string(o, "unit", s->unit);
        r |= add_string(o, "slice", s->slice);
        r |= add_string(o, "machine", s->machine);
        if (s->kept_unit)
                r |= cJSON_AddBoolToObject(o, "keptUnit", true) ? 0 : -ENOMEM;
        a = cJSON_AddObjectToObject(o, "annotations");
        r |= a ? 0 : -ENOMEM;
        for (char **k = s->annotations; a && k && k[0] && k[1]; k += 2)
                r |= add_string(a, k[0], k[1]);
        if (r == 0)
                text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text)
                return log_oom();
        /* What state_load() would refuse to read must not be written: the container would be
         * left with no way to delete it. */
        if (strlen(text) > STATE_MAX_SIZE)
                return log_error_errno(EFBIG, "State of %s would be %zu bytes, more than %zu: are its annotations that large?",
                                       s->id, strlen(text), STATE_MAX_SIZE);
        r = write_file_atomic_at(dir_fd, "state.json", text, strlen(text), 0600);
        if (r < 0)
                return log_error_errno(r, "Failed to write state of %s: %m", s->id);
        return 0;
}

static int dup_string(const cJSON *o, const char *key, bool required, char **ret) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!v)
                return required ? -EBADMSG : 0;
        if (!cJSON_IsString(v))
                return -EBADMSG;
        *ret = strdup(v->valuestring);
        return *ret ? 0 : -ENOMEM;
}

static void cjson_deletep(cJSON **j) {
        cJSON_Delete(*j);
}

static int number(const cJSON *o, const char *key, double min, double max, double *ret) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max)
                return -EBADMSG;
        *ret = v->valuedouble;
        return 0;
}

/* Called on several threads at once by `list`. cJSON's parser writes two things shared between
 * threads, both harmless here: the position of the last error, reset on every parse (a global
 * only cJSON_GetErrorPtr() reads, which runscope never calls; that is all helgrind reports), and
 * glibc's localeconv() buffer, refilled for every number with the same values (runscope never
 * calls setlocale). cJSON's README states those two conditions for parsing on threads. */
static int parse_state(const char *text, ContainerState *s) {
        _cleanup_(cjson_deletep) cJSON *o = cJSON_Parse(text);
        const cJSON *a, *e;
        double pid, start, owner;
        size_t n = 0;
        int r;

        if (!cJSON_IsObject(o))
                return -EBADMSG;
        if ((r = dup_string(o, "id", true, &s->id)) < 0 || (r = dup_string(o, "bundle", true, &s->bundle)) < 0 ||
            (r = dup_string(o, "rootfs", true, &s->rootfs)) < 0 || (r = dup_string(o, "created", true, &s->created)) < 0 ||
            (r = dup_string(o, "unit", true, &s->unit)) < 0 || (r = dup_string(o, "slice", false, &s->slice)) < 0 ||
            (r = dup_string(o, "machine", false, &s->machine)) < 0)
                return r;
        if (number(o, "pid", 1, INT32_MAX, &pid) < 0 || number(o, "pidStartTime", 0, 1e19, &start) < 0 ||
            number(o, "owner", 0, UINT32_MAX, &owner) < 0)
                return -EBADMSG;
        s->pid = (pid_t) pid;
        s->pid_start_time = (uint64_t) start;
        s->owner = (uid_t) owner;
        s->kept_unit = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "keptUnit"));
        a = cJSON_GetObjectItemCaseSensitive(o, "annotations");
        if (!a)
                return 0;
        if (!cJSON_IsObject(a))
                return -EBADMSG;
        /* Sized once: appending one by one is quadratic in the number of annotations. */
        s->annotations = calloc(2 * (size_t) cJSON_GetArraySize(a) + 1, sizeof(char *));
        if (!s->annotations)
                return -ENOMEM;
        cJSON_ArrayForEach(e, a) {
                if (!cJSON_IsString(e))
                        return -EBADMSG;
                if (!(s->annotations[n++] = strdup(e->string)) || !(s->annotations[n++] = strdup(e->valuestring)))
                        return -ENOMEM;
        }
        return 0;
}

int state_parse(const char *text, const char *id, ContainerState **ret) {
        _cleanup_(state_freep) ContainerState *s = NULL;
        int r;

        s = calloc(1, sizeof(ContainerState));
        if (!s)
                return log_oom();
        r = parse_state(text, s);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0 || strcmp(s->id, id) != 0)
                return log_error_errno(EBADMSG, "State of %s is corrupt (state.json)", id);
        *ret = TAKE_PTR(s);
        return 0;
}

int state_load(int dir_fd, const char *id, ContainerState **ret) {
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (fstat(dir_fd, &st) < 0)
                return log_error_errno(errno, "Failed to read state of %s: %m", id);
        if (st.st_uid != geteuid())
                return log_error_errno(EPERM, "The state directory of %s is owned by another user, not runscope's: refusing it", id);
        /* Only the regular file runscope wrote: a symlink or a fifo put in its place is corrupt
         * state, never followed (a fifo would block every command on this container). */
        fd = openat(dir_fd, "state.json", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT)
                return -ENOENT;
        if (fd < 0 && errno == ELOOP)
                return log_error_errno(EBADMSG, "State of %s is corrupt (state.json is a symlink)", id);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open state of %s: %m", id);
        if (fstat(fd, &st) < 0)
                return log_error_errno(errno, "Failed to read state of %s: %m", id);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(EBADMSG, "State of %s is corrupt (state.json is not a regular file)", id);
        r = read_file_fd(fd, STATE_MAX_SIZE, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read state of %s: %m", id);
        return state_parse(text, id, ret);
}

int state_remove(int root_fd, const char *id) {
        int r = rm_rf_at(root_fd, id);
        if (r < 0)
                return log_error_errno(r, "Failed to remove state of %s: %m", id);
        return 0;
}

static int cmp_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int state_list(int root_fd, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int fd;
        DIR *d;

        fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open state root: %m");
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return log_error_errno(errno, "Failed to read state root: %m");
        }
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.' || de->d_type != DT_DIR)
                        continue;
                if (strv_extend(&l, de->d_name) < 0) {
                        (void) closedir(d);
                        return log_oom();
                }
        }
        (void) closedir(d);
        if (l)
                qsort(l, strv_length(l), sizeof(char *), cmp_strings);
        *ret = TAKE_PTR(l);
        return 0;
}

int state_now(char **ret) {
        struct timespec now;
        struct tm tm;
        char buf[64];
        size_t n;

        (void) clock_gettime(CLOCK_REALTIME, &now);
        (void) gmtime_r(&now.tv_sec, &tm);
        n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        (void) snprintf(buf + n, sizeof(buf) - n, ".%09ldZ", now.tv_nsec);
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int state_save_config(int dir_fd, const char *bundle) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t n;
        int r;

        if (asprintf(&path, "%s/config.json", bundle) < 0)
                return log_oom();
        r = read_file_at(AT_FDCWD, path, (size_t) 16 * 1024 * 1024, &text, &n); /* spec.h's SPEC_MAX_SIZE */
        if (r >= 0)
                r = write_file_atomic_at(dir_fd, "config.json", text, n, 0600);
        if (r < 0)
                return log_error_errno(r, "Failed to keep a copy of %s: %m", path);
        return 0;
}
