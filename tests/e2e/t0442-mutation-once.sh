#!/bin/sh
# A mutation is never sent again blind (shopify_graphql_mutation): the fake
# applies it and then loses the answer (a 502 from a proxy, or the connection
# dropped with no answer at all). fulfillmentCreate: sent once, the run exits
# 4 saying the outcome is unknown, and the next run reads the order in
# Shopify, finds the fulfilment and sends nothing: exactly one fulfilment.
# inventorySetQuantities carries an @idempotent key: sent again with the
# same key, Shopify (the fake) answers with the first result and changes the
# level once. bulkOperationRunQuery: the operation the lost answer started
# is found by currentBulkOperation and waited for, not started twice.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

inject() { curl -s -X POST -d "$1" "http://127.0.0.1:$SP/__fake/inject" >/dev/null; }
created() { # the fake Shopify's created fulfilments, counted
	curl -s "http://127.0.0.1:$SP/__fake/state" |
		python3 -c "import json,sys; print(len(json.load(sys.stdin)['created']['fulfillments']))"
}
gql_ops() { fake_stat "$1" sp "d['graphql'].get('op:$2', 0)"; }

python3 "$TOP/tests/e2e/fulfil-fixture.py" "$DEMO" "$WORK/raw" --tracking "UPS:1Z999AA10123456784" >/dev/null

for kind in fail drop; do
	start_fakes "f$kind" "$WORK/raw" "" ""
	live_ini live.ini token
	printf '[post]\nsettle_seconds = 1\n' >> live.ini
	recon --config live.ini --db "$kind.db" snapshot --period 2026-10 --raw "$WORK/raw"; expect_rc 0
	recon --config live.ini --db "$kind.db" fix --what fulfillments; expect_rc 0
	inject "{\"after_next\": 1, \"after_kind\": \"$kind\", \"after_status\": 502, \"after_match\": \"mutation FulfillmentCreate\"}"
	recon --config live.ini --db "$kind.db" fix --what fulfillments --post --format json; expect_rc 4
	grep_in err "fulfillment #1241: Shopify's answer was lost: whether it created the fulfilment is unknown; not sent again"
	python3 -c "
import json; f = json.load(open('out'))['fixes'][0]
assert f['status'] == 'failed' and f['error'].startswith('outcome unknown'), f" || fail "$kind: outbox row"
	[ "$(created)" = 1 ] || fail "$kind: the fake did not apply the mutation"
	[ "$(gql_ops "f$kind" FulfillmentCreate)" = 1 ] || fail "$kind: fulfillmentCreate was sent again"
	[ "$(fake_stat "f$kind" sp "d['faults']['after']")" = 1 ] || fail "$kind: the fault did not strike"
	# the rerun looks first: the fulfilment is there, nothing is sent
	recon --config live.ini --db "$kind.db" fix --what fulfillments --post --format json; expect_rc 0
	grep_in err "fulfillment #1241: already fulfilled in Shopify as #1241-F1"
	grep_in err "Shopify fulfilments: posted 0, already there 1"
	python3 -c "
import json; f = json.load(open('out'))['fixes'][0]
assert f['status'] == 'exists' and f['name'] == '#1241-F1', f" || fail "$kind: rerun"
	[ "$(created)" = 1 ] || fail "$kind: a second fulfilment"
	[ "$(gql_ops "f$kind" FulfillmentCreate)" = 1 ] || fail "$kind: the rerun sent fulfillmentCreate"
	echo "$kind after applying: 1 fulfillmentCreate sent, 1 fulfilment, rerun found it"
	stop_fakes
done

# ---- inventorySetQuantities without a key (versions before 2026-01): sent
# once; with one (the demo's version raised to 2026-10): re-sent, applied once
mkdir so st bk     # live snapshots keep their pages in evidence/ beside the database
start_fakes so "$DEMO" "" ""
live_ini live.ini token
recon --config live.ini --db so/so.db snapshot --period 2026-10; expect_rc 0
recon --config live.ini --db so/so.db fix --what stock; expect_rc 0
inject '{"after_next": 1, "after_kind": "drop", "after_match": "mutation InventorySet"}'
recon --config live.ini --db so/so.db fix --what stock --post; expect_rc 4
grep_in err "shopify: InventorySet: whether Shopify carried it out is unknown"
[ "$(gql_ops so InventorySet)" = 1 ] || fail "the mutation without a key was sent again"
curl -s "http://127.0.0.1:$SP/__fake/state" | python3 -c "
import json, sys
ch = json.load(sys.stdin)['created']['inventory_levels']
assert len(ch) == 1 and ch[0]['before'] == 7 and ch[0]['available'] == 9, ch" || fail "not exactly one inventory change"
stop_fakes

start_fakes st "$DEMO" "" ""
live_ini live.ini token
sed -i 's/^api_version = .*/api_version = 2026-10/' live.ini
recon --config live.ini --db st/st.db snapshot --period 2026-10; expect_rc 0
recon --config live.ini --db st/st.db fix --what stock; expect_rc 0
inject '{"after_next": 1, "after_kind": "drop", "after_match": "mutation InventorySet"}'
recon --config live.ini --db st/st.db fix --what stock --post; expect_rc 0
grep_in err "stock TRS-BLK-42@71234560011: Shopify available 7 -> 9"
grep_in err "shopify: InventorySet: an answer was lost; sent again with the same idempotency key, which Shopify carries out once (2 sends)"
[ "$(gql_ops st InventorySet)" = 2 ] || fail "the keyed mutation was not sent again"
[ "$(fake_stat st sp "d.get('idempotent_replays', 0)")" = 1 ] || fail "the second send was not a replay"
curl -s "http://127.0.0.1:$SP/__fake/state" | python3 -c "
import json, sys
ch = json.load(sys.stdin)['created']['inventory_levels']
assert len(ch) == 1 and ch[0]['before'] == 7 and ch[0]['available'] == 9, ch" || fail "not exactly one inventory change"
stop_fakes

# ---- bulkOperationRunQuery: the operation started by the lost answer is waited for
start_fakes bk "$DEMO" "" ""
live_ini live.ini token
inject '{"bulk": {"seconds": 3}}'
inject '{"after_next": 1, "after_kind": "fail", "after_status": 503, "after_match": "mutation BulkOrders"}'
recon --config live.ini --db bk/bk.db snapshot --period 2026-10; expect_rc 0
grep_in err "shopify: bulkOperationRunQuery: whether Shopify carried it out is unknown"
grep_in err "the lost answer had started bulk operation gid://shopify/BulkOperation/"
# four operations of their own (orders, balance transactions, variants,
# inventory: [shopify] bulk = all), each run once: none for the lost answer
[ "$(gql_ops bk BulkOrders)" = 4 ] || fail "bulkOperationRunQuery sent again: $(gql_ops bk BulkOrders)"
[ "$(fake_stat bk sp "d['bulk']['operations']")" = 4 ] || fail "a second bulk operation of one query"
stop_fakes
no_secrets fail.db drop.db so/so.db st/st.db bk/bk.db out err "$WORK"/*.log
echo ok
