/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib_int.h - what the testlib*.c files share among themselves; the
 * tests include testlib.h, never this.
 */
#ifndef VDSWIPE_TESTLIB_INT_H
#define VDSWIPE_TESTLIB_INT_H

#include <stdbool.h>

/* Alignment of O_DIRECT buffers, and the size of the MBR block written. */
#define VT_ALIGN	4096

/* True when @path exists. */
bool vt_path_exists(const char *path);

#endif /* VDSWIPE_TESTLIB_INT_H */
