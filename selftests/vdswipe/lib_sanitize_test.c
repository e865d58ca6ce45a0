// SPDX-License-Identifier: GPL-2.0
/*
 * libvdswipe 1.1 through the real module: passes, read-back verification
 * and the sanitize HRESULTs.
 *
 *   vdsw_clean_fd, V2 opts   random then zero over every byte, verify LAST:
 *                            VDSWIPE_IOC_SANITIZE; vdsw_async_query_progress
 *                            while it runs (pass 1 then 2, percent 0-99 and
 *                            monotonic over passes and verification) and
 *                            after (S_OK, all written, all verified, no
 *                            mismatch); the device holds zeros
 *   cancel in a pass         VDS_E_OPERATION_CANCELED, CANCELLED, ECANCELED
 *   vdsw_verify              S_OK on a zeroed device (full and sampled, by
 *                            path and on a read-only fd, zeros and a
 *                            pattern); VDSW_E_VERIFY_MISMATCH as the op's
 *                            HRESULT on a corrupted one, with the count and
 *                            the first offset, EBADMSG in the output and the
 *                            event; nothing written
 *   V1-sized opts            VDSWIPE_IOC_CLEAN exactly as in 1.0: one pass,
 *                            no verification, the pattern on the device
 *   invalid V2 opts          E_INVALIDARG, and nothing submitted: the device
 *                            unchanged, no event, the next op id the next
 *
 * A module without VDSWIPE_FEAT_SANITIZE cannot be faked here: the fixture
 * skips when the loaded module does not report it (the host tests cover the
 * library's refusal). The slow device is a dm-delay table over ram0 holding
 * every write for WRITE_DELAY_MS (256 KiB chunks, 4 in flight: about
 * 4 MiB/s, so a pass over DEV_MIB takes about a second); reads are not
 * delayed. ram1 is a plain brd disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vdswipe/vdswipe.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"
#include "lib_vmtest.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		4
#define WRITE_DELAY_MS	250
#define FILL		0xA5
#define NASYNC		2

/*
 * ram1 is filled with FILL; the slow device over ram0 is optional
 * (rig.have_slow).
 */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 2,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswsan",
	.slow_disk = 0,
	.write_delay_ms = WRITE_DELAY_MS,
	.slow_optional = true,
	.fill = true,
	.fill_byte = FILL,
};

FIXTURE(san) {
	struct vt_rig rig;
	struct vdsw_session *sess;
	struct vdsw_async *a[NASYNC];
	uint64_t size;
};

FIXTURE_SETUP(san)
{
	struct vdswipe_version ver;

	if (!vt_rig_module(_metadata, &self->rig, &rig_opts))
		return;
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
	ASSERT_HR(S_OK, vdsw_session_version(self->sess, &ver));
	if (!(ver.features & VDSWIPE_FEAT_SANITIZE) || !(ver.features & VDSWIPE_FEAT_RANDOM))
		SKIP(return, "the module does not report VDSWIPE_FEAT_SANITIZE and _RANDOM (features 0x%llx)",
		     (unsigned long long)ver.features);
	self->size = DEV_MIB * VT_MIB;
	if (!vt_rig_disks(_metadata, &self->rig))
		return;
	vt_rig_slow(_metadata, &self->rig);
}

FIXTURE_TEARDOWN(san)
{
	int i;

	for (i = 0; i < NASYNC; i++)
		if (self->a[i])
			vdsw_async_release(self->a[i]);
	if (self->sess)
		vdsw_session_close(self->sess);
	vt_rig_teardown(_metadata, &self->rig);
}

static struct vdsw_clean_opts random_zero_verify_last(void)
{
	struct vdsw_clean_opts o = {
		.size = sizeof(o),
		.nr_passes = 2,
		.passes = { { VDSWIPE_METHOD_RANDOM, 0 }, { VDSWIPE_METHOD_ZERO, 0 } },
		.verify = VDSWIPE_VERIFY_LAST,
	};

	return o;
}

/* No event may be queued: nothing ended since the last one was read. */
static bool no_event(struct vdsw_session *s)
{
	struct vdswipe_event ev;

	return vdsw_session_read_event(s, 0, &ev, NULL) == VDS_E_TIMEOUT;
}

/*
 * Random then zero over every byte, verify LAST, through vdsw_clean_fd()
 * with V2 options; the progress polled while it runs and read after.
 */
TEST_F(san, random_zero_verify_last_with_progress)
{
	struct vdsw_clean_opts o = random_zero_verify_last();
	struct vdsw_async_progress p = { .size = sizeof(p) };
	uint32_t last_pct = 0, last_pass = 0, polls = 0;
	bool seen_pass1 = false, seen_pass2 = false;
	struct vdsw_async_output out;
	uint64_t start = vt_now_ns(), bad = 0;
	HRESULT op;
	int fd;

	if (!self->rig.have_slow)
		SKIP(return, "no dm-delay");
	ASSERT_EQ(0, vt_fill(self->rig.slow, 0, self->size, FILL));
	fd = vt_open(self->rig.slow, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_HR(S_OK, vdsw_clean_fd(self->sess, fd, 1, 1, 1, &o, &self->a[0]));
	close(fd);		/* the op does not keep it */
	for (;;) {
		p.size = sizeof(p);
		ASSERT_HR(S_OK, vdsw_async_query_progress(self->a[0], &op, &p));
		ASSERT_EQ(sizeof(p), p.size);
		if (op != VDS_E_OPERATION_PENDING)
			break;
		polls++;
		ASSERT_TRUE(p.state == VDSWIPE_STATE_QUEUED || p.state == VDSWIPE_STATE_RUNNING);
		ASSERT_EQ(0, p.error);
		ASSERT_EQ(2, p.nr_passes);
		ASSERT_EQ(VDSWIPE_VERIFY_LAST, p.verify);
		ASSERT_EQ(100, p.sample_pct);
		ASSERT_EQ(3 * self->size, p.bytes_total);	/* two passes, one read */
		ASSERT_EQ(self->size, p.verify_total);
		ASSERT_GE(99, p.percent);
		ASSERT_LE(last_pct, p.percent)
			TH_LOG("percent went down from %u to %u", last_pct, p.percent);
		ASSERT_LE(last_pass, p.pass);
		ASSERT_GE(2, p.pass);
		ASSERT_EQ(0, p.mismatch_blocks);
		if (p.pass == 1 && p.phase == VDSWIPE_PHASE_WRITE) {
			seen_pass1 = true;
			ASSERT_EQ(VDSWIPE_METHOD_RANDOM, p.method);
			ASSERT_GE(self->size, p.bytes_written);
		}
		if (p.pass == 2 && p.phase == VDSWIPE_PHASE_WRITE) {
			seen_pass2 = true;
			ASSERT_EQ(VDSWIPE_METHOD_ZERO, p.method);
			ASSERT_LE(self->size, p.bytes_written);
			ASSERT_EQ(0, p.bytes_verified);
		}
		if (p.phase == VDSWIPE_PHASE_VERIFY)
			ASSERT_EQ(2 * self->size, p.bytes_written);
		last_pct = p.percent;
		last_pass = p.pass;
		ASSERT_GT(60000, vt_ms_since(start));
		vt_sleep_ms(20);
	}
	TH_LOG("%u polls, %llu ms", polls, (unsigned long long)vt_ms_since(start));
	EXPECT_TRUE(seen_pass1);
	EXPECT_TRUE(seen_pass2);
	/* after: done, everything written and verified, nothing mismatched */
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(VDSWIPE_STATE_DONE, p.state);
	ASSERT_EQ(100, p.percent);
	ASSERT_EQ(0, p.error);
	ASSERT_EQ(VDSWIPE_PHASE_NONE, p.phase);
	ASSERT_EQ(2 * self->size, p.bytes_written);
	ASSERT_EQ(self->size, p.bytes_verified);
	ASSERT_EQ(3 * self->size, p.bytes_done);
	ASSERT_EQ(0, p.mismatch_blocks);
	ASSERT_EQ(~0ULL, p.first_mismatch);
	ASSERT_EQ(~0ULL, p.error_offset);
	ASSERT_EQ(512, p.block_size);
	ASSERT_EQ(0, p.reserved0);
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(VDSWIPE_STATE_DONE, out.state);
	ASSERT_EQ(3 * self->size, out.bytes_total);
	ASSERT_EQ(0, vt_check_fill(self->rig.slow, 0, self->size, 0, &bad))
		TH_LOG("not zero at %llu", (unsigned long long)bad);
}

/* Cancel during a pass: VDS_E_OPERATION_CANCELED, and the progress says so. */
TEST_F(san, cancel_in_a_pass)
{
	struct vdsw_clean_opts o = random_zero_verify_last();
	struct vdsw_async_progress p = { .size = sizeof(p) };
	HRESULT op;
	int fd;

	if (!self->rig.have_slow)
		SKIP(return, "no dm-delay");
	fd = vt_open(self->rig.slow, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_HR(S_OK, vdsw_clean_fd(self->sess, fd, 1, 1, 1, &o, &self->a[0]));
	close(fd);
	ASSERT_EQ(0, wait_running(self->sess, self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
	ASSERT_HR(S_OK, vdsw_async_query_progress(self->a[0], &op, &p));
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, p.state);
	ASSERT_EQ(ECANCELED, p.error);
	ASSERT_EQ(VDSWIPE_PHASE_NONE, p.phase);
	ASSERT_GT(2 * self->size, p.bytes_written);
	ASSERT_EQ(0, p.bytes_verified);
	ASSERT_GE(99, p.percent);
}

/* vdsw_verify() of a zeroed device: S_OK, every byte read, none written. */
TEST_F(san, verify_zeroed_device)
{
	struct vdsw_verify_opts vo = { .size = sizeof(vo), .sample_pct = 10 };
	struct vdsw_async_progress p = { .size = sizeof(p) };
	HRESULT op;
	int ro;

	ASSERT_EQ(0, vt_fill(self->rig.ram[1], 0, self->size, 0));
	/* by path, every byte */
	ASSERT_HR(S_OK, vdsw_verify(self->sess, self->rig.ram[1], 1, NULL, &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
	ASSERT_HR(S_OK, vdsw_async_query_progress(self->a[0], &op, &p));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(VDSWIPE_STATE_DONE, p.state);
	ASSERT_EQ(1, p.nr_passes);
	ASSERT_EQ(VDSWIPE_METHOD_ZERO, p.method);
	ASSERT_EQ(0, p.bytes_written);
	ASSERT_EQ(self->size, p.verify_total);
	ASSERT_EQ(self->size, p.bytes_verified);
	ASSERT_EQ(self->size, p.bytes_total);
	ASSERT_EQ(0, p.mismatch_blocks);
	ASSERT_EQ(~0ULL, p.first_mismatch);
	ASSERT_EQ(100, p.percent);
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;

	/* on a read-only fd, sampled: fewer chunks, the first and last MiB always */
	ro = vt_open(self->rig.ram[1], O_RDONLY);
	ASSERT_LE(0, ro);
	ASSERT_HR(S_OK, vdsw_verify_fd(self->sess, ro, 1, &vo, &self->a[0]));
	close(ro);
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
	ASSERT_HR(S_OK, vdsw_async_query_progress(self->a[0], &op, &p));
	ASSERT_EQ(10, p.sample_pct);
	ASSERT_LE(2 * VDSWIPE_QUICK_BYTES, p.verify_total);
	ASSERT_GT(self->size, p.verify_total);
	ASSERT_EQ(p.verify_total, p.bytes_verified);
	ASSERT_EQ(0, p.mismatch_blocks);
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;

	/* a pattern, quick (first and last MiB) */
	ASSERT_EQ(0, vt_fill(self->rig.ram[1], 0, self->size, 0x5A));
	vo = (struct vdsw_verify_opts){ .size = sizeof(vo), .method = VDSWIPE_METHOD_PATTERN,
					.pattern = 0x5A };
	ASSERT_HR(S_OK, vdsw_verify(self->sess, self->rig.ram[1], 0, &vo, &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
	ASSERT_HR(S_OK, vdsw_async_query_progress(self->a[0], &op, &p));
	ASSERT_EQ(2 * VDSWIPE_QUICK_BYTES, p.bytes_verified);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, 0x5A, NULL));	/* unchanged */
}

/*
 * vdsw_verify() of a corrupted device: the op's HRESULT is
 * VDSW_E_VERIFY_MISMATCH, with the count and the first block.
 */
TEST_F(san, verify_corrupted_device_mismatch)
{
	const uint64_t off1 = VT_MIB + 700, off2 = 2 * VT_MIB + 4096;
	struct vdsw_async_progress p = { .size = sizeof(p) };
	struct vdsw_async_output out;
	struct vdswipe_event ev;
	const char junk = 0x01;
	HRESULT op;

	ASSERT_EQ(0, vt_fill(self->rig.ram[1], 0, self->size, 0));
	ASSERT_EQ(0, vt_write_bytes(self->rig.ram[1], off1, &junk, 1));
	ASSERT_EQ(0, vt_write_bytes(self->rig.ram[1], off2, &junk, 1));
	ASSERT_HR(S_OK, vdsw_verify(self->sess, self->rig.ram[1], 1, NULL, &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(VDSW_E_VERIFY_MISMATCH, op);
	ASSERT_TRUE(FAILED(op));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, out.state);
	ASSERT_EQ(EBADMSG, out.error);
	ASSERT_HR(S_OK, vdsw_async_query_progress(self->a[0], &op, &p));
	ASSERT_HR(VDSW_E_VERIFY_MISMATCH, op);
	ASSERT_EQ(EBADMSG, p.error);
	ASSERT_EQ(512, p.block_size);
	ASSERT_EQ(2, p.mismatch_blocks);
	ASSERT_EQ(off1 / 512 * 512, p.first_mismatch);
	ASSERT_EQ(0, p.bytes_written);
	ASSERT_EQ(self->size, p.bytes_verified);	/* the count is complete */
	ASSERT_GE(100, p.percent);
	ASSERT_HR(S_OK, vdsw_session_read_event(self->sess, 1000, &ev, &op));
	ASSERT_EQ(vdsw_async_op_id(self->a[0]), ev.op_id);
	ASSERT_EQ(-EBADMSG, ev.result);
	ASSERT_HR(VDSW_E_VERIFY_MISMATCH, op);
	ASSERT_STREQ("VDSW_E_VERIFY_MISMATCH", vdsw_hresult_name(op));
	/* nothing was written: the corruption is still there */
	ASSERT_EQ(1, vt_check_fill(self->rig.ram[1], 0, self->size, 0, NULL));

	/* a quick verification reads the first and the last MiB only, where
	 * neither junk byte is */
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;
	ASSERT_HR(S_OK, vdsw_verify(self->sess, self->rig.ram[1], 0, NULL, &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
}

/* A 1.0 caller (V1-sized options): VDSWIPE_IOC_CLEAN, as before. */
TEST_F(san, v1_sized_opts_clean_as_before)
{
	struct vdsw_clean_opts o = { .size = VDSW_CLEAN_OPTS_SIZE_V1,
				     .method = VDSWIPE_METHOD_PATTERN, .pattern = 0x3C };
	struct vdsw_async_progress p = { .size = sizeof(p) };
	struct vdsw_async_output out;
	uint32_t pct;
	HRESULT op;

	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 1, &o, &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(self->size, out.bytes_total);		/* writes only */
	ASSERT_EQ(self->size, out.bytes_done);
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
	ASSERT_EQ(100, pct);
	ASSERT_HR(S_OK, vdsw_async_query_progress(self->a[0], &op, &p));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(1, p.nr_passes);
	ASSERT_EQ(VDSWIPE_VERIFY_OFF, p.verify);
	ASSERT_EQ(0, p.sample_pct);
	ASSERT_EQ(0, p.verify_total);
	ASSERT_EQ(0, p.bytes_verified);
	ASSERT_EQ(self->size, p.bytes_written);
	ASSERT_EQ(VDSWIPE_METHOD_PATTERN, p.method);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, 0x3C, NULL));

	/* a V2 struct without passes or verification is the same clean */
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;
	o = (struct vdsw_clean_opts){ .size = sizeof(o), .method = VDSWIPE_METHOD_PATTERN,
				      .pattern = 0xC3 };
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 0, &o, &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(2 * VDSWIPE_QUICK_BYTES, out.bytes_total);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, VDSWIPE_QUICK_BYTES, 0xC3, NULL));
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], VDSWIPE_QUICK_BYTES,
				   self->size - 2 * VDSWIPE_QUICK_BYTES, 0x3C, NULL));
}

/*
 * Invalid V2 options and verify options: E_INVALIDARG, nothing submitted
 * (the device unchanged, no event, the next op id follows the last).
 */
TEST_F(san, invalid_v2_opts_submit_nothing)
{
	struct vdsw_clean_opts o;
	struct vdsw_verify_opts vo;
	struct vdsw_async *a;
	uint64_t id;
	HRESULT op;
	int fd;

	fd = vt_open(self->rig.ram[1], O_RDWR);
	ASSERT_LE(0, fd);
	/* one valid op first, for its id */
	ASSERT_HR(S_OK, vdsw_verify_fd(self->sess, fd, 0, NULL, &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(VDSW_E_VERIFY_MISMATCH, op);		/* it holds FILL */
	ASSERT_HR(S_OK, vdsw_session_read_event(self->sess, 1000, &(struct vdswipe_event){ 0 }, NULL));
	id = vdsw_async_op_id(self->a[0]);

#define BAD(...) do {							\
		o = (struct vdsw_clean_opts){ .size = sizeof(o), __VA_ARGS__ }; \
		a = (void *)1;						\
		ASSERT_HR(E_INVALIDARG, vdsw_clean_fd(self->sess, fd, 1, 1, 1, &o, &a)); \
		ASSERT_TRUE(a == NULL);					\
	} while (0)
#define P(m, p)	{ VDSWIPE_METHOD_##m, p }
	BAD(.nr_passes = VDSWIPE_MAX_PASSES + 1, .verify = VDSWIPE_VERIFY_LAST);
	BAD(.nr_passes = 1, .method = VDSWIPE_METHOD_PATTERN, .passes = { P(ZERO, 0) });
	BAD(.nr_passes = 1, .passes = { P(DISCARD, 0) });
	BAD(.nr_passes = 1, .passes = { { 7, 0 } });
	BAD(.nr_passes = 1, .passes = { P(ZERO, 0x11) });
	BAD(.nr_passes = 1, .passes = { P(PATTERN, 0x100) });
	BAD(.nr_passes = 1, .passes = { P(ZERO, 0), P(RANDOM, 0) });
	BAD(.verify = 3);
	BAD(.verify = VDSWIPE_VERIFY_LAST, .sample_pct = 101);
	BAD(.sample_pct = 50);
	BAD(.reserved0 = 1, .verify = VDSWIPE_VERIFY_LAST);
	BAD(.verify = VDSWIPE_VERIFY_ALL, .method = VDSWIPE_METHOD_DISCARD);
	BAD(.verify = VDSWIPE_VERIFY_LAST, .flags = VDSW_CLEAN_RANGE);
#undef BAD
#undef P
#define BADV(...) do {							\
		vo = (struct vdsw_verify_opts){ .size = sizeof(vo), __VA_ARGS__ }; \
		a = (void *)1;						\
		ASSERT_HR(E_INVALIDARG, vdsw_verify_fd(self->sess, fd, 1, &vo, &a)); \
		ASSERT_TRUE(a == NULL);					\
	} while (0)
	BADV(.method = VDSWIPE_METHOD_RANDOM);
	BADV(.method = VDSWIPE_METHOD_DISCARD);
	BADV(.pattern = 0x22);
	BADV(.sample_pct = 101);
	BADV(.reserved = 1);
	BADV(.flags = 1U << 9);
#undef BADV
	/* nothing happened */
	ASSERT_TRUE(no_event(self->sess));
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL, NULL));
	ASSERT_HR(S_OK, vdsw_verify_fd(self->sess, fd, 0,
				       &(struct vdsw_verify_opts){ .size = sizeof(vo),
					.method = VDSWIPE_METHOD_PATTERN, .pattern = FILL },
				       &self->a[1]));
	close(fd);
	ASSERT_EQ(id + 1, vdsw_async_op_id(self->a[1]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[1], &op, NULL));
	ASSERT_HR(S_OK, op);
}

TEST_HARNESS_MAIN
