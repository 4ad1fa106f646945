/* Page-sized arenas for jansson. Parsing a page makes one small allocation
 * per value, and malloc/free were a third of the load's time; inside an
 * arena they are a pointer bump, and the whole page is released at once.
 *
 * jansson's allocator is process-wide, so json_arena_install() sets
 * functions that fall back to malloc/free for every thread that has no
 * arena selected: values made elsewhere (HTTP bodies, outbox documents)
 * are unaffected and can be freed as always. A value parsed inside an
 * arena must never be json_decref'd after json_arena_release(). */
#ifndef RECON_JSON_ARENA_H
#define RECON_JSON_ARENA_H

#include <stddef.h>

struct json_arena_chunk;

struct json_arena {
	struct json_arena_chunk *head;
	size_t allocs;          /* allocations served, so a caller can tell it was used */
	size_t bytes;           /* bytes held by its chunks */
};

/* Install the allocator (once; thread-safe). Returns 0, or -1 when jansson
 * had already been given other functions. */
int json_arena_install(void);

/* Allocations jansson was refused on this thread so far (jsonin.h). */
unsigned long json_arena_failures(void);

/* Make `a` (or NULL: plain malloc) the calling thread's allocator for
 * jansson. Returns the previous one. */
struct json_arena *json_arena_select(struct json_arena *a);

/* Free every chunk; the arena is empty and reusable afterwards. */
void json_arena_release(struct json_arena *a);
/* Empty the arena for reuse, keeping its newest chunk if at most `keep` bytes. */
void json_arena_reset(struct json_arena *a, size_t keep);

#endif
