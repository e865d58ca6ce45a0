// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * ioc.c - the vdswipe ioctls, one function each (see ioc.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ioc.h"

static int ioc(int session, unsigned long req, void *arg)
{
	return ioctl(session, req, arg) < 0 ? -errno : 0;
}

int vdsw_ioc_version(int session, struct vdswipe_version *ver)
{
	return ioc(session, VDSWIPE_IOC_VERSION, ver);
}

int vdsw_ioc_clean(int session, struct vdswipe_clean *c)
{
	return ioc(session, VDSWIPE_IOC_CLEAN, c);
}

int vdsw_ioc_sanitize(int session, struct vdswipe_sanitize *z)
{
	return ioc(session, VDSWIPE_IOC_SANITIZE, z);
}

int vdsw_ioc_query(int session, uint64_t op_id, struct vdswipe_status *st)
{
	memset(st, 0, sizeof(*st));
	st->op_id = op_id;
	return ioc(session, VDSWIPE_IOC_QUERY, st);
}

int vdsw_ioc_progress(int session, uint64_t op_id, struct vdswipe_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->op_id = op_id;
	return ioc(session, VDSWIPE_IOC_PROGRESS, p);
}

int vdsw_ioc_wait(int session, uint64_t op_id, uint64_t deadline_ns)
{
	struct vdswipe_wait w = { .op_id = op_id, .deadline = deadline_ns };

	return ioc(session, VDSWIPE_IOC_WAIT, &w);
}

int vdsw_ioc_cancel(int session, uint64_t op_id)
{
	struct vdswipe_op_ref r = { .op_id = op_id };

	return ioc(session, VDSWIPE_IOC_CANCEL, &r);
}

int vdsw_ioc_cancel_all(int session, uint32_t *cancelled)
{
	struct vdswipe_cancel_all ca = { 0 };
	int ret = ioc(session, VDSWIPE_IOC_CANCEL_ALL, &ca);

	if (!ret && cancelled)
		*cancelled = ca.cancelled;
	return ret;
}

int vdsw_ioc_release(int session, uint64_t op_id)
{
	struct vdswipe_op_ref r = { .op_id = op_id };

	return ioc(session, VDSWIPE_IOC_RELEASE, &r);
}
