// SPDX-License-Identifier: GPL-2.0
/*
 * pdf.c - vdswipe record: check a sanitization record's digest, print it,
 * and render it as a one-page certificate (cairo's PDF surface) that a
 * person signs: device, technique, verification, result, times, operator.
 *
 * The same rows are printed (text) and drawn (PDF): rows() reads them out
 * of the record; a value the record holds as null is shown as "not
 * available" with the record's reason.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <json-c/json.h>

#include <dlfcn.h>

#include "tool.h"

/*
 * cairo is loaded when a PDF is asked for, not linked: it brings some
 * twenty libraries (pixman, freetype, fontconfig, X11...) whose loading
 * every run of the tool would pay, in the test VMs too.
 */
#define CAIRO_FUNCS(X)							\
	X(cairo_pdf_surface_create) X(cairo_pdf_surface_set_metadata)	\
	X(cairo_surface_status) X(cairo_surface_finish)			\
	X(cairo_surface_destroy) X(cairo_status_to_string)		\
	X(cairo_create) X(cairo_destroy) X(cairo_status)		\
	X(cairo_set_source_rgb) X(cairo_select_font_face)		\
	X(cairo_set_font_size) X(cairo_text_extents) X(cairo_show_text)	\
	X(cairo_move_to) X(cairo_line_to) X(cairo_set_line_width)	\
	X(cairo_stroke) X(cairo_show_page)

#define CAIRO_PTR(f) static __typeof__(&f) dl_##f;
CAIRO_FUNCS(CAIRO_PTR)
#undef CAIRO_PTR

static bool cairo_load(char *why, size_t len)
{
	void *h = dlopen("libcairo.so.2", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, len, "cannot load cairo (libcairo.so.2) for the PDF: %s", dlerror());
		return false;
	}
#define CAIRO_SYM(f)							\
	dl_##f = (__typeof__(dl_##f))dlsym(h, #f);			\
	if (!dl_##f) {							\
		snprintf(why, len, "libcairo.so.2 lacks %s", #f);	\
		return false;						\
	}
	CAIRO_FUNCS(CAIRO_SYM)
#undef CAIRO_SYM
	return true;
}

/* from here on, cairo_x() is the loaded function */
#define CAIRO_USE(f) dl_##f
#define cairo_pdf_surface_create	CAIRO_USE(cairo_pdf_surface_create)
#define cairo_pdf_surface_set_metadata	CAIRO_USE(cairo_pdf_surface_set_metadata)
#define cairo_surface_status		CAIRO_USE(cairo_surface_status)
#define cairo_surface_finish		CAIRO_USE(cairo_surface_finish)
#define cairo_surface_destroy		CAIRO_USE(cairo_surface_destroy)
#define cairo_status_to_string		CAIRO_USE(cairo_status_to_string)
#define cairo_create			CAIRO_USE(cairo_create)
#define cairo_destroy			CAIRO_USE(cairo_destroy)
#define cairo_status			CAIRO_USE(cairo_status)
#define cairo_set_source_rgb		CAIRO_USE(cairo_set_source_rgb)
#define cairo_select_font_face		CAIRO_USE(cairo_select_font_face)
#define cairo_set_font_size		CAIRO_USE(cairo_set_font_size)
#define cairo_text_extents		CAIRO_USE(cairo_text_extents)
#define cairo_show_text			CAIRO_USE(cairo_show_text)
#define cairo_move_to			CAIRO_USE(cairo_move_to)
#define cairo_line_to			CAIRO_USE(cairo_line_to)
#define cairo_set_line_width		CAIRO_USE(cairo_set_line_width)
#define cairo_stroke			CAIRO_USE(cairo_stroke)
#define cairo_show_page			CAIRO_USE(cairo_show_page)

#define MAX_ROWS	64

struct row {
	const char *section;	/* a new section starts when this is set */
	char label[48];
	char value[640];
	bool strong;		/* the outcome */
};

struct rows {
	struct row r[MAX_ROWS];
	unsigned int n;
	const char *section;	/* for the next row */
};

/* rec.a.b... as an object; NULL if absent or null */
static struct json_object *jat(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, a, &v) || !v)
		return NULL;
	if (b && (!json_object_object_get_ex(v, b, &v) || !v))
		return NULL;
	return v;
}

static const char *jstring(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = jat(o, a, b);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool jint(struct json_object *o, const char *a, const char *b, uint64_t *out)
{
	struct json_object *v = jat(o, a, b);

	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

static void add(struct rows *rs, const char *label, bool strong, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(struct rows *rs, const char *label, bool strong, const char *fmt, ...)
{
	struct row *r;
	va_list ap;

	if (rs->n >= MAX_ROWS)
		return;
	r = &rs->r[rs->n++];
	r->section = rs->section;
	rs->section = NULL;
	r->strong = strong;
	snprintf(r->label, sizeof(r->label), "%s", label);
	va_start(ap, fmt);
	vsnprintf(r->value, sizeof(r->value), fmt, ap);
	va_end(ap);
}

/* A device field: its value, or "not available (reason)". */
static void add_dev(struct rows *rs, const char *label, struct json_object *rec,
		    const char *field)
{
	const char *v = jstring(rec, "device", field);
	struct json_object *missing = jat(rec, "device", "missing");
	const char *why = missing ? jstring(missing, field, NULL) : NULL;

	if (v)
		add(rs, label, false, "%s", v);
	else
		add(rs, label, false, "not available%s%s%s", why ? " (" : "", why ? why : "",
		    why ? ")" : "");
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void rows(struct json_object *rec, struct rows *rs)
{
	struct json_object *passes, *p;
	char a[32], b[64];
	const char *s, *s2;
	uint64_t u = 0, u2 = 0, lbs = 0;
	size_t i, n;

	rs->n = 0;
	rs->section = "Device";
	s = jstring(rec, "device", "path");
	s2 = jstring(rec, "device", "kernel_name");
	add(rs, "Device", false, "%s (%s, %s)", or_dash(s), or_dash(s2),
	    json_object_get_boolean(jat(rec, "device", "is_partition")) ? "a partition" : "the whole disk");
	add_dev(rs, "Manufacturer", rec, "manufacturer");
	if ((s = jstring(rec, "device", "pci_vendor_id")))
		add(rs, "PCI vendor ID", false, "%s", s);
	if ((s = jstring(rec, "device", "virtio_vendor_id")))
		add(rs, "Virtio vendor ID", false, "%s", s);
	add_dev(rs, "Model", rec, "model");
	add_dev(rs, "Serial number", rec, "serial");
	add_dev(rs, "Firmware", rec, "firmware");
	if ((s = jstring(rec, "device", "wwn")))
		add(rs, "WWN", false, "%s", s);
	else if ((s = jstring(rec, "device", "eui64")))
		add(rs, "EUI-64", false, "%s", s);
	else if ((s = jstring(rec, "device", "wwid")))
		add(rs, "WWID", false, "%s", s);
	else
		add_dev(rs, "WWN / EUI-64", rec, "wwn");
	if ((s = jstring(rec, "device", "nguid")))
		add(rs, "NGUID", false, "%s", s);
	add_dev(rs, "Media type", rec, "media_type");
	add_dev(rs, "Transport", rec, "transport");
	if (jint(rec, "device", "capacity_bytes", &u))
		add(rs, "Capacity", false, "%" PRIu64 " bytes (%s)", u, fmt_bytes(u, a, sizeof(a)));
	if (jint(rec, "device", "logical_block_size", &lbs))
		add(rs, "Logical block size", false, "%" PRIu64 " bytes%s", lbs,
		    jint(rec, "device", "physical_block_size", &u) && u != lbs ?
		    (snprintf(b, sizeof(b), " (physical %" PRIu64 ")", u), b) : "");
	else
		add_dev(rs, "Logical block size", rec, "logical_block_size");

	rs->section = "Sanitization";
	s = jstring(rec, "sanitization", "category");
	add(rs, "Category", false, "%s: %s", s ? s : "none",
	    or_dash(jstring(rec, "sanitization", "category_note")));
	jint(rec, "sanitization", "offset", &u);
	jint(rec, "sanitization", "length", &u2);
	passes = jat(rec, "sanitization", "passes");
	n = passes && json_object_is_type(passes, json_type_array) ? json_object_array_length(passes) : 0;
	add(rs, "Technique", false, "%s, %s %s of %s%s", or_dash(jstring(rec, "sanitization", "technique")),
	    or_dash(jstring(rec, "sanitization", "scope")), n ? "clean" : "check",
	    json_object_get_boolean(jat(rec, "sanitization", "whole_device")) ? "the whole device" : "bytes ",
	    json_object_get_boolean(jat(rec, "sanitization", "whole_device")) ? "" :
	    (snprintf(b, sizeof(b), "%" PRIu64 "-%" PRIu64, u, u + u2 - 1), b));
	for (i = 0; i < n; i++) {
		char label[64];

		p = json_object_array_get_idx(passes, i);
		snprintf(label, sizeof(label), "Pass %zu of %zu", i + 1, n);
		add(rs, label, false, "%s: %s", or_dash(jstring(p, "method", NULL)),
		    or_dash(jstring(p, "data", NULL)));
	}

	rs->section = "Verification";
	s = jstring(rec, "verification", "mode");
	if (jint(rec, "verification", "sample_pct", &u))
		add(rs, "Mode", false, "%s, %" PRIu64 "%% of the chunks: %s", or_dash(s), u,
		    or_dash(jstring(rec, "verification", "method")));
	else
		add(rs, "Mode", false, "%s", or_dash(s));
	add(rs, "Verification result", false, "%s", or_dash(jstring(rec, "verification", "result")));
	if (jint(rec, "verification", "blocks_checked", &u)) {
		jint(rec, "verification", "block_size", &u2);
		add(rs, "Blocks checked", false, "%" PRIu64 " blocks of %" PRIu64 " bytes", u, u2);
		jint(rec, "verification", "mismatch_blocks", &u);
		if (jint(rec, "verification", "first_mismatch", &u2))
			add(rs, "Mismatches", false, "%" PRIu64 " blocks, the first at byte %" PRIu64, u, u2);
		else
			add(rs, "Mismatches", false, "%" PRIu64, u);
	}

	rs->section = "Result";
	s = jstring(rec, "result", "outcome");
	add(rs, "Outcome", true, "%s", s ? s : "-");
	add(rs, "HRESULT", false, "%s (%s)", or_dash(jstring(rec, "result", "hresult_name")),
	    or_dash(jstring(rec, "result", "hresult")));
	if ((s = jstring(rec, "result", "error"))) {
		if (jint(rec, "result", "error_offset", &u))
			add(rs, "Error", false, "%s at byte %" PRIu64, s, u);
		else
			add(rs, "Error", false, "%s", s);
	}
	if (jint(rec, "result", "bytes_written", &u))
		add(rs, "Bytes written", false, "%" PRIu64 " (%s)", u, fmt_bytes(u, a, sizeof(a)));

	rs->section = "Time (UTC)";
	add(rs, "Start", false, "%s", or_dash(jstring(rec, "time", "start")));
	add(rs, "End", false, "%s", or_dash(jstring(rec, "time", "end")));
	if (jint(rec, "time", "duration_ms", &u))
		add(rs, "Duration", false, "%" PRIu64 ".%03" PRIu64 " s", u / 1000, u % 1000);

	rs->section = "Software";
	s = jstring(rec, "software", "module_version");
	add(rs, "Tool", false, "%s, libvdswipe %s, module %s%s(ABI %s)",
	    or_dash(jstring(rec, "software", "tool")), or_dash(jstring(rec, "software", "libvdswipe")),
	    s ? s : "", s ? " " : "",
	    jint(rec, "software", "abi_version", &u) ? (snprintf(a, sizeof(a), "%" PRIu64, u), a) : "-");
	add(rs, "Kernel", false, "Linux %s %s", or_dash(jstring(rec, "software", "kernel")),
	    or_dash(jstring(rec, "software", "machine")));

	rs->section = "Context";
	add(rs, "Host", false, "%s", or_dash(jstring(rec, "context", "hostname")));
	add(rs, "Operator", false, "%s", or_dash(jstring(rec, "context", "operator")));
	add(rs, "Asset tag", false, "%s", or_dash(jstring(rec, "context", "asset_tag")));
	add(rs, "Location", false, "%s", or_dash(jstring(rec, "context", "location")));

	rs->section = "Record";
	add(rs, "Record ID", false, "%s", or_dash(jstring(rec, "record_id", NULL)));
	add(rs, "SHA-256", false, "%s", or_dash(jstring(rec, "digest", "value")));
}

/* ------------------------------------------------------------ text */

static void print_text(const struct rows *rs)
{
	unsigned int i;

	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].section)
			printf("%s%s\n", i ? "\n" : "", rs->r[i].section);
		printf("  %-20s %s\n", rs->r[i].label, rs->r[i].value);
	}
}

/* ------------------------------------------------------------ PDF */

#define PAGE_W	595.0	/* A4, points */
#define PAGE_H	842.0
#define MARGIN	48.0
#define LABEL_W	120.0
#define FONT	"DejaVu Sans"
#define FS	8.5
#define LINE	11.0

/* Draw text in width w from (x, y), breaking at spaces (or anywhere in a
 * word longer than w). Returns the y below the last line. */
static double draw_wrapped(cairo_t *cr, double x, double y, double w, const char *text)
{
	cairo_text_extents_t ext;
	char line[700], tryl[700];
	const char *p = text;

	while (*p) {
		size_t n = 0, last_space = 0, len = strlen(p);

		/* the longest prefix that fits, in whole UTF-8 characters */
		while (n < len && n < sizeof(line) - 8) {
			size_t m = n + 1;

			while (m < len && ((unsigned char)p[m] & 0xC0) == 0x80)
				m++;
			memcpy(tryl, p, m);
			tryl[m] = '\0';
			cairo_text_extents(cr, tryl, &ext);
			if (ext.x_advance > w)
				break;
			if (p[n] == ' ')
				last_space = n;
			n = m;
		}
		if (n < len && last_space)
			n = last_space;
		if (!n) {	/* not even one character fits: draw it anyway */
			n = 1;
			while (n < len && ((unsigned char)p[n] & 0xC0) == 0x80)
				n++;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		cairo_move_to(cr, x, y);
		cairo_show_text(cr, line);
		y += LINE;
		p += n;
		while (*p == ' ')
			p++;
	}
	return y;
}

static int render_pdf(struct json_object *rec, const struct rows *rs, const char *out,
		      char *why, size_t len)
{
	cairo_surface_t *surf;
	cairo_status_t st;
	double y = MARGIN + 10;
	cairo_t *cr;
	unsigned int i;
	char buf[256];
	const char *s;

	if (!cairo_load(why, len))
		return -ENOENT;
	surf = cairo_pdf_surface_create(out, PAGE_W, PAGE_H);
	st = cairo_surface_status(surf);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(why, len, "%s: %s", out, cairo_status_to_string(st));
		cairo_surface_destroy(surf);
		return -EIO;
	}
	s = jstring(rec, "device", "serial");
	snprintf(buf, sizeof(buf), "Media sanitization certificate%s%s", s ? " - " : "", s ? s : "");
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, buf);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "vdswipe " TOOL_VERSION);
	cr = cairo_create(surf);
	cairo_set_source_rgb(cr, 0, 0, 0);

	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, 17);
	cairo_move_to(cr, MARGIN, y);
	/* a certificate only for media that were sanitized (or verified) */
	s = jstring(rec, "result", "outcome");
	if (s && (!strcmp(s, "sanitized") || !strcmp(s, "verified"))) {
		cairo_show_text(cr, "Certificate of Media Sanitization");
	} else {
		snprintf(buf, sizeof(buf), "Media Sanitization Record: %s", s ? s : "outcome unknown");
		cairo_set_source_rgb(cr, 0.7, 0, 0);
		cairo_show_text(cr, buf);
		cairo_set_source_rgb(cr, 0, 0, 0);
	}
	y += 16;
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 9);
	cairo_move_to(cr, MARGIN, y);
	cairo_show_text(cr, "Record of a sanitization per NIST SP 800-88 Rev. 2, made by vdswipe from its JSON record");
	y += 8;
	cairo_set_line_width(cr, 1.2);
	cairo_move_to(cr, MARGIN, y);
	cairo_line_to(cr, PAGE_W - MARGIN, y);
	cairo_stroke(cr);
	y += 6;

	for (i = 0; i < rs->n; i++) {
		const struct row *r = &rs->r[i];

		if (r->section) {
			y += 9;
			cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
			cairo_set_font_size(cr, 10.5);
			cairo_move_to(cr, MARGIN, y);
			cairo_show_text(cr, r->section);
			y += 3;
			cairo_set_line_width(cr, 0.4);
			cairo_move_to(cr, MARGIN, y);
			cairo_line_to(cr, PAGE_W - MARGIN, y);
			cairo_stroke(cr);
			y += LINE;
		}
		cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
		cairo_set_font_size(cr, FS);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		cairo_move_to(cr, MARGIN + 6, y);
		cairo_show_text(cr, r->label);
		cairo_set_source_rgb(cr, 0, 0, 0);
		if (r->strong) {
			cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
			cairo_set_font_size(cr, 10);
		}
		y = draw_wrapped(cr, MARGIN + LABEL_W, y, PAGE_W - 2 * MARGIN - LABEL_W, r->value);
	}

	/* the signature block, at the bottom of the page */
	y = y + 24 > PAGE_H - MARGIN - 70 ? y + 24 : PAGE_H - MARGIN - 70;
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 9);
	cairo_move_to(cr, MARGIN, y);
	cairo_show_text(cr, "I attest that this record is a true account of the operation on the media named above.");
	y += 40;
	cairo_set_line_width(cr, 0.6);
	cairo_move_to(cr, MARGIN, y);
	cairo_line_to(cr, MARGIN + 230, y);
	cairo_move_to(cr, MARGIN + 260, y);
	cairo_line_to(cr, MARGIN + 380, y);
	cairo_move_to(cr, MARGIN + 400, y);
	cairo_line_to(cr, PAGE_W - MARGIN, y);
	cairo_stroke(cr);
	y += 11;
	cairo_move_to(cr, MARGIN + 260, y);
	cairo_show_text(cr, "Date");
	cairo_move_to(cr, MARGIN + 400, y);
	cairo_show_text(cr, "Validated by");
	s = jstring(rec, "context", "operator");
	snprintf(buf, sizeof(buf), "Signature%s%s", s ? " of " : "", s ? s : "");
	draw_wrapped(cr, MARGIN, y, 230, buf);

	cairo_show_page(cr);
	st = cairo_status(cr);	/* e.g. a string that is not UTF-8 */
	cairo_destroy(cr);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(why, len, "%s: %s", out, cairo_status_to_string(st));
		cairo_surface_destroy(surf);
		unlink(out);
		return -EIO;
	}
	cairo_surface_finish(surf);
	st = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(why, len, "%s: %s", out, cairo_status_to_string(st));
		return -EIO;
	}
	return 0;
}

/* ------------------------------------------------------------ command */

static void usage_record(FILE *f)
{
	fprintf(f,
"Usage: %s record [--check] [--pdf OUT.pdf] FILE.json\n"
"\n"
"Read a sanitization record written by 'vdswipe clean --record' (or\n"
"'vdswipe verify --record'), check its SHA-256 digest, and print it, or\n"
"render it as a one-page certificate to sign.\n"
"\n"
"Options:\n"
"  --check        only check the digest: exit 0 if it matches the content\n"
"  --pdf OUT.pdf  write the certificate (A4, PDF); refused when the digest\n"
"                 does not match\n"
"  -h, --help     this help\n"
"\n"
"Exit status: 0 valid, 1 the digest does not match (the record was changed),\n"
"2 usage, 5 not a readable record. The schema: Documentation/vdswipe/record.rst.\n",
		prog);
}

int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "pdf", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *rec = NULL;
	const char *pdf = NULL;
	static struct rows rs;
	bool check = false;
	char why[512];
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': check = true; break;
		case 'p': pdf = optarg; break;
		case 'h': usage_record(stdout); return EX_OK;
		case ':':
			fprintf(stderr, "%s record: option '%s' needs an argument\n", prog,
				argv[optind - 1]);
			return EX_USAGE;
		default:
			fprintf(stderr, "%s record: unknown option '%s'\nTry '%s record --help'.\n",
				prog, argv[optind - 1], prog);
			return EX_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s record: give one record file\nTry '%s record --help'.\n",
			prog, prog);
		return EX_USAGE;
	}
	ret = record_load(argv[optind], &rec, why, sizeof(why));
	if (ret < 0) {
		fprintf(stderr, "%s record: %s\n", prog, why);
		return EX_DEVICE;
	}
	if (ret > 0) {
		fprintf(stderr, "%s record: %s: INVALID: %s\n", prog, argv[optind], why);
		if (pdf)
			fprintf(stderr, "%s record: no certificate for a record that does not check\n",
				prog);
		json_object_put(rec);
		return EX_FAILURE;
	}
	if (check) {
		printf("%s: valid: %s\n", argv[optind], why);
	}
	rows(rec, &rs);
	if (pdf) {
		if (render_pdf(rec, &rs, pdf, why, sizeof(why))) {
			fprintf(stderr, "%s record: %s\n", prog, why);
			json_object_put(rec);
			return EX_FAILURE;
		}
	} else if (!check) {
		print_text(&rs);
		printf("\nDigest: valid (%s)\n", why);
	}
	json_object_put(rec);
	return EX_OK;
}
