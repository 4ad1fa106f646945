/* Fuzz every raw-page loader: the first byte picks the extract, the rest is
 * the page. Each input is loaded into a fresh transaction that is rolled
 * back; bad pages must be refused (RECON_ERR_INPUT), never crash.
 *
 * Each input is loaded twice, by simdjson (jansson reading again what it
 * refuses) and by jansson alone, and the two must agree: the same status,
 * the same messages, the same table digests. The one difference allowed
 * is documented (README, "Snapshots and evidence"): jansson refuses a page
 * for a duplicate key, a \u0000 or an integer beyond 64 bits anywhere in
 * it, simdjson only in the fields recon reads. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recon/load.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "recon/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store;
static char dir[64];

static void put(const char *rel, const void *data, size_t size)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

static void setup(void)
{
	char path[256];
	strcpy(dir, "/tmp/recon-fuzz-XXXXXX");
	if (!mkdtemp(dir) || store_open(":memory:", &store) != RECON_OK)
		abort();
	/* extract and evidence rows reference their snapshot */
	if (store_exec(store, "INSERT INTO snapshot (id, period_from, period_to, period_label, source, raw_dir, "
	                      "taken_at, evidence_sha256, rows_sha256, hash) VALUES (1, '2026-10-01', "
	                      "'2026-10-31', '2026-10', 'raw', '/', 't', '', '', '')") != RECON_OK)
		abort();
	msg_set_level(MSG_QUIET);
	snprintf(path, sizeof(path), "%s/shopify", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/erpnext", dir);
	mkdir(path, 0700);
	for (size_t i = 1; load_extracts[i].name; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, load_extracts[i].folder);
		/* every level: shopify/graphql/payouts */
		for (char *slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')); slash++) {
			*slash = '\0';
			mkdir(path, 0700);
			*slash = '/';
		}
		mkdir(path, 0700);
	}
	static const char shop[] = "{\"shop\": {\"currency\": \"USD\", \"iana_timezone\": \"UTC\"}}";
	put("shopify/shop.json", shop, sizeof(shop) - 1);
}

struct outcome {
	recon_err err;
	char msgs[16384];
	struct load_info info;
};

/* One load of the raw folder, by the parser asked for; what it printed
 * (errors are printed even when quiet) is kept. */
static void load_once(int simd, struct outcome *o)
{
	struct period p;
	FILE *f = tmpfile();
	int saved;
	size_t n;

	if (!f)
		abort();
	period_month("2026-10", &p);
	raw_use_simdjson(simd);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(f), 2);
	if (store_tx_begin(store) != RECON_OK)
		abort();
	o->err = load_raw(store, 1, dir, &p, NULL, NULL, &o->info);
	store_tx_rollback(store);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(o->msgs, 1, sizeof(o->msgs) - 1, f);
	o->msgs[n] = '\0';
	fclose(f);
	if (o->err != RECON_OK && o->err != RECON_ERR_INPUT && o->err != RECON_ERR_OVERFLOW) {
		fprintf(stderr, "load_raw (%s): %s\n%s", simd ? "simdjson" : "jansson", recon_strerror(o->err), o->msgs);
		abort();
	}
}

/* jansson refused the page for something simdjson does not look at
 * outside the fields read. */
static int jansson_only_refusal(const struct outcome *j)
{
	return j->err == RECON_ERR_INPUT && strstr(j->msgs, ": not valid JSON: ") &&
	       (strstr(j->msgs, "duplicate object key") || strstr(j->msgs, "\\u0000 is not allowed") ||
	        strstr(j->msgs, "too big integer") || strstr(j->msgs, "too big negative integer"));
}

static void compare(const struct outcome *s, const struct outcome *j)
{
	if (s->err == RECON_OK && j->err != RECON_OK && jansson_only_refusal(j))
		return;
	if (s->err != j->err || strcmp(s->msgs, j->msgs) != 0) {
		fprintf(stderr, "simdjson and jansson disagree:\nsimdjson: %s\n%s\njansson: %s\n%s\n", recon_strerror(s->err),
		        s->msgs, recon_strerror(j->err), j->msgs);
		abort();
	}
	if (s->err != RECON_OK)
		return;
	for (int i = 0; i < STORE_NDATA; i++) {
		const struct store_digest *a = &s->info.digest[i], *b = &j->info.digest[i];
		if (a->known != b->known || a->rows != b->rows || strcmp(a->hex, b->hex) != 0) {
			fprintf(stderr, "table '%s': simdjson %lld rows %s, jansson %lld rows %s\n", store_data_tables[i],
			        (long long)a->rows, a->hex, (long long)b->rows, b->hex);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t n_extracts;
	static struct outcome by_simd, by_jansson;
	char rel[256];
	size_t x;

	if (!store) {
		setup();
		while (load_extracts[n_extracts].name)
			n_extracts++;
	}
	if (size < 1)
		return 0;
	x = 1 + data[0] % (n_extracts - 1);
	snprintf(rel, sizeof(rel), "%s/page-0001.json", load_extracts[x].folder);
	put(rel, data + 1, size - 1);
	load_once(1, &by_simd);
	load_once(0, &by_jansson);
	compare(&by_simd, &by_jansson);
	/* The next input may pick another extract: leave no page behind. */
	char path[320];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	unlink(path);
	return 0;
}
