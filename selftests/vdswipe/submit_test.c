// SPDX-License-Identifier: GPL-2.0
/*
 * VDSWIPE_IOC_CLEAN argument validation: one test per rejected input, each
 * checking the errno of Documentation/userspace-api/vdswipe.rst and that
 * nothing was written and nothing kept the device claimed; plus the
 * documented check order where two checks could both fail.
 *
 * The device is a 16 MiB memory-backed null_blk with 4096-byte logical
 * blocks (so 512-byte alignment is not enough), filled with 0xA5.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define DEV_MIB		16
#define FILL		0xA5

FIXTURE(submit) {
	int s;			/* session */
	int fd;			/* the device, O_RDWR */
	char dev[64];
	uint64_t size;
	unsigned int lbs;
	void *snap;		/* whole device before the submit */
	bool ro;		/* BLKROSET was set: clear it in teardown */
};

static void dev_setup(struct __test_metadata *_metadata,
		      FIXTURE_DATA(submit) *self)
{
	struct vt_nullb_opts o = {
		.size_mib = DEV_MIB,
		.blocksize = 4096,
		.memory_backed = true,
	};

	self->s = self->fd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	if (!vt_nullb_available())
		SKIP(return, "null_blk (configfs) not available");
	ASSERT_EQ(0, vt_nullb_create("vdswsub", &o, self->dev,
				     sizeof(self->dev)));
	ASSERT_EQ(0, vt_fill(self->dev, 0, DEV_MIB * VT_MIB, FILL));
	self->fd = vt_open(self->dev, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vt_dev_size(self->fd, &self->size));
	ASSERT_EQ(DEV_MIB * VT_MIB, self->size);
	ASSERT_EQ(0, vt_dev_lbs(self->fd, &self->lbs));
	ASSERT_EQ(4096, self->lbs);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	self->snap = vt_snapshot(self->dev, 0, self->size);
	ASSERT_NE(NULL, self->snap);
}

static void dev_teardown(struct __test_metadata *_metadata,
			 FIXTURE_DATA(submit) *self)
{
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	free(self->snap);
	if (self->ro)
		vt_set_ro(self->dev, false);
	vt_nullb_destroy("vdswzoned");
	vt_nullb_destroy("vdswdisc");
	vt_nullb_destroy("vdswsub");
	unlink("/tmp/vdsw-regular-file");
	EXPECT_EQ(0, vt_module_unload());
}

FIXTURE_SETUP(submit)
{
	dev_setup(_metadata, self);
}

FIXTURE_TEARDOWN(submit)
{
	dev_teardown(_metadata, self);
}

/* Take a new reference snapshot after a test prepared the device. */
static int resnap(FIXTURE_DATA(submit) *self)
{
	free(self->snap);
	self->snap = vt_snapshot(self->dev, 0, self->size);
	return self->snap ? 0 : -errno;
}

/*
 * After a rejection: give a wrongly started op time to write, then check the
 * device still holds exactly its content and nobody holds it exclusively.
 */
#define ASSERT_UNTOUCHED() do {						\
	uint64_t _bad = 0;						\
	vt_sleep_ms(100);						\
	ASSERT_EQ(0, vt_compare_snapshot(self->dev, 0, self->size,	\
					 self->snap, &_bad))		\
		TH_LOG("rejected submit changed the device at %llu",	\
		       (unsigned long long)_bad);			\
	ASSERT_EQ(0, vt_try_excl(self->dev))				\
		TH_LOG("rejected submit left the device claimed");	\
} while (0)

/* A clean the module accepts: FULL|RANGE|FORCE over [1 MiB, 2 MiB). */
static void base(FIXTURE_DATA(submit) *self, struct vdswipe_clean *c)
{
	vt_clean_init(c, self->fd, VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_RANGE |
		      VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO);
	c->offset = VT_MIB;
	c->length = VT_MIB;
}

/* Submit @c expecting rejection with @err, then check nothing happened. */
#define EXPECT_REJECT(c, err) do {					\
	ASSERT_EQ(-(err), vt_clean(self->s, (c)));			\
	ASSERT_UNTOUCHED();						\
} while (0)

/* Wait for an accepted op and check it ended DONE with everything written. */
#define ASSERT_DONE(id, total) do {					\
	struct vdswipe_status _st;					\
	ASSERT_EQ(0, vt_finish(self->s, (id), 20000, &_st));		\
	ASSERT_EQ(VDSWIPE_STATE_DONE, _st.state)			\
		TH_LOG("state %s result %d", vt_state_name(_st.state),	\
		       _st.result);					\
	ASSERT_EQ(0, _st.result);					\
	ASSERT_EQ(100, _st.percent);					\
	ASSERT_EQ((total), _st.bytes_total);				\
	ASSERT_EQ((total), _st.bytes_done);				\
} while (0)

/* An unbound loop device (size 0) open for writing; SKIPs without one. */
static int open_empty_loop(struct __test_metadata *_metadata)
{
	char path[64];
	uint64_t size = 1;
	int ctl, n, fd;

	vt_run("modprobe loop");
	ctl = vt_open("/dev/loop-control", O_RDWR);
	if (ctl < 0)
		SKIP(return -1, "no loop driver (%s)", strerror(-ctl));
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		SKIP(return -1, "no free loop device");
	snprintf(path, sizeof(path), "/dev/loop%d", n);
	if (vt_wait_node(path, 3000))
		SKIP(return -1, "no node %s", path);
	fd = vt_open(path, O_RDWR);
	if (fd < 0)
		SKIP(return -1, "cannot open an unbound loop device (%s)",
		     strerror(-fd));
	if (vt_dev_size(fd, &size) || size) {
		close(fd);
		SKIP(return -1, "loop device is not empty");
	}
	return fd;
}

/* ------------------------------------------------------ accepted inputs */

TEST_F(submit, base_clean_accepted)
{
	struct vdswipe_clean c;
	uint64_t bad = 0;

	base(self, &c);
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_NE(0, c.op_id);
	ASSERT_EQ(VT_MIB, c.bytes_total);
	ASSERT_DONE(c.op_id, VT_MIB);
	ASSERT_EQ(0, vt_check_fill(self->dev, VT_MIB, VT_MIB, 0, &bad));
	ASSERT_EQ(0, vt_check_fill(self->dev, 0, VT_MIB, FILL, &bad));
	ASSERT_EQ(0, vt_check_fill(self->dev, 2 * VT_MIB,
				   self->size - 2 * VT_MIB, FILL, &bad));
}

TEST_F(submit, out_fields_ignored_on_input)
{
	struct vdswipe_clean c;

	base(self, &c);
	c.op_id = 0xdeadbeefdeadbeefULL;
	c.bytes_total = ~0ULL;
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_NE(0xdeadbeefdeadbeefULL, c.op_id);
	ASSERT_NE(0, c.op_id);
	ASSERT_EQ(VT_MIB, c.bytes_total);
	ASSERT_DONE(c.op_id, VT_MIB);
}

TEST_F(submit, wronly_fd_accepted)
{
	struct vdswipe_clean c;
	int fd = vt_open(self->dev, O_WRONLY);

	ASSERT_LE(0, fd);
	base(self, &c);
	c.fd = fd;
	ASSERT_EQ(0, vt_clean(self->s, &c));
	close(fd);	/* the op holds its own reference */
	ASSERT_DONE(c.op_id, VT_MIB);
	ASSERT_EQ(0, vt_check_fill(self->dev, VT_MIB, VT_MIB, 0, NULL));
}

TEST_F(submit, no_force_on_pattern_device_accepted)
{
	struct vdswipe_clean c;

	/* 0xA5 everywhere is neither a partition table nor a filesystem */
	base(self, &c);
	c.flags &= ~VDSWIPE_CLEAN_FORCE;
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_DONE(c.op_id, VT_MIB);
}

TEST_F(submit, no_force_on_blank_device_accepted)
{
	struct vdswipe_clean c;

	ASSERT_EQ(0, vt_fill(self->dev, 0, self->size, 0));
	vt_clean_init(&c, self->fd, 0, VDSWIPE_METHOD_ZERO);
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_EQ(2 * VT_MIB, c.bytes_total);
	ASSERT_DONE(c.op_id, 2 * VT_MIB);
}

/* -------------------------------------------------------------- EINVAL */

/*
 * One rejected input each: a clean that base() would build (FULL|RANGE|
 * FORCE, ZERO, [1 MiB, 2 MiB)) with one field wrong, or a clean without
 * RANGE that still sets a range field. The whole clean is given; offset and
 * length can count from the device's size.
 */
FIXTURE(submit_einval) {
	FIXTURE_DATA(submit) dev;
};

FIXTURE_VARIANT(submit_einval) {
	uint32_t flags;
	uint32_t method;
	uint32_t pattern;
	uint64_t offset;
	uint64_t length;
	bool offset_from_end;	/* offset += the device's size */
	bool length_plus_size;	/* length += the device's size */
	uint64_t reserved0;
	uint64_t reserved1;
};

#define F_BASE	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_RANGE | VDSWIPE_CLEAN_FORCE)
#define M_ZERO	VDSWIPE_METHOD_ZERO

FIXTURE_VARIANT_ADD(submit_einval, unknown_flag_bit4) {
	.flags = F_BASE | 1U << 4, .method = M_ZERO,
	.offset = VT_MIB, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, unknown_flag_bit31) {
	.flags = F_BASE | 1U << 31, .method = M_ZERO,
	.offset = VT_MIB, .length = VT_MIB,
};

/* the first unknown method */
FIXTURE_VARIANT_ADD(submit_einval, unknown_method) {
	.flags = F_BASE, .method = VDSWIPE_METHOD_RANDOM + 1,
	.offset = VT_MIB, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, method_all_ones) {
	.flags = F_BASE, .method = ~0U,
	.offset = VT_MIB, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, reserved0) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = VT_MIB, .length = VT_MIB,
	.reserved0 = 1,
};

FIXTURE_VARIANT_ADD(submit_einval, reserved1) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = VT_MIB, .length = VT_MIB,
	.reserved1 = 1ULL << 63,
};

FIXTURE_VARIANT_ADD(submit_einval, pattern_above_byte) {
	.flags = F_BASE, .method = VDSWIPE_METHOD_PATTERN, .pattern = 0x1A5,
	.offset = VT_MIB, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, pattern_with_zero_method) {
	.flags = F_BASE, .method = M_ZERO, .pattern = 0x5A,
	.offset = VT_MIB, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, pattern_with_discard_method) {
	.flags = F_BASE, .method = VDSWIPE_METHOD_DISCARD, .pattern = 0x01,
	.offset = VT_MIB, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, secure_without_discard) {
	.flags = F_BASE | VDSWIPE_CLEAN_SECURE, .method = M_ZERO,
	.offset = VT_MIB, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, offset_without_range) {
	.flags = VDSWIPE_CLEAN_FORCE, .method = M_ZERO,
	.offset = VT_MIB, .length = 0,
};

FIXTURE_VARIANT_ADD(submit_einval, length_without_range) {
	.flags = VDSWIPE_CLEAN_FORCE, .method = M_ZERO,
	.offset = 0, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, range_zero_length) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = VT_MIB, .length = 0,
};

/* sector- but not block-aligned */
FIXTURE_VARIANT_ADD(submit_einval, range_offset_unaligned) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = VT_MIB + 512, .length = VT_MIB,
};

FIXTURE_VARIANT_ADD(submit_einval, range_length_unaligned) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = VT_MIB, .length = VT_MIB + 512,
};

/* aligned; offset + length wraps */
FIXTURE_VARIANT_ADD(submit_einval, range_overflow) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = ~0ULL - 4095, .length = 8192,
};

/* offset + length wraps around to exactly 1 MiB: "inside" if unchecked */
FIXTURE_VARIANT_ADD(submit_einval, range_overflow_to_inside) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = 2 * VT_MIB, .length = (uint64_t)0 - VT_MIB,
};

/* [size - 4096, size + 4096) */
FIXTURE_VARIANT_ADD(submit_einval, range_past_end) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = (uint64_t)0 - 4096, .offset_from_end = true, .length = 8192,
};

FIXTURE_VARIANT_ADD(submit_einval, range_offset_at_end) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = 0, .offset_from_end = true, .length = 4096,
};

FIXTURE_VARIANT_ADD(submit_einval, range_longer_than_device) {
	.flags = F_BASE, .method = M_ZERO,
	.offset = 0, .length = 4096, .length_plus_size = true,
};

FIXTURE_SETUP(submit_einval)
{
	dev_setup(_metadata, &self->dev);
}

FIXTURE_TEARDOWN(submit_einval)
{
	dev_teardown(_metadata, &self->dev);
}

/* Build the variant's clean on @self's device and expect EINVAL. */
static void expect_einval(struct __test_metadata *_metadata,
			  FIXTURE_DATA(submit) *self,
			  const FIXTURE_VARIANT(submit_einval) *v)
{
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, v->flags, v->method);
	c.pattern = v->pattern;
	c.offset = v->offset + (v->offset_from_end ? self->size : 0);
	c.length = v->length + (v->length_plus_size ? self->size : 0);
	c.reserved[0] = v->reserved0;
	c.reserved[1] = v->reserved1;
	EXPECT_REJECT(&c, EINVAL);
}

TEST_F(submit_einval, rejected)
{
	expect_einval(_metadata, &self->dev, variant);
}

TEST_F(submit, range_exactly_to_end_accepted)
{
	struct vdswipe_clean c;

	base(self, &c);
	c.offset = self->size - 8192;
	c.length = 8192;
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_DONE(c.op_id, 8192);
	ASSERT_EQ(0, vt_check_fill(self->dev, self->size - 8192, 8192, 0,
				   NULL));
	ASSERT_EQ(0, vt_check_fill(self->dev, 0, self->size - 8192, FILL,
				   NULL));
}

/* -------------------------------------------------------------- EFAULT */

TEST_F(submit, efault_null_arg)
{
	ASSERT_EQ(-1, ioctl(self->s, VDSWIPE_IOC_CLEAN, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_UNTOUCHED();
}

TEST_F(submit, efault_unmapped_arg)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-1, ioctl(self->s, VDSWIPE_IOC_CLEAN, p));
	ASSERT_EQ(EFAULT, errno);
	munmap(p, 4096);
	ASSERT_UNTOUCHED();
}

TEST_F(submit, efault_arg_straddles_unmapped_page)
{
	struct vdswipe_clean c, *pc;
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + 4096, 4096));
	base(self, &c);
	/* the first 24 bytes (fd..offset) are mapped, the rest is not */
	pc = (struct vdswipe_clean *)(p + 4096 - 24);
	memcpy(pc, &c, 24);
	ASSERT_EQ(-1, ioctl(self->s, VDSWIPE_IOC_CLEAN, pc));
	ASSERT_EQ(EFAULT, errno);
	munmap(p, 4096);
	ASSERT_UNTOUCHED();
}

TEST_F(submit, efault_readonly_arg)
{
	struct vdswipe_clean *pc;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	/* a valid request the module can read but cannot answer into */
	ASSERT_NE(MAP_FAILED, p);
	pc = p;
	base(self, pc);
	ASSERT_EQ(0, mprotect(p, 4096, PROT_READ));
	ASSERT_EQ(-1, ioctl(self->s, VDSWIPE_IOC_CLEAN, pc));
	ASSERT_EQ(EFAULT, errno);
	munmap(p, 4096);
	ASSERT_UNTOUCHED();
}

/* ----------------------------------------------------- the fd argument */

TEST_F(submit, ebadf_negative_fd)
{
	struct vdswipe_clean c;

	base(self, &c);
	c.fd = -1;
	EXPECT_REJECT(&c, EBADF);
}

TEST_F(submit, ebadf_closed_fd)
{
	struct vdswipe_clean c;
	int fd = dup(self->fd);

	ASSERT_LE(0, fd);
	close(fd);
	base(self, &c);
	c.fd = fd;
	EXPECT_REJECT(&c, EBADF);
}

TEST_F(submit, ebadf_o_path_fd)
{
	struct vdswipe_clean c;
	int fd = vt_open(self->dev, O_PATH);

	ASSERT_LE(0, fd);
	base(self, &c);
	c.fd = fd;
	EXPECT_REJECT(&c, EBADF);
	close(fd);
}

TEST_F(submit, enotblk_char_device)
{
	struct vdswipe_clean c;
	int fd = vt_open("/dev/null", O_RDWR);

	ASSERT_LE(0, fd);
	base(self, &c);
	c.fd = fd;
	EXPECT_REJECT(&c, ENOTBLK);
	close(fd);
}

TEST_F(submit, enotblk_regular_file)
{
	struct vdswipe_clean c;
	int fd = vt_open("/tmp/vdsw-regular-file", O_RDWR | O_CREAT);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 16 * VT_MIB));
	base(self, &c);
	c.fd = fd;
	EXPECT_REJECT(&c, ENOTBLK);
	close(fd);
}

TEST_F(submit, enotblk_session_fd)
{
	struct vdswipe_clean c;

	base(self, &c);
	c.fd = self->s;
	EXPECT_REJECT(&c, ENOTBLK);
}

TEST_F(submit, eacces_rdonly_fd)
{
	struct vdswipe_clean c;
	int fd = vt_open(self->dev, O_RDONLY);

	ASSERT_LE(0, fd);
	base(self, &c);
	c.fd = fd;
	EXPECT_REJECT(&c, EACCES);
	close(fd);
}

TEST_F(submit, enomedium_empty_loop)
{
	struct vdswipe_clean c;
	int fd = open_empty_loop(_metadata);

	if (fd < 0)
		return;
	vt_clean_init(&c, fd, VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO);
	EXPECT_REJECT(&c, ENOMEDIUM);
	close(fd);
}

TEST_F(submit, emediumtype_zoned_device)
{
	struct vt_nullb_opts o = {
		.size_mib = 16, .zoned = true, .zone_size_mib = 4,
	};
	struct vdswipe_clean c;
	char path[64];
	int fd, ret;

	ret = vt_nullb_create("vdswzoned", &o, path, sizeof(path));
	if (ret)
		SKIP(return, "no zoned null_blk (%s)", strerror(-ret));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	vt_clean_init(&c, fd, VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO);
	ASSERT_EQ(-EMEDIUMTYPE, vt_clean(self->s, &c));
	/* and it is not claimed afterwards */
	ASSERT_EQ(0, vt_try_excl(path));
	close(fd);
	ASSERT_UNTOUCHED();
}

TEST_F(submit, erofs_blkroset)
{
	struct vdswipe_clean c;

	ASSERT_EQ(0, vt_set_ro(self->dev, true));
	self->ro = true;
	base(self, &c);
	EXPECT_REJECT(&c, EROFS);
}

TEST_F(submit, erofs_blkroset_fd_opened_after)
{
	struct vdswipe_clean c;
	int fd;

	ASSERT_EQ(0, vt_set_ro(self->dev, true));
	self->ro = true;
	fd = vt_open(self->dev, O_RDWR);
	if (fd < 0)
		SKIP(return, "kernel refuses O_RDWR on a read-only disk");
	base(self, &c);
	c.fd = fd;
	EXPECT_REJECT(&c, EROFS);
	close(fd);
}

TEST_F(submit, eopnotsupp_discard_without_discard_support)
{
	struct vdswipe_clean c;

	vt_clean_init(&c, self->fd, VDSWIPE_CLEAN_FORCE,
		      VDSWIPE_METHOD_DISCARD);
	EXPECT_REJECT(&c, EOPNOTSUPP);
}

TEST_F(submit, eopnotsupp_secure_without_secure_erase)
{
	struct vt_nullb_opts o = {
		.size_mib = 8, .memory_backed = true, .discard = true,
	};
	struct vdswipe_clean c;
	char path[64];
	int fd, ret;

	ret = vt_nullb_create("vdswdisc", &o, path, sizeof(path));
	if (ret)
		SKIP(return, "no discard null_blk (%s)", strerror(-ret));
	ASSERT_EQ(0, vt_fill(path, 0, 8 * VT_MIB, 0x5A));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	vt_clean_init(&c, fd, VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_SECURE,
		      VDSWIPE_METHOD_DISCARD);
	ASSERT_EQ(-EOPNOTSUPP, vt_clean(self->s, &c));
	vt_sleep_ms(100);
	ASSERT_EQ(0, vt_check_fill(path, 0, 8 * VT_MIB, 0x5A, NULL));
	ASSERT_EQ(0, vt_try_excl(path));
	/* the same without SECURE is fine (FULL: the whole device) */
	c.flags &= ~VDSWIPE_CLEAN_SECURE;
	c.flags |= VDSWIPE_CLEAN_FULL;
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_DONE(c.op_id, 8 * VT_MIB);
	close(fd);
}

/* ----------------------------------------------------------- ENOTEMPTY */

TEST_F(submit, enotempty_partition_table)
{
	const unsigned int start = 1, len = 8;
	struct vdswipe_clean c;

	ASSERT_EQ(0, vt_write_mbr(self->dev, 1, &start, &len));
	ASSERT_EQ(0, resnap(self));
	vt_clean_init(&c, self->fd, 0, VDSWIPE_METHOD_ZERO);
	EXPECT_REJECT(&c, ENOTEMPTY);
}

TEST_F(submit, enotempty_filesystem)
{
	struct vdswipe_clean c;
	int ret = vt_mkfs_ext2(self->dev);

	if (ret == -ENOSYS)
		SKIP(return, "no mke2fs");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, resnap(self));
	vt_clean_init(&c, self->fd, VDSWIPE_CLEAN_FULL, VDSWIPE_METHOD_ZERO);
	EXPECT_REJECT(&c, ENOTEMPTY);
}

TEST_F(submit, enotempty_filesystem_range_elsewhere)
{
	struct vdswipe_clean c;
	int ret = vt_mkfs_ext2(self->dev);

	if (ret == -ENOSYS)
		SKIP(return, "no mke2fs");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, resnap(self));
	/* a range away from the superblock still needs FORCE */
	vt_clean_init(&c, self->fd, VDSWIPE_CLEAN_RANGE | VDSWIPE_CLEAN_FULL,
		      VDSWIPE_METHOD_ZERO);
	c.offset = self->size - VT_MIB;
	c.length = VT_MIB;
	EXPECT_REJECT(&c, ENOTEMPTY);
}

TEST_F(submit, enotempty_dirty_signature_in_page_cache)
{
	const uint8_t magic[2] = { 0x53, 0xEF };
	struct vdswipe_clean c;
	uint8_t got[2] = { 0 };
	int fd = vt_open(self->dev, O_RDWR);

	/* a buffered, not yet written back ext2 magic: the check must see it */
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, pwrite(fd, magic, 2, 1080));
	vt_clean_init(&c, self->fd, 0, VDSWIPE_METHOD_ZERO);
	ASSERT_EQ(-ENOTEMPTY, vt_clean(self->s, &c));
	ASSERT_EQ(2, pread(fd, got, 2, 1080));
	ASSERT_EQ(0, memcmp(magic, got, 2));
	close(fd);
}

TEST_F(submit, force_overrides_partition_table)
{
	const unsigned int start = 1, len = 8;
	struct vdswipe_clean c;

	ASSERT_EQ(0, vt_write_mbr(self->dev, 1, &start, &len));
	vt_clean_init(&c, self->fd, VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO);
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_DONE(c.op_id, 2 * VT_MIB);
	ASSERT_EQ(0, vt_check_fill(self->dev, 0, VT_MIB, 0, NULL));
}

TEST_F(submit, force_overrides_filesystem)
{
	struct vdswipe_clean c;
	int ret = vt_mkfs_ext2(self->dev);

	if (ret == -ENOSYS)
		SKIP(return, "no mke2fs");
	ASSERT_EQ(0, ret);
	vt_clean_init(&c, self->fd, VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO);
	ASSERT_EQ(0, vt_clean(self->s, &c));
	ASSERT_DONE(c.op_id, 2 * VT_MIB);
	ASSERT_EQ(0, vt_check_fill(self->dev, 0, VT_MIB, 0, NULL));
	ASSERT_EQ(0, vt_check_fill(self->dev, self->size - VT_MIB, VT_MIB, 0,
				   NULL));
}

/* --------------------------------------------------------- check order */

TEST_F(submit, order_einval_before_ebadf)
{
	struct vdswipe_clean c;

	base(self, &c);
	c.fd = -1;
	c.flags |= 1U << 4;
	EXPECT_REJECT(&c, EINVAL);
}

TEST_F(submit, order_eacces_before_range_einval)
{
	struct vdswipe_clean c;
	int fd = vt_open(self->dev, O_RDONLY);

	/* a range is checked against the device only once the fd passed */
	ASSERT_LE(0, fd);
	base(self, &c);
	c.fd = fd;
	c.offset = self->size;
	EXPECT_REJECT(&c, EACCES);
	close(fd);
}

TEST_F(submit, order_enomedium_before_range_einval)
{
	struct vdswipe_clean c;
	int fd = open_empty_loop(_metadata);

	if (fd < 0)
		return;
	vt_clean_init(&c, fd, VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE,
		      VDSWIPE_METHOD_ZERO);
	c.length = 4096;
	EXPECT_REJECT(&c, ENOMEDIUM);
	close(fd);
}

TEST_F(submit, order_range_einval_before_emediumtype)
{
	struct vt_nullb_opts o = {
		.size_mib = 16, .zoned = true, .zone_size_mib = 4,
	};
	struct vdswipe_clean c;
	char path[64];
	int fd, ret;

	ret = vt_nullb_create("vdswzoned", &o, path, sizeof(path));
	if (ret)
		SKIP(return, "no zoned null_blk (%s)", strerror(-ret));
	fd = vt_open(path, O_RDWR);
	ASSERT_LE(0, fd);
	vt_clean_init(&c, fd, VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE,
		      VDSWIPE_METHOD_ZERO);
	c.offset = 100;		/* not a multiple of 512 */
	c.length = 4096;
	ASSERT_EQ(-EINVAL, vt_clean(self->s, &c));
	close(fd);
}

TEST_F(submit, order_range_einval_before_erofs)
{
	struct vdswipe_clean c;

	ASSERT_EQ(0, vt_set_ro(self->dev, true));
	self->ro = true;
	base(self, &c);
	c.length = self->size;	/* from 1 MiB: past the end */
	EXPECT_REJECT(&c, EINVAL);
}

TEST_F(submit, order_enotblk_before_eacces)
{
	struct vdswipe_clean c;
	int fd = vt_open("/dev/null", O_RDONLY);

	ASSERT_LE(0, fd);
	base(self, &c);
	c.fd = fd;
	EXPECT_REJECT(&c, ENOTBLK);
	close(fd);
}

TEST_F(submit, order_eacces_before_erofs)
{
	struct vdswipe_clean c;
	int fd = vt_open(self->dev, O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_set_ro(self->dev, true));
	self->ro = true;
	base(self, &c);
	c.fd = fd;
	EXPECT_REJECT(&c, EACCES);
	close(fd);
}

TEST_F(submit, order_erofs_before_eopnotsupp)
{
	struct vdswipe_clean c;

	ASSERT_EQ(0, vt_set_ro(self->dev, true));
	self->ro = true;
	vt_clean_init(&c, self->fd, VDSWIPE_CLEAN_FORCE,
		      VDSWIPE_METHOD_DISCARD);
	EXPECT_REJECT(&c, EROFS);
}

TEST_F(submit, order_erofs_before_enotempty)
{
	const unsigned int start = 1, len = 8;
	struct vdswipe_clean c;

	ASSERT_EQ(0, vt_write_mbr(self->dev, 1, &start, &len));
	ASSERT_EQ(0, resnap(self));
	ASSERT_EQ(0, vt_set_ro(self->dev, true));
	self->ro = true;
	vt_clean_init(&c, self->fd, 0, VDSWIPE_METHOD_ZERO);
	EXPECT_REJECT(&c, EROFS);
}

TEST_F(submit, order_eopnotsupp_before_enotempty)
{
	const unsigned int start = 1, len = 8;
	struct vdswipe_clean c;

	ASSERT_EQ(0, vt_write_mbr(self->dev, 1, &start, &len));
	ASSERT_EQ(0, resnap(self));
	vt_clean_init(&c, self->fd, 0, VDSWIPE_METHOD_DISCARD);
	EXPECT_REJECT(&c, EOPNOTSUPP);
}

TEST_HARNESS_MAIN
