// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: random calls on sessions of /dev/vdswipe, checked against
 * Documentation/userspace-api/vdswipe.rst.
 *
 * One program issues random ioctls (every defined command, neighbouring
 * numbers, wrong directions and sizes, other magics), random struct contents
 * (mostly valid-looking CLEAN requests against small ramdisks, random and
 * real op ids, WAIT deadlines in the past or within a millisecond), bad
 * pointers (NULL, an unmapped page, kernel and non-canonical addresses, a
 * struct straddling into an unmapped or a read-only page), read()s of random
 * sizes, poll()s and closes and reopens of sessions, while a timer sends a
 * harmless signal every few milliseconds (EINTR paths).
 *
 * Oracles:
 *  - every errno must be one the ABI document lists for that call
 *    ("UNDOCUMENTED"); and the program keeps a model of its sessions, ops,
 *    claims and devices, so most calls have a narrower expected set (the
 *    document's check order, ENOENT exactly for ids the session does not
 *    hold, EEXIST only while a possibly unended op overlaps, success when
 *    nothing can refuse, ...): "UNEXPECTED";
 *  - outputs (QUERY, events, VERSION, CLEAN's bytes_total) must be
 *    consistent, ended states never change, progress never decreases;
 *  - nothing outside a requested range is ever written: every device is
 *    filled with position-dependent data first. Two "precise" devices (a
 *    512-byte brd and a 4096-byte null_blk) get only small ranged cleans,
 *    and every CHECKPOINT_CALLS calls, once every op has ended, each of
 *    their blocks outside the bytes covered by the CLEANs that succeeded
 *    since the last checkpoint (per the ABI's quick/full rule) must still
 *    hold that data (then the covered bytes get it back). The other devices
 *    get any clean (whole device, full, partition) and are checked at the
 *    end outside everything ever covered; a sentinel device that is never
 *    passed to CLEAN, and the read-only one, entirely;
 *  - at the end every op has ended with exactly one event, every device can
 *    be opened O_EXCL, and the module unloads (then it is loaded again);
 *  - privilege is the opener's: some sessions are opened without
 *    CAP_SYS_ADMIN in the effective set (CLEAN, CANCEL, CANCEL_ALL and
 *    RELEASE must fail with EPERM, in the documented order), and some calls
 *    on the other sessions are made without it (nothing changes).
 *
 * Environment: VDSWIPE_FUZZ_SEED (default below, printed), VDSWIPE_FUZZ_CALLS
 * (default 100000), VDSWIPE_FUZZ_SECONDS (run for that long instead),
 * VDSWIPE_FUZZ_VERBOSE=1 (print every call).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define FZ_MAX_OPS	12
#define FZ_CHUNK	262144
#define FZ_DEPTH	2
#define FZ_ACTIVE	2
#define FZ_PARAMS	"max_ops=12 chunk_size=262144 queue_depth=2 max_active=2"
#define DEV_MIB		16
#define DEV_BYTES	(DEV_MIB * VT_MIB)
#define NR_BRD		5
#define NSESS		3
#define DEFAULT_SEED	0x7ea5f00d2026ULL
#define DEFAULT_CALLS	100000ULL
#define TIMER_NS	5000000L	/* a SIGUSR1 every 5 ms */
#define MAX_REPORTS	40
#define CHECKPOINT_CALLS 10000
#define PAGE		4096UL

/* ------------------------------------------------------------ random */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* true with probability @pct percent */
static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

/* ------------------------------------------------------------ calls */

enum call {
	C_VERSION, C_CLEAN, C_QUERY, C_WAIT, C_CANCEL, C_CANCEL_ALL,
	C_RELEASE, C_UNKNOWN, C_READ, C_POLL, C_CLOSE, C_OPEN, C_NR
};

static const char *const call_name[C_NR] = {
	"VERSION", "CLEAN", "QUERY", "WAIT", "CANCEL", "CANCEL_ALL",
	"RELEASE", "UNKNOWN_IOCTL", "read", "poll", "close", "open",
};

/*
 * What the ABI document lists per call. CANCEL and CANCEL_ALL may also
 * end with EINTR, but only on a fatal signal, which this program never
 * survives: EINTR from them is a failure (SIGUSR1 must not interrupt them).
 */
static const int doc_version[] = { EFAULT, 0 };
static const int doc_clean[] = {
	EFAULT, EINVAL, EPERM, ENOMEM, EBADF, ENOTBLK, EACCES, ENOMEDIUM,
	EMEDIUMTYPE, EROFS, EOPNOTSUPP, EEXIST, EBUSY, ENXIO, ENOTEMPTY,
	/* the signature read: the block layer's errnos */
	EIO, ENODATA, ENODEV, EILSEQ, ETIMEDOUT, ENOSPC, ENOLINK, EBADE,
	EREMCHG, EOVERFLOW, EAGAIN, 0
};
static const int doc_query[] = { EFAULT, EINVAL, ENOENT, 0 };
static const int doc_wait[] = { ETIMEDOUT, EINTR, ENOENT, EINVAL, EFAULT, 0 };
static const int doc_cancel[] = {
	ECANCELED, EALREADY, EOPNOTSUPP, ENOENT, EINVAL, EPERM, EFAULT, 0
};
static const int doc_cancel_all[] = { EFAULT, EINVAL, EPERM, 0 };
static const int doc_release[] = { EFAULT, EINVAL, EPERM, ENOENT, EBUSY, 0 };
static const int doc_unknown[] = { ENOTTY, 0 };
static const int doc_read[] = { EINVAL, EAGAIN, EINTR, EFAULT, 0 };
static const int doc_poll[] = { EINTR, ENOMEM, 0 };
static const int doc_close[] = { 0 };
static const int doc_open[] = { ENOMEM, 0 };

static const int *const doc[C_NR] = {
	doc_version, doc_clean, doc_query, doc_wait, doc_cancel,
	doc_cancel_all, doc_release, doc_unknown, doc_read, doc_poll,
	doc_close, doc_open,
};

#define HIST_MAX	160	/* errno values counted; larger go to the last */

static uint64_t hist[C_NR][HIST_MAX + 1];	/* [0] counts successes */
static uint64_t nr_calls, nr_fail;
static volatile unsigned long nr_signals;
static bool verbose;

static bool in_list(const int *l, int e)
{
	for (; *l; l++)
		if (*l == e)
			return true;
	return false;
}

/* The set of outcomes the model allows for one call: errnos, 0 = success */
struct exp {
	int n;
	int e[24];
};

static void exp_add(struct exp *x, int e)
{
	int i;

	for (i = 0; i < x->n; i++)
		if (x->e[i] == e)
			return;
	if (x->n < (int)(sizeof(x->e) / sizeof(x->e[0])))
		x->e[x->n++] = e;
}

static struct exp exp_one(int e)
{
	struct exp x = { 0 };

	exp_add(&x, e);
	return x;
}

static bool exp_has(const struct exp *x, int e)
{
	int i;

	for (i = 0; i < x->n; i++)
		if (x->e[i] == e)
			return true;
	return false;
}

static const char *ename(int e)
{
	const char *n;

	if (!e)
		return "ok";
	n = strerrorname_np(e);
	return n ? n : "E?";
}

/* the description of the current call, for failure reports */
static char desc[512];
static bool cur_dropped, cur_unpriv;	/* caller's and session's privilege */

/* failures are counted per kind (the format string); a few of each shown */
#define MAX_KINDS	64
#define SHOW_PER_KIND	3
static struct { const char *fmt; uint64_t n; } kinds[MAX_KINDS];

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
	va_list ap;
	int i;

	nr_fail++;
	for (i = 0; i < MAX_KINDS && kinds[i].fmt && kinds[i].fmt != fmt; i++)
		;
	if (i < MAX_KINDS) {
		kinds[i].fmt = fmt;
		if (++kinds[i].n > SHOW_PER_KIND)
			return;
	}
	if (nr_fail > MAX_REPORTS)
		return;
	printf("# FAIL (call %llu%s%s) %s: ", (unsigned long long)nr_calls,
	       cur_dropped ? ", caller without CAP_SYS_ADMIN" : "",
	       cur_unpriv ? ", session opened without CAP_SYS_ADMIN" : "",
	       desc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void print_fail_kinds(void)
{
	int i;

	for (i = 0; i < MAX_KINDS && kinds[i].fmt; i++)
		ksft_print_msg("failed %llu times: %s\n",
			       (unsigned long long)kinds[i].n, kinds[i].fmt);
}

/*
 * Count the outcome @e (0 or an errno) of @call and check it against the
 * document and the model's @x. Returns true when it is allowed.
 */
static bool account(enum call call, int e, const struct exp *x)
{
	char allowed[256] = "";
	int i;

	nr_calls++;
	hist[call][e < HIST_MAX ? e : HIST_MAX]++;
	if (verbose)
		printf("# %llu %s -> %s\n", (unsigned long long)nr_calls, desc,
		       ename(e));
	if (e && !in_list(doc[call], e)) {
		failf("UNDOCUMENTED errno %s (%d)", ename(e), e);
		return false;
	}
	if (x && !exp_has(x, e)) {
		for (i = 0; i < x->n; i++)
			snprintf(allowed + strlen(allowed),
				 sizeof(allowed) - strlen(allowed), " %s",
				 ename(x->e[i]));
		failf("UNEXPECTED %s (model allows:%s)", ename(e), allowed);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ pointers */

/*
 * The arena: page 0 and 1 read-write, page 2 read-only, page 3 unmapped.
 * Structs are placed in it so that they are, or are not, readable and
 * writable as the pointer kind says.
 */
enum ptr_kind {
	P_GOOD, P_UNALIGNED, P_NULL, P_UNMAPPED, P_KERNEL, P_NONCANON,
	P_STRADDLE_UNMAPPED, P_RO, P_STRADDLE_RO, P_NR
};

static const char *const ptr_name[P_NR] = {
	"good", "unaligned", "NULL", "unmapped", "kernel", "noncanonical",
	"straddle-unmapped", "read-only", "straddle-ro",
};

static uint8_t *arena;

static bool ptr_readable(enum ptr_kind k)
{
	return k == P_GOOD || k == P_UNALIGNED || k == P_RO ||
	       k == P_STRADDLE_RO;
}

static bool ptr_writable(enum ptr_kind k)
{
	return k == P_GOOD || k == P_UNALIGNED;
}

static enum ptr_kind pick_ptr(void)
{
	if (chance(85))
		return chance(80) ? P_GOOD : P_UNALIGNED;
	return (enum ptr_kind)(2 + below(P_NR - 2));
}

static void ro_page(bool ro)
{
	if (mprotect(arena + 2 * PAGE, PAGE, ro ? PROT_READ :
		     PROT_READ | PROT_WRITE))
		abort();
}

/*
 * Where a struct of @size bytes goes for pointer kind @k; the readable ones
 * get the bytes of @src. Kinds whose content is never read by the kernel
 * get nothing.
 */
static void *place(enum ptr_kind k, const void *src, size_t size)
{
	uint8_t *p;

	switch (k) {
	case P_GOOD:
		p = arena + 8 * below((PAGE - size) / 8);
		break;
	case P_UNALIGNED:
		p = arena + PAGE + 1 + below(PAGE - size - 2);
		break;
	case P_NULL:
		return NULL;
	case P_UNMAPPED:
		return arena + 3 * PAGE + 8 * below(PAGE / 8);
	case P_KERNEL:
		return (void *)0xffff888000000000ULL + 8 * below(4096);
	case P_NONCANON:
		return chance(50) ? (void *)0x0000800000000000ULL :
				    (void *)0x8000000000000000ULL;
	case P_STRADDLE_UNMAPPED:
		p = arena + 3 * PAGE - 1 - below(size - 1);
		break;
	case P_RO:
		p = arena + 2 * PAGE + 8 * below((PAGE - size) / 8);
		break;
	case P_STRADDLE_RO:
	default:
		p = arena + 2 * PAGE - 1 - below(size - 1);
		break;
	}
	if (k == P_GOOD || k == P_UNALIGNED) {
		memcpy(p, src, size);
	} else {
		size_t n = size;

		if (k == P_STRADDLE_UNMAPPED)
			n = arena + 3 * PAGE - p;
		ro_page(false);
		memcpy(p, src, n);
		ro_page(true);
	}
	return p;
}

/* ------------------------------------------------------------ devices */

struct fdev {
	const char *name;
	char path[64];
	int fd;			/* O_RDWR, -1 if absent */
	int disk;		/* index of the whole disk in devs[] */
	uint64_t part_off;	/* bytes from the start of the disk */
	uint64_t size;
	unsigned int lbs;
	bool target;		/* passed to CLEAN */
	bool ro, zoned, discard, has_parts, is_part;
	bool verify;		/* filled with seeded data, checked at the end */
	bool precise;		/* small ranged cleans only, checked often */
	bool tainted;		/* its ops' ends cannot be known any more */
	uint64_t seed;
	uint8_t *image;		/* its seeded data, read back after the fill */
	/* bytes covered by successful CLEANs, disk coordinates */
	uint64_t (*cov)[2];
	unsigned int nr_cov, cap_cov;
};

enum { D_RAM0, D_RAM1, D_RAM2, D_RAM2P1, D_RAMRO, D_SENTINEL, D_NULLB,
       D_ZONED, D_NR };

static struct fdev devs[D_NR];

static void cover(int d, uint64_t start, uint64_t len)
{
	struct fdev *w = &devs[devs[d].disk];

	if (w->nr_cov == w->cap_cov) {
		w->cap_cov = w->cap_cov ? 2 * w->cap_cov : 256;
		w->cov = realloc(w->cov, w->cap_cov * sizeof(w->cov[0]));
		if (!w->cov)
			abort();
	}
	w->cov[w->nr_cov][0] = devs[d].part_off + start;
	w->cov[w->nr_cov][1] = devs[d].part_off + start + len;
	w->nr_cov++;
}

/* The ABI's rule: what a quick or a full clean of [start, start+len) covers */
static void cover_op(int d, uint32_t flags, uint64_t start, uint64_t len)
{
	if ((flags & VDSWIPE_CLEAN_FULL) || len <= 2 * VDSWIPE_QUICK_BYTES) {
		cover(d, start, len);
	} else {
		cover(d, start, VDSWIPE_QUICK_BYTES);
		cover(d, start + len - VDSWIPE_QUICK_BYTES, VDSWIPE_QUICK_BYTES);
	}
}

static bool same_disk(int a, int b)
{
	return devs[a].disk == devs[b].disk;
}

/* CLEAN's fd field: real devices and every kind of wrong descriptor */
enum fd_kind {
	FD_DEV, FD_RDONLY, FD_PATH, FD_NOTBLK, FD_CLOSED, FD_EMPTY, FD_EXCL,
};

struct fdent {
	const char *what;
	int fd;
	enum fd_kind kind;
	int dev;		/* FD_DEV, FD_RDONLY, FD_EXCL: devs[] index */
};

#define MAX_FDS	24
static struct fdent fds[MAX_FDS];
static int nr_fds;

static void add_fd(const char *what, int fd, enum fd_kind kind, int dev)
{
	if (fd < 0 && kind != FD_CLOSED)
		return;
	fds[nr_fds++] = (struct fdent){ what, fd, kind, dev };
}

/* the O_EXCL holder: devs[] index, or -1 */
static int excl_dev = -1, excl_fd = -1;

static bool excl_relevant(int d)
{
	if (excl_dev < 0 || !same_disk(d, excl_dev))
		return false;
	/* whole vs partition, or the same device */
	return true;
}

/* ------------------------------------------------------------ sessions */

struct fop {
	uint64_t id;
	int dev;
	uint64_t start, len;	/* device coordinates */
	uint32_t method, flags;
	uint64_t total;
	bool ended;		/* known to have ended */
	uint32_t state;		/* when known: its ended state, else 0 */
	int32_t result;
	uint64_t done;		/* last bytes_done seen */
	uint32_t percent;
	bool event;		/* its event record was read */
};

struct sess {
	int fd[2];		/* the open file: fd and maybe a dup */
	bool nonblock;
	bool unpriv;		/* opened without CAP_SYS_ADMIN */
	struct fop *ops;	/* ops the session holds (not released) */
	int nr_ops, cap_ops;
	uint64_t last_id;
};

static struct sess sessions[NSESS];
static uint64_t max_close_ns;

static int sess_fd(struct sess *s)
{
	if (s->fd[1] >= 0 && chance(50))
		return s->fd[1];
	return s->fd[0];
}

static struct fop *find_op(struct sess *s, uint64_t id)
{
	int i;

	for (i = 0; i < s->nr_ops; i++)
		if (s->ops[i].id == id)
			return &s->ops[i];
	return NULL;
}

static void drop_op(struct sess *s, struct fop *op)
{
	*op = s->ops[--s->nr_ops];
}

static bool op_ranges_overlap(const struct fop *op, int d, uint64_t start,
			      uint64_t end)
{
	if (!same_disk(op->dev, d))
		return false;
	if (op->dev != d)
		return true;	/* a disk and its partition */
	return start < op->start + op->len && op->start < end;
}

/* could a possibly unended op own bytes of [start, end) on d? */
static bool possible_conflict(int d, uint64_t start, uint64_t end)
{
	int i, j;

	if (devs[devs[d].disk].tainted)
		return true;
	for (i = 0; i < NSESS; i++)
		for (j = 0; j < sessions[i].nr_ops; j++) {
			struct fop *op = &sessions[i].ops[j];

			if (!op->ended && op_ranges_overlap(op, d, start, end))
				return true;
		}
	return false;
}

/* A status or event seen for @op: check it against what we know. */
static void op_seen(struct fop *op, uint32_t state, int32_t result,
		    uint64_t done, const char *from)
{
	bool ended = vt_state_ended(state);

	if (state < VDSWIPE_STATE_QUEUED || state > VDSWIPE_STATE_CANCELLED)
		failf("%s: op %llu bad state %u", from,
		      (unsigned long long)op->id, state);
	if (op->state && state != op->state)
		failf("%s: op %llu ended %s, now %s", from,
		      (unsigned long long)op->id, vt_state_name(op->state),
		      vt_state_name(state));
	if (op->ended && !ended)
		failf("%s: op %llu had ended, now %s", from,
		      (unsigned long long)op->id, vt_state_name(state));
	if (done < op->done)
		failf("%s: op %llu bytes_done went back %llu -> %llu", from,
		      (unsigned long long)op->id,
		      (unsigned long long)op->done, (unsigned long long)done);
	if (done > op->total)
		failf("%s: op %llu bytes_done %llu > bytes_total %llu", from,
		      (unsigned long long)op->id, (unsigned long long)done,
		      (unsigned long long)op->total);
	if (!ended && result)
		failf("%s: op %llu not ended, result %d", from,
		      (unsigned long long)op->id, result);
	if (state == VDSWIPE_STATE_DONE && (result || done != op->total))
		failf("%s: op %llu DONE with result %d, %llu of %llu bytes",
		      from, (unsigned long long)op->id, result,
		      (unsigned long long)done, (unsigned long long)op->total);
	if (state == VDSWIPE_STATE_CANCELLED &&
	    (result != -ECANCELED || done >= op->total))
		failf("%s: op %llu CANCELLED with result %d, %llu of %llu bytes (a cancel after every byte was written must be too late)",
		      from, (unsigned long long)op->id, result,
		      (unsigned long long)done, (unsigned long long)op->total);
	/* brd and null_blk do not fail: an op that FAILED is a finding */
	if (state == VDSWIPE_STATE_FAILED)
		failf("%s: op %llu FAILED with result %d (%s) on %s", from,
		      (unsigned long long)op->id, result, ename(-result),
		      devs[op->dev].name);
	if (ended && op->ended && op->state && result != op->result)
		failf("%s: op %llu result changed %d -> %d", from,
		      (unsigned long long)op->id, op->result, result);
	if (ended) {
		if (op->state && done != op->done)
			failf("%s: op %llu ended with %llu bytes, now %llu",
			      from, (unsigned long long)op->id,
			      (unsigned long long)op->done,
			      (unsigned long long)done);
		op->ended = true;
		op->state = state;
		op->result = result;
	}
	op->done = done;
}

static int pick_session(void)
{
	int i, n = 0, open[NSESS];

	for (i = 0; i < NSESS; i++)
		if (sessions[i].fd[0] >= 0)
			open[n++] = i;
	return n ? open[below(n)] : -1;
}

/* An op id: mostly one the session holds, else others of every kind. */
static uint64_t pick_id(struct sess *s)
{
	struct sess *o;

	switch (below(10)) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return chance(50) ? ~0ULL : (1ULL << 32) + below(4);
	case 3:
		/* an id this session issued or will issue, maybe released */
		return below(s->last_id + 3);
	case 4:
		o = &sessions[below(NSESS)];
		if (o->nr_ops)
			return o->ops[below(o->nr_ops)].id;
		return s->last_id + 1;
	default:
		if (s->nr_ops)
			return s->ops[below(s->nr_ops)].id;
		return below(s->last_id + 2);
	}
}

/* flags/reserved of an in-struct: mostly 0 */
static uint32_t junk32(void)
{
	if (chance(92))
		return 0;
	switch (below(4)) {
	case 0:
		return 1U << below(32);
	case 1:
		return ~0U;
	default:
		return (uint32_t)rnd();
	}
}

/* ------------------------------------------------------------ calls */

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static void do_version(struct sess *s, unsigned long cmd)
{
	struct vdswipe_version v;
	enum ptr_kind k = pick_ptr();
	void *p;
	int e;

	memset(&v, 0xa5, sizeof(v));
	p = place(k, &v, sizeof(v));
	snprintf(desc, sizeof(desc), "VERSION cmd=%#lx ptr=%s(%p)", cmd,
		 ptr_name[k], p);
	e = xioctl(sess_fd(s), cmd, p);
	if (!account(C_VERSION, e, &(struct exp){ 1,
			{ ptr_writable(k) ? 0 : EFAULT } }) || e)
		return;
	memcpy(&v, p, sizeof(v));
	if (v.abi_version != VDSWIPE_ABI_VERSION || v.max_ops != FZ_MAX_OPS ||
	    v.features != 0x1ff || v.chunk_size != FZ_CHUNK ||
	    v.queue_depth != FZ_DEPTH || v.max_active != FZ_ACTIVE ||
	    v.reserved)
		failf("VERSION returned abi %u max_ops %u features %#llx chunk %u depth %u active %u reserved %u",
		      v.abi_version, v.max_ops,
		      (unsigned long long)v.features, v.chunk_size,
		      v.queue_depth, v.max_active, v.reserved);
}

static uint64_t pick_len(const struct fdev *d)
{
	uint64_t blocks = d->size / d->lbs;

	if (d->precise)
		return d->lbs * (1 + below(chance(90) ? 16 : 256));
	switch (below(20)) {
	case 0 ... 9:
		return d->lbs * (1 + below(64));
	case 10 ... 15:
		return d->lbs * (1 + below(VT_MIB / d->lbs));
	case 16 ... 18:
		return d->lbs * (1 + below(4 * VT_MIB / d->lbs));
	default:
		return d->lbs * (1 + below(blocks));
	}
}

static void fill_clean(struct vdswipe_clean *c, const struct fdent *f)
{
	const struct fdev *d = f->dev >= 0 ? &devs[f->dev] : &devs[D_RAM0];
	uint64_t len, off;

	memset(c, 0, sizeof(*c));
	c->fd = f->fd;
	if (f->kind == FD_CLOSED)
		c->fd = chance(30) ? -1 : chance(30) ? INT_MIN + (int)below(3) :
			900 + (int)below(100);
	if (chance(85))
		c->flags |= VDSWIPE_CLEAN_FORCE;
	if (d->precise || chance(70))
		c->flags |= VDSWIPE_CLEAN_RANGE;
	/* a whole-device full clean is 16 MiB of writes: keep them rare */
	if (chance(c->flags & VDSWIPE_CLEAN_RANGE ? 20 : 4))
		c->flags |= VDSWIPE_CLEAN_FULL;
	switch (below(20)) {
	case 0 ... 8:
		c->method = VDSWIPE_METHOD_ZERO;
		break;
	case 9 ... 17:
		c->method = VDSWIPE_METHOD_PATTERN;
		c->pattern = (uint32_t)below(256);
		break;
	default:
		c->method = VDSWIPE_METHOD_DISCARD;
		if (chance(20))
			c->flags |= VDSWIPE_CLEAN_SECURE;
		break;
	}
	if (c->flags & VDSWIPE_CLEAN_RANGE) {
		len = pick_len(d);
		if (len > d->size)
			len = d->size;
		off = below((d->size - len) / d->lbs + 1) * d->lbs;
		c->offset = off;
		c->length = len;
		switch (below(30)) {
		case 0:
			c->offset += 1 + below(d->lbs - 1);
			break;
		case 1:
			c->length += 1 + below(d->lbs - 1);
			break;
		case 2:
			c->offset = d->size - below(3) * d->lbs;
			break;
		case 3:
			c->offset = ~0ULL - below(2) * d->lbs;
			c->length = d->lbs * (1 + below(4));
			break;
		case 4:
			c->length = 0;
			break;
		case 5:
			c->length = d->size + d->lbs;
			break;
		}
	}
	/* random corruption of the rest */
	switch (below(40)) {
	case 0:
		c->flags |= 1U << (4 + below(28));
		break;
	case 1:
		c->method = VDSWIPE_METHOD_RANDOM + 1 + (uint32_t)below(3) +
			    (chance(50) ? 0 : 1U << 31);
		break;
	case 2:
		c->pattern = chance(50) ? 256 + (uint32_t)below(1000) :
			     (uint32_t)rnd();
		break;
	case 3:
		c->reserved[below(2)] = 1ULL << below(64);
		break;
	case 4:
		c->flags ^= VDSWIPE_CLEAN_RANGE;
		break;
	case 5:
		c->flags |= VDSWIPE_CLEAN_SECURE;
		break;
	case 6:
		c->op_id = rnd();
		c->bytes_total = rnd();
		break;
	}
}

/* the document's "request alone" checks */
static bool clean_request_bad(const struct vdswipe_clean *c)
{
	if (c->flags & ~VDSWIPE_CLEAN_FLAGS_ALL)
		return true;
	if (c->method > VDSWIPE_METHOD_RANDOM)
		return true;
	if (c->reserved[0] || c->reserved[1])
		return true;
	if (c->method == VDSWIPE_METHOD_PATTERN ? c->pattern > 255 : c->pattern)
		return true;
	if ((c->flags & VDSWIPE_CLEAN_SECURE) &&
	    c->method != VDSWIPE_METHOD_DISCARD)
		return true;
	if (c->flags & VDSWIPE_CLEAN_RANGE)
		return !c->length;
	return c->offset || c->length;
}

/* the device checks; 0 when they pass */
static int clean_device_err(const struct vdswipe_clean *c, const struct fdev *d)
{
	uint64_t end;

	if (c->flags & VDSWIPE_CLEAN_RANGE) {
		if (c->offset % d->lbs || c->length % d->lbs ||
		    __builtin_add_overflow(c->offset, c->length, &end) ||
		    end > d->size)
			return EINVAL;
	}
	if (d->zoned)
		return EMEDIUMTYPE;
	if (d->ro)
		return EROFS;
	if (c->method == VDSWIPE_METHOD_DISCARD &&
	    ((c->flags & VDSWIPE_CLEAN_SECURE) || !d->discard))
		return EOPNOTSUPP;
	return 0;
}

static void do_clean(struct sess *s, unsigned long cmd)
{
	const struct fdent *f = &fds[below(nr_fds)];
	enum ptr_kind k = pick_ptr();
	struct vdswipe_clean c, out;
	struct exp x = { 0 };
	uint64_t start = 0, len = 0;
	void *p;
	int e, d = f->dev, derr;

	fill_clean(&c, f);
	p = place(k, &c, sizeof(c));
	snprintf(desc, sizeof(desc),
		 "CLEAN cmd=%#lx ptr=%s(%p) fd=%d(%s) flags=%#x method=%u pattern=%#x offset=%#llx length=%#llx reserved=%#llx,%#llx session-ops=%d",
		 cmd, ptr_name[k], p, c.fd, f->what, c.flags, c.method,
		 c.pattern, (unsigned long long)c.offset,
		 (unsigned long long)c.length,
		 (unsigned long long)c.reserved[0],
		 (unsigned long long)c.reserved[1], s->nr_ops);

	if (!ptr_readable(k)) {
		x = exp_one(EFAULT);
	} else if (clean_request_bad(&c)) {
		x = exp_one(EINVAL);
	} else if (s->unpriv) {
		x = exp_one(EPERM);
	} else {
		exp_add(&x, ENOMEM);
		switch (f->kind) {
		case FD_CLOSED:
		case FD_PATH:
			exp_add(&x, EBADF);
			goto model_done;
		case FD_NOTBLK:
			exp_add(&x, ENOTBLK);
			goto model_done;
		case FD_RDONLY:
			exp_add(&x, EACCES);
			goto model_done;
		case FD_EMPTY:
			exp_add(&x, ENOMEDIUM);
			goto model_done;
		default:
			break;
		}
		derr = clean_device_err(&c, &devs[d]);
		if (derr) {
			exp_add(&x, derr);
			goto model_done;
		}
		if (c.flags & VDSWIPE_CLEAN_RANGE) {
			start = c.offset;
			len = c.length;
		} else {
			len = devs[d].size;
		}
		if (possible_conflict(d, start, start + len))
			exp_add(&x, EEXIST);
		if (excl_relevant(d)) {
			exp_add(&x, EBUSY);
			goto model_done;
		}
		if (!(c.flags & VDSWIPE_CLEAN_FORCE)) {
			exp_add(&x, ENOTEMPTY);
			if (devs[d].has_parts)
				goto model_done;
		}
		if (s->nr_ops >= FZ_MAX_OPS)
			exp_add(&x, EAGAIN);
		else
			exp_add(&x, ptr_writable(k) ? 0 : EFAULT);
	}
model_done:
	e = xioctl(sess_fd(s), cmd, p);
	account(C_CLEAN, e, &x);
	if (e)
		return;
	memcpy(&out, p, sizeof(out));
	if (d < 0 || !devs[d].target || devs[d].ro || devs[d].zoned) {
		failf("CLEAN of a device that must refuse it succeeded");
		if (d < 0)
			return;
	}
	start = c.flags & VDSWIPE_CLEAN_RANGE ? c.offset : 0;
	len = c.flags & VDSWIPE_CLEAN_RANGE ? c.length : devs[d].size;
	if (!out.op_id || out.op_id <= s->last_id)
		failf("CLEAN returned op_id %llu after %llu",
		      (unsigned long long)out.op_id,
		      (unsigned long long)s->last_id);
	{
		uint64_t want = (c.flags & VDSWIPE_CLEAN_FULL) ? len :
				(len < 2 * VDSWIPE_QUICK_BYTES ? len :
				 2 * VDSWIPE_QUICK_BYTES);

		if (out.bytes_total != want)
			failf("CLEAN bytes_total %llu, want %llu",
			      (unsigned long long)out.bytes_total,
			      (unsigned long long)want);
	}
	if (out.fd != c.fd || out.flags != c.flags || out.method != c.method ||
	    out.pattern != c.pattern || out.offset != c.offset ||
	    out.length != c.length || out.reserved[0] || out.reserved[1])
		failf("CLEAN changed in-fields");
	cover_op(d, c.flags, start, len);
	if (s->nr_ops == s->cap_ops) {
		s->cap_ops = s->cap_ops ? 2 * s->cap_ops : 32;
		s->ops = realloc(s->ops, s->cap_ops * sizeof(s->ops[0]));
		if (!s->ops)
			abort();
	}
	s->ops[s->nr_ops++] = (struct fop){
		.id = out.op_id, .dev = d, .start = start, .len = len,
		.method = c.method, .flags = c.flags,
		.total = out.bytes_total,
	};
	s->last_id = out.op_id;
}

/* QUERY @id; checks the result. Returns 0 or the errno. */
static int query_op(struct sess *s, uint64_t id, enum ptr_kind k,
		    unsigned long cmd, struct vdswipe_status *st, bool fuzz)
{
	struct vdswipe_status in = { .op_id = id };
	struct fop *op = find_op(s, id);
	struct exp x;
	uint32_t pct;
	void *p;
	int e;

	memset(st, 0, sizeof(*st));
	if (fuzz && chance(5))
		in.flags = junk32();
	if (fuzz && chance(5))
		in.reserved = junk32();
	if (fuzz && chance(3)) {
		in.state = (uint32_t)rnd();
		in.bytes_done = rnd();
	}
	p = place(k, &in, sizeof(in));
	snprintf(desc, sizeof(desc),
		 "QUERY cmd=%#lx ptr=%s(%p) op_id=%llu flags=%#x reserved=%#x",
		 cmd, ptr_name[k], p, (unsigned long long)id, in.flags,
		 in.reserved);
	if (!ptr_readable(k))
		x = exp_one(EFAULT);
	else if (in.flags || in.reserved)
		x = exp_one(EINVAL);
	else if (!op)
		x = exp_one(ENOENT);
	else
		x = exp_one(ptr_writable(k) ? 0 : EFAULT);
	e = xioctl(sess_fd(s), cmd, p);
	account(C_QUERY, e, &x);
	if (e || !op)
		return e;
	memcpy(st, p, sizeof(*st));
	if (st->op_id != id || st->flags || st->reserved ||
	    st->method != op->method || st->bytes_total != op->total)
		failf("QUERY returned op_id %llu flags %u reserved %u method %u bytes_total %llu",
		      (unsigned long long)st->op_id, st->flags, st->reserved,
		      st->method, (unsigned long long)st->bytes_total);
	if (st->state == VDSWIPE_STATE_DONE)
		pct = 100;
	else if (!st->bytes_total)
		pct = 0;
	else
		pct = (uint32_t)((unsigned __int128)st->bytes_done * 100 /
				 st->bytes_total);
	if (pct > 99 && st->state != VDSWIPE_STATE_DONE)
		pct = 99;
	if (st->percent != pct || st->percent < op->percent)
		failf("QUERY percent %u (bytes %llu of %llu, state %s, before %u)",
		      st->percent, (unsigned long long)st->bytes_done,
		      (unsigned long long)st->bytes_total,
		      vt_state_name(st->state), op->percent);
	if (st->error_offset != ~0ULL)
		failf("QUERY error_offset %#llx for a %s op",
		      (unsigned long long)st->error_offset,
		      vt_state_name(st->state));
	op->percent = st->percent;
	op_seen(op, st->state, st->result, st->bytes_done, "QUERY");
	return 0;
}

static void do_query(struct sess *s, unsigned long cmd)
{
	struct vdswipe_status st;

	query_op(s, pick_id(s), pick_ptr(), cmd, &st, true);
}

static void do_wait(struct sess *s, unsigned long cmd)
{
	enum ptr_kind k = pick_ptr();
	struct vdswipe_wait w = { .op_id = pick_id(s) };
	struct fop *op = find_op(s, w.op_id);
	uint64_t now = vt_now_ns();
	struct exp x = { 0 };
	void *p;
	int e;

	switch (below(6)) {
	case 0:
		w.deadline = 0;
		break;
	case 1:
		w.deadline = now - below(now);
		break;
	case 2:
		w.deadline = now - 1;
		break;
	case 3:
		/* only an op known to have ended may be waited for forever */
		w.deadline = op && op->ended ? VDSWIPE_WAIT_INFINITE : now;
		break;
	default:
		w.deadline = now + below(1000000);
		break;
	}
	if (chance(5))
		w.flags = junk32();
	if (chance(5))
		w.reserved = junk32();
	p = place(k, &w, sizeof(w));
	snprintf(desc, sizeof(desc),
		 "WAIT cmd=%#lx ptr=%s(%p) op_id=%llu deadline=now%+lld flags=%#x reserved=%#x",
		 cmd, ptr_name[k], p, (unsigned long long)w.op_id,
		 (long long)(w.deadline - now), w.flags, w.reserved);
	if (!ptr_readable(k)) {
		exp_add(&x, EFAULT);
	} else if (w.flags || w.reserved) {
		exp_add(&x, EINVAL);
	} else if (!op) {
		exp_add(&x, ENOENT);
	} else {
		exp_add(&x, 0);
		if (!op->ended) {
			exp_add(&x, ETIMEDOUT);
			exp_add(&x, EINTR);
		}
	}
	e = xioctl(sess_fd(s), cmd, p);
	account(C_WAIT, e, &x);
	if (!e && op)
		op->ended = true;
}

static void do_op_ref(struct sess *s, unsigned long cmd, bool cancel)
{
	enum ptr_kind k = pick_ptr();
	struct vdswipe_op_ref r = { .op_id = pick_id(s) };
	struct fop *op = find_op(s, r.op_id);
	struct vdswipe_status st;
	struct exp x = { 0 };
	uint64_t id = r.op_id;
	void *p;
	int e;

	if (chance(5))
		r.flags = junk32();
	if (chance(5))
		r.reserved = junk32();
	p = place(k, &r, sizeof(r));
	snprintf(desc, sizeof(desc),
		 "%s cmd=%#lx ptr=%s(%p) op_id=%llu flags=%#x reserved=%#x%s",
		 cancel ? "CANCEL" : "RELEASE", cmd, ptr_name[k], p,
		 (unsigned long long)r.op_id, r.flags, r.reserved,
		 op ? (op->ended ? " (ended)" : " (live)") : "");
	if (!ptr_readable(k)) {
		exp_add(&x, EFAULT);
	} else if (r.flags || r.reserved) {
		exp_add(&x, EINVAL);
	} else if (s->unpriv) {
		exp_add(&x, EPERM);
	} else if (!op) {
		exp_add(&x, ENOENT);
	} else if (!cancel) {
		exp_add(&x, 0);
		if (!op->ended)
			exp_add(&x, EBUSY);
	} else if (op->method == VDSWIPE_METHOD_DISCARD) {
		exp_add(&x, EOPNOTSUPP);
	} else if (op->ended && op->state) {
		exp_add(&x, op->state == VDSWIPE_STATE_CANCELLED ? ECANCELED :
			EALREADY);
	} else {
		exp_add(&x, EALREADY);
		exp_add(&x, ECANCELED);
		if (!op->ended)
			exp_add(&x, 0);
	}
	e = xioctl(sess_fd(s), cmd, p);
	account(cancel ? C_CANCEL : C_RELEASE, e, &x);
	if (!op || (e && e != ECANCELED))
		return;
	if (!cancel) {
		if (!e)
			drop_op(s, op);
		return;
	}
	/* 0: this call cancelled it; ECANCELED: it had been. Both: ended. */
	op->ended = true;
	if (!query_op(s, id, P_GOOD, VDSWIPE_IOC_QUERY, &st, false) &&
	    st.state != VDSWIPE_STATE_CANCELLED)
		failf("CANCEL returned %s, the op is %s", ename(e),
		      vt_state_name(st.state));
}

static void do_cancel_all(struct sess *s, unsigned long cmd)
{
	enum ptr_kind k = pick_ptr();
	struct vdswipe_cancel_all ca = { 0 };
	struct vdswipe_status st;
	struct exp x = { 0 };
	unsigned int cancellable = 0;
	uint64_t *ids;
	int i, e, n;
	void *p;

	if (chance(8))
		ca.flags = junk32();
	if (chance(5))
		ca.cancelled = (uint32_t)rnd();
	p = place(k, &ca, sizeof(ca));
	snprintf(desc, sizeof(desc),
		 "CANCEL_ALL cmd=%#lx ptr=%s(%p) flags=%#x session-ops=%d",
		 cmd, ptr_name[k], p, ca.flags, s->nr_ops);
	if (!ptr_readable(k))
		exp_add(&x, EFAULT);
	else if (ca.flags)
		exp_add(&x, EINVAL);
	else if (s->unpriv)
		exp_add(&x, EPERM);
	else
		exp_add(&x, ptr_writable(k) ? 0 : EFAULT);
	for (i = 0; i < s->nr_ops; i++)
		if (!s->ops[i].ended &&
		    s->ops[i].method != VDSWIPE_METHOD_DISCARD)
			cancellable++;
	e = xioctl(sess_fd(s), cmd, p);
	account(C_CANCEL_ALL, e, &x);
	if (e && (e != EFAULT || !ptr_readable(k) || ca.flags || s->unpriv))
		return;
	if (!e) {
		memcpy(&ca, p, sizeof(ca));
		if (ca.cancelled > cancellable)
			failf("CANCEL_ALL cancelled %u of %u cancellable ops",
			      ca.cancelled, cancellable);
	}
	/* every op it could cancel has ended, unless it was flushing */
	n = s->nr_ops;
	ids = calloc(n + 1, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = s->ops[i].id;
	for (i = 0; i < n; i++) {
		struct fop *op = find_op(s, ids[i]);

		if (!op || op->ended || op->method == VDSWIPE_METHOD_DISCARD)
			continue;
		if (query_op(s, ids[i], P_GOOD, VDSWIPE_IOC_QUERY, &st, false))
			continue;
		if (!vt_state_ended(st.state) && st.bytes_done != st.bytes_total)
			failf("after CANCEL_ALL op %llu is %s at %llu of %llu bytes",
			      (unsigned long long)ids[i],
			      vt_state_name(st.state),
			      (unsigned long long)st.bytes_done,
			      (unsigned long long)st.bytes_total);
	}
	free(ids);
}

/* event records from read(): each for an op we hold, once */
static void check_events(struct sess *s, const struct vdswipe_event *ev,
			 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct fop *op = find_op(s, ev[i].op_id);

		if (!op) {
			failf("read: event for op %llu the session does not hold",
			      (unsigned long long)ev[i].op_id);
			continue;
		}
		if (op->event)
			failf("read: second event for op %llu",
			      (unsigned long long)ev[i].op_id);
		op->event = true;
		if (!vt_state_ended(ev[i].state) || ev[i].reserved)
			failf("read: event for op %llu state %u reserved %llu",
			      (unsigned long long)ev[i].op_id, ev[i].state,
			      (unsigned long long)ev[i].reserved);
		op_seen(op, ev[i].state, ev[i].result, ev[i].bytes_done,
			"read");
	}
}

static int poll_fd(int fd, int timeout)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout);

	if (n < 0)
		return -errno;
	if (n && (pfd.revents & ~(POLLIN | POLLRDNORM)))
		failf("poll revents %#x", pfd.revents);
	return n ? pfd.revents : 0;
}

static void do_poll(struct sess *s)
{
	int r;

	snprintf(desc, sizeof(desc), "poll session");
	r = poll_fd(sess_fd(s), chance(90) ? 0 : 1);
	account(C_POLL, r < 0 ? -r : 0, NULL);
}

static void do_read(struct sess *s)
{
	static const size_t small[] = { 0, 1, 8, 16, 24, 31 };
	enum ptr_kind k = P_GOOD;
	struct exp x = { 0 };
	size_t size;
	uint8_t *p;
	ssize_t n;
	int fd = sess_fd(s), pr;

	/* a blocking read with nothing queued waits for the timer's signal */
	if (!s->nonblock && chance(95)) {
		pr = poll_fd(fd, 0);
		account(C_POLL, pr < 0 ? -pr : 0, NULL);
		if (pr <= 0)
			return;
	}
	switch (below(10)) {
	case 0:
		size = small[below(6)];
		break;
	case 1:
		size = 32 * (1 + below(8)) + 1 + below(31);
		break;
	case 2:
		size = chance(50) ? SIZE_MAX / 2 : 1ULL << 30;
		break;
	default:
		size = 32 * (1 + below(16));
		break;
	}
	if (chance(85)) {
		p = arena + below(16) * 8;
		if (size + 128 > 2 * PAGE) {
			/* past two records it runs into the read-only page */
			p = arena + 2 * PAGE - 64;
			k = P_STRADDLE_RO;
		}
	} else {
		k = (enum ptr_kind)(2 + below(P_NR - 2));
		p = place(k, arena, 32);
	}
	snprintf(desc, sizeof(desc), "read ptr=%s(%p) size=%zu %sblocking",
		 ptr_name[k], p, size, s->nonblock ? "non" : "");
	if ((k == P_KERNEL || k == P_NONCANON ||
	     (size > (1ULL << 47) && k != P_NULL)))
		/* the VFS's access_ok() refuses it first */
		exp_add(&x, EFAULT);
	if (size < 32) {
		exp_add(&x, EINVAL);
	} else {
		exp_add(&x, 0);
		exp_add(&x, s->nonblock ? EAGAIN : EINTR);
		if (!ptr_writable(k))
			exp_add(&x, EFAULT);
	}
	n = read(fd, p, size);
	account(C_READ, n < 0 ? errno : 0, &x);
	if (n < 0)
		return;
	if (n % 32 || (size_t)n > size || !n)
		failf("read returned %zd", n);
	else
		check_events(s, (const struct vdswipe_event *)p, n / 32);
}

static void do_unknown(struct sess *s)
{
	static const unsigned int sizes[] = {
		sizeof(struct vdswipe_version), sizeof(struct vdswipe_clean),
		sizeof(struct vdswipe_status), sizeof(struct vdswipe_wait),
		sizeof(struct vdswipe_op_ref),
		sizeof(struct vdswipe_cancel_all), 0, 1, 4, 8,
	};
	static const unsigned long defined[] = {
		VDSWIPE_IOC_VERSION, VDSWIPE_IOC_CLEAN, VDSWIPE_IOC_QUERY,
		VDSWIPE_IOC_WAIT, VDSWIPE_IOC_CANCEL, VDSWIPE_IOC_CANCEL_ALL,
		VDSWIPE_IOC_RELEASE, VDSWIPE_IOC_SANITIZE,
		VDSWIPE_IOC_PROGRESS,
	};
	enum ptr_kind k = pick_ptr();
	unsigned int dir, nr, size, magic, i;
	uint32_t cmd;
	void *p;
	int e;

	for (;;) {
		switch (below(5)) {
		case 0:	/* neighbours: same magic, any number */
			cmd = _IOC(below(4), VDSWIPE_IOC_MAGIC, below(16),
				   chance(50) ? sizes[below(10)] :
				   below(1U << 14));
			break;
		case 1:	/* a defined command, wrong direction */
			cmd = defined[below(ARRAY_SIZE(defined))];
			cmd = (cmd & ~(3U << _IOC_DIRSHIFT)) |
			      ((uint32_t)below(4) << _IOC_DIRSHIFT);
			break;
		case 2:	/* a defined command, wrong size */
			cmd = defined[below(ARRAY_SIZE(defined))];
			size = _IOC_SIZE(cmd);
			size = chance(50) ? size + 1 + below(8) - 4 :
			       sizes[below(10)];
			cmd = _IOC(_IOC_DIR(cmd), VDSWIPE_IOC_MAGIC,
				   _IOC_NR(cmd), size & _IOC_SIZEMASK);
			break;
		case 3:	/* another magic */
			cmd = _IOC(below(4), below(256), below(256),
				   sizes[below(10)]);
			break;
		default:
			cmd = (uint32_t)rnd();
			break;
		}
		magic = _IOC_TYPE(cmd);
		/* the VFS handles these itself (FIONBIO, FIOCLEX, FICLONE, ...) */
		if (magic == 'T' || magic == 'X' || magic == 'f' ||
		    magic == 0x94 || magic == 0x15 || magic == 0)
			continue;
		break;
	}
	for (i = 0; i < ARRAY_SIZE(defined); i++)
		if (cmd == defined[i])
			return;		/* the caller picks another call */
	dir = _IOC_DIR(cmd);
	nr = _IOC_NR(cmd);
	p = place(k, (const uint8_t [64]){ 0 }, 64);
	snprintf(desc, sizeof(desc),
		 "ioctl cmd=%#x (dir %u magic %#x nr %#x size %u) ptr=%s(%p)",
		 cmd, dir, magic, nr, _IOC_SIZE(cmd), ptr_name[k], p);
	/* the upper 32 bits of the request are not part of the command */
	e = xioctl(sess_fd(s), chance(10) ? cmd | (rnd() << 32) : cmd, p);
	account(C_UNKNOWN, e, &(struct exp){ 1, { ENOTTY } });
}

/*
 * Raise or drop CAP_SYS_ADMIN in the effective set (it stays permitted).
 * The rule is the opener's: a session opened without it gets EPERM for
 * CLEAN, CANCEL, CANCEL_ALL and RELEASE whoever calls; one opened with it
 * keeps its rights in a caller without it.
 */
static void set_admin(bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const uint32_t bit = 1U << (CAP_SYS_ADMIN % 32);

	if (syscall(SYS_capget, &hdr, data))
		abort();
	if (on)
		data[CAP_SYS_ADMIN / 32].effective |= bit;
	else
		data[CAP_SYS_ADMIN / 32].effective &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		abort();
}

static void sess_open(struct sess *s)
{
	int fd;

	s->nonblock = chance(50);
	s->unpriv = chance(10);
	snprintf(desc, sizeof(desc), "open " VT_DEV_NODE "%s",
		 s->unpriv ? " without CAP_SYS_ADMIN" : "");
	if (s->unpriv)
		set_admin(false);
	fd = vt_session_open_flags(s->nonblock ? O_NONBLOCK : 0);
	if (s->unpriv)
		set_admin(true);
	account(C_OPEN, fd < 0 ? -fd : 0, &(struct exp){ 1, { 0 } });
	s->fd[0] = fd;
	s->fd[1] = fd >= 0 && chance(30) ? dup(fd) : -1;
	s->nr_ops = 0;
	s->last_id = 0;
}

static void sess_close(struct sess *s)
{
	uint64_t t0;
	int i, e;

	if (s->fd[1] >= 0 && chance(50)) {
		/* a dup: the session stays */
		snprintf(desc, sizeof(desc), "close dup of a session");
		e = close(s->fd[1]) ? errno : 0;
		account(C_CLOSE, e, &(struct exp){ 1, { 0 } });
		s->fd[1] = -1;
		return;
	}
	snprintf(desc, sizeof(desc), "close session (%d ops)", s->nr_ops);
	t0 = vt_now_ns();
	e = close(s->fd[0]) ? errno : 0;
	account(C_CLOSE, e, &(struct exp){ 1, { 0 } });
	s->fd[0] = -1;
	if (s->fd[1] >= 0) {
		/* the other fd still holds the open file */
		s->fd[0] = s->fd[1];
		s->fd[1] = -1;
		return;
	}
	t0 = vt_now_ns() - t0;
	if (t0 > max_close_ns)
		max_close_ns = t0;
	/*
	 * close() waits for every op to end, up to 5 s for running ones
	 * (then the module finishes them in the background): beyond that,
	 * the claims of this session's ops may outlive the close.
	 */
	for (i = 0; i < s->nr_ops; i++)
		if (t0 > 4 * VT_NSEC_PER_SEC && !s->ops[i].ended)
			devs[devs[s->ops[i].dev].disk].tainted = true;
	s->nr_ops = 0;
}

/* Take or give back an O_EXCL hold of one of the target devices. */
static void toggle_excl(void)
{
	static const int cand[] = { D_RAM0, D_RAM1, D_RAM2, D_RAM2P1, D_NULLB };
	int d = cand[below(5)];

	if (excl_fd >= 0) {
		fds[nr_fds - 1].kind = FD_CLOSED;
		close(excl_fd);
		excl_fd = excl_dev = -1;
		return;
	}
	if (devs[d].fd < 0)
		return;
	excl_fd = vt_open(devs[d].path, O_RDWR | O_EXCL);
	if (excl_fd < 0) {
		/* only a claim of one of our ops may stand in the way */
		if (excl_fd != -EBUSY)
			failf("O_EXCL open of %s: %s", devs[d].path,
			      strerror(-excl_fd));
		else if (!possible_conflict(d, 0, devs[d].size))
			failf("O_EXCL open of %s: EBUSY with no op that may hold it",
			      devs[d].path);
		excl_fd = -1;
		return;
	}
	excl_dev = d;
	fds[nr_fds - 1] = (struct fdent){ "O_EXCL", excl_fd, FD_EXCL, d };
}

static void one_call(void)
{
	int si = pick_session();
	struct sess *s;
	unsigned int r;
	bool dropped;

	if (si < 0) {
		sess_open(&sessions[below(NSESS)]);
		return;
	}
	s = &sessions[si];
	r = (unsigned int)below(1000);
	/* a caller without the capability: the session's opener decides */
	dropped = r < 830 && chance(10);
	cur_dropped = dropped;
	cur_unpriv = s->unpriv;
	if (dropped)
		set_admin(false);
	if (r < 260)
		do_clean(s, VDSWIPE_IOC_CLEAN);
	else if (r < 420)
		do_query(s, VDSWIPE_IOC_QUERY);
	else if (r < 530)
		do_wait(s, VDSWIPE_IOC_WAIT);
	else if (r < 610)
		do_op_ref(s, VDSWIPE_IOC_CANCEL, true);
	else if (r < 620)
		do_cancel_all(s, VDSWIPE_IOC_CANCEL_ALL);
	else if (r < 690)
		do_op_ref(s, VDSWIPE_IOC_RELEASE, false);
	else if (r < 710)
		do_version(s, VDSWIPE_IOC_VERSION);
	else if (r < 830)
		do_unknown(s);
	if (dropped)
		set_admin(true);
	cur_dropped = false;
	if (r < 830)
		return;
	if (r < 910)
		do_read(s);
	else if (r < 980)
		do_poll(s);
	else if (r < 988)
		toggle_excl();
	else if (r < 994) {
		sess_close(s);
	} else {
		/* open a session in a free slot, or close and reopen */
		for (si = 0; si < NSESS; si++)
			if (sessions[si].fd[0] < 0)
				break;
		if (si == NSESS) {
			sess_close(s);
			if (s->fd[0] >= 0)
				return;
			si = s - sessions;
		}
		sess_open(&sessions[si]);
	}
}

/* ------------------------------------------------------------ setup */

static void on_signal(int sig)
{
	nr_signals++;
}

static timer_t timer;

static int timer_start(void)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR1,
	};
	struct itimerspec its = {
		.it_interval = { 0, TIMER_NS },
		.it_value = { 0, TIMER_NS },
	};
	struct sigaction sa = { .sa_handler = on_signal };

	/* no SA_RESTART: interruptible calls return EINTR */
	if (sigaction(SIGUSR1, &sa, NULL))
		return -errno;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer))
		return -errno;
	if (timer_settime(timer, 0, &its, NULL))
		return -errno;
	return 0;
}

static void timer_stop(void)
{
	timer_delete(timer);
	signal(SIGUSR1, SIG_IGN);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static int open_empty_loop(char *path, size_t len)
{
	uint64_t size = 1;
	int ctl, n, fd;

	vt_run("modprobe loop");
	ctl = vt_open("/dev/loop-control", O_RDWR);
	if (ctl < 0)
		return ctl;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		return -ENODEV;
	snprintf(path, len, "/dev/loop%d", n);
	if (vt_wait_node(path, 3000))
		return -ENODEV;
	fd = vt_open(path, O_RDWR);
	if (fd < 0)
		return fd;
	if (vt_dev_size(fd, &size) || size) {
		close(fd);
		return -ENOTEMPTY;
	}
	return fd;
}

FIXTURE(fuzz) {
	int loopfd, nullfd, filefd, dirfd, pipefd[2], ramro_rdonly;
	bool nullb, zoned;
};

static int setup_dev(struct __test_metadata *_metadata, int d,
		     const char *name, int disk)
{
	struct fdev *v = &devs[d];
	char sys[128];
	uint64_t max;

	v->name = name;
	v->disk = disk;
	v->fd = vt_open(v->path, O_RDWR);
	if (v->fd < 0)
		return v->fd;
	if (vt_dev_size(v->fd, &v->size) || vt_dev_lbs(v->fd, &v->lbs))
		return -EIO;
	/* the disk's queue says whether it discards (brd does on newer kernels) */
	snprintf(sys, sizeof(sys), "/sys/block/%s/queue/discard_max_bytes",
		 strrchr(devs[disk].path, '/') + 1);
	v->discard = !vt_read_u64(sys, &max) && max;
	return 0;
}

FIXTURE_SETUP(fuzz)
{
	struct vt_nullb_opts nb = {
		.size_mib = DEV_MIB, .blocksize = 4096, .memory_backed = true,
		.discard = true,
	};
	struct vt_nullb_opts zb = {
		.size_mib = DEV_MIB, .zoned = true, .zone_size_mib = 4,
	};
	static const char *const brd_name[NR_BRD] = {
		"ram0", "ram1", "ram2", "ram-ro", "sentinel",
	};
	static const int brd_idx[NR_BRD] = {
		D_RAM0, D_RAM1, D_RAM2, D_RAMRO, D_SENTINEL,
	};
	char tmp[64];
	int i, ret;

	self->loopfd = self->nullfd = self->filefd = self->dirfd = -1;
	self->pipefd[0] = self->pipefd[1] = self->ramro_rdonly = -1;
	for (i = 0; i < D_NR; i++)
		devs[i].fd = -1;
	for (i = 0; i < NSESS; i++)
		sessions[i].fd[0] = sessions[i].fd[1] = -1;
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(FZ_PARAMS));
	ret = vt_brd_load(NR_BRD, DEV_MIB, 4);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	for (i = 0; i < NR_BRD; i++) {
		struct fdev *v = &devs[brd_idx[i]];

		vt_brd_path(i, v->path, sizeof(v->path));
		ASSERT_EQ(0, setup_dev(_metadata, brd_idx[i], brd_name[i],
				       brd_idx[i]));
		v->target = brd_idx[i] != D_SENTINEL;
		v->precise = brd_idx[i] == D_RAM0;
		v->verify = true;
		v->seed = rng ^ (0x1000 + i);
		ASSERT_EQ(0, vt_fill_seeded(v->path, 0, v->size, v->seed));
		v->image = vt_snapshot(v->path, 0, v->size);
		ASSERT_NE(NULL, v->image);
	}
	/* ram2 gets a partition: [4 MiB, 12 MiB), /dev/ram2p1 */
	ASSERT_EQ(0, vt_blkpg_add(devs[D_RAM2].path, 1, 4 * VT_MIB,
				  8 * VT_MIB));
	vt_part_path(devs[D_RAM2].path, 1, devs[D_RAM2P1].path,
		     sizeof(devs[D_RAM2P1].path));
	ASSERT_EQ(0, setup_dev(_metadata, D_RAM2P1, "ram2p1", D_RAM2));
	devs[D_RAM2].has_parts = true;
	devs[D_RAM2P1].is_part = devs[D_RAM2P1].target = true;
	devs[D_RAM2P1].part_off = 4 * VT_MIB;
	/* ram-ro: read-only after our fd was opened for writing */
	ASSERT_EQ(0, vt_set_ro(devs[D_RAMRO].path, true));
	devs[D_RAMRO].ro = true;

	if (vt_nullb_available()) {
		ret = vt_nullb_create("vdswfuzz", &nb, devs[D_NULLB].path,
				      sizeof(devs[D_NULLB].path));
		if (!ret) {
			ASSERT_EQ(0, setup_dev(_metadata, D_NULLB, "nullb-4k",
					       D_NULLB));
			devs[D_NULLB].target = devs[D_NULLB].verify = true;
			devs[D_NULLB].precise = true;
			devs[D_NULLB].seed = rng ^ 0x2000;
			ASSERT_EQ(0, vt_fill_seeded(devs[D_NULLB].path, 0,
						    devs[D_NULLB].size,
						    devs[D_NULLB].seed));
			devs[D_NULLB].image = vt_snapshot(devs[D_NULLB].path,
							  0, devs[D_NULLB].size);
			ASSERT_NE(NULL, devs[D_NULLB].image);
			self->nullb = true;
		}
		ret = vt_nullb_create("vdswfuzzz", &zb, devs[D_ZONED].path,
				      sizeof(devs[D_ZONED].path));
		if (!ret) {
			ASSERT_EQ(0, setup_dev(_metadata, D_ZONED, "zoned",
					       D_ZONED));
			devs[D_ZONED].target = devs[D_ZONED].zoned = true;
			self->zoned = true;
		}
	}
	if (!self->nullb)
		ksft_print_msg("no null_blk: no 4096-byte-block or discard device\n");

	nr_fds = 0;
	for (i = 0; i < D_NR; i++)
		if (devs[i].target && devs[i].fd >= 0)
			add_fd(devs[i].name, devs[i].fd, FD_DEV, i);
	/* the real devices again, so that they are picked more often */
	add_fd("ram0", devs[D_RAM0].fd, FD_DEV, D_RAM0);
	add_fd("ram1", devs[D_RAM1].fd, FD_DEV, D_RAM1);
	add_fd("ram2p1", devs[D_RAM2P1].fd, FD_DEV, D_RAM2P1);
	if (self->nullb)
		add_fd("nullb-4k", devs[D_NULLB].fd, FD_DEV, D_NULLB);
	self->ramro_rdonly = vt_open(devs[D_RAM0].path, O_RDONLY);
	add_fd("ram0 O_RDONLY", self->ramro_rdonly, FD_RDONLY, D_RAM0);
	add_fd("ram1 O_PATH", vt_open(devs[D_RAM1].path, O_PATH), FD_PATH, -1);
	self->nullfd = vt_open("/dev/null", O_RDWR);
	add_fd("/dev/null", self->nullfd, FD_NOTBLK, -1);
	self->filefd = vt_open("/tmp/vdsw-fuzz-file", O_RDWR | O_CREAT);
	add_fd("regular file", self->filefd, FD_NOTBLK, -1);
	self->dirfd = vt_open("/tmp", O_RDONLY | O_DIRECTORY);
	add_fd("directory", self->dirfd, FD_NOTBLK, -1);
	if (!pipe2(self->pipefd, O_CLOEXEC))
		add_fd("pipe", self->pipefd[1], FD_NOTBLK, -1);
	add_fd("closed", -1, FD_CLOSED, -1);
	self->loopfd = open_empty_loop(tmp, sizeof(tmp));
	add_fd("empty loop", self->loopfd, FD_EMPTY, -1);
	/* the last slot: the O_EXCL holder, or a closed fd */
	add_fd("closed", -1, FD_CLOSED, -1);

	arena = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, arena);
	ASSERT_EQ(0, munmap(arena + 3 * PAGE, PAGE));
	ro_page(true);
}

FIXTURE_TEARDOWN(fuzz)
{
	int i;

	for (i = 0; i < NSESS; i++) {
		if (sessions[i].fd[1] >= 0)
			close(sessions[i].fd[1]);
		if (sessions[i].fd[0] >= 0)
			close(sessions[i].fd[0]);
	}
	if (excl_fd >= 0)
		close(excl_fd);
	for (i = 0; i < D_NR; i++)
		if (devs[i].fd >= 0)
			close(devs[i].fd);
	for (i = 0; i < nr_fds; i++)
		if (fds[i].kind != FD_CLOSED && fds[i].kind != FD_DEV &&
		    fds[i].fd >= 0)
			close(fds[i].fd);
	if (self->pipefd[0] >= 0)
		close(self->pipefd[0]);
	unlink("/tmp/vdsw-fuzz-file");
	if (devs[D_RAMRO].path[0])
		vt_set_ro(devs[D_RAMRO].path, false);
	vt_nullb_destroy("vdswfuzz");
	vt_nullb_destroy("vdswfuzzz");
	vt_brd_unload();
	if (!vt_module_loaded())
		vt_module_load(NULL);
}

/* ------------------------------------------------------------ the end */

static int cmp_range(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* write @w's seeded data back over [off, off + len), O_DIRECT */
static void restore_range(struct fdev *w, uint64_t off, uint64_t len)
{
	int fd = vt_open(w->path, O_RDWR | O_DIRECT);

	if (fd < 0 || pwrite(fd, w->image + off, len, off) != (ssize_t)len) {
		printf("# FAIL cannot restore %s [%#llx, +%#llx)\n", w->path,
		       (unsigned long long)off, (unsigned long long)len);
		nr_fail++;
	}
	if (fd >= 0)
		close(fd);
}

/*
 * Every block of @w outside the ranges covered since the last checkpoint
 * still holds its seeded data; then the covered ranges get it back (with
 * @restore), so that the next period starts from a known device again.
 */
static int verify_dev(struct fdev *w, uint64_t *checked, bool restore)
{
	uint64_t pos = 0, bad = 0, cs, ce;
	unsigned int i;
	int ret = 0, r;

	qsort(w->cov, w->nr_cov, sizeof(w->cov[0]), cmp_range);
	for (i = 0; i <= w->nr_cov; i++) {
		uint64_t next = i < w->nr_cov ? w->cov[i][0] : w->size;

		if (next > pos) {
			r = vt_compare_snapshot(w->path, pos, next - pos,
						w->image + pos, &bad);
			if (r) {
				printf("# FAIL %s: byte %#llx outside every range cleaned since the last check was changed (%d)\n",
				       w->path, (unsigned long long)bad, r);
				nr_fail++;
				ret = r;
				/* put the data back, to go on */
				restore_range(w, pos, next - pos);
			}
			*checked += next - pos;
		}
		if (i == w->nr_cov)
			break;
		/* the merged covered range starting here */
		cs = w->cov[i][0] > pos ? w->cov[i][0] : pos;
		ce = w->cov[i][1];
		while (i + 1 < w->nr_cov && w->cov[i + 1][0] <= ce) {
			i++;
			if (w->cov[i][1] > ce)
				ce = w->cov[i][1];
		}
		if (ce > cs && restore)
			restore_range(w, cs, ce - cs);
		if (ce > pos)
			pos = ce;
	}
	if (restore)
		w->nr_cov = 0;
	return ret;
}

/* CANCEL_ALL, wait for every op, drain the events: all ended, once */
static void finish_session(struct sess *s)
{
	struct vdswipe_event ev[16];
	struct vdswipe_status st;
	uint32_t cancelled;
	ssize_t n;
	int i, e;

	snprintf(desc, sizeof(desc), "settling CANCEL_ALL");
	e = -vt_cancel_all(s->fd[0], &cancelled);
	account(C_CANCEL_ALL, e, &(struct exp){ 1, { s->unpriv ? EPERM : 0 } });
	for (i = 0; i < s->nr_ops; i++) {
		struct fop *op = &s->ops[i];

		snprintf(desc, sizeof(desc), "settling WAIT op %llu",
			 (unsigned long long)op->id);
		e = -vt_wait_ms(s->fd[0], op->id, 20000);
		account(C_WAIT, e, &(struct exp){ 1, { 0 } });
		query_op(s, op->id, P_GOOD, VDSWIPE_IOC_QUERY, &st, false);
		if (!vt_state_ended(st.state))
			failf("op %llu still %s after CANCEL_ALL and WAIT",
			      (unsigned long long)op->id,
			      vt_state_name(st.state));
	}
	for (;;) {
		snprintf(desc, sizeof(desc), "settling poll + read");
		if (poll_fd(s->fd[0], 0) <= 0)
			break;
		n = read(s->fd[0], ev, sizeof(ev));
		account(C_READ, n < 0 ? errno : 0, &(struct exp){ 1, { 0 } });
		if (n <= 0)
			break;
		check_events(s, ev, n / sizeof(ev[0]));
	}
	for (i = 0; i < s->nr_ops; i++)
		if (!s->ops[i].event)
			failf("op %llu ended without an event record",
			      (unsigned long long)s->ops[i].id);
}

static uint64_t nr_checkpoints, verified_bytes, checkpoint_ns;

/*
 * Every CHECKPOINT_CALLS calls: end every op, check the precise devices
 * outside what was cleaned since the last checkpoint and restore their data.
 * At the end (!@restore): every device, outside what was ever cleaned.
 */
static void checkpoint(bool restore)
{
	uint64_t t0 = vt_now_ns();
	sigset_t set;
	int i;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < NSESS; i++)
		if (sessions[i].fd[0] >= 0)
			finish_session(&sessions[i]);
	for (i = 0; i < D_NR; i++)
		if (devs[i].verify && (devs[i].precise || !restore))
			verify_dev(&devs[i], &verified_bytes, restore);
	nr_checkpoints++;
	checkpoint_ns += vt_now_ns() - t0;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void print_histogram(void)
{
	char line[1024];
	int c, e;

	for (c = 0; c < C_NR; c++) {
		uint64_t total = 0;

		snprintf(line, sizeof(line), "%s:", call_name[c]);
		for (e = 0; e <= HIST_MAX; e++) {
			if (!hist[c][e])
				continue;
			total += hist[c][e];
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 " %s=%llu", e == HIST_MAX ? "E>=160" : ename(e),
				 (unsigned long long)hist[c][e]);
		}
		if (total)
			ksft_print_msg("%s\n", line);
	}
}

static uint64_t seed;

TEST_F_TIMEOUT(fuzz, random_calls, 290)
{
	uint64_t calls = env_u64("VDSWIPE_FUZZ_CALLS", DEFAULT_CALLS);
	uint64_t seconds = env_u64("VDSWIPE_FUZZ_SECONDS", 0);
	uint64_t start, elapsed, t, next_checkpoint = CHECKPOINT_CALLS;
	int i;

	verbose = env_u64("VDSWIPE_FUZZ_VERBOSE", 0);
	ksft_print_msg("seed=%#llx (VDSWIPE_FUZZ_SEED) %s=%llu\n",
		       (unsigned long long)seed,
		       seconds ? "seconds" : "calls",
		       (unsigned long long)(seconds ? seconds : calls));
	ASSERT_EQ(0, timer_start());
	start = vt_now_ns();
	while (seconds ? vt_ms_since(start) < seconds * 1000 :
			 nr_calls < calls) {
		one_call();
		if (nr_calls >= next_checkpoint) {
			checkpoint(true);
			next_checkpoint = nr_calls + CHECKPOINT_CALLS;
		}
	}
	elapsed = vt_now_ns() - start;
	timer_stop();

	/* the end: every op ends, with one event each; then close */
	for (i = 0; i < NSESS; i++) {
		if (sessions[i].fd[0] < 0)
			continue;
		finish_session(&sessions[i]);
		if (sessions[i].fd[1] >= 0)
			close(sessions[i].fd[1]);
		sessions[i].fd[1] = -1;
		t = vt_now_ns();
		close(sessions[i].fd[0]);
		t = vt_now_ns() - t;
		if (t > max_close_ns)
			max_close_ns = t;
		sessions[i].fd[0] = -1;
		sessions[i].nr_ops = 0;
	}
	if (excl_fd >= 0) {
		close(excl_fd);
		excl_fd = -1;
		fds[nr_fds - 1].kind = FD_CLOSED;
	}

	ksft_print_msg("calls=%llu seconds=%.1f (checkpoints %.1f) calls/s=%.0f signals=%lu longest close=%.1f ms\n",
		       (unsigned long long)nr_calls, elapsed / 1e9,
		       checkpoint_ns / 1e9,
		       nr_calls / ((elapsed - checkpoint_ns) / 1e9),
		       nr_signals, max_close_ns / 1e6);
	print_histogram();

	/* nobody holds any device any more */
	for (i = 0; i < D_NR; i++)
		if (devs[i].fd >= 0)
			EXPECT_EQ(0, vt_try_excl(devs[i].path))
				TH_LOG("%s still claimed", devs[i].path);
	/* the module unloads: no op, no session left */
	EXPECT_EQ(0, vt_module_unload());
	EXPECT_FALSE(vt_module_loaded());

	/* nothing outside a cleaned range was written */
	checkpoint(false);
	ksft_print_msg("checkpoints=%llu: verified %llu MiB outside the cleaned ranges\n",
		       (unsigned long long)nr_checkpoints,
		       (unsigned long long)(verified_bytes >> 20));
	print_fail_kinds();

	EXPECT_EQ(0, vt_module_load(NULL));
	EXPECT_EQ(0, nr_fail) TH_LOG("%llu failed checks (seed %#llx)",
				     (unsigned long long)nr_fail,
				     (unsigned long long)seed);
}

int main(int argc, char **argv)
{
	uint64_t seconds = env_u64("VDSWIPE_FUZZ_SECONDS", 0);

	seed = env_u64("VDSWIPE_FUZZ_SEED", DEFAULT_SEED);
	rng = seed;
	/* run for as long as asked, plus the setup and the checks */
	if (seconds)
		_fuzz_random_calls_object->timeout = (int)seconds + 240;
	return test_harness_run(argc, argv);
}
