// SPDX-License-Identifier: GPL-2.0
/*
 * Cleans through real drivers: QEMU's NVMe, virtio-blk, virtio-scsi
 * (scsi-hd) and AHCI (ide-hd) disks. The disks, and the byte-by-byte check
 * of what each op wrote, come from the host: tests/vm/realdrv-test boots
 * the VM with one image file per (driver, test), each disk's serial naming
 * both (VDSW-<DRV>-<TEST>), and "vdswipe_realdrv" on the kernel command
 * line. Without that word the program skips (exit 4), as in the normal
 * suite.
 *
 * Each test finds its disk by serial in sysfs, runs one op, checks how it
 * ended, and prints one "REALDRV serial=... key=value..." line that the
 * host reads: the device's write-zeroes and discard limits, the op's state
 * and bytes_done, and for the cancel test the bytes_done and md5 of the
 * device right after CANCEL returned and again after a pause.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define RD_CMDLINE_WORD	"vdswipe_realdrv"
#define RD_PATTERN	0xA5
/* the ranged clean: 512-byte aligned, not 4 KiB aligned, many chunks */
#define RD_RANGE_OFF	(3 * VT_MIB + 3584)
#define RD_RANGE_LEN	(9 * VT_MIB + 1536)
#define RD_DISCARD_OFF	(4 * VT_MIB)
#define RD_DISCARD_LEN	(8 * VT_MIB)
/* the cancel test cancels once this much is written (throttled disk) */
#define RD_CANCEL_AFTER	VT_MIB
#define RD_PAUSE_MS	2000

static bool rd_enabled(void)
{
	char buf[4096];

	if (vt_read_file("/proc/cmdline", buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, RD_CMDLINE_WORD) != NULL;
}

/* @s with leading and trailing blanks (and non-printables) removed */
static void rd_trim(char *s)
{
	size_t i = 0, n = strlen(s);

	while (n && (unsigned char)s[n - 1] <= ' ')
		s[--n] = 0;
	while (s[i] && (unsigned char)s[i] <= ' ')
		i++;
	memmove(s, s + i, n - i + 1);
}

/* the SCSI unit serial number VPD page (0x80): 4 header bytes, then text */
static bool rd_vpd80_is(const char *path, const char *serial)
{
	unsigned char buf[256];
	char s[256];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 4)
		return false;
	memcpy(s, buf + 4, n - 4);
	s[n - 4] = 0;
	rd_trim(s);
	return strcmp(s, serial) == 0;
}

static bool rd_file_is(const char *path, const char *serial)
{
	char buf[256];

	if (vt_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	rd_trim(buf);
	return strcmp(buf, serial) == 0;
}

/*
 * The whole disk whose serial is @serial: virtio-blk has /sys/block/X/serial,
 * NVMe the controller's device/serial, SCSI and ATA (through libata's SCSI
 * translation) the unit serial number VPD page. Found: @name (e.g. "sdb").
 */
static bool rd_find_serial(const char *serial, char *name, size_t len)
{
	static const char *const files[] = { "serial", "device/serial" };
	struct dirent *de;
	char path[512];
	bool found = false;
	DIR *d;

	d = opendir("/sys/block");
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < 2 && !found; i++) {
			snprintf(path, sizeof(path), "/sys/block/%s/%s",
				 de->d_name, files[i]);
			found = rd_file_is(path, serial);
		}
		if (!found) {
			snprintf(path, sizeof(path),
				 "/sys/block/%s/device/vpd_pg80", de->d_name);
			found = rd_vpd80_is(path, serial);
		}
		if (found && strlen(de->d_name) >= len)
			found = false;	/* not a name we could have made */
		if (found)
			memcpy(name, de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	return found;
}

/* the disk's serial; the host's image file carries the same name */
static const char *rd_serial(const char *drv, const char *test, char *buf,
			     size_t len)
{
	snprintf(buf, len, "VDSW-%s-%s", drv, test);
	return buf;
}

static uint64_t rd_queue_u64(const char *name, const char *attr)
{
	uint64_t v;

	return vt_queue_u64(name, attr, &v) ? ~0ULL : v;
}

/* md5 of the whole device as it is on the medium (page cache dropped) */
static int rd_md5(int fd, const char *dev, char *out, size_t len)
{
	char cmd[256];
	FILE *p;
	int ret = -EIO;

	if (ioctl(fd, BLKFLSBUF, 0))
		return -errno;
	snprintf(cmd, sizeof(cmd), "md5sum %s", dev);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	if (fgets(out, len, p) && strlen(out) > 32) {
		out[32] = 0;
		ret = 0;
	}
	if (pclose(p))
		ret = -EIO;
	return ret;
}

/*
 * Which commands reached the disk: the block layer's block_rq_issue trace
 * event names the op in its rwbs field, 'W' for a write, 'N' for WRITE
 * ZEROES (blk_fill_rwbs has no letter of its own for it), 'D' for a
 * discard. Counted for the disk @name between rd_trace_start() and
 * rd_trace_count(); all -1 when the kernel cannot trace.
 */
#define RD_TRACE	"/sys/kernel/tracing"
#define RD_TRACE_EV	RD_TRACE "/events/block/block_rq_issue/enable"

struct rd_reqs {
	int write, wz, discard;
};

/*
 * The event is enabled once and stays on (each switch patches kernel text
 * on every CPU); each op's count starts from an emptied buffer.
 */
static void rd_trace_start(void)
{
	char on[8] = "";
	int fd;

	if (access(RD_TRACE "/trace", F_OK))
		vt_run("mount -t tracefs nodev " RD_TRACE);
	if (vt_read_file(RD_TRACE_EV, on, sizeof(on)) < 0 || on[0] != '1') {
		vt_write_file(RD_TRACE "/buffer_size_kb", "4096");
		vt_write_file(RD_TRACE_EV, "1");
	}
	/* opening "trace" with O_TRUNC empties the buffer */
	fd = open(RD_TRACE "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

static void rd_trace_count(const char *name, struct rd_reqs *r)
{
	unsigned int maj, min, m2, n2;
	char path[128], dev[32], line[512], rwbs[16], *p;
	FILE *f;

	r->write = r->wz = r->discard = -1;
	snprintf(path, sizeof(path), "/sys/block/%s/dev", name);
	if (vt_read_file(path, dev, sizeof(dev)) < 0 ||
	    sscanf(dev, "%u:%u", &maj, &min) != 2)
		return;
	f = fopen(RD_TRACE "/trace", "r");
	if (!f)
		return;
	r->write = r->wz = r->discard = 0;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "block_rq_issue: ");
		if (!p || sscanf(p + 16, "%u,%u %15s", &m2, &n2, rwbs) != 3 ||
		    m2 != maj || n2 != min)
			continue;
		if (strchr(rwbs, 'N'))
			r->wz++;
		else if (strchr(rwbs, 'W'))
			r->write++;
		else if (strchr(rwbs, 'D'))
			r->discard++;
	}
	fclose(f);
}

FIXTURE(realdev) {
	int s;
	int fd;
	char serial[32];
	char name[32];
	char dev[80];
	uint64_t size;
	uint64_t wz_max;
	uint64_t discard_max;
};

FIXTURE_VARIANT(realdev) {
	const char *drv;	/* in the serial */
	const char *kmods;	/* the modules this driver needs */
};

FIXTURE_VARIANT_ADD(realdev, nvme) {
	.drv = "NVME", .kmods = "nvme",
};

FIXTURE_VARIANT_ADD(realdev, virtio_blk) {
	.drv = "VBLK", .kmods = "virtio_pci virtio_blk",
};

FIXTURE_VARIANT_ADD(realdev, virtio_scsi) {
	.drv = "VSCSI", .kmods = "virtio_pci virtio_scsi sd_mod",
};

FIXTURE_VARIANT_ADD(realdev, ahci) {
	.drv = "AHCI", .kmods = "ahci sd_mod",
};

FIXTURE_SETUP(realdev)
{
	self->s = self->fd = -1;
}

FIXTURE_TEARDOWN(realdev)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Load the driver and the module, find the disk for @test and open it.
 * Returns NULL when ready, else why the test is skipped. A disk the host
 * gave us that does not show up is a failure (ASSERT).
 */
static const char *rd_open(struct __test_metadata *_metadata,
			   FIXTURE_DATA(realdev) *self,
			   const FIXTURE_VARIANT(realdev) *variant,
			   const char *test)
{
	static char why[128];
	char mods[128], *m, *save = NULL;
	uint64_t t0;

	if (!rd_enabled())
		return "no real-driver disks (tests/vm/realdrv-test boots them)";
	snprintf(mods, sizeof(mods), "%s", variant->kmods);
	for (m = strtok_r(mods, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
		if (vt_run("modprobe %s", m)) {
			snprintf(why, sizeof(why),
				 "this kernel has no %s driver", m);
			return why;
		}
	}
	rd_serial(variant->drv, test, self->serial, sizeof(self->serial));
	t0 = vt_now_ns();
	while (!rd_find_serial(self->serial, self->name, sizeof(self->name))) {
		if (vt_ms_since(t0) > 20000) {
			vt_run("ls -l /sys/block >&2; cat /sys/block/*/serial "
			       "/sys/block/*/device/serial >&2");
			ASSERT_TRUE(false) TH_LOG("no disk with serial %s",
						  self->serial);
		}
		vt_sleep_ms(50);
	}
	snprintf(self->dev, sizeof(self->dev), "/dev/%s", self->name);
	ASSERT_EQ(0, vt_wait_node(self->dev, 5000));
	/* the vdswipe module of a previous test may still be loaded */
	vt_cleanup_leftovers();
	EXPECT_EQ(0, vt_module_reload(NULL));
	self->fd = vt_open(self->dev, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vt_dev_size(self->fd, &self->size));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	self->wz_max = rd_queue_u64(self->name, "write_zeroes_max_bytes");
	self->discard_max = rd_queue_u64(self->name, "discard_max_bytes");
	return NULL;
}

/* one op to its end; prints the REALDRV line for the host */
static void rd_run(struct __test_metadata *_metadata,
		   FIXTURE_DATA(realdev) *self, uint32_t flags, uint32_t method,
		   uint32_t pattern, uint64_t off, uint64_t len,
		   uint64_t expect_total)
{
	struct vdswipe_status st;
	struct rd_reqs rq;
	uint64_t op, total, ms, t0;

	rd_trace_start();
	t0 = vt_now_ns();
	ASSERT_EQ(0, vt_submit(self->s, self->fd, flags, method, pattern, off,
			       len, &op, &total));
	ASSERT_EQ(0, vt_finish(self->s, op, 120000, &st));
	ms = vt_ms_since(t0);
	rd_trace_count(self->name, &rq);
	printf("REALDRV serial=%s dev=%s size=%llu wz_max=%llu discard_max=%llu state=%s result=%d bytes_done=%llu bytes_total=%llu ms=%llu rq_write=%d rq_wz=%d rq_discard=%d wz_max_after=%llu\n",
	       self->serial, self->name, (unsigned long long)self->size,
	       (unsigned long long)self->wz_max,
	       (unsigned long long)self->discard_max,
	       vt_state_name(st.state), st.result,
	       (unsigned long long)st.bytes_done,
	       (unsigned long long)st.bytes_total, (unsigned long long)ms,
	       rq.write, rq.wz, rq.discard,
	       (unsigned long long)rd_queue_u64(self->name,
						"write_zeroes_max_bytes"));
	fflush(stdout);
	EXPECT_EQ(VDSWIPE_STATE_DONE, st.state);
	EXPECT_EQ(0, st.result);
	EXPECT_EQ(expect_total, total);
	EXPECT_EQ(expect_total, st.bytes_done);
}

#define RD_OPEN(test)							\
	do {								\
		const char *why = rd_open(_metadata, self, variant, test); \
		if (why)						\
			SKIP(return, "%s", why);			\
	} while (0)

TEST_F_TIMEOUT(realdev, full, 180)
{
	RD_OPEN("FULL");
	rd_run(_metadata, self, VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
	       VDSWIPE_METHOD_ZERO, 0, 0, 0, self->size);
}

TEST_F_TIMEOUT(realdev, quick, 180)
{
	RD_OPEN("QUICK");
	rd_run(_metadata, self, VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO, 0,
	       0, 0, 2 * VDSWIPE_QUICK_BYTES);
}

TEST_F_TIMEOUT(realdev, range, 180)
{
	RD_OPEN("RANGE");
	rd_run(_metadata, self,
	       VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE,
	       VDSWIPE_METHOD_ZERO, 0, RD_RANGE_OFF, RD_RANGE_LEN,
	       RD_RANGE_LEN);
}

TEST_F_TIMEOUT(realdev, pattern, 180)
{
	RD_OPEN("PATTERN");
	rd_run(_metadata, self, VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
	       VDSWIPE_METHOD_PATTERN, RD_PATTERN, 0, 0, self->size);
}

TEST_F_TIMEOUT(realdev, discard, 180)
{
	RD_OPEN("DISCARD");
	if (!self->discard_max || self->discard_max == ~0ULL) {
		printf("REALDRV serial=%s dev=%s discard_max=0 skipped=1\n",
		       self->serial, self->name);
		SKIP(return, "%s offers no discard", self->name);
	}
	/* FULL: without it a discard, too, covers only the first and last MiB */
	rd_run(_metadata, self,
	       VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE,
	       VDSWIPE_METHOD_DISCARD, 0, RD_DISCARD_OFF, RD_DISCARD_LEN,
	       RD_DISCARD_LEN);
}

/*
 * Cancel a full clean of a throttled disk mid-way. Once CANCEL has
 * returned, the device never changes again: bytes_done and the device's
 * md5 right after it and after a pause must agree (and the host checks the
 * image file against the same md5 after the VM is gone).
 */
TEST_F_TIMEOUT(realdev, cancel, 180)
{
	struct vdswipe_status st, st2;
	struct rd_reqs rq;
	char sum1[64], sum2[64];
	uint64_t op, t0, cancel_ms;
	int ret;

	RD_OPEN("CANCEL");
	rd_trace_start();
	ASSERT_EQ(0, vt_submit(self->s, self->fd,
			       VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &op, NULL));
	ASSERT_EQ(0, vt_wait_progress(self->s, op, RD_CANCEL_AFTER, 60000,
				      &st)) TH_LOG("state %s bytes_done %llu",
						   vt_state_name(st.state),
						   (unsigned long long)st.bytes_done);
	t0 = vt_now_ns();
	ret = vt_cancel(self->s, op);
	cancel_ms = vt_ms_since(t0);
	ASSERT_EQ(0, ret) TH_LOG("cancel: %s", strerror(-ret));
	ASSERT_EQ(0, vt_query(self->s, op, &st));
	ASSERT_EQ(0, rd_md5(self->fd, self->dev, sum1, sizeof(sum1)));
	vt_sleep_ms(RD_PAUSE_MS);
	ASSERT_EQ(0, vt_query(self->s, op, &st2));
	ASSERT_EQ(0, rd_md5(self->fd, self->dev, sum2, sizeof(sum2)));
	rd_trace_count(self->name, &rq);
	printf("REALDRV serial=%s dev=%s size=%llu wz_max=%llu discard_max=%llu state=%s result=%d bytes_done=%llu bytes_total=%llu cancel_ms=%llu md5=%s state2=%s bytes_done2=%llu md5_2=%s rq_write=%d rq_wz=%d rq_discard=%d\n",
	       self->serial, self->name, (unsigned long long)self->size,
	       (unsigned long long)self->wz_max,
	       (unsigned long long)self->discard_max,
	       vt_state_name(st.state), st.result,
	       (unsigned long long)st.bytes_done,
	       (unsigned long long)st.bytes_total,
	       (unsigned long long)cancel_ms, sum1,
	       vt_state_name(st2.state), (unsigned long long)st2.bytes_done,
	       sum2, rq.write, rq.wz, rq.discard);
	fflush(stdout);
	EXPECT_EQ(VDSWIPE_STATE_CANCELLED, st.state);
	EXPECT_GT(self->size, st.bytes_done);
	EXPECT_EQ(st.bytes_done, st2.bytes_done);
	EXPECT_EQ(st.state, st2.state);
	EXPECT_STREQ(sum1, sum2);
}

/* no disks (the normal suite): one skip for the program, exit 4 */
int main(int argc, char **argv)
{
	if (!rd_enabled()) {
		ksft_print_header();
		ksft_exit_skip("no real-driver disks: tests/vm/realdrv-test boots them (\"%s\" on the kernel command line)\n",
			       RD_CMDLINE_WORD);
	}
	return test_harness_run(argc, argv);
}
