/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib.h - helpers shared by the vdswipe selftests.
 *
 * Conventions:
 *  - Functions that can fail return 0 (or a non-negative value) on success
 *    and -errno on failure. They never call exit() and never print, except
 *    that with VT_VERBOSE set in the environment vt_run() echoes each
 *    command and lets its output through.
 *  - Every read and write of a test device goes through O_DIRECT, so what a
 *    test sees is what is on the device (vdswipe writes with bios, which
 *    bypass the block device's page cache).
 *  - Every object a test creates is named with the "vdsw" prefix (null_blk
 *    configfs items, dm tables, mount points under VT_MNT_DIR), so that
 *    vt_cleanup_leftovers() can remove what a killed test left behind.
 *  - Nothing here uses the kselftest harness: the helpers can be used from
 *    forked children and threads.
 *
 * The helpers run inside the test VM as root (all capabilities). They use
 * modprobe/rmmod/dmsetup/mke2fs through system().
 *
 * A typical fixture:
 *
 *	FIXTURE_SETUP(f) {
 *		vt_cleanup_leftovers();		// what a killed test left
 *		ASSERT_EQ(0, vt_module_reload("max_active=1"));
 *		ASSERT_EQ(0, vt_brd_load(2, 16, 1));	// /dev/ram0, /dev/ram1
 *		ASSERT_EQ(0, vt_fill(vt_brd_path(0, dev, sizeof(dev)), 0,
 *				     16 * VT_MIB, 0xA5));
 *		self->s = vt_session_open();
 *	}
 *	FIXTURE_TEARDOWN(f) {
 *		close(self->s);			// cancels the session's ops
 *		vt_brd_unload();
 *		vt_module_unload();
 *	}
 *
 * The harness kills a test that times out without running its teardown;
 * vt_cleanup_leftovers() at the start of the next setup recovers.
 */
#ifndef VDSWIPE_TESTLIB_H
#define VDSWIPE_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vdswipe.h>

#define VT_KIB		(1ULL << 10)
#define VT_MIB		(1ULL << 20)
#define VT_NSEC_PER_MSEC	1000000ULL
#define VT_NSEC_PER_SEC		1000000000ULL

#define VT_DEV_NODE	"/dev/vdswipe"
#define VT_MODULE	"vdswipe"
/* Mount points are created below this directory. */
#define VT_MNT_DIR	"/tmp/vdsw-mnt"

/* ------------------------------------------------------------------ */
/* Time                                                               */
/* ------------------------------------------------------------------ */

/* CLOCK_MONOTONIC now, in nanoseconds (the clock VDSWIPE_IOC_WAIT uses). */
uint64_t vt_now_ns(void);
/* Sleep for @ms milliseconds (restarts after signals). */
void vt_sleep_ms(unsigned int ms);
/* Milliseconds elapsed since @start_ns (a vt_now_ns() value). */
uint64_t vt_ms_since(uint64_t start_ns);

/* ------------------------------------------------------------------ */
/* Commands and sysfs/configfs files                                  */
/* ------------------------------------------------------------------ */

/*
 * Run a shell command built from @fmt (stdout/stderr to /dev/null unless
 * VT_VERBOSE is set). Returns its exit status (0-255), or -1 if it could not
 * be run or was killed.
 */
int vt_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write @val to the file @path (no newline added). 0 or -errno. */
int vt_write_file(const char *path, const char *val);
/* Read up to @len-1 bytes of @path into @buf, NUL-terminated, trailing
 * newline removed. Returns the length or -errno. */
int vt_read_file(const char *path, char *buf, size_t len);
/* Read @path as an unsigned decimal number. 0 or -errno. */
int vt_read_u64(const char *path, uint64_t *val);

/*
 * The kernel's taint bits that mean something went wrong since boot: died
 * (oops, 1 << 7), warned (1 << 9), bad page (1 << 5), soft lockup (1 << 14),
 * machine check (1 << 4). 0 when none is set (or the file is unreadable).
 */
unsigned long vt_bad_taint(void);

/* ------------------------------------------------------------------ */
/* The vdswipe module                                                 */
/* ------------------------------------------------------------------ */

/* True when the vdswipe module is loaded (/sys/module/vdswipe exists). */
bool vt_module_loaded(void);
/*
 * modprobe vdswipe with @params (e.g. "max_active=1 chunk_size=262144", or
 * NULL/"" for the defaults) and wait for /dev/vdswipe to appear.
 * 0, -EEXIST if already loaded, -EIO if modprobe failed, -ENODEV if the node
 * did not appear.
 */
int vt_module_load(const char *params);
/* rmmod vdswipe. 0 (also when it was not loaded) or -EBUSY if rmmod failed. */
int vt_module_unload(void);
/* Unload (if loaded) and load with @params. 0 or -errno. */
int vt_module_reload(const char *params);

/* ------------------------------------------------------------------ */
/* Sessions and ioctls: every wrapper returns 0 or -errno              */
/* ------------------------------------------------------------------ */

/* open("/dev/vdswipe", O_RDWR | O_CLOEXEC | @extra_flags): fd or -errno. */
int vt_session_open_flags(int extra_flags);
static inline int vt_session_open(void) { return vt_session_open_flags(0); }

int vt_version(int session, struct vdswipe_version *ver);
/* Fill @c for a clean of @devfd; everything else zero. */
void vt_clean_init(struct vdswipe_clean *c, int devfd, uint32_t flags,
		   uint32_t method);
/* VDSWIPE_IOC_CLEAN with @c as given (may be a bad pointer on purpose). */
int vt_clean(int session, struct vdswipe_clean *c);
/*
 * Submit a clean; on success stores the new op id in @op_id (may be NULL)
 * and the op's bytes_total in @bytes_total (may be NULL).
 */
int vt_submit(int session, int devfd, uint32_t flags, uint32_t method,
	      uint32_t pattern, uint64_t offset, uint64_t length,
	      uint64_t *op_id, uint64_t *bytes_total);
int vt_query(int session, uint64_t op_id, struct vdswipe_status *st);
/* VDSWIPE_IOC_WAIT with an absolute CLOCK_MONOTONIC deadline (ns). */
int vt_wait(int session, uint64_t op_id, uint64_t deadline_ns);
/* VDSWIPE_IOC_WAIT with a deadline @ms from now. */
int vt_wait_ms(int session, uint64_t op_id, unsigned int ms);
int vt_cancel(int session, uint64_t op_id);
/* VDSWIPE_IOC_CANCEL_ALL; stores the count in @cancelled (may be NULL). */
int vt_cancel_all(int session, uint32_t *cancelled);
int vt_release(int session, uint64_t op_id);

/* True for DONE, FAILED and CANCELLED. */
bool vt_state_ended(uint32_t state);
/* "QUEUED", "RUNNING", ... or "?". */
const char *vt_state_name(uint32_t state);

/*
 * Poll VDSWIPE_IOC_QUERY (every ~1 ms) until the op is RUNNING with
 * bytes_done >= @min_bytes, or has ended, or @timeout_ms passed. Fills @st
 * with the last status. Returns 0 when running with enough progress,
 * -ESRCH when the op ended first, -ETIMEDOUT, or the query's -errno.
 */
int vt_wait_progress(int session, uint64_t op_id, uint64_t min_bytes,
		     unsigned int timeout_ms, struct vdswipe_status *st);
/* Wait (up to @timeout_ms) for the op to end, then query it into @st. */
int vt_finish(int session, uint64_t op_id, unsigned int timeout_ms,
	      struct vdswipe_status *st);

/* ------------------------------------------------------------------ */
/* Privilege                                                          */
/* ------------------------------------------------------------------ */

enum vt_drop {
	VT_DROP_CAPSET,		/* capset(): clear CAP_SYS_ADMIN, stay uid 0 */
	VT_DROP_SETUID,		/* setresuid/setresgid(65534): lose every cap */
};

/*
 * Fork; in the child drop privileges as @how says, then return fn(arg)'s
 * value (0 or -errno, |errno| < 256) to the parent through the exit status.
 * The child inherits every fd (sessions stay usable). Returns fn's value,
 * or -ECHILD when the child could not drop privileges or crashed.
 */
int vt_run_dropped(enum vt_drop how, int (*fn)(void *arg), void *arg);

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

/* ------------------------------------------------------------------ */
/* Device content (all O_DIRECT)                                      */
/* ------------------------------------------------------------------ */

/* Fill [@off, @off + @len) of @path with @byte. 0 or -errno. */
int vt_fill(const char *path, uint64_t off, uint64_t len, uint8_t byte);
/*
 * Fill [@off, @off + @len) with the position-dependent pseudo-random data
 * vt_seed_byte(@seed, position) (so any byte can be checked later without
 * keeping a copy). 0 or -errno.
 */
int vt_fill_seeded(const char *path, uint64_t off, uint64_t len,
		   uint64_t seed);
/* The byte vt_fill_seeded() writes at device offset @pos. */
uint8_t vt_seed_byte(uint64_t seed, uint64_t pos);
/*
 * Check that every byte of [@off, @off + @len) equals @byte. Returns 0 when
 * it does, 1 when not (then *@bad, if non-NULL, is the first differing
 * offset), or -errno.
 */
int vt_check_fill(const char *path, uint64_t off, uint64_t len, uint8_t byte,
		  uint64_t *bad);
/*
 * Write the @len bytes of @buf at device offset @off (any alignment: the
 * enclosing blocks are read, patched and written back with O_DIRECT).
 * 0 or -errno.
 */
int vt_write_bytes(const char *path, uint64_t off, const void *buf,
		   size_t len);
/* Same for data written by vt_fill_seeded(). */
int vt_check_seeded(const char *path, uint64_t off, uint64_t len,
		    uint64_t seed, uint64_t *bad);
/*
 * Read [@off, @off + @len) into a new buffer (free() it). NULL on error,
 * with errno set.
 */
void *vt_snapshot(const char *path, uint64_t off, uint64_t len);
/*
 * Compare [@off, @off + @len) of @path with @snap (a vt_snapshot() of the
 * same range): 0 when equal, 1 when not (*@bad = first differing offset),
 * -errno on error.
 */
int vt_compare_snapshot(const char *path, uint64_t off, uint64_t len,
			const void *snap, uint64_t *bad);

#endif /* VDSWIPE_TESTLIB_H */
