/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tool.h - what the source files of the vdswipe command share.
 */
#ifndef VDSWIPE_TOOL_H
#define VDSWIPE_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include <vdswipe/vdswipe.h>

#define TOOL_VERSION	"1.1"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Exit status, one per class of result (vdswipe(8), EXIT STATUS).
 * Keep the man page and Documentation/vdswipe/admin-guide.rst in step.
 */
enum {
	EX_OK = 0,		/* S_OK everywhere */
	EX_FAILURE = 1,		/* anything else: out of memory, unknown code */
	EX_USAGE = 2,		/* bad command line or invalid arguments */
	EX_REFUSED = 3,		/* refused before start: mounted, in use,
				 * signature without --force, not confirmed */
	EX_ACCESS = 4,		/* no privilege / no access */
	EX_DEVICE = 5,		/* no such device, no media, read-only,
				 * unsupported by the device */
	EX_IOERROR = 6,		/* the clean failed with an I/O error */
	EX_MODULE = 7,		/* vdswipe module missing or unusable */
	EX_PARTIAL = 8,		/* VDS_S_DISK_PARTIALLY_CLEANED */
	EX_VERIFY = 9,		/* VDSW_E_VERIFY_MISMATCH: read back, differs */
	EX_CANCELLED = 130,	/* cancelled by the user (SIGINT/SIGTERM) */
};

/* HRESULT_FROM_WIN32(ERROR_CANCELLED): the user did not confirm. */
#define TOOL_HR_NOT_CONFIRMED	HRESULT_FROM_WIN32(ERROR_CANCELLED)

/* output.c: HRESULTs */
const char *hr_name(HRESULT hr);		/* never NULL: "?" if unknown */
const char *hr_name_or_null(HRESULT hr);
const char *hr_message(HRESULT hr);
bool hr_known_to_lib(HRESULT hr);
int hr_exit_class(HRESULT hr);
/* "NAME (0xXXXXXXXX): description" into buf */
const char *hr_format(HRESULT hr, char *buf, size_t len);
/* Print "vdswipe: CTX: NAME (0x...): description" and, when detail is not
 * empty, "vdswipe: CTX: detail" to f; a NULL or empty CTX is left out
 * (an empty device path: its detail says so). */
void hr_report(FILE *f, const char *ctx, HRESULT hr, const char *detail);
/* Every code the tool knows by name (libvdswipe's first, then winerror.h
 * extras); returns how many. */
size_t hr_table(const HRESULT **codes);
/* Look a name up (case-insensitive); true if found. */
bool hr_by_name(const char *name, HRESULT *hr);

/* output.c: formatting */
const char *fmt_bytes(uint64_t b, char *buf, size_t len);	/* "12.3 MiB" */
const char *fmt_duration(double s, char *buf, size_t len);	/* "1:02" */
double now_s(void);						/* CLOCK_MONOTONIC */
/* Parse "123", "0x1000", "4K", "16MiB", "1G", "1GB"; false on error. */
bool parse_size(const char *s, uint64_t *val);

/* output.c: one JSON object per line on stdout, built with json-c */
struct json_object;
struct jline {
	struct json_object *obj;
};
/* plain (one line), "/" not escaped */
#define JSON_OUT_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
void jl_begin(struct jline *j, const char *event);
void jl_str(struct jline *j, const char *key, const char *val);	/* NULL: null */
void jl_u64(struct jline *j, const char *key, uint64_t val);
void jl_i64(struct jline *j, const char *key, int64_t val);
void jl_num(struct jline *j, const char *key, double val);
void jl_bool(struct jline *j, const char *key, bool val);
void jl_null(struct jline *j, const char *key);
void jl_hr(struct jline *j, const char *prefix, HRESULT hr);
void jl_put(struct jline *j, const char *key, struct json_object *val); /* takes val */
struct json_object *jl_new_num(double val);	/* "%.3f"; NULL if not finite */
void jl_end(struct jline *j);			/* prints the line, flushes, frees */

/* checks.c: a block device named on the command line */
struct device {
	const char *arg;	/* as given */
	char node[256];		/* /dev/NAME */
	char name[64];		/* kernel name: ram0, sda1 */
	dev_t rdev;
	dev_t disk;		/* the whole disk (rdev itself for a disk) */
	bool is_partition;
	bool ro;
	uint64_t size;		/* bytes */
	unsigned int lbs;	/* logical block size, 0 if unknown */
};

/*
 * Find arg's block device. Returns S_OK, VDS_E_OBJECT_NOT_FOUND or
 * VDS_E_INCOMPATIBLE_MEDIA; why gets a sentence on failure.
 */
HRESULT dev_resolve(const char *arg, struct device *d, char *why, size_t len);
/*
 * The checks made before anything is asked of the kernel: the device, a
 * partition of it or its whole disk mounted (mountinfo, by major:minor and
 * by source), used as swap, or held by dm/md; read-only.
 * S_OK, VDS_E_INCOMPATIBLE_FILE_SYSTEM or VDS_E_MEDIA_WRITE_PROTECTED.
 */
HRESULT dev_check_in_use(const struct device *d, char *why, size_t len);
HRESULT dev_check_writable(const struct device *d, char *why, size_t len);
/* True when a and b are the same disk or one is a partition of the other. */
bool dev_overlap(const struct device *a, const struct device *b);

/* record.c: the sanitization record (Documentation/vdswipe/record.rst) */
#define RECORD_SCHEMA		"vdswipe-sanitization-record"
#define RECORD_SCHEMA_VERSION	1
#define RECORD_CANONICAL	"SHA-256 of the record without \"digest\", as JSON without whitespace, members in record order (record.rst)"

struct rec_pass {
	uint32_t method;	/* VDSWIPE_METHOD_* */
	uint32_t pattern;
};

/* What record_build() needs to know about one device's op. */
struct rec_input {
	const struct device *dev;
	const char *operator_name, *asset_tag, *location;
	bool full, range, verify_only;
	uint64_t offset, length;	/* the region (range, or 0 and size) */
	uint64_t region_bytes;		/* written per pass */
	unsigned int nr_passes;
	struct rec_pass passes[VDSWIPE_MAX_PASSES];
	uint32_t verify, sample_pct;
	uint32_t abi_version;		/* 0: unknown */
	/* the end */
	bool unknown;			/* the session closed before the end */
	HRESULT hr;
	int32_t error;
	uint64_t error_offset, bytes_done, bytes_total, op_id;
	bool have_progress;		/* the fields below are known */
	uint32_t block_size;
	uint64_t bytes_written, bytes_verified, verify_total;
	uint64_t mismatch_blocks, first_mismatch;
	struct timespec t_start, t_end;	/* CLOCK_REALTIME */
};
struct json_object *record_build(const struct rec_input *in);
int record_digest(struct json_object *rec, char hex[65]);
int record_seal(struct json_object *rec);
int record_open(const char *path, char *tmp, size_t len);
int record_commit(struct json_object *rec, int fd, const char *tmp, const char *path);
int record_load(const char *path, struct json_object **rec, char *why, size_t len);
const char *fmt_utc(const struct timespec *ts, char *buf, size_t len);
const char *method_word(uint32_t method);
const char *verify_word(uint32_t verify);

/* pdf.c: vdswipe record */
int cmd_record(int argc, char **argv);
int cmd_identify(int argc, char **argv);	/* record.c */

/* clean.c */
int cmd_clean(int argc, char **argv);
int cmd_discard(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* main.c */
extern const char *prog;
/* The first line of a (sysfs, proc) file, without its newline; false if
 * it cannot be read. */
bool read_sys(const char *path, char *buf, size_t len);
/* [--json] [-h|--help] and no argument (info, status): EX_OK, with *done
 * after the help, or EX_USAGE with a message. */
int parse_json_only(const char *cmd, int argc, char **argv, void (*usage)(FILE *),
		    bool *json, bool *done);

#endif /* VDSWIPE_TOOL_H */
