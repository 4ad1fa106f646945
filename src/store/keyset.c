/* A set of 64-bit hashes of a table's unique keys, filled as the digests
 * are fed (load_insert.c, "unique keys"): it only says whether two hashes
 * met. Open addressing, linear probing; 0 marks an empty slot, so the
 * caller never passes 0. */
#include <stdlib.h>

#include "load_table.h"

#define KEYSET_MAX ((size_t)1 << 23)     /* slots: 64 MiB, some 5.8 M keys */

struct keyset {
	uint64_t *slot;          /* 0: empty */
	size_t cap, n;
	int met;                 /* two hashes met */
	int over;                /* outgrew KEYSET_MAX: not known */
	int done;                /* its extract is loaded: the slots are gone */
};

struct keyset *keyset_new(void)
{
	return calloc(1, sizeof(struct keyset));
}

void keyset_free(struct keyset *k)
{
	if (k)
		free(k->slot);
	free(k);
}

uint64_t keyset_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

void keyset_prefetch(const struct keyset *k, uint64_t h)
{
	if (k->slot)
		__builtin_prefetch(&k->slot[h & (k->cap - 1)], 1);
}

void keyset_add(struct keyset *k, uint64_t h)
{
	if (k->over || k->met)
		return;
	if (k->done) {
		k->over = 1;           /* a row after load_engine_extract_done: not known */
		return;
	}
	if ((k->n + 1) * 10 > k->cap * 7) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		uint64_t *slot = cap <= KEYSET_MAX ? calloc(cap, sizeof(*slot)) : NULL;
		if (!slot) {
			/* too many keys (or no memory): the scan decides */
			free(k->slot);
			k->slot = NULL;
			k->over = 1;
			return;
		}
		for (size_t i = 0; i < k->cap; i++)
			if (k->slot[i]) {
				size_t j = k->slot[i] & (cap - 1);
				while (slot[j])
					j = (j + 1) & (cap - 1);
				slot[j] = k->slot[i];
			}
		free(k->slot);
		k->slot = slot;
		k->cap = cap;
	}
	size_t j = h & (k->cap - 1);
	while (k->slot[j]) {
		if (k->slot[j] == h) {
			k->met = 1;
			return;
		}
		j = (j + 1) & (k->cap - 1);
	}
	k->slot[j] = h;
	k->n++;
}

void keyset_done(struct keyset *k)
{
	free(k->slot);
	k->slot = NULL;
	k->cap = k->n = 0;
	k->done = 1;
}

int keyset_proven(const struct keyset *k)
{
	return !k->met && !k->over;
}
