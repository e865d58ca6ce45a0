// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe-bench: the vdswipe side of `make bench`, run inside the VM by
 * bench/guest. It drives /dev/vdswipe with the raw ioctls and times them
 * with CLOCK_MONOTONIC; every command prints one JSON object on stdout.
 *
 *   version                         the loaded module's parameters
 *   time LOG -- CMD [ARG...]        run CMD (output to LOG): wall time,
 *                                   the guest's CPU time meanwhile (busy
 *                                   jiffies of every CPU in /proc/stat,
 *                                   kernel threads included) and the
 *                                   child's own rusage
 *   clean DEV...                    full zero clean of each DEV at once;
 *                                   also each op's "chunk" and
 *                                   "inflight_max" from the session's
 *                                   fdinfo once it runs (null where the
 *                                   module does not print them)
 *   random DEV...                   full clean with METHOD_RANDOM (one pass,
 *                                   VDSWIPE_IOC_CLEAN), each DEV at once
 *   verify DEV [PCT]                VDSWIPE_IOC_SANITIZE with VERIFY_ONLY:
 *                                   DEV must hold zeros, read back in full
 *                                   (or PCT% of the chunks)
 *   chunkwrite DEV BYTES N          N sequential O_DIRECT writes, QD 1
 *   cancel-running DEV N SEED MIN_US MAX_US
 *                                   full cleans, each cancelled after a
 *                                   random delay once it runs, until N
 *                                   cancels found it running (and the
 *                                   ops' chunk and inflight_max, as clean)
 *   ctl SLOWDEV DEV BATCHES PER_BATCH [range]
 *                                   needs max_active=1: keeps SLOWDEV busy,
 *                                   then alternates a batch of VERSION calls
 *                                   with a batch of submit+cancel+release of
 *                                   (queued) ops on DEV; with "range", ops
 *                                   of 4 KiB on a DEV another op holds
 *   zeroout DEV                     BLKZEROOUT of all of DEV, timed
 *   wakeup N                        cross-CPU wakeup latency through a pipe
 *   scale SLOWDEV disks PREFIX N | scale SLOWDEV range DEV N
 *                                   needs max_active=1, max_ops >= N: N
 *                                   queued ops in one session, one on each of
 *                                   PREFIX0..PREFIX<N-1>, or N ranged ops of
 *                                   4 KiB on DEV; slab before and after, then
 *                                   cancel-all
 *
 * Devices are opened O_WRONLY (not O_EXCL: the op claims them itself).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/vdswipe.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ioc.h"
#include "fdinfo.h"

#define VDSWIPE_DEV	"/dev/vdswipe"
#define FULL_FORCE	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vdswipe-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static void __attribute__((noreturn)) usage(const char *name);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { ns / 1000000000ull, ns % 1000000000ull };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t xstrtou64(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("not a number: %s", s);
	return v;
}

/* xorshift64*: reproducible random delays from a seed */
static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* ------------------------------------------------------------------ */
/* A growable array of u64 samples, printed as a JSON array. */

struct vec {
	uint64_t *v;
	size_t n, cap;
};

static void vec_push(struct vec *a, uint64_t x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 256;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (!a->v)
			die("out of memory");
	}
	a->v[a->n++] = x;
}

static void vec_print(const char *key, const struct vec *a)
{
	size_t i;

	printf("\"%s\":[", key);
	for (i = 0; i < a->n; i++)
		printf("%s%" PRIu64, i ? "," : "", a->v[i]);
	printf("]");
}

static void ivec_print(const char *key, const struct vec *a)
{
	size_t i;

	printf("\"%s\":[", key);
	for (i = 0; i < a->n; i++)
		printf("%s%" PRId64, i ? "," : "", (int64_t)a->v[i]);
	printf("]");
}

/* ------------------------------------------------------------------ */
/* vdswipe ioctls */

static int vds_open(void)
{
	int fd = open(VDSWIPE_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", VDSWIPE_DEV, strerror(errno));
	return fd;
}

static int dev_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

/*
 * A full clean (zeros, or clean_method) of [off, off + len), or of the whole device when len is
 * 0. Returns 0 or -errno; *id and *total on success.
 */
static uint32_t clean_method = VDSWIPE_METHOD_ZERO;	/* "random": _RANDOM */

static int vds_clean_range(int s, int devfd, uint64_t off, uint64_t len,
			   uint64_t *id, uint64_t *total)
{
	struct vdswipe_clean c = {
		.fd = devfd,
		.flags = FULL_FORCE | (len ? VDSWIPE_CLEAN_RANGE : 0),
		.method = clean_method,
		.offset = off,
		.length = len,
	};

	int ret = vdsw_ioc_clean(s, &c);

	if (ret)
		return ret;
	*id = c.op_id;
	if (total)
		*total = c.bytes_total;
	return 0;
}

static int vds_clean(int s, int devfd, uint64_t *id, uint64_t *total)
{
	return vds_clean_range(s, devfd, 0, 0, id, total);
}

static void vds_wait(int s, uint64_t id)
{
	int ret;

	while ((ret = vdsw_ioc_wait(s, id, VDSWIPE_WAIT_INFINITE)))
		if (ret != -EINTR)
			die("WAIT %" PRIu64 ": %s", id, strerror(-ret));
}

static void vds_query(int s, uint64_t id, struct vdswipe_status *st)
{
	int ret = vdsw_ioc_query(s, id, st);

	if (ret)
		die("QUERY %" PRIu64 ": %s", id, strerror(-ret));
}

static void vds_version(int s, struct vdswipe_version *v)
{
	int ret = vdsw_ioc_version(s, v);

	if (ret)
		die("VERSION: %s", strerror(-ret));
}

/*
 * Polls, sleeping 20 us in between, until the op leaves QUEUED; returns its
 * state. (Spinning with sched_yield() can starve the worker when both land
 * on one vCPU.)
 */
static uint32_t wait_started(int s, uint64_t id)
{
	struct vdswipe_status st;

	for (;;) {
		vds_query(s, id, &st);
		if (st.state != VDSWIPE_STATE_QUEUED)
			return st.state;
		sleep_ns(20000);
	}
}

static const char *state_name(uint32_t s)
{
	switch (s) {
	case VDSWIPE_STATE_QUEUED: return "queued";
	case VDSWIPE_STATE_RUNNING: return "running";
	case VDSWIPE_STATE_DONE: return "done";
	case VDSWIPE_STATE_FAILED: return "failed";
	case VDSWIPE_STATE_CANCELLED: return "cancelled";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/*
 * The per-device I/O sizing of an op, as the module prints it on the op's
 * line of the session's fdinfo from submit on: "chunk=BYTES
 * inflight_max=BYTES" (bytes per submission, most bytes in flight), read
 * with the tool's own fdinfo parser. Older modules print neither.
 */
struct op_io {
	uint64_t chunk, inflight_max;	/* 0: not (yet) printed */
	char state[16];			/* "" if the op's line is not found */
};

/* reads /proc/self/fdinfo/<s>: the op line of op id into *io */
static void op_io_read(int s, uint64_t id, struct op_io *io)
{
	struct vdsw_fdinfo_op o;
	char path[64];

	memset(io, 0, sizeof(*io));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", s);
	if (vdsw_fdinfo_find_op(path, id, &o) < 0)
		return;
	snprintf(io->state, sizeof(io->state), "%s", o.state);
	io->chunk = o.chunk;
	io->inflight_max = o.inflight_max;
}

/*
 * Polls op id's fdinfo line (100 us apart) until the op runs, then takes
 * chunk and inflight_max; a few more reads if the running op does not show
 * them yet, then gives up (an older module never does). Bounded: at most
 * about 60 reads, so it costs the timed op next to nothing.
 */
static void op_io_sample(int s, uint64_t id, struct op_io *io)
{
	int i, after = 0;

	for (i = 0; i < 60; i++) {
		op_io_read(s, id, io);
		if (io->chunk)
			return;
		if (!io->state[0] || strcmp(io->state, "queued")) {
			/* running (or already over) without the keys */
			if (++after > 3 || (io->state[0] &&
					    strcmp(io->state, "running")))
				return;
		}
		sleep_ns(100000);
	}
}

static void op_io_print(const struct op_io *io)
{
	if (io->chunk)
		printf("\"chunk\":%" PRIu64 ",", io->chunk);
	else
		printf("\"chunk\":null,");
	if (io->inflight_max)
		printf("\"inflight_max\":%" PRIu64, io->inflight_max);
	else
		printf("\"inflight_max\":null");
}

static int cmd_version(int argc, char **argv)
{
	struct vdswipe_version v;
	int s = vds_open();

	(void)argc;	/* takes no arguments, ignores any */
	(void)argv;
	vds_version(s, &v);
	printf("{\"abi\":%u,\"max_ops\":%u,\"features\":%" PRIu64
	       ",\"chunk_size\":%u,\"queue_depth\":%u,\"max_active\":%u}\n",
	       v.abi_version, v.max_ops, (uint64_t)v.features, v.chunk_size,
	       v.queue_depth, v.max_active);
	close(s);
	return 0;
}

/* busy and total jiffies of all CPUs, from /proc/stat */
static void cpu_ticks(uint64_t *busy, uint64_t *total)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int i;

	*busy = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (i = 0; i < 8; i++)
			*total += v[i];
		/* idle and iowait are not busy */
		*busy = *total - v[3] - v[4];
	}
	fclose(f);
}

static double tv_secs(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

/*
 * time LOG -- CMD...: wall time of a child process, fork to exit, and the
 * CPU time spent meanwhile: the whole guest's busy time from /proc/stat
 * (what a tool costs, whether its work runs in the process or in kernel
 * threads, as vdswipe's does) and the child's own rusage (its process
 * tree: user and system time charged to it).
 */
static int cmd_time(int argc, char **argv)
{
	uint64_t t0, t1, b0, b1, j0, j1;
	long hz = sysconf(_SC_CLK_TCK);
	struct rusage ru;
	const char *log;
	int status, fd;
	pid_t pid;

	if (argc < 3 || strcmp(argv[1], "--"))
		usage("time");
	log = argv[0];
	fflush(stdout);
	cpu_ticks(&b0, &j0);
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		execvp(argv[2], argv + 2);
		fprintf(stderr, "exec %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	t1 = now_ns();
	cpu_ticks(&b1, &j1);
	if (hz <= 0)
		hz = 100;
	printf("{\"secs\":%.6f,\"status\":%d,\"cpu_busy_secs\":%.3f,"
	       "\"cpu_total_secs\":%.3f,\"child_utime\":%.3f,"
	       "\"child_stime\":%.3f}\n", (t1 - t0) / 1e9,
	       WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status),
	       (double)(b1 - b0) / hz, (double)(j1 - j0) / hz,
	       tv_secs(&ru.ru_utime), tv_secs(&ru.ru_stime));
	return 0;
}

/*
 * clean DEV...: submit a full zero clean (random DEV...: a one-pass
 * METHOD_RANDOM clean) on every device in one session, wait for all. Prints the time from the first submit until the last op
 * ended, and each op's own.
 */
static int cmd_clean(int argc, char **argv)
{
	int n = argc, i, s, fds[64], ok = 1;
	uint64_t ids[64], tot[64], tend[64], t0, bytes = 0, b0, b1, j0, j1;
	struct vdswipe_status st[64];
	static struct op_io io[64];

	if (n < 1 || n > 64)
		usage("clean");
	s = vds_open();
	for (i = 0; i < n; i++)
		fds[i] = dev_open(argv[i]);
	cpu_ticks(&b0, &j0);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int r = vds_clean(s, fds[i], &ids[i], &tot[i]);

		if (r)
			die("CLEAN %s: %s", argv[i], strerror(-r));
	}
	/* the I/O sizing of each op, from fdinfo as soon as it runs */
	for (i = 0; i < n; i++)
		op_io_sample(s, ids[i], &io[i]);
	for (i = 0; i < n; i++) {
		vds_wait(s, ids[i]);
		tend[i] = now_ns();
	}
	cpu_ticks(&b1, &j1);
	for (i = 0; i < n; i++) {
		vds_query(s, ids[i], &st[i]);
		if (st[i].state != VDSWIPE_STATE_DONE)
			ok = 0;
		bytes += st[i].bytes_done;
	}
	printf("{\"method\":%u,\"secs\":%.6f,\"bytes\":%" PRIu64 ",\"ok\":%s,"
	       "\"cpu_busy\":%.3f,", clean_method,
	       (tend[n - 1] > t0 ? tend[n - 1] - t0 : 0) / 1e9, bytes,
	       ok ? "true" : "false",
	       j1 > j0 ? (double)(b1 - b0) / (j1 - j0) : 0.0);
	op_io_print(&io[0]);	/* the first op's, at the top for one device */
	printf(",\"ops\":[");
	for (i = 0; i < n; i++) {
		printf("%s{\"dev\":\"%s\",\"secs\":%.6f,\"bytes_total\":%" PRIu64
		       ",\"bytes_done\":%" PRIu64 ",\"state\":\"%s\",\"result\":%d,",
		       i ? "," : "", argv[i], (tend[i] - t0) / 1e9, tot[i],
		       (uint64_t)st[i].bytes_done, state_name(st[i].state),
		       st[i].result);
		op_io_print(&io[i]);
		printf("}");
	}
	printf("]}\n");
	close(s);
	for (i = 0; i < n; i++)
		close(fds[i]);
	return ok ? 0 : 1;
}

/*
 * verify DEV [PCT]: VDSWIPE_IOC_SANITIZE with VERIFY_ONLY, passes[0] ZERO,
 * CLEAN_FULL: the kernel reads DEV back (bios, no page cache) and compares
 * with zeros. DEV is opened read-only: verification never writes. Prints the
 * time from submit until WAIT returned and what PROGRESS says at the end.
 */
static int cmd_verify(int argc, char **argv)
{
	struct vdswipe_sanitize z = {
		.flags = VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE |
			 VDSWIPE_SANITIZE_VERIFY_ONLY,
		.nr_passes = 1,
		.verify = VDSWIPE_VERIFY_LAST,
		.sample_pct = 100,
		.passes[0] = { .method = VDSWIPE_METHOD_ZERO },
	};
	struct vdswipe_progress p;
	uint64_t t0, t1;
	int s, fd, ok, r;

	if (argc != 1 && argc != 2)
		usage("verify");
	if (argc == 2)
		z.sample_pct = xstrtou64(argv[1]);
	s = vds_open();
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", argv[0], strerror(errno));
	z.fd = fd;
	t0 = now_ns();
	r = vdsw_ioc_sanitize(s, &z);
	if (r)
		die("SANITIZE %s: %s", argv[0], strerror(-r));
	vds_wait(s, z.op_id);
	t1 = now_ns();
	r = vdsw_ioc_progress(s, z.op_id, &p);
	if (r)
		die("PROGRESS: %s", strerror(-r));
	ok = p.state == VDSWIPE_STATE_DONE;
	printf("{\"secs\":%.6f,\"bytes\":%" PRIu64 ",\"ok\":%s,"
	       "\"state\":\"%s\",\"result\":%d,\"sample_pct\":%u,"
	       "\"bytes_total\":%" PRIu64 ",\"region_bytes\":%" PRIu64
	       ",\"bytes_verified\":%" PRIu64 ",\"bytes_written\":%" PRIu64
	       ",\"mismatch_blocks\":%" PRIu64 ",\"first_mismatch\":%" PRId64
	       "}\n", (t1 - t0) / 1e9, (uint64_t)p.bytes_verified,
	       ok ? "true" : "false", state_name(p.state), p.result,
	       z.sample_pct, (uint64_t)z.bytes_total,
	       (uint64_t)z.region_bytes, (uint64_t)p.bytes_verified,
	       (uint64_t)p.bytes_written, (uint64_t)p.mismatch_blocks,
	       (int64_t)p.first_mismatch);
	close(fd);
	close(s);
	return ok ? 0 : 1;
}

/* chunkwrite DEV BYTES N: what one chunk costs to write from userspace */
static int cmd_chunkwrite(int argc, char **argv)
{
	uint64_t bytes, n, size, off = 0, i, t0;
	struct vec lat = { 0 };
	void *buf;
	int fd;

	if (argc != 3)
		usage("chunkwrite");
	bytes = xstrtou64(argv[1]);
	n = xstrtou64(argv[2]);
	fd = open(argv[0], O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", argv[0], strerror(errno));
	if (ioctl(fd, BLKGETSIZE64, &size))
		die("BLKGETSIZE64: %s", strerror(errno));
	if (posix_memalign(&buf, 4096, bytes))
		die("out of memory");
	memset(buf, 0, bytes);
	for (i = 0; i < n; i++) {
		if (off + bytes > size)
			off = 0;
		t0 = now_ns();
		if (pwrite(fd, buf, bytes, off) != (ssize_t)bytes)
			die("pwrite %s: %s", argv[0], strerror(errno));
		vec_push(&lat, now_ns() - t0);
		off += bytes;
	}
	printf("{\"bytes\":%" PRIu64 ",", bytes);
	vec_print("ns", &lat);
	printf("}\n");
	close(fd);
	return 0;
}

/*
 * cancel-running DEV N SEED MIN_US MAX_US: submit a full clean, wait until it
 * runs, sleep a random delay, cancel it and time the call; until N cancels
 * found the op running (at most 3N tries: a clean that ended before its
 * cancel is recorded, but does not count).
 */
static int cmd_cancel_running(int argc, char **argv)
{
	struct vec lat = { 0 }, ret = { 0 }, delay = { 0 }, pre = { 0 },
		   done_at = { 0 }, done_after = { 0 }, at = { 0 };
	uint64_t n, min_us, max_us, i, id = 0, total = 0, t0, t1, ts, d,
		 good = 0;
	struct vdswipe_status st;
	struct op_io io = { 0 }, seen = { 0 };
	int s, fd, r, io_tries = 0;

	if (argc != 5)
		usage("cancel-running");
	n = xstrtou64(argv[1]);
	rng_state = xstrtou64(argv[2]) | 1;
	min_us = xstrtou64(argv[3]);
	max_us = xstrtou64(argv[4]);
	if (max_us < min_us)
		die("MAX_US < MIN_US");
	s = vds_open();
	fd = dev_open(argv[0]);
	for (i = 0; good < n && i < 3 * n; i++) {
		ts = now_ns();
		r = vds_clean(s, fd, &id, &total);
		if (r)
			die("CLEAN %s: %s", argv[0], strerror(-r));
		/*
		 * the op's I/O sizing from fdinfo, on the first few tries
		 * only (until seen): the read adds to the random delay
		 */
		if (wait_started(s, id) == VDSWIPE_STATE_RUNNING &&
		    !seen.chunk && io_tries < 3) {
			io_tries++;
			op_io_read(s, id, &io);
			if (io.chunk)
				seen = io;
		}
		d = min_us + rng() % (max_us - min_us + 1);
		sleep_ns(d * 1000);
		vds_query(s, id, &st);
		t0 = now_ns();
		r = vdsw_ioc_cancel(s, id);
		t1 = now_ns();
		vec_push(&lat, t1 - t0);
		vec_push(&ret, (uint64_t)(int64_t)r);
		vec_push(&delay, d);
		vec_push(&at, (t0 - ts) / 1000);
		vec_push(&pre, st.state);
		vec_push(&done_at, st.bytes_done);
		if (!r && st.state == VDSWIPE_STATE_RUNNING)
			good++;
		if (r)
			vds_wait(s, id);
		vds_query(s, id, &st);
		vec_push(&done_after, st.bytes_done);
		r = vdsw_ioc_release(s, id);
		if (r)
			die("RELEASE: %s", strerror(-r));
	}
	printf("{\"bytes_total\":%" PRIu64 ",\"seed\":\"%s\",\"valid\":%"
	       PRIu64 ",", total, argv[2], good);
	op_io_print(&seen);
	printf(",");
	vec_print("ns", &lat);
	printf(",");
	ivec_print("ret", &ret);
	printf(",");
	vec_print("delay_us", &delay);
	printf(",");
	vec_print("at_us", &at);
	printf(",");
	vec_print("state_before", &pre);
	printf(",");
	vec_print("bytes_before", &done_at);
	printf(",");
	vec_print("bytes_after", &done_after);
	printf("}\n");
	close(fd);
	close(s);
	return 0;
}

/* Submits a full clean on SLOWDEV in session s and waits until it runs. */
static uint64_t start_slow_op(int s, const char *slowdev, int *fdp)
{
	uint64_t id = 0;
	int r;

	*fdp = dev_open(slowdev);
	r = vds_clean(s, *fdp, &id, NULL);
	if (r)
		die("CLEAN %s: %s", slowdev, strerror(-r));
	if (wait_started(s, id) != VDSWIPE_STATE_RUNNING)
		die("the op on %s ended at once: it cannot keep the worker busy",
		    slowdev);
	return id;
}

/*
 * ctl SLOWDEV DEV BATCHES PER_BATCH: the control path. With max_active=1
 * and a long op running on SLOWDEV, an op submitted on DEV stays queued;
 * each iteration submits it, cancels it (queued: never touches DEV) and
 * releases it. Batches of the cheapest ioctl (VERSION) alternate with the
 * batches of iterations.
 */
static int cmd_ctl(int argc, char **argv)
{
	struct vec ver = { 0 }, cyc = { 0 }, sub = { 0 }, can = { 0 },
		   rel = { 0 };
	uint64_t batches, per, b, i, id = 0, t0, t1, t2, t3, t4, slow;
	struct vdswipe_version v;
	struct vdswipe_status st;
	unsigned int bad_cancel = 0, not_queued = 0;
	int ss, s, slowfd, fd, r;

	uint64_t holder = 0;
	int range = argc == 5 && !strcmp(argv[4], "range");

	if (argc != 4 && !range)
		usage("ctl");
	batches = xstrtou64(argv[2]);
	per = xstrtou64(argv[3]);
	ss = vds_open();
	slow = start_slow_op(ss, argv[0], &slowfd);
	s = vds_open();
	fd = dev_open(argv[1]);
	vds_version(s, &v);
	if (v.max_active != 1)
		die("ctl needs the module loaded with max_active=1");
	/*
	 * range: a queued op on the first 4 KiB holds the device's claim, so
	 * the ops of the loop (ranged, on the next 4 KiB) share it: the
	 * submit and cancel of an op on a device already held.
	 */
	if (range) {
		r = vds_clean_range(s, fd, 0, 4096, &holder, NULL);
		if (r)
			die("CLEAN %s: %s", argv[1], strerror(-r));
	}

	for (b = 0; b < batches; b++) {
		uint64_t sum = 0;

		t0 = now_ns();
		for (i = 0; i < per; i++)
			vds_version(s, &v);
		vec_push(&ver, (now_ns() - t0) / per);

		for (i = 0; i < per; i++) {
			t0 = now_ns();
			r = range ? vds_clean_range(s, fd, 4096, 4096, &id, NULL)
				  : vds_clean(s, fd, &id, NULL);
			t1 = now_ns();
			if (r)
				die("CLEAN %s: %s", argv[1], strerror(-r));
			r = vdsw_ioc_cancel(s, id);
			t2 = now_ns();
			vds_query(s, id, &st);	/* not timed */
			if (r)
				bad_cancel++;
			if (st.bytes_done)
				not_queued++;
			if (r)
				vds_wait(s, id);
			t3 = now_ns();
			r = vdsw_ioc_release(s, id);
			t4 = now_ns();
			if (r)
				die("RELEASE: %s", strerror(-r));
			vec_push(&sub, t1 - t0);
			vec_push(&can, t2 - t1);
			vec_push(&rel, t4 - t3);
			sum += (t2 - t0) + (t4 - t3);
		}
		vec_push(&cyc, sum / per);
	}
	vds_query(ss, slow, &st);
	printf("{\"batches\":%" PRIu64 ",\"per_batch\":%" PRIu64
	       ",\"cancel_failed\":%u,\"touched_device\":%u,"
	       "\"slow_op_state\":\"%s\",",
	       batches, per, bad_cancel, not_queued, state_name(st.state));
	vec_print("version_ns_per_call", &ver);
	printf(",");
	vec_print("cycle_ns_per_iter", &cyc);
	printf(",");
	vec_print("submit_ns", &sub);
	printf(",");
	vec_print("cancel_ns", &can);
	printf(",");
	vec_print("release_ns", &rel);
	printf("}\n");
	close(fd);
	close(s);
	close(ss);	/* cancels the slow op */
	close(slowfd);
	return 0;
}

/*
 * zeroout DEV: the one BLKZEROOUT ioctl that `blkdiscard -z` issues for a
 * whole device, timed in-process: blkdiscard's data phase.
 */
static int cmd_zeroout(int argc, char **argv)
{
	uint64_t range[2], t0, t1;
	int fd;

	if (argc != 1)
		usage("zeroout");
	fd = dev_open(argv[0]);
	if (ioctl(fd, BLKGETSIZE64, &range[1]))
		die("BLKGETSIZE64: %s", strerror(errno));
	range[0] = 0;
	t0 = now_ns();
	if (ioctl(fd, BLKZEROOUT, range))
		die("BLKZEROOUT %s: %s", argv[0], strerror(errno));
	t1 = now_ns();
	printf("{\"secs\":%.6f,\"bytes\":%" PRIu64 "}\n", (t1 - t0) / 1e9,
	       range[1]);
	close(fd);
	return 0;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* best effort */
}

/*
 * wakeup N: the platform's floor for a cancel that must sleep: a process
 * on CPU 0 wakes one blocked on CPU 1 (idle after a 2 ms pause) through a
 * pipe, which answers; half the round trip, N times.
 */
static int cmd_wakeup(int argc, char **argv)
{
	int ping[2], pong[2], status;
	struct vec lat = { 0 };
	uint64_t n, i, t0;
	char c = 0;
	pid_t pid;

	if (argc != 1)
		usage("wakeup");
	n = xstrtou64(argv[0]);
	if (pipe(ping) || pipe(pong))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		close(ping[1]);
		close(pong[0]);
		pin_cpu(1);
		while (read(ping[0], &c, 1) == 1)
			if (write(pong[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	pin_cpu(0);
	for (i = 0; i < n; i++) {
		sleep_ns(2000000);
		t0 = now_ns();
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			die("pipe: %s", strerror(errno));
		vec_push(&lat, (now_ns() - t0) / 2);
	}
	close(ping[1]);
	waitpid(pid, &status, 0);
	printf("{");
	vec_print("ns", &lat);
	printf("}\n");
	return 0;
}

/* ------------------------------------------------------------------ */
/* kernel memory snapshots */

#define MAX_CACHES 512

struct snap {
	long long slab_kb, sunreclaim_kb, memfree_kb, percpu_kb, vmalloc_kb;
	int nc;
	char name[MAX_CACHES][64];
	long long bytes[MAX_CACHES];	/* active_objs * objsize */
	long long objs[MAX_CACHES];
	long long objsize[MAX_CACHES];
};

static long long meminfo(const char *key)
{
	char line[256];
	long long v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = atoll(line + kl + 1);
			break;
		}
	fclose(f);
	return v;
}

static void take_snap(struct snap *sn)
{
	char line[512];
	FILE *f;
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
	sleep_ns(200000000);
	memset(sn, 0, sizeof(*sn));
	sn->slab_kb = meminfo("Slab");
	sn->sunreclaim_kb = meminfo("SUnreclaim");
	sn->memfree_kb = meminfo("MemFree");
	sn->percpu_kb = meminfo("Percpu");
	sn->vmalloc_kb = meminfo("VmallocUsed");
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && sn->nc < MAX_CACHES) {
		char name[64];
		long long active, num, size;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %lld %lld %lld", name, &active, &num,
			   &size) != 4)
			continue;
		memcpy(sn->name[sn->nc], name, sizeof(name));
		sn->objs[sn->nc] = active;
		sn->objsize[sn->nc] = size;
		sn->bytes[sn->nc] = active * size;
		sn->nc++;
	}
	fclose(f);
}

static void print_snap_delta(const char *key, const struct snap *a,
			     const struct snap *b, uint64_t n)
{
	long long total = 0;
	int i, j, first = 1;

	for (i = 0; i < b->nc; i++) {
		long long before = 0;

		for (j = 0; j < a->nc; j++)
			if (!strcmp(a->name[j], b->name[i])) {
				before = a->bytes[j];
				break;
			}
		total += b->bytes[i] - before;
	}
	printf("\"%s\":{\"slab_kb\":%lld,\"sunreclaim_kb\":%lld,"
	       "\"memfree_kb\":%lld,\"percpu_kb\":%lld,\"vmalloc_kb\":%lld,"
	       "\"slabinfo_bytes\":%lld,\"caches\":[",
	       key, b->slab_kb - a->slab_kb, b->sunreclaim_kb - a->sunreclaim_kb,
	       b->memfree_kb - a->memfree_kb, b->percpu_kb - a->percpu_kb,
	       b->vmalloc_kb - a->vmalloc_kb, total);
	/* every cache that grew or shrank by at least 1 byte per op */
	for (i = 0; i < b->nc; i++) {
		long long before = 0, bo = 0;

		for (j = 0; j < a->nc; j++)
			if (!strcmp(a->name[j], b->name[i])) {
				before = a->bytes[j];
				bo = a->objs[j];
				break;
			}
		if (llabs(b->bytes[i] - before) < (long long)n)
			continue;
		printf("%s{\"name\":\"%s\",\"objsize\":%lld,\"objs\":%lld,"
		       "\"bytes\":%lld}", first ? "" : ",", b->name[i],
		       b->objsize[i], b->objs[i] - bo, b->bytes[i] - before);
		first = 0;
	}
	printf("]}");
}

/*
 * scale SLOWDEV disks PREFIX N: one session holding N queued ops, one on
 * each of the disks PREFIX0 .. PREFIX<N-1> (bench/guest makes them with brd
 * rd_nr=N, the cheapest disk to create). Each op then also holds its
 * device's claim.
 * scale SLOWDEV range DEV N: N queued ops on one device, each owning its own
 * 4 KiB (VDSWIPE_CLEAN_RANGE): the ops share the device's claim.
 */
static int cmd_scale(int argc, char **argv)
{
	static struct snap before, after, released;
	uint64_t n, i, slow, *ids, t0, t1, t_submit, t_cancel, t_release,
		 queued = 0, t_ioctl = 0;
	struct vdswipe_version v;
	struct vdswipe_status st;
	struct vec sub = { 0 };
	uint32_t cancelled = 0;
	char path[256];
	int ss, s, slowfd, fd, r;

	int range, devfd = -1;

	if (argc != 4 || (strcmp(argv[1], "disks") && strcmp(argv[1], "range")))
		usage("scale");
	range = !strcmp(argv[1], "range");
	argv[1] = argv[2];	/* the prefix or the device */
	n = xstrtou64(argv[3]);
	ids = calloc(n, sizeof(*ids));
	if (!ids)
		die("out of memory");

	ss = vds_open();
	vds_version(ss, &v);
	if (v.max_active != 1 || v.max_ops < n)
		die("scale needs max_active=1 and max_ops >= %" PRIu64, n);
	slow = start_slow_op(ss, argv[0], &slowfd);
	s = vds_open();
	take_snap(&before);

	if (range)
		devfd = dev_open(argv[1]);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (range) {
			fd = devfd;
			snprintf(path, sizeof(path), "%s@%" PRIu64, argv[1],
				 i * 4096);
		} else {
			snprintf(path, sizeof(path), "%s%" PRIu64, argv[1], i);
			fd = dev_open(path);
		}
		t1 = now_ns();
		r = range ? vds_clean_range(s, fd, i * 4096, 4096, &ids[i],
					    NULL)
			  : vds_clean(s, fd, &ids[i], NULL);
		vec_push(&sub, now_ns() - t1);
		t_ioctl += now_ns() - t1;
		if (r)
			die("CLEAN %s (op %" PRIu64 "): %s", path, i,
			    strerror(-r));
		if (!range)
			close(fd);	/* the op holds the device itself */
	}
	t_submit = now_ns() - t0;
	if (range)
		close(devfd);

	for (i = 0; i < n; i++) {
		vds_query(s, ids[i], &st);
		queued += st.state == VDSWIPE_STATE_QUEUED;
	}
	take_snap(&after);

	t0 = now_ns();
	r = vdsw_ioc_cancel_all(s, &cancelled);
	if (r)
		die("CANCEL_ALL: %s", strerror(-r));
	t_cancel = now_ns() - t0;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		r = vdsw_ioc_release(s, ids[i]);
		if (r)
			die("RELEASE: %s", strerror(-r));
	}
	t_release = now_ns() - t0;
	take_snap(&released);

	vds_query(ss, slow, &st);
	printf("{\"mode\":\"%s\",\"n\":%" PRIu64 ",\"queued\":%" PRIu64
	       ",\"cancelled\":%u,"
	       "\"slow_op_state\":\"%s\",\"submit_secs\":%.6f,"
	       "\"submit_ioctl_secs\":%.6f,\"cancel_all_secs\":%.6f,"
	       "\"release_secs\":%.6f,",
	       range ? "range" : "disks", n, queued, cancelled,
	       state_name(st.state), t_submit / 1e9,
	       t_ioctl / 1e9, t_cancel / 1e9, t_release / 1e9);
	vec_print("submit_ns", &sub);
	printf(",");
	print_snap_delta("held", &before, &after, n);
	printf(",");
	print_snap_delta("after_release", &before, &released, n);
	printf("}\n");
	close(s);
	close(ss);
	close(slowfd);
	return 0;
}

/*
 * random DEV...: clean DEV... with METHOD_RANDOM (a bad DEV... count gets
 * clean's usage message, as it always has)
 */
static int cmd_random(int argc, char **argv)
{
	clean_method = VDSWIPE_METHOD_RANDOM;
	return cmd_clean(argc, argv);
}

/*
 * The commands: each handler gets the arguments after the command's name.
 * usage is the arguments a handler wants, for its "usage:" message.
 */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "version", cmd_version, "" },
	{ "time", cmd_time, "LOG -- CMD [ARG...]" },
	{ "clean", cmd_clean, "DEV..." },
	{ "random", cmd_random, "DEV..." },
	{ "verify", cmd_verify, "DEV [PCT]" },
	{ "chunkwrite", cmd_chunkwrite, "DEV BYTES N" },
	{ "cancel-running", cmd_cancel_running,
	  "DEV N SEED MIN_US MAX_US" },
	{ "ctl", cmd_ctl, "SLOWDEV DEV BATCHES PER_BATCH [range]" },
	{ "scale", cmd_scale,
	  "SLOWDEV disks PREFIX N | scale SLOWDEV range DEV N" },
	{ "zeroout", cmd_zeroout, "DEV" },
	{ "wakeup", cmd_wakeup, "N" },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* the "usage:" message of the command called name, and exit(2) */
static void usage(const char *name)
{
	die("usage: %s %s", name, find_command(name)->usage);
}

int main(int argc, char **argv)
{
	const struct command *c = find_command(argc > 1 ? argv[1] : "");
	size_t i;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (c)
		return c->run(argc - 2, argv + 2);
	fprintf(stderr, "usage: vdswipe-bench ");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(stderr, "%s%s", i ? "|" : "", commands[i].name);
	fprintf(stderr, " ...\n");
	return 2;
}
