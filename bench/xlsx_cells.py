#!/usr/bin/env python3
"""Print every cell of an XLSX workbook, one line each (sheet, cell, type,
value with shared strings resolved, formula), leaving out the sheets named
on the command line after the file (e.g. "Run record", which names the
binary's revision and the run's times). bench/close_same.sh compares two
workbooks with it; standard library only.

    python3 bench/xlsx_cells.py BOOK.xlsx ["Run record" ...]
"""
import sys
import zipfile
from xml.etree import ElementTree as ET

M = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'


def main():
    book, skip = sys.argv[1], set(sys.argv[2:])
    z = zipfile.ZipFile(book)
    shared = []
    if 'xl/sharedStrings.xml' in z.namelist():
        for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('{%s}si' % M):
            shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % M)))
    rels = {r.get('Id'): r.get('Target') for r in ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))}
    sheets = ET.fromstring(z.read('xl/workbook.xml')).find('{%s}sheets' % M)
    for sh in sheets:
        name = sh.get('name')
        if name in skip:
            continue
        target = rels[sh.get('{%s}id' % R)].lstrip('/')
        if not target.startswith('xl/'):
            target = 'xl/' + target
        for c in ET.fromstring(z.read(target)).iter('{%s}c' % M):
            v, f, t = c.find('{%s}v' % M), c.find('{%s}f' % M), c.get('t') or ''
            val = v.text if v is not None else ''
            if t == 's':
                val = shared[int(val)]
            elif t == 'inlineStr':
                # libxlsxwriter's constant_memory mode writes text inline
                i = c.find('{%s}is' % M)
                val = ''.join(x.text or '' for x in i.iter('{%s}t' % M)) if i is not None else ''
            print(name, c.get('r'), t, val, f.text if f is not None else '', sep='\t')


if __name__ == '__main__':
    main()
