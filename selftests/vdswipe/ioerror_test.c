// SPDX-License-Identifier: GPL-2.0
/*
 * I/O errors: a clean that hits a failing write ends FAILED with the block
 * layer's errno, bytes_done counting what was written before, error_offset
 * the first failing device offset, percent the share written; its device is
 * released; Cancel says EALREADY; its completion record says the same.
 *
 * The device is a dm table: the first GOOD bytes map linearly onto ram0,
 * the rest (up to 8 MiB) is the "error" target. GOOD is a multiple of the
 * chunk size, so exactly GOOD bytes can be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define DEV_MIB		8
#define SEED		0xe770ULL

FIXTURE(ioerr) {
	int s;
	int fd;
	char dev[64], ram0[64], ram1[64];
	uint64_t size, good;
};

FIXTURE_VARIANT(ioerr) {
	const char *params;
	unsigned int good_kib;
};

/* default 1 MiB chunks, errors from 4 MiB on */
FIXTURE_VARIANT_ADD(ioerr, chunk1m) {
	.params = "", .good_kib = 4096,
};

/* 256 KiB chunks, errors from 4.25 MiB on */
FIXTURE_VARIANT_ADD(ioerr, chunk256k) {
	.params = "chunk_size=262144", .good_kib = 4352,
};

FIXTURE_SETUP(ioerr)
{
	char table[256];
	uint64_t good_s, bad_s;
	int ret;

	self->s = self->fd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(variant->params));
	/* ram0 backs the 8 MiB error table; ram1 (16 MiB) the slow one */
	ret = vt_brd_load(2, 2 * DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	vt_brd_path(1, self->ram1, sizeof(self->ram1));
	self->size = DEV_MIB * VT_MIB;
	self->good = variant->good_kib * VT_KIB;
	ASSERT_EQ(0, vt_fill_seeded(self->ram0, 0, self->size, SEED));
	good_s = self->good >> 9;
	bad_s = (self->size - self->good) >> 9;
	snprintf(table, sizeof(table),
		 "0 %llu linear %s 0\n%llu %llu error",
		 (unsigned long long)good_s, self->ram0,
		 (unsigned long long)good_s, (unsigned long long)bad_s);
	ret = vt_dm_create("vdswerr", table, self->dev, sizeof(self->dev));
	if (ret) {
		vt_brd_unload();
		SKIP(return, "no device-mapper error target (%s)",
		     strerror(-ret));
	}
	self->fd = vt_open(self->dev, O_RDWR);
	ASSERT_LE(0, self->fd);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(ioerr)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	vt_dm_remove("vdswerr");
	vt_dm_remove("vdswgone");
	vt_dm_remove("vdswgone_under");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

#define F_FULL	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)

/* Run a clean to its end; fill @st. */
static int run(FIXTURE_DATA(ioerr) *self, uint32_t flags, uint64_t off,
	       uint64_t len, uint64_t *id, struct vdswipe_status *st)
{
	int ret = vt_submit(self->s, self->fd, flags, VDSWIPE_METHOD_ZERO, 0,
			    off, len, id, NULL);

	return ret ? ret : vt_finish(self->s, *id, 30000, st);
}

#define ASSERT_FAILED(st, done, total, erroff) do {			\
	ASSERT_EQ(VDSWIPE_STATE_FAILED, (st).state)			\
		TH_LOG("state %s result %d", vt_state_name((st).state),	\
		       (st).result);					\
	ASSERT_EQ(-EIO, (st).result);					\
	ASSERT_EQ((uint64_t)(done), (st).bytes_done);			\
	ASSERT_EQ((uint64_t)(total), (st).bytes_total);			\
	ASSERT_EQ((uint64_t)(erroff), (st).error_offset);		\
	ASSERT_EQ((uint32_t)((done) * 100 / (total)), (st).percent);	\
} while (0)

TEST_F(ioerr, full_clean_fails_at_first_bad_byte)
{
	struct vdswipe_status st;
	uint64_t id, bad = 0;

	ASSERT_EQ(0, run(self, F_FULL, 0, 0, &id, &st));
	ASSERT_FAILED(st, self->good, self->size, self->good);
	/* everything before the error was written */
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, self->good, 0, &bad))
		TH_LOG("byte %llu not cleaned", (unsigned long long)bad);
	/* the backing disk past the mapping was never touched */
	ASSERT_EQ(0, vt_check_seeded(self->ram0, self->good,
				     self->size - self->good, SEED, &bad));
}

TEST_F(ioerr, quick_clean_fails_in_last_mib)
{
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, run(self, VDSWIPE_CLEAN_FORCE, 0, 0, &id, &st));
	ASSERT_FAILED(st, VT_MIB, 2 * VT_MIB, self->size - VT_MIB);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, VT_MIB, 0, NULL));
	ASSERT_EQ(0, vt_check_seeded(self->ram0, VT_MIB, self->good - VT_MIB,
				     SEED, NULL));
}

TEST_F(ioerr, range_starting_in_error_area)
{
	struct vdswipe_status st;
	uint64_t id, off = self->size - 2 * VT_MIB;

	ASSERT_EQ(0, run(self, F_FULL | VDSWIPE_CLEAN_RANGE, off, VT_MIB, &id,
			 &st));
	ASSERT_FAILED(st, 0, VT_MIB, off);
}

TEST_F(ioerr, range_crossing_into_error_area)
{
	struct vdswipe_status st;
	uint64_t id, off = self->good - VT_MIB;

	ASSERT_EQ(0, run(self, F_FULL | VDSWIPE_CLEAN_RANGE, off, 2 * VT_MIB,
			 &id, &st));
	ASSERT_FAILED(st, VT_MIB, 2 * VT_MIB, self->good);
	ASSERT_EQ(0, vt_check_fill(self->ram0, off, VT_MIB, 0, NULL));
	ASSERT_EQ(0, vt_check_seeded(self->ram0, 0, off, SEED, NULL));
}

TEST_F(ioerr, range_in_good_area_done)
{
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, run(self, F_FULL | VDSWIPE_CLEAN_RANGE, VT_MIB,
			 2 * VT_MIB, &id, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, st.result);
	ASSERT_EQ(~0ULL, st.error_offset);
	ASSERT_EQ(0, vt_check_fill(self->ram0, VT_MIB, 2 * VT_MIB, 0, NULL));
}

TEST_F(ioerr, failed_op_cancel_ealready)
{
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, run(self, F_FULL, 0, 0, &id, &st));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state);
	ASSERT_EQ(-EALREADY, vt_cancel(self->s, id));
	ASSERT_EQ(0, vt_query(self->s, id, &st));
	ASSERT_FAILED(st, self->good, self->size, self->good);
}

TEST_F(ioerr, failed_op_releases_device)
{
	struct vdswipe_status st;
	uint64_t id, id2;

	ASSERT_EQ(0, run(self, F_FULL, 0, 0, &id, &st));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state);
	ASSERT_EQ(0, vt_try_excl(self->dev));
	ASSERT_EQ(0, run(self, F_FULL | VDSWIPE_CLEAN_RANGE, 0, VT_MIB, &id2,
			 &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_release(self->s, id));
}

TEST_F(ioerr, failed_op_record)
{
	struct pollfd p = { .events = POLLIN };
	struct vdswipe_event ev;
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, run(self, F_FULL, 0, 0, &id, &st));
	p.fd = self->s;
	ASSERT_EQ(1, poll(&p, 1, 5000));
	ASSERT_EQ(sizeof(ev), read(self->s, &ev, sizeof(ev)));
	ASSERT_EQ(id, ev.op_id);
	ASSERT_EQ(VDSWIPE_STATE_FAILED, ev.state);
	ASSERT_EQ(-EIO, ev.result);
	ASSERT_EQ(self->good, ev.bytes_done);
}

TEST_F(ioerr, failed_op_state_never_changes)
{
	struct vdswipe_status st, st2;
	uint64_t id;

	ASSERT_EQ(0, run(self, F_FULL, 0, 0, &id, &st));
	vt_sleep_ms(300);
	ASSERT_EQ(0, vt_query(self->s, id, &st2));
	ASSERT_EQ(st.state, st2.state);
	ASSERT_EQ(st.result, st2.result);
	ASSERT_EQ(st.bytes_done, st2.bytes_done);
	ASSERT_EQ(st.error_offset, st2.error_offset);
	ASSERT_EQ(st.percent, st2.percent);
}

/* Number of zero bytes in the first @size bytes of @dev, or ~0 on error. */
static uint64_t count_zero(const char *dev, uint64_t size)
{
	uint8_t *snap = vt_snapshot(dev, 0, size);
	uint64_t i, n = 0;

	if (!snap)
		return ~0ULL;
	for (i = 0; i < size; i++)
		n += !snap[i];
	free(snap);
	return n;
}

/*
 * The device turns bad mid-clean: a slow dm-delay table gets its table
 * replaced by the error target (dmsetup wipe_table; the writes it held are
 * flushed first). The op fails with EIO; bytes_done is the number of bytes
 * that reached ram1.
 *
 * Between flushing its held writes and holding new ones, a suspending dm
 * device lets writes through undelayed: straight over ram1, a loaded guest
 * once wrote the whole rest of the clean in that window and the op ended
 * DONE. So the delay sits on a second dm-delay device underneath, which
 * keeps every write slow through that window too.
 */
TEST_F_TIMEOUT(ioerr, device_fails_mid_clean, 60)
{
	const uint64_t size = 2 * DEV_MIB * VT_MIB;
	struct vdswipe_status st;
	char under[64], path[64];
	uint64_t id, bad = 0;
	int fd, ret;

	ASSERT_EQ(0, vt_fill(self->ram1, 0, size, 0x99));
	ret = vt_delay_create("vdswgone_under", self->ram1, 1000, under,
			      sizeof(under));
	if (ret)
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	ASSERT_EQ(0, vt_delay_create("vdswgone", under, 500, path,
				     sizeof(path)));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->s, fd, F_FULL, VDSWIPE_METHOD_ZERO, 0, 0,
			       0, &id, NULL));
	close(fd);
	ASSERT_EQ(0, vt_wait_progress(self->s, id, 1, 20000, &st));
	ASSERT_EQ(0, vt_run("DM_DISABLE_UDEV=1 dmsetup --noudevsync wipe_table vdswgone"));
	ASSERT_EQ(0, vt_finish(self->s, id, 20000, &st));
	TH_LOG("failed after %llu bytes at %llu",
	       (unsigned long long)st.bytes_done,
	       (unsigned long long)st.error_offset);
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state)
		TH_LOG("state %s result %d", vt_state_name(st.state), st.result);
	ASSERT_EQ(-EIO, st.result);
	ASSERT_LT(0, st.bytes_done);
	ASSERT_GT(size, st.bytes_done);
	ASSERT_GT(size, st.error_offset);
	ASSERT_EQ((uint32_t)(st.bytes_done * 100 / size), st.percent);
	/* bytes_done counts exactly the bytes whose writes succeeded */
	ASSERT_EQ(st.bytes_done, count_zero(self->ram1, size));
	/* the lowest failed request wrote nothing */
	ASSERT_EQ(0, vt_check_fill(self->ram1, st.error_offset, 512, 0x99,
				   &bad));
}

TEST_F(ioerr, signature_check_read_error)
{
	char table[128], path[64];
	uint64_t id;
	struct vdswipe_status st;
	int fd, ret;

	/* a device that fails every request, the signature reads included */
	snprintf(table, sizeof(table), "0 %llu error",
		 (unsigned long long)(4 * VT_MIB >> 9));
	ret = vt_dm_create("vdswgone", table, path, sizeof(path));
	if (ret)
		SKIP(return, "no dm error target (%s)", strerror(-ret));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EIO, vt_submit(self->s, fd, 0, VDSWIPE_METHOD_ZERO, 0, 0,
				  0, &id, NULL));
	ASSERT_EQ(0, vt_try_excl(path));
	/* with FORCE nothing is read first: the op fails on its first write */
	ASSERT_EQ(0, vt_submit(self->s, fd, VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &id, NULL));
	ASSERT_EQ(0, vt_finish(self->s, id, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state);
	ASSERT_EQ(-EIO, st.result);
	ASSERT_EQ(0, st.bytes_done);
	ASSERT_EQ(0, st.percent);
	ASSERT_EQ(0, st.error_offset);
	close(fd);
}

static void spin(unsigned int loops)
{
	volatile unsigned int i;

	for (i = 0; i < loops; i++)
		;
}

/*
 * Cancel racing an op that fails: 0 and CANCELLED, or EALREADY and FAILED
 * with the I/O error; never anything else.
 */
TEST_F_TIMEOUT(ioerr, cancel_vs_failure_race, 60)
{
	unsigned int iters = 0, won = 0, failed = 0, loops = 0;
	uint64_t start = vt_now_ns(), off = self->good - VT_MIB;

	srand(6);
	while (iters < 1500 && vt_ms_since(start) < 12000) {
		struct vdswipe_status st;
		uint64_t id;
		int r;

		ASSERT_EQ(0, vt_submit(self->s, self->fd, F_FULL |
				       VDSWIPE_CLEAN_RANGE, VDSWIPE_METHOD_ZERO,
				       0, off, VT_MIB + 64 * VT_KIB, &id,
				       NULL));
		spin(loops);
		r = vt_cancel(self->s, id);
		ASSERT_TRUE(r == 0 || r == -EALREADY)
			TH_LOG("iteration %u: cancel returned %d", iters, r);
		ASSERT_EQ(0, vt_finish(self->s, id, 10000, &st));
		if (r == 0) {
			ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state)
				TH_LOG("iteration %u: cancel won but op is %s",
				       iters, vt_state_name(st.state));
			ASSERT_EQ(-ECANCELED, st.result);
			won++;
			loops += 1 + loops / 8 + rand() % 64;
		} else {
			ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state)
				TH_LOG("iteration %u: cancel too late but op is %s",
				       iters, vt_state_name(st.state));
			ASSERT_EQ(-EIO, st.result);
			ASSERT_EQ(self->good, st.error_offset);
			ASSERT_EQ(VT_MIB, st.bytes_done);
			failed++;
			loops = loops > 8 ? loops - loops / 4 : 0;
		}
		ASSERT_EQ(0, vt_release(self->s, id));
		iters++;
	}
	TH_LOG("%u iterations: cancel won %u, op failed first %u", iters, won,
	       failed);
	ASSERT_LE(100, iters);
	if (!won || !failed)
		SKIP(return, "race window not hit");
}

TEST_HARNESS_MAIN
