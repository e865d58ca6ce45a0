// SPDX-License-Identifier: GPL-2.0
/*
 * clean.c - vdswipe clean and vdswipe discard.
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
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>

#include "tool.h"

enum progress_mode { PROG_AUTO, PROG_BAR, PROG_PLAIN, PROG_NONE };

struct opts {
	bool discard;		/* the discard command */
	bool verify_only;	/* the verify command */
	bool full, force, force_oem, yes, json, secure;
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

/* E_FAIL: only if a refusal had no device to blame (cannot happen) */
#define E_ABORT_NOT_STARTED	((HRESULT)0x80004005UL)

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

/* ------------------------------------------------------------ help */

static void usage_clean(FILE *f)
{
	fprintf(f,
"Usage: %s clean [OPTIONS] DEVICE...\n"
"\n"
"Clean (wipe) block devices, all at once, through the vdswipe kernel module:\n"
"IVdsAdvancedDisk::Clean. A quick clean overwrites the first and the last MiB\n"
"(partition tables, filesystem signatures); --full overwrites every byte.\n"
"\n"
"Options:\n"
"  --full             overwrite every byte, not only the first and last MiB\n"
"  --quick            the first and last MiB only (the default)\n"
"  --force            clean even if the device holds partitions or a filesystem\n"
"  --force-oem        clean even if it holds OEM partitions (needs --force too\n"
"                     when it also holds other partitions)\n"
"  --method DATA      what to write: zero (default), pattern:0xNN (a byte), or\n"
"                     random (a ChaCha20 keystream keyed in the kernel)\n"
"  --pattern BYTE     the same as --method pattern:BYTE\n"
"  --passes LIST      several passes over the same region, in order, e.g.\n"
"                     random,zero (at most 8; each as --method)\n"
"  --verify MODE      read back and compare: off (default), last (after the\n"
"                     last pass), all (after every pass), sample:PCT (after\n"
"                     the last pass, PCT%% of the chunks at random, always the\n"
"                     first and last MiB)\n"
"  --sample PCT       with --verify last or all: read back PCT%% of the chunks\n"
"  --offset N         clean from byte N (a multiple of the logical block size);\n"
"  --length N         clean N bytes; sizes take K, M, G, T (binary), KB, MB, GB,\n"
"                     TB (decimal) or s (512-byte sectors) suffixes\n"
"  --record FILE      write a sanitization record (JSON, with a SHA-256 of its\n"
"                     content) when the clean ends; with several devices FILE\n"
"                     must hold %%n (the device's kernel name)\n"
"  --operator NAME, --asset-tag TAG, --location PLACE\n"
"                     who ran it, the asset, where: written to the record\n"
"  -y, --yes          do not ask for confirmation\n"
"  --json             one JSON object per event (start, progress, cancel, end,\n"
"                     summary) on stdout\n"
"  --progress MODE    auto (default: bar on a terminal, else plain), bar, plain,\n"
"                     none\n"
"  --interval SEC     seconds between progress reports (bar 0.2, plain 5,\n"
"                     json 1)\n"
"  -h, --help         this help\n"
"\n"
"Without --yes it asks you to type each device's name; with no terminal on\n"
"standard input it refuses. It always refuses a device that is mounted (or a\n"
"partition of it), used as swap, held by device-mapper or md, or read-only.\n"
"Ctrl-C cancels every clean and prints each device's result; a second Ctrl-C\n"
"stops waiting (closing the session makes the kernel cancel and wait).\n"
"Exit status: 0 clean, 2 usage, 3 refused, 4 access denied, 5 device/media,\n"
"6 I/O error, 7 module, 8 partially cleaned, 9 verification mismatch,\n"
"130 cancelled, 1 other (see vdswipe(8)).\n", prog);
}

static void usage_verify(FILE *f)
{
	fprintf(f,
"Usage: %s verify [OPTIONS] DEVICE...\n"
"\n"
"Check, without writing, that block devices hold what a wipe left: zeros or\n"
"a byte pattern (a device that something else wiped, for instance). The\n"
"kernel reads the region back through the block layer (no page cache).\n"
"\n"
"Options:\n"
"  --expect DATA      what the region must hold: zero (default) or pattern:0xNN\n"
"  --full             every byte, not only the first and last MiB\n"
"  --quick            the first and last MiB only (the default)\n"
"  --sample PCT       read PCT%% of the chunks, chosen at random (always the\n"
"                     first and last MiB); default 100\n"
"  --offset N, --length N\n"
"                     only this range, as for clean\n"
"  --record FILE      write a record of the verification (%%n: kernel name)\n"
"  --operator NAME, --asset-tag TAG, --location PLACE\n"
"                     written to the record\n"
"  --json             one JSON object per event on stdout\n"
"  --progress MODE    auto, bar, plain, none\n"
"  --interval SEC     seconds between progress reports\n"
"  -h, --help         this help\n"
"\n"
"Needs no confirmation (nothing is written). A mismatch ends with\n"
"VDSW_E_VERIFY_MISMATCH, the offset of the first differing block and the\n"
"count. Exit status: 0 the region holds the data, 9 it does not, 6 a read\n"
"failed, otherwise as for clean.\n", prog);
}

static void usage_discard(FILE *f)
{
	fprintf(f,
"Usage: %s discard [OPTIONS] DEVICE...\n"
"\n"
"Discard (TRIM/UNMAP) every block of the devices with one discard command\n"
"each (VDSWIPE_METHOD_DISCARD), or a secure erase with --secure. What a later\n"
"read returns is up to the device. A discard cannot be cancelled: Ctrl-C\n"
"reports VDS_E_NOT_SUPPORTED for the cancel and waits for it to end.\n"
"\n"
"Options:\n"
"  --secure           secure erase (BLKSECDISCARD semantics)\n"
"  --force            even if the device holds partitions or a filesystem\n"
"  --force-oem        even if it holds OEM partitions\n"
"  --offset N         discard from byte N\n"
"  --length N         discard N bytes (default: to the end)\n"
"  -y, --yes          do not ask for confirmation\n"
"  --json             one JSON object per event on stdout\n"
"  --progress MODE    auto, bar, plain, none\n"
"  --interval SEC     seconds between progress reports\n"
"  -h, --help         this help\n"
"\n"
"Same confirmation, safety rules and exit status as 'vdswipe clean'.\n", prog);
}

/* ------------------------------------------------------------ options */

enum {
	OPT_FULL = 256, OPT_FORCE, OPT_FORCE_OEM, OPT_PATTERN, OPT_OFFSET,
	OPT_LENGTH, OPT_JSON, OPT_PROGRESS, OPT_INTERVAL, OPT_SECURE,
	OPT_QUICK, OPT_METHOD, OPT_PASSES, OPT_VERIFY, OPT_SAMPLE, OPT_EXPECT,
	OPT_RECORD, OPT_OPERATOR, OPT_ASSET_TAG, OPT_LOCATION,
};

static bool parse_byte(const char *s, unsigned int *val)
{
	unsigned long v;
	char *end;

	if (!s[0] || s[0] == '-' || s[0] == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno || *end || end == s || v > 255)
		return false;
	*val = (unsigned int)v;
	return true;
}

/* "zero", "random", "pattern:0xNN" (or "pattern:NN") into *p */
static bool parse_pass(const char *s, struct vdswipe_pass *p, bool random_ok)
{
	unsigned int b;

	memset(p, 0, sizeof(*p));
	if (!strcmp(s, "zero") || !strcmp(s, "zeros")) {
		p->method = VDSWIPE_METHOD_ZERO;
		return true;
	}
	if (random_ok && !strcmp(s, "random")) {
		p->method = VDSWIPE_METHOD_RANDOM;
		return true;
	}
	if (!strncmp(s, "pattern:", 8) && parse_byte(s + 8, &b)) {
		p->method = VDSWIPE_METHOD_PATTERN;
		p->pattern = b;
		return true;
	}
	return false;
}

static bool parse_passes(const char *list, struct opts *o)
{
	char buf[256], *tok, *rest = buf;

	if (strlen(list) >= sizeof(buf))
		return false;
	strcpy(buf, list);
	o->nr_passes = 0;
	/* strsep, not strtok: an empty entry ("random,,zero") is an error */
	while ((tok = strsep(&rest, ","))) {
		if (o->nr_passes == VDSWIPE_MAX_PASSES ||
		    !parse_pass(tok, &o->passes[o->nr_passes], true))
			return false;
		o->nr_passes++;
	}
	return o->nr_passes > 0;
}

static bool parse_pct(const char *s, uint32_t *pct)
{
	unsigned long v;
	char *end;

	if (!s[0] || s[0] == '-' || s[0] == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || (*end && strcmp(end, "%")) || v < 1 || v > 100)
		return false;
	*pct = (uint32_t)v;
	return true;
}

static bool parse_verify(const char *s, struct opts *o)
{
	if (!strcmp(s, "off"))
		o->verify = VDSWIPE_VERIFY_OFF;
	else if (!strcmp(s, "last"))
		o->verify = VDSWIPE_VERIFY_LAST;
	else if (!strcmp(s, "all"))
		o->verify = VDSWIPE_VERIFY_ALL;
	else if (!strncmp(s, "sample:", 7) && parse_pct(s + 7, &o->sample_pct))
		o->verify = VDSWIPE_VERIFY_LAST;
	else
		return false;
	return true;
}

/* 0: parsed, else an exit status (help: 0 is returned through *done). */
static int parse_opts(int argc, char **argv, struct opts *o, bool *done)
{
	static const struct option clean_longopts[] = {
		{ "full", no_argument, NULL, OPT_FULL },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "force-oem", no_argument, NULL, OPT_FORCE_OEM },
		{ "pattern", required_argument, NULL, OPT_PATTERN },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "passes", required_argument, NULL, OPT_PASSES },
		{ "verify", required_argument, NULL, OPT_VERIFY },
		{ "sample", required_argument, NULL, OPT_SAMPLE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "operator", required_argument, NULL, OPT_OPERATOR },
		{ "asset-tag", required_argument, NULL, OPT_ASSET_TAG },
		{ "location", required_argument, NULL, OPT_LOCATION },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "length", required_argument, NULL, OPT_LENGTH },
		{ "yes", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option verify_longopts[] = {
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "sample", required_argument, NULL, OPT_SAMPLE },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "length", required_argument, NULL, OPT_LENGTH },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "operator", required_argument, NULL, OPT_OPERATOR },
		{ "asset-tag", required_argument, NULL, OPT_ASSET_TAG },
		{ "location", required_argument, NULL, OPT_LOCATION },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option discard_longopts[] = {
		{ "secure", no_argument, NULL, OPT_SECURE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "force-oem", no_argument, NULL, OPT_FORCE_OEM },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "length", required_argument, NULL, OPT_LENGTH },
		{ "yes", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	void (*usage)(FILE *) = o->discard ? usage_discard :
				 o->verify_only ? usage_verify : usage_clean;
	const char *cmd = o->discard ? "discard" : o->verify_only ? "verify" : "clean";
	char *end;
	int c;

	*done = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":yh",
				o->discard ? discard_longopts :
				o->verify_only ? verify_longopts : clean_longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_FULL: o->full = true; break;
		case OPT_QUICK: o->full = false; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_FORCE_OEM: o->force_oem = true; break;
		case OPT_SECURE: o->secure = true; break;
		case 'y': o->yes = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_PATTERN:
			if (!parse_byte(optarg, &o->pattern)) {
				fprintf(stderr, "%s %s: --pattern takes a byte, 0-255 or 0x00-0xff, not '%s'\n",
					prog, cmd, optarg);
				return EX_USAGE;
			}
			if (o->have_passes || (o->have_method && !o->have_pattern)) {
				fprintf(stderr, "%s %s: give one of --method, --pattern and --passes\n",
					prog, cmd);
				return EX_USAGE;
			}
			o->have_pattern = o->have_method = true;
			o->nr_passes = 1;
			o->passes[0].method = VDSWIPE_METHOD_PATTERN;
			o->passes[0].pattern = o->pattern;
			break;
		case OPT_METHOD:
		case OPT_EXPECT:
			if (o->have_passes || o->have_method) {
				fprintf(stderr, "%s %s: give one of --method, --pattern and --passes\n",
					prog, cmd);
				return EX_USAGE;
			}
			if (!parse_pass(optarg, &o->passes[0], c == OPT_METHOD)) {
				fprintf(stderr, c == OPT_METHOD ?
					"%s %s: --method is zero, random or pattern:0xNN, not '%s'\n" :
					"%s %s: --expect is zero or pattern:0xNN, not '%s'\n",
					prog, cmd, optarg);
				return EX_USAGE;
			}
			o->have_method = true;
			o->nr_passes = 1;
			break;
		case OPT_PASSES:
			if (o->have_passes || o->have_method) {
				fprintf(stderr, "%s %s: give one of --method, --pattern and --passes\n",
					prog, cmd);
				return EX_USAGE;
			}
			if (!parse_passes(optarg, o)) {
				fprintf(stderr, "%s %s: --passes is a comma-separated list of 1 to %d of zero, random, pattern:0xNN, not '%s'\n",
					prog, cmd, VDSWIPE_MAX_PASSES, optarg);
				return EX_USAGE;
			}
			o->have_passes = true;
			break;
		case OPT_VERIFY:
			if (!parse_verify(optarg, o)) {
				fprintf(stderr, "%s %s: --verify is off, last, all or sample:PCT (1-100), not '%s'\n",
					prog, cmd, optarg);
				return EX_USAGE;
			}
			if (!strncmp(optarg, "sample:", 7))
				o->have_sample = true;
			o->have_verify = true;
			break;
		case OPT_SAMPLE:
			if (!parse_pct(optarg, &o->sample_pct)) {
				fprintf(stderr, "%s %s: --sample takes a percentage, 1 to 100, not '%s'\n",
					prog, cmd, optarg);
				return EX_USAGE;
			}
			o->have_sample = true;
			break;
		case OPT_RECORD:
			if (!optarg[0] || strlen(optarg) > 3000) {
				fprintf(stderr, "%s %s: bad --record file name\n", prog, cmd);
				return EX_USAGE;
			}
			o->record = optarg;
			break;
		case OPT_OPERATOR: o->operator_name = optarg; break;
		case OPT_ASSET_TAG: o->asset_tag = optarg; break;
		case OPT_LOCATION: o->location = optarg; break;
		case OPT_OFFSET:
			if (!parse_size(optarg, &o->offset)) {
				fprintf(stderr, "%s %s: bad --offset '%s'\n", prog, cmd, optarg);
				return EX_USAGE;
			}
			o->have_offset = true;
			break;
		case OPT_LENGTH:
			if (!parse_size(optarg, &o->length) || !o->length) {
				fprintf(stderr, "%s %s: bad --length '%s' (a non-zero size)\n",
					prog, cmd, optarg);
				return EX_USAGE;
			}
			o->have_length = true;
			break;
		case OPT_PROGRESS:
			if (!strcmp(optarg, "auto"))
				o->progress = PROG_AUTO;
			else if (!strcmp(optarg, "bar"))
				o->progress = PROG_BAR;
			else if (!strcmp(optarg, "plain"))
				o->progress = PROG_PLAIN;
			else if (!strcmp(optarg, "none"))
				o->progress = PROG_NONE;
			else {
				fprintf(stderr, "%s %s: --progress is auto, bar, plain or none, not '%s'\n",
					prog, cmd, optarg);
				return EX_USAGE;
			}
			break;
		case OPT_INTERVAL:
			errno = 0;
			o->interval = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->interval >= 0.05) ||
			    o->interval > 86400) {
				fprintf(stderr, "%s %s: --interval takes seconds (0.05 to 86400), not '%s'\n",
					prog, cmd, optarg);
				return EX_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			*done = true;
			return EX_OK;
		case ':':
			fprintf(stderr, "%s %s: option '%s' needs an argument\n", prog, cmd,
				argv[optind - 1]);
			fprintf(stderr, "Try '%s %s --help'.\n", prog, cmd);
			return EX_USAGE;
		default:
			fprintf(stderr, "%s %s: unknown option '%s'\n", prog, cmd,
				argv[optind - 1]);
			fprintf(stderr, "Try '%s %s --help'.\n", prog, cmd);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s %s: no device given\n", prog, cmd);
		fprintf(stderr, "Try '%s %s --help'.\n", prog, cmd);
		return EX_USAGE;
	}
	if (o->verify_only) {
		if (!o->nr_passes) {	/* --expect zero by default */
			o->nr_passes = 1;
			o->passes[0].method = VDSWIPE_METHOD_ZERO;
		}
		o->verify = VDSWIPE_VERIFY_LAST;
		o->have_verify = true;
	}
	if (o->have_sample && o->have_verify && o->verify == VDSWIPE_VERIFY_OFF) {
		fprintf(stderr, "%s %s: --sample needs a verification (--verify last or all)\n",
			prog, cmd);
		return EX_USAGE;
	}
	if (o->have_sample && !o->have_verify)
		o->verify = VDSWIPE_VERIFY_LAST;
	if (o->verify == VDSWIPE_VERIFY_OFF)
		o->sample_pct = 0;
	else if (!o->sample_pct)
		o->sample_pct = 100;
	if (o->record && argc - optind > 1 && !strstr(o->record, "%n")) {
		fprintf(stderr, "%s %s: --record with several devices needs %%n in the file name (the kernel name of each device)\n",
			prog, cmd);
		return EX_USAGE;
	}
	if ((o->operator_name || o->asset_tag || o->location) && !o->record) {
		fprintf(stderr, "%s %s: --operator, --asset-tag and --location go into a record: give --record FILE\n",
			prog, cmd);
		return EX_USAGE;
	}
	return EX_OK;
}

/* ------------------------------------------------------------ output */

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
static const char *passes_list(const struct opts *o, char *buf, size_t len)
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
static void display_clear(struct run *r)
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

static void display_bar(struct run *r)
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
static void msg(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg(struct run *r, const char *fmt, ...)
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

static void jl_device(struct jline *js, const struct job *j)
{
	jl_str(js, "device", j->dev.arg);
	jl_str(js, "node", j->dev.node[0] ? j->dev.node : NULL);
	if (j->op_id)
		jl_u64(js, "op_id", j->op_id);
	else
		jl_null(js, "op_id");
}

static void report_start(struct run *r, struct job *j)
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

static void report_progress(struct run *r)
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

static void report_end_json(struct job *j)
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
static void report_end_human(struct run *r, struct job *j)
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

/* ------------------------------------------------------------ record */

/* --record's name for this device: %n is its kernel name, %% a %. */
static bool record_path(const char *pat, const struct device *d, char *out, size_t len)
{
	size_t n = 0;
	const char *p;
	int k;

	for (p = pat; *p; p++) {
		if (p[0] == '%' && (p[1] == 'n' || p[1] == '%')) {
			k = snprintf(out + n, len - n, "%s", p[1] == 'n' ? d->name : "%");
			p++;
		} else {
			k = snprintf(out + n, len - n, "%c", *p);
		}
		if (k < 0 || (size_t)k >= len - n)
			return false;
		n += (size_t)k;
	}
	return true;
}

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

/* ------------------------------------------------------------ checks */

/* Fill the range of the clean from the options, for one device. */
static HRESULT job_range(const struct opts *o, struct job *j)
{
	struct vdsw_clean_opts *c = &j->copts;

	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	if (o->discard) {
		c->method = VDSWIPE_METHOD_DISCARD;
	} else if (o->nr_passes > 1 || o->verify != VDSWIPE_VERIFY_OFF) {
		/* VDSWIPE_IOC_SANITIZE */
		c->nr_passes = o->nr_passes ? o->nr_passes : 1;
		if (o->nr_passes)
			memcpy(c->passes, o->passes, sizeof(c->passes));
		else
			c->passes[0].method = VDSWIPE_METHOD_ZERO;
		c->verify = o->verify;
		c->sample_pct = o->verify != VDSWIPE_VERIFY_OFF ? o->sample_pct : 0;
	} else if (o->nr_passes == 1) {
		/* one pass, no verification: VDSWIPE_IOC_CLEAN as before */
		c->method = o->passes[0].method;
		c->pattern = o->passes[0].pattern;
	} else {
		c->method = VDSWIPE_METHOD_ZERO;
	}
	if (o->secure)
		c->flags |= VDSW_CLEAN_SECURE;
	if (!o->have_offset && !o->have_length)
		return S_OK;
	c->flags |= VDSW_CLEAN_RANGE;
	c->offset = o->have_offset ? o->offset : 0;
	if (c->offset >= j->dev.size) {
		snprintf(j->detail, sizeof(j->detail), "--offset %" PRIu64 " is not inside the device (%" PRIu64 " bytes)",
			 c->offset, j->dev.size);
		return E_INVALIDARG;
	}
	c->length = o->have_length ? o->length : j->dev.size - c->offset;
	if (c->length > j->dev.size - c->offset) {
		snprintf(j->detail, sizeof(j->detail), "the range %" PRIu64 "+%" PRIu64 " ends past the end of the device (%" PRIu64 " bytes)",
			 c->offset, c->length, j->dev.size);
		return E_INVALIDARG;
	}
	if (j->dev.lbs && (c->offset % j->dev.lbs || c->length % j->dev.lbs)) {
		snprintf(j->detail, sizeof(j->detail), "--offset and --length must be multiples of the logical block size (%u bytes)",
			 j->dev.lbs);
		return E_INVALIDARG;
	}
	return S_OK;
}

static void describe_probe(const struct vdsw_probe_info *p, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (p->pttype[0])
		n += (size_t)snprintf(buf + n, len - n, "%s partition table", p->pttype);
	if (n < len && (p->data_partitions || p->oem_partitions))
		n += (size_t)snprintf(buf + n, len - n, "%s%u partition%s%s", n ? ", " : "",
				      p->data_partitions + p->oem_partitions,
				      p->data_partitions + p->oem_partitions == 1 ? "" : "s",
				      p->oem_partitions ? " (some OEM)" : "");
	if (n < len && p->fstype[0])
		n += (size_t)snprintf(buf + n, len - n, "%s%s signature", n ? ", " : "", p->fstype);
	if (n < len && (p->flags & VDSW_PROBE_OEM_ENTRY))
		n += (size_t)snprintf(buf + n, len - n, "%san OEM partition", n ? ", " : "");
	if (!n)
		snprintf(buf, len, "nothing recognised (no partition table, no filesystem signature)");
}

static void refuse(struct run *r, struct job *j, HRESULT hr, const char *why)
{
	j->state = JOB_REFUSED;
	j->hr = hr;
	if (why != j->detail)
		snprintf(j->detail, sizeof(j->detail), "%s", why);
	if (r->o->json)
		report_end_json(j);
	else
		hr_report(stderr, j->dev.arg, hr, j->detail);
}

/*
 * After a refusal: the devices that passed their checks are not started
 * either (nothing is written unless every device passes). Each still gets
 * its end event, with the HRESULT that stopped the command.
 */
static void not_started(struct run *r)
{
	const struct job *cause = NULL;
	unsigned int i;

	for (i = 0; i < r->n && !cause; i++)
		if (r->jobs[i].state == JOB_REFUSED)
			cause = &r->jobs[i];
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		if (j->state != JOB_NEW)
			continue;
		j->state = JOB_REFUSED;
		j->collateral = true;
		j->hr = cause ? cause->hr : E_ABORT_NOT_STARTED;
		snprintf(j->detail, sizeof(j->detail), "not started: %s was refused, so nothing was %s",
			 cause ? cause->dev.arg : "another device", r->o->discard ? "discarded" : "cleaned");
		if (r->o->json)
			report_end_json(j);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, j->dev.arg, j->detail);
	}
}

/* Create the record's temporary file now: if it cannot be written, nothing starts. */
static HRESULT job_record_open(struct run *r, struct job *j, char *why, size_t len)
{
	unsigned int k;
	int fd;

	if (!record_path(r->o->record, &j->dev, j->record, sizeof(j->record))) {
		snprintf(why, len, "--record: the file name is too long");
		return E_INVALIDARG;
	}
	for (k = 0; k < r->n; k++) {
		if (&r->jobs[k] != j && r->jobs[k].record[0] && !strcmp(r->jobs[k].record, j->record)) {
			snprintf(why, len, "--record: %.300s is the record of %.100s too; put %%n in the name",
				 j->record, r->jobs[k].dev.arg);
			return E_INVALIDARG;
		}
	}
	fd = record_open(j->record, j->record_tmp, sizeof(j->record_tmp));
	if (fd < 0) {
		snprintf(why, len, "--record: cannot create %.300s: %s", j->record_tmp, strerror(-fd));
		return fd == -EACCES || fd == -EPERM || fd == -EROFS ? E_ACCESSDENIED : E_INVALIDARG;
	}
	j->record_fd = fd;
	return S_OK;
}

/* Everything before the session: devices, ranges, in use, read-only. */
static int check_devices(struct run *r)
{
	unsigned int i, k;
	char why[512];
	int status = EX_OK;
	HRESULT hr;

	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		why[0] = '\0';
		hr = dev_resolve(j->dev.arg, &j->dev, why, sizeof(why));
		for (k = 0; hr == S_OK && k < i; k++) {
			if (r->jobs[k].state == JOB_NEW && dev_overlap(&r->jobs[k].dev, &j->dev)) {
				snprintf(why, sizeof(why), "%s and %s are the same disk, or one is a partition of the other: one clean per disk at a time",
					 r->jobs[k].dev.arg, j->dev.arg);
				hr = VDS_E_DEVICE_IN_USE;
			}
		}
		/* reading is harmless: verify only needs the device */
		if (hr == S_OK && !r->o->verify_only)
			hr = dev_check_in_use(&j->dev, why, sizeof(why));
		if (hr == S_OK && !r->o->verify_only)
			hr = dev_check_writable(&j->dev, why, sizeof(why));
		if (hr == S_OK) {
			hr = job_range(r->o, j);
			if (hr != S_OK)
				snprintf(why, sizeof(why), "%s", j->detail);
		}
		if (hr == S_OK && r->o->record)
			hr = job_record_open(r, j, why, sizeof(why));
		if (hr != S_OK) {
			refuse(r, j, hr, why);
			if (status == EX_OK)
				status = hr_exit_class(hr);
		}
	}
	return status;
}

/* The library's safety checks (libblkid), before asking anyone. */
static int check_signatures(struct run *r)
{
	char what[256], why[768];
	int status = EX_OK;
	unsigned int i;
	HRESULT hr;

	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		hr = vdsw_check_device(j->dev.arg, r->o->force, r->o->force_oem, &j->probe);
		if (hr == S_OK)
			continue;
		/* With both force flags nothing found could refuse the clean, and
		 * libvdswipe does not read the device either: a device that cannot
		 * be read (failing) may still be cleaned. */
		if (r->o->force && r->o->force_oem) {
			memset(&j->probe, 0, sizeof(j->probe));
			j->probe_failed = true;
			continue;
		}
		if (hr == VDS_E_OPERATION_DENIED) {
			describe_probe(&j->probe, what, sizeof(what));
			snprintf(why, sizeof(why), "it holds %s; give %s to %s it anyway",
				 what,
				 (j->probe.flags & VDSW_PROBE_NEED_FORCE) && !r->o->force ?
				 ((j->probe.flags & VDSW_PROBE_NEED_FORCE_OEM) && !r->o->force_oem ?
				  "--force --force-oem" : "--force") : "--force-oem",
				 r->o->discard ? "discard" : "clean");
		} else {
			snprintf(why, sizeof(why), "%s", vdsw_last_error());
		}
		refuse(r, j, hr, why);
		if (status == EX_OK)
			status = hr_exit_class(hr);
	}
	return status;
}

static void describe_action(const struct opts *o, const struct job *j, char *buf, size_t len)
{
	char a[32], b[32];
	const struct vdsw_clean_opts *c = &j->copts;
	const char *what;
	char pat[300], list[256];

	if (o->discard) {
		what = o->secure ? "securely erased" : "discarded";
	} else if (o->nr_passes > 1) {
		snprintf(pat, sizeof(pat), "overwritten %u times (%s)", o->nr_passes,
			 passes_list(o, list, sizeof(list)));
		what = pat;
	} else if (o->nr_passes && o->passes[0].method == VDSWIPE_METHOD_PATTERN) {
		snprintf(pat, sizeof(pat), "overwritten with 0x%02x", o->passes[0].pattern);
		what = pat;
	} else if (o->nr_passes && o->passes[0].method == VDSWIPE_METHOD_RANDOM) {
		what = "overwritten with random data";
	} else {
		what = "overwritten with zeros";
	}
	if (c->flags & VDSW_CLEAN_RANGE)
		snprintf(buf, len, "%s bytes %" PRIu64 " to %" PRIu64 " (%s) will be %s",
			 o->full || o->discard ? "every byte of" : "the first and last MiB of",
			 c->offset, c->offset + c->length - 1, fmt_bytes(c->length, a, sizeof(a)),
			 what);
	else if (o->full || o->discard)
		snprintf(buf, len, "every byte (%s) will be %s", fmt_bytes(j->dev.size, a, sizeof(a)), what);
	else
		snprintf(buf, len, "the first and the last MiB (of %s) will be %s",
			 fmt_bytes(j->dev.size, b, sizeof(b)), what);
}

/* Ask for each device's name. EX_OK when all were confirmed. */
static int confirm(struct run *r)
{
	char what[256], action[700], line[512];
	unsigned int i;
	size_t n;

	if (r->o->yes)
		return EX_OK;
	if (!isatty(STDIN_FILENO)) {
		for (i = 0; i < r->n; i++)
			refuse(r, &r->jobs[i], TOOL_HR_NOT_CONFIRMED,
			       "not confirmed: standard input is not a terminal, so nobody can type the device name; give --yes to go ahead without asking");
		return EX_REFUSED;
	}
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];
		const char *typed;

		if (j->probe_failed)
			snprintf(what, sizeof(what), "unknown: it could not be read");
		else
			describe_probe(&j->probe, what, sizeof(what));
		describe_action(r->o, j, action, sizeof(action));
		fprintf(stderr, "\n%s (%s, %s%s): %s.\n", j->dev.arg, j->dev.name,
			j->dev.is_partition ? "a partition, " : "a whole disk, ",
			fmt_bytes(j->dev.size, line, sizeof(line)), action);
		fprintf(stderr, "It holds: %s.\n", what);
		fprintf(stderr, "Type the device name (%s) to %s it, anything else to stop: ",
			j->dev.name, r->o->discard ? "discard" : "clean");
		fflush(stderr);
		if (!fgets(line, sizeof(line), stdin))
			line[0] = '\0';
		n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		typed = line;
		while (*typed == ' ')
			typed++;
		if (*typed && (!strcmp(typed, j->dev.name) || !strcmp(typed, j->dev.node) ||
			       !strcmp(typed, j->dev.arg)))
			continue;
		fprintf(stderr, "\n");
		for (i = 0; i < r->n; i++) {
			char why[600];

			snprintf(why, sizeof(why), "not confirmed: '%s' is not %s; nothing was %s",
				 typed, r->jobs[i].dev.name, r->o->discard ? "discarded" : "cleaned");
			refuse(r, &r->jobs[i], TOOL_HR_NOT_CONFIRMED, why);
		}
		return EX_REFUSED;
	}
	fprintf(stderr, "\n");
	return EX_OK;
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

static void summary(const struct run *r, int status)
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
