// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe: asynchronous cleaning of block devices with the cancel semantics
 * of the Windows Virtual Disk Service.
 *
 * Module init and exit, parameters, the misc device and ioctl dispatch.
 * Documentation/userspace-api/vdswipe.rst describes the interface.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "vdswipe.h"

unsigned int vdswipe_max_ops = 256;
module_param_named(max_ops, vdswipe_max_ops, uint, 0444);
MODULE_PARM_DESC(max_ops, "Ops a session may hold at once, >= 1 (default: 256)");

unsigned int vdswipe_chunk_size = SZ_1M;
module_param_named(chunk_size, vdswipe_chunk_size, uint, 0444);
MODULE_PARM_DESC(chunk_size,
		 "Bytes per write chunk, a multiple of 4096 (default: 1048576)");

unsigned int vdswipe_queue_depth = 4;
module_param_named(queue_depth, vdswipe_queue_depth, uint, 0444);
MODULE_PARM_DESC(queue_depth, "Chunks in flight per op, >= 1 (default: 4)");

unsigned int vdswipe_max_active;
module_param_named(max_active, vdswipe_max_active, uint, 0444);
MODULE_PARM_DESC(max_active,
		 "Ops running at once, 0 = workqueue default (default: 0)");

struct workqueue_struct *vdswipe_wq;
struct workqueue_struct *vdswipe_chunk_wq;
struct kmem_cache *vdswipe_op_cache;

#define VDSWIPE_FEATURES	(VDSWIPE_FEAT_CLEAN | VDSWIPE_FEAT_PATTERN | \
				 VDSWIPE_FEAT_DISCARD | VDSWIPE_FEAT_RANGE | \
				 VDSWIPE_FEAT_WAIT | VDSWIPE_FEAT_CANCEL_ALL | \
				 VDSWIPE_FEAT_EVENTS | VDSWIPE_FEAT_RANDOM | \
				 VDSWIPE_FEAT_SANITIZE)

static long vdswipe_ioctl_version(void __user *argp)
{
	struct vdswipe_version ver = {
		.abi_version	= VDSWIPE_ABI_VERSION,
		.max_ops	= vdswipe_max_ops,
		.features	= VDSWIPE_FEATURES,
		.chunk_size	= vdswipe_chunk_size,
		.queue_depth	= vdswipe_queue_depth,
		.max_active	= vdswipe_max_active,
	};

	if (copy_to_user(argp, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

static long vdswipe_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct vdswipe_session *sess = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VDSWIPE_IOC_VERSION:
		return vdswipe_ioctl_version(argp);
	case VDSWIPE_IOC_CLEAN:
		return vdswipe_ioctl_clean(sess, argp);
	case VDSWIPE_IOC_QUERY:
		return vdswipe_ioctl_query(sess, argp);
	case VDSWIPE_IOC_WAIT:
		return vdswipe_ioctl_wait(sess, argp);
	case VDSWIPE_IOC_CANCEL:
		return vdswipe_ioctl_cancel(sess, argp);
	case VDSWIPE_IOC_CANCEL_ALL:
		return vdswipe_ioctl_cancel_all(sess, argp);
	case VDSWIPE_IOC_RELEASE:
		return vdswipe_ioctl_release(sess, argp);
	case VDSWIPE_IOC_SANITIZE:
		return vdswipe_ioctl_sanitize(sess, argp);
	case VDSWIPE_IOC_PROGRESS:
		return vdswipe_ioctl_progress(sess, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vdswipe_fops = {
	.owner		= THIS_MODULE,
	.open		= vdswipe_open,
	.release	= vdswipe_release,
	.read		= vdswipe_read,
	.poll		= vdswipe_poll,
	.unlocked_ioctl	= vdswipe_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vdswipe_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vdswipe",
	.fops	= &vdswipe_fops,
	.mode	= 0600,
};

static int __init vdswipe_check_params(void)
{
	if (!vdswipe_max_ops) {
		pr_err("max_ops must be at least 1\n");
		return -EINVAL;
	}
	if (!vdswipe_chunk_size || !IS_ALIGNED(vdswipe_chunk_size, SZ_4K)) {
		pr_err("chunk_size %u is not a non-zero multiple of 4096\n",
		       vdswipe_chunk_size);
		return -EINVAL;
	}
	if (!vdswipe_queue_depth) {
		pr_err("queue_depth must be at least 1\n");
		return -EINVAL;
	}
	if (vdswipe_max_active > WQ_MAX_ACTIVE) {
		pr_err("max_active %u is above %d\n", vdswipe_max_active,
		       WQ_MAX_ACTIVE);
		return -EINVAL;
	}
	return 0;
}

static int __init vdswipe_init(void)
{
	int ret;

	ret = vdswipe_check_params();
	if (ret)
		return ret;

	/* Ops get their own cache: thousands may be queued at once. */
	vdswipe_op_cache = KMEM_CACHE(vdswipe_op, 0);
	if (!vdswipe_op_cache)
		return -ENOMEM;

	ret = vdswipe_io_init();
	if (ret)
		goto destroy_op_cache;

	vdswipe_wq = alloc_workqueue("vdswipe", WQ_UNBOUND, vdswipe_max_active);
	if (!vdswipe_wq) {
		ret = -ENOMEM;
		goto exit_io;
	}

	/* Keystream and comparison of the chunks in flight, on any CPU. */
	vdswipe_chunk_wq = alloc_workqueue("vdswipe_chunk", WQ_UNBOUND, 0);
	if (!vdswipe_chunk_wq) {
		ret = -ENOMEM;
		goto destroy_wq;
	}

	ret = misc_register(&vdswipe_misc);
	if (ret) {
		pr_err("cannot register /dev/vdswipe: %d\n", ret);
		goto destroy_chunk_wq;
	}

	/* Drivers stay silent when all is well. */
	return 0;

destroy_chunk_wq:
	destroy_workqueue(vdswipe_chunk_wq);
destroy_wq:
	destroy_workqueue(vdswipe_wq);
exit_io:
	vdswipe_io_exit();
destroy_op_cache:
	kmem_cache_destroy(vdswipe_op_cache);
	return ret;
}

static void __exit vdswipe_exit(void)
{
	/*
	 * No session is open (each pins the module), and neither is an op
	 * handed off by a close (each pins the module until its end). The
	 * work function of such an op may still be returning after its
	 * module_put(), and so may the last chunk work of an op after the
	 * op ended: destroy_workqueue() waits for them.
	 */
	misc_deregister(&vdswipe_misc);
	destroy_workqueue(vdswipe_wq);
	destroy_workqueue(vdswipe_chunk_wq);
	vdswipe_io_exit();
	kmem_cache_destroy(vdswipe_op_cache);
}

module_init(vdswipe_init);
module_exit(vdswipe_exit);

MODULE_DESCRIPTION("Asynchronous block device cleaning with VDS cancel semantics");
MODULE_AUTHOR("The vdswipe developers");
MODULE_LICENSE("GPL");
