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

/*
 * Every event starts with the op: its session id, op id and device, filled
 * from @op and printed first; these wrap TP_STRUCT__entry(), the start of
 * TP_fast_assign() and TP_printk() for that. (After those fields no two
 * events have the same ones, so there is no event class to share.)
 */
#define VDSWIPE_OP_STRUCT__entry(fields...)				\
	TP_STRUCT__entry(__field(u64, session)				\
			 __field(u64, op)				\
			 __field(dev_t, dev)				\
			 fields)

#define VDSWIPE_OP_ASSIGN(op)						\
	do {								\
		__entry->session = (op)->sess->id;			\
		__entry->op = (op)->id;					\
		__entry->dev = (op)->obs.devt;				\
	} while (0)

#define VDSWIPE_OP_printk(fmt, args...)					\
	TP_printk("session=%llu op=%llu dev=%d:%d " fmt,		\
		  __entry->session, __entry->op,			\
		  MAJOR(__entry->dev), MINOR(__entry->dev), args)

TRACE_EVENT(vdswipe_op_submit,
	TP_PROTO(const struct vdswipe_op *op),
	TP_ARGS(op),
	VDSWIPE_OP_STRUCT__entry(
		__array(char, disk, BDEVNAME_SIZE)
		__field(u32, method)
		__field(u32, flags)
		__field(u32, nr_passes)
		__field(u32, verify)
		__field(u64, bytes_total)
	),
	TP_fast_assign(
		VDSWIPE_OP_ASSIGN(op);
		memcpy(__entry->disk, op->obs.disk, BDEVNAME_SIZE);
		__entry->method = op->passes[0].method;
		__entry->flags = op->flags;
		__entry->nr_passes = op->nr_passes;
		__entry->verify = op->verify;
		__entry->bytes_total = op->bytes_total;
	),
	VDSWIPE_OP_printk("disk=%s method=%s flags=%s passes=%u verify=%u bytes_total=%llu",
			  __entry->disk, show_vdswipe_method(__entry->method),
			  show_vdswipe_flags(__entry->flags), __entry->nr_passes,
			  __entry->verify, __entry->bytes_total)
);

TRACE_EVENT(vdswipe_op_start,
	TP_PROTO(const struct vdswipe_op *op),
	TP_ARGS(op),
	VDSWIPE_OP_STRUCT__entry(
		__field(u64, queued_ns)
	),
	TP_fast_assign(
		VDSWIPE_OP_ASSIGN(op);
		__entry->queued_ns = ktime_get_ns() - op->obs.submit_ns;
	),
	VDSWIPE_OP_printk("queued_ns=%llu", __entry->queued_ns)
);

TRACE_EVENT(vdswipe_cancel,
	TP_PROTO(const struct vdswipe_op *op, enum vdswipe_op_state state,
		 int ret, bool owner),
	TP_ARGS(op, state, ret, owner),
	VDSWIPE_OP_STRUCT__entry(
		__field(u32, state)
		__field(int, ret)
		__field(bool, owner)
	),
	TP_fast_assign(
		VDSWIPE_OP_ASSIGN(op);
		__entry->state = state;
		__entry->ret = ret;
		__entry->owner = owner;
	),
	VDSWIPE_OP_printk("state=%s ret=%d owner=%d",
			  show_vdswipe_state(__entry->state), __entry->ret,
			  __entry->owner)
);

TRACE_EVENT(vdswipe_cancel_done,
	TP_PROTO(const struct vdswipe_op *op, enum vdswipe_op_state state,
		 int ret),
	TP_ARGS(op, state, ret),
	VDSWIPE_OP_STRUCT__entry(
		__field(u32, state)
		__field(int, ret)
	),
	TP_fast_assign(
		VDSWIPE_OP_ASSIGN(op);
		__entry->state = state;
		__entry->ret = ret;
	),
	VDSWIPE_OP_printk("state=%s ret=%d",
			  show_vdswipe_state(__entry->state), __entry->ret)
);

TRACE_EVENT(vdswipe_io_error,
	TP_PROTO(const struct vdswipe_op *op, u64 offset, int err),
	TP_ARGS(op, offset, err),
	VDSWIPE_OP_STRUCT__entry(
		__field(u64, offset)
		__field(int, err)
	),
	TP_fast_assign(
		VDSWIPE_OP_ASSIGN(op);
		__entry->offset = offset;
		__entry->err = err;
	),
	VDSWIPE_OP_printk("offset=%llu err=%d", __entry->offset,
			  __entry->err)
);

TRACE_EVENT(vdswipe_op_end,
	TP_PROTO(const struct vdswipe_op *op, enum vdswipe_op_state state,
		 int result, u64 bytes_done, u64 duration_ns),
	TP_ARGS(op, state, result, bytes_done, duration_ns),
	VDSWIPE_OP_STRUCT__entry(
		__field(u32, state)
		__field(int, result)
		__field(u64, bytes_done)
		__field(u64, bytes_total)
		__field(u64, duration_ns)
	),
	TP_fast_assign(
		VDSWIPE_OP_ASSIGN(op);
		__entry->state = state;
		__entry->result = result;
		__entry->bytes_done = bytes_done;
		__entry->bytes_total = op->bytes_total;
		__entry->duration_ns = duration_ns;
	),
	VDSWIPE_OP_printk("state=%s result=%d bytes_done=%llu bytes_total=%llu duration_ns=%llu",
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
