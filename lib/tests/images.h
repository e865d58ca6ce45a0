/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* images.h - small disk images the tests build themselves (512-byte sectors). */
#ifndef VDSW_TEST_IMAGES_H
#define VDSW_TEST_IMAGES_H

#include <stddef.h>
#include <stdint.h>

#define IMG_SIZE	(4u << 20)	/* 4 MiB, 8192 sectors */

struct mbr_part {
	uint8_t type;		/* 0: unused slot */
	uint32_t start, sectors;
};

struct gpt_part {
	int linux_data;		/* type: Linux filesystem, else Microsoft basic data */
	uint64_t attrs;
	uint64_t first, last;
};

/* A temporary directory for this test run, removed by img_cleanup(). */
const char *img_dir(void);
void img_cleanup(void);
/* A path in img_dir(); the returned buffer is the caller's. */
char *img_path(const char *name);

int img_empty(const char *path);
/* Up to 4 primary entries. */
int img_mbr(const char *path, const struct mbr_part *parts, int nr);
/* An extended partition (0x05) holding one logical partition of type. */
int img_mbr_logical(const char *path, uint8_t type);
int img_gpt(const char *path, const struct gpt_part *parts, int nr);
/* An ext2 superblock magic (0xEF53 at byte 1080) on a bare image. */
int img_ext2_magic(const char *path);
/* A checksum of the whole image, to see it was not written. */
uint32_t img_crc(const char *path);
uint32_t crc32_ieee(uint32_t crc, const void *buf, size_t len);

#endif
