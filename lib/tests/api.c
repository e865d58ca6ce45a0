// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The public API end to end against the fake kernel (fake-kernel.c):
 * sessions, Clean and its checks, IVdsAsync Cancel/Wait/QueryStatus/
 * Release, cancel-all, events, close, threads, and bad input; libvdswipe
 * 1.1's passes, verification, vdsw_verify() and vdsw_async_query_progress().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "images.h"
#include "test.h"

static char *img;	/* an empty image: nothing for the checks to find */
static int img_fd;

static struct vdsw_session *open_session(void)
{
	struct vdsw_session *s = NULL;

	CHECK_HR(vdsw_session_open(NULL, &s), S_OK);
	if (!s)
		exit(test_report("api"));
	return s;
}

static struct vdsw_async *clean_ok(struct vdsw_session *s, int full,
				   const struct vdsw_clean_opts *o)
{
	struct vdsw_async *a = NULL;

	CHECK_HR(vdsw_clean_fd(s, img_fd, 0, 0, full, o, &a), S_OK);
	CHECK(a != NULL);
	if (!a)
		exit(test_report("api"));
	return a;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void test_session(void)
{
	struct vdswipe_version v;
	struct vdsw_session *s = NULL;

	fake_reset();
	s = open_session();
	CHECK(vdsw_session_fd(s) >= 0);
	CHECK(vdsw_session_fd(NULL) == -1);
	CHECK_HR(vdsw_session_version(s, &v), S_OK);
	CHECK(v.abi_version == VDSWIPE_ABI_VERSION && v.max_ops == 16 && v.chunk_size == 1 << 20);
	CHECK(v.features & VDSWIPE_FEAT_EVENTS);
	CHECK_HR(vdsw_session_version(s, NULL), E_POINTER);
	CHECK_HR(vdsw_session_version(NULL, &v), E_POINTER);
	CHECK_HR(vdsw_session_close(s), S_OK);
	CHECK_HR(vdsw_session_close(NULL), E_POINTER);

	fake.abi = VDSWIPE_ABI_VERSION + 1;		/* another ABI */
	CHECK_HR(vdsw_session_open(NULL, &s), VDS_E_NOT_SUPPORTED);
	CHECK(s == NULL && strstr(vdsw_last_error(), "ABI") != NULL);
	fake_reset();
	fake.open_err = EACCES;			/* /dev/vdswipe is 0600 */
	CHECK_HR(vdsw_session_open(NULL, &s), VDS_E_ACCESS_DENIED);
	fake.open_err = EMFILE;
	CHECK_HR(vdsw_session_open(NULL, &s), HRESULT_FROM_WIN32(ERROR_TOO_MANY_OPEN_FILES));
	fake.open_err = EXDEV;				/* no row: never S_OK */
	CHECK_HR(vdsw_session_open(NULL, &s), HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
	CHECK(s == NULL);
	fake.open_err = 0;
}

/* Quick clean, progress, timeouts, done, too late to cancel, release. */
static void test_lifecycle(void)
{
	struct vdsw_session *s;
	struct vdsw_async *a;
	struct vdsw_async_output out;
	uint32_t pct = 77;
	HRESULT op;
	uint64_t id, t0;

	fake_reset();
	s = open_session();
	a = clean_ok(s, 0, NULL);
	id = vdsw_async_op_id(a);
	CHECK(id != 0 && fake_op(id) != NULL);
	CHECK(fake.last_clean.fd == img_fd);
	CHECK(fake.last_clean.flags == 0 && fake.last_clean.method == VDSWIPE_METHOD_ZERO);
	CHECK(fake.last_clean.reserved[0] == 0 && fake.last_clean.reserved[1] == 0);

	CHECK_HR(vdsw_async_query_status(a, &op, &pct), S_OK);
	CHECK_HR(op, VDS_E_OPERATION_PENDING);
	CHECK(pct == 0);
	fake_progress(id, VDSWIPE_QUICK_BYTES);	/* half */
	CHECK_HR(vdsw_async_query_status(a, &op, &pct), S_OK);
	CHECK(pct == 50);
	CHECK_HR(vdsw_async_query_status(a, &op, NULL), S_OK);
	fake_progress(id, 2 * VDSWIPE_QUICK_BYTES);	/* all written, still flushing */
	CHECK_HR(vdsw_async_query_status(a, &op, &pct), S_OK);
	CHECK_HR(op, VDS_E_OPERATION_PENDING);
	CHECK(pct == 99);				/* never 100 while running */

	t0 = now_ns();
	CHECK_HR(vdsw_async_wait_ms(a, 50, &op, &out), VDS_E_TIMEOUT);
	CHECK(now_ns() - t0 >= 50000000ULL);
	CHECK_HR(op, VDS_E_OPERATION_PENDING);
	CHECK(out.type == VDS_ASYNC_OUTPUT_CLEAN && out.state == VDSWIPE_STATE_RUNNING);
	CHECK(out.bytes_total == 2 * VDSWIPE_QUICK_BYTES && out.error_offset == ~0ULL);
	CHECK(out.error == 0);				/* not ended: no result yet */
	CHECK_HR(vdsw_async_wait_until(a, now_ns() - 1, &op, NULL), VDS_E_TIMEOUT);
	CHECK_HR(vdsw_async_wait_ms(a, 0, &op, NULL), VDS_E_TIMEOUT);

	fake_end(id, VDSWIPE_STATE_DONE, 0, 2 * VDSWIPE_QUICK_BYTES);
	fake.eintr_waits = 3;				/* restarted, not returned */
	CHECK_HR(vdsw_async_wait(a, &op, &out), S_OK);
	CHECK(fake.eintr_waits == 0);
	CHECK_HR(op, S_OK);
	CHECK(out.type == 11 && out.state == VDSWIPE_STATE_DONE && out.percent == 100);
	CHECK(out.error == 0 && out.bytes_done == out.bytes_total);
	CHECK(out.reserved[0] == 0 && out.reserved[2] == 0);
	CHECK_HR(vdsw_async_query_status(a, &op, &pct), S_OK);
	CHECK_HR(op, S_OK);
	CHECK(pct == 100);
	CHECK_HR(vdsw_async_cancel(a), VDS_E_CANCEL_TOO_LATE);
	CHECK_HR(vdsw_async_release(a), S_OK);
	CHECK(fake_op(id) == NULL);

	/* full clean: FULL, the whole image */
	a = clean_ok(s, 1, NULL);
	CHECK(fake.last_clean.flags == VDSWIPE_CLEAN_FULL);
	CHECK_HR(vdsw_async_wait_ms(a, 0, &op, &out), VDS_E_TIMEOUT);
	CHECK(out.bytes_total == IMG_SIZE);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, IMG_SIZE);
	CHECK_HR(vdsw_async_release(a), S_OK);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

struct waiter {
	struct vdsw_async *a;
	HRESULT hr, op;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->hr = vdsw_async_wait(w->a, &w->op, NULL);
	return NULL;
}

/* Cancel: releases a blocked Wait; second cancel; discard; flushing. */
static void test_cancel(void)
{
	struct waiter w = { 0 };
	struct vdsw_clean_opts o = { .size = sizeof(o), .method = VDSWIPE_METHOD_DISCARD };
	struct vdsw_session *s;
	struct vdsw_async *a;
	struct vdsw_async_output out;
	pthread_t th;
	HRESULT op;
	uint32_t pct;

	fake_reset();
	s = open_session();
	w.a = a = clean_ok(s, 1, NULL);
	fake_progress(vdsw_async_op_id(a), 4096);
	CHECK(pthread_create(&th, NULL, wait_thread, &w) == 0);
	usleep(50000);
	CHECK_HR(vdsw_async_cancel(a), S_OK);
	pthread_join(th, NULL);
	CHECK_HR(w.hr, S_OK);
	CHECK_HR(w.op, VDS_E_OPERATION_CANCELED);
	CHECK_HR(vdsw_async_cancel(a), VDS_E_OPERATION_CANCELED);
	CHECK_HR(vdsw_async_query_status(a, &op, &pct), S_OK);
	CHECK_HR(op, VDS_E_OPERATION_CANCELED);
	CHECK_HR(vdsw_async_wait(a, &op, &out), S_OK);
	CHECK(out.state == VDSWIPE_STATE_CANCELLED && out.error == ECANCELED);
	CHECK(out.bytes_done == 4096 && out.error_offset == ~0ULL);
	CHECK_HR(vdsw_async_release(a), S_OK);

	a = clean_ok(s, 1, NULL);			/* cancelled before it started */
	CHECK_HR(vdsw_async_cancel(a), S_OK);
	CHECK_HR(vdsw_async_wait_ms(a, 0, &op, &out), S_OK);
	CHECK_HR(op, VDS_E_OPERATION_CANCELED);
	CHECK(out.state == VDSWIPE_STATE_CANCELLED && out.error == ECANCELED);
	CHECK(out.bytes_done == 0);
	CHECK_HR(vdsw_async_release(a), S_OK);

	a = clean_ok(s, 0, &o);				/* one discard: no cancel */
	CHECK(fake.last_clean.method == VDSWIPE_METHOD_DISCARD);
	CHECK_HR(vdsw_async_cancel(a), VDS_E_NOT_SUPPORTED);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	CHECK_HR(vdsw_async_release(a), S_OK);

	a = clean_ok(s, 0, NULL);			/* flushing: too late */
	fake_op(vdsw_async_op_id(a))->flushing = true;
	CHECK_HR(vdsw_async_cancel(a), VDS_E_CANCEL_TOO_LATE);
	fake.admin = false;
	CHECK_HR(vdsw_async_cancel(a), VDS_E_ACCESS_DENIED);
	fake.admin = true;
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	CHECK_HR(vdsw_async_wait(a, &op, &out), S_OK);	/* DONE: error 0 */
	CHECK_HR(op, S_OK);
	CHECK(out.state == VDSWIPE_STATE_DONE && out.error == 0);
	CHECK_HR(vdsw_async_release(a), S_OK);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* Failed ops: the I/O error, or partially cleaned (a success code). */
static void test_failed_ops(void)
{
	struct vdsw_session *s = (fake_reset(), open_session());
	struct vdsw_async *a;
	struct vdsw_async_output out;
	HRESULT op;

	a = clean_ok(s, 1, NULL);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_FAILED, -EIO, 0);
	CHECK_HR(vdsw_async_wait(a, &op, &out), S_OK);
	CHECK_HR(op, HRESULT_FROM_WIN32(ERROR_IO_DEVICE));
	CHECK(out.state == VDSWIPE_STATE_FAILED && out.error == EIO && out.error_offset == 0);
	CHECK_HR(vdsw_async_release(a), S_OK);

	a = clean_ok(s, 1, NULL);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_FAILED, -ENODATA, 8192);
	CHECK_HR(vdsw_async_wait(a, &op, &out), S_OK);
	CHECK_HR(op, VDS_S_DISK_PARTIALLY_CLEANED);
	CHECK(SUCCEEDED(op) && out.error == ENODATA && out.error_offset == 8192);
	CHECK(out.bytes_done == 8192 && out.percent < 100);
	CHECK_HR(vdsw_async_release(a), S_OK);

	/* a FAILED op always has a nonzero error, even if the kernel broke
	 * its ABI and gave no errno */
	a = clean_ok(s, 1, NULL);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_FAILED, 0, 0);
	CHECK_HR(vdsw_async_wait(a, &op, &out), S_OK);
	CHECK(FAILED(op) && out.state == VDSWIPE_STATE_FAILED && out.error == EIO);
	CHECK_HR(vdsw_async_release(a), S_OK);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* Release of a running op frees the handle, the kernel keeps the op. */
static void test_release_running(void)
{
	struct vdsw_session *s = (fake_reset(), open_session());
	struct vdsw_async *a = clean_ok(s, 1, NULL);
	uint64_t id = vdsw_async_op_id(a);

	CHECK_HR(vdsw_async_release(a), S_FALSE);
	CHECK(strstr(vdsw_last_error(), "until the session closes") != NULL);
	CHECK(fake_op(id) != NULL && fake_op(id)->state == VDSWIPE_STATE_QUEUED);
	CHECK_HR(vdsw_async_release(NULL), E_POINTER);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* WPD cancel-all, the events, poll on the session fd, the op limit. */
static void test_cancel_all_events(void)
{
	struct vdsw_session *s;
	struct vdsw_async *a[4], *extra = NULL;
	struct vdswipe_event ev;
	struct pollfd pfd;
	uint32_t n = 99;
	HRESULT op;
	uint64_t t0;
	int i, seen = 0;

	fake_reset();
	fake.max_ops = 4;
	s = open_session();
	for (i = 0; i < 4; i++)
		a[i] = clean_ok(s, 1, NULL);
	CHECK_HR(vdsw_clean_fd(s, img_fd, 0, 0, 1, NULL, &extra), E_OUTOFMEMORY);
	CHECK(extra == NULL && strstr(vdsw_last_error(), "max_ops") != NULL);

	pfd = (struct pollfd){ .fd = vdsw_session_fd(s), .events = POLLIN };
	CHECK(poll(&pfd, 1, 0) == 0);
	t0 = now_ns();
	CHECK_HR(vdsw_session_read_event(s, 100, &ev, &op), VDS_E_TIMEOUT);
	CHECK(now_ns() - t0 >= 100000000ULL);
	CHECK_HR(op, VDS_E_OPERATION_PENDING);

	fake_end(vdsw_async_op_id(a[0]), VDSWIPE_STATE_DONE, 0, IMG_SIZE);
	CHECK(poll(&pfd, 1, 0) == 1);
	CHECK_HR(vdsw_session_cancel_all(s, &n), S_OK);
	CHECK(n == 3);
	CHECK_HR(vdsw_session_cancel_all(s, &n), S_OK);
	CHECK(n == 0);
	CHECK_HR(vdsw_session_cancel_all(s, NULL), S_OK);
	fake.admin = false;
	CHECK_HR(vdsw_session_cancel_all(s, &n), VDS_E_ACCESS_DENIED);
	fake.admin = true;

	for (i = 0; i < 4; i++) {
		CHECK_HR(vdsw_session_read_event(s, 1000, &ev, &op), S_OK);
		if (ev.op_id == vdsw_async_op_id(a[0])) {
			CHECK_HR(op, S_OK);
			CHECK(ev.state == VDSWIPE_STATE_DONE);
		} else {
			CHECK_HR(op, VDS_E_OPERATION_CANCELED);
			CHECK(ev.result == -ECANCELED);
		}
		seen |= 1 << (ev.op_id - vdsw_async_op_id(a[0]));
	}
	CHECK(seen == 0xF);
	CHECK_HR(vdsw_session_read_event(s, 0, &ev, NULL), VDS_E_TIMEOUT);
	CHECK_HR(vdsw_session_read_event(s, 0, NULL, NULL), E_POINTER);
	CHECK_HR(vdsw_session_read_event(NULL, 0, &ev, NULL), E_POINTER);
	CHECK_HR(vdsw_session_cancel_all(NULL, &n), E_POINTER);
	for (i = 0; i < 4; i++)
		CHECK_HR(vdsw_async_release(a[i]), S_OK);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* Clean's options reach the kernel as given; bad ones never do. */
static void test_clean_options(void)
{
	struct vdsw_session *s = (fake_reset(), open_session());
	struct vdsw_clean_opts o = { .size = sizeof(o) };
	struct vdsw_async *a = (void *)1;
	unsigned int cleans;
	struct {
		struct vdsw_clean_opts o;
		uint32_t newer;
	} big = { { .size = sizeof(big) }, 0 };
	int ro;

	o.method = VDSWIPE_METHOD_PATTERN;
	o.pattern = 0xAA;
	a = clean_ok(s, 0, &o);
	CHECK(fake.last_clean.method == VDSWIPE_METHOD_PATTERN && fake.last_clean.pattern == 0xAA);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);

	o = (struct vdsw_clean_opts){ .size = sizeof(o), .flags = VDSW_CLEAN_RANGE,
				      .offset = 4096, .length = 8192 };
	a = clean_ok(s, 1, &o);
	CHECK(fake.last_clean.flags == (VDSWIPE_CLEAN_RANGE | VDSWIPE_CLEAN_FULL));
	CHECK(fake.last_clean.offset == 4096 && fake.last_clean.length == 8192);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);

	o = (struct vdsw_clean_opts){ .size = sizeof(o), .flags = VDSW_CLEAN_SECURE,
				      .method = VDSWIPE_METHOD_DISCARD };
	a = clean_ok(s, 0, &o);
	CHECK(fake.last_clean.flags == VDSWIPE_CLEAN_SECURE);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);

	a = clean_ok(s, 0, &big.o);			/* larger, zero tail */
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);

	/* rejected before the kernel: E_INVALIDARG / E_POINTER, *asyncp NULL */
	cleans = fake.calls[1];
#define BAD(hr, ...) do {						\
		o = (struct vdsw_clean_opts){ .size = sizeof(o), __VA_ARGS__ }; \
		a = (void *)1;						\
		CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), hr); \
		CHECK(a == NULL);					\
	} while (0)
	o = (struct vdsw_clean_opts){ .size = 0 };
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), E_INVALIDARG);
	o.size = VDSW_CLEAN_OPTS_SIZE_V1 - 4;
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), E_INVALIDARG);
	CHECK(strstr(vdsw_last_error(), ".size") != NULL);
	CHECK(sizeof(o) == VDSW_CLEAN_OPTS_SIZE_V2);
	BAD(E_INVALIDARG, .flags = 1U << 5);
	BAD(E_INVALIDARG, .method = 4);
	BAD(E_INVALIDARG, .method = VDSWIPE_METHOD_PATTERN, .pattern = 0x100);
	BAD(E_INVALIDARG, .pattern = 1);
	BAD(E_INVALIDARG, .flags = VDSW_CLEAN_SECURE);
	BAD(E_INVALIDARG, .offset = 512);
	BAD(E_INVALIDARG, .length = 512);
	BAD(E_INVALIDARG, .flags = VDSW_CLEAN_RANGE);
	BAD(E_INVALIDARG, .flags = VDSW_CLEAN_RANGE, .offset = ~0ULL, .length = 2);
	big.newer = 1;
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &big.o, &a), E_INVALIDARG);
	CHECK_HR(vdsw_clean_fd(NULL, img_fd, 1, 1, 1, NULL, &a), E_POINTER);
	CHECK(a == NULL);
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, NULL, NULL), E_POINTER);
	CHECK_HR(vdsw_clean(s, NULL, 1, 1, 1, NULL, &a), E_POINTER);
	CHECK_HR(vdsw_clean_fd(s, -1, 1, 1, 1, NULL, &a), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	CHECK_HR(vdsw_clean_fd(s, 999, 1, 1, 1, NULL, &a), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	ro = open(img, O_RDONLY | O_CLOEXEC);
	CHECK_HR(vdsw_clean_fd(s, ro, 1, 1, 1, NULL, &a), VDS_E_ACCESS_DENIED);
	close(ro);
	/* vdsw_clean() opens block devices only */
	CHECK_HR(vdsw_clean(s, img, 1, 1, 1, NULL, &a), VDS_E_INCOMPATIBLE_MEDIA);
	CHECK_HR(vdsw_clean(s, "/nonexistent/disk", 1, 1, 1, NULL, &a), VDS_E_OBJECT_NOT_FOUND);
	CHECK_HR(vdsw_clean(s, "/dev/null", 1, 1, 1, NULL, &a), VDS_E_INCOMPATIBLE_MEDIA);
	CHECK(a == NULL);
	CHECK(fake.calls[1] == cleans);
	CHECK(fake_nr_ops() == 0);	/* the four were released */
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* A module without a feature: VDS_E_NOT_SUPPORTED before the kernel. */
static void test_features(void)
{
	struct vdsw_clean_opts o = { .size = sizeof(o), .method = VDSWIPE_METHOD_PATTERN };
	struct vdsw_session *s;
	struct vdsw_async *a = NULL;
	struct vdswipe_event ev;
	HRESULT op;

	fake_reset();
	fake.features = VDSWIPE_FEAT_CLEAN;
	s = open_session();
	CHECK_HR(vdsw_clean_fd(s, img_fd, 0, 0, 0, &o, &a), VDS_E_NOT_SUPPORTED);
	o.method = VDSWIPE_METHOD_DISCARD;
	CHECK_HR(vdsw_clean_fd(s, img_fd, 0, 0, 0, &o, &a), VDS_E_NOT_SUPPORTED);
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .flags = VDSW_CLEAN_RANGE, .length = 512 };
	CHECK_HR(vdsw_clean_fd(s, img_fd, 0, 0, 0, &o, &a), VDS_E_NOT_SUPPORTED);
	CHECK(fake.calls[1] == 0);
	a = clean_ok(s, 0, NULL);
	CHECK_HR(vdsw_async_wait(a, &op, NULL), VDS_E_NOT_SUPPORTED);
	CHECK_HR(vdsw_session_cancel_all(s, NULL), VDS_E_NOT_SUPPORTED);
	CHECK_HR(vdsw_session_read_event(s, 0, &ev, NULL), VDS_E_NOT_SUPPORTED);
	CHECK_HR(vdsw_async_cancel(a), S_OK);
	CHECK_HR(vdsw_async_release(a), S_OK);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* Every CLEAN errno of the kernel's contract, through vdsw_clean_fd(). */
static void test_clean_errnos(void)
{
	static const struct { int err; HRESULT hr; } rows[] = {
		{ EPERM, VDS_E_ACCESS_DENIED }, { EACCES, VDS_E_ACCESS_DENIED },
		{ EBADF, HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE) },
		{ ENOTBLK, VDS_E_INCOMPATIBLE_MEDIA }, { EMEDIUMTYPE, VDS_E_INCOMPATIBLE_MEDIA },
		{ ENOMEDIUM, VDS_E_NO_MEDIA }, { EROFS, VDS_E_MEDIA_WRITE_PROTECTED },
		{ EOPNOTSUPP, VDS_E_NOT_SUPPORTED }, { EEXIST, VDS_E_DEVICE_IN_USE },
		{ EBUSY, VDS_E_INCOMPATIBLE_FILE_SYSTEM }, { ENOTEMPTY, VDS_E_OPERATION_DENIED },
		{ EAGAIN, E_OUTOFMEMORY }, { ENOMEM, E_OUTOFMEMORY }, { EINVAL, E_INVALIDARG },
		{ EFAULT, E_POINTER }, { EXDEV, HRESULT_FROM_WIN32(ERROR_GEN_FAILURE) },
	};
	struct vdsw_session *s = (fake_reset(), open_session());
	struct vdsw_async *a;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fake.clean_err = rows[i].err;
		a = (void *)1;
		CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, NULL, &a), rows[i].hr);
		CHECK(a == NULL && vdsw_last_error()[0]);
	}
	fake.clean_err = 0;
	fake.admin = false;
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, NULL, &a), VDS_E_ACCESS_DENIED);
	CHECK(fake_nr_ops() == 0);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* The safety checks run before the kernel sees anything; FORCE follows bForce. */
static void test_clean_checks(void)
{
	struct vdsw_session *s = (fake_reset(), open_session());
	struct mbr_part data = { 0x83, 2048, 2048 }, oem = { 0xDE, 2048, 2048 };
	char *p = img_path("checked.img");
	struct vdsw_async *a = NULL;
	uint32_t crc;
	int fd;

	CHECK(img_mbr(p, &data, 1) == 0);
	fd = open(p, O_RDWR | O_CLOEXEC);
	crc = img_crc(p);
	CHECK_HR(vdsw_clean_fd(s, fd, 0, 0, 1, NULL, &a), VDS_E_OPERATION_DENIED);
	CHECK(strstr(vdsw_last_error(), "force") != NULL);
	CHECK(fake.calls[1] == 0 && a == NULL);
	CHECK_HR(vdsw_clean_fd(s, fd, 1, 0, 1, NULL, &a), S_OK);
	CHECK(fake.last_clean.flags == (VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_FULL));
	CHECK(img_crc(p) == crc);			/* the library wrote nothing */
	CHECK_HR(vdsw_async_cancel(a), S_OK);
	CHECK_HR(vdsw_async_release(a), S_OK);
	close(fd);

	CHECK(img_mbr(p, &oem, 1) == 0);
	fd = open(p, O_WRONLY | O_CLOEXEC);		/* write-only: reopened to probe */
	CHECK_HR(vdsw_clean_fd(s, fd, 1, 0, 0, NULL, &a), VDS_E_OPERATION_DENIED);
	CHECK(strstr(vdsw_last_error(), "force_oem") != NULL);
	CHECK_HR(vdsw_clean_fd(s, fd, 0, 1, 0, NULL, &a), VDS_E_OPERATION_DENIED);
	CHECK(fake.calls[1] == 1);
	CHECK_HR(vdsw_clean_fd(s, fd, 1, 1, 0, NULL, &a), S_OK);
	CHECK(fake.last_clean.flags == VDSWIPE_CLEAN_FORCE);
	CHECK_HR(vdsw_async_cancel(a), S_OK);
	CHECK_HR(vdsw_async_release(a), S_OK);
	close(fd);

	CHECK(img_ext2_magic(p) == 0);
	fd = open(p, O_RDWR | O_CLOEXEC);
	CHECK_HR(vdsw_clean_fd(s, fd, 0, 1, 0, NULL, &a), VDS_E_OPERATION_DENIED);
	CHECK(strstr(vdsw_last_error(), "ext2") != NULL);
	close(fd);
	free(p);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

struct closer {
	struct vdsw_session *s;
	struct vdsw_async *a;
	HRESULT wait_hr, wait_op, ev_hr;
};

static void *wait_then(void *arg)
{
	struct closer *c = arg;

	c->wait_hr = vdsw_async_wait(c->a, &c->wait_op, NULL);
	return NULL;
}

static void *read_then(void *arg)
{
	struct closer *c = arg;
	struct vdswipe_event ev;

	c->ev_hr = vdsw_session_read_event(c->s, -1, &ev, NULL);
	return NULL;
}

/* Close with handles outstanding and threads blocked in the session. */
static void test_close(void)
{
	struct closer c = { 0 };
	struct vdsw_session *s = (fake_reset(), open_session());
	struct vdsw_async *done;
	pthread_t t1, t2;
	HRESULT op;
	uint32_t pct;

	done = clean_ok(s, 0, NULL);
	fake_end(vdsw_async_op_id(done), VDSWIPE_STATE_DONE, 0, 0);
	{	/* take the event so that the reader blocks */
		struct vdswipe_event ev;

		CHECK_HR(vdsw_session_read_event(s, 1000, &ev, NULL), S_OK);
	}
	c.s = s;
	c.a = clean_ok(s, 1, NULL);
	CHECK(pthread_create(&t1, NULL, wait_then, &c) == 0);
	CHECK(pthread_create(&t2, NULL, read_then, &c) == 0);
	usleep(100000);
	CHECK_HR(vdsw_session_close(s), S_OK);	/* cancels, wakes, waits for both */
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK_HR(c.wait_hr, S_OK);
	CHECK_HR(c.wait_op, VDS_E_OPERATION_CANCELED);
	CHECK_HR(c.ev_hr, HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));

	/* the handles outlive the session: every call says so, release works */
	CHECK_HR(vdsw_async_query_status(c.a, &op, &pct), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	CHECK_HR(vdsw_async_wait(c.a, &op, NULL), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	CHECK_HR(vdsw_async_cancel(c.a), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	CHECK_HR(vdsw_session_cancel_all(s, NULL), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	{
		struct vdsw_async *late = (void *)1;

		CHECK_HR(vdsw_clean_fd(s, img_fd, 0, 0, 0, NULL, &late),
			 HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
		CHECK(late == NULL);
	}
	CHECK_HR(vdsw_session_close(s), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	CHECK_HR(vdsw_async_release(c.a), S_OK);
	CHECK_HR(vdsw_async_release(done), S_OK);	/* the last one frees the session */
}

struct reader {
	struct vdsw_session *s;
	int got;
	uint64_t ids[64];
};

static void *reader(void *arg)
{
	struct reader *r = arg;
	struct vdswipe_event ev;

	while (vdsw_session_read_event(r->s, 300, &ev, NULL) == S_OK)
		r->ids[r->got++] = ev.op_id;
	return NULL;
}

struct worker {
	struct vdsw_async *a;
	int bad;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	HRESULT op;
	uint32_t pct;
	int i;

	for (i = 0; i < 200; i++) {
		if (vdsw_async_query_status(w->a, &op, &pct) != S_OK)
			w->bad++;
		if (vdsw_async_wait_ms(w->a, 0, &op, NULL) != VDS_E_TIMEOUT)
			w->bad++;
	}
	return NULL;
}

/* Threads on one session: calls do not interfere; each event read once. */
static void test_threads(void)
{
	enum { N = 8 };
	struct vdsw_session *s = (fake_reset(), open_session());
	struct reader r[2] = { { .s = s }, { .s = s } };
	struct worker w[N];
	pthread_t tr[2], tw[N];
	uint64_t seen = 0;
	int i, j;

	for (i = 0; i < N; i++) {
		w[i] = (struct worker){ .a = clean_ok(s, 1, NULL) };
		CHECK(pthread_create(&tw[i], NULL, worker, &w[i]) == 0);
	}
	for (i = 0; i < 2; i++)
		CHECK(pthread_create(&tr[i], NULL, reader, &r[i]) == 0);
	for (i = 0; i < N; i++)
		pthread_join(tw[i], NULL);
	for (i = 0; i < N; i++) {
		CHECK(w[i].bad == 0);
		fake_end(vdsw_async_op_id(w[i].a), VDSWIPE_STATE_DONE, 0, IMG_SIZE);
	}
	for (i = 0; i < 2; i++)
		pthread_join(tr[i], NULL);
	CHECK(r[0].got + r[1].got == N);
	for (i = 0; i < 2; i++)
		for (j = 0; j < r[i].got; j++) {
			uint64_t bit = 1ULL << (r[i].ids[j] - vdsw_async_op_id(w[0].a));

			CHECK(!(seen & bit));
			seen |= bit;
		}
	for (i = 0; i < N; i++)
		CHECK_HR(vdsw_async_release(w[i].a), S_OK);
	CHECK_HR(vdsw_session_close(s), S_OK);
}


#define SANITIZES	fake.calls[_IOC_NR(VDSWIPE_IOC_SANITIZE)]
#define PROGRESSES	fake.calls[_IOC_NR(VDSWIPE_IOC_PROGRESS)]
#define CLEANS		fake.calls[_IOC_NR(VDSWIPE_IOC_CLEAN)]

/* V1-sized and plain V2 options keep VDSWIPE_IOC_CLEAN; passes or
 * verification take VDSWIPE_IOC_SANITIZE, with exactly what was asked. */
static void test_sanitize_submit(void)
{
	struct vdsw_session *s = (fake_reset(), open_session());
	struct vdsw_clean_opts o = { .size = VDSW_CLEAN_OPTS_SIZE_V1,
				     .method = VDSWIPE_METHOD_PATTERN, .pattern = 0x5A };
	const struct vdswipe_sanitize *z = &fake.last_sanitize;
	struct vdsw_async *a;
	unsigned int i;

	/* a 1.0 caller: its struct ends at length, CLEAN as before */
	a = clean_ok(s, 1, &o);
	CHECK(CLEANS == 1 && SANITIZES == 0);
	CHECK(fake.last_clean.method == VDSWIPE_METHOD_PATTERN && fake.last_clean.pattern == 0x5A);
	CHECK(fake.last_clean.flags == VDSWIPE_CLEAN_FULL);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);
	/* a 1.1 caller without passes or verification: CLEAN too, RANDOM included */
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .method = VDSWIPE_METHOD_RANDOM };
	a = clean_ok(s, 0, &o);
	CHECK(CLEANS == 2 && SANITIZES == 0);
	CHECK(fake.last_clean.method == VDSWIPE_METHOD_RANDOM && fake.last_clean.pattern == 0);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);

	/* random, then zero, verify the last, sample 0 = 100 */
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .nr_passes = 2,
				      .verify = VDSWIPE_VERIFY_LAST,
				      .passes = { { VDSWIPE_METHOD_RANDOM, 0 },
						  { VDSWIPE_METHOD_ZERO, 0 } } };
	a = clean_ok(s, 1, &o);
	CHECK(CLEANS == 2 && SANITIZES == 1);
	CHECK(z->fd == img_fd && z->flags == VDSWIPE_CLEAN_FULL);
	CHECK(z->nr_passes == 2 && z->verify == VDSWIPE_VERIFY_LAST && z->sample_pct == 100);
	CHECK(z->passes[0].method == VDSWIPE_METHOD_RANDOM && z->passes[1].method == VDSWIPE_METHOD_ZERO);
	for (i = 2; i < VDSWIPE_MAX_PASSES; i++)
		CHECK(z->passes[i].method == 0 && z->passes[i].pattern == 0);
	CHECK(z->reserved0 == 0 && z->reserved[0] == 0 && z->offset == 0 && z->length == 0);
	CHECK(fake_op(vdsw_async_op_id(a))->sanitize);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);

	/* one pass of method/pattern with verification: SANITIZE of one pass */
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .flags = VDSW_CLEAN_RANGE,
				      .offset = 4096, .length = 8192,
				      .method = VDSWIPE_METHOD_PATTERN, .pattern = 0xAA,
				      .verify = VDSWIPE_VERIFY_ALL, .sample_pct = 10 };
	a = NULL;
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 0, 0, &o, &a), S_OK);
	CHECK(SANITIZES == 2);
	CHECK(z->flags == (VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE));
	CHECK(z->offset == 4096 && z->length == 8192);
	CHECK(z->nr_passes == 1 && z->passes[0].method == VDSWIPE_METHOD_PATTERN &&
	      z->passes[0].pattern == 0xAA && z->passes[1].method == 0);
	CHECK(z->verify == VDSWIPE_VERIFY_ALL && z->sample_pct == 10);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);

	/* passes without verification */
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .nr_passes = 3,
				      .passes = { { VDSWIPE_METHOD_PATTERN, 0xFF },
						  { VDSWIPE_METHOD_PATTERN, 0x00 },
						  { VDSWIPE_METHOD_RANDOM, 0 } } };
	a = clean_ok(s, 0, &o);
	CHECK(SANITIZES == 3 && z->verify == VDSWIPE_VERIFY_OFF && z->sample_pct == 0);
	CHECK(z->nr_passes == 3 && z->passes[0].pattern == 0xFF && z->passes[2].method == 3);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_DONE, 0, 0);
	vdsw_async_release(a);

	/* every invalid 1.1 field: E_INVALIDARG, nothing submitted */
#define BAD2(...) do {							\
		o = (struct vdsw_clean_opts){ .size = sizeof(o), __VA_ARGS__ }; \
		a = (void *)1;						\
		CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), E_INVALIDARG); \
		CHECK(a == NULL && vdsw_last_error()[0]);		\
	} while (0)
#define P(m, p)	{ VDSWIPE_METHOD_##m, p }
	BAD2(.nr_passes = VDSWIPE_MAX_PASSES + 1);
	BAD2(.nr_passes = ~0U);
	BAD2(.nr_passes = 1, .method = VDSWIPE_METHOD_PATTERN, .passes = { P(ZERO, 0) });
	BAD2(.nr_passes = 1, .pattern = 1, .passes = { P(ZERO, 0) });
	BAD2(.nr_passes = 1, .passes = { P(DISCARD, 0) });
	BAD2(.nr_passes = 1, .passes = { { 4, 0 } });
	BAD2(.nr_passes = 1, .passes = { P(ZERO, 1) });
	BAD2(.nr_passes = 1, .passes = { P(RANDOM, 1) });
	BAD2(.nr_passes = 1, .passes = { P(PATTERN, 0x100) });
	BAD2(.nr_passes = 1, .passes = { P(ZERO, 0), P(RANDOM, 0) });	/* past nr_passes */
	BAD2(.passes = { P(PATTERN, 0) });				/* nr_passes 0 */
	BAD2(.passes = { [VDSWIPE_MAX_PASSES - 1] = { 0, 7 } });
	BAD2(.verify = 3);
	BAD2(.verify = ~0U);
	BAD2(.sample_pct = 50);						/* without verify */
	BAD2(.verify = VDSWIPE_VERIFY_LAST, .sample_pct = 101);
	BAD2(.reserved0 = 1);
	BAD2(.verify = VDSWIPE_VERIFY_LAST, .method = VDSWIPE_METHOD_DISCARD);
	BAD2(.nr_passes = 1, .passes = { P(ZERO, 0) }, .method = VDSWIPE_METHOD_DISCARD,
	     .flags = VDSW_CLEAN_SECURE);
	BAD2(.verify = VDSWIPE_VERIFY_LAST, .flags = VDSW_CLEAN_SECURE);
	BAD2(.verify = VDSWIPE_VERIFY_LAST, .flags = VDSW_CLEAN_RANGE);	/* length 0 */
	BAD2(.method = VDSWIPE_METHOD_RANDOM, .pattern = 0x11);
#undef BAD2
#undef P
	CHECK(CLEANS == 2 && SANITIZES == 3);
	CHECK(fake_nr_ops() == 0);
	CHECK_HR(vdsw_session_close(s), S_OK);

	/* features: SANITIZE for passes or verification, RANDOM for random */
	fake_reset();
	fake.features &= ~VDSWIPE_FEAT_RANDOM;
	s = open_session();
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .method = VDSWIPE_METHOD_RANDOM };
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), VDS_E_NOT_SUPPORTED);
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .nr_passes = 2,
				      .passes = { { VDSWIPE_METHOD_ZERO, 0 }, { VDSWIPE_METHOD_RANDOM, 0 } } };
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), VDS_E_NOT_SUPPORTED);
	CHECK(strstr(vdsw_last_error(), "does not support") != NULL);
	CHECK_HR(vdsw_session_close(s), S_OK);
	fake_reset();
	fake.features &= ~VDSWIPE_FEAT_SANITIZE;
	s = open_session();
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .verify = VDSWIPE_VERIFY_LAST };
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), VDS_E_NOT_SUPPORTED);
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .nr_passes = 1 };
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), VDS_E_NOT_SUPPORTED);
	CHECK(CLEANS == 0 && SANITIZES == 0);
	/* ... while the 1.0 clean still works */
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .method = VDSWIPE_METHOD_RANDOM };
	a = clean_ok(s, 0, &o);
	CHECK(CLEANS == 1);
	vdsw_async_cancel(a);
	vdsw_async_release(a);
	CHECK_HR(vdsw_session_close(s), S_OK);

	/* the kernel's own refusal comes back as CLEAN's row */
	fake_reset();
	s = open_session();
	fake.clean_err = EEXIST;
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .verify = VDSWIPE_VERIFY_LAST };
	CHECK_HR(vdsw_clean_fd(s, img_fd, 1, 1, 1, &o, &a), VDS_E_DEVICE_IN_USE);
	fake.clean_err = 0;
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* The op's HRESULT and its progress: pass, phase, verification, mismatch. */
static void test_sanitize_progress(void)
{
	struct vdsw_session *s = (fake_reset(), open_session());
	struct vdsw_clean_opts o = { .size = sizeof(o), .nr_passes = 2,
				     .verify = VDSWIPE_VERIFY_LAST,
				     .passes = { { VDSWIPE_METHOD_RANDOM, 0 },
						 { VDSWIPE_METHOD_ZERO, 0 } } };
	struct {
		struct vdsw_async_progress p;
		unsigned char newer[16];
	} big;
	struct vdsw_async_progress p = { .size = sizeof(p) };
	struct vdsw_async_output out;
	struct vdswipe_event ev;
	struct vdsw_async *a;
	struct fake_op *op;
	uint64_t id, region = 2 * VDSWIPE_QUICK_BYTES;
	uint32_t pct;
	HRESULT hr;
	size_t i;

	CHECK(sizeof(p) == VDSW_ASYNC_PROGRESS_SIZE_V1);
	a = clean_ok(s, 0, &o);
	id = vdsw_async_op_id(a);
	op = fake_op(id);
	CHECK(op->bytes_total == 3 * region && op->verify_total == region);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK_HR(hr, VDS_E_OPERATION_PENDING);
	CHECK(p.size == sizeof(p) && p.state == VDSWIPE_STATE_QUEUED && p.pass == 0);
	CHECK(p.nr_passes == 2 && p.verify == VDSWIPE_VERIFY_LAST && p.sample_pct == 100);
	CHECK(p.first_mismatch == ~0ULL && p.error_offset == ~0ULL && p.error == 0);

	/* pass 2 writing, then verifying */
	pthread_mutex_lock(&fake.lock);
	op->state = VDSWIPE_STATE_RUNNING;
	op->pass = 2;
	op->phase = VDSWIPE_PHASE_WRITE;
	op->method = VDSWIPE_METHOD_ZERO;
	op->bytes_written = op->bytes_done = region + region / 2;
	pthread_mutex_unlock(&fake.lock);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK(p.state == VDSWIPE_STATE_RUNNING && p.pass == 2 && p.phase == VDSWIPE_PHASE_WRITE);
	CHECK(p.percent == 50 && p.bytes_written == region + region / 2 && p.block_size == 512);
	CHECK(p.bytes_total == 3 * region && p.verify_total == region && p.method == 0);
	pthread_mutex_lock(&fake.lock);
	op->phase = VDSWIPE_PHASE_VERIFY;
	op->bytes_written = 2 * region;
	op->bytes_verified = region;
	op->bytes_done = 3 * region;		/* all read, comparing the last */
	pthread_mutex_unlock(&fake.lock);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK(p.phase == VDSWIPE_PHASE_VERIFY && p.percent == 99);	/* not 100 while running */
	CHECK(p.bytes_verified == region);
	CHECK_HR(vdsw_async_query_status(a, &hr, &pct), S_OK);
	CHECK_HR(hr, VDS_E_OPERATION_PENDING);
	CHECK(pct == 99);

	/* a mismatch: VDSW_E_VERIFY_MISMATCH everywhere, never "partial" */
	pthread_mutex_lock(&fake.lock);
	op->mismatch_blocks = 3;
	op->first_mismatch = 4096;
	pthread_mutex_unlock(&fake.lock);
	fake_end(id, VDSWIPE_STATE_FAILED, -EBADMSG, 3 * region);
	pthread_mutex_lock(&fake.lock);
	op->error_offset = ~0ULL;		/* no I/O error */
	pthread_mutex_unlock(&fake.lock);
	CHECK_HR(vdsw_async_wait(a, &hr, &out), S_OK);
	CHECK_HR(hr, VDSW_E_VERIFY_MISMATCH);
	CHECK(out.state == VDSWIPE_STATE_FAILED && out.error == EBADMSG);
	CHECK_HR(vdsw_async_query_status(a, &hr, &pct), S_OK);
	CHECK_HR(hr, VDSW_E_VERIFY_MISMATCH);
	CHECK_HR(vdsw_session_read_event(s, 0, &ev, &hr), S_OK);
	CHECK(ev.op_id == id);
	CHECK_HR(hr, VDSW_E_VERIFY_MISMATCH);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK_HR(hr, VDSW_E_VERIFY_MISMATCH);
	CHECK(p.state == VDSWIPE_STATE_FAILED && p.error == EBADMSG && p.phase == VDSWIPE_PHASE_NONE);
	CHECK(p.mismatch_blocks == 3 && p.first_mismatch == 4096 && p.error_offset == ~0ULL);
	CHECK(strcmp(vdsw_hresult_name(hr), "VDSW_E_VERIFY_MISMATCH") == 0);

	/* a larger struct: our bytes filled, the rest zero, size says how many */
	memset(&big, 0xEE, sizeof(big));
	big.p.size = sizeof(big);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &big.p), S_OK);
	CHECK(big.p.size == sizeof(big.p) && big.p.mismatch_blocks == 3);
	for (i = 0; i < sizeof(big.newer); i++)
		CHECK(big.newer[i] == 0);
	CHECK(big.p.reserved0 == 0 && big.p.reserved[3] == 0);
	/* bad sizes and pointers, before the kernel */
	i = PROGRESSES;
	p.size = VDSW_ASYNC_PROGRESS_SIZE_V1 - 8;
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), E_INVALIDARG);
	CHECK(strstr(vdsw_last_error(), ".size") != NULL);
	p.size = 0;
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), E_INVALIDARG);
	p.size = sizeof(p);
	CHECK_HR(vdsw_async_query_progress(a, &hr, NULL), E_POINTER);
	CHECK_HR(vdsw_async_query_progress(a, NULL, &p), E_POINTER);
	CHECK_HR(vdsw_async_query_progress(NULL, &hr, &p), E_POINTER);
	CHECK_HR(hr, VDS_E_OPERATION_PENDING);
	CHECK(PROGRESSES == i);
	CHECK_HR(vdsw_async_release(a), S_OK);

	/* a read error after every byte was written: the verification failed,
	 * which is a failure (not VDS_S_DISK_PARTIALLY_CLEANED) */
	a = clean_ok(s, 0, &o);
	id = vdsw_async_op_id(a);
	op = fake_op(id);
	pthread_mutex_lock(&fake.lock);
	op->bytes_written = 2 * region;
	op->bytes_verified = 8192;
	pthread_mutex_unlock(&fake.lock);
	fake_end(id, VDSWIPE_STATE_FAILED, -EIO, 2 * region + 8192);
	CHECK_HR(vdsw_async_wait(a, &hr, &out), S_OK);
	CHECK_HR(hr, HRESULT_FROM_WIN32(ERROR_IO_DEVICE));
	CHECK(out.error == EIO && out.error_offset == 2 * region + 8192);
	CHECK_HR(vdsw_session_read_event(s, 0, &ev, &hr), S_OK);
	CHECK_HR(hr, HRESULT_FROM_WIN32(ERROR_IO_DEVICE));
	CHECK_HR(vdsw_async_release(a), S_OK);
	/* a write error in pass 2: partially cleaned, as a clean */
	a = clean_ok(s, 0, &o);
	id = vdsw_async_op_id(a);
	pthread_mutex_lock(&fake.lock);
	fake_op(id)->bytes_written = region + 4096;
	pthread_mutex_unlock(&fake.lock);
	fake_end(id, VDSWIPE_STATE_FAILED, -EIO, region + 4096);
	CHECK_HR(vdsw_async_wait(a, &hr, NULL), S_OK);
	CHECK_HR(hr, VDS_S_DISK_PARTIALLY_CLEANED);
	CHECK_HR(vdsw_session_read_event(s, 0, &ev, &hr), S_OK);
	CHECK_HR(hr, VDS_S_DISK_PARTIALLY_CLEANED);
	CHECK_HR(vdsw_async_release(a), S_OK);
	/* cancelled in verification */
	a = clean_ok(s, 0, &o);
	CHECK_HR(vdsw_async_cancel(a), S_OK);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK_HR(hr, VDS_E_OPERATION_CANCELED);
	CHECK(p.state == VDSWIPE_STATE_CANCELLED && p.error == ECANCELED);
	CHECK_HR(vdsw_async_release(a), S_OK);

	/* a CLEAN op has a progress too: one pass, no verification */
	a = clean_ok(s, 0, NULL);
	id = vdsw_async_op_id(a);
	fake_progress(id, VDSWIPE_QUICK_BYTES);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK(p.nr_passes == 1 && p.pass == 1 && p.phase == VDSWIPE_PHASE_WRITE && p.percent == 50);
	CHECK(p.verify == VDSWIPE_VERIFY_OFF && p.bytes_written == VDSWIPE_QUICK_BYTES);
	fake_end(id, VDSWIPE_STATE_FAILED, -EIO, 4096);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK_HR(hr, VDS_S_DISK_PARTIALLY_CLEANED);	/* as 1.0 says */
	CHECK_HR(vdsw_async_release(a), S_OK);
	CHECK_HR(vdsw_session_close(s), S_OK);

	/* a module without PROGRESS: QUERY, as one pass */
	fake_reset();
	fake.features &= ~VDSWIPE_FEAT_SANITIZE;
	s = open_session();
	a = clean_ok(s, 0, NULL);
	id = vdsw_async_op_id(a);
	fake_progress(id, VDSWIPE_QUICK_BYTES);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK_HR(hr, VDS_E_OPERATION_PENDING);
	CHECK(p.state == VDSWIPE_STATE_RUNNING && p.percent == 50 && p.nr_passes == 1);
	CHECK(p.pass == 1 && p.phase == VDSWIPE_PHASE_WRITE && p.bytes_written == VDSWIPE_QUICK_BYTES);
	CHECK(p.first_mismatch == ~0ULL && p.verify_total == 0);
	fake_end(id, VDSWIPE_STATE_DONE, 0, 2 * VDSWIPE_QUICK_BYTES);
	CHECK_HR(vdsw_async_query_progress(a, &hr, &p), S_OK);
	CHECK_HR(hr, S_OK);
	CHECK(p.percent == 100 && p.pass == 1 && p.phase == VDSWIPE_PHASE_NONE);
	CHECK(PROGRESSES == 0);
	CHECK_HR(vdsw_async_release(a), S_OK);
	CHECK_HR(vdsw_session_close(s), S_OK);
}

/* vdsw_verify(), vdsw_verify_fd(): a VERIFY_ONLY op on a read-only fd. */
static void test_verify(void)
{
	struct vdsw_session *s = (fake_reset(), open_session());
	const struct vdswipe_sanitize *z = &fake.last_sanitize;
	struct vdsw_verify_opts o = { .size = sizeof(o) };
	struct vdsw_async *a = NULL;
	struct {
		struct vdsw_verify_opts o;
		uint32_t newer;
	} big = { { .size = sizeof(big) }, 0 };
	HRESULT hr;
	int ro, wo;

	CHECK(sizeof(o) == VDSW_VERIFY_OPTS_SIZE_V1);
	ro = open(img, O_RDONLY | O_CLOEXEC);
	wo = open(img, O_WRONLY | O_CLOEXEC);
	CHECK_HR(vdsw_verify_fd(s, ro, 0, NULL, &a), S_OK);
	CHECK(a != NULL && SANITIZES == 1 && CLEANS == 0);
	CHECK(z->fd == ro && z->nr_passes == 1 && z->verify == VDSWIPE_VERIFY_LAST);
	CHECK(z->flags == (VDSWIPE_SANITIZE_VERIFY_ONLY | VDSWIPE_CLEAN_FORCE));
	CHECK(z->passes[0].method == VDSWIPE_METHOD_ZERO && z->sample_pct == 100);
	CHECK(fake_op(vdsw_async_op_id(a))->bytes_total == 2 * VDSWIPE_QUICK_BYTES);
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_FAILED, -EBADMSG, 4096);
	CHECK_HR(vdsw_async_wait(a, &hr, NULL), S_OK);
	CHECK_HR(hr, VDSW_E_VERIFY_MISMATCH);
	CHECK_HR(vdsw_async_release(a), S_OK);

	o = (struct vdsw_verify_opts){ .size = sizeof(o), .flags = VDSW_CLEAN_RANGE,
				       .method = VDSWIPE_METHOD_PATTERN, .pattern = 0x33,
				       .offset = 512, .length = 4096, .sample_pct = 25 };
	CHECK_HR(vdsw_verify_fd(s, img_fd, 1, &o, &a), S_OK);	/* O_RDWR is fine */
	CHECK(z->flags == (VDSWIPE_SANITIZE_VERIFY_ONLY | VDSWIPE_CLEAN_FORCE |
			   VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_RANGE));
	CHECK(z->offset == 512 && z->length == 4096 && z->sample_pct == 25);
	CHECK(z->passes[0].method == VDSWIPE_METHOD_PATTERN && z->passes[0].pattern == 0x33);
	/* a read error, nothing was written: a failure, not partial */
	fake_end(vdsw_async_op_id(a), VDSWIPE_STATE_FAILED, -EIO, 1024);
	CHECK_HR(vdsw_async_wait(a, &hr, NULL), S_OK);
	CHECK_HR(hr, HRESULT_FROM_WIN32(ERROR_IO_DEVICE));
	CHECK_HR(vdsw_async_release(a), S_OK);
	CHECK_HR(vdsw_verify_fd(s, ro, 0, &big.o, &a), S_OK);	/* larger, zero tail */
	CHECK_HR(vdsw_async_cancel(a), S_OK);
	CHECK_HR(vdsw_async_release(a), S_OK);

	/* rejected before the kernel */
#define BADV(hr_, ...) do {						\
		o = (struct vdsw_verify_opts){ .size = sizeof(o), __VA_ARGS__ }; \
		a = (void *)1;						\
		CHECK_HR(vdsw_verify_fd(s, ro, 0, &o, &a), hr_);	\
		CHECK(a == NULL);					\
	} while (0)
	BADV(E_INVALIDARG, .flags = VDSW_CLEAN_SECURE);
	BADV(E_INVALIDARG, .flags = 1U << 7);
	BADV(E_INVALIDARG, .method = VDSWIPE_METHOD_RANDOM);
	BADV(E_INVALIDARG, .method = VDSWIPE_METHOD_DISCARD);
	BADV(E_INVALIDARG, .method = 9);
	BADV(E_INVALIDARG, .pattern = 1);
	BADV(E_INVALIDARG, .method = VDSWIPE_METHOD_PATTERN, .pattern = 0x100);
	BADV(E_INVALIDARG, .sample_pct = 101);
	BADV(E_INVALIDARG, .reserved = 1);
	BADV(E_INVALIDARG, .offset = 512);
	BADV(E_INVALIDARG, .flags = VDSW_CLEAN_RANGE);
	BADV(E_INVALIDARG, .flags = VDSW_CLEAN_RANGE, .offset = ~0ULL, .length = 2);
#undef BADV
	o = (struct vdsw_verify_opts){ .size = 0 };
	CHECK_HR(vdsw_verify_fd(s, ro, 0, &o, &a), E_INVALIDARG);
	o.size = VDSW_VERIFY_OPTS_SIZE_V1 - 8;
	CHECK_HR(vdsw_verify_fd(s, ro, 0, &o, &a), E_INVALIDARG);
	big.newer = 1;
	CHECK_HR(vdsw_verify_fd(s, ro, 0, &big.o, &a), E_INVALIDARG);
	CHECK_HR(vdsw_verify_fd(s, wo, 0, NULL, &a), VDS_E_ACCESS_DENIED);
	CHECK(strstr(vdsw_last_error(), "reading") != NULL);
	CHECK_HR(vdsw_verify_fd(s, -1, 0, NULL, &a), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	CHECK_HR(vdsw_verify_fd(s, 999, 0, NULL, &a), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	CHECK_HR(vdsw_verify_fd(NULL, ro, 0, NULL, &a), E_POINTER);
	CHECK_HR(vdsw_verify_fd(s, ro, 0, NULL, NULL), E_POINTER);
	CHECK_HR(vdsw_verify(s, NULL, 0, NULL, &a), E_POINTER);
	CHECK_HR(vdsw_verify(s, img, 0, NULL, &a), VDS_E_INCOMPATIBLE_MEDIA);
	CHECK_HR(vdsw_verify(s, "/nonexistent/disk", 0, NULL, &a), VDS_E_OBJECT_NOT_FOUND);
	CHECK(a == NULL);
	CHECK(SANITIZES == 3 && CLEANS == 0);
	/* the kernel's refusals: VERIFY's rows */
	fake.clean_err = EEXIST;
	CHECK_HR(vdsw_verify_fd(s, ro, 0, NULL, &a), VDS_E_DEVICE_IN_USE);
	fake.clean_err = EBUSY;
	CHECK_HR(vdsw_verify_fd(s, ro, 0, NULL, &a), VDS_E_INCOMPATIBLE_FILE_SYSTEM);
	fake.clean_err = EXDEV;
	CHECK_HR(vdsw_verify_fd(s, ro, 0, NULL, &a), HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
	fake.clean_err = 0;
	fake.admin = false;
	CHECK_HR(vdsw_verify_fd(s, ro, 0, NULL, &a), VDS_E_ACCESS_DENIED);
	fake.admin = true;
	CHECK(fake_nr_ops() == 0);
	CHECK_HR(vdsw_session_close(s), S_OK);

	/* a module without SANITIZE cannot verify */
	fake_reset();
	fake.features &= ~VDSWIPE_FEAT_SANITIZE;
	s = open_session();
	CHECK_HR(vdsw_verify_fd(s, ro, 0, NULL, &a), VDS_E_NOT_SUPPORTED);
	CHECK(SANITIZES == 0);
	CHECK_HR(vdsw_session_close(s), S_OK);
	close(ro);
	close(wo);
}

static void test_null_handles(void)
{
	HRESULT op;
	uint32_t pct;
	struct vdsw_async_output out;

	CHECK_HR(vdsw_async_cancel(NULL), E_POINTER);
	CHECK_HR(vdsw_async_query_status(NULL, &op, &pct), E_POINTER);
	CHECK_HR(vdsw_async_wait(NULL, &op, &out), E_POINTER);
	CHECK(out.type == VDS_ASYNC_OUTPUT_CLEAN);
	CHECK_HR(vdsw_async_wait_ms(NULL, 10, &op, NULL), E_POINTER);
	CHECK_HR(vdsw_async_wait_until(NULL, 0, &op, NULL), E_POINTER);
	CHECK(vdsw_async_op_id(NULL) == 0);
	{
		struct vdsw_session *s = (fake_reset(), open_session());
		struct vdsw_async *a = clean_ok(s, 0, NULL);

		CHECK_HR(vdsw_async_query_status(a, NULL, &pct), E_POINTER);
		CHECK_HR(vdsw_async_wait(a, NULL, &out), E_POINTER);
		CHECK_HR(vdsw_async_cancel(a), S_OK);
		CHECK_HR(vdsw_async_release(a), S_OK);
		CHECK_HR(vdsw_session_close(s), S_OK);
	}
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	img = img_path("disk.img");
	if (img_empty(img))
		return 1;
	img_fd = open(img, O_RDWR | O_CLOEXEC);
	test_session();
	test_lifecycle();
	test_cancel();
	test_failed_ops();
	test_release_running();
	test_cancel_all_events();
	test_clean_options();
	test_features();
	test_clean_errnos();
	test_clean_checks();
	test_close();
	test_threads();
	test_null_handles();
	test_sanitize_submit();
	test_sanitize_progress();
	test_verify();
	close(img_fd);
	img_cleanup();
	free(img);
	return test_report("api");
}
