// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe: what VDSWIPE_IOC_CLEAN does to a device before an op exists:
 * validation, the conflict registry, the exclusive claim and the signature
 * check. The errors come in the order Documentation/userspace-api/vdswipe.rst
 * lists them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/interval_tree_generic.h>
#include <linux/lockdep.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "vdswipe.h"

/**
 * struct vdswipe_dev - a block device claimed exclusively for vdswipe
 * @bdev:   the device
 * @handle: what the kernel's claim API returned (compat.h)
 * @ranges: the sectors each op on @bdev owns (struct vdswipe_claim.range);
 *          never overlapping; the claim is given back when it empties
 * @dead:   the block layer said the disk is gone (->mark_dead); set under
 *          vdswipe_claims_lock, read locklessly by the ops' workers
 * @opening: the submit that registered the device is opening and claiming
 *          it, without the lock; other submits that fit wait on
 *          vdswipe_claims_wq until it is clear
 * @claimed: @handle holds the device (the open succeeded); until then a
 *          conflicting submit waits for vdswipe_claims_gen to move
 * @open_err: why the open failed, once @opening is clear
 * @closing: the last range is gone and the device is being unclaimed
 *          without the lock; the entry stays until then, so a submit waits
 *          for it to go rather than race the unclaim (EBUSY for a
 *          partition while its disk is still ours)
 * @disk:   the device's name ("%pg"), formatted once when the entry is
 *          made; the ops copy it for fdinfo and the tracepoints
 *
 * One claim per device, shared by the ops on it; every field is under
 * vdswipe_claims_lock (@dead is also read without it). The entry lives
 * while @ranges is not empty.
 */
struct vdswipe_dev {
	struct block_device *bdev;
	bool dead;
	bool opening;
	bool claimed;
	int open_err;
	bool closing;
	struct vdswipe_bdev_handle handle;
	struct rb_root_cached ranges;
	char disk[BDEVNAME_SIZE];
};

/*
 * The conflict registry: the claimed devices, keyed by their disk's dev_t
 * (so that a submit costs O(log n) however many disks are held). Ops on one
 * device may run side by side on ranges that do not overlap; a disk is never
 * touched through two devices (a partition and its whole disk, or two
 * partitions), so that "overlap" needs no translation between them. The
 * xarray's own lock is not enough: looking a disk up and registering a range
 * on it must be atomic; vdswipe_claims_lock also covers every struct
 * vdswipe_dev on the registry. It is never held while a device is opened,
 * claimed, unclaimed or closed, which may take long.
 */
static DEFINE_MUTEX(vdswipe_claims_lock);
static DECLARE_WAIT_QUEUE_HEAD(vdswipe_claims_wq);
/*
 * Bumped under vdswipe_claims_lock whenever an entry that holds no claim
 * (still opening, or failed to open) settles or goes away, and when a
 * closing entry is gone; a submit that ran into such an entry waits on
 * vdswipe_claims_wq for it to change.
 */
static unsigned long vdswipe_claims_gen;

#define VDSWIPE_RANGE_START(r)	((r)->start)
#define VDSWIPE_RANGE_LAST(r)	((r)->last)
/* vdswipe_range_insert(), _remove(), _iter_first(): u64 sector keys */
INTERVAL_TREE_DEFINE(struct vdswipe_range, rb, u64, __subtree_last,
		     VDSWIPE_RANGE_START, VDSWIPE_RANGE_LAST, static __maybe_unused,
		     vdswipe_range)
static DEFINE_XARRAY(vdswipe_devs);

static unsigned long vdswipe_disk_key(struct gendisk *disk)
{
	return disk_devt(disk);
}

/*
 * Every claim of ours names this holder. The block layer refuses a claim
 * only for a different holder, so EBUSY means someone else (a mount, md,
 * dm, an O_EXCL opener) holds the device; the registry keeps our own ops
 * apart (EEXIST) before we ever try to claim.
 */
static int vdswipe_holder;

/**
 * struct vdswipe_sig - a signature that makes a device "not empty"
 * @offset: byte offset from the start of the device
 * @len:    bytes of @magic
 * @magic:  the bytes
 * @name:   for the debug message
 */
struct vdswipe_sig {
	u32 offset;
	u32 len;
	const char *magic;
	const char *name;
};

/*
 * The kernel's last-line check, not the policy: libvdswipe decides what
 * "in use" means, with libblkid, before it submits. This list only makes
 * sure that nothing was formatted between that probe and our exclusive
 * claim, and that a caller without the library cannot wipe a common
 * format by mistake; it matches bare magic numbers, on purpose. It is the
 * table of Documentation/userspace-api/vdswipe.rst, which says why; which
 * cleans fail with ENOTEMPTY is ABI, so it does not follow libblkid.
 *
 * Grouped by the 4 KiB block they live in; none crosses a block.
 */
static const struct vdswipe_sig vdswipe_sigs[] = {
	{ 0,	 4,  "XFSB",		 "XFS" },
	{ 0,	 6,  "LUKS\xba\xbe",	 "LUKS" },
	{ 0,	 4,  "\xfc\x4e\x2b\xa9", "md 1.1" },
	{ 510,	 2,  "\x55\xaa",	 "MBR / boot sector" },
	{ 512,	 8,  "EFI PART",	 "GPT (512-byte sectors)" },
	{ 512,	 8,  "LABELONE",	 "LVM2" },
	{ 1080,	 2,  "\x53\xef",	 "ext2/3/4" },
	{ 4086,	 10, "SWAPSPACE2",	 "swap" },
	{ 4086,	 10, "SWAP-SPACE",	 "swap (old)" },
	{ 4096,	 8,  "EFI PART",	 "GPT (4096-byte sectors)" },
	{ 4096,	 4,  "\xfc\x4e\x2b\xa9", "md 1.2" },
	{ 32769, 5,  "CD001",		 "ISO 9660" },
	{ 65600, 8,  "_BHRfS_M",	 "btrfs" },
};

#define VDSWIPE_SIG_BLOCK	SZ_4K

/* Reads @len bytes at @pos straight from the device, not the page cache. */
static int vdswipe_read_block(struct block_device *bdev, u64 pos,
			      unsigned int len, struct page *page)
{
	struct bio_vec bvec;
	struct bio bio;
	int ret;

	bio_init(&bio, bdev, &bvec, 1, REQ_OP_READ);
	bio.bi_iter.bi_sector = pos >> SECTOR_SHIFT;
	__bio_add_page(&bio, page, len, 0);
	ret = submit_bio_wait(&bio);
	bio_uninit(&bio);
	return ret;
}

/*
 * Returns 0 if no known signature is found in the first blocks of @bdev,
 * -ENOTEMPTY if one is, or the error of the read. Blocks past the end of the
 * device are not read; a signature is only matched if it lies entirely
 * inside the device. May sleep.
 */
static int vdswipe_check_signatures(struct block_device *bdev, u64 size)
{
	u64 cur = U64_MAX;
	struct page *page;
	unsigned int i;
	int ret = 0;
	u8 *data;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	data = page_address(page);

	for (i = 0; i < ARRAY_SIZE(vdswipe_sigs); i++) {
		const struct vdswipe_sig *sig = &vdswipe_sigs[i];
		u64 block = round_down(sig->offset, VDSWIPE_SIG_BLOCK);

		if (sig->offset + sig->len > size)
			continue;
		if (block != cur) {
			/* size - block is a multiple of the logical block size. */
			ret = vdswipe_read_block(bdev, block,
						 min_t(u64, size - block,
						       VDSWIPE_SIG_BLOCK),
						 page);
			if (ret)
				break;
			cur = block;
		}
		if (!memcmp(data + sig->offset - block, sig->magic, sig->len)) {
			pr_debug("%pg: %s signature at %u\n", bdev, sig->name,
				 sig->offset);
			ret = -ENOTEMPTY;
			break;
		}
	}
	__free_page(page);
	return ret;
}

/*
 * The disk has a partition. gendisk->part_tbl holds the whole disk at index 0
 * and the partitions from index 1 on (6.1 and 6.12 alike); xa_find() takes
 * the RCU read lock itself. A snapshot is all we need: it only decides
 * whether to refuse the clean.
 */
static bool vdswipe_disk_has_partitions(struct gendisk *disk)
{
	unsigned long idx = 1;

	return xa_find(&disk->part_tbl, &idx, ULONG_MAX, XA_PRESENT);
}

static struct vdswipe_dev *vdswipe_dev_find(struct gendisk *disk)
{
	lockdep_assert_held(&vdswipe_claims_lock);

	return xa_load(&vdswipe_devs, vdswipe_disk_key(disk));
}

/*
 * ->mark_dead of our claims: the disk of @bdev is going away (del_gendisk(),
 * or a driver's surprise removal). Called with bdev->bd_holder_lock held,
 * which we must drop. vdswipe_claims_lock is never held while a device is
 * opened or closed (which take bd_holder_lock), so it may be taken here.
 * The ops on the disk stop submitting at their next chunk and end FAILED
 * with -ENODEV.
 */
static void vdswipe_mark_dead(struct block_device *bdev, bool surprise)
{
	struct vdswipe_dev *dev;

	mutex_lock(&vdswipe_claims_lock);
	dev = vdswipe_dev_find(bdev->bd_disk);
	if (dev)
		WRITE_ONCE(dev->dead, true);
	mutex_unlock(&vdswipe_claims_lock);
	vdswipe_mark_dead_done(bdev);
}

static const struct blk_holder_ops vdswipe_holder_ops = {
	.mark_dead = vdswipe_mark_dead,
};

/**
 * vdswipe_claim_dead - the op's device is gone
 * @claim: an op's claim, held
 *
 * True once the block layer called ->mark_dead for its disk (6.12) or the
 * disk is marked dead (del_gendisk(), both kernels). Any context.
 */
bool vdswipe_claim_dead(struct vdswipe_claim *claim)
{
	return READ_ONCE(claim->dev->dead) ||
	       vdswipe_disk_dead(claim->bdev->bd_disk);
}

/*
 * Opens and claims @dev->bdev exclusively. Called without
 * vdswipe_claims_lock: opening may take long (a partition scan, a slow
 * device) and must not stall other submits and op ends.
 */
static int vdswipe_dev_open(struct vdswipe_dev *dev)
{
	int ret;

	ret = vdswipe_bdev_claim(&dev->handle, dev->bdev->bd_dev,
				 &vdswipe_holder, &vdswipe_holder_ops);
	if (ret)
		return ret;
	/* The device behind the fd was deleted and its number reused. */
	if (vdswipe_bdev_from_handle(&dev->handle) != dev->bdev) {
		vdswipe_bdev_unclaim(&dev->handle, &vdswipe_holder);
		return -ENXIO;
	}
	return 0;
}

/*
 * Gives @claim the sectors [@start, @end) of @bdev. -EEXIST if an op of ours
 * owns an overlapping range, or another device of the same disk; else 0 or
 * the claim's error (-EBUSY: somebody else holds the device).
 *
 * The range is registered under vdswipe_claims_lock first; the submit that
 * finds no entry for the disk creates one marked @opening and opens and
 * claims the device after dropping the lock. Concurrent submits that fit
 * wait, killably, for the open to finish and share its outcome; those that
 * overlap wait until the entry holds a claim or is gone and look again, so
 * EEXIST always means a claimed device that an op of ours owns.
 */
static int vdswipe_claim_attach(struct vdswipe_claim *claim,
				struct block_device *bdev, u64 start, u64 end)
{
	u64 first = start >> SECTOR_SHIFT;
	u64 last = (end >> SECTOR_SHIFT) - 1;
	struct vdswipe_dev *dev, *new = NULL;
	bool opener = false;
	int ret;

again:
	mutex_lock(&vdswipe_claims_lock);
	dev = vdswipe_dev_find(bdev->bd_disk);
	if (dev) {
		bool conflict = dev->bdev != bdev ||
			vdswipe_range_iter_first(&dev->ranges, first, last);

		/*
		 * An entry being closed, or one without a claim (a submit
		 * still opening the device, or failing to), is not an op of
		 * ours holding it: once it settles, the answer is the
		 * device's own (EBUSY, or a claim of our own), not EEXIST.
		 */
		if (dev->closing || (conflict && !dev->claimed)) {
			unsigned long gen = vdswipe_claims_gen;

			mutex_unlock(&vdswipe_claims_lock);
			ret = wait_event_killable(vdswipe_claims_wq,
				READ_ONCE(vdswipe_claims_gen) != gen);
			if (ret) {
				kfree(new);
				return ret;
			}
			goto again;
		}
		if (conflict) {
			mutex_unlock(&vdswipe_claims_lock);
			kfree(new);
			return -EEXIST;
		}
	} else {
		/*
		 * Only the first op on a disk needs an entry: allocate it
		 * (and format the disk's name, once per claim) without the
		 * lock, then look again.
		 */
		if (!new) {
			mutex_unlock(&vdswipe_claims_lock);
			new = kzalloc(sizeof(*new), GFP_KERNEL);
			if (!new)
				return -ENOMEM;
			snprintf(new->disk, sizeof(new->disk), "%pg", bdev);
			goto again;
		}
		new->bdev = bdev;
		new->ranges = RB_ROOT_CACHED;
		new->opening = true;
		ret = xa_insert(&vdswipe_devs, vdswipe_disk_key(bdev->bd_disk),
				new, GFP_KERNEL);
		if (ret) {
			mutex_unlock(&vdswipe_claims_lock);
			kfree(new);
			return ret;
		}
		dev = new;
		new = NULL;
		opener = true;
	}
	claim->bdev = bdev;
	claim->dev = dev;
	claim->range.start = first;
	claim->range.last = last;
	vdswipe_range_insert(&claim->range, &dev->ranges);
	mutex_unlock(&vdswipe_claims_lock);
	kfree(new);

	/* Our range keeps @dev on the registry from here on. */
	if (opener) {
		ret = vdswipe_dev_open(dev);
		mutex_lock(&vdswipe_claims_lock);
		dev->opening = false;
		dev->claimed = !ret;
		dev->open_err = ret;
		vdswipe_claims_gen++;
		mutex_unlock(&vdswipe_claims_lock);
		if (wq_has_sleeper(&vdswipe_claims_wq))
			wake_up_all(&vdswipe_claims_wq);
	} else {
		ret = wait_event_killable(vdswipe_claims_wq,
					  !READ_ONCE(dev->opening));
		if (!ret) {
			mutex_lock(&vdswipe_claims_lock);
			ret = dev->open_err;
			mutex_unlock(&vdswipe_claims_lock);
		}
	}
	if (ret)
		vdswipe_claim_release(claim);
	return ret;
}

static int vdswipe_check_device(struct block_device *bdev,
				const struct vdswipe_req *req, u64 size)
{
	unsigned int lbs = bdev_logical_block_size(bdev);
	u64 end;

	if (req->flags & VDSWIPE_CLEAN_RANGE) {
		if (!IS_ALIGNED(req->offset, lbs) ||
		    !IS_ALIGNED(req->length, lbs) ||
		    check_add_overflow(req->offset, req->length, &end) ||
		    end > size)
			return -EINVAL;
	}
	if (bdev_is_zoned(bdev))
		return -EMEDIUMTYPE;
	if (bdev_read_only(bdev))
		return -EROFS;
	if (req->passes[0].method == VDSWIPE_METHOD_DISCARD) {
		if (req->flags & VDSWIPE_CLEAN_SECURE) {
			if (!bdev_max_secure_erase_sectors(bdev))
				return -EOPNOTSUPP;
		} else if (!bdev_max_discard_sectors(bdev)) {
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/**
 * vdswipe_claim_acquire - validate the device of a clean and claim it
 * @claim:     zero-initialised; filled on success
 * @req:       the request, its fields already checked
 * @dev_bytes: out, the size of the device
 *
 * On success the device is claimed exclusively and registered; undo with
 * vdswipe_claim_release(). On failure nothing is held. May sleep.
 */
int vdswipe_claim_acquire(struct vdswipe_claim *claim,
			  const struct vdswipe_req *req, u64 *dev_bytes)
{
	bool verify_only = req->flags & VDSWIPE_SANITIZE_VERIFY_ONLY;
	struct block_device *bdev;
	struct file *file;
	u64 size, start, end;
	int ret;

	file = fget(req->fd);
	if (!file)
		return -EBADF;
	ret = -ENOTBLK;
	if (!S_ISBLK(file_inode(file)->i_mode))
		goto put_file;
	/* A verify-only op writes nothing: reading is the right it needs. */
	ret = -EACCES;
	if (!(file->f_mode & (verify_only ? FMODE_READ : FMODE_WRITE)))
		goto put_file;

	bdev = I_BDEV(file->f_mapping->host);
	size = bdev_nr_bytes(bdev);
	ret = -ENOMEDIUM;
	if (!size)
		goto put_file;
	ret = vdswipe_check_device(bdev, req, size);
	if (ret)
		goto put_file;

	/* vdswipe_check_device() made sure the range fits. */
	start = req->flags & VDSWIPE_CLEAN_RANGE ? req->offset : 0;
	end = req->flags & VDSWIPE_CLEAN_RANGE ? req->offset + req->length : size;
	ret = vdswipe_claim_attach(claim, bdev, start, end);
	if (ret)
		goto put_file;
	/* The claim keeps bdev alive from here on. */
	fput(file);

	/*
	 * Write back what others left dirty in the page cache: the signature
	 * check must see it, and writeback after the clean must not bring
	 * the old data back. A writeback error is the next writer's business
	 * (we are about to overwrite those blocks anyway).
	 */
	sync_blockdev(bdev);

	/* Nothing to protect from a verification: it only reads. */
	if (!(req->flags & VDSWIPE_CLEAN_FORCE) && !verify_only) {
		ret = -ENOTEMPTY;
		if (!bdev_is_partition(bdev) &&
		    vdswipe_disk_has_partitions(bdev->bd_disk))
			goto release_claim;
		ret = vdswipe_check_signatures(bdev, size);
		if (ret)
			goto release_claim;
	}

	*dev_bytes = size;
	return 0;

release_claim:
	vdswipe_claim_release(claim);
	return ret;
put_file:
	fput(file);
	return ret;
}

/* The claimed disk's name ("%pg"), formatted when its entry was made. */
const char *vdswipe_claim_disk(const struct vdswipe_claim *claim)
{
	return claim->dev->disk;
}

/**
 * vdswipe_claim_release - give back what vdswipe_claim_acquire() took
 * @claim: the claim; calling this again does nothing
 *
 * The op's range is free when it returns; if it was the last op on the
 * device, the device is unclaimed and closed too. May sleep.
 */
void vdswipe_claim_release(struct vdswipe_claim *claim)
{
	struct vdswipe_dev *dev, *gone = NULL;
	bool settled = false;

	might_sleep();
	mutex_lock(&vdswipe_claims_lock);
	dev = claim->dev;
	if (dev) {
		vdswipe_range_remove(&claim->range, &dev->ranges);
		claim->dev = NULL;
		if (!dev->claimed) {
			vdswipe_claims_gen++;
			settled = true;
		}
		if (RB_EMPTY_ROOT(&dev->ranges.rb_root)) {
			if (dev->claimed)
				dev->closing = true;
			else
				xa_erase(&vdswipe_devs,
					 vdswipe_disk_key(dev->bdev->bd_disk));
			gone = dev;
		}
	}
	mutex_unlock(&vdswipe_claims_lock);
	if (settled && wq_has_sleeper(&vdswipe_claims_wq))
		wake_up_all(&vdswipe_claims_wq);
	if (!gone)
		return;
	/* Nobody attaches to it any more: close it without the lock. */
	if (gone->claimed) {
		/* the key before the unclaim: it may drop the last reference */
		unsigned long key = vdswipe_disk_key(gone->bdev->bd_disk);

		vdswipe_bdev_unclaim(&gone->handle, &vdswipe_holder);
		mutex_lock(&vdswipe_claims_lock);
		xa_erase(&vdswipe_devs, key);
		vdswipe_claims_gen++;
		mutex_unlock(&vdswipe_claims_lock);
		if (wq_has_sleeper(&vdswipe_claims_wq))
			wake_up_all(&vdswipe_claims_wq);
	}
	kfree(gone);
}
