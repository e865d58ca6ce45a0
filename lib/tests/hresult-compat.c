// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * hresult.h after another Windows-compatibility header (as Wine's
 * winerror.h would define them): no redefinition, same values.
 */
#include <stdint.h>

typedef int32_t HRESULT;
#define _HRESULT_DEFINED
#define S_OK			((HRESULT)0)
#define E_INVALIDARG		((HRESULT)0x80070057)
#define SUCCEEDED(stat)		((HRESULT)(stat) >= 0)
#define HRESULT_FROM_WIN32(x)	((HRESULT)(x) <= 0 ? ((HRESULT)(x)) : ((HRESULT)(((x) & 0x0000FFFF) | (7 << 16) | 0x80000000)))
#define ERROR_INVALID_HANDLE	6
#define FACILITY_ITF		4

#include "test.h"

int main(void)
{
	CHECK(SUCCEEDED(S_OK));
	CHECK((unsigned)E_INVALIDARG == 0x80070057u);
	CHECK((unsigned)HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE) == 0x80070006u);
	CHECK(FAILED(VDS_E_CANCEL_TOO_LATE));
	CHECK(HRESULT_FACILITY(VDS_E_CANCEL_TOO_LATE) == FACILITY_ITF);
	CHECK(!strcmp(vdsw_hresult_name(E_INVALIDARG), "E_INVALIDARG"));
	return test_report("hresult-compat");
}
