/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * vdswipe/hresult.h - the HRESULT codes libvdswipe returns.
 *
 * Values are those of the Windows SDK (winerror.h, vdserr.h), except
 * libvdswipe's own VDSW_E_* codes. Every name is guarded with #ifndef, so
 * this header can be included after (or before) another Windows-
 * compatibility header such as Wine's winerror.h.
 */
#ifndef VDSWIPE_HRESULT_H
#define VDSWIPE_HRESULT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _HRESULT_DEFINED
#define _HRESULT_DEFINED
typedef int32_t HRESULT;
#endif

/* Layout: S(1) R(1) C(1) N(1) X(1) facility(11) code(16). */
#ifndef SUCCEEDED
#define SUCCEEDED(hr)		(((HRESULT)(hr)) >= 0)
#endif
#ifndef FAILED
#define FAILED(hr)		(((HRESULT)(hr)) < 0)
#endif
#ifndef HRESULT_CODE
#define HRESULT_CODE(hr)	((hr) & 0xFFFF)
#endif
#ifndef HRESULT_FACILITY
#define HRESULT_FACILITY(hr)	(((hr) >> 16) & 0x1FFF)
#endif
#ifndef HRESULT_SEVERITY
#define HRESULT_SEVERITY(hr)	(((hr) >> 31) & 0x1)
#endif
#ifndef FACILITY_NULL
#define FACILITY_NULL		0
#endif
#ifndef FACILITY_ITF
#define FACILITY_ITF		4	/* VDS codes */
#endif
#ifndef FACILITY_WIN32
#define FACILITY_WIN32		7
#endif
#ifndef HRESULT_FROM_WIN32
#define HRESULT_FROM_WIN32(x)	((HRESULT)(x) <= 0 ? ((HRESULT)(x)) : \
	((HRESULT)(((uint32_t)(x) & 0x0000FFFFu) | (FACILITY_WIN32 << 16) | 0x80000000u)))
#endif

/* Win32 error codes libvdswipe converts with HRESULT_FROM_WIN32(). */
#ifndef ERROR_SUCCESS
#define ERROR_SUCCESS			0L
#endif
#ifndef ERROR_ACCESS_DENIED
#define ERROR_ACCESS_DENIED		5L
#endif
#ifndef ERROR_INVALID_HANDLE
#define ERROR_INVALID_HANDLE		6L
#endif
#ifndef ERROR_NOT_ENOUGH_MEMORY
#define ERROR_NOT_ENOUGH_MEMORY		8L
#endif
#ifndef ERROR_TOO_MANY_OPEN_FILES
#define ERROR_TOO_MANY_OPEN_FILES	4L
#endif
#ifndef ERROR_WRITE_PROTECT
#define ERROR_WRITE_PROTECT		19L
#endif
#ifndef ERROR_NOT_READY
#define ERROR_NOT_READY			21L
#endif
#ifndef ERROR_CRC
#define ERROR_CRC			23L
#endif
#ifndef ERROR_SECTOR_NOT_FOUND
#define ERROR_SECTOR_NOT_FOUND		27L
#endif
#ifndef ERROR_WRITE_FAULT
#define ERROR_WRITE_FAULT		29L
#endif
#ifndef ERROR_READ_FAULT
#define ERROR_READ_FAULT		30L
#endif
#ifndef ERROR_GEN_FAILURE
#define ERROR_GEN_FAILURE		31L
#endif
#ifndef ERROR_NOT_SUPPORTED
#define ERROR_NOT_SUPPORTED		50L
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER		87L
#endif
#ifndef ERROR_DISK_FULL
#define ERROR_DISK_FULL			112L
#endif
#ifndef ERROR_BUSY
#define ERROR_BUSY			170L
#endif
#ifndef ERROR_OPERATION_ABORTED
#define ERROR_OPERATION_ABORTED		995L
#endif
#ifndef ERROR_SERVICE_DOES_NOT_EXIST
#define ERROR_SERVICE_DOES_NOT_EXIST	1060L
#endif
#ifndef ERROR_SERVICE_NOT_ACTIVE
#define ERROR_SERVICE_NOT_ACTIVE	1062L
#endif
#ifndef ERROR_DLL_INIT_FAILED
#define ERROR_DLL_INIT_FAILED		1114L
#endif
#ifndef ERROR_IO_DEVICE
#define ERROR_IO_DEVICE			1117L
#endif
#ifndef ERROR_DEVICE_NOT_CONNECTED
#define ERROR_DEVICE_NOT_CONNECTED	1167L
#endif
#ifndef ERROR_CANCELLED
#define ERROR_CANCELLED			1223L
#endif
#ifndef ERROR_TIMEOUT
#define ERROR_TIMEOUT			1460L
#endif

/* Generic codes (winerror.h). */
#ifndef S_OK
#define S_OK				((HRESULT)0x00000000L)
#endif
#ifndef S_FALSE
#define S_FALSE				((HRESULT)0x00000001L)
#endif
#ifndef E_POINTER
#define E_POINTER			((HRESULT)0x80004003UL)
#endif
#ifndef E_ACCESSDENIED
#define E_ACCESSDENIED			((HRESULT)0x80070005UL)
#endif
#ifndef E_OUTOFMEMORY
#define E_OUTOFMEMORY			((HRESULT)0x8007000EUL)
#endif
#ifndef E_INVALIDARG
#define E_INVALIDARG			((HRESULT)0x80070057UL)
#endif

/* Virtual Disk Service codes (vdserr.h), FACILITY_ITF. */
#ifndef VDS_S_DISK_PARTIALLY_CLEANED
#define VDS_S_DISK_PARTIALLY_CLEANED	((HRESULT)0x0004241AL)
#endif
#ifndef VDS_E_NOT_SUPPORTED
#define VDS_E_NOT_SUPPORTED		((HRESULT)0x80042400UL)
#endif
#ifndef VDS_E_OBJECT_NOT_FOUND
#define VDS_E_OBJECT_NOT_FOUND		((HRESULT)0x80042405UL)
#endif
#ifndef VDS_E_OPERATION_PENDING
#define VDS_E_OPERATION_PENDING		((HRESULT)0x80042409UL)
#endif
#ifndef VDS_E_OPERATION_DENIED
#define VDS_E_OPERATION_DENIED		((HRESULT)0x8004240AUL)
#endif
#ifndef VDS_E_CANCEL_TOO_LATE
#define VDS_E_CANCEL_TOO_LATE		((HRESULT)0x8004240CUL)
#endif
#ifndef VDS_E_OPERATION_CANCELED
#define VDS_E_OPERATION_CANCELED	((HRESULT)0x8004240DUL)
#endif
#ifndef VDS_E_NO_MEDIA
#define VDS_E_NO_MEDIA			((HRESULT)0x80042412UL)
#endif
#ifndef VDS_E_DEVICE_IN_USE
#define VDS_E_DEVICE_IN_USE		((HRESULT)0x80042413UL)
#endif
#ifndef VDS_E_INCOMPATIBLE_FILE_SYSTEM
#define VDS_E_INCOMPATIBLE_FILE_SYSTEM	((HRESULT)0x80042425UL)
#endif
#ifndef VDS_E_INCOMPATIBLE_MEDIA
#define VDS_E_INCOMPATIBLE_MEDIA	((HRESULT)0x80042426UL)
#endif
#ifndef VDS_E_ACCESS_DENIED
#define VDS_E_ACCESS_DENIED		((HRESULT)0x80042427UL)
#endif
#ifndef VDS_E_MEDIA_WRITE_PROTECTED
#define VDS_E_MEDIA_WRITE_PROTECTED	((HRESULT)0x80042428UL)
#endif
#ifndef VDS_E_IO_ERROR
#define VDS_E_IO_ERROR			((HRESULT)0x8004242BUL)
#endif
#ifndef VDS_E_TIMEOUT
#define VDS_E_TIMEOUT			((HRESULT)0x8004245FUL)
#endif
#ifndef VDS_E_DISK_IS_READ_ONLY
#define VDS_E_DISK_IS_READ_ONLY		((HRESULT)0x8004280BUL)
#endif

/*
 * libvdswipe's own code, FACILITY_ITF outside VDS's range (0x80042xxx):
 * read-back verification found blocks that do not hold what was written
 * (the kernel's -EBADMSG). See Documentation/vdswipe/hresult.rst.
 */
#ifndef VDSW_E_VERIFY_MISMATCH
#define VDSW_E_VERIFY_MISMATCH		((HRESULT)0x8004F001UL)
#endif

/* VDS_ASYNC_OUTPUT_TYPE of a clean. */
#ifndef VDS_ASYNC_OUTPUT_CLEAN
#define VDS_ASYNC_OUTPUT_CLEAN		11
#endif

/*
 * The symbolic name of a code, e.g. "VDS_E_CANCEL_TOO_LATE", or for a
 * converted Win32 error "HRESULT_FROM_WIN32(ERROR_IO_DEVICE)".
 * NULL for a code libvdswipe does not know. Never fails otherwise.
 */
const char *vdsw_hresult_name(HRESULT hr);

/*
 * One sentence describing the code (the VDS documentation's text where it
 * has one). "Unknown HRESULT." for a code libvdswipe does not know; never NULL.
 */
const char *vdsw_hresult_message(HRESULT hr);

#ifdef __cplusplus
}
#endif

#endif /* VDSWIPE_HRESULT_H */
