/* Fuzz every raw-page loader: the first byte picks the extract, the rest is
 * the page. Each input is loaded into a fresh transaction that is rolled
 * back; bad pages must be refused (RECON_ERR_INPUT), never crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recon/load.h"
#include "recon/msg.h"
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
		mkdir(path, 0700);
	}
	static const char shop[] = "{\"shop\": {\"currency\": \"USD\", \"iana_timezone\": \"UTC\"}}";
	put("shopify/shop.json", shop, sizeof(shop) - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t n_extracts;
	struct period p;
	struct load_info info;
	char rel[256];
	size_t x;

	if (!store) {
		setup();
		while (load_extracts[n_extracts].name)
			n_extracts++;
		period_month("2026-10", &p);
	}
	if (size < 1)
		return 0;
	x = 1 + data[0] % (n_extracts - 1);
	snprintf(rel, sizeof(rel), "%s/page-0001.json", load_extracts[x].folder);
	put(rel, data + 1, size - 1);
	period_month("2026-10", &p);
	if (store_tx_begin(store) != RECON_OK)
		abort();
	recon_err err = load_raw(store, 1, dir, &p, NULL, &info);
	if (err != RECON_OK && err != RECON_ERR_INPUT && err != RECON_ERR_OVERFLOW) {
		fprintf(stderr, "load_raw: %s\n", recon_strerror(err));
		abort();
	}
	store_tx_rollback(store);
	/* The next input may pick another extract: leave no page behind. */
	char path[320];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	unlink(path);
	return 0;
}
