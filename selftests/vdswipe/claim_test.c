// SPDX-License-Identifier: GPL-2.0
/*
 * Device ownership: an op claims its device exclusively from submit to its
 * end (nobody can mount it or open it O_EXCL meanwhile, and the claim is
 * gone as soon as the op has ended); a second vdswipe op on the same disk,
 * one of its partitions, or the whole disk of a partition fails with
 * EEXIST; a device that is mounted, has a mounted partition, or is held
 * exclusively (O_EXCL opener, device-mapper) fails with EBUSY.
 *
 * max_active=1 and a long op on a slow dm-delay device keep every other op
 * QUEUED, and so holding its claim, for as long as a test needs.
 * ram0 carries an MBR with two partitions: p1 = [1, 7) MiB, p2 = [8, 15) MiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"

#define MOD_PARAMS	"max_active=1 chunk_size=262144"
#define DEV_MIB		16
#define WRITE_DELAY_MS	500

/* ram0 gets two partitions, ram1 is plain, the slow device is over ram2. */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 3,
	.dev_mib = DEV_MIB,
	.max_part = 8,
	.slow_name = "vdswslow",
	.slow_disk = 2,
	.write_delay_ms = WRITE_DELAY_MS,
	.open_fds = true,
	.session = true,
};

FIXTURE(claim) {
	struct vt_rig rig;		/* rig.slowfd: the blocking device */
	int fdp1, fdp2;
	char p1[64], p2[64];
	char mnt[128];
	uint64_t blocker;		/* op id, 0 when not started */
};

FIXTURE_SETUP(claim)
{
	const unsigned int start[2] = { 1, 8 }, len[2] = { 6, 7 };

	self->fdp1 = self->fdp2 = -1;
	if (!vt_rig_module(_metadata, &self->rig, &rig_opts) ||
	    !vt_rig_disks(_metadata, &self->rig))
		return;
	ASSERT_EQ(0, vt_write_mbr(self->rig.ram[0], 2, start, len));
	vt_part_path(self->rig.ram[0], 1, self->p1, sizeof(self->p1));
	vt_part_path(self->rig.ram[0], 2, self->p2, sizeof(self->p2));
	if (!vt_rig_slow(_metadata, &self->rig))
		return;
	self->fdp1 = vt_open(self->p1, O_RDWR);
	ASSERT_LE(0, self->fdp1);
	self->fdp2 = vt_open(self->p2, O_RDWR);
	ASSERT_LE(0, self->fdp2);
}

FIXTURE_TEARDOWN(claim)
{
	vt_rig_close(&self->rig);
	if (self->mnt[0])
		vt_umount(self->mnt);
	if (self->fdp1 >= 0)
		close(self->fdp1);
	if (self->fdp2 >= 0)
		close(self->fdp2);
	vt_dm_remove("vdswlin");
	vt_rig_teardown(_metadata, &self->rig);
}

#define F_FORCE		VDSWIPE_CLEAN_FORCE
#define F_QUICK		VDSWIPE_CLEAN_FORCE
#define F_FULL		(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)

/* Occupy the only worker with a long op on the slow device. */
static int start_blocker(FIXTURE_DATA(claim) *self)
{
	struct vdswipe_status st;
	int ret = vt_submit(self->rig.s, self->rig.slowfd, F_FULL,
			    VDSWIPE_METHOD_ZERO, 0, 0, 0, &self->blocker, NULL);

	return ret ? ret : vt_wait_progress(self->rig.s, self->blocker, 0,
					    20000, &st);
}

/* Submit a quick clean of @fd that stays QUEUED behind the blocker. */
static int queued_op(FIXTURE_DATA(claim) *self, int s, int fd, uint64_t *id)
{
	struct vdswipe_status st;
	int ret = vt_submit(s, fd, F_QUICK, VDSWIPE_METHOD_ZERO, 0, 0, 0, id,
			    NULL);

	if (ret)
		return ret;
	ret = vt_query(s, *id, &st);
	if (ret)
		return ret;
	return st.state == VDSWIPE_STATE_QUEUED ? 0 : -EPROTO;
}

#define SUBMIT(fd)	vt_submit(self->rig.s, (fd), F_QUICK,		\
				  VDSWIPE_METHOD_ZERO, 0, 0, 0, NULL, NULL)

/* --------------------------------------------------------- EEXIST */

TEST_F(claim, eexist_same_device_same_session)
{
	uint64_t a;
	int fd;

	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->rig.fd[1], &a));
	ASSERT_EQ(-EEXIST, SUBMIT(self->rig.fd[1]));
	/* also through another descriptor of the same device */
	fd = vt_open(self->rig.ram[1], O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EEXIST, SUBMIT(fd));
	close(fd);
}

TEST_F(claim, eexist_same_device_other_session)
{
	int s2 = vt_session_open();
	uint64_t a;

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->rig.fd[1], &a));
	ASSERT_EQ(-EEXIST, vt_submit(s2, self->rig.fd[1], F_QUICK,
				     VDSWIPE_METHOD_ZERO, 0, 0, 0, NULL,
				     NULL));
	close(s2);
}

TEST_F(claim, eexist_running_op)
{
	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(-EEXIST, SUBMIT(self->rig.slowfd));
}

TEST_F(claim, eexist_partition_of_claimed_disk)
{
	uint64_t a;

	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->rig.fd[0], &a));
	ASSERT_EQ(-EEXIST, SUBMIT(self->fdp1));
}

TEST_F(claim, eexist_disk_of_claimed_partition)
{
	uint64_t a;

	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->fdp1, &a));
	ASSERT_EQ(-EEXIST, SUBMIT(self->rig.fd[0]));
}

TEST_F(claim, eexist_sibling_partition)
{
	uint64_t a;

	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->fdp1, &a));
	ASSERT_EQ(-EEXIST, SUBMIT(self->fdp2));
}

TEST_F(claim, eexist_gone_after_op_ends)
{
	uint64_t a, b;

	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->rig.fd[1], &a));
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->rig.fd[1], &b));
	ASSERT_EQ(0, vt_cancel(self->rig.s, b));
}

/* ---------------------------------------------------------- EBUSY */

TEST_F(claim, ebusy_mounted_device)
{
	int ret;

	ret = vt_mkfs_ext2(self->rig.ram[1]);
	if (ret == -ENOSYS)
		SKIP(return, "no mke2fs");
	ASSERT_EQ(0, ret);
	ret = vt_mount_ext2(self->rig.ram[1], "ram1", self->mnt,
			    sizeof(self->mnt));
	if (ret)
		SKIP(return, "cannot mount ext2 (%s)", strerror(-ret));
	ASSERT_EQ(-EBUSY, SUBMIT(self->rig.fd[1]));
	ASSERT_EQ(-EBUSY, vt_submit(self->rig.s, self->rig.fd[1], F_FULL |
				    VDSWIPE_CLEAN_RANGE, VDSWIPE_METHOD_ZERO,
				    0, 8 * VT_MIB, VT_MIB, NULL, NULL));
	/* the filesystem is fine */
	ASSERT_EQ(0, vt_umount(self->mnt));
	self->mnt[0] = '\0';
	ASSERT_EQ(0, vt_mount_ext2(self->rig.ram[1], "ram1", self->mnt,
				   sizeof(self->mnt)));
}

TEST_F(claim, ebusy_mounted_without_force)
{
	int ret;

	ret = vt_mkfs_ext2(self->rig.ram[1]);
	if (ret == -ENOSYS)
		SKIP(return, "no mke2fs");
	ASSERT_EQ(0, ret);
	ret = vt_mount_ext2(self->rig.ram[1], "ram1", self->mnt,
			    sizeof(self->mnt));
	if (ret)
		SKIP(return, "cannot mount ext2 (%s)", strerror(-ret));
	/* EBUSY is checked before ENOTEMPTY */
	ASSERT_EQ(-EBUSY, vt_submit(self->rig.s, self->rig.fd[1], 0,
				    VDSWIPE_METHOD_ZERO, 0, 0, 0, NULL, NULL));
}

TEST_F(claim, ebusy_disk_with_mounted_partition)
{
	int ret;

	ret = vt_mkfs_ext2(self->p1);
	if (ret == -ENOSYS)
		SKIP(return, "no mke2fs");
	ASSERT_EQ(0, ret);
	ret = vt_mount_ext2(self->p1, "p1", self->mnt, sizeof(self->mnt));
	if (ret)
		SKIP(return, "cannot mount ext2 (%s)", strerror(-ret));
	ASSERT_EQ(-EBUSY, SUBMIT(self->rig.fd[0]));
	ASSERT_EQ(-EBUSY, SUBMIT(self->fdp1));
}

TEST_F(claim, ebusy_o_excl_holder)
{
	int h = vt_open(self->rig.ram[1], O_RDONLY | O_EXCL);

	ASSERT_LE(0, h);
	ASSERT_EQ(-EBUSY, SUBMIT(self->rig.fd[1]));
	close(h);
	/* once the holder is gone the op is accepted */
	ASSERT_EQ(0, SUBMIT(self->rig.fd[1]));
}

TEST_F(claim, ebusy_disk_with_o_excl_partition)
{
	int h = vt_open(self->p2, O_RDONLY | O_EXCL);

	ASSERT_LE(0, h);
	ASSERT_EQ(-EBUSY, SUBMIT(self->rig.fd[0]));
	close(h);
}

TEST_F(claim, ebusy_device_mapper_holder)
{
	char table[128], path[64];
	int ret;

	snprintf(table, sizeof(table), "0 %llu linear %s 0",
		 (unsigned long long)(DEV_MIB * VT_MIB >> 9), self->rig.ram[1]);
	ret = vt_dm_create("vdswlin", table, path, sizeof(path));
	if (ret)
		SKIP(return, "no device-mapper (%s)", strerror(-ret));
	ASSERT_EQ(-EBUSY, SUBMIT(self->rig.fd[1]));
	ASSERT_EQ(0, vt_dm_remove("vdswlin"));
	ASSERT_EQ(0, SUBMIT(self->rig.fd[1]));
}

/* ------------------------------------------ the op holds its device */

TEST_F(claim, queued_op_blocks_o_excl)
{
	uint64_t a;

	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->rig.fd[1], &a));
	ASSERT_EQ(-EBUSY, vt_try_excl(self->rig.ram[1]));
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[1]));
}

TEST_F(claim, running_op_blocks_o_excl)
{
	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(-EBUSY, vt_try_excl(self->rig.slow));
	ASSERT_EQ(0, vt_cancel(self->rig.s, self->blocker));
	/* the op has ended: the claim is gone at once */
	ASSERT_EQ(0, vt_try_excl(self->rig.slow));
}

TEST_F(claim, queued_op_blocks_mount)
{
	uint64_t a;
	int ret;

	ret = vt_mkfs_ext2(self->rig.ram[1]);
	if (ret == -ENOSYS)
		SKIP(return, "no mke2fs");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->rig.fd[1], &a));
	ret = vt_mount_ext2(self->rig.ram[1], "ram1", self->mnt,
			    sizeof(self->mnt));
	ASSERT_EQ(-EBUSY, ret);
	if (!ret) {
		vt_umount(self->mnt);
		self->mnt[0] = '\0';
	}
	/* cancelled before it ran: the filesystem is intact and mountable */
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ASSERT_EQ(0, vt_mount_ext2(self->rig.ram[1], "ram1", self->mnt,
				   sizeof(self->mnt)));
}

TEST_F(claim, disk_op_blocks_partition_o_excl)
{
	uint64_t a;

	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, self->rig.s, self->rig.fd[0], &a));
	ASSERT_EQ(-EBUSY, vt_try_excl(self->p1));
	ASSERT_EQ(0, vt_cancel(self->rig.s, a));
	ASSERT_EQ(0, vt_try_excl(self->p1));
}

TEST_F(claim, claim_gone_after_done)
{
	struct vdswipe_status st;
	uint64_t a;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1], F_FULL |
			       VDSWIPE_CLEAN_RANGE, VDSWIPE_METHOD_ZERO, 0, 0,
			       VT_MIB, &a, NULL));
	ASSERT_EQ(0, vt_finish(self->rig.s, a, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	/* ended, not released: the device is free */
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[1]));
	ASSERT_EQ(0, SUBMIT(self->rig.fd[1]));
}

TEST_F(claim, claim_gone_after_close)
{
	int s2 = vt_session_open();
	uint64_t a;

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, queued_op(self, s2, self->rig.fd[1], &a));
	close(s2);
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[1]));
}

TEST_F(claim, no_claim_on_rejected_submit)
{
	/* a FORCE-less quick clean of the partitioned disk: ENOTEMPTY */
	ASSERT_EQ(-ENOTEMPTY, vt_submit(self->rig.s, self->rig.fd[0], 0,
					VDSWIPE_METHOD_ZERO, 0, 0, 0, NULL,
					NULL));
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[0]));
	ASSERT_EQ(0, vt_try_excl(self->p1));
}

TEST_F(claim, ebusy_fd_itself_o_excl)
{
	int fd = vt_open(self->rig.ram[1], O_RDWR | O_EXCL);

	ASSERT_LE(0, fd);
	ASSERT_EQ(-EBUSY, SUBMIT(fd));
	close(fd);
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[1]));
}

TEST_F(claim, enotempty_partitions_known_to_kernel)
{
	char p1[64];
	uint64_t id;
	struct vdswipe_status st;
	int fd;

	/* partitions without any table on the (zero) disk */
	ASSERT_EQ(0, vt_fill(self->rig.ram[1], 0, 4 * VT_MIB, 0));
	ASSERT_EQ(0, vt_blkpg_add(self->rig.ram[1], 1, VT_MIB, 2 * VT_MIB));
	ASSERT_EQ(-ENOTEMPTY, vt_submit(self->rig.s, self->rig.fd[1], 0,
					VDSWIPE_METHOD_ZERO, 0, 0, 0, NULL,
					NULL));
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[1]));
	/* the partition itself carries nothing: no FORCE needed */
	fd = vt_open(vt_part_path(self->rig.ram[1], 1, p1, sizeof(p1)), O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->rig.s, fd, 0, VDSWIPE_METHOD_ZERO, 0, 0, 0,
			       &id, NULL));
	ASSERT_EQ(0, vt_finish(self->rig.s, id, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	close(fd);
}

struct submitter {
	pthread_barrier_t *bar;
	int s, fd, ret;
	uint32_t flags;
	uint64_t id;
};

static void *submit_fn(void *p)
{
	struct submitter *su = p;

	pthread_barrier_wait(su->bar);
	su->ret = vt_submit(su->s, su->fd, su->flags, VDSWIPE_METHOD_ZERO, 0,
			    0, 0, &su->id, NULL);
	return NULL;
}

TEST_F_TIMEOUT(claim, concurrent_submits_one_disk_one_wins, 60)
{
	pthread_barrier_t bar;
	unsigned int i, wins[2] = { 0 };
	int s2 = vt_session_open();

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, start_blocker(self));
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (i = 0; i < 300; i++) {
		/* the disk and one of its partitions, from two sessions */
		struct submitter su[2] = {
			{ .bar = &bar, .s = self->rig.s, .fd = self->rig.fd[0],
			  .flags = F_QUICK },
			{ .bar = &bar, .s = s2, .fd = self->fdp2,
			  .flags = F_QUICK },
		};
		pthread_t th;
		int k;

		ASSERT_EQ(0, pthread_create(&th, NULL, submit_fn, &su[1]));
		submit_fn(&su[0]);
		pthread_join(th, NULL);
		ASSERT_TRUE((su[0].ret == 0 && su[1].ret == -EEXIST) ||
			    (su[0].ret == -EEXIST && su[1].ret == 0))
			TH_LOG("iteration %u: submits returned %d and %d", i,
			       su[0].ret, su[1].ret);
		for (k = 0; k < 2; k++) {
			if (su[k].ret)
				continue;
			wins[k]++;
			ASSERT_EQ(0, vt_cancel(su[k].s, su[k].id));
			ASSERT_EQ(0, vt_release(su[k].s, su[k].id));
		}
	}
	TH_LOG("disk won %u, partition won %u", wins[0], wins[1]);
	close(s2);
}

TEST_F_TIMEOUT(claim, concurrent_failing_submits_never_both_claim, 60)
{
	pthread_barrier_t bar;
	unsigned int i;

	/* without FORCE the partitioned disk is refused: ENOTEMPTY or EEXIST */
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (i = 0; i < 300; i++) {
		struct submitter su[2] = {
			{ .bar = &bar, .s = self->rig.s,
			  .fd = self->rig.fd[0] },
			{ .bar = &bar, .s = self->rig.s,
			  .fd = self->rig.fd[0] },
		};
		pthread_t th;

		ASSERT_EQ(0, pthread_create(&th, NULL, submit_fn, &su[1]));
		submit_fn(&su[0]);
		pthread_join(th, NULL);
		ASSERT_TRUE(su[0].ret == -ENOTEMPTY || su[0].ret == -EEXIST)
			TH_LOG("iteration %u: %d", i, su[0].ret);
		ASSERT_TRUE(su[1].ret == -ENOTEMPTY || su[1].ret == -EEXIST)
			TH_LOG("iteration %u: %d", i, su[1].ret);
		ASSERT_FALSE(su[0].ret == -EEXIST && su[1].ret == -EEXIST);
	}
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[0]));
}

/*
 * A submit that finds another one still trying to claim a held device must
 * not answer EEXIST (no op of ours owns it): it waits for that attempt to
 * settle, and EBUSY is the answer for both.
 */
TEST_F_TIMEOUT(claim, concurrent_submits_held_device_all_ebusy, 60)
{
	pthread_barrier_t bar;
	int h = vt_open(self->rig.ram[1], O_RDONLY | O_EXCL);
	int s2 = vt_session_open();
	unsigned int i;

	ASSERT_LE(0, h);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (i = 0; i < 500; i++) {
		struct submitter su[2] = {
			{ .bar = &bar, .s = self->rig.s, .fd = self->rig.fd[1],
			  .flags = F_QUICK },
			{ .bar = &bar, .s = s2, .fd = self->rig.fd[1],
			  .flags = F_FULL },
		};
		pthread_t th;

		ASSERT_EQ(0, pthread_create(&th, NULL, submit_fn, &su[1]));
		submit_fn(&su[0]);
		pthread_join(th, NULL);
		ASSERT_EQ(-EBUSY, su[0].ret) TH_LOG("iteration %u", i);
		ASSERT_EQ(-EBUSY, su[1].ret) TH_LOG("iteration %u", i);
	}
	close(s2);
	close(h);
	ASSERT_EQ(0, SUBMIT(self->rig.fd[1]));
}

/*
 * The disk's last op ending and a submit on one of its partitions race:
 * while the disk's claim is given back, the partition's submit waits for it
 * instead of failing to claim (EBUSY: "somebody else holds it").
 */
TEST_F_TIMEOUT(claim, disk_release_and_partition_submit_never_ebusy, 90)
{
	pthread_barrier_t bar;
	int s2 = vt_session_open();
	unsigned int i, both = 0;

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (i = 0; i < 300; i++) {
		struct submitter su[2] = {
			{ .bar = &bar, .s = self->rig.s, .fd = self->rig.fd[0],
			  .flags = F_QUICK },
			{ .bar = &bar, .s = s2, .fd = self->fdp1,
			  .flags = F_QUICK },
		};
		pthread_t th;
		int k;

		ASSERT_EQ(0, pthread_create(&th, NULL, submit_fn, &su[1]));
		submit_fn(&su[0]);
		pthread_join(th, NULL);
		ASSERT_TRUE(su[0].ret == 0 || su[0].ret == -EEXIST)
			TH_LOG("iteration %u: the disk's submit: %d", i,
			       su[0].ret);
		ASSERT_TRUE(su[1].ret == 0 || su[1].ret == -EEXIST)
			TH_LOG("iteration %u: the partition's submit: %d", i,
			       su[1].ret);
		both += !su[0].ret && !su[1].ret;
		for (k = 0; k < 2; k++) {
			if (su[k].ret)
				continue;
			ASSERT_EQ(0, vt_wait(su[k].s, su[k].id, VDSWIPE_WAIT_INFINITE));
			ASSERT_EQ(0, vt_release(su[k].s, su[k].id));
		}
	}
	TH_LOG("both accepted (one after the other ended) %u times", both);
	close(s2);
}

TEST_F(claim, claim_gone_when_record_is_read)
{
	struct vdswipe_event ev;
	uint64_t a;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1], F_FULL |
			       VDSWIPE_CLEAN_RANGE, VDSWIPE_METHOD_ZERO, 0, 0,
			       VT_MIB, &a, NULL));
	/* whoever sees the end can claim the device at once */
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(a, ev.op_id);
	ASSERT_EQ(0, vt_try_excl(self->rig.ram[1]));
}

TEST_HARNESS_MAIN
