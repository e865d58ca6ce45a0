// SPDX-License-Identifier: GPL-2.0
/*
 * testlib.c - the base of the selftests' helpers: time, commands, files
 * (see testlib.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "testlib.h"
#include "testlib_int.h"

/* ---------------------------------------------------------------- time */

uint64_t vt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * VT_NSEC_PER_SEC + ts.tv_nsec;
}

void vt_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t vt_ms_since(uint64_t start_ns)
{
	return (vt_now_ns() - start_ns) / VT_NSEC_PER_MSEC;
}

/* ------------------------------------------------------- commands/files */

int vt_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n, st;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 32, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 32)
		return -1;
	if (!getenv("VT_VERBOSE"))
		strcat(cmd, " >/dev/null 2>&1");
	else
		fprintf(stderr, "# vt_run: %s\n", cmd);
	fflush(stdout);
	fflush(stderr);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int vt_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

int vt_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return n;
}

int vt_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int n;

	n = vt_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

bool vt_path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

unsigned long vt_bad_taint(void)
{
	const unsigned long bad = (1UL << 4) | (1UL << 5) | (1UL << 7) |
				  (1UL << 9) | (1UL << 14);
	uint64_t t;

	if (vt_read_u64("/proc/sys/kernel/tainted", &t))
		return 0;
	return t & bad;
}
