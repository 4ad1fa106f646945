/* The typed field getters of a raw record (raw.h): a value from either
 * parser, converted the one way the loader stores it (money and quantities
 * from decimal text, a JSON number rounded once), or a message that names
 * file, record and field. */
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/json_arena.h"
#include "recon/json_simd.h"
#include "recon/jsonin.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/raw.h"


void raw_from_json(json_t *v, struct raw_val *out)
{
	out->simd = 0;
	out->len = 0;
	out->h.json = v;
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT: out->type = RAW_OBJECT; break;
	case JSON_ARRAY: out->type = RAW_ARRAY; break;
	case JSON_STRING:
		out->type = RAW_STRING;
		out->v.s = json_string_value(v);
		out->len = json_string_length(v);
		break;
	case JSON_INTEGER:
		out->type = RAW_INT;
		out->v.i = (int64_t)json_integer_value(v);
		break;
	case JSON_REAL:
		out->type = RAW_REAL;
		out->v.d = json_real_value(v);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		out->type = RAW_BOOL;
		out->v.i = json_is_true(v);
		break;
	case JSON_NULL:
		out->type = v ? RAW_NULL : RAW_ABSENT;
		break;
	}
}

json_t *raw_get(json_t *obj, const char *key)
{
	const char *dot = strchr(key, '.');
	if (!dot)
		return json_object_get(obj, key);
	char head[128];
	size_t n = (size_t)(dot - key);
	if (n >= sizeof(head))
		return NULL;
	memcpy(head, key, n);
	head[n] = '\0';
	json_t *sub = json_object_get(obj, head);
	return json_is_object(sub) ? raw_get(sub, dot + 1) : NULL;
}

/* Only simdjson gets here: jansson refused the page at parse time. */
static recon_err duplicate(const struct raw_rec *rec, const char *path)
{
	return raw_field_error(rec, path, "a key on its way appears twice in its object");
}

recon_err raw_field(const struct raw_rec *rec, const struct raw_val *obj, const char *path, struct raw_val *out)
{
	if (!obj->simd) {
		raw_from_json(raw_get(obj->h.json, path), out);
		return RECON_OK;
	}
	return jsimd_get(obj, path, out) == JSIMD_OK ? RECON_OK : duplicate(rec, path);
}

struct raw_keys {
	size_t n;
	char **paths;
	struct jsimd_keys *simd;
};

void raw_keys_free(struct raw_keys *k)
{
	if (!k)
		return;
	for (size_t i = 0; k->paths && i < k->n; i++)
		free(k->paths[i]);
	free(k->paths);
	jsimd_keys_free(k->simd);
	free(k);
}

struct raw_keys *raw_keys_new(const char *const *paths, size_t n)
{
	struct raw_keys *k = calloc(1, sizeof(*k));
	if (!k || !(k->paths = calloc(n ? n : 1, sizeof(*k->paths))))
		goto nomem;
	k->n = n;
	for (size_t i = 0; i < n; i++)
		if (!(k->paths[i] = strdup(paths[i])))
			goto nomem;
	/* Without its key table simdjson refuses every record, and jansson
	 * reads the pages: slower, not wrong. */
	k->simd = jsimd_keys_new(paths, n);
	return k;
nomem:
	raw_keys_free(k);
	return NULL;
}

recon_err raw_lookup(const struct raw_rec *rec, const struct raw_keys *k, const struct raw_val *obj,
                     struct raw_val *out)
{
	if (!obj->simd) {
		for (size_t i = 0; i < k->n; i++)
			raw_from_json(raw_get(obj->h.json, k->paths[i]), &out[i]);
		return RECON_OK;
	}
	if (!k->simd)
		return RECON_ERR_NOMEM;   /* refused: jansson reads the page again */
	if (jsimd_lookup(k->simd, obj, out) == JSIMD_OK)
		return RECON_OK;
	/* Name the first path that meets a duplicate, as a single lookup would. */
	for (size_t i = 0; i < k->n; i++) {
		struct raw_val v;
		if (jsimd_get(obj, k->paths[i], &v) != JSIMD_OK)
			return duplicate(rec, k->paths[i]);
	}
	return duplicate(rec, "?");
}

void raw_iter_init(struct raw_iter *it, const struct raw_val *array)
{
	it->array = array;
	it->i = 0;
	if (array->simd)
		jsimd_iter_init((struct jsimd_iter *)(void *)it->simd, array);
}

int raw_iter_next(struct raw_iter *it, struct raw_val *out)
{
	if (it->array->simd)
		return jsimd_iter_next((struct jsimd_iter *)(void *)it->simd, out);
	if (it->i >= json_array_size(it->array->h.json))
		return 0;
	raw_from_json(json_array_get(it->array->h.json, it->i++), out);
	return 1;
}

static const char *type_name(const struct raw_val *v)
{
	switch (v->type) {
	case RAW_OBJECT: return "an object";
	case RAW_ARRAY: return "an array";
	case RAW_STRING: return "a string";
	case RAW_INT: return "an integer";
	case RAW_REAL: return "a number";
	case RAW_BOOL: return "a boolean";
	case RAW_NULL: return "null";
	case RAW_BIGINT: return "an integer out of range";
	case RAW_ABSENT: break;
	}
	return "something else";
}

void (*raw_field_trace)(const struct raw_rec *rec, const char *key);

/* Absent and null are the same (ERPNext drops nulls). 1: a value to read. */
static int present_or(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                      recon_err *err)
{
	*err = RECON_OK;
	if (raw_field_trace)
		raw_field_trace(rec, key);
	if (v->type != RAW_ABSENT && v->type != RAW_NULL)
		return 1;
	if (required)
		*err = raw_field_error(rec, key, "missing (required)");
	return 0;
}

recon_err raw_str(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                  const char **out)
{
	recon_err err;
	*out = NULL;
	if (!present_or(rec, key, v, required, &err))
		return err;
	if (v->type != RAW_STRING)
		return raw_field_error(rec, key, "expected a string, found %s", type_name(v));
	if (v->len > RAW_FIELD_MAX)
		return raw_field_error(rec, key, "text of %zu bytes is longer than the %d a field may hold", v->len,
		                       RAW_FIELD_MAX);
	if (memchr(v->v.s, '\0', v->len))
		return raw_field_error(rec, key, "text contains a NUL character");
	*out = v->v.s;
	return RECON_OK;
}

recon_err raw_idtext(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                     char *buf, size_t size, const char **out)
{
	recon_err err;
	*out = NULL;
	if (!present_or(rec, key, v, required, &err))
		return err;
	if (v->type == RAW_STRING) {
		/* As it always was: neither length nor NUL checked (an id). */
		*out = v->v.s;
		return RECON_OK;
	}
	if (v->type == RAW_INT) {
		snprintf(buf, size, "%lld", (long long)v->v.i);
		*out = buf;
		return RECON_OK;
	}
	return raw_field_error(rec, key, "expected a string or an integer id, found %s", type_name(v));
}

recon_err raw_int(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                  int64_t *out, int *present)
{
	recon_err err;
	int has = present_or(rec, key, v, required, &err);
	if (present)
		*present = v->type != RAW_ABSENT && v->type != RAW_NULL;
	*out = 0;
	if (!has)
		return err;
	if (v->type != RAW_INT)
		return raw_field_error(rec, key, "expected an integer, found %s", type_name(v));
	*out = v->v.i;
	return RECON_OK;
}

recon_err raw_bool(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                   int *out, int *present)
{
	recon_err err;
	int has = present_or(rec, key, v, required, &err);
	if (present)
		*present = v->type != RAW_ABSENT && v->type != RAW_NULL;
	*out = 0;
	if (!has)
		return err;
	if (v->type == RAW_BOOL || (v->type == RAW_INT && (v->v.i == 0 || v->v.i == 1))) {
		*out = (int)v->v.i;
		return RECON_OK;
	}
	return raw_field_error(rec, key, "expected true/false or 0/1, found %s", type_name(v));
}

recon_err raw_date(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                   const char **out)
{
	recon_err err = raw_str(rec, key, v, required, out);
	if (err || !*out)
		return err;
	if (!date_valid(*out))
		return raw_field_error(rec, key, "'%s' is not a date (YYYY-MM-DD)", *out);
	return RECON_OK;
}

recon_err raw_ts(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                 const char **text, int64_t *utc)
{
	recon_err err = raw_str(rec, key, v, required, text);
	*utc = 0;
	if (err || !*text)
		return err;
	if (ts_parse(*text, utc) != RECON_OK)
		return raw_field_error(rec, key, "'%s' is not an ISO-8601 timestamp", *text);
	return RECON_OK;
}

recon_err raw_money(const struct raw_rec *rec, const char *key, const struct raw_val *v, int exponent,
                    int required, int64_t *out, int *present)
{
	recon_err err;
	int has = present_or(rec, key, v, required, &err);
	if (present)
		*present = v->type != RAW_ABSENT && v->type != RAW_NULL;
	*out = 0;
	if (!has)
		return err;
	if (v->type == RAW_STRING)
		err = money_parse(v->v.s, exponent, out);
	else if (v->type == RAW_INT)
		err = money_from_int((long long)v->v.i, exponent, out);
	else if (v->type == RAW_REAL)
		err = money_from_double(v->v.d, exponent, out);
	else
		return raw_field_error(rec, key, "expected an amount, found %s", type_name(v));
	if (err == RECON_ERR_OVERFLOW)
		return raw_field_error(rec, key, "amount out of range");
	if (err)
		return raw_field_error(rec, key, "'%s' is not a decimal amount with at most %d decimals",
		                       v->type == RAW_STRING ? v->v.s : "(number)", exponent);
	return RECON_OK;
}

recon_err raw_qty(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                  int64_t *out, int *present)
{
	recon_err err;
	int has = present_or(rec, key, v, required, &err);
	if (present)
		*present = v->type != RAW_ABSENT && v->type != RAW_NULL;
	*out = 0;
	if (!has)
		return err;
	if (v->type == RAW_INT)
		err = qty_from_int((long long)v->v.i, out);
	else if (v->type == RAW_REAL)
		err = qty_from_double(v->v.d, out);
	else if (v->type == RAW_STRING)
		err = qty_parse(v->v.s, out);
	else
		return raw_field_error(rec, key, "expected a quantity, found %s", type_name(v));
	if (err)
		return raw_field_error(rec, key, "quantity out of range or not a number");
	return RECON_OK;
}

recon_err raw_currency(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                       const char **out)
{
	recon_err err = raw_str(rec, key, v, required, out);
	if (err || !*out)
		return err;
	const char *c = *out;
	if (strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || c[2] < 'A' ||
	    c[2] > 'Z')
		return raw_field_error(rec, key, "'%s' is not an ISO 4217 currency code", c);
	return RECON_OK;
}

recon_err raw_array(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                    int *present)
{
	recon_err err;
	*present = 0;
	if (!present_or(rec, key, v, required, &err))
		return err;
	if (v->type != RAW_ARRAY)
		return raw_field_error(rec, key, "expected an array, found %s", type_name(v));
	*present = 1;
	return RECON_OK;
}

/* ---- GraphQL values (DESIGN §3a) ---- */

int raw_gid_parse(const char *s, size_t len, const char **type, size_t *type_len, int64_t *id)
{
	static const char prefix[] = "gid://shopify/";
	const size_t np = sizeof(prefix) - 1;
	const char *p, *end = s + len, *slash;
	int64_t v = 0;

	if (len <= np || memcmp(s, prefix, np) != 0)
		return -1;
	p = s + np;
	if (!(slash = memchr(p, '/', (size_t)(end - p))) || slash == p)
		return -1;
	if (type) {
		*type = p;
		*type_len = (size_t)(slash - p);
	}
	p = slash + 1;
	if (p == end || *p < '1' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
			return -1;
	/* A query string may follow (InventoryLevel/1?inventory_item_id=2). */
	if (p != end && *p != '?')
		return -1;
	*id = v;
	return 0;
}

recon_err raw_gid(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                  int64_t *out, int *present)
{
	recon_err err;
	int has = present_or(rec, key, v, required, &err);
	if (present)
		*present = has;
	*out = 0;
	if (!has)
		return err;
	if (v->type != RAW_STRING)
		return raw_field_error(rec, key, "expected a global id (gid://shopify/Type/N), found %s",
		                       type_name(v));
	if (raw_gid_parse(v->v.s, v->len, NULL, NULL, out) != 0)
		return raw_field_error(rec, key, "'%.*s' is not a global id (gid://shopify/Type/N)",
		                       (int)(v->len > 80 ? 80 : v->len), v->v.s);
	return RECON_OK;
}

recon_err raw_enum(const struct raw_rec *rec, const char *key, const struct raw_val *v, int required,
                   char *buf, size_t size, const char **out)
{
	recon_err err;
	*out = NULL;
	if (!present_or(rec, key, v, required, &err))
		return err;
	if (v->type != RAW_STRING)
		return raw_field_error(rec, key, "expected an enum value, found %s", type_name(v));
	if (v->len == 0 || v->len >= size)
		goto bad;
	for (size_t i = 0; i < v->len; i++) {
		char c = v->v.s[i];
		if (c >= 'A' && c <= 'Z')
			buf[i] = (char)(c - 'A' + 'a');
		else if ((c >= '0' && c <= '9') || c == '_')
			buf[i] = c;
		else
			goto bad;
	}
	buf[v->len] = '\0';
	*out = buf;
	return RECON_OK;
bad:
	return raw_field_error(rec, key, "'%.*s' is not an enum value (upper-case letters, digits, '_')",
	                       (int)(v->len > 80 ? 80 : v->len), v->v.s);
}
