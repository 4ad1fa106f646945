#!/bin/sh
# Report files never follow a planted link (issue 21, finding 6): links at
# the old temporary names, links (live and dangling) at the final names, in
# a shared --out folder. After `recon report` the files they point to are
# unchanged or still absent, the reports are regular private files, and no
# temporary file is left.
. tests/e2e/lib.sh
umask 022
demo=$SAMPLES/demo

recon --config "$demo/recon.ini" snapshot --period 2026-10 --raw "$demo"; expect_rc 0
echo "keep me" > victim
echo "keep me too" > victim2
mkdir shared
x=shared/recon-2026-10-s1.xlsx
p=shared/recon-2026-10-s1.pdf
ln -s ../victim "$x.tmp"
ln -s ../victim "$p.tmp"
ln -s ../victim2 "$x"
ln -s ../made-by-recon "$p"    # dangling: following it would create a file

recon --config "$demo/recon.ini" report --out shared --as-of 2026-11-05T09:00:00Z; expect_rc 0
[ "$(cat victim)" = "keep me" ] || fail "a link at a temporary name was written through"
[ "$(cat victim2)" = "keep me too" ] || fail "a link at a final name was written through"
[ ! -e made-by-recon ] || fail "a dangling link at a final name was followed"
for f in "$x" "$p"; do
	[ -f "$f" ] && [ ! -L "$f" ] || fail "'$f' is not a regular file: $(ls -l "$f")"
	[ "$(stat -c %a "$f")" = 600 ] || fail "'$f' is mode $(stat -c %a "$f")"
done
head -c 5 "$p" | grep -q '%PDF-' || fail "the PDF is not a PDF"
unzip -l "$x" > /dev/null || fail "the workbook is not a zip"
# the planted links are left as they were; recon's own temporary files are gone
[ "$(find shared -name '*.tmp' | wc -l)" = 2 ] || fail "temporary files: $(ls -la shared)"
[ -L "$x.tmp" ] && [ -L "$p.tmp" ] || fail "the planted links were replaced"

# The same report again over its own output: byte-identical, still private.
cp "$x" x1; cp "$p" p1
recon --config "$demo/recon.ini" report --out shared --as-of 2026-11-05T09:00:00Z; expect_rc 0
cmp -s "$x" x1 && cmp -s "$p" p1 || fail "a second report differs"

# A folder every user may write to, without the sticky bit, is warned about.
mkdir open && chmod 777 open
recon --config "$demo/recon.ini" report --out open --as-of 2026-11-05T09:00:00Z; expect_rc 0
grep_in err "writable by every user"
chmod 1777 open
recon --config "$demo/recon.ini" report --out open --as-of 2026-11-05T09:00:00Z; expect_rc 0
grep_not err "writable by every user"
echo ok
