// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * hresult.c - names and descriptions of the codes libvdswipe returns.
 * Texts marked (seed) are those of the IVdsAsync::Cancel documentation.
 */
#include <stddef.h>

#include "vdswipe/hresult.h"

struct vdsw_code {
	HRESULT hr;
	const char *name;
	const char *message;
};

#define W32(x)	HRESULT_FROM_WIN32(ERROR_##x), "HRESULT_FROM_WIN32(ERROR_" #x ")"
#define C(x)	x, #x

static const struct vdsw_code vdsw_codes[] = {
	{ C(S_OK), "The operation succeeded." },
	{ C(S_FALSE), "The call succeeded but did not do everything: the op is still running and stays in the kernel until the session closes." },
	{ C(VDS_S_DISK_PARTIALLY_CLEANED), "The disk is not fully cleaned due to an I/O error: part of it was cleaned before the error." },
	{ C(E_POINTER), "A required pointer argument is NULL or invalid." },
	{ C(E_ACCESSDENIED), "General access denied error." },
	{ C(E_OUTOFMEMORY), "Not enough memory, or the session holds as many ops as it may." },
	{ C(E_INVALIDARG), "One or more arguments are invalid." },
	{ C(VDS_E_NOT_SUPPORTED), "The method is not supported. Neither the basic provider nor the current dynamic provider support this method." /* seed */ },
	{ C(VDS_E_OBJECT_NOT_FOUND), "The object (device or operation) was not found." },
	{ C(VDS_E_OPERATION_PENDING), "The operation is still in progress." },
	{ C(VDS_E_OPERATION_DENIED), "The operation is not permitted on this disk: it holds partitions, a filesystem or OEM partitions and the matching force flag was not given." },
	{ C(VDS_E_CANCEL_TOO_LATE), "The operation has progressed too far to cancel." /* seed */ },
	{ C(VDS_E_OPERATION_CANCELED), "The operation has already been canceled." /* seed */ },
	{ C(VDS_E_NO_MEDIA), "There is no media in the device." },
	{ C(VDS_E_DEVICE_IN_USE), "The device is in use by another clean operation." },
	{ C(VDS_E_INCOMPATIBLE_FILE_SYSTEM), "The file system is incompatible with the specified operation." /* seed */ },
	{ C(VDS_E_INCOMPATIBLE_MEDIA), "The media is incompatible with this operation." /* seed */ },
	{ C(VDS_E_ACCESS_DENIED), "Access is denied. An application using VDS must run under the Backup Operator or Administrators group account." /* seed */ },
	{ C(VDS_E_MEDIA_WRITE_PROTECTED), "The media is write-protected." },
	{ C(VDS_E_IO_ERROR), "An I/O error occurred while reading the device." },
	{ C(VDS_E_TIMEOUT), "The operation timed out." },
	{ C(VDS_E_DISK_IS_READ_ONLY), "The operation is not allowed on a disk that is read-only." },
	{ C(VDSW_E_VERIFY_MISMATCH), "Verification failed: blocks read back from the device do not hold what was written (or what was expected)." },
	{ W32(INVALID_HANDLE), "The handle is invalid: the file descriptor is not open, or the session is closed." },
	{ W32(TOO_MANY_OPEN_FILES), "The system cannot open the file: too many open files." },
	{ W32(NOT_READY), "The device is not ready: the vdswipe module is loaded but its device node did not appear." },
	{ W32(CRC), "Data error (cyclic redundancy check): the device reported a protection error." },
	{ W32(SECTOR_NOT_FOUND), "The drive cannot find the sector requested: the device reported a medium error." },
	{ W32(WRITE_FAULT), "The system cannot write to the specified device: it refused the write (write-protected, or the command was rejected)." },
	{ W32(GEN_FAILURE), "A device attached to the system is not functioning: an unexpected error occurred." },
	{ W32(DISK_FULL), "There is not enough space on the disk." },
	{ W32(SERVICE_DOES_NOT_EXIST), "The vdswipe kernel module is not loaded and no module file to load was found." },
	{ W32(SERVICE_NOT_ACTIVE), "The vdswipe kernel module is not loaded, and this process may not load it." },
	{ W32(DLL_INIT_FAILED), "The vdswipe kernel module could not be loaded: the kernel refused it or its initialisation failed." },
	{ W32(IO_DEVICE), "The request could not be performed because of an I/O device error." },
	{ W32(DEVICE_NOT_CONNECTED), "The device is not connected." },
	{ W32(TIMEOUT), "This operation returned because the timeout period expired: the device did not answer in time." },
};

static const struct vdsw_code *vdsw_code_find(HRESULT hr)
{
	size_t i;

	for (i = 0; i < sizeof(vdsw_codes) / sizeof(vdsw_codes[0]); i++)
		if (vdsw_codes[i].hr == hr)
			return &vdsw_codes[i];
	return NULL;
}

const char *vdsw_hresult_name(HRESULT hr)
{
	const struct vdsw_code *c = vdsw_code_find(hr);

	return c ? c->name : NULL;
}

const char *vdsw_hresult_message(HRESULT hr)
{
	const struct vdsw_code *c = vdsw_code_find(hr);

	return c ? c->message : "Unknown HRESULT.";
}
