/* temp.line_diff, the input of ORDER_LINE_MISMATCH (rules_defs.c): each
 * compared order's quantities per Item against its Sales Order's; and
 * temp.line_noitem, the order lines whose (variant, SKU) maps to no Item
 * (ORDER_UNKNOWN_SKU).
 *
 * This was three SQL parts over two working tables, the order lines summed
 * per order and Item (s_sku) and the Sales Order lines per Sales Order and
 * Item (e_sku): at 100k orders the two GROUP BYs, their indexes and the
 * three passes over every order took about a second (a quarter of diff).
 * Here both sides are read once, in the order of the orders, each with its
 * lines' Items: the few lines of one order are summed per Item and merged
 * here, and only the Items whose quantities differ are written. The SKUs
 * the keys show are looked up afterwards for those rows alone.
 *
 * The order lines are read from s_order_line itself, each taking its
 * (variant, SKU) pair's Item from link_line_key: one pass, where a table
 * of every line with its Item (210k rows at 100k orders) was written and
 * then read again. That pass sees every order's lines; the Sales Order
 * side names the compared orders (one_so in scope, a row for each even
 * without lines), and the lines of the others are passed over. */
#include <stdlib.h>
#include <string.h>

#include "recon/line_cmp.h"
#include "recon/msg.h"

/* Each side's lines by order: the order, the line's Item, its quantity.
 * The order lines of every order in the order of s_order_line's index
 * (by order), with their line id; Item NULL when the pair maps to none
 * (those go to line_noitem, whatever the order). The Sales Order lines of
 * the compared orders in one_so's order (its order_id) through the index
 * by Sales Order; the outer join gives an order whose Sales Order has no
 * compared line one row, its Item NULL (e_sales_order_item.item_code is
 * NOT NULL: no real line looks so). */
static const char shop_sql[] =
	"SELECT X.order_id, k.item_code, X.quantity, X.line_id FROM s_order_line X "
	"CROSS JOIN link_line_key k ON k.variant_id IS X.variant_id AND k.sku IS X.sku "
	"WHERE X.snapshot_id = :sid AND (k.item_code IS NULL OR k.item_code NOT IN (SELECT item_code FROM link_uncompared)) "
	"ORDER BY X.order_id";
static const char erp_sql[] =
	"SELECT x.order_id, i.item_code, i.qty FROM one_so x "
	"LEFT JOIN e_sales_order_item i ON i.snapshot_id = :sid AND i.parent = x.so_name "
	"AND i.item_code NOT IN (SELECT item_code FROM link_uncompared) "
	"WHERE x.scope ORDER BY x.order_id";

/* The SKUs of the rows written: the order lines' least SKU (an empty one
 * counts, then shows the Item), else the Item; the Item's SKU
 * (link_item_sku), else the Item. As the working tables named them. */
static const char sku_sql[] =
	"UPDATE line_diff SET s_sku = (SELECT coalesce(nullif(min(li.sku), ''), line_diff.item_code) "
	"FROM s_order_line li CROSS JOIN link_line_key k ON k.variant_id IS li.variant_id AND k.sku IS li.sku "
	"WHERE li.snapshot_id = :sid AND li.order_id = line_diff.order_id AND k.item_code = line_diff.item_code) "
	"WHERE s_qty IS NOT NULL;"
	"UPDATE line_diff SET e_sku = coalesce((SELECT k.sku FROM link_item_sku k "
	"WHERE k.item_code = line_diff.item_code), item_code) WHERE e_qty IS NOT NULL;";

struct ent {
	char *item;
	sqlite3_int64 qty;
};

/* One side's lines of one order. */
struct side {
	sqlite3_stmt *st;
	int rc;                 /* of the last step: SQLITE_ROW while rows are left */
	struct ent *v;
	size_t n, cap;
};

static int by_item(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->item, ((const struct ent *)b)->item);
}

static void side_clear(struct side *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].item);
	d->n = 0;
}

/* Takes the rows of order `id` (the statement stands on its first, or
 * past the end), then sums them per Item, sorted by Item. A row without an
 * Item is no line to compare: the order lines' go to `noitem` (order id,
 * line id), the Sales Order side's only say the order is compared. Of an
 * order not compared (keep 0) nothing else is kept, nor summed. */
static recon_err side_take(struct store *s, struct side *d, sqlite3_int64 id, sqlite3_stmt *noitem, int keep)
{
	side_clear(d);
	while (d->rc == SQLITE_ROW && sqlite3_column_int64(d->st, 0) == id) {
		const char *item;
		if (sqlite3_column_type(d->st, 1) == SQLITE_NULL) {
			if (noitem) {
				sqlite3_reset(noitem);
				sqlite3_bind_int64(noitem, 1, id);
				sqlite3_bind_int64(noitem, 2, sqlite3_column_int64(d->st, 3));
				if (sqlite3_step(noitem) != SQLITE_DONE)
					return store_fail(s, "rules: order lines without an Item");
			}
			d->rc = sqlite3_step(d->st);
			continue;
		}
		if (!keep) {
			d->rc = sqlite3_step(d->st);
			continue;
		}
		item = (const char *)sqlite3_column_text(d->st, 1);
		if (d->n == d->cap) {
			size_t cap = d->cap ? 2 * d->cap : 16;
			struct ent *v = realloc(d->v, cap * sizeof(*v));
			if (!v)
				goto nomem;
			d->v = v;
			d->cap = cap;
		}
		if (!item || !(d->v[d->n].item = strdup(item)))
			goto nomem;
		d->v[d->n++].qty = sqlite3_column_int64(d->st, 2);
		d->rc = sqlite3_step(d->st);
	}
	if (d->rc != SQLITE_ROW && d->rc != SQLITE_DONE)
		return store_fail(s, "rules: order lines");
	if (d->n > 1)   /* a side without lines has no array at all */
		qsort(d->v, d->n, sizeof(*d->v), by_item);
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (k && !strcmp(d->v[k - 1].item, d->v[i].item)) {
			if (__builtin_add_overflow(d->v[k - 1].qty, d->v[i].qty, &d->v[k - 1].qty)) {
				msg_error("rules: order %lld: quantities of Item '%s' overflow", (long long)id, d->v[i].item);
				/* entries k..i-1 were moved down or freed: keep the
				 * others alone, so side_clear frees each once */
				for (size_t j = i; j < d->n; j++)
					d->v[k++] = d->v[j];
				d->n = k;
				return RECON_ERR_INTERNAL;
			}
			free(d->v[i].item);
		} else {
			d->v[k++] = d->v[i];
		}
	}
	d->n = k;
	return RECON_OK;
nomem:
	msg_error("rules: out of memory");
	return RECON_ERR_NOMEM;
}

static recon_err put(struct store *s, sqlite3_stmt *ins, sqlite3_int64 id, const char *item, const sqlite3_int64 *sq,
                     const sqlite3_int64 *eq)
{
	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, id);
	sqlite3_bind_text(ins, 2, item, -1, SQLITE_STATIC);
	if (sq)
		sqlite3_bind_int64(ins, 3, *sq);
	else
		sqlite3_bind_null(ins, 3);
	if (eq)
		sqlite3_bind_int64(ins, 4, *eq);
	else
		sqlite3_bind_null(ins, 4);
	return sqlite3_step(ins) == SQLITE_DONE ? RECON_OK : store_fail(s, "rules: line comparison");
}

/* Both sides of one order, merged by Item. */
static recon_err compare(struct store *s, sqlite3_stmt *ins, sqlite3_int64 id, const struct side *a,
                         const struct side *b)
{
	size_t i = 0, j = 0;
	recon_err err = RECON_OK;
	while (!err && (i < a->n || j < b->n)) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i].item, b->v[j].item);
		if (c < 0) {
			err = put(s, ins, id, a->v[i].item, &a->v[i].qty, NULL);
			i++;
		} else if (c > 0) {
			err = put(s, ins, id, b->v[j].item, NULL, &b->v[j].qty);
			j++;
		} else {
			if (a->v[i].qty != b->v[j].qty)
				err = put(s, ins, id, a->v[i].item, &a->v[i].qty, &b->v[j].qty);
			i++;
			j++;
		}
	}
	return err;
}

recon_err line_cmp_build(struct store *s, const struct sqlparams *sp)
{
	struct side a = { 0 }, b = { 0 };
	sqlite3_stmt *ins = NULL, *noitem = NULL;
	recon_err err;

	if ((err = store_exec(s, "DROP TABLE IF EXISTS temp.line_diff; CREATE TEMP TABLE line_diff (order_id INTEGER "
	                         "NOT NULL, item_code TEXT NOT NULL, s_qty INTEGER, e_qty INTEGER, s_sku TEXT, "
	                         "e_sku TEXT); DROP TABLE IF EXISTS temp.line_noitem; CREATE TEMP TABLE line_noitem "
	                         "(order_id INTEGER NOT NULL, line_id INTEGER NOT NULL)")) ||
	    (err = sqlparams_prepare(s, shop_sql, sp, &a.st)) || (err = sqlparams_prepare(s, erp_sql, sp, &b.st)) ||
	    (err = store_prepare(s, "INSERT INTO temp.line_diff (order_id, item_code, s_qty, e_qty) VALUES (?,?,?,?)",
	                         &ins)) ||
	    (err = store_prepare(s, "INSERT INTO temp.line_noitem VALUES (?,?)", &noitem)))
		goto out;
	a.rc = sqlite3_step(a.st);
	b.rc = sqlite3_step(b.st);
	while (!err && (a.rc == SQLITE_ROW || b.rc == SQLITE_ROW)) {
		sqlite3_int64 ia = a.rc == SQLITE_ROW ? sqlite3_column_int64(a.st, 0) : 0;
		sqlite3_int64 ib = b.rc == SQLITE_ROW ? sqlite3_column_int64(b.st, 0) : 0;
		sqlite3_int64 id = a.rc != SQLITE_ROW ? ib : b.rc != SQLITE_ROW ? ia : ia < ib ? ia : ib;
		/* compared: the Sales Order side has a row of the order */
		int compared = b.rc == SQLITE_ROW && ib == id;
		if (!(err = side_take(s, &a, id, noitem, compared)) && !(err = side_take(s, &b, id, NULL, compared)) &&
		    compared)
			err = compare(s, ins, id, &a, &b);
	}
	if (!err && (a.rc != SQLITE_DONE || b.rc != SQLITE_DONE))
		err = store_fail(s, "rules: order lines");
	if (!err)
		err = sqlparams_exec(s, sku_sql, sp, "rules", NULL);
out:
	side_clear(&a);
	side_clear(&b);
	free(a.v);
	free(b.v);
	sqlite3_finalize(a.st);
	sqlite3_finalize(b.st);
	sqlite3_finalize(ins);
	sqlite3_finalize(noitem);
	return err;
}
