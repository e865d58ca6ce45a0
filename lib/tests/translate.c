// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The translation table, every row, against the contract written out
 * again here (from Documentation/userspace-api/vdswipe.rst and the issue),
 * both ways: no row missing, no row extra, no value different.
 */
#include <errno.h>

#include "test.h"
#include "../src/internal.h"

#define W32(x)	HRESULT_FROM_WIN32(ERROR_##x)

static const struct want {
	enum vdsw_call call;
	int err;
	HRESULT hr;
} want[] = {
	{ VDSW_CALL_OPEN, 0, S_OK },
	{ VDSW_CALL_OPEN, ENOENT, W32(SERVICE_DOES_NOT_EXIST) },
	{ VDSW_CALL_OPEN, ESRCH, W32(SERVICE_NOT_ACTIVE) },
	{ VDSW_CALL_OPEN, ENOEXEC, W32(DLL_INIT_FAILED) },
	{ VDSW_CALL_OPEN, ETIMEDOUT, W32(NOT_READY) },
	{ VDSW_CALL_OPEN, EACCES, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_OPEN, EPERM, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_OPEN, EPROTO, VDS_E_NOT_SUPPORTED },
	{ VDSW_CALL_OPEN, EMFILE, W32(TOO_MANY_OPEN_FILES) },
	{ VDSW_CALL_OPEN, ENFILE, W32(TOO_MANY_OPEN_FILES) },
	{ VDSW_CALL_OPEN, ENOMEM, E_OUTOFMEMORY },
	{ VDSW_CALL_OPEN, EINVAL, E_INVALIDARG },

	{ VDSW_CALL_CLOSE, 0, S_OK },
	{ VDSW_CALL_CLOSE, EBADF, W32(INVALID_HANDLE) },

	{ VDSW_CALL_VERSION, 0, S_OK },
	{ VDSW_CALL_VERSION, EBADF, W32(INVALID_HANDLE) },
	{ VDSW_CALL_VERSION, ENOTTY, VDS_E_NOT_SUPPORTED },
	{ VDSW_CALL_VERSION, EFAULT, E_POINTER },

	/* CLEAN: the kernel's contract ... */
	{ VDSW_CALL_CLEAN, 0, S_OK },
	{ VDSW_CALL_CLEAN, EPERM, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_CLEAN, EACCES, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_CLEAN, EBADF, W32(INVALID_HANDLE) },
	{ VDSW_CALL_CLEAN, ENOTBLK, VDS_E_INCOMPATIBLE_MEDIA },
	{ VDSW_CALL_CLEAN, EMEDIUMTYPE, VDS_E_INCOMPATIBLE_MEDIA },
	{ VDSW_CALL_CLEAN, ENOMEDIUM, VDS_E_NO_MEDIA },
	{ VDSW_CALL_CLEAN, EROFS, VDS_E_MEDIA_WRITE_PROTECTED },
	{ VDSW_CALL_CLEAN, EOPNOTSUPP, VDS_E_NOT_SUPPORTED },
	{ VDSW_CALL_CLEAN, EEXIST, VDS_E_DEVICE_IN_USE },
	{ VDSW_CALL_CLEAN, EBUSY, VDS_E_INCOMPATIBLE_FILE_SYSTEM },
	{ VDSW_CALL_CLEAN, ENOTEMPTY, VDS_E_OPERATION_DENIED },
	{ VDSW_CALL_CLEAN, EAGAIN, E_OUTOFMEMORY },
	{ VDSW_CALL_CLEAN, ENOMEM, E_OUTOFMEMORY },
	{ VDSW_CALL_CLEAN, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_CLEAN, EOVERFLOW, E_INVALIDARG },
	{ VDSW_CALL_CLEAN, EFAULT, E_POINTER },
	/* ... and the library's own */
	{ VDSW_CALL_CLEAN, ENOENT, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_CLEAN, ENOTDIR, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_CLEAN, ENXIO, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_CLEAN, EIO, VDS_E_IO_ERROR },
	{ VDSW_CALL_CLEAN, EMFILE, W32(TOO_MANY_OPEN_FILES) },
	{ VDSW_CALL_CLEAN, ENFILE, W32(TOO_MANY_OPEN_FILES) },

	{ VDSW_CALL_QUERY, 0, S_OK },
	{ VDSW_CALL_QUERY, ENOENT, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_QUERY, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_QUERY, EFAULT, E_POINTER },
	{ VDSW_CALL_QUERY, EBADF, W32(INVALID_HANDLE) },

	{ VDSW_CALL_WAIT, 0, S_OK },
	{ VDSW_CALL_WAIT, ETIMEDOUT, VDS_E_TIMEOUT },
	{ VDSW_CALL_WAIT, ENOENT, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_WAIT, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_WAIT, EFAULT, E_POINTER },
	{ VDSW_CALL_WAIT, EBADF, W32(INVALID_HANDLE) },
	{ VDSW_CALL_WAIT, EOPNOTSUPP, VDS_E_NOT_SUPPORTED },

	{ VDSW_CALL_CANCEL, 0, S_OK },
	{ VDSW_CALL_CANCEL, ECANCELED, VDS_E_OPERATION_CANCELED },
	{ VDSW_CALL_CANCEL, EALREADY, VDS_E_CANCEL_TOO_LATE },
	{ VDSW_CALL_CANCEL, EOPNOTSUPP, VDS_E_NOT_SUPPORTED },
	{ VDSW_CALL_CANCEL, ENOENT, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_CANCEL, EPERM, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_CANCEL, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_CANCEL, EFAULT, E_POINTER },
	{ VDSW_CALL_CANCEL, EBADF, W32(INVALID_HANDLE) },

	{ VDSW_CALL_CANCEL_ALL, 0, S_OK },
	{ VDSW_CALL_CANCEL_ALL, EPERM, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_CANCEL_ALL, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_CANCEL_ALL, EFAULT, E_POINTER },
	{ VDSW_CALL_CANCEL_ALL, EBADF, W32(INVALID_HANDLE) },
	{ VDSW_CALL_CANCEL_ALL, EOPNOTSUPP, VDS_E_NOT_SUPPORTED },

	{ VDSW_CALL_RELEASE, 0, S_OK },
	{ VDSW_CALL_RELEASE, EBUSY, S_FALSE },
	{ VDSW_CALL_RELEASE, ENOENT, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_RELEASE, EPERM, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_RELEASE, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_RELEASE, EFAULT, E_POINTER },

	{ VDSW_CALL_EVENT, 0, S_OK },
	{ VDSW_CALL_EVENT, ETIMEDOUT, VDS_E_TIMEOUT },
	{ VDSW_CALL_EVENT, EBADF, W32(INVALID_HANDLE) },
	{ VDSW_CALL_EVENT, EOPNOTSUPP, VDS_E_NOT_SUPPORTED },
	{ VDSW_CALL_EVENT, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_EVENT, EFAULT, E_POINTER },

	{ VDSW_CALL_CHECK, 0, S_OK },
	{ VDSW_CALL_CHECK, ENOTEMPTY, VDS_E_OPERATION_DENIED },
	{ VDSW_CALL_CHECK, ENOENT, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_CHECK, ENOTDIR, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_CHECK, ENXIO, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_CHECK, EACCES, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_CHECK, EPERM, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_CHECK, EBADF, W32(INVALID_HANDLE) },
	{ VDSW_CALL_CHECK, ENOTBLK, VDS_E_INCOMPATIBLE_MEDIA },
	{ VDSW_CALL_CHECK, ENOMEDIUM, VDS_E_NO_MEDIA },
	{ VDSW_CALL_CHECK, EIO, VDS_E_IO_ERROR },
	{ VDSW_CALL_CHECK, ENOMEM, E_OUTOFMEMORY },
	{ VDSW_CALL_CHECK, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_CHECK, EMFILE, W32(TOO_MANY_OPEN_FILES) },
	{ VDSW_CALL_CHECK, ENFILE, W32(TOO_MANY_OPEN_FILES) },

	/* VERIFY: SANITIZE with VERIFY_ONLY (the kernel's contract) ... */
	{ VDSW_CALL_VERIFY, 0, S_OK },
	{ VDSW_CALL_VERIFY, EPERM, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_VERIFY, EACCES, VDS_E_ACCESS_DENIED },
	{ VDSW_CALL_VERIFY, EBADF, W32(INVALID_HANDLE) },
	{ VDSW_CALL_VERIFY, ENOTBLK, VDS_E_INCOMPATIBLE_MEDIA },
	{ VDSW_CALL_VERIFY, EMEDIUMTYPE, VDS_E_INCOMPATIBLE_MEDIA },
	{ VDSW_CALL_VERIFY, ENOMEDIUM, VDS_E_NO_MEDIA },
	{ VDSW_CALL_VERIFY, EOPNOTSUPP, VDS_E_NOT_SUPPORTED },
	{ VDSW_CALL_VERIFY, EEXIST, VDS_E_DEVICE_IN_USE },
	{ VDSW_CALL_VERIFY, EBUSY, VDS_E_INCOMPATIBLE_FILE_SYSTEM },
	{ VDSW_CALL_VERIFY, EAGAIN, E_OUTOFMEMORY },
	{ VDSW_CALL_VERIFY, ENOMEM, E_OUTOFMEMORY },
	{ VDSW_CALL_VERIFY, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_VERIFY, EFAULT, E_POINTER },
	/* ... and the library's own */
	{ VDSW_CALL_VERIFY, ENOENT, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_VERIFY, ENOTDIR, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_VERIFY, ENXIO, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_VERIFY, EMFILE, W32(TOO_MANY_OPEN_FILES) },
	{ VDSW_CALL_VERIFY, ENFILE, W32(TOO_MANY_OPEN_FILES) },

	{ VDSW_CALL_PROGRESS, 0, S_OK },
	{ VDSW_CALL_PROGRESS, ENOENT, VDS_E_OBJECT_NOT_FOUND },
	{ VDSW_CALL_PROGRESS, EINVAL, E_INVALIDARG },
	{ VDSW_CALL_PROGRESS, EFAULT, E_POINTER },
	{ VDSW_CALL_PROGRESS, EBADF, W32(INVALID_HANDLE) },

	{ VDSW_CALL_OP, 0, S_OK },
	{ VDSW_CALL_OP, ECANCELED, VDS_E_OPERATION_CANCELED },
	{ VDSW_CALL_OP, EIO, W32(IO_DEVICE) },
	{ VDSW_CALL_OP, ENODATA, W32(SECTOR_NOT_FOUND) },
	{ VDSW_CALL_OP, EILSEQ, W32(CRC) },
	{ VDSW_CALL_OP, ETIMEDOUT, W32(TIMEOUT) },
	{ VDSW_CALL_OP, ENODEV, W32(DEVICE_NOT_CONNECTED) },
	{ VDSW_CALL_OP, ENOSPC, W32(DISK_FULL) },
	{ VDSW_CALL_OP, EREMOTEIO, W32(WRITE_FAULT) },
	{ VDSW_CALL_OP, EBADMSG, VDSW_E_VERIFY_MISMATCH },
	{ VDSW_CALL_OP, EOPNOTSUPP, VDS_E_NOT_SUPPORTED },
	{ VDSW_CALL_OP, ENOMEM, E_OUTOFMEMORY },
};

#define NWANT	(sizeof(want) / sizeof(want[0]))

static void test_rows(void)
{
	const struct vdsw_xlate *t;
	size_t i, j, nr;

	t = vdsw__xlate_table(&nr);
	CHECK(nr == NWANT);
	for (i = 0; i < NWANT; i++) {
		const struct vdsw_xlate *row = vdsw__xlate_find(want[i].call, want[i].err);

		CHECK(row != NULL);
		if (!row) {
			fprintf(stderr, "  missing row %s %s\n", vdsw__call_name(want[i].call),
				vdsw__errno_name(want[i].err));
			continue;
		}
		CHECK_HR(row->hr, want[i].hr);
		CHECK_HR(vdsw__hr(want[i].call, -want[i].err), want[i].hr);
		CHECK(vdsw_hresult_name(row->hr) != NULL);	/* every code named */
		CHECK(row->why && row->why[0]);
		/* a failure leaves a detail, a success does not need one */
		vdsw__err_clear();
		vdsw__hr(want[i].call, -want[i].err);
		CHECK(want[i].err == 0 || vdsw_last_error()[0]);
	}
	for (i = 0; i < nr; i++) {
		for (j = 0; j < NWANT; j++)
			if (want[j].call == t[i].call && want[j].err == t[i].err)
				break;
		CHECK(j < NWANT);
		if (j == NWANT)
			fprintf(stderr, "  extra row %s %s\n", vdsw__call_name(t[i].call),
				vdsw__errno_name(t[i].err));
		for (j = 0; j < i; j++)
			CHECK(t[j].call != t[i].call || t[j].err != t[i].err);
		CHECK(!t[i].io || t[i].call == VDSW_CALL_OP);
	}
}

static void test_unknown(void)
{
	int call;

	/* unknown errnos: ERROR_GEN_FAILURE, never S_OK */
	for (call = 0; call < VDSW_CALL_NR; call++) {
		vdsw__err_clear();
		CHECK_HR(vdsw__hr(call, -EXDEV), HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
		CHECK(strstr(vdsw_last_error(), "EXDEV") != NULL);
		CHECK_HR(vdsw__hr(call, -4000), HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
		CHECK_HR(vdsw__hr(call, 0), S_OK);
	}
	/* EINTR is retried inside wait, never translated */
	CHECK(vdsw__xlate_find(VDSW_CALL_WAIT, EINTR) == NULL);
}

static void test_op_results(void)
{
	static const int io[] = { EIO, ENODATA, EILSEQ, ETIMEDOUT, ENODEV, ENOSPC };
	size_t i;

	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_QUEUED, 0, 0), VDS_E_OPERATION_PENDING);
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_RUNNING, 0, 4096), VDS_E_OPERATION_PENDING);
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_DONE, 0, 4096), S_OK);
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_CANCELLED, -ECANCELED, 0), VDS_E_OPERATION_CANCELED);
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_CANCELLED, -ECANCELED, 1 << 20), VDS_E_OPERATION_CANCELED);
	for (i = 0; i < sizeof(io) / sizeof(io[0]); i++) {
		/* nothing written: the error; something written: partially cleaned */
		CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, -io[i], 0),
			 vdsw__xlate_find(VDSW_CALL_OP, io[i])->hr);
		CHECK(FAILED(vdsw__op_hr(VDSWIPE_STATE_FAILED, -io[i], 0)));
		CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, -io[i], 512), VDS_S_DISK_PARTIALLY_CLEANED);
	}
	/* not I/O errors: never "partially cleaned" */
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, -EOPNOTSUPP, 512), VDS_E_NOT_SUPPORTED);
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, -ENOMEM, 512), E_OUTOFMEMORY);
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, -EOPNOTSUPP, 0), VDS_E_NOT_SUPPORTED);
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, -ENOMEM, 0), E_OUTOFMEMORY);
	/* nonsense from the kernel: a failure, never S_OK */
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, 0, 0), HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, -EXDEV, 512), HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
	CHECK_HR(vdsw__op_hr(0, 0, 0), HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
	CHECK_HR(vdsw__op_hr(99, 0, 0), HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
}

/* A verification mismatch, and the partial rule with PROGRESS's detail. */
static void test_op_progress(void)
{
	struct vdswipe_progress p = {
		.state = VDSWIPE_STATE_FAILED,
		.result = -EBADMSG,
		.bytes_total = 3 << 20,		/* two passes of 1 MiB, one read back */
		.verify_total = 1 << 20,
		.bytes_written = 2 << 20,
		.bytes_verified = 1 << 20,
	};

	/* a mismatch: its own code, a failure, in FACILITY_ITF outside VDS's */
	CHECK_HR(vdsw__op_hr(VDSWIPE_STATE_FAILED, -EBADMSG, 1 << 20), VDSW_E_VERIFY_MISMATCH);
	CHECK_HR(vdsw__op_hr_progress(&p), VDSW_E_VERIFY_MISMATCH);
	CHECK(FAILED(VDSW_E_VERIFY_MISMATCH));
	CHECK(HRESULT_FACILITY(VDSW_E_VERIFY_MISMATCH) == FACILITY_ITF);
	CHECK((VDSW_E_VERIFY_MISMATCH & 0xF000) != 0x2000);	/* not 0x80042xxx */
	CHECK(strcmp(vdsw_hresult_name(VDSW_E_VERIFY_MISMATCH), "VDSW_E_VERIFY_MISMATCH") == 0);
	CHECK(VDSW_E_VERIFY_MISMATCH != vdsw__xlate_find(VDSW_CALL_OP, EILSEQ)->hr);

	/* a read error once everything was written: the verification failed,
	 * the clean is not partial */
	p.result = -EIO;
	p.bytes_verified = 4096;
	CHECK_HR(vdsw__op_hr_progress(&p), HRESULT_FROM_WIN32(ERROR_IO_DEVICE));
	/* a write error in the second pass: partially cleaned */
	p.bytes_written = (1 << 20) + 4096;
	p.bytes_verified = 0;
	CHECK_HR(vdsw__op_hr_progress(&p), VDS_S_DISK_PARTIALLY_CLEANED);
	/* a verification alone that could not read: nothing was cleaned */
	p = (struct vdswipe_progress){ .state = VDSWIPE_STATE_FAILED, .result = -EIO,
		.bytes_total = 1 << 20, .verify_total = 1 << 20, .bytes_verified = 8192,
		.bytes_done = 8192 };
	CHECK_HR(vdsw__op_hr_progress(&p), HRESULT_FROM_WIN32(ERROR_IO_DEVICE));
	/* a CLEAN op (no verification): the 1.0 rule, bytes_written > 0 */
	p = (struct vdswipe_progress){ .state = VDSWIPE_STATE_FAILED, .result = -EIO,
		.bytes_total = 1 << 20, .bytes_written = 1 << 20, .bytes_done = 1 << 20 };
	CHECK_HR(vdsw__op_hr_progress(&p), VDS_S_DISK_PARTIALLY_CLEANED);
	p.bytes_written = 0;
	CHECK_HR(vdsw__op_hr_progress(&p), HRESULT_FROM_WIN32(ERROR_IO_DEVICE));
	p = (struct vdswipe_progress){ .state = VDSWIPE_STATE_RUNNING, .pass = 2,
		.phase = VDSWIPE_PHASE_VERIFY };
	CHECK_HR(vdsw__op_hr_progress(&p), VDS_E_OPERATION_PENDING);
	p.state = VDSWIPE_STATE_DONE;
	CHECK_HR(vdsw__op_hr_progress(&p), S_OK);
	p.state = VDSWIPE_STATE_CANCELLED;
	p.result = -ECANCELED;
	CHECK_HR(vdsw__op_hr_progress(&p), VDS_E_OPERATION_CANCELED);
}

int main(void)
{
	test_rows();
	test_unknown();
	test_op_results();
	test_op_progress();
	return test_report("translate");
}
