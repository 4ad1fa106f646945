#!/bin/sh
# tier: full
# [fetch] parallel = yes, one side failing while the other is still at
# work (issue 17): the failing side's error is the one reported, the other
# side stops at once rather than fetching on, exit 4, nothing stored and no
# pending folder left behind.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

# elapsed CMD...: run recon, the seconds it took in $SECS
elapsed() {
	t0=$(date +%s.%N)
	recon "$@"
	SECS=$(python3 -c "import sys; print('%.1f' % ($(date +%s.%N) - $t0))")
}

nothing_stored() {
	[ ! -e "$1" ] || [ "$(sqlite3 "$1" 'SELECT count(*) FROM snapshot')" = 0 ] || fail "$2: a snapshot was stored"
	[ ! -d "$(dirname "$1")/evidence" ] || [ -z "$(ls -A "$(dirname "$1")/evidence")" ] ||
		fail "$2: left in evidence/: $(ls -A "$(dirname "$1")/evidence")"
	grep_in err "nothing was stored"
}

# 1. ERPNext answers every request 503 while Shopify, slow (0.4 s a
# request: some 10 s for the demo month), is still fetching.
start_fakes erp "$DEMO" "--leak 1000 --latency-ms 400" "--fail-rate 1 --max-fault-streak 100000"
live_ini erp.ini
mkdir erp
elapsed --config erp.ini --db erp/recon.db -v snapshot --period 2026-10; expect_rc 4
cp err erp.err
nothing_stored erp/recon.db "erpnext failing"
grep_in erp.err "erpnext: giving up on GET"
grep_not erp.err "shopify: giving up"
# Shopify had started, and stopped early: far from its whole fetch
n=$(grep -c . "$WORK/erp.shopify.log" || true)
[ "$n" -ge 1 ] || fail "shopify was not asked anything"
python3 -c "import sys; sys.exit(0 if $SECS < 6 else 1)" ||
	fail "the fetch went on for $SECS s after ERPNext failed ($n shopify requests)"
grep_not erp.err "fetch: shopify [0-9.]* s, erpnext"   # no summary of a failed fetch
no_secrets erp.err erp
stop_fakes

# 2. The other way round: Shopify fails while ERPNext, slow, is at work.
start_fakes shop "$DEMO" "--leak 1000 --fail-rate 1 --max-fault-streak 100000" "--latency-ms 400"
live_ini shop.ini
mkdir shop
elapsed --config shop.ini --db shop/recon.db -v snapshot --period 2026-10; expect_rc 4
cp err shop.err
nothing_stored shop/recon.db "shopify failing"
grep_in shop.err "shopify: giving up on"
grep_not shop.err "erpnext: giving up"
n=$(grep -c . "$WORK/shop.erpnext.log" || true)
[ "$n" -ge 1 ] || fail "erpnext was not asked anything"
python3 -c "import sys; sys.exit(0 if $SECS < 6 else 1)" ||
	fail "the fetch went on for $SECS s after Shopify failed ($n erpnext requests)"
no_secrets shop.err shop

# 3. [fetch] parallel = no: the old order, ERPNext not asked before Shopify is done.
rm -f "$WORK/shop.erpnext.log"
printf '[fetch]\nparallel = no\n' >> shop.ini
mkdir seq
recon --config shop.ini --db seq/recon.db snapshot --period 2026-10; expect_rc 4
nothing_stored seq/recon.db "shopify failing, in turn"
[ ! -s "$WORK/shop.erpnext.log" ] || fail "erpnext asked although shopify failed first: $(head -3 "$WORK/shop.erpnext.log")"

# a bad value is a configuration error naming the file
printf '[fetch]\nparallel = maybe\n' >> shop.ini
recon --config shop.ini --db seq/recon.db snapshot --period 2026-10; expect_rc 2
grep_in err "parallel"
exit 0
