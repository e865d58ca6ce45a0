// SPDX-License-Identifier: GPL-2.0
/*
 * No unbounded unkillable waits (issue 9): on a device that stops completing
 * I/O, VDSWIPE_IOC_CANCEL and VDSWIPE_IOC_CANCEL_ALL wait killably (SIGKILL
 * ends the caller at once, other signals do not interrupt the wait), and
 * close() returns after VDSWIPE_CLOSE_WAIT_MS (5 s), handing the op to the
 * module, which stays pinned until the op has ended.
 *
 * The stuck device is a dm-linear table over ram0, suspended with
 * `dmsetup suspend` before the op starts: its bios are held by dm until
 * `dmsetup resume`. A watchdog child resumes it after WATCHDOG_S seconds,
 * so that the old, unkillable code fails these tests instead of hanging.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		16
#define DM_NAME		"vdswsusp"
#define WATCHDOG_S	20
#define CLOSE_WAIT_MS	5000

FIXTURE(kill) {
	int s, fd;
	char dm[64];
	pid_t watchdog;
};

FIXTURE_SETUP(kill)
{
	char ram0[64], table[128];
	int ret;

	self->s = self->fd = -1;
	self->watchdog = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(1, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, ram0, sizeof(ram0));
	snprintf(table, sizeof(table), "0 %llu linear %s 0",
		 DEV_MIB * VT_MIB / 512, ram0);
	ret = vt_dm_create(DM_NAME, table, self->dm, sizeof(self->dm));
	if (ret) {
		vt_brd_unload();
		SKIP(return, "no dm (%s)", strerror(-ret));
	}
	self->fd = vt_open(self->dm, O_RDWR);
	ASSERT_LE(0, self->fd);
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
}

static void resume_dev(void)
{
	vt_run("dmsetup resume " DM_NAME);
}

/* rmmod, retrying for up to @ms: a handed-off op may still be ending. */
static int unload_within(unsigned int ms)
{
	uint64_t t0 = vt_now_ns();

	while (vt_module_unload()) {
		if (vt_ms_since(t0) > ms)
			return -EBUSY;
		vt_sleep_ms(50);
	}
	return 0;
}

FIXTURE_TEARDOWN(kill)
{
	resume_dev();
	if (self->watchdog > 0) {
		kill(self->watchdog, SIGKILL);
		waitpid(self->watchdog, NULL, 0);
	}
	if (self->s >= 0)
		close(self->s);
	if (self->fd >= 0)
		close(self->fd);
	vt_dm_remove(DM_NAME);
	vt_brd_unload();
	EXPECT_EQ(0, unload_within(10000));
}

/*
 * Resume the device after @s seconds, whatever happens to the test. Returns
 * once the watchdog holds no fd of ours: the test's close() must be the last.
 */
static pid_t start_watchdog(unsigned int s)
{
	int p[2], fd;
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		for (fd = 3; fd < 1024; fd++)
			if (fd != p[1])
				close(fd);
		close(p[1]);
		sleep(s);
		resume_dev();
		_exit(0);
	}
	close(p[1]);
	/* EOF once the child closed everything */
	while (read(p[0], &c, 1) > 0)
		;
	close(p[0]);
	return pid;
}

/* Suspend the device and start an op on it that cannot make progress. */
static int stuck_op(FIXTURE_DATA(kill) *self, uint64_t *id)
{
	struct vdswipe_status st;
	int ret;

	if (vt_run("dmsetup suspend " DM_NAME))
		return -EIO;
	ret = vt_submit(self->s, self->fd, VDSWIPE_CLEAN_FULL |
			VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO, 0, 0, 0, id,
			NULL);
	if (ret)
		return ret;
	ret = vt_wait_progress(self->s, *id, 0, 10000, &st);
	if (ret)
		return ret;
	/* let it submit its first chunks, which dm now holds */
	vt_sleep_ms(200);
	ret = vt_query(self->s, *id, &st);
	if (ret)
		return ret;
	return st.state == VDSWIPE_STATE_RUNNING && !st.bytes_done ? 0 :
	       -EPROTO;
}

static void noop_handler(int sig)
{
	(void)sig;
}

/*
 * Fork a child that blocks in CANCEL (@all false) or CANCEL_ALL on the stuck
 * op, check that SIGINT and SIGALRM do not end the wait, then SIGKILL it.
 * Returns the milliseconds the child took to die, or a negative value.
 */
static long kill_blocked_canceller(FIXTURE_DATA(kill) *self, uint64_t id,
				   bool all, struct __test_metadata *_metadata)
{
	struct sigaction sa = { .sa_handler = noop_handler };
	struct pollfd pfd;
	int pfds[2], status;
	uint64_t t0;
	pid_t pid;

	if (pipe(pfds))
		return -1;
	pid = fork();
	if (!pid) {
		int ret;

		close(pfds[0]);
		/* no SA_RESTART: an interruptible wait would return EINTR */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGALRM, &sa, NULL);
		ret = all ? vt_cancel_all(self->s, NULL) :
			    vt_cancel(self->s, id);
		if (write(pfds[1], &ret, sizeof(ret)) < 0)
			_exit(2);
		_exit(0);
	}
	close(pfds[1]);
	if (pid < 0)
		return -1;
	pfd = (struct pollfd){ .fd = pfds[0], .events = POLLIN };
	vt_sleep_ms(300);
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("cancel returned early");
	kill(pid, SIGINT);
	kill(pid, SIGALRM);
	vt_sleep_ms(300);
	EXPECT_EQ(0, poll(&pfd, 1, 0))
		TH_LOG("a non-fatal signal ended the cancel's wait");
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	t0 = vt_now_ns();
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	close(pfds[0]);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return -1;
	return vt_ms_since(t0);
}

static void cancel_killable(FIXTURE_DATA(kill) *self, bool all,
			    struct __test_metadata *_metadata)
{
	struct vdswipe_status st;
	uint64_t id;
	long ms;

	ASSERT_EQ(0, stuck_op(self, &id));
	self->watchdog = start_watchdog(WATCHDOG_S);
	ASSERT_LT(0, self->watchdog);
	ms = kill_blocked_canceller(self, id, all, _metadata);
	TH_LOG("the blocked canceller died %ld ms after SIGKILL", ms);
	ASSERT_LE(0, ms);
	ASSERT_GT(2000, ms) TH_LOG("SIGKILL did not end the wait");
	/* the cancel stays requested: the op ends CANCELLED once resumed */
	ASSERT_EQ(0, vt_query(self->s, id, &st));
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, st.state);
	resume_dev();
	ASSERT_EQ(0, vt_finish(self->s, id, 10000, &st));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state)
		TH_LOG("state %s", vt_state_name(st.state));
	ASSERT_EQ(-ECANCELED, st.result);
}

TEST_F_TIMEOUT(kill, cancel_killable_on_stuck_device, 90)
{
	cancel_killable(self, false, _metadata);
}

TEST_F_TIMEOUT(kill, cancel_all_killable_on_stuck_device, 90)
{
	cancel_killable(self, true, _metadata);
}

TEST_F_TIMEOUT(kill, close_hands_stuck_op_to_module, 90)
{
	uint64_t id, refcnt = 0, t0, ms;

	ASSERT_EQ(0, stuck_op(self, &id));
	self->watchdog = start_watchdog(WATCHDOG_S);
	ASSERT_LT(0, self->watchdog);
	t0 = vt_now_ns();
	close(self->s);
	self->s = -1;
	ms = vt_ms_since(t0);
	TH_LOG("close took %llu ms", (unsigned long long)ms);
	ASSERT_LE(CLOSE_WAIT_MS - 500, ms);
	ASSERT_GT(CLOSE_WAIT_MS + 3000, ms);
	/* the handed-off op pins the module and still holds the device */
	ASSERT_EQ(0, vt_read_u64("/sys/module/vdswipe/refcnt", &refcnt));
	ASSERT_EQ(1, refcnt);
	ASSERT_EQ(-EBUSY, vt_module_unload());
	ASSERT_EQ(-EBUSY, vt_try_excl(self->dm));
	/* once the device completes I/O again, the op ends and unpins */
	resume_dev();
	ASSERT_EQ(0, unload_within(5000));
	ASSERT_EQ(0, vt_try_excl(self->dm));
}

TEST_HARNESS_MAIN
