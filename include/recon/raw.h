/* The raw layout of DESIGN §3: pages read in file-name order, each hashed as
 * evidence and parsed one at a time (a month never sits in memory whole),
 * and typed access to record fields whose every failure names file, record
 * and field. */
#ifndef RECON_RAW_H
#define RECON_RAW_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "recon/error.h"

/* Real pages are a few MiB (250 orders, 500 documents); jansson needs ~9x a
 * page in memory, so a larger page is refused as bad input. */
#define RAW_PAGE_MAX ((size_t)64 << 20)
#define RAW_FIELD_MAX 65536               /* longest text a stored field may hold */

/* One JSON value of a page as the loader reads it, from either parser
 * (jansson, or simdjson through json_simd.h): scalars decoded, arrays and
 * objects as handles for the lookups below. Borrowed from the page: valid
 * while the page is. */
enum raw_type {
	RAW_ABSENT,       /* no such field */
	RAW_NULL,
	RAW_BOOL,         /* v.i: 0 or 1 */
	RAW_INT,          /* v.i */
	RAW_REAL,         /* v.d */
	RAW_STRING,       /* v.s, len bytes, NUL-terminated after them (may hold a NUL) */
	RAW_ARRAY,
	RAW_OBJECT,
	RAW_BIGINT        /* an integer beyond int64_t (simdjson only): jansson refuses it */
};
struct raw_val {
	enum raw_type type;
	int simd;                   /* read by simdjson (h.simd), else by jansson (h.json) */
	size_t len;
	union {
		int64_t i;
		double d;
		const char *s;
	} v;
	union {
		json_t *json;
		uint64_t simd[2];       /* simdjson's DOM element, opaque outside json_simd.cpp */
	} h;
};

/* Where a record came from, for messages: 'file', record N, field
 * 'prefix.key'. A child record (an order's line) points at its parent and
 * its place in the parent's array; the prefix ("line_items[2].") is only
 * spelt out when a message needs it. */
struct raw_rec {
	const char *file;              /* path as shown to the user */
	const char *relpath;           /* the page's path inside the raw folder */
	size_t index;                  /* 1-based record number within the page */
	const struct raw_rec *parent;  /* NULL for a record of the page itself */
	const char *array;             /* a child: the parent's array that holds it */
	size_t elem;                   /* a child: its 0-based place in that array */
	struct raw_msg *msg;           /* where its message goes; NULL: stderr at once */
	int line;                      /* index is a line of a JSONL file (bulk output), not a record */
};

/* A page's message, kept until the page's turn comes (pages are read
 * ahead; messages appear in page order). The first one is kept. */
#define RAW_MSG_MAX 8192
struct raw_msg {
	recon_err err;
	char text[RAW_MSG_MAX];
};

/* rec as the record at `elem` of its array `array` (a child record). */
const struct raw_rec *raw_rec_child(struct raw_rec *child, const struct raw_rec *rec, const char *array,
                                    size_t elem);

/* Sorted list of "*.json" names in DIR/sub (byte order, like LC_ALL=C ls).
 * A missing folder is an empty list (*n = 0, RECON_OK). Free with raw_list_free. */
recon_err raw_list_pages(const char *dir, const char *sub, char ***names, size_t *n);
void raw_list_free(char **names, size_t n);

/* A page to read: DESIGN §3's {"<root_key>": [records]} (or, when single
 * is set, {"<root_key>": {one record}}); a dotted root_key walks down
 * objects to the list ("data.productVariants.nodes": GraphQL pages,
 * §3a). `tag` is handed to the record
 * callback (which table the records are). */
struct raw_job {
	const char *relpath;
	const char *root_key;
	int single;
	size_t tag;
};

/* What a load does with the pages it reads. A page is read, hashed,
 * parsed and its records converted (`record`) on a parser thread, into an
 * output of its own; `ordered` then runs for each page whose records all
 * converted, in page order, one page at a time; the caller's thread gets
 * the page as evidence (`page`) and its output (`deliver`), in page order.
 * Messages appear in page order too, after everything the pages before
 * them said. */
struct raw_sink {
	void *arg;
	void *(*out_new)(void *arg);                  /* NULL: out of memory */
	void (*out_free)(void *arg, void *out);
	void (*out_reset)(void *arg, void *out);      /* forget a page's records */
	recon_err (*record)(void *arg, void *out, size_t tag, const struct raw_rec *rec, const struct raw_val *obj);
	void (*ordered)(void *arg, void *out);
	recon_err (*page)(void *arg, const char *relpath, int64_t bytes, const char *sha256);
	recon_err (*deliver)(void *arg, void *out);
};

/* Read one page in the caller's thread, as the reader below does. */
recon_err raw_read_page(const char *dir, const struct raw_job *job, const struct raw_sink *sink);

/* Reading ahead: parser threads read the pages of a list, in order, while
 * the caller takes the ones before. */
struct raw_reader;
/* `jobs` and `sink` must outlive the reader. Without a thread to be had,
 * the pages are read in turn by raw_reader_next. */
recon_err raw_reader_start(const char *dir, const struct raw_job *jobs, size_t n, const struct raw_sink *sink,
                           struct raw_reader **out);
/* Deliver the next page of the list (as raw_read_page does). */
recon_err raw_reader_next(struct raw_reader *r);
/* Stop reading ahead and free everything; NULL is fine. */
void raw_reader_stop(struct raw_reader *r);
/* 1 when pages of `total` bytes are more than half the memory: kept in the
 * page cache they would only evict the database, so each is dropped from
 * it once read (raw_ahead.c). RECON_TEST_MEMORY_BYTES sets the memory
 * size, so that a small month takes that path in the tests. */
int raw_pages_too_big(int64_t total);
/* Ask the disk for the file at path now, for a read soon after. */
void raw_will_need(const char *path);

/* When set, called with every field a typed getter below is asked for
 * (present or not): tests/unit/test_fields.c checks that a live fetch asks
 * the APIs for each field the loader reads. Called from the parser threads. */
extern void (*raw_field_trace)(const struct raw_rec *rec, const char *key);

/* The reader reads each page with simdjson first, and with jansson a page
 * simdjson refuses (json_simd.h). 0 makes it jansson only, as raw_read_page
 * always is (tests compare the two). Set before a reader starts. */
void raw_use_simdjson(int on);

/* Report "'file', record N, field 'x': why" and return RECON_ERR_INPUT. */
recon_err raw_field_error(const struct raw_rec *rec, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same text into buf, reported nowhere, the page named by its path
 * inside the raw folder (stored text must not depend on where the folder
 * is: it is evidence): a record kept with a problem noted (a refund whose
 * shop amount cannot be told) names its field so. */
void raw_field_text(const struct raw_rec *rec, const char *field, char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* RECON_OK when v is an object, else "'file', record N, field
 * 'lines[0].': expected an object" (exit 3). */
recon_err raw_object(const struct raw_rec *rec, const struct raw_val *v);

/* ---- values ----
 * A path may be dotted ("a.b.c") into nested objects; a path through
 * something that is not an object is absent. A key read that appears
 * twice in its object is bad input (jansson refuses such a page whole; a
 * page simdjson read is then read again by jansson, which says so). */

/* A jansson value as a raw_val. */
void raw_from_json(json_t *v, struct raw_val *out);
/* One field of the object obj. */
recon_err raw_field(const struct raw_rec *rec, const struct raw_val *obj, const char *path, struct raw_val *out);
/* Many fields of one object at once: paths compiled once (copied), looked
 * up in one pass per object on the way. NULL when out of memory. */
struct raw_keys;
struct raw_keys *raw_keys_new(const char *const *paths, size_t n);
void raw_keys_free(struct raw_keys *k);
/* out[i] for the i-th path of k. */
recon_err raw_lookup(const struct raw_rec *rec, const struct raw_keys *k, const struct raw_val *obj,
                     struct raw_val *out);
/* The elements of an array, in order. */
struct raw_iter {
	const struct raw_val *array;
	size_t i;
	uint64_t simd[4];
};
void raw_iter_init(struct raw_iter *it, const struct raw_val *array);
/* 1 and the next element in *out, 0 after the last. */
int raw_iter_next(struct raw_iter *it, struct raw_val *out);

/* Typed reads of a field's value v (`key` names it in messages).
 * `required`: absent or null is an error; otherwise *present (may be
 * NULL) says whether a value was there. Strings are borrowed from the page. */
json_t *raw_get(json_t *obj, const char *key);
recon_err raw_str(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                  const char **out);
/* String, or integer printed as text (ids ERPNext stores as Small Text). buf >= 32. */
recon_err raw_idtext(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                     char *buf, size_t size, const char **out);
recon_err raw_int(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                  int64_t *out, int *present);
/* true/false, or 0/1 (ERPNext Check fields). */
recon_err raw_bool(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                   int *out, int *present);
recon_err raw_date(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                   const char **out);
recon_err raw_ts(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                 const char **text, int64_t *utc);
/* Money: decimal string (exact) or JSON number (rounded once, here). */
recon_err raw_money(const struct raw_rec *rec, const char *key, const struct raw_val *v, int exponent,
                    int required, int64_t *out, int *present);
/* Quantity in thousandths: JSON number or decimal string. */
recon_err raw_qty(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                  int64_t *out, int *present);
/* Three upper-case letters. */
recon_err raw_currency(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                       const char **out);
/* GraphQL (DESIGN §3a). A global id "gid://shopify/<Type>/<n>", maybe
 * followed by "?...", as its number n (ids are unique per type only: the
 * caller knows which type it reads). raw_gid_parse: 0, or -1 when s is
 * not one; type may be NULL. */
int raw_gid_parse(const char *s, size_t len, const char **type, size_t *type_len, int64_t *id);
recon_err raw_gid(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                  int64_t *out, int *present);
/* An enum value ("PARTIALLY_REFUNDED") lower-cased into buf, REST's
 * spelling of most of them ("partially_refunded"). */
recon_err raw_enum(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                   char *buf, size_t size, const char **out);
/* An array (absent or null: *present = 0 when not required). */
recon_err raw_array(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                    int *present);

#endif
