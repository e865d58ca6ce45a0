// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clean-like-windows - clean a disk the way a Windows VDS client does:
 * IVdsAdvancedDisk::Clean, IVdsAsync::QueryStatus every 500 ms printing the
 * percentage, IVdsAsync::Cancel on Ctrl-C, IVdsAsync::Wait, print HRESULTs.
 *
 *   clean-like-windows [--force] [--force-oem] [--full] /dev/sdX
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <vdswipe/vdswipe.h>

static volatile sig_atomic_t cancel_requested;

static void on_sigint(int sig)
{
	(void)sig;
	cancel_requested = 1;
}

static void print_hr(const char *what, HRESULT hr)
{
	const char *name = vdsw_hresult_name(hr);

	printf("%s: %s (0x%08X)", what, name ? name : "?", (unsigned int)hr);
	if (FAILED(hr) && vdsw_last_error()[0])
		printf(": %s", vdsw_last_error());
	printf("\n");
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--force] [--force-oem] [--full] DEVICE\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	const struct timespec half_second = { .tv_nsec = 500 * 1000 * 1000 };
	struct sigaction sa = { .sa_handler = on_sigint };	/* no SA_RESTART */
	int force = 0, force_oem = 0, full = 0, cancelled = 0, i;
	struct vdsw_async_output out;
	struct vdsw_session *sess;
	struct vdsw_async *async;
	const char *device = NULL;
	HRESULT hr, op_hr;
	uint32_t percent;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = 1;
		else if (!strcmp(argv[i], "--force-oem"))
			force_oem = 1;
		else if (!strcmp(argv[i], "--full"))
			full = 1;
		else if (argv[i][0] != '-' && !device)
			device = argv[i];
		else
			return usage(argv[0]);
	}
	if (!device)
		return usage(argv[0]);

	hr = vdsw_session_open(NULL, &sess);
	print_hr("open session", hr);
	if (FAILED(hr))
		return 1;

	/* IVdsAdvancedDisk::Clean(bForce, bForceOEM, bFullClean, &pAsync) */
	hr = vdsw_clean(sess, device, force, force_oem, full, NULL, &async);
	print_hr("Clean", hr);
	if (FAILED(hr)) {
		vdsw_session_close(sess);
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	/* Poll QueryStatus; OPERATION_PENDING means "keep going". */
	for (;;) {
		hr = vdsw_async_query_status(async, &op_hr, &percent);
		if (FAILED(hr)) {
			print_hr("\nQueryStatus", hr);
			break;
		}
		printf("\r%s: %3u%%", device, percent);
		fflush(stdout);
		if (op_hr != VDS_E_OPERATION_PENDING)
			break;
		if (cancel_requested && !cancelled) {
			printf("\n");
			print_hr("Cancel", vdsw_async_cancel(async));
			cancelled = 1;
		}
		nanosleep(&half_second, NULL);	/* Ctrl-C cuts it short */
	}
	printf("\n");

	hr = vdsw_async_wait(async, &op_hr, &out);
	print_hr("Wait", hr);
	print_hr("clean result", op_hr);
	if (SUCCEEDED(hr))
		printf("output type %u: %llu of %llu bytes%s", out.type,
		       (unsigned long long)out.bytes_done, (unsigned long long)out.bytes_total,
		       out.error ? "" : "\n");
	/* error: why the op did not end DONE (ECANCELED if cancelled) */
	if (SUCCEEDED(hr) && out.error && out.error_offset != ~0ULL)
		printf(", stopped by %s at offset %llu\n", strerror(out.error),
		       (unsigned long long)out.error_offset);
	else if (SUCCEEDED(hr) && out.error)
		printf(", stopped by %s\n", strerror(out.error));

	vdsw_async_release(async);
	vdsw_session_close(sess);
	return SUCCEEDED(hr) && SUCCEEDED(op_hr) ? 0 : 1;
}
