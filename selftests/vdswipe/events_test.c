// SPDX-License-Identifier: GPL-2.0
/*
 * Completion records: one struct vdswipe_event per ended op, read() from
 * the session fd; poll() and epoll report POLLIN while one is queued;
 * releasing an op drops its unread record; records belong to the session
 * that submitted the op.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		16
#define WRITE_DELAY_MS	500

/* The slow device is over ram0; ram1 and ram2 are plain. */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 3,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswslow",
	.slow_disk = 0,
	.write_delay_ms = WRITE_DELAY_MS,
	.open_fds = true,
	.session = true,
};

FIXTURE(events) {
	struct vt_rig rig;
};

FIXTURE_SETUP(events)
{
	vt_rig_setup(_metadata, &self->rig, &rig_opts);
}

FIXTURE_TEARDOWN(events)
{
	vt_rig_close(&self->rig);
	vt_rig_teardown(_metadata, &self->rig);
}

#define F_CLEAN	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE)

/* poll() the session with @timeout_ms: the revents, or -errno. */
static int poll_session(int s, int timeout_ms)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? p.revents : 0;
}

/* Submit a 1 MiB clean of @fd and wait for its end. */
static int done_op(int s, int fd, uint64_t off, uint64_t *id)
{
	int ret = vt_submit(s, fd, F_CLEAN, VDSWIPE_METHOD_ZERO, 0, off, VT_MIB,
			    id, NULL);

	return ret ? ret : vt_wait(s, *id, VDSWIPE_WAIT_INFINITE);
}

/* Read all queued records (while POLLIN) into @ev; returns the count. */
static int drain(int s, struct vdswipe_event *ev, int max)
{
	int n = 0;

	while (n < max && (poll_session(s, 0) & POLLIN)) {
		ssize_t r = read(s, ev + n, (max - n) * sizeof(*ev));

		if (r <= 0 || r % sizeof(*ev))
			return -EIO;
		n += r / sizeof(*ev);
	}
	return n;
}

TEST_F(events, no_event_on_new_session)
{
	ASSERT_EQ(0, poll_session(self->rig.s, 0));
}

TEST_F(events, no_event_while_op_runs)
{
	uint64_t id;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, DEV_MIB * VT_MIB,
			       &id, NULL));
	ASSERT_EQ(0, poll_session(self->rig.s, 300));
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
}

TEST_F(events, record_for_done_op)
{
	struct vdswipe_event ev;
	uint64_t id;

	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &id));
	ASSERT_EQ(POLLIN, poll_session(self->rig.s, 5000) & POLLIN);
	memset(&ev, 0xff, sizeof(ev));
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(id, ev.op_id);
	ASSERT_EQ(0, ev.result);
	ASSERT_EQ(VDSWIPE_STATE_DONE, ev.state);
	ASSERT_EQ(VT_MIB, ev.bytes_done);
	ASSERT_EQ(0, ev.reserved);
	/* consumed: nothing left */
	ASSERT_EQ(0, poll_session(self->rig.s, 0));
}

TEST_F(events, record_for_cancelled_op)
{
	struct vdswipe_event ev;
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, DEV_MIB * VT_MIB,
			       &id, NULL));
	ASSERT_EQ(0, vt_wait_progress(self->rig.s, id, 1, 20000, &st));
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
	ASSERT_EQ(POLLIN, poll_session(self->rig.s, 5000) & POLLIN);
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(id, ev.op_id);
	ASSERT_EQ(-ECANCELED, ev.result);
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, ev.state);
	ASSERT_EQ(st.bytes_done, ev.bytes_done);
	ASSERT_EQ(0, ev.reserved);
}

TEST_F(events, one_record_per_op)
{
	struct vdswipe_event ev[8];
	uint64_t ids[3];
	int n, i, j;

	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &ids[0]));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[2], 0, &ids[1]));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], VT_MIB, &ids[2]));
	n = drain(self->rig.s, ev, 8);
	ASSERT_EQ(3, n);
	for (i = 0; i < 3; i++) {
		int found = 0;

		for (j = 0; j < n; j++)
			found += ev[j].op_id == ids[i];
		ASSERT_EQ(1, found) TH_LOG("op %d has %d records", i, found);
	}
	ASSERT_EQ(0, poll_session(self->rig.s, 0));
}

TEST_F(events, poll_blocks_until_completion)
{
	struct vdswipe_event ev;
	uint64_t id, t0, ms;
	int rev;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, 2 * VT_MIB, &id,
			       NULL));
	t0 = vt_now_ns();
	rev = poll_session(self->rig.s, 30000);
	ms = vt_ms_since(t0);
	ASSERT_EQ(POLLIN, rev & POLLIN);
	ASSERT_LE(WRITE_DELAY_MS - 50, ms);
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(id, ev.op_id);
	ASSERT_EQ(VDSWIPE_STATE_DONE, ev.state);
	ASSERT_EQ(2 * VT_MIB, ev.bytes_done);
}

TEST_F(events, poll_woken_by_cancel)
{
	uint64_t id;
	struct vdswipe_status st;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, DEV_MIB * VT_MIB,
			       &id, NULL));
	ASSERT_EQ(0, vt_wait_progress(self->rig.s, id, 0, 20000, &st));
	ASSERT_EQ(0, poll_session(self->rig.s, 0));
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	ASSERT_EQ(POLLIN, poll_session(self->rig.s, 0) & POLLIN);
}

TEST_F(events, epoll_reports_completion)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = 42 }, out[2];
	struct vdswipe_event ev;
	uint64_t id;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->rig.s, &e));
	ASSERT_EQ(0, epoll_wait(ep, out, 2, 0));
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, 2 * VT_MIB, &id,
			       NULL));
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 30000));
	ASSERT_EQ(42, out[0].data.u64);
	ASSERT_TRUE(out[0].events & EPOLLIN);
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(id, ev.op_id);
	ASSERT_EQ(0, epoll_wait(ep, out, 2, 0));
	close(ep);
}

TEST_F(events, epoll_edge_triggered_each_completion)
{
	struct epoll_event e = { .events = EPOLLIN | EPOLLET }, out[2];
	uint64_t a, b;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->rig.s, &e));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 10000));
	ASSERT_EQ(0, epoll_wait(ep, out, 2, 0));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[2], 0, &b));
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 10000));
	close(ep);
}

TEST_F(events, release_drops_unread_record)
{
	uint64_t a, b;
	struct vdswipe_event ev[4];

	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[2], 0, &b));
	ASSERT_EQ(0, vt_release(self->rig.s, a));
	ASSERT_EQ(1, drain(self->rig.s, ev, 4));
	ASSERT_EQ(b, ev[0].op_id);
	ASSERT_EQ(0, vt_release(self->rig.s, b));
	ASSERT_EQ(0, poll_session(self->rig.s, 0));
}

TEST_F(events, release_only_record_clears_pollin)
{
	uint64_t a;

	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	ASSERT_EQ(POLLIN, poll_session(self->rig.s, 0) & POLLIN);
	ASSERT_EQ(0, vt_release(self->rig.s, a));
	ASSERT_EQ(0, poll_session(self->rig.s, 0));
}

TEST_F(events, records_stay_in_their_session)
{
	int s2 = vt_session_open();
	struct vdswipe_event ev[2];
	uint64_t a;

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	ASSERT_EQ(0, poll_session(s2, 0));
	ASSERT_EQ(1, drain(self->rig.s, ev, 2));
	ASSERT_EQ(a, ev[0].op_id);
	close(s2);
}

TEST_F(events, cancel_all_queues_a_record_per_cancelled_op)
{
	struct vdswipe_event ev[4];
	struct vdswipe_status st;
	uint32_t n = 0;
	uint64_t a, b;
	int i;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, DEV_MIB * VT_MIB,
			       &a, NULL));
	ASSERT_EQ(0, vt_wait_progress(self->rig.s, a, 0, 20000, &st));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &b));
	ASSERT_EQ(1, drain(self->rig.s, ev, 4));
	ASSERT_EQ(b, ev[0].op_id);
	ASSERT_EQ(0, vt_cancel_all(self->rig.s, &n));
	ASSERT_EQ(1, n);
	ASSERT_EQ(1, drain(self->rig.s, ev, 4));
	ASSERT_EQ(a, ev[0].op_id);
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, ev[0].state);
	for (i = 0; i < 1; i++)
		ASSERT_EQ(-ECANCELED, ev[i].result);
}

TEST_F(events, record_matches_query)
{
	struct vdswipe_event ev;
	struct vdswipe_status st;
	uint64_t a;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[1], F_CLEAN,
			       VDSWIPE_METHOD_PATTERN, 0x3C, 0, 3 * VT_MIB,
			       &a, NULL));
	ASSERT_EQ(POLLIN, poll_session(self->rig.s, 30000) & POLLIN);
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(st.state, ev.state);
	ASSERT_EQ(st.result, ev.result);
	ASSERT_EQ(st.bytes_done, ev.bytes_done);
	ASSERT_EQ(a, ev.op_id);
}

/* ------------------------------------------------ read() semantics */

TEST_F(events, read_returns_all_whole_records_that_fit)
{
	struct vdswipe_event ev[4];
	uint64_t ids[3];

	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &ids[0]));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[2], 0, &ids[1]));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], VT_MIB, &ids[2]));
	ASSERT_EQ(3 * sizeof(ev[0]), read(self->rig.s, ev, sizeof(ev)));
	/* oldest first: these ops ended one after the other */
	ASSERT_EQ(ids[0], ev[0].op_id);
	ASSERT_EQ(ids[1], ev[1].op_id);
	ASSERT_EQ(ids[2], ev[2].op_id);
	ASSERT_EQ(0, poll_session(self->rig.s, 0));
}

TEST_F(events, read_partial_buffer_returns_whole_records_only)
{
	struct vdswipe_event ev[2];
	uint64_t a, b;

	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[2], 0, &b));
	/* room for one and a half records: one is returned */
	ASSERT_EQ(sizeof(ev[0]), read(self->rig.s, ev, sizeof(ev[0]) * 3 / 2));
	ASSERT_EQ(a, ev[0].op_id);
	ASSERT_EQ(sizeof(ev[0]), read(self->rig.s, ev, sizeof(ev)));
	ASSERT_EQ(b, ev[0].op_id);
}

TEST_F(events, read_smaller_than_a_record_einval)
{
	struct vdswipe_event ev;
	uint64_t a;

	ASSERT_EQ(32, sizeof(ev));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	ASSERT_EQ(-1, read(self->rig.s, &ev, sizeof(ev) - 1));
	ASSERT_EQ(EINVAL, errno);
	/* nothing consumed */
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(a, ev.op_id);
}

TEST_F(events, read_nonblocking_without_record_eagain)
{
	struct vdswipe_event ev;
	int s2 = vt_session_open_flags(O_NONBLOCK);

	ASSERT_LE(0, s2);
	ASSERT_EQ(-1, read(s2, &ev, sizeof(ev)));
	ASSERT_EQ(EAGAIN, errno);
	close(s2);
}

TEST_F(events, read_blocks_until_a_record)
{
	struct vdswipe_event ev;
	uint64_t id, t0, ms;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.slowfd, F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, 2 * VT_MIB, &id,
			       NULL));
	t0 = vt_now_ns();
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ms = vt_ms_since(t0);
	ASSERT_LE(WRITE_DELAY_MS - 50, ms);
	ASSERT_EQ(id, ev.op_id);
	ASSERT_EQ(VDSWIPE_STATE_DONE, ev.state);
}

static void on_usr1(int sig)
{
	(void)sig;
}

struct kicker {
	pthread_t target;
	unsigned int ms;
};

static void *kick(void *p)
{
	struct kicker *k = p;

	vt_sleep_ms(k->ms);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

TEST_F(events, blocking_read_interrupted_eintr)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct kicker k = { .target = pthread_self(), .ms = 300 };
	struct vdswipe_event ev;
	pthread_t th;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&th, NULL, kick, &k));
	ASSERT_EQ(-1, read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(EINTR, errno);
	pthread_join(th, NULL);
}

TEST_F(events, read_bad_buffer_efault_consumes_nothing)
{
	struct vdswipe_event ev;
	uint64_t a;
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	ASSERT_EQ(-1, read(self->rig.s, p, sizeof(ev)));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(POLLIN, poll_session(self->rig.s, 0) & POLLIN);
	ASSERT_EQ(sizeof(ev), read(self->rig.s, &ev, sizeof(ev)));
	ASSERT_EQ(a, ev.op_id);
	munmap(p, 4096);
}

TEST_F(events, lseek_espipe)
{
	ASSERT_EQ(-1, lseek(self->rig.s, 0, SEEK_SET));
	ASSERT_EQ(ESPIPE, errno);
}

TEST_F(events, poll_reports_rdnorm)
{
	struct pollfd p = { .fd = self->rig.s, .events = POLLIN | POLLRDNORM };
	uint64_t a;

	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	ASSERT_EQ(1, poll(&p, 1, 0));
	ASSERT_EQ(POLLIN | POLLRDNORM, p.revents);
}

TEST_F(events, select_reports_readable)
{
	struct timeval tv = { 0 };
	fd_set rd;
	uint64_t a;

	FD_ZERO(&rd);
	FD_SET(self->rig.s, &rd);
	ASSERT_EQ(0, select(self->rig.s + 1, &rd, NULL, NULL, &tv));
	ASSERT_EQ(0, done_op(self->rig.s, self->rig.fd[1], 0, &a));
	FD_ZERO(&rd);
	FD_SET(self->rig.s, &rd);
	tv.tv_sec = 5;
	ASSERT_EQ(1, select(self->rig.s + 1, &rd, NULL, NULL, &tv));
	ASSERT_TRUE(FD_ISSET(self->rig.s, &rd));
}

TEST_HARNESS_MAIN
