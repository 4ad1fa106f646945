#!/bin/sh
# recon init writes recon.ini from the template, private, and never overwrites.
. tests/e2e/lib.sh

recon init --templates "$TOP/templates"; expect_rc 0
[ -f recon.ini ] || fail "no recon.ini"
{ cat "$TOP/templates/recon.ini"; echo; cat "$TOP/templates/payout-accounts.ini"; } | cmp - recon.ini || fail "recon.ini is not the templates"
[ "$(stat -c %a recon.ini)" = 600 ] || fail "recon.ini is not mode 600"
echo "# mine" >> recon.ini
recon init --templates "$TOP/templates"; expect_rc 2
grep_in err "already exists"
grep_in recon.ini "# mine"
# A malformed config names file and line.
printf '[shopify]\nshop = x\nthis line is wrong\n' > bad.ini
recon --config bad.ini snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 2
grep_in err "'bad.ini', line 3"
# An explicitly named config that does not exist is an error, not defaults.
recon --config missing.ini snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 2
# A config holding a secret and readable by others gets a warning that never shows the secret.
cp "$SAMPLES/demo/recon.ini" open.ini
sed -i 's/^access_token =.*/access_token = shpat_SECRET_12345/' open.ini
chmod 644 open.ini
recon --config open.ini snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
grep_in err "holds secrets and is readable by others"
grep_not err "shpat_SECRET_12345"
chmod 600 open.ini
recon --config open.ini --db other.db snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
grep_not err "readable by others"
echo ok
