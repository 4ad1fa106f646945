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

struct bulk {
	struct load_engine *e;
	size_t root;
	struct load_batch *b;
	struct seen seen;
	json_t **held;            /* the parsed lines the batch borrows text from */
	size_t nheld;
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

static recon_err bulk_parse(struct bulk *k, const char *path, const char *relpath, size_t lineno, char *text,
                            size_t len)
{
	struct raw_rec rec = { .file = path, .relpath = relpath, .index = lineno, .line = 1 };
	json_error_t jerr;
	json_t *obj;
	recon_err err;

	if (len && text[len - 1] == '\r')
		len--;
	if (len == 0)
		return RECON_OK;
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
	k->held[k->nheld++] = obj;
	if ((err = bulk_line(k, &rec, obj)))
		return err;
	return k->nheld == BULK_BATCH_LINES ? flush(k) : RECON_OK;
}

static recon_err bulk_file(struct bulk *k, const char *dir, const char *relpath, char *hex, int64_t *bytes)
{
	char path[4096];
	char *buf = NULL;
	size_t cap = 0, used = 0, lineno = 0;
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
			err = bulk_parse(k, path, relpath, ++lineno, buf + start, n);
			start += n + 1;
		}
		if (err)
			break;
		memmove(buf, buf + start, used - start);
		used -= start;
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
		err = bulk_parse(k, path, relpath, ++lineno, buf, used);
	if (!err && k->nheld)
		err = flush(k);
	free(buf);
	sha256_final_hex(h, hex);
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The "*.jsonl" names of DIR/folder, sorted; none when it is absent. */
static recon_err list_jsonl(const char *dir, const char *folder, char ***names, size_t *n)
{
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
		if (de->d_name[0] == '.' || len <= 6 || strcmp(de->d_name + len - 6, ".jsonl") != 0)
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

recon_err load_bulk(struct load_engine *e, size_t root, const char *dir, const char *folder,
                    recon_err (*page)(void *arg, const char *relpath, int64_t bytes, const char *sha256),
                    void *arg)
{
	struct bulk k = { .e = e, .root = root };
	char **names = NULL;
	size_t n = 0;
	recon_err err;

	err = list_jsonl(dir, folder, &names, &n);
	if (!err && (!(k.b = load_batch_new(e)) || !(k.held = malloc(BULK_BATCH_LINES * sizeof(*k.held)))))
		err = RECON_ERR_NOMEM;
	for (size_t i = 0; !err && i < n; i++) {
		char rel[4096], hex[65];
		int64_t bytes;
		snprintf(rel, sizeof(rel), "%s/%s", folder, names[i]);
		if (!(err = bulk_file(&k, dir, rel, hex, &bytes)))
			err = page(arg, rel, bytes, hex);
	}
	for (size_t i = 0; i < k.nheld; i++)
		json_decref(k.held[i]);
	load_batch_free(k.b);
	free(k.held);
	free(k.seen.id);
	free(k.seen.cur);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}
