// SPDX-License-Identifier: GPL-2.0
/*
 * Privilege is the opener's (issue 9): CLEAN, CANCEL, CANCEL_ALL and RELEASE
 * need CAP_SYS_ADMIN in the credentials the session was opened with. A
 * session opened with it keeps its rights in a process that dropped the
 * capability (capset(), still uid 0, or setresuid(65534)); a session opened
 * without it gets EPERM for those four even when a privileged process uses
 * it. VERSION, QUERY, WAIT, poll() and read() need nothing. Closing cancels
 * whoever closes last.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		16
#define WRITE_DELAY_MS	500
#define FILL		0xA5

FIXTURE(priv) {
	int s, us;
	int fd0, slowfd;
	char ram0[64], slow[64];
};

FIXTURE_VARIANT(priv) {
	enum vt_drop how;
};

FIXTURE_VARIANT_ADD(priv, capset) {
	.how = VT_DROP_CAPSET,
};

FIXTURE_VARIANT_ADD(priv, setuid_nobody) {
	.how = VT_DROP_SETUID,
};

FIXTURE_SETUP(priv)
{
	char ram1[64];
	int ret;

	self->s = self->us = self->fd0 = self->slowfd = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(2, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	vt_brd_path(1, ram1, sizeof(ram1));
	ASSERT_EQ(0, vt_fill(self->ram0, 0, DEV_MIB * VT_MIB, FILL));
	self->fd0 = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, self->fd0);
	if (!vt_delay_create("vdswslow", ram1, WRITE_DELAY_MS, self->slow,
			     sizeof(self->slow)))
		self->slowfd = vt_open(self->slow, O_RDWR);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

FIXTURE_TEARDOWN(priv)
{
	if (self->us >= 0)
		close(self->us);
	if (self->s >= 0)
		close(self->s);
	if (self->fd0 >= 0)
		close(self->fd0);
	if (self->slowfd >= 0)
		close(self->slowfd);
	vt_dm_remove("vdswslow");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

#define F_CLEAN	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE)

/* What the unprivileged child works on. */
struct job {
	int s, fd;
	uint64_t id;
	uint32_t flags;
};

static int do_clean(void *p)
{
	struct job *j = p;

	return vt_submit(j->s, j->fd, j->flags, VDSWIPE_METHOD_ZERO, 0, 0,
			 VT_MIB, NULL, NULL);
}

static int do_cancel(void *p)
{
	struct job *j = p;

	return vt_cancel(j->s, j->id);
}

static int do_release(void *p)
{
	struct job *j = p;

	return vt_release(j->s, j->id);
}

static int do_version(void *p)
{
	struct job *j = p;
	struct vdswipe_version v;

	return vt_version(j->s, &v);
}

static int do_query(void *p)
{
	struct job *j = p;
	struct vdswipe_status st;
	int ret = vt_query(j->s, j->id, &st);

	if (ret)
		return ret;
	return st.state == VDSWIPE_STATE_DONE ? 0 : -EPROTO;
}

static int do_wait(void *p)
{
	struct job *j = p;

	return vt_wait(j->s, j->id, VDSWIPE_WAIT_INFINITE);
}

static int do_poll_read(void *p)
{
	struct job *j = p;
	struct pollfd pfd = { .fd = j->s, .events = POLLIN };
	struct vdswipe_event ev;

	if (poll(&pfd, 1, 5000) != 1 || !(pfd.revents & POLLIN))
		return -EPROTO;
	if (read(j->s, &ev, sizeof(ev)) != sizeof(ev))
		return -errno ? -errno : -EIO;
	return ev.op_id == j->id ? 0 : -EPROTO;
}

/* A running op on the slow device. */
static int running_op(FIXTURE_DATA(priv) *self, uint64_t *id)
{
	struct vdswipe_status st;
	int ret = vt_submit(self->s, self->slowfd, VDSWIPE_CLEAN_FULL |
			    VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO, 0, 0, 0,
			    id, NULL);

	return ret ? ret : vt_wait_progress(self->s, *id, 0, 20000, &st);
}

static int done_op(FIXTURE_DATA(priv) *self, uint64_t *id)
{
	int ret = vt_submit(self->s, self->fd0, F_CLEAN, VDSWIPE_METHOD_ZERO,
			    0, 0, 64 * VT_KIB, id, NULL);

	return ret ? ret : vt_wait(self->s, *id, VDSWIPE_WAIT_INFINITE);
}

#define NEED_SLOW() do {						\
	if (self->slowfd < 0)						\
		SKIP(return, "no dm-delay: no long-running op");	\
} while (0)

#define ASSERT_STILL_RUNNING(id) do {					\
	struct vdswipe_status _st;					\
	ASSERT_EQ(0, vt_query(self->s, (id), &_st));			\
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, _st.state)			\
		TH_LOG("op is %s", vt_state_name(_st.state));		\
} while (0)

/* The child end of open_unprivileged(): open the node, send the fd back. */
static int do_open_send(void *p)
{
	int sock = *(int *)p;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'S';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int fd = vt_session_open();

	if (fd < 0)
		return fd;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

/*
 * A session opened by a child without CAP_SYS_ADMIN (the node is made
 * world-writable meanwhile, so that uid 65534 may open it), passed to us
 * over a unix socket. fd or -errno.
 */
static int open_unprivileged(enum vt_drop how)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int sv[2], ret, fd = -EPROTO;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	chmod(VT_DEV_NODE, 0666);
	ret = vt_run_dropped(how, do_open_send, &sv[1]);
	chmod(VT_DEV_NODE, 0600);
	if (!ret && recvmsg(sv[0], &msg, MSG_DONTWAIT) == 1) {
		cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	} else if (ret) {
		fd = ret;
	}
	close(sv[0]);
	close(sv[1]);
	return fd;
}

#define OPEN_UNPRIVILEGED() do {					\
	self->us = open_unprivileged(variant->how);			\
	ASSERT_LE(0, self->us) TH_LOG("open: %s", strerror(-self->us));	\
} while (0)

/* A session opened with privilege keeps its rights after the drop. */
TEST_F(priv, clean_after_drop)
{
	struct job j = { .s = self->s, .fd = self->fd0, .flags = F_CLEAN };

	ASSERT_EQ(0, vt_run_dropped(variant->how, do_clean, &j));
}

TEST_F(priv, cancel_after_drop)
{
	struct job j = { .s = self->s };
	struct vdswipe_status st;

	NEED_SLOW();
	ASSERT_EQ(0, running_op(self, &j.id));
	ASSERT_EQ(0, vt_run_dropped(variant->how, do_cancel, &j));
	ASSERT_EQ(0, vt_query(self->s, j.id, &st));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state);
}

static int do_cancel_all_one(void *p)
{
	struct job *j = p;
	uint32_t n = 0;
	int ret = vt_cancel_all(j->s, &n);

	return ret ? ret : (n == 1 ? 0 : -EPROTO);
}

TEST_F(priv, cancel_all_after_drop)
{
	struct job j = { .s = self->s };

	NEED_SLOW();
	ASSERT_EQ(0, running_op(self, &j.id));
	ASSERT_EQ(0, vt_run_dropped(variant->how, do_cancel_all_one, &j));
}

TEST_F(priv, release_after_drop)
{
	struct job j = { .s = self->s };
	struct vdswipe_status st;

	ASSERT_EQ(0, done_op(self, &j.id));
	ASSERT_EQ(0, vt_run_dropped(variant->how, do_release, &j));
	ASSERT_EQ(-ENOENT, vt_query(self->s, j.id, &st));
}

/* Forks a holder of every fd that exits 500 ms later, and returns. */
static int do_fork_holder(void *p)
{
	pid_t pid = fork();

	(void)p;
	if (pid < 0)
		return -errno;
	if (!pid) {
		vt_sleep_ms(500);
		_exit(0);
	}
	return 0;
}

/* The last close, by an unprivileged holder, still cancels everything. */
TEST_F(priv, close_by_unprivileged_holder_cancels)
{
	uint64_t id;
	int i;

	NEED_SLOW();
	ASSERT_EQ(0, running_op(self, &id));
	ASSERT_EQ(0, vt_run_dropped(variant->how, do_fork_holder, NULL));
	close(self->s);
	self->s = -1;
	/* the unprivileged grandchild still holds the session */
	ASSERT_EQ(-EBUSY, vt_try_excl(self->slow));
	for (i = 0; i < 100 && vt_try_excl(self->slow); i++)
		vt_sleep_ms(50);
	ASSERT_EQ(0, vt_try_excl(self->slow))
		TH_LOG("the op still holds the device after the last close");
}

/* A session opened without privilege: EPERM, even for a privileged user. */
TEST_F(priv, clean_eperm_unprivileged_session)
{
	OPEN_UNPRIVILEGED();
	ASSERT_EQ(-EPERM, vt_submit(self->us, self->fd0, F_CLEAN,
				    VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, NULL,
				    NULL));
	vt_sleep_ms(100);
	ASSERT_EQ(0, vt_check_fill(self->ram0, 0, VT_MIB, FILL, NULL));
	ASSERT_EQ(0, vt_try_excl(self->ram0));
}

TEST_F(priv, cancel_eperm_unprivileged_session)
{
	OPEN_UNPRIVILEGED();
	ASSERT_EQ(-EPERM, vt_cancel(self->us, 1));
}

TEST_F(priv, cancel_all_eperm_unprivileged_session)
{
	uint32_t n = 7;

	OPEN_UNPRIVILEGED();
	ASSERT_EQ(-EPERM, vt_cancel_all(self->us, &n));
}

TEST_F(priv, release_eperm_unprivileged_session)
{
	OPEN_UNPRIVILEGED();
	ASSERT_EQ(-EPERM, vt_release(self->us, 1));
}

TEST_F(priv, version_without_privilege)
{
	struct job j = { .s = self->s };

	ASSERT_EQ(0, vt_run_dropped(variant->how, do_version, &j));
}

TEST_F(priv, query_without_privilege)
{
	struct job j = { .s = self->s };

	ASSERT_EQ(0, done_op(self, &j.id));
	ASSERT_EQ(0, vt_run_dropped(variant->how, do_query, &j));
}

TEST_F(priv, wait_without_privilege)
{
	struct job j = { .s = self->s };

	ASSERT_EQ(0, vt_submit(self->s, self->fd0, F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, 4 * VT_MIB, &j.id,
			       NULL));
	ASSERT_EQ(0, vt_run_dropped(variant->how, do_wait, &j));
}

TEST_F(priv, poll_and_read_without_privilege)
{
	struct job j = { .s = self->s };

	ASSERT_EQ(0, done_op(self, &j.id));
	ASSERT_EQ(0, vt_run_dropped(variant->how, do_poll_read, &j));
}

TEST_F(priv, order_einval_before_eperm)
{
	struct job j = { .s = self->us, .fd = self->fd0,
			 .flags = F_CLEAN | (1U << 4) };

	OPEN_UNPRIVILEGED();
	j.s = self->us;
	ASSERT_EQ(-EINVAL, do_clean(&j));
}

TEST_F(priv, order_eperm_before_ebadf)
{
	struct job j = { .s = self->us, .fd = -1, .flags = F_CLEAN };

	OPEN_UNPRIVILEGED();
	j.s = self->us;
	ASSERT_EQ(-EPERM, do_clean(&j));
}

static int do_cancel_flags(void *p)
{
	struct job *j = p;
	struct vdswipe_op_ref r = { .op_id = j->id, .flags = 1 };

	return ioctl(j->s, VDSWIPE_IOC_CANCEL, &r) ? -errno : 0;
}

static int do_release_flags(void *p)
{
	struct job *j = p;
	struct vdswipe_op_ref r = { .op_id = j->id, .flags = 1 };

	return ioctl(j->s, VDSWIPE_IOC_RELEASE, &r) ? -errno : 0;
}

static int do_cancel_all_flags(void *p)
{
	struct job *j = p;
	struct vdswipe_cancel_all ca = { .flags = 1 };

	return ioctl(j->s, VDSWIPE_IOC_CANCEL_ALL, &ca) ? -errno : 0;
}

TEST_F(priv, order_cancel_einval_before_eperm)
{
	struct job j = { .s = self->us, .id = 0x4242 };

	OPEN_UNPRIVILEGED();
	j.s = self->us;
	ASSERT_EQ(-EINVAL, do_cancel_flags(&j));
}

TEST_F(priv, order_cancel_eperm_before_enoent)
{
	struct job j = { .s = self->us, .id = 0x4242 };

	OPEN_UNPRIVILEGED();
	j.s = self->us;
	ASSERT_EQ(-EPERM, do_cancel(&j));
}

TEST_F(priv, order_cancel_all_einval_before_eperm)
{
	struct job j = { .s = self->us };

	OPEN_UNPRIVILEGED();
	j.s = self->us;
	ASSERT_EQ(-EINVAL, do_cancel_all_flags(&j));
}

TEST_F(priv, order_release_einval_before_eperm)
{
	struct job j = { .s = self->us, .id = 0x4242 };

	OPEN_UNPRIVILEGED();
	j.s = self->us;
	ASSERT_EQ(-EINVAL, do_release_flags(&j));
}

TEST_F(priv, order_release_eperm_before_enoent)
{
	struct job j = { .s = self->us, .id = 0x4242 };

	OPEN_UNPRIVILEGED();
	j.s = self->us;
	ASSERT_EQ(-EPERM, do_release(&j));
}

TEST_HARNESS_MAIN
