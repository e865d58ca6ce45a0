/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * Internal declarations of libvdswipe. Internal functions are named vdsw__*
 * and return 0 or -errno; only the public functions turn that into an
 * HRESULT, through the one table in translate.c.
 */
#ifndef VDSW_INTERNAL_H
#define VDSW_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "vdswipe/vdswipe.h"
#include "ioc.h"

#define VDSW_DEV_PATH		"/dev/vdswipe"
#define VDSW_MODULE_NAME	"vdswipe"
#define VDSW_NODE_TIMEOUT_MS	2000

/* ---- translate.c: the errno -> HRESULT table ---- */

/* The public calls the table is keyed by, with the errno. */
enum vdsw_call {
	VDSW_CALL_OPEN,		/* vdsw_session_open */
	VDSW_CALL_CLOSE,	/* vdsw_session_close */
	VDSW_CALL_VERSION,	/* vdsw_session_version */
	VDSW_CALL_CLEAN,	/* vdsw_clean, vdsw_clean_fd */
	VDSW_CALL_QUERY,	/* vdsw_async_query_status */
	VDSW_CALL_WAIT,		/* vdsw_async_wait* */
	VDSW_CALL_CANCEL,	/* vdsw_async_cancel */
	VDSW_CALL_CANCEL_ALL,	/* vdsw_session_cancel_all */
	VDSW_CALL_RELEASE,	/* vdsw_async_release */
	VDSW_CALL_EVENT,	/* vdsw_session_read_event */
	VDSW_CALL_CHECK,	/* vdsw_check_device, vdsw_check_fd */
	VDSW_CALL_VERIFY,	/* vdsw_verify, vdsw_verify_fd */
	VDSW_CALL_PROGRESS,	/* vdsw_async_query_progress */
	VDSW_CALL_OP,		/* an ended op's result (-errno in .result) */
	VDSW_CALL_NR
};

struct vdsw_xlate {
	uint8_t call;		/* enum vdsw_call */
	uint8_t io;		/* VDSW_CALL_OP: an I/O error (may be partial) */
	int16_t err;		/* positive errno, or 0 */
	HRESULT hr;
	const char *why;	/* default detail for vdsw_last_error() */
};

/* The table itself, for the tests. */
const struct vdsw_xlate *vdsw__xlate_table(size_t *nr);
const struct vdsw_xlate *vdsw__xlate_find(enum vdsw_call call, int err);
const char *vdsw__call_name(enum vdsw_call call);

/* ret is 0 or -errno; sets the last-error detail when none was set. */
HRESULT vdsw__hr(enum vdsw_call call, int ret);
/* The op's HRESULT from its state, result (0 or -errno) and progress. */
HRESULT vdsw__op_hr(uint32_t state, int32_t result, uint64_t bytes_done);
/* The same from VDSWIPE_IOC_PROGRESS: an I/O error is a partial clean only
 * when it stopped the writes (not the verification) after some bytes. */
HRESULT vdsw__op_hr_progress(const struct vdswipe_progress *p);

/* ---- lasterror.c: vdsw_last_error() ---- */

void vdsw__err_clear(void);
bool vdsw__err_isset(void);
/* Sets the detail (first caller wins until cleared); returns ret. */
int vdsw__err(int ret, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Name of a positive errno ("ENOENT"), never NULL. */
const char *vdsw__errno_name(int err);

/* ---- session.c ---- */

struct vdsw_session {
	pthread_mutex_t lock;
	pthread_cond_t idle;	/* busy dropped to 0 after close */
	int fd;			/* /dev/vdswipe */
	int wake_fd;		/* eventfd: wakes read_event pollers on close */
	unsigned int refs;	/* the session itself + one per async */
	unsigned int busy;	/* calls using fd right now */
	bool closed;
	struct vdswipe_version ver;	/* as of open */
};

/* Marks a call using sess->fd; -EBADF once the session is closed. */
int vdsw__session_enter(struct vdsw_session *s);
void vdsw__session_leave(struct vdsw_session *s);
void vdsw__session_get(struct vdsw_session *s);
void vdsw__session_put(struct vdsw_session *s);
/* session_enter(), after -EOPNOTSUPP (with detail) unless the module
 * reports every VDSWIPE_FEAT_* bit of feat; what names the feature. */
int vdsw__session_enter_feat(struct vdsw_session *s, uint64_t feat,
			     const char *what);

/* Copy a caller's size-prefixed struct: size >= min, bytes past ours zero. */
int vdsw__copy_opts(void *dst, size_t dst_size, const void *src,
		    uint32_t src_size, size_t min_size);

/* ---- module.c: /dev/vdswipe and the module behind it ---- */

/* Open /dev/vdswipe O_RDWR|O_CLOEXEC, loading the module if needed. */
int vdsw__module_open(const struct vdsw_session_opts *opts, int *fdp);

/* ---- probe.c: the safety checks (libblkid) ---- */

/* Probe fd (reopened read-only); -ENOTEMPTY if the force flags do not allow. */
int vdsw__probe_fd(int fd, bool force, bool force_oem,
		   struct vdsw_probe_info *info);

/* ---- async.c ---- */

struct vdsw_async {
	struct vdsw_session *sess;	/* holds a reference */
	uint64_t op_id;
	int dev_fd;			/* opened by vdsw_clean(), or -1 */
	bool sanitize;			/* a VDSWIPE_IOC_SANITIZE op: its HRESULT
					 * comes from VDSWIPE_IOC_PROGRESS */
};

/* A handle holding a reference on s (op_id 0, dev_fd -1); NULL: -ENOMEM. */
struct vdsw_async *vdsw__async_alloc(struct vdsw_session *s);
/* Closes dev_fd, drops the session reference, frees. */
void vdsw__async_free(struct vdsw_async *a);

#endif /* VDSW_INTERNAL_H */
