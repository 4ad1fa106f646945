#!/bin/sh
# tier: full
# [fetch] parallel (issue 17): the ERPNext side fetched on a thread of its
# own while Shopify's runs gives what the old order gives. The demo month
# fetched live both ways (parallel = yes, the default, and no): the same
# table digests and the same saved pages, byte for byte; -v says each
# side's time and how much overlapped; the Journal Entries (whose filter
# names Shopify's payouts) still name them.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

# A bucket that restores at once: every GraphQL page's throttleStatus is
# then the same in both fetches, so the pages can be compared byte for
# byte. Latency on both sides, so the two really run at the same time.
start_fakes demo "$DEMO" "--leak 1000 --gql-restore 1000000000 --latency-ms 20" "--latency-ms 20"
live_ini par.ini
live_ini seq.ini
printf '[fetch]\nparallel = no\n' >> seq.ini
# each database in its own folder: each keeps its pages in its own evidence/
mkdir par seq

recon --config par.ini --db par/recon.db -v snapshot --period 2026-10; expect_rc 0
cp err par.err
recon --config seq.ini --db seq/recon.db -v snapshot --period 2026-10; expect_rc 0
cp err seq.err

grep -q "fetch: shopify [0-9.]* s, erpnext [0-9.]* s, together (\[fetch\] parallel = yes): [0-9.]* s overlapped" par.err ||
	fail "no overlap line in -v: $(grep 'fetch: shopify' par.err)"
grep -q "fetch: shopify [0-9.]* s, erpnext [0-9.]* s, one after the other (\[fetch\] parallel = no): 0.0 s overlapped" seq.err ||
	fail "no sequential line in -v: $(grep 'fetch: shopify' seq.err)"
# the sides really overlapped (both had work for well over a second)
python3 - par.err <<'PY' || fail "the two sides did not overlap: $(grep 'fetch: shopify' par.err)"
import re, sys
m = re.search(r"fetch: shopify ([0-9.]+) s, erpnext ([0-9.]+) s, together .*: ([0-9.]+) s overlapped, ([0-9.]+) s in all",
              open(sys.argv[1]).read())
shop, erp, both, wall = map(float, m.groups())
assert both > 0.5 * min(shop, erp), m.group(0)
assert wall < shop + erp, m.group(0)
PY
# ERPNext's request count is the same either way: the work is not repeated
n_par=$(sed -n 's/.*erpnext: \([0-9]*\) requests over.*/\1/p' par.err)
n_seq=$(sed -n 's/.*erpnext: \([0-9]*\) requests over.*/\1/p' seq.err)
[ -n "$n_par" ] && [ "$n_par" = "$n_seq" ] || fail "erpnext requests: $n_par together, $n_seq in turn"

# The same rows...
digests par/recon.db 1 > par.dig
digests seq/recon.db 1 > seq.dig
[ -s par.dig ] || fail "no digests"
cmp -s par.dig seq.dig || { diff par.dig seq.dig >&2; fail "table digests differ between parallel = yes and no"; }
# ... from the same pages, byte for byte, and the same extract records
pages_of() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); }
[ "$(sqlite3 par/recon.db 'SELECT raw_dir FROM snapshot')" = "$WORK/par/evidence/s1" ] || fail "par raw_dir"
pages_of par/evidence/s1 > par.pages
pages_of seq/evidence/s1 > seq.pages
[ "$(wc -l < par.pages)" -gt 20 ] || fail "few pages: $(wc -l < par.pages)"
grep -q "erpnext/journal_entry/page-0001.json" par.pages || fail "no journal entry page"
cmp -s par.pages seq.pages || { diff par.pages seq.pages >&2; fail "the saved pages differ between parallel = yes and no"; }
q="SELECT name, endpoint, filters, fetched_at IS NULL FROM extract WHERE snapshot_id = 1 ORDER BY name"
sqlite3 par/recon.db "$q" > par.ex
sqlite3 seq/recon.db "$q" > seq.ex
cmp -s par.ex seq.ex || { diff par.ex seq.ex >&2; fail "extract records differ"; }
# the Journal Entries asked for by the period's payouts even though they
# were fetched while Shopify was still running
grep -q "cheque_no" par.ex || fail "the journal entry filter names no payouts: $(grep journal_entry par.ex)"
# and the same discrepancies
recon --config par.ini --db par/recon.db diff --format json; cp out par.json
recon --config seq.ini --db seq/recon.db diff --format json; cp out seq.json
same_diff par.json seq.json || fail "discrepancies differ between parallel = yes and no"
[ -z "$(ls -A par/evidence | grep -v '^s1$')" ] || fail "leftovers in par/evidence/: $(ls -A par/evidence)"
no_secrets par.err seq.err par seq
grep -h "fetch: shopify" par.err seq.err >&2
