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
 *
 * The same injection makes UNMAP fail, for the errors of METHOD_DISCARD: the
 * op ends FAILED with the block layer's errno, error_offset at the start of
 * the range that failed, nothing counted as done.
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

static uint64_t wz_max_bytes(const char *name)
{
	char path[128];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/sys/block/%s/queue/write_zeroes_max_bytes",
		 name);
	vt_read_u64(path, &v);
	return v;
}

/*
 * Loads scsi_debug with @params, puts its disk's name in @name and its node
 * in @dev, and arms the error injection for each "opcode sense-key asc ascq"
 * of @rules (one per line). 0, or 4 (skip: @why says why), or -1.
 */
static int sdebug_setup(struct __test_metadata *_metadata, const char *params,
			const char *rules, char *name, size_t nlen, char *dev,
			size_t dlen, const char **why)
{
	char link[256], hctl[64], path[160], cmd[64], rule[64];
	const char *r, *nl;
	struct utsname u;
	ssize_t n;

	if (uname(&u) || !strncmp(u.release, "6.1.", 4)) {
		*why = "scsi_debug of 6.1 has no per-device error injection";
		return 4;
	}
	vt_run("modprobe sd_mod");
	if (vt_run("modprobe scsi_debug dev_size_mb=%d %s", DEV_MIB, params)) {
		*why = "no scsi_debug";
		return 4;
	}
	if (vt_scsi_debug_find(name, nlen, 20000))
		return -1;
	snprintf(dev, dlen, "/dev/%s", name);
	if (vt_wait_node(dev, 5000))
		return -1;

	snprintf(path, sizeof(path), "/sys/block/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	snprintf(hctl, sizeof(hctl), "%s", basename(link));
	vt_run("mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug");
	snprintf(path, sizeof(path), "/sys/kernel/debug/scsi_debug/%s/error",
		 hctl);
	for (r = rules; *r; r = nl + 1) {
		nl = strchr(r, '\n');
		snprintf(rule, sizeof(rule), "%.*s", (int)(nl - r), r);
		/* type 2 (fail the command), count 1 (every time), opcode,
		 * host, driver byte 0, status CHECK CONDITION, then the sense */
		snprintf(cmd, sizeof(cmd), "2 1 %.*s", (int)strcspn(rule, " "),
			 rule);
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd),
			 " 0 0 0x2%s", rule + strcspn(rule, " "));
		if (vt_write_file(path, cmd)) {
			TH_LOG("cannot write '%s' to %s", cmd, path);
			return -1;
		}
	}
	return 0;
}

#define SETUP_OR_SKIP(params, rules, name, dev)				\
	do {								\
		const char *why = NULL;					\
		int st = sdebug_setup(_metadata, params, rules, name,	\
				      sizeof(name), dev, sizeof(dev), &why); \
		if (st == 4)						\
			SKIP(return, "%s", why);			\
		ASSERT_EQ(0, st);					\
	} while (0)

TEST_F_TIMEOUT(wz, write_same_rejected_falls_back_to_writes, 120)
{
	char name[32], dev[64];
	struct vdswipe_status st;
	uint64_t id, bad = 0;
	int fd;

	/* WRITE SAME(16) and (10): ILLEGAL REQUEST, INVALID COMMAND OPCODE */
	SETUP_OR_SKIP("", "0x93 0x5 0x20 0\n0x41 0x5 0x20 0\n", name, dev);
	if (!wz_max_bytes(name))
		SKIP(return, "scsi_debug offers no WRITE ZEROES here");
	ASSERT_EQ(0, vt_fill(dev, 0, DEV_MIB * VT_MIB, 0xA5));

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

/*
 * A discard the device fails. UNMAP fails with a MEDIUM ERROR sense
 * (unrecovered, no retry): the op ends FAILED with the block layer's errno
 * (-ENODATA), error_offset at the start of the range, bytes_done 0.
 */
static void discard_fails(struct __test_metadata *_metadata, int s,
			  uint32_t flags, uint64_t off, uint64_t len)
{
	char name[32], dev[64];
	struct vdswipe_status st;
	uint64_t id;
	int fd;

	/* lbpu: the disk offers UNMAP, which sd uses for discard */
	SETUP_OR_SKIP("lbpu=1", "0x42 0x3 0x14 0x1\n", name, dev);
	fd = vt_open(dev, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(s, fd, flags | VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_DISCARD, 0, off, len, &id, NULL));
	close(fd);
	ASSERT_EQ(0, vt_finish(s, id, 60000, &st));
	TH_LOG("discard op %s result %d (%s), %llu bytes done, error at %llu",
	       vt_state_name(st.state), st.result, strerror(-st.result),
	       (unsigned long long)st.bytes_done,
	       (unsigned long long)st.error_offset);
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state);
	ASSERT_EQ(-ENODATA, st.result);
	ASSERT_EQ(0, st.bytes_done);
	ASSERT_EQ(off, st.error_offset);
}

TEST_F_TIMEOUT(wz, discard_error_whole_device, 120)
{
	discard_fails(_metadata, self->s, VDSWIPE_CLEAN_FULL, 0, 0);
}

TEST_F_TIMEOUT(wz, discard_error_range, 120)
{
	discard_fails(_metadata, self->s,
		      VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_RANGE,
		      8 * VT_MIB, 16 * VT_MIB);
}

TEST_HARNESS_MAIN
