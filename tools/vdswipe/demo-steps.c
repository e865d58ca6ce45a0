// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe-demo-steps - the IVdsAsync steps of `make demo` that the vdswipe
 * command cannot show (it has no command to cancel one op by hand): each
 * step makes libvdswipe calls, prints every call's HRESULT next to the one
 * the VDS contract expects, and exits 1 if one differs.
 *
 *   vdswipe-demo-steps cancel DEVICE    Clean, Cancel mid-way, Wait, Cancel again
 *   vdswipe-demo-steps late DEVICE      Clean, Wait, Cancel after completion
 *   vdswipe-demo-steps discard DEVICE   discard, Cancel, Wait
 *   vdswipe-demo-steps clean DEVICE EXPECTED   Clean (with force), expect a code
 *   vdswipe-demo-steps open EXPECTED    open a session, expect a code
 *   vdswipe-demo-steps --as-nobody STEP ...    run the step as uid/gid 65534
 *   vdswipe-demo-steps --as-nobody exec PROGRAM [ARG...]
 *
 * Built with the tool (tools/vdswipe/Makefile); scripts/demo puts it into
 * the guest's /vmfiles.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

const char *prog = "vdswipe-demo-steps";
static int mismatches;

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Print one call's HRESULT; with expected, say whether it matches. */
static void show(const char *call, HRESULT hr, const HRESULT *expected, const char *extra)
{
	printf("  %-34s -> %-32s (0x%08" PRIX32 ")", call, hr_name(hr), (uint32_t)hr);
	if (extra && extra[0])
		printf(" %s", extra);
	if (expected) {
		if (hr == *expected) {
			printf("  [as expected]");
		} else {
			printf("  [UNEXPECTED: %s expected]", hr_name(*expected));
			mismatches++;
		}
	}
	printf("\n");
	if (FAILED(hr) && vdsw_last_error()[0])
		printf("  %-34s    %s\n", "", vdsw_last_error());
	fflush(stdout);
}

static void expect(const char *call, HRESULT hr, HRESULT expected, const char *extra)
{
	show(call, hr, &expected, extra);
}

static struct vdsw_session *open_session(void)
{
	struct vdsw_session *s = NULL;
	HRESULT hr = vdsw_session_open(NULL, &s);

	expect("vdsw_session_open", hr, S_OK, "");
	return SUCCEEDED(hr) ? s : NULL;
}

static struct vdsw_async *clean(struct vdsw_session *s, const char *dev, int full,
				uint32_t method, const char *label)
{
	struct vdsw_clean_opts o = { .size = sizeof(o), .method = method };
	struct vdsw_async *a = NULL;
	HRESULT hr = vdsw_clean(s, dev, 1, 1, full, &o, &a);

	expect(label, hr, S_OK, "");
	return SUCCEEDED(hr) ? a : NULL;
}

static void show_wait(struct vdsw_async *a, HRESULT op_expected)
{
	struct vdsw_async_output out;
	char extra[160], b1[32], b2[32];
	HRESULT hr, op_hr;

	hr = vdsw_async_wait(a, &op_hr, &out);
	expect("IVdsAsync::Wait", hr, S_OK, "");
	snprintf(extra, sizeof(extra), "%u%%, %s of %s written", out.percent,
		 fmt_bytes(out.bytes_done, b1, sizeof(b1)), fmt_bytes(out.bytes_total, b2, sizeof(b2)));
	expect("  Wait's *hrResult (the op's)", op_hr, op_expected, extra);
}

static int step_cancel(const char *dev)
{
	struct vdsw_session *s = open_session();
	struct vdsw_async *a;
	uint32_t percent = 0, shown = 0;
	HRESULT hr, op_hr = VDS_E_OPERATION_PENDING;
	char extra[64];
	double t0;

	if (!s)
		return 1;
	a = clean(s, dev, 1, VDSWIPE_METHOD_ZERO, "IVdsAdvancedDisk::Clean(full)");
	if (!a)
		return 1;
	/* QueryStatus every 100 ms until a quarter is written */
	for (t0 = now_s(); now_s() - t0 < 30; sleep_ms(100)) {
		hr = vdsw_async_query_status(a, &op_hr, &percent);
		if (FAILED(hr) || op_hr != VDS_E_OPERATION_PENDING || percent >= 25)
			break;
		if (percent >= shown + 8) {
			snprintf(extra, sizeof(extra), "*hrResult, %u%%", percent);
			show("IVdsAsync::QueryStatus", op_hr, NULL, extra);
			shown = percent;
		}
	}
	snprintf(extra, sizeof(extra), "*hrResult, %u%%", percent);
	expect("IVdsAsync::QueryStatus", op_hr, VDS_E_OPERATION_PENDING, extra);
	printf("  ... cancelling mid-way:\n");
	expect("IVdsAsync::Cancel", vdsw_async_cancel(a), S_OK, "");
	show_wait(a, VDS_E_OPERATION_CANCELED);
	hr = vdsw_async_query_status(a, &op_hr, &percent);
	snprintf(extra, sizeof(extra), "*hrResult, %u%% (what was written stays)", percent);
	expect("IVdsAsync::QueryStatus", op_hr, VDS_E_OPERATION_CANCELED, extra);
	printf("  ... and a second Cancel of the same op:\n");
	expect("IVdsAsync::Cancel", vdsw_async_cancel(a), VDS_E_OPERATION_CANCELED, "");
	vdsw_async_release(a);
	vdsw_session_close(s);
	return mismatches ? 1 : 0;
}

static int step_late(const char *dev)
{
	struct vdsw_session *s = open_session();
	struct vdsw_async *a;

	if (!s)
		return 1;
	a = clean(s, dev, 0, VDSWIPE_METHOD_ZERO, "IVdsAdvancedDisk::Clean(quick)");
	if (!a)
		return 1;
	show_wait(a, S_OK);
	printf("  ... the clean is over; now Cancel it:\n");
	expect("IVdsAsync::Cancel", vdsw_async_cancel(a), VDS_E_CANCEL_TOO_LATE, "");
	vdsw_async_release(a);
	vdsw_session_close(s);
	return mismatches ? 1 : 0;
}

static int step_discard(const char *dev)
{
	struct vdsw_session *s = open_session();
	struct vdsw_async *a;

	if (!s)
		return 1;
	a = clean(s, dev, 1, VDSWIPE_METHOD_DISCARD, "Clean(method DISCARD)");
	if (!a)
		return 1;
	expect("IVdsAsync::Cancel", vdsw_async_cancel(a), VDS_E_NOT_SUPPORTED,
	       "(a discard cannot be stopped)");
	show_wait(a, S_OK);
	vdsw_async_release(a);
	vdsw_session_close(s);
	return mismatches ? 1 : 0;
}

static int step_clean(const char *dev, HRESULT expected)
{
	struct vdsw_session *s = open_session();
	struct vdsw_async *a = NULL;
	HRESULT hr, op_hr;

	if (!s)
		return 1;
	hr = vdsw_clean(s, dev, 1, 1, 0, NULL, &a);
	expect("IVdsAdvancedDisk::Clean(force)", hr, expected, "");
	if (SUCCEEDED(hr)) {
		vdsw_async_wait(a, &op_hr, NULL);
		vdsw_async_release(a);
	}
	vdsw_session_close(s);
	return mismatches ? 1 : 0;
}

static int step_open(HRESULT expected)
{
	struct vdsw_session *s = NULL;
	HRESULT hr = vdsw_session_open(NULL, &s);

	expect("vdsw_session_open", hr, expected, "");
	if (SUCCEEDED(hr))
		vdsw_session_close(s);
	return mismatches ? 1 : 0;
}

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534)) {
		fprintf(stderr, "%s: cannot become uid 65534: %s\n", prog, strerror(errno));
		return -1;
	}
	printf("  (running as uid %u, gid %u)\n", (unsigned int)getuid(), (unsigned int)getgid());
	fflush(stdout);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: %s [--as-nobody] cancel|late|discard DEVICE\n"
		"       %s [--as-nobody] clean DEVICE EXPECTED-HRESULT\n"
		"       %s [--as-nobody] open EXPECTED-HRESULT\n"
		"       %s --as-nobody exec PROGRAM [ARG...]\n", prog, prog, prog, prog);
	return 2;
}

int main(int argc, char **argv)
{
	HRESULT expected;
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (i < argc && !strcmp(argv[i], "--as-nobody")) {
		if (drop_to_nobody())
			return 1;
		i++;
	}
	if (i + 1 >= argc)
		return usage();
	if (!strcmp(argv[i], "exec")) {
		execvp(argv[i + 1], argv + i + 1);
		fprintf(stderr, "%s: %s: %s\n", prog, argv[i + 1], strerror(errno));
		return 127;
	}
	if (!strcmp(argv[i], "open"))
		return hr_by_name(argv[i + 1], &expected) ? step_open(expected) : usage();
	if (!strcmp(argv[i], "cancel"))
		return step_cancel(argv[i + 1]);
	if (!strcmp(argv[i], "late"))
		return step_late(argv[i + 1]);
	if (!strcmp(argv[i], "discard"))
		return step_discard(argv[i + 1]);
	if (!strcmp(argv[i], "clean") && i + 2 < argc && hr_by_name(argv[i + 2], &expected))
		return step_clean(argv[i + 1], expected);
	return usage();
}
