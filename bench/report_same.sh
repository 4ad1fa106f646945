#!/bin/sh
# Are two report folders the same report? (A change that only makes the
# report cheaper must give the same files but for the run record.)
#
#   sh bench/report_same.sh OLD_DIR NEW_DIR
#
# For every .xlsx under OLD_DIR: each xl/worksheets/sheet*.xml but the last
# (the Run record, which names the executable, its times and paths), its
# shared strings resolved, and its charts are compared with NEW_DIR's; for every .pdf: the `pdftotext` text of every
# page before the Run record's. Prints one line per file; exits 1 on a difference.
set -u
[ $# -eq 2 ] || { echo "usage: $0 OLD_DIR NEW_DIR" >&2; exit 2; }
old=$1 new=$2 rc=0
for x in $(cd "$old" && find . -name '*.xlsx' | sort); do
	python3 - "$old/$x" "$new/$x" <<'PY' || rc=1
import re, sys, zipfile
a, b = (zipfile.ZipFile(p) for p in sys.argv[1:3])
sheets = lambda z: sorted((n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                          key=lambda n: int(re.search(r"(\d+)\.xml$", n).group(1)))
na, nb = sheets(a), sheets(b)
if na != nb:
    sys.exit("DIFF %s: sheets %s against %s" % (sys.argv[1], na, nb))
# a sheet's text cells are indices into sharedStrings.xml, which the Run
# record's strings share: each sheet is compared with its strings put back
def strings(z):
    x = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
    return re.findall(r"<si>(.*?)</si>", x, re.S)
def resolved(z, n, ss):
    return re.sub(r'(<c [^>]*t="s"[^>]*>)<v>(\d+)</v>', lambda m: m.group(1) + "<s>" + ss[int(m.group(2))] + "</s>",
                  z.read(n).decode())
sa, sb = strings(a), strings(b)
bad = [n for n in na[:-1] if resolved(a, n, sa) != resolved(b, n, sb)]
# the charts draw from the sheets' cells: compared whole
parts = lambda z: sorted(n for n in z.namelist() if n.startswith(("xl/charts/", "xl/drawings/")))
if parts(a) != parts(b):
    bad.append("charts %s against %s" % (parts(a), parts(b)))
bad += [n for n in parts(a) if n in parts(b) and a.read(n) != b.read(n)]
if bad:
    sys.exit("DIFF %s: %s" % (sys.argv[1], " ".join(bad)))
print("same %s (%d sheets, the last left out; %d chart parts)" % (sys.argv[1], len(na), len(parts(a))))
PY
done
for p in $(cd "$old" && find . -name '*.pdf' | sort); do
	python3 - "$old/$p" "$new/$p" <<'PY' || rc=1
import subprocess, sys
# pages before the Run record's first page (its heading is also listed in
# the contents, so the cut is by page, not by the first mention)
def pages(path):
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
    pp = text.split("\f")
    k = next((i for i, t in enumerate(pp) if "How this pack was made" in t), len(pp))
    return pp[:k], len(pp)
(a, na), (b, nb) = pages(sys.argv[1]), pages(sys.argv[2])
if a != b:
    bad = [i + 1 for i in range(max(len(a), len(b))) if i >= len(a) or i >= len(b) or a[i] != b[i]]
    sys.exit("DIFF %s: pages %s" % (sys.argv[1], bad[:10]))
print("same %s (%d of %d pages, the Run record's left out)" % (sys.argv[1], len(a), na - 1))
PY
done
exit $rc
