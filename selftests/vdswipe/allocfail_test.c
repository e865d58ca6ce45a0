// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures (E_OUTOFMEMORY), on a kernel with CONFIG_FAILSLAB and
 * CONFIG_FAIL_PAGE_ALLOC and debugfs: every allocation a call makes is made
 * to fail, one after the other, and every outcome must be clean.
 *
 *  - VDSWIPE_IOC_CLEAN (op, pattern page, signature page, device registry,
 *    op id reservation, the block device's own open): ENOMEM (or another
 *    errno the ABI lists for CLEAN), and nothing left behind: the session
 *    holds no op, the device is not claimed (O_EXCL open works), a following
 *    clean works, the module is not pinned, kmemleak finds nothing;
 *  - open() of /dev/vdswipe: ENOMEM, the module is not pinned;
 *  - module init: finit_module(vdswipe.ko) with injection on walks every
 *    unwinding step of vdswipe_init(); each failing load fails with ENOMEM
 *    and leaves no module and no /dev/vdswipe; then a normal load works.
 *
 * How: task-filtered injection (task-filter=Y, /proc/thread-self/make-it-fail
 * set only around the call, so nothing else in the VM fails), probability
 * 100, interval 1, verbose 0 (no stack traces in the log), ignore-gfp-wait N
 * (GFP_KERNEL allocations fail too), and "space" to place the failure:
 * should_fail() lets allocations through, subtracting their size (bytes for
 * failslab, pages for fail_page_alloc) from "space", until one is at least as
 * big as what is left; that one fails. A first call with a huge space
 * measures the total T a successful call allocates. With space = T the last
 * allocation fails; the space left afterwards tells how much was allocated
 * before the failing one (c), and space = c fails the allocation before it.
 * So the walk runs backwards, exactly one allocation site per iteration, from
 * the last to the first (c = 0), bounded. Pages are few and some come and go
 * between calls (slab refills, KASAN's stack depot): there every space from
 * T down to 0 is tried. Pass 1 fails one allocation
 * (times=1); pass 2 replays, with times=2, the points where the call
 * absorbed that failure, so that the retry or fallback fails too (xarray's
 * GFP_NOWAIT attempt under the lock, then GFP_KERNEL without it: the id
 * reservation's and the device registry's ENOMEM), except behind a failure
 * of kmemleak's own metadata (kmemleak falls back to its pool).
 * Each site is shown in a diagnostic (its size and the caches of that size).
 *
 * With the stack trace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)
 * only allocations with module code on the stack fail (require-start/end:
 * from the kernel image's end up), which keeps load_module()'s own
 * allocations out of the module-init walk, and those below
 * kmem_cache_create() never fail (reject-start/end): it answers a failure
 * with dump_stack(), a "Call Trace" that fails any run. Without the filter
 * the module-init walk is skipped; the others run unfiltered.
 *
 * On a kernel without failslab and fail_page_alloc (Debian's stock kernels)
 * every test is skipped, saying why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

/* the harness's setjmp() wrappers trip -Wclobbered depending on inlining */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "testlib.h"

#define DEBUGFS		"/sys/kernel/debug"
#define KMEMLEAK	DEBUGFS "/kmemleak"
#define REFCNT		"/sys/module/" VT_MODULE "/refcnt"
#define DEV_MIB		8
#define FI_BIG		(1 << 30)	/* more than any call allocates */
#define FI_MAX_SITES	200		/* bound of one walk */
#define OP_TIMEOUT_MS	60000
#define CLEAN_BYTES	(64 * VT_KIB)

/* The files of one fault type that the test sets (and restores). */
static const char *const fi_files[] = {
	"probability", "interval", "times", "space", "verbose", "task-filter",
	"ignore-gfp-wait", "ignore-gfp-highmem", "min-order",
	"stacktrace-depth", "require-start", "require-end", "reject-start",
	"reject-end",
};
#define FI_NR_FILES	(sizeof(fi_files) / sizeof(fi_files[0]))

struct fi {
	const char *name;		/* "failslab", "fail_page_alloc" */
	const char *unit;		/* what "space" counts */
	bool present;
	bool filter;			/* stack trace filter files exist */
	char saved[FI_NR_FILES][64];	/* "" when absent */
};

struct fi_run {
	bool injected;			/* "times" went down */
	bool failed;			/* the call failed (set by the call) */
	int left;			/* "space" afterwards */
};

/* ------------------------------------------------------------ debugfs */

static int fi_path(const struct fi *f, const char *file, char *buf, size_t len)
{
	return snprintf(buf, len, DEBUGFS "/%s/%s", f->name, file) >= (int)len ?
		-ENAMETOOLONG : 0;
}

static int fi_set(const struct fi *f, const char *file, const char *val)
{
	char p[128];

	if (fi_path(f, file, p, sizeof(p)))
		return -ENAMETOOLONG;
	return vt_write_file(p, val);
}

static int fi_setl(const struct fi *f, const char *file, long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", v);
	return fi_set(f, file, b);
}

static int fi_getl(const struct fi *f, const char *file, long long *v)
{
	char p[128], b[64], *end;
	int ret;

	if (fi_path(f, file, p, sizeof(p)))
		return -ENAMETOOLONG;
	ret = vt_read_file(p, b, sizeof(b));
	if (ret < 0)
		return ret;
	errno = 0;
	*v = strtoll(b, &end, 0);
	return errno || end == b ? -EINVAL : 0;
}

static void fi_save(struct fi *f)
{
	char p[128];
	size_t i;

	f->present = !fi_path(f, "probability", p, sizeof(p)) && !access(p, W_OK);
	f->filter = !fi_path(f, "require-start", p, sizeof(p)) && !access(p, W_OK);
	for (i = 0; i < FI_NR_FILES; i++) {
		f->saved[i][0] = '\0';
		if (f->present && !fi_path(f, fi_files[i], p, sizeof(p)) &&
		    vt_read_file(p, f->saved[i], sizeof(f->saved[i])) < 0)
			f->saved[i][0] = '\0';
	}
}

/* Off first, then every value as it was. */
static void fi_restore(struct fi *f)
{
	size_t i;

	if (!f->present)
		return;
	fi_set(f, "probability", "0");
	for (i = 0; i < FI_NR_FILES; i++)
		if (f->saved[i][0] && strcmp(fi_files[i], "probability"))
			fi_set(f, fi_files[i], f->saved[i]);
	if (f->saved[0][0])
		fi_set(f, "probability", f->saved[0]);
}

/* ----------------------------------------------------- stack filter */

struct ksyms {
	unsigned long core_end;		/* above the kernel image: modules */
	unsigned long kcc_start, kcc_end;	/* kmem_cache_create()'s body */
	const char *kcc_name;
};

/*
 * From /proc/kallsyms: the highest address of the kernel image (module code
 * lies above it on x86-64) and the extent of the function that creates slab
 * caches (__kmem_cache_create_args on 6.12, kmem_cache_create_usercopy
 * before). 0 when found, -errno otherwise.
 */
static int read_ksyms(struct ksyms *k)
{
	static const char *const kcc[] = {
		"__kmem_cache_create_args", "kmem_cache_create_usercopy",
	};
	char line[512], name[256], type;
	unsigned long a, next = ~0UL;
	size_t i, best = sizeof(kcc) / sizeof(kcc[0]);
	FILE *fp;

	memset(k, 0, sizeof(*k));
	fp = fopen("/proc/kallsyms", "re");
	if (!fp)
		return -errno;
	/* first pass: the image's end and the function's start */
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%lx %c %255s", &a, &type, name) != 3)
			continue;
		/* a module's symbol, or above the module area (none there) */
		if (strchr(line, '[') || a >= 0xffffffffff000000UL)
			continue;
		if (a > k->core_end)
			k->core_end = a;
		for (i = 0; i < best; i++) {
			if (!strcmp(name, kcc[i])) {
				k->kcc_start = a;
				k->kcc_name = kcc[i];
				best = i;
			}
		}
	}
	if (!k->core_end || !k->kcc_start) {
		fclose(fp);
		return -ENOENT;			/* no symbols, or hidden (0s) */
	}
	/* second pass: the next symbol after the function ends it */
	rewind(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%lx %c %255s", &a, &type, name) == 3 &&
		    a > k->kcc_start && a < next)
			next = a;
	}
	fclose(fp);
	k->kcc_end = next;
	return next == ~0UL ? -ENOENT : 0;
}

/* The filter: module code on the stack, and not below kmem_cache_create. */
static int fi_set_filter(const struct fi *f, const struct ksyms *k)
{
	char b[32];
	int ret = 0;

	ret |= fi_set(f, "stacktrace-depth", "32");
	snprintf(b, sizeof(b), "0x%lx", k->core_end + 1);
	ret |= fi_set(f, "require-start", b);
	ret |= fi_set(f, "require-end", "0xffffffffffffffff");
	snprintf(b, sizeof(b), "0x%lx", k->kcc_start);
	ret |= fi_set(f, "reject-start", b);
	snprintf(b, sizeof(b), "0x%lx", k->kcc_end);
	ret |= fi_set(f, "reject-end", b);
	return ret ? -EIO : 0;
}

static void fi_clear_filter(const struct fi *f)
{
	if (!f->filter)
		return;
	fi_set(f, "require-start", "0");
	fi_set(f, "require-end", "0xffffffffffffffff");
	fi_set(f, "reject-start", "0");
	fi_set(f, "reject-end", "0");
}

/* --------------------------------------------------------- injection */

FIXTURE(af) {
	struct fi slab, page;
	struct ksyms syms;
	bool have_syms;
	int mif;			/* /proc/thread-self/make-it-fail */
	char ram0[64];
	char kptr[16];			/* kptr_restrict as it was, or "" */
	int times;			/* of the current pass */
};

/* Injection ready on @f (the other type off), not yet for this thread. */
static int fi_prepare(FIXTURE_DATA(af) *self, struct fi *f, bool filter)
{
	struct fi *other = f == &self->slab ? &self->page : &self->slab;
	int ret = 0;

	if (other->present)
		fi_set(other, "probability", "0");
	ret |= fi_set(f, "probability", "0");
	ret |= fi_set(f, "interval", "1");
	ret |= fi_set(f, "verbose", "0");
	ret |= fi_set(f, "task-filter", "Y");
	ret |= fi_set(f, "ignore-gfp-wait", "N");
	if (f == &self->page) {
		ret |= fi_set(f, "ignore-gfp-highmem", "N");
		ret |= fi_set(f, "min-order", "0");
	}
	ret |= fi_set(f, "times", "0");
	if (ret)
		return -EIO;
	if (filter)
		ret = fi_set_filter(f, &self->syms);
	else
		fi_clear_filter(f);
	if (ret)
		return ret;
	return fi_set(f, "probability", "100");
}

/* Arm @f for this thread only: the next call's allocations count. */
static int fi_arm(FIXTURE_DATA(af) *self, struct fi *f, int space)
{
	if (fi_setl(f, "space", space) || fi_setl(f, "times", self->times))
		return -EIO;
	/* an open fd: writing it allocates nothing */
	return pwrite(self->mif, "1", 1, 0) == 1 ? 0 : -errno;
}

static void fi_disarm(FIXTURE_DATA(af) *self, struct fi *f, struct fi_run *r)
{
	long long times = -2, left = -1;

	/* before anything else: no allocation of ours may fail from here */
	if (pwrite(self->mif, "0", 1, 0) != 1)
		abort();
	fi_getl(f, "times", &times);
	fi_getl(f, "space", &left);
	fi_setl(f, "times", 0);
	r->injected = times != self->times;
	r->failed = false;
	r->left = (int)left;
}

/* "(kmalloc-64, ...)": the slab caches whose objects are @size bytes. */
static void caches_of(int size, char *buf, size_t len)
{
	char p[300], v[32];
	struct dirent *de;
	size_t n = 0;
	int shown = 0;
	DIR *d;

	buf[0] = '\0';
	n = snprintf(buf, len, "%d bytes", size);
	d = opendir("/sys/kernel/slab");
	if (!d)
		return;
	while ((de = readdir(d)) && n < len && shown < 4) {
		if (de->d_name[0] == '.' || de->d_name[0] == ':')
			continue;
		snprintf(p, sizeof(p), "/sys/kernel/slab/%s/object_size", de->d_name);
		if (vt_read_file(p, v, sizeof(v)) < 0 || atoi(v) != size)
			continue;
		n += snprintf(buf + n, len - n, "%s%s", shown ? ", " : ": ",
			      de->d_name);
		shown++;
	}
	if (n >= len)			/* truncated, still terminated */
		buf[len - 1] = '\0';
	closedir(d);
}

/* kmemleak's metadata per object: its failures are kmemleak's business. */
static int kmemleak_object_size(void)
{
	char v[32];

	if (vt_read_file("/sys/kernel/slab/kmemleak_object/object_size", v,
			 sizeof(v)) < 0)
		return -1;
	return atoi(v);
}

/*
 * One call under injection with @space, and the checks that its outcome is
 * clean. Returns through @r what the injection did.
 */
typedef void (*fi_call_fn)(struct __test_metadata *_metadata,
			   FIXTURE_DATA(af) *self, struct fi *f, int space,
			   struct fi_run *r);

/*
 * The walk: measure, then fail each allocation from the last to the first
 * (pass 1, times=1), then with times=2 where the failure was absorbed (pass 2).
 * Returns the number of allocation sites found.
 */
static int fi_walk(struct __test_metadata *_metadata, FIXTURE_DATA(af) *self,
		   struct fi *f, const char *what, fi_call_fn call)
{
	static int points[FI_MAX_SITES], sizes[FI_MAX_SITES];
	static bool again[FI_MAX_SITES];
	int meta = kmemleak_object_size(), twice = 0, i2f = 0;
	uint64_t t0 = vt_now_ns();
	int total, space, prev, n = 0, i, ok = 0, absorbed = 0;
	struct fi_run r;
	char desc[200];

	self->times = 1;
	call(_metadata, self, f, FI_BIG, &r);
	ASSERT_FALSE(r.injected) TH_LOG("%s: a failure with %d %s of space",
					what, FI_BIG, f->unit);
	total = FI_BIG - r.left;
	TH_LOG("%s/%s: a successful call allocates %d %s under injection",
	       f->name, what, total, f->unit);

	/* pass 1: exactly one allocation fails, the last one first */
	prev = total;
	space = total;
	while (space > 0 && n < FI_MAX_SITES) {
		int before;

		call(_metadata, self, f, space, &r);
		before = space - r.left;	/* allocated before the failure */
		if (!r.injected) {
			TH_LOG("%s/%s: space %d: no failure (the call allocated %d this time)",
			       f->name, what, space, before);
			ok++;
		} else {
			if (f == &self->page)	/* sizes shift: see below */
				snprintf(desc, sizeof(desc), "a page allocation");
			else
				caches_of(prev - before, desc, sizeof(desc));
			TH_LOG("%s/%s: site %d from the end: after %d %s, size %s: %s",
			       f->name, what, n + 1, before, f->unit, desc,
			       r.failed ? "the call failed" :
			       "absorbed (the call succeeded)");
			absorbed += !r.failed;
		}
		/* a second failure matters where the first was absorbed (a
		 * retry, a fallback), not behind kmemleak's own metadata */
		again[n] = r.injected && !r.failed && prev - before != meta;
		sizes[n] = prev - before;
		points[n++] = space;
		ASSERT_LT(before, space);	/* the walk always moves */
		prev = before;
		/*
		 * Pages: a call makes few, but some come and go (slab refills,
		 * KASAN's stack depot) and would shift the jumps past a site:
		 * try every count instead (each order-0 page is 1).
		 */
		space = f == &self->page ? space - 1 : before;
	}
	ASSERT_EQ(0, space) TH_LOG("%s/%s: more than %d allocation sites",
				   f->name, what, FI_MAX_SITES);

	/* pass 2: where absorbed, the next allocation fails too */
	self->times = 2;
	for (i = 0; i < n; i++) {
		if (!again[i])
			continue;
		call(_metadata, self, f, points[i], &r);
		twice++;
		i2f += r.failed;
		TH_LOG("%s/%s: site %d (%d %s) and the next allocation fail: %s",
		       f->name, what, i + 1, sizes[i], f->unit,
		       r.failed ? "the call failed" : "absorbed (the call succeeded)");
	}
	self->times = 1;
	TH_LOG("%s/%s: %d allocation sites failed: the call failed cleanly at %d, succeeded at %d; %d calls saw no failure; %d sites failed twice in a row (%d calls failed cleanly); %llu ms",
	       f->name, what, n - ok, n - ok - absorbed, absorbed, ok, twice,
	       i2f, (unsigned long long)vt_ms_since(t0));
	return n;
}

/* ------------------------------------------------------------ checks */

static int refcnt(void)
{
	uint64_t v;

	return vt_read_u64(REFCNT, &v) ? -1 : (int)v;
}

/* Every errno VDSWIPE_IOC_CLEAN may give when an allocation fails. */
static bool clean_errno_ok(int err)
{
	switch (err) {
	case ENOMEM:
	case EIO:	/* the signature check's read (a bio or page failed) */
	case ENXIO:	/* opening the device failed */
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------- calls */

static void call_clean(struct __test_metadata *_metadata,
		       FIXTURE_DATA(af) *self, struct fi *f, int space,
		       struct fi_run *r)
{
	struct vdswipe_status st;
	struct vdswipe_clean c;
	uint32_t n = 99;
	uint64_t id;
	int s, fd, ret;

	/* a fresh session: its first op id needs a new xarray node */
	s = vt_session_open();
	ASSERT_LE(0, s);
	fd = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, fd);
	/* a small range: the same allocations as a whole-device clean */
	vt_clean_init(&c, fd, VDSWIPE_CLEAN_RANGE, VDSWIPE_METHOD_PATTERN);
	c.pattern = 0x5A;
	c.offset = 0;
	c.length = CLEAN_BYTES;

	ASSERT_EQ(0, fi_arm(self, f, space));
	ret = ioctl(s, VDSWIPE_IOC_CLEAN, &c) ? -errno : 0;
	fi_disarm(self, f, r);

	r->failed = ret != 0;
	if (!ret) {			/* the failure was absorbed */
		ASSERT_EQ(0, vt_finish(s, c.op_id, OP_TIMEOUT_MS, &st));
		ASSERT_EQ(VDSWIPE_STATE_DONE, st.state)
			TH_LOG("space %d: the op ended %s (%d)", space,
			       vt_state_name(st.state), st.result);
	} else {
		ASSERT_TRUE(clean_errno_ok(-ret))
			TH_LOG("space %d: CLEAN failed with %s", space,
			       strerror(-ret));
		ASSERT_TRUE(r->injected) TH_LOG("space %d: CLEAN failed (%s) without an injected failure",
						space, strerror(-ret));
		/* nothing left behind: no op, no claim */
		ASSERT_EQ(0, vt_cancel_all(s, &n));
		ASSERT_EQ(0, n);
		ASSERT_EQ(0, vt_try_excl(self->ram0))
			TH_LOG("space %d: the device is still claimed", space);
		/* and the next clean works */
		ASSERT_EQ(0, vt_submit(s, fd, VDSWIPE_CLEAN_RANGE,
				       VDSWIPE_METHOD_PATTERN, 0xA5, 0,
				       CLEAN_BYTES, &id, NULL));
		ASSERT_EQ(0, vt_finish(s, id, OP_TIMEOUT_MS, &st));
		ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	}
	close(fd);
	close(s);
	ASSERT_EQ(0, refcnt()) TH_LOG("space %d: the module is still pinned",
				      space);
}

static void call_open(struct __test_metadata *_metadata,
		      FIXTURE_DATA(af) *self, struct fi *f, int space,
		      struct fi_run *r)
{
	struct vdswipe_version v;
	int s, err;

	ASSERT_EQ(0, fi_arm(self, f, space));
	s = open(VT_DEV_NODE, O_RDWR | O_CLOEXEC);
	err = errno;
	fi_disarm(self, f, r);
	r->failed = s < 0;
	if (s >= 0) {
		ASSERT_EQ(0, vt_version(s, &v));
		close(s);
	} else {
		ASSERT_EQ(ENOMEM, err) TH_LOG("space %d: open: %s", space,
					      strerror(err));
	}
	ASSERT_EQ(0, refcnt()) TH_LOG("space %d: the module is still pinned",
				      space);
}

/* vt_wait_node() for a character device node. */
static int wait_char_node(const char *path, unsigned int timeout_ms)
{
	uint64_t start = vt_now_ns();
	struct stat sb;

	while (stat(path, &sb) || !S_ISCHR(sb.st_mode)) {
		if (vt_ms_since(start) >= timeout_ms)
			return -ENOENT;
		vt_sleep_ms(5);
	}
	return 0;
}

static char ko_path[512];

/* Where modprobe finds vdswipe.ko for the running kernel. */
static int find_ko(void)
{
	struct utsname u;
	FILE *p;

	if (uname(&u))
		return -errno;
	snprintf(ko_path, sizeof(ko_path), "/lib/modules/%s/extra/%s.ko",
		 u.release, VT_MODULE);
	if (!access(ko_path, R_OK))
		return 0;
	p = popen("modinfo -n " VT_MODULE " 2>/dev/null", "r");
	if (!p)
		return -errno;
	if (!fgets(ko_path, sizeof(ko_path), p))
		ko_path[0] = '\0';
	pclose(p);
	ko_path[strcspn(ko_path, "\n")] = '\0';
	return ko_path[0] && !access(ko_path, R_OK) ? 0 : -ENOENT;
}

static void call_insmod(struct __test_metadata *_metadata,
			FIXTURE_DATA(af) *self, struct fi *f, int space,
			struct fi_run *r)
{
	int kfd, ret, err;

	ASSERT_FALSE(vt_module_loaded());
	kfd = open(ko_path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, kfd);
	ASSERT_EQ(0, fi_arm(self, f, space));
	ret = syscall(SYS_finit_module, kfd, "", 0);
	err = errno;
	fi_disarm(self, f, r);
	close(kfd);
	r->failed = ret != 0;
	if (!ret) {			/* the failure was absorbed */
		/* devtmpfs ignores its own allocation failures: no node */
		if (wait_char_node(VT_DEV_NODE, 2000))
			TH_LOG("space %d: loaded, but devtmpfs made no %s",
			       space, VT_DEV_NODE);
		ASSERT_EQ(0, vt_module_unload());
	} else {
		ASSERT_EQ(ENOMEM, err) TH_LOG("space %d: init: %s", space,
					      strerror(err));
		ASSERT_FALSE(vt_module_loaded());
		ASSERT_NE(0, access(VT_DEV_NODE, F_OK))
			TH_LOG("space %d: /dev/vdswipe without the module",
			       space);
	}
}

/* ----------------------------------------------------------- fixture */

FIXTURE_SETUP(af)
{
	int ret;

	self->mif = -1;
	self->kptr[0] = '\0';
	self->slab.name = "failslab";
	self->slab.unit = "bytes";
	self->page.name = "fail_page_alloc";
	self->page.unit = "pages";
	if (access(DEBUGFS "/failslab", F_OK) &&
	    access(DEBUGFS "/fail_page_alloc", F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	fi_save(&self->slab);
	fi_save(&self->page);
	if (!self->slab.present && !self->page.present)
		SKIP(return, "no fault injection: the kernel has neither CONFIG_FAILSLAB nor CONFIG_FAIL_PAGE_ALLOC with CONFIG_FAULT_INJECTION_DEBUG_FS (no %s/failslab, %s/fail_page_alloc)",
		     DEBUGFS, DEBUGFS);
	self->mif = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (self->mif < 0)
		SKIP(return, "no /proc/thread-self/make-it-fail: %s",
		     strerror(errno));

	/* real addresses for the stack trace filter (root sees them at 1) */
	if (vt_read_file("/proc/sys/kernel/kptr_restrict", self->kptr,
			 sizeof(self->kptr)) < 0)
		self->kptr[0] = '\0';
	else
		vt_write_file("/proc/sys/kernel/kptr_restrict", "1");
	self->have_syms = !read_ksyms(&self->syms);
	if (self->kptr[0])
		vt_write_file("/proc/sys/kernel/kptr_restrict", self->kptr);
	if (self->have_syms)
		TH_LOG("filter: module code above 0x%lx; never below %s [0x%lx, 0x%lx)",
		       self->syms.core_end, self->syms.kcc_name,
		       self->syms.kcc_start, self->syms.kcc_end);

	vt_cleanup_leftovers();
	ASSERT_EQ(0, vt_module_reload(NULL));
	ret = vt_brd_load(1, DEV_MIB, 0);
	if (ret)
		SKIP(return, "no brd (%s)", strerror(-ret));
	vt_brd_path(0, self->ram0, sizeof(self->ram0));
	ASSERT_EQ(0, vt_fill(self->ram0, 0, DEV_MIB * VT_MIB, 0));
}

FIXTURE_TEARDOWN(af)
{
	if (self->mif >= 0) {
		if (pwrite(self->mif, "0", 1, 0) != 1)
			TH_LOG("make-it-fail stays set: %s", strerror(errno));
		close(self->mif);
	}
	fi_restore(&self->slab);
	fi_restore(&self->page);
	vt_brd_unload();
	vt_module_unload();
}

/* The filter when the kernel has it; a walk without it otherwise. */
static bool use_filter(FIXTURE_DATA(af) *self, struct fi *f)
{
	return f->filter && self->have_syms;
}

#define NEED(f) do {							\
	if (!(f)->present)						\
		SKIP(return, "no %s/%s: the kernel lacks %s", DEBUGFS,	\
		     (f)->name, (f) == &self->slab ? "CONFIG_FAILSLAB" :	\
		     "CONFIG_FAIL_PAGE_ALLOC");				\
} while (0)

/* CLEAN: op, device registry, op id, the device's open, signature check. */
TEST_F_TIMEOUT(af, clean_slab, 150)
{
	/* the first test: from here on, only what the walks leak counts */
	if (!access(KMEMLEAK, W_OK))
		vt_write_file(KMEMLEAK, "clear");
	NEED(&self->slab);
	ASSERT_EQ(0, fi_prepare(self, &self->slab,
				use_filter(self, &self->slab)));
	ASSERT_LT(2, fi_walk(_metadata, self, &self->slab, "CLEAN", call_clean));
	ASSERT_EQ(0, vt_module_unload());
}

/* CLEAN: the pattern page and the signature check's page. */
TEST_F_TIMEOUT(af, clean_pages, 120)
{
	NEED(&self->page);
	ASSERT_EQ(0, fi_prepare(self, &self->page,
				use_filter(self, &self->page)));
	ASSERT_LT(1, fi_walk(_metadata, self, &self->page, "CLEAN", call_clean));
	ASSERT_EQ(0, vt_module_unload());
}

/* open(): the session. */
TEST_F_TIMEOUT(af, open_slab, 60)
{
	NEED(&self->slab);
	ASSERT_EQ(0, fi_prepare(self, &self->slab,
				use_filter(self, &self->slab)));
	ASSERT_LT(0, fi_walk(_metadata, self, &self->slab, "open", call_open));
	ASSERT_EQ(0, vt_module_unload());
}

TEST_F_TIMEOUT(af, open_pages, 60)
{
	NEED(&self->page);
	ASSERT_EQ(0, fi_prepare(self, &self->page,
				use_filter(self, &self->page)));
	fi_walk(_metadata, self, &self->page, "open", call_open);
	ASSERT_EQ(0, vt_module_unload());
}

/*
 * Module init: every step of vdswipe_init() and its unwinding. Only with
 * the stack trace filter: unfiltered, the walk would fail load_module()'s
 * own allocations (vmalloc answers with a stack dump) and
 * kmem_cache_create() (dump_stack()).
 */
TEST_F_TIMEOUT(af, init_slab, 200)
{
	struct vdswipe_status st;
	uint64_t id;
	int s, fd;

	NEED(&self->slab);
	if (!use_filter(self, &self->slab))
		SKIP(return, "no stack trace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER, readable /proc/kallsyms): the walk would fail load_module()'s and kmem_cache_create()'s allocations, which dump stacks");
	ASSERT_EQ(0, find_ko()) TH_LOG("vdswipe.ko not found");
	TH_LOG("loading %s", ko_path);
	ASSERT_EQ(0, vt_brd_unload());
	ASSERT_EQ(0, vt_module_unload());
	ASSERT_EQ(0, fi_prepare(self, &self->slab, true));
	ASSERT_LT(2, fi_walk(_metadata, self, &self->slab, "init",
			     call_insmod));
	fi_set(&self->slab, "probability", "0");

	/* a normal load works, and so does a clean */
	ASSERT_EQ(0, vt_module_load(NULL));
	ASSERT_EQ(0, vt_brd_load(1, DEV_MIB, 0));
	s = vt_session_open();
	ASSERT_LE(0, s);
	fd = vt_open(self->ram0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_submit(s, fd, 0, VDSWIPE_METHOD_ZERO, 0, 0, 0, &id,
			       NULL));
	ASSERT_EQ(0, vt_finish(s, id, OP_TIMEOUT_MS, &st));
	ASSERT_EQ(VDSWIPE_STATE_DONE, st.state);
	close(fd);
	close(s);
	ASSERT_EQ(0, vt_module_unload());
}

/*
 * Last: what the walks above left unreferenced (kmemleak was cleared by the
 * first test, so only what this program's walks leaked counts).
 */
TEST_F_TIMEOUT(af, no_leak_after_the_walks, 120)
{
	char buf[4096];
	int ret;

	if (access(KMEMLEAK, W_OK))
		SKIP(return, "no kmemleak (%s): leaks not checked", KMEMLEAK);
	/*
	 * Unloaded first: what only the module's own data still points to
	 * shows then. An object is reported once it is 5 s old and unchanged
	 * between two scans.
	 */
	ASSERT_EQ(0, vt_module_unload());
	vt_sleep_ms(5500);
	ASSERT_EQ(0, vt_write_file(KMEMLEAK, "scan"));
	vt_sleep_ms(1000);
	ASSERT_EQ(0, vt_write_file(KMEMLEAK, "scan"));
	ret = vt_read_file(KMEMLEAK, buf, sizeof(buf));
	ASSERT_LE(0, ret);
	ASSERT_EQ(0, ret) TH_LOG("kmemleak found leaks:\n%s", buf);
}

TEST_HARNESS_MAIN
