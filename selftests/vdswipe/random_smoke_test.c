// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke checks of the sanitize engine on brd: METHOD_RANDOM through CLEAN,
 * SANITIZE with passes and verification, VERIFY_ONLY catching a changed
 * block, cancel during a random pass and during verification, PROGRESS,
 * and a throughput line for ZERO, PATTERN and RANDOM (information only).
 * The thorough tests of the engine live in their own files.
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

#define DEV_MIB		32
#define BLK		4096

FIXTURE(rs) {
	int s;
	int fd;
	char dev[64];
	uint64_t size;
};

FIXTURE_SETUP(rs)
{
	self->s = self->fd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	ASSERT_EQ(0, vt_brd_load(1, DEV_MIB, 0));
	vt_brd_path(0, self->dev, sizeof(self->dev));
	ASSERT_EQ(0, vt_fill(self->dev, 0, DEV_MIB * VT_MIB, 0xA5));
	self->fd = vt_open(self->dev, O_RDWR);
	ASSERT_LE(0, self->fd);
	self->size = DEV_MIB * VT_MIB;
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(rs)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	vt_brd_unload();
	vt_module_unload();
}

static int sanitize(int s, struct vdswipe_sanitize *z)
{
	return ioctl(s, VDSWIPE_IOC_SANITIZE, z) ? -errno : 0;
}

static int progress(int s, uint64_t id, struct vdswipe_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->op_id = id;
	return ioctl(s, VDSWIPE_IOC_PROGRESS, p) ? -errno : 0;
}

static int cmp_blk(const void *a, const void *b)
{
	return memcmp(a, b, BLK);
}

/* No two 4 KiB blocks of @buf are equal, and none is all one byte. */
static bool all_distinct(const uint8_t *buf, size_t len)
{
	size_t n = len / BLK, i;
	uint8_t *copy = malloc(len);
	bool ok = true;

	memcpy(copy, buf, len);
	qsort(copy, n, BLK, cmp_blk);
	for (i = 0; i + 1 < n; i++)
		if (!memcmp(copy + i * BLK, copy + (i + 1) * BLK, BLK))
			ok = false;
	for (i = 0; i < n && ok; i++) {
		const uint8_t *b = buf + i * BLK;

		if (b[0] == b[1] && !memcmp(b, b + 1, BLK - 1))
			ok = false;
	}
	free(copy);
	return ok;
}

TEST_F(rs, version_features)
{
	struct vdswipe_version v;

	ASSERT_EQ(0, vt_version(self->s, &v));
	EXPECT_EQ(1, v.abi_version);
	EXPECT_EQ(0x1ffULL, v.features);
}

TEST_F(rs, clean_random_full)
{
	struct vdswipe_status st;
	uint64_t id, total;
	uint8_t *a, *b;

	ASSERT_EQ(0, vt_submit(self->s, self->fd,
			       VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_RANDOM, 0, 0, 0, &id, &total));
	EXPECT_EQ(self->size, total);
	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	EXPECT_EQ(VDSWIPE_METHOD_RANDOM, st.method);
	EXPECT_EQ(self->size, st.bytes_done);
	a = vt_snapshot(self->dev, 0, self->size);
	ASSERT_NE(NULL, a);
	EXPECT_TRUE(all_distinct(a, self->size));

	ASSERT_EQ(0, vt_submit(self->s, self->fd,
			       VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_RANDOM, 0, 0, 0, &id, &total));
	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	b = vt_snapshot(self->dev, 0, self->size);
	ASSERT_NE(NULL, b);
	/* A new key: not one 4 KiB block is the same. */
	for (uint64_t i = 0; i < self->size; i += BLK)
		EXPECT_NE(0, memcmp(a + i, b + i, BLK));
	free(a);
	free(b);
}

TEST_F(rs, random_pattern_rejected)
{
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_RANDOM);
	c.pattern = 1;
	EXPECT_EQ(-EINVAL, vt_clean(self->s, &c));
	c.pattern = 0;
	c.method = VDSWIPE_METHOD_RANDOM + 1;
	EXPECT_EQ(-EINVAL, vt_clean(self->s, &c));
}

TEST_F(rs, passes_verify_all)
{
	struct vdswipe_sanitize z = {
		.fd = self->fd,
		.flags = VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
		.nr_passes = 3,
		.verify = VDSWIPE_VERIFY_ALL,
		.sample_pct = 100,
		.passes = {
			{ VDSWIPE_METHOD_RANDOM, 0 },
			{ VDSWIPE_METHOD_PATTERN, 0x5a },
			{ VDSWIPE_METHOD_ZERO, 0 },
		},
	};
	struct vdswipe_progress p;
	struct vdswipe_status st;
	uint64_t bad;

	ASSERT_EQ(0, sanitize(self->s, &z));
	EXPECT_EQ(self->size, z.region_bytes);
	EXPECT_EQ(6 * self->size, z.bytes_total);
	ASSERT_EQ(0, vt_finish(self->s, z.op_id, 120000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	EXPECT_EQ(0, st.result);
	EXPECT_EQ(100, st.percent);
	ASSERT_EQ(0, progress(self->s, z.op_id, &p));
	EXPECT_EQ(3, p.nr_passes);
	EXPECT_EQ(3, p.pass);
	EXPECT_EQ(VDSWIPE_PHASE_NONE, p.phase);
	EXPECT_EQ(VDSWIPE_METHOD_ZERO, p.method);
	EXPECT_EQ(3 * self->size, p.bytes_written);
	EXPECT_EQ(3 * self->size, p.bytes_verified);
	EXPECT_EQ(3 * self->size, p.verify_total);
	EXPECT_EQ(6 * self->size, p.bytes_done);
	EXPECT_EQ(0, p.mismatch_blocks);
	EXPECT_EQ(~0ULL, p.first_mismatch);
	EXPECT_EQ(~0ULL, p.error_offset);
	EXPECT_EQ(512, p.block_size);
	EXPECT_EQ(0, vt_check_fill(self->dev, 0, self->size, 0, &bad));
}

TEST_F(rs, sampled_counts)
{
	/* 32 chunks of 1 MiB; 10% = ceil(3.2) = 4, first and last MiB among them */
	struct vdswipe_sanitize z = {
		.fd = self->fd,
		.flags = VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
		.nr_passes = 1,
		.verify = VDSWIPE_VERIFY_LAST,
		.sample_pct = 10,
		.passes = { { VDSWIPE_METHOD_RANDOM, 0 } },
	};
	struct vdswipe_progress p;
	struct vdswipe_status st;

	ASSERT_EQ(0, sanitize(self->s, &z));
	EXPECT_EQ(self->size + 4 * VT_MIB, z.bytes_total);
	ASSERT_EQ(0, vt_finish(self->s, z.op_id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, progress(self->s, z.op_id, &p));
	EXPECT_EQ(4 * VT_MIB, p.bytes_verified);
	EXPECT_EQ(z.bytes_total, p.bytes_done);
}

TEST_F(rs, verify_only_mismatch)
{
	struct vdswipe_sanitize z = {
		.fd = self->fd,
		.flags = VDSWIPE_CLEAN_FULL | VDSWIPE_SANITIZE_VERIFY_ONLY,
		.nr_passes = 1,
		.verify = VDSWIPE_VERIFY_LAST,
		.sample_pct = 100,
		.passes = { { VDSWIPE_METHOD_PATTERN, 0x11 } },
	};
	struct vdswipe_progress p;
	struct vdswipe_status st;
	int ro;

	ASSERT_EQ(0, vt_fill(self->dev, 0, self->size, 0x11));
	ASSERT_EQ(0, vt_write_bytes(self->dev, 5 * VT_MIB + 700, "xx", 2));
	ASSERT_EQ(0, vt_write_bytes(self->dev, 9 * VT_MIB + 1023, "yy", 2));
	/* a read-only descriptor is enough */
	ro = vt_open(self->dev, O_RDONLY);
	ASSERT_LE(0, ro);
	z.fd = ro;
	ASSERT_EQ(0, sanitize(self->s, &z));
	close(ro);
	EXPECT_EQ(self->size, z.bytes_total);
	ASSERT_EQ(0, vt_finish(self->s, z.op_id, 60000, &st));
	EXPECT_EQ(VDSWIPE_STATE_FAILED, st.state);
	EXPECT_EQ(-EBADMSG, st.result);
	ASSERT_EQ(0, progress(self->s, z.op_id, &p));
	EXPECT_EQ(3, p.mismatch_blocks);
	EXPECT_EQ(5 * VT_MIB + 512, p.first_mismatch);
	EXPECT_EQ(self->size, p.bytes_verified);
	EXPECT_EQ(0, p.bytes_written);

	/* and a matching device passes */
	ASSERT_EQ(0, vt_fill(self->dev, 0, self->size, 0x11));
	z.fd = self->fd;
	ASSERT_EQ(0, sanitize(self->s, &z));
	ASSERT_EQ(0, vt_finish(self->s, z.op_id, 60000, &st));
	EXPECT_EQ(VDSWIPE_STATE_DONE, st.state);
}

TEST_F(rs, sanitize_einval)
{
	struct vdswipe_sanitize base = {
		.fd = self->fd,
		.flags = VDSWIPE_CLEAN_FORCE,
		.nr_passes = 1,
		.passes = { { VDSWIPE_METHOD_ZERO, 0 } },
	}, z;

#define REJ(stmt) do { z = base; stmt; EXPECT_EQ(-EINVAL, sanitize(self->s, &z)); } while (0)
	REJ(z.flags |= VDSWIPE_CLEAN_SECURE);
	REJ(z.flags |= 1U << 31);
	REJ(z.reserved0 = 1);
	REJ(z.reserved[2] = 1);
	REJ(z.nr_passes = 0);
	REJ(z.nr_passes = 9);
	REJ(z.passes[0].method = VDSWIPE_METHOD_DISCARD);
	REJ(z.passes[0].method = 4);
	REJ(z.passes[0].pattern = 1);
	REJ(z.passes[1].method = 1);
	REJ(z.passes[7].pattern = 1);
	REJ(z.passes[0] = ((struct vdswipe_pass){ VDSWIPE_METHOD_PATTERN, 256 }));
	REJ(z.verify = 3);
	REJ(z.sample_pct = 5);
	REJ(z.verify = 1; z.sample_pct = 0);
	REJ(z.verify = 1; z.sample_pct = 101);
	REJ(z.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY);
	REJ(z.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY; z.verify = 1;
	    z.sample_pct = 100; z.nr_passes = 2; z.passes[1].method = 0);
	REJ(z.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY; z.verify = 1;
	    z.sample_pct = 100; z.passes[0].method = VDSWIPE_METHOD_RANDOM);
	REJ(z.offset = 512);
	REJ(z.flags |= VDSWIPE_CLEAN_RANGE);
#undef REJ
	z = base;
	EXPECT_EQ(0, sanitize(self->s, &z));
}

/*
 * Cancel while the second pass or its verification runs, on a null_blk
 * whose every request takes 100 ms (16 chunks, 4 in flight: each phase
 * takes about 0.4 s whatever the CPU; not the mbps throttle, see
 * stress_test.c); then the device never changes again.
 */
static void cancel_in(struct __test_metadata *_metadata, FIXTURE_DATA(rs) *self,
		      uint32_t phase)
{
	struct vt_nullb_opts o = {
		.size_mib = 16, .memory_backed = true,
		.completion_nsec = 100 * 1000 * 1000UL,
	};
	struct vdswipe_sanitize z = {
		.flags = VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
		.nr_passes = 2,
		.verify = VDSWIPE_VERIFY_ALL,
		.sample_pct = 100,
		.passes = {
			{ VDSWIPE_METHOD_RANDOM, 0 },
			{ VDSWIPE_METHOD_RANDOM, 0 },
		},
	};
	uint64_t size = 16 * VT_MIB, t0, bad;
	struct vdswipe_progress p;
	struct vdswipe_status st;
	char path[64];
	uint8_t *snap;
	int fd, ret;

	if (!vt_nullb_available())
		SKIP(return, "no null_blk");
	ASSERT_EQ(0, vt_nullb_create("vdswrs", &o, path, sizeof(path)));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	z.fd = fd;
	ASSERT_EQ(0, sanitize(self->s, &z));
	t0 = vt_now_ns();
	for (;;) {
		ASSERT_EQ(0, progress(self->s, z.op_id, &p));
		ASSERT_FALSE(vt_state_ended(p.state)) {
			TH_LOG("ended: state %u result %d pass %u, %llu of %llu bytes",
			       p.state, p.result, p.pass,
			       (unsigned long long)p.bytes_done,
			       (unsigned long long)p.bytes_total);
		}
		/* 1 MiB into the second pass's write or verification */
		if (p.phase == phase && p.pass == 2 &&
		    p.bytes_done >= (phase == VDSWIPE_PHASE_WRITE ? 2 : 3) *
				    size + VT_MIB)
			break;
		ASSERT_GT(60000, vt_ms_since(t0));
		vt_sleep_ms(1);
	}
	t0 = vt_now_ns();
	ret = vt_cancel(self->s, z.op_id);
	TH_LOG("cancel took %llu ms", (unsigned long long)vt_ms_since(t0));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vt_query(self->s, z.op_id, &st));
	EXPECT_EQ(VDSWIPE_STATE_CANCELLED, st.state);
	EXPECT_EQ(-ECANCELED, st.result);
	EXPECT_GT(z.bytes_total, st.bytes_done);
	snap = vt_snapshot(path, 0, size);
	ASSERT_NE(NULL, snap);
	vt_sleep_ms(200);
	EXPECT_EQ(0, vt_compare_snapshot(path, 0, size, snap, &bad));
	free(snap);
	close(fd);
	EXPECT_EQ(0, vt_nullb_destroy("vdswrs"));
}

TEST_F(rs, cancel_in_write)
{
	cancel_in(_metadata, self, VDSWIPE_PHASE_WRITE);
}

TEST_F(rs, cancel_in_verify)
{
	cancel_in(_metadata, self, VDSWIPE_PHASE_VERIFY);
}

TEST_F(rs, throughput)
{
	static const uint32_t methods[] = {
		VDSWIPE_METHOD_ZERO, VDSWIPE_METHOD_PATTERN,
		VDSWIPE_METHOD_RANDOM,
	};
	static const char *const names[] = { "zero", "pattern", "random" };
	struct vdswipe_status st;
	unsigned int i;
	uint64_t id, t0, ms;

	/*
	 * The first RANDOM op after loading looks up the crypto API's
	 * chacha20 (modprobe, slow under TCG): not part of the rate.
	 */
	ASSERT_EQ(0, vt_submit(self->s, self->fd, VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_RANDOM, 0, 0, 0, &id, NULL));
	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	for (i = 0; i < 3; i++) {
		t0 = vt_now_ns();
		ASSERT_EQ(0, vt_submit(self->s, self->fd,
				       VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
				       methods[i], i == 1 ? 0x77 : 0, 0, 0,
				       &id, NULL));
		ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
		ms = vt_ms_since(t0);
		ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
		TH_LOG("%-8s %3u MiB in %5llu ms: %llu MB/s", names[i], DEV_MIB,
		       (unsigned long long)ms,
		       (unsigned long long)(ms ? self->size / 1000 / ms : 0));
	}

	/* reading back and comparing (the device holds random data now) */
	for (i = 0; i < 2; i++) {
		struct vdswipe_sanitize z = {
			.fd = self->fd,
			.flags = VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE |
				 (i ? 0 : VDSWIPE_SANITIZE_VERIFY_ONLY),
			.nr_passes = 1,
			.verify = VDSWIPE_VERIFY_LAST,
			.sample_pct = 100,
			.passes = { { i ? VDSWIPE_METHOD_RANDOM :
					  VDSWIPE_METHOD_ZERO, 0 } },
		};

		if (!i)
			ASSERT_EQ(0, vt_fill(self->dev, 0, self->size, 0));
		t0 = vt_now_ns();
		ASSERT_EQ(0, sanitize(self->s, &z));
		ASSERT_EQ(0, vt_finish(self->s, z.op_id, 60000, &st));
		ms = vt_ms_since(t0);
		ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
		TH_LOG("%-14s %3u MiB in %5llu ms: %llu MB/s",
		       i ? "random+verify" : "verify zero", DEV_MIB,
		       (unsigned long long)ms,
		       (unsigned long long)(ms ? z.bytes_total / 1000 / ms : 0));
	}
}

TEST_HARNESS_MAIN
