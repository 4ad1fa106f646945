#!/bin/sh
# The database records its schema version; one made before versions were
# recorded opens and verifies; one made by another version is refused with
# exit 2 and says so, before anything is written to it; an older one whose
# derived tables only lack columns is upgraded in place and still verifies.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"
v=$(sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$TOP/include/recon/store.h")
[ -n "$v" ] || fail "no STORE_SCHEMA_VERSION in include/recon/store.h"
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
[ "$(count "SELECT value FROM meta WHERE key = 'schema_version'")" = "$v" ] || fail "no schema_version"

# As recon made databases before: no version row. It is this version's.
sqlite3 recon.db "DELETE FROM meta"
recon verify; expect_rc 0
grep_in out "snapshot 1: ok"
[ "$(count "SELECT value FROM meta WHERE key = 'schema_version'")" = "$v" ] || fail "not stamped"

cp recon.db pristine.db
sqlite3 recon.db "UPDATE meta SET value = '$((v + 1))' WHERE key = 'schema_version'"
recon verify; expect_rc 2
grep_in err "database 'recon.db' was made by a newer recon (schema version $((v + 1)), this recon reads version $v)"
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 2
[ "$(count "SELECT count(*) FROM snapshot")" = 1 ] || fail "a snapshot was added"

# Version 1 (before the typed facts): the discrepancy table gains its
# columns, the version is raised, the evidence still verifies and diff
# gives the same answer as before.
cp pristine.db recon.db
recon --config "$cfg" diff --format json; expect_rc 1
cp out diff-before.json
cols="shopify_kind shopify_id shopify_ref erpnext_doctype erpnext_name shopify_amount erpnext_amount
      erpnext_currency difference shopify_qty erpnext_qty valuation_rate stock_value customer"
for c in $cols; do sqlite3 recon.db "ALTER TABLE discrepancy DROP COLUMN $c"; done
# before version 4: no run record columns, no review table
for c in exit_status snapshot_id settings config_digest config_path revision version user verb; do
	sqlite3 recon.db "ALTER TABLE run DROP COLUMN $c"
done
sqlite3 recon.db "DROP TABLE review"
sqlite3 recon.db "UPDATE meta SET value = '1' WHERE key = 'schema_version'"
recon verify; expect_rc 0
[ "$(count "SELECT value FROM meta WHERE key = 'schema_version'")" = "$v" ] || fail "not upgraded to $v"
[ "$(count "SELECT count(*) FROM pragma_table_info('discrepancy') WHERE name = 'shopify_amount'")" = 1 ] ||
	fail "discrepancy did not gain its columns"
[ "$(count "SELECT count(*) FROM pragma_table_info('run') WHERE name = 'config_digest'")" = 1 ] ||
	fail "run did not gain the run record"
recon --config "$cfg" diff --format json; expect_rc 1
cmp -s out diff-before.json || fail "diff differs after the upgrade"

# Version 6 (before the index list of version 7): its obsolete indexes
# are dropped, this version's built over the stored snapshot, and diff
# gives the same answer.
idx="SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'index'
     AND name LIKE 'e_delivery_note%' OR name = 'e_sales_order_po' ORDER BY name)"
cp pristine.db recon.db
sqlite3 recon.db "DROP INDEX e_delivery_note_item_ps; DROP INDEX e_sales_order_po;
  CREATE INDEX e_sales_order_po ON e_sales_order(snapshot_id, po_no);
  CREATE INDEX e_delivery_note_sid ON e_delivery_note(snapshot_id, shopify_order_id);
  CREATE INDEX e_delivery_note_item_so ON e_delivery_note_item(snapshot_id, against_sales_order, parent);
  CREATE INDEX e_delivery_note_item_parent ON e_delivery_note_item(snapshot_id, parent);
  UPDATE meta SET value = '6' WHERE key = 'schema_version'"
[ "$(count "$idx")" = "e_delivery_note_item_parent e_delivery_note_item_so e_delivery_note_name e_delivery_note_sid e_sales_order_po" ] ||
	fail "the version 6 indexes were not made: $(count "$idx")"
recon verify; expect_rc 0
[ "$(count "SELECT value FROM meta WHERE key = 'schema_version'")" = "$v" ] || fail "not upgraded to $v"
[ "$(count "$idx")" = "e_delivery_note_item_ps e_delivery_note_name e_sales_order_po" ] ||
	fail "indexes after the upgrade: $(count "$idx")"
[ "$(count "SELECT count(*) FROM sqlite_schema WHERE name = 'e_sales_order_po' AND sql LIKE '%WHERE po_no IS NOT NULL'")" = 1 ] ||
	fail "e_sales_order_po is not the partial index"
recon --config "$cfg" diff --format json; expect_rc 1
cmp -s out diff-before.json || fail "diff differs after the index upgrade"

# Versions 8 (one GL index of four columns) and 9 (one by voucher): the
# old index is dropped, this version's two are built over the stored
# snapshot, and diff gives the same answer.
gidx="SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'index'
      AND name LIKE 'e_gl_entry%' ORDER BY name)"
for old in "8 e_gl_entry_v ON e_gl_entry(snapshot_id, voucher_type, voucher_no, account)" \
           "9 e_gl_entry_vn ON e_gl_entry(snapshot_id, voucher_no)"; do
	cp pristine.db recon.db
	sqlite3 recon.db "DROP INDEX e_gl_entry_s; CREATE INDEX ${old#* };
	  UPDATE meta SET value = '${old%% *}' WHERE key = 'schema_version'"
	[ "$(count "$gidx")" != "e_gl_entry_je e_gl_entry_s" ] || fail "version ${old%% *}'s index was not made"
	recon verify; expect_rc 0
	[ "$(count "SELECT value FROM meta WHERE key = 'schema_version'")" = "$v" ] || fail "not upgraded from ${old%% *} to $v"
	[ "$(count "$gidx")" = "e_gl_entry_je e_gl_entry_s" ] || fail "GL indexes after the upgrade from ${old%% *}: $(count "$gidx")"
	[ "$(count "SELECT count(*) FROM sqlite_schema WHERE name = 'e_gl_entry_je' AND sql LIKE '%WHERE voucher_type = ''Journal Entry'''")" = 1 ] ||
		fail "e_gl_entry_je is not the partial index"
	recon --config "$cfg" diff --format json; expect_rc 1
	cmp -s out diff-before.json || fail "diff differs after the GL index upgrade from ${old%% *}"
done

# The right number, but tables another recon made.
cp pristine.db recon.db
sqlite3 recon.db "ALTER TABLE s_order ADD COLUMN note TEXT"
recon --config "$cfg" diff; expect_rc 2
grep_in err "was made by another version of recon (table 's_order' has a column 'note TEXT' that this recon does not know)"
cp pristine.db recon.db
sqlite3 recon.db "ALTER TABLE e_bin DROP COLUMN currency; DELETE FROM meta"
recon verify; expect_rc 2
grep_in err "table 'e_bin' lacks column 'currency TEXT NOT NULL'"
echo ok
