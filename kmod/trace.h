/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdswipe tracepoints: events/vdswipe/ in tracefs. Every event names the
 * op by session id and op id (ids are never reused: a session id is unique
 * until the module is reloaded, an op id within its session).
 * Documentation/userspace-api/vdswipe.rst describes each field.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vdswipe

#if !defined(_TRACE_VDSWIPE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_VDSWIPE_H

#include <linux/kdev_t.h>
#include <linux/tracepoint.h>

#include "vdswipe.h"

/* print_fmt names the enum's values: the format files show their numbers */
TRACE_DEFINE_ENUM(VDSWIPE_OP_QUEUED);
TRACE_DEFINE_ENUM(VDSWIPE_OP_RUNNING);
TRACE_DEFINE_ENUM(VDSWIPE_OP_DONE);
TRACE_DEFINE_ENUM(VDSWIPE_OP_FAILED);
TRACE_DEFINE_ENUM(VDSWIPE_OP_CANCELLED);
TRACE_DEFINE_ENUM(VDSWIPE_OP_FINISHING);

#define show_vdswipe_state(state)					\
	__print_symbolic(state,						\
			 { VDSWIPE_OP_QUEUED,		"queued" },	\
			 { VDSWIPE_OP_RUNNING,		"running" },	\
			 { VDSWIPE_OP_DONE,		"done" },	\
			 { VDSWIPE_OP_FAILED,		"failed" },	\
			 { VDSWIPE_OP_CANCELLED,	"cancelled" },	\
			 { VDSWIPE_OP_FINISHING,	"finishing" })

#define show_vdswipe_method(method)					\
	__print_symbolic(method,					\
			 { VDSWIPE_METHOD_ZERO,		"zero" },	\
			 { VDSWIPE_METHOD_PATTERN,	"pattern" },	\
			 { VDSWIPE_METHOD_DISCARD,	"discard" },	\
			 { VDSWIPE_METHOD_RANDOM,	"random" })

#define show_vdswipe_flags(flags)					\
	__print_flags(flags, "|",					\
		      { VDSWIPE_CLEAN_FULL,		"full" },	\
		      { VDSWIPE_CLEAN_FORCE,		"force" },	\
		      { VDSWIPE_CLEAN_RANGE,		"range" },	\
		      { VDSWIPE_CLEAN_SECURE,		"secure" },	\
		      { VDSWIPE_SANITIZE_VERIFY_ONLY,	"verify_only" })

TRACE_EVENT(vdswipe_op_submit,
	TP_PROTO(const struct vdswipe_op *op),
	TP_ARGS(op),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u64, op)
		__field(dev_t, dev)
		__array(char, disk, BDEVNAME_SIZE)
		__field(u32, method)
		__field(u32, flags)
		__field(u32, nr_passes)
		__field(u32, verify)
		__field(u64, bytes_total)
	),
	TP_fast_assign(
		__entry->session = op->sess->id;
		__entry->op = op->id;
		__entry->dev = op->obs.devt;
		memcpy(__entry->disk, op->obs.disk, BDEVNAME_SIZE);
		__entry->method = op->passes[0].method;
		__entry->flags = op->flags;
		__entry->nr_passes = op->nr_passes;
		__entry->verify = op->verify;
		__entry->bytes_total = op->bytes_total;
	),
	TP_printk("session=%llu op=%llu dev=%d:%d disk=%s method=%s flags=%s passes=%u verify=%u bytes_total=%llu",
		  __entry->session, __entry->op,
		  MAJOR(__entry->dev), MINOR(__entry->dev), __entry->disk,
		  show_vdswipe_method(__entry->method),
		  show_vdswipe_flags(__entry->flags), __entry->nr_passes,
		  __entry->verify, __entry->bytes_total)
);

TRACE_EVENT(vdswipe_op_start,
	TP_PROTO(const struct vdswipe_op *op),
	TP_ARGS(op),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u64, op)
		__field(dev_t, dev)
		__field(u64, queued_ns)
	),
	TP_fast_assign(
		__entry->session = op->sess->id;
		__entry->op = op->id;
		__entry->dev = op->obs.devt;
		__entry->queued_ns = ktime_get_ns() - op->obs.submit_ns;
	),
	TP_printk("session=%llu op=%llu dev=%d:%d queued_ns=%llu",
		  __entry->session, __entry->op,
		  MAJOR(__entry->dev), MINOR(__entry->dev), __entry->queued_ns)
);

TRACE_EVENT(vdswipe_cancel,
	TP_PROTO(const struct vdswipe_op *op, enum vdswipe_op_state state,
		 int ret, bool owner),
	TP_ARGS(op, state, ret, owner),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u64, op)
		__field(dev_t, dev)
		__field(u32, state)
		__field(int, ret)
		__field(bool, owner)
	),
	TP_fast_assign(
		__entry->session = op->sess->id;
		__entry->op = op->id;
		__entry->dev = op->obs.devt;
		__entry->state = state;
		__entry->ret = ret;
		__entry->owner = owner;
	),
	TP_printk("session=%llu op=%llu dev=%d:%d state=%s ret=%d owner=%d",
		  __entry->session, __entry->op,
		  MAJOR(__entry->dev), MINOR(__entry->dev),
		  show_vdswipe_state(__entry->state), __entry->ret,
		  __entry->owner)
);

TRACE_EVENT(vdswipe_cancel_done,
	TP_PROTO(const struct vdswipe_op *op, enum vdswipe_op_state state,
		 int ret),
	TP_ARGS(op, state, ret),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u64, op)
		__field(dev_t, dev)
		__field(u32, state)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->session = op->sess->id;
		__entry->op = op->id;
		__entry->dev = op->obs.devt;
		__entry->state = state;
		__entry->ret = ret;
	),
	TP_printk("session=%llu op=%llu dev=%d:%d state=%s ret=%d",
		  __entry->session, __entry->op,
		  MAJOR(__entry->dev), MINOR(__entry->dev),
		  show_vdswipe_state(__entry->state), __entry->ret)
);

TRACE_EVENT(vdswipe_io_error,
	TP_PROTO(const struct vdswipe_op *op, u64 offset, int err),
	TP_ARGS(op, offset, err),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u64, op)
		__field(dev_t, dev)
		__field(u64, offset)
		__field(int, err)
	),
	TP_fast_assign(
		__entry->session = op->sess->id;
		__entry->op = op->id;
		__entry->dev = op->obs.devt;
		__entry->offset = offset;
		__entry->err = err;
	),
	TP_printk("session=%llu op=%llu dev=%d:%d offset=%llu err=%d",
		  __entry->session, __entry->op,
		  MAJOR(__entry->dev), MINOR(__entry->dev), __entry->offset,
		  __entry->err)
);

TRACE_EVENT(vdswipe_op_end,
	TP_PROTO(const struct vdswipe_op *op, enum vdswipe_op_state state,
		 int result, u64 bytes_done, u64 duration_ns),
	TP_ARGS(op, state, result, bytes_done, duration_ns),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u64, op)
		__field(dev_t, dev)
		__field(u32, state)
		__field(int, result)
		__field(u64, bytes_done)
		__field(u64, bytes_total)
		__field(u64, duration_ns)
	),
	TP_fast_assign(
		__entry->session = op->sess->id;
		__entry->op = op->id;
		__entry->dev = op->obs.devt;
		__entry->state = state;
		__entry->result = result;
		__entry->bytes_done = bytes_done;
		__entry->bytes_total = op->bytes_total;
		__entry->duration_ns = duration_ns;
	),
	TP_printk("session=%llu op=%llu dev=%d:%d state=%s result=%d bytes_done=%llu bytes_total=%llu duration_ns=%llu",
		  __entry->session, __entry->op,
		  MAJOR(__entry->dev), MINOR(__entry->dev),
		  show_vdswipe_state(__entry->state), __entry->result,
		  __entry->bytes_done, __entry->bytes_total,
		  __entry->duration_ns)
);

#endif /* _TRACE_VDSWIPE_H */

/* An out-of-tree module: Kbuild puts $(src) on the include path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

/* This part must be outside protection */
#include <trace/define_trace.h>
