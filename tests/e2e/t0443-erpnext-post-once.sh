#!/bin/sh
# ERPNext's POSTs are never sent again blind either: the fake ERPNext creates
# the Customer and then drops the connection without an answer (or answers
# 502). recon does not send it again (it used to be re-sent by libcurl itself
# on a reused connection), says so and exits 4; the rerun looks it up by
# e-mail and finds it: each Customer created once.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

for kind in drop fail; do
	start_fakes "e$kind" "$DEMO" "" ""
	live_ini live.ini token
	printf '[post]\nsettle_seconds = 1\n' >> live.ini
	recon --config live.ini --db "$kind.db" snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
	recon --config live.ini --db "$kind.db" fix --what customers --format json; expect_rc 0
	n=$(python3 -c "import json; print(len(json.load(open('out'))['fixes']))")
	[ "$n" -ge 1 ] || fail "no Customer planned"
	curl -s -X POST -d "{\"after_next\": 1, \"after_kind\": \"$kind\", \"after_status\": 502, \"after_match\": \"customer_name\"}" \
		"http://127.0.0.1:$EP/__fake/inject" >/dev/null
	recon --config live.ini --db "$kind.db" fix --what customers --post; expect_rc 4
	grep_in err "failed after it was sent"
	grep_in err "not sent again (it may have been carried out)"
	[ "$(fake_stat "e$kind" ep "d['faults']['after']")" = 1 ] || fail "$kind: the fault did not strike"
	[ "$(fake_stat "e$kind" ep "d['by_method'].get('POST', 0)")" = "$n" ] || fail "$kind: a POST was sent again"
	recon --config live.ini --db "$kind.db" fix --what customers --post; expect_rc 0
	grep_in err "already in ERPNext as"
	[ "$(fake_stat "e$kind" ep "d.get('created', {}).get('Customer', 0)")" = "$n" ] || fail "$kind: a Customer created twice"
	echo "$kind after creating: $n Customers, each POSTed once"
	stop_fakes
done
no_secrets drop.db fail.db out err "$WORK"/*.log
echo ok
