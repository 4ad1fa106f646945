#!/bin/sh
# GL_CHANGED_AFTER_CLOSE compares each voucher's live GL lines of the period
# as a multiset (src/reconcile/gl_changed.c): lines in another order are no
# change; a line added twice, a party lost, one of two identical lines
# changed are; two identical lines on both sides are not.
. tests/e2e/lib.sh

demo_copy
cfg=$WORK/demo/recon.ini
page=erpnext/gl_entry/page-0001.json
# snapshot 1: voucher 4 and 5 of the page carry one line twice
python3 - "$WORK/demo/$page" <<'PY'
import copy, json, sys
p = sys.argv[1]
d = json.load(open(p))
r = d["data"]
v = []
for x in r:
    if x["voucher_no"] not in v:
        v.append(x["voucher_no"])
for i, vn in ((4, v[3]), (5, v[4])):
    line = next(x for x in r if x["voucher_no"] == vn)
    twin = copy.deepcopy(line)
    twin["name"] = "twin%d" % i
    r.append(twin)
json.dump(d, open(p, "w"))
open("vouchers", "w").write("\n".join(v[:5]) + "\n")
PY
cp -R "$WORK/demo" "$WORK/demo2"
# snapshot 2: 1 gets a line twice, 2 its lines reversed, 3 loses a party,
# 4 one of its twins changed, 5 untouched
python3 - "$WORK/demo2/$page" vouchers <<'PY'
import copy, json, sys
p = sys.argv[1]
d = json.load(open(p))
r = d["data"]
v = open(sys.argv[2]).read().split()
line = next(x for x in r if x["voucher_no"] == v[0])
extra = copy.deepcopy(line)
extra["name"] = "extra1"
r.append(extra)
idx = [i for i, x in enumerate(r) if x["voucher_no"] == v[1]]
vals = [r[i] for i in idx][::-1]
for i, x in zip(idx, vals):
    r[i] = x
next(x for x in r if x["voucher_no"] == v[2] and x.get("party"))["party"] = None
next(x for x in r if x["name"] == "twin4")["debit"] += 1
json.dump(d, open(p, "w"))
PY
recon --config "$cfg" snapshot --period 2026-10 --raw "$WORK/demo"; expect_rc 0
recon --config "$cfg" snapshot --period 2026-10 --raw "$WORK/demo2"; expect_rc 0
recon --config "$cfg" diff --format csv --fail-on never; expect_rc 0
grep '^GL_CHANGED_AFTER_CLOSE,' out | cut -d, -f4 | sed 's|^[^/]*/||' | sort > got
sed -n '1p; 3p; 4p' vouchers | sort > want
cmp -s want got || { echo "--- want"; cat want; echo "--- got"; cat got; fail "changed vouchers"; }
grep_in out "$(sed -n 1p vouchers): changed since snapshot 1 (4 live lines then, 5 now)"
