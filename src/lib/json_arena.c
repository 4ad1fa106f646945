#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <jansson.h>

#include "recon/json_arena.h"

#define CHUNK_MIN ((size_t)1 << 20)
#define CHUNK_GROW_MAX ((size_t)16 << 20)

struct json_arena_chunk {
	struct json_arena_chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

static _Thread_local struct json_arena *current;
/* Allocations refused on this thread: jsonin's loaders compare it around a
 * parse, because jansson's lexer drops a byte it cannot store and goes on. */
static _Thread_local unsigned long failures;

static void *arena_malloc(size_t n)
{
	struct json_arena *a = current;
	struct json_arena_chunk *c;

	if (!a) {
		void *p = malloc(n);
		if (!p)
			failures++;
		return p;
	}
	if (n > SIZE_MAX - 64) {
		failures++;
		return NULL;
	}
	n = (n + 15) & ~(size_t)15;
	c = a->head;
	if (!c || c->size - c->used < n) {
		/* Doubling keeps the chunk count (and free()'s range test) small. */
		size_t size = c ? c->size * 2 : CHUNK_MIN;
		if (size > CHUNK_GROW_MAX)
			size = CHUNK_GROW_MAX;
		if (size < n)
			size = n;
		c = malloc(sizeof(*c) + size);
		if (!c) {
			failures++;
			return NULL;
		}
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->bytes += size;
	}
	void *p = c->data + c->used;
	c->used += n;
	a->allocs++;
	return p;
}

/* jansson frees temporaries while it parses (a grown string buffer, an
 * outgrown hash table); inside the arena they wait for the release. */
static void arena_free(void *p)
{
	struct json_arena *a = current;
	if (!p)
		return;
	if (a) {
		uintptr_t u = (uintptr_t)p;
		for (struct json_arena_chunk *c = a->head; c; c = c->next)
			if (u >= (uintptr_t)c->data && u < (uintptr_t)c->data + c->size)
				return;
	}
	free(p);
}

static int install_result;

static void install(void)
{
	json_malloc_t m;
	json_free_t f;
	json_get_alloc_funcs(&m, &f);
	if (m != malloc || f != free) {
		install_result = -1;
		return;
	}
	/* Seed the hash function now, before several threads create objects. */
	json_object_seed(0);
	json_set_alloc_funcs(arena_malloc, arena_free);
}

int json_arena_install(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, install);
	return install_result;
}

unsigned long json_arena_failures(void)
{
	return failures;
}

struct json_arena *json_arena_select(struct json_arena *a)
{
	struct json_arena *prev = current;
	current = a;
	return prev;
}

void json_arena_release(struct json_arena *a)
{
	struct json_arena_chunk *c = a->head;
	while (c) {
		struct json_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->allocs = 0;
	a->bytes = 0;
}

void json_arena_reset(struct json_arena *a, size_t keep)
{
	/* Keep one chunk (the newest, which is the largest) when it is small
	 * enough: the next page then parses in memory already faulted in,
	 * instead of a fresh mapping per page. */
	struct json_arena_chunk *c = a->head;
	if (!c || c->size > keep) {
		json_arena_release(a);
		return;
	}
	struct json_arena_chunk *rest = c->next;
	while (rest) {
		struct json_arena_chunk *next = rest->next;
		a->bytes -= rest->size;
		free(rest);
		rest = next;
	}
	c->next = NULL;
	c->used = 0;
	a->allocs = 0;
}
