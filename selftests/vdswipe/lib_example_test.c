// SPDX-License-Identifier: GPL-2.0
/*
 * The example program lib/examples/clean-like-windows, run in the VM
 * against real devices: its printed HRESULTs and its exit status.
 *
 *   a plain disk                  S_OK all the way, 100%, exit 0
 *   module not loaded             the program's session open loads it
 *   SIGINT while a slow clean     Cancel: S_OK, Wait: S_OK, clean result:
 *   runs                          VDS_E_OPERATION_CANCELED, exit 1
 *   ext2 without --force          Clean: VDS_E_OPERATION_DENIED, exit 1
 *   no such device                Clean: VDS_E_OBJECT_NOT_FOUND, exit 1
 *   no device argument            usage, exit 2
 *
 * The program is looked for where tools/vm/mkinitramfs puts it
 * (/usr/local/bin, from build/lib/examples/) or /usr/bin (VM_EXTRA_BINS).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"
#include "subproc.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		8
#define WRITE_DELAY_MS	500
#define FILL		0xA5

static const char *const prog_paths[] = {
	"/usr/local/bin/clean-like-windows",
	"/usr/bin/clean-like-windows",
};

/* The slow device is over ram0; ram1 is filled with FILL. */
static const struct vt_rig_opts rig_opts = {
	.mod_params = MOD_PARAMS,
	.nr_disks = 2,
	.dev_mib = DEV_MIB,
	.max_part = 1,
	.slow_name = "vdswslow",
	.slow_disk = 0,
	.write_delay_ms = WRITE_DELAY_MS,
	.fill = true,
	.fill_byte = FILL,
};

FIXTURE(ex) {
	const char *prog;
	struct vt_rig rig;
	struct vt_proc p;
};

FIXTURE_SETUP(ex)
{
	unsigned int i;

	for (i = 0; i < sizeof(prog_paths) / sizeof(prog_paths[0]); i++)
		if (!access(prog_paths[i], X_OK))
			self->prog = prog_paths[i];
	if (!self->prog)
		SKIP(return, "clean-like-windows is not in the guest (mkinitramfs copies build/lib/examples/*)");
	vt_proc_init(&self->p);
	vt_rig_setup(_metadata, &self->rig, &rig_opts);
}

FIXTURE_TEARDOWN(ex)
{
	vt_proc_free(&self->p);		/* kills it if it still runs */
	vt_rig_teardown(_metadata, &self->rig);
}

/* Start the program, stdout and stderr in one buffer as a user sees them. */
static int spawn(FIXTURE_DATA(ex) *self, const char *const *args)
{
	static const struct vt_spawn merged = {
		.stdin_fd = -1,
		.merge_stderr = true,
	};

	vt_proc_free(&self->p);
	vt_proc_init(&self->p);
	return vt_proc_startv(&self->p, self->prog, self->prog, &merged, args);
}

/* Run the program to its end; its exit status. */
static int run(FIXTURE_DATA(ex) *self, const char *const *args)
{
	int ret = spawn(self, args);

	return ret ? ret : vt_proc_finish(&self->p, 20000);
}

#define ASSERT_PRINTED(s) \
	ASSERT_NE(NULL, strstr(self->p.obuf, (s)))			\
		TH_LOG("\"%s\" not in the output:\n%s", (s), self->p.obuf)

/* A plain disk: every HRESULT S_OK, 100%, exit 0. */
TEST_F(ex, clean_runs_to_s_ok)
{
	const char *const args[] = { self->rig.ram[1], NULL };

	ASSERT_EQ(0, run(self, args));
	ASSERT_PRINTED("open session: S_OK (0x00000000)");
	ASSERT_PRINTED("Clean: S_OK (0x00000000)");
	ASSERT_PRINTED("100%");
	ASSERT_PRINTED("Wait: S_OK (0x00000000)");
	ASSERT_PRINTED("clean result: S_OK (0x00000000)");
	ASSERT_PRINTED("output type 11: 2097152 of 2097152 bytes");
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, VT_MIB, 0, NULL));
}

/* With the module unloaded, the program's session open loads it. */
TEST_F(ex, loads_the_module)
{
	const char *const args[] = { "--full", self->rig.ram[1], NULL };

	ASSERT_EQ(0, vt_module_unload());
	ASSERT_EQ(0, run(self, args));
	ASSERT_PRINTED("open session: S_OK (0x00000000)");
	ASSERT_PRINTED("clean result: S_OK (0x00000000)");
	ASSERT_PRINTED("output type 11: 8388608 of 8388608 bytes");
	ASSERT_TRUE(vt_module_loaded());
}

/* SIGINT mid-way: Cancel S_OK, the op ends VDS_E_OPERATION_CANCELED, the
 * program says how far it got and exits 1. */
TEST_F(ex, sigint_cancels_the_clean)
{
	const char *const args[] = { "--force", "--full", self->rig.slow, NULL };
	uint64_t start;
	int st;

	ASSERT_EQ(0, spawn(self, args));
	/* wait for a non-zero percentage (a slow full clean takes ~4 s) */
	start = vt_now_ns();
	for (;;) {
		char *pct;

		vt_proc_pump(&self->p, 100);
		pct = strrchr(self->p.obuf, '\r');
		if (pct && strstr(pct, "%") && !strstr(pct, ":   0%"))
			break;
		ASSERT_LE(0, self->p.out) TH_LOG("ended early:\n%s", self->p.obuf);
		ASSERT_GT(15000, vt_ms_since(start))
			TH_LOG("no progress printed:\n%s", self->p.obuf);
	}
	ASSERT_EQ(0, kill(self->p.pid, SIGINT));
	st = vt_proc_finish(&self->p, 20000);
	TH_LOG("output:\n%s", self->p.obuf);
	ASSERT_EQ(1, st);
	ASSERT_PRINTED("Clean: S_OK (0x00000000)");
	ASSERT_PRINTED("Cancel: S_OK (0x00000000)");
	ASSERT_PRINTED("Wait: S_OK (0x00000000)");
	ASSERT_PRINTED("clean result: VDS_E_OPERATION_CANCELED (0x8004240D)");
	ASSERT_PRINTED(" of 8388608 bytes, stopped by Operation canceled\n");
	ASSERT_EQ(NULL, strstr(self->p.obuf, "100%"));
	ASSERT_EQ(0, vt_try_excl(self->rig.slow));
}

/* ext2 without --force: refused before anything is written. */
TEST_F(ex, refuses_a_filesystem_without_force)
{
	const char *const args[] = { self->rig.ram[1], NULL };
	int ret = vt_mkfs_ext2(self->rig.ram[1]);

	if (ret)
		SKIP(return, "no mke2fs (%s)", strerror(-ret));
	ASSERT_EQ(1, run(self, args));
	ASSERT_PRINTED("open session: S_OK (0x00000000)");
	ASSERT_PRINTED("Clean: VDS_E_OPERATION_DENIED (0x8004240A)");
	ASSERT_EQ(NULL, strstr(self->p.obuf, "Wait:"));
}

/* No such device. */
TEST_F(ex, no_such_device)
{
	const char *const args[] = { "/dev/vdsw-no-such-disk", NULL };

	ASSERT_EQ(1, run(self, args));
	ASSERT_PRINTED("Clean: VDS_E_OBJECT_NOT_FOUND (0x80042405)");
}

/* No device argument, or an unknown option: usage, exit 2. */
TEST_F(ex, usage)
{
	const char *const none[] = { NULL };
	const char *const bad[] = { "--bogus", self->rig.ram[1], NULL };

	ASSERT_EQ(2, run(self, none));
	ASSERT_PRINTED("usage:");
	ASSERT_EQ(2, run(self, bad));
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, DEV_MIB * VT_MIB, FILL, NULL));
}

TEST_HARNESS_MAIN
