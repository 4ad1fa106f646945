#!/usr/bin/env python3
"""In what order does a month fill each data index?

    python3 bench/index_order.py DB SNAPSHOT [PAGES,...]

For every index of src/store/schema.sql.h: the snapshot's rows in rowid
(insert) order, each placed at its rank in the index. Prints the share of
rows appended at the end (a key larger than every earlier one: SQLite
inserts it on the last leaf without descending from the root) and, for an
LRU of PAGES leaf pages (default 2048 and 16384), how many leaf visits miss
(a page read back and written again): a month filling an index in order
misses once per leaf. Leaves are estimated from the keys' average size.
Read-only; the DB may be in use. bench/RESULTS.md, "the second month at 1M".
"""
import collections
import os
import re
import sqlite3
import sys


def main():
    db, sid = sys.argv[1], int(sys.argv[2])
    sizes = [int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "2048,16384").split(",")]
    here = os.path.dirname(os.path.abspath(__file__))
    src = open(os.path.join(here, "..", "src", "store", "schema.sql.h")).read()
    idx = re.findall(r'CREATE INDEX IF NOT EXISTS (\w+) ON ((?:s|e)_\w+)\(([^)]*)\)( WHERE [^;]*)?;', src)
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    for name, table, cols, where in idx:
        cl = [x.strip() for x in cols.split(",")]
        w = " AND (%s)" % where.replace(" WHERE ", "") if where else ""
        n, kb = c.execute("SELECT count(*), avg(%s) FROM %s WHERE snapshot_id = ?%s" % (
            " + ".join("coalesce(length(CAST(%s AS BLOB)), 1)" % x for x in cl), table, w), (sid,)).fetchone()
        if not n:
            print("%-28s %9d rows" % (name, 0))
            continue
        per = max(4, int(4096 * 0.9 / (kb + 12)))   # key, rowid and cell overhead in a 4 KiB leaf
        ranks = [r for (r,) in c.execute(
            "SELECT r FROM (SELECT rowid AS id, row_number() OVER (ORDER BY %s, rowid) AS r FROM %s "
            "WHERE snapshot_id = ?%s) ORDER BY id" % (", ".join(cl[1:]) or "rowid", table, w), (sid,))]
        top, appended = -1, 0
        for r in ranks:
            if r > top:
                appended, top = appended + 1, r
        out = []
        for k in sizes:
            lru, miss = collections.OrderedDict(), 0
            for r in ranks:
                p = r // per
                if p in lru:
                    lru.move_to_end(p)
                else:
                    miss += 1
                    lru[p] = True
                    if len(lru) > k:
                        lru.popitem(last=False)
            out.append("%d pages: %d misses" % (k, miss))
        print("%-28s %9d rows, %7d leaves, appended %5.1f %%; %s" % (
            name, n, n // per + 1, 100.0 * appended / n, ", ".join(out)), flush=True)


if __name__ == "__main__":
    main()
