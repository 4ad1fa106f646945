/* Whether a snapshot's stored discrepancies are what the rules would write
 * now, so `report` can read them instead of running every rule again (at
 * 100k orders the rules are some 3.5 CPU-seconds of a report's 8).
 *
 * A full run records a fingerprint in `meta` (key "rules:<snapshot id>"):
 * SHA-256 over this executable's bytes (the rules, the links and every
 * query are in it), every configuration setting but the secrets, and every
 * value the rules are bound with (the snapshot, the earliest snapshot of
 * its period, period, currencies, tolerance, stock field...). The snapshot's
 * own rows never change (DESIGN §4), so the same fingerprint means the same
 * rows. Beside it, a digest of the rows the run wrote: rows rewritten since
 * by anything else (an older recon has no fingerprint to write) do not
 * match. An executable that cannot be read gives no fingerprint and the
 * rules run. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "recon/hash.h"
#include "recon/rules_cache.h"

/* The executable's digest, computed once per process; "" when it cannot
 * be read (then nothing is reused). Quietly: a fingerprint that cannot be
 * made is no error, so this reads the file itself rather than through
 * sha256_file, which reports a failure. */
static const char *exe_digest(void)
{
	static char hex[65];
	static int done;
	if (!done) {
		unsigned char buf[65536];
		struct sha256 *h = NULL;
		ssize_t n = -1;
		int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (h = sha256_new()))
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				sha256_update(h, buf, (size_t)n);
		if (fd >= 0)
			close(fd);
		if (h && n == 0)
			sha256_final_hex(h, hex);   /* frees h */
		else {
			sha256_free(h);
			hex[0] = '\0';
		}
		done = 1;
	}
	return hex;
}

recon_err rules_fingerprint(const struct config *cfg, const struct sqlparams *sp, char hex[65])
{
	const char *exe = exe_digest();
	struct sha256 *h;

	hex[0] = '\0';
	if (!exe[0] || sp->full || !(h = sha256_new()))
		return RECON_OK;
	sha256_update_str(h, "recon rules 1");
	sha256_update_str(h, exe);
	for (size_t i = 0; i < config_nsections(cfg); i++) {
		const char *sec = config_section_name(cfg, i);
		sha256_update_str(h, sec);
		for (size_t j = 0; j < config_section_size(cfg, sec); j++) {
			const char *key, *value;
			config_section_entry(cfg, sec, j, &key, &value);
			if (!key || config_is_secret(sec, key))
				continue;
			sha256_update_str(h, key);
			sha256_update_str(h, value ? value : "");
		}
	}
	for (size_t i = 0; i < sp->n; i++) {
		const struct sqlparam *v = &sp->v[i];
		sha256_update_str(h, v->name);
		sha256_update_i64(h, v->type);
		if (v->type == SQLPARAM_INT)
			sha256_update_i64(h, v->i);
		else if (v->type == SQLPARAM_TEXT)
			sha256_update_str(h, v->text ? v->text : "");
	}
	sha256_final_hex(h, hex);   /* frees h */
	return RECON_OK;
}

/* The snapshot's stored rows as the rules wrote them (first_seen aside,
 * which is carried over on every run): kept beside the fingerprint, so rows
 * rewritten by anything else (a recon before this one, a hand in sqlite3)
 * are not taken for this run's. A few thousand rows: milliseconds. */
static recon_err rows_digest(struct store *s, int64_t sid, char hex[65])
{
	sqlite3_stmt *st;
	struct sha256 *h;
	recon_err err;
	int rc;

	hex[0] = '\0';
	if ((err = store_prepare(s, "SELECT * FROM discrepancy WHERE snapshot_id = ? ORDER BY code, key", &st)))
		return err;
	if (!(h = sha256_new())) {
		sqlite3_finalize(st);
		return RECON_OK;     /* no digest: nothing is reused */
	}
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const char *name = sqlite3_column_name(st, c);
			int t = sqlite3_column_type(st, c);
			if (!name || !strcmp(name, "first_seen") || !strcmp(name, "first_seen_at"))
				continue;
			sha256_update_i64(h, t);
			if (t == SQLITE_INTEGER)
				sha256_update_i64(h, sqlite3_column_int64(st, c));
			else if (t != SQLITE_NULL) {
				const void *b = sqlite3_column_blob(st, c);
				int n = sqlite3_column_bytes(st, c);
				sha256_update_i64(h, n);
				if (b && n > 0)
					sha256_update(h, b, (size_t)n);
			}
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sha256_free(h);
		return store_fail(s, "cannot read the discrepancies");
	}
	sha256_final_hex(h, hex);   /* frees h */
	return RECON_OK;
}

/* meta's value: the run's fingerprint, then the rows' digest. */
static recon_err stamp(struct store *s, int64_t sid, const char *fp, char out[130])
{
	char rows[65];
	recon_err err = rows_digest(s, sid, rows);
	out[0] = '\0';
	if (!err && fp[0] && rows[0])
		snprintf(out, 130, "%s %s", fp, rows);
	return err;
}

static void meta_key(char *key, size_t size, int64_t sid)
{
	snprintf(key, size, "rules:%lld", (long long)sid);
}

recon_err rules_cache_holds(struct store *s, int64_t sid, const char *hex, int *holds)
{
	sqlite3_stmt *st;
	char key[40];
	recon_err err;
	int rc;

	char want[130];

	*holds = 0;
	if (!hex[0])
		return RECON_OK;
	if ((err = stamp(s, sid, hex, want)) || !want[0])
		return err;
	meta_key(key, sizeof(key), sid);
	if ((err = store_prepare(s, "SELECT value FROM meta WHERE key = ?", &st)))
		return err;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		*holds = v && strcmp(v, want) == 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "cannot read the rules' fingerprint");
	return RECON_OK;
}

recon_err rules_cache_record(struct store *s, int64_t sid, const char *hex)
{
	sqlite3_stmt *st;
	char key[40], value[130];
	recon_err err;

	if ((err = stamp(s, sid, hex, value)))
		return err;
	meta_key(key, sizeof(key), sid);
	if ((err = store_prepare(s, value[0] ? "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)"
	                                     : "DELETE FROM meta WHERE key = ?1", &st)))
		return err;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (value[0])
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return store_fail(s, "cannot record the rules' fingerprint");
	}
	sqlite3_finalize(st);
	return RECON_OK;
}
