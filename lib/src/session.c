// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * session.c - a session is one open of /dev/vdswipe.
 *
 * The session lives until vdsw_session_close() and the release of its last
 * async handle (refs). Calls that use the fd are counted (busy) so that
 * close can wait for them before it closes the fd: the fd number is never
 * used after close, even by a thread that raced it.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

/* Larger than any version of an options struct will be. */
#define VDSW_OPTS_SIZE_MAX	4096

int vdsw__copy_opts(void *dst, size_t dst_size, const void *src,
		    uint32_t src_size, size_t min_size)
{
	const unsigned char *bytes = src;
	size_t i;

	if (src_size < min_size || src_size > VDSW_OPTS_SIZE_MAX)
		return vdsw__err(-EINVAL, "options .size is %u, at least %zu expected",
				 src_size, min_size);
	for (i = dst_size; i < src_size; i++)
		if (bytes[i])
			return vdsw__err(-EINVAL, "options .size is %u and byte %zu is not zero: a newer option this library does not know",
					 src_size, i);
	memset(dst, 0, dst_size);
	memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
	return 0;
}

int vdsw__session_enter(struct vdsw_session *s)
{
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	if (s->closed)
		ret = vdsw__err(-EBADF, "the session is closed");
	else
		s->busy++;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void vdsw__session_leave(struct vdsw_session *s)
{
	pthread_mutex_lock(&s->lock);
	if (--s->busy == 0 && s->closed)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
}

void vdsw__session_get(struct vdsw_session *s)
{
	pthread_mutex_lock(&s->lock);
	s->refs++;
	pthread_mutex_unlock(&s->lock);
}

void vdsw__session_put(struct vdsw_session *s)
{
	bool last;

	pthread_mutex_lock(&s->lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&s->lock);
	if (!last)
		return;
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int vdsw__session_enter_feat(struct vdsw_session *s, uint64_t feat,
			     const char *what)
{
	if ((s->ver.features & feat) != feat)
		return vdsw__err(-EOPNOTSUPP, "the loaded vdswipe module does not support %s (features 0x%llx)",
				 what, (unsigned long long)s->ver.features);
	return vdsw__session_enter(s);
}

static int session_init(struct vdsw_session *s, const struct vdsw_session_opts *opts)
{
	int ret;

	s->fd = -1;
	s->wake_fd = -1;
	s->refs = 1;
	ret = -pthread_mutex_init(&s->lock, NULL);
	if (ret)
		return ret;
	ret = -pthread_cond_init(&s->idle, NULL);
	if (ret)
		goto err_mutex;

	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0) {
		ret = -errno;
		goto err_cond;
	}
	ret = vdsw__module_open(opts, &s->fd);
	if (ret)
		goto err_wake;
	ret = vdsw_ioc_version(s->fd, &s->ver);
	if (ret == -ENOTTY || ret == -EINVAL)
		ret = vdsw__err(-EPROTO, VDSW_DEV_PATH " does not answer VDSWIPE_IOC_VERSION: not the vdswipe device?");
	if (ret)
		goto err_fd;
	if (s->ver.abi_version != VDSWIPE_ABI_VERSION) {
		ret = vdsw__err(-EPROTO, "the vdswipe module has ABI version %u, this library knows %u",
				s->ver.abi_version, VDSWIPE_ABI_VERSION);
		goto err_fd;
	}
	return 0;

err_fd:
	close(s->fd);
err_wake:
	close(s->wake_fd);
err_cond:
	pthread_cond_destroy(&s->idle);
err_mutex:
	pthread_mutex_destroy(&s->lock);
	return ret;
}

HRESULT vdsw_session_open(const struct vdsw_session_opts *opts,
			  struct vdsw_session **sessp)
{
	struct vdsw_session_opts o = { 0 };
	struct vdsw_session *s;
	int ret;

	vdsw__err_clear();
	if (!sessp)
		return E_POINTER;
	*sessp = NULL;
	if (opts) {
		ret = vdsw__copy_opts(&o, sizeof(o), opts, opts->size,
				      VDSW_SESSION_OPTS_SIZE_V1);
		if (!ret && (o.flags & ~VDSW_SESSION_NO_LOAD))
			ret = vdsw__err(-EINVAL, "unknown session flags 0x%x",
					o.flags & ~VDSW_SESSION_NO_LOAD);
		if (!ret && o.reserved)
			ret = vdsw__err(-EINVAL, "session options .reserved is not zero");
		if (ret)
			return vdsw__hr(VDSW_CALL_OPEN, ret);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return vdsw__hr(VDSW_CALL_OPEN, -ENOMEM);
	ret = session_init(s, &o);
	if (ret) {
		free(s);
		return vdsw__hr(VDSW_CALL_OPEN, ret);
	}
	*sessp = s;
	return S_OK;
}

HRESULT vdsw_session_close(struct vdsw_session *s)
{
	uint64_t one = 1;
	int fd;

	vdsw__err_clear();
	if (!s)
		return E_POINTER;
	pthread_mutex_lock(&s->lock);
	if (s->closed) {
		pthread_mutex_unlock(&s->lock);
		return vdsw__hr(VDSW_CALL_CLOSE, vdsw__err(-EBADF, "the session is closed already"));
	}
	s->closed = true;
	if (s->busy) {
		/* Wake the other threads: pollers through wake_fd, waiters by
		 * cancelling what they wait for, as the kernel would on close. */
		(void)!write(s->wake_fd, &one, sizeof(one));	/* cannot fail: 1 < max */
		pthread_mutex_unlock(&s->lock);
		vdsw_ioc_cancel_all(s->fd, NULL);
		pthread_mutex_lock(&s->lock);
		while (s->busy)
			pthread_cond_wait(&s->idle, &s->lock);
	}
	fd = s->fd;
	s->fd = -1;
	pthread_mutex_unlock(&s->lock);
	close(fd);
	close(s->wake_fd);
	vdsw__session_put(s);
	return S_OK;
}

HRESULT vdsw_session_cancel_all(struct vdsw_session *s, uint32_t *cancelled)
{
	int ret;

	vdsw__err_clear();
	if (cancelled)
		*cancelled = 0;
	if (!s)
		return E_POINTER;
	ret = vdsw__session_enter_feat(s, VDSWIPE_FEAT_CANCEL_ALL, "cancel-all");
	if (ret)
		return vdsw__hr(VDSW_CALL_CANCEL_ALL, ret);
	ret = vdsw_ioc_cancel_all(s->fd, cancelled);
	vdsw__session_leave(s);
	return vdsw__hr(VDSW_CALL_CANCEL_ALL, ret);
}

int vdsw_session_fd(const struct vdsw_session *s)
{
	struct vdsw_session *m = (struct vdsw_session *)s;	/* the lock only */
	int fd;

	if (!s)
		return -1;
	pthread_mutex_lock(&m->lock);
	fd = s->fd;
	pthread_mutex_unlock(&m->lock);
	return fd;
}

HRESULT vdsw_session_version(struct vdsw_session *s, struct vdswipe_version *ver)
{
	struct vdswipe_version v = { 0 };
	int ret;

	vdsw__err_clear();
	if (!s || !ver)
		return E_POINTER;
	ret = vdsw__session_enter(s);
	if (ret)
		return vdsw__hr(VDSW_CALL_VERSION, ret);
	ret = vdsw_ioc_version(s->fd, &v);
	vdsw__session_leave(s);
	if (!ret)
		*ver = v;
	return vdsw__hr(VDSW_CALL_VERSION, ret);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The HRESULT of the op whose event ev is. A failed SANITIZE op's comes from
 * VDSWIPE_IOC_PROGRESS (a read error in verification is no partial clean):
 * asked under the lock, before any release can drop the op.
 */
static HRESULT event_hr(struct vdsw_session *s, const struct vdswipe_event *ev)
{
	struct vdswipe_progress p;

	if (ev->state == VDSWIPE_STATE_FAILED &&
	    (s->ver.features & VDSWIPE_FEAT_SANITIZE) &&
	    !vdsw_ioc_progress(s->fd, ev->op_id, &p))
		return vdsw__op_hr_progress(&p);
	return vdsw__op_hr(ev->state, ev->result, ev->bytes_done);
}

/* Read one record if one is queued, never blocking: 1 read, 0 none, -errno.
 * Under the lock, so that neither another reader nor a release (which drops
 * the op's unread event, see vdsw_async_release()) can take the event
 * between poll() and read(), which would then block. */
static int read_ready(struct vdsw_session *s, struct vdswipe_event *ev, HRESULT *hr)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	ssize_t n = 0;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
		n = read(s->fd, ev, sizeof(*ev));
		if (n == (ssize_t)sizeof(*ev)) {
			*hr = event_hr(s, ev);
			ret = 1;
		}
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			ret = -errno;
		else if (n >= 0)
			ret = vdsw__err(-EPROTO, "event record of %zd bytes, %zu expected",
					n, sizeof(*ev));
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

/* Wait up to timeout_ms for one record: 0, -ETIMEDOUT, -EBADF, -errno. */
static int read_one(struct vdsw_session *s, int timeout_ms, struct vdswipe_event *ev,
		    HRESULT *hr)
{
	/* In ns, and poll()'s timeout rounded up: never return early. */
	int64_t end = timeout_ms < 0 ? -1 : now_ns() + timeout_ms * 1000000LL;
	struct pollfd pfd[2] = {
		{ .fd = s->fd, .events = POLLIN },
		{ .fd = s->wake_fd, .events = POLLIN },
	};
	int64_t left;
	int ret;

	for (;;) {
		left = end < 0 ? -1 : (end - now_ns() + 999999) / 1000000;
		if (end >= 0 && left < 0)
			left = 0;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, (int)left) < 0 && errno != EINTR)
			return -errno;
		if (pfd[1].revents)
			return vdsw__err(-EBADF, "the session was closed while waiting for an event");
		if (pfd[0].revents & (POLLERR | POLLNVAL))
			return vdsw__err(-EIO, "poll() on the session reported revents 0x%x",
					 pfd[0].revents);
		if (pfd[0].revents & POLLIN) {
			ret = read_ready(s, ev, hr);
			if (ret)
				return ret < 0 ? ret : 0;
		}
		if (end >= 0 && now_ns() >= end)
			return -ETIMEDOUT;
	}
}

HRESULT vdsw_session_read_event(struct vdsw_session *s, int timeout_ms,
				struct vdswipe_event *ev, HRESULT *op_hr)
{
	struct vdswipe_event e = { 0 };
	HRESULT hr = VDS_E_OPERATION_PENDING;
	int ret;

	vdsw__err_clear();
	if (op_hr)
		*op_hr = VDS_E_OPERATION_PENDING;
	if (!s || !ev)
		return E_POINTER;
	ret = vdsw__session_enter_feat(s, VDSWIPE_FEAT_EVENTS, "completion events");
	if (ret)
		return vdsw__hr(VDSW_CALL_EVENT, ret);
	ret = read_one(s, timeout_ms, &e, &hr);
	vdsw__session_leave(s);
	if (ret)
		return vdsw__hr(VDSW_CALL_EVENT, ret);
	*ev = e;
	if (op_hr)
		*op_hr = hr;
	return S_OK;
}
