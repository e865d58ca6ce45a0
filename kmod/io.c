// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe I/O: the work function that runs an op.
 *
 * Writes go out in chunks of chunk_size bytes, at most queue_depth chunks in
 * flight; cancel is honoured between chunks, after which the bios in flight
 * are drained. Zeroes use WRITE ZEROES where the device offers it (falling
 * back to writing the zero page if it refuses), else the zero page, added
 * to each bio over and over; a pattern uses one page filled with the byte.
 * DISCARD is one blkdev_issue_discard() (or secure erase) per segment and
 * cannot be stopped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "vdswipe.h"

/**
 * struct vdswipe_bio - a bio of an op
 * @op:        the op; alive until its worker saw inflight drop to 0
 * @pos:       device offset of the bio's first byte
 * @len:       bytes the bio covers
 * @bio:       the bio, last: vdswipe_bio_set's front pad ends here
 */
struct vdswipe_bio {
	struct vdswipe_op *op;
	u64 pos;
	u32 len;
	struct bio bio;
};

static struct bio_set vdswipe_bio_set;

/*
 * wait_event_lock_irq() in TASK_IDLE: the worker may wait as long as a
 * stuck device takes, which must not trip the hung-task detector (nor count
 * towards the load average). Nothing signals a kworker.
 */
#define vdswipe_wait_idle_lock_irq(wq_head, condition, lock)		\
do {									\
	if (condition)							\
		break;							\
	(void)___wait_event(wq_head, condition, TASK_IDLE, 0, 0,	\
			    spin_unlock_irq(&(lock));			\
			    schedule();					\
			    spin_lock_irq(&(lock)));			\
} while (0)

int vdswipe_io_init(void)
{
	return bioset_init(&vdswipe_bio_set, BIO_POOL_SIZE,
			   offsetof(struct vdswipe_bio, bio), BIOSET_NEED_BVECS);
}

void vdswipe_io_exit(void)
{
	bioset_exit(&vdswipe_bio_set);
}

/* Records a failed write: the op keeps the lowest failing offset's errno. */
static void vdswipe_io_error(struct vdswipe_op *op, u64 pos, int err)
{
	lockdep_assert_held(&op->io_lock);

	if (!op->io_error || pos < op->io_error_offset) {
		op->io_error = err;
		op->io_error_offset = pos;
	}
}

/*
 * Bio completion, in any context. Everything about the bio is done before
 * inflight drops under io_lock: once the worker sees inflight reach 0 (under
 * the same lock) it may release the device and free the op.
 */
static void vdswipe_end_io(struct bio *bio)
{
	struct vdswipe_bio *vb = container_of(bio, struct vdswipe_bio, bio);
	struct vdswipe_op *op = vb->op;
	blk_status_t status = bio->bi_status;
	/*
	 * A refused WRITE ZEROES is rewritten with the zero page: refused
	 * outright (NOTSUPP), or failed in any way once the device dropped
	 * the capability (sd does after a rejected WRITE SAME, and the bio
	 * then fails with BLK_STS_TARGET or IOERR), as the block layer's own
	 * blkdev_issue_write_zeroes() decides.
	 */
	bool redo = status && bio_op(bio) == REQ_OP_WRITE_ZEROES &&
		    (status == BLK_STS_NOTSUPP ||
		     !bdev_write_zeroes_sectors(bio->bi_bdev));
	u64 pos = vb->pos;
	u32 len = vb->len;
	unsigned long flags;

	if (!status)
		atomic64_add(len, &op->bytes_done);
	/* Never held: the worker allocates from the same bio_set. */
	bio_put(bio);

	spin_lock_irqsave(&op->io_lock, flags);
	if (redo && op->nr_redo < op->max_redo)
		op->redo[op->nr_redo++] = (struct vdswipe_seg){ pos, len };
	else if (status)
		vdswipe_io_error(op, pos, redo ? -EIO : blk_status_to_errno(status));
	op->inflight -= len;
	wake_up(&op->io_wq);
	spin_unlock_irqrestore(&op->io_lock, flags);
}

static struct bio *vdswipe_bio_alloc(struct vdswipe_op *op, u64 pos, u32 len,
				     unsigned short nr_vecs, blk_opf_t opf)
{
	struct vdswipe_bio *vb;
	struct bio *bio;

	/* May sleep; with GFP_KERNEL the bio_set's mempool cannot fail. */
	bio = bio_alloc_bioset(op->claim.bdev, nr_vecs, opf, GFP_KERNEL,
			       &vdswipe_bio_set);
	bio->bi_iter.bi_sector = pos >> SECTOR_SHIFT;
	bio->bi_end_io = vdswipe_end_io;
	vb = container_of(bio, struct vdswipe_bio, bio);
	vb->op = op;
	vb->pos = pos;
	vb->len = len;
	return bio;
}

/* Submits [pos, pos + len), already counted in op->inflight. */
static void vdswipe_submit_chunk(struct vdswipe_op *op, u64 pos, u32 len)
{
	struct page *page = op->pattern_page ?: ZERO_PAGE(0);
	struct blk_plug plug;
	struct bio *bio;

	if (op->use_write_zeroes) {
		/* The block layer splits it to the device's limit. */
		bio = vdswipe_bio_alloc(op, pos, len, 0,
					REQ_OP_WRITE_ZEROES | REQ_NOUNMAP);
		bio->bi_iter.bi_size = len;
		submit_bio(bio);
		return;
	}

	blk_start_plug(&plug);
	while (len) {
		unsigned short nr = min_t(u32, BIO_MAX_VECS,
					  DIV_ROUND_UP(len, PAGE_SIZE));
		u32 bytes = min_t(u32, len, nr * PAGE_SIZE);
		u32 done;

		bio = vdswipe_bio_alloc(op, pos, bytes, nr, REQ_OP_WRITE);
		for (done = 0; done < bytes; done += PAGE_SIZE)
			__bio_add_page(bio, page,
				       min_t(u32, bytes - done, PAGE_SIZE), 0);
		submit_bio(bio);
		pos += bytes;
		len -= bytes;
	}
	blk_finish_plug(&plug);
}

/*
 * Waits for room for @len more bytes in flight and counts them. Returns false
 * if the op must stop submitting: cancel requested, a write failed, or the
 * device is gone.
 */
static bool vdswipe_io_reserve(struct vdswipe_op *op, u32 len)
{
	u64 limit = (u64)vdswipe_queue_depth * vdswipe_chunk_size;
	bool go;

	spin_lock_irq(&op->io_lock);
	vdswipe_wait_idle_lock_irq(op->io_wq,
				   op->inflight + len <= limit || op->io_error,
				   op->io_lock);
	go = !op->io_error && !READ_ONCE(op->cancel_requested) &&
	     !vdswipe_claim_dead(&op->claim);
	if (go)
		op->inflight += len;
	spin_unlock_irq(&op->io_lock);
	return go;
}

/* Takes the ranges whose WRITE ZEROES was refused; returns how many. */
static unsigned int vdswipe_io_take_redo(struct vdswipe_op *op,
					 struct vdswipe_seg *segs)
{
	unsigned int n;

	spin_lock_irq(&op->io_lock);
	n = op->nr_redo;
	memcpy(segs, op->redo, n * sizeof(*segs));
	op->nr_redo = 0;
	spin_unlock_irq(&op->io_lock);
	return n;
}

/*
 * Rewrites, with the zero page, the ranges whose WRITE ZEROES the device
 * refused, and stops using WRITE ZEROES. Returns false if the op must stop.
 */
static bool vdswipe_io_redo(struct vdswipe_op *op)
{
	struct vdswipe_seg *segs = op->redo_work;
	unsigned int i, n;

	if (!op->max_redo)
		return true;
	n = vdswipe_io_take_redo(op, segs);
	if (!n)
		return true;

	if (op->use_write_zeroes) {
		pr_info_ratelimited("%pg: WRITE ZEROES refused, writing zeroes instead\n",
				    op->claim.bdev);
		op->use_write_zeroes = false;
	}
	for (i = 0; i < n; i++) {
		if (!vdswipe_io_reserve(op, segs[i].len))
			return false;
		vdswipe_submit_chunk(op, segs[i].start, segs[i].len);
	}
	return true;
}

/* Waits until no bio of the op is in flight; returns the first I/O error. */
static int vdswipe_io_drain(struct vdswipe_op *op)
{
	int err;

	spin_lock_irq(&op->io_lock);
	vdswipe_wait_idle_lock_irq(op->io_wq, !op->inflight, op->io_lock);
	err = op->io_error;
	spin_unlock_irq(&op->io_lock);
	return err;
}

/*
 * Writes every segment. Returns 0 when all is written or the op stopped for a
 * cancel, else the errno of the lowest failed write. Every bio has completed
 * when it returns.
 */
static int vdswipe_io_write(struct vdswipe_op *op)
{
	unsigned int i;
	int err;

	for (i = 0; i < op->nr_segs; i++) {
		u64 pos = op->segs[i].start;
		u64 end = pos + op->segs[i].len;

		while (pos < end) {
			u32 len = min_t(u64, end - pos, vdswipe_chunk_size);

			if (!vdswipe_io_redo(op) || !vdswipe_io_reserve(op, len))
				goto drain;
			vdswipe_submit_chunk(op, pos, len);
			pos += len;
		}
	}
drain:
	for (;;) {
		err = vdswipe_io_drain(op);
		/* Late refusals of WRITE ZEROES: rewrite them, or drop them. */
		spin_lock_irq(&op->io_lock);
		if (!op->nr_redo) {
			spin_unlock_irq(&op->io_lock);
			break;
		}
		spin_unlock_irq(&op->io_lock);
		vdswipe_io_redo(op);
	}
	return err;
}

static int vdswipe_io_discard(struct vdswipe_op *op)
{
	struct block_device *bdev = op->claim.bdev;
	unsigned int i;
	int err;

	for (i = 0; i < op->nr_segs; i++) {
		const struct vdswipe_seg *seg = &op->segs[i];
		sector_t sector = seg->start >> SECTOR_SHIFT;
		sector_t nr = seg->len >> SECTOR_SHIFT;

		if (op->flags & VDSWIPE_CLEAN_SECURE)
			err = blkdev_issue_secure_erase(bdev, sector, nr,
							GFP_KERNEL);
		else
			err = blkdev_issue_discard(bdev, sector, nr,
						   GFP_KERNEL);
		if (err) {
			spin_lock_irq(&op->io_lock);
			vdswipe_io_error(op, seg->start, err);
			spin_unlock_irq(&op->io_lock);
			return err;
		}
		atomic64_add(seg->len, &op->bytes_done);
	}
	return 0;
}

/*
 * Runs an op, queued once at submit. Holds a reference that it drops last;
 * the op may be freed then. Always ends the op before returning. If the op
 * was handed to the module by its session's close, drops the module
 * reference taken for it at the very end: module exit's destroy_workqueue()
 * waits for this function to return, so its code stays there until then.
 */
void vdswipe_work_fn(struct work_struct *work)
{
	struct vdswipe_op *op = container_of(work, struct vdswipe_op, work);
	struct block_device *bdev = op->claim.bdev;
	u64 error_offset = U64_MAX;
	bool finishing = false;
	bool handed_off;
	u32 state;
	int err;

	spin_lock(&op->lock);
	if (op->cancel_requested) {
		/* Cancelled between dequeue and start: device untouched. */
		spin_unlock(&op->lock);
		handed_off = vdswipe_op_end(op, VDSWIPE_STATE_CANCELLED,
					    -ECANCELED, U64_MAX);
		goto put;
	}
	op->state = VDSWIPE_STATE_RUNNING;
	spin_unlock(&op->lock);

	if (op->method == VDSWIPE_METHOD_DISCARD)
		err = vdswipe_io_discard(op);
	else
		err = vdswipe_io_write(op);

	/*
	 * A device that went away ends the op FAILED with -ENODEV, whatever
	 * the writes said (EIO from a dying disk, or nothing if it stopped
	 * between chunks); error_offset is still the lowest failed write.
	 */
	if (vdswipe_claim_dead(&op->claim))
		err = -ENODEV;

	/* The one decision point between cancel and the end of the data. */
	spin_lock(&op->lock);
	if (err) {
		state = VDSWIPE_STATE_FAILED;
		error_offset = op->io_error_offset;
	} else if (op->cancel_requested &&
		   atomic64_read(&op->bytes_done) < op->bytes_total) {
		/*
		 * Only a cancel that left some byte unwritten wins; once
		 * everything is written it is too late (EALREADY), even if
		 * it came while the last bios were in flight.
		 */
		state = VDSWIPE_STATE_CANCELLED;
		err = -ECANCELED;
	} else {
		op->state = VDSWIPE_STATE_FINISHING;
		finishing = true;
	}
	spin_unlock(&op->lock);

	if (finishing) {
		state = VDSWIPE_STATE_DONE;
		if (op->method != VDSWIPE_METHOD_DISCARD) {
			err = blkdev_issue_flush(bdev);
			if (err)
				state = VDSWIPE_STATE_FAILED;
			if (err && vdswipe_claim_dead(&op->claim))
				err = -ENODEV;
		}
	}
	/* Buffered readers must see what is on the device now. */
	invalidate_bdev(bdev);
	handed_off = vdswipe_op_end(op, state, err, error_offset);
put:
	vdswipe_op_put(op);	/* the work's reference */
	if (handed_off)
		module_put(THIS_MODULE);
}
