/* Parsing JSON where running out of memory is an error, never a quietly
 * shorter string.
 *
 * jansson 2.14 does not check every allocation of its parser: when the
 * buffer of a string or number token cannot grow, the byte is dropped and
 * parsing goes on (load.c, lex_save ignores strbuffer_append_byte's
 * failure), so "10:00:00" can come back as "10:0:00" from a parse that
 * succeeded. These loaders route jansson's allocations through a counter of
 * failures (per thread) and refuse a parse during which one failed: NULL,
 * with `error` saying "out of memory" (json_error_code() is
 * json_error_out_of_memory). Use them for every parse. */
#ifndef RECON_JSONIN_H
#define RECON_JSONIN_H

#include <stddef.h>

#include <jansson.h>

/* Install the counting allocator (json_arena.h: malloc and free underneath, so objects
 * made before and after mix freely). Called by the loaders themselves;
 * main() calls it first so every thread shares one setting. */
void jsonin_init(void);

/* json_loadb / json_loads, refused when an allocation failed. New reference. */
json_t *jsonin_loadb(const char *buf, size_t len, size_t flags, json_error_t *error);
json_t *jsonin_loads(const char *text, size_t flags, json_error_t *error);

/* The error of a failed load was running out of memory. */
int jsonin_nomem(const json_error_t *error);

#endif
