#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
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
#include "raw_page.h"

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

static recon_err page_fail(struct raw_msg *m, recon_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static recon_err page_fail(struct raw_msg *m, recon_err err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	m->err = err;
	return err;
}

/* drop: the page leaves the page cache once read (raw_reader_start says
 * when). */
static recon_err read_file(const char *path, char **buf, size_t *cap, size_t *len, struct raw_msg *m, int drop)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *b;

	if (!f)
		return page_fail(m, RECON_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return page_fail(m, RECON_ERR_IO, "cannot read '%s': not a regular file", path);
	}
	if ((size_t)st.st_size > RAW_PAGE_MAX) {
		fclose(f);
		return page_fail(m, RECON_ERR_INPUT, "'%s': page of %lld bytes is larger than the %zu MiB a page may be",
		                 path, (long long)st.st_size, RAW_PAGE_MAX >> 20);
	}
	/* Padded for simdjson, which reads whole blocks past the end. */
	if (*cap < (size_t)st.st_size + JSIMD_PADDING) {
		free(*buf);
		*cap = 0;
		if (!(*buf = malloc((size_t)st.st_size + JSIMD_PADDING))) {
			fclose(f);
			return m->err = RECON_ERR_NOMEM;
		}
		*cap = (size_t)st.st_size + JSIMD_PADDING;
	}
	b = *buf;
	*len = fread(b, 1, (size_t)st.st_size, f);
	if (ferror(f) || *len != (size_t)st.st_size) {
		int e = errno, bad = ferror(f);
		fclose(f);
		return page_fail(m, RECON_ERR_IO, "cannot read '%s': %s", path,
		                 bad ? strerror(e) : "file changed while reading");
	}
	if (drop)
		(void)posix_fadvise(fileno(f), 0, 0, POSIX_FADV_DONTNEED);
	fclose(f);
	memset(b + *len, 0, JSIMD_PADDING);
	return RECON_OK;
}

/* An arena chunk this small is kept for the slot's next page. */
#define ARENA_KEEP ((size_t)16 << 20)

/* Which parser reads the bulk pages (tests compare the two). */
static int use_simdjson = 1;

void raw_use_simdjson(int on)
{
	use_simdjson = on;
}

int raw_simd_on(void)
{
	return use_simdjson;
}


int64_t raw_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time of the calling thread (RECON_PAGE_TRACE) */
int64_t raw_thread_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The page's records into pg->out. Every message goes to pg->msg. */
static recon_err page_convert(struct page *pg, const struct raw_sink *sink)
{
	const char *path = pg->path, *key = pg->job->root_key;
	json_t *list;
	struct raw_rec rec = { .file = path, .relpath = pg->job->relpath, .index = 1, .msg = &pg->msg };
	struct raw_val v;
	recon_err err;

	if (!json_is_object(pg->root))
		return page_fail(&pg->msg, RECON_ERR_INPUT, "'%s': expected a JSON object with '%s' at the top", path, key);
	list = pg->root;
	/* a dotted root ("data.shopifyPaymentsAccount.payouts.nodes", GraphQL
	 * pages) walks down objects; a null or missing step is no list */
	for (const char *k = key;;) {
		const char *dot = strchr(k, '.');
		char step[128];
		size_t n = dot ? (size_t)(dot - k) : strlen(k);
		if (n >= sizeof(step) || !json_is_object(list)) {
			list = NULL;
			break;
		}
		memcpy(step, k, n);
		step[n] = '\0';
		list = json_object_get(list, step);
		if (!dot)
			break;
		k = dot + 1;
	}
	if (pg->job->single) {
		if (!json_is_object(list))
			return page_fail(&pg->msg, RECON_ERR_INPUT, "'%s': field '%s': expected an object", path, key);
		raw_from_json(list, &v);
		return sink->record(sink->arg, pg->out, pg->job->tag, &rec, &v);
	}
	if (!json_is_array(list))
		return page_fail(&pg->msg, RECON_ERR_INPUT, "'%s': field '%s': expected an array of records", path, key);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *o = json_array_get(list, i);
		rec.index = i + 1;
		if (!json_is_object(o))
			return page_fail(&pg->msg, RECON_ERR_INPUT, "'%s', record %zu: expected an object", path, i + 1);
		raw_from_json(o, &v);
		if ((err = sink->record(sink->arg, pg->out, pg->job->tag, &rec, &v)))
			return err;
	}
	return RECON_OK;
}

/* The fast path: simdjson, and the page's records converted from its DOM.
 * It only ever says yes or no: anything it refuses, from a syntax error to
 * a field of the wrong type, is undone and the page read again by jansson
 * (below), whose messages are the ones users know. */
static int page_simd(struct page *pg, const char *buf, size_t len, const struct raw_sink *sink)
{
	struct raw_rec rec = { .file = pg->path, .relpath = pg->job->relpath, .index = 0, .msg = &pg->msg };
	struct jsimd_page jp;
	struct raw_val v;
	enum jsimd_status st;

	if (!pg->simd && !(pg->simd = jsimd_parser_new()))
		return 0;
	if (jsimd_page_open(pg->simd, buf, len, pg->job->root_key, pg->job->single, &jp) != JSIMD_OK)
		return 0;
	while ((st = jsimd_page_next(&jp, &v)) == JSIMD_OK) {
		rec.index++;
		if (sink->record(sink->arg, pg->out, pg->job->tag, &rec, &v) != RECON_OK)
			break;
	}
	if (st == JSIMD_END)
		return 1;
	sink->out_reset(sink->arg, pg->out);
	pg->msg.err = RECON_OK;
	pg->msg.text[0] = '\0';
	return 0;
}

/* simd: may the page be read by simdjson first. */
void raw_page_read(struct page *pg, const char *dir, const struct raw_job *job, const struct raw_sink *sink,
                      int simd, int drop)
{
	char *buf = NULL;
	size_t len = 0;
	json_error_t jerr;

	pg->job = job;
	pg->read_ok = 0;
	pg->by_simd = 0;
	pg->msg.err = RECON_OK;
	pg->msg.text[0] = '\0';
	pg->root = NULL;
	snprintf(pg->path, sizeof(pg->path), "%s/%s", dir, job->relpath);
	pg->read_ns = raw_now_ns();
	recon_err rerr = read_file(pg->path, &pg->buf, &pg->buf_cap, &len, &pg->msg, drop);
	pg->read_ns = raw_now_ns() - pg->read_ns;
	if (rerr)
		return;
	buf = pg->buf;
	sha256_hex(buf, len, pg->hex);
	pg->bytes = (int64_t)len;
	pg->read_ok = 1;
	if (simd && use_simdjson && page_simd(pg, buf, len, sink)) {
		pg->by_simd = 1;
		return;
	}
	/* Deep nesting is hostile input, not data: jansson's own depth limit
	 * stops it before it can exhaust the stack. */
	struct json_arena *prev = json_arena_select(&pg->arena);
	pg->root = jsonin_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	json_arena_select(prev);
	if (!pg->root) {
		if (jsonin_nomem(&jerr))
			page_fail(&pg->msg, RECON_ERR_NOMEM, "cannot read '%s': out of memory", pg->path);
		else
			page_fail(&pg->msg, RECON_ERR_INPUT, "'%s', line %d, column %d: not valid JSON: %s",
			          pg->path, jerr.line, jerr.column, jerr.text);
		return;
	}
	recon_err err = page_convert(pg, sink);
	if (err)
		pg->msg.err = err;
}

void raw_page_free(struct page *pg, const struct raw_sink *sink)
{
	if (pg->out)
		sink->out_reset(sink->arg, pg->out);
	/* Parsed in the arena: released whole. Parsed by malloc (the arena
	 * could not be installed): freed value by value. */
	if (pg->arena.allocs)
		json_arena_reset(&pg->arena, ARENA_KEEP);
	else
		json_decref(pg->root);
	pg->root = NULL;
	if (jsimd_parser_capacity(pg->simd) > SIMD_KEEP) {
		jsimd_parser_free(pg->simd);
		pg->simd = NULL;
	}
	if (pg->buf_cap > SIMD_KEEP) {
		free(pg->buf);
		pg->buf = NULL;
		pg->buf_cap = 0;
	}
}

static recon_err page_error(const struct page *pg)
{
	if (pg->msg.text[0])
		msg_error("%s", pg->msg.text);
	return pg->msg.err;
}

/* Record the page as evidence, then hand its records over. */
recon_err raw_page_deliver(const struct page *pg, const struct raw_sink *sink)
{
	recon_err err;

	if (!pg->read_ok)
		return page_error(pg);
	if (sink->page && (err = sink->page(sink->arg, pg->job->relpath, pg->bytes, pg->hex)))
		return err;
	if (pg->msg.err)
		return page_error(pg);
	return sink->deliver(sink->arg, pg->out);
}

int raw_page_whole(const struct page *pg)
{
	return pg->read_ok && !pg->msg.err;
}

recon_err raw_read_page(const char *dir, const struct raw_job *job, const struct raw_sink *sink)
{
	struct page *pg = calloc(1, sizeof(*pg));
	recon_err err;

	if (!pg || !(pg->out = sink->out_new(sink->arg))) {
		free(pg);
		return RECON_ERR_NOMEM;
	}
	json_arena_install();
	/* One small page (the shop's), read by jansson alone: its check sets
	 * the process's time zone and says so, which a second reading would
	 * say twice. */
	raw_page_read(pg, dir, job, sink, 0, 0);
	if (raw_page_whole(pg) && sink->ordered)
		sink->ordered(sink->arg, pg->out);
	err = raw_page_deliver(pg, sink);
	raw_page_free(pg, sink);
	free(pg->buf);
	json_arena_release(&pg->arena);
	sink->out_free(sink->arg, pg->out);
	free(pg);
	return err;
}

const struct raw_rec *raw_rec_child(struct raw_rec *child, const struct raw_rec *rec, const char *array,
                                    size_t elem)
{
	*child = *rec;
	child->parent = rec;
	child->array = array;
	child->elem = elem;
	return child;
}

/* "refunds[0].transactions[1].", cut at 95 bytes as it always was. */
static size_t rec_prefix(const struct raw_rec *rec, char *buf, size_t size)
{
	size_t n;
	int k;
	if (!rec->parent) {
		buf[0] = '\0';
		return 0;
	}
	n = rec_prefix(rec->parent, buf, size);
	k = snprintf(buf + n, size - n, "%s[%zu].", rec->array, rec->elem);
	return k < 0 || (size_t)k >= size - n ? size - 1 : n + (size_t)k;
}

static void rec_message(const struct raw_rec *rec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rec_message(const struct raw_rec *rec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (rec->msg) {
		/* Read ahead: shown when the page's turn comes (as msg_error
		 * shows the arguments of its format, the whole text is data). */
		if (!rec->msg->text[0]) {
			vsnprintf(rec->msg->text, sizeof(rec->msg->text), fmt, ap);
			rec->msg->err = RECON_ERR_INPUT;
		}
	} else {
		char text[RAW_MSG_MAX];
		vsnprintf(text, sizeof(text), fmt, ap);
		msg_error("%s", text);
	}
	va_end(ap);
}

recon_err raw_field_error(const struct raw_rec *rec, const char *field, const char *fmt, ...)
{
	char why[512], prefix[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	rec_prefix(rec, prefix, sizeof(prefix));
	rec_message(rec, "'%s', %s %zu, field '%s%s': %s", rec->file, rec->line ? "line" : "record", rec->index, prefix,
	            field, why);
	return RECON_ERR_INPUT;
}

void raw_field_text(const struct raw_rec *rec, const char *field, char *buf, size_t size, const char *fmt, ...)
{
	char why[512], prefix[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	rec_prefix(rec, prefix, sizeof(prefix));
	snprintf(buf, size, "'%s', %s %zu, field '%s%s': %s", rec->relpath ? rec->relpath : rec->file,
	         rec->line ? "line" : "record", rec->index, prefix, field, why);
}

recon_err raw_object(const struct raw_rec *rec, const struct raw_val *v)
{
	char prefix[96];
	if (v->type == RAW_OBJECT)
		return RECON_OK;
	rec_prefix(rec, prefix, sizeof(prefix));
	rec_message(rec, "'%s', %s %zu, field '%s': expected an object", rec->file, rec->line ? "line" : "record",
	            rec->index, prefix);
	return RECON_ERR_INPUT;
}
