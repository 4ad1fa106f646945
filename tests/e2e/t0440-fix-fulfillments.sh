#!/bin/sh
# recon fix --what fulfillments against the fakes: the plan of the demo's
# FULFILLMENT_NOT_IN_SHOPIFY order (a partial Delivery Note: 1 of the 3
# TOTE-NAT, carrier and tracking number from the note, buyer not notified);
# nothing sent without --post; --post creates exactly that fulfilment
# through GraphQL; a copy of the database from before the post finds it by
# its tracking number; userErrors fail the row with Shopify's words and exit
# 4, a rerun sends it; cut connections and 5xx on the mutation (seeded: this
# seed cuts an applied fulfillmentCreate) never make a second fulfilment;
# notify_customer = yes reaches Shopify; a note that delivers more than the
# order has, or a fraction, is blocked.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

fixture() { python3 "$TOP/tests/e2e/fulfil-fixture.py" "$DEMO" "$@"; }
created() { # NAME: the fake Shopify's created fulfilments, as JSON
	curl -s "http://127.0.0.1:$(cat "$WORK/$1.sp")/__fake/state" |
		python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['created']['fulfillments']))"
}

DN=$(fixture raw --tracking "UPS:1Z999AA10123456784")
start_fakes fa "$WORK/raw" "" ""
live_ini live.ini token
printf '[post]\nsettle_seconds = 1\n' >> live.ini
recon --config live.ini snapshot --period 2026-10 --raw "$WORK/raw"; expect_rc 0
recon --config live.ini diff --format csv; expect_rc 1
grep_in out "FULFILLMENT_NOT_IN_SHOPIFY,warning,fulfilment,#1241"

# ---- the plan
recon --config live.ini fix --what fulfillments --format json; expect_rc 0
cp out plan.json
python3 - "$DN" <<'PY' || fail "fulfilment plan"
import json, sys
d = json.load(open("plan.json"))
assert d["blocked"] == [], d["blocked"]
assert [f["kind"] for f in d["fixes"]] == ["fulfillment"], d["fixes"]
f = d["fixes"][0]
assert f["ref"] == "#1241" and f["status"] == "planned", f
doc = f["document"]
assert doc["delivery_notes"] == [sys.argv[1]], doc
assert [(l["sku"], l["item_code"], l["quantity"]) for l in doc["lines"]] == [("TOTE-NAT", "TOTE-NAT", 1)], doc
assert doc["tracking"] == {"company": "UPS", "number": "1Z999AA10123456784"}, doc
assert doc["notify_customer"] is False, doc
assert doc["not_on_order"] == [], doc
PY
recon --config live.ini fix --what fulfillments; expect_rc 0
grep_in out "Shopify fulfilment of #1241 from $DN: 1 unit on 1 line, UPS 1Z999AA10123456784, buyer not notified"
[ "$(created fa)" = "[]" ] || fail "a fulfilment was created without --post"
cp recon.db unposted.db
cp recon.db b.db

# ---- --post: exactly that fulfilment, through GraphQL
recon --config live.ini fix --what fulfillments --post --format json; expect_rc 0
grep_in err "Shopify fulfilments: posted 1, already there 0"
python3 - "$(created fa)" <<'PY' || fail "fulfilment posted"
import json, sys
d = json.load(open("out"))
f = d["fixes"][0]
assert f["status"] == "posted" and f["name"] == "#1241-F1", f
made = json.loads(sys.argv[1])
assert len(made) == 1, made
m = made[0]
assert m["via"] == "graphql" and m["notify_customer"] is False, m
assert m["tracking_company"] == "UPS" and m["tracking_numbers"] == ["1Z999AA10123456784"], m
assert [(l["sku"], l["quantity"]) for l in m["line_items"]] == [("TOTE-NAT", 1)], m
PY
# posted rows are done: a rerun sends nothing
recon --config live.ini fix --what fulfillments --post; expect_rc 0
[ "$(created fa | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ] || fail "sent twice"

# ---- another database, planned before the post: found by its tracking number
recon --config live.ini --db unposted.db fix --what fulfillments --post --format json; expect_rc 0
grep_in err "fulfillment #1241: already in Shopify as #1241-F1 (same tracking number)"
python3 -c "import json; f = json.load(open('out'))['fixes'][0]; assert f['status'] == 'exists' and f['name'] == '#1241-F1', f" ||
	fail "not found by tracking number"
[ "$(created fa | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ] || fail "sent twice"
stop_fakes

# ---- userErrors: that row fails with Shopify's message (exit 4); a rerun sends it
start_fakes fb "$WORK/raw" "" ""
live_ini live.ini token
printf '[post]\nsettle_seconds = 1\n' >> live.ini
curl -s -X POST -d '{"fulfil_user_error_next": 1, "fulfil_user_error": "Fulfillment order 1046000001 is on hold."}' \
	"http://127.0.0.1:$SP/__fake/inject" >/dev/null
recon --config live.ini --db b.db fix --what fulfillments --post --format json; expect_rc 4
grep_in err "fulfillment #1241: Shopify refused it: Fulfillment order 1046000001 is on hold."
python3 -c "
import json; f = json.load(open('out'))['fixes'][0]
assert f['status'] == 'failed' and f['error'] == 'Fulfillment order 1046000001 is on hold.', f" ||
	fail "userErrors not recorded"
[ "$(created fb)" = "[]" ] || fail "a refused fulfilment was created"
recon --config live.ini --db b.db fix --what fulfillments --post; expect_rc 0
grep_in err "Shopify fulfilments: posted 1, already there 0, done by another run 0, failed 0"
stop_fakes

# ---- cut connections and 5xx (the fake applies a cut request): a mutation is
# never re-sent blind; reruns until one exits 0 leave exactly one fulfilment
start_fakes fd "$WORK/raw" "--cut-rate 0.5 --fail-rate 0.1 --seed 4 --fault-methods POST" ""
live_ini live.ini token
printf '[post]\nsettle_seconds = 1\n' >> live.ini
recon --config live.ini --db d.db snapshot --period 2026-10 --raw "$WORK/raw"; expect_rc 0
n=0
while :; do
	n=$((n + 1))
	recon --config live.ini --db d.db fix --what fulfillments --post
	[ "$rc" -eq 0 ] && break
	[ "$rc" -eq 4 ] && [ $n -lt 8 ] || { cat err >&2; fail "fix --post under faults: exit $rc after $n runs"; }
done
created fd | python3 -c "
import json,sys; m = json.load(sys.stdin)
assert len(m) == 1 and [(l['sku'], l['quantity']) for l in m[0]['line_items']] == [('TOTE-NAT', 1)], m" ||
	fail "faults made a second fulfilment"
echo "under faults: $n runs, $(fake_stat fd sp "d['faults_total']") faults, one fulfilment"
stop_fakes

# ---- notify_customer = yes is what Shopify is told
start_fakes fc "$WORK/raw" "" ""
live_ini live.ini token
printf '[post]\nsettle_seconds = 1\n[fix]\nnotify_customer = yes\n' >> live.ini
recon --config live.ini --db c.db snapshot --period 2026-10 --raw "$WORK/raw"; expect_rc 0
recon --config live.ini --db c.db fix --what fulfillments --post; expect_rc 0
grep_in out "buyer notified"
created fc | python3 -c "import json,sys; m = json.load(sys.stdin); assert len(m) == 1 and m[0]['notify_customer'] is True, m" ||
	fail "notify_customer not sent"
stop_fakes

# ---- blocked: more than the order has; a fraction
fixture over --tote 4 >/dev/null
recon --config live.ini --db over.db snapshot --period 2026-10 --raw "$WORK/over"; expect_rc 0
recon --config live.ini --db over.db fix --what fulfillments --format json; expect_rc 0
python3 -c "
import json; d = json.load(open('out'))
assert d['fixes'] == [] and d['blocked'][0]['reason'] == 'the Delivery Notes deliver 4 of TOTE-NAT, the order has 3', d" ||
	fail "over-delivery not blocked"
fixture half --tote 1.5 >/dev/null
recon --config live.ini --db half.db snapshot --period 2026-10 --raw "$WORK/half"; expect_rc 0
recon --config live.ini --db half.db fix --what fulfillments; expect_rc 0
grep_in out "the Delivery Notes deliver 1.5 of TOTE-NAT: not a whole number"
no_secrets recon.db unposted.db b.db out err "$WORK"/*.log
echo ok
