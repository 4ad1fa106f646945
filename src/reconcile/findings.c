/* The discrepancies of a snapshot as one document, the shape `recon diff
 * --format json` prints (DESIGN §5): the diff command renders it as JSON,
 * a table or CSV without touching the database itself. */
#include <string.h>

#include "recon/findings.h"
#include "recon/jsonin.h"
#include "recon/jsonout.h"
#include "recon/msg.h"
#include "recon/review.h"
#include "recon/rules.h"

/* Rows in report order: family, then code as listed in rule_defs, then key. */
static const char order_sql[] =
	"SELECT d.code, d.severity, d.family, d.key, d.message, d.currency, d.shopify_json, d.erpnext_json, "
	"d.first_seen, d.first_seen_at, " REVIEW_STATUS ", rv.reviewer, rv.reviewed_at, rv.note "
	"FROM discrepancy d JOIN rule_order r ON r.code = d.code " REVIEW_JOIN
	"WHERE d.snapshot_id = ? ORDER BY r.pos, d.key";

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* Stored side JSON back into the document; a row that does not parse is an
 * error, not an empty object. */
static json_t *side(struct jb *b, sqlite3_stmt *st, int i)
{
	json_t *v;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_object();
	v = jsonin_loads(col(st, i), 0, NULL);
	if (!v)
		b->failed = 1;
	return v;
}

recon_err findings_document(struct store *s, int64_t sid, json_t **out)
{
	struct jb b = { 0 };
	json_t *doc = json_object(), *counts = json_object(), *list = json_array(), *period = json_object();
	sqlite3_stmt *ps = NULL, *st = NULL;
	recon_err err;
	int rc;

	*out = NULL;
	/* doc owns the parts; the extra references let us fill them after. */
	json_incref(counts);
	json_incref(list);
	jb_set(&b, doc, "snapshot", json_integer(sid));
	jb_set(&b, doc, "period", period);
	jb_set(&b, doc, "counts", counts);
	jb_set(&b, doc, "discrepancies", list);
	if ((err = rules_order_table(s)) ||
	    (err = store_prepare(s, "SELECT period_from, period_to FROM snapshot WHERE id = ?", &ps)))
		goto out;
	sqlite3_bind_int64(ps, 1, sid);
	if (sqlite3_step(ps) == SQLITE_ROW) {
		jb_set(&b, period, "from", json_string(col(ps, 0)));
		jb_set(&b, period, "to", json_string(col(ps, 1)));
	} else {
		b.failed = 1;
	}
	if ((err = store_finish(s, ps)))
		goto out;
	for (const struct rule_def *r = rule_defs; r->code; r++)
		jb_set(&b, counts, r->code, json_integer(0));
	if ((err = store_prepare(s, order_sql, &st)))
		goto out;
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *d = json_object();
		const char *code = col(st, 0);
		json_t *c = json_object_get(counts, code);
		if (!c || json_integer_set(c, json_integer_value(c) + 1))
			b.failed = 1;
		jb_set(&b, d, "code", json_string(code));
		jb_set(&b, d, "severity", json_string(col(st, 1)));
		jb_set(&b, d, "family", json_string(col(st, 2)));
		jb_set(&b, d, "key", json_string(col(st, 3)));
		jb_set(&b, d, "message", json_string(col(st, 4)));
		jb_set(&b, d, "currency", jb_str(&b, sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : col(st, 5)));
		jb_set(&b, d, "shopify", side(&b, st, 6));
		jb_set(&b, d, "erpnext", side(&b, st, 7));
		jb_set(&b, d, "first_seen", json_integer(sqlite3_column_int64(st, 8)));
		jb_set(&b, d, "first_seen_at", json_string(col(st, 9)));
		/* the reviewer's decision (review.h): "open" with nulls when none */
		json_t *rv = json_object();
		jb_set(&b, rv, "status", json_string(col(st, 10)));
		for (int k = 11; k <= 13; k++)
			jb_set(&b, rv, k == 11 ? "reviewer" : k == 12 ? "reviewed_at" : "note",
			       jb_str(&b, sqlite3_column_type(st, k) == SQLITE_NULL ? NULL : col(st, k)));
		jb_set(&b, d, "review", rv);
		jb_append(&b, list, d);
	}
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		err = store_fail(s, "cannot read the discrepancies");
		goto out;
	}
	if ((err = store_finish(s, st)))
		goto out;
	if (b.failed) {
		msg_error("diff: out of memory while building the document");
		err = RECON_ERR_NOMEM;
		goto out;
	}
	*out = doc;
	doc = NULL;
out:
	json_decref(doc);
	json_decref(counts);
	json_decref(list);
	return err;
}
