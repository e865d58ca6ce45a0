// SPDX-License-Identifier: GPL-2.0
/*
 * vdswipe - clean (wipe) block devices through the vdswipe kernel module,
 * with the cancel semantics of the Windows Virtual Disk Service.
 *
 *   vdswipe clean [--full | --quick] [--force] [--force-oem] [--pattern BYTE]
 *                 [--offset N --length N (with --full or --quick)] [--yes]
 *                 [--json] DEVICE...
 *   vdswipe discard [--secure] DEVICE...
 *   vdswipe verify [--expect DATA] [--full] [--sample PCT] DEVICE...
 *   vdswipe record [--check] [--pdf OUT.pdf] FILE.json
 *   vdswipe identify DEVICE...
 *   vdswipe info [--json]
 *   vdswipe hresult [--json] [--list] CODE...
 *
 * See vdswipe(8) and Documentation/vdswipe/admin-guide.rst.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tool.h"

const char *prog = "vdswipe";

static void usage(FILE *f)
{
	fprintf(f,
"Usage: %s COMMAND [OPTIONS] [ARGUMENTS]\n"
"\n"
"Clean (wipe) block devices through the vdswipe kernel module, with the\n"
"semantics of the Windows Virtual Disk Service (IVdsAdvancedDisk::Clean,\n"
"IVdsAsync) and its HRESULTs.\n"
"\n"
"Commands:\n"
"  clean DEVICE...    overwrite the devices (quick or --full), in parallel;\n"
"                     Ctrl-C cancels\n"
"  discard DEVICE...  discard every block (cannot be cancelled)\n"
"  verify DEVICE...   check that devices hold zeros or a pattern (reads only)\n"
"  record FILE.json   check a sanitization record, print it, or render it as\n"
"                     a PDF certificate (--pdf)\n"
"  identify DEVICE... the device identity a record holds (from sysfs)\n"
"  info               the module: loaded or not, ABI version, features, limits\n"
"  hresult CODE...    name and description of HRESULT codes\n"
"  status             every op the module holds, whoever started it; counters\n"
"  help [COMMAND]     this help, or a command's\n"
"\n"
"Options:\n"
"  -h, --help         this help ('%s COMMAND --help' for a command's)\n"
"  -V, --version      the version of the tool and of libvdswipe\n"
"\n"
"Destructive commands ask you to type each device's name unless --yes is\n"
"given, and refuse without a terminal. See vdswipe(8).\n", prog, prog);
}

/* ------------------------------------------------------------ hresult */

static void usage_hresult(FILE *f)
{
	fprintf(f,
"Usage: %s hresult [--json] CODE...\n"
"       %s hresult [--json] --list\n"
"\n"
"Print the name and the description of HRESULT codes, for instance those a\n"
"Windows tool logged. CODE is hexadecimal (0x8004240C), decimal, negative\n"
"decimal (-2147212276, as a signed 32-bit HRESULT), or a name\n"
"(VDS_E_CANCEL_TOO_LATE). --list prints every code this tool knows.\n"
"\n"
"Options:\n"
"  --json       one JSON object per code on stdout\n"
"  --list       every known code\n"
"  -h, --help   this help\n"
"\n"
"Exit status: 0 when every code is known, 1 when one is not (it is still\n"
"decoded), 2 when one cannot be parsed.\n", prog, prog);
}

static const char *facility_name(unsigned int fac)
{
	switch (fac) {
	case FACILITY_NULL: return "FACILITY_NULL";
	case 1: return "FACILITY_RPC";
	case 2: return "FACILITY_DISPATCH";
	case 3: return "FACILITY_STORAGE";
	case FACILITY_ITF: return "FACILITY_ITF";
	case FACILITY_WIN32: return "FACILITY_WIN32";
	case 8: return "FACILITY_WINDOWS";
	default: return NULL;
	}
}

/* Parse a code: 0x hex, decimal, negative decimal, or a name. */
static bool parse_hresult(const char *s, HRESULT *hr)
{
	long long v;
	char *end;

	if (!s[0])
		return false;
	if ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))
		return hr_by_name(s, hr);
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = (long long)strtoull(s + 2, &end, 16);
	else
		v = strtoll(s, &end, 10);
	if (errno || *end || end == s || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !s[2]))
		return false;
	if (v < INT32_MIN || v > (long long)UINT32_MAX)
		return false;
	*hr = (HRESULT)(uint32_t)(v & 0xFFFFFFFFLL);
	return true;
}

static bool hresult_one(HRESULT hr, const char *arg, bool json)
{
	const char *name = hr_name_or_null(hr), *fac = facility_name(HRESULT_FACILITY(hr));
	bool known = name != NULL, from_lib = hr_known_to_lib(hr);
	char hex[16], gen[64], hint[256] = "";
	struct jline js;

	snprintf(hex, sizeof(hex), "0x%08" PRIX32, (uint32_t)hr);
	if (!known && HRESULT_FACILITY(hr) == FACILITY_WIN32 && FAILED(hr)) {
		snprintf(gen, sizeof(gen), "HRESULT_FROM_WIN32(%u)", HRESULT_CODE(hr));
		name = gen;
	}
	/* "80042400" typed without 0x, or a bare Win32 error number */
	if (!known && arg && arg[0] != '-' && arg[0] != '0') {
		HRESULT alt;
		char tmp[24];

		snprintf(tmp, sizeof(tmp), "0x%s", arg);
		if (parse_hresult(tmp, &alt) && hr_name_or_null(alt))
			snprintf(hint, sizeof(hint), "did you mean %s (%s)? Hexadecimal codes need 0x",
				 tmp, hr_name(alt));
		else if ((uint32_t)hr > 0 && (uint32_t)hr < 0x10000 &&
			 hr_name_or_null(HRESULT_FROM_WIN32((uint32_t)hr)))
			snprintf(hint, sizeof(hint), "as a Win32 error code, HRESULT_FROM_WIN32(%" PRIu32 ") is 0x%08" PRIX32 " %s",
				 (uint32_t)hr, (uint32_t)HRESULT_FROM_WIN32((uint32_t)hr),
				 hr_name(HRESULT_FROM_WIN32((uint32_t)hr)));
	}
	if (json) {
		jl_begin(&js, "hresult");
		jl_str(&js, "input", arg);
		jl_str(&js, "value", hex);
		jl_i64(&js, "signed", hr);
		jl_u64(&js, "unsigned", (uint32_t)hr);
		jl_str(&js, "name", name);
		jl_str(&js, "message", known ? hr_message(hr) : NULL);
		jl_bool(&js, "known", known);
		jl_str(&js, "source", from_lib ? "libvdswipe" : known ? "winerror.h" : NULL);
		jl_str(&js, "severity", FAILED(hr) ? "failure" : "success");
		jl_u64(&js, "facility", HRESULT_FACILITY(hr));
		jl_str(&js, "facility_name", fac);
		jl_u64(&js, "code", HRESULT_CODE(hr));
		jl_u64(&js, "exit_class", (uint64_t)hr_exit_class(hr));
		if (hint[0])
			jl_str(&js, "hint", hint);
		jl_end(&js);
		return known;
	}
	printf("%s %s\n", hex, name ? name : "(unknown)");
	printf("  %s\n", known ? hr_message(hr) : "Not a code libvdswipe or this tool knows.");
	printf("  %s, facility %u%s%s%s, code %u (0x%04X); signed decimal %" PRId32 "\n",
	       FAILED(hr) ? "failure" : "success", HRESULT_FACILITY(hr),
	       fac ? " (" : "", fac ? fac : "", fac ? ")" : "",
	       HRESULT_CODE(hr), HRESULT_CODE(hr), (int32_t)hr);
	if (known && !from_lib)
		printf("  (a Windows code libvdswipe never returns)\n");
	else if (known)
		printf("  vdswipe exit status for it: %d\n", hr_exit_class(hr));
	if (hint[0])
		printf("  %s\n", hint);
	return known;
}

static int cmd_hresult(int argc, char **argv)
{
	bool json = false, list = false, all_known = true, opts_done = false;
	const HRESULT *codes;
	char **args;
	size_t i, n, nargs = 0;
	HRESULT hr;
	int k;

	/* Not getopt: a negative decimal code looks like an option. */
	args = calloc((size_t)argc, sizeof(*args));
	if (!args)
		return EX_FAILURE;
	for (k = 1; k < argc; k++) {
		const char *a = argv[k];

		if (opts_done || a[0] != '-' || (a[1] >= '0' && a[1] <= '9'))
			args[nargs++] = argv[k];
		else if (!strcmp(a, "--"))
			opts_done = true;
		else if (!strcmp(a, "--json"))
			json = true;
		else if (!strcmp(a, "--list"))
			list = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			free(args);
			usage_hresult(stdout);
			return EX_OK;
		} else {
			free(args);
			fprintf(stderr, "%s hresult: unknown option '%s'\nTry '%s hresult --help'.\n",
				prog, a, prog);
			return EX_USAGE;
		}
	}
	if (list) {
		free(args);
		if (nargs) {
			fprintf(stderr, "%s hresult: --list takes no code\n", prog);
			return EX_USAGE;
		}
		n = hr_table(&codes);
		for (i = 0; i < n; i++) {
			if (json)
				hresult_one(codes[i], NULL, true);
			else
				printf("0x%08" PRIX32 "  %-50s %s\n", (uint32_t)codes[i],
				       hr_name(codes[i]), hr_message(codes[i]));
		}
		return EX_OK;
	}
	if (!nargs) {
		free(args);
		fprintf(stderr, "%s hresult: no code given\nTry '%s hresult --help'.\n", prog, prog);
		return EX_USAGE;
	}
	for (i = 0; i < nargs; i++) {
		if (!parse_hresult(args[i], &hr)) {
			fprintf(stderr, "%s hresult: '%s' is not an HRESULT: give 0xHEX, a decimal (-2147212276 or 2147755020) or a name\n",
				prog, args[i]);
			free(args);
			return EX_USAGE;
		}
	}
	for (i = 0; i < nargs; i++) {
		parse_hresult(args[i], &hr);
		if (!hresult_one(hr, args[i], json))
			all_known = false;
		if (!json && i + 1 < nargs)
			printf("\n");
	}
	free(args);
	return all_known ? EX_OK : EX_FAILURE;
}

/* ------------------------------------------------------------ info */

/*
 * The options of a command that takes no argument, only [--json] and
 * [-h|--help] (info, status). EX_OK with *done set after the help; an exit
 * status on a usage error.
 */
int parse_json_only(const char *cmd, int argc, char **argv, void (*usage)(FILE *),
		    bool *json, bool *done)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*done = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': *json = true; break;
		case 'h': usage(stdout); *done = true; return EX_OK;
		default:
			fprintf(stderr, "%s %s: unknown option '%s'\nTry '%s %s --help'.\n",
				prog, cmd, argv[optind - 1], prog, cmd);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s %s: no arguments expected\n", prog, cmd);
		return EX_USAGE;
	}
	return EX_OK;
}

static void usage_info(FILE *f)
{
	fprintf(f,
"Usage: %s info [--json]\n"
"\n"
"Whether the vdswipe module is loaded, its ABI version and features, and the\n"
"limits in force (its parameters: max_ops, chunk_size, queue_depth,\n"
"max_active). Never loads the module. Without root, the ABI version and the\n"
"features cannot be read (/dev/vdswipe is mode 0600); the limits still are,\n"
"from /sys/module/vdswipe/parameters.\n"
"\n"
"Options:\n"
"  --json       one JSON object on stdout\n"
"  -h, --help   this help\n"
"\n"
"Exit status: 0 loaded and usable, 7 not loaded, 4 loaded but no access.\n", prog);
}

bool read_sys(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return false;
	}
	fclose(f);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return true;
}

static bool read_param(const char *name, uint32_t *val)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/module/vdswipe/parameters/%s", name);
	if (!read_sys(path, buf, sizeof(buf)))
		return false;
	*val = (uint32_t)strtoul(buf, NULL, 10);
	return true;
}

static const struct {
	uint64_t bit;
	const char *name;
} feature_names[] = {
	{ VDSWIPE_FEAT_CLEAN, "clean" },
	{ VDSWIPE_FEAT_PATTERN, "pattern" },
	{ VDSWIPE_FEAT_DISCARD, "discard" },
	{ VDSWIPE_FEAT_RANGE, "range" },
	{ VDSWIPE_FEAT_WAIT, "wait" },
	{ VDSWIPE_FEAT_CANCEL_ALL, "cancel-all" },
	{ VDSWIPE_FEAT_EVENTS, "events" },
	{ VDSWIPE_FEAT_RANDOM, "random" },
	{ VDSWIPE_FEAT_SANITIZE, "sanitize" },
};

static int cmd_info(int argc, char **argv)
{
	struct vdsw_session_opts so = {
		.size = sizeof(so), .flags = VDSW_SESSION_NO_LOAD,
	};
	struct vdswipe_version ver = { 0 };
	struct vdsw_session *sess = NULL;
	char modver[64] = "", srcver[64] = "", buf[512], feats[256] = "", b[32];
	uint32_t max_ops = 0, chunk = 0, depth = 0, active = 0;
	bool loaded, have_ver = false, have_params;
	struct stat st;
	bool have_node, json = false, done;
	HRESULT hr = S_OK;
	struct jline js;
	size_t i, n = 0;
	int status;

	status = parse_json_only("info", argc, argv, usage_info, &json, &done);
	if (status != EX_OK || done)
		return status;

	loaded = access("/sys/module/vdswipe", F_OK) == 0;
	read_sys("/sys/module/vdswipe/version", modver, sizeof(modver));
	read_sys("/sys/module/vdswipe/srcversion", srcver, sizeof(srcver));
	have_node = stat("/dev/vdswipe", &st) == 0;
	have_params = read_param("max_ops", &max_ops) && read_param("chunk_size", &chunk) &&
		      read_param("queue_depth", &depth) && read_param("max_active", &active);
	hr = vdsw_session_open(&so, &sess);
	if (hr == S_OK) {
		hr = vdsw_session_version(sess, &ver);
		have_ver = hr == S_OK;
		vdsw_session_close(sess);
	}
	if (have_ver) {
		max_ops = ver.max_ops;
		chunk = ver.chunk_size;
		depth = ver.queue_depth;
		active = ver.max_active;
		have_params = true;
		for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
			if (ver.features & feature_names[i].bit)
				n += (size_t)snprintf(feats + n, sizeof(feats) - n, "%s%s",
						      n ? " " : "", feature_names[i].name);
	}
	if (!loaded)
		status = EX_MODULE;
	else
		status = have_ver ? EX_OK : hr_exit_class(hr);
	if (status == EX_OK && !have_ver)
		status = EX_FAILURE;

	if (json) {
		jl_begin(&js, "info");
		jl_bool(&js, "loaded", loaded);
		jl_str(&js, "module_version", modver[0] ? modver : NULL);
		jl_str(&js, "srcversion", srcver[0] ? srcver : NULL);
		jl_str(&js, "node", have_node ? "/dev/vdswipe" : NULL);
		if (have_ver) {
			jl_u64(&js, "abi_version", ver.abi_version);
			jl_u64(&js, "features", ver.features);
			jl_str(&js, "feature_names", feats);
		} else {
			jl_null(&js, "abi_version");
			jl_null(&js, "features");
			jl_null(&js, "feature_names");
		}
		if (have_params) {
			jl_u64(&js, "max_ops", max_ops);
			jl_u64(&js, "chunk_size", chunk);
			jl_u64(&js, "queue_depth", depth);
			jl_u64(&js, "max_active", active);
		} else {
			jl_null(&js, "max_ops");
			jl_null(&js, "chunk_size");
			jl_null(&js, "queue_depth");
			jl_null(&js, "max_active");
		}
		jl_u64(&js, "abi_version_known", VDSWIPE_ABI_VERSION);
		snprintf(buf, sizeof(buf), "%d.%d", VDSW_VERSION_MAJOR, VDSW_VERSION_MINOR);
		jl_str(&js, "libvdswipe", buf);
		jl_hr(&js, "hresult", hr);
		jl_str(&js, "detail", hr == S_OK ? "" : vdsw_last_error());
		jl_i64(&js, "exit_status", status);
		jl_end(&js);
		return status;
	}

	buf[0] = '\0';
	if (modver[0] && srcver[0])
		snprintf(buf, sizeof(buf), " (version %s, srcversion %s)", modver, srcver);
	else if (modver[0] || srcver[0])
		snprintf(buf, sizeof(buf), " (%s %s)", modver[0] ? "version" : "srcversion",
			 modver[0] ? modver : srcver);
	printf("module:       %s%s\n", loaded ? "loaded" : "not loaded", loaded ? buf : "");
	if (have_node)
		printf("node:         /dev/vdswipe (%u:%u, mode %04o, uid %u)\n",
		       major(st.st_rdev), minor(st.st_rdev), st.st_mode & 07777, st.st_uid);
	else
		printf("node:         /dev/vdswipe missing\n");
	if (have_ver) {
		printf("abi_version:  %u (this vdswipe speaks %u)\n", ver.abi_version,
		       VDSWIPE_ABI_VERSION);
		printf("features:     0x%" PRIx64 " (%s)\n", (uint64_t)ver.features, feats);
	} else if (loaded) {
		printf("abi_version:  unknown: %s (0x%08" PRIX32 "): %s\n", hr_name(hr),
		       (uint32_t)hr, vdsw_last_error());
	}
	if (have_params) {
		printf("limits%s:\n", have_ver ? "" : " (/sys/module/vdswipe/parameters)");
		printf("  max_ops:     %-9" PRIu32 " ops a session may hold at once\n", max_ops);
		printf("  chunk_size:  %-9" PRIu32 " bytes per chunk (%s); a cancel is honoured between chunks\n",
		       chunk, fmt_bytes(chunk, b, sizeof(b)));
		printf("  queue_depth: %-9" PRIu32 " chunks in flight per op\n", depth);
		printf("  max_active:  %-9" PRIu32 " ops running at once, module-wide%s\n", active,
		       active ? "" : " (0: the workqueue default)");
	}
	printf("libvdswipe:   %d.%d\n", VDSW_VERSION_MAJOR, VDSW_VERSION_MINOR);
	if (!loaded)
		printf("\nThe module is not loaded: 'modprobe vdswipe' (or insmod vdswipe.ko) as root.\n"
		       "'vdswipe clean' run as root loads it itself.\n");
	else if (!have_ver)
		hr_report(stderr, "info", hr, vdsw_last_error());
	return status;
}

/* ------------------------------------------------------------ main */

int cmd_status(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "clean", cmd_clean },
	{ "discard", cmd_discard },
	{ "verify", cmd_verify },
	{ "info", cmd_info },
	{ "hresult", cmd_hresult },
	{ "record", cmd_record },
	{ "identify", cmd_identify },
	{ "status", cmd_status },	/* status.c */
};

int main(int argc, char **argv)
{
	const char *cmd;
	char *help_argv[3];
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return EX_OK;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("vdswipe %s (libvdswipe %d.%d, ABI %d)\n", TOOL_VERSION,
		       VDSW_VERSION_MAJOR, VDSW_VERSION_MINOR, VDSWIPE_ABI_VERSION);
		return EX_OK;
	}
	if (!strcmp(cmd, "help")) {
		if (argc < 3) {
			usage(stdout);
			return EX_OK;
		}
		help_argv[0] = argv[2];
		help_argv[1] = "--help";
		help_argv[2] = NULL;
		argv = help_argv;
		argc = 2;
		cmd = argv[0];
	} else {
		argv++;
		argc--;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc, argv);
	fprintf(stderr, "%s: unknown command '%s'\nTry '%s --help'.\n", prog, cmd, prog);
	return EX_USAGE;
}
