// SPDX-License-Identifier: GPL-2.0
/*
 * The vdswipe tracepoints (kmod/trace.h), enabled through tracefs as an
 * administrator would, in a trace instance of their own
 * (/sys/kernel/tracing/instances/vdswtrace) so that nothing else tracing
 * is disturbed. Each test runs an op, then reads the instance's "trace"
 * file and checks every field of the events of its session, as
 * Documentation/userspace-api/vdswipe.rst describes them:
 *
 *  - a clean that completes: submit, start, end (done), in that order;
 *  - a cancel of a running op (a dm-delay device holds its writes) and of
 *    a queued one: cancel, end (cancelled), cancel_done, and a queued op
 *    that never starts;
 *  - an I/O error (a dm table whose second half is the error target):
 *    io_error at the first failing offset with EIO, end (failed).
 *
 * The session's id comes from its fdinfo (vdswipe_session:), which the
 * events must carry too.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define MOD_PARAMS	"max_active=1 chunk_size=262144"
#define DEV_MIB		16
#define ERR_GOOD	(4 * VT_MIB)	/* the error table: good, then EIO */
#define ERR_SIZE	(8 * VT_MIB)
#define WRITE_DELAY_MS	300
#define TRACEFS		"/sys/kernel/tracing"
#define INSTANCE	TRACEFS "/instances/vdswtrace"

/* ------------------------------------------------------------------ */
/* Trace events, parsed from the "trace" file                          */
/* ------------------------------------------------------------------ */

#define MAX_EVENTS	256
#define MAX_FIELDS	16

struct tev {
	char name[32];			/* "op_submit", without "vdswipe_" */
	int nf;
	char key[MAX_FIELDS][24];
	char val[MAX_FIELDS][40];
};

struct trace {
	int n;
	struct tev ev[MAX_EVENTS];
};

static const char *tev_get(const struct tev *e, const char *key)
{
	int i;

	for (i = 0; i < e->nf; i++)
		if (!strcmp(e->key[i], key))
			return e->val[i];
	return NULL;
}

static long long tev_num(const struct tev *e, const char *key)
{
	const char *v = tev_get(e, key);

	return v ? strtoll(v, NULL, 10) : -999999;
}

/* "  task-pid  [000] .....  12.345: vdswipe_op_end: session=1 op=2 ..." */
static int trace_parse_line(const char *line, struct tev *e)
{
	const char *p = strstr(line, ": vdswipe_");
	char buf[512], *tok, *save, *eq;
	size_t n;

	if (!p)
		return -1;
	p += strlen(": vdswipe_");
	n = strcspn(p, ":");
	if (n >= sizeof(e->name) || p[n] != ':')
		return -1;
	memcpy(e->name, p, n);
	e->name[n] = '\0';
	snprintf(buf, sizeof(buf), "%s", p + n + 1);
	e->nf = 0;
	for (tok = strtok_r(buf, " \n", &save); tok && e->nf < MAX_FIELDS;
	     tok = strtok_r(NULL, " \n", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		snprintf(e->key[e->nf], sizeof(e->key[0]), "%s", tok);
		snprintf(e->val[e->nf], sizeof(e->val[0]), "%s", eq + 1);
		e->nf++;
	}
	return 0;
}

/* The events of session @sid in the instance's buffer, oldest first. */
static int trace_read(uint64_t sid, struct trace *t)
{
	char line[512];
	struct tev e;
	FILE *f;

	t->n = 0;
	f = fopen(INSTANCE "/trace", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || trace_parse_line(line, &e))
			continue;
		if (tev_num(&e, "session") != (long long)sid)
			continue;
		if (t->n < MAX_EVENTS)
			t->ev[t->n++] = e;
	}
	fclose(f);
	return 0;
}

/* Index of the @nth (0-based) event @name of op @op, or -1. */
static int trace_find(const struct trace *t, const char *name, uint64_t op,
		      int nth)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->ev[i].name, name) ||
		    tev_num(&t->ev[i], "op") != (long long)op)
			continue;
		if (!nth--)
			return i;
	}
	return -1;
}

static int trace_count(const struct trace *t, const char *name, uint64_t op)
{
	int i, n = 0;

	for (i = 0; i < t->n; i++)
		n += !strcmp(t->ev[i].name, name) &&
		     tev_num(&t->ev[i], "op") == (long long)op;
	return n;
}

static void trace_dump(struct __test_metadata *_metadata,
		       const struct trace *t)
{
	int i, j;
	char buf[512];
	size_t n;

	for (i = 0; i < t->n; i++) {
		n = (size_t)snprintf(buf, sizeof(buf), "%s:", t->ev[i].name);
		for (j = 0; j < t->ev[i].nf && n < sizeof(buf); j++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      " %s=%s", t->ev[i].key[j],
					      t->ev[i].val[j]);
		TH_LOG("%s", buf);
	}
}

/* Mount tracefs if needed, make the instance, enable our events in it. */
static int trace_setup(void)
{
	int fd;

	if (access(TRACEFS "/trace", F_OK) &&
	    mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	if (access(TRACEFS "/events/vdswipe", F_OK))
		return -ENOENT;		/* no tracepoints in this module */
	if (mkdir(INSTANCE, 0755) && errno != EEXIST)
		return -errno;
	if (vt_write_file(INSTANCE "/events/vdswipe/enable", "1"))
		return -EIO;
	/* opening "trace" with O_TRUNC empties the buffer */
	fd = open(INSTANCE "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return vt_write_file(INSTANCE "/tracing_on", "1");
}

static void trace_teardown(void)
{
	/* The instance goes with its events; rmdir fails while in use. */
	vt_write_file(INSTANCE "/events/vdswipe/enable", "0");
	rmdir(INSTANCE);
}

/* The session id its fdinfo shows. */
static int session_id(int s, uint64_t *sid)
{
	char path[64], line[256];
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", s);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "vdswipe_session:\t%" SCNu64, sid) == 1)
			ret = 0;
	fclose(f);
	return ret;
}

/* "MAJ:MIN" of the block device open as @fd. */
static void devt_str(int fd, char *buf, size_t len)
{
	struct stat st;

	if (fstat(fd, &st))
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
}

/* ------------------------------------------------------------------ */

FIXTURE(tp) {
	int s;
	uint64_t sid;
	char ram0[64], ram1[64], ram2[64];
	struct trace t;
};

FIXTURE_SETUP(tp)
{
	int ret;

	self->s = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(3, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	vt_brd_path(1, self->ram1, sizeof(self->ram1));
	vt_brd_path(2, self->ram2, sizeof(self->ram2));
	ret = trace_setup();
	if (ret == -ENOENT)
		SKIP(return, "no events/vdswipe in tracefs");
	ASSERT_EQ(0, ret) TH_LOG("tracefs: %s", strerror(-ret));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	ASSERT_EQ(0, session_id(self->s, &self->sid));
}

FIXTURE_TEARDOWN(tp)
{
	if (self->s >= 0)
		close(self->s);
	trace_teardown();
	vt_dm_remove("vdswslow");
	vt_dm_remove("vdswerr");
	vt_brd_unload();
	EXPECT_EQ(0, vt_module_unload());
}

#define F_FULL	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)

#define ASSERT_FIELD(e, key, expect) \
	ASSERT_STREQ((expect), tev_get((e), (key)) ?: "(missing)")

/* Fields every event has: session, op, dev. */
#define ASSERT_COMMON(self, e, op, devt) do {				\
	ASSERT_EQ((long long)(self)->sid, tev_num((e), "session"));	\
	ASSERT_EQ((long long)(op), tev_num((e), "op"));			\
	ASSERT_FIELD((e), "dev", (devt));				\
} while (0)

TEST_F(tp, clean_done)
{
	const struct tev *sub, *start, *end;
	int fd, isub, istart, iend;
	uint64_t id, total;
	struct vdswipe_status st;
	char devt[32], tot[32];

	fd = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, fd);
	devt_str(fd, devt, sizeof(devt));
	ASSERT_EQ(0, vt_submit(self->s, fd, F_FULL, VDSWIPE_METHOD_ZERO, 0,
			       0, 0, &id, &total));
	ASSERT_EQ(0, vt_finish(self->s, id, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	close(fd);

	ASSERT_EQ(0, trace_read(self->sid, &self->t));
	isub = trace_find(&self->t, "op_submit", id, 0);
	istart = trace_find(&self->t, "op_start", id, 0);
	iend = trace_find(&self->t, "op_end", id, 0);
	if (isub < 0 || istart < 0 || iend < 0)
		trace_dump(_metadata, &self->t);
	ASSERT_LE(0, isub);
	ASSERT_LT(isub, istart);
	ASSERT_LT(istart, iend);
	ASSERT_EQ(1, trace_count(&self->t, "op_end", id));
	ASSERT_EQ(0, trace_count(&self->t, "io_error", id));

	sub = &self->t.ev[isub];
	ASSERT_COMMON(self, sub, id, devt);
	ASSERT_FIELD(sub, "disk", "ram0");
	ASSERT_FIELD(sub, "method", "zero");
	ASSERT_FIELD(sub, "flags", "full|force");
	ASSERT_FIELD(sub, "passes", "1");
	ASSERT_FIELD(sub, "verify", "0");
	snprintf(tot, sizeof(tot), "%llu", (unsigned long long)total);
	ASSERT_FIELD(sub, "bytes_total", tot);
	ASSERT_EQ(DEV_MIB * VT_MIB, total);

	start = &self->t.ev[istart];
	ASSERT_COMMON(self, start, id, devt);
	ASSERT_LE(0, tev_num(start, "queued_ns"));

	end = &self->t.ev[iend];
	ASSERT_COMMON(self, end, id, devt);
	ASSERT_FIELD(end, "state", "done");
	ASSERT_FIELD(end, "result", "0");
	ASSERT_FIELD(end, "bytes_done", tot);
	ASSERT_FIELD(end, "bytes_total", tot);
	ASSERT_LT(0, tev_num(end, "duration_ns"));
	ASSERT_GT(60LL * VT_NSEC_PER_SEC, tev_num(end, "duration_ns"));
}

/*
 * A running op on a slow device is cancelled: cancel (running, ret 0, the
 * owner), then its end (cancelled, -ECANCELED, part written), then
 * cancel_done (cancelled, 0). A second op queued behind it (max_active=1)
 * is cancelled while queued: it never starts and writes nothing.
 */
TEST_F(tp, cancel_running_and_queued)
{
	const struct tev *c, *d, *end;
	int slowfd, fd1, ic, id_, iend;
	uint64_t id, id2, total;
	struct vdswipe_status st;
	char slow[64], devt[32], devt1[32];

	ASSERT_EQ(0, vt_delay_create("vdswslow", self->ram0, WRITE_DELAY_MS,
				     slow, sizeof(slow)));
	slowfd = vt_open(slow, O_RDWR);
	ASSERT_LE(0, slowfd);
	fd1 = vt_open(self->ram1, O_RDWR);
	ASSERT_LE(0, fd1);
	devt_str(slowfd, devt, sizeof(devt));
	devt_str(fd1, devt1, sizeof(devt1));

	ASSERT_EQ(0, vt_submit(self->s, slowfd, F_FULL, VDSWIPE_METHOD_ZERO,
			       0, 0, 0, &id, &total));
	ASSERT_EQ(0, vt_wait_progress(self->s, id, 1, 20000, &st));
	ASSERT_EQ(0, vt_submit(self->s, fd1, F_FULL, VDSWIPE_METHOD_PATTERN,
			       0x5a, 0, 0, &id2, NULL));
	ASSERT_EQ(0, vt_cancel(self->s, id2));
	ASSERT_EQ(0, vt_cancel(self->s, id));
	ASSERT_EQ(0, vt_query(self->s, id, &st));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state);
	close(slowfd);
	close(fd1);

	ASSERT_EQ(0, trace_read(self->sid, &self->t));
	ic = trace_find(&self->t, "cancel", id, 0);
	iend = trace_find(&self->t, "op_end", id, 0);
	id_ = trace_find(&self->t, "cancel_done", id, 0);
	if (ic < 0 || iend < 0 || id_ < 0)
		trace_dump(_metadata, &self->t);
	ASSERT_LE(0, ic);
	ASSERT_LT(ic, iend);
	ASSERT_LT(iend, id_);

	c = &self->t.ev[ic];
	ASSERT_COMMON(self, c, id, devt);
	ASSERT_FIELD(c, "state", "running");
	ASSERT_FIELD(c, "ret", "0");
	ASSERT_FIELD(c, "owner", "1");

	end = &self->t.ev[iend];
	ASSERT_COMMON(self, end, id, devt);
	ASSERT_FIELD(end, "state", "cancelled");
	ASSERT_EQ(-ECANCELED, tev_num(end, "result"));
	ASSERT_EQ((long long)st.bytes_done, tev_num(end, "bytes_done"));
	ASSERT_LT(0, tev_num(end, "bytes_done"));
	ASSERT_GT((long long)total, tev_num(end, "bytes_done"));

	d = &self->t.ev[id_];
	ASSERT_COMMON(self, d, id, devt);
	ASSERT_FIELD(d, "state", "cancelled");
	ASSERT_FIELD(d, "ret", "0");

	/* The queued one: submitted, cancelled while queued, never started. */
	ASSERT_EQ(1, trace_count(&self->t, "op_submit", id2));
	ASSERT_EQ(0, trace_count(&self->t, "op_start", id2));
	ic = trace_find(&self->t, "cancel", id2, 0);
	iend = trace_find(&self->t, "op_end", id2, 0);
	id_ = trace_find(&self->t, "cancel_done", id2, 0);
	ASSERT_LE(0, ic);
	ASSERT_LT(ic, iend);
	ASSERT_LT(iend, id_);
	ASSERT_COMMON(self, &self->t.ev[ic], id2, devt1);
	ASSERT_FIELD(&self->t.ev[ic], "state", "queued");
	ASSERT_FIELD(&self->t.ev[iend], "state", "cancelled");
	ASSERT_FIELD(&self->t.ev[iend], "bytes_done", "0");
	ASSERT_FIELD(&self->t.ev[id_], "ret", "0");
	ASSERT_FIELD(&self->t.ev[trace_find(&self->t, "op_submit", id2, 0)],
		     "method", "pattern");

	/* A second cancel of an ended op: refused at once, and said so. */
	ASSERT_EQ(-ECANCELED, vt_cancel(self->s, id));
	ASSERT_EQ(0, trace_read(self->sid, &self->t));
	ic = trace_find(&self->t, "cancel", id, 1);
	id_ = trace_find(&self->t, "cancel_done", id, 1);
	ASSERT_LE(0, ic);
	ASSERT_LT(ic, id_);
	ASSERT_FIELD(&self->t.ev[ic], "state", "cancelled");
	ASSERT_EQ(-ECANCELED, tev_num(&self->t.ev[ic], "ret"));
	ASSERT_FIELD(&self->t.ev[ic], "owner", "0");
	ASSERT_EQ(-ECANCELED, tev_num(&self->t.ev[id_], "ret"));
}

/*
 * The first ERR_GOOD bytes are ram2, the rest the error target: every
 * write there fails with EIO. io_error reports each failed bio, the lowest
 * at ERR_GOOD exactly; the end says FAILED, -EIO, ERR_GOOD bytes done.
 */
TEST_F(tp, io_error)
{
	char table[256], dev[64], devt[32];
	const struct tev *end;
	int fd, i, n = 0, iend;
	long long lowest = -1, off;
	struct vdswipe_status st;
	uint64_t id;

	snprintf(table, sizeof(table), "0 %llu linear %s 0\n%llu %llu error",
		 (unsigned long long)(ERR_GOOD >> 9), self->ram2,
		 (unsigned long long)(ERR_GOOD >> 9),
		 (unsigned long long)((ERR_SIZE - ERR_GOOD) >> 9));
	i = vt_dm_create("vdswerr", table, dev, sizeof(dev));
	if (i)
		SKIP(return, "no dm error target (%s)", strerror(-i));
	fd = vt_open(dev, O_RDWR);
	ASSERT_LE(0, fd);
	devt_str(fd, devt, sizeof(devt));
	ASSERT_EQ(0, vt_submit(self->s, fd, F_FULL, VDSWIPE_METHOD_ZERO, 0,
			       0, 0, &id, NULL));
	ASSERT_EQ(0, vt_finish(self->s, id, 20000, &st));
	close(fd);
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state);
	ASSERT_EQ(-EIO, st.result);

	ASSERT_EQ(0, trace_read(self->sid, &self->t));
	iend = trace_find(&self->t, "op_end", id, 0);
	ASSERT_LE(0, iend);
	for (i = 0; i < self->t.n; i++) {
		const struct tev *e = &self->t.ev[i];

		if (strcmp(e->name, "io_error"))
			continue;
		ASSERT_COMMON(self, e, id, devt);
		ASSERT_EQ(-EIO, tev_num(e, "err"));
		off = tev_num(e, "offset");
		ASSERT_LE((long long)ERR_GOOD, off);
		ASSERT_GT((long long)ERR_SIZE, off);
		ASSERT_EQ(0, off % 512);
		ASSERT_LT(i, iend);	/* reported before the end */
		if (lowest < 0 || off < lowest)
			lowest = off;
		n++;
	}
	if (!n)
		trace_dump(_metadata, &self->t);
	ASSERT_LT(0, n);
	ASSERT_EQ((long long)ERR_GOOD, lowest);
	ASSERT_EQ((long long)st.error_offset, lowest);

	end = &self->t.ev[iend];
	ASSERT_COMMON(self, end, id, devt);
	ASSERT_FIELD(end, "state", "failed");
	ASSERT_EQ(-EIO, tev_num(end, "result"));
	ASSERT_EQ((long long)ERR_GOOD, tev_num(end, "bytes_done"));
	ASSERT_EQ((long long)ERR_SIZE, tev_num(end, "bytes_total"));
}

/* SANITIZE (when the module has it): the passes and verification fields. */
TEST_F(tp, sanitize)
{
	struct vdswipe_sanitize z = {
		.flags = VDSWIPE_CLEAN_RANGE | VDSWIPE_CLEAN_FORCE,
		.offset = VT_MIB,
		.length = VT_MIB,
		.nr_passes = 2,
		.verify = VDSWIPE_VERIFY_LAST,
		.sample_pct = 100,
		.passes = {
			{ VDSWIPE_METHOD_RANDOM, 0 },
			{ VDSWIPE_METHOD_PATTERN, 0x77 },
		},
	};
	const struct tev *sub, *end;
	struct vdswipe_version ver;
	struct vdswipe_status st;
	char devt[32];
	int fd, ret;

	fd = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, fd);
	devt_str(fd, devt, sizeof(devt));
	z.fd = fd;
	if (ioctl(self->s, VDSWIPE_IOC_SANITIZE, &z)) {
		ret = -errno;
		close(fd);
		/* Until the module advertises it, the engine may lack it. */
		if (ret == -ENOTTY && vt_version(self->s, &ver) == 0 &&
		    !(ver.features & VDSWIPE_FEAT_SANITIZE))
			SKIP(return, "no VDSWIPE_IOC_SANITIZE in this module");
		ASSERT_EQ(0, ret);
	}
	ASSERT_EQ(3 * VT_MIB, z.bytes_total);
	ASSERT_EQ(0, vt_finish(self->s, z.op_id, 20000, &st));
	close(fd);
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);

	ASSERT_EQ(0, trace_read(self->sid, &self->t));
	ASSERT_EQ(1, trace_count(&self->t, "op_submit", z.op_id));
	ASSERT_EQ(1, trace_count(&self->t, "op_end", z.op_id));
	sub = &self->t.ev[trace_find(&self->t, "op_submit", z.op_id, 0)];
	ASSERT_COMMON(self, sub, z.op_id, devt);
	ASSERT_FIELD(sub, "method", "random");
	ASSERT_FIELD(sub, "flags", "force|range");
	ASSERT_FIELD(sub, "passes", "2");
	ASSERT_FIELD(sub, "verify", "1");
	ASSERT_EQ(3LL * VT_MIB, tev_num(sub, "bytes_total"));
	end = &self->t.ev[trace_find(&self->t, "op_end", z.op_id, 0)];
	ASSERT_FIELD(end, "state", "done");
	ASSERT_EQ(3LL * VT_MIB, tev_num(end, "bytes_done"));
	ASSERT_EQ(3LL * VT_MIB, tev_num(end, "bytes_total"));
}

/* The binary layout perf and trace-cmd read: every documented field. */
TEST_F(tp, formats)
{
	static const struct {
		const char *event;
		const char *fields;
	} fmt[] = {
		{ "vdswipe_op_submit", "session op dev disk method flags nr_passes verify bytes_total" },
		{ "vdswipe_op_start", "session op dev queued_ns" },
		{ "vdswipe_cancel", "session op dev state ret owner" },
		{ "vdswipe_cancel_done", "session op dev state ret" },
		{ "vdswipe_io_error", "session op dev offset err" },
		{ "vdswipe_op_end", "session op dev state result bytes_done bytes_total duration_ns" },
	};
	char path[160], buf[4096], want[64], list[128], *tok, *save;
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		snprintf(path, sizeof(path), INSTANCE "/events/vdswipe/%s/format",
			 fmt[i].event);
		ASSERT_LT(0, vt_read_file(path, buf, sizeof(buf)))
			TH_LOG("%s", path);
		snprintf(list, sizeof(list), "%s", fmt[i].fields);
		for (tok = strtok_r(list, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			/* "field:u64 session;" or "field:char disk[32];" */
			snprintf(want, sizeof(want), " %s;", tok);
			if (!strstr(buf, want)) {
				snprintf(want, sizeof(want), " %s[", tok);
				ASSERT_NE(NULL, strstr(buf, want))
					TH_LOG("%s: no field %s", fmt[i].event, tok);
			}
		}
	}
}

TEST_HARNESS_MAIN
