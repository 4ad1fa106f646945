#include <stdlib.h>
#include <string.h>

#include "recon/jsonout.h"

/* The marker survives json_dumps as the escape "\u0001dec:" and cannot occur
 * in real text after escaping, because a literal backslash is escaped too. */
#define MARK "\x01" "dec:"
#define MARK_ESCAPED "\"\\u0001dec:"

json_t *json_decimal(const char *decimal)
{
	size_t n = strlen(decimal);
	char *buf = malloc(n + sizeof(MARK));
	json_t *v;
	if (!buf)
		return NULL;
	memcpy(buf, MARK, sizeof(MARK) - 1);
	memcpy(buf + sizeof(MARK) - 1, decimal, n + 1);
	v = json_string(buf);
	free(buf);
	return v;
}

char *json_dumps_exact(const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *r, *w;
	if (!text)
		return NULL;
	/* In place: the output only ever shrinks. */
	for (r = w = text; *r;) {
		if (strncmp(r, MARK_ESCAPED, sizeof(MARK_ESCAPED) - 1) == 0) {
			r += sizeof(MARK_ESCAPED) - 1;
			while (*r && *r != '"')
				*w++ = *r++;
			if (*r == '"')
				r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return text;
}

/* json_*_new() free the value when they fail; without a container to put
 * it in, the value is freed here, so a failed build leaks nothing. */
void jb_set(struct jb *b, json_t *obj, const char *key, json_t *value)
{
	if (!obj) {
		json_decref(value);
		b->failed = 1;
	} else if (!value || json_object_set_new(obj, key, value) != 0) {
		b->failed = 1;
	}
}

void jb_append(struct jb *b, json_t *arr, json_t *value)
{
	if (!arr) {
		json_decref(value);
		b->failed = 1;
	} else if (!value || json_array_append_new(arr, value) != 0) {
		b->failed = 1;
	}
}

json_t *jb_str(struct jb *b, const char *text)
{
	json_t *v = text ? json_string(text) : json_null();
	if (!v)
		b->failed = 1;
	return v;
}
