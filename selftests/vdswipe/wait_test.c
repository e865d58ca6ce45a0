// SPDX-License-Identifier: GPL-2.0
/*
 * VDSWIPE_IOC_WAIT and the non-blocking VDSWIPE_IOC_QUERY: absolute
 * CLOCK_MONOTONIC deadlines, ETIMEDOUT, interruptible and restartable waits
 * (a restart does not extend the deadline), many waiters at once, waiters
 * released by Cancel, and queries that never block, not even while a Cancel
 * waits for the op's writes.
 *
 * The slow device is dm-delay over ram0 holding each write 500 ms; with
 * 256 KiB chunks and 4 in flight an op writes about 2 MiB/s there.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		16
#define WRITE_DELAY_MS	500
#define NWAITERS	8
/* generous allowance for scheduling under qemu TCG */
#define SLACK_MS	1500

/* The slow device is over ram0; ram1 is plain. */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 2,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswslow",
	.slow_disk = 0,
	.write_delay_ms = WRITE_DELAY_MS,
	.open_fds = true,
	.session = true,
};

FIXTURE(wait) {
	struct vt_rig rig;
};

FIXTURE_SETUP(wait)
{
	if (!vt_rig_module(_metadata, &self->rig, &rig_opts) ||
	    !vt_rig_disks(_metadata, &self->rig))
		return;
	ASSERT_EQ(0, vt_fill(self->rig.ram[0], 0, DEV_MIB * VT_MIB, 0xA5));
	ASSERT_EQ(0, vt_fill(self->rig.ram[1], 0, DEV_MIB * VT_MIB, 0xA5));
	vt_rig_slow(_metadata, &self->rig);
}

FIXTURE_TEARDOWN(wait)
{
	vt_rig_close(&self->rig);
	vt_rig_teardown(_metadata, &self->rig);
}

#define F_CLEAN	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE)

/* A long op (the whole slow device, ~8 s) that tests cancel. */
static int start_long(FIXTURE_DATA(wait) *self, uint64_t *id)
{
	struct vdswipe_status st;
	int ret = vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			    VDSWIPE_METHOD_ZERO, 0, 0, DEV_MIB * VT_MIB, id,
			    NULL);

	return ret ? ret : vt_wait_progress(self->rig.s, *id, 0, 20000, &st);
}

/* A short op on the slow device: 2 MiB, about a second. */
static int start_short(FIXTURE_DATA(wait) *self, uint64_t *id)
{
	return vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			 VDSWIPE_METHOD_ZERO, 0, 0, 2 * VT_MIB, id, NULL);
}

/* A finished op on ram1. */
static int done_op(FIXTURE_DATA(wait) *self, uint64_t *id)
{
	int ret = vt_submit(self->rig.s, self->rig.fd[1], F_CLEAN,
			    VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, id, NULL);

	return ret ? ret : vt_wait(self->rig.s, *id, VDSWIPE_WAIT_INFINITE);
}

#define ASSERT_STATE(id, want) do {					\
	struct vdswipe_status _st;					\
	ASSERT_EQ(0, vt_query(self->rig.s, (id), &_st));		\
	ASSERT_EQ((want), _st.state)					\
		TH_LOG("op is %s", vt_state_name(_st.state));		\
} while (0)

TEST_F(wait, infinite_wait_returns_when_done)
{
	uint64_t id, t0;

	ASSERT_EQ(0, start_short(self, &id));
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_wait(self->rig.s, id, VDSWIPE_WAIT_INFINITE));
	TH_LOG("waited %llu ms", (unsigned long long)vt_ms_since(t0));
	ASSERT_LE(WRITE_DELAY_MS - 50, vt_ms_since(t0));
	ASSERT_STATE(id, VDSWIPE_STATE_DONE);
}

TEST_F(wait, deadline_wait_returns_when_done)
{
	uint64_t id;

	ASSERT_EQ(0, start_short(self, &id));
	ASSERT_EQ(0, vt_wait_ms(self->rig.s, id, 20000));
	ASSERT_STATE(id, VDSWIPE_STATE_DONE);
}

TEST_F(wait, deadline_passes_etimedout)
{
	uint64_t id, t0, ms;

	ASSERT_EQ(0, start_long(self, &id));
	t0 = vt_now_ns();
	ASSERT_EQ(-ETIMEDOUT, vt_wait(self->rig.s, id,
				      t0 + 300 * VT_NSEC_PER_MSEC));
	ms = vt_ms_since(t0);
	ASSERT_LE(300, ms);
	ASSERT_GT(300 + SLACK_MS, ms);
	/* the op is not affected */
	ASSERT_STATE(id, VDSWIPE_STATE_RUNNING);
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
}

TEST_F(wait, past_deadline_only_checks)
{
	uint64_t id, t0;

	ASSERT_EQ(0, start_long(self, &id));
	t0 = vt_now_ns();
	ASSERT_EQ(-ETIMEDOUT, vt_wait(self->rig.s, id, t0 - VT_NSEC_PER_SEC));
	ASSERT_EQ(-ETIMEDOUT, vt_wait(self->rig.s, id, 0));
	ASSERT_EQ(-ETIMEDOUT, vt_wait(self->rig.s, id, 1));
	ASSERT_GT(250, vt_ms_since(t0));
	ASSERT_STATE(id, VDSWIPE_STATE_RUNNING);
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
}

TEST_F(wait, past_deadline_on_ended_op_succeeds)
{
	uint64_t id;

	ASSERT_EQ(0, done_op(self, &id));
	ASSERT_EQ(0, vt_wait(self->rig.s, id, 0));
	ASSERT_EQ(0, vt_wait(self->rig.s, id, vt_now_ns() - VT_NSEC_PER_SEC));
}

TEST_F(wait, ended_op_returns_at_once)
{
	uint64_t id, t0;

	ASSERT_EQ(0, done_op(self, &id));
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_wait(self->rig.s, id, VDSWIPE_WAIT_INFINITE));
	ASSERT_EQ(0, vt_wait(self->rig.s, id, VDSWIPE_WAIT_INFINITE));
	ASSERT_GT(250, vt_ms_since(t0));
	ASSERT_STATE(id, VDSWIPE_STATE_DONE);
}

TEST_F(wait, wait_on_cancelled_op_returns_at_once)
{
	uint64_t id, t0;

	ASSERT_EQ(0, start_long(self, &id));
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_wait(self->rig.s, id, VDSWIPE_WAIT_INFINITE));
	ASSERT_GT(250, vt_ms_since(t0));
	ASSERT_STATE(id, VDSWIPE_STATE_CANCELLED);
}

/* ---------------------------------------------------------- signals */

static volatile int signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	signals_seen++;
}

struct kicker {
	pthread_t target;
	unsigned int at_ms[4];
	int n;
};

static void *kick(void *p)
{
	struct kicker *k = p;
	uint64_t t0 = vt_now_ns();
	int i;

	for (i = 0; i < k->n; i++) {
		uint64_t el = vt_ms_since(t0);

		if (el < k->at_ms[i])
			vt_sleep_ms(k->at_ms[i] - el);
		pthread_kill(k->target, SIGUSR1);
	}
	return NULL;
}

static int set_handler(bool restart)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	signals_seen = 0;
	return sigaction(SIGUSR1, &sa, NULL);
}

TEST_F(wait, signal_interrupts_wait_eintr)
{
	struct kicker k = { .target = pthread_self(), .at_ms = { 300 }, .n = 1 };
	pthread_t th;
	uint64_t id, t0, ms;

	ASSERT_EQ(0, start_long(self, &id));
	ASSERT_EQ(0, set_handler(false));
	ASSERT_EQ(0, pthread_create(&th, NULL, kick, &k));
	t0 = vt_now_ns();
	ASSERT_EQ(-EINTR, vt_wait(self->rig.s, id, VDSWIPE_WAIT_INFINITE));
	ms = vt_ms_since(t0);
	pthread_join(th, NULL);
	ASSERT_EQ(1, signals_seen);
	ASSERT_LE(250, ms);
	ASSERT_GT(300 + SLACK_MS, ms);
	ASSERT_STATE(id, VDSWIPE_STATE_RUNNING);
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
}

TEST_F(wait, restart_does_not_extend_deadline)
{
	struct kicker k = {
		.target = pthread_self(), .at_ms = { 400, 800 }, .n = 2,
	};
	pthread_t th;
	uint64_t id, t0, ms;

	ASSERT_EQ(0, start_long(self, &id));
	ASSERT_EQ(0, set_handler(true));
	ASSERT_EQ(0, pthread_create(&th, NULL, kick, &k));
	t0 = vt_now_ns();
	ASSERT_EQ(-ETIMEDOUT, vt_wait(self->rig.s, id, t0 + VT_NSEC_PER_SEC));
	ms = vt_ms_since(t0);
	pthread_join(th, NULL);
	TH_LOG("deadline 1000 ms, returned after %llu ms, %d signals",
	       (unsigned long long)ms, signals_seen);
	ASSERT_EQ(2, signals_seen);
	ASSERT_LE(1000, ms);
	/* a relative restart would end at 1800 ms or later */
	ASSERT_GT(1500, ms);
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
}

TEST_F(wait, sa_restart_wait_survives_signals)
{
	struct kicker k = {
		.target = pthread_self(), .at_ms = { 100, 300 }, .n = 2,
	};
	pthread_t th;
	uint64_t id;

	ASSERT_EQ(0, start_short(self, &id));
	ASSERT_EQ(0, set_handler(true));
	ASSERT_EQ(0, pthread_create(&th, NULL, kick, &k));
	ASSERT_EQ(0, vt_wait(self->rig.s, id, VDSWIPE_WAIT_INFINITE));
	pthread_join(th, NULL);
	ASSERT_STATE(id, VDSWIPE_STATE_DONE);
}

/* ---------------------------------------------------------- waiters */

struct waiter {
	pthread_t th;
	int s;
	uint64_t id;
	uint64_t deadline;
	int ret;
	uint32_t state;		/* queried right after the wait */
	uint64_t end_ns;
};

static void *waiter_fn(void *p)
{
	struct waiter *w = p;
	struct vdswipe_status st;

	w->ret = vt_wait(w->s, w->id, w->deadline);
	w->end_ns = vt_now_ns();
	w->state = vt_query(w->s, w->id, &st) ? 0 : st.state;
	return NULL;
}

static int start_waiters(struct waiter *w, int n, int s, uint64_t id)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		w[i].s = s;
		w[i].id = id;
		w[i].deadline = VDSWIPE_WAIT_INFINITE;
		w[i].ret = 1;
		ret = pthread_create(&w[i].th, NULL, waiter_fn, &w[i]);
		if (ret)
			return -ret;
	}
	vt_sleep_ms(200);	/* let them block */
	return 0;
}

TEST_F(wait, many_waiters_released_by_cancel)
{
	struct waiter w[NWAITERS];
	uint64_t id, t0;
	int i;

	ASSERT_EQ(0, start_long(self, &id));
	ASSERT_EQ(0, start_waiters(w, NWAITERS, self->rig.s, id));
	for (i = 0; i < NWAITERS; i++)
		ASSERT_EQ(1, w[i].ret) TH_LOG("waiter %d returned early", i);
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	for (i = 0; i < NWAITERS; i++) {
		pthread_join(w[i].th, NULL);
		ASSERT_EQ(0, w[i].ret);
		ASSERT_EQ(VDSWIPE_STATE_CANCELLED, w[i].state);
	}
	ASSERT_GT(SLACK_MS + WRITE_DELAY_MS, vt_ms_since(t0));
}

TEST_F(wait, many_waiters_released_by_completion)
{
	struct waiter w[NWAITERS];
	uint64_t id;
	int i;

	ASSERT_EQ(0, start_short(self, &id));
	ASSERT_EQ(0, start_waiters(w, NWAITERS, self->rig.s, id));
	for (i = 0; i < NWAITERS; i++) {
		pthread_join(w[i].th, NULL);
		ASSERT_EQ(0, w[i].ret);
		ASSERT_EQ(VDSWIPE_STATE_DONE, w[i].state);
	}
}

TEST_F(wait, waiters_with_deadlines_and_infinite_mixed)
{
	struct waiter w[4];
	uint64_t id, now;
	int i;

	ASSERT_EQ(0, start_long(self, &id));
	now = vt_now_ns();
	for (i = 0; i < 4; i++) {
		w[i].s = self->rig.s;
		w[i].id = id;
		w[i].ret = 1;
		w[i].deadline = i < 2 ? now + (200 + 200 * i) * VT_NSEC_PER_MSEC
				      : VDSWIPE_WAIT_INFINITE;
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, waiter_fn, &w[i]));
	}
	pthread_join(w[0].th, NULL);
	pthread_join(w[1].th, NULL);
	ASSERT_EQ(-ETIMEDOUT, w[0].ret);
	ASSERT_EQ(-ETIMEDOUT, w[1].ret);
	ASSERT_LE(w[0].deadline, w[0].end_ns);
	ASSERT_LE(w[1].deadline, w[1].end_ns);
	ASSERT_EQ(1, w[2].ret);
	ASSERT_EQ(1, w[3].ret);
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	for (i = 2; i < 4; i++) {
		pthread_join(w[i].th, NULL);
		ASSERT_EQ(0, w[i].ret);
		ASSERT_EQ(VDSWIPE_STATE_CANCELLED, w[i].state);
	}
}

TEST_F(wait, waiters_released_by_cancel_all)
{
	struct waiter w[2];
	uint32_t n = 0;
	uint64_t id;
	int i;

	ASSERT_EQ(0, start_long(self, &id));
	ASSERT_EQ(0, start_waiters(w, 2, self->rig.s, id));
	ASSERT_EQ(0, vt_cancel_all(self->rig.s, &n));
	ASSERT_EQ(1, n);
	for (i = 0; i < 2; i++) {
		pthread_join(w[i].th, NULL);
		ASSERT_EQ(0, w[i].ret);
		ASSERT_EQ(VDSWIPE_STATE_CANCELLED, w[i].state);
	}
}

TEST_F(wait, other_session_id_enoent)
{
	int s2 = vt_session_open();
	uint64_t id;

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, done_op(self, &id));
	ASSERT_EQ(-ENOENT, vt_wait(s2, id, VDSWIPE_WAIT_INFINITE));
	close(s2);
}

TEST_F(wait, waiter_returns_0_when_op_released_meanwhile)
{
	struct waiter w[2];
	uint64_t id;
	int i;

	/* the waiters started before the op ended and was released */
	ASSERT_EQ(0, start_long(self, &id));
	ASSERT_EQ(0, start_waiters(w, 2, self->rig.s, id));
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	ASSERT_EQ(0, vt_release(self->rig.s, id));
	for (i = 0; i < 2; i++) {
		pthread_join(w[i].th, NULL);
		ASSERT_EQ(0, w[i].ret);
	}
}

/* ------------------------------------------------------ query latency */

struct canceller {
	int s;
	uint64_t id;
	int ret;
	volatile bool done;
};

static void *cancel_fn(void *p)
{
	struct canceller *c = p;

	c->ret = vt_cancel(c->s, c->id);
	c->done = true;
	return NULL;
}

TEST_F(wait, query_never_blocks_during_cancel_and_wait)
{
	struct canceller c = { .s = self->rig.s };
	struct waiter w[1];
	struct vdswipe_status st;
	uint64_t worst = 0, n = 0, t0;
	pthread_t th;

	ASSERT_EQ(0, start_long(self, &c.id));
	ASSERT_EQ(0, start_waiters(w, 1, self->rig.s, c.id));
	ASSERT_EQ(0, pthread_create(&th, NULL, cancel_fn, &c));
	t0 = vt_now_ns();
	while (!c.done && vt_ms_since(t0) < 10000) {
		uint64_t q0 = vt_now_ns(), d;

		ASSERT_EQ(0, vt_query(self->rig.s, c.id, &st));
		d = vt_ms_since(q0);
		if (d > worst)
			worst = d;
		n++;
	}
	pthread_join(th, NULL);
	pthread_join(w[0].th, NULL);
	TH_LOG("cancel took %llu ms; %llu queries meanwhile, slowest %llu ms",
	       (unsigned long long)vt_ms_since(t0), (unsigned long long)n,
	       (unsigned long long)worst);
	ASSERT_EQ(0, c.ret);
	ASSERT_EQ(0, w[0].ret);
	ASSERT_GT(WRITE_DELAY_MS / 2, worst);
}

TEST_F(wait, query_of_running_op_does_not_wait_for_progress)
{
	struct vdswipe_status st;
	uint64_t id, t0, worst = 0;
	int i;

	ASSERT_EQ(0, start_long(self, &id));
	for (i = 0; i < 200; i++) {
		t0 = vt_now_ns();
		ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
		if (vt_ms_since(t0) > worst)
			worst = vt_ms_since(t0);
	}
	ASSERT_GT(WRITE_DELAY_MS / 2, worst);
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
}

/* ------------------------------------------------------ rejections */

TEST_F(wait, unknown_id_enoent)
{
	ASSERT_EQ(-ENOENT, vt_wait(self->rig.s, 0x7777777ULL,
				   VDSWIPE_WAIT_INFINITE));
}

TEST_F(wait, id_zero_enoent)
{
	ASSERT_EQ(-ENOENT, vt_wait(self->rig.s, 0, VDSWIPE_WAIT_INFINITE));
}

TEST_F(wait, released_id_enoent)
{
	uint64_t id;

	ASSERT_EQ(0, done_op(self, &id));
	ASSERT_EQ(0, vt_release(self->rig.s, id));
	ASSERT_EQ(-ENOENT, vt_wait(self->rig.s, id, VDSWIPE_WAIT_INFINITE));
}

TEST_F(wait, einval_flags)
{
	struct vdswipe_wait wt = { .deadline = VDSWIPE_WAIT_INFINITE };
	uint64_t id;

	ASSERT_EQ(0, done_op(self, &id));
	wt.op_id = id;
	wt.flags = 1;
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_WAIT, &wt));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(wait, einval_reserved)
{
	struct vdswipe_wait wt = { .deadline = VDSWIPE_WAIT_INFINITE };
	uint64_t id;

	ASSERT_EQ(0, done_op(self, &id));
	wt.op_id = id;
	wt.reserved = 1;
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_WAIT, &wt));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(wait, efault)
{
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_WAIT, NULL));
	ASSERT_EQ(EFAULT, errno);
}

TEST_HARNESS_MAIN
