// SPDX-License-Identifier: GPL-2.0
/* Runs every registered group, by name; exits non-zero if a test failed. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"

#define MAX_GROUPS 64

static struct {
	const char *name;
	unit_group_fn run;
} groups[MAX_GROUPS];
static int ngroups;

void unit_register(const char *name, unit_group_fn run)
{
	if (ngroups == MAX_GROUPS)
		abort(); /* raise MAX_GROUPS */
	groups[ngroups].name = name;
	groups[ngroups++].run = run;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const typeof(groups[0]) *)a)->name,
		      ((const typeof(groups[0]) *)b)->name);
}

int main(void)
{
	int failed = 0;

	qsort(groups, ngroups, sizeof(groups[0]), by_name);
	for (int i = 0; i < ngroups; i++)
		failed += groups[i].run();
	return failed ? 1 : 0;
}
