#!/bin/sh
# Output hygiene. Shopper and remote text (names, product titles, ERPNext's
# refusals) reaches the terminal with its control characters escaped: no
# ESC, BEL, CR, DEL or C1 byte from the data gets through the tables or the
# messages. diff --format csv keeps a cell that a spreadsheet would run as a
# formula as text (a leading '), leaves plain numbers such as -12.50 alone.
# JSON is unchanged (its escaping is already safe).
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

demo_copy
python3 - demo <<'PY'
import glob, json, os, sys
root = sys.argv[1]
for p in sorted(glob.glob(os.path.join(root, "shopify/orders/*.json"))):
    d = json.load(open(p))
    for o in d["orders"]:
        if o["name"] == "#1231":
            o["customer"]["first_name"] = "Eve\x1b]0;owned\x07\x1b[2J\x1b[H"
            o["customer"]["last_name"] = "Smith\r\nFAKE line\x7f\u009b31m"
            o["customer"].update(id=7301239990002, email="eve.smith@example.com")
            o["email"] = o["contact_email"] = "eve.smith@example.com"
        if o["name"] == "#1232":
            # a SKU with CR/LF (it becomes a discrepancy key) and a title with ESC
            o["line_items"][0]["sku"] = "MUG-\r\nFORGED 1 ok"
            o["line_items"][0]["title"] = "Mug\x1b[5m blink"
    json.dump(d, open(p, "w"), ensure_ascii=False)
p = os.path.join(root, "shopify/products/page-0001.json")
d = json.load(open(p))
skus = ["=cmd|' /C calc'!A0", "-12.50", "-1+2", "@SUM(1+1)", "+7", "\tTAB"]
d["products"].append({"id": 8809999999001, "title": "Tee\x1b[31m red\x1b[0m", "status": "active",
                      "variants": [{"id": 45099999999001 + i, "product_id": 8809999999001, "title": "Default Title",
                                    "sku": s, "inventory_item_id": 47099999999001 + i, "price": "1.00"}
                                   for i, s in enumerate(skus)]})
json.dump(d, open(p, "w"), ensure_ascii=False)
PY
sed "s#^url = .*#url = http://127.0.0.1:1#" "$SAMPLES/demo/recon.ini" > off.ini
recon --config off.ini snapshot --period 2026-10 --raw "$WORK/demo"; expect_rc 0

# raw control bytes: ESC, BEL, CR, DEL, and U+009B as UTF-8 (C2 9B)
no_controls() {
	python3 - "$@" <<'PY' || fail "control characters reached the terminal in $*"
import sys
bad = 0
for f in sys.argv[1:]:
    b = open(f, "rb").read()
    for seq in (b"\x1b", b"\x07", b"\r", b"\x7f", b"\xc2\x9b"):
        if seq in b:
            print("%s: raw %r" % (f, seq), file=sys.stderr)
            bad = 1
sys.exit(bad)
PY
}

recon --config off.ini fix --what customers,orders; expect_rc 0
no_controls out err
grep_in out 'Eve\x1b]0;owned\x07\x1b[2J\x1b[H Smith\r\nFAKE line\x7f\u009b31m'
[ "$(grep -c "FAKE line" out)" = 1 ] || fail "a line was forged"
grep -q '^FAKE' out && fail "a line was forged"
recon --config off.ini diff; expect_rc 1
no_controls out err
grep_in out 'Tee\x1b[31m red\x1b[0m'
grep_in out '#1232/MUG-\r\nFORGED 1 ok'
grep -q '^FORGED' out && fail "a SKU forged a line"
recon --config off.ini journal; expect_rc 0
no_controls out err

# CSV: formulas stay text, numbers stay numbers
recon --config off.ini diff --format csv; expect_rc 1
python3 - out <<'PY' || fail "csv cells"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
keys = {r[3] for r in rows[1:] if r[0] == "STOCK_UNMAPPED_SKU"}
want = {"'=cmd|' /C calc'!A0", "-12.50", "'-1+2", "'@SUM(1+1)", "+7", "'\tTAB"}
assert want <= keys, (want - keys, sorted(keys))
for r in rows:
    for c in r:
        assert not c or c[0] not in "=@" , r
        assert not c or c[0] not in "+-\t\r" or c.replace(".", "", 1).lstrip("+-").isdigit(), r
PY
# written to a terminal, CSV cells are shown as data too (script(1) gives
# recon a terminal; the terminal's own CR of each line ending is dropped)
if command -v script >/dev/null 2>&1; then
	script -qec "$RECON --config off.ini diff --format csv" /dev/null < /dev/null | tr -d '\r' > tty.txt || true
	grep_in tty.txt "'=cmd|' /C calc'!A0"
	grep_in tty.txt 'Tee\x1b[31m red'
	no_controls tty.txt
fi
# JSON: the data as it is, escaped by JSON's own rules
recon --config off.ini diff --format json; expect_rc 1
python3 - out <<'PY' || fail "json unchanged"
import json, sys
d = json.load(open(sys.argv[1]))
keys = {x["key"] for x in d["discrepancies"]}
assert "=cmd|' /C calc'!A0" in keys and "-12.50" in keys, keys
assert any("Tee\x1b[31m red" in x["message"] for x in d["discrepancies"])
PY

# a refusal from ERPNext quoting the shopper's name
start_fakes to "$WORK/demo" "" ""
live_ini live.ini
printf '[post]\nsettle_seconds = 1\n' >> live.ini
curl -s -X POST -H 'Content-Type: application/json' \
	-d '{"reject_next": 10, "reject_message": "Customer \u001b]52;c;ZWNobyBvd25lZA==\u0007Eve\u001b[2J is not allowed"}' \
	"http://127.0.0.1:$EP/__fake/inject" >/dev/null
recon --config live.ini --db live.db snapshot --period 2026-10 --raw "$WORK/demo"; expect_rc 0
recon --config live.ini --db live.db fix --what customers --post; expect_rc 4
grep_in err 'ERPNext refused it'
grep_in err '\x1b]52;c;ZWNobyBvd25lZA==\x07Eve\x1b[2J'
no_controls out err
echo ok
