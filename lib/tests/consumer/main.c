// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* Uses the installed headers (<vdswipe/vdswipe.h>, <linux/vdswipe.h>) and library. */
#include <stdio.h>
#include <string.h>
#include <vdswipe/vdswipe.h>

int main(void)
{
	struct vdswipe_version v = { .abi_version = VDSWIPE_ABI_VERSION };
	const char *name = vdsw_hresult_name(VDS_E_CANCEL_TOO_LATE);
	HRESULT hr = vdsw_check_device(NULL, 0, 0, NULL);
	HRESULT op_hr;

	if (!name || strcmp(name, "VDS_E_CANCEL_TOO_LATE") || hr != E_POINTER || v.abi_version != 1)
		return 1;
	/* libvdswipe 1.1 */
	if (VDSW_VERSION_MINOR < 1 || sizeof(struct vdsw_clean_opts) != VDSW_CLEAN_OPTS_SIZE_V2 ||
	    vdsw_async_query_progress(NULL, &op_hr, NULL) != E_POINTER ||
	    vdsw_verify(NULL, "/dev/null", 0, NULL, NULL) != E_POINTER)
		return 1;
	printf("consumer ok: %s\n", name);
	return 0;
}
