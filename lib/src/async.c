// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * async.c - struct vdsw_async, the IVdsAsync of one clean op:
 * Cancel, Wait (with and without a deadline), QueryStatus, Release.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct vdsw_async *vdsw__async_alloc(struct vdsw_session *s)
{
	struct vdsw_async *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	vdsw__session_get(s);
	a->sess = s;
	a->dev_fd = -1;
	return a;
}

void vdsw__async_free(struct vdsw_async *a)
{
	if (a->dev_fd >= 0)
		close(a->dev_fd);
	vdsw__session_put(a->sess);
	free(a);
}

/* One op ioctl on the session fd, counted against close. */
static int op_ioctl(struct vdsw_async *a, unsigned long req, void *arg)
{
	int ret = vdsw__session_enter(a->sess);

	if (ret)
		return ret;
	ret = vdsw__ioctl(a->sess->fd, req, arg);
	vdsw__session_leave(a->sess);
	return ret;
}

static int query(struct vdsw_async *a, struct vdswipe_status *st)
{
	memset(st, 0, sizeof(*st));
	st->op_id = a->op_id;
	return vdsw__ioctl(a->sess->fd, VDSWIPE_IOC_QUERY, st);
}

/* VDS percent: 0-99 while queued or running, 100 when done. */
static uint32_t percent_of(const struct vdswipe_status *st)
{
	if (st->state == VDSWIPE_STATE_DONE)
		return 100;
	if (st->state == VDSWIPE_STATE_QUEUED || st->state == VDSWIPE_STATE_RUNNING)
		return st->percent > 99 ? 99 : st->percent;
	return st->percent > 100 ? 100 : st->percent;
}

/*
 * The output's error: the positive errno of the op's result whenever the op
 * ended other than DONE (ECANCELED when cancelled), 0 for DONE and while it
 * has not ended (no result yet).
 */
static int32_t error_of(const struct vdswipe_status *st)
{
	switch (st->state) {
	case VDSWIPE_STATE_QUEUED:
	case VDSWIPE_STATE_RUNNING:
	case VDSWIPE_STATE_DONE:
		return 0;
	case VDSWIPE_STATE_CANCELLED:
		return ECANCELED;
	default:	/* FAILED carries -errno; never report 0 for it */
		return st->result < 0 ? -st->result : EIO;
	}
}

static void output_of(const struct vdswipe_status *st, struct vdsw_async_output *out)
{
	memset(out, 0, sizeof(*out));
	out->type = VDS_ASYNC_OUTPUT_CLEAN;
	out->state = st->state;
	out->error = error_of(st);
	out->percent = percent_of(st);
	out->bytes_done = st->bytes_done;
	out->bytes_total = st->bytes_total;
	out->error_offset = st->error_offset;
}

uint64_t vdsw_async_op_id(const struct vdsw_async *a)
{
	return a ? a->op_id : 0;
}

HRESULT vdsw_async_cancel(struct vdsw_async *a)
{
	struct vdswipe_op_ref ref = { 0 };

	vdsw__err_clear();
	if (!a)
		return E_POINTER;
	ref.op_id = a->op_id;
	return vdsw__hr(VDSW_CALL_CANCEL, op_ioctl(a, VDSWIPE_IOC_CANCEL, &ref));
}

HRESULT vdsw_async_query_status(struct vdsw_async *a, HRESULT *op_hr, uint32_t *percent)
{
	struct vdswipe_status st;
	int ret;

	vdsw__err_clear();
	if (op_hr)
		*op_hr = VDS_E_OPERATION_PENDING;
	if (percent)
		*percent = 0;
	if (!a || !op_hr)
		return E_POINTER;
	ret = vdsw__session_enter(a->sess);
	if (ret)
		return vdsw__hr(VDSW_CALL_QUERY, ret);
	ret = query(a, &st);
	vdsw__session_leave(a->sess);
	if (ret)
		return vdsw__hr(VDSW_CALL_QUERY, ret);
	*op_hr = vdsw__op_hr(st.state, st.result, st.bytes_done);
	if (percent)
		*percent = percent_of(&st);
	return S_OK;
}

/*
 * VDSWIPE_IOC_WAIT, restarted on EINTR (the deadline is absolute), then
 * VDSWIPE_IOC_QUERY for where the op stands, ended or not: both inside one
 * session_enter(), so that a close racing the wait still lets it report.
 */
static int wait_op(struct vdsw_async *a, uint64_t deadline, struct vdswipe_status *st)
{
	struct vdswipe_wait w = { .op_id = a->op_id, .deadline = deadline };
	int ret, qret;

	ret = vdsw__session_enter_feat(a->sess, VDSWIPE_FEAT_WAIT, "waiting");
	if (ret)
		return ret;
	do
		ret = vdsw__ioctl(a->sess->fd, VDSWIPE_IOC_WAIT, &w);
	while (ret == -EINTR);
	if (!ret || ret == -ETIMEDOUT) {
		qret = query(a, st);
		if (qret)
			ret = qret;
	}
	vdsw__session_leave(a->sess);
	return ret;
}

HRESULT vdsw_async_wait_until(struct vdsw_async *a, uint64_t deadline_ns,
			      HRESULT *op_hr, struct vdsw_async_output *out)
{
	struct vdswipe_status st;
	int ret;

	vdsw__err_clear();
	if (op_hr)
		*op_hr = VDS_E_OPERATION_PENDING;
	if (out) {
		memset(out, 0, sizeof(*out));
		out->type = VDS_ASYNC_OUTPUT_CLEAN;
	}
	if (!a || !op_hr)
		return E_POINTER;
	ret = wait_op(a, deadline_ns, &st);
	if (ret && ret != -ETIMEDOUT)
		return vdsw__hr(VDSW_CALL_WAIT, ret);
	/* Ended, or timed out: either way report where the op stands. */
	*op_hr = vdsw__op_hr(st.state, st.result, st.bytes_done);
	if (out)
		output_of(&st, out);
	return vdsw__hr(VDSW_CALL_WAIT, ret);
}

HRESULT vdsw_async_wait_ms(struct vdsw_async *a, int timeout_ms, HRESULT *op_hr,
			   struct vdsw_async_output *out)
{
	struct timespec now;
	uint64_t deadline = VDSWIPE_WAIT_INFINITE;

	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		deadline = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec +
			   (uint64_t)timeout_ms * 1000000ULL;
	}
	return vdsw_async_wait_until(a, deadline, op_hr, out);
}

HRESULT vdsw_async_wait(struct vdsw_async *a, HRESULT *op_hr,
			struct vdsw_async_output *out)
{
	return vdsw_async_wait_until(a, VDSWIPE_WAIT_INFINITE, op_hr, out);
}

HRESULT vdsw_async_release(struct vdsw_async *a)
{
	struct vdswipe_op_ref ref = { 0 };
	int ret;

	vdsw__err_clear();
	if (!a)
		return E_POINTER;
	ref.op_id = a->op_id;
	ret = vdsw__session_enter(a->sess);
	if (ret == -EBADF) {	/* session closed: the kernel freed its ops */
		ret = 0;
	} else if (!ret) {
		/* Under the lock read_event() reads under: releasing drops the
		 * op's unread event, which must not vanish between its poll()
		 * and its read(). */
		pthread_mutex_lock(&a->sess->lock);
		ret = vdsw__ioctl(a->sess->fd, VDSWIPE_IOC_RELEASE, &ref);
		pthread_mutex_unlock(&a->sess->lock);
		vdsw__session_leave(a->sess);
	}
	vdsw__async_free(a);
	if (ret == -EBUSY)
		vdsw__err(ret, "op %llu has not ended: its handle is freed, the kernel keeps the op until the session closes",
			  (unsigned long long)ref.op_id);
	return vdsw__hr(VDSW_CALL_RELEASE, ret);
}
