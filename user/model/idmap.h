/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded map from socket id to a fixed-size record, open addressing
 * with linear probing over slots that point into a dense array of the
 * records. Bounded so that no flood of connections grows it
 * without end: a full map refuses inserts, and the caller counts them.
 * Its memory follows the records held, up to the bound. A record's address
 * holds until the next insert or delete on the same map.
 */
#ifndef __TT_IDMAP_H
#define __TT_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct idmap;

struct idmap *idmap__new(size_t max_entries, size_t value_size);
void idmap__free(struct idmap *m);
/* the record for id, or NULL */
void *idmap__lookup(const struct idmap *m, __u64 id);
/* a zeroed record for a new id (id 0 is reserved); NULL when full */
void *idmap__insert(struct idmap *m, __u64 id);
void idmap__delete(struct idmap *m, __u64 id);
size_t idmap__count(const struct idmap *m);
/* slots allocated now: what the memory follows */
size_t idmap__slots(const struct idmap *m);
/* calls fn for each record, in no particular order */
void idmap__for_each(const struct idmap *m,
		     void (*fn)(void *ctx, __u64 id, void *value), void *ctx);

#endif /* __TT_IDMAP_H */
