/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fixtures.h - the test rig many selftests set up: vdswipe loaded with
 * some parameters, a few brd ramdisks, a dm-delay device over one of them
 * (writes held for a while, so that an op on it keeps running) and a
 * session.
 *
 * kselftest fixtures are per file, so a test program keeps its FIXTURE() and
 * embeds a struct vt_rig in it; its FIXTURE_SETUP() and FIXTURE_TEARDOWN()
 * call the helpers below:
 *
 *	static const struct vt_rig_opts rig_opts = {
 *		.mod_params = "max_active=1", .nr_disks = 3, .dev_mib = 16,
 *		.max_part = 1, .slow_name = "vdswslow", .slow_disk = 0,
 *		.write_delay_ms = 500, .open_fds = true, .session = true,
 *	};
 *	FIXTURE(f) { struct vt_rig rig; };
 *	FIXTURE_SETUP(f) { vt_rig_setup(_metadata, &self->rig, &rig_opts); }
 *	FIXTURE_TEARDOWN(f) {
 *		vt_rig_close(&self->rig);
 *		vt_rig_teardown(_metadata, &self->rig);
 *	}
 *
 * A setup that must do something between the steps (fill the disks in its
 * own way, write a partition table...) calls vt_rig_module(),
 * vt_rig_disks() and vt_rig_slow() itself; each returns false when it
 * skipped the test (SKIP), and fails it with ASSERT_*() as the open-coded
 * setups did.
 *
 * The helpers that assert are static inline here because they use the
 * harness's macros (include this after kselftest_harness.h); the rest is in
 * fixtures.c.
 */
#ifndef VDSWIPE_FIXTURES_H
#define VDSWIPE_FIXTURES_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "testlib.h"

#define VT_RIG_MAX_DISKS	4

/* What to set up: zero means "no" or "none" for every field but nr_disks. */
struct vt_rig_opts {
	const char *mod_params;		/* vdswipe's parameters (NULL: defaults) */
	unsigned int nr_disks;		/* brd ramdisks /dev/ram0.., <= MAX */
	unsigned int dev_mib;		/* the size of each */
	unsigned int max_part;		/* brd's max_part */
	const char *slow_name;		/* dm table of the slow device, or NULL */
	unsigned int slow_disk;		/* the ramdisk under it */
	unsigned int write_delay_ms;	/* how long it holds each write */
	bool slow_optional;		/* without dm-delay go on (have_slow
					 * false) instead of skipping */
	bool fill;			/* fill the disks but slow_disk ... */
	uint8_t fill_byte;		/* ... with this byte */
	bool open_fds;			/* open the slow device and the other
					 * disks O_RDWR */
	bool session;			/* open a session */
};

struct vt_rig {
	const struct vt_rig_opts *o;
	int s;				/* the session, or -1 */
	int slowfd;			/* the slow device, or -1 */
	int fd[VT_RIG_MAX_DISKS];	/* ram<i> (not the slow disk), or -1 */
	char ram[VT_RIG_MAX_DISKS][64];	/* "/dev/ram<i>" */
	char slow[64];			/* the slow device's node */
	bool have_slow;			/* the slow device exists */
};

/* Set every fd to -1 and remember @o (which must outlive @r). */
void vt_rig_init(struct vt_rig *r, const struct vt_rig_opts *o);
/* Fill the disks but the slow one with o->fill_byte. 0 or -errno. */
int vt_rig_fill(struct vt_rig *r);
/* Close the session and every fd the rig opened. */
void vt_rig_close(struct vt_rig *r);
/* Remove the slow device and unload brd (not vdswipe). */
void vt_rig_unload(struct vt_rig *r);

/* The rest only in test programs, which include kselftest_harness.h first. */
#ifdef __KSELFTEST_HARNESS_H

/* Step 1: clean up after earlier tests and (re)load vdswipe. */
static inline bool vt_rig_module(struct __test_metadata *_metadata,
				 struct vt_rig *r, const struct vt_rig_opts *o)
{
	vt_rig_init(r, o);
	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(o->mod_params));
	return true;
}

/* Step 2: load the ramdisks (SKIP without brd) and fill them if asked. */
static inline bool vt_rig_disks(struct __test_metadata *_metadata,
				struct vt_rig *r)
{
	const struct vt_rig_opts *o = r->o;
	unsigned int i;
	int ret;

	ret = vt_brd_load(o->nr_disks, o->dev_mib, o->max_part);
	if (ret)
		SKIP(return false, "no brd (%s)", strerror(-ret));
	for (i = 0; i < o->nr_disks; i++)
		vt_brd_path(i, r->ram[i], sizeof(r->ram[i]));
	if (o->fill)
		ASSERT_EQ(0, vt_rig_fill(r));
	return true;
}

/*
 * Step 3: create the slow device (SKIP without dm-delay unless optional),
 * open the fds and the session as asked.
 */
static inline bool vt_rig_slow(struct __test_metadata *_metadata,
			       struct vt_rig *r)
{
	const struct vt_rig_opts *o = r->o;
	unsigned int i;
	int ret;

	if (o->slow_name) {
		ret = vt_delay_create(o->slow_name, r->ram[o->slow_disk],
				      o->write_delay_ms, r->slow,
				      sizeof(r->slow));
		if (ret && !o->slow_optional) {
			vt_brd_unload();
			SKIP(return false, "no dm-delay (%s)", strerror(-ret));
		}
		r->have_slow = !ret;
	}
	if (o->open_fds) {
		if (r->have_slow) {
			r->slowfd = vt_open(r->slow, O_RDWR);
			if (!o->slow_optional)
				ASSERT_LE(0, r->slowfd);
		}
		for (i = 0; i < o->nr_disks; i++) {
			if (o->slow_name && i == o->slow_disk)
				continue;
			r->fd[i] = vt_open(r->ram[i], O_RDWR);
			ASSERT_LE(0, r->fd[i]);
		}
	}
	if (o->session) {
		r->s = vt_session_open();
		ASSERT_LE(0, r->s);
	}
	return true;
}

/* The three steps in a row: false when the test was skipped. */
static inline bool vt_rig_setup(struct __test_metadata *_metadata,
				struct vt_rig *r, const struct vt_rig_opts *o)
{
	return vt_rig_module(_metadata, r, o) && vt_rig_disks(_metadata, r) &&
	       vt_rig_slow(_metadata, r);
}

/*
 * The end of a teardown, after vt_rig_close() and the test's own cleanup:
 * remove the devices and expect vdswipe to unload.
 */
static inline void vt_rig_teardown(struct __test_metadata *_metadata,
				   struct vt_rig *r)
{
	vt_rig_unload(r);
	EXPECT_EQ(0, vt_module_unload());
}

#endif /* __KSELFTEST_HARNESS_H */
#endif /* VDSWIPE_FIXTURES_H */
