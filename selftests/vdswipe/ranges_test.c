// SPDX-License-Identifier: GPL-2.0
/*
 * Ranged ops on one device: ops whose byte ranges do not overlap run side
 * by side, sharing the device's one exclusive claim; an overlapping range,
 * or a whole-device op next to a ranged one, fails with EEXIST; the claim
 * is given back when the last op on the device ends.
 *
 * max_active=1 and a long op on a slow dm-delay device keep the ranged ops
 * QUEUED, and so holding their ranges, for as long as a test needs.
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

#define MOD_PARAMS	"max_active=1 chunk_size=262144"
#define DEV_MIB		16
#define SLOT		(64 * 1024)
#define NR_SLOTS	64

#define F_RANGE		(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | \
			 VDSWIPE_CLEAN_RANGE)

FIXTURE(ranges) {
	int s;
	int slowfd, fd;
	char slow[64], ram0[64];
	uint64_t blocker;
};

FIXTURE_SETUP(ranges)
{
	char ram1[64];
	struct vdswipe_status st;
	int ret;

	self->s = self->slowfd = self->fd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(2, DEV_MIB, 0);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	vt_brd_path(1, ram1, sizeof(ram1));
	ret = vt_delay_create("vdswslow", ram1, 500, self->slow,
			      sizeof(self->slow));
	if (ret) {
		vt_brd_unload();
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	}
	self->slowfd = vt_open(self->slow, O_RDWR);
	ASSERT_LE(0, self->slowfd);
	self->fd = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, self->fd);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);

	/* occupy the only worker */
	ASSERT_EQ(0, vt_submit(self->s, self->slowfd,
			       VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &self->blocker,
			       NULL));
	ASSERT_EQ(0, vt_wait_progress(self->s, self->blocker, 0, 20000, &st));
}

FIXTURE_TEARDOWN(ranges)
{
	if (self->s >= 0)
		close(self->s);
	if (self->slowfd >= 0)
		close(self->slowfd);
	if (self->fd >= 0)
		close(self->fd);
	vt_dm_remove("vdswslow");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

static int submit_range(FIXTURE_DATA(ranges) *self, uint64_t off,
			uint64_t len, uint64_t *id)
{
	return vt_submit(self->s, self->fd, F_RANGE, VDSWIPE_METHOD_ZERO, 0,
			 off, len, id, NULL);
}

static int queued(FIXTURE_DATA(ranges) *self, uint64_t id)
{
	struct vdswipe_status st;
	int ret = vt_query(self->s, id, &st);

	return ret ? ret : st.state == VDSWIPE_STATE_QUEUED ? 0 : -EPROTO;
}

TEST_F(ranges, disjoint_ranges_coexist)
{
	uint64_t a, b, c;

	ASSERT_EQ(0, submit_range(self, 0, VT_MIB, &a));
	ASSERT_EQ(0, submit_range(self, 2 * VT_MIB, VT_MIB, &b));
	/* adjacent to a, end to end */
	ASSERT_EQ(0, submit_range(self, VT_MIB, 4096, &c));
	EXPECT_EQ(0, queued(self, a));
	EXPECT_EQ(0, queued(self, b));
	EXPECT_EQ(0, queued(self, c));
	EXPECT_EQ(0, vt_cancel(self->s, a));
	EXPECT_EQ(0, vt_cancel(self->s, b));
	EXPECT_EQ(0, vt_cancel(self->s, c));
}

TEST_F(ranges, overlapping_range_is_eexist)
{
	uint64_t a;

	ASSERT_EQ(0, submit_range(self, VT_MIB, VT_MIB, &a));
	/* overlapping the start, the end, inside, around */
	EXPECT_EQ(-EEXIST, submit_range(self, VT_MIB / 2, VT_MIB, NULL));
	EXPECT_EQ(-EEXIST, submit_range(self, 2 * VT_MIB - 4096, VT_MIB, NULL));
	EXPECT_EQ(-EEXIST, submit_range(self, VT_MIB + 4096, 4096, NULL));
	EXPECT_EQ(-EEXIST, submit_range(self, 0, 4 * VT_MIB, NULL));
	/* one sector of overlap is enough */
	EXPECT_EQ(-EEXIST, submit_range(self, 2 * VT_MIB - 512, 512, NULL));
	EXPECT_EQ(0, vt_cancel(self->s, a));
}

TEST_F(ranges, whole_device_op_excludes_ranges)
{
	uint64_t a;

	ASSERT_EQ(0, submit_range(self, 0, VT_MIB, &a));
	EXPECT_EQ(-EEXIST, vt_submit(self->s, self->fd, VDSWIPE_CLEAN_FORCE,
				     VDSWIPE_METHOD_ZERO, 0, 0, 0, NULL, NULL));
	EXPECT_EQ(0, vt_cancel(self->s, a));

	ASSERT_EQ(0, vt_submit(self->s, self->fd, VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &a, NULL));
	EXPECT_EQ(-EEXIST, submit_range(self, 4 * VT_MIB, VT_MIB, NULL));
	EXPECT_EQ(0, vt_cancel(self->s, a));
}

TEST_F(ranges, range_is_free_once_its_op_ended)
{
	uint64_t a, b;

	ASSERT_EQ(0, submit_range(self, 0, VT_MIB, &a));
	ASSERT_EQ(0, submit_range(self, 4 * VT_MIB, VT_MIB, &b));
	EXPECT_EQ(0, vt_cancel(self->s, a));
	/* a's range is free again, b still holds the device */
	ASSERT_EQ(0, submit_range(self, 0, VT_MIB, &a));
	EXPECT_EQ(-EBUSY, vt_try_excl(self->ram0));
	EXPECT_EQ(0, vt_cancel(self->s, a));
	EXPECT_EQ(-EBUSY, vt_try_excl(self->ram0));
	EXPECT_EQ(0, vt_cancel(self->s, b));
	/* the last op on the device gave the claim back */
	EXPECT_EQ(0, vt_try_excl(self->ram0));
}

TEST_F(ranges, many_ranges_write_exactly_their_bytes)
{
	uint64_t ids[NR_SLOTS / 2];
	struct vdswipe_status st;
	uint64_t bad;
	unsigned int i;

	ASSERT_EQ(0, vt_fill(self->ram0, 0, NR_SLOTS * SLOT, 0xA5));
	for (i = 0; i < NR_SLOTS / 2; i++)
		ASSERT_EQ(0, submit_range(self, 2 * i * SLOT, SLOT, &ids[i]))
			TH_LOG("slot %u", 2 * i);
	/* let them run */
	ASSERT_EQ(0, vt_cancel(self->s, self->blocker));
	for (i = 0; i < NR_SLOTS / 2; i++) {
		ASSERT_EQ(0, vt_finish(self->s, ids[i], 20000, &st));
		EXPECT_EQ(VDSWIPE_STATE_DONE, st.state);
		EXPECT_EQ(SLOT, st.bytes_done);
	}
	for (i = 0; i < NR_SLOTS; i++) {
		uint8_t want = i % 2 ? 0xA5 : 0;

		EXPECT_EQ(0, vt_check_fill(self->ram0, i * SLOT, SLOT, want,
					   &bad))
			TH_LOG("slot %u: byte %llu is not 0x%02x", i,
			       (unsigned long long)bad, want);
	}
	EXPECT_EQ(0, vt_try_excl(self->ram0));
}

/*
 * u64 range keys (issue 9, defect 5): on a 4 TiB null_blk (no memory),
 * ranged ops 2 TiB apart are accepted, and one overlapping the op past
 * 2 TiB is refused. With unsigned long sector keys a 32-bit kernel would
 * see sector 2^32 as 0. On x86_64 this passed before the fix too.
 */
TEST(ranges_past_2tib)
{
	struct vt_nullb_opts o = { .size_mib = 4U << 20, .mbps = 1 };
	const uint64_t tib2 = 2ULL << 40;
	uint64_t a, b;
	char path[64];
	int s, fd;

	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	if (!vt_nullb_available())
		SKIP(return, "no null_blk configfs");
	ASSERT_EQ(0, vt_nullb_create("vdswbig", &o, path, sizeof(path)));
	s = vt_session_open();
	ASSERT_LE(0, s);
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	/* 16 MiB at 1 MB/s: both stay running while we look */
	ASSERT_EQ(0, vt_submit(s, fd, F_RANGE, VDSWIPE_METHOD_ZERO, 0, 0,
			       16 * VT_MIB, &a, NULL));
	ASSERT_EQ(0, vt_submit(s, fd, F_RANGE, VDSWIPE_METHOD_ZERO, 0, tib2,
			       16 * VT_MIB, &b, NULL));
	ASSERT_EQ(-EEXIST, vt_submit(s, fd, F_RANGE, VDSWIPE_METHOD_ZERO, 0,
				     tib2 + 8 * VT_MIB, 16 * VT_MIB, NULL,
				     NULL));
	ASSERT_EQ(-EEXIST, vt_submit(s, fd, F_RANGE, VDSWIPE_METHOD_ZERO, 0,
				     tib2 - 4096, 8192, NULL, NULL));
	close(fd);
	close(s);
	vt_nullb_destroy("vdswbig");
	EXPECT_EQ(0, vt_module_unload());
}

TEST_HARNESS_MAIN
