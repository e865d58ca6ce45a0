// SPDX-License-Identifier: GPL-2.0
/*
 * checks.c - what the tool checks itself before it asks the kernel:
 * the device exists and is a block device, neither it nor a partition of it
 * (nor, for a partition, its whole disk) is mounted, used as swap or held by
 * device-mapper/md, and it is not read-only.
 *
 * These checks give a clear message naming the mount point; the kernel
 * makes its own (EBUSY when claimed, EROFS), which also cover mounts in other
 * mount namespaces that /proc/self/mountinfo does not show.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tool.h"

#define MAX_SET	256

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* strncpy that always terminates (truncation is fine for names) */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool parse_devno(const char *s, dev_t *dev)
{
	unsigned int ma, mi;
	char extra;

	if (sscanf(s, "%u:%u%c", &ma, &mi, &extra) != 2)
		return false;
	*dev = makedev(ma, mi);
	return true;
}

static void sysdir(dev_t dev, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/dev/block/%u:%u", major(dev), minor(dev));
}

HRESULT dev_resolve(const char *arg, struct device *d, char *why, size_t len)
{
	char dir[128], path[PATH_MAX], link[PATH_MAX], val[64];
	const char *base;
	struct stat st;
	ssize_t n;

	memset(d, 0, sizeof(*d));
	d->arg = arg;
	if (stat(arg, &st) < 0) {
		snprintf(why, len, "%s: %s", arg, strerror(errno));
		return errno == EACCES ? VDS_E_ACCESS_DENIED : VDS_E_OBJECT_NOT_FOUND;
	}
	if (!S_ISBLK(st.st_mode)) {
		snprintf(why, len, "%s is not a block device", arg);
		return VDS_E_INCOMPATIBLE_MEDIA;
	}
	d->rdev = d->disk = st.st_rdev;
	sysdir(d->rdev, dir, sizeof(dir));
	n = readlink(dir, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(why, len, "%s (%u:%u) has no device behind it (%s)", arg,
			 major(d->rdev), minor(d->rdev), dir);
		return VDS_E_OBJECT_NOT_FOUND;
	}
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	copy_str(d->name, sizeof(d->name), base);
	snprintf(d->node, sizeof(d->node), "/dev/%s", d->name);

	snprintf(path, sizeof(path), "%s/partition", dir);
	d->is_partition = access(path, F_OK) == 0;
	if (d->is_partition) {
		snprintf(path, sizeof(path), "%s/../dev", dir);
		if (!read_line(path, val, sizeof(val)))
			parse_devno(val, &d->disk);
	}
	snprintf(path, sizeof(path), "%s/size", dir);
	if (!read_line(path, val, sizeof(val)))
		d->size = strtoull(val, NULL, 10) * 512;
	snprintf(path, sizeof(path), "%s/ro", dir);
	d->ro = !read_line(path, val, sizeof(val)) && !strcmp(val, "1");
	snprintf(path, sizeof(path), "%s%s/queue/logical_block_size", dir,
		 d->is_partition ? "/.." : "");
	if (!read_line(path, val, sizeof(val)))
		d->lbs = (unsigned int)strtoul(val, NULL, 10);
	if (!d->size) {
		snprintf(why, len, "%s has no media (size 0)", arg);
		return VDS_E_NO_MEDIA;
	}
	return S_OK;
}

/* The devices whose use forbids cleaning d, with their /dev names. */
struct devset {
	dev_t dev[MAX_SET];
	char name[MAX_SET][64];
	unsigned int n;
};

static void set_add(struct devset *s, dev_t dev)
{
	char dir[128], link[PATH_MAX];
	const char *base;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < s->n; i++)
		if (s->dev[i] == dev)
			return;
	if (s->n == MAX_SET)
		return;
	sysdir(dev, dir, sizeof(dir));
	n = readlink(dir, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	s->dev[s->n] = dev;
	copy_str(s->name[s->n], sizeof(s->name[0]), base);
	s->n++;
}

/* A disk's partitions: the subdirectories of its sysfs directory with a
 * "partition" file. */
static void set_add_partitions(struct devset *s, dev_t disk)
{
	char dir[128], path[PATH_MAX], val[64];
	struct dirent *de;
	DIR *dp;
	dev_t dev;

	sysdir(disk, dir, sizeof(dir));
	dp = opendir(dir);
	if (!dp)
		return;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/partition", dir, de->d_name);
		if (access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/%s/dev", dir, de->d_name);
		if (!read_line(path, val, sizeof(val)) && parse_devno(val, &dev))
			set_add(s, dev);
	}
	closedir(dp);
}

static void build_set(const struct device *d, struct devset *s)
{
	s->n = 0;
	set_add(s, d->rdev);
	if (d->is_partition)
		set_add(s, d->disk);	/* the whole disk mounted */
	else
		set_add_partitions(s, d->rdev);
}

/* Undo the octal escapes (\040) of /proc/self/mountinfo, in place. */
static void unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/* Index in s of the device that path (a mount source, a swap file) names. */
static int set_find_path(const struct devset *s, const char *path)
{
	struct stat st;
	unsigned int i;

	if (path[0] != '/' || stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->dev[i] == st.st_rdev)
			return (int)i;
	return -1;
}

static HRESULT check_mounts(const struct devset *s, const struct device *d,
			    char *why, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	HRESULT hr = S_OK;

	if (!f)
		return S_OK;	/* no /proc: the kernel still refuses (EBUSY) */
	while (hr == S_OK && getline(&line, &cap, f) > 0) {
		char *save = NULL, *tok, *mnt = NULL, *fstype = NULL, *source = NULL;
		dev_t dev = 0;
		bool have_dev = false, after_sep = false;
		int field = 0, idx = -1;
		unsigned int i;

		line[strcspn(line, "\n")] = '\0';
		for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
			if (field == 2)
				have_dev = parse_devno(tok, &dev);
			else if (field == 4)
				mnt = tok;
			else if (field > 5 && !after_sep && !strcmp(tok, "-"))
				after_sep = true;
			else if (after_sep && !fstype)
				fstype = tok;
			else if (after_sep && !source)
				source = tok;
		}
		if (!mnt)
			continue;
		unescape(mnt);
		if (source)
			unescape(source);
		for (i = 0; have_dev && i < s->n; i++)
			if (s->dev[i] == dev)
				idx = (int)i;
		if (idx < 0 && source)
			idx = set_find_path(s, source);
		if (idx < 0)
			continue;
		if (s->dev[idx] == d->rdev)
			snprintf(why, len, "%s is mounted on %s (%s); unmount it first",
				 d->arg, mnt, fstype ? fstype : "?");
		else if (d->is_partition)
			snprintf(why, len, "its whole disk /dev/%s is mounted on %s (%s); unmount it first",
				 s->name[idx], mnt, fstype ? fstype : "?");
		else
			snprintf(why, len, "its partition /dev/%s is mounted on %s (%s); unmount it first",
				 s->name[idx], mnt, fstype ? fstype : "?");
		hr = VDS_E_INCOMPATIBLE_FILE_SYSTEM;
	}
	free(line);
	fclose(f);
	return hr;
}

static HRESULT check_swaps(const struct devset *s, const struct device *d,
			   char *why, size_t len)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[PATH_MAX + 128], name[PATH_MAX];
	HRESULT hr = S_OK;
	int idx;

	if (!f)
		return S_OK;
	while (hr == S_OK && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4095s", name) != 1)
			continue;
		unescape(name);
		idx = set_find_path(s, name);
		if (idx < 0)
			continue;
		if (s->dev[idx] == d->rdev)
			snprintf(why, len, "%s is in use as swap; swapoff it first", d->arg);
		else
			snprintf(why, len, "/dev/%s (%s) is in use as swap; swapoff it first",
				 s->name[idx], d->is_partition ? "its whole disk" : "its partition");
		hr = VDS_E_INCOMPATIBLE_FILE_SYSTEM;
	}
	fclose(f);
	return hr;
}

/* dm and md list what they are built on in .../holders. */
static HRESULT check_holders(const struct devset *s, const struct device *d,
			     char *why, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	DIR *dp;

	for (i = 0; i < s->n; i++) {
		sysdir(s->dev[i], dir, sizeof(dir));
		strncat(dir, "/holders", sizeof(dir) - strlen(dir) - 1);
		dp = opendir(dir);
		if (!dp)
			continue;
		while ((de = readdir(dp))) {
			if (de->d_name[0] == '.')
				continue;
			if (s->dev[i] == d->rdev)
				snprintf(why, len, "%s is held by /dev/%s (device-mapper or md); remove that first",
					 d->arg, de->d_name);
			else
				snprintf(why, len, "/dev/%s (%s) is held by /dev/%s (device-mapper or md); remove that first",
					 s->name[i], d->is_partition ? "its whole disk" : "its partition",
					 de->d_name);
			closedir(dp);
			return VDS_E_INCOMPATIBLE_FILE_SYSTEM;
		}
		closedir(dp);
	}
	return S_OK;
}

HRESULT dev_check_in_use(const struct device *d, char *why, size_t len)
{
	struct devset *s = calloc(1, sizeof(*s));
	HRESULT hr;

	if (!s) {
		snprintf(why, len, "out of memory");
		return E_OUTOFMEMORY;
	}
	build_set(d, s);
	hr = check_mounts(s, d, why, len);
	if (hr == S_OK)
		hr = check_swaps(s, d, why, len);
	if (hr == S_OK)
		hr = check_holders(s, d, why, len);
	free(s);
	return hr;
}

HRESULT dev_check_writable(const struct device *d, char *why, size_t len)
{
	if (!d->ro)
		return S_OK;
	snprintf(why, len, "%s is read-only (/sys/class/block/%s/ro is 1; blockdev --setrw clears a software read-only flag)",
		 d->arg, d->name);
	return VDS_E_MEDIA_WRITE_PROTECTED;
}

bool dev_overlap(const struct device *a, const struct device *b)
{
	if (a->rdev == b->rdev)
		return true;
	if (!a->is_partition && b->is_partition && b->disk == a->rdev)
		return true;
	if (a->is_partition && !b->is_partition && a->disk == b->rdev)
		return true;
	return false;
}
