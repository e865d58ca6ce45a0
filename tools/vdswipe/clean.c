// SPDX-License-Identifier: GPL-2.0
/*
 * clean.c - vdswipe clean, verify and discard: the jobs, the event loop,
 * cancellation and the records. Options are parsed in clean-opts.c, the
 * devices checked and the user asked in checks.c, and what is shown is
 * written by clean-display.c (clean.h).
 *
 * One session for the whole command, one op per device, all submitted
 * before any is waited for, so the devices are cleaned in parallel. The
 * main loop poll()s the session fd (POLLIN: an op ended; its completion
 * event is read) and a self-pipe of the signal handler, and asks every
 * running op for its progress with IVdsAsync::QueryStatus at each tick.
 *
 * Ctrl-C (SIGINT, SIGTERM, SIGHUP): the first cancels every op of the
 * session at once (vdsw_session_cancel_all(), IPortableDeviceService::Cancel)
 * and the loop goes on until each op has reported its end, so every
 * device's final HRESULT is printed. A discard cannot be cancelled: for it
 * the tool calls IVdsAsync::Cancel, prints its VDS_E_NOT_SUPPORTED and
 * waits. A second Ctrl-C stops waiting: the tool closes the session and
 * relies on the kernel, which cancels every op of a session that is closed
 * and waits until none of them touches a device any more (a discard that
 * has started runs to its end) before close() returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clean.h"

static volatile sig_atomic_t sig_count, sig_last;
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int signo)
{
	int saved = errno;
	char c = 0;

	sig_count++;
	sig_last = signo;
	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

static int install_signals(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed stdout must not kill the clean */
	return 0;
}

static const char *sig_name(int signo)
{
	switch (signo) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	default: return "signal";
	}
}

/* ------------------------------------------------------------ record */


/*
 * The op ended (or its end is unknown): seal the record and put it in
 * place. A record that cannot be written is said on stderr and in the
 * end event's detail; the op's result stands.
 */
static void write_record(struct run *r, struct job *j)
{
	const struct opts *o = r->o;
	struct rec_input in = { 0 };
	struct json_object *rec;
	unsigned int i;
	int ret;

	if (j->record_fd < 0)
		return;
	in.dev = &j->dev;
	in.operator_name = o->operator_name;
	in.asset_tag = o->asset_tag;
	in.location = o->location;
	in.full = o->full;
	in.verify_only = o->verify_only;
	in.range = j->copts.flags & VDSW_CLEAN_RANGE;
	in.offset = in.range ? j->copts.offset : 0;
	in.length = in.range ? j->copts.length : j->dev.size;
	if (o->full)
		in.region_bytes = in.length;
	else	/* the first and the last MiB, or all of a region of 2 MiB or less */
		in.region_bytes = in.length <= (2ULL << 20) ? in.length : 2ULL << 20;
	in.nr_passes = o->nr_passes ? o->nr_passes : 1;
	for (i = 0; i < in.nr_passes; i++) {
		in.passes[i].method = o->nr_passes ? o->passes[i].method : VDSWIPE_METHOD_ZERO;
		in.passes[i].pattern = o->nr_passes ? o->passes[i].pattern : 0;
	}
	in.verify = o->verify;
	in.sample_pct = o->sample_pct;
	in.abi_version = r->abi_version;
	in.unknown = j->state == JOB_UNKNOWN;
	in.hr = j->hr;
	in.error = j->error;
	in.error_offset = j->error_offset;
	in.bytes_done = j->done;
	in.bytes_total = j->total;
	in.op_id = j->op_id;
	if (j->have_progress) {
		in.have_progress = true;
		in.block_size = j->prog.block_size;
		in.bytes_written = j->prog.bytes_written;
		in.bytes_verified = j->prog.bytes_verified;
		in.verify_total = j->prog.verify_total;
		in.mismatch_blocks = j->prog.mismatch_blocks;
		in.first_mismatch = j->prog.first_mismatch;
	}
	in.t_start = j->rt0;
	in.t_end = j->rt1;
	rec = record_build(&in);
	ret = rec ? record_commit(rec, j->record_fd, j->record_tmp, j->record) : -ENOMEM;
	json_object_put(rec);
	j->record_fd = -1;
	if (ret) {
		snprintf(j->detail, sizeof(j->detail), "the record %.300s could not be written: %s",
			 j->record, strerror(-ret));
		if (!o->json)
			fprintf(stderr, "%s: %s: %s\n", prog, j->dev.arg, j->detail);
		return;
	}
	j->record_written = true;
}

/* ------------------------------------------------------------ ops */

static struct job *job_by_op(struct run *r, uint64_t op_id)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->jobs[i].state == JOB_RUNNING && r->jobs[i].op_id == op_id)
			return &r->jobs[i];
	return NULL;
}

static void job_output(struct job *j, const struct vdsw_async_output *out)
{
	j->done = out->bytes_done;
	j->total = out->bytes_total;
	/* vdswipe(8): the errno of a failed write, not ECANCELED */
	j->error = out->state == VDSWIPE_STATE_FAILED ? out->error : 0;
	j->error_offset = out->error_offset;
}

/*
 * Pass, phase and verification counts (VDSWIPE_IOC_PROGRESS); a module
 * without it (ABI 1) leaves have_progress false and the display shows
 * what QueryStatus gives.
 */
static void job_progress(struct job *j)
{
	struct vdsw_async_progress p = { .size = sizeof(p) };
	HRESULT op_hr;

	if (vdsw_async_query_progress(j->async, &op_hr, &p) != S_OK)
		return;
	j->prog = p;
	j->have_progress = true;
}

/* QueryStatus for the percent and the op's HRESULT; a wait with a zero
 * timeout for the byte counts (QueryStatus has none). */
static void job_update(struct job *j)
{
	struct vdsw_async_output out;
	HRESULT hr, op_hr;
	uint32_t percent;

	hr = vdsw_async_query_status(j->async, &op_hr, &percent);
	if (FAILED(hr))
		return;
	j->percent = percent;
	j->status_hr = op_hr;
	hr = vdsw_async_wait_ms(j->async, 0, &op_hr, &out);
	if (hr == S_OK || hr == VDS_E_TIMEOUT)
		job_output(j, &out);
	job_progress(j);
}

/* The op has ended (event, or QueryStatus said so): collect and release. */
static void job_finish(struct run *r, struct job *j, HRESULT op_hr)
{
	struct vdsw_async_output out;
	HRESULT hr;

	hr = vdsw_async_wait_ms(j->async, 0, &op_hr, &out);
	if (hr == S_OK) {
		job_output(j, &out);
		j->percent = out.percent;
		job_progress(j);	/* the verification's counts, for the record */
	} else {
		snprintf(j->detail, sizeof(j->detail), "could not read the op's output: %s (%s)",
			 hr_name(hr), vdsw_last_error());
	}
	j->hr = op_hr;
	j->status_hr = op_hr;
	j->state = JOB_ENDED;
	j->t1 = now_s();
	clock_gettime(CLOCK_REALTIME, &j->rt1);
	vdsw_async_release(j->async);
	j->async = NULL;
	write_record(r, j);
	if (r->o->json)
		report_end_json(j);
	else if (r->mode == PROG_PLAIN)
		msg(r, "%s: ended: %s", j->dev.arg, hr_name(j->hr));
}

static void drain_events(struct run *r)
{
	struct vdswipe_event ev;
	HRESULT hr, op_hr;
	struct job *j;

	for (;;) {
		hr = vdsw_session_read_event(r->sess, 0, &ev, &op_hr);
		if (hr != S_OK)
			return;
		j = job_by_op(r, ev.op_id);
		if (j)
			job_finish(r, j, op_hr);
	}
}

static unsigned int running(const struct run *r)
{
	unsigned int i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->jobs[i].state == JOB_RUNNING;
	return n;
}

/* The first signal: cancel. */
static void cancel_everything(struct run *r)
{
	struct jline js;
	uint32_t cancelled = 0;
	unsigned int i;
	HRESULT hr;
	char buf[512];

	r->cancel_sent = true;
	if (r->o->discard) {
		msg(r, "%s: cancelling (IVdsAsync::Cancel of each discard)", sig_name(r->signo));
		for (i = 0; i < r->n; i++) {
			struct job *j = &r->jobs[i];

			if (j->state != JOB_RUNNING)
				continue;
			hr = vdsw_async_cancel(j->async);
			if (r->o->json) {
				jl_begin(&js, "cancel");
				jl_device(&js, j);
				jl_str(&js, "signal", sig_name(r->signo));
				jl_hr(&js, "hresult", hr);
				jl_str(&js, "detail", vdsw_last_error());
				jl_end(&js);
			} else {
				msg(r, "%s: Cancel: %s", j->dev.arg, hr_format(hr, buf, sizeof(buf)));
				if (hr == VDS_E_NOT_SUPPORTED)
					msg(r, "%s: a discard cannot be cancelled: waiting for it to end (Ctrl-C again to stop waiting; the kernel still finishes it)",
					    j->dev.arg);
				else if (FAILED(hr) && vdsw_last_error()[0])
					msg(r, "%s: %s", j->dev.arg, vdsw_last_error());
			}
		}
		return;
	}
	msg(r, "%s: cancelling every clean of the session (IPortableDeviceService::Cancel)...",
	    sig_name(r->signo));
	hr = vdsw_session_cancel_all(r->sess, &cancelled);
	if (r->o->json) {
		jl_begin(&js, "cancel");
		jl_str(&js, "signal", sig_name(r->signo));
		jl_hr(&js, "hresult", hr);
		jl_u64(&js, "cancelled", cancelled);
		jl_str(&js, "detail", vdsw_last_error());
		jl_end(&js);
	} else {
		msg(r, "cancel-all: %s", hr_format(hr, buf, sizeof(buf)));
		if (FAILED(hr) && vdsw_last_error()[0])
			msg(r, "cancel-all: %s", vdsw_last_error());
		else
			msg(r, "cancel-all: %u op%s cancelled; waiting for every op to report its end",
			    cancelled, cancelled == 1 ? "" : "s");
	}
}

/* The second signal: close the session, the kernel cancels and waits. */
static void close_on_second_signal(struct run *r)
{
	unsigned int i;

	msg(r, "%s again: closing the session; the kernel cancels every op of a closed session and waits until none touches a device any more (a discard that has started runs to its end)",
	    sig_name(r->signo));
	for (i = 0; i < r->n; i++)
		if (r->jobs[i].state == JOB_RUNNING)
			job_update(&r->jobs[i]);
	vdsw_session_close(r->sess);
	r->sess = NULL;
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		if (j->state != JOB_RUNNING)
			continue;
		vdsw_async_release(j->async);	/* the session is gone: frees */
		j->async = NULL;
		j->state = JOB_UNKNOWN;
		j->t1 = now_s();
		clock_gettime(CLOCK_REALTIME, &j->rt1);
		write_record(r, j);
		if (r->o->json)
			report_end_json(j);
	}
	msg(r, "session closed: nothing of this command runs in the kernel any more");
}

static double tick_interval(const struct run *r)
{
	if (r->o->interval > 0)
		return r->o->interval;
	if (r->o->json)
		return 1.0;
	return r->mode == PROG_BAR ? 0.2 : 5.0;
}

static void main_loop(struct run *r)
{
	double tick = tick_interval(r), next = now_s() + tick;
	struct pollfd pfd[2];
	unsigned int i;
	int timeout;
	char drain[64];

	if (r->mode == PROG_BAR)
		display_bar(r);
	while (r->sess && running(r)) {
		double t = now_s();

		timeout = next > t ? (int)((next - t) * 1000) + 1 : 0;
		pfd[0].fd = vdsw_session_fd(r->sess);
		pfd[0].events = POLLIN;
		pfd[1].fd = sig_pipe[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
			;
		if (sig_count) {
			r->interrupted = true;
			r->signo = sig_last;
			if (!r->cancel_sent)
				cancel_everything(r);
			else if (sig_count >= 2) {
				close_on_second_signal(r);
				break;
			}
		}
		if (pfd[0].revents & POLLIN)
			drain_events(r);
		if (now_s() >= next) {
			for (i = 0; i < r->n; i++) {
				struct job *j = &r->jobs[i];

				if (j->state != JOB_RUNNING)
					continue;
				job_update(j);
				/* ended without an event seen (yet): collect now */
				if (j->status_hr != VDS_E_OPERATION_PENDING)
					job_finish(r, j, j->status_hr);
			}
			if (running(r))
				report_progress(r);
			next = now_s() + tick;
		}
	}
	if (r->mode == PROG_BAR)
		display_bar(r);
}


static void submit_all(struct run *r)
{
	struct vdsw_async_output out;
	unsigned int i;
	HRESULT hr, op_hr;

	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		if (sig_count) {
			j->state = JOB_REFUSED;
			j->hr = VDS_E_OPERATION_CANCELED;
			snprintf(j->detail, sizeof(j->detail), "not started: interrupted before it was submitted");
			if (r->o->json)
				report_end_json(j);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &j->rt0);
		if (r->o->verify_only) {
			struct vdsw_verify_opts vo = {
				.size = sizeof(vo),
				.flags = j->copts.flags & VDSW_CLEAN_RANGE,
				.method = r->o->passes[0].method,
				.pattern = r->o->passes[0].pattern,
				.offset = j->copts.offset,
				.length = j->copts.length,
				.sample_pct = r->o->sample_pct,
			};

			hr = vdsw_verify(r->sess, j->dev.arg, r->o->full, &vo, &j->async);
		} else {
			hr = vdsw_clean(r->sess, j->dev.arg, r->o->force, r->o->force_oem,
					r->o->full || r->o->discard, &j->copts, &j->async);
		}
		if (FAILED(hr)) {
			refuse(r, j, hr, vdsw_last_error());
			continue;
		}
		j->state = JOB_RUNNING;
		j->op_id = vdsw_async_op_id(j->async);
		j->t0 = now_s();
		j->status_hr = VDS_E_OPERATION_PENDING;
		hr = vdsw_async_wait_ms(j->async, 0, &op_hr, &out);
		if (hr == S_OK || hr == VDS_E_TIMEOUT)
			job_output(j, &out);
		report_start(r, j);
	}
}

/* ------------------------------------------------------------ result */

static int final_status(const struct run *r)
{
	int status = EX_OK, c;
	bool partial = false;
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		const struct job *j = &r->jobs[i];

		if (j->state == JOB_UNKNOWN)
			return EX_CANCELLED;
		c = hr_exit_class(j->hr);
		if (c == EX_CANCELLED && r->interrupted)
			return EX_CANCELLED;
		if (c == EX_PARTIAL)
			partial = true;
		else if (c != EX_OK && status == EX_OK)
			status = c;
	}
	if (status == EX_OK && partial)
		status = EX_PARTIAL;
	return status;
}


static int run_command(struct opts *o, int ndev, char **devs)
{
	struct run r = { .o = o, .n = (unsigned int)ndev };
	unsigned int i;
	int status;
	HRESULT hr;

	r.jobs = calloc(r.n, sizeof(*r.jobs));
	if (!r.jobs) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EX_FAILURE;
	}
	for (i = 0; i < r.n; i++) {
		r.jobs[i].dev.arg = devs[i];
		r.jobs[i].record_fd = -1;
	}
	r.mode = o->json ? PROG_NONE : o->progress;
	if (r.mode == PROG_AUTO)
		r.mode = isatty(STDOUT_FILENO) ? PROG_BAR : PROG_PLAIN;

	status = check_devices(&r);
	if (status != EX_OK) {
		not_started(&r);
		goto out;
	}
	hr = vdsw_session_open(NULL, &r.sess);
	if (FAILED(hr)) {
		const char *detail = vdsw_last_error();

		for (i = 0; i < r.n; i++) {
			r.jobs[i].state = JOB_REFUSED;
			r.jobs[i].hr = hr;
			snprintf(r.jobs[i].detail, sizeof(r.jobs[i].detail), "%s", detail);
			if (o->json)
				report_end_json(&r.jobs[i]);
		}
		if (!o->json)
			hr_report(stderr, "cannot open a session (/dev/vdswipe)", hr, detail);
		status = hr_exit_class(hr);
		r.sess = NULL;
		goto out;
	}
	{
		struct vdswipe_version ver = { 0 };

		if (vdsw_session_version(r.sess, &ver) == S_OK)
			r.abi_version = ver.abi_version;
	}
	if (!o->verify_only) {
		status = check_signatures(&r);
		if (status != EX_OK) {
			not_started(&r);
			goto out;
		}
		status = confirm(&r);
	}
	if (status != EX_OK)
		goto out;
	if (install_signals()) {
		fprintf(stderr, "%s: cannot set up signal handling: %s\n", prog, strerror(errno));
		status = EX_FAILURE;
		goto out;
	}
	submit_all(&r);
	if (sig_count) {
		r.interrupted = true;
		r.signo = sig_last;
	}
	main_loop(&r);
	if (!o->json) {
		display_clear(&r);
		if (r.mode == PROG_BAR)
			display_bar(&r);	/* leave the final bars on screen */
		r.drawn = 0;
		for (i = 0; i < r.n; i++)
			if (r.jobs[i].state != JOB_REFUSED || r.jobs[i].hr == VDS_E_OPERATION_CANCELED)
				report_end_human(&r, &r.jobs[i]);
	}
	status = final_status(&r);
	if (!o->json && status == EX_CANCELLED)
		printf("%s: cancelled by the user\n", prog);
out:
	/* records of ops that never started: none */
	for (i = 0; i < r.n; i++) {
		if (r.jobs[i].record_fd >= 0) {
			close(r.jobs[i].record_fd);
			unlink(r.jobs[i].record_tmp);
		}
	}
	summary(&r, status);
	if (r.sess) {
		for (i = 0; i < r.n; i++)
			if (r.jobs[i].async)
				vdsw_async_release(r.jobs[i].async);
		vdsw_session_close(r.sess);
	}
	free(r.jobs);
	fflush(stdout);
	return status;
}

static int command(int argc, char **argv, bool discard)
{
	struct opts o = { .discard = discard };
	bool done;
	int status = parse_opts(argc, argv, &o, &done);

	if (status != EX_OK || done)
		return status;
	return run_command(&o, argc - optind, argv + optind);
}

int cmd_clean(int argc, char **argv)
{
	return command(argc, argv, false);
}

int cmd_discard(int argc, char **argv)
{
	return command(argc, argv, true);
}

int cmd_verify(int argc, char **argv)
{
	struct opts o = { .verify_only = true };
	bool done;
	int status = parse_opts(argc, argv, &o, &done);

	if (status != EX_OK || done)
		return status;
	return run_command(&o, argc - optind, argv + optind);
}
