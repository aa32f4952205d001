/* CRIU's RPC messages to and from the wire format, with the field numbers of criu's rpc.proto.
 * Encodes only what a caller set; never sends a field criu 3.17 does not know unless asked for it
 * (lsm_mount_context, 63, exists from 3.18 on). */
#include <string.h>

#include "criu-rpc.h"
#include "util/pb.h"

static const char *const cg_mode_names[_CRIU_CG_MAX] = {
        [CRIU_CG_IGNORE] = "ignore", [CRIU_CG_NONE] = "none", [CRIU_CG_PROPS] = "props", [CRIU_CG_SOFT] = "soft",
        [CRIU_CG_FULL] = "full",     [CRIU_CG_STRICT] = "strict", [CRIU_CG_DEFAULT] = "default",
};

CriuCgMode criu_cg_mode_from_string(const char *s) {
        /* runc's four; criu's none and props are not runc's flag values. */
        static const CriuCgMode accepted[] = { CRIU_CG_SOFT, CRIU_CG_FULL, CRIU_CG_STRICT, CRIU_CG_IGNORE };
        for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
                if (strcmp(s, cg_mode_names[accepted[i]]) == 0)
                        return accepted[i];
        return _CRIU_CG_INVALID;
}

const char *criu_cg_mode_to_string(CriuCgMode m) {
        return m >= 0 && m < _CRIU_CG_MAX ? cg_mode_names[m] : NULL;
}

/* criu_opts field numbers. */
enum {
        OPT_IMAGES_DIR_FD = 1, OPT_PID = 2, OPT_LEAVE_RUNNING = 3, OPT_EXT_UNIX_SK = 4, OPT_TCP_ESTABLISHED = 5,
        OPT_EVASIVE_DEVICES = 6, OPT_SHELL_JOB = 7, OPT_FILE_LOCKS = 8, OPT_LOG_LEVEL = 9, OPT_LOG_FILE = 10,
        OPT_NOTIFY_SCRIPTS = 12, OPT_ROOT = 13, OPT_PARENT_IMG = 14, OPT_TRACK_MEM = 15, OPT_AUTO_DEDUP = 16,
        OPT_WORK_DIR_FD = 17, OPT_LINK_REMAP = 18, OPT_EXT_MNT = 23, OPT_MANAGE_CGROUPS = 24, OPT_CG_ROOT = 25,
        OPT_RST_SIBLING = 26, OPT_INHERIT_FD = 27, OPT_MANAGE_CGROUPS_MODE = 34, OPT_EXTERNAL = 37,
        OPT_EMPTY_NS = 38, OPT_JOIN_NS = 39, OPT_TCP_SKIP_IN_FLIGHT = 46, OPT_ORPHAN_PTS_MASTER = 50,
        OPT_CONFIG_FILE = 51, OPT_TCP_CLOSE = 52, OPT_LSM_PROFILE = 53, OPT_LSM_MOUNT_CONTEXT = 63,
};

static void put_pairs(PbWriter *w, uint32_t field, const CriuPair *p, size_t n, bool key_optional) {
        for (size_t i = 0; i < n; i++) {
                PbWriter m = PB_WRITER_NULL;
                if (!key_optional || p[i].key)
                        pb_put_string(&m, 1, p[i].key ?: "");
                pb_put_string(&m, 2, p[i].val ?: "");
                pb_put_message(w, field, &m);
                pb_writer_done(&m);
        }
}

static void put_flag(PbWriter *w, uint32_t field, bool value) {
        if (value)
                pb_put_bool(w, field, true);
}

static void put_opts(PbWriter *w, const CriuOpts *o) {
        pb_put_int32(w, OPT_IMAGES_DIR_FD, o->images_dir_fd);
        if (o->pid > 0)
                pb_put_int32(w, OPT_PID, o->pid);
        put_flag(w, OPT_LEAVE_RUNNING, o->leave_running);
        put_flag(w, OPT_EXT_UNIX_SK, o->ext_unix_sk);
        put_flag(w, OPT_TCP_ESTABLISHED, o->tcp_established);
        put_flag(w, OPT_EVASIVE_DEVICES, o->evasive_devices);
        put_flag(w, OPT_SHELL_JOB, o->shell_job);
        put_flag(w, OPT_FILE_LOCKS, o->file_locks);
        if (o->log_level > 0)
                pb_put_int32(w, OPT_LOG_LEVEL, o->log_level);
        pb_put_string(w, OPT_LOG_FILE, o->log_file);
        put_flag(w, OPT_NOTIFY_SCRIPTS, o->notify_scripts);
        pb_put_string(w, OPT_ROOT, o->root);
        pb_put_string(w, OPT_PARENT_IMG, o->parent_img);
        put_flag(w, OPT_TRACK_MEM, o->track_mem);
        put_flag(w, OPT_AUTO_DEDUP, o->auto_dedup);
        if (o->work_dir_fd >= 0)
                pb_put_int32(w, OPT_WORK_DIR_FD, o->work_dir_fd);
        put_flag(w, OPT_LINK_REMAP, o->link_remap);
        put_pairs(w, OPT_EXT_MNT, o->ext_mnt, o->n_ext_mnt, false);
        /* The old boolean, for a criu that predates the mode (as runc sends it). */
        pb_put_bool(w, OPT_MANAGE_CGROUPS, o->manage_cgroups_mode != CRIU_CG_IGNORE);
        put_pairs(w, OPT_CG_ROOT, o->cg_root, o->n_cg_root, true);
        put_flag(w, OPT_RST_SIBLING, o->rst_sibling);
        for (size_t i = 0; i < o->n_inherit_fd; i++) {
                PbWriter m = PB_WRITER_NULL;
                pb_put_string(&m, 1, o->inherit_fd[i].key);
                pb_put_int32(&m, 2, o->inherit_fd[i].fd);
                pb_put_message(w, OPT_INHERIT_FD, &m);
                pb_writer_done(&m);
        }
        pb_put_uint(w, OPT_MANAGE_CGROUPS_MODE, (uint64_t) o->manage_cgroups_mode);
        for (char **e = o->external; e && *e; e++)
                pb_put_string(w, OPT_EXTERNAL, *e);
        if (o->empty_ns)
                pb_put_uint(w, OPT_EMPTY_NS, o->empty_ns);
        put_pairs(w, OPT_JOIN_NS, o->join_ns, o->n_join_ns, false);
        put_flag(w, OPT_TCP_SKIP_IN_FLIGHT, o->tcp_skip_in_flight);
        put_flag(w, OPT_ORPHAN_PTS_MASTER, o->orphan_pts_master);
        pb_put_string(w, OPT_CONFIG_FILE, o->config_file);
        put_flag(w, OPT_TCP_CLOSE, o->tcp_close);
        pb_put_string(w, OPT_LSM_PROFILE, o->lsm_profile);
        pb_put_string(w, OPT_LSM_MOUNT_CONTEXT, o->lsm_mount_context);
}

static int finish(PbWriter *w, uint8_t **ret, size_t *ret_size) {
        if (w->error < 0) {
                int r = w->error;
                pb_writer_done(w);
                return r;
        }
        *ret = TAKE_PTR(w->data);
        *ret_size = w->size;
        return 0;
}

int criu_encode_request(CriuReqType type, const CriuOpts *opts, uint8_t **ret, size_t *ret_size) {
        PbWriter w = PB_WRITER_NULL;

        pb_put_uint(&w, 1, (uint64_t) type);
        if (opts) {
                PbWriter o = PB_WRITER_NULL;
                put_opts(&o, opts);
                pb_put_message(&w, 2, &o);
                pb_writer_done(&o);
        }
        if (type == CRIU_REQ_FEATURE_CHECK) {
                PbWriter f = PB_WRITER_NULL;
                pb_put_bool(&f, 1, true); /* mem_track: what --pre-dump and --parent-path need */
                pb_put_message(&w, 5, &f);
                pb_writer_done(&f);
        }
        return finish(&w, ret, ret_size);
}

int criu_encode_notify_reply(bool success, uint8_t **ret, size_t *ret_size) {
        PbWriter w = PB_WRITER_NULL;

        pb_put_uint(&w, 1, CRIU_REQ_NOTIFY);
        pb_put_bool(&w, 3, success);
        return finish(&w, ret, ret_size);
}

/* Fields of a nested message, into ret; the caller picks by number. */
static int decode_nested(const PbField *f, int (*one)(const PbField *, CriuResponse *), CriuResponse *ret) {
        size_t off = 0;
        PbField n;
        int r;

        if (f->wire_type != 2)
                return -EBADMSG;
        while ((r = pb_next(f->data, f->size, &off, &n)) > 0) {
                r = one(&n, ret);
                if (r < 0)
                        return r;
        }
        return r;
}

static int restore_field(const PbField *f, CriuResponse *ret) {
        if (f->number == 1 && f->wire_type == 0)
                ret->restored_pid = (pid_t) f->value;
        return 0;
}

static int notify_field(const PbField *f, CriuResponse *ret) {
        if (f->number == 1)
                pb_field_string(f, ret->notify_script, sizeof(ret->notify_script));
        else if (f->number == 2 && f->wire_type == 0)
                ret->notify_pid = (pid_t) f->value;
        return 0;
}

static int features_field(const PbField *f, CriuResponse *ret) {
        if (f->number == 1 && f->wire_type == 0)
                ret->mem_track = f->value != 0;
        return 0;
}

static int version_field(const PbField *f, CriuResponse *ret) {
        if (f->wire_type != 0)
                return 0;
        if (f->number == 1)
                ret->version_major = (int) f->value;
        else if (f->number == 2)
                ret->version_minor = (int) f->value;
        else if (f->number == 4)
                ret->version_sublevel = (int) f->value;
        return 0;
}

int criu_decode_response(const uint8_t *buf, size_t size, CriuResponse *ret) {
        CriuResponse resp = {};
        bool has_type = false, has_success = false;
        size_t off = 0;
        PbField f;
        int r;

        while ((r = pb_next(buf, size, &off, &f)) > 0) {
                switch (f.number) {
                case 1:
                        resp.type = (CriuReqType) f.value;
                        has_type = f.wire_type == 0;
                        break;
                case 2:
                        resp.success = f.value != 0;
                        has_success = f.wire_type == 0;
                        break;
                case 4:
                        r = decode_nested(&f, restore_field, &resp);
                        break;
                case 5:
                        r = decode_nested(&f, notify_field, &resp);
                        break;
                case 7:
                        resp.cr_errno = (int32_t) f.value;
                        break;
                case 8:
                        r = decode_nested(&f, features_field, &resp);
                        break;
                case 9:
                        pb_field_string(&f, resp.cr_errmsg, sizeof(resp.cr_errmsg));
                        break;
                case 10:
                        r = decode_nested(&f, version_field, &resp);
                        break;
                default:
                        break; /* dump, ps, status: nothing runscope reads */
                }
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        /* Both are required in criu_resp. */
        if (!has_type || !has_success)
                return -EBADMSG;
        *ret = resp;
        return 0;
}
