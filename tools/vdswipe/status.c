// SPDX-License-Identifier: GPL-2.0
/*
 * status.c - `vdswipe status`: every op the module holds, whoever started
 * it, from the files the module itself shows (no ioctl, no session):
 *
 *  - the sessions: every open file of /dev/vdswipe, found by walking
 *    /proc/PID/fd for character devices with the misc device's number
 *    (/sys/class/misc/vdswipe/dev), whatever the node's path;
 *  - each session's ops: its /proc/PID/fdinfo/FD ("key:\tvalue" lines,
 *    one "op:" line per op; Documentation/userspace-api/vdswipe.rst);
 *  - the module-wide counters: /sys/class/misc/vdswipe/stats/.
 *
 * Other users' processes can be seen only as root; without root the list
 * is marked incomplete.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fdinfo.h"

/*
 * Until the tool's own JSON moves to json-c, tool.h declares a json_bool()
 * that clashes with json-c's type of that name; status.c does not use it.
 */
#define json_bool tool_json_bool
#include "tool.h"
#undef json_bool

#include <json-c/json.h>

#define MISC_DIR	"/sys/class/misc/vdswipe"

static const char *const counter_names[] = {
	"ops_submitted", "ops_done", "ops_failed", "ops_cancelled",
	"ops_queued", "ops_running", "bytes_written",
};
#define NR_COUNTERS	(sizeof(counter_names) / sizeof(counter_names[0]))

struct st_session {
	pid_t pid;
	int fd;
	char comm[32];
	uint64_t id;
	int admin;
	unsigned int nr_ops;	/* the "ops:" line */
	size_t n;		/* "op:" lines parsed */
	struct vdsw_fdinfo_op *ops;
};

struct st_list {
	struct st_session *s;
	size_t n, cap;
	bool incomplete;	/* some process could not be looked into */
};

static void usage_status(FILE *f)
{
	fprintf(f,
"Usage: %s status [--json]\n"
"\n"
"Every op the vdswipe module holds, whoever started it: for each open\n"
"session (a process's descriptor of /dev/vdswipe), its process, and each of\n"
"its ops with device, method, state, pass, phase and progress; then the\n"
"module-wide counters. Read from /proc/PID/fdinfo and\n"
"/sys/class/misc/vdswipe/stats, which anyone can read too. Without root\n"
"only your own processes can be seen. Never loads the module.\n"
"\n"
"Options:\n"
"  --json       one JSON object on stdout\n"
"  -h, --help   this help\n"
"\n"
"Exit status: 0, or 7 when the module is not loaded.\n", prog);
}

/* Parse /proc/PID/fdinfo/FD; false if it is not a session's (or is gone). */
static bool read_session(pid_t pid, int fd, struct st_session *s)
{
	char path[64], line[512];
	bool found = false;
	struct vdsw_fdinfo_op *ops;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->fd = fd;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "vdswipe_session:\t%" SCNu64, &s->id) == 1) {
			found = true;
		} else if (sscanf(line, "admin:\t%d", &s->admin) == 1) {
			continue;
		} else if (sscanf(line, "ops:\t%u", &s->nr_ops) == 1) {
			continue;
		} else if (!strncmp(line, "op:\t", 4)) {
			ops = realloc(s->ops, (s->n + 1) * sizeof(*ops));
			if (!ops)
				break;
			s->ops = ops;
			vdsw_fdinfo_parse_op(line + 4, &s->ops[s->n++]);
		}
	}
	fclose(f);
	if (!found) {
		free(s->ops);
		s->ops = NULL;
		s->n = 0;
		return false;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (!read_sys(path, s->comm, sizeof(s->comm)))
		snprintf(s->comm, sizeof(s->comm), "?");
	return true;
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Every open file of the misc device @rdev, by pid then fd. */
static int find_sessions(dev_t rdev, struct st_list *l)
{
	struct dirent *pe, *fe;
	DIR *proc, *fds;
	char path[PATH_MAX];
	struct st_session s, *ns;
	struct stat st;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((pe = readdir(proc))) {
		if (!is_number(pe->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", pe->d_name);
		fds = opendir(path);
		if (!fds) {
			/* gone meanwhile, or not ours to see */
			if (errno == EACCES || errno == EPERM)
				l->incomplete = true;
			continue;
		}
		while ((fe = readdir(fds))) {
			if (!is_number(fe->d_name))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", pe->d_name, fe->d_name);
			if (stat(path, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != rdev)
				continue;
			if (!read_session((pid_t)atoi(pe->d_name), atoi(fe->d_name), &s))
				continue;
			if (l->n == l->cap) {
				l->cap = l->cap ? 2 * l->cap : 8;
				ns = realloc(l->s, l->cap * sizeof(*ns));
				if (!ns) {
					free(s.ops);
					closedir(fds);
					closedir(proc);
					return -ENOMEM;
				}
				l->s = ns;
			}
			l->s[l->n++] = s;
		}
		closedir(fds);
	}
	closedir(proc);
	return 0;
}

static int cmp_session(const void *a, const void *b)
{
	const struct st_session *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

static void free_list(struct st_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->s[i].ops);
	free(l->s);
}

static bool op_active(const struct vdsw_fdinfo_op *o)
{
	return !strcmp(o->state, "queued") || !strcmp(o->state, "running");
}

static struct json_object *json_u64_obj(uint64_t v)
{
	return json_object_new_uint64(v);
}

static void print_json(bool loaded, const char *misc_dev, const uint64_t *ctr,
		       bool have_ctr, const struct st_list *l, int status)
{
	struct json_object *root = json_object_new_object(), *c, *sessions, *js, *ops, *jo;
	size_t i, j, active = 0;

	json_object_object_add(root, "event", json_object_new_string("status"));
	json_object_object_add(root, "loaded", json_object_new_boolean(loaded));
	json_object_object_add(root, "node_devt", misc_dev ? json_object_new_string(misc_dev) : NULL);
	if (have_ctr) {
		c = json_object_new_object();
		for (i = 0; i < NR_COUNTERS; i++)
			json_object_object_add(c, counter_names[i], json_u64_obj(ctr[i]));
		json_object_object_add(root, "counters", c);
	} else {
		json_object_object_add(root, "counters", NULL);
	}
	sessions = json_object_new_array();
	for (i = 0; i < l->n; i++) {
		const struct st_session *s = &l->s[i];

		js = json_object_new_object();
		json_object_object_add(js, "pid", json_object_new_int(s->pid));
		json_object_object_add(js, "command", json_object_new_string(s->comm));
		json_object_object_add(js, "fd", json_object_new_int(s->fd));
		json_object_object_add(js, "session", json_u64_obj(s->id));
		json_object_object_add(js, "admin", json_object_new_boolean(s->admin));
		json_object_object_add(js, "nr_ops", json_object_new_int64(s->nr_ops));
		ops = json_object_new_array();
		for (j = 0; j < s->n; j++) {
			const struct vdsw_fdinfo_op *o = &s->ops[j];

			active += op_active(o);
			jo = json_object_new_object();
			json_object_object_add(jo, "op", json_u64_obj(o->id));
			json_object_object_add(jo, "device", json_object_new_string(o->dev));
			json_object_object_add(jo, "devt", json_object_new_string(o->devt));
			json_object_object_add(jo, "method", json_object_new_string(o->method));
			json_object_object_add(jo, "state", json_object_new_string(o->state));
			json_object_object_add(jo, "pass", json_object_new_string(o->pass));
			json_object_object_add(jo, "phase", json_object_new_string(o->phase));
			json_object_object_add(jo, "bytes_done", json_u64_obj(o->bytes_done));
			json_object_object_add(jo, "bytes_total", json_u64_obj(o->bytes_total));
			json_object_object_add(jo, "percent", json_object_new_int((int)o->percent));
			json_object_object_add(jo, "result", json_object_new_int(o->result));
			json_object_array_add(ops, jo);
		}
		json_object_object_add(js, "ops", ops);
		json_object_array_add(sessions, js);
	}
	json_object_object_add(root, "sessions", sessions);
	json_object_object_add(root, "active_ops", json_object_new_int64((int64_t)active));
	json_object_object_add(root, "complete", json_object_new_boolean(!l->incomplete));
	json_object_object_add(root, "exit_status", json_object_new_int(status));
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(root);
}

static void print_text(const char *misc_dev, const uint64_t *ctr, bool have_ctr,
		       const struct st_list *l)
{
	char b1[32], b2[32], prog_s[80];
	size_t i, j, nops = 0, active = 0;
	int devw = 6;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->s[i].n; j++) {
			int w = (int)strlen(l->s[i].ops[j].dev);

			if (w > devw)
				devw = w;
			nops++;
			active += op_active(&l->s[i].ops[j]);
		}
	}
	printf("module:       loaded (misc device %s)\n", misc_dev);
	if (have_ctr)
		printf("counters:     %" PRIu64 " submitted, %" PRIu64 " done, %" PRIu64
		       " failed, %" PRIu64 " cancelled; %" PRIu64 " queued, %" PRIu64
		       " running; %s written\n", ctr[0], ctr[1], ctr[2], ctr[3], ctr[4],
		       ctr[5], fmt_bytes(ctr[6], b1, sizeof(b1)));
	else
		printf("counters:     unavailable (%s/stats missing: an older module?)\n", MISC_DIR);
	printf("sessions:     %zu open, %zu op%s held, %zu queued or running\n", l->n, nops,
	       nops == 1 ? "" : "s", active);
	if (l->incomplete)
		printf("              (only your own processes: run as root to see every session)\n");
	if (!l->n)
		return;

	printf("\n%7s %-15s %7s %5s %-*s %-8s %-9s %-5s %-6s %s\n", "PID", "COMMAND",
	       "SESSION", "OP", devw, "DEVICE", "METHOD", "STATE", "PASS", "PHASE", "PROGRESS");
	for (i = 0; i < l->n; i++) {
		const struct st_session *s = &l->s[i];

		if (!s->n) {
			printf("%7d %-15s %7" PRIu64 " %5s %-*s %-8s %-9s %-5s %-6s %s\n",
			       (int)s->pid, s->comm, s->id, "-", devw, "-", "-", "(no op)",
			       "-", "-", "-");
			continue;
		}
		for (j = 0; j < s->n; j++) {
			const struct vdsw_fdinfo_op *o = &s->ops[j];

			snprintf(prog_s, sizeof(prog_s), "%3u%%  %s of %s", o->percent,
				 fmt_bytes(o->bytes_done, b1, sizeof(b1)),
				 fmt_bytes(o->bytes_total, b2, sizeof(b2)));
			if (o->result && strcmp(o->state, "cancelled"))
				snprintf(prog_s + strlen(prog_s), sizeof(prog_s) - strlen(prog_s),
					 "  (%s)", strerrorname_np(-o->result) ?
					 strerrorname_np(-o->result) : "error");
			printf("%7d %-15s %7" PRIu64 " %5" PRIu64 " %-*s %-8s %-9s %-5s %-6s %s\n",
			       (int)s->pid, s->comm, s->id, o->id, devw, o->dev, o->method,
			       o->state, o->pass, o->phase, prog_s);
		}
	}
}

int cmd_status(int argc, char **argv)
{
	struct st_list l = { 0 };
	uint64_t ctr[NR_COUNTERS] = { 0 };
	char misc_dev[32] = "", path[128], buf[64];
	unsigned int maj, min;
	bool json = false, done, loaded, have_ctr = true;
	int ret, status;
	size_t i;

	status = parse_json_only("status", argc, argv, usage_status, &json, &done);
	if (status != EX_OK || done)
		return status;

	loaded = access("/sys/module/vdswipe", F_OK) == 0 &&
		 read_sys(MISC_DIR "/dev", misc_dev, sizeof(misc_dev)) &&
		 sscanf(misc_dev, "%u:%u", &maj, &min) == 2;
	if (!loaded) {
		status = EX_MODULE;
		if (json) {
			print_json(false, NULL, ctr, false, &l, status);
		} else {
			printf("module:       not loaded: nothing is running\n");
		}
		return status;
	}
	for (i = 0; i < NR_COUNTERS; i++) {
		snprintf(path, sizeof(path), MISC_DIR "/stats/%s", counter_names[i]);
		if (!read_sys(path, buf, sizeof(buf))) {
			have_ctr = false;
			break;
		}
		ctr[i] = strtoull(buf, NULL, 10);
	}
	ret = find_sessions(makedev(maj, min), &l);
	if (ret) {
		fprintf(stderr, "%s status: cannot walk /proc: %s\n", prog, strerror(-ret));
		free_list(&l);
		return EX_FAILURE;
	}
	qsort(l.s, l.n, sizeof(*l.s), cmp_session);
	if (json)
		print_json(true, misc_dev, ctr, have_ctr, &l, status);
	else
		print_text(misc_dev, ctr, have_ctr, &l);
	free_list(&l);
	return status;
}
