/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib_content.h - device content: fill, check, snapshot.
 * Included by testlib.h: the tests include that, and the conventions
 * written there hold here too.
 */
#ifndef VDSWIPE_TESTLIB_CONTENT_H
#define VDSWIPE_TESTLIB_CONTENT_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Device content (all O_DIRECT)                                      */
/* ------------------------------------------------------------------ */

/* Fill [@off, @off + @len) of @path with @byte. 0 or -errno. */
int vt_fill(const char *path, uint64_t off, uint64_t len, uint8_t byte);
/*
 * Fill [@off, @off + @len) with the position-dependent pseudo-random data
 * vt_seed_byte(@seed, position) (so any byte can be checked later without
 * keeping a copy). 0 or -errno.
 */
int vt_fill_seeded(const char *path, uint64_t off, uint64_t len,
		   uint64_t seed);
/* The byte vt_fill_seeded() writes at device offset @pos. */
uint8_t vt_seed_byte(uint64_t seed, uint64_t pos);
/*
 * Check that every byte of [@off, @off + @len) equals @byte. Returns 0 when
 * it does, 1 when not (then *@bad, if non-NULL, is the first differing
 * offset), or -errno.
 */
int vt_check_fill(const char *path, uint64_t off, uint64_t len, uint8_t byte,
		  uint64_t *bad);
/*
 * Write the @len bytes of @buf at device offset @off (any alignment: the
 * enclosing blocks are read, patched and written back with O_DIRECT).
 * 0 or -errno.
 */
int vt_write_bytes(const char *path, uint64_t off, const void *buf,
		   size_t len);
/* Same for data written by vt_fill_seeded(). */
int vt_check_seeded(const char *path, uint64_t off, uint64_t len,
		    uint64_t seed, uint64_t *bad);
/*
 * Read [@off, @off + @len) into a new buffer (free() it). NULL on error,
 * with errno set.
 */
void *vt_snapshot(const char *path, uint64_t off, uint64_t len);
/*
 * Compare [@off, @off + @len) of @path with @snap (a vt_snapshot() of the
 * same range): 0 when equal, 1 when not (*@bad = first differing offset),
 * -errno on error.
 */
int vt_compare_snapshot(const char *path, uint64_t off, uint64_t len,
			const void *snap, uint64_t *bad);

#endif /* VDSWIPE_TESTLIB_CONTENT_H */
