#!/bin/sh
# `make install DESTDIR=...`: the installed binary, run from a folder with no
# templates in sight, finds its installed templates for `init` and `report`
# and writes the demo's reports; the manual page is installed and reads.
. tests/e2e/lib.sh
make -s -C "$TOP" install DESTDIR="$WORK/inst" PREFIX=/usr BUILD="${BUILD:-build}" >make.out 2>&1 ||
	{ cat make.out; fail "make install"; }
bin="$WORK/inst/usr/bin/recon"
[ -x "$bin" ] || fail "no installed binary"
for f in recon.ini payout-accounts.ini sections.ini; do
	[ -f "$WORK/inst/usr/share/recon/templates/$f" ] || fail "template $f not installed"
done
[ -f "$WORK/inst/usr/share/man/man1/recon.1" ] || fail "no manual page"
if command -v man >/dev/null 2>&1; then
	man -l "$WORK/inst/usr/share/man/man1/recon.1" 2>/dev/null | grep -q "EXIT STATUS" || fail "the manual page does not read"
fi
mkdir elsewhere && cd elsewhere
${VALGRIND:-} "$bin" init >out 2>err || { cat err; fail "installed init"; }
grep -q '^\[shopify\]' recon.ini || fail "init did not write the template"
sed '/^templates/d' "$SAMPLES/demo/recon.ini" > demo.ini
set +e
${VALGRIND:-} "$bin" --config demo.ini close --period 2026-10 --raw "$SAMPLES/demo" --out rep >out 2>err
rc=$?
set -e
[ $rc -eq 1 ] || { cat err; fail "installed close exited $rc"; }
[ -s rep/recon-2026-10-s1.xlsx ] && [ -s rep/recon-2026-10-s1.pdf ] || fail "no reports from the installed binary"
echo ok
