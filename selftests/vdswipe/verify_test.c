// SPDX-License-Identifier: GPL-2.0
/*
 * Sanitize verification (issue 10) catches what did not land: device-mapper
 * tables over ram0 in which some pieces are dm-flakey (always "down": up 0 s,
 * down 1 s) that drops writes (drop_writes), corrupts one byte of each write
 * or read (corrupt_bio_byte) or fails reads (error_reads), or the error
 * target; the rest maps linearly onto the same offsets of ram0. The op must
 * end FAILED with -EBADMSG, the exact offset of the first mismatching block
 * and the exact number of mismatching blocks (verification of that pass
 * completes its count), or -EIO with error_offset for a read error. Clean
 * devices verify DONE; sampled verification reads the share of chunks it
 * says it reads (every chunk here carries a dropped 4 KiB, so the mismatch
 * count tells how many chunks were really compared) and always the first
 * and last MiB; VERIFY_ONLY checks a device something else wiped.
 *
 * Write corruption goes only with METHOD_RANDOM: dm-flakey of 6.1 corrupts
 * the writer's own pages in place (6.12 corrupts a copy), which would also
 * corrupt a shared pattern buffer. Read corruption and dropped writes are
 * exact with every method on both kernels.
 *
 * ram0 and ram1: brd, 16 MiB, 512-byte blocks; 256 KiB chunks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define MOD_PARAMS	"chunk_size=262144"
#define CHUNK		(256 * VT_KIB)
#define DEV_MIB		16
#define LBS		512
#define SEED		0xbadc0deULL
#define TABLE		"vdswver"

#define F_FULL		(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)
#define F_RANGE		(F_FULL | VDSWIPE_CLEAN_RANGE)

/* dm-flakey features (the table's "<num_features> <args>...") */
#define DROP		"1 drop_writes"
#define ERROR_READS	"1 error_reads"
#define ERROR_TARGET	"error"

static int sanitize(int session, struct vdswipe_sanitize *a)
{
	return ioctl(session, VDSWIPE_IOC_SANITIZE, a) ? -errno : 0;
}

static int progress_of(int session, uint64_t id, struct vdswipe_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->op_id = id;
	return ioctl(session, VDSWIPE_IOC_PROGRESS, p) ? -errno : 0;
}

static void san_init(struct vdswipe_sanitize *a, int fd, uint32_t flags,
		     uint64_t off, uint64_t len, uint32_t method,
		     uint32_t pattern, uint32_t verify, uint32_t sample)
{
	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->flags = flags;
	a->offset = off;
	a->length = len;
	a->nr_passes = 1;
	a->passes[0].method = method;
	a->passes[0].pattern = pattern;
	a->verify = verify;
	a->sample_pct = sample;
}

static int san_run(int session, struct vdswipe_sanitize *a,
		   struct vdswipe_progress *p)
{
	struct vdswipe_status st;
	int ret = sanitize(session, a);

	if (ret)
		return ret;
	ret = vt_finish(session, a->op_id, 60000, &st);
	if (ret)
		return ret;
	return progress_of(session, a->op_id, p);
}

/* One piece of a table; the gaps between pieces map linearly. */
struct seg {
	uint64_t off, len;	/* bytes */
	const char *what;	/* flakey features, or ERROR_TARGET */
};

FIXTURE(ver) {
	int s;
	int fd;			/* the dm table (or ram0), O_RDWR */
	char ram0[64], ram1[64], dev[64];
	uint64_t size;
};

FIXTURE_SETUP(ver)
{
	int ret;

	self->s = self->fd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(2, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	vt_brd_path(1, self->ram1, sizeof(self->ram1));
	self->size = DEV_MIB * VT_MIB;
	ASSERT_EQ(0, vt_fill_seeded(self->ram0, 0, self->size, SEED));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(ver)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	vt_dm_remove(TABLE);
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

/*
 * Build TABLE over ram0 from @n pieces sorted by offset; open it into
 * self->fd. 0, or -errno (-ENODEV: no dm-flakey or feature unknown).
 */
static int make_table(FIXTURE_DATA(ver) *self, const struct seg *segs,
		      unsigned int n)
{
	size_t cap = 128 * (2 * n + 2), used = 0;
	char *t = malloc(cap);
	uint64_t pos = 0;
	unsigned int i;
	int ret;

	if (!t)
		return -ENOMEM;
	if (vt_dm_target_load("dm-flakey")) {
		free(t);
		return -ENODEV;
	}
	for (i = 0; i <= n; i++) {
		uint64_t end = i < n ? segs[i].off : self->size;

		if (end > pos)
			used += snprintf(t + used, cap - used,
					 "%llu %llu linear %s %llu\n",
					 (unsigned long long)(pos >> 9),
					 (unsigned long long)((end - pos) >> 9),
					 self->ram0,
					 (unsigned long long)(pos >> 9));
		if (i == n)
			break;
		if (!strcmp(segs[i].what, ERROR_TARGET))
			used += snprintf(t + used, cap - used, "%llu %llu error\n",
					 (unsigned long long)(end >> 9),
					 (unsigned long long)(segs[i].len >> 9));
		else
			used += snprintf(t + used, cap - used,
					 "%llu %llu flakey %s %llu 0 1 %s\n",
					 (unsigned long long)(end >> 9),
					 (unsigned long long)(segs[i].len >> 9),
					 self->ram0,
					 (unsigned long long)(end >> 9),
					 segs[i].what);
		pos = end + segs[i].len;
	}
	t[used ? used - 1 : 0] = '\0';	/* no trailing newline */
	ret = vt_dm_create(TABLE, t, self->dev, sizeof(self->dev));
	free(t);
	if (ret)
		return ret == -EINVAL ? -ENODEV : ret;
	self->fd = vt_open(self->dev, O_RDWR);
	return self->fd < 0 ? self->fd : 0;
}

#define MAKE_TABLE(segs, n) do {					\
	int _r = make_table(self, (segs), (n));				\
	if (_r == -ENODEV)						\
		SKIP(return, "dm-flakey (or a feature of it) missing");	\
	ASSERT_EQ(0, _r);						\
} while (0)

/* The op ended FAILED with a verification mismatch. */
#define ASSERT_MISMATCH(p, first, count) do {				\
	ASSERT_EQ(VDSWIPE_STATE_FAILED, (p).state)			\
		TH_LOG("state %s result %d", vt_state_name((p).state),	\
		       (p).result);					\
	ASSERT_EQ(-EBADMSG, (p).result);				\
	ASSERT_EQ((uint64_t)(first), (p).first_mismatch)		\
		TH_LOG("first mismatch %llu, count %llu",		\
		       (unsigned long long)(p).first_mismatch,		\
		       (unsigned long long)(p).mismatch_blocks);	\
	ASSERT_EQ((uint64_t)(count), (p).mismatch_blocks);		\
	ASSERT_EQ(~0ULL, (p).error_offset);				\
	ASSERT_EQ(LBS, (p).block_size);					\
	ASSERT_EQ(VDSWIPE_PHASE_NONE, (p).phase);			\
	ASSERT_GE(99, (p).percent);					\
} while (0)

#define ASSERT_P_DONE(p, written, verified) do {			\
	ASSERT_EQ(VDSWIPE_STATE_DONE, (p).state)			\
		TH_LOG("state %s result %d first_mismatch %llu "	\
		       "mismatch_blocks %llu error_offset %llu",	\
		       vt_state_name((p).state), (p).result,		\
		       (unsigned long long)(p).first_mismatch,		\
		       (unsigned long long)(p).mismatch_blocks,		\
		       (unsigned long long)(p).error_offset);		\
	ASSERT_EQ(0, (p).result);					\
	ASSERT_EQ(100, (p).percent);					\
	ASSERT_EQ((uint64_t)(written), (p).bytes_written);		\
	ASSERT_EQ((uint64_t)(verified), (p).bytes_verified);		\
	ASSERT_EQ((uint64_t)(verified), (p).verify_total);		\
	ASSERT_EQ((p).bytes_total, (p).bytes_done);			\
	ASSERT_EQ(0, (p).mismatch_blocks);				\
	ASSERT_EQ(~0ULL, (p).first_mismatch);				\
	ASSERT_EQ(~0ULL, (p).error_offset);				\
} while (0)

/* ----------------------------------------------- clean devices verify */

static void clean_case(struct __test_metadata *_metadata,
		       FIXTURE_DATA(ver) *self, uint32_t method,
		       uint32_t pattern, uint32_t verify)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	self->fd = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, self->fd);
	san_init(&a, self->fd, F_FULL, 0, 0, method, pattern, verify, 100);
	a.nr_passes = 2;
	a.passes[1] = a.passes[0];
	a.passes[0].method = VDSWIPE_METHOD_RANDOM;
	a.passes[0].pattern = 0;
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_P_DONE(p, 2 * self->size,
		      (verify == VDSWIPE_VERIFY_ALL ? 2 : 1) * self->size);
}

TEST_F(ver, clean_device_verify_last_zero)
{
	clean_case(_metadata, self, VDSWIPE_METHOD_ZERO, 0,
		   VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, self->size, 0, NULL));
}

TEST_F(ver, clean_device_verify_all_pattern)
{
	clean_case(_metadata, self, VDSWIPE_METHOD_PATTERN, 0xD2,
		   VDSWIPE_VERIFY_ALL);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, self->size, 0xD2, NULL));
}

TEST_F(ver, clean_device_verify_all_random)
{
	clean_case(_metadata, self, VDSWIPE_METHOD_RANDOM, 0,
		   VDSWIPE_VERIFY_ALL);
}

/* Through a linear table with a flakey piece that is harmless for writes. */
TEST_F(ver, clean_device_through_flakey_read_corrupt_on_other_pattern)
{
	/* corrupts byte 1 of each read with 0x5A, the pattern itself */
	const struct seg segs[] = {
		{ 3 * VT_MIB, 4096, "5 corrupt_bio_byte 1 r 90 0" },
	};
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_TABLE(segs, 1);
	san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_PATTERN, 0x5A,
		 VDSWIPE_VERIFY_LAST, 100);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_P_DONE(p, self->size, self->size);
}

/* ---------------------------------------------------- dropped writes */

static void drop_case(struct __test_metadata *_metadata,
		      FIXTURE_DATA(ver) *self, uint32_t method,
		      uint32_t pattern)
{
	/* neither piece on a chunk boundary; the second spans two chunks */
	const uint64_t x1 = 5 * VT_MIB + 8192, l1 = 12 * VT_KIB;
	const uint64_t x2 = 9 * VT_MIB - 1024, l2 = 2048;
	const struct seg segs[] = {
		{ x1, l1, DROP },
		{ x2, l2, DROP },
	};
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	uint64_t bad = 0;

	MAKE_TABLE(segs, 2);
	san_init(&a, self->fd, F_FULL, 0, 0, method, pattern,
		 VDSWIPE_VERIFY_LAST, 100);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_MISMATCH(p, x1, (l1 + l2) / LBS);
	ASSERT_EQ(self->size, p.bytes_written);
	/* the verification of the pass completed its count */
	ASSERT_EQ(self->size, p.verify_total);
	ASSERT_EQ(self->size, p.bytes_verified);
	ASSERT_EQ(1, p.pass);
	ASSERT_EQ(method, p.method);
	/* the dropped pieces kept the old data: the test did what it says */
	ASSERT_EQ(0, vt_check_seeded(self->ram0, x1, l1, SEED, &bad));
	ASSERT_EQ(0, vt_check_seeded(self->ram0, x2, l2, SEED, &bad));
	if (method != VDSWIPE_METHOD_RANDOM)
		ASSERT_EQ(0, vt_check_fill(self->ram0, 0, x1, pattern, &bad));
}

TEST_F(ver, dropped_writes_zero)
{
	drop_case(_metadata, self, VDSWIPE_METHOD_ZERO, 0);
}

TEST_F(ver, dropped_writes_pattern)
{
	drop_case(_metadata, self, VDSWIPE_METHOD_PATTERN, 0x6B);
}

TEST_F(ver, dropped_writes_random)
{
	drop_case(_metadata, self, VDSWIPE_METHOD_RANDOM, 0);
}

TEST_F(ver, dropped_writes_range)
{
	const uint64_t off = 2 * VT_MIB, len = 4 * VT_MIB;
	const struct seg segs[] = {
		{ VT_MIB, 4096, DROP },			/* outside */
		{ off + len - 1536, 1024, DROP },	/* inside, at the end */
		{ off + len, 4096, DROP },		/* outside */
	};
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_TABLE(segs, 3);
	san_init(&a, self->fd, F_RANGE, off, len, VDSWIPE_METHOD_RANDOM, 0,
		 VDSWIPE_VERIFY_LAST, 100);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_MISMATCH(p, off + len - 1536, 2);
	ASSERT_EQ(len, p.bytes_verified);
	ASSERT_EQ(0, vt_check_seeded(self->ram0, 0, off, SEED, NULL));
	ASSERT_EQ(0, vt_check_seeded(self->ram0, off + len,
				     self->size - off - len, SEED, NULL));
}

/* VERIFY_ALL stops after the first pass that does not verify. */
TEST_F(ver, verify_all_fails_after_first_pass)
{
	const uint64_t x = 12 * VT_MIB + 512;
	const struct seg segs[] = { { x, 512, DROP } };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_TABLE(segs, 1);
	san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_PATTERN, 0x11,
		 VDSWIPE_VERIFY_ALL, 100);
	a.nr_passes = 2;
	a.passes[1].method = VDSWIPE_METHOD_PATTERN;
	a.passes[1].pattern = 0x22;
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_EQ(4 * self->size, a.bytes_total);
	ASSERT_MISMATCH(p, x, 1);
	ASSERT_EQ(1, p.pass);
	ASSERT_EQ(self->size, p.bytes_written);
	ASSERT_EQ(self->size, p.bytes_verified);
	ASSERT_EQ(2 * self->size, p.verify_total);
	/* pass 2 never wrote */
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, x, 0x11, NULL));
	ASSERT_EQ(0, vt_check_fill(self->ram0, x + 512, self->size - x - 512,
				   0x11, NULL));
}

/* VERIFY_LAST: the last pass's data is what is compared. */
TEST_F(ver, verify_last_after_random_and_zero)
{
	const uint64_t x = 7 * VT_MIB;
	const struct seg segs[] = { { x, 3 * 512, DROP } };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_TABLE(segs, 1);
	san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_RANDOM, 0,
		 VDSWIPE_VERIFY_LAST, 100);
	a.nr_passes = 2;
	a.passes[1].method = VDSWIPE_METHOD_ZERO;
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_MISMATCH(p, x, 3);
	ASSERT_EQ(2, p.pass);
	ASSERT_EQ(VDSWIPE_METHOD_ZERO, p.method);
	ASSERT_EQ(2 * self->size, p.bytes_written);
	ASSERT_EQ(self->size, p.bytes_verified);
}

/* The completion record says the same. */
TEST_F(ver, mismatch_event_record)
{
	const struct seg segs[] = { { 4 * VT_MIB, 512, DROP } };
	struct pollfd pfd = { .events = POLLIN };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	struct vdswipe_status st;
	struct vdswipe_event ev;

	MAKE_TABLE(segs, 1);
	san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_PATTERN, 0x01,
		 VDSWIPE_VERIFY_LAST, 100);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_MISMATCH(p, 4 * VT_MIB, 1);
	pfd.fd = self->s;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_EQ(sizeof(ev), read(self->s, &ev, sizeof(ev)));
	ASSERT_EQ(a.op_id, ev.op_id);
	ASSERT_EQ(VDSWIPE_STATE_FAILED, ev.state);
	ASSERT_EQ(-EBADMSG, ev.result);
	ASSERT_EQ(p.bytes_done, ev.bytes_done);
	ASSERT_EQ(0, vt_query(self->s, a.op_id, &st));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state);
	ASSERT_EQ(-EBADMSG, st.result);
	ASSERT_EQ(~0ULL, st.error_offset);
	ASSERT_EQ(p.bytes_done, st.bytes_done);
	ASSERT_EQ(-EALREADY, vt_cancel(self->s, a.op_id));
	/* the device is free again */
	ASSERT_EQ(0, vt_try_excl(self->dev));
}

/* ------------------------------------------------- corrupted data */

/* Reads of one block come back with byte 100 changed to 0xA5. */
static void read_corrupt_case(struct __test_metadata *_metadata,
			      FIXTURE_DATA(ver) *self, uint32_t method,
			      uint32_t pattern)
{
	const uint64_t x = 10 * VT_MIB + 4096 + 512;
	const struct seg segs[] = {
		{ x, 512, "5 corrupt_bio_byte 100 r 165 0" },
	};
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_TABLE(segs, 1);
	san_init(&a, self->fd, F_FULL, 0, 0, method, pattern,
		 VDSWIPE_VERIFY_LAST, 100);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_MISMATCH(p, x, 1);
	ASSERT_EQ(self->size, p.bytes_verified);
	/* on the media the block is right */
	ASSERT_EQ(0, vt_check_fill(self->ram0, x, 512, pattern, NULL));
}

TEST_F(ver, corrupted_read_zero)
{
	read_corrupt_case(_metadata, self, VDSWIPE_METHOD_ZERO, 0);
}

TEST_F(ver, corrupted_read_pattern)
{
	read_corrupt_case(_metadata, self, VDSWIPE_METHOD_PATTERN, 0x3E);
}

/*
 * One write of a random pass lands with byte 100 of its block changed to
 * 0xA5. The keystream byte there is 0xA5 itself once in 256 ops: then the
 * corruption changed nothing and the op is right to pass; try again with a
 * new op (a new key).
 */
TEST_F(ver, corrupted_write_random)
{
	const uint64_t x = 13 * VT_MIB + 3 * 512;
	const struct seg segs[] = {
		{ x, 512, "5 corrupt_bio_byte 100 w 165 0" },
	};
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	uint8_t byte = 0;
	int fd, tries;

	MAKE_TABLE(segs, 1);
	for (tries = 0; tries < 3; tries++) {
		san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_RANDOM, 0,
			 VDSWIPE_VERIFY_LAST, 100);
		ASSERT_EQ(0, san_run(self->s, &a, &p));
		if (p.state != VDSWIPE_STATE_DONE)
			break;
		TH_LOG("op %d passed: keystream byte was 0xA5?", tries);
	}
	ASSERT_MISMATCH(p, x, 1);
	ASSERT_EQ(self->size, p.bytes_verified);
	/* the corrupted byte is on the media */
	fd = vt_open(self->ram0, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pread(fd, &byte, 1, x + 99));
	close(fd);
	ASSERT_EQ(0xA5, byte);
}

/* ------------------------------------------------------ sampling */

/*
 * A drop in the first and in the last MiB is found whatever the sample:
 * those chunks are always read back.
 */
TEST_F(ver, sample_always_covers_first_and_last_mib)
{
	const uint64_t x1 = 512 * VT_KIB, x2 = 16 * VT_MIB - 4096;
	const struct seg segs[] = {
		{ x1, 4096, DROP },
		{ x2, 1024, DROP },
	};
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	int i;

	MAKE_TABLE(segs, 2);
	for (i = 0; i < 3; i++) {
		san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_PATTERN,
			 0x7E, VDSWIPE_VERIFY_LAST, 1);
		ASSERT_EQ(0, san_run(self->s, &a, &p));
		ASSERT_MISMATCH(p, x1, 8 + 2);
		ASSERT_EQ(1, p.sample_pct);
		ASSERT_LE(2 * VT_MIB, p.verify_total);
		ASSERT_GT(4 * VT_MIB, p.verify_total);
		ASSERT_EQ(p.verify_total, p.bytes_verified);
		ASSERT_EQ(self->size + p.verify_total, a.bytes_total);
	}
}

/*
 * The first 4 KiB of every chunk is dropped: the mismatch count says how
 * many chunks were really compared, which must be what verify_total claims,
 * and that share must be what was asked for (plus the first and last MiB).
 */
static void sample_case(struct __test_metadata *_metadata,
			FIXTURE_DATA(ver) *self, uint32_t pct)
{
	const unsigned int nchunks = DEV_MIB * VT_MIB / CHUNK;
	const unsigned int edge = VT_MIB / CHUNK;	/* chunks per MiB */
	struct seg segs[DEV_MIB * VT_MIB / CHUNK];
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	unsigned int i, want, got;

	for (i = 0; i < nchunks; i++) {
		segs[i].off = i * CHUNK;
		segs[i].len = 4096;
		segs[i].what = DROP;
	}
	MAKE_TABLE(segs, nchunks);
	san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_ZERO, 0,
		 VDSWIPE_VERIFY_LAST, pct);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	got = p.verify_total / CHUNK;
	want = nchunks * pct / 100;
	TH_LOG("%u%%: %u of %u chunks verified", pct, got, nchunks);
	ASSERT_EQ(0, p.verify_total % CHUNK);
	ASSERT_EQ(self->size + p.verify_total, a.bytes_total);
	ASSERT_MISMATCH(p, 0, got * 4096 / LBS);
	ASSERT_EQ(p.verify_total, p.bytes_verified);
	ASSERT_LE(2 * edge, got);
	ASSERT_LE(want, got);
	ASSERT_GE(want + 2 * edge + 1, got);
	ASSERT_GE(nchunks, got);
	if (pct == 100)
		ASSERT_EQ(nchunks, got);
}

TEST_F(ver, sample_25_checks_what_it_claims)
{
	sample_case(_metadata, self, 25);
}

TEST_F(ver, sample_60_checks_what_it_claims)
{
	sample_case(_metadata, self, 60);
}

TEST_F(ver, sample_100_checks_every_chunk)
{
	sample_case(_metadata, self, 100);
}

/* A clean device passes a sampled verification, with counts that add up. */
TEST_F(ver, sample_clean_device_passes)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	self->fd = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, self->fd);
	san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_RANDOM, 0,
		 VDSWIPE_VERIFY_ALL, 10);
	a.nr_passes = 2;
	a.passes[1].method = VDSWIPE_METHOD_RANDOM;
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_P_DONE(p, 2 * self->size, p.verify_total);
	ASSERT_EQ(0, p.verify_total % CHUNK);
	/* each pass: at least the first and last MiB, at most 10% + those */
	ASSERT_LE(2 * 2 * VT_MIB, p.verify_total);
	ASSERT_GE(2 * (2 * VT_MIB + self->size / 10 + CHUNK), p.verify_total);
	ASSERT_EQ(2 * self->size + p.verify_total, a.bytes_total);
}

/* ---------------------------------------------------- VERIFY_ONLY */

/* VERIFY_ONLY of @method/@pattern over the whole of ram1 (read-only fd). */
static int verify_only(FIXTURE_DATA(ver) *self, uint32_t flags, uint64_t off,
		       uint64_t len, uint32_t method, uint32_t pattern,
		       uint32_t sample, struct vdswipe_sanitize *a,
		       struct vdswipe_progress *p)
{
	struct vdswipe_status st;
	int fd = vt_open(self->ram1, O_RDONLY), ret;

	if (fd < 0)
		return fd;
	san_init(a, fd, flags | VDSWIPE_SANITIZE_VERIFY_ONLY, off, len,
		 method, pattern, VDSWIPE_VERIFY_LAST, sample);
	ret = sanitize(self->s, a);
	close(fd);
	if (ret)
		return ret;
	ret = vt_finish(self->s, a->op_id, 60000, &st);
	if (ret)
		return ret;
	return progress_of(self->s, a->op_id, p);
}

TEST_F(ver, verify_only_zeroed_device_passes)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	ASSERT_EQ(0, vt_fill(self->ram1, 0, self->size, 0));
	ASSERT_EQ(0, verify_only(self, F_FULL, 0, 0, VDSWIPE_METHOD_ZERO, 0,
				 100, &a, &p));
	ASSERT_EQ(self->size, a.region_bytes);
	ASSERT_EQ(self->size, a.bytes_total);
	ASSERT_P_DONE(p, 0, self->size);
	ASSERT_EQ(1, p.nr_passes);
	ASSERT_EQ(VDSWIPE_METHOD_ZERO, p.method);
}

TEST_F(ver, verify_only_one_changed_byte)
{
	const uint64_t y = 9 * VT_MIB + 777;
	const uint8_t one = 0x01;
	uint8_t *blk;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	ASSERT_EQ(0, vt_fill(self->ram1, 0, self->size, 0));
	ASSERT_EQ(0, vt_write_bytes(self->ram1, y, &one, 1));
	ASSERT_EQ(0, verify_only(self, F_FULL, 0, 0, VDSWIPE_METHOD_ZERO, 0,
				 100, &a, &p));
	ASSERT_MISMATCH(p, y & ~(uint64_t)(LBS - 1), 1);
	ASSERT_EQ(0, p.bytes_written);
	ASSERT_EQ(self->size, p.bytes_verified);
	/* nothing was written: the byte is still there, the rest zero */
	blk = vt_snapshot(self->ram1, y - y % LBS, LBS);
	ASSERT_NE(NULL, blk);
	ASSERT_EQ(1, blk[y % LBS]);
	free(blk);
	ASSERT_EQ(0, vt_check_fill(self->ram1, 0, y - y % LBS, 0, NULL));
	ASSERT_EQ(0, vt_check_fill(self->ram1, y - y % LBS + LBS,
				   self->size - (y - y % LBS) - LBS, 0, NULL));
}

TEST_F(ver, verify_only_pattern_two_blocks)
{
	const uint64_t y1 = 15 * VT_MIB + 511, y2 = 2 * VT_MIB + 1024;
	const uint8_t odd = 0xC6;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	ASSERT_EQ(0, vt_fill(self->ram1, 0, self->size, 0xC7));
	ASSERT_EQ(0, verify_only(self, F_FULL, 0, 0, VDSWIPE_METHOD_PATTERN,
				 0xC7, 100, &a, &p));
	ASSERT_P_DONE(p, 0, self->size);
	ASSERT_EQ(0, vt_write_bytes(self->ram1, y1, &odd, 1));
	ASSERT_EQ(0, vt_write_bytes(self->ram1, y2, &odd, 1));
	ASSERT_EQ(0, vt_write_bytes(self->ram1, y2 + 100, &odd, 1));
	ASSERT_EQ(0, verify_only(self, F_FULL, 0, 0, VDSWIPE_METHOD_PATTERN,
				 0xC7, 100, &a, &p));
	ASSERT_MISMATCH(p, y2, 2);
}

TEST_F(ver, verify_only_quick_reads_only_the_ends)
{
	const uint8_t one = 0xFF;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	ASSERT_EQ(0, vt_fill(self->ram1, 0, self->size, 0));
	ASSERT_EQ(0, vt_write_bytes(self->ram1, 8 * VT_MIB, &one, 1));
	ASSERT_EQ(0, verify_only(self, VDSWIPE_CLEAN_FORCE, 0, 0,
				 VDSWIPE_METHOD_ZERO, 0, 100, &a, &p));
	ASSERT_EQ(2 * VT_MIB, a.region_bytes);
	ASSERT_P_DONE(p, 0, 2 * VT_MIB);
	ASSERT_EQ(0, vt_write_bytes(self->ram1, self->size - 1, &one, 1));
	ASSERT_EQ(0, verify_only(self, VDSWIPE_CLEAN_FORCE, 0, 0,
				 VDSWIPE_METHOD_ZERO, 0, 100, &a, &p));
	ASSERT_MISMATCH(p, self->size - LBS, 1);
}

TEST_F(ver, verify_only_range)
{
	const uint64_t off = 4 * VT_MIB, len = 4 * VT_MIB;
	const uint8_t one = 0x10;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	ASSERT_EQ(0, vt_fill(self->ram1, 0, self->size, 0));
	ASSERT_EQ(0, vt_write_bytes(self->ram1, off - 1, &one, 1));
	ASSERT_EQ(0, vt_write_bytes(self->ram1, off + len, &one, 1));
	ASSERT_EQ(0, verify_only(self, F_RANGE, off, len, VDSWIPE_METHOD_ZERO,
				 0, 100, &a, &p));
	ASSERT_P_DONE(p, 0, len);
	ASSERT_EQ(0, vt_write_bytes(self->ram1, off + len - 1, &one, 1));
	ASSERT_EQ(0, verify_only(self, F_RANGE, off, len, VDSWIPE_METHOD_ZERO,
				 0, 100, &a, &p));
	ASSERT_MISMATCH(p, off + len - LBS, 1);
}

TEST_F(ver, verify_only_sampled_first_mib_always)
{
	const uint8_t one = 0x80;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	ASSERT_EQ(0, vt_fill(self->ram1, 0, self->size, 0));
	ASSERT_EQ(0, vt_write_bytes(self->ram1, VT_MIB - 1, &one, 1));
	ASSERT_EQ(0, verify_only(self, F_FULL, 0, 0, VDSWIPE_METHOD_ZERO, 0,
				 5, &a, &p));
	ASSERT_MISMATCH(p, VT_MIB - LBS, 1);
	ASSERT_EQ(p.verify_total, p.bytes_verified);
	ASSERT_EQ(a.bytes_total, p.verify_total);
}

/* -------------------------------------------------- read errors */

TEST_F(ver, verify_only_read_error)
{
	const uint64_t x = 6 * VT_MIB;
	const struct seg segs[] = { { x, 64 * VT_KIB, ERROR_TARGET } };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	struct vdswipe_status st;
	int fd;

	ASSERT_EQ(0, vt_fill(self->ram0, 0, self->size, 0x3C));
	MAKE_TABLE(segs, 1);
	fd = vt_open(self->dev, O_RDONLY);
	ASSERT_LE(0, fd);
	san_init(&a, fd, F_FULL | VDSWIPE_SANITIZE_VERIFY_ONLY, 0, 0,
		 VDSWIPE_METHOD_PATTERN, 0x3C, VDSWIPE_VERIFY_LAST, 100);
	ASSERT_EQ(0, sanitize(self->s, &a));
	close(fd);
	ASSERT_EQ(0, vt_finish(self->s, a.op_id, 60000, &st));
	ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, p.state)
		TH_LOG("state %s result %d", vt_state_name(p.state), p.result);
	ASSERT_EQ(-EIO, p.result);
	ASSERT_EQ(x, p.error_offset);
	ASSERT_EQ(x, st.error_offset);
	ASSERT_EQ(0, p.bytes_written);
	ASSERT_GE(x, p.bytes_verified);
	ASSERT_EQ(0, p.mismatch_blocks);
	ASSERT_EQ(~0ULL, p.first_mismatch);
	/* nothing written */
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, self->size, 0x3C, NULL));
}

/* Writes land, the read-back of one chunk fails (6.12's error_reads). */
TEST_F(ver, read_error_after_writes)
{
	const uint64_t x = 11 * VT_MIB + CHUNK;
	const struct seg segs[] = { { x, 4096, ERROR_READS } };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	int ret;

	ret = make_table(self, segs, 1);
	if (ret == -ENODEV)	/* 6.1's dm-flakey fails reads and writes alike */
		SKIP(return, "dm-flakey has no error_reads feature");
	ASSERT_EQ(0, ret);
	san_init(&a, self->fd, F_FULL, 0, 0, VDSWIPE_METHOD_PATTERN, 0x44,
		 VDSWIPE_VERIFY_LAST, 100);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, p.state)
		TH_LOG("state %s result %d", vt_state_name(p.state), p.result);
	ASSERT_EQ(-EIO, p.result);
	ASSERT_EQ(x, p.error_offset);
	ASSERT_EQ(self->size, p.bytes_written);
	ASSERT_EQ(0, p.mismatch_blocks);
	ASSERT_EQ(~0ULL, p.first_mismatch);
	ASSERT_GE(x, p.bytes_verified);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, self->size, 0x44, NULL));
}

TEST_HARNESS_MAIN
