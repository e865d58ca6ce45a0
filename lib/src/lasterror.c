// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* lasterror.c - the per-thread detail behind vdsw_last_error(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* The only mutable state of the library outside sessions: like dlerror(). */
static _Thread_local char vdsw_errbuf[512];

void vdsw__err_clear(void)
{
	vdsw_errbuf[0] = '\0';
}

bool vdsw__err_isset(void)
{
	return vdsw_errbuf[0] != '\0';
}

int vdsw__err(int ret, const char *fmt, ...)
{
	va_list ap;

	if (vdsw_errbuf[0])
		return ret;
	va_start(ap, fmt);
	vsnprintf(vdsw_errbuf, sizeof(vdsw_errbuf), fmt, ap);
	va_end(ap);
	return ret;
}

const char *vdsw__errno_name(int err)
{
	const char *name = err ? strerrorname_np(err) : "0";

	return name ? name : "an unknown errno";
}

const char *vdsw_last_error(void)
{
	return vdsw_errbuf;
}
