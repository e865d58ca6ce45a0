// SPDX-License-Identifier: GPL-2.0
/*
 * `vdswipe status` (tools/vdswipe/status.c), run as an administrator would
 * (fork + exec of /usr/local/bin/vdswipe, or $VDSWIPE_TOOL) while cleans
 * run on a slow device (dm-delay holding every write WRITE_DELAY_MS):
 *
 *  - a clean this test submitted through its own session: the text table
 *    and the --json object (parsed with json-c) show this process, the
 *    session id its fdinfo has, the op, device, method, state, pass,
 *    phase and progress, and the module's counters;
 *  - a clean started by another program (`vdswipe clean` itself): listed
 *    under that process, gone once it was interrupted;
 *  - no module: exit status 7.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <json-c/json.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "subproc.h"

#define DEFAULT_TOOL	"/usr/local/bin/vdswipe"
#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		16
#define WRITE_DELAY_MS	300
#define EX_MODULE	7
#define EX_CANCELLED	130
#define RUN_TIMEOUT_MS	60000

static const char *tool_path(void)
{
	const char *t = getenv("VDSWIPE_TOOL");

	return t && t[0] ? t : DEFAULT_TOOL;
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_get_type(v) == json_type_int ? json_object_get_int64(v) : -999999;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_get_type(v) == json_type_string ? json_object_get_string(v) : "(none)";
}

static int jbool(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_get_type(v) == json_type_boolean ? json_object_get_boolean(v) : -1;
}

/* ------------------------------------------------------------------ */
/* Running the tool                                                   */
/* ------------------------------------------------------------------ */

/*
 * Run the tool with @args (NULL-terminated); its stdout into @out (cut at
 * @len - 1 bytes), its stderr passed on to ours.
 */
static int run_tool(char *out, size_t len, const char *const *args)
{
	struct vt_proc p;
	int ret;

	vt_proc_init(&p);
	ret = vt_proc_startv(&p, tool_path(), tool_path(), NULL, args);
	if (!ret) {
		/* killed (1000 + signal) or not reaped (-1) */
		ret = vt_proc_finish(&p, RUN_TIMEOUT_MS);
		if (ret < 0 || ret >= 1000)
			ret = -ECHILD;
	}
	snprintf(out, len, "%s", p.obuf);
	fputs(p.ebuf, stderr);
	vt_proc_free(&p);
	return ret;
}

/* `vdswipe status --json`, parsed; its exit status in *@status. */
static struct json_object *status_json(int *status)
{
	static const char *const args[] = { "status", "--json", NULL };
	static char out[65536];

	*status = run_tool(out, sizeof(out), args);
	return json_tokener_parse(out);
}

/* The session of @pid in a status object, or NULL. */
static struct json_object *find_session(struct json_object *st, pid_t pid)
{
	struct json_object *ss = jget(st, "sessions"), *s;
	size_t i;

	if (!ss || json_object_get_type(ss) != json_type_array)
		return NULL;
	for (i = 0; i < json_object_array_length(ss); i++) {
		s = json_object_array_get_idx(ss, i);
		if (jint(s, "pid") == pid)
			return s;
	}
	return NULL;
}

static struct json_object *first_op(struct json_object *s)
{
	struct json_object *ops = jget(s, "ops");

	if (!ops || json_object_get_type(ops) != json_type_array ||
	    !json_object_array_length(ops))
		return NULL;
	return json_object_array_get_idx(ops, 0);
}

static int session_id(int s, uint64_t *sid)
{
	char path[64], line[256];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", s);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "vdswipe_session:\t%" SCNu64, sid) == 1)
			ret = 0;
	fclose(f);
	return ret;
}

/* ------------------------------------------------------------------ */

FIXTURE(status) {
	int s;
	int slowfd;
	char slow[64];
	char dmname[32];
	uint64_t sid;
};

FIXTURE_SETUP(status)
{
	char ram0[64];
	struct stat st;
	int ret;

	self->s = self->slowfd = -1;
	if (access(tool_path(), X_OK))
		SKIP(return, "no tool at %s", tool_path());
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(MOD_PARAMS));
	ret = vt_brd_load(1, DEV_MIB, 1);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, ram0, sizeof(ram0));
	ret = vt_delay_create("vdswslow", ram0, WRITE_DELAY_MS, self->slow,
			      sizeof(self->slow));
	if (ret) {
		vt_brd_unload();
		SKIP(return, "no dm-delay (%s)", strerror(-ret));
	}
	self->slowfd = vt_open(self->slow, O_RDWR);
	ASSERT_LE(0, self->slowfd);
	ASSERT_EQ(0, fstat(self->slowfd, &st));
	snprintf(self->dmname, sizeof(self->dmname), "dm-%u", minor(st.st_rdev));
	self->s = vt_session_open();
	ASSERT_LE(0, self->s);
	ASSERT_EQ(0, session_id(self->s, &self->sid));
}

FIXTURE_TEARDOWN(status)
{
	if (self->s >= 0)
		close(self->s);
	if (self->slowfd >= 0)
		close(self->slowfd);
	vt_dm_remove("vdswslow");
	vt_brd_unload();
	vt_module_unload();
}

#define F_FULL	(VDSWIPE_CLEAN_FULL | VDSWIPE_CLEAN_FORCE)

TEST_F(status, own_clean)
{
	static const char *const text_args[] = { "status", NULL };
	struct json_object *st, *ses, *op, *ctr;
	struct vdswipe_status q;
	char out[16384], want[128], *line;
	uint64_t id, total;
	int ret;

	ASSERT_EQ(0, vt_submit(self->s, self->slowfd, F_FULL,
			       VDSWIPE_METHOD_ZERO, 0, 0, 0, &id, &total));
	ASSERT_EQ(0, vt_wait_progress(self->s, id, 1, 20000, &q));

	/* The table: this process, its session and op, the device... */
	ret = run_tool(out, sizeof(out), text_args);
	ASSERT_EQ(0, ret) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "module:       loaded"));
	ASSERT_NE(NULL, strstr(out, "1 submitted, 0 done, 0 failed, 0 cancelled; 0 queued, 1 running"))
		TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "sessions:     1 open, 1 op held, 1 queued or running"))
		TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "PID COMMAND"));
	snprintf(want, sizeof(want), "%7d %-15s %7" PRIu64 " %5" PRIu64 " %s ",
		 (int)getpid(), "status_test", self->sid, id, self->dmname);
	line = strstr(out, want);
	ASSERT_NE(NULL, line) TH_LOG("no '%s' in:\n%s", want, out);
	ASSERT_NE(NULL, strstr(line, " zero "));
	ASSERT_NE(NULL, strstr(line, " running "));
	ASSERT_NE(NULL, strstr(line, " 1/1 "));
	ASSERT_NE(NULL, strstr(line, " write "));
	ASSERT_NE(NULL, strstr(line, "% "));
	ASSERT_NE(NULL, strstr(line, " of 16.0 MiB"));

	/* ... and the same as JSON. */
	st = status_json(&ret);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, ret);
	ASSERT_STREQ("status", jstr(st, "event"));
	ASSERT_EQ(1, jbool(st, "loaded"));
	ASSERT_EQ(1, jbool(st, "complete"));
	ASSERT_EQ(1, jint(st, "active_ops"));
	ASSERT_EQ(0, jint(st, "exit_status"));
	ctr = jget(st, "counters");
	ASSERT_EQ(1, jint(ctr, "ops_submitted"));
	ASSERT_EQ(1, jint(ctr, "ops_running"));
	ASSERT_EQ(0, jint(ctr, "ops_queued"));
	ASSERT_LE((int64_t)q.bytes_done, jint(ctr, "bytes_written"));
	ses = find_session(st, getpid());
	ASSERT_NE(NULL, ses);
	ASSERT_STREQ("status_test", jstr(ses, "command"));
	ASSERT_EQ(self->s, jint(ses, "fd"));
	ASSERT_EQ((int64_t)self->sid, jint(ses, "session"));
	ASSERT_EQ(1, jbool(ses, "admin"));
	ASSERT_EQ(1, jint(ses, "nr_ops"));
	op = first_op(ses);
	ASSERT_NE(NULL, op);
	ASSERT_EQ((int64_t)id, jint(op, "op"));
	ASSERT_STREQ(self->dmname, jstr(op, "device"));
	ASSERT_STREQ("zero", jstr(op, "method"));
	ASSERT_STREQ("running", jstr(op, "state"));
	ASSERT_STREQ("1/1", jstr(op, "pass"));
	ASSERT_STREQ("write", jstr(op, "phase"));
	ASSERT_EQ((int64_t)total, jint(op, "bytes_total"));
	ASSERT_LE((int64_t)q.bytes_done, jint(op, "bytes_done"));
	ASSERT_GT((int64_t)total, jint(op, "bytes_done"));
	ASSERT_GT(100, jint(op, "percent"));
	ASSERT_EQ(0, jint(op, "result"));
	json_object_put(st);

	/* Cancelled: still held by the session, no longer active. */
	ASSERT_EQ(0, vt_cancel(self->s, id));
	st = status_json(&ret);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, jint(st, "active_ops"));
	ASSERT_EQ(1, jint(jget(st, "counters"), "ops_cancelled"));
	ASSERT_EQ(0, jint(jget(st, "counters"), "ops_running"));
	op = first_op(find_session(st, getpid()));
	ASSERT_NE(NULL, op);
	ASSERT_STREQ("cancelled", jstr(op, "state"));
	ASSERT_STREQ("none", jstr(op, "phase"));
	ASSERT_EQ(-ECANCELED, jint(op, "result"));
	json_object_put(st);
}

/* A clean started by someone else: `vdswipe clean` in a child process. */
TEST_F(status, other_process)
{
	struct json_object *st = NULL, *ses = NULL, *op;
	uint64_t start = vt_now_ns();
	int ret, wst;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		execl(tool_path(), tool_path(), "clean", "--full", "--force",
		      "--yes", "--progress", "none", self->slow, (char *)NULL);
		_exit(127);
	}
	/* Until the child's op runs and has written something. */
	for (;;) {
		if (st)
			json_object_put(st);
		st = status_json(&ret);
		ASSERT_NE(NULL, st);
		ses = find_session(st, pid);
		op = ses ? first_op(ses) : NULL;
		if (op && !strcmp(jstr(op, "state"), "running") &&
		    jint(op, "bytes_done") > 0)
			break;
		ASSERT_GT(20000, vt_ms_since(start));
		vt_sleep_ms(50);
	}
	ASSERT_STREQ("vdswipe", jstr(ses, "command"));
	ASSERT_NE((int64_t)self->sid, jint(ses, "session"));
	ASSERT_STREQ(self->dmname, jstr(op, "device"));
	ASSERT_STREQ("zero", jstr(op, "method"));
	ASSERT_EQ((int64_t)DEV_MIB * VT_MIB, jint(op, "bytes_total"));
	/* our own session is listed too, with no op */
	ASSERT_NE(NULL, find_session(st, getpid()));
	ASSERT_EQ(0, jint(find_session(st, getpid()), "nr_ops"));
	ASSERT_EQ(1, jint(st, "active_ops"));
	json_object_put(st);

	/* Ctrl-C: the tool cancels and exits; its session is gone. */
	ASSERT_EQ(0, kill(pid, SIGINT));
	ASSERT_EQ(pid, waitpid(pid, &wst, 0));
	ASSERT_TRUE(WIFEXITED(wst));
	ASSERT_EQ(EX_CANCELLED, WEXITSTATUS(wst));
	st = status_json(&ret);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(NULL, find_session(st, pid));
	ASSERT_EQ(0, jint(st, "active_ops"));
	ASSERT_EQ(1, jint(jget(st, "counters"), "ops_cancelled"));
	json_object_put(st);
}

TEST_F(status, not_loaded)
{
	static const char *const text_args[] = { "status", NULL };
	struct json_object *st;
	char out[4096];
	int ret;

	close(self->s);
	self->s = -1;
	close(self->slowfd);
	self->slowfd = -1;
	ASSERT_EQ(0, vt_module_unload());
	ret = run_tool(out, sizeof(out), text_args);
	ASSERT_EQ(EX_MODULE, ret);
	ASSERT_NE(NULL, strstr(out, "not loaded"));
	st = status_json(&ret);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(EX_MODULE, ret);
	ASSERT_EQ(0, jbool(st, "loaded"));
	ASSERT_EQ(7, jint(st, "exit_status"));
	json_object_put(st);
}

TEST_HARNESS_MAIN
