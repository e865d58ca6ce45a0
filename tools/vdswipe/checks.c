// SPDX-License-Identifier: GPL-2.0
/*
 * checks.c - what the tool checks itself before it asks the kernel:
 * the device exists and is a block device, neither it nor a partition of it
 * (nor, for a partition, its whole disk) is mounted, used as swap or held by
 * device-mapper/md, and it is not read-only. Then, for vdswipe clean,
 * verify and discard, each device's checks in turn, the library's
 * signature checks, and the confirmation (typing the device's name).
 *
 * These checks give a clear message naming the mount point; the kernel
 * makes its own (EBUSY when claimed, EROFS), which also cover mounts in other
 * mount namespaces that /proc/self/mountinfo does not show.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "clean.h"

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
	if (!arg[0]) {
		snprintf(why, len, "empty device path");
		return VDS_E_OBJECT_NOT_FOUND;
	}
	if (stat(arg, &st) < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return errno == EACCES ? VDS_E_ACCESS_DENIED : VDS_E_OBJECT_NOT_FOUND;
	}
	if (!S_ISBLK(st.st_mode)) {
		snprintf(why, len, "not a block device");
		return VDS_E_INCOMPATIBLE_MEDIA;
	}
	d->rdev = d->disk = st.st_rdev;
	sysdir(d->rdev, dir, sizeof(dir));
	n = readlink(dir, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(why, len, "no device behind %u:%u (%s)",
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
		snprintf(why, len, "no media (size 0)");
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
			snprintf(why, len, "mounted on %s (%s); unmount it first",
				 mnt, fstype ? fstype : "?");
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
			snprintf(why, len, "in use as swap; swapoff it first");
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
				snprintf(why, len, "held by /dev/%s (device-mapper or md); remove that first",
					 de->d_name);
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
	snprintf(why, len, "read-only (/sys/class/block/%s/ro is 1; blockdev --setrw clears a software read-only flag)",
		 d->name);
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

/* ------------------------------------------------------------ clean, verify, discard */

/* E_FAIL: only if a refusal had no device to blame (cannot happen) */
#define E_ABORT_NOT_STARTED	((HRESULT)0x80004005UL)

/* --record's name for this device: %n is its kernel name, %% a %. */
static bool record_path(const char *pat, const struct device *d, char *out, size_t len)
{
	size_t n = 0;
	const char *p;
	int k;

	for (p = pat; *p; p++) {
		if (p[0] == '%' && (p[1] == 'n' || p[1] == '%')) {
			k = snprintf(out + n, len - n, "%s", p[1] == 'n' ? d->name : "%");
			p++;
		} else {
			k = snprintf(out + n, len - n, "%c", *p);
		}
		if (k < 0 || (size_t)k >= len - n)
			return false;
		n += (size_t)k;
	}
	return true;
}

/* ------------------------------------------------------------ checks */

/* Fill the range of the clean from the options, for one device. */
static HRESULT job_range(const struct opts *o, struct job *j)
{
	struct vdsw_clean_opts *c = &j->copts;

	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	if (o->discard) {
		c->method = VDSWIPE_METHOD_DISCARD;
	} else if (o->nr_passes > 1 || o->verify != VDSWIPE_VERIFY_OFF) {
		/* VDSWIPE_IOC_SANITIZE */
		c->nr_passes = o->nr_passes ? o->nr_passes : 1;
		if (o->nr_passes)
			memcpy(c->passes, o->passes, sizeof(c->passes));
		else
			c->passes[0].method = VDSWIPE_METHOD_ZERO;
		c->verify = o->verify;
		c->sample_pct = o->verify != VDSWIPE_VERIFY_OFF ? o->sample_pct : 0;
	} else if (o->nr_passes == 1) {
		/* one pass, no verification: VDSWIPE_IOC_CLEAN as before */
		c->method = o->passes[0].method;
		c->pattern = o->passes[0].pattern;
	} else {
		c->method = VDSWIPE_METHOD_ZERO;
	}
	if (o->secure)
		c->flags |= VDSW_CLEAN_SECURE;
	if (!o->have_offset && !o->have_length)
		return S_OK;
	c->flags |= VDSW_CLEAN_RANGE;
	c->offset = o->have_offset ? o->offset : 0;
	if (c->offset >= j->dev.size) {
		snprintf(j->detail, sizeof(j->detail), "--offset %" PRIu64 " is not inside the device (%" PRIu64 " bytes)",
			 c->offset, j->dev.size);
		return E_INVALIDARG;
	}
	c->length = o->have_length ? o->length : j->dev.size - c->offset;
	if (c->length > j->dev.size - c->offset) {
		snprintf(j->detail, sizeof(j->detail), "the range %" PRIu64 "+%" PRIu64 " ends past the end of the device (%" PRIu64 " bytes)",
			 c->offset, c->length, j->dev.size);
		return E_INVALIDARG;
	}
	if (j->dev.lbs && (c->offset % j->dev.lbs || c->length % j->dev.lbs)) {
		snprintf(j->detail, sizeof(j->detail), "--offset and --length must be multiples of the logical block size (%u bytes)",
			 j->dev.lbs);
		return E_INVALIDARG;
	}
	return S_OK;
}

static void describe_probe(const struct vdsw_probe_info *p, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (p->pttype[0])
		n += (size_t)snprintf(buf + n, len - n, "%s partition table", p->pttype);
	if (n < len && (p->data_partitions || p->oem_partitions))
		n += (size_t)snprintf(buf + n, len - n, "%s%u partition%s%s", n ? ", " : "",
				      p->data_partitions + p->oem_partitions,
				      p->data_partitions + p->oem_partitions == 1 ? "" : "s",
				      p->oem_partitions ? " (some OEM)" : "");
	if (n < len && p->fstype[0])
		n += (size_t)snprintf(buf + n, len - n, "%s%s signature", n ? ", " : "", p->fstype);
	if (n < len && (p->flags & VDSW_PROBE_OEM_ENTRY))
		n += (size_t)snprintf(buf + n, len - n, "%san OEM partition", n ? ", " : "");
	if (!n)
		snprintf(buf, len, "nothing recognised (no partition table, no filesystem signature)");
}

void refuse(struct run *r, struct job *j, HRESULT hr, const char *why)
{
	j->state = JOB_REFUSED;
	j->hr = hr;
	if (why != j->detail)
		snprintf(j->detail, sizeof(j->detail), "%s", why);
	if (r->o->json)
		report_end_json(j);
	else
		hr_report(stderr, j->dev.arg, hr, j->detail);
}

/*
 * After a refusal: the devices that passed their checks are not started
 * either (nothing is written unless every device passes). Each still gets
 * its end event, with the HRESULT that stopped the command.
 */
void not_started(struct run *r)
{
	const struct job *cause = NULL;
	unsigned int i;

	for (i = 0; i < r->n && !cause; i++)
		if (r->jobs[i].state == JOB_REFUSED)
			cause = &r->jobs[i];
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		if (j->state != JOB_NEW)
			continue;
		j->state = JOB_REFUSED;
		j->collateral = true;
		j->hr = cause ? cause->hr : E_ABORT_NOT_STARTED;
		snprintf(j->detail, sizeof(j->detail), "not started: %s was refused, so nothing was %s",
			 !cause ? "another device" : cause->dev.arg[0] ? cause->dev.arg :
			 "the empty device path", r->o->discard ? "discarded" : "cleaned");
		if (r->o->json)
			report_end_json(j);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, j->dev.arg, j->detail);
	}
}

/* Create the record's temporary file now: if it cannot be written, nothing starts. */
static HRESULT job_record_open(struct run *r, struct job *j, char *why, size_t len)
{
	unsigned int k;
	int fd;

	if (!record_path(r->o->record, &j->dev, j->record, sizeof(j->record))) {
		snprintf(why, len, "--record: the file name is too long");
		return E_INVALIDARG;
	}
	for (k = 0; k < r->n; k++) {
		if (&r->jobs[k] != j && r->jobs[k].record[0] && !strcmp(r->jobs[k].record, j->record)) {
			snprintf(why, len, "--record: %.300s is the record of %.100s too; put %%n in the name",
				 j->record, r->jobs[k].dev.arg);
			return E_INVALIDARG;
		}
	}
	fd = record_open(j->record, j->record_tmp, sizeof(j->record_tmp));
	if (fd < 0) {
		snprintf(why, len, "--record: cannot create %.300s: %s", j->record_tmp, strerror(-fd));
		return fd == -EACCES || fd == -EPERM || fd == -EROFS ? E_ACCESSDENIED : E_INVALIDARG;
	}
	j->record_fd = fd;
	return S_OK;
}

/* Everything before the session: devices, ranges, in use, read-only. */
int check_devices(struct run *r)
{
	unsigned int i, k;
	char why[512];
	int status = EX_OK;
	HRESULT hr;

	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		why[0] = '\0';
		hr = dev_resolve(j->dev.arg, &j->dev, why, sizeof(why));
		for (k = 0; hr == S_OK && k < i; k++) {
			if (r->jobs[k].state == JOB_NEW && dev_overlap(&r->jobs[k].dev, &j->dev)) {
				snprintf(why, sizeof(why), "%s and %s are the same disk, or one is a partition of the other: one clean per disk at a time",
					 r->jobs[k].dev.arg, j->dev.arg);
				hr = VDS_E_DEVICE_IN_USE;
			}
		}
		/* reading is harmless: verify only needs the device */
		if (hr == S_OK && !r->o->verify_only)
			hr = dev_check_in_use(&j->dev, why, sizeof(why));
		if (hr == S_OK && !r->o->verify_only)
			hr = dev_check_writable(&j->dev, why, sizeof(why));
		if (hr == S_OK) {
			hr = job_range(r->o, j);
			if (hr != S_OK)
				snprintf(why, sizeof(why), "%s", j->detail);
		}
		if (hr == S_OK && r->o->record)
			hr = job_record_open(r, j, why, sizeof(why));
		if (hr != S_OK) {
			refuse(r, j, hr, why);
			if (status == EX_OK)
				status = hr_exit_class(hr);
		}
	}
	return status;
}

/* The library's safety checks (libblkid), before asking anyone. */
int check_signatures(struct run *r)
{
	char what[256], why[768];
	int status = EX_OK;
	unsigned int i;
	HRESULT hr;

	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		hr = vdsw_check_device(j->dev.arg, r->o->force, r->o->force_oem, &j->probe);
		if (hr == S_OK)
			continue;
		/* With both force flags nothing found could refuse the clean, and
		 * libvdswipe does not read the device either: a device that cannot
		 * be read (failing) may still be cleaned. */
		if (r->o->force && r->o->force_oem) {
			memset(&j->probe, 0, sizeof(j->probe));
			j->probe_failed = true;
			continue;
		}
		if (hr == VDS_E_OPERATION_DENIED) {
			describe_probe(&j->probe, what, sizeof(what));
			snprintf(why, sizeof(why), "it holds %s; give %s to %s it anyway",
				 what,
				 (j->probe.flags & VDSW_PROBE_NEED_FORCE) && !r->o->force ?
				 ((j->probe.flags & VDSW_PROBE_NEED_FORCE_OEM) && !r->o->force_oem ?
				  "--force --force-oem" : "--force") : "--force-oem",
				 r->o->discard ? "discard" : "clean");
		} else {
			snprintf(why, sizeof(why), "%s", vdsw_last_error());
		}
		refuse(r, j, hr, why);
		if (status == EX_OK)
			status = hr_exit_class(hr);
	}
	return status;
}

static void describe_action(const struct opts *o, const struct job *j, char *buf, size_t len)
{
	char a[32], b[32];
	const struct vdsw_clean_opts *c = &j->copts;
	const char *what;
	char pat[300], list[256];

	if (o->discard) {
		what = o->secure ? "securely erased" : "discarded";
	} else if (o->nr_passes > 1) {
		snprintf(pat, sizeof(pat), "overwritten %u times (%s)", o->nr_passes,
			 passes_list(o, list, sizeof(list)));
		what = pat;
	} else if (o->nr_passes && o->passes[0].method == VDSWIPE_METHOD_PATTERN) {
		snprintf(pat, sizeof(pat), "overwritten with 0x%02x", o->passes[0].pattern);
		what = pat;
	} else if (o->nr_passes && o->passes[0].method == VDSWIPE_METHOD_RANDOM) {
		what = "overwritten with random data";
	} else {
		what = "overwritten with zeros";
	}
	if (c->flags & VDSW_CLEAN_RANGE)
		snprintf(buf, len, "%s bytes %" PRIu64 " to %" PRIu64 " (%s) will be %s",
			 o->full || o->discard ? "every byte of" : "the first and last MiB of",
			 c->offset, c->offset + c->length - 1, fmt_bytes(c->length, a, sizeof(a)),
			 what);
	else if (o->full || o->discard)
		snprintf(buf, len, "every byte (%s) will be %s", fmt_bytes(j->dev.size, a, sizeof(a)), what);
	else
		snprintf(buf, len, "the first and the last MiB (of %s) will be %s",
			 fmt_bytes(j->dev.size, b, sizeof(b)), what);
}

/* Ask for each device's name. EX_OK when all were confirmed. */
int confirm(struct run *r)
{
	char what[256], action[700], line[512];
	unsigned int i;
	size_t n;

	if (r->o->yes)
		return EX_OK;
	if (!isatty(STDIN_FILENO)) {
		for (i = 0; i < r->n; i++)
			refuse(r, &r->jobs[i], TOOL_HR_NOT_CONFIRMED,
			       "not confirmed: standard input is not a terminal, so nobody can type the device name; give --yes to go ahead without asking");
		return EX_REFUSED;
	}
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];
		const char *typed;

		if (j->probe_failed)
			snprintf(what, sizeof(what), "unknown: it could not be read");
		else
			describe_probe(&j->probe, what, sizeof(what));
		describe_action(r->o, j, action, sizeof(action));
		fprintf(stderr, "\n%s (%s, %s%s): %s.\n", j->dev.arg, j->dev.name,
			j->dev.is_partition ? "a partition, " : "a whole disk, ",
			fmt_bytes(j->dev.size, line, sizeof(line)), action);
		fprintf(stderr, "It holds: %s.\n", what);
		fprintf(stderr, "Type the device name (%s) to %s it, anything else to stop: ",
			j->dev.name, r->o->discard ? "discard" : "clean");
		fflush(stderr);
		if (!fgets(line, sizeof(line), stdin))
			line[0] = '\0';
		n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		typed = line;
		while (*typed == ' ')
			typed++;
		if (*typed && (!strcmp(typed, j->dev.name) || !strcmp(typed, j->dev.node) ||
			       !strcmp(typed, j->dev.arg)))
			continue;
		fprintf(stderr, "\n");
		for (i = 0; i < r->n; i++) {
			char why[600];

			snprintf(why, sizeof(why), "not confirmed: '%s' is not %s; nothing was %s",
				 typed, r->jobs[i].dev.name, r->o->discard ? "discarded" : "cleaned");
			refuse(r, &r->jobs[i], TOOL_HR_NOT_CONFIRMED, why);
		}
		return EX_REFUSED;
	}
	fprintf(stderr, "\n");
	return EX_OK;
}
