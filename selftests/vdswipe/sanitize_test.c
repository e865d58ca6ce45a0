// SPDX-License-Identifier: GPL-2.0
/*
 * Sanitize (issue 10), what lands on the device, byte for byte, and what
 * VDSWIPE_IOC_PROGRESS says about it:
 *  - METHOD_RANDOM writes a keystream: not zeros, byte values evenly spread,
 *    no two 64-byte blocks of a region equal (so no two 4 KiB blocks
 *    either: a keystream restarted per chunk, per bio or per sector repeats),
 *    and different for every op on the same device, through SANITIZE and
 *    through plain CLEAN;
 *  - a multi-pass op leaves the last pass's data;
 *  - bytes outside the region (range, quick clean) keep their sentinels;
 *  - PROGRESS: pass, phase, nr_passes, method, percent and every counter,
 *    monotonic while running and exact at the end.
 *
 * Devices: brd ram0 and ram1, 16 MiB, 512-byte blocks, pre-filled with
 * position-dependent sentinel data; ram1 behind dm-delay (writes held
 * WRITE_DELAY_MS, reads at once) for the progress tests. 256 KiB chunks.
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

#define MOD_PARAMS	"chunk_size=262144"
#define CHUNK		(256 * VT_KIB)
#define DEV_MIB		16
#define WRITE_DELAY_MS	100
#define SEED0		0x5a417a11ULL
#define SEED1		0x5a417a22ULL

#define F_FULL		(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)
#define F_RANGE		(F_FULL | VDSWIPE_CLEAN_RANGE)

/* ------------------------------------------------------------ helpers */

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

/*
 * Fill @a: @nr passes from @methods/@patterns, the given flags, range,
 * verification (sample 100 unless OFF).
 */
static void san_init(struct vdswipe_sanitize *a, int fd, uint32_t flags,
		     uint64_t off, uint64_t len, unsigned int nr,
		     const uint32_t *methods, const uint32_t *patterns,
		     uint32_t verify)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->flags = flags;
	a->offset = off;
	a->length = len;
	a->nr_passes = nr;
	for (i = 0; i < nr; i++) {
		a->passes[i].method = methods[i];
		a->passes[i].pattern = patterns ? patterns[i] : 0;
	}
	a->verify = verify;
	a->sample_pct = verify ? 100 : 0;
}

/* Submit @a, wait for its end, fill @p. 0 or -errno. */
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

/* The op ended DONE with every counter complete. */
#define ASSERT_P_DONE(p, written, verified) do {			\
	ASSERT_EQ(VDSWIPE_STATE_DONE, (p).state)			\
		TH_LOG("state %s result %d first_mismatch %llu "	\
		       "mismatch_blocks %llu", vt_state_name((p).state),	\
		       (p).result,					\
		       (unsigned long long)(p).first_mismatch,		\
		       (unsigned long long)(p).mismatch_blocks);	\
	ASSERT_EQ(0, (p).result);					\
	ASSERT_EQ(100, (p).percent);					\
	ASSERT_EQ(VDSWIPE_PHASE_NONE, (p).phase);			\
	ASSERT_EQ((uint64_t)(written), (p).bytes_written);		\
	ASSERT_EQ((uint64_t)(verified), (p).bytes_verified);		\
	ASSERT_EQ((uint64_t)(verified), (p).verify_total);		\
	ASSERT_EQ((uint64_t)(written) + (verified), (p).bytes_total);	\
	ASSERT_EQ((p).bytes_total, (p).bytes_done);			\
	ASSERT_EQ(0, (p).mismatch_blocks);				\
	ASSERT_EQ(~0ULL, (p).first_mismatch);				\
	ASSERT_EQ(~0ULL, (p).error_offset);				\
} while (0)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t hash64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * Every @bs-byte block of the @n buffers (each @len bytes) differs from
 * every other. Returns 0, 1 when two are equal (the first of them at byte
 * *@dup of the concatenation), -ENOMEM.
 */
static int blocks_distinct(const uint8_t *const *bufs, unsigned int n,
			   size_t len, size_t bs, uint64_t *dup)
{
	size_t per = len / bs, total = per * n, i;
	uint64_t *key = malloc(total * sizeof(*key));
	int ret = 0;

	if (!key)
		return -ENOMEM;
	/* hash in the high bits, block index in the low 24 */
	for (i = 0; i < total; i++)
		key[i] = (hash64(bufs[i / per] + (i % per) * bs, bs) &
			  ~0xffffffULL) | i;
	qsort(key, total, sizeof(*key), cmp_u64);
	for (i = 1; i < total && !ret; i++) {
		size_t a = key[i - 1] & 0xffffff, b = key[i] & 0xffffff;

		if ((key[i - 1] ^ key[i]) & ~0xffffffULL)
			continue;
		if (!memcmp(bufs[a / per] + (a % per) * bs,
			    bufs[b / per] + (b % per) * bs, bs)) {
			*dup = (a < b ? a : b) * bs;
			ret = 1;
		}
	}
	free(key);
	return ret;
}

/*
 * Does @b (@len bytes) look like a keystream: every byte value within 10% of
 * its expected count, no two 64-byte blocks equal? With @other (another op's
 * data over the same range), also no block equal to any of @other's.
 * 0 when it does, else 1 with the reason in @why.
 */
static int not_keystream(const uint8_t *b, uint64_t len, const uint8_t *other,
			 char *why, size_t whylen)
{
	const uint8_t *bufs[2] = { b, other };
	uint64_t cnt[256] = { 0 }, exp = len / 256, dup = 0, i;
	int ret;

	for (i = 0; i < len; i++)
		cnt[b[i]]++;
	for (i = 0; i < 256; i++) {
		if (cnt[i] > exp - exp / 10 && cnt[i] < exp + exp / 10)
			continue;
		snprintf(why, whylen, "byte 0x%02x appears %llu times in %llu",
			 (unsigned int)i, (unsigned long long)cnt[i],
			 (unsigned long long)len);
		return 1;
	}
	ret = blocks_distinct(bufs, other ? 2 : 1, len, 64, &dup);
	if (ret) {
		snprintf(why, whylen, "64-byte block at %llu%s repeats (%d)",
			 (unsigned long long)(dup % len),
			 dup >= len ? " of the other op" : "", ret);
		return 1;
	}
	return 0;
}

/* [@off, @off + @len) of @dev looks like a keystream (see not_keystream). */
#define ASSERT_RANDOM(dev, off, len, other) do {				uint8_t *_b = vt_snapshot((dev), (off), (len));				char _why[128] = "";							ASSERT_NE(NULL, _b);							ASSERT_EQ(0, not_keystream(_b, (len), (other), _why,						   sizeof(_why)))					TH_LOG("at %llu: %s", (unsigned long long)(off), _why);		free(_b);							} while (0)

/* [@off, @off + @len) of @dev still holds vt_fill_seeded(@seed) data. */
#define ASSERT_SEEDED(dev, off, len, seed) do {				\
	uint64_t _bad = 0;						\
	if ((len))							\
		ASSERT_EQ(0, vt_check_seeded((dev), (off), (len),	\
					     (seed), &_bad))		\
			TH_LOG("sentinel changed at %llu",		\
			       (unsigned long long)_bad);		\
} while (0)

#define ASSERT_FILLED(dev, off, len, byte) do {				\
	uint64_t _bad = 0;						\
	ASSERT_EQ(0, vt_check_fill((dev), (off), (len), (byte), &_bad))	\
		TH_LOG("byte at %llu is not 0x%02x",			\
		       (unsigned long long)_bad, (byte));		\
} while (0)

/* ------------------------------------------------------------ fixture */

FIXTURE(san) {
	int s;
	int fd0, fd1;
	char ram0[64], ram1[64];
	uint64_t size;
};

FIXTURE_SETUP(san)
{
	int ret;

	self->s = self->fd0 = self->fd1 = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(2, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	vt_brd_path(1, self->ram1, sizeof(self->ram1));
	self->size = DEV_MIB * VT_MIB;
	ASSERT_EQ(0, vt_fill_seeded(self->ram0, 0, self->size, SEED0));
	ASSERT_EQ(0, vt_fill_seeded(self->ram1, 0, self->size, SEED1));
	self->fd0 = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, self->fd0);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(san)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd0 >= 0)
		close(self->fd0);
	if (self->fd1 >= 0)
		close(self->fd1);
	vt_dm_remove("vdswsanslow");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

static const uint32_t M_RANDOM[] = { VDSWIPE_METHOD_RANDOM };

/* ------------------------------------------------------ random content */

TEST_F(san, random_range_is_keystream_and_sentinels_kept)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	const uint64_t off = VT_MIB, len = 8 * VT_MIB;

	san_init(&a, self->fd0, F_RANGE, off, len, 1, M_RANDOM, NULL,
		 VDSWIPE_VERIFY_OFF);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_EQ(len, a.region_bytes);
	ASSERT_EQ(len, a.bytes_total);
	ASSERT_P_DONE(p, len, 0);
	ASSERT_EQ(VDSWIPE_METHOD_RANDOM, p.method);
	ASSERT_RANDOM(self->ram0, off, len, NULL);
	ASSERT_SEEDED(self->ram0, 0, off, SEED0);
	ASSERT_SEEDED(self->ram0, off + len, self->size - off - len, SEED0);
}

TEST_F(san, random_unaligned_range_keystream)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	/* neither end on a chunk or page boundary */
	const uint64_t off = VT_MIB + 3 * 512, len = 2 * VT_MIB + 5 * 512;

	san_init(&a, self->fd0, F_RANGE, off, len, 1, M_RANDOM, NULL,
		 VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_P_DONE(p, len, len);
	ASSERT_RANDOM(self->ram0, off, len - len % 64, NULL);
	ASSERT_SEEDED(self->ram0, 0, off, SEED0);
	ASSERT_SEEDED(self->ram0, off + len, self->size - off - len, SEED0);
}

TEST_F(san, random_full_device_keystream)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	san_init(&a, self->fd0, F_FULL, 0, 0, 1, M_RANDOM, NULL,
		 VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_EQ(self->size, a.region_bytes);
	ASSERT_EQ(2 * self->size, a.bytes_total);
	ASSERT_P_DONE(p, self->size, self->size);
	ASSERT_RANDOM(self->ram0, 0, self->size, NULL);
}

/* Two ops over the same region: SANITIZE, then plain CLEAN with RANDOM. */
TEST_F(san, random_differs_between_ops)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	struct vdswipe_status st;
	const uint64_t off = 2 * VT_MIB, len = 4 * VT_MIB;
	uint8_t *first, *second;
	uint64_t id, i, same = 0;

	san_init(&a, self->fd0, F_RANGE, off, len, 1, M_RANDOM, NULL,
		 VDSWIPE_VERIFY_OFF);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_P_DONE(p, len, 0);
	first = vt_snapshot(self->ram0, off, len);
	ASSERT_NE(NULL, first);

	ASSERT_EQ(0, vt_submit(self->s, self->fd0, F_RANGE,
			       VDSWIPE_METHOD_RANDOM, 0, off, len, &id, NULL));
	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	second = vt_snapshot(self->ram0, off, len);
	ASSERT_NE(NULL, second);
	for (i = 0; i < len; i++)
		same += first[i] == second[i];
	/* 1/256 of the bytes agree by chance */
	ASSERT_GT(len / 128, same)
		TH_LOG("%llu of %llu bytes the same in two ops",
		       (unsigned long long)same, (unsigned long long)len);
	ASSERT_RANDOM(self->ram0, off, len, first);
	free(second);
	free(first);
}

/* The same op twice with the same request, SANITIZE both times. */
TEST_F(san, random_differs_between_sanitize_ops)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	const uint64_t off = 0, len = 2 * VT_MIB;
	uint8_t *first;

	san_init(&a, self->fd0, F_RANGE, off, len, 1, M_RANDOM, NULL,
		 VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_P_DONE(p, len, len);
	first = vt_snapshot(self->ram0, off, len);
	ASSERT_NE(NULL, first);
	san_init(&a, self->fd0, F_RANGE, off, len, 1, M_RANDOM, NULL,
		 VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_P_DONE(p, len, len);
	ASSERT_RANDOM(self->ram0, off, len, first);
	free(first);
}

TEST_F(san, clean_method_random)
{
	struct vdswipe_progress p;
	struct vdswipe_status st;
	const uint64_t off = 4 * VT_MIB, len = 4 * VT_MIB;
	uint64_t id, total = 0;

	ASSERT_EQ(0, vt_submit(self->s, self->fd0, F_RANGE,
			       VDSWIPE_METHOD_RANDOM, 0, off, len, &id,
			       &total));
	ASSERT_EQ(len, total);
	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(VDSWIPE_METHOD_RANDOM, st.method);
	ASSERT_EQ(len, st.bytes_done);
	ASSERT_EQ(0, progress_of(self->s, id, &p));
	ASSERT_P_DONE(p, len, 0);
	ASSERT_EQ(1, p.nr_passes);
	ASSERT_EQ(1, p.pass);
	ASSERT_EQ(VDSWIPE_METHOD_RANDOM, p.method);
	ASSERT_EQ(VDSWIPE_VERIFY_OFF, p.verify);
	ASSERT_EQ(0, p.sample_pct);
	ASSERT_EQ(512, p.block_size);
	ASSERT_RANDOM(self->ram0, off, len, NULL);
	ASSERT_SEEDED(self->ram0, 0, off, SEED0);
	ASSERT_SEEDED(self->ram0, off + len, self->size - off - len, SEED0);
}

TEST_F(san, clean_method_random_quick)
{
	struct vdswipe_status st;
	uint64_t id, total = 0;

	ASSERT_EQ(0, vt_submit(self->s, self->fd0, VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_RANDOM, 0, 0, 0, &id, &total));
	ASSERT_EQ(2 * VDSWIPE_QUICK_BYTES, total);
	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_RANDOM(self->ram0, 0, VT_MIB, NULL);
	ASSERT_RANDOM(self->ram0, self->size - VT_MIB, VT_MIB, NULL);
	ASSERT_SEEDED(self->ram0, VT_MIB, self->size - 2 * VT_MIB, SEED0);
}

/* ------------------------------------------------- multi-pass content */

/* Run @nr passes full over [1 MiB, 5 MiB) with @verify; check counters. */
static int run_passes(struct __test_metadata *_metadata,
		      FIXTURE_DATA(san) *self, unsigned int nr,
		      const uint32_t *m, const uint32_t *pat, uint32_t verify)
{
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	const uint64_t len = 4 * VT_MIB;
	uint64_t verified = verify == VDSWIPE_VERIFY_ALL ? nr * len :
			    verify == VDSWIPE_VERIFY_LAST ? len : 0;

	san_init(&a, self->fd0, F_RANGE, VT_MIB, len, nr, m, pat, verify);
	EXPECT_EQ(0, san_run(self->s, &a, &p));
	EXPECT_EQ(len, a.region_bytes);
	EXPECT_EQ(nr * len + verified, a.bytes_total);
	EXPECT_EQ(VDSWIPE_STATE_DONE, p.state)
		TH_LOG("state %s result %d", vt_state_name(p.state),
		       p.result);
	EXPECT_EQ(nr, p.nr_passes);
	EXPECT_EQ(nr, p.pass);
	EXPECT_EQ(m[nr - 1], p.method);
	EXPECT_EQ(verify, p.verify);
	EXPECT_EQ(nr * len, p.bytes_written);
	EXPECT_EQ(verified, p.bytes_verified);
	EXPECT_EQ(verified, p.verify_total);
	EXPECT_EQ(nr * len + verified, p.bytes_total);
	EXPECT_EQ(p.bytes_total, p.bytes_done);
	EXPECT_EQ(0, p.mismatch_blocks);
	EXPECT_EQ(~0ULL, p.first_mismatch);
	/* sentinels on both sides */
	EXPECT_EQ(0, vt_check_seeded(self->ram0, 0, VT_MIB, SEED0, NULL));
	EXPECT_EQ(0, vt_check_seeded(self->ram0, VT_MIB + len,
				     self->size - VT_MIB - len, SEED0, NULL));
	return __test_passed(_metadata) ? 0 : -1;
}

TEST_F(san, random_then_zero_ends_zero)
{
	const uint32_t m[] = { VDSWIPE_METHOD_RANDOM, VDSWIPE_METHOD_ZERO };

	ASSERT_EQ(0, run_passes(_metadata, self, 2, m, NULL,
				VDSWIPE_VERIFY_ALL));
	ASSERT_FILLED(self->ram0, VT_MIB, 4 * VT_MIB, 0);
}

TEST_F(san, zero_then_random_ends_random)
{
	const uint32_t m[] = { VDSWIPE_METHOD_ZERO, VDSWIPE_METHOD_RANDOM };

	ASSERT_EQ(0, run_passes(_metadata, self, 2, m, NULL,
				VDSWIPE_VERIFY_LAST));
	ASSERT_RANDOM(self->ram0, VT_MIB, 4 * VT_MIB, NULL);
}

TEST_F(san, random_then_pattern_ends_pattern)
{
	const uint32_t m[] = { VDSWIPE_METHOD_RANDOM, VDSWIPE_METHOD_PATTERN };
	const uint32_t pat[] = { 0, 0x5A };

	ASSERT_EQ(0, run_passes(_metadata, self, 2, m, pat,
				VDSWIPE_VERIFY_OFF));
	ASSERT_FILLED(self->ram0, VT_MIB, 4 * VT_MIB, 0x5A);
}

TEST_F(san, pattern_random_random_ends_random)
{
	const uint32_t m[] = { VDSWIPE_METHOD_PATTERN, VDSWIPE_METHOD_RANDOM,
			       VDSWIPE_METHOD_RANDOM };
	const uint32_t pat[] = { 0xC3, 0, 0 };

	ASSERT_EQ(0, run_passes(_metadata, self, 3, m, pat,
				VDSWIPE_VERIFY_ALL));
	ASSERT_RANDOM(self->ram0, VT_MIB, 4 * VT_MIB, NULL);
}

TEST_F(san, eight_patterns_end_with_the_last)
{
	uint32_t m[VDSWIPE_MAX_PASSES], pat[VDSWIPE_MAX_PASSES];
	unsigned int i;

	for (i = 0; i < VDSWIPE_MAX_PASSES; i++) {
		m[i] = VDSWIPE_METHOD_PATTERN;
		pat[i] = 0x11 * (i + 1);
	}
	ASSERT_EQ(0, run_passes(_metadata, self, VDSWIPE_MAX_PASSES, m, pat,
				VDSWIPE_VERIFY_LAST));
	ASSERT_FILLED(self->ram0, VT_MIB, 4 * VT_MIB, 0x88);
}

TEST_F(san, pattern_then_zero_pattern_ff)
{
	const uint32_t m[] = { VDSWIPE_METHOD_PATTERN, VDSWIPE_METHOD_ZERO,
			       VDSWIPE_METHOD_PATTERN };
	const uint32_t pat[] = { 0x00, 0, 0xFF };

	ASSERT_EQ(0, run_passes(_metadata, self, 3, m, pat,
				VDSWIPE_VERIFY_ALL));
	ASSERT_FILLED(self->ram0, VT_MIB, 4 * VT_MIB, 0xFF);
}

/* --------------------------------------------------- quick and ranges */

TEST_F(san, quick_whole_device_touches_only_the_ends)
{
	const uint32_t m[] = { VDSWIPE_METHOD_PATTERN, VDSWIPE_METHOD_RANDOM };
	const uint32_t pat[] = { 0x3C, 0 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	san_init(&a, self->fd0, VDSWIPE_CLEAN_FORCE, 0, 0, 2, m, pat,
		 VDSWIPE_VERIFY_ALL);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_EQ(2 * VT_MIB, a.region_bytes);
	ASSERT_EQ(8 * VT_MIB, a.bytes_total);
	ASSERT_P_DONE(p, 4 * VT_MIB, 4 * VT_MIB);
	ASSERT_RANDOM(self->ram0, 0, VT_MIB, NULL);
	ASSERT_RANDOM(self->ram0, self->size - VT_MIB, VT_MIB, NULL);
	ASSERT_SEEDED(self->ram0, VT_MIB, self->size - 2 * VT_MIB, SEED0);
}

TEST_F(san, quick_range_touches_only_its_ends)
{
	const uint32_t m[] = { VDSWIPE_METHOD_RANDOM, VDSWIPE_METHOD_PATTERN };
	const uint32_t pat[] = { 0, 0x96 };
	const uint64_t off = 2 * VT_MIB, len = 8 * VT_MIB;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	san_init(&a, self->fd0, VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE,
		 off, len, 2, m, pat, VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_EQ(2 * VT_MIB, a.region_bytes);
	ASSERT_EQ(6 * VT_MIB, a.bytes_total);
	ASSERT_P_DONE(p, 4 * VT_MIB, 2 * VT_MIB);
	ASSERT_FILLED(self->ram0, off, VT_MIB, 0x96);
	ASSERT_FILLED(self->ram0, off + len - VT_MIB, VT_MIB, 0x96);
	ASSERT_SEEDED(self->ram0, 0, off, SEED0);
	ASSERT_SEEDED(self->ram0, off + VT_MIB, len - 2 * VT_MIB, SEED0);
	ASSERT_SEEDED(self->ram0, off + len, self->size - off - len, SEED0);
}

TEST_F(san, quick_short_range_covers_it_once)
{
	const uint64_t off = 3 * VT_MIB + 4096, len = 1536 * VT_KIB;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	san_init(&a, self->fd0, VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE,
		 off, len, 1, M_RANDOM, NULL, VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_EQ(len, a.region_bytes);
	ASSERT_EQ(2 * len, a.bytes_total);
	ASSERT_P_DONE(p, len, len);
	ASSERT_RANDOM(self->ram0, off, len, NULL);
	ASSERT_SEEDED(self->ram0, 0, off, SEED0);
	ASSERT_SEEDED(self->ram0, off + len, self->size - off - len, SEED0);
}

TEST_F(san, single_block_range)
{
	const uint32_t m[] = { VDSWIPE_METHOD_PATTERN };
	const uint32_t pat[] = { 0xE1 };
	const uint64_t off = 7 * VT_MIB - 512;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	san_init(&a, self->fd0, F_RANGE, off, 512, 1, m, pat,
		 VDSWIPE_VERIFY_ALL);
	ASSERT_EQ(0, san_run(self->s, &a, &p));
	ASSERT_P_DONE(p, 512, 512);
	ASSERT_FILLED(self->ram0, off, 512, 0xE1);
	ASSERT_SEEDED(self->ram0, 0, off, SEED0);
	ASSERT_SEEDED(self->ram0, off + 512, self->size - off - 512, SEED0);
}

/*
 * Two random passes of one op use different keys: pass 1's data, read while
 * pass 2's first writes are held in dm-delay, shares no 64-byte block with
 * pass 2's.
 */
TEST_F_TIMEOUT(san, random_passes_differ, 60)
{
	const uint32_t m[] = { VDSWIPE_METHOD_RANDOM, VDSWIPE_METHOD_RANDOM };
	const uint64_t len = VT_MIB;
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	struct vdswipe_status st;
	uint64_t i, same = 0, t0;
	uint8_t *first;
	char slow[64];
	int ret;

	ret = vt_delay_create("vdswsanslow", self->ram1, 1000, slow,
			      sizeof(slow));
	if (ret)
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	self->fd1 = vt_open(slow, O_RDWR);
	ASSERT_LE(0, self->fd1);
	san_init(&a, self->fd1, F_RANGE, 0, len, 2, m, NULL,
		 VDSWIPE_VERIFY_OFF);
	ASSERT_EQ(0, sanitize(self->s, &a));
	t0 = vt_now_ns();
	do {
		ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
		ASSERT_FALSE(vt_state_ended(p.state));
		ASSERT_GT(30000, vt_ms_since(t0));
		usleep(1000);
	} while (p.pass < 2);
	/* pass 1 is on the media (flushed), pass 2's writes are held */
	ASSERT_EQ(len, p.bytes_written);
	first = vt_snapshot(self->ram1, 0, len);
	ASSERT_NE(NULL, first);
	ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
	ASSERT_EQ(len, p.bytes_written)
		TH_LOG("pass 2 wrote before the snapshot was taken");
	for (i = 0; i < len; i++)
		same += first[i] == vt_seed_byte(SEED1, i);
	ASSERT_GT(len / 128, same) TH_LOG("pass 1 did not land");
	ASSERT_EQ(0, vt_finish(self->s, a.op_id, 60000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_RANDOM(self->ram1, 0, len, first);
	free(first);
}

/* --------------------------------------------------------- PROGRESS */

/* What a poller saw of one op. */
struct watch {
	struct vdswipe_progress last;
	unsigned int samples;
	bool seen_write[VDSWIPE_MAX_PASSES + 1];
	bool seen_verify[VDSWIPE_MAX_PASSES + 1];
	bool bad;
	char why[256];
};

#define CHECK(cond) do {						\
	if (!(cond) && !w->bad) {					\
		w->bad = true;						\
		snprintf(w->why, sizeof(w->why),			\
			 "sample %u: %s (state %u pass %u phase %u "	\
			 "done %llu written %llu verified %llu "	\
			 "percent %u)", w->samples, #cond, p.state,	\
			 p.pass, p.phase,				\
			 (unsigned long long)p.bytes_done,		\
			 (unsigned long long)p.bytes_written,		\
			 (unsigned long long)p.bytes_verified,		\
			 p.percent);					\
	}								\
} while (0)

/* Poll PROGRESS until the op ends, checking every sample against @a. */
static int watch_op(int session, const struct vdswipe_sanitize *a,
		    struct watch *w)
{
	uint64_t start = vt_now_ns(), total = a->bytes_total;
	int ret;

	memset(w, 0, sizeof(*w));
	for (;;) {
		struct vdswipe_progress p;
		uint64_t share;

		ret = progress_of(session, a->op_id, &p);
		if (ret)
			return ret;
		share = p.bytes_done * 100 / total;
		CHECK(p.op_id == a->op_id);
		CHECK(p.nr_passes == a->nr_passes);
		CHECK(p.verify == a->verify);
		CHECK(p.sample_pct == a->sample_pct);
		CHECK(p.block_size == 512);
		CHECK(p.bytes_total == total);
		CHECK(p.bytes_done <= total);
		CHECK(p.bytes_written <= a->nr_passes * a->region_bytes);
		CHECK(p.bytes_verified <= p.verify_total);
		CHECK(p.mismatch_blocks == 0);
		CHECK(p.first_mismatch == ~0ULL);
		CHECK(p.error_offset == ~0ULL);
		CHECK(p.result == 0);
		CHECK(p.reserved0 == 0 && p.reserved[0] == 0 &&
		      p.reserved[3] == 0);
		CHECK(p.state >= VDSWIPE_STATE_QUEUED &&
		      p.state <= VDSWIPE_STATE_DONE);
		if (w->samples) {
			CHECK(p.state >= w->last.state);
			CHECK(p.percent >= w->last.percent);
			CHECK(p.bytes_done >= w->last.bytes_done);
			CHECK(p.bytes_written >= w->last.bytes_written);
			CHECK(p.bytes_verified >= w->last.bytes_verified);
			CHECK(p.pass >= w->last.pass);
			if (p.state == VDSWIPE_STATE_RUNNING &&
			    p.pass == w->last.pass)
				CHECK(p.phase >= w->last.phase);
			CHECK(p.verify_total == w->last.verify_total);
		}
		switch (p.state) {
		case VDSWIPE_STATE_QUEUED:
			CHECK(p.pass == 0 && p.phase == VDSWIPE_PHASE_NONE);
			CHECK(p.bytes_done == 0 && p.percent == 0);
			break;
		case VDSWIPE_STATE_RUNNING:
			CHECK(p.percent == (share > 99 ? 99 : share));
			if (p.phase == VDSWIPE_PHASE_NONE)
				break;
			CHECK(p.pass >= 1 && p.pass <= a->nr_passes);
			if (p.pass < 1 || p.pass > a->nr_passes)
				break;
			CHECK(p.method == a->passes[p.pass - 1].method);
			if (p.phase == VDSWIPE_PHASE_WRITE) {
				w->seen_write[p.pass] = true;
			} else {
				CHECK(p.phase == VDSWIPE_PHASE_VERIFY);
				CHECK(a->verify == VDSWIPE_VERIFY_ALL ||
				      (a->verify == VDSWIPE_VERIFY_LAST &&
				       p.pass == a->nr_passes));
				/* the pass it checks was all written */
				CHECK(p.bytes_written >=
				      p.pass * a->region_bytes);
				w->seen_verify[p.pass] = true;
			}
			break;
		case VDSWIPE_STATE_DONE:
			CHECK(p.percent == 100);
			break;
		}
		w->last = p;
		w->samples++;
		if (vt_state_ended(p.state))
			return 0;
		if (vt_ms_since(start) > 60000)
			return -ETIMEDOUT;
		usleep(500);
	}
}

/* A slow ram1: dm-delay holding writes WRITE_DELAY_MS. */
static int make_slow(FIXTURE_DATA(san) *self, char *path, size_t len)
{
	int ret = vt_delay_create("vdswsanslow", self->ram1, WRITE_DELAY_MS,
				  path, len);

	if (ret)
		return ret;
	self->fd1 = vt_open(path, O_RDWR);
	return self->fd1 < 0 ? self->fd1 : 0;
}

static void progress_case(struct __test_metadata *_metadata,
			  FIXTURE_DATA(san) *self, uint32_t verify,
			  uint32_t sample)
{
	const uint32_t m[] = { VDSWIPE_METHOD_RANDOM, VDSWIPE_METHOD_PATTERN,
			       VDSWIPE_METHOD_ZERO };
	const uint32_t pat[] = { 0, 0x77, 0 };
	struct vdswipe_sanitize a;
	struct vdswipe_status st;
	struct watch w;
	char slow[64];
	uint64_t r, verified;
	unsigned int i;
	int ret;

	ret = make_slow(self, slow, sizeof(slow));
	if (ret)
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	/* quick clean of the whole 16 MiB: 2 MiB a pass, 8 chunks */
	san_init(&a, self->fd1, VDSWIPE_CLEAN_FORCE, 0, 0, 3, m, pat, verify);
	a.sample_pct = sample;
	ASSERT_EQ(0, sanitize(self->s, &a));
	r = a.region_bytes;
	ASSERT_EQ(2 * VT_MIB, r);
	ASSERT_EQ(0, watch_op(self->s, &a, &w));
	TH_LOG("%u samples", w.samples);
	ASSERT_FALSE(w.bad) TH_LOG("%s", w.why);
	verified = w.last.verify_total;
	switch (verify) {
	case VDSWIPE_VERIFY_OFF:
		ASSERT_EQ(0, verified);
		break;
	case VDSWIPE_VERIFY_LAST:
		if (sample == 100)
			ASSERT_EQ(r, verified);
		ASSERT_GE(r, verified);
		break;
	case VDSWIPE_VERIFY_ALL:
		if (sample == 100)
			ASSERT_EQ(3 * r, verified);
		ASSERT_GE(3 * r, verified);
		break;
	}
	/* the first and last MiB are always read back */
	if (verify != VDSWIPE_VERIFY_OFF)
		ASSERT_LE((verify == VDSWIPE_VERIFY_ALL ? 3 : 1) * 2 * VT_MIB,
			  verified);
	ASSERT_EQ(3 * r + verified, a.bytes_total);
	ASSERT_P_DONE(w.last, 3 * r, verified);
	ASSERT_EQ(3, w.last.pass);
	ASSERT_EQ(VDSWIPE_METHOD_ZERO, w.last.method);
	/* every pass was seen writing (each takes several write delays) */
	for (i = 1; i <= 3; i++)
		ASSERT_TRUE(w.seen_write[i]) TH_LOG("pass %u not seen", i);
	/* QUERY agrees */
	ASSERT_EQ(0, vt_query(self->s, a.op_id, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(100, st.percent);
	ASSERT_EQ(a.bytes_total, st.bytes_total);
	ASSERT_EQ(a.bytes_total, st.bytes_done);
	/* and the device holds the last pass */
	ASSERT_FILLED(self->ram1, 0, VT_MIB, 0);
	ASSERT_FILLED(self->ram1, self->size - VT_MIB, VT_MIB, 0);
	ASSERT_SEEDED(self->ram1, VT_MIB, self->size - 2 * VT_MIB, SEED1);
}

TEST_F_TIMEOUT(san, progress_three_passes_verify_off, 60)
{
	progress_case(_metadata, self, VDSWIPE_VERIFY_OFF, 0);
}

TEST_F_TIMEOUT(san, progress_three_passes_verify_last, 60)
{
	progress_case(_metadata, self, VDSWIPE_VERIFY_LAST, 100);
}

TEST_F_TIMEOUT(san, progress_three_passes_verify_all, 60)
{
	progress_case(_metadata, self, VDSWIPE_VERIFY_ALL, 100);
}

TEST_F_TIMEOUT(san, progress_three_passes_verify_all_sampled, 60)
{
	progress_case(_metadata, self, VDSWIPE_VERIFY_ALL, 30);
}

/* A queued op: pass 0, phase NONE, nothing done, totals known. */
TEST_F_TIMEOUT(san, progress_of_queued_op, 60)
{
	const uint32_t m[] = { VDSWIPE_METHOD_PATTERN, VDSWIPE_METHOD_RANDOM };
	const uint32_t pat[] = { 0x42, 0 };
	struct vdswipe_sanitize a, b;
	struct vdswipe_progress p;
	char slow[64];
	int ret;

	close(self->s);
	self->s = -1;
	ASSERT_EQ(0, vt_module_reload("max_active=1 " MOD_PARAMS));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	ret = make_slow(self, slow, sizeof(slow));
	if (ret)
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	san_init(&a, self->fd1, F_FULL, 0, 0, 1, m, pat, VDSWIPE_VERIFY_OFF);
	ASSERT_EQ(0, sanitize(self->s, &a));
	san_init(&b, self->fd0, F_FULL, 0, 0, 2, m, pat, VDSWIPE_VERIFY_ALL);
	ASSERT_EQ(0, sanitize(self->s, &b));
	ASSERT_EQ(0, progress_of(self->s, b.op_id, &p));
	ASSERT_EQ(VDSWIPE_STATE_QUEUED, p.state);
	ASSERT_EQ(0, p.pass);
	ASSERT_EQ(VDSWIPE_PHASE_NONE, p.phase);
	ASSERT_EQ(2, p.nr_passes);
	ASSERT_EQ(VDSWIPE_VERIFY_ALL, p.verify);
	ASSERT_EQ(100, p.sample_pct);
	ASSERT_EQ(0, p.bytes_done);
	ASSERT_EQ(0, p.bytes_written);
	ASSERT_EQ(0, p.bytes_verified);
	ASSERT_EQ(0, p.percent);
	ASSERT_EQ(4 * self->size, p.bytes_total);
	ASSERT_EQ(2 * self->size, p.verify_total);
	ASSERT_EQ(~0ULL, p.first_mismatch);
	ASSERT_EQ(~0ULL, p.error_offset);
	ASSERT_EQ(0, vt_cancel(self->s, b.op_id));
	ASSERT_EQ(0, vt_cancel(self->s, a.op_id));
	ASSERT_EQ(0, progress_of(self->s, b.op_id, &p));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, p.state);
	ASSERT_EQ(-ECANCELED, p.result);
	ASSERT_EQ(0, p.bytes_done);
	ASSERT_EQ(0, p.pass);
	ASSERT_SEEDED(self->ram0, 0, self->size, SEED0);
}

TEST_HARNESS_MAIN
