/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clean.h - what the files of vdswipe clean, verify and discard share:
 * the parsed options, one job per device and the run that holds them.
 *
 *   clean-opts.c     options and usage
 *   checks.c         checks before the session, and the confirmation
 *   clean-display.c  live display, plain and JSON reports
 *   clean.c          submission, the event loop, cancellation, records
 */
#ifndef VDSWIPE_CLEAN_H
#define VDSWIPE_CLEAN_H

#include "tool.h"

enum progress_mode { PROG_AUTO, PROG_BAR, PROG_PLAIN, PROG_NONE };

struct opts {
	bool discard;		/* the discard command */
	bool verify_only;	/* the verify command */
	bool full, force, force_oem, yes, json, secure;
	bool have_full_or_quick;	/* --full or --quick given */
	bool have_pattern, have_offset, have_length;
	unsigned int pattern;
	uint64_t offset, length;
	enum progress_mode progress;
	double interval;	/* seconds between progress reports */
	/* --method / --passes / --expect: what each pass writes (or, for
	 * verify, what the region must hold); nr_passes 0: zeros */
	unsigned int nr_passes;
	struct vdswipe_pass passes[VDSWIPE_MAX_PASSES];
	bool have_method, have_passes, have_verify, have_sample;
	uint32_t verify;	/* VDSWIPE_VERIFY_* */
	uint32_t sample_pct;	/* 0: every chunk */
	const char *record;	/* --record FILE.json (may hold %n) */
	const char *operator_name, *asset_tag, *location;
};

enum job_state {
	JOB_NEW,		/* not submitted */
	JOB_RUNNING,		/* submitted, end not seen yet */
	JOB_ENDED,		/* op ended, result collected */
	JOB_REFUSED,		/* never submitted: refused or failed to submit */
	JOB_UNKNOWN,		/* session closed before the end was seen */
};

struct job {
	struct device dev;
	struct vdsw_probe_info probe;
	bool probe_failed;	/* could not be read; forced anyway */
	bool collateral;	/* refused because another device was */
	struct vdsw_clean_opts copts;
	struct vdsw_async *async;
	uint64_t op_id;
	enum job_state state;
	HRESULT hr;		/* op result, or why it was refused */
	HRESULT status_hr;	/* last QueryStatus op result */
	char detail[512];
	uint32_t percent;
	uint64_t done, total;
	int32_t error;		/* errno of a failed op */
	uint64_t error_offset;
	double t0, t1;
	struct timespec rt0, rt1;	/* the same, CLOCK_REALTIME, for the record */
	bool have_progress;	/* prog below was read (VDSWIPE_IOC_PROGRESS) */
	struct vdsw_async_progress prog;
	char record[4096];	/* the record's path, "" without --record */
	char record_tmp[4096 + 32];
	int record_fd;		/* the open temporary file, or -1 */
	bool record_written;
};

struct run {
	struct opts *o;
	struct job *jobs;
	unsigned int n;
	struct vdsw_session *sess;
	enum progress_mode mode;
	unsigned int drawn;	/* lines of the live display on screen */
	bool interrupted;	/* a signal asked to stop */
	bool cancel_sent;
	int signo;
	uint32_t abi_version;	/* of the module, 0 if unknown */
};

/* clean-opts.c: 0 when parsed, else an exit status (help: EX_OK and *done). */
int parse_opts(int argc, char **argv, struct opts *o, bool *done);

/* clean-display.c */
const char *passes_list(const struct opts *o, char *buf, size_t len);	/* "random,zero" */
void display_clear(struct run *r);
void display_bar(struct run *r);
/* A message for a human: above the live display, on stdout. */
void msg(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jl_device(struct jline *js, const struct job *j);
void report_start(struct run *r, struct job *j);
void report_progress(struct run *r);
void report_end_json(struct job *j);
void report_end_human(struct run *r, struct job *j);
void summary(const struct run *r, int status);

/* checks.c: before the session and before anything is written */
void refuse(struct run *r, struct job *j, HRESULT hr, const char *why);
void not_started(struct run *r);
int check_devices(struct run *r);
int check_signatures(struct run *r);
int confirm(struct run *r);

#endif /* VDSWIPE_CLEAN_H */
