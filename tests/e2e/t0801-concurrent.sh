#!/bin/sh
# Two recon processes on one database: both snapshots complete (the second
# waits for the first), the chain is intact, and diff can read meanwhile.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
for n in 1 2 3; do
	${VALGRIND:-} "$RECON" --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo" >a.out 2>&1 &
	a=$!
	${VALGRIND:-} "$RECON" --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo-reopened" >b.out 2>&1 &
	b=$!
	${VALGRIND:-} "$RECON" --config "$cfg" diff --snapshot 1 --fail-on never >c.out 2>&1 &
	c=$!
	wait $a || { cat a.out; fail "first writer failed"; }
	wait $b || { cat b.out; fail "second writer failed"; }
	wait $c || { cat c.out; fail "reader failed"; }
done
[ "$(count 'SELECT count(*) FROM snapshot')" = 7 ] || fail "expected 7 snapshots"
recon verify; expect_rc 0
echo ok
