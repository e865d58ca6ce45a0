// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* images.c - MBR, GPT and signature images written byte by byte. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "images.h"

#define SECTOR		512u
#define NSECT		(IMG_SIZE / SECTOR)
#define GPT_ENTRIES	128u
#define GPT_ENTRY_SIZE	128u
#define GPT_ENTRY_SECT	(GPT_ENTRIES * GPT_ENTRY_SIZE / SECTOR)	/* 32 */

static char dir[64];

const char *img_dir(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/vdswipe-test.XXXXXX");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return dir;
}

void img_cleanup(void)
{
	char cmd[128];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	dir[0] = '\0';
}

char *img_path(const char *name)
{
	char *p = malloc(strlen(img_dir()) + strlen(name) + 2);

	if (!p)
		exit(1);
	sprintf(p, "%s/%s", img_dir(), name);
	return p;
}

/* CRC-32 (IEEE 802.3, as GPT uses), byte-wise with a table. */
uint32_t crc32_ieee(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;
	uint32_t c;
	int i, k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			for (c = (uint32_t)i, k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

/* Write the whole image from buf (IMG_SIZE bytes). */
static int write_image(const char *path, const uint8_t *buf)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, buf, IMG_SIZE);
	close(fd);
	return n == (ssize_t)IMG_SIZE ? 0 : -1;
}

static uint8_t *image_new(void)
{
	uint8_t *buf = calloc(1, IMG_SIZE);

	if (!buf)
		exit(1);
	return buf;
}

static int image_done(const char *path, uint8_t *buf)
{
	int ret = write_image(path, buf);

	free(buf);
	return ret;
}

int img_empty(const char *path)
{
	return image_done(path, image_new());
}

static void mbr_entry(uint8_t *e, uint8_t type, uint32_t start, uint32_t sectors)
{
	e[0] = 0x00;			/* not bootable */
	e[1] = 0xFE; e[2] = 0xFF; e[3] = 0xFF;	/* CHS: use LBA */
	e[4] = type;
	e[5] = 0xFE; e[6] = 0xFF; e[7] = 0xFF;
	put32(e + 8, start);
	put32(e + 12, sectors);
}

static void mbr_sign(uint8_t *sector)
{
	sector[510] = 0x55;
	sector[511] = 0xAA;
}

int img_mbr(const char *path, const struct mbr_part *parts, int nr)
{
	uint8_t *buf = image_new();
	int i;

	put32(buf + 440, 0x12345678);	/* disk signature */
	for (i = 0; i < nr && i < 4; i++)
		if (parts[i].type)
			mbr_entry(buf + 446 + 16 * i, parts[i].type, parts[i].start,
				  parts[i].sectors);
	mbr_sign(buf);
	return image_done(path, buf);
}

int img_mbr_logical(const char *path, uint8_t type)
{
	uint8_t *buf = image_new();
	uint32_t ext = 2048, ext_size = 4096;
	uint8_t *ebr = buf + (size_t)ext * SECTOR;

	put32(buf + 440, 0x12345679);
	mbr_entry(buf + 446, 0x05, ext, ext_size);
	mbr_sign(buf);
	/* EBR: the logical partition, relative to the EBR; no next EBR. */
	mbr_entry(ebr + 446, type, 2048, ext_size - 2048);
	mbr_sign(ebr);
	return image_done(path, buf);
}

static const uint8_t guid_linux_data[16] = {	/* 0FC63DAF-8483-4772-8E79-3D69D8477DE4 */
	0xAF, 0x3D, 0xC6, 0x0F, 0x83, 0x84, 0x72, 0x47,
	0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4 };
static const uint8_t guid_ms_basic[16] = {	/* EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 */
	0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
	0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7 };

static void gpt_header(uint8_t *h, uint64_t my, uint64_t alt, uint64_t entries,
		       uint32_t entries_crc)
{
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);	/* revision 1.0 */
	put32(h + 12, 92);		/* header size */
	put64(h + 24, my);
	put64(h + 32, alt);
	put64(h + 40, 2 + GPT_ENTRY_SECT);		/* first usable: 34 */
	put64(h + 48, NSECT - 2 - GPT_ENTRY_SECT);	/* last usable */
	memset(h + 56, 0x5A, 16);	/* disk GUID */
	put64(h + 72, entries);
	put32(h + 80, GPT_ENTRIES);
	put32(h + 84, GPT_ENTRY_SIZE);
	put32(h + 88, entries_crc);
	put32(h + 16, crc32_ieee(0, h, 92));
}

int img_gpt(const char *path, const struct gpt_part *parts, int nr)
{
	uint8_t *buf = image_new();
	uint8_t *ents = buf + 2 * SECTOR;
	uint32_t ecrc;
	int i;

	/* Protective MBR: one 0xEE entry over the whole disk. */
	mbr_entry(buf + 446, 0xEE, 1, NSECT - 1);
	buf[446 + 1] = 0x00; buf[446 + 2] = 0x02; buf[446 + 3] = 0x00;
	mbr_sign(buf);

	for (i = 0; i < nr; i++) {
		uint8_t *e = ents + i * GPT_ENTRY_SIZE;

		memcpy(e, parts[i].linux_data ? guid_linux_data : guid_ms_basic, 16);
		memset(e + 16, 0x11 + i, 16);	/* unique GUID */
		put64(e + 32, parts[i].first);
		put64(e + 40, parts[i].last);
		put64(e + 48, parts[i].attrs);
		put16(e + 56, 'p'); put16(e + 58, '0' + i);
	}
	ecrc = crc32_ieee(0, ents, GPT_ENTRIES * GPT_ENTRY_SIZE);
	/* Backup entries right before the backup header, in the last sector. */
	memcpy(buf + (size_t)(NSECT - 1 - GPT_ENTRY_SECT) * SECTOR, ents,
	       GPT_ENTRIES * GPT_ENTRY_SIZE);
	gpt_header(buf + SECTOR, 1, NSECT - 1, 2, ecrc);
	gpt_header(buf + (size_t)(NSECT - 1) * SECTOR, NSECT - 1, 1,
		   NSECT - 1 - GPT_ENTRY_SECT, ecrc);
	return image_done(path, buf);
}

int img_ext2_magic(const char *path)
{
	uint8_t *buf = image_new();

	put32(buf + 1024 + 0, 64);	/* s_inodes_count */
	put32(buf + 1024 + 4, 4096);	/* s_blocks_count (1 KiB blocks) */
	put32(buf + 1024 + 20, 1);	/* s_first_data_block */
	put32(buf + 1024 + 32, 8192);	/* s_blocks_per_group */
	put32(buf + 1024 + 40, 64);	/* s_inodes_per_group */
	put16(buf + 1080, 0xEF53);	/* s_magic */
	put16(buf + 1024 + 58, 1);	/* s_state: clean */
	return image_done(path, buf);
}

uint32_t img_crc(const char *path)
{
	static uint8_t chunk[65536];
	uint32_t crc = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		crc = crc32_ieee(crc, chunk, (size_t)n);
	close(fd);
	return crc;
}
