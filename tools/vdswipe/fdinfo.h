/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fdinfo.h - one "op:" line of a vdswipe session's /proc/PID/fdinfo/FD.
 *
 * The module prints one line per op, "op: id=N dev=NAME devt=MAJ:MIN
 * method=M state=S pass=P/N phase=PH bytes_done=N bytes_total=N
 * percent=N result=N chunk=N inflight_max=N"
 * (Documentation/vdswipe/admin-guide.rst). Parsed
 * here for `vdswipe status` and for the selftest that checks the module
 * prints it, so the two read it the same way.
 */
#ifndef VDSWIPE_FDINFO_H
#define VDSWIPE_FDINFO_H

#include <stdint.h>

/* the keys of an "op:" line this parser knows */
#define VDSW_FDINFO_OP_KEYS	13

struct vdsw_fdinfo_op {
	uint64_t id;
	char dev[40];
	char devt[24];
	char method[16];
	char state[16];
	char pass[16];
	char phase[16];
	uint64_t bytes_done;
	uint64_t bytes_total;
	unsigned int percent;
	int result;
	uint32_t chunk;			/* bytes per submission (first pass) */
	uint64_t inflight_max;		/* bytes in flight at most */
};

/*
 * Parse the "key=value ..." after "op: " into @o (zeroed first). Keys it
 * does not know are skipped (a later module may add some). Returns how
 * many known keys it saw, or -EINVAL if a token has no '=' (the line is
 * still parsed to its end).
 */
int vdsw_fdinfo_parse_op(const char *line, struct vdsw_fdinfo_op *o);

/*
 * Find the "op:" line of op @id in the fdinfo file @path (such as
 * /proc/self/fdinfo/FD of a session) and parse it into @o. Returns how many
 * known keys the line had (as vdsw_fdinfo_parse_op()), -ENOENT when there
 * is no such line, or the -errno of opening the file.
 */
int vdsw_fdinfo_find_op(const char *path, uint64_t id,
			struct vdsw_fdinfo_op *o);

#endif /* VDSWIPE_FDINFO_H */
