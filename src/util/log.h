/* The one message channel: stderr, or --log FILE in text or JSON (one object a line, as conmon
 * parses). Every error is logged once, where it enters from outside. */
#pragma once

#include <stdbool.h>

#include "alloc.h"

typedef enum LogLevel {
        LOG_LEVEL_OFF = -1,
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
} LogLevel;

typedef enum LogFormat {
        LOG_FORMAT_TEXT,
        LOG_FORMAT_JSON,
        _LOG_FORMAT_MAX,
        _LOG_FORMAT_INVALID = -EINVAL,
} LogFormat;

LogFormat log_format_from_string(const char *s);
int log_open(const char *path, LogFormat format);
void log_set_max_level(LogLevel level);
LogLevel log_get_max_level(void);
void log_set_prefix(const char *prefix);
bool log_debug_enabled(void);

/* Writes one line; `%m` means strerror(abs(err)). Returns -abs(err), or 0 when err is 0. */
int log_internal(LogLevel level, int err, const char *fmt, ...) _printf_(3, 4);

/* -abs(err), and -EIO for an err of 0: these are for error paths, and `return log_error_errno(m.err,
 * ...)` with a peer's 0 in m.err must not return success (systemd's log_full_errno does the same,
 * with -ESTRPIPE). Worked out here, where the caller is compiled, so that clang-tidy's analyzer,
 * which does not look into log.c, sees that `return log_error_errno(EINVAL, ...)` fails: it took
 * such returns for successes and flagged the caller's outputs as unset. */
#define log_full_errno(level, err, ...)                                                                   \
        ({                                                                                                \
                int _log_err = (err);                                                                     \
                (void) log_internal((level), _log_err, __VA_ARGS__);                                      \
                _log_err < 0 ? _log_err : _log_err > 0 ? -_log_err : -EIO;                                \
        })
#define log_error_errno(err, ...) log_full_errno(LOG_LEVEL_ERROR, (err), __VA_ARGS__)
#define log_warning_errno(err, ...) log_full_errno(LOG_LEVEL_WARNING, (err), __VA_ARGS__)
#define log_debug_errno(err, ...) log_full_errno(LOG_LEVEL_DEBUG, (err), __VA_ARGS__)
#define log_error(...) (void) log_internal(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...) (void) log_internal(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_info(...) (void) log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) (void) log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_oom() log_error_errno(ENOMEM, "Out of memory")
