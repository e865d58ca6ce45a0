// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics a person reads without our tools
 * (Documentation/userspace-api/vdswipe.rst, "Observability"):
 *
 *  - the module-wide counters in /sys/class/misc/vdswipe/stats/: their
 *    exact deltas for an op that completes, one that fails with an I/O
 *    error and two that are cancelled (running and queued), and the
 *    queued/running gauges while ops wait and run;
 *  - a session's /proc/PID/fdinfo/FD: its id, privilege, op count and one
 *    "op:" line per op it holds, for ops queued, running and ended, and
 *    after RELEASE.
 *
 * One op runs at a time (max_active=1) in 256 KiB chunks; the slow device
 * is a dm-delay table that holds every write for WRITE_DELAY_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"
#include "fdinfo.h"

#define MOD_PARAMS	"max_active=1 chunk_size=262144"
#define DEV_MIB		16
#define ERR_GOOD	(4 * VT_MIB)
#define ERR_SIZE	(8 * VT_MIB)
#define WRITE_DELAY_MS	300
#define STATS_DIR	"/sys/class/misc/vdswipe/stats"

/* ------------------------------------------------------------------ */
/* Counters                                                           */
/* ------------------------------------------------------------------ */

enum {
	C_SUBMITTED, C_DONE, C_FAILED, C_CANCELLED, C_QUEUED, C_RUNNING,
	C_BYTES, NR_C
};

static const char *const cnames[NR_C] = {
	"ops_submitted", "ops_done", "ops_failed", "ops_cancelled",
	"ops_queued", "ops_running", "bytes_written",
};

struct counters {
	uint64_t v[NR_C];
};

static int counters_read(struct counters *c)
{
	char path[128];
	int i, ret;

	for (i = 0; i < NR_C; i++) {
		snprintf(path, sizeof(path), STATS_DIR "/%s", cnames[i]);
		ret = vt_read_u64(path, &c->v[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Every counter moved by exactly @d[i] since @before. */
#define ASSERT_DELTAS(before, ...) do {					\
	const int64_t _d[NR_C] = { __VA_ARGS__ };			\
	struct counters _now;						\
	int _i;								\
	ASSERT_EQ(0, counters_read(&_now));				\
	for (_i = 0; _i < NR_C; _i++)					\
		ASSERT_EQ((before).v[_i] + _d[_i], _now.v[_i])		\
			TH_LOG("counter %d", _i);			\
} while (0)

/* ------------------------------------------------------------------ */
/* fdinfo                                                             */
/* ------------------------------------------------------------------ */

#define MAX_OPS	8

struct fdinfo {
	uint64_t session;
	int admin;
	unsigned int nr_ops;
	int n;			/* "op:" lines */
	struct vdsw_fdinfo_op op[MAX_OPS];
};

/* Parse /proc/self/fdinfo/@fd; -EINVAL on a line of ours out of format. */
static int fdinfo_read(int fd, struct fdinfo *fi)
{
	char path[64], line[512];
	int ret = 0, have = 0;
	FILE *f;

	memset(fi, 0, sizeof(*fi));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "vdswipe_session:\t%" SCNu64, &fi->session) == 1)
			have |= 1;
		else if (sscanf(line, "admin:\t%d", &fi->admin) == 1)
			have |= 2;
		else if (sscanf(line, "ops:\t%u", &fi->nr_ops) == 1)
			have |= 4;
		else if (!strncmp(line, "op:\t", 4)) {
			if (fi->n == MAX_OPS ||
			    vdsw_fdinfo_parse_op(line + 4, &fi->op[fi->n++]) !=
			    VDSW_FDINFO_OP_KEYS)
				ret = -EINVAL;
		}
	}
	fclose(f);
	return ret ? ret : have == 7 ? 0 : -ENOENT;
}

static const struct vdsw_fdinfo_op *fdinfo_op(const struct fdinfo *fi, uint64_t id)
{
	int i;

	for (i = 0; i < fi->n; i++)
		if (fi->op[i].id == id)
			return &fi->op[i];
	return NULL;
}

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

/* The slow device is over ram0; the tests open what they need. */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 3,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswslow",
	.slow_disk = 0,
	.write_delay_ms = WRITE_DELAY_MS,
	.session = true,
};

FIXTURE(stats) {
	struct vt_rig rig;
	char err[64];
	struct counters before;
};

FIXTURE_SETUP(stats)
{
	if (!vt_rig_setup(_metadata, &self->rig, &rig_opts))
		return;
	ASSERT_EQ(0, counters_read(&self->before));
}

FIXTURE_TEARDOWN(stats)
{
	vt_rig_close(&self->rig);
	vt_dm_remove("vdswerr");
	vt_dm_remove("vdswrw");
	vt_rig_teardown(_metadata, &self->rig);
}

#define F_FULL	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)

/* A fresh module: all zero; the files are world-readable. */
TEST_F(stats, files)
{
	char path[128];
	struct stat st;
	int i;

	for (i = 0; i < NR_C; i++) {
		ASSERT_EQ(0, self->before.v[i]) TH_LOG("%s", cnames[i]);
		snprintf(path, sizeof(path), STATS_DIR "/%s", cnames[i]);
		ASSERT_EQ(0, stat(path, &st));
		ASSERT_EQ(0444, st.st_mode & 0777) TH_LOG("%s", cnames[i]);
	}
}

TEST_F(stats, done)
{
	struct vdswipe_status st;
	uint64_t id, total;
	int fd;

	fd = vt_open(self->rig.ram[1], O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->rig.s, fd, F_FULL, VDSWIPE_METHOD_PATTERN,
			       0x5a, 0, 0, &id, &total));
	ASSERT_EQ(0, vt_finish(self->rig.s, id, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_DELTAS(self->before, 1, 1, 0, 0, 0, 0, (int64_t)total);

	/* A quick zero clean: the first and last MiB. */
	ASSERT_EQ(0, vt_submit(self->rig.s, fd, VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &id, NULL));
	ASSERT_EQ(0, vt_finish(self->rig.s, id, 20000, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	ASSERT_DELTAS(self->before, 2, 2, 0, 0, 0, 0,
		      (int64_t)(total + 2 * VT_MIB));
	close(fd);
}

TEST_F(stats, failed)
{
	struct vdswipe_status st;
	char table[256];
	uint64_t id;
	int fd, ret;

	snprintf(table, sizeof(table), "0 %llu linear %s 0\n%llu %llu error",
		 (unsigned long long)(ERR_GOOD >> 9), self->rig.ram[2],
		 (unsigned long long)(ERR_GOOD >> 9),
		 (unsigned long long)((ERR_SIZE - ERR_GOOD) >> 9));
	ret = vt_dm_create("vdswerr", table, self->err, sizeof(self->err));
	if (ret)
		SKIP(return, "no dm error target (%s)", strerror(-ret));
	fd = vt_open(self->err, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->rig.s, fd, F_FULL, VDSWIPE_METHOD_ZERO, 0,
			       0, 0, &id, NULL));
	ASSERT_EQ(0, vt_finish(self->rig.s, id, 20000, &st));
	close(fd);
	ASSERT_EQ(VDSWIPE_STATE_FAILED, st.state);
	ASSERT_EQ(ERR_GOOD, st.bytes_done);
	/* Only the writes that succeeded count as written. */
	ASSERT_DELTAS(self->before, 1, 0, 1, 0, 0, 0, (int64_t)ERR_GOOD);
}

/*
 * A running op and one queued behind it: the gauges say so; both are
 * cancelled; what the running one wrote is counted.
 */
TEST_F(stats, cancelled)
{
	struct vdswipe_status st;
	struct counters now;
	uint64_t id, id2;
	int slowfd, fd;

	slowfd = vt_open(self->rig.slow, O_RDWR);
	ASSERT_LE(0, slowfd);
	fd = vt_open(self->rig.ram[1], O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(self->rig.s, slowfd, F_FULL, VDSWIPE_METHOD_ZERO,
			       0, 0, 0, &id, NULL));
	ASSERT_EQ(0, vt_wait_progress(self->rig.s, id, 1, 20000, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, fd, F_FULL, VDSWIPE_METHOD_ZERO, 0,
			       0, 0, &id2, NULL));
	/* The gauges; bytes_written moves while the op runs. */
	ASSERT_EQ(0, counters_read(&now));
	ASSERT_EQ(self->before.v[C_SUBMITTED] + 2, now.v[C_SUBMITTED]);
	ASSERT_EQ(self->before.v[C_QUEUED] + 1, now.v[C_QUEUED]);
	ASSERT_EQ(self->before.v[C_RUNNING] + 1, now.v[C_RUNNING]);
	ASSERT_EQ(self->before.v[C_CANCELLED], now.v[C_CANCELLED]);
	ASSERT_LE(self->before.v[C_BYTES] + st.bytes_done, now.v[C_BYTES]);

	ASSERT_EQ(0, vt_cancel(self->rig.s, id2));
	ASSERT_EQ(0, vt_cancel(self->rig.s, id));
	ASSERT_EQ(0, vt_query(self->rig.s, id, &st));
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, st.state);
	ASSERT_LT(0, st.bytes_done);
	ASSERT_DELTAS(self->before, 2, 0, 0, 2, 0, 0, (int64_t)st.bytes_done);
	close(slowfd);
	close(fd);
}

/*
 * One session holding an ended op, a running one and a queued one; its
 * fdinfo shows each as QUERY does. RELEASE drops the ended one's line;
 * a second session has its own, larger id and no op.
 */
TEST_F(stats, fdinfo)
{
	char devt_slow[32], devt1[32], slowname[32];
	const struct vdsw_fdinfo_op *a, *b, *c;
	uint64_t ida, idb, idc, tota, totb, totc;
	struct vdswipe_status st;
	struct fdinfo fi, fi2;
	int slowfd, fd1, s2;

	slowfd = vt_open(self->rig.slow, O_RDWR);
	ASSERT_LE(0, slowfd);
	fd1 = vt_open(self->rig.ram[1], O_RDWR);
	ASSERT_LE(0, fd1);
	devt_str(slowfd, devt_slow, sizeof(devt_slow));
	devt_str(fd1, devt1, sizeof(devt1));
	/* "/dev/mapper/vdswslow" or "/dev/dm-N": the kernel says dm-N */
	snprintf(slowname, sizeof(slowname), "dm-%s", strchr(devt_slow, ':') + 1);

	ASSERT_EQ(0, fdinfo_read(self->rig.s, &fi));
	ASSERT_EQ(1, fi.admin);
	ASSERT_EQ(0, fi.nr_ops);
	ASSERT_EQ(0, fi.n);

	ASSERT_EQ(0, vt_submit(self->rig.s, fd1, VDSWIPE_CLEAN_FORCE,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &ida, &tota));
	ASSERT_EQ(0, vt_finish(self->rig.s, ida, 20000, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, slowfd, F_FULL, VDSWIPE_METHOD_ZERO,
			       0, 0, 0, &idb, &totb));
	ASSERT_EQ(0, vt_wait_progress(self->rig.s, idb, 1, 20000, &st));
	ASSERT_EQ(0, vt_submit(self->rig.s, fd1, F_FULL, VDSWIPE_METHOD_PATTERN,
			       0xc3, 0, 0, &idc, &totc));

	ASSERT_EQ(0, fdinfo_read(self->rig.s, &fi));
	ASSERT_LT(0, fi.session);
	ASSERT_EQ(3, fi.nr_ops);
	ASSERT_EQ(3, fi.n);
	/* by id */
	ASSERT_EQ(ida, fi.op[0].id);
	ASSERT_EQ(idb, fi.op[1].id);
	ASSERT_EQ(idc, fi.op[2].id);

	a = fdinfo_op(&fi, ida);
	ASSERT_NE(NULL, a);
	ASSERT_STREQ("ram1", a->dev);
	ASSERT_STREQ(devt1, a->devt);
	ASSERT_STREQ("zero", a->method);
	ASSERT_STREQ("done", a->state);
	ASSERT_STREQ("1/1", a->pass);
	ASSERT_STREQ("none", a->phase);
	ASSERT_EQ(2 * VT_MIB, tota);
	ASSERT_EQ(tota, a->bytes_done);
	ASSERT_EQ(tota, a->bytes_total);
	ASSERT_EQ(100, a->percent);
	ASSERT_EQ(0, a->result);

	b = fdinfo_op(&fi, idb);
	ASSERT_NE(NULL, b);
	ASSERT_STREQ(slowname, b->dev);
	ASSERT_STREQ(devt_slow, b->devt);
	ASSERT_STREQ("zero", b->method);
	ASSERT_STREQ("running", b->state);
	ASSERT_STREQ("1/1", b->pass);
	ASSERT_STREQ("write", b->phase);
	ASSERT_LE(st.bytes_done, b->bytes_done);
	ASSERT_GT(totb, b->bytes_done);
	ASSERT_EQ(totb, b->bytes_total);
	ASSERT_EQ(b->bytes_done * 100 / totb, b->percent);
	ASSERT_GT(100, b->percent);
	ASSERT_EQ(0, b->result);

	c = fdinfo_op(&fi, idc);
	ASSERT_NE(NULL, c);
	ASSERT_STREQ("ram1", c->dev);
	ASSERT_STREQ("pattern", c->method);
	ASSERT_STREQ("queued", c->state);
	ASSERT_STREQ("0/1", c->pass);
	ASSERT_STREQ("none", c->phase);
	ASSERT_EQ(0, c->bytes_done);
	ASSERT_EQ(totc, c->bytes_total);
	ASSERT_EQ(0, c->percent);

	/* Cancelled, and the ended op released. */
	ASSERT_EQ(0, vt_cancel_all(self->rig.s, NULL));
	ASSERT_EQ(0, vt_release(self->rig.s, ida));
	ASSERT_EQ(0, fdinfo_read(self->rig.s, &fi2));
	ASSERT_EQ(fi.session, fi2.session);
	ASSERT_EQ(2, fi2.nr_ops);
	ASSERT_EQ(2, fi2.n);
	ASSERT_EQ(NULL, fdinfo_op(&fi2, ida));
	b = fdinfo_op(&fi2, idb);
	ASSERT_NE(NULL, b);
	ASSERT_STREQ("cancelled", b->state);
	ASSERT_EQ(-ECANCELED, b->result);
	ASSERT_STREQ("none", b->phase);
	c = fdinfo_op(&fi2, idc);
	ASSERT_NE(NULL, c);
	ASSERT_STREQ("cancelled", c->state);
	ASSERT_EQ(-ECANCELED, c->result);
	ASSERT_EQ(0, c->bytes_done);

	s2 = vt_session_open();
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, fdinfo_read(s2, &fi2));
	ASSERT_LT(fi.session, fi2.session);
	ASSERT_EQ(0, fi2.nr_ops);
	ASSERT_EQ(0, fi2.n);
	close(s2);
	close(slowfd);
	close(fd1);
}

/*
 * SANITIZE (when the module has it): two passes, each verified, over 4 MiB
 * of a device that delays reads and writes alike, so that each pass and
 * phase lasts long enough to be seen. fdinfo shows them in order, with the
 * method of the pass and a percent that only grows; the counters count the
 * writes, not the reads.
 */
TEST_F(stats, sanitize_passes)
{
	struct vdswipe_sanitize z = {
		.flags = VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_RANGE |
			 VDSWIPE_CLEAN_FORCE,
		.offset = 0,
		.length = 4 * VT_MIB,
		.nr_passes = 2,
		.verify = VDSWIPE_VERIFY_ALL,
		.sample_pct = 100,
		.passes = {
			{ VDSWIPE_METHOD_ZERO, 0 },
			{ VDSWIPE_METHOD_PATTERN, 0x5a },
		},
	};
	static const char *const want[] = {
		"1/2 write zero", "1/2 verify zero",
		"2/2 write pattern", "2/2 verify pattern",
	};
	char table[256], dev[64], seen[8][48], now[48];
	uint64_t start = vt_now_ns();
	unsigned int last_pct = 0;
	struct vdswipe_version ver;
	const struct vdsw_fdinfo_op *o;
	struct fdinfo fi;
	int fd, ret, nseen = 0, i;

	snprintf(table, sizeof(table), "0 %llu delay %s 0 100 %s 0 100",
		 (unsigned long long)(DEV_MIB * VT_MIB >> 9), self->rig.ram[2],
		 self->rig.ram[2]);
	ret = vt_dm_create("vdswrw", table, dev, sizeof(dev));
	if (ret)
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	fd = vt_open(dev, O_RDWR);
	ASSERT_LE(0, fd);
	z.fd = fd;
	if (ioctl(self->rig.s, VDSWIPE_IOC_SANITIZE, &z)) {
		ret = -errno;
		close(fd);
		vt_dm_remove("vdswrw");
		/* Until the module advertises it, the engine may lack it. */
		if (ret == -ENOTTY && vt_version(self->rig.s, &ver) == 0 &&
		    !(ver.features & VDSWIPE_FEAT_SANITIZE))
			SKIP(return, "no VDSWIPE_IOC_SANITIZE in this module");
		ASSERT_EQ(0, ret);
	}
	ASSERT_EQ(16 * VT_MIB, z.bytes_total);

	for (;;) {
		ASSERT_EQ(0, fdinfo_read(self->rig.s, &fi));
		o = fdinfo_op(&fi, z.op_id);
		ASSERT_NE(NULL, o);
		ASSERT_EQ(z.bytes_total, o->bytes_total);
		ASSERT_LE(last_pct, o->percent);
		last_pct = o->percent;
		if (strcmp(o->state, "running") && strcmp(o->state, "queued"))
			break;
		/* queued, or started and not yet in its first pass */
		if (!strcmp(o->state, "queued") || !strncmp(o->pass, "0/", 2))
			goto next;
		snprintf(now, sizeof(now), "%s %s %s", o->pass, o->phase,
			 o->method);
		if ((!nseen || strcmp(seen[nseen - 1], now)) && nseen < 8)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", now);
next:
		ASSERT_GT(30000, vt_ms_since(start));
		vt_sleep_ms(5);
	}
	close(fd);
	vt_dm_remove("vdswrw");

	for (i = 0; i < nseen; i++)
		TH_LOG("seen: %s", seen[i]);
	ASSERT_EQ(4, nseen);
	for (i = 0; i < 4; i++)
		ASSERT_STREQ(want[i], seen[i]);
	ASSERT_STREQ("done", o->state);
	ASSERT_STREQ("2/2", o->pass);
	ASSERT_STREQ("none", o->phase);
	ASSERT_STREQ("pattern", o->method);
	ASSERT_EQ(100, o->percent);
	ASSERT_EQ(z.bytes_total, o->bytes_done);
	ASSERT_DELTAS(self->before, 1, 1, 0, 0, 0, 0, (int64_t)(8 * VT_MIB));
}

TEST_HARNESS_MAIN
