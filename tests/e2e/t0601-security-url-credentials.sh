#!/bin/sh
# A user name and password in [erpnext] url or [shopify] shop are taken out
# of the URL when the configuration is read: the snapshot's site, both
# reports, every message and the database hold the URL without them.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

PW=pAss_e2eURLsecret_41d7
# nothing recon writes or prints may hold the password
no_password() {
	if grep -rlaF -- "$PW" "$@" >/dev/null 2>&1; then
		fail "the URL's password leaked into: $(grep -rlaF -- "$PW" "$@" | tr '\n' ' ')"
	fi
}

sed "s#^url = .*#url = https://bob:$PW@erp.demo-outfitters.example/#" "$SAMPLES/demo/recon.ini" > off.ini
recon --config off.ini snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
[ "$(count "SELECT site FROM snapshot WHERE id = 1")" = "https://erp.demo-outfitters.example/" ] ||
	fail "site stored as '$(count "SELECT site FROM snapshot WHERE id = 1")'"
cat out err > run.txt
recon --config off.ini report --out r --as-of 2026-11-05T09:00:00Z; expect_rc 0
cat out err >> run.txt
mkdir xl && (cd xl && unzip -q ../r/recon-2026-10-s1.xlsx)
pdftotext r/recon-2026-10-s1.pdf pdf.txt
grep_in pdf.txt "https://erp.demo-outfitters.example"
grep -rqF "https://erp.demo-outfitters.example/app/" xl || fail "no ERPNext link in the workbook"
grep -rqaF "bob" xl pdf.txt && fail "the user name is in a report"
for c in "diff" "journal" "fix" "snapshots" "verify"; do
	recon --config off.ini -v $c; cat out err >> run.txt
done
no_password run.txt recon.db* r xl pdf.txt

# A URL recon cannot use is refused without showing what was in it.
sed -e "s#^url = .*#url = ftp://bob:$PW@erp.demo-outfitters.example#; s#^access_token =.*#access_token = x#" \
	-e "s#^api_key =.*#api_key = k#; s#^api_secret =.*#api_secret = s#" "$SAMPLES/demo/recon.ini" > ftp.ini
chmod 600 ftp.ini
recon --config ftp.ini snapshot --period 2026-10; expect_rc 2
grep_in err "[erpnext] url"
no_password out err

# Live: the fakes do not ask for the URL's credentials; recon's own sign-in
# still works and the password shows nowhere, -v logs included.
start_fakes uc "$DEMO" "" ""
live_ini live.ini
sed -i "s#^shop = http://#shop = http://bob:$PW@#; s#^url = http://#url = http://bob:$PW@#" live.ini
grep -qF "$PW@127.0.0.1:$EP" live.ini || fail "test setup: no password in the url"
recon --config live.ini --db live.db -v snapshot --period 2026-10; expect_rc 0
no_password out err live.db* evidence "$WORK"/uc.*.log
no_secrets out err live.db* evidence
echo ok
