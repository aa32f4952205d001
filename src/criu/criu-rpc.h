/* CRIU's RPC messages (images/rpc.proto of criu, proto2): the requests runscope sends to `criu swrk`
 * and the answers it reads, as C structs encoded to and decoded from the wire format. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum CriuReqType {
        CRIU_REQ_EMPTY = 0,
        CRIU_REQ_DUMP = 1,
        CRIU_REQ_RESTORE = 2,
        CRIU_REQ_CHECK = 3,
        CRIU_REQ_PRE_DUMP = 4,
        CRIU_REQ_NOTIFY = 6,
        CRIU_REQ_FEATURE_CHECK = 9,
        CRIU_REQ_VERSION = 10,
} CriuReqType;

/* criu_cg_mode; runc's --manage-cgroups-mode names the ones a caller may ask for. */
typedef enum CriuCgMode {
        CRIU_CG_IGNORE = 0,
        CRIU_CG_NONE = 1,
        CRIU_CG_PROPS = 2,
        CRIU_CG_SOFT = 3,
        CRIU_CG_FULL = 4,
        CRIU_CG_STRICT = 5,
        CRIU_CG_DEFAULT = 6,
        _CRIU_CG_MAX,
        _CRIU_CG_INVALID = -EINVAL,
} CriuCgMode;

/* "soft", "full", "strict" or "ignore", as runc takes them; anything else is invalid. */
CriuCgMode criu_cg_mode_from_string(const char *s);
const char *criu_cg_mode_to_string(CriuCgMode m);

typedef struct CriuPair {
        const char *key, *val;
} CriuPair;

typedef struct CriuInheritFd {
        const char *key;
        int fd; /* criu's fd number */
} CriuInheritFd;

/* The criu_opts fields runscope sets; a string left NULL, a count of 0 and a false bool are not
 * sent. Pointers borrow from the caller. */
typedef struct CriuOpts {
        int images_dir_fd, work_dir_fd; /* the requester's fds, which criu opens in /proc; work < 0: none */
        pid_t pid;                      /* dump: the tree's root */
        bool leave_running, ext_unix_sk, tcp_established, tcp_close, tcp_skip_in_flight, evasive_devices, shell_job,
                file_locks, notify_scripts, track_mem, auto_dedup, link_remap, rst_sibling, orphan_pts_master;
        int log_level;
        const char *log_file, *root, *parent_img, *config_file, *lsm_profile, *lsm_mount_context;
        CriuCgMode manage_cgroups_mode;
        CriuPair *ext_mnt;        /* key: a mount point; val: its name (dump) or source (restore) */
        size_t n_ext_mnt;
        CriuPair *cg_root;        /* key: a controller ("" for the unified hierarchy), val: the new root */
        size_t n_cg_root;
        CriuInheritFd *inherit_fd;
        size_t n_inherit_fd;
        CriuPair *join_ns; /* key: "uts", "ipc", "time", …; val: the namespace file to join */
        size_t n_join_ns;
        char **external; /* "net[INODE]:KEY", … */
        uint32_t empty_ns; /* CLONE_NEW* that criu leaves empty */
} CriuOpts;

/* An encoded criu_req: type, opts (unless NULL), and for FEATURE_CHECK the mem_track query. */
int criu_encode_request(CriuReqType type, const CriuOpts *opts, uint8_t **ret, size_t *ret_size);
/* The answer to a notification: NOTIFY with notify_success. */
int criu_encode_notify_reply(bool success, uint8_t **ret, size_t *ret_size);

typedef struct CriuResponse {
        CriuReqType type;
        bool success;
        int32_t cr_errno;
        char cr_errmsg[512];
        pid_t restored_pid;      /* RESTORE: the restored tree's root */
        char notify_script[64];  /* NOTIFY: "post-restore", "orphan-pts-master", … */
        pid_t notify_pid;
        bool mem_track;          /* FEATURE_CHECK */
        int version_major, version_minor, version_sublevel; /* VERSION */
} CriuResponse;

/* A criu_resp; -EBADMSG when the bytes are not one. */
int criu_decode_response(const uint8_t *buf, size_t size, CriuResponse *ret);
