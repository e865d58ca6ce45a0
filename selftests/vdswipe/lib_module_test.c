// SPDX-License-Identifier: GPL-2.0
/*
 * libvdswipe through the real module: vdsw_session_open() and module
 * loading through libkmod.
 *
 *   module not loaded, root          S_OK: loaded from the installed tree
 *                                    (modprobe), from opts->ko_path, or
 *                                    from $VDSWIPE_KO (ko_path wins)
 *   $VDSWIPE_KO / ko_path missing    HRESULT_FROM_WIN32(ERROR_SERVICE_DOES_NOT_EXIST)
 *   $VDSWIPE_KO not a module         HRESULT_FROM_WIN32(ERROR_DLL_INIT_FAILED)
 *   VDSW_SESSION_NO_LOAD             HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE)
 *   no CAP_SYS_MODULE                HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE)
 *   loaded, /dev/vdswipe missing     HRESULT_FROM_WIN32(ERROR_NOT_READY)
 *   bad options                      E_INVALIDARG, E_POINTER
 * In every failing case the module is left as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <vdswipe/vdswipe.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "lib_vmtest.h"

#define MISC_DEV_ATTR	"/sys/class/misc/vdswipe/dev"

static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	d[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].inheritable &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, d) ? -errno : 0;
}

/* vdsw_session_open(NULL) in a child without @cap; its HRESULT in *hr. */
static int open_without_cap(int cap, HRESULT *hr, char *why, size_t len)
{
	struct { HRESULT hr; char why[256]; } *shm;
	pid_t pid;
	int st;

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct vdsw_session *s = NULL;

		if (drop_cap(cap))
			_exit(3);
		shm->hr = vdsw_session_open(NULL, &s);
		snprintf(shm->why, sizeof(shm->why), "%s", vdsw_last_error());
		if (s)
			vdsw_session_close(s);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	*hr = shm->hr;
	snprintf(why, len, "%s", shm->why);
	munmap(shm, sizeof(*shm));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

FIXTURE(mod) {
	struct vdsw_session *sess;
	char ko[256];
	dev_t node;		/* /dev/vdswipe's numbers */
	bool node_removed;	/* the test replaced the node by hand */
};

FIXTURE_SETUP(mod)
{
	struct utsname u;

	unsetenv("VDSWIPE_KO");
	vt_cleanup_leftovers();
	ASSERT_EQ(0, uname(&u));
	snprintf(self->ko, sizeof(self->ko), "/lib/modules/%s/extra/vdswipe.ko",
		 u.release);
	ASSERT_EQ(0, vt_module_unload());
	ASSERT_FALSE(vt_module_loaded());
	ASSERT_FALSE(exists(VT_DEV_NODE));
}

FIXTURE_TEARDOWN(mod)
{
	if (self->sess)
		vdsw_session_close(self->sess);
	unsetenv("VDSWIPE_KO");
	EXPECT_EQ(0, vt_module_unload());
	/* a node made by hand is not devtmpfs's: rmmod leaves it behind */
	if (self->node_removed)
		unlink(VT_DEV_NODE);
}

/* The module is loaded, the session works. */
#define ASSERT_SESSION_WORKS() do {					\
	struct vdswipe_version _v;					\
	ASSERT_TRUE(vt_module_loaded());				\
	ASSERT_HR(S_OK, vdsw_session_version(self->sess, &_v));		\
	ASSERT_EQ(VDSWIPE_ABI_VERSION, _v.abi_version);			\
	ASSERT_LE(0, vdsw_session_fd(self->sess));			\
} while (0)

/* rmmod vdswipe; vdsw_session_open() loads it from the installed tree. */
TEST_F(mod, open_loads_module_from_installed_tree)
{
	struct vdsw_session *s2 = NULL;

	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
	ASSERT_SESSION_WORKS();
	ASSERT_STREQ("", vdsw_last_error());
	/* a second open finds it loaded */
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &s2));
	ASSERT_HR(S_OK, vdsw_session_close(s2));
	/* the session holds the module */
	ASSERT_NE(0, vt_run("rmmod vdswipe"));
	ASSERT_TRUE(vt_module_loaded());
}

/* Loaded from opts->ko_path. */
TEST_F(mod, open_loads_module_from_ko_path_option)
{
	struct vdsw_session_opts o = {
		.size = sizeof(o), .ko_path = self->ko,
	};

	if (!exists(self->ko))
		SKIP(return, "%s not installed", self->ko);
	ASSERT_HR(S_OK, vdsw_session_open(&o, &self->sess));
	ASSERT_SESSION_WORKS();
}

/* Loaded from $VDSWIPE_KO. */
TEST_F(mod, open_loads_module_from_vdswipe_ko_env)
{
	if (!exists(self->ko))
		SKIP(return, "%s not installed", self->ko);
	ASSERT_EQ(0, setenv("VDSWIPE_KO", self->ko, 1));
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
	ASSERT_SESSION_WORKS();
}

/* $VDSWIPE_KO names no file: ERROR_SERVICE_DOES_NOT_EXIST; nothing
 * loaded; the detail names the file. */
TEST_F(mod, vdswipe_ko_env_missing_file)
{
	ASSERT_EQ(0, setenv("VDSWIPE_KO", "/nonexistent/vdswipe.ko", 1));
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_SERVICE_DOES_NOT_EXIST),
		  vdsw_session_open(NULL, &self->sess));
	ASSERT_EQ(NULL, self->sess);
	ASSERT_NE(NULL, strstr(vdsw_last_error(), "/nonexistent/vdswipe.ko"))
		TH_LOG("detail: %s", vdsw_last_error());
	ASSERT_FALSE(vt_module_loaded());
}

/* opts->ko_path names no file: the same. */
TEST_F(mod, ko_path_option_missing_file)
{
	struct vdsw_session_opts o = {
		.size = sizeof(o), .ko_path = "/nonexistent/vdswipe.ko",
	};

	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_SERVICE_DOES_NOT_EXIST),
		  vdsw_session_open(&o, &self->sess));
	ASSERT_FALSE(vt_module_loaded());
}

/* $VDSWIPE_KO is a file but not a module: the kernel refuses it,
 * ERROR_DLL_INIT_FAILED. */
TEST_F(mod, vdswipe_ko_env_not_a_module)
{
	ASSERT_EQ(0, setenv("VDSWIPE_KO", "/etc/passwd", 1));
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_DLL_INIT_FAILED),
		  vdsw_session_open(NULL, &self->sess));
	ASSERT_NE(0, vdsw_last_error()[0]);
	TH_LOG("detail: %s", vdsw_last_error());
	ASSERT_FALSE(vt_module_loaded());
}

/* opts->ko_path comes before $VDSWIPE_KO. */
TEST_F(mod, ko_path_option_wins_over_env)
{
	struct vdsw_session_opts o = {
		.size = sizeof(o), .ko_path = self->ko,
	};

	if (!exists(self->ko))
		SKIP(return, "%s not installed", self->ko);
	ASSERT_EQ(0, setenv("VDSWIPE_KO", "/nonexistent/vdswipe.ko", 1));
	ASSERT_HR(S_OK, vdsw_session_open(&o, &self->sess));
	ASSERT_SESSION_WORKS();
}

/* An empty $VDSWIPE_KO is ignored: the installed tree. */
TEST_F(mod, empty_vdswipe_ko_env_ignored)
{
	ASSERT_EQ(0, setenv("VDSWIPE_KO", "", 1));
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
	ASSERT_SESSION_WORKS();
}

/* VDSW_SESSION_NO_LOAD with the module absent: ERROR_SERVICE_NOT_ACTIVE;
 * with it loaded: S_OK. */
TEST_F(mod, no_load_flag)
{
	struct vdsw_session_opts o = {
		.size = sizeof(o), .flags = VDSW_SESSION_NO_LOAD,
	};

	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE),
		  vdsw_session_open(&o, &self->sess));
	ASSERT_FALSE(vt_module_loaded());
	ASSERT_EQ(0, vt_module_load(NULL));
	ASSERT_HR(S_OK, vdsw_session_open(&o, &self->sess));
	ASSERT_SESSION_WORKS();
}

/* Without CAP_SYS_MODULE: ERROR_SERVICE_NOT_ACTIVE, nothing loaded. */
TEST_F(mod, no_cap_sys_module)
{
	char why[256];
	HRESULT hr;

	ASSERT_EQ(0, open_without_cap(CAP_SYS_MODULE, &hr, why, sizeof(why)));
	TH_LOG("detail: %s", why);
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE), hr);
	ASSERT_FALSE(vt_module_loaded());
	/* loaded by someone else: then no privilege is needed to load */
	ASSERT_EQ(0, vt_module_load(NULL));
	ASSERT_EQ(0, open_without_cap(CAP_SYS_MODULE, &hr, why, sizeof(why)));
	ASSERT_HR(S_OK, hr);
}

/* The module is loaded but /dev/vdswipe is gone: ERROR_NOT_READY after
 * node_timeout_ms; once the node is back (made by hand), S_OK; after
 * rmmod the stale node is no obstacle either: the module is loaded again. */
TEST_F(mod, loaded_but_node_missing_not_ready)
{
	struct vdsw_session_opts o = {
		.size = sizeof(o), .node_timeout_ms = 300,
	};
	unsigned int maj, min;
	char buf[32];
	uint64_t start, ms;

	ASSERT_EQ(0, vt_module_load(NULL));
	ASSERT_LT(0, vt_read_file(MISC_DEV_ATTR, buf, sizeof(buf)));
	ASSERT_EQ(2, sscanf(buf, "%u:%u", &maj, &min));
	self->node = makedev(maj, min);
	ASSERT_EQ(0, unlink(VT_DEV_NODE));
	self->node_removed = true;
	start = vt_now_ns();
	ASSERT_HR(HRESULT_FROM_WIN32(ERROR_NOT_READY),
		  vdsw_session_open(&o, &self->sess));
	ms = vt_ms_since(start);
	ASSERT_LE(300, ms);
	ASSERT_GT(3000, ms);
	ASSERT_TRUE(vt_module_loaded());
	ASSERT_EQ(0, mknod(VT_DEV_NODE, S_IFCHR | 0600, self->node));
	ASSERT_HR(S_OK, vdsw_session_open(&o, &self->sess));
	ASSERT_SESSION_WORKS();
	ASSERT_HR(S_OK, vdsw_session_close(self->sess));
	self->sess = NULL;
	ASSERT_EQ(0, vt_module_unload());
	ASSERT_TRUE(exists(VT_DEV_NODE));	/* stale, no driver behind it */
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
	ASSERT_SESSION_WORKS();
}

/* Bad options are refused before anything is loaded. */
TEST_F(mod, bad_options)
{
	struct vdsw_session_opts o = { .size = 3 };

	ASSERT_HR(E_INVALIDARG, vdsw_session_open(&o, &self->sess));
	o.size = sizeof(o);
	o.flags = 0x80;
	ASSERT_HR(E_INVALIDARG, vdsw_session_open(&o, &self->sess));
	o.flags = 0;
	o.reserved = 1;
	ASSERT_HR(E_INVALIDARG, vdsw_session_open(&o, &self->sess));
	ASSERT_HR(E_POINTER, vdsw_session_open(NULL, NULL));
	ASSERT_FALSE(vt_module_loaded());
}

TEST_HARNESS_MAIN
