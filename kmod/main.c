// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe: asynchronous cleaning of block devices with the cancel semantics
 * of the Windows Virtual Disk Service.
 *
 * Documentation/userspace-api/vdswipe.rst describes the interface.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <uapi/linux/vdswipe.h>

#include "compat.h"

static long vdswipe_ioctl_version(void __user *argp)
{
	struct vdswipe_version ver = {
		.abi_version = VDSWIPE_ABI_VERSION,
	};

	if (copy_to_user(argp, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

static long vdswipe_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VDSWIPE_IOC_VERSION:
		return vdswipe_ioctl_version(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vdswipe_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vdswipe_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vdswipe_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vdswipe",
	.fops	= &vdswipe_fops,
	.mode	= 0600,
};

static int __init vdswipe_init(void)
{
	int ret;

	ret = misc_register(&vdswipe_misc);
	if (ret) {
		pr_err("cannot register /dev/vdswipe: %d\n", ret);
		return ret;
	}
	pr_info("ABI %u loaded\n", VDSWIPE_ABI_VERSION);
	return 0;
}

static void __exit vdswipe_exit(void)
{
	misc_deregister(&vdswipe_misc);
}

module_init(vdswipe_init);
module_exit(vdswipe_exit);

MODULE_DESCRIPTION("Asynchronous block device cleaning with VDS cancel semantics");
MODULE_AUTHOR("The vdswipe developers");
MODULE_LICENSE("GPL");
