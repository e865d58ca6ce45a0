// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - HRESULT names and exit classes, number formatting, JSON lines.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "tool.h"

#define W32(x)	HRESULT_FROM_WIN32(ERROR_##x)

/*
 * Every code libvdswipe returns or defines (vdswipe/hresult.h). The library
 * names them; it has no way to list them, so the list is kept here.
 */
static const HRESULT lib_codes[] = {
	S_OK, S_FALSE, VDS_S_DISK_PARTIALLY_CLEANED,
	E_POINTER, E_ACCESSDENIED, E_OUTOFMEMORY, E_INVALIDARG,
	VDS_E_NOT_SUPPORTED, VDS_E_OBJECT_NOT_FOUND, VDS_E_OPERATION_PENDING,
	VDS_E_OPERATION_DENIED, VDS_E_CANCEL_TOO_LATE, VDS_E_OPERATION_CANCELED,
	VDS_E_NO_MEDIA, VDS_E_DEVICE_IN_USE, VDS_E_INCOMPATIBLE_FILE_SYSTEM,
	VDS_E_INCOMPATIBLE_MEDIA, VDS_E_ACCESS_DENIED, VDS_E_MEDIA_WRITE_PROTECTED,
	VDS_E_IO_ERROR, VDS_E_TIMEOUT, VDS_E_DISK_IS_READ_ONLY,
	W32(INVALID_HANDLE), W32(TOO_MANY_OPEN_FILES), W32(NOT_READY), W32(CRC),
	W32(SECTOR_NOT_FOUND), W32(GEN_FAILURE), W32(DISK_FULL),
	W32(SERVICE_DOES_NOT_EXIST), W32(SERVICE_NOT_ACTIVE), W32(DLL_INIT_FAILED),
	W32(IO_DEVICE), W32(DEVICE_NOT_CONNECTED), W32(TIMEOUT),
	VDSW_E_VERIFY_MISMATCH,
};

/*
 * Codes libvdswipe never returns, for people porting Windows tools (values
 * from winerror.h). HRESULT_FROM_WIN32(ERROR_CANCELLED) is also what the
 * tool reports when a clean is not confirmed.
 */
static const struct {
	HRESULT hr;
	const char *name;
	const char *message;
} extra_codes[] = {
	{ (HRESULT)0x80004001UL, "E_NOTIMPL", "Not implemented." },
	{ (HRESULT)0x80004002UL, "E_NOINTERFACE", "No such interface supported." },
	{ (HRESULT)0x80004004UL, "E_ABORT", "Operation aborted." },
	{ (HRESULT)0x80004005UL, "E_FAIL", "Unspecified error." },
	{ (HRESULT)0x8000FFFFUL, "E_UNEXPECTED", "Catastrophic failure." },
	{ W32(NOT_ENOUGH_MEMORY), "HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY)",
	  "Not enough memory resources are available to process this command." },
	{ W32(WRITE_PROTECT), "HRESULT_FROM_WIN32(ERROR_WRITE_PROTECT)",
	  "The media is write protected." },
	{ W32(WRITE_FAULT), "HRESULT_FROM_WIN32(ERROR_WRITE_FAULT)",
	  "The system cannot write to the specified device." },
	{ W32(READ_FAULT), "HRESULT_FROM_WIN32(ERROR_READ_FAULT)",
	  "The system cannot read from the specified device." },
	{ W32(NOT_SUPPORTED), "HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)",
	  "The request is not supported." },
	{ W32(BUSY), "HRESULT_FROM_WIN32(ERROR_BUSY)",
	  "The requested resource is in use." },
	{ W32(OPERATION_ABORTED), "HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)",
	  "The I/O operation has been aborted because of either a thread exit or an application request." },
	{ W32(CANCELLED), "HRESULT_FROM_WIN32(ERROR_CANCELLED)",
	  "The operation was canceled by the user." },
};

static HRESULT all_codes[ARRAY_SIZE(lib_codes) + ARRAY_SIZE(extra_codes)];

size_t hr_table(const HRESULT **codes)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(lib_codes); i++)
		all_codes[n++] = lib_codes[i];
	for (i = 0; i < ARRAY_SIZE(extra_codes); i++)
		all_codes[n++] = extra_codes[i].hr;
	*codes = all_codes;
	return n;
}

bool hr_known_to_lib(HRESULT hr)
{
	return vdsw_hresult_name(hr) != NULL;
}

const char *hr_name_or_null(HRESULT hr)
{
	const char *name = vdsw_hresult_name(hr);
	size_t i;

	if (name)
		return name;
	for (i = 0; i < ARRAY_SIZE(extra_codes); i++)
		if (extra_codes[i].hr == hr)
			return extra_codes[i].name;
	return NULL;
}

const char *hr_name(HRESULT hr)
{
	const char *name = hr_name_or_null(hr);

	return name ? name : "?";
}

const char *hr_message(HRESULT hr)
{
	size_t i;

	if (vdsw_hresult_name(hr))
		return vdsw_hresult_message(hr);
	for (i = 0; i < ARRAY_SIZE(extra_codes); i++)
		if (extra_codes[i].hr == hr)
			return extra_codes[i].message;
	return vdsw_hresult_message(hr);	/* "Unknown HRESULT." */
}

bool hr_by_name(const char *name, HRESULT *hr)
{
	const HRESULT *codes;
	size_t i, n = hr_table(&codes);

	for (i = 0; i < n; i++) {
		if (!strcasecmp(hr_name(codes[i]), name)) {
			*hr = codes[i];
			return true;
		}
	}
	return false;
}

int hr_exit_class(HRESULT hr)
{
	switch ((uint32_t)hr) {
	case (uint32_t)S_OK:
	case (uint32_t)S_FALSE:
		return EX_OK;
	case (uint32_t)VDS_S_DISK_PARTIALLY_CLEANED:
		return EX_PARTIAL;
	case (uint32_t)VDS_E_OPERATION_CANCELED:
		return EX_CANCELLED;
	case (uint32_t)E_INVALIDARG:
	case (uint32_t)E_POINTER:
		return EX_USAGE;
	case (uint32_t)VDS_E_OPERATION_DENIED:
	case (uint32_t)VDS_E_INCOMPATIBLE_FILE_SYSTEM:
	case (uint32_t)VDS_E_DEVICE_IN_USE:
	case (uint32_t)TOOL_HR_NOT_CONFIRMED:
		return EX_REFUSED;
	case (uint32_t)VDS_E_ACCESS_DENIED:
	case (uint32_t)E_ACCESSDENIED:
		return EX_ACCESS;
	case (uint32_t)VDS_E_OBJECT_NOT_FOUND:
	case (uint32_t)VDS_E_NO_MEDIA:
	case (uint32_t)VDS_E_INCOMPATIBLE_MEDIA:
	case (uint32_t)VDS_E_MEDIA_WRITE_PROTECTED:
	case (uint32_t)VDS_E_DISK_IS_READ_ONLY:
	case (uint32_t)VDS_E_NOT_SUPPORTED:
		return EX_DEVICE;
	case (uint32_t)VDSW_E_VERIFY_MISMATCH:
		return EX_VERIFY;
	case (uint32_t)VDS_E_IO_ERROR:
	case (uint32_t)W32(IO_DEVICE):
	case (uint32_t)W32(SECTOR_NOT_FOUND):
	case (uint32_t)W32(CRC):
	case (uint32_t)W32(TIMEOUT):
	case (uint32_t)W32(DEVICE_NOT_CONNECTED):
	case (uint32_t)W32(DISK_FULL):
		return EX_IOERROR;
	case (uint32_t)W32(SERVICE_DOES_NOT_EXIST):
	case (uint32_t)W32(SERVICE_NOT_ACTIVE):
	case (uint32_t)W32(DLL_INIT_FAILED):
	case (uint32_t)W32(NOT_READY):
		return EX_MODULE;
	default:
		return SUCCEEDED(hr) ? EX_OK : EX_FAILURE;
	}
}

const char *hr_format(HRESULT hr, char *buf, size_t len)
{
	snprintf(buf, len, "%s (0x%08" PRIX32 "): %s", hr_name(hr), (uint32_t)hr,
		 hr_message(hr));
	return buf;
}

void hr_report(FILE *f, const char *ctx, HRESULT hr, const char *detail)
{
	char buf[512];

	if (ctx && !ctx[0])	/* an empty device path: the detail says so */
		ctx = NULL;

	fprintf(f, "%s: %s%s%s\n", prog, ctx ? ctx : "", ctx ? ": " : "",
		hr_format(hr, buf, sizeof(buf)));
	if (detail && detail[0])
		fprintf(f, "%s: %s%s%s\n", prog, ctx ? ctx : "", ctx ? ": " : "", detail);
	fflush(f);
}

/* ------------------------------------------------------------ numbers */

const char *fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)b;
	unsigned int u = 0;

	while (v >= 1024 && u < ARRAY_SIZE(unit) - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

const char *fmt_duration(double s, char *buf, size_t len)
{
	uint64_t t;

	if (!(s >= 0) || s > 359999) {
		snprintf(buf, len, "--:--");
		return buf;
	}
	t = (uint64_t)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, len, "%" PRIu64 ":%02u:%02u", t / 3600,
			 (unsigned int)(t / 60 % 60), (unsigned int)(t % 60));
	else
		snprintf(buf, len, "%u:%02u", (unsigned int)(t / 60),
			 (unsigned int)(t % 60));
	return buf;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool parse_size(const char *s, uint64_t *val)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", 1ULL << 10 }, { "KiB", 1ULL << 10 }, { "KB", 1000ULL },
		{ "M", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "MB", 1000000ULL },
		{ "G", 1ULL << 30 }, { "GiB", 1ULL << 30 }, { "GB", 1000000000ULL },
		{ "T", 1ULL << 40 }, { "TiB", 1ULL << 40 }, { "TB", 1000000000000ULL },
		{ "s", 512 },		/* 512-byte sectors */
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno || end == s)
		return false;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		if (v > UINT64_MAX / units[i].mult)
			return false;
		*val = v * units[i].mult;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ JSON */

/*
 * One JSON object per line, built and serialized by json-c. Members keep
 * the order they are added in (json-c keeps insertion order).
 */
void jl_begin(struct jline *j, const char *event)
{
	j->obj = json_object_new_object();
	jl_str(j, "event", event);
}

void jl_put(struct jline *j, const char *key, struct json_object *val)
{
	if (j->obj)
		json_object_object_add(j->obj, key, val);
	else
		json_object_put(val);
}

void jl_str(struct jline *j, const char *key, const char *val)
{
	jl_put(j, key, val ? json_object_new_string(val) : NULL);
}

void jl_u64(struct jline *j, const char *key, uint64_t val)
{
	jl_put(j, key, json_object_new_uint64(val));
}

void jl_i64(struct jline *j, const char *key, int64_t val)
{
	jl_put(j, key, json_object_new_int64(val));
}

/* Three decimals: seconds and rates need no more. */
struct json_object *jl_new_num(double val)
{
	char tmp[64];

	if (!isfinite(val))
		return NULL;
	snprintf(tmp, sizeof(tmp), "%.3f", val);
	return json_object_new_double_s(strtod(tmp, NULL), tmp);
}

void jl_num(struct jline *j, const char *key, double val)
{
	jl_put(j, key, jl_new_num(val));
}

void jl_bool(struct jline *j, const char *key, bool val)
{
	jl_put(j, key, json_object_new_boolean(val));
}

void jl_null(struct jline *j, const char *key)
{
	jl_put(j, key, NULL);
}

/* "hresult": "0x...", "hresult_name": ..., "hresult_message": ... */
void jl_hr(struct jline *j, const char *prefix, HRESULT hr)
{
	char key[64], hex[16];

	snprintf(hex, sizeof(hex), "0x%08" PRIX32, (uint32_t)hr);
	jl_str(j, prefix, hex);
	snprintf(key, sizeof(key), "%s_name", prefix);
	jl_str(j, key, hr_name_or_null(hr));
	snprintf(key, sizeof(key), "%s_message", prefix);
	jl_str(j, key, hr_message(hr));
}

void jl_end(struct jline *j)
{
	const char *s;

	if (!j->obj)
		return;
	s = json_object_to_json_string_ext(j->obj, JSON_OUT_FLAGS);
	fputs(s ? s : "{}", stdout);
	fputc('\n', stdout);
	fflush(stdout);
	json_object_put(j->obj);
	j->obj = NULL;
}
