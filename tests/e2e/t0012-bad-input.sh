#!/bin/sh
# Bad pages: exit 3 naming file, record and field; nothing is stored.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
tables="s_order s_order_line e_sales_order e_gl_entry e_bin extract evidence_file table_digest snapshot"
before=""
for t in $tables; do before="$before $(count "SELECT count(*) FROM $t")"; done

check_nothing_stored() {
	after=""
	for t in $tables; do after="$after $(count "SELECT count(*) FROM $t")"; done
	[ "$before" = "$after" ] || fail "rows were stored: before$before after$after"
}

# edit FILE PYTHON: apply a python expression to the page's JSON (d).
edit() {
	python3 - "$1" "$2" <<'PY'
import json, sys
p, code = sys.argv[1], sys.argv[2]
d = json.load(open(p))
exec(code)
json.dump(d, open(p, "w"), ensure_ascii=False)
PY
}

try() { # description, then expectations via grep_in on err
	recon --config "$cfg" snapshot --period 2026-10 --raw demo
	expect_rc 3
	cp err bad.err
	check_nothing_stored
	recon verify; expect_rc 0
}

rm -rf demo; demo_copy
orders=$(ls demo/shopify/orders/*.json | head -1)
edit "$orders" 'd["orders"][2]["total_price"] = {"amount": "1"}'
try; grep_in bad.err "$(basename "$orders")', record 3, field 'total_price'"

rm -rf demo; demo_copy
edit "$orders" 'del d["orders"][0]["processed_at"]'
try; grep_in bad.err "record 1, field 'processed_at': missing"

rm -rf demo; demo_copy
edit "$orders" 'd["orders"][1]["line_items"][0]["quantity"] = "two"'
try; grep_in bad.err "record 2, field 'line_items[0].quantity': expected an integer"

rm -rf demo; demo_copy
edit "$orders" 'd["orders"][0]["total_price"] = "12.345"'
try; grep_in bad.err "field 'total_price': '12.345' is not a decimal amount"

rm -rf demo; demo_copy
edit "$orders" 'd["orders"][0]["total_price"] = "99999999999999999999.00"'
try; grep_in bad.err "field 'total_price': amount out of range"

# The last extract too: a snapshot loads whole or not at all.
rm -rf demo; demo_copy
wh=$(ls demo/erpnext/warehouse/*.json | tail -1)
printf '{"data": [{"name": "X", ' > "$wh"
try; grep_in bad.err "$(basename "$wh")', line 1"; grep_in bad.err "not valid JSON"

rm -rf demo; demo_copy
gl=$(ls demo/erpnext/gl_entry/*.json | tail -1)
edit "$gl" 'd["data"][-1]["debit"] = "lots"'
try; grep_in bad.err "field 'debit'"

rm -rf demo; demo_copy
edit "$gl" 'd["data"] = {"not": "a list"}'
try; grep_in bad.err "field 'data': expected an array"

rm -rf demo; demo_copy
python3 -c 'import json; json.dump({"shop": {"currency": "USD", "iana_timezone": "Mars/Olympus"}}, open("demo/shopify/shop.json","w"))'
try; grep_in bad.err "iana_timezone"

# Hostile pages: duplicate ids, negative quantities, huge numbers, deep
# nesting, invalid UTF-8, a page too large to be real, an overlong field.
rm -rf demo; demo_copy
edit "$orders" 'd["orders"].append(dict(d["orders"][0]))'
try; grep_in bad.err "order id"; grep_in bad.err "appears 2 times"

# A key that leads no index (GL entry names): first checked by hashes
# while loading, then by the scan that names it.
rm -rf demo; demo_copy
edit "$gl" 'd["data"][3]["name"] = d["data"][1]["name"]'
try; grep_in bad.err "erpnext/gl_entry: name"; grep_in bad.err "appears 2 times"

rm -rf demo; demo_copy
edit "$orders" 'd["orders"][0]["line_items"][0]["quantity"] = -3'
try; grep_in bad.err "field 'line_items[0].quantity': negative quantity"

rm -rf demo; demo_copy
edit "$gl" 'd["data"][0]["debit"] = 1e300'
try; grep_in bad.err "field 'debit': amount out of range"

rm -rf demo; demo_copy
python3 -c 'import sys; sys.stdout.write("{\"orders\": " + "[" * 100000 + "]" * 100000 + "}")' > "$orders"
try; grep_in bad.err "not valid JSON"

rm -rf demo; demo_copy
printf '{"orders": [{"id": 1, "name": "#\377\376"}]}' > "$orders"
try; grep_in bad.err "not valid JSON"

rm -rf demo; demo_copy
python3 -c 'import json; json.dump({"orders": [{"id": 1, "note": "x" * (100 << 20)}]}, open("'"$orders"'", "w"))'
try; grep_in bad.err "larger than"

rm -rf demo; demo_copy
edit "$orders" 'd["orders"][0]["name"] = "#" + "9" * 70000'
try; grep_in bad.err "field 'name': text of 70001 bytes"

# Unknown fields are ignored.
rm -rf demo; demo_copy
edit "$orders" 'd["orders"][0]["some_new_field"] = {"x": [1, 2]}'
recon --config "$cfg" snapshot --period 2026-10 --raw demo; expect_rc 0
echo ok
