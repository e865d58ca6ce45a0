// SPDX-License-Identifier: GPL-2.0
/*
 * record.c - the sanitization record (Documentation/vdswipe/record.rst):
 * a JSON document naming the device, the technique, the verification and
 * the result, with a SHA-256 of its own canonical serialization.
 *
 * Device identity is read from sysfs only, never guessed: a value sysfs
 * does not give is null, and "missing" says why. "sources" names the sysfs
 * file each value came from.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "tool.h"

/* ------------------------------------------------------------ sysfs */

/* copy, truncating (sysfs paths and names fit; never overflows) */
static void copy_trunc(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * A sysfs attribute, whitespace trimmed at both ends (SCSI and NVMe pad
 * their strings with blanks). 0, or -errno; -ENODATA when it is empty.
 */
static int sys_read(const char *path, char *buf, size_t len)
{
	size_t n, s = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	close(fd);
	if (r < 0)
		return -errno;
	n = (size_t)r;
	buf[n] = '\0';
	n = strlen(buf);	/* stop at a NUL, should one be there */
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	while (buf[s] == ' ' || buf[s] == '\t')
		s++;
	memmove(buf, buf + s, n - s + 1);
	return buf[0] ? 0 : -ENODATA;
}

/* SCSI VPD page 0x80 (unit serial number): 4-byte header, then ASCII. */
static int vpd80_serial(const char *path, char *buf, size_t len)
{
	unsigned char raw[260];
	size_t n, plen, s = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, raw, sizeof(raw));
	close(fd);
	if (r < 4 || raw[1] != 0x80)
		return -ENODATA;
	plen = ((size_t)raw[2] << 8) | raw[3];
	if (plen > (size_t)r - 4)
		plen = (size_t)r - 4;
	n = plen < len - 1 ? plen : len - 1;
	memcpy(buf, raw + 4, n);
	buf[n] = '\0';
	n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
	while (buf[s] == ' ')
		s++;
	memmove(buf, buf + s, n - s + 1);
	return buf[0] ? 0 : -ENODATA;
}

struct ident {
	struct json_object *dev;	/* the "device" object being built */
	struct json_object *sources;	/* field -> sysfs path */
	struct json_object *missing;	/* field -> why it is null */
	char disk[PATH_MAX];		/* /sys/block/DISK (resolved) */
	char transport[32];
};

static void id_value(struct ident *id, const char *field, const char *val,
		     const char *source)
{
	json_object_object_add(id->dev, field, json_object_new_string(val));
	json_object_object_add(id->sources, field, json_object_new_string(source));
}

static void id_missing(struct ident *id, const char *field, const char *why)
{
	json_object_object_add(id->dev, field, NULL);
	json_object_object_add(id->missing, field, json_object_new_string(why));
}

/* The first of the candidate attributes (relative to the disk) that exists. */
static bool id_try(struct ident *id, const char *field, const char *const *cands,
		   char *val, size_t len, char *src, size_t srclen)
{
	char path[PATH_MAX + 64];

	for (; *cands; cands++) {
		snprintf(path, sizeof(path), "%s/%s", id->disk, *cands);
		if (sys_read(path, val, len) == 0) {
			snprintf(src, srclen, "%s", path);
			return true;
		}
	}
	(void)field;
	return false;
}

static void id_attr(struct ident *id, const char *field, const char *const *cands,
		    const char *why_missing)
{
	char val[512], src[PATH_MAX + 64];

	if (id_try(id, field, cands, val, sizeof(val), src, sizeof(src)))
		id_value(id, field, val, src);
	else
		id_missing(id, field, why_missing);
}

/* basename of a symlink's target, "" if it is not one */
static void link_base(const char *path, char *out, size_t len)
{
	char link[PATH_MAX];
	const char *b;
	ssize_t n;

	out[0] = '\0';
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return;
	link[n] = '\0';
	b = strrchr(link, '/');
	copy_trunc(out, len, b ? b + 1 : link);
}

static void id_serial(struct ident *id)
{
	static const char *const plain[] = { "device/serial", "serial", NULL };
	char val[512], src[PATH_MAX + 64], path[PATH_MAX + 64];

	/* NVMe (controller), virtio-blk (disk), MMC (device) */
	if (id_try(id, "serial", plain, val, sizeof(val), src, sizeof(src))) {
		id_value(id, "serial", val, src);
		return;
	}
	/* SCSI and ATA behind libata: the unit serial number VPD page */
	snprintf(path, sizeof(path), "%s/device/vpd_pg80", id->disk);
	if (vpd80_serial(path, val, sizeof(val)) == 0) {
		id_value(id, "serial", val, path);
		return;
	}
	id_missing(id, "serial", id->transport[0] ?
		   "the device reports no serial number in sysfs (no serial attribute, no VPD page 0x80)" :
		   "a virtual block device with no hardware behind it has no serial number");
}

/*
 * WWN and EUI-64: the kernel's wwid ("naa.", "eui.", "t10.", "nvme.")
 * and, for NVMe namespaces, the eui and nguid attributes.
 */
static void id_names(struct ident *id)
{
	static const char *const wwid_c[] = { "wwid", "device/wwid", NULL };
	static const char *const eui_c[] = { "eui", NULL };
	static const char *const nguid_c[] = { "nguid", NULL };
	char wwid[512], src[PATH_MAX + 64], val[512];
	bool have = id_try(id, "wwid", wwid_c, wwid, sizeof(wwid), src, sizeof(src));

	if (have)
		id_value(id, "wwid", wwid, src);
	else
		id_missing(id, "wwid", "the device reports no world wide identifier (no wwid attribute)");

	if (have && !strncmp(wwid, "naa.", 4)) {
		snprintf(val, sizeof(val), "0x%s", wwid + 4);
		id_value(id, "wwn", val, src);
	} else {
		id_missing(id, "wwn", have ? "the device's identifier is not an NAA world wide name (see wwid)" :
			   "the device reports no world wide name");
	}

	if (id_try(id, "eui64", eui_c, val, sizeof(val), src, sizeof(src))) {
		id_value(id, "eui64", val, src);
	} else if (have && !strncmp(wwid, "eui.", 4)) {
		id_value(id, "eui64", wwid + 4, src);
	} else {
		id_missing(id, "eui64", "the device reports no EUI-64 (no eui attribute, wwid not eui.)");
	}
	if (id_try(id, "nguid", nguid_c, val, sizeof(val), src, sizeof(src)))
		id_value(id, "nguid", val, src);
	else
		id_missing(id, "nguid", !strcmp(id->transport, "nvme") ?
			   "the namespace reports no NGUID" : "only NVMe namespaces have an NGUID");
}

static void id_manufacturer(struct ident *id)
{
	static const char *const vendor_c[] = { "device/vendor", NULL };
	char val[512], src[PATH_MAX + 64], path[PATH_MAX + 64];

	/* SCSI INQUIRY vendor ("ATA" for a disk behind libata: as reported) */
	if (strcmp(id->transport, "nvme") && strcmp(id->transport, "virtio") &&
	    id_try(id, "manufacturer", vendor_c, val, sizeof(val), src, sizeof(src))) {
		id_value(id, "manufacturer", val, src);
		return;
	}
	if (!strcmp(id->transport, "nvme")) {
		/* the PCI vendor ID of the controller, not a name */
		snprintf(path, sizeof(path), "%s/device/device/vendor", id->disk);
		if (sys_read(path, val, sizeof(val)) == 0) {
			json_object_object_add(id->dev, "manufacturer", NULL);
			json_object_object_add(id->missing, "manufacturer", json_object_new_string(
				"NVMe reports no manufacturer name; the controller's PCI vendor ID is in pci_vendor_id"));
			id_value(id, "pci_vendor_id", val, path);
			return;
		}
	}
	if (!strcmp(id->transport, "virtio")) {
		/* virtio's vendor attribute is the virtio vendor ID */
		snprintf(path, sizeof(path), "%s/device/vendor", id->disk);
		if (sys_read(path, val, sizeof(val)) == 0) {
			json_object_object_add(id->dev, "manufacturer", NULL);
			json_object_object_add(id->missing, "manufacturer", json_object_new_string(
				"virtio reports no manufacturer name; its virtio vendor ID is in virtio_vendor_id"));
			id_value(id, "virtio_vendor_id", val, path);
			return;
		}
	}
	id_missing(id, "manufacturer", id->transport[0] ?
		   "the device reports no manufacturer in sysfs" :
		   "a virtual block device with no hardware behind it has no manufacturer");
}

/*
 * The "device" member: what was cleaned (node, kernel name, partition or
 * disk) and the identity of its disk. Never fails: what cannot be read
 * is null with a reason.
 */
static struct json_object *device_identity(const struct device *d)
{
	static const char *const model_c[] = { "device/model", "device/name", NULL };
	static const char *const fw_c[] = { "device/firmware_rev", "device/rev", NULL };
	char path[PATH_MAX + 64], val[512], diskname[64] = "";
	struct ident id = { 0 };
	unsigned int pbs = 0;
	bool rot_known, rot = false, nvme;

	id.dev = json_object_new_object();
	id.sources = json_object_new_object();
	id.missing = json_object_new_object();

	json_object_object_add(id.dev, "path", json_object_new_string(d->arg));
	json_object_object_add(id.dev, "node", json_object_new_string(d->node));
	json_object_object_add(id.dev, "kernel_name", json_object_new_string(d->name));
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(d->disk), minor(d->disk));
	link_base(path, diskname, sizeof(diskname));
	/* /sys/class/block/DISK: a short, stable name for "sources" */
	if (diskname[0])
		snprintf(id.disk, sizeof(id.disk), "/sys/class/block/%s", diskname);
	else
		copy_trunc(id.disk, sizeof(id.disk), path);
	json_object_object_add(id.dev, "disk", json_object_new_string(diskname[0] ? diskname : d->name));
	json_object_object_add(id.dev, "is_partition", json_object_new_boolean(d->is_partition));

	snprintf(path, sizeof(path), "%s/device/subsystem", id.disk);
	link_base(path, id.transport, sizeof(id.transport));
	if (id.transport[0])
		id_value(&id, "transport", id.transport, path);
	else
		id_missing(&id, "transport", "no device/subsystem link: a virtual block device (ramdisk, loop, device-mapper...)");
	nvme = !strcmp(id.transport, "nvme");

	id_manufacturer(&id);
	id_attr(&id, "model", model_c, id.transport[0] ? "the device reports no model in sysfs" :
		"a virtual block device with no hardware behind it has no model");
	id_serial(&id);
	id_attr(&id, "firmware", fw_c, "the device reports no firmware revision in sysfs");
	id_names(&id);

	snprintf(path, sizeof(path), "%s/queue/rotational", id.disk);
	rot_known = sys_read(path, val, sizeof(val)) == 0;
	if (rot_known)
		rot = !strcmp(val, "1");
	if (nvme) {
		id_value(&id, "media_type", "nvme", path);
	} else if (rot_known) {
		id_value(&id, "media_type", rot ? "rotational" : "ssd", path);
	} else {
		id_missing(&id, "media_type", "queue/rotational cannot be read");
	}
	if (rot_known)
		json_object_object_add(id.dev, "rotational", json_object_new_boolean(rot));
	else
		id_missing(&id, "rotational", "queue/rotational cannot be read");

	json_object_object_add(id.dev, "capacity_bytes", json_object_new_uint64(d->size));
	snprintf(path, sizeof(path), "/sys/class/block/%s/size", d->name);
	json_object_object_add(id.sources, "capacity_bytes", json_object_new_string(path));
	if (d->lbs) {
		json_object_object_add(id.dev, "logical_block_size", json_object_new_uint64(d->lbs));
		snprintf(path, sizeof(path), "%s/queue/logical_block_size", id.disk);
		json_object_object_add(id.sources, "logical_block_size", json_object_new_string(path));
	} else {
		id_missing(&id, "logical_block_size", "queue/logical_block_size cannot be read");
	}
	snprintf(path, sizeof(path), "%s/queue/physical_block_size", id.disk);
	if (sys_read(path, val, sizeof(val)) == 0)
		pbs = (unsigned int)strtoul(val, NULL, 10);
	if (pbs) {
		json_object_object_add(id.dev, "physical_block_size", json_object_new_uint64(pbs));
		json_object_object_add(id.sources, "physical_block_size", json_object_new_string(path));
	} else {
		id_missing(&id, "physical_block_size", "queue/physical_block_size cannot be read");
	}
	json_object_object_add(id.dev, "sources", id.sources);
	json_object_object_add(id.dev, "missing", id.missing);
	return id.dev;
}

/* ------------------------------------------------------------ record */

static struct json_object *jstr_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *jhex32(uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08" PRIX32, v);
	return json_object_new_string(buf);
}

/* "2026-12-01T02:13:01.123Z" */
const char *fmt_utc(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char s[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", s, ts->tv_nsec / 1000000);
	return buf;
}

const char *method_word(uint32_t method)
{
	switch (method) {
	case VDSWIPE_METHOD_ZERO: return "zero";
	case VDSWIPE_METHOD_PATTERN: return "pattern";
	case VDSWIPE_METHOD_RANDOM: return "random";
	case VDSWIPE_METHOD_DISCARD: return "discard";
	default: return "?";
	}
}

static const char *pass_data(uint32_t method, uint32_t pattern, char *buf, size_t len)
{
	switch (method) {
	case VDSWIPE_METHOD_ZERO:
		return "zeros (0x00)";
	case VDSWIPE_METHOD_PATTERN:
		snprintf(buf, len, "the byte 0x%02" PRIx32 " repeated", pattern);
		return buf;
	case VDSWIPE_METHOD_RANDOM:
		return "ChaCha20 keystream keyed from the kernel's RNG (per op and pass)";
	default:
		return "?";
	}
}

const char *verify_word(uint32_t verify)
{
	switch (verify) {
	case VDSWIPE_VERIFY_OFF: return "off";
	case VDSWIPE_VERIFY_LAST: return "last";
	case VDSWIPE_VERIFY_ALL: return "all";
	default: return "?";
	}
}

static struct json_object *sanitization(const struct rec_input *in)
{
	struct json_object *s = json_object_new_object(), *passes, *p;
	bool whole = !in->range;
	char buf[128];
	unsigned int i;

	if (in->verify_only) {
		json_object_object_add(s, "category", NULL);
		json_object_object_add(s, "category_note", json_object_new_string(
			"verification only: this tool wrote nothing; the region was checked to hold the expected data"));
		json_object_object_add(s, "technique", json_object_new_string("none (verify only)"));
	} else if (in->full && whole) {
		json_object_object_add(s, "category", json_object_new_string("Clear"));
		json_object_object_add(s, "category_note", json_object_new_string(
			"every user-addressable logical block overwritten through the block layer"));
		json_object_object_add(s, "technique", json_object_new_string("overwrite"));
	} else {
		json_object_object_add(s, "category", NULL);
		json_object_object_add(s, "category_note", json_object_new_string(in->full ?
			"not a Clear of the device: only a range of it was overwritten" :
			"not a Clear: a quick clean overwrites only the first and the last MiB (partition tables, signatures)"));
		json_object_object_add(s, "technique", json_object_new_string("overwrite"));
	}
	json_object_object_add(s, "scope", json_object_new_string(in->full ? "full" : "quick"));
	json_object_object_add(s, "offset", json_object_new_uint64(in->offset));
	json_object_object_add(s, "length", json_object_new_uint64(in->length));
	json_object_object_add(s, "whole_device", json_object_new_boolean(whole));
	json_object_object_add(s, "region_bytes", json_object_new_uint64(in->region_bytes));
	passes = json_object_new_array();
	for (i = 0; !in->verify_only && i < in->nr_passes; i++) {
		p = json_object_new_object();
		json_object_object_add(p, "pass", json_object_new_uint64(i + 1));
		json_object_object_add(p, "method", json_object_new_string(method_word(in->passes[i].method)));
		if (in->passes[i].method == VDSWIPE_METHOD_PATTERN) {
			snprintf(buf, sizeof(buf), "0x%02" PRIx32, in->passes[i].pattern);
			json_object_object_add(p, "pattern", json_object_new_string(buf));
		} else {
			json_object_object_add(p, "pattern", NULL);
		}
		json_object_object_add(p, "data", json_object_new_string(
			pass_data(in->passes[i].method, in->passes[i].pattern, buf, sizeof(buf))));
		json_object_array_add(passes, p);
	}
	json_object_object_add(s, "passes", passes);
	return s;
}

static const char *verify_result(const struct rec_input *in)
{
	if (in->verify == VDSWIPE_VERIFY_OFF)
		return "not performed";
	if (!in->have_progress)
		return "unknown";
	if (in->mismatch_blocks)
		return "failed";
	if (in->hr == S_OK)
		return "passed";
	if (in->hr == VDS_E_OPERATION_CANCELED)
		return "incomplete (cancelled)";
	return "incomplete (the op failed)";
}

static struct json_object *verification(const struct rec_input *in)
{
	struct json_object *v = json_object_new_object();
	bool on = in->verify != VDSWIPE_VERIFY_OFF;

	json_object_object_add(v, "mode", json_object_new_string(verify_word(in->verify)));
	json_object_object_add(v, "method", on ? json_object_new_string(in->sample_pct < 100 ?
		"sampled read-back comparison through the block layer (no page cache): a share of the chunks chosen at random, always those of the first and last MiB" :
		"full read-back comparison through the block layer (no page cache)") : NULL);
	json_object_object_add(v, "sample_pct", on ? json_object_new_uint64(in->sample_pct) : NULL);
	json_object_object_add(v, "result", json_object_new_string(verify_result(in)));
	if (on && in->have_progress) {
		json_object_object_add(v, "block_size", json_object_new_uint64(in->block_size));
		json_object_object_add(v, "bytes_verified", json_object_new_uint64(in->bytes_verified));
		json_object_object_add(v, "verify_total", json_object_new_uint64(in->verify_total));
		json_object_object_add(v, "blocks_checked", json_object_new_uint64(
			in->block_size ? in->bytes_verified / in->block_size : 0));
		json_object_object_add(v, "mismatch_blocks", json_object_new_uint64(in->mismatch_blocks));
		json_object_object_add(v, "first_mismatch", in->mismatch_blocks &&
				       in->first_mismatch != UINT64_MAX ?
				       json_object_new_uint64(in->first_mismatch) : NULL);
	} else {
		json_object_object_add(v, "block_size", NULL);
		json_object_object_add(v, "bytes_verified", NULL);
		json_object_object_add(v, "verify_total", NULL);
		json_object_object_add(v, "blocks_checked", NULL);
		json_object_object_add(v, "mismatch_blocks", NULL);
		json_object_object_add(v, "first_mismatch", NULL);
	}
	return v;
}

static const char *outcome(const struct rec_input *in)
{
	if (in->unknown)
		return "unknown";
	if (in->hr == S_OK)
		return in->verify_only ? "verified" : "sanitized";
	if (in->hr == VDS_E_OPERATION_CANCELED)
		return "cancelled";
	if (in->hr == VDS_S_DISK_PARTIALLY_CLEANED)
		return "partially cleaned";
	return "failed";
}

static struct json_object *result(const struct rec_input *in)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "outcome", json_object_new_string(outcome(in)));
	if (in->unknown) {
		json_object_object_add(r, "hresult", NULL);
		json_object_object_add(r, "hresult_name", NULL);
		json_object_object_add(r, "hresult_message", NULL);
	} else {
		json_object_object_add(r, "hresult", jhex32((uint32_t)in->hr));
		json_object_object_add(r, "hresult_name", jstr_or_null(hr_name_or_null(in->hr)));
		json_object_object_add(r, "hresult_message", json_object_new_string(hr_message(in->hr)));
	}
	json_object_object_add(r, "error", in->error ? jstr_or_null(strerrorname_np(in->error)) : NULL);
	json_object_object_add(r, "error_offset", in->error && in->error_offset != UINT64_MAX ?
			       json_object_new_uint64(in->error_offset) : NULL);
	json_object_object_add(r, "bytes_written", in->have_progress ?
			       json_object_new_uint64(in->bytes_written) : NULL);
	json_object_object_add(r, "bytes_done", json_object_new_uint64(in->bytes_done));
	json_object_object_add(r, "bytes_total", json_object_new_uint64(in->bytes_total));
	json_object_object_add(r, "op_id", in->op_id ? json_object_new_uint64(in->op_id) : NULL);
	return r;
}

static struct json_object *times(const struct rec_input *in)
{
	struct json_object *t = json_object_new_object();
	int64_t ms;
	char buf[64];

	ms = ((int64_t)in->t_end.tv_sec - in->t_start.tv_sec) * 1000 +
	     (in->t_end.tv_nsec - in->t_start.tv_nsec) / 1000000;
	json_object_object_add(t, "start", json_object_new_string(fmt_utc(&in->t_start, buf, sizeof(buf))));
	json_object_object_add(t, "end", json_object_new_string(fmt_utc(&in->t_end, buf, sizeof(buf))));
	json_object_object_add(t, "duration_ms", json_object_new_int64(ms < 0 ? 0 : ms));
	return t;
}

static struct json_object *software(const struct rec_input *in)
{
	struct json_object *s = json_object_new_object();
	char buf[256], path[64];
	struct utsname u;

	json_object_object_add(s, "tool", json_object_new_string("vdswipe " TOOL_VERSION));
	snprintf(buf, sizeof(buf), "%d.%d", VDSW_VERSION_MAJOR, VDSW_VERSION_MINOR);
	json_object_object_add(s, "libvdswipe", json_object_new_string(buf));
	snprintf(path, sizeof(path), "/sys/module/vdswipe/version");
	json_object_object_add(s, "module_version",
			       sys_read(path, buf, sizeof(buf)) ? NULL : json_object_new_string(buf));
	snprintf(path, sizeof(path), "/sys/module/vdswipe/srcversion");
	json_object_object_add(s, "module_srcversion",
			       sys_read(path, buf, sizeof(buf)) ? NULL : json_object_new_string(buf));
	json_object_object_add(s, "abi_version", in->abi_version ?
			       json_object_new_uint64(in->abi_version) : NULL);
	if (uname(&u) == 0) {
		json_object_object_add(s, "kernel", json_object_new_string(u.release));
		json_object_object_add(s, "kernel_build", json_object_new_string(u.version));
		json_object_object_add(s, "machine", json_object_new_string(u.machine));
	} else {
		json_object_object_add(s, "kernel", NULL);
		json_object_object_add(s, "kernel_build", NULL);
		json_object_object_add(s, "machine", NULL);
	}
	return s;
}

static struct json_object *people(const struct rec_input *in)
{
	struct json_object *p = json_object_new_object();
	char host[256];

	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		json_object_object_add(p, "hostname", jstr_or_null(host));
	} else {
		json_object_object_add(p, "hostname", NULL);
	}
	json_object_object_add(p, "operator", jstr_or_null(in->operator_name));
	json_object_object_add(p, "asset_tag", jstr_or_null(in->asset_tag));
	json_object_object_add(p, "location", jstr_or_null(in->location));
	return p;
}

static void record_id(char *buf, size_t len)
{
	if (sys_read("/proc/sys/kernel/random/uuid", buf, len))
		buf[0] = '\0';
}

struct json_object *record_build(const struct rec_input *in)
{
	struct json_object *rec = json_object_new_object();
	char id[64];

	record_id(id, sizeof(id));
	json_object_object_add(rec, "schema", json_object_new_string(RECORD_SCHEMA));
	json_object_object_add(rec, "schema_version", json_object_new_int(RECORD_SCHEMA_VERSION));
	json_object_object_add(rec, "record_id", jstr_or_null(id));
	json_object_object_add(rec, "standard", json_object_new_string("NIST SP 800-88 Rev. 2"));
	json_object_object_add(rec, "device", device_identity(in->dev));
	json_object_object_add(rec, "sanitization", sanitization(in));
	json_object_object_add(rec, "verification", verification(in));
	json_object_object_add(rec, "result", result(in));
	json_object_object_add(rec, "time", times(in));
	json_object_object_add(rec, "software", software(in));
	json_object_object_add(rec, "context", people(in));
	return rec;
}

/* ------------------------------------------------------------ digest */

/*
 * SHA-256 of the canonical serialization: the record without its
 * "digest" member, json-c plain (no whitespace), "/" not escaped, members
 * in the record's order. 0, or -EINVAL (not an object) / -ENOMEM.
 */
int record_digest(struct json_object *rec, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	struct json_object *copy, *it;
	unsigned int mdlen = 0, i;
	const char *canon;
	int ret = -ENOMEM;

	if (!json_object_is_type(rec, json_type_object))
		return -EINVAL;
	/* a shallow copy without "digest": same member objects, same order */
	copy = json_object_new_object();
	if (!copy)
		return -ENOMEM;
	json_object_object_foreach(rec, key, val) {
		if (!strcmp(key, "digest"))
			continue;
		it = val ? json_object_get(val) : NULL;
		json_object_object_add(copy, key, it);
	}
	canon = json_object_to_json_string_ext(copy, JSON_OUT_FLAGS);
	if (canon && EVP_Digest(canon, strlen(canon), md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32) {
		for (i = 0; i < mdlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		ret = 0;
	}
	json_object_put(copy);
	return ret;
}

int record_seal(struct json_object *rec)
{
	struct json_object *d;
	char hex[65];
	int ret;

	json_object_object_del(rec, "digest");
	ret = record_digest(rec, hex);
	if (ret)
		return ret;
	d = json_object_new_object();
	json_object_object_add(d, "algorithm", json_object_new_string("SHA-256"));
	json_object_object_add(d, "canonical", json_object_new_string(RECORD_CANONICAL));
	json_object_object_add(d, "value", json_object_new_string(hex));
	json_object_object_add(rec, "digest", d);
	return 0;
}

/* Write the sealed record to fd (a temporary file), fsync. 0 or -errno. */
int record_write_fd(struct json_object *rec, int fd)
{
	const char *s;
	size_t n, off = 0;
	ssize_t w;

	s = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	n = strlen(s);
	while (off < n) {
		w = write(fd, s + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1)
		return -EIO;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

/*
 * The output file is created (as FILE.tmp-PID) before anything is written
 * to a device, so that a record that cannot be written stops the command
 * before it starts; record_commit() renames it in place.
 */
int record_open(const char *path, char *tmp, size_t len)
{
	int fd;

	snprintf(tmp, len, "%s.tmp-%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

int record_commit(struct json_object *rec, int fd, const char *tmp, const char *path)
{
	int ret = record_seal(rec);

	if (!ret)
		ret = record_write_fd(rec, fd);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/*
 * Load FILE and check it: a JSON object of this schema whose digest is
 * the SHA-256 of its canonical serialization. Returns 0 (valid), 1 (read
 * but the digest does not match: *why says so), or -errno / -EINVAL.
 */
int record_load(const char *path, struct json_object **rec, char *why, size_t len)
{
	struct json_object *r, *d, *v, *s;
	char hex[65];

	*rec = NULL;
	r = json_object_from_file(path);
	if (!r) {
		snprintf(why, len, "%s: not a JSON file (%s)", path, json_util_get_last_err());
		return -EINVAL;
	}
	if (!json_object_is_type(r, json_type_object) ||
	    !json_object_object_get_ex(r, "schema", &s) ||
	    !json_object_is_type(s, json_type_string) ||
	    strcmp(json_object_get_string(s), RECORD_SCHEMA)) {
		snprintf(why, len, "%s: not a vdswipe sanitization record (schema is not \"%s\")",
			 path, RECORD_SCHEMA);
		json_object_put(r);
		return -EINVAL;
	}
	*rec = r;
	if (!json_object_object_get_ex(r, "schema_version", &s) ||
	    json_object_get_int(s) != RECORD_SCHEMA_VERSION) {
		snprintf(why, len, "schema_version is not %d", RECORD_SCHEMA_VERSION);
		return 1;
	}
	if (!json_object_object_get_ex(r, "digest", &d) || !d ||
	    !json_object_object_get_ex(d, "value", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(why, len, "the record has no digest");
		return 1;
	}
	if (!json_object_object_get_ex(d, "algorithm", &s) ||
	    !json_object_is_type(s, json_type_string) ||
	    strcmp(json_object_get_string(s), "SHA-256")) {
		snprintf(why, len, "the digest's algorithm is not SHA-256");
		return 1;
	}
	if (record_digest(r, hex)) {
		snprintf(why, len, "cannot compute the digest");
		return -ENOMEM;
	}
	if (strcmp(hex, json_object_get_string(v))) {
		snprintf(why, len, "digest mismatch: the record says %.64s, its content hashes to %s: it was changed after it was written",
			 json_object_get_string(v), hex);
		return 1;
	}
	snprintf(why, len, "SHA-256 %s matches", hex);
	return 0;
}

/* ------------------------------------------------------------ identify */

static void usage_identify(FILE *f)
{
	fprintf(f,
"Usage: %s identify DEVICE...\n"
"\n"
"Print the identity of each device as its sanitization record will hold it\n"
"(the \"device\" member, JSON, one object per line): manufacturer, model,\n"
"serial number, WWN/EUI-64, media type, capacity, block sizes, each from\n"
"sysfs, with the file it came from; what sysfs does not say is null, with\n"
"the reason. Reads nothing from the device itself.\n"
"\n"
"Exit status: 0, or 5 when a device cannot be found.\n", prog);
}

int cmd_identify(int argc, char **argv)
{
	struct json_object *o;
	struct device d;
	char why[512];
	int i, status = EX_OK;
	HRESULT hr;

	if (argc < 2) {
		usage_identify(stderr);
		return EX_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage_identify(stdout);
			return EX_OK;
		}
	}
	for (i = 1; i < argc; i++) {
		hr = dev_resolve(argv[i], &d, why, sizeof(why));
		if (hr != S_OK && hr != VDS_E_NO_MEDIA) {
			hr_report(stderr, argv[i], hr, why);
			status = EX_DEVICE;
			continue;
		}
		o = device_identity(&d);
		puts(json_object_to_json_string_ext(o, JSON_OUT_FLAGS));
		json_object_put(o);
	}
	fflush(stdout);
	return status;
}
