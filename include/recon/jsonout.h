/* Serialising request bodies whose amounts must reach the remote system as
 * exact JSON numbers: jansson would send a double ("1234.5599999999999"). */
#ifndef RECON_JSONOUT_H
#define RECON_JSONOUT_H

#include <jansson.h>

/* A value that json_dumps_exact() writes as the bare JSON number `decimal`
 * (which must be decimal text such as "-1234.50"). New reference. */
json_t *json_decimal(const char *decimal);

/* json_dumps(doc, JSON_COMPACT) with every json_decimal() value unquoted.
 * Returns a new string (free()) or NULL. */
char *json_dumps_exact(const json_t *doc);

/* Building a document whose every part must arrive: a set or append that
 * fails (an allocation, a NULL value) is remembered, so an incomplete
 * document is reported as an error instead of printed as if it were whole.
 * Both steal `value`, like json_object_set_new. */
struct jb {
	int failed;
};
void jb_set(struct jb *b, json_t *obj, const char *key, json_t *value);
void jb_append(struct jb *b, json_t *arr, json_t *value);
/* A new string, or json_null() for NULL text. */
json_t *jb_str(struct jb *b, const char *text);

#endif
