#!/usr/bin/env python3
"""A month's pages as ERPNext would list them again a few days later: the
re-close that GL_CHANGED_AFTER_CLOSE is for (src/reconcile/gl_changed.c).

    gl_reclose.py SRC DST [--seed N] [--cancel N] [--repost N] [--add N] [--edit N]

DST gets symbolic links to every page of SRC but erpnext/gl_entry, whose
pages are written again (500 rows a page, as the fetch pages them) from
SRC's rows changed the way ERPNext changes a closed month's GL:

- cancel: a Sales Invoice cancelled. Its rows stay where they were with
  is_cancelled = 1, and reversing rows (also cancelled) come at the end, as
  ERPNext's make_reverse_gl_entries does.
- repost: a Delivery Note's rows deleted and made again (a repost of the
  stock valuation): they leave their place, so every later row moves up
  and every later page shifts, and come back at the end with new names,
  half of them with another cost (a changed voucher), half the same (a
  voucher whose lines only moved: not a change).
- add: a Journal Entry posted into the period after it was closed
  (backdated), at the end.
- edit: one row's party changed where it is (no shift).

The GL is listed by creation (erp_order_for), so what is made again or
added comes last. DST/GL-EXPECTED.tsv lists the vouchers GL_CHANGED_AFTER_CLOSE
must report (voucher_type/voucher_no, added|changed|cancelled). Never
writes into SRC. Deterministic for a seed."""
import argparse
import copy
import json
import os
import random
import sys

PAGE = 500


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--cancel", type=int, default=150)
    ap.add_argument("--repost", type=int, default=200)
    ap.add_argument("--add", type=int, default=100)
    ap.add_argument("--edit", type=int, default=20)
    a = ap.parse_args()
    src, dst = os.path.abspath(a.src), os.path.abspath(a.dst)
    gl_dir = os.path.join(src, "erpnext", "gl_entry")
    if not os.path.isdir(gl_dir):
        sys.exit("gl_reclose.py: no erpnext/gl_entry in '%s'" % src)
    if os.path.exists(dst):
        sys.exit("gl_reclose.py: '%s' exists" % dst)
    rnd = random.Random(a.seed)

    rows = []
    for f in sorted(os.listdir(gl_dir)):
        if f.endswith(".json"):
            with open(os.path.join(gl_dir, f)) as fh:
                rows.extend(json.load(fh)["data"])
    by_voucher = {}
    for i, r in enumerate(rows):
        by_voucher.setdefault((r["voucher_type"], r["voucher_no"]), []).append(i)
    live = [k for k, ix in by_voucher.items() if all(not rows[i]["is_cancelled"] for i in ix)]
    sinv = sorted(k for k in live if k[0] == "Sales Invoice")
    dn = sorted(k for k in live if k[0] == "Delivery Note")
    rnd.shuffle(sinv)
    rnd.shuffle(dn)
    expected = {}
    later = "2026-11-04 10:00:00.000000"
    seq = [0]

    def new_name():
        seq[0] += 1
        return "rc%08x" % seq[0]

    tail = []
    # cancelled Sales Invoices
    for k in sinv[:a.cancel]:
        for i in by_voucher[k]:
            rows[i]["is_cancelled"] = 1
            rev = copy.deepcopy(rows[i])
            rev["name"] = new_name()
            rev["creation"] = rev["modified"] = later
            rev["debit"], rev["credit"] = rows[i]["credit"], rows[i]["debit"]
            tail.append(rev)
        expected[k] = "cancelled"
    # reposted Delivery Notes: half revalued, half the same
    gone = set()
    for n, k in enumerate(dn[:a.repost]):
        cost = round(rnd.uniform(1, 50), 2) if n % 2 == 0 else 0
        for i in by_voucher[k]:
            gone.add(i)
            r = copy.deepcopy(rows[i])
            r["name"] = new_name()
            r["creation"] = r["modified"] = later
            if cost and r["debit"]:
                r["debit"] = round(r["debit"] + cost, 2)
            elif cost and r["credit"]:
                r["credit"] = round(r["credit"] + cost, 2)
            tail.append(r)
        if cost:
            expected[k] = "changed"
    # in-place edits of one line's party, on vouchers not touched above
    touched = set(sinv[:a.cancel]) | set(dn[:a.repost])
    for k in sinv[a.cancel:]:
        if a.edit <= 0:
            break
        i = next((i for i in by_voucher[k] if rows[i].get("party")), None)
        if i is None or k in touched:
            continue
        rows[i]["party"] = rows[i]["party"] + "-X"
        expected[k] = "changed"
        a.edit -= 1
    # backdated Journal Entries
    template = next(r for r in rows if r["voucher_type"] == "Journal Entry") if any(
        r["voucher_type"] == "Journal Entry" for r in rows) else rows[0]
    for n in range(a.add):
        no = "ACC-JV-RECLOSE-%05d" % (n + 1)
        amount = round(rnd.uniform(10, 500), 2)
        for acct, dr, cr in (("Shopify Adjustments - BO", amount, 0.0), ("Shopify Clearing - BO", 0.0, amount)):
            r = copy.deepcopy(template)
            r.update(name=new_name(), creation=later, modified=later, voucher_type="Journal Entry",
                     voucher_no=no, account=acct, debit=dr, credit=cr, is_cancelled=0,
                     posting_date="2026-10-%02d" % rnd.randint(1, 31))
            for f in ("party", "party_type"):
                r.pop(f, None)
            tail.append(r)
        expected[("Journal Entry", no)] = "added"
    out = [r for i, r in enumerate(rows) if i not in gone] + tail

    os.makedirs(os.path.join(dst, "erpnext", "gl_entry"))
    for e in os.listdir(src):
        if e != "erpnext":
            os.symlink(os.path.join(src, e), os.path.join(dst, e))
    for e in os.listdir(os.path.join(src, "erpnext")):
        if e != "gl_entry":
            os.symlink(os.path.join(src, "erpnext", e), os.path.join(dst, "erpnext", e))
    for p in range(0, len(out), PAGE):
        with open(os.path.join(dst, "erpnext", "gl_entry", "page-%06d.json" % (p // PAGE + 1)), "w") as fh:
            json.dump({"data": out[p:p + PAGE]}, fh, separators=(",", ":"))
    with open(os.path.join(dst, "GL-EXPECTED.tsv"), "w") as fh:
        for k in sorted(expected):
            fh.write("%s/%s\t%s\n" % (k[0], k[1], expected[k]))
    print("gl_reclose.py: %d rows (%d moved to the end, %d reversing, %d added), %d vouchers to report"
          % (len(out), len(gone), sum(1 for k in sinv[:a.cancel] for _ in by_voucher[k]), 2 * a.add,
             len(expected)))


if __name__ == "__main__":
    main()
