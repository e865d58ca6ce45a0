// SPDX-License-Identifier: GPL-2.0
/*
 * Progress as VDSWIPE_IOC_QUERY reports it while an op runs: states only
 * move forward (QUEUED -> RUNNING -> ended), bytes_done and percent never go
 * back, percent is bytes_done * 100 / bytes_total rounded down and at most
 * 99 until the op is DONE and is 100 then,
 * bytes_total and method never change, result is 0 until the end and
 * error_offset is ~0 unless the op failed with an I/O error.
 *
 * The op runs on dm-delay over ram0 (writes held 200 ms; reads at once)
 * with 256 KiB chunks, so it advances in many visible steps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define DEV_MIB		16
#define WRITE_DELAY_MS	200

FIXTURE(progress) {
	int s;
	int slowfd;
	char slow[64];
};

FIXTURE_VARIANT(progress) {
	const char *params;
	uint32_t method;
	uint32_t pattern;
};

FIXTURE_VARIANT_ADD(progress, zero) {
	.params = "chunk_size=262144", .method = VDSWIPE_METHOD_ZERO,
};

FIXTURE_VARIANT_ADD(progress, pattern) {
	.params = "chunk_size=262144", .method = VDSWIPE_METHOD_PATTERN,
	.pattern = 0xEE,
};

FIXTURE_VARIANT_ADD(progress, queue_depth1) {
	.params = "chunk_size=262144 queue_depth=1",
	.method = VDSWIPE_METHOD_ZERO,
};

FIXTURE_SETUP(progress)
{
	char ram0[64];
	int ret;

	self->s = self->slowfd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(variant->params));
	ret = vt_brd_load(1, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, ram0, sizeof(ram0));
	ASSERT_EQ(0, vt_fill(ram0, 0, DEV_MIB * VT_MIB, 0xA5));
	ret = vt_delay_create("vdswslow", ram0, WRITE_DELAY_MS, self->slow,
			      sizeof(self->slow));
	if (ret) {
		vt_brd_unload();
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	}
	self->slowfd = vt_open(self->slow, O_RDWR);
	ASSERT_LE(0, self->slowfd);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(progress)
{
	if (self->s >= 0)
		close(self->s);
	if (self->slowfd >= 0)
		close(self->slowfd);
	vt_dm_remove("vdswslow");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

struct watch {
	unsigned int samples, steps;
	uint32_t last_state;
	struct vdswipe_status last;
};

/*
 * Query the op every ~2 ms until it ends (or @max_ms), checking every
 * sample against the previous one. Returns 0, or a line number of the
 * failed check (logged).
 */
static int watch_op(struct __test_metadata *_metadata, int s, uint64_t id,
		    uint64_t total, uint32_t method, unsigned int max_ms,
		    struct watch *w)
{
	uint64_t start = vt_now_ns();
	struct vdswipe_status st;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		TH_LOG("sample %u: %s (state %s, %llu/%llu bytes, %u%%)", \
		       w->samples, #cond, vt_state_name(st.state),	\
		       (unsigned long long)st.bytes_done,		\
		       (unsigned long long)st.bytes_total, st.percent);	\
		return __LINE__;					\
	}								\
} while (0)

	memset(w, 0, sizeof(*w));
	for (;;) {
		if (vt_query(s, id, &st))
			return __LINE__;
		w->samples++;
		CHECK(st.op_id == id);
		CHECK(st.bytes_total == total);
		CHECK(st.method == method);
		CHECK(st.reserved == 0);
		CHECK(st.bytes_done <= st.bytes_total);
		CHECK(st.state >= VDSWIPE_STATE_QUEUED &&
		      st.state <= VDSWIPE_STATE_CANCELLED);
		if (w->samples > 1) {
			CHECK(st.bytes_done >= w->last.bytes_done);
			CHECK(!vt_state_ended(w->last.state) ||
			      st.state == w->last.state);
			CHECK(!(w->last.state == VDSWIPE_STATE_RUNNING &&
				st.state == VDSWIPE_STATE_QUEUED));
			CHECK(st.percent >= w->last.percent);
			if (st.bytes_done != w->last.bytes_done)
				w->steps++;
		}
		if (st.state == VDSWIPE_STATE_DONE) {
			CHECK(st.percent == 100);
		} else {
			uint64_t share = st.bytes_done * 100 / st.bytes_total;

			CHECK(st.percent == (share > 99 ? 99 : share));
		}
		if (!vt_state_ended(st.state)) {
			CHECK(st.percent <= 99);
			CHECK(st.result == 0);
			CHECK(st.error_offset == ~0ULL);
		} else {
			break;
		}
		w->last = st;
		if (vt_ms_since(start) > max_ms)
			return __LINE__;
		usleep(2000);
	}
	w->last = st;
	return 0;
#undef CHECK
}

TEST_F_TIMEOUT(progress, monotonic_until_done, 60)
{
	const uint64_t len = 6 * VT_MIB;
	struct watch w;
	uint64_t id, total;

	ASSERT_EQ(0, vt_submit(self->s, self->slowfd, VDSWIPE_CLEAN_FULL |
			       VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE,
			       variant->method, variant->pattern, 0, len, &id,
			       &total));
	ASSERT_EQ(len, total);
	ASSERT_EQ(0, watch_op(_metadata, self->s, id, total, variant->method,
			      40000, &w));
	TH_LOG("%u samples, %u progress steps", w.samples, w.steps);
	ASSERT_EQ(VDSWIPE_STATE_DONE, w.last.state);
	ASSERT_EQ(100, w.last.percent);
	ASSERT_EQ(0, w.last.result);
	ASSERT_EQ(len, w.last.bytes_done);
	ASSERT_EQ(~0ULL, w.last.error_offset);
	/* the op advanced in visible steps, not all at once */
	ASSERT_LE(3, w.steps);
	ASSERT_EQ(0, vt_check_fill(self->slow, 0, len,
				   variant->method == VDSWIPE_METHOD_PATTERN ?
				   variant->pattern : 0, NULL));
}

TEST_F_TIMEOUT(progress, monotonic_until_cancelled, 60)
{
	struct vdswipe_status st, after;
	struct watch w;
	uint64_t id, total;

	ASSERT_EQ(0, vt_submit(self->s, self->slowfd, VDSWIPE_CLEAN_FULL |
			       VDSWIPE_CLEAN_FORCE, variant->method,
			       variant->pattern, 0, 0, &id, &total));
	ASSERT_EQ(DEV_MIB * VT_MIB, total);
	ASSERT_EQ(0, vt_wait_progress(self->s, id, 2 * VT_MIB, 30000, &st));
	ASSERT_EQ(0, vt_cancel(self->s, id));
	ASSERT_EQ(0, watch_op(_metadata, self->s, id, total, variant->method,
			      1000, &w));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, w.last.state);
	ASSERT_LE(st.bytes_done, w.last.bytes_done);
	ASSERT_GE(99, w.last.percent);
	ASSERT_EQ(0, vt_query(self->s, id, &after));
	ASSERT_EQ(w.last.bytes_done, after.bytes_done);
}

TEST_F(progress, percent_of_quick_clean_reaches_100)
{
	struct watch w;
	uint64_t id, total;

	ASSERT_EQ(0, vt_submit(self->s, self->slowfd, VDSWIPE_CLEAN_FORCE,
			       variant->method, variant->pattern, 0, 0, &id,
			       &total));
	ASSERT_EQ(2 * VT_MIB, total);
	ASSERT_EQ(0, watch_op(_metadata, self->s, id, total, variant->method,
			      20000, &w));
	ASSERT_EQ(VDSWIPE_STATE_DONE, w.last.state);
	ASSERT_EQ(100, w.last.percent);
	ASSERT_EQ(2 * VT_MIB, w.last.bytes_done);
}

TEST_HARNESS_MAIN
