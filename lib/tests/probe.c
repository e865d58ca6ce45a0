// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The safety checks (libblkid) against images built here: what is found,
 * what each combination of force flags allows, and that nothing is written.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "images.h"
#include "test.h"

/* Check path with all four force combinations; want[force][force_oem]. */
static void check4(const char *path, const int allowed[2][2], uint32_t flags,
		   uint32_t data, uint32_t oem, const char *pttype, const char *fstype)
{
	struct vdsw_probe_info info;
	uint32_t crc = img_crc(path);
	int f, o;

	for (f = 0; f < 2; f++) {
		for (o = 0; o < 2; o++) {
			memset(&info, 0xA5, sizeof(info));
			CHECK_HR(vdsw_check_device(path, f, o, &info),
				 allowed[f][o] ? S_OK : VDS_E_OPERATION_DENIED);
			if (!allowed[f][o])
				CHECK(strstr(vdsw_last_error(), "refused") != NULL);
			else
				CHECK(vdsw_last_error()[0] == '\0');
			CHECK(info.flags == flags);
			CHECK(info.data_partitions == data);
			CHECK(info.oem_partitions == oem);
			CHECK(!strcmp(info.pttype, pttype));
			CHECK(!strcmp(info.fstype, fstype));
			CHECK(info.reserved0 == 0 && info.reserved[0] == 0 && info.reserved[3] == 0);
			if (info.flags != flags || strcmp(info.pttype, pttype) || strcmp(info.fstype, fstype))
				fprintf(stderr, "  %s: flags 0x%x data %u oem %u pt '%s' fs '%s'\n",
					path, info.flags, info.data_partitions, info.oem_partitions,
					info.pttype, info.fstype);
		}
	}
	CHECK(img_crc(path) == crc);	/* probing never writes */
}

static const int ALL[2][2] = { { 1, 1 }, { 1, 1 } };
static const int FORCE[2][2] = { { 0, 0 }, { 1, 1 } };	/* [force][force_oem] */
static const int BOTH[2][2] = { { 0, 0 }, { 0, 1 } };

#define PT	VDSW_PROBE_PTABLE
#define NF	VDSW_PROBE_NEED_FORCE
#define NO	VDSW_PROBE_NEED_FORCE_OEM

static void test_empty(void)
{
	char *p = img_path("empty.img");

	CHECK(img_empty(p) == 0);
	check4(p, ALL, 0, 0, 0, "", "");
	CHECK_HR(vdsw_check_device(p, 0, 0, NULL), S_OK);
	free(p);
}

static void test_mbr(void)
{
	static const uint8_t oem_types[] = { 0x12, 0x84, 0xA0, 0xDE, 0xFE };
	char *p = img_path("mbr.img");
	struct mbr_part parts[2] = {
		{ 0x83, 2048, 2048 }, { 0xDE, 4096, 2048 },
	};
	size_t i;

	CHECK(img_mbr(p, parts, 1) == 0);		/* one Linux partition */
	check4(p, FORCE, PT | NF, 1, 0, "dos", "");
	parts[0].type = 0x07;				/* NTFS/exFAT: data too */
	CHECK(img_mbr(p, parts, 1) == 0);
	check4(p, FORCE, PT | NF, 1, 0, "dos", "");
	for (i = 0; i < sizeof(oem_types); i++) {	/* OEM only */
		parts[0].type = oem_types[i];
		CHECK(img_mbr(p, parts, 1) == 0);
		check4(p, BOTH, PT | NF | NO, 0, 1, "dos", "");
	}
	parts[0].type = 0x83;				/* data + OEM */
	CHECK(img_mbr(p, parts, 2) == 0);
	check4(p, BOTH, PT | NF | NO, 1, 1, "dos", "");
	CHECK(img_mbr(p, parts, 0) == 0);		/* an empty table */
	check4(p, FORCE, PT | NF, 0, 0, "dos", "");

	CHECK(img_mbr_logical(p, 0x83) == 0);		/* extended: not counted */
	check4(p, FORCE, PT | NF, 1, 0, "dos", "");
	CHECK(img_mbr_logical(p, 0x12) == 0);		/* OEM logical */
	check4(p, BOTH, PT | NF | NO, 0, 1, "dos", "");
	free(p);
}

static void test_gpt(void)
{
	char *p = img_path("gpt.img");
	struct gpt_part parts[2] = {
		{ 1, 0, 2048, 4095 }, { 0, 1, 4096, 6143 },
	};

	CHECK(img_gpt(p, parts, 1) == 0);		/* Linux data */
	check4(p, FORCE, PT | NF, 1, 0, "gpt", "");
	parts[0].attrs = 1ULL << 1;			/* bit 1 only: still data */
	CHECK(img_gpt(p, parts, 1) == 0);
	check4(p, FORCE, PT | NF, 1, 0, "gpt", "");
	parts[0].attrs = 1ULL << 0 | 1ULL << 63;	/* platform required: OEM */
	CHECK(img_gpt(p, parts, 1) == 0);
	check4(p, BOTH, PT | NF | NO, 0, 1, "gpt", "");
	parts[0].attrs = 0;				/* data + OEM */
	CHECK(img_gpt(p, parts, 2) == 0);
	check4(p, BOTH, PT | NF | NO, 1, 1, "gpt", "");
	free(p);
}

static void test_signature(void)
{
	char *p = img_path("ext2.img");
	char cmd[512];

	CHECK(img_ext2_magic(p) == 0);
	check4(p, FORCE, VDSW_PROBE_SIGNATURE | NF, 0, 0, "", "ext2");

	/* A real filesystem too, where mke2fs is at hand. */
	if (access("/sbin/mke2fs", X_OK) && access("/usr/sbin/mke2fs", X_OK))
		goto out;
	CHECK(img_empty(p) == 0);
	snprintf(cmd, sizeof(cmd), "PATH=/sbin:/usr/sbin:$PATH mke2fs -q -F -t ext4 '%s' >/dev/null 2>&1", p);
	if (system(cmd) == 0)
		check4(p, FORCE, VDSW_PROBE_SIGNATURE | NF, 0, 0, "", "ext4");
out:
	free(p);
}

/* vdsw_check_fd: works on a write-only fd and leaves its offset alone. */
static void test_fd(void)
{
	char *p = img_path("fd.img");
	struct mbr_part part = { 0x83, 2048, 2048 };
	struct vdsw_probe_info info;
	int fd;

	CHECK(img_mbr(p, &part, 1) == 0);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 12345, SEEK_SET) == 12345);
	CHECK_HR(vdsw_check_fd(fd, 0, 0, &info), VDS_E_OPERATION_DENIED);
	CHECK(info.data_partitions == 1 && (info.flags & NF));
	CHECK_HR(vdsw_check_fd(fd, 1, 0, NULL), S_OK);
	CHECK(lseek(fd, 0, SEEK_CUR) == 12345);
	close(fd);
	CHECK_HR(vdsw_check_fd(fd, 1, 1, &info), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	CHECK_HR(vdsw_check_fd(-1, 1, 1, &info), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
	free(p);
}

static void test_bad_targets(void)
{
	char *fifo = img_path("fifo");
	char *missing = img_path("missing.img");
	struct vdsw_probe_info info;

	CHECK_HR(vdsw_check_device(NULL, 0, 0, &info), E_POINTER);
	CHECK_HR(vdsw_check_device(missing, 0, 0, &info), VDS_E_OBJECT_NOT_FOUND);
	CHECK(strstr(vdsw_last_error(), "missing.img") != NULL);
	CHECK_HR(vdsw_check_device(img_dir(), 0, 0, &info), VDS_E_INCOMPATIBLE_MEDIA);
	CHECK_HR(vdsw_check_device("/dev/null", 1, 1, &info), VDS_E_INCOMPATIBLE_MEDIA);
	CHECK(mkfifo(fifo, 0600) == 0);
	/* a FIFO without a writer must not block */
	CHECK_HR(vdsw_check_device(fifo, 0, 0, &info), VDS_E_INCOMPATIBLE_MEDIA);
	free(fifo);
	free(missing);
}

int main(void)
{
	test_empty();
	test_mbr();
	test_gpt();
	test_signature();
	test_fd();
	test_bad_targets();
	img_cleanup();
	return test_report("probe");
}
