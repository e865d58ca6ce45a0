// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * translate.c - the one errno -> HRESULT table, keyed by (call, errno).
 *
 * Documentation/vdswipe/hresult.rst shows this table; the test
 * tests/doc-table.c keeps the two equal. Rows marked "library" are errors
 * the library finds itself before the kernel sees the call.
 */
#include <string.h>

#include "internal.h"

#define W32(x)	HRESULT_FROM_WIN32(ERROR_##x)
#define ROW(c, e, h, w)		{ VDSW_CALL_##c, 0, e, h, w }
#define IOROW(e, h, w)		{ VDSW_CALL_OP, 1, e, h, w }

static const struct vdsw_xlate vdsw_xlate_table[] = {
	/* vdsw_session_open: /dev/vdswipe and the module (library) */
	ROW(OPEN, 0, S_OK, "session open"),
	ROW(OPEN, ENOENT, W32(SERVICE_DOES_NOT_EXIST),
	    "the vdswipe module is not loaded and no module file was found"),
	ROW(OPEN, ESRCH, W32(SERVICE_NOT_ACTIVE),
	    "the vdswipe module is not loaded and this process may not load it (needs CAP_SYS_MODULE, or VDSW_SESSION_NO_LOAD was given)"),
	ROW(OPEN, ENOEXEC, W32(DLL_INIT_FAILED),
	    "the kernel refused to load the vdswipe module"),
	ROW(OPEN, ETIMEDOUT, W32(NOT_READY),
	    "the vdswipe module is loaded but " VDSW_DEV_PATH " did not appear"),
	ROW(OPEN, EACCES, VDS_E_ACCESS_DENIED, "no permission to open " VDSW_DEV_PATH),
	ROW(OPEN, EPERM, VDS_E_ACCESS_DENIED, "no permission to open " VDSW_DEV_PATH),
	ROW(OPEN, EPROTO, VDS_E_NOT_SUPPORTED,
	    "the loaded vdswipe module has another ABI version"),
	ROW(OPEN, EMFILE, W32(TOO_MANY_OPEN_FILES), "too many open files"),
	ROW(OPEN, ENFILE, W32(TOO_MANY_OPEN_FILES), "too many open files"),
	ROW(OPEN, ENOMEM, E_OUTOFMEMORY, "out of memory"),
	ROW(OPEN, EINVAL, E_INVALIDARG, "bad session options"),

	/* vdsw_session_close */
	ROW(CLOSE, 0, S_OK, "session closed"),
	ROW(CLOSE, EBADF, W32(INVALID_HANDLE), "the session is closed already"),

	/* vdsw_session_version */
	ROW(VERSION, 0, S_OK, "version read"),
	ROW(VERSION, EBADF, W32(INVALID_HANDLE), "the session is closed"),
	ROW(VERSION, ENOTTY, VDS_E_NOT_SUPPORTED, "the device does not know VDSWIPE_IOC_VERSION"),
	ROW(VERSION, EFAULT, E_POINTER, "bad pointer"),

	/* vdsw_clean, vdsw_clean_fd: VDSWIPE_IOC_CLEAN, then the library's own */
	ROW(CLEAN, 0, S_OK, "clean submitted"),
	ROW(CLEAN, EPERM, VDS_E_ACCESS_DENIED, "cleaning needs CAP_SYS_ADMIN"),
	ROW(CLEAN, EACCES, VDS_E_ACCESS_DENIED, "the device is not open for writing, or may not be opened"),
	ROW(CLEAN, EBADF, W32(INVALID_HANDLE), "the fd is not open, or the session is closed"),
	ROW(CLEAN, ENOTBLK, VDS_E_INCOMPATIBLE_MEDIA, "not a block device"),
	ROW(CLEAN, EMEDIUMTYPE, VDS_E_INCOMPATIBLE_MEDIA, "the device is zoned"),
	ROW(CLEAN, ENOMEDIUM, VDS_E_NO_MEDIA, "the device has no media"),
	ROW(CLEAN, EROFS, VDS_E_MEDIA_WRITE_PROTECTED, "the device is read-only"),
	ROW(CLEAN, EOPNOTSUPP, VDS_E_NOT_SUPPORTED, "the device or the module cannot do this method"),
	ROW(CLEAN, EEXIST, VDS_E_DEVICE_IN_USE, "another vdswipe op owns this device, its disk or one of its partitions"),
	ROW(CLEAN, EBUSY, VDS_E_INCOMPATIBLE_FILE_SYSTEM, "the device or one of its partitions is mounted or held exclusively"),
	ROW(CLEAN, ENOTEMPTY, VDS_E_OPERATION_DENIED, "the device holds a partition table or a filesystem signature and force was not given"),
	ROW(CLEAN, EAGAIN, E_OUTOFMEMORY, "the session holds max_ops ops already"),
	ROW(CLEAN, ENOMEM, E_OUTOFMEMORY, "out of memory"),
	ROW(CLEAN, EINVAL, E_INVALIDARG, "invalid clean arguments"),
	ROW(CLEAN, EOVERFLOW, E_INVALIDARG, "the passes and verifications add up to more than 2^64 bytes"),
	ROW(CLEAN, EFAULT, E_POINTER, "bad pointer"),
	ROW(CLEAN, ENOENT, VDS_E_OBJECT_NOT_FOUND, "no such device (library)"),
	ROW(CLEAN, ENOTDIR, VDS_E_OBJECT_NOT_FOUND, "no such device (library)"),
	ROW(CLEAN, ENXIO, VDS_E_OBJECT_NOT_FOUND, "the device node has no device behind it (library)"),
	ROW(CLEAN, EIO, VDS_E_IO_ERROR, "the device could not be read for the safety checks"),
	ROW(CLEAN, EMFILE, W32(TOO_MANY_OPEN_FILES), "too many open files (library)"),
	ROW(CLEAN, ENFILE, W32(TOO_MANY_OPEN_FILES), "too many open files (library)"),

	/* vdsw_async_query_status: VDSWIPE_IOC_QUERY */
	ROW(QUERY, 0, S_OK, "status read"),
	ROW(QUERY, ENOENT, VDS_E_OBJECT_NOT_FOUND, "no such op in this session"),
	ROW(QUERY, EINVAL, E_INVALIDARG, "invalid query arguments"),
	ROW(QUERY, EFAULT, E_POINTER, "bad pointer"),
	ROW(QUERY, EBADF, W32(INVALID_HANDLE), "the session is closed"),

	/* vdsw_async_wait*: VDSWIPE_IOC_WAIT (EINTR is retried) */
	ROW(WAIT, 0, S_OK, "the op has ended"),
	ROW(WAIT, ETIMEDOUT, VDS_E_TIMEOUT, "the deadline passed before the op ended"),
	ROW(WAIT, ENOENT, VDS_E_OBJECT_NOT_FOUND, "no such op in this session, or released while waiting"),
	ROW(WAIT, EINVAL, E_INVALIDARG, "invalid wait arguments"),
	ROW(WAIT, EFAULT, E_POINTER, "bad pointer"),
	ROW(WAIT, EBADF, W32(INVALID_HANDLE), "the session is closed"),
	ROW(WAIT, EOPNOTSUPP, VDS_E_NOT_SUPPORTED, "the module cannot wait (no VDSWIPE_FEAT_WAIT)"),

	/* vdsw_async_cancel: VDSWIPE_IOC_CANCEL */
	ROW(CANCEL, 0, S_OK, "cancelled"),
	ROW(CANCEL, ECANCELED, VDS_E_OPERATION_CANCELED, "the op was cancelled already"),
	ROW(CANCEL, EALREADY, VDS_E_CANCEL_TOO_LATE, "too late: the op is done, failed, or flushing its last data"),
	ROW(CANCEL, EOPNOTSUPP, VDS_E_NOT_SUPPORTED, "this op cannot be cancelled (VDSWIPE_METHOD_DISCARD)"),
	ROW(CANCEL, ENOENT, VDS_E_OBJECT_NOT_FOUND, "no such op in this session"),
	ROW(CANCEL, EPERM, VDS_E_ACCESS_DENIED, "cancelling needs CAP_SYS_ADMIN"),
	ROW(CANCEL, EINVAL, E_INVALIDARG, "invalid cancel arguments"),
	ROW(CANCEL, EFAULT, E_POINTER, "bad pointer"),
	ROW(CANCEL, EBADF, W32(INVALID_HANDLE), "the session is closed"),

	/* vdsw_session_cancel_all: VDSWIPE_IOC_CANCEL_ALL */
	ROW(CANCEL_ALL, 0, S_OK, "cancel-all done"),
	ROW(CANCEL_ALL, EPERM, VDS_E_ACCESS_DENIED, "cancelling needs CAP_SYS_ADMIN"),
	ROW(CANCEL_ALL, EINVAL, E_INVALIDARG, "invalid cancel-all arguments"),
	ROW(CANCEL_ALL, EFAULT, E_POINTER, "bad pointer"),
	ROW(CANCEL_ALL, EBADF, W32(INVALID_HANDLE), "the session is closed"),
	ROW(CANCEL_ALL, EOPNOTSUPP, VDS_E_NOT_SUPPORTED, "the module cannot cancel all (no VDSWIPE_FEAT_CANCEL_ALL)"),

	/* vdsw_async_release: VDSWIPE_IOC_RELEASE; the handle is freed anyway */
	ROW(RELEASE, 0, S_OK, "released"),
	ROW(RELEASE, EBUSY, S_FALSE, "the op has not ended: the kernel keeps it until the session closes"),
	ROW(RELEASE, ENOENT, VDS_E_OBJECT_NOT_FOUND, "no such op in this session"),
	ROW(RELEASE, EPERM, VDS_E_ACCESS_DENIED, "releasing needs CAP_SYS_ADMIN: the kernel keeps the op until the session closes"),
	ROW(RELEASE, EINVAL, E_INVALIDARG, "invalid release arguments"),
	ROW(RELEASE, EFAULT, E_POINTER, "bad pointer"),

	/* vdsw_session_read_event: poll() + read() */
	ROW(EVENT, 0, S_OK, "event read"),
	ROW(EVENT, ETIMEDOUT, VDS_E_TIMEOUT, "no event within the timeout"),
	ROW(EVENT, EBADF, W32(INVALID_HANDLE), "the session is closed"),
	ROW(EVENT, EOPNOTSUPP, VDS_E_NOT_SUPPORTED, "the module has no events (no VDSWIPE_FEAT_EVENTS)"),
	ROW(EVENT, EINVAL, E_INVALIDARG, "invalid read arguments"),
	ROW(EVENT, EFAULT, E_POINTER, "bad pointer"),

	/* vdsw_check_device, vdsw_check_fd: the safety checks (library) */
	ROW(CHECK, 0, S_OK, "a clean with these force flags may go ahead"),
	ROW(CHECK, ENOTEMPTY, VDS_E_OPERATION_DENIED, "a clean with these force flags would be refused"),
	ROW(CHECK, ENOENT, VDS_E_OBJECT_NOT_FOUND, "no such file or device"),
	ROW(CHECK, ENOTDIR, VDS_E_OBJECT_NOT_FOUND, "no such file or device"),
	ROW(CHECK, ENXIO, VDS_E_OBJECT_NOT_FOUND, "the device node has no device behind it"),
	ROW(CHECK, EACCES, VDS_E_ACCESS_DENIED, "no permission to read the device"),
	ROW(CHECK, EPERM, VDS_E_ACCESS_DENIED, "no permission to read the device"),
	ROW(CHECK, EBADF, W32(INVALID_HANDLE), "the fd is not open"),
	ROW(CHECK, ENOTBLK, VDS_E_INCOMPATIBLE_MEDIA, "neither a block device nor a regular file"),
	ROW(CHECK, ENOMEDIUM, VDS_E_NO_MEDIA, "the device has no media"),
	ROW(CHECK, EIO, VDS_E_IO_ERROR, "the device could not be read"),
	ROW(CHECK, ENOMEM, E_OUTOFMEMORY, "out of memory"),
	ROW(CHECK, EINVAL, E_INVALIDARG, "invalid arguments"),
	ROW(CHECK, EMFILE, W32(TOO_MANY_OPEN_FILES), "too many open files"),
	ROW(CHECK, ENFILE, W32(TOO_MANY_OPEN_FILES), "too many open files"),

	/* vdsw_verify, vdsw_verify_fd: VDSWIPE_IOC_SANITIZE with
	 * VDSWIPE_SANITIZE_VERIFY_ONLY, then the library's own */
	ROW(VERIFY, 0, S_OK, "verification submitted"),
	ROW(VERIFY, EPERM, VDS_E_ACCESS_DENIED, "verifying needs CAP_SYS_ADMIN"),
	ROW(VERIFY, EACCES, VDS_E_ACCESS_DENIED, "the device is not open for reading, or may not be opened"),
	ROW(VERIFY, EBADF, W32(INVALID_HANDLE), "the fd is not open, or the session is closed"),
	ROW(VERIFY, ENOTBLK, VDS_E_INCOMPATIBLE_MEDIA, "not a block device"),
	ROW(VERIFY, EMEDIUMTYPE, VDS_E_INCOMPATIBLE_MEDIA, "the device is zoned"),
	ROW(VERIFY, ENOMEDIUM, VDS_E_NO_MEDIA, "the device has no media"),
	ROW(VERIFY, EOPNOTSUPP, VDS_E_NOT_SUPPORTED, "the module cannot verify (no VDSWIPE_FEAT_SANITIZE) or cannot do this method"),
	ROW(VERIFY, EEXIST, VDS_E_DEVICE_IN_USE, "another vdswipe op owns this device, its disk or one of its partitions"),
	ROW(VERIFY, EBUSY, VDS_E_INCOMPATIBLE_FILE_SYSTEM, "the device or one of its partitions is mounted or held exclusively"),
	ROW(VERIFY, EAGAIN, E_OUTOFMEMORY, "the session holds max_ops ops already"),
	ROW(VERIFY, ENOMEM, E_OUTOFMEMORY, "out of memory"),
	ROW(VERIFY, EINVAL, E_INVALIDARG, "invalid verify arguments"),
	ROW(VERIFY, EFAULT, E_POINTER, "bad pointer"),
	ROW(VERIFY, ENOENT, VDS_E_OBJECT_NOT_FOUND, "no such device (library)"),
	ROW(VERIFY, ENOTDIR, VDS_E_OBJECT_NOT_FOUND, "no such device (library)"),
	ROW(VERIFY, ENXIO, VDS_E_OBJECT_NOT_FOUND, "the device node has no device behind it (library)"),
	ROW(VERIFY, EMFILE, W32(TOO_MANY_OPEN_FILES), "too many open files (library)"),
	ROW(VERIFY, ENFILE, W32(TOO_MANY_OPEN_FILES), "too many open files (library)"),

	/* vdsw_async_query_progress: VDSWIPE_IOC_PROGRESS (VDSWIPE_IOC_QUERY
	 * on a module without VDSWIPE_FEAT_SANITIZE) */
	ROW(PROGRESS, 0, S_OK, "progress read"),
	ROW(PROGRESS, ENOENT, VDS_E_OBJECT_NOT_FOUND, "no such op in this session"),
	ROW(PROGRESS, EINVAL, E_INVALIDARG, "invalid progress arguments"),
	ROW(PROGRESS, EFAULT, E_POINTER, "bad pointer"),
	ROW(PROGRESS, EBADF, W32(INVALID_HANDLE), "the session is closed"),

	/* An ended op's result (VDSWIPE_IOC_QUERY, events); the state decides
	 * first: QUEUED/RUNNING -> VDS_E_OPERATION_PENDING. An I/O error
	 * after bytes were written -> VDS_S_DISK_PARTIALLY_CLEANED. */
	ROW(OP, 0, S_OK, "the clean is done"),
	ROW(OP, ECANCELED, VDS_E_OPERATION_CANCELED, "the clean was cancelled"),
	IOROW(EIO, W32(IO_DEVICE), "the device reported an I/O error"),
	IOROW(ENODATA, W32(SECTOR_NOT_FOUND), "medium error"),
	IOROW(EILSEQ, W32(CRC), "protection (integrity) error"),
	IOROW(ETIMEDOUT, W32(TIMEOUT), "the device timed out"),
	IOROW(ENODEV, W32(DEVICE_NOT_CONNECTED), "the device went away"),
	IOROW(ENOSPC, W32(DISK_FULL), "no space left on the device"),
	IOROW(EREMOTEIO, W32(WRITE_FAULT), "the device refused the write (critical target error)"),
	ROW(OP, EBADMSG, VDSW_E_VERIFY_MISMATCH, "verification found blocks that do not hold what was written"),
	ROW(OP, EOPNOTSUPP, VDS_E_NOT_SUPPORTED, "the device rejected the command"),
	ROW(OP, ENOMEM, E_OUTOFMEMORY, "out of memory"),
};

static const char *const vdsw_call_names[VDSW_CALL_NR] = {
	[VDSW_CALL_OPEN] = "OPEN",
	[VDSW_CALL_CLOSE] = "CLOSE",
	[VDSW_CALL_VERSION] = "VERSION",
	[VDSW_CALL_CLEAN] = "CLEAN",
	[VDSW_CALL_QUERY] = "QUERY",
	[VDSW_CALL_WAIT] = "WAIT",
	[VDSW_CALL_CANCEL] = "CANCEL",
	[VDSW_CALL_CANCEL_ALL] = "CANCEL_ALL",
	[VDSW_CALL_RELEASE] = "RELEASE",
	[VDSW_CALL_EVENT] = "EVENT",
	[VDSW_CALL_CHECK] = "CHECK",
	[VDSW_CALL_VERIFY] = "VERIFY",
	[VDSW_CALL_PROGRESS] = "PROGRESS",
	[VDSW_CALL_OP] = "OP",
};

#define VDSW_HR_UNKNOWN	HRESULT_FROM_WIN32(ERROR_GEN_FAILURE)

const struct vdsw_xlate *vdsw__xlate_table(size_t *nr)
{
	*nr = sizeof(vdsw_xlate_table) / sizeof(vdsw_xlate_table[0]);
	return vdsw_xlate_table;
}

const char *vdsw__call_name(enum vdsw_call call)
{
	return (unsigned int)call < VDSW_CALL_NR ? vdsw_call_names[call] : "?";
}

const struct vdsw_xlate *vdsw__xlate_find(enum vdsw_call call, int err)
{
	size_t i, nr;
	const struct vdsw_xlate *t = vdsw__xlate_table(&nr);

	for (i = 0; i < nr; i++)
		if (t[i].call == call && t[i].err == err)
			return &t[i];
	return NULL;
}

HRESULT vdsw__hr(enum vdsw_call call, int ret)
{
	int err = ret < 0 ? -ret : ret;
	const struct vdsw_xlate *row = vdsw__xlate_find(call, err);

	if (!err)
		return S_OK;
	if (!row) {
		vdsw__err(0, "%s: unexpected %s (%s)", vdsw__call_name(call),
			  vdsw__errno_name(err), strerror(err));
		return VDSW_HR_UNKNOWN;
	}
	vdsw__err(0, "%s", row->why);
	return row->hr;
}

/* bytes_written: bytes the op wrote; writes_ended: no write failed (the
 * error came from reading back). */
static HRESULT op_hr(uint32_t state, int32_t result, uint64_t bytes_written,
		     bool writes_ended)
{
	const struct vdsw_xlate *row;

	switch (state) {
	case VDSWIPE_STATE_QUEUED:
	case VDSWIPE_STATE_RUNNING:
		return VDS_E_OPERATION_PENDING;
	case VDSWIPE_STATE_DONE:
		return S_OK;
	case VDSWIPE_STATE_CANCELLED:
		return vdsw__xlate_find(VDSW_CALL_OP, ECANCELED)->hr;
	case VDSWIPE_STATE_FAILED:
		if (result >= 0)	/* FAILED always carries an errno */
			return VDSW_HR_UNKNOWN;
		row = vdsw__xlate_find(VDSW_CALL_OP, -result);
		if (!row || !row->err)
			return VDSW_HR_UNKNOWN;
		if (row->io && bytes_written > 0 && !writes_ended)
			return VDS_S_DISK_PARTIALLY_CLEANED;
		return row->hr;
	default:
		return VDSW_HR_UNKNOWN;
	}
}

HRESULT vdsw__op_hr(uint32_t state, int32_t result, uint64_t bytes_done)
{
	return op_hr(state, result, bytes_done, false);
}

HRESULT vdsw__op_hr_progress(const struct vdswipe_progress *p)
{
	/* Every byte to write was written: a failure then came from the
	 * verification, and the clean itself is whole, not partial. */
	bool writes_ended = p->verify_total && p->bytes_total >= p->verify_total &&
			    p->bytes_written >= p->bytes_total - p->verify_total;

	return op_hr(p->state, p->result, p->bytes_written, writes_ended);
}
