#!/bin/sh
# Refused credentials: exit 4 with a plain message that names the setting to
# check, never the secret; nothing is stored. Missing settings are exit 2.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

start_fakes auth "$DEMO" "--leak 1000" ""

# Wrong Shopify token (from the environment, which overrides the file).
live_ini auth.ini
RECON_SHOPIFY_TOKEN=shpat_wrongSECRET_0000 recon --config auth.ini -v snapshot --period 2026-10; expect_rc 4
unset RECON_SHOPIFY_TOKEN
grep_in err "Shopify refused the access token for GET 'http://127.0.0.1:$SP/admin/api/2025-07/shop.json?fields="
grep_in err "' (HTTP 401"
grep_in err "check [shopify] access_token"
grep_in err "nothing was stored"
grep_not err "shpat_wrongSECRET_0000"
cp err shopify.err
[ "$(count 'SELECT count(*) FROM snapshot')" = 0 ] || fail "stored a snapshot"
[ -z "$(ls -A evidence 2>/dev/null)" ] || fail "left pages: $(ls -A evidence)"
[ "$(fake_stat auth sp 'd["auth_failures"]')" = 1 ] || fail "a refused static token was retried"

# Wrong ERPNext secret: Shopify is fetched, ERPNext says 401.
sed "s/^api_secret = .*/api_secret = wrongERPsecret_1111/" auth.ini > erp.ini
chmod 600 erp.ini
recon --config erp.ini -v snapshot --period 2026-10; expect_rc 4
grep_in err "ERPNext refused the API key for GET 'http://127.0.0.1:$EP/api/resource/Sales%20Order?"
grep_in err "HTTP 401: AuthenticationError"
grep_in err "check [erpnext] api_key and api_secret"
grep_not err "wrongERPsecret_1111"
cp err erpnext.err
[ "$(count 'SELECT count(*) FROM snapshot')" = 0 ] || fail "stored a snapshot"
[ -z "$(ls -A evidence 2>/dev/null)" ] || fail "left pages: $(ls -A evidence)"

# A key with no secret at all: a configuration error, exit 2, before any request.
grep -v "^api_secret" auth.ini > nosecret.ini
chmod 600 nosecret.ini
recon --config nosecret.ini snapshot --period 2026-10; expect_rc 2
grep_in err "[erpnext] api_secret not set"
grep_not err "$ERP_KEY"

# Wrong client credentials (the client-credentials grant).
live_ini client.ini client
sed -i "s/^client_secret = .*/client_secret = wrongCLIENTsecret_2222/" client.ini
recon --config client.ini snapshot --period 2026-10; expect_rc 4
grep_in err "Shopify refused the client credentials at POST 'http://127.0.0.1:$SP/admin/oauth/access_token' (HTTP 400"
grep_in err "check [shopify] client_id and client_secret"
grep_not err "wrongCLIENTsecret_2222"

no_secrets out err shopify.err erpnext.err recon.db
grep -rlaF -e shpat_wrongSECRET_0000 -e wrongERPsecret_1111 -e wrongCLIENTsecret_2222 \
	out err shopify.err erpnext.err recon.db && fail "a wrong secret was echoed"
echo ok
