/* SPDX-License-Identifier: GPL-2.0 */
/*
 * subproc.h - run a program as a child with its stdout and stderr on pipes,
 * read what it prints while it runs, send it signals, reap it.
 *
 *	struct vt_proc p;
 *
 *	vt_proc_init(&p);
 *	if (vt_proc_start(&p, "/usr/local/bin/prog", "prog", NULL,
 *			  "--help", NULL))
 *		...
 *	vt_proc_wait_for(&p, false, "ready", 5000);	// on its stdout
 *	kill(p.pid, SIGINT);
 *	status = vt_proc_finish(&p, 60000);	// p.obuf, p.ebuf: the output
 *	vt_proc_free(&p);
 *
 * Like the rest of testlib, nothing here uses the kselftest harness.
 */
#ifndef VDSWIPE_SUBPROC_H
#define VDSWIPE_SUBPROC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct vt_proc {
	pid_t pid;		/* -1 once reaped */
	int out, err;		/* read ends, -1 once at EOF */
	char *obuf, *ebuf;	/* all it printed so far, NUL-terminated */
	size_t olen, elen;
	int status;		/* exit status; 1000 + signal if killed */
};

/* How to start the child. NULL means the defaults (all zero but stdin). */
struct vt_spawn {
	int stdin_fd;		/* >= 0: this fd, else /dev/null */
	bool new_session;	/* setsid() first (for a pty on stdin) */
	bool nobody;		/* setresuid/setresgid(65534) before exec */
	bool merge_stderr;	/* stderr into obuf too, in the order written */
};

/* Empty buffers, no child. */
void vt_proc_init(struct vt_proc *p);
/* Kill (SIGKILL) and reap a child still running; free the buffers. */
void vt_proc_free(struct vt_proc *p);
/*
 * Fork and exec @path with argv[0] @argv0 and then @args (NULL-terminated,
 * up to 254), stdin as @sp says, stdout and stderr on pipes (or one pipe
 * for both with @sp->merge_stderr), no signal
 * blocked, SIGINT and SIGTERM at their defaults. @p must have been
 * vt_proc_init()ed. 0 or -errno. An exec that fails exits 127, a child
 * that cannot set up its stdin/stdout/stderr 126, one that cannot become
 * nobody 125.
 */
int vt_proc_startv(struct vt_proc *p, const char *path, const char *argv0,
		   const struct vt_spawn *sp, const char *const *args);
/* vt_proc_init() and vt_proc_startv() with the NULL-terminated arguments
 * in @ap (up to 63). */
int vt_proc_vstart(struct vt_proc *p, const char *path, const char *argv0,
		   const struct vt_spawn *sp, va_list ap);
/* The same with the arguments given, then NULL. */
int vt_proc_start(struct vt_proc *p, const char *path, const char *argv0,
		  const struct vt_spawn *sp, ...);
/* Read what is there, waiting up to @timeout_ms for something. */
void vt_proc_pump(struct vt_proc *p, int timeout_ms);
/* Pump until stdout (or stderr) holds @needle; false at EOF or timeout. */
bool vt_proc_wait_for(struct vt_proc *p, bool on_stderr, const char *needle,
		      int timeout_ms);
/*
 * Read to EOF (SIGKILL after @timeout_ms) and reap: the exit status, also
 * in p->status (1000 + signal if killed), or -1 if waitpid() failed.
 */
int vt_proc_finish(struct vt_proc *p, int timeout_ms);

#endif /* VDSWIPE_SUBPROC_H */
