// SPDX-License-Identifier: GPL-2.0
/*
 * testlib_content.c - device content: fill, check, snapshot, all O_DIRECT
 * (see testlib_content.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "testlib_int.h"

#define VT_IO_CHUNK	(1U << 20)	/* bytes per O_DIRECT read/write */

/* ------------------------------------------------------------- content */

static void *io_buf(size_t len)
{
	void *p;

	if (posix_memalign(&p, VT_ALIGN, len))
		return NULL;
	return p;
}

static uint64_t seed_word(uint64_t seed, uint64_t word)
{
	uint64_t z = seed + word * 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint8_t vt_seed_byte(uint64_t seed, uint64_t pos)
{
	return (uint8_t)(seed_word(seed, pos >> 3) >> ((pos & 7) * 8));
}

static void gen_seeded(uint8_t *buf, uint64_t pos, size_t len, uint64_t seed)
{
	size_t i = 0, k;

	/* unaligned head, then whole 8-byte words, then the tail */
	for (; i < len && ((pos + i) & 7); i++)
		buf[i] = vt_seed_byte(seed, pos + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t z = seed_word(seed, (pos + i) >> 3);

		for (k = 0; k < 8; k++)
			buf[i + k] = (uint8_t)(z >> (k * 8));
	}
	for (; i < len; i++)
		buf[i] = vt_seed_byte(seed, pos + i);
}

/* Write @len bytes at @off; @gen fills each piece. */
static int dev_write(const char *path, uint64_t off, uint64_t len,
		     int byte, const uint64_t *seed)
{
	uint8_t *buf;
	int fd, ret = 0;

	fd = vt_open(path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return fd;
	buf = io_buf(VT_IO_CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	if (!seed)
		memset(buf, byte, VT_IO_CHUNK);
	while (len) {
		size_t n = len < VT_IO_CHUNK ? len : VT_IO_CHUNK;
		ssize_t w;

		if (seed)
			gen_seeded(buf, off, n, *seed);
		w = pwrite(fd, buf, n, off);
		if (w < 0) {
			ret = -errno;
			break;
		}
		if (w == 0) {
			ret = -ENOSPC;
			break;
		}
		off += w;
		len -= w;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	free(buf);
	close(fd);
	return ret;
}

int vt_fill(const char *path, uint64_t off, uint64_t len, uint8_t byte)
{
	return dev_write(path, off, len, byte, NULL);
}

int vt_fill_seeded(const char *path, uint64_t off, uint64_t len,
		   uint64_t seed)
{
	return dev_write(path, off, len, 0, &seed);
}

/*
 * Read [@off, @off + @len) piecewise; for each piece compare with the
 * expected bytes: @byte, vt_seed_byte(*@seed, ...), or @snap.
 */
static int dev_compare(const char *path, uint64_t off, uint64_t len,
		       int byte, const uint64_t *seed, const uint8_t *snap,
		       uint64_t *bad)
{
	uint8_t *buf, *exp;
	uint64_t pos = off;
	int fd, ret = 0;

	fd = vt_open(path, O_RDONLY | O_DIRECT);
	if (fd < 0)
		return fd;
	buf = io_buf(VT_IO_CHUNK);
	exp = io_buf(VT_IO_CHUNK);
	if (!buf || !exp) {
		ret = -ENOMEM;
		goto out;
	}
	if (!seed && !snap)
		memset(exp, byte, VT_IO_CHUNK);
	while (pos < off + len) {
		uint64_t left = off + len - pos;
		size_t n = left < VT_IO_CHUNK ? left : VT_IO_CHUNK;
		const uint8_t *e = exp;
		ssize_t r;
		size_t i;

		r = pread(fd, buf, n, pos);
		if (r < 0) {
			ret = -errno;
			break;
		}
		if ((size_t)r != n) {
			ret = -EIO;
			break;
		}
		if (seed)
			gen_seeded(exp, pos, n, *seed);
		else if (snap)
			e = snap + (pos - off);
		if (memcmp(buf, e, n)) {
			for (i = 0; i < n && buf[i] == e[i]; i++)
				;
			if (bad)
				*bad = pos + i;
			ret = 1;
			break;
		}
		pos += n;
	}
out:
	free(buf);
	free(exp);
	close(fd);
	return ret;
}

int vt_write_bytes(const char *path, uint64_t off, const void *buf,
		   size_t len)
{
	uint64_t start = off & ~(uint64_t)(VT_ALIGN - 1);
	uint64_t end = (off + len + VT_ALIGN - 1) & ~(uint64_t)(VT_ALIGN - 1);
	size_t n = end - start;
	uint8_t *blk;
	int fd, ret = 0;

	fd = vt_open(path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return fd;
	blk = io_buf(n);
	if (!blk) {
		close(fd);
		return -ENOMEM;
	}
	if (pread(fd, blk, n, start) != (ssize_t)n)
		ret = errno ? -errno : -EIO;
	if (!ret) {
		memcpy(blk + (off - start), buf, len);
		if (pwrite(fd, blk, n, start) != (ssize_t)n)
			ret = errno ? -errno : -EIO;
		else if (fsync(fd))
			ret = -errno;
	}
	free(blk);
	close(fd);
	return ret;
}

int vt_check_fill(const char *path, uint64_t off, uint64_t len, uint8_t byte,
		  uint64_t *bad)
{
	return dev_compare(path, off, len, byte, NULL, NULL, bad);
}

int vt_check_seeded(const char *path, uint64_t off, uint64_t len,
		    uint64_t seed, uint64_t *bad)
{
	return dev_compare(path, off, len, 0, &seed, NULL, bad);
}

void *vt_snapshot(const char *path, uint64_t off, uint64_t len)
{
	uint8_t *snap;
	uint64_t done = 0;
	int fd, err = 0;

	fd = vt_open(path, O_RDONLY | O_DIRECT);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	snap = io_buf(len ? len : VT_ALIGN);
	if (!snap) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (done < len) {
		uint64_t left = len - done;
		size_t n = left < VT_IO_CHUNK ? left : VT_IO_CHUNK;
		ssize_t r = pread(fd, snap + done, n, off + done);

		if (r <= 0) {
			err = r < 0 ? errno : EIO;
			break;
		}
		done += r;
	}
	close(fd);
	if (err) {
		free(snap);
		errno = err;
		return NULL;
	}
	return snap;
}

int vt_compare_snapshot(const char *path, uint64_t off, uint64_t len,
			const void *snap, uint64_t *bad)
{
	return dev_compare(path, off, len, 0, NULL, snap, bad);
}
