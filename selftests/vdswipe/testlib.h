/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib.h - helpers shared by the vdswipe selftests.
 *
 * The one header the tests include. It declares the base (time, commands,
 * files) and includes the parts, each with its .c:
 *   testlib_module.h   the vdswipe module; privilege dropping
 *   testlib_session.h  sessions and the ioctls (through lib/src/ioc.c, the
 *                      layer libvdswipe uses too)
 *   testlib_blkdev.h   test block devices: brd, null_blk, dm, partitions,
 *                      ext2, and cleaning up what a killed test left
 *   testlib_content.h  filling and checking device content
 * testlib_int.h is what the testlib*.c files share, not for tests.
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

#include "testlib_module.h"
#include "testlib_session.h"
#include "testlib_blkdev.h"
#include "testlib_content.h"

#endif /* VDSWIPE_TESTLIB_H */
