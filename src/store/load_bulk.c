/* Bulk output, one JSON object a line (load_bulk.h). A month of a large
 * shop is gigabytes, so nothing holds a file whole: lines are parsed one
 * at a time, converted into a batch, and the batch inserted every few
 * thousand lines. A child line names its parent by `__parentId` and comes
 * after it, though not always next to it (groupObjects is off by default
 * since 2026-01), so the orders read so far are kept as a set of ids (with
 * the exponent of their money), not as records. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/jsonin.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "load_bulk.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

#define BULK_CHUNK ((size_t)1 << 20)       /* bytes read at once */
#define BULK_BATCH_LINES 2048               /* lines converted before a batch is inserted */
#define BULK_LINE_MAX RAW_PAGE_MAX          /* one object a line: no line is a month */

/* ---- the orders seen: open addressing, id -> currency ---- */

struct seen {
	int64_t *id;           /* 0: empty (global ids are positive) */
	char (*cur)[4];
	size_t cap, n;
};

static size_t seen_slot(const struct seen *s, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 17) & (s->cap - 1);
	while (s->id[i] && s->id[i] != id)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static recon_err seen_add(struct seen *s, int64_t id, const char *cur)
{
	if (2 * (s->n + 1) > s->cap) {
		struct seen g = { .cap = s->cap ? 2 * s->cap : 4096 };
		g.id = calloc(g.cap, sizeof(*g.id));
		g.cur = malloc(g.cap * sizeof(*g.cur));
		if (!g.id || !g.cur) {
			free(g.id);
			free(g.cur);
			return RECON_ERR_NOMEM;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->id[i]) {
				size_t k = seen_slot(&g, s->id[i]);
				g.id[k] = s->id[i];
				memcpy(g.cur[k], s->cur[i], 4);
				g.n++;
			}
		free(s->id);
		free(s->cur);
		*s = g;
	}
	size_t k = seen_slot(s, id);
	if (!s->id[k])
		s->n++;
	s->id[k] = id;
	snprintf(s->cur[k], 4, "%s", cur);     /* raw_currency: three letters */
	return RECON_OK;
}

static const char *seen_get(const struct seen *s, int64_t id)
{
	if (!s->cap)
		return NULL;
	size_t k = seen_slot(s, id);
	return s->id[k] ? s->cur[k] : NULL;
}

/* ---- one file ---- */

struct flat;

struct bulk {
	struct load_engine *e;
	size_t root;
	struct load_batch *b;
	struct seen seen;
	json_t **held;            /* the parsed lines the batch borrows text from */
	size_t nheld;
	struct flat *flat;        /* balance transactions, variants: the lines' order */
};

static recon_err flush(struct bulk *k)
{
	recon_err err;
	load_engine_account(k->e, k->b);
	err = load_engine_insert(k->e, k->b);
	load_batch_reset(k->b);
	for (size_t i = 0; i < k->nheld; i++)
		json_decref(k->held[i]);
	k->nheld = 0;
	return err;
}

/* The type named by a global id field of o ("Order", "LineItem"); *id its number. */
static recon_err gid_of(const struct raw_rec *rec, const struct raw_val *o, const char *key, int required,
                        const char **type, size_t *tlen, int64_t *id)
{
	struct raw_val v;
	*type = NULL;
	*tlen = 0;
	TRY(raw_field(rec, o, key, &v));
	TRY(raw_gid(rec, key, &v, required, id, NULL));
	if (v.type == RAW_STRING)
		raw_gid_parse(v.v.s, v.len, type, tlen, id);
	return RECON_OK;
}

static int is_type(const char *type, size_t tlen, const char *want)
{
	return type && tlen == strlen(want) && memcmp(type, want, tlen) == 0;
}

static recon_err bulk_line(struct bulk *k, const struct raw_rec *rec, json_t *obj)
{
	struct raw_val o, v;
	const char *type, *ptype, *cur;
	size_t tlen, plen;
	int64_t id, parent;

	raw_from_json(obj, &o);
	TRY(gid_of(rec, &o, "__parentId", 0, &ptype, &plen, &parent));
	TRY(gid_of(rec, &o, "id", 1, &type, &tlen, &id));
	if (!ptype) {
		if (!is_type(type, tlen, "Order"))
			return raw_field_error(rec, "id", "a line without '__parentId' must be an Order, not a %.*s",
			                       (int)tlen, type);
		TRY(raw_field(rec, &o, "currencyCode", &v));
		TRY(raw_currency(rec, "currencyCode", &v, 1, &cur));
		TRY(load_engine_convert(k->e, k->b, k->root, rec, &o));
		return seen_add(&k->seen, id, cur);
	}
	if (!is_type(ptype, plen, "Order") || !(cur = seen_get(&k->seen, parent)))
		return raw_field_error(rec, "__parentId", "no %.*s %lld on a line before this one: a child line "
		                       "follows its parent", (int)plen, ptype, (long long)parent);
	if (is_type(type, tlen, "LineItem"))
		return load_engine_convert_child(k->e, k->b, k->root, LOAD_BULK_LINES, parent, cur, rec, &o);
	if (is_type(type, tlen, "ShippingLine"))
		return load_engine_convert_child(k->e, k->b, k->root, LOAD_BULK_SHIPPING, parent, cur, rec, &o);
	return RECON_OK;      /* a connection recon does not read */
}

static recon_err parse_line(const char *path, size_t lineno, char *text, size_t len, json_t **out)
{
	json_error_t jerr;
	json_t *obj;

	*out = NULL;
	if (!(obj = jsonin_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr))) {
		if (jsonin_nomem(&jerr))
			return RECON_ERR_NOMEM;
		msg_error("'%s', line %zu, column %d: not valid JSON: %s", path, lineno, jerr.column, jerr.text);
		return RECON_ERR_INPUT;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		msg_error("'%s', line %zu: expected a JSON object", path, lineno);
		return RECON_ERR_INPUT;
	}
	*out = obj;
	return RECON_OK;
}

/* One line of a file: its number, where it starts, its text (no newline). */
typedef recon_err (*line_fn)(struct bulk *k, const char *path, const char *relpath, size_t lineno, int64_t off,
                             char *text, size_t len);

static recon_err bulk_parse(struct bulk *k, const char *path, const char *relpath, size_t lineno, int64_t off,
                            char *text, size_t len)
{
	struct raw_rec rec = { .file = path, .relpath = relpath, .index = lineno, .line = 1 };
	json_t *obj;
	recon_err err;

	(void)off;
	if (len == 0)
		return RECON_OK;
	TRY(parse_line(path, lineno, text, len, &obj));
	k->held[k->nheld++] = obj;
	if ((err = bulk_line(k, &rec, obj)))
		return err;
	return k->nheld == BULK_BATCH_LINES ? flush(k) : RECON_OK;
}

/* Every line of DIR/relpath to fn, the file hashed as it is read. */
static recon_err bulk_file(struct bulk *k, const char *dir, const char *relpath, line_fn fn, char *hex,
                           int64_t *bytes)
{
	char path[4096];
	char *buf = NULL;
	size_t cap = 0, used = 0, lineno = 0;
	int64_t base = 0;       /* the file offset of buf[0] */
	struct sha256 *h = sha256_new();
	FILE *f;
	recon_err err = RECON_OK;

	*bytes = 0;
	snprintf(path, sizeof(path), "%.2000s/%.2000s", dir, relpath);
	if (!h)
		return RECON_ERR_NOMEM;
	if (!(f = fopen(path, "rb"))) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		sha256_free(h);
		return RECON_ERR_IO;
	}
	for (;;) {
		if (cap - used < BULK_CHUNK) {
			size_t ncap = cap ? cap * 2 : 4 * BULK_CHUNK;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				err = RECON_ERR_NOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + used, 1, BULK_CHUNK, f);
		if (got == 0) {
			if (ferror(f)) {
				msg_error("cannot read '%s': %s", path, strerror(errno));
				err = RECON_ERR_IO;
			}
			break;
		}
		sha256_update(h, buf + used, got);
		*bytes += (int64_t)got;
		used += got;
		/* The complete lines of what was read; the rest waits for more. */
		size_t start = 0;
		char *nl;
		while (!err && (nl = memchr(buf + start, '\n', used - start))) {
			size_t n = (size_t)(nl - (buf + start));
			err = fn(k, path, relpath, ++lineno, base + (int64_t)start, buf + start,
			         n && buf[start + n - 1] == '\r' ? n - 1 : n);
			start += n + 1;
		}
		if (err)
			break;
		memmove(buf, buf + start, used - start);
		used -= start;
		base += (int64_t)start;
		if (used > BULK_LINE_MAX) {
			msg_error("'%s', line %zu: longer than the %zu MiB a line may be", path, lineno + 1,
			          BULK_LINE_MAX >> 20);
			err = RECON_ERR_INPUT;
			break;
		}
	}
	fclose(f);
	/* The last line may lack its newline. */
	if (!err && used)
		err = fn(k, path, relpath, ++lineno, base, buf, buf[used - 1] == '\r' ? used - 1 : used);
	if (!err && k->nheld)
		err = flush(k);
	free(buf);
	sha256_final_hex(h, hex);
	return err;
}

/* ---- balance transactions and variants: one record a line, put in order ----
 * The paged queries' order is what the digests follow (a table's digest
 * hashes its rows in insertion order), and a bulk operation promises none:
 * each line's place is worked out in a first pass (a few numbers and its
 * offset), the lines sorted, then read again in that order and converted. */

struct flat_line {
	int64_t group;          /* transactions: the payout's place, then pending, then any other;
	                         * inventory levels: the item's id */
	int64_t when;           /* transactions: minus transactionDate (newest first); none last */
	int64_t id;             /* transactions: minus the id; variants: the id; levels: the location's */
	int64_t off;
	size_t len, lineno;
	size_t file;
};

struct flat {
	const char *type;       /* the GID type each line's id has */
	const char *parent;     /* the type of the lines they hang under (`__parentId`), or NULL */
	int txns;
	const int64_t *payouts; /* the payouts as loaded, and their ids sorted with their places */
	size_t npayouts;
	int64_t (*sorted)[2];
	struct flat_line *v;
	size_t n, cap, file;
};

static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int cmp_flat(const void *a, const void *b)
{
	const struct flat_line *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

/* The payout's place among those loaded, or -1. */
static int64_t payout_place(const struct flat *fl, int64_t id)
{
	int64_t key[2] = { id, 0 };
	const int64_t(*hit)[2] = fl->npayouts ? bsearch(key, fl->sorted, fl->npayouts, sizeof(*fl->sorted), cmp_pair)
	                                      : NULL;
	return hit ? (*hit)[1] : -1;
}

static recon_err flat_key(struct bulk *k, const char *path, const char *relpath, size_t lineno, int64_t off,
                          char *text, size_t len)
{
	struct flat *fl = k->flat;
	struct raw_rec rec = { .file = path, .relpath = relpath, .index = lineno, .line = 1 };
	struct flat_line ln = { .off = off, .len = len, .lineno = lineno, .file = fl->file };
	struct raw_val o, v;
	const char *type, *ptype;
	size_t tlen, plen;
	int64_t id, parent;
	json_t *obj;
	recon_err err;

	if (len == 0)
		return RECON_OK;
	TRY(parse_line(path, lineno, text, len, &obj));
	raw_from_json(obj, &o);
	if ((err = gid_of(&rec, &o, "__parentId", 0, &ptype, &plen, &parent)) ||
	    (err = gid_of(&rec, &o, "id", 1, &type, &tlen, &id)))
		goto out;
	if (fl->parent && !ptype) {
		/* a parent's line: known, so its children's can be checked */
		if (!is_type(type, tlen, fl->parent))
			err = raw_field_error(&rec, "id", "a line without '__parentId' must be a %s, not a %.*s",
			                      fl->parent, (int)tlen, type ? type : "");
		else
			err = seen_add(&k->seen, id, "");
		goto out;
	}
	if (ptype && !fl->parent) {
		err = raw_field_error(&rec, "__parentId", "a %s line has no parent (the query has one connection)",
		                      fl->type);
		goto out;
	}
	if (ptype && !is_type(ptype, plen, fl->parent)) {
		err = raw_field_error(&rec, "__parentId", "a %s line hangs under a %s, not a %.*s", fl->type,
		                      fl->parent, (int)plen, ptype);
		goto out;
	}
	if (!is_type(type, tlen, fl->type)) {
		err = raw_field_error(&rec, "id", "expected a %s, not a %.*s", fl->type, (int)tlen, type ? type : "");
		goto out;
	}
	ln.id = fl->txns ? -id : id;
	if (fl->parent) {
		/* the paged query's order: items by id, each one's levels by location */
		int64_t loc = 0;
		if ((err = raw_field(&rec, &o, "location.id", &v)) || (err = raw_gid(&rec, "location.id", &v, 1, &loc, NULL)))
			goto out;
		ln.group = parent;
		ln.id = loc;
	}
	if (fl->txns) {
		const char *st, *when;
		int64_t payout = 0, place, t;
		int has = 0;
		if ((err = raw_field(&rec, &o, "associatedPayout.id", &v)) ||
		    (err = raw_gid(&rec, "associatedPayout.id", &v, 0, &payout, &has)) ||
		    (err = raw_field(&rec, &o, "associatedPayout.status", &v)) ||
		    (err = raw_str(&rec, "associatedPayout.status", &v, 0, &st)) ||
		    (err = raw_field(&rec, &o, "transactionDate", &v)) ||
		    (err = raw_str(&rec, "transactionDate", &v, 0, &when)))
			goto out;
		place = has ? payout_place(fl, payout) : -1;
		ln.group = place >= 0 ? place : (int64_t)fl->npayouts + (st && strcmp(st, "PENDING") == 0 ? 0 : 1);
		ln.when = INT64_MAX;
		if (when) {
			if (ts_parse(when, &t) != RECON_OK) {
				err = raw_field_error(&rec, "transactionDate", "'%.80s' is not an ISO-8601 date and time",
				                      when);
				goto out;
			}
			ln.when = -t;
		}
	}
	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? 2 * fl->cap : 4096;
		struct flat_line *nv = realloc(fl->v, cap * sizeof(*nv));
		if (!nv) {
			err = RECON_ERR_NOMEM;
			goto out;
		}
		fl->v = nv;
		fl->cap = cap;
	}
	fl->v[fl->n++] = ln;
out:
	json_decref(obj);
	return err;
}

/* The sorted lines, read again, into the engine. */
static recon_err flat_load(struct bulk *k, const char *dir, char **rel)
{
	struct flat *fl = k->flat;
	char *text = NULL;
	size_t cap = 0;
	FILE *f = NULL;
	size_t open_file = (size_t)-1;
	char path[4096];
	recon_err err = RECON_OK;

	if (fl->n)
		qsort(fl->v, fl->n, sizeof(*fl->v), cmp_flat);
	for (size_t i = 0; !err && i < fl->n; i++) {
		const struct flat_line *ln = &fl->v[i];
		struct raw_rec rec = { .file = path, .relpath = rel[ln->file], .index = ln->lineno, .line = 1 };
		json_t *obj;
		struct raw_val o;
		if (ln->file != open_file) {
			if (f)
				fclose(f);
			snprintf(path, sizeof(path), "%.2000s/%.2000s", dir, rel[ln->file]);
			if (!(f = fopen(path, "rb"))) {
				msg_error("cannot read '%s': %s", path, strerror(errno));
				err = RECON_ERR_IO;
				break;
			}
			open_file = ln->file;
		}
		if (ln->len + 1 > cap) {
			char *nt = realloc(text, ln->len + 1);
			if (!nt) {
				err = RECON_ERR_NOMEM;
				break;
			}
			text = nt;
			cap = ln->len + 1;
		}
		if (fseeko(f, (off_t)ln->off, SEEK_SET) != 0 || fread(text, 1, ln->len, f) != ln->len) {
			msg_error("cannot read '%s' again (changed while loading?)", path);
			err = RECON_ERR_IO;
			break;
		}
		if ((err = parse_line(path, ln->lineno, text, ln->len, &obj)))
			break;
		/* the parent's line anywhere in the output (not only before: the
		 * order is the loader's, not the file's) */
		if (fl->parent && !seen_get(&k->seen, ln->group)) {
			json_decref(obj);
			err = raw_field_error(&rec, "__parentId", "no %s %lld on any line of the output", fl->parent,
			                      (long long)ln->group);
			break;
		}
		k->held[k->nheld++] = obj;
		raw_from_json(obj, &o);
		if (!(err = load_engine_convert(k->e, k->b, k->root, &rec, &o)) && k->nheld == BULK_BATCH_LINES)
			err = flush(k);
	}
	if (!err && k->nheld)
		err = flush(k);
	if (f)
		fclose(f);
	free(text);
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bulk outputs that share the orders' folder, by the start of their
 * file names (shopify_bulk_run.c names them so). */
static const struct {
	const char *extract, *prefix, *type, *parent;
} flat_files[] = {
	{ "shopify/bulk/balance_transactions", "balance_transactions-", "ShopifyPaymentsBalanceTransaction", NULL },
	{ "shopify/bulk/variants", "variants-", "ProductVariant", NULL },
	{ "shopify/bulk/inventory", "inventory-", "InventoryLevel", "InventoryItem" },
};
#define NFLAT (sizeof(flat_files) / sizeof(flat_files[0]))

static size_t flat_of(const char *extract)
{
	size_t i = 0;
	while (i < NFLAT && strcmp(flat_files[i].extract, extract) != 0)
		i++;
	return i;
}

/* Whether a file of x's folder is x's: its prefix, or (the orders) no
 * other extract's. */
static int file_of(const struct extract_def *x, const char *name)
{
	size_t f = flat_of(x->name);
	if (f < NFLAT)
		return strncmp(name, flat_files[f].prefix, strlen(flat_files[f].prefix)) == 0;
	for (size_t i = 0; i < NFLAT; i++)
		if (strncmp(name, flat_files[i].prefix, strlen(flat_files[i].prefix)) == 0)
			return 0;
	return 1;
}

/* x's "*.jsonl" names of DIR/folder, sorted; none when it is absent. */
static recon_err list_jsonl(const char *dir, const struct extract_def *x, char ***names, size_t *n)
{
	const char *folder = x->folder;
	char path[4096];
	DIR *d;
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, folder);
	if (!(d = opendir(path))) {
		if (errno == ENOENT)
			return RECON_OK;
		msg_error("cannot read folder '%s': %s", path, strerror(errno));
		return RECON_ERR_IO;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 6 || strcmp(de->d_name + len - 6, ".jsonl") != 0 ||
		    !file_of(x, de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			char **nv = realloc(*names, cap * sizeof(**names));
			if (!nv)
				goto nomem;
			*names = nv;
		}
		if (!((*names)[*n] = strdup(de->d_name)))
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_names);
	return RECON_OK;
nomem:
	closedir(d);
	return RECON_ERR_NOMEM;
}

size_t load_bulk_files(const char *dir, const struct extract_def *x)
{
	char **names = NULL;
	size_t n = 0;
	if (list_jsonl(dir, x, &names, &n) != RECON_OK)
		n = 0;
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return n;
}

recon_err load_bulk(struct load_engine *e, size_t root, const char *dir, const struct extract_def *x,
                    const int64_t *payouts, size_t npayouts,
                    recon_err (*page)(void *arg, const char *relpath, int64_t bytes, const char *sha256),
                    void *arg)
{
	struct bulk k = { .e = e, .root = root };
	struct flat fl = { .payouts = payouts, .npayouts = npayouts };
	char **names = NULL, **rel = NULL;
	size_t n = 0;
	recon_err err;

	if (flat_of(x->name) < NFLAT) {
		fl.type = flat_files[flat_of(x->name)].type;
		fl.parent = flat_files[flat_of(x->name)].parent;
		fl.txns = strcmp(x->table, "s_balance_txn") == 0;
		k.flat = &fl;
	}
	err = list_jsonl(dir, x, &names, &n);
	if (!err && (!(k.b = load_batch_new(e)) || !(k.held = malloc(BULK_BATCH_LINES * sizeof(*k.held))) ||
	             (n && !(rel = calloc(n, sizeof(*rel))))))
		err = RECON_ERR_NOMEM;
	if (!err && fl.txns && npayouts) {
		if (!(fl.sorted = malloc(npayouts * sizeof(*fl.sorted))))
			err = RECON_ERR_NOMEM;
		for (size_t i = 0; !err && i < npayouts; i++) {
			fl.sorted[i][0] = payouts[i];
			fl.sorted[i][1] = (int64_t)i;
		}
		if (!err)
			qsort(fl.sorted, npayouts, sizeof(*fl.sorted), cmp_pair);
	}
	for (size_t i = 0; !err && i < n; i++) {
		char hex[65];
		int64_t bytes;
		size_t len = strlen(x->folder) + strlen(names[i]) + 2;
		if (!(rel[i] = malloc(len))) {
			err = RECON_ERR_NOMEM;
			break;
		}
		snprintf(rel[i], len, "%s/%s", x->folder, names[i]);
		fl.file = i;
		if (!(err = bulk_file(&k, dir, rel[i], k.flat ? flat_key : bulk_parse, hex, &bytes)))
			err = page(arg, rel[i], bytes, hex);
	}
	if (!err && k.flat)
		err = flat_load(&k, dir, rel);
	for (size_t i = 0; i < k.nheld; i++)
		json_decref(k.held[i]);
	load_batch_free(k.b);
	free(k.held);
	free(k.seen.id);
	free(k.seen.cur);
	free(fl.v);
	free(fl.sorted);
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		if (rel)
			free(rel[i]);
	}
	free(names);
	free(rel);
	return err;
}
