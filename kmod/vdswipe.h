/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdswipe internal structures.
 *
 * Lock order (outer first):
 *   session->cancel_all_lock -> session->ops xa_lock
 *   session->cancel_all_lock -> op->lock
 *   session->read_lock -> session->ev_lock -> op->lock
 *   op->io_lock is taken in bio completion (any context): irq-safe; only
 *   op->io_wq's own lock nests inside it.
 *   session->cancel_all_lock -> vdswipe_claims_lock (claim.c, ending a
 *   dequeued op gives its device back); a device is opened, claimed and
 *   closed under vdswipe_claims_lock, and nothing is taken inside it but
 *   the block layer's own locks.
 * No spinlock is held while claiming, reading or releasing a device. Only
 * cancel_all_lock is held across the (killable) wait for an op's end; the
 * work function never takes it. Nothing waits for a running work function
 * (no cancel_work_sync()/flush_work()) except module exit's
 * destroy_workqueue().
 */
#ifndef VDSWIPE_INTERNAL_H
#define VDSWIPE_INTERNAL_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <uapi/linux/vdswipe.h>

#include "compat.h"
#include "state.h"
#include "stats.h"

/* Module parameters (main.c), read-only after init. */
extern unsigned int vdswipe_max_ops;
extern unsigned int vdswipe_chunk_size;
extern unsigned int vdswipe_queue_depth;
extern unsigned int vdswipe_max_active;

extern struct workqueue_struct *vdswipe_wq;
extern struct workqueue_struct *vdswipe_chunk_wq;
extern struct kmem_cache *vdswipe_op_cache;

struct vdswipe_dev;
struct crypto_sync_skcipher;

/*
 * How long close() waits (killably) for the session's running ops to end
 * before it hands them to the module.
 */
#define VDSWIPE_CLOSE_WAIT_MS	5000

/**
 * struct vdswipe_session - one open file of /dev/vdswipe
 * @id:              unique module-wide (vdswipe_stats_session_id()); immutable
 * @ref:             the open file and every op hold one: an op's work may
 *                   still wake @ev_wq after the op was released and the
 *                   file closed
 * @ops:             op id -> struct vdswipe_op; the xarray owns one reference
 *                   on each op. Its xa_lock also protects @next_id and
 *                   @nr_ops.
 * @next_id:         last id handed out; ids are never reused
 * @nr_ops:          ops held, including ids reserved by a submit in progress
 * @ev_lock:         protects @events and every op's @ev_link
 * @events:          ended ops whose event record has not been read
 * @ev_wq:           read() and poll() sleep here
 * @read_lock:       serialises read() so that records are consumed in order
 *                   and only once they reached userspace
 * @cancel_all_lock: serialises VDSWIPE_IOC_CANCEL_ALL and release; protects
 *                   every op's @cancel_link and @cancel_all_owner
 * @admin:           the opener had CAP_SYS_ADMIN (file_ns_capable() on the
 *                   file's credentials, which never change); set at open,
 *                   immutable. CLEAN, CANCEL, CANCEL_ALL and RELEASE need it.
 */
struct vdswipe_session {
	u64 id;
	struct kref ref;
	bool admin;
	struct xarray ops;
	u64 next_id;
	unsigned int nr_ops;

	spinlock_t ev_lock;
	struct list_head events;
	wait_queue_head_t ev_wq;
	struct mutex read_lock;

	struct mutex cancel_all_lock;
};

/**
 * struct vdswipe_range - sectors [@start, @last] of a device, a node of its
 * interval tree (claim.c); u64 keys, right on 32-bit kernels too
 * @rb:             the tree node
 * @start:          first sector
 * @last:           last sector, inclusive
 * @__subtree_last: the tree's own bookkeeping
 */
struct vdswipe_range {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 __subtree_last;
};

/**
 * struct vdswipe_claim - the part of a claimed block device an op owns
 * @bdev:  the device; valid while @dev is set
 * @dev:   the shared exclusive claim of @bdev (claim.c), NULL when the op
 *         holds nothing; under vdswipe_claims_lock
 * @range: the sectors of @bdev the op owns; on @dev's interval tree, under
 *         vdswipe_claims_lock
 */
struct vdswipe_claim {
	struct block_device *bdev;
	struct vdswipe_dev *dev;
	struct vdswipe_range range;
};

/**
 * struct vdswipe_seg - a byte range of the device to clean
 * @start: first byte, aligned to the logical block size
 * @len:   bytes, non-zero, aligned
 */
struct vdswipe_seg {
	u64 start;
	u64 len;
};

/**
 * struct vdswipe_req - what an op is asked to do, from VDSWIPE_IOC_CLEAN (one
 * pass, no verification) or VDSWIPE_IOC_SANITIZE; its fields checked
 * @fd:         the block device's descriptor
 * @flags:      VDSWIPE_CLEAN_* and VDSWIPE_SANITIZE_VERIFY_ONLY
 * @offset:     with VDSWIPE_CLEAN_RANGE: first byte
 * @length:     with VDSWIPE_CLEAN_RANGE: bytes
 * @nr_passes:  1..VDSWIPE_MAX_PASSES
 * @passes:     the passes (with VERIFY_ONLY: what the region must hold)
 * @verify:     VDSWIPE_VERIFY_*
 * @sample_pct: with verification 1..100, else 0
 */
struct vdswipe_req {
	int fd;
	u32 flags;
	u64 offset;
	u64 length;
	u32 nr_passes;
	struct vdswipe_pass passes[VDSWIPE_MAX_PASSES];
	u32 verify;
	u32 sample_pct;
};

/**
 * struct vdswipe_buf - a chunk buffer: the keystream a RANDOM pass writes, or
 * what verification reads back. An op has queue_depth of them while it runs.
 * @link:    on the op's @buf_free list, under its io_lock; off it while busy
 *           (taken by the worker until given back by a bio completion or
 *           @work)
 * @work:    generates and writes the chunk, or compares it once read, on
 *           vdswipe_chunk_wq
 * @op:      the op; immutable
 * @pos:     device offset of the chunk; set by the worker while it is free
 * @len:     bytes of the chunk; likewise
 * @read:    the chunk is read back and compared; likewise
 * @nr_bios: bios of the chunk in flight, plus one while they are being
 *           submitted; under io_lock
 * @failed:  one of them failed; under io_lock
 * @scratch: a page for the regenerated keystream, used by @work
 * @pages:   chunk_size bytes of pages, never highmem
 */
struct vdswipe_buf {
	struct list_head link;
	struct work_struct work;
	struct vdswipe_op *op;
	u64 pos;
	u32 len;
	bool read;
	unsigned int nr_bios;
	bool failed;
	struct page *scratch;
	struct page *pages[];
};

/**
 * struct vdswipe_op_pass - what one pass of an op writes, as checked at
 * submit (a struct vdswipe_pass in a byte each: queued ops are many)
 * @method:  VDSWIPE_METHOD_*
 * @pattern: the byte of a PATTERN pass, else 0
 */
struct vdswipe_op_pass {
	u8 method;
	u8 pattern;
};

/**
 * struct vdswipe_run - what an op holds only while it runs: allocated by its
 * worker when it starts, freed (and wiped) before it ends. The worker and
 * the op's chunk works and bio completions use it; the worker frees it only
 * once they are all done (inflight and bufs_busy 0, under io_lock).
 * @chacha:           the ChaCha20 state of the current RANDOM pass, its key
 *                    drawn at the pass's start; read by the chunk works,
 *                    which run only within the pass
 * @tfm:              the crypto API's ChaCha20 keyed likewise, or NULL:
 *                    chacha_block_generic()
 * @use_write_zeroes: worker only: offload zeroing to the current pass
 * @nr_bufs:          chunk buffers in @bufs
 * @bufs:             the chunk buffers, for RANDOM passes and verification;
 *                    else NULL
 * @redo:             ranges of the WRITE ZEROES bios the device refused,
 *                    to be rewritten with the zero page; op->nr_redo of
 *                    them used, under op->io_lock. Allocated apart, and
 *                    only for an op that may use WRITE ZEROES; without it
 *                    the op writes zeroes itself
 * @redo_work:        worker only: where it copies @redo to resubmit
 * @max_redo:         room in @redo (0 without it): at most @max_redo WRITE
 *                    ZEROES bios are in flight (inflight_max / wz_unit, plus
 *                    the short last one of each segment), so it cannot
 *                    overflow
 */
struct vdswipe_run {
	u32 chacha[16];
	struct crypto_sync_skcipher *tfm;
	bool use_write_zeroes;
	unsigned int nr_bufs;
	struct vdswipe_buf **bufs;
	struct vdswipe_seg *redo;
	struct vdswipe_seg *redo_work;
	unsigned int max_redo;
};

/**
 * struct vdswipe_op - one clean. Queued ops are many (a session may hold
 * thousands): what only a running op needs is in @run, and the fields are
 * ordered to leave few holes.
 *
 * Immutable after submit: @id, @sess, @flags, @lbs, @nr_passes, @verify,
 * @sample_pct, @nr_segs, @passes, @segs, @region_bytes, @verify_bytes,
 * @bytes_total, @wz_unit, @write_unit, @inflight_max, @obs, @claim.bdev.
 * @claim is released once, by whoever ends the op, before the end is
 * published.
 *
 * @ref:              the xarray, every ioctl lookup, the queued work and a
 *                    cancel-all in progress each hold one
 * @lock:             protects @state, @cancel_requested, @result,
 *                    @error_offset, @handed_off, @method, @pass, @phase,
 *                    @mismatch_blocks and @first_mismatch;
 *                    @cancel_requested is also read without it by the
 *                    worker between chunks (READ_ONCE), and the worker,
 *                    their only writer, reads @method, @pass and the
 *                    mismatch fields without it
 * @sess:             holds a reference on the session until the op is freed
 * @wq:               waiters for the end (VDSWIPE_IOC_WAIT, cancel)
 * @method:           the current (or last) pass's VDSWIPE_METHOD_*
 * @pass:             the current pass, 1-based; 0 while queued
 * @phase:            VDSWIPE_PHASE_WRITE or _VERIFY while running
 * @handed_off:       the session was closed before the op ended: the op
 *                    holds a module reference, its end queues no event and
 *                    its work function drops that reference last. Set only
 *                    while the op has not ended, so that exactly one side
 *                    decides.
 * @cancel_all_owner: a cancel-all requested this op's cancel; under
 *                    @sess->cancel_all_lock
 * @cancel_all_drop:  that cancel-all takes this op off the queue; under
 *                    @sess->cancel_all_lock
 * @write_zeroes_ok:  the device takes WRITE ZEROES (until it refuses one);
 *                    set at submit, cleared by the worker only, read by
 *                    fdinfo with READ_ONCE
 * @mismatch_blocks:  logical blocks verification found wrong
 * @first_mismatch:   device offset of the lowest of them, or U64_MAX
 * @flags:            VDSWIPE_CLEAN_* and VDSWIPE_SANITIZE_VERIFY_ONLY
 * @lbs:              the device's logical block size
 * @nr_passes:        passes of the op, 1..VDSWIPE_MAX_PASSES
 * @verify:           VDSWIPE_VERIFY_* of the op
 * @sample_pct:       share of chunks verification reads, 0 without
 * @nr_segs:          segments in @segs, 1 or 2
 * @passes:           what each pass writes (VERIFY_ONLY: what to expect)
 * @segs:             the region: the whole range, or (a quick clean of a
 *                    larger one) its first and last VDSWIPE_QUICK_BYTES
 * @region_bytes:     bytes one pass writes (the sum of @segs)
 * @verify_bytes:     bytes one verification reads
 * @bytes_total:      all passes' writes plus all verifications' reads
 * @wz_unit:          bytes of one WRITE ZEROES bio: what the device takes
 *                    in one request, at most chunk_size
 * @write_unit:       bytes one zero or pattern write submits at a time (in
 *                    bios of BIO_MAX_VECS pages at most): one request of
 *                    the device, at most chunk_size
 * @inflight_max:     bytes in flight at most: the device's nr_requests of
 *                    its requests, at most queue_depth x chunk_size (what a
 *                    cancel may still see written after it was asked)
 * @obs:              what tracepoints and fdinfo show; set at submit
 * @bytes_done:       bytes written or verified successfully; only grows
 * @bytes_written:    bytes written successfully, all passes; only grows
 * @bytes_verified:   bytes read back and compared; only grows
 * @io_lock:          irq-safe; protects @inflight, @io_error,
 *                    @io_error_offset, @nr_redo (and @run->redo),
 *                    @buf_free and @bufs_busy
 * @io_error:         errno of the lowest failed write, 0 if none
 * @inflight:         bytes submitted and not yet completed
 * @io_wq:            the worker waits here for @inflight to drop
 * @io_error_offset:  device offset of that write
 * @nr_redo:          ranges in @run->redo
 * @bufs_busy:        chunk buffers taken by the worker and not given back
 *                    yet: the op waits for 0 as for @inflight
 * @buf_free:         chunk buffers ready for the worker
 * @pattern_page:     a page of the current PATTERN pass's byte, allocated
 *                    at submit when a pass needs it
 * @run:              what the op holds while it runs, NULL before and
 *                    after; set and cleared by the worker only, used by
 *                    the op's bio completions and chunk works meanwhile
 * @work:             runs the op, queued once at submit
 * @ev_link:          on @sess->events while the end record is unread;
 *                    under @sess->ev_lock
 * @cancel_link:      on a cancel-all's private list; under
 *                    @sess->cancel_all_lock
 */
struct vdswipe_op {
	struct kref ref;
	spinlock_t lock;
	u64 id;
	struct vdswipe_session *sess;
	enum vdswipe_op_state state;
	int result;
	u64 error_offset;
	wait_queue_head_t wq;
	u8 method;
	u8 pass;
	u8 phase;
	bool cancel_requested;
	bool handed_off;
	bool cancel_all_owner;
	bool cancel_all_drop;
	bool write_zeroes_ok;
	u64 mismatch_blocks;
	u64 first_mismatch;

	u32 flags;
	u32 lbs;
	u8 nr_passes;
	u8 verify;
	u8 sample_pct;
	u8 nr_segs;
	struct vdswipe_op_pass passes[VDSWIPE_MAX_PASSES];
	struct vdswipe_seg segs[2];
	u64 region_bytes;
	u64 verify_bytes;
	u64 bytes_total;
	u32 wz_unit;
	u32 write_unit;
	u64 inflight_max;
	struct vdswipe_op_obs obs;
	atomic64_t bytes_done;
	atomic64_t bytes_written;
	atomic64_t bytes_verified;
	struct vdswipe_claim claim;

	spinlock_t io_lock;
	int io_error;
	u64 inflight;
	wait_queue_head_t io_wq;
	u64 io_error_offset;
	unsigned int nr_redo;
	unsigned int bufs_busy;
	struct list_head buf_free;
	struct page *pattern_page;
	struct vdswipe_run *run;

	struct work_struct work;
	struct list_head ev_link;
	struct list_head cancel_link;
};

/* session.c */
void vdswipe_session_put(struct vdswipe_session *sess);
int vdswipe_session_reserve_id(struct vdswipe_session *sess, u64 *id);
void vdswipe_session_unreserve_id(struct vdswipe_session *sess, u64 id);
void vdswipe_session_install(struct vdswipe_session *sess,
			     struct vdswipe_op *op);
int vdswipe_session_remove(struct vdswipe_session *sess,
			   struct vdswipe_op *op);
bool vdswipe_session_publish_end(struct vdswipe_op *op,
				 enum vdswipe_op_state state, int result,
				 u64 error_offset);
long vdswipe_ioctl_cancel_all(struct vdswipe_session *sess,
			      void __user *argp);
int vdswipe_open(struct inode *inode, struct file *file);
int vdswipe_release(struct inode *inode, struct file *file);
ssize_t vdswipe_read(struct file *file, char __user *buf, size_t count,
		     loff_t *ppos);
__poll_t vdswipe_poll(struct file *file, poll_table *wait);

/* op.c */
struct vdswipe_op *vdswipe_op_get(struct vdswipe_session *sess, u64 id);
void vdswipe_op_put(struct vdswipe_op *op);
bool vdswipe_op_ended(struct vdswipe_op *op);
bool vdswipe_op_end(struct vdswipe_op *op, enum vdswipe_op_state state,
		    int result, u64 error_offset);
int vdswipe_op_cancel_request(struct vdswipe_op *op, bool *owner);
int vdswipe_op_cancel_finish(struct vdswipe_op *op, bool owner);
void vdswipe_op_end_dequeued(struct vdswipe_op *op);
u64 vdswipe_op_verify_total(const struct vdswipe_op *op);
void vdswipe_op_verify_plan(const struct vdswipe_op *op, u64 *cands,
			    u64 *pick);
long vdswipe_ioctl_clean(struct vdswipe_session *sess, void __user *argp);
long vdswipe_ioctl_sanitize(struct vdswipe_session *sess, void __user *argp);
long vdswipe_ioctl_query(struct vdswipe_session *sess, void __user *argp);
long vdswipe_ioctl_progress(struct vdswipe_session *sess, void __user *argp);
long vdswipe_ioctl_wait(struct vdswipe_session *sess, void __user *argp);
long vdswipe_ioctl_cancel(struct vdswipe_session *sess, void __user *argp);
long vdswipe_ioctl_release(struct vdswipe_session *sess, void __user *argp);

/* io.c */
void vdswipe_io_size(struct vdswipe_op *op, bool zeroes);
u32 vdswipe_io_chunk(struct vdswipe_op *op);
int vdswipe_io_init(void);
void vdswipe_io_exit(void);
void vdswipe_work_fn(struct work_struct *work);

/* claim.c */
int vdswipe_claim_acquire(struct vdswipe_claim *claim,
			  const struct vdswipe_req *req, u64 *dev_bytes);
void vdswipe_claim_release(struct vdswipe_claim *claim);
const char *vdswipe_claim_disk(const struct vdswipe_claim *claim);
bool vdswipe_claim_dead(struct vdswipe_claim *claim);

#endif /* VDSWIPE_INTERNAL_H */
