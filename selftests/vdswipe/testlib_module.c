// SPDX-License-Identifier: GPL-2.0
/*
 * testlib_module.c - the vdswipe module, and running with fewer
 * privileges (see testlib_module.h).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "testlib.h"
#include "testlib_int.h"

/* -------------------------------------------------------------- module */

bool vt_module_loaded(void)
{
	return vt_path_exists("/sys/module/" VT_MODULE);
}

int vt_module_load(const char *params)
{
	int i;

	if (vt_module_loaded())
		return -EEXIST;
	if (vt_run("modprobe " VT_MODULE " %s", params ? params : ""))
		return -EIO;
	for (i = 0; i < 200; i++) {
		if (vt_path_exists(VT_DEV_NODE))
			return 0;
		vt_sleep_ms(10);
	}
	return -ENODEV;
}

int vt_module_unload(void)
{
	int i;

	for (i = 0; i < 20; i++) {
		if (!vt_module_loaded())
			return 0;
		if (vt_run("rmmod " VT_MODULE) == 0)
			return 0;
		vt_sleep_ms(50);
	}
	return vt_module_loaded() ? -EBUSY : 0;
}

int vt_module_reload(const char *params)
{
	int ret = vt_module_unload();

	if (ret)
		return ret;
	return vt_module_load(params);
}

/* ----------------------------------------------------------- privilege */

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const uint32_t bit = 1U << (CAP_SYS_ADMIN % 32);
	const int idx = CAP_SYS_ADMIN / 32;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[idx].effective &= ~bit;
	data[idx].permitted &= ~bit;
	data[idx].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

static bool has_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return true;
	return data[CAP_SYS_ADMIN / 32].effective & (1U << (CAP_SYS_ADMIN % 32));
}

int vt_run_dropped(enum vt_drop how, int (*fn)(void *arg), void *arg)
{
	pid_t pid;
	int st, ret;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (how == VT_DROP_CAPSET) {
			if (drop_sys_admin())
				_exit(255);
		} else {
			if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(255);
		}
		if (has_sys_admin())
			_exit(255);
		ret = fn(arg);
		if (ret > 0 || ret <= -255)
			_exit(254);
		_exit(-ret);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -ECHILD;
	if (!WIFEXITED(st) || WEXITSTATUS(st) >= 254)
		return -ECHILD;
	return -WEXITSTATUS(st);
}
