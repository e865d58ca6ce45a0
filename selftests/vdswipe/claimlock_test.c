// SPDX-License-Identifier: GPL-2.0
/*
 * The claims registry's lock is not held while a device is opened or closed
 * (issue 9, defect 4): a slow close of device A (the last op on it ending)
 * must not delay a submit on device B.
 *
 * A is a dm-delay table over ram0: its first MiB holds writes for
 * OP_DELAY_MS, the rest for CLOSE_DELAY_MS; flushes pass at once. A page
 * past the first MiB is dirtied through the page cache while an op on the
 * first 64 KiB holds A open (so the writer's close does not write it back);
 * when the op ends, its close of A is the last one and writes that page
 * back, which takes CLOSE_DELAY_MS. During that close a clean of B (ram1,
 * fast) is submitted: it must not wait for A's close.
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
#define OP_DELAY_MS	1000
#define CLOSE_DELAY_MS	4000
#define F_RANGE		(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | \
			 VDSWIPE_CLEAN_RANGE)

FIXTURE(cl) {
	int s;
	char slow[64], ram1[64];
};

FIXTURE_SETUP(cl)
{
	char ram0[64], table[512];
	int ret;

	self->s = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	ret = vt_brd_load(2, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, ram0, sizeof(ram0));
	vt_brd_path(1, self->ram1, sizeof(self->ram1));
	snprintf(table, sizeof(table),
		 "0 2048 delay %s 0 0 %s 0 %u %s 0 0\n"
		 "2048 %llu delay %s 2048 0 %s 2048 %u %s 2048 0",
		 ram0, ram0, OP_DELAY_MS, ram0,
		 DEV_MIB * VT_MIB / 512 - 2048, ram0, ram0, CLOSE_DELAY_MS,
		 ram0);
	ret = vt_dm_target_load("dm-mod") ?: vt_dm_target_load("dm-delay");
	if (!ret)
		ret = vt_dm_create("vdswslow", table, self->slow,
				   sizeof(self->slow));
	if (ret) {
		vt_brd_unload();
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	}
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(cl)
{
	if (self->s >= 0)
		close(self->s);
	vt_dm_remove("vdswslow");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

TEST_F_TIMEOUT(cl, slow_close_does_not_delay_other_submit, 60)
{
	struct vdswipe_status st;
	uint64_t a, b, t0, ms;
	char page[4096];
	int fd, fdb;

	fd = vt_open(self->slow, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->s, fd, F_RANGE, VDSWIPE_METHOD_ZERO, 0,
			       0, 64 * VT_KIB, &a, NULL));
	/* dirty a page outside the op's range; this close is not the last */
	memset(page, 0x77, sizeof(page));
	ASSERT_EQ((ssize_t)sizeof(page),
		  pwrite(fd, page, sizeof(page), 8 * VT_MIB));
	close(fd);
	/* written (OP_DELAY_MS), flushed, then A's last close */
	ASSERT_EQ(0, vt_wait_progress(self->s, a, 64 * VT_KIB, 20000, &st));
	vt_sleep_ms(CLOSE_DELAY_MS / 4);
	ASSERT_EQ(0, vt_query(self->s, a, &st));
	ASSERT_FALSE(vt_state_ended(st.state))
		TH_LOG("op A ended before its close could be observed");

	fdb = vt_open(self->ram1, O_RDWR);
	ASSERT_LE(0, fdb);
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_submit(self->s, fdb, F_RANGE, VDSWIPE_METHOD_ZERO, 0,
			       0, 64 * VT_KIB, &b, NULL));
	ms = vt_ms_since(t0);
	close(fdb);
	/* A was still closing when B's submit returned */
	ASSERT_EQ(0, vt_query(self->s, a, &st));
	TH_LOG("submit on B took %llu ms; op A is %s",
	       (unsigned long long)ms, vt_state_name(st.state));
	ASSERT_GT(CLOSE_DELAY_MS / 4, ms);
	ASSERT_FALSE(vt_state_ended(st.state));
	ASSERT_EQ(0, vt_finish(self->s, a, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_finish(self->s, b, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
}

TEST_HARNESS_MAIN
