#!/bin/sh
# Live-fetch benchmark: a generated month (bench/gen_month.py) served by the
# fake Shopify and ERPNext servers on 127.0.0.1, fetched by `recon snapshot`
# without --raw. Prints pages/s, Shopify bucket utilisation (requests/s
# against the leak rate the bucket allows) and retries, once on clean
# servers and once with faults injected. Figures are printed, not asserted.
#
# Environment:
#   FETCH_ORDERS  orders in the month          (default 2000)
#   FETCH_BUCKET  Shopify bucket capacity      (default 40, the Standard plan)
#   FETCH_LEAK    Shopify leak rate, req/s     (default 2)
#   FETCH_API_VERSION  [shopify] api_version instead of the month's 2025-07
#                 (e.g. 2026-10, recon's default: bulk operations run together from 2026-01)
#   FETCH_API     [shopify] api: graphql, rest, or both (default both: the clean run
#                 once per transport, their table digests compared)
#   FETCH_GQL_BUCKET / FETCH_GQL_RESTORE  GraphQL cost bucket, points and points/s
#                 (default 2000 and 100: the standard plan)
#   FETCH_FAULTS  fraction of faulty answers in the second run (default 0.1; 0 skips it)
#   FETCH_ERP_LATENCY_MS  every ERPNext answer waits this long (default 50: a real
#                 site's work and round trip; 0 for none)
#   FETCH_SHAPE   gen_month.py shape (default full: documents as a site holds them)
#   FETCH_FALLBACK  1: one more run where ERPNext refuses child-table fields in
#                 lists (recon reads one document at a time, as before issue 17)
#   FETCH_PAGE_ROWS  [erpnext] page_rows (default: recon's, 5000)
#   FETCH_PARALLEL  [fetch] parallel: yes (the default: Shopify and ERPNext at
#                 the same time) or no (Shopify, then ERPNext)
#   FETCH_KEEP    folder for each run's recon -v log, the fakes' stats and the
#                 summary (default $BENCH_DATA/fetch-o<orders>-<api>)
#   BENCH_DATA    where generated months are cached (default bench/data)
#   RECON         binary                       (default ./recon)
set -eu
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ORDERS=${FETCH_ORDERS:-2000}
BUCKET=${FETCH_BUCKET:-40}
LEAK=${FETCH_LEAK:-2}
FAULTS=${FETCH_FAULTS:-0.1}
LATENCY=${FETCH_ERP_LATENCY_MS:-50}
SHAPE=${FETCH_SHAPE:-full}
FALLBACK=${FETCH_FALLBACK:-0}
API=${FETCH_API:-both}
API_VERSION=${FETCH_API_VERSION:-}
GQL_BUCKET=${FETCH_GQL_BUCKET:-2000}
GQL_RESTORE=${FETCH_GQL_RESTORE:-100}
DATA=${BENCH_DATA:-$top/bench/data}
PAGE_ROWS=${FETCH_PAGE_ROWS:-}
PARALLEL=${FETCH_PARALLEL:-}
KEEP=${FETCH_KEEP:-$DATA/fetch-o$ORDERS-$API}
RECON=${RECON:-$top/recon}
RECON_NOW=${RECON_NOW:-2026-11-05T09:00:00Z}
export RECON_NOW
[ -x "$RECON" ] || { echo "bench: no binary '$RECON' (run make first)" >&2; exit 2; }

month=$DATA/o$ORDERS-s1-$SHAPE
if [ ! -d "$month" ]; then
	mkdir -p "$DATA"
	echo "generating $ORDERS orders into $month ..." >&2
	python3 bench/gen_month.py --orders "$ORDERS" --seed 1 --shape "$SHAPE" --out "$month" >&2
fi

work=$(mktemp -d)
pids=""
# stop PID...: SIGTERM, then SIGKILL after 5 s for a server that hangs.
stop() {
	for p in "$@"; do kill "$p" 2>/dev/null || true; done
	for p in "$@"; do
		n=0
		while kill -0 "$p" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
cleanup() {
	# shellcheck disable=SC2086
	stop $pids
	rm -rf "$work"
}
trap cleanup EXIT

# run NAME "SHOPIFY FLAGS" "ERPNEXT FLAGS" [API]: one live snapshot, its figures.
run() {
	name=$1
	api=${4:-$API}
	[ "$api" != both ] || api=graphql
	d=$work/$name
	mkdir -p "$d"
	# shellcheck disable=SC2086
	python3 tests/fake/shopify_fake.py --raw "$month" --port 0 --port-file "$d/sp" --quiet \
		--token bench_token --bucket "$BUCKET" --leak "$LEAK" --gql-bucket "$GQL_BUCKET" \
		--gql-restore "$GQL_RESTORE" $2 &
	sp_pid=$!
	# shellcheck disable=SC2086
	python3 tests/fake/erpnext_fake.py --raw "$month" --port 0 --port-file "$d/ep" --quiet \
		--api-key bench_key --api-secret bench_secret --latency-ms "$LATENCY" $3 &
	ep_pid=$!
	pids="$pids $sp_pid $ep_pid"
	i=0
	while [ ! -s "$d/sp" ] || [ ! -s "$d/ep" ]; do
		i=$((i + 1))
		[ $i -lt 6000 ] || { echo "bench: the fakes did not start" >&2; exit 2; }
		sleep 0.1
	done
	sp=$(cat "$d/sp")
	ep=$(cat "$d/ep")
	sed -e "s#^shop = .*#shop = http://127.0.0.1:$sp#" -e "s#^url = .*#url = http://127.0.0.1:$ep#" \
		"$month/recon.ini" > "$d/recon.ini"
	printf '[shopify]\naccess_token = bench_token\n[erpnext]\napi_key = bench_key\napi_secret = bench_secret\n' \
		>> "$d/recon.ini"
	printf '[http]\nbackoff_ms = 100\n[shopify]\napi = %s\n' "$api" >> "$d/recon.ini"
	[ -z "$PAGE_ROWS" ] || printf '[erpnext]\npage_rows = %s\n' "$PAGE_ROWS" >> "$d/recon.ini"
	# the generated months pin 2025-07 (one bulk operation at a time); a
	# current version runs the bulk operations together
	[ -z "$API_VERSION" ] || sed -i "s/^api_version = .*/api_version = $API_VERSION/" "$d/recon.ini"
	[ -z "$PARALLEL" ] || printf '[fetch]\nparallel = %s\n' "$PARALLEL" >> "$d/recon.ini"
	chmod 600 "$d/recon.ini"
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	start=$(date +%s.%N)
	set +e
	"$RECON" --config "$d/recon.ini" --db "$d/recon.db" -v snapshot --period 2026-10 >"$d/out" 2>"$d/err"
	rc=$?
	set -e
	end=$(date +%s.%N)
	load1=$(cut -d' ' -f1-3 /proc/loadavg)
	s_stats=$(curl -s "http://127.0.0.1:$sp/__fake/stats")
	e_stats=$(curl -s "http://127.0.0.1:$ep/__fake/stats")
	stop "$sp_pid" "$ep_pid"
	mkdir -p "$KEEP"
	cp "$d/err" "$KEEP/$name.err"
	printf '%s\n' "$s_stats" > "$KEEP/$name.shopify-stats.json"
	printf '%s\n' "$e_stats" > "$KEEP/$name.erpnext-stats.json"
	{
	echo "== $name ($api): exit $rc, $(echo "$end - $start" | bc) s wall (fetch and load); load average $load0 before, $load1 after"
	# the pacing waits are summed per operation below, not listed
	grep -E "recon: (fetched|shopify:|erpnext:)" "$d/err" | grep -v -E "Deprecated|waiting [0-9.]+ s for|throttled \(needs" |
		sed 's/^recon: /   /'
	python3 - "$s_stats" "$e_stats" "$BUCKET" "$LEAK" "$d/err" <<'PY'
import collections, json, re, sys
s, e = json.loads(sys.argv[1]), json.loads(sys.argv[2])
cap, leak = float(sys.argv[3]), float(sys.argv[4])
print("   fake shopify: %d requests, %d throttled (429), bucket peak %d/%d, %d faults served"
      % (s["requests"], s["rate_limited"], s["max_bucket_used"], cap, s["faults_total"]))
g = s.get("graphql") or {}
if g.get("requests"):
    b = g["bucket"]
    print("   fake shopify GraphQL: %d requests, %d throttled, bucket low %.0f of %.0f (restore %.0f/s)"
          % (g["requests"], g.get("throttled", 0), g["low"], b["maximumAvailable"], b["restoreRate"]))
print("   fake erpnext: %d requests, %d faults served, %s" % (e["requests"], e["faults_total"], e["by_status"]))
# per extract (recon -v "fetch: X took S s"), GraphQL operation waits and requests
waits = collections.defaultdict(lambda: [0, 0.0])
took = []
for line in open(sys.argv[5], encoding="utf-8", errors="replace"):
    m = re.match(r"recon: shopify: GraphQL (\w+): waiting ([0-9.]+) s", line)
    if m:
        waits[m.group(1)][0] += 1
        waits[m.group(1)][1] += float(m.group(2))
    m = re.match(r"recon: fetch: (\S+) took ([0-9.]+) s: (\d+) pages?, (\d+) rows, (\d+) bytes", line)
    if m:
        took.append((m.group(1), float(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5))))
if took:
    print("   per extract (wall s, pages, rows, MB):")
    for x, t, p, r, by in took:
        print("     %-30s %8.1f s %6d pages %9d rows %8.1f MB" % (x, t, p, r, by / 1e6))
ops = {k[3:]: v for k, v in g.items() if k.startswith("op:")}
if ops:
    print("   GraphQL operations (requests; pacing waits: count, seconds):")
    for op in sorted(ops):
        w = waits.get(op, [0, 0.0])
        print("     %-24s %5d requests %5d waits %8.1f s waited" % (op, ops[op], w[0], w[1]))
PY
	} | tee "$KEEP/$name.summary"
	if [ "$rc" -ne 0 ]; then
		tail -5 "$d/err"
	else
		# the evidence pages reload offline to the same table digests and the
		# same discrepancies
		"$RECON" --config "$d/recon.ini" --db "$d/reload.db" snapshot --period 2026-10 \
			--raw "$d/evidence/s1" >/dev/null 2>&1 || echo "   offline reload of the pages FAILED"
		q="SELECT tbl, rows, sha256 FROM table_digest ORDER BY tbl"
		if [ "$(sqlite3 "$d/recon.db" "$q")" = "$(sqlite3 "$d/reload.db" "$q")" ]; then
			echo "   digests: the same as the offline load of its pages"
		else
			echo "   digests: DIFFER from the offline load of its pages"
		fi
		"$RECON" --config "$d/recon.ini" --db "$d/recon.db" diff --format csv --fail-on never \
			> "$KEEP/$name.live.csv" 2>/dev/null || echo "   diff of the live snapshot FAILED"
		"$RECON" --config "$d/recon.ini" --db "$d/reload.db" diff --format csv --fail-on never \
			> "$KEEP/$name.offline.csv" 2>/dev/null || echo "   diff of the offline load FAILED"
		n=$(($(wc -l < "$KEEP/$name.live.csv") - 1))
		if cmp -s "$KEEP/$name.live.csv" "$KEEP/$name.offline.csv"; then
			echo "   discrepancies: $n, the same as the offline load's (recon diff, byte for byte)"
		else
			echo "   discrepancies: $n live, $(($(wc -l < "$KEEP/$name.offline.csv") - 1)) offline: they DIFFER"
		fi
	fi 2>&1 | tee -a "$KEEP/$name.summary"
}

echo "live fetch of $ORDERS orders ($SHAPE) through the fakes (bucket $BUCKET at $LEAK/s, GraphQL $GQL_BUCKET points at $GQL_RESTORE/s, ERPNext latency $LATENCY ms)"
if [ "$API" = both ]; then
	run clean-rest "" "" rest
	run clean-graphql "" "" graphql
	q="SELECT tbl, rows, sha256 FROM table_digest ORDER BY tbl"
	if [ "$(sqlite3 "$work/clean-rest/recon.db" "$q")" = "$(sqlite3 "$work/clean-graphql/recon.db" "$q")" ]; then
		echo "   digests: REST and GraphQL fetches the same"
	else
		echo "   digests: REST and GraphQL fetches DIFFER"
		sqlite3 "$work/clean-rest/recon.db" "$q" > "$work/a.txt"
		sqlite3 "$work/clean-graphql/recon.db" "$q" > "$work/b.txt"
		diff "$work/a.txt" "$work/b.txt" | sed 's/^/   /' || true
	fi
else
	run clean "" ""
fi
if [ "$FALLBACK" = 1 ]; then
	run "fallback" "" "--refuse-child-fields 403"
fi
if [ "$FAULTS" != 0 ]; then
	third=$(echo "$FAULTS / 3" | bc -l)
	f="--fail-rate $third --cut-rate $third --truncate-rate $third --seed 5"
	run "faults-$FAULTS" "$f" "$f"
fi
