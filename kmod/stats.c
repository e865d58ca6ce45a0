// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe observability: the tracepoints (trace.h), the module-wide counters
 * (/sys/class/misc/vdswipe/stats/) and each session's fdinfo
 * (/proc/PID/fdinfo/FD). Documentation/userspace-api/vdswipe.rst describes
 * all three.
 *
 * The engine calls the hooks where an op's state already changes: submit
 * (vdswipe_op_start()), start (the work function), end (vdswipe_op_end(),
 * the one place every op ends), a cancel's request and answer, a failed bio.
 * The counters are atomic64: exact, and cheap next to a bio.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>

#include "vdswipe.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* The counters; each is a file of the same name in sysfs. */
static struct {
	atomic64_t ops_submitted;
	atomic64_t ops_done;
	atomic64_t ops_failed;
	atomic64_t ops_cancelled;
	atomic64_t ops_queued;		/* a gauge: submitted, not started */
	atomic64_t ops_running;		/* a gauge: started, not ended */
	atomic64_t bytes_written;
} vdswipe_stats;

static ssize_t vdswipe_stat_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr,
						    struct dev_ext_attribute,
						    attr);

	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(ea->var));
}

/* The read-only attribute of the counter vdswipe_stats.@_name. */
#define VDSWIPE_STAT_ATTR(_name)					\
	(&((struct dev_ext_attribute) {					\
		.attr	= __ATTR(_name, 0444, vdswipe_stat_show, NULL),	\
		.var	= &vdswipe_stats._name,				\
	}).attr.attr)

static struct attribute *vdswipe_stats_attrs[] = {
	VDSWIPE_STAT_ATTR(ops_submitted),
	VDSWIPE_STAT_ATTR(ops_done),
	VDSWIPE_STAT_ATTR(ops_failed),
	VDSWIPE_STAT_ATTR(ops_cancelled),
	VDSWIPE_STAT_ATTR(ops_queued),
	VDSWIPE_STAT_ATTR(ops_running),
	VDSWIPE_STAT_ATTR(bytes_written),
	NULL,
};

static const struct attribute_group vdswipe_stats_group = {
	.name	= "stats",
	.attrs	= vdswipe_stats_attrs,
};

/* The misc device's groups: /sys/class/misc/vdswipe/stats/. */
const struct attribute_group *vdswipe_stats_groups[] = {
	&vdswipe_stats_group,
	NULL,
};

static atomic64_t vdswipe_last_session_id = ATOMIC64_INIT(0);

/* A new session's id: unique until the module is unloaded. */
u64 vdswipe_stats_session_id(void)
{
	return atomic64_inc_return(&vdswipe_last_session_id);
}

/* @op is about to be queued: its device is claimed, its id reserved. */
void vdswipe_stats_submit(struct vdswipe_op *op)
{
	op->obs.submit_ns = ktime_get_ns();
	op->obs.devt = op->claim.bdev->bd_dev;
	/* formatted once per claimed disk, not per op */
	memcpy(op->obs.disk, vdswipe_claim_disk(&op->claim),
	       sizeof(op->obs.disk));
	atomic64_inc(&vdswipe_stats.ops_submitted);
	atomic64_inc(&vdswipe_stats.ops_queued);
	trace_vdswipe_op_submit(op);
}

/* @op's work started and set it RUNNING. */
void vdswipe_stats_start(struct vdswipe_op *op)
{
	atomic64_dec(&vdswipe_stats.ops_queued);
	atomic64_inc(&vdswipe_stats.ops_running);
	trace_vdswipe_op_start(op);
}

/*
 * @op ends as @state with @result; not published yet, so that whoever sees
 * the end also sees it counted. Every bio of the op has completed.
 */
void vdswipe_stats_end(struct vdswipe_op *op, enum vdswipe_op_state state,
		       int result)
{
	u64 done = atomic64_read(&op->bytes_done);
	bool started;

	spin_lock(&op->lock);
	started = op->state != VDSWIPE_OP_QUEUED;
	spin_unlock(&op->lock);

	atomic64_dec(started ? &vdswipe_stats.ops_running :
			       &vdswipe_stats.ops_queued);
	if (state == VDSWIPE_OP_DONE)
		atomic64_inc(&vdswipe_stats.ops_done);
	else if (state == VDSWIPE_OP_FAILED)
		atomic64_inc(&vdswipe_stats.ops_failed);
	else
		atomic64_inc(&vdswipe_stats.ops_cancelled);
	/* the arguments (a clock read) are evaluated even when it is off */
	if (trace_vdswipe_op_end_enabled())
		trace_vdswipe_op_end(op, state, result, done,
				     ktime_get_ns() - op->obs.submit_ns);
}

static enum vdswipe_op_state vdswipe_stats_state(struct vdswipe_op *op)
{
	enum vdswipe_op_state state;

	spin_lock(&op->lock);
	state = op->state;
	spin_unlock(&op->lock);
	return state;
}

/* A cancel of @op was requested: @ret and @owner as the request decided. */
void vdswipe_stats_cancel(struct vdswipe_op *op, int ret, bool owner)
{
	if (trace_vdswipe_cancel_enabled())
		trace_vdswipe_cancel(op, vdswipe_stats_state(op), ret, owner);
}

/* What a cancel of @op answered: CANCEL's return, or CANCEL_ALL's wait. */
void vdswipe_stats_cancel_done(struct vdswipe_op *op, int ret)
{
	if (trace_vdswipe_cancel_done_enabled())
		trace_vdswipe_cancel_done(op, vdswipe_stats_state(op), ret);
}

/* A bio (or a discard) of @op failed at @pos; any context. */
void vdswipe_stats_io_error(struct vdswipe_op *op, u64 pos, int err)
{
	trace_vdswipe_io_error(op, pos, err);
}

/* @bytes were written to a device; any context. */
void vdswipe_stats_written(u64 bytes)
{
	atomic64_add(bytes, &vdswipe_stats.bytes_written);
}

/* The name of a VDSWIPE_STATE_*, as fdinfo shows it. */
static const char *vdswipe_state_name(u32 state)
{
	switch (state) {
	case VDSWIPE_STATE_QUEUED:
		return "queued";
	case VDSWIPE_STATE_RUNNING:
		return "running";
	case VDSWIPE_STATE_DONE:
		return "done";
	case VDSWIPE_STATE_FAILED:
		return "failed";
	case VDSWIPE_STATE_CANCELLED:
		return "cancelled";
	default:
		return "unknown";
	}
}

static const char *vdswipe_method_name(u32 method)
{
	switch (method) {
	case VDSWIPE_METHOD_ZERO:
		return "zero";
	case VDSWIPE_METHOD_PATTERN:
		return "pattern";
	case VDSWIPE_METHOD_DISCARD:
		return "discard";
	case VDSWIPE_METHOD_RANDOM:
		return "random";
	default:
		return "unknown";
	}
}

static const char *vdswipe_phase_name(u32 phase)
{
	switch (phase) {
	case VDSWIPE_PHASE_WRITE:
		return "write";
	case VDSWIPE_PHASE_VERIFY:
		return "verify";
	default:
		return "none";
	}
}

/* One "op:" line: a snapshot under op->lock, as VDSWIPE_IOC_PROGRESS takes. */
static void vdswipe_fdinfo_op(struct seq_file *m, struct vdswipe_op *op)
{
	enum vdswipe_op_state state;
	u32 method, pass, phase, percent;
	u64 done;
	int result;
	bool running;

	spin_lock(&op->lock);
	state = op->state;
	method = op->method;
	pass = op->pass;
	phase = op->phase;
	result = op->result;
	done = atomic64_read(&op->bytes_done);
	spin_unlock(&op->lock);

	running = state == VDSWIPE_OP_RUNNING ||
		  state == VDSWIPE_OP_FINISHING;
	if (state == VDSWIPE_OP_DONE)
		percent = 100;
	else if (!op->bytes_total)
		percent = 0;
	else
		percent = min_t(u64, mul_u64_u64_div_u64(done, 100,
							 op->bytes_total), 99);

	seq_printf(m, "op:\tid=%llu dev=%s devt=%u:%u method=%s state=%s pass=%u/%u phase=%s bytes_done=%llu bytes_total=%llu percent=%u result=%d chunk=%u inflight_max=%llu\n",
		   op->id, op->obs.disk, MAJOR(op->obs.devt),
		   MINOR(op->obs.devt), vdswipe_method_name(method),
		   vdswipe_state_name(vdswipe_state_uapi(state)), pass, op->nr_passes,
		   vdswipe_phase_name(running ? phase : VDSWIPE_PHASE_NONE),
		   done, op->bytes_total, percent, result,
		   vdswipe_io_chunk(op), op->inflight_max);
}

/*
 * /proc/PID/fdinfo/FD of a session: its id, privilege, how many ops it
 * holds, and an "op:" line for each installed op, by id. The file is
 * referenced while this runs, so the session cannot go away; each op is
 * printed under its own reference, without holding the xarray's lock.
 */
void vdswipe_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct vdswipe_session *sess = file->private_data;
	unsigned long idx = 0;
	struct vdswipe_op *op;
	unsigned int nr_ops;

	xa_lock(&sess->ops);
	nr_ops = sess->nr_ops;
	xa_unlock(&sess->ops);

	seq_printf(m, "vdswipe_session:\t%llu\n", sess->id);
	seq_printf(m, "admin:\t%d\n", sess->admin);
	seq_printf(m, "ops:\t%u\n", nr_ops);

	for (;;) {
		xa_lock(&sess->ops);
		op = xa_find(&sess->ops, &idx, ULONG_MAX, XA_PRESENT);
		if (op)
			kref_get(&op->ref);
		xa_unlock(&sess->ops);
		if (!op)
			break;
		vdswipe_fdinfo_op(m, op);
		vdswipe_op_put(op);
		if (idx == ULONG_MAX)
			break;
		idx++;
	}
}
