/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib_session.h - sessions of /dev/vdswipe and its ioctls.
 * Included by testlib.h: the tests include that, and the conventions
 * written there hold here too.
 */
#ifndef VDSWIPE_TESTLIB_SESSION_H
#define VDSWIPE_TESTLIB_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/vdswipe.h>

/* ------------------------------------------------------------------ */
/* Sessions and ioctls: every wrapper returns 0 or -errno              */
/* ------------------------------------------------------------------ */

/* open("/dev/vdswipe", O_RDWR | O_CLOEXEC | @extra_flags): fd or -errno. */
int vt_session_open_flags(int extra_flags);
static inline int vt_session_open(void) { return vt_session_open_flags(0); }

int vt_version(int session, struct vdswipe_version *ver);
/* Fill @c for a clean of @devfd; everything else zero. */
void vt_clean_init(struct vdswipe_clean *c, int devfd, uint32_t flags,
		   uint32_t method);
/* VDSWIPE_IOC_CLEAN with @c as given (may be a bad pointer on purpose). */
int vt_clean(int session, struct vdswipe_clean *c);
/*
 * Submit a clean; on success stores the new op id in @op_id (may be NULL)
 * and the op's bytes_total in @bytes_total (may be NULL).
 */
int vt_submit(int session, int devfd, uint32_t flags, uint32_t method,
	      uint32_t pattern, uint64_t offset, uint64_t length,
	      uint64_t *op_id, uint64_t *bytes_total);
int vt_query(int session, uint64_t op_id, struct vdswipe_status *st);
/* VDSWIPE_IOC_WAIT with an absolute CLOCK_MONOTONIC deadline (ns). */
int vt_wait(int session, uint64_t op_id, uint64_t deadline_ns);
/* VDSWIPE_IOC_WAIT with a deadline @ms from now. */
int vt_wait_ms(int session, uint64_t op_id, unsigned int ms);
int vt_cancel(int session, uint64_t op_id);
/* VDSWIPE_IOC_CANCEL_ALL; stores the count in @cancelled (may be NULL). */
int vt_cancel_all(int session, uint32_t *cancelled);
int vt_release(int session, uint64_t op_id);

/* True for DONE, FAILED and CANCELLED. */
bool vt_state_ended(uint32_t state);
/* "QUEUED", "RUNNING", ... or "?". */
const char *vt_state_name(uint32_t state);

/*
 * Poll VDSWIPE_IOC_QUERY (every ~1 ms) until the op is RUNNING with
 * bytes_done >= @min_bytes, or has ended, or @timeout_ms passed. Fills @st
 * with the last status. Returns 0 when running with enough progress,
 * -ESRCH when the op ended first, -ETIMEDOUT, or the query's -errno.
 */
int vt_wait_progress(int session, uint64_t op_id, uint64_t min_bytes,
		     unsigned int timeout_ms, struct vdswipe_status *st);
/* Wait (up to @timeout_ms) for the op to end, then query it into @st. */
int vt_finish(int session, uint64_t op_id, unsigned int timeout_ms,
	      struct vdswipe_status *st);

#endif /* VDSWIPE_TESTLIB_SESSION_H */
