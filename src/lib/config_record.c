/* The settings a run used, for its run record (config.h, config_record). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "recon/config.h"
#include "recon/hash.h"

/* Section and key names are case-insensitive in the file: the record keeps
 * one spelling so the digest does not change with the case. Location names
 * (keys of [locations]) keep theirs: they name Shopify locations. */
static char *lower(const char *s)
{
	char *c = strdup(s);
	for (char *p = c; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return c;
}

/* json_dumps() that never returns a text missing part of the value:
 * jansson 2.14's dump with JSON_SORT_KEYS ignores a key it failed to write
 * under memory pressure and returns the rest (`"bank":"x",:"y"`, found by
 * t0810), which would be recorded, and digested, as the run's settings.
 * The text is read back and compared; any doubt is "out of memory" (NULL). */
char *config_record_dumps(const json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *back = text ? json_loads(text, 0, NULL) : NULL;
	int same = back && json_equal(back, (json_t *)rec);
	json_decref(back);
	if (!same) {
		free(text);
		return NULL;
	}
	return text;
}

json_t *config_record(const struct config *cfg, char digest[65])
{
	json_t *rec = json_object();
	char *text = NULL;
	int failed = !rec;

	digest[0] = '\0';
	for (size_t i = 0; !failed && i < config_nsections(cfg); i++) {
		const char *name = config_section_name(cfg, i);
		char *sec = lower(name);
		json_t *o;
		if (!sec) {
			failed = 1;
			break;
		}
		o = json_object_get(rec, sec);
		if (!o && (json_object_set_new(rec, sec, o = json_object()) || !o))
			failed = 1;
		for (size_t j = 0; !failed && j < config_section_size(cfg, name); j++) {
			const char *k, *v;
			config_section_entry(cfg, name, j, &k, &v);
			if (!k || config_is_secret(name, k))
				continue;
			char *key = strcmp(sec, "locations") ? lower(k) : strdup(k);
			failed = !key || json_object_set_new(o, key, json_string(v ? v : ""));
			free(key);
		}
		free(sec);
	}
	if (!failed)
		text = config_record_dumps(rec);
	if (failed || !text) {
		json_decref(rec);
		free(text);
		return NULL;
	}
	sha256_hex(text, strlen(text), digest);
	free(text);
	return rec;
}
