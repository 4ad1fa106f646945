#!/bin/sh
# Text that could break a report: control characters, an escape sequence,
# tabs and newlines, formula-looking text and a 40,000-character name, in a
# customer name that reaches both files. Both must still be written, the
# workbook's XML must parse, the formula must stay text, and every PDF page
# must render.
. tests/e2e/lib.sh
demo_copy
python3 - <<'PY'
import glob, json
for p in sorted(glob.glob("demo/shopify/orders/*.json")):
    d = json.load(open(p))
    for o in d["orders"]:
        if o["name"] == "#1231":          # an order the report lists (no Sales Order)
            o["customer"]["first_name"] = "Ctrl\u0001\u0007\u001b[31mRed\tTab\r\nLine"
            o["customer"]["last_name"] = "=HYPERLINK(\"http://x\")" + "Z" * 40000
            json.dump(d, open(p, "w"), ensure_ascii=False)
PY
cfg="$SAMPLES/demo/recon.ini"
recon --config "$cfg" snapshot --period 2026-10 --raw demo; expect_rc 0
recon --config "$cfg" report --out r --as-of 2026-11-05T09:00:00Z; expect_rc 0
x=r/recon-2026-10-s1.xlsx; p=r/recon-2026-10-s1.pdf
[ -s "$x" ] && [ -s "$p" ] || fail "reports not written"
mkdir xl && (cd xl && unzip -q "../$x")
python3 - <<'PY' || fail "workbook XML"
import glob, xml.dom.minidom
for f in glob.glob("xl/**/*.xml", recursive=True):
    xml.dom.minidom.parse(f)                      # raises on malformed XML
sheets = "".join(open(f, encoding="utf-8").read() for f in glob.glob("xl/xl/worksheets/*.xml"))
shared = open("xl/xl/sharedStrings.xml", encoding="utf-8").read() if glob.glob("xl/xl/sharedStrings.xml") else ""
assert "<f>" not in sheets, "a formula was written"
assert "HYPERLINK" in sheets + shared, "the formula-looking name is missing"
PY
pdftoppm -r 20 -png "$p" pg || fail "a PDF page does not render"
pdftotext "$p" - > text.txt || fail "pdftotext"
grep -q "HYPERLINK" text.txt || fail "the name is missing from the PDF"
echo ok
