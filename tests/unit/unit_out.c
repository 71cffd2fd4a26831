// SPDX-License-Identifier: GPL-2.0
/* The output buffer most unit groups write into (see unit.h). */
#include <stdlib.h>
#include "unit.h"

int unit_out_setup(void **state)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o || out_init(o, -1, 16)) {
		free(o);
		return -1;
	}
	*state = o;
	return 0;
}

int unit_out_teardown(void **state)
{
	struct out *o = *state;

	out_free(o);
	free(o);
	return 0;
}
