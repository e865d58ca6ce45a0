// SPDX-License-Identifier: GPL-2.0
/*
 * A device that goes away mid-clean ends the op FAILED with -ENODEV (issue
 * 9, defect 6), promptly, with bytes_done no less than what was seen before
 * and error_offset the lowest failed write (or ~0 if none failed): a
 * throttled null_blk powered off through configfs, and a slowed-down
 * scsi_debug disk deleted through sysfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define NULLB		"vdswgone"
#define F_FULL_FORCE	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)

FIXTURE(gone) {
	int s, fd;
};

FIXTURE_SETUP(gone)
{
	self->s = self->fd = -1;
	vt_cleanup_leftovers();
	vt_run("rmmod scsi_debug");
	ASSERT_EQ(0, vt_module_reload(NULL));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(gone)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->s >= 0)
		close(self->s);
	vt_nullb_destroy(NULLB);
	vt_run("rmmod scsi_debug");
	EXPECT_EQ(0, vt_module_unload());
}

/*
 * Start a full clean of @path, let it write @min bytes, write @val to the
 * file @remove, and check how the op ended.
 */
static void clean_then_remove(FIXTURE_DATA(gone) *self, const char *path,
			      uint64_t min, const char *remove, const char *val,
			      struct __test_metadata *_metadata)
{
	struct vdswipe_status st0, st;
	uint64_t id, t0, ms;

	self->fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vt_submit(self->s, self->fd, F_FULL_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &id, NULL));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, vt_wait_progress(self->s, id, min, 30000, &st0));
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_write_file(remove, val));
	TH_LOG("removal took %llu ms", (unsigned long long)vt_ms_since(t0));
	ASSERT_EQ(0, vt_finish(self->s, id, 20000, &st));
	ms = vt_ms_since(t0);
	TH_LOG("op ended %s result %d %llu ms after removal; %llu of %llu bytes done (%llu before), error_offset %llx",
	       vt_state_name(st.state), st.result, (unsigned long long)ms,
	       (unsigned long long)st.bytes_done,
	       (unsigned long long)st.bytes_total,
	       (unsigned long long)st0.bytes_done,
	       (unsigned long long)st.error_offset);
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state);
	ASSERT_EQ(-ENODEV, st.result);
	ASSERT_GT(5000, ms);
	ASSERT_LE(st0.bytes_done, st.bytes_done);
	ASSERT_GT(st.bytes_total, st.bytes_done);
	if (st.error_offset != ~0ULL) {
		ASSERT_GT(st.bytes_total, st.error_offset);
		ASSERT_LE(st0.bytes_done, st.error_offset);
	}
}

TEST_F_TIMEOUT(gone, nullb_powered_off_mid_clean, 90)
{
	struct vt_nullb_opts o = { .size_mib = 256, .mbps = 20 };
	char path[64], cmd[128];
	int ret;

	if (!vt_nullb_available())
		SKIP(return, "no null_blk configfs");
	ret = vt_nullb_create(NULLB, &o, path, sizeof(path));
	ASSERT_EQ(0, ret);
	snprintf(cmd, sizeof(cmd), "/sys/kernel/config/nullb/%s/power", NULLB);
	clean_then_remove(self, path, 2 * VT_MIB, cmd, "0", _metadata);
}

TEST_F_TIMEOUT(gone, scsi_debug_deleted_mid_clean, 90)
{
	char name[32], path[64], cmd[256];

	vt_run("modprobe sd_mod");
	if (vt_run("modprobe scsi_debug dev_size_mb=256"))
		SKIP(return, "no scsi_debug");
	ASSERT_EQ(0, vt_scsi_debug_find(name, sizeof(name), 20000));
	snprintf(path, sizeof(path), "/dev/%s", name);
	ASSERT_EQ(0, vt_wait_node(path, 5000));
	/* every command now takes 20 jiffies: the clean takes seconds */
	ASSERT_EQ(0, vt_write_file("/sys/bus/pseudo/drivers/scsi_debug/delay",
				   "20"));
	snprintf(cmd, sizeof(cmd), "/sys/block/%s/device/delete",
		 strrchr(path, '/') + 1);
	clean_then_remove(self, path, 2 * VT_MIB, cmd, "1", _metadata);
}

TEST_HARNESS_MAIN
