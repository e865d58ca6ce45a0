/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * test.h - the host tests' tiny framework: checks count and report, the
 * program exits 0 when all passed, 1 otherwise, 77 (skip) from SKIP().
 */
#ifndef VDSW_TEST_H
#define VDSW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdswipe/vdswipe.h"

#define TEST_SKIP	77

static int test_checks, test_failed;

#define CHECK(cond) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		test_failed++;						\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
	}								\
} while (0)

static inline const char *test_hr_name(HRESULT hr)
{
	const char *n = vdsw_hresult_name(hr);

	return n ? n : "?";
}

#define CHECK_HR(expr, want) do {					\
	HRESULT got_ = (expr), want_ = (want);				\
	test_checks++;							\
	if (got_ != want_) {						\
		test_failed++;						\
		fprintf(stderr, "%s:%d: %s\n  = 0x%08X %s, want 0x%08X %s (detail: %s)\n", \
			__FILE__, __LINE__, #expr, (unsigned)got_,	\
			test_hr_name(got_), (unsigned)want_,		\
			test_hr_name(want_), vdsw_last_error());	\
	}								\
} while (0)

#define SKIP(...) do {							\
	printf("SKIP: " __VA_ARGS__);					\
	printf("\n");							\
	exit(TEST_SKIP);						\
} while (0)

static inline int test_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, test_checks, test_failed);
	return test_failed ? 1 : 0;
}

#endif /* VDSW_TEST_H */
