// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe sessions: one per open file of /dev/vdswipe. A session owns its ops
 * (an xarray by id), the queue of end events that read() returns and poll()
 * reports, and cancels everything it still holds when it is closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "vdswipe.h"

/* Records read() copies per round under the locks; it loops for more. */
#define VDSWIPE_READ_BATCH	8

/**
 * vdswipe_session_reserve_id - reserve a new op id in the session
 * @sess: the session
 * @id:   out, the id
 *
 * Counts against max_ops from now on. Lookups do not see a reserved id until
 * vdswipe_session_install() stores the op. Returns 0, -EAGAIN at the limit or
 * -ENOMEM.
 */
int vdswipe_session_reserve_id(struct vdswipe_session *sess, u64 *id)
{
	int ret;

	xa_lock(&sess->ops);
	/* The index is an unsigned long: only 32-bit kernels can run out. */
	if (sess->nr_ops >= vdswipe_max_ops || sess->next_id >= ULONG_MAX) {
		xa_unlock(&sess->ops);
		return -EAGAIN;
	}
	*id = ++sess->next_id;
	sess->nr_ops++;
	/* Storing NULL reserves the index; this may drop the lock to allocate. */
	ret = __xa_insert(&sess->ops, *id, NULL, GFP_KERNEL);
	if (ret)
		sess->nr_ops--;
	xa_unlock(&sess->ops);
	return ret;
}

/* Gives back an id reserved by vdswipe_session_reserve_id(). */
void vdswipe_session_unreserve_id(struct vdswipe_session *sess, u64 id)
{
	xa_lock(&sess->ops);
	__xa_erase(&sess->ops, id);
	sess->nr_ops--;
	xa_unlock(&sess->ops);
}

/*
 * Makes @op visible under its reserved id. Hands the caller's reference to
 * the xarray. Cannot fail: the slot is already allocated.
 */
void vdswipe_session_install(struct vdswipe_session *sess,
			     struct vdswipe_op *op)
{
	void *old;

	old = xa_store(&sess->ops, op->id, op, GFP_KERNEL);
	WARN_ON_ONCE(xa_is_err(old) || old);
}

/**
 * vdswipe_session_remove - drop an ended op from its session
 * @sess: the session
 * @op:   the op, ended; the caller holds its own reference
 *
 * Drops the unread event record and the xarray's reference. Returns -ENOENT
 * if a concurrent call removed it first.
 */
int vdswipe_session_remove(struct vdswipe_session *sess,
			   struct vdswipe_op *op)
{
	xa_lock(&sess->ops);
	if (xa_load(&sess->ops, op->id) != op) {
		xa_unlock(&sess->ops);
		return -ENOENT;
	}
	__xa_erase(&sess->ops, op->id);
	sess->nr_ops--;
	xa_unlock(&sess->ops);

	/* The op has ended, so its record was queued before we looked. */
	spin_lock(&sess->ev_lock);
	list_del_init(&op->ev_link);
	spin_unlock(&sess->ev_lock);

	vdswipe_op_put(op);
	return 0;
}

/**
 * vdswipe_session_publish_end - make an op's end visible
 * @op:           the op; its device is already released
 * @state:        VDSWIPE_OP_DONE, _FAILED or _CANCELLED
 * @result:       0, -errno or -ECANCELED
 * @error_offset: device offset of the failed write, or U64_MAX
 *
 * The state and the event record appear together under ev_lock, so that a
 * RELEASE that sees the op ended also finds (and drops) its record. An op
 * handed to the module by close() queues no record: nobody can read it.
 * Then waiters and poll() are woken. Called exactly once per op. Returns
 * whether the op was handed off (decided under op->lock: see
 * vdswipe_session_drop()).
 */
bool vdswipe_session_publish_end(struct vdswipe_op *op,
				 enum vdswipe_op_state state, int result,
				 u64 error_offset)
{
	struct vdswipe_session *sess = op->sess;
	bool handed_off;

	spin_lock(&sess->ev_lock);
	spin_lock(&op->lock);
	WARN_ON_ONCE(vdswipe_state_ended(op->state));
	op->state = state;
	op->result = result;
	op->error_offset = error_offset;
	handed_off = op->handed_off;
	spin_unlock(&op->lock);
	if (!handed_off)
		list_add_tail(&op->ev_link, &sess->events);
	spin_unlock(&sess->ev_lock);

	/*
	 * Most ends have nobody waiting (a CANCEL of a queued op sees the
	 * end itself): skip the two waitqueue locks then. wq_has_sleeper()
	 * has the barrier that pairs with the waiters' set_current_state().
	 */
	if (wq_has_sleeper(&op->wq))
		wake_up_all(&op->wq);
	if (wq_has_sleeper(&sess->ev_wq))
		wake_up_interruptible_poll(&sess->ev_wq, EPOLLIN | EPOLLRDNORM);
	return handed_off;
}

/*
 * Cancels every op of the session that can be cancelled, as CANCEL would.
 * Requests all cancels first, so that running ops stop together, and takes
 * every queued op off the queue before waiting for any running one: a
 * running op that stops frees a worker, which must not pick up an op of ours
 * instead. When the session is @closing, a DISCARD that has not started is
 * dropped too (its device untouched), and nothing is waited for: release
 * does its own bounded wait. Otherwise waits killably for each op whose
 * cancel this call requested and stores in @cancelled how many of them
 * ended CANCELLED. Returns 0, or -EINTR when a fatal signal ended the wait
 * (the cancels stay requested).
 */
static int vdswipe_session_cancel_all(struct vdswipe_session *sess,
				      bool closing, unsigned int *cancelled)
{
	struct vdswipe_op *op, *tmp;
	unsigned long idx;
	LIST_HEAD(ops);
	bool owner;
	int ret;

	lockdep_assert_held(&sess->cancel_all_lock);

	*cancelled = 0;
	xa_lock(&sess->ops);
	xa_for_each(&sess->ops, idx, op) {
		kref_get(&op->ref);
		list_add_tail(&op->cancel_link, &ops);
	}
	xa_unlock(&sess->ops);

	/*
	 * Request every cancel before anything sleeps: a queued op that a
	 * freed worker picks up meanwhile then sees its cancel at once and
	 * never touches its device.
	 */
	list_for_each_entry(op, &ops, cancel_link) {
		ret = vdswipe_op_cancel_request(op, &owner);
		op->cancel_all_owner = !ret && owner;
		op->cancel_all_drop = op->cancel_all_owner ||
				      (closing && ret == -EOPNOTSUPP);
	}
	/* Take the queued ones off the queue; cancel_work() does not sleep. */
	list_for_each_entry(op, &ops, cancel_link)
		op->cancel_all_drop = op->cancel_all_drop &&
				      cancel_work(&op->work);
	/* End them: this gives their devices back, and may sleep. */
	list_for_each_entry(op, &ops, cancel_link) {
		if (op->cancel_all_drop)
			vdswipe_op_end_dequeued(op);
	}

	ret = 0;
	list_for_each_entry(op, &ops, cancel_link) {
		if (closing || !op->cancel_all_owner)
			continue;
		ret = vdswipe_op_cancel_finish(op, true);
		vdswipe_stats_cancel_done(op, ret);
		if (ret == -EINTR)
			break;
		if (!ret)
			(*cancelled)++;
		ret = 0;
	}

	list_for_each_entry_safe(op, tmp, &ops, cancel_link) {
		list_del_init(&op->cancel_link);
		vdswipe_op_put(op);
	}
	return ret;
}

long vdswipe_ioctl_cancel_all(struct vdswipe_session *sess, void __user *argp)
{
	struct vdswipe_cancel_all args;
	int ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags)
		return -EINVAL;
	if (!sess->admin)
		return -EPERM;

	if (mutex_lock_killable(&sess->cancel_all_lock))
		return -EINTR;
	ret = vdswipe_session_cancel_all(sess, false, &args.cancelled);
	mutex_unlock(&sess->cancel_all_lock);
	if (ret)
		return ret;

	if (copy_to_user(argp, &args, sizeof(args)))
		return -EFAULT;
	return 0;
}

static void vdswipe_session_free(struct kref *ref)
{
	struct vdswipe_session *sess = container_of(ref, struct vdswipe_session,
						    ref);

	xa_destroy(&sess->ops);
	mutex_destroy(&sess->read_lock);
	mutex_destroy(&sess->cancel_all_lock);
	kfree(sess);
}

void vdswipe_session_put(struct vdswipe_session *sess)
{
	kref_put(&sess->ref, vdswipe_session_free);
}

int vdswipe_open(struct inode *inode, struct file *file)
{
	struct vdswipe_session *sess;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return -ENOMEM;
	kref_init(&sess->ref);
	sess->id = vdswipe_stats_session_id();
	xa_init(&sess->ops);
	spin_lock_init(&sess->ev_lock);
	INIT_LIST_HEAD(&sess->events);
	init_waitqueue_head(&sess->ev_wq);
	mutex_init(&sess->read_lock);
	mutex_init(&sess->cancel_all_lock);
	/* The opener's privilege, not the caller's, rules the session. */
	sess->admin = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);

	file->private_data = sess;
	return stream_open(inode, file);
}

/*
 * Drops @op from its closing session. An op that has not ended yet (its
 * device stuck, a long DISCARD) is handed to the module: it takes a module
 * reference that its work function drops once the op has ended, and its end
 * queues no event. The decision is taken under op->lock, where the op's end
 * is published, so that exactly one side owns the reference.
 */
static void vdswipe_session_drop(struct vdswipe_session *sess,
				 struct vdswipe_op *op)
{
	spin_lock(&op->lock);
	if (!vdswipe_state_ended(op->state)) {
		op->handed_off = true;
		__module_get(THIS_MODULE);
	}
	spin_unlock(&op->lock);
	WARN_ON_ONCE(vdswipe_session_remove(sess, op));
}

/*
 * Last close. No ioctl can run any more. Cancel what can be cancelled and
 * take queued ops off the queue (they end CANCELLED, devices untouched; a
 * DISCARD that never started is dropped). Then wait, killably and for at
 * most VDSWIPE_CLOSE_WAIT_MS in all, for the running ones to end (an op that
 * cannot be cancelled, a DISCARD or one flushing, runs to its end). Ops
 * still running then are handed to the module and end in the background.
 * Drop them all, and the file's reference on the session.
 */
int vdswipe_release(struct inode *inode, struct file *file)
{
	struct vdswipe_session *sess = file->private_data;
	unsigned long deadline = jiffies +
				 msecs_to_jiffies(VDSWIPE_CLOSE_WAIT_MS);
	unsigned int cancelled;
	struct vdswipe_op *op;
	unsigned long idx;
	long left;

	mutex_lock(&sess->cancel_all_lock);
	vdswipe_session_cancel_all(sess, true, &cancelled);
	mutex_unlock(&sess->cancel_all_lock);

	xa_for_each(&sess->ops, idx, op) {
		left = (long)(deadline - jiffies);
		if (left > 0)
			wait_event_killable_timeout(op->wq,
						    vdswipe_op_ended(op), left);
		vdswipe_session_drop(sess, op);
	}
	WARN_ON_ONCE(sess->nr_ops || !list_empty(&sess->events));

	/*
	 * The work of an op released earlier, or handed off just now, may
	 * still run; its op's reference keeps the session alive.
	 */
	vdswipe_session_put(sess);
	return 0;
}

static bool vdswipe_session_has_events(struct vdswipe_session *sess)
{
	bool ret;

	spin_lock(&sess->ev_lock);
	ret = !list_empty(&sess->events);
	spin_unlock(&sess->ev_lock);
	return ret;
}

/* Copies up to @max queued records, oldest first, without consuming them. */
static unsigned int vdswipe_events_peek(struct vdswipe_session *sess,
					struct vdswipe_event *ev,
					unsigned int max)
{
	struct vdswipe_op *op;
	unsigned int n = 0;

	lockdep_assert_held(&sess->read_lock);

	spin_lock(&sess->ev_lock);
	list_for_each_entry(op, &sess->events, ev_link) {
		if (n == max)
			break;
		spin_lock(&op->lock);
		ev[n] = (struct vdswipe_event) {
			.op_id		= op->id,
			.result		= op->result,
			.state		= vdswipe_state_uapi(op->state),
			.bytes_done	= atomic64_read(&op->bytes_done),
		};
		spin_unlock(&op->lock);
		n++;
	}
	spin_unlock(&sess->ev_lock);
	return n;
}

/*
 * Consumes the records of vdswipe_events_peek() once they reached userspace.
 * Only read() (serialised by read_lock) takes records from the head and new
 * ones go to the tail; RELEASE may have dropped some meanwhile, so the ones
 * left are still a prefix of the list, in order.
 */
static void vdswipe_events_consume(struct vdswipe_session *sess,
				   const struct vdswipe_event *ev,
				   unsigned int n)
{
	struct vdswipe_op *op;
	unsigned int i;

	lockdep_assert_held(&sess->read_lock);

	spin_lock(&sess->ev_lock);
	for (i = 0; i < n && !list_empty(&sess->events); i++) {
		op = list_first_entry(&sess->events, struct vdswipe_op,
				      ev_link);
		if (op->id == ev[i].op_id)
			list_del_init(&op->ev_link);
	}
	spin_unlock(&sess->ev_lock);
}

ssize_t vdswipe_read(struct file *file, char __user *buf, size_t count,
		     loff_t *ppos)
{
	struct vdswipe_session *sess = file->private_data;
	struct vdswipe_event ev[VDSWIPE_READ_BATCH];
	size_t max = count / sizeof(ev[0]);
	size_t copied = 0;
	unsigned int n;
	ssize_t ret = 0;

	if (!max)
		return -EINVAL;
	if (mutex_lock_interruptible(&sess->read_lock))
		return -ERESTARTSYS;

	while (copied < max) {
		n = vdswipe_events_peek(sess, ev,
					min_t(size_t, max - copied,
					      VDSWIPE_READ_BATCH));
		if (!n) {
			if (copied)
				break;
			if (file->f_flags & O_NONBLOCK) {
				ret = -EAGAIN;
				break;
			}
			mutex_unlock(&sess->read_lock);
			ret = wait_event_interruptible(sess->ev_wq,
						       vdswipe_session_has_events(sess));
			if (ret)
				return ret;
			if (mutex_lock_interruptible(&sess->read_lock))
				return -ERESTARTSYS;
			continue;
		}
		if (copy_to_user(buf + copied * sizeof(ev[0]), ev,
				 n * sizeof(ev[0]))) {
			ret = -EFAULT;
			break;
		}
		vdswipe_events_consume(sess, ev, n);
		copied += n;
	}
	mutex_unlock(&sess->read_lock);

	return copied ? copied * sizeof(ev[0]) : ret;
}

__poll_t vdswipe_poll(struct file *file, poll_table *wait)
{
	struct vdswipe_session *sess = file->private_data;

	poll_wait(file, &sess->ev_wq, wait);
	return vdswipe_session_has_events(sess) ? EPOLLIN | EPOLLRDNORM : 0;
}
