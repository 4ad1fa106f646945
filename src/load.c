#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/load.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "recon/text.h"

const struct extract_def load_extracts[] = {
	{ "shopify/shop", "shopify", "shopify/shop.json", "shop", "shop.json", "s_shop", NULL },
	{ "shopify/orders", "shopify", "shopify/orders", "orders", "orders.json?status=any", "s_order",
	  "SELECT sum(total_price) FROM s_order WHERE snapshot_id = ?1 AND in_period AND NOT test" },
	{ "shopify/payouts", "shopify", "shopify/payouts", "payouts", "shopify_payments/payouts.json",
	  "s_payout", "SELECT sum(amount) FROM s_payout WHERE snapshot_id = ?1 AND in_period" },
	{ "shopify/balance_transactions", "shopify", "shopify/balance_transactions", "transactions",
	  "shopify_payments/balance/transactions.json", "s_balance_txn",
	  "SELECT sum(net) FROM s_balance_txn WHERE snapshot_id = ?1 AND type <> 'payout'" },
	{ "shopify/locations", "shopify", "shopify/locations", "locations", "locations.json", "s_location", NULL },
	{ "shopify/inventory_levels", "shopify", "shopify/inventory_levels", "inventory_levels",
	  "inventory_levels.json", "s_inventory_level", NULL },
	{ "shopify/products", "shopify", "shopify/products", "products", "products.json", "s_variant", NULL },
	{ "erpnext/sales_order", "erpnext", "erpnext/sales_order", "data", "Sales Order", "e_sales_order",
	  "SELECT sum(grand_total) FROM e_sales_order WHERE snapshot_id = ?1 AND docstatus < 2" },
	{ "erpnext/sales_invoice", "erpnext", "erpnext/sales_invoice", "data", "Sales Invoice",
	  "e_sales_invoice", "SELECT sum(grand_total) FROM e_sales_invoice WHERE snapshot_id = ?1 AND docstatus = 1" },
	{ "erpnext/delivery_note", "erpnext", "erpnext/delivery_note", "data", "Delivery Note",
	  "e_delivery_note", NULL },
	{ "erpnext/journal_entry", "erpnext", "erpnext/journal_entry", "data", "Journal Entry",
	  "e_journal_entry", "SELECT sum(total_debit) FROM e_journal_entry WHERE snapshot_id = ?1 AND docstatus = 1" },
	{ "erpnext/gl_entry", "erpnext", "erpnext/gl_entry", "data", "GL Entry", "e_gl_entry",
	  "SELECT sum(debit) FROM e_gl_entry WHERE snapshot_id = ?1 AND NOT is_cancelled" },
	{ "erpnext/bin", "erpnext", "erpnext/bin", "data", "Bin", "e_bin",
	  "SELECT sum(stock_value) FROM e_bin WHERE snapshot_id = ?1" },
	{ "erpnext/item", "erpnext", "erpnext/item", "data", "Item", "e_item", NULL },
	{ "erpnext/customer", "erpnext", "erpnext/customer", "data", "Customer", "e_customer", NULL },
	{ "erpnext/warehouse", "erpnext", "erpnext/warehouse", "data", "Warehouse", "e_warehouse", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL }
};

enum {
	T_SHOP, T_ORDER, T_LINE, T_REFUND, T_FULFIL, T_PAYOUT, T_BTXN, T_LOCATION, T_LEVEL, T_VARIANT,
	T_SO, T_SOI, T_SI, T_SII, T_DN, T_DNI, T_JE, T_JEA, T_GL, T_BIN, T_ITEM, T_CUSTOMER,
	T_WAREHOUSE, T_EVIDENCE, T_COUNT
};

static const char *const insert_sql[T_COUNT] = {
	[T_SHOP] = "INSERT INTO s_shop VALUES (?,?,?,?,?,?,?)",
	[T_ORDER] = "INSERT INTO s_order VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[T_LINE] = "INSERT INTO s_order_line VALUES (?,?,?,?,?,?,?,?,?)",
	[T_REFUND] = "INSERT INTO s_refund VALUES (?,?,?,?,?,?,?,?)",
	[T_FULFIL] = "INSERT INTO s_fulfillment VALUES (?,?,?,?,?,?)",
	[T_PAYOUT] = "INSERT INTO s_payout VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[T_BTXN] = "INSERT INTO s_balance_txn VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[T_LOCATION] = "INSERT INTO s_location VALUES (?,?,?,?)",
	[T_LEVEL] = "INSERT INTO s_inventory_level VALUES (?,?,?,?,?)",
	[T_VARIANT] = "INSERT INTO s_variant VALUES (?,?,?,?,?,?,?)",
	[T_SO] = "INSERT INTO e_sales_order VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[T_SOI] = "INSERT INTO e_sales_order_item VALUES (?,?,?,?,?,?,?,?)",
	[T_SI] = "INSERT INTO e_sales_invoice VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[T_SII] = "INSERT INTO e_sales_invoice_item VALUES (?,?,?,?,?,?,?,?)",
	[T_DN] = "INSERT INTO e_delivery_note VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	[T_DNI] = "INSERT INTO e_delivery_note_item VALUES (?,?,?,?,?,?,?)",
	[T_JE] = "INSERT INTO e_journal_entry VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	[T_JEA] = "INSERT INTO e_journal_entry_account VALUES (?,?,?,?,?,?,?,?,?,?)",
	[T_GL] = "INSERT INTO e_gl_entry VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[T_BIN] = "INSERT INTO e_bin VALUES (?,?,?,?,?,?,?,?,?)",
	[T_ITEM] = "INSERT INTO e_item VALUES (?,?,?,?,?,?,?)",
	[T_CUSTOMER] = "INSERT INTO e_customer VALUES (?,?,?,?,?,?,?)",
	[T_WAREHOUSE] = "INSERT INTO e_warehouse VALUES (?,?,?,?,?,?)",
	[T_EVIDENCE] = "INSERT INTO evidence_file VALUES (?,?,?,?)",
};

struct loader {
	struct store *s;
	int64_t sid;
	const struct period *p;
	struct load_info *info;
	int erp_exp;
	sqlite3_stmt *st[T_COUNT];
	sqlite3_stmt *cur;          /* statement being bound */
	int col;                    /* next parameter index */
	int bind_rc;                /* first bind of the row that failed, or SQLITE_OK */
	struct sha256 *extract_hash;
	int64_t extract_files;
	const char *relpath;        /* page being loaded, relative to the raw dir */
	struct row_digest *dig;     /* of the table being bound, NULL for evidence_file */
	struct row_digest *digests; /* [T_EVIDENCE] */
};

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

/* ---- table digests, fed as rows are bound ----
 * store_table_digest's byte stream (table name, then per column a type tag
 * and the value, then the row count), computed from the values as they are
 * bound, so the snapshot need not read millions of rows back to hash them.
 * It holds only while SQLite stores each value as bound: an integer bound
 * to a TEXT column (or text to an INTEGER one) would be converted, so such a
 * table is marked unsure and read back after all. `recon verify` recomputes
 * every digest from the stored rows, which is what proves the two agree. */
struct row_digest {
	struct sha256 *h;
	int64_t rows;
	int unsure;
	int ncol;
	unsigned char is_int[40];    /* column declared INTEGER, by parameter index */
	size_t used;
	unsigned char buf[4096];     /* one SHA-256 call per value costs more than hashing it */
};

static void dig_bytes(struct row_digest *d, const void *p, size_t n)
{
	if (d->used + n > sizeof(d->buf)) {
		sha256_update(d->h, d->buf, d->used);
		d->used = 0;
		if (n > sizeof(d->buf)) {
			sha256_update(d->h, p, n);
			return;
		}
	}
	memcpy(d->buf + d->used, p, n);
	d->used += n;
}

static void dig_i64(struct row_digest *d, int64_t v)
{
	unsigned char b[8];
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (56 - 8 * i));
	dig_bytes(d, b, sizeof(b));
}

static void dig_tag(struct row_digest *d, int tag)
{
	unsigned char t = (unsigned char)tag;
	dig_bytes(d, &t, 1);
}

static const char *table_of(int t)
{
	return store_data_tables[t];
}

/* The declared type of every column, and a hash started with the table's name. */
static recon_err digests_init(struct loader *l)
{
	l->digests = calloc(T_EVIDENCE, sizeof(*l->digests));
	if (!l->digests)
		return RECON_ERR_NOMEM;
	for (int t = 0; t < T_EVIDENCE; t++) {
		struct row_digest *d = &l->digests[t];
		char sql[96];
		sqlite3_stmt *st;
		/* insert_sql names the tables in store_data_tables' order */
		if (!table_of(t) || strncmp(insert_sql[t] + 12, table_of(t), strlen(table_of(t))) != 0)
			return RECON_ERR_NOTFOUND;
		snprintf(sql, sizeof(sql), "SELECT type FROM pragma_table_info('%s') ORDER BY cid", table_of(t));
		TRY(store_prepare(l->s, sql, &st));
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (d->ncol >= (int)sizeof(d->is_int) - 1) {
				d->unsure = 1;
				break;
			}
			d->is_int[++d->ncol] = strcmp((const char *)sqlite3_column_text(st, 0), "INTEGER") == 0;
		}
		TRY(store_finish(l->s, st));
		if (!(d->h = sha256_new()))
			return RECON_ERR_NOMEM;
		sha256_update_str(d->h, table_of(t));
	}
	return RECON_OK;
}

static void digests_free(struct loader *l)
{
	if (!l->digests)
		return;
	for (int t = 0; t < T_EVIDENCE; t++)
		sha256_free(l->digests[t].h);
	free(l->digests);
	l->digests = NULL;
}

/* Hand the digests over to the snapshot; unsure ones are left unknown. */
static void digests_finish(struct loader *l, struct load_info *info)
{
	for (int t = 0; t < T_EVIDENCE; t++) {
		struct row_digest *d = &l->digests[t];
		struct store_digest *out = &info->digest[t];
		if (d->unsure)
			continue;
		sha256_update(d->h, d->buf, d->used);
		d->used = 0;
		dig_i64(d, d->rows);
		sha256_update(d->h, d->buf, d->used);
		sha256_final_hex(d->h, out->hex);
		d->h = NULL;          /* sha256_final_hex frees it */
		out->rows = d->rows;
		out->known = 1;
	}
}

/* ---- binding: parameters are filled left to right, like the columns ---- */

/* A bind that fails (sqlite3_bind_text copies the text: out of memory)
 * leaves its parameter NULL; inserting the row anyway would store a NULL
 * where the page had a value. The first failure is kept, and row_end()
 * refuses the row. */
static void bound(struct loader *l, int rc)
{
	if (rc != SQLITE_OK && l->bind_rc == SQLITE_OK)
		l->bind_rc = rc;
}

static void row_begin(struct loader *l, int t)
{
	l->cur = l->st[t];
	l->dig = t < T_EVIDENCE ? &l->digests[t] : NULL;
	l->col = 1;
	l->bind_rc = SQLITE_OK;
	sqlite3_reset(l->cur);
	sqlite3_clear_bindings(l->cur);
	bound(l, sqlite3_bind_int64(l->cur, l->col++, l->sid));
	if (l->dig) {
		dig_tag(l->dig, SQLITE_INTEGER);
		dig_i64(l->dig, l->sid);
	}
}

static void b_text(struct loader *l, const char *v)
{
	struct row_digest *d = l->dig;
	if (v) {
		size_t n = strlen(v);
		bound(l, sqlite3_bind_text(l->cur, l->col, v, (int)n, SQLITE_TRANSIENT));
		if (d) {
			if (d->is_int[l->col] || l->col > d->ncol)
				d->unsure = 1;
			dig_tag(d, SQLITE_TEXT);
			dig_i64(d, (int64_t)n);
			dig_bytes(d, v, n);
		}
	} else if (d) {
		dig_tag(d, SQLITE_NULL);
	}
	l->col++;
}

static void b_int(struct loader *l, int64_t v)
{
	struct row_digest *d = l->dig;
	bound(l, sqlite3_bind_int64(l->cur, l->col, v));
	if (d) {
		if (!d->is_int[l->col] || l->col > d->ncol)
			d->unsure = 1;
		dig_tag(d, SQLITE_INTEGER);
		dig_i64(d, v);
	}
	l->col++;
}

static void b_opt(struct loader *l, int64_t v, int present)
{
	if (present) {
		b_int(l, v);
		return;
	}
	if (l->dig)
		dig_tag(l->dig, SQLITE_NULL);
	l->col++;
}

static recon_err row_end(struct loader *l)
{
	if (l->bind_rc != SQLITE_OK) {
		msg_error("database '%s': cannot insert row: %s", l->s->path, sqlite3_errstr(l->bind_rc));
		return l->bind_rc == SQLITE_NOMEM ? RECON_ERR_NOMEM : RECON_ERR_DB;
	}
	if (sqlite3_step(l->cur) != SQLITE_DONE)
		return store_fail(l->s, "cannot insert row");
	if (l->dig) {
		/* every column bound, or the stored row has NULLs the stream lacks */
		if (l->col - 1 != l->dig->ncol)
			l->dig->unsure = 1;
		l->dig->rows++;
	}
	return RECON_OK;
}


/* A child row's messages name its place: "line_items[2].quantity". */
struct child {
	struct raw_rec rec;
	char prefix[96];
};

static const struct raw_rec *child_rec(struct child *c, const struct raw_rec *parent,
                                       const char *array, size_t i)
{
	snprintf(c->prefix, sizeof(c->prefix), "%s%s[%zu].", parent->prefix, array, i);
	c->rec = *parent;
	c->rec.prefix = c->prefix;
	return &c->rec;
}

static recon_err child_object(const struct raw_rec *rec, json_t *v)
{
	if (json_is_object(v))
		return RECON_OK;
	msg_error("'%s', record %zu, field '%s': expected an object", rec->file, rec->index,
	          rec->prefix);
	return RECON_ERR_INPUT;
}

/* ---- Shopify ---- */

static recon_err load_shop(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *name, *domain, *mdomain, *currency, *tz;
	int64_t id;
	int has_id;

	TRY(raw_int(rec, o, "id", 0, &id, &has_id));
	TRY(raw_str(rec, o, "name", 0, &name));
	TRY(raw_str(rec, o, "domain", 0, &domain));
	TRY(raw_str(rec, o, "myshopify_domain", 0, &mdomain));
	TRY(raw_currency(rec, o, "currency", 1, &currency));
	TRY(raw_str(rec, o, "iana_timezone", 1, &tz));
	if (tz_use(tz) != RECON_OK)
		return raw_field_error(rec, "iana_timezone", "'%s' is not a known IANA time zone", tz);
	snprintf(l->info->shop_name, sizeof(l->info->shop_name), "%s", name ? name : "");
	snprintf(l->info->shop_domain, sizeof(l->info->shop_domain), "%s",
	         mdomain ? mdomain : domain ? domain : "");
	snprintf(l->info->currency, sizeof(l->info->currency), "%s", currency);
	snprintf(l->info->timezone, sizeof(l->info->timezone), "%s", tz);
	row_begin(l, T_SHOP);
	b_opt(l, id, has_id);
	b_text(l, name);
	b_text(l, domain);
	b_text(l, mdomain);
	b_text(l, currency);
	b_text(l, tz);
	return row_end(l);
}

static recon_err load_order_lines(struct loader *l, const struct raw_rec *rec, json_t *o,
                                  int64_t order_id, int exp)
{
	json_t *lines;
	TRY(raw_array(rec, o, "line_items", 1, &lines));
	for (size_t i = 0; i < json_array_size(lines); i++) {
		struct child c;
		const struct raw_rec *r = child_rec(&c, rec, "line_items", i);
		json_t *li = json_array_get(lines, i);
		int64_t id, variant, qty, price, disc;
		int has_variant, has_price, has_disc;
		const char *sku, *title;

		TRY(child_object(r, li));
		TRY(raw_int(r, li, "id", 1, &id, NULL));
		TRY(raw_str(r, li, "sku", 0, &sku));
		TRY(raw_str(r, li, "title", 0, &title));
		TRY(raw_int(r, li, "variant_id", 0, &variant, &has_variant));
		TRY(raw_int(r, li, "quantity", 1, &qty, NULL));
		if (qty < 0)
			return raw_field_error(r, "quantity", "negative quantity %lld", (long long)qty);
		TRY(qty_from_int((long long)qty, &qty));
		TRY(raw_money(r, li, "price", exp, 0, &price, &has_price));
		TRY(raw_money(r, li, "total_discount", exp, 0, &disc, &has_disc));
		row_begin(l, T_LINE);
		b_int(l, order_id);
		b_int(l, id);
		b_text(l, sku);
		b_text(l, title);
		b_opt(l, variant, has_variant);
		b_int(l, qty);
		b_opt(l, price, has_price);
		b_opt(l, disc, has_disc);
		TRY(row_end(l));
	}
	return RECON_OK;
}

static recon_err load_order_refunds(struct loader *l, const struct raw_rec *rec, json_t *o,
                                    int64_t order_id, const char *currency, int exp)
{
	json_t *refunds;
	TRY(raw_array(rec, o, "refunds", 0, &refunds));
	for (size_t i = 0; i < json_array_size(refunds); i++) {
		struct child c, tc;
		const struct raw_rec *r = child_rec(&c, rec, "refunds", i);
		json_t *rf = json_array_get(refunds, i), *txns;
		int64_t id, utc, total = 0;
		const char *created;
		char local[DATE_BUFSZ];

		TRY(child_object(r, rf));
		TRY(raw_int(r, rf, "id", 1, &id, NULL));
		TRY(raw_ts(r, rf, "created_at", 1, &created, &utc));
		TRY(raw_array(r, rf, "transactions", 0, &txns));
		/* The refunded amount is what actually went back: successful refund
		 * transactions, not the line subtotals (which omit shipping). */
		for (size_t j = 0; j < json_array_size(txns); j++) {
			const struct raw_rec *tr = child_rec(&tc, r, "transactions", j);
			json_t *t = json_array_get(txns, j);
			const char *kind, *status;
			int64_t amount;
			TRY(child_object(tr, t));
			TRY(raw_str(tr, t, "kind", 0, &kind));
			TRY(raw_str(tr, t, "status", 0, &status));
			TRY(raw_money(tr, t, "amount", exp, 1, &amount, NULL));
			if (kind && status && strcmp(kind, "refund") == 0 && strcmp(status, "success") == 0)
				if (money_add(total, amount, &total))
					return raw_field_error(tr, "amount", "refund total out of range");
		}
		tz_local_date(utc, local);
		row_begin(l, T_REFUND);
		b_int(l, order_id);
		b_int(l, id);
		b_text(l, created);
		b_text(l, local);
		b_int(l, period_contains(l->p, local));
		b_int(l, total);
		b_text(l, currency);
		TRY(row_end(l));
	}
	return RECON_OK;
}

static recon_err load_order_fulfillments(struct loader *l, const struct raw_rec *rec, json_t *o,
                                         int64_t order_id)
{
	json_t *list;
	TRY(raw_array(rec, o, "fulfillments", 0, &list));
	for (size_t i = 0; i < json_array_size(list); i++) {
		struct child c;
		const struct raw_rec *r = child_rec(&c, rec, "fulfillments", i);
		json_t *f = json_array_get(list, i);
		int64_t id, loc;
		int has_loc;
		const char *status, *created;
		TRY(child_object(r, f));
		TRY(raw_int(r, f, "id", 1, &id, NULL));
		TRY(raw_str(r, f, "status", 0, &status));
		TRY(raw_str(r, f, "created_at", 0, &created));
		TRY(raw_int(r, f, "location_id", 0, &loc, &has_loc));
		row_begin(l, T_FULFIL);
		b_int(l, order_id);
		b_int(l, id);
		b_text(l, status);
		b_text(l, created);
		b_opt(l, loc, has_loc);
		TRY(row_end(l));
	}
	return RECON_OK;
}

static recon_err load_order(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	int64_t id, number, cust_id = 0, total, sub, tax, disc, ship, items, utc;
	int has_number, has_cust = 0, has_sub, has_tax, has_disc, has_ship, has_items, test, has_test;
	const char *name, *email, *cust_email = NULL, *currency, *fin, *ful, *cancelled, *created,
		*processed;
	char cust_name[512] = "", local[DATE_BUFSZ];
	json_t *cust;
	int exp;

	TRY(raw_int(rec, o, "id", 1, &id, NULL));
	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_int(rec, o, "order_number", 0, &number, &has_number));
	TRY(raw_str(rec, o, "email", 0, &email));
	TRY(raw_currency(rec, o, "currency", 1, &currency));
	exp = money_exponent(currency);
	cust = json_object_get(o, "customer");
	if (cust && !json_is_null(cust)) {
		const char *first, *last;
		if (!json_is_object(cust))
			return raw_field_error(rec, "customer", "expected an object or null");
		TRY(raw_int(rec, o, "customer.id", 0, &cust_id, &has_cust));
		TRY(raw_str(rec, o, "customer.email", 0, &cust_email));
		TRY(raw_str(rec, o, "customer.first_name", 0, &first));
		TRY(raw_str(rec, o, "customer.last_name", 0, &last));
		snprintf(cust_name, sizeof(cust_name), "%s%s%s", first ? first : "",
		         first && last ? " " : "", last ? last : "");
	}
	TRY(raw_money(rec, o, "total_price", exp, 1, &total, NULL));
	TRY(raw_money(rec, o, "subtotal_price", exp, 0, &sub, &has_sub));
	TRY(raw_money(rec, o, "total_tax", exp, 0, &tax, &has_tax));
	TRY(raw_money(rec, o, "total_discounts", exp, 0, &disc, &has_disc));
	TRY(raw_money(rec, o, "total_shipping_price_set.shop_money.amount", exp, 0, &ship, &has_ship));
	TRY(raw_money(rec, o, "total_line_items_price", exp, 0, &items, &has_items));
	TRY(raw_str(rec, o, "financial_status", 0, &fin));
	TRY(raw_str(rec, o, "fulfillment_status", 0, &ful));
	TRY(raw_str(rec, o, "cancelled_at", 0, &cancelled));
	TRY(raw_bool(rec, o, "test", 0, &test, &has_test));
	TRY(raw_str(rec, o, "created_at", 0, &created));
	TRY(raw_ts(rec, o, "processed_at", 1, &processed, &utc));
	tz_local_date(utc, local);

	row_begin(l, T_ORDER);
	b_int(l, id);
	b_text(l, name);
	b_opt(l, number, has_number);
	b_text(l, email);
	b_opt(l, cust_id, has_cust);
	b_text(l, cust_email);
	b_text(l, cust_name[0] ? cust_name : NULL);
	b_text(l, currency);
	b_int(l, total);
	b_opt(l, sub, has_sub);
	b_opt(l, tax, has_tax);
	b_opt(l, disc, has_disc);
	b_opt(l, ship, has_ship);
	b_opt(l, items, has_items);
	b_text(l, fin);
	b_text(l, ful);
	b_text(l, cancelled);
	b_int(l, test);
	b_text(l, created);
	b_text(l, processed);
	b_int(l, utc);
	b_text(l, local);
	b_int(l, period_contains(l->p, local));
	b_text(l, l->relpath);
	TRY(row_end(l));
	TRY(load_order_lines(l, rec, o, id, exp));
	TRY(load_order_refunds(l, rec, o, id, currency, exp));
	return load_order_fulfillments(l, rec, o, id);
}

static recon_err load_payout(void *arg, const struct raw_rec *rec, json_t *o)
{
	static const char *const summary[] = {
		"summary.charges_gross_amount", "summary.charges_fee_amount",
		"summary.refunds_gross_amount", "summary.refunds_fee_amount",
		"summary.adjustments_gross_amount", "summary.adjustments_fee_amount",
		"summary.reserved_funds_gross_amount", "summary.reserved_funds_fee_amount",
	};
	struct loader *l = arg;
	int64_t id, amount, v[8];
	int has[8];
	const char *status, *date, *currency;
	int exp;

	TRY(raw_int(rec, o, "id", 1, &id, NULL));
	TRY(raw_str(rec, o, "status", 1, &status));
	TRY(raw_date(rec, o, "date", 1, &date));
	TRY(raw_currency(rec, o, "currency", 1, &currency));
	exp = money_exponent(currency);
	TRY(raw_money(rec, o, "amount", exp, 1, &amount, NULL));
	for (int i = 0; i < 8; i++)
		TRY(raw_money(rec, o, summary[i], exp, 0, &v[i], &has[i]));
	row_begin(l, T_PAYOUT);
	b_int(l, id);
	b_text(l, status);
	b_text(l, date);
	b_text(l, currency);
	b_int(l, amount);
	for (int i = 0; i < 8; i++)
		b_opt(l, v[i], has[i]);
	b_int(l, period_contains(l->p, date));
	return row_end(l);
}

static recon_err load_btxn(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	int64_t id, payout, amount, fee, net, order;
	int has_payout, has_order, test;
	const char *pstatus, *type, *currency, *stype, *processed;
	int exp;

	TRY(raw_int(rec, o, "id", 1, &id, NULL));
	TRY(raw_int(rec, o, "payout_id", 0, &payout, &has_payout));
	TRY(raw_str(rec, o, "payout_status", 0, &pstatus));
	TRY(raw_str(rec, o, "type", 1, &type));
	TRY(raw_bool(rec, o, "test", 0, &test, NULL));
	TRY(raw_currency(rec, o, "currency", 1, &currency));
	exp = money_exponent(currency);
	TRY(raw_money(rec, o, "amount", exp, 1, &amount, NULL));
	TRY(raw_money(rec, o, "fee", exp, 1, &fee, NULL));
	TRY(raw_money(rec, o, "net", exp, 1, &net, NULL));
	TRY(raw_int(rec, o, "source_order_id", 0, &order, &has_order));
	TRY(raw_str(rec, o, "source_type", 0, &stype));
	TRY(raw_str(rec, o, "processed_at", 0, &processed));
	row_begin(l, T_BTXN);
	b_int(l, id);
	b_opt(l, payout, has_payout);
	b_text(l, pstatus);
	b_text(l, type);
	b_int(l, test);
	b_text(l, currency);
	b_int(l, amount);
	b_int(l, fee);
	b_int(l, net);
	b_opt(l, order, has_order);
	b_text(l, stype);
	b_text(l, processed);
	return row_end(l);
}

static recon_err load_location(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	int64_t id;
	int active, has_active;
	const char *name;
	TRY(raw_int(rec, o, "id", 1, &id, NULL));
	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_bool(rec, o, "active", 0, &active, &has_active));
	row_begin(l, T_LOCATION);
	b_int(l, id);
	b_text(l, name);
	b_opt(l, active, has_active);
	return row_end(l);
}

static recon_err load_level(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	int64_t item, loc, avail;
	int has_avail;
	const char *updated;
	TRY(raw_int(rec, o, "inventory_item_id", 1, &item, NULL));
	TRY(raw_int(rec, o, "location_id", 1, &loc, NULL));
	TRY(raw_qty(rec, o, "available", 0, &avail, &has_avail));
	TRY(raw_str(rec, o, "updated_at", 0, &updated));
	row_begin(l, T_LEVEL);
	b_int(l, item);
	b_int(l, loc);
	b_opt(l, avail, has_avail);
	b_text(l, updated);
	return row_end(l);
}

static recon_err load_product(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	int64_t pid;
	const char *ptitle;
	json_t *variants;
	TRY(raw_int(rec, o, "id", 1, &pid, NULL));
	TRY(raw_str(rec, o, "title", 0, &ptitle));
	TRY(raw_array(rec, o, "variants", 0, &variants));
	for (size_t i = 0; i < json_array_size(variants); i++) {
		struct child c;
		const struct raw_rec *r = child_rec(&c, rec, "variants", i);
		json_t *v = json_array_get(variants, i);
		int64_t id, inv;
		int has_inv;
		const char *sku, *title;
		TRY(child_object(r, v));
		TRY(raw_int(r, v, "id", 1, &id, NULL));
		TRY(raw_str(r, v, "sku", 0, &sku));
		TRY(raw_int(r, v, "inventory_item_id", 0, &inv, &has_inv));
		TRY(raw_str(r, v, "title", 0, &title));
		row_begin(l, T_VARIANT);
		b_int(l, id);
		b_int(l, pid);
		b_text(l, ptitle);
		b_text(l, title);
		b_text(l, sku);
		b_opt(l, inv, has_inv);
		TRY(row_end(l));
	}
	return RECON_OK;
}

/* ---- ERPNext ---- */

/* ERPNext's own currency field, else the company currency. */
static recon_err erp_currency(struct loader *l, const struct raw_rec *rec, json_t *o,
                              const char *key, int required, const char **cur, int *exp)
{
	TRY(raw_currency(rec, o, key, required, cur));
	if (!*cur)
		*cur = l->info->erp_currency;
	*exp = money_exponent(*cur);
	return RECON_OK;
}

static recon_err load_sales_order(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *name, *customer, *cname, *company, *tdate, *ddate, *po, *currency, *status, *sid,
		*snum;
	char b1[32], b2[32];
	int64_t total, docstatus;
	int exp;
	json_t *items;

	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_str(rec, o, "customer", 0, &customer));
	TRY(raw_str(rec, o, "customer_name", 0, &cname));
	TRY(raw_str(rec, o, "company", 0, &company));
	TRY(raw_date(rec, o, "transaction_date", 1, &tdate));
	TRY(raw_date(rec, o, "delivery_date", 0, &ddate));
	TRY(raw_str(rec, o, "po_no", 0, &po));
	TRY(erp_currency(l, rec, o, "currency", 1, &currency, &exp));
	TRY(raw_money(rec, o, "grand_total", exp, 1, &total, NULL));
	TRY(raw_int(rec, o, "docstatus", 1, &docstatus, NULL));
	TRY(raw_str(rec, o, "status", 0, &status));
	TRY(raw_idtext(rec, o, "shopify_order_id", 0, b1, sizeof(b1), &sid));
	TRY(raw_idtext(rec, o, "shopify_order_number", 0, b2, sizeof(b2), &snum));
	if (docstatus < 0 || docstatus > 2)
		return raw_field_error(rec, "docstatus", "%lld is not 0, 1 or 2", (long long)docstatus);
	row_begin(l, T_SO);
	b_text(l, name);
	b_text(l, customer);
	b_text(l, cname);
	b_text(l, company);
	b_text(l, tdate);
	b_text(l, ddate);
	b_text(l, po);
	b_text(l, currency);
	b_int(l, total);
	b_int(l, docstatus);
	b_text(l, status);
	b_text(l, sid && *sid ? sid : NULL);
	b_text(l, snum);
	TRY(row_end(l));

	TRY(raw_array(rec, o, "items", 0, &items));
	for (size_t i = 0; i < json_array_size(items); i++) {
		struct child c;
		const struct raw_rec *r = child_rec(&c, rec, "items", i);
		json_t *it = json_array_get(items, i);
		const char *code, *wh;
		int64_t idx, qty, rate, amount;
		int has_idx, has_rate, has_amount;
		TRY(child_object(r, it));
		TRY(raw_int(r, it, "idx", 0, &idx, &has_idx));
		TRY(raw_str(r, it, "item_code", 1, &code));
		TRY(raw_qty(r, it, "qty", 1, &qty, NULL));
		TRY(raw_money(r, it, "rate", exp, 0, &rate, &has_rate));
		TRY(raw_money(r, it, "amount", exp, 0, &amount, &has_amount));
		TRY(raw_str(r, it, "warehouse", 0, &wh));
		row_begin(l, T_SOI);
		b_text(l, name);
		b_opt(l, idx, has_idx);
		b_text(l, code);
		b_int(l, qty);
		b_opt(l, rate, has_rate);
		b_opt(l, amount, has_amount);
		b_text(l, wh);
		TRY(row_end(l));
	}
	return RECON_OK;
}

static recon_err load_sales_invoice(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *name, *customer, *pdate, *against, *currency, *status, *po, *sid, *snum;
	char b1[32], b2[32];
	int64_t total, docstatus;
	int is_return, exp;
	json_t *items;

	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_str(rec, o, "customer", 0, &customer));
	TRY(raw_date(rec, o, "posting_date", 1, &pdate));
	TRY(raw_bool(rec, o, "is_return", 0, &is_return, NULL));
	TRY(raw_str(rec, o, "return_against", 0, &against));
	TRY(erp_currency(l, rec, o, "currency", 1, &currency, &exp));
	TRY(raw_money(rec, o, "grand_total", exp, 1, &total, NULL));
	TRY(raw_int(rec, o, "docstatus", 1, &docstatus, NULL));
	TRY(raw_str(rec, o, "status", 0, &status));
	TRY(raw_str(rec, o, "po_no", 0, &po));
	TRY(raw_idtext(rec, o, "shopify_order_id", 0, b1, sizeof(b1), &sid));
	TRY(raw_idtext(rec, o, "shopify_order_number", 0, b2, sizeof(b2), &snum));
	row_begin(l, T_SI);
	b_text(l, name);
	b_text(l, customer);
	b_text(l, pdate);
	b_int(l, is_return);
	b_text(l, against);
	b_text(l, currency);
	b_int(l, total);
	b_int(l, docstatus);
	b_text(l, status);
	b_text(l, po);
	b_text(l, sid && *sid ? sid : NULL);
	b_text(l, snum);
	TRY(row_end(l));

	TRY(raw_array(rec, o, "items", 0, &items));
	for (size_t i = 0; i < json_array_size(items); i++) {
		struct child c;
		const struct raw_rec *r = child_rec(&c, rec, "items", i);
		json_t *it = json_array_get(items, i);
		const char *code, *so;
		int64_t idx, qty, rate, amount;
		int has_idx, has_rate, has_amount;
		TRY(child_object(r, it));
		TRY(raw_int(r, it, "idx", 0, &idx, &has_idx));
		TRY(raw_str(r, it, "item_code", 0, &code));
		TRY(raw_qty(r, it, "qty", 1, &qty, NULL));
		TRY(raw_money(r, it, "rate", exp, 0, &rate, &has_rate));
		TRY(raw_money(r, it, "amount", exp, 0, &amount, &has_amount));
		TRY(raw_str(r, it, "sales_order", 0, &so));
		row_begin(l, T_SII);
		b_text(l, name);
		b_opt(l, idx, has_idx);
		b_text(l, code);
		b_int(l, qty);
		b_opt(l, rate, has_rate);
		b_opt(l, amount, has_amount);
		b_text(l, so);
		TRY(row_end(l));
	}
	return RECON_OK;
}

static recon_err load_delivery_note(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *name, *customer, *pdate, *status, *currency, *po, *sid, *fid;
	char b1[32], b2[32];
	int64_t total, docstatus;
	int is_return, has_total, exp;
	json_t *items;

	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_str(rec, o, "customer", 0, &customer));
	TRY(raw_date(rec, o, "posting_date", 1, &pdate));
	TRY(raw_bool(rec, o, "is_return", 0, &is_return, NULL));
	TRY(raw_int(rec, o, "docstatus", 1, &docstatus, NULL));
	TRY(raw_str(rec, o, "status", 0, &status));
	TRY(erp_currency(l, rec, o, "currency", 0, &currency, &exp));
	TRY(raw_money(rec, o, "grand_total", exp, 0, &total, &has_total));
	TRY(raw_str(rec, o, "po_no", 0, &po));
	TRY(raw_idtext(rec, o, "shopify_order_id", 0, b1, sizeof(b1), &sid));
	TRY(raw_idtext(rec, o, "shopify_fulfillment_id", 0, b2, sizeof(b2), &fid));
	row_begin(l, T_DN);
	b_text(l, name);
	b_text(l, customer);
	b_text(l, pdate);
	b_int(l, is_return);
	b_int(l, docstatus);
	b_text(l, status);
	b_text(l, currency);
	b_opt(l, total, has_total);
	b_text(l, po);
	b_text(l, sid && *sid ? sid : NULL);
	b_text(l, fid);
	TRY(row_end(l));

	TRY(raw_array(rec, o, "items", 0, &items));
	for (size_t i = 0; i < json_array_size(items); i++) {
		struct child c;
		const struct raw_rec *r = child_rec(&c, rec, "items", i);
		json_t *it = json_array_get(items, i);
		const char *code, *so, *wh;
		int64_t idx, qty;
		int has_idx;
		TRY(child_object(r, it));
		TRY(raw_int(r, it, "idx", 0, &idx, &has_idx));
		TRY(raw_str(r, it, "item_code", 0, &code));
		TRY(raw_qty(r, it, "qty", 1, &qty, NULL));
		TRY(raw_str(r, it, "against_sales_order", 0, &so));
		TRY(raw_str(r, it, "warehouse", 0, &wh));
		row_begin(l, T_DNI);
		b_text(l, name);
		b_opt(l, idx, has_idx);
		b_text(l, code);
		b_int(l, qty);
		b_text(l, so);
		b_text(l, wh);
		TRY(row_end(l));
	}
	return RECON_OK;
}

/* Journal Entry rows carry amounts in the account's currency; older exports
 * have only debit/credit (company currency), so fall back to those. */
static recon_err je_amount(const struct raw_rec *r, json_t *a, const char *key, const char *fallback,
                           int exp, int64_t *out)
{
	int present;
	TRY(raw_money(r, a, key, exp, 0, out, &present));
	if (!present)
		TRY(raw_money(r, a, fallback, exp, 0, out, &present));
	return RECON_OK;
}

static recon_err load_journal_entry(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *name, *vtype, *pdate, *company, *cheque, *cdate, *remark, *currency;
	char b1[32];
	int64_t docstatus, td, tc;
	int has_td, has_tc, exp = l->erp_exp;
	json_t *accounts;

	currency = l->info->erp_currency;
	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_str(rec, o, "voucher_type", 0, &vtype));
	TRY(raw_date(rec, o, "posting_date", 1, &pdate));
	TRY(raw_str(rec, o, "company", 0, &company));
	TRY(raw_idtext(rec, o, "cheque_no", 0, b1, sizeof(b1), &cheque));
	TRY(raw_date(rec, o, "cheque_date", 0, &cdate));
	TRY(raw_int(rec, o, "docstatus", 1, &docstatus, NULL));
	TRY(raw_money(rec, o, "total_debit", exp, 0, &td, &has_td));
	TRY(raw_money(rec, o, "total_credit", exp, 0, &tc, &has_tc));
	TRY(raw_str(rec, o, "user_remark", 0, &remark));
	row_begin(l, T_JE);
	b_text(l, name);
	b_text(l, vtype);
	b_text(l, pdate);
	b_text(l, company);
	b_text(l, cheque);
	b_text(l, cdate);
	b_int(l, docstatus);
	b_opt(l, td, has_td);
	b_opt(l, tc, has_tc);
	b_text(l, remark);
	b_text(l, currency);
	TRY(row_end(l));

	TRY(raw_array(rec, o, "accounts", 0, &accounts));
	for (size_t i = 0; i < json_array_size(accounts); i++) {
		struct child c;
		const struct raw_rec *r = child_rec(&c, rec, "accounts", i);
		json_t *a = json_array_get(accounts, i);
		const char *account, *ptype, *party, *cc, *acur;
		int64_t idx, debit, credit;
		int has_idx, aexp;
		TRY(child_object(r, a));
		TRY(raw_int(r, a, "idx", 0, &idx, &has_idx));
		TRY(raw_str(r, a, "account", 1, &account));
		TRY(raw_str(r, a, "party_type", 0, &ptype));
		TRY(raw_str(r, a, "party", 0, &party));
		TRY(raw_str(r, a, "cost_center", 0, &cc));
		TRY(erp_currency(l, r, a, "account_currency", 0, &acur, &aexp));
		TRY(je_amount(r, a, "debit_in_account_currency", "debit", aexp, &debit));
		TRY(je_amount(r, a, "credit_in_account_currency", "credit", aexp, &credit));
		row_begin(l, T_JEA);
		b_text(l, name);
		b_opt(l, idx, has_idx);
		b_text(l, account);
		b_text(l, ptype);
		b_text(l, party);
		b_text(l, cc);
		b_int(l, debit);
		b_int(l, credit);
		b_text(l, acur);
		TRY(row_end(l));
	}
	return RECON_OK;
}

static recon_err load_gl_entry(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *name, *pdate, *account, *ptype, *party, *vtype, *vno, *company, *cc;
	int64_t debit, credit;
	int cancelled;

	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_date(rec, o, "posting_date", 1, &pdate));
	TRY(raw_str(rec, o, "account", 1, &account));
	TRY(raw_str(rec, o, "party_type", 0, &ptype));
	TRY(raw_str(rec, o, "party", 0, &party));
	/* debit/credit are in company currency whatever the account's currency. */
	TRY(raw_money(rec, o, "debit", l->erp_exp, 1, &debit, NULL));
	TRY(raw_money(rec, o, "credit", l->erp_exp, 1, &credit, NULL));
	TRY(raw_str(rec, o, "voucher_type", 1, &vtype));
	TRY(raw_str(rec, o, "voucher_no", 1, &vno));
	TRY(raw_bool(rec, o, "is_cancelled", 0, &cancelled, NULL));
	TRY(raw_str(rec, o, "company", 0, &company));
	TRY(raw_str(rec, o, "cost_center", 0, &cc));
	row_begin(l, T_GL);
	b_text(l, name);
	b_text(l, pdate);
	b_text(l, account);
	b_text(l, ptype);
	b_text(l, party);
	b_int(l, debit);
	b_int(l, credit);
	b_text(l, l->info->erp_currency);
	b_text(l, vtype);
	b_text(l, vno);
	b_int(l, cancelled);
	b_text(l, company);
	b_text(l, cc);
	return row_end(l);
}

static recon_err load_bin(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *item, *wh;
	int64_t actual, reserved, projected, rate, value;
	int has_rate, has_value;
	TRY(raw_str(rec, o, "item_code", 1, &item));
	TRY(raw_str(rec, o, "warehouse", 1, &wh));
	TRY(raw_qty(rec, o, "actual_qty", 1, &actual, NULL));
	TRY(raw_qty(rec, o, "reserved_qty", 0, &reserved, NULL));
	TRY(raw_qty(rec, o, "projected_qty", 0, &projected, NULL));
	TRY(raw_money(rec, o, "valuation_rate", l->erp_exp, 0, &rate, &has_rate));
	TRY(raw_money(rec, o, "stock_value", l->erp_exp, 0, &value, &has_value));
	row_begin(l, T_BIN);
	b_text(l, item);
	b_text(l, wh);
	b_int(l, actual);
	b_int(l, reserved);
	b_int(l, projected);
	b_opt(l, rate, has_rate);
	b_opt(l, value, has_value);
	b_text(l, l->info->erp_currency);
	return row_end(l);
}

static recon_err load_item(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *code, *name, *group, *uom;
	int stock, has_stock, disabled, has_disabled;
	TRY(raw_str(rec, o, "item_code", 1, &code));
	TRY(raw_str(rec, o, "item_name", 0, &name));
	TRY(raw_str(rec, o, "item_group", 0, &group));
	TRY(raw_str(rec, o, "stock_uom", 0, &uom));
	TRY(raw_bool(rec, o, "is_stock_item", 0, &stock, &has_stock));
	TRY(raw_bool(rec, o, "disabled", 0, &disabled, &has_disabled));
	row_begin(l, T_ITEM);
	b_text(l, code);
	b_text(l, name);
	b_text(l, group);
	b_text(l, uom);
	b_opt(l, stock, has_stock);
	b_opt(l, disabled, has_disabled);
	return row_end(l);
}

static recon_err load_customer(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *name, *cname, *email, *sid;
	char b1[32];
	int disabled, has_disabled;
	char *norm;
	recon_err err;
	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_str(rec, o, "customer_name", 0, &cname));
	TRY(raw_str(rec, o, "email_id", 0, &email));
	TRY(raw_bool(rec, o, "disabled", 0, &disabled, &has_disabled));
	TRY(raw_idtext(rec, o, "shopify_customer_id", 0, b1, sizeof(b1), &sid));
	norm = text_email_norm(email);
	row_begin(l, T_CUSTOMER);
	b_text(l, name);
	b_text(l, cname);
	b_text(l, email);
	b_text(l, norm);
	b_opt(l, disabled, has_disabled);
	b_text(l, sid);
	err = row_end(l);
	free(norm);
	return err;
}

static recon_err load_warehouse(void *arg, const struct raw_rec *rec, json_t *o)
{
	struct loader *l = arg;
	const char *name, *wname, *company;
	int group, has_group, disabled, has_disabled;
	TRY(raw_str(rec, o, "name", 1, &name));
	TRY(raw_str(rec, o, "warehouse_name", 0, &wname));
	TRY(raw_str(rec, o, "company", 0, &company));
	TRY(raw_bool(rec, o, "is_group", 0, &group, &has_group));
	TRY(raw_bool(rec, o, "disabled", 0, &disabled, &has_disabled));
	row_begin(l, T_WAREHOUSE);
	b_text(l, name);
	b_text(l, wname);
	b_text(l, company);
	b_opt(l, group, has_group);
	b_opt(l, disabled, has_disabled);
	return row_end(l);
}

static const raw_record_fn record_fns[] = {
	load_shop, load_order, load_payout, load_btxn, load_location, load_level, load_product,
	load_sales_order, load_sales_invoice, load_delivery_note, load_journal_entry, load_gl_entry,
	load_bin, load_item, load_customer, load_warehouse,
};

static recon_err on_page(void *arg, const char *relpath, int64_t bytes, const char *sha)
{
	struct loader *l = arg;
	l->relpath = relpath;
	sha256_update_str(l->extract_hash, relpath);
	sha256_update_str(l->extract_hash, sha);
	l->extract_files++;
	row_begin(l, T_EVIDENCE);
	b_text(l, relpath);
	b_int(l, bytes);
	b_text(l, sha);
	return row_end(l);
}

static recon_err count_rows(struct loader *l, const struct extract_def *x, int64_t *rows,
                            int64_t *control, int *has_control)
{
	char sql[128];
	sqlite3_stmt *st;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE snapshot_id = ?", x->table);
	TRY(store_prepare(l->s, sql, &st));
	sqlite3_bind_int64(st, 1, l->sid);
	*rows = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	TRY(store_finish(l->s, st));
	*has_control = 0;
	if (!x->control)
		return RECON_OK;
	TRY(store_prepare(l->s, x->control, &st));
	sqlite3_bind_int64(st, 1, l->sid);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*control = sqlite3_column_int64(st, 0);
		*has_control = 1;
	} else if (sqlite3_errcode(l->s->db) == SQLITE_ERROR) {
		/* sum() overflowing int64 is an SQLite error, and bad input. */
		msg_error("control total of '%s' is out of range", x->name);
		sqlite3_finalize(st);
		return RECON_ERR_INPUT;
	}
	sqlite3_finalize(st);
	return RECON_OK;
}

/* The pages of every extract, in load order, for one reader to read ahead
 * across extract boundaries. */
struct page_plan {
	struct raw_job *jobs;
	char **rel;               /* owned relative paths */
	size_t n;
	size_t first[64], count[64];   /* per extract */
};

static void plan_free(struct page_plan *pp)
{
	for (size_t i = 0; i < pp->n; i++)
		free(pp->rel[i]);
	free(pp->rel);
	free(pp->jobs);
}

static recon_err plan_pages(const char *dir, struct page_plan *pp)
{
	size_t cap = 0;
	recon_err err = RECON_OK;

	memset(pp, 0, sizeof(*pp));
	for (size_t xi = 0; !err && load_extracts[xi].name; xi++) {
		const struct extract_def *x = &load_extracts[xi];
		int single = strstr(x->folder, ".json") != NULL;
		char **names = NULL;
		size_t n = 1;
		if (!single && (err = raw_list_pages(dir, x->folder, &names, &n)))
			break;
		if (!single && n == 0)
			msg_warn("no pages in '%s/%s': the extract is empty", dir, x->folder);
		pp->first[xi] = pp->n;
		pp->count[xi] = n;
		if (pp->n + n > cap) {
			size_t ncap = (pp->n + n) * 2;
			struct raw_job *j = realloc(pp->jobs, ncap * sizeof(*j));
			if (j)
				pp->jobs = j;
			char **r = realloc(pp->rel, ncap * sizeof(*r));
			if (r)
				pp->rel = r;
			if (!j || !r) {
				raw_list_free(names, single ? 0 : n);
				err = RECON_ERR_NOMEM;
				break;
			}
			cap = ncap;
		}
		for (size_t i = 0; i < n; i++) {
			char *rel;
			if (single) {
				rel = strdup(x->folder);
			} else {
				size_t len = strlen(x->folder) + strlen(names[i]) + 2;
				if ((rel = malloc(len)))
					snprintf(rel, len, "%s/%s", x->folder, names[i]);
			}
			if (!rel) {
				err = RECON_ERR_NOMEM;
				break;
			}
			pp->rel[pp->n] = rel;
			pp->jobs[pp->n] = (struct raw_job){ rel, x->root_key, single };
			pp->n++;
		}
		raw_list_free(names, single ? 0 : n);
	}
	return err;
}

static recon_err load_extract(struct loader *l, struct raw_reader *rd, const struct page_plan *pp,
                              size_t xi)
{
	const struct extract_def *x = &load_extracts[xi];
	int64_t rows = 0, control = 0;
	int has_control = 0;
	char hex[65];
	sqlite3_stmt *st = NULL;
	recon_err err = RECON_OK;

	int64_t t0 = mono_ms();
	l->extract_hash = sha256_new();
	l->extract_files = 0;
	if (!l->extract_hash)
		return RECON_ERR_NOMEM;
	for (size_t i = 0; !err && i < pp->count[xi]; i++)
		err = raw_reader_next(rd, on_page, record_fns[xi], l);
	l->relpath = NULL;
	if (!err)
		err = count_rows(l, x, &rows, &control, &has_control);
	sha256_final_hex(l->extract_hash, hex);
	l->extract_hash = NULL;
	if (err)
		return err;
	TRY(store_prepare(l->s, "INSERT INTO extract VALUES (?,?,?,?,?,?,?,?,?,?,?)", &st));
	sqlite3_bind_int64(st, 1, l->sid);
	sqlite3_bind_text(st, 2, x->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, x->endpoint, -1, SQLITE_STATIC);
	/* filters and fetched_at are filled by live fetches (connector) */
	sqlite3_bind_int64(st, 7, l->extract_files);
	sqlite3_bind_int64(st, 8, rows);
	if (has_control) {
		sqlite3_bind_int64(st, 9, control);
		sqlite3_bind_text(st, 10, strcmp(x->source, "shopify") == 0 ? l->info->currency
		                                                            : l->info->erp_currency,
		                  -1, SQLITE_STATIC);
	}
	/* STATIC: both live until the statement is finalized, and a bind that
	 * copies nothing cannot fail for want of memory. */
	sqlite3_bind_text(st, 11, hex, -1, SQLITE_STATIC);
	err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(l->s, "cannot record extract");
	sqlite3_finalize(st);
	msg_debug("loaded '%s': %lld pages, %lld rows in %.2f s", x->name, (long long)l->extract_files,
	          (long long)rows, (mono_ms() - t0) / 1e3);
	return err;
}

/* One key per table that must be unique within a snapshot: the same record
 * twice (a page saved twice, an API that repeated a row) would double
 * amounts silently, so it is bad input. A key that leads an index is
 * checked once the indexes exist (a walk along the index); the others
 * before (a scan of the table: after, SQLite would reach every row
 * through some other index, one random read each). */
static const struct unique_key {
	const char *table, *shown, *group, *what;
	int indexed;
} unique_keys[] = {
	{ "s_order", "id", "id", "shopify/orders: order id", 1 },
	{ "s_payout", "id", "id", "shopify/payouts: payout id", 1 },
	{ "s_balance_txn", "id", "id", "shopify/balance_transactions: transaction id", 0 },
	{ "s_location", "id", "id", "shopify/locations: location id", 0 },
	{ "s_variant", "id", "id", "shopify/products: variant id", 0 },
	{ "s_inventory_level", "inventory_item_id || '@' || location_id", "inventory_item_id, location_id",
	  "shopify/inventory_levels: item@location", 1 },
	{ "e_sales_order", "name", "name", "erpnext/sales_order: name", 1 },
	{ "e_sales_invoice", "name", "name", "erpnext/sales_invoice: name", 1 },
	{ "e_delivery_note", "name", "name", "erpnext/delivery_note: name", 1 },
	{ "e_journal_entry", "name", "name", "erpnext/journal_entry: name", 0 },
	{ "e_gl_entry", "name", "name", "erpnext/gl_entry: name", 0 },
	{ "e_bin", "item_code || '@' || warehouse", "item_code, warehouse", "erpnext/bin: item_code@warehouse", 1 },
	{ "e_item", "item_code", "item_code", "erpnext/item: item_code", 1 },
	{ "e_customer", "name", "name", "erpnext/customer: name", 0 },
	{ "e_warehouse", "name", "name", "erpnext/warehouse: name", 0 },
};

static recon_err check_unique(struct store *s, int64_t sid, int indexed)
{
	for (size_t i = 0; i < sizeof(unique_keys) / sizeof(unique_keys[0]); i++) {
		const struct unique_key *k = &unique_keys[i];
		char sql[320];
		sqlite3_stmt *st;
		if (k->indexed != indexed)
			continue;
		snprintf(sql, sizeof(sql), "SELECT %s, count(*) FROM %s WHERE snapshot_id = ? GROUP BY %s "
		         "HAVING count(*) > 1 LIMIT 1", k->shown, k->table, k->group);
		TRY(store_prepare(s, sql, &st));
		sqlite3_bind_int64(st, 1, sid);
		if (sqlite3_step(st) == SQLITE_ROW) {
			msg_error("%s '%s' appears %d times: the same record twice would count it twice", k->what,
			          (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1));
			sqlite3_finalize(st);
			return RECON_ERR_INPUT;
		}
		TRY(store_finish(s, st));
	}
	return RECON_OK;
}

recon_err load_raw(struct store *s, int64_t snapshot_id, const char *dir, const struct period *p,
                   const char *erp_currency, struct load_info *info)
{
	struct loader l = { .s = s, .sid = snapshot_id, .p = p, .info = info };
	struct page_plan pp;
	struct raw_reader *rd = NULL;
	int64_t t_start = mono_ms(), t0, t1, t2;
	recon_err err;


	memset(info, 0, sizeof(*info));
	err = plan_pages(dir, &pp);
	if (!err)
		err = raw_reader_start(dir, pp.jobs, pp.n, &rd);
	for (int t = 0; !err && t < T_COUNT; t++)
		err = store_prepare(s, insert_sql[t], &l.st[t]);
	if (!err)
		err = digests_init(&l);
	if (err)
		goto out;
	/* The shop page comes first: its currency and time zone decide how every
	 * other page is read. */
	for (size_t xi = 0; load_extracts[xi].name; xi++) {
		if (xi == 1) {
			snprintf(info->erp_currency, sizeof(info->erp_currency), "%s",
			         erp_currency && *erp_currency ? erp_currency : info->currency);
			l.erp_exp = money_exponent(info->erp_currency);
		}
		err = load_extract(&l, rd, &pp, xi);
		if (err)
			goto out;
	}
	t0 = mono_ms();
	msg_debug("loaded in %.2f s", (t0 - t_start) / 1e3);
	if ((err = check_unique(s, snapshot_id, 0)))
		goto out;
	t1 = mono_ms();
	if ((err = store_create_indexes(s)))
		goto out;
	t2 = mono_ms();
	err = check_unique(s, snapshot_id, 1);
	msg_debug("unique keys checked in %.2f s, indexes built in %.2f s", (t1 - t0 + mono_ms() - t2) / 1e3,
	          (t2 - t1) / 1e3);
	if (!err)
		digests_finish(&l, info);
out:
	digests_free(&l);
	raw_reader_stop(rd);
	plan_free(&pp);
	for (int t = 0; t < T_COUNT; t++)
		sqlite3_finalize(l.st[t]);
	sha256_free(l.extract_hash);
	return err;
}
