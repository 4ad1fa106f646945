#!/bin/sh
# recon report on the demo month: the workbook's sheets, headers, values,
# links, frozen headers and formats; formula-looking text stays text; every
# PDF page renders, non-Latin names and "page 1 of" are in its text; two
# runs are byte-identical; the Journal Entries section; a bad template or
# output folder is exit 2 naming what is wrong, with no file left behind.
. tests/e2e/lib.sh

demo=$SAMPLES/demo
cfg=$demo/recon.ini
cp -R "$TOP/templates" templates

recon --config "$cfg" snapshot --period 2026-10 --raw "$demo"; expect_rc 0
recon --config "$cfg" report --out r --as-of 2026-11-05T09:00:00Z; expect_rc 0
x=r/recon-2026-10-s1.xlsx
p=r/recon-2026-10-s1.pdf
[ -s "$x" ] && [ -s "$p" ] || fail "report files missing"
grep_in out "$x"
grep_in out "$p"
[ -z "$(find r -name '*.tmp')" ] || fail "temporary file left in r/"

# ---- workbook: sheets in template order, headers, values, links, formats
mkdir xl1 && (cd xl1 && unzip -q "../$x")
grep -o '<sheet name="[^"]*"' xl1/xl/workbook.xml | sed 's/<sheet name="//; s/"$//' > sheets
printf '%s\n' Summary Evidence Orders Fulfilment Refunds Payouts Stock "Master data" \
	"GL changes after close" "Sample for vouching" "Clearing roll-forward" "Tax roll" "Journal Entries" "Run record" > want-sheets
cmp -s sheets want-sheets || { diff want-sheets sheets; fail "sheet list"; }
orders=xl1/xl/worksheets/sheet3.xml
for h in Severity Code Key "What differs" "Shopify order" "ERPNext document" "First seen" "Age (days)"; do
	grep_in "$orders" "<t>$h</t>"
done
grep_in "$orders" 'state="frozen"'
grep_in "$orders" '<autoFilter ref="A4:'
grep_in xl1/xl/worksheets/sheet1.xml '<t>Control totals</t>'
grep_in xl1/xl/worksheets/sheet1.xml '<t>Not explained by the lines above</t>'
grep_in xl1/xl/worksheets/sheet2.xml '<t>SHA-256 of the pages</t>'
grep_in xl1/xl/styles.xml 'formatCode="#,##0.00;[Red]-#,##0.00"'
grep_in xl1/xl/styles.xml 'formatCode="yyyy-mm-dd"'
grep_in xl1/docProps/core.xml '2026-11-05T09:00:00Z'
# Every missing order of EXPECTED.tsv is listed with its total as a number
# and a link to the Shopify admin.
grep '^ORDER_MISSING_IN_ERPNEXT' "$demo/EXPECTED.tsv" | cut -f2 > missing
[ -s missing ] || fail "no ORDER_MISSING_IN_ERPNEXT in EXPECTED.tsv"
while read -r order; do
	grep_in "$orders" "<t>$order</t>"
	cents=$(count "SELECT total_price FROM s_order WHERE snapshot_id = 1 AND name = '$order'")
	id=$(count "SELECT id FROM s_order WHERE snapshot_id = 1 AND name = '$order'")
	# A number cell worth exactly that many cents (libxlsxwriter prints 16 digits).
	python3 - "$orders" "$cents" <<'PY' || fail "no number cell of $cents cents for $order"
import re, sys
vals = re.findall(r"<v>([^<]*)</v>", open(sys.argv[1]).read())
cents = int(sys.argv[2])
assert any(abs(float(v) * 100 - cents) < 1e-6 for v in vals if "." in v or cents % 100 == 0)
PY
	grep_in xl1/xl/worksheets/_rels/sheet3.xml.rels "orders/$id\""
done < missing
shop=$(count "SELECT shop FROM snapshot WHERE id = 1")
grep_in xl1/xl/worksheets/_rels/sheet3.xml.rels "https://admin.shopify.com/store/${shop%.myshopify.com}/orders/"
site=$(count "SELECT site FROM snapshot WHERE id = 1")
grep_in xl1/xl/worksheets/_rels/sheet3.xml.rels "$site/app/sales-order/"
grep_in xl1/xl/worksheets/sheet11.xml '<t>Owed through Shopify at the period end</t>'
# The clearing account's GL as a waterfall, charted over the same sheet's cells.
grep_in xl1/xl/worksheets/sheet11.xml '<t>Closing balance</t>'
grep -l "'Clearing roll-forward'!" xl1/xl/charts/chart*.xml > /dev/null || fail "no chart over the roll-forward"
grep_in xl1/xl/worksheets/sheet13.xml 'No Journal Entries planned'

# ---- PDF: every page renders, text extracts, page numbers
pages=$(pdfinfo "$p" | sed -n 's/^Pages: *//p')
[ "$pages" -ge 10 ] || fail "only $pages PDF pages"
mkdir png && pdftoppm -r 50 "$p" png/pg 2>pdftoppm.err || { cat pdftoppm.err; fail "pdftoppm failed"; }
[ "$(ls png | wc -l)" -eq "$pages" ] || fail "pdftoppm rendered $(ls png | wc -l) of $pages pages"
grep_not pdftoppm.err "Error"
pdftotext "$p" text.txt 2>pdftotext.err || fail "pdftotext failed"
grep_not pdftotext.err "Syntax"
grep_in text.txt "opening to closing"
grep_in text.txt "page 1 of $pages"
grep_in text.txt "page $pages of $pages"
grep_in text.txt "Rules appendix"
grep_in text.txt "GL_CHANGED_AFTER_CLOSE"
grep_in text.txt "$(count 'SELECT hash FROM snapshot WHERE id = 1')"
# A customer name in Cyrillic or Greek from the snapshot comes out of the PDF intact.
sqlite3 recon.db "SELECT customer_name FROM e_customer WHERE snapshot_id = 1 UNION SELECT customer_name \
	FROM s_order WHERE snapshot_id = 1 AND customer_name IS NOT NULL" > names
python3 - names text.txt <<'PY' || fail "no non-Latin customer name in the PDF text"
import sys
names = [n.strip() for n in open(sys.argv[1], encoding="utf-8") if n.strip()]
text = open(sys.argv[2], encoding="utf-8").read()
def script(n):
    return any(0x0370 <= ord(c) <= 0x04FF for c in n)      # Greek, Cyrillic
found = [n for n in names if script(n) and n in text]
assert found, [n for n in names if script(n)]
print("found", found[0])
PY

# ---- reproducible: the same command again is byte-identical (the Run
# record names the command line, so the same one is run: --out r again)
mkdir r2 && cp "$x" "$p" r2/
recon --config "$cfg" report --out r --as-of 2026-11-05T09:00:00Z; expect_rc 0
cmp "$x" r2/recon-2026-10-s1.xlsx || fail "xlsx differs between runs"
cmp "$p" r2/recon-2026-10-s1.pdf || fail "pdf differs between runs"
# Without --as-of the snapshot's time is used, still reproducibly.
recon --config "$cfg" report --out r3; expect_rc 0
mv r3 r4
recon --config "$cfg" report --out r3; expect_rc 0
cmp r3/recon-2026-10-s1.pdf r4/recon-2026-10-s1.pdf || fail "pdf without --as-of differs"
cmp r3/recon-2026-10-s1.xlsx r4/recon-2026-10-s1.xlsx || fail "xlsx without --as-of differs"

# ---- Journal Entries: planned entries with their lines and a total
recon --config "$cfg" journal; expect_rc 0
recon --config "$cfg" report --out rj --as-of 2026-11-05T09:00:00Z; expect_rc 0
mkdir xlj && (cd xlj && unzip -q ../rj/recon-2026-10-s1.xlsx)
bank=$(sed -n 's/^bank *= *//p' "$cfg")
grep_in xlj/xl/worksheets/sheet13.xml "<t>$bank</t>"
grep_in xlj/xl/worksheets/sheet13.xml "<t>Total</t>"
grep_in xlj/xl/worksheets/sheet13.xml "<t>planned</t>"
pdftotext rj/recon-2026-10-s1.pdf - | grep -qF "$bank" || fail "bank account not in the PDF's Journal Entries"

# ---- formula-looking customer names and SKUs are stored as text
order=$(head -n 1 missing)
sqlite3 recon.db "UPDATE s_order SET customer_name = '=1+2 Eve' WHERE name = '$order'"
sqlite3 recon.db "UPDATE s_order SET customer_name = '@SUM(A1)' WHERE name = '$(sed -n 2p missing)'"
sqlite3 recon.db "UPDATE s_variant SET sku = '=HYPERLINK(1)' WHERE snapshot_id = 1 AND sku = \
	(SELECT sku FROM s_variant WHERE snapshot_id = 1 AND sku NOT IN (SELECT item_code FROM e_item) LIMIT 1)"
# report reads the discrepancies diff stored (rules_cache.c); rows edited
# behind recon's back need a diff to be seen
recon --config "$cfg" diff --fail-on never; expect_rc 0
recon --config "$cfg" report --out rf --as-of 2026-11-05T09:00:00Z; expect_rc 0
mkdir xlf && (cd xlf && unzip -q ../rf/recon-2026-10-s1.xlsx)
grep_in xlf/xl/worksheets/sheet3.xml '<t>=1+2 Eve</t>'
grep_in xlf/xl/worksheets/sheet3.xml '<t>@SUM(A1)</t>'
if [ "$(count "SELECT count(*) FROM s_variant WHERE sku = '=HYPERLINK(1)'")" -gt 0 ]; then
	grep_in xlf/xl/worksheets/sheet7.xml '<t>=HYPERLINK(1)</t>'
fi
! grep -l '<f>' xlf/xl/worksheets/*.xml || fail "a cell became a formula"

# ---- the sample: a draw of 3 is the first 3 of the draw of 25, in rank
# order (the ranks are kept in a bounded heap while the population is read)
sed 's/^\[report\]$/[report]\nsample_size = 3/' "$cfg" > small.ini
grep_in small.ini 'sample_size = 3'
recon --config small.ini report --out rs --as-of 2026-11-05T09:00:00Z; expect_rc 0
draws() { python3 "$TOP/bench/xlsx_cells.py" "$1" | awk -F'\t' '$1 == "Sample for vouching" && $2 ~ /^B[0-9]+$/ && $2 != "B4" { print $4 }'; }
draws r/recon-2026-10-s1.xlsx > d25
draws rs/recon-2026-10-s1.xlsx > d3
[ "$(wc -l < d25)" -eq 25 ] || fail "a draw of 25 from the demo month has $(wc -l < d25) rows"
[ "$(wc -l < d3)" -eq 3 ] || fail "a draw of 3 has $(wc -l < d3) rows"
head -n 3 d25 | cmp -s - d3 || { head -n 3 d25; cat d3; fail "the draw of 3 is not the first 3 of 25"; }
sort d25 | cmp -s - d25 || fail "the draws are not in rank order"

# ---- errors: bad template (file and line), bad --as-of, unusable output folder
line=$(grep -n 'integer | age_days' templates/sections.ini | head -n 1 | cut -d: -f1)
sed -i "${line}s/integer | age_days/bogus | age_days/" templates/sections.ini
recon --config "$cfg" report --out rb; expect_rc 2
grep_in err "'templates/sections.ini', line $line"
grep_in err "unknown format 'bogus'"
[ ! -e rb ] || fail "a bad template still wrote files"
cp -R "$TOP/templates/." templates/
echo "this line is wrong" >> templates/sections.ini
recon --config "$cfg" report --out rb; expect_rc 2
grep_in err "'templates/sections.ini', line $(wc -l < templates/sections.ini)"
cp -R "$TOP/templates/." templates/
recon --config "$cfg" report --out rb --as-of yesterday; expect_rc 2
grep_in err "--as-of 'yesterday'"
echo "not a folder" > afile
recon --config "$cfg" report --out afile; expect_rc 2
grep_in err "'afile'"
recon --config "$cfg" report --snapshot 9; expect_rc 2
echo ok
