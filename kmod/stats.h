/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdswipe observability (stats.c): the tracepoints (trace.h), the
 * module-wide counters in sysfs (/sys/class/misc/vdswipe/stats/) and each
 * session's fdinfo. The engine calls the hooks below where it already
 * changes an op's state; nothing here takes a lock the engine holds.
 */
#ifndef VDSWIPE_STATS_H
#define VDSWIPE_STATS_H

#include <linux/blkdev.h>
#include <linux/types.h>

#include "state.h"

struct attribute_group;
struct file;
struct seq_file;
struct vdswipe_op;

/**
 * struct vdswipe_op_obs - what the tracepoints and fdinfo say of an op,
 * set once at submit (vdswipe_stats_submit()), immutable after
 * @submit_ns: CLOCK_MONOTONIC at submit, for the duration at the end
 * @devt:      the device's dev_t
 * @disk:      its name (%pg: "sda1", "dm-0"), kept because the device may
 *             be gone once the op ended
 */
struct vdswipe_op_obs {
	u64 submit_ns;
	dev_t devt;
	char disk[BDEVNAME_SIZE];
};

extern const struct attribute_group *vdswipe_stats_groups[];

u64 vdswipe_stats_session_id(void);
void vdswipe_stats_submit(struct vdswipe_op *op);
void vdswipe_stats_start(struct vdswipe_op *op);
void vdswipe_stats_end(struct vdswipe_op *op, enum vdswipe_op_state state,
		       int result);
void vdswipe_stats_cancel(struct vdswipe_op *op, int ret, bool owner);
void vdswipe_stats_cancel_done(struct vdswipe_op *op, int ret);
void vdswipe_stats_io_error(struct vdswipe_op *op, u64 pos, int err);
void vdswipe_stats_written(u64 bytes);
void vdswipe_show_fdinfo(struct seq_file *m, struct file *file);

#endif /* VDSWIPE_STATS_H */
