// SPDX-License-Identifier: GPL-2.0
/*
 * fixtures.c - the parts of the shared test rig (fixtures.h) that need no
 * kselftest harness.
 */
#include <unistd.h>

#include "fixtures.h"

void vt_rig_init(struct vt_rig *r, const struct vt_rig_opts *o)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->s = r->slowfd = -1;
	for (i = 0; i < VT_RIG_MAX_DISKS; i++)
		r->fd[i] = -1;
}

int vt_rig_fill(struct vt_rig *r)
{
	const struct vt_rig_opts *o = r->o;
	unsigned int i;
	int ret;

	for (i = 0; i < o->nr_disks; i++) {
		if (o->slow_name && i == o->slow_disk)
			continue;
		ret = vt_fill(r->ram[i], 0, o->dev_mib * VT_MIB, o->fill_byte);
		if (ret)
			return ret;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vt_rig_close(struct vt_rig *r)
{
	unsigned int i;

	close_fd(&r->s);
	close_fd(&r->slowfd);
	for (i = 0; i < VT_RIG_MAX_DISKS; i++)
		close_fd(&r->fd[i]);
}

void vt_rig_unload(struct vt_rig *r)
{
	if (r->o && r->o->slow_name)
		vt_dm_remove(r->o->slow_name);
	vt_brd_unload();
}
