// SPDX-License-Identifier: GPL-2.0
/*
 * libvdswipe through the real module: the session.
 *
 *   vdsw_session_cancel_all()  IPortableDeviceService::Cancel: S_OK, cancels
 *                              every op of this session that Cancel would
 *                              (count returned), never another session's;
 *                              ended ops are left alone
 *   events                     the session fd polls (poll, epoll) readable
 *                              when an op ends; vdsw_session_read_event()
 *                              gives the op's id and HRESULT, in end order;
 *                              VDS_E_TIMEOUT when none comes; Release drops
 *                              an unread event; signals do not cut a
 *                              read_event() timeout short; a session
 *                              closed under a blocked read_event() gives
 *                              HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)
 *
 * Three slow devices: dm-delay tables over ram0-ram2 holding every write
 * for WRITE_DELAY_MS (256 KiB chunks: about 2 MiB/s); ram3 is a plain disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <vdswipe/vdswipe.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "lib_vmtest.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		8
#define WRITE_DELAY_MS	500
#define NSLOW		3
#define NASYNC		6

/* poll() the session fd: its revents, 0 on timeout, -errno. */
static int poll_fd(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret = poll(&p, 1, timeout_ms);

	if (ret < 0)
		return -errno;
	return ret ? p.revents : 0;
}

FIXTURE(sess) {
	struct vdsw_session *s1, *s2;
	struct vdsw_async *a[NASYNC];
	char slow[NSLOW][64], ram3[64];
	int ep;
};

FIXTURE_SETUP(sess)
{
	char ram[64], name[32];
	int i, ret;

	self->ep = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(NSLOW + 1, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(NSLOW, self->ram3, sizeof(self->ram3));
	for (i = 0; i < NSLOW; i++) {
		snprintf(name, sizeof(name), "vdswslow%d", i);
		ret = vt_delay_create(name, vt_brd_path(i, ram, sizeof(ram)),
				      WRITE_DELAY_MS, self->slow[i],
				      sizeof(self->slow[i]));
		if (ret)
			SKIP(return, "no dm-delay (%s)", strerror(-ret));
	}
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->s1));
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->s2));
}

FIXTURE_TEARDOWN(sess)
{
	char name[32];
	int i;

	if (self->ep >= 0)
		close(self->ep);
	for (i = 0; i < NASYNC; i++)
		if (self->a[i])
			vdsw_async_release(self->a[i]);
	if (self->s1)
		vdsw_session_close(self->s1);
	if (self->s2)
		vdsw_session_close(self->s2);
	for (i = 0; i < NSLOW; i++) {
		snprintf(name, sizeof(name), "vdswslow%d", i);
		vt_dm_remove(name);
	}
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

/* Start a full forced clean of slow device @dev in session @s as a[@idx]. */
#define START_SLOW(s, idx, dev) do {					\
	ASSERT_HR(S_OK, vdsw_clean((s), self->slow[dev], 1, 1, 1, NULL,	\
				   &self->a[idx]));			\
	ASSERT_EQ(0, wait_running((s), self->a[idx]));			\
} while (0)

#define ASSERT_OP_HR(idx, want) do {					\
	HRESULT _op;							\
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[idx], &_op, NULL));	\
	ASSERT_HR((want), _op);						\
} while (0)

/* cancel-all cancels both running ops of its session and counts them; the
 * other session's op keeps running; a second cancel-all finds nothing. */
TEST_F(sess, cancel_all_cancels_every_op_of_the_session_only)
{
	uint32_t n = 99;
	HRESULT op;
	int i;

	START_SLOW(self->s1, 0, 0);
	START_SLOW(self->s1, 1, 1);
	START_SLOW(self->s2, 2, 2);
	ASSERT_HR(S_OK, vdsw_session_cancel_all(self->s1, &n));
	ASSERT_EQ(2, n);
	for (i = 0; i < 2; i++) {
		ASSERT_OP_HR(i, VDS_E_OPERATION_CANCELED);
		ASSERT_HR(VDS_E_OPERATION_CANCELED,
			  vdsw_async_cancel(self->a[i]));
		ASSERT_HR(S_OK, vdsw_async_wait(self->a[i], &op, NULL));
		ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
		ASSERT_EQ(0, vt_try_excl(self->slow[i]));
	}
	ASSERT_OP_HR(2, VDS_E_OPERATION_PENDING);
	n = 99;
	ASSERT_HR(S_OK, vdsw_session_cancel_all(self->s1, &n));
	ASSERT_EQ(0, n);
	ASSERT_OP_HR(2, VDS_E_OPERATION_PENDING);
	/* NULL count is allowed */
	ASSERT_HR(S_OK, vdsw_session_cancel_all(self->s2, NULL));
	ASSERT_OP_HR(2, VDS_E_OPERATION_CANCELED);
}

/* cancel-all leaves an ended op alone (S_OK stays S_OK, not counted). */
TEST_F(sess, cancel_all_skips_ended_ops)
{
	uint32_t n = 99;
	HRESULT op;

	ASSERT_HR(S_OK, vdsw_clean(self->s1, self->ram3, 1, 1, 0, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
	START_SLOW(self->s1, 1, 0);
	ASSERT_HR(S_OK, vdsw_session_cancel_all(self->s1, &n));
	ASSERT_EQ(1, n);
	ASSERT_OP_HR(0, S_OK);
	ASSERT_OP_HR(1, VDS_E_OPERATION_CANCELED);
	ASSERT_HR(VDS_E_CANCEL_TOO_LATE, vdsw_async_cancel(self->a[0]));
}

/* cancel-all of an idle session: S_OK, 0. */
TEST_F(sess, cancel_all_empty_session)
{
	uint32_t n = 99;

	ASSERT_HR(S_OK, vdsw_session_cancel_all(self->s1, &n));
	ASSERT_EQ(0, n);
}

/* epoll on the session fd: readable when the op ends; the event carries
 * the op's id and S_OK; then nothing is queued any more. */
TEST_F(sess, event_epoll_done)
{
	struct epoll_event ee = { .events = EPOLLIN }, got;
	struct vdswipe_event ev;
	HRESULT op;
	int fd = vdsw_session_fd(self->s1);

	ASSERT_LE(0, fd);
	self->ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, self->ep);
	ASSERT_EQ(0, epoll_ctl(self->ep, EPOLL_CTL_ADD, fd, &ee));
	ASSERT_EQ(0, epoll_wait(self->ep, &got, 1, 0));
	ASSERT_HR(S_OK, vdsw_clean(self->s1, self->ram3, 1, 1, 0, NULL,
				   &self->a[0]));
	ASSERT_EQ(1, epoll_wait(self->ep, &got, 1, 10000));
	ASSERT_TRUE(got.events & EPOLLIN);
	ASSERT_HR(S_OK, vdsw_session_read_event(self->s1, 0, &ev, &op));
	ASSERT_EQ(vdsw_async_op_id(self->a[0]), ev.op_id);
	ASSERT_EQ(VDSWIPE_STATE_DONE, ev.state);
	ASSERT_EQ(0, ev.result);
	ASSERT_EQ(2 * VT_MIB, ev.bytes_done);
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(0, epoll_wait(self->ep, &got, 1, 0));
	ASSERT_HR(VDS_E_TIMEOUT, vdsw_session_read_event(self->s1, 0, &ev, &op));
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
	/* the other session saw nothing */
	ASSERT_EQ(0, poll_fd(vdsw_session_fd(self->s2), 0));
}

/* poll on the session fd; events of cancelled ops carry
 * VDS_E_OPERATION_CANCELED, in the order the ops ended. */
TEST_F(sess, event_poll_cancelled_in_end_order)
{
	struct vdswipe_event ev;
	HRESULT op;
	int fd = vdsw_session_fd(self->s1);

	START_SLOW(self->s1, 0, 0);
	START_SLOW(self->s1, 1, 1);
	ASSERT_EQ(0, poll_fd(fd, 0));
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[1]));
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	ASSERT_TRUE(poll_fd(fd, 10000) & POLLIN);
	ASSERT_HR(S_OK, vdsw_session_read_event(self->s1, 0, &ev, &op));
	ASSERT_EQ(vdsw_async_op_id(self->a[1]), ev.op_id);
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, ev.state);
	ASSERT_EQ(-ECANCELED, ev.result);
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
	ASSERT_HR(S_OK, vdsw_session_read_event(self->s1, 5000, &ev, &op));
	ASSERT_EQ(vdsw_async_op_id(self->a[0]), ev.op_id);
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
	ASSERT_EQ(0, poll_fd(fd, 0));
}

/* read_event with a timeout on an idle session: VDS_E_TIMEOUT after it. */
TEST_F(sess, read_event_timeout_when_idle)
{
	struct vdswipe_event ev;
	uint64_t start = vt_now_ns(), ms;
	HRESULT op;

	ASSERT_HR(VDS_E_TIMEOUT, vdsw_session_read_event(self->s1, 300, &ev,
							 &op));
	ms = vt_ms_since(start);
	ASSERT_LE(300, ms);
	ASSERT_GT(3000, ms);
}

/* read_event blocking (timeout < 0) returns when a slow op ends. */
TEST_F(sess, read_event_blocks_until_op_ends)
{
	struct vdsw_clean_opts o = {
		.size = sizeof(o), .flags = VDSW_CLEAN_RANGE,
		.offset = 0, .length = VT_MIB,
	};
	struct vdswipe_event ev;
	uint64_t start;
	HRESULT op;

	ASSERT_HR(S_OK, vdsw_clean(self->s1, self->slow[0], 1, 1, 1, &o,
				   &self->a[0]));
	start = vt_now_ns();
	ASSERT_HR(S_OK, vdsw_session_read_event(self->s1, -1, &ev, &op));
	ASSERT_LE(WRITE_DELAY_MS - 50, vt_ms_since(start));
	ASSERT_EQ(vdsw_async_op_id(self->a[0]), ev.op_id);
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(VT_MIB, ev.bytes_done);
}

/* Release of an ended op drops its unread event. */
TEST_F(sess, release_drops_unread_event)
{
	struct vdswipe_event ev;
	HRESULT op;
	int fd = vdsw_session_fd(self->s1);

	ASSERT_HR(S_OK, vdsw_clean(self->s1, self->ram3, 1, 1, 0, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_TRUE(poll_fd(fd, 5000) & POLLIN);
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;
	ASSERT_EQ(0, poll_fd(fd, 0));
	ASSERT_HR(VDS_E_TIMEOUT, vdsw_session_read_event(self->s1, 0, &ev, &op));
}

/* The session fd of NULL is -1. */
TEST_F(sess, session_fd_null)
{
	ASSERT_EQ(-1, vdsw_session_fd(NULL));
	ASSERT_LE(0, vdsw_session_fd(self->s1));
	ASSERT_NE(vdsw_session_fd(self->s1), vdsw_session_fd(self->s2));
}

/* ------------------------------------------------------------------ */
/* An idle session (no devices)                                        */
/* ------------------------------------------------------------------ */

FIXTURE(idle) {
	struct vdsw_session *s;
};

FIXTURE_SETUP(idle)
{
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->s));
}

FIXTURE_TEARDOWN(idle)
{
	if (self->s)
		vdsw_session_close(self->s);
	EXPECT_EQ(0, vt_module_unload());
}

struct reader {
	struct vdsw_session *s;
	HRESULT hr;
	volatile int done;
};

static void *reader_thread(void *p)
{
	struct reader *r = p;
	struct vdswipe_event ev;

	r->hr = vdsw_session_read_event(r->s, -1, &ev, NULL);
	r->done = 1;
	return NULL;
}

/* read_event blocked forever in one thread; vdsw_session_close() in
 * another releases it with HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE). */
TEST_F(idle, close_releases_blocked_read_event)
{
	struct reader r = { .s = self->s };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, reader_thread, &r));
	vt_sleep_ms(200);
	ASSERT_EQ(0, r.done);
	ASSERT_HR(S_OK, vdsw_session_close(self->s));
	self->s = NULL;
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE), r.hr);
}

static volatile sig_atomic_t sig_count;

static void on_sig(int sig)
{
	(void)sig;
	sig_count++;
}

struct pester {
	pthread_t target;
	volatile int stop;
};

static void *pester_thread(void *p)
{
	struct pester *ps = p;

	while (!ps->stop) {
		pthread_kill(ps->target, SIGUSR1);
		vt_sleep_ms(40);
	}
	return NULL;
}

/* Signals (no SA_RESTART) during read_event(500): VDS_E_TIMEOUT at the
 * timeout, not earlier and not an error. */
TEST_F(idle, read_event_timeout_not_cut_by_signals)
{
	struct sigaction sa = { .sa_handler = on_sig };
	struct pester ps = { .target = pthread_self() };
	struct vdswipe_event ev;
	uint64_t start, ms;
	pthread_t t;
	HRESULT hr;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, pester_thread, &ps));
	start = vt_now_ns();
	hr = vdsw_session_read_event(self->s, 500, &ev, NULL);
	ms = vt_ms_since(start);
	ps.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("read_event(500): %llu ms, %d signals", (unsigned long long)ms,
	       (int)sig_count);
	ASSERT_HR(VDS_E_TIMEOUT, hr);
	ASSERT_LE(3, sig_count);
	ASSERT_LE(500, ms);
	ASSERT_GT(2000, ms);
}

/* NULL where a pointer is required: E_POINTER, and the count is 0. */
TEST_F(idle, null_arguments)
{
	struct vdswipe_event ev;
	uint32_t n = 5;

	ASSERT_HR(E_POINTER, vdsw_session_cancel_all(NULL, &n));
	ASSERT_EQ(0, n);
	ASSERT_HR(E_POINTER, vdsw_session_read_event(self->s, 0, NULL, NULL));
	ASSERT_HR(E_POINTER, vdsw_session_read_event(NULL, 0, &ev, NULL));
	ASSERT_HR(E_POINTER, vdsw_session_close(NULL));
}

TEST_HARNESS_MAIN
