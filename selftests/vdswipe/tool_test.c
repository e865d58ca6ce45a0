// SPDX-License-Identifier: GPL-2.0
/*
 * The vdswipe command (tools/vdswipe), run as an administrator would run it:
 * fork + exec of /usr/local/bin/vdswipe (or $VDSWIPE_TOOL) with its output
 * on pipes, signals sent to it, devices made with testlib.
 *
 * Covered: the exit status of each class of result (0, 2, 3, 4, 5, 6, 7, 8,
 * 130); --json output, every line parsed by json-c (strict) and
 * checked; SIGINT in the middle of a clean cancels it (exit 130, and the
 * device stops changing); a discard cannot be cancelled (VDS_E_NOT_SUPPORTED,
 * it runs to its end) and a second Ctrl-C leaves nothing running in the
 * kernel; the confirmation (refused without a terminal, typed on a pty);
 * several devices at once; mounted, read-only, unprivileged; `vdswipe
 * hresult` on every known code.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <json-c/json.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "subproc.h"

#define DEFAULT_TOOL	"/usr/local/bin/vdswipe"
#define DEV_MIB		16
#define SLOW_MIB	32
#define SLOW_MBPS	16	/* SLOW_MIB takes about 2 s */
#define FILL		0xA5
#define RUN_TIMEOUT_MS	60000

/* Exit status classes, as vdswipe(8) documents them. */
#define EX_OK		0
#define EX_USAGE	2
#define EX_REFUSED	3
#define EX_ACCESS	4
#define EX_DEVICE	5
#define EX_IOERROR	6
#define EX_MODULE	7
#define EX_PARTIAL	8
#define EX_CANCELLED	130

static const char *tool_path(void)
{
	const char *t = getenv("VDSWIPE_TOOL");

	return t && t[0] ? t : DEFAULT_TOOL;
}

/* ------------------------------------------------------------------ */
/* JSON: json-c, strict, one object per line                          */
/* ------------------------------------------------------------------ */

/* One parsed line: a JSON object (json-c owns it; jfree() the array). */
struct jobj {
	struct json_object *o;
};

/* Parse one line that must be exactly one JSON object, strict RFC 8259. */
static int parse_line(const char *line, struct jobj *o, const char **err)
{
	struct json_tokener *tok = json_tokener_new();
	size_t len = strlen(line);

	o->o = NULL;
	if (!tok) {
		*err = "out of memory";
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o->o = json_tokener_parse_ex(tok, line, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		*err = json_tokener_error_desc(json_tokener_get_error(tok));
		if (json_tokener_get_error(tok) == json_tokener_continue)
			*err = "incomplete JSON";
	} else if (json_tokener_get_parse_end(tok) != len) {
		*err = "garbage after the object";
	} else if (json_object_get_type(o->o) == json_type_object) {
		*err = NULL;
	} else {
		*err = "not an object";
	}
	json_tokener_free(tok);
	if (*err) {
		if (o->o)
			json_object_put(o->o);
		o->o = NULL;
		return -1;
	}
	return 0;
}

static void jfree(struct jobj *v)
{
	int i;

	for (i = 0; v && v[i].o; i++)
		json_object_put(v[i].o);
	free(v);
}

/* The member, or NULL when absent (a JSON null is absent too: see jnull). */
static struct json_object *jget(const struct jobj *o, const char *key)
{
	struct json_object *m = NULL;

	if (!o || !o->o || !json_object_object_get_ex(o->o, key, &m))
		return NULL;
	return m;
}

/* The string member, or "" when absent or not a string. */
static const char *jstr(const struct jobj *o, const char *key)
{
	struct json_object *m = jget(o, key);

	return m && json_object_get_type(m) == json_type_string ?
	       json_object_get_string(m) : "";
}

/* The number member, or -1 when absent or not a number. */
static double jnum(const struct jobj *o, const char *key)
{
	struct json_object *m = jget(o, key);

	if (!m)
		return -1;
	switch (json_object_get_type(m)) {
	case json_type_int:
	case json_type_double:
		return json_object_get_double(m);
	default:
		return -1;
	}
}

/* Present and null. */
static bool jnull(const struct jobj *o, const char *key)
{
	struct json_object *m = NULL;

	return o && o->o && json_object_object_get_ex(o->o, key, &m) && !m;
}

static bool jtrue(const struct jobj *o, const char *key)
{
	struct json_object *m = jget(o, key);

	return m && json_object_get_type(m) == json_type_boolean &&
	       json_object_get_boolean(m);
}

/*
 * A file holding one JSON object (a sanitization record); NULL if it cannot
 * be read or parsed. Free with jfree() of a one-element array: use
 * jfile_put().
 */
static struct jobj jfile(const char *path)
{
	struct jobj o = { NULL };

	o.o = json_object_from_file(path);
	if (o.o && json_object_get_type(o.o) != json_type_object) {
		json_object_put(o.o);
		o.o = NULL;
	}
	return o;
}

static void jfile_put(struct jobj *o)
{
	if (o->o)
		json_object_put(o->o);
	o->o = NULL;
}

/* The member at a dotted path ("device.serial") as a jobj (o is NULL when
 * absent or null). */
static struct jobj jat(const struct jobj *o, const char *path)
{
	struct jobj cur = *o;
	char key[64];
	const char *p = path, *dot;
	size_t n;

	while (cur.o && p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, p, n);
		key[n] = '\0';
		cur.o = jget(&cur, key);
		p = dot ? dot + 1 : NULL;
	}
	return cur;
}

/* jstr/jnum/jnull/jtrue of a dotted path: the last part on its parent */
static struct jobj jparent(const struct jobj *o, const char *path, const char **last)
{
	const char *dot = strrchr(path, '.');
	char parent[128];
	struct jobj none = { NULL };

	*last = dot ? dot + 1 : path;
	if (!dot)
		return *o;
	if ((size_t)(dot - path) >= sizeof(parent))
		return none;
	memcpy(parent, path, (size_t)(dot - path));
	parent[dot - path] = '\0';
	return jat(o, parent);
}

static const char *rstr(const struct jobj *o, const char *path)
{
	const char *k;
	struct jobj p = jparent(o, path, &k);

	return jstr(&p, k);
}

static double rnum(const struct jobj *o, const char *path)
{
	const char *k;
	struct jobj p = jparent(o, path, &k);

	return jnum(&p, k);
}

static bool rnull(const struct jobj *o, const char *path)
{
	const char *k;
	struct jobj p = jparent(o, path, &k);

	return jnull(&p, k);
}

static bool rtrue(const struct jobj *o, const char *path)
{
	const char *k;
	struct jobj p = jparent(o, path, &k);

	return jtrue(&p, k);
}

/*
 * Every line of text as a JSON object into *objs (jfree() it; a NULL
 * object ends the array). Returns the count, or -1 with *bad set to the
 * first line that does not parse.
 */
static int json_lines(const char *text, struct jobj **objs, char *bad, size_t badlen)
{
	const char *p = text, *nl, *err = NULL;
	struct jobj *v = NULL, *nv;
	char *line;
	int n = 0;

	*objs = NULL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(bad, badlen, "out of memory");
		return -1;
	}
	while (*p) {
		nl = strchr(p, '\n');
		if (!nl) {
			snprintf(bad, badlen, "no newline after the last line: %.200s", p);
			jfree(v);
			return -1;
		}
		line = strndup(p, (size_t)(nl - p));
		nv = realloc(v, sizeof(*v) * (size_t)(n + 2));
		if (nv)
			v = nv;
		if (!line || !nv || parse_line(line, &v[n], &err)) {
			snprintf(bad, badlen, "%s: %.300s", err ? err : "out of memory",
				 line ? line : "");
			free(line);
			jfree(v);
			return -1;
		}
		v[n + 1].o = NULL;
		free(line);
		n++;
		p = nl + 1;
	}
	*objs = v;
	return n;
}

/* The first object with this event (and device, if not NULL), from index. */
static const struct jobj *find_event(const struct jobj *v, int n, const char *event,
				     const char *device, int *index)
{
	int i;

	for (i = index ? *index : 0; i < n; i++) {
		if (strcmp(jstr(&v[i], "event"), event))
			continue;
		if (device && strcmp(jstr(&v[i], "device"), device))
			continue;
		if (index)
			*index = i;
		return &v[i];
	}
	return NULL;
}

static int count_events(const struct jobj *v, int n, const char *event)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += !strcmp(jstr(&v[i], "event"), event);
	return c;
}

/* ------------------------------------------------------------------ */
/* Running the tool                                                   */
/* ------------------------------------------------------------------ */

/* The tool with @args (NULL-terminated), argv[0] "vdswipe". */
static int tool_startv(struct vt_proc *p, const struct vt_spawn *sp,
		       const char *const *args)
{
	return vt_proc_startv(p, tool_path(), "vdswipe", sp, args);
}

/* The same with the arguments given, then NULL. */
static int tool_start(struct vt_proc *p, const struct vt_spawn *sp, ...)
{
	va_list ap;
	int ret;

	va_start(ap, sp);
	ret = vt_proc_vstart(p, tool_path(), "vdswipe", sp, ap);
	va_end(ap);
	return ret;
}

/* Run to the end; the exit status. p keeps the output (vt_proc_free it). */
static int run(struct vt_proc *p, const struct vt_spawn *sp, ...)
{
	va_list ap;
	int ret;

	va_start(ap, sp);
	ret = vt_proc_vstart(p, tool_path(), "vdswipe", sp, ap);
	va_end(ap);
	if (ret)
		return -1;
	return vt_proc_finish(p, RUN_TIMEOUT_MS);
}

#define SHOW(p) TH_LOG("exit %d\n--- stdout:\n%s--- stderr:\n%s", (p)->status, (p)->obuf, (p)->ebuf)

/* Make sure an unprivileged user can reach /dev and /usr/local/bin: the
 * test VM's initramfs root directory is mode 0700. */
static void root_dir_traversable(void)
{
	struct stat st;

	if (!stat("/", &st) && !(st.st_mode & S_IXOTH))
		chmod("/", st.st_mode | S_IXOTH | S_IROTH);
}

/* ------------------------------------------------------------------ */
/* vdswipe hresult: no devices needed                                 */
/* ------------------------------------------------------------------ */

static const struct {
	uint32_t value;
	const char *name;
} known_codes[] = {
	/* libvdswipe (vdswipe/hresult.h) */
	{ 0x00000000, "S_OK" },
	{ 0x00000001, "S_FALSE" },
	{ 0x0004241A, "VDS_S_DISK_PARTIALLY_CLEANED" },
	{ 0x80004003, "E_POINTER" },
	{ 0x80070005, "E_ACCESSDENIED" },
	{ 0x8007000E, "E_OUTOFMEMORY" },
	{ 0x80070057, "E_INVALIDARG" },
	{ 0x80042400, "VDS_E_NOT_SUPPORTED" },
	{ 0x80042405, "VDS_E_OBJECT_NOT_FOUND" },
	{ 0x80042409, "VDS_E_OPERATION_PENDING" },
	{ 0x8004240A, "VDS_E_OPERATION_DENIED" },
	{ 0x8004240C, "VDS_E_CANCEL_TOO_LATE" },
	{ 0x8004240D, "VDS_E_OPERATION_CANCELED" },
	{ 0x80042412, "VDS_E_NO_MEDIA" },
	{ 0x80042413, "VDS_E_DEVICE_IN_USE" },
	{ 0x80042425, "VDS_E_INCOMPATIBLE_FILE_SYSTEM" },
	{ 0x80042426, "VDS_E_INCOMPATIBLE_MEDIA" },
	{ 0x80042427, "VDS_E_ACCESS_DENIED" },
	{ 0x80042428, "VDS_E_MEDIA_WRITE_PROTECTED" },
	{ 0x8004242B, "VDS_E_IO_ERROR" },
	{ 0x8004245F, "VDS_E_TIMEOUT" },
	{ 0x8004280B, "VDS_E_DISK_IS_READ_ONLY" },
	{ 0x8004F001, "VDSW_E_VERIFY_MISMATCH" },
	{ 0x80070006, "HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)" },
	{ 0x80070004, "HRESULT_FROM_WIN32(ERROR_TOO_MANY_OPEN_FILES)" },
	{ 0x80070015, "HRESULT_FROM_WIN32(ERROR_NOT_READY)" },
	{ 0x80070017, "HRESULT_FROM_WIN32(ERROR_CRC)" },
	{ 0x8007001B, "HRESULT_FROM_WIN32(ERROR_SECTOR_NOT_FOUND)" },
	{ 0x8007001F, "HRESULT_FROM_WIN32(ERROR_GEN_FAILURE)" },
	{ 0x80070070, "HRESULT_FROM_WIN32(ERROR_DISK_FULL)" },
	{ 0x80070424, "HRESULT_FROM_WIN32(ERROR_SERVICE_DOES_NOT_EXIST)" },
	{ 0x80070426, "HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE)" },
	{ 0x8007045A, "HRESULT_FROM_WIN32(ERROR_DLL_INIT_FAILED)" },
	{ 0x8007045D, "HRESULT_FROM_WIN32(ERROR_IO_DEVICE)" },
	{ 0x8007048F, "HRESULT_FROM_WIN32(ERROR_DEVICE_NOT_CONNECTED)" },
	{ 0x800705B4, "HRESULT_FROM_WIN32(ERROR_TIMEOUT)" },
	/* the Windows codes the tool also names (winerror.h) */
	{ 0x80004001, "E_NOTIMPL" },
	{ 0x80004002, "E_NOINTERFACE" },
	{ 0x80004004, "E_ABORT" },
	{ 0x80004005, "E_FAIL" },
	{ 0x8000FFFF, "E_UNEXPECTED" },
	{ 0x80070008, "HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY)" },
	{ 0x80070013, "HRESULT_FROM_WIN32(ERROR_WRITE_PROTECT)" },
	{ 0x8007001D, "HRESULT_FROM_WIN32(ERROR_WRITE_FAULT)" },
	{ 0x8007001E, "HRESULT_FROM_WIN32(ERROR_READ_FAULT)" },
	{ 0x80070032, "HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)" },
	{ 0x800700AA, "HRESULT_FROM_WIN32(ERROR_BUSY)" },
	{ 0x800703E3, "HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)" },
	{ 0x800704C7, "HRESULT_FROM_WIN32(ERROR_CANCELLED)" },
};

#define NR_KNOWN	(sizeof(known_codes) / sizeof(known_codes[0]))

static bool have_tool(void)
{
	return access(tool_path(), X_OK) == 0;
}

/* Each code in hex: "0xVALUE NAME" then its description; exit 0. */
TEST(hresult_every_known_code_hex)
{
	char arg[16], want[128];
	struct vt_proc p;
	size_t i;

	if (!have_tool())
		SKIP(return, "%s not found", tool_path());
	for (i = 0; i < NR_KNOWN; i++) {
		snprintf(arg, sizeof(arg), "0x%08X", known_codes[i].value);
		snprintf(want, sizeof(want), "0x%08X %s\n  ", known_codes[i].value,
			 known_codes[i].name);
		EXPECT_EQ(0, run(&p, NULL, "hresult", arg, NULL)) SHOW(&p);
		EXPECT_EQ(0, strncmp(p.obuf, want, strlen(want))) {
			TH_LOG("%s: got %s", arg, p.obuf);
		}
		EXPECT_EQ(NULL, strstr(p.obuf, "Unknown HRESULT")) SHOW(&p);
		EXPECT_EQ(NULL, strstr(p.obuf, "Not a code")) SHOW(&p);
		vt_proc_free(&p);
	}
}

/* Each code as signed and unsigned decimal and by name, --json, all in
 * one call: one object per code, each parsed and checked. */
TEST(hresult_every_known_code_json)
{
	static char args[3 * NR_KNOWN][64];
	const char *argv[3 * NR_KNOWN + 3];
	char bad[512], want[16];
	struct jobj *v;
	struct vt_proc p;
	size_t i, k;
	int n;

	if (!have_tool())
		SKIP(return, "%s not found", tool_path());
	argv[0] = "hresult";
	argv[1] = "--json";
	for (i = 0; i < NR_KNOWN; i++) {
		snprintf(args[3 * i], sizeof(args[0]), "%d", (int32_t)known_codes[i].value);
		snprintf(args[3 * i + 1], sizeof(args[0]), "%u", known_codes[i].value);
		snprintf(args[3 * i + 2], sizeof(args[0]), "%s", known_codes[i].name);
		for (k = 0; k < 3; k++)
			argv[2 + 3 * i + k] = args[3 * i + k];
	}
	argv[2 + 3 * NR_KNOWN] = NULL;
	vt_proc_init(&p);
	ASSERT_EQ(0, tool_startv(&p, NULL, argv));
	ASSERT_EQ(0, vt_proc_finish(&p, RUN_TIMEOUT_MS)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_EQ((int)(3 * NR_KNOWN), n) TH_LOG("%s", bad);
	for (i = 0; i < 3 * NR_KNOWN; i++) {
		const struct jobj *o = &v[i];

		snprintf(want, sizeof(want), "0x%08X", known_codes[i / 3].value);
		EXPECT_STREQ("hresult", jstr(o, "event"));
		EXPECT_STREQ(args[i], jstr(o, "input"));
		EXPECT_STREQ(want, jstr(o, "value"));
		EXPECT_STREQ(known_codes[i / 3].name, jstr(o, "name"));
		EXPECT_TRUE(jtrue(o, "known"));
		EXPECT_LT(0, strlen(jstr(o, "message")));
		EXPECT_EQ((double)(int32_t)known_codes[i / 3].value, jnum(o, "signed"));
		EXPECT_EQ((double)known_codes[i / 3].value, jnum(o, "unsigned"));
	}
	jfree(v);
	vt_proc_free(&p);
}

/* --list names every known code; unknown codes exit 1, garbage 2. */
TEST(hresult_list_unknown_and_bad)
{
	struct vt_proc p;
	size_t i;

	if (!have_tool())
		SKIP(return, "%s not found", tool_path());
	ASSERT_EQ(0, run(&p, NULL, "hresult", "--list", NULL)) SHOW(&p);
	for (i = 0; i < NR_KNOWN; i++) {
		bool listed = strstr(p.obuf, known_codes[i].name) != NULL;

		EXPECT_TRUE(listed) TH_LOG("0x%08X missing", known_codes[i].value);
	}
	vt_proc_free(&p);

	EXPECT_EQ(1, run(&p, NULL, "hresult", "0x80041234", NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "0x80041234")) SHOW(&p);
	vt_proc_free(&p);
	/* a hex code typed without 0x: decoded as decimal, with a hint */
	EXPECT_EQ(1, run(&p, NULL, "hresult", "80042400", NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "0x80042400")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "hresult", "0xzz", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "hresult", "4294967296", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "hresult", "NO_SUCH_NAME", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "hresult", NULL)) SHOW(&p);
	vt_proc_free(&p);
}

/* Usage errors exit 2; --help works on every command and exits 0. */
TEST(usage_and_help)
{
	static const char *const cmds[] = { "clean", "discard", "info", "hresult" };
	struct vt_proc p;
	size_t i;

	if (!have_tool())
		SKIP(return, "%s not found", tool_path());
	EXPECT_EQ(EX_USAGE, run(&p, NULL, NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "frobnicate", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(0, run(&p, NULL, "--help", NULL)) SHOW(&p);
	EXPECT_EQ(0, strncmp(p.obuf, "Usage:", 6)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(0, run(&p, NULL, "--version", NULL)) SHOW(&p);
	vt_proc_free(&p);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(0, run(&p, NULL, cmds[i], "--help", NULL)) SHOW(&p);
		EXPECT_EQ(0, strncmp(p.obuf, "Usage:", 6)) SHOW(&p);
		vt_proc_free(&p);
		EXPECT_EQ(0, run(&p, NULL, "help", cmds[i], NULL)) SHOW(&p);
		EXPECT_EQ(0, strncmp(p.obuf, "Usage:", 6)) SHOW(&p);
		vt_proc_free(&p);
	}
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", "--bogus", "/dev/null", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", "--pattern", "256", "--yes", "/dev/null", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", "--full", "--length", "0", "--yes", "/dev/null", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", "--progress", "fancy", "/dev/null", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "discard", "--full", "/dev/null", NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "info", "extra", NULL)) SHOW(&p);
	vt_proc_free(&p);
}

/* ------------------------------------------------------------------ */
/* Devices                                                            */
/* ------------------------------------------------------------------ */

FIXTURE(tool) {
	char ram[3][64];
	char slow[64];		/* null_blk vdswtslow, SLOW_MIB at SLOW_MBPS */
	char disc[64];		/* null_blk vdswtdisc with discard */
	char dm[64];
	char mnt[256];
};

FIXTURE_SETUP(tool)
{
	int ret, i;

	memset(self, 0, sizeof(*self));
	if (!have_tool())
		SKIP(return, "%s not found", tool_path());
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	ret = vt_brd_load(3, DEV_MIB, 4);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	for (i = 0; i < 3; i++) {
		vt_brd_path((unsigned int)i, self->ram[i], sizeof(self->ram[i]));
		ASSERT_EQ(0, vt_fill(self->ram[i], 0, DEV_MIB * VT_MIB, FILL));
	}
}

FIXTURE_TEARDOWN(tool)
{
	if (self->mnt[0])
		vt_umount(self->mnt);
	vt_dm_remove("vdswtool");
	vt_nullb_destroy("vdswtslow");
	vt_nullb_destroy("vdswtdisc");
	vt_brd_unload();
	vt_cleanup_leftovers();
}

/*
 * The slow device: memory-backed null_blk, bandwidth-capped from the start
 * (never power-cycle a null_blk to change mbps: 6.12's null_blk oopses in
 * hrtimer_active() when it comes back throttled). Unwritten, it reads zeros.
 */
static int make_slow(char *path, size_t len)
{
	struct vt_nullb_opts o = {
		.size_mib = SLOW_MIB, .memory_backed = true, .mbps = SLOW_MBPS,
	};

	return vt_nullb_create("vdswtslow", &o, path, len);
}

/* A discard-capable device (filled), behind a dm-delay holding writes and
 * discards for delay_ms. */
static int make_delayed_discard(char *disc, size_t dlen, char *dm, size_t mlen,
				unsigned int delay_ms)
{
	struct vt_nullb_opts o = { .size_mib = DEV_MIB, .memory_backed = true, .discard = true };
	int ret = vt_nullb_create("vdswtdisc", &o, disc, dlen);

	if (!ret)
		ret = vt_fill(disc, 0, DEV_MIB * VT_MIB, FILL);
	if (!ret)
		ret = vt_delay_create("vdswtool", disc, delay_ms, dm, mlen);
	return ret;
}

/* A full clean with --json: start, end (S_OK), summary; the device is zero. */
TEST_F(tool, clean_full_json)
{
	char bad[512], want_total[32];
	const struct jobj *start, *end, *sum;
	struct jobj *v;
	struct vt_proc p;
	int n;

	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--full", "--json", self->ram[0], NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	start = find_event(v, n, "start", self->ram[0], NULL);
	end = find_event(v, n, "end", self->ram[0], NULL);
	sum = find_event(v, n, "summary", NULL, NULL);
	ASSERT_NE(NULL, start);
	ASSERT_NE(NULL, end);
	ASSERT_NE(NULL, sum);
	snprintf(want_total, sizeof(want_total), "%llu", DEV_MIB * VT_MIB);
	EXPECT_EQ((double)(DEV_MIB * VT_MIB), jnum(start, "bytes_total"));
	EXPECT_STREQ("zero", jstr(start, "method"));
	EXPECT_TRUE(jtrue(start, "full"));
	EXPECT_LT(0, jnum(start, "op_id"));
	EXPECT_EQ(jnum(start, "op_id"), jnum(end, "op_id"));
	EXPECT_STREQ("0x00000000", jstr(end, "hresult"));
	EXPECT_STREQ("S_OK", jstr(end, "hresult_name"));
	EXPECT_STREQ("done", jstr(end, "state"));
	EXPECT_EQ(100, jnum(end, "percent"));
	EXPECT_EQ((double)(DEV_MIB * VT_MIB), jnum(end, "bytes_done"));
	EXPECT_TRUE(jnull(end, "error"));
	EXPECT_EQ(0, jnum(end, "exit_class"));
	EXPECT_EQ(0, jnum(sum, "exit_status"));
	EXPECT_EQ(1, jnum(sum, "ok"));
	/* the last line is the summary; nothing but JSON on stdout */
	EXPECT_STREQ("summary", jstr(&v[n - 1], "event"));
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, DEV_MIB * VT_MIB, 0, NULL));
	jfree(v);
	vt_proc_free(&p);
}

/* A quick clean with a pattern covers the first and last MiB only. */
TEST_F(tool, quick_clean_with_pattern)
{
	const uint64_t size = DEV_MIB * VT_MIB;
	struct vt_proc p;

	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--pattern", "0x5a", self->ram[0], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "S_OK (0x00000000)")) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, VT_MIB, 0x5a, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[0], VT_MIB, size - 2 * VT_MIB, FILL, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[0], size - VT_MIB, VT_MIB, 0x5a, NULL));
	vt_proc_free(&p);

	/* a range: bytes [4 MiB, 6 MiB) only, in full */
	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--full", "--offset", "4M",
			     "--length", "2MiB", self->ram[1], NULL)) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 0, 4 * VT_MIB, FILL, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 4 * VT_MIB, 2 * VT_MIB, 0, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 6 * VT_MIB, size - 6 * VT_MIB, FILL, NULL));
	vt_proc_free(&p);

	/* a range the device cannot take: E_INVALIDARG, exit 2, untouched */
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", "--yes", "--quick", "--offset", "1000",
				self->ram[2], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "E_INVALIDARG (0x80070057)")) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[2], 0, size, FILL, NULL));
	vt_proc_free(&p);
}

/* Several devices, one op each, in parallel: the fast ones end while the
 * slow one still runs. */
TEST_F_TIMEOUT(tool, several_devices_at_once, 60)
{
	const struct jobj *start[4], *end[4];
	const char *devs[4];
	struct jobj *v;
	struct vt_proc p;
	char bad[512];
	int n, i, k, ie[4];

	ASSERT_EQ(0, make_slow(self->slow, sizeof(self->slow)));
	devs[0] = self->slow;
	for (i = 0; i < 3; i++)
		devs[i + 1] = self->ram[i];
	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--full", "--json", devs[0], devs[1],
			     devs[2], devs[3], NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	EXPECT_EQ(4, count_events(v, n, "start"));
	EXPECT_EQ(4, count_events(v, n, "end"));
	for (i = 0; i < 4; i++) {
		ie[i] = 0;
		start[i] = find_event(v, n, "start", devs[i], NULL);
		end[i] = find_event(v, n, "end", devs[i], &ie[i]);
		ASSERT_NE(NULL, start[i]) TH_LOG("%s", devs[i]);
		ASSERT_NE(NULL, end[i]) TH_LOG("%s", devs[i]);
		EXPECT_STREQ("S_OK", jstr(end[i], "hresult_name"));
		for (k = 0; k < i; k++)
			EXPECT_NE(jnum(start[k], "op_id"), jnum(start[i], "op_id"));
	}
	/* the brd cleans ended before the slow one */
	for (i = 1; i < 4; i++)
		EXPECT_LT(ie[i], ie[0]);
	EXPECT_LT(0, count_events(v, n, "progress"));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, vt_check_fill(self->ram[i], 0, DEV_MIB * VT_MIB, 0, NULL));
	jfree(v);
	vt_proc_free(&p);

	/* human output: one result line per device */
	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--progress=plain", self->ram[0],
			     self->ram[1], NULL)) SHOW(&p);
	for (i = 0; i < 2; i++) {
		char want[128];

		snprintf(want, sizeof(want), "%s: S_OK (0x00000000)", self->ram[i]);
		EXPECT_NE(NULL, strstr(p.obuf, want)) SHOW(&p);
	}
	vt_proc_free(&p);
}

/* Wait for a progress event with bytes written, then SIGINT. */
static bool interrupt_mid_clean(struct vt_proc *p, int sig)
{
	uint64_t start = vt_now_ns();

	while (vt_ms_since(start) < 20000) {
		const char *s = p->obuf, *nl, *b;

		/* any progress line (each on its own) with bytes written: the
		 * first ones may well say 0 */
		while ((s = strstr(s, "\"event\":\"progress\""))) {
			nl = strchr(s, '\n');
			b = strstr(s, "\"bytes_done\":");
			if (nl && b && b < nl && strncmp(b, "\"bytes_done\":0,", 15))
				return kill(p->pid, sig) == 0;
			s += 1;
		}
		if (p->out < 0)
			return false;
		vt_proc_pump(p, 50);
	}
	return false;
}

/* SIGINT in the middle of a clean cancels it: exit 130, the cancel-all
 * and the op's VDS_E_OPERATION_CANCELED in the JSON, and the device does
 * not change any more once the tool has exited. The clean writes 0x5a over
 * the slow device's zeros, so what it wrote can be counted. */
TEST_F_TIMEOUT(tool, sigint_cancels_clean_json, 90)
{
	const uint64_t size = SLOW_MIB * VT_MIB;
	const struct jobj *cancel, *end, *sum;
	uint64_t written = 0, i;
	unsigned char *snap;
	struct jobj *v;
	struct vt_proc p;
	char bad[512];
	int n;

	ASSERT_EQ(0, make_slow(self->slow, sizeof(self->slow)));
	ASSERT_EQ(0, tool_start(&p, NULL, "clean", "--yes", "--full", "--pattern", "0x5a",
				"--json", "--interval", "0.1", self->slow, NULL));
	ASSERT_TRUE(interrupt_mid_clean(&p, SIGINT)) SHOW(&p);
	ASSERT_EQ(EX_CANCELLED, vt_proc_finish(&p, RUN_TIMEOUT_MS)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	cancel = find_event(v, n, "cancel", NULL, NULL);
	end = find_event(v, n, "end", self->slow, NULL);
	sum = find_event(v, n, "summary", NULL, NULL);
	ASSERT_NE(NULL, cancel) SHOW(&p);
	ASSERT_NE(NULL, end) SHOW(&p);
	ASSERT_NE(NULL, sum) SHOW(&p);
	EXPECT_STREQ("SIGINT", jstr(cancel, "signal"));
	EXPECT_STREQ("0x00000000", jstr(cancel, "hresult"));
	EXPECT_EQ(1, jnum(cancel, "cancelled"));
	EXPECT_STREQ("0x8004240D", jstr(end, "hresult"));
	EXPECT_STREQ("VDS_E_OPERATION_CANCELED", jstr(end, "hresult_name"));
	EXPECT_STREQ("cancelled", jstr(end, "state"));
	EXPECT_STREQ("pattern", jstr(find_event(v, n, "start", NULL, NULL), "method"));
	EXPECT_LT(0, jnum(end, "bytes_done"));
	EXPECT_GT((double)size, jnum(end, "bytes_done"));
	EXPECT_EQ(130, jnum(end, "exit_class"));
	EXPECT_TRUE(jtrue(sum, "interrupted"));
	EXPECT_EQ(130, jnum(sum, "exit_status"));

	/* the tool has exited: nothing changes any more */
	snap = vt_snapshot(self->slow, 0, size);
	ASSERT_NE(NULL, snap);
	vt_sleep_ms(300);
	EXPECT_EQ(0, vt_compare_snapshot(self->slow, 0, size, snap, NULL));
	for (i = 0; i < size; i++)
		written += snap[i] == 0x5a;
	EXPECT_LE((uint64_t)jnum(end, "bytes_done"), written);
	EXPECT_EQ(0, snap[size - 1]);	/* the end was never reached */
	free(snap);
	jfree(v);
	vt_proc_free(&p);
}

/* The same in human output (SIGTERM): each device's final HRESULT. */
TEST_F_TIMEOUT(tool, sigterm_cancels_clean_plain, 60)
{
	char want[128];
	struct vt_proc p;

	ASSERT_EQ(0, make_slow(self->slow, sizeof(self->slow)));
	ASSERT_EQ(0, tool_start(&p, NULL, "clean", "--yes", "--full", "--progress=plain",
				"--interval", "0.1", self->slow, self->ram[0], NULL));
	/* once the brd clean is over, and the slow one is running */
	snprintf(want, sizeof(want), "%s: ended: S_OK", self->ram[0]);
	ASSERT_TRUE(vt_proc_wait_for(&p, false, want, 20000)) SHOW(&p);
	ASSERT_TRUE(vt_proc_wait_for(&p, false, "%, ", 20000)) SHOW(&p);
	ASSERT_EQ(0, kill(p.pid, SIGTERM));
	ASSERT_EQ(EX_CANCELLED, vt_proc_finish(&p, RUN_TIMEOUT_MS)) SHOW(&p);
	snprintf(want, sizeof(want), "%s: VDS_E_OPERATION_CANCELED (0x8004240D)", self->slow);
	EXPECT_NE(NULL, strstr(p.obuf, want)) SHOW(&p);
	/* the brd clean was over by then */
	snprintf(want, sizeof(want), "%s: S_OK (0x00000000)", self->ram[0]);
	EXPECT_NE(NULL, strstr(p.obuf, want)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "cancel-all: S_OK")) SHOW(&p);
	vt_proc_free(&p);
}

/* Ctrl-C during a discard: the cancel is VDS_E_NOT_SUPPORTED, the discard
 * runs to its end (S_OK, exit 0). */
TEST_F_TIMEOUT(tool, sigint_during_discard, 60)
{
	const struct jobj *cancel, *end;
	struct jobj *v;
	struct vt_proc p;
	char bad[512];
	int n;

	if (make_delayed_discard(self->disc, sizeof(self->disc), self->dm, sizeof(self->dm), 2000))
		SKIP(return, "no null_blk with discard or no dm-delay");
	ASSERT_EQ(0, tool_start(&p, NULL, "discard", "--yes", "--json", self->dm, NULL));
	ASSERT_TRUE(vt_proc_wait_for(&p, false, "\"event\":\"start\"", 10000)) SHOW(&p);
	vt_sleep_ms(300);
	ASSERT_EQ(0, kill(p.pid, SIGINT));
	ASSERT_EQ(EX_OK, vt_proc_finish(&p, RUN_TIMEOUT_MS)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	cancel = find_event(v, n, "cancel", self->dm, NULL);
	end = find_event(v, n, "end", self->dm, NULL);
	ASSERT_NE(NULL, cancel) SHOW(&p);
	ASSERT_NE(NULL, end) SHOW(&p);
	EXPECT_STREQ("0x80042400", jstr(cancel, "hresult"));
	EXPECT_STREQ("VDS_E_NOT_SUPPORTED", jstr(cancel, "hresult_name"));
	EXPECT_STREQ("S_OK", jstr(end, "hresult_name"));
	EXPECT_EQ((double)(DEV_MIB * VT_MIB), jnum(end, "bytes_done"));
	/* memory-backed null_blk reads discarded sectors as zeros */
	EXPECT_EQ(0, vt_check_fill(self->disc, 0, DEV_MIB * VT_MIB, 0, NULL));
	jfree(v);
	vt_proc_free(&p);
}

/* A second Ctrl-C stops waiting: the tool closes its session, and the
 * kernel's close waits for the discard; when the tool has exited (130),
 * nothing runs any more: the discard is complete, the device unclaimed. */
TEST_F_TIMEOUT(tool, second_sigint_closes_session, 60)
{
	const struct jobj *end;
	struct jobj *v;
	struct vt_proc p;
	char bad[512];
	int n;

	if (make_delayed_discard(self->disc, sizeof(self->disc), self->dm, sizeof(self->dm), 2000))
		SKIP(return, "no null_blk with discard or no dm-delay");
	ASSERT_EQ(0, tool_start(&p, NULL, "discard", "--yes", "--json", self->dm, NULL));
	ASSERT_TRUE(vt_proc_wait_for(&p, false, "\"event\":\"start\"", 10000)) SHOW(&p);
	ASSERT_EQ(0, kill(p.pid, SIGINT));
	ASSERT_TRUE(vt_proc_wait_for(&p, false, "\"event\":\"cancel\"", 10000)) SHOW(&p);
	ASSERT_EQ(0, kill(p.pid, SIGINT));
	ASSERT_EQ(EX_CANCELLED, vt_proc_finish(&p, RUN_TIMEOUT_MS)) SHOW(&p);
	EXPECT_EQ(0, vt_try_excl(self->dm));
	EXPECT_EQ(0, vt_check_fill(self->disc, 0, DEV_MIB * VT_MIB, 0, NULL));
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	end = find_event(v, n, "end", self->dm, NULL);
	ASSERT_NE(NULL, end) SHOW(&p);
	EXPECT_STREQ("unknown", jstr(end, "state"));
	EXPECT_TRUE(jnull(end, "hresult"));
	jfree(v);
	vt_proc_free(&p);
}

/* Without --yes and without a terminal on stdin: refused, exit 3, the
 * device untouched. */
TEST_F(tool, confirmation_refused_without_terminal)
{
	const struct jobj *end;
	struct jobj *v;
	struct vt_proc p;
	char bad[512];
	int n;

	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "clean", "--full", self->ram[0], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "HRESULT_FROM_WIN32(ERROR_CANCELLED) (0x800704C7)")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "--yes")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "discard", self->ram[0], NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "clean", "--json", self->ram[0], self->ram[1], NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	EXPECT_EQ(2, count_events(v, n, "end"));
	end = find_event(v, n, "end", self->ram[1], NULL);
	ASSERT_NE(NULL, end);
	EXPECT_STREQ("0x800704C7", jstr(end, "hresult"));
	EXPECT_STREQ("refused", jstr(end, "state"));
	EXPECT_TRUE(jnull(end, "op_id"));
	EXPECT_EQ(0, count_events(v, n, "start"));
	jfree(v);
	vt_proc_free(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, DEV_MIB * VT_MIB, FILL, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 0, DEV_MIB * VT_MIB, FILL, NULL));
}

/* On a terminal (a pty): a wrong name refuses (3), the right one cleans. */
TEST_F(tool, confirmation_on_terminal)
{
	struct vt_spawn sp = { .new_session = true };
	const char *name = strrchr(self->ram[0], '/') + 1;
	char line[64];
	struct vt_proc p;
	int m, s;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, grantpt(m));
	ASSERT_EQ(0, unlockpt(m));
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	sp.stdin_fd = s;

	ASSERT_EQ(0, tool_start(&p, &sp, "clean", self->ram[0], NULL));
	ASSERT_TRUE(vt_proc_wait_for(&p, true, "Type the device name", 10000)) SHOW(&p);
	ASSERT_EQ(6, write(m, "ram99\n", 6));
	EXPECT_EQ(EX_REFUSED, vt_proc_finish(&p, RUN_TIMEOUT_MS)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "not confirmed")) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, DEV_MIB * VT_MIB, FILL, NULL));
	vt_proc_free(&p);

	ASSERT_EQ(0, tool_start(&p, &sp, "clean", "--progress=none", self->ram[0], NULL));
	ASSERT_TRUE(vt_proc_wait_for(&p, true, "Type the device name", 10000)) SHOW(&p);
	snprintf(line, sizeof(line), "%s\n", name);
	ASSERT_EQ((ssize_t)strlen(line), write(m, line, strlen(line)));
	EXPECT_EQ(EX_OK, vt_proc_finish(&p, RUN_TIMEOUT_MS)) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, VT_MIB, 0, NULL));
	vt_proc_free(&p);
	close(s);
	close(m);
}

/* A mounted device: refused by the tool, naming the mount point. */
TEST_F(tool, mounted_device_refused)
{
	const struct jobj *end;
	struct jobj *v;
	struct vt_proc p;
	char bad[512];
	int n;

	ASSERT_EQ(0, vt_mkfs_ext2(self->ram[1]));
	ASSERT_EQ(0, vt_mount_ext2(self->ram[1], "vdswtool", self->mnt, sizeof(self->mnt)));
	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "clean", "--yes", "--force", self->ram[1], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_INCOMPATIBLE_FILE_SYSTEM (0x80042425)")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, self->mnt)) SHOW(&p);
	vt_proc_free(&p);
	/* one refused device stops the whole command before anything starts;
	 * each device still gets its end event */
	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "clean", "--yes", "--force", "--json", self->ram[0],
				  self->ram[1], NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	EXPECT_EQ(0, count_events(v, n, "start"));
	EXPECT_EQ(2, count_events(v, n, "end"));
	end = find_event(v, n, "end", self->ram[1], NULL);
	ASSERT_NE(NULL, end);
	EXPECT_STREQ("refused", jstr(end, "state"));
	EXPECT_STREQ("VDS_E_INCOMPATIBLE_FILE_SYSTEM", jstr(end, "hresult_name"));
	EXPECT_NE(NULL, strstr(jstr(end, "detail"), self->mnt));
	end = find_event(v, n, "end", self->ram[0], NULL);
	ASSERT_NE(NULL, end);
	EXPECT_STREQ("not_started", jstr(end, "state"));
	EXPECT_EQ(3, jnum(find_event(v, n, "summary", NULL, NULL), "exit_status"));
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, DEV_MIB * VT_MIB, FILL, NULL));
	jfree(v);
	vt_proc_free(&p);
	EXPECT_EQ(0, vt_umount(self->mnt));
	self->mnt[0] = '\0';
	/* unmounted, the filesystem signature still needs --force */
	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "clean", "--yes", self->ram[1], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_OPERATION_DENIED (0x8004240A)")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "--force")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--force", self->ram[1], NULL)) SHOW(&p);
	vt_proc_free(&p);
}

/* A disk one of whose partitions is mounted: refused, naming both. */
TEST_F(tool, mounted_partition_refused)
{
	const unsigned int start[] = { 1, 8 }, size[] = { 6, 6 };
	char part[64], want[512];
	struct vt_proc p;

	ASSERT_EQ(0, vt_write_mbr(self->ram[2], 2, start, size));
	vt_part_path(self->ram[2], 2, part, sizeof(part));
	ASSERT_EQ(0, vt_mkfs_ext2(part));
	ASSERT_EQ(0, vt_mount_ext2(part, "vdswtool", self->mnt, sizeof(self->mnt)));
	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "clean", "--yes", "--force", self->ram[2], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_INCOMPATIBLE_FILE_SYSTEM")) SHOW(&p);
	snprintf(want, sizeof(want), "partition %s is mounted on %s", part, self->mnt);
	EXPECT_NE(NULL, strstr(p.ebuf, want)) SHOW(&p);
	vt_proc_free(&p);
	/* the other partition is not mounted: it may be cleaned */
	vt_part_path(self->ram[2], 1, part, sizeof(part));
	EXPECT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--force", part, NULL)) SHOW(&p);
	vt_proc_free(&p);
	/* and the disk itself without --force: its partition table refuses */
	EXPECT_EQ(0, vt_umount(self->mnt));
	self->mnt[0] = '\0';
	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "clean", "--yes", self->ram[2], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_OPERATION_DENIED")) SHOW(&p);
	vt_proc_free(&p);
}

/* Read-only: VDS_E_MEDIA_WRITE_PROTECTED, exit 5, untouched. */
TEST_F(tool, read_only_device)
{
	struct vt_proc p;

	ASSERT_EQ(0, vt_set_ro(self->ram[0], true));
	EXPECT_EQ(EX_DEVICE, run(&p, NULL, "clean", "--yes", self->ram[0], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_MEDIA_WRITE_PROTECTED (0x80042428)")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(0, vt_set_ro(self->ram[0], false));
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, DEV_MIB * VT_MIB, FILL, NULL));
}

/* No such device, not a block device: exit 5. The same disk twice: 3. */
TEST_F(tool, bad_devices)
{
	struct vt_proc p;

	EXPECT_EQ(EX_DEVICE, run(&p, NULL, "clean", "--yes", "/dev/vdsw-no-such", NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_OBJECT_NOT_FOUND (0x80042405)")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_DEVICE, run(&p, NULL, "clean", "--yes", "/dev/null", NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_INCOMPATIBLE_MEDIA (0x80042426)")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_REFUSED, run(&p, NULL, "clean", "--yes", self->ram[0], self->ram[0], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_DEVICE_IN_USE (0x80042413)")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, DEV_MIB * VT_MIB, FILL, NULL));
}

/* uid 65534: VDS_E_ACCESS_DENIED, exit 4; info still shows the limits. */
TEST_F(tool, unprivileged_user)
{
	struct vt_spawn sp = { .stdin_fd = -1, .nobody = true };
	struct vt_proc p;

	root_dir_traversable();
	EXPECT_EQ(EX_ACCESS, run(&p, &sp, "clean", "--yes", self->ram[0], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "VDS_E_ACCESS_DENIED (0x80042427)")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_ACCESS, run(&p, &sp, "info", NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "module:       loaded")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "max_ops:")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, DEV_MIB * VT_MIB, FILL, NULL));
}

/* I/O errors: none written, HRESULT_FROM_WIN32(ERROR_IO_DEVICE), exit 6;
 * some written, VDS_S_DISK_PARTIALLY_CLEANED, exit 8. */
TEST_F(tool, io_errors)
{
	const struct jobj *end;
	char table[256], bad[512];
	struct jobj *v;
	struct vt_proc p;
	int n;

	snprintf(table, sizeof(table), "0 %llu error", DEV_MIB * VT_MIB / 512);
	if (vt_dm_create("vdswtool", table, self->dm, sizeof(self->dm)))
		SKIP(return, "no device-mapper");
	EXPECT_EQ(EX_IOERROR, run(&p, NULL, "clean", "--yes", "--full", "--force", "--force-oem",
				  "--json", self->dm, NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	end = find_event(v, n, "end", self->dm, NULL);
	ASSERT_NE(NULL, end) SHOW(&p);
	EXPECT_STREQ("0x8007045D", jstr(end, "hresult"));
	EXPECT_STREQ("failed", jstr(end, "state"));
	EXPECT_STREQ("EIO", jstr(end, "error"));
	EXPECT_EQ(0, jnum(end, "error_offset"));
	jfree(v);
	vt_proc_free(&p);
	ASSERT_EQ(0, vt_dm_remove("vdswtool"));

	/* the first half is ram1, the second half fails */
	snprintf(table, sizeof(table), "0 %llu linear %s 0\n%llu %llu error",
		 DEV_MIB * VT_MIB / 1024, self->ram[1], DEV_MIB * VT_MIB / 1024,
		 DEV_MIB * VT_MIB / 1024);
	ASSERT_EQ(0, vt_dm_create("vdswtool", table, self->dm, sizeof(self->dm)));
	EXPECT_EQ(EX_PARTIAL, run(&p, NULL, "clean", "--yes", "--full", "--force", "--force-oem",
				  "--progress=none", self->dm, NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "VDS_S_DISK_PARTIALLY_CLEANED (0x0004241A)")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "NOT fully clean")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "EIO")) SHOW(&p);
	vt_proc_free(&p);
}

/* The module: info says whether it is loaded (exit 0 or 7); clean as root
 * loads it itself. */
TEST_F_TIMEOUT(tool, module_info_and_load, 60)
{
	const struct jobj *o;
	struct jobj *v;
	struct vt_proc p;
	char bad[512], want[64];
	int n;

	ASSERT_EQ(EX_OK, run(&p, NULL, "info", "--json", NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_EQ(1, n) TH_LOG("%s", bad);
	o = &v[0];
	EXPECT_TRUE(jtrue(o, "loaded"));
	EXPECT_EQ(VDSWIPE_ABI_VERSION, jnum(o, "abi_version"));
	EXPECT_LT(0, jnum(o, "max_ops"));
	EXPECT_LT(0, jnum(o, "chunk_size"));
	EXPECT_LT(0, jnum(o, "queue_depth"));
	EXPECT_LE(0, jnum(o, "max_active"));
	EXPECT_EQ(0x7f, (int)jnum(o, "features") & 0x7f);
	jfree(v);
	vt_proc_free(&p);
	ASSERT_EQ(EX_OK, run(&p, NULL, "info", NULL)) SHOW(&p);
	snprintf(want, sizeof(want), "abi_version:  %d", VDSWIPE_ABI_VERSION);
	EXPECT_NE(NULL, strstr(p.obuf, want)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "chunk_size:")) SHOW(&p);
	vt_proc_free(&p);

	ASSERT_EQ(0, vt_module_unload());
	EXPECT_EQ(EX_MODULE, run(&p, NULL, "info", NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "not loaded")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_MODULE, run(&p, NULL, "info", "--json", NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_EQ(1, n) TH_LOG("%s", bad);
	EXPECT_FALSE(jtrue(&v[0], "loaded"));
	EXPECT_EQ(EX_MODULE, jnum(&v[0], "exit_status"));
	jfree(v);
	vt_proc_free(&p);
	/* clean, as root, loads the module through libvdswipe */
	EXPECT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", self->ram[0], NULL)) SHOW(&p);
	EXPECT_TRUE(vt_module_loaded());
	vt_proc_free(&p);
}

/* ------------------------------------------------------------------ */
/* Sanitize: data, passes, verification, the record                   */
/* ------------------------------------------------------------------ */

/* The module offers VDSWIPE_IOC_SANITIZE and METHOD_RANDOM. */
static bool have_sanitize(void)
{
	struct vdswipe_version ver = { 0 };
	int s = vt_session_open();
	bool ok;

	if (s < 0)
		return false;
	ok = vt_version(s, &ver) == 0 &&
	     (ver.features & (VDSWIPE_FEAT_SANITIZE | VDSWIPE_FEAT_RANDOM)) ==
	     (VDSWIPE_FEAT_SANITIZE | VDSWIPE_FEAT_RANDOM);
	close(s);
	return ok;
}

/* No two 4 KiB blocks of [off, off + len) alike, none all zero or FILL. */
static int check_random(const char *path, uint64_t off, uint64_t len)
{
	const size_t bs = 4096;
	size_t n = len / bs, i, k;
	unsigned char *buf, zero[4096] = { 0 }, fill[4096];
	int fd, ret = 0;

	memset(fill, FILL, sizeof(fill));
	if (posix_memalign((void **)&buf, 4096, len))
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_DIRECT);
	if (!buf || fd < 0 || pread(fd, buf, len, (off_t)off) != (ssize_t)len) {
		ret = -EIO;
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		if (!memcmp(buf + i * bs, zero, bs) || !memcmp(buf + i * bs, fill, bs))
			ret = 1;
		/* a word of each block against every other first: cheap */
		for (k = i + 1; k < n && !ret; k++)
			if (!memcmp(buf + i * bs, buf + k * bs, 16) &&
			    !memcmp(buf + i * bs, buf + k * bs, bs))
				ret = 2;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* Two passes, every one verified, --json: the counts in the end event. */
TEST_F_TIMEOUT(tool, passes_and_verification_json, 90)
{
	const uint64_t size = DEV_MIB * VT_MIB;
	const struct jobj *start, *end, *sum;
	struct jobj *v;
	char bad[512];
	struct vt_proc p;
	int n;

	if (!have_sanitize())
		SKIP(return, "the module has no VDSWIPE_IOC_SANITIZE");
	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--full", "--passes", "random,pattern:0x5a",
			     "--verify", "all", "--json", self->ram[0], NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	start = find_event(v, n, "start", self->ram[0], NULL);
	end = find_event(v, n, "end", self->ram[0], NULL);
	sum = find_event(v, n, "summary", NULL, NULL);
	ASSERT_NE(NULL, start);
	ASSERT_NE(NULL, end);
	ASSERT_NE(NULL, sum);
	EXPECT_STREQ("passes", jstr(start, "method"));
	EXPECT_STREQ("random,pattern:0x5a", jstr(start, "passes"));
	EXPECT_EQ(2, jnum(start, "nr_passes"));
	EXPECT_STREQ("all", jstr(start, "verify"));
	EXPECT_EQ(100, jnum(start, "sample_pct"));
	EXPECT_EQ((double)(4 * size), jnum(start, "bytes_total"));
	EXPECT_STREQ("done", jstr(end, "state"));
	EXPECT_STREQ("S_OK", jstr(end, "hresult_name"));
	EXPECT_EQ((double)(2 * size), jnum(end, "bytes_written"));
	EXPECT_EQ((double)(2 * size), jnum(end, "bytes_verified"));
	EXPECT_EQ((double)(2 * size), jnum(end, "verify_total"));
	EXPECT_EQ(0, jnum(end, "mismatch_blocks"));
	EXPECT_TRUE(jnull(end, "first_mismatch"));
	EXPECT_TRUE(jnull(end, "record"));
	EXPECT_EQ(0, jnum(sum, "exit_status"));
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, size, 0x5a, NULL));
	jfree(v);
	vt_proc_free(&p);

	/* one random pass, plain progress: the pass and the phase are shown */
	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--full", "--method", "random",
			     "--verify", "sample:50", "--progress", "plain", self->ram[1], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "full clean, pass random, verify last")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "verification:")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "no mismatch")) SHOW(&p);
	EXPECT_EQ(0, check_random(self->ram[1], 0, 4 * VT_MIB));
	vt_proc_free(&p);
}

/* vdswipe verify: reads only; a mismatch exits 9 with offset and count. */
TEST_F_TIMEOUT(tool, verify_command, 90)
{
	const uint64_t size = DEV_MIB * VT_MIB;
	const struct jobj *end;
	struct jobj *v;
	char bad[512];
	struct vt_proc p;
	int n;

	if (!have_sanitize())
		SKIP(return, "the module has no VDSWIPE_IOC_SANITIZE");
	/* ram[2] holds FILL everywhere */
	EXPECT_EQ(EX_OK, run(&p, NULL, "verify", "--full", "--expect", "pattern:0xa5", self->ram[2],
			     NULL)) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_OK, run(&p, NULL, "verify", "--full", "--sample", "10", "--expect", "pattern:165",
			     self->ram[2], NULL)) SHOW(&p);
	vt_proc_free(&p);
	ASSERT_EQ(9, run(&p, NULL, "verify", "--json", self->ram[2], NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_LT(0, n) TH_LOG("%s", bad);
	end = find_event(v, n, "end", self->ram[2], NULL);
	ASSERT_NE(NULL, end);
	EXPECT_STREQ("verify", jstr(find_event(v, n, "start", NULL, NULL), "method"));
	EXPECT_STREQ("failed", jstr(end, "state"));
	EXPECT_STREQ("VDSW_E_VERIFY_MISMATCH", jstr(end, "hresult_name"));
	EXPECT_STREQ("0x8004F001", jstr(end, "hresult"));
	EXPECT_STREQ("EBADMSG", jstr(end, "error"));
	EXPECT_EQ(0, jnum(end, "first_mismatch"));
	/* quick: the first and the last MiB, in 512-byte blocks */
	EXPECT_EQ(2 * VT_MIB / 512, jnum(end, "mismatch_blocks"));
	EXPECT_EQ(0, jnum(end, "bytes_written"));
	EXPECT_EQ(9, jnum(end, "exit_class"));
	jfree(v);
	vt_proc_free(&p);
	/* human output names the first offset; nothing was written */
	EXPECT_EQ(9, run(&p, NULL, "verify", "--full", "--offset", "4M", "--length", "1M",
			 "--expect", "pattern:0x01", self->ram[2], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "the first at byte 4194304")) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[2], 0, size, FILL, NULL));
	vt_proc_free(&p);
}

/* Every option that is wrong: exit 2, nothing written, nothing created. */
TEST_F(tool, sanitize_usage_errors)
{
	const uint64_t size = DEV_MIB * VT_MIB;
	static const char *const bad[][8] = {
		{ "clean", "--yes", "--method", "ones" },
		{ "clean", "--yes", "--method", "pattern:0x100" },
		{ "clean", "--yes", "--method", "pattern:" },
		{ "clean", "--yes", "--passes", "zero,zero,zero,zero,zero,zero,zero,zero,zero" },
		{ "clean", "--yes", "--passes", "random,,zero" },
		{ "clean", "--yes", "--passes", "" },
		{ "clean", "--yes", "--method", "zero", "--passes", "random" },
		{ "clean", "--yes", "--pattern", "1", "--method", "random" },
		{ "clean", "--yes", "--verify", "some" },
		{ "clean", "--yes", "--verify", "sample:0" },
		{ "clean", "--yes", "--verify", "sample:101" },
		{ "clean", "--yes", "--sample", "50", "--verify", "off" },
		{ "clean", "--yes", "--operator", "me" },
		{ "clean", "--yes", "--record", "/tmp/vdswt-rec.json", "RAM1" },
		{ "verify", "--expect", "random" },
		{ "verify", "--sample", "0" },
		{ "verify", "--method", "zero" },
	};
	struct vt_proc p;
	const char *args[12];
	size_t i, k, a;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = 0;
		for (k = 0; k < 8 && bad[i][k]; k++)
			args[a++] = !strcmp(bad[i][k], "RAM1") ? self->ram[1] : bad[i][k];
		args[a++] = self->ram[0];
		args[a] = NULL;
		vt_proc_init(&p);
		ASSERT_EQ(0, tool_startv(&p, NULL, args));
		EXPECT_EQ(EX_USAGE, vt_proc_finish(&p, RUN_TIMEOUT_MS))
			TH_LOG("case %zu (%s %s %s): exit %d, stderr: %s", i, bad[i][0], bad[i][1],
			       bad[i][2], p.status, p.ebuf);
		vt_proc_free(&p);
	}
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, size, FILL, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 0, size, FILL, NULL));
	EXPECT_NE(0, access("/tmp/vdswt-rec.json", F_OK));

	/* a record that cannot be created: refused before anything starts */
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", "--yes", "--record", "/nonexistent/r.json",
				self->ram[0], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "cannot create")) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, size, FILL, NULL));
	vt_proc_free(&p);
}

/* --record: the file, its fields for a ramdisk, its digest. */
TEST_F_TIMEOUT(tool, record_of_a_clean, 90)
{
	const uint64_t size = DEV_MIB * VT_MIB;
	char path[128], tampered[128], *text = NULL, *at;
	struct jobj rec;
	struct vt_proc p;
	FILE *f;
	long len;

	if (!have_sanitize())
		SKIP(return, "the module has no VDSWIPE_IOC_SANITIZE");
	unlink("/tmp/vdswt-rec-ram0.json");
	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--full", "--method", "zero", "--verify",
			     "sample:50", "--record", "/tmp/vdswt-rec-%n.json", "--operator",
			     "Op \"Quoted\" Name", "--asset-tag", "AT-1", "--location", "Bay 9",
			     self->ram[0], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "record: /tmp/vdswt-rec-ram0.json")) SHOW(&p);
	vt_proc_free(&p);
	snprintf(path, sizeof(path), "/tmp/vdswt-rec-ram0.json");
	rec = jfile(path);
	ASSERT_NE(NULL, rec.o);
	EXPECT_STREQ("vdswipe-sanitization-record", rstr(&rec, "schema"));
	EXPECT_EQ(1, rnum(&rec, "schema_version"));
	EXPECT_STREQ(self->ram[0], rstr(&rec, "device.path"));
	EXPECT_STREQ("ram0", rstr(&rec, "device.kernel_name"));
	EXPECT_FALSE(rtrue(&rec, "device.is_partition"));
	/* brd has no hardware: null, with the reason */
	EXPECT_TRUE(rnull(&rec, "device.transport"));
	EXPECT_TRUE(rnull(&rec, "device.serial"));
	EXPECT_TRUE(rnull(&rec, "device.model"));
	EXPECT_TRUE(rnull(&rec, "device.manufacturer"));
	EXPECT_LT(10, strlen(rstr(&rec, "device.missing.serial")));
	EXPECT_LT(10, strlen(rstr(&rec, "device.missing.transport")));
	EXPECT_EQ((double)size, rnum(&rec, "device.capacity_bytes"));
	EXPECT_EQ(512, rnum(&rec, "device.logical_block_size"));
	EXPECT_STREQ("Clear", rstr(&rec, "sanitization.category"));
	EXPECT_STREQ("full", rstr(&rec, "sanitization.scope"));
	EXPECT_STREQ("last", rstr(&rec, "verification.mode"));
	EXPECT_EQ(50, rnum(&rec, "verification.sample_pct"));
	EXPECT_STREQ("passed", rstr(&rec, "verification.result"));
	EXPECT_EQ(0, rnum(&rec, "verification.mismatch_blocks"));
	EXPECT_STREQ("sanitized", rstr(&rec, "result.outcome"));
	EXPECT_STREQ("S_OK", rstr(&rec, "result.hresult_name"));
	EXPECT_EQ((double)size, rnum(&rec, "result.bytes_written"));
	EXPECT_STREQ("Op \"Quoted\" Name", rstr(&rec, "context.operator"));
	EXPECT_STREQ("AT-1", rstr(&rec, "context.asset_tag"));
	EXPECT_STREQ("Bay 9", rstr(&rec, "context.location"));
	EXPECT_EQ(64, strlen(rstr(&rec, "digest.value")));
	EXPECT_EQ(24, strlen(rstr(&rec, "time.start")));
	jfile_put(&rec);
	/* no temporary file left behind */
	EXPECT_EQ(EX_OK, vt_run("! ls /tmp/vdswt-rec-ram0.json.tmp-* 2>/dev/null"));

	EXPECT_EQ(EX_OK, run(&p, NULL, "record", "--check", path, NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "valid")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_OK, run(&p, NULL, "record", path, NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.obuf, "AT-1")) SHOW(&p);
	vt_proc_free(&p);

	/* one byte of the operator changed: --check fails, exit 1 */
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	ASSERT_NE(NULL, text);
	ASSERT_EQ((size_t)len, fread(text, 1, (size_t)len, f));
	fclose(f);
	at = strstr(text, "Bay 9");
	ASSERT_NE(NULL, at);
	at[4] = '8';
	snprintf(tampered, sizeof(tampered), "/tmp/vdswt-tampered.json");
	f = fopen(tampered, "w");
	ASSERT_NE(NULL, f);
	fwrite(text, 1, (size_t)len, f);
	fclose(f);
	free(text);
	EXPECT_EQ(1, run(&p, NULL, "record", "--check", tampered, NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "digest mismatch")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(1, run(&p, NULL, "record", "--pdf", "/tmp/vdswt.pdf", tampered, NULL)) SHOW(&p);
	EXPECT_NE(0, access("/tmp/vdswt.pdf", F_OK));
	vt_proc_free(&p);
	unlink(tampered);
	unlink(path);
}

/* vdswipe identify: the device part of a record. */
TEST_F(tool, identify)
{
	const struct jobj *o;
	struct jobj *v;
	char bad[512];
	struct vt_proc p;
	int n;

	ASSERT_EQ(EX_OK, run(&p, NULL, "identify", self->ram[0], NULL)) SHOW(&p);
	n = json_lines(p.obuf, &v, bad, sizeof(bad));
	ASSERT_EQ(1, n) TH_LOG("%s", bad);
	o = &v[0];
	EXPECT_STREQ("ram0", jstr(o, "kernel_name"));
	EXPECT_EQ((double)(DEV_MIB * VT_MIB), jnum(o, "capacity_bytes"));
	EXPECT_TRUE(jnull(o, "serial"));
	jfree(v);
	vt_proc_free(&p);
	EXPECT_EQ(EX_DEVICE, run(&p, NULL, "identify", "/dev/vdswt-none", NULL)) SHOW(&p);
	vt_proc_free(&p);
}

/* A clean cancelled by SIGINT in its first pass still gets its record:
 * outcome cancelled, verification incomplete, the digest valid. */
TEST_F_TIMEOUT(tool, record_of_a_cancelled_clean, 90)
{
	const char *path = "/tmp/vdswt-cancel.json";
	struct jobj rec;
	struct vt_proc p;

	if (!have_sanitize())
		SKIP(return, "the module has no VDSWIPE_IOC_SANITIZE");
	unlink(path);
	ASSERT_EQ(0, make_slow(self->slow, sizeof(self->slow)));
	ASSERT_EQ(0, tool_start(&p, NULL, "clean", "--yes", "--full", "--passes",
				"pattern:0x5a,zero", "--verify", "all", "--record", path,
				"--json", "--interval", "0.1", self->slow, NULL));
	ASSERT_TRUE(interrupt_mid_clean(&p, SIGINT)) SHOW(&p);
	ASSERT_EQ(EX_CANCELLED, vt_proc_finish(&p, RUN_TIMEOUT_MS)) SHOW(&p);
	vt_proc_free(&p);
	rec = jfile(path);
	ASSERT_NE(NULL, rec.o);
	EXPECT_STREQ("cancelled", rstr(&rec, "result.outcome"));
	EXPECT_STREQ("VDS_E_OPERATION_CANCELED", rstr(&rec, "result.hresult_name"));
	EXPECT_STREQ("incomplete (cancelled)", rstr(&rec, "verification.result"));
	EXPECT_STREQ("all", rstr(&rec, "verification.mode"));
	EXPECT_LT(0, rnum(&rec, "result.bytes_written"));
	EXPECT_GT((double)(SLOW_MIB * VT_MIB), rnum(&rec, "result.bytes_written"));
	jfile_put(&rec);
	EXPECT_EQ(EX_OK, run(&p, NULL, "record", "--check", path, NULL)) SHOW(&p);
	vt_proc_free(&p);
	unlink(path);
}

/* A range (--offset, --length) needs --full or --quick: without either,
 * a usage error (exit 2) naming both, and nothing written. */
TEST_F(tool, range_needs_full_or_quick)
{
	const uint64_t size = DEV_MIB * VT_MIB;
	struct vt_proc p;

	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", "--yes", "--pattern", "0x5a", "--offset", "4M",
				"--length", "6M", self->ram[0], NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "--full")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "--quick")) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, size, FILL, NULL));
	vt_proc_free(&p);
	EXPECT_EQ(EX_USAGE, run(&p, NULL, "clean", "--yes", "--length", "6M", self->ram[0],
				NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "--full")) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "--quick")) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[0], 0, size, FILL, NULL));
	vt_proc_free(&p);
}

/* --quick with a range: the first and last MiB of the range, as a range
 * without --full used to be; --full: the whole range. */
TEST_F(tool, range_quick_and_full)
{
	const uint64_t size = DEV_MIB * VT_MIB;
	struct vt_proc p;

	/* bytes [4 MiB, 10 MiB): [4, 5) and [9, 10) written */
	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--quick", "--pattern", "0x5a",
			     "--offset", "4M", "--length", "6M", self->ram[1], NULL)) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 0, 4 * VT_MIB, FILL, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 4 * VT_MIB, VT_MIB, 0x5a, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 5 * VT_MIB, 4 * VT_MIB, FILL, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 9 * VT_MIB, VT_MIB, 0x5a, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[1], 10 * VT_MIB, size - 10 * VT_MIB, FILL, NULL));
	vt_proc_free(&p);

	ASSERT_EQ(EX_OK, run(&p, NULL, "clean", "--yes", "--full", "--pattern", "0x5a",
			     "--offset", "4M", "--length", "6M", self->ram[2], NULL)) SHOW(&p);
	EXPECT_EQ(0, vt_check_fill(self->ram[2], 0, 4 * VT_MIB, FILL, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[2], 4 * VT_MIB, 6 * VT_MIB, 0x5a, NULL));
	EXPECT_EQ(0, vt_check_fill(self->ram[2], 10 * VT_MIB, size - 10 * VT_MIB, FILL, NULL));
	vt_proc_free(&p);
}

/* A missing device is named once on the error line; an empty path says so. */
TEST_F(tool, error_lines_name_the_device_once)
{
	struct vt_proc p;

	EXPECT_EQ(EX_DEVICE, run(&p, NULL, "clean", "--yes", "/dev/vdsw-no-such", NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "vdswipe: /dev/vdsw-no-such: No such file or directory\n"))
		SHOW(&p);
	EXPECT_EQ(NULL, strstr(p.ebuf, "/dev/vdsw-no-such: /dev/vdsw-no-such")) SHOW(&p);
	vt_proc_free(&p);
	EXPECT_EQ(EX_DEVICE, run(&p, NULL, "clean", "--yes", "", NULL)) SHOW(&p);
	EXPECT_NE(NULL, strstr(p.ebuf, "vdswipe: empty device path\n")) SHOW(&p);
	EXPECT_EQ(NULL, strstr(p.ebuf, "vdswipe: :")) SHOW(&p);
	vt_proc_free(&p);
}

TEST_HARNESS_MAIN
