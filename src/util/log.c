/* Formats and writes log lines to stderr or the --log file. The only code that writes to stderr;
 * it never exits the process and never allocates on the heap. */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "json.h"
#include "log.h"

static int log_fd = STDERR_FILENO;
static LogFormat log_format = LOG_FORMAT_TEXT;
static LogLevel log_max_level = LOG_LEVEL_WARNING;
static const char *log_prefix = "runscope";

static const char *const level_names[] = {
        [LOG_LEVEL_ERROR] = "error",
        [LOG_LEVEL_WARNING] = "warning",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_DEBUG] = "debug",
};

LogFormat log_format_from_string(const char *s) {
        if (strcmp(s, "text") == 0)
                return LOG_FORMAT_TEXT;
        if (strcmp(s, "json") == 0)
                return LOG_FORMAT_JSON;
        return _LOG_FORMAT_INVALID;
}

int log_open(const char *path, LogFormat format) {
        log_format = format;
        if (!path)
                return 0;
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open log file %s: %m", path);
        log_fd = fd;
        return 0;
}

void log_set_max_level(LogLevel level) {
        log_max_level = level;
}

void log_set_prefix(const char *prefix) {
        log_prefix = prefix;
}

bool log_debug_enabled(void) {
        return log_max_level >= LOG_LEVEL_DEBUG;
}

static void write_line(int fd, char *line, size_t n, size_t size) {
        if (n >= size) {
                n = size - 1;
                line[n - 1] = '\n';
        }
        (void) !write(fd, line, n);
}

int log_internal(LogLevel level, int err, const char *fmt, ...) {
        char msg[2048], line[4096 + 64], ts[64];
        int saved_errno = errno;
        va_list ap;
        size_t n;

        if (err < 0)
                err = -err;
        if (level > log_max_level)
                return -err;

        errno = err;
        va_start(ap, fmt);
        (void) vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (log_format == LOG_FORMAT_JSON) {
                char escaped[4096];
                struct timespec now;
                struct tm tm;

                (void) clock_gettime(CLOCK_REALTIME, &now);
                (void) gmtime_r(&now.tv_sec, &tm);
                n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
                (void) snprintf(ts + n, sizeof(ts) - n, ".%09ldZ", now.tv_nsec);
                json_escape(msg, escaped, sizeof(escaped));
                n = (size_t) snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
                                      level_names[level], escaped, ts);
        } else if (log_fd == STDERR_FILENO)
                n = (size_t) snprintf(line, sizeof(line), "%s: %s\n", log_prefix, msg);
        else
                n = (size_t) snprintf(line, sizeof(line), "%s[%d]: %s: %s\n", log_prefix, getpid(),
                                      level_names[level], msg);
        write_line(log_fd, line, n, sizeof(line));

        /* An error goes to stderr too when there is a log file, as runc and crun do: containerd's shim
         * classifies a failed kill by the runtime's output alone ("container not running"). */
        if (level == LOG_LEVEL_ERROR && log_fd != STDERR_FILENO) {
                n = (size_t) snprintf(line, sizeof(line), "%s: %s\n", log_prefix, msg);
                write_line(STDERR_FILENO, line, n, sizeof(line));
        }

        errno = saved_errno;
        return -err;
}
