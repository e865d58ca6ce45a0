// SPDX-License-Identifier: GPL-2.0
/*
 * What a clean writes, byte for byte: the device is filled with
 * position-dependent pseudo-random data first, so every byte outside the
 * cleaned area can be checked to have survived, and every byte inside to
 * hold the method's value.
 *
 * Variants: brd (512-byte blocks), brd of a size that is not a whole number
 * of MiB, and null_blk with 4096-byte blocks.
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

#define SEED	0x5eed0fc0ffeeULL

FIXTURE(content) {
	int s;
	int fd;
	char dev[64];
	uint64_t size;
	unsigned int lbs;
};

FIXTURE_VARIANT(content) {
	bool nullb;
	unsigned int size_kib;
	unsigned int lbs;
};

FIXTURE_VARIANT_ADD(content, brd) {
	.size_kib = 8 * 1024, .lbs = 512,
};

FIXTURE_VARIANT_ADD(content, brd_odd_size) {
	.size_kib = 8 * 1024 + 516, .lbs = 512,
};

FIXTURE_VARIANT_ADD(content, nullb_4k) {
	.nullb = true, .size_kib = 8 * 1024, .lbs = 4096,
};

FIXTURE_SETUP(content)
{
	self->s = self->fd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	if (variant->nullb) {
		struct vt_nullb_opts o = {
			.size_mib = variant->size_kib / 1024,
			.blocksize = variant->lbs,
			.memory_backed = true,
		};

		if (!vt_nullb_available())
			SKIP(return, "null_blk (configfs) not available");
		ASSERT_EQ(0, vt_nullb_create("vdswcont", &o, self->dev,
					     sizeof(self->dev)));
	} else {
		int ret = vt_run("modprobe brd rd_nr=1 rd_size=%u",
				 variant->size_kib);

		if (ret)
			SKIP(return, "no brd");
		vt_brd_path(0, self->dev, sizeof(self->dev));
		ASSERT_EQ(0, vt_wait_node(self->dev, 3000));
	}
	self->fd = vt_open(self->dev, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vt_dev_size(self->fd, &self->size));
	ASSERT_EQ((uint64_t)variant->size_kib * 1024, self->size);
	ASSERT_EQ(0, vt_dev_lbs(self->fd, &self->lbs));
	ASSERT_EQ(variant->lbs, self->lbs);
	ASSERT_EQ(0, vt_fill_seeded(self->dev, 0, self->size, SEED));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(content)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	vt_nullb_destroy("vdswcont");
	vt_nullb_destroy("vdswsmall");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

/* Submit, wait, and check the op ended DONE having written @total bytes. */
#define RUN_CLEAN(_fl, _me, _pa, _off, _len, _total) do {		\
	struct vdswipe_status _st;					\
	uint64_t _id = 0, _tot = 0;					\
	ASSERT_EQ(0, vt_submit(self->s, self->fd, (_fl), (_me),	\
			       (_pa), (_off), (_len), &_id, &_tot));	\
	ASSERT_EQ((uint64_t)(_total), _tot);				\
	ASSERT_EQ(0, vt_finish(self->s, _id, 30000, &_st));		\
	ASSERT_EQ(VDSWIPE_STATE_DONE, _st.state)			\
		TH_LOG("state %s result %d", vt_state_name(_st.state),	\
		       _st.result);					\
	ASSERT_EQ(0, _st.result);					\
	ASSERT_EQ(100, _st.percent);					\
	ASSERT_EQ((uint64_t)(_total), _st.bytes_done);			\
	ASSERT_EQ((uint64_t)(_total), _st.bytes_total);			\
	ASSERT_EQ((uint32_t)(_me), _st.method);			\
} while (0)

/* [off, off + len) still holds the seeded data. */
#define ASSERT_KEPT(off, len) do {					\
	uint64_t _bad = 0;						\
	ASSERT_EQ(0, vt_check_seeded(self->dev, (off), (len), SEED, &_bad)) \
		TH_LOG("byte at %llu was overwritten",			\
		       (unsigned long long)_bad);			\
} while (0)

/* [off, off + len) holds @byte everywhere. */
#define ASSERT_FILLED(off, len, byte) do {				\
	uint64_t _bad = 0;						\
	ASSERT_EQ(0, vt_check_fill(self->dev, (off), (len), (byte), &_bad)) \
		TH_LOG("byte at %llu is not 0x%02x",			\
		       (unsigned long long)_bad, (byte));		\
} while (0)

#define F_FORCE	VDSWIPE_CLEAN_FORCE
#define F_FULL	VDSWIPE_CLEAN_FULL
#define F_RANGE	VDSWIPE_CLEAN_RANGE

TEST_F(content, quick_clean_changes_exactly_first_and_last_mib)
{
	RUN_CLEAN(F_FORCE, VDSWIPE_METHOD_ZERO, 0, 0, 0, 2 * VT_MIB);
	ASSERT_FILLED(0, VT_MIB, 0);
	ASSERT_KEPT(VT_MIB, self->size - 2 * VT_MIB);
	ASSERT_FILLED(self->size - VT_MIB, VT_MIB, 0);
}

TEST_F(content, full_clean_leaves_no_nonzero_byte)
{
	RUN_CLEAN(F_FORCE | F_FULL, VDSWIPE_METHOD_ZERO, 0, 0, 0, self->size);
	ASSERT_FILLED(0, self->size, 0);
}

TEST_F(content, full_range_exact)
{
	/* odd block counts at an odd block offset */
	uint64_t off = VT_MIB + 7 * self->lbs, len = 3 * VT_MIB + 5 * self->lbs;

	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_ZERO, 0, off, len,
		  len);
	ASSERT_KEPT(0, off);
	ASSERT_FILLED(off, len, 0);
	ASSERT_KEPT(off + len, self->size - off - len);
}

TEST_F(content, full_range_single_block)
{
	uint64_t off = 5 * self->lbs, len = self->lbs;

	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_ZERO, 0, off, len,
		  len);
	ASSERT_KEPT(0, off);
	ASSERT_FILLED(off, len, 0);
	ASSERT_KEPT(off + len, self->size - off - len);
}

TEST_F(content, full_range_first_block)
{
	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_ZERO, 0, 0,
		  self->lbs, self->lbs);
	ASSERT_FILLED(0, self->lbs, 0);
	ASSERT_KEPT(self->lbs, self->size - self->lbs);
}

TEST_F(content, full_range_last_block)
{
	uint64_t off = self->size - self->lbs;

	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_ZERO, 0, off,
		  self->lbs, self->lbs);
	ASSERT_KEPT(0, off);
	ASSERT_FILLED(off, self->lbs, 0);
}

TEST_F(content, quick_range_cleans_its_first_and_last_mib)
{
	uint64_t off = 2 * VT_MIB + 3 * self->lbs, len = 5 * VT_MIB;

	RUN_CLEAN(F_FORCE | F_RANGE, VDSWIPE_METHOD_ZERO, 0, off, len,
		  2 * VT_MIB);
	ASSERT_KEPT(0, off);
	ASSERT_FILLED(off, VT_MIB, 0);
	ASSERT_KEPT(off + VT_MIB, len - 2 * VT_MIB);
	ASSERT_FILLED(off + len - VT_MIB, VT_MIB, 0);
	ASSERT_KEPT(off + len, self->size - off - len);
}

TEST_F(content, quick_range_smaller_than_two_mib)
{
	uint64_t off = VT_MIB, len = VT_MIB + VT_MIB / 2;
	struct vdswipe_status st;
	uint64_t id, total;

	ASSERT_EQ(0, vt_submit(self->s, self->fd, F_FORCE | F_RANGE,
			       VDSWIPE_METHOD_ZERO, 0, off, len, &id, &total));
	/* clamped: never more than the range itself */
	ASSERT_GE(len, total);
	ASSERT_EQ(0, vt_finish(self->s, id, 30000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(total, st.bytes_done);
	ASSERT_KEPT(0, off);
	ASSERT_FILLED(off, len, 0);
	ASSERT_KEPT(off + len, self->size - off - len);
}

TEST_F(content, pattern_full_range_exact)
{
	uint64_t off = 3 * self->lbs, len = 2 * VT_MIB + 9 * self->lbs;

	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_PATTERN, 0x5A,
		  off, len, len);
	ASSERT_KEPT(0, off);
	ASSERT_FILLED(off, len, 0x5A);
	ASSERT_KEPT(off + len, self->size - off - len);
}

TEST_F(content, pattern_quick_clean)
{
	RUN_CLEAN(F_FORCE, VDSWIPE_METHOD_PATTERN, 0xFF, 0, 0, 2 * VT_MIB);
	ASSERT_FILLED(0, VT_MIB, 0xFF);
	ASSERT_KEPT(VT_MIB, self->size - 2 * VT_MIB);
	ASSERT_FILLED(self->size - VT_MIB, VT_MIB, 0xFF);
}

TEST_F(content, pattern_full_clean_whole_device)
{
	RUN_CLEAN(F_FORCE | F_FULL, VDSWIPE_METHOD_PATTERN, 0xC3, 0, 0,
		  self->size);
	ASSERT_FILLED(0, self->size, 0xC3);
}

TEST_F(content, pattern_byte_zero)
{
	uint64_t off = VT_MIB, len = VT_MIB;

	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_PATTERN, 0x00,
		  off, len, len);
	ASSERT_KEPT(0, off);
	ASSERT_FILLED(off, len, 0);
	ASSERT_KEPT(off + len, self->size - off - len);
}

TEST_F(content, second_clean_after_first_ended)
{
	uint64_t len = VT_MIB;

	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_PATTERN, 0x11,
		  0, len, len);
	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_PATTERN, 0x22,
		  len, len, len);
	ASSERT_FILLED(0, len, 0x11);
	ASSERT_FILLED(len, len, 0x22);
	ASSERT_KEPT(2 * len, self->size - 2 * len);
}

TEST_F(content, quick_clean_small_device_clamped)
{
	struct vt_nullb_opts o = { .size_mib = 1, .memory_backed = true };
	struct vdswipe_status st;
	uint64_t id, total;
	char path[64];
	int fd, ret;

	ret = vt_nullb_create("vdswsmall", &o, path, sizeof(path));
	if (ret)
		SKIP(return, "no null_blk (%s)", strerror(-ret));
	ASSERT_EQ(0, vt_fill(path, 0, VT_MIB, 0x77));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->s, fd, F_FORCE, VDSWIPE_METHOD_ZERO, 0,
			       0, 0, &id, &total));
	ASSERT_GE(VT_MIB, total);
	ASSERT_EQ(0, vt_finish(self->s, id, 30000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state)
		TH_LOG("result %d", st.result);
	ASSERT_EQ(total, st.bytes_done);
	ASSERT_EQ(0, vt_check_fill(path, 0, VT_MIB, 0, NULL));
	close(fd);
}

TEST_F(content, quick_clean_three_mib_device)
{
	struct vt_nullb_opts o = { .size_mib = 3, .memory_backed = true };
	char path[64];
	struct vdswipe_status st;
	uint64_t id, total;
	int fd, ret;

	ret = vt_nullb_create("vdswsmall", &o, path, sizeof(path));
	if (ret)
		SKIP(return, "no null_blk (%s)", strerror(-ret));
	ASSERT_EQ(0, vt_fill(path, 0, 3 * VT_MIB, 0x77));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->s, fd, F_FORCE, VDSWIPE_METHOD_ZERO, 0,
			       0, 0, &id, &total));
	ASSERT_EQ(2 * VT_MIB, total);
	ASSERT_EQ(0, vt_finish(self->s, id, 30000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_check_fill(path, 0, VT_MIB, 0, NULL));
	ASSERT_EQ(0, vt_check_fill(path, VT_MIB, VT_MIB, 0x77, NULL));
	ASSERT_EQ(0, vt_check_fill(path, 2 * VT_MIB, VT_MIB, 0, NULL));
	close(fd);
}

/* ------------------------------------------------------ page cache */

/* Buffered read of [off, off + len) compared with @byte: 0, 1 or -errno. */
static int buffered_check(const char *dev, uint64_t off, size_t len,
			  uint8_t byte)
{
	uint8_t *buf = malloc(len);
	int fd, ret = 0;
	size_t i;

	if (!buf)
		return -ENOMEM;
	fd = vt_open(dev, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	if (pread(fd, buf, len, off) != (ssize_t)len)
		ret = -EIO;
	for (i = 0; !ret && i < len; i++)
		if (buf[i] != byte)
			ret = 1;
	close(fd);
	free(buf);
	return ret;
}

TEST_F(content, buffered_reader_sees_the_clean)
{
	uint8_t *buf = malloc(VT_MIB);
	int fd = vt_open(self->dev, O_RDONLY);

	/* fill the page cache with the old data first */
	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd);
	ASSERT_EQ(VT_MIB, pread(fd, buf, VT_MIB, VT_MIB));
	ASSERT_EQ(vt_seed_byte(SEED, VT_MIB), buf[0]);
	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_PATTERN, 0x6B,
		  VT_MIB, VT_MIB, VT_MIB);
	ASSERT_EQ(0, buffered_check(self->dev, VT_MIB, VT_MIB, 0x6B));
	close(fd);
	free(buf);
}

TEST_F(content, dirty_page_cache_cannot_undo_the_clean)
{
	uint8_t *buf = malloc(VT_MIB);
	int fd = vt_open(self->dev, O_RDWR);

	/* dirty, not written back: must land before the clean, not after */
	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd);
	memset(buf, 0x44, VT_MIB);
	ASSERT_EQ(VT_MIB, pwrite(fd, buf, VT_MIB, 2 * VT_MIB));
	RUN_CLEAN(F_FORCE | F_FULL | F_RANGE, VDSWIPE_METHOD_ZERO, 0,
		  2 * VT_MIB, VT_MIB, VT_MIB);
	ASSERT_EQ(0, fsync(fd));
	sync();
	ASSERT_FILLED(2 * VT_MIB, VT_MIB, 0);
	ASSERT_EQ(0, buffered_check(self->dev, 2 * VT_MIB, VT_MIB, 0));
	close(fd);
	free(buf);
}

TEST_HARNESS_MAIN
