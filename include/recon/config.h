/* recon.ini (DESIGN §2): sections of `key = value` lines. Keys keep their
 * case and inner spaces (Shopify location names are keys in [locations]);
 * values are trimmed. `#` or `;` starts a comment line. The parsed file owns
 * every string it hands out; they live until config_free(). */
#ifndef RECON_CONFIG_H
#define RECON_CONFIG_H

#include <stddef.h>

#include "recon/error.h"

struct config;

/* Read and parse FILE. A file that cannot be read, a line that is neither
 * a section, a comment nor `key = value`, a key outside any section or a key
 * given twice in one section is RECON_ERR_CONFIG, with a message naming
 * file:line. Secrets from the environment (RECON_SHOPIFY_TOKEN,
 * RECON_ERPNEXT_KEY, RECON_ERPNEXT_SECRET) override the file. A file that
 * holds secrets and is readable by group or others gets a warning. A secret
 * holding a control character (CR, LF, ...) is RECON_ERR_CONFIG naming the
 * key or variable, never the value. */
recon_err config_load(const char *path, struct config **out);

/* The same from text in memory; `name` is used in messages. */
recon_err config_parse(const char *text, size_t len, const char *name, struct config **out);

/* A configuration with no file: every value at its default, secrets from
 * the environment only. */
/* The built-in defaults, standing in for `looked_for` (the recon.ini that
 * was not found; NULL when none was looked for). */
recon_err config_defaults(const char *looked_for, struct config **out);
/* "; no such file: 'recon init' writes one ..." when the defaults stand in
 * for a missing file, else "": appended to "is not set" messages. */
const char *config_hint(const struct config *cfg);

void config_free(struct config *cfg);

/* The file it came from ("(defaults)" when none). */
const char *config_path(const struct config *cfg);

/* Value of [section] key, or NULL when absent or empty. Section and key
 * names are compared case-insensitively. */
const char *config_get(const struct config *cfg, const char *section, const char *key);
const char *config_get_or(const struct config *cfg, const char *section, const char *key,
                          const char *fallback);

/* Integer value within [min, max]; absent -> fallback. Anything else is
 * RECON_ERR_CONFIG naming file:line. */
recon_err config_get_long(const struct config *cfg, const char *section, const char *key,
                          long fallback, long min, long max, long *out);

/* yes/no, true/false, on/off or 1/0 (any case); absent or empty -> fallback.
 * Anything else is RECON_ERR_CONFIG naming file:line. */
recon_err config_get_bool(const struct config *cfg, const char *section, const char *key,
                          int fallback, int *out);

/* Lines of one section, in file order (for [locations] and [accounts]). */
size_t config_section_size(const struct config *cfg, const char *section);
void config_section_entry(const struct config *cfg, const char *section, size_t i,
                          const char **key, const char **value);

/* The sections, in file order (defaults last): for the run record. */
size_t config_nsections(const struct config *cfg);
const char *config_section_name(const struct config *cfg, size_t i);

/* Line number of [section] key in the file, 0 when not from the file. */
int config_line(const struct config *cfg, const char *section, const char *key);

/* True for keys whose values must never be printed (tokens, secrets). */
int config_is_secret(const char *section, const char *key);

/* A URL setting ([shopify] shop, [erpnext] url) given as
 * scheme://user:password@host... reads back as scheme://host...; the user
 * name and password (percent-decoding undone) are kept here, for the HTTP
 * client only. NULL when the URL had none. Owned by the configuration. */
void config_url_credentials(const struct config *cfg, const char *section, const char *key,
                            const char **user, const char **password);

/* Overwrite every secret (tokens, keys, the URLs' credentials) in place with
 * zeros: afterwards they read as absent. For when the clients that need them
 * hold their own copies, or in a process that never needs them. Strings
 * handed out before keep their addresses (now empty). */
void config_forget_secrets(struct config *cfg);

/* The run record (DESIGN §8): every setting but the secrets, as
 * {"section": {"key": "value"}} with sections and keys in byte order (names
 * lower-cased), a new reference (NULL when out of memory); `digest` gets the
 * SHA-256 of its compact JSON text, so two runs with the same settings carry
 * the same digest whatever the order of the file's lines. Secrets and the
 * user names and passwords of URLs are never in it. */
struct json_t;
struct json_t *config_record(const struct config *cfg, char digest[65]);
/* The record's text (compact, keys sorted), checked whole; NULL when out of
 * memory. Free with free(). */
char *config_record_dumps(const struct json_t *rec);

#endif
