# Helper for the live-fetch tests (sourced after lib.sh): the fake Shopify
# and ERPNext servers on 127.0.0.1, a recon.ini pointing at them, and the
# checks every live test shares. Not a test itself (tests are t[0-9]*.sh).

FAKES="$TOP/tests/fake"
DEMO="$SAMPLES/demo"
# Test secrets: unusual strings, so a grep for them finds only leaks.
SHOP_TOKEN=shpat_e2eSECRETtoken_5f1c9a
ERP_KEY=e2eKEYvalue_81b2
ERP_SECRET=e2eSECRETvalue_c47d
CLIENT_ID=e2e-client-id
CLIENT_SECRET=e2eCLIENTsecret_9d03
FAKE_PIDS=""

# stop_fakes: SIGTERM (they save their state and exit), SIGKILL after 5 s
# for one that hangs, so no test leaves a server behind or waits forever.
stop_fakes() {
	for p in $FAKE_PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $FAKE_PIDS; do
		n=0
		while kill -0 "$p" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	FAKE_PIDS=""
}
trap 'stop_fakes; rm -rf "$WORK"' EXIT

# start_fakes NAME RAW "SHOPIFY FLAGS" "ERPNEXT FLAGS": ports in $SP and $EP.
start_fakes() {
	name=$1 raw=$2
	rm -f "$WORK/$name.sp" "$WORK/$name.ep"
	# shellcheck disable=SC2086
	python3 "$FAKES/shopify_fake.py" --raw "$raw" --port 0 --port-file "$WORK/$name.sp" --quiet \
		--log "$WORK/$name.shopify.log" --token "$SHOP_TOKEN" $3 &
	FAKE_PIDS="$FAKE_PIDS $!"
	# shellcheck disable=SC2086
	python3 "$FAKES/erpnext_fake.py" --raw "$raw" --port 0 --port-file "$WORK/$name.ep" --quiet \
		--log "$WORK/$name.erpnext.log" --api-key "$ERP_KEY" --api-secret "$ERP_SECRET" $4 &
	FAKE_PIDS="$FAKE_PIDS $!"
	i=0
	while [ ! -s "$WORK/$name.sp" ] || [ ! -s "$WORK/$name.ep" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "the fake servers did not start"
		sleep 0.1
	done
	SP=$(cat "$WORK/$name.sp")
	EP=$(cat "$WORK/$name.ep")
}

# live_ini FILE [token|client|none]: the demo's recon.ini aimed at the fakes;
# retries wait milliseconds, not seconds, so fault tests stay fast.
live_ini() {
	sed -e "s#^shop = .*#shop = http://127.0.0.1:$SP#" \
	    -e "s#^url = .*#url = http://127.0.0.1:$EP#" \
	    -e "/^access_token =/d" -e "/^api_key =/d" -e "/^api_secret =/d" "$DEMO/recon.ini" > "$1"
	case ${2:-token} in
	token) printf '[shopify]\naccess_token = %s\n' "$SHOP_TOKEN" >> "$1" ;;
	client) printf '[shopify]\nclient_id = %s\nclient_secret = %s\n' "$CLIENT_ID" "$CLIENT_SECRET" >> "$1" ;;
	esac
	printf '[erpnext]\napi_key = %s\napi_secret = %s\n[http]\nbackoff_ms = 20\ntimeout = 20\n' \
		"$ERP_KEY" "$ERP_SECRET" >> "$1"
	# LIVE_API=rest|graphql: [shopify] api (unset: the default, graphql)
	[ -z "${LIVE_API:-}" ] || printf '[shopify]\napi = %s\n' "$LIVE_API" >> "$1"
	# LIVE_BULK=all|orders: [shopify] bulk (unset: the default, all)
	[ -z "${LIVE_BULK:-}" ] || printf '[shopify]\nbulk = %s\n' "$LIVE_BULK" >> "$1"
	# LIVE_VERSION: [shopify] api_version instead of the demo's 2025-07
	[ -z "${LIVE_VERSION:-}" ] || sed -i "s/^api_version = .*/api_version = $LIVE_VERSION/" "$1"
	chmod 600 "$1"
}

# fake_stat NAME side EXPR: a figure from a fake's /__fake/stats.
fake_stat() {
	port=$(cat "$WORK/$1.$2")
	curl -s "http://127.0.0.1:$port/__fake/stats" |
		python3 -c "import json,sys; d=json.load(sys.stdin); print($3)"
}

# digests DB SNAPSHOT: "table rows sha256" lines of a snapshot.
digests() { sqlite3 "$1" "SELECT tbl, rows, sha256 FROM table_digest WHERE snapshot_id = $2 ORDER BY tbl"; }

# no_secrets PATH...: none of the test secrets in any file under PATH.
no_secrets() {
	for s in "$SHOP_TOKEN" "$ERP_KEY" "$ERP_SECRET" "$CLIENT_SECRET"; do
		if grep -rlaF -- "$s" "$@" >/dev/null 2>&1; then
			grep -rlaF -- "$s" "$@" >&2
			fail "a secret leaked into: $(grep -rlaF -- "$s" "$@" | tr '\n' ' ')"
		fi
	done
}

# Rows of the demo that a live fetch of 2026-10 leaves out by design, as
# rule (not as a list): orders processed before the widened window and not
# updated since; payouts dated outside the period; balance transactions not
# in a paid payout of the period; levels at unmapped locations; Journal
# Entries dated outside the period whose cheque_no is no period payout.
# same_rows_as_demo LIVE_DB OFFLINE_DB: the live snapshot's rows are exactly
# the offline demo's minus those (every column but snapshot_id and the
# page a row came from).
same_rows_as_demo() {
	python3 - "$1" "$2" "$DEMO" <<'PY'
import collections, glob, json, os, sqlite3, sys
live, off, demo = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2]), sys.argv[3]
def recs(folder, key):
    out = []
    for p in sorted(glob.glob(os.path.join(demo, folder, "*.json"))):
        out += json.load(open(p))[key]
    return out
lo = "2026-09-30T00:00:00Z"
from datetime import datetime, timezone
def utc(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
gone_orders = {o["id"] for o in recs("shopify/orders", "orders")
               if utc(o["processed_at"]) < lo and utc(o["updated_at"]) < lo}
payouts = recs("shopify/payouts", "payouts")
# every status, dated from the period start less the 35 days' look-back;
# their transactions and the pending ones (DESIGN §3)
period = {p["id"] for p in payouts if "2026-08-27" <= p["date"] <= "2026-10-31"}
mapped = {l["id"] for l in recs("shopify/locations", "locations")
          if l["name"] in ("Newark Fulfillment Center", "Brooklyn Store")}
gone_je = {j["name"] for j in recs("erpnext/journal_entry", "data")
           if not ("2026-10-01" <= j["posting_date"] <= "2026-10-31") and str(j.get("cheque_no")) not in {str(i) for i in period}}
# A REST fetch of inventory ([shopify] api = rest) has `available` only: its
# rows are the demo's GraphQL levels at mapped locations, the other quantities NULL.
rest_levels = live.execute("SELECT count(*) = 0 FROM s_inventory_level WHERE on_hand IS NOT NULL").fetchone()[0] \
    and off.execute("SELECT count(*) > 0 FROM s_inventory_level WHERE on_hand IS NOT NULL").fetchone()[0]
only_rest = {"s_inventory_level": ("on_hand", "committed", "reserved", "incoming")}
# Orders by bulk operation ([shopify] api = graphql): the transactions carry
# their presentment amounts (REST's in_shop_currency pages cannot), and a
# shipping refund REST gives as an order adjustment is a refund shipping
# line in GraphQL (lib.sh, REFUND_LINES_AS_GRAPHQL): compared in that form.
bulk = live.execute("SELECT count(*) FROM extract WHERE name = 'shopify/bulk' AND rows > 0").fetchone()[0]
only_bulk = {"s_order_transaction": ("presentment_amount", "presentment_currency")} if bulk else {}
def as_graphql(cols, row):
    r = dict(zip(cols, row))
    if r["source"] == "shipping_adjustment":
        r["source"] = "shipping"
        r["subtotal"] = None if r["subtotal"] is None else -r["subtotal"]
        r["tax"] = None if r["tax"] is None else -r["tax"]
    if r["source"] == "shipping":
        r["line_id"] = None
    return tuple(r[c] for c in cols)
shape = {"s_refund_line": as_graphql} if bulk else {}
out_of_scope = {
    "s_order": lambda r: r["id"] in gone_orders,
    "s_order_line": lambda r: r["order_id"] in gone_orders,
    "s_refund": lambda r: r["order_id"] in gone_orders,
    "s_order_tax_line": lambda r: r["order_id"] in gone_orders,
    "s_refund_line": lambda r: r["order_id"] in gone_orders,
    "s_fulfillment": lambda r: r["order_id"] in gone_orders,
    # one request per fetched order: an order the listing leaves out brings none
    "s_order_transaction": lambda r: r["order_id"] in gone_orders,
    "s_payout": lambda r: r["id"] not in period,
    "s_balance_txn": lambda r: r["payout_id"] is not None and r["payout_id"] not in period,
    # GraphQL inventory (the default) comes from every location; REST from the mapped ones
    "s_inventory_level": lambda r: r["location_id"] not in mapped and rest_levels,
    "e_journal_entry": lambda r: r["name"] in gone_je,
    "e_journal_entry_account": lambda r: r["parent"] in gone_je,
}
bad = 0
tables = [r[0] for r in off.execute("SELECT tbl FROM table_digest WHERE snapshot_id = 1")]
assert len(tables) >= 20, tables
for t in tables:
    cols = [c[1] for c in off.execute("PRAGMA table_info(%s)" % t) if c[1] not in ("snapshot_id", "source_file")
            and not (rest_levels and c[1] in only_rest.get(t, ())) and c[1] not in only_bulk.get(t, ())]
    q = "SELECT %s FROM %s" % (", ".join(cols), t)
    f = shape.get(t, lambda cols, row: row)
    a = collections.Counter(f(cols, r) for r in live.execute(q).fetchall())
    b = collections.Counter(f(cols, r) for r in off.execute(q).fetchall())
    keep = out_of_scope.get(t, lambda r: False)
    want = collections.Counter({r: n for r, n in b.items() if not keep(dict(zip(cols, r)))})
    if a != want:
        bad += 1
        print("%s: %d rows only live, %d only offline (beyond the fetch's scope rules)"
              % (t, sum((a - want).values()), sum((want - a).values())), file=sys.stderr)
    else:
        print("%s: %d rows equal (%d out of the fetch's scope)" % (t, sum(a.values()), sum((b - want).values())))
sys.exit(1 if bad else 0)
PY
}

# drop_stock_quantities A.json...: without the stock comparisons that REST's
# inventory (available only, mapped locations) makes its own way (DESIGN §6).
drop_stock_quantities() {
	python3 - "$@" <<'PY'
import json, sys
q = ("STOCK_DRIFT", "STOCK_COMMITMENT_DRIFT", "STOCK_UNMAPPED_LOCATION")
for p in sys.argv[1:]:
    d = json.load(open(p))
    d["discrepancies"] = [x for x in d["discrepancies"] if x["code"] not in q]
    d["counts"] = {k: v for k, v in d["counts"].items() if k not in q}
    json.dump(d, open(p, "w"))
PY
}

# same_diff A.json B.json: the same discrepancies (snapshot numbers aside).
same_diff() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("snapshot", None)
ka = sorted(json.dumps(x, sort_keys=True) for x in a["discrepancies"])
kb = sorted(json.dumps(x, sort_keys=True) for x in b["discrepancies"])
if a["counts"] != b["counts"] or ka != kb or a.get("period") != b.get("period"):
    print("discrepancies differ:", set(ka) ^ set(kb), a["counts"], b["counts"], file=sys.stderr)
    sys.exit(1)
print("%d discrepancies, identical" % len(ka))
PY
}
