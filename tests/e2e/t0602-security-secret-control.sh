#!/bin/sh
# A control character (CR, LF, ESC...) in a secret would end its HTTP header
# and start one of the sender's choosing. From recon.ini or the environment:
# a configuration error (exit 2) naming the key, never showing the value.
# In an access token Shopify's token endpoint issues: a remote failure
# (exit 4), and no request carries it.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

start_fakes sc "$DEMO" "--token '' --client-id $CLIENT_ID --client-secret $CLIENT_SECRET --bad-token crlf" ""

# recon.ini: a carriage return inside the value (a line feed would end the line)
live_ini cr.ini
printf '[shopify]\naccess_token = shpat_e2eCR\rX-Injected-By-Config: yes\n' > cr-head.ini
sed '/^access_token = /d' cr.ini >> cr-head.ini
chmod 600 cr-head.ini
recon --config cr-head.ini snapshot --period 2026-10; expect_rc 2
grep_in err "'cr-head.ini', line 2: [shopify] access_token holds a control character"
grep_not err "shpat_e2eCR"
grep_not err "X-Injected"

# the environment: any line break
live_ini env.ini
RECON_ERPNEXT_KEY="$(printf 'e2eKEY\r\nX-Injected-By-Env: yes')" recon --config env.ini snapshot --period 2026-10
expect_rc 2
grep_in err "RECON_ERPNEXT_KEY (for [erpnext] api_key) holds a control character"
grep_not err "e2eKEY"
[ "$(fake_stat sc sp 'd["requests"]') $(fake_stat sc ep 'd["requests"]')" = "0 0" ] ||
	fail "a request went out with a bad configured secret"

# a token from the client-credentials grant that ends in CR LF + a header
live_ini cc.ini client
recon --config cc.ini snapshot --period 2026-10; expect_rc 4
grep_in err "control character"
grep_not err "X-Injected"
[ "$(fake_stat sc sp 'd["tokens_issued"]')" -ge 1 ] || fail "no token was asked for"
[ "$(fake_stat sc sp 'sorted(k for k in d["header_names"] if k.startswith("x-injected"))')" = "[]" ] ||
	fail "a header was injected: $(fake_stat sc sp 'd["header_names"]')"
[ "$(fake_stat sc sp 'd["requests"] - d["by_route"].get("POST /admin/oauth/access_token", 0)')" = 0 ] ||
	fail "the bad token was sent: $(fake_stat sc sp 'd["by_route"]')"
no_secrets out err
echo ok
