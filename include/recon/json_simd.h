/* simdjson's DOM parser for raw pages (issue 18), behind a C interface:
 * the one C++ translation unit is src/json_simd.cpp. jansson stays the
 * judge of bad input: whatever this parser refuses (a page it cannot
 * parse, a duplicate key among the fields read, a record that is not an
 * object) is read again with jansson, whose messages name file, record and
 * field (src/raw.c). So this interface never explains a refusal, it only
 * says "not here".
 *
 * Values come out as struct raw_val (raw.h), the type the loader reads
 * from either parser. They are borrowed from the parser: valid until it
 * parses its next page or is freed. A parser is used by one thread at a
 * time; the read-ahead keeps one per slot. */
#ifndef RECON_JSON_SIMD_H
#define RECON_JSON_SIMD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "recon/raw.h"

/* Bytes that must be readable after a page's last byte: simdjson loads
 * whole 64-byte blocks (SIMDJSON_PADDING, checked at compile time). */
#define JSIMD_PADDING 64

enum jsimd_status {
	JSIMD_OK,
	JSIMD_END,         /* no more records */
	JSIMD_REFUSED,     /* not read here: the page goes to jansson */
	JSIMD_NOMEM
};

/* Once, before the first parser and before threads use this interface:
 * simdjson's own start-up (choosing the code for this CPU), done where an
 * allocation failure can be survived. 0: it could not be done, and
 * jsimd_parser_new will give no parser (jansson reads every page). */
int jsimd_init(void);

struct jsimd_parser;
/* NULL when out of memory (or before jsimd_init succeeded). */
struct jsimd_parser *jsimd_parser_new(void);
void jsimd_parser_free(struct jsimd_parser *p);
/* Bytes the parser holds for its largest page so far. */
size_t jsimd_parser_capacity(const struct jsimd_parser *p);

/* Iterating an array read by simdjson. */
struct jsimd_iter {
	uint64_t opaque[4];
};
void jsimd_iter_init(struct jsimd_iter *it, const struct raw_val *array);
/* 1 and the next element in *out, or 0 at the end. */
int jsimd_iter_next(struct jsimd_iter *it, struct raw_val *out);

/* The records of one page: DESIGN §3's {"<root_key>": [ {...}, ... ]}, or
 * {"<root_key>": {...}} as one record when `single` is set. */
struct jsimd_page {
	struct jsimd_iter it;
	struct raw_val one;
	int single;
	int done;
};
/* Parse len bytes at buf (JSIMD_PADDING more readable after them) and open
 * the page's records. REFUSED: not JSON, a root that is not an object, a
 * root_key absent, twice or of the wrong type. */
enum jsimd_status jsimd_page_open(struct jsimd_parser *p, const char *buf, size_t len, const char *root_key,
                                  int single, struct jsimd_page *pg);
/* The next record (JSIMD_OK), JSIMD_END after the last, or JSIMD_REFUSED
 * for an element that is not an object. */
enum jsimd_status jsimd_page_next(struct jsimd_page *pg, struct raw_val *rec);

/* A set of dotted paths ("id", "customer.first_name") compiled for
 * one-pass lookups. The paths are copied; each must appear once. NULL
 * when out of memory. */
struct jsimd_keys;
struct jsimd_keys *jsimd_keys_new(const char *const *paths, size_t n);
void jsimd_keys_free(struct jsimd_keys *k);
/* Every path of k in the object obj, in one pass over each object on the
 * way: out[i] for paths[i], RAW_ABSENT when absent or when an object on
 * its way is not an object (as raw_get). REFUSED when a key on the way to
 * a path appears twice in its object (jansson refuses any duplicate). */
enum jsimd_status jsimd_lookup(const struct jsimd_keys *k, const struct raw_val *obj, struct raw_val *out);
/* One dotted path, the same way (for hooks, which read few fields). */
enum jsimd_status jsimd_get(const struct raw_val *obj, const char *path, struct raw_val *out);

#ifdef __cplusplus
}
#endif

#endif
