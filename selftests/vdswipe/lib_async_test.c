// SPDX-License-Identifier: GPL-2.0
/*
 * libvdswipe through the real module: the IVdsAsync side of an op.
 *
 *   QueryStatus        VDS_E_OPERATION_PENDING while running with a percent
 *                      0-99 that never decreases, then S_OK and 100
 *   Wait               blocks; released with S_OK and the op's
 *                      VDS_E_OPERATION_CANCELED by a Cancel from another
 *                      thread (several waiters too), or by
 *                      vdsw_session_close() from another thread
 *   wait_ms/_until     VDS_E_TIMEOUT (op still VDS_E_OPERATION_PENDING) on
 *                      a slow op, not extended by signals; S_OK at once on
 *                      an ended op
 *   Release            S_OK on an ended op (the kernel forgets it), S_FALSE
 *                      on a running one (the kernel keeps it, and its
 *                      device); S_OK after the session was closed
 *   closed session     HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)
 *
 * The slow device is a dm-delay table over ram0 holding every write for
 * WRITE_DELAY_MS (256 KiB chunks, 4 in flight: about 2 MiB/s, so a full
 * clean of DEV_MIB takes about 4 s); ram1 is a plain brd disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vdswipe/vdswipe.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"
#include "lib_vmtest.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		8
#define WRITE_DELAY_MS	500
#define FILL		0xA5
#define NASYNC		4

/* The slow device is over ram0; ram1 is filled with FILL. */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 2,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswslow",
	.slow_disk = 0,
	.write_delay_ms = WRITE_DELAY_MS,
	.fill = true,
	.fill_byte = FILL,
};

FIXTURE(async) {
	struct vt_rig rig;
	struct vdsw_session *sess;
	struct vdsw_async *a[NASYNC];
	uint64_t size;
};

FIXTURE_SETUP(async)
{
	self->size = DEV_MIB * VT_MIB;
	if (!vt_rig_setup(_metadata, &self->rig, &rig_opts))
		return;
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
}

FIXTURE_TEARDOWN(async)
{
	int i;

	for (i = 0; i < NASYNC; i++)
		if (self->a[i])
			vdsw_async_release(self->a[i]);
	if (self->sess)
		vdsw_session_close(self->sess);
	vt_rig_teardown(_metadata, &self->rig);
}

#define START_SLOW(idx) do {						\
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.slow, 1, 1, 1,	\
				   NULL, &self->a[idx]));		\
	ASSERT_EQ(0, wait_running(self->sess, self->a[idx]));		\
} while (0)

/* A quick clean of ram1, waited for. */
#define QUICK_DONE(idx) do {						\
	HRESULT _op;							\
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 0, 0,	\
				   0, NULL, &self->a[idx]));		\
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[idx], &_op, NULL));	\
	ASSERT_HR(S_OK, _op);						\
} while (0)

/*
 * QueryStatus, polled like a VDS client: VDS_E_OPERATION_PENDING with a
 * percent 0-99 that never goes down and moves, then S_OK with 100.
 */
TEST_F(async, pending_with_monotonic_percent_then_s_ok_100)
{
	uint32_t pct, last = 0, changes = 0, pending = 0;
	uint64_t start = vt_now_ns();
	HRESULT op;

	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.slow, 1, 1, 1, NULL,
				   &self->a[0]));
	for (;;) {
		ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
		if (op != VDS_E_OPERATION_PENDING)
			break;
		pending++;
		ASSERT_GE(99, pct);
		ASSERT_LE(last, pct)
			TH_LOG("percent went down from %u to %u", last, pct);
		if (pct != last)
			changes++;
		last = pct;
		ASSERT_GT(30000, vt_ms_since(start));
		vt_sleep_ms(25);
	}
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(100, pct);
	TH_LOG("%u pending polls, %u percent changes, last %u%%, %llu ms",
	       pending, changes, last, (unsigned long long)vt_ms_since(start));
	ASSERT_LE(2, pending);
	ASSERT_LE(3, changes);
	/* stays 100 */
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(100, pct);
}

/* QueryStatus right after submit: pending (the slow device needs at least
 * one write delay), percent 0-99; percent may be NULL. */
TEST_F(async, query_status_pending_right_after_submit)
{
	uint32_t pct = 1234;
	HRESULT op;

	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.slow, 1, 1, 1, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
	ASSERT_GE(99, pct);
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, NULL));
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
}

struct waiter {
	struct vdsw_async *a;
	HRESULT hr, op;
	struct vdsw_async_output out;
	uint64_t woke_ns;
	volatile int done;
};

static void *wait_thread(void *p)
{
	struct waiter *w = p;

	w->hr = vdsw_async_wait(w->a, &w->op, &w->out);
	w->woke_ns = vt_now_ns();
	w->done = 1;
	return NULL;
}

static int join_within(pthread_t t, unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return pthread_timedjoin_np(t, NULL, &ts);
}

/* Wait blocked in one thread; Cancel from another releases it with S_OK
 * and the op's VDS_E_OPERATION_CANCELED. */
TEST_F(async, wait_released_by_cancel_from_another_thread)
{
	struct waiter w = { 0 };
	uint64_t cancel_ns;
	pthread_t t;

	START_SLOW(0);
	w.a = self->a[0];
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &w));
	vt_sleep_ms(300);
	ASSERT_EQ(0, w.done) TH_LOG("Wait returned before the cancel: %s",
				    hr_name(w.hr));
	cancel_ns = vt_now_ns();
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	ASSERT_EQ(0, join_within(t, 10000));
	ASSERT_HR(S_OK, w.hr);
	ASSERT_HR(VDS_E_OPERATION_CANCELED, w.op);
	ASSERT_EQ(VDS_ASYNC_OUTPUT_CLEAN, w.out.type);
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, w.out.state);
	ASSERT_EQ(ECANCELED, w.out.error);	/* not 0: it did not end DONE */
	ASSERT_GT(100, w.out.percent);
	ASSERT_GT(self->size, w.out.bytes_done);
	TH_LOG("Wait returned %llu ms after the cancel started",
	       (unsigned long long)((w.woke_ns - cancel_ns) / VT_NSEC_PER_MSEC));
	ASSERT_GT(5000, (w.woke_ns - cancel_ns) / VT_NSEC_PER_MSEC);
}

/* Several threads waiting on the same op: one Cancel releases them all. */
TEST_F(async, cancel_releases_every_waiter)
{
	struct waiter w[4];
	pthread_t t[4];
	int i;

	START_SLOW(0);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 4; i++) {
		w[i].a = self->a[0];
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_thread, &w[i]));
	}
	vt_sleep_ms(300);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, w[i].done);
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, join_within(t[i], 10000));
		ASSERT_HR(S_OK, w[i].hr);
		ASSERT_HR(VDS_E_OPERATION_CANCELED, w[i].op);
	}
}

/* A Wait blocked in one thread while another closes the session returns
 * (the close cancels the op); the handle can still be released. */
TEST_F(async, session_close_releases_blocked_wait)
{
	struct waiter w = { 0 };
	pthread_t t;

	START_SLOW(0);
	w.a = self->a[0];
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &w));
	vt_sleep_ms(300);
	ASSERT_EQ(0, w.done);
	ASSERT_HR(S_OK, vdsw_session_close(self->sess));
	self->sess = NULL;
	ASSERT_EQ(0, join_within(t, 10000));
	TH_LOG("Wait: %s, op %s", hr_name(w.hr), hr_name(w.op));
	ASSERT_HR(S_OK, w.hr);
	ASSERT_HR(VDS_E_OPERATION_CANCELED, w.op);
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;
	ASSERT_EQ(0, vt_try_excl(self->rig.slow));
}

/* VDS_E_TIMEOUT: wait_ms on a slow op; the op is still pending and its
 * output says where it stands. */
TEST_F(async, wait_ms_timeout_on_slow_op)
{
	struct vdsw_async_output out;
	uint64_t start, ms;
	HRESULT op;

	START_SLOW(0);
	start = vt_now_ns();
	ASSERT_HR(VDS_E_TIMEOUT, vdsw_async_wait_ms(self->a[0], 300, &op, &out));
	ms = vt_ms_since(start);
	TH_LOG("wait_ms(300) took %llu ms", (unsigned long long)ms);
	ASSERT_LE(300, ms);
	ASSERT_GT(3000, ms);
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
	ASSERT_EQ(VDS_ASYNC_OUTPUT_CLEAN, out.type);
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, out.state);
	ASSERT_GE(99, out.percent);
	ASSERT_LT(0, out.bytes_done);
	ASSERT_EQ(self->size, out.bytes_total);
	/* 0 ms: only checks */
	start = vt_now_ns();
	ASSERT_HR(VDS_E_TIMEOUT, vdsw_async_wait_ms(self->a[0], 0, &op, NULL));
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
	ASSERT_GT(1000, vt_ms_since(start));
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait_ms(self->a[0], 10000, &op, &out));
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
}

/* VDS_E_TIMEOUT: wait_until an absolute CLOCK_MONOTONIC deadline, and one
 * in the past. */
TEST_F(async, wait_until_deadline_timeout)
{
	uint64_t start, ms;
	HRESULT op;

	START_SLOW(0);
	start = vt_now_ns();
	ASSERT_HR(VDS_E_TIMEOUT, vdsw_async_wait_until(self->a[0],
			start + 400 * VT_NSEC_PER_MSEC, &op, NULL));
	ms = vt_ms_since(start);
	ASSERT_LE(400, ms);
	ASSERT_GT(3000, ms);
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
	ASSERT_HR(VDS_E_TIMEOUT, vdsw_async_wait_until(self->a[0], 1, &op,
						       NULL));
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
}

/* Signals without SA_RESTART, sent to one thread every SIG_EVERY_MS. */
#define SIG_EVERY_MS	40

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
		vt_sleep_ms(SIG_EVERY_MS);
	}
	return NULL;
}

/* A wait interrupted by signals (EINTR) is neither an error nor extended:
 * VDS_E_TIMEOUT at the deadline. */
TEST_F(async, wait_ms_not_extended_by_signals)
{
	struct sigaction sa = { .sa_handler = on_sig };	/* no SA_RESTART */
	struct pester ps = { .target = pthread_self() };
	uint64_t start, ms;
	pthread_t t;
	HRESULT hr, op;

	START_SLOW(0);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	sig_count = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, pester_thread, &ps));
	start = vt_now_ns();
	hr = vdsw_async_wait_ms(self->a[0], 600, &op, NULL);
	ms = vt_ms_since(start);
	ps.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("wait_ms(600): %llu ms, %d signals", (unsigned long long)ms,
	       (int)sig_count);
	ASSERT_HR(VDS_E_TIMEOUT, hr);
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
	ASSERT_LE(3, sig_count);
	ASSERT_LE(600, ms);
	ASSERT_GT(2000, ms);
	/* an infinite wait under signals still ends with the op */
	ps.stop = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, pester_thread, &ps));
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	hr = vdsw_async_wait(self->a[0], &op, NULL);
	ps.stop = 1;
	pthread_join(t, NULL);
	ASSERT_HR(S_OK, hr);
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
}

/* Waits with a deadline on an ended op: S_OK at once, even a deadline in
 * the past; an infinite wait_ms(-1) ends with the op. */
TEST_F(async, wait_on_ended_op_returns_at_once)
{
	struct vdsw_async_output out;
	HRESULT op;
	uint64_t start;

	QUICK_DONE(0);
	start = vt_now_ns();
	ASSERT_HR(S_OK, vdsw_async_wait_ms(self->a[0], 0, &op, &out));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(100, out.percent);
	ASSERT_HR(S_OK, vdsw_async_wait_until(self->a[0], 1, &op, NULL));
	ASSERT_HR(S_OK, op);
	ASSERT_HR(S_OK, vdsw_async_wait_ms(self->a[0], -1, &op, NULL));
	ASSERT_HR(S_OK, op);
	ASSERT_GT(1000, vt_ms_since(start));
}

/* wait_ms(-1) blocks until a slow (1 MiB ranged) op has ended. */
TEST_F(async, wait_ms_infinite_until_end)
{
	struct vdsw_clean_opts o = {
		.size = sizeof(o), .flags = VDSW_CLEAN_RANGE,
		.offset = VT_MIB, .length = VT_MIB,
	};
	struct vdsw_async_output out;
	HRESULT op;

	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.slow, 1, 1, 1, &o,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait_ms(self->a[0], -1, &op, &out));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(VDSWIPE_STATE_DONE, out.state);
	ASSERT_EQ(VT_MIB, out.bytes_done);
	ASSERT_EQ(100, out.percent);
}

/* Release of an ended op: S_OK, and the kernel has forgotten it. */
TEST_F(async, release_ended_op_s_ok)
{
	struct vdswipe_status st;
	uint64_t id;

	QUICK_DONE(0);
	id = vdsw_async_op_id(self->a[0]);
	ASSERT_EQ(0, vt_query(vdsw_session_fd(self->sess), id, &st));
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;
	ASSERT_EQ(-ENOENT, vt_query(vdsw_session_fd(self->sess), id, &st));
	ASSERT_STREQ("", vdsw_last_error());
}

/* Release of a running op: S_FALSE; the kernel keeps the op running with
 * its device claimed until the session closes. */
TEST_F(async, release_running_op_s_false)
{
	struct vdswipe_status st;
	uint64_t id;

	START_SLOW(0);
	id = vdsw_async_op_id(self->a[0]);
	ASSERT_HR(S_FALSE, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;
	ASSERT_NE(0, vdsw_last_error()[0]);
	ASSERT_EQ(0, vt_query(vdsw_session_fd(self->sess), id, &st));
	ASSERT_FALSE(vt_state_ended(st.state))
		TH_LOG("op %s after release", vt_state_name(st.state));
	ASSERT_HR(VDS_E_DEVICE_IN_USE, vdsw_clean(self->sess, self->rig.slow, 1, 1,
						  1, NULL, &self->a[1]));
	ASSERT_EQ(-EBUSY, vt_try_excl(self->rig.slow));
	/* closing the session cancels it and frees the device */
	ASSERT_HR(S_OK, vdsw_session_close(self->sess));
	self->sess = NULL;
	ASSERT_EQ(0, vt_try_excl(self->rig.slow));
}

/* After vdsw_session_close(): a handle answers
 * HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE), and release is S_OK. */
TEST_F(async, closed_session_invalid_handle_then_release_s_ok)
{
	HRESULT op;

	START_SLOW(0);
	QUICK_DONE(1);
	ASSERT_HR(S_OK, vdsw_session_close(self->sess));
	self->sess = NULL;
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE),
		  vdsw_async_query_status(self->a[0], &op, NULL));
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE),
		  vdsw_async_wait_ms(self->a[0], 100, &op, NULL));
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE),
		  vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;
	ASSERT_HR(S_OK, vdsw_async_release(self->a[1]));
	self->a[1] = NULL;
	ASSERT_EQ(0, vt_try_excl(self->rig.slow));
}

TEST_HARNESS_MAIN
