/* The control totals' scope tables (tot_scope, tot_sol, tot_so): built on
 * the connection that reads them, or by the close's other connection into
 * the shared scratch database (links_share.h). See totals_local.h. */
#include <stdio.h>

#include "recon/links.h"
#include "recon/msg.h"
#include "recon/sqlparams.h"
#include "recon/totals.h"
#include "totals_local.h"

/* The in-scope orders, and each linked Sales Order's owner, in the schema
 * "@" names (links_exec_in): this connection's own, or built for it by the
 * close's other connection with the link tables (links_share.h). */
static const char ct_scope_sql[] =
	"DROP TABLE IF EXISTS @.tot_scope; DROP TABLE IF EXISTS @.tot_sol;"
	/* The order columns the totals sum are read here once (four joins of
	 * s_order to this table were a third of the control totals' time). */
	"CREATE TABLE @.tot_scope AS SELECT id, currency, total_price, "
	"coalesce(total_line_items_price, coalesce(subtotal_price, 0) + coalesce(total_discounts, 0)) AS gross, "
	"coalesce(total_discounts, 0) AS discounts, coalesce(total_shipping, 0) AS shipping, "
	"coalesce(total_tax, 0) AS tax, financial_status AS fin, taxes_included AS incl FROM s_order WHERE {s_order} "
	"AND in_period AND NOT test AND cancelled_at IS NULL;"
	/* with the currency: the look-ups by order that want it read the index alone */
	"CREATE INDEX @.tot_scope_i ON tot_scope(id, currency);"
	/* Each Sales Order's owner: the lowest in-scope order it is linked to;
	 * both minimums per Sales Order in one pass over the links (two
	 * lookups per Sales Order before). */
	"CREATE TABLE @.tot_sol (so_name TEXT PRIMARY KEY, linked, owner) WITHOUT ROWID;"
	"INSERT INTO @.tot_sol SELECT l.so_name, min(l.order_id), min(CASE WHEN sc.id IS NOT NULL THEN l.order_id END) "
	"FROM link_order_so l LEFT JOIN @.tot_scope sc ON sc.id = l.order_id GROUP BY l.so_name;";

/* Over those: each Sales Order of the snapshot with its owner, where they
 * are ("@"). In a first close the other connection builds it with them:
 * once the GL lines had no index by voucher, a 1M-order load's page loop
 * was 6-7 s shorter and the rules' side of the close with it, so the job
 * (this table 2.3 s of it) became the longer side (34.8 against 28.2
 * CPU-s, 6.7 s waited for). */
static const char ct_so_sql[] =
	"DROP TABLE IF EXISTS @.tot_so;"
	"CREATE TABLE @.tot_so AS SELECT so.name, so.currency, so.grand_total, so.docstatus, "
	"so.transaction_date BETWEEN :from AND :to AS in_period, "
	"coalesce(so.shopify_order_id, so.shopify_order_number) AS ref, "
	/* CAST: a column made from min() has no type affinity, and then its index
	 * cannot serve `owner = <integer>` (a scan per order: quadratic). */
	"CAST(x.owner AS INTEGER) AS owner, CAST(x.linked AS INTEGER) AS linked, "
	/* the owner's currency, looked up once here: the orders' query below
	 * asked it of every Sales Order of the period */
	"(SELECT sc.currency FROM @.tot_scope sc WHERE sc.id = x.owner) AS owner_cur "
	"FROM e_sales_order so LEFT JOIN @.tot_sol x ON x.so_name = so.name WHERE so.snapshot_id = :sid;"
	"CREATE INDEX @.tot_so_n ON tot_so(name); CREATE INDEX @.tot_so_o ON tot_so(owner);";

/* Both tables' SQL in schema (its "@"). */
static recon_err build_in(struct store *s, const char *schema, const struct sqlparams *p)
{
	recon_err err = links_exec_in(s, ct_scope_sql, schema, p, NULL);
	return err ? err : links_exec_in(s, ct_so_sql, schema, p, NULL);
}

static const char *text_or_empty(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* 1 when the close's other connection built tot_scope, tot_sol and tot_so of
 * snapshot sid for this one (totals_share_in). A connection without
 * them fails the prepare, and that is a no. */
static int scope_shared(struct store *s, int64_t sid)
{
	sqlite3_stmt *st;
	int same;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM lk.tot_share WHERE sid = ?", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_bind_int64(st, 1, sid);
	same = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return same;
}

recon_err totals_share_in(struct store *s, int64_t sid)
{
	struct sqlparams p = { 0 };
	sqlite3_stmt *st;
	char from[16] = "", to[16] = "", *rec;
	recon_err err;

	/* The period alone: the tolerance is the job's and the rules' to check
	 * (and to say wrong, once). */
	if ((err = store_prepare(s, "SELECT period_from, period_to FROM snapshot WHERE id = ?", &st)))
		return err;
	sqlite3_bind_int64(st, 1, sid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(from, sizeof(from), "%s", text_or_empty(st, 0));
		snprintf(to, sizeof(to), "%s", text_or_empty(st, 1));
	}
	if ((err = store_finish(s, st)))
		return err;
	sqlparams_int(&p, ":sid", sid);
	sqlparams_text(&p, ":from", from);
	sqlparams_text(&p, ":to", to);
	if (!(rec = sqlite3_mprintf("DROP TABLE IF EXISTS lk.tot_share; CREATE TABLE lk.tot_share (sid INTEGER NOT NULL);"
	                            "INSERT INTO lk.tot_share VALUES (%lld)", (long long)sid))) {
		msg_error("control totals: out of memory");
		return RECON_ERR_NOMEM;
	}
	if (!(err = build_in(s, "lk", &p)))
		err = store_exec(s, rec);
	sqlite3_free(rec);
	return err;
}

recon_err totals_scope_tables(struct store *s, int64_t sid, const struct sqlparams *p)
{
	if (scope_shared(s, sid))
		return store_exec(s, "DROP TABLE IF EXISTS temp.tot_scope; DROP TABLE IF EXISTS temp.tot_sol;"
		                     "DROP TABLE IF EXISTS temp.tot_so");
	return build_in(s, "temp", p);
}
