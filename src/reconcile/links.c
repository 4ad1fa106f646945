#include <stdio.h>
#include <string.h>

#include "recon/links.h"
#include "recon/msg.h"
#include "recon/payout_types.h"
#include "recon/sqlparams.h"

/* Parameters: :sid, :by_id, :by_number (links_order_key). */
/* link_order_so, in the schema "@" names (so_links_in: temp, or the
 * table shared with the control totals' job, links_share.h). */
static const char so_links_sql[] =
	"DROP TABLE IF EXISTS @.link_order_so;"
	/* Orders <-> Sales Orders by the configured field; po_no = order name when the id field is empty.
	 * Keyed by the whole row, in the order of the orders: a duplicate (one
	 * Sales Order reached by two fields) is one row, as a UNION made it, and
	 * a reader by order (one_so, the order rules, the control totals) needs
	 * no index of its own. The Sales Order's total and currency ride along:
	 * one_so (rules.c) would otherwise look every Sales Order up again by
	 * name. */
	"CREATE TABLE @.link_order_so (order_id INTEGER NOT NULL, so_name TEXT NOT NULL, docstatus INTEGER NOT NULL, "
	"so_total INTEGER NOT NULL, so_currency TEXT NOT NULL, "
	"PRIMARY KEY (order_id, so_name, docstatus, so_total, so_currency)) WITHOUT ROWID;"
	/* By id, from the Sales Orders: each one's order is a lookup in the
	 * orders' id index, both ways cast as link_cn does (CROSS JOIN keeps the
	 * Sales Order outside; the other way round every order looked its Sales
	 * Order up and then read its row at random). By number and by po_no
	 * from the orders, as ever; with the id field configured, po_no only
	 * for the Sales Orders without an id, found by that index (+: not by
	 * walking every Sales Order that has a po_no). */
	"INSERT OR IGNORE INTO @.link_order_so "
	"SELECT o.id, so.name, so.docstatus, so.grand_total, so.currency FROM e_sales_order so "
	"CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = CAST(so.shopify_order_id AS INTEGER) "
	"AND CAST(o.id AS TEXT) = so.shopify_order_id "
	"WHERE so.snapshot_id = :sid AND :by_id AND so.shopify_order_id IS NOT NULL "
	"UNION ALL "
	"SELECT o.id, so.name, so.docstatus, so.grand_total, so.currency FROM s_order o "
	"CROSS JOIN e_sales_order so ON so.snapshot_id = :sid AND so.shopify_order_number = o.name "
	"WHERE o.snapshot_id = :sid AND :by_number "
	"UNION ALL "
	"SELECT o.id, so.name, so.docstatus, so.grand_total, so.currency FROM e_sales_order so "
	"CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.name = so.po_no "
	"WHERE so.snapshot_id = :sid AND :by_id AND so.shopify_order_id IS NULL AND +so.po_no IS NOT NULL "
	"UNION ALL "
	"SELECT o.id, so.name, so.docstatus, so.grand_total, so.currency FROM s_order o "
	"CROSS JOIN e_sales_order so ON so.snapshot_id = :sid AND so.po_no = o.name "
	"WHERE o.snapshot_id = :sid AND NOT :by_id;"
	"CREATE INDEX @.link_order_so_n ON link_order_so(so_name);";

static const char links_sql[] =
	"DROP TABLE IF EXISTS temp.link_order_dn;"
	"DROP TABLE IF EXISTS temp.link_refund_cn; DROP TABLE IF EXISTS temp.link_payout_je;"
	/* Credit notes per order, then refunds paired with them: equal amounts first, the rest in date order.
	 * By order id or (no id) by po_no: two exclusive cases, each an index lookup (an OR in
	 * one join condition scans every order for each credit note). */
	"CREATE TEMP TABLE link_cn AS SELECT o.id AS order_id, si.name, abs(si.grand_total) AS amount, si.currency, "
	"si.posting_date, 0 AS used FROM e_sales_invoice si CROSS JOIN s_order o ON o.snapshot_id = :sid "
	"AND o.id = CAST(si.shopify_order_id AS INTEGER) AND CAST(o.id AS TEXT) = si.shopify_order_id "
	"WHERE si.snapshot_id = :sid AND si.is_return AND si.docstatus = 1 AND si.shopify_order_id IS NOT NULL "
	"UNION ALL SELECT o.id, si.name, abs(si.grand_total), si.currency, si.posting_date, 0 "
	"FROM e_sales_invoice si CROSS JOIN s_order o ON o.snapshot_id = :sid AND si.po_no = o.name "
	"WHERE si.snapshot_id = :sid AND si.is_return AND si.docstatus = 1 AND si.shopify_order_id IS NULL;"
	"CREATE TEMP TABLE link_refund_cn AS SELECT r.order_id, r.id AS refund_id, r.amount, r.currency, r.created_at, "
	"r.created_local_date AS local_date, r.in_period, NULL AS cn_name, NULL AS cn_amount, NULL AS cn_currency, "
	/* what the buyer was paid back, in their currency: shown, never compared */
	"r.presentment_amount AS pres_amount, r.presentment_currency AS pres_currency, "
	/* A refund whose shop amount cannot be told (amount NULL) is kept, with
	 * the reason: it may still take a credit note, in date order below. */
	"r.amount_problem AS problem "
	"FROM s_refund r WHERE {s_refund r} AND (r.amount IS NULL OR r.amount <> 0);"
	/* The pairing below looks refunds and credit notes up per order (and amount)
	 * and credit notes by name, once per refund: without these, each lookup is a
	 * scan and the pairing quadratic in the month's refunds. */
	"CREATE INDEX temp.link_cn_n ON link_cn(name);"
	"CREATE INDEX temp.link_refund_cn_oa ON link_refund_cn(order_id, amount);"
	/* The k-th refund of an order and amount takes the k-th credit note of
	 * that order and amount (ranked once, indexed: a ranking subquery inside
	 * the UPDATE would be searched through an automatic index). */
	/* Declared types: a column made by CREATE ... AS from abs() or
	 * row_number() has no affinity, and its index then serves no lookup by
	 * an integer. */
	"CREATE TEMP TABLE link_cn_same (name TEXT, order_id INTEGER, amount INTEGER, k INTEGER);"
	"INSERT INTO link_cn_same SELECT name, order_id, amount, row_number() OVER "
	"(PARTITION BY order_id, amount ORDER BY posting_date, name) FROM link_cn;"
	"CREATE INDEX temp.link_cn_same_oak ON link_cn_same(order_id, amount, k);"
	"UPDATE link_refund_cn AS rf SET cn_name = (SELECT c.name FROM link_cn_same c "
	"WHERE c.order_id = rf.order_id AND c.amount = rf.amount "
	"AND c.k = (SELECT count(*) FROM link_refund_cn r2 WHERE r2.order_id = rf.order_id AND r2.amount = rf.amount "
	"AND (r2.created_at < rf.created_at OR (r2.created_at = rf.created_at AND r2.refund_id <= rf.refund_id))));"
	"UPDATE link_cn SET used = 1 WHERE name IN (SELECT cn_name FROM link_refund_cn WHERE cn_name IS NOT NULL);"
	/* The rest pair in date order. Ranks are fixed first: an UPDATE that
	 * counted unmatched refunds while filling them in would give two refunds
	 * the same credit note. */
	"CREATE TEMP TABLE link_rf_rank AS SELECT refund_id, order_id, row_number() OVER (PARTITION BY order_id "
	"ORDER BY created_at, refund_id) AS k FROM link_refund_cn WHERE cn_name IS NULL;"
	"CREATE TEMP TABLE link_cn_rank AS SELECT name, order_id, row_number() OVER (PARTITION BY order_id "
	"ORDER BY posting_date, name) AS k FROM link_cn WHERE NOT used;"
	"CREATE INDEX temp.link_rf_rank_r ON link_rf_rank(refund_id);"
	"CREATE INDEX temp.link_cn_rank_ok ON link_cn_rank(order_id, k);"
	"UPDATE link_refund_cn AS rf SET cn_name = (SELECT c.name FROM link_rf_rank r JOIN link_cn_rank c "
	"ON c.order_id = r.order_id AND c.k = r.k WHERE r.refund_id = rf.refund_id) WHERE cn_name IS NULL;"
	"UPDATE link_refund_cn AS rf SET cn_amount = (SELECT amount FROM link_cn c WHERE c.name = rf.cn_name), "
	"cn_currency = (SELECT currency FROM link_cn c WHERE c.name = rf.cn_name) WHERE cn_name IS NOT NULL;"
	"DROP TABLE temp.link_cn; DROP TABLE temp.link_cn_same; DROP TABLE temp.link_rf_rank; DROP TABLE temp.link_cn_rank;"
	/* Every live Journal Entry that names a payout. */
	"CREATE TEMP TABLE link_payout_je AS SELECT cheque_no, name AS je_name, docstatus FROM e_journal_entry "
	"WHERE snapshot_id = :sid AND docstatus < 2 AND cheque_no IS NOT NULL;"
	"CREATE INDEX temp.link_payout_je_c ON link_payout_je(cheque_no, je_name);";

/* Submitted, non-return Delivery Notes per order: through the order id or
 * the Sales Order. Keyed by (order, note), in the order of the orders, as
 * the UNION that built it sorted them; a reader by order needs no index.
 * First the notes that name their order (one pass over the notes); then
 * the (Sales Order, note) pairs of the items' covering index, whose order
 * comes from link_order_so_n (covering: the key rides in it): a pair the
 * first part already holds (all of them, as a rule) is not looked up
 * again, and only the others' notes are read (CROSS JOIN fixes that
 * order). Rules and fulfil only: the control totals do not read it. */
static const char dn_links_sql[] =
	"CREATE TEMP TABLE link_order_dn (order_id INTEGER NOT NULL, dn_name TEXT NOT NULL, "
	"PRIMARY KEY (order_id, dn_name)) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO link_order_dn SELECT o.id, dn.name FROM e_delivery_note dn "
	"CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = CAST(dn.shopify_order_id AS INTEGER) "
	"AND CAST(o.id AS TEXT) = dn.shopify_order_id "
	"WHERE dn.snapshot_id = :sid AND dn.docstatus = 1 AND NOT dn.is_return;"
	"INSERT OR IGNORE INTO link_order_dn SELECT c.order_id, c.dn_name FROM (SELECT l.order_id, i.parent AS dn_name "
	"FROM (SELECT DISTINCT against_sales_order AS so_name, parent FROM e_delivery_note_item "
	"WHERE snapshot_id = :sid AND against_sales_order IS NOT NULL) i "
	"CROSS JOIN link_order_so l ON l.so_name = i.so_name "
	"WHERE NOT EXISTS (SELECT 1 FROM link_order_dn d WHERE d.order_id = l.order_id AND d.dn_name = i.parent)) c "
	"CROSS JOIN e_delivery_note dn ON dn.snapshot_id = :sid AND dn.name = c.dn_name AND dn.docstatus = 1 "
	"AND NOT dn.is_return;";

/* Item identity (DESIGN §6). Each try is an SQL expression of a Shopify
 * (variant_id, sku) pair, here X.variant_id and X.sku, giving an Item code
 * or NULL; [match] item_match lists them in the order they are tried. A
 * mapping to an Item the snapshot does not have is stale (the Item was
 * deleted or renamed) and maps nothing. */
static const char try_ecommerce_item[] =
	/* ecommerce_integrations' own order: the variant, then the SKU. */
	"(SELECT e.erpnext_item_code FROM e_ecommerce_item e JOIN e_item i ON i.snapshot_id = :sid "
	"AND i.item_code = e.erpnext_item_code WHERE e.snapshot_id = :sid AND X.variant_id IS NOT NULL "
	"AND e.variant_id = CAST(X.variant_id AS TEXT) AND coalesce(lower(e.integration), 'shopify') = 'shopify' "
	"ORDER BY e.name LIMIT 1), "
	"(SELECT e.erpnext_item_code FROM e_ecommerce_item e JOIN e_item i ON i.snapshot_id = :sid "
	"AND i.item_code = e.erpnext_item_code WHERE e.snapshot_id = :sid AND coalesce(X.sku, '') <> '' "
	"AND e.sku = X.sku AND coalesce(lower(e.integration), 'shopify') = 'shopify' ORDER BY e.name LIMIT 1)";
static const char try_item_code[] =
	"(SELECT i.item_code FROM e_item i WHERE i.snapshot_id = :sid AND coalesce(X.sku, '') <> '' "
	"AND i.item_code = X.sku)";

/* The item tables: link_line_key (the Item of each (variant_id, sku)
 * pair of the order lines, NULL when none), link_variant_item (each
 * Shopify variant's), link_item_sku (the SKU an Item is sold under, for
 * keys: the same finding has the same key whether the site names Items by
 * SKU or by variant id) and link_uncompared (Items the line comparison
 * leaves out). `tries` is the coalesce() list of item_match. */
static const char items_sql[] =
	"DROP TABLE IF EXISTS temp.link_variant_item;"
	"DROP TABLE IF EXISTS temp.link_item_sku; DROP TABLE IF EXISTS temp.link_line_key;"
	/* The tries depend on the line's (variant_id, sku) alone: a month's
	 * lines carry a few thousand distinct pairs for some hundred thousand
	 * lines, so each pair is tried once, and a line's Item is its pair's
	 * (joined with IS: either may be NULL). No table of every line with
	 * its Item: the line comparison (line_cmp.c), fix and fulfil join the
	 * lines they read to this one. */
	"CREATE TEMP TABLE link_line_key AS SELECT X.variant_id, X.sku, coalesce(TRIES) AS item_code "
	"FROM (SELECT DISTINCT variant_id, sku FROM s_order_line WHERE snapshot_id = :sid) X;"
	/* With the Item in the index: a line's lookup is one B-tree search, not
	 * two (the line comparison makes one per order line: at 100k orders
	 * 210k lookups, 0.23 -> 0.10 s). */
	"CREATE INDEX temp.link_line_key_v ON link_line_key(variant_id, sku, item_code);"
	"CREATE TEMP TABLE link_variant_item AS SELECT X.variant_id, X.sku, coalesce(TRIES) AS item_code "
	"FROM (SELECT id AS variant_id, sku FROM s_variant WHERE snapshot_id = :sid) X;"
	"CREATE INDEX temp.link_variant_item_v ON link_variant_item(variant_id);"
	"CREATE TEMP TABLE link_item_sku (item_code TEXT PRIMARY KEY, sku TEXT NOT NULL) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO link_item_sku SELECT item_code, min(sku) FROM link_variant_item "
	"WHERE item_code IS NOT NULL AND coalesce(sku, '') <> '' GROUP BY item_code;"
	"INSERT OR IGNORE INTO link_item_sku SELECT erpnext_item_code, min(sku) FROM e_ecommerce_item "
	"WHERE snapshot_id = :sid AND coalesce(sku, '') <> '' GROUP BY erpnext_item_code;"
	/* Non-stock Items (a shipping item, a fee) are not what a line
	 * comparison is about; an Item whose flag is absent counts as stock. */
	"INSERT INTO link_uncompared SELECT item_code FROM e_item WHERE snapshot_id = :sid "
	"AND is_stock_item = 0 AND item_code NOT IN (SELECT item_code FROM link_uncompared);";

/* The tries of [match] item_match, as SQL (fixed fragments, never user
 * text). New string (sqlite3_free), NULL after an error said. */
static char *item_tries(const struct config *cfg, recon_err *err)
{
	const char *v = config_get_or(cfg, "match", "item_match", LINKS_ITEM_MATCH_DEFAULT);
	sqlite3_str *b = sqlite3_str_new(NULL);
	int n = 0;
	*err = RECON_OK;
	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ",");
		const char *w = p, *e = p + len;
		while (w < e && (*w == ' ' || *w == '\t'))
			w++;
		while (e > w && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - w) == strlen("ecommerce_item") && !strncmp(w, "ecommerce_item", e - w)) {
			sqlite3_str_appendf(b, "%s%s", n++ ? ", " : "", try_ecommerce_item);
		} else if ((size_t)(e - w) == strlen("item_code") && !strncmp(w, "item_code", e - w)) {
			sqlite3_str_appendf(b, "%s%s", n++ ? ", " : "", try_item_code);
		} else if (e > w) {
			msg_error("'%s', line %d: [match] item_match '%s': expected a list of ecommerce_item and "
			          "item_code", config_path(cfg), config_line(cfg, "match", "item_match"), v);
			*err = RECON_ERR_CONFIG;
			break;
		}
		p += len + (p[len] == ',');
	}
	if (!*err && n == 0) {
		msg_error("'%s', line %d: [match] item_match is empty: expected a list of ecommerce_item and "
		          "item_code", config_path(cfg), config_line(cfg, "match", "item_match"));
		*err = RECON_ERR_CONFIG;
	}
	/* coalesce() wants two arguments at least */
	if (n == 1)
		sqlite3_str_appendall(b, ", NULL");
	char *out = sqlite3_str_finish(b);
	if (*err) {
		sqlite3_free(out);
		return NULL;
	}
	if (!out) {
		msg_error("links: out of memory");
		*err = RECON_ERR_NOMEM;
	}
	return out;
}

/* sql with every `what` replaced by `with` (fixed fragments, never user
 * text). New string (sqlite3_free), NULL when out of memory. */
static char *sql_with(const char *sql, const char *what, const char *with)
{
	sqlite3_str *b = sqlite3_str_new(NULL);
	for (const char *p = sql, *at; *p; p = at + strlen(what)) {
		if (!(at = strstr(p, what))) {
			sqlite3_str_appendall(b, p);
			break;
		}
		sqlite3_str_append(b, p, (int)(at - p));
		sqlite3_str_appendall(b, with);
	}
	return sqlite3_str_finish(b);
}

/* The items_sql with its tries in place. */
static char *items_sql_for(const char *tries)
{
	return sql_with(items_sql, "TRIES", tries);
}

/* [match] ignore_items: Item codes, comma-separated, that no line
 * comparison looks at (the shipping item of ecommerce_integrations'
 * add_shipping_as_item, when it is a stock item). */
static recon_err build_uncompared(struct store *s, const struct config *cfg)
{
	const char *v = config_get_or(cfg, "match", "ignore_items", "");
	sqlite3_stmt *ins;
	recon_err err = store_exec(s, "DROP TABLE IF EXISTS temp.link_uncompared; CREATE TEMP TABLE link_uncompared "
	                              "(item_code TEXT PRIMARY KEY) WITHOUT ROWID");
	if (err || (err = store_prepare(s, "INSERT OR IGNORE INTO temp.link_uncompared VALUES (?)", &ins)))
		return err;
	for (const char *p = v; *p && !err;) {
		size_t len = strcspn(p, ",");
		const char *w = p, *e = p + len;
		while (w < e && (*w == ' ' || *w == '\t'))
			w++;
		while (e > w && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > w) {
			sqlite3_reset(ins);
			if (sqlite3_bind_text(ins, 1, w, (int)(e - w), SQLITE_TRANSIENT) != SQLITE_OK ||
			    sqlite3_step(ins) != SQLITE_DONE)
				err = store_fail(s, "cannot record [match] ignore_items");
		}
		p += len + (p[len] == ',');
	}
	sqlite3_finalize(ins);
	return err;
}

recon_err links_order_key(const struct config *cfg, enum links_order_key *out)
{
	const char *field = config_get_or(cfg, "match", "order_field", "shopify_order_id");
	if (!strcmp(field, "shopify_order_id")) {
		*out = LINKS_BY_ID;
	} else if (!strcmp(field, "shopify_order_number")) {
		*out = LINKS_BY_NUMBER;
	} else if (!strcmp(field, "po_no")) {
		*out = LINKS_BY_PO;
	} else {
		msg_error("'%s', line %d: [match] order_field '%s': expected shopify_order_id, "
		          "shopify_order_number or po_no", config_path(cfg),
		          config_line(cfg, "match", "order_field"), field);
		return RECON_ERR_CONFIG;
	}
	return RECON_OK;
}

/* [locations]: each key is a Shopify location name or id, each value a warehouse. */
static recon_err build_locations(struct store *s, const struct config *cfg, int64_t sid)
{
	sqlite3_stmt *ins, *find;
	size_t n = config_section_size(cfg, "locations");
	recon_err err = store_exec(s, "DROP TABLE IF EXISTS temp.link_location; CREATE TEMP TABLE link_location "
	                              "(location_id INTEGER, location_name TEXT, warehouse TEXT)");
	if (err)
		return err;
	if ((err = store_prepare(s, "INSERT INTO temp.link_location VALUES (?,?,?)", &ins)))
		return err;
	if ((err = store_prepare(s, "SELECT id, name FROM s_location WHERE snapshot_id = ?1 AND "
	                            "(name = ?2 OR CAST(id AS TEXT) = ?2)", &find))) {
		sqlite3_finalize(ins);
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		const char *loc, *wh;
		int found = 0;
		config_section_entry(cfg, "locations", i, &loc, &wh);
		sqlite3_reset(find);
		sqlite3_bind_int64(find, 1, sid);
		sqlite3_bind_text(find, 2, loc, -1, SQLITE_STATIC);
		int rc;
		while ((rc = sqlite3_step(find)) == SQLITE_ROW) {
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, sqlite3_column_int64(find, 0));
			/* STATIC: the row of `find` stays put until ins has run, and a
			 * bind that copies nothing cannot fail for want of memory. */
			sqlite3_bind_text(ins, 2, (const char *)sqlite3_column_text(find, 1), -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, wh, -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				err = store_fail(s, "cannot map location");
			found = 1;
		}
		if (rc != SQLITE_DONE && !err)
			err = store_fail(s, "cannot map locations");
		if (!found)
			msg_warn("'%s', line %d: [locations] '%s' is not a Shopify location in this snapshot",
			         config_path(cfg), config_line(cfg, "locations", loc), loc);
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(find);
	return err;
}

/* link_txn_account: the account of each (type, adjustment_reason) the
 * snapshot's balance transactions carry, by payout_types.h, so the rules
 * see exactly what journal books; account NULL when nothing maps it.
 * link_bank_currency: [accounts] bank_<CUR>, the bank account of payouts in
 * a currency other than the company's. */
static recon_err build_payout_accounts(struct store *s, const struct config *cfg, int64_t sid)
{
	sqlite3_stmt *ins = NULL, *find = NULL;
	int rc;
	recon_err err = store_exec(s,
		"DROP TABLE IF EXISTS temp.link_txn_account; DROP TABLE IF EXISTS temp.link_bank_currency;"
		"CREATE TEMP TABLE link_txn_account (type TEXT NOT NULL, reason TEXT NOT NULL, acct_key TEXT, "
		"account TEXT, PRIMARY KEY (type, reason)) WITHOUT ROWID;"
		"CREATE TEMP TABLE link_bank_currency (currency TEXT PRIMARY KEY, account TEXT NOT NULL) WITHOUT ROWID");
	if (err)
		return err;
	struct sqlparams p = { 0 };
	sqlparams_int(&p, ":sid", sid);
	/* the snapshot's rows in their range: adjustment_reason is not in the
	 * index, and reading every row through it took six times as long at
	 * 1M orders (1.04 s against 0.17 s); on both of the close's connections */
	if ((err = store_prepare(s, "INSERT INTO temp.link_txn_account VALUES (?,?,?,?)", &ins)) ||
	    (err = sqlparams_prepare(s, "SELECT DISTINCT type, coalesce(adjustment_reason, '') FROM s_balance_txn "
	                                "WHERE {s_balance_txn} AND type <> 'payout'", &p, &find)))
		goto out;
	while (!err && (rc = sqlite3_step(find)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(find, 0);
		const char *reason = (const char *)sqlite3_column_text(find, 1);
		const char *key = payout_type_key(cfg, type, reason);
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, payout_type_account(cfg, key), -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			err = store_fail(s, "cannot map balance-transaction types");
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, "cannot map balance-transaction types");
	sqlite3_finalize(ins);
	ins = NULL;
	if (!err && !(err = store_prepare(s, "INSERT OR REPLACE INTO temp.link_bank_currency VALUES (?,?)", &ins)))
		for (size_t i = 0; !err && i < config_section_size(cfg, "accounts"); i++) {
			const char *k, *v;
			config_section_entry(cfg, "accounts", i, &k, &v);
			if (strncmp(k, "bank_", 5) || !k[5])
				continue;
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, k + 5, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, v, -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				err = store_fail(s, "cannot record the bank accounts");
		}
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(find);
	return err;
}

recon_err links_round_off(struct store *s, const struct config *cfg, int64_t sid, char *account, size_t asize,
                          char *cost_center, size_t csize)
{
	sqlite3_stmt *st;
	const char *company = config_get(cfg, "erpnext", "company");
	recon_err err = store_prepare(s, "SELECT round_off_account, coalesce(round_off_cost_center, cost_center) "
	                                 "FROM e_company WHERE snapshot_id = ?1 AND (name = ?2 OR (?2 IS NULL AND "
	                                 "(SELECT count(*) FROM e_company c WHERE c.snapshot_id = ?1) = 1))", &st);
	account[0] = cost_center[0] = '\0';
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_text(st, 2, company, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(account, asize, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
		snprintf(cost_center, csize, "%s",
		         sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
	}
	return store_finish(s, st);
}

recon_err links_rate(struct store *s, int64_t sid, const char *from, const char *to, const char *date,
                     int64_t *rate, char *name, size_t nsize)
{
	sqlite3_stmt *st;
	/* As ERPNext's get_exchange_rate for a Journal Entry: neither the buying
	 * nor the selling flag is asked for. */
	recon_err err = store_prepare(s, "SELECT rate_nano, name FROM e_currency_exchange WHERE snapshot_id = ? "
	                                 "AND from_currency = ? AND to_currency = ? AND date <= ? "
	                                 "ORDER BY date DESC, name DESC LIMIT 1", &st);
	*rate = 0;
	name[0] = '\0';
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, date, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*rate = sqlite3_column_int64(st, 0);
		snprintf(name, nsize, "%s", sqlite3_column_text(st, 1));
	}
	return store_finish(s, st);
}

/* link_order_si: each order's Sales Invoices (not credit notes), by the
 * order id field or (no id) po_no, as link_cn finds credit notes; with
 * what the invoice rules compare. Parameters: :sid. */
static const char invoice_links_sql[] =
	"DROP TABLE IF EXISTS @.link_order_si;"
	"CREATE TABLE @.link_order_si AS SELECT o.id AS order_id, si.name AS si_name, si.docstatus, "
	"si.grand_total, si.currency, si.outstanding_amount, si.posting_date FROM e_sales_invoice si "
	"CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = CAST(si.shopify_order_id AS INTEGER) "
	"AND CAST(o.id AS TEXT) = si.shopify_order_id "
	"WHERE si.snapshot_id = :sid AND NOT si.is_return AND si.shopify_order_id IS NOT NULL "
	"UNION ALL SELECT o.id, si.name, si.docstatus, si.grand_total, si.currency, si.outstanding_amount, "
	"si.posting_date FROM e_sales_invoice si CROSS JOIN s_order o ON o.snapshot_id = :sid AND si.po_no = o.name "
	"WHERE si.snapshot_id = :sid AND NOT si.is_return AND si.shopify_order_id IS NULL;";
/* No index by name: every reader comes by order (one was built, and read
 * by nothing, on both of the close's connections). */
static const char invoice_links_index_sql[] =
	"CREATE INDEX @.link_order_si_o ON link_order_si(order_id, docstatus);";

/* The parameters links_sql and invoice_links_sql take (their comment). */
static void order_params(struct sqlparams *p, int64_t sid, enum links_order_key key)
{
	sqlparams_int(p, ":sid", sid);
	sqlparams_int(p, ":by_id", key == LINKS_BY_ID);
	sqlparams_int(p, ":by_number", key == LINKS_BY_NUMBER);
}

/* What the tables were built from: the snapshot and every setting they
 * depend on. New string (sqlite3_free), NULL when out of memory. */
static char *fingerprint(const struct config *cfg, int64_t sid, enum links_order_key key)
{
	sqlite3_str *b = sqlite3_str_new(NULL);
	size_t n = config_section_size(cfg, "locations");
	sqlite3_str_appendf(b, "snapshot %lld, order key %d, items %Q, ignored %Q", (long long)sid, (int)key,
	                    config_get_or(cfg, "match", "item_match", ""), config_get_or(cfg, "match", "ignore_items", ""));
	for (size_t i = 0; i < n; i++) {
		const char *loc, *wh;
		config_section_entry(cfg, "locations", i, &loc, &wh);
		sqlite3_str_appendf(b, "\n%Q = %Q", loc, wh);
	}
	static const char *const more[] = { "accounts", "payout_types", "taxes", NULL };
	for (int k = 0; more[k]; k++)
		for (size_t i = 0; i < config_section_size(cfg, more[k]); i++) {
			const char *name, *val;
			config_section_entry(cfg, more[k], i, &name, &val);
			sqlite3_str_appendf(b, "\n[%s] %Q = %Q", more[k], name, val);
		}
	return sqlite3_str_finish(b);
}

/* 1 when the tables were built from `fp`. A connection that never built
 * them has no link_key table: the prepare fails, and that is a no. */
static int built_from(struct store *s, const char *fp, int light)
{
	sqlite3_stmt *st;
	int same = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT fp, light FROM temp.link_key", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		same = !strcmp((const char *)sqlite3_column_text(st, 0), fp) && (light || !sqlite3_column_int(st, 1));
	sqlite3_finalize(st);
	return same;
}

static recon_err build_items(struct store *s, const struct config *cfg, struct sqlparams *p,
                             const struct sqlplan *plan)
{
	recon_err err;
	char *tries = item_tries(cfg, &err), *sql;
	if (!tries)
		return err;
	sql = items_sql_for(tries);
	sqlite3_free(tries);
	if (!sql) {
		msg_error("links: out of memory");
		return RECON_ERR_NOMEM;
	}
	err = sqlparams_exec(s, sql, p, "links", plan);
	sqlite3_free(sql);
	return err;
}

recon_err links_exec_in(struct store *s, const char *sql, const char *schema, const struct sqlparams *p,
                        const struct sqlplan *plan)
{
	char *dot = sqlite3_mprintf("%s.", schema), *q = dot ? sql_with(sql, "@.", dot) : NULL;
	recon_err err;
	sqlite3_free(dot);
	if (!q) {
		msg_error("links: out of memory");
		return RECON_ERR_NOMEM;
	}
	err = sqlparams_exec(s, q, p, "links", plan);
	sqlite3_free(q);
	return err;
}

/* 1 when this connection sees link tables another built for it, of
 * snapshot sid by this order key (links_share.h): schema "lk". A
 * connection without it fails the prepare, and that is a no. */
static int shared_for(struct store *s, int64_t sid, enum links_order_key key)
{
	sqlite3_stmt *st;
	int same = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM lk.link_share WHERE sid = ? AND order_key = ?", -1, &st, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int(st, 2, (int)key);
	same = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return same;
}

/* link_order_so and link_order_si with its index: this connection's own,
 * or, when another built them for it, none of its own (the unqualified
 * names then find the shared ones; a build of another snapshot before may
 * have left temp ones that would hide them). */
static recon_err order_links(struct store *s, int64_t sid, enum links_order_key key, const struct sqlparams *p,
                             const struct sqlplan *plan)
{
	recon_err err;
	if (shared_for(s, sid, key))
		return store_exec(s, "DROP TABLE IF EXISTS temp.link_order_so; DROP TABLE IF EXISTS temp.link_order_si");
	if ((err = links_exec_in(s, so_links_sql, "temp", p, plan)) || (err = links_exec_in(s, invoice_links_sql, "temp", p, plan)))
		return err;
	return links_exec_in(s, invoice_links_index_sql, "temp", p, plan);
}

recon_err links_share_build_in(struct store *s, const struct config *cfg, int64_t sid)
{
	struct sqlparams p = { 0 };
	enum links_order_key key;
	recon_err err;
	char *rec;

	if ((err = links_order_key(cfg, &key)))
		return err;
	order_params(&p, sid, key);
	if (!(rec = sqlite3_mprintf("CREATE TABLE lk.link_share (sid INTEGER NOT NULL, order_key INTEGER NOT NULL);"
	                            "INSERT INTO lk.link_share VALUES (%lld, %d)", (long long)sid, (int)key))) {
		msg_error("links: out of memory");
		return RECON_ERR_NOMEM;
	}
	if (!(err = store_exec(s, "DROP TABLE IF EXISTS lk.link_share")) &&
	    !(err = links_exec_in(s, so_links_sql, "lk", &p, NULL)) &&
	    !(err = links_exec_in(s, invoice_links_sql, "lk", &p, NULL)) &&
	    !(err = links_exec_in(s, invoice_links_index_sql, "lk", &p, NULL)))
		err = store_exec(s, rec);
	sqlite3_free(rec);
	return err;
}

/* light: only the tables the control totals and the report read (not the
 * line items', variants' and delivery notes': a third of the build at
 * 100k orders). A light build is recorded as such, so a later full build
 * of the same snapshot does not take it for its own; a light one takes
 * either. */
static recon_err build(struct store *s, const struct config *cfg, int64_t sid, const struct sqlplan *plan,
                       int light)
{
	struct sqlparams p = { 0 };
	enum links_order_key key;
	sqlite3_stmt *st;
	char *fp = NULL;
	recon_err err;

	if ((err = links_order_key(cfg, &key)))
		return err;
	if (!(fp = fingerprint(cfg, sid, key))) {
		msg_error("links: out of memory");
		return RECON_ERR_NOMEM;
	}
	if (!plan && built_from(s, fp, light)) {
		sqlite3_free(fp);
		return RECON_OK;
	}
	/* The record is dropped first and written last: a build that fails
	 * half way leaves none, and the next call starts again. */
	order_params(&p, sid, key);
	/* one_so (rules.c) is made from link_order_so: it goes with it, so that
	 * a reader that finds one_so (the report's sample) knows it is of these
	 * tables. */
	if (!(err = store_exec(s, "DROP TABLE IF EXISTS temp.link_key; DROP TABLE IF EXISTS temp.one_so")) &&
	    !(err = build_locations(s, cfg, sid)) &&
	    !(err = build_payout_accounts(s, cfg, sid)) &&
	    !(err = order_links(s, sid, key, &p, plan)) &&
	    !(err = sqlparams_exec(s, links_sql, &p, "links", plan)) &&
	    !(err = (light ? RECON_OK : sqlparams_exec(s, dn_links_sql, &p, "links", plan))) &&
	    !(err = build_uncompared(s, cfg)) &&
	    !(err = (light ? store_exec(s, "DROP TABLE IF EXISTS temp.link_line_key; "
	                                  "DROP TABLE IF EXISTS temp.link_variant_item; "
	                                  "DROP TABLE IF EXISTS temp.link_item_sku;")
	                   : build_items(s, cfg, &p, plan))) &&
	    !(err = store_exec(s, "CREATE TEMP TABLE link_key (fp TEXT NOT NULL, light INTEGER NOT NULL)")) &&
	    !(err = store_prepare(s, "INSERT INTO temp.link_key VALUES (?, ?)", &st))) {
		sqlite3_bind_text(st, 1, fp, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, light);
		if (sqlite3_step(st) != SQLITE_DONE)
			err = store_fail(s, "cannot record the links");
		sqlite3_finalize(st);
	}
	sqlite3_free(fp);
	return err;
}

recon_err links_build(struct store *s, const struct config *cfg, int64_t sid)
{
	return build(s, cfg, sid, NULL, 0);
}

recon_err links_build_light(struct store *s, const struct config *cfg, int64_t sid)
{
	return build(s, cfg, sid, NULL, 1);
}

recon_err links_explain(struct store *s, const struct config *cfg, int64_t sid,
                        void (*fn)(void *arg, const char *label, const char *detail), void *arg)
{
	struct sqlplan plan = { fn, arg, "links" };
	recon_err err = store_tx_begin(s);
	if (err)
		return err;
	err = build(s, cfg, sid, &plan, 0);
	store_tx_rollback(s);
	return err;
}

/* The control totals' job (totals_job.c) on its own connection, which
 * reads no other link table: link_order_so, link_refund_cn, link_payout_je
 * and link_order_si, whose indexes it never uses. No record is written (and
 * any is dropped), so links_build on that connection still builds them all. */
recon_err links_build_totals(struct store *s, const struct config *cfg, int64_t sid, void (*wait)(void *arg),
                             void *arg)
{
	struct sqlparams p = { 0 };
	enum links_order_key key;
	recon_err err;

	if ((err = links_order_key(cfg, &key)))
		return err;
	order_params(&p, sid, key);
	if ((err = store_exec(s, "DROP TABLE IF EXISTS temp.link_key")) ||
	    (err = sqlparams_exec(s, links_sql, &p, "links", NULL)))
		return err;
	if (wait)
		wait(arg);
	if (shared_for(s, sid, key))
		return store_exec(s, "DROP TABLE IF EXISTS temp.link_order_so; DROP TABLE IF EXISTS temp.link_order_si");
	if ((err = links_exec_in(s, so_links_sql, "temp", &p, NULL)))
		return err;
	return links_exec_in(s, invoice_links_sql, "temp", &p, NULL);
}
