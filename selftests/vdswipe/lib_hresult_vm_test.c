// SPDX-License-Identifier: GPL-2.0
/*
 * libvdswipe through the real module: every HRESULT of the IVdsAsync::Cancel
 * seed table, each reached from a real condition in the VM.
 *
 *   S_OK                            a clean that runs to its end
 *   VDS_E_NOT_SUPPORTED             Cancel of a discard op; a discard clean
 *                                   of a device without discard
 *   VDS_E_OPERATION_CANCELED        the op's result after a Cancel, and a
 *                                   second Cancel
 *   VDS_E_CANCEL_TOO_LATE           Cancel of an op that has ended
 *   VDS_E_INCOMPATIBLE_FILE_SYSTEM  the device is mounted, or held O_EXCL
 *   VDS_E_INCOMPATIBLE_MEDIA        not a block device; a zoned device
 *   VDS_E_ACCESS_DENIED             no CAP_SYS_ADMIN; not root; a read-only fd
 *   E_OUTOFMEMORY                   the session holds max_ops ops
 *
 * The slow device is a dm-delay table over ram0 that holds every write for
 * WRITE_DELAY_MS (256 KiB chunks, 4 in flight: about 2 MiB/s); ram1 is a
 * plain brd disk filled with FILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <vdswipe/vdswipe.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"
#include "fixtures.h"
#include "lib_vmtest.h"

#define MOD_PARAMS	"chunk_size=262144"
#define DEV_MIB		16
#define WRITE_DELAY_MS	500
#define FILL		0xA5
#define NASYNC		4

/* ------------------------------------------------------------------ */
/* Local helpers (kept in this file: testlib is not libvdswipe-aware)  */
/* ------------------------------------------------------------------ */

/* Results a forked child hands back. */
struct child_res {
	int n;
	HRESULT hr[8];
	char why[8][200];
};

static void child_put(struct child_res *r, HRESULT hr)
{
	if (r->n >= 8)
		return;
	snprintf(r->why[r->n], sizeof(r->why[0]), "%s", vdsw_last_error());
	r->hr[r->n++] = hr;
}

enum drop_how { DROP_CAP, DROP_NOBODY };

static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	d[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].inheritable &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, d) ? -errno : 0;
}

/*
 * Fork; the child drops @cap (DROP_CAP) or becomes nobody (DROP_NOBODY),
 * runs fn, whose HRESULTs come back in @res. 0, or -1 if the child failed.
 */
static int in_child(enum drop_how how, int cap,
		    void (*fn)(void *arg, struct child_res *r), void *arg,
		    struct child_res *res)
{
	struct child_res *shm;
	pid_t pid;
	int st;

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return -1;
	memset(shm, 0, sizeof(*shm));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (how == DROP_CAP) {
			if (drop_cap(cap))
				_exit(3);
		} else if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			   setresuid(65534, 65534, 65534)) {
			_exit(3);
		}
		fn(arg, shm);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	*res = *shm;
	munmap(shm, sizeof(*shm));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */

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

FIXTURE(hr) {
	struct vt_rig rig;
	struct vdsw_session *sess;
	struct vdsw_async *a[NASYNC];
	char nullb[64], mnt[128];
	int holdfd;
	uint64_t size;
};

FIXTURE_SETUP(hr)
{
	self->holdfd = -1;
	self->size = DEV_MIB * VT_MIB;
	if (!vt_rig_setup(_metadata, &self->rig, &rig_opts))
		return;
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
}

FIXTURE_TEARDOWN(hr)
{
	int i;

	for (i = 0; i < NASYNC; i++)
		if (self->a[i])
			vdsw_async_release(self->a[i]);
	if (self->sess)
		vdsw_session_close(self->sess);
	if (self->holdfd >= 0)
		close(self->holdfd);
	if (self->mnt[0])
		vt_umount(self->mnt);
	unlink("/tmp/vdsw-regular-file");
	vt_nullb_destroy("vdswnb");
	vt_rig_teardown(_metadata, &self->rig);
}

/* Start a full, forced clean of the slow device and wait until it writes. */
#define START_SLOW(idx) do {						\
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.slow, 1, 1, 1,	\
				   NULL, &self->a[idx]));		\
	ASSERT_EQ(0, wait_running(self->sess, self->a[idx]));		\
} while (0)

static int make_nullb(FIXTURE_DATA(hr) *self, bool discard, bool zoned)
{
	struct vt_nullb_opts o = {
		.size_mib = 8, .memory_backed = true, .discard = discard,
		.zoned = zoned,
	};

	return vt_nullb_create("vdswnb", &o, self->nullb, sizeof(self->nullb));
}

/* S_OK: a quick clean runs to its end; Wait and QueryStatus agree. */
TEST_F(hr, s_ok_quick_clean)
{
	struct vdsw_async_output out;
	HRESULT op;
	uint32_t pct;

	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 0, 0, 0, NULL,
				   &self->a[0]));
	ASSERT_NE(0, vdsw_async_op_id(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(VDS_ASYNC_OUTPUT_CLEAN, out.type);
	ASSERT_EQ(VDSWIPE_STATE_DONE, out.state);
	ASSERT_EQ(0, out.error);
	ASSERT_EQ(100, out.percent);
	ASSERT_EQ(2 * VT_MIB, out.bytes_total);
	ASSERT_EQ(2 * VT_MIB, out.bytes_done);
	ASSERT_EQ(~0ULL, out.error_offset);
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(100, pct);
	/* the first and last MiB are zero, the rest untouched */
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, VT_MIB, 0, NULL));
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], self->size - VT_MIB, VT_MIB, 0,
				   NULL));
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], VT_MIB, self->size - 2 * VT_MIB,
				   FILL, NULL));
}

/* S_OK: a full clean zeroes everything. */
TEST_F(hr, s_ok_full_clean)
{
	struct vdsw_async_output out;
	uint64_t bad = 0;
	HRESULT op;

	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 0, 0, 1, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(self->size, out.bytes_total);
	ASSERT_EQ(self->size, out.bytes_done);
	ASSERT_EQ(100, out.percent);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, 0, &bad))
		TH_LOG("byte %llu not zero", (unsigned long long)bad);
}

/* VDS_E_NOT_SUPPORTED: a discard clean of a device without discard. */
TEST_F(hr, not_supported_discard_without_device_support)
{
	struct vdsw_clean_opts o = {
		.size = sizeof(o), .method = VDSWIPE_METHOD_DISCARD,
	};
	int ret = make_nullb(self, false, false);

	if (ret)
		SKIP(return, "no null_blk (%s)", strerror(-ret));
	ASSERT_HR(VDS_E_NOT_SUPPORTED, vdsw_clean(self->sess, self->nullb, 1,
						  1, 1, &o, &self->a[0]));
	ASSERT_EQ(NULL, self->a[0]);
}

/* VDS_E_NOT_SUPPORTED: Cancel of a discard op, before and after its end;
 * the refused Cancel leaves the op to run to S_OK. */
TEST_F(hr, not_supported_cancel_of_discard_op)
{
	struct vdsw_clean_opts o = {
		.size = sizeof(o), .method = VDSWIPE_METHOD_DISCARD,
	};
	struct vdsw_async_output out;
	HRESULT op;
	int ret = make_nullb(self, true, false);

	if (ret)
		SKIP(return, "no discard null_blk (%s)", strerror(-ret));
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->nullb, 1, 1, 1, &o,
				   &self->a[0]));
	ASSERT_HR(VDS_E_NOT_SUPPORTED, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(VDSWIPE_STATE_DONE, out.state);
	ASSERT_EQ(100, out.percent);
	ASSERT_HR(VDS_E_NOT_SUPPORTED, vdsw_async_cancel(self->a[0]));
}

/* VDS_E_OPERATION_CANCELED: the op's result after Cancel, and the answer
 * to a second Cancel. */
TEST_F(hr, operation_canceled)
{
	struct vdsw_async_output out;
	HRESULT op;
	uint32_t pct;

	START_SLOW(0);
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
	ASSERT_GT(100, pct);
	ASSERT_HR(VDS_E_OPERATION_CANCELED, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, &out));
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
	ASSERT_EQ(VDSWIPE_STATE_CANCELLED, out.state);
	ASSERT_EQ(ECANCELED, out.error);
	ASSERT_GT(100, out.percent);
	ASSERT_GT(self->size, out.bytes_done);
	/* the device is free again */
	ASSERT_EQ(0, vt_try_excl(self->rig.slow));
}

/* VDS_E_OPERATION_CANCELED: every later Cancel of a cancelled op. */
TEST_F(hr, operation_canceled_on_every_later_cancel)
{
	HRESULT op;

	START_SLOW(0);
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(VDS_E_OPERATION_CANCELED, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(VDS_E_OPERATION_CANCELED, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, NULL));
	ASSERT_HR(VDS_E_OPERATION_CANCELED, op);
}

/* VDS_E_CANCEL_TOO_LATE: the op has ended; its result stays S_OK. */
TEST_F(hr, cancel_too_late_after_done)
{
	HRESULT op;
	uint32_t pct;

	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 0, 0, 0, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
	ASSERT_HR(VDS_E_CANCEL_TOO_LATE, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(VDS_E_CANCEL_TOO_LATE, vdsw_async_cancel(self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, &pct));
	ASSERT_HR(S_OK, op);
	ASSERT_EQ(100, pct);
}

/* VDS_E_INCOMPATIBLE_FILE_SYSTEM: the device is mounted. */
TEST_F(hr, incompatible_file_system_mounted)
{
	struct vdsw_probe_info info;
	int ret;

	ret = vt_mkfs_ext2(self->rig.ram[1]);
	if (ret)
		SKIP(return, "no mke2fs (%s)", strerror(-ret));
	ret = vt_mount_ext2(self->rig.ram[1], "hr", self->mnt, sizeof(self->mnt));
	if (ret) {
		self->mnt[0] = '\0';
		SKIP(return, "cannot mount ext2 (%s)", strerror(-ret));
	}
	ASSERT_HR(VDS_E_INCOMPATIBLE_FILE_SYSTEM,
		  vdsw_clean(self->sess, self->rig.ram[1], 1, 0, 0, NULL, &self->a[0]));
	ASSERT_HR(VDS_E_INCOMPATIBLE_FILE_SYSTEM,
		  vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 1, NULL, &self->a[0]));
	ASSERT_EQ(NULL, self->a[0]);
	/* nothing was written: the filesystem is still there */
	ASSERT_HR(VDS_E_OPERATION_DENIED,
		  vdsw_check_device(self->rig.ram[1], 0, 0, &info));
	ASSERT_STREQ("ext2", info.fstype);
}

/* VDS_E_INCOMPATIBLE_FILE_SYSTEM: held O_EXCL by someone else; once the
 * holder is gone the same clean is S_OK. */
TEST_F(hr, incompatible_file_system_held_exclusively)
{
	HRESULT op;

	self->holdfd = vt_open(self->rig.ram[1], O_RDONLY | O_EXCL);
	ASSERT_LE(0, self->holdfd);
	ASSERT_HR(VDS_E_INCOMPATIBLE_FILE_SYSTEM,
		  vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 0, NULL, &self->a[0]));
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL, NULL));
	close(self->holdfd);
	self->holdfd = -1;
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 1, 1, 0, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
}

/* VDS_E_INCOMPATIBLE_MEDIA: not a block device (library by path, kernel by
 * fd). */
TEST_F(hr, incompatible_media_not_a_block_device)
{
	int fd;

	ASSERT_HR(VDS_E_INCOMPATIBLE_MEDIA,
		  vdsw_clean(self->sess, "/dev/null", 1, 1, 0, NULL, &self->a[0]));
	fd = vt_open("/tmp/vdsw-regular-file", O_RDWR | O_CREAT | O_TRUNC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, VT_MIB));
	ASSERT_HR(VDS_E_INCOMPATIBLE_MEDIA,
		  vdsw_clean(self->sess, "/tmp/vdsw-regular-file", 1, 1, 0, NULL,
			     &self->a[0]));
	/* by fd, with the safety checks (they accept a regular file) */
	ASSERT_HR(VDS_E_INCOMPATIBLE_MEDIA,
		  vdsw_clean_fd(self->sess, fd, 1, 0, 0, NULL, &self->a[0]));
	/* by fd, straight to the kernel */
	ASSERT_HR(VDS_E_INCOMPATIBLE_MEDIA,
		  vdsw_clean_fd(self->sess, fd, 1, 1, 0, NULL, &self->a[0]));
	close(fd);
	ASSERT_EQ(NULL, self->a[0]);
}

/* VDS_E_INCOMPATIBLE_MEDIA: a zoned device. */
TEST_F(hr, incompatible_media_zoned)
{
	int ret = make_nullb(self, false, true);

	if (ret)
		SKIP(return, "no zoned null_blk (%s)", strerror(-ret));
	ASSERT_HR(VDS_E_INCOMPATIBLE_MEDIA,
		  vdsw_clean(self->sess, self->nullb, 1, 1, 1, NULL, &self->a[0]));
	ASSERT_HR(VDS_E_INCOMPATIBLE_MEDIA,
		  vdsw_clean(self->sess, self->nullb, 1, 0, 0, NULL, &self->a[0]));
	ASSERT_EQ(NULL, self->a[0]);
}

struct noadmin_arg {
	struct vdsw_session *sess;
	struct vdsw_async *running;
	const char *dev;
};

static void noadmin_calls(void *p, struct child_res *r)
{
	struct noadmin_arg *arg = p;
	struct vdsw_session *s = NULL;
	struct vdsw_async *a = NULL;
	uint32_t n = 7;
	HRESULT op = 0;

	/* a session opened without the capability: its rights are the
	 * opener's, whoever calls */
	child_put(r, vdsw_session_open(NULL, &s));
	if (s) {
		child_put(r, vdsw_clean(s, arg->dev, 1, 1, 0, NULL, &a));
		child_put(r, vdsw_session_cancel_all(s, &n));
		child_put(r, (HRESULT)n);
		vdsw_session_close(s);
	}
	/* QueryStatus needs no privilege */
	child_put(r, vdsw_async_query_status(arg->running, &op, NULL));
	child_put(r, op);
}

/* VDS_E_ACCESS_DENIED: Clean and cancel-all on a session opened without
 * CAP_SYS_ADMIN; the running op of the privileged session is untouched. */
TEST_F(hr, access_denied_without_cap_sys_admin)
{
	struct noadmin_arg arg;
	struct child_res r;
	HRESULT op;
	int i;

	START_SLOW(0);
	arg.sess = self->sess;
	arg.running = self->a[0];
	arg.dev = self->rig.ram[1];
	ASSERT_EQ(0, in_child(DROP_CAP, CAP_SYS_ADMIN, noadmin_calls, &arg, &r));
	ASSERT_EQ(6, r.n);
	for (i = 0; i < r.n; i++)
		TH_LOG("child call %d: %s (0x%08X) %s", i, hr_name(r.hr[i]),
		       (unsigned int)r.hr[i], r.why[i]);
	ASSERT_HR(S_OK, r.hr[0]);
	ASSERT_HR(VDS_E_ACCESS_DENIED, r.hr[1]);
	ASSERT_HR(VDS_E_ACCESS_DENIED, r.hr[2]);
	ASSERT_EQ(0, r.hr[3]);
	ASSERT_HR(S_OK, r.hr[4]);
	ASSERT_HR(VDS_E_OPERATION_PENDING, r.hr[5]);
	/* ram1 untouched, the slow op still running */
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL, NULL));
	ASSERT_HR(S_OK, vdsw_async_query_status(self->a[0], &op, NULL));
	ASSERT_HR(VDS_E_OPERATION_PENDING, op);
	ASSERT_HR(S_OK, vdsw_async_cancel(self->a[0]));
}

static void nobody_calls(void *p, struct child_res *r)
{
	struct noadmin_arg *arg = p;
	struct vdsw_session *s = NULL;
	struct vdsw_async *a = NULL;

	child_put(r, vdsw_session_open(NULL, &s));
	if (s)
		vdsw_session_close(s);
	/* the inherited session: the device node cannot be opened */
	child_put(r, vdsw_clean(arg->sess, arg->dev, 1, 1, 0, NULL, &a));
}

/* VDS_E_ACCESS_DENIED: not root, /dev/vdswipe (0600) cannot be opened, nor
 * can the device. */
TEST_F(hr, access_denied_not_root)
{
	struct noadmin_arg arg = { .sess = self->sess, .dev = self->rig.ram[1] };
	struct child_res r;

	ASSERT_EQ(0, in_child(DROP_NOBODY, 0, nobody_calls, &arg, &r));
	ASSERT_EQ(2, r.n);
	TH_LOG("open: %s; clean: %s", r.why[0], r.why[1]);
	ASSERT_HR(VDS_E_ACCESS_DENIED, r.hr[0]);
	ASSERT_HR(VDS_E_ACCESS_DENIED, r.hr[1]);
}

/* VDS_E_ACCESS_DENIED: vdsw_clean_fd() of an fd not open for writing. */
TEST_F(hr, access_denied_fd_not_open_for_writing)
{
	int fd = vt_open(self->rig.ram[1], O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_HR(VDS_E_ACCESS_DENIED,
		  vdsw_clean_fd(self->sess, fd, 1, 1, 0, NULL, &self->a[0]));
	ASSERT_HR(VDS_E_ACCESS_DENIED,
		  vdsw_clean_fd(self->sess, fd, 0, 0, 0, NULL, &self->a[0]));
	close(fd);
	ASSERT_EQ(0, vt_check_fill(self->rig.ram[1], 0, self->size, FILL, NULL));
}

/* E_OUTOFMEMORY: the session holds max_ops ops (ended ones count until
 * released). */
TEST_F(hr, outofmemory_session_holds_max_ops)
{
	HRESULT op;

	ASSERT_HR(S_OK, vdsw_session_close(self->sess));
	self->sess = NULL;
	ASSERT_EQ(0, vt_module_reload("max_ops=1 " MOD_PARAMS));
	ASSERT_HR(S_OK, vdsw_session_open(NULL, &self->sess));
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 0, 0, 0, NULL,
				   &self->a[0]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[0], &op, NULL));
	ASSERT_HR(S_OK, op);
	ASSERT_HR(E_OUTOFMEMORY, vdsw_clean(self->sess, self->rig.ram[1], 0, 0, 0,
					    NULL, &self->a[1]));
	ASSERT_EQ(NULL, self->a[1]);
	ASSERT_HR(E_OUTOFMEMORY, vdsw_clean(self->sess, self->rig.slow, 1, 1, 0,
					    NULL, &self->a[1]));
	ASSERT_HR(S_OK, vdsw_async_release(self->a[0]));
	self->a[0] = NULL;
	ASSERT_HR(S_OK, vdsw_clean(self->sess, self->rig.ram[1], 0, 0, 0, NULL,
				   &self->a[1]));
	ASSERT_HR(S_OK, vdsw_async_wait(self->a[1], &op, NULL));
	ASSERT_HR(S_OK, op);
}

TEST_HARNESS_MAIN
