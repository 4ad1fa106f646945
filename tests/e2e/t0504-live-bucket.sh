#!/bin/sh
# tier: full
# Shopify's leaky bucket at the Standard plan's 40 requests, leaking 2/s:
# recon paces itself from X-Shopify-Shop-Api-Call-Limit so the bucket never
# overflows, yet uses most of the allowed rate (95 % and more when the machine is idle). The bucket starts
# full (another client of the app just spent it), so every request of the
# fetch has to be paced.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
# REST order pages (their bucket, their progress); t0231 fetches the orders by bulk operation
LIVE_API=rest

# REST's call-limit bucket: every Shopify extract on REST ([shopify] api = rest)
LIVE_API=rest
start_fakes bucket "$DEMO" "--bucket 40 --leak 2" ""
live_ini bucket.ini
# fill the bucket to the brim
python3 - "$SP" "$SHOP_TOKEN" <<'PY'
import sys, urllib.request
for i in range(40):
    r = urllib.request.Request("http://127.0.0.1:%s/admin/api/2025-07/shop.json" % sys.argv[1],
                               headers={"X-Shopify-Access-Token": sys.argv[2]})
    urllib.request.urlopen(r).read()
PY
curl -s -X POST "http://127.0.0.1:$SP/__fake/reset-stats" > /dev/null
[ "$(fake_stat bucket sp 'd["bucket"]["used"]')" -ge 38 ] || fail "the bucket did not fill"

recon --config bucket.ini -v snapshot --period 2026-10; expect_rc 0
grep "shopify: bucket" err
line=$(grep "shopify: bucket peak" err)
rate=$(echo "$line" | sed -n 's/.* at \([0-9.]*\)\/s (\([0-9]*\)% of the leak rate).*/\1/p')
pct=$(echo "$line" | sed -n 's/.* at \([0-9.]*\)\/s (\([0-9]*\)% of the leak rate).*/\2/p')
paced=$(echo "$line" | sed -n 's/.*paced \([0-9]*\) requests.*/\1/p')
[ -n "$rate" ] && [ -n "$pct" ] || fail "no pacing figures in: $line"
timing=yes
[ -n "${VALGRIND:-}" ] && timing=no
case "$RECON" in *build-asan*) timing=no;; esac
if [ "$timing" = yes ]; then
	# (under valgrind or ASan the program is several times slower and the
	# bucket drains meanwhile: no timing claim holds there, only the
	# no-overflow ones below)
	[ "$paced" -ge 10 ] || fail "only $paced requests were paced"
	# The figure is printed; the floor only catches a pacer that wastes the
	# bucket outright (a whole second per request would be 50 %). 95 % and
	# more is what an idle machine measures; a loaded one (CI beside other
	# jobs) has measured 91 %.
	[ "$pct" -ge 80 ] || fail "paced at $rate/s: $pct% of the allowed 2/s (want >= 80%)"
	# Above 100 % is not an error by itself: when the machine is slow the
	# bucket drains between requests and recon may catch up. Overflow is what
	# matters, and the fake's figures below check it.
fi
# The fake's view: the bucket never overflowed. Recon cannot know the
# bucket is full before its first answer, so at most that first request may
# be throttled, and it is honoured (waited out, then it succeeds).
limited=$(fake_stat bucket sp 'd["rate_limited"]')
[ "$limited" -le 1 ] || fail "$limited requests were throttled (429)"
[ "$(fake_stat bucket sp 'd["max_bucket_used"]')" -le 40 ] || fail "bucket overflowed"
[ "$(fake_stat bucket sp 'd["by_status"].get("200", 0)')" = "$(fake_stat bucket sp 'd["requests"] - d["rate_limited"]')" ] ||
	fail "a page failed: $(fake_stat bucket sp 'd["by_status"]')"
[ "$(count 'SELECT count(*) FROM snapshot')" = 1 ] || fail "no snapshot"
echo "paced $paced requests at $rate/s ($pct% of 2/s), $limited throttled"
echo ok
