/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * vdswipe/vdswipe.h - libvdswipe, the userspace side of /dev/vdswipe.
 *
 * Cleans (wipes) block devices asynchronously, with the contract of the
 * Windows Virtual Disk Service: vdsw_clean() is IVdsAdvancedDisk::Clean,
 * struct vdsw_async is IVdsAsync (Cancel, Wait, QueryStatus), and
 * vdsw_session_cancel_all() is the session-wide IPortableDeviceService::Cancel.
 *
 * Every function returns an HRESULT (see vdswipe/hresult.h). An operation
 * has two: the call's own, and the op's (through an out parameter).
 * After a failed call, vdsw_last_error() gives a sentence of detail.
 *
 * Threads: every function is thread-safe. As with WPD, a cancel-all acts on
 * the whole session, so a program whose threads must not cancel each
 * other's cleans gives each thread its own session.
 */
#ifndef VDSWIPE_VDSWIPE_H
#define VDSWIPE_VDSWIPE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vdswipe.h>
#include <vdswipe/hresult.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VDSW_VERSION_MAJOR	1
#define VDSW_VERSION_MINOR	1

struct vdsw_session;	/* one open of /dev/vdswipe */
struct vdsw_async;	/* one clean op: IVdsAsync */

/* struct vdsw_session_opts.flags */
#define VDSW_SESSION_NO_LOAD	(1U << 0)	/* never load the module */

/* Size of the first version of struct vdsw_session_opts (24 on LP64). */
#define VDSW_SESSION_OPTS_SIZE_V1 \
	(offsetof(struct vdsw_session_opts, reserved) + sizeof(uint32_t))

/* Options of vdsw_session_open(); NULL means defaults. */
struct vdsw_session_opts {
	uint32_t size;		/* sizeof(struct vdsw_session_opts) */
	uint32_t flags;		/* VDSW_SESSION_* */
	const char *ko_path;	/* module file to load; NULL: $VDSWIPE_KO, then
				 * the installed module tree (modprobe) */
	uint32_t node_timeout_ms; /* wait for /dev/vdswipe after loading;
				   * 0: 2000 ms */
	uint32_t reserved;	/* zero */
};

/*
 * Open a session (an fd of /dev/vdswipe). Loads the vdswipe module first if
 * the node is missing and the caller has CAP_SYS_MODULE. opts may be NULL.
 * Module missing: HRESULT_FROM_WIN32(ERROR_SERVICE_DOES_NOT_EXIST) (nothing
 * to load) or HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE) (may not load it).
 */
HRESULT vdsw_session_open(const struct vdsw_session_opts *opts,
			  struct vdsw_session **sessp);

/*
 * Close a session: cancels its ops (the kernel does so), waits for calls
 * running in other threads on it to return, and closes the fd. Async
 * handles stay valid for vdsw_async_release() only.
 */
HRESULT vdsw_session_close(struct vdsw_session *sess);

/*
 * IPortableDeviceService::Cancel: cancel every op of the session. *cancelled
 * (may be NULL) receives how many this call cancelled.
 */
HRESULT vdsw_session_cancel_all(struct vdsw_session *sess, uint32_t *cancelled);

/* The session fd, for poll/epoll (POLLIN: a completion event is queued). -1 if sess is NULL. */
int vdsw_session_fd(const struct vdsw_session *sess);

/*
 * Read one completion event, waiting up to timeout_ms (0: do not wait,
 * < 0: forever). op_hr (may be NULL) receives the op's HRESULT.
 */
HRESULT vdsw_session_read_event(struct vdsw_session *sess, int timeout_ms,
				struct vdswipe_event *ev, HRESULT *op_hr);

/* VDSWIPE_IOC_VERSION: the module's ABI version, features and limits. */
HRESULT vdsw_session_version(struct vdsw_session *sess,
			     struct vdswipe_version *ver);

/* struct vdsw_clean_opts.flags */
#define VDSW_CLEAN_RANGE	(1U << 0)	/* only [offset, offset + length) */
#define VDSW_CLEAN_SECURE	(1U << 1)	/* VDSWIPE_METHOD_DISCARD: secure erase */
#define VDSW_CLEAN_FLAGS_ALL	(VDSW_CLEAN_RANGE | VDSW_CLEAN_SECURE)

/* Size of the first version of struct vdsw_clean_opts. */
#define VDSW_CLEAN_OPTS_SIZE_V1	32
/* Size of the second (libvdswipe 1.1: passes and verification). */
#define VDSW_CLEAN_OPTS_SIZE_V2	112

/*
 * Options of a clean; NULL means: VDSWIPE_METHOD_ZERO, the whole device.
 * A caller that sets size to VDSW_CLEAN_OPTS_SIZE_V1 gets the clean of
 * libvdswipe 1.0 (VDSWIPE_IOC_CLEAN), whatever this library's version.
 */
struct vdsw_clean_opts {
	uint32_t size;		/* sizeof(struct vdsw_clean_opts) */
	uint32_t flags;		/* VDSW_CLEAN_* */
	uint32_t method;	/* VDSWIPE_METHOD_ZERO, _PATTERN, _DISCARD or
				 * _RANDOM; 0 when nr_passes is not 0 */
	uint32_t pattern;	/* VDSWIPE_METHOD_PATTERN: the byte (0-255) */
	uint64_t offset;	/* VDSW_CLEAN_RANGE: first byte */
	uint64_t length;	/* VDSW_CLEAN_RANGE: bytes */
	/* VDSW_CLEAN_OPTS_SIZE_V2 (libvdswipe 1.1) */
	uint32_t nr_passes;	/* 0: one pass of method/pattern; else
				 * 1..VDSWIPE_MAX_PASSES passes[] */
	uint32_t verify;	/* VDSWIPE_VERIFY_OFF, _LAST or _ALL */
	uint32_t sample_pct;	/* with verify: 1..100 (0: 100), the share
				 * of chunks read back; without: 0 */
	uint32_t reserved0;	/* zero */
	struct vdswipe_pass passes[VDSWIPE_MAX_PASSES]; /* ZERO, PATTERN or
				 * RANDOM; entries from nr_passes on zero */
};

/*
 * IVdsAdvancedDisk::Clean on the block device at path (opened O_WRONLY).
 * force: even with partitions or a filesystem signature; force_oem: even
 * with OEM partitions; full_clean: every byte, else the first and last MiB.
 * opts may be NULL. Errors found before the op exists come back here.
 */
HRESULT vdsw_clean(struct vdsw_session *sess, const char *path, int force,
		   int force_oem, int full_clean,
		   const struct vdsw_clean_opts *opts, struct vdsw_async **asyncp);

/* vdsw_clean() on an fd the caller opened for writing (it stays the caller's). */
HRESULT vdsw_clean_fd(struct vdsw_session *sess, int fd, int force,
		      int force_oem, int full_clean,
		      const struct vdsw_clean_opts *opts,
		      struct vdsw_async **asyncp);

/* Size of the first version of struct vdsw_verify_opts (libvdswipe 1.1). */
#define VDSW_VERIFY_OPTS_SIZE_V1	40

/* Options of a verification; NULL means: zeros, the whole device, every chunk. */
struct vdsw_verify_opts {
	uint32_t size;		/* sizeof(struct vdsw_verify_opts) */
	uint32_t flags;		/* VDSW_CLEAN_RANGE */
	uint32_t method;	/* what the region must hold: VDSWIPE_METHOD_ZERO
				 * or _PATTERN */
	uint32_t pattern;	/* VDSWIPE_METHOD_PATTERN: the byte (0-255) */
	uint64_t offset;	/* VDSW_CLEAN_RANGE: first byte */
	uint64_t length;	/* VDSW_CLEAN_RANGE: bytes */
	uint32_t sample_pct;	/* 1..100 (0: 100), the share of chunks read */
	uint32_t reserved;	/* zero */
};

/*
 * Verify, without writing, that the block device at path (opened O_RDONLY)
 * holds zeros or a pattern: a VDSWIPE_SANITIZE_VERIFY_ONLY op, waited for
 * and cancelled like a clean. full_clean: every byte, else the first and
 * last MiB. A mismatch ends the op with VDSW_E_VERIFY_MISMATCH. libvdswipe 1.1.
 */
HRESULT vdsw_verify(struct vdsw_session *sess, const char *path, int full_clean,
		    const struct vdsw_verify_opts *opts,
		    struct vdsw_async **asyncp);

/* vdsw_verify() on an fd the caller opened for reading (it stays the caller's). */
HRESULT vdsw_verify_fd(struct vdsw_session *sess, int fd, int full_clean,
		       const struct vdsw_verify_opts *opts,
		       struct vdsw_async **asyncp);

/*
 * VDS_ASYNC_OUTPUT of a clean, filled by the wait functions. error: the
 * positive errno of the op's result whenever the op ended other than DONE
 * (ECANCELED when CANCELLED, the I/O errno when FAILED); 0 only when it
 * ended DONE, or has not ended yet (VDS_E_TIMEOUT: QUEUED or RUNNING).
 */
struct vdsw_async_output {
	uint32_t type;		/* VDS_ASYNC_OUTPUT_CLEAN */
	uint32_t state;		/* VDSWIPE_STATE_* */
	int32_t error;		/* errno of the op's end unless DONE, see above */
	uint32_t percent;	/* as vdsw_async_query_status() */
	uint64_t bytes_done;
	uint64_t bytes_total;
	uint64_t error_offset;	/* first failing offset, or ~0 */
	uint64_t reserved[3];	/* zero */
};

/*
 * IVdsAsync::Cancel. S_OK: cancelled, the op will never write again.
 * VDS_E_CANCEL_TOO_LATE, VDS_E_OPERATION_CANCELED, VDS_E_NOT_SUPPORTED otherwise.
 */
HRESULT vdsw_async_cancel(struct vdsw_async *async);

/*
 * IVdsAsync::Wait: block until the op ends. Returns the call's HRESULT;
 * op_hr receives the op's, out (may be NULL) its output.
 */
HRESULT vdsw_async_wait(struct vdsw_async *async, HRESULT *op_hr,
			struct vdsw_async_output *out);

/* vdsw_async_wait() for at most timeout_ms (< 0: forever); VDS_E_TIMEOUT then. */
HRESULT vdsw_async_wait_ms(struct vdsw_async *async, int timeout_ms,
			   HRESULT *op_hr, struct vdsw_async_output *out);

/* vdsw_async_wait() until an absolute CLOCK_MONOTONIC time in ns
 * (VDSWIPE_WAIT_INFINITE: forever); VDS_E_TIMEOUT then. */
HRESULT vdsw_async_wait_until(struct vdsw_async *async, uint64_t deadline_ns,
			      HRESULT *op_hr, struct vdsw_async_output *out);

/*
 * IVdsAsync::QueryStatus, never blocks. op_hr: VDS_E_OPERATION_PENDING while
 * queued or running, else the op's result; percent (may be NULL): 0-99
 * while running, 100 when done.
 */
HRESULT vdsw_async_query_status(struct vdsw_async *async, HRESULT *op_hr,
				uint32_t *percent);

/* Size of the first version of struct vdsw_async_progress (libvdswipe 1.1). */
#define VDSW_ASYNC_PROGRESS_SIZE_V1	144

/*
 * Where an op stands, pass by pass: struct vdswipe_progress. The caller sets
 * size; the library fills that many bytes (at most its own struct's, the
 * rest zero) and sets size to the bytes it filled.
 */
struct vdsw_async_progress {
	uint32_t size;		/* in: sizeof(struct vdsw_async_progress) */
	uint32_t state;		/* VDSWIPE_STATE_* */
	int32_t error;		/* as struct vdsw_async_output.error */
	uint32_t percent;	/* of all passes and verification: 0-99 while
				 * queued or running, 100 when done */
	uint32_t nr_passes;
	uint32_t pass;		/* the current pass, 1-based (0 while queued) */
	uint32_t phase;		/* VDSWIPE_PHASE_* */
	uint32_t method;	/* of the current (or last) pass */
	uint32_t verify;	/* VDSWIPE_VERIFY_* of the op */
	uint32_t sample_pct;	/* as submitted (0 without verification) */
	uint32_t block_size;	/* logical block size: the mismatch unit */
	uint32_t reserved0;	/* zero */
	uint64_t bytes_done;	/* written and read back (monotonic) */
	uint64_t bytes_total;
	uint64_t bytes_written;	/* all passes */
	uint64_t bytes_verified; /* read back and compared */
	uint64_t verify_total;	/* bytes the verification will read */
	uint64_t mismatch_blocks; /* blocks that did not hold what was written */
	uint64_t first_mismatch; /* device offset of the first, or ~0 */
	uint64_t error_offset;	/* first failed write or read, or ~0 */
	uint64_t reserved[4];	/* zero */
};

/*
 * vdsw_async_query_status() with the detail of passes and verification,
 * never blocks. op_hr receives the op's HRESULT, out (size set) where it
 * stands. libvdswipe 1.1.
 */
HRESULT vdsw_async_query_progress(struct vdsw_async *async, HRESULT *op_hr,
				  struct vdsw_async_progress *out);

/* The op's id, as in struct vdswipe_event.op_id; 0 if async is NULL. */
uint64_t vdsw_async_op_id(const struct vdsw_async *async);

/*
 * Free the handle (always, unless async is NULL). S_OK: the kernel dropped
 * the ended op. S_FALSE: the op has not ended; the kernel keeps it, running,
 * until the session closes.
 */
HRESULT vdsw_async_release(struct vdsw_async *async);

/* struct vdsw_probe_info.flags */
#define VDSW_PROBE_PTABLE	(1U << 0)	/* a partition table */
#define VDSW_PROBE_SIGNATURE	(1U << 1)	/* a filesystem (or other) signature */
#define VDSW_PROBE_AMBIGUOUS	(1U << 2)	/* several signatures or partition tables */
#define VDSW_PROBE_OEM_ENTRY	(1U << 3)	/* the target is itself an OEM partition */
#define VDSW_PROBE_NEED_FORCE	(1U << 4)	/* a clean needs force */
#define VDSW_PROBE_NEED_FORCE_OEM (1U << 5)	/* a clean needs force_oem */

/* What the safety checks found. */
struct vdsw_probe_info {
	uint32_t flags;			/* VDSW_PROBE_* */
	uint32_t data_partitions;	/* partitions that need force */
	uint32_t oem_partitions;	/* partitions that need force_oem */
	uint32_t reserved0;		/* zero */
	char pttype[16];		/* "dos", "gpt", ..., "ambiguous" or "" */
	char fstype[32];		/* "ext4", "swap", ..., "ambiguous" or "" */
	uint64_t reserved[4];		/* zero */
};

/*
 * The safety checks of vdsw_clean(), alone: probe path (a block device or a
 * regular file, opened read-only) with libblkid. S_OK: a clean with these
 * force flags may go ahead; VDS_E_OPERATION_DENIED: it would be refused.
 * info (may be NULL) receives the findings either way.
 */
HRESULT vdsw_check_device(const char *path, int force, int force_oem,
			  struct vdsw_probe_info *info);

/* vdsw_check_device() on an open fd (reopened read-only, not moved). */
HRESULT vdsw_check_fd(int fd, int force, int force_oem,
		      struct vdsw_probe_info *info);

/*
 * A sentence of detail about this thread's last libvdswipe call that
 * returned an HRESULT: why it failed, "" if it succeeded.
 */
const char *vdsw_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* VDSWIPE_VDSWIPE_H */
