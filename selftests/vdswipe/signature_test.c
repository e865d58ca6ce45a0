// SPDX-License-Identifier: GPL-2.0
/*
 * The signature check of VDSWIPE_IOC_CLEAN (vdswipe.rst, "The signature
 * check"): without VDSWIPE_CLEAN_FORCE, a device carrying any signature of
 * the table is refused with ENOTEMPTY, nothing written or claimed.
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

/*
 * Each signature of the table in vdswipe.rst, alone on an otherwise zero
 * device: refused without FORCE (ENOTEMPTY, nothing written), accepted with
 * it. The *_elsewhere variants put the bytes at an offset that is not
 * checked: accepted without FORCE.
 */
FIXTURE(sig) {
	int s;
	int fd;
	char dev[64];
};

FIXTURE_VARIANT(sig) {
	uint64_t off;
	const char *bytes;
	size_t len;
	bool refused;
};

#define SIG(name, o, b, r)						\
	FIXTURE_VARIANT_ADD(sig, name) {				\
		.off = (o), .bytes = (b), .len = sizeof(b) - 1,		\
		.refused = (r),						\
	}

SIG(mbr, 510, "\x55\xAA", true);
SIG(gpt_512, 512, "EFI PART", true);
SIG(gpt_4096, 4096, "EFI PART", true);
SIG(ext, 1080, "\x53\xEF", true);
SIG(xfs, 0, "XFSB", true);
SIG(btrfs, 65600, "_BHRfS_M", true);
SIG(swap_v1, 4086, "SWAPSPACE2", true);
SIG(swap_v0, 4086, "SWAP-SPACE", true);
SIG(luks, 0, "LUKS\xBA\xBE", true);
SIG(lvm2, 512, "LABELONE", true);
SIG(iso9660, 32769, "CD001", true);
SIG(md_1_1, 0, "\xFC\x4E\x2B\xA9", true);
SIG(md_1_2, 4096, "\xFC\x4E\x2B\xA9", true);
SIG(gpt_elsewhere, 1024, "EFI PART", false);
SIG(ext_elsewhere, 1082, "\x53\xEF", false);
SIG(mbr_byte_swapped, 510, "\xAA\x55", false);

FIXTURE_SETUP(sig)
{
	struct vt_nullb_opts o = { .size_mib = 8, .memory_backed = true };

	self->s = self->fd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	if (!vt_nullb_available())
		SKIP(return, "null_blk (configfs) not available");
	ASSERT_EQ(0, vt_nullb_create("vdswsig", &o, self->dev,
				     sizeof(self->dev)));
	ASSERT_EQ(0, vt_fill(self->dev, 0, 8 * VT_MIB, 0));
	ASSERT_EQ(0, vt_write_bytes(self->dev, variant->off, variant->bytes,
				    variant->len));
	self->fd = vt_open(self->dev, O_RDWR);
	ASSERT_LE(0, self->fd);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(sig)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	vt_nullb_destroy("vdswsig");
	EXPECT_EQ(0, vt_module_unload());
}

TEST_F(sig, without_force)
{
	struct vdswipe_status st;
	struct vdswipe_clean c;
	uint8_t got[16], *snap;

	vt_clean_init(&c, self->fd, 0, VDSWIPE_METHOD_ZERO);
	if (!variant->refused) {
		ASSERT_EQ(0, vt_clean(self->s, &c));
		ASSERT_EQ(0, vt_finish(self->s, c.op_id, 20000, &st));
		ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
		return;
	}
	ASSERT_EQ(-ENOTEMPTY, vt_clean(self->s, &c));
	vt_sleep_ms(100);
	/* the signature is still there, the device is not claimed */
	snap = vt_snapshot(self->dev, 0, 69632);
	ASSERT_NE(NULL, snap);
	memcpy(got, snap + variant->off, variant->len);
	free(snap);
	ASSERT_EQ(0, memcmp(got, variant->bytes, variant->len));
	ASSERT_EQ(0, vt_try_excl(self->dev));
}

TEST_F(sig, with_force)
{
	struct vdswipe_status st;
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO);
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_EQ(0, vt_finish(self->s, c.op_id, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_check_fill(self->dev, 0, VT_MIB, 0, NULL));
}

TEST_HARNESS_MAIN
