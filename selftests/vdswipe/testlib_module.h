/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib_module.h - the vdswipe module; running with fewer privileges.
 * Included by testlib.h: the tests include that, and the conventions
 * written there hold here too.
 */
#ifndef VDSWIPE_TESTLIB_MODULE_H
#define VDSWIPE_TESTLIB_MODULE_H

#include <stdbool.h>

/* ------------------------------------------------------------------ */
/* The vdswipe module                                                 */
/* ------------------------------------------------------------------ */

/* True when the vdswipe module is loaded (/sys/module/vdswipe exists). */
bool vt_module_loaded(void);
/*
 * modprobe vdswipe with @params (e.g. "max_active=1 chunk_size=262144", or
 * NULL/"" for the defaults) and wait for /dev/vdswipe to appear.
 * 0, -EEXIST if already loaded, -EIO if modprobe failed, -ENODEV if the node
 * did not appear.
 */
int vt_module_load(const char *params);
/* rmmod vdswipe. 0 (also when it was not loaded) or -EBUSY if rmmod failed. */
int vt_module_unload(void);
/* Unload (if loaded) and load with @params. 0 or -errno. */
int vt_module_reload(const char *params);

/* ------------------------------------------------------------------ */
/* Privilege                                                          */
/* ------------------------------------------------------------------ */

enum vt_drop {
	VT_DROP_CAPSET,		/* capset(): clear CAP_SYS_ADMIN, stay uid 0 */
	VT_DROP_SETUID,		/* setresuid/setresgid(65534): lose every cap */
};

/*
 * Fork; in the child drop privileges as @how says, then return fn(arg)'s
 * value (0 or -errno, |errno| < 256) to the parent through the exit status.
 * The child inherits every fd (sessions stay usable). Returns fn's value,
 * or -ECHILD when the child could not drop privileges or crashed.
 */
int vt_run_dropped(enum vt_drop how, int (*fn)(void *arg), void *arg);

#endif /* VDSWIPE_TESTLIB_MODULE_H */
