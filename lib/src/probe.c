// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * probe.c - the safety checks of a clean, with libblkid.
 *
 * The policy (IVdsAdvancedDisk::Clean):
 *  - a partition table (any, even an empty one or one of OEM partitions
 *    only: the kernel refuses all of these without VDSWIPE_CLEAN_FORCE) or a
 *    filesystem or other signature on the device itself needs force;
 *  - OEM partitions need force_oem: MBR types 0x12, 0x84, 0xA0, 0xDE, 0xFE,
 *    GPT entries with attribute bit 0 ("platform required"); also when the
 *    target is itself such a partition, and when several partition tables
 *    make it unknowable (pttype "ambiguous").
 * Ranged cleans are checked the same way, on the whole target.
 * The probe reads through its own read-only fd; the caller's is not moved.
 */
#include <blkid.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define GPT_ATTR_PLATFORM_REQUIRED	(1ULL << 0)

static bool mbr_type_is_oem(unsigned long type)
{
	switch (type) {
	case 0x12: case 0x84: case 0xA0: case 0xDE: case 0xFE:
		return true;
	default:
		return false;
	}
}

static bool entry_is_oem(const char *scheme, unsigned long type,
			 unsigned long long attrs)
{
	if (!scheme)
		return false;
	if (!strcmp(scheme, "gpt"))
		return attrs & GPT_ATTR_PLATFORM_REQUIRED;
	if (!strcmp(scheme, "dos"))
		return mbr_type_is_oem(type);
	return false;
}

static int probe_errno(void)
{
	return errno && errno != ENOENT ? -errno : -EIO;
}

static int probe_new(int fd, blkid_probe *prp)
{
	blkid_probe pr = blkid_new_probe();

	if (!pr)
		return vdsw__err(-ENOMEM, "blkid_new_probe() failed");
	errno = 0;
	if (blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		int ret = probe_errno();

		blkid_free_probe(pr);
		return vdsw__err(ret, "libblkid cannot probe the device: %s", strerror(-ret));
	}
	*prp = pr;
	return 0;
}

/* The entries of the partition table found on the target. */
static int count_entries(blkid_probe pr, struct vdsw_probe_info *info)
{
	blkid_partlist ls;
	int i, nr;

	errno = 0;
	ls = blkid_probe_get_partitions(pr);
	if (!ls) {
		int ret = probe_errno();

		return vdsw__err(ret, "libblkid found a partition table but cannot list it: %s",
				 strerror(-ret));
	}
	nr = blkid_partlist_numof_partitions(ls);
	for (i = 0; i < nr; i++) {
		blkid_partition par = blkid_partlist_get_partition(ls, i);
		blkid_parttable pt = par ? blkid_partition_get_table(par) : NULL;

		if (!par || blkid_partition_is_extended(par))
			continue;	/* a container: its logicals count */
		if (entry_is_oem(pt ? blkid_parttable_get_type(pt) : NULL,
				 (unsigned long)blkid_partition_get_type(par),
				 blkid_partition_get_flags(par)))
			info->oem_partitions++;
		else
			info->data_partitions++;
	}
	return 0;
}

/*
 * The partition table on the target and its entries; when the target is
 * itself a partition, its own entry in the disk's table (PART_ENTRY_*).
 */
static int probe_ptable(int fd, struct vdsw_probe_info *info)
{
	const char *pttype = NULL, *scheme = NULL, *type = NULL, *attrs = NULL;
	blkid_probe pr;
	int ret, rc;

	ret = probe_new(fd, &pr);
	if (ret)
		return ret;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	errno = 0;
	rc = blkid_do_safeprobe(pr);
	if (rc == -1) {
		ret = probe_errno();
		vdsw__err(ret, "libblkid cannot read the partition table: %s", strerror(-ret));
		goto out;
	}
	if (rc == -2) {
		/* Several tables: which partitions exist is unknown, so both
		 * force flags are needed. */
		info->flags |= VDSW_PROBE_PTABLE | VDSW_PROBE_AMBIGUOUS;
		snprintf(info->pttype, sizeof(info->pttype), "ambiguous");
		goto out;
	}
	if (rc == 1)
		goto out;
	if (!blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL) && pttype) {
		info->flags |= VDSW_PROBE_PTABLE;
		snprintf(info->pttype, sizeof(info->pttype), "%s", pttype);
		ret = count_entries(pr, info);
		if (ret)
			goto out;
	}
	if (!blkid_probe_lookup_value(pr, "PART_ENTRY_SCHEME", &scheme, NULL)) {
		blkid_probe_lookup_value(pr, "PART_ENTRY_TYPE", &type, NULL);
		blkid_probe_lookup_value(pr, "PART_ENTRY_FLAGS", &attrs, NULL);
		if (entry_is_oem(scheme, type ? strtoul(type, NULL, 16) : 0,
				 attrs ? strtoull(attrs, NULL, 16) : 0))
			info->flags |= VDSW_PROBE_OEM_ENTRY;
	}
out:
	blkid_free_probe(pr);
	return ret;
}

/* A filesystem, RAID, LVM, swap, crypto... signature on the target itself. */
static int probe_signature(int fd, struct vdsw_probe_info *info)
{
	const char *type = NULL;
	blkid_probe pr;
	int ret, rc;

	ret = probe_new(fd, &pr);
	if (ret)
		return ret;
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	/* BADCSUM: a damaged filesystem is still a filesystem. */
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
					  BLKID_SUBLKS_USAGE | BLKID_SUBLKS_BADCSUM);
	errno = 0;
	rc = blkid_do_safeprobe(pr);
	if (rc == 0) {
		info->flags |= VDSW_PROBE_SIGNATURE;
		if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) < 0 || !type)
			type = "?";
		snprintf(info->fstype, sizeof(info->fstype), "%s", type);
	} else if (rc == -2) {
		info->flags |= VDSW_PROBE_SIGNATURE | VDSW_PROBE_AMBIGUOUS;
		snprintf(info->fstype, sizeof(info->fstype), "ambiguous");
	} else if (rc < 0) {
		ret = probe_errno();
		vdsw__err(ret, "libblkid cannot probe for signatures: %s", strerror(-ret));
	}
	blkid_free_probe(pr);
	return ret;
}

/* A read-only fd of the same file, with its own offset. */
static int reopen_ro(int fd, int *rofd)
{
	struct stat st, rst;
	char path[64];
	int ro;

	if (fstat(fd, &st) < 0)
		return vdsw__err(-errno, "fd %d: %s", fd, strerror(errno));
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		return vdsw__err(-ENOTBLK, "fd %d is neither a block device nor a regular file", fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (ro < 0)
		return vdsw__err(-errno, "cannot reopen fd %d read-only through %s for the safety checks: %s",
				 fd, path, strerror(errno));
	if (fstat(ro, &rst) < 0 || rst.st_mode != st.st_mode ||
	    (S_ISBLK(st.st_mode) ? rst.st_rdev != st.st_rdev
				 : rst.st_ino != st.st_ino || rst.st_dev != st.st_dev)) {
		close(ro);
		return vdsw__err(-EIO, "reopening fd %d read-only gave another file", fd);
	}
	*rofd = ro;
	return 0;
}

static int decide(bool force, bool force_oem, struct vdsw_probe_info *info)
{
	bool need_force = info->flags & (VDSW_PROBE_PTABLE | VDSW_PROBE_SIGNATURE);
	bool need_oem = info->oem_partitions || (info->flags & VDSW_PROBE_OEM_ENTRY) ||
			!strcmp(info->pttype, "ambiguous");

	if (need_force)
		info->flags |= VDSW_PROBE_NEED_FORCE;
	if (need_oem)
		info->flags |= VDSW_PROBE_NEED_FORCE_OEM;
	if ((need_force && !force) || (need_oem && !force_oem))
		return vdsw__err(-ENOTEMPTY, "refused: %s%s%s table with %u data and %u OEM partitions, signature \"%s\"%s; needs%s%s",
				 info->flags & VDSW_PROBE_OEM_ENTRY ? "the target is an OEM partition; " : "",
				 info->pttype[0] ? info->pttype : "no", info->pttype[0] ? "" : " partition",
				 info->data_partitions, info->oem_partitions, info->fstype,
				 info->flags & VDSW_PROBE_AMBIGUOUS ? " (several)" : "",
				 need_force && !force ? " force" : "",
				 need_oem && !force_oem ? " force_oem" : "");
	return 0;
}

int vdsw__probe_fd(int fd, bool force, bool force_oem, struct vdsw_probe_info *info)
{
	int ro, ret;

	memset(info, 0, sizeof(*info));
	ret = reopen_ro(fd, &ro);
	if (ret)
		return ret;
	ret = probe_ptable(ro, info);
	if (!ret)
		ret = probe_signature(ro, info);
	close(ro);
	return ret ? ret : decide(force, force_oem, info);
}

HRESULT vdsw_check_fd(int fd, int force, int force_oem, struct vdsw_probe_info *info)
{
	struct vdsw_probe_info i;
	int ret;

	vdsw__err_clear();
	if (fd < 0)
		return vdsw__hr(VDSW_CALL_CHECK, vdsw__err(-EBADF, "fd %d is not open", fd));
	ret = vdsw__probe_fd(fd, force, force_oem, &i);
	if (info)
		*info = i;
	return vdsw__hr(VDSW_CALL_CHECK, ret);
}

HRESULT vdsw_check_device(const char *path, int force, int force_oem,
			  struct vdsw_probe_info *info)
{
	HRESULT hr;
	int fd;

	vdsw__err_clear();
	if (!path)
		return E_POINTER;
	if (info)
		memset(info, 0, sizeof(*info));
	/* O_NONBLOCK: a FIFO must not block the open; reopen_ro() rejects it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return vdsw__hr(VDSW_CALL_CHECK, vdsw__err(-errno, "%s: %s", path, strerror(errno)));
	hr = vdsw_check_fd(fd, force, force_oem, info);
	close(fd);
	return hr;
}
