/* The run record (run_record.h) on the rows claim.c registers. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "recon/msg.h"
#include "recon/run_record.h"
#include "recon/version.h"

const char *run_user(void)
{
	static char name[256];
	if (!name[0]) {
		struct passwd *pw = getpwuid(getuid());
		const char *n = pw && pw->pw_name && *pw->pw_name ? pw->pw_name : getenv("LOGNAME");
		if (!n || !*n)
			n = getenv("USER");
		snprintf(name, sizeof(name), "%s", n && *n ? n : "unknown");
	}
	return name;
}

recon_err run_record_details(struct store *s, const char *verb, const struct config *cfg)
{
	sqlite3_stmt *st;
	char digest[65] = "";
	char *settings = NULL;
	recon_err err;

	if (!s->run_id)
		return RECON_OK;
	if (cfg) {
		json_t *rec = config_record(cfg, digest);
		settings = rec ? config_record_dumps(rec) : NULL;
		json_decref(rec);
		if (!settings) {
			msg_error("cannot record this run: out of memory");
			return RECON_ERR_NOMEM;
		}
	}
	if ((err = store_prepare(s, "UPDATE run SET user = ?, version = ?, revision = ?, config_path = ?, "
	                            "config_digest = ?, settings = ?, verb = ? WHERE id = ?", &st))) {
		free(settings);
		return err;
	}
	sqlite3_bind_text(st, 1, run_user(), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, recon_version(), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, recon_revision(), -1, SQLITE_STATIC);
	if (cfg) {
		sqlite3_bind_text(st, 4, config_path(cfg), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, settings, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 7, verb, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, s->run_id);
	err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(s, "cannot record this run");
	sqlite3_finalize(st);
	free(settings);
	return err;
}

recon_err run_record_snapshot(struct store *s, int64_t sid)
{
	sqlite3_stmt *st;
	recon_err err;

	if (!s || !s->run_id)
		return RECON_OK;
	if ((err = store_prepare(s, "UPDATE run SET snapshot_id = ? WHERE id = ?", &st)))
		return err;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, s->run_id);
	err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(s, "cannot record this run");
	sqlite3_finalize(st);
	return err;
}

void run_record_exit(struct store *s, int status)
{
	sqlite3_stmt *st;

	if (!s || !s->run_id)
		return;
	store_set_busy_seconds(s, 2);
	if (sqlite3_prepare_v2(s->db, "UPDATE run SET exit_status = ? WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, status);
		sqlite3_bind_int64(st, 2, s->run_id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
}

/* Replace every occurrence of `secret` in *line (a heap string). */
static int mask_one(char **line, const char *secret)
{
	size_t n;
	char *p;

	/* A short value would mask ordinary words; no real token is this short. */
	if (!secret || (n = strlen(secret)) < 4)
		return 0;
	while ((p = strstr(*line, secret))) {
		size_t head = (size_t)(p - *line);
		char *out = malloc(strlen(*line) - n + 4);
		if (!out)
			return -1;
		memcpy(out, *line, head);
		memcpy(out + head, "***", 3);
		strcpy(out + head + 3, p + n);
		free(*line);
		*line = out;
	}
	return 0;
}

char *run_mask_secrets(const char *line, const struct config *cfg)
{
	static const char *const keys[][2] = {
		{ "shopify", "access_token" }, { "shopify", "client_secret" }, { "shopify", "client_id" },
		{ "erpnext", "api_key" }, { "erpnext", "api_secret" },
	};
	static const char *const urls[][2] = { { "shopify", "shop" }, { "erpnext", "url" } };
	static const char *const env[] = { "RECON_SHOPIFY_TOKEN", "RECON_ERPNEXT_KEY", "RECON_ERPNEXT_SECRET" };
	char *out = strdup(line ? line : "");
	int bad = !out;

	for (size_t i = 0; !bad && cfg && i < sizeof(keys) / sizeof(keys[0]); i++)
		bad = mask_one(&out, config_get(cfg, keys[i][0], keys[i][1])) != 0;
	for (size_t i = 0; !bad && cfg && i < sizeof(urls) / sizeof(urls[0]); i++) {
		const char *user, *password;
		config_url_credentials(cfg, urls[i][0], urls[i][1], &user, &password);
		bad = mask_one(&out, password) != 0;
	}
	for (size_t i = 0; !bad && i < sizeof(env) / sizeof(env[0]); i++)
		bad = mask_one(&out, getenv(env[i])) != 0;
	if (bad) {
		free(out);
		return NULL;
	}
	return out;
}
