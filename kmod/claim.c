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
#include <linux/interval_tree.h>
#include <linux/lockdep.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "vdswipe.h"

/**
 * struct vdswipe_dev - a block device claimed exclusively for vdswipe
 * @bdev:   the device
 * @handle: what the kernel's claim API returned (compat.h)
 * @ranges: the sectors each op on @bdev owns (struct vdswipe_claim.range);
 *          never overlapping; the claim is given back when it empties
 *
 * One claim per device, shared by the ops on it; every field is under
 * vdswipe_claims_lock.
 */
struct vdswipe_dev {
	struct block_device *bdev;
	struct vdswipe_bdev_handle handle;
	struct rb_root_cached ranges;
};

/*
 * The conflict registry: the claimed devices, keyed by their disk's dev_t
 * (so that a submit costs O(log n) however many disks are held). Ops on one
 * device may run side by side on ranges that do not overlap; a disk is never
 * touched through two devices (a partition and its whole disk, or two
 * partitions), so that "overlap" needs no translation between them. The
 * xarray's own lock is not enough: a device is opened, claimed and closed
 * under vdswipe_claims_lock, which also covers every struct vdswipe_dev.
 */
static DEFINE_MUTEX(vdswipe_claims_lock);
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

/* Grouped by the 4 KiB block they live in; none crosses a block. */
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

/* Opens and claims @bdev exclusively; the registry's new entry for it. */
static struct vdswipe_dev *vdswipe_dev_open(struct block_device *bdev)
{
	struct vdswipe_dev *dev;
	int ret;

	lockdep_assert_held(&vdswipe_claims_lock);

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	ret = vdswipe_bdev_claim(&dev->handle, bdev->bd_dev, &vdswipe_holder);
	if (ret)
		goto free_dev;
	dev->bdev = vdswipe_bdev_from_handle(&dev->handle);
	/* The device behind the fd was deleted and its number reused. */
	ret = -ENXIO;
	if (dev->bdev != bdev)
		goto unclaim;
	dev->ranges = RB_ROOT_CACHED;
	ret = xa_insert(&vdswipe_devs, vdswipe_disk_key(bdev->bd_disk), dev,
			GFP_KERNEL);
	if (ret)
		goto unclaim;
	return dev;

unclaim:
	vdswipe_bdev_unclaim(&dev->handle, &vdswipe_holder);
free_dev:
	kfree(dev);
	return ERR_PTR(ret);
}

/*
 * Gives @claim the sectors [@start, @end) of @bdev: claims the device unless
 * another op of ours holds it already. -EEXIST if an op of ours owns an
 * overlapping range, or another device of the same disk; else 0 or the
 * claim's error (-EBUSY: somebody else holds the device).
 */
static int vdswipe_claim_attach(struct vdswipe_claim *claim,
				struct block_device *bdev, u64 start, u64 end)
{
	unsigned long first = start >> SECTOR_SHIFT;
	unsigned long last = (end >> SECTOR_SHIFT) - 1;
	struct vdswipe_dev *dev;
	int ret = -EEXIST;

	mutex_lock(&vdswipe_claims_lock);
	dev = vdswipe_dev_find(bdev->bd_disk);
	if (dev) {
		if (dev->bdev != bdev ||
		    interval_tree_iter_first(&dev->ranges, first, last))
			goto unlock;
	} else {
		dev = vdswipe_dev_open(bdev);
		ret = PTR_ERR_OR_ZERO(dev);
		if (ret)
			goto unlock;
	}
	claim->bdev = bdev;
	claim->dev = dev;
	claim->range.start = first;
	claim->range.last = last;
	interval_tree_insert(&claim->range, &dev->ranges);
	ret = 0;
unlock:
	mutex_unlock(&vdswipe_claims_lock);
	return ret;
}

static int vdswipe_check_device(struct block_device *bdev,
				const struct vdswipe_clean *req, u64 size)
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
	if (req->method == VDSWIPE_METHOD_DISCARD) {
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
			  const struct vdswipe_clean *req, u64 *dev_bytes)
{
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
	ret = -EACCES;
	if (!(file->f_mode & FMODE_WRITE))
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

	if (!(req->flags & VDSWIPE_CLEAN_FORCE)) {
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

/**
 * vdswipe_claim_release - give back what vdswipe_claim_acquire() took
 * @claim: the claim; calling this again does nothing
 *
 * The op's range is free when it returns; if it was the last op on the
 * device, the device is unclaimed and closed too. May sleep.
 */
void vdswipe_claim_release(struct vdswipe_claim *claim)
{
	struct vdswipe_dev *dev;

	might_sleep();
	mutex_lock(&vdswipe_claims_lock);
	dev = claim->dev;
	if (dev) {
		interval_tree_remove(&claim->range, &dev->ranges);
		claim->dev = NULL;
		if (RB_EMPTY_ROOT(&dev->ranges.rb_root)) {
			xa_erase(&vdswipe_devs,
				 vdswipe_disk_key(dev->bdev->bd_disk));
			vdswipe_bdev_unclaim(&dev->handle, &vdswipe_holder);
			kfree(dev);
		}
	}
	mutex_unlock(&vdswipe_claims_lock);
}
