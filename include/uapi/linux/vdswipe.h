/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vdswipe: asynchronous cleaning (wiping) of block devices, with the cancel
 * semantics of the Windows Virtual Disk Service (IVdsAsync).
 *
 * Each open file of /dev/vdswipe is a session. Ops belong to their session;
 * op ids are unique within it and never reused. See
 * Documentation/userspace-api/vdswipe.rst for every ioctl, every field and
 * every error.
 *
 * Rules for every struct below: all reserved fields and every flag bit not
 * defined here must be zero on input (EINVAL otherwise). Fields marked "out"
 * are ignored on input and always fully written on success.
 */
#ifndef _UAPI_LINUX_VDSWIPE_H
#define _UAPI_LINUX_VDSWIPE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VDSWIPE_ABI_VERSION	1
#define VDSWIPE_IOC_MAGIC	0xBD

/* Features reported by VDSWIPE_IOC_VERSION. */
#define VDSWIPE_FEAT_CLEAN		(1ULL << 0)	/* zero-fill clean */
#define VDSWIPE_FEAT_PATTERN		(1ULL << 1)	/* VDSWIPE_METHOD_PATTERN */
#define VDSWIPE_FEAT_DISCARD		(1ULL << 2)	/* VDSWIPE_METHOD_DISCARD */
#define VDSWIPE_FEAT_RANGE		(1ULL << 3)	/* VDSWIPE_CLEAN_RANGE */
#define VDSWIPE_FEAT_WAIT		(1ULL << 4)	/* VDSWIPE_IOC_WAIT */
#define VDSWIPE_FEAT_CANCEL_ALL		(1ULL << 5)	/* VDSWIPE_IOC_CANCEL_ALL */
#define VDSWIPE_FEAT_EVENTS		(1ULL << 6)	/* poll() + read() events */
#define VDSWIPE_FEAT_RANDOM		(1ULL << 7)	/* VDSWIPE_METHOD_RANDOM */
#define VDSWIPE_FEAT_SANITIZE		(1ULL << 8)	/* VDSWIPE_IOC_SANITIZE, _PROGRESS */

/**
 * struct vdswipe_version - VDSWIPE_IOC_VERSION
 * @abi_version: out, VDSWIPE_ABI_VERSION of the loaded module
 * @max_ops:     out, ops a session may hold at once (module parameter)
 * @features:    out, VDSWIPE_FEAT_* bits
 * @chunk_size:  out, bytes written per chunk (module parameter)
 * @queue_depth: out, chunks in flight per op (module parameter)
 * @max_active:  out, ops run at once module-wide, 0 = workqueue default
 * @reserved:    out, zero
 */
struct vdswipe_version {
	__u32 abi_version;
	__u32 max_ops;
	__u64 features;
	__u32 chunk_size;
	__u32 queue_depth;
	__u32 max_active;
	__u32 reserved;
};

/* struct vdswipe_clean.flags */
#define VDSWIPE_CLEAN_FULL	(1U << 0) /* every sector, not only the first and last MiB */
#define VDSWIPE_CLEAN_FORCE	(1U << 1) /* even with partitions or a filesystem signature */
#define VDSWIPE_CLEAN_RANGE	(1U << 2) /* only [offset, offset + length) */
#define VDSWIPE_CLEAN_SECURE	(1U << 3) /* METHOD_DISCARD only: secure erase */
#define VDSWIPE_CLEAN_FLAGS_ALL	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | \
				 VDSWIPE_CLEAN_RANGE | VDSWIPE_CLEAN_SECURE)

/* struct vdswipe_clean.method */
#define VDSWIPE_METHOD_ZERO	0	/* zeros (WRITE ZEROES offload where the device has it) */
#define VDSWIPE_METHOD_PATTERN	1	/* the byte in .pattern, repeated */
#define VDSWIPE_METHOD_DISCARD	2	/* one discard command: cannot be cancelled */
#define VDSWIPE_METHOD_RANDOM	3	/* ChaCha20 keystream, keyed per op and pass */

/* The quick clean writes this much at each end of the device or range. */
#define VDSWIPE_QUICK_BYTES	(1ULL << 20)

/**
 * struct vdswipe_clean - VDSWIPE_IOC_CLEAN: submit a clean, returns at once
 * @fd:          in, block device opened for writing (not O_EXCL: the op
 *               claims the device itself, from submit to end)
 * @flags:       in, VDSWIPE_CLEAN_*
 * @method:      in, VDSWIPE_METHOD_* (RANDOM where VERSION reports
 *               VDSWIPE_FEAT_RANDOM)
 * @pattern:     in, METHOD_PATTERN: the byte in bits 0-7, other bits zero;
 *               other methods: zero
 * @offset:      in, with CLEAN_RANGE: first byte, aligned to the logical
 *               block size; without: zero
 * @length:      in, with CLEAN_RANGE: bytes, non-zero, aligned, inside the
 *               device; without: zero
 * @op_id:       out, the new op's id (never 0)
 * @bytes_total: out, bytes the op will write (or discard)
 * @reserved:    in, zero
 */
struct vdswipe_clean {
	__s32 fd;
	__u32 flags;
	__u32 method;
	__u32 pattern;
	__u64 offset;
	__u64 length;
	__u64 op_id;
	__u64 bytes_total;
	__u64 reserved[2];
};

/* Op states. Ended states never change again. */
#define VDSWIPE_STATE_QUEUED	1
#define VDSWIPE_STATE_RUNNING	2
#define VDSWIPE_STATE_DONE	3	/* result 0 */
#define VDSWIPE_STATE_FAILED	4	/* result -errno */
#define VDSWIPE_STATE_CANCELLED	5	/* result -ECANCELED */

/**
 * struct vdswipe_status - VDSWIPE_IOC_QUERY: never blocks
 * @op_id:        in
 * @flags:        in, zero
 * @state:        out, VDSWIPE_STATE_*
 * @result:       out, 0 until the op ends; then 0, -ECANCELED or -errno
 * @percent:      out, 0-99 while queued or running (monotonic), 100 when
 *                done; when failed or cancelled, the share of bytes written
 * @method:       out, the op's VDSWIPE_METHOD_*
 * @bytes_done:   out, bytes completed (monotonic)
 * @bytes_total:  out
 * @error_offset: out, device offset of the first failed write; valid when
 *                state is FAILED with an I/O error, else ~0ULL
 * @reserved:     in, zero; out, zero
 */
struct vdswipe_status {
	__u64 op_id;
	__u32 flags;
	__u32 state;
	__s32 result;
	__u32 percent;
	__u32 method;
	__u32 reserved;
	__u64 bytes_done;
	__u64 bytes_total;
	__u64 error_offset;
};

#define VDSWIPE_WAIT_INFINITE	(~0ULL)

/**
 * struct vdswipe_wait - VDSWIPE_IOC_WAIT: block until the op ends
 * @op_id:    in
 * @deadline: in, absolute CLOCK_MONOTONIC time in ns, or
 *            VDSWIPE_WAIT_INFINITE; a deadline in the past only checks
 * @flags:    in, zero
 * @reserved: in, zero
 *
 * Returns 0 once the op has ended (query it for the result), -ETIMEDOUT at
 * the deadline. Interruptible and restartable.
 */
struct vdswipe_wait {
	__u64 op_id;
	__u64 deadline;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct vdswipe_op_ref - VDSWIPE_IOC_CANCEL and VDSWIPE_IOC_RELEASE
 * @op_id:    in
 * @flags:    in, zero
 * @reserved: in, zero
 */
struct vdswipe_op_ref {
	__u64 op_id;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct vdswipe_cancel_all - VDSWIPE_IOC_CANCEL_ALL
 * @flags:     in, zero
 * @cancelled: out, ops this call cancelled (those for which CANCEL would
 *             have returned 0)
 */
struct vdswipe_cancel_all {
	__u32 flags;
	__u32 cancelled;
};

/**
 * struct vdswipe_event - one record returned by read() on a session
 * @op_id:      the op that ended
 * @result:     0, -ECANCELED or -errno
 * @state:      VDSWIPE_STATE_DONE, _FAILED or _CANCELLED
 * @bytes_done: bytes completed
 * @reserved:   zero
 *
 * One record is queued per op when it ends; poll() reports POLLIN while any
 * is queued. Releasing an op drops its unread record.
 */
struct vdswipe_event {
	__u64 op_id;
	__s32 result;
	__u32 state;
	__u64 bytes_done;
	__u64 reserved;
};

/* VDSWIPE_IOC_SANITIZE: passes, then verification by reading back. */
#define VDSWIPE_MAX_PASSES	8

/* struct vdswipe_sanitize.flags: VDSWIPE_CLEAN_FULL, _FORCE, _RANGE and */
#define VDSWIPE_SANITIZE_VERIFY_ONLY	(1U << 8) /* no pass: only verify passes[0] */
#define VDSWIPE_SANITIZE_FLAGS_ALL	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE | \
					 VDSWIPE_CLEAN_RANGE | \
					 VDSWIPE_SANITIZE_VERIFY_ONLY)

/* struct vdswipe_sanitize.verify */
#define VDSWIPE_VERIFY_OFF	0
#define VDSWIPE_VERIFY_LAST	1	/* read back after the last pass */
#define VDSWIPE_VERIFY_ALL	2	/* read back after every pass */

/**
 * struct vdswipe_pass - what one pass writes
 * @method:  VDSWIPE_METHOD_ZERO, _PATTERN or _RANDOM (not _DISCARD)
 * @pattern: METHOD_PATTERN: the byte in bits 0-7, other bits zero; other
 *           methods: zero
 */
struct vdswipe_pass {
	__u32 method;
	__u32 pattern;
};

/**
 * struct vdswipe_sanitize - VDSWIPE_IOC_SANITIZE: submit a multi-pass clean
 * with verification (or a verification alone), returns at once
 * @fd:           in, block device opened for writing (for reading is
 *                enough with VERIFY_ONLY)
 * @flags:        in, VDSWIPE_SANITIZE_FLAGS_ALL
 * @offset:       in, as struct vdswipe_clean
 * @length:       in, as struct vdswipe_clean
 * @nr_passes:    in, 1..VDSWIPE_MAX_PASSES; 1 with VERIFY_ONLY
 * @verify:       in, VDSWIPE_VERIFY_*; not OFF with VERIFY_ONLY
 * @sample_pct:   in, with verification: the share of chunks read back,
 *                1..100 (100: all; fewer: ceil(chunks * pct / 100) chunks,
 *                always including those that overlap the first and the
 *                last MiB, the others chosen at random); without: zero
 * @reserved0:    in, zero
 * @passes:       in, the passes in order; entries from @nr_passes on zero.
 *                With VERIFY_ONLY, passes[0] is what the region must hold
 *                (ZERO or PATTERN)
 * @op_id:        out, the new op's id (never 0)
 * @bytes_total:  out, bytes the op will write and read back, all passes
 *                and verification together (QUERY's bytes_total)
 * @region_bytes: out, bytes of the region one pass covers
 * @reserved:     in, zero
 *
 * Each pass covers the same region: the first and last MiB (quick) or
 * every sector (CLEAN_FULL) of the device or the range. A pass is flushed
 * before the next pass or the verification starts. A mismatch ends the op
 * FAILED with -EBADMSG (see struct vdswipe_progress).
 */
struct vdswipe_sanitize {
	__s32 fd;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u32 nr_passes;
	__u32 verify;
	__u32 sample_pct;
	__u32 reserved0;
	struct vdswipe_pass passes[VDSWIPE_MAX_PASSES];
	__u64 op_id;
	__u64 bytes_total;
	__u64 region_bytes;
	__u64 reserved[3];
};

/* struct vdswipe_progress.phase */
#define VDSWIPE_PHASE_NONE	0	/* queued, or ended */
#define VDSWIPE_PHASE_WRITE	1	/* writing pass @pass */
#define VDSWIPE_PHASE_VERIFY	2	/* reading back what pass @pass wrote */

/**
 * struct vdswipe_progress - VDSWIPE_IOC_PROGRESS: QUERY with the detail of
 * passes and verification; never blocks. Any op, also one of CLEAN (one
 * pass, no verification).
 * @op_id:             in
 * @flags:             in, zero
 * @state:             out, as struct vdswipe_status
 * @result:            out, as struct vdswipe_status; -EBADMSG: mismatch
 * @percent:           out, of all passes and verification (monotonic)
 * @method:            out, the method of the current (or last) pass
 * @nr_passes:         out
 * @pass:              out, the current pass, 1-based (0 while queued)
 * @phase:             out, VDSWIPE_PHASE_*
 * @verify:            out, VDSWIPE_VERIFY_* of the op
 * @sample_pct:        out, as submitted (0 without verification)
 * @block_size:        out, the device's logical block size: the unit of
 *                     the mismatch count
 * @reserved0:         in, zero; out, zero
 * @bytes_done:        out, as QUERY (writes and reads, monotonic)
 * @bytes_total:       out, as QUERY
 * @bytes_written:     out, bytes written, all passes
 * @bytes_verified:    out, bytes read back and compared
 * @verify_total:      out, bytes the verification will read, all passes
 * @mismatch_blocks:   out, logical blocks that did not hold what was written
 * @first_mismatch:    out, device offset of the first of them, or ~0ULL
 * @error_offset:      out, device offset of the first failed write or
 *                     read, or ~0ULL
 * @reserved:          in, zero; out, zero
 */
struct vdswipe_progress {
	__u64 op_id;
	__u32 flags;
	__u32 state;
	__s32 result;
	__u32 percent;
	__u32 method;
	__u32 nr_passes;
	__u32 pass;
	__u32 phase;
	__u32 verify;
	__u32 sample_pct;
	__u32 block_size;
	__u32 reserved0;
	__u64 bytes_done;
	__u64 bytes_total;
	__u64 bytes_written;
	__u64 bytes_verified;
	__u64 verify_total;
	__u64 mismatch_blocks;
	__u64 first_mismatch;
	__u64 error_offset;
	__u64 reserved[4];
};

#define VDSWIPE_IOC_VERSION	_IOR(VDSWIPE_IOC_MAGIC, 0x00, struct vdswipe_version)
#define VDSWIPE_IOC_CLEAN	_IOWR(VDSWIPE_IOC_MAGIC, 0x01, struct vdswipe_clean)
#define VDSWIPE_IOC_QUERY	_IOWR(VDSWIPE_IOC_MAGIC, 0x02, struct vdswipe_status)
#define VDSWIPE_IOC_WAIT	_IOW(VDSWIPE_IOC_MAGIC, 0x03, struct vdswipe_wait)
#define VDSWIPE_IOC_CANCEL	_IOW(VDSWIPE_IOC_MAGIC, 0x04, struct vdswipe_op_ref)
#define VDSWIPE_IOC_CANCEL_ALL	_IOWR(VDSWIPE_IOC_MAGIC, 0x05, struct vdswipe_cancel_all)
#define VDSWIPE_IOC_RELEASE	_IOW(VDSWIPE_IOC_MAGIC, 0x06, struct vdswipe_op_ref)
#define VDSWIPE_IOC_SANITIZE	_IOWR(VDSWIPE_IOC_MAGIC, 0x07, struct vdswipe_sanitize)
#define VDSWIPE_IOC_PROGRESS	_IOWR(VDSWIPE_IOC_MAGIC, 0x08, struct vdswipe_progress)

#endif /* _UAPI_LINUX_VDSWIPE_H */
