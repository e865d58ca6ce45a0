// SPDX-License-Identifier: GPL-2.0
/*
 * WRITE ZEROES fallback (issue 9, defect 1): a disk that advertises WRITE
 * SAME and then rejects it (ILLEGAL REQUEST) makes sd drop the write-zeroes
 * capability and fail the bio with BLK_STS_TARGET, not NOTSUPP. The op must
 * rewrite those ranges with ordinary writes of zeroes and end DONE with the
 * whole device zero.
 *
 * The disk is scsi_debug, whose per-device error injection (6.12; the 6.1
 * driver has none) fails WRITE SAME(10) and (16) with CHECK CONDITION,
 * ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define DEV_MIB		64

FIXTURE(wz) {
	int s;
};

FIXTURE_SETUP(wz)
{
	self->s = -1;
	vt_cleanup_leftovers();
	vt_run("rmmod scsi_debug");
	ASSERT_EQ(0, vt_module_reload(NULL));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(wz)
{
	if (self->s >= 0)
		close(self->s);
	vt_run("rmmod scsi_debug");
	EXPECT_EQ(0, vt_module_unload());
}

/* "sdX" of the scsi_debug disk into @name. 0 or -ENOENT. */
static int scsi_debug_disk(char *name, size_t len)
{
	char buf[256];
	FILE *f;
	int ret = -ENOENT;

	f = popen("grep -l scsi_debug /sys/block/sd*/device/model 2>/dev/null",
		  "r");
	if (!f)
		return -errno;
	/* /sys/block/sdX/device/model */
	if (fgets(buf, sizeof(buf), f) && strlen(buf) > 11) {
		*strchr(buf + 11, '/') = 0;
		snprintf(name, len, "%.16s", buf + 11);
		ret = 0;
	}
	pclose(f);
	return ret;
}

static uint64_t wz_max_bytes(const char *name)
{
	char path[128];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/sys/block/%s/queue/write_zeroes_max_bytes",
		 name);
	vt_read_u64(path, &v);
	return v;
}

TEST_F_TIMEOUT(wz, write_same_rejected_falls_back_to_writes, 120)
{
	char name[32], dev[64], link[256], hctl[64], path[160], cmd[64];
	struct vdswipe_status st;
	struct utsname u;
	uint64_t id, bad = 0;
	ssize_t n;
	int i, fd;

	ASSERT_EQ(0, uname(&u));
	if (!strncmp(u.release, "6.1.", 4))
		SKIP(return, "scsi_debug of 6.1 has no per-device error injection");
	vt_run("modprobe sd_mod");
	if (vt_run("modprobe scsi_debug dev_size_mb=%d", DEV_MIB))
		SKIP(return, "no scsi_debug");
	for (i = 0; i < 400 && scsi_debug_disk(name, sizeof(name)); i++)
		vt_sleep_ms(50);
	ASSERT_EQ(0, scsi_debug_disk(name, sizeof(name)));
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	ASSERT_EQ(0, vt_wait_node(dev, 5000));
	if (!wz_max_bytes(name))
		SKIP(return, "scsi_debug offers no WRITE ZEROES here");
	ASSERT_EQ(0, vt_fill(dev, 0, DEV_MIB * VT_MIB, 0xA5));

	snprintf(path, sizeof(path), "/sys/block/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = 0;
	snprintf(hctl, sizeof(hctl), "%s", basename(link));
	vt_run("mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug");
	snprintf(path, sizeof(path), "/sys/kernel/debug/scsi_debug/%s/error",
		 hctl);
	/* type 2 (fail), count 1 (always), opcode, host, driver, status
	 * CHECK CONDITION, sense key ILLEGAL REQUEST, asc 0x20, ascq 0 */
	snprintf(cmd, sizeof(cmd), "2 1 0x93 0 0 0x2 0x5 0x20 0");
	ASSERT_EQ(0, vt_write_file(path, cmd)) TH_LOG("%s", path);
	snprintf(cmd, sizeof(cmd), "2 1 0x41 0 0 0x2 0x5 0x20 0");
	ASSERT_EQ(0, vt_write_file(path, cmd));

	fd = vt_open(dev, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->s, fd, VDSWIPE_CLEAN_FULL |
			       VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO, 0, 0,
			       0, &id, NULL));
	close(fd);
	ASSERT_EQ(0, vt_finish(self->s, id, 60000, &st));
	TH_LOG("op %s result %d, %llu bytes done; write_zeroes_max_bytes now %llu",
	       vt_state_name(st.state), st.result,
	       (unsigned long long)st.bytes_done,
	       (unsigned long long)wz_max_bytes(name));
	/* sd dropped the capability: WRITE SAME was really refused */
	ASSERT_EQ(0, wz_max_bytes(name));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, st.result);
	ASSERT_EQ(DEV_MIB * VT_MIB, st.bytes_done);
	ASSERT_EQ(0, vt_check_fill(dev, 0, DEV_MIB * VT_MIB, 0, &bad))
		TH_LOG("not zero at %llu", (unsigned long long)bad);
}

TEST_HARNESS_MAIN
