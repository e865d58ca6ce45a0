// SPDX-License-Identifier: GPL-2.0
/*
 * testlib.c - helpers shared by the vdswipe selftests (see testlib.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/blkpg.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "ioc.h"
#include "testlib.h"

#define VT_IO_CHUNK	(1U << 20)	/* bytes per O_DIRECT read/write */
#define VT_ALIGN	4096
#define NULLB_CFS	"/sys/kernel/config/nullb"

/* ---------------------------------------------------------------- time */

uint64_t vt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * VT_NSEC_PER_SEC + ts.tv_nsec;
}

void vt_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t vt_ms_since(uint64_t start_ns)
{
	return (vt_now_ns() - start_ns) / VT_NSEC_PER_MSEC;
}

/* ------------------------------------------------------- commands/files */

int vt_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n, st;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 32, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 32)
		return -1;
	if (!getenv("VT_VERBOSE"))
		strcat(cmd, " >/dev/null 2>&1");
	else
		fprintf(stderr, "# vt_run: %s\n", cmd);
	fflush(stdout);
	fflush(stderr);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int vt_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

int vt_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return n;
}

int vt_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int n;

	n = vt_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

static int write_attr(const char *dir, const char *attr, unsigned long val)
{
	char path[512], v[32];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	snprintf(v, sizeof(v), "%lu", val);
	return vt_write_file(path, v);
}

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

unsigned long vt_bad_taint(void)
{
	const unsigned long bad = (1UL << 4) | (1UL << 5) | (1UL << 7) |
				  (1UL << 9) | (1UL << 14);
	uint64_t t;

	if (vt_read_u64("/proc/sys/kernel/tainted", &t))
		return 0;
	return t & bad;
}

/* -------------------------------------------------------------- module */

bool vt_module_loaded(void)
{
	return path_exists("/sys/module/" VT_MODULE);
}

int vt_module_load(const char *params)
{
	int i;

	if (vt_module_loaded())
		return -EEXIST;
	if (vt_run("modprobe " VT_MODULE " %s", params ? params : ""))
		return -EIO;
	for (i = 0; i < 200; i++) {
		if (path_exists(VT_DEV_NODE))
			return 0;
		vt_sleep_ms(10);
	}
	return -ENODEV;
}

int vt_module_unload(void)
{
	int i;

	for (i = 0; i < 20; i++) {
		if (!vt_module_loaded())
			return 0;
		if (vt_run("rmmod " VT_MODULE) == 0)
			return 0;
		vt_sleep_ms(50);
	}
	return vt_module_loaded() ? -EBUSY : 0;
}

int vt_module_reload(const char *params)
{
	int ret = vt_module_unload();

	if (ret)
		return ret;
	return vt_module_load(params);
}

/* ------------------------------------------------------------ sessions */

int vt_session_open_flags(int extra_flags)
{
	int fd = open(VT_DEV_NODE, O_RDWR | O_CLOEXEC | extra_flags);

	return fd < 0 ? -errno : fd;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int vt_version(int session, struct vdswipe_version *ver)
{
	return vdsw_ioc_version(session, ver);
}

void vt_clean_init(struct vdswipe_clean *c, int devfd, uint32_t flags,
		   uint32_t method)
{
	memset(c, 0, sizeof(*c));
	c->fd = devfd;
	c->flags = flags;
	c->method = method;
}

int vt_clean(int session, struct vdswipe_clean *c)
{
	return vdsw_ioc_clean(session, c);
}

int vt_submit(int session, int devfd, uint32_t flags, uint32_t method,
	      uint32_t pattern, uint64_t offset, uint64_t length,
	      uint64_t *op_id, uint64_t *bytes_total)
{
	struct vdswipe_clean c;
	int ret;

	vt_clean_init(&c, devfd, flags, method);
	c.pattern = pattern;
	c.offset = offset;
	c.length = length;
	ret = vt_clean(session, &c);
	if (ret)
		return ret;
	if (op_id)
		*op_id = c.op_id;
	if (bytes_total)
		*bytes_total = c.bytes_total;
	return 0;
}

int vt_query(int session, uint64_t op_id, struct vdswipe_status *st)
{
	return vdsw_ioc_query(session, op_id, st);
}

int vt_wait(int session, uint64_t op_id, uint64_t deadline_ns)
{
	return vdsw_ioc_wait(session, op_id, deadline_ns);
}

int vt_wait_ms(int session, uint64_t op_id, unsigned int ms)
{
	return vt_wait(session, op_id,
		       vt_now_ns() + (uint64_t)ms * VT_NSEC_PER_MSEC);
}

int vt_cancel(int session, uint64_t op_id)
{
	return vdsw_ioc_cancel(session, op_id);
}

int vt_cancel_all(int session, uint32_t *cancelled)
{
	return vdsw_ioc_cancel_all(session, cancelled);
}

int vt_release(int session, uint64_t op_id)
{
	return vdsw_ioc_release(session, op_id);
}

bool vt_state_ended(uint32_t state)
{
	return state == VDSWIPE_STATE_DONE || state == VDSWIPE_STATE_FAILED ||
	       state == VDSWIPE_STATE_CANCELLED;
}

const char *vt_state_name(uint32_t state)
{
	switch (state) {
	case VDSWIPE_STATE_QUEUED:	return "QUEUED";
	case VDSWIPE_STATE_RUNNING:	return "RUNNING";
	case VDSWIPE_STATE_DONE:	return "DONE";
	case VDSWIPE_STATE_FAILED:	return "FAILED";
	case VDSWIPE_STATE_CANCELLED:	return "CANCELLED";
	default:			return "?";
	}
}

int vt_wait_progress(int session, uint64_t op_id, uint64_t min_bytes,
		     unsigned int timeout_ms, struct vdswipe_status *st)
{
	uint64_t start = vt_now_ns();
	int ret;

	for (;;) {
		ret = vt_query(session, op_id, st);
		if (ret)
			return ret;
		if (vt_state_ended(st->state))
			return -ESRCH;
		if (st->state == VDSWIPE_STATE_RUNNING &&
		    st->bytes_done >= min_bytes)
			return 0;
		if (vt_ms_since(start) >= timeout_ms)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

int vt_finish(int session, uint64_t op_id, unsigned int timeout_ms,
	      struct vdswipe_status *st)
{
	int ret = vt_wait_ms(session, op_id, timeout_ms);

	if (ret)
		return ret;
	return vt_query(session, op_id, st);
}

/* ----------------------------------------------------------- privilege */

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const uint32_t bit = 1U << (CAP_SYS_ADMIN % 32);
	const int idx = CAP_SYS_ADMIN / 32;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[idx].effective &= ~bit;
	data[idx].permitted &= ~bit;
	data[idx].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

static bool has_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return true;
	return data[CAP_SYS_ADMIN / 32].effective & (1U << (CAP_SYS_ADMIN % 32));
}

int vt_run_dropped(enum vt_drop how, int (*fn)(void *arg), void *arg)
{
	pid_t pid;
	int st, ret;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (how == VT_DROP_CAPSET) {
			if (drop_sys_admin())
				_exit(255);
		} else {
			if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(255);
		}
		if (has_sys_admin())
			_exit(255);
		ret = fn(arg);
		if (ret > 0 || ret <= -255)
			_exit(254);
		_exit(-ret);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -ECHILD;
	if (!WIFEXITED(st) || WEXITSTATUS(st) >= 254)
		return -ECHILD;
	return -WEXITSTATUS(st);
}

/* -------------------------------------------------------- block devices */

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
		if (!path_exists("/sys/module/brd"))
			return 0;
		if (vt_run("rmmod brd") == 0)
			return 0;
		vt_sleep_ms(50);
	}
	return -EBUSY;
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
	if (!path_exists(NULLB_CFS))
		vt_run("modprobe null_blk nr_devices=0");
	return path_exists(NULLB_CFS);
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
	if (path_exists(dir))
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
	if (!path_exists(dir))
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

/* ------------------------------------------------------------- content */

static void *io_buf(size_t len)
{
	void *p;

	if (posix_memalign(&p, VT_ALIGN, len))
		return NULL;
	return p;
}

static uint64_t seed_word(uint64_t seed, uint64_t word)
{
	uint64_t z = seed + word * 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint8_t vt_seed_byte(uint64_t seed, uint64_t pos)
{
	return (uint8_t)(seed_word(seed, pos >> 3) >> ((pos & 7) * 8));
}

static void gen_seeded(uint8_t *buf, uint64_t pos, size_t len, uint64_t seed)
{
	size_t i = 0, k;

	/* unaligned head, then whole 8-byte words, then the tail */
	for (; i < len && ((pos + i) & 7); i++)
		buf[i] = vt_seed_byte(seed, pos + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t z = seed_word(seed, (pos + i) >> 3);

		for (k = 0; k < 8; k++)
			buf[i + k] = (uint8_t)(z >> (k * 8));
	}
	for (; i < len; i++)
		buf[i] = vt_seed_byte(seed, pos + i);
}

/* Write @len bytes at @off; @gen fills each piece. */
static int dev_write(const char *path, uint64_t off, uint64_t len,
		     int byte, const uint64_t *seed)
{
	uint8_t *buf;
	int fd, ret = 0;

	fd = vt_open(path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return fd;
	buf = io_buf(VT_IO_CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	if (!seed)
		memset(buf, byte, VT_IO_CHUNK);
	while (len) {
		size_t n = len < VT_IO_CHUNK ? len : VT_IO_CHUNK;
		ssize_t w;

		if (seed)
			gen_seeded(buf, off, n, *seed);
		w = pwrite(fd, buf, n, off);
		if (w < 0) {
			ret = -errno;
			break;
		}
		if (w == 0) {
			ret = -ENOSPC;
			break;
		}
		off += w;
		len -= w;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	free(buf);
	close(fd);
	return ret;
}

int vt_fill(const char *path, uint64_t off, uint64_t len, uint8_t byte)
{
	return dev_write(path, off, len, byte, NULL);
}

int vt_fill_seeded(const char *path, uint64_t off, uint64_t len,
		   uint64_t seed)
{
	return dev_write(path, off, len, 0, &seed);
}

/*
 * Read [@off, @off + @len) piecewise; for each piece compare with the
 * expected bytes: @byte, vt_seed_byte(*@seed, ...), or @snap.
 */
static int dev_compare(const char *path, uint64_t off, uint64_t len,
		       int byte, const uint64_t *seed, const uint8_t *snap,
		       uint64_t *bad)
{
	uint8_t *buf, *exp;
	uint64_t pos = off;
	int fd, ret = 0;

	fd = vt_open(path, O_RDONLY | O_DIRECT);
	if (fd < 0)
		return fd;
	buf = io_buf(VT_IO_CHUNK);
	exp = io_buf(VT_IO_CHUNK);
	if (!buf || !exp) {
		ret = -ENOMEM;
		goto out;
	}
	if (!seed && !snap)
		memset(exp, byte, VT_IO_CHUNK);
	while (pos < off + len) {
		uint64_t left = off + len - pos;
		size_t n = left < VT_IO_CHUNK ? left : VT_IO_CHUNK;
		const uint8_t *e = exp;
		ssize_t r;
		size_t i;

		r = pread(fd, buf, n, pos);
		if (r < 0) {
			ret = -errno;
			break;
		}
		if ((size_t)r != n) {
			ret = -EIO;
			break;
		}
		if (seed)
			gen_seeded(exp, pos, n, *seed);
		else if (snap)
			e = snap + (pos - off);
		if (memcmp(buf, e, n)) {
			for (i = 0; i < n && buf[i] == e[i]; i++)
				;
			if (bad)
				*bad = pos + i;
			ret = 1;
			break;
		}
		pos += n;
	}
out:
	free(buf);
	free(exp);
	close(fd);
	return ret;
}

int vt_write_bytes(const char *path, uint64_t off, const void *buf,
		   size_t len)
{
	uint64_t start = off & ~(uint64_t)(VT_ALIGN - 1);
	uint64_t end = (off + len + VT_ALIGN - 1) & ~(uint64_t)(VT_ALIGN - 1);
	size_t n = end - start;
	uint8_t *blk;
	int fd, ret = 0;

	fd = vt_open(path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return fd;
	blk = io_buf(n);
	if (!blk) {
		close(fd);
		return -ENOMEM;
	}
	if (pread(fd, blk, n, start) != (ssize_t)n)
		ret = errno ? -errno : -EIO;
	if (!ret) {
		memcpy(blk + (off - start), buf, len);
		if (pwrite(fd, blk, n, start) != (ssize_t)n)
			ret = errno ? -errno : -EIO;
		else if (fsync(fd))
			ret = -errno;
	}
	free(blk);
	close(fd);
	return ret;
}

int vt_check_fill(const char *path, uint64_t off, uint64_t len, uint8_t byte,
		  uint64_t *bad)
{
	return dev_compare(path, off, len, byte, NULL, NULL, bad);
}

int vt_check_seeded(const char *path, uint64_t off, uint64_t len,
		    uint64_t seed, uint64_t *bad)
{
	return dev_compare(path, off, len, 0, &seed, NULL, bad);
}

void *vt_snapshot(const char *path, uint64_t off, uint64_t len)
{
	uint8_t *snap;
	uint64_t done = 0;
	int fd, err = 0;

	fd = vt_open(path, O_RDONLY | O_DIRECT);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	snap = io_buf(len ? len : VT_ALIGN);
	if (!snap) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (done < len) {
		uint64_t left = len - done;
		size_t n = left < VT_IO_CHUNK ? left : VT_IO_CHUNK;
		ssize_t r = pread(fd, snap + done, n, off + done);

		if (r <= 0) {
			err = r < 0 ? errno : EIO;
			break;
		}
		done += r;
	}
	close(fd);
	if (err) {
		free(snap);
		errno = err;
		return NULL;
	}
	return snap;
}

int vt_compare_snapshot(const char *path, uint64_t off, uint64_t len,
			const void *snap, uint64_t *bad)
{
	return dev_compare(path, off, len, 0, NULL, snap, bad);
}
