#!/bin/sh
# [shopify] timezone stands in for a shop page without iana_timezone (older
# API versions) and only then; without either the load stops naming both.
. tests/e2e/lib.sh
keys() { python3 -c 'import json,sys; [print(x["code"]+"\t"+x["key"]) for x in json.load(open("out"))["discrepancies"]]' | sort; }
demo_copy
python3 - <<'PY'
import json
p = "demo/shopify/shop.json"
d = json.load(open(p))
del d["shop"]["iana_timezone"]
d["shop"]["timezone"] = "(GMT-05:00) America/New_York"   # what older versions send instead
json.dump(d, open(p, "w"))
PY
cp "$SAMPLES/demo/recon.ini" plain.ini

# Neither: exit 3, naming the page, the field and the setting.
recon --config plain.ini snapshot --period 2026-10 --raw demo; expect_rc 3
grep_in err "shop.json"; grep_in err "iana_timezone"; grep_in err "[shopify] timezone"
[ "$(count 'SELECT count(*) FROM snapshot')" = 0 ] || fail "a snapshot was stored"

# A zone that is not one: still exit 3, naming the setting's value.
sed 's|^\[shopify\]|[shopify]\ntimezone = Mars/Olympus|' plain.ini > mars.ini
recon --config mars.ini snapshot --period 2026-10 --raw demo; expect_rc 3
grep_in err "Mars/Olympus"

# The setting: the month loads in that zone and gives the demo's findings.
sed 's|^\[shopify\]|[shopify]\ntimezone = America/New_York|' plain.ini > tz.ini
recon --config tz.ini snapshot --period 2026-10 --raw demo; expect_rc 0
[ "$(count 'SELECT timezone FROM snapshot')" = America/New_York ] || fail "zone not recorded"
recon --config tz.ini diff --format json; expect_rc 1
keys > got.tsv
sort "$SAMPLES/demo/EXPECTED.tsv" | diff - got.tsv || fail "findings differ from the demo's with the zone from recon.ini"

# A page that has its zone wins over the setting: Tokyo would move
# late-evening orders into the next day (and out of October).
rm -f recon.db*
sed 's|^\[shopify\]|[shopify]\ntimezone = Asia/Tokyo|' plain.ini > tokyo.ini
recon --config tokyo.ini snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
[ "$(count 'SELECT timezone FROM snapshot')" = America/New_York ] || fail "the setting overrode the page"
recon --config tokyo.ini diff --format json; expect_rc 1
keys > got2.tsv
sort "$SAMPLES/demo/EXPECTED.tsv" | diff - got2.tsv || fail "the setting changed the findings"
echo ok
