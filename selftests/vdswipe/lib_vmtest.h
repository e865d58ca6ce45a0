/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the libvdswipe selftests (lib_*_test.c): HRESULT
 * assertions that log both codes by name with vdsw_last_error(), and
 * waiting for an async op to be running. Include after
 * kselftest_harness.h and testlib.h.
 */
#ifndef VDSWIPE_LIB_VMTEST_H
#define VDSWIPE_LIB_VMTEST_H

#include <stdint.h>
#include <stdio.h>
#include <vdswipe/vdswipe.h>

#include "testlib.h"

static inline const char *hr_name(HRESULT hr)
{
	const char *n = vdsw_hresult_name(hr);

	return n ? n : "?";
}

/* Compare HRESULTs; on failure log both names and vdsw_last_error(). */
#define ASSERT_HR(want, expr) do {					\
	HRESULT _want = (want), _got = (expr);				\
	char _why[512];							\
	snprintf(_why, sizeof(_why), "%s", vdsw_last_error());		\
	ASSERT_EQ((uint32_t)_want, (uint32_t)_got)			\
		TH_LOG("%s: got %s (0x%08X), want %s (0x%08X): %s",	\
		       #expr, hr_name(_got), (unsigned int)_got,	\
		       hr_name(_want), (unsigned int)_want, _why);	\
} while (0)

/* Wait until the op is RUNNING with some bytes written. */
static inline int wait_running(struct vdsw_session *s, struct vdsw_async *a)
{
	struct vdswipe_status st;

	return vt_wait_progress(vdsw_session_fd(s), vdsw_async_op_id(a), 1,
				20000, &st);
}

#endif /* VDSWIPE_LIB_VMTEST_H */
