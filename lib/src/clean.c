// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clean.c - vdsw_clean(), vdsw_clean_fd(): IVdsAdvancedDisk::Clean, and
 * vdsw_verify(), vdsw_verify_fd(): a verification alone.
 *
 * Checked in this order, the first failing check decides, nothing is
 * written before VDSWIPE_IOC_CLEAN (or _SANITIZE): arguments, session,
 * module features, the device (path, fd, access mode, range), the safety
 * checks (probe.c, not for a verification: it writes nothing), then the
 * kernel's own checks.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

_Static_assert(VDSW_CLEAN_OPTS_SIZE_V2 == sizeof(struct vdsw_clean_opts),
	       "VDSW_CLEAN_OPTS_SIZE_V2");
_Static_assert(VDSW_VERIFY_OPTS_SIZE_V1 == sizeof(struct vdsw_verify_opts),
	       "VDSW_VERIFY_OPTS_SIZE_V1");

static int check_pattern(uint32_t method, uint32_t pattern)
{
	if (method == VDSWIPE_METHOD_PATTERN ? pattern > 0xFF : pattern != 0)
		return vdsw__err(-EINVAL, "pattern 0x%x: a byte (0-255), and only with VDSWIPE_METHOD_PATTERN",
				 pattern);
	return 0;
}

static int check_range(uint32_t flags, uint64_t offset, uint64_t length)
{
	if (!(flags & VDSW_CLEAN_RANGE)) {
		if (offset || length)
			return vdsw__err(-EINVAL, "offset and length need VDSW_CLEAN_RANGE");
		return 0;
	}
	if (!length)
		return vdsw__err(-EINVAL, "VDSW_CLEAN_RANGE with length 0");
	if (offset + length < offset)
		return vdsw__err(-EINVAL, "offset + length overflows");
	return 0;
}

/* verify and sample_pct, as struct vdsw_clean_opts and vdsw_verify_opts have them. */
static int check_verify(uint32_t verify, uint32_t sample_pct)
{
	if (verify > VDSWIPE_VERIFY_ALL)
		return vdsw__err(-EINVAL, "unknown verify mode %u", verify);
	if (verify == VDSWIPE_VERIFY_OFF && sample_pct)
		return vdsw__err(-EINVAL, "sample_pct %u without verification", sample_pct);
	if (sample_pct > 100)
		return vdsw__err(-EINVAL, "sample_pct %u: 1..100 (or 0 for 100)", sample_pct);
	return 0;
}

/* The passes and verification of libvdswipe 1.1 (zero in a V1 struct). */
static int check_passes(const struct vdsw_clean_opts *o)
{
	const struct vdswipe_pass *p;
	uint32_t i;
	int ret;

	if (o->reserved0)
		return vdsw__err(-EINVAL, "clean options .reserved0 is not zero");
	if (o->nr_passes > VDSWIPE_MAX_PASSES)
		return vdsw__err(-EINVAL, "%u passes, at most %d", o->nr_passes, VDSWIPE_MAX_PASSES);
	ret = check_verify(o->verify, o->sample_pct);
	if (ret)
		return ret;
	if (o->nr_passes && (o->method || o->pattern))
		return vdsw__err(-EINVAL, "method and pattern must be 0 when nr_passes is given: passes[] says what to write");
	if ((o->nr_passes || o->verify) && o->method == VDSWIPE_METHOD_DISCARD)
		return vdsw__err(-EINVAL, "VDSWIPE_METHOD_DISCARD cannot be a pass nor be verified");
	for (i = 0; i < VDSWIPE_MAX_PASSES; i++) {
		p = &o->passes[i];
		if (i >= o->nr_passes) {
			if (p->method || p->pattern)
				return vdsw__err(-EINVAL, "passes[%u] is past nr_passes %u and not zero",
						 i, o->nr_passes);
			continue;
		}
		if (p->method != VDSWIPE_METHOD_ZERO && p->method != VDSWIPE_METHOD_PATTERN &&
		    p->method != VDSWIPE_METHOD_RANDOM)
			return vdsw__err(-EINVAL, "passes[%u].method %u: VDSWIPE_METHOD_ZERO, _PATTERN or _RANDOM",
					 i, p->method);
		ret = check_pattern(p->method, p->pattern);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_opts(const struct vdsw_clean_opts *o)
{
	int ret;

	if (o->flags & ~VDSW_CLEAN_FLAGS_ALL)
		return vdsw__err(-EINVAL, "unknown clean flags 0x%x", o->flags & ~VDSW_CLEAN_FLAGS_ALL);
	if (o->method > VDSWIPE_METHOD_RANDOM)
		return vdsw__err(-EINVAL, "unknown clean method %u", o->method);
	ret = check_pattern(o->method, o->pattern);
	if (ret)
		return ret;
	if ((o->flags & VDSW_CLEAN_SECURE) && o->method != VDSWIPE_METHOD_DISCARD)
		return vdsw__err(-EINVAL, "VDSW_CLEAN_SECURE needs VDSWIPE_METHOD_DISCARD");
	ret = check_passes(o);
	if (ret)
		return ret;
	return check_range(o->flags, o->offset, o->length);
}

/* Passes or verification asked for: VDSWIPE_IOC_SANITIZE, else _CLEAN. */
static bool wants_sanitize(const struct vdsw_clean_opts *o)
{
	return o->nr_passes || o->verify != VDSWIPE_VERIFY_OFF;
}

static uint64_t method_features(uint32_t method)
{
	static const uint64_t method_feat[] = {
		[VDSWIPE_METHOD_ZERO] = VDSWIPE_FEAT_CLEAN,
		[VDSWIPE_METHOD_PATTERN] = VDSWIPE_FEAT_CLEAN | VDSWIPE_FEAT_PATTERN,
		[VDSWIPE_METHOD_DISCARD] = VDSWIPE_FEAT_CLEAN | VDSWIPE_FEAT_DISCARD,
		[VDSWIPE_METHOD_RANDOM] = VDSWIPE_FEAT_CLEAN | VDSWIPE_FEAT_RANDOM,
	};

	return method_feat[method];
}

/* The VDSWIPE_FEAT_* bits a clean with these options needs. */
static uint64_t needed_features(const struct vdsw_clean_opts *o)
{
	uint64_t feat = method_features(o->method);
	uint32_t i;

	if (wants_sanitize(o))
		feat |= VDSWIPE_FEAT_SANITIZE;
	for (i = 0; i < o->nr_passes; i++)
		feat |= method_features(o->passes[i].method);
	if (o->flags & VDSW_CLEAN_RANGE)
		feat |= VDSWIPE_FEAT_RANGE;
	return feat;
}

/* The fd must be open for writing (reading, to verify); a range must fit a
 * block device. */
static int check_fd(int fd, bool write, uint32_t oflags, uint64_t offset,
		    uint64_t length)
{
	uint64_t size;
	struct stat st;
	int flags, lbs;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return vdsw__err(-errno, "fd %d is not open", fd);
	if (write && (flags & O_ACCMODE) == O_RDONLY)
		return vdsw__err(-EACCES, "fd %d is not open for writing", fd);
	if (!write && (flags & O_ACCMODE) == O_WRONLY)
		return vdsw__err(-EACCES, "fd %d is not open for reading", fd);
	if (!(oflags & VDSW_CLEAN_RANGE) || fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode))
		return 0;	/* the kernel checks the rest */
	if (ioctl(fd, BLKSSZGET, &lbs) < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0 || lbs <= 0)
		return 0;
	if (offset % (unsigned int)lbs || length % (unsigned int)lbs)
		return vdsw__err(-EINVAL, "range %llu+%llu is not aligned to the logical block size %d",
				 (unsigned long long)offset, (unsigned long long)length, lbs);
	if (offset + length > size)
		return vdsw__err(-EINVAL, "range %llu+%llu ends past the device's %llu bytes",
				 (unsigned long long)offset, (unsigned long long)length,
				 (unsigned long long)size);
	return 0;
}

static int submit_clean(struct vdsw_session *s, int fd, uint32_t kflags,
			const struct vdsw_clean_opts *o, struct vdsw_async *a)
{
	struct vdswipe_clean c = {
		.fd = fd,
		.flags = kflags | (o->flags & VDSW_CLEAN_SECURE ? VDSWIPE_CLEAN_SECURE : 0),
		.method = o->method,
		.pattern = o->pattern,
		.offset = o->offset,
		.length = o->length,
	};
	int ret = vdsw_ioc_clean(s->fd, &c);

	if (!ret)
		a->op_id = c.op_id;
	return ret;
}

static int submit_sanitize(struct vdsw_session *s, struct vdswipe_sanitize *z,
			   struct vdsw_async *a)
{
	int ret;

	/* sample_pct 0 means all chunks in the library's options. */
	if (z->verify != VDSWIPE_VERIFY_OFF && !z->sample_pct)
		z->sample_pct = 100;
	ret = vdsw_ioc_sanitize(s->fd, z);
	if (!ret) {
		a->op_id = z->op_id;
		a->sanitize = true;
	}
	return ret;
}

static int submit(struct vdsw_session *s, int fd, bool force, bool force_oem,
		  bool full, const struct vdsw_clean_opts *o, struct vdsw_async *a)
{
	struct vdswipe_sanitize z = { 0 };
	struct vdsw_probe_info info;
	uint32_t kflags;
	int ret;

	ret = check_fd(fd, true, o->flags, o->offset, o->length);
	if (ret)
		return ret;
	/* With both force flags nothing found could refuse: do not read a
	 * (perhaps failing) disk for nothing. */
	if (!(force && force_oem)) {
		ret = vdsw__probe_fd(fd, force, force_oem, &info);
		if (ret)
			return ret;
	}
	kflags = (full ? VDSWIPE_CLEAN_FULL : 0) | (force ? VDSWIPE_CLEAN_FORCE : 0) |
		 (o->flags & VDSW_CLEAN_RANGE ? VDSWIPE_CLEAN_RANGE : 0);
	if (!wants_sanitize(o)) {
		ret = submit_clean(s, fd, kflags, o, a);
	} else {
		z.fd = fd;
		z.flags = kflags;
		z.offset = o->offset;
		z.length = o->length;
		z.verify = o->verify;
		z.sample_pct = o->sample_pct;
		if (o->nr_passes) {
			z.nr_passes = o->nr_passes;
			memcpy(z.passes, o->passes, sizeof(z.passes));
		} else {
			z.nr_passes = 1;
			z.passes[0].method = o->method;
			z.passes[0].pattern = o->pattern;
		}
		ret = submit_sanitize(s, &z, a);
	}
	if (ret == -ENOTEMPTY)
		return vdsw__err(ret, "the kernel refused: the device holds a partition table or a signature, and force was not given");
	return ret;
}

/* Open the block device at path for the op (a->dev_fd), with mode. */
static int open_dev(const char *path, int mode, struct vdsw_async *a)
{
	struct stat st;

	/* Only block devices get opened: a FIFO would block open(). */
	if (stat(path, &st) < 0)
		return vdsw__err(-errno, "%s: %s", path, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return vdsw__err(-ENOTBLK, "%s is not a block device", path);
	/* Not O_EXCL: the kernel claims the device itself. */
	a->dev_fd = open(path, mode | O_CLOEXEC);
	if (a->dev_fd < 0)
		return vdsw__err(-errno, "%s: %s", path, strerror(errno));
	if (fstat(a->dev_fd, &st) < 0 || !S_ISBLK(st.st_mode))
		return vdsw__err(-ENOTBLK, "%s is not a block device", path);
	return 0;
}

/* by_path: vdsw_clean(path), else vdsw_clean_fd(fd). */
static HRESULT clean(struct vdsw_session *s, bool by_path, const char *path,
		     int fd, int force, int force_oem, int full,
		     const struct vdsw_clean_opts *opts, struct vdsw_async **asyncp)
{
	struct vdsw_clean_opts o = { .size = sizeof(o) };
	struct vdsw_async *a = NULL;
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
					       "this clean method, a ranged clean, passes or verification");
	if (ret)
		return vdsw__hr(VDSW_CALL_CLEAN, ret);
	a = vdsw__async_alloc(s);
	if (!a) {
		ret = -ENOMEM;
		goto out;
	}
	if (by_path) {
		ret = open_dev(path, O_WRONLY, a);
		if (ret)
			goto out;
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

static int check_verify_opts(const struct vdsw_verify_opts *o)
{
	int ret;

	if (o->flags & ~VDSW_CLEAN_RANGE)
		return vdsw__err(-EINVAL, "unknown verify flags 0x%x", o->flags & ~VDSW_CLEAN_RANGE);
	if (o->method != VDSWIPE_METHOD_ZERO && o->method != VDSWIPE_METHOD_PATTERN)
		return vdsw__err(-EINVAL, "verify method %u: VDSWIPE_METHOD_ZERO or _PATTERN", o->method);
	if (o->reserved)
		return vdsw__err(-EINVAL, "verify options .reserved is not zero");
	ret = check_pattern(o->method, o->pattern);
	if (!ret)
		ret = check_verify(VDSWIPE_VERIFY_LAST, o->sample_pct);
	if (!ret)
		ret = check_range(o->flags, o->offset, o->length);
	return ret;
}

/* by_path: vdsw_verify(path), else vdsw_verify_fd(fd). */
static HRESULT verify(struct vdsw_session *s, bool by_path, const char *path,
		      int fd, int full, const struct vdsw_verify_opts *opts,
		      struct vdsw_async **asyncp)
{
	struct vdsw_verify_opts o = { .size = sizeof(o) };
	struct vdswipe_sanitize z = { 0 };
	struct vdsw_async *a = NULL;
	uint64_t feat = VDSWIPE_FEAT_SANITIZE;
	int ret;

	vdsw__err_clear();
	if (!asyncp)
		return E_POINTER;
	*asyncp = NULL;
	if (!s || (by_path && !path))
		return E_POINTER;
	ret = opts ? vdsw__copy_opts(&o, sizeof(o), opts, opts->size,
				     VDSW_VERIFY_OPTS_SIZE_V1) : 0;
	if (!ret)
		ret = check_verify_opts(&o);
	if (!ret && !by_path && fd < 0)
		ret = vdsw__err(-EBADF, "fd %d is not open", fd);
	if (o.flags & VDSW_CLEAN_RANGE)
		feat |= VDSWIPE_FEAT_RANGE;
	if (!ret)
		ret = vdsw__session_enter_feat(s, feat, "verification");
	if (ret)
		return vdsw__hr(VDSW_CALL_VERIFY, ret);
	a = vdsw__async_alloc(s);
	if (!a) {
		ret = -ENOMEM;
		goto out;
	}
	if (by_path) {
		ret = open_dev(path, O_RDONLY, a);
		if (ret)
			goto out;
		fd = a->dev_fd;
	}
	ret = check_fd(fd, false, o.flags, o.offset, o.length);
	if (ret)
		goto out;
	/* FORCE: a verification writes nothing, so the safety checks have
	 * nothing to protect; a partition table is a mismatch to report. */
	z.fd = fd;
	z.flags = VDSWIPE_SANITIZE_VERIFY_ONLY | VDSWIPE_CLEAN_FORCE |
		  (full ? VDSWIPE_CLEAN_FULL : 0) |
		  (o.flags & VDSW_CLEAN_RANGE ? VDSWIPE_CLEAN_RANGE : 0);
	z.offset = o.offset;
	z.length = o.length;
	z.nr_passes = 1;
	z.verify = VDSWIPE_VERIFY_LAST;
	z.sample_pct = o.sample_pct;
	z.passes[0].method = o.method;
	z.passes[0].pattern = o.pattern;
	ret = submit_sanitize(s, &z, a);
out:
	vdsw__session_leave(s);
	if (ret) {
		if (a)
			vdsw__async_free(a);
		return vdsw__hr(VDSW_CALL_VERIFY, ret);
	}
	*asyncp = a;
	return S_OK;
}

HRESULT vdsw_verify(struct vdsw_session *s, const char *path, int full_clean,
		    const struct vdsw_verify_opts *opts, struct vdsw_async **asyncp)
{
	return verify(s, true, path, -1, full_clean, opts, asyncp);
}

HRESULT vdsw_verify_fd(struct vdsw_session *s, int fd, int full_clean,
		       const struct vdsw_verify_opts *opts, struct vdsw_async **asyncp)
{
	return verify(s, false, NULL, fd, full_clean, opts, asyncp);
}
