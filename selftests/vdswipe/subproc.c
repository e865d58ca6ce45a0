// SPDX-License-Identifier: GPL-2.0
/*
 * subproc.c - run a program with its output on pipes (see subproc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "subproc.h"
#include "testlib.h"

void vt_proc_init(struct vt_proc *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->out = p->err = -1;
	p->status = -1;
	p->obuf = calloc(1, 1);
	p->ebuf = calloc(1, 1);
}

void vt_proc_free(struct vt_proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	if (p->out >= 0)
		close(p->out);
	if (p->err >= 0)
		close(p->err);
	free(p->obuf);
	free(p->ebuf);
	p->obuf = p->ebuf = NULL;
	p->pid = -1;
}

int vt_proc_startv(struct vt_proc *p, const char *path, const char *argv0,
		   const struct vt_spawn *sp, const char *const *args)
{
	const char *argv[256];
	int o[2], e[2], in, i;
	sigset_t none;

	argv[0] = argv0;
	for (i = 0; args[i] && i < 254; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		if (sp && sp->new_session)
			setsid();
		in = sp && sp->stdin_fd >= 0 ? sp->stdin_fd :
		     open("/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || dup2(o[1], 1) < 0 ||
		    dup2(sp && sp->merge_stderr ? o[1] : e[1], 2) < 0)
			_exit(126);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (sp && sp->nobody &&
		    (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		     setresuid(65534, 65534, 65534)))
			_exit(125);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	p->out = o[0];
	p->err = e[0];
	if (sp && sp->merge_stderr) {
		close(e[0]);
		p->err = -1;
	}
	return 0;
}

int vt_proc_vstart(struct vt_proc *p, const char *path, const char *argv0,
		   const struct vt_spawn *sp, va_list ap)
{
	const char *args[64];
	int n = 0;

	while (n < 63 && (args[n] = va_arg(ap, const char *)))
		n++;
	args[n] = NULL;
	vt_proc_init(p);
	return vt_proc_startv(p, path, argv0, sp, args);
}

int vt_proc_start(struct vt_proc *p, const char *path, const char *argv0,
		  const struct vt_spawn *sp, ...)
{
	va_list ap;
	int ret;

	va_start(ap, sp);
	ret = vt_proc_vstart(p, path, argv0, sp, ap);
	va_end(ap);
	return ret;
}

void vt_proc_pump(struct vt_proc *p, int timeout_ms)
{
	struct pollfd pfd[2] = {
		{ .fd = p->out, .events = POLLIN },
		{ .fd = p->err, .events = POLLIN },
	};
	char buf[4096];
	int i;

	if (p->out < 0 && p->err < 0)
		return;
	if (poll(pfd, 2, timeout_ms) <= 0)
		return;
	for (i = 0; i < 2; i++) {
		int *fd = i ? &p->err : &p->out;
		char **b = i ? &p->ebuf : &p->obuf;
		size_t *len = i ? &p->elen : &p->olen;
		ssize_t n;

		if (*fd < 0 ||
		    !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(*fd, buf, sizeof(buf));
		if (n <= 0) {
			close(*fd);
			*fd = -1;
			continue;
		}
		*b = realloc(*b, *len + (size_t)n + 1);
		memcpy(*b + *len, buf, (size_t)n);
		*len += (size_t)n;
		(*b)[*len] = '\0';
	}
}

bool vt_proc_wait_for(struct vt_proc *p, bool on_stderr, const char *needle,
		      int timeout_ms)
{
	uint64_t start = vt_now_ns();

	for (;;) {
		if (strstr(on_stderr ? p->ebuf : p->obuf, needle))
			return true;
		if ((on_stderr ? p->err : p->out) < 0 ||
		    vt_ms_since(start) > (uint64_t)timeout_ms)
			return false;
		vt_proc_pump(p, 50);
	}
}

int vt_proc_finish(struct vt_proc *p, int timeout_ms)
{
	uint64_t start = vt_now_ns();
	int st;

	while ((p->out >= 0 || p->err >= 0) &&
	       vt_ms_since(start) < (uint64_t)timeout_ms)
		vt_proc_pump(p, 100);
	if (p->out >= 0 || p->err >= 0)
		kill(p->pid, SIGKILL);
	while (waitpid(p->pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	p->pid = -1;
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
	return p->status;
}
