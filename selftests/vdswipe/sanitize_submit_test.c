// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of the sanitize ABI (issue 10): VDSWIPE_IOC_SANITIZE,
 * VDSWIPE_IOC_PROGRESS and METHOD_RANDOM through VDSWIPE_IOC_CLEAN. One test
 * per rejected value; each checks the errno, that nothing was written, that
 * the device is not left claimed and that no op exists in the session (no id
 * is known, CANCEL_ALL finds nothing, no completion record is queued).
 *
 * The device is an 8 MiB memory-backed null_blk with 4096-byte logical
 * blocks, filled with 0xA5. The accepted base request sanitizes
 * [1 MiB, 2 MiB) with one zero pass and full verification.
 *
 * With 80 tests, reloading the module and re-creating the device for each
 * costs minutes on the debug kernel: the fixture loads the module only when
 * it is not loaded with MOD_PARAMS, creates the device only when it is
 * missing, and the last test removes both.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define DEV_MIB		8
#define MOD_PARAMS	"chunk_size=262144"
#define FILL		0xA5

static int sanitize(int session, struct vdswipe_sanitize *a)
{
	return ioctl(session, VDSWIPE_IOC_SANITIZE, a) ? -errno : 0;
}

static int progress(int session, struct vdswipe_progress *p)
{
	return ioctl(session, VDSWIPE_IOC_PROGRESS, p) ? -errno : 0;
}

static int progress_of(int session, uint64_t id, struct vdswipe_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->op_id = id;
	return progress(session, p);
}

/* vdswipe is loaded with MOD_PARAMS (and no session holds an op). */
static bool module_ready(void)
{
	uint64_t cs = 0;

	return vt_module_loaded() &&
	       !vt_read_u64("/sys/module/vdswipe/parameters/chunk_size", &cs) &&
	       cs == 262144;
}

FIXTURE(ssub) {
	int s;
	int fd;
	char dev[64];
	uint64_t size;
	void *snap;
};

FIXTURE_SETUP(ssub)
{
	struct vt_nullb_opts o = {
		.size_mib = DEV_MIB,
		.blocksize = 4096,
		.memory_backed = true,
	};

	self->s = self->fd = -1;
	if (!module_ready()) {
		/* the first test (or after a killed one): start clean */
		vt_cleanup_leftovers();
		ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	}
	if (!vt_nullb_available())
		SKIP(return, "null_blk (configfs) not available");
	/* the device outlives each test too; zz_module_unloads removes it */
	snprintf(self->dev, sizeof(self->dev), "/dev/vdswssub");
	if (access(self->dev, F_OK))
		ASSERT_EQ(0, vt_nullb_create("vdswssub", &o, self->dev,
					     sizeof(self->dev)));
	self->size = DEV_MIB * VT_MIB;
	ASSERT_EQ(0, vt_fill(self->dev, 0, self->size, FILL));
	self->fd = vt_open(self->dev, O_RDWR);
	ASSERT_LE(0, self->fd);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	self->snap = vt_snapshot(self->dev, 0, self->size);
	ASSERT_NE(NULL, self->snap);
}

FIXTURE_TEARDOWN(ssub)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	free(self->snap);
}

#define F_BASE	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_RANGE | VDSWIPE_CLEAN_FORCE)

/* An accepted request: one zero pass over [1 MiB, 2 MiB), verified fully. */
static void base(FIXTURE_DATA(ssub) *self, struct vdswipe_sanitize *a)
{
	memset(a, 0, sizeof(*a));
	a->fd = self->fd;
	a->flags = F_BASE;
	a->offset = VT_MIB;
	a->length = VT_MIB;
	a->nr_passes = 1;
	a->passes[0].method = VDSWIPE_METHOD_ZERO;
	a->verify = VDSWIPE_VERIFY_LAST;
	a->sample_pct = 100;
}

/*
 * No op of the session exists: no small id is known, CANCEL_ALL cancels
 * nothing, no completion record is queued.
 */
#define ASSERT_NO_OP() do {						\
	struct vdswipe_status _st;					\
	struct vdswipe_progress _p;					\
	struct pollfd _pfd = { .fd = self->s, .events = POLLIN };	\
	uint32_t _n = ~0U;						\
	uint64_t _id;							\
	for (_id = 0; _id < 8; _id++) {					\
		ASSERT_EQ(-ENOENT, vt_query(self->s, _id, &_st))	\
			TH_LOG("op %llu exists", (unsigned long long)_id); \
		ASSERT_EQ(-ENOENT, progress_of(self->s, _id, &_p));	\
	}								\
	ASSERT_EQ(0, vt_cancel_all(self->s, &_n));			\
	ASSERT_EQ(0, _n);						\
	ASSERT_EQ(0, poll(&_pfd, 1, 0));				\
} while (0)

/*
 * After a rejection: give a wrongly started op time to write, then check the
 * device holds exactly its content, nobody holds it, and no op exists.
 */
#define ASSERT_UNTOUCHED() do {						\
	uint64_t _bad = 0;						\
	vt_sleep_ms(100);						\
	ASSERT_EQ(0, vt_compare_snapshot(self->dev, 0, self->size,	\
					 self->snap, &_bad))		\
		TH_LOG("rejected submit changed the device at %llu",	\
		       (unsigned long long)_bad);			\
	ASSERT_EQ(0, vt_try_excl(self->dev))				\
		TH_LOG("rejected submit left the device claimed");	\
	ASSERT_NO_OP();							\
} while (0)

#define EXPECT_REJECT(a, err) do {					\
	(a)->op_id = 0;							\
	ASSERT_EQ(-(err), sanitize(self->s, (a)));			\
	ASSERT_EQ(0, (a)->op_id);					\
	ASSERT_UNTOUCHED();						\
} while (0)

/* One test: the base request changed by the statements in the tail. */
#define REJECT(name, err, ...)						\
	TEST_F(ssub, name)						\
	{								\
		struct vdswipe_sanitize a;				\
									\
		base(self, &a);						\
		__VA_ARGS__;						\
		EXPECT_REJECT(&a, err);					\
	}

/* Wait for @id, check it ended DONE. */
#define ASSERT_DONE(id) do {						\
	struct vdswipe_status _st;					\
	ASSERT_EQ(0, vt_finish(self->s, (id), 20000, &_st));		\
	ASSERT_EQ(VDSWIPE_STATE_DONE, _st.state)			\
		TH_LOG("state %s result %d", vt_state_name(_st.state),	\
		       _st.result);					\
	ASSERT_EQ(0, _st.result);					\
	ASSERT_EQ(100, _st.percent);					\
} while (0)

/* ------------------------------------------------------ accepted inputs */

TEST_F(ssub, base_accepted)
{
	struct vdswipe_sanitize a;

	base(self, &a);
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_NE(0, a.op_id);
	ASSERT_EQ(VT_MIB, a.region_bytes);
	ASSERT_EQ(2 * VT_MIB, a.bytes_total);	/* written + read back */
	ASSERT_EQ(0, a.reserved[0]);
	ASSERT_DONE(a.op_id);
	ASSERT_EQ(0, vt_check_fill(self->dev, VT_MIB, VT_MIB, 0, NULL));
	ASSERT_EQ(0, vt_check_fill(self->dev, 0, VT_MIB, FILL, NULL));
	ASSERT_EQ(0, vt_check_fill(self->dev, 2 * VT_MIB,
				   self->size - 2 * VT_MIB, FILL, NULL));
}

TEST_F(ssub, out_fields_ignored_on_input)
{
	struct vdswipe_sanitize a;

	base(self, &a);
	a.op_id = 0xdeadbeefdeadbeefULL;
	a.bytes_total = ~0ULL;
	a.region_bytes = ~0ULL;
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_NE(0xdeadbeefdeadbeefULL, a.op_id);
	ASSERT_NE(0, a.op_id);
	ASSERT_EQ(VT_MIB, a.region_bytes);
	ASSERT_EQ(2 * VT_MIB, a.bytes_total);
	ASSERT_DONE(a.op_id);
}

TEST_F(ssub, eight_passes_accepted)
{
	struct vdswipe_sanitize a;
	unsigned int i;

	base(self, &a);
	a.nr_passes = VDSWIPE_MAX_PASSES;
	for (i = 0; i < VDSWIPE_MAX_PASSES; i++) {
		a.passes[i].method = i % 3 == 0 ? VDSWIPE_METHOD_RANDOM :
				     i % 3 == 1 ? VDSWIPE_METHOD_PATTERN :
						  VDSWIPE_METHOD_ZERO;
		a.passes[i].pattern = i % 3 == 1 ? 0xff : 0;
	}
	a.verify = VDSWIPE_VERIFY_OFF;
	a.sample_pct = 0;
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_EQ(8 * VT_MIB, a.bytes_total);
	ASSERT_DONE(a.op_id);
	/* the last pass was PATTERN 0xff */
	ASSERT_EQ(0, vt_check_fill(self->dev, VT_MIB, VT_MIB, 0xff, NULL));
}

TEST_F(ssub, sample_pct_1_accepted)
{
	struct vdswipe_sanitize a;

	base(self, &a);
	a.sample_pct = 1;
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_DONE(a.op_id);
}

TEST_F(ssub, verify_only_rdonly_fd_accepted)
{
	struct vdswipe_sanitize a;
	int fd = vt_open(self->dev, O_RDONLY);

	ASSERT_LE(0, fd);
	base(self, &a);
	a.fd = fd;
	a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
	a.passes[0].method = VDSWIPE_METHOD_PATTERN;
	a.passes[0].pattern = FILL;
	ASSERT_EQ(0, sanitize(self->s, &a));
	close(fd);
	ASSERT_EQ(VT_MIB, a.region_bytes);
	ASSERT_EQ(VT_MIB, a.bytes_total);	/* read back only */
	ASSERT_DONE(a.op_id);
	ASSERT_EQ(0, vt_compare_snapshot(self->dev, 0, self->size, self->snap,
					 NULL));
}

TEST_F(ssub, clean_method_random_accepted)
{
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, F_BASE, VDSWIPE_METHOD_RANDOM);
	c.offset = VT_MIB;
	c.length = VT_MIB;
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_EQ(VT_MIB, c.bytes_total);
	ASSERT_DONE(c.op_id);
}

TEST_F(ssub, version_advertises_random_and_sanitize)
{
	struct vdswipe_version v;

	ASSERT_EQ(0, vt_version(self->s, &v));
	ASSERT_EQ(VDSWIPE_ABI_VERSION, v.abi_version);
	ASSERT_TRUE(v.features & VDSWIPE_FEAT_RANDOM);
	ASSERT_TRUE(v.features & VDSWIPE_FEAT_SANITIZE);
}

/* -------------------------------------------------- EINVAL: reserved */

REJECT(einval_reserved0, EINVAL, a.reserved0 = 1)
REJECT(einval_reserved0_high_bit, EINVAL, a.reserved0 = 1U << 31)
REJECT(einval_reserved_0, EINVAL, a.reserved[0] = 1)
REJECT(einval_reserved_1, EINVAL, a.reserved[1] = 1ULL << 32)
REJECT(einval_reserved_2, EINVAL, a.reserved[2] = 1ULL << 63)

/* ----------------------------------------------------- EINVAL: flags */

REJECT(einval_flag_secure, EINVAL, a.flags |= VDSWIPE_CLEAN_SECURE)
REJECT(einval_flag_bit4, EINVAL, a.flags |= 1U << 4)
REJECT(einval_flag_bit7, EINVAL, a.flags |= 1U << 7)
REJECT(einval_flag_bit9, EINVAL, a.flags |= 1U << 9)
REJECT(einval_flag_bit31, EINVAL, a.flags |= 1U << 31)
REJECT(einval_flags_all_ones, EINVAL, a.flags = ~0U)

/* -------------------------------------------------- EINVAL: nr_passes */

REJECT(einval_nr_passes_0, EINVAL, a.nr_passes = 0)
REJECT(einval_nr_passes_9, EINVAL, a.nr_passes = VDSWIPE_MAX_PASSES + 1)
REJECT(einval_nr_passes_all_ones, EINVAL, a.nr_passes = ~0U)

/* ----------------------------------------------------- EINVAL: passes */

REJECT(einval_pass_discard, EINVAL,
       a.passes[0].method = VDSWIPE_METHOD_DISCARD)
REJECT(einval_pass_discard_second, EINVAL,
       a.nr_passes = 3;
       a.passes[1].method = VDSWIPE_METHOD_DISCARD;
       a.passes[2].method = VDSWIPE_METHOD_RANDOM)
REJECT(einval_pass_method_4, EINVAL, a.passes[0].method = 4)
REJECT(einval_pass_method_all_ones, EINVAL, a.passes[0].method = ~0U)
REJECT(einval_last_pass_method_unknown, EINVAL,
       a.nr_passes = VDSWIPE_MAX_PASSES;
       a.passes[VDSWIPE_MAX_PASSES - 1].method = 5)
REJECT(einval_pattern_above_byte, EINVAL,
       a.passes[0].method = VDSWIPE_METHOD_PATTERN;
       a.passes[0].pattern = 0x100)
REJECT(einval_pattern_high_bits, EINVAL,
       a.passes[0].method = VDSWIPE_METHOD_PATTERN;
       a.passes[0].pattern = 0xffffff00 | FILL)
REJECT(einval_pattern_with_zero, EINVAL, a.passes[0].pattern = 0x5A)
REJECT(einval_pattern_with_random, EINVAL,
       a.passes[0].method = VDSWIPE_METHOD_RANDOM;
       a.passes[0].pattern = 1)
REJECT(einval_pattern_with_random_second, EINVAL,
       a.nr_passes = 2;
       a.passes[1].method = VDSWIPE_METHOD_RANDOM;
       a.passes[1].pattern = 0x80)
REJECT(einval_unused_pass_method, EINVAL,
       a.passes[1].method = VDSWIPE_METHOD_RANDOM)
REJECT(einval_unused_pass_pattern, EINVAL, a.passes[1].pattern = 0x5A)
REJECT(einval_unused_last_entry, EINVAL,
       a.nr_passes = VDSWIPE_MAX_PASSES - 1;
       a.passes[VDSWIPE_MAX_PASSES - 1].method = VDSWIPE_METHOD_PATTERN)
REJECT(einval_unused_last_entry_pattern, EINVAL,
       a.nr_passes = 2;
       a.passes[VDSWIPE_MAX_PASSES - 1].pattern = 1)

/* ---------------------------------------------- EINVAL: verification */

REJECT(einval_verify_3, EINVAL, a.verify = 3)
REJECT(einval_verify_all_ones, EINVAL, a.verify = ~0U)
REJECT(einval_sample_0_with_verify_last, EINVAL, a.sample_pct = 0)
REJECT(einval_sample_0_with_verify_all, EINVAL,
       a.verify = VDSWIPE_VERIFY_ALL;
       a.sample_pct = 0)
REJECT(einval_sample_101, EINVAL, a.sample_pct = 101)
REJECT(einval_sample_all_ones, EINVAL, a.sample_pct = ~0U)
REJECT(einval_sample_without_verify, EINVAL,
       a.verify = VDSWIPE_VERIFY_OFF;
       a.sample_pct = 50)
REJECT(einval_sample_100_without_verify, EINVAL,
       a.verify = VDSWIPE_VERIFY_OFF;
       a.sample_pct = 100)

/* ----------------------------------------------- EINVAL: VERIFY_ONLY */

REJECT(einval_verify_only_random, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.passes[0].method = VDSWIPE_METHOD_RANDOM)
REJECT(einval_verify_only_discard, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.passes[0].method = VDSWIPE_METHOD_DISCARD)
REJECT(einval_verify_only_verify_off, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.verify = VDSWIPE_VERIFY_OFF;
       a.sample_pct = 0)
REJECT(einval_verify_only_two_passes, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.nr_passes = 2)
REJECT(einval_verify_only_no_pass, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.nr_passes = 0)
REJECT(einval_verify_only_pattern_above_byte, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.passes[0].method = VDSWIPE_METHOD_PATTERN;
       a.passes[0].pattern = 0x1A5)
REJECT(einval_verify_only_pattern_with_zero, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.passes[0].pattern = FILL)
REJECT(einval_verify_only_unused_pass, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.passes[1].method = VDSWIPE_METHOD_ZERO;
       a.passes[1].pattern = 7)
REJECT(einval_verify_only_sample_0, EINVAL,
       a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
       a.sample_pct = 0)

/* ------------------------------------------------------ EINVAL: range */

REJECT(einval_offset_without_range, EINVAL,
       a.flags &= ~VDSWIPE_CLEAN_RANGE;
       a.length = 0)
REJECT(einval_length_without_range, EINVAL,
       a.flags &= ~VDSWIPE_CLEAN_RANGE;
       a.offset = 0)
REJECT(einval_range_zero_length, EINVAL, a.length = 0)
REJECT(einval_range_offset_unaligned, EINVAL, a.offset = VT_MIB + 512)
REJECT(einval_range_length_unaligned, EINVAL, a.length = VT_MIB + 512)
REJECT(einval_range_past_end, EINVAL,
       a.offset = self->size - 4096;
       a.length = 8192)
REJECT(einval_range_overflow, EINVAL,
       a.offset = ~0ULL - 4095;
       a.length = 8192)

/* -------------------------------------------------- the device checks */

REJECT(eacces_rdonly_fd_without_verify_only, EACCES,
       a.fd = vt_open(self->dev, O_RDONLY))
REJECT(ebadf_negative_fd, EBADF, a.fd = -1)
REJECT(einval_before_ebadf, EINVAL,
       a.fd = -1;
       a.verify = 3)

TEST_F(ssub, efault_null_arg)
{
	ASSERT_EQ(-1, ioctl(self->s, VDSWIPE_IOC_SANITIZE, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_UNTOUCHED();
}

TEST_F(ssub, efault_unmapped_arg)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-1, ioctl(self->s, VDSWIPE_IOC_SANITIZE, p));
	ASSERT_EQ(EFAULT, errno);
	munmap(p, 4096);
	ASSERT_UNTOUCHED();
}

/* ------------------------------------------------- CLEAN with RANDOM */

TEST_F(ssub, einval_clean_random_with_pattern)
{
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, F_BASE, VDSWIPE_METHOD_RANDOM);
	c.offset = VT_MIB;
	c.length = VT_MIB;
	c.pattern = 0x5A;
	ASSERT_EQ(-EINVAL, vt_clean(self->s, &c));
	ASSERT_UNTOUCHED();
}

TEST_F(ssub, einval_clean_random_with_pattern_above_byte)
{
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, F_BASE, VDSWIPE_METHOD_RANDOM);
	c.offset = VT_MIB;
	c.length = VT_MIB;
	c.pattern = 0x100;
	ASSERT_EQ(-EINVAL, vt_clean(self->s, &c));
	ASSERT_UNTOUCHED();
}

TEST_F(ssub, einval_clean_random_secure)
{
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, F_BASE | VDSWIPE_CLEAN_SECURE,
		      VDSWIPE_METHOD_RANDOM);
	c.offset = VT_MIB;
	c.length = VT_MIB;
	ASSERT_EQ(-EINVAL, vt_clean(self->s, &c));
	ASSERT_UNTOUCHED();
}

TEST_F(ssub, einval_clean_method_4)
{
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, F_BASE, 4);
	c.offset = VT_MIB;
	c.length = VT_MIB;
	ASSERT_EQ(-EINVAL, vt_clean(self->s, &c));
	ASSERT_UNTOUCHED();
}

/* ----------------------------------------------------------- PROGRESS */

/* An ended op to ask about. */
static uint64_t done_op(struct __test_metadata *_metadata,
			FIXTURE_DATA(ssub) *self)
{
	struct vdswipe_sanitize a;
	struct vdswipe_status st;

	base(self, &a);
	if (sanitize(self->s, &a) || vt_finish(self->s, a.op_id, 20000, &st))
		return 0;
	return a.op_id;
}

TEST_F(ssub, progress_einval_flags_bit0)
{
	struct vdswipe_progress p;
	uint64_t id = done_op(_metadata, self);

	ASSERT_NE(0, id);
	memset(&p, 0, sizeof(p));
	p.op_id = id;
	p.flags = 1;
	ASSERT_EQ(-EINVAL, progress(self->s, &p));
	ASSERT_EQ(0, p.state);
	ASSERT_EQ(0, p.bytes_total);
}

TEST_F(ssub, progress_einval_flags_bit31)
{
	struct vdswipe_progress p;
	uint64_t id = done_op(_metadata, self);

	ASSERT_NE(0, id);
	memset(&p, 0, sizeof(p));
	p.op_id = id;
	p.flags = 1U << 31;
	ASSERT_EQ(-EINVAL, progress(self->s, &p));
	ASSERT_EQ(0, p.state);
}

TEST_F(ssub, progress_einval_before_enoent)
{
	struct vdswipe_progress p;

	memset(&p, 0, sizeof(p));
	p.op_id = 12345;
	p.flags = 2;
	ASSERT_EQ(-EINVAL, progress(self->s, &p));
}

TEST_F(ssub, progress_enoent_id_0)
{
	struct vdswipe_progress p;

	ASSERT_EQ(-ENOENT, progress_of(self->s, 0, &p));
}

TEST_F(ssub, progress_enoent_unknown_id)
{
	struct vdswipe_progress p;
	uint64_t id = done_op(_metadata, self);

	ASSERT_NE(0, id);
	ASSERT_EQ(-ENOENT, progress_of(self->s, id + 1, &p));
	ASSERT_EQ(-ENOENT, progress_of(self->s, ~0ULL, &p));
}

TEST_F(ssub, progress_enoent_released)
{
	struct vdswipe_progress p;
	uint64_t id = done_op(_metadata, self);

	ASSERT_NE(0, id);
	ASSERT_EQ(0, progress_of(self->s, id, &p));
	ASSERT_EQ(0, vt_release(self->s, id));
	ASSERT_EQ(-ENOENT, progress_of(self->s, id, &p));
}

TEST_F(ssub, progress_enoent_other_session)
{
	struct vdswipe_progress p;
	uint64_t id = done_op(_metadata, self);
	int s2 = vt_session_open();

	ASSERT_NE(0, id);
	ASSERT_LE(0, s2);
	ASSERT_EQ(-ENOENT, progress_of(s2, id, &p));
	close(s2);
}

TEST_F(ssub, progress_efault_null_arg)
{
	ASSERT_EQ(-1, ioctl(self->s, VDSWIPE_IOC_PROGRESS, NULL));
	ASSERT_EQ(EFAULT, errno);
}

/* reserved fields are "in, zero; out, zero", as in struct vdswipe_status */
static void progress_reserved_rejected(struct __test_metadata *_metadata,
				       FIXTURE_DATA(ssub) *self,
				       unsigned int field)
{
	struct vdswipe_progress p;
	uint64_t id = done_op(_metadata, self);

	ASSERT_NE(0, id);
	memset(&p, 0, sizeof(p));
	p.op_id = id;
	if (field == 4)
		p.reserved0 = 1;
	else
		p.reserved[field] = 1;
	ASSERT_EQ(-EINVAL, progress(self->s, &p));
	ASSERT_EQ(0, p.state);
}

TEST_F(ssub, progress_einval_reserved0)
{
	progress_reserved_rejected(_metadata, self, 4);
}

TEST_F(ssub, progress_einval_reserved_0)
{
	progress_reserved_rejected(_metadata, self, 0);
}

TEST_F(ssub, progress_einval_reserved_3)
{
	progress_reserved_rejected(_metadata, self, 3);
}

TEST_F(ssub, progress_out_fields_ignored_on_input)
{
	struct vdswipe_progress p;
	uint64_t id = done_op(_metadata, self);
	unsigned int i;

	ASSERT_NE(0, id);
	memset(&p, 0xcc, sizeof(p));
	p.op_id = id;
	p.flags = 0;
	p.reserved0 = 0;
	memset(p.reserved, 0, sizeof(p.reserved));
	ASSERT_EQ(0, progress(self->s, &p));
	ASSERT_EQ(0, p.reserved0);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, p.reserved[i]);
	ASSERT_EQ(0, p.mismatch_blocks);
	ASSERT_EQ(VDSWIPE_STATE_DONE, p.state);
}

/*
 * The op's work must fit in a u64 of bytes: 8 full passes of a 2^62-byte
 * device (dm-zero) are 2^65 bytes, EOVERFLOW and nothing submitted.
 */
TEST_F(ssub, eoverflow_work_past_u64)
{
	struct vdswipe_sanitize a;
	char path[64];
	unsigned int i;
	int fd, ret;

	ret = vt_dm_create("vdswhuge", "0 9007199254740992 zero", path,
			   sizeof(path));
	if (ret)
		SKIP(return, "no dm-zero (%s)", strerror(-ret));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	memset(&a, 0, sizeof(a));
	a.fd = fd;
	a.flags = VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE;
	a.nr_passes = VDSWIPE_MAX_PASSES;
	for (i = 0; i < VDSWIPE_MAX_PASSES; i++)
		a.passes[i].method = VDSWIPE_METHOD_ZERO;
	EXPECT_EQ(-EOVERFLOW, sanitize(self->s, &a));
	ASSERT_NO_OP();
	close(fd);
	EXPECT_EQ(0, vt_dm_remove("vdswhuge"));
	/* nothing held: the device could be removed */
}

/* Last: the module unloads (no op or session left behind by the above). */
TEST_F(ssub, zz_module_unloads)
{
	close(self->s);
	self->s = -1;
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, vt_nullb_destroy("vdswssub"));
	ASSERT_EQ(0, vt_module_unload());
}

TEST_HARNESS_MAIN
