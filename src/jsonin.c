#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "recon/jsonin.h"

static _Thread_local unsigned long failures;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *counted_malloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		failures++;
	return p;
}

static void install(void)
{
	json_set_alloc_funcs(counted_malloc, free);
}

void jsonin_init(void)
{
	pthread_once(&once, install);
}

static json_t *checked(json_t *v, unsigned long before, json_error_t *error)
{
	if (failures == before)
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
	before = failures;
	return checked(json_loadb(buf, len, flags, error), before, error);
}

json_t *jsonin_loads(const char *text, size_t flags, json_error_t *error)
{
	unsigned long before;
	jsonin_init();
	before = failures;
	return checked(json_loads(text, flags, error), before, error);
}

int jsonin_nomem(const json_error_t *error)
{
	return json_error_code(error) == json_error_out_of_memory;
}
