#!/bin/sh
# `recon close` runs snapshot, diff, journal and report on one connection:
# what each step leaves on it (temporary tables, statements) must not
# disturb the next, so the close's reports are the same bytes as those of
# the four commands run one by one.
. tests/e2e/lib.sh
cfg=$SAMPLES/demo/recon.ini

recon --config "$cfg" --db one.db close --period 2026-10 --raw "$SAMPLES/demo" --out r1 \
	--as-of 2026-11-05T09:00:00Z; expect_rc 1
grep_in out "== snapshot"
grep_in out "r1/recon-2026-10-s1.pdf"
mv out close.out

recon --config "$cfg" --db steps.db snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
recon --config "$cfg" --db steps.db diff; expect_rc 1
grep -qF -- "$(head -n 1 out)" close.out || fail "close's diff differs from diff's"
recon --config "$cfg" --db steps.db journal; expect_rc 0
recon --config "$cfg" --db steps.db report --out r2 --as-of 2026-11-05T09:00:00Z; expect_rc 0
# The Run record says how each pack was made (one close, or the commands one
# by one): it differs, as it should; every other sheet and page is the same.
for sheet in Summary Evidence Orders Fulfilment Refunds Payouts Stock "Master data" \
	"GL changes after close" "Sample for vouching" "Journal Entries"; do
	python3 "$TOP/tests/xlsx_csv.py" r1/recon-2026-10-s1.xlsx "$sheet" > a.csv
	python3 "$TOP/tests/xlsx_csv.py" r2/recon-2026-10-s1.xlsx "$sheet" > b.csv
	cmp -s a.csv b.csv || { diff a.csv b.csv | head; fail "close's sheet '$sheet' differs"; }
done
python3 "$TOP/tests/xlsx_csv.py" r1/recon-2026-10-s1.xlsx "Run record" > a.csv
grep -q "recon --config .* close --period 2026-10" a.csv || fail "close's run record lacks its command line"
pages=$(pdfinfo r1/recon-2026-10-s1.pdf | awk '/^Pages:/ {print $2}')
[ "$pages" = "$(pdfinfo r2/recon-2026-10-s1.pdf | awk '/^Pages:/ {print $2}')" ] || fail "page counts differ"
i=1
while [ "$i" -le "$pages" ]; do
	pdftotext -layout -f "$i" -l "$i" r1/recon-2026-10-s1.pdf a.txt
	pdftotext -layout -f "$i" -l "$i" r2/recon-2026-10-s1.pdf b.txt
	if ! head -n 1 a.txt | grep -q "Run record$"; then
		cmp -s a.txt b.txt || { diff a.txt b.txt | head; fail "close's PDF page $i differs"; }
	fi
	i=$((i + 1))
done
echo ok
