#!/usr/bin/env python3
"""Print one sheet of an XLSX workbook as CSV (standard library only: the
test machines have no LibreOffice). usage: xlsx_csv.py FILE.xlsx SHEET-NAME"""
import csv
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def main():
    path, want = sys.argv[1], sys.argv[2]
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    book = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = None
    for sh in book.find("m:sheets", NS):
        if sh.get("name") == want:
            rid = sh.get("{%s}id" % NS["r"])
            for rel in rels:
                if rel.get("Id") == rid:
                    target = "xl/" + rel.get("Target")
    if not target:
        sys.exit("no sheet %r" % want)
    out = csv.writer(sys.stdout, lineterminator="\n")
    for row in ET.fromstring(z.read(target)).iter("{%s}row" % NS["m"]):
        cells = {}
        for c in row.findall("m:c", NS):
            v = c.find("m:v", NS)
            isv = c.find("m:is", NS)
            if c.get("t") == "s" and v is not None:
                text = shared[int(v.text)]
            elif c.get("t") == "inlineStr" and isv is not None:
                text = "".join(t.text or "" for t in isv.iter("{%s}t" % NS["m"]))
            else:
                text = v.text if v is not None else ""
            cells[col_index(c.get("r"))] = text
        if cells:
            width = max(cells) + 1
            out.writerow([row.get("r")] + [cells.get(i, "") for i in range(width)])


main()
