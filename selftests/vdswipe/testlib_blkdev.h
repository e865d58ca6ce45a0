/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib_blkdev.h - test block devices: brd, null_blk, dm, partitions, ext2.
 * Included by testlib.h: the tests include that, and the conventions
 * written there hold here too.
 */
#ifndef VDSWIPE_TESTLIB_BLKDEV_H
#define VDSWIPE_TESTLIB_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Block devices                                                      */
/* ------------------------------------------------------------------ */

/* open(@path, @flags | O_CLOEXEC): fd or -errno. */
int vt_open(const char *path, int flags);
/* Size in bytes (BLKGETSIZE64). 0 or -errno. */
int vt_dev_size(int fd, uint64_t *size);
/* Logical block size (BLKSSZGET). 0 or -errno. */
int vt_dev_lbs(int fd, unsigned int *lbs);
/* BLKROSET on a new fd of @path. 0 or -errno. */
int vt_set_ro(const char *path, bool ro);
/* Wait up to @timeout_ms for the block node @path to exist. 0 or -ENOENT. */
int vt_wait_node(const char *path, unsigned int timeout_ms);
/*
 * Try an O_EXCL open of @path (read-only) and close it again: 0 when the
 * device could be claimed, -EBUSY when someone holds it, or -errno.
 */
int vt_try_excl(const char *path);

/*
 * brd ramdisks: modprobe brd rd_nr=@nr rd_size=@size_mib*1024
 * max_part=@max_part (unloads brd first). The disks are /dev/ram0.. .
 * 0 or -errno (-ENODEV when brd is not available).
 */
int vt_brd_load(unsigned int nr, unsigned int size_mib, unsigned int max_part);
/* rmmod brd. 0 (also when not loaded) or -EBUSY. */
int vt_brd_unload(void);
/* /sys/block/@disk/queue/@attr as a number. 0 or -errno. */
int vt_queue_u64(const char *disk, const char *attr, uint64_t *val);
/* "/dev/ram@idx" into @buf. */
const char *vt_brd_path(unsigned int idx, char *buf, size_t len);

/* null_blk devices created through configfs (null_blk loaded nr_devices=0). */
struct vt_nullb_opts {
	unsigned int size_mib;		/* required */
	unsigned int blocksize;		/* 0: 512 */
	bool memory_backed;		/* keep the data (needed to read it back) */
	bool discard;			/* needs memory_backed */
	bool zoned;
	unsigned int zone_size_mib;	/* zoned: 0 means 4 */
	unsigned int mbps;		/* bandwidth cap, 0: none */
	unsigned int max_sectors;	/* 0: default, or derived from mbps */
	unsigned long completion_nsec;	/* with irqmode 2 (timer) when set */
};
/* True when configfs for null_blk can be used (loads null_blk if needed). */
bool vt_nullb_available(void);
/*
 * Create and power on /sys/kernel/config/nullb/@name (name must start with
 * "vdsw"); the disk is /dev/@name (written to @path). With mbps, max_sectors
 * defaults to the largest size one 20 ms throttle tick lets through.
 * 0 or -errno.
 */
int vt_nullb_create(const char *name, const struct vt_nullb_opts *o,
		    char *path, size_t len);
/* Power off and remove. 0 (also when absent) or -errno. */
int vt_nullb_destroy(const char *name);

/*
 * device-mapper: create table @name (must start with "vdsw") from @table
 * (lines separated by '\n'); the node /dev/dm-N is written to @path.
 * 0 or -errno (-ENODEV when dmsetup or the target is unavailable).
 */
int vt_dm_create(const char *name, const char *table, char *path, size_t len);
/* Remove table @name (retries while busy). 0 (also when absent) or -errno. */
int vt_dm_remove(const char *name);
/* modprobe @target_module (e.g. "dm-delay"); 0 or -ENODEV. */
int vt_dm_target_load(const char *target_module);
/*
 * A slow device: dm-delay table @name over the whole of @backing that holds
 * every write (and flush) bio for @write_delay_ms, while reads go through at
 * once. Bios held there when a writer claims to be finished land later, so
 * reading the device twice shows whether they were really finished.
 * The node is written to @path. 0 or -errno (-ENODEV without dm-delay).
 */
int vt_delay_create(const char *name, const char *backing,
		    unsigned int write_delay_ms, char *path, size_t len);

/*
 * Write an MBR with @n (<= 4) primary Linux partitions, given in MiB as
 * @start_mib[i], @size_mib[i], to the disk @path, re-read the partition
 * table (BLKRRPART) and wait for the partition nodes. On a disk that
 * cannot hold partitions (BLKRRPART fails with EINVAL, e.g. null_blk) only
 * the MBR is written. 0 or -errno.
 */
int vt_write_mbr(const char *path, unsigned int n,
		 const unsigned int *start_mib, const unsigned int *size_mib);
/*
 * Add partition @part ([@start, @start + @len) in bytes) to the kernel's view
 * of disk @path with BLKPG, without writing a partition table, and wait for
 * its node. 0 or -errno.
 */
int vt_blkpg_add(const char *path, unsigned int part, uint64_t start,
		 uint64_t len);
/* Partition @part's node of disk @disk ("/dev/ram0" -> "/dev/ram0p1"). */
const char *vt_part_path(const char *disk, unsigned int part, char *buf,
			 size_t len);

/* mke2fs the device. 0 or -errno (-ENOSYS when mke2fs is missing). */
int vt_mkfs_ext2(const char *path);
/*
 * Mount @dev as ext2 on VT_MNT_DIR/@name (created). Writes the mount point
 * to @mnt. 0 or -errno.
 */
int vt_mount_ext2(const char *dev, const char *name, char *mnt, size_t len);
/* Unmount @mnt (also lazily if needed). 0 or -errno. */
int vt_umount(const char *mnt);

/*
 * Remove what earlier (possibly killed) tests left: mounts under VT_MNT_DIR,
 * dm tables and null_blk items named vdsw*, and the brd module. Does not
 * touch the vdswipe module.
 */
void vt_cleanup_leftovers(void);

/*
 * The scsi_debug disk's name ("sdX") into @name, waiting up to @ms for
 * it to appear (no udev in the VM: sd_mod must be loaded). 0 or -ENOENT.
 */
int vt_scsi_debug_find(char *name, size_t len, unsigned int ms);

#endif /* VDSWIPE_TESTLIB_BLKDEV_H */
