// SPDX-License-Identifier: GPL-2.0
/*
 * fdinfo.c - parse an "op:" line of a vdswipe session's fdinfo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdinfo.h"

int vdsw_fdinfo_parse_op(const char *line, struct vdsw_fdinfo_op *o)
{
	char buf[512], *tok, *save, *v;
	int seen = 0, bad = 0;

	memset(o, 0, sizeof(*o));
	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		v = strchr(tok, '=');
		if (!v) {
			bad = 1;
			continue;
		}
		*v++ = '\0';
		seen++;
		if (!strcmp(tok, "id"))
			o->id = strtoull(v, NULL, 10);
		else if (!strcmp(tok, "dev"))
			snprintf(o->dev, sizeof(o->dev), "%s", v);
		else if (!strcmp(tok, "devt"))
			snprintf(o->devt, sizeof(o->devt), "%s", v);
		else if (!strcmp(tok, "method"))
			snprintf(o->method, sizeof(o->method), "%s", v);
		else if (!strcmp(tok, "state"))
			snprintf(o->state, sizeof(o->state), "%s", v);
		else if (!strcmp(tok, "pass"))
			snprintf(o->pass, sizeof(o->pass), "%s", v);
		else if (!strcmp(tok, "phase"))
			snprintf(o->phase, sizeof(o->phase), "%s", v);
		else if (!strcmp(tok, "bytes_done"))
			o->bytes_done = strtoull(v, NULL, 10);
		else if (!strcmp(tok, "bytes_total"))
			o->bytes_total = strtoull(v, NULL, 10);
		else if (!strcmp(tok, "percent"))
			o->percent = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(tok, "result"))
			o->result = (int)strtol(v, NULL, 10);
		else if (!strcmp(tok, "chunk"))
			o->chunk = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(tok, "inflight_max"))
			o->inflight_max = strtoull(v, NULL, 10);
		else
			seen--;		/* a key added later: skipped */
	}
	return bad ? -EINVAL : seen;
}

int vdsw_fdinfo_find_op(const char *path, uint64_t id,
			struct vdsw_fdinfo_op *o)
{
	int ret = -ENOENT, n;
	char line[512];
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "op:", 3))
			continue;
		n = vdsw_fdinfo_parse_op(line + 3, o);
		if (n >= 0 && o->id == id) {
			ret = n;
			break;
		}
	}
	fclose(f);
	return ret;
}
