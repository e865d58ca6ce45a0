// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe I/O: the work function that runs an op.
 *
 * An op runs its passes in order, each over the same segments, flushing the
 * device after each; after the last pass (or every pass) it may read the
 * region back and compare. Writes and reads go out in chunks of chunk_size
 * bytes, at most queue_depth chunks in flight; cancel is honoured between
 * chunks, after which the bios in flight are drained. Zeroes use WRITE
 * ZEROES where the device offers it (falling back to writing the zero page
 * if it refuses), else the zero page, added to each bio over and over; a
 * pattern uses one page filled with the byte. Random data and reads use the
 * op's chunk buffers (queue_depth of them): for random data the worker
 * hands a free buffer to its work on vdswipe_chunk_wq, which fills it with
 * keystream and writes it; a buffer read back goes to that work once all
 * its bios completed, to be compared; either way it is given back before
 * the worker reuses it, so the chunks in flight are generated and compared
 * on as many CPUs. DISCARD is one
 * blkdev_issue_discard() (or secure erase) per segment and cannot be
 * stopped.
 *
 * The keystream is ChaCha20 (the kernel's chacha_block_generic(), built
 * into every kernel, so the module needs no crypto module), keyed per pass
 * from get_random_bytes(). Its 64-bit block counter is the device offset /
 * 64, so any chunk is generated on its own, and regenerated for
 * verification, from the key and its offset.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <crypto/chacha.h>
#include <crypto/skcipher.h>
#include <linux/scatterlist.h>

#include "vdswipe.h"

/**
 * struct vdswipe_bio - a bio of an op
 * @op:        the op; alive until its worker saw inflight drop to 0
 * @buf:       the chunk buffer the bio's pages belong to, or NULL
 * @pos:       device offset of the bio's first byte
 * @len:       bytes the bio covers
 * @bio:       the bio, last: vdswipe_bio_set's front pad ends here
 */
struct vdswipe_bio {
	struct vdswipe_op *op;
	struct vdswipe_buf *buf;
	u64 pos;
	u32 len;
	struct bio bio;
};

static struct bio_set vdswipe_bio_set;

static void vdswipe_buf_unref_locked(struct vdswipe_op *op,
				     struct vdswipe_buf *buf);

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

/* A WRITE ZEROES limit below this is not worth offloading to. */
#define VDSWIPE_WZ_MIN_BYTES	SZ_64K

/*
 * Sizes the op's I/O from its device, at submit: bios of what the device
 * takes in one request, and no more in flight than its nr_requests of them.
 * chunk_size and queue_depth are the caps: queue_depth x chunk_size bytes in
 * flight at most is what bounds the time a cancel waits for the drain, and
 * what a cancel may still see written. A bio-based device (brd, dm) has no
 * requests: it takes bios of chunk_size and queue_depth of them. Decides
 * whether zeroes go out as WRITE ZEROES.
 */
void vdswipe_io_size(struct vdswipe_op *op, bool zeroes)
{
	struct block_device *bdev = op->claim.bdev;
	struct request_queue *q = bdev_get_queue(bdev);
	u32 cap = min_t(u32, vdswipe_chunk_size, BIO_MAX_VECS * PAGE_SIZE);
	u32 align = max_t(u32, op->lbs, PAGE_SIZE);
	u64 wz = (u64)bdev_write_zeroes_sectors(bdev) << SECTOR_SHIFT;
	u64 nr_req = U64_MAX, unit;

	op->write_unit = cap;
	op->wz_unit = min_t(u64, wz, vdswipe_chunk_size);
	if (queue_is_mq(q)) {
		u64 req = min_t(u64, (u64)queue_max_sectors(q) << SECTOR_SHIFT,
				(u64)queue_max_segments(q) * PAGE_SIZE);

		op->write_unit = clamp_t(u64, round_down(req, align), align, cap);
		nr_req = max_t(u64, q->nr_requests, 1);
	}
	op->wz_unit = round_down(op->wz_unit, align);
	op->write_zeroes_ok = zeroes && op->wz_unit >= VDSWIPE_WZ_MIN_BYTES;
	if (!op->write_zeroes_ok)
		op->wz_unit = 0;

	unit = max(op->write_unit, op->wz_unit);
	op->inflight_max = (u64)vdswipe_queue_depth * vdswipe_chunk_size;
	if (nr_req < div64_u64(op->inflight_max, unit))
		op->inflight_max = nr_req * unit;
	op->inflight_max = max(op->inflight_max, unit);
}

/* The bytes one submission of the op's first pass covers, as fdinfo shows. */
u32 vdswipe_io_chunk(struct vdswipe_op *op)
{
	switch (op->passes[0].method) {
	case VDSWIPE_METHOD_ZERO:
		if (READ_ONCE(op->write_zeroes_ok) &&
		    !(op->flags & VDSWIPE_SANITIZE_VERIFY_ONLY))
			return op->wz_unit;
		fallthrough;
	case VDSWIPE_METHOD_PATTERN:
		if (!(op->flags & VDSWIPE_SANITIZE_VERIFY_ONLY))
			return op->write_unit;
		fallthrough;
	default:
		return vdswipe_chunk_size;
	}
}

/* Records a failed write: the op keeps the lowest failing offset's errno. */
static void vdswipe_io_error(struct vdswipe_op *op, u64 pos, int err)
{
	lockdep_assert_held(&op->io_lock);

	vdswipe_stats_io_error(op, pos, err);
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
	struct vdswipe_buf *buf = vb->buf;
	bool write = op_is_write(bio_op(bio));
	u64 pos = vb->pos;
	u32 len = vb->len;
	unsigned long flags;

	/* What was read counts once the worker has compared it. */
	if (!status && write) {
		vdswipe_stats_written(len);
		atomic64_add(len, &op->bytes_written);
		atomic64_add(len, &op->bytes_done);
	}
	/* Never held: the worker allocates from the same bio_set. */
	bio_put(bio);

	spin_lock_irqsave(&op->io_lock, flags);
	if (redo && op->nr_redo < op->run->max_redo)
		op->run->redo[op->nr_redo++] = (struct vdswipe_seg){ pos, len };
	else if (status)
		vdswipe_io_error(op, pos, redo ? -EIO : blk_status_to_errno(status));
	if (buf) {
		buf->failed |= !!status;
		vdswipe_buf_unref_locked(op, buf);
	}
	op->inflight -= len;
	wake_up(&op->io_wq);
	spin_unlock_irqrestore(&op->io_lock, flags);
}

/*
 * Our data writes carry REQ_SYNC | REQ_IDLE, as O_DIRECT writes do. A plain
 * REQ_OP_WRITE is throttled by blk-wbt as if it were page-cache writeback:
 * from idle (scale_step 0) it may have only wb_normal requests in flight, 8
 * on a non-rotational queue, and wbt raises that by one step per 100 ms
 * window of write-only traffic, then lowers it again after ~0.5 s without
 * writes. So every clean that starts after a second of quiet spends its
 * first window or two at a fraction of the device's speed (~50 ms on a
 * 1 GiB null_blk, whatever its size), while one right after another does
 * not. wbt exists to keep reads fast during writeback; dd/fio with O_DIRECT
 * bypass it the same way. (A partition op now competes with the disk's
 * other partitions as O_DIRECT would.)
 */
#define VDSWIPE_OPF_WRITE	(REQ_OP_WRITE | REQ_SYNC | REQ_IDLE)

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
	vb->buf = NULL;
	vb->pos = pos;
	vb->len = len;
	return bio;
}

/* Submits [pos, pos + len), already counted in op->inflight. */
static void vdswipe_submit_chunk(struct vdswipe_op *op, u64 pos, u32 len)
{
	struct page *page = op->method == VDSWIPE_METHOD_PATTERN ?
			    op->pattern_page : ZERO_PAGE(0);
	struct blk_plug plug;
	struct bio *bio;

	if (op->run->use_write_zeroes) {
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

		bio = vdswipe_bio_alloc(op, pos, bytes, nr, VDSWIPE_OPF_WRITE);
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
	bool go;

	spin_lock_irq(&op->io_lock);
	vdswipe_wait_idle_lock_irq(op->io_wq,
				   op->inflight + len <= op->inflight_max ||
				   op->io_error,
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
	memcpy(segs, op->run->redo, n * sizeof(*segs));
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
	struct vdswipe_run *run = op->run;
	struct vdswipe_seg *segs = run->redo_work;
	unsigned int i, n;

	if (!run->max_redo)
		return true;
	n = vdswipe_io_take_redo(op, segs);
	if (!n)
		return true;

	if (run->use_write_zeroes) {
		pr_info_ratelimited("%pg: WRITE ZEROES refused, writing zeroes instead\n",
				    op->claim.bdev);
		run->use_write_zeroes = false;
		WRITE_ONCE(op->write_zeroes_ok, false);
	}
	for (i = 0; i < n; i++) {
		if (!vdswipe_io_reserve(op, segs[i].len))
			return false;
		vdswipe_submit_chunk(op, segs[i].start, segs[i].len);
	}
	return true;
}

/*
 * Waits until no bio of the op is in flight and no chunk buffer is being
 * filled or compared; returns the first I/O error.
 */
static int vdswipe_io_drain(struct vdswipe_op *op)
{
	int err;

	spin_lock_irq(&op->io_lock);
	vdswipe_wait_idle_lock_irq(op->io_wq, !op->inflight && !op->bufs_busy,
				   op->io_lock);
	err = op->io_error;
	spin_unlock_irq(&op->io_lock);
	return err;
}

#if VDSWIPE_HAVE_SKCIPHER
/* Frees the op's crypto API ChaCha20 (the key in it is wiped). */
static void vdswipe_tfm_free(struct vdswipe_run *run)
{
	crypto_free_sync_skcipher(run->tfm);
	run->tfm = NULL;
}
#else
static void vdswipe_tfm_free(struct vdswipe_run *run)
{
}
#endif

/*
 * The generic keystream for the device bytes [@pos, @pos + @len), both
 * multiples of CHACHA_BLOCK_SIZE, into @dst. The block counter is @pos / 64
 * in state words 12 (low) and 13 (high). chacha_block_generic() steps only
 * word 12, so the carry into word 13 at a 2^32-block boundary is ours.
 */
static void vdswipe_keystream_generic(const struct vdswipe_run *run, u64 pos,
				      u8 *dst, u32 len)
{
	u64 block = pos / CHACHA_BLOCK_SIZE;
	u32 state[16];

	/* submit checks make this impossible; never loop past @dst's end */
	if (WARN_ON_ONCE(!IS_ALIGNED(pos | len, CHACHA_BLOCK_SIZE)))
		len = round_down(len, CHACHA_BLOCK_SIZE);
	memcpy(state, run->chacha, sizeof(state));
	state[12] = lower_32_bits(block);
	state[13] = upper_32_bits(block);
	for (; len; len -= CHACHA_BLOCK_SIZE, dst += CHACHA_BLOCK_SIZE) {
		chacha_block_generic(state, dst, 20);
		if (!state[12])
			state[13]++;
	}
	memzero_explicit(state, sizeof(state));
}

#if VDSWIPE_HAVE_SKCIPHER
/*
 * The same through the crypto API's "chacha20" (the SIMD implementation
 * where its module loads): the keystream is what it XORs onto zeros. Its IV
 * is state words 12-15, and it too steps word 12 alone, so a piece never
 * crosses a 2^32-block boundary. @len is at most a page.
 */
static int vdswipe_keystream_tfm(const struct vdswipe_run *run, u64 pos,
				 u8 *dst, u32 len)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, run->tfm);
	u64 block = pos / CHACHA_BLOCK_SIZE;
	struct scatterlist sg;
	__le32 iv[4];
	u32 n;
	int err = 0;

	memset(dst, 0, len);
	skcipher_request_set_sync_tfm(req, run->tfm);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	for (; len && !err; len -= n, dst += n, block += n / CHACHA_BLOCK_SIZE) {
		n = min_t(u64, len, (BIT_ULL(32) - lower_32_bits(block)) *
				    CHACHA_BLOCK_SIZE);
		iv[0] = cpu_to_le32(lower_32_bits(block));
		iv[1] = cpu_to_le32(upper_32_bits(block));
		iv[2] = 0;
		iv[3] = 0;
		sg_init_one(&sg, dst, n);
		skcipher_request_set_crypt(req, &sg, &sg, n, iv);
		err = crypto_skcipher_encrypt(req);
	}
	skcipher_request_zero(req);
	return err;
}
#else
static int vdswipe_keystream_tfm(const struct vdswipe_run *run, u64 pos,
				 u8 *dst, u32 len)
{
	return -EOPNOTSUPP;
}
#endif

/*
 * The keystream of the current RANDOM pass for the device bytes [@pos,
 * @pos + @len), both multiples of CHACHA_BLOCK_SIZE, at most a page, into
 * @dst. Both ways give the same bytes (checked when the op starts).
 */
static void vdswipe_keystream(const struct vdswipe_run *run, u64 pos, u8 *dst,
			      u32 len)
{
	if (!run->tfm || vdswipe_keystream_tfm(run, pos, dst, len))
		vdswipe_keystream_generic(run, pos, dst, len);
}

/* A new key for a RANDOM pass; the nonce words stay zero (keys never repeat). */
static void vdswipe_rekey(struct vdswipe_run *run)
{
	u8 key[CHACHA_KEY_SIZE];
	unsigned int i;

	get_random_bytes(key, sizeof(key));
	memset(run->chacha, 0, sizeof(run->chacha));
	chacha_init_consts(run->chacha);
	for (i = 0; i < 8; i++)
		run->chacha[4 + i] = get_unaligned_le32(key + 4 * i);
#if VDSWIPE_HAVE_SKCIPHER
	if (run->tfm && crypto_sync_skcipher_setkey(run->tfm, key, sizeof(key)))
		vdswipe_tfm_free(run);
#endif
	memzero_explicit(key, sizeof(key));
}

#if VDSWIPE_HAVE_SKCIPHER
/* The crypto API has no "chacha20": the lookup failed with ENOENT. */
static bool vdswipe_no_chacha20;

/*
 * The crypto API's ChaCha20 for an op's RANDOM passes, if it has one that
 * gives the very bytes of chacha_block_generic() (tried across a 2^32-block
 * boundary with a throwaway key); else the op uses the generic code. It is
 * looked up by name, which loads the SIMD module where there is one,
 * without the module depending on it (the test VM and the debug kernel
 * have none). If there is none, it is not looked for again until vdswipe
 * is reloaded.
 */
static void vdswipe_tfm_alloc(struct vdswipe_run *run)
{
	const u64 pos = (BIT_ULL(32) - 1) * CHACHA_BLOCK_SIZE;
	u8 a[2 * CHACHA_BLOCK_SIZE], b[2 * CHACHA_BLOCK_SIZE];
	struct crypto_sync_skcipher *tfm;
	bool same;

	/* Each lookup of a missing algorithm runs modprobe twice. */
	if (READ_ONCE(vdswipe_no_chacha20))
		return;
	tfm = crypto_alloc_sync_skcipher("chacha20", 0, 0);
	if (IS_ERR(tfm)) {
		if (PTR_ERR(tfm) == -ENOENT)
			WRITE_ONCE(vdswipe_no_chacha20, true);
		return;
	}
	run->tfm = tfm;
	vdswipe_rekey(run);
	if (!run->tfm)
		return;
	vdswipe_keystream_generic(run, pos, a, sizeof(a));
	same = !vdswipe_keystream_tfm(run, pos, b, sizeof(b)) &&
	       !memcmp(a, b, sizeof(a));
	memzero_explicit(a, sizeof(a));
	memzero_explicit(b, sizeof(b));
	if (!same) {
		pr_warn_once("%s differs from chacha_block_generic(), not used\n",
			     crypto_tfm_alg_driver_name(crypto_skcipher_tfm(&tfm->base)));
		vdswipe_tfm_free(run);
	}
}
#else
static void vdswipe_tfm_alloc(struct vdswipe_run *run)
{
}
#endif

static void vdswipe_bufs_free(struct vdswipe_op *op)
{
	struct vdswipe_run *run = op->run;
	unsigned int i, j;

	for (i = 0; i < run->nr_bufs; i++) {
		struct vdswipe_buf *buf = run->bufs[i];

		for (j = 0; j < DIV_ROUND_UP(vdswipe_chunk_size, PAGE_SIZE); j++)
			if (buf->pages[j])
				__free_page(buf->pages[j]);
		if (buf->scratch)
			__free_page(buf->scratch);
		kfree(buf);
	}
	kfree(run->bufs);
	run->bufs = NULL;
	run->nr_bufs = 0;
	INIT_LIST_HEAD(&op->buf_free);
}

static void vdswipe_buf_work(struct work_struct *work);

/*
 * The chunk buffers, for an op that writes random data or verifies:
 * queue_depth x chunk_size bytes, plus a page each for the regenerated
 * keystream. Allocated when the op starts, not at submit: queued ops hold
 * no memory.
 */
static int vdswipe_bufs_alloc(struct vdswipe_op *op)
{
	unsigned int npages = DIV_ROUND_UP(vdswipe_chunk_size, PAGE_SIZE);
	struct vdswipe_run *run = op->run;
	unsigned int i, j;

	run->bufs = kcalloc(vdswipe_queue_depth, sizeof(*run->bufs), GFP_KERNEL);
	if (!run->bufs)
		return -ENOMEM;
	for (i = 0; i < vdswipe_queue_depth; i++) {
		struct vdswipe_buf *buf;

		buf = kzalloc(struct_size(buf, pages, npages), GFP_KERNEL);
		if (!buf)
			goto free;
		run->bufs[run->nr_bufs++] = buf;
		buf->op = op;
		INIT_WORK(&buf->work, vdswipe_buf_work);
		buf->scratch = alloc_page(GFP_KERNEL);
		if (!buf->scratch)
			goto free;
		for (j = 0; j < npages; j++) {
			buf->pages[j] = alloc_page(GFP_KERNEL);
			if (!buf->pages[j])
				goto free;
		}
		list_add_tail(&buf->link, &op->buf_free);
	}
	return 0;

free:
	vdswipe_bufs_free(op);
	return -ENOMEM;
}

/*
 * What the op holds while it runs: room for every range whose WRITE ZEROES
 * the device may refuse, and the worker's copy (at most inflight_max /
 * wz_unit bios are in flight, plus the short last one of each segment;
 * without it the op writes zeroes itself); the chunk buffers and a keyed
 * ChaCha20 for RANDOM passes and verification. Allocated when the op
 * starts, so that queued ops hold none of it.
 */
static int vdswipe_run_alloc(struct vdswipe_op *op)
{
	struct vdswipe_run *run;
	unsigned int i, n = 0;
	bool random = false;

	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	op->run = run;
	if (op->write_zeroes_ok) {
		n = div64_u64(op->inflight_max, op->wz_unit) + 2;
		run->redo = kcalloc(2 * n, sizeof(*run->redo), GFP_KERNEL);
		if (run->redo) {
			run->max_redo = n;
			run->redo_work = run->redo + n;
		} else {
			WRITE_ONCE(op->write_zeroes_ok, false);
		}
	}

	for (i = 0; i < op->nr_passes; i++)
		random |= op->passes[i].method == VDSWIPE_METHOD_RANDOM;
	if (random || op->verify != VDSWIPE_VERIFY_OFF) {
		int err = vdswipe_bufs_alloc(op);

		if (err)
			return err;
	}
	if (random)
		vdswipe_tfm_alloc(run);
	return 0;
}

/*
 * Frees what the op held while it ran, once nothing of it is in flight or
 * busy (the worker drained it): its ChaCha20 keys are wiped with it.
 */
static void vdswipe_run_free(struct vdswipe_op *op)
{
	struct vdswipe_run *run = op->run;

	if (!run)
		return;
	vdswipe_bufs_free(op);
	if (run->tfm)
		vdswipe_tfm_free(run);
	kfree(run->redo);
	op->run = NULL;
	kfree_sensitive(run);
}

/*
 * Gives a chunk buffer back: the worker may reuse it, and once none is busy
 * and nothing is in flight, end the op (and free it): the caller touches
 * neither after dropping io_lock.
 */
static void vdswipe_buf_put_locked(struct vdswipe_op *op,
				   struct vdswipe_buf *buf)
{
	lockdep_assert_held(&op->io_lock);

	list_add_tail(&buf->link, &op->buf_free);
	op->bufs_busy--;
	wake_up(&op->io_wq);
}

/*
 * A bio of the chunk completed, or its submitter is done with it. After the
 * last of them a chunk read back goes to its work for the comparison, any
 * other is given back.
 */
static void vdswipe_buf_unref_locked(struct vdswipe_op *op,
				     struct vdswipe_buf *buf)
{
	lockdep_assert_held(&op->io_lock);

	if (--buf->nr_bios)
		return;
	if (buf->read && !buf->failed)
		queue_work(vdswipe_chunk_wq, &buf->work);
	else
		vdswipe_buf_put_locked(op, buf);
}

static void vdswipe_buf_put(struct vdswipe_op *op, struct vdswipe_buf *buf,
			    u32 unsent)
{
	unsigned long flags;

	spin_lock_irqsave(&op->io_lock, flags);
	op->inflight -= unsent;
	vdswipe_buf_put_locked(op, buf);
	spin_unlock_irqrestore(&op->io_lock, flags);
}

/*
 * Compares a chunk read back with what its pass wrote, one logical block at
 * a time where a page differs, and counts the blocks that differ.
 */
static void vdswipe_buf_verify(struct vdswipe_op *op, struct vdswipe_buf *buf)
{
	unsigned int shift = ilog2(op->lbs);
	u32 step = min_t(u32, op->lbs, PAGE_SIZE);
	bool random = op->method == VDSWIPE_METHOD_RANDOM;
	/* the pass's byte; 0 for any other method (checked at submit) */
	int byte = op->passes[op->pass - 1].pattern;
	u8 *ref = page_address(buf->scratch);
	u64 last_bad = U64_MAX, first = U64_MAX, bad = 0;
	u32 off, b;

	for (off = 0; off < buf->len; off += PAGE_SIZE) {
		u32 n = min_t(u32, buf->len - off, PAGE_SIZE);
		u8 *data = page_address(buf->pages[off >> PAGE_SHIFT]);
		u64 at;

		cond_resched();
		if (random) {
			vdswipe_keystream(op->run, buf->pos + off, ref, n);
			if (!memcmp(data, ref, n))
				continue;
		} else if (!memchr_inv(data, byte, n)) {
			continue;
		}
		for (b = 0; b < n; b += step) {
			if (random ? !memcmp(data + b, ref + b, step) :
				     !memchr_inv(data + b, byte, step))
				continue;
			at = buf->pos + off + b;
			/* A block larger than a page is counted once. */
			if (at >> shift == last_bad)
				continue;
			last_bad = at >> shift;
			first = min(first, last_bad << shift);
			bad++;
		}
	}
	if (random)
		memzero_explicit(ref, PAGE_SIZE);
	if (bad) {
		spin_lock(&op->lock);
		op->mismatch_blocks += bad;
		op->first_mismatch = min(op->first_mismatch, first);
		spin_unlock(&op->lock);
	}
	atomic64_add(buf->len, &op->bytes_verified);
	atomic64_add(buf->len, &op->bytes_done);
}

/*
 * Waits for a free chunk buffer for @len bytes at @pos and counts the bytes
 * in flight. NULL if the op must stop submitting: cancel requested, an I/O
 * error, or the device is gone.
 */
static struct vdswipe_buf *vdswipe_buf_get(struct vdswipe_op *op, u64 pos,
					   u32 len, bool read)
{
	struct vdswipe_buf *buf = NULL;

	spin_lock_irq(&op->io_lock);
	vdswipe_wait_idle_lock_irq(op->io_wq,
				   !list_empty(&op->buf_free) || op->io_error,
				   op->io_lock);
	if (!op->io_error && !READ_ONCE(op->cancel_requested) &&
	    !vdswipe_claim_dead(&op->claim)) {
		buf = list_first_entry(&op->buf_free, struct vdswipe_buf, link);
		list_del(&buf->link);
		buf->pos = pos;
		buf->len = len;
		buf->read = read;
		buf->failed = false;
		/* Its bios, and the submitter until it is done with them. */
		buf->nr_bios = DIV_ROUND_UP(DIV_ROUND_UP(len, PAGE_SIZE),
					    BIO_MAX_VECS) + 1;
		op->bufs_busy++;
		op->inflight += len;
	}
	spin_unlock_irq(&op->io_lock);
	return buf;
}

/*
 * Writes or reads a chunk buffer: nr_bios - 1 bios of its pages. The last
 * reference is the submitter's: the buffer (and the op) stay until it is
 * dropped, after the plug is flushed.
 */
static void vdswipe_submit_buf(struct vdswipe_op *op, struct vdswipe_buf *buf)
{
	blk_opf_t opf = buf->read ? REQ_OP_READ : VDSWIPE_OPF_WRITE;
	struct page **page = buf->pages;
	struct blk_plug plug;
	unsigned long flags;
	u64 pos = buf->pos;
	u32 len = buf->len;

	blk_start_plug(&plug);
	while (len) {
		unsigned short nr = min_t(u32, BIO_MAX_VECS,
					  DIV_ROUND_UP(len, PAGE_SIZE));
		u32 bytes = min_t(u32, len, nr * PAGE_SIZE);
		struct bio *bio;
		u32 done;

		bio = vdswipe_bio_alloc(op, pos, bytes, nr, opf);
		container_of(bio, struct vdswipe_bio, bio)->buf = buf;
		for (done = 0; done < bytes; done += PAGE_SIZE)
			__bio_add_page(bio, *page++,
				       min_t(u32, bytes - done, PAGE_SIZE), 0);
		submit_bio(bio);
		pos += bytes;
		len -= bytes;
	}
	blk_finish_plug(&plug);

	spin_lock_irqsave(&op->io_lock, flags);
	vdswipe_buf_unref_locked(op, buf);
	spin_unlock_irqrestore(&op->io_lock, flags);
}

/*
 * The work of a chunk buffer, on vdswipe_chunk_wq so that the chunks in
 * flight are generated and compared on as many CPUs: a write fills the
 * buffer with the keystream of its bytes and writes it (unless a cancel
 * came meanwhile: the op stops anyway); a read that completed is compared.
 * The buffer stays busy until then, so the op waits for it.
 */
static void vdswipe_buf_work(struct work_struct *work)
{
	struct vdswipe_buf *buf = container_of(work, struct vdswipe_buf, work);
	struct vdswipe_op *op = buf->op;
	u32 off;

	if (buf->read) {
		vdswipe_buf_verify(op, buf);
		vdswipe_buf_put(op, buf, 0);
		return;
	}
	if (READ_ONCE(op->cancel_requested)) {
		vdswipe_buf_put(op, buf, buf->len);
		return;
	}
	for (off = 0; off < buf->len; off += PAGE_SIZE) {
		vdswipe_keystream(op->run, buf->pos + off,
				  page_address(buf->pages[off >> PAGE_SHIFT]),
				  min_t(u32, buf->len - off, PAGE_SIZE));
		/* A chunk of keystream is long work for a kworker. */
		cond_resched();
	}
	vdswipe_submit_buf(op, buf);
}

/*
 * Waits until no bio is in flight and no chunk buffer busy, and rewrites
 * late refusals of WRITE ZEROES (or drops them once the op stops). Returns
 * the first I/O error.
 */
static int vdswipe_io_settle(struct vdswipe_op *op)
{
	int err;

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

/*
 * Writes every segment with the current pass's data. Returns 0 when all is
 * written or the op stopped for a cancel, else the errno of the lowest
 * failed write. Every bio has completed when it returns.
 */
static int vdswipe_io_write(struct vdswipe_op *op)
{
	bool random = op->method == VDSWIPE_METHOD_RANDOM;
	struct vdswipe_buf *buf;
	unsigned int i;

	for (i = 0; i < op->nr_segs; i++) {
		u64 pos = op->segs[i].start;
		u64 end = pos + op->segs[i].len;

		while (pos < end) {
			u32 len = min_t(u64, end - pos, vdswipe_chunk_size);

			if (!random)
				len = min(len, op->run->use_write_zeroes ?
					       op->wz_unit : op->write_unit);
			if (random) {
				buf = vdswipe_buf_get(op, pos, len, false);
				if (!buf)
					goto settle;
				queue_work(vdswipe_chunk_wq, &buf->work);
			} else {
				if (!vdswipe_io_redo(op) ||
				    !vdswipe_io_reserve(op, len))
					goto settle;
				vdswipe_submit_chunk(op, pos, len);
			}
			pos += len;
		}
	}
settle:
	return vdswipe_io_settle(op);
}

/*
 * A sampled verification always reads the chunks of the first and the last
 * VDSWIPE_QUICK_BYTES of the region; of the others, it picks verify_pick of
 * verify_cands at random (selection sampling: each with the probability
 * still needed / still left, so exactly that many, evenly spread).
 */
static bool vdswipe_verify_pick(struct vdswipe_op *op, u64 pos, u32 len,
				u64 *cands, u64 *pick)
{
	const struct vdswipe_seg *last = &op->segs[op->nr_segs - 1];
	bool yes;

	if (pos < op->segs[0].start + VDSWIPE_QUICK_BYTES ||
	    pos + len + VDSWIPE_QUICK_BYTES > last->start + last->len)
		return true;
	if (WARN_ON_ONCE(!*cands))
		return true;
	yes = *pick && (*pick == *cands || get_random_u64() % *cands < *pick);
	(*cands)--;
	if (yes)
		(*pick)--;
	return yes;
}

/*
 * Reads back the chunks the verification covers and compares them with
 * what the current pass wrote (or, verify-only, with what it expects).
 * Returns 0 when all is read or the op stopped, else the errno of the
 * lowest failed read. Mismatches are counted in op->mismatch_blocks.
 */
static int vdswipe_io_verify(struct vdswipe_op *op)
{
	struct vdswipe_buf *buf;
	unsigned int i;
	u64 cands, pick;

	vdswipe_op_verify_plan(op, &cands, &pick);
	for (i = 0; i < op->nr_segs; i++) {
		u64 pos = op->segs[i].start;
		u64 end = pos + op->segs[i].len;

		for (; pos < end; pos += vdswipe_chunk_size) {
			u32 len = min_t(u64, end - pos, vdswipe_chunk_size);

			if (!vdswipe_verify_pick(op, pos, len, &cands, &pick))
				continue;
			buf = vdswipe_buf_get(op, pos, len, true);
			if (!buf)
				goto settle;
			vdswipe_submit_buf(op, buf);
		}
	}
settle:
	return vdswipe_io_settle(op);
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
		vdswipe_stats_written(seg->len);
		atomic64_add(seg->len, &op->bytes_written);
		atomic64_add(seg->len, &op->bytes_done);
	}
	return 0;
}

static void vdswipe_set_phase(struct vdswipe_op *op, u32 pass, u32 phase)
{
	spin_lock(&op->lock);
	op->pass = pass;
	op->phase = phase;
	op->method = op->passes[pass - 1].method;
	spin_unlock(&op->lock);
}

/* The op must stop: cancel requested, or the device is gone. */
static bool vdswipe_stopping(struct vdswipe_op *op)
{
	return READ_ONCE(op->cancel_requested) ||
	       vdswipe_claim_dead(&op->claim);
}

/*
 * Runs the passes, each flushed, and the verifications. Returns 0 when all
 * of it is done or the op stopped for a cancel (or a vanished device), else
 * the errno of the failure: -EBADMSG when a verification found blocks that
 * do not hold what was written. Sets *@flush when the op is left with its
 * final flush to do (its last step was a write).
 */
static int vdswipe_io_run(struct vdswipe_op *op, bool *flush)
{
	bool verify_only = op->flags & VDSWIPE_SANITIZE_VERIFY_ONLY;
	struct vdswipe_run *run;
	u64 verified = 0;
	unsigned int i;
	int err;

	*flush = false;
	err = vdswipe_run_alloc(op);
	if (err)
		return err;
	run = op->run;

	for (i = 0; i < op->nr_passes; i++) {
		bool last = i == op->nr_passes - 1;
		bool verify = op->verify == VDSWIPE_VERIFY_ALL ||
			      (op->verify == VDSWIPE_VERIFY_LAST && last);

		if (!verify_only) {
			vdswipe_set_phase(op, i + 1, VDSWIPE_PHASE_WRITE);
			if (op->method == VDSWIPE_METHOD_RANDOM)
				vdswipe_rekey(run);
			else if (op->method == VDSWIPE_METHOD_PATTERN)
				memset(page_address(op->pattern_page),
				       op->passes[i].pattern, PAGE_SIZE);
			run->use_write_zeroes = op->write_zeroes_ok &&
						op->method == VDSWIPE_METHOD_ZERO;
			err = vdswipe_io_write(op);
			if (err)
				return err;
			/* Even if a cancel came: it is too late if all is written. */
			if (last && !verify) {
				*flush = true;
				return 0;
			}
			if (vdswipe_stopping(op))
				return 0;
			/* What the next pass or the verification sees. */
			err = blkdev_issue_flush(op->claim.bdev);
			if (err)
				return err;
		}
		if (verify) {
			vdswipe_set_phase(op, i + 1, VDSWIPE_PHASE_VERIFY);
			err = vdswipe_io_verify(op);
			if (err)
				return err;
			/*
			 * Counted to the end of this pass's verification: a
			 * cancel that came after its last chunk is too late.
			 */
			verified += op->verify_bytes;
			if (op->mismatch_blocks &&
			    atomic64_read(&op->bytes_verified) == verified)
				return -EBADMSG;
			if (vdswipe_stopping(op))
				return 0;
		}
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
	bool flush;
	enum vdswipe_op_state state;
	int err;

	spin_lock(&op->lock);
	if (op->cancel_requested) {
		/* Cancelled between dequeue and start: device untouched. */
		spin_unlock(&op->lock);
		handed_off = vdswipe_op_end(op, VDSWIPE_OP_CANCELLED,
					    -ECANCELED, U64_MAX);
		goto put;
	}
	op->state = VDSWIPE_OP_RUNNING;
	spin_unlock(&op->lock);
	vdswipe_stats_start(op);

	if (op->method == VDSWIPE_METHOD_DISCARD) {
		vdswipe_set_phase(op, 1, VDSWIPE_PHASE_WRITE);
		err = vdswipe_io_discard(op);
		flush = false;
	} else {
		err = vdswipe_io_run(op, &flush);
	}
	vdswipe_run_free(op);

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
		state = VDSWIPE_OP_FAILED;
		error_offset = op->io_error_offset;
	} else if (op->cancel_requested &&
		   atomic64_read(&op->bytes_done) < op->bytes_total) {
		/*
		 * Only a cancel that left some byte unwritten (or unread)
		 * wins; once everything is done it is too late (EALREADY),
		 * even if it came while the last bios were in flight.
		 */
		state = VDSWIPE_OP_CANCELLED;
		err = -ECANCELED;
	} else {
		op->state = VDSWIPE_OP_FINISHING;
		finishing = true;
	}
	spin_unlock(&op->lock);

	if (finishing) {
		state = VDSWIPE_OP_DONE;
		if (flush) {
			err = blkdev_issue_flush(bdev);
			if (err)
				state = VDSWIPE_OP_FAILED;
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
