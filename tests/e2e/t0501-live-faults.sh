#!/bin/sh
# tier: full
# Faults: with about 10 % of answers failing (500/502/503, connections cut
# mid-body, truncated JSON; seeded) a live snapshot retries its way to the
# same rows as a clean one. When a server keeps failing, recon gives up with
# exit 4, names the URL and the request id, and stores nothing at all.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

faults="--fail-rate 0.04 --cut-rate 0.03 --truncate-rate 0.03"

# A clean reference.
start_fakes clean "$DEMO" "--leak 1000" ""
live_ini clean.ini
recon --config clean.ini --db clean.db snapshot --period 2026-10 --save-raw clean-pages; expect_rc 0
stop_fakes

# The same month with faults on both sides. ERPNext's documents come in a
# handful of list queries, so its faults are denser there (about 30 %).
efaults="--fail-rate 0.12 --cut-rate 0.09 --truncate-rate 0.09"
start_fakes faulty "$DEMO" "--leak 1000 $faults --seed 11" "$efaults --seed 12"
live_ini faulty.ini
recon --config faulty.ini -v snapshot --period 2026-10; expect_rc 0
cp err faulty.err
s_faults=$(fake_stat faulty sp 'd["faults_total"]')
e_faults=$(fake_stat faulty ep 'd["faults_total"]')
e_req=$(fake_stat faulty ep 'd["requests"]')
echo "faults served: shopify $s_faults, erpnext $e_faults of $e_req requests"
[ "$e_faults" -ge 3 ] || fail "too few faults injected ($e_faults) for the test to mean anything"
grep_in faulty.err "(retrying)"
retries=$(grep -c "(retrying)" faulty.err)
[ "$retries" -ge "$((s_faults + e_faults))" ] || fail "$retries retries for $((s_faults + e_faults)) faults"
digests clean.db 1 > a.txt
digests recon.db 1 > b.txt
cmp a.txt b.txt || { diff a.txt b.txt; fail "faults changed the rows"; }
# GraphQL pages carry the cost bucket as the server saw it at that moment
# (extensions.cost.throttleStatus): that part depends on timing, never the data.
python3 - clean-pages evidence/s1 <<'PY' || fail "faults changed the saved pages"
import filecmp, json, os, sys
a, b = sys.argv[1:3]
bad = 0
for root, _, files in os.walk(a):
    for f in files:
        pa = os.path.join(root, f)
        pb = os.path.join(b, os.path.relpath(pa, a))
        if "/graphql/" in pa:
            x, y = json.load(open(pa)), json.load(open(pb))
            x.pop("extensions", None); y.pop("extensions", None)
            bad += x != y
        else:
            bad += not filecmp.cmp(pa, pb, shallow=False)
n = lambda d: sum(len(fs) for _, _, fs in os.walk(d))
sys.exit(1 if bad or n(a) != n(b) else 0)
PY
recon verify; expect_rc 0
no_secrets faulty.err out recon.db evidence
stop_fakes

# ... and a site read one document at a time (it refuses child-table fields
# in lists), at 10 %: hundreds of requests over four connections.
start_fakes faulty2 "$DEMO" "--leak 1000" "$faults --seed 12 --refuse-child-fields 403"
live_ini faulty2.ini
recon --config faulty2.ini --db faulty2.db -v snapshot --period 2026-10 --save-raw faulty2-pages; expect_rc 0
cp err faulty2.err
e_faults=$(fake_stat faulty2 ep 'd["faults_total"]')
[ "$e_faults" -ge 5 ] || fail "too few faults injected ($e_faults) in the one-document fetch"
grep_in faulty2.err "fetching the documents one at a time"
digests faulty2.db 1 > c.txt
cmp a.txt c.txt || { diff a.txt c.txt; fail "faults changed the rows of the one-document fetch"; }
no_secrets faulty2.err out faulty2.db faulty2-pages
stop_fakes

# A server that keeps failing: exit 4, nothing stored, no folder left.
start_fakes broken "$DEMO" "--leak 1000" "--fail-rate 1 --max-fault-streak 1000 --seed 3"
live_ini broken.ini
printf 'retries = 2\n' >> broken.ini
recon --config broken.ini --db broken.db -v snapshot --period 2026-10; expect_rc 4
grep_in err "erpnext: giving up on GET 'http://127.0.0.1:$EP/api/resource/Sales%20Order?"
grep_in err "after 3 attempts"
grep_in err "nothing was stored"
[ "$(sqlite3 broken.db 'SELECT count(*) FROM snapshot')" = 0 ] || fail "a failed fetch stored a snapshot"
[ "$(sqlite3 broken.db 'SELECT count(*) FROM extract')" = 0 ] || fail "a failed fetch stored extracts"
[ -z "$(ls -A evidence 2>/dev/null | grep -v '^s1$')" ] || fail "a failed fetch left pages: $(ls -A evidence)"
no_secrets out err broken.db evidence

# Shopify cutting every connection: the message names the URL; --save-raw
# leaves no folder behind either.
stop_fakes
start_fakes cut "$DEMO" "--leak 1000 --cut-rate 1 --max-fault-streak 1000" ""
live_ini cut.ini
printf 'retries = 1\n' >> cut.ini
recon --config cut.ini --db cut.db snapshot --period 2026-10 --save-raw cut-pages; expect_rc 4
grep_in err "shopify: giving up on GET 'http://127.0.0.1:$SP/admin/api/2025-07/shop.json?fields="
grep_in err "' after 2 attempts"
[ ! -e cut-pages ] || fail "a failed --save-raw fetch left its folder"
[ -z "$(ls -d cut-pages* 2>/dev/null)" ] || fail "a failed --save-raw fetch left a pending folder"
[ "$(sqlite3 cut.db 'SELECT count(*) FROM snapshot')" = 0 ] || fail "a failed fetch stored a snapshot"

# 5xx answers carry a request id: the give-up message quotes it.
stop_fakes
start_fakes rid "$DEMO" "--leak 1000 --fail-rate 1 --max-fault-streak 1000" ""
live_ini rid.ini
printf 'retries = 1\n' >> rid.ini
recon --config rid.ini --db rid.db snapshot --period 2026-10; expect_rc 4
grep_in err "(request id "
no_secrets out err rid.db
echo ok
