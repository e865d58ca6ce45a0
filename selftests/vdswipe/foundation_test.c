// SPDX-License-Identifier: GPL-2.0
/*
 * The basics of /dev/vdswipe: the node, the version ioctl, unknown ioctls,
 * bad pointers, and loading and unloading the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/vdswipe.h>

#include "kselftest_harness.h"

#define DEV "/dev/vdswipe"

static int load_module(void)
{
	return system("modprobe vdswipe") == 0 ? 0 : -1;
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, load_module());
	self->fd = open(DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", DEV, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, node_is_root_only_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(10, major(st.st_rdev)); /* MISC_MAJOR */
}

TEST_F(dev, version_reports_abi)
{
	struct vdswipe_version ver;

	memset(&ver, 0xa5, sizeof(ver));
	ASSERT_EQ(0, ioctl(self->fd, VDSWIPE_IOC_VERSION, &ver));
	EXPECT_EQ(VDSWIPE_ABI_VERSION, ver.abi_version);
	EXPECT_EQ(0, ver.reserved);
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	struct vdswipe_version ver;

	EXPECT_EQ(-1, ioctl(self->fd, _IO(VDSWIPE_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* right number, wrong size or direction */
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(VDSWIPE_IOC_MAGIC, 0x00,
					   struct vdswipe_version), &ver));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(VDSWIPE_IOC_MAGIC, 0x00, __u64),
			    &ver));
	EXPECT_EQ(ENOTTY, errno);
	/* another driver's magic */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR('T', 0x00, struct vdswipe_version),
			    &ver));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, VDSWIPE_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VDSWIPE_IOC_VERSION, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST(load_unload_20_times)
{
	struct stat st;
	int i, fd;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, system("rmmod vdswipe 2>/dev/null; modprobe vdswipe"))
			TH_LOG("cycle %d", i);
		ASSERT_EQ(0, stat(DEV, &st)) TH_LOG("cycle %d", i);
		fd = open(DEV, O_RDWR);
		ASSERT_LE(0, fd);
		close(fd);
	}
	ASSERT_EQ(0, system("rmmod vdswipe"));
	EXPECT_NE(0, stat(DEV, &st));
	ASSERT_EQ(0, load_module());
}

/* Loading logs nothing (issue 9, defect 8): drivers stay silent. */
TEST(load_is_silent)
{
	FILE *f;
	char line[512];
	int n = 0;

	ASSERT_EQ(0, system("rmmod vdswipe 2>/dev/null; dmesg -c >/dev/null; modprobe vdswipe"));
	f = popen("dmesg", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "vdswipe")) {
			TH_LOG("logged: %s", line);
			n++;
		}
	pclose(f);
	ASSERT_EQ(0, n);
}

TEST(open_session_pins_module)
{
	int fd;

	ASSERT_EQ(0, load_module());
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_NE(0, system("rmmod vdswipe 2>/dev/null"));
	close(fd);
	EXPECT_EQ(0, system("rmmod vdswipe"));
	ASSERT_EQ(0, load_module());
}

TEST_HARNESS_MAIN
