#include <stdio.h>
#include <stdlib.h>

#include "recon/json_arena.h"
#include "recon/jsonin.h"

/* The counting allocator is json_arena's: one set of functions for jansson,
 * counting refusals whether or not the thread parses into an arena. */
void jsonin_init(void)
{
	json_arena_install();
}

static json_t *checked(json_t *v, unsigned long before, json_error_t *error)
{
	if (json_arena_failures() == before)
		return v;
	json_decref(v);
	if (error) {
		snprintf(error->text, sizeof(error->text), "out of memory");
		error->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)json_error_out_of_memory;
	}
	return NULL;
}

json_t *jsonin_loadb(const char *buf, size_t len, size_t flags, json_error_t *error)
{
	unsigned long before;
	jsonin_init();
	before = json_arena_failures();
	return checked(json_loadb(buf, len, flags, error), before, error);
}

json_t *jsonin_loads(const char *text, size_t flags, json_error_t *error)
{
	unsigned long before;
	jsonin_init();
	before = json_arena_failures();
	return checked(json_loads(text, flags, error), before, error);
}

int jsonin_nomem(const json_error_t *error)
{
	return json_error_code(error) == json_error_out_of_memory;
}
