// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters (vdswipe.rst, "Module parameters"): out-of-range values
 * make loading fail with EINVAL (one test per rejected value, loading with
 * finit_module() to see the errno); values at the edges of the ranges load,
 * are reported by VDSWIPE_IOC_VERSION and in sysfs (mode 0444), and work.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

static char ko_path[512];

static int find_ko(const char *path, const struct stat *sb, int type,
		   struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)sb;
	if (type == FTW_F && (!strcmp(base, "vdswipe.ko") ||
			      !strncmp(base, "vdswipe.ko.", 11))) {
		snprintf(ko_path, sizeof(ko_path), "%s", path);
		return 1;
	}
	return 0;
}

/* Load vdswipe.ko with @params through finit_module(): 0 or -errno. */
static int load_with(const char *params)
{
	int fd, ret;

	fd = vt_open(ko_path, O_RDONLY);
	if (fd < 0)
		return fd;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

FIXTURE(params) {
	int s;
};

FIXTURE_SETUP(params)
{
	struct utsname u;
	char dir[300];

	self->s = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_unload());
	ASSERT_EQ(0, uname(&u));
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	ko_path[0] = '\0';
	nftw(dir, find_ko, 16, FTW_PHYS);
	if (!ko_path[0])
		SKIP(return, "vdswipe.ko not found below %s", dir);
	if (strstr(ko_path, ".ko.")) {
		ko_path[0] = '\0';
		SKIP(return, "compressed module: finit_module() cannot show errno");
	}
}

FIXTURE_TEARDOWN(params)
{
	if (self->s >= 0)
		close(self->s);
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

#define REJECTED(name, p)						\
	TEST_F(params, name)						\
	{								\
		ASSERT_EQ(-EINVAL, load_with(p));			\
		ASSERT_FALSE(vt_module_loaded());			\
	}

REJECTED(einval_max_ops_zero, "max_ops=0")
REJECTED(einval_chunk_size_zero, "chunk_size=0")
REJECTED(einval_chunk_size_not_4k_multiple, "chunk_size=6144")
REJECTED(einval_chunk_size_below_4k, "chunk_size=512")
REJECTED(einval_queue_depth_zero, "queue_depth=0")
REJECTED(einval_max_active_513, "max_active=513")

/* The edges load; VERSION and sysfs report them; an op works with them. */
TEST_F(params, edge_values_load_and_work)
{
	static const char *const names[] = {
		"max_ops", "chunk_size", "queue_depth", "max_active",
	};
	struct vdswipe_version v;
	struct vdswipe_status st;
	char dev[64], path[128];
	uint64_t id, val;
	struct stat sb;
	int fd, i;

	ASSERT_EQ(0, load_with("max_ops=1 chunk_size=4096 queue_depth=1 "
			       "max_active=512"));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	ASSERT_EQ(0, vt_version(self->s, &v));
	ASSERT_EQ(1, v.max_ops);
	ASSERT_EQ(4096, v.chunk_size);
	ASSERT_EQ(1, v.queue_depth);
	ASSERT_EQ(512, v.max_active);
	ASSERT_EQ(0, v.reserved);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/sys/module/vdswipe/parameters/%s",
			 names[i]);
		ASSERT_EQ(0, stat(path, &sb)) TH_LOG("no %s", path);
		ASSERT_EQ(0444, sb.st_mode & 07777);
	}
	snprintf(path, sizeof(path), "/sys/module/vdswipe/parameters/%s",
		 "chunk_size");
	ASSERT_EQ(0, vt_read_u64(path, &val));
	ASSERT_EQ(4096, val);

	if (vt_brd_load(1, 8, 1))
		SKIP(return, "no brd");
	vt_brd_path(0, dev, sizeof(dev));
	ASSERT_EQ(0, vt_fill(dev, 0, 8 * VT_MIB, 0xA5));
	fd = vt_open(dev, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->s, fd, VDSWIPE_CLEAN_FULL |
			       VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE,
			       VDSWIPE_METHOD_ZERO, 0, 4096, 256 * VT_KIB, &id,
			       NULL));
	ASSERT_EQ(0, vt_finish(self->s, id, 30000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, vt_check_fill(dev, 4096, 256 * VT_KIB, 0, NULL));
	ASSERT_EQ(0, vt_check_fill(dev, 0, 4096, 0xA5, NULL));
	/* max_ops=1: the ended op still counts */
	ASSERT_EQ(-EAGAIN, vt_submit(self->s, fd, VDSWIPE_CLEAN_FORCE,
				     VDSWIPE_METHOD_ZERO, 0, 0, 0, NULL, NULL));
	close(fd);
}

TEST_F(params, defaults)
{
	struct vdswipe_version v;

	ASSERT_EQ(0, load_with(""));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	ASSERT_EQ(0, vt_version(self->s, &v));
	ASSERT_EQ(256, v.max_ops);
	ASSERT_EQ(1048576, v.chunk_size);
	ASSERT_EQ(4, v.queue_depth);
	ASSERT_EQ(0, v.max_active);
}

TEST_HARNESS_MAIN
