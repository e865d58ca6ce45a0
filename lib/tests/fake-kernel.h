/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * fake-kernel.h - a stand-in for /dev/vdswipe in the host tests, following
 * Documentation/userspace-api/vdswipe.rst. The library's ioctl() and
 * vdsw__module_open() are redirected here with ld --wrap; each session is a
 * pipe whose read end the library polls and reads events from.
 */
#ifndef VDSW_FAKE_KERNEL_H
#define VDSW_FAKE_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/vdswipe.h>

#define FAKE_MAX_OPS	64

struct fake_op {
	bool used;
	int session;
	uint64_t id;
	uint32_t state, method;
	int32_t result;
	bool flushing;
	uint64_t bytes_done, bytes_total, error_offset;
	/* VDSWIPE_IOC_PROGRESS; a CLEAN op is one pass, verify OFF, and its
	 * bytes_written follows bytes_done */
	bool sanitize;
	uint32_t nr_passes, pass, phase, verify, sample_pct;
	uint64_t bytes_written, bytes_verified, verify_total;
	uint64_t mismatch_blocks, first_mismatch;
};

/* Tests set these between calls (under fake.lock when threads run). */
struct fake {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* an op ended or was released */
	bool admin;			/* CAP_SYS_ADMIN */
	uint32_t abi;			/* reported abi_version */
	uint64_t features;		/* reported features */
	uint32_t max_ops;
	int open_err;			/* vdsw__module_open() fails with it */
	int clean_err;			/* VDSWIPE_IOC_CLEAN and _SANITIZE fail with it */
	int eintr_waits;		/* this many WAITs return EINTR first */
	unsigned int calls[16];		/* per ioctl nr */
	struct vdswipe_clean last_clean;
	struct vdswipe_sanitize last_sanitize;
	struct fake_op ops[FAKE_MAX_OPS];
};

extern struct fake fake;

/* Reset everything to a kernel that supports everything. */
void fake_reset(void);
/* The op with this id (any session), or NULL. */
struct fake_op *fake_op(uint64_t id);
/* Move a queued/running op on: RUNNING with bytes_done. */
void fake_progress(uint64_t id, uint64_t bytes_done);
/* End an op (DONE, FAILED or CANCELLED) and queue its event. */
void fake_end(uint64_t id, uint32_t state, int32_t result, uint64_t bytes_done);
/* How many ops are held (not released) in all sessions. */
int fake_nr_ops(void);

#endif
