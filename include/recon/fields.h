/* The fields a live fetch asks each API for (DESIGN §3a), listed once per
 * extract in src/fields.c: what the loader reads and what an auditor needs
 * to trace a row, and nothing else, so evidence pages keep no more personal
 * data than recon uses. The connectors build their `fields=` parameters
 * from this table; tests/unit/test_fields.c checks that every field the
 * loader reads is in it. */
#ifndef RECON_FIELDS_H
#define RECON_FIELDS_H

#include <stddef.h>

struct fetch_fields {
	const char *extract;              /* load_extracts name, e.g. "shopify/orders" */
	const char *const *fields;        /* NULL-terminated; NULL: the API cannot name fields here */
	const char *const *optional;      /* of those, custom fields a site may lack (NULL-terminated) */
};
extern const struct fetch_fields fetch_fields[];   /* ends with { NULL, NULL, NULL } */

/* The entry of an extract, NULL when it has none. */
const struct fetch_fields *fields_for(const char *extract);

/* 1 when `field` is one of the extract's optional (custom) fields. */
int fields_optional(const char *extract, const char *field);

/* "a,b,c": Shopify REST's `fields` (top-level fields only). 0, or -1 when
 * the extract names no fields or the list does not fit in buf. */
int fields_csv(const char *extract, char *buf, size_t size);

/* ["a","b","c"]: a Frappe list query's `fields`, leaving out those named in
 * `drop` (NULL-terminated, may be NULL). New string (free()); NULL when out
 * of memory or the extract names no fields. */
char *fields_json(const char *extract, const char *const *drop);

/* A GraphQL selection of the extract's dotted fields: "id", "net.amount",
 * "net.currencyCode" -> "id net { amount currencyCode }". 0, or -1 when
 * the extract names no fields or the selection does not fit in buf. */
int fields_graphql(const char *extract, char *buf, size_t size);

#endif
