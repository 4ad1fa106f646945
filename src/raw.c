#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/jsonin.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/raw.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with_json(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".json") == 0 && name[0] != '.';
}

void raw_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

recon_err raw_list_pages(const char *dir, const char *sub, char ***names, size_t *n)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t len = 0, cap = 0;

	*names = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return RECON_OK;
		msg_error("cannot read folder '%s': %s", path, strerror(errno));
		return RECON_ERR_IO;
	}
	while ((e = readdir(d)) != NULL) {
		if (!ends_with_json(e->d_name))
			continue;
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv = realloc(v, ncap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
			cap = ncap;
		}
		v[len] = strdup(e->d_name);
		if (!v[len])
			goto nomem;
		len++;
	}
	closedir(d);
	if (len)
		qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return RECON_OK;
nomem:
	closedir(d);
	raw_list_free(v, len);
	return RECON_ERR_NOMEM;
}

static recon_err read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *b;

	*buf = NULL;
	if (!f) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		return RECON_ERR_IO;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		msg_error("cannot read '%s': not a regular file", path);
		fclose(f);
		return RECON_ERR_IO;
	}
	if ((size_t)st.st_size > RAW_PAGE_MAX) {
		msg_error("'%s': page of %lld bytes is larger than the %zu MiB a page may be", path,
		          (long long)st.st_size, RAW_PAGE_MAX >> 20);
		fclose(f);
		return RECON_ERR_INPUT;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		fclose(f);
		return RECON_ERR_NOMEM;
	}
	*len = fread(b, 1, (size_t)st.st_size, f);
	if (ferror(f) || *len != (size_t)st.st_size) {
		msg_error("cannot read '%s': %s", path, ferror(f) ? strerror(errno) : "file changed while reading");
		free(b);
		fclose(f);
		return RECON_ERR_IO;
	}
	fclose(f);
	b[*len] = '\0';
	*buf = b;
	return RECON_OK;
}

recon_err raw_read_page(const char *dir, const char *relpath, const char *root_key, int single,
                        raw_page_fn page_fn, raw_record_fn record_fn, void *arg)
{
	char path[4096];
	char hex[65];
	char *buf = NULL;
	size_t len = 0;
	json_t *root = NULL, *list;
	json_error_t jerr;
	recon_err err;

	snprintf(path, sizeof(path), "%s/%s", dir, relpath);
	err = read_file(path, &buf, &len);
	if (err)
		return err;
	sha256_hex(buf, len, hex);
	if (page_fn) {
		err = page_fn(arg, relpath, (int64_t)len, hex);
		if (err)
			goto out;
	}
	/* Deep nesting is hostile input, not data: jansson's own depth limit
	 * stops it before it can exhaust the stack. */
	root = jsonin_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	buf = NULL;
	if (!root && jsonin_nomem(&jerr)) {
		msg_error("cannot read '%s': out of memory", path);
		err = RECON_ERR_NOMEM;
		goto out;
	}
	if (!root) {
		msg_error("'%s', line %d, column %d: not valid JSON: %s", path, jerr.line, jerr.column,
		          jerr.text);
		err = RECON_ERR_INPUT;
		goto out;
	}
	if (!json_is_object(root)) {
		msg_error("'%s': expected a JSON object with '%s' at the top", path, root_key);
		err = RECON_ERR_INPUT;
		goto out;
	}
	list = json_object_get(root, root_key);
	if (single) {
		struct raw_rec rec = { path, 1, "" };
		if (!json_is_object(list)) {
			msg_error("'%s': field '%s': expected an object", path, root_key);
			err = RECON_ERR_INPUT;
			goto out;
		}
		err = record_fn(arg, &rec, list);
		goto out;
	}
	if (!json_is_array(list)) {
		msg_error("'%s': field '%s': expected an array of records", path, root_key);
		err = RECON_ERR_INPUT;
		goto out;
	}
	for (size_t i = 0; i < json_array_size(list); i++) {
		struct raw_rec rec = { path, i + 1, "" };
		json_t *o = json_array_get(list, i);
		if (!json_is_object(o)) {
			msg_error("'%s', record %zu: expected an object", path, i + 1);
			err = RECON_ERR_INPUT;
			goto out;
		}
		err = record_fn(arg, &rec, o);
		if (err)
			goto out;
	}
out:
	free(buf);
	json_decref(root);
	return err;
}

recon_err raw_field_error(const struct raw_rec *rec, const char *field, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	msg_error("'%s', record %zu, field '%s%s': %s", rec->file, rec->index, rec->prefix, field, why);
	return RECON_ERR_INPUT;
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

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

/* Fetch a value; absent and null are the same (ERPNext drops nulls). */
static recon_err fetch(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                       json_t **out)
{
	json_t *v = raw_get(obj, key);
	if (!v || json_is_null(v)) {
		*out = NULL;
		if (required)
			return raw_field_error(rec, key, "missing (required)");
		return RECON_OK;
	}
	*out = v;
	return RECON_OK;
}

recon_err raw_str(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                  const char **out)
{
	json_t *v;
	recon_err err = fetch(rec, obj, key, required, &v);
	*out = NULL;
	if (err || !v)
		return err;
	if (!json_is_string(v))
		return raw_field_error(rec, key, "expected a string, found %s", type_name(v));
	if (json_string_length(v) > RAW_FIELD_MAX)
		return raw_field_error(rec, key, "text of %zu bytes is longer than the %d a field may hold",
		                       json_string_length(v), RAW_FIELD_MAX);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return raw_field_error(rec, key, "text contains a NUL character");
	*out = json_string_value(v);
	return RECON_OK;
}

recon_err raw_idtext(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                     char *buf, size_t size, const char **out)
{
	json_t *v;
	recon_err err = fetch(rec, obj, key, required, &v);
	*out = NULL;
	if (err || !v)
		return err;
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return RECON_OK;
	}
	if (json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		*out = buf;
		return RECON_OK;
	}
	return raw_field_error(rec, key, "expected a string or an integer id, found %s", type_name(v));
}

recon_err raw_int(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                  int64_t *out, int *present)
{
	json_t *v;
	recon_err err = fetch(rec, obj, key, required, &v);
	if (present)
		*present = v != NULL;
	*out = 0;
	if (err || !v)
		return err;
	if (!json_is_integer(v))
		return raw_field_error(rec, key, "expected an integer, found %s", type_name(v));
	*out = (int64_t)json_integer_value(v);
	return RECON_OK;
}

recon_err raw_bool(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                   int *out, int *present)
{
	json_t *v;
	recon_err err = fetch(rec, obj, key, required, &v);
	if (present)
		*present = v != NULL;
	*out = 0;
	if (err || !v)
		return err;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return RECON_OK;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*out = (int)json_integer_value(v);
		return RECON_OK;
	}
	return raw_field_error(rec, key, "expected true/false or 0/1, found %s", type_name(v));
}

recon_err raw_date(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                   const char **out)
{
	recon_err err = raw_str(rec, obj, key, required, out);
	if (err || !*out)
		return err;
	if (!date_valid(*out))
		return raw_field_error(rec, key, "'%s' is not a date (YYYY-MM-DD)", *out);
	return RECON_OK;
}

recon_err raw_ts(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                 const char **text, int64_t *utc)
{
	recon_err err = raw_str(rec, obj, key, required, text);
	*utc = 0;
	if (err || !*text)
		return err;
	if (ts_parse(*text, utc) != RECON_OK)
		return raw_field_error(rec, key, "'%s' is not an ISO-8601 timestamp", *text);
	return RECON_OK;
}

recon_err raw_money(const struct raw_rec *rec, json_t *obj, const char *key, int exponent,
                    int required, int64_t *out, int *present)
{
	json_t *v;
	recon_err err = fetch(rec, obj, key, required, &v);
	if (present)
		*present = v != NULL;
	*out = 0;
	if (err || !v)
		return err;
	if (json_is_string(v))
		err = money_parse(json_string_value(v), exponent, out);
	else if (json_is_integer(v))
		err = money_from_int((long long)json_integer_value(v), exponent, out);
	else if (json_is_real(v))
		err = money_from_double(json_real_value(v), exponent, out);
	else
		return raw_field_error(rec, key, "expected an amount, found %s", type_name(v));
	if (err == RECON_ERR_OVERFLOW)
		return raw_field_error(rec, key, "amount out of range");
	if (err)
		return raw_field_error(rec, key, "'%s' is not a decimal amount with at most %d decimals",
		                       json_is_string(v) ? json_string_value(v) : "(number)", exponent);
	return RECON_OK;
}

recon_err raw_qty(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                  int64_t *out, int *present)
{
	json_t *v;
	recon_err err = fetch(rec, obj, key, required, &v);
	if (present)
		*present = v != NULL;
	*out = 0;
	if (err || !v)
		return err;
	if (json_is_integer(v))
		err = qty_from_int((long long)json_integer_value(v), out);
	else if (json_is_real(v))
		err = qty_from_double(json_real_value(v), out);
	else if (json_is_string(v))
		err = qty_parse(json_string_value(v), out);
	else
		return raw_field_error(rec, key, "expected a quantity, found %s", type_name(v));
	if (err)
		return raw_field_error(rec, key, "quantity out of range or not a number");
	return RECON_OK;
}

recon_err raw_currency(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                       const char **out)
{
	recon_err err = raw_str(rec, obj, key, required, out);
	if (err || !*out)
		return err;
	const char *c = *out;
	if (strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || c[2] < 'A' ||
	    c[2] > 'Z')
		return raw_field_error(rec, key, "'%s' is not an ISO 4217 currency code", c);
	return RECON_OK;
}

recon_err raw_array(const struct raw_rec *rec, json_t *obj, const char *key, int required,
                    json_t **out)
{
	json_t *v;
	recon_err err = fetch(rec, obj, key, required, &v);
	*out = NULL;
	if (err || !v)
		return err;
	if (!json_is_array(v))
		return raw_field_error(rec, key, "expected an array, found %s", type_name(v));
	*out = v;
	return RECON_OK;
}
