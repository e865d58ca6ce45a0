// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe ops: submit, lifetime, the state machine's end, cancel, wait,
 * query and release.
 *
 * An op is QUEUED at submit, RUNNING once its work starts, FINISHING
 * (reported as RUNNING) once all data is written, and ends DONE, FAILED or
 * CANCELLED. It ends exactly once, in vdswipe_op_end(): by its work function,
 * or by the canceller that took the work off the queue before it ran.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vdswipe.h"

static void vdswipe_op_free(struct kref *ref)
{
	struct vdswipe_op *op = container_of(ref, struct vdswipe_op, ref);

	WARN_ON_ONCE(op->claim.dev);
	WARN_ON_ONCE(op->run);
	if (op->pattern_page)
		__free_page(op->pattern_page);
	vdswipe_session_put(op->sess);
	kmem_cache_free(vdswipe_op_cache, op);
}

void vdswipe_op_put(struct vdswipe_op *op)
{
	kref_put(&op->ref, vdswipe_op_free);
}

/* Looks an op up by id and takes a reference; NULL if there is none. */
struct vdswipe_op *vdswipe_op_get(struct vdswipe_session *sess, u64 id)
{
	struct vdswipe_op *op;

	if (!id || id > ULONG_MAX)
		return NULL;
	/* Erasing takes the xa_lock too, so the op cannot go away here. */
	xa_lock(&sess->ops);
	op = xa_load(&sess->ops, id);
	if (op)
		kref_get(&op->ref);
	xa_unlock(&sess->ops);
	return op;
}

bool vdswipe_op_ended(struct vdswipe_op *op)
{
	bool ended;

	spin_lock(&op->lock);
	ended = vdswipe_state_ended(op->state);
	spin_unlock(&op->lock);
	return ended;
}

/**
 * vdswipe_op_end - end an op
 * @op:           the op, not ended yet
 * @state:        VDSWIPE_OP_DONE, _FAILED or _CANCELLED
 * @result:       0, -errno or -ECANCELED
 * @error_offset: device offset of the failed write, or U64_MAX
 *
 * Releases the device first, so that whoever sees the end can use the device
 * (mount it, submit again) at once; then publishes the end. Returns true if
 * the op had been handed to the module by its session's close: the caller
 * then owes the module reference taken for it. May sleep.
 */
bool vdswipe_op_end(struct vdswipe_op *op, enum vdswipe_op_state state,
		    int result, u64 error_offset)
{
	vdswipe_stats_end(op, state, result);
	vdswipe_claim_release(&op->claim);
	return vdswipe_session_publish_end(op, state, result, error_offset);
}

/**
 * vdswipe_op_cancel_request - first half of a cancel
 * @op:    the op
 * @owner: out, set on success: this call requested the cancel (false if an
 *         earlier caller already had)
 *
 * Returns 0 if the op can be cancelled (call vdswipe_op_cancel_finish()),
 * else the final answer: -EOPNOTSUPP for a DISCARD (whatever its state),
 * -ECANCELED if it already ended cancelled, -EALREADY if it ended otherwise
 * or is flushing.
 */
int vdswipe_op_cancel_request(struct vdswipe_op *op, bool *owner)
{
	int ret = 0;

	*owner = false;
	spin_lock(&op->lock);
	if (op->method == VDSWIPE_METHOD_DISCARD) {
		ret = -EOPNOTSUPP;
	} else if (op->state == VDSWIPE_OP_CANCELLED) {
		ret = -ECANCELED;
	} else if (vdswipe_state_ended(op->state) ||
		   op->state == VDSWIPE_OP_FINISHING) {
		ret = -EALREADY;
	} else {
		*owner = !op->cancel_requested;
		WRITE_ONCE(op->cancel_requested, true);
	}
	spin_unlock(&op->lock);
	vdswipe_stats_cancel(op, ret, *owner);
	return ret;
}

/**
 * vdswipe_op_end_dequeued - end an op whose work was taken off the queue
 * @op: the op; cancel_work() took its work before it ran
 *
 * Ends it CANCELLED, its device untouched, and drops the work's reference.
 * Nobody can have handed it off: only its session's close does, after
 * dequeuing. May sleep.
 */
void vdswipe_op_end_dequeued(struct vdswipe_op *op)
{
	WARN_ON_ONCE(vdswipe_op_end(op, VDSWIPE_OP_CANCELLED, -ECANCELED,
				    U64_MAX));
	vdswipe_op_put(op);	/* the queued work's reference */
}

/**
 * vdswipe_op_cancel_dequeue - take the op's work off the queue
 * @op: the op; the caller holds a reference and requested its cancel
 *
 * If the work had not started, ends the op CANCELLED (its device untouched)
 * and returns true. Never waits for a running work function: cancel_work(),
 * not cancel_work_sync(). May sleep (ending the op).
 */
static bool vdswipe_op_cancel_dequeue(struct vdswipe_op *op)
{
	if (!cancel_work(&op->work))
		return false;
	vdswipe_op_end_dequeued(op);
	return true;
}

/**
 * vdswipe_op_cancel_finish - second half of a cancel
 * @op:    the op; vdswipe_op_cancel_request() returned 0
 * @owner: what vdswipe_op_cancel_request() said
 *
 * Waits killably until the op has ended: normally for the chunks in flight
 * to complete, for as long as the device takes. Returns 0 if it ended
 * CANCELLED and this caller requested it, -ECANCELED if it ended CANCELLED at
 * another caller's request, -EALREADY if it ended otherwise (an I/O error
 * came first, or every byte was already written), -EINTR if a fatal signal
 * came first: the cancel stays requested and the op ends in the background.
 */
int vdswipe_op_cancel_finish(struct vdswipe_op *op, bool owner)
{
	enum vdswipe_op_state state;

	if (owner)
		vdswipe_op_cancel_dequeue(op);
	if (wait_event_killable(op->wq, vdswipe_op_ended(op)))
		return -EINTR;

	spin_lock(&op->lock);
	state = op->state;
	spin_unlock(&op->lock);

	if (state == VDSWIPE_OP_CANCELLED)
		return owner ? 0 : -ECANCELED;
	return -EALREADY;
}

static bool vdswipe_pass_bad(u32 method, u32 pattern, bool discard_ok)
{
	if (method > VDSWIPE_METHOD_RANDOM)
		return true;
	if (method == VDSWIPE_METHOD_DISCARD && !discard_ok)
		return true;
	return method == VDSWIPE_METHOD_PATTERN ? pattern > 0xff : pattern != 0;
}

static bool vdswipe_range_bad(u32 flags, u64 offset, u64 length)
{
	if (flags & VDSWIPE_CLEAN_RANGE)
		return !length;
	return offset || length;
}

static int vdswipe_clean_check(const struct vdswipe_clean *req)
{
	if (req->flags & ~VDSWIPE_CLEAN_FLAGS_ALL)
		return -EINVAL;
	if (req->method > VDSWIPE_METHOD_RANDOM)
		return -EINVAL;
	if (req->reserved[0] || req->reserved[1])
		return -EINVAL;
	if (vdswipe_pass_bad(req->method, req->pattern, true))
		return -EINVAL;
	if ((req->flags & VDSWIPE_CLEAN_SECURE) &&
	    req->method != VDSWIPE_METHOD_DISCARD)
		return -EINVAL;
	if (vdswipe_range_bad(req->flags, req->offset, req->length))
		return -EINVAL;
	return 0;
}

/* The checks of the request alone, in the order the ABI document lists. */
static int vdswipe_sanitize_check(const struct vdswipe_sanitize *req)
{
	bool verify_only = req->flags & VDSWIPE_SANITIZE_VERIFY_ONLY;
	unsigned int i;

	if (req->flags & ~VDSWIPE_SANITIZE_FLAGS_ALL)
		return -EINVAL;
	if (req->reserved0 || memchr_inv(req->reserved, 0,
					 sizeof(req->reserved)))
		return -EINVAL;
	if (!req->nr_passes || req->nr_passes > VDSWIPE_MAX_PASSES)
		return -EINVAL;
	for (i = 0; i < VDSWIPE_MAX_PASSES; i++) {
		const struct vdswipe_pass *p = &req->passes[i];

		if (i >= req->nr_passes) {
			if (p->method || p->pattern)
				return -EINVAL;
		} else if (vdswipe_pass_bad(p->method, p->pattern, false)) {
			return -EINVAL;
		}
	}
	if (req->verify > VDSWIPE_VERIFY_ALL)
		return -EINVAL;
	if (req->verify == VDSWIPE_VERIFY_OFF ? req->sample_pct != 0 :
	    !req->sample_pct || req->sample_pct > 100)
		return -EINVAL;
	if (verify_only &&
	    (req->nr_passes != 1 || req->verify == VDSWIPE_VERIFY_OFF ||
	     req->passes[0].method == VDSWIPE_METHOD_RANDOM))
		return -EINVAL;
	if (vdswipe_range_bad(req->flags, req->offset, req->length))
		return -EINVAL;
	return 0;
}

static bool vdswipe_req_has(const struct vdswipe_req *req, u32 method)
{
	unsigned int i;

	for (i = 0; i < req->nr_passes; i++)
		if (req->passes[i].method == method)
			return true;
	return false;
}

static struct vdswipe_op *vdswipe_op_alloc(struct vdswipe_session *sess,
					   const struct vdswipe_req *req)
{
	struct vdswipe_op *op;
	unsigned int i;

	op = kmem_cache_zalloc(vdswipe_op_cache, GFP_KERNEL);
	if (!op)
		return NULL;

	if (vdswipe_req_has(req, VDSWIPE_METHOD_PATTERN) &&
	    !(req->flags & VDSWIPE_SANITIZE_VERIFY_ONLY)) {
		/* GFP_KERNEL pages are never highmem: page_address() works. */
		op->pattern_page = alloc_page(GFP_KERNEL);
		if (!op->pattern_page) {
			kmem_cache_free(vdswipe_op_cache, op);
			return NULL;
		}
		/* Filled by each PATTERN pass with its byte. */
		memset(page_address(op->pattern_page), req->passes[0].pattern,
		       PAGE_SIZE);
	}

	kref_init(&op->ref);
	kref_get(&sess->ref);
	op->sess = sess;
	spin_lock_init(&op->lock);
	op->state = VDSWIPE_OP_QUEUED;
	op->error_offset = U64_MAX;
	init_waitqueue_head(&op->wq);
	op->method = req->passes[0].method;
	op->first_mismatch = U64_MAX;
	op->flags = req->flags;
	op->nr_passes = req->nr_passes;
	/* checked: methods are small, patterns bytes */
	for (i = 0; i < req->nr_passes; i++) {
		op->passes[i].method = req->passes[i].method;
		op->passes[i].pattern = req->passes[i].pattern;
	}
	op->verify = req->verify;
	op->sample_pct = req->sample_pct;
	atomic64_set(&op->bytes_done, 0);
	atomic64_set(&op->bytes_written, 0);
	atomic64_set(&op->bytes_verified, 0);
	spin_lock_init(&op->io_lock);
	init_waitqueue_head(&op->io_wq);
	op->io_error_offset = U64_MAX;
	INIT_LIST_HEAD(&op->buf_free);
	INIT_WORK(&op->work, vdswipe_work_fn);
	INIT_LIST_HEAD(&op->ev_link);
	INIT_LIST_HEAD(&op->cancel_link);
	return op;
}

/*
 * Chunks (of chunk_size, the last one of a segment shorter) that a sampled
 * verification always reads: those of the first and the last
 * VDSWIPE_QUICK_BYTES of the region. The quick clean's segments lie there
 * entirely. @n is the number of chunks of the one segment of @len bytes.
 */
static u64 vdswipe_mandatory_chunks(u64 len, u64 n)
{
	u64 cs = vdswipe_chunk_size;
	u64 head = min_t(u64, n, DIV_ROUND_UP_ULL(VDSWIPE_QUICK_BYTES, cs));
	u64 tail = len > VDSWIPE_QUICK_BYTES ?
		   div64_u64(len - VDSWIPE_QUICK_BYTES, cs) : 0;

	/* Chunks [0, head) and [tail, n): chunk i ends past len - 1 MiB. */
	return tail <= head ? n : head + (n - tail);
}

/*
 * The chunks a verification reads besides the mandatory ones: it picks
 * @pick of @cands at random. Derived from what is immutable after submit,
 * so the worker gets the very numbers verify_bytes was counted from.
 */
void vdswipe_op_verify_plan(const struct vdswipe_op *op, u64 *cands,
			    u64 *pick)
{
	u64 cs = vdswipe_chunk_size;
	u64 n, mandatory, want;
	u32 rem;

	*cands = 0;
	*pick = 0;
	if (op->verify == VDSWIPE_VERIFY_OFF)
		return;
	if (op->nr_segs == 1) {
		n = DIV_ROUND_UP_ULL(op->segs[0].len, cs);
		mandatory = vdswipe_mandatory_chunks(op->segs[0].len, n);
	} else {
		/* the quick clean's segments: every chunk of them */
		n = 2 * DIV_ROUND_UP_ULL(VDSWIPE_QUICK_BYTES, cs);
		mandatory = n;
	}
	/* ceil(n * pct / 100) chunks, the mandatory ones among them */
	want = div_u64_rem(n, 100, &rem) * op->sample_pct +
	       DIV_ROUND_UP(rem * op->sample_pct, 100);
	want = clamp(want, mandatory, n);
	*cands = n - mandatory;
	*pick = want - mandatory;
}

/* How many verifications the op runs: after every pass, the last, or none. */
static u64 vdswipe_op_nr_verify(const struct vdswipe_op *op)
{
	return op->verify == VDSWIPE_VERIFY_ALL ? op->nr_passes :
	       op->verify != VDSWIPE_VERIFY_OFF;
}

/* Bytes all verifications read; set_segs() checked that it fits. */
u64 vdswipe_op_verify_total(const struct vdswipe_op *op)
{
	return vdswipe_op_nr_verify(op) * op->verify_bytes;
}

/*
 * Lays out the region and what the op will write and read back. The quick
 * clean covers the first and the last VDSWIPE_QUICK_BYTES of [start, start
 * + len), one segment when they overlap or touch; the full clean all of it.
 * Then the byte counts: one pass, one verification (its sample size is
 * fixed here, so that bytes_total is exact), all of it. -EOVERFLOW if that
 * work does not fit in a u64 of bytes (an exabyte-sized device, several
 * passes and verification of each): bytes_total would wrap, and with it the
 * percent and the "every byte written" rule of cancel.
 */
static int vdswipe_op_set_segs(struct vdswipe_op *op, u64 start, u64 len)
{
	u64 cands, pick, written;

	if ((op->flags & VDSWIPE_CLEAN_FULL) || len <= 2 * VDSWIPE_QUICK_BYTES) {
		op->segs[0] = (struct vdswipe_seg){ start, len };
		op->nr_segs = 1;
		op->region_bytes = len;
	} else {
		op->segs[0] = (struct vdswipe_seg){ start, VDSWIPE_QUICK_BYTES };
		op->segs[1] = (struct vdswipe_seg){
			start + len - VDSWIPE_QUICK_BYTES, VDSWIPE_QUICK_BYTES
		};
		op->nr_segs = 2;
		op->region_bytes = 2 * VDSWIPE_QUICK_BYTES;
	}

	vdswipe_op_verify_plan(op, &cands, &pick);
	/* Only the last chunk of a segment is short, and it is mandatory. */
	op->verify_bytes = op->verify == VDSWIPE_VERIFY_OFF ? 0 :
			   op->region_bytes - (cands - pick) * vdswipe_chunk_size;
	if (check_mul_overflow(vdswipe_op_nr_verify(op), op->verify_bytes,
			       &op->bytes_total))
		return -EOVERFLOW;
	if (!(op->flags & VDSWIPE_SANITIZE_VERIFY_ONLY) &&
	    (check_mul_overflow((u64)op->nr_passes, op->region_bytes,
				&written) ||
	     check_add_overflow(op->bytes_total, written, &op->bytes_total)))
		return -EOVERFLOW;
	return 0;
}

/*
 * Creates an op for a checked request: the device claimed, the id reserved.
 * The caller tells userspace the id, then vdswipe_op_start()s it or
 * vdswipe_op_abort()s it.
 */
static struct vdswipe_op *vdswipe_op_create(struct vdswipe_session *sess,
					    const struct vdswipe_req *req)
{
	struct vdswipe_op *op;
	u64 dev_bytes;
	int ret;

	op = vdswipe_op_alloc(sess, req);
	if (!op)
		return ERR_PTR(-ENOMEM);

	ret = vdswipe_claim_acquire(&op->claim, req, &dev_bytes);
	if (ret)
		goto put_op;

	op->lbs = bdev_logical_block_size(op->claim.bdev);
	if (req->flags & VDSWIPE_CLEAN_RANGE)
		ret = vdswipe_op_set_segs(op, req->offset, req->length);
	else
		ret = vdswipe_op_set_segs(op, 0, dev_bytes);
	if (ret)
		goto release_claim;
	vdswipe_io_size(op, vdswipe_req_has(req, VDSWIPE_METHOD_ZERO) &&
			    !(req->flags & VDSWIPE_SANITIZE_VERIFY_ONLY));

	ret = vdswipe_session_reserve_id(sess, &op->id);
	if (ret)
		goto release_claim;
	return op;

release_claim:
	vdswipe_claim_release(&op->claim);
put_op:
	vdswipe_op_put(op);
	return ERR_PTR(ret);
}

static void vdswipe_op_abort(struct vdswipe_session *sess,
			     struct vdswipe_op *op)
{
	vdswipe_session_unreserve_id(sess, op->id);
	vdswipe_claim_release(&op->claim);
	vdswipe_op_put(op);
}

static void vdswipe_op_start(struct vdswipe_session *sess,
			     struct vdswipe_op *op)
{
	/*
	 * Queue before the op becomes visible: a cancel that found it
	 * installed but not yet queued could grab the idle work in
	 * cancel_work() and make our queue_work() a no-op, and the op
	 * would never end. Until it is installed, nobody can see the op; if
	 * it ends first, its event is simply queued before its id resolves.
	 */
	vdswipe_stats_submit(op);
	kref_get(&op->ref);		/* for the work */
	queue_work(vdswipe_wq, &op->work);
	vdswipe_session_install(sess, op);	/* takes our reference */
}

/*
 * What CLEAN and SANITIZE share once their request is checked: creates the
 * op for @req, lets @reply_fill() put its id and byte counts into the
 * caller's struct (@reply, @size bytes), copies that back to @argp and
 * starts the op. Userspace is told the id before the op can run: once it
 * is installed and queued, a failure here could no longer be undone, so a
 * failed copy aborts the op instead.
 */
static long vdswipe_op_submit(struct vdswipe_session *sess,
			      const struct vdswipe_req *req,
			      void __user *argp, void *reply, size_t size,
			      void (*reply_fill)(void *reply,
						 const struct vdswipe_op *op))
{
	struct vdswipe_op *op;

	op = vdswipe_op_create(sess, req);
	if (IS_ERR(op))
		return PTR_ERR(op);

	reply_fill(reply, op);
	if (copy_to_user(argp, reply, size)) {
		vdswipe_op_abort(sess, op);
		return -EFAULT;
	}
	vdswipe_op_start(sess, op);
	return 0;
}

static void vdswipe_clean_reply(void *reply, const struct vdswipe_op *op)
{
	struct vdswipe_clean *req = reply;

	req->op_id = op->id;
	req->bytes_total = op->bytes_total;
}

long vdswipe_ioctl_clean(struct vdswipe_session *sess, void __user *argp)
{
	struct vdswipe_clean req;
	struct vdswipe_req r;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	ret = vdswipe_clean_check(&req);
	if (ret)
		return ret;
	if (!sess->admin)
		return -EPERM;

	r = (struct vdswipe_req) {
		.fd		= req.fd,
		.flags		= req.flags,
		.offset		= req.offset,
		.length		= req.length,
		.nr_passes	= 1,
		.passes[0]	= { req.method, req.pattern },
	};
	return vdswipe_op_submit(sess, &r, argp, &req, sizeof(req),
				 vdswipe_clean_reply);
}

static void vdswipe_sanitize_reply(void *reply, const struct vdswipe_op *op)
{
	struct vdswipe_sanitize *req = reply;

	req->op_id = op->id;
	req->bytes_total = op->bytes_total;
	req->region_bytes = op->region_bytes;
}

long vdswipe_ioctl_sanitize(struct vdswipe_session *sess, void __user *argp)
{
	struct vdswipe_sanitize req;
	struct vdswipe_req r;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	ret = vdswipe_sanitize_check(&req);
	if (ret)
		return ret;
	if (!sess->admin)
		return -EPERM;

	r = (struct vdswipe_req) {
		.fd		= req.fd,
		.flags		= req.flags,
		.offset		= req.offset,
		.length		= req.length,
		.nr_passes	= req.nr_passes,
		.verify		= req.verify,
		.sample_pct	= req.sample_pct,
	};
	memcpy(r.passes, req.passes, sizeof(r.passes));
	return vdswipe_op_submit(sess, &r, argp, &req, sizeof(req),
				 vdswipe_sanitize_reply);
}

static u32 vdswipe_percent(enum vdswipe_op_state state, u64 done, u64 total)
{
	if (state == VDSWIPE_OP_DONE)
		return 100;
	if (!total)
		return 0;
	return min_t(u64, mul_u64_u64_div_u64(done, 100, total), 99);
}

long vdswipe_ioctl_query(struct vdswipe_session *sess, void __user *argp)
{
	struct vdswipe_status st;
	struct vdswipe_op *op;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (st.flags || st.reserved)
		return -EINVAL;
	op = vdswipe_op_get(sess, st.op_id);
	if (!op)
		return -ENOENT;

	spin_lock(&op->lock);
	st = (struct vdswipe_status) {
		.op_id		= op->id,
		.state		= vdswipe_state_uapi(op->state),
		.result		= op->result,
		.method		= op->method,
		.bytes_done	= atomic64_read(&op->bytes_done),
		.bytes_total	= op->bytes_total,
		.error_offset	= op->error_offset,
	};
	st.percent = vdswipe_percent(op->state, st.bytes_done, st.bytes_total);
	spin_unlock(&op->lock);
	vdswipe_op_put(op);

	if (copy_to_user(argp, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

long vdswipe_ioctl_progress(struct vdswipe_session *sess, void __user *argp)
{
	struct vdswipe_progress pr;
	struct vdswipe_op *op;
	bool running;

	if (copy_from_user(&pr, argp, sizeof(pr)))
		return -EFAULT;
	if (pr.flags || pr.reserved0 ||
	    memchr_inv(pr.reserved, 0, sizeof(pr.reserved)))
		return -EINVAL;
	op = vdswipe_op_get(sess, pr.op_id);
	if (!op)
		return -ENOENT;

	spin_lock(&op->lock);
	running = op->state == VDSWIPE_OP_RUNNING ||
		  op->state == VDSWIPE_OP_FINISHING;
	pr = (struct vdswipe_progress) {
		.op_id		 = op->id,
		.state		 = vdswipe_state_uapi(op->state),
		.result		 = op->result,
		.method		 = op->method,
		.nr_passes	 = op->nr_passes,
		.pass		 = op->pass,
		.phase		 = running ? op->phase : VDSWIPE_PHASE_NONE,
		.verify		 = op->verify,
		.sample_pct	 = op->sample_pct,
		.block_size	 = op->lbs,
		.bytes_total	 = op->bytes_total,
		.bytes_written	 = atomic64_read(&op->bytes_written),
		.bytes_verified	 = atomic64_read(&op->bytes_verified),
		.verify_total	 = vdswipe_op_verify_total(op),
		.mismatch_blocks = op->mismatch_blocks,
		.first_mismatch	 = op->first_mismatch,
		.error_offset	 = op->error_offset,
	};
	/* one snapshot: the two counters are read once and added */
	pr.bytes_done = pr.bytes_written + pr.bytes_verified;
	pr.percent = vdswipe_percent(op->state, pr.bytes_done, pr.bytes_total);
	spin_unlock(&op->lock);
	vdswipe_op_put(op);

	if (copy_to_user(argp, &pr, sizeof(pr)))
		return -EFAULT;
	return 0;
}

/*
 * Sleeps until @op has ended, the absolute CLOCK_MONOTONIC @deadline (ns;
 * anything past KTIME_MAX means never) or a signal. A deadline in the past
 * only checks. Returns 0, -ETIMEDOUT or -ERESTARTSYS; the deadline being
 * absolute, a restart does not extend it.
 */
static int vdswipe_op_wait(struct vdswipe_op *op, u64 deadline)
{
	bool infinite = deadline > KTIME_MAX;
	ktime_t expires = infinite ? KTIME_MAX : ns_to_ktime(deadline);
	DEFINE_WAIT(wait);
	int ret;

	for (;;) {
		prepare_to_wait(&op->wq, &wait, TASK_INTERRUPTIBLE);
		if (vdswipe_op_ended(op)) {
			ret = 0;
			break;
		}
		if (!infinite && ktime_compare(ktime_get(), expires) >= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		schedule_hrtimeout_range(infinite ? NULL : &expires, 0,
					 HRTIMER_MODE_ABS);
	}
	finish_wait(&op->wq, &wait);
	return ret;
}

long vdswipe_ioctl_wait(struct vdswipe_session *sess, void __user *argp)
{
	struct vdswipe_wait args;
	struct vdswipe_op *op;
	int ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved)
		return -EINVAL;
	op = vdswipe_op_get(sess, args.op_id);
	if (!op)
		return -ENOENT;
	ret = vdswipe_op_wait(op, args.deadline);
	vdswipe_op_put(op);
	return ret;
}

/*
 * CANCEL and RELEASE: read their struct vdswipe_op_ref from userspace,
 * check it and the session's privilege, and look the op up (a reference
 * the caller puts).
 */
static int vdswipe_op_ref_from_user(struct vdswipe_session *sess,
				    void __user *argp,
				    struct vdswipe_op **opp)
{
	struct vdswipe_op_ref args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved)
		return -EINVAL;
	if (!sess->admin)
		return -EPERM;
	*opp = vdswipe_op_get(sess, args.op_id);
	return *opp ? 0 : -ENOENT;
}

long vdswipe_ioctl_cancel(struct vdswipe_session *sess, void __user *argp)
{
	struct vdswipe_op *op;
	bool owner;
	int ret;

	ret = vdswipe_op_ref_from_user(sess, argp, &op);
	if (ret)
		return ret;
	ret = vdswipe_op_cancel_request(op, &owner);
	if (!ret)
		ret = vdswipe_op_cancel_finish(op, owner);
	vdswipe_stats_cancel_done(op, ret);
	vdswipe_op_put(op);
	return ret;
}

long vdswipe_ioctl_release(struct vdswipe_session *sess, void __user *argp)
{
	struct vdswipe_op *op;
	int ret;

	ret = vdswipe_op_ref_from_user(sess, argp, &op);
	if (ret)
		return ret;
	if (vdswipe_op_ended(op))
		ret = vdswipe_session_remove(sess, op);
	else
		ret = -EBUSY;
	vdswipe_op_put(op);
	return ret;
}
