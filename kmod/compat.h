/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for differences between the kernels vdswipe supports
 * (Debian 6.1 LTS and 6.12 LTS). Everything else uses the names below.
 * Kbuild probes the headers of the target kernel and defines:
 *
 *   VDSWIPE_HAVE_BDEV_FPUT  block devices are opened as struct file and
 *                           given back with bdev_fput() (6.10+)
 *   VDSWIPE_HAVE_MARK_DEAD  the claim takes struct blk_holder_ops, whose
 *                           ->mark_dead the block layer calls, with
 *                           bdev->bd_holder_lock held (the callee unlocks
 *                           it), when the disk goes away (6.6+)
 *
 * And from the target kernel's configuration:
 *
 *   VDSWIPE_HAVE_SKCIPHER   the crypto API's skcipher is built in (Debian's
 *                           kernels), so the keystream may come from its
 *                           "chacha20" (SIMD); 0 where it is not (the
 *                           debug kernel has no crypto API in vmlinux):
 *                           then chacha_block_generic() alone
 *
 * Exclusive claim of a block device by dev_t:
 *   struct vdswipe_bdev_handle   what the claim holds
 *   struct blk_holder_ops        declared here where the kernel lacks it
 *                                (its ->mark_dead is then never called:
 *                                the worker's vdswipe_disk_dead() check
 *                                is what notices a vanished disk)
 *   vdswipe_bdev_claim()         open for writing, exclusively for @holder,
 *                                with @hops; 0 or -errno (-EBUSY: held by
 *                                someone else); may sleep
 *   vdswipe_bdev_from_handle()   the claimed struct block_device
 *   vdswipe_bdev_unclaim()       give the claim and the open back, done
 *                                when it returns; may sleep
 */
#ifndef VDSWIPE_COMPAT_H
#define VDSWIPE_COMPAT_H

#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/kconfig.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mutex.h>

#define VDSWIPE_HAVE_SKCIPHER	IS_BUILTIN(CONFIG_CRYPTO_SKCIPHER)

/* The disk was deleted (del_gendisk() marks it dead on 6.1 and 6.12). */
static inline bool vdswipe_disk_dead(struct gendisk *disk)
{
	return test_bit(GD_DEAD, &disk->state);
}

#ifndef VDSWIPE_HAVE_MARK_DEAD
struct blk_holder_ops {
	void (*mark_dead)(struct block_device *bdev, bool surprise);
};
#endif

/* ->mark_dead is called with bd_holder_lock held and must drop it. */
static inline void vdswipe_mark_dead_done(struct block_device *bdev)
{
#ifdef VDSWIPE_HAVE_MARK_DEAD
	mutex_unlock(&bdev->bd_holder_lock);
#endif
}

#ifdef VDSWIPE_HAVE_BDEV_FPUT

struct vdswipe_bdev_handle {
	struct file *file;
};

static inline int vdswipe_bdev_claim(struct vdswipe_bdev_handle *handle,
				     dev_t dev, void *holder,
				     const struct blk_holder_ops *hops)
{
	struct file *file;

	file = bdev_file_open_by_dev(dev, BLK_OPEN_WRITE, holder, hops);
	if (IS_ERR(file))
		return PTR_ERR(file);
	handle->file = file;
	return 0;
}

static inline struct block_device *
vdswipe_bdev_from_handle(struct vdswipe_bdev_handle *handle)
{
	return file_bdev(handle->file);
}

static inline void vdswipe_bdev_unclaim(struct vdswipe_bdev_handle *handle,
					void *holder)
{
	/*
	 * bdev_fput() gives the claim back at once but leaves the close to
	 * fput(), which a kworker defers to a delayed work: the disk would
	 * stay open (and its driver module pinned) for a while after the op
	 * has ended. Keep a second reference across bdev_fput() and drop it
	 * synchronously, so that the device is closed when we publish the
	 * end, as blkdev_put() does on older kernels.
	 */
	get_file(handle->file);
	bdev_fput(handle->file);
	__fput_sync(handle->file);
	handle->file = NULL;
}

#elif defined(BLK_OPEN_WRITE)
#error "kernels 6.5 to 6.9 (blk_mode_t without bdev_fput()) are not supported"
#else

#define VDSWIPE_BDEV_MODE	(FMODE_WRITE | FMODE_EXCL)

struct vdswipe_bdev_handle {
	struct block_device *bdev;
};

static inline int vdswipe_bdev_claim(struct vdswipe_bdev_handle *handle,
				     dev_t dev, void *holder,
				     const struct blk_holder_ops *hops)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_dev(dev, VDSWIPE_BDEV_MODE, holder);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	handle->bdev = bdev;
	return 0;
}

static inline struct block_device *
vdswipe_bdev_from_handle(struct vdswipe_bdev_handle *handle)
{
	return handle->bdev;
}

static inline void vdswipe_bdev_unclaim(struct vdswipe_bdev_handle *handle,
					void *holder)
{
	blkdev_put(handle->bdev, VDSWIPE_BDEV_MODE);
	handle->bdev = NULL;
}

#endif /* VDSWIPE_HAVE_BDEV_FPUT */

#endif /* VDSWIPE_COMPAT_H */
