/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdswipe: an op's state inside the module, and the one mapping of it to
 * the ABI's VDSWIPE_STATE_*.
 */
#ifndef VDSWIPE_STATE_H
#define VDSWIPE_STATE_H

#include <linux/bug.h>
#include <linux/types.h>

#include <uapi/linux/vdswipe.h>

/**
 * enum vdswipe_op_state - where an op is in its state machine (op.c)
 * @VDSWIPE_OP_QUEUED:    submitted, its work not started
 * @VDSWIPE_OP_RUNNING:   its work writes or verifies
 * @VDSWIPE_OP_FINISHING: every byte is written (and read back): the op
 *                        flushes and can no longer be cancelled
 * @VDSWIPE_OP_DONE:      ended, result 0
 * @VDSWIPE_OP_FAILED:    ended, result -errno
 * @VDSWIPE_OP_CANCELLED: ended, result -ECANCELED
 *
 * The module's own, not the ABI's: userspace sees an op's state only as
 * vdswipe_state_uapi() maps it (FINISHING is reported as RUNNING). The
 * numbers are those the tracepoints' binary records have always carried
 * (trace.h prints them by name): the UAPI's for the states it shares,
 * 100 for FINISHING.
 */
enum vdswipe_op_state {
	VDSWIPE_OP_QUEUED	= 1,
	VDSWIPE_OP_RUNNING	= 2,
	VDSWIPE_OP_DONE		= 3,
	VDSWIPE_OP_FAILED	= 4,
	VDSWIPE_OP_CANCELLED	= 5,
	VDSWIPE_OP_FINISHING	= 100,
};

static inline bool vdswipe_state_ended(enum vdswipe_op_state state)
{
	return state == VDSWIPE_OP_DONE || state == VDSWIPE_OP_FAILED ||
	       state == VDSWIPE_OP_CANCELLED;
}

/*
 * The VDSWIPE_STATE_* that QUERY, PROGRESS, read()'s event records and
 * fdinfo report for @state: the one mapping to the ABI's states. (The
 * tracepoints show the module's own state by name, "finishing" included,
 * as vdswipe.rst documents.)
 */
static inline u32 vdswipe_state_uapi(enum vdswipe_op_state state)
{
	switch (state) {
	case VDSWIPE_OP_QUEUED:
		return VDSWIPE_STATE_QUEUED;
	case VDSWIPE_OP_RUNNING:
	case VDSWIPE_OP_FINISHING:
		return VDSWIPE_STATE_RUNNING;
	case VDSWIPE_OP_DONE:
		return VDSWIPE_STATE_DONE;
	case VDSWIPE_OP_FAILED:
		return VDSWIPE_STATE_FAILED;
	case VDSWIPE_OP_CANCELLED:
		return VDSWIPE_STATE_CANCELLED;
	}
	WARN_ON_ONCE(1);
	return VDSWIPE_STATE_FAILED;
}

#endif /* VDSWIPE_STATE_H */
