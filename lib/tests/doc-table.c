// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Documentation/vdswipe/hresult.rst shows the translation table: every row
 * there is a row here with the same HRESULT, and every row here is there.
 * Its code list names every code the table can return, with its value.
 */
#include <errno.h>
#include <stdbool.h>

#include "test.h"
#include "../src/internal.h"

#define MAX_ROWS	512

struct doc_row {
	int call;
	int err;
	HRESULT hr;
	int line;
};

static struct doc_row rows[MAX_ROWS];
static int nrows;
static HRESULT doc_codes[128];
static int ncodes;

static int errno_by_name(const char *name)
{
	int e;

	if (!strcmp(name, "0"))
		return 0;
	for (e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return -1;
}

/* "``NAME``" -> NAME, in place; NULL if not quoted so. */
static char *unquote(char *tok)
{
	size_t len = tok ? strlen(tok) : 0;

	if (len < 5 || strncmp(tok, "``", 2) || strcmp(tok + len - 2, "``"))
		return NULL;
	tok[len - 2] = '\0';
	return tok + 2;
}

static int call_by_name(const char *name)
{
	int c;

	for (c = 0; c < VDSW_CALL_NR; c++)
		if (!strcmp(vdsw__call_name(c), name))
			return c;
	return -1;
}

static void parse(FILE *f)
{
	char line[1024], prev[1024] = "";
	int section = -2;	/* -2: none, -1: the code list */
	int lineno = 0, borders = 0;

	while (fgets(line, sizeof(line), f)) {
		char *tok[3], *save = NULL, *name, *val, *end;
		int i;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '-' && strspn(line, "-") == strlen(line) && prev[0]) {
			char *colon = strchr(prev, ':');

			if (!strcmp(prev, "Codes"))
				section = -1;
			else if (colon) {
				*colon = '\0';
				section = call_by_name(prev);
				CHECK(section >= 0);
			} else {
				section = -2;
			}
			borders = 0;
		}
		snprintf(prev, sizeof(prev), "%s", line);
		if (line[0] == '=' && strspn(line, "= ") == strlen(line))
			borders++;	/* a table's top, header rule, bottom */
		/* rows: between a table's header rule and its bottom */
		if (section == -2 || borders % 3 != 2 || strncmp(line, "``", 2))
			continue;
		for (i = 0; i < 3; i++)
			tok[i] = strtok_r(i ? NULL : line, " ", &save);
		if (section == -1) {
			name = unquote(tok[0]);
			val = tok[1];
			CHECK(name && val);
			if (!name || !val)
				continue;
			doc_codes[ncodes] = (HRESULT)strtoul(val, &end, 16);
			CHECK(*end == '\0');
			CHECK(vdsw_hresult_name(doc_codes[ncodes]) &&
			      !strcmp(vdsw_hresult_name(doc_codes[ncodes]), name));
			if (!vdsw_hresult_name(doc_codes[ncodes]) ||
			    strcmp(vdsw_hresult_name(doc_codes[ncodes]), name))
				fprintf(stderr, "  line %d: code %s %s\n", lineno, name, val);
			if (ncodes < 127)
				ncodes++;
			continue;
		}
		name = unquote(tok[0]);
		val = unquote(tok[1]);
		CHECK(name && val && tok[2] && nrows < MAX_ROWS);
		if (!name || !val || !tok[2] || nrows >= MAX_ROWS)
			continue;
		rows[nrows].call = section;
		rows[nrows].err = errno_by_name(name);
		rows[nrows].hr = (HRESULT)strtoul(tok[2], &end, 16);
		rows[nrows].line = lineno;
		CHECK(rows[nrows].err >= 0);
		CHECK(*end == '\0');
		CHECK(vdsw_hresult_name(rows[nrows].hr) &&
		      !strcmp(vdsw_hresult_name(rows[nrows].hr), val));
		nrows++;
	}
}

static bool in_codes(HRESULT hr)
{
	int i;

	for (i = 0; i < ncodes; i++)
		if (doc_codes[i] == hr)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const struct vdsw_xlate *t;
	size_t nr, i;
	FILE *f;
	int j;

	if (argc != 2) {
		fprintf(stderr, "usage: %s hresult.rst\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	parse(f);
	fclose(f);

	t = vdsw__xlate_table(&nr);
	CHECK((size_t)nrows == nr);
	for (j = 0; j < nrows; j++) {
		const struct vdsw_xlate *row = vdsw__xlate_find(rows[j].call, rows[j].err);

		CHECK(row && row->hr == rows[j].hr);
		if (!row || row->hr != rows[j].hr)
			fprintf(stderr, "  line %d: %s %s differs from translate.c\n", rows[j].line,
				vdsw__call_name(rows[j].call), vdsw__errno_name(rows[j].err));
	}
	for (i = 0; i < nr; i++) {
		for (j = 0; j < nrows; j++)
			if (rows[j].call == t[i].call && rows[j].err == t[i].err)
				break;
		CHECK(j < nrows);
		if (j == nrows)
			fprintf(stderr, "  %s %s is not documented\n", vdsw__call_name(t[i].call),
				vdsw__errno_name(t[i].err));
		CHECK(in_codes(t[i].hr));
	}
	/* the codes outside the table that the calls return */
	CHECK(in_codes(E_POINTER) && in_codes(E_INVALIDARG) && in_codes(VDS_E_OPERATION_PENDING));
	CHECK(in_codes(VDS_S_DISK_PARTIALLY_CLEANED) && in_codes(HRESULT_FROM_WIN32(ERROR_GEN_FAILURE)));
	CHECK(ncodes >= 30);
	return test_report("doc-table");
}
