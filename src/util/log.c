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

#define LOG_MSG_MAX 2048

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

LogLevel log_get_max_level(void) {
        return log_max_level;
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

/* A value quoted in a message (an id, a JSON string) may hold a newline or another control
 * character: written as \n or \xNN, so that every message is exactly one line. */
static void escape_controls(char *msg, size_t size) {
        char copy[LOG_MSG_MAX];
        size_t j = 0;

        (void) snprintf(copy, sizeof(copy), "%s", msg);
        for (const char *c = copy; *c && j + 5 < size; c++) {
                unsigned char u = (unsigned char) *c;
                if (u >= 0x20 && u != 0x7f)
                        msg[j++] = *c;
                else if (u == '\n' || u == '\t' || u == '\r')
                        j += (size_t) snprintf(msg + j, size - j, "\\%c", u == '\n' ? 'n' : u == '\t' ? 't' : 'r');
                else
                        j += (size_t) snprintf(msg + j, size - j, "\\x%02x", u);
        }
        msg[j] = 0;
}

int log_internal(LogLevel level, int err, const char *fmt, ...) {
        char msg[LOG_MSG_MAX], line[4096 + 64], ts[64];
        int saved_errno = errno;
        va_list ap;
        size_t n;

        if (err < 0)
                err = -err;
        if (level > log_max_level)
                return -err;

        errno = err;
        va_start(ap, fmt);
        /* A message cut short (a huge value in it) says so. */
        if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int) sizeof(msg))
                memcpy(msg + sizeof(msg) - 4, "...", 4);
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
        } else {
                escape_controls(msg, sizeof(msg));
                if (log_fd == STDERR_FILENO)
                        n = (size_t) snprintf(line, sizeof(line), "%s: %s\n", log_prefix, msg);
                else
                        n = (size_t) snprintf(line, sizeof(line), "%s[%d]: %s: %s\n", log_prefix, getpid(),
                                              level_names[level], msg);
        }
        write_line(log_fd, line, n, sizeof(line));

        /* An error goes to stderr too when there is a log file, as runc and crun do: containerd's shim
         * classifies a failed kill by the runtime's output alone ("container not running"). */
        if (level == LOG_LEVEL_ERROR && log_fd != STDERR_FILENO) {
                escape_controls(msg, sizeof(msg));
                n = (size_t) snprintf(line, sizeof(line), "%s: %s\n", log_prefix, msg);
                write_line(STDERR_FILENO, line, n, sizeof(line));
        }

        errno = saved_errno;
        return -err;
}
