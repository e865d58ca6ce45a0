// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: VDSWIPE_STRESS_THREADS threads (default 8) issue random calls for
 * VDSWIPE_STRESS_SECONDS (default 20, the short pass of `make check`;
 * `make stress` runs 600) on sessions shared by all threads and on one
 * private session per thread, against several devices: three brd disks, two
 * partitions of one of them (and the whole disk), a dm-delay device over a
 * fourth brd disk (so that disk is held: every clean of it is EBUSY), and a
 * null_blk whose every request takes 10 ms.
 *
 * The calls: CLEAN (quick, full, ranged; zero, pattern, discard, mostly with
 * FORCE), QUERY, WAIT (deadlines in the past, a few ms ahead, or infinite and
 * broken by a timer signal), CANCEL, CANCEL_ALL, RELEASE, read() and poll()
 * of events, close-and-reopen of a session, and brief O_EXCL opens of the
 * devices. Each kind counts its calls and errnos; an errno the ABI document
 * does not list for that call (or one impossible here, e.g. EINVAL for a
 * valid request) fails the test. Cheap invariants are checked as it runs:
 * QUERY's bytes_done and percent never decrease, an ended state never
 * changes and agrees with result, percent and bytes_done, an op that WAIT
 * or CANCEL said ended has ended, CANCEL 0 means CANCELLED (and only one
 * CANCEL returns 0 per op), EALREADY never becomes CANCELLED, a released op
 * is unknown, one event per op, and a non-fatal signal never interrupts
 * CANCEL or CANCEL_ALL.
 *
 * Afterwards every session is closed, no vdswipe_op object is left in its
 * slab cache, every device can be opened O_EXCL at once, and the module
 * unloads (then loads and unloads again). The runner scans the kernel log.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

#define DEFAULT_SECONDS	20
#define DEFAULT_THREADS	8
#define MAX_THREADS	64
#define NR_SHARED	3	/* sessions all threads use */
#define BRD_MIB		32
#define NULLB_MIB	32
/*
 * Every null_blk request completes after this long (irqmode 2): an op keeps
 * at most queue_depth chunks in flight, so a full clean of it takes ~0.3 s.
 * Not the mbps throttle: null_handle_throttled() restarts the bandwidth
 * hrtimer with an unlocked "if (!hrtimer_active()) hrtimer_restart()", which
 * can enqueue it while its callback runs; the callback's
 * hrtimer_forward_now() then WARNs (kernel/time/hrtimer.c:1056, seen once
 * in a 120 s run on 6.12 under TCG). Its callback can also stop the timer
 * (cur_bytes looked full) just as a request that saw it active drives
 * cur_bytes negative and stops the queues: nothing restarts them, the
 * device stops completing I/O (a 240 s run hung so, tasks blocked > 240 s).
 */
#define NULLB_LATENCY_NS	(10 * 1000 * 1000UL)
#define DELAY_MS	5	/* dm-delay: every write and flush */
#define MODULE_PARAMS	"max_active=4 chunk_size=262144"
#define STRIPES		32	/* locks per session over the op records */
#define PAGE_RECS	1024	/* op records per lazily allocated page */
#define MAX_PAGES	4096	/* ids tracked per session incarnation */
#define MAX_VKINDS	64	/* kinds of violation counted apart */
#define REPORTS_PER_KIND 4	/* violations of a kind printed in full */
#define NR_ERRNO	256
#define MAX_DEVS	8

/* issue 9: a cancel that comes once every byte is written is too late */
#define TOO_LATE_FMT \
	"op %llu ended CANCELLED with every byte written (%llu): the cancel came too late, the op should have ended DONE"

enum kind {
	K_SUBMIT, K_QUERY, K_WAIT, K_CANCEL, K_RELEASE, K_CANCEL_ALL,
	K_READ, K_POLL, K_REOPEN, K_EXCL, NR_KINDS
};

static const char *const kind_name[NR_KINDS] = {
	"submit", "query", "wait", "cancel", "release", "cancel_all",
	"read", "poll", "reopen", "excl_open",
};

/* Weights of the kinds, out of 1000. */
static const unsigned int kind_weight[NR_KINDS] = {
	250, 200, 130, 100, 140, 15, 80, 59, 6, 20,
};

/* ------------------------------------------------------------------ */
/* Shared state                                                       */
/* ------------------------------------------------------------------ */

/* What the threads learnt about one op; under its session's stripe lock. */
struct rec {
	uint64_t bytes_total;
	uint64_t last_bytes;	/* highest bytes_done seen */
	uint32_t last_pct;	/* highest percent seen */
	uint8_t known;		/* CLEAN returned this id and we recorded it */
	uint8_t method;
	uint8_t ended_state;	/* 0 until an end was seen */
	uint8_t released;	/* RELEASE returned 0 */
	uint8_t must_end;	/* WAIT 0, CANCEL 0 or ECANCELED seen */
	uint8_t too_late;	/* CANCEL said EALREADY */
	uint8_t cancel0;	/* CANCEL calls that returned 0 */
	uint8_t event_seen;
};

struct sess {
	/* read: a thread uses fd; write: close and reopen it */
	pthread_rwlock_t rw;
	int fd;
	bool nonblock;
	bool shared;
	pthread_mutex_t tab_lock;	/* allocation of pages[] */
	struct rec *pages[MAX_PAGES];
	uint64_t max_id;		/* highest id recorded (atomic) */
	uint64_t cursor;		/* lowest id maybe not released (atomic) */
	pthread_mutex_t stripe[STRIPES];
};

struct dev {
	char path[64];
	const char *what;
	int fd;			/* O_RDWR, shared by all threads */
	uint64_t size;
	bool held;		/* held by dm: every clean is EBUSY */
};

struct tstats {
	uint64_t calls[NR_KINDS];
	uint64_t err[NR_KINDS][NR_ERRNO];	/* [0]: success */
	uint64_t unexpected[NR_KINDS];
	uint64_t ended[8];			/* ends seen, by state */
	uint64_t cancel_all_cancelled;
	uint64_t cancelled_all_written;		/* too late, issue 9 */
	uint64_t max_cancel_us, max_close_us;
	uint64_t dev_ops[MAX_DEVS];			/* ops submitted, by device */
};

struct worker {
	pthread_t th;
	unsigned int idx;
	uint64_t rng;
	struct sess *priv;
	timer_t timer;
	bool timer_ok;
	struct tstats st;
};

static struct dev g_devs[MAX_DEVS];
static unsigned int g_nr_devs;
static struct sess *g_shared[NR_SHARED];
static uint64_t g_end_ns;
static pthread_mutex_t g_print_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t g_violations;			/* under g_print_lock */
static struct {
	const char *fmt;
	uint64_t n;
} g_vkinds[MAX_VKINDS];				/* under g_print_lock */

static unsigned int env_uint(const char *name, unsigned int def,
			     unsigned int min, unsigned int max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return def;
	n = strtoul(v, &end, 10);
	if (*end || n < min)
		return def;
	return n > max ? max : n;
}

static unsigned int stress_seconds(void)
{
	return env_uint("VDSWIPE_STRESS_SECONDS", DEFAULT_SECONDS, 1, 86400);
}

static unsigned int stress_threads(void)
{
	return env_uint("VDSWIPE_STRESS_THREADS", DEFAULT_THREADS, 1,
			MAX_THREADS);
}

/* Setup and the checks afterwards take well under a minute, even on KASAN. */
static int stress_timeout(void)
{
	return stress_seconds() + 180;
}

static void violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * Report a broken rule. Each distinct @fmt is one kind of violation: the
 * first few of each kind are printed in full, all are counted.
 */
static void violation(const char *fmt, ...)
{
	unsigned int i;
	va_list ap;

	pthread_mutex_lock(&g_print_lock);
	g_violations++;
	for (i = 0; i < MAX_VKINDS && g_vkinds[i].fmt != fmt; i++) {
		if (!g_vkinds[i].fmt) {
			g_vkinds[i].fmt = fmt;
			break;
		}
	}
	if (i < MAX_VKINDS && ++g_vkinds[i].n > REPORTS_PER_KIND) {
		pthread_mutex_unlock(&g_print_lock);
		return;
	}
	printf("# VIOLATION: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&g_print_lock);
}

static uint64_t rnd(struct worker *w)
{
	/* xorshift64* */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545F4914F6CDD1DULL;
}

static unsigned int rnd_below(struct worker *w, unsigned int n)
{
	return n ? (unsigned int)(rnd(w) >> 33) % n : 0;
}

static bool chance(struct worker *w, unsigned int percent)
{
	return rnd_below(w, 100) < percent;
}

/*
 * Count one call of @k that returned @ret (0, a count, or -errno); @ok says
 * whether that errno is allowed for it here.
 */
static void count(struct worker *w, enum kind k, int ret, bool ok)
{
	int e = ret < 0 ? -ret : 0;

	w->st.calls[k]++;
	w->st.err[k][e < NR_ERRNO ? e : NR_ERRNO - 1]++;
	if (!ok) {
		w->st.unexpected[k]++;
		violation("%s: unexpected %s (%d)", kind_name[k],
			  strerror(e), ret);
	}
}

/* ------------------------------------------------------------------ */
/* Timer signals: periodic SIGUSR1 to this thread while armed         */
/* ------------------------------------------------------------------ */

static void on_sigusr1(int sig)
{
	(void)sig;
}

static void timer_setup(struct worker *w)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify_thread_id = syscall(SYS_gettid);
	w->timer_ok = !timer_create(CLOCK_MONOTONIC, &sev, &w->timer);
}

/*
 * First signal after @ms, then every 10 ms: a signal that lands just
 * before the call starts blocking is followed by another one.
 */
static bool timer_arm(struct worker *w, unsigned int ms)
{
	struct itimerspec its = {
		.it_value = { ms / 1000, (long)(ms % 1000) * 1000000L + 1 },
		.it_interval = { 0, 10 * 1000000L },
	};

	return w->timer_ok && !timer_settime(w->timer, 0, &its, NULL);
}

static void timer_disarm(struct worker *w)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (w->timer_ok)
		timer_settime(w->timer, 0, &its, NULL);
}

/* ------------------------------------------------------------------ */
/* Sessions and op records                                            */
/* ------------------------------------------------------------------ */

static void sess_reset_table(struct sess *s)
{
	unsigned int i;

	for (i = 0; i < MAX_PAGES; i++) {
		free(s->pages[i]);
		s->pages[i] = NULL;
	}
	s->max_id = 0;
	s->cursor = 1;
}

static struct sess *sess_new(bool shared, bool nonblock)
{
	pthread_rwlockattr_t ra;
	struct sess *s = calloc(1, sizeof(*s));
	unsigned int i;

	if (!s)
		return NULL;
	pthread_rwlockattr_init(&ra);
	/* a reopen must not starve behind a stream of readers */
	pthread_rwlockattr_setkind_np(&ra,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->rw, &ra);
	pthread_rwlockattr_destroy(&ra);
	pthread_mutex_init(&s->tab_lock, NULL);
	for (i = 0; i < STRIPES; i++)
		pthread_mutex_init(&s->stripe[i], NULL);
	s->shared = shared;
	s->nonblock = nonblock;
	s->cursor = 1;
	s->fd = vt_session_open_flags(nonblock ? O_NONBLOCK : 0);
	if (s->fd < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Close the session (if open) and free it. Returns close()'s -errno. */
static int sess_free(struct sess *s)
{
	int ret = 0;

	if (!s)
		return 0;
	if (s->fd >= 0 && close(s->fd))
		ret = -errno;
	sess_reset_table(s);
	free(s);
	return ret;
}

static struct rec *rec_get(struct sess *s, uint64_t id, bool create)
{
	uint64_t page;
	struct rec *p;

	if (!id)
		return NULL;
	page = (id - 1) / PAGE_RECS;
	if (page >= MAX_PAGES)
		return NULL;
	p = __atomic_load_n(&s->pages[page], __ATOMIC_ACQUIRE);
	if (!p && create) {
		pthread_mutex_lock(&s->tab_lock);
		p = s->pages[page];
		if (!p) {
			p = calloc(PAGE_RECS, sizeof(*p));
			__atomic_store_n(&s->pages[page], p, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&s->tab_lock);
	}
	return p ? &p[(id - 1) % PAGE_RECS] : NULL;
}

static pthread_mutex_t *stripe_of(struct sess *s, uint64_t id)
{
	return &s->stripe[id % STRIPES];
}

/* An id to act on: mostly a recent one, sometimes an old or a bogus one. */
static uint64_t pick_id(struct worker *w, struct sess *s)
{
	uint64_t max = __atomic_load_n(&s->max_id, __ATOMIC_RELAXED);
	uint64_t cur = __atomic_load_n(&s->cursor, __ATOMIC_RELAXED);

	if (chance(w, 3))
		return chance(w, 50) ? 0 : (1ULL << 62) + rnd_below(w, 1000);
	if (!max)
		return 0;
	if (cur <= max && chance(w, 30))
		return cur + rnd(w) % (max - cur + 1);
	return max - rnd(w) % (max < 32 ? max : 32);
}

/* ------------------------------------------------------------------ */
/* Checks of what the module reports                                  */
/* ------------------------------------------------------------------ */

static void note_end(struct worker *w, struct rec *r, uint32_t state,
		     bool all_written)
{
	if (!r->ended_state) {
		r->ended_state = state;
		if (state < 8)
			w->st.ended[state]++;
		if (state == VDSWIPE_STATE_CANCELLED && all_written)
			w->st.cancelled_all_written++;
	}
}

/*
 * Check a QUERY answer against the ABI and what is known of the op; the
 * caller holds the op's stripe lock and did the QUERY under it.
 */
static void check_status(struct worker *w, struct sess *s, uint64_t id,
			 struct rec *r, const struct vdswipe_status *st,
			 const char *after)
{
	bool ended = vt_state_ended(st->state);
	uint64_t pct = st->bytes_total ?
		       st->bytes_done * 100 / st->bytes_total : 0;

	if (st->op_id != id || st->reserved || st->flags ||
	    st->state < VDSWIPE_STATE_QUEUED ||
	    st->state > VDSWIPE_STATE_CANCELLED ||
	    st->bytes_done > st->bytes_total)
		violation("%s: op %llu: bad status id %llu state %u flags %u reserved %u bytes %llu/%llu",
			  after, (unsigned long long)id,
			  (unsigned long long)st->op_id, st->state, st->flags,
			  st->reserved, (unsigned long long)st->bytes_done,
			  (unsigned long long)st->bytes_total);
	if (r && r->known && (st->method != r->method ||
			      st->bytes_total != r->bytes_total))
		violation("%s: op %llu: method %u total %llu, submitted %u %llu",
			  after, (unsigned long long)id, st->method,
			  (unsigned long long)st->bytes_total, r->method,
			  (unsigned long long)r->bytes_total);

	if (!ended) {
		if (st->result || st->percent != (pct > 99 ? 99 : pct) ||
		    st->error_offset != ~0ULL ||
		    (st->state == VDSWIPE_STATE_QUEUED && st->bytes_done))
			violation("%s: op %llu %s: result %d percent %u bytes %llu/%llu error_offset %#llx",
				  after, (unsigned long long)id,
				  vt_state_name(st->state), st->result,
				  st->percent,
				  (unsigned long long)st->bytes_done,
				  (unsigned long long)st->bytes_total,
				  (unsigned long long)st->error_offset);
		if (r && (r->ended_state || r->must_end))
			violation("%s: op %llu is %s, but its end was seen (%s%s)",
				  after, (unsigned long long)id,
				  vt_state_name(st->state),
				  vt_state_name(r->ended_state),
				  r->must_end ? ", WAIT/CANCEL said ended" : "");
	} else {
		switch (st->state) {
		case VDSWIPE_STATE_DONE:
			if (st->result || st->percent != 100 ||
			    st->bytes_done != st->bytes_total ||
			    st->error_offset != ~0ULL)
				violation("%s: op %llu DONE: result %d percent %u bytes %llu/%llu",
					  after, (unsigned long long)id,
					  st->result, st->percent,
					  (unsigned long long)st->bytes_done,
					  (unsigned long long)st->bytes_total);
			break;
		case VDSWIPE_STATE_CANCELLED:
			if (st->result != -ECANCELED ||
			    st->percent != (pct > 99 ? 99 : pct) ||
			    st->error_offset != ~0ULL)
				violation("%s: op %llu CANCELLED: result %d percent %u bytes %llu/%llu",
					  after, (unsigned long long)id,
					  st->result, st->percent,
					  (unsigned long long)st->bytes_done,
					  (unsigned long long)st->bytes_total);
			/* issue 9: too late once every byte is written */
			if (st->bytes_done >= st->bytes_total)
				violation(TOO_LATE_FMT,
					  (unsigned long long)id,
					  (unsigned long long)st->bytes_done);
			break;
		default:
			violation("%s: op %llu FAILED (%d, error_offset %#llx) on a device that cannot fail",
				  after, (unsigned long long)id, st->result,
				  (unsigned long long)st->error_offset);
		}
		if (r && r->ended_state && r->ended_state != st->state)
			violation("%s: op %llu ended %s, now %s", after,
				  (unsigned long long)id,
				  vt_state_name(r->ended_state),
				  vt_state_name(st->state));
		if (r && r->cancel0 && st->state != VDSWIPE_STATE_CANCELLED)
			violation("%s: CANCEL of op %llu returned 0 but it is %s",
				  after, (unsigned long long)id,
				  vt_state_name(st->state));
		if (r && r->too_late && st->state == VDSWIPE_STATE_CANCELLED)
			violation("%s: CANCEL of op %llu said EALREADY but it ended CANCELLED",
				  after, (unsigned long long)id);
		if (r)
			note_end(w, r, st->state,
				 st->bytes_done >= st->bytes_total);
	}
	if (r) {
		if (st->bytes_done < r->last_bytes || st->percent < r->last_pct)
			violation("%s: op %llu went back: bytes %llu -> %llu, percent %u -> %u",
				  after, (unsigned long long)id,
				  (unsigned long long)r->last_bytes,
				  (unsigned long long)st->bytes_done,
				  r->last_pct, st->percent);
		if (st->bytes_done > r->last_bytes)
			r->last_bytes = st->bytes_done;
		if (st->percent > r->last_pct)
			r->last_pct = st->percent;
	}
	(void)s;
}

/*
 * QUERY op @id under its stripe lock (held by the caller) and check the
 * answer. ENOENT is right only for a released, bogus or not yet recorded
 * id. Returns the query's result.
 */
static int query_locked(struct worker *w, struct sess *s, uint64_t id,
			struct rec *r, const char *after, bool count_it,
			struct vdswipe_status *out)
{
	struct vdswipe_status st;
	int ret;

	memset(&st, 0, sizeof(st));
	ret = vt_query(s->fd, id, &st);
	if (out)
		*out = st;
	if (count_it)
		count(w, K_QUERY, ret, !ret || ret == -ENOENT);
	if (!ret) {
		if (r && r->released)
			violation("%s: released op %llu answers QUERY (%s)",
				  after, (unsigned long long)id,
				  vt_state_name(st.state));
		else if (!r && id && (id >> 62))
			violation("%s: bogus op id %#llx answers QUERY",
				  after, (unsigned long long)id);
		check_status(w, s, id, r, &st, after);
	} else if (ret == -ENOENT && r && r->known && !r->released) {
		violation("%s: QUERY of op %llu (submitted, not released): ENOENT",
			  after, (unsigned long long)id);
	} else if (ret != -ENOENT && !count_it) {
		violation("%s: QUERY of op %llu: %s", after,
			  (unsigned long long)id, strerror(-ret));
	}
	return ret;
}

static void check_event(struct worker *w, struct sess *s,
			const struct vdswipe_event *ev)
{
	struct rec *r = rec_get(s, ev->op_id, true);
	pthread_mutex_t *l = stripe_of(s, ev->op_id);
	bool bad;

	switch (ev->state) {
	case VDSWIPE_STATE_DONE:
		bad = ev->result != 0;
		break;
	case VDSWIPE_STATE_CANCELLED:
		bad = ev->result != -ECANCELED;
		break;
	case VDSWIPE_STATE_FAILED:
		bad = true;	/* nothing here fails */
		break;
	default:
		bad = true;
	}
	if (bad || ev->reserved || !ev->op_id)
		violation("event: op %llu state %u result %d reserved %llu",
			  (unsigned long long)ev->op_id, ev->state, ev->result,
			  (unsigned long long)ev->reserved);
	if (!r)
		return;
	pthread_mutex_lock(l);
	if (r->event_seen)
		violation("event: a second record for op %llu",
			  (unsigned long long)ev->op_id);
	r->event_seen = 1;
	if (r->ended_state && r->ended_state != ev->state)
		violation("event: op %llu ended %s, its record says %s",
			  (unsigned long long)ev->op_id,
			  vt_state_name(r->ended_state),
			  vt_state_name(ev->state));
	if (r->cancel0 && ev->state != VDSWIPE_STATE_CANCELLED)
		violation("event: CANCEL of op %llu returned 0, record says %s",
			  (unsigned long long)ev->op_id,
			  vt_state_name(ev->state));
	if (r->too_late && ev->state == VDSWIPE_STATE_CANCELLED)
		violation("event: CANCEL of op %llu said EALREADY, record says CANCELLED",
			  (unsigned long long)ev->op_id);
	if (ev->bytes_done < r->last_bytes)
		violation("event: op %llu bytes_done %llu, a QUERY saw %llu",
			  (unsigned long long)ev->op_id,
			  (unsigned long long)ev->bytes_done,
			  (unsigned long long)r->last_bytes);
	if (r->known && ev->state == VDSWIPE_STATE_CANCELLED &&
	    ev->bytes_done >= r->bytes_total)
		violation(TOO_LATE_FMT,
			  (unsigned long long)ev->op_id,
			  (unsigned long long)ev->bytes_done);
	if (r->known &&
	    (ev->bytes_done > r->bytes_total ||
	     (ev->state == VDSWIPE_STATE_DONE &&
	      ev->bytes_done != r->bytes_total)))
		violation("event: op %llu %s with %llu of %llu bytes",
			  (unsigned long long)ev->op_id,
			  vt_state_name(ev->state),
			  (unsigned long long)ev->bytes_done,
			  (unsigned long long)r->bytes_total);
	if (ev->bytes_done > r->last_bytes)
		r->last_bytes = ev->bytes_done;
	if (vt_state_ended(ev->state))
		note_end(w, r, ev->state,
			 r->known && ev->bytes_done >= r->bytes_total);
	pthread_mutex_unlock(l);
}

/* ------------------------------------------------------------------ */
/* The calls                                                          */
/* ------------------------------------------------------------------ */

static void act_submit(struct worker *w, struct sess *s)
{
	struct dev *d = &g_devs[rnd_below(w, g_nr_devs)];
	uint32_t flags = 0, method, pattern = 0;
	uint64_t off = 0, len = 0, region, expect, id = 0, total = 0;
	int fd = d->fd, ret;
	bool ok, own_fd = false;
	unsigned int m = rnd_below(w, 100);

	/* the held disk only now and then */
	if (d->held && !chance(w, 20)) {
		d = &g_devs[0];
		fd = d->fd;
	}

	method = m < 46 ? VDSWIPE_METHOD_ZERO :
		 m < 92 ? VDSWIPE_METHOD_PATTERN : VDSWIPE_METHOD_DISCARD;
	if (method == VDSWIPE_METHOD_PATTERN)
		pattern = rnd_below(w, 256);
	if (method == VDSWIPE_METHOD_DISCARD && chance(w, 20))
		flags |= VDSWIPE_CLEAN_SECURE;
	if (chance(w, 30))
		flags |= VDSWIPE_CLEAN_FULL;
	if (chance(w, 90))
		flags |= VDSWIPE_CLEAN_FORCE;
	region = d->size;
	if (chance(w, 60)) {
		uint64_t pages = d->size / 4096;
		uint64_t n = 1 + rnd(w) % (1ULL << rnd_below(w, 12));

		if (n > pages)
			n = pages;
		flags |= VDSWIPE_CLEAN_RANGE;
		len = n * 4096;
		off = (rnd(w) % (pages - n + 1)) * 4096;
		region = len;
	}
	expect = (flags & VDSWIPE_CLEAN_FULL) || region <= 2 * VDSWIPE_QUICK_BYTES ?
		 region : 2 * VDSWIPE_QUICK_BYTES;

	/* the op does not keep the fd: sometimes close it at once */
	if (chance(w, 10)) {
		int nfd = vt_open(d->path, O_RDWR);

		if (nfd >= 0) {
			fd = nfd;
			own_fd = true;
		}
	}
	ret = vt_submit(s->fd, fd, flags, method, pattern, off, len, &id,
			&total);
	if (own_fd)
		close(fd);

	switch (ret) {
	case 0:
		ok = !d->held;
		break;
	case -EBUSY:
	case -EEXIST:
	case -EAGAIN:
	case -ENOMEM:
		ok = true;
		break;
	case -EOPNOTSUPP:
		ok = method == VDSWIPE_METHOD_DISCARD;
		break;
	case -ENOTEMPTY:
		ok = !(flags & VDSWIPE_CLEAN_FORCE);
		break;
	default:
		ok = false;
	}
	if (d->held && ret == -EEXIST)
		ok = false;
	count(w, K_SUBMIT, ret, ok);
	if (!ok)
		violation("submit was %s flags %#x method %u off %llu len %llu",
			  d->path, flags, method, (unsigned long long)off,
			  (unsigned long long)len);
	if (ret)
		return;
	w->st.dev_ops[d - g_devs]++;
	if (!id || total != expect)
		violation("submit %s flags %#x: op %llu bytes_total %llu, expected %llu",
			  d->path, flags, (unsigned long long)id,
			  (unsigned long long)total,
			  (unsigned long long)expect);

	{
		struct rec *r = rec_get(s, id, true);
		pthread_mutex_t *l = stripe_of(s, id);
		uint64_t max;

		if (!r)
			return;
		pthread_mutex_lock(l);
		r->known = 1;
		r->method = method;
		r->bytes_total = total;
		pthread_mutex_unlock(l);
		max = __atomic_load_n(&s->max_id, __ATOMIC_RELAXED);
		while (max < id &&
		       !__atomic_compare_exchange_n(&s->max_id, &max, id, false,
						    __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED))
			;
	}
}

static void act_query(struct worker *w, struct sess *s)
{
	uint64_t id = pick_id(w, s);
	struct rec *r = rec_get(s, id, false);
	pthread_mutex_t *l = stripe_of(s, id);

	pthread_mutex_lock(l);
	query_locked(w, s, id, r, "query", true, NULL);
	pthread_mutex_unlock(l);
}

static void act_wait(struct worker *w, struct sess *s)
{
	uint64_t id = pick_id(w, s), now = vt_now_ns(), deadline;
	struct rec *r = rec_get(s, id, false);
	pthread_mutex_t *l = stripe_of(s, id);
	unsigned int m = rnd_below(w, 100);
	bool armed = false, was_ended = false, ok;
	int ret;

	if (m < 35)
		deadline = chance(w, 50) ? 0 : now - VT_NSEC_PER_MSEC;
	else if (m < 80)
		deadline = now + (1 + rnd_below(w, 20)) * VT_NSEC_PER_MSEC;
	else if (m < 90)
		deadline = now + (50 + rnd_below(w, 150)) * VT_NSEC_PER_MSEC;
	else
		deadline = VDSWIPE_WAIT_INFINITE;
	if (deadline == VDSWIPE_WAIT_INFINITE) {
		armed = timer_arm(w, 5 + rnd_below(w, 40));
		/* without the timer nothing would end the wait */
		if (!armed)
			deadline = now + 20 * VT_NSEC_PER_MSEC;
	}
	if (r) {
		pthread_mutex_lock(l);
		was_ended = r->ended_state;
		pthread_mutex_unlock(l);
	}

	ret = vt_wait(s->fd, id, deadline);
	now = vt_now_ns();
	timer_disarm(w);

	switch (ret) {
	case 0:
	case -ENOENT:
		ok = true;
		break;
	case -ETIMEDOUT:
		ok = deadline != VDSWIPE_WAIT_INFINITE;
		if (now < deadline)
			violation("wait op %llu: ETIMEDOUT %llu ns before the deadline",
				  (unsigned long long)id,
				  (unsigned long long)(deadline - now));
		break;
	case -EINTR:
		ok = armed;
		break;
	default:
		ok = false;
	}
	if (ret && ret != -ENOENT && was_ended)
		violation("wait: op %llu had ended, WAIT said %s",
			  (unsigned long long)id, strerror(-ret));
	count(w, K_WAIT, ret, ok);

	if (!ret || ret == -ENOENT) {
		pthread_mutex_lock(l);
		if (!ret && r)
			r->must_end = 1;
		if (ret == -ENOENT && r && r->known && !r->released)
			violation("wait: op %llu (submitted, not released): ENOENT",
				  (unsigned long long)id);
		/* an op that WAIT said ended has an ended state */
		if (!ret)
			query_locked(w, s, id, r, "after WAIT 0", false, NULL);
		pthread_mutex_unlock(l);
	}
}

static void act_cancel(struct worker *w, struct sess *s)
{
	uint64_t id = pick_id(w, s), t0;
	struct rec *r = rec_get(s, id, false);
	pthread_mutex_t *l = stripe_of(s, id);
	uint32_t pre = 0;
	bool armed = false, ok;
	int ret;

	if (r) {
		pthread_mutex_lock(l);
		pre = r->ended_state;
		pthread_mutex_unlock(l);
	}
	/* a non-fatal signal must not interrupt the wait */
	if (chance(w, 30))
		armed = timer_arm(w, rnd_below(w, 5));
	t0 = vt_now_ns();
	ret = vt_cancel(s->fd, id);
	t0 = (vt_now_ns() - t0) / 1000;
	timer_disarm(w);
	if (t0 > w->st.max_cancel_us)
		w->st.max_cancel_us = t0;

	switch (ret) {
	case 0:
	case -ECANCELED:
	case -EALREADY:
	case -ENOENT:
		ok = true;
		break;
	case -EOPNOTSUPP:
		ok = !r || !r->known || r->method == VDSWIPE_METHOD_DISCARD;
		break;
	default:
		ok = false;	/* EINTR too: only a fatal signal may */
	}
	count(w, K_CANCEL, ret, ok);
	if (ret == -EINTR)
		violation("cancel: interrupted by a non-fatal signal (timer %s)",
			  armed ? "armed" : "not armed");
	if (pre && ((ret == 0) ||
		    (ret == -ECANCELED && pre != VDSWIPE_STATE_CANCELLED) ||
		    (ret == -EALREADY && pre == VDSWIPE_STATE_CANCELLED)))
		violation("cancel: op %llu had ended %s, CANCEL said %d",
			  (unsigned long long)id, vt_state_name(pre), ret);
	if (!r)
		return;

	pthread_mutex_lock(l);
	switch (ret) {
	case 0:
		if (r->cancel0)
			violation("cancel: a second CANCEL of op %llu returned 0",
				  (unsigned long long)id);
		if (r->too_late)
			violation("cancel: op %llu: EALREADY earlier, now 0",
				  (unsigned long long)id);
		r->cancel0 = 1;
		r->must_end = 1;
		query_locked(w, s, id, r, "after CANCEL 0", false, NULL);
		break;
	case -ECANCELED:
		r->must_end = 1;
		if (query_locked(w, s, id, r, "after CANCEL ECANCELED",
				 false, NULL) == 0 &&
		    r->ended_state != VDSWIPE_STATE_CANCELLED)
			violation("cancel: ECANCELED, op %llu is %s",
				  (unsigned long long)id,
				  vt_state_name(r->ended_state));
		break;
	case -EALREADY: {
		struct vdswipe_status st;

		/* ended DONE, or flushing with every byte written */
		r->too_late = 1;
		if (query_locked(w, s, id, r, "after CANCEL EALREADY",
				 false, &st) == 0 && !vt_state_ended(st.state) &&
		    st.bytes_done != st.bytes_total)
			violation("cancel: EALREADY, but op %llu is %s at %llu of %llu bytes",
				  (unsigned long long)id,
				  vt_state_name(st.state),
				  (unsigned long long)st.bytes_done,
				  (unsigned long long)st.bytes_total);
		break;
	}
	case -ENOENT:
		if (r->known && !r->released)
			violation("cancel: op %llu (submitted, not released): ENOENT",
				  (unsigned long long)id);
		break;
	}
	pthread_mutex_unlock(l);
}

static void act_release(struct worker *w, struct sess *s)
{
	uint64_t cur = __atomic_load_n(&s->cursor, __ATOMIC_RELAXED);
	uint64_t max = __atomic_load_n(&s->max_id, __ATOMIC_RELAXED);
	bool at_cursor = chance(w, 50) && cur <= max;
	uint64_t id = at_cursor ? cur : pick_id(w, s);
	struct rec *r = rec_get(s, id, false);
	pthread_mutex_t *l = stripe_of(s, id);
	bool ok;
	int ret;

	pthread_mutex_lock(l);
	ret = vt_release(s->fd, id);
	ok = !ret || ret == -ENOENT || ret == -EBUSY;
	count(w, K_RELEASE, ret, ok);
	if (r) {
		if (!ret && r->released)
			violation("release: op %llu released twice",
				  (unsigned long long)id);
		if (ret == -ENOENT && r->known && !r->released)
			violation("release: op %llu (submitted, not released): ENOENT",
				  (unsigned long long)id);
		if (ret == -EBUSY && (r->ended_state || r->must_end))
			violation("release: op %llu ended (%s) but EBUSY",
				  (unsigned long long)id,
				  vt_state_name(r->ended_state));
		if (!ret)
			r->released = 1;
	}
	/* move the cursor past released ids so that old ops get released */
	if (at_cursor && r && r->released)
		__atomic_compare_exchange_n(&s->cursor, &cur, cur + 1, false,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	pthread_mutex_unlock(l);
}

static void act_cancel_all(struct worker *w, struct sess *s)
{
	uint32_t n = 0;
	bool armed = chance(w, 30) && timer_arm(w, rnd_below(w, 5));
	int ret;

	ret = vt_cancel_all(s->fd, &n);
	timer_disarm(w);
	count(w, K_CANCEL_ALL, ret, !ret);
	if (ret == -EINTR)
		violation("cancel_all: interrupted by a non-fatal signal (timer %s)",
			  armed ? "armed" : "not armed");
	if (!ret)
		w->st.cancel_all_cancelled += n;
}

static void act_read(struct worker *w, struct sess *s)
{
	struct vdswipe_event ev[8];
	unsigned int n = 1 + rnd_below(w, 8), i;
	bool small = chance(w, 3), armed = false, ok;
	size_t len = small ? sizeof(ev[0]) - 1 - rnd_below(w, 31) :
		     n * sizeof(ev[0]);
	ssize_t got;

	/* blocking sessions: a periodic signal ends the read */
	if (!s->nonblock && !small)
		armed = timer_arm(w, 1 + rnd_below(w, 30));
	if (!s->nonblock && !small && !armed)
		return;
	memset(ev, 0xff, sizeof(ev));
	got = read(s->fd, ev, len);
	if (got < 0)
		got = -errno;
	timer_disarm(w);

	if (small)
		ok = got == -EINVAL;
	else if (got > 0)
		ok = got % sizeof(ev[0]) == 0 && (size_t)got <= len;
	else if (got == -EAGAIN)
		ok = s->nonblock;
	else if (got == -EINTR)
		ok = armed;
	else
		ok = false;
	count(w, K_READ, got > 0 ? 0 : (int)got, ok);
	if (!ok)
		violation("read of %zu bytes (%s): %zd", len,
			  s->nonblock ? "O_NONBLOCK" : "blocking", got);
	for (i = 0; got > 0 && i < got / sizeof(ev[0]); i++)
		check_event(w, s, &ev[i]);
}

static void act_poll(struct worker *w, struct sess *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN | POLLRDNORM };
	int ret = poll(&p, 1, rnd_below(w, 5));

	if (ret < 0)
		ret = -errno;
	count(w, K_POLL, ret > 0 ? 0 : ret, ret >= 0);
	if (ret > 0 && (p.revents & ~(POLLIN | POLLRDNORM)))
		violation("poll: revents %#x", p.revents);
}

/*
 * Close the session (cancelling all its ops) and open a new one in its
 * place. Nobody else uses it meanwhile: the caller holds it for writing.
 */
static void reopen_locked(struct worker *w, struct sess *s)
{
	uint64_t t0 = vt_now_ns();
	int ret = close(s->fd) ? -errno : 0;
	uint64_t us = (vt_now_ns() - t0) / 1000;

	if (us > w->st.max_close_us)
		w->st.max_close_us = us;
	sess_reset_table(s);
	s->fd = vt_session_open_flags(s->nonblock ? O_NONBLOCK : 0);
	if (s->fd < 0 && !ret)
		ret = s->fd;
	count(w, K_REOPEN, ret, !ret);
}

static void act_excl(struct worker *w)
{
	struct dev *d = &g_devs[rnd_below(w, g_nr_devs)];
	int fd = vt_open(d->path, O_RDONLY | O_EXCL);

	count(w, K_EXCL, fd < 0 ? fd : 0,
	      fd == -EBUSY || (fd >= 0 && !d->held));
	if (fd >= 0) {
		if (chance(w, 50))
			vt_sleep_ms(1 + rnd_below(w, 3));
		close(fd);
	}
}

static enum kind pick_kind(struct worker *w)
{
	unsigned int x = rnd_below(w, 1000), k;

	for (k = 0; k < NR_KINDS - 1; k++) {
		if (x < kind_weight[k])
			return k;
		x -= kind_weight[k];
	}
	return NR_KINDS - 1;
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	timer_setup(w);
	while (vt_now_ns() < g_end_ns) {
		enum kind k = pick_kind(w);
		struct sess *s = chance(w, 50) ? w->priv :
				 g_shared[rnd_below(w, NR_SHARED)];

		if (k == K_EXCL) {
			act_excl(w);
			continue;
		}
		if (k == K_REOPEN) {
			/* a shared session less often: it stops every thread */
			if (s->shared && chance(w, 60))
				s = w->priv;
			pthread_rwlock_wrlock(&s->rw);
			reopen_locked(w, s);
			pthread_rwlock_unlock(&s->rw);
			continue;
		}
		pthread_rwlock_rdlock(&s->rw);
		if (s->fd >= 0) {
			switch (k) {
			case K_SUBMIT:
				act_submit(w, s);
				break;
			case K_QUERY:
				act_query(w, s);
				break;
			case K_WAIT:
				act_wait(w, s);
				break;
			case K_CANCEL:
				act_cancel(w, s);
				break;
			case K_RELEASE:
				act_release(w, s);
				break;
			case K_CANCEL_ALL:
				act_cancel_all(w, s);
				break;
			case K_READ:
				act_read(w, s);
				break;
			case K_POLL:
				act_poll(w, s);
				break;
			default:
				break;
			}
		}
		pthread_rwlock_unlock(&s->rw);
	}
	if (w->timer_ok)
		timer_delete(w->timer);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Afterwards                                                         */
/* ------------------------------------------------------------------ */

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case ENOTBLK: return "ENOTBLK";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case EROFS: return "EROFS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EALREADY: return "EALREADY";
	case ECANCELED: return "ECANCELED";
	case ENOMEDIUM: return "ENOMEDIUM";
	case EMEDIUMTYPE: return "EMEDIUMTYPE";
	default: return NULL;
	}
}

static void print_stats(const struct tstats *t, double secs,
			unsigned int threads)
{
	uint64_t total = 0;
	unsigned int k, e;

	ksft_print_msg("stress: %u threads, %.1f s, %u devices, %d shared + %u private sessions\n",
		       threads, secs, g_nr_devs, NR_SHARED, threads);
	for (k = 0; k < NR_KINDS; k++) {
		char line[1024];
		size_t n = 0;

		total += t->calls[k];
		for (e = 0; e < NR_ERRNO && n < sizeof(line) - 40; e++) {
			const char *name = errno_name(e);

			if (!t->err[k][e])
				continue;
			if (name)
				n += snprintf(line + n, sizeof(line) - n,
					      " %s=%llu", name,
					      (unsigned long long)t->err[k][e]);
			else
				n += snprintf(line + n, sizeof(line) - n,
					      " errno%u=%llu", e,
					      (unsigned long long)t->err[k][e]);
		}
		line[n] = '\0';
		ksft_print_msg("%-10s %9llu calls %9.1f/s unexpected %llu:%s\n",
			       kind_name[k], (unsigned long long)t->calls[k],
			       t->calls[k] / secs,
			       (unsigned long long)t->unexpected[k], line);
	}
	ksft_print_msg("total      %9llu calls %9.1f/s\n",
		       (unsigned long long)total, total / secs);
	ksft_print_msg("ops seen ending: DONE %llu, CANCELLED %llu (%llu of them with every byte written), FAILED %llu; CANCEL_ALL cancelled %llu\n",
		       (unsigned long long)t->ended[VDSWIPE_STATE_DONE],
		       (unsigned long long)t->ended[VDSWIPE_STATE_CANCELLED],
		       (unsigned long long)t->cancelled_all_written,
		       (unsigned long long)t->ended[VDSWIPE_STATE_FAILED],
		       (unsigned long long)t->cancel_all_cancelled);
	for (k = 0; k < g_nr_devs; k++)
		ksft_print_msg("ops submitted on %s (%s): %llu\n",
			       g_devs[k].path, g_devs[k].what,
			       (unsigned long long)t->dev_ops[k]);
	ksft_print_msg("longest CANCEL %.1f ms, longest close() of a session %.1f ms\n",
		       t->max_cancel_us / 1000.0, t->max_close_us / 1000.0);
}

#define SLAB_DIR	"/sys/kernel/slab/vdswipe_op"

/*
 * vdswipe_op objects allocated: 0 and @n set, or -EXDEV (the cache is
 * merged with another one, so its count says nothing) / -ENOENT (no slab
 * statistics) with @why set. With the sysfs files the cache is shrunk
 * first: "objects" counts the free slots of per-cpu slabs too.
 * @exact says whether the number is exact.
 */
static int slab_op_objects(long *n, bool *exact, char *why, size_t len)
{
	char buf[200], line[512];
	struct stat sb;
	FILE *f;

	*exact = false;
	if (!lstat(SLAB_DIR, &sb)) {
		if (S_ISLNK(sb.st_mode)) {
			ssize_t l = readlink(SLAB_DIR, buf, sizeof(buf) - 1);

			buf[l > 0 ? l : 0] = '\0';
			snprintf(why, len, "vdswipe_op is merged into %s (boot with slab_nomerge)",
				 buf);
			return -EXDEV;
		}
		vt_write_file(SLAB_DIR "/shrink", "1");
		if (vt_read_file(SLAB_DIR "/objects", buf, sizeof(buf)) > 0) {
			*n = strtol(buf, NULL, 10);
			*exact = true;
			return 0;
		}
	}
	f = fopen("/proc/slabinfo", "r");
	if (!f) {
		snprintf(why, len, "no %s/objects and no /proc/slabinfo",
			 SLAB_DIR);
		return -ENOENT;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		long active;

		if (sscanf(line, "%63s %ld", name, &active) == 2 &&
		    !strcmp(name, "vdswipe_op")) {
			fclose(f);
			*n = active;
			return 0;
		}
	}
	fclose(f);
	snprintf(why, len, "vdswipe_op not in /proc/slabinfo (merged)");
	return -EXDEV;
}

/* ------------------------------------------------------------------ */
/* The test                                                           */
/* ------------------------------------------------------------------ */

FIXTURE(stress) {
	char ram[4][64];
	char part[2][64];
	char delay[64];
	char nullb[64];
	bool have_delay, have_nullb;
	unsigned long taint0;
};

static void add_dev(const char *path, const char *what, bool held)
{
	struct dev *d = &g_devs[g_nr_devs];

	snprintf(d->path, sizeof(d->path), "%s", path);
	d->what = what;
	d->held = held;
	d->fd = -1;
	g_nr_devs++;
}

FIXTURE_SETUP(stress)
{
	struct vt_nullb_opts no = {
		.size_mib = NULLB_MIB, .completion_nsec = NULLB_LATENCY_NS,
	};
	unsigned int i;
	int ret;

	self->taint0 = vt_bad_taint();
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MODULE_PARAMS));
	ret = vt_brd_load(4, BRD_MIB, 4);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	for (i = 0; i < 4; i++) {
		vt_brd_path(i, self->ram[i], sizeof(self->ram[i]));
		/* allocate brd's pages once, so ops run at a steady speed */
		ASSERT_EQ(0, vt_fill(self->ram[i], 0, BRD_MIB * VT_MIB, 0xA5));
	}
	/* two partitions on ram2, known to the kernel only (no table) */
	ASSERT_EQ(0, vt_blkpg_add(self->ram[2], 1, VT_MIB, 14 * VT_MIB));
	ASSERT_EQ(0, vt_blkpg_add(self->ram[2], 2, 16 * VT_MIB, 15 * VT_MIB));
	vt_part_path(self->ram[2], 1, self->part[0], sizeof(self->part[0]));
	vt_part_path(self->ram[2], 2, self->part[1], sizeof(self->part[1]));

	g_nr_devs = 0;
	add_dev(self->ram[0], "brd", false);
	add_dev(self->ram[1], "brd", false);
	add_dev(self->ram[2], "brd with 2 partitions", false);
	add_dev(self->part[0], "partition", false);
	add_dev(self->part[1], "partition", false);

	ret = vt_delay_create("vdswstress", self->ram[3], DELAY_MS,
			      self->delay, sizeof(self->delay));
	if (!ret) {
		self->have_delay = true;
		add_dev(self->delay, "dm-delay", false);
		add_dev(self->ram[3], "brd under dm", true);
	} else {
		ksft_print_msg("no dm-delay device (%s): running without it\n",
			       strerror(-ret));
	}
	ret = vt_nullb_create("vdswstress", &no, self->nullb,
			      sizeof(self->nullb));
	if (!ret) {
		self->have_nullb = true;
		add_dev(self->nullb, "slow null_blk", false);
	} else {
		ksft_print_msg("no slow null_blk (%s): running without it\n",
			       strerror(-ret));
	}

	for (i = 0; i < g_nr_devs; i++) {
		struct dev *d = &g_devs[i];

		d->fd = vt_open(d->path, O_RDWR);
		ASSERT_LE(0, d->fd) TH_LOG("open %s", d->path);
		ASSERT_EQ(0, vt_dev_size(d->fd, &d->size));
		ASSERT_LE(4096, d->size);
	}
	for (i = 0; i < NR_SHARED; i++) {
		g_shared[i] = sess_new(true, i == NR_SHARED - 1);
		ASSERT_NE(NULL, g_shared[i]);
	}
}

FIXTURE_TEARDOWN(stress)
{
	unsigned int i;

	for (i = 0; i < NR_SHARED; i++) {
		sess_free(g_shared[i]);
		g_shared[i] = NULL;
	}
	for (i = 0; i < g_nr_devs; i++)
		if (g_devs[i].fd >= 0)
			close(g_devs[i].fd);
	g_nr_devs = 0;
	if (self->have_delay)
		vt_dm_remove("vdswstress");
	if (self->have_nullb)
		vt_nullb_destroy("vdswstress");
	vt_brd_unload();
	vt_module_unload();
}

TEST_F_TIMEOUT(stress, random_ops, stress_timeout())
{
	unsigned int threads = stress_threads(), secs = stress_seconds(), i, k, e;
	struct worker *w = calloc(threads, sizeof(*w));
	struct sigaction sa;
	struct tstats tot;
	uint64_t start, t0, seed = vt_now_ns(), total_calls = 0;
	struct vdswipe_version v;
	double elapsed;
	long objs = -1;
	bool exact = false;
	char why[512];
	int ret, s;

	ASSERT_NE(NULL, w);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;	/* no SA_RESTART: calls see EINTR */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));

	ksft_print_msg("stress: %u threads for %u s, seed %llu, module %s\n",
		       threads, secs, (unsigned long long)seed, MODULE_PARAMS);
	for (i = 0; i < g_nr_devs; i++)
		ksft_print_msg("device %s: %s, %llu MiB\n", g_devs[i].path,
			       g_devs[i].what,
			       (unsigned long long)(g_devs[i].size >> 20));

	for (i = 0; i < threads; i++) {
		w[i].idx = i;
		w[i].rng = seed ^ (0x9E3779B97F4A7C15ULL * (i + 1));
		w[i].priv = sess_new(false, i & 1);
		ASSERT_NE(NULL, w[i].priv);
	}
	start = vt_now_ns();
	g_end_ns = start + secs * VT_NSEC_PER_SEC;
	for (i = 0; i < threads; i++)
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, worker_fn, &w[i]));
	for (i = 0; i < threads; i++)
		pthread_join(w[i].th, NULL);
	elapsed = (vt_now_ns() - start) / 1e9;

	memset(&tot, 0, sizeof(tot));
	for (i = 0; i < threads; i++) {
		for (k = 0; k < NR_KINDS; k++) {
			tot.calls[k] += w[i].st.calls[k];
			tot.unexpected[k] += w[i].st.unexpected[k];
			for (e = 0; e < NR_ERRNO; e++)
				tot.err[k][e] += w[i].st.err[k][e];
		}
		for (e = 0; e < 8; e++)
			tot.ended[e] += w[i].st.ended[e];
		tot.cancel_all_cancelled += w[i].st.cancel_all_cancelled;
		tot.cancelled_all_written += w[i].st.cancelled_all_written;
		for (e = 0; e < MAX_DEVS; e++)
			tot.dev_ops[e] += w[i].st.dev_ops[e];
		if (w[i].st.max_cancel_us > tot.max_cancel_us)
			tot.max_cancel_us = w[i].st.max_cancel_us;
		if (w[i].st.max_close_us > tot.max_close_us)
			tot.max_close_us = w[i].st.max_close_us;
	}
	print_stats(&tot, elapsed, threads);
	for (i = 0; i < MAX_VKINDS && g_vkinds[i].fmt; i++)
		ksft_print_msg("%llu violations of: %s\n",
			       (unsigned long long)g_vkinds[i].n,
			       g_vkinds[i].fmt);
	EXPECT_EQ(0, g_violations)
		TH_LOG("%llu violations (the first %d of each kind above)",
		       (unsigned long long)g_violations, REPORTS_PER_KIND);
	for (k = 0; k < NR_KINDS; k++) {
		total_calls += tot.calls[k];
		EXPECT_EQ(0, tot.unexpected[k]) TH_LOG("%s", kind_name[k]);
	}
	/* the run did something: ops were submitted and seen ending */
	EXPECT_LT(0, tot.err[K_SUBMIT][0]);
	EXPECT_LT(0, tot.ended[VDSWIPE_STATE_DONE] +
		     tot.ended[VDSWIPE_STATE_CANCELLED]);

	/* close everything: every op is cancelled or has ended */
	t0 = vt_now_ns();
	for (i = 0; i < threads; i++) {
		EXPECT_EQ(0, sess_free(w[i].priv));
		w[i].priv = NULL;
	}
	for (i = 0; i < NR_SHARED; i++) {
		EXPECT_EQ(0, sess_free(g_shared[i]));
		g_shared[i] = NULL;
	}
	ksft_print_msg("closing %u sessions took %llu ms\n",
		       threads + NR_SHARED, (unsigned long long)vt_ms_since(t0));
	free(w);

	/* no op object left (its work may drop the last reference late) */
	for (i = 0; i < 50; i++) {
		ret = slab_op_objects(&objs, &exact, why, sizeof(why));
		if (ret || !objs)
			break;
		vt_sleep_ms(100);
	}
	if (ret) {
		ksft_print_msg("op object count not checked: %s; the module's unload checks it\n",
			       why);
	} else if (exact) {
		EXPECT_EQ(0, objs) TH_LOG("vdswipe_op objects left after every session closed");
		ksft_print_msg("vdswipe_op objects after closing: %ld\n", objs);
	} else if (objs) {
		ksft_print_msg("/proc/slabinfo counts %ld vdswipe_op objects (per-cpu free slots included, cannot shrink): the module's unload checks it\n",
			       objs);
	}

	/* every device can be claimed again at once */
	for (i = 0; i < g_nr_devs; i++) {
		if (g_devs[i].held)
			continue;
		EXPECT_EQ(0, vt_try_excl(g_devs[i].path))
			TH_LOG("O_EXCL open of %s", g_devs[i].path);
	}
	for (i = 0; i < g_nr_devs; i++) {
		close(g_devs[i].fd);
		g_devs[i].fd = -1;
	}
	if (self->have_delay) {
		EXPECT_EQ(0, vt_dm_remove("vdswstress"));
		self->have_delay = false;
		EXPECT_EQ(0, vt_try_excl(self->ram[3]));
	}
	if (self->have_nullb) {
		EXPECT_EQ(0, vt_nullb_destroy("vdswstress"));
		self->have_nullb = false;
	}
	EXPECT_EQ(0, vt_brd_unload());

	/* the module unloads, and loads again */
	ASSERT_EQ(0, vt_module_unload());
	ASSERT_EQ(0, vt_module_load(NULL));
	s = vt_session_open();
	ASSERT_LE(0, s);
	memset(&v, 0, sizeof(v));
	EXPECT_EQ(0, vt_version(s, &v));
	EXPECT_EQ(VDSWIPE_ABI_VERSION, v.abi_version);
	close(s);
	EXPECT_EQ(0, vt_module_unload());
	if (!self->taint0)
		EXPECT_EQ(0, vt_bad_taint()) TH_LOG("the kernel got tainted");
	ksft_print_msg("%llu calls in %.1f s: %.1f calls/s\n",
		       (unsigned long long)total_calls, elapsed,
		       total_calls / elapsed);
}

TEST_HARNESS_MAIN
