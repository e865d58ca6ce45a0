// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * sanitize - a NIST SP 800-88 "Clear" with libvdswipe 1.1: a random pass,
 * then zeros, every byte, then the zeros read back and compared; progress
 * (pass, phase, percent) every 500 ms, cancel on Ctrl-C, and the result with
 * the mismatch count. With --verify-only, only check that the device holds
 * zeros (as after another tool's wipe).
 *
 *   sanitize [--force] [--verify-only] /dev/sdX
 */
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

int main(int argc, char **argv)
{
	const struct timespec half_second = { .tv_nsec = 500 * 1000 * 1000 };
	struct sigaction sa = { .sa_handler = on_sigint };	/* no SA_RESTART */
	struct vdsw_clean_opts opts = {
		.size = sizeof(opts),
		.nr_passes = 2,
		.passes = { { VDSWIPE_METHOD_RANDOM, 0 }, { VDSWIPE_METHOD_ZERO, 0 } },
		.verify = VDSWIPE_VERIFY_LAST,
		.sample_pct = 100,
	};
	struct vdsw_async_progress p = { .size = sizeof(p) };
	int force = 0, verify_only = 0, i;
	struct vdsw_session *sess;
	struct vdsw_async *async;
	const char *device = NULL;
	HRESULT hr, op_hr;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = 1;
		else if (!strcmp(argv[i], "--verify-only"))
			verify_only = 1;
		else if (argv[i][0] != '-' && !device)
			device = argv[i];
		else
			break;
	}
	if (i < argc)
		device = NULL;
	if (!device) {
		fprintf(stderr, "usage: %s [--force] [--verify-only] DEVICE\n", argv[0]);
		return 2;
	}
	hr = vdsw_session_open(NULL, &sess);
	print_hr("open session", hr);
	if (FAILED(hr))
		return 1;
	if (verify_only)
		hr = vdsw_verify(sess, device, 1, NULL, &async);	/* zeros, every byte */
	else
		hr = vdsw_clean(sess, device, force, force, 1, &opts, &async);
	print_hr(verify_only ? "verify" : "sanitize", hr);
	if (FAILED(hr)) {
		vdsw_session_close(sess);
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	for (;;) {
		hr = vdsw_async_query_progress(async, &op_hr, &p);
		if (FAILED(hr) || op_hr != VDS_E_OPERATION_PENDING)
			break;
		printf("\rpass %u/%u %-9s %3u%%", p.pass, p.nr_passes,
		       p.phase == VDSWIPE_PHASE_VERIFY ? "verifying" : "writing", p.percent);
		fflush(stdout);
		if (cancel_requested) {
			cancel_requested = 0;
			printf("\n");
			print_hr("cancel", vdsw_async_cancel(async));
		}
		nanosleep(&half_second, NULL);
	}
	printf("\n");
	hr = vdsw_async_wait(async, &op_hr, NULL);
	print_hr("wait", hr);
	vdsw_async_query_progress(async, &op_hr, &p);
	print_hr("result", op_hr);
	printf("written %llu bytes, verified %llu of %llu, %llu mismatching blocks of %u bytes",
	       (unsigned long long)p.bytes_written, (unsigned long long)p.bytes_verified,
	       (unsigned long long)p.verify_total, (unsigned long long)p.mismatch_blocks,
	       p.block_size);
	if (p.mismatch_blocks)
		printf(", the first at %llu", (unsigned long long)p.first_mismatch);
	printf("\n");
	vdsw_async_release(async);
	vdsw_session_close(sess);
	return SUCCEEDED(op_hr) && op_hr == S_OK ? 0 : 1;
}
