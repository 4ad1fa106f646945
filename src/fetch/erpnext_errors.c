/* Why ERPNext refused a request, in words a user can act on: Frappe's
 * exception and _server_messages read out of the answer's body, bounded, and
 * the setting to check named instead of any credential. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/erpnext.h"
#include "recon/http.h"
#include "recon/jsonin.h"
#include "recon/msg.h"
#include "erpnext_docs.h"

#define ERP_WHY_MAX 2000           /* longest refusal reason kept */

struct text {
	char buf[ERP_WHY_MAX + 1];
	size_t len;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (n > ERP_WHY_MAX - t->len)
		n = ERP_WHY_MAX - t->len;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* Plain words from a message that may hold HTML: tags dropped, the common
 * entities decoded, runs of white space made one space. */
static void text_add_plain(struct text *t, const char *s)
{
	static const struct { const char *ent, *ch; } ents[] = {
		{ "&lt;", "<" }, { "&gt;", ">" }, { "&amp;", "&" }, { "&quot;", "\"" },
		{ "&#39;", "'" }, { "&#x27;", "'" }, { "&nbsp;", " " },
	};
	int space = t->len > 0 && t->buf[t->len - 1] == ' ';
	while (*s) {
		size_t k;
		if (*s == '<') {
			const char *e = strchr(s, '>');
			if (e) {
				/* a tag separates words the way the browser shows them */
				s = e + 1;
				if (!space && t->len) {
					text_add(t, " ", 1);
					space = 1;
				}
				continue;
			}
		}
		if (*s == '&') {
			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				size_t n = strlen(ents[k].ent);
				if (strncmp(s, ents[k].ent, n) == 0) {
					text_add(t, ents[k].ch, 1);
					space = ents[k].ch[0] == ' ';
					s += n;
					break;
				}
			}
			if (k < sizeof(ents) / sizeof(ents[0]))
				continue;
		}
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			if (!space && t->len)
				text_add(t, " ", 1);
			space = 1;
			s++;
			continue;
		}
		text_add(t, s, 1);
		space = 0;
		s++;
	}
	while (t->len && t->buf[t->len - 1] == ' ')
		t->buf[--t->len] = '\0';
}

/* The message objects of _server_messages (decoded twice). */
static json_t *server_messages(json_t *body)
{
	json_t *sm = json_object_get(body, "_server_messages"), *list, *out;
	size_t i;
	json_t *v;

	if (!json_is_string(sm))
		return NULL;
	list = jsonin_loads(json_string_value(sm), JSON_DECODE_ANY, NULL);
	if (!json_is_array(list)) {
		json_decref(list);
		return NULL;
	}
	out = json_array();
	json_array_foreach(list, i, v) {
		json_t *m = json_is_string(v) ? jsonin_loads(json_string_value(v), JSON_DECODE_ANY, NULL)
		                              : json_incref(v);
		if (json_is_object(m))
			json_array_append(out, m);
		json_decref(m);
	}
	json_decref(list);
	return out;
}

static int raised(json_t *m)
{
	json_t *r = json_object_get(m, "raise_exception");
	const char *ind = json_string_value(json_object_get(m, "indicator"));
	return (r && !json_is_false(r) && !json_is_null(r) && !(json_is_integer(r) && !json_integer_value(r))) ||
	       (ind && strcmp(ind, "red") == 0);
}

char *erpnext_error_text(json_t *body, long status)
{
	struct text t = { .len = 0 };
	json_t *msgs = body ? server_messages(body) : NULL, *m;
	const char *exc_type = body ? json_string_value(json_object_get(body, "exc_type")) : NULL;
	const char *s;
	size_t i, nraised = 0;

	t.buf[0] = '\0';
	json_array_foreach(msgs, i, m)
		nraised += raised(m) && json_is_string(json_object_get(m, "message"));
	json_array_foreach(msgs, i, m) {
		/* the messages that raised say why; alerts beside them do not.
		 * Without any that raised, the last one speaks (reference §2). */
		const char *text = json_string_value(json_object_get(m, "message"));
		if (!text || (nraised ? !raised(m) : i + 1 != json_array_size(msgs)))
			continue;
		if (t.len)
			text_add(&t, "; ", 2);
		text_add_plain(&t, text);
	}
	json_decref(msgs);
	if (!t.len && body && (s = json_string_value(json_object_get(body, "_error_message"))))
		text_add_plain(&t, s);
	if (!t.len && body && (s = json_string_value(json_object_get(body, "exception")))) {
		/* "frappe.exceptions.ValidationError: why" -> "why"; a bare class name stays */
		const char *colon = strstr(s, ": ");
		if (colon && colon[2])
			text_add_plain(&t, colon + 2);
		else if (!exc_type)
			text_add_plain(&t, strrchr(s, '.') ? strrchr(s, '.') + 1 : s);
	}
	if (t.len && exc_type) {
		char tail[160];
		snprintf(tail, sizeof(tail), " (%s)", exc_type);
		text_add(&t, tail, strlen(tail));
	} else if (!t.len && exc_type) {
		char tail[160];
		snprintf(tail, sizeof(tail), "%s, HTTP %ld", exc_type, status);
		text_add(&t, tail, strlen(tail));
	} else if (!t.len) {
		char tail[40];
		snprintf(tail, sizeof(tail), "HTTP %ld", status);
		text_add(&t, tail, strlen(tail));
	}
	return strdup(t.buf);
}

/* A non-2xx final answer as RECON_ERR_REMOTE with a message. Credentials
 * are never shown: the message names the setting to check instead. */
recon_err erpnext_refused(const char *method, const char *url, const struct http_response *r)
{
	char shown[1024];
	char *why = erpnext_error_text(r->json, r->status);
	http_url_for_log(url, shown, sizeof(shown));
	if (r->status == 401 || r->status == 403)
		msg_error("ERPNext refused the API key for %s '%s' (HTTP %ld: %s): check [erpnext] api_key "
		          "and api_secret and the user's roles", method, shown, r->status, why ? why : "");
	else
		msg_error("erpnext: %s '%s' answered HTTP %ld: %s%s%s%s", method, shown, r->status,
		          why ? why : "", r->request_id[0] ? " (request id " : "", r->request_id,
		          r->request_id[0] ? ")" : "");
	free(why);
	return RECON_ERR_REMOTE;
}
