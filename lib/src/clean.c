// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clean.c - vdsw_clean(), vdsw_clean_fd(): IVdsAdvancedDisk::Clean.
 *
 * Checked in this order, the first failing check decides, nothing is
 * written before VDSWIPE_IOC_CLEAN: arguments, session, module features,
 * the device (path, fd, access mode, range), the safety checks (probe.c),
 * then the kernel's own checks.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int check_opts(const struct vdsw_clean_opts *o)
{
	if (o->flags & ~VDSW_CLEAN_FLAGS_ALL)
		return vdsw__err(-EINVAL, "unknown clean flags 0x%x", o->flags & ~VDSW_CLEAN_FLAGS_ALL);
	if (o->method > VDSWIPE_METHOD_DISCARD)
		return vdsw__err(-EINVAL, "unknown clean method %u", o->method);
	if (o->method == VDSWIPE_METHOD_PATTERN ? o->pattern > 0xFF : o->pattern != 0)
		return vdsw__err(-EINVAL, "pattern 0x%x: a byte (0-255), and only with VDSWIPE_METHOD_PATTERN",
				 o->pattern);
	if ((o->flags & VDSW_CLEAN_SECURE) && o->method != VDSWIPE_METHOD_DISCARD)
		return vdsw__err(-EINVAL, "VDSW_CLEAN_SECURE needs VDSWIPE_METHOD_DISCARD");
	if (!(o->flags & VDSW_CLEAN_RANGE)) {
		if (o->offset || o->length)
			return vdsw__err(-EINVAL, "offset and length need VDSW_CLEAN_RANGE");
		return 0;
	}
	if (!o->length)
		return vdsw__err(-EINVAL, "VDSW_CLEAN_RANGE with length 0");
	if (o->offset + o->length < o->offset)
		return vdsw__err(-EINVAL, "offset + length overflows");
	return 0;
}

/* The VDSWIPE_FEAT_* bits a clean with these options needs. */
static uint64_t needed_features(const struct vdsw_clean_opts *o)
{
	static const uint64_t method_feat[] = {
		[VDSWIPE_METHOD_ZERO] = VDSWIPE_FEAT_CLEAN,
		[VDSWIPE_METHOD_PATTERN] = VDSWIPE_FEAT_CLEAN | VDSWIPE_FEAT_PATTERN,
		[VDSWIPE_METHOD_DISCARD] = VDSWIPE_FEAT_CLEAN | VDSWIPE_FEAT_DISCARD,
	};
	uint64_t feat = method_feat[o->method];

	if (o->flags & VDSW_CLEAN_RANGE)
		feat |= VDSWIPE_FEAT_RANGE;
	return feat;
}

/* The fd must be open for writing; a range must fit a block device. */
static int check_fd(int fd, const struct vdsw_clean_opts *o)
{
	uint64_t size;
	struct stat st;
	int flags, lbs;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return vdsw__err(-errno, "fd %d is not open", fd);
	if ((flags & O_ACCMODE) == O_RDONLY)
		return vdsw__err(-EACCES, "fd %d is not open for writing", fd);
	if (!(o->flags & VDSW_CLEAN_RANGE) || fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode))
		return 0;	/* the kernel checks the rest */
	if (ioctl(fd, BLKSSZGET, &lbs) < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0 || lbs <= 0)
		return 0;
	if (o->offset % (unsigned int)lbs || o->length % (unsigned int)lbs)
		return vdsw__err(-EINVAL, "range %llu+%llu is not aligned to the logical block size %d",
				 (unsigned long long)o->offset, (unsigned long long)o->length, lbs);
	if (o->offset + o->length > size)
		return vdsw__err(-EINVAL, "range %llu+%llu ends past the device's %llu bytes",
				 (unsigned long long)o->offset, (unsigned long long)o->length,
				 (unsigned long long)size);
	return 0;
}

static int submit(struct vdsw_session *s, int fd, bool force, bool force_oem,
		  bool full, const struct vdsw_clean_opts *o, struct vdsw_async *a)
{
	struct vdswipe_clean c = {
		.fd = fd,
		.method = o->method,
		.pattern = o->pattern,
		.offset = o->offset,
		.length = o->length,
	};
	struct vdsw_probe_info info;
	int ret;

	ret = check_fd(fd, o);
	if (ret)
		return ret;
	/* With both force flags nothing found could refuse: do not read a
	 * (perhaps failing) disk for nothing. */
	if (!(force && force_oem)) {
		ret = vdsw__probe_fd(fd, force, force_oem, &info);
		if (ret)
			return ret;
	}
	c.flags = (full ? VDSWIPE_CLEAN_FULL : 0) | (force ? VDSWIPE_CLEAN_FORCE : 0) |
		  (o->flags & VDSW_CLEAN_RANGE ? VDSWIPE_CLEAN_RANGE : 0) |
		  (o->flags & VDSW_CLEAN_SECURE ? VDSWIPE_CLEAN_SECURE : 0);
	ret = vdsw__ioctl(s->fd, VDSWIPE_IOC_CLEAN, &c);
	if (ret == -ENOTEMPTY)
		return vdsw__err(ret, "the kernel refused: the device holds a partition table or a signature, and force was not given");
	if (!ret)
		a->op_id = c.op_id;
	return ret;
}

/* by_path: vdsw_clean(path), else vdsw_clean_fd(fd). */
static HRESULT clean(struct vdsw_session *s, bool by_path, const char *path,
		     int fd, int force, int force_oem, int full,
		     const struct vdsw_clean_opts *opts, struct vdsw_async **asyncp)
{
	struct vdsw_clean_opts o = { .size = sizeof(o) };
	struct vdsw_async *a = NULL;
	struct stat st;
	int ret;

	vdsw__err_clear();
	if (!asyncp)
		return E_POINTER;
	*asyncp = NULL;
	if (!s || (by_path && !path))
		return E_POINTER;
	ret = opts ? vdsw__copy_opts(&o, sizeof(o), opts, opts->size,
				     VDSW_CLEAN_OPTS_SIZE_V1) : 0;
	if (!ret)
		ret = check_opts(&o);
	if (!ret && !by_path && fd < 0)
		ret = vdsw__err(-EBADF, "fd %d is not open", fd);
	if (!ret)
		ret = vdsw__session_enter_feat(s, needed_features(&o),
					       "this clean method or a ranged clean");
	if (ret)
		return vdsw__hr(VDSW_CALL_CLEAN, ret);
	a = vdsw__async_alloc(s);
	if (!a) {
		ret = -ENOMEM;
		goto out;
	}
	if (by_path) {
		/* Only block devices get opened: a FIFO would block open(). */
		if (stat(path, &st) < 0) {
			ret = vdsw__err(-errno, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!S_ISBLK(st.st_mode)) {
			ret = vdsw__err(-ENOTBLK, "%s is not a block device", path);
			goto out;
		}
		/* Not O_EXCL: the kernel claims the device itself. */
		a->dev_fd = open(path, O_WRONLY | O_CLOEXEC);
		if (a->dev_fd < 0) {
			ret = vdsw__err(-errno, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (fstat(a->dev_fd, &st) < 0 || !S_ISBLK(st.st_mode)) {
			ret = vdsw__err(-ENOTBLK, "%s is not a block device", path);
			goto out;
		}
		fd = a->dev_fd;
	}
	ret = submit(s, fd, force, force_oem, full, &o, a);
out:
	vdsw__session_leave(s);
	if (ret) {
		if (a)
			vdsw__async_free(a);
		return vdsw__hr(VDSW_CALL_CLEAN, ret);
	}
	*asyncp = a;
	return S_OK;
}

HRESULT vdsw_clean(struct vdsw_session *s, const char *path, int force,
		   int force_oem, int full_clean, const struct vdsw_clean_opts *opts,
		   struct vdsw_async **asyncp)
{
	return clean(s, true, path, -1, force, force_oem, full_clean, opts, asyncp);
}

HRESULT vdsw_clean_fd(struct vdsw_session *s, int fd, int force, int force_oem,
		      int full_clean, const struct vdsw_clean_opts *opts,
		      struct vdsw_async **asyncp)
{
	return clean(s, false, NULL, fd, force, force_oem, full_clean, opts, asyncp);
}
