// SPDX-License-Identifier: GPL-2.0
/*
 * libvdswipe through the real module: the safety checks of
 * IVdsAdvancedDisk::Clean (libblkid), on real devices.
 *
 *   nothing on the disk                 S_OK without force
 *   MBR / GPT with data partitions      VDS_E_OPERATION_DENIED without force
 *                                       (force_oem does not replace it)
 *   ext2 (mke2fs) on a disk/partition   VDS_E_OPERATION_DENIED without force
 *   an OEM partition (MBR 0x12, 0x84,   VDS_E_OPERATION_DENIED without
 *   0xA0, 0xDE, 0xFE; GPT attribute     force_oem, also with force; also
 *   bit 0) on the disk, or the target   when the target is the OEM partition
 *   itself
 * A refused clean writes nothing; vdsw_check_device() says the same with
 * the findings; with the force flags needed the clean is S_OK. The disks
 * are brd (which holds partitions) and null_blk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <vdswipe/vdswipe.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "lib_vmtest.h"

#define DEV_MIB		16
#define SECTOR		512
#define NASYNC		4

/* ------------------------------------------------------------------ */
/* Partition tables, written here (testlib's MBR has type 0x83 only)   */
/* ------------------------------------------------------------------ */

struct part {
	uint8_t type;		/* MBR type */
	uint64_t attrs;		/* GPT attributes */
	unsigned int start_mib, size_mib;
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, v);
	put_le32(p + 4, v >> 32);
}

static uint32_t crc32_le(const uint8_t *p, size_t len)
{
	uint32_t c = ~0U;
	int k;

	while (len--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320U & -(c & 1));
	}
	return ~c;
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = pwrite(fd, buf, len, off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* BLKRRPART (EINVAL: the disk holds no partitions, fine) and wait for the
 * partition nodes. */
static int rescan(const char *path, int fd, unsigned int n)
{
	char part[80];
	unsigned int i;
	int tries, ret = 0;

	for (tries = 0; tries < 20; tries++) {
		ret = ioctl(fd, BLKRRPART) ? -errno : 0;
		if (ret != -EBUSY)
			break;
		vt_sleep_ms(50);
	}
	if (ret == -EINVAL)
		return 0;
	for (i = 0; !ret && i < n; i++)
		ret = vt_wait_node(vt_part_path(path, i + 1, part, sizeof(part)),
				   3000);
	return ret;
}

/* An MBR with @n primary partitions of the given types. */
static int write_mbr(const char *path, unsigned int n, const struct part *p)
{
	uint8_t mbr[SECTOR] = { 0 };
	unsigned int i;
	int fd, ret;

	for (i = 0; i < n; i++) {
		uint8_t *e = mbr + 446 + 16 * i;

		e[1] = 0xfe; e[2] = 0xff; e[3] = 0xff;
		e[4] = p[i].type;
		e[5] = 0xfe; e[6] = 0xff; e[7] = 0xff;
		put_le32(e + 8, p[i].start_mib * (VT_MIB / SECTOR));
		put_le32(e + 12, p[i].size_mib * (VT_MIB / SECTOR));
	}
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	fd = vt_open(path, O_RDWR);
	if (fd < 0)
		return fd;
	ret = pwrite_all(fd, mbr, sizeof(mbr), 0);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret)
		ret = rescan(path, fd, n);
	close(fd);
	return ret;
}

/* Linux filesystem data: 0FC63DAF-8483-4772-8E79-3D69D8477DE4 */
static const uint8_t gpt_linux_data[16] = {
	0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
	0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4,
};

#define GPT_ENTRIES	128
#define GPT_ENTRY_SIZE	128
#define GPT_ARRAY	(GPT_ENTRIES * GPT_ENTRY_SIZE)	/* 32 sectors */

static void gpt_header(uint8_t *h, uint64_t my, uint64_t alt, uint64_t last,
		       uint64_t entries_lba, uint32_t array_crc)
{
	static const uint8_t disk_guid[16] = {
		0x76, 0x64, 0x73, 0x77, 0x69, 0x70, 0x65, 0x21,
		0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	};

	memset(h, 0, SECTOR);
	memcpy(h, "EFI PART", 8);
	put_le32(h + 8, 0x00010000);
	put_le32(h + 12, 92);
	put_le64(h + 24, my);
	put_le64(h + 32, alt);
	put_le64(h + 40, 34);
	put_le64(h + 48, last - 33);
	memcpy(h + 56, disk_guid, 16);
	put_le64(h + 72, entries_lba);
	put_le32(h + 80, GPT_ENTRIES);
	put_le32(h + 84, GPT_ENTRY_SIZE);
	put_le32(h + 88, array_crc);
	put_le32(h + 16, crc32_le(h, 92));
}

/* A GPT (protective MBR, primary and backup) with @n Linux data entries. */
static int write_gpt(const char *path, unsigned int n, const struct part *p)
{
	uint8_t mbr[SECTOR] = { 0 }, hdr[SECTOR];
	uint8_t *arr = calloc(1, GPT_ARRAY);
	uint64_t size, last;
	unsigned int i;
	uint32_t acrc;
	int fd, ret;

	if (!arr)
		return -ENOMEM;
	fd = vt_open(path, O_RDWR);
	if (fd < 0) {
		free(arr);
		return fd;
	}
	ret = vt_dev_size(fd, &size);
	if (ret)
		goto out;
	last = size / SECTOR - 1;
	for (i = 0; i < n; i++) {
		uint8_t *e = arr + i * GPT_ENTRY_SIZE;

		memcpy(e, gpt_linux_data, 16);
		memset(e + 16, 0x11 * (i + 1), 16);	/* unique GUID */
		put_le64(e + 32, p[i].start_mib * (VT_MIB / SECTOR));
		put_le64(e + 40, (p[i].start_mib + p[i].size_mib) *
				 (VT_MIB / SECTOR) - 1);
		put_le64(e + 48, p[i].attrs);
		put_le16(e + 56, 'v');
	}
	acrc = crc32_le(arr, GPT_ARRAY);
	/* protective MBR */
	mbr[446 + 2] = 0x02;
	mbr[446 + 4] = 0xee;
	mbr[446 + 5] = 0xff; mbr[446 + 6] = 0xff; mbr[446 + 7] = 0xff;
	put_le32(mbr + 446 + 8, 1);
	put_le32(mbr + 446 + 12, last > 0xffffffffULL ? 0xffffffffU : last);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	ret = pwrite_all(fd, mbr, SECTOR, 0);
	gpt_header(hdr, 1, last, last, 2, acrc);
	if (!ret)
		ret = pwrite_all(fd, hdr, SECTOR, SECTOR);
	if (!ret)
		ret = pwrite_all(fd, arr, GPT_ARRAY, 2 * SECTOR);
	gpt_header(hdr, last, 1, last, last - 32, acrc);
	if (!ret)
		ret = pwrite_all(fd, arr, GPT_ARRAY, (last - 32) * SECTOR);
	if (!ret)
		ret = pwrite_all(fd, hdr, SECTOR, last * SECTOR);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret)
		ret = rescan(path, fd, n);
out:
	close(fd);
	free(arr);
	return ret;
}

/* ------------------------------------------------------------------ */

FIXTURE(safe) {
	struct vdsw_session *sess;
	struct vdsw_async *a[NASYNC];
	char ram0[64], nullb[64];
	void *snap;
};

FIXTURE_SETUP(safe)
{
	int ret;

	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	ret = vt_brd_load(1, DEV_MIB, 8);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
}

FIXTURE_TEARDOWN(safe)
{
	int i;

	for (i = 0; i < NASYNC; i++)
		if (self->a[i])
			vdsw_async_release(self->a[i]);
	if (self->sess)
		vdsw_session_close(self->sess);
	free(self->snap);
	vt_nullb_destroy("vdswsafe");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

/* Remember the first MiB of @dev, to show a refused clean wrote nothing. */
#define SNAP(dev) do {							\
	free(self->snap);						\
	self->snap = vt_snapshot((dev), 0, VT_MIB);			\
	ASSERT_NE(NULL, self->snap);					\
} while (0)

#define ASSERT_UNCHANGED(dev) do {					\
	uint64_t _bad = 0;						\
	ASSERT_EQ(0, vt_compare_snapshot((dev), 0, VT_MIB, self->snap,	\
					 &_bad))			\
		TH_LOG("%s changed at %llu", (dev),			\
		       (unsigned long long)_bad);			\
} while (0)

/* Refused with these flags: by the check and by the clean, nothing
 * written. */
#define ASSERT_DENIED(dev, force, force_oem) do {			\
	struct vdsw_probe_info _i;					\
	ASSERT_HR(VDS_E_OPERATION_DENIED,				\
		  vdsw_check_device((dev), (force), (force_oem), &_i));	\
	ASSERT_HR(VDS_E_OPERATION_DENIED,				\
		  vdsw_clean(self->sess, (dev), (force), (force_oem), 0,	\
			     NULL, &self->a[0]));			\
	ASSERT_EQ(NULL, self->a[0]);					\
	ASSERT_NE(0, vdsw_last_error()[0]);				\
	ASSERT_UNCHANGED(dev);						\
} while (0)

/* Allowed with these flags, and the clean runs to S_OK. */
#define ASSERT_CLEANS(dev, force, force_oem) do {			\
	struct vdsw_probe_info _i;					\
	HRESULT _op;							\
	ASSERT_HR(S_OK, vdsw_check_device((dev), (force), (force_oem), &_i));	\
	ASSERT_HR(S_OK, vdsw_clean(self->sess, (dev), (force), (force_oem),	\
				   0, NULL, &self->a[1]));		\
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[1], &_op, NULL));	\
	ASSERT_HR(S_OK, _op);						\
	ASSERT_EQ(0, vt_check_fill((dev), 0, VT_MIB, 0, NULL));		\
} while (0)

/* A blank disk needs no force. */
TEST_F(safe, blank_disk_no_force_s_ok)
{
	struct vdsw_probe_info info;

	ASSERT_HR(S_OK, vdsw_check_device(self->ram0, 0, 0, &info));
	ASSERT_EQ(0, info.flags);
	ASSERT_STREQ("", info.pttype);
	ASSERT_STREQ("", info.fstype);
	ASSERT_CLEANS(self->ram0, 0, 0);
}

/* An MBR with two data partitions (known to the kernel): force needed. */
TEST_F(safe, mbr_data_partitions_need_force)
{
	const struct part p[2] = {
		{ .type = 0x83, .start_mib = 1, .size_mib = 4 },
		{ .type = 0x07, .start_mib = 6, .size_mib = 4 },
	};
	struct vdsw_probe_info info;
	char p1[80];

	ASSERT_EQ(0, write_mbr(self->ram0, 2, p));
	ASSERT_EQ(0, vt_wait_node(vt_part_path(self->ram0, 1, p1, sizeof(p1)),
				  100));
	SNAP(self->ram0);
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_check_device(self->ram0, 0, 0, &info));
	ASSERT_EQ(VDSW_PROBE_PTABLE | VDSW_PROBE_NEED_FORCE, info.flags);
	ASSERT_STREQ("dos", info.pttype);
	ASSERT_EQ(2, info.data_partitions);
	ASSERT_EQ(0, info.oem_partitions);
	ASSERT_DENIED(self->ram0, 0, 0);
	/* force_oem is not force */
	ASSERT_DENIED(self->ram0, 0, 1);
	ASSERT_CLEANS(self->ram0, 1, 0);
}

/* A GPT with a data partition: force needed. */
TEST_F(safe, gpt_data_partition_needs_force)
{
	const struct part p[1] = { { .start_mib = 1, .size_mib = 8 } };
	struct vdsw_probe_info info;

	ASSERT_EQ(0, write_gpt(self->ram0, 1, p));
	SNAP(self->ram0);
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_check_device(self->ram0, 0, 0, &info));
	ASSERT_STREQ("gpt", info.pttype);
	ASSERT_EQ(1, info.data_partitions);
	ASSERT_EQ(0, info.oem_partitions);
	ASSERT_EQ(VDSW_PROBE_PTABLE | VDSW_PROBE_NEED_FORCE, info.flags);
	ASSERT_DENIED(self->ram0, 0, 0);
	ASSERT_DENIED(self->ram0, 0, 1);
	ASSERT_CLEANS(self->ram0, 1, 0);
}

/* A GPT entry with attribute bit 0 (platform required) is OEM: force_oem
 * needed besides force. */
TEST_F(safe, gpt_platform_required_needs_force_oem)
{
	const struct part p[2] = {
		{ .start_mib = 1, .size_mib = 4, .attrs = 1 },
		{ .start_mib = 6, .size_mib = 4 },
	};
	struct vdsw_probe_info info;

	ASSERT_EQ(0, write_gpt(self->ram0, 2, p));
	SNAP(self->ram0);
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_check_device(self->ram0, 1, 0, &info));
	ASSERT_STREQ("gpt", info.pttype);
	ASSERT_EQ(1, info.data_partitions);
	ASSERT_EQ(1, info.oem_partitions);
	ASSERT_EQ(VDSW_PROBE_PTABLE | VDSW_PROBE_NEED_FORCE |
		  VDSW_PROBE_NEED_FORCE_OEM, info.flags);
	ASSERT_DENIED(self->ram0, 1, 0);
	ASSERT_DENIED(self->ram0, 0, 1);
	ASSERT_DENIED(self->ram0, 0, 0);
	ASSERT_CLEANS(self->ram0, 1, 1);
}

/* ext2 made with mke2fs on the whole disk: force needed. */
TEST_F(safe, ext2_disk_needs_force)
{
	struct vdsw_probe_info info;
	int ret = vt_mkfs_ext2(self->ram0);

	if (ret)
		SKIP(return, "no mke2fs (%s)", strerror(-ret));
	SNAP(self->ram0);
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_check_device(self->ram0, 0, 0, &info));
	ASSERT_EQ(VDSW_PROBE_SIGNATURE | VDSW_PROBE_NEED_FORCE, info.flags);
	ASSERT_STREQ("ext2", info.fstype);
	ASSERT_DENIED(self->ram0, 0, 0);
	ASSERT_DENIED(self->ram0, 0, 1);
	ASSERT_CLEANS(self->ram0, 1, 0);
	/* the superblock is gone */
	ASSERT_HR(S_OK, vdsw_check_device(self->ram0, 0, 0, &info));
	ASSERT_EQ(0, info.flags);
}

/* ext2 on a partition: cleaning the partition needs force. */
TEST_F(safe, ext2_partition_needs_force)
{
	const struct part p[1] = { { .type = 0x83, .start_mib = 1, .size_mib = 8 } };
	struct vdsw_probe_info info;
	char p1[80];
	int ret;

	ASSERT_EQ(0, write_mbr(self->ram0, 1, p));
	vt_part_path(self->ram0, 1, p1, sizeof(p1));
	ret = vt_mkfs_ext2(p1);
	if (ret)
		SKIP(return, "no mke2fs (%s)", strerror(-ret));
	SNAP(p1);
	ASSERT_HR(VDS_E_OPERATION_DENIED, vdsw_check_device(p1, 0, 0, &info));
	ASSERT_STREQ("ext2", info.fstype);
	ASSERT_EQ(0, info.flags & VDSW_PROBE_OEM_ENTRY);
	ASSERT_DENIED(p1, 0, 0);
	ASSERT_CLEANS(p1, 1, 0);
}

/* null_blk: an MBR (the disk holds no partitions, the table is there). */
TEST_F(safe, nullb_mbr_needs_force)
{
	struct vt_nullb_opts o = { .size_mib = 8, .memory_backed = true };
	const struct part p[1] = { { .type = 0x83, .start_mib = 1, .size_mib = 4 } };
	struct vdsw_probe_info info;
	int ret;

	ret = vt_nullb_create("vdswsafe", &o, self->nullb, sizeof(self->nullb));
	if (ret)
		SKIP(return, "no null_blk (%s)", strerror(-ret));
	ASSERT_EQ(0, write_mbr(self->nullb, 1, p));
	SNAP(self->nullb);
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_check_device(self->nullb, 0, 0, &info));
	ASSERT_STREQ("dos", info.pttype);
	ASSERT_DENIED(self->nullb, 0, 0);
	ASSERT_CLEANS(self->nullb, 1, 0);
}

/* null_blk: ext2. */
TEST_F(safe, nullb_ext2_needs_force)
{
	struct vt_nullb_opts o = { .size_mib = 8, .memory_backed = true };
	struct vdsw_probe_info info;
	int ret;

	ret = vt_nullb_create("vdswsafe", &o, self->nullb, sizeof(self->nullb));
	if (ret)
		SKIP(return, "no null_blk (%s)", strerror(-ret));
	ret = vt_mkfs_ext2(self->nullb);
	if (ret)
		SKIP(return, "no mke2fs (%s)", strerror(-ret));
	SNAP(self->nullb);
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_check_device(self->nullb, 0, 0, &info));
	ASSERT_STREQ("ext2", info.fstype);
	ASSERT_DENIED(self->nullb, 0, 0);
	ASSERT_CLEANS(self->nullb, 1, 0);
}

/* A bare boot signature (55 AA, no entries): refused without force, by
 * libblkid or by the kernel's own check. */
TEST_F(safe, bare_boot_signature_needs_force)
{
	ASSERT_EQ(0, write_mbr(self->ram0, 0, NULL));
	SNAP(self->ram0);
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_clean(self->sess, self->ram0, 0, 0, 0, NULL, &self->a[0]));
	TH_LOG("detail: %s", vdsw_last_error());
	ASSERT_UNCHANGED(self->ram0);
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->ram0, 1, 0, 0, NULL,
				   &self->a[0]));
}

/*
 * Bare magic numbers of the kernel's own signature list, without the rest
 * of a valid superblock (libblkid may well not recognise them): the clean
 * is still refused without force, by the kernel's check when libblkid let
 * it through, and goes ahead with force.
 */
TEST_F(safe, kernel_signature_needs_force)
{
	static const struct { const char *name; unsigned int off, len;
			      const char *magic; } sig[] = {
		{ "xfs", 0, 4, "XFSB" },
		{ "swap", 4086, 10, "SWAPSPACE2" },
		{ "md 1.2", 4096, 4, "\xfc\x4e\x2b\xa9" },
		{ "btrfs", 65600, 8, "_BHRfS_M" },
	};
	struct vdsw_probe_info info;
	unsigned int i;
	HRESULT op;
	int fd;

	for (i = 0; i < sizeof(sig) / sizeof(sig[0]); i++) {
		fd = vt_open(self->ram0, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, pwrite_all(fd, sig[i].magic, sig[i].len,
					sig[i].off));
		ASSERT_EQ(0, fsync(fd));
		close(fd);
		vdsw_check_device(self->ram0, 0, 0, &info);
		SNAP(self->ram0);
		ASSERT_HR(VDS_E_OPERATION_DENIED,
			  vdsw_clean(self->sess, self->ram0, 0, 0, 0, NULL,
				     &self->a[0]));
		TH_LOG("%s: libblkid found \"%s\"; refused: %s", sig[i].name,
		       info.fstype, vdsw_last_error());
		ASSERT_UNCHANGED(self->ram0);
		ASSERT_HR(S_OK, vdsw_clean(self->sess, self->ram0, 1, 0, 1, NULL,
					   &self->a[1]));
		ASSERT_HR(S_OK, vdsw_async_wait(self->a[1], &op, NULL));
		ASSERT_HR(S_OK, op);
		ASSERT_HR(S_OK, vdsw_async_release(self->a[1]));
		self->a[1] = NULL;
	}
}

/* ------------------------------------------------------------------ */
/* OEM partitions, one variant per MBR type                            */
/* ------------------------------------------------------------------ */

FIXTURE(oem) {
	struct vdsw_session *sess;
	struct vdsw_async *a[NASYNC];
	char ram0[64], p1[80], p2[80];
	void *snap;
};

FIXTURE_VARIANT(oem) {
	uint8_t type;
};

FIXTURE_VARIANT_ADD(oem, type_12) { .type = 0x12 };
FIXTURE_VARIANT_ADD(oem, type_84) { .type = 0x84 };
FIXTURE_VARIANT_ADD(oem, type_a0) { .type = 0xa0 };
FIXTURE_VARIANT_ADD(oem, type_de) { .type = 0xde };
FIXTURE_VARIANT_ADD(oem, type_fe) { .type = 0xfe };

FIXTURE_SETUP(oem)
{
	struct part p[2] = {
		{ .type = 0x83, .start_mib = 1, .size_mib = 4 },
		{ .type = variant->type, .start_mib = 6, .size_mib = 4 },
	};
	int ret;

	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	ret = vt_brd_load(1, DEV_MIB, 8);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	ASSERT_EQ(0, write_mbr(self->ram0, 2, p));
	vt_part_path(self->ram0, 1, self->p1, sizeof(self->p1));
	vt_part_path(self->ram0, 2, self->p2, sizeof(self->p2));
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
}

FIXTURE_TEARDOWN(oem)
{
	int i;

	for (i = 0; i < NASYNC; i++)
		if (self->a[i])
			vdsw_async_release(self->a[i]);
	if (self->sess)
		vdsw_session_close(self->sess);
	free(self->snap);
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

/* The disk holds an OEM partition: force and force_oem both needed. */
TEST_F(oem, disk_with_oem_partition_needs_force_oem)
{
	struct vdsw_probe_info info;

	SNAP(self->ram0);
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_check_device(self->ram0, 1, 0, &info));
	ASSERT_STREQ("dos", info.pttype);
	ASSERT_EQ(1, info.data_partitions);
	ASSERT_EQ(1, info.oem_partitions);
	ASSERT_EQ(VDSW_PROBE_PTABLE | VDSW_PROBE_NEED_FORCE |
		  VDSW_PROBE_NEED_FORCE_OEM, info.flags);
	ASSERT_DENIED(self->ram0, 1, 0);
	ASSERT_DENIED(self->ram0, 0, 1);
	ASSERT_DENIED(self->ram0, 0, 0);
	ASSERT_CLEANS(self->ram0, 1, 1);
}

/* The target is the OEM partition itself: force_oem needed; the data
 * partition beside it needs nothing. */
TEST_F(oem, oem_partition_itself_needs_force_oem)
{
	struct vdsw_probe_info info;

	SNAP(self->p2);
	ASSERT_HR(VDS_E_OPERATION_DENIED, vdsw_check_device(self->p2, 1, 0,
							    &info));
	ASSERT_TRUE(info.flags & VDSW_PROBE_OEM_ENTRY);
	ASSERT_TRUE(info.flags & VDSW_PROBE_NEED_FORCE_OEM);
	ASSERT_DENIED(self->p2, 1, 0);
	ASSERT_DENIED(self->p2, 0, 0);
	ASSERT_HR(S_OK, vdsw_check_device(self->p1, 0, 0, &info));
	ASSERT_EQ(0, info.flags);
	ASSERT_CLEANS(self->p2, 0, 1);
}

TEST_HARNESS_MAIN
