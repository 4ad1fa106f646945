#!/bin/sh
# tier: full
# The client-credentials grant: the token is fetched, cached and renewed
# before it expires (a 3 s token over a fetch of several seconds), and the
# client secret shows up nowhere.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

# Every Shopify answer takes 0.3 s: the fetch outlives one token.
start_fakes cc "$DEMO" "--leak 1000 --token '' --client-id $CLIENT_ID --client-secret $CLIENT_SECRET --token-ttl 3 --slow-rate 1 --slow-ms 300" ""
live_ini cc.ini client
recon --config cc.ini -v snapshot --period 2026-10; expect_rc 0
tokens=$(fake_stat cc sp 'd["tokens_issued"]')
refused=$(fake_stat cc sp 'd["auth_failures"]')
echo "tokens issued: $tokens, refused requests: $refused"
[ "$tokens" -ge 2 ] || fail "the token was not renewed ($tokens issued)"
# 90 requests (one transactions page per order) at 0.3 s outlive about ten
# 3 s tokens; one token a request would be 90
[ "$tokens" -le 16 ] || fail "a token per request? ($tokens issued)"
# renewed ahead of time: no request went out with an expired token, or if
# one did (timing), it was renewed and repeated once
[ "$refused" -le 1 ] || fail "$refused requests were refused"
[ "$(fake_stat cc sp 'sum(v for k, v in d["by_status"].items() if k not in ("200", "401"))')" = 0 ] ||
	fail "unexpected answers: $(fake_stat cc sp 'd["by_status"]')"
grep_in err "shopify: got an access token"
# the same rows as with a static token
digests recon.db 1 > a.txt
stop_fakes
start_fakes st "$DEMO" "--leak 1000" ""
live_ini st.ini
mkdir st && recon --config st.ini --db st/st.db snapshot --period 2026-10; expect_rc 0
digests st/st.db 1 > b.txt
cmp a.txt b.txt || { diff a.txt b.txt; fail "client credentials changed the rows"; }
no_secrets out err recon.db st evidence
grep -rlaF -e "$CLIENT_SECRET" "$WORK/cc.shopify.log" && fail "the fake logged the client secret"
echo ok
