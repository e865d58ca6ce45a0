// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions and op ids: ids unique within a session, never 0, never reused,
 * unknown in any other session (ENOENT); the per-session max_ops limit
 * (EAGAIN); VDSWIPE_IOC_QUERY and VDSWIPE_IOC_RELEASE argument checks; and
 * the module's lifetime: no unload while a session is open, a clean unload
 * after the last close.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		16
#define WRITE_DELAY_MS	500

/*
 * ram0 and ram1 are plain; the slow device over ram2 is optional: tests that
 * need a running op skip without it (NEED_SLOW).
 */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 3,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswslow",
	.slow_disk = 2,
	.write_delay_ms = WRITE_DELAY_MS,
	.slow_optional = true,
	.open_fds = true,
	.session = true,
};

FIXTURE(session) {
	struct vt_rig rig;
};

FIXTURE_SETUP(session)
{
	vt_rig_setup(_metadata, &self->rig, &rig_opts);
}

FIXTURE_TEARDOWN(session)
{
	vt_rig_close(&self->rig);
	vt_rig_teardown(_metadata, &self->rig);
}

#define F_CLEAN	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | VDSWIPE_CLEAN_RANGE)

/* A 64 KiB clean of @fd in session @s, waited for. */
static int small_op(int s, int fd, uint64_t *id)
{
	int ret = vt_submit(s, fd, F_CLEAN, VDSWIPE_METHOD_ZERO, 0, 0,
			    64 * VT_KIB, id, NULL);

	return ret ? ret : vt_wait(s, *id, VDSWIPE_WAIT_INFINITE);
}

/* A long-running op on the slow device. */
static int running_op(FIXTURE_DATA(session) *self, int s, uint64_t *id)
{
	struct vdswipe_status st;
	int ret;

	if (self->rig.slowfd < 0)
		return -ENODEV;
	ret = vt_submit(s, self->rig.slowfd, VDSWIPE_CLEAN_FULL |
			VDSWIPE_CLEAN_FORCE, VDSWIPE_METHOD_ZERO, 0, 0, 0, id,
			NULL);
	return ret ? ret : vt_wait_progress(s, *id, 0, 20000, &st);
}

#define NEED_SLOW() do {						\
	if (self->rig.slowfd < 0)					\
		SKIP(return, "no dm-delay: no long-running op");	\
} while (0)

/* ----------------------------------------------------------- op ids */

TEST_F(session, op_ids_nonzero_unique_never_reused)
{
	uint64_t ids[64];
	int i, j;

	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, small_op(self->rig.s,
				      i % 2 ? self->rig.fd[1] : self->rig.fd[0],
				      &ids[i]));
		ASSERT_NE(0, ids[i]);
		for (j = 0; j < i; j++)
			ASSERT_NE(ids[j], ids[i])
				TH_LOG("op %d reuses the id of op %d", i, j);
		/* release most of them: freed ids must not come back */
		if (i % 4)
			ASSERT_EQ(0, vt_release(self->rig.s, ids[i]));
	}
}

TEST_F(session, query_reports_the_op)
{
	struct vdswipe_status st;
	uint64_t id, total;

	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[0], F_CLEAN,
			       VDSWIPE_METHOD_PATTERN, 0x42, 4096, 2 * VT_MIB,
			       &id, &total));
	ASSERT_EQ(2 * VT_MIB, total);
	ASSERT_EQ(0, vt_wait(self->rig.s, id, VDSWIPE_WAIT_INFINITE));
	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
	ASSERT_EQ(id, st.op_id);
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, st.result);
	ASSERT_EQ(100, st.percent);
	ASSERT_EQ(VDSWIPE_METHOD_PATTERN, st.method);
	ASSERT_EQ(0, st.reserved);
	ASSERT_EQ(2 * VT_MIB, st.bytes_done);
	ASSERT_EQ(2 * VT_MIB, st.bytes_total);
	ASSERT_EQ(~0ULL, st.error_offset);
	ASSERT_EQ(0, st.flags);
}

/* An id from session A used in session B: ENOENT for every ioctl. */
static int foreign_id(FIXTURE_DATA(session) *self, uint64_t *id, int *s2)
{
	*s2 = vt_session_open();
	if (*s2 < 0)
		return *s2;
	return small_op(self->rig.s, self->rig.fd[0], id);
}

TEST_F(session, foreign_id_query_enoent)
{
	struct vdswipe_status st;
	uint64_t id;
	int s2;

	ASSERT_EQ(0, foreign_id(self, &id, &s2));
	ASSERT_EQ(-ENOENT, vt_query(s2, id, &st));
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
	close(s2);
}

TEST_F(session, foreign_id_wait_enoent)
{
	uint64_t id;
	int s2;

	ASSERT_EQ(0, foreign_id(self, &id, &s2));
	ASSERT_EQ(-ENOENT, vt_wait(s2, id, VDSWIPE_WAIT_INFINITE));
	close(s2);
}

TEST_F(session, foreign_id_cancel_enoent)
{
	struct vdswipe_status st;
	uint64_t id;
	int s2 = vt_session_open();

	NEED_SLOW();
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, running_op(self, self->rig.s, &id));
	ASSERT_EQ(-ENOENT, vt_cancel(s2, id));
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, st.state);
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	close(s2);
}

TEST_F(session, foreign_id_release_enoent)
{
	struct vdswipe_status st;
	uint64_t id;
	int s2;

	ASSERT_EQ(0, foreign_id(self, &id, &s2));
	ASSERT_EQ(-ENOENT, vt_release(s2, id));
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
	close(s2);
}

TEST_F(session, same_id_in_two_sessions_are_different_ops)
{
	struct vdswipe_status st;
	uint64_t a, b;
	int s2 = vt_session_open();

	/* whatever the numbering, each session sees only its own op */
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, vt_submit(self->rig.s, self->rig.fd[0], F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, &a, NULL));
	ASSERT_EQ(0, vt_submit(s2, self->rig.fd[1], F_CLEAN,
			       VDSWIPE_METHOD_ZERO, 0, 0, 2 * VT_MIB, &b,
			       NULL));
	ASSERT_EQ(0, vt_wait(self->rig.s, a, VDSWIPE_WAIT_INFINITE));
	ASSERT_EQ(0, vt_wait(s2, b, VDSWIPE_WAIT_INFINITE));
	ASSERT_EQ(0, vt_query(self->rig.s, a, &st));
	ASSERT_EQ(VT_MIB, st.bytes_total);
	ASSERT_EQ(0, vt_query(s2, b, &st));
	ASSERT_EQ(2 * VT_MIB, st.bytes_total);
	close(s2);
}

TEST_F(session, dup_shares_the_session)
{
	struct vdswipe_status st;
	uint64_t id;
	int d = dup(self->rig.s);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	ASSERT_EQ(0, vt_query(d, id, &st));
	/* closing one descriptor does not end the session */
	ASSERT_EQ(0, close(self->rig.s));
	self->rig.s = d;
	ASSERT_EQ(0, vt_query(d, id, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
}

/* ---------------------------------------------------------- query */

TEST_F(session, query_unknown_id_enoent)
{
	struct vdswipe_status st;

	ASSERT_EQ(-ENOENT, vt_query(self->rig.s, 0x99999ULL, &st));
}

TEST_F(session, query_id_zero_enoent)
{
	struct vdswipe_status st;

	ASSERT_EQ(-ENOENT, vt_query(self->rig.s, 0, &st));
}

TEST_F(session, query_einval_flags)
{
	struct vdswipe_status st = { 0 };
	uint64_t id;

	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	st.op_id = id;
	st.flags = 1;
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_QUERY, &st));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(session, query_einval_reserved)
{
	struct vdswipe_status st = { 0 };
	uint64_t id;

	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	st.op_id = id;
	st.reserved = 1;
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_QUERY, &st));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(session, query_out_fields_ignored_on_input)
{
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	memset(&st, 0x5a, sizeof(st));
	st.op_id = id;
	st.flags = 0;
	st.reserved = 0;
	ASSERT_EQ(0, ioctl(self->rig.s, VDSWIPE_IOC_QUERY, &st));
	ASSERT_EQ(id, st.op_id);
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(0, st.result);
	ASSERT_EQ(100, st.percent);
	ASSERT_EQ(VDSWIPE_METHOD_ZERO, st.method);
	ASSERT_EQ(0, st.reserved);
	ASSERT_EQ(64 * VT_KIB, st.bytes_done);
	ASSERT_EQ(64 * VT_KIB, st.bytes_total);
	ASSERT_EQ(~0ULL, st.error_offset);
}

TEST_F(session, query_efault)
{
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_QUERY, NULL));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(session, query_efault_readonly_arg)
{
	struct vdswipe_status *st;
	uint64_t id;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	st = p;
	st->op_id = id;
	ASSERT_EQ(0, mprotect(p, 4096, PROT_READ));
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_QUERY, st));
	ASSERT_EQ(EFAULT, errno);
	munmap(p, 4096);
}

/* -------------------------------------------------------- release */

TEST_F(session, release_running_op_ebusy)
{
	struct vdswipe_status st;
	uint64_t id;

	NEED_SLOW();
	ASSERT_EQ(0, running_op(self, self->rig.s, &id));
	ASSERT_EQ(-EBUSY, vt_release(self->rig.s, id));
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
	ASSERT_EQ(VDSWIPE_STATE_RUNNING, st.state);
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	ASSERT_EQ(0, vt_release(self->rig.s, id));
}

TEST_F(session, released_op_is_gone)
{
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	ASSERT_EQ(0, vt_release(self->rig.s, id));
	ASSERT_EQ(-ENOENT, vt_query(self->rig.s, id, &st));
	ASSERT_EQ(-ENOENT, vt_cancel(self->rig.s, id));
}

TEST_F(session, release_twice_enoent)
{
	uint64_t id;

	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	ASSERT_EQ(0, vt_release(self->rig.s, id));
	ASSERT_EQ(-ENOENT, vt_release(self->rig.s, id));
}

TEST_F(session, release_unknown_id_enoent)
{
	ASSERT_EQ(-ENOENT, vt_release(self->rig.s, 0x31337ULL));
}

TEST_F(session, release_einval_flags)
{
	struct vdswipe_op_ref r = { 0 };
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	r.op_id = id;
	r.flags = 1;
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_RELEASE, &r));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
}

TEST_F(session, release_einval_reserved)
{
	struct vdswipe_op_ref r = { 0 };
	struct vdswipe_status st;
	uint64_t id;

	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	r.op_id = id;
	r.reserved = 1;
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_RELEASE, &r));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
}

TEST_F(session, release_efault)
{
	ASSERT_EQ(-1, ioctl(self->rig.s, VDSWIPE_IOC_RELEASE, NULL));
	ASSERT_EQ(EFAULT, errno);
}

/* -------------------------------------------------------- max_ops */

TEST_F(session, max_ops_eagain)
{
	struct vdswipe_version ver;
	struct vdswipe_status st;
	uint64_t a, b, c;
	int i;

	/* reload with a limit of 2 (the session of the fixture is closed) */
	close(self->rig.s);
	self->rig.s = -1;
	ASSERT_EQ(0, vt_module_reload("max_ops=2"));
	self->rig.s = vt_session_open();
	ASSERT_LE(0, self->rig.s);
	ASSERT_EQ(0, vt_version(self->rig.s, &ver));
	ASSERT_EQ(2, ver.max_ops);

	/* ended but not released ops still count */
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &a));
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[1], &b));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(-EAGAIN, vt_submit(self->rig.s, self->rig.fd[0],
					     F_CLEAN,
					     VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB,
					     &c, NULL));
	/* nothing was written by the refused submits */
	ASSERT_EQ(0, vt_fill(self->rig.ram[0], VT_MIB, VT_MIB, 0x66));
	ASSERT_EQ(-EAGAIN, vt_submit(self->rig.s, self->rig.fd[0], F_CLEAN,
				     VDSWIPE_METHOD_ZERO, 0, VT_MIB, VT_MIB,
				     &c, NULL));
	vt_sleep_ms(100);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[0], VT_MIB, VT_MIB, 0x66,
				   NULL));

	/* releasing one makes room for exactly one */
	ASSERT_EQ(0, vt_release(self->rig.s, a));
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &c));
	ASSERT_NE(a, c);
	ASSERT_EQ(0, vt_query(self->rig.s, c, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_EQ(-EAGAIN, vt_submit(self->rig.s, self->rig.fd[0], F_CLEAN,
				     VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, &c,
				     NULL));
}

TEST_F(session, max_ops_is_per_session)
{
	uint64_t a, b;
	int s2;

	close(self->rig.s);
	self->rig.s = -1;
	ASSERT_EQ(0, vt_module_reload("max_ops=1"));
	self->rig.s = vt_session_open();
	ASSERT_LE(0, self->rig.s);
	s2 = vt_session_open();
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &a));
	ASSERT_EQ(-EAGAIN, vt_submit(self->rig.s, self->rig.fd[1], F_CLEAN,
				     VDSWIPE_METHOD_ZERO, 0, 0, VT_MIB, &b,
				     NULL));
	ASSERT_EQ(0, small_op(s2, self->rig.fd[1], &b));
	close(s2);
}

/* ------------------------------------------------------ lifetime */

TEST_F(session, module_stays_while_session_open)
{
	uint64_t id;

	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &id));
	ASSERT_NE(0, vt_run("rmmod " VT_MODULE));
	ASSERT_TRUE(vt_module_loaded());
	/* the session still works */
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[1], &id));
	close(self->rig.s);
	self->rig.s = -1;
	ASSERT_EQ(0, vt_run("rmmod " VT_MODULE));
	ASSERT_FALSE(vt_module_loaded());
	ASSERT_NE(0, access(VT_DEV_NODE, F_OK));
}

TEST_F(session, module_stays_while_idle_session_open)
{
	ASSERT_NE(0, vt_run("rmmod " VT_MODULE));
	ASSERT_TRUE(vt_module_loaded());
	close(self->rig.s);
	self->rig.s = -1;
	ASSERT_EQ(0, vt_run("rmmod " VT_MODULE));
}

TEST_F(session, module_stays_while_op_runs)
{
	uint64_t id;

	NEED_SLOW();
	ASSERT_EQ(0, running_op(self, self->rig.s, &id));
	ASSERT_NE(0, vt_run("rmmod " VT_MODULE));
	ASSERT_TRUE(vt_module_loaded());
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
}

TEST_F(session, unload_after_close_with_ops_of_every_kind)
{
	uint64_t done_id, cancelled_id, released_id, running_id = 0;
	int s2 = vt_session_open();

	ASSERT_LE(0, s2);
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &done_id));
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[1], &released_id));
	ASSERT_EQ(0, vt_release(self->rig.s, released_id));
	if (self->rig.slowfd >= 0) {
		ASSERT_EQ(0, running_op(self, self->rig.s, &cancelled_id));
		ASSERT_EQ(0, vt_cancel(self->rig.s, cancelled_id));
		/* left running in a second session, closed below */
		ASSERT_EQ(0, running_op(self, s2, &running_id));
	}
	close(s2);
	close(self->rig.s);
	self->rig.s = -1;
	ASSERT_EQ(0, vt_run("rmmod " VT_MODULE))
		TH_LOG("rmmod failed after the last close");
	ASSERT_FALSE(vt_module_loaded());
	/* and it loads again */
	ASSERT_EQ(0, vt_module_load(NULL));
	self->rig.s = vt_session_open();
	ASSERT_LE(0, self->rig.s);
	ASSERT_EQ(0, small_op(self->rig.s, self->rig.fd[0], &done_id));
}

TEST_F(session, many_sessions_open_and_close)
{
	int fds[32], i;
	uint64_t id;

	for (i = 0; i < 32; i++) {
		fds[i] = vt_session_open();
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, small_op(fds[5], self->rig.fd[0], &id));
	ASSERT_EQ(0, small_op(fds[17], self->rig.fd[1], &id));
	for (i = 0; i < 32; i++)
		close(fds[i]);
	close(self->rig.s);
	self->rig.s = -1;
	ASSERT_EQ(0, vt_run("rmmod " VT_MODULE));
}

TEST_HARNESS_MAIN
