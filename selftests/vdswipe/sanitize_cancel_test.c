// SPDX-License-Identifier: GPL-2.0
/*
 * Cancel of sanitize ops (issue 10) keeps issue 9's guarantee in every pass
 * and during verification: once VDSWIPE_IOC_CANCEL (or CANCEL_ALL, or the
 * close of the session) has returned, the op never writes again. Checked by
 * reading the backing ramdisk right after the cancel and again several
 * device delays later: a write still held in dm-delay when the cancel
 * returned would show up as a difference. EALREADY only in the final flush
 * of an op that verifies nothing (all written, nothing left to cancel);
 * with verification to come the cancel wins and the op ends CANCELLED.
 *
 * The slow device is a dm-delay table over ram0 (16 MiB) holding writes for
 * a given time and reads for another (0 = at once); the snapshots read ram0
 * itself, under the delays. ram1 and ram2 are plain brd disks. The module
 * runs one op at a time (max_active=1) with 256 KiB chunks (4 in flight).
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

#define MOD_PARAMS	"max_active=1 chunk_size=262144"
#define CHUNK		(256 * VT_KIB)
#define DEV_MIB		16
#define DELAY_MS	200
#define SEED		0xcafe5a1dULL
#define FILL1		0xA5
#define FILL2		0x5A
#define SLOW		"vdswscslow"
#define SLOW2		"vdswscslow2"
/* the region the ops cover: 16 chunks */
#define REGION		(4 * VT_MIB)

#define F_RANGE		(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | \
			 VDSWIPE_CLEAN_RANGE)

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
 * A sanitize of [0, @len) of @fd: passes with the given pattern bytes
 * (0 = METHOD_RANDOM, else METHOD_PATTERN), @verify at 100%.
 */
static void san_init(struct vdswipe_sanitize *a, int fd, uint64_t len,
		     unsigned int nr, const uint32_t *pat, uint32_t verify)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->flags = F_RANGE;
	a->length = len;
	a->nr_passes = nr;
	for (i = 0; i < nr; i++) {
		a->passes[i].method = pat[i] ? VDSWIPE_METHOD_PATTERN :
					       VDSWIPE_METHOD_RANDOM;
		a->passes[i].pattern = pat[i];
	}
	a->verify = verify;
	a->sample_pct = verify ? 100 : 0;
}

/*
 * Poll PROGRESS until the op runs pass @pass in @phase with at least @min
 * bytes of that phase of that pass done (written, or verified). 0, -ESRCH
 * when the op ended or went past that point first, -ETIMEDOUT.
 */
static int wait_phase(int session, uint64_t id, uint32_t pass,
		      uint32_t phase, uint64_t region, uint64_t min,
		      struct vdswipe_progress *p)
{
	uint64_t start = vt_now_ns();

	for (;;) {
		int ret = progress_of(session, id, p);

		if (ret)
			return ret;
		if (vt_state_ended(p->state) || p->pass > pass ||
		    (p->pass == pass && p->phase > phase))
			return -ESRCH;
		if (p->state == VDSWIPE_STATE_RUNNING && p->pass == pass &&
		    p->phase == phase) {
			uint64_t done = phase == VDSWIPE_PHASE_WRITE ?
				p->bytes_written - (pass - 1) * region :
				p->bytes_verified;

			if (p->bytes_written >= (pass - 1) * region &&
			    done >= min)
				return 0;
		}
		if (vt_ms_since(start) > 30000)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

FIXTURE(scan) {
	int s;
	int slowfd, slowfd2, fd1;
	char ram0[64], ram1[64], ram2[64], slow[64], slow2[64];
	uint64_t size;
};

FIXTURE_SETUP(scan)
{
	int ret;

	self->s = self->slowfd = self->slowfd2 = self->fd1 = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(3, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	vt_brd_path(1, self->ram1, sizeof(self->ram1));
	vt_brd_path(2, self->ram2, sizeof(self->ram2));
	self->size = DEV_MIB * VT_MIB;
	ASSERT_EQ(0, vt_fill_seeded(self->ram0, 0, self->size, SEED));
	ASSERT_EQ(0, vt_fill(self->ram1, 0, self->size, FILL1));
	ASSERT_EQ(0, vt_fill(self->ram2, 0, self->size, FILL2));
	self->fd1 = vt_open(self->ram1, O_RDWR);
	ASSERT_LE(0, self->fd1);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(scan)
{
	if (self->s >= 0)
		close(self->s);
	if (self->slowfd >= 0)
		close(self->slowfd);
	if (self->slowfd2 >= 0)
		close(self->slowfd2);
	if (self->fd1 >= 0)
		close(self->fd1);
	vt_dm_remove(SLOW);
	vt_dm_remove(SLOW2);
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

/* dm-delay @name over the whole of @backing: reads held @rd ms, writes @wd. */
static int delay_table(const char *name, const char *backing, uint64_t size,
		       unsigned int rd, unsigned int wd, char *path,
		       size_t len)
{
	char table[256];

	if (vt_dm_target_load("dm-mod") || vt_dm_target_load("dm-delay"))
		return -ENODEV;
	snprintf(table, sizeof(table), "0 %llu delay %s 0 %u %s 0 %u",
		 (unsigned long long)(size >> 9), backing, rd, backing, wd);
	return vt_dm_create(name, table, path, len);
}

#define MAKE_SLOW(rd, wd) do {						\
	int _r = delay_table(SLOW, self->ram0, self->size, (rd), (wd),	\
			     self->slow, sizeof(self->slow));		\
	if (_r)								\
		SKIP(return, "no dm-delay (%s)", strerror(-_r));	\
	self->slowfd = vt_open(self->slow, O_RDWR);			\
	ASSERT_LE(0, self->slowfd);					\
} while (0)

/*
 * Read ram0 (under the delay table), wait several delays, read it again:
 * nothing may have changed.
 */
#define ASSERT_STABLE(dev) do {						\
	uint64_t _bad = 0;						\
	void *_snap = vt_snapshot((dev), 0, self->size);		\
	ASSERT_NE(NULL, _snap);						\
	vt_sleep_ms(4 * DELAY_MS);					\
	ASSERT_EQ(0, vt_compare_snapshot((dev), 0, self->size, _snap,	\
					 &_bad))			\
		TH_LOG("%s changed at %llu after the cancel returned",	\
		       (dev), (unsigned long long)_bad);		\
	free(_snap);							\
} while (0)

/* Cancel @id, which must win, promptly; the op is CANCELLED. */
#define ASSERT_CANCEL_WINS(id, p) do {					\
	uint64_t _t0 = vt_now_ns(), _ms;				\
	ASSERT_EQ(0, vt_cancel(self->s, (id)));				\
	_ms = vt_ms_since(_t0);						\
	ASSERT_EQ(0, progress_of(self->s, (id), &(p)));			\
	TH_LOG("cancel took %llu ms in pass %u phase %u; written %llu " \
	       "verified %llu", (unsigned long long)_ms, (p).pass,	\
	       (p).phase, (unsigned long long)(p).bytes_written,	\
	       (unsigned long long)(p).bytes_verified);			\
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, (p).state)			\
		TH_LOG("state %s", vt_state_name((p).state));		\
	ASSERT_EQ(-ECANCELED, (p).result);				\
	ASSERT_EQ(~0ULL, (p).error_offset);				\
	ASSERT_EQ(VDSWIPE_PHASE_NONE, (p).phase);			\
	ASSERT_GE(99, (p).percent);					\
	/* the chunks in flight, each held DELAY_MS, then no more */	\
	ASSERT_GT(DELAY_MS + 1500, _ms);				\
} while (0)

/* The op's own view does not move after the cancel either. */
#define ASSERT_FROZEN(id, p) do {					\
	struct vdswipe_progress _q;					\
	ASSERT_EQ(0, progress_of(self->s, (id), &_q));			\
	ASSERT_EQ((p).state, _q.state);					\
	ASSERT_EQ((p).pass, _q.pass);					\
	ASSERT_EQ((p).bytes_done, _q.bytes_done);			\
	ASSERT_EQ((p).bytes_written, _q.bytes_written);			\
	ASSERT_EQ((p).bytes_verified, _q.bytes_verified);		\
	ASSERT_EQ((p).percent, _q.percent);				\
} while (0)

/* ------------------------------------------------- cancel in a pass */

static void cancel_in_pass(struct __test_metadata *_metadata,
			   FIXTURE_DATA(scan) *self, uint32_t pass)
{
	const uint32_t pat[] = { 0x11, 0, 0x33 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_SLOW(0, DELAY_MS);
	san_init(&a, self->slowfd, REGION, 3, pat, VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, pass, VDSWIPE_PHASE_WRITE,
				REGION, CHUNK, &p))
		TH_LOG("pass %u phase %u", p.pass, p.phase);
	ASSERT_GT(pass * REGION, p.bytes_written);
	ASSERT_CANCEL_WINS(a.op_id, p);
	ASSERT_EQ(pass, p.pass);
	ASSERT_LT(p.bytes_written, pass * REGION);
	ASSERT_LE((pass - 1) * REGION + CHUNK, p.bytes_written);
	ASSERT_EQ(0, p.bytes_verified);
	ASSERT_STABLE(self->ram0);
	ASSERT_FROZEN(a.op_id, p);
	/* outside the region nothing ever changed */
	ASSERT_EQ(0, vt_check_seeded(self->ram0, REGION, self->size - REGION,
				     SEED, NULL));
	/* the device is free */
	ASSERT_EQ(0, vt_try_excl(self->slow));
}

TEST_F_TIMEOUT(scan, cancel_in_pass_1, 60)
{
	cancel_in_pass(_metadata, self, 1);
}

TEST_F_TIMEOUT(scan, cancel_in_pass_2, 60)
{
	cancel_in_pass(_metadata, self, 2);
}

TEST_F_TIMEOUT(scan, cancel_in_pass_3, 60)
{
	cancel_in_pass(_metadata, self, 3);
}

/* Cancelled in pass 1: pass 1's data where it got, pass 3's never. */
TEST_F_TIMEOUT(scan, cancel_in_pass_1_later_passes_never_write, 60)
{
	const uint32_t pat[] = { 0x11, 0x22, 0x33 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	uint8_t *b;
	uint64_t i, n11 = 0;

	MAKE_SLOW(0, DELAY_MS);
	san_init(&a, self->slowfd, REGION, 3, pat, VDSWIPE_VERIFY_OFF);
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 1, VDSWIPE_PHASE_WRITE,
				REGION, 2 * CHUNK, &p));
	ASSERT_CANCEL_WINS(a.op_id, p);
	ASSERT_STABLE(self->ram0);
	b = vt_snapshot(self->ram0, 0, REGION);
	ASSERT_NE(NULL, b);
	for (i = 0; i < REGION; i++) {
		ASSERT_TRUE((b[i] != 0x22 && b[i] != 0x33) ||
			    b[i] == vt_seed_byte(SEED, i))
			TH_LOG("byte %llu is 0x%02x: a later pass wrote",
			       (unsigned long long)i, b[i]);
		n11 += b[i] == 0x11;
	}
	free(b);
	/* exactly what the op says it wrote holds pass 1's byte */
	ASSERT_LE(p.bytes_written, n11);
	ASSERT_GT(p.bytes_written + REGION / 64, n11);
}

/*
 * All of pass 1 is in flight (one chunk) when the cancel comes: too late
 * for pass 1, but pass 2 is still to do, so the cancel wins.
 */
TEST_F_TIMEOUT(scan, cancel_with_pass_1_in_flight_stops_pass_2, 60)
{
	const uint32_t pat[] = { 0x11, 0x22 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_SLOW(0, DELAY_MS);
	san_init(&a, self->slowfd, CHUNK, 2, pat, VDSWIPE_VERIFY_OFF);
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 1, VDSWIPE_PHASE_WRITE,
				CHUNK, 0, &p));
	vt_sleep_ms(DELAY_MS / 5);
	ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
	ASSERT_EQ(0, p.bytes_written);
	ASSERT_CANCEL_WINS(a.op_id, p);
	ASSERT_STABLE(self->ram0);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, CHUNK, 0x11, NULL));
}

/* ------------------------------------- EALREADY in the final flush only */

TEST_F_TIMEOUT(scan, ealready_in_final_flush_without_verification, 60)
{
	const uint32_t pat[] = { 0x11, 0x22 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	struct vdswipe_status st;

	MAKE_SLOW(0, DELAY_MS);
	san_init(&a, self->slowfd, CHUNK, 2, pat, VDSWIPE_VERIFY_OFF);
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 2, VDSWIPE_PHASE_WRITE,
				CHUNK, 0, &p));
	vt_sleep_ms(DELAY_MS / 5);
	ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
	ASSERT_EQ(CHUNK, p.bytes_written);	/* pass 2's chunk is held */
	ASSERT_EQ(-EALREADY, vt_cancel(self->s, a.op_id));
	ASSERT_EQ(0, vt_finish(self->s, a.op_id, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
	ASSERT_EQ(2 * CHUNK, p.bytes_written);
	ASSERT_EQ(100, p.percent);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, CHUNK, 0x22, NULL));
}

/* With the verification still to come, the same cancel wins. */
TEST_F_TIMEOUT(scan, no_ealready_when_verification_follows, 60)
{
	const uint32_t pat[] = { 0x11, 0x22 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_SLOW(0, DELAY_MS);
	san_init(&a, self->slowfd, CHUNK, 2, pat, VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 2, VDSWIPE_PHASE_WRITE,
				CHUNK, 0, &p));
	vt_sleep_ms(DELAY_MS / 5);
	ASSERT_CANCEL_WINS(a.op_id, p);
	ASSERT_EQ(0, p.bytes_verified);
	ASSERT_GT(p.verify_total, p.bytes_verified);
	ASSERT_STABLE(self->ram0);
	ASSERT_FROZEN(a.op_id, p);
}

/* ------------------------------------------- cancel during verification */

TEST_F_TIMEOUT(scan, cancel_during_verification, 60)
{
	const uint32_t pat[] = { 0x21 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_SLOW(DELAY_MS, 0);
	san_init(&a, self->slowfd, REGION, 1, pat, VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 1, VDSWIPE_PHASE_VERIFY,
				REGION, CHUNK, &p));
	ASSERT_EQ(REGION, p.bytes_written);
	ASSERT_CANCEL_WINS(a.op_id, p);
	ASSERT_EQ(1, p.pass);
	ASSERT_LT(p.bytes_verified, p.verify_total);
	ASSERT_LE(CHUNK, p.bytes_verified);
	ASSERT_EQ(0, p.mismatch_blocks);
	ASSERT_STABLE(self->ram0);
	ASSERT_FROZEN(a.op_id, p);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, REGION, 0x21, NULL));
	ASSERT_EQ(0, vt_try_excl(self->slow));
}

/* Cancelled while verifying pass 1 of 2: pass 2 never writes. */
TEST_F_TIMEOUT(scan, cancel_during_first_verification_stops_pass_2, 60)
{
	const uint32_t pat[] = { 0x21, 0 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;

	MAKE_SLOW(DELAY_MS, DELAY_MS / 4);
	san_init(&a, self->slowfd, REGION, 2, pat, VDSWIPE_VERIFY_ALL);
	ASSERT_EQ(0, sanitize(self->s, &a));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 1, VDSWIPE_PHASE_VERIFY,
				REGION, 0, &p));
	ASSERT_CANCEL_WINS(a.op_id, p);
	ASSERT_EQ(1, p.pass);
	ASSERT_EQ(REGION, p.bytes_written);
	ASSERT_STABLE(self->ram0);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, REGION, 0x21, NULL));
}

/* Verify-only: cancel as prompt as during writes, nothing ever written. */
TEST_F_TIMEOUT(scan, cancel_verify_only, 60)
{
	const uint32_t pat[] = { 0x3C };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	int fd;

	ASSERT_EQ(0, vt_fill(self->ram0, 0, self->size, 0x3C));
	MAKE_SLOW(DELAY_MS, DELAY_MS);
	fd = vt_open(self->slow, O_RDONLY);
	ASSERT_LE(0, fd);
	san_init(&a, fd, self->size, 1, pat, VDSWIPE_VERIFY_LAST);
	a.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
	ASSERT_EQ(0, sanitize(self->s, &a));
	close(fd);
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 1, VDSWIPE_PHASE_VERIFY,
				self->size, CHUNK, &p));
	ASSERT_CANCEL_WINS(a.op_id, p);
	ASSERT_EQ(0, p.bytes_written);
	ASSERT_LT(p.bytes_verified, self->size);
	ASSERT_STABLE(self->ram0);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, self->size, 0x3C, NULL));
}

/* ---------------------------------------------- CANCEL_ALL and close */

TEST_F_TIMEOUT(scan, cancel_all_running_in_pass_2_and_queued, 60)
{
	const uint32_t pat[] = { 0x11, 0, 0x33 };
	struct vdswipe_sanitize a, b;
	struct vdswipe_progress p;
	uint32_t n = 0;

	MAKE_SLOW(0, DELAY_MS);
	san_init(&a, self->slowfd, REGION, 3, pat, VDSWIPE_VERIFY_ALL);
	ASSERT_EQ(0, sanitize(self->s, &a));
	san_init(&b, self->fd1, REGION, 3, pat, VDSWIPE_VERIFY_ALL);
	ASSERT_EQ(0, sanitize(self->s, &b));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 2, VDSWIPE_PHASE_WRITE,
				REGION, CHUNK, &p));
	ASSERT_EQ(0, progress_of(self->s, b.op_id, &p));
	ASSERT_EQ(VDSWIPE_STATE_QUEUED, p.state);
	ASSERT_EQ(0, vt_cancel_all(self->s, &n));
	ASSERT_EQ(2, n);
	ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, p.state);
	ASSERT_EQ(2, p.pass);
	ASSERT_EQ(0, progress_of(self->s, b.op_id, &p));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, p.state);
	ASSERT_EQ(0, p.bytes_done);
	ASSERT_EQ(0, p.pass);
	ASSERT_STABLE(self->ram0);
	ASSERT_EQ(0, vt_check_fill(self->ram1, 0, self->size, FILL1, NULL));
}

/* Two ops running at once, one writing, one verifying. */
TEST_F_TIMEOUT(scan, cancel_all_writing_and_verifying, 60)
{
	const uint32_t pat[] = { 0x11, 0, 0x33 }, vpat[] = { FILL2 };
	struct vdswipe_sanitize a, b;
	struct vdswipe_progress p;
	uint64_t t0, ms;
	uint32_t n = 0;
	int ret, fd;

	close(self->s);
	self->s = -1;
	ASSERT_EQ(0, vt_module_reload("max_active=2 chunk_size=262144"));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	MAKE_SLOW(DELAY_MS, DELAY_MS);
	ret = delay_table(SLOW2, self->ram2, self->size, DELAY_MS, DELAY_MS,
			  self->slow2, sizeof(self->slow2));
	ASSERT_EQ(0, ret);
	fd = vt_open(self->slow2, O_RDONLY);
	ASSERT_LE(0, fd);
	san_init(&a, self->slowfd, REGION, 3, pat, VDSWIPE_VERIFY_LAST);
	ASSERT_EQ(0, sanitize(self->s, &a));
	san_init(&b, fd, self->size, 1, vpat, VDSWIPE_VERIFY_LAST);
	b.flags |= VDSWIPE_SANITIZE_VERIFY_ONLY;
	ASSERT_EQ(0, sanitize(self->s, &b));
	close(fd);
	ASSERT_EQ(0, wait_phase(self->s, b.op_id, 1, VDSWIPE_PHASE_VERIFY,
				self->size, CHUNK, &p));
	ASSERT_EQ(0, wait_phase(self->s, a.op_id, 2, VDSWIPE_PHASE_WRITE,
				REGION, 0, &p));
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_cancel_all(self->s, &n));
	ms = vt_ms_since(t0);
	TH_LOG("CANCEL_ALL took %llu ms", (unsigned long long)ms);
	ASSERT_EQ(2, n);
	ASSERT_GT(DELAY_MS + 1500, ms);
	ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, p.state);
	ASSERT_EQ(0, progress_of(self->s, b.op_id, &p));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, p.state);
	ASSERT_GT(self->size, p.bytes_verified);
	ASSERT_STABLE(self->ram0);
	ASSERT_EQ(0, vt_check_fill(self->ram2, 0, self->size, FILL2, NULL));
}

static void close_case(struct __test_metadata *_metadata,
		       FIXTURE_DATA(scan) *self, uint32_t phase)
{
	const uint32_t pat[] = { 0x11, 0, 0x33 };
	struct vdswipe_sanitize a;
	struct vdswipe_progress p;
	uint64_t t0, ms;
	int s2 = vt_session_open();

	ASSERT_LE(0, s2);
	if (phase == VDSWIPE_PHASE_WRITE)
		MAKE_SLOW(0, DELAY_MS);
	else
		MAKE_SLOW(DELAY_MS, 0);
	san_init(&a, self->slowfd, REGION, 3, pat, VDSWIPE_VERIFY_ALL);
	ASSERT_EQ(0, sanitize(s2, &a));
	ASSERT_EQ(0, wait_phase(s2, a.op_id, 2, phase, REGION, CHUNK, &p));
	t0 = vt_now_ns();
	ASSERT_EQ(0, close(s2));
	ms = vt_ms_since(t0);
	TH_LOG("close took %llu ms", (unsigned long long)ms);
	ASSERT_GT(DELAY_MS + 1500, ms);
	ASSERT_STABLE(self->ram0);
	/* the op released its device before close() returned */
	ASSERT_EQ(0, vt_try_excl(self->slow));
	ASSERT_EQ(-ENOENT, progress_of(self->s, a.op_id, &p));
}

TEST_F_TIMEOUT(scan, close_while_writing_pass_2, 60)
{
	close_case(_metadata, self, VDSWIPE_PHASE_WRITE);
}

TEST_F_TIMEOUT(scan, close_while_verifying_pass_2, 60)
{
	close_case(_metadata, self, VDSWIPE_PHASE_VERIFY);
}

/* ------------------------------------------- cancel at random moments */

static void spin(unsigned int loops)
{
	volatile unsigned int i;

	for (i = 0; i < loops; i++)
		;
}

/*
 * Cancel a short multi-pass op with verification at varying moments after
 * its first pass started, on a fast disk: 0 and CANCELLED (and ram1 never changes again), or EALREADY
 * and DONE; never anything else.
 */
TEST_F_TIMEOUT(scan, cancel_at_random_moments, 90)
{
	const uint32_t pat[] = { 0, 0x44, 0 };
	unsigned int iters = 0, won = 0, late = 0, loops = 0;
	unsigned int seen[VDSWIPE_MAX_PASSES + 1][3] = { { 0 } };
	uint64_t start = vt_now_ns(), t0, start_ms = 0;

	srand(10);
	while (iters < 300 && vt_ms_since(start) < 8000) {
		struct vdswipe_sanitize a;
		struct vdswipe_progress p;
		struct vdswipe_status st;
		uint64_t bad = 0;
		void *snap = NULL;
		int r;

		san_init(&a, self->fd1, VT_MIB, 3, pat, VDSWIPE_VERIFY_ALL);
		ASSERT_EQ(0, sanitize(self->s, &a));
		/* from its first pass on (its start takes varying time) */
		t0 = vt_now_ns();
		for (;;) {
			ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
			if (p.state != VDSWIPE_STATE_QUEUED &&
			    (p.state != VDSWIPE_STATE_RUNNING || p.pass))
				break;
			usleep(100);
		}
		start_ms += vt_ms_since(t0);
		spin(loops);
		ASSERT_EQ(0, progress_of(self->s, a.op_id, &p));
		r = vt_cancel(self->s, a.op_id);
		ASSERT_TRUE(r == 0 || r == -EALREADY)
			TH_LOG("iteration %u: cancel returned %d", iters, r);
		if (r == 0) {
			snap = vt_snapshot(self->ram1, 0, 2 * VT_MIB);
			ASSERT_NE(NULL, snap);
		}
		ASSERT_EQ(0, vt_finish(self->s, a.op_id, 10000, &st));
		if (r == 0) {
			ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state)
				TH_LOG("iteration %u: cancel won, op %s", iters,
				       vt_state_name(st.state));
			if (p.pass <= VDSWIPE_MAX_PASSES && p.phase < 3)
				seen[p.pass][p.phase]++;
			vt_sleep_ms(5);
			ASSERT_EQ(0, vt_compare_snapshot(self->ram1, 0,
							 2 * VT_MIB, snap,
							 &bad))
				TH_LOG("iteration %u: ram1 changed at %llu",
				       iters, (unsigned long long)bad);
			free(snap);
			won++;
			loops += 1 + loops / 8 + rand() % 256;
		} else {
			ASSERT_EQ(VDSWIPE_STATE_DONE, st.state)
				TH_LOG("iteration %u: cancel too late, op %s",
				       iters, vt_state_name(st.state));
			late++;
			loops = loops > 8 ? loops - loops / 4 : 0;
		}
		ASSERT_EQ(0, vt_release(self->s, a.op_id));
		iters++;
	}
	TH_LOG("%u iterations: cancel won %u, too late %u; %llu ms from submit "
	       "to pass 1 on average", iters, won, late,
	       (unsigned long long)(iters ? start_ms / iters : 0));
	TH_LOG("won in pass/phase: 1w %u 1v %u 2w %u 2v %u 3w %u 3v %u",
	       seen[1][1], seen[1][2], seen[2][1], seen[2][2], seen[3][1],
	       seen[3][2]);
	/* the debug kernel (KASAN) manages a few dozen */
	ASSERT_LE(10, iters);
}

TEST_HARNESS_MAIN
