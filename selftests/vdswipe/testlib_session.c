// SPDX-License-Identifier: GPL-2.0
/*
 * testlib_session.c - sessions of /dev/vdswipe and the vdswipe ioctls
 * (see testlib_session.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ioc.h"
#include "testlib.h"

/* ------------------------------------------------------------ sessions */

int vt_session_open_flags(int extra_flags)
{
	int fd = open(VT_DEV_NODE, O_RDWR | O_CLOEXEC | extra_flags);

	return fd < 0 ? -errno : fd;
}

int vt_version(int session, struct vdswipe_version *ver)
{
	return vdsw_ioc_version(session, ver);
}

void vt_clean_init(struct vdswipe_clean *c, int devfd, uint32_t flags,
		   uint32_t method)
{
	memset(c, 0, sizeof(*c));
	c->fd = devfd;
	c->flags = flags;
	c->method = method;
}

int vt_clean(int session, struct vdswipe_clean *c)
{
	return vdsw_ioc_clean(session, c);
}

int vt_submit(int session, int devfd, uint32_t flags, uint32_t method,
	      uint32_t pattern, uint64_t offset, uint64_t length,
	      uint64_t *op_id, uint64_t *bytes_total)
{
	struct vdswipe_clean c;
	int ret;

	vt_clean_init(&c, devfd, flags, method);
	c.pattern = pattern;
	c.offset = offset;
	c.length = length;
	ret = vt_clean(session, &c);
	if (ret)
		return ret;
	if (op_id)
		*op_id = c.op_id;
	if (bytes_total)
		*bytes_total = c.bytes_total;
	return 0;
}

int vt_query(int session, uint64_t op_id, struct vdswipe_status *st)
{
	return vdsw_ioc_query(session, op_id, st);
}

int vt_wait(int session, uint64_t op_id, uint64_t deadline_ns)
{
	return vdsw_ioc_wait(session, op_id, deadline_ns);
}

int vt_wait_ms(int session, uint64_t op_id, unsigned int ms)
{
	return vt_wait(session, op_id,
		       vt_now_ns() + (uint64_t)ms * VT_NSEC_PER_MSEC);
}

int vt_cancel(int session, uint64_t op_id)
{
	return vdsw_ioc_cancel(session, op_id);
}

int vt_cancel_all(int session, uint32_t *cancelled)
{
	return vdsw_ioc_cancel_all(session, cancelled);
}

int vt_release(int session, uint64_t op_id)
{
	return vdsw_ioc_release(session, op_id);
}

bool vt_state_ended(uint32_t state)
{
	return state == VDSWIPE_STATE_DONE || state == VDSWIPE_STATE_FAILED ||
	       state == VDSWIPE_STATE_CANCELLED;
}

const char *vt_state_name(uint32_t state)
{
	switch (state) {
	case VDSWIPE_STATE_QUEUED:	return "QUEUED";
	case VDSWIPE_STATE_RUNNING:	return "RUNNING";
	case VDSWIPE_STATE_DONE:	return "DONE";
	case VDSWIPE_STATE_FAILED:	return "FAILED";
	case VDSWIPE_STATE_CANCELLED:	return "CANCELLED";
	default:			return "?";
	}
}

int vt_wait_progress(int session, uint64_t op_id, uint64_t min_bytes,
		     unsigned int timeout_ms, struct vdswipe_status *st)
{
	uint64_t start = vt_now_ns();
	int ret;

	for (;;) {
		ret = vt_query(session, op_id, st);
		if (ret)
			return ret;
		if (vt_state_ended(st->state))
			return -ESRCH;
		if (st->state == VDSWIPE_STATE_RUNNING &&
		    st->bytes_done >= min_bytes)
			return 0;
		if (vt_ms_since(start) >= timeout_ms)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

int vt_finish(int session, uint64_t op_id, unsigned int timeout_ms,
	      struct vdswipe_status *st)
{
	int ret = vt_wait_ms(session, op_id, timeout_ms);

	if (ret)
		return ret;
	return vt_query(session, op_id, st);
}
