// SPDX-License-Identifier: GPL-2.0
/*
 * libvdswipe through the real module: the rest of the errno -> HRESULT
 * translation (Documentation/vdswipe/hresult.rst), each from a real
 * condition.
 *
 *   no such path, path through a file, a node without a device
 *                                 VDS_E_OBJECT_NOT_FOUND (clean and check)
 *   another vdswipe op (either session) holds the device
 *                                 VDS_E_DEVICE_IN_USE
 *   BLKROSET                      VDS_E_MEDIA_WRITE_PROTECTED
 *   range past the end, range not aligned to the logical block size
 *                                 E_INVALIDARG
 *   I/O error after some bytes    op: VDS_S_DISK_PARTIALLY_CLEANED (a success
 *   (dm: linear, then error)      code), error EIO at the first bad byte
 *   I/O error at byte 0           op: HRESULT_FROM_WIN32(ERROR_IO_DEVICE)
 *   unreadable device, no force   VDS_E_IO_ERROR (the safety checks)
 *
 * ram0 backs the slow dm-delay device (256 KiB chunks: about 2 MiB/s), ram1
 * is a plain disk filled with FILL, ram2 backs the dm error tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <vdswipe/vdswipe.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"
#include "lib_vmtest.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		8
#define WRITE_DELAY_MS	500
#define FILL		0xA5
#define GOOD_MIB	4
#define NASYNC		4
#define NODEV_PATH	"/tmp/vdsw-nodev"

/* The slow device is over ram0; ram1 and ram2 are filled with FILL. */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 3,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswslow",
	.slow_disk = 0,
	.write_delay_ms = WRITE_DELAY_MS,
	.fill = true,
	.fill_byte = FILL,
};

FIXTURE(tr) {
	struct vt_rig rig;
	struct vdsw_session *sess, *sess2;
	struct vdsw_async *a[NASYNC];
	char err[64], nullb[64];
	uint64_t size;
	bool ro;
};

FIXTURE_SETUP(tr)
{
	unlink(NODEV_PATH);
	self->size = DEV_MIB * VT_MIB;
	if (!vt_rig_setup(_metadata, &self->rig, &rig_opts))
		return;
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
}

FIXTURE_TEARDOWN(tr)
{
	int i;

	for (i = 0; i < NASYNC; i++)
		if (self->a[i])
			vdsw_async_release(self->a[i]);
	if (self->sess)
		vdsw_session_close(self->sess);
	if (self->sess2)
		vdsw_session_close(self->sess2);
	if (self->ro)
		vt_set_ro(self->rig.ram[1], false);
	unlink(NODEV_PATH);
	vt_nullb_destroy("vdswtr");
	vt_dm_remove("vdswerr");
	vt_rig_teardown(_metadata, &self->rig);
}

#define START_SLOW(idx) do {						\
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.slow, 1, 1, 1,	\
				   NULL, &self->a[idx]));		\
	ASSERT_EQ(0, wait_running(self->sess, self->a[idx]));		\
} while (0)

/* A dm table over ram2: the first @good_mib MiB linear, the rest error. */
static int make_err(FIXTURE_DATA(tr) *self, unsigned int good_mib)
{
	uint64_t good = good_mib * VT_MIB >> 9, all = self->size >> 9;
	char table[256];

	if (good)
		snprintf(table, sizeof(table),
			 "0 %llu linear %s 0\n%llu %llu error",
			 (unsigned long long)good, self->rig.ram[2],
			 (unsigned long long)good,
			 (unsigned long long)(all - good));
	else
		snprintf(table, sizeof(table), "0 %llu error",
			 (unsigned long long)all);
	return vt_dm_create("vdswerr", table, self->err, sizeof(self->err));
}

/* VDS_E_OBJECT_NOT_FOUND: the path does not exist, or runs through a file. */
TEST_F(tr, object_not_found_no_such_path)
{
	struct vdsw_probe_info info;

	ASSERT_HR(VDS_E_OBJECT_NOT_FOUND,
		  vdsw_clean(self->sess, "/dev/vdsw-no-such-disk", 1, 1, 0,
			     NULL, &self->a[0]));
	ASSERT_HR(VDS_E_OBJECT_NOT_FOUND,
		  vdsw_check_device("/dev/vdsw-no-such-disk", 0, 0, &info));
	ASSERT_HR(VDS_E_OBJECT_NOT_FOUND,
		  vdsw_clean(self->sess, "/dev/null/ram1", 1, 1, 0, NULL,
			     &self->a[0]));
	ASSERT_HR(VDS_E_OBJECT_NOT_FOUND,
		  vdsw_check_device("/dev/null/ram1", 0, 0, &info));
	ASSERT_EQ(NULL, self->a[0]);
}

/* VDS_E_OBJECT_NOT_FOUND: a block node whose major has no driver (ENXIO). */
TEST_F(tr, object_not_found_node_without_device)
{
	struct vdsw_probe_info info;

	/* 60: reserved for local/experimental use, never registered here */
	ASSERT_EQ(0, mknod(NODEV_PATH, S_IFBLK | 0600, makedev(60, 0)));
	ASSERT_HR(VDS_E_OBJECT_NOT_FOUND,
		  vdsw_clean(self->sess, NODEV_PATH, 1, 1, 0, NULL, &self->a[0]));
	ASSERT_HR(VDS_E_OBJECT_NOT_FOUND,
		  vdsw_check_device(NODEV_PATH, 0, 0, &info));
}

/* VDS_E_DEVICE_IN_USE: another op of the same session holds the device. */
TEST_F(tr, device_in_use_same_session)
{
	START_SLOW(0);
	ASSERT_HR(VDS_E_DEVICE_IN_USE,
		  vdsw_clean(self->sess, self->rig.slow, 1, 1, 1, NULL, &self->a[1]));
	ASSERT_EQ(NULL, self->a[1]);
}

/* VDS_E_DEVICE_IN_USE: an op of another session holds it; after Cancel
 * the device can be cleaned again. */
TEST_F(tr, device_in_use_other_session)
{
	HRESULT op;

	START_SLOW(0);
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess2));
	ASSERT_HR(VDS_E_DEVICE_IN_USE,
		  vdsw_clean(self->sess2, self->rig.slow, 1, 1, 0, NULL, &self->a[1]));
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_clean(self->sess2, self->rig.slow, 1, 1, 0, NULL,
				   &self->a[1]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[1], &op, NULL));
	ASSERT_HR(S_OK, op);
}

/* VDS_E_MEDIA_WRITE_PROTECTED: the disk was made read-only (BLKROSET),
 * by path and by an fd opened for writing before. */
TEST_F(tr, media_write_protected)
{
	int fd = vt_open(self->rig.ram[1], O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_set_ro(self->rig.ram[1], true));
	self->ro = true;
	ASSERT_HR(VDS_E_MEDIA_WRITE_PROTECTED,
		  vdsw_clean_fd(self->sess, fd, 1, 1, 0, NULL, &self->a[0]));
	ASSERT_HR(VDS_E_MEDIA_WRITE_PROTECTED,
		  vdsw_clean_fd(self->sess, fd, 0, 0, 0, NULL, &self->a[0]));
	close(fd);
	ASSERT_HR(VDS_E_MEDIA_WRITE_PROTECTED,
		  vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 0, NULL, &self->a[0]));
	ASSERT_EQ(NULL, self->a[0]);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL, NULL));
}

/* E_INVALIDARG: a range past the end of the device, or not aligned to its
 * logical block size; nothing written. */
TEST_F(tr, invalidarg_bad_range)
{
	struct vdsw_clean_opts o = {
		.size = sizeof(o), .flags = VDSW_CLEAN_RANGE,
		.offset = self->size - VT_MIB, .length = 2 * VT_MIB,
	};

	ASSERT_HR(E_INVALIDARG,
		  vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 1, &o, &self->a[0]));
	o.offset = 100;
	o.length = VT_MIB;
	ASSERT_HR(E_INVALIDARG,
		  vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 1, &o, &self->a[0]));
	o.offset = 0;
	o.length = VT_MIB + 1;
	ASSERT_HR(E_INVALIDARG,
		  vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 1, &o, &self->a[0]));
	o.length = 0;
	ASSERT_HR(E_INVALIDARG,
		  vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 1, &o, &self->a[0]));
	ASSERT_EQ(NULL, self->a[0]);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL, NULL));
}

/* E_INVALIDARG: 512-byte aligned is not enough on a 4096-byte device. */
TEST_F(tr, invalidarg_range_misaligned_on_4k_device)
{
	struct vt_nullb_opts n = {
		.size_mib = 8, .blocksize = 4096, .memory_backed = true,
	};
	struct vdsw_clean_opts o = {
		.size = sizeof(o), .flags = VDSW_CLEAN_RANGE,
		.offset = 512, .length = 4096,
	};
	HRESULT op;
	int ret;

	ret = vt_nullb_create("vdswtr", &n, self->nullb, sizeof(self->nullb));
	if (ret)
		SKIP(return, "no null_blk (%s)", strerror(-ret));
	ASSERT_HR(E_INVALIDARG,
		  vdsw_clean(self->sess, self->nullb, 1, 1, 1, &o, &self->a[0]));
	o.offset = 0;
	o.length = 4096 + 512;
	ASSERT_HR(E_INVALIDARG,
		  vdsw_clean(self->sess, self->nullb, 1, 1, 1, &o, &self->a[0]));
	o.length = 4096;
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->nullb, 1, 1, 1, &o,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
}

/* VDS_S_DISK_PARTIALLY_CLEANED: an I/O error after GOOD_MIB MiB written;
 * a success code, with the errno and the first bad offset in the output;
 * the same from QueryStatus and the event; Cancel is too late. */
TEST_F(tr, partially_cleaned_after_io_error)
{
	struct vdsw_async_output out;
	struct vdswipe_event ev;
	uint32_t pct;
	HRESULT op;
	int ret = make_err(self, GOOD_MIB);

	if (ret)
		SKIP(return, "no dm error target (%s)", strerror(-ret));
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->err, 1, 1, 1, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(VDS_S_DISK_PARTIALLY_CLEANED, op);
	ASSERT_TRUE(SUCCEEDED(op));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, out.state);
	ASSERT_EQ(EIO, out.error);
	ASSERT_EQ(GOOD_MIB * VT_MIB, out.error_offset);
	ASSERT_EQ(GOOD_MIB * VT_MIB, out.bytes_done);
	ASSERT_EQ(self->size, out.bytes_total);
	ASSERT_EQ(GOOD_MIB * 100 / DEV_MIB, out.percent);
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
	ASSERT_HR(VDS_S_DISK_PARTIALLY_CLEANED, op);
	ASSERT_EQ(GOOD_MIB * 100 / DEV_MIB, pct);
	ASSERT_HR(S_OK, vdsw_session_read_event(self->sess, 5000, &ev, &op));
	ASSERT_EQ(vdsw_async_op_id(self->a[0]), ev.op_id);
	ASSERT_EQ(-EIO, ev.result);
	ASSERT_HR(VDS_S_DISK_PARTIALLY_CLEANED, op);
	ASSERT_HR(VDS_E_CANCEL_TOO_LATE, vdsw_async_cancel(self->a[0]));
	/* what could be written was */
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[2], 0, GOOD_MIB * VT_MIB, 0, NULL));
}

/* HRESULT_FROM_WIN32(ERROR_IO_DEVICE): the very first write fails (the
 * safety checks skipped with both force flags, as they need no read). */
TEST_F(tr, io_device_error_at_byte_0)
{
	struct vdsw_async_output out;
	struct vdswipe_event ev;
	uint32_t pct;
	HRESULT op;
	int ret = make_err(self, 0);

	if (ret)
		SKIP(return, "no dm error target (%s)", strerror(-ret));
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->err, 1, 1, 1, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_IO_DEVICE), op);
	ASSERT_TRUE(FAILED(op));
	ASSERT_EQ(VDSWIPE_STATE_FAILED, out.state);
	ASSERT_EQ(EIO, out.error);
	ASSERT_EQ(0, out.error_offset);
	ASSERT_EQ(0, out.bytes_done);
	ASSERT_EQ(0, out.percent);
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_IO_DEVICE), op);
	ASSERT_EQ(0, pct);
	ASSERT_HR(S_OK, vdsw_session_read_event(self->sess, 5000, &ev, &op));
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_IO_DEVICE), op);
	ASSERT_HR(VDS_E_CANCEL_TOO_LATE, vdsw_async_cancel(self->a[0]));
}

/* VDS_E_IO_ERROR: without both force flags the safety checks must read the
 * device, and cannot. */
TEST_F(tr, io_error_in_safety_checks)
{
	struct vdsw_probe_info info;
	int ret = make_err(self, 0);

	if (ret)
		SKIP(return, "no dm error target (%s)", strerror(-ret));
	ASSERT_HR(VDS_E_IO_ERROR, vdsw_check_device(self->err, 0, 0, &info));
	ASSERT_HR(VDS_E_IO_ERROR,
		  vdsw_clean(self->sess, self->err, 0, 0, 0, NULL, &self->a[0]));
	ASSERT_HR(VDS_E_IO_ERROR,
		  vdsw_clean(self->sess, self->err, 1, 0, 1, NULL, &self->a[0]));
	ASSERT_HR(VDS_E_IO_ERROR,
		  vdsw_clean(self->sess, self->err, 0, 1, 1, NULL, &self->a[0]));
	ASSERT_EQ(NULL, self->a[0]);
}

TEST_HARNESS_MAIN
