// SPDX-License-Identifier: GPL-2.0
/*
 * clean-display.c - what vdswipe clean, verify and discard show: the live
 * display (bars), plain progress lines, the JSON events and the final
 * lines for each device.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clean.h"

static const char *method_name(const struct opts *o)
{
	if (o->discard)
		return o->secure ? "secure-erase" : "discard";
	if (o->verify_only)
		return "verify";
	if (o->nr_passes > 1)
		return "passes";
	return o->nr_passes ? method_word(o->passes[0].method) : "zero";
}

/* "random", "pattern:0xa5": one pass, as --passes takes it */
static const char *pass_word(const struct vdswipe_pass *p, char *buf, size_t len)
{
	if (p->method != VDSWIPE_METHOD_PATTERN)
		return method_word(p->method);
	snprintf(buf, len, "pattern:0x%02x", p->pattern);
	return buf;
}

/* "random,zero" */
const char *passes_list(const struct opts *o, char *buf, size_t len)
{
	char one[32];
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < o->nr_passes && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
				      pass_word(&o->passes[i], one, sizeof(one)));
	if (!o->nr_passes)
		snprintf(buf, len, "zero");
	return buf;
}

static const char *phase_word(uint32_t phase)
{
	switch (phase) {
	case VDSWIPE_PHASE_WRITE: return "write";
	case VDSWIPE_PHASE_VERIFY: return "verify";
	default: return "none";
	}
}

static unsigned int term_cols(void)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	if (c && atoi(c) >= 40)
		return (unsigned int)atoi(c);
	return 80;
}

static double job_elapsed(const struct job *j)
{
	if (j->state == JOB_NEW || j->state == JOB_REFUSED)
		return 0;
	return (j->state == JOB_RUNNING ? now_s() : j->t1) - j->t0;
}

/* bytes/s since the start; 0 while too early to tell */
static double job_rate(const struct job *j)
{
	double el = job_elapsed(j);

	if (j->state == JOB_RUNNING)
		return el > 0.2 ? (double)j->done / el : 0;
	return el > 0 ? (double)j->done / el : 0;
}

static double job_eta(const struct job *j)
{
	double rate = job_rate(j);

	if (j->state != JOB_RUNNING || rate <= 0 || j->total < j->done)
		return -1;
	return (double)(j->total - j->done) / rate;
}

/* Erase the live display, so that a message can be printed above it. */
void display_clear(struct run *r)
{
	if (r->mode != PROG_BAR || !r->drawn)
		return;
	printf("\033[%uA\033[J", r->drawn);
	r->drawn = 0;
}

/* "115.3/256.0 MiB": both in the unit of the total */
static const char *fmt_pair(uint64_t done, uint64_t total, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)done, t = (double)total;
	unsigned int u = 0;

	while (t >= 1024 && u < 5) {
		d /= 1024;
		t /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 "/%" PRIu64 " B", done, total);
	else
		snprintf(buf, len, "%.1f/%.1f %s", d, t, unit[u]);
	return buf;
}

void display_bar(struct run *r)
{
	unsigned int cols = term_cols(), namew = 4, i, k, fill;
	char left[64], right[256], bar[64], a[64], c[32], d[32];
	int barw;

	if (r->mode != PROG_BAR)
		return;
	for (i = 0; i < r->n; i++)
		if (strlen(r->jobs[i].dev.arg) > namew)
			namew = (unsigned int)strlen(r->jobs[i].dev.arg);
	if (namew > 24)
		namew = 24;
	if (r->drawn)
		printf("\033[%uA", r->drawn);
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];
		const char *tail;

		switch (j->state) {
		case JOB_RUNNING:
			if (j->have_progress && j->prog.pass)
				snprintf(d, sizeof(d), "pass %u/%u %s ETA %s", j->prog.pass,
					 j->prog.nr_passes, phase_word(j->prog.phase),
					 fmt_duration(job_eta(j), c, sizeof(c)));
			else
				snprintf(d, sizeof(d), "ETA %s", fmt_duration(job_eta(j), c, sizeof(c)));
			tail = d;
			break;
		case JOB_ENDED:
			tail = hr_name(j->hr);
			break;
		case JOB_REFUSED:
			tail = "not started";
			break;
		default:
			tail = j->state == JOB_NEW ? "waiting" : "?";
			break;
		}
		snprintf(left, sizeof(left), "%-*.*s", (int)namew, (int)namew, j->dev.arg);
		snprintf(right, sizeof(right), "%3u%% %17s %11s/s %s", j->percent,
			 fmt_pair(j->done, j->total, a, sizeof(a)),
			 fmt_bytes((uint64_t)job_rate(j), c, sizeof(c)), tail);
		/* name [bar] right, in cols - 1; a narrow terminal cuts right */
		barw = (int)cols - 1 - (int)strlen(left) - (int)strlen(right) - 4;
		if (barw < 8 && (int)cols - 1 - (int)strlen(left) - 4 - 8 > 0 &&
		    (int)strlen(right) > (int)cols - 1 - (int)strlen(left) - 4 - 8)
			right[cols - 1 - strlen(left) - 4 - 8] = '\0';
		if (barw > 40)
			barw = 40;
		if (barw < 8)
			barw = 8;
		fill = j->total ? (unsigned int)((double)j->done * barw / (double)j->total) : 0;
		if (j->state == JOB_ENDED && j->hr == S_OK)
			fill = (unsigned int)barw;
		if (fill > (unsigned int)barw)
			fill = (unsigned int)barw;
		for (k = 0; k < (unsigned int)barw; k++)
			bar[k] = k < fill ? '#' : '.';
		bar[barw] = '\0';
		printf("\033[2K%s [%s] %s\n", left, bar, right);
	}
	r->drawn = r->n;
	fflush(stdout);
}

/* A message for a human: above the live display, on stdout. */
void msg(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->o->json)
		return;
	display_clear(r);
	printf("%s: ", prog);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	display_bar(r);
	fflush(stdout);
}

void jl_device(struct jline *js, const struct job *j)
{
	jl_str(js, "device", j->dev.arg);
	jl_str(js, "node", j->dev.node[0] ? j->dev.node : NULL);
	if (j->op_id)
		jl_u64(js, "op_id", j->op_id);
	else
		jl_null(js, "op_id");
}

void report_start(struct run *r, struct job *j)
{
	char a[32], a2[256];
	struct jline js;

	if (r->o->json) {
		jl_begin(&js, "start");
		jl_device(&js, j);
		jl_str(&js, "method", method_name(r->o));
		if (r->o->nr_passes == 1 && r->o->passes[0].method == VDSWIPE_METHOD_PATTERN)
			jl_u64(&js, "pattern", r->o->passes[0].pattern);
		else
			jl_null(&js, "pattern");
		if (!r->o->discard) {
			jl_str(&js, "passes", passes_list(r->o, a2, sizeof(a2)));
			jl_u64(&js, "nr_passes", r->o->nr_passes ? r->o->nr_passes : 1);
			jl_str(&js, "verify", verify_word(r->o->verify));
			if (r->o->verify != VDSWIPE_VERIFY_OFF)
				jl_u64(&js, "sample_pct", r->o->sample_pct);
			else
				jl_null(&js, "sample_pct");
		}
		jl_str(&js, "record", j->record[0] ? j->record : NULL);
		jl_bool(&js, "full", r->o->full || r->o->discard);
		jl_u64(&js, "offset", j->copts.offset);
		jl_u64(&js, "length", (j->copts.flags & VDSW_CLEAN_RANGE) ? j->copts.length : j->dev.size);
		jl_u64(&js, "device_size", j->dev.size);
		jl_u64(&js, "bytes_total", j->total);
		jl_end(&js);
	} else if (r->mode == PROG_PLAIN) {
		char what[400];

		if (r->o->discard)
			snprintf(what, sizeof(what), "%s", method_name(r->o));
		else if (r->o->verify_only)
			snprintf(what, sizeof(what), "%s verification that it holds %s",
				 r->o->full ? "full" : "quick", passes_list(r->o, a2, sizeof(a2)));
		else
			snprintf(what, sizeof(what), "%s clean, pass%s %s, verify %s",
				 r->o->full ? "full" : "quick", r->o->nr_passes > 1 ? "es" : "",
				 passes_list(r->o, a2, sizeof(a2)), verify_word(r->o->verify));
		msg(r, "%s: started op %" PRIu64 ": %s, %s to %s", j->dev.arg, j->op_id, what,
		    fmt_bytes(j->total, a, sizeof(a)), r->o->discard ? "discard" :
		    r->o->verify_only ? "read" : "write or read");
	}
}

void report_progress(struct run *r)
{
	char a[32], b[32], c[32], d[32];
	struct jline js;
	unsigned int i;

	if (r->mode == PROG_BAR) {
		display_bar(r);
		return;
	}
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];
		double eta = job_eta(j);

		if (j->state != JOB_RUNNING)
			continue;
		if (r->o->json) {
			jl_begin(&js, "progress");
			jl_device(&js, j);
			jl_u64(&js, "percent", j->percent);
			jl_u64(&js, "bytes_done", j->done);
			jl_u64(&js, "bytes_total", j->total);
			jl_num(&js, "elapsed", job_elapsed(j));
			jl_num(&js, "rate", job_rate(j));
			if (eta >= 0)
				jl_num(&js, "eta", eta);
			else
				jl_null(&js, "eta");
			if (j->have_progress) {
				jl_u64(&js, "pass", j->prog.pass);
				jl_u64(&js, "nr_passes", j->prog.nr_passes);
				jl_str(&js, "phase", phase_word(j->prog.phase));
				jl_u64(&js, "bytes_written", j->prog.bytes_written);
				jl_u64(&js, "bytes_verified", j->prog.bytes_verified);
				jl_u64(&js, "mismatch_blocks", j->prog.mismatch_blocks);
			} else {
				jl_null(&js, "pass");
				jl_null(&js, "nr_passes");
				jl_null(&js, "phase");
			}
			jl_hr(&js, "hresult", j->status_hr);
			jl_end(&js);
		} else if (r->mode == PROG_PLAIN) {
			char ph[64] = "";

			if (j->have_progress && j->prog.pass)
				snprintf(ph, sizeof(ph), "pass %u/%u, %s, ", j->prog.pass,
					 j->prog.nr_passes, j->prog.phase == VDSWIPE_PHASE_VERIFY ?
					 "verifying" : "writing");
			msg(r, "%s: %s%u%%, %s of %s, %s/s, ETA %s", j->dev.arg, ph, j->percent,
			    fmt_bytes(j->done, a, sizeof(a)), fmt_bytes(j->total, b, sizeof(b)),
			    fmt_bytes((uint64_t)job_rate(j), c, sizeof(c)),
			    fmt_duration(eta, d, sizeof(d)));
		}
	}
}

static const char *state_word(const struct job *j)
{
	switch (j->state) {
	case JOB_REFUSED: return j->collateral ? "not_started" : "refused";
	case JOB_UNKNOWN: return "unknown";
	case JOB_NEW: return "not_started";
	case JOB_RUNNING: return "running";
	default: break;
	}
	if (j->hr == VDS_E_OPERATION_CANCELED)
		return "cancelled";
	if (j->hr == S_OK)
		return "done";
	return SUCCEEDED(j->hr) ? "partial" : "failed";
}

void report_end_json(struct job *j)
{
	struct jline js;

	jl_begin(&js, "end");
	jl_device(&js, j);
	jl_bool(&js, "started", j->op_id != 0);
	jl_str(&js, "state", state_word(j));
	if (j->state == JOB_UNKNOWN) {
		jl_null(&js, "hresult");
		jl_null(&js, "hresult_name");
		jl_null(&js, "hresult_message");
	} else {
		jl_hr(&js, "hresult", j->hr);
	}
	jl_str(&js, "detail", j->detail);
	jl_u64(&js, "percent", j->percent);
	jl_u64(&js, "bytes_done", j->done);
	jl_u64(&js, "bytes_total", j->total);
	jl_num(&js, "elapsed", job_elapsed(j));
	if (j->error)
		jl_str(&js, "error", strerrorname_np(j->error));
	else
		jl_null(&js, "error");
	if (j->error && j->error_offset != UINT64_MAX)
		jl_u64(&js, "error_offset", j->error_offset);
	else
		jl_null(&js, "error_offset");
	if (j->have_progress && j->prog.verify != VDSWIPE_VERIFY_OFF) {
		jl_u64(&js, "bytes_verified", j->prog.bytes_verified);
		jl_u64(&js, "verify_total", j->prog.verify_total);
		jl_u64(&js, "mismatch_blocks", j->prog.mismatch_blocks);
		if (j->prog.mismatch_blocks && j->prog.first_mismatch != UINT64_MAX)
			jl_u64(&js, "first_mismatch", j->prog.first_mismatch);
		else
			jl_null(&js, "first_mismatch");
	} else {
		jl_null(&js, "bytes_verified");
		jl_null(&js, "verify_total");
		jl_null(&js, "mismatch_blocks");
		jl_null(&js, "first_mismatch");
	}
	if (j->have_progress)
		jl_u64(&js, "bytes_written", j->prog.bytes_written);
	else
		jl_null(&js, "bytes_written");
	jl_str(&js, "record", j->record_written ? j->record : NULL);
	jl_u64(&js, "exit_class", j->state == JOB_UNKNOWN ? EX_CANCELLED : (uint64_t)hr_exit_class(j->hr));
	jl_end(&js);
}

/* The final lines for one device (human output). */
void report_end_human(struct run *r, struct job *j)
{
	char buf[512], a[32], b[32], c[32];
	double el = job_elapsed(j);
	FILE *f = stdout;

	(void)r;
	if (j->state == JOB_UNKNOWN) {
		fprintf(f, "%s: result unknown: the session was closed before the op reported its end; the kernel cancelled it, or let it finish if it could not be cancelled\n",
			j->dev.arg);
		return;
	}
	fprintf(f, "%s: %s\n", j->dev.arg, hr_format(j->hr, buf, sizeof(buf)));
	if (j->state == JOB_REFUSED) {
		if (j->detail[0])
			fprintf(f, "%s: %s\n", j->dev.arg, j->detail);
		return;
	}
	fprintf(f, "%s: %s of %s (%u%%) in %.1f s, %s/s", j->dev.arg,
		fmt_bytes(j->done, a, sizeof(a)), fmt_bytes(j->total, b, sizeof(b)),
		j->percent, el, fmt_bytes((uint64_t)job_rate(j), c, sizeof(c)));
	if (j->error) {
		fprintf(f, "; the device reported %s (%s)", strerrorname_np(j->error),
			strerror(j->error));
		if (j->error_offset != UINT64_MAX)
			fprintf(f, " at offset %" PRIu64, j->error_offset);
	}
	fprintf(f, "\n");
	if (j->have_progress && j->prog.verify != VDSWIPE_VERIFY_OFF) {
		fprintf(f, "%s: verification: %s of %s read back and compared", j->dev.arg,
			fmt_bytes(j->prog.bytes_verified, a, sizeof(a)),
			fmt_bytes(j->prog.verify_total, b, sizeof(b)));
		if (j->prog.mismatch_blocks)
			fprintf(f, "; %" PRIu64 " block%s of %u bytes did not hold what was written, the first at byte %" PRIu64,
				(uint64_t)j->prog.mismatch_blocks, j->prog.mismatch_blocks == 1 ? "" : "s",
				j->prog.block_size, (uint64_t)j->prog.first_mismatch);
		else
			fprintf(f, "; no mismatch");
		fprintf(f, "\n");
	}
	if (j->record_written)
		fprintf(f, "%s: record: %s\n", j->dev.arg, j->record);
	if (j->hr == VDS_S_DISK_PARTIALLY_CLEANED)
		fprintf(f, "%s: the device is NOT fully clean: an I/O error stopped the clean after part of it was written\n",
			j->dev.arg);
	if (j->detail[0])
		fprintf(f, "%s: %s\n", j->dev.arg, j->detail);
}

void summary(const struct run *r, int status)
{
	unsigned int i, ok = 0, failed = 0, cancelled = 0, other = 0;
	struct jline js;

	for (i = 0; i < r->n; i++) {
		const struct job *j = &r->jobs[i];

		if (j->state == JOB_UNKNOWN)
			other++;
		else if (j->hr == S_OK)
			ok++;
		else if (j->hr == VDS_E_OPERATION_CANCELED)
			cancelled++;
		else
			failed++;
	}
	if (!r->o->json)
		return;
	jl_begin(&js, "summary");
	jl_u64(&js, "devices", r->n);
	jl_u64(&js, "ok", ok);
	jl_u64(&js, "cancelled", cancelled);
	jl_u64(&js, "failed", failed);
	jl_u64(&js, "unknown", other);
	jl_bool(&js, "interrupted", r->interrupted);
	jl_i64(&js, "exit_status", status);
	jl_end(&js);
}
