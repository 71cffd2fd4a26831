// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "model/holders.h"

void holders_free(struct holders *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].v);
		h[i].v = NULL;
		h[i].n = 0;
	}
}

void who_free(struct who *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		holders_free(&w[i].h, 1);
}
