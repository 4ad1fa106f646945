#!/usr/bin/env python3
"""check-entries.py JOURNAL.json [PAYOUTS_DIR...]: every entry of a `recon
journal --format json` document balances to the minor unit in the company's
currency, each line of a multi-currency entry being its account-currency
amount at its rate; with raw folders, its bank line is the payout's amount
in the payout's currency, as their shopify/payouts pages give it. Entries that already exist in ERPNext are skipped.
Exit 1 naming the entry otherwise."""
import glob
import json
import os
import sys
from decimal import ROUND_HALF_EVEN, Decimal as D

doc = json.load(open(sys.argv[1]))
amounts = {}
for raw in sys.argv[2:]:
    for p in sorted(glob.glob(os.path.join(raw, "shopify", "payouts", "*.json"))):
        for x in json.load(open(p))["payouts"]:
            amounts[x["id"]] = (D(x["amount"]), x["currency"])
bad = 0
for e in doc["entries"]:
    if e["status"] == "exists":
        continue
    rows = e["accounts"]
    dr = sum(D(a["debit"]) for a in rows)
    cr = sum(D(a["credit"]) for a in rows)
    ok = dr == cr and dr == D(e.get("total_debit", dr)) and cr == D(e.get("total_credit", cr))
    for a in rows:
        ok = ok and (D(a["debit"]) == 0) != (D(a["credit"]) == 0)
    multi = e.get("multi_currency") == 1
    if multi:
        # the rows in the payout's currency are the bank's: amount x rate = company amount
        for a in rows:
            rate = D(a["exchange_rate"])
            for side in ("debit", "credit"):
                # converted once, half to even, as ERPNext's flt() does
                conv = (D(a[side + "_in_account_currency"]) * rate).quantize(D("0.01"), rounding=ROUND_HALF_EVEN)
                ok = ok and conv == D(a[side])
    bank = [a for a in rows if (a.get("account_currency") == e["currency"]) or not multi]
    want = amounts.get(e["payout_id"])
    if sys.argv[2:] and not want:
        ok = False
    if want:
        bank_amount = D(bank[0]["debit_in_account_currency" if multi else "debit"]) if bank else None
        ok = ok and want[1] == e["currency"] and bank_amount == want[0]
    if not ok:
        print("entry for payout %s: does not balance or its bank line is not the payout: %s" % (e["payout_id"], e))
        bad += 1
print("%d entries checked, %d bad" % (len(doc["entries"]), bad))
sys.exit(1 if bad else 0)
