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

/* QUERY's answer out of PROGRESS's. */
static void status_of(const struct vdswipe_progress *p, struct vdswipe_status *st)
{
	memset(st, 0, sizeof(*st));
	st->op_id = p->op_id;
	st->state = p->state;
	st->result = p->result;
	st->percent = p->percent;
	st->method = p->method;
	st->bytes_done = p->bytes_done;
	st->bytes_total = p->bytes_total;
	st->error_offset = p->error_offset;
}

static int progress(struct vdsw_async *a, struct vdswipe_progress *p)
{
	return vdsw_ioc_progress(a->sess->fd, a->op_id, p);
}

/*
 * Where the op stands, and its HRESULT. A SANITIZE op's comes from
 * VDSWIPE_IOC_PROGRESS: a read error in its verification is not a partial
 * clean, and its bytes_done counts reads too.
 */
static int query(struct vdsw_async *a, struct vdswipe_status *st, HRESULT *hr)
{
	struct vdswipe_progress p;
	int ret;

	if (a->sanitize) {
		ret = progress(a, &p);
		if (!ret) {
			status_of(&p, st);
			*hr = vdsw__op_hr_progress(&p);
		}
		return ret;
	}
	ret = vdsw_ioc_query(a->sess->fd, a->op_id, st);
	if (!ret)
		*hr = vdsw__op_hr(st->state, st->result, st->bytes_done);
	return ret;
}

/* VDS percent: 0-99 while queued or running, 100 when done. */
static uint32_t vds_percent(uint32_t state, uint32_t percent)
{
	if (state == VDSWIPE_STATE_DONE)
		return 100;
	if (state == VDSWIPE_STATE_QUEUED || state == VDSWIPE_STATE_RUNNING)
		return percent > 99 ? 99 : percent;
	return percent > 100 ? 100 : percent;
}

static uint32_t percent_of(const struct vdswipe_status *st)
{
	return vds_percent(st->state, st->percent);
}

/*
 * The output's error: the positive errno of the op's result whenever the op
 * ended other than DONE (ECANCELED when cancelled), 0 for DONE and while it
 * has not ended (no result yet).
 */
static int32_t error_of_state(uint32_t state, int32_t result)
{
	switch (state) {
	case VDSWIPE_STATE_QUEUED:
	case VDSWIPE_STATE_RUNNING:
	case VDSWIPE_STATE_DONE:
		return 0;
	case VDSWIPE_STATE_CANCELLED:
		return ECANCELED;
	default:	/* FAILED carries -errno; never report 0 for it */
		return result < 0 ? -result : EIO;
	}
}

static int32_t error_of(const struct vdswipe_status *st)
{
	return error_of_state(st->state, st->result);
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
	int ret;

	vdsw__err_clear();
	if (!a)
		return E_POINTER;
	ret = vdsw__session_enter(a->sess);
	if (!ret) {
		ret = vdsw_ioc_cancel(a->sess->fd, a->op_id);
		vdsw__session_leave(a->sess);
	}
	return vdsw__hr(VDSW_CALL_CANCEL, ret);
}

HRESULT vdsw_async_query_status(struct vdsw_async *a, HRESULT *op_hr, uint32_t *percent)
{
	struct vdswipe_status st;
	HRESULT hr;
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
	ret = query(a, &st, &hr);
	vdsw__session_leave(a->sess);
	if (ret)
		return vdsw__hr(VDSW_CALL_QUERY, ret);
	*op_hr = hr;
	if (percent)
		*percent = percent_of(&st);
	return S_OK;
}

/*
 * VDSWIPE_IOC_WAIT, restarted on EINTR (the deadline is absolute), then
 * VDSWIPE_IOC_QUERY for where the op stands, ended or not: both inside one
 * session_enter(), so that a close racing the wait still lets it report.
 */
static int wait_op(struct vdsw_async *a, uint64_t deadline, struct vdswipe_status *st,
		   HRESULT *hr)
{
	int ret, qret;

	ret = vdsw__session_enter_feat(a->sess, VDSWIPE_FEAT_WAIT, "waiting");
	if (ret)
		return ret;
	do
		ret = vdsw_ioc_wait(a->sess->fd, a->op_id, deadline);
	while (ret == -EINTR);
	if (!ret || ret == -ETIMEDOUT) {
		qret = query(a, st, hr);
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
	HRESULT hr;
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
	ret = wait_op(a, deadline_ns, &st, &hr);
	if (ret && ret != -ETIMEDOUT)
		return vdsw__hr(VDSW_CALL_WAIT, ret);
	/* Ended, or timed out: either way report where the op stands. */
	*op_hr = hr;
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

/* VDSWIPE_IOC_QUERY as a one-pass progress, for a module without PROGRESS. */
static void progress_of(const struct vdswipe_status *st, struct vdswipe_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->op_id = st->op_id;
	p->state = st->state;
	p->result = st->result;
	p->percent = st->percent;
	p->method = st->method;
	p->nr_passes = 1;
	p->pass = st->state == VDSWIPE_STATE_QUEUED ? 0 : 1;
	p->phase = st->state == VDSWIPE_STATE_RUNNING ? VDSWIPE_PHASE_WRITE : VDSWIPE_PHASE_NONE;
	p->bytes_done = st->bytes_done;
	p->bytes_total = st->bytes_total;
	p->bytes_written = st->bytes_done;
	p->first_mismatch = ~0ULL;
	p->error_offset = st->error_offset;
}

static void async_progress_of(const struct vdswipe_progress *p, struct vdsw_async_progress *o)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->state = p->state;
	o->error = error_of_state(p->state, p->result);
	o->percent = vds_percent(p->state, p->percent);
	o->nr_passes = p->nr_passes;
	o->pass = p->pass;
	o->phase = p->phase;
	o->method = p->method;
	o->verify = p->verify;
	o->sample_pct = p->sample_pct;
	o->block_size = p->block_size;
	o->bytes_done = p->bytes_done;
	o->bytes_total = p->bytes_total;
	o->bytes_written = p->bytes_written;
	o->bytes_verified = p->bytes_verified;
	o->verify_total = p->verify_total;
	o->mismatch_blocks = p->mismatch_blocks;
	o->first_mismatch = p->first_mismatch;
	o->error_offset = p->error_offset;
}

/* Bytes of a caller's struct vdsw_async_progress the library fills. */
#define VDSW_PROGRESS_SIZE_MAX	4096

HRESULT vdsw_async_query_progress(struct vdsw_async *a, HRESULT *op_hr,
				  struct vdsw_async_progress *out)
{
	struct vdsw_async_progress o;
	struct vdswipe_progress p;
	struct vdswipe_status st;
	uint32_t size;
	int ret;

	vdsw__err_clear();
	if (op_hr)
		*op_hr = VDS_E_OPERATION_PENDING;
	if (!a || !op_hr || !out)
		return E_POINTER;
	size = out->size;
	if (size < VDSW_ASYNC_PROGRESS_SIZE_V1 || size > VDSW_PROGRESS_SIZE_MAX)
		return vdsw__hr(VDSW_CALL_PROGRESS,
				vdsw__err(-EINVAL, "progress .size is %u, at least %u expected",
					  size, VDSW_ASYNC_PROGRESS_SIZE_V1));
	memset(out, 0, size);
	out->size = size;
	ret = vdsw__session_enter(a->sess);
	if (ret)
		return vdsw__hr(VDSW_CALL_PROGRESS, ret);
	if (a->sess->ver.features & VDSWIPE_FEAT_SANITIZE) {
		ret = progress(a, &p);
	} else {
		/* Only CLEAN ops exist without the feature: one pass each. */
		ret = vdsw_ioc_query(a->sess->fd, a->op_id, &st);
		if (!ret)
			progress_of(&st, &p);
	}
	vdsw__session_leave(a->sess);
	if (ret)
		return vdsw__hr(VDSW_CALL_PROGRESS, ret);
	*op_hr = vdsw__op_hr_progress(&p);
	async_progress_of(&p, &o);
	if (size > sizeof(o))
		size = sizeof(o);
	memcpy(out, &o, size);
	out->size = size;
	return S_OK;
}

HRESULT vdsw_async_release(struct vdsw_async *a)
{
	uint64_t op_id;
	int ret;

	vdsw__err_clear();
	if (!a)
		return E_POINTER;
	op_id = a->op_id;
	ret = vdsw__session_enter(a->sess);
	if (ret == -EBADF) {	/* session closed: the kernel freed its ops */
		ret = 0;
	} else if (!ret) {
		/* Under the lock read_event() reads under: releasing drops the
		 * op's unread event, which must not vanish between its poll()
		 * and its read(). */
		pthread_mutex_lock(&a->sess->lock);
		ret = vdsw_ioc_release(a->sess->fd, op_id);
		pthread_mutex_unlock(&a->sess->lock);
		vdsw__session_leave(a->sess);
	}
	vdsw__async_free(a);
	if (ret == -EBUSY)
		vdsw__err(ret, "op %llu has not ended: its handle is freed, the kernel keeps the op until the session closes",
			  (unsigned long long)op_id);
	return vdsw__hr(VDSW_CALL_RELEASE, ret);
}
