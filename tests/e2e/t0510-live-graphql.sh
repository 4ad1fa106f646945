#!/bin/sh
# tier: full
# [shopify] api = graphql, bulk = orders: payouts, balance transactions and
# product variants by paged GraphQL queries (DESIGN §3a; t0233 fetches the
# last two by bulk operations, the default). The demo month fetched
# live both ways gives the same table digests and the same discrepancies;
# the GraphQL pages are saved as received under shopify/graphql/<extract>/
# and reload offline to the same digests; a small cost bucket is paced
# (shown under -v) without a THROTTLED answer, THROTTLED answers are waited
# out, and a GraphQL error is a clean exit 4 naming the operation.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
# the demo with a refund discrepancy (an order adjustment GraphQL gives as
# Refund.orderAdjustments) beside its shipping refunds
demo_copy
python3 "$TOP/tests/e2e/adjust-fixture.py" "$WORK/demo" > /dev/null || fail "adjust-fixture"
DEMO=$WORK/demo

start_fakes demo "$DEMO" "--leak 1000" ""
LIVE_API=rest live_ini rest.ini
LIVE_API=graphql LIVE_BULK=orders live_ini gql.ini
recon --config rest.ini --db rest.db snapshot --period 2026-10 --save-raw rest; expect_rc 0
recon --config gql.ini --db gql.db -v snapshot --period 2026-10 --save-raw gql; expect_rc 0
cp err gql.err

# Each transport's pages, and only its own.
for x in payouts balance_transactions products; do
	ls gql/shopify/graphql/$x/page-0001.json > /dev/null || fail "no GraphQL $x pages"
	[ ! -e gql/shopify/$x ] || fail "graphql fetched REST $x too"
	[ ! -e rest/shopify/graphql ] || fail "rest fetched GraphQL pages"
done
# the pages as received: {"data": ..., "extensions": {"cost": ...}}, ids as GIDs
python3 - gql/shopify/graphql <<'PY' || fail "GraphQL pages are not what the API returns"
import glob, json, os, sys
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*", "*.json"))):
    d = json.load(open(p))
    assert set(d) == {"data", "extensions"}, (p, set(d))
    assert "throttleStatus" in d["extensions"]["cost"], p
nodes = json.load(open(os.path.join(sys.argv[1], "payouts", "page-0001.json")))["data"]["shopifyPaymentsAccount"]["payouts"]["nodes"]
assert nodes and all(n["id"].startswith("gid://shopify/ShopifyPaymentsPayout/") for n in nodes), nodes[:1]
assert all(n["status"].isupper() for n in nodes)
PY
grep_in gql.err "POST http://127.0.0.1:$SP/admin/api/2025-07/graphql.json 200"
grep_not gql.err "shopify_payments/payouts.json"
grep_not gql.err "/products.json"
# inventory levels too, with their quantities by name (shopify_inventory.c)
grep_not gql.err "/inventory_levels.json"
# 16, the two pages of inventory items, and the orders' bulk operation: its
# mutation, its polls (as many as it takes), the refunds' lines (t0231)
n=$(sed -n 's/.*shopify: GraphQL \([0-9]*\) requests.*/\1/p' gql.err)
[ -n "$n" ] && [ "$n" -ge 21 ] || fail "GraphQL requests: $(grep 'shopify: GraphQL' gql.err)"
[ "$(sqlite3 gql.db "SELECT filters FROM extract WHERE name = 'shopify/graphql/payouts'")" = \
  'Payouts query="issued_at:>=2026-08-27 issued_at:<=2026-10-31" sortKey=ISSUED_AT reverse first=75' ] ||
	fail "payouts filters: $(sqlite3 gql.db "SELECT filters FROM extract WHERE name = 'shopify/graphql/payouts'")"
[ "$(sqlite3 gql.db "SELECT endpoint || ' ' || filters || ' ' || coalesce(fetched_at, 'null') FROM extract WHERE name = 'shopify/payouts'")" = \
  "GET /admin/api/2025-07/shopify_payments/payouts.json not fetched: [shopify] api = graphql (its rows are in shopify/graphql/payouts) null" ] ||
	fail "REST payouts' record: $(sqlite3 gql.db "SELECT endpoint, filters, fetched_at FROM extract WHERE name = 'shopify/payouts'")"
sqlite3 gql.db "SELECT filters FROM extract WHERE name = 'shopify/graphql/balance_transactions'" > x.txt
grep_in x.txt 'query="payments_transfer_id:118374107"'
grep_in x.txt 'query="payout_status:pending"'
[ "$(sqlite3 gql.db "SELECT rows FROM extract WHERE name = 'shopify/graphql/balance_transactions'")" = \
  "$(sqlite3 rest.db "SELECT rows FROM extract WHERE name = 'shopify/balance_transactions'")" ] ||
	fail "the transports brought different numbers of transactions"

# The same rows in the same tables: every digest equal (s_payout,
# s_balance_txn and s_variant among them), and the same discrepancies.
digests rest.db 1 > rest.txt
digests gql.db 1 > gql.txt
[ "$(wc -l < gql.txt)" -ge 20 ] || fail "too few table digests"
for t in s_payout s_balance_txn s_variant; do
	grep -q "^$t|[1-9]" gql.txt || fail "$t is empty"
done
# The orders come by bulk operation, in id order, where REST pages come
# query by query (the period's, then older ones updated since): the order
# tables hold the same rows in another order, and each row its own file.
# The inventory levels differ by design: GraphQL's have every location and
# the quantities by name, REST's `available` at the mapped locations only
# (DESIGN §6).
orders='^(s_inventory_level|s_order|s_order_line|s_order_tax_line|s_refund|s_refund_line|s_fulfillment|s_order_transaction)[|]'
grep -vE "$orders" rest.txt > rest.rest.txt
grep -vE "$orders" gql.txt > gql.rest.txt
cmp rest.rest.txt gql.rest.txt || { diff rest.rest.txt gql.rest.txt; fail "REST and GraphQL fetches give different digests"; }
REFUND_LINES_AS_GRAPHQL=$REFUND_LINES_AS_GRAPHQL python3 - rest.db gql.db <<'PY' || fail "REST and GraphQL fetches give different order rows"
import collections, os, sqlite3, sys
a, b = (sqlite3.connect(p) for p in sys.argv[1:3])
for t in ("s_order", "s_order_line", "s_order_tax_line", "s_refund", "s_refund_line", "s_fulfillment",
          "s_order_transaction"):
    cols = ", ".join(c[1] for c in a.execute("PRAGMA table_info(%s)" % t) if c[1] not in ("snapshot_id", "source_file")
                    # bulk transactions carry their presentment amounts, REST's in_shop_currency pages cannot
                    and not (t == "s_order_transaction" and c[1].startswith("presentment_")))
    # every row; a shipping refund REST gives as an order adjustment is the
    # refund shipping line GraphQL gives for it (lib.sh, REFUND_LINES_AS_GRAPHQL)
    q = "SELECT %s FROM %s" % (cols, t)
    if t == "s_refund_line":
        q = ("SELECT * FROM (%s) ORDER BY 1, 2, 3, 4, 5, 6, 7" % os.environ["REFUND_LINES_AS_GRAPHQL"].replace(
            " ORDER BY rowid", ""))
    ra, rb = (collections.Counter(d.execute(q).fetchall()) for d in (a, b))
    if ra != rb:
        sys.exit("%s: %d rows only REST, %d only GraphQL" % (t, sum((ra - rb).values()), sum((rb - ra).values())))
PY
recon --config rest.ini --db rest.db diff --format json; cp out rest.json
recon --config gql.ini --db gql.db diff --format json; cp out gql.json
[ "$(python3 -c 'import json; print(len(json.load(open("gql.json"))["discrepancies"]))')" -gt 20 ] ||
	fail "the GraphQL diff found too little"
# REST's inventory compares available with what ERPNext can sell (DESIGN §6)
drop_stock_quantities rest.json gql.json
same_diff rest.json gql.json || fail "REST and GraphQL discrepancies differ"
recon --config gql.ini --db gql.db verify; expect_rc 0
grep_in out "snapshot 1: ok"

# The saved GraphQL pages load offline to the same digests.
recon --config "$DEMO/recon.ini" --db reload.db snapshot --period 2026-10 --raw gql; expect_rc 0
grep_not err "shopify/payouts': the extract is empty"
digests reload.db 1 > reload.txt
cmp gql.txt reload.txt || { diff gql.txt reload.txt; fail "the GraphQL pages reload to other digests"; }

# Small pages (a server may give fewer nodes than `first`): followed by
# their cursors, the same rows in the same order.
stop_fakes
start_fakes small "$DEMO" "--leak 1000 --max-limit 4" ""
LIVE_API=graphql LIVE_BULK=orders live_ini small.ini
recon --config small.ini --db small.db snapshot --period 2026-10 --save-raw small; expect_rc 0
[ "$(ls small/shopify/graphql/payouts | wc -l)" = 4 ] || fail "payouts pages: $(ls small/shopify/graphql/payouts)"
# (the three tables: s_order keeps the REST page each order came from)
grep -E '^(s_payout|s_balance_txn|s_variant)\|' gql.txt > three.txt
digests small.db 1 | grep -E '^(s_payout|s_balance_txn|s_variant)\|' > small.txt
[ "$(wc -l < small.txt)" = 3 ] || fail "digests of small pages: $(cat small.txt)"
cmp three.txt small.txt || { diff three.txt small.txt; fail "small pages give other digests"; }

# Paced: a 1000-point bucket restoring 100 points/s holds the 903-point
# transaction queries back until it can pay for them. Only the first query
# of an operation can meet a short bucket unawares (its cost is learnt from
# its answer): one THROTTLED at most for each, BalanceTransactions after
# Payouts and RefundLines after the orders' bulk operation.
stop_fakes
start_fakes slow "$DEMO" "--leak 1000 --gql-bucket 1000 --gql-restore 100" ""
LIVE_API=graphql LIVE_BULK=orders live_ini slow.ini
recon --config slow.ini --db slow.db -v snapshot --period 2026-10; expect_rc 0
cp err slow.err
grep_in slow.err "shopify: GraphQL BalanceTransactions: waiting"
# A query's cost is learnt from its first answer, so the first query of each
# operation (payouts, balance transactions, variants, inventory, the bulk
# operation's run, polls and refund lines) may meet a short bucket once.
grep "shopify: GraphQL [0-9][0-9]* requests, .* bucket 1000 points restoring 100/s, .* paced [1-9][0-9]* times (.* s), [0-7] throttled" \
	slow.err > /dev/null || fail "pacing line: $(grep "GraphQL [0-9]* requests" slow.err)"
[ "$(fake_stat slow sp 'd["graphql"].get("throttled", 0)')" -le 7 ] || fail "throttled despite pacing"
[ "$(fake_stat slow sp 'd["graphql"]["low"] >= 0')" = True ] || fail "the bucket went below zero"
digests slow.db 1 > slow.txt
cmp gql.txt slow.txt || fail "the paced fetch gives other digests"

# THROTTLED answers (another client spent the points): waited out, sent again.
curl -s -X POST -d '{"gql_throttle_next": 2}' "http://127.0.0.1:$SP/__fake/inject" > /dev/null
curl -s -X POST "http://127.0.0.1:$SP/__fake/reset-stats" > /dev/null
mkdir thr
recon --config slow.ini --db thr/thr.db -v snapshot --period 2026-10; expect_rc 0
grep_in err "shopify: GraphQL Payouts: throttled"
t=$(fake_stat slow sp 'd["graphql"]["throttled"]')
grep "GraphQL [0-9][0-9]* requests, .* $t throttled" err > /dev/null || fail "throttled count: $(grep 'GraphQL 1[0-9] req' err)"
[ "$t" -ge 2 ] || fail "$t throttled answers"
digests thr/thr.db 1 > thr.txt
cmp gql.txt thr.txt || fail "the throttled fetch gives other digests"

# A GraphQL error: exit 4 naming the operation and Shopify's words; nothing stored.
curl -s -X POST -d '{"gql_error_next": 1, "gql_error_op": "BalanceTransactions"}' \
	"http://127.0.0.1:$SP/__fake/inject" > /dev/null
mkdir er && recon --config slow.ini --db er/err.db snapshot --period 2026-10; expect_rc 4
grep_in err "shopify: GraphQL BalanceTransactions failed: Internal error. Looks like something went wrong on our end."
grep_in err "(INTERNAL_SERVER_ERROR)"
[ "$(sqlite3 er/err.db 'SELECT count(*) FROM snapshot')" = 0 ] || fail "a failed fetch stored a snapshot"
[ -z "$(ls -A er/evidence 2>/dev/null | grep -v '^s[0-9]*$')" ] || fail "leftovers in evidence/: $(ls -A evidence)"
stop_fakes
# A token without the payouts scope: Shopify's ACCESS_DENIED, exit 4.
start_fakes scope "$DEMO" "--scopes read_orders,read_locations,read_products,read_inventory" ""
LIVE_API=graphql LIVE_BULK=orders live_ini scope.ini
mkdir sc && recon --config scope.ini --db sc/scope.db snapshot --period 2026-10; expect_rc 4
grep_in err "shopify: GraphQL Payouts failed: Access denied for shopifyPaymentsAccount field."
grep_in err "(ACCESS_DENIED)"

no_secrets out err gql.err slow.err gql.db rest.db gql rest evidence
echo ok
