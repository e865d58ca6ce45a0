/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * ioc.h - the vdswipe ioctls, one function each.
 *
 * The one place that turns a VDSWIPE_IOC_* call into a C call: libvdswipe
 * and the selftests' helpers both use it. Each function takes the session
 * fd (an open of /dev/vdswipe) and returns 0 or -errno. Nothing more: no
 * retry (a wait interrupted by a signal returns -EINTR), no allocation, no
 * state, nothing beyond libc and <linux/vdswipe.h>.
 *
 * The ioctls whose struct is all input and output of the caller (VERSION,
 * CLEAN, SANITIZE) take the struct as it is, unchanged and unchecked (a
 * test may pass a bad pointer on purpose). The others build their struct
 * from the arguments; QUERY and PROGRESS zero @st / @p and set its op_id
 * before the call.
 */
#ifndef VDSW_IOC_H
#define VDSW_IOC_H

#include <stdint.h>
#include <linux/vdswipe.h>

/* VDSWIPE_IOC_VERSION into @ver. */
int vdsw_ioc_version(int session, struct vdswipe_version *ver);
/* VDSWIPE_IOC_CLEAN with @c as given; fills its op_id and bytes_total. */
int vdsw_ioc_clean(int session, struct vdswipe_clean *c);
/* VDSWIPE_IOC_SANITIZE with @z as given; fills its op_id and byte counts. */
int vdsw_ioc_sanitize(int session, struct vdswipe_sanitize *z);
/* VDSWIPE_IOC_QUERY of @op_id into @st. */
int vdsw_ioc_query(int session, uint64_t op_id, struct vdswipe_status *st);
/* VDSWIPE_IOC_PROGRESS of @op_id into @p. */
int vdsw_ioc_progress(int session, uint64_t op_id, struct vdswipe_progress *p);
/* VDSWIPE_IOC_WAIT: absolute CLOCK_MONOTONIC @deadline_ns, or
 * VDSWIPE_WAIT_INFINITE. -ETIMEDOUT at the deadline, -EINTR on a signal. */
int vdsw_ioc_wait(int session, uint64_t op_id, uint64_t deadline_ns);
/* VDSWIPE_IOC_CANCEL. */
int vdsw_ioc_cancel(int session, uint64_t op_id);
/* VDSWIPE_IOC_CANCEL_ALL; on success the count into @cancelled (may be NULL). */
int vdsw_ioc_cancel_all(int session, uint32_t *cancelled);
/* VDSWIPE_IOC_RELEASE. */
int vdsw_ioc_release(int session, uint64_t op_id);

#endif /* VDSW_IOC_H */
