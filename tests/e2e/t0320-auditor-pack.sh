#!/bin/sh
# The auditor's pack (issue 19): reviews follow a (code, key) into later
# snapshots and a resolved one that comes back is reopened; diff --fail-on
# leaves accepted ones out and says how many; the run record is in the
# database and in both files, secrets masked; the prior period and what was
# resolved since; a vouching sample drawn from the snapshot hash (the same
# for the same snapshot, redone here independently); charts in both files;
# reports byte-identical twice with --as-of.
. tests/e2e/lib.sh
cfg=$SAMPLES/demo/recon.ini
csv() { python3 "$TOP/tests/xlsx_csv.py" "$@"; }

recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0

# ---- review: unknown (code, key) and bad input are usage errors, nothing recorded
recon --config "$cfg" review ORDER_TOTAL_MISMATCH '#9999' --status accepted; expect_rc 2
grep_in err "no snapshot has a discrepancy ORDER_TOTAL_MISMATCH '#9999'"
recon --config "$cfg" review NOT_A_CODE x --status accepted; expect_rc 2
recon --config "$cfg" review ORDER_TOTAL_MISMATCH '#1239' --status maybe; expect_rc 2
recon --config "$cfg" review ORDER_TOTAL_MISMATCH '#1239'; expect_rc 2
[ "$(count "SELECT count(*) FROM review")" = 0 ] || fail "a refused review was recorded"

# ---- two decisions; the note's secret is masked like the command line's
RECON_SHOPIFY_TOKEN=shpat_0123456789abcdef
export RECON_SHOPIFY_TOKEN
recon --config "$cfg" review ORDER_TOTAL_MISMATCH '#1239' --status accepted --by alice \
	--note "one cent of rounding, agreed (shpat_0123456789abcdef)"; expect_rc 0
unset RECON_SHOPIFY_TOKEN
grep_in out "ORDER_TOTAL_MISMATCH #1239: accepted by alice (snapshot 1)"
recon --config "$cfg" review STOCK_DRIFT 'TRS-BLK-42@Newark FC - DO' --status resolved --note "count posted"; expect_rc 0
[ "$(count "SELECT count(*) FROM run WHERE command LIKE '%shpat_%' OR settings LIKE '%shpat_%'")" = 0 ] ||
	fail "the token is in the run record"
[ "$(count "SELECT count(*) FROM review WHERE note LIKE '%shpat_%'")" = 0 ] || fail "the token is in a note"
[ "$(count "SELECT count(*) FROM run WHERE command LIKE '%review ORDER_TOTAL_MISMATCH%***%' AND verb = 'review' AND user <> ''
	AND version <> '' AND revision <> '' AND length(config_digest) = 64 AND snapshot_id = 1
	AND exit_status = 0 AND ended_at IS NOT NULL")" = 1 ] || fail "the review's run record is incomplete"

# ---- diff shows the state in all three formats; --fail-on leaves accepted ones out
recon --config "$cfg" diff; expect_rc 1
grep -q '#1239 *accepted' out || fail "table lacks the accepted state"
grep_in out "(accepted by alice, 2026-11-05: one cent of rounding, agreed (***))"
grep_in err "--fail-on error: 1 accepted discrepancy left out (recon review --list)"
errors_all=$(count "SELECT count(*) FROM discrepancy WHERE snapshot_id = 1 AND severity = 'error'")
recon --config "$cfg" diff --format json; expect_rc 1
python3 - out "$errors_all" <<'PY' || fail "json review states"
import json, sys
doc = json.load(open(sys.argv[1]))
by = {(d["code"], d["key"]): d["review"] for d in doc["discrepancies"]}
assert by[("ORDER_TOTAL_MISMATCH", "#1239")]["status"] == "accepted", by[("ORDER_TOTAL_MISMATCH", "#1239")]
assert by[("ORDER_TOTAL_MISMATCH", "#1239")]["reviewer"] == "alice"
assert by[("STOCK_DRIFT", "TRS-BLK-42@Newark FC - DO")]["status"] == "resolved"
assert by[("ORDER_TOTAL_MISMATCH", "#1228")] == {"status": "open", "reviewer": None, "reviewed_at": None, "note": None}
PY
recon --config "$cfg" diff --format csv; expect_rc 1
grep_in out "review_status,reviewer,reviewed_at,review_note"
grep_in out ',accepted,alice,2026-11-05T09:00:00Z,"one cent of rounding, agreed (***)"'
# With only the accepted error left, --fail-on error passes.
recon --config "$cfg" diff --fail-on never; expect_rc 0
grep_not err "left out"

# ---- review --list, table and JSON
recon --config "$cfg" review --list; expect_rc 0
grep_in out "2 reviewed discrepancies"
recon --config "$cfg" review --list --format json; expect_rc 0
python3 - out <<'PY' || fail "review --list json"
import json, sys
r = {(x["code"], x["key"]): x for x in json.load(open(sys.argv[1]))["reviews"]}
x = r[("STOCK_DRIFT", "TRS-BLK-42@Newark FC - DO")]
assert x["status"] == "resolved" and x["last_seen_snapshot"] == 1 and len(x["history"]) == 1, x
PY

# ---- a new snapshot: the decisions follow; the resolved drift is still there: reopened
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo-reopened"; expect_rc 0
recon --config "$cfg" diff; expect_rc 1
grep -q '#1239 *accepted' out || fail "the accepted review did not survive the new snapshot"
grep -q 'TRS-BLK-42@Newark FC - DO *reopened' out || fail "the resolved exception is not flagged reopened"
grep_in out "(resolved by"
grep_in out "found again in a later snapshot"

# ---- reports of snapshot 2: twice the same command, the same bytes
recon --config "$cfg" report --out r --as-of 2026-11-05T09:00:00Z; expect_rc 0
x=r/recon-2026-10-s2.xlsx
p=r/recon-2026-10-s2.pdf
mkdir keep && cp "$x" "$p" keep/
recon --config "$cfg" report --out r --as-of 2026-11-05T09:00:00Z; expect_rc 0
cmp "$x" keep/recon-2026-10-s2.xlsx || fail "workbook differs between two runs"
cmp "$p" keep/recon-2026-10-s2.pdf || fail "PDF differs between two runs"

# the run record, in both files
pdftotext -layout "$p" pack.txt
for t in "How this pack was made" "Source revision" "Configuration digest" "Settings and mappings used" \
	"Runs that made this snapshot" "Command line" "amount_tolerance"; do
	grep_in pack.txt "$t"
done
csv "$x" "Run record" > run.csv
grep_in run.csv "Written by,recon "
# this report's own command line, user and host are in the database, not in the
# files (another --out or machine must not change the bytes); the runs that
# made the snapshot are listed with theirs
grep_not run.csv "report --out r --as-of"
count "SELECT command FROM run ORDER BY id DESC LIMIT 1" | grep -q "report --out r --as-of 2026-11-05T09:00:00Z" ||
	fail "the report's run row lacks its command line"
grep_in run.csv "snapshot --period 2026-10"
grep_in run.csv ",$(count "SELECT user FROM run ORDER BY id DESC LIMIT 1"),"
grep_in run.csv "match,amount_tolerance,0.00"
grep_in run.csv 'match,item_match,"ecommerce_item,item_code (built-in default)"'
grep_in run.csv "payout types used,charge,clearing: "
grep -q "snapshot --period 2026-10 --raw $SAMPLES/demo-reopened" run.csv || fail "the snapshot's run is not listed"
grep_not run.csv "access_token"
# review states in the sections
csv "$x" Stock > stock.csv
grep -q 'TRS-BLK-42@Newark FC - DO,.*,reopened,' stock.csv || fail "reopened not in the Stock sheet"
csv "$x" Orders > orders.csv
grep -q '#1239,.*,accepted,alice,one cent of rounding, agreed (\*\*\*)' orders.csv ||
	grep -q '#1239,.*,accepted,alice,"one cent of rounding, agreed (\*\*\*)"' orders.csv || fail "accepted not in Orders"
grep_in pack.txt "reopened"
# Evidence says where offline pages came from
csv "$x" Evidence > evidence.csv
grep_in evidence.csv "loaded from disk ($SAMPLES/demo-reopened)"

# ---- the sample: 25 orders, drawn by sha256(snapshot hash || order id), in draw order
csv "$x" "Sample for vouching" > sample.csv
sqlite3 recon.db "SELECT name, id FROM s_order WHERE snapshot_id = 2" > ids.txt
python3 - sample.csv ids.txt "$(count "SELECT hash FROM snapshot WHERE id = 2")" <<'PY' || fail "sample draw"
import csv, hashlib, sys
rows = [r for r in csv.reader(open(sys.argv[1])) if len(r) > 3 and r[1].isdigit()]
ids = dict(line.strip().split("|") for line in open(sys.argv[2]))
h = sys.argv[3]
assert len(rows) == 25, len(rows)
draws = [r[2] for r in rows]
assert draws == sorted(draws), draws
for r in rows:
    want = hashlib.sha256((h + ids[r[3]]).encode()).hexdigest()[:16]
    assert r[2] == want, (r, want)
PY
# the same snapshot draws the same sample; another snapshot another one
recon --config "$cfg" report --snapshot 1 --out r1 --as-of 2026-11-05T09:00:00Z; expect_rc 0
csv r1/recon-2026-10-s1.xlsx "Sample for vouching" | tail -n +4 | cut -d, -f4 > s1a
recon --config "$cfg" report --snapshot 1 --out r1b --as-of 2026-11-06T09:00:00Z; expect_rc 0
csv r1b/recon-2026-10-s1.xlsx "Sample for vouching" | tail -n +4 | cut -d, -f4 > s1b
cmp -s s1a s1b || fail "the same snapshot drew another sample"
cut -d, -f4 sample.csv | tail -n +4 > s2
! cmp -s s1a s2 || fail "two snapshots with different hashes drew the same sample"

# ---- charts: native in the workbook over the Summary's own rows, drawn in the PDF
mkdir xl && (cd xl && unzip -q "../$x")
[ -f xl/xl/charts/chart1.xml ] && [ -f xl/xl/charts/chart2.xml ] || fail "no native charts"
csv "$x" Summary > summary.csv
row=$(grep -n '^[0-9]*,Orders,[0-9]' summary.csv | head -n 1 | cut -d, -f1 | cut -d: -f2)
grep_in xl/xl/charts/chart1.xml "<c:f>Summary!\$A\$$row:\$A\$$((row + 6))</c:f>"
grep_in xl/xl/charts/chart1.xml "<c:f>Summary!\$B\$$row:\$B\$$((row + 6))</c:f>"
grep_in xl/xl/charts/chart1.xml "<c:grouping val=\"stacked\"/>"
grep_in xl/xl/drawings/drawing1.xml "chart"
# the PDF's Summary pages hold the bars: the first series' blue (0x4472C4)
python3 - "$p" <<'PY' || fail "no chart drawn in the PDF"
import subprocess, sys
for page in range(2, 9):
    ppm = subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), sys.argv[1]],
                         capture_output=True, check=True).stdout
    # P6 header: magic, width height, maxval, then RGB bytes
    parts = ppm.split(b"\n", 3)
    data = parts[3]
    blue = sum(1 for i in range(0, len(data) - 2, 3)
               if abs(data[i] - 0x44) < 12 and abs(data[i + 1] - 0x72) < 12 and abs(data[i + 2] - 0xC4) < 12)
    if blue > 200:
        print("chart on page", page, blue)
        sys.exit(0)
sys.exit(1)
PY

# ---- history is kept: a second decision adds a row, the newest wins
recon --config "$cfg" review STOCK_DRIFT 'TRS-BLK-42@Newark FC - DO' --status open --note "not fixed after all"; expect_rc 0
recon --config "$cfg" review --list --format json; expect_rc 0
python3 - out <<'PY' || fail "history"
import json, sys
r = {(x["code"], x["key"]): x for x in json.load(open(sys.argv[1]))["reviews"]}
x = r[("STOCK_DRIFT", "TRS-BLK-42@Newark FC - DO")]
assert x["status"] == "open" and [h["status"] for h in x["history"]] == ["resolved", "open"], x
assert x["snapshot"] == 2, x
PY


# ---- a later period: prior period counts and totals, and what was resolved since
recon --config "$cfg" snapshot --period 2026-11 --raw "$SAMPLES/demo"; expect_rc 0
recon --config "$cfg" report --out r3 --as-of 2026-12-05T09:00:00Z; expect_rc 0
csv r3/recon-2026-11-s3.xlsx Summary > s3.csv
grep_in s3.csv "Prior period,\"2026-10, snapshot 2 (the latest of that period)\""
prior=$(count "SELECT count(*) FROM discrepancy WHERE snapshot_id = 2 AND code = 'ORDER_MISSING_IN_ERPNEXT'")
grep -q "^[0-9]*,Orders,ORDER_MISSING_IN_ERPNEXT,error,[0-9]*,$prior," s3.csv || fail "prior count beside this one"
grep -q "^[0-9]*,error,ORDER_MISSING_IN_ERPNEXT,#1231," s3.csv || fail "#1231 not resolved since"
grep -q "^[0-9]*,error,ORDER_TOTAL_MISMATCH,#1239,.*,accepted,alice" s3.csv || fail "resolved since lacks the review"
python3 - s3.csv <<'PY' || fail "prior period control totals"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
start = [i for i, r in enumerate(rows) if r[1:2] == ["Prior period: control totals"]][0]
body = [r for r in rows[start + 2:start + 12] if len(r) > 8 and r[2] == "USD"]
assert body, rows[start:start + 6]
assert any(r[5] != "" and r[8] != "" for r in body), body   # a difference now and then
PY
echo ok
