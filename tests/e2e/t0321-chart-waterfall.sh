#!/bin/sh
# The waterfall chart primitive (sections.ini `chart = waterfall | ...`),
# in both renderers, on a small table: the demo month's discrepancies per
# family (seven steps up from zero) closing on their total, which stands on
# zero and must meet the last step. The workbook's chart is stacked columns
# over helper cells written beside the rows; every bar's visible parts add
# up to the row's amount. The PDF draws the steps and the closing bar in
# their colours. (Falls and bars across zero: test_chart.)
. tests/e2e/lib.sh
cp "$SAMPLES/demo/recon.ini" recon.ini
mkdir tpl
cat > tpl/sections.ini <<'INI'
[section]
title = Roll-forward

[table]
title = Discrepancies, family by family
source = discrepancy_ages
chart = waterfall | family | total
column = Family | 24 | text | family
column = New | 8 | integer | days_0_30
column = Count | 8 | integer | total
INI
printf 'templates = %s/tpl\n' "$WORK" >> recon.ini   # [report] is the file's last section
recon --config recon.ini snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
recon --config recon.ini report --out r --as-of 2026-11-05T09:00:00Z; expect_rc 0
x=r/recon-2026-10-s1.xlsx
p=r/recon-2026-10-s1.pdf

mkdir xl && (cd xl && unzip -q "../$x")
ch=xl/xl/charts/chart1.xml
[ "$(grep -o '<c:ser>' "$ch" | wc -l)" = 6 ] || fail "a waterfall has six series"
grep_in "$ch" '<c:grouping val="stacked"/>'
grep_in "$ch" '<c:overlap val="100"/>'
grep_in "$ch" '<c:v>base (no fill)</c:v></c:tx><c:spPr><a:noFill/>'
grep_in "$ch" "<c:f>'Roll-forward'!\$E\$5:\$E\$12</c:f>"
python3 "$TOP/tests/xlsx_csv.py" "$x" Roll-forward > sheet.csv
grep_in sheet.csv "Chart: base (no fill),Chart: increase,Chart: decrease,Chart: total"
python3 - sheet.csv <<'PY' || fail "helper cells do not add up to the rows"
import csv, sys
from decimal import Decimal
rows = [r for r in csv.reader(open(sys.argv[1]))]
head = [i for i, r in enumerate(rows) if "Chart: total" in r][0]
n = 0
for r in rows[head + 1:]:
    if len(r) < 11 or r[5:11] == [""] * 6:
        continue
    amount = Decimal(r[3] or "0")
    base, up, down, total, up_below, down_below = (Decimal(v) for v in r[5:11])
    visible = abs(up) + abs(down) + abs(total) + abs(up_below) + abs(down_below)
    assert visible == abs(amount), (r, visible)
    n += 1
    if r[1] == "Total":   # the closing bar stands on zero and meets the last step
        assert base == 0 and total == amount == last, (r, last)
    else:
        last = base + up
assert n == 8, n
PY
# the PDF: green increases and red decreases, drawn under the table
python3 - "$p" <<'PY' || fail "no waterfall drawn in the PDF"
import subprocess, sys
found = set()
for page in range(2, 6):
    ppm = subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), sys.argv[1]],
                         capture_output=True).stdout
    if not ppm:
        break
    data = ppm.split(b"\n", 3)[3]
    for name, rgb in (("rise", (0x70, 0xAD, 0x47)), ("fall", (0xC0, 0x50, 0x4D)), ("total", (0x44, 0x72, 0xC4))):
        px = sum(1 for i in range(0, len(data) - 2, 3)
                 if all(abs(data[i + k] - rgb[k]) < 12 for k in range(3)))
        if px > 20:
            found.add(name)
assert {"rise", "total"} <= found, found
PY
pdftotext "$p" - | grep -q "opening and closing" || fail "the PDF waterfall has no legend"
# reproducible
mkdir keep && cp "$x" "$p" keep/
recon --config recon.ini report --out r --as-of 2026-11-05T09:00:00Z; expect_rc 0
cmp "$x" keep/recon-2026-10-s1.xlsx && cmp "$p" keep/recon-2026-10-s1.pdf || fail "waterfall not reproducible"
echo ok
