/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for differences between the kernels vdswipe supports
 * (Debian 6.1 LTS and 6.12 LTS). Everything else uses the names below.
 */
#ifndef VDSWIPE_COMPAT_H
#define VDSWIPE_COMPAT_H

#include <linux/version.h>

#endif /* VDSWIPE_COMPAT_H */
