#!/bin/sh
# GL_CHANGED_AFTER_CLOSE in a re-close whose GL pages shifted (gl_pair.c
# pairs the two snapshots' lines off; gl_changed.c compares only the
# vouchers left): a voucher added in front (every later row moves), lines
# moved to the end unchanged (not a change) and changed (a change), a
# voucher cancelled where it is, one reversed in place (not a change), a
# party edited in place, every row renamed. Every way the comparison can
# go (in step, lines waiting, every waiting line pushed out, the pairing
# giving up, both snapshots read through the index) reports the same rows.
. tests/e2e/lib.sh

demo_copy
cp -R "$WORK/demo" "$WORK/demo2"
cfg=$WORK/demo/recon.ini
python3 - "$WORK/demo2/erpnext/gl_entry" <<'PY'
import copy, json, os, sys
d = sys.argv[1]
pages = {}
for f in sorted(os.listdir(d)):
    pages[f] = json.load(open(os.path.join(d, f)))
p1, p2, last = pages["page-0001.json"]["data"], pages["page-0002.json"]["data"], pages["page-0017.json"]["data"]
def lines(rows, vno):
    return [x for x in rows if x["voucher_no"] == vno]
new = []
for n, acct, dr, cr in ((1, "Shopify Fees - DO", 12.5, 0.0), (2, "Shopify Clearing - DO", 0.0, 12.5)):
    x = copy.deepcopy(lines(p2, "ACC-JV-2026-00102-1")[0])
    x.update(name="new%d" % n, voucher_no="ACC-JV-2026-NEW1", account=acct, debit=dr, credit=cr)
    new.append(x)
p1[:0] = new
for vno, bump in (("ACC-PAY-2026-00206", 0), ("ACC-PAY-2026-00207", 1)):
    moved = lines(p2, vno)
    p2[:] = [x for x in p2 if x["voucher_no"] != vno]
    for x in moved:
        if x["debit"]:
            x["debit"] += bump
        else:
            x["credit"] += bump
    last.extend(moved)
for x in lines(p2, "ACC-SINV-2026-00306"):
    x["is_cancelled"] = 1
idx = [i for i, x in enumerate(p2) if x["voucher_no"] == "ACC-JV-2026-00102-1"]
for i, x in zip(idx, [p2[i] for i in idx][::-1]):
    p2[i] = x
next(x for x in p2 if x["voucher_no"] == "ACC-SINV-RET-2026-00011" and x.get("party"))["party"] = "Someone Else"
for f, page in pages.items():
    for x in page["data"]:
        x["name"] = "RN" + x["name"]
    json.dump(page, open(os.path.join(d, f), "w"))
PY
recon --config "$cfg" snapshot --period 2026-10 --raw "$WORK/demo"; expect_rc 0
recon --config "$cfg" snapshot --period 2026-10 --raw "$WORK/demo2"; expect_rc 0

# diff NAME [VAR=VALUE...]: the GL_CHANGED rows of a diff into NAME.csv, its
# debug lines into NAME.err
diff_as() {
	name=$1
	shift
	set +e
	env "$@" "$RECON" -v --config "$cfg" diff --format csv --fail-on never >out 2>err
	rc=$?
	set -e
	expect_rc 0
	grep '^GL_CHANGED_AFTER_CLOSE,' out > "$name.csv" || true
	cp err "$name.err"
}
diff_as step
cut -d, -f4 step.csv | sort > got
cat > want <<'EOF'
Journal Entry/ACC-JV-2026-NEW1
Payment Entry/ACC-PAY-2026-00207
Sales Invoice/ACC-SINV-2026-00306
Sales Invoice/ACC-SINV-RET-2026-00011
EOF
cmp -s want got || { echo "--- want"; cat want; echo "--- got"; cat got; fail "changed vouchers"; }
grep_in step.csv "ACC-JV-2026-NEW1: added since snapshot 1 (0 live lines then, 2 now)"
grep_in step.csv "ACC-SINV-2026-00306: cancelled or removed since snapshot 1 (3 live lines then, 0 now)"
grep_in step.csv "ACC-PAY-2026-00207: changed since snapshot 1 (2 live lines then, 2 now)"
# only the four are left to compare: the moved and the reversed lines paired
grep_in step.err "GL lines paired off but in 4 vouchers"

diff_as pushed RECON_TEST_GL_PAIR=0
grep_in pushed.err "GL lines paired off but in"
grep_not pushed.err "GL lines paired off but in 4 vouchers"
diff_as lag RECON_TEST_GL_PAIR=2000
grep_in lag.err "GL lines paired off but in"
grep_not lag.err "GL lines paired off but in 4 vouchers"
diff_as all RECON_TEST_GL_PAIR=100000,2
grep_in all.err "GL lines left unpaired in more than 2 vouchers: every voucher compared"
diff_as index RECON_TEST_NO_RANGES=1
grep_in index.err "GL lines compared in the order of their index"
grep_in index.err "GL lines paired off but in 4 vouchers"
diff_as index_pushed RECON_TEST_NO_RANGES=1 RECON_TEST_GL_PAIR=0
for m in pushed lag all index index_pushed; do
	cmp -s step.csv $m.csv || { diff step.csv $m.csv; fail "GL_CHANGED rows differ when $m"; }
done
echo ok
