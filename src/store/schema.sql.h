/* The store's schema (DESIGN §4). Every data row carries snapshot_id. Money
 * columns are INTEGER minor units of the row's currency (column `currency`,
 * or the snapshot's shop currency where a row has none); quantity columns are
 * INTEGER thousandths. Dates are TEXT 'YYYY-MM-DD'; timestamps TEXT as the
 * API sent them plus, where period membership needs it, *_utc (unix seconds)
 * and *_local_date (the date in the shop's iana_timezone).
 * Included once, by store_schema.c. */
static const char schema_sql[] =
"PRAGMA foreign_keys = ON;\n"
"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS snapshot (\n"
"  id INTEGER PRIMARY KEY,\n"
"  period_from TEXT NOT NULL, period_to TEXT NOT NULL, period_label TEXT NOT NULL,\n"
"  shop TEXT, site TEXT, company TEXT, currency TEXT, timezone TEXT,\n"
"  source TEXT NOT NULL,            -- 'raw' (offline --raw DIR) or 'live'\n"
"  raw_dir TEXT NOT NULL,           -- where the evidence pages are\n"
"  shopify_api_version TEXT, erpnext_version TEXT,\n"
"  shopify_fetched_at TEXT, erpnext_fetched_at TEXT, taken_at TEXT NOT NULL,\n"
"  evidence_sha256 TEXT NOT NULL,   -- over every page file, in path order\n"
"  rows_sha256 TEXT NOT NULL,       -- over the per-table digests\n"
"  prev_hash TEXT,                  -- previous snapshot's hash (the chain)\n"
"  hash TEXT NOT NULL               -- sha256 of this row's recorded facts\n"
");\n"
"CREATE TABLE IF NOT EXISTS extract (\n"
"  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),\n"
"  name TEXT NOT NULL,              -- 'shopify/orders', 'erpnext/gl_entry', ...\n"
"  source TEXT NOT NULL,            -- 'shopify' or 'erpnext'\n"
"  endpoint TEXT, filters TEXT, fetched_at TEXT,\n"
"  files INTEGER NOT NULL, rows INTEGER NOT NULL,\n"
"  control_total INTEGER, currency TEXT, sha256 TEXT NOT NULL,\n"
"  PRIMARY KEY (snapshot_id, name)\n"
");\n"
"CREATE TABLE IF NOT EXISTS evidence_file (\n"
"  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),\n"
"  path TEXT NOT NULL,              -- relative to snapshot.raw_dir\n"
"  bytes INTEGER NOT NULL, sha256 TEXT NOT NULL,\n"
"  PRIMARY KEY (snapshot_id, path)\n"
");\n"
"CREATE TABLE IF NOT EXISTS table_digest (\n"
"  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),\n"
"  tbl TEXT NOT NULL, rows INTEGER NOT NULL, sha256 TEXT NOT NULL,\n"
/* the first and last rowid of the snapshot's rows of the table (snaprange.h):
 * in no digest or hash; NULL where not known */
"  row_lo INTEGER, row_hi INTEGER,\n"
"  PRIMARY KEY (snapshot_id, tbl)\n"
");\n"
/* ---- the snapshot's data tables (s_*, e_*) follow from their specs
 * (src/load_spec.c, load_create_sql) ---- */
/* ---- derived (not part of the evidence digest) ---- */
"CREATE TABLE IF NOT EXISTS discrepancy (snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),\n"
"  code TEXT NOT NULL, severity TEXT NOT NULL, family TEXT NOT NULL, key TEXT NOT NULL,\n"
"  message TEXT NOT NULL, currency TEXT, shopify_json TEXT, erpnext_json TEXT,\n"
"  first_seen INTEGER NOT NULL, first_seen_at TEXT NOT NULL,\n"
/* typed facts (rules.h, enum rule_fact); the JSON above is what `diff` prints */
"  shopify_kind TEXT, shopify_id INTEGER, shopify_ref TEXT,   -- 'order' | 'payout', its id and name\n"
"  erpnext_doctype TEXT, erpnext_name TEXT,\n"
"  shopify_amount INTEGER, erpnext_amount INTEGER,   -- minor units of currency, erpnext_currency (else currency)\n"
"  erpnext_currency TEXT, difference INTEGER,        -- difference in currency: what the rule compared\n"
"  shopify_qty INTEGER, erpnext_qty INTEGER,         -- thousandths\n"
"  valuation_rate INTEGER, stock_value INTEGER,      -- minor units of erpnext_currency (else currency)\n"
"  customer TEXT,\n"
"  PRIMARY KEY (snapshot_id, code, key));\n"
/* the clearing roll-forward (DESIGN §7a, clearing.h): both sides line by line, minor units of currency */
"CREATE TABLE IF NOT EXISTS clearing_line (snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),\n"
"  account TEXT NOT NULL, config_key TEXT NOT NULL, pos INTEGER NOT NULL,\n"
"  side TEXT NOT NULL,               -- 'erpnext' | 'store' | 'result'\n"
"  kind TEXT NOT NULL,               -- opening movement closing | pending in_transit unjournaled owed\n"
"                                    -- other_currency | difference\n"
"  label TEXT NOT NULL, ref TEXT,    -- ref: the payout id of a payout's line\n"
"  count INTEGER, debit INTEGER, credit INTEGER, amount INTEGER NOT NULL, currency TEXT NOT NULL,\n"
"  PRIMARY KEY (snapshot_id, pos));\n"
/* the tax roll (tax_roll.h): per [taxes] title the period's Shopify tax, per account that
 * and the account's GL movement; minor units of currency */
"CREATE TABLE IF NOT EXISTS tax_roll_line (snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),\n"
"  pos INTEGER NOT NULL,\n"
"  kind TEXT NOT NULL,               -- 'title' | 'account'\n"
"  account TEXT,                     -- NULL: a title [taxes] does not map\n"
"  titles TEXT NOT NULL,             -- the title; for an account its titles joined by ' + '\n"
"  order_tax INTEGER NOT NULL, refunded_tax INTEGER NOT NULL, shopify INTEGER NOT NULL,\n"
"  gl_debit INTEGER, gl_credit INTEGER, erpnext INTEGER, difference INTEGER,\n"
"  currency TEXT NOT NULL,\n"
"  PRIMARY KEY (snapshot_id, pos));\n"
/* the gift-card liability roll-forward (gift_cards.h), minor units of currency */
"CREATE TABLE IF NOT EXISTS gift_card_line (snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),\n"
"  account TEXT NOT NULL, pos INTEGER NOT NULL,\n"
"  side TEXT NOT NULL,               -- 'store' | 'erpnext' | 'result'\n"
"  kind TEXT NOT NULL,               -- opening sold redeemed returned expected other_currency\n"
"                                    -- | movement closing | difference\n"
"  label TEXT NOT NULL, count INTEGER, amount INTEGER NOT NULL, currency TEXT NOT NULL,\n"
"  PRIMARY KEY (snapshot_id, pos));\n"
/* the stock-value tie-out (stock.c): each stock account's Bin value against its GL balance at the
 * period end, minor units of currency; has_gl 0: the ledger of that account was not fetched */
"CREATE TABLE IF NOT EXISTS stock_value_line (snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),\n"
"  account TEXT NOT NULL, warehouses TEXT NOT NULL, bins INTEGER NOT NULL, bin_value INTEGER NOT NULL,\n"
"  opening INTEGER NOT NULL, movement INTEGER NOT NULL, gl_balance INTEGER NOT NULL, has_gl INTEGER NOT NULL,\n"
"  currency TEXT NOT NULL, PRIMARY KEY (snapshot_id, account));\n"
"CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, snapshot_id INTEGER NOT NULL,\n"
"  kind TEXT NOT NULL,               -- 'journal_entry', 'customer', 'sales_order', 'stock', 'fulfillment'\n"
"  ref TEXT NOT NULL,                -- payout id, e-mail, order name, inventory key\n"
"  payload TEXT NOT NULL, status TEXT NOT NULL, -- planned | sending | posted | exists | failed\n"
"  remote_name TEXT, error TEXT, updated_at TEXT,\n"
"  attempt_at INTEGER,               -- real time (ms since 1970) the last send began, not RECON_NOW\n"
"  remote_before TEXT,               -- the remote state the first send found (a fulfilment's remaining\n"
"                                    -- quantities): what a rerun measures its own landed sends against\n"
"  UNIQUE (snapshot_id, kind, ref));\n"
/* ---- runs and claims (operational, never evidence) ---- */
"CREATE TABLE IF NOT EXISTS run (id INTEGER PRIMARY KEY,\n"
"  pid INTEGER NOT NULL, host TEXT NOT NULL,\n"
"  boot_id TEXT NOT NULL,            -- the kernel's boot id: a pid is only meaningful within one boot\n"
"  proc_start INTEGER NOT NULL,      -- the process's start time in clock ticks since boot (pid reuse)\n"
"  command TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,\n"
/* the run record (DESIGN §8): who ran which recon how; the command line has
 * its secrets masked, settings (JSON {section: {key: value}}) holds no
 * secret (config_record); verb is the command's name; snapshot_id is the snapshot it took, checked,
 * planned, reported or reviewed. No SQL comments on these lines: SQLite's
 * DROP COLUMN (an upgrade test) cannot edit around them. */
"  verb TEXT, user TEXT, version TEXT, revision TEXT, config_path TEXT, config_digest TEXT,\n"
"  settings TEXT, snapshot_id INTEGER, exit_status INTEGER);\n"
/* reviewers' decisions (DESIGN §2, review): history kept, newest id wins; a
 * (code, key) is followed into every later snapshot */
"CREATE TABLE IF NOT EXISTS review (id INTEGER PRIMARY KEY,\n"
"  code TEXT NOT NULL, key TEXT NOT NULL,\n"
"  status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'resolved')),\n"
"  note TEXT, reviewer TEXT NOT NULL, reviewed_at TEXT NOT NULL,\n"
"  snapshot_id INTEGER NOT NULL,     -- the newest snapshot holding (code, key) when reviewed\n"
"  run_id INTEGER);\n"
"CREATE INDEX IF NOT EXISTS review_ck ON review(code, key, id);\n"
"CREATE TABLE IF NOT EXISTS post_claim (kind TEXT NOT NULL, ref TEXT NOT NULL,\n"
"  run_id INTEGER NOT NULL,          -- the run that may send this document now\n"
"  claimed_at TEXT NOT NULL, PRIMARY KEY (kind, ref));\n"
/* a send's settling looks at every row of the same document, in any snapshot */
"CREATE INDEX IF NOT EXISTS outbox_kind_ref ON outbox(kind, ref);\n";

/* Created after the bulk load (5x faster than maintaining them row by row).
 * Each is a sort of its table on the close's critical path, and kept up
 * row by row in every later month: an index is here because a statement
 * uses it (EXPLAIN QUERY PLAN of every statement of close, diff, report,
 * journal, fix and verify; bench/RESULTS.md, issue 18 "the snapshot's
 * tail"). Those of an older schema version that are no longer here are
 * dropped when the database is upgraded (obsolete_indexes, store_schema.c). */
static const char index_sql[] =
"CREATE INDEX IF NOT EXISTS s_order_id ON s_order(snapshot_id, id);\n"
"CREATE INDEX IF NOT EXISTS s_order_name ON s_order(snapshot_id, name);\n"
"CREATE INDEX IF NOT EXISTS s_order_line_o ON s_order_line(snapshot_id, order_id, sku);\n"
"CREATE INDEX IF NOT EXISTS s_refund_o ON s_refund(snapshot_id, order_id);\n"
"CREATE INDEX IF NOT EXISTS s_fulfillment_o ON s_fulfillment(snapshot_id, order_id);\n"
"CREATE INDEX IF NOT EXISTS s_order_transaction_g ON s_order_transaction(snapshot_id, gateway, status, kind);\n"
"CREATE INDEX IF NOT EXISTS s_payout_id ON s_payout(snapshot_id, id);\n"
"CREATE INDEX IF NOT EXISTS s_balance_txn_p ON s_balance_txn(snapshot_id, payout_id, type, net);\n"
"CREATE INDEX IF NOT EXISTS s_inventory_level_i ON s_inventory_level(snapshot_id, inventory_item_id, location_id);\n"
"CREATE INDEX IF NOT EXISTS s_variant_sku ON s_variant(snapshot_id, sku);\n"
"CREATE INDEX IF NOT EXISTS s_variant_inv ON s_variant(snapshot_id, inventory_item_id);\n"
"CREATE INDEX IF NOT EXISTS e_sales_order_sid ON e_sales_order(snapshot_id, shopify_order_id);\n"
/* Only the Sales Orders that have a po_no (ecommerce_integrations leaves it
 * empty): the order-name lookup (po_no = name) still uses it, since an
 * equality implies IS NOT NULL, and the build sorts nothing when none do. */
"CREATE INDEX IF NOT EXISTS e_sales_order_po ON e_sales_order(snapshot_id, po_no) WHERE po_no IS NOT NULL;\n"
"CREATE INDEX IF NOT EXISTS e_sales_order_name ON e_sales_order(snapshot_id, name);\n"
"CREATE INDEX IF NOT EXISTS e_sales_order_item_p ON e_sales_order_item(snapshot_id, parent, item_code, qty);\n"
"CREATE INDEX IF NOT EXISTS e_sales_invoice_sid ON e_sales_invoice(snapshot_id, shopify_order_id, is_return);\n"
"CREATE INDEX IF NOT EXISTS e_sales_invoice_name ON e_sales_invoice(snapshot_id, name);\n"
"CREATE INDEX IF NOT EXISTS e_delivery_note_name ON e_delivery_note(snapshot_id, name);\n"
/* No index by the note's order id: the one reader (link_order_dn) reads
 * every note of the snapshot. One index of the items serves both readers:
 * a note's items by note (the fulfilment push) and, covering, the distinct
 * (note, Sales Order) pairs of link_order_dn (two indexes before: 55 ms
 * more of every snapshot at 100k orders). */
"CREATE INDEX IF NOT EXISTS e_delivery_note_item_ps ON e_delivery_note_item(snapshot_id, parent, against_sales_order);\n"
"CREATE INDEX IF NOT EXISTS e_journal_entry_cheque ON e_journal_entry(snapshot_id, cheque_no);\n"
"CREATE INDEX IF NOT EXISTS e_journal_entry_account_p ON e_journal_entry_account(snapshot_id, parent, account);\n"
/* A snapshot's GL lines, by snapshot alone (verify's digests, the first
 * line's currency, counts): appended at the index's end as the rows are,
 * the cheapest index to keep up (+0.15 CPU-s a 100k-order load). Version
 * 8's index of four columns (type, voucher, account), and then one of
 * (snapshot, voucher) alone, cost 8.6-13 of the inserting thread's 38-41
 * CPU-s in a 1M-order load: a GL Entry is a quarter of a month's rows, and
 * invoices' and delivery notes' lines arrive interleaved. No index by
 * voucher or account is kept: the readers of one account's lines, of a
 * voucher's other lines and GL_CHANGED's listed vouchers read the
 * snapshot's rowid range (HACKING, "The GL lines' indexes"). */
"CREATE INDEX IF NOT EXISTS e_gl_entry_s ON e_gl_entry(snapshot_id);\n"
/* The Journal Entries' lines (a few hundred a month, kept up for them
 * only): the control totals' bank and fee lines and PAYOUT_NOT_IN_GL read
 * them without walking the month's invoice lines. */
"CREATE INDEX IF NOT EXISTS e_gl_entry_je ON e_gl_entry(snapshot_id, voucher_no, account) "
"WHERE voucher_type = 'Journal Entry';\n"
"CREATE INDEX IF NOT EXISTS e_bin_iw ON e_bin(snapshot_id, item_code, warehouse);\n"
"CREATE INDEX IF NOT EXISTS e_item_code ON e_item(snapshot_id, item_code);\n"
"CREATE INDEX IF NOT EXISTS e_customer_email ON e_customer(snapshot_id, email_norm);\n"
"CREATE INDEX IF NOT EXISTS e_customer_shopify ON e_customer(snapshot_id, shopify_customer_id);\n"
"CREATE INDEX IF NOT EXISTS e_customer_phone ON e_customer(snapshot_id, phone_norm);\n"
"CREATE INDEX IF NOT EXISTS e_ecommerce_item_variant ON e_ecommerce_item(snapshot_id, variant_id);\n"
"CREATE INDEX IF NOT EXISTS e_ecommerce_item_sku ON e_ecommerce_item(snapshot_id, sku);\n"
"CREATE INDEX IF NOT EXISTS discrepancy_ck ON discrepancy(code, key, snapshot_id);\n";
