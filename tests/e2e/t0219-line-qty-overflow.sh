#!/bin/sh
# An order whose lines of one Item sum past 64 bits stops the line
# comparison (line_cmp.c) with the order and the Item named, once: two
# Items each on two lines, the second pair overflowing after the first was
# summed, used to free the first pair's Item twice (abort, status 134).
. tests/e2e/lib.sh

demo_copy
python3 - "$WORK/demo/shopify/orders/page-0001.json" <<'PY'
import copy, json, sys
p = sys.argv[1]
d = json.load(open(p))
o = next(x for x in d["orders"] if x["name"] == "#1205")
twins = []
for line in o["line_items"]:
    t = copy.deepcopy(line)
    t["id"] = line["id"] + 1000000
    twins.append(t)
o["line_items"] += twins
for line in o["line_items"]:
    if line.get("sku") == "SOCKS-3PK-L":
        line["quantity"] = 6000000000000000
json.dump(d, open(p, "w"))
PY
recon --config "$WORK/demo/recon.ini" --db recon.db snapshot --period 2026-10 --raw "$WORK/demo"
expect_rc 0
recon --config "$WORK/demo/recon.ini" --db recon.db diff --snapshot 1 --format json --fail-on never
expect_rc 2
grep_in err "rules: order 6104187729357: quantities of Item 'SOCKS-3PK-L' overflow"
[ "$(grep -c . err)" -eq 1 ] || { cat err >&2; fail "one error line expected"; }
