// SPDX-License-Identifier: GPL-2.0
/*
 * clean-opts.c - the options of vdswipe clean, verify and discard, and
 * their help.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "clean.h"

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
"                     TB (decimal) or s (512-byte sectors) suffixes; a range\n"
"                     needs --full (all of it) or --quick (its first and last\n"
"                     MiB)\n"
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

/* The commands an option belongs to. */
#define FOR_CLEAN	1U
#define FOR_VERIFY	2U
#define FOR_DISCARD	4U
#define FOR_ALL		(FOR_CLEAN | FOR_VERIFY | FOR_DISCARD)

/* Every long option of clean, verify and discard, once. */
static const struct {
	struct option opt;
	unsigned int cmds;
} all_opts[] = {
	{ { "full", no_argument, NULL, OPT_FULL }, FOR_CLEAN | FOR_VERIFY },
	{ { "quick", no_argument, NULL, OPT_QUICK }, FOR_CLEAN | FOR_VERIFY },
	{ { "force", no_argument, NULL, OPT_FORCE }, FOR_CLEAN | FOR_DISCARD },
	{ { "force-oem", no_argument, NULL, OPT_FORCE_OEM }, FOR_CLEAN | FOR_DISCARD },
	{ { "secure", no_argument, NULL, OPT_SECURE }, FOR_DISCARD },
	{ { "pattern", required_argument, NULL, OPT_PATTERN }, FOR_CLEAN },
	{ { "method", required_argument, NULL, OPT_METHOD }, FOR_CLEAN },
	{ { "passes", required_argument, NULL, OPT_PASSES }, FOR_CLEAN },
	{ { "verify", required_argument, NULL, OPT_VERIFY }, FOR_CLEAN },
	{ { "expect", required_argument, NULL, OPT_EXPECT }, FOR_VERIFY },
	{ { "sample", required_argument, NULL, OPT_SAMPLE }, FOR_CLEAN | FOR_VERIFY },
	{ { "record", required_argument, NULL, OPT_RECORD }, FOR_CLEAN | FOR_VERIFY },
	{ { "operator", required_argument, NULL, OPT_OPERATOR }, FOR_CLEAN | FOR_VERIFY },
	{ { "asset-tag", required_argument, NULL, OPT_ASSET_TAG }, FOR_CLEAN | FOR_VERIFY },
	{ { "location", required_argument, NULL, OPT_LOCATION }, FOR_CLEAN | FOR_VERIFY },
	{ { "offset", required_argument, NULL, OPT_OFFSET }, FOR_ALL },
	{ { "length", required_argument, NULL, OPT_LENGTH }, FOR_ALL },
	{ { "yes", no_argument, NULL, 'y' }, FOR_CLEAN | FOR_DISCARD },
	{ { "json", no_argument, NULL, OPT_JSON }, FOR_ALL },
	{ { "progress", required_argument, NULL, OPT_PROGRESS }, FOR_ALL },
	{ { "interval", required_argument, NULL, OPT_INTERVAL }, FOR_ALL },
	{ { "help", no_argument, NULL, 'h' }, FOR_ALL },
};

/* The getopt_long() table of one command: out has room for every option
 * and the terminating entry. */
static void build_longopts(unsigned int cmd, struct option *out)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(all_opts); i++)
		if (all_opts[i].cmds & cmd)
			out[n++] = all_opts[i].opt;
	memset(&out[n], 0, sizeof(out[n]));
}

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
int parse_opts(int argc, char **argv, struct opts *o, bool *done)
{
	void (*usage)(FILE *) = o->discard ? usage_discard :
				 o->verify_only ? usage_verify : usage_clean;
	const char *cmd = o->discard ? "discard" : o->verify_only ? "verify" : "clean";
	struct option longopts[ARRAY_SIZE(all_opts) + 1];
	char *end;
	int c;

	*done = false;
	optind = 1;
	opterr = 0;
	build_longopts(o->discard ? FOR_DISCARD : o->verify_only ? FOR_VERIFY : FOR_CLEAN,
		       longopts);
	while ((c = getopt_long(argc, argv, ":yh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FULL: o->full = true; o->have_full_or_quick = true; break;
		case OPT_QUICK: o->full = false; o->have_full_or_quick = true; break;
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
	/* a quick clean of a range (its first and last MiB) is rarely what
	 * --offset and --length are given for: say which one is meant */
	if (!o->discard && !o->verify_only && (o->have_offset || o->have_length) &&
	    !o->have_full_or_quick) {
		fprintf(stderr, "%s %s: with --offset or --length, give --full (every byte of the range) or --quick (only its first and last MiB)\n",
			prog, cmd);
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
