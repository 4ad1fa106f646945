#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "recon/config.h"
#include "recon/ini.h"
#include "recon/msg.h"

/* A configuration file is a few hundred bytes; the caps only stop a wrong
 * path (a log, a database) from being slurped and reported line by line. */
#define CONFIG_MAX_BYTES INI_MAX_BYTES
#define DEFAULTS_NAME "(defaults)"

struct config_entry {
	char *key;
	char *value;   /* "" when the file says `key =` */
	int line;      /* 0 when the value came from a default or the environment */
};

struct config_section {
	char *name;
	struct config_entry *entries;
	size_t n, cap;
};

/* Settings that hold a URL: a user name and password in them are taken
 * out when the file is read (see config_url_credentials). */
static const struct {
	const char *section, *key;
} url_keys[] = {
	{ "shopify", "shop" },
	{ "erpnext", "url" },
};
#define N_URL_KEYS (sizeof(url_keys) / sizeof(url_keys[0]))

struct config {
	char *path;
	int missing;   /* defaults stand in for a file that does not exist */
	struct config_section *sections;
	size_t n, cap;
	char *url_user[N_URL_KEYS];      /* secrets, decoded, for the HTTP client only */
	char *url_password[N_URL_KEYS];
};

static const struct {
	const char *section, *key, *value;
} defaults[] = {
	/* a current stable version (SHOPIFY_API_VERSION, shopify_version.h) */
	{ "shopify", "api_version", "2026-10" },
	{ "match", "order_field", "shopify_order_id" },
	{ "match", "amount_tolerance", "0.00" },
	{ "match", "stock_pairs", "on_hand:actual_qty,committed:reserved_qty" },
	{ "match", "sales_order_margin_days", "7" },
	{ "match", "payout_lookback_days", "35" },
	{ "report", "out", "reports" },
	{ "report", "templates", "templates" },
};

static const struct {
	const char *env, *section, *key;
} env_secrets[] = {
	{ "RECON_SHOPIFY_TOKEN", "shopify", "access_token" },
	{ "RECON_ERPNEXT_KEY", "erpnext", "api_key" },
	{ "RECON_ERPNEXT_SECRET", "erpnext", "api_secret" },
};

static const struct {
	const char *section, *key;
} secrets[] = {
	{ "shopify", "access_token" },
	{ "shopify", "client_secret" },
	{ "erpnext", "api_key" },
	{ "erpnext", "api_secret" },
};

static recon_err no_memory(void)
{
	msg_error("out of memory");
	return RECON_ERR_NOMEM;
}

/* Free a string that may hold a secret. explicit_bzero, unlike memset
 * before free(), is not removed by the optimiser as a dead store. */
static void free_wiped(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* "'recon.ini', line 7: ..." or, for values not from the file, "'recon.ini': ...". */
#define config_error ini_error

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static struct config_section *find_section(const struct config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	for (size_t i = 0; i < cfg->n; i++)
		if (strcasecmp(cfg->sections[i].name, name) == 0)
			return &cfg->sections[i];
	return NULL;
}

static struct config_entry *find_entry(const struct config *cfg, const char *section,
                                       const char *key)
{
	struct config_section *s = find_section(cfg, section);
	if (!s || !key)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (strcasecmp(s->entries[i].key, key) == 0)
			return &s->entries[i];
	return NULL;
}

static struct config *config_new(const char *path)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return NULL;
	cfg->path = dup_range(path, strlen(path));
	if (!cfg->path) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

/* Index of the section, created at the end when new; -1 when out of memory. */
static long add_section(struct config *cfg, const char *name, size_t len)
{
	struct config_section *s;

	for (size_t i = 0; i < cfg->n; i++)
		if (strlen(cfg->sections[i].name) == len &&
		    strncasecmp(cfg->sections[i].name, name, len) == 0)
			return (long)i;
	if (cfg->n == cfg->cap) {
		size_t cap = cfg->cap ? cfg->cap * 2 : 8;
		s = realloc(cfg->sections, cap * sizeof(*s));
		if (!s)
			return -1;
		cfg->sections = s;
		cfg->cap = cap;
	}
	s = &cfg->sections[cfg->n];
	memset(s, 0, sizeof(*s));
	s->name = dup_range(name, len);
	if (!s->name)
		return -1;
	return (long)cfg->n++;
}

static recon_err add_entry(struct config_section *s, const char *key, size_t klen,
                           const char *value, size_t vlen, int line)
{
	struct config_entry *e;
	char *k, *v;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		e = realloc(s->entries, cap * sizeof(*e));
		if (!e)
			return RECON_ERR_NOMEM;
		s->entries = e;
		s->cap = cap;
	}
	k = dup_range(key, klen);
	v = dup_range(value, vlen);
	if (!k || !v) {
		free(k);
		free(v);
		return RECON_ERR_NOMEM;
	}
	s->entries[s->n++] = (struct config_entry){ .key = k, .value = v, .line = line };
	return RECON_OK;
}

/* Value not from the file (default or environment): replaces or appends. */
static recon_err set_value(struct config *cfg, const char *section, const char *key,
                           const char *value)
{
	struct config_entry *e = find_entry(cfg, section, key);
	long si;

	if (e) {
		char *v = dup_range(value, strlen(value));
		if (!v)
			return RECON_ERR_NOMEM;
		free_wiped(e->value);
		e->value = v;
		e->line = 0;
		return RECON_OK;
	}
	si = add_section(cfg, section, strlen(section));
	if (si < 0)
		return RECON_ERR_NOMEM;
	return add_entry(&cfg->sections[si], key, strlen(key), value, strlen(value), 0);
}

struct parse_state {
	struct config *cfg;
	const char *name;
	long cur;   /* section of the lines that follow, -1 before the first */
};

static recon_err parse_item(void *arg, const struct ini_item *it)
{
	struct parse_state *ps = arg;
	struct config *cfg = ps->cfg;
	struct config_entry *dup;
	char *key;

	if (!it->key) {
		ps->cur = add_section(cfg, it->name, it->name_len);
		return ps->cur < 0 ? RECON_ERR_NOMEM : RECON_OK;
	}
	key = dup_range(it->key, it->key_len);
	if (!key)
		return RECON_ERR_NOMEM;
	if (ps->cur < 0) {
		config_error(ps->name, it->line, "'%s' is outside any [section]", key);
		free(key);
		return RECON_ERR_CONFIG;
	}
	dup = find_entry(cfg, cfg->sections[ps->cur].name, key);
	if (dup) {
		config_error(ps->name, it->line, "'%s' in [%s] is given twice (first on line %d)", key,
		             cfg->sections[ps->cur].name, dup->line);
		free(key);
		return RECON_ERR_CONFIG;
	}
	free(key);
	return add_entry(&cfg->sections[ps->cur], it->key, it->key_len, it->value, it->value_len, it->line);
}

static recon_err parse_text(struct config *cfg, const char *text, size_t len, const char *name)
{
	struct parse_state ps = { cfg, name, -1 };
	recon_err err = ini_parse(text, len, name, "'[section]'", parse_item, &ps);
	return err == RECON_ERR_NOMEM ? no_memory() : err;
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* %XX decoded (RFC 3986 userinfo); a malformed escape is kept as it is. */
static char *percent_decode(const char *s, size_t n)
{
	char *d = malloc(n + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
			*o++ = (char)(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return d;
}

/* scheme://user:password@host... becomes scheme://host...: the value that
 * every reader sees (snapshot site, reports, messages, -v logs) never holds
 * the password; the credentials are kept apart for the HTTP client. */
static recon_err take_url_credentials(struct config *cfg)
{
	for (size_t i = 0; i < N_URL_KEYS; i++) {
		struct config_entry *e = find_entry(cfg, url_keys[i].section, url_keys[i].key);
		const char *auth, *at = NULL, *colon;
		size_t alen, slen;
		char *clean;

		if (!e || !(auth = strstr(e->value, "://")))
			continue;
		auth += 3;
		alen = strcspn(auth, "/?#");
		/* the last '@' of the authority: whatever precedes it is userinfo */
		for (const char *p = auth; p < auth + alen; p++)
			if (*p == '@')
				at = p;
		if (!at)
			continue;
		colon = memchr(auth, ':', (size_t)(at - auth));
		free_wiped(cfg->url_user[i]);
		free_wiped(cfg->url_password[i]);
		cfg->url_user[i] = percent_decode(auth, (size_t)((colon ? colon : at) - auth));
		cfg->url_password[i] = colon ? percent_decode(colon + 1, (size_t)(at - colon - 1)) : NULL;
		slen = (size_t)(auth - e->value);
		clean = malloc(slen + strlen(at + 1) + 1);
		if (!cfg->url_user[i] || (colon && !cfg->url_password[i]) || !clean) {
			free(clean);
			return RECON_ERR_NOMEM;
		}
		memcpy(clean, e->value, slen);
		strcpy(clean + slen, at + 1);
		free_wiped(e->value);
		e->value = clean;
	}
	return RECON_OK;
}

static int has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

/* Secrets travel in HTTP headers: a CR or LF in one would end the header
 * and start another of the sender's choosing. Refused, naming where the
 * value came from, never the value. */
static recon_err check_secrets(const struct config *cfg)
{
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		const struct config_entry *e = find_entry(cfg, secrets[i].section, secrets[i].key);
		const char *var = NULL;
		if (!e || !has_control(e->value))
			continue;
		for (size_t j = 0; j < sizeof(env_secrets) / sizeof(env_secrets[0]); j++)
			if (!strcmp(env_secrets[j].section, secrets[i].section) &&
			    !strcmp(env_secrets[j].key, secrets[i].key))
				var = env_secrets[j].env;
		if (e->line == 0 && var)
			msg_error("%s (for [%s] %s) holds a control character (a pasted line break?): "
			          "a secret is one line of printable text", var, secrets[i].section, secrets[i].key);
		else
			config_error(cfg->path, e->line, "[%s] %s holds a control character (a pasted line "
			             "break?): a secret is one line of printable text", secrets[i].section,
			             secrets[i].key);
		return RECON_ERR_CONFIG;
	}
	return RECON_OK;
}

/* Defaults fill keys the file does not have; the environment's secrets win
 * over the file. */
static recon_err finish(struct config *cfg)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!find_entry(cfg, defaults[i].section, defaults[i].key) &&
		    set_value(cfg, defaults[i].section, defaults[i].key, defaults[i].value))
			return no_memory();
	for (size_t i = 0; i < sizeof(env_secrets) / sizeof(env_secrets[0]); i++) {
		const char *v = getenv(env_secrets[i].env);
		if (v && *v && set_value(cfg, env_secrets[i].section, env_secrets[i].key, v))
			return no_memory();
	}
	if (take_url_credentials(cfg))
		return no_memory();
	return check_secrets(cfg);
}

static int holds_secret(const struct config *cfg)
{
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (config_get(cfg, secrets[i].section, secrets[i].key))
			return 1;
	return 0;
}

/* The whole file, NUL-terminated, refusing more than CONFIG_MAX_BYTES. */
static recon_err read_file(const char *path, char **text, size_t *len, mode_t *mode)
{
	struct stat st;
	size_t cap = 4096, n = 0;
	char *buf;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		return RECON_ERR_CONFIG;
	}
	if (fstat(fileno(f), &st) != 0) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		fclose(f);
		return RECON_ERR_CONFIG;
	}
	if (S_ISDIR(st.st_mode)) {
		msg_error("cannot read '%s': it is a directory", path);
		fclose(f);
		return RECON_ERR_CONFIG;
	}
	if (S_ISREG(st.st_mode) && st.st_size > CONFIG_MAX_BYTES) {
		msg_error("'%s' is larger than 1 MiB; is it really the configuration?", path);
		fclose(f);
		return RECON_ERR_CONFIG;
	}
	*mode = st.st_mode;
	/* The text holds secrets: no stdio buffer keeps a copy of it, and a
	 * buffer outgrown is wiped (no realloc leaves one behind) */
	setvbuf(f, NULL, _IONBF, 0);
	buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return no_memory();
	}
	for (;;) {
		size_t got;
		if (n + 1 == cap) {
			char *nb;
			/* A pipe or a growing file is only known to be too big by reading. */
			if (n > (size_t)CONFIG_MAX_BYTES)
				break;
			nb = malloc(cap * 2);
			if (!nb) {
				explicit_bzero(buf, n);
				free(buf);
				fclose(f);
				return no_memory();
			}
			memcpy(nb, buf, n);
			explicit_bzero(buf, n);
			free(buf);
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		explicit_bzero(buf, n);
		free(buf);
		fclose(f);
		return RECON_ERR_CONFIG;
	}
	fclose(f);
	if (n > (size_t)CONFIG_MAX_BYTES) {
		msg_error("'%s' is larger than 1 MiB; is it really the configuration?", path);
		explicit_bzero(buf, n);
		free(buf);
		return RECON_ERR_CONFIG;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return RECON_OK;
}

recon_err config_load(const char *path, struct config **out)
{
	struct config *cfg;
	char *text;
	size_t len;
	mode_t mode = 0;
	recon_err err;

	*out = NULL;
	if (!path) {
		msg_error("no configuration file given");
		return RECON_ERR_CONFIG;
	}
	err = read_file(path, &text, &len, &mode);
	if (err)
		return err;
	cfg = config_new(path);
	if (!cfg) {
		explicit_bzero(text, len);
		free(text);
		return no_memory();
	}
	err = parse_text(cfg, text, len, path);
	explicit_bzero(text, len);
	free(text);
	/* Checked before the environment is merged: only the file's own
	 * secrets make its mode matter. */
	if (!err && (mode & 044) && holds_secret(cfg))
		msg_warn("'%s' holds secrets and is readable by others (chmod 600 it)", path);
	if (!err)
		err = finish(cfg);
	if (err) {
		config_free(cfg);
		return err;
	}
	*out = cfg;
	return RECON_OK;
}

recon_err config_parse(const char *text, size_t len, const char *name, struct config **out)
{
	struct config *cfg;
	recon_err err;

	*out = NULL;
	if (!name)
		name = "(text)";
	if (!text && len) {
		msg_error("'%s': no text to parse", name);
		return RECON_ERR_CONFIG;
	}
	cfg = config_new(name);
	if (!cfg)
		return no_memory();
	err = text ? parse_text(cfg, text, len, name) : RECON_OK;
	if (!err)
		err = finish(cfg);
	if (err) {
		config_free(cfg);
		return err;
	}
	*out = cfg;
	return RECON_OK;
}

recon_err config_defaults(const char *looked_for, struct config **out)
{
	recon_err err = config_parse(NULL, 0, looked_for ? looked_for : DEFAULTS_NAME, out);
	if (!err && looked_for)
		(*out)->missing = 1;
	return err;
}

const char *config_hint(const struct config *cfg)
{
	return cfg && cfg->missing ? "; no such file: 'recon init' writes one from the templates" : "";
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	config_forget_secrets(cfg);
	for (size_t i = 0; i < cfg->n; i++) {
		struct config_section *s = &cfg->sections[i];
		for (size_t j = 0; j < s->n; j++) {
			free(s->entries[j].key);
			free(s->entries[j].value);
		}
		free(s->entries);
		free(s->name);
	}
	free(cfg->sections);
	free(cfg->path);
	free(cfg);
}

void config_forget_secrets(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++) {
		struct config_section *s = &cfg->sections[i];
		for (size_t j = 0; j < s->n; j++)
			if (config_is_secret(s->name, s->entries[j].key))
				explicit_bzero(s->entries[j].value, strlen(s->entries[j].value));
	}
	for (size_t i = 0; i < N_URL_KEYS; i++) {
		free_wiped(cfg->url_user[i]);
		free_wiped(cfg->url_password[i]);
		cfg->url_user[i] = cfg->url_password[i] = NULL;
	}
}

void config_url_credentials(const struct config *cfg, const char *section, const char *key,
                            const char **user, const char **password)
{
	*user = *password = NULL;
	for (size_t i = 0; cfg && section && key && i < N_URL_KEYS; i++)
		if (!strcasecmp(url_keys[i].section, section) && !strcasecmp(url_keys[i].key, key)) {
			*user = cfg->url_user[i];
			*password = cfg->url_password[i];
		}
}

const char *config_path(const struct config *cfg)
{
	return cfg ? cfg->path : DEFAULTS_NAME;
}

const char *config_get(const struct config *cfg, const char *section, const char *key)
{
	const struct config_entry *e = find_entry(cfg, section, key);
	return e && e->value[0] ? e->value : NULL;
}

const char *config_get_or(const struct config *cfg, const char *section, const char *key,
                          const char *fallback)
{
	const char *v = config_get(cfg, section, key);
	return v ? v : fallback;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

recon_err config_get_long(const struct config *cfg, const char *section, const char *key,
                          long fallback, long min, long max, long *out)
{
	const struct config_entry *e = find_entry(cfg, section, key);
	const char *v, *p;
	char *end;
	long n;

	if (!e || !e->value[0]) {
		*out = fallback;
		return RECON_OK;
	}
	v = e->value;
	p = v + (*v == '-' || *v == '+');
	/* strtol would also skip leading spaces; a number here is [+-]digits only. */
	if (is_digit(*p)) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (*end == '\0' && errno != ERANGE && n >= min && n <= max) {
			*out = n;
			return RECON_OK;
		}
	}
	if (config_is_secret(section, key))
		config_error(cfg->path, e->line, "[%s] %s: expected a whole number from %ld to %ld",
		             section, e->key, min, max);
	else
		config_error(cfg->path, e->line,
		             "[%s] %s = '%s': expected a whole number from %ld to %ld", section,
		             e->key, v, min, max);
	return RECON_ERR_CONFIG;
}

recon_err config_get_bool(const struct config *cfg, const char *section, const char *key,
                          int fallback, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
	const struct config_entry *e = find_entry(cfg, section, key);

	*out = fallback;
	if (!e || !e->value[0])
		return RECON_OK;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(e->value, yes[i])) {
			*out = 1;
			return RECON_OK;
		}
		if (!strcasecmp(e->value, no[i])) {
			*out = 0;
			return RECON_OK;
		}
	}
	config_error(cfg->path, e->line, "[%s] %s = '%s': expected yes or no (true/false, on/off, 1/0)",
	             section, e->key, config_is_secret(section, key) ? "..." : e->value);
	return RECON_ERR_CONFIG;
}

size_t config_section_size(const struct config *cfg, const char *section)
{
	const struct config_section *s = find_section(cfg, section);
	return s ? s->n : 0;
}

void config_section_entry(const struct config *cfg, const char *section, size_t i,
                          const char **key, const char **value)
{
	const struct config_section *s = find_section(cfg, section);
	int ok = s && i < s->n;

	if (key)
		*key = ok ? s->entries[i].key : NULL;
	if (value)
		*value = ok ? s->entries[i].value : NULL;
}

int config_line(const struct config *cfg, const char *section, const char *key)
{
	const struct config_entry *e = find_entry(cfg, section, key);
	return e ? e->line : 0;
}

int config_is_secret(const char *section, const char *key)
{
	if (!section || !key)
		return 0;
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strcasecmp(secrets[i].section, section) == 0 &&
		    strcasecmp(secrets[i].key, key) == 0)
			return 1;
	return 0;
}

size_t config_nsections(const struct config *cfg)
{
	return cfg ? cfg->n : 0;
}

const char *config_section_name(const struct config *cfg, size_t i)
{
	return cfg && i < cfg->n ? cfg->sections[i].name : NULL;
}
