// SPDX-License-Identifier: GPL-2.0
/*
 * testlib_blkdev.c - test block devices: brd, null_blk, dm, partitions,
 * ext2 (see testlib_blkdev.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "testlib.h"
#include "testlib_int.h"

#define NULLB_CFS	"/sys/kernel/config/nullb"

/* -------------------------------------------------------- block devices */

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int vt_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vt_dev_size(int fd, uint64_t *size)
{
	return xioctl(fd, BLKGETSIZE64, size);
}

int vt_dev_lbs(int fd, unsigned int *lbs)
{
	int v, ret;

	ret = xioctl(fd, BLKSSZGET, &v);
	if (!ret)
		*lbs = v;
	return ret;
}

int vt_set_ro(const char *path, bool ro)
{
	int fd, v = ro, ret;

	fd = vt_open(path, O_RDONLY);
	if (fd < 0)
		return fd;
	ret = xioctl(fd, BLKROSET, &v);
	close(fd);
	return ret;
}

int vt_wait_node(const char *path, unsigned int timeout_ms)
{
	uint64_t start = vt_now_ns();

	for (;;) {
		struct stat sb;

		if (!stat(path, &sb) && S_ISBLK(sb.st_mode))
			return 0;
		if (vt_ms_since(start) >= timeout_ms)
			return -ENOENT;
		vt_sleep_ms(5);
	}
}

int vt_try_excl(const char *path)
{
	int fd = vt_open(path, O_RDONLY | O_EXCL);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* brd */

int vt_brd_unload(void)
{
	int i;

	for (i = 0; i < 20; i++) {
		if (!vt_path_exists("/sys/module/brd"))
			return 0;
		if (vt_run("rmmod brd") == 0)
			return 0;
		vt_sleep_ms(50);
	}
	return -EBUSY;
}

int vt_queue_u64(const char *disk, const char *attr, uint64_t *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/block/%s/queue/%s", disk, attr);
	return vt_read_u64(path, val);
}

const char *vt_brd_path(unsigned int idx, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/ram%u", idx);
	return buf;
}

int vt_brd_load(unsigned int nr, unsigned int size_mib, unsigned int max_part)
{
	char path[32];
	unsigned int i;
	int ret;

	ret = vt_brd_unload();
	if (ret)
		return ret;
	if (vt_run("modprobe brd rd_nr=%u rd_size=%u max_part=%u", nr,
		   size_mib * 1024, max_part ? max_part : 1))
		return -ENODEV;
	for (i = 0; i < nr; i++) {
		ret = vt_wait_node(vt_brd_path(i, path, sizeof(path)), 2000);
		if (ret)
			return ret;
	}
	return 0;
}

/* null_blk */

bool vt_nullb_available(void)
{
	if (!vt_path_exists(NULLB_CFS))
		vt_run("modprobe null_blk nr_devices=0");
	return vt_path_exists(NULLB_CFS);
}

static int write_attr(const char *dir, const char *attr, unsigned long val)
{
	char path[512], v[32];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	snprintf(v, sizeof(v), "%lu", val);
	return vt_write_file(path, v);
}

static unsigned int mbps_max_sectors(unsigned int mbps)
{
	/* null_blk lets mb_per_tick(mbps) bytes through per 20 ms tick */
	uint64_t tick = (1ULL << 20) / 50 * mbps;
	unsigned int s = 8;

	while ((uint64_t)s * 2 * 512 <= tick && s < 256)
		s *= 2;
	return s;
}

int vt_nullb_create(const char *name, const struct vt_nullb_opts *o,
		    char *path, size_t len)
{
	char dir[256];
	unsigned int max_sectors = o->max_sectors;
	int ret;

	if (strncmp(name, "vdsw", 4))
		return -EINVAL;
	if (!vt_nullb_available())
		return -ENODEV;
	snprintf(dir, sizeof(dir), NULLB_CFS "/%s", name);
	if (vt_path_exists(dir))
		vt_nullb_destroy(name);
	if (mkdir(dir, 0755))
		return -errno;
	if (!max_sectors && o->mbps)
		max_sectors = mbps_max_sectors(o->mbps);

	ret = write_attr(dir, "size", o->size_mib);
	if (!ret && o->blocksize)
		ret = write_attr(dir, "blocksize", o->blocksize);
	if (!ret)
		ret = write_attr(dir, "memory_backed", o->memory_backed);
	if (!ret && o->discard)
		ret = write_attr(dir, "discard", 1);
	if (!ret && o->zoned) {
		ret = write_attr(dir, "zoned", 1);
		if (!ret)
			ret = write_attr(dir, "zone_size",
					 o->zone_size_mib ? o->zone_size_mib : 4);
	}
	if (!ret && o->mbps)
		ret = write_attr(dir, "mbps", o->mbps);
	if (!ret && max_sectors)
		ret = write_attr(dir, "max_sectors", max_sectors);
	if (!ret && o->completion_nsec) {
		ret = write_attr(dir, "irqmode", 2);
		if (!ret)
			ret = write_attr(dir, "completion_nsec",
					 o->completion_nsec);
	}
	if (!ret)
		ret = write_attr(dir, "power", 1);
	if (!ret) {
		snprintf(path, len, "/dev/%s", name);
		ret = vt_wait_node(path, 3000);
	}
	if (ret)
		vt_nullb_destroy(name);
	return ret;
}

int vt_nullb_destroy(const char *name)
{
	char dir[256];
	int i;

	snprintf(dir, sizeof(dir), NULLB_CFS "/%s", name);
	if (!vt_path_exists(dir))
		return 0;
	write_attr(dir, "power", 0);
	for (i = 0; i < 50; i++) {
		if (!rmdir(dir) || errno == ENOENT)
			return 0;
		vt_sleep_ms(20);
	}
	return -errno;
}

/* device-mapper */

/* Find /dev/dm-N of table @name; 0 or -ENOENT. */
static int dm_find(const char *name, char *path, size_t len)
{
	struct dirent *de;
	DIR *d = opendir("/sys/block");
	int ret = -ENOENT;

	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		char p[300], n[128];

		if (strncmp(de->d_name, "dm-", 3))
			continue;
		snprintf(p, sizeof(p), "/sys/block/%s/dm/name", de->d_name);
		if (vt_read_file(p, n, sizeof(n)) < 0 || strcmp(n, name))
			continue;
		if (path)
			snprintf(path, len, "/dev/%s", de->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

int vt_dm_target_load(const char *target_module)
{
	return vt_run("modprobe %s", target_module) ? -ENODEV : 0;
}

int vt_dm_create(const char *name, const char *table, char *path, size_t len)
{
	char tfile[256];
	FILE *f;
	int ret;

	if (strncmp(name, "vdsw", 4))
		return -EINVAL;
	if (vt_run("command -v dmsetup") || vt_dm_target_load("dm-mod"))
		return -ENODEV;
	if (!dm_find(name, NULL, 0))
		vt_dm_remove(name);
	snprintf(tfile, sizeof(tfile), "/tmp/%s.dmtable", name);
	f = fopen(tfile, "w");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", table);
	fclose(f);
	ret = vt_run("DM_DISABLE_UDEV=1 dmsetup --noudevsync create %s < %s",
		     name, tfile);
	unlink(tfile);
	if (ret)
		return -EINVAL;
	ret = dm_find(name, path, len);
	if (!ret)
		ret = vt_wait_node(path, 3000);
	return ret;
}

int vt_delay_create(const char *name, const char *backing,
		    unsigned int write_delay_ms, char *path, size_t len)
{
	char table[256];
	uint64_t size;
	int fd, ret;

	fd = vt_open(backing, O_RDONLY);
	if (fd < 0)
		return fd;
	ret = vt_dev_size(fd, &size);
	close(fd);
	if (ret)
		return ret;
	if (vt_dm_target_load("dm-mod") || vt_dm_target_load("dm-delay"))
		return -ENODEV;
	snprintf(table, sizeof(table), "0 %llu delay %s 0 0 %s 0 %u",
		 (unsigned long long)(size >> 9), backing, backing,
		 write_delay_ms);
	return vt_dm_create(name, table, path, len);
}

int vt_dm_remove(const char *name)
{
	int i;

	for (i = 0; i < 20; i++) {
		if (dm_find(name, NULL, 0))
			return 0;
		vt_run("DM_DISABLE_UDEV=1 dmsetup --noudevsync remove %s", name);
		if (dm_find(name, NULL, 0))
			return 0;
		vt_sleep_ms(50);
	}
	return -EBUSY;
}

/* partitions */

const char *vt_part_path(const char *disk, unsigned int part, char *buf,
			 size_t len)
{
	size_t n = strlen(disk);
	bool digit = n && disk[n - 1] >= '0' && disk[n - 1] <= '9';

	snprintf(buf, len, "%s%s%u", disk, digit ? "p" : "", part);
	return buf;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

int vt_write_mbr(const char *path, unsigned int n,
		 const unsigned int *start_mib, const unsigned int *size_mib)
{
	unsigned int lbs, i;
	uint8_t *buf;
	char part[64];
	int fd, ret;

	if (n > 4)
		return -EINVAL;
	fd = vt_open(path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return fd;
	ret = vt_dev_lbs(fd, &lbs);
	if (ret)
		goto out_close;
	if (posix_memalign((void **)&buf, VT_ALIGN, VT_ALIGN)) {
		ret = -ENOMEM;
		goto out_close;
	}
	memset(buf, 0, VT_ALIGN);
	for (i = 0; i < n; i++) {
		uint8_t *e = buf + 446 + 16 * i;

		e[0] = 0x00;
		e[1] = 0xfe; e[2] = 0xff; e[3] = 0xff;
		e[4] = 0x83;
		e[5] = 0xfe; e[6] = 0xff; e[7] = 0xff;
		put_le32(e + 8, (uint32_t)(start_mib[i] * VT_MIB / lbs));
		put_le32(e + 12, (uint32_t)(size_mib[i] * VT_MIB / lbs));
	}
	buf[510] = 0x55;
	buf[511] = 0xaa;
	if (pwrite(fd, buf, VT_ALIGN, 0) != VT_ALIGN)
		ret = errno ? -errno : -EIO;
	else
		ret = fsync(fd) ? -errno : 0;
	free(buf);
	if (!ret) {
		int tries;

		for (tries = 0; tries < 20; tries++) {
			ret = xioctl(fd, BLKRRPART, NULL);
			if (ret != -EBUSY)
				break;
			vt_sleep_ms(50);
		}
		/* a disk that cannot hold partitions keeps only the MBR */
		if (ret == -EINVAL) {
			ret = 0;
			n = 0;
		}
	}
	for (i = 0; !ret && i < n; i++)
		ret = vt_wait_node(vt_part_path(path, i + 1, part, sizeof(part)),
				   3000);
out_close:
	close(fd);
	return ret;
}

int vt_blkpg_add(const char *path, unsigned int part, uint64_t start,
		 uint64_t len)
{
	struct blkpg_partition bp = {
		.start = (long long)start,
		.length = (long long)len,
		.pno = (int)part,
	};
	struct blkpg_ioctl_arg arg = {
		.op = BLKPG_ADD_PARTITION,
		.datalen = sizeof(bp),
		.data = &bp,
	};
	char node[64];
	int fd, ret;

	fd = vt_open(path, O_RDONLY);
	if (fd < 0)
		return fd;
	ret = xioctl(fd, BLKPG, &arg);
	close(fd);
	if (ret)
		return ret;
	return vt_wait_node(vt_part_path(path, part, node, sizeof(node)), 3000);
}

/* filesystems */

int vt_mkfs_ext2(const char *path)
{
	if (vt_run("command -v mke2fs"))
		return -ENOSYS;
	return vt_run("mke2fs -F %s", path) ? -EIO : 0;
}

int vt_mount_ext2(const char *dev, const char *name, char *mnt, size_t len)
{
	int ret;

	mkdir(VT_MNT_DIR, 0755);
	snprintf(mnt, len, VT_MNT_DIR "/%s", name);
	if (mkdir(mnt, 0755) && errno != EEXIST)
		return -errno;
	vt_run("modprobe ext4");
	if (!mount(dev, mnt, "ext2", 0, NULL))
		return 0;
	ret = -errno;
	if (ret == -ENODEV && !mount(dev, mnt, "ext4", 0, NULL))
		return 0;
	return ret;
}

int vt_umount(const char *mnt)
{
	int i;

	for (i = 0; i < 20; i++) {
		if (!umount2(mnt, 0))
			return 0;
		if (errno != EBUSY)
			return -errno;
		vt_sleep_ms(50);
	}
	return umount2(mnt, MNT_DETACH) ? -errno : 0;
}

void vt_cleanup_leftovers(void)
{
	char line[512], name[256];
	struct dirent *de;
	FILE *f;
	DIR *d;
	int pass;

	/* mounts below VT_MNT_DIR, deepest last in /proc/mounts first */
	for (pass = 0; pass < 4; pass++) {
		bool found = false;

		f = fopen("/proc/mounts", "r");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f)) {
			char dev[256], mnt[256];

			if (sscanf(line, "%255s %255s", dev, mnt) != 2)
				continue;
			if (strncmp(mnt, VT_MNT_DIR "/", strlen(VT_MNT_DIR) + 1))
				continue;
			found = true;
			vt_umount(mnt);
		}
		fclose(f);
		if (!found)
			break;
	}

	/* dm tables named vdsw*, stacked ones need several passes */
	for (pass = 0; pass < 4; pass++) {
		bool found = false;

		d = opendir("/sys/block");
		if (!d)
			break;
		while ((de = readdir(d))) {
			char p[300];

			if (strncmp(de->d_name, "dm-", 3))
				continue;
			snprintf(p, sizeof(p), "/sys/block/%s/dm/name",
				 de->d_name);
			if (vt_read_file(p, name, sizeof(name)) < 0 ||
			    strncmp(name, "vdsw", 4))
				continue;
			found = true;
			vt_run("DM_DISABLE_UDEV=1 dmsetup --noudevsync remove %s",
			       name);
		}
		closedir(d);
		if (!found)
			break;
	}

	d = opendir(NULLB_CFS);
	if (d) {
		while ((de = readdir(d))) {
			if (!strncmp(de->d_name, "vdsw", 4)) {
				snprintf(name, sizeof(name), "%s", de->d_name);
				vt_nullb_destroy(name);
			}
		}
		closedir(d);
	}
	vt_brd_unload();
}

int vt_scsi_debug_find(char *name, size_t len, unsigned int ms)
{
	uint64_t start = vt_now_ns();

	do {
		struct dirent *de;
		DIR *d = opendir("/sys/block");
		int found = 0;

		if (!d)
			return -ENOENT;
		while (!found && (de = readdir(d))) {
			char p[300], model[64];

			if (strncmp(de->d_name, "sd", 2))
				continue;
			snprintf(p, sizeof(p), "/sys/block/%s/device/model",
				 de->d_name);
			if (vt_read_file(p, model, sizeof(model)) < 0 ||
			    strcmp(model, "scsi_debug"))
				continue;
			if ((size_t)snprintf(name, len, "%s", de->d_name) < len)
				found = 1;
		}
		closedir(d);
		if (found)
			return 0;
		vt_sleep_ms(20);
	} while (vt_ms_since(start) < ms);
	return -ENOENT;
}
