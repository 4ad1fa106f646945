#!/bin/sh
# Secrets go over plain http:// only to this machine (127.0.0.0/8, ::1,
# localhost), where the test servers are. Another host is a configuration
# error naming the key, unless [http] insecure = yes or --insecure allow it
# (with a warning). insecure takes yes/no, true/false, on/off, 1/0, and the
# template's own line parses.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

start_fakes ct "$DEMO" "" ""
live_ini live.ini
# 0.0.0.0 reaches this machine on Linux but is no loopback address: it
# stands for a site elsewhere on the network
sed "s#^url = http://127.0.0.1:#url = http://0.0.0.0:#" live.ini > remote.ini
chmod 600 remote.ini
recon --config remote.ini snapshot --period 2026-10; expect_rc 2
grep_in err "'remote.ini', line "
grep_in err "[erpnext] url = 'http://0.0.0.0:$EP': http:// would send the secrets unencrypted"
grep_in err "insecure = yes or --insecure"
[ "$(fake_stat ct sp 'd["requests"]') $(fake_stat ct ep 'd["requests"]')" = "0 0" ] ||
	fail "a request went out"
[ "$(count "SELECT count(*) FROM snapshot")" = 0 ] || fail "a snapshot was stored"

# the Shopify side as well
sed "s#^shop = http://127.0.0.1:#shop = http://0.0.0.0:#" live.ini > remote-shop.ini
chmod 600 remote-shop.ini
recon --config remote-shop.ini snapshot --period 2026-10; expect_rc 2
grep_in err "[shopify] shop = 'http://0.0.0.0:$SP'"

# allowed on request, loudly
for v in yes true On 1; do
	cp remote.ini ins.ini
	printf '[http]\ninsecure = %s\n' "$v" >> ins.ini
	mkdir "ins-$v"
	recon --config ins.ini --db "ins-$v/recon.db" snapshot --period 2026-10; expect_rc 0
	grep_in err "[erpnext] url = 'http://0.0.0.0:$EP': plain http:// (insecure)"
done
mkdir flag
recon --config remote.ini --db flag/recon.db snapshot --period 2026-10 --insecure; expect_rc 0
grep_in err "plain http:// (insecure)"
cp remote.ini no.ini
printf '[http]\ninsecure = off\n' >> no.ini
recon --config no.ini --db no.db snapshot --period 2026-10; expect_rc 2
cp live.ini bad.ini
printf '[http]\ninsecure = maybe\n' >> bad.ini
recon --config bad.ini --db bad.db snapshot --period 2026-10; expect_rc 2
grep_in err "[http] insecure = 'maybe': expected yes or no"

# loopback needs no opt-in and gets no warning
mkdir lo
recon --config live.ini --db lo/recon.db snapshot --period 2026-10; expect_rc 0
grep_not err "insecure"

# the template's line, as written there, is a value recon accepts
line=$(sed -n 's/^insecure = \([a-z]*\).*/insecure = \1/p' "$TOP/templates/recon.ini")
[ -n "$line" ] || fail "templates/recon.ini has no 'insecure =' line"
tline=$(sed -n 's/^# insecure = \([a-z]*\) .*/insecure = \1/p' "$TOP/templates/recon.ini" | head -1)
for l in "$line" "$tline"; do
	cp remote.ini tpl.ini
	printf '[http]\n%s\n' "$l" >> tpl.ini
	rm -rf tpl && mkdir tpl
	recon --config tpl.ini --db tpl/recon.db snapshot --period 2026-10
	case $l in
	*yes) expect_rc 0 ;;
	*) expect_rc 2 ;;
	esac
	grep_not err "expected"
done
no_secrets out err
echo ok
