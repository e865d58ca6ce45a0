// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* fake-kernel.c - see fake-kernel.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "vdswipe/vdswipe.h"

#define FAKE_SESSIONS	8

struct fake fake = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static struct {
	bool used;
	int rd, wr;
	ino_t ino;
} sessions[FAKE_SESSIONS];

static uint64_t next_id;

int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_vdsw__module_open(const void *opts, int *fdp);

void fake_reset(void)
{
	pthread_condattr_t ca;
	int i;

	for (i = 0; i < FAKE_SESSIONS; i++) {
		if (sessions[i].used)
			close(sessions[i].wr);
		sessions[i].used = false;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fake.cond, &ca);
	pthread_condattr_destroy(&ca);
	memset(fake.ops, 0, sizeof(fake.ops));
	memset(fake.calls, 0, sizeof(fake.calls));
	memset(&fake.last_clean, 0, sizeof(fake.last_clean));
	memset(&fake.last_sanitize, 0, sizeof(fake.last_sanitize));
	fake.admin = true;
	fake.abi = VDSWIPE_ABI_VERSION;
	fake.features = VDSWIPE_FEAT_CLEAN | VDSWIPE_FEAT_PATTERN | VDSWIPE_FEAT_DISCARD |
			VDSWIPE_FEAT_RANGE | VDSWIPE_FEAT_WAIT | VDSWIPE_FEAT_CANCEL_ALL |
			VDSWIPE_FEAT_EVENTS | VDSWIPE_FEAT_RANDOM | VDSWIPE_FEAT_SANITIZE;
	fake.max_ops = 16;
	fake.open_err = 0;
	fake.clean_err = 0;
	fake.eintr_waits = 0;
}

int __wrap_vdsw__module_open(const void *opts, int *fdp)
{
	struct stat st;
	int p[2], i;

	(void)opts;
	if (fake.open_err)
		return -fake.open_err;
	for (i = 0; i < FAKE_SESSIONS && sessions[i].used; i++)
		;
	if (i == FAKE_SESSIONS || pipe2(p, O_CLOEXEC) < 0)
		return -EMFILE;
	fstat(p[0], &st);
	sessions[i].used = true;
	sessions[i].rd = p[0];
	sessions[i].wr = p[1];
	sessions[i].ino = st.st_ino;
	*fdp = p[0];
	return 0;
}

/* The fake session behind fd: same pipe inode, not just the same number. */
static int session_of(int fd)
{
	struct stat st;
	int i;

	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return -1;
	for (i = 0; i < FAKE_SESSIONS; i++)
		if (sessions[i].used && sessions[i].rd == fd && sessions[i].ino == st.st_ino)
			return i;
	return -1;
}

struct fake_op *fake_op(uint64_t id)
{
	int i;

	for (i = 0; i < FAKE_MAX_OPS; i++)
		if (fake.ops[i].used && fake.ops[i].id == id)
			return &fake.ops[i];
	return NULL;
}

static struct fake_op *op_in(int session, uint64_t id)
{
	struct fake_op *op = fake_op(id);

	return op && op->session == session ? op : NULL;
}

static bool ended(const struct fake_op *op)
{
	return op->state >= VDSWIPE_STATE_DONE;
}

/* Under fake.lock. */
static void end_locked(struct fake_op *op, uint32_t state, int32_t result, uint64_t done)
{
	struct vdswipe_event ev = {
		.op_id = op->id, .result = result, .state = state, .bytes_done = done,
	};

	op->state = state;
	op->result = result;
	op->bytes_done = done;
	op->phase = VDSWIPE_PHASE_NONE;
	if (!op->sanitize)
		op->bytes_written = done;
	op->error_offset = state == VDSWIPE_STATE_FAILED ? done : ~0ULL;
	/* EPIPE once the library closed the session: SIGPIPE is ignored */
	(void)!write(sessions[op->session].wr, &ev, sizeof(ev));
	pthread_cond_broadcast(&fake.cond);
}

void fake_end(uint64_t id, uint32_t state, int32_t result, uint64_t bytes_done)
{
	pthread_mutex_lock(&fake.lock);
	end_locked(fake_op(id), state, result, bytes_done);
	pthread_mutex_unlock(&fake.lock);
}

void fake_progress(uint64_t id, uint64_t bytes_done)
{
	pthread_mutex_lock(&fake.lock);
	fake_op(id)->state = VDSWIPE_STATE_RUNNING;
	fake_op(id)->bytes_done = bytes_done;
	if (!fake_op(id)->sanitize) {
		fake_op(id)->bytes_written = bytes_done;
		fake_op(id)->pass = 1;
		fake_op(id)->phase = VDSWIPE_PHASE_WRITE;
	}
	pthread_mutex_unlock(&fake.lock);
}

int fake_nr_ops(void)
{
	int i, n = 0;

	pthread_mutex_lock(&fake.lock);
	for (i = 0; i < FAKE_MAX_OPS; i++)
		n += fake.ops[i].used;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static int new_op(int session, int fd, uint32_t flags, uint32_t method, uint64_t length,
		  bool read_only, __u64 *op_id, __u64 *region, struct fake_op **opp);

static int do_clean(int session, struct vdswipe_clean *c)
{
	fake.last_clean = *c;
	if ((c->flags & ~VDSWIPE_CLEAN_FLAGS_ALL) || c->method > VDSWIPE_METHOD_RANDOM ||
	    c->reserved[0] || c->reserved[1] ||
	    (c->method == VDSWIPE_METHOD_PATTERN ? c->pattern > 0xFF : c->pattern != 0) ||
	    ((c->flags & VDSWIPE_CLEAN_SECURE) && c->method != VDSWIPE_METHOD_DISCARD) ||
	    (!(c->flags & VDSWIPE_CLEAN_RANGE) && (c->offset || c->length)) ||
	    ((c->flags & VDSWIPE_CLEAN_RANGE) && !c->length))
		return EINVAL;
	return new_op(session, c->fd, c->flags, c->method, c->length, false, &c->op_id,
		      &c->bytes_total, NULL);
}

/* Checks common to CLEAN and SANITIZE, then the op: QUEUED. */
static int new_op(int session, int fd, uint32_t flags, uint32_t method, uint64_t length,
		  bool read_only, __u64 *op_id, __u64 *region, struct fake_op **opp)
{
	struct stat st;
	int i, n = 0, fl;

	if (!fake.admin)
		return EPERM;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return EBADF;
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
		return ENOTBLK;	/* regular files stand in for disks here */
	if ((fl & O_ACCMODE) == (read_only ? O_WRONLY : O_RDONLY))
		return EACCES;
	if (fake.clean_err)
		return fake.clean_err;
	for (i = 0; i < FAKE_MAX_OPS; i++)
		n += fake.ops[i].used && fake.ops[i].session == session;
	if ((uint32_t)n >= fake.max_ops)
		return EAGAIN;
	for (i = 0; i < FAKE_MAX_OPS && fake.ops[i].used; i++)
		;
	if (i == FAKE_MAX_OPS)
		return ENOMEM;
	fake.ops[i] = (struct fake_op){
		.used = true, .session = session, .id = ++next_id,
		.state = VDSWIPE_STATE_QUEUED, .method = method,
		.error_offset = ~0ULL, .first_mismatch = ~0ULL, .nr_passes = 1,
		.bytes_total = flags & VDSWIPE_CLEAN_RANGE ? length :
			       flags & VDSWIPE_CLEAN_FULL ? (uint64_t)st.st_size :
			       2 * VDSWIPE_QUICK_BYTES,
	};
	*op_id = fake.ops[i].id;
	*region = fake.ops[i].bytes_total;
	if (opp)
		*opp = &fake.ops[i];
	return 0;
}

static bool bad_pass(const struct vdswipe_pass *p)
{
	if (p->method != VDSWIPE_METHOD_ZERO && p->method != VDSWIPE_METHOD_PATTERN &&
	    p->method != VDSWIPE_METHOD_RANDOM)
		return true;
	return p->method == VDSWIPE_METHOD_PATTERN ? p->pattern > 0xFF : p->pattern != 0;
}

static int do_sanitize(int session, struct vdswipe_sanitize *z)
{
	bool only = z->flags & VDSWIPE_SANITIZE_VERIFY_ONLY;
	struct fake_op *op;
	__u64 region;
	uint64_t reads;
	uint32_t i;
	int ret;

	fake.last_sanitize = *z;
	if ((z->flags & ~VDSWIPE_SANITIZE_FLAGS_ALL) || z->reserved0 ||
	    z->reserved[0] || z->reserved[1] || z->reserved[2] ||
	    !z->nr_passes || z->nr_passes > VDSWIPE_MAX_PASSES ||
	    z->verify > VDSWIPE_VERIFY_ALL ||
	    (z->verify ? !z->sample_pct || z->sample_pct > 100 : z->sample_pct != 0) ||
	    (!(z->flags & VDSWIPE_CLEAN_RANGE) && (z->offset || z->length)) ||
	    ((z->flags & VDSWIPE_CLEAN_RANGE) && !z->length))
		return EINVAL;
	for (i = 0; i < VDSWIPE_MAX_PASSES; i++)
		if (i < z->nr_passes ? bad_pass(&z->passes[i]) :
		    z->passes[i].method || z->passes[i].pattern)
			return EINVAL;
	if (only && (z->nr_passes != 1 || !z->verify ||
		     z->passes[0].method == VDSWIPE_METHOD_RANDOM))
		return EINVAL;
	ret = new_op(session, z->fd, z->flags, z->passes[z->nr_passes - 1].method, z->length,
		     only, &z->op_id, &region, &op);
	if (ret)
		return ret;
	reads = z->verify == VDSWIPE_VERIFY_ALL ? region * z->nr_passes :
		z->verify ? region : 0;
	op->sanitize = true;
	op->nr_passes = z->nr_passes;
	op->verify = z->verify;
	op->sample_pct = z->sample_pct;
	op->verify_total = reads;
	op->bytes_total = (only ? 0 : region * z->nr_passes) + reads;
	z->region_bytes = region;
	z->bytes_total = op->bytes_total;
	return 0;
}

static int do_progress(int session, struct vdswipe_progress *p)
{
	struct fake_op *op;
	size_t i;

	if (p->flags || p->reserved0)
		return EINVAL;
	for (i = 0; i < sizeof(p->reserved) / sizeof(p->reserved[0]); i++)
		if (p->reserved[i])
			return EINVAL;
	op = op_in(session, p->op_id);
	if (!op)
		return ENOENT;
	p->state = op->state;
	p->result = op->result;
	p->percent = op->bytes_total ? (uint32_t)(op->bytes_done * 100 / op->bytes_total) : 0;
	if (p->state == VDSWIPE_STATE_DONE)
		p->percent = 100;
	p->method = op->method;
	p->nr_passes = op->nr_passes;
	p->pass = op->pass;
	p->phase = op->phase;
	p->verify = op->verify;
	p->sample_pct = op->sample_pct;
	p->block_size = 512;
	p->bytes_done = op->bytes_done;
	p->bytes_total = op->bytes_total;
	p->bytes_written = op->bytes_written;
	p->bytes_verified = op->bytes_verified;
	p->verify_total = op->verify_total;
	p->mismatch_blocks = op->mismatch_blocks;
	p->first_mismatch = op->first_mismatch;
	p->error_offset = op->error_offset;
	return 0;
}

static int do_cancel(struct fake_op *op)
{
	if (op->state == VDSWIPE_STATE_CANCELLED)
		return ECANCELED;
	if (ended(op) || op->flushing)
		return EALREADY;
	if (op->method == VDSWIPE_METHOD_DISCARD)
		return EOPNOTSUPP;
	end_locked(op, VDSWIPE_STATE_CANCELLED, -ECANCELED, op->bytes_done);
	return 0;
}

static int do_wait(int session, struct vdswipe_wait *w)
{
	struct timespec ts;
	struct fake_op *op;
	int ret;

	if (w->flags || w->reserved)
		return EINVAL;
	if (fake.eintr_waits > 0) {
		fake.eintr_waits--;
		return EINTR;
	}
	ts.tv_sec = (time_t)(w->deadline / 1000000000ULL);
	ts.tv_nsec = (long)(w->deadline % 1000000000ULL);
	for (;;) {
		op = op_in(session, w->op_id);
		if (!op)
			return ENOENT;
		if (ended(op))
			return 0;
		if (w->deadline == VDSWIPE_WAIT_INFINITE) {
			pthread_cond_wait(&fake.cond, &fake.lock);
			continue;
		}
		ret = pthread_cond_timedwait(&fake.cond, &fake.lock, &ts);
		if (ret == ETIMEDOUT) {
			op = op_in(session, w->op_id);
			return !op ? ENOENT : ended(op) ? 0 : ETIMEDOUT;
		}
	}
}

static int do_ioctl(int session, unsigned long req, void *arg)
{
	struct vdswipe_op_ref *ref = arg;
	struct vdswipe_status *st = arg;
	struct vdswipe_cancel_all *ca = arg;
	struct fake_op *op;
	int i;

	if (_IOC_TYPE(req) != VDSWIPE_IOC_MAGIC || _IOC_NR(req) >= 16)
		return ENOTTY;
	fake.calls[_IOC_NR(req)]++;
	switch (req) {
	case VDSWIPE_IOC_VERSION:
		*(struct vdswipe_version *)arg = (struct vdswipe_version){
			.abi_version = fake.abi, .max_ops = fake.max_ops,
			.features = fake.features, .chunk_size = 1 << 20,
			.queue_depth = 4,
		};
		return 0;
	case VDSWIPE_IOC_CLEAN:
		return do_clean(session, arg);
	case VDSWIPE_IOC_SANITIZE:
		if (!(fake.features & VDSWIPE_FEAT_SANITIZE))
			return ENOTTY;
		return do_sanitize(session, arg);
	case VDSWIPE_IOC_PROGRESS:
		if (!(fake.features & VDSWIPE_FEAT_SANITIZE))
			return ENOTTY;
		return do_progress(session, arg);
	case VDSWIPE_IOC_QUERY:
		if (st->flags || st->reserved)
			return EINVAL;
		op = op_in(session, st->op_id);
		if (!op)
			return ENOENT;
		st->state = op->state;
		st->result = op->result;
		st->method = op->method;
		st->bytes_done = op->bytes_done;
		st->bytes_total = op->bytes_total;
		st->error_offset = op->error_offset;
		st->percent = op->bytes_total ? (uint32_t)(op->bytes_done * 100 / op->bytes_total) : 0;
		if (st->state == VDSWIPE_STATE_DONE)
			st->percent = 100;
		return 0;
	case VDSWIPE_IOC_WAIT:
		return do_wait(session, arg);
	case VDSWIPE_IOC_CANCEL:
	case VDSWIPE_IOC_RELEASE:
		if (ref->flags || ref->reserved)
			return EINVAL;
		if (!fake.admin)
			return EPERM;
		op = op_in(session, ref->op_id);
		if (!op)
			return ENOENT;
		if (req == VDSWIPE_IOC_CANCEL)
			return do_cancel(op);
		if (!ended(op))
			return EBUSY;
		op->used = false;
		pthread_cond_broadcast(&fake.cond);
		return 0;
	case VDSWIPE_IOC_CANCEL_ALL:
		if (ca->flags)
			return EINVAL;
		if (!fake.admin)
			return EPERM;
		ca->cancelled = 0;
		for (i = 0; i < FAKE_MAX_OPS; i++)
			if (fake.ops[i].used && fake.ops[i].session == session &&
			    do_cancel(&fake.ops[i]) == 0)
				ca->cancelled++;
		return 0;
	default:
		return ENOTTY;
	}
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int session, err;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	session = session_of(fd);
	if (session < 0)
		return __real_ioctl(fd, req, arg);
	pthread_mutex_lock(&fake.lock);
	err = do_ioctl(session, req, arg);
	pthread_mutex_unlock(&fake.lock);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
