// SPDX-License-Identifier: GPL-2.0
/*
 * VDSWIPE_IOC_CANCEL, VDSWIPE_IOC_CANCEL_ALL and close(), with the
 * cancel_work_sync() guarantees of Documentation/userspace-api/vdswipe.rst:
 * a queued op never runs and leaves its device untouched; a running op stops
 * and, once Cancel has returned 0, its device never changes again.
 *
 * The module runs one op at a time (max_active=1) with 256 KiB chunks. The
 * slow device is a dm-delay table over ram0 that holds every write for
 * WRITE_DELAY_MS while reads pass at once: a write still in flight when
 * Cancel returns would land later and show up as a difference between two
 * reads of the device. ram1 and ram2 are plain brd disks that ops queue on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"

#define MOD_PARAMS	"max_active=1 chunk_size=262144"
#define DEV_MIB		16
#define WRITE_DELAY_MS	500
#define SEED		0xca9ce1ULL
#define FILL1		0xA5
#define FILL2		0x5A

/* The slow device is over ram0; ram1 and ram2 are plain. */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 3,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswslow",
	.slow_disk = 0,
	.write_delay_ms = WRITE_DELAY_MS,
	.open_fds = true,
	.session = true,
};

FIXTURE(cancel) {
	struct vt_rig rig;
	uint64_t size;
};

FIXTURE_SETUP(cancel)
{
	if (!vt_rig_module(_metadata, &self->rig, &rig_opts) ||
	    !vt_rig_disks(_metadata, &self->rig))
		return;
	self->size = DEV_MIB * VT_MIB;
	ASSERT_EQ(0, vt_fill_seeded(self->rig.ram[0], 0, self->size, SEED));
	ASSERT_EQ(0, vt_fill(self->rig.ram[1], 0, self->size, FILL1));
	ASSERT_EQ(0, vt_fill(self->rig.ram[2], 0, self->size, FILL2));
	vt_rig_slow(_metadata, &self->rig);
}

FIXTURE_TEARDOWN(cancel)
{
	vt_rig_close(&self->rig);
	vt_nullb_destroy("vdswdisc");
	vt_rig_teardown(_metadata, &self->rig);
}

#define F_FULL_FORCE	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)

/* Start a full clean of the slow device and wait until it has written. */
static int start_slow(FIXTURE_DATA(cancel) *self, int session, uint64_t *id,
		      struct vdswipe_status *st)
{
	int ret = vt_submit(session, self->rig.slowfd, F_FULL_FORCE,
			    VDSWIPE_METHOD_ZERO, 0, 0, 0, id, NULL);

	if (ret)
		return ret;
	return vt_wait_progress(session, *id, 1, 20000, st);
}

/* The op is CANCELLED with result -ECANCELED. */
#define ASSERT_CANCELLED(session, id) do {				\
	struct vdswipe_status _st;					\
	ASSERT_EQ(0, vt_query((session), (id), &_st));			\
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, _st.state)			\
		TH_LOG("state %s", vt_state_name(_st.state));		\
	ASSERT_EQ(-ECANCELED, _st.result);				\
	ASSERT_EQ(~0ULL, _st.error_offset);				\
	ASSERT_GE(99, _st.percent);					\
} while (0)

/*
 * Read the whole slow device, wait several write delays, read it again:
 * nothing may have changed.
 */
#define ASSERT_SLOW_STABLE() do {					\
	uint64_t _bad = 0;						\
	void *_snap = vt_snapshot(self->rig.slow, 0, self->size);	\
	ASSERT_NE(NULL, _snap);						\
	vt_sleep_ms(3 * WRITE_DELAY_MS);				\
	ASSERT_EQ(0, vt_compare_snapshot(self->rig.slow, 0, self->size,	\
					 _snap, &_bad))			\
		TH_LOG("device changed at %llu after the cancel returned", \
		       (unsigned long long)_bad);			\
	free(_snap);							\
} while (0)

TEST_F(cancel, queued_op_dequeued_never_runs)
{
	struct vdswipe_status st;
	uint64_t a, b;
	uint64_t bad = 0;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1], F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &b, NULL));
	ASSERT_EQ(0, vt_query(self->rig.s, b, &st));
	ASSERT_EQ(VDSWIPE_STATE_QUEUED, st.state)
		TH_LOG("with max_active=1 the second op is %s",
		       vt_state_name(st.state));
	ASSERT_EQ(0, vt_cancel(self->rig.s, b));
	ASSERT_CANCELLED(self->rig.s, b);
	ASSERT_EQ(0, vt_query(self->rig.s, b, &st));
	ASSERT_EQ(0, st.bytes_done);
	ASSERT_EQ(0, st.percent);
	/* let the slot free up: the cancelled op must still never run */
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	vt_sleep_ms(500);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL1,
				   &bad))
		TH_LOG("cancelled queued op wrote at %llu",
		       (unsigned long long)bad);
	ASSERT_CANCELLED(self->rig.s, b);
}

TEST_F(cancel, queued_op_cancel_releases_device)
{
	struct vdswipe_status st;
	uint64_t a, b, c;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1], F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &b, NULL));
	ASSERT_EQ(-EBUSY, vt_try_excl(self->rig.ram[1]));
	ASSERT_EQ(0, vt_cancel(self->rig.s, b));
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[1]));
	/* and a new op on it is accepted */
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1], F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &c, NULL));
	ASSERT_NE(b, c);
	ASSERT_EQ(0, vt_cancel(self->rig.s, c));
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
}

TEST_F_TIMEOUT(cancel, running_op_content_stable_after_cancel, 60)
{
	struct vdswipe_status st, st2;
	uint64_t a, t0, ms;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_LT(st.bytes_done, st.bytes_total);
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ms = vt_ms_since(t0);
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st2));
	TH_LOG("cancel took %llu ms; %llu of %llu bytes done",
	       (unsigned long long)ms, (unsigned long long)st2.bytes_done,
	       (unsigned long long)st2.bytes_total);
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st2.state);
	ASSERT_EQ(-ECANCELED, st2.result);
	/* at most the chunks in flight (each held WRITE_DELAY_MS) to wait for */
	ASSERT_GT(WRITE_DELAY_MS + 1500, ms);
	ASSERT_LE(st.bytes_done, st2.bytes_done);
	ASSERT_LT(st2.bytes_done, st2.bytes_total);
	ASSERT_SLOW_STABLE();
	/* and the op's own view does not move either */
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(st2.bytes_done, st.bytes_done);
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state);
}

TEST_F(cancel, running_op_cancelled_before_first_chunk_completes)
{
	struct vdswipe_status st;
	uint64_t a, t0, ms;

	/*
	 * Cancel as soon as the op runs: its first writes are then held in
	 * dm-delay, and Cancel may only return once they have completed.
	 */
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd, F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &a, NULL));
	ASSERT_EQ(0, vt_wait_progress(self->rig.s, a, 0, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, st.state);
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ms = vt_ms_since(t0);
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	TH_LOG("cancel took %llu ms with %llu bytes done",
	       (unsigned long long)ms, (unsigned long long)st.bytes_done);
	ASSERT_CANCELLED(self->rig.s, a);
	ASSERT_SLOW_STABLE();
}

/*
 * A cancel that arrives once every byte of the op is in flight is too late
 * (issue 9, defect 9): the op has one chunk (256 KiB), held WRITE_DELAY_MS
 * in dm-delay, and the cancel comes while it is held. The op must flush and
 * end DONE, and the cancel return EALREADY; it used to end CANCELLED at 99%.
 */
TEST_F(cancel, cancel_with_every_byte_in_flight_too_late)
{
	struct vdswipe_status st;
	uint64_t a, t0;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd,
			       F_FULL_FORCE | VDSWIPE_CLEAN_RANGE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 256 * VT_KIB, &a,
			       NULL));
	ASSERT_EQ(0, vt_wait_progress(self->rig.s, a, 0, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, st.state);
	/* the one chunk is submitted at once and held for WRITE_DELAY_MS */
	vt_sleep_ms(WRITE_DELAY_MS / 5);
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(0, st.bytes_done);
	ASSERT_EQ(-EALREADY, vt_cancel(self->rig.s, a));
	TH_LOG("cancel took %llu ms", (unsigned long long)vt_ms_since(t0));
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state)
		TH_LOG("state %s", vt_state_name(st.state));
	ASSERT_EQ(0, st.result);
	ASSERT_EQ(100, st.percent);
	ASSERT_EQ(256 * VT_KIB, st.bytes_done);
	ASSERT_EQ(0, vt_check_fill(self->rig.slow, 0, 256 * VT_KIB, 0, NULL));
}

TEST_F(cancel, cancelled_percent_is_share_written)
{
	struct vdswipe_status st;
	uint64_t a, share;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_wait_progress(self->rig.s, a, 2 * VT_MIB, 20000, &st));
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state);
	share = st.bytes_done * 100 / st.bytes_total;
	ASSERT_LE(st.percent, 99);
	ASSERT_LE(share, st.percent + 1);
	ASSERT_LE(st.percent, share + 1);
}

TEST_F(cancel, second_cancel_of_running_op_ecanceled)
{
	struct vdswipe_status st;
	uint64_t a;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ASSERT_EQ(-ECANCELED, vt_cancel(self->rig.s, a));
	ASSERT_EQ(-ECANCELED, vt_cancel(self->rig.s, a));
	ASSERT_CANCELLED(self->rig.s, a);
}

TEST_F(cancel, second_cancel_of_queued_op_ecanceled)
{
	struct vdswipe_status st;
	uint64_t a, b;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1], F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &b, NULL));
	ASSERT_EQ(0, vt_cancel(self->rig.s, b));
	ASSERT_EQ(-ECANCELED, vt_cancel(self->rig.s, b));
	ASSERT_CANCELLED(self->rig.s, b);
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
}

TEST_F(cancel, cancel_after_done_ealready)
{
	struct vdswipe_status st;
	uint64_t b;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1],
			       F_FULL_FORCE | VDSWIPE_CLEAN_RANGE,
			       VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, &b, NULL));
	ASSERT_EQ(0, vt_finish(self->rig.s, b, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(-EALREADY, vt_cancel(self->rig.s, b));
	ASSERT_EQ(-EALREADY, vt_cancel(self->rig.s, b));
	ASSERT_EQ(0, vt_query(self->rig.s, b, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, st.result);
	ASSERT_EQ(100, st.percent);
	ASSERT_EQ(VT_MIB, st.bytes_done);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, VT_MIB, 0, NULL));
}

TEST_F(cancel, cancel_discard_op_eopnotsupp)
{
	struct vt_nullb_opts o = {
		.size_mib = 8, .memory_backed = true, .discard = true,
	};
	struct vdswipe_status st;
	char path[64];
	uint64_t a, d;
	int fd, ret;

	ret = vt_nullb_create("vdswdisc", &o, path, sizeof(path));
	if (ret)
		SKIP(return, "no discard null_blk (%s)", strerror(-ret));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	/* queue the discard behind the slow op, so it cannot have ended */
	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, fd, VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_DISCARD, 0, 0, 0, &d, NULL));
	ASSERT_EQ(-EOPNOTSUPP, vt_cancel(self->rig.s, d));
	ASSERT_EQ(0, vt_query(self->rig.s, d, &st));
	ASSERT_FALSE(vt_state_ended(st.state))
		TH_LOG("refused cancel changed the op to %s",
		       vt_state_name(st.state));
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	/* the untouched discard op runs to its end */
	ASSERT_EQ(0, vt_finish(self->rig.s, d, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state)
		TH_LOG("discard op: %s %d", vt_state_name(st.state), st.result);
	ASSERT_EQ(VDSWIPE_METHOD_DISCARD, st.method);
	close(fd);
}

TEST_F(cancel, cancel_unknown_id_enoent)
{
	ASSERT_EQ(-ENOENT, vt_cancel(self->rig.s, 0x123456789ULL));
}

TEST_F(cancel, cancel_id_zero_enoent)
{
	ASSERT_EQ(-ENOENT, vt_cancel(self->rig.s, 0));
}

TEST_F(cancel, cancel_einval_flags)
{
	struct vdswipe_status st;
	struct vdswipe_op_ref r = { 0 };
	uint64_t a;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	r.op_id = a;
	r.flags = 1;
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_CANCEL, &r));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, st.state);
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
}

TEST_F(cancel, cancel_einval_reserved)
{
	struct vdswipe_status st;
	struct vdswipe_op_ref r = { 0 };
	uint64_t a;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	r.op_id = a;
	r.reserved = 1;
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_CANCEL, &r));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, st.state);
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
}

TEST_F(cancel, cancel_efault)
{
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_CANCEL, NULL));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F_TIMEOUT(cancel, cancel_all_counts_running_and_queued, 60)
{
	struct vdswipe_status st;
	uint64_t a, b, c, d;
	uint32_t n = 99;

	/* d: ended before, must stay DONE and not be counted */
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[2],
			       F_FULL_FORCE | VDSWIPE_CLEAN_RANGE,
			       VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, &d, NULL));
	ASSERT_EQ(0, vt_finish(self->rig.s, d, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_fill(self->rig.ram[2], 0, VT_MIB, FILL2));

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1], F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &b, NULL));
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[2], F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &c, NULL));
	ASSERT_EQ(0, vt_cancel_all(self->rig.s, &n));
	ASSERT_EQ(3, n);
	ASSERT_CANCELLED(self->rig.s, a);
	ASSERT_CANCELLED(self->rig.s, b);
	ASSERT_CANCELLED(self->rig.s, c);
	ASSERT_EQ(0, vt_query(self->rig.s, d, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, st.result);
	/* every op behaves as after a CANCEL */
	ASSERT_EQ(-ECANCELED, vt_cancel(self->rig.s, a));
	ASSERT_EQ(-ECANCELED, vt_cancel(self->rig.s, b));
	ASSERT_EQ(-EALREADY, vt_cancel(self->rig.s, d));
	ASSERT_SLOW_STABLE();
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL1,
				   NULL));
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[2], 0, self->size, FILL2,
				   NULL));
	/* a second cancel-all finds nothing to cancel */
	n = 99;
	ASSERT_EQ(0, vt_cancel_all(self->rig.s, &n));
	ASSERT_EQ(0, n);
}

/*
 * CANCEL_ALL with a running op and one queued behind it, right after the
 * running one completed a batch of chunks: the queued op must be taken off
 * the queue, not started on the worker the running op frees.
 */
TEST_F_TIMEOUT(cancel, cancel_all_queued_op_never_starts, 60)
{
	struct vdswipe_status st;
	uint64_t a, b;
	uint32_t n;
	int i;

	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
		ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1],
				       F_FULL_FORCE, VDSWIPE_METHOD_ZERO, 0, 0,
				       0, &b, NULL));
		n = 99;
		ASSERT_EQ(0, vt_cancel_all(self->rig.s, &n));
		ASSERT_EQ(2, n) TH_LOG("round %d", i);
		ASSERT_EQ(0, vt_query(self->rig.s, b, &st));
		ASSERT_EQ(0, st.bytes_done);
		ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, VT_MIB, FILL1,
					   NULL))
			TH_LOG("round %d: the queued op ran", i);
		ASSERT_EQ(0, vt_release(self->rig.s, a));
		ASSERT_EQ(0, vt_release(self->rig.s, b));
	}
}

TEST_F(cancel, cancel_all_empty_session_zero)
{
	uint32_t n = 99;

	ASSERT_EQ(0, vt_cancel_all(self->rig.s, &n));
	ASSERT_EQ(0, n);
}

TEST_F(cancel, cancel_all_skips_discard_op)
{
	struct vt_nullb_opts o = {
		.size_mib = 8, .memory_backed = true, .discard = true,
	};
	struct vdswipe_status st;
	char path[64];
	uint64_t a, d;
	uint32_t n = 99;
	int fd, ret;

	ret = vt_nullb_create("vdswdisc", &o, path, sizeof(path));
	if (ret)
		SKIP(return, "no discard null_blk (%s)", strerror(-ret));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, fd, VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_DISCARD, 0, 0, 0, &d, NULL));
	ASSERT_EQ(0, vt_cancel_all(self->rig.s, &n));
	ASSERT_EQ(1, n);
	ASSERT_CANCELLED(self->rig.s, a);
	ASSERT_EQ(0, vt_finish(self->rig.s, d, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	close(fd);
}

TEST_F(cancel, cancel_all_leaves_other_sessions_alone)
{
	struct vdswipe_status st;
	uint64_t a, b;
	uint32_t n = 99;
	int s2 = vt_session_open();

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_submit(s2, self->rig.fd[1],
			       F_FULL_FORCE | VDSWIPE_CLEAN_RANGE,
			       VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, &b, NULL));
	ASSERT_EQ(0, vt_cancel_all(self->rig.s, &n));
	ASSERT_EQ(1, n);
	/* b may run (and end) as soon as a is gone, but it is not cancelled */
	ASSERT_EQ(0, vt_query(s2, b, &st));
	ASSERT_NE(VDSWIPE_STATE_CANCELLED, st.state);
	ASSERT_EQ(0, vt_finish(s2, b, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	close(s2);
}

TEST_F(cancel, cancel_all_einval_flags)
{
	struct vdswipe_cancel_all ca = { .flags = 1 };
	struct vdswipe_status st;
	uint64_t a;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_CANCEL_ALL, &ca));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, st.state);
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
}

TEST_F(cancel, cancel_all_out_field_ignored_on_input)
{
	struct vdswipe_cancel_all ca = { .cancelled = 12345 };

	ASSERT_EQ(0, ioctl(self->rig.s, VDSWIPE_IOC_CANCEL_ALL, &ca));
	ASSERT_EQ(0, ca.cancelled);
}

TEST_F(cancel, cancel_all_efault)
{
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_CANCEL_ALL, NULL));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F_TIMEOUT(cancel, close_cancels_running_and_queued_ops, 60)
{
	struct vdswipe_status st;
	uint64_t a, b, t0;
	int s2 = vt_session_open();

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, start_slow(self, s2, &a, &st));
	ASSERT_EQ(0, vt_submit(s2, self->rig.fd[1], F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &b, NULL));
	/* past the first chunks: the next ones are held in dm-delay now */
	ASSERT_EQ(0, vt_wait_progress(s2, a, VT_MIB, 20000, &st));
	vt_sleep_ms(WRITE_DELAY_MS / 5);
	t0 = vt_now_ns();
	ASSERT_EQ(0, close(s2));
	TH_LOG("close took %llu ms", (unsigned long long)vt_ms_since(t0));
	/* the ops are gone: their devices are free and stay as they are */
	ASSERT_EQ(0, vt_try_excl(self->rig.slow));
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[1]));
	ASSERT_SLOW_STABLE();
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL1,
				   NULL));
	/* ids of the closed session mean nothing here */
	ASSERT_EQ(-ENOENT, vt_query(self->rig.s, a, &st));
}

/*
 * close() with a running op and a DISCARD queued behind it: the discard has
 * not started, so it is dropped without touching its device. Repeated, and
 * right after the running op finished a batch of chunks, when it is most
 * likely to stop at once and free the worker for the discard.
 */
TEST_F_TIMEOUT(cancel, close_drops_queued_discard_op, 60)
{
	struct vt_nullb_opts o = {
		.size_mib = 8, .memory_backed = true, .discard = true,
	};
	struct vdswipe_status st;
	char path[64];
	uint64_t a, d;
	int fd, ret, i;

	ret = vt_nullb_create("vdswdisc", &o, path, sizeof(path));
	if (ret)
		SKIP(return, "no discard null_blk (%s)", strerror(-ret));
	ASSERT_EQ(0, vt_fill(path, 0, 8 * VT_MIB, 0x3C));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < 10; i++) {
		int s2 = vt_session_open();

		ASSERT_LE(0, s2);
		ASSERT_EQ(0, start_slow(self, s2, &a, &st));
		ASSERT_EQ(0, vt_submit(s2, fd, VDSWIPE_CLEAN_FORCE |
				       VDSWIPE_CLEAN_FULL,
				       VDSWIPE_METHOD_DISCARD, 0, 0, 0, &d,
				       NULL));
		ASSERT_EQ(0, vt_query(s2, d, &st));
		ASSERT_EQ(VDSWIPE_STATE_QUEUED, st.state);
		ASSERT_EQ(0, close(s2));
		ASSERT_EQ(0, vt_try_excl(path));
		ASSERT_EQ(0, vt_check_fill(path, 0, 8 * VT_MIB, 0x3C, NULL))
			TH_LOG("round %d: the discard queued at close() ran", i);
	}
	close(fd);
}

TEST_F(cancel, cancel_then_new_op_on_same_device)
{
	struct vdswipe_status st;
	uint64_t a, a2;

	ASSERT_EQ(0, start_slow(self, self->rig.s, &a, &st));
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd,
			       F_FULL_FORCE | VDSWIPE_CLEAN_RANGE,
			       VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, &a2, NULL));
	ASSERT_NE(a, a2);
	ASSERT_EQ(0, vt_finish(self->rig.s, a2, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_check_fill(self->rig.slow, 0, VT_MIB, 0, NULL));
	ASSERT_CANCELLED(self->rig.s, a);
}

TEST_HARNESS_MAIN
