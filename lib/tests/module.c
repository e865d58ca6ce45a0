// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * vdsw_session_open() when /dev/vdswipe is missing: each case gives its own
 * documented HRESULT and a detail, never a bare ENOENT; bad options give
 * E_INVALIDARG. Skipped where the module is loaded or installed (it would
 * load it).
 */
#include <fcntl.h>
#include <libkmod.h>
#include <pthread.h>
#include <unistd.h>

#include "test.h"

#define NOT_EXIST	HRESULT_FROM_WIN32(ERROR_SERVICE_DOES_NOT_EXIST)
#define NOT_ACTIVE	HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE)

static int module_state(bool *installed)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	struct kmod_module *mod = NULL;
	int state = -1;

	*installed = false;
	if (!ctx)
		return -1;
	kmod_set_log_priority(ctx, 0);
	if (kmod_module_new_from_name(ctx, "vdswipe", &mod) == 0) {
		state = kmod_module_get_initstate(mod);
		*installed = kmod_module_get_path(mod) != NULL;
		kmod_module_unref(mod);
	}
	kmod_unref(ctx);
	return state;
}

static HRESULT open_with(uint32_t flags, const char *ko)
{
	struct vdsw_session_opts o = { .size = sizeof(o), .flags = flags, .ko_path = ko };
	struct vdsw_session *s = (void *)1;
	HRESULT hr = vdsw_session_open(&o, &s);

	CHECK(s == NULL);
	return hr;
}

static void test_bad_options(void)
{
	struct {
		struct vdsw_session_opts o;
		uint64_t newer;
	} big = { { .size = sizeof(big), .flags = VDSW_SESSION_NO_LOAD }, 0 };
	struct vdsw_session_opts o = { .size = sizeof(o) };
	struct vdsw_session *s = (void *)1;

	CHECK_HR(vdsw_session_open(NULL, NULL), E_POINTER);
	CHECK_HR(vdsw_session_open(&o, NULL), E_POINTER);
	o.size = VDSW_SESSION_OPTS_SIZE_V1 - 1;
	CHECK_HR(vdsw_session_open(&o, &s), E_INVALIDARG);
	CHECK(s == NULL);
	CHECK(strstr(vdsw_last_error(), ".size") != NULL);
	o.size = 0;
	CHECK_HR(vdsw_session_open(&o, &s), E_INVALIDARG);
	o.size = sizeof(o);
	o.flags = 1U << 7;
	CHECK_HR(vdsw_session_open(&o, &s), E_INVALIDARG);
	o.flags = 0;
	o.reserved = 1;
	CHECK_HR(vdsw_session_open(&o, &s), E_INVALIDARG);
	CHECK(sizeof(struct vdsw_session_opts) == VDSW_SESSION_OPTS_SIZE_V1);
	/* a newer, larger struct: fine while the bytes we do not know are 0 */
	CHECK_HR(vdsw_session_open(&big.o, &s), NOT_ACTIVE);
	big.newer = 1;
	CHECK_HR(vdsw_session_open(&big.o, &s), E_INVALIDARG);
	CHECK(s == NULL);
}

static void *other_thread(void *arg)
{
	(void)arg;
	CHECK_HR(open_with(0, "/nonexistent/thread.ko"), NOT_EXIST);
	return NULL;
}

static void test_missing(bool installed)
{
	char ko[] = "/tmp/vdswipe-garbage-XXXXXX.ko";
	pthread_t th;
	int fd;

	CHECK_HR(open_with(VDSW_SESSION_NO_LOAD, NULL), NOT_ACTIVE);
	CHECK(strstr(vdsw_last_error(), "VDSW_SESSION_NO_LOAD") != NULL);

	CHECK_HR(open_with(0, "/nonexistent/vdswipe.ko"), NOT_EXIST);
	CHECK(strstr(vdsw_last_error(), "/nonexistent/vdswipe.ko") != NULL);

	/* the detail is per thread */
	CHECK(pthread_create(&th, NULL, other_thread, NULL) == 0);
	pthread_join(th, NULL);
	CHECK(strstr(vdsw_last_error(), "/nonexistent/vdswipe.ko") != NULL);

	setenv("VDSWIPE_KO", "/nonexistent/env.ko", 1);
	CHECK_HR(open_with(0, NULL), NOT_EXIST);
	CHECK(strstr(vdsw_last_error(), "/nonexistent/env.ko") != NULL);
	/* the option wins over the environment */
	CHECK_HR(open_with(0, "/nonexistent/opt.ko"), NOT_EXIST);
	CHECK(strstr(vdsw_last_error(), "/nonexistent/opt.ko") != NULL);
	unsetenv("VDSWIPE_KO");

	if (!installed) {
		CHECK_HR(open_with(0, NULL), NOT_EXIST);
		CHECK(strstr(vdsw_last_error(), "not installed") != NULL);
	}

	/* a file that is no module: refused by the kernel, or not ours to load */
	fd = mkstemps(ko, 3);
	CHECK(fd >= 0);
	CHECK(write(fd, "not an ELF file\n", 16) == 16);
	close(fd);
	{
		HRESULT hr = open_with(0, ko);

		CHECK(hr == HRESULT_FROM_WIN32(ERROR_DLL_INIT_FAILED) || hr == NOT_ACTIVE);
		CHECK(vdsw_last_error()[0] != '\0');
		printf("garbage module: 0x%08X %s: %s\n", (unsigned)hr, vdsw_hresult_name(hr),
		       vdsw_last_error());
	}
	unlink(ko);
}

int main(void)
{
	bool installed;
	int state;

	if (access("/dev/vdswipe", F_OK) == 0)
		SKIP("/dev/vdswipe exists: the module is loaded");
	state = module_state(&installed);
	if (state >= 0)
		SKIP("the vdswipe module is loaded (state %d)", state);
	test_bad_options();
	test_missing(installed);
	return test_report("module");
}
