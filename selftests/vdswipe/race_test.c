// SPDX-License-Identifier: GPL-2.0
/*
 * Cancel racing the op's own end, thousands of times: exactly one side wins,
 * always, and the op's final state says which (vdswipe.rst: "If the op ends
 * CANCELLED, the cancel that requested it returned 0; otherwise every cancel
 * returned EALREADY").
 *
 * Each iteration submits a 64 KiB ranged clean of a brd disk and cancels it
 * after a short spin whose length adapts so that both outcomes keep
 * happening. Bounded by an iteration count and by time.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define DEV_MIB		16
#define OP_LEN		(64 * VT_KIB)
#define MAX_ITER	5000
#define MAX_MS		12000	/* per test, under TCG */

FIXTURE(race) {
	int s;
	int fd;
	char dev[64];
	int fds[3];		/* ram1..ram3 */
};

FIXTURE_SETUP(race)
{
	int ret, i;

	self->s = self->fd = -1;
	self->fds[0] = self->fds[1] = self->fds[2] = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	ret = vt_brd_load(4, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->dev, sizeof(self->dev));
	/* allocate brd's pages once, so ops run at a steady speed */
	ASSERT_EQ(0, vt_fill(self->dev, 0, DEV_MIB * VT_MIB, 0xA5));
	self->fd = vt_open(self->dev, O_RDWR);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < 3; i++) {
		char p[64];

		self->fds[i] = vt_open(vt_brd_path(i + 1, p, sizeof(p)), O_RDWR);
		ASSERT_LE(0, self->fds[i]);
	}
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(race)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	for (int i = 0; i < 3; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

static void spin(unsigned int loops)
{
	volatile unsigned int i;

	for (i = 0; i < loops; i++)
		;
}

/* Adapt the spin so that cancels land around the op's end. */
static unsigned int adapt(unsigned int loops, bool cancel_won)
{
	if (cancel_won)
		return loops >= (1U << 24) ? loops :
		       loops + 1 + loops / 8 + (rand() % 64);
	return loops > 8 ? loops - loops / 4 - (rand() % 8) : rand() % 8;
}

struct tally {
	unsigned int iters, cancel_won, op_won;
};

/* A run in which one side always won did not exercise the race. */
#define BOTH_SIDES_WON(t) do {						\
	if (!(t).cancel_won || !(t).op_won)				\
		SKIP(return, "race window not hit (cancel won %u, op won %u)", \
		     (t).cancel_won, (t).op_won);			\
} while (0)

static int submit_small(FIXTURE_DATA(race) *self, unsigned int i,
			uint64_t *id)
{
	uint64_t off = (uint64_t)(i % (DEV_MIB * VT_MIB / OP_LEN)) * OP_LEN;

	return vt_submit(self->s, self->fd,
			 VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE |
			 VDSWIPE_CLEAN_RANGE, VDSWIPE_METHOD_ZERO, 0, off,
			 OP_LEN, id, NULL);
}

/*
 * The op ended as @cancel_won says, and stays that way: the final state,
 * result, progress and a second query agree.
 */
#define ASSERT_OUTCOME(id, cancel_won) do {				\
	struct vdswipe_status _st, _st2;				\
	ASSERT_EQ(0, vt_wait_ms(self->s, (id), 10000))			\
		TH_LOG("op did not end after the cancel");		\
	ASSERT_EQ(0, vt_query(self->s, (id), &_st));			\
	if (cancel_won) {						\
		ASSERT_EQ(VDSWIPE_STATE_CANCELLED, _st.state)		\
			TH_LOG("cancel returned 0 but op is %s (%d)",	\
			       vt_state_name(_st.state), _st.result);	\
		ASSERT_EQ(-ECANCELED, _st.result);			\
		ASSERT_GE(99, _st.percent);				\
	} else {							\
		ASSERT_EQ(VDSWIPE_STATE_DONE, _st.state)		\
			TH_LOG("cancel returned EALREADY but op is %s (%d)", \
			       vt_state_name(_st.state), _st.result);	\
		ASSERT_EQ(0, _st.result);				\
		ASSERT_EQ(100, _st.percent);				\
		ASSERT_EQ(OP_LEN, _st.bytes_done);			\
	}								\
	ASSERT_EQ(0, vt_query(self->s, (id), &_st2));			\
	ASSERT_EQ(_st.state, _st2.state);				\
	ASSERT_EQ(_st.result, _st2.result);				\
	ASSERT_EQ(_st.bytes_done, _st2.bytes_done);			\
	ASSERT_EQ(0, vt_release(self->s, (id)));			\
} while (0)

TEST_F_TIMEOUT(race, cancel_vs_completion, 90)
{
	struct tally t = { 0 };
	unsigned int loops = 0;
	uint64_t start = vt_now_ns();

	srand(1);
	while (t.iters < MAX_ITER && vt_ms_since(start) < MAX_MS) {
		uint64_t id;
		int r;

		ASSERT_EQ(0, submit_small(self, t.iters, &id));
		spin(loops);
		r = vt_cancel(self->s, id);
		ASSERT_TRUE(r == 0 || r == -EALREADY)
			TH_LOG("iteration %u: cancel returned %d", t.iters, r);
		ASSERT_OUTCOME(id, r == 0);
		if (r == 0)
			t.cancel_won++;
		else
			t.op_won++;
		loops = adapt(loops, r == 0);
		t.iters++;
	}
	TH_LOG("%u iterations in %llu ms: cancel won %u, op won %u",
	       t.iters, (unsigned long long)vt_ms_since(start), t.cancel_won,
	       t.op_won);
	ASSERT_LE(200, t.iters);
	BOTH_SIDES_WON(t);
}

TEST_F_TIMEOUT(race, cancel_all_vs_completion, 90)
{
	struct tally t = { 0 };
	unsigned int loops = 0;
	uint64_t start = vt_now_ns();

	srand(2);
	while (t.iters < MAX_ITER && vt_ms_since(start) < MAX_MS) {
		uint32_t n = 99;
		uint64_t id;

		ASSERT_EQ(0, submit_small(self, t.iters, &id));
		spin(loops);
		ASSERT_EQ(0, vt_cancel_all(self->s, &n));
		ASSERT_TRUE(n == 0 || n == 1)
			TH_LOG("iteration %u: cancel-all counted %u", t.iters,
			       n);
		ASSERT_OUTCOME(id, n == 1);
		if (n)
			t.cancel_won++;
		else
			t.op_won++;
		loops = adapt(loops, n == 1);
		t.iters++;
	}
	TH_LOG("%u iterations: cancel-all won %u, op won %u", t.iters,
	       t.cancel_won, t.op_won);
	ASSERT_LE(200, t.iters);
	BOTH_SIDES_WON(t);
}

/* Two threads cancel the same op at the same moment. */
struct duel {
	pthread_barrier_t start, done;
	int s;
	volatile uint64_t id;
	volatile bool stop;
	int ret[2];
	unsigned int loops[2];
};

struct duel_arg {
	struct duel *d;
	int who;
};

static void *duelist(void *p)
{
	struct duel_arg *a = p;
	struct duel *d = a->d;

	for (;;) {
		pthread_barrier_wait(&d->start);
		if (d->stop)
			break;
		spin(d->loops[a->who]);
		d->ret[a->who] = vt_cancel(d->s, d->id);
		pthread_barrier_wait(&d->done);
	}
	return NULL;
}

TEST_F_TIMEOUT(race, two_cancellers_vs_completion, 90)
{
	struct duel d = { .s = self->s };
	struct duel_arg args[2] = { { &d, 0 }, { &d, 1 } };
	pthread_t th[2];
	struct tally t = { 0 };
	unsigned int loops = 0, bad = 0;
	uint64_t start = vt_now_ns();
	int i;

	srand(3);
	ASSERT_EQ(0, pthread_barrier_init(&d.start, NULL, 3));
	ASSERT_EQ(0, pthread_barrier_init(&d.done, NULL, 3));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, duelist, &args[i]));

	while (t.iters < MAX_ITER / 2 && vt_ms_since(start) < MAX_MS && !bad) {
		uint64_t id;
		int r0, r1, zeros;
		bool won;

		if (submit_small(self, t.iters, &id)) {
			bad = 1;
			break;
		}
		d.id = id;
		d.loops[0] = loops;
		d.loops[1] = loops + rand() % 16;
		pthread_barrier_wait(&d.start);
		pthread_barrier_wait(&d.done);
		r0 = d.ret[0];
		r1 = d.ret[1];
		zeros = (r0 == 0) + (r1 == 0);
		/* {0, ECANCELED} or {EALREADY, EALREADY} */
		won = zeros == 1 && (r0 == -ECANCELED || r1 == -ECANCELED);
		if (!won && !(r0 == -EALREADY && r1 == -EALREADY)) {
			TH_LOG("iteration %u: cancels returned %d and %d",
			       t.iters, r0, r1);
			bad = 2;
			break;
		}
		if (won)
			t.cancel_won++;
		else
			t.op_won++;
		{
			struct vdswipe_status st;

			if (vt_wait_ms(self->s, id, 10000) ||
			    vt_query(self->s, id, &st) ||
			    st.state != (won ? VDSWIPE_STATE_CANCELLED :
					 VDSWIPE_STATE_DONE) ||
			    vt_release(self->s, id)) {
				TH_LOG("iteration %u: cancels %d/%d, op %s (%d)",
				       t.iters, r0, r1,
				       vt_state_name(st.state), st.result);
				bad = 3;
				break;
			}
		}
		loops = adapt(loops, won);
		t.iters++;
	}
	d.stop = true;
	pthread_barrier_wait(&d.start);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	TH_LOG("%u iterations: a cancel won %u, op won %u", t.iters,
	       t.cancel_won, t.op_won);
	ASSERT_EQ(0, bad);
	ASSERT_LE(100, t.iters);
	BOTH_SIDES_WON(t);
}

/* A waiter blocked on the op is released whichever side wins. */
struct waiter {
	int s;
	uint64_t id;
	int ret;
};

static void *wait_thread(void *p)
{
	struct waiter *w = p;

	w->ret = vt_wait(w->s, w->id, VDSWIPE_WAIT_INFINITE);
	return NULL;
}

TEST_F_TIMEOUT(race, cancel_vs_completion_with_waiter, 90)
{
	struct tally t = { 0 };
	unsigned int loops = 0;
	uint64_t start = vt_now_ns();

	srand(4);
	while (t.iters < MAX_ITER / 3 && vt_ms_since(start) < MAX_MS) {
		struct waiter w = { .s = self->s };
		pthread_t th;
		int r;

		ASSERT_EQ(0, submit_small(self, t.iters, &w.id));
		ASSERT_EQ(0, pthread_create(&th, NULL, wait_thread, &w));
		spin(loops);
		r = vt_cancel(self->s, w.id);
		ASSERT_TRUE(r == 0 || r == -EALREADY)
			TH_LOG("iteration %u: cancel returned %d", t.iters, r);
		ASSERT_EQ(0, pthread_join(th, NULL));
		ASSERT_EQ(0, w.ret);
		ASSERT_OUTCOME(w.id, r == 0);
		if (r == 0)
			t.cancel_won++;
		else
			t.op_won++;
		loops = adapt(loops, r == 0);
		t.iters++;
	}
	TH_LOG("%u iterations: cancel won %u, op won %u", t.iters,
	       t.cancel_won, t.op_won);
	ASSERT_LE(100, t.iters);
	BOTH_SIDES_WON(t);
}

/* Every op queues exactly one record, whichever side of the race won. */
TEST_F_TIMEOUT(race, one_record_per_op_under_race, 90)
{
	struct tally t = { 0 };
	unsigned int loops = 0;
	uint64_t start = vt_now_ns();

	srand(5);
	while (t.iters < MAX_ITER / 3 && vt_ms_since(start) < MAX_MS) {
		struct vdswipe_event ev[4];
		struct vdswipe_status st;
		struct pollfd p = { .fd = self->s, .events = POLLIN };
		uint64_t id;
		ssize_t n;
		int r;

		ASSERT_EQ(0, submit_small(self, t.iters, &id));
		spin(loops);
		r = vt_cancel(self->s, id);
		ASSERT_EQ(0, vt_wait_ms(self->s, id, 10000));
		ASSERT_EQ(0, vt_query(self->s, id, &st));
		ASSERT_EQ(1, poll(&p, 1, 5000));
		n = read(self->s, ev, sizeof(ev));
		ASSERT_EQ(sizeof(ev[0]), n)
			TH_LOG("iteration %u: read %zd bytes", t.iters, n);
		ASSERT_EQ(id, ev[0].op_id);
		ASSERT_EQ(st.state, ev[0].state);
		ASSERT_EQ(st.result, ev[0].result);
		ASSERT_EQ(st.bytes_done, ev[0].bytes_done);
		ASSERT_EQ(r == 0 ? VDSWIPE_STATE_CANCELLED : VDSWIPE_STATE_DONE,
			  ev[0].state);
		ASSERT_EQ(0, poll(&p, 1, 0));
		ASSERT_EQ(0, vt_release(self->s, id));
		if (r == 0)
			t.cancel_won++;
		else
			t.op_won++;
		loops = adapt(loops, r == 0);
		t.iters++;
	}
	TH_LOG("%u iterations: cancel won %u, op won %u", t.iters,
	       t.cancel_won, t.op_won);
	ASSERT_LE(100, t.iters);
	BOTH_SIDES_WON(t);
}

/*
 * The end of an op, a cancel, a close and an unload in quick succession:
 * once close() has returned no op work may touch the session, and once the
 * last session is closed the module must unload with nothing of it still
 * running. A use-after-free shows up as an oops or warning: the kernel's
 * taint flags are checked at the end (and the runner scans dmesg).
 */
#define ASSERT_NO_NEW_TAINT(before) do {				\
	if (before)							\
		TH_LOG("kernel was tainted before (0x%lx): not checked",	\
		       (before));					\
	else								\
		ASSERT_EQ(0, vt_bad_taint())				\
			TH_LOG("the kernel oopsed or warned");		\
} while (0)

static int quick_op(int s, int fd, unsigned int i, uint64_t *id)
{
	uint64_t off = (uint64_t)(i % 64) * OP_LEN;

	return vt_submit(s, fd, VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE |
			 VDSWIPE_CLEAN_RANGE, VDSWIPE_METHOD_ZERO, 0, off,
			 OP_LEN, id, NULL);
}

TEST_F_TIMEOUT(race, close_right_after_cancel, 60)
{
	unsigned long taint = vt_bad_taint();
	uint64_t start = vt_now_ns();
	unsigned int i;

	srand(7);
	for (i = 0; i < 1000 && vt_ms_since(start) < 8000; i++) {
		int s2 = vt_session_open();
		uint64_t id;
		int r;

		ASSERT_LE(0, s2);
		ASSERT_EQ(0, quick_op(s2, self->fd, i, &id));
		spin(rand() % 20000);
		r = vt_cancel(s2, id);
		ASSERT_TRUE(r == 0 || r == -EALREADY);
		ASSERT_EQ(0, close(s2));
	}
	TH_LOG("%u sessions", i);
	ASSERT_NO_NEW_TAINT(taint);
}

TEST_F_TIMEOUT(race, close_right_after_end, 60)
{
	unsigned long taint = vt_bad_taint();
	uint64_t start = vt_now_ns();
	unsigned int i;

	for (i = 0; i < 1000 && vt_ms_since(start) < 8000; i++) {
		int s2 = vt_session_open();
		uint64_t id;

		ASSERT_LE(0, s2);
		ASSERT_EQ(0, quick_op(s2, self->fd, i, &id));
		ASSERT_EQ(0, vt_wait(s2, id, VDSWIPE_WAIT_INFINITE));
		ASSERT_EQ(0, close(s2));
	}
	TH_LOG("%u sessions", i);
	ASSERT_NO_NEW_TAINT(taint);
}

TEST_F_TIMEOUT(race, close_with_ops_in_flight, 60)
{
	unsigned long taint = vt_bad_taint();
	uint64_t start = vt_now_ns();
	unsigned int i;
	int k;

	srand(8);
	for (i = 0; i < 500 && vt_ms_since(start) < 8000; i++) {
		int s2 = vt_session_open();
		uint64_t id;

		ASSERT_LE(0, s2);
		ASSERT_EQ(0, quick_op(s2, self->fd, i, &id));
		for (k = 0; k < 3; k++)
			ASSERT_EQ(0, quick_op(s2, self->fds[k], i, &id));
		spin(rand() % 20000);
		ASSERT_EQ(0, close(s2));
	}
	TH_LOG("%u sessions", i);
	ASSERT_NO_NEW_TAINT(taint);
}

TEST_F_TIMEOUT(race, release_right_after_end, 60)
{
	unsigned long taint = vt_bad_taint();
	uint64_t start = vt_now_ns();
	unsigned int i;

	for (i = 0; i < 2000 && vt_ms_since(start) < 8000; i++) {
		struct vdswipe_status st;
		uint64_t id;
		int r;

		ASSERT_EQ(0, quick_op(self->s, self->fd, i, &id));
		/* poll until ended, then release at once */
		do {
			ASSERT_EQ(0, vt_query(self->s, id, &st));
		} while (!vt_state_ended(st.state));
		r = vt_release(self->s, id);
		ASSERT_EQ(0, r);
	}
	TH_LOG("%u ops", i);
	ASSERT_NO_NEW_TAINT(taint);
}

TEST_F_TIMEOUT(race, unload_right_after_last_close, 90)
{
	unsigned long taint = vt_bad_taint();
	uint64_t start = vt_now_ns();
	unsigned int i;

	close(self->s);
	self->s = -1;
	srand(9);
	for (i = 0; i < 100 && vt_ms_since(start) < 20000; i++) {
		int s2 = vt_session_open();
		uint64_t id;
		int r;

		ASSERT_LE(0, s2);
		ASSERT_EQ(0, quick_op(s2, self->fd, i, &id));
		if (i % 2) {
			r = vt_cancel(s2, id);
			ASSERT_TRUE(r == 0 || r == -EALREADY);
		} else {
			ASSERT_EQ(0, vt_wait(s2, id, VDSWIPE_WAIT_INFINITE));
		}
		ASSERT_EQ(0, close(s2));
		ASSERT_EQ(0, vt_run("rmmod " VT_MODULE))
			TH_LOG("iteration %u: rmmod failed after the last close",
			       i);
		ASSERT_EQ(0, vt_module_load(NULL));
	}
	TH_LOG("%u unloads", i);
	ASSERT_NO_NEW_TAINT(taint);
}

TEST_HARNESS_MAIN
