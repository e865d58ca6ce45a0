// SPDX-License-Identifier: GPL-2.0
/*
 * How an op sizes its I/O from its device (issue 13): a zero or pattern
 * write goes out one request of the device at a time (max_sectors_kb, no
 * more pages than max_segments, at most chunk_size and a bio's 1 MiB), a
 * WRITE ZEROES bio is the device's write_zeroes_max_bytes (at most
 * chunk_size), and the op keeps the device's nr_requests of them in flight,
 * at most queue_depth x chunk_size bytes. A bio-based device (brd) takes
 * chunk_size bios, queue_depth of them. Random data uses chunk buffers.
 *
 * What the op chose is read from the session's fdinfo ("chunk",
 * "inflight_max") and checked against the device's sysfs; the data must
 * still all be written, and a cancel must still stop the op for good.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fdinfo.h"

#define DEV_MIB		16
#define NB		"vdswio"

/* The op's fdinfo line, with every key it should have; 0 or -errno. */
static int op_sizes(int s, uint64_t id, struct vdsw_fdinfo_op *o)
{
	char path[64];
	int n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", s);
	n = vdsw_fdinfo_find_op(path, id, o);
	return n == VDSW_FDINFO_OP_KEYS ? 0 : n < 0 ? n : -EINVAL;
}

static uint64_t sysfs_u64(const char *dev, const char *attr)
{
	uint64_t v;

	return vt_queue_u64(dev, attr, &v) ? 0 : v;
}

static uint64_t param(const char *name)
{
	char path[128];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/sys/module/vdswipe/parameters/%s", name);
	vt_read_u64(path, &v);
	return v;
}

/*
 * What the op on /dev/@dev should choose for zeroes (@zeroes) or a pattern,
 * by the rule of Documentation/userspace-api/vdswipe.rst ("How an op sizes
 * its I/O"), from sysfs.
 */
static void expect(const char *dev, bool zeroes, uint64_t *chunk,
		   uint64_t *inflight)
{
	uint64_t cs = param("chunk_size"), qd = param("queue_depth");
	uint64_t cap = cs < 1048576 ? cs : 1048576, unit, wz, nr = 0;
	char mq[128];

	snprintf(mq, sizeof(mq), "/sys/block/%s/mq", dev);
	unit = cap;
	if (!access(mq, F_OK)) {
		uint64_t req = sysfs_u64(dev, "max_sectors_kb") * 1024;
		uint64_t segs = sysfs_u64(dev, "max_segments") * 4096;

		req = req < segs ? req : segs;
		req -= req % 4096;
		unit = req < 4096 ? 4096 : req > cap ? cap : req;
		nr = sysfs_u64(dev, "nr_requests");
	}
	wz = zeroes ? sysfs_u64(dev, "write_zeroes_max_bytes") : 0;
	wz = wz < cs ? wz : cs;
	wz -= wz % 4096;
	if (wz < 65536)
		wz = 0;
	*chunk = wz ? wz : unit;
	unit = wz > unit ? wz : unit;
	*inflight = qd * cs;
	if (nr && nr * unit < *inflight)
		*inflight = nr * unit;
	if (*inflight < unit)
		*inflight = unit;
}

FIXTURE(iosize) {
	int s;
	int fd;
	char path[64];
};

FIXTURE_SETUP(iosize)
{
	self->s = self->fd = -1;
	vt_cleanup_leftovers();
	if (!vt_nullb_available())
		SKIP(return, "no null_blk configfs");
	ASSERT_EQ(0, vt_module_reload(NULL));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(iosize)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	vt_nullb_destroy(NB);
	vt_brd_unload();
}

/* Opens self->path and submits a full clean; 0 or -errno. */
static int submit_full(FIXTURE_DATA(iosize) *self, uint32_t method,
		       uint32_t pattern, uint64_t *id, struct vdsw_fdinfo_op *fi)
{
	int ret;

	self->fd = vt_open(self->path, O_RDWR);
	if (self->fd < 0)
		return self->fd;
	ret = vt_submit(self->s, self->fd, VDSWIPE_CLEAN_FULL, method, pattern,
			0, 0, id, NULL);
	return ret ? ret : op_sizes(self->s, *id, fi);
}

/* Small requests, few of them: 32 KiB bios, 4 in flight; all written. */
TEST_F(iosize, small_requests_few_in_flight)
{
	const struct vt_nullb_opts o = { .size_mib = DEV_MIB,
					 .memory_backed = true,
					 .max_sectors = 64 };
	struct vdsw_fdinfo_op fi;
	struct vdswipe_status st;
	uint64_t id, chunk, inflight;

	ASSERT_EQ(0, vt_nullb_create(NB, &o, self->path, sizeof(self->path)));
	ASSERT_EQ(0, vt_write_file("/sys/block/" NB "/queue/nr_requests", "4"));
	ASSERT_EQ(0, vt_fill(self->path, 0, (uint64_t)DEV_MIB << 20, 0xa5));
	ASSERT_EQ(0, submit_full(self, VDSWIPE_METHOD_ZERO, 0, &id, &fi));
	expect(NB, true, &chunk, &inflight);
	TH_LOG("chunk %u inflight_max %" PRIu64, fi.chunk, fi.inflight_max);
	EXPECT_EQ(32768, fi.chunk);
	EXPECT_EQ(4 * 32768, fi.inflight_max);
	EXPECT_EQ(chunk, fi.chunk);
	EXPECT_EQ(inflight, fi.inflight_max);

	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_check_fill(self->path, 0, (uint64_t)DEV_MIB << 20, 0,
				   NULL));
}

/* A pattern on a default null_blk: what its sysfs says, capped. */
TEST_F(iosize, pattern_follows_the_queue_limits)
{
	const struct vt_nullb_opts o = { .size_mib = DEV_MIB,
					 .memory_backed = true };
	struct vdsw_fdinfo_op fi;
	struct vdswipe_status st;
	uint64_t id, chunk, inflight;

	ASSERT_EQ(0, vt_nullb_create(NB, &o, self->path, sizeof(self->path)));
	ASSERT_EQ(0, submit_full(self, VDSWIPE_METHOD_PATTERN, 0x5a, &id, &fi));
	expect(NB, false, &chunk, &inflight);
	TH_LOG("max_sectors_kb %" PRIu64 " nr_requests %" PRIu64
	       ": chunk %u inflight_max %" PRIu64,
	       sysfs_u64(NB, "max_sectors_kb"), sysfs_u64(NB, "nr_requests"),
	       fi.chunk, fi.inflight_max);
	EXPECT_EQ(chunk, fi.chunk);
	EXPECT_EQ(inflight, fi.inflight_max);
	EXPECT_GE(param("queue_depth") * param("chunk_size"), fi.inflight_max);
	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_check_fill(self->path, 0, (uint64_t)DEV_MIB << 20,
				   0x5a, NULL));
}

/* brd has no requests: chunk_size bios, queue_depth of them. */
TEST_F(iosize, bio_based_device_takes_the_caps)
{
	struct vdsw_fdinfo_op fi;
	uint64_t id;

	ASSERT_EQ(0, vt_brd_load(1, DEV_MIB, 0));
	vt_brd_path(0, self->path, sizeof(self->path));
	ASSERT_EQ(0, submit_full(self, VDSWIPE_METHOD_ZERO, 0, &id, &fi));
	EXPECT_EQ(param("chunk_size"), fi.chunk);
	EXPECT_EQ(param("queue_depth") * param("chunk_size"), fi.inflight_max);
	ASSERT_EQ(0, vt_wait_ms(self->s, id, 60000));
}

/* Random data is written from chunk buffers of chunk_size. */
TEST_F(iosize, random_uses_chunk_buffers)
{
	const struct vt_nullb_opts o = { .size_mib = DEV_MIB,
					 .max_sectors = 64 };
	struct vdsw_fdinfo_op fi;
	uint64_t id;

	ASSERT_EQ(0, vt_nullb_create(NB, &o, self->path, sizeof(self->path)));
	ASSERT_EQ(0, submit_full(self, VDSWIPE_METHOD_RANDOM, 0, &id, &fi));
	EXPECT_EQ(param("chunk_size"), fi.chunk);
	ASSERT_EQ(0, vt_wait_ms(self->s, id, 120000));
}

/*
 * Slow small requests (50 ms each, 4 in flight: BLKDEV_MIN_RQ is the least
 * nr_requests takes): a cancel mid-way returns
 * with the op CANCELLED, and nothing changes on the device after it.
 */
TEST_F(iosize, cancel_with_device_sized_in_flight)
{
	const struct vt_nullb_opts o = { .size_mib = DEV_MIB,
					 .memory_backed = true,
					 .max_sectors = 64,
					 .completion_nsec = 50000000 };
	uint64_t len = (uint64_t)DEV_MIB << 20, id;
	struct vdsw_fdinfo_op fi;
	struct vdswipe_status st;
	void *snap;

	ASSERT_EQ(0, vt_nullb_create(NB, &o, self->path, sizeof(self->path)));
	ASSERT_EQ(0, vt_write_file("/sys/block/" NB "/queue/nr_requests", "4"));
	ASSERT_EQ(0, vt_fill(self->path, 0, len, 0xa5));
	ASSERT_EQ(0, submit_full(self, VDSWIPE_METHOD_ZERO, 0, &id, &fi));
	EXPECT_EQ(4 * 32768, fi.inflight_max);
	ASSERT_EQ(0, vt_wait_progress(self->s, id, 65536, 30000, &st));
	ASSERT_EQ(0, vt_cancel(self->s, id));
	ASSERT_EQ(0, vt_query(self->s, id, &st));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state);
	EXPECT_GT(len, st.bytes_done);
	snap = vt_snapshot(self->path, 0, len);
	ASSERT_NE(NULL, snap);
	vt_sleep_ms(300);
	EXPECT_EQ(0, vt_compare_snapshot(self->path, 0, len, snap, NULL));
	free(snap);
}

TEST_HARNESS_MAIN
