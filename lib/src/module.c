// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * module.c - open /dev/vdswipe, loading the vdswipe module through libkmod
 * when the node is missing and the caller may load modules.
 *
 * Errors (see the OPEN rows of translate.c):
 *   -ENOENT     not loaded, and no module file: not in the module tree, or
 *               the .ko path ($VDSWIPE_KO or the option) does not exist
 *   -ESRCH      not loaded, and not loading it: no CAP_SYS_MODULE, or
 *               VDSW_SESSION_NO_LOAD
 *   -ENOEXEC    the kernel refused the module (init_module failed)
 *   -ETIMEDOUT  loaded, but the node did not appear in time
 */
#include <fcntl.h>
#include <libkmod.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Whether this process has CAP_SYS_MODULE in its effective set. */
static bool may_load_modules(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return geteuid() == 0;
	return data[CAP_TO_INDEX(CAP_SYS_MODULE)].effective &
	       CAP_TO_MASK(CAP_SYS_MODULE);
}

/* libkmod's messages end up in the detail rather than on stderr. */
struct kmod_log {
	char last[256];
};

static void kmod_log_fn(void *data, int prio, const char *file, int line,
			const char *fn, const char *fmt, va_list args)
{
	struct kmod_log *log = data;
	size_t len;

	(void)prio; (void)file; (void)line; (void)fn;
	vsnprintf(log->last, sizeof(log->last), fmt, args);
	len = strlen(log->last);
	if (len && log->last[len - 1] == '\n')
		log->last[len - 1] = '\0';
}

/* -ENOENT also when a stale node has no driver behind it (ENXIO, ENODEV). */
static int node_open(int *fdp)
{
	int fd = open(VDSW_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno == ENXIO || errno == ENODEV ? -ENOENT : -errno;
	*fdp = fd;
	return 0;
}

/* devtmpfs creates the node when the module registers its misc device. */
static int node_wait_open(unsigned int timeout_ms, int *fdp)
{
	const struct timespec step = { .tv_nsec = 10 * 1000 * 1000 };
	unsigned int waited = 0;
	int ret;

	for (;;) {
		ret = node_open(fdp);
		if (ret != -ENOENT)
			return ret;
		if (waited >= timeout_ms)
			return vdsw__err(-ETIMEDOUT, "the vdswipe module is loaded but " VDSW_DEV_PATH " did not appear within %u ms (is devtmpfs mounted on /dev?)",
					 timeout_ms);
		nanosleep(&step, NULL);
		waited += 10;
	}
}

static int insert(struct kmod_ctx *ctx, const char *ko, struct kmod_log *log)
{
	struct kmod_module *mod = NULL;
	struct stat st;
	int ret;

	if (ko) {
		if (stat(ko, &st) < 0)
			return vdsw__err(-ENOENT, "the vdswipe module is not loaded and the module file %s cannot be used: %s",
					 ko, strerror(errno));
		ret = kmod_module_new_from_path(ctx, ko, &mod);
	} else {
		ret = kmod_module_new_from_name(ctx, VDSW_MODULE_NAME, &mod);
		if (!ret && !kmod_module_get_path(mod)) {
			kmod_module_unref(mod);
			return vdsw__err(-ENOENT, "the vdswipe module is not loaded and not installed for this kernel (modules.dep has no " VDSW_MODULE_NAME "); set VDSWIPE_KO to a .ko file");
		}
	}
	if (ret < 0)
		return vdsw__err(ret == -ENOMEM ? ret : -ENOENT,
				 "cannot use the vdswipe module file: %s", strerror(-ret));
	if (!may_load_modules()) {
		kmod_module_unref(mod);
		return vdsw__err(-ESRCH, "the vdswipe module is not loaded and this process lacks CAP_SYS_MODULE to load it (run modprobe vdswipe as root)");
	}
	if (ko)
		ret = kmod_module_insert_module(mod, 0, NULL);
	else
		ret = kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
	kmod_module_unref(mod);
	if (ret == -EEXIST || ret == 0)	/* EEXIST: someone else loaded it */
		return 0;
	if (ret == -ENOMEM)
		return ret;
	return vdsw__err(-ENOEXEC, "loading the vdswipe module%s%s failed: %s%s%s",
			 ko ? " from " : "", ko ? ko : "", strerror(-ret),
			 log->last[0] ? "; libkmod: " : "", log->last);
}

/* Load the module unless it is loaded; 0 when it is (now) loaded. */
static int load(const struct vdsw_session_opts *o)
{
	struct kmod_log log = { .last = "" };
	struct kmod_module *mod = NULL;
	const char *ko = o->ko_path;
	struct kmod_ctx *ctx;
	int ret;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return vdsw__err(-ENOMEM, "kmod_new() failed");
	kmod_set_log_fn(ctx, kmod_log_fn, &log);

	ret = kmod_module_new_from_name(ctx, VDSW_MODULE_NAME, &mod);
	if (ret < 0)
		goto out;
	ret = kmod_module_get_initstate(mod);
	kmod_module_unref(mod);
	if (ret == KMOD_MODULE_LIVE || ret == KMOD_MODULE_COMING ||
	    ret == KMOD_MODULE_BUILTIN) {
		ret = 0;	/* loaded; the node may still be on its way */
		goto out;
	}
	if (o->flags & VDSW_SESSION_NO_LOAD) {
		ret = vdsw__err(-ESRCH, "the vdswipe module is not loaded (VDSW_SESSION_NO_LOAD)");
		goto out;
	}
	if (!ko)
		ko = secure_getenv("VDSWIPE_KO");
	if (ko && !*ko)
		ko = NULL;
	ret = insert(ctx, ko, &log);
out:
	kmod_unref(ctx);
	return ret;
}

int vdsw__module_open(const struct vdsw_session_opts *o, int *fdp)
{
	int ret = node_open(fdp);

	if (ret != -ENOENT)
		return ret < 0 ? vdsw__err(ret, "cannot open " VDSW_DEV_PATH ": %s",
					   strerror(-ret)) : 0;
	ret = load(o);
	if (ret)
		return ret;
	return node_wait_open(o->node_timeout_ms ? o->node_timeout_ms
						 : VDSW_NODE_TIMEOUT_MS, fdp);
}
